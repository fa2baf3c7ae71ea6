// `"*"` in `methods` is not "any method": browsers read `Access-Control-Allow-Methods: *` that
// way only without credentials, and the policy's own check would allow a method named `*`.
use actix_web::{route, HttpResponse};
use cors_runtime::{cors, policy};

#[cors(origins = ["https://app.example.com"], methods = ["*"])]
#[route("/items", method = "PUT", method = "DELETE")]
async fn alone() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PUT", "*"])]
#[route("/things", method = "PUT", method = "PATCH")]
async fn mixed() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[policy(origins = ["https://app.example.com"], methods = ["*"])]
pub struct Api;

fn main() {}
