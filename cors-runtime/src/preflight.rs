//! The preflight service: `OPTIONS` with `Origin` and an `Access-Control-Request-Method` the
//! route serves, registered by `#[cors]` on the handler's path before the handler itself.
//!
//! Each annotated handler registers its own preflight service, guarded on the methods it routes,
//! so two handlers on one path keep their own policies: actix-web tries resources in
//! registration order and skips those whose guards do not match.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::dev::{
    AppService, HttpServiceFactory, ResourceDef, Service, ServiceFactory, ServiceRequest,
    ServiceResponse,
};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::{Error, HttpResponse};

use crate::compiled::Compiled;
use crate::response::{ANY_ORIGIN, TRUE};

/// Preflight responses depend on all three request headers.
static PREFLIGHT_VARY: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);

/// Registers the preflight service of one annotated handler.
pub struct Preflight {
    path: &'static str,
    policy: Rc<Compiled>,
    grants: bool,
}

impl Preflight {
    /// The preflight service for the route at `path` (relative to the enclosing scope, as the
    /// route attribute wrote it). With `grants` false it refuses every preflight it matches: the
    /// route has `guard`s, which a preflight cannot be checked against (it carries none of the
    /// actual request's headers), so a grant could let through a request that another handler,
    /// under another policy or none, then serves.
    pub(crate) fn new(path: &'static str, policy: Rc<Compiled>, grants: bool) -> Self {
        Self {
            path,
            policy,
            grants,
        }
    }
}

impl HttpServiceFactory for Preflight {
    fn register(self, config: &mut AppService) {
        // Exactly the path actix-web's `Resource` registers the route on: a leading `/` is
        // added to a non-empty path without one, and an empty path stays empty (at the root it
        // then matches no request, and neither must the preflight).
        let mut rdef = if !self.path.is_empty() && !self.path.starts_with('/') {
            ResourceDef::new(format!("/{}", self.path))
        } else {
            ResourceDef::new(self.path)
        };
        let guard: Box<dyn Guard> = Box::new(PreflightGuard(Rc::clone(&self.policy)));
        let listed = crate::listing::route(&mut rdef, &self.policy, self.grants);
        let service = PreflightService {
            policy: self.policy,
            grants: self.grants,
            _listed: listed,
        };
        config.register_service(rdef, Some(vec![guard]), service, None);
    }
}

/// Matches the preflights this policy answers: `OPTIONS`, an `Origin`, and an
/// `Access-Control-Request-Method` the route serves. A preflight for a method no handler on the
/// path serves matches no preflight service and falls through to the app's default service.
struct PreflightGuard(Rc<Compiled>);

impl Guard for PreflightGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let head = ctx.head();
        head.method == Method::OPTIONS
            && head.headers.contains_key(ORIGIN)
            && head
                .headers
                .get(ACCESS_CONTROL_REQUEST_METHOD)
                .is_some_and(|m| self.0.routes_method(m.as_bytes()))
    }
}

/// Answers a preflight: `204` with the grant when origin, method and every requested header are
/// allowed, `403` without any `Access-Control-Allow-*` header otherwise (always, for a route with
/// guards).
#[derive(Clone)]
struct PreflightService {
    policy: Rc<Compiled>,
    grants: bool,
    /// The route's entry in the policy listing, kept as long as the app.
    _listed: Rc<crate::listing::RouteEntry>,
}

impl ServiceFactory<ServiceRequest> for PreflightService {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = PreflightService;
    type InitError = ();
    type Future = Ready<Result<Self::Service, Self::InitError>>;

    fn new_service(&self, _: ()) -> Self::Future {
        ready(Ok(self.clone()))
    }
}

impl Service<ServiceRequest> for PreflightService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = Ready<Result<Self::Response, Self::Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, req: ServiceRequest) -> Self::Future {
        crate::nesting::answered(&req);
        let response = if self.grants {
            answer(&self.policy, req.headers())
        } else {
            refused()
        };
        crate::events::preflight(
            req.request(),
            &self.policy,
            response.status() == StatusCode::NO_CONTENT,
            !self.grants,
        );
        ready(Ok(req.into_response(response)))
    }
}

/// A refused preflight: `403`, no grant, the preflight `Vary`.
pub(crate) fn refused() -> HttpResponse {
    let mut refused = HttpResponse::new(StatusCode::FORBIDDEN);
    refused.headers_mut().insert(VARY, PREFLIGHT_VARY.clone());
    refused
}

/// The preflight response for the request headers `headers` under `policy`.
pub(crate) fn answer(policy: &Compiled, headers: &HeaderMap) -> HttpResponse {
    respond(policy, decide(policy, headers))
}

/// What a preflight gets: `Some(Access-Control-Allow-Origin value)` when the origin, the method
/// and every requested header are allowed, else `None`.
pub(crate) fn decide(policy: &Compiled, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(ORIGIN)?;
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
pub(crate) fn decide_with<'a>(
    policy: &Compiled,
    origin: &HeaderValue,
    method: impl FnOnce() -> Option<&'a HeaderValue>,
    headers: &HeaderMap,
) -> Option<HeaderValue> {
    if !policy.allows_origin(origin.as_bytes()) {
        return None;
    }
    // The guard let through only methods the route serves; when it allows them all, the method
    // needs no second look.
    let granted = (policy.methods_implied
        || method().is_some_and(|m| policy.allows_method(m.as_bytes())))
        && policy.allows_request_headers(headers);
    if !granted {
        return None;
    }
    Some(if policy.is_any_origin() {
        ANY_ORIGIN.clone()
    } else {
        origin.clone()
    })
}

/// The preflight response for a decision of [`decide`]: `204` with the grant, or `403`.
pub(crate) fn respond(policy: &Compiled, allow_origin: Option<HeaderValue>) -> HttpResponse {
    let Some(allow_origin) = allow_origin else {
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
    if let Some(value) = &policy.headers.allow_headers {
        out.insert(ACCESS_CONTROL_ALLOW_HEADERS, value.clone());
    }
    if let Some(value) = &policy.headers.max_age {
        out.insert(ACCESS_CONTROL_MAX_AGE, value.clone());
    }
    out.insert(VARY, PREFLIGHT_VARY.clone());
    response
}
