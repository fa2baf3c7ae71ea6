use actix_web::{get, post, test, web, App, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com", "https://*.partner.example.org"], credentials, allow_headers = ["Content-Type"], expose_headers = ["X-Request-Id"], max_age = 600)]
#[post("/api/items")]
async fn create_item() -> HttpResponse {
    HttpResponse::Created().finish()
}

#[cors(origins = ["*"])]
#[get("/api/items")]
async fn list_items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn smoke() {
    let app = test::init_service(
        App::new().service(web::scope("/v1").service(create_item).service(list_items)),
    )
    .await;
    let req = test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/v1/api/items")
        .insert_header(("Origin", "https://app.example.com"))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .insert_header(("Access-Control-Request-Headers", "content-type"))
        .to_request();
    let res = test::call_service(&app, req).await;
    println!("{:?}", res.response().head());
    let req = test::TestRequest::post()
        .uri("/v1/api/items")
        .insert_header(("Origin", "https://x.partner.example.org"))
        .to_request();
    let res = test::call_service(&app, req).await;
    println!("{:?}", res.response().head());
    let req = test::TestRequest::get()
        .uri("/v1/api/items")
        .insert_header(("Origin", "https://x.partner.example.org"))
        .to_request();
    let res = test::call_service(&app, req).await;
    println!("{:?}", res.response().head());
    let req = test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/v1/api/items")
        .insert_header(("Origin", "https://evil.example.com"))
        .insert_header(("Access-Control-Request-Method", "GET"))
        .to_request();
    let res = test::call_service(&app, req).await;
    println!("{:?}", res.response().head());
}
