use actix_web::{get, post, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
#[post("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
