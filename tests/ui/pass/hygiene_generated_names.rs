//! Handlers, arguments and helpers named like what the expansion introduces or calls: arguments
//! and a route's `guard`/`wrap` functions named like its bindings (`__config`, `__cors`),
//! handlers named like the methods it calls (`register`, `preflight`, `methods`, `middleware`,
//! `new`) and the types it names (`RoutePolicy`, `Resource`). The generated bindings must not
//! capture the user's names, and the user's names must not capture the generated calls. Items
//! named like the bindings themselves are in `hygiene_items_named_like_bindings.rs`.
#![deny(warnings)]

use actix_web::{get, post, test, web, App, HttpRequest, HttpResponse};
use cors_runtime::cors;

mod names {
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/register")]
    pub async fn register() -> HttpResponse {
        HttpResponse::Ok().body("register")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/preflight")]
    pub async fn preflight() -> HttpResponse {
        HttpResponse::Ok().body("preflight")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/methods")]
    pub async fn methods() -> HttpResponse {
        HttpResponse::Ok().body("methods")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/middleware")]
    pub async fn middleware() -> HttpResponse {
        HttpResponse::Ok().body("middleware")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/new")]
    pub async fn new() -> HttpResponse {
        HttpResponse::Ok().body("new")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/route-policy")]
    #[allow(non_snake_case)]
    pub async fn RoutePolicy() -> HttpResponse {
        HttpResponse::Ok().body("RoutePolicy")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/resource")]
    #[allow(non_snake_case)]
    pub async fn Resource() -> HttpResponse {
        HttpResponse::Ok().body("Resource")
    }
}

mod arguments {
    use actix_web::{post, web, HttpRequest, HttpResponse};
    use cors_runtime::cors;

    // Arguments named like the generated bindings.
    #[cors(origins = ["https://app.example.com"])]
    #[post("/args/{n}")]
    pub async fn args(__config: web::Path<u32>, __cors: HttpRequest) -> HttpResponse {
        HttpResponse::Ok().body(format!("{} {}", __config.into_inner(), __cors.path()))
    }
}

mod helpers {
    use actix_web::guard::GuardContext;
    use actix_web::middleware::DefaultHeaders;
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    // A guard function named like the generated `AppService` binding, and a `wrap` factory
    // named like the generated policy binding: the route's `guard`/`wrap` must call these.
    fn __config(ctx: &GuardContext<'_>) -> bool {
        ctx.head().headers().contains_key("x-key")
    }

    fn __cors() -> DefaultHeaders {
        DefaultHeaders::new().add(("X-Wrapped", "by the user's __cors"))
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/helpers", guard = "__config", wrap = "__cors()")]
    pub async fn helpers() -> HttpResponse {
        HttpResponse::Ok().body("helpers")
    }
}

// `.to(handler)` must reach the user's function, which the expansion moves next to the unit
// struct of the same name.
#[cors(origins = ["https://app.example.com"])]
#[get("/outer")]
async fn outer(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(req.path().to_owned())
}

// An argument that is only a `_` pattern: the expansion must not need argument names.
#[cors(origins = ["https://app.example.com"])]
#[post("/underscore")]
async fn underscore(_: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().body("underscore")
}

fn main() {
    actix_web::rt::System::new().block_on(async {
        let app = test::init_service(
            App::new()
                .service(names::register)
                .service(names::preflight)
                .service(names::methods)
                .service(names::middleware)
                .service(names::new)
                .service(names::RoutePolicy)
                .service(names::Resource)
                .service(arguments::args)
                .service(helpers::helpers)
                .service(outer)
                .service(underscore),
        )
        .await;
        let cases: [(&str, &str, &[(&str, &str)], &str); 11] = [
            ("GET", "/register", &[], "register"),
            ("GET", "/preflight", &[], "preflight"),
            ("GET", "/methods", &[], "methods"),
            ("GET", "/middleware", &[], "middleware"),
            ("GET", "/new", &[], "new"),
            ("GET", "/route-policy", &[], "RoutePolicy"),
            ("GET", "/resource", &[], "Resource"),
            ("POST", "/args/5", &[], "5 /args/5"),
            ("GET", "/helpers", &[("X-Key", "1")], "helpers"),
            ("GET", "/outer", &[], "/outer"),
            ("POST", "/underscore", &[], "underscore"),
        ];
        for (method, path, extra, body) in cases {
            let mut req = test::TestRequest::default()
                .method(method.parse().unwrap())
                .uri(path)
                .insert_header(("Origin", "https://app.example.com"));
            for header in extra {
                req = req.insert_header(*header);
            }
            let res = test::call_service(&app, req.to_request()).await;
            assert_eq!(res.status(), 200, "{method} {path}");
            assert_eq!(
                res.headers().get("access-control-allow-origin").unwrap(),
                "https://app.example.com",
                "{method} {path}"
            );
            if path == "/helpers" {
                assert_eq!(
                    res.headers().get("x-wrapped").unwrap(),
                    "by the user's __cors"
                );
            }
            assert_eq!(
                test::read_body(res).await,
                body.as_bytes(),
                "{method} {path}"
            );

            // Each route's preflight is answered by #[cors], not by the handler: granted, or,
            // for the guarded route, refused (a preflight cannot be checked against a guard).
            let pf = test::TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri(path)
                .insert_header(("Origin", "https://app.example.com"))
                .insert_header(("Access-Control-Request-Method", method))
                .to_request();
            let res = test::call_service(&app, pf).await;
            let expected = if path == "/helpers" { 403 } else { 204 };
            assert_eq!(res.status(), expected, "preflight {method} {path}");
        }
        // The guard named `__config` is the user's: without `X-Key`, the route is not matched.
        let req = test::TestRequest::with_uri("/helpers").to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 404);
    });
}
