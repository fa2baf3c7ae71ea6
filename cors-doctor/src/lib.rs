//! The decision logic of `cors-doctor`: what a browser sends for a cross-origin request, and
//! what it concludes from the answers. Pure functions over header data, no I/O, so other tools
//! and tests can use them.
//!
//! The rules follow the WHATWG Fetch standard ("CORS-safelisted request-header", "CORS-unsafe
//! request-header names", "CORS check", "CORS-preflight fetch"); the messages a browser shows
//! follow Chromium's wording. Every check and every warning has a stable identifier
//! ([`CheckId`], [`WarningId`]), serialised in `--json` reports.
//!
//! ```
//! use cors_doctor::{plan, PageRequest};
//! let page = PageRequest {
//!     url: "https://api.example.com/items".into(),
//!     origin: "https://app.example.com".into(),
//!     method: "POST".into(),
//!     headers: vec![("Content-Type".into(), "application/json".into())],
//!     credentials: false,
//!     ..Default::default()
//! };
//! let plan = plan(&page).unwrap();
//! let preflight = plan.preflight.unwrap();
//! assert_eq!(preflight.request_headers.as_deref(), Some("content-type"));
//! ```
#![warn(missing_docs)]

use serde::Serialize;

mod browser;
mod cookies;
mod render;
mod rules;
#[cfg(feature = "actix")]
pub mod test;
pub use browser::*;
pub use cookies::*;
pub use render::render;
pub use rules::*;

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// What the page asks `fetch` to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageRequest {
    /// The URL fetched.
    pub url: String,
    /// The page's origin (`scheme://host[:port]` or `null`).
    pub origin: String,
    /// The method as the page writes it (`put` is sent as `PUT`, `patch` stays `patch`).
    pub method: String,
    /// Headers the page sets, in order.
    pub headers: Vec<(String, String)>,
    /// `credentials: "include"`.
    pub credentials: bool,
    /// The request body, if any (its `Content-Type` is one of `headers`, as the page or the
    /// browser sets it). Serialised as its length.
    #[serde(serialize_with = "body_length")]
    pub body: Option<Vec<u8>>,
    /// The browser's cookies; those whose domain, path and `Secure` flag match a request's URL
    /// go with it when credentials are sent (always on a same-origin request), never with a
    /// preflight.
    pub cookies: Vec<Cookie>,
}

/// A request body, of the kind the page gives `fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A string: the browser sets `Content-Type: text/plain;charset=UTF-8` unless the page
    /// sets one.
    Text(String),
    /// Bytes (an `ArrayBuffer` or a `Blob` without type): no `Content-Type` unless the page
    /// sets one.
    Bytes(Vec<u8>),
}

impl PageRequest {
    /// Gives the request a body, with `content_type` as the page sets it (replacing any
    /// `Content-Type` among `headers`), or else the one the browser adds for this kind of
    /// body.
    pub fn set_body(&mut self, body: Body, content_type: Option<&str>) {
        let is_content_type = |(n, _): &(String, String)| n.eq_ignore_ascii_case("content-type");
        let default = match &body {
            Body::Text(_) => Some("text/plain;charset=UTF-8"),
            Body::Bytes(_) => None,
        };
        match content_type {
            Some(value) => {
                self.headers.retain(|h| !is_content_type(h));
                self.headers
                    .push(("Content-Type".to_owned(), value.to_owned()));
            }
            None => {
                if let (Some(value), false) = (default, self.headers.iter().any(is_content_type)) {
                    self.headers
                        .push(("Content-Type".to_owned(), value.to_owned()));
                }
            }
        }
        self.body = Some(match body {
            Body::Text(text) => text.into_bytes(),
            Body::Bytes(bytes) => bytes,
        });
    }
}

fn body_length<S: serde::Serializer>(body: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match body {
        Some(bytes) => s.serialize_some(&serde_json::json!({ "bytes": bytes.len() })),
        None => s.serialize_none(),
    }
}

/// Why a request is preflighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST.
    MethodNotSafelisted,
    /// A header name is not CORS-safelisted.
    HeaderNotSafelisted,
    /// A safelisted name whose value is not safelisted (`Content-Type: application/json`).
    HeaderValueNotSafelisted,
    /// Safelisted headers whose values total more than 1024 bytes.
    SafelistedHeadersTooLarge,
}

impl PreflightReason {
    /// The stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Self::MethodNotSafelisted => "method-not-safelisted",
            Self::HeaderNotSafelisted => "header-not-safelisted",
            Self::HeaderValueNotSafelisted => "header-value-not-safelisted",
            Self::SafelistedHeadersTooLarge => "safelisted-headers-too-large",
        }
    }
}

/// One reason for a preflight, with the words for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightCause {
    /// The rule.
    pub id: PreflightReason,
    /// Plain words.
    pub detail: String,
}

/// The preflight a browser sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightPlan {
    /// `Access-Control-Request-Method`.
    pub request_method: String,
    /// `Access-Control-Request-Headers`: lower case, sorted, de-duplicated, joined by `,`.
    pub request_headers: Option<String>,
    /// The CORS-unsafe header names, lower case and sorted.
    pub unsafe_headers: Vec<String>,
    /// Why the browser sends it.
    pub reasons: Vec<PreflightCause>,
}

/// What a browser does for a [`PageRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The method sent, after the browser's normalisation.
    pub method: String,
    /// The headers the page may set and the browser sends (forbidden ones dropped).
    pub headers: Vec<(String, String)>,
    /// Header names the browser drops because a page may not set them.
    pub dropped_headers: Vec<String>,
    /// `true` when the page's origin is the URL's origin: no CORS at all.
    pub same_origin: bool,
    /// The preflight, when one is needed.
    pub preflight: Option<PreflightPlan>,
}

/// A request the browser would refuse to make at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// `CONNECT`, `TRACE`, `TRACK`.
    ForbiddenMethod(String),
    /// Not an HTTP method token.
    InvalidMethod(String),
    /// Not a serialized origin.
    InvalidOrigin(String, String),
    /// The URL is not `http://` or `https://` with a host.
    InvalidUrl(String),
    /// A header name or value a page cannot send.
    InvalidHeader(String),
    /// A body on a GET or HEAD request (`fetch` throws a `TypeError`).
    BodyWithGetOrHead(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ForbiddenMethod(m) => write!(
                f,
                "method {m} is forbidden: browsers refuse CONNECT, TRACE and TRACK"
            ),
            Self::InvalidMethod(m) => write!(f, "{m:?} is not an HTTP method token"),
            Self::InvalidOrigin(o, why) => write!(f, "origin {o:?}: {why}"),
            Self::InvalidUrl(u) => write!(
                f,
                "URL {u:?}: expected http://host[:port]/path or https://..."
            ),
            Self::InvalidHeader(h) => {
                write!(f, "header {h:?}: expected 'Name: value' with a token name")
            }
            Self::BodyWithGetOrHead(m) => write!(
                f,
                "a {m} request cannot have a body: fetch throws \"Request with GET/HEAD method cannot have body\""
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// Works out what the browser sends for `page`: the normalised method, the headers, and the
/// preflight if one is needed (Fetch: "CORS-preflight fetch" is used when the method is not
/// CORS-safelisted or a CORS-unsafe request-header name exists).
pub fn plan(page: &PageRequest) -> Result<Plan, PlanError> {
    if !is_token(&page.method) {
        return Err(PlanError::InvalidMethod(page.method.clone()));
    }
    if is_forbidden_method(&page.method) {
        return Err(PlanError::ForbiddenMethod(page.method.clone()));
    }
    check_origin(&page.origin).map_err(|why| PlanError::InvalidOrigin(page.origin.clone(), why))?;
    let target = url_origin(&page.url).ok_or_else(|| PlanError::InvalidUrl(page.url.clone()))?;
    let method = normalize_method(&page.method);
    if page.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        return Err(PlanError::BodyWithGetOrHead(method));
    }
    let mut headers = Vec::new();
    let mut dropped = Vec::new();
    for (name, value) in &page.headers {
        if !is_token(name) || value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(PlanError::InvalidHeader(format!("{name}: {value}")));
        }
        if is_forbidden_request_header(name) {
            dropped.push(name.clone());
        } else {
            headers.push((name.clone(), value.trim().to_owned()));
        }
    }
    let same_origin = target == page.origin;
    let mut reasons = Vec::new();
    if !is_safelisted_method(&method) {
        reasons.push(PreflightCause {
            id: PreflightReason::MethodNotSafelisted,
            detail: format!(
                "the method {method} is not CORS-safelisted (only GET, HEAD and POST are)"
            ),
        });
    }
    let (unsafe_names, mut header_reasons) = cors_unsafe_header_names(&headers);
    reasons.append(&mut header_reasons);
    let preflight = (!same_origin && !reasons.is_empty()).then(|| PreflightPlan {
        request_method: method.clone(),
        request_headers: (!unsafe_names.is_empty()).then(|| unsafe_names.join(",")),
        unsafe_headers: unsafe_names,
        reasons,
    });
    Ok(Plan {
        method,
        headers,
        dropped_headers: dropped,
        same_origin,
        preflight,
    })
}

/// Fetch's "CORS-unsafe request-header names": the sorted, lower-case, de-duplicated names of
/// the headers that are not CORS-safelisted (all safelisted ones too when their values total
/// more than 1024 bytes), with the reason for each.
pub fn cors_unsafe_header_names(
    headers: &[(String, String)],
) -> (Vec<String>, Vec<PreflightCause>) {
    let mut unsafe_names = Vec::new();
    let mut reasons = Vec::new();
    let mut safelisted = Vec::new();
    let mut size = 0usize;
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        match safelisted_request_header(&lower, value) {
            Safelisted::Yes => {
                size += value.len();
                safelisted.push(lower);
            }
            Safelisted::NameNot => {
                reasons.push(PreflightCause {
                    id: PreflightReason::HeaderNotSafelisted,
                    detail: format!("the header {name} is not CORS-safelisted"),
                });
                unsafe_names.push(lower);
            }
            Safelisted::ValueNot(why) => {
                reasons.push(PreflightCause {
                    id: PreflightReason::HeaderValueNotSafelisted,
                    detail: format!("{name}: {value} is not a CORS-safelisted value ({why})"),
                });
                unsafe_names.push(lower);
            }
        }
    }
    if size > 1024 {
        reasons.push(PreflightCause {
            id: PreflightReason::SafelistedHeadersTooLarge,
            detail: format!(
                "the safelisted headers' values total {size} bytes, more than 1024, so none of them counts as safelisted"
            ),
        });
        unsafe_names.append(&mut safelisted);
    }
    unsafe_names.sort();
    unsafe_names.dedup();
    (unsafe_names, reasons)
}

/// The headers of the preflight a browser sends (besides `Host`, `User-Agent` and the like).
pub fn preflight_request_headers(origin: &str, preflight: &PreflightPlan) -> Vec<(String, String)> {
    let mut out = vec![
        ("Accept".to_owned(), "*/*".to_owned()),
        ("Origin".to_owned(), origin.to_owned()),
        (
            "Access-Control-Request-Method".to_owned(),
            preflight.request_method.clone(),
        ),
    ];
    if let Some(list) = &preflight.request_headers {
        out.push(("Access-Control-Request-Headers".to_owned(), list.clone()));
    }
    out
}

/// The headers of the actual request: the page's headers and `Origin` (cross-origin requests,
/// and same-origin requests whose method is not GET or HEAD, as browsers send them).
pub fn actual_request_headers(origin: &str, plan: &Plan) -> Vec<(String, String)> {
    let mut out = plan.headers.clone();
    if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept")) {
        out.insert(0, ("Accept".to_owned(), "*/*".to_owned()));
    }
    if !plan.same_origin || !matches!(plan.method.as_str(), "GET" | "HEAD") {
        out.push(("Origin".to_owned(), origin.to_owned()));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Responses and checks
// ---------------------------------------------------------------------------------------------

/// A response's status and header lines, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header lines in order (names in any case).
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// Every value of the header `name` (case-insensitive), in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Fetch's "get": the values of `name` joined by `, `, or `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.values(name).collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The header lines that matter to CORS: `Access-Control-*`, `Vary` and `Location`.
    pub fn cors_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(n, _)| {
                let n = n.to_ascii_lowercase();
                n.starts_with("access-control-") || n == "vary" || n == "location"
            })
            .cloned()
            .collect()
    }
}

/// The identifier of one browser check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// `Access-Control-Allow-Origin` is present.
    AllowOriginPresent,
    /// It holds a single value.
    AllowOriginSingleValue,
    /// It is not `*` when credentials are sent.
    AllowOriginNotWildcardWithCredentials,
    /// It equals the request's origin byte for byte (or is `*`).
    AllowOriginMatches,
    /// `Access-Control-Allow-Credentials: true` when credentials are sent.
    AllowCredentials,
    /// The preflight answer has a 2xx status and is not a redirect.
    PreflightOkStatus,
    /// `Access-Control-Allow-Methods` parses as a list of methods.
    AllowMethodsParses,
    /// It covers the requested method.
    AllowMethodsCoverMethod,
    /// `Access-Control-Allow-Headers` parses as a list of names.
    AllowHeadersParse,
    /// It covers every CORS-unsafe request header.
    AllowHeadersCoverHeaders,
    /// The request got an answer (not a closed or reset connection, nor a time-out).
    Answered,
    /// A redirect the browser may follow (at most 20, to an http(s) URL without credentials).
    RedirectAllowed,
}

impl CheckId {
    /// The stable identifier, as serialised.
    pub fn id(self) -> &'static str {
        match self {
            Self::AllowOriginPresent => "allow-origin-present",
            Self::AllowOriginSingleValue => "allow-origin-single-value",
            Self::AllowOriginNotWildcardWithCredentials => {
                "allow-origin-not-wildcard-with-credentials"
            }
            Self::AllowOriginMatches => "allow-origin-matches",
            Self::AllowCredentials => "allow-credentials",
            Self::PreflightOkStatus => "preflight-ok-status",
            Self::AllowMethodsParses => "allow-methods-parses",
            Self::AllowMethodsCoverMethod => "allow-methods-cover-method",
            Self::AllowHeadersParse => "allow-headers-parse",
            Self::AllowHeadersCoverHeaders => "allow-headers-cover-headers",
            Self::Answered => "answered",
            Self::RedirectAllowed => "redirect-allowed",
        }
    }
}

/// One check the browser applies, and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// Did the response pass it?
    pub passed: bool,
    /// What was seen, in plain words.
    pub detail: String,
    /// On failure: Chromium's reason, as in its console message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser_reason: Option<String>,
    /// On failure: the likely cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// On failure: the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub(crate) fn pass(id: CheckId, detail: impl Into<String>) -> Self {
        Check {
            id,
            passed: true,
            detail: detail.into(),
            browser_reason: None,
            cause: None,
            fix: None,
        }
    }

    pub(crate) fn fail(
        id: CheckId,
        detail: impl Into<String>,
        browser_reason: impl Into<String>,
        cause: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Check {
            id,
            passed: false,
            detail: detail.into(),
            browser_reason: Some(browser_reason.into()),
            cause: Some(cause.into()),
            fix: Some(fix.into()),
        }
    }
}

const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";
const ACAM: &str = "Access-Control-Allow-Methods";
const ACAH: &str = "Access-Control-Allow-Headers";
const ACMA: &str = "Access-Control-Max-Age";
const ACEH: &str = "Access-Control-Expose-Headers";

/// Fetch's "CORS check" on one response: `Access-Control-Allow-Origin` and, with credentials,
/// `Access-Control-Allow-Credentials`. Stops at the first failure, as a browser does.
pub fn cors_check(origin: &str, credentials: bool, response: &Response) -> Vec<Check> {
    let mut checks = Vec::new();
    let Some(value) = response.get(ACAO) else {
        checks.push(Check::fail(
            CheckId::AllowOriginPresent,
            format!("no `{ACAO}` header in the answer (status {})", response.status),
            format!(
                "No '{ACAO}' header is present on the requested resource."
            ),
            "the server does not grant this origin: it is not in its list, the CORS layer is not applied to this route or to error answers, or a proxy answered instead of the application",
            format!("make the server answer `{ACAO}: {origin}` (add the origin to its allowed list and apply the CORS layer to this path, errors included)"),
        ));
        return checks;
    };
    checks.push(Check::pass(
        CheckId::AllowOriginPresent,
        format!("`{ACAO}: {value}`"),
    ));
    let lines = response.values(ACAO).count();
    // Chromium takes a space or a comma as the sign of several values.
    if lines > 1 || value.contains([',', ' ']) {
        checks.push(Check::fail(
            CheckId::AllowOriginSingleValue,
            format!("`{ACAO}` has several values: `{value}`"),
            format!("The '{ACAO}' header contains multiple values '{value}', but only one is allowed. Have the server send the header with a valid value."),
            "the header is added twice (for example by the application and by a proxy in front of it, or by two `add_header` lines), or the server lists all its allowed origins in one header",
            "send exactly one value, the request's origin; let a single layer add CORS headers",
        ));
        return checks;
    }
    checks.push(Check::pass(CheckId::AllowOriginSingleValue, "one value"));
    if value == "*" {
        if credentials {
            checks.push(Check::fail(
                CheckId::AllowOriginNotWildcardWithCredentials,
                format!("`{ACAO}` is `*`: `*` does not count when credentials are sent"),
                format!("The value of the '{ACAO}' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
                "the server grants any origin, which browsers accept only for requests without cookies or HTTP authentication",
                format!("answer with the request's origin (`{ACAO}: {origin}`, with `Vary: Origin`) and `{ACAC}: true`, or do not send credentials"),
            ));
            return checks;
        }
        checks.push(Check::pass(
            CheckId::AllowOriginMatches,
            "`*` grants any origin (no credentials are sent)",
        ));
    } else if value == origin {
        if credentials {
            checks.push(Check::pass(
                CheckId::AllowOriginNotWildcardWithCredentials,
                "not `*`",
            ));
        }
        checks.push(Check::pass(
            CheckId::AllowOriginMatches,
            format!("equals the origin `{origin}`"),
        ));
    } else {
        let (cause, fix) = origin_mismatch(&value, origin);
        checks.push(Check::fail(
            CheckId::AllowOriginMatches,
            format!("`{ACAO}` is `{value}`, not the origin `{origin}`"),
            // Chromium checks for `null` before parsing the value as a URL.
            if value == "null" || chromium_valid_url(&value) {
                format!("The '{ACAO}' header has a value '{value}' that is not equal to the supplied origin. Have the server send the header with a valid value.")
            } else {
                format!("The '{ACAO}' header contains the invalid value '{value}'. Have the server send the header with a valid value.")
            },
            cause,
            fix,
        ));
        return checks;
    }
    if credentials {
        match response.get(ACAC) {
            Some(v) if v == "true" => checks.push(Check::pass(
                CheckId::AllowCredentials,
                format!("`{ACAC}: true`"),
            )),
            other => {
                let shown = other.clone().unwrap_or_default();
                let detail = match &other {
                    None => format!("no `{ACAC}` header, and credentials are sent"),
                    Some(v) => format!("`{ACAC}` is `{v}`, not exactly `true`"),
                };
                checks.push(Check::fail(
                    CheckId::AllowCredentials,
                    detail,
                    format!("The value of the '{ACAC}' header in the response is '{shown}' which must be 'true' when the request's credentials mode is 'include'."),
                    "the server's CORS policy does not allow credentials (cookies, HTTP authentication), or writes the value in another case",
                    format!("send `{ACAC}: true` (exactly, lower case) on this answer, or do not send credentials (`credentials: \"same-origin\"` in fetch)"),
                ));
            }
        }
    }
    checks
}

/// Whether Chromium parses `value` as a URL (it words its message differently when not): a
/// scheme, and for http(s) a host of letters, digits, `-`, `.`, `_`, `~` or an IPv6 literal.
fn chromium_valid_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return false;
    }
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ws" | "wss"
    ) {
        return true;
    }
    let authority = rest
        .trim_start_matches('/')
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        return host.contains(']');
    } else {
        host.split(':').next().unwrap_or_default()
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
}

/// Why `value` (an `Access-Control-Allow-Origin`) is not `origin`, and how to fix it.
pub fn origin_mismatch(value: &str, origin: &str) -> (String, String) {
    let fix_exact = format!(
        "send exactly `{origin}`: scheme, host and port, no path, no trailing `/`, lower case"
    );
    if value.trim_end_matches('/') == origin {
        return (
            format!("`{ACAO}` is `{value}`: the trailing slash makes it another origin; an origin has no path, not even `/`"),
            format!("remove the trailing `/` from the configured origin: `{origin}`"),
        );
    }
    if value.eq_ignore_ascii_case(origin) {
        return (
            format!("`{value}` differs from `{origin}` only in case; browsers compare origins byte for byte and always send scheme and host in lower case"),
            format!("write the configured origin in lower case: `{origin}`"),
        );
    }
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if value.starts_with(scheme)
            && value.ends_with(port)
            && value.strip_suffix(port) == Some(origin)
        {
            return (
                format!("`{value}` writes out the default port `{port}`; browsers omit it, so the origin they send is `{origin}`"),
                format!("drop the default port: `{origin}`"),
            );
        }
    }
    if value.starts_with(&format!("{origin}/")) {
        return (
            format!("`{value}` is a URL, not an origin: an origin has no path"),
            format!("configure the origin alone: `{origin}`"),
        );
    }
    if value == "null" {
        return (
            "the server grants `null`, the origin of sandboxed and `file:` documents, not this page".into(),
            format!("grant `{origin}`; never grant `null` (any page can produce it)"),
        );
    }
    if value.contains('*') {
        return (
            format!("`{value}` looks like a pattern, but browsers take `{ACAO}` literally: only `*` alone is a wildcard"),
            format!("match the pattern on the server and answer with the request's origin (`{origin}`), with `Vary: Origin`"),
        );
    }
    let other_scheme = |o: &str| o.split_once("://").map(|(_, rest)| rest.to_owned());
    if other_scheme(value).is_some() && other_scheme(value) == other_scheme(origin) {
        return (
            format!("`{value}` and `{origin}` differ in scheme: http and https are different origins"),
            format!("add `{origin}` to the server's allowed origins (with credentials, prefer https pages only)"),
        );
    }
    (
        format!("the server answers with another origin, `{value}`: either this origin is not in its list and it sends a fixed value to everyone (nginx `add_header` with a constant, Express `cors({{origin: '...'}})` with one string), or a cache served an answer meant for another origin"),
        format!("add `{origin}` to the server's allowed origins and answer with the request's origin, adding `Vary: Origin`; {fix_exact}"),
    )
}

/// The checks a browser applies to a preflight answer (Fetch "CORS-preflight fetch"), in
/// Chromium's order: the CORS check, the status, then methods and headers.
pub fn check_preflight(
    page: &PageRequest,
    preflight: &PreflightPlan,
    response: &Response,
) -> Vec<Check> {
    let mut checks = cors_check(&page.origin, page.credentials, response);
    if let Some(c) = checks
        .iter_mut()
        .find(|c| !c.passed && c.id == CheckId::AllowCredentials)
    {
        // Preflights never carry credentials, but their answer must allow them.
        c.detail = format!(
            "the preflight answer lacks `{ACAC}: true` ({}); preflights are sent without credentials, but their answer must allow them",
            response.get(ACAC).map_or("none".to_owned(), |v| format!("it has `{v}`"))
        );
    }
    if checks.iter().any(|c| !c.passed) {
        return checks;
    }
    if !(200..300).contains(&response.status) {
        let redirect = (300..400).contains(&response.status);
        checks.push(Check::fail(
            CheckId::PreflightOkStatus,
            format!("the preflight answer has status {}", response.status),
            if redirect {
                "Redirect is not allowed for a preflight request.".to_owned()
            } else {
                "It does not have HTTP ok status.".to_owned()
            },
            if redirect {
                "the server redirects the OPTIONS request (to add or remove a trailing `/`, to https, or to a login page); browsers never follow redirects for preflights".to_owned()
            } else {
                format!("the server grants the origin but does not answer OPTIONS with a 2xx: the route has no OPTIONS handler, authentication runs before CORS (preflights carry no credentials), or the framework returns {} for OPTIONS", response.status)
            },
            if redirect {
                "request the final URL directly, and answer OPTIONS there with 204".to_owned()
            } else {
                "answer the preflight (OPTIONS with Access-Control-Request-Method) with 204 before authentication and routing".to_owned()
            },
        ));
        return checks;
    }
    checks.push(Check::pass(
        CheckId::PreflightOkStatus,
        format!("status {}", response.status),
    ));

    // Methods.
    let methods = match parse_list(response.get(ACAM).as_deref()) {
        Ok(m) => m,
        Err(bad) => {
            checks.push(Check::fail(
                CheckId::AllowMethodsParses,
                format!("`{ACAM}` has an element that is not a method: `{bad}`"),
                format!("Cannot parse {ACAM} response header field in preflight response."),
                "the value is not a comma-separated list of method names",
                "list methods as `GET, POST, PUT`",
            ));
            return checks;
        }
    };
    let headers = match parse_list(response.get(ACAH).as_deref()) {
        Ok(h) => h,
        Err(bad) => {
            checks.push(Check::fail(
                CheckId::AllowHeadersParse,
                format!("`{ACAH}` has an element that is not a header name: `{bad}`"),
                format!("Cannot parse {ACAH} response header field in preflight response."),
                "the value is not a comma-separated list of header names",
                "list header names as `Content-Type, X-Custom`",
            ));
            return checks;
        }
    };
    let method = &preflight.request_method;
    let wildcard_methods = !page.credentials && methods.iter().any(|m| m == "*");
    if methods.iter().any(|m| m == method) || is_safelisted_method(method) || wildcard_methods {
        let how = if methods.iter().any(|m| m == method) {
            format!("`{ACAM}` lists {method}")
        } else if wildcard_methods {
            format!("`{ACAM}: *` covers {method} (no credentials are sent)")
        } else {
            format!("{method} is CORS-safelisted and needs no listing")
        };
        checks.push(Check::pass(CheckId::AllowMethodsCoverMethod, how));
    } else {
        let listed = response.get(ACAM).unwrap_or_default();
        let same_but_case = methods.iter().find(|m| m.eq_ignore_ascii_case(method));
        let cause = if let Some(written) = same_but_case.filter(|_| {
            normalize_method(method) == *method
                && cors_policy::names::NORMALIZED_METHODS.contains(&method.as_str())
        }) {
            format!("the server lists `{listed}`, with `{written}` in another case: methods compare case-sensitively, and the browser sends `{method}` (it upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT), which `{written}` does not match")
        } else if let Some(written) = same_but_case {
            format!("the server lists `{listed}`, with `{written}`: methods compare case-sensitively, and browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT, so `{method}` is sent as written and `{written}` does not match it")
        } else if page.credentials && methods.iter().any(|m| m == "*") {
            format!(
                "`{ACAM}: *` does not count when credentials are sent: it means a method named `*`"
            )
        } else if listed.is_empty() {
            format!("the preflight answer has no `{ACAM}`, so only GET, HEAD and POST are allowed")
        } else {
            format!("`{ACAM}` is `{listed}`, without {method}")
        };
        checks.push(Check::fail(
            CheckId::AllowMethodsCoverMethod,
            format!("{method} is not allowed by the preflight answer"),
            format!("Method {method} is not allowed by {ACAM} in preflight response."),
            cause,
            format!("add {method} to the server's allowed methods (`{ACAM}`), spelled exactly as the page sends it"),
        ));
        return checks;
    }

    // Headers. `*` covers Authorization too, as Chromium and Firefox do (a deviation from the
    // standard, reported by `deviation_warnings`).
    let wildcard_headers = !page.credentials && headers.iter().any(|h| h == "*");
    let mut missing = None;
    for name in &preflight.unsafe_headers {
        let listed = headers.iter().any(|h| h.eq_ignore_ascii_case(name));
        if !(listed || wildcard_headers) {
            missing = Some(name.clone());
            break;
        }
    }
    match missing {
        None => {
            let detail = if preflight.unsafe_headers.is_empty() {
                "no request header needs allowing".to_owned()
            } else {
                format!("`{ACAH}` covers {}", preflight.unsafe_headers.join(", "))
            };
            checks.push(Check::pass(CheckId::AllowHeadersCoverHeaders, detail));
        }
        Some(name) => {
            let listed = response.get(ACAH).unwrap_or_default();
            let cause = if page.credentials && headers.iter().any(|h| h == "*") {
                format!("`{ACAH}: *` does not count when credentials are sent: it means a header named `*`")
            } else if listed.is_empty() {
                format!("the preflight answer has no `{ACAH}`, so no CORS-unsafe request header is allowed")
            } else {
                format!("`{ACAH}` is `{listed}`, without {name}")
            };
            checks.push(Check::fail(
                CheckId::AllowHeadersCoverHeaders,
                format!("the request header {name} is not allowed by the preflight answer"),
                format!("Request header field {name} is not allowed by {ACAH} in preflight response."),
                cause,
                format!("add {name} to the server's allowed request headers (`{ACAH}`), or stop sending it"),
            ));
        }
    }
    checks
}

/// The checks a browser applies to an actual response (a redirect answer included): Fetch's
/// CORS check.
pub fn check_actual(page: &PageRequest, response: &Response) -> Vec<Check> {
    cors_check(&page.origin, page.credentials, response)
}

/// The `Location` of a redirect answer (301, 302, 303, 307, 308) that the browser follows.
pub fn redirect_location(response: &Response) -> Option<String> {
    if matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        response.get("location")
    } else {
        None
    }
}

/// The response header names a page can read (CORS-safelisted response headers, plus
/// `Access-Control-Expose-Headers`, where `*` counts only without credentials).
pub fn readable_headers(credentials: bool, response: &Response) -> Vec<String> {
    let exposed = parse_list(response.get(ACEH).as_deref()).unwrap_or_default();
    let all = !credentials && exposed.iter().any(|e| e == "*");
    let mut out: Vec<String> = response
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !FORBIDDEN_RESPONSE_HEADERS.contains(&n.as_str()))
        .filter(|n| {
            all || SAFELISTED_RESPONSE_HEADERS.contains(&n.as_str())
                || exposed.iter().any(|e| e.eq_ignore_ascii_case(n))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

/// The identifier of one risky grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningId {
    /// A made-up origin is granted: the server reflects any origin.
    ReflectsAnyOrigin,
    /// ... together with `Access-Control-Allow-Credentials: true`.
    CredentialsForAnyOrigin,
    /// `Origin: null` is granted.
    NullOriginAllowed,
    /// Grant headers (a fixed `Access-Control-Allow-Origin`, `-Allow-Credentials`) are sent to
    /// an origin that is not granted.
    GrantHeadersToAnyOrigin,
    /// The answer depends on `Origin` but has no `Vary: Origin`.
    MissingVaryOrigin,
    /// `Access-Control-Max-Age` above what browsers honour.
    MaxAgeAboveBrowserCap,
    /// `Access-Control-Max-Age` that is not a number of seconds.
    MaxAgeInvalid,
    /// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.
    CredentialsWithWildcard,
    /// The request passes only because Chromium and Firefox let `Access-Control-Allow-Headers:
    /// *` cover `Authorization`, which the Fetch standard forbids.
    AuthorizationCoveredByWildcard,
    /// The page sets an old client hint (`DPR`...) that Chromium safelists and the standard
    /// and Firefox do not.
    ChromiumSafelistsClientHints,
}

impl WarningId {
    /// The stable identifier, as serialised.
    pub fn id(self) -> &'static str {
        match self {
            Self::ReflectsAnyOrigin => "reflects-any-origin",
            Self::CredentialsForAnyOrigin => "credentials-for-any-origin",
            Self::NullOriginAllowed => "null-origin-allowed",
            Self::GrantHeadersToAnyOrigin => "grant-headers-to-any-origin",
            Self::MissingVaryOrigin => "missing-vary-origin",
            Self::MaxAgeAboveBrowserCap => "max-age-above-browser-cap",
            Self::MaxAgeInvalid => "max-age-invalid",
            Self::CredentialsWithWildcard => "credentials-with-wildcard",
            Self::AuthorizationCoveredByWildcard => "authorization-covered-by-wildcard",
            Self::ChromiumSafelistsClientHints => "chromium-safelists-client-hints",
        }
    }
}

/// A risky grant, whether or not the request passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Which one.
    pub id: WarningId,
    /// What was seen.
    pub message: String,
    /// What to do.
    pub fix: String,
}

/// The made-up origin the doctor probes with.
pub const PROBE_ORIGIN: &str = "https://cors-doctor-probe.invalid";

/// What the warnings are computed from.
#[derive(Debug, Clone, Default)]
pub struct Observed<'a> {
    /// The page's origin.
    pub origin: &'a str,
    /// The answer to the preflight, if one was sent.
    pub preflight: Option<&'a Response>,
    /// The answer to the actual request, if it was sent.
    pub actual: Option<&'a Response>,
    /// The answer to the same first request with `Origin:` [`PROBE_ORIGIN`].
    pub probe: Option<&'a Response>,
    /// The answer to the same first request with `Origin: null`.
    pub probe_null: Option<&'a Response>,
}

/// `(Access-Control-Allow-Origin, Access-Control-Allow-Credentials)` of an answer.
fn grant(response: &Response) -> (Option<String>, Option<String>) {
    (response.get(ACAO), response.get(ACAC))
}

/// `true` when the `Vary` header lists `Origin` (or is `*`).
pub fn varies_on_origin(response: &Response) -> bool {
    response
        .values("vary")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t.eq_ignore_ascii_case("origin") || t == "*")
}

/// The risky grants visible in what was observed.
pub fn warnings(seen: &Observed<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let first = seen.preflight.or(seen.actual);
    if let Some(probe) = seen.probe {
        let (acao, acac) = grant(probe);
        let credentialed = acac.as_deref() == Some("true");
        if acao.as_deref() == Some(PROBE_ORIGIN) {
            out.push(Warning {
                id: WarningId::ReflectsAnyOrigin,
                message: format!("the server grants a made-up origin (`Origin: {PROBE_ORIGIN}` got `{ACAO}: {PROBE_ORIGIN}`): it reflects any origin, so every site can read these answers"),
                fix: "check the request's origin against an explicit list before echoing it".into(),
            });
            if credentialed {
                out.push(Warning {
                    id: WarningId::CredentialsForAnyOrigin,
                    message: format!("credentials are granted to a reflected origin (`{ACAC}: true` for the made-up origin): any site can read this user's data with their cookies"),
                    fix: "never combine origin reflection with credentials; list the trusted origins".into(),
                });
            }
        } else if acao.as_deref().is_some_and(|v| v != "*") {
            // `Access-Control-Allow-Credentials: true` without `-Allow-Origin` grants nothing.
            let mut sent = Vec::new();
            if let Some(v) = &acao {
                sent.push(format!("`{ACAO}: {v}`"));
            }
            if let Some(v) = &acac {
                sent.push(format!("`{ACAC}: {v}`"));
            }
            out.push(Warning {
                id: WarningId::GrantHeadersToAnyOrigin,
                message: format!("a made-up origin (`{PROBE_ORIGIN}`) still gets {}: the server sends its grant to every caller instead of deciding per origin (a fixed `add_header`, or `cors({{origin: '...'}})` with one string); one edit (`$http_origin`, `origin: true`) turns this into reflecting any origin", sent.join(" and ")),
                fix: format!("send `{ACAO}` and `{ACAC}` only to the origins you grant, after comparing the request's `Origin` with your list, with `Vary: Origin`"),
            });
        }
        // Does the answer depend on Origin? Compare the grant given to the probe with the one
        // given to the page's origin for the same request.
        if let Some(first) = first {
            if grant(first) != grant(probe) {
                let target = seen.actual.unwrap_or(first);
                if !varies_on_origin(target) {
                    out.push(Warning {
                        id: WarningId::MissingVaryOrigin,
                        message: "the answer depends on the request's origin (another origin gets other CORS headers) but has no `Vary: Origin`: a shared cache can serve one origin's answer to another".into(),
                        fix: "add `Vary: Origin` to every answer whose CORS headers depend on the origin, granted or not, appended to any existing `Vary`".into(),
                    });
                }
            }
        }
    } else if let Some(actual) = seen.actual {
        // No probe: an answer naming the origin (not `*`) is taken as origin-dependent.
        if actual.get(ACAO).as_deref() == Some(seen.origin)
            && seen.origin != "*"
            && !varies_on_origin(actual)
        {
            out.push(Warning {
                id: WarningId::MissingVaryOrigin,
                message: format!("`{ACAO}` names the request's origin but the answer has no `Vary: Origin`: a shared cache can serve one origin's answer to another"),
                fix: "add `Vary: Origin` to every answer whose CORS headers depend on the origin".into(),
            });
        }
    }
    if let Some(probe) = seen.probe_null {
        if probe.get(ACAO).as_deref() == Some("null") {
            let creds = if probe.get(ACAC).as_deref() == Some("true") {
                ", with credentials"
            } else {
                ""
            };
            out.push(Warning {
                id: WarningId::NullOriginAllowed,
                message: format!("`Origin: null` is granted{creds}: sandboxed iframes, `data:` and `file:` documents and requests after a cross-origin redirect all send `null`, so any page can produce it"),
                fix: "never grant `null`; remove it from the allowed origins".into(),
            });
        }
    }
    for response in [seen.preflight, seen.actual].into_iter().flatten() {
        let (acao, acac) = grant(response);
        if acao.as_deref() == Some("*")
            && acac.as_deref() == Some("true")
            && !out
                .iter()
                .any(|w| w.id == WarningId::CredentialsWithWildcard)
        {
            out.push(Warning {
                id: WarningId::CredentialsWithWildcard,
                message: format!("`{ACAO}: *` together with `{ACAC}: true`: browsers refuse `*` for credentialed requests, so the credentials grant never works"),
                fix: "either grant listed origins by name with credentials, or drop `Access-Control-Allow-Credentials`".into(),
            });
        }
    }
    if let Some(preflight) = seen.preflight {
        if let Some(value) = preflight.get(ACMA) {
            match value.trim().parse::<u64>() {
                Ok(secs) if secs > CHROMIUM_MAX_AGE_CAP => out.push(Warning {
                    id: WarningId::MaxAgeAboveBrowserCap,
                    message: format!("`{ACMA}: {secs}` is beyond what browsers honour: Chromium caps preflight caching at 7200 s, Firefox at 86400 s, WebKit at 600 s"),
                    fix: "use at most 7200 (600 to behave the same in every browser)".into(),
                }),
                Ok(_) => {}
                Err(_) => out.push(Warning {
                    id: WarningId::MaxAgeInvalid,
                    message: format!("`{ACMA}: {value}` is not a number of seconds; browsers ignore it and cache the preflight for 5 s"),
                    fix: format!("send a single non-negative integer, such as `{ACMA}: 600`"),
                }),
            }
        }
    }
    out
}

/// Chromium's cap on `Access-Control-Max-Age`, in seconds.
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7200;

// ---------------------------------------------------------------------------------------------
// Verdict
// ---------------------------------------------------------------------------------------------

/// What the browser concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The page can read the response.
    Allowed,
    /// `fetch` rejects with a `TypeError`.
    Blocked,
}

/// The verdict from the checks of every step, in order.
pub fn verdict<'a>(steps: impl IntoIterator<Item = &'a [Check]>) -> Verdict {
    for checks in steps {
        if checks.iter().any(|c| !c.passed) {
            return Verdict::Blocked;
        }
    }
    Verdict::Allowed
}

/// Chromium's console message for a failed check of the preflight (`preflight`) or of the
/// actual response.
/// `redirected_from` is the page's URL when the answer came after a redirect (Chromium then
/// writes "Access to fetch at 'B' (redirected from 'A')").
pub fn console_message(
    url: &str,
    redirected_from: Option<&str>,
    origin: &str,
    preflight: bool,
    check: &Check,
) -> Option<String> {
    // Older Chromium versions appended "If an opaque response serves your needs, set the
    // request's mode to 'no-cors'..." to the missing-header message; current ones do not.
    let reason = check.browser_reason.clone()?;
    let access_check = matches!(
        check.id,
        CheckId::AllowOriginPresent
            | CheckId::AllowOriginSingleValue
            | CheckId::AllowOriginNotWildcardWithCredentials
            | CheckId::AllowOriginMatches
            | CheckId::AllowCredentials
            | CheckId::PreflightOkStatus
    );
    let prefix = if preflight && access_check {
        "Response to preflight request doesn't pass access control check: "
    } else {
        ""
    };
    let from = redirected_from.map_or(String::new(), |from| format!(" (redirected from '{from}')"));
    Some(format!(
        "Access to fetch at '{url}'{from} from origin '{origin}' has been blocked by CORS policy: {prefix}{reason}"
    ))
}

// ---------------------------------------------------------------------------------------------
// Narrowing a refused preflight
// ---------------------------------------------------------------------------------------------

/// What a refused preflight refuses, found by sending variations of it: strict servers (such as
/// `#[cors]`, as the Fetch standard suggests) refuse a preflight with no CORS header at all,
/// whatever part of it they refuse, so the browser only ever says the origin header is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalId {
    /// Granted without the request headers: some of them are refused.
    HeadersRefused,
    /// Granted for GET without headers, not for the method.
    MethodRefused,
    /// Not even a GET preflight without headers is granted: the origin is refused, or the
    /// server does not answer preflights on this path.
    OriginRefused,
    /// The same origin gets `Access-Control-Allow-Origin` on a plain GET, but the preflight
    /// answer lacks it (nginx's `add_header` inside `if ($request_method = OPTIONS)` drops the
    /// inherited ones).
    PreflightLacksAllowOrigin,
}

impl RefusalId {
    /// The stable identifier, as serialised.
    pub fn id(self) -> &'static str {
        match self {
            Self::HeadersRefused => "headers-refused",
            Self::MethodRefused => "method-refused",
            Self::OriginRefused => "origin-refused",
            Self::PreflightLacksAllowOrigin => "preflight-lacks-allow-origin",
        }
    }
}

/// The narrowed cause of a refused preflight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Which part is refused.
    pub id: RefusalId,
    /// In plain words.
    pub detail: String,
    /// What to do.
    pub fix: String,
}

/// `true` when `response` grants `origin` (`Access-Control-Allow-Origin` is the origin or `*`).
pub fn grants(origin: &str, response: &Response) -> bool {
    matches!(response.get(ACAO), Some(v) if v == origin || v == "*")
}

/// A variation of a refused preflight, sent to find what is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variation {
    /// `Access-Control-Request-Method`.
    pub method: String,
    /// `Access-Control-Request-Headers`, if any.
    pub headers: Option<String>,
}

/// The variations worth sending when `preflight` got no `Access-Control-Allow-Origin`: without
/// the request headers, each header alone, and GET without headers.
pub fn variations(preflight: &PreflightPlan) -> Vec<Variation> {
    let mut out = Vec::new();
    if !preflight.unsafe_headers.is_empty() {
        out.push(Variation {
            method: preflight.request_method.clone(),
            headers: None,
        });
        if preflight.unsafe_headers.len() > 1 {
            for name in &preflight.unsafe_headers {
                out.push(Variation {
                    method: preflight.request_method.clone(),
                    headers: Some(name.clone()),
                });
            }
        }
    }
    if preflight.request_method != "GET" {
        out.push(Variation {
            method: "GET".into(),
            headers: None,
        });
    }
    out
}

/// The preflight headers of a variation.
pub fn variation_headers(origin: &str, variation: &Variation) -> Vec<(String, String)> {
    let plan = PreflightPlan {
        request_method: variation.method.clone(),
        request_headers: variation.headers.clone(),
        unsafe_headers: Vec::new(),
        reasons: Vec::new(),
    };
    preflight_request_headers(origin, &plan)
}

/// What the answers to the [`variations`] say is refused. `preflight_answer` is the refused
/// preflight's answer, `simple_get` the answer to a plain `GET` of the URL with the same
/// `Origin` (the evidence that the origin is granted outside preflights).
pub fn narrow_refusal(
    origin: &str,
    preflight: &PreflightPlan,
    preflight_answer: &Response,
    simple_get: Option<&Response>,
    answers: &[(Variation, Response)],
) -> Option<Refusal> {
    let get_grant = simple_get
        .filter(|r| grants(origin, r))
        .and_then(|r| r.get(ACAO));
    let lists: Vec<String> = [ACAM, ACAH]
        .iter()
        .filter_map(|name| preflight_answer.get(name).map(|v| format!("`{name}: {v}`")))
        .collect();
    if let (Some(granted), false) = (&get_grant, lists.is_empty()) {
        return Some(Refusal {
            id: RefusalId::PreflightLacksAllowOrigin,
            detail: format!("the preflight answer lacks `{ACAO}` although it carries {} and a GET from the same origin gets `{ACAO}: {granted}`: the server's OPTIONS branch drops the header (nginx: an `add_header` inside `if ($request_method = OPTIONS)` replaces every inherited `add_header`)", lists.join(" and ")),
            fix: format!("send `{ACAO}` (and `{ACAC}` if credentials are used) on the preflight answer too (nginx: repeat the `add_header` lines inside the `if` block)"),
        });
    }
    let granted = |method: &str, headers: Option<&str>| {
        answers
            .iter()
            .find(|(v, _)| v.method == method && v.headers.as_deref() == headers)
            .map(|(_, r)| grants(origin, r))
    };
    let method = preflight.request_method.as_str();
    if !preflight.unsafe_headers.is_empty() && granted(method, None) == Some(true) {
        let refused: Vec<&str> = if preflight.unsafe_headers.len() > 1 {
            preflight
                .unsafe_headers
                .iter()
                .filter(|h| granted(method, Some(h.as_str())) == Some(false))
                .map(String::as_str)
                .collect()
        } else {
            preflight
                .unsafe_headers
                .iter()
                .map(String::as_str)
                .collect()
        };
        let names = if refused.is_empty() {
            format!("the combination {}", preflight.unsafe_headers.join(", "))
        } else {
            refused.join(", ")
        };
        return Some(Refusal {
            id: RefusalId::HeadersRefused,
            detail: format!("the server grants this origin and {method} without request headers, but refuses the request header(s) {names}"),
            fix: format!("allow {names} in the server's CORS policy (allowed request headers), or stop sending them"),
        });
    }
    if method != "GET" && granted("GET", None) == Some(true) {
        return Some(Refusal {
            id: RefusalId::MethodRefused,
            detail: format!("the server grants this origin a GET preflight, but not {method}: the method is not allowed on this path (or no handler serves it)"),
            fix: format!("allow {method} in the server's CORS policy for this path (and make sure a route serves it)"),
        });
    }
    if let Some(granted) = &get_grant {
        if answers.iter().all(|(_, r)| !grants(origin, r)) {
            return Some(Refusal {
                id: RefusalId::PreflightLacksAllowOrigin,
                detail: format!("a GET from this origin gets `{ACAO}: {granted}`, but no preflight on this path is granted (status {}, no `{ACAO}`): OPTIONS requests here do not reach the CORS layer, or it refuses every preflight", preflight_answer.status),
                fix: "answer preflights (OPTIONS with Access-Control-Request-Method) on this path with the same grant, before authentication and routing".into(),
            });
        }
    }
    if answers.is_empty() || answers.iter().all(|(_, r)| !grants(origin, r)) {
        return Some(Refusal {
            id: RefusalId::OriginRefused,
            detail: "no variation of the preflight (without headers, as GET) is granted: the server does not allow this origin, or does not answer preflights on this path".into(),
            fix: format!("add `{origin}` to the server's allowed origins, and make sure OPTIONS requests on this path reach the CORS layer"),
        });
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/// Which request a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// The CORS preflight (`OPTIONS`).
    Preflight,
    /// The request the page asked for.
    Actual,
}

/// The status and CORS-relevant header lines of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// `Access-Control-*`, `Vary` and `Location` lines, as received.
    pub headers: Vec<(String, String)>,
}

impl From<&Response> for Answer {
    fn from(response: &Response) -> Self {
        Answer {
            status: response.status,
            headers: response.cors_headers(),
        }
    }
}

/// One request the browser sends, its answer and the checks applied to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Preflight or actual request.
    pub kind: StepKind,
    /// The method sent.
    pub method: String,
    /// The URL requested (the page's URL, or where a redirect led).
    pub url: String,
    /// The headers sent (besides `Host`, `User-Agent`...).
    pub request_headers: Vec<(String, String)>,
    /// The answer (`None` when the connection was closed, reset or timed out without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The browser's checks, in order, up to the first failure.
    pub checks: Vec<Check>,
    /// Response header names the page can read (actual request only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readable_headers: Option<Vec<String>>,
}

/// A request sent with another origin to see how the server treats it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// The origin sent.
    pub origin: String,
    /// The method of the request (`OPTIONS` for a preflight).
    pub method: String,
    /// The answer.
    pub answer: Option<Answer>,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything `cors-doctor` found, as printed and as `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What the page asked for.
    pub request: PageRequest,
    /// What the browser makes of it.
    pub plan: Plan,
    /// The requests sent, in order.
    pub steps: Vec<Step>,
    /// The conclusion.
    pub verdict: Verdict,
    /// The first failed check.
    pub failed_check: Option<CheckId>,
    /// Chromium's console message for it.
    pub browser_message: Option<String>,
    /// Risky grants seen.
    pub warnings: Vec<Warning>,
    /// The probes sent.
    pub probes: Vec<Probe>,
    /// What a refused preflight refuses, from the variations sent.
    pub refusal: Option<Refusal>,
}

impl Report {
    /// Puts a report together: verdict, first failure and its console message.
    pub fn new(
        request: PageRequest,
        plan: Plan,
        steps: Vec<Step>,
        warnings: Vec<Warning>,
        probes: Vec<Probe>,
    ) -> Self {
        let verdict = verdict(steps.iter().map(|s| s.checks.as_slice()));
        let first = steps
            .iter()
            .find_map(|s| s.checks.iter().find(|c| !c.passed).map(|c| (s, c)));
        let failed_check = first.map(|(_, c)| c.id);
        let browser_message = first.and_then(|(step, c)| {
            let from = (step.url != request.url).then_some(request.url.as_str());
            console_message(
                &step.url,
                from,
                &request.origin,
                step.kind == StepKind::Preflight,
                c,
            )
        });
        Report {
            request,
            plan,
            steps,
            verdict,
            failed_check,
            browser_message,
            warnings,
            probes,
            refusal: None,
        }
    }

    /// The process exit status: 0 allowed, 1 blocked.
    pub fn exit_code(&self) -> i32 {
        match self.verdict {
            Verdict::Allowed => 0,
            Verdict::Blocked => 1,
        }
    }
}

#[cfg(test)]
mod tests;
