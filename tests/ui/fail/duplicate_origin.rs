use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://a.example.com", "https://*.example.com", "https://b.example.org", "https://b.example.org"])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
