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
}

impl Preflight {
    /// The preflight service for the route at `path` (relative to the enclosing scope, as the
    /// route attribute wrote it).
    pub(crate) fn new(path: &'static str, policy: Rc<Compiled>) -> Self {
        Self { path, policy }
    }
}

impl HttpServiceFactory for Preflight {
    fn register(self, config: &mut AppService) {
        // The same rule actix-web's `Resource` applies to its path.
        let rdef = if (config.is_root() || !self.path.is_empty()) && !self.path.starts_with('/') {
            ResourceDef::new(format!("/{}", self.path))
        } else {
            ResourceDef::new(self.path)
        };
        let guard: Box<dyn Guard> = Box::new(PreflightGuard(Rc::clone(&self.policy)));
        let service = PreflightService {
            policy: self.policy,
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
/// allowed, `403` without any `Access-Control-Allow-*` header otherwise.
#[derive(Clone)]
struct PreflightService {
    policy: Rc<Compiled>,
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
        let response = answer(&self.policy, req.headers());
        ready(Ok(req.into_response(response)))
    }
}

/// The preflight response for the request headers `headers` under `policy`.
pub(crate) fn answer(policy: &Compiled, headers: &HeaderMap) -> HttpResponse {
    let origin = headers
        .get(ORIGIN)
        .filter(|origin| policy.allows_origin(origin.as_bytes()));
    let granted = origin.filter(|_| {
        // The guard let through only methods the route serves; when it allows them all, the
        // method needs no second look.
        (policy.methods_implied
            || headers
                .get(ACCESS_CONTROL_REQUEST_METHOD)
                .is_some_and(|m| policy.allows_method(m.as_bytes())))
            && policy.allows_request_headers(headers)
    });
    let Some(origin) = granted else {
        let mut refused = HttpResponse::new(StatusCode::FORBIDDEN);
        refused.headers_mut().insert(VARY, PREFLIGHT_VARY.clone());
        return refused;
    };
    let mut response = HttpResponse::new(StatusCode::NO_CONTENT);
    let out = response.headers_mut();
    let allow_origin = if policy.is_any_origin() {
        ANY_ORIGIN.clone()
    } else {
        origin.clone()
    };
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
