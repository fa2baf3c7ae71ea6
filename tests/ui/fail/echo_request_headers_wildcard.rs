use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(
    origins = ["https://app.example.com"],
    credentials,
    allow_headers = ["*"],
    dangerously_echo_request_headers,
)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], allow_headers = ["*", "Authorization"], dangerously_echo_request_headers)]
#[get("/other")]
async fn other() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
