use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = "https://app.example.com", credentials = "yes", max_age = "600", methods = [PUT], allow_headers)]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
