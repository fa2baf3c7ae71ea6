//! Reading each key's value: lists, flags, seconds, with a finding for every value that cannot be
//! read, and the table of where each diagnostic's position points.

use crate::check::split_origins;
use crate::diagnostic::Ctxt;
use crate::keys::Key;
use crate::raw::{List, Spanned};
use crate::resolve::Origin;
use crate::rules::Rule;
use crate::source::Source;

use super::{Place, Setting, Value};

/// Where each diagnostic's position points: the rows of the table the spans index.
#[derive(Default)]
pub(super) struct Table {
    pub(super) rows: Vec<(Origin, Option<String>)>,
}

impl Table {
    pub(super) fn at(&mut self, origin: Origin, entry: Option<String>) -> usize {
        self.rows.push((origin, entry));
        self.rows.len() - 1
    }
}

/// What a list key holds, as a message says it.
pub(super) fn found(value: &Value) -> String {
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
pub(super) fn shown(value: &Value) -> Option<String> {
    match value {
        Value::Text(t) | Value::NotUnicode(t) => Some(t.clone()),
        Value::List(items) => Some(items.join(", ")),
        Value::Bool(b) => Some(b.to_string()),
        Value::Integer(n) => Some(n.to_string()),
        Value::Other(_) => None,
    }
}

pub(super) fn not_unicode(
    cx: &mut Ctxt<usize>,
    t: &mut Table,
    setting: &Setting,
    lossy: &str,
    fix: String,
) {
    let span = t.at(
        Origin::Whole(Source::from(&setting.place)),
        Some(lossy.to_owned()),
    );
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
pub(super) fn list(
    cx: &mut Ctxt<usize>,
    t: &mut Table,
    setting: Option<&Setting>,
    example: (&str, &str),
) -> Option<List<usize>> {
    let setting = setting?;
    let place = &setting.place;
    let key = t.at(Origin::Whole(Source::from(place)), None);
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
            let span = t.at(Origin::Whole(Source::from(place)), shown(other));
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
            let origin = Origin::Entry {
                source: Source::from(place),
                n: i + 1,
                from_default: false,
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
pub(super) fn flag(
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
    let span = t.at(Origin::Whole(Source::from(place)), shown(&setting.value));
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
pub(super) fn seconds(
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
    let span = t.at(Origin::Whole(Source::from(place)), shown(&setting.value));
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
pub(super) fn unknown_key_help(place: &Place, name: &str) -> String {
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
pub(super) fn fallback_help(rule: Rule, entry: Option<&str>) -> &'static str {
    if entry.is_some_and(|e| e.contains([';', '|'])) {
        return "separate the entries with commas or spaces";
    }
    match rule {
        Rule::MethodToken => "write one method name per entry (letters, digits and `-`, e.g. `PATCH`), or remove the entry",
        Rule::HeaderToken => "write one header name per entry (e.g. `X-Request-Id`), or remove the entry",
        _ => "remove this entry",
    }
}
