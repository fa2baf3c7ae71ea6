//! The compact text form in which the `#[cors]` macro hands a validated [`Policy`] to the
//! runtime: one string literal per handler, decoded once when the app starts.
//!
//! Why not a `static` of runtime structures: the compiler const-evaluates such a static in every
//! user's build, which made up about a third of what `#[cors]` added to `cargo check`. A string
//! literal costs nothing to compile, and the runtime borrows its header values and origins from
//! it (`&'static str`), so nothing is allocated per request either.
//!
//! Format: a version line, then one `key value` line per fact; lists repeat their key.
//!
//! ```text
//! cors-policy/1
//! exact https://app.example.com
//! pattern https example.org sub -
//! credentials
//! routed GET
//! method GET
//! header content-type
//! acam GET
//! acah content-type
//! acrh-max 98
//! ```

use crate::matcher::{PatternRef, PortRef};
use crate::origin::{HostPattern, PortPattern};
use crate::policy::{Origins, Policy};

/// The first line of every encoded policy; bumped when the format changes.
pub const VERSION: &str = "cors-policy/1";

/// Upper bound on the total length of `Access-Control-Request-Headers` worth reading: twice what
/// the allowed names take with `", "` separators, plus slack for whitespace and repeats. Longer
/// lists are refused unread (a browser sends each name once, lower case, comma-separated), so a
/// crafted list costs no more than a short one. With `"*"`, 8 KiB.
pub fn acrh_max_len(policy: &Policy) -> usize {
    if policy.allow_any_header {
        return 8 * 1024;
    }
    2 * policy
        .allow_headers
        .iter()
        .map(|h| h.len() + 2)
        .sum::<usize>()
        + 64
}

/// Encodes a validated policy.
pub fn encode(policy: &Policy) -> String {
    let mut out = String::from(VERSION);
    let mut line = |key: &str, value: &str| {
        out.push('\n');
        out.push_str(key);
        if !value.is_empty() {
            out.push(' ');
            out.push_str(value);
        }
    };
    match &policy.origins {
        Origins::Any => line("any-origin", ""),
        Origins::List { exact, patterns } => {
            for origin in exact {
                line("exact", origin);
            }
            for p in patterns {
                let (host, kind) = match &p.host {
                    HostPattern::Exact(h) => (h, "exact"),
                    HostPattern::Subdomains(base) => (base, "sub"),
                };
                let port = match p.port {
                    PortPattern::Default => "-".to_owned(),
                    PortPattern::Any => "*".to_owned(),
                    PortPattern::Exact(n) => n.to_string(),
                };
                line("pattern", &format!("{} {host} {kind} {port}", p.scheme));
            }
        }
    }
    if policy.credentials {
        line("credentials", "");
    }
    for m in &policy.routed_methods {
        line("routed", m);
    }
    for m in &policy.allow_methods {
        line("method", m);
    }
    for h in &policy.allow_headers {
        line("header", h);
    }
    if policy.allow_any_header {
        line("any-header", "");
    }
    if !policy.allow_methods.is_empty() {
        line("acam", &policy.allow_methods.join(", "));
    }
    if let Some(acah) = header_list(policy.allow_any_header, &policy.allow_headers) {
        line("acah", &acah);
    }
    if let Some(aceh) = header_list(policy.expose_any_header, &policy.expose_headers) {
        line("aceh", &aceh);
    }
    if let Some(max_age) = policy.max_age {
        line("acma", &max_age.to_string());
    }
    line("acrh-max", &acrh_max_len(policy).to_string());
    out
}

/// A header-list value: `*` first when `any`, then the names; `None` when empty.
fn header_list(any: bool, names: &[String]) -> Option<String> {
    let all: Vec<&str> = any
        .then_some("*")
        .into_iter()
        .chain(names.iter().map(String::as_str))
        .collect();
    (!all.is_empty()).then(|| all.join(", "))
}

/// A decoded policy, borrowing every string from the encoded text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// `"*"`: any origin.
    pub any_origin: bool,
    /// Exact origins.
    pub exact: Vec<&'a str>,
    /// Patterns.
    pub patterns: Vec<PatternRef<'a>>,
    /// Credentials allowed.
    pub credentials: bool,
    /// Methods the route serves.
    pub routed_methods: Vec<&'a str>,
    /// Methods a preflight may ask for.
    pub allow_methods: Vec<&'a str>,
    /// Allowed request headers, lower case.
    pub allow_headers: Vec<&'a str>,
    /// `"*"` in `allow_headers`.
    pub allow_any_header: bool,
    /// `Access-Control-Allow-Methods`; `None` when no method is allowed (a route of a
    /// `#[routes]` handler whose methods are all outside `methods`: every preflight is refused).
    pub allow_methods_value: Option<&'a str>,
    /// `Access-Control-Allow-Headers`.
    pub allow_headers_value: Option<&'a str>,
    /// `Access-Control-Expose-Headers`.
    pub expose_headers_value: Option<&'a str>,
    /// `Access-Control-Max-Age`.
    pub max_age_value: Option<&'a str>,
    /// See [`acrh_max_len`].
    pub acrh_max_len: usize,
}

/// Decodes what [`encode`] produced. Every header value is checked to be a valid header value,
/// so the runtime can build `HeaderValue`s from it without a failure path.
pub fn decode(text: &str) -> Result<Decoded<'_>, String> {
    let mut lines = text.split('\n');
    if lines.next() != Some(VERSION) {
        return Err(format!(
            "not a `{VERSION}` policy (cors-macros and cors-runtime versions differ?)"
        ));
    }
    let mut d = Decoded::default();
    for line in lines {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "any-origin" => d.any_origin = true,
            "exact" => d.exact.push(value),
            "pattern" => {
                let mut parts = value.split(' ');
                let (Some(scheme), Some(host), Some(kind), Some(port), None) = (
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                ) else {
                    return Err(format!("malformed pattern line `{line}`"));
                };
                d.patterns.push(PatternRef {
                    scheme,
                    host,
                    subdomains: kind == "sub",
                    port: match port {
                        "-" => PortRef::Default,
                        "*" => PortRef::Any,
                        n => PortRef::Exact(n),
                    },
                });
            }
            "credentials" => d.credentials = true,
            "routed" => d.routed_methods.push(value),
            "method" => d.allow_methods.push(value),
            "header" => d.allow_headers.push(value),
            "any-header" => d.allow_any_header = true,
            "acam" => d.allow_methods_value = Some(checked(value)?),
            "acah" => d.allow_headers_value = Some(checked(value)?),
            "aceh" => d.expose_headers_value = Some(checked(value)?),
            "acma" => d.max_age_value = Some(checked(value)?),
            "acrh-max" => {
                d.acrh_max_len = value
                    .parse()
                    .map_err(|_| format!("malformed line `{line}`"))?
            }
            _ => return Err(format!("unknown line `{line}`")),
        }
    }
    if d.routed_methods.is_empty() || d.allow_methods.is_empty() != d.allow_methods_value.is_none()
    {
        return Err("incomplete policy".to_owned());
    }
    Ok(d)
}

/// A header value: visible ASCII and spaces (what `HeaderValue::from_static` accepts), not empty.
fn checked(value: &str) -> Result<&str, String> {
    if !value.is_empty()
        && value
            .bytes()
            .all(|b| b == b' ' || b == b'\t' || (0x21..0x7f).contains(&b))
    {
        Ok(value)
    } else {
        Err(format!("invalid header value `{value}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::OriginPattern;

    fn policy() -> Policy {
        Policy {
            origins: Origins::List {
                exact: vec![
                    "https://a.example.com".into(),
                    "http://127.0.0.1:3000".into(),
                ],
                patterns: vec![
                    OriginPattern {
                        scheme: "https".into(),
                        host: HostPattern::Subdomains("example.org".into()),
                        port: PortPattern::Default,
                    },
                    OriginPattern {
                        scheme: "http".into(),
                        host: HostPattern::Exact("localhost".into()),
                        port: PortPattern::Any,
                    },
                    OriginPattern {
                        scheme: "https".into(),
                        host: HostPattern::Subdomains("example.net".into()),
                        port: PortPattern::Exact(8443),
                    },
                ],
            },
            credentials: true,
            allow_methods: vec!["PUT".into()],
            routed_methods: vec!["PUT".into(), "PATCH".into()],
            allow_headers: vec!["content-type".into(), "x-api-key".into()],
            allow_any_header: false,
            expose_headers: vec!["X-Request-Id".into()],
            expose_any_header: false,
            max_age: Some(600),
        }
    }

    #[test]
    fn round_trip() {
        let text = encode(&policy());
        let d = decode(&text).expect("decodes");
        assert!(!d.any_origin && d.credentials && !d.allow_any_header);
        assert_eq!(d.exact, ["https://a.example.com", "http://127.0.0.1:3000"]);
        assert_eq!(
            d.patterns,
            [
                PatternRef {
                    scheme: "https",
                    host: "example.org",
                    subdomains: true,
                    port: PortRef::Default
                },
                PatternRef {
                    scheme: "http",
                    host: "localhost",
                    subdomains: false,
                    port: PortRef::Any
                },
                PatternRef {
                    scheme: "https",
                    host: "example.net",
                    subdomains: true,
                    port: PortRef::Exact("8443")
                },
            ]
        );
        assert_eq!(d.routed_methods, ["PUT", "PATCH"]);
        assert_eq!(d.allow_methods, ["PUT"]);
        assert_eq!(d.allow_headers, ["content-type", "x-api-key"]);
        assert_eq!(d.allow_methods_value, Some("PUT"));
        assert_eq!(d.allow_headers_value, Some("content-type, x-api-key"));
        assert_eq!(d.expose_headers_value, Some("X-Request-Id"));
        assert_eq!(d.max_age_value, Some("600"));
        assert_eq!(d.acrh_max_len, 2 * (14 + 11) + 64);
    }

    #[test]
    fn wildcards_round_trip() {
        let p = Policy {
            origins: Origins::Any,
            credentials: false,
            allow_any_header: true,
            allow_headers: vec!["authorization".into()],
            expose_any_header: true,
            expose_headers: Vec::new(),
            max_age: None,
            ..policy()
        };
        let text = encode(&p);
        let d = decode(&text).expect("decodes");
        assert!(d.any_origin && !d.credentials && d.allow_any_header);
        assert!(d.exact.is_empty() && d.patterns.is_empty());
        assert_eq!(d.allow_headers_value, Some("*, authorization"));
        assert_eq!(d.expose_headers_value, Some("*"));
        assert_eq!(d.max_age_value, None);
        assert_eq!(d.acrh_max_len, 8 * 1024);
    }

    #[test]
    fn a_route_with_no_allowed_method() {
        let p = Policy {
            allow_methods: Vec::new(),
            routed_methods: vec!["GET".into()],
            ..policy()
        };
        let text = encode(&p);
        let d = decode(&text).expect("decodes");
        assert!(d.allow_methods.is_empty());
        assert_eq!(d.allow_methods_value, None);
    }

    #[test]
    fn refuses_what_it_did_not_write() {
        for bad in [
            "",
            "cors-policy/0\nrouted GET\nacam GET",
            "cors-policy/1\nrouted GET\nmethod GET",
            "cors-policy/1\nacam GET",
            "cors-policy/1\nrouted GET\nacam GET",
            "cors-policy/1\nrouted GET\nmethod GET\nacam GET\nsurprise",
            "cors-policy/1\nrouted GET\nmethod GET\nacam GET\npattern https example.org",
            "cors-policy/1\nrouted GET\nmethod GET\nacam GET\nacrh-max lots",
            "cors-policy/1\nrouted GET\nmethod GET\nacam GET\r",
            "cors-policy/1\nrouted GET\nmethod GET\nacam G\u{7f}T",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }
}
