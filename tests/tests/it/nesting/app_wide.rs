//! Named policies for a whole app or scope (`App::new().wrap(Api)`, `web::scope(..).wrap(..)`),
//! and their precedence with a handler's own `#[cors]`: exact header sets, as in
//! `conformance.rs`, through `actix_web::test`.

use crate::support;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::ErrorUnauthorized;
use actix_web::http::header::VARY;
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{delete, get, post, put, web, App, Error, HttpResponse};
use cors_runtime::{cors, policy, Cors, NamedPolicy};
use support::Outcome::*;
use support::{
    case, get as get_, hit, none, opts, pf, pf_ok, post as post_, refused, req, run, vary_only,
    ACAC, ACAH, ACAO, ACEH, ACMA, VARY_,
};

const APP: &str = "https://app.example.com";
const PARTNER: &str = "https://partner.example.org";
const OTHER: &str = "https://other.example.net";
const EVIL: &str = "https://evil.example.net";

/// The app's policy.
#[policy(
    origins = ["https://app.example.com"],
    credentials,
    methods = ["PUT", "DELETE"],
    allow_headers = ["Content-Type"],
    expose_headers = ["X-Request-Id"],
    max_age = 600,
)]
struct Api;

/// A stricter policy for the partner scope.
#[policy(origins = ["https://partner.example.org"], allow_headers = ["X-Partner-Key"])]
struct Partner;

#[get("/items")]
async fn items() -> HttpResponse {
    hit();
    HttpResponse::Ok()
        .insert_header(("X-Request-Id", "7"))
        .finish()
}

#[put("/items/{id}")]
async fn put_item(id: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(id.to_string())
}

#[post("/json")]
async fn json(body: web::Json<serde_json::Value>) -> HttpResponse {
    hit();
    HttpResponse::Ok().json(body.into_inner())
}

/// Sets its own `Vary`.
#[get("/negotiated")]
async fn negotiated() -> HttpResponse {
    hit();
    HttpResponse::Ok()
        .insert_header((VARY, "Accept-Encoding"))
        .finish()
}

/// Takes every method, `OPTIONS` included.
async fn any_method() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("any")
}

async fn not_found() -> HttpResponse {
    hit();
    HttpResponse::NotFound().body("custom 404")
}

/// Authentication inside the CORS layer: a 401 without `Authorization`.
async fn auth(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.path().starts_with("/private") && !req.headers().contains_key("authorization") {
        return Err(ErrorUnauthorized("no credentials"));
    }
    next.call(req).await
}

#[get("/private")]
async fn private() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

fn app_wide() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(from_fn(auth))
        .wrap(Api)
        .service(items)
        .service(put_item)
        .service(json)
        .service(negotiated)
        .service(private)
        .service(web::resource("/any").to(any_method))
        .default_service(web::to(not_found))
}

/// What a granted preflight of `Api` carries besides ACAO, ACAM and Vary.
fn api_pf(origin: &'static str, acam: &'static str) -> Vec<(&'static str, &'static str)> {
    pf_ok(
        origin,
        acam,
        &[(ACAC, "true"), (ACAH, "content-type"), (ACMA, "600")],
    )
}

/// An actual response `Api` grants.
fn api_actual(origin: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        (ACAO, origin),
        (ACAC, "true"),
        (ACEH, "X-Request-Id"),
        (VARY_, "Origin"),
    ]
}

#[actix_web::test]
async fn an_app_wide_policy() {
    #[rustfmt::skip]
    let cases = vec![
        // Preflights are answered before routing: on routed and unrouted paths, for a resource
        // that takes every method and under a default service of the user's, whose handlers
        // never run.
        case("routed, PUT", pf("/items/1", APP, "PUT").acrh("content-type"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("routed, GET needs no listing", pf("/items", APP, "GET"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("routed, POST needs no listing", pf("/json", APP, "POST").acrh("content-type"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("unrouted path", pf("/nowhere", APP, "DELETE"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("any-method resource", pf("/any", APP, "PUT"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("authenticated path", pf("/private", APP, "GET"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("refused origin", pf("/items", EVIL, "PUT"), Refused, 403, refused()),
        case("method not listed", pf("/items", APP, "PATCH"), Refused, 403, refused()),
        case("lower-case method", pf("/items", APP, "put"), Refused, 403, refused()),
        case("header not listed", pf("/items", APP, "PUT").acrh("x-other"), Refused, 403, refused()),
        // Actual requests: every response beneath gets the headers, once.
        case("GET, allowed", get_("/items").origin(APP), Actual, 200, api_actual(APP)).extra("x-request-id", "7"),
        case("GET, refused", get_("/items").origin(EVIL), Actual, 200, vary_only()).extra("x-request-id", "7"),
        case("GET, no origin", get_("/items"), NotCors, 200, vary_only()).extra("x-request-id", "7"),
        case("404 of the default service", get_("/nowhere").origin(APP), Actual, 404, api_actual(APP)).body("custom 404"),
        case("extractor error", post_("/json").origin(APP).h("content-type", "application/json").body("{"), Actual, 400, api_actual(APP)).unreached(),
        case("401 of a middleware inside", get_("/private").origin(APP), Actual, 401, api_actual(APP)).unreached(),
        case("401, refused origin", get_("/private").origin(EVIL), Actual, 401, vary_only()).unreached(),
        case("handler's own Vary kept", get_("/negotiated").origin(APP), Actual, 200,
            vec![(ACAO, APP), (ACAC, "true"), (ACEH, "X-Request-Id"), (VARY_, "Accept-Encoding"), (VARY_, "Origin")]),
        case("OPTIONS without ACRM is no preflight", opts("/any").origin(APP), Actual, 200, api_actual(APP)).body("any"),
    ];
    run(app_wide(), "app-wide", cases).await;
}

#[get("/status")]
async fn status() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

#[delete("/keys/{id}")]
async fn delete_key() -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

#[actix_web::test]
async fn a_scope_wide_policy() {
    let app = App::new()
        .service(status)
        .service(web::scope("/partner").wrap(Partner).service(delete_key));
    #[rustfmt::skip]
    let cases = vec![
        case("in scope, GET", pf("/partner/keys/1", PARTNER, "GET").acrh("x-partner-key"), Granted, 204, partner_pf_no_acam()),
        case("in scope, DELETE not listed", pf("/partner/keys/1", PARTNER, "DELETE"), Refused, 403, refused()),
        case("in scope, refused origin", pf("/partner/keys/1", APP, "GET"), Refused, 403, refused()),
        case("in scope, unrouted", pf("/partner/nowhere", PARTNER, "POST"), Granted, 204, partner_pf_no_acam()),
        case("outside the scope: not ours", pf("/status", PARTNER, "GET"), FallsThrough, 404, none()),
        case("in scope, actual", req(actix_web::http::Method::DELETE, "/partner/keys/1").origin(PARTNER), Actual, 204, vec![(ACAO, PARTNER), (VARY_, "Origin")]),
        case("in scope, 404", get_("/partner/nowhere").origin(PARTNER), Actual, 404, vec![(ACAO, PARTNER), (VARY_, "Origin")]).unreached(),
        case("outside the scope, actual", get_("/status").origin(PARTNER), Actual, 200, none()),
    ];
    run(app, "scope-wide", cases).await;
}

/// `Partner` lists no method: its preflights carry no `Access-Control-Allow-Methods`.
fn partner_pf_no_acam() -> Vec<(&'static str, &'static str)> {
    vec![
        (ACAO, PARTNER),
        (ACAH, "x-partner-key"),
        (VARY_, support::PFV),
    ]
}

/// A handler with its own policy, under the app's and in the partner scope.
#[cors(origins = ["https://other.example.net"], methods = ["PUT"])]
#[put("/override")]
async fn override_put() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("override")
}

/// A handler that takes the partner policy by name, outside the partner scope.
#[cors(policy = Partner)]
#[get("/borrowed")]
async fn borrowed() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("borrowed")
}

#[actix_web::test]
async fn the_innermost_policy_wins() {
    let app = App::new()
        .wrap(Api)
        .service(items)
        .service(override_put)
        .service(borrowed)
        .service(
            Partner::scope("/partner")
                .service(delete_key)
                .service(override_put),
        );
    let other_pf = pf_ok(OTHER, "PUT", &[]);
    #[rustfmt::skip]
    let cases = vec![
        // The app's policy where nothing else claims the path.
        case("app path", pf("/items", APP, "DELETE"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        case("app path, partner refused", pf("/items", PARTNER, "DELETE"), Refused, 403, refused()),
        case("unrouted app path", pf("/nowhere", APP, "PUT"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        // A handler's own policy for the methods it routes...
        case("handler's own, its origin", pf("/override", OTHER, "PUT"), Granted, 204, other_pf.clone()),
        case("handler's own refuses the app's origin", pf("/override", APP, "PUT"), Refused, 403, refused()),
        // ...and the app's for the others.
        case("handler path, other method: the app's", pf("/override", APP, "DELETE"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        // The scope's policy beneath the scope, the handler's beneath that.
        case("scope path", pf("/partner/keys/1", PARTNER, "GET"), Granted, 204, partner_pf_no_acam()),
        case("scope path refuses the app's origin", pf("/partner/keys/1", APP, "DELETE"), Refused, 403, refused()),
        case("unrouted scope path", pf("/partner/nowhere", PARTNER, "GET"), Granted, 204, partner_pf_no_acam()),
        case("handler in scope", pf("/partner/override", OTHER, "PUT"), Granted, 204, other_pf.clone()),
        case("handler in scope refuses the scope's origin", pf("/partner/override", PARTNER, "PUT"), Refused, 403, refused()),
        // A handler that takes a named policy, narrowed to its route.
        case("borrowed policy", pf("/borrowed", PARTNER, "GET"), Granted, 204, pf_ok(PARTNER, "GET", &[(ACAH, "x-partner-key")])),
        case("borrowed policy refuses the app's origin", pf("/borrowed", APP, "GET"), Refused, 403, refused()),
        // Actual requests: one policy's headers, never two.
        case("actual, app", get_("/items").origin(APP), Actual, 200, api_actual(APP)).extra("x-request-id", "7"),
        case("actual, handler's own", req(actix_web::http::Method::PUT, "/override").origin(OTHER), Actual, 200, vec![(ACAO, OTHER), (VARY_, "Origin")]).body("override"),
        case("actual, handler's own refuses the app's origin", req(actix_web::http::Method::PUT, "/override").origin(APP), Actual, 200, vary_only()).body("override"),
        case("actual, scope", req(actix_web::http::Method::DELETE, "/partner/keys/1").origin(PARTNER), Actual, 204, vec![(ACAO, PARTNER), (VARY_, "Origin")]),
        case("actual, scope refuses the app's origin", req(actix_web::http::Method::DELETE, "/partner/keys/1").origin(APP), Actual, 204, vary_only()),
        case("actual, scope 404", get_("/partner/nowhere").origin(PARTNER), Actual, 404, vec![(ACAO, PARTNER), (VARY_, "Origin")]).unreached(),
        case("actual, app 404", get_("/nowhere").origin(APP), Actual, 404, api_actual(APP)).unreached(),
        case("actual, borrowed", get_("/borrowed").origin(PARTNER), Actual, 200, vec![(ACAO, PARTNER), (VARY_, "Origin")]).body("borrowed"),
    ];
    run(app, "precedence", cases).await;
}

#[actix_web::test]
async fn switched_off_with_condition() {
    for enabled in [true, false] {
        let app = App::new().wrap(Condition::new(enabled, Api)).service(items);
        let expected = if enabled { api_actual(APP) } else { none() };
        let cases = vec![
            case("actual", get_("/items").origin(APP), Actual, 200, expected)
                .extra("x-request-id", "7"),
        ];
        run(app, "condition", cases).await;
    }
}

#[test]
fn the_middleware_value_is_clone_send_sync() {
    fn assert_value<T: Clone + Copy + Send + Sync + 'static>(_: T) {}
    assert_value(Api);
    assert_value(Api::cors());
    assert_value::<Cors>(Partner::cors());
}

/// The value built once, outside the server's factory, as actix-extras#171 asks.
#[actix_web::test]
async fn built_once_outside_the_factory() {
    let cors = Api::cors();
    let factory = move || App::new().wrap(cors).service(items);
    let cases = vec![case(
        "actual",
        get_("/items").origin(APP),
        Actual,
        200,
        api_actual(APP),
    )
    .extra("x-request-id", "7")];
    run(factory(), "outside", cases).await;
}

/// actix-web builds one app per listener on every worker thread: the second app (and the
/// third) must answer preflights before routing as the first does, reaching no handler.
#[actix_web::test]
async fn every_app_built_on_a_thread_answers_before_routing() {
    let build = || {
        App::new()
            .wrap(Api)
            .service(web::resource("/any").to(any_method))
    };
    for round in 0..3 {
        #[rustfmt::skip]
        let cases = vec![
            case("any-method resource", pf("/any", APP, "PUT"), Granted, 204, api_pf(APP, "PUT, DELETE")),
        ];
        run(build(), &format!("app {round}"), cases).await;
    }
}

/// Two app-wide layers: the outer one cannot see the inner one, so the shape is refused at the
/// first request that reaches both (reported once) and both fail closed from then on: no
/// response carries CORS headers, preflights and cross-origin requests that need one get 403.
#[actix_web::test]
async fn two_app_wide_layers_are_refused_and_fail_closed() {
    let app = App::new()
        .wrap(Partner)
        .wrap(Api)
        .service(items)
        .service(put_item);
    #[rustfmt::skip]
    let cases = vec![
        case("actual, first request", get_("/items").origin(PARTNER), Actual, 200, none()).extra("x-request-id", "7"),
        case("actual, the outer's origin", get_("/items").origin(APP), Actual, 200, none()).extra("x-request-id", "7"),
        case("preflight after", pf("/items/1", APP, "PUT"), Refused, 403, refused()),
        case("cross-origin PUT", req(actix_web::http::Method::PUT, "/items/1").origin(APP), Actual, 403, none()).unreached(),
    ];
    run(app, "two layers", cases).await;
}

/// Another app on the same thread with `#[cors]` routes of its own (as when a server listens on
/// several addresses) does not make this app route its preflights: what is inside a layer is
/// learnt from its own app.
#[actix_web::test]
async fn routes_of_another_app_on_the_thread_do_not_count() {
    let other = actix_web::test::init_service(App::new().service(override_put)).await;
    let app = App::new()
        .wrap(Api)
        .service(web::resource("/any").to(any_method));
    #[rustfmt::skip]
    let cases = vec![
        case("any-method resource", pf("/any", APP, "PUT"), Granted, 204, api_pf(APP, "PUT, DELETE")),
    ];
    run(app, "beside another app", cases).await;
    drop(other);
}

/// A `#[cors]` route shadowed by an earlier route of another pattern that matches the same path:
/// which one serves a `PUT` depends on guards a preflight cannot be checked against, so its
/// preflights are refused (fail closed); the earlier route's own paths keep the app's policy,
/// and so does the override where nothing shadows it.
#[actix_web::test]
async fn a_shadowed_route_gets_its_preflights_refused() {
    let app = App::new()
        .wrap(Api)
        .route("/{name}", web::get().to(any_method))
        .service(override_put);
    #[rustfmt::skip]
    let cases = vec![
        case("the override, shadowed", pf("/override", OTHER, "PUT"), Refused, 403, refused()),
        case("the override, app's origin", pf("/override", APP, "PUT"), Refused, 403, refused()),
        case("the earlier route's path", pf("/other", APP, "PUT"), Granted, 204, api_pf(APP, "PUT, DELETE")),
    ];
    run(app, "shadowed", cases).await;
    let app = App::new().wrap(Api).service(override_put);
    #[rustfmt::skip]
    let cases = vec![
        case("the override, alone", pf("/override", OTHER, "PUT"), Granted, 204, pf_ok(OTHER, "PUT", &[])),
    ];
    run(app, "not shadowed", cases).await;
}
