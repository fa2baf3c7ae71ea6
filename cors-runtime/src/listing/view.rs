//! The listing's public rows and views ([`Listing`], [`ListedPolicy`], [`PolicyView`]...), and
//! how a policy's view is made from what it was compiled from: its model and the record of
//! where each value came from.

use cors_policy::{Origins, Policy, Provenance};

use crate::origin_table::LINEAR_SCAN_MAX;
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

impl PolicyView {
    /// The view of `policy`, whose values came from where `provenance` says: origins (exact ones
    /// in the order written for short lists, sorted for those looked up by hash, then the
    /// patterns), methods, headers, credentials, max age.
    pub(crate) fn of(policy: &Policy, provenance: &Provenance) -> Self {
        let entry = |origin: String| OriginEntry {
            source: provenance.source_of(&origin).clone(),
            origin,
        };
        let origins = match &policy.origins {
            Origins::Any => vec![entry("*".to_owned())],
            Origins::List { exact, patterns } => {
                let mut exact: Vec<&str> = exact.iter().map(String::as_str).collect();
                if exact.len() > LINEAR_SCAN_MAX {
                    exact.sort_unstable();
                }
                exact
                    .into_iter()
                    .map(str::to_owned)
                    .chain(patterns.iter().map(ToString::to_string))
                    .map(entry)
                    .collect()
            }
        };
        let any = |any: bool| any.then(|| "*".to_owned());
        PolicyView {
            origins,
            allow_methods: policy.preflight_methods(),
            routed_methods: policy.routed_methods.clone(),
            credentials: policy.credentials,
            allow_headers: any(policy.allow_any_header)
                .into_iter()
                .chain(policy.allow_headers.iter().cloned())
                .collect(),
            echo_request_headers: policy.echo_request_headers,
            expose_headers: any(policy.expose_any_header)
                .into_iter()
                .chain(policy.expose_headers.iter().cloned())
                .collect(),
            max_age: policy.max_age,
            sources: KeySources::of(provenance),
        }
    }
}

#[cfg(test)]
mod tests {
    use cors_policy::{HostPattern, OriginPattern, PortPattern};

    use super::*;

    fn view(exact: &[&str], patterns: &[OriginPattern]) -> PolicyView {
        let policy = crate::compiled::tests::sample_policy(exact, patterns);
        PolicyView::of(&policy, &Provenance::default())
    }

    #[test]
    fn view_lists_origins_methods_and_headers() {
        let pattern = OriginPattern {
            scheme: "https".into(),
            host: HostPattern::Subdomains("example.com".into()),
            port: PortPattern::Any,
        };
        let v = view(
            &["https://z.example", "https://a.example"],
            std::slice::from_ref(&pattern),
        );
        let origins: Vec<&str> = v.origins.iter().map(|o| o.origin.as_str()).collect();
        assert_eq!(
            origins,
            [
                "https://z.example",
                "https://a.example",
                "https://*.example.com:*"
            ],
            "short lists keep the order written"
        );
        assert!(v.origins.iter().all(|o| o.source == Source::Literal));
        assert_eq!(v.expose_headers, ["X-Id", "X-Total"]);
        assert_eq!(v.allow_headers, ["content-type"]);
        assert_eq!(v.max_age, Some(300));
        assert!(v.credentials);
        let long: Vec<String> = (0..9)
            .rev()
            .map(|i| format!("https://{i}.example"))
            .collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let v = view(&long, &[]);
        let origins: Vec<&str> = v.origins.iter().map(|o| o.origin.as_str()).collect();
        let mut sorted = long.clone();
        sorted.sort_unstable();
        assert_eq!(origins, sorted, "hashed lists come out sorted");
    }
}
