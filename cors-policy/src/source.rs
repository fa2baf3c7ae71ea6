//! Where a value of a policy came from ([`Source`]), and the record resolution keeps of it for
//! every value of a resolved policy ([`Provenance`]).

use std::fmt;

use crate::configured::Place;
use crate::model::OriginSource;

/// Where a value of a policy came from.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Source {
    /// Written in the policy (`origins = [...]`, `max_age = 600`).
    #[default]
    Literal,
    /// Read from this environment variable (or its default) when the app started.
    Env(String),
    /// Read from the application's configuration, at this key (`config("key")` and
    /// `with_origins`, or a policy read whole from configuration).
    Config(String),
    /// A key a policy read from configuration left unset: its default (no credentials, the
    /// safelisted methods only, no header, no max age).
    Default,
}

impl fmt::Display for Source {
    /// `environment variable `VAR``, `configuration key `key``, `the policy as written`,
    /// `the default`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Literal => f.write_str("the policy as written"),
            Source::Env(var) => write!(f, "environment variable `{var}`"),
            Source::Config(key) => write!(f, "configuration key `{key}`"),
            Source::Default => f.write_str("the default"),
        }
    }
}

impl From<&Place> for Source {
    fn from(place: &Place) -> Self {
        match place {
            Place::Config(key) => Source::Config(key.clone()),
            Place::Env(var) => Source::Env(var.clone()),
        }
    }
}

impl From<&OriginSource> for Source {
    fn from(source: &OriginSource) -> Self {
        match source {
            OriginSource::Env { var, .. } => Source::Env(var.clone()),
            OriginSource::Config { key } => Source::Config(key.clone()),
        }
    }
}

/// Where each value of a resolved policy came from, as resolution found it: each origin entry
/// read, and each key other than `origins`. By default every value was written in the policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The origin entries (and patterns, as written) with where each came from; an allowed
    /// origin not listed here was written in the policy.
    pub origins: Vec<(String, Source)>,
    /// `credentials`.
    pub credentials: Source,
    /// `methods`.
    pub methods: Source,
    /// `allow_headers`.
    pub allow_headers: Source,
    /// `expose_headers`.
    pub expose_headers: Source,
    /// `max_age`.
    pub max_age: Source,
}

impl Provenance {
    /// Where the allowed origin (or pattern, as written) `origin` came from.
    pub fn source_of(&self, origin: &str) -> &Source {
        const LITERAL: &Source = &Source::Literal;
        self.origins
            .iter()
            .find(|(o, _)| o == origin)
            .map_or(LITERAL, |(_, s)| s)
    }
}
