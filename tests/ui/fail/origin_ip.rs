use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["http://127.000.000.001", "http://[0:0:0:0:0:0:0:1]", "http://[fe80::1%25eth0]", "http://[2001:DB8::1]"])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
