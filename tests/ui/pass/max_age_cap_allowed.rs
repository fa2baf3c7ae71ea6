//! A `max_age` above Chromium's cap, accepted for one policy: `#[allow(deprecated)]` on the
//! struct or the handler silences the warning for that policy only.
#![deny(warnings)]

use actix_web::{get, App, HttpResponse};
use cors_runtime::{cors, policy};

#[allow(deprecated)]
#[policy(origins = ["https://app.example.com"], max_age = 86400)]
pub struct Api;

#[policy(origins = ["https://app.example.com"], max_age = 20000)]
#[allow(deprecated)]
pub struct AttributeBelow;

#[allow(deprecated)]
#[cors(origins = ["https://app.example.com"], max_age = 86400)]
#[get("/items")]
async fn items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], max_age = 10000)]
#[allow(deprecated)]
#[get("/things")]
async fn things() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new().wrap(Api).service(items).service(things);
    let _ = App::new().wrap(AttributeBelow);
}
