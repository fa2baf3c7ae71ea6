//! Why a request was refused, as [`tracing`] events on the `cors_runtime` target ([`TARGET`]):
//! every refusal
//! at `DEBUG`, every grant at `TRACE`, nothing at `INFO` or above.
//!
//! Zero cost when nobody listens: the request path decides exactly as before and only then asks
//! `tracing` whether the event is enabled (a load and a comparison when no subscriber is set or
//! the level is off). Only in the enabled branch is the reason worked out again from the request
//! and the route pattern looked up (which allocates).
//!
//! Fields of every event:
//! - `route`: the route pattern with its scope prefix (`/api/items/{id}`), as actix-web's
//!   `match_pattern` gives it; for a preflight answered by an app- or scope-wide policy before
//!   routing, the pattern of the first resource whose path matches, whatever its guards; when no
//!   resource matches, [`NO_ROUTE`];
//! - `origin`: the request's `Origin` (non-UTF-8 bytes replaced);
//! - `kind`: `preflight` or `actual`;
//! - refusals only: `reason`, one of [`Refusal::as_str`](crate::Refusal::as_str); `header`, the
//!   first refused header name, for `header-not-allowed` only; `method`, the requested method,
//!   for preflights.
//!
//! Actual requests without an `Origin` are not CORS requests: no event.

use std::borrow::Cow;

use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use actix_web::HttpRequest;
use tracing::Level;

use crate::preflight::Refused;
use crate::Refusal;

/// The `route` field when no resource matches the request's path (a 404).
pub const NO_ROUTE: &str = "(no route)";

/// The target of every event: `cors_runtime`.
pub const TARGET: &str = "cors_runtime";

/// A preflight was answered: granted, or refused and why (the decision's own answer). Free
/// unless the event is enabled.
#[inline]
pub(crate) fn preflight(req: &HttpRequest, outcome: Result<(), Refused<'_>>) {
    match outcome {
        Ok(()) => {
            if tracing::enabled!(target: TARGET, Level::TRACE) {
                granted_event(req, "preflight");
            }
        }
        Err(refused) => {
            if tracing::enabled!(target: TARGET, Level::DEBUG) {
                let header = refused
                    .header
                    .map(|name| String::from_utf8_lossy(name).to_ascii_lowercase());
                refused_event(req, "preflight", refused.reason, header.as_deref());
            }
        }
    }
}

/// The response of an actual request got `policy`'s headers: `granted` when its origin is
/// allowed. Requests without `Origin` are not CORS requests: no event. Free unless enabled.
#[inline]
pub(crate) fn actual(req: &HttpRequest, granted: bool) {
    if granted {
        if tracing::enabled!(target: TARGET, Level::TRACE) && req.headers().contains_key(ORIGIN) {
            granted_event(req, "actual");
        }
    } else if tracing::enabled!(target: TARGET, Level::DEBUG) && req.headers().contains_key(ORIGIN)
    {
        refused_event(req, "actual", Refusal::OriginNotAllowed, None);
    }
}

/// An actual request refused before its handler (see [`Refusal::MethodNeedsPreflight`]).
#[cold]
#[inline(never)]
pub(crate) fn actual_refused(req: &HttpRequest) {
    if tracing::enabled!(target: TARGET, Level::DEBUG) {
        refused_event(req, "actual", Refusal::MethodNeedsPreflight, None);
    }
}

/// A policy found itself inside another that cannot see it: reported once per policy (the
/// caller keeps the flag), as a `warn` event and on standard error, since it is a mistake in the
/// app's code that fails closed from now on.
#[cold]
#[inline(never)]
pub(crate) fn unseen_nesting(req: &HttpRequest, what: &str) {
    let route = route(req);
    let message = format!(
        "cors-runtime: {what} (reached at `{route}`): the policy around it cannot take it into \
         account, so both refuse from now on: every preflight and every cross-origin request \
         that needs one gets 403, other responses get no CORS headers. Declare a scope's policy \
         with `Api::scope(\"/path\")` instead of `web::scope(\"/path\").wrap(Api)`, and wrap an \
         app in one policy."
    );
    eprintln!("{message}");
    tracing::event!(target: TARGET, Level::WARN, route = %route, "{message}");
}

#[cold]
#[inline(never)]
fn granted_event(req: &HttpRequest, kind: &'static str) {
    let route = route(req);
    let origin = header_text(req.headers(), ORIGIN.as_str());
    tracing::event!(
        target: TARGET,
        Level::TRACE,
        route = %route,
        origin = %origin,
        kind,
        "CORS request granted"
    );
}

#[cold]
#[inline(never)]
fn refused_event(req: &HttpRequest, kind: &'static str, reason: Refusal, header: Option<&str>) {
    let route = route(req);
    let headers = req.headers();
    let origin = header_text(headers, ORIGIN.as_str());
    let reason = reason.as_str();
    if kind == "actual" {
        tracing::event!(target: TARGET, Level::DEBUG, route = %route, origin = %origin, kind, reason, "CORS request refused");
        return;
    }
    let method = header_text(headers, ACCESS_CONTROL_REQUEST_METHOD.as_str());
    match header {
        Some(header) => tracing::event!(
            target: TARGET,
            Level::DEBUG,
            route = %route,
            origin = %origin,
            kind,
            reason,
            method = %method,
            header,
            "CORS request refused"
        ),
        None => tracing::event!(
            target: TARGET,
            Level::DEBUG,
            route = %route,
            origin = %origin,
            kind,
            reason,
            method = %method,
            "CORS request refused"
        ),
    }
}

/// The route pattern with its scope prefix, or [`NO_ROUTE`].
fn route(req: &HttpRequest) -> Cow<'static, str> {
    match req.match_pattern() {
        Some(pattern) => Cow::Owned(pattern),
        None => Cow::Borrowed(NO_ROUTE),
    }
}

/// A request header's first value as text, invalid UTF-8 replaced; empty when absent.
fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Cow<'a, str> {
    headers
        .get(name)
        .map_or(Cow::Borrowed(""), |v| String::from_utf8_lossy(v.as_bytes()))
}
