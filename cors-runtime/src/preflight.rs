//! Preflight answers: the decision (origin, method, requested headers) and the `204` or `403`
//! made from it, for whichever policy governs the preflight (see [`crate::nesting`]).

use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::compiled::Compiled;
use crate::response::{ANY_ORIGIN, TRUE};
use crate::Refusal;

/// Preflight responses depend on all three request headers.
static PREFLIGHT_VARY: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);

/// A refused preflight: `403`, no grant, the preflight `Vary`.
pub(crate) fn refused() -> HttpResponse {
    let mut refused = HttpResponse::new(StatusCode::FORBIDDEN);
    refused.headers_mut().insert(VARY, PREFLIGHT_VARY.clone());
    refused
}

/// Why a preflight was refused: the reason, and the first refused request header name (as the
/// request wrote it) for [`Refusal::HeaderNotAllowed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refused<'a> {
    pub(crate) reason: Refusal,
    pub(crate) header: Option<&'a [u8]>,
}

impl Refused<'_> {
    pub(crate) fn new(reason: Refusal) -> Self {
        Self {
            reason,
            header: None,
        }
    }
}

/// What a preflight gets: the `Access-Control-Allow-Origin` value when the origin, the method
/// and every requested header are allowed, else why not. The one decision: the `403` and the
/// refusal event are made from its answer.
pub(crate) fn decide<'h>(
    policy: &Compiled,
    headers: &'h HeaderMap,
) -> Result<HeaderValue, Refused<'h>> {
    let origin = headers
        .get(ORIGIN)
        .ok_or(Refused::new(Refusal::OriginNotAllowed))?;
    decide_with(
        policy,
        origin,
        || headers.get(ACCESS_CONTROL_REQUEST_METHOD),
        headers,
    )
}

/// [`decide`], given the request's `Origin` and, when needed, its
/// `Access-Control-Request-Method`, already looked up (each header is looked up once).
#[inline]
pub(crate) fn decide_with<'a, 'h>(
    policy: &Compiled,
    origin: &HeaderValue,
    method: impl FnOnce() -> Option<&'a HeaderValue>,
    headers: &'h HeaderMap,
) -> Result<HeaderValue, Refused<'h>> {
    if !policy.allows_origin(origin.as_bytes()) {
        return Err(Refused::new(Refusal::OriginNotAllowed));
    }
    // The guard let through only methods the route serves; when it allows them all, the method
    // needs no second look.
    if !(policy.methods_implied || method().is_some_and(|m| policy.allows_method(m.as_bytes()))) {
        return Err(Refused::new(Refusal::MethodNotAllowed));
    }
    policy.request_headers(headers)?;
    Ok(if policy.is_any_origin() {
        ANY_ORIGIN.clone()
    } else {
        origin.clone()
    })
}

/// The preflight response for a decision of [`decide`] on a preflight with `headers`: `204`
/// with the grant, or `403`. The request's headers are read again only by a policy that echoes
/// the requested headers.
pub(crate) fn respond(
    policy: &Compiled,
    decision: Result<HeaderValue, Refused<'_>>,
    headers: &HeaderMap,
) -> HttpResponse {
    let Ok(allow_origin) = decision else {
        return refused();
    };
    let mut response = HttpResponse::new(StatusCode::NO_CONTENT);
    let out = response.headers_mut();
    out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if policy.credentials {
        out.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
    }
    if let Some(value) = &policy.headers.allow_methods {
        out.insert(ACCESS_CONTROL_ALLOW_METHODS, value.clone());
    }
    if policy.echo_request_headers {
        if let Some(value) = crate::compiled::echoed_headers(headers) {
            out.insert(ACCESS_CONTROL_ALLOW_HEADERS, value);
        }
    } else if let Some(value) = &policy.headers.allow_headers {
        out.insert(ACCESS_CONTROL_ALLOW_HEADERS, value.clone());
    }
    if let Some(value) = &policy.headers.max_age {
        out.insert(ACCESS_CONTROL_MAX_AGE, value.clone());
    }
    out.insert(VARY, PREFLIGHT_VARY.clone());
    response
}
