use actix_web::{get, post, routes, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], methods = ["DELETE"])]
#[routes]
#[get("/items")]
#[post("/items/{id}")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
