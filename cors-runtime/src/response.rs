//! Header injection on actual (non-preflight) responses: the decision made when a request
//! arrives ([`Grant`]), applied to its response, whatever produced it. Shared by the middleware
//! `#[cors]` adds to its route as the outermost `wrap` ([`RouteCors`]) and by the app- and
//! scope-wide [`crate::Cors`].

use std::future::{ready, Future, Ready};
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use std::cell::Cell;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    ORIGIN, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::{Error, HttpResponse};

use crate::anchor::{AnchorEntry, PolicyRef};
use crate::compiled::Compiled;
use crate::nesting::{self, Decided};

pub(crate) static ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
pub(crate) static TRUE: HeaderValue = HeaderValue::from_static("true");
/// Fetch metadata: where the request comes from, set by the browser (pages cannot).
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
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

impl<P: Deref<Target = Compiled>> Grant<P> {
    /// Defence in depth, for the policy that governs an actual request: `403` before the
    /// handler runs when the request is one no preflight of this policy could have let a browser
    /// send: a cross-origin request (`Sec-Fetch-Site: cross-site` or `same-site`, which only
    /// browsers send and pages cannot set) with a method outside GET, HEAD and POST that this
    /// policy refuses, for its origin or the method. Same-origin requests, which carry `Origin`
    /// too, and clients that send no fetch metadata pass as before.
    #[inline]
    pub(crate) fn refuses(&self, req: &ServiceRequest) -> Option<HttpResponse> {
        let method = req.method();
        if method == Method::GET || method == Method::HEAD || method == Method::POST {
            return None;
        }
        let allowed =
            self.origin.is_some() && self.policy.allows_method(method.as_str().as_bytes());
        if allowed || !cross_origin(req) {
            return None;
        }
        crate::events::actual_refused(req.request());
        Some(refused_actual())
    }
}

/// `true` for a request the browser marks as cross-origin.
fn cross_origin(req: &ServiceRequest) -> bool {
    req.headers()
        .get(SEC_FETCH_SITE)
        .is_some_and(|site| site.as_bytes() == b"cross-site" || site.as_bytes() == b"same-site")
}

/// An actual request refused before the handler: `403`, no CORS headers.
fn refused_actual() -> HttpResponse {
    HttpResponse::new(StatusCode::FORBIDDEN)
}

/// A policy in a nesting it cannot see fails closed: preflights and cross-origin requests with
/// a method outside GET, HEAD and POST get `403` (`Some`); other requests go on without any CORS
/// header (`None`), so a browser lets no page read them.
pub(crate) fn fail_closed(req: &ServiceRequest) -> Option<HttpResponse> {
    let method = req.method();
    if method == Method::OPTIONS && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD) {
        return Some(crate::preflight::refused());
    }
    let simple = method == Method::GET || method == Method::HEAD || method == Method::POST;
    (!simple && req.headers().contains_key(ORIGIN)).then(refused_actual)
}

impl<P: Deref<Target = Compiled> + Clone + 'static> Grant<P> {
    /// The grant applied to the result of the service inside. `conflict`: the flag of the policy
    /// this grant is of, which a policy inside may set while the request is on its way (an
    /// unseen nesting: both fail closed, so no headers).
    pub(crate) fn finish<B>(
        self,
        result: Result<ServiceResponse<B>, Error>,
        conflict: Option<&Cell<bool>>,
    ) -> Result<ServiceResponse<B>, Error> {
        if conflict.is_some_and(Cell::get) {
            return result;
        }
        match result {
            Ok(mut response) => {
                crate::events::actual(response.request(), self.origin.is_some());
                self.apply(response.headers_mut());
                Ok(response)
            }
            // An error from a middleware inside this one (a route's own `wrap`, an app's
            // authentication): handler and extractor errors are responses already. actix-web
            // turns it into its response further out; the mapper adds the headers then, unless
            // a policy inside did. The error itself is untouched, so `as_error::<T>()` in an
            // outer middleware still finds its type.
            Err(mut error) => {
                error.add_response_mapper(move |mut response: HttpResponse| {
                    if !response.extensions().contains::<Decided>() {
                        self.clone().apply(response.headers_mut());
                        response.extensions_mut().insert(Decided);
                    }
                    response
                });
                Err(error)
            }
        }
    }
}

/// The middleware that adds CORS headers to a `#[cors]` route's responses (its preflights have
/// a resource of their own, or are answered by a policy outside).
pub struct RouteCors {
    anchor: Rc<AnchorEntry>,
}

impl RouteCors {
    /// Middleware for the route anchored at `anchor`.
    pub(crate) fn new(anchor: Rc<AnchorEntry>) -> Self {
        Self { anchor }
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
            anchor: Rc::clone(&self.anchor),
            checked: Cell::new(false),
            conflict: Rc::new(Cell::new(false)),
        }))
    }
}

/// The service [`RouteCors`] wraps a route in.
pub struct RouteCorsService<S> {
    service: S,
    anchor: Rc<AnchorEntry>,
    /// The first request has been looked at for a `.wrap` policy outside that could not count
    /// this route.
    checked: Cell<bool>,
    /// Such a policy was found: fail closed.
    conflict: Rc<Cell<bool>>,
}

impl<S, B> Service<ServiceRequest> for RouteCorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = RouteFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let anchor = &self.anchor;
        // No clone of the request is kept: actix-web panics when a middleware inside this one
        // mutates a request (`headers_mut`, `head_mut`, `match_info_mut`) that is shared.
        // A policy outside that counted this route answered its preflights and assigns the
        // actual requests it sees; one it did not see (it is not outside after all) is this
        // route's to decide.
        let assigned = if anchor.is_claimed() {
            nesting::delegated(&req)
        } else {
            None
        };
        if let Some(assigned) = assigned {
            if assigned != Some(anchor.id) {
                return RouteFuture::Passed {
                    inner: self.service.call(req),
                };
            }
        } else if !self.checked.get() {
            self.checked.set(true);
            if nesting::outer(&req, &self.conflict) {
                self.conflict.set(true);
                crate::events::unseen_nesting(
                    req.request(),
                    "a `#[cors]` route inside a policy applied with `.wrap` on a scope or resource",
                );
            }
        }
        if self.conflict.get() {
            return match fail_closed(&req) {
                Some(refused) => RouteFuture::refused(refused),
                None => RouteFuture::Passed {
                    inner: self.service.call(req),
                },
            };
        }
        let grant = Grant::decide(anchor.policy.clone(), &req);
        if let Some(refused) = grant.refuses(&req) {
            return RouteFuture::refused(refused);
        }
        RouteFuture::Actual {
            inner: GrantFuture::new(self.service.call(req), grant, None),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`RouteCorsService`]. A refusal is an error whose response is the
    /// refusal (rare; it keeps the route's response type, and so the resource's, what it was).
    #[project = RouteFutureProj]
    pub enum RouteFuture<F> {
        /// Refused before the handler.
        Refused { error: Option<Error> },
        /// An actual request this policy governs.
        Actual { #[pin] inner: GrantFuture<F, PolicyRef> },
        /// A request another policy governs.
        Passed { #[pin] inner: F },
    }
}

impl<F> RouteFuture<F> {
    fn refused(response: HttpResponse) -> Self {
        RouteFuture::Refused {
            error: Some(Error::from(Refused {
                status: response.status(),
                headers: response.headers().clone(),
            })),
        }
    }
}

impl<F, B> Future for RouteFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<B>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            // Polled again after completion: it stays pending.
            RouteFutureProj::Refused { error } => match error.take() {
                Some(error) => Poll::Ready(Err(error)),
                None => Poll::Pending,
            },
            RouteFutureProj::Actual { inner } => inner.poll(cx),
            RouteFutureProj::Passed { inner } => inner.poll(cx),
        }
    }
}

/// A request a route's policy refused before its handler: its response is the refusal, with no
/// body and no CORS header (see [`Grant::refuses`] and [`fail_closed`]).
#[derive(Debug)]
struct Refused {
    status: StatusCode,
    /// A refused preflight's `Vary`, if any.
    headers: HeaderMap,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused by the route's CORS policy")
    }
}

impl actix_web::ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::new(self.status);
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        // Decided: the policies around the route add nothing to it.
        response.extensions_mut().insert(Decided);
        response
    }
}

pin_project_lite::pin_project! {
    /// The response future of the CORS middleware.
    #[project = CorsFutureProj]
    pub enum CorsFuture<F, B, P> {
        /// Answered here: a preflight, or a refusal.
        Answered { response: Option<ServiceResponse<EitherBody<B>>> },
        /// An actual request this policy governs.
        Actual { #[pin] inner: GrantFuture<F, P> },
        /// A request another policy governs.
        Passed { #[pin] inner: F },
    }
}

impl<F, B, P> CorsFuture<F, B, P> {
    pub(crate) fn answered(req: ServiceRequest, response: HttpResponse) -> Self {
        CorsFuture::Answered {
            response: Some(req.into_response(response).map_into_right_body()),
        }
    }
}

impl<F, B, P> Future for CorsFuture<F, B, P>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
    P: Deref<Target = Compiled> + Clone + 'static,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            // Polled again after completion: it stays pending.
            CorsFutureProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Pending,
            },
            CorsFutureProj::Actual { inner } => inner
                .poll(cx)
                .map(|result| result.map(ServiceResponse::map_into_left_body)),
            CorsFutureProj::Passed { inner } => inner
                .poll(cx)
                .map(|result| result.map(ServiceResponse::map_into_left_body)),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of an actual request: the inner service's, then the grant.
    pub struct GrantFuture<F, P> {
        #[pin]
        future: F,
        grant: Option<Grant<P>>,
        conflict: Option<Rc<Cell<bool>>>,
    }
}

impl<F, P> GrantFuture<F, P> {
    /// `conflict`: the flag of a layer that may have an unseen policy inside (see
    /// [`Grant::finish`]).
    pub(crate) fn new(future: F, grant: Grant<P>, conflict: Option<Rc<Cell<bool>>>) -> Self {
        Self {
            future,
            grant: Some(grant),
            conflict,
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
            Some(grant) => grant.finish(result, this.conflict.as_deref()),
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
