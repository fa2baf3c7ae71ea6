//! Matching a request's `Origin` against a wildcard [`OriginPattern`]. One implementation serves
//! both sides: the runtime, per request, and the checks, which use it to find exact origins a
//! pattern of the same list already covers. It allocates nothing and reads the origin once.

use crate::model::{HostPattern, OriginPattern, PortPattern};

/// Longest DNS name, and longest DNS label (RFC 1035 §2.3.4). A host below a `*.` pattern that
/// breaks either can be no page's origin.
const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

impl OriginPattern {
    /// `true` when the serialized origin `origin` matches. Hosts below a `*.` wildcard must be
    /// well-formed lower-case labels, so `https://evil.com/.example.com` and the like never pass.
    #[inline]
    pub fn matches(&self, origin: &[u8]) -> bool {
        let Some(rest) = origin
            .strip_prefix(self.scheme.as_bytes())
            .and_then(|r| r.strip_prefix(b"://"))
        else {
            return false;
        };
        if let PortPattern::Default = self.port {
            // No port may follow: a `:` fails the host comparison or the label check anyway,
            // so the authority is not scanned for one.
            return self.host_matches(rest);
        }
        let (host, port) = split_host_port(rest);
        let port_ok = match (self.port, port) {
            (PortPattern::Default | PortPattern::Any, None) => true,
            (PortPattern::Exact(p), Some(port)) => parse_port(port) == Some(p),
            (PortPattern::Any, Some(port)) => parse_port(port).is_some(),
            _ => false,
        };
        port_ok && self.host_matches(host)
    }

    fn host_matches(&self, host: &[u8]) -> bool {
        let (base, subdomains) = match &self.host {
            HostPattern::Exact(h) => (h.as_bytes(), false),
            HostPattern::Subdomains(base) => (base.as_bytes(), true),
        };
        if !subdomains {
            return host == base;
        }
        if host.len() > MAX_HOST_LEN {
            return false;
        }
        let Some(labels) = host.strip_suffix(base).and_then(|h| h.strip_suffix(b".")) else {
            return false;
        };
        !labels.is_empty()
            && labels.split(|&b| b == b'.').all(|label| {
                !label.is_empty()
                    && label.len() <= MAX_LABEL_LEN
                    && label.iter().all(|&b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    })
            })
    }
}

/// Splits `host[:port]` into host and port; the port follows the last `:`, after the `]` of an
/// IPv6 host.
pub(crate) fn split_host_port(authority: &[u8]) -> (&[u8], Option<&[u8]>) {
    let search_from = if authority.first() == Some(&b'[') {
        match authority.iter().position(|&b| b == b']') {
            Some(end) => end,
            None => return (authority, None),
        }
    } else {
        0
    };
    match authority[search_from..].iter().rposition(|&b| b == b':') {
        Some(i) => (
            &authority[..search_from + i],
            Some(&authority[search_from + i + 1..]),
        ),
        None => (authority, None),
    }
}

/// A port as browsers serialize it: 1 to 65535 in decimal, without leading zeros.
#[inline]
fn parse_port(port: &[u8]) -> Option<u16> {
    if !(1..=5).contains(&port.len()) || port[0] == b'0' {
        return None;
    }
    let mut n: u32 = 0;
    for &b in port {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    u16::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::{parse_origin, OriginSpec};

    fn pattern(s: &str) -> OriginPattern {
        match parse_origin(s) {
            Ok(OriginSpec::Pattern(p)) => p,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn any(origin: &str) -> bool {
        [
            "https://*.example.com",
            "http://localhost:*",
            "http://[::1]:*",
            "https://*.example.net:8443",
        ]
        .iter()
        .any(|p| pattern(p).matches(origin.as_bytes()))
    }
    #[test]
    fn matches() {
        for ok in [
            "https://a.example.com",
            "https://a.b.example.com",
            "http://localhost:3000",
            "http://localhost",
            "http://[::1]:8080",
            "https://a.example.net:8443",
        ] {
            assert!(any(ok), "{ok}");
        }
        let label = |n: usize| format!("https://{}.example.com", "a".repeat(n));
        assert!(any(&label(63)));
        assert!(!any(&label(64)), "label over 63 bytes");
        let long = format!("https://{}example.com", "abcdefghi.".repeat(25));
        assert!(!any(&long), "host over 253 bytes");
    }

    #[test]
    fn refuses() {
        for bad in [
            "https://example.com",
            "https://.example.com",
            "https://a..example.com",
            "https://evilexample.com",
            "https://evil.com/.example.com",
            "https://A.example.com",
            "http://a.example.com",
            "https://a.example.com:8443",
            "https://a.example.net",
            "https://a.example.net:443",
            "http://localhost:0",
            "http://localhost:65536",
            "http://localhost:030",
            "http://localhost:",
            "http://localhost.evil.com",
            "https://a.example.com.evil.net",
            "",
        ] {
            assert!(!any(bad), "{bad}");
        }
    }

    #[test]
    fn pattern_coverage() {
        let any_sub = pattern("https://*.example.com");
        assert!(any_sub.matches(b"https://a.example.com"));
        assert!(any_sub.matches(b"https://a.b.example.com"));
        assert!(!any_sub.matches(b"https://example.com"));
        assert!(!any_sub.matches(b"https://evilexample.com"));
        assert!(!any_sub.matches(b"http://a.example.com"));
        assert!(!any_sub.matches(b"https://a.example.com:8443"));
        let any_port = pattern("http://localhost:*");
        assert!(any_port.matches(b"http://localhost:3000"));
        assert!(any_port.matches(b"http://localhost"));
        assert!(!any_port.matches(b"http://localhost.evil.com:3000"));
    }
}
