use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["http://app.example.com", "http://*.example.com"], credentials)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
