//! The listing's text (an aligned table) and JSON forms.

use std::fmt;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{Declared, KeySources, ListedPolicy, Listing, OriginEntry};
use crate::Source;

/// ` (env VAR)`, ` (config key)`, or nothing for a literal or a default: what the table appends
/// to a value.
fn suffix(source: &Source) -> String {
    match source {
        Source::Env(var) => format!(" (env {var})"),
        Source::Config(key) => format!(" (config {key})"),
        _ => String::new(),
    }
}

impl ListedPolicy {
    fn origins_text(&self) -> String {
        let origins: Vec<String> = self
            .policy
            .origins
            .iter()
            .map(|o| format!("{}{}", o.origin, suffix(&o.source)))
            .collect();
        dash(origins.join(", "))
    }

    fn methods_text(&self) -> String {
        sourced(
            self.policy.allow_methods.join(", "),
            &self.policy.sources.methods,
        )
    }
}

fn dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// A cell with where its value came from: `PUT, DELETE (env APP_CORS_METHODS)`. A value read
/// from configuration is marked even when it is empty (`- (config cors.max_age)`).
fn sourced(text: String, source: &Source) -> String {
    format!("{}{}", dash(text), suffix(source))
}

/// An aligned table, one line per policy:
///
/// ```text
/// PATH              DECLARED  METHODS            ORIGINS                  CREDENTIALS  ALLOW-HEADERS  EXPOSE-HEADERS  MAX-AGE
/// /*                app       GET, HEAD, POST    https://app.example.com  no           -              -               -
/// ```
impl fmt::Display for Listing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEAD: [&str; 8] = [
            "PATH",
            "DECLARED",
            "METHODS",
            "ORIGINS",
            "CREDENTIALS",
            "ALLOW-HEADERS",
            "EXPOSE-HEADERS",
            "MAX-AGE",
        ];
        let rows: Vec<[String; 8]> = self
            .policies
            .iter()
            .map(|p| {
                [
                    p.path.clone(),
                    p.declared.as_str().to_owned(),
                    p.methods_text(),
                    p.origins_text(),
                    sourced(
                        if p.policy.credentials { "yes" } else { "no" }.to_owned(),
                        &p.policy.sources.credentials,
                    ),
                    sourced(
                        p.policy
                            .echo_request_headers
                            .then_some("echo requested")
                            .into_iter()
                            .chain(p.policy.allow_headers.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(", "),
                        &p.policy.sources.allow_headers,
                    ),
                    sourced(
                        p.policy.expose_headers.join(", "),
                        &p.policy.sources.expose_headers,
                    ),
                    sourced(
                        p.policy.max_age.map(|s| s.to_string()).unwrap_or_default(),
                        &p.policy.sources.max_age,
                    ),
                ]
            })
            .collect();
        let mut widths = HEAD.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: &[&str]| -> fmt::Result {
            let last = cells.len() - 1;
            for (i, cell) in cells.iter().enumerate() {
                if i == last {
                    writeln!(f, "{cell}")?;
                } else {
                    write!(f, "{cell:<width$}  ", width = widths[i])?;
                }
            }
            Ok(())
        };
        line(f, &HEAD)?;
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            line(f, &cells)?;
        }
        Ok(())
    }
}

impl Serialize for Listing {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.policies.len()))?;
        for p in &self.policies {
            seq.serialize_element(p)?;
        }
        seq.end()
    }
}

impl Serialize for ListedPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = &self.policy;
        let mut st = s.serialize_struct("ListedPolicy", 12)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("resolved", &self.resolved)?;
        st.serialize_field("declared", &self.declared)?;
        st.serialize_field("routed_methods", &self.routed_methods)?;
        st.serialize_field("allow_methods", &p.allow_methods)?;
        st.serialize_field("origins", &p.origins)?;
        st.serialize_field("credentials", &p.credentials)?;
        st.serialize_field("allow_headers", &p.allow_headers)?;
        st.serialize_field("echo_request_headers", &p.echo_request_headers)?;
        st.serialize_field("expose_headers", &p.expose_headers)?;
        st.serialize_field("max_age", &p.max_age)?;
        st.serialize_field("sources", &p.sources)?;
        st.serialize_field("overrides", &self.overrides)?;
        st.end()
    }
}

impl Serialize for Declared {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Declared::App => "app",
            Declared::Scope => "scope",
            Declared::Handler { guarded: false } => "handler",
            Declared::Handler { guarded: true } => "guarded-handler",
        })
    }
}

impl Serialize for OriginEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("OriginEntry", 2)?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("source", &SourceJson(&self.source))?;
        st.end()
    }
}

/// A [`Source`] in JSON: `"literal"`, `{"env": "VAR"}`, `{"config": "key"}`, `"default"`.
struct SourceJson<'a>(&'a Source);

impl Serialize for SourceJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Source::Default => s.serialize_str("default"),
            Source::Config(key) => {
                let mut st = s.serialize_struct("Config", 1)?;
                st.serialize_field("config", key)?;
                st.end()
            }
            Source::Env(var) => {
                let mut st = s.serialize_struct("Env", 1)?;
                st.serialize_field("env", var)?;
                st.end()
            }
            _ => s.serialize_str("literal"),
        }
    }
}

/// `{"credentials": "literal", "methods": {"env": "VAR"}, ...}`.
impl Serialize for KeySources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("KeySources", 5)?;
        st.serialize_field("credentials", &SourceJson(&self.credentials))?;
        st.serialize_field("methods", &SourceJson(&self.methods))?;
        st.serialize_field("allow_headers", &SourceJson(&self.allow_headers))?;
        st.serialize_field("expose_headers", &SourceJson(&self.expose_headers))?;
        st.serialize_field("max_age", &SourceJson(&self.max_age))?;
        st.end()
    }
}
