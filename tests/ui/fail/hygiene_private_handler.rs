// A private handler stays private, as with actix-web's own route macros (`#vis struct`): its
// service cannot be registered from outside its module, nor exported from a library.
mod api {
    use actix_web::{get, HttpResponse};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/api/status")]
    async fn status() -> HttpResponse {
        HttpResponse::Ok().finish()
    }
}

fn main() {
    let _app = actix_web::App::new().service(api::status);
}
