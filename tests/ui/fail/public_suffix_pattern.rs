use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://*.com", "https://*.co.uk", "https://*.github.io"])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
