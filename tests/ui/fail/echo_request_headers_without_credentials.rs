#![deny(deprecated)]

use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], dangerously_echo_request_headers)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
