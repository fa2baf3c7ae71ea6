//! User modules named like the crates the generated code refers to. The expansion must name
//! them by absolute path (`::actix_web`, `::cors_runtime`), which only ever means the extern
//! crate; a relative `actix_web::...` would resolve to the module below and fail.
#![deny(warnings)]

use ::actix_web::{get, post, routes, test, App, HttpResponse};
use ::cors_runtime::cors;

/// Looks like the parts of actix-web the expansion uses, and is not.
#[allow(dead_code)]
mod actix_web {
    pub mod dev {
        pub struct AppService;
        pub trait HttpServiceFactory {}
    }
    pub mod guard {
        pub fn fn_guard() {}
    }
    pub struct Resource;
}

/// Looks like the runtime's private items, and is not.
#[allow(dead_code)]
mod cors_runtime {
    pub mod __private {
        pub struct RoutePolicy;
    }
}

/// Items named like the trait, types and functions of the expansion, in scope at the call site.
#[allow(dead_code)]
struct Resource;
#[allow(dead_code)]
trait HttpServiceFactory {}
#[allow(dead_code)]
struct RoutePolicy;
#[allow(dead_code)]
mod dev {}
#[allow(dead_code)]
mod guard {}
#[allow(dead_code)]
mod __private {}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/a")]
async fn a() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[routes]
#[get("/b")]
#[post("/b")]
async fn b() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[::actix_web::put("/c")]
async fn c() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    ::actix_web::rt::System::new().block_on(async {
        let app = test::init_service(App::new().service(a).service(b).service(c)).await;
        for (method, path) in [("GET", "/a"), ("POST", "/b"), ("PUT", "/c")] {
            let req = test::TestRequest::default()
                .method(method.parse().unwrap())
                .uri(path)
                .insert_header(("Origin", "https://app.example.com"))
                .to_request();
            let res = test::call_service(&app, req).await;
            assert_eq!(res.status(), 200, "{method} {path}");
            assert_eq!(
                res.headers().get("access-control-allow-origin").unwrap(),
                "https://app.example.com",
                "{method} {path}"
            );
        }
    });
}
