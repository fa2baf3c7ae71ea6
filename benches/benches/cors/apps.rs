//! The same resource served four ways, each as an actix-web app behind
//! `actix_web::test::init_service`:
//!
//! - **bare**: no CORS at all; `OPTIONS` is answered by an empty `204`. The baseline. Its `GET`
//!   resource is routed like `#[cors]`'s (see [`Routing`]).
//! - **floor**: a hand-written resource that answers `OPTIONS` with a `204` and inserts constant
//!   CORS headers (`const` values made by `HeaderValue::from_static`), checking nothing. The
//!   least any CORS implementation can cost.
//! - **actix-cors**: the bare app wrapped in `actix_cors::Cors` configured with the same policy.
//! - **#[cors]**: this project's attribute on the handler.

use std::marker::PhantomData;
use std::rc::Rc;
use std::time::Instant;

use actix_http::Request;
use actix_rt::SystemRunner;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, CONTENT_TYPE, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::{get, guard, test, web, App, Error, HttpResponse};

use crate::alloc::Counts;
use crate::callgrind;

/// The path every variant serves.
pub const PATH: &str = "/api/items";

/// The response body of the resource.
const BODY: &str = r#"[{"id":1,"name":"item"}]"#;

/// The resource's own response, identical in every variant.
pub fn ok() -> HttpResponse {
    HttpResponse::Ok().body(BODY)
}

/// The policy of cases 1, 2, 3 and 5: three exact origins, credentials, two request headers,
/// one exposed header, `max_age = 600`.
pub const MAIN_ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://partner.example.org",
];

/// The case-4 allowlists, written by `build.rs`.
pub mod allowlists {
    include!(concat!(env!("OUT_DIR"), "/allowlists.rs"));
}

mod bare {
    use super::*;

    #[get("/api/items")]
    pub async fn items() -> HttpResponse {
        ok()
    }

    pub async fn get() -> HttpResponse {
        ok()
    }

    pub async fn options() -> HttpResponse {
        HttpResponse::NoContent().finish()
    }
}

/// `#[get("/api/items")]` of bare, for the app-wide apps.
pub use bare::items as bare_items;

mod floor {
    use super::*;

    const ALLOW_ORIGIN: HeaderValue = HeaderValue::from_static("https://partner.example.org");
    const TRUE: HeaderValue = HeaderValue::from_static("true");
    const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("GET");
    const ALLOW_HEADERS: HeaderValue = HeaderValue::from_static("content-type, x-api-key");
    const MAX_AGE: HeaderValue = HeaderValue::from_static("600");
    const EXPOSE: HeaderValue = HeaderValue::from_static("x-request-id");
    const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");
    const VARY_PREFLIGHT: HeaderValue = HeaderValue::from_static(
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );

    #[get("/api/items")]
    pub async fn items() -> HttpResponse {
        get().await
    }

    pub async fn get() -> HttpResponse {
        let mut res = ok();
        let headers = res.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW_ORIGIN);
        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE);
        headers.insert(VARY, VARY_ORIGIN);
        res
    }

    pub async fn options() -> HttpResponse {
        let mut res = HttpResponse::NoContent().finish();
        let headers = res.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW_ORIGIN);
        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
        headers.insert(ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        headers.insert(VARY, VARY_PREFLIGHT);
        res
    }
}

mod project {
    use super::*;
    use cors_runtime::cors;

    #[cors(
        origins = ["https://app.example.com", "https://admin.example.com", "https://partner.example.org"],
        credentials,
        allow_headers = ["Content-Type", "X-Api-Key"],
        expose_headers = ["X-Request-Id"],
        max_age = 600
    )]
    #[get("/api/items")]
    pub async fn items() -> HttpResponse {
        ok()
    }
}

/// actix-cors configured with the project's policy (`methods` allowed in preflights): `origins` exact, `patterns` as the
/// `https://*.<base>` wildcards of [`allowlists::PATTERNS`] (via `allowed_origin_fn`).
pub fn actix_cors(
    methods: &[&str],
    origins: &[&str],
    patterns: &[&'static str],
) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(methods.iter().copied())
        .allowed_headers([CONTENT_TYPE, HeaderName::from_static("x-api-key")])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .supports_credentials()
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    for pattern in patterns {
        let base = pattern
            .strip_prefix("https://*.")
            .expect("case-4 patterns are https subdomain wildcards");
        cors = cors.allowed_origin_fn(move |origin, _| subdomain_of(origin, base));
    }
    cors
}

/// `https://<labels>.<base>` with lower-case labels: what a careful actix-cors user would write
/// for `https://*.<base>`.
fn subdomain_of(origin: &HeaderValue, base: &str) -> bool {
    origin
        .as_bytes()
        .strip_prefix(b"https://")
        .and_then(|host| host.strip_suffix(base.as_bytes()))
        .and_then(|sub| sub.strip_suffix(b"."))
        .is_some_and(|labels| {
            labels.split(|&b| b == b'.').all(|label| {
                !label.is_empty()
                    && label
                        .iter()
                        .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            })
        })
}

/// What one measured batch cost.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Wall time of the whole batch.
    pub nanos: u64,
    /// Heap allocations and bytes made while serving the batch.
    pub counts: Counts,
}

/// A service under test, its type erased so that the four variants can alternate.
pub trait Target {
    /// Serves every request of `requests` in turn through `test::call_service`, dropping each
    /// response; times the loop and counts its allocations. Leaves `requests` empty.
    fn run(&self, sys: &SystemRunner, requests: &mut Vec<Request>) -> Sample;

    /// Serves one request and returns the status and headers of the response.
    fn respond(&self, sys: &SystemRunner, request: Request) -> (StatusCode, HeaderMap);
}

struct Svc<S, B>(S, PhantomData<fn() -> B>);

impl<S, B> Target for Svc<S, B>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error>,
{
    fn run(&self, sys: &SystemRunner, requests: &mut Vec<Request>) -> Sample {
        sys.block_on(async {
            callgrind::collect_toggle();
            let before = Counts::now();
            let start = Instant::now();
            for request in requests.drain(..) {
                std::hint::black_box(test::call_service(&self.0, request).await);
            }
            let nanos = start.elapsed().as_nanos() as u64;
            let counts = Counts::now().since(before);
            callgrind::collect_toggle();
            Sample { nanos, counts }
        })
    }

    fn respond(&self, sys: &SystemRunner, request: Request) -> (StatusCode, HeaderMap) {
        sys.block_on(async {
            let res = test::call_service(&self.0, request).await;
            (res.status(), res.headers().clone())
        })
    }
}

pub fn erase<S, B>(service: S) -> Rc<dyn Target>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    Rc::new(Svc(service, PhantomData))
}

/// Serves `app` through `test::init_service`, type-erased.
macro_rules! serve {
    ($sys:expr, $app:expr) => {
        $sys.block_on(async { erase(test::init_service($app).await) })
    };
}

/// The variants, in the order of every table.
pub const VARIANTS: [&str; 4] = ["bare", "floor", "actix-cors", "ours"];

/// Index of each variant in [`VARIANTS`] and in [`Apps`] arrays.
pub const BARE: usize = 0;
pub const FLOOR: usize = 1;
pub const ACTIX: usize = 2;
pub const PROJECT: usize = 3;

/// Which policy a case uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// [`MAIN_ORIGINS`].
    Main,
    /// The case-4 allowlist with this many exact origins, and the patterns.
    Allowlist(usize),
    /// Case 6: the app-wide policy, around an app of several routes.
    AppWide,
    /// Case 6g: the same, `.wrap(Api)` built after other CORS layers on the thread.
    AppWideSecond,
    /// Case 7: the 1,000-origin allowlist, its origins from the environment.
    Configured,
    /// Case 6h: the app-wide policy around an app with one inner `#[cors]` handler.
    AppWideNested,
    /// Case 8: the app-wide policy from configuration; reloadable or not.
    AppWideConfigured {
        /// Built by `Cors::reloadable_from_config` rather than `Cors::from_config`.
        reloadable: bool,
    },
}

/// Every app, built once.
pub struct Apps {
    bare: Rc<dyn Target>,
    floor: Rc<dyn Target>,
    main: [Rc<dyn Target>; 2],
    allowlists: Vec<(usize, [Rc<dyn Target>; 2])>,
    configured: [Rc<dyn Target>; 2],
    /// Case 6.
    pub app_wide: crate::app_wide::AppWide,
}

impl Apps {
    /// Builds every app (inside `sys`, as `init_service` needs a runtime).
    pub fn build(sys: &SystemRunner, routing: Routing) -> Self {
        // First: `.wrap(Api)` must be the first CORS layer built on this thread.
        let mut app_wide = crate::app_wide::build_first(sys, routing);
        let (bare, floor) = match routing {
            Routing::RouteMacro => (
                serve!(
                    sys,
                    App::new()
                        .service(options_resource(bare::options))
                        .service(bare::items)
                ),
                serve!(
                    sys,
                    App::new()
                        .service(options_resource(floor::options))
                        .service(floor::items)
                ),
            ),
            Routing::FnGuard => (
                serve!(
                    sys,
                    App::new()
                        .service(options_resource(bare::options))
                        .service(get_resource(bare::get))
                ),
                serve!(
                    sys,
                    App::new()
                        .service(options_resource(floor::options))
                        .service(get_resource(floor::get))
                ),
            ),
        };
        let main = [
            actix_app(sys, routing, &MAIN_ORIGINS, &[]),
            sys.block_on(async {
                erase(test::init_service(App::new().service(project::items)).await)
            }),
        ];
        let mut allowlists = Vec::new();
        for &(n, origins) in allowlists::SIZES {
            let project = sys.block_on(async {
                match n {
                    1 => erase(test::init_service(App::new().service(allowlists::n1::items)).await),
                    10 => {
                        erase(test::init_service(App::new().service(allowlists::n10::items)).await)
                    }
                    1_000 => erase(
                        test::init_service(App::new().service(allowlists::n1000::items)).await,
                    ),
                    10_000 => erase(
                        test::init_service(App::new().service(allowlists::n10000::items)).await,
                    ),
                    _ => unreachable!("build.rs writes these four sizes"),
                }
            });
            allowlists.push((
                n,
                [
                    actix_app(sys, routing, origins, allowlists::PATTERNS),
                    project,
                ],
            ));
        }
        // Edition 2021: `set_var` is safe; the harness is single-threaded here.
        std::env::set_var(
            allowlists::n1000env::VAR,
            allowlists::n1000::ORIGINS.join(","),
        );
        let configured = [
            actix_app(
                sys,
                routing,
                allowlists::n1000::ORIGINS,
                allowlists::PATTERNS,
            ),
            sys.block_on(async {
                erase(test::init_service(App::new().service(allowlists::n1000env::items)).await)
            }),
        ];
        app_wide.build_second(sys, routing);
        Self {
            bare,
            floor,
            main,
            allowlists,
            configured,
            app_wide,
        }
    }

    /// The four variants for `policy`, in [`VARIANTS`] order. Bare and floor do not depend on
    /// the policy: the same two apps serve every case.
    pub fn variants(&self, policy: Policy) -> [Rc<dyn Target>; 4] {
        let [actix, project] = match policy {
            Policy::AppWide => return self.app_wide.first.clone(),
            // Case 6's bare, floor and actix-cors, against another app of ours.
            Policy::AppWideSecond | Policy::AppWideNested | Policy::AppWideConfigured { .. } => {
                let ours = match policy {
                    Policy::AppWideSecond => self.app_wide.second.as_ref(),
                    Policy::AppWideNested => self.app_wide.nested.as_ref(),
                    Policy::AppWideConfigured { reloadable } => self
                        .app_wide
                        .configured
                        .as_ref()
                        .map(|c| &c[usize::from(reloadable)]),
                    _ => None,
                };
                let mut targets = self.app_wide.first.clone();
                targets[PROJECT] = Rc::clone(ours.expect("built by AppWide::build_second"));
                return targets;
            }
            Policy::Main => &self.main,
            Policy::Configured => &self.configured,
            Policy::Allowlist(n) => {
                &self
                    .allowlists
                    .iter()
                    .find(|(size, _)| *size == n)
                    .expect("a generated size")
                    .1
            }
        };
        [
            self.bare.clone(),
            self.floor.clone(),
            actix.clone(),
            project.clone(),
        ]
    }
}

/// How bare, floor and actix-cors route `GET /api/items`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// A hand-written resource whose guard is a plain function of the method (the default):
    /// routed as `#[cors]` routes its own resource, so that the overheads are what CORS costs.
    FnGuard,
    /// `#[get("/api/items")]`, as the handler is written without CORS
    /// (`CORS_BENCH_BASELINE_ROUTE=get`): what replacing `#[get]` by `#[cors]` changes for a
    /// user. Its `guard::Get()` is a `MethodGuard`, which records the method in the request's
    /// extensions (about 900 instructions and 3 allocations per request that `#[cors]`'s own
    /// method guard does not spend), so the overheads also count that routing difference.
    RouteMacro,
}

impl Routing {
    /// From `CORS_BENCH_BASELINE_ROUTE` (`fn`, the default, or `get`).
    pub fn from_env() -> Self {
        match std::env::var("CORS_BENCH_BASELINE_ROUTE").as_deref() {
            Err(_) | Ok("fn") => Routing::FnGuard,
            Ok("get") => Routing::RouteMacro,
            Ok(other) => panic!("CORS_BENCH_BASELINE_ROUTE={other}: expected `fn` or `get`"),
        }
    }

    /// How the tables describe it.
    pub fn describe(self) -> &'static str {
        match self {
            Routing::FnGuard => "bare, floor and actix-cors route GET with a plain function guard",
            Routing::RouteMacro => "bare, floor and actix-cors route GET with #[get] (MethodGuard)",
        }
    }
}

/// The hand-written `GET` resource of [`Routing::FnGuard`].
fn get_resource<F, Args>(handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(PATH)
        .guard(guard::fn_guard(|ctx| ctx.head().method == Method::GET))
        .to(handler)
}

/// The resource that answers `OPTIONS` in bare, floor and actix-cors, registered before the `GET`
/// resource as `#[cors]` registers its preflight resource. Its guard is a plain function, like
/// `#[cors]`'s: `guard::Options()` would be a `MethodGuard`, which also records the method in the
/// request's extensions (for `405 Allow`), and costs every `GET` some 230 instructions that the
/// `#[cors]` app does not pay, making the baseline slower than the thing measured against it.
fn options_resource<F, Args>(handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(PATH)
        .guard(guard::fn_guard(|ctx| ctx.head().method == Method::OPTIONS))
        .to(handler)
}

/// The bare app wrapped in actix-cors.
fn actix_app(
    sys: &SystemRunner,
    routing: Routing,
    origins: &[&str],
    patterns: &[&'static str],
) -> Rc<dyn Target> {
    let cors = actix_cors(&["GET"], origins, patterns);
    let app = App::new()
        .wrap(cors)
        .service(options_resource(bare::options));
    match routing {
        Routing::RouteMacro => serve!(sys, app.service(bare::items)),
        Routing::FnGuard => serve!(sys, app.service(get_resource(bare::get))),
    }
}
