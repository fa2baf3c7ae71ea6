//! The policy as written ([`RawPolicy`]), the checks that turn it into a [`Policy`], and the
//! diagnostics they produce.
//!
//! Every check is one small function that reads the raw policy and reports through a
//! [`Ctxt`]; [`validate`] runs them all, so every mistake of one attribute is reported at once.
//! Adding a rule is: a variant in [`Rule`], a check here (or in [`crate::origin`]), a row in the
//! documented table, and a trybuild case.
//!
//! Positions are generic (`S`): the macro passes `proc_macro2::Span`, tests and
//! configuration-driven callers pass anything `Copy`.

use std::collections::HashSet;

use crate::names;
use crate::origin::{parse_origin, OriginPattern, OriginSpec};
use crate::rules::Rule;

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
    /// The value was not a list of string literals (already reported): checks about the list as
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
        }
    }
}

/// What the route attribute(s) below `#[cors]` serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<S> {
    /// The routed methods, upper case, each with the token that routes it.
    pub methods: Vec<Spanned<String, S>>,
}

/// A validated policy: everything the code generator needs, in a deterministic order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Which origins are allowed.
    pub origins: Origins,
    /// Whether credentialed requests are allowed.
    pub credentials: bool,
    /// Methods a preflight may ask for (`Access-Control-Allow-Methods`).
    pub allow_methods: Vec<String>,
    /// Methods the route serves: the preflights this policy answers.
    pub routed_methods: Vec<String>,
    /// Allowed request headers, lower case, in the order written.
    pub allow_headers: Vec<String>,
    /// `allow_headers` holds `"*"`: any header but `Authorization`, which must be listed.
    pub allow_any_header: bool,
    /// Exposed response headers, in the order written.
    pub expose_headers: Vec<String>,
    /// `expose_headers` holds `"*"`.
    pub expose_any_header: bool,
    /// `Access-Control-Max-Age`, in seconds.
    pub max_age: Option<u32>,
}

/// The allowed origins of a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// `"*"`: every origin.
    Any,
    /// Exact origins and patterns.
    List {
        /// Serialized origins, matched byte for byte.
        exact: Vec<String>,
        /// Wildcard patterns.
        patterns: Vec<OriginPattern>,
    },
}

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The policy is refused.
    Error,
    /// The policy compiles, but probably does not do what its author expects.
    Warning,
}

/// One finding of the checker, at one position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic<S> {
    /// Error or warning.
    pub level: Level,
    /// The rule broken.
    pub rule: Rule,
    /// Where.
    pub span: S,
    /// What is wrong, in one line, lower case, names in backticks.
    pub message: String,
    /// Why it matters.
    pub note: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl<S> Diagnostic<S> {
    /// The text shown to the user: the message, then `= note`, `= help` and the rule's name.
    pub fn render(&self) -> String {
        let mut text = self.message.clone();
        if let Some(note) = &self.note {
            text.push_str("\n  = note: ");
            text.push_str(note);
        }
        if let Some(help) = &self.help {
            text.push_str("\n  = help: ");
            text.push_str(help);
        }
        text.push_str("\n  = rule: cors::");
        text.push_str(self.rule.name());
        text
    }
}

/// Collects diagnostics so that every check runs and all findings are reported together.
#[derive(Debug)]
pub struct Ctxt<S> {
    diagnostics: Vec<Diagnostic<S>>,
}

impl<S> Default for Ctxt<S> {
    fn default() -> Self {
        Self {
            diagnostics: Vec::new(),
        }
    }
}

impl<S: Copy> Ctxt<S> {
    /// Reports an error. Returns a builder to attach a note and a help line.
    pub fn error(
        &mut self,
        rule: Rule,
        span: S,
        message: impl Into<String>,
    ) -> DiagnosticBuilder<'_, S> {
        self.push(Level::Error, rule, span, message.into())
    }

    /// Reports a warning.
    pub fn warning(
        &mut self,
        rule: Rule,
        span: S,
        message: impl Into<String>,
    ) -> DiagnosticBuilder<'_, S> {
        self.push(Level::Warning, rule, span, message.into())
    }

    fn push(
        &mut self,
        level: Level,
        rule: Rule,
        span: S,
        message: String,
    ) -> DiagnosticBuilder<'_, S> {
        self.diagnostics.push(Diagnostic {
            level,
            rule,
            span,
            message,
            note: None,
            help: None,
        });
        let index = self.diagnostics.len() - 1;
        DiagnosticBuilder {
            diagnostic: &mut self.diagnostics[index],
        }
    }

    /// `true` when an error (not a warning) was reported.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error)
    }

    /// Everything reported, in order.
    pub fn into_diagnostics(self) -> Vec<Diagnostic<S>> {
        self.diagnostics
    }
}

/// Attaches a note and a help line to a just-reported diagnostic.
pub struct DiagnosticBuilder<'a, S> {
    diagnostic: &'a mut Diagnostic<S>,
}

impl<S> DiagnosticBuilder<'_, S> {
    /// Why it matters.
    pub fn note(self, note: impl Into<String>) -> Self {
        self.diagnostic.note = Some(note.into());
        self
    }

    /// How to fix it.
    pub fn help(self, help: impl Into<String>) -> Self {
        self.diagnostic.help = Some(help.into());
        self
    }
}

/// Checks `raw` against every rule. Returns the policy when there is no error, and every
/// diagnostic (errors and warnings) in the order the checks found them.
pub fn validate<S: Copy>(
    raw: &RawPolicy<S>,
    route: &Route<S>,
    attr_span: S,
) -> (Option<Policy>, Vec<Diagnostic<S>>) {
    let mut cx = Ctxt::default();
    let credentials = raw.credentials.as_ref().filter(|c| c.value);
    let origins = check_origins(&mut cx, raw, credentials, attr_span);
    let (allow_methods, routed_methods) = check_methods(&mut cx, raw.methods.as_ref(), route);
    let (allow_headers, allow_any_header) = check_header_list(
        &mut cx,
        raw.allow_headers.as_ref(),
        credentials,
        HeaderList::Allow,
    );
    let (expose_headers, expose_any_header) = check_header_list(
        &mut cx,
        raw.expose_headers.as_ref(),
        credentials,
        HeaderList::Expose,
    );
    let max_age = check_max_age(&mut cx, raw.max_age.as_ref());
    let policy = (!cx.has_errors()).then(|| Policy {
        origins,
        credentials: credentials.is_some(),
        allow_methods,
        routed_methods,
        allow_headers,
        allow_any_header,
        expose_headers,
        expose_any_header,
        max_age,
    });
    (policy, cx.into_diagnostics())
}

fn quoted(s: &str) -> String {
    format!("`{s:?}`")
}

fn check_origins<S: Copy>(
    cx: &mut Ctxt<S>,
    raw: &RawPolicy<S>,
    credentials: Option<&Spanned<bool, S>>,
    attr_span: S,
) -> Origins {
    let Some(list) = &raw.origins else {
        cx.error(Rule::OriginsRequired, attr_span, "missing `origins`")
            .note("a CORS policy must say which origins may read the responses")
            .help("add `origins = [\"https://app.example.com\"]`, listing your frontend's origins");
        return Origins::List {
            exact: Vec::new(),
            patterns: Vec::new(),
        };
    };
    if list.items.is_empty() && !list.malformed {
        cx.error(Rule::OriginsRequired, list.key, "`origins` is empty")
            .note(
                "with no origin allowed, the attribute would only add headers that deny everything",
            )
            .help("list your frontend's origins, e.g. `origins = [\"https://app.example.com\"]`");
    }
    let insecure_ok = raw
        .dangerously_allow_insecure_origins
        .as_ref()
        .is_some_and(|o| o.value);
    let mut opt_out_used = false;
    let mut any = None;
    let mut exact: Vec<&Spanned<String, S>> = Vec::new();
    // Membership only (never iterated), so output order stays the order written; a set keeps
    // lists of thousands of origins linear.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut patterns: Vec<(&Spanned<String, S>, OriginPattern)> = Vec::new();
    for item in &list.items {
        let spec = match parse_origin(&item.value) {
            Ok(spec) => spec,
            Err(err) => {
                let b = cx.error(err.rule, item.span, err.message).note(err.note);
                if let Some(s) = err.suggestion {
                    b.help(format!("did you mean {}?", quoted(&s)));
                }
                continue;
            }
        };
        if let Some(creds) = credentials {
            if spec == OriginSpec::Any {
                cx.error(Rule::WildcardCredentials, item.span, "the wildcard origin `\"*\"` cannot be combined with `credentials`")
                    .note("browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, and reflecting every origin instead would let any site read your users' data")
                    .help("list the origins you trust instead of `\"*\"`, or remove `credentials`");
                cx.error(
                    Rule::WildcardCredentials,
                    creds.span,
                    "`credentials` cannot be combined with the wildcard origin `\"*\"`",
                )
                .help("list the origins you trust instead of `\"*\"`, or remove `credentials`");
            } else if !spec.is_secure_or_loopback() {
                if insecure_ok {
                    opt_out_used = true;
                } else {
                    let https = item
                        .value
                        .split_once("://")
                        .map(|(_, rest)| format!("https://{rest}"));
                    let b = cx.error(
                        Rule::InsecureCredentials,
                        item.span,
                        format!("insecure origin {} cannot be trusted with `credentials`", quoted(&item.value)),
                    )
                    .note("a network attacker can inject script into a page served over plain http and read your users' data through it");
                    match https.filter(|h| parse_origin(h).is_ok()) {
                        Some(h) => b.help(format!("did you mean {}? (if you must trust plain http, add `dangerously_allow_insecure_origins`)", quoted(&h))),
                        None => b.help("serve the frontend over https, or add `dangerously_allow_insecure_origins` if you accept the risk"),
                    };
                }
            }
        }
        match spec {
            OriginSpec::Any => any = Some(item),
            OriginSpec::Exact(_) => {
                if !seen.insert(item.value.as_str()) {
                    cx.error(
                        Rule::DuplicateOrigin,
                        item.span,
                        format!("origin {} is listed twice", quoted(&item.value)),
                    )
                    .help("remove this entry");
                } else {
                    exact.push(item);
                }
            }
            OriginSpec::Pattern(p) => {
                if !seen.insert(item.value.as_str()) {
                    cx.error(
                        Rule::DuplicateOrigin,
                        item.span,
                        format!("pattern {} is listed twice", quoted(&item.value)),
                    )
                    .help("remove this entry");
                } else {
                    #[cfg(feature = "public-suffix")]
                    crate::suffix::check_pattern(cx, item, &p);
                    patterns.push((item, p));
                }
            }
        }
    }
    // Exact origins that a pattern already matches: the list says less than it seems to.
    exact.retain(|e| {
        let covering = patterns.iter().find(|(_, p)| p.covers(&e.value));
        if let Some((pattern, _)) = covering {
            cx.error(
                Rule::DuplicateOrigin,
                e.span,
                format!(
                    "origin {} is already matched by pattern {}",
                    quoted(&e.value),
                    quoted(&pattern.value)
                ),
            )
            .help("remove this entry");
        }
        covering.is_none()
    });
    if let Some(opt_out) = raw
        .dangerously_allow_insecure_origins
        .as_ref()
        .filter(|o| o.value)
    {
        if !opt_out_used {
            cx.warning(Rule::InsecureCredentials, opt_out.span, "`dangerously_allow_insecure_origins` has no effect here")
                .note("it only lets a credentialed policy trust plain-http origins that are not loopback, and this policy has none")
                .help("remove it, so that adding such an origin later is caught");
        }
    }
    if let Some(star) = any {
        if list.items.len() > 1 {
            cx.error(Rule::WildcardAlone, star.span, "the wildcard origin `\"*\"` cannot be combined with other origins")
                .note("`\"*\"` already allows every origin, so the other entries suggest a restriction that does not exist")
                .help("keep either `\"*\"` alone or only the listed origins");
        }
        return Origins::Any;
    }
    Origins::List {
        exact: exact.into_iter().map(|e| e.value.clone()).collect(),
        patterns: patterns.into_iter().map(|(_, p)| p).collect(),
    }
}

fn check_method_token<S: Copy>(cx: &mut Ctxt<S>, method: &str, span: S) -> bool {
    if !names::is_token(method) {
        cx.error(
            Rule::MethodToken,
            span,
            format!("{} is not an HTTP method", quoted(method)),
        )
        .note("a method is an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``");
        return false;
    }
    if names::FORBIDDEN_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
    {
        cx.error(Rule::ForbiddenMethod, span, format!("method {} can never be used by a page", quoted(method)))
            .note("the Fetch standard forbids CONNECT, TRACE and TRACK in browsers, so allowing it through CORS does nothing")
            .help("remove it");
        return false;
    }
    true
}

fn check_methods<S: Copy>(
    cx: &mut Ctxt<S>,
    methods: Option<&List<S>>,
    route: &Route<S>,
) -> (Vec<String>, Vec<String>) {
    let routed: Vec<String> = route.methods.iter().map(|m| m.value.clone()).collect();
    let Some(list) = methods else {
        for m in &route.methods {
            check_method_token(cx, &m.value, m.span);
        }
        return (routed.clone(), routed);
    };
    if list.items.is_empty() && !list.malformed {
        cx.error(Rule::ValueType, list.key, "`methods` is empty")
            .help("remove `methods` to allow the route's own methods, or list some of them");
    }
    let mut allowed: Vec<String> = Vec::new();
    for item in &list.items {
        let m = item.value.as_str();
        if !check_method_token(cx, m, item.span) {
            continue;
        }
        let upper = m.to_ascii_uppercase();
        if upper != m && names::NORMALIZED_METHODS.contains(&upper.as_str()) {
            cx.error(
                Rule::MethodCase,
                item.span,
                format!("method {} must be upper case", quoted(m)),
            )
            .note(format!(
                "browsers upper-case `{upper}` before sending it, so `{m}` would never match"
            ))
            .help(format!("did you mean {}?", quoted(&upper)));
            continue;
        }
        if allowed.iter().any(|a| a == m) {
            cx.error(
                Rule::DuplicateMethod,
                item.span,
                format!("method {} is listed twice", quoted(m)),
            )
            .help("remove this entry");
            continue;
        }
        if !routed.iter().any(|r| r == m) {
            let served = routed
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            cx.error(Rule::MethodNotRouted, item.span, format!("method {} is not routed to this handler", quoted(m)))
                .note(format!("the route attribute serves {served}; a preflight for another method never reaches this policy"))
                .help(format!("remove it, or route it with `#[route(\"...\", method = \"{m}\")]`"));
            continue;
        }
        allowed.push(m.to_owned());
    }
    (allowed, routed)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HeaderList {
    Allow,
    Expose,
}

fn check_header_list<S: Copy>(
    cx: &mut Ctxt<S>,
    list: Option<&List<S>>,
    credentials: Option<&Spanned<bool, S>>,
    kind: HeaderList,
) -> (Vec<String>, bool) {
    let Some(list) = list else {
        return (Vec::new(), false);
    };
    let key = match kind {
        HeaderList::Allow => "allow_headers",
        HeaderList::Expose => "expose_headers",
    };
    let mut names_out: Vec<String> = Vec::new();
    let mut any = false;
    let mut seen: Vec<String> = Vec::new();
    for item in &list.items {
        let name = item.value.as_str();
        let lower = name.to_ascii_lowercase();
        if name == "*" {
            if let Some(creds) = credentials {
                cx.error(Rule::HeaderWildcardCredentials, item.span, format!("`\"*\"` in `{key}` cannot be combined with `credentials`"))
                    .note("with credentials, browsers read `*` as a header literally named `*`, so every request needing it would fail")
                    .help("list the header names instead");
                cx.error(
                    Rule::HeaderWildcardCredentials,
                    creds.span,
                    format!("`credentials` cannot be combined with `\"*\"` in `{key}`"),
                )
                .help("list the header names instead of `\"*\"`");
            }
            if any {
                cx.error(Rule::DuplicateHeader, item.span, "`\"*\"` is listed twice")
                    .help("remove this entry");
            }
            any = true;
            continue;
        }
        if !names::is_token(name) {
            let trimmed = name.trim();
            let b = cx
                .error(Rule::HeaderToken, item.span, format!("{} is not a header name", quoted(name)))
                .note("a header name is an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``, no spaces, commas or colons");
            if trimmed != name && names::is_token(trimmed) {
                b.help(format!("did you mean {}?", quoted(trimmed)));
            } else if name.contains(',') {
                b.help("list each header as its own string");
            }
            continue;
        }
        let refused = match kind {
            HeaderList::Allow if names::is_forbidden_request_header(name) => {
                cx.error(Rule::ForbiddenRequestHeader, item.span, format!("{} can never be sent by a page", quoted(name)))
                    .note("it is a forbidden request-header name in the Fetch standard: the browser sets it, scripts cannot")
                    .help("remove it");
                true
            }
            HeaderList::Allow if names::CORS_RESPONSE_HEADERS.contains(&lower.as_str()) => {
                cx.error(Rule::ResponseHeaderRequested, item.span, format!("{} is a response header", quoted(name)))
                    .note("`allow_headers` lists headers the page sends; the server sends `Access-Control-Allow-*` itself")
                    .help("remove it; the runtime sends the CORS response headers");
                true
            }
            HeaderList::Expose if names::FORBIDDEN_RESPONSE_HEADERS.contains(&lower.as_str()) => {
                cx.error(Rule::ExposeForbidden, item.span, format!("{} can never be exposed", quoted(name)))
                    .note("the Fetch standard hides `Set-Cookie` and `Set-Cookie2` from every page, exposed or not")
                    .help("remove it");
                true
            }
            HeaderList::Expose if names::SAFELISTED_RESPONSE_HEADERS.contains(&lower.as_str()) => {
                cx.error(
                    Rule::ExposeSafelisted,
                    item.span,
                    format!("{} is always readable and needs no exposing", quoted(name)),
                )
                .note("it is a CORS-safelisted response header")
                .help("remove it");
                true
            }
            HeaderList::Expose
                if names::REQUEST_ONLY_HEADERS.contains(&lower.as_str())
                    || names::CORS_RESPONSE_HEADERS.contains(&lower.as_str()) =>
            {
                cx.error(Rule::ExposeNotResponse, item.span, format!("{} is not a header an actual response carries for the page", quoted(name)))
                    .note("`expose_headers` lists response headers a page may read; request headers and preflight-only headers mean nothing there")
                    .help("remove it");
                true
            }
            _ => false,
        };
        if refused {
            continue;
        }
        if seen.contains(&lower) {
            cx.error(
                Rule::DuplicateHeader,
                item.span,
                format!("header {} is listed twice", quoted(name)),
            )
            .note("header names are case-insensitive")
            .help("remove this entry");
            continue;
        }
        seen.push(lower.clone());
        names_out.push(match kind {
            HeaderList::Allow => lower,
            HeaderList::Expose => name.to_owned(),
        });
    }
    (names_out, any)
}

/// Firefox's cap, the largest any browser honours.
pub const MAX_AGE_LIMIT: u64 = 86_400;
/// Chromium's cap: above it, Chromium caches for 7200 s only.
pub const MAX_AGE_CHROMIUM: u64 = 7_200;

fn check_max_age<S: Copy>(
    cx: &mut Ctxt<S>,
    max_age: Option<&Spanned<Option<u64>, S>>,
) -> Option<u32> {
    let max_age = max_age?;
    match max_age.value {
        Some(v) if v <= MAX_AGE_LIMIT => {
            if v > MAX_AGE_CHROMIUM {
                cx.warning(Rule::MaxAgeCap, max_age.span, format!("`max_age = {v}` is above Chromium's cap of 7200 seconds"))
                    .note("Chromium caches preflights for at most 7200 s and WebKit for 600 s; only Firefox goes up to 86400 s")
                    .help("use `max_age = 7200` unless you mean Firefox only");
            }
            u32::try_from(v).ok()
        }
        _ => {
            cx.error(
                Rule::MaxAgeRange,
                max_age.span,
                "`max_age` must be from 0 to 86400 seconds",
            )
            .note("86400 s is Firefox's cap; no browser caches a preflight longer")
            .help("use `max_age = 7200` (Chromium's cap) or less");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spans are labels naming the token, so a test can say which token an error blames.
    type S = &'static str;
    /// The (rule, blamed token) pairs a case expects.
    type Expected = Vec<(Rule, S)>;

    fn list(key: S, items: &[&'static str]) -> Option<List<S>> {
        Some(List {
            key,
            items: items
                .iter()
                .map(|i| Spanned::new(i.to_string(), *i))
                .collect(),
            malformed: false,
        })
    }

    fn route(methods: &[&'static str]) -> Route<S> {
        Route {
            methods: methods
                .iter()
                .map(|m| Spanned::new(m.to_string(), *m))
                .collect(),
        }
    }

    fn base(origins: &[&'static str]) -> RawPolicy<S> {
        RawPolicy {
            origins: list("origins", origins),
            ..RawPolicy::default()
        }
    }

    fn creds(mut raw: RawPolicy<S>) -> RawPolicy<S> {
        raw.credentials = Some(Spanned::new(true, "credentials"));
        raw
    }

    /// The (rule, blamed token) pairs of every error.
    fn errors(raw: &RawPolicy<S>, methods: &[&'static str]) -> Vec<(Rule, S)> {
        let (policy, diagnostics) = validate(raw, &route(methods), "attr");
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| (d.rule, d.span))
            .collect();
        assert_eq!(
            policy.is_some(),
            errors.is_empty(),
            "a policy comes back exactly when there is no error"
        );
        errors
    }

    #[test]
    fn origin_rules_in_context() {
        use Rule::*;
        let cases: Vec<(RawPolicy<S>, Expected)> = vec![
            (RawPolicy::default(), vec![(OriginsRequired, "attr")]),
            (base(&[]), vec![(OriginsRequired, "origins")]),
            (base(&["https://a.example.com"]), vec![]),
            (
                creds(base(&["*"])),
                vec![
                    (WildcardCredentials, "*"),
                    (WildcardCredentials, "credentials"),
                ],
            ),
            (
                base(&["*", "https://a.example.com"]),
                vec![(WildcardAlone, "*")],
            ),
            (
                creds(base(&["http://a.example.com"])),
                vec![(InsecureCredentials, "http://a.example.com")],
            ),
            (
                creds(base(&[
                    "http://localhost:3000",
                    "http://127.0.0.1:*",
                    "http://[::1]:8080",
                    "tauri://localhost",
                ])),
                vec![],
            ),
            (
                creds(base(&["https://*.example.com", "http://*.localhost"])),
                vec![],
            ),
            (
                RawPolicy {
                    dangerously_allow_insecure_origins: Some(Spanned::new(true, "opt-out")),
                    ..creds(base(&["http://a.example.com"]))
                },
                vec![],
            ),
            (
                base(&["https://a.com", "https://a.com"]),
                vec![(DuplicateOrigin, "https://a.com")],
            ),
            (
                base(&["https://a.example.com", "https://*.example.com"]),
                vec![(DuplicateOrigin, "https://a.example.com")],
            ),
            (
                base(&["https://*.example.com", "https://a.example.com"]),
                vec![(DuplicateOrigin, "https://a.example.com")],
            ),
            (
                base(&["https://example.com", "https://*.example.com"]),
                vec![],
            ),
            (
                base(&["https://*.com", "https://*.co.uk"]),
                vec![
                    (PublicSuffixPattern, "https://*.com"),
                    (PublicSuffixPattern, "https://*.co.uk"),
                ],
            ),
            (
                base(&["http://localhost:*", "http://localhost:3000"]),
                vec![(DuplicateOrigin, "http://localhost:3000")],
            ),
            (
                base(&["https://a.com/", "null"]),
                vec![(OriginSyntax, "https://a.com/"), (OriginNull, "null")],
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(errors(&raw, &["GET"]), expected, "{raw:?}");
        }
    }

    #[test]
    fn method_rules() {
        use Rule::*;
        let with = |methods: &[&'static str]| RawPolicy {
            methods: list("methods", methods),
            ..base(&["https://a.com"])
        };
        let cases: Vec<(RawPolicy<S>, &[&'static str], Expected)> = vec![
            (base(&["https://a.com"]), &["GET"], vec![]),
            (
                base(&["https://a.com"]),
                &["TRACE"],
                vec![(ForbiddenMethod, "TRACE")],
            ),
            (with(&["PUT"]), &["PUT", "PATCH"], vec![]),
            (with(&["put"]), &["PUT"], vec![(MethodCase, "put")]),
            (with(&["Delete"]), &["DELETE"], vec![(MethodCase, "Delete")]),
            (
                with(&["patch"]),
                &["PATCH"],
                vec![(MethodNotRouted, "patch")],
            ),
            (
                with(&["PUT", "PUT"]),
                &["PUT"],
                vec![(DuplicateMethod, "PUT")],
            ),
            (
                with(&["DELETE"]),
                &["GET"],
                vec![(MethodNotRouted, "DELETE")],
            ),
            (
                with(&["track", "CONNECT"]),
                &["GET"],
                vec![(ForbiddenMethod, "track"), (ForbiddenMethod, "CONNECT")],
            ),
            (
                with(&["P UT", ""]),
                &["PUT"],
                vec![(MethodToken, "P UT"), (MethodToken, "")],
            ),
            (with(&[]), &["GET"], vec![(ValueType, "methods")]),
            (with(&["QUERY"]), &["QUERY"], vec![]),
        ];
        for (raw, routed, expected) in cases {
            assert_eq!(errors(&raw, routed), expected, "{raw:?} routed {routed:?}");
        }
    }

    #[test]
    fn header_rules() {
        use Rule::*;
        let allow = |h: &[&'static str]| RawPolicy {
            allow_headers: list("allow_headers", h),
            ..base(&["https://a.com"])
        };
        let expose = |h: &[&'static str]| RawPolicy {
            expose_headers: list("expose_headers", h),
            ..base(&["https://a.com"])
        };
        let cases: Vec<(RawPolicy<S>, Expected)> = vec![
            (
                allow(&[
                    "Content-Type",
                    "Authorization",
                    "X-Requested-With",
                    "Accept",
                ]),
                vec![],
            ),
            (allow(&["*"]), vec![]),
            (allow(&["*", "Authorization"]), vec![]),
            (
                creds(allow(&["*"])),
                vec![
                    (HeaderWildcardCredentials, "*"),
                    (HeaderWildcardCredentials, "credentials"),
                ],
            ),
            (
                allow(&["Cookie", "sec-ch-ua", "Proxy-Foo", "DNT", "origin"]),
                vec![
                    (ForbiddenRequestHeader, "Cookie"),
                    (ForbiddenRequestHeader, "sec-ch-ua"),
                    (ForbiddenRequestHeader, "Proxy-Foo"),
                    (ForbiddenRequestHeader, "DNT"),
                    (ForbiddenRequestHeader, "origin"),
                ],
            ),
            (
                allow(&["Access-Control-Allow-Origin", "access-control-max-age"]),
                vec![
                    (ResponseHeaderRequested, "Access-Control-Allow-Origin"),
                    (ResponseHeaderRequested, "access-control-max-age"),
                ],
            ),
            (allow(&["X-A", "x-a"]), vec![(DuplicateHeader, "x-a")]),
            (
                allow(&["X A", "A,B", "A:B", ""]),
                vec![
                    (HeaderToken, "X A"),
                    (HeaderToken, "A,B"),
                    (HeaderToken, "A:B"),
                    (HeaderToken, ""),
                ],
            ),
            (
                expose(&["X-Request-Id", "ETag", "Date", "Server-Timing"]),
                vec![],
            ),
            (expose(&["*"]), vec![]),
            (
                creds(expose(&["*"])),
                vec![
                    (HeaderWildcardCredentials, "*"),
                    (HeaderWildcardCredentials, "credentials"),
                ],
            ),
            (
                expose(&["set-cookie", "Set-Cookie2"]),
                vec![
                    (ExposeForbidden, "set-cookie"),
                    (ExposeForbidden, "Set-Cookie2"),
                ],
            ),
            (
                expose(&["Content-Length", "pragma"]),
                vec![
                    (ExposeSafelisted, "Content-Length"),
                    (ExposeSafelisted, "pragma"),
                ],
            ),
            (
                expose(&["Authorization", "Access-Control-Allow-Headers", "Origin"]),
                vec![
                    (ExposeNotResponse, "Authorization"),
                    (ExposeNotResponse, "Access-Control-Allow-Headers"),
                    (ExposeNotResponse, "Origin"),
                ],
            ),
            (expose(&["X-Id", "x-id"]), vec![(DuplicateHeader, "x-id")]),
        ];
        for (raw, expected) in cases {
            assert_eq!(errors(&raw, &["GET"]), expected, "{raw:?}");
        }
    }

    #[test]
    fn an_unneeded_opt_out_is_a_warning() {
        let with_opt_out = |origins: &[&'static str]| RawPolicy {
            dangerously_allow_insecure_origins: Some(Spanned::new(true, "opt-out")),
            ..creds(base(origins))
        };
        for (origins, warned) in [
            (&["https://a.example.com"][..], true),
            (&["http://localhost:3000"][..], true),
            (&["http://a.example.com"][..], false),
        ] {
            let (policy, diagnostics) = validate(&with_opt_out(origins), &route(&["GET"]), "attr");
            assert!(policy.is_some(), "{origins:?}");
            let warnings: Vec<_> = diagnostics
                .iter()
                .map(|d| (d.level, d.rule, d.span))
                .collect();
            let expected = if warned {
                vec![(Level::Warning, Rule::InsecureCredentials, "opt-out")]
            } else {
                vec![]
            };
            assert_eq!(warnings, expected, "{origins:?}");
        }
    }

    #[test]
    fn max_age() {
        let with = |v: Option<u64>| RawPolicy {
            max_age: Some(Spanned::new(v, "max_age")),
            ..base(&["https://a.com"])
        };
        for ok in [0, 5, 600, 7200] {
            let (policy, diagnostics) = validate(&with(Some(ok)), &route(&["GET"]), "attr");
            assert_eq!(policy.and_then(|p| p.max_age), Some(ok as u32));
            assert!(diagnostics.is_empty());
        }
        for warned in [7201, 86_400] {
            let (policy, diagnostics) = validate(&with(Some(warned)), &route(&["GET"]), "attr");
            assert!(policy.is_some());
            assert_eq!(diagnostics.len(), 1);
            assert_eq!(
                (diagnostics[0].level, diagnostics[0].rule),
                (Level::Warning, Rule::MaxAgeCap)
            );
        }
        for bad in [Some(86_401), Some(u64::MAX), None] {
            assert_eq!(
                errors(&with(bad), &["GET"]),
                vec![(Rule::MaxAgeRange, "max_age")]
            );
        }
    }

    #[test]
    fn compiled_policy() {
        let raw = RawPolicy {
            methods: list("methods", &["PUT"]),
            allow_headers: list("allow_headers", &["Content-Type", "X-Api-Key"]),
            expose_headers: list("expose_headers", &["X-Request-Id"]),
            max_age: Some(Spanned::new(Some(600), "max_age")),
            ..creds(base(&[
                "https://b.example.com",
                "https://*.example.org",
                "http://localhost:*",
            ]))
        };
        let (policy, diagnostics) = validate(&raw, &route(&["PUT", "PATCH"]), "attr");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let policy = policy.expect("valid policy");
        assert!(policy.credentials);
        assert_eq!(policy.allow_methods, ["PUT"]);
        assert_eq!(policy.routed_methods, ["PUT", "PATCH"]);
        assert_eq!(policy.allow_headers, ["content-type", "x-api-key"]);
        assert_eq!(policy.expose_headers, ["X-Request-Id"]);
        assert_eq!(policy.max_age, Some(600));
        let Origins::List { exact, patterns } = policy.origins else {
            panic!("expected a list");
        };
        assert_eq!(exact, ["https://b.example.com"]);
        assert_eq!(patterns.len(), 2);
    }

    #[test]
    fn rendering_names_the_rule() {
        let (_, diagnostics) = validate(&base(&["https://a.com/"]), &route(&["GET"]), "attr");
        let text = diagnostics[0].render();
        assert!(text.starts_with("origin has a trailing `/`"), "{text}");
        assert!(
            text.contains("= help: did you mean `\"https://a.com\"`?"),
            "{text}"
        );
        assert!(text.ends_with("= rule: cors::origin-syntax"), "{text}");
    }
}
