//! Anchors: how a policy inside an app makes itself known to the policies around it, through
//! the app's own structure rather than through anything a request carries.
//!
//! actix-web tells a service nothing about the scopes it is registered in, and it keeps
//! middleware out of its resource map. What it does keep is the resource map itself: one tree
//! per app, fixed when the app is built, whose nodes know their parents. So every policy that can
//! sit inside another (a `#[cors]` route, a scope declared with
//! [`NamedPolicy::scope`](crate::NamedPolicy::scope)) registers an *anchor* where it stands:
//!
//! - a node whose pattern (`/{__cors_anchor:[^\s\S]}`, a segment no character matches) matches
//!   no path at all, so routing, `match_name`, `match_pattern` and `has_resource` answer exactly
//!   as they would without it, for every path a client can send;
//! - under it, a child node we keep a handle to. Once the app is built, asking that child for its
//!   pattern walks actix-web's parent links up to the app's root: the full pattern of the scope
//!   the anchor stands in, prefixes as written (`/t/{tenant}/api`), whatever request comes first;
//! - a unique name (`__cors_anchor_<n>`) on the leaf, which actix-web copies into every
//!   enclosing map. Whether an app holds an anchor is whether its map knows the name: `url_for`
//!   answers "not enough elements" for a name it knows (the anchor's own segment takes one) and
//!   "not found" for one it does not, before it would read anything from the request.
//!
//! The anchors of a thread are listed in a directory of weak handles, each looked up only by a
//! layer whose own app's map holds its name: another app on the thread, built from the same
//! factory or not, can neither add to nor take from what a layer finds.

use std::cell::{Cell, OnceCell, RefCell};
use std::ops::Deref;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::{
    fn_service, AppService, HttpServiceFactory, ResourceDef, ResourceMap, ServiceRequest,
};
use actix_web::error::UrlGenerationError;
use actix_web::{HttpRequest, HttpResponse};

use crate::compiled::Compiled;

/// The anchor's own segment: a regex that no character matches, so no path matches the node.
const ANCHOR: &str = "/{__cors_anchor:[^\\s\\S]}";
/// The child node asked for the full pattern.
const PROBE: &str = "/__cors_probe";

/// Unique anchor numbers across threads, so that one app's names never resolve in another's.
static NEXT: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The anchors registered on this thread, alive as long as their app.
    static DIRECTORY: RefCell<Vec<Weak<AnchorEntry>>> = const { RefCell::new(Vec::new()) };
}

/// How an anchored policy is held: a route's decoded policy, or a named one (decoded once per
/// process).
#[doc(hidden)]
#[derive(Clone)]
pub enum PolicyRef {
    /// A `#[cors]` route's own policy.
    Route(Rc<Compiled>),
    /// A named policy.
    Named(&'static Compiled),
}

impl Deref for PolicyRef {
    type Target = Compiled;

    fn deref(&self) -> &Compiled {
        match self {
            PolicyRef::Route(policy) => policy,
            PolicyRef::Named(policy) => policy,
        }
    }
}

/// What stands at an anchor.
pub(crate) enum Site {
    /// A `#[cors]` route: its path as the route attribute wrote it (relative to the enclosing
    /// scope), and whether it has `guard`s (then every preflight for it is refused).
    Route { relative: String, guarded: bool },
    /// A scope declared with `Api::scope(path)`: the policy covers everything under it.
    Scope,
}

/// One anchored policy.
pub(crate) struct AnchorEntry {
    pub(crate) id: u64,
    name: String,
    pub(crate) site: Site,
    pub(crate) policy: PolicyRef,
    /// The child node whose pattern, once the app is built, is the full pattern of where the
    /// anchor stands; set at registration.
    probe: OnceCell<Rc<ResourceMap>>,
    /// The full pattern: the route's, or the scope's prefix. Worked out once, after the app is
    /// built.
    full: OnceCell<String>,
    /// A policy outside this one has counted it among its inner policies: it, not this one,
    /// answers preflights, and it tells this one which actual requests are its own.
    claimed: Cell<bool>,
}

impl AnchorEntry {
    /// A new, not yet registered anchor.
    pub(crate) fn new(site: Site, policy: PolicyRef) -> Rc<Self> {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let entry = Rc::new(Self {
            id,
            name: format!("__cors_anchor_{id}"),
            site,
            policy,
            probe: OnceCell::new(),
            full: OnceCell::new(),
            claimed: Cell::new(false),
        });
        let _ = DIRECTORY.try_with(|d| {
            let mut d = d.borrow_mut();
            d.retain(|w| w.strong_count() > 0);
            d.push(Rc::downgrade(&entry));
        });
        entry
    }

    /// The full pattern: for a route, its path with every enclosing scope's prefix, as
    /// `match_pattern` would give it; for a scope, its prefix. Only meaningful once the app is
    /// built (layers ask at their first request).
    pub(crate) fn full_pattern(&self) -> &str {
        self.full.get_or_init(|| {
            let prefix = self
                .probe
                .get()
                .and_then(|probe| probe.match_pattern(PROBE))
                .and_then(|p| {
                    p.strip_suffix(&format!("{ANCHOR}{PROBE}"))
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            match &self.site {
                Site::Route { relative, .. } => format!("{prefix}{relative}"),
                Site::Scope => prefix,
            }
        })
    }

    /// `true` for a route with `guard`s.
    pub(crate) fn guarded(&self) -> bool {
        matches!(self.site, Site::Route { guarded: true, .. })
    }

    /// `true` for a scope.
    pub(crate) fn is_scope(&self) -> bool {
        matches!(self.site, Site::Scope)
    }

    /// Marks the anchor as counted by a policy outside it.
    pub(crate) fn claim(&self) {
        self.claimed.set(true);
    }

    /// A policy outside this one answers its preflights and assigns its actual requests.
    #[inline]
    pub(crate) fn is_claimed(&self) -> bool {
        self.claimed.get()
    }
}

/// Registers an anchor where it stands (see the module documentation).
pub(crate) struct Anchor(pub(crate) Rc<AnchorEntry>);

impl HttpServiceFactory for Anchor {
    fn register(self, config: &mut AppService) {
        let outer = ResourceDef::root_prefix(ANCHOR);
        let mut node = ResourceMap::new(outer.clone());
        let mut probe = ResourceMap::new(ResourceDef::root_prefix(PROBE));
        let mut leaf = ResourceDef::new("");
        leaf.set_name(&self.0.name);
        probe.add(&mut leaf, None);
        let probe = Rc::new(probe);
        node.add(
            &mut ResourceDef::root_prefix(PROBE),
            Some(Rc::clone(&probe)),
        );
        let _ = self.0.probe.set(probe);
        // Routing never reaches it (its pattern matches no path); if it ever did, a 404.
        let unreachable = fn_service(|req: ServiceRequest| async {
            Ok(req.into_response(HttpResponse::NotFound()))
        });
        config.register_service(outer, None, unreachable, Some(Rc::new(node)));
    }
}

/// The anchors of the app `req` belongs to, in registration order.
pub(crate) fn of_app(req: &HttpRequest) -> Vec<Rc<AnchorEntry>> {
    let rmap = req.resource_map();
    DIRECTORY
        .try_with(|d| {
            d.borrow()
                .iter()
                .filter_map(Weak::upgrade)
                .filter(|entry| {
                    // The anchor's own segment takes an element and none is given: a name the
                    // map knows fails here, before `url_for` would look at the request.
                    matches!(
                        rmap.url_for(req, &entry.name, std::iter::empty::<&str>()),
                        Err(UrlGenerationError::NotEnoughElements)
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
