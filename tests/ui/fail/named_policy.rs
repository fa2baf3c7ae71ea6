// Rule `named-policy`: a handler takes a named policy whole; a declaration names no other policy
// and is a unit struct.
use actix_web::{get, HttpResponse};
use cors_runtime::{cors, policy};

#[policy(origins = ["https://app.example.com"])]
struct Api;

#[policy(origins = ["https://app.example.com"], policy = Api)]
struct Nested;

#[policy(origins = ["https://app.example.com"])]
struct WithFields {
    origins: Vec<String>,
}

#[cors(policy = Api, credentials, max_age = 600)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(policy = "Api")]
#[get("/other")]
async fn quoted() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
