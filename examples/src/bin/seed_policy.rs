//! The seed policy of the guide this project grew from, as `#[cors]` routes:
//! origin `https://frontend.example.com`, methods GET and POST, request headers
//! `Content-Type` and `Authorization`, credentials.
//!
//! The differential harness (`tests/differential/run.sh`) starts this server next to
//! nginx, Express + `cors` and Flask + `flask-cors` configured with the same policy and
//! compares their answers; see `docs/comparison.md`.
//!
//! ```text
//! cargo run -p cors-examples --bin seed_policy -- --port 8080
//! ```
//!
//! It listens on 127.0.0.1 only.

use actix_web::{get, post, App, HttpResponse, HttpServer};
use cors_runtime::cors;

#[cors(
    origins = ["https://frontend.example.com"],
    credentials,
    allow_headers = ["Content-Type", "Authorization"]
)]
#[get("/api/data")]
async fn get_data() -> HttpResponse {
    HttpResponse::Ok().body("data")
}

#[cors(
    origins = ["https://frontend.example.com"],
    credentials,
    allow_headers = ["Content-Type", "Authorization"]
)]
#[post("/api/data")]
async fn post_data() -> HttpResponse {
    HttpResponse::Ok().body("posted")
}

fn port_from_args() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = 8080u16;
    while let Some(arg) = args.next() {
        let value = if arg == "--port" {
            args.next().ok_or("--port needs a value")?
        } else if let Some(v) = arg.strip_prefix("--port=") {
            v.to_owned()
        } else {
            return Err(format!(
                "unknown argument {arg:?}; usage: seed_policy [--port N]"
            ));
        };
        port = value
            .parse()
            .map_err(|e| format!("bad port {value:?}: {e}"))?;
    }
    Ok(port)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port =
        port_from_args().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    println!("seed_policy listening on http://127.0.0.1:{port}");
    HttpServer::new(|| App::new().service(get_data).service(post_data))
        .workers(1)
        .bind(("127.0.0.1", port))?
        .run()
        .await
}
