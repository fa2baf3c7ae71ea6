//! Which policy governs a request when policies nest: an app-wide one, scopes declared inside
//! it, and handlers' own `#[cors]`.
//!
//! What always holds:
//! 1. A preflight for a path and method is decided by the policy that governs the actual request
//!    for that path and method: the innermost policy whose route or scope it falls in. Where the
//!    app's structure cannot tell (a route shadowed by an earlier one, a route outside the scope
//!    that also covers the path), it is refused.
//! 2. The outermost policy answers every preflight before routing: no middleware, guard,
//!    handler or default service of the user runs on one.
//! 3. What decides is the app's structure ([`crate::anchor`]) and the request's method, path and
//!    CORS headers: nothing learnt from earlier requests, `Host` or forwarding headers, other
//!    apps on the thread, or type names.
//! 4. A response carries one policy's headers: the outermost policy assigns each actual request
//!    to the policy that governs it ([`Delegated`]), with the very lookup that decides
//!    preflights, and only that policy adds its headers.
//!
//! A policy that cannot be seen from the app's structure (`.wrap(Api)` on a scope or resource,
//! or a second `.wrap` on the app) cannot be taken into account by the policies around it. Such
//! a nesting is refused, found once, at the first request that reaches the inner policy (which
//! reaches every policy outside it too): two `.wrap` layers of one app at its root find each
//! other in the listing's record of the app's layers; a `.wrap` on a scope or resource finds an
//! app-wide one there, and marks the requests it passes on ([`Outer`]) for the policies inside it.
//! Both report the shape once (a `warn` event and standard error) and fail closed from then on.

use std::cell::Cell;
use std::rc::Rc;

use actix_web::dev::{ResourceDef, ResourceMap, ServiceRequest};
use actix_web::HttpMessage;

use crate::anchor::{self, AnchorEntry};

/// The inner policies of one layer, with their full patterns compiled.
pub(crate) struct Nesting {
    /// `#[cors]` routes, in registration order.
    routes: Vec<Inner>,
    /// Declared scopes, deepest first.
    scopes: Vec<Inner>,
}

struct Inner {
    entry: Rc<AnchorEntry>,
    rdef: ResourceDef,
}

/// Who decides a request.
pub(crate) enum Governing<'a> {
    /// The layer's own policy.
    Own,
    /// An inner policy.
    Inner(&'a Rc<AnchorEntry>),
    /// Nobody can be sure: refuse.
    Unresolved,
}

impl Nesting {
    /// The inner policies of a layer standing at `own` (a declared scope), or at the app's root
    /// (`None`): the anchors of `req`'s app under it. Each is claimed: from now on this layer
    /// answers its preflights. Built once per layer, from the app's structure alone.
    pub(crate) fn build(req: &ServiceRequest, own: Option<&Rc<AnchorEntry>>) -> Self {
        let prefix = own.map(|own| own.full_pattern().to_owned());
        let mut routes = Vec::new();
        let mut scopes = Vec::new();
        for entry in anchor::of_app(req.request()) {
            if own.is_some_and(|own| Rc::ptr_eq(own, &entry)) {
                continue;
            }
            let full = entry.full_pattern();
            if prefix.as_deref().is_some_and(|prefix| !under(full, prefix)) {
                continue;
            }
            let Some(rdef) = compile(full, entry.is_scope()) else {
                continue;
            };
            entry.claim();
            let inner = Inner { entry, rdef };
            if inner.entry.is_scope() {
                scopes.push(inner);
            } else {
                routes.push(inner);
            }
        }
        // Deepest first: a longer prefix is deeper; of two alike, the later one is inside.
        scopes.sort_by(|a, b| {
            let key = |i: &Inner| (i.entry.full_pattern().len(), i.entry.id);
            key(b).cmp(&key(a))
        });
        Self { routes, scopes }
    }

    /// No inner policy.
    pub(crate) fn empty() -> Self {
        Self {
            routes: Vec::new(),
            scopes: Vec::new(),
        }
    }

    /// `true` when no policy is inside.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.scopes.is_empty()
    }

    /// The policy that governs a request for `path` with `method` (the actual request's, or a
    /// preflight's `Access-Control-Request-Method`).
    pub(crate) fn lookup(&self, rmap: &ResourceMap, path: &str, method: &[u8]) -> Governing<'_> {
        let route = self
            .routes
            .iter()
            .find(|r| r.entry.policy.routes_method(method) && r.rdef.is_match(path));
        let scope = self.scopes.iter().find(|s| s.rdef.is_match(path));
        if route.is_none() && scope.is_none() {
            return Governing::Own;
        }
        // Where routing takes the path, guards aside: the first resource whose pattern matches.
        let first = rmap.match_pattern(path);
        let first = first.as_deref();
        if let Some(route) = route {
            let pattern = route.entry.full_pattern();
            let inside = scope.is_none_or(|s| under(pattern, s.entry.full_pattern()));
            // Shadowed by an earlier route of another pattern, or outside the scope that also
            // covers the path: which one serves the request depends on registration order and
            // guards the preflight cannot be checked against.
            if first == Some(pattern) && inside {
                return Governing::Inner(&route.entry);
            }
            if scope.is_none() {
                return Governing::Unresolved;
            }
        }
        match scope {
            Some(scope) if first.is_none_or(|f| under(f, scope.entry.full_pattern())) => {
                Governing::Inner(&scope.entry)
            }
            _ => Governing::Unresolved,
        }
    }
}

/// `pattern` lies under the scope prefix `prefix` (segment-wise).
fn under(pattern: &str, prefix: &str) -> bool {
    match pattern.strip_prefix(prefix) {
        Some(rest) => {
            prefix.is_empty() || prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/')
        }
        None => false,
    }
}

/// The full pattern as a matcher: a prefix for a scope, the whole path for a route. Every part
/// of it was accepted by actix-web already; a concatenation it refuses leaves the policy out
/// (then its paths are refused where it matters: see [`Nesting::lookup`]).
fn compile(full: &str, prefix: bool) -> Option<ResourceDef> {
    let full = full.to_owned();
    std::panic::catch_unwind(move || {
        if prefix {
            ResourceDef::root_prefix(&full)
        } else {
            ResourceDef::new(full)
        }
    })
    .ok()
}

/// Set on every request a `.wrap` layer on a scope or resource passes on, with that layer's
/// fail-closed flag: a policy inside it that nobody counted finds it at its first request, and
/// both fail closed. (An app-wide `.wrap` needs no mark: stacked ones find each other through the
/// listing's record of the app's layers, once, at their first request.)
pub(crate) struct Outer(Rc<Cell<bool>>);

/// Set by an outermost layer that has policies inside it on every request an inner policy
/// governs: that policy's anchor id. A policy inside finds out from it which requests are its
/// own; from [`NotDelegated`], that the layer governs the request (or nobody may: an unresolved
/// lookup); and from the absence of both, that a layer which counted it does not stand outside it
/// after all (a `.wrap` on a scope with an empty prefix looks like the app's): it then decides
/// alone.
pub(crate) struct Delegated(u64);

/// Set instead of [`Delegated`] on the other requests that layer sees: no policy inside may
/// decide them. Zero-sized, so marking the requests the layer governs itself, the most frequent,
/// allocates nothing.
pub(crate) struct NotDelegated;

/// Set on an error's response whose headers a policy has applied: the layers around it add none.
pub(crate) struct Decided;

/// A `.wrap` layer on a scope or resource passes `req` on.
#[inline]
pub(crate) fn mark_outer(req: &ServiceRequest, conflict: &Rc<Cell<bool>>) {
    req.extensions_mut().insert(Outer(Rc::clone(conflict)));
}

/// At a policy's first request: `true` when a `.wrap` layer outside it that could not count it
/// marked `req`. That layer is set to fail closed (`own` is the caller's flag, set by the
/// caller).
pub(crate) fn outer(req: &ServiceRequest, own: &Rc<Cell<bool>>) -> bool {
    match req.extensions().get::<Outer>() {
        Some(Outer(flag)) if !Rc::ptr_eq(flag, own) => {
            flag.set(true);
            true
        }
        _ => false,
    }
}

/// An outermost layer with policies inside it assigns `req` to the inner policy `assigned`, or
/// (`None`) to none of them.
#[inline]
pub(crate) fn assign(req: &ServiceRequest, assigned: Option<u64>) {
    match assigned {
        Some(id) => {
            req.extensions_mut().insert(Delegated(id));
        }
        None => {
            req.extensions_mut().insert(NotDelegated);
        }
    }
}

/// The inner policy an outer layer assigned `req` to (`Some(None)`: none of them), or `None`
/// when no layer outside assigned it.
#[inline]
pub(crate) fn delegated(req: &ServiceRequest) -> Option<Option<u64>> {
    let extensions = req.extensions();
    match extensions.get::<Delegated>() {
        Some(Delegated(id)) => Some(Some(*id)),
        None => extensions.contains::<NotDelegated>().then_some(None),
    }
}
