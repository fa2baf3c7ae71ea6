//! How a route's preflights are registered and how errors keep their type: route guards, an
//! empty path, the identity of an error from the route's own `wrap`. Each test failed before its
//! fix.

use std::cell::RefCell;
use std::fmt;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::guard::GuardContext;
use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::{delete, post, put, test, web, App, Error, HttpResponse, ResponseError};
use cors_runtime::cors;

const PARTNER: &str = "https://partner.example.org";
const OTHER: &str = "https://other.example.org";

fn preflight(path: &str, origin: &str, method: &str) -> test::TestRequest {
    test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method))
}

fn acao(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

// ---------------------------------------------------------------------------------------------
// Route guards. A preflight carries none of the actual request's headers, so it cannot
// be checked against a route's guard; it used to be granted by the first `#[cors]` route on the
// path, whose guard the actual request might then fail, falling through to another handler.

fn json_body(ctx: &GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

#[cors(origins = ["https://partner.example.org"], credentials, allow_headers = ["X-Csrf"])]
#[post("/transfer", guard = "json_body")]
async fn transfer_json() -> HttpResponse {
    HttpResponse::Ok().body("json transfer")
}

/// The same path and method, without a policy: it serves what fails the guard.
#[post("/transfer")]
async fn transfer_form() -> HttpResponse {
    HttpResponse::Ok().body("form transfer")
}

#[actix_web::test]
async fn a_guarded_route_grants_no_preflight_another_handler_could_serve() {
    let app = test::init_service(App::new().service(transfer_json).service(transfer_form)).await;
    let req = preflight("/transfer", PARTNER, "POST")
        .insert_header(("Access-Control-Request-Headers", "x-csrf"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(acao(res.headers()), None);
    assert!(res
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    // Simple requests, which need no preflight, are still served and granted by the guarded
    // route when its guard passes.
    let req = test::TestRequest::post()
        .uri("/transfer")
        .insert_header(("Origin", PARTNER))
        .insert_header((CONTENT_TYPE, "application/json"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(acao(res.headers()), Some(PARTNER));
    assert_eq!(test::read_body(res).await, "json transfer");
}

fn host_a(ctx: &GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get("x-tenant")
        .is_some_and(|v| v == "a")
}

#[cors(origins = ["https://partner.example.org"])]
#[delete("/g", guard = "host_a")]
async fn delete_a() -> HttpResponse {
    HttpResponse::Ok().body("a")
}

#[cors(origins = ["https://other.example.org"])]
#[delete("/g")]
async fn delete_b() -> HttpResponse {
    HttpResponse::Ok().body("b")
}

#[actix_web::test]
async fn two_policies_told_apart_by_a_guard_grant_nothing_they_cannot_check() {
    let app = test::init_service(App::new().service(delete_a).service(delete_b)).await;
    // Before: the first route's policy answered every preflight: PARTNER granted (though the
    // unguarded handler, which refuses it, may serve the request), OTHER refused (though it is
    // the policy of the handler that serves requests without the tenant header).
    for origin in [PARTNER, OTHER] {
        let res = test::call_service(&app, preflight("/g", origin, "DELETE").to_request()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(acao(res.headers()), None, "{origin}");
    }
}

// ---------------------------------------------------------------------------------------------
// An empty path. actix-web registers `#[put("")]` on `""`, which at the root matches
// no request; the preflight was registered on `/`, granting preflights for `PUT /`, which
// another handler serves.

#[cors(origins = ["https://partner.example.org"])]
#[put("")]
async fn put_empty() -> HttpResponse {
    HttpResponse::Ok().body("empty")
}

#[put("/")]
async fn put_root() -> HttpResponse {
    HttpResponse::Ok().body("root")
}

#[actix_web::test]
async fn an_empty_path_at_the_root_registers_its_preflight_where_actix_web_registers_the_route() {
    let app = test::init_service(App::new().service(put_empty).service(put_root)).await;
    let res = test::call_service(&app, preflight("/", PARTNER, "PUT").to_request()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(acao(res.headers()), None);
    let req = test::TestRequest::put()
        .uri("/")
        .insert_header(("Origin", PARTNER))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(acao(res.headers()), None);
    assert_eq!(test::read_body(res).await, "root");
}

#[actix_web::test]
async fn an_empty_path_in_a_scope_is_the_scope_path() {
    let app = test::init_service(App::new().service(web::scope("/api").service(put_empty))).await;
    let res = test::call_service(&app, preflight("/api", PARTNER, "PUT").to_request()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(acao(res.headers()), Some(PARTNER));
    let req = test::TestRequest::put()
        .uri("/api")
        .insert_header(("Origin", PARTNER))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(acao(res.headers()), Some(PARTNER));
    assert_eq!(test::read_body(res).await, "empty");
}

// ---------------------------------------------------------------------------------------------
// Error identity. An error from the route's own `wrap` used to be wrapped in a type of
// ours, so `as_error::<T>()` in an outer middleware returned `None`.

#[derive(Debug)]
struct QuotaExceeded;

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("quota exceeded")
    }
}

impl ResponseError for QuotaExceeded {
    fn status_code(&self) -> StatusCode {
        StatusCode::TOO_MANY_REQUESTS
    }
}

async fn quota(
    _req: ServiceRequest,
    _next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    Err::<ServiceResponse, _>(QuotaExceeded.into())
}

#[cors(origins = ["https://partner.example.org"], credentials)]
#[post("/limited", wrap = "from_fn(quota)")]
async fn limited() -> HttpResponse {
    HttpResponse::Ok().finish()
}

thread_local! {
    /// What the outer middleware saw: did the error still downcast to its own type?
    static SEEN: RefCell<Vec<bool>> = const { RefCell::new(Vec::new()) };
}

/// An error-reporting middleware, as applications write them.
async fn report(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let result = next.call(req).await;
    if let Err(err) = &result {
        let typed = err.as_error::<QuotaExceeded>().is_some();
        SEEN.with(|s| s.borrow_mut().push(typed));
    }
    result
}

#[actix_web::test]
async fn errors_of_the_routes_own_wrap_keep_their_type_and_get_the_headers() {
    let app = test::init_service(App::new().wrap(from_fn(report)).service(limited)).await;
    let req = test::TestRequest::post()
        .uri("/limited")
        .insert_header(("Origin", PARTNER))
        .to_request();
    let err = match app.call(req).await {
        Ok(res) => panic!("expected the middleware's error, got {}", res.status()),
        Err(err) => err,
    };
    assert_eq!(SEEN.with(|s| s.borrow().clone()), [true]);
    assert!(err.as_error::<QuotaExceeded>().is_some());
    let res = err.error_response();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(acao(res.headers()), Some(PARTNER));
    assert_eq!(
        res.headers()
            .get("access-control-allow-credentials")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    assert_eq!(
        res.headers().get("vary").map(|v| v.as_bytes()),
        Some(&b"Origin"[..])
    );
}
