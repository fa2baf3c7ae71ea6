//! What the code `#[cors]` generates for a route calls at registration: the route's policy,
//! decoded once per worker, and the parts made from it (the anchor, the method guard, the
//! middleware that answers preflights and adds headers).

use std::rc::Rc;

use actix_web::dev::HttpServiceFactory;
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use actix_web::http::Method;

use crate::anchor::{Anchor, AnchorEntry, PolicyRef, Site};
use crate::compiled::Compiled;
use crate::response::RouteCors;

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
                match crate::config::resolve(&label, handler, &policy, None) {
                    Ok(resolved) => Compiled::with_headers(resolved, headers)
                        .with_provenance(crate::config::provenance(&policy, None)),
                    Err(error) => crate::config::exit(&error),
                }
            }
            Err(error) => disabled(&error),
        };
        Self {
            policy: Rc::new(policy),
        }
    }

    /// A route's policy taken from a named policy (`#[cors(policy = Api)]`): the named policy,
    /// its origins resolved once for the process, narrowed to the methods `routed` the route
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
    /// The anchor, registered beside the route's resource (it matches no path).
    pub fn anchor(&self) -> impl HttpServiceFactory {
        Anchor(Rc::clone(&self.0))
    }

    /// The resource's method guard: the methods the route serves, and preflights for them.
    pub fn methods(&self) -> RoutedMethods {
        RoutedMethods(Rc::clone(&self.0))
    }

    /// One of the route's own guards, which a preflight (carrying none of the actual request's
    /// headers) skips: the route's policy then refuses it.
    pub fn guard<G: Guard>(&self, guard: G) -> UnlessPreflight<G> {
        UnlessPreflight(Rc::clone(&self.0), guard)
    }

    /// The middleware that answers the route's preflights and adds CORS headers to its
    /// responses, the resource's outermost `wrap`.
    pub fn middleware(&self) -> RouteCors {
        RouteCors::new(Rc::clone(&self.0))
    }
}

/// What a route gets when its policy text cannot be read: it answers nothing, and says so.
fn disabled(error: &str) -> Compiled {
    eprintln!("cors-runtime: cannot read a #[cors] policy ({error}); its route is disabled");
    Compiled::deny_all()
}

/// `true` for a preflight for a method the route serves.
fn is_preflight_for(anchor: &AnchorEntry, ctx: &GuardContext<'_>) -> bool {
    let head = ctx.head();
    head.method == Method::OPTIONS
        && head.headers.contains_key(ORIGIN)
        && head
            .headers
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| anchor.policy.routes_method(m.as_bytes()))
}

/// Passes requests whose method the route serves, and preflights for them: what `guard::Get()`
/// and friends are to actix-web's own route macros, read from the policy, so standard and custom
/// methods (`QUERY`) are handled alike.
pub struct RoutedMethods(Rc<AnchorEntry>);

impl Guard for RoutedMethods {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        self.0
            .policy
            .routes_method(ctx.head().method.as_str().as_bytes())
            || is_preflight_for(&self.0, ctx)
    }
}

/// A route's own guard, skipped by preflights for the route (see [`RouteParts::guard`]).
pub struct UnlessPreflight<G>(Rc<AnchorEntry>, G);

impl<G: Guard> Guard for UnlessPreflight<G> {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        is_preflight_for(&self.0, ctx) || self.1.check(ctx)
    }
}
