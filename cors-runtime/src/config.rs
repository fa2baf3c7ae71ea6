//! Origins from the environment and from configuration files, checked when the app starts by the
//! same code as the attribute at compile time (`cors_policy::resolve`); start-up errors.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hash};

use cors_policy::resolve::Resolution;
use cors_policy::Policy;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::Finding;

/// Origins read from a configuration file, for a named policy whose `origins` include
/// `config("key")`. Deserializes from a list of strings or from one string of origins separated
/// by commas and/or whitespace; serializes as a list. Nothing is checked when it is read: the
/// policy checks the entries, all at once, when it is handed them.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Settings {
///     cors_origins: cors_runtime::ConfiguredOrigins,
/// }
/// let from_list: Settings = serde_json::from_str(r#"{"cors_origins": ["https://a.example.com"]}"#).unwrap();
/// let from_string: Settings = serde_json::from_str(r#"{"cors_origins": "https://a.example.com, https://b.example.com"}"#).unwrap();
/// assert_eq!(from_string.cors_origins.entries(), ["https://a.example.com", "https://b.example.com"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfiguredOrigins {
    entries: Vec<String>,
    key: String,
}

impl ConfiguredOrigins {
    /// Origins given in code.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(entries: I) -> Self {
        Self {
            entries: entries
                .into_iter()
                .map(Into::into)
                .flat_map(|e: String| {
                    cors_policy::check::split_origins(&e)
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .collect(),
            key: String::new(),
        }
    }

    /// Names the configuration key they were read from, for messages (by default, the key
    /// written in the policy's `config("...")`).
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// The key given with [`ConfiguredOrigins::with_key`], or `""`.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }
}

impl<'de> Deserialize<'de> for ConfiguredOrigins {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OriginsVisitor;

        impl<'de> Visitor<'de> for OriginsVisitor {
            type Value = ConfiguredOrigins;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of origins, or one string of origins separated by commas")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(ConfiguredOrigins::new([value]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<String> = Vec::new();
                while let Some(entry) = seq.next_element::<String>()? {
                    entries.push(entry);
                }
                Ok(ConfiguredOrigins::new(entries))
            }
        }

        deserializer.deserialize_any(OriginsVisitor)
    }
}

impl Serialize for ConfiguredOrigins {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.entries.len()))?;
        for entry in &self.entries {
            seq.serialize_element(entry)?;
        }
        seq.end()
    }
}

/// Why a policy cannot start: every error found in its origins (or, for a
/// [`PolicyConfig`](crate::PolicyConfig), in its configuration), each with where it came from.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupError {
    policy: String,
    /// What the findings are about: `origins` or `configuration`.
    subject: &'static str,
    findings: Vec<Finding>,
}

impl StartupError {
    /// The errors found in the configuration of the policy `label`.
    pub(crate) fn in_configuration(
        label: String,
        findings: Vec<cors_policy::resolve::Finding>,
    ) -> Self {
        Self {
            policy: label,
            subject: "configuration",
            findings: findings.into_iter().map(Finding::from).collect(),
        }
    }

    /// The findings, in the order found.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.findings.len();
        write!(
            f,
            "the CORS policy {} cannot start: {n} error{} in its {}",
            self.policy,
            if n == 1 { "" } else { "s" },
            self.subject
        )?;
        for finding in &self.findings {
            write!(f, "\n\n{finding}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StartupError {}

/// Values for a policy's `env("VAR")` sources, given instead of the process environment: see
/// [`NamedPolicy::resolve_with`](crate::NamedPolicy::resolve_with). Implemented for closures
/// `Fn(&str) -> Option<String>` (`None`: the variable is unset), for `HashMap` and `BTreeMap`
/// from names to values (and references to them), and for arrays, slices and vectors of `(name, value)` pairs; a name
/// absent from a map or list is an unset variable.
pub trait EnvLookup {
    /// The value of the variable `var`, or `None` when it is unset.
    fn var(&self, var: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> EnvLookup for F {
    fn var(&self, var: &str) -> Option<String> {
        self(var)
    }
}

impl<K: Borrow<str> + Hash + Eq, V: AsRef<str>, S: BuildHasher> EnvLookup for HashMap<K, V, S> {
    fn var(&self, var: &str) -> Option<String> {
        self.get(var).map(|v| v.as_ref().to_owned())
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> EnvLookup for BTreeMap<K, V> {
    fn var(&self, var: &str) -> Option<String> {
        self.get(var).map(|v| v.as_ref().to_owned())
    }
}

impl<K: Borrow<str> + Hash + Eq, V: AsRef<str>, S: BuildHasher> EnvLookup for &HashMap<K, V, S> {
    fn var(&self, var: &str) -> Option<String> {
        (*self).var(var)
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> EnvLookup for &BTreeMap<K, V> {
    fn var(&self, var: &str) -> Option<String> {
        (*self).var(var)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> EnvLookup for [(K, V)] {
    fn var(&self, var: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| k.as_ref() == var)
            .map(|(_, v)| v.as_ref().to_owned())
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> EnvLookup for [(K, V); N] {
    fn var(&self, var: &str) -> Option<String> {
        self.as_slice().var(var)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> EnvLookup for Vec<(K, V)> {
    fn var(&self, var: &str) -> Option<String> {
        self.as_slice().var(var)
    }
}

/// Where a policy's `env("VAR")` sources are read from.
#[derive(Clone, Copy)]
pub(crate) enum Env<'a> {
    /// The process environment.
    Process,
    /// Values given explicitly.
    Given(&'a dyn EnvLookup),
}

impl Env<'_> {
    pub(crate) fn lookup(&self, var: &str) -> cors_policy::resolve::Lookup {
        match self {
            Env::Process => std::env::var(var).into(),
            Env::Given(given) => given.var(var).into(),
        }
    }
}

/// Resolves `policy`'s origins from `env` and `configured`, each read once, with where each
/// came from. `name` is the policy's type for a named policy (`Api`), `label` how messages
/// name the policy.
pub(crate) fn resolve(
    label: &str,
    name: &str,
    policy: &Policy,
    env: Env<'_>,
    configured: Option<&ConfiguredOrigins>,
) -> Result<Resolution, StartupError> {
    let config = configured.map(|c| (c.key(), c.entries()));
    cors_policy::resolve(name, policy, |var| env.lookup(var), config).map_err(|findings| {
        StartupError {
            policy: label.to_owned(),
            subject: "origins",
            findings: findings.into_iter().map(Finding::from).collect(),
        }
    })
}

/// What happens to an error nobody checked: the process stops before it serves a request, with
/// the whole message. Never a half-working server, never actix-web's "can not start server
/// service 0".
pub(crate) fn exit(error: &StartupError) -> ! {
    // Every worker builds the app, so several may get here at once: the first one prints and
    // exits, the others wait for the process to end, so the message appears once.
    static EXITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _only = EXITING.lock();
    eprintln!("error: {error}");
    std::process::exit(1)
}
