//! Name lists from the Fetch standard, in the forms the rules compare against.
//!
//! Every list holds lower-case names; compare with [`eq_ignore_ascii_case`](str::eq_ignore_ascii_case)
//! or lower-case the input first. Sources: WHATWG Fetch, "forbidden method", "forbidden request-header",
//! "CORS-safelisted request-header", "forbidden response-header name", "CORS-safelisted
//! response-header name".

/// Methods a page can never use (any case): Fetch "forbidden method".
pub const FORBIDDEN_METHODS: &[&str] = &["CONNECT", "TRACE", "TRACK"];

/// The methods browsers upper-case before sending (Fetch "normalize a method"). Any other method
/// goes out exactly as the page spelled it.
pub const NORMALIZED_METHODS: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Request-header names a page can never set (Fetch "forbidden request-header"), besides every
/// name starting with [`FORBIDDEN_REQUEST_HEADER_PREFIXES`].
pub const FORBIDDEN_REQUEST_HEADERS: &[&str] = &[
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

/// Prefixes that make a request-header name forbidden.
pub const FORBIDDEN_REQUEST_HEADER_PREFIXES: &[&str] = &["proxy-", "sec-"];

/// CORS response headers: a server sends them, a page never does.
pub const CORS_RESPONSE_HEADERS: &[&str] = &[
    "access-control-allow-credentials",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "access-control-max-age",
];

/// Headers only requests carry: exposing them on a response means nothing. (Together with
/// [`CORS_RESPONSE_HEADERS`], the names `expose_headers` refuses as not exposable.)
pub const REQUEST_ONLY_HEADERS: &[&str] = &[
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "access-control-request-headers",
    "access-control-request-method",
    "authorization",
    "cookie",
    "cookie2",
    "dnt",
    "expect",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "origin",
    "proxy-authorization",
    "range",
    "referer",
    "te",
    "user-agent",
];

/// Response headers a page can never read (Fetch "forbidden response-header name").
pub const FORBIDDEN_RESPONSE_HEADERS: &[&str] = &["set-cookie", "set-cookie2"];

/// Response headers a page can always read without exposing them (Fetch "CORS-safelisted
/// response-header name").
pub const SAFELISTED_RESPONSE_HEADERS: &[&str] = &[
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// `true` when `name` (any case) is a forbidden request-header name.
pub fn is_forbidden_request_header(name: &str) -> bool {
    is_forbidden_request_header_bytes(name.as_bytes())
}

/// [`is_forbidden_request_header`] on bytes, without allocating: what the runtime checks a
/// requested header name with.
pub fn is_forbidden_request_header_bytes(name: &[u8]) -> bool {
    FORBIDDEN_REQUEST_HEADERS
        .iter()
        .any(|h| h.as_bytes().eq_ignore_ascii_case(name))
        || FORBIDDEN_REQUEST_HEADER_PREFIXES.iter().any(|p| {
            name.get(..p.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(p.as_bytes()))
        })
}

/// `true` when `b` is an RFC 9110 `tchar`, the alphabet of header names and methods.
pub const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
        | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// `true` when `s` is a non-empty RFC 9110 token (a valid method or header name).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_lower_case_and_sorted() {
        for list in [
            FORBIDDEN_REQUEST_HEADERS,
            CORS_RESPONSE_HEADERS,
            REQUEST_ONLY_HEADERS,
            FORBIDDEN_RESPONSE_HEADERS,
            SAFELISTED_RESPONSE_HEADERS,
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            assert!(list
                .iter()
                .all(|n| n.bytes().all(|b| !b.is_ascii_uppercase())));
        }
    }

    #[test]
    fn forbidden_request_headers() {
        for name in [
            "Cookie",
            "HOST",
            "proxy-authorization",
            "Sec-Fetch-Mode",
            "DNT",
        ] {
            assert!(is_forbidden_request_header(name), "{name}");
        }
        for name in [
            "Content-Type",
            "Authorization",
            "X-Proxy",
            "Secret",
            "Sec",
            "proxy",
        ] {
            assert!(!is_forbidden_request_header(name), "{name}");
        }
        assert!(is_forbidden_request_header_bytes(b"SEC-x"));
        assert!(!is_forbidden_request_header_bytes(b"se"));
    }

    #[test]
    fn tokens() {
        for ok in ["GET", "X-Request-Id", "a!#$%&'*+-.^_`|~9"] {
            assert!(is_token(ok), "{ok}");
        }
        for bad in ["", "X Request", "X:Y", "é", "a,b", "\"q\""] {
            assert!(!is_token(bad), "{bad}");
        }
    }
}
