//! The reference decision function.
//!
//! Inputs are plain data ([`RefPolicy`], [`RefRequest`]); the output is the status and the sorted
//! list of the CORS headers the response carries ([`RefResponse`]).

/// The policy, as the model reads it: what the `#[cors]`/`#[policy]` attribute says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefPolicy {
    /// `None`: `origins = ["*"]`.
    pub origins: Option<RefOrigins>,
    pub credentials: bool,
    /// `methods = [...]` as the runtime keeps them (for a route: those the route serves).
    pub allow_methods: Vec<String>,
    /// Mounted on a route (`#[cors]`): the route's methods. `None`: a named policy wrapped on the
    /// app (`App::new().wrap(Api)`).
    pub routed: Option<Vec<String>>,
    /// Lower case, as written.
    pub allow_headers: Vec<String>,
    pub allow_any_header: bool,
    /// `dangerously_echo_request_headers`: every requested name that is a token, not a
    /// forbidden request-header name and not `authorization` (unless listed) is allowed, and the
    /// grant names exactly the requested names.
    pub echo_request_headers: bool,
    /// As written.
    pub expose_headers: Vec<String>,
    pub expose_any_header: bool,
    pub max_age: Option<u32>,
}

/// Exact origins and wildcard patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefOrigins {
    pub exact: Vec<String>,
    pub patterns: Vec<RefPattern>,
}

/// `scheme://host[:port]`, `scheme://*.base[:port]`, with `:*` for any port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefPattern {
    pub scheme: String,
    /// `Ok(host)`: exactly this host; `Err(base)`: one or more labels below `base`.
    pub host: Result<String, String>,
    /// `None`: no port; `Some(None)`: any port or none; `Some(Some(p))`: exactly `p`.
    pub port: Option<Option<u16>>,
}

/// A request: its method and its header lines, in order (names lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRequest {
    pub method: String,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// What the response carries: its status and its CORS headers (`access-control-*` and `vary`),
/// names lower case, sorted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

/// The handler's own status for an actual request it serves.
pub const HANDLER_STATUS: u16 = 200;
/// The status of a request no route serves.
pub const NOT_FOUND: u16 = 404;

const SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];
const MAX_EMPTY_ELEMENTS: usize = 16;
const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

impl RefRequest {
    /// Every value of header `name`, in order.
    fn all(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// The first value: browsers send one; the first is the one that counts.
    fn first(&self, name: &str) -> Option<&[u8]> {
        self.all(name).first().copied()
    }
}

/// The answer to `request` under `policy`.
pub fn decide(policy: &RefPolicy, request: &RefRequest) -> RefResponse {
    let origin = request.first("origin");
    let acrm = request.first("access-control-request-method");
    // A preflight: OPTIONS with Origin and ACRM (Fetch). A route answers only those for a method
    // it serves; an app-wide policy answers all of them, before routing.
    let is_preflight = request.method == "OPTIONS"
        && origin.is_some()
        && match (&policy.routed, acrm) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(routed), Some(m)) => routed.iter().any(|r| r.as_bytes() == m),
        };
    if is_preflight {
        return preflight(policy, request, origin.unwrap(), acrm.unwrap());
    }
    let status = match &policy.routed {
        Some(routed) if !routed.contains(&request.method) => {
            // Not this route's: nothing of the policy applies.
            return RefResponse {
                status: NOT_FOUND,
                headers: Vec::new(),
            };
        }
        // App-wide: the route behind the policy serves every method on its path.
        _ => HANDLER_STATUS,
    };
    let mut headers = Vec::new();
    let grant = match &policy.origins {
        None => Some("*".to_owned()),
        Some(list) => origin
            .filter(|o| origin_allowed(list, o))
            .map(|o| String::from_utf8(o.to_vec()).unwrap()),
    };
    if let Some(allow_origin) = grant {
        headers.push(h("access-control-allow-origin", &allow_origin));
        if policy.credentials {
            headers.push(h("access-control-allow-credentials", "true"));
        }
        if let Some(value) = list_value(policy.expose_any_header, &policy.expose_headers) {
            headers.push(h("access-control-expose-headers", &value));
        }
    }
    // A plain "*" answer depends on nothing in the request; every other one on its Origin.
    if policy.origins.is_some() {
        headers.push(h("vary", "Origin"));
    }
    response(status, headers)
}

fn preflight(policy: &RefPolicy, request: &RefRequest, origin: &[u8], acrm: &[u8]) -> RefResponse {
    let origin_ok = match &policy.origins {
        None => true,
        Some(list) => origin_allowed(list, origin),
    };
    let method_ok = policy.allow_methods.iter().any(|m| m.as_bytes() == acrm)
        || policy.routed.is_none() && SAFELISTED_METHODS.iter().any(|m| m.as_bytes() == acrm);
    let headers_ok =
        request_headers_allowed(policy, &request.all("access-control-request-headers"));
    if !(origin_ok && method_ok && headers_ok) {
        return response(403, vec![h("vary", PREFLIGHT_VARY)]);
    }
    let allow_origin = match &policy.origins {
        None => "*".to_owned(),
        Some(_) => String::from_utf8(origin.to_vec()).unwrap(),
    };
    let mut headers = vec![h("access-control-allow-origin", &allow_origin)];
    if policy.credentials {
        headers.push(h("access-control-allow-credentials", "true"));
    }
    if !policy.allow_methods.is_empty() {
        headers.push(h(
            "access-control-allow-methods",
            &policy.allow_methods.join(", "),
        ));
    }
    if policy.echo_request_headers {
        // The requested names as received, in order, without whitespace or empty elements.
        let names: Vec<String> = request
            .all("access-control-request-headers")
            .iter()
            .flat_map(|line| line.split(|&b| b == b','))
            .map(trim)
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8(name.to_vec()).unwrap())
            .collect();
        if !names.is_empty() {
            headers.push(h("access-control-allow-headers", &names.join(",")));
        }
    } else if let Some(value) = list_value(policy.allow_any_header, &policy.allow_headers) {
        headers.push(h("access-control-allow-headers", &value));
    }
    if let Some(max_age) = policy.max_age {
        headers.push(h("access-control-max-age", &max_age.to_string()));
    }
    headers.push(h("vary", PREFLIGHT_VARY));
    response(204, headers)
}

/// Byte-for-byte comparison with the exact origins; patterns as documented.
pub fn origin_allowed(list: &RefOrigins, origin: &[u8]) -> bool {
    list.exact.iter().any(|e| e.as_bytes() == origin)
        || list.patterns.iter().any(|p| pattern_matches(p, origin))
}

fn pattern_matches(p: &RefPattern, origin: &[u8]) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let Some(rest) = origin.strip_prefix(&format!("{}://", p.scheme)) else {
        return false;
    };
    // Every way of reading `rest` as host and port.
    let mut candidates: Vec<(&str, Option<&str>)> = vec![(rest, None)];
    for (i, c) in rest.char_indices() {
        if c == ':' {
            candidates.push((&rest[..i], Some(&rest[i + 1..])));
        }
    }
    candidates.into_iter().any(|(host, port)| {
        let port_ok = match (p.port, port) {
            (None, None) | (Some(None), None) => true,
            (Some(None), Some(port)) => canonical_port(port).is_some(),
            (Some(Some(want)), Some(port)) => canonical_port(port) == Some(want),
            _ => false,
        };
        port_ok && host_matches(&p.host, host)
    })
}

/// 1 to 65535, written as browsers write it (no sign, no leading zero).
fn canonical_port(port: &str) -> Option<u16> {
    let n: u16 = port.parse().ok()?;
    (n != 0 && n.to_string() == port).then_some(n)
}

fn host_matches(pattern: &Result<String, String>, host: &str) -> bool {
    match pattern {
        Ok(exact) => host == exact,
        Err(base) => {
            let Some(labels) = host.strip_suffix(&format!(".{base}")) else {
                return false;
            };
            // A DNS name: at most 253 bytes, labels of 1 to 63 lower-case letters, digits, `-`
            // or `_`.
            host.len() <= 253
                && labels.split('.').all(|label| {
                    (1..=63).contains(&label.len())
                        && label.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                        })
                })
        }
    }
}

/// The documented bound on ACRH (`Policy::acrh_max_len`): twice the allowed names with `", "`,
/// plus 64; 8 KiB with `"*"` or the echo.
pub fn acrh_max_len(policy: &RefPolicy) -> usize {
    if policy.allow_any_header || policy.echo_request_headers {
        8 * 1024
    } else {
        2 * policy
            .allow_headers
            .iter()
            .map(|h| h.len() + 2)
            .sum::<usize>()
            + 64
    }
}

/// Every line of ACRH together: not longer than [`acrh_max_len`], at most 16 empty elements
/// (RFC 9110 §5.6.1 lets a recipient ignore them), every name allowed, compared
/// case-insensitively. `"*"` covers any token but `authorization`; the echo any token but
/// `authorization` and the forbidden request-header names.
fn request_headers_allowed(policy: &RefPolicy, lines: &[&[u8]]) -> bool {
    let total: usize = lines.iter().map(|l| l.len()).sum();
    if total > acrh_max_len(policy) {
        return false;
    }
    let mut empty = 0;
    for line in lines {
        for element in line.split(|&b| b == b',') {
            let name = trim(element);
            if name.is_empty() {
                empty += 1;
                continue;
            }
            let lower = name.to_ascii_lowercase();
            let listed = policy.allow_headers.iter().any(|h| h.as_bytes() == lower);
            let wildcard = policy.allow_any_header
                && lower != b"authorization"
                && name.iter().all(|&b| is_tchar(b));
            let echoed = policy.echo_request_headers
                && lower != b"authorization"
                && name.iter().all(|&b| is_tchar(b))
                && !forbidden_request_header(&lower);
            if !(listed || wildcard || echoed) {
                return false;
            }
        }
    }
    empty <= MAX_EMPTY_ELEMENTS
}

/// Fetch "forbidden request-header": a page can never set these, so a browser never asks for
/// them (lower case).
fn forbidden_request_header(lower: &[u8]) -> bool {
    const NAMES: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    NAMES.iter().any(|n| n.as_bytes() == lower)
        || lower.starts_with(b"proxy-")
        || lower.starts_with(b"sec-")
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 9110 §5.6.2 `tchar`.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `*` first when `any`, then the names, joined with `", "`.
fn list_value(any: bool, names: &[String]) -> Option<String> {
    let mut all: Vec<&str> = Vec::new();
    if any {
        all.push("*");
    }
    all.extend(names.iter().map(String::as_str));
    (!all.is_empty()).then(|| all.join(", "))
}

fn h(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

fn response(status: u16, mut headers: Vec<(String, String)>) -> RefResponse {
    headers.sort();
    RefResponse { status, headers }
}
