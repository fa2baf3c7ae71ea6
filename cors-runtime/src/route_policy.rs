//! What the code `#[cors]` generates for a route calls at registration: the route's policy,
//! decoded once per worker, and the parts made from it (the preflight service, the method guard,
//! the header middleware).

use std::rc::Rc;

use actix_web::guard::{Guard, GuardContext};

use crate::compiled::Compiled;
use crate::preflight::Preflight;
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
        Self::registered(policy)
    }

    /// A route's policy taken from a named policy (`#[cors(policy = Api)]`): the named policy,
    /// its origins resolved once for the process, narrowed to the methods `routed` the route
    /// serves.
    pub fn named(policy: crate::Cors, routed: &[&str]) -> Self {
        let routed: Vec<String> = routed.iter().map(|m| (*m).to_owned()).collect();
        Self::registered(Compiled::from_policy(policy.model().for_route(&routed)))
    }

    fn registered(policy: Compiled) -> Self {
        Self {
            policy: Rc::new(policy),
        }
    }

    /// The preflight service for the route at `path`.
    pub fn preflight(&self, path: &'static str) -> Preflight {
        Preflight::new(path, Rc::clone(&self.policy), true)
    }

    /// The preflight service for the route at `path` when the route has `guard`s: it refuses
    /// every preflight for the route's methods (see `Preflight::new`).
    pub fn guarded_preflight(&self, path: &'static str) -> Preflight {
        Preflight::new(path, Rc::clone(&self.policy), false)
    }

    /// The route's method guard.
    pub fn methods(&self) -> RoutedMethods {
        RoutedMethods(Rc::clone(&self.policy))
    }

    /// The middleware that adds CORS headers to the route's responses.
    pub fn middleware(&self) -> RouteCors {
        RouteCors::new(Rc::clone(&self.policy))
    }
}

/// What a route gets when its policy text cannot be read: it answers nothing, and says so.
fn disabled(error: &str) -> Compiled {
    eprintln!("cors-runtime: cannot read a #[cors] policy ({error}); its route is disabled");
    Compiled::deny_all()
}

/// Passes requests whose method the route serves: what `guard::Get()` and friends are to
/// actix-web's own route macros, read from the policy, so standard and custom methods (`QUERY`)
/// are handled alike.
pub struct RoutedMethods(Rc<Compiled>);

impl Guard for RoutedMethods {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        self.0.routes_method(ctx.head().method.as_str().as_bytes())
    }
}
