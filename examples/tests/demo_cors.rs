//! What a browser would do against the demo's API, asked in `cargo test` with the doctor's
//! model of the browser (`cors_doctor::test`), on the very app the demo serves: the promises the
//! demo page shows, as assertions whose failure message is the doctor's diagnosis.

use actix_web::{test, App};
use cors_doctor::test::Page;
use cors_examples::{api_routes, DemoApi};

/// The allowed page of the demo.
const ALLOWED: &str = "http://127.0.0.1:3000";
/// The same page from another port: an origin `DemoApi` does not list.
const REFUSED: &str = "http://127.0.0.1:3001";

#[actix_web::test]
async fn the_allowed_page_can_do_what_the_demo_shows() {
    let app = test::init_service(App::new().wrap(DemoApi).configure(api_routes)).await;
    let page = Page::new(ALLOWED);
    page.fetch("GET", "/api/public").assert_allowed(&app).await;
    page.fetch("POST", "/api/login")
        .credentials()
        .json(r#"{"user":"ada"}"#)
        .assert_allowed(&app)
        .await;
    page.fetch("PUT", "/api/items")
        .credentials()
        .header("X-Demo", "1")
        .json(r#"{"name":"x"}"#)
        .assert_readable(&app, &["X-Request-Id"])
        .await;
    // The 404 of an unrouted path carries the policy's headers too.
    page.fetch("GET", "/api/nowhere")
        .credentials()
        .assert_allowed(&app)
        .await;
}

#[actix_web::test]
async fn what_the_demo_shows_blocked_is_blocked() {
    let app = test::init_service(App::new().wrap(DemoApi).configure(api_routes)).await;
    // The public endpoint's own `#[cors(origins = ["*"])]` never allows credentials.
    Page::new(ALLOWED)
        .fetch("GET", "/api/public")
        .credentials()
        .assert_blocked(&app)
        .await;
    // A header `DemoApi` does not list.
    Page::new(ALLOWED)
        .fetch("PUT", "/api/items")
        .header("X-Unlisted", "1")
        .assert_blocked(&app)
        .await;
    // The refused page reads only the public endpoint.
    let refused = Page::new(REFUSED);
    refused
        .fetch("GET", "/api/public")
        .assert_allowed(&app)
        .await;
    refused
        .fetch("GET", "/api/me")
        .credentials()
        .assert_blocked(&app)
        .await;
    refused
        .fetch("PUT", "/api/items")
        .json("{}")
        .assert_blocked(&app)
        .await;
    refused
        .fetch("GET", "/api/nowhere")
        .assert_blocked(&app)
        .await;
}
