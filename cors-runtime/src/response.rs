//! Header injection on actual (non-preflight) responses: the middleware `#[cors]` adds to the
//! route as its outermost `wrap`.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ORIGIN, VARY,
};
use actix_web::Error;

use crate::compiled::Compiled;

pub(crate) static ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
pub(crate) static TRUE: HeaderValue = HeaderValue::from_static("true");
static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");

/// The middleware that adds CORS headers to a route's responses.
pub struct Cors {
    policy: Rc<Compiled>,
}

impl Cors {
    /// Middleware for `policy`.
    pub(crate) fn new(policy: Rc<Compiled>) -> Self {
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
        }))
    }
}

/// The service [`Cors`] wraps a route in.
pub struct CorsService<S> {
    service: S,
    policy: Rc<Compiled>,
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
        // No clone of the request is kept: actix-web panics when a middleware inside this one
        // mutates a request (`headers_mut`, `head_mut`, `match_info_mut`) that is shared.
        CorsFuture {
            future: self.service.call(req),
            grant: Some(Grant {
                policy: Rc::clone(&self.policy),
                origin,
            }),
        }
    }
}

/// What the actual response of one request gets, decided when the request arrives.
#[derive(Clone)]
struct Grant {
    policy: Rc<Compiled>,
    /// The request's origin when allowed, `*` for a plain `"*"` policy, else `None`.
    origin: Option<HeaderValue>,
}

impl Grant {
    /// Adds the headers to a response.
    fn apply(self, headers: &mut HeaderMap) {
        let policy = &*self.policy;
        if let Some(origin) = self.origin {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if policy.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
            }
            if let Some(value) = &policy.headers.expose_headers {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, value.clone());
            }
        }
        // A plain `"*"` policy's responses do not depend on the origin: no `Vary`.
        if !policy.is_any_origin() {
            append_vary_origin(headers);
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`CorsService`].
    pub struct CorsFuture<F> {
        #[pin]
        future: F,
        grant: Option<Grant>,
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
        let Some(grant) = this.grant.take() else {
            // Polled again after completion: nothing left to add.
            return Poll::Ready(result);
        };
        Poll::Ready(match result {
            Ok(mut response) => {
                grant.apply(response.headers_mut());
                Ok(response)
            }
            // An error from a middleware inside this one (the route's own `wrap`): handler and
            // extractor errors are responses already. actix-web turns it into its response
            // further out; the mapper adds the headers then. The error itself is untouched, so
            // `as_error::<T>()` in an outer middleware still finds its type.
            Err(mut error) => {
                error.add_response_mapper(move |mut response| {
                    grant.clone().apply(response.headers_mut());
                    response
                });
                Err(error)
            }
        })
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
