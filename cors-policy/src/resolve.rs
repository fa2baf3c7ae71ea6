//! Origins read when the app starts: the environment variables and configuration values a policy
//! names (`env("VAR")`, `config("key")`), combined with its literal origins and checked by the
//! very checks the attribute runs at compile time ([`crate::check::check_origins`]), against the rest
//! of the policy (credentials, `dangerously_allow_insecure_origins`).
//!
//! What an unset and an empty variable mean:
//! - **unset**, without a default: an error. The policy does not silently become "no CORS" or
//!   "any origin"; `env("VAR", default = "...")` states what unset means;
//! - **empty** (or only separators): the variable adds no origin. If the policy then has no
//!   origin at all, that is an error too (`origins-required`);
//! - **set, but not UTF-8**: an error naming the variable. A value the operator set is never
//!   replaced by the default, nor taken for an unset variable.

use std::fmt;

use crate::check::{check_origins, split_origins};
use crate::diagnostic::{Ctxt, Diagnostic, Level};
use crate::model::{OriginSource, Origins, Policy};
use crate::raw::{List, Spanned};
use crate::rules::Rule;
use crate::source::{Provenance, Source};

/// Where an entry being checked at start-up came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The `n`th entry (from 1) of a source: a literal of the attribute ([`Source::Literal`]),
    /// an environment variable's value (`from_default`: its default's, the variable being
    /// unset), a configuration value.
    Entry {
        /// Where the entry was read.
        source: Source,
        /// The entry's place in it.
        n: usize,
        /// An entry of an environment variable's default, the variable being unset.
        from_default: bool,
    },
    /// A source as a whole (an unset variable, a missing configuration value), or a key of a
    /// policy read whole from configuration (see [`crate::configured`]).
    Whole(Source),
    /// The policy's origins as a whole, or one of its keys (`credentials`).
    Policy(&'static str),
}

impl Origin {
    /// Where the entry (or the source as a whole) was read; `None` for the policy as a whole.
    pub fn source(&self) -> Option<&Source> {
        match self {
            Origin::Entry { source, .. } | Origin::Whole(source) => Some(source),
            Origin::Policy(_) => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Entry {
                source: Source::Literal,
                n,
                ..
            } => write!(f, "origin {n} written in the attribute"),
            Origin::Entry {
                source: Source::Env(var),
                n,
                from_default: true,
            } => write!(
                f,
                "entry {n} of the default of `{var}` (the variable is not set)"
            ),
            Origin::Entry { source, n, .. } => write!(f, "entry {n} of {source}"),
            Origin::Whole(source) => write!(f, "{source}"),
            Origin::Policy(what) => write!(f, "the policy's {what}"),
        }
    }
}

/// What looking an environment variable up gave: what [`resolve()`] is handed for each
/// `env("VAR")`. Made from what `std::env::var` returns, or from an `Option<String>` (`None`
/// for unset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The variable is not set.
    Unset,
    /// The variable's value.
    Value(String),
    /// The variable is set, but its value is not UTF-8: here with the invalid bytes replaced by
    /// U+FFFD, for the message.
    NotUnicode(String),
}

impl From<Option<String>> for Lookup {
    fn from(value: Option<String>) -> Self {
        value.map_or(Lookup::Unset, Lookup::Value)
    }
}

impl From<Result<String, std::env::VarError>> for Lookup {
    fn from(value: Result<String, std::env::VarError>) -> Self {
        match value {
            Ok(value) => Lookup::Value(value),
            Err(std::env::VarError::NotPresent) => Lookup::Unset,
            Err(std::env::VarError::NotUnicode(raw)) => {
                Lookup::NotUnicode(raw.to_string_lossy().into_owned())
            }
        }
    }
}

/// One finding at start-up: the diagnostic, where its entry came from, and the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What is wrong, the rule, the note and the help, as at compile time.
    pub diagnostic: Diagnostic<usize>,
    /// Where the entry came from.
    pub origin: Origin,
    /// The entry as read, when the finding is about one.
    pub entry: Option<String>,
}

impl fmt::Display for Finding {
    /// `error: ...`, then `--> where: "entry"`, then the note, help and rule, like a compiler
    /// error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.diagnostic;
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        writeln!(f, "{level}: {}", d.message)?;
        match &self.entry {
            Some(entry) => writeln!(f, "  --> {}: {entry:?}", self.origin)?,
            None => writeln!(f, "  --> {}", self.origin)?,
        }
        if let Some(note) = &d.note {
            writeln!(f, "   = note: {note}")?;
        }
        if let Some(help) = &d.help {
            writeln!(f, "   = help: {help}")?;
        }
        write!(f, "   = rule: cors::{}", d.rule.name())
    }
}

/// A policy whose origins are complete, and where each came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The policy, with no origin source left.
    pub policy: Policy,
    /// Where each origin entry came from (every other key was written in the policy). Read
    /// once, here: what the policy listing shows.
    pub provenance: Provenance,
}

/// Resolves `policy`'s origin sources: each variable through `env` (`|var| std::env::var(var)`
/// for the process's, or any function giving an `Option<String>`), each configuration value
/// from `config` (the origins the application hands over, with the key they came from). Returns
/// the policy with its origins complete and no sources left, with where each origin came from,
/// or every error found.
pub fn resolve<L: Into<Lookup>>(
    name: &str,
    policy: &Policy,
    env: impl Fn(&str) -> L,
    config: Option<(&str, &[String])>,
) -> Result<Resolution, Vec<Finding>> {
    if policy.origin_sources.is_empty() && config.is_none() {
        return Ok(Resolution {
            policy: policy.clone(),
            provenance: Provenance::default(),
        });
    }
    let mut table: Vec<(Origin, Option<String>)> = Vec::new();
    let mut at = |origin: Origin, entry: Option<String>| {
        table.push((origin, entry));
        table.len() - 1
    };
    let mut cx: Ctxt<usize> = Ctxt::default();
    let mut items: Vec<Spanned<String, usize>> = Vec::new();
    if let Origins::List { exact, patterns } = &policy.origins {
        let literals = exact
            .iter()
            .cloned()
            .chain(patterns.iter().map(|p| p.to_string()));
        for (i, entry) in literals.enumerate() {
            let literal = Origin::Entry {
                source: Source::Literal,
                n: i + 1,
                from_default: false,
            };
            let span = at(literal, Some(entry.clone()));
            items.push(Spanned::new(entry, span));
        }
    } else {
        // `"*"` with sources is refused at compile time; a policy decoded from elsewhere keeps
        // its `"*"` and meets the same check as any other entry.
        let literal = Origin::Entry {
            source: Source::Literal,
            n: 1,
            from_default: false,
        };
        let span = at(literal, Some("*".to_owned()));
        items.push(Spanned::new("*".to_owned(), span));
    }
    let mut config_used = false;
    for source in &policy.origin_sources {
        match source {
            OriginSource::Env { var, default } => {
                let (value, from_default) = match (env(var).into(), default) {
                    (Lookup::Value(value), _) => (value, false),
                    (Lookup::NotUnicode(lossy), _) => {
                        let span = at(Origin::Whole(source.into()), Some(lossy));
                        let default_note = match default {
                            Some(default) => format!("; the default ({default:?}) applies only when the variable is unset, never in place of a value that was set"),
                            None => String::new(),
                        };
                        cx.error(Rule::OriginSyntax, span, format!("environment variable `{var}` is set, but its value is not UTF-8"))
                            .note(format!("origins are ASCII, so the value cannot be read as origins{default_note}"))
                            .help(format!("set it to your frontends' origins, separated by commas (`{var}=https://app.example.com`), or unset it"));
                        continue;
                    }
                    (Lookup::Unset, Some(default)) => (default.clone(), true),
                    (Lookup::Unset, None) => {
                        let span = at(Origin::Whole(source.into()), None);
                        cx.error(Rule::OriginsRequired, span, format!("environment variable `{var}` is not set"))
                            .note("without it the policy would allow no origin, or any: neither is assumed")
                            .help(format!("set it to your frontends' origins, separated by commas (`{var}=https://app.example.com`), or state what unset means with `env(\"{var}\", default = \"...\")`"));
                        continue;
                    }
                };
                for (i, entry) in split_origins(&value).enumerate() {
                    let origin = Origin::Entry {
                        source: Source::Env(var.clone()),
                        n: i + 1,
                        from_default,
                    };
                    let span = at(origin, Some(entry.to_owned()));
                    items.push(Spanned::new(entry.to_owned(), span));
                }
            }
            OriginSource::Config { key } => match config {
                Some((given_key, values)) => {
                    config_used = true;
                    let key = if given_key.is_empty() { key } else { given_key };
                    for (i, entry) in values.iter().flat_map(|v| split_origins(v)).enumerate() {
                        let origin = Origin::Entry {
                            source: Source::Config(key.to_owned()),
                            n: i + 1,
                            from_default: false,
                        };
                        let span = at(origin, Some(entry.to_owned()));
                        items.push(Spanned::new(entry.to_owned(), span));
                    }
                }
                None => {
                    let span = at(Origin::Whole(source.into()), None);
                    cx.error(Rule::OriginsRequired, span, format!("`{name}` takes its origins from configuration key `{key}`, and none were handed to it"))
                        .note(format!("`{name}::with_origins(...)` hands them over: `.wrap({name})`, `{name}::scope(..)`, `{name}::cors()` and handlers with `#[cors(policy = {name})]` use the policy its last successful call returned, and `{name}::try_cors()` reads the environment only"))
                        .help(format!("in `main`, before the app is built, call `{name}::with_origins(&origins)` with the origins read from your configuration (a `ConfiguredOrigins`), and handle its error"));
                }
            },
        }
    }
    if let (Some((key, _)), false) = (config, config_used) {
        let span = at(Origin::Policy("origins"), None);
        cx.error(Rule::OriginsRequired, span, format!("origins from configuration key `{key}` were handed to a policy that does not take any"))
            .help("add `config(\"...\")` to the policy's `origins`, or do not pass configured origins");
    }
    // A source already reported leaves the list short: no second error about it.
    let sources_failed = cx.has_errors();
    let key = at(Origin::Policy("origins (all sources together)"), None);
    if items.is_empty() && !sources_failed {
        let read: Vec<String> = policy
            .origin_sources
            .iter()
            .map(ToString::to_string)
            .collect();
        cx.error(
            Rule::OriginsRequired,
            key,
            "the policy has no origin: the attribute lists none, and every source is empty",
        )
        .note(format!("read: {}", read.join(", ")))
        .help(
            "give the variable or configuration value your frontends' origins, separated by commas",
        );
    }
    let credentials = policy
        .credentials
        .then(|| Spanned::new(true, at(Origin::Policy("`credentials`"), None)));
    let opt_out = policy.allow_insecure_origins.then(|| {
        Spanned::new(
            true,
            at(Origin::Policy("`dangerously_allow_insecure_origins`"), None),
        )
    });
    let list = List {
        key,
        items,
        // The emptiness of the whole was judged above, with the sources in view.
        malformed: true,
    };
    let origins = check_origins(&mut cx, &list, credentials.as_ref(), opt_out.as_ref());
    let findings: Vec<Finding> = cx
        .into_diagnostics()
        .into_iter()
        .filter(|d| d.level == Level::Error)
        .map(|diagnostic| {
            let (origin, entry) = table
                .get(diagnostic.span)
                .cloned()
                .unwrap_or((Origin::Policy("origins"), None));
            Finding {
                diagnostic,
                origin,
                entry,
            }
        })
        .collect();
    if !findings.is_empty() {
        return Err(findings);
    }
    // Where each entry came from: the table holds it for every entry checked.
    let provenance = Provenance {
        origins: table
            .into_iter()
            .filter_map(|(origin, entry)| match origin {
                Origin::Entry {
                    source: source @ (Source::Env(_) | Source::Config(_)),
                    ..
                } => Some((entry?, source)),
                _ => None,
            })
            .collect(),
        ..Provenance::default()
    };
    Ok(Resolution {
        policy: Policy {
            origins,
            origin_sources: Vec::new(),
            ..policy.clone()
        },
        provenance,
    })
}

#[cfg(test)]
mod tests;
