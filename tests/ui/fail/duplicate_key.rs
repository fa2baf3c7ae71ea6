use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://a.example.com"], origins = ["https://b.example.com"])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
