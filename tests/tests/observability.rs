//! Why a request was refused (`tracing` events on the `cors_runtime` target, one test
//! per reason, fields asserted) and the listing of every policy an app registers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::{get, post, put, routes, test, web, App, HttpRequest, HttpResponse};
use cors_runtime::{cors, policy, Listing, NamedPolicy, Refusal};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

// ---------------------------------------------------------------------------------------------
// A subscriber that keeps every event of the `cors_runtime` target up to `max`.

#[derive(Clone, Debug)]
struct Captured {
    level: Level,
    target: String,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

#[derive(Clone)]
struct Capture {
    max: Level,
    events: Arc<Mutex<Vec<Captured>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Other tests run in parallel with their own subscribers: decide per event.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("cors_runtime") && *metadata.level() <= self.max
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Installs a capturing subscriber for this thread (where `actix_web::test` runs the app).
fn capture(max: Level) -> (Arc<Mutex<Vec<Captured>>>, tracing::dispatcher::DefaultGuard) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let subscriber = Capture {
        max,
        events: Arc::clone(&events),
    };
    let guard = tracing::dispatcher::set_default(&tracing::Dispatch::new(subscriber));
    (events, guard)
}

fn take(events: &Arc<Mutex<Vec<Captured>>>) -> Vec<Captured> {
    std::mem::take(&mut *events.lock().unwrap())
}

// ---------------------------------------------------------------------------------------------
// The app.

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

#[policy(origins = ["https://app.example.com"], methods = ["PUT"], allow_headers = ["Content-Type"])]
struct Api;

#[policy(origins = ["https://admin.example.com"], credentials, max_age = 60)]
struct Admin;

#[cors(origins = ["https://app.example.com"], allow_headers = ["Content-Type", "X-Token"], max_age = 600)]
#[get("/items")]
async fn list_items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com", "https://*.partner.example.org"], credentials, expose_headers = ["X-Id"])]
#[post("/items")]
async fn create_item() -> HttpResponse {
    HttpResponse::Created().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PUT"])]
#[routes]
#[get("/things")]
#[put("/things/{id}")]
async fn things() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn has_key(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-key")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/guarded", guard = "has_key")]
async fn guarded() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["*"])]
#[get("/docs/{page:\\d+}")]
async fn docs() -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn plain() -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn show_listing(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(serde_json::to_string(&Listing::of(&req)).unwrap_or_default())
}

/// An app-wide policy, a scope with its own, handlers in scopes (one overriding its scope's,
/// several on one path), a dynamic scope.
fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(Api)
        .service(
            web::scope("/api")
                .service(list_items)
                .service(create_item)
                .service(things)
                .service(guarded),
        )
        .service(
            Admin::scope("/admin")
                .route("/stats", web::get().to(plain))
                .service(web::scope("/tenants/{tenant}").service(docs)),
        )
        .route("/plain", web::get().to(plain))
        .route("/cors-policies", web::get().to(show_listing))
}

fn preflight(path: &str, origin: &str, method: &str) -> test::TestRequest {
    test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method))
}

/// Sends `req`, returns its status and the `cors_runtime` events it raised.
async fn send<S, B>(
    app: &S,
    req: test::TestRequest,
    events: &Arc<Mutex<Vec<Captured>>>,
) -> (u16, Vec<Captured>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    take(events);
    let res = test::call_service(app, req.to_request()).await;
    (res.status().as_u16(), take(events))
}

/// The one event, a refusal at `DEBUG` with `reason`.
fn refusal(events: &[Captured], reason: Refusal) -> &Captured {
    assert_eq!(events.len(), 1, "one event per request: {events:#?}");
    let e = &events[0];
    assert_eq!(e.level, Level::DEBUG);
    assert_eq!(e.target, "cors_runtime");
    assert_eq!(e.field("reason"), Some(reason.as_str()), "{e:#?}");
    e
}

// ---------------------------------------------------------------------------------------------
// Refusal reasons, one test each.

#[actix_web::test]
async fn origin_not_allowed_preflight() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let (status, ev) = send(&app, preflight("/api/items", EVIL, "GET"), &events).await;
    assert_eq!(status, 403);
    let e = refusal(&ev, Refusal::OriginNotAllowed);
    assert_eq!(e.field("route"), Some("/api/items"));
    assert_eq!(e.field("origin"), Some(EVIL));
    assert_eq!(e.field("kind"), Some("preflight"));
    assert_eq!(e.field("method"), Some("GET"));
    assert_eq!(e.field("header"), None);
}

#[actix_web::test]
async fn origin_not_allowed_actual() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let req = test::TestRequest::get()
        .uri("/api/items")
        .insert_header(("Origin", EVIL));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 200, "the handler still runs");
    let e = refusal(&ev, Refusal::OriginNotAllowed);
    assert_eq!(e.field("route"), Some("/api/items"));
    assert_eq!(e.field("kind"), Some("actual"));
    assert_eq!(e.field("origin"), Some(EVIL));
    // Not a CORS request: no event.
    let (_, ev) = send(&app, test::TestRequest::get().uri("/api/items"), &events).await;
    assert!(ev.is_empty(), "{ev:#?}");
}

#[actix_web::test]
async fn method_not_allowed() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    // GET is routed on /api/things, but the policy allows only PUT.
    let (status, ev) = send(&app, preflight("/api/things", APP, "GET"), &events).await;
    assert_eq!(status, 403);
    let e = refusal(&ev, Refusal::MethodNotAllowed);
    assert_eq!(e.field("route"), Some("/api/things"));
    assert_eq!(e.field("method"), Some("GET"));
    // The app-wide policy answers before routing: PATCH is not in its methods.
    let (status, ev) = send(&app, preflight("/plain", APP, "PATCH"), &events).await;
    assert_eq!(status, 403);
    let e = refusal(&ev, Refusal::MethodNotAllowed);
    assert_eq!(e.field("route"), Some("/plain"));
    let (_, ev) = send(&app, preflight("/nowhere", APP, "PATCH"), &events).await;
    assert_eq!(
        refusal(&ev, Refusal::MethodNotAllowed).field("route"),
        Some(cors_runtime::events::NO_ROUTE)
    );
}

#[actix_web::test]
async fn header_not_allowed_names_the_first() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let req = preflight("/api/items", APP, "GET").insert_header((
        "Access-Control-Request-Headers",
        "content-type,x-secret,x-other",
    ));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 403);
    let e = refusal(&ev, Refusal::HeaderNotAllowed);
    assert_eq!(e.field("header"), Some("x-secret"));
    assert_eq!(e.field("route"), Some("/api/items"));
}

#[actix_web::test]
async fn request_header_malformed() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let req = preflight("/api/items", APP, "GET")
        .insert_header(("Access-Control-Request-Headers", "content-type,x(token)"));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 403);
    refusal(&ev, Refusal::RequestHeaderMalformed);
    let req = preflight("/api/items", APP, "GET")
        .insert_header(("Access-Control-Request-Headers", ",".repeat(20)));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 403);
    refusal(&ev, Refusal::RequestHeaderMalformed);
}

#[actix_web::test]
async fn request_header_too_long() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let long = vec!["content-type"; 500].join(",");
    let req =
        preflight("/api/items", APP, "GET").insert_header(("Access-Control-Request-Headers", long));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 403);
    refusal(&ev, Refusal::RequestHeaderTooLong);
}

#[actix_web::test]
async fn preflight_on_guarded_route() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let (status, ev) = send(&app, preflight("/api/guarded", APP, "GET"), &events).await;
    assert_eq!(status, 403);
    let e = refusal(&ev, Refusal::PreflightOnGuardedRoute);
    assert_eq!(e.field("route"), Some("/api/guarded"));
}

#[actix_web::test]
async fn grants_are_trace_and_nothing_is_info() {
    let (events, _guard) = capture(Level::TRACE);
    let app = test::init_service(app()).await;
    let req = preflight("/api/items", APP, "GET")
        .insert_header(("Access-Control-Request-Headers", "content-type"));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 204);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].level, Level::TRACE);
    assert_eq!(ev[0].field("kind"), Some("preflight"));
    assert_eq!(ev[0].field("route"), Some("/api/items"));
    assert_eq!(ev[0].field("reason"), None);
    let req = test::TestRequest::get()
        .uri("/admin/tenants/acme/docs/3")
        .insert_header(("Origin", EVIL));
    let (status, ev) = send(&app, req, &events).await;
    assert_eq!(status, 200);
    assert_eq!(ev.len(), 1, "only the innermost policy decides: {ev:#?}");
    assert_eq!(ev[0].level, Level::TRACE);
    assert_eq!(ev[0].field("kind"), Some("actual"));
    assert_eq!(
        ev[0].field("route"),
        Some("/admin/tenants/{tenant}/docs/{page:\\d+}")
    );
}

#[actix_web::test]
async fn debug_level_leaves_grants_out() {
    let (events, _guard) = capture(Level::DEBUG);
    let app = test::init_service(app()).await;
    let (status, ev) = send(&app, preflight("/api/items", APP, "GET"), &events).await;
    assert_eq!(status, 204);
    assert!(ev.is_empty(), "{ev:#?}");
    let (_, ev) = send(&app, preflight("/api/items", EVIL, "GET"), &events).await;
    refusal(&ev, Refusal::OriginNotAllowed);
}

#[::core::prelude::v1::test]
fn reason_names_are_stable() {
    let names: Vec<&str> = [
        Refusal::OriginNotAllowed,
        Refusal::MethodNotAllowed,
        Refusal::HeaderNotAllowed,
        Refusal::RequestHeaderMalformed,
        Refusal::RequestHeaderTooLong,
        Refusal::PreflightOnGuardedRoute,
    ]
    .iter()
    .map(|r| r.as_str())
    .collect();
    assert_eq!(
        names,
        [
            "origin-not-allowed",
            "method-not-allowed",
            "header-not-allowed",
            "request-header-malformed",
            "request-header-too-long",
            "preflight-on-guarded-route"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// The listing.

async fn listing_json<S, B>(app: &S) -> serde_json::Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let res = test::call_service(
        app,
        test::TestRequest::get().uri("/cors-policies").to_request(),
    )
    .await;
    let body = test::read_body(res).await;
    serde_json::from_slice(&body).expect("the listing is JSON")
}

#[actix_web::test]
async fn listing_of_an_app_with_scopes_overrides_and_shared_paths() {
    let app = test::init_service(app()).await;
    let listing = listing_json(&app).await;
    let rows: Vec<(String, String, String)> = listing
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or_default().to_owned(),
                p["declared"].as_str().unwrap_or_default().to_owned(),
                p["routed_methods"].to_string(),
            )
        })
        .collect();
    let expected = [
        ("/*", "app", "[]"),
        ("/admin/*", "scope", "[]"),
        (
            "/admin/tenants/{tenant}/docs/{page:\\d+}",
            "handler",
            "[\"GET\"]",
        ),
        ("/api/guarded", "guarded-handler", "[\"GET\"]"),
        ("/api/items", "handler", "[\"GET\"]"),
        ("/api/items", "handler", "[\"POST\"]"),
        ("/api/things", "handler", "[\"GET\"]"),
        ("/api/things/{id}", "handler", "[\"PUT\"]"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(rows, expected, "{listing:#}");

    let p = |i: usize| &listing[i];
    // The app-wide policy: safelisted methods added, what was written kept.
    assert_eq!(
        p(0)["allow_methods"],
        serde_json::json!(["PUT", "GET", "HEAD", "POST"])
    );
    assert_eq!(p(0)["allow_headers"], serde_json::json!(["content-type"]));
    assert_eq!(
        p(0)["origins"],
        serde_json::json!([{"origin": APP, "source": "literal"}])
    );
    // The scope's.
    assert_eq!(p(1)["credentials"], true);
    assert_eq!(p(1)["max_age"], 60);
    assert_eq!(p(2)["origins"][0]["origin"], "*");
    // Two handlers on /api/items, each with its own policy.
    assert_eq!(
        p(4)["allow_headers"],
        serde_json::json!(["content-type", "x-token"])
    );
    assert_eq!(p(4)["max_age"], 600);
    assert_eq!(p(4)["credentials"], false);
    assert_eq!(p(5)["credentials"], true);
    assert_eq!(p(5)["expose_headers"], serde_json::json!(["X-Id"]));
    assert_eq!(
        p(5)["origins"][1]["origin"],
        "https://*.partner.example.org"
    );
    // The innermost policy decides: what each one takes precedence over.
    let overrides = |i: usize| p(i)["overrides"].to_string();
    assert_eq!(overrides(0), "[]");
    assert_eq!(overrides(1), r#"["/*"]"#, "the admin scope over the app");
    assert_eq!(
        overrides(2),
        r#"["/admin/*","/*"]"#,
        "a handler in the scope"
    );
    assert_eq!(overrides(4), r#"["/*"]"#, "a handler outside it");
    // GET routed but not allowed on /api/things.
    assert_eq!(p(6)["allow_methods"], serde_json::json!([]));
    assert!(listing
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["resolved"] == true));
}

#[actix_web::test]
async fn listing_table_and_unreached_scopes() {
    let app = test::init_service(app()).await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/plain").to_request()).await;
    let listing = Listing::of(res.request());
    let table = listing.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + 8, "{table}");
    assert!(lines[0].starts_with("PATH "), "{table}");
    // Aligned: every column starts where its header does.
    let col = lines[0].find("DECLARED").unwrap();
    for line in &lines[1..] {
        assert_eq!(&line[col - 2..col], "  ", "{table}");
        assert_ne!(&line[col..col + 1], " ", "{table}");
    }
    assert!(lines[1].starts_with("/*  "), "{table}");
    // The admin scope is declared where it stands: listed with its prefix before any request
    // reaches it.
    assert!(
        listing
            .policies
            .iter()
            .any(|p| p.declared == cors_runtime::Declared::Scope
                && p.resolved
                && p.path == "/admin/*"),
        "{table}"
    );
    assert!(table.contains("https://*.partner.example.org"), "{table}");
    // The sample in docs/observability.md.
    println!("{table}");
}

#[actix_web::test]
async fn listing_leaves_other_apps_out() {
    let first = test::init_service(app()).await;
    let other = test::init_service(App::new().service(list_items)).await;
    let res = test::call_service(&other, test::TestRequest::get().uri("/items").to_request()).await;
    let listing = Listing::of(res.request());
    let rows: Vec<(&str, &str)> = listing
        .policies
        .iter()
        .map(|p| (p.path.as_str(), p.declared.as_str()))
        .collect();
    // `first`'s routes, scope and app-wide layer are left out: its anchors' names do not
    // resolve in `other`'s resource map, and its layer has not been placed in `other`.
    assert_eq!(rows, [("/items", "handler")], "{listing}");
    // Once `first` has served a request, its layers are placed in `first`, out of `other`.
    test::call_service(
        &first,
        test::TestRequest::get().uri("/admin/stats").to_request(),
    )
    .await;
    test::call_service(&first, test::TestRequest::get().uri("/plain").to_request()).await;
    let listing = Listing::of(res.request());
    let rows: Vec<&str> = listing.policies.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(rows, ["/items"], "{listing}");
}

// ---------------------------------------------------------------------------------------------
// What the guide promises: `tracing-subscriber`'s `EnvFilter` with `cors_runtime=debug`.

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

#[actix_web::test]
async fn env_filter_cors_runtime_debug_shows_the_reasons() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("cors_runtime=debug"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = test::init_service(app()).await;

    let req = preflight("/api/items", APP, "GET")
        .insert_header(("Access-Control-Request-Headers", "content-type,x-secret"));
    test::call_service(&app, req.to_request()).await;
    let line = buffer.take();
    assert_eq!(
        line.trim_end(),
        "DEBUG cors_runtime: CORS request refused route=/api/items \
         origin=https://app.example.com kind=\"preflight\" reason=\"header-not-allowed\" \
         method=GET header=\"x-secret\""
    );

    // Grants are TRACE: not shown at `debug`.
    test::call_service(&app, preflight("/api/items", APP, "GET").to_request()).await;
    assert_eq!(buffer.take(), "");
}

#[actix_web::test]
async fn listing_of_an_app_at_start_up() {
    let listing = Listing::of_app(app()).await.expect("the app starts");
    let rows: Vec<(&str, &str)> = listing
        .policies
        .iter()
        .map(|p| (p.path.as_str(), p.declared.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("/*", "app"),
            ("/admin/*", "scope"),
            ("/admin/tenants/{tenant}/docs/{page:\\d+}", "handler"),
            ("/api/guarded", "handler (guarded)"),
            ("/api/items", "handler"),
            ("/api/items", "handler"),
            ("/api/things", "handler"),
            ("/api/things/{id}", "handler"),
        ],
        "{listing}"
    );
}

/// The services of an app in one function, as `docs/observability.md` suggests for the demo:
/// the listing is made from an app without the server's own middleware.
fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_items)
        .service(create_item)
        .route("/plain", web::get().to(plain));
}

#[actix_web::test]
async fn listing_of_a_configured_app() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("cors_runtime=debug"));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let listing = Listing::of_app(App::new().configure(api_routes))
        .await
        .expect("the app starts");
    let rows: Vec<(&str, &str)> = listing
        .policies
        .iter()
        .map(|p| (p.path.as_str(), p.declared.as_str()))
        .collect();
    assert_eq!(
        rows,
        [("/items", "handler"), ("/items", "handler")],
        "{listing}"
    );
}
