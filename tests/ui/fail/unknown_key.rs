use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origin = ["https://app.example.com"], credential, headers = ["X-A"], colour = 1)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
