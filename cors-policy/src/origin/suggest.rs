//! The corrected form of a refused entry, offered as `did you mean ...?`. Only a candidate that
//! itself passes every check is suggested.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::host::{looks_like_ipv4, serialize_ipv6};
use super::{default_port, parse_strict, pasted, punycode, split_host_port};

/// Computes the corrected form of a malformed entry, if there is one that passes every check.
pub(super) fn suggest(entry: &str) -> Option<String> {
    // Surrounding whitespace is a typo, and so is what pasting leaves (a byte-order mark,
    // quotes, array brackets, a list marker); whitespace inside is not a mistake we can guess
    // the fix of.
    let unpasted = pasted::unpaste(entry);
    let compact = unpasted.as_str();
    if compact
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ';')
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
    // A host of punctuation alone (`-`, from a pasted list marker) is no one's mistake for a host.
    if !host.chars().any(char::is_alphanumeric) {
        return None;
    }
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

/// Reads dotted-quad addresses written with leading zeros (`127.000.000.001`) as decimal, and
/// every other IPv4 form as browsers do (the URL standard's IPv4 parser): fewer than four parts,
/// the last filling the remaining bytes (`127.1` is `127.0.0.1`), hexadecimal (`0x7f`) and
/// octal (`017`) parts.
fn normalize_ipv4(host: &str) -> Option<String> {
    let decimal: Option<Vec<u8>> = host.split('.').map(|p| p.parse::<u8>().ok()).collect();
    if let Some([a, b, c, d]) = decimal.as_deref() {
        return Some(Ipv4Addr::new(*a, *b, *c, *d).to_string());
    }
    whatwg_ipv4(host).map(|ip| ip.to_string())
}

/// The URL standard's IPv4 parser (`https://url.spec.whatwg.org/#concept-ipv4-parser`).
fn whatwg_ipv4(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<u32> = host
        .split('.')
        .map(|part| {
            let (digits, radix) =
                if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                    (hex, 16)
                } else if part.len() > 1 && part.starts_with('0') {
                    (&part[1..], 8)
                } else {
                    (part, 10)
                };
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            if digits.is_empty() {
                // `0x` alone is zero; an empty part is not a number.
                return (radix == 16).then_some(0);
            }
            u32::from_str_radix(digits, radix).ok()
        })
        .collect::<Option<_>>()?;
    let (last, first) = parts.split_last()?;
    if first.len() > 3 || first.iter().any(|&p| p > 255) {
        return None;
    }
    let room = 8 * (4 - first.len() as u32);
    if room < 32 && *last >= 1 << room {
        return None;
    }
    let mut ip = *last;
    for (i, &p) in first.iter().enumerate() {
        ip += p << (8 * (3 - i as u32));
    }
    Some(Ipv4Addr::from(ip))
}
