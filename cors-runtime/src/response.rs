//! Header injection on actual (non-preflight) responses: the middleware `#[cors]` adds to the
//! route as its outermost `wrap`.

use std::fmt;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
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
pub struct Cors {
    policy: Rc<Policy>,
}

impl Cors {
    /// Middleware for `policy`.
    pub(crate) fn new(policy: Rc<Policy>) -> Self {
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
            policy: Rc::clone(&self.policy),
            expose_headers: self.policy.headers().expose_headers,
        }))
    }
}

/// The service [`Cors`] wraps a route in.
pub struct CorsService<S> {
    service: S,
    policy: Rc<Policy>,
    expose_headers: Option<HeaderValue>,
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
        let policy = &*self.policy;
        // Decided before the handler runs, from the first `Origin` value only.
        let origin = if policy.is_any_origin() {
            Some(ANY_ORIGIN.clone())
        } else {
            req.headers()
                .get(ORIGIN)
                .filter(|origin| policy.allows_origin(origin.as_bytes()))
                .cloned()
        };
        let headers = CorsHeaders {
            grant: origin.map(|origin| Grant {
                origin,
                expose_headers: self.expose_headers.clone(),
            }),
            credentials: policy.credentials,
            vary_origin: !policy.is_any_origin(),
        };
        // No clone of the request is kept: actix-web panics when a middleware inside this one
        // mutates a request (`headers_mut`, `head_mut`, `match_info_mut`) that is shared.
        CorsFuture {
            future: self.service.call(req),
            headers: Some(headers),
        }
    }
}

/// What an actual response of one request gets, decided when the request arrives.
#[derive(Debug)]
struct CorsHeaders {
    /// `Some` when the origin is allowed (always, for a plain `"*"` policy).
    grant: Option<Grant>,
    credentials: bool,
    /// `false` for a plain `"*"` policy, whose responses do not depend on the origin.
    vary_origin: bool,
}

#[derive(Debug, Clone)]
struct Grant {
    /// The request's origin, or `*`.
    origin: HeaderValue,
    expose_headers: Option<HeaderValue>,
}

impl CorsHeaders {
    /// Adds the headers to a response.
    fn apply(self, headers: &mut HeaderMap) {
        if let Some(grant) = self.grant {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, grant.origin);
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
            }
            if let Some(value) = grant.expose_headers {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, value);
            }
        }
        if self.vary_origin {
            append_vary_origin(headers);
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`CorsService`].
    pub struct CorsFuture<F> {
        #[pin]
        future: F,
        headers: Option<CorsHeaders>,
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
        let Some(headers) = this.headers.take() else {
            // Polled again after completion: nothing left to add.
            return Poll::Ready(result);
        };
        Poll::Ready(match result {
            Ok(mut response) => {
                headers.apply(response.headers_mut());
                Ok(response)
            }
            // An error from a middleware inside this one (the route's own `wrap`): handler and
            // extractor errors are responses already. actix-web turns it into its response
            // further out, through `error_response`, which `WithCors` extends with the headers.
            Err(error) => Err(Error::from(WithCors { error, headers })),
        })
    }
}

/// An error from inside the route, whose response gets the CORS headers of the request.
struct WithCors {
    error: Error,
    headers: CorsHeaders,
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
        let headers = CorsHeaders {
            grant: self.headers.grant.clone(),
            credentials: self.headers.credentials,
            vary_origin: self.headers.vary_origin,
        };
        headers.apply(response.headers_mut());
        response
    }
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
