//! The corrected form of a refused entry, offered as `did you mean ...?`. Only a candidate that
//! itself passes every check is suggested.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::host::{looks_like_ipv4, serialize_ipv6};
use super::{default_port, parse_strict, punycode, split_host_port};

/// Computes the corrected form of a malformed entry, if there is one that passes every check.
pub(super) fn suggest(entry: &str) -> Option<String> {
    // Surrounding whitespace is a typo; whitespace inside is not a mistake we can guess the fix of.
    let compact = entry.trim();
    if compact.chars().any(|c| c.is_whitespace() || c.is_control())
        || compact.eq_ignore_ascii_case("null")
        || compact.is_empty()
    {
        return None;
    }
    let (scheme, rest) = match compact.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_owned(), compact),
    };
    if scheme == "file" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = split_host_port(authority);
    let host = normalize_host(host)?;
    let port = match port {
        None | Some("") => None,
        Some("*") => Some("*".to_owned()),
        Some(p) => {
            let n = p.parse::<u16>().ok()?;
            (default_port(&scheme) != Some(n)).then(|| n.to_string())
        }
    };
    let candidate = match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    };
    (candidate != entry && parse_strict(&candidate).is_ok()).then_some(candidate)
}

fn normalize_host(host: &str) -> Option<String> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let inner = inner.split('%').next().unwrap_or(inner);
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| format!("[{}]", serialize_ipv6(&ip)));
    }
    let host = host.trim_end_matches('.');
    if looks_like_ipv4(host) {
        return normalize_ipv4(host);
    }
    let labels: Option<Vec<String>> = host
        .split('.')
        .map(|label| {
            let lower = label.to_lowercase();
            if lower.is_ascii() {
                Some(lower)
            } else {
                punycode::encode(&lower).map(|p| format!("xn--{p}"))
            }
        })
        .collect();
    Some(labels?.join("."))
}

/// Reads dotted-quad addresses written with leading zeros (`127.000.000.001`) as decimal.
fn normalize_ipv4(host: &str) -> Option<String> {
    let parts: Vec<u8> = host
        .split('.')
        .map(|p| p.parse::<u8>().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d] = parts[..] else {
        return None;
    };
    Some(Ipv4Addr::new(a, b, c, d).to_string())
}
