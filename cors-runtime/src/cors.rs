//! The app- and scope-wide middleware of a named policy: `App::new().wrap(Api)`,
//! `web::scope("/api").wrap(Api)`. It answers preflights before routing and adds the response
//! headers to every response beneath it; inner policies (a scope's, a handler's own `#[cors]`)
//! take precedence, as [`crate::nesting`] describes.

use std::cell::{Cell, OnceCell};
use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use actix_web::http::Method;
use actix_web::Error;
use cors_policy::Policy;

use crate::anchor::{AnchorEntry, PolicyRef, Site};
use crate::compiled::Compiled;
use crate::config::{self, ConfiguredOrigins, StartupError};
use crate::nesting::{self, Governing, Nesting};
use crate::preflight::{self, Refused};
use crate::reload::{Current, Held, Snapshot};
use crate::response::{self, CorsFuture, Grant, GrantFuture};
use crate::Refusal;

/// A named policy as middleware for a whole app: what `App::new().wrap(Api)` builds from a
/// policy declared with `#[policy(...)] struct Api;` (or `Api::cors()`, to hold it as a value).
/// It is `Copy`, `Send` and `Sync`: build it once, outside `HttpServer::new`, if you like.
/// Switch it off at run time with actix-web's `middleware::Condition`. For a scope, use
/// [`NamedPolicy::scope`](crate::NamedPolicy::scope) instead of `.wrap`. A policy from
/// configuration can be replaced while the server runs: see [`Cors::reloadable_from_config`].
///
/// Beneath it:
/// - every preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
///   before routing, `204` with the grant or `403`, by the policy that governs the request it
///   announces: a handler's own `#[cors]`, a declared scope's policy, else this one. No
///   middleware, guard, handler or default service of yours runs on a preflight;
/// - every other response gets the headers of the one policy that governs it, decided by the
///   same lookup: handler responses, 404s, the default service, extractor errors, and errors
///   and early responses of middleware inside this one (an authentication middleware's 401, a
///   rate limiter's 429);
/// - a policy this one cannot see (`.wrap` of another policy on a scope or resource inside it,
///   or a second `.wrap` on the app) is reported once, with a `warn` event and on standard
///   error, and fails closed.
#[derive(Clone, Copy, Debug)]
pub struct Cors {
    policy: Held,
    /// The resolved model, for handlers that take this policy (`#[cors(policy = Api)]`).
    model: &'static Policy,
}

impl Cors {
    /// Decodes a named policy's text and reads its origins from `env` and from `configured`.
    /// Text this runtime cannot read, only possible with a `cors-macros` of another version,
    /// gives a policy that grants nothing, reported on standard error.
    pub(crate) fn resolve_in(
        name: &str,
        encoded: &'static str,
        env: config::Env<'_>,
        configured: Option<&ConfiguredOrigins>,
    ) -> Result<Self, StartupError> {
        let (model, compiled) = match Compiled::decode_parts(encoded) {
            Ok((written, headers)) => {
                let resolution =
                    config::resolve(&format!("`{name}`"), name, &written, env, configured)?;
                let compiled = Compiled::with_headers(resolution.policy.clone(), headers)
                    .with_provenance(resolution.provenance);
                (resolution.policy, compiled)
            }
            Err(error) => {
                eprintln!(
                    "cors-runtime: cannot read the policy `{name}` ({error}); it grants nothing"
                );
                (Policy::nothing(), Compiled::deny_all())
            }
        };
        // Once per policy, when the app starts: as good as a `static`.
        Ok(Self {
            policy: Held::Fixed(Box::leak(Box::new(compiled))),
            model: Box::leak(Box::new(model)),
        })
    }

    /// A policy built at start-up from its compiled form and its model, kept for the rest of
    /// the process.
    pub(crate) fn from_parts(compiled: Compiled, model: Policy) -> Self {
        // Once per policy, when the app starts: as good as a `static`.
        Self {
            policy: Held::Fixed(Box::leak(Box::new(compiled))),
            model: Box::leak(Box::new(model)),
        }
    }

    /// A policy from configuration that a [`crate::Reloader`] replaces while the server runs;
    /// `model` is the first version's (for handlers, which keep the policy they were built
    /// with).
    pub(crate) fn reloadable(current: &'static arc_swap::ArcSwap<Compiled>, model: Policy) -> Self {
        Self {
            policy: Held::Reloadable(current),
            model: Box::leak(Box::new(model)),
        }
    }

    /// The policy as a declared scope keeps it: fixed. A named policy is never reloadable; a
    /// reloadable one would give the version in force now, kept for the rest of the process.
    fn fixed(&self) -> &'static Compiled {
        match self.policy {
            Held::Fixed(policy) => policy,
            Held::Reloadable(current) => Box::leak(Box::new(current.load_full())),
        }
    }

    /// The resolved policy.
    pub(crate) fn model(&self) -> &'static Policy {
        self.model
    }
}

/// A policy for one scope, declared where it stands so that the policies around it see it:
/// what [`NamedPolicy::scope`](crate::NamedPolicy::scope) wraps the scope in.
#[doc(hidden)]
pub struct ScopeCors {
    /// Its policy, fixed (a declared scope's policy is a named one, never reloadable).
    policy: &'static Compiled,
    anchor: Rc<AnchorEntry>,
}

impl ScopeCors {
    /// The scope policy of `cors`, and the anchor to register inside the scope.
    pub(crate) fn new(cors: Cors) -> (Self, crate::anchor::Anchor) {
        let policy = cors.fixed();
        let anchor = AnchorEntry::new(Site::Scope, PolicyRef::Named(policy));
        let registered = crate::anchor::Anchor(Rc::clone(&anchor));
        (Self { policy, anchor }, registered)
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware::new(service, self.policy, None)))
    }
}

impl<S, B> Transform<S, ServiceRequest> for ScopeCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let anchor = Some(Rc::clone(&self.anchor));
        let policy = Held::Fixed(self.policy);
        ready(Ok(CorsMiddleware::new(service, policy, anchor)))
    }
}

/// The service [`Cors`] wraps an app (or a declared scope) in.
pub struct CorsMiddleware<S> {
    service: S,
    policy: Current,
    /// Where it stands when declared with `Api::scope`; `None` for `.wrap(Api)`.
    anchor: Option<Rc<AnchorEntry>>,
    /// What it learns from the app's structure at its first request.
    placed: OnceCell<Placed>,
    /// An unseen nesting was found: fail closed. Shared with the response futures (a policy
    /// inside may find the nesting while a request is on its way) and with the policy that
    /// found it.
    conflict: Rc<Cell<bool>>,
    /// This layer's entry in the policy listing.
    listed: crate::listing::Layer,
}

/// What a layer learns at its first request.
struct Placed {
    /// Its inner policies.
    nesting: Nesting,
    /// `.wrap` on a scope or resource: nobody outside can count it, and it cannot see what is
    /// inside it, so it marks every request it passes on ([`nesting::Outer`]) for a policy
    /// inside to find.
    marks: bool,
}

impl<S> CorsMiddleware<S> {
    fn new(service: S, policy: Held, anchor: Option<Rc<AnchorEntry>>) -> Self {
        let conflict = Rc::new(Cell::new(false));
        let listed = crate::listing::Layer::built(policy, anchor.is_some(), Rc::clone(&conflict));
        Self {
            service,
            policy: Current::of(policy),
            anchor,
            placed: OnceCell::new(),
            conflict,
            listed,
        }
    }

    /// Learns, once, where the layer stands. Everything here depends on the app's structure
    /// only: the first request that reaches a layer reaches every layer outside it too.
    fn placed(&self, req: &ServiceRequest) -> &Placed {
        self.placed.get_or_init(|| {
            let matched = req.match_info();
            let at_root = matched.unprocessed().len() == matched.as_str().len();
            let undeclared = self.anchor.is_none();
            // A second `.wrap` on the app, or a `.wrap` on a scope or resource inside it.
            if undeclared && self.listed.mounted(req, at_root) {
                self.found_unseen(req);
            }
            // Inside a `.wrap` on a scope or resource, unless a policy outside counted this one.
            if !self.anchor.as_ref().is_some_and(|a| a.is_claimed())
                && nesting::outer(req, &self.conflict)
            {
                self.found_unseen(req);
            }
            if undeclared && !at_root {
                return Placed {
                    nesting: Nesting::empty(),
                    marks: true,
                };
            }
            Placed {
                nesting: Nesting::build(req, self.anchor.as_ref()),
                marks: false,
            }
        })
    }

    #[cold]
    fn found_unseen(&self, req: &ServiceRequest) {
        self.conflict.set(true);
        crate::events::unseen_nesting(
            req.request(),
            "a policy applied with `.wrap` inside another",
        );
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B, Snapshot>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match &self.policy {
            Current::Fixed(policy) => self.serve(req, policy, || Snapshot::Fixed(policy)),
            Current::Reloadable(latest) => {
                // One load per request: this version answers the whole request (its preflight,
                // or its grant and its response's headers), whatever reloads meanwhile.
                let version = latest.load();
                self.serve(req, &version, || Snapshot::Shared(Rc::clone(&version)))
            }
        }
    }
}

impl<S, B> CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    /// Answers `req` with `own`, this layer's policy for this request; `snapshot` holds `own`
    /// for the response of an actual request.
    #[inline(always)]
    fn serve(
        &self,
        req: ServiceRequest,
        own: &Compiled,
        snapshot: impl FnOnce() -> Snapshot,
    ) -> CorsFuture<S::Future, B, Snapshot> {
        let placed = self.placed(&req);
        if let Some(anchor) = self.anchor.as_ref().filter(|a| a.is_claimed()) {
            // A layer outside answers the preflights and assigns the actual requests it sees; a
            // request it did not see (it is not outside after all) is this layer's to decide.
            match nesting::delegated(&req) {
                Some(Some(id)) if id == anchor.id => {
                    let grant = Grant::decide(snapshot(), &req);
                    let conflict = Some(Rc::clone(&self.conflict));
                    return CorsFuture::Actual {
                        inner: GrantFuture::new(self.service.call(req), grant, conflict),
                    };
                }
                Some(_) => {
                    return CorsFuture::Passed {
                        inner: self.service.call(req),
                    }
                }
                None => {}
            }
        }
        if self.conflict.get() {
            return match response::fail_closed(&req) {
                Some(refused) => CorsFuture::answered(req, refused),
                None => CorsFuture::Passed {
                    inner: self.service.call(req),
                },
            };
        }
        let head = req.head();
        // A preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`, each looked
        // up once and handed to the decision.
        let preflight = (head.method == Method::OPTIONS)
            .then(|| {
                let origin = head.headers.get(ORIGIN)?;
                Some((origin, head.headers.get(ACCESS_CONTROL_REQUEST_METHOD)?))
            })
            .flatten();
        if let Some((origin, method)) = preflight {
            // Answered before routing, by the policy that governs the announced request.
            let governing = if placed.nesting.is_empty() {
                Governing::Own
            } else {
                placed.nesting.lookup(
                    req.resource_map(),
                    req.match_info().as_str(),
                    method.as_bytes(),
                )
            };
            let (policy, decision) = match governing {
                Governing::Own => (
                    own,
                    preflight::decide_with(own, origin, || Some(method), &head.headers),
                ),
                Governing::Inner(entry) if entry.guarded() => (
                    &*entry.policy,
                    Err(Refused::new(Refusal::PreflightOnGuardedRoute)),
                ),
                Governing::Inner(entry) => {
                    let policy = &*entry.policy;
                    let decision =
                        preflight::decide_with(policy, origin, || Some(method), &head.headers);
                    (policy, decision)
                }
                Governing::Unresolved => (own, Err(Refused::new(Refusal::GoverningPolicyUnknown))),
            };
            crate::events::preflight(req.request(), decision.as_ref().map(|_| ()).map_err(|r| *r));
            let response = preflight::respond(policy, decision, &head.headers);
            return CorsFuture::answered(req, response);
        }
        if placed.marks {
            nesting::mark_outer(&req, &self.conflict);
        }
        if !placed.nesting.is_empty() {
            // Every request is assigned, so that the policies inside know this one saw it.
            let governing = placed.nesting.lookup(
                req.resource_map(),
                req.match_info().as_str(),
                head.method.as_str().as_bytes(),
            );
            let (assigned, own) = match governing {
                Governing::Own => (None, true),
                Governing::Inner(entry) => (Some(entry.id), false),
                Governing::Unresolved => (None, false),
            };
            nesting::assign(&req, assigned);
            if !own {
                return CorsFuture::Passed {
                    inner: self.service.call(req),
                };
            }
        }
        let grant = Grant::decide(snapshot(), &req);
        if let Some(refused) = grant.refuses(&req) {
            return CorsFuture::answered(req, refused);
        }
        let conflict = Some(Rc::clone(&self.conflict));
        CorsFuture::Actual {
            inner: GrantFuture::new(self.service.call(req), grant, conflict),
        }
    }
}
