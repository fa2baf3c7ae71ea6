//! A whole policy from the application's settings or from the environment: [`PolicyConfig`],
//! turned into the middleware by one checked call, [`Cors::from_config`].

use std::fmt;

use cors_policy::configured::{self, ConfiguredPolicy, Place, Setting, Value};
use cors_policy::resolve::Lookup;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::compiled::Compiled;
use crate::config::{Env, EnvLookup, StartupError};
use crate::{Cors, Finding};

/// The keys of a policy, in the order they are checked and reported.
const KEYS: [&str; 8] = [
    "origins",
    "credentials",
    "methods",
    "allow_headers",
    "expose_headers",
    "max_age",
    "dangerously_allow_insecure_origins",
    "dangerously_echo_request_headers",
];

/// One key as read: its value, and the variable it was read from (`None`: the settings).
#[derive(Debug, Clone, PartialEq)]
struct Field {
    value: Value,
    env: Option<String>,
}

/// A whole CORS policy read from the application's settings (TOML, JSON, YAML, the `config`
/// crate... through serde) or from environment variables, checked when it is turned into the
/// middleware by [`Cors::from_config`]: by the same rules as `#[policy(...)]` at compile time,
/// over the combination of every key, with every error reported at once, each naming the
/// configuration key or variable, the entry, the rule and the fix.
///
/// Its keys are those of the attribute: `origins` (required), `credentials`, `methods`,
/// `allow_headers`, `expose_headers`, `max_age` and `dangerously_allow_insecure_origins`.
///
/// - **Lists** (`origins`, `methods`, `allow_headers`, `expose_headers`) are a list of strings
///   or one string of entries separated by commas and/or whitespace, like
///   [`ConfiguredOrigins`](crate::ConfiguredOrigins). An empty `methods` or header list is the
///   same as none; an empty `origins` is an error.
/// - **Flags** (`credentials`, `dangerously_allow_insecure_origins`) are booleans, or the strings
///   `true`/`false` (`1`/`0`, `yes`/`no`, `on`/`off` too, in any case), so that values the
///   `config` crate reads from the environment as strings work.
/// - **`max_age`** is a whole number of seconds, or a string of digits.
/// - A key that is no key of a policy (`allowed_methods`, `enabled`, `send_wildcard`...) is an
///   error, with the key it likely means: a misspelt key is never silently ignored.
///
/// Nothing is checked when it is read (reading fails only on a malformed file or a key given
/// twice): every finding comes from [`Cors::from_config`], all at once.
///
/// To replace it while the server runs, make the middleware with
/// [`Cors::reloadable_from_config`] instead, and keep its [`Reloader`](crate::Reloader).
///
/// It is a named policy without a route: `GET`, `HEAD` and `POST` are allowed besides
/// `methods`, as for `#[policy(...)]`. Use it where the policy must change with the deployment;
/// a policy that does not is better written with `#[policy(...)]`, checked when the program
/// compiles.
///
/// ```
/// use cors_runtime::{Cors, PolicyConfig};
///
/// #[derive(serde::Deserialize)]
/// struct Settings {
///     cors: PolicyConfig,
/// }
///
/// let settings: Settings = toml::from_str(r#"
///     [cors]
///     origins = ["https://app.example.com", "https://*.app.example.com"]
///     credentials = true
///     methods = ["PUT", "DELETE"]
///     allow_headers = "Content-Type, Authorization"
///     max_age = 600
/// "#).unwrap();
/// let cors = Cors::from_config("cors", &settings.cors).expect("a valid policy");
/// let app = actix_web::App::new().wrap(cors);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyConfig {
    /// By the position of their key in [`KEYS`].
    fields: [Option<Field>; KEYS.len()],
    /// Keys that are no key of a policy: the name, and the variable for one read from the
    /// environment.
    unknown: Vec<(String, Option<String>)>,
    /// Read from the application's settings (deserialized).
    from_settings: bool,
    /// The prefix of the variables it was read from, or overridden by.
    env_prefix: Option<String>,
}

/// The variable of `key` under `prefix`: `APP_CORS` and `max_age` give `APP_CORS_MAX_AGE`; a
/// prefix ending in `_` is used as it is (`APP__CORS__` gives `APP__CORS__MAX_AGE`).
fn env_var(prefix: &str, key: &str) -> String {
    let key = key.to_ascii_uppercase();
    if prefix.is_empty() || prefix.ends_with('_') {
        format!("{prefix}{key}")
    } else {
        format!("{prefix}_{key}")
    }
}

/// The configuration key of `name` under `key`: `cors` and `methods` give `cors.methods`.
fn config_key(key: &str, name: &str) -> String {
    if key.is_empty() {
        name.to_owned()
    } else {
        format!("{key}.{name}")
    }
}

impl PolicyConfig {
    /// Every key read from the process environment, from the variables named `PREFIX_KEY`:
    /// `PolicyConfig::from_env("APP_CORS")` reads `APP_CORS_ORIGINS`, `APP_CORS_CREDENTIALS`,
    /// `APP_CORS_METHODS`, `APP_CORS_ALLOW_HEADERS`, `APP_CORS_EXPOSE_HEADERS`,
    /// `APP_CORS_MAX_AGE` and `APP_CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS`. A prefix ending in
    /// `_` is used as it is (`"APP__CORS__"` reads `APP__CORS__ORIGINS`).
    ///
    /// An unset variable leaves its key unset; a variable set to a value that is not UTF-8 is
    /// an error naming it (never taken for an unset one); any other variable under the prefix
    /// is an error too (`APP_CORS_ALLOWED_METHODS`: did you mean `APP_CORS_METHODS`?), so give
    /// the policy a prefix of its own. Errors are reported by [`Cors::from_config`].
    pub fn from_env(prefix: &str) -> Self {
        Self::default().read_env(prefix, Env::Process)
    }

    /// [`PolicyConfig::from_env`], with the values `vars` gives instead of the process
    /// environment (a closure `Fn(&str) -> Option<String>`, a map, or a list of
    /// `(name, value)` pairs: see [`EnvLookup`]). For tests.
    pub fn from_env_with(prefix: &str, vars: impl EnvLookup) -> Self {
        Self::default().read_env(prefix, Env::Given(&vars))
    }

    /// This configuration, with each key whose variable `PREFIX_KEY` is set in the process
    /// environment taken from it instead: settings from a file, overridden per deployment.
    /// Read as in [`PolicyConfig::from_env`].
    pub fn with_env_overrides(self, prefix: &str) -> Self {
        self.read_env(prefix, Env::Process)
    }

    /// [`PolicyConfig::with_env_overrides`], with the values `vars` gives instead of the process
    /// environment. For tests.
    pub fn with_env_overrides_from(self, prefix: &str, vars: impl EnvLookup) -> Self {
        self.read_env(prefix, Env::Given(&vars))
    }

    fn read_env(mut self, prefix: &str, env: Env<'_>) -> Self {
        self.env_prefix = Some(prefix.to_owned());
        for (field, key) in self.fields.iter_mut().zip(KEYS) {
            let var = env_var(prefix, key);
            let value = match env.lookup(&var) {
                Lookup::Unset => continue,
                Lookup::Value(value) => Value::Text(value),
                Lookup::NotUnicode(lossy) => Value::NotUnicode(lossy),
            };
            *field = Some(Field {
                value,
                env: Some(var),
            });
        }
        if let (Env::Process, false) = (env, prefix.is_empty()) {
            // Variables under the prefix that name no key: a misspelt one is never ignored.
            let head = env_var(prefix, "");
            let mut unknown: Vec<(String, Option<String>)> = std::env::vars_os()
                .filter_map(|(name, _)| name.into_string().ok())
                .filter_map(|name| {
                    let rest = name.strip_prefix(head.as_str())?.to_ascii_lowercase();
                    (!KEYS.contains(&rest.as_str())).then(|| (rest, Some(name.clone())))
                })
                .collect();
            unknown.sort();
            self.unknown.retain(|(_, var)| var.is_none());
            self.unknown.extend(unknown);
        }
        self
    }

    /// What [`cors_policy::configured::resolve`] checks: each key with where it was read, the
    /// keys of the settings named under `key`.
    fn configured(&self, key: &str) -> ConfiguredPolicy {
        let place = |name: &str, env: &Option<String>| match env {
            Some(var) => Place::Env(var.clone()),
            None => Place::Config(config_key(key, name)),
        };
        let setting = |i: usize| {
            let field = self.fields.get(i)?.as_ref()?;
            let name = KEYS.get(i)?;
            Some(Setting::new(field.value.clone(), place(name, &field.env)))
        };
        let [origins, credentials, methods, allow_headers, expose_headers, max_age, insecure, echo] =
            std::array::from_fn(setting);
        let mut origins_looked_up = Vec::new();
        if self.from_settings || self.env_prefix.is_none() {
            origins_looked_up.push(Place::Config(config_key(key, "origins")));
        }
        if let Some(prefix) = &self.env_prefix {
            origins_looked_up.push(Place::Env(env_var(prefix, "origins")));
        }
        ConfiguredPolicy {
            origins,
            credentials,
            methods,
            allow_headers,
            expose_headers,
            max_age,
            dangerously_allow_insecure_origins: insecure,
            dangerously_echo_request_headers: echo,
            unknown: self
                .unknown
                .iter()
                .map(|(name, env)| (place(name, env), name.clone()))
                .collect(),
            origins_looked_up,
        }
    }

    fn resolve(&self, key: &str) -> Result<configured::Resolved, StartupError> {
        configured::resolve(&self.configured(key))
            .map_err(|findings| StartupError::in_configuration(format!("`{key}`"), findings))
    }

    /// Checks the policy as [`Cors::from_config`] does, without building it: the warnings (a
    /// `max_age` above Chromium's cap...), or every error. For a `--check-config` command, or a
    /// test of your settings files.
    pub fn check(&self, key: &str) -> Result<Vec<Finding>, StartupError> {
        self.resolve(key)
            .map(|resolved| resolved.warnings.into_iter().map(Finding::from).collect())
    }
}

impl Cors {
    /// The middleware for the policy `config`, checked: by the same rules as `#[policy(...)]` at
    /// compile time, over the combination of every key (`"*"` with credentials, insecure
    /// origins with credentials, `"*"` in `methods`, the header rules, the range of
    /// `max_age`...), with every error reported at once, each naming the configuration key or
    /// environment variable, the entry, the rule and the fix.
    ///
    /// `key` is where the policy sits in your settings (`"cors"`, `"server.http.cors"`): its keys
    /// are named `cors.methods`... in messages and in the policy listing. Keys read from the
    /// environment are named by their variables.
    ///
    /// Warnings (a `max_age` above Chromium's cap of 7200 s, a `dangerously_allow_insecure_origins`
    /// that nothing needs) do not stop the policy: each is a `warn` event on the `cors_runtime`
    /// target ([`PolicyConfig::check`] returns them).
    ///
    /// The policy is resolved here, once, into the structures a policy written in the attribute
    /// is answered from: requests cost the same. Call it once, when the app starts (each call
    /// builds a policy kept for the rest of the process), and wrap the value, which is `Copy`:
    /// `HttpServer::new(move || App::new().wrap(cors))`.
    ///
    /// ```
    /// use cors_runtime::{Cors, PolicyConfig};
    ///
    /// let config: PolicyConfig = serde_json::from_str(
    ///     r#"{"origins": "*", "credentials": true, "methods": ["*"], "max_age": 100000}"#,
    /// ).unwrap();
    /// let error = Cors::from_config("cors", &config).expect_err("three mistakes");
    /// let text = error.to_string();
    /// assert!(text.starts_with("the CORS policy `cors` cannot start: 4 errors in its configuration"));
    /// assert!(text.contains("--> entry 1 of configuration key `cors.origins`: \"*\""));
    /// assert!(text.contains("--> configuration key `cors.credentials`: \"true\""));
    /// assert!(text.contains("= rule: cors::method-wildcard"));
    /// assert!(text.contains("= rule: cors::max-age-range"));
    /// ```
    pub fn from_config(key: &str, config: &PolicyConfig) -> Result<Cors, StartupError> {
        let (compiled, model) = config.compile(key)?;
        Ok(Cors::from_parts(compiled, model))
    }
}

impl PolicyConfig {
    /// The policy checked and compiled, with its model: what [`Cors::from_config`] and
    /// [`crate::Reloader::reload`] put in force. Warnings are `warn` events.
    pub(crate) fn compile(
        &self,
        key: &str,
    ) -> Result<(Compiled, cors_policy::Policy), StartupError> {
        let resolved = self.resolve(key)?;
        for warning in &resolved.warnings {
            tracing::event!(target: "cors_runtime", tracing::Level::WARN, "CORS policy `{key}`: {warning}");
        }
        let compiled =
            Compiled::from_configured(resolved.policy.clone()).with_provenance(resolved.provenance);
        Ok((compiled, resolved.policy))
    }
}

/// A value as serde gives it, before it is judged: every kind of value is read, so that a value
/// of the wrong kind is a finding with the others, not a failure to read the file.
enum Raw {
    Null,
    Value(Value),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a list of strings, a boolean or a number")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Integer(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Integer(v.into())))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Integer(v)))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Integer(
            i128::try_from(v).unwrap_or(i128::MAX),
        )))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Other(format!("the number `{v}`"))))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Text(v.to_string())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Text(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Text(v)))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Other("bytes".to_owned())))
    }

    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        Raw::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        let mut other = None;
        while let Some(item) = seq.next_element::<Raw>()? {
            match item {
                Raw::Value(Value::Text(text)) => items.push(text),
                Raw::Null => other = Some("a list holding a null".to_owned()),
                Raw::Value(_) => {
                    other = Some("a list holding something else than strings".to_owned())
                }
            }
        }
        Ok(Raw::Value(match other {
            Some(what) => Value::Other(what),
            None => Value::List(items),
        }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Value(Value::Other("a table".to_owned())))
    }
}

impl<'de> Deserialize<'de> for PolicyConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PolicyVisitor;

        impl<'de> Visitor<'de> for PolicyVisitor {
            type Value = PolicyConfig;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CORS policy: a table of `origins` and, optionally, `credentials`, `methods`, `allow_headers`, `expose_headers`, `max_age`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PolicyConfig, A::Error> {
                let mut config = PolicyConfig {
                    from_settings: true,
                    ..PolicyConfig::default()
                };
                while let Some(key) = map.next_key::<String>()? {
                    let raw: Raw = map.next_value()?;
                    match KEYS.iter().position(|k| *k == key) {
                        Some(i) => {
                            let (Some(field), Some(name)) = (config.fields.get_mut(i), KEYS.get(i))
                            else {
                                continue;
                            };
                            if field.is_some() {
                                return Err(de::Error::duplicate_field(name));
                            }
                            *field = match raw {
                                Raw::Null => None,
                                Raw::Value(value) => Some(Field { value, env: None }),
                            };
                        }
                        None => config.unknown.push((key, None)),
                    }
                }
                Ok(config)
            }
        }

        deserializer.deserialize_map(PolicyVisitor)
    }
}
