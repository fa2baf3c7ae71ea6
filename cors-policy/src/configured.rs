//! A whole policy read when the app starts, from the application's configuration or from the
//! environment: every key (`origins`, `credentials`, `methods`, `allow_headers`,
//! `expose_headers`, `max_age`, `dangerously_allow_insecure_origins`) as read
//! ([`ConfiguredPolicy`]), turned into a [`RawPolicy`] whose positions index a table of where
//! each entry came from, and checked by [`validate`], the very function that checks
//! `#[policy(...)]` at compile time. Every rule applies to the combination (`"*"` with
//! credentials, insecure origins with credentials, `"*"` in `methods`, the header rules, the
//! range and cap of `max_age`...), and every error is reported at once, each naming the
//! configuration key or environment variable, the entry, the rule and the fix.
//!
//! How values are read:
//! - **lists** (`origins`, `methods`, `allow_headers`, `expose_headers`): a list of strings or
//!   one string, each split on commas and/or whitespace; empty entries are ignored. An empty
//!   `methods` or header list is the same as none; an empty `origins` is an error.
//! - **flags** (`credentials`, `dangerously_allow_insecure_origins`): a boolean, or a string
//!   `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, in any case); an empty string is the
//!   same as none.
//! - **`max_age`**: an integer, or a string of digits; an empty string is the same as none.
//! - a value set but not UTF-8 is an error naming where it was read, never taken for an unset one.

use std::fmt;

use crate::check::validate;
use crate::diagnostic::{Ctxt, Level};
use crate::model::Policy;
use crate::raw::{List, RawPolicy};
use crate::resolve::{Finding, Origin};
use crate::rules::Rule;
use crate::source::{Provenance, Source};

mod read;
use read::{fallback_help, flag, list, seconds, shown, unknown_key_help, Table};

/// Where a key's value was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// A configuration key, in full (`cors.methods`).
    Config(String),
    /// An environment variable (`APP_CORS_METHODS`).
    Env(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Config(key) => write!(f, "configuration key `{key}`"),
            Place::Env(var) => write!(f, "environment variable `{var}`"),
        }
    }
}

impl Place {
    /// The place of the key `new` beside this one, which holds the key `old`: `cors.allowed_methods`
    /// with `methods` is `cors.methods`; `APP_CORS_ALLOWED_METHODS` is `APP_CORS_METHODS`.
    pub fn sibling(&self, old: &str, new: &str) -> Place {
        match self {
            Place::Config(key) => {
                let base = key.strip_suffix(old).unwrap_or(key);
                Place::Config(format!("{base}{new}"))
            }
            Place::Env(var) => {
                let upper = old.to_ascii_uppercase();
                let base = var.strip_suffix(upper.as_str()).unwrap_or(var);
                Place::Env(format!("{base}{}", new.to_ascii_uppercase()))
            }
        }
    }

    /// How this place is set to `value`, for help lines: `cors.origins = ["..."]`,
    /// `APP_CORS_ORIGINS=...`.
    fn set_to(&self, toml_value: &str, env_value: &str) -> String {
        match self {
            Place::Config(key) => format!("`{key} = {toml_value}`"),
            Place::Env(var) => format!("`{var}={env_value}`"),
        }
    }
}

/// A key's value as read, before it is parsed: what serde or the environment gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string: split into entries for list keys, parsed for flags and numbers.
    Text(String),
    /// A list of strings (each also split on commas and whitespace).
    List(Vec<String>),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Integer(i128),
    /// Set, but not UTF-8: the value with the invalid bytes replaced by U+FFFD, for the message.
    NotUnicode(String),
    /// A value of another kind (a float, a table...): what it was, for the message.
    Other(String),
}

/// One key as read: its value, and where from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The value.
    pub value: Value,
    /// Where it was read.
    pub place: Place,
}

impl Setting {
    /// `value`, read at `place`.
    pub fn new(value: Value, place: Place) -> Self {
        Self { value, place }
    }
}

/// Every key of a policy as read from configuration, before it is checked. Keys that were not
/// set anywhere are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfiguredPolicy {
    /// `origins` (required).
    pub origins: Option<Setting>,
    /// `credentials`.
    pub credentials: Option<Setting>,
    /// `methods`.
    pub methods: Option<Setting>,
    /// `allow_headers`.
    pub allow_headers: Option<Setting>,
    /// `expose_headers`.
    pub expose_headers: Option<Setting>,
    /// `max_age`.
    pub max_age: Option<Setting>,
    /// `dangerously_allow_insecure_origins`.
    pub dangerously_allow_insecure_origins: Option<Setting>,
    /// `dangerously_echo_request_headers`.
    pub dangerously_echo_request_headers: Option<Setting>,
    /// Keys that are no key of a policy (a misspelling, another library's name): where each was
    /// read, and its name there (`allowed_methods`).
    pub unknown: Vec<(Place, String)>,
    /// Where `origins` was looked for, for the message when it is found nowhere.
    pub origins_looked_up: Vec<Place>,
}

/// A policy read from configuration that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The policy: a named policy's (no route attached), with no origin source left.
    pub policy: Policy,
    /// Where each value came from: each origin entry as read, and each other key (a key set
    /// nowhere is [`Source::Default`]).
    pub provenance: Provenance,
    /// What the checks warn about (a `max_age` above Chromium's cap...): the policy starts.
    pub warnings: Vec<Finding>,
}

/// Checks a policy read from configuration: reads every key, then runs [`validate`] on the whole,
/// as for a named policy (`GET`, `HEAD` and `POST` are allowed besides `methods`). Returns the
/// policy with where each value came from and the warnings, or every error found, in the order
/// of the keys.
pub fn resolve(config: &ConfiguredPolicy) -> Result<Resolved, Vec<Finding>> {
    let mut cx: Ctxt<usize> = Ctxt::default();
    let mut t = Table::default();
    for (place, name) in &config.unknown {
        let span = t.at(Origin::Whole(Source::from(place)), None);
        cx.error(
            Rule::UnknownKey,
            span,
            format!("`{name}` is not a key of a CORS policy"),
        )
        .note("it would be ignored, and the policy would not be what its author meant")
        .help(unknown_key_help(place, name));
    }
    let origins_example = ("[\"https://app.example.com\"]", "https://app.example.com");
    let before = cx.error_count();
    let origins = list(&mut cx, &mut t, config.origins.as_ref(), origins_example);
    let origins_failed = cx.error_count() > before;
    match (&origins, &config.origins) {
        (None, _) => {
            let looked: Vec<String> = config
                .origins_looked_up
                .iter()
                .map(ToString::to_string)
                .collect();
            let place = config
                .origins_looked_up
                .first()
                .cloned()
                .unwrap_or_else(|| Place::Config("origins".to_owned()));
            let message = match looked.as_slice() {
                [] | [_] => format!("{place} is not set: the policy has no origin"),
                [init @ .., last] => {
                    format!(
                        "neither {} nor {last} is set: the policy has no origin",
                        init.join(", nor ")
                    )
                }
            };
            let span = t.at(Origin::Whole(Source::from(&place)), None);
            cx.error(Rule::OriginsRequired, span, message)
                .note("a CORS policy must say which origins may read the responses: neither none nor any is assumed")
                .help(format!(
                    "set it to your frontends' origins, separated by commas ({}), or to `\"*\"` for any origin (without credentials)",
                    place.set_to(origins_example.0, origins_example.1)
                ));
        }
        (Some(list), Some(setting)) if list.items.is_empty() && !origins_failed => {
            let span = t.at(
                Origin::Whole(Source::from(&setting.place)),
                shown(&setting.value),
            );
            cx.error(
                Rule::OriginsRequired,
                span,
                format!("{} is empty: the policy has no origin", setting.place),
            )
            .note("with no origin allowed, the policy would only add headers that deny everything")
            .help(format!(
                "set it to your frontends' origins, separated by commas ({})",
                setting.place.set_to(origins_example.0, origins_example.1)
            ));
        }
        _ => {}
    }
    let credentials = flag(&mut cx, &mut t, config.credentials.as_ref());
    let methods = list(
        &mut cx,
        &mut t,
        config.methods.as_ref(),
        ("[\"PUT\", \"DELETE\"]", "PUT,DELETE"),
    )
    .filter(|l| !l.items.is_empty());
    let allow_headers = list(
        &mut cx,
        &mut t,
        config.allow_headers.as_ref(),
        ("[\"Content-Type\"]", "Content-Type"),
    )
    .filter(|l| !l.items.is_empty());
    let expose_headers = list(
        &mut cx,
        &mut t,
        config.expose_headers.as_ref(),
        ("[\"X-Request-Id\"]", "X-Request-Id"),
    )
    .filter(|l| !l.items.is_empty());
    let max_age = seconds(&mut cx, &mut t, config.max_age.as_ref());
    let insecure = flag(
        &mut cx,
        &mut t,
        config.dangerously_allow_insecure_origins.as_ref(),
    );
    let echo = flag(
        &mut cx,
        &mut t,
        config.dangerously_echo_request_headers.as_ref(),
    );
    let origins_list = origins.unwrap_or(List {
        key: t.at(Origin::Policy("origins"), None),
        items: Vec::new(),
        malformed: true,
    });
    let origin_sources: Vec<(String, Source)> = match &config.origins {
        Some(setting) => origins_list
            .items
            .iter()
            .map(|i| (i.value.clone(), Source::from(&setting.place)))
            .collect(),
        None => Vec::new(),
    };
    let raw = RawPolicy {
        origins: Some(origins_list),
        credentials,
        methods,
        allow_headers,
        expose_headers,
        max_age,
        dangerously_allow_insecure_origins: insecure,
        dangerously_echo_request_headers: echo,
        origin_sources: Vec::new(),
    };
    let attr = t.at(Origin::Policy("origins"), None);
    let policy = validate(&mut cx, &raw, None, attr);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for mut diagnostic in cx.into_diagnostics() {
        let (origin, entry) = t
            .rows
            .get(diagnostic.span)
            .cloned()
            .unwrap_or((Origin::Policy("configuration"), None));
        if diagnostic.help.is_none() {
            diagnostic.help = Some(fallback_help(diagnostic.rule, entry.as_deref()).to_owned());
        }
        let finding = Finding {
            diagnostic,
            origin,
            entry,
        };
        match finding.diagnostic.level {
            Level::Error => errors.push(finding),
            Level::Warning => warnings.push(finding),
        }
    }
    match policy {
        Some(policy) if errors.is_empty() => {
            let source = |s: &Option<Setting>| {
                s.as_ref()
                    .map_or(Source::Default, |s| Source::from(&s.place))
            };
            let provenance = Provenance {
                origins: origin_sources,
                credentials: source(&config.credentials),
                methods: source(&config.methods),
                allow_headers: source(&config.allow_headers),
                expose_headers: source(&config.expose_headers),
                max_age: source(&config.max_age),
            };
            Ok(Resolved {
                policy,
                provenance,
                warnings,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
