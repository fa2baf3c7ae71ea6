//! What the code `#[cors]` generates for a route calls at registration: the route's policy,
//! decoded once per worker, and the parts made from it (the anchor, the method guard, the
//! preflight resource, the middleware that adds headers).

use std::rc::Rc;

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{
    AppService, HttpServiceFactory, RequestHead, ResourceDef, Service, ServiceFactory,
    ServiceRequest, ServiceResponse,
};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use actix_web::http::Method;
use actix_web::{Error, Resource};

use crate::anchor::{Anchor, AnchorEntry, PolicyRef, Site};
use crate::compiled::Compiled;
use crate::preflight::Refused;
use crate::response::RouteCors;
use crate::Refusal;

/// One annotated route's policy.
pub struct RoutePolicy {
    policy: Rc<Compiled>,
}

impl RoutePolicy {
    /// Decodes the policy text the macro generated. Text this runtime cannot read (only possible
    /// with a `cors-macros` of another version, which the exact version pin rules out) yields a
    /// route that answers nothing, reported on standard error, never a panic.
    ///
    /// Origins from the environment (`env("VAR")`) are read and checked here, when the app is
    /// built: a bad value stops the process with the message (see `crate::config`).
    pub fn new(encoded: &'static str, handler: &str) -> Self {
        let policy = match Compiled::decode_parts(encoded) {
            Ok((policy, headers)) => {
                let label = format!("of handler `{handler}`");
                let env = crate::config::Env::Process;
                match crate::config::resolve(&label, handler, &policy, env, None) {
                    Ok(resolved) => Compiled::with_headers(resolved.policy, headers)
                        .with_provenance(resolved.provenance),
                    Err(error) => crate::config::exit(&error),
                }
            }
            Err(error) => disabled(&error),
        };
        Self {
            policy: Rc::new(policy),
        }
    }

    /// A route's policy taken from a named policy (`#[cors(policy = Api)]`): the named policy
    /// as `Api::cors()` gives it (its origins resolved once for the process, or handed over by
    /// the last successful `Api::with_origins`), narrowed to the methods `routed` the route
    /// serves.
    pub fn named(policy: crate::Cors, routed: &[&str]) -> Self {
        let routed: Vec<String> = routed.iter().map(|m| (*m).to_owned()).collect();
        Self {
            policy: Rc::new(Compiled::from_policy(policy.model().for_route(&routed))),
        }
    }

    /// The route at `path` (relative to the enclosing scope, as the route attribute wrote it),
    /// `guarded` when it has `guard`s: its anchor, for the policies around it to find, and the
    /// parts registered with its resource.
    pub fn route(&self, path: &str, guarded: bool) -> RouteParts {
        // Exactly the path actix-web's `Resource` registers the route on: a leading `/` is
        // added to a non-empty path without one, and an empty path stays empty.
        let relative = if !path.is_empty() && !path.starts_with('/') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        let site = Site::Route { relative, guarded };
        RouteParts(AnchorEntry::new(
            site,
            PolicyRef::Route(Rc::clone(&self.policy)),
        ))
    }
}

/// What `#[cors]` registers for one route: see [`RoutePolicy::route`].
pub struct RouteParts(Rc<AnchorEntry>);

impl RouteParts {
    /// The route's resource at `path`, named `name`, with its method guard: what the route
    /// attribute's own guards, wrappers and handler are added to.
    pub fn resource(&self, path: &str, name: &str) -> Resource {
        Resource::new(path).name(name).guard(self.methods())
    }

    /// Registers the route's `resource` (from [`RouteParts::resource`], with the route's own
    /// guards, wrappers and handler) wrapped, outermost, in the route's CORS middleware, then
    /// what goes beside it: its preflight resource and its anchor. Generic here rather than written
    /// out in each handler's expansion, so that the compiler checks the middleware's bounds
    /// once, in this crate, instead of once per handler.
    pub fn register<T, B>(self, resource: Resource<T>, config: &mut AppService)
    where
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            > + 'static,
        B: MessageBody + 'static,
    {
        HttpServiceFactory::register(resource.wrap(self.middleware()), config);
        self.register_beside(config);
    }

    /// The resource's method guard: the methods the route serves, preflights for them aside.
    fn methods(&self) -> RoutedMethods {
        RoutedMethods(Rc::clone(&self.0))
    }

    /// The middleware that adds CORS headers to the route's responses, the resource's outermost
    /// `wrap`.
    fn middleware(&self) -> RouteCors {
        RouteCors::new(Rc::clone(&self.0))
    }

    /// Registers what goes beside the route's resource, after it: its preflight resource (on
    /// the same path, after the route's resource, so the user's resource map answers as before:
    /// actix-web's `match_name` and `match_pattern` take the first resource whose pattern
    /// matches; it answers the preflights for the methods the route serves where no policy
    /// outside the route answers them first) and its anchor (which matches no path).
    fn register_beside(self, config: &mut AppService) {
        HttpServiceFactory::register(Preflight(Rc::clone(&self.0)), config);
        HttpServiceFactory::register(Anchor(self.0), config);
    }
}

/// What a route gets when its policy text cannot be read: it answers nothing, and says so.
fn disabled(error: &str) -> Compiled {
    eprintln!("cors-runtime: cannot read a #[cors] policy ({error}); its route is disabled");
    Compiled::deny_all()
}

/// `true` for a preflight for a method the route serves.
fn is_preflight_for(anchor: &AnchorEntry, head: &RequestHead) -> bool {
    head.method == Method::OPTIONS
        && head.headers.contains_key(ORIGIN)
        && head
            .headers
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| anchor.policy.routes_method(m.as_bytes()))
}

/// Passes requests whose method the route serves, preflights for them aside (they go to the
/// route's preflight resource, even for a route that serves `OPTIONS`): what `guard::Get()` and
/// friends are to actix-web's own route macros, read from the policy, so standard and custom
/// methods (`QUERY`) are handled alike.
pub struct RoutedMethods(Rc<AnchorEntry>);

impl Guard for RoutedMethods {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let head = ctx.head();
        self.0.policy.routes_method(head.method.as_str().as_bytes())
            && !is_preflight_for(&self.0, head)
    }
}

/// Registers a route's preflight resource: see [`RouteParts::preflight`].
pub struct Preflight(Rc<AnchorEntry>);

impl HttpServiceFactory for Preflight {
    fn register(self, config: &mut AppService) {
        let Site::Route { relative, .. } = &self.0.site else {
            return;
        };
        let rdef = ResourceDef::new(relative.as_str());
        let guard: Box<dyn Guard> = Box::new(PreflightGuard(Rc::clone(&self.0)));
        config.register_service(rdef, Some(vec![guard]), PreflightService(self.0), None);
    }
}

/// Matches the preflights the route answers: `OPTIONS`, an `Origin`, and an
/// `Access-Control-Request-Method` the route serves. A preflight for a method no handler on the
/// path serves matches no preflight resource and falls through to the app's default service.
struct PreflightGuard(Rc<AnchorEntry>);

impl Guard for PreflightGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        is_preflight_for(&self.0, ctx.head())
    }
}

/// Answers a preflight: `204` with the grant when origin, method and every requested header are
/// allowed, `403` without any `Access-Control-Allow-*` header otherwise (always, for a route with
/// guards).
#[derive(Clone)]
struct PreflightService(Rc<AnchorEntry>);

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
        let policy = &*self.0.policy;
        let decision = if self.0.guarded() {
            Err(Refused::new(Refusal::PreflightOnGuardedRoute))
        } else {
            crate::preflight::decide(policy, req.headers())
        };
        crate::events::preflight(req.request(), decision.as_ref().map(|_| ()).map_err(|r| *r));
        let response = crate::preflight::respond(policy, decision, req.headers());
        ready(Ok(req.into_response(response)))
    }
}
