//! The policy as written, before validation: every value paired with where it was written, so
//! that a check can blame the exact token (or, for policies from configuration, the exact
//! entry). Positions are generic (`S`): the macro passes `proc_macro2::Span`, tests and
//! configuration-driven callers pass anything `Copy`.

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T, S> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: S,
}

impl<T, S> Spanned<T, S> {
    /// Pairs `value` with `span`.
    pub fn new(value: T, span: S) -> Self {
        Self { value, span }
    }
}

/// A list-valued key: `allow_headers = ["A", "B"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<S> {
    /// The key's position.
    pub key: S,
    /// The string literals, in order.
    pub items: Vec<Spanned<String, S>>,
    /// Part of the value was not a string literal (already reported): checks about the list as
    /// a whole, such as "empty", stay quiet.
    pub malformed: bool,
}

/// A policy as written in `#[cors(...)]`, before validation. Keys that were absent are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPolicy<S> {
    /// `origins = [...]`.
    pub origins: Option<List<S>>,
    /// `credentials`, `credentials = true` or `credentials = false`.
    pub credentials: Option<Spanned<bool, S>>,
    /// `methods = [...]`.
    pub methods: Option<List<S>>,
    /// `allow_headers = [...]`.
    pub allow_headers: Option<List<S>>,
    /// `expose_headers = [...]`.
    pub expose_headers: Option<List<S>>,
    /// `max_age = N`; `None` inside when the literal does not fit in a `u64`.
    pub max_age: Option<Spanned<Option<u64>, S>>,
    /// `dangerously_allow_insecure_origins`: lets credentialed policies trust `http` origins.
    pub dangerously_allow_insecure_origins: Option<Spanned<bool, S>>,
    /// `dangerously_echo_request_headers`: any requested header is allowed and echoed back.
    pub dangerously_echo_request_headers: Option<Spanned<bool, S>>,
    /// `env(...)` and `config(...)` in `origins`: origins read when the app starts.
    pub origin_sources: Vec<RawSource<S>>,
}

impl<S> Default for RawPolicy<S> {
    fn default() -> Self {
        Self {
            origins: None,
            credentials: None,
            methods: None,
            allow_headers: None,
            expose_headers: None,
            max_age: None,
            dangerously_allow_insecure_origins: None,
            dangerously_echo_request_headers: None,
            origin_sources: Vec::new(),
        }
    }
}

/// What the route attribute(s) below `#[cors]` serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<S> {
    /// The routed methods, upper case, each with the token that routes it.
    pub methods: Vec<Spanned<String, S>>,
}

/// `env("VAR")`, `env("VAR", default = "...")` or `config("key")` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSource<S> {
    /// The source.
    pub source: crate::model::OriginSource,
    /// Where the variable's name or the key was written.
    pub span: S,
    /// Where the default was written (the name's position when there is none).
    pub default_span: S,
}
