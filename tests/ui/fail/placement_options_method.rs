use actix_web::{route, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[route("/items", method = "GET", method = "OPTIONS")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
