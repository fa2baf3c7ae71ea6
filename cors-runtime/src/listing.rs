//! The listing of every CORS policy an application registers, like a route list: [`Listing`],
//! its rows and views, the registry of `.wrap` layers, and its text and JSON forms.

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};

use actix_web::dev::ServiceRequest;
use actix_web::HttpRequest;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::anchor::{self, Site};
use crate::Source;

/// Every CORS policy of an application, in the order: path, then app, scope, handler, then
/// registration. `Display` renders an aligned table; `Serialize` gives a JSON array of
/// [`ListedPolicy`].
///
/// ```
/// use actix_web::{get, web, App, HttpRequest, HttpResponse};
/// use cors_runtime::{cors, Listing};
///
/// #[cors(origins = ["https://app.example.com"])]
/// #[get("/items")]
/// async fn items() -> HttpResponse {
///     HttpResponse::Ok().finish()
/// }
///
/// // An endpoint that shows the table (or `.json(&listing)`: it is `Serialize`).
/// async fn policies(req: HttpRequest) -> HttpResponse {
///     HttpResponse::Ok().body(Listing::of(&req).to_string())
/// }
///
/// let app = App::new()
///     .service(web::scope("/api").service(items))
///     .route("/cors-policies", web::get().to(policies));
/// ```
///
/// # How it is built, and its limits
///
/// - **`#[cors]` routes and scopes declared with `Api::scope`** are found in the app's own
///   resource map, through their anchors (see the runtime's nesting rules in [`crate::Cors`]):
///   their full patterns come from the map's structure, scope prefixes as written (dynamic
///   segments and all), whichever request asks.
/// - **`.wrap(Api)` layers** have no place in the resource map (actix-web keeps middleware out
///   of it): each is placed in its app by the first request it sees. An app-wide layer has seen
///   one by the time a request of the app asks for the listing through it; a `.wrap` on a scope
///   or resource is listed once a request has reached it, with the concrete path it was
///   reached at (`resolved: false`).
/// - Each row belongs to the app that `req` belongs to: a worker that holds two apps (two
///   listeners) lists each app's policies once.
///
/// Every value says where it came from ([`Source`]): each origin, and each of the other keys
/// ([`KeySources`]). Values written in the policy are [`Source::Literal`]; those read from the
/// environment or configuration at start-up are marked [`Source::Env`] (with the variable) or
/// [`Source::Config`] (with the configuration key); a key a configured policy
/// ([`PolicyConfig`](crate::PolicyConfig)) leaves unset is [`Source::Default`].
#[non_exhaustive]
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
    /// `false` when the path is not the pattern as written: the concrete path a `.wrap` layer on
    /// a scope or resource was first reached at (see [`Listing`]).
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
    /// `Api::scope(..)`, or `.wrap(Api)` on a scope or resource.
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
    /// `dangerously_echo_request_headers`: any requested header is allowed but `Authorization`
    /// (unless in `allow_headers`) and the forbidden names, and the preflight's grant repeats the
    /// requested names. Shown as `echo requested` ahead of the listed names.
    pub echo_request_headers: bool,
    /// Exposed response headers.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`, in seconds.
    pub max_age: Option<u32>,
    /// Where each key other than `origins` came from (each origin says it in [`OriginEntry`]).
    pub sources: KeySources,
}

/// Where each key of a policy other than `origins` came from.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySources {
    /// `credentials`.
    pub credentials: Source,
    /// `methods`.
    pub methods: Source,
    /// `allow_headers`.
    pub allow_headers: Source,
    /// `expose_headers`.
    pub expose_headers: Source,
    /// `max_age`.
    pub max_age: Source,
}

impl KeySources {
    /// Where each key of `provenance` came from.
    pub(crate) fn of(provenance: &cors_policy::Provenance) -> Self {
        KeySources {
            credentials: provenance.credentials.clone(),
            methods: provenance.methods.clone(),
            allow_headers: provenance.allow_headers.clone(),
            expose_headers: provenance.expose_headers.clone(),
            max_age: provenance.max_age.clone(),
        }
    }
}

/// One allowed origin and where it came from.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginEntry {
    /// The origin or pattern (`https://app.example.com`, `https://*.example.com`, `*`).
    pub origin: String,
    /// Where it came from.
    pub source: Source,
}

/// ` (env VAR)`, ` (config key)`, or nothing for a literal or a default: what the table appends
/// to a value.
fn suffix(source: &Source) -> String {
    match source {
        Source::Env(var) => format!(" (env {var})"),
        Source::Config(key) => format!(" (config {key})"),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Layers applied with `.wrap`, which have no anchor.

thread_local! {
    /// The `.wrap` layers of this thread, each placed in its app by the first request it sees.
    static LAYERS: RefCell<Vec<Weak<LayerEntry>>> = const { RefCell::new(Vec::new()) };
}

/// An app- or scope-wide layer's registration, held by its middleware.
struct LayerEntry {
    /// The policy in force (reloadable or not).
    policy: crate::reload::Held,
    /// Declared with `Api::scope`: listed through its anchor instead.
    declared: bool,
    /// The app (its resource map's address), whether the layer stands at the app's root, and
    /// the path matched before it: from the first request the layer sees.
    mount: OnceCell<(usize, bool, String)>,
    /// The layer's fail-closed flag.
    conflict: Rc<Cell<bool>>,
}

/// The listing handle of a [`crate::Cors`] layer.
pub(crate) struct Layer(Rc<LayerEntry>);

impl Layer {
    /// Records a layer when it is built.
    pub(crate) fn built(
        policy: crate::reload::Held,
        declared: bool,
        conflict: Rc<Cell<bool>>,
    ) -> Self {
        let entry = Rc::new(LayerEntry {
            policy,
            declared,
            mount: OnceCell::new(),
            conflict,
        });
        let _ = LAYERS.try_with(|r| {
            let mut r = r.borrow_mut();
            r.retain(|w| w.strong_count() > 0);
            r.push(Rc::downgrade(&entry));
        });
        Self(entry)
    }

    /// The first request reaches a `.wrap` layer: it tells the layer which app it is in, and
    /// what path was matched before it (none at the app's root). Returns `true` when the layer
    /// stands inside another `.wrap` layer of the same app that cannot see it: a second one at
    /// the app's root, or this one on a scope or resource under an app-wide one. That one is
    /// set to fail closed (the caller sets its own flag). The first request that reaches this
    /// layer has reached every layer outside it, so they are all recorded by now.
    pub(crate) fn mounted(&self, req: &ServiceRequest, root: bool) -> bool {
        let path = req.match_info().as_str();
        let rest = req.match_info().unprocessed();
        let prefix = path
            .get(..path.len().saturating_sub(rest.len()))
            .unwrap_or("")
            .to_owned();
        let app = req.resource_map() as *const _ as usize;
        let _ = self.0.mount.set((app, root, prefix));
        LAYERS
            .try_with(|r| {
                let mut found = false;
                for other in r.borrow().iter().filter_map(Weak::upgrade) {
                    let outside = !Rc::ptr_eq(&other, &self.0)
                        && !other.declared
                        && other.mount.get().is_some_and(|(a, r, _)| *a == app && *r);
                    if outside {
                        other.conflict.set(true);
                        found = true;
                    }
                }
                found
            })
            .unwrap_or(false)
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("declared", &self.0.declared)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution.

impl Listing {
    /// The listing of the app that `req` (any request it is serving, e.g. in a handler) belongs
    /// to: its `#[cors]` routes and declared scopes, from the app's structure, with their full
    /// patterns as written; and its `.wrap` layers that a request has reached (the app-wide ones
    /// have, once any request went through them). One row per policy of this app, however many
    /// apps the thread holds.
    pub fn of(req: &HttpRequest) -> Self {
        let app = req.resource_map() as *const _ as usize;
        let mut policies = Vec::new();
        let layers: Vec<Rc<LayerEntry>> = LAYERS
            .try_with(|r| r.borrow().iter().filter_map(Weak::upgrade).collect())
            .unwrap_or_default();
        for layer in layers.iter().filter(|l| !l.declared) {
            let Some((owner, root, prefix)) = layer.mount.get() else {
                continue;
            };
            if *owner != app {
                continue;
            }
            let (path, declared) = if *root {
                ("/*".to_owned(), Declared::App)
            } else {
                (format!("{prefix}/*"), Declared::Scope)
            };
            policies.push(ListedPolicy {
                path,
                // A `.wrap` on a scope knows only the concrete path it was reached at.
                resolved: *root,
                declared,
                routed_methods: Vec::new(),
                policy: layer.policy.view(),
                overrides: Vec::new(),
            });
        }
        for entry in anchor::of_app(req) {
            let policy = entry.policy.view();
            let full = entry.full_pattern();
            let (path, declared, routed_methods) = match &entry.site {
                Site::Scope => (format!("{full}/*"), Declared::Scope, Vec::new()),
                Site::Route { guarded, .. } => (
                    full.to_owned(),
                    Declared::Handler { guarded: *guarded },
                    policy.routed_methods.clone().unwrap_or_default(),
                ),
            };
            policies.push(ListedPolicy {
                path,
                resolved: true,
                declared,
                routed_methods,
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
        policies.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then_with(|| rank(&a.declared).cmp(&rank(&b.declared)))
        });
        Self { policies }
    }
}

impl Listing {
    /// The listing of `app`, for printing at start-up: builds the app once more on this thread
    /// and sends it one request, `GET /__cors_listing__`, which no route of yours should serve
    /// (it goes through your middleware and ends at your default service, a 404 otherwise). That
    /// request reaches the app-wide layers; `.wrap` layers on scopes are not listed (scopes made
    /// with `Api::scope` are). `None` when the app fails to start or a middleware answers the
    /// request with an error.
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

// ---------------------------------------------------------------------------------------------
// Output.

impl ListedPolicy {
    fn origins_text(&self) -> String {
        let origins: Vec<String> = self
            .policy
            .origins
            .iter()
            .map(|o| format!("{}{}", o.origin, suffix(&o.source)))
            .collect();
        dash(origins.join(", "))
    }

    fn methods_text(&self) -> String {
        sourced(
            self.policy.allow_methods.join(", "),
            &self.policy.sources.methods,
        )
    }
}

fn dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// A cell with where its value came from: `PUT, DELETE (env APP_CORS_METHODS)`. A value read
/// from configuration is marked even when it is empty (`- (config cors.max_age)`).
fn sourced(text: String, source: &Source) -> String {
    format!("{}{}", dash(text), suffix(source))
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
                    sourced(
                        if p.policy.credentials { "yes" } else { "no" }.to_owned(),
                        &p.policy.sources.credentials,
                    ),
                    sourced(
                        p.policy
                            .echo_request_headers
                            .then_some("echo requested")
                            .into_iter()
                            .chain(p.policy.allow_headers.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(", "),
                        &p.policy.sources.allow_headers,
                    ),
                    sourced(
                        p.policy.expose_headers.join(", "),
                        &p.policy.sources.expose_headers,
                    ),
                    sourced(
                        p.policy.max_age.map(|s| s.to_string()).unwrap_or_default(),
                        &p.policy.sources.max_age,
                    ),
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
        let mut st = s.serialize_struct("ListedPolicy", 12)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("resolved", &self.resolved)?;
        st.serialize_field("declared", &self.declared)?;
        st.serialize_field("routed_methods", &self.routed_methods)?;
        st.serialize_field("allow_methods", &p.allow_methods)?;
        st.serialize_field("origins", &p.origins)?;
        st.serialize_field("credentials", &p.credentials)?;
        st.serialize_field("allow_headers", &p.allow_headers)?;
        st.serialize_field("echo_request_headers", &p.echo_request_headers)?;
        st.serialize_field("expose_headers", &p.expose_headers)?;
        st.serialize_field("max_age", &p.max_age)?;
        st.serialize_field("sources", &p.sources)?;
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
        st.serialize_field("source", &SourceJson(&self.source))?;
        st.end()
    }
}

/// A [`Source`] in JSON: `"literal"`, `{"env": "VAR"}`, `{"config": "key"}`, `"default"`.
struct SourceJson<'a>(&'a Source);

impl Serialize for SourceJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Source::Default => s.serialize_str("default"),
            Source::Config(key) => {
                let mut st = s.serialize_struct("Config", 1)?;
                st.serialize_field("config", key)?;
                st.end()
            }
            Source::Env(var) => {
                let mut st = s.serialize_struct("Env", 1)?;
                st.serialize_field("env", var)?;
                st.end()
            }
            _ => s.serialize_str("literal"),
        }
    }
}

/// `{"credentials": "literal", "methods": {"env": "VAR"}, ...}`.
impl Serialize for KeySources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("KeySources", 5)?;
        st.serialize_field("credentials", &SourceJson(&self.credentials))?;
        st.serialize_field("methods", &SourceJson(&self.methods))?;
        st.serialize_field("allow_headers", &SourceJson(&self.allow_headers))?;
        st.serialize_field("expose_headers", &SourceJson(&self.expose_headers))?;
        st.serialize_field("max_age", &SourceJson(&self.max_age))?;
        st.end()
    }
}
