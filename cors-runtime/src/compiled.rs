//! A policy in the form requests are answered from, built once per worker from the text the
//! `#[cors]` macro generated (see `cors_policy::wire`): the origins laid out for lookup, the
//! method and header checks, and the constant header values, which borrow the `'static` text so
//! that cloning one per response copies a few words and counts no references. Nothing here
//! allocates per request.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS};
use cors_policy::{Policy, Provenance};

use crate::origin_table::AllowedOrigins;
use crate::preflight::Refused;
use crate::Refusal;

/// A validated policy, ready for requests.
#[derive(Debug)]
pub struct Compiled {
    /// Allowed origins.
    origins: AllowedOrigins,
    /// What it was compiled from: the model, and where each value came from as resolution
    /// recorded it (for the listing; never read on the request path).
    record: Box<(Policy, Provenance)>,
    /// `credentials` was set: send `Access-Control-Allow-Credentials: true` to allowed origins.
    pub(crate) credentials: bool,
    /// Methods the route serves: the preflights this policy answers; `None` for a named
    /// policy, which answers preflights for every method.
    routed_methods: Option<Box<[String]>>,
    /// Methods a preflight may ask for.
    allow_methods: Box<[String]>,
    /// Every routed method is allowed, so the preflight guard's check of
    /// `Access-Control-Request-Method` is the whole method check.
    pub(crate) methods_implied: bool,
    /// Allowed request headers, lower case.
    allow_headers: Box<[String]>,
    /// `"*"` was listed: any header name but `Authorization` (which must be listed) is allowed.
    allow_any_header: bool,
    /// `dangerously_echo_request_headers`: any header name but `Authorization` (which must be
    /// listed) and the forbidden request-header names is allowed, and the preflight's
    /// `Access-Control-Allow-Headers` repeats the requested names ([`echoed_headers`]).
    pub(crate) echo_request_headers: bool,
    /// Longest `Access-Control-Request-Headers` (all lines together) worth reading; longer ones
    /// are refused unread, which bounds the work a request can cause.
    acrh_max_len: usize,
    /// Every allowed request header in the form browsers send the list (lower case, sorted,
    /// joined by `,`): a line equal to it is allowed without being split. Empty when no header
    /// is listed.
    acrh_all: Box<[u8]>,
    /// The constant response header values.
    pub(crate) headers: PolicyHeaders,
}

/// The constant header values of a [`Compiled`] policy.
#[derive(Clone, Debug, Default)]
pub(crate) struct PolicyHeaders {
    /// `Access-Control-Allow-Methods`; `None` when no method is allowed.
    pub(crate) allow_methods: Option<HeaderValue>,
    /// `Access-Control-Allow-Headers`.
    pub(crate) allow_headers: Option<HeaderValue>,
    /// `Access-Control-Expose-Headers`.
    pub(crate) expose_headers: Option<HeaderValue>,
    /// `Access-Control-Max-Age`.
    pub(crate) max_age: Option<HeaderValue>,
}

impl Compiled {
    /// Decodes the text the macro generated. An error means the text was not written by the
    /// `cors-macros` this runtime goes with, which the exact version pin between the two crates
    /// rules out.
    #[cfg(test)]
    pub(crate) fn decode(text: &'static str) -> Result<Self, String> {
        Self::decode_parts(text).map(|(policy, headers)| Self::with_headers(policy, headers))
    }

    /// The policy and its header values, borrowed from the text, before its origins from the
    /// environment or configuration (if any) are read.
    pub(crate) fn decode_parts(text: &'static str) -> Result<(Policy, PolicyHeaders), String> {
        let (policy, texts) = cors_policy::wire::decode(text)?;
        // `wire::decode` has checked that every value is visible ASCII and spaces, which is all
        // `HeaderValue::from_static` asks: it cannot panic here.
        let headers = PolicyHeaders {
            allow_methods: texts.allow_methods.map(HeaderValue::from_static),
            allow_headers: texts.allow_headers.map(HeaderValue::from_static),
            expose_headers: texts.expose_headers.map(HeaderValue::from_static),
            max_age: texts.max_age.map(HeaderValue::from_static),
        };
        Ok((policy, headers))
    }

    /// A policy made at run time (a named policy narrowed to a route): its header values are
    /// made from the model, once. Values that are not valid header values (impossible for a
    /// validated policy) are left out.
    pub(crate) fn from_policy(policy: Policy) -> Self {
        let value = |v: Option<String>| v.and_then(|v| HeaderValue::try_from(v).ok());
        let headers = PolicyHeaders {
            allow_methods: value(policy.allow_methods_value()),
            allow_headers: value(policy.allow_headers_value()),
            expose_headers: value(policy.expose_headers_value()),
            max_age: value(policy.max_age_value()),
        };
        Self::with_headers(policy, headers)
    }

    /// A policy whose origins are complete, with its header values.
    pub(crate) fn with_headers(policy: Policy, headers: PolicyHeaders) -> Self {
        let preflight_methods = policy.preflight_methods();
        let record = Box::new((policy.clone(), Provenance::default()));
        Self {
            credentials: policy.credentials,
            methods_implied: policy
                .routed_methods
                .as_ref()
                .is_some_and(|routed| routed.iter().all(|m| policy.allow_methods.contains(m))),
            acrh_max_len: policy.acrh_max_len(),
            acrh_all: browser_form(&policy.allow_headers),
            routed_methods: policy.routed_methods.map(Vec::into_boxed_slice),
            allow_methods: preflight_methods.into(),
            allow_headers: policy.allow_headers.into(),
            allow_any_header: policy.allow_any_header,
            echo_request_headers: policy.echo_request_headers,
            origins: AllowedOrigins::new(policy.origins),
            record,
            headers,
        }
    }

    /// A policy read whole from configuration, when the app starts or at a reload: its header
    /// values are those of the text form the macro generates for a literal policy (encoded and
    /// kept for the rest of the process, each distinct text once), so that the request path
    /// borrows `'static` values exactly as for a literal policy.
    pub(crate) fn from_configured(policy: Policy) -> Self {
        let headers_only = Policy {
            origins: cors_policy::Origins::List {
                exact: Vec::new(),
                patterns: Vec::new(),
            },
            ..policy.clone()
        };
        let text = kept_text(cors_policy::wire::encode(&headers_only));
        match Self::decode_parts(text) {
            Ok((_, headers)) => Self::with_headers(policy, headers),
            // A validated policy always encodes to text that decodes.
            Err(_) => Self::from_policy(policy),
        }
    }

    /// Records where each value came from, as resolution found it.
    pub(crate) fn with_provenance(mut self, provenance: Provenance) -> Self {
        self.record.1 = provenance;
        self
    }

    /// What the policy was compiled from: its model, and where each value came from.
    pub(crate) fn record(&self) -> (&Policy, &Provenance) {
        (&self.record.0, &self.record.1)
    }

    /// A policy that grants nothing and routes nothing: what a route gets if its policy text
    /// cannot be decoded (`Policy::nothing`).
    pub(crate) fn deny_all() -> Self {
        Self::with_headers(Policy::nothing(), PolicyHeaders::default())
    }

    /// `true` for a plain `"*"` policy, whose responses do not depend on the request's origin.
    #[inline]
    pub(crate) fn is_any_origin(&self) -> bool {
        matches!(self.origins, AllowedOrigins::Any)
    }

    /// `true` when `origin` (the `Origin` header's bytes) is allowed.
    #[inline]
    pub(crate) fn allows_origin(&self, origin: &[u8]) -> bool {
        self.origins.allows(origin)
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
        match &self.routed_methods {
            Some(routed) => routed.iter().any(|m| m.as_bytes() == method),
            None => true,
        }
    }

    /// Checks every name in the request's `Access-Control-Request-Headers` lines. Names compare
    /// case-insensitively; optional whitespace and up to [`MAX_EMPTY_ELEMENTS`] empty list
    /// elements are ignored (RFC 9110 §5.6.1). Input longer than
    /// [`Policy::acrh_max_len`](cors_policy::Policy::acrh_max_len) is refused before it is read,
    /// so a crafted list costs no more than a short one. A refusal says why, with the first
    /// refused name for [`Refusal::HeaderNotAllowed`].
    pub(crate) fn request_headers<'h>(&self, headers: &'h HeaderMap) -> Result<(), Refused<'h>> {
        let mut total = 0usize;
        let mut empty = 0usize;
        for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            total = total.saturating_add(value.len());
            if total > self.acrh_max_len {
                return Err(Refused::new(Refusal::RequestHeaderTooLong));
            }
            // The whole allowed list, as a browser sends it: nothing to split.
            if !self.acrh_all.is_empty() && value.as_bytes() == &*self.acrh_all {
                continue;
            }
            for name in value.as_bytes().split(|&b| b == b',') {
                let name = trim_ows(name);
                if name.is_empty() {
                    empty += 1;
                    if empty > MAX_EMPTY_ELEMENTS {
                        return Err(Refused::new(Refusal::RequestHeaderMalformed));
                    }
                } else if !self.allows_header(name) {
                    return Err(if name.iter().all(|&b| cors_policy::names::is_tchar(b)) {
                        Refused {
                            reason: Refusal::HeaderNotAllowed,
                            header: Some(name),
                        }
                    } else {
                        Refused::new(Refusal::RequestHeaderMalformed)
                    });
                }
            }
        }
        Ok(())
    }

    #[inline]
    fn allows_header(&self, name: &[u8]) -> bool {
        // Browsers send lower case: an exact comparison first, the case-insensitive one only
        // for other clients.
        self.allow_headers.iter().any(|h| {
            let h = h.as_bytes();
            h.len() == name.len() && (h == name || h.eq_ignore_ascii_case(name))
        }) || (self.allow_any_header || self.echo_request_headers)
            && !name.eq_ignore_ascii_case(b"authorization")
            && name.iter().all(|&b| cors_policy::names::is_tchar(b))
            && !(self.echo_request_headers
                && cors_policy::names::is_forbidden_request_header_bytes(name))
    }
}

/// The `Access-Control-Allow-Headers` of a granted preflight under
/// `dangerously_echo_request_headers`: the requested names as received, in order, without
/// whitespace or empty elements, joined by `,`; `None` when none is requested. Called only once
/// [`Compiled::request_headers`] has allowed every name (so each is a token, and the whole list
/// is bounded). A single line in the form browsers send is the answer itself, cloned without
/// copying.
pub(crate) fn echoed_headers(headers: &HeaderMap) -> Option<HeaderValue> {
    let mut lines = headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
    let first = lines.next()?;
    let plain = |line: &[u8]| {
        !line.is_empty()
            && line.split(|&b| b == b',').all(|name| {
                !name.is_empty() && name.iter().all(|&b| cors_policy::names::is_tchar(b))
            })
    };
    if lines.next().is_none() && plain(first.as_bytes()) {
        return Some(first.clone());
    }
    let mut out: Vec<u8> = Vec::new();
    for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
        for name in value.as_bytes().split(|&b| b == b',') {
            let name = trim_ows(name);
            if !name.is_empty() {
                if !out.is_empty() {
                    out.push(b',');
                }
                out.extend_from_slice(name);
            }
        }
    }
    // Tokens and commas only: always a valid value. Were it not, no grant of headers is sent,
    // and the browser refuses the request: never a panic.
    (!out.is_empty())
        .then(|| HeaderValue::from_bytes(&out).ok())
        .flatten()
}

/// `names` as browsers send a list of request headers: lower case, sorted, without repeats,
/// joined by `,`.
fn browser_form(names: &[String]) -> Box<[u8]> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    names.join(",").into_bytes().into_boxed_slice()
}

/// Empty elements tolerated in `Access-Control-Request-Headers`, all lines together. Browsers
/// send none; a proxy may leave a few. A list of thousands of commas is an attack, not a
/// request: refused, as jub0bs/cors does (same limit).
pub(crate) const MAX_EMPTY_ELEMENTS: usize = 16;

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// The header text of a policy read from configuration, kept for the rest of the process:
/// each distinct text once, so that a policy reloaded back and forth, or reloaded with new
/// origins only, keeps nothing more.
fn kept_text(text: String) -> &'static str {
    static KEPT: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    // The list is never left half-written: a panic elsewhere while it was held changes nothing.
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = kept.iter().find(|kept| **kept == text) {
        return found;
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    kept.push(text);
    text
}

#[cfg(test)]
pub(crate) mod tests;
