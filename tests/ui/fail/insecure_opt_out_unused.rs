#![deny(deprecated)]

use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], credentials, dangerously_allow_insecure_origins)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
