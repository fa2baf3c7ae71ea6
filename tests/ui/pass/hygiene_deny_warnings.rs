//! The generated code compiles under the strictest crate-level settings users put in their
//! roots: no warning of any kind, and no `unsafe` anywhere (`forbid` cannot be overridden by
//! an `#[allow]` inside the expansion, so an `unsafe` block there would be an error here).
#![deny(warnings)]
#![forbid(unsafe_code)]

use actix_web::guard::GuardContext;
use actix_web::middleware::DefaultHeaders;
use actix_web::{
    get, post, route, routes, test, web, App, Error, HttpRequest, HttpResponse, Responder,
};
use cors_runtime::cors;

fn has_key(ctx: &GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-key")
}

fn tag() -> DefaultHeaders {
    DefaultHeaders::new().add(("X-Wrapped", "yes"))
}

/// `#[get]` with `name`, `guard` and `wrap`, credentials and every optional key.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    allow_headers = ["Content-Type"],
    expose_headers = ["X-Request-Id"],
    max_age = 600
)]
#[get("/items/{id}", name = "item", guard = "has_key", wrap = "tag()")]
async fn item(req: HttpRequest, id: web::Path<u32>) -> Result<HttpResponse, Error> {
    let url = req.url_for("item", [id.to_string()])?;
    Ok(HttpResponse::Ok().body(url.path().to_owned()))
}

// `#[post]` returning `impl Responder`.
#[cors(origins = ["https://*.example.com"])]
#[post("/items")]
async fn create() -> impl Responder {
    HttpResponse::Created()
}

// `#[route]` with several methods, a subset allowed, and its own options.
#[cors(origins = ["http://localhost:*"], methods = ["PUT"])]
#[route(
    "/things",
    method = "PUT",
    method = "PATCH",
    name = "things",
    guard = "has_key",
    wrap = "tag()"
)]
async fn things() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// `#[routes]` gathering routes with their own options.
#[cors(origins = ["*"])]
#[routes]
#[get("/multi", wrap = "tag()")]
#[post("/multi/{id}", name = "multi_item", guard = "has_key")]
async fn multi() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// The path-qualified spelling.
#[cors(origins = ["https://app.example.com"])]
#[actix_web::delete("/items/{id}")]
async fn remove(_id: web::Path<u32>) -> HttpResponse {
    HttpResponse::NoContent().finish()
}

// Handlers in a private module, registered from outside it.
mod api {
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/api/status")]
    async fn status() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    pub(crate) fn scope() -> actix_web::Scope {
        actix_web::web::scope("/v1").service(status)
    }
}

fn main() {
    // Register everything and send one request, so the registration code runs too.
    actix_web::rt::System::new().block_on(async {
        let app = test::init_service(
            App::new()
                .service(item)
                .service(create)
                .service(things)
                .service(multi)
                .service(remove)
                .service(api::scope()),
        )
        .await;
        let req = test::TestRequest::with_uri("/items/7")
            .insert_header(("Origin", "https://app.example.com"))
            .insert_header(("X-Key", "1"))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers().get("access-control-allow-origin").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(res.headers().get("x-wrapped").unwrap(), "yes");
        let body = test::read_body(res).await;
        assert_eq!(body, "/items/7");
    });
}
