use actix_web::HttpResponse;
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
struct Handler;

fn main() {
    let _ = HttpResponse::Ok();
}
