//! Items in scope at the call site named like the bindings the expansion introduces: the
//! `register` parameter `__config` and the policy `__cors`. Each handler becomes a unit struct
//! of its name, so two handlers named `__config` and `__cors` put unit structs of those names
//! in scope of every `#[cors]` of their module; a constant or a static does the same. An
//! identifier pattern that resolves to a unit struct or a constant is not a new binding
//! (E0308, E0530), and `Span::mixed_site()` hides local variables only, not items; so the
//! expansion must not bind names that items in scope can capture.
//!
//! Expected to compile. At the time of writing it does not: see "Bugs found" in RELIABILITY.md
//! (actix-web's own route macros fail the same way for a handler named `__config`).
#![deny(warnings)]

use actix_web::{test, App};

/// A handler named like the generated `register` parameter.
mod handler_config {
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/config")]
    pub async fn __config() -> HttpResponse {
        HttpResponse::Ok().body("__config")
    }
}

/// A handler named like the generated policy binding.
mod handler_cors {
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/cors")]
    pub async fn __cors() -> HttpResponse {
        HttpResponse::Ok().body("__cors")
    }
}

/// A constant and a static named like the generated bindings.
mod consts {
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    #[allow(dead_code, non_upper_case_globals)]
    const __config: u8 = 0;
    #[allow(dead_code, non_upper_case_globals)]
    static __cors: u8 = 0;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/consts")]
    pub async fn consts() -> HttpResponse {
        HttpResponse::Ok().body("consts")
    }
}

fn main() {
    actix_web::rt::System::new().block_on(async {
        let app = test::init_service(
            App::new()
                .service(handler_config::__config)
                .service(handler_cors::__cors)
                .service(consts::consts),
        )
        .await;
        for (path, body) in [
            ("/config", "__config"),
            ("/cors", "__cors"),
            ("/consts", "consts"),
        ] {
            let req = test::TestRequest::with_uri(path)
                .insert_header(("Origin", "https://app.example.com"))
                .to_request();
            let res = test::call_service(&app, req).await;
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(
                res.headers().get("access-control-allow-origin").unwrap(),
                "https://app.example.com",
                "{path}"
            );
            assert_eq!(test::read_body(res).await, body.as_bytes(), "{path}");
        }
    });
}
