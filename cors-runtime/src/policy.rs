//! The runtime form of a policy, decoded once when the app starts from the text the `#[cors]`
//! macro generated (see `cors_policy::wire`), and the origin and header checks made against it
//! on each request. Every string borrows from that `'static` text; nothing here allocates per
//! request.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS};
use cors_policy::hash::origin_hash;
use cors_policy::matcher::PatternRef;

/// A policy, decoded from what the `#[cors]` macro generated. The macro has already checked
/// every rule the fields must satisfy.
#[derive(Debug)]
pub struct Policy {
    /// Allowed origins.
    pub origins: Origins,
    /// `credentials` was set: send `Access-Control-Allow-Credentials: true` to allowed origins.
    pub credentials: bool,
    /// Methods the route serves: the preflights this policy answers.
    pub routed_methods: Box<[&'static str]>,
    /// Methods a preflight may ask for.
    pub allow_methods: Box<[&'static str]>,
    /// Every routed method is allowed, so the preflight guard's check of
    /// `Access-Control-Request-Method` is the whole method check.
    pub methods_implied: bool,
    /// Allowed request headers, lower case.
    pub allow_headers: Box<[&'static str]>,
    /// `"*"` was listed: any header name but `Authorization` (which must be listed) is allowed.
    pub allow_any_header: bool,
    /// Longest `Access-Control-Request-Headers` (all lines together) worth reading; longer ones
    /// are refused unread, which bounds the work a request can cause.
    pub acrh_max_len: usize,
    /// The constant response header values.
    pub headers: PolicyHeaders,
}

/// The constant header values of a [`Policy`], built when the app starts, then cloned per
/// response (they borrow `'static` text, so a clone copies a few words and counts no
/// references).
#[derive(Clone, Debug, Default)]
pub struct PolicyHeaders {
    /// `Access-Control-Allow-Methods`; `None` when no method is allowed.
    pub allow_methods: Option<HeaderValue>,
    /// `Access-Control-Allow-Headers`.
    pub allow_headers: Option<HeaderValue>,
    /// `Access-Control-Expose-Headers`.
    pub expose_headers: Option<HeaderValue>,
    /// `Access-Control-Max-Age`.
    pub max_age: Option<HeaderValue>,
}

/// Allowed origins.
#[derive(Debug)]
pub enum Origins {
    /// Every origin (never with credentials).
    Any,
    /// Exact origins in an open-addressing hash table, and patterns.
    List {
        /// Short lists (up to [`LINEAR_SCAN_MAX`] origins) in the order written, compared one by
        /// one: cheaper than hashing the request's origin. Longer lists: a power-of-two table
        /// probed linearly from `origin_hash(origin)`, `""` marking a free slot, at least half
        /// the slots free. `linear` says which.
        table: Box<[&'static str]>,
        /// `table` is a plain list, scanned in order.
        linear: bool,
        /// Wildcard patterns, tried in order after the table.
        patterns: Box<[PatternRef<'static>]>,
    },
}

impl Policy {
    /// Decodes the text the macro generated. An error means the text was not written by the
    /// `cors-macros` this runtime goes with, which the exact version pin between the two crates
    /// rules out.
    pub(crate) fn decode(text: &'static str) -> Result<Self, String> {
        let d = cors_policy::wire::decode(text)?;
        let origins = if d.any_origin {
            Origins::Any
        } else {
            let linear = d.exact.len() <= LINEAR_SCAN_MAX;
            let table = if linear {
                d.exact.clone()
            } else {
                cors_policy::hash::build_table(&d.exact)
                    .into_iter()
                    .map(|slot| slot.map_or("", |i| d.exact[i]))
                    .collect()
            };
            Origins::List {
                table: table.into(),
                linear,
                patterns: d.patterns.into(),
            }
        };
        // `wire::decode` has checked that every value is visible ASCII and spaces, which is all
        // `HeaderValue::from_static` asks: it cannot panic here.
        let headers = PolicyHeaders {
            allow_methods: d.allow_methods_value.map(HeaderValue::from_static),
            allow_headers: d.allow_headers_value.map(HeaderValue::from_static),
            expose_headers: d.expose_headers_value.map(HeaderValue::from_static),
            max_age: d.max_age_value.map(HeaderValue::from_static),
        };
        Ok(Self {
            origins,
            credentials: d.credentials,
            methods_implied: d.routed_methods.iter().all(|m| d.allow_methods.contains(m)),
            routed_methods: d.routed_methods.into(),
            allow_methods: d.allow_methods.into(),
            allow_headers: d.allow_headers.into(),
            allow_any_header: d.allow_any_header,
            acrh_max_len: d.acrh_max_len,
            headers,
        })
    }

    /// A policy that grants nothing and routes nothing: what a route gets if its policy text
    /// cannot be decoded.
    pub(crate) fn deny_all() -> Self {
        Self {
            origins: Origins::List {
                table: Box::new([]),
                linear: true,
                patterns: Box::new([]),
            },
            credentials: false,
            routed_methods: Box::new([]),
            allow_methods: Box::new([]),
            methods_implied: false,
            allow_headers: Box::new([]),
            allow_any_header: false,
            acrh_max_len: 0,
            headers: PolicyHeaders::default(),
        }
    }

    /// `true` for a plain `"*"` policy, whose responses do not depend on the request's origin.
    #[inline]
    pub(crate) fn is_any_origin(&self) -> bool {
        matches!(self.origins, Origins::Any)
    }

    /// `true` when `origin` (the `Origin` header's bytes) is allowed.
    #[inline]
    pub(crate) fn allows_origin(&self, origin: &[u8]) -> bool {
        match &self.origins {
            Origins::Any => true,
            Origins::List {
                table,
                linear,
                patterns,
            } => {
                let exact = if *linear {
                    table.iter().any(|entry| entry.as_bytes() == origin)
                } else {
                    in_table(table, origin)
                };
                exact || patterns.iter().any(|p| p.matches(origin))
            }
        }
    }

    /// `true` when `method` (the `Access-Control-Request-Method` bytes) is allowed. Methods are
    /// case-sensitive: browsers upper-case only the six standard ones.
    #[inline]
    pub(crate) fn allows_method(&self, method: &[u8]) -> bool {
        self.allow_methods.iter().any(|m| m.as_bytes() == method)
    }

    /// `true` when this policy answers preflights for `method`.
    #[inline]
    pub(crate) fn routes_method(&self, method: &[u8]) -> bool {
        self.routed_methods.iter().any(|m| m.as_bytes() == method)
    }

    /// `true` when every name in the request's `Access-Control-Request-Headers` lines is allowed.
    /// Names compare case-insensitively; optional whitespace and up to [`MAX_EMPTY_ELEMENTS`]
    /// empty list elements are ignored (RFC 9110 §5.6.1). Input longer than
    /// [`Policy::acrh_max_len`] is refused before it is read, so a crafted list costs no more
    /// than a short one.
    pub(crate) fn allows_request_headers(&self, headers: &HeaderMap) -> bool {
        let mut total = 0usize;
        let mut empty = 0usize;
        for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            total = total.saturating_add(value.len());
            if total > self.acrh_max_len {
                return false;
            }
            for name in value.as_bytes().split(|&b| b == b',') {
                let name = trim_ows(name);
                if name.is_empty() {
                    empty += 1;
                    if empty > MAX_EMPTY_ELEMENTS {
                        return false;
                    }
                } else if !self.allows_header(name) {
                    return false;
                }
            }
        }
        true
    }

    #[inline]
    fn allows_header(&self, name: &[u8]) -> bool {
        // Browsers send lower case: an exact comparison first, the case-insensitive one only
        // for other clients.
        self.allow_headers.iter().any(|h| {
            let h = h.as_bytes();
            h.len() == name.len() && (h == name || h.eq_ignore_ascii_case(name))
        }) || self.allow_any_header
            && !name.eq_ignore_ascii_case(b"authorization")
            && name.iter().all(|&b| cors_policy::names::is_tchar(b))
    }
}

/// Exact-origin lists up to this length are scanned rather than hashed: comparing a few
/// lengths costs less than hashing the request's origin.
pub(crate) const LINEAR_SCAN_MAX: usize = 4;

/// Empty elements tolerated in `Access-Control-Request-Headers`, all lines together. Browsers
/// send none; a proxy may leave a few. A list of thousands of commas is an attack, not a
/// request: refused, as jub0bs/cors does (same limit).
pub(crate) const MAX_EMPTY_ELEMENTS: usize = 16;

fn in_table(table: &[&str], origin: &[u8]) -> bool {
    if table.is_empty() {
        return false;
    }
    let mask = table.len() - 1;
    let mut slot = origin_hash(origin) as usize & mask;
    // Bounded by the table size, though a free slot always ends the probe sooner.
    for _ in 0..table.len() {
        let entry = table[slot];
        if entry.is_empty() {
            return false;
        }
        if entry.as_bytes() == origin {
            return true;
        }
        slot = (slot + 1) & mask;
    }
    false
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(table: Vec<&'static str>, patterns: Vec<PatternRef<'static>>) -> Policy {
        Policy {
            origins: Origins::List {
                linear: table.len() <= LINEAR_SCAN_MAX && !table.contains(&""),
                table: table.into(),
                patterns: patterns.into(),
            },
            credentials: false,
            routed_methods: Box::new(["GET"]),
            allow_methods: Box::new(["GET"]),
            methods_implied: true,
            allow_headers: Box::new(["content-type", "x-api-key"]),
            allow_any_header: false,
            acrh_max_len: 128,
            headers: PolicyHeaders::default(),
        }
    }

    /// Decodes what the macro would generate for `exact` origins and one pattern.
    fn decoded(exact: &[String]) -> Policy {
        let policy = cors_policy::Policy {
            origins: cors_policy::Origins::List {
                exact: exact.to_vec(),
                patterns: vec![cors_policy::origin::OriginPattern {
                    scheme: "https".into(),
                    host: cors_policy::origin::HostPattern::Subdomains("example.net".into()),
                    port: cors_policy::origin::PortPattern::Default,
                }],
            },
            credentials: true,
            allow_methods: vec!["GET".into()],
            routed_methods: vec!["GET".into()],
            allow_headers: vec!["content-type".into()],
            allow_any_header: false,
            expose_headers: vec!["X-Id".into()],
            expose_any_header: false,
            max_age: Some(600),
        };
        let text: &'static str = Box::leak(cors_policy::wire::encode(&policy).into_boxed_str());
        Policy::decode(text).expect("the macro's own output decodes")
    }

    #[test]
    fn short_and_long_lists_match_alike() {
        for n in [0, 1, LINEAR_SCAN_MAX, LINEAR_SCAN_MAX + 1, 1000] {
            let exact: Vec<String> = (0..n)
                .map(|i| format!("https://app{i}.example.com"))
                .collect();
            let policy = decoded(&exact);
            let Origins::List { linear, .. } = &policy.origins else {
                panic!("a list policy");
            };
            assert_eq!(*linear, n <= LINEAR_SCAN_MAX, "{n} origins");
            for origin in &exact {
                assert!(policy.allows_origin(origin.as_bytes()), "{origin} of {n}");
            }
            assert!(policy.allows_origin(b"https://a.example.net"));
            for refused in [
                "https://app.example.com",
                "",
                "https://app0.example.com/",
                "https://example.net",
            ] {
                assert!(
                    !policy.allows_origin(refused.as_bytes()),
                    "{refused} of {n}"
                );
            }
            assert!(policy.methods_implied);
            assert_eq!(
                policy.headers.max_age.as_ref().map(|v| v.as_bytes()),
                Some(&b"600"[..])
            );
            assert_eq!(
                policy.headers.expose_headers.as_ref().map(|v| v.as_bytes()),
                Some(&b"X-Id"[..])
            );
        }
    }

    #[test]
    fn table_lookup_matches_the_macro_layout() {
        let origins = [
            "https://a.example.org",
            "https://b.example.org",
            "http://127.0.0.1:3000",
        ];
        let slots = cors_policy::hash::build_table(&origins);
        let table: Vec<&'static str> = slots.iter().map(|s| s.map_or("", |i| origins[i])).collect();
        let policy = list(table, vec![]);
        for o in origins {
            assert!(policy.allows_origin(o.as_bytes()), "{o}");
        }
        for o in [
            "https://a.example.org/",
            "https://A.example.org",
            "https://a.example.org.evil.net",
            "",
            "null",
        ] {
            assert!(!policy.allows_origin(o.as_bytes()), "{o}");
        }
    }

    #[test]
    fn request_headers() {
        let policy = list(vec![], vec![]);
        let check = |values: &[&str]| {
            let mut map = HeaderMap::new();
            for v in values {
                map.append(
                    ACCESS_CONTROL_REQUEST_HEADERS,
                    HeaderValue::from_str(v).unwrap(),
                );
            }
            policy.allows_request_headers(&map)
        };
        assert!(check(&[]));
        assert!(check(&["content-type,x-api-key"]));
        assert!(check(&["Content-Type, X-API-Key"]));
        assert!(check(&[" content-type ,, ,x-api-key,"]));
        assert!(check(&["content-type", "x-api-key"]));
        assert!(!check(&["content-type,authorization"]));
        assert!(!check(&["x-other"]));
        assert!(
            !check(&[&",".repeat(10_000)]),
            "oversized input is refused unread"
        );
        assert!(check(&[&",".repeat(MAX_EMPTY_ELEMENTS - 1)]));
        assert!(
            !check(&[&",".repeat(MAX_EMPTY_ELEMENTS)]),
            "too many empty elements"
        );
        let lines = vec![""; MAX_EMPTY_ELEMENTS + 1];
        assert!(!check(&lines), "empty lines count as empty elements");
    }

    #[test]
    fn wildcard_headers_never_cover_authorization() {
        let mut policy = list(vec![], vec![]);
        policy.allow_any_header = true;
        policy.allow_headers = Box::new([]);
        policy.acrh_max_len = 8192;
        let mut map = HeaderMap::new();
        map.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("x-anything,x-else"),
        );
        assert!(policy.allows_request_headers(&map));
        map.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("x-anything,Authorization"),
        );
        assert!(!policy.allows_request_headers(&map));
        policy.allow_headers = Box::new(["authorization"]);
        assert!(policy.allows_request_headers(&map));
    }
}
