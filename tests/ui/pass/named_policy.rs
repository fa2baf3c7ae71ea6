// Named policies: declared once, used app-wide, scope-wide and by handlers, every form of value.
use actix_web::middleware::Condition;
use actix_web::{get, put, web, App, HttpResponse, HttpServer};
use cors_runtime::{cors, policy, NamedPolicy};

/// The app's policy.
#[policy(
    origins = ["https://app.example.com", "https://*.app.example.com", "http://localhost:*"],
    credentials,
    methods = ["PUT", "DELETE", "QUERY"],
    allow_headers = ["Content-Type", "Authorization"],
    expose_headers = ["X-Request-Id"],
    max_age = 600,
)]
pub struct Api;

/// A public policy, with no method beyond GET, HEAD and POST.
#[policy(origins = ["*"], allow_headers = ["*"], expose_headers = ["*"])]
pub(crate) struct Public;

mod nested {
    #[cors_runtime::policy(origins = ["https://partner.example.org"])]
    pub struct Partner;
}

#[cors(policy = nested::Partner)]
#[get("/partner")]
async fn partner() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(policy = Api)]
#[put("/items/{id}")]
async fn put_item() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[get("/plain")]
async fn plain() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let enabled = std::env::var_os("CORS_OFF").is_none();
    let cors = Api::cors();
    let _server = HttpServer::new(move || {
        App::new()
            .wrap(Condition::new(enabled, cors))
            .service(plain)
            .service(put_item)
            .service(partner)
            .service(web::scope("/public").wrap(Public).service(plain))
            .service(web::scope("/p").wrap(nested::Partner))
    });
}
