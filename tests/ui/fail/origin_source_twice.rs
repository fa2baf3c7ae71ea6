// The same variable or configuration key read twice would list every origin it holds twice, and
// the policy would refuse to start: refused where it is written instead.
use actix_web::{get, HttpResponse};
use cors_runtime::{cors, policy};

#[policy(origins = [env("APP_ORIGINS"), env("APP_ORIGINS", default = "")])]
pub struct Env;

#[policy(origins = ["https://app.example.com", config("cors.origins"), config("cors.origins")])]
pub struct Config;

#[policy(origins = [config("cors.origins"), config("cors.extra")])]
pub struct TwoKeys;

#[cors(origins = [env("APP_ORIGINS"), env("APP_ORIGINS")])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
