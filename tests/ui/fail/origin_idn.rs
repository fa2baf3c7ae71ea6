use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://bücher.example"])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
