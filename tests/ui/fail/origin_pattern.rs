use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://api.*.example.com", "https://*example.com", "https://**.example.com", "http://*.127.0.0.1", "http://localhost:3*"])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
