//! The compact text form in which the `#[cors]` macro hands a validated [`Policy`] to the
//! runtime: one string literal per route, decoded once when the app starts.
//!
//! Why not a `static` of runtime structures: the compiler const-evaluates such a static in every
//! user's build, which made up about a third of what `#[cors]` added to `cargo check`. A string
//! literal costs nothing to compile.
//!
//! Format: a version line, then one `key value` line per fact of the model; lists repeat their
//! key. The constant response header values follow (`acam`, `acah`, `aceh`, `acma`): they are
//! derived from the model, and the decoder checks that they are, but carrying them lets the
//! runtime borrow them from the `'static` literal, so cloning one per response touches no
//! reference count.
//!
//! ```text
//! cors-policy/2
//! exact https://app.example.com
//! pattern https example.org sub -
//! credentials
//! routed GET
//! method GET
//! header content-type
//! acam GET
//! acah content-type
//! ```

use crate::model::{HostPattern, OriginPattern, OriginSource, Origins, Policy, PortPattern};

/// The first line of every encoded policy; bumped when the format changes.
pub const VERSION: &str = "cors-policy/2";

/// The constant response header values of a policy, borrowed from its encoded text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HeaderTexts<'a> {
    /// `Access-Control-Allow-Methods` ([`Policy::allow_methods_value`]).
    pub allow_methods: Option<&'a str>,
    /// `Access-Control-Allow-Headers` ([`Policy::allow_headers_value`]).
    pub allow_headers: Option<&'a str>,
    /// `Access-Control-Expose-Headers` ([`Policy::expose_headers_value`]).
    pub expose_headers: Option<&'a str>,
    /// `Access-Control-Max-Age` ([`Policy::max_age_value`]).
    pub max_age: Option<&'a str>,
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
    match &policy.routed_methods {
        Some(routed) => {
            for m in routed {
                line("routed", m);
            }
        }
        None => line("named", ""),
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
    if policy.echo_request_headers {
        line("echo-headers", "");
    }
    for h in &policy.expose_headers {
        line("expose", h);
    }
    if policy.expose_any_header {
        line("any-expose", "");
    }
    if let Some(max_age) = policy.max_age {
        line("max-age", &max_age.to_string());
    }
    if policy.allow_insecure_origins {
        line("insecure-ok", "");
    }
    for source in &policy.origin_sources {
        match source {
            // The name holds no `=` or whitespace (checked); newlines in the default are
            // separators like any whitespace, so they travel as spaces.
            OriginSource::Env { var, default } => match default {
                Some(default) => line(
                    "env",
                    &format!("{var}={}", default.replace(['\n', '\r'], " ")),
                ),
                None => line("env", var),
            },
            OriginSource::Config { key } => line("config", &key.replace(['\n', '\r'], " ")),
        }
    }
    for (key, value) in [
        ("acam", policy.allow_methods_value()),
        ("acah", policy.allow_headers_value()),
        ("aceh", policy.expose_headers_value()),
        ("acma", policy.max_age_value()),
    ] {
        if let Some(value) = value {
            line(key, &value);
        }
    }
    out
}

/// Decodes what [`encode`] produced: the policy, and its header values borrowed from `text`.
/// Every header value is checked to be a valid header value and the one the policy implies, so
/// the runtime can build `HeaderValue`s from it without a failure path.
pub fn decode(text: &str) -> Result<(Policy, HeaderTexts<'_>), String> {
    let mut lines = text.split('\n');
    if lines.next() != Some(VERSION) {
        return Err(format!(
            "not a `{VERSION}` policy (cors-macros and cors-runtime versions differ?)"
        ));
    }
    let mut any_origin = false;
    let mut exact = Vec::new();
    let mut patterns = Vec::new();
    // Every field is set from the lines below (origins and routed methods at the end).
    let mut policy = Policy::nothing();
    let mut headers = HeaderTexts::default();
    let mut named = false;
    let mut routed = Vec::new();
    for line in lines {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        let malformed = || format!("malformed line `{line}`");
        match key {
            "any-origin" => any_origin = true,
            "exact" => exact.push(value.to_owned()),
            "pattern" => patterns.push(pattern(value).ok_or_else(malformed)?),
            "credentials" => policy.credentials = true,
            "routed" => routed.push(value.to_owned()),
            "named" => named = true,
            "method" => policy.allow_methods.push(value.to_owned()),
            "header" => policy.allow_headers.push(value.to_owned()),
            "any-header" => policy.allow_any_header = true,
            "echo-headers" => policy.echo_request_headers = true,
            "expose" => policy.expose_headers.push(value.to_owned()),
            "any-expose" => policy.expose_any_header = true,
            "max-age" => policy.max_age = Some(value.parse().map_err(|_| malformed())?),
            "insecure-ok" => policy.allow_insecure_origins = true,
            "env" => policy.origin_sources.push(match value.split_once('=') {
                Some((var, default)) => OriginSource::Env {
                    var: var.to_owned(),
                    default: Some(default.to_owned()),
                },
                None => OriginSource::Env {
                    var: value.to_owned(),
                    default: None,
                },
            }),
            "config" => policy.origin_sources.push(OriginSource::Config {
                key: value.to_owned(),
            }),
            "acam" => headers.allow_methods = Some(checked(value)?),
            "acah" => headers.allow_headers = Some(checked(value)?),
            "aceh" => headers.expose_headers = Some(checked(value)?),
            "acma" => headers.max_age = Some(checked(value)?),
            _ => return Err(format!("unknown line `{line}`")),
        }
    }
    policy.origins = match (any_origin, exact.is_empty() && patterns.is_empty()) {
        (false, _) => Origins::List { exact, patterns },
        (true, true) => Origins::Any,
        (true, false) => return Err("`any-origin` with listed origins".to_owned()),
    };
    if policy.allow_any_header && policy.echo_request_headers {
        return Err("`any-header` with `echo-headers`".to_owned());
    }
    policy.routed_methods = match (named, routed.is_empty()) {
        (false, false) => Some(routed),
        (true, true) => None,
        _ => return Err("a policy is either named or routed, one or the other".to_owned()),
    };
    let implied = [
        (headers.allow_methods, policy.allow_methods_value()),
        (headers.allow_headers, policy.allow_headers_value()),
        (headers.expose_headers, policy.expose_headers_value()),
        (headers.max_age, policy.max_age_value()),
    ];
    if implied
        .iter()
        .any(|(carried, derived)| *carried != derived.as_deref())
    {
        return Err("header values that the policy does not imply".to_owned());
    }
    Ok((policy, headers))
}

/// A `pattern` line's value: `scheme host exact|sub -|*|port`.
fn pattern(value: &str) -> Option<OriginPattern> {
    let mut parts = value.split(' ');
    let (Some(scheme), Some(host), Some(kind), Some(port), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some(OriginPattern {
        scheme: scheme.to_owned(),
        host: match kind {
            "exact" => HostPattern::Exact(host.to_owned()),
            "sub" => HostPattern::Subdomains(host.to_owned()),
            _ => return None,
        },
        port: match port {
            "-" => PortPattern::Default,
            "*" => PortPattern::Any,
            n => PortPattern::Exact(n.parse().ok()?),
        },
    })
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
            routed_methods: Some(vec!["PUT".into(), "PATCH".into()]),
            allow_headers: vec!["content-type".into(), "x-api-key".into()],
            allow_any_header: false,
            echo_request_headers: false,
            expose_headers: vec!["X-Request-Id".into()],
            expose_any_header: false,
            max_age: Some(600),
            allow_insecure_origins: false,
            origin_sources: Vec::new(),
        }
    }

    #[test]
    fn round_trip() {
        let text = encode(&policy());
        let (decoded, headers) = decode(&text).expect("decodes");
        assert_eq!(decoded, policy());
        assert_eq!(
            headers,
            HeaderTexts {
                allow_methods: Some("PUT"),
                allow_headers: Some("content-type, x-api-key"),
                expose_headers: Some("X-Request-Id"),
                max_age: Some("600"),
            }
        );
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
        let (decoded, headers) = decode(&text).expect("decodes");
        assert_eq!(decoded, p);
        assert_eq!(headers.allow_headers, Some("*, authorization"));
        assert_eq!(headers.expose_headers, Some("*"));
        assert_eq!(headers.max_age, None);
    }

    #[test]
    fn the_echo_round_trips() {
        let p = Policy {
            echo_request_headers: true,
            allow_headers: vec!["authorization".into()],
            ..policy()
        };
        let text = encode(&p);
        assert!(text.contains("\necho-headers"), "{text}");
        let (decoded, headers) = decode(&text).expect("decodes");
        assert_eq!(decoded, p);
        assert_eq!(headers.allow_headers, Some("authorization"));
    }

    #[test]
    fn a_route_with_no_allowed_method() {
        let p = policy().for_route(&["PATCH".into()]);
        let text = encode(&p);
        let (decoded, headers) = decode(&text).expect("decodes");
        assert_eq!(decoded, p);
        assert!(decoded.allow_methods.is_empty());
        assert_eq!(headers.allow_methods, None);
    }

    #[test]
    fn origin_sources_round_trip() {
        let p = Policy {
            allow_insecure_origins: true,
            origin_sources: vec![
                OriginSource::Env {
                    var: "APP_ORIGINS".into(),
                    default: None,
                },
                OriginSource::Env {
                    var: "EXTRA".into(),
                    default: Some("https://a.example.com, https://b.example.com".into()),
                },
                OriginSource::Env {
                    var: "NONE".into(),
                    default: Some(String::new()),
                },
                OriginSource::Config {
                    key: "cors.origins".into(),
                },
            ],
            ..policy()
        };
        let (decoded, _) = decode(&encode(&p)).expect("decodes");
        assert_eq!(decoded, p);
    }

    #[test]
    fn a_named_policy_round_trips() {
        let p = Policy {
            routed_methods: None,
            ..policy()
        };
        let text = encode(&p);
        assert!(text.contains("\nnamed"), "{text}");
        let (decoded, _) = decode(&text).expect("decodes");
        assert_eq!(decoded, p);
    }

    #[test]
    fn refuses_what_it_did_not_write() {
        for bad in [
            "",
            "cors-policy/1\nrouted GET\nmethod GET\nacam GET",
            "cors-policy/2\nmethod GET\nacam GET",
            "cors-policy/2\nrouted GET\nmethod GET",
            "cors-policy/2\nrouted GET\nacam GET",
            "cors-policy/2\nrouted GET\nmethod GET\nacam PUT",
            "cors-policy/2\nrouted GET\nmethod GET\nacam GET\nsurprise",
            "cors-policy/2\nrouted GET\nmethod GET\nacam GET\npattern https example.org",
            "cors-policy/2\nrouted GET\nmethod GET\nacam GET\npattern https example.org sub 99999",
            "cors-policy/2\nrouted GET\nmethod GET\nacam GET\nmax-age lots",
            "cors-policy/2\nrouted GET\nmethod GET\nacam GET\r",
            "cors-policy/2\nrouted G\u{7f}T\nmethod G\u{7f}T\nacam G\u{7f}T",
            "cors-policy/2\nany-origin\nexact https://a.com\nrouted GET\nmethod GET\nacam GET",
            "cors-policy/2\nnamed\nrouted GET\nmethod GET\nacam GET",
            "cors-policy/2\nrouted GET\nmethod GET\nany-header\necho-headers\nacam GET\nacah *",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }
}
