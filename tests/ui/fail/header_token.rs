use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], allow_headers = ["X Custom", "Content-Type, Authorization", " X-Trimmed "])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
