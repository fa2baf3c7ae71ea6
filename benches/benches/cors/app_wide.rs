//! Case 6: one policy for a whole app, four ways, around the same app of several routes:
//!
//! - **bare**: the app without CORS. `OPTIONS /api/items` is answered by an empty `204` from a
//!   resource registered first (as in cases 1 to 5); other paths have no `OPTIONS` route; a path
//!   no resource matches gets actix-web's default `404`.
//! - **floor**: the same app wrapped in [`Floor`], a middleware that answers every `OPTIONS`
//!   request with a `204` and constant CORS headers before routing, and inserts constant headers
//!   into every other response. It checks nothing: the least an app-wide CORS layer can cost.
//! - **actix-cors**: the same app wrapped in `actix_cors::Cors` configured with the same policy.
//! - **ours**: the same app wrapped in the named policy [`Api`]: `App::new().wrap(Api)`.
//!
//! `.wrap(Api)` answers every preflight before routing, with the policy that governs it, found
//! from its own app's structure (`cors_runtime`'s nesting): [`check_unrouted`] checks that no
//! measured preflight reaches routing. [`AppWide::second`] is the same `.wrap(Api)` app built
//! again after the others, as a second listener's app is built on a worker's thread: it must
//! answer the same way at the same cost (case 6g); an earlier design once routed them there.

use std::cell::Cell;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_rt::SystemRunner;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::{guard, test, web, App, Error, HttpResponse};
use cors_runtime::{cors, policy, Cors, PolicyConfig};

use crate::apps::{erase, ok, Routing, Target, ACTIX, BARE, FLOOR, PROJECT, VARIANTS};

/// The app-wide policy: that of cases 1 to 5 (three exact origins, credentials, two request
/// headers, one exposed header, `max_age = 600`), plus `PUT` and `DELETE` for preflights (a
/// named policy allows `GET`, `HEAD` and `POST` besides).
#[policy(
    origins = ["https://app.example.com", "https://admin.example.com", "https://partner.example.org"],
    credentials,
    methods = ["PUT", "DELETE"],
    allow_headers = ["Content-Type", "X-Api-Key"],
    expose_headers = ["X-Request-Id"],
    max_age = 600
)]
pub struct Api;

/// A handler with a policy of its own, for case 6h: `.wrap(Api)` around an app that holds one
/// inner policy (the README's example shape), so that the layer assigns every request.
#[cors(origins = ["*"])]
#[actix_web::get("/api/public")]
async fn public() -> HttpResponse {
    ok()
}

/// [`Api`]'s policy as configuration (case 8): the same values, read by
/// [`PolicyConfig::from_env_with`] from these variables instead of the process environment.
const CONFIGURED: [(&str, &str); 6] = [
    (
        "BENCH_CORS_ORIGINS",
        "https://app.example.com, https://admin.example.com, https://partner.example.org",
    ),
    ("BENCH_CORS_CREDENTIALS", "true"),
    ("BENCH_CORS_METHODS", "PUT, DELETE"),
    ("BENCH_CORS_ALLOW_HEADERS", "Content-Type, X-Api-Key"),
    ("BENCH_CORS_EXPOSE_HEADERS", "X-Request-Id"),
    ("BENCH_CORS_MAX_AGE", "600"),
];

/// [`CONFIGURED`] as a policy.
fn configured() -> PolicyConfig {
    PolicyConfig::from_env_with("BENCH_CORS", CONFIGURED)
}

/// The path a preflight probe is sent to by [`check_unrouted`]: a resource of every method,
/// registered last, that counts the requests reaching it.
pub const PROBE: &str = "/api/probe";

thread_local! {
    static PROBE_HITS: Cell<u64> = const { Cell::new(0) };
}

async fn probe() -> HttpResponse {
    PROBE_HITS.with(|h| h.set(h.get() + 1));
    HttpResponse::Ok().finish()
}

async fn options() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

async fn item() -> HttpResponse {
    ok()
}

fn method_is(method: Method) -> impl guard::Guard {
    guard::fn_guard(move |ctx| ctx.head().method == method)
}

/// The app every variant of case 6 serves: `OPTIONS` and `GET` on `/api/items` first (as in
/// cases 1 to 5, the `GET` routed as [`Routing`] says), then `GET`, `PUT` and `DELETE` on
/// `/api/items/{id}`, `GET /api/users`, `GET /health` and the probe; no default service.
fn inner(
    routing: Routing,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let app = App::new().service(
        web::resource(crate::apps::PATH)
            .guard(method_is(Method::OPTIONS))
            .to(options),
    );
    let app = match routing {
        Routing::FnGuard => app.service(
            web::resource(crate::apps::PATH)
                .guard(method_is(Method::GET))
                .to(item),
        ),
        Routing::RouteMacro => app.service(crate::apps::bare_items),
    };
    app.service(
        web::resource("/api/items/{id}")
            .route(web::route().guard(method_is(Method::GET)).to(item))
            .route(web::route().guard(method_is(Method::PUT)).to(item))
            .route(web::route().guard(method_is(Method::DELETE)).to(item)),
    )
    .service(
        web::resource("/api/users")
            .guard(method_is(Method::GET))
            .to(item),
    )
    .service(
        web::resource("/health")
            .guard(method_is(Method::GET))
            .to(item),
    )
    .service(web::resource(PROBE).to(probe))
}

/// The floor's constant headers.
mod constants {
    use super::HeaderValue;

    pub const ALLOW_ORIGIN: HeaderValue = HeaderValue::from_static("https://partner.example.org");
    pub const TRUE: HeaderValue = HeaderValue::from_static("true");
    pub const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("PUT, DELETE");
    pub const ALLOW_HEADERS: HeaderValue = HeaderValue::from_static("content-type, x-api-key");
    pub const MAX_AGE: HeaderValue = HeaderValue::from_static("600");
    pub const EXPOSE: HeaderValue = HeaderValue::from_static("x-request-id");
    pub const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");
    pub const VARY_PREFLIGHT: HeaderValue = HeaderValue::from_static(
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );
}

/// The app-wide floor: every `OPTIONS` answered before routing with a `204` and constant
/// headers; constant headers inserted into every other response. Checks nothing.
pub struct Floor;

impl<S, B> Transform<S, ServiceRequest> for Floor
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = FloorService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(FloorService { service }))
    }
}

/// The service [`Floor`] wraps an app in.
pub struct FloorService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for FloorService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = FloorFuture<S::Future, B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if req.method() == Method::OPTIONS {
            let mut res = HttpResponse::NoContent().finish();
            let headers = res.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, constants::ALLOW_ORIGIN);
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, constants::TRUE);
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, constants::ALLOW_METHODS);
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, constants::ALLOW_HEADERS);
            headers.insert(ACCESS_CONTROL_MAX_AGE, constants::MAX_AGE);
            headers.insert(VARY, constants::VARY_PREFLIGHT);
            return FloorFuture::Answered {
                response: Some(req.into_response(res).map_into_right_body()),
            };
        }
        FloorFuture::Actual {
            future: self.service.call(req),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`FloorService`].
    #[project = FloorFutureProj]
    pub enum FloorFuture<F, B> {
        Answered { response: Option<ServiceResponse<EitherBody<B>>> },
        Actual { #[pin] future: F },
    }
}

impl<F, B> Future for FloorFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            FloorFutureProj::Answered { response } => {
                Poll::Ready(Ok(response.take().expect("polled once")))
            }
            FloorFutureProj::Actual { future } => {
                let mut res = std::task::ready!(future.poll(cx))?;
                let headers = res.headers_mut();
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, constants::ALLOW_ORIGIN);
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, constants::TRUE);
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, constants::EXPOSE);
                headers.insert(VARY, constants::VARY_ORIGIN);
                Poll::Ready(Ok(res.map_into_left_body()))
            }
        }
    }
}

/// actix-cors with the app-wide policy: the methods of [`Api`] and the safelisted ones.
fn actix_cors() -> actix_cors::Cors {
    crate::apps::actix_cors(
        &["GET", "HEAD", "POST", "PUT", "DELETE"],
        &crate::apps::MAIN_ORIGINS,
        &[],
    )
}

/// The apps of case 6.
pub struct AppWide {
    /// In [`VARIANTS`] order; ours built before any other CORS layer on this thread.
    pub first: [Rc<dyn Target>; 4],
    /// `.wrap(Api)` built after the others (see the module's documentation).
    pub second: Option<Rc<dyn Target>>,
    /// Case 6h: `.wrap(Api)` around the same app plus one `#[cors]` handler, built after the
    /// others.
    pub nested: Option<Rc<dyn Target>>,
    /// Case 8: the same policy from configuration, `.wrap(Cors::from_config(..))`, and as a
    /// reloadable policy, `.wrap(Cors::reloadable_from_config(..))`, built after the others.
    pub configured: Option<[Rc<dyn Target>; 2]>,
}

/// Builds ours first of all CORS layers on this thread: call before any other app is built.
pub fn build_first(sys: &SystemRunner, routing: Routing) -> AppWide {
    let ours = sys.block_on(async { erase(test::init_service(inner(routing).wrap(Api)).await) });
    let bare = sys.block_on(async { erase(test::init_service(inner(routing)).await) });
    let floor = sys.block_on(async { erase(test::init_service(inner(routing).wrap(Floor)).await) });
    let actix =
        sys.block_on(async { erase(test::init_service(inner(routing).wrap(actix_cors())).await) });
    AppWide {
        first: [bare, floor, actix, ours],
        second: None,
        nested: None,
        configured: None,
    }
}

impl AppWide {
    /// Builds the second `.wrap(Api)` app: call after every other app is built.
    pub fn build_second(&mut self, sys: &SystemRunner, routing: Routing) {
        self.second =
            Some(sys.block_on(async { erase(test::init_service(inner(routing).wrap(Api)).await) }));
        self.nested = Some(sys.block_on(async {
            erase(test::init_service(inner(routing).service(public).wrap(Api)).await)
        }));
        let fixed = Cors::from_config("cors", &configured()).expect("case 8's policy is valid");
        let (reloadable, _reloader) =
            Cors::reloadable_from_config("cors", &configured()).expect("case 8's policy is valid");
        self.configured = Some([
            sys.block_on(async { erase(test::init_service(inner(routing).wrap(fixed)).await) }),
            sys.block_on(async {
                erase(test::init_service(inner(routing).wrap(reloadable)).await)
            }),
        ]);
    }
}

/// Sends an allowed preflight to [`PROBE`] through each of `targets`; `true` for each one whose
/// preflight reached the probe's handler (was routed).
fn probe_reached(sys: &SystemRunner, target: &dyn Target) -> bool {
    let request = TestRequest::default()
        .method(Method::OPTIONS)
        .uri(PROBE)
        .insert_header((ORIGIN, "https://partner.example.org"))
        .insert_header((ACCESS_CONTROL_REQUEST_METHOD, "PUT"))
        .to_request();
    let before = PROBE_HITS.with(Cell::get);
    let (status, headers) = target.respond(sys, request);
    assert!(
        headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) || status.as_u16() == 200,
        "probe preflight: status {status}"
    );
    PROBE_HITS.with(Cell::get) != before
}

/// Checks that floor, actix-cors and ours answer preflights before routing, and that bare
/// routes them (the probe works); reports whether the second `.wrap(Api)` app routes them.
pub fn check_unrouted(sys: &SystemRunner, apps: &AppWide) -> Result<String, String> {
    let mut errors = Vec::new();
    for (variant, target) in apps.first.iter().enumerate() {
        let reached = probe_reached(sys, target.as_ref());
        let expected = variant == BARE;
        if reached != expected {
            errors.push(format!(
                "app-wide / {}: a preflight {} routing",
                VARIANTS[variant],
                if reached { "went through" } else { "skipped" }
            ));
        }
    }
    debug_assert!([FLOOR, ACTIX, PROJECT].iter().all(|&v| v != BARE));
    if !errors.is_empty() {
        return Err(errors.join("\n  "));
    }
    let second = match &apps.second {
        Some(second) if probe_reached(sys, second.as_ref()) => {
            "; the second .wrap(Api) app built on this thread routes them first (case 6g)"
        }
        Some(_) => {
            "; the second .wrap(Api) app built on this thread answers them before routing too"
        }
        None => "",
    };
    Ok(format!(
        "app-wide: floor, actix-cors and .wrap(Api) answer preflights before routing{second}"
    ))
}
