use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[get("/items/{id")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = actix_web::App::new().service(handler);
}
