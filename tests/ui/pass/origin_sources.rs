// Origins read at start-up, in every form the attribute takes.
use actix_web::{get, App, HttpResponse};
use cors_runtime::{cors, policy, ConfiguredOrigins, NamedPolicy};

#[policy(origins = env("APP_CORS_ORIGINS"), credentials)]
pub struct FromEnv;

#[policy(origins = ["https://app.example.com", env("APP_EXTRA_ORIGINS", default = ""), config("cors.origins")])]
pub struct Mixed;

#[cors(origins = ["https://app.example.com", env("APP_HANDLER_ORIGINS", default = "http://localhost:3000 http://localhost:5173")])]
#[get("/items")]
async fn items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    std::env::set_var("APP_CORS_ORIGINS", "https://app.example.com");
    let from_env = FromEnv::try_cors().expect("set above");
    let mixed = Mixed::with_origins(&ConfiguredOrigins::new(["https://admin.example.com"]))
        .expect("valid");
    let _ = App::new().wrap(from_env).service(items);
    let _ = App::new().wrap(mixed);
}
