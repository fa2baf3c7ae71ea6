// `#[allow(deprecated)]` on one policy accepts its `max_age` above Chromium's cap, and no other's.
#![deny(deprecated)]

use actix_web::{get, HttpResponse};
use cors_runtime::{cors, policy};

#[allow(deprecated)]
#[policy(origins = ["https://app.example.com"], max_age = 86400)]
pub struct Accepted;

#[policy(origins = ["https://app.example.com"], max_age = 86400)]
pub struct NotAccepted;

#[allow(deprecated)]
#[cors(origins = ["https://app.example.com"], max_age = 86400)]
#[get("/accepted")]
async fn accepted() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], max_age = 86400)]
#[get("/not-accepted")]
async fn not_accepted() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
