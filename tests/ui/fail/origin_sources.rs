// Origins read at start-up: what can be checked at compile time is (the form of `env` and
// `config`, their defaults, `"*"` beside them), and `config` is for named policies only.
use actix_web::{get, HttpResponse};
use cors_runtime::{cors, policy};

#[policy(origins = ["*", env("APP_ORIGINS")])]
pub struct Star;

#[policy(origins = [env("APP_ORIGINS", default = "https://app.example.com/, null"), env("")], credentials)]
pub struct BadDefault;

#[policy(origins = [env(APP_ORIGINS), environment("X"), config("k", "l")])]
pub struct BadForms;

#[cors(origins = config("cors.origins"))]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
