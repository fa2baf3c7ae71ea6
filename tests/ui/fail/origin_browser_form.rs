// Entries a review found the macro mishandled: a non-ASCII last label (it panicked), an
// IPv4-mapped IPv6 address in Rust's dotted form (accepted, though browsers send hex), and `xn--`
// labels that are not valid punycode (accepted, though no browser parses such a host).
use actix_web::{get, HttpResponse};
use cors_runtime::cors;

#[cors(origins = [
    "https://a.cö",
    "https://*.テスト",
    "http://[::ffff:127.0.0.1]:3000",
    "https://xn--.example.org",
    "https://*.xn--abc-.example",
])]
#[get("/items")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {}
