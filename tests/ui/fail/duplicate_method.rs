use actix_web::{put, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], methods = ["PUT", "PUT"])]
#[put("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
