//! A listing of every CORS policy an application registers, like a route list: [`Listing`].
//!
//! ```
//! use actix_web::{get, web, App, HttpRequest, HttpResponse};
//! use cors_runtime::{cors, listing::Listing};
//!
//! #[cors(origins = ["https://app.example.com"])]
//! #[get("/items")]
//! async fn items() -> HttpResponse {
//!     HttpResponse::Ok().finish()
//! }
//!
//! // An endpoint that shows the table (or `.json(&listing)`: it is `Serialize`).
//! async fn policies(req: HttpRequest) -> HttpResponse {
//!     HttpResponse::Ok().body(Listing::of(&req).to_string())
//! }
//!
//! let app = App::new()
//!     .service(web::scope("/api").service(items))
//!     .route("/cors-policies", web::get().to(policies));
//! ```
//!
//! # How it is built, and its limits
//!
//! actix-web gives a service no way to learn its scope prefix when it registers (`AppService`
//! has none in its public API), so the listing is put together in two steps:
//!
//! - **At registration**, each `#[cors]` route records its relative path and policy in a
//!   per-worker-thread registry, and names its preflight resource `__cors_preflight_<n>` (unique
//!   per process; `HttpRequest::match_name` shows it for preflights the route answers). Each
//!   app- or scope-wide [`Cors`](crate::Cors) layer records itself when it is built.
//! - **When you ask** ([`Listing::of`], with a request of the app), the full path of every
//!   route is resolved from the app's `ResourceMap`: its resource is looked up by name
//!   (`url_for`, which also tells this app's routes from another app's on the same thread), and
//!   the concrete path is matched back to its pattern (`match_pattern`), so scope prefixes,
//!   dynamic segments included, come out as written. A segment whose regex accepts neither `0`
//!   nor `a` leaves the concrete path, marked `resolved: false`.
//! - **App- and scope-wide layers** have no resource at all: actix-web keeps middleware out of
//!   its resource map. A layer is recognised as app-wide (path `/*`) or scope-wide when it is
//!   built, from the type of the service it wraps; a scope-wide layer learns its prefix from
//!   the first request that reaches it (one branch per request, taken once). Until then it is
//!   listed with the path `(scope, not yet reached)`. Layers are matched to their app by the
//!   app's resource map; one not yet reached is listed by every app built on its thread (one
//!   app per worker thread in a server: no ambiguity).
//! - The registry lives as long as the apps: entries of dropped apps disappear. It is per
//!   worker thread; every worker builds the same app, so any worker's listing is the app's.
//!
//! Origins written in the policy are [`OriginSource::Literal`]; those read from the environment
//! or configuration at start-up are marked [`OriginSource::Env`] / [`OriginSource::Config`].

use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::{ResourceDef, ServiceRequest};
use actix_web::HttpRequest;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::compiled::Compiled;

/// Every CORS policy of an application, in the order: path (scope-wide policies not yet reached
/// last), then app, scope, handler, then registration. `Display` renders an aligned table; `Serialize` gives a JSON array of
/// [`ListedPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// The policies.
    pub policies: Vec<ListedPolicy>,
}

/// One policy of a [`Listing`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPolicy {
    /// The route pattern with its scope prefix (`/api/items/{id}`); for a scope-wide policy its
    /// prefix followed by `/*`, for an app-wide one `/*`.
    pub path: String,
    /// `false` when the path is not the pattern as written: a concrete path (see the module
    /// documentation), or a scope-wide layer no request has reached yet.
    pub resolved: bool,
    /// Where the policy was declared.
    pub declared: Declared,
    /// The methods the route serves (the preflights its policy answers); empty for app- and
    /// scope-wide policies, which answer preflights for every method.
    pub routed_methods: Vec<String>,
    /// The policy.
    pub policy: PolicyView,
    /// The paths of the app- and scope-wide policies this one takes precedence over (the
    /// innermost policy decides), innermost first: for a handler, the placed layers whose
    /// prefix its path is under; for a scope, the enclosing scopes' and the app's.
    pub overrides: Vec<String>,
}

/// Where a listed policy was declared.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Declared {
    /// `App::new().wrap(Api)`.
    App,
    /// `web::scope(..).wrap(Api)`.
    Scope,
    /// `#[cors(...)]` on a handler; `guarded` when its route has `guard`s, so every preflight
    /// for it is refused.
    Handler {
        /// The route has `guard`s.
        guarded: bool,
    },
}

impl Declared {
    /// `app`, `scope`, `handler` or `handler (guarded)`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Declared::App => "app",
            Declared::Scope => "scope",
            Declared::Handler { guarded: false } => "handler",
            Declared::Handler { guarded: true } => "handler (guarded)",
        }
    }
}

/// A policy's settings, as the listing shows them.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyView {
    /// Allowed origins: `*`, exact origins (in the order written; sorted when there are more
    /// than a few), then patterns.
    pub origins: Vec<OriginEntry>,
    /// Methods a preflight may ask for (for app- and scope-wide policies, `GET`, `HEAD` and
    /// `POST` included).
    pub allow_methods: Vec<String>,
    /// Methods the route serves; `None` for app- and scope-wide policies.
    pub routed_methods: Option<Vec<String>>,
    /// `Access-Control-Allow-Credentials: true` is sent.
    pub credentials: bool,
    /// Allowed request headers, lower case, `*` first when any is allowed.
    pub allow_headers: Vec<String>,
    /// Exposed response headers.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`, in seconds.
    pub max_age: Option<u32>,
}

/// One allowed origin and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginEntry {
    /// The origin or pattern (`https://app.example.com`, `https://*.example.com`, `*`).
    pub origin: String,
    /// Where it came from.
    pub source: OriginSource,
}

/// Where an allowed origin came from.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginSource {
    /// Written in the policy (`origins = [...]`).
    Literal,
    /// Read from this environment variable (or its default) when the app started.
    Env(String),
    /// Read from the application's configuration (`config("key")`, `with_origins`).
    Config,
}

// ---------------------------------------------------------------------------------------------
// The registry.

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Unique resource names across threads, so that one app's names never resolve in another's.
static NEXT_NAME: AtomicU64 = AtomicU64::new(0);

#[derive(Default)]
struct Registry {
    routes: Vec<Weak<RouteEntry>>,
    layers: Vec<Weak<LayerEntry>>,
}

/// A `#[cors]` route's registration. The preflight service holds it: it lives as long as the
/// app.
pub(crate) struct RouteEntry {
    name: String,
    relative: String,
    policy: Rc<Compiled>,
    guarded: bool,
}

/// Records a `#[cors]` route at registration: names its preflight resource `rdef` and returns
/// the entry for the preflight service to hold.
pub(crate) fn route(rdef: &mut ResourceDef, policy: &Rc<Compiled>, grants: bool) -> Rc<RouteEntry> {
    let name = format!(
        "__cors_preflight_{}",
        NEXT_NAME.fetch_add(1, Ordering::Relaxed)
    );
    rdef.set_name(name.clone());
    let entry = Rc::new(RouteEntry {
        name,
        relative: rdef.pattern().unwrap_or_default().to_owned(),
        policy: Rc::clone(policy),
        guarded: !grants,
    });
    let _ = REGISTRY.try_with(|r| {
        let mut r = r.borrow_mut();
        r.routes.retain(|w| w.strong_count() > 0);
        r.routes.push(Rc::downgrade(&entry));
    });
    entry
}

/// An app- or scope-wide layer's registration, held by its middleware.
pub(crate) struct LayerEntry {
    policy: &'static Compiled,
    app_wide: bool,
    /// The app (its resource map's address) and the path, from the first request.
    mount: OnceCell<(usize, String, bool)>,
}

/// The listing handle of a [`crate::Cors`] layer.
pub(crate) struct Layer(Rc<LayerEntry>);

impl Layer {
    /// Records a layer when it is built. `S` is the service it wraps: actix-web's app router for
    /// an app-wide layer (possibly inside other middleware), a scope's service otherwise.
    pub(crate) fn built<S>(policy: &'static Compiled) -> Self {
        let inner = std::any::type_name::<S>();
        let app_wide = inner.contains("AppRouting") && !inner.contains("ScopeService");
        let entry = Rc::new(LayerEntry {
            policy,
            app_wide,
            mount: OnceCell::new(),
        });
        let _ = REGISTRY.try_with(|r| {
            let mut r = r.borrow_mut();
            r.layers.retain(|w| w.strong_count() > 0);
            r.layers.push(Rc::downgrade(&entry));
        });
        Self(entry)
    }

    /// A request reaches the layer: the first one tells it where it is mounted. One branch per
    /// request after that.
    #[inline]
    pub(crate) fn seen(&self, req: &ServiceRequest) {
        if self.0.mount.get().is_none() {
            self.record(req);
        }
    }

    #[cold]
    #[inline(never)]
    fn record(&self, req: &ServiceRequest) {
        let path = req.path();
        let rest = req.match_info().unprocessed();
        let prefix = path
            .get(..path.len().saturating_sub(rest.len()))
            .unwrap_or("");
        // The pattern of the scope: as many segments of the matched route's pattern as the
        // concrete prefix has, when they line up.
        let (prefix, resolved) = match req.resource_map().match_pattern(path) {
            Some(pattern) => {
                let n = prefix.split('/').count();
                let parts: Vec<&str> = pattern.split('/').take(n).collect();
                if parts.len() == n {
                    (parts.join("/"), true)
                } else {
                    (prefix.to_owned(), false)
                }
            }
            None => (
                prefix.to_owned(),
                prefix.is_empty() || !prefix.contains('{'),
            ),
        };
        let app = req.resource_map() as *const _ as usize;
        let _ = self.0.mount.set((app, prefix, resolved));
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("app_wide", &self.0.app_wide)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution.

impl Listing {
    /// The listing of the app that `req` (any request it is serving, e.g. in a handler) belongs
    /// to, built on the worker thread serving it. See the module documentation for how paths
    /// are resolved and what is listed before a scope-wide layer is first reached.
    pub fn of(req: &HttpRequest) -> Self {
        let (routes, layers) = REGISTRY
            .try_with(|r| {
                let r = r.borrow();
                let routes: Vec<Rc<RouteEntry>> =
                    r.routes.iter().filter_map(Weak::upgrade).collect();
                let layers: Vec<Rc<LayerEntry>> =
                    r.layers.iter().filter_map(Weak::upgrade).collect();
                (routes, layers)
            })
            .unwrap_or_default();
        let app = req.resource_map() as *const _ as usize;
        let mut policies = Vec::new();
        for layer in &layers {
            let (path, resolved, declared) = match layer.mount.get() {
                Some((owner, _, _)) if *owner != app => continue,
                Some((_, prefix, resolved)) if prefix.is_empty() => {
                    ("/*".to_owned(), *resolved, Declared::App)
                }
                Some((_, prefix, resolved)) => (format!("{prefix}/*"), *resolved, Declared::Scope),
                None if layer.app_wide => ("/*".to_owned(), true, Declared::App),
                None => (
                    "(scope, not yet reached)".to_owned(),
                    false,
                    Declared::Scope,
                ),
            };
            policies.push(ListedPolicy {
                path,
                resolved,
                declared,
                routed_methods: Vec::new(),
                policy: layer.policy.view(),
                overrides: Vec::new(),
            });
        }
        for route in &routes {
            let Some((path, resolved)) = resolve(req, &route.name, &route.relative) else {
                continue;
            };
            let policy = route.policy.view();
            policies.push(ListedPolicy {
                path,
                resolved,
                declared: Declared::Handler {
                    guarded: route.guarded,
                },
                routed_methods: policy.routed_methods.clone().unwrap_or_default(),
                policy,
                overrides: Vec::new(),
            });
        }
        let layers: Vec<(usize, String)> = policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.declared == Declared::App || p.declared == Declared::Scope)
            .filter_map(|(i, p)| Some((i, p.path.strip_suffix("/*")?.to_owned())))
            .collect();
        for (i, policy) in policies.iter_mut().enumerate() {
            let own = policy
                .path
                .strip_suffix("/*")
                .unwrap_or(&policy.path)
                .to_owned();
            policy.overrides = layers
                .iter()
                .filter(|(j, prefix)| {
                    *j != i
                        && prefix.len() < own.len()
                        && own.starts_with(prefix.as_str())
                        && own.as_bytes().get(prefix.len()) == Some(&b'/')
                })
                .map(|(_, prefix)| format!("{prefix}/*"))
                .collect();
            // Innermost first.
            policy
                .overrides
                .sort_by_key(|prefix| std::cmp::Reverse(prefix.len()));
        }
        // Stable: registration order is kept within a path and a declaration site.
        // Scopes not yet reached last.
        policies.sort_by(|a, b| {
            let unplaced = |p: &ListedPolicy| p.path.starts_with('(');
            unplaced(a)
                .cmp(&unplaced(b))
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| rank(&a.declared).cmp(&rank(&b.declared)))
        });
        Self { policies }
    }
}

impl Listing {
    /// The listing of `app`, for printing at start-up: builds the app once more on this thread
    /// and sends it one request, `GET /__cors_listing__`, which no route of yours should serve
    /// (it goes through your middleware and ends at your default service, a 404 otherwise). That
    /// request reaches the app-wide layers, not the scope-wide ones: those are listed as
    /// `(scope, not yet reached)`. `None` when the app fails to start or a middleware answers
    /// the request with an error.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use actix_web::App;
    /// let app = || App::new();
    /// if let Some(listing) = cors_runtime::Listing::of_app(app()).await {
    ///     println!("{listing}");
    /// }
    /// # }
    /// ```
    pub async fn of_app<F, S, B>(app: F) -> Option<Self>
    where
        F: actix_service::IntoServiceFactory<S, actix_http::Request>,
        S: actix_service::ServiceFactory<
            actix_http::Request,
            Config = actix_web::dev::AppConfig,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    {
        use actix_service::Service as _;
        let factory = app.into_factory();
        let service = factory
            .new_service(actix_web::dev::AppConfig::default())
            .await
            .ok()?;
        let req = actix_web::test::TestRequest::get()
            .uri("/__cors_listing__")
            .to_request();
        let res = service.call(req).await.ok()?;
        Some(Self::of(res.request()))
    }
}

fn rank(declared: &Declared) -> u8 {
    match declared {
        Declared::App => 0,
        Declared::Scope => 1,
        Declared::Handler { .. } => 2,
    }
}

/// `true` when `req`'s app may hold a policy inside the layer `layer`: a `#[cors]` route of this
/// thread whose preflight resource the app's resource map holds, or a scope-wide layer built on
/// this thread (which cannot be told apart by app before it sees a request).
pub(crate) fn app_has_claims(req: &HttpRequest, layer: &Layer) -> bool {
    REGISTRY
        .try_with(|r| {
            let r = r.borrow();
            let rmap = req.resource_map();
            let routes = r.routes.iter().filter_map(Weak::upgrade).any(|route| {
                rmap.url_for(req, &route.name, std::iter::repeat_n("0", 64))
                    .is_ok()
            });
            let scopes = r
                .layers
                .iter()
                .filter_map(Weak::upgrade)
                .any(|l| !l.app_wide && !Rc::ptr_eq(&l, &layer.0));
            routes || scopes
        })
        // No registry (thread shutting down): routing first is always correct.
        .unwrap_or(true)
}

/// The full pattern of the preflight resource named `name` in `req`'s app, `None` when the app
/// has no such resource (another app's route).
fn resolve(req: &HttpRequest, name: &str, relative: &str) -> Option<(String, bool)> {
    let rmap = req.resource_map();
    let mut concrete = None;
    for fill in ["0", "a"] {
        let url = rmap
            .url_for(req, name, std::iter::repeat_n(fill, 64))
            .ok()?;
        let path = url.path().to_owned();
        if let Some(pattern) = rmap.match_pattern(&path) {
            if rmap.match_name(&path) == Some(name)
                || pattern.ends_with(relative) && is_ours(rmap.match_name(&path))
            {
                return Some((pattern, true));
            }
        }
        concrete.get_or_insert(path);
    }
    concrete.map(|path| (path, false))
}

/// A preflight resource of ours: another handler's on the same path, registered first.
fn is_ours(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.starts_with("__cors_preflight_"))
}

// ---------------------------------------------------------------------------------------------
// Output.

impl ListedPolicy {
    fn origins_text(&self) -> String {
        let origins: Vec<String> = self
            .policy
            .origins
            .iter()
            .map(|o| match &o.source {
                OriginSource::Literal => o.origin.clone(),
                OriginSource::Env(var) => format!("{} (env {var})", o.origin),
                OriginSource::Config => format!("{} (config)", o.origin),
            })
            .collect();
        dash(origins.join(", "))
    }

    fn methods_text(&self) -> String {
        dash(self.policy.allow_methods.join(", "))
    }
}

fn dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// An aligned table, one line per policy:
///
/// ```text
/// PATH              DECLARED  METHODS            ORIGINS                  CREDENTIALS  ALLOW-HEADERS  EXPOSE-HEADERS  MAX-AGE
/// /*                app       GET, HEAD, POST    https://app.example.com  no           -              -               -
/// ```
impl fmt::Display for Listing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEAD: [&str; 8] = [
            "PATH",
            "DECLARED",
            "METHODS",
            "ORIGINS",
            "CREDENTIALS",
            "ALLOW-HEADERS",
            "EXPOSE-HEADERS",
            "MAX-AGE",
        ];
        let rows: Vec<[String; 8]> = self
            .policies
            .iter()
            .map(|p| {
                [
                    p.path.clone(),
                    p.declared.as_str().to_owned(),
                    p.methods_text(),
                    p.origins_text(),
                    if p.policy.credentials { "yes" } else { "no" }.to_owned(),
                    dash(p.policy.allow_headers.join(", ")),
                    dash(p.policy.expose_headers.join(", ")),
                    p.policy
                        .max_age
                        .map_or_else(|| "-".to_owned(), |s| s.to_string()),
                ]
            })
            .collect();
        let mut widths = HEAD.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: &[&str]| -> fmt::Result {
            let last = cells.len() - 1;
            for (i, cell) in cells.iter().enumerate() {
                if i == last {
                    writeln!(f, "{cell}")?;
                } else {
                    write!(f, "{cell:<width$}  ", width = widths[i])?;
                }
            }
            Ok(())
        };
        line(f, &HEAD)?;
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            line(f, &cells)?;
        }
        Ok(())
    }
}

impl Serialize for Listing {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.policies.len()))?;
        for p in &self.policies {
            seq.serialize_element(p)?;
        }
        seq.end()
    }
}

impl Serialize for ListedPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = &self.policy;
        let mut st = s.serialize_struct("ListedPolicy", 11)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("resolved", &self.resolved)?;
        st.serialize_field("declared", &self.declared)?;
        st.serialize_field("routed_methods", &self.routed_methods)?;
        st.serialize_field("allow_methods", &p.allow_methods)?;
        st.serialize_field("origins", &p.origins)?;
        st.serialize_field("credentials", &p.credentials)?;
        st.serialize_field("allow_headers", &p.allow_headers)?;
        st.serialize_field("expose_headers", &p.expose_headers)?;
        st.serialize_field("max_age", &p.max_age)?;
        st.serialize_field("overrides", &self.overrides)?;
        st.end()
    }
}

impl Serialize for Declared {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Declared::App => "app",
            Declared::Scope => "scope",
            Declared::Handler { guarded: false } => "handler",
            Declared::Handler { guarded: true } => "guarded-handler",
        })
    }
}

impl Serialize for OriginEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("OriginEntry", 2)?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("source", &self.source)?;
        st.end()
    }
}

/// `"literal"`, `{"env": "VAR"}`, `"config"`.
impl Serialize for OriginSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OriginSource::Literal => s.serialize_str("literal"),
            OriginSource::Config => s.serialize_str("config"),
            OriginSource::Env(var) => {
                let mut st = s.serialize_struct("Env", 1)?;
                st.serialize_field("env", var)?;
                st.end()
            }
        }
    }
}
