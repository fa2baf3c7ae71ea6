//! What a page asks for, and what the browser sends for it: the plan (preflight or not), the request headers of each step.

use serde::Serialize;

use crate::*;

/// What the page asks `fetch` to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageRequest {
    /// The URL fetched.
    pub url: String,
    /// The page's origin (`scheme://host[:port]` or `null`).
    pub origin: String,
    /// The method as the page writes it (`put` is sent as `PUT`, `patch` stays `patch`).
    pub method: String,
    /// Headers the page sets, in order.
    pub headers: Vec<(String, String)>,
    /// `credentials: "include"`.
    pub credentials: bool,
    /// The request body, if any (its `Content-Type` is one of `headers`, as the page or the
    /// browser sets it). Serialised as its length.
    #[serde(serialize_with = "body_length")]
    pub body: Option<Vec<u8>>,
    /// The browser's cookies; those whose domain, path and `Secure` flag match a request's URL
    /// go with it when credentials are sent (always on a same-origin request), never with a
    /// preflight.
    pub cookies: Vec<Cookie>,
}

/// A request body, of the kind the page gives `fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A string: the browser sets `Content-Type: text/plain;charset=UTF-8` unless the page
    /// sets one.
    Text(String),
    /// Bytes (an `ArrayBuffer` or a `Blob` without type): no `Content-Type` unless the page
    /// sets one.
    Bytes(Vec<u8>),
}

impl PageRequest {
    /// Gives the request a body, with `content_type` as the page sets it (replacing any
    /// `Content-Type` among `headers`), or else the one the browser adds for this kind of
    /// body.
    pub fn set_body(&mut self, body: Body, content_type: Option<&str>) {
        let is_content_type = |(n, _): &(String, String)| n.eq_ignore_ascii_case("content-type");
        let default = match &body {
            Body::Text(_) => Some("text/plain;charset=UTF-8"),
            Body::Bytes(_) => None,
        };
        match content_type {
            Some(value) => {
                self.headers.retain(|h| !is_content_type(h));
                self.headers
                    .push(("Content-Type".to_owned(), value.to_owned()));
            }
            None => {
                if let (Some(value), false) = (default, self.headers.iter().any(is_content_type)) {
                    self.headers
                        .push(("Content-Type".to_owned(), value.to_owned()));
                }
            }
        }
        self.body = Some(match body {
            Body::Text(text) => text.into_bytes(),
            Body::Bytes(bytes) => bytes,
        });
    }
}

pub(crate) fn body_length<S: serde::Serializer>(
    body: &Option<Vec<u8>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match body {
        Some(bytes) => s.serialize_some(&serde_json::json!({ "bytes": bytes.len() })),
        None => s.serialize_none(),
    }
}

/// Why a request is preflighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST.
    MethodNotSafelisted,
    /// A header name is not CORS-safelisted.
    HeaderNotSafelisted,
    /// A safelisted name whose value is not safelisted (`Content-Type: application/json`).
    HeaderValueNotSafelisted,
    /// Safelisted headers whose values total more than 1024 bytes.
    SafelistedHeadersTooLarge,
}

impl PreflightReason {
    /// The stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Self::MethodNotSafelisted => "method-not-safelisted",
            Self::HeaderNotSafelisted => "header-not-safelisted",
            Self::HeaderValueNotSafelisted => "header-value-not-safelisted",
            Self::SafelistedHeadersTooLarge => "safelisted-headers-too-large",
        }
    }
}

/// One reason for a preflight, with the words for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightCause {
    /// The rule.
    pub id: PreflightReason,
    /// Plain words.
    pub detail: String,
}

/// The preflight a browser sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightPlan {
    /// `Access-Control-Request-Method`.
    pub request_method: String,
    /// `Access-Control-Request-Headers`: lower case, sorted, de-duplicated, joined by `,`.
    pub request_headers: Option<String>,
    /// The CORS-unsafe header names, lower case and sorted.
    pub unsafe_headers: Vec<String>,
    /// Why the browser sends it.
    pub reasons: Vec<PreflightCause>,
}

/// What a browser does for a [`PageRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The method sent, after the browser's normalisation.
    pub method: String,
    /// The headers the page may set and the browser sends (forbidden ones dropped).
    pub headers: Vec<(String, String)>,
    /// Header names the browser drops because a page may not set them.
    pub dropped_headers: Vec<String>,
    /// `true` when the page's origin is the URL's origin: no CORS at all.
    pub same_origin: bool,
    /// The preflight, when one is needed.
    pub preflight: Option<PreflightPlan>,
}

/// A request the browser would refuse to make at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// `CONNECT`, `TRACE`, `TRACK`.
    ForbiddenMethod(String),
    /// Not an HTTP method token.
    InvalidMethod(String),
    /// Not a serialized origin.
    InvalidOrigin(String, String),
    /// The URL is not `http://` or `https://` with a host.
    InvalidUrl(String),
    /// A header name or value a page cannot send.
    InvalidHeader(String),
    /// A body on a GET or HEAD request (`fetch` throws a `TypeError`).
    BodyWithGetOrHead(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ForbiddenMethod(m) => write!(
                f,
                "method {m} is forbidden: browsers refuse CONNECT, TRACE and TRACK"
            ),
            Self::InvalidMethod(m) => write!(f, "{m:?} is not an HTTP method token"),
            Self::InvalidOrigin(o, why) => write!(f, "origin {o:?}: {why}"),
            Self::InvalidUrl(u) => write!(
                f,
                "URL {u:?}: expected http://host[:port]/path or https://..."
            ),
            Self::InvalidHeader(h) => {
                write!(f, "header {h:?}: expected 'Name: value' with a token name")
            }
            Self::BodyWithGetOrHead(m) => write!(
                f,
                "a {m} request cannot have a body: fetch throws \"Request with GET/HEAD method cannot have body\""
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// Works out what the browser sends for `page`: the normalised method, the headers, and the
/// preflight if one is needed (Fetch: "CORS-preflight fetch" is used when the method is not
/// CORS-safelisted or a CORS-unsafe request-header name exists).
pub fn plan(page: &PageRequest) -> Result<Plan, PlanError> {
    if !is_token(&page.method) {
        return Err(PlanError::InvalidMethod(page.method.clone()));
    }
    if is_forbidden_method(&page.method) {
        return Err(PlanError::ForbiddenMethod(page.method.clone()));
    }
    check_origin(&page.origin).map_err(|why| PlanError::InvalidOrigin(page.origin.clone(), why))?;
    let target = url_origin(&page.url).ok_or_else(|| PlanError::InvalidUrl(page.url.clone()))?;
    let method = normalize_method(&page.method);
    if page.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        return Err(PlanError::BodyWithGetOrHead(method));
    }
    let mut headers = Vec::new();
    let mut dropped = Vec::new();
    for (name, value) in &page.headers {
        if !is_token(name) || value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(PlanError::InvalidHeader(format!("{name}: {value}")));
        }
        if is_forbidden_request_header(name) {
            dropped.push(name.clone());
        } else {
            headers.push((name.clone(), value.trim().to_owned()));
        }
    }
    let same_origin = target == page.origin;
    let mut reasons = Vec::new();
    if !is_safelisted_method(&method) {
        reasons.push(PreflightCause {
            id: PreflightReason::MethodNotSafelisted,
            detail: format!(
                "the method {method} is not CORS-safelisted (only GET, HEAD and POST are)"
            ),
        });
    }
    let (unsafe_names, mut header_reasons) = cors_unsafe_header_names(&headers);
    reasons.append(&mut header_reasons);
    let preflight = (!same_origin && !reasons.is_empty()).then(|| PreflightPlan {
        request_method: method.clone(),
        request_headers: (!unsafe_names.is_empty()).then(|| unsafe_names.join(",")),
        unsafe_headers: unsafe_names,
        reasons,
    });
    Ok(Plan {
        method,
        headers,
        dropped_headers: dropped,
        same_origin,
        preflight,
    })
}

/// Fetch's "CORS-unsafe request-header names": the sorted, lower-case, de-duplicated names of
/// the headers that are not CORS-safelisted (all safelisted ones too when their values total
/// more than 1024 bytes), with the reason for each.
pub fn cors_unsafe_header_names(
    headers: &[(String, String)],
) -> (Vec<String>, Vec<PreflightCause>) {
    let mut unsafe_names = Vec::new();
    let mut reasons = Vec::new();
    let mut safelisted = Vec::new();
    let mut size = 0usize;
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        match safelisted_request_header(&lower, value) {
            Safelisted::Yes => {
                size += value.len();
                safelisted.push(lower);
            }
            Safelisted::NameNot => {
                reasons.push(PreflightCause {
                    id: PreflightReason::HeaderNotSafelisted,
                    detail: format!("the header {name} is not CORS-safelisted"),
                });
                unsafe_names.push(lower);
            }
            Safelisted::ValueNot(why) => {
                reasons.push(PreflightCause {
                    id: PreflightReason::HeaderValueNotSafelisted,
                    detail: format!("{name}: {value} is not a CORS-safelisted value ({why})"),
                });
                unsafe_names.push(lower);
            }
        }
    }
    if size > 1024 {
        reasons.push(PreflightCause {
            id: PreflightReason::SafelistedHeadersTooLarge,
            detail: format!(
                "the safelisted headers' values total {size} bytes, more than 1024, so none of them counts as safelisted"
            ),
        });
        unsafe_names.append(&mut safelisted);
    }
    unsafe_names.sort();
    unsafe_names.dedup();
    (unsafe_names, reasons)
}

/// The headers of the preflight a browser sends (besides `Host`, `User-Agent` and the like).
pub fn preflight_request_headers(origin: &str, preflight: &PreflightPlan) -> Vec<(String, String)> {
    let mut out = vec![
        ("Accept".to_owned(), "*/*".to_owned()),
        ("Origin".to_owned(), origin.to_owned()),
        (
            "Access-Control-Request-Method".to_owned(),
            preflight.request_method.clone(),
        ),
    ];
    if let Some(list) = &preflight.request_headers {
        out.push(("Access-Control-Request-Headers".to_owned(), list.clone()));
    }
    out
}

/// The headers of the actual request: the page's headers and `Origin` (cross-origin requests,
/// and same-origin requests whose method is not GET or HEAD, as browsers send them).
pub fn actual_request_headers(origin: &str, plan: &Plan) -> Vec<(String, String)> {
    let mut out = plan.headers.clone();
    if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept")) {
        out.insert(0, ("Accept".to_owned(), "*/*".to_owned()));
    }
    if !plan.same_origin || !matches!(plan.method.as_str(), "GET" | "HEAD") {
        out.push(("Origin".to_owned(), origin.to_owned()));
    }
    out
}

/// The preflight a browser sends for `method` and `headers` on a CORS request, if any.
pub fn preflight_for(method: &str, headers: &[(String, String)]) -> Option<PreflightPlan> {
    let mut reasons = Vec::new();
    if !is_safelisted_method(method) {
        reasons.push(PreflightCause {
            id: PreflightReason::MethodNotSafelisted,
            detail: format!(
                "the method {method} is not CORS-safelisted (only GET, HEAD and POST are)"
            ),
        });
    }
    let (unsafe_names, mut header_reasons) = cors_unsafe_header_names(headers);
    reasons.append(&mut header_reasons);
    (!reasons.is_empty()).then(|| PreflightPlan {
        request_method: method.to_owned(),
        request_headers: (!unsafe_names.is_empty()).then(|| unsafe_names.join(",")),
        unsafe_headers: unsafe_names,
        reasons,
    })
}

/// Headers a redirect that changes the method to GET removes (Fetch "request-body-header
/// name").
pub(crate) const REQUEST_BODY_HEADERS: [&str; 4] = [
    "content-encoding",
    "content-language",
    "content-location",
    "content-type",
];
