use actix_web::{HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]

async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
