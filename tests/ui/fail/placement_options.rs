use actix_web::{HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[actix_web::options("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
