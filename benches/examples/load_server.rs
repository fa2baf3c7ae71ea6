//! The server of the loopback load test (`benches/load.sh`, see `BENCHMARKS.md`): the policy of
//! the benchmarks' cases 1 to 3 (three exact `https` origins, credentials, two request headers,
//! one exposed header, `max_age = 600`) on `GET /api/items`, served by a real `HttpServer` on
//! `127.0.0.1` in one of two variants:
//!
//! - `--variant cors`: the handler annotated with `#[cors]`, registered with `App::service`
//!   (which also registers its preflight);
//! - `--variant actix-cors`: actix-cors 0.7 configured with the same policy, wrapping the app
//!   the benchmarks' "bare" variant serves (an `OPTIONS` resource, then the `GET` resource, both
//!   routed by a plain function guard, as in `benches/benches/cors/apps.rs`).
//!
//! ```text
//! cargo run -p cors-benches --release --example load_server -- --variant cors --port 18080
//!     [--workers 1] [--exit-after 600]
//! ```
//!
//! One worker by default: on a two-CPU machine the load generator gets the other CPU, and the
//! figure is what one core serves. `--exit-after` bounds the server's life (seconds) even if the
//! script that started it is killed before it can stop it. It listens on `127.0.0.1` only.

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use actix_web::http::header::{HeaderName, CONTENT_TYPE};
use actix_web::http::Method;
use actix_web::{get, guard, rt, web, App, HttpResponse, HttpServer};
use cors_runtime::cors;

/// The path both variants serve.
const PATH: &str = "/api/items";

/// The response body of the resource (as in the benchmarks).
const BODY: &str = r#"[{"id":1,"name":"item"}]"#;

/// The benchmarks' `MAIN_ORIGINS`: the same three origins as the `#[cors]` attribute below.
const ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://partner.example.org",
];

fn ok() -> HttpResponse {
    HttpResponse::Ok().body(BODY)
}

/// The benchmarks' `project::items`, attribute for attribute.
#[cors(
    origins = ["https://app.example.com", "https://admin.example.com", "https://partner.example.org"],
    credentials,
    allow_headers = ["Content-Type", "X-Api-Key"],
    expose_headers = ["X-Request-Id"],
    max_age = 600
)]
#[get("/api/items")]
async fn items() -> HttpResponse {
    ok()
}

async fn bare_get() -> HttpResponse {
    ok()
}

async fn bare_options() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// actix-cors with the same policy (the benchmarks' `actix_cors(&MAIN_ORIGINS, &[])`).
fn actix_cors() -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET"])
        .allowed_headers([CONTENT_TYPE, HeaderName::from_static("x-api-key")])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .supports_credentials()
        .max_age(600);
    for origin in ORIGINS {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Cors,
    ActixCors,
}

struct Args {
    variant: Variant,
    port: u16,
    workers: usize,
    exit_after: u64,
}

const USAGE: &str =
    "usage: load_server --variant cors|actix-cors --port N [--workers N] [--exit-after SECONDS]";

fn parse_args() -> Result<Args, String> {
    let mut variant = None;
    let mut port = None;
    let mut workers = 1;
    let mut exit_after = 600;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag}: missing value"));
        match flag.as_str() {
            "--variant" => {
                variant = Some(match value()?.as_str() {
                    "cors" => Variant::Cors,
                    "actix-cors" => Variant::ActixCors,
                    other => return Err(format!("--variant {other}: expected cors or actix-cors")),
                })
            }
            "--port" => port = Some(number(&flag, &value()?)?),
            "--workers" => workers = number(&flag, &value()?)?,
            "--exit-after" => exit_after = number(&flag, &value()?)?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let args = Args {
        variant: variant.ok_or("--variant is required")?,
        port: port.ok_or("--port is required")?,
        workers,
        exit_after,
    };
    if args.port == 0 || args.workers == 0 || args.exit_after == 0 {
        return Err("--port, --workers and --exit-after must be positive".into());
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} {value}: expected a number"))
}

/// Starts `HttpServer::new($factory)` with the arguments' workers and port.
macro_rules! start {
    ($args:expr, $factory:expr) => {
        HttpServer::new($factory)
            .workers($args.workers)
            // Bounded: the script stops the server once its load is done.
            .shutdown_timeout(1)
            .bind(("127.0.0.1", $args.port))?
            .run()
    };
}

fn serve(args: &Args) -> io::Result<()> {
    rt::System::new().block_on(async {
        let server = match args.variant {
            Variant::Cors => start!(args, || App::new().service(items)),
            Variant::ActixCors => start!(args, || {
                App::new()
                    .wrap(actix_cors())
                    .service(
                        web::resource(PATH)
                            .guard(guard::fn_guard(|ctx| ctx.head().method == Method::OPTIONS))
                            .to(bare_options),
                    )
                    .service(
                        web::resource(PATH)
                            .guard(guard::fn_guard(|ctx| ctx.head().method == Method::GET))
                            .to(bare_get),
                    )
            }),
        };
        let handle = server.handle();
        let lifetime = Duration::from_secs(args.exit_after);
        rt::spawn(async move {
            rt::time::sleep(lifetime).await;
            eprintln!("load_server: --exit-after {}s reached", lifetime.as_secs());
            handle.stop(false).await;
        });
        println!(
            "load_server: {} on http://127.0.0.1:{}{PATH}, {} worker(s)",
            match args.variant {
                Variant::Cors => "#[cors]",
                Variant::ActixCors => "actix-cors",
            },
            args.port,
            args.workers
        );
        server.await
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            if !error.is_empty() {
                eprintln!("load_server: {error}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("load_server: {error}");
            ExitCode::FAILURE
        }
    }
}
