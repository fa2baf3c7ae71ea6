//! Walking an app for its policies: [`Listing::of`] and [`Listing::of_app`].

use std::rc::{Rc, Weak};

use actix_web::HttpRequest;

use super::registry::{LayerEntry, LAYERS};
use super::{Declared, ListedPolicy, Listing, PolicyView};
use crate::anchor::{self, Site};
use crate::compiled::Compiled;
use crate::reload::Held;

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
                policy: view_held(&layer.policy),
                overrides: Vec::new(),
            });
        }
        for entry in anchor::of_app(req) {
            let policy = view(&entry.policy);
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

/// The view of a compiled policy, from what it was compiled from.
fn view(policy: &Compiled) -> PolicyView {
    let (model, provenance) = policy.record();
    PolicyView::of(model, provenance)
}

/// The view of a layer's policy: the version in force.
fn view_held(held: &Held) -> PolicyView {
    match held {
        Held::Fixed(policy) => view(policy),
        Held::Reloadable(current) => view(&current.load()),
    }
}
