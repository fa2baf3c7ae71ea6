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

use crate::check::{split_origins, validate};
use crate::diagnostic::{Ctxt, Level};
use crate::keys::Key;
use crate::model::Policy;
use crate::raw::{List, RawPolicy, Spanned};
use crate::resolve::{Finding, Origin};
use crate::rules::Rule;

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

/// Where each key of a resolved policy came from; `None` for a key set nowhere (its default
/// applies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPlaces {
    /// `origins`.
    pub origins: Option<Place>,
    /// `credentials`.
    pub credentials: Option<Place>,
    /// `methods`.
    pub methods: Option<Place>,
    /// `allow_headers`.
    pub allow_headers: Option<Place>,
    /// `expose_headers`.
    pub expose_headers: Option<Place>,
    /// `max_age`.
    pub max_age: Option<Place>,
    /// `dangerously_allow_insecure_origins`.
    pub dangerously_allow_insecure_origins: Option<Place>,
    /// `dangerously_echo_request_headers`.
    pub dangerously_echo_request_headers: Option<Place>,
}

/// A policy read from configuration that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The policy: a named policy's (no route attached), with no origin source left.
    pub policy: Policy,
    /// Where each key came from.
    pub places: KeyPlaces,
    /// Each origin entry as read, and where from.
    pub origin_places: Vec<(String, Place)>,
    /// What the checks warn about (a `max_age` above Chromium's cap...): the policy starts.
    pub warnings: Vec<Finding>,
}

/// Where each diagnostic's position points: the rows of the table the spans index.
#[derive(Default)]
struct Table {
    rows: Vec<(Origin, Option<String>)>,
}

impl Table {
    fn at(&mut self, origin: Origin, entry: Option<String>) -> usize {
        self.rows.push((origin, entry));
        self.rows.len() - 1
    }
}

/// What a list key holds, as a message says it.
fn found(value: &Value) -> String {
    match value {
        Value::Text(_) => "a string".to_owned(),
        Value::List(_) => "a list".to_owned(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Integer(n) => format!("the number `{n}`"),
        Value::NotUnicode(_) => "a value that is not UTF-8".to_owned(),
        Value::Other(what) => what.clone(),
    }
}

/// The text of a value, for the `-->` line.
fn shown(value: &Value) -> Option<String> {
    match value {
        Value::Text(t) | Value::NotUnicode(t) => Some(t.clone()),
        Value::List(items) => Some(items.join(", ")),
        Value::Bool(b) => Some(b.to_string()),
        Value::Integer(n) => Some(n.to_string()),
        Value::Other(_) => None,
    }
}

fn not_unicode(cx: &mut Ctxt<usize>, t: &mut Table, setting: &Setting, lossy: &str, fix: String) {
    let span = t.at(Origin::Key(setting.place.clone()), Some(lossy.to_owned()));
    cx.error(
        Rule::ValueType,
        span,
        format!("{} is set, but its value is not UTF-8", setting.place),
    )
    .note("a value that was set is never taken for an unset one, nor replaced by a default")
    .help(fix);
}

/// Reads a list key. `None` when the key is not set; a list marked `malformed` (so that no
/// check judges its emptiness) otherwise.
fn list(
    cx: &mut Ctxt<usize>,
    t: &mut Table,
    setting: Option<&Setting>,
    example: (&str, &str),
) -> Option<List<usize>> {
    let setting = setting?;
    let place = &setting.place;
    let key = t.at(Origin::Key(place.clone()), None);
    let entries: Vec<&str> = match &setting.value {
        Value::Text(text) => split_origins(text).collect(),
        Value::List(items) => items.iter().flat_map(|i| split_origins(i)).collect(),
        Value::NotUnicode(lossy) => {
            let fix = format!(
                "set it to {}, or unset it",
                place.set_to(example.0, example.1)
            );
            not_unicode(cx, t, setting, lossy, fix);
            Vec::new()
        }
        other => {
            let span = t.at(Origin::Key(place.clone()), shown(other));
            cx.error(
                Rule::ValueType,
                span,
                format!(
                    "{place} must be a list of strings or one string of entries separated by commas, not {}",
                    found(other)
                ),
            )
            .help(format!("write it as {}", place.set_to(example.0, example.1)));
            Vec::new()
        }
    };
    let items = entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let origin = match place {
                Place::Config(key) => Origin::Config {
                    key: key.clone(),
                    n: i + 1,
                },
                Place::Env(var) => Origin::Env {
                    var: var.clone(),
                    n: i + 1,
                },
            };
            Spanned::new(entry.to_owned(), t.at(origin, Some(entry.to_owned())))
        })
        .collect();
    Some(List {
        key,
        items,
        malformed: true,
    })
}

/// Reads a flag. `None` when not set, or set to an empty string.
fn flag(
    cx: &mut Ctxt<usize>,
    t: &mut Table,
    setting: Option<&Setting>,
) -> Option<Spanned<bool, usize>> {
    let setting = setting?;
    let place = &setting.place;
    let parsed = match &setting.value {
        Value::Bool(b) => Some(*b),
        Value::Integer(0) => Some(false),
        Value::Integer(1) => Some(true),
        Value::Text(text) => {
            let text = text.trim().to_ascii_lowercase();
            match text.as_str() {
                "" => return None,
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            }
        }
        Value::NotUnicode(lossy) => {
            let fix = format!(
                "set it to {} or {}, or unset it",
                place.set_to("true", "true"),
                place.set_to("false", "false")
            );
            not_unicode(cx, t, setting, lossy, fix);
            return None;
        }
        Value::List(_) | Value::Integer(_) | Value::Other(_) => None,
    };
    let span = t.at(Origin::Key(place.clone()), shown(&setting.value));
    match parsed {
        Some(value) => Some(Spanned::new(value, span)),
        None => {
            cx.error(
                Rule::ValueType,
                span,
                format!("{place} must be `true` or `false`"),
            )
            .note(match &setting.value {
                Value::Text(_) => "`1`/`0`, `yes`/`no` and `on`/`off` are read too".to_owned(),
                other => format!(
                    "found {}; `1`/`0`, `yes`/`no` and `on`/`off` are read too",
                    found(other)
                ),
            })
            .help(format!(
                "set it to {} or {}",
                place.set_to("true", "true"),
                place.set_to("false", "false")
            ));
            None
        }
    }
}

/// Reads `max_age`: `Some(None)` inside for a number out of `u64`'s range, which the check
/// reports as out of range. `None` when not set, set to an empty string, or not a number.
fn seconds(
    cx: &mut Ctxt<usize>,
    t: &mut Table,
    setting: Option<&Setting>,
) -> Option<Spanned<Option<u64>, usize>> {
    let setting = setting?;
    let place = &setting.place;
    let parsed: Result<Option<u64>, ()> = match &setting.value {
        Value::Integer(n) => Ok(u64::try_from(*n).ok()),
        Value::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(text.parse::<u64>().ok())
            } else {
                Err(())
            }
        }
        Value::NotUnicode(lossy) => {
            let fix = format!(
                "set it to a number of seconds, {}, or unset it",
                place.set_to("600", "600")
            );
            not_unicode(cx, t, setting, lossy, fix);
            return None;
        }
        Value::Bool(_) | Value::List(_) | Value::Other(_) => Err(()),
    };
    let span = t.at(Origin::Key(place.clone()), shown(&setting.value));
    match parsed {
        Ok(value) => Some(Spanned::new(value, span)),
        Err(()) => {
            let b = cx
                .error(
                    Rule::ValueType,
                    span,
                    format!("{place} must be a whole number of seconds"),
                )
                .help(format!(
                    "set it to a number from 0 to 7200 (Chromium's cap), e.g. {}",
                    place.set_to("600", "600")
                ));
            if !matches!(setting.value, Value::Text(_)) {
                b.note(format!("found {}", found(&setting.value)));
            }
            None
        }
    }
}

/// The help line for a key that is no key of a policy.
fn unknown_key_help(place: &Place, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "enabled" | "enable" | "enable_cors" => {
            "remove it here and keep the switch in your own settings: apply the policy with `actix_web::middleware::Condition::new(enabled, cors)`".to_owned()
        }
        "send_wildcard" | "wildcard_origin" | "allow_any_origin" => format!(
            "remove it and set {} instead (`Access-Control-Allow-Origin: *`, never with credentials)",
            place.sibling(name, "origins").set_to("\"*\"", "*")
        ),
        "block_on_origin_mismatch" => {
            "remove it: a request from an origin the policy does not allow is always served without CORS headers, and the browser keeps the page from reading it".to_owned()
        }
        "allow_any_header" => format!(
            "remove it and list the headers in {} (or `\"*\"`, without credentials: any header but `Authorization`)",
            place.sibling(name, "allow_headers")
        ),
        "allow_any_method" => format!(
            "remove it and list the methods your routes serve in {} (`GET`, `HEAD` and `POST` are always allowed)",
            place.sibling(name, "methods")
        ),
        _ => match Key::suggest(name).filter(|k| k.name != "policy") {
            Some(key) => format!("did you mean {}?", place.sibling(name, key.name)),
            None => "remove it; the keys of a policy are `origins`, `credentials`, `methods`, `allow_headers`, `expose_headers`, `max_age`, `dangerously_allow_insecure_origins` and `dangerously_echo_request_headers`".to_owned(),
        },
    }
}

/// A help line for a finding whose check gave none, so that every finding says how to fix it.
fn fallback_help(rule: Rule, entry: Option<&str>) -> &'static str {
    if entry.is_some_and(|e| e.contains([';', '|'])) {
        return "separate the entries with commas or spaces";
    }
    match rule {
        Rule::MethodToken => "write one method name per entry (letters, digits and `-`, e.g. `PATCH`), or remove the entry",
        Rule::HeaderToken => "write one header name per entry (e.g. `X-Request-Id`), or remove the entry",
        _ => "remove this entry",
    }
}

/// Checks a policy read from configuration: reads every key, then runs [`validate`] on the whole,
/// as for a named policy (`GET`, `HEAD` and `POST` are allowed besides `methods`). Returns the
/// policy with where each value came from and the warnings, or every error found, in the order
/// of the keys.
pub fn resolve(config: &ConfiguredPolicy) -> Result<Resolved, Vec<Finding>> {
    let mut cx: Ctxt<usize> = Ctxt::default();
    let mut t = Table::default();
    for (place, name) in &config.unknown {
        let span = t.at(Origin::Key(place.clone()), None);
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
            let span = t.at(Origin::Key(place.clone()), None);
            cx.error(Rule::OriginsRequired, span, message)
                .note("a CORS policy must say which origins may read the responses: neither none nor any is assumed")
                .help(format!(
                    "set it to your frontends' origins, separated by commas ({}), or to `\"*\"` for any origin (without credentials)",
                    place.set_to(origins_example.0, origins_example.1)
                ));
        }
        (Some(list), Some(setting)) if list.items.is_empty() && !origins_failed => {
            let span = t.at(Origin::Key(setting.place.clone()), shown(&setting.value));
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
    let origin_places: Vec<(String, Place)> = match &config.origins {
        Some(setting) => origins_list
            .items
            .iter()
            .map(|i| (i.value.clone(), setting.place.clone()))
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
            let place = |s: &Option<Setting>| s.as_ref().map(|s| s.place.clone());
            Ok(Resolved {
                policy,
                places: KeyPlaces {
                    origins: place(&config.origins),
                    credentials: place(&config.credentials),
                    methods: place(&config.methods),
                    allow_headers: place(&config.allow_headers),
                    expose_headers: place(&config.expose_headers),
                    max_age: place(&config.max_age),
                    dangerously_allow_insecure_origins: place(
                        &config.dangerously_allow_insecure_origins,
                    ),
                    dangerously_echo_request_headers: place(
                        &config.dangerously_echo_request_headers,
                    ),
                },
                origin_places,
                warnings,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
