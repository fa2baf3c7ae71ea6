//! A route option `#[cors]` does not know is an error of ours, on the option, even one a later
//! actix-web might accept; the handler registers nothing, so no other error follows.
use actix_web::{get, route, App, HttpResponse};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[get("/items", cache = "public")]
async fn items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PUT"])]
#[route("/items/{id}", method = "PUT", methd = "DELETE")]
async fn item() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new().service(items).service(item);
}
