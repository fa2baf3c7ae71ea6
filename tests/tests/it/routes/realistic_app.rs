//! A realistic app under one app-wide policy: a shop API (`/api`) and an admin scope (`/admin`)
//! with a stricter named policy, 33 routes written every way actix-web offers (route macros,
//! `#[routes]`, `web::resource(..).route(..)`, `web::route()`), JSON bodies and path
//! parameters, and one handler (a partner webhook) with its own `#[cors]`.
//!
//! The table lists every route once, with the policy that must answer for it; each route then
//! gets a preflight and an actual request from its allowed origin and from two refused ones (an
//! unknown site, and the origin the *other* policies allow), and every answer must carry
//! exactly that policy's headers.

use crate::support;

use actix_web::http::Method;
use actix_web::{delete, get, patch, post, put, routes, web, App, HttpResponse};
use cors_runtime::{cors, policy, NamedPolicy};
use serde_json::Value;
use support::Outcome::*;
use support::{
    case, hit, pf, pf_ok, refused, req, run, vary_only, Case, Headers, ACAC, ACAH, ACAO, ACEH,
    ACMA, VARY_,
};

const SHOP: &str = "https://shop.example.com";
const ADMIN: &str = "https://admin.example.com";
const PARTNER: &str = "https://partner.example.org";
const EVIL: &str = "https://evil.example.net";

/// The app's policy: the shop front end, with cookies.
#[policy(
    origins = ["https://shop.example.com"],
    credentials,
    methods = ["PUT", "PATCH", "DELETE"],
    allow_headers = ["Content-Type", "Authorization"],
    expose_headers = ["X-Request-Id"],
    max_age = 3600,
)]
struct Shop;

/// The admin console's policy, stricter: another origin, no credentials, DELETE the only
/// method beyond GET/HEAD/POST, no Authorization header, no caching.
#[policy(
    origins = ["https://admin.example.com"],
    methods = ["DELETE"],
    allow_headers = ["Content-Type"]
)]
struct Admin;

// ---------------------------------------------------------------------------------------------
// /api: the shop (the app's policy)

#[get("/products")]
async fn products() -> HttpResponse {
    hit();
    HttpResponse::Ok()
        .insert_header(("X-Request-Id", "r1"))
        .json([1, 2, 3])
}

#[get("/products/{id}")]
async fn product(id: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("product {id}"))
}

#[post("/products")]
async fn create_product(body: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Created().json(body.into_inner())
}

#[put("/products/{id}")]
async fn replace_product(id: web::Path<u32>, body: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("product {id} = {}", body.into_inner()))
}

#[patch("/products/{id}")]
async fn patch_product(id: web::Path<u32>, _body: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("product {id} patched"))
}

#[delete("/products/{id}")]
async fn delete_product(_id: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

#[get("/products/{id}/reviews")]
async fn reviews(_id: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::Ok().json(["good"])
}

#[post("/products/{id}/reviews")]
async fn add_review(_id: web::Path<u32>, _review: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Created().finish()
}

async fn cart() -> HttpResponse {
    hit();
    HttpResponse::Ok().json(Vec::<u32>::new())
}

async fn add_to_cart(_item: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Created().finish()
}

async fn remove_from_cart(sku: web::Path<String>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("removed {sku}"))
}

/// Two GET routes, one handler.
#[routes]
#[get("/orders")]
#[get("/orders/recent")]
async fn orders() -> HttpResponse {
    hit();
    HttpResponse::Ok().json(Vec::<u32>::new())
}

#[get("/orders/{id}")]
async fn order(id: web::Path<u64>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("order {id}"))
}

#[post("/orders")]
async fn place_order(_order: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Created().finish()
}

#[delete("/orders/{id}")]
async fn cancel_order(_id: web::Path<u64>) -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

#[get("/users/{user}/profile")]
async fn profile(user: web::Path<String>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("profile of {user}"))
}

#[put("/users/{user}/profile")]
async fn update_profile(_user: web::Path<String>, _body: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

#[get("/users/{user}/orders/{id}")]
async fn user_order(path: web::Path<(String, u64)>) -> HttpResponse {
    hit();
    let (user, id) = path.into_inner();
    HttpResponse::Ok().body(format!("order {id} of {user}"))
}

#[get("/search")]
async fn search(query: web::Query<Vec<(String, String)>>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("{} term(s)", query.len()))
}

/// A partner's browser app posts events here: this one handler takes the partner's origin, and
/// only it, for POST on its path (its own policy overrides the app's).
#[cors(origins = ["https://partner.example.org"], allow_headers = ["Content-Type"])]
#[post("/webhooks/{provider}")]
async fn webhook(provider: web::Path<String>, _event: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Accepted().body(format!("event from {provider}"))
}

async fn health() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("ok")
}

// ---------------------------------------------------------------------------------------------
// /admin: the admin console (its own, stricter policy)

#[get("/users")]
async fn admin_users() -> HttpResponse {
    hit();
    HttpResponse::Ok().json(["ada"])
}

#[get("/users/{id}")]
async fn admin_user(id: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("user {id}"))
}

#[delete("/users/{id}")]
async fn admin_delete_user(_id: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

#[get("/stats")]
async fn admin_stats() -> HttpResponse {
    hit();
    HttpResponse::Ok().json([1])
}

async fn admin_reindex(_body: web::Json<Value>) -> HttpResponse {
    hit();
    HttpResponse::Accepted().finish()
}

/// Reading and appending to a day's audit log: one handler, GET and POST.
#[routes]
#[get("/audit/{day}")]
#[post("/audit/{day}")]
async fn admin_audit(day: web::Path<String>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(format!("audit {day}"))
}

async fn admin_flush_cache() -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

/// PUT is not among the admin policy's methods: browsers cannot call this cross-origin.
#[put("/flags/{name}")]
async fn admin_set_flag(_name: web::Path<String>, _on: web::Json<bool>) -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

// ---------------------------------------------------------------------------------------------
// Top level (the app's policy)

#[get("/")]
async fn index() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("shop")
}

async fn version() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("1.0")
}

fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(Shop)
        .service(index)
        .route("/version", web::get().to(version))
        .service(
            web::scope("/api")
                .service(products)
                .service(create_product)
                .service(product)
                .service(replace_product)
                .service(patch_product)
                .service(delete_product)
                .service(reviews)
                .service(add_review)
                .service(
                    web::resource("/cart")
                        .name("cart")
                        .route(web::get().to(cart)),
                )
                .service(web::resource("/cart/items").route(web::post().to(add_to_cart)))
                .service(
                    web::resource("/cart/items/{sku}").route(web::delete().to(remove_from_cart)),
                )
                .service(orders)
                .service(place_order)
                .service(order)
                .service(cancel_order)
                .service(profile)
                .service(update_profile)
                .service(user_order)
                .service(search)
                .service(webhook)
                .service(web::resource("/health").route(web::get().to(health))),
        )
        .service(
            Admin::scope("/admin")
                .service(admin_users)
                .service(admin_user)
                .service(admin_delete_user)
                .service(admin_stats)
                .service(web::resource("/reindex").route(web::post().to(admin_reindex)))
                .service(admin_audit)
                .service(web::resource("/cache").route(web::delete().to(admin_flush_cache)))
                .service(admin_set_flag),
        )
}

// ---------------------------------------------------------------------------------------------
// The table

/// Which policy answers for a route.
#[derive(Clone, Copy, Debug)]
enum Policy {
    Shop,
    Admin,
    /// The webhook handler's own `#[cors]`.
    Webhook,
}

/// One route: method, a concrete path, the JSON body its extractor needs (if any), the status
/// its handler answers with, and the policy in charge.
struct Route {
    method: &'static str,
    path: &'static str,
    json: Option<&'static str>,
    status: u16,
    policy: Policy,
}

const fn route(
    method: &'static str,
    path: &'static str,
    json: Option<&'static str>,
    status: u16,
    policy: Policy,
) -> Route {
    Route {
        method,
        path,
        json,
        status,
        policy,
    }
}

const J: Option<&str> = Some(r#"{"name":"lamp"}"#);

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    route("GET", "/", None, 200, Policy::Shop),
    route("GET", "/version", None, 200, Policy::Shop),
    route("GET", "/api/products", None, 200, Policy::Shop),
    route("POST", "/api/products", J, 201, Policy::Shop),
    route("GET", "/api/products/7", None, 200, Policy::Shop),
    route("PUT", "/api/products/7", J, 200, Policy::Shop),
    route("PATCH", "/api/products/7", J, 200, Policy::Shop),
    route("DELETE", "/api/products/7", None, 204, Policy::Shop),
    route("GET", "/api/products/7/reviews", None, 200, Policy::Shop),
    route("POST", "/api/products/7/reviews", J, 201, Policy::Shop),
    route("GET", "/api/cart", None, 200, Policy::Shop),
    route("POST", "/api/cart/items", J, 201, Policy::Shop),
    route("DELETE", "/api/cart/items/sku-1", None, 200, Policy::Shop),
    route("GET", "/api/orders", None, 200, Policy::Shop),
    route("GET", "/api/orders/recent", None, 200, Policy::Shop),
    route("POST", "/api/orders", J, 201, Policy::Shop),
    route("GET", "/api/orders/42", None, 200, Policy::Shop),
    route("DELETE", "/api/orders/42", None, 204, Policy::Shop),
    route("GET", "/api/users/ada/profile", None, 200, Policy::Shop),
    route("PUT", "/api/users/ada/profile", J, 200, Policy::Shop),
    route("GET", "/api/users/ada/orders/42", None, 200, Policy::Shop),
    route("GET", "/api/search?q=lamp&sort=price", None, 200, Policy::Shop),
    route("POST", "/api/webhooks/stripe", J, 202, Policy::Webhook),
    route("GET", "/api/health", None, 200, Policy::Shop),
    route("GET", "/admin/users", None, 200, Policy::Admin),
    route("GET", "/admin/users/3", None, 200, Policy::Admin),
    route("DELETE", "/admin/users/3", None, 204, Policy::Admin),
    route("GET", "/admin/stats", None, 200, Policy::Admin),
    route("POST", "/admin/reindex", J, 202, Policy::Admin),
    route("GET", "/admin/audit/2026-11-30", None, 200, Policy::Admin),
    route("POST", "/admin/audit/2026-11-30", None, 200, Policy::Admin),
    route("DELETE", "/admin/cache", None, 204, Policy::Admin),
    route("PUT", "/admin/flags/beta", Some("true"), 200, Policy::Admin),
];

impl Policy {
    /// The origin it allows.
    fn origin(self) -> &'static str {
        match self {
            Policy::Shop => SHOP,
            Policy::Admin => ADMIN,
            Policy::Webhook => PARTNER,
        }
    }

    /// Origins it refuses: an unknown site, and the origins the other policies allow (a
    /// stricter scope must not fall back to the app's policy, nor the app's to the scope's).
    fn refused(self) -> [&'static str; 3] {
        match self {
            Policy::Shop => [EVIL, ADMIN, PARTNER],
            Policy::Admin => [EVIL, SHOP, PARTNER],
            Policy::Webhook => [EVIL, SHOP, ADMIN],
        }
    }

    /// Whether a preflight for `method` is granted: GET, HEAD and POST always, others when
    /// listed (a named policy lists its methods; the webhook's own policy covers its route).
    fn grants_method(self, method: &str) -> bool {
        match self {
            Policy::Shop => ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method),
            Policy::Admin => ["GET", "POST", "DELETE"].contains(&method),
            Policy::Webhook => method == "POST",
        }
    }

    /// The headers of a granted preflight for `method`.
    fn preflight(self, method: &'static str) -> Headers {
        match self {
            Policy::Shop => pf_ok(
                SHOP,
                "PUT, PATCH, DELETE",
                &[
                    (ACAC, "true"),
                    (ACAH, "content-type, authorization"),
                    (ACMA, "3600"),
                ],
            ),
            Policy::Admin => pf_ok(ADMIN, "DELETE", &[(ACAH, "content-type")]),
            // A route's own policy lists the route's method.
            Policy::Webhook => pf_ok(PARTNER, method, &[(ACAH, "content-type")]),
        }
    }

    /// The headers of an actual response to its origin.
    fn actual(self) -> Headers {
        match self {
            Policy::Shop => vec![
                (ACAO, SHOP),
                (ACAC, "true"),
                (ACEH, "X-Request-Id"),
                (VARY_, "Origin"),
            ],
            Policy::Admin => vec![(ACAO, ADMIN), (VARY_, "Origin")],
            Policy::Webhook => vec![(ACAO, PARTNER), (VARY_, "Origin")],
        }
    }
}

/// The actual request of `r` from `origin`.
fn actual(r: &Route, origin: &str) -> support::Req {
    let method = Method::from_bytes(r.method.as_bytes()).expect("a method of the table");
    let request = req(method, r.path).origin(origin);
    match r.json {
        Some(json) => request.h("content-type", "application/json").body(json),
        None => request,
    }
}

/// The preflight a browser sends before `r` from `origin` (JSON bodies need `Content-Type`).
fn preflight(r: &Route, origin: &str) -> support::Req {
    let request = pf(r.path, origin, r.method);
    match r.json {
        Some(_) => request.acrh("content-type"),
        None => request,
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for r in ROUTES {
        let name = |what: &str| format!("{} {} {what}", r.method, r.path);
        let policy = r.policy;
        let allowed = policy.origin();
        if policy.grants_method(r.method) {
            cases.push(case(
                name("preflight, allowed"),
                preflight(r, allowed),
                Granted,
                204,
                policy.preflight(r.method),
            ));
        } else {
            cases.push(case(
                name("preflight, method not listed"),
                preflight(r, allowed),
                Refused,
                403,
                refused(),
            ));
        }
        let mut granted = case(
            name("actual, allowed"),
            actual(r, allowed),
            Actual,
            r.status,
            policy.actual(),
        );
        if r.path == "/api/products" && r.method == "GET" {
            // The handler that sets the header the app's policy exposes: it stays.
            granted = granted.extra("x-request-id", "r1");
        }
        cases.push(granted);
        for origin in policy.refused() {
            cases.push(case(
                name(&format!("preflight, refused {origin}")),
                preflight(r, origin),
                Refused,
                403,
                refused(),
            ));
            cases.push(case(
                name(&format!("actual, refused {origin}")),
                actual(r, origin),
                Actual,
                r.status,
                vary_only(),
            ));
        }
    }
    cases
}

#[actix_web::test]
async fn every_route_answers_with_its_policy() {
    let cases = cases();
    // Per route: a preflight and an actual request from its origin and from three refused ones.
    assert_eq!(cases.len(), ROUTES.len() * 8);
    run(app(), "realistic app", cases).await;
}

/// Paths no route serves: the default 404 carries the policy of the app or scope they fall in.
#[actix_web::test]
async fn an_unrouted_path_gets_the_apps_policy() {
    let cases = vec![
        case(
            "unrouted, actual",
            req(Method::GET, "/api/nowhere").origin(SHOP),
            Actual,
            404,
            Policy::Shop.actual(),
        )
        .unreached(),
        case(
            "unrouted in the admin scope, actual",
            req(Method::GET, "/admin/nowhere").origin(ADMIN),
            Actual,
            404,
            Policy::Admin.actual(),
        )
        .unreached(),
        case(
            "unrouted in the admin scope, the shop's origin",
            req(Method::GET, "/admin/nowhere").origin(SHOP),
            Actual,
            404,
            vary_only(),
        )
        .unreached(),
    ];
    run(app(), "unrouted", cases).await;
}
