//! Header injection on actual (non-preflight) responses: the middleware `#[cors]` adds to the
//! route as its outermost `wrap`.

use std::fmt;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ORIGIN, VARY,
};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpResponse, ResponseError};

use crate::policy::Policy;

pub(crate) static ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
pub(crate) static TRUE: HeaderValue = HeaderValue::from_static("true");
static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");

/// The middleware that adds CORS headers to a route's responses.
#[derive(Clone, Copy)]
pub struct Cors {
    policy: &'static Policy,
}

impl Cors {
    /// Middleware for `policy`.
    pub const fn new(policy: &'static Policy) -> Self {
        Self { policy }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = CorsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsService {
            service,
            policy: self.policy,
        }))
    }
}

/// The service [`Cors`] wraps a route in.
pub struct CorsService<S> {
    service: S,
    policy: &'static Policy,
}

impl<S, B> Service<ServiceRequest> for CorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = CorsFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let policy = self.policy;
        // Decided before the handler runs, from the first `Origin` value only.
        let origin = if policy.is_any_origin() {
            None
        } else {
            req.headers()
                .get(ORIGIN)
                .filter(|origin| policy.allows_origin(origin.as_bytes()))
                .cloned()
        };
        // No clone of the request is kept: actix-web panics when a middleware inside this one
        // mutates a request (`headers_mut`, `head_mut`, `match_info_mut`) that is shared.
        CorsFuture {
            future: self.service.call(req),
            policy,
            origin,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`CorsService`].
    pub struct CorsFuture<F> {
        #[pin]
        future: F,
        policy: &'static Policy,
        origin: Option<HeaderValue>,
    }
}

impl<F, B> Future for CorsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<B>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = std::task::ready!(this.future.poll(cx));
        let origin = this.origin.take();
        Poll::Ready(match result {
            Ok(mut response) => {
                apply(this.policy, origin, response.headers_mut());
                Ok(response)
            }
            // An error from a middleware inside this one (the route's own `wrap`): handler and
            // extractor errors are responses already. actix-web turns it into its response
            // further out, through `error_response`, which `WithCors` extends with the headers.
            Err(error) => Err(Error::from(WithCors {
                error,
                policy: this.policy,
                origin,
            })),
        })
    }
}

/// An error from inside the route, whose response gets the CORS headers of the request.
struct WithCors {
    error: Error,
    policy: &'static Policy,
    origin: Option<HeaderValue>,
}

impl fmt::Debug for WithCors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

impl fmt::Display for WithCors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl ResponseError for WithCors {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut response = self.error.error_response();
        apply(self.policy, self.origin.clone(), response.headers_mut());
        response
    }
}

/// Adds the CORS headers of an actual response. `origin` is the request's `Origin` when the
/// policy allows it.
pub(crate) fn apply(policy: &Policy, origin: Option<HeaderValue>, headers: &mut HeaderMap) {
    if policy.is_any_origin() {
        // Nothing depends on the request's origin: no `Vary` needed.
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN.clone());
        if let Some(value) = &policy.expose_headers_value {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, value.clone());
        }
        return;
    }
    if let Some(origin) = origin {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if policy.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
        }
        if let Some(value) = &policy.expose_headers_value {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, value.clone());
        }
    }
    append_vary_origin(headers);
}

/// Appends `Vary: Origin` unless a `Vary` already names `Origin` (or is `*`): the handler's own
/// `Vary` is kept, and `Origin` appears once.
fn append_vary_origin(headers: &mut HeaderMap) {
    let covered = headers.get_all(VARY).any(|value| {
        value.as_bytes().split(|&b| b == b',').any(|token| {
            let token = token.trim_ascii();
            token == b"*" || token.eq_ignore_ascii_case(b"origin")
        })
    });
    if !covered {
        headers.append(VARY, VARY_ORIGIN.clone());
    }
}
