//! `#[cors]` above `#[routes]`: one policy over several routes, each with its own preflight
//! service that answers only for the methods that route serves.

use actix_web::http::{Method, StatusCode};
use actix_web::{get, put, routes, test, App, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], methods = ["PUT"], allow_headers = ["X-Token"])]
#[routes]
#[get("/things")]
#[put("/things/{id}", name = "thing")]
async fn things() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn preflight(path: &str, method: &str) -> test::TestRequest {
    test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("Origin", "https://app.example.com"))
        .insert_header(("Access-Control-Request-Method", method))
        .insert_header(("Access-Control-Request-Headers", "x-token"))
}

#[actix_web::test]
async fn each_route_answers_its_own_preflights() {
    let app = test::init_service(App::new().service(things)).await;

    // PUT is allowed, and routed on /things/{id} only.
    let res = test::call_service(&app, preflight("/things/7", "PUT").to_request()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers().get("access-control-allow-methods").unwrap(),
        "PUT"
    );
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://app.example.com"
    );

    // GET is routed on /things but not in `methods`: refused by that route's policy.
    let res = test::call_service(&app, preflight("/things", "GET").to_request()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("access-control-allow-origin").is_none());

    // PUT on /things is not routed there: no preflight service matches.
    let res = test::call_service(&app, preflight("/things", "PUT").to_request()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Actual requests on both routes get the grant.
    for (method, path) in [(Method::GET, "/things"), (Method::PUT, "/things/7")] {
        let req = test::TestRequest::default()
            .method(method.clone())
            .uri(path)
            .insert_header(("Origin", "https://app.example.com"))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK, "{method} {path}");
        assert_eq!(
            res.headers().get("access-control-allow-origin").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(res.headers().get("vary").unwrap(), "Origin");
    }
}
