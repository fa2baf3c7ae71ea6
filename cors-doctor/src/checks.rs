//! The answers, and the browser's checks on them (the CORS check, the preflight's checks, what a page may read).

use serde::Serialize;

use crate::*;

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

pub(crate) const ACAO: &str = "Access-Control-Allow-Origin";
pub(crate) const ACAC: &str = "Access-Control-Allow-Credentials";
pub(crate) const ACAM: &str = "Access-Control-Allow-Methods";
pub(crate) const ACAH: &str = "Access-Control-Allow-Headers";
pub(crate) const ACMA: &str = "Access-Control-Max-Age";
pub(crate) const ACEH: &str = "Access-Control-Expose-Headers";

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
pub(crate) fn chromium_valid_url(value: &str) -> bool {
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
