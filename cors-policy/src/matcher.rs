//! Matching a request's `Origin` against a wildcard pattern. One implementation serves both
//! sides: the runtime, per request, and the macro, which uses it to find exact origins a pattern
//! of the same list already covers. It allocates nothing and reads the origin once.

/// A wildcard origin such as `https://*.example.com` or `http://localhost:*`, borrowing its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternRef<'a> {
    /// Scheme, without `://`.
    pub scheme: &'a str,
    /// The host, or with `subdomains` the domain whose subdomains match.
    pub host: &'a str,
    /// Match hosts one or more labels below `host`, never `host` itself.
    pub subdomains: bool,
    /// Which ports match.
    pub port: PortRef<'a>,
}

/// The port part of a [`PatternRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortRef<'a> {
    /// No port.
    Default,
    /// Exactly this port, in decimal.
    Exact(&'a str),
    /// Any port, or none.
    Any,
}

/// Longest DNS name, and longest DNS label (RFC 1035 §2.3.4). A host below a `*.` pattern that
/// breaks either can be no page's origin.
const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

impl PatternRef<'_> {
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
        if let PortRef::Default = self.port {
            // No port may follow: a `:` fails the host comparison or the label check anyway,
            // so the authority is not scanned for one.
            return self.host_matches(rest);
        }
        let (host, port) = split_host_port(rest);
        let port_ok = match (self.port, port) {
            (PortRef::Default, None) | (PortRef::Any, None) => true,
            (PortRef::Exact(p), Some(port)) => p.as_bytes() == port,
            (PortRef::Any, Some(port)) => is_port(port),
            _ => false,
        };
        port_ok && self.host_matches(host)
    }

    fn host_matches(&self, host: &[u8]) -> bool {
        let base = self.host.as_bytes();
        if !self.subdomains {
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

fn split_host_port(authority: &[u8]) -> (&[u8], Option<&[u8]>) {
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

fn is_port(port: &[u8]) -> bool {
    (1..=5).contains(&port.len())
        && port.iter().all(u8::is_ascii_digit)
        && port[0] != b'0'
        && std::str::from_utf8(port)
            .ok()
            .and_then(|p| p.parse::<u16>().ok())
            .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: PatternRef<'static> = PatternRef {
        scheme: "https",
        host: "example.com",
        subdomains: true,
        port: PortRef::Default,
    };
    const LOCAL: PatternRef<'static> = PatternRef {
        scheme: "http",
        host: "localhost",
        subdomains: false,
        port: PortRef::Any,
    };
    const V6: PatternRef<'static> = PatternRef {
        scheme: "http",
        host: "[::1]",
        subdomains: false,
        port: PortRef::Any,
    };
    const EXACT_PORT: PatternRef<'static> = PatternRef {
        scheme: "https",
        host: "example.net",
        subdomains: true,
        port: PortRef::Exact("8443"),
    };

    fn any(origin: &str) -> bool {
        [SUB, LOCAL, V6, EXACT_PORT]
            .iter()
            .any(|p| p.matches(origin.as_bytes()))
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
}
