//! Header injection on actual (non-preflight) responses: the decision made when a request
//! arrives ([`Grant`]), applied to its response, whatever produced it. Shared by the middleware
//! `#[cors]` adds to its route as the outermost `wrap` ([`RouteCors`]) and by the app- and
//! scope-wide [`crate::Cors`].

use std::future::{ready, Future, Ready};
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ORIGIN, VARY,
};
use actix_web::{Error, HttpResponse};

use crate::compiled::Compiled;
use crate::nesting;

pub(crate) static ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
pub(crate) static TRUE: HeaderValue = HeaderValue::from_static("true");
static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");

/// What the actual response of one request gets, decided when the request arrives. `P` is how
/// the policy is held: `Rc` for a route's, `&'static` for a named one.
#[derive(Clone)]
pub(crate) struct Grant<P> {
    policy: P,
    /// The request's origin when allowed, `*` for a plain `"*"` policy, else `None`.
    origin: Option<HeaderValue>,
}

impl<P: Deref<Target = Compiled>> Grant<P> {
    /// Decides from the request's first `Origin` value.
    #[inline]
    pub(crate) fn decide(policy: P, req: &ServiceRequest) -> Self {
        let origin = if policy.is_any_origin() {
            Some(ANY_ORIGIN.clone())
        } else {
            req.headers()
                .get(ORIGIN)
                .filter(|origin| policy.allows_origin(origin.as_bytes()))
                .cloned()
        };
        Self { policy, origin }
    }

    /// Adds the headers to a response.
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
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

impl<P: Deref<Target = Compiled> + Clone + 'static> Grant<P> {
    /// The grant applied to the result of the service inside, at `depth` (see [`nesting`]).
    pub(crate) fn finish<B>(
        self,
        result: Result<ServiceResponse<B>, Error>,
        depth: Option<u16>,
    ) -> Result<ServiceResponse<B>, Error> {
        match result {
            Ok(mut response) => {
                if nesting::is_innermost(response.request(), depth) {
                    crate::events::actual(response.request(), self.origin.is_some());
                    self.apply(response.headers_mut());
                }
                Ok(response)
            }
            // An error from a middleware inside this one (a route's own `wrap`, an app's
            // authentication): handler and extractor errors are responses already. actix-web
            // turns it into its response further out; the mapper adds the headers then, unless
            // a layer inside did. The error itself is untouched, so `as_error::<T>()` in an outer
            // middleware still finds its type.
            Err(mut error) => {
                error.add_response_mapper(move |mut response: HttpResponse| {
                    if !response.extensions().contains::<nesting::Applied>() {
                        self.clone().apply(response.headers_mut());
                        response.extensions_mut().insert(nesting::Applied);
                    }
                    response
                });
                Err(error)
            }
        }
    }
}

/// The middleware that adds CORS headers to a `#[cors]` route's responses.
pub struct RouteCors {
    policy: Rc<Compiled>,
}

impl RouteCors {
    /// Middleware for `policy`.
    pub(crate) fn new(policy: Rc<Compiled>) -> Self {
        Self { policy }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RouteCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = RouteCorsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RouteCorsService {
            service,
            policy: Rc::clone(&self.policy),
        }))
    }
}

/// The service [`RouteCors`] wraps a route in.
pub struct RouteCorsService<S> {
    service: S,
    policy: Rc<Compiled>,
}

impl<S, B> Service<ServiceRequest> for RouteCorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = GrantFuture<S::Future, Rc<Compiled>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let grant = Grant::decide(Rc::clone(&self.policy), &req);
        // A route is the innermost layer: it only tells the layers around it, if any.
        let depth = nesting::enter(&req, false, false);
        // No clone of the request is kept: actix-web panics when a middleware inside this one
        // mutates a request (`headers_mut`, `head_mut`, `match_info_mut`) that is shared.
        GrantFuture::new(self.service.call(req), grant, depth)
    }
}

pin_project_lite::pin_project! {
    /// The response future of an actual request: the inner service's, then the grant.
    pub struct GrantFuture<F, P> {
        #[pin]
        future: F,
        grant: Option<Grant<P>>,
        depth: Option<u16>,
    }
}

impl<F, P> GrantFuture<F, P> {
    pub(crate) fn new(future: F, grant: Grant<P>, depth: Option<u16>) -> Self {
        Self {
            future,
            grant: Some(grant),
            depth,
        }
    }
}

impl<F, P, B> Future for GrantFuture<F, P>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    P: Deref<Target = Compiled> + Clone + 'static,
{
    type Output = Result<ServiceResponse<B>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = std::task::ready!(this.future.poll(cx));
        Poll::Ready(match this.grant.take() {
            Some(grant) => grant.finish(result, *this.depth),
            // Polled again after completion: nothing left to add.
            None => result,
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
