//! A browser demo of `#[cors]`: one process, three loopback-only servers.
//!
//! * `http://127.0.0.1:8080`: the API, one app wrapped in the named policy `DemoApi`
//!   (`App::new().wrap(DemoApi)`), and one handler, `GET /api/public`, whose own
//!   `#[cors(origins = ["*"])]` overrides it.
//! * `http://127.0.0.1:3000`: a page whose origin is in the API's allowlist.
//! * `http://127.0.0.1:3001`: the same page, from an origin the API refuses.
//!
//! Run it with `cargo run -p cors-examples --bin demo`, open both pages and compare.
//! Every request that reaches the API is logged on stdout, so you can also see which
//! requests the browser never sent (a refused preflight stops the real request).

use std::io;
use std::process::ExitCode;

use actix_web::dev::{Server, Service, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::{rt, web, App, HttpResponse, HttpServer};
use cors_examples::{api_routes, DemoApi};
use cors_runtime::{Cors, NamedPolicy};

/// Everything listens on the loopback interface only.
const HOST: &str = "127.0.0.1";
const API_PORT: u16 = 8080;
/// The page origin listed in the `origins = [...]` of `DemoApi` below.
const ALLOWED_PAGE_PORT: u16 = 3000;
/// Same page, different port, hence a different origin that no policy lists.
const REFUSED_PAGE_PORT: u16 = 3001;

/// The demo page: one self-contained HTML file with inline CSS and JS.
const PAGE: &str = include_str!("../../static/demo.html");

// ---------------------------------------------------------------------------------------------
// The API (port 8080): its policy and handlers are in `src/lib.rs`, which the tests drive too
// ---------------------------------------------------------------------------------------------

/// One log line per request that reaches the API, with the CORS headers of the answer.
/// Purely informative: it does not change the response.
fn log_line<B>(res: &ServiceResponse<B>) -> String {
    let req = res.request();
    let req_headers = req.headers();
    let origin = header_str(req_headers, header::ORIGIN).unwrap_or("(no Origin)");
    let mut line = format!(
        "[api :{API_PORT}] {} {} from {origin}",
        req.method(),
        req.path()
    );
    if let Some(method) = header_str(req_headers, header::ACCESS_CONTROL_REQUEST_METHOD) {
        line.push_str(&format!(" (preflight for {method}"));
        if let Some(headers) = header_str(req_headers, header::ACCESS_CONTROL_REQUEST_HEADERS) {
            line.push_str(&format!(", headers {headers}"));
        }
        line.push(')');
    }
    let res_headers = res.headers();
    line.push_str(&format!(
        " -> {} | Access-Control-Allow-Origin: {}",
        res.status(),
        header_str(res_headers, header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap_or("(none)")
    ));
    if let Some(creds) = header_str(res_headers, header::ACCESS_CONTROL_ALLOW_CREDENTIALS) {
        line.push_str(&format!(", -Allow-Credentials: {creds}"));
    }
    line
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn api_server(cors: Cors) -> io::Result<Server> {
    let server = HttpServer::new(move || {
        App::new()
            // Every request, preflights included, passes the policy before routing.
            .wrap(cors)
            // Registered last, so it runs first (outside the policy) and logs its preflight answers.
            .wrap_fn(|req, srv| {
                let pending = srv.call(req);
                async move {
                    let res = pending.await?;
                    println!("{}", log_line(&res));
                    Ok(res)
                }
            })
            .configure(api_routes)
    })
    .workers(2)
    .shutdown_timeout(2)
    .bind((HOST, API_PORT))
    .map_err(|err| bind_error(API_PORT, err))?
    .run();
    Ok(server)
}

// ---------------------------------------------------------------------------------------------
// The page (ports 3000 and 3001): the same HTML from two origins
// ---------------------------------------------------------------------------------------------

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(PAGE)
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("not found: the demo page is at /\n")
}

fn page_server(port: u16) -> io::Result<Server> {
    let server = HttpServer::new(|| {
        App::new()
            .route("/", web::get().to(page))
            .default_service(web::to(not_found))
    })
    .workers(1)
    .shutdown_timeout(2)
    .bind((HOST, port))
    .map_err(|err| bind_error(port, err))?
    .run();
    Ok(server)
}

fn bind_error(port: u16, err: io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        format!("cannot listen on {HOST}:{port} ({err}); is another demo already running?"),
    )
}

fn print_banner() {
    println!(
        "\
CORS demo: three servers on the loopback interface only. Press Ctrl-C to stop.

  Allowed page  http://{HOST}:{ALLOWED_PAGE_PORT}/   its origin is in the API's allowlist
  Refused page  http://{HOST}:{REFUSED_PAGE_PORT}/   the same page, from an origin the API refuses
  API           http://{HOST}:{API_PORT}/   App::new().wrap(DemoApi), one per-handler #[cors(...)]

Open both pages in a browser (type the addresses exactly: http://localhost:{ALLOWED_PAGE_PORT} is a
different origin, and the API does not list it). Each page calls the API with fetch and shows a table:

  on :{ALLOWED_PAGE_PORT}  the simple GET, the login, /api/me with the session cookie, the PUT with
            X-Demo (the page can read X-Request-Id) and even the 404 of an unrouted path succeed;
            the credentialed call to the \"*\" endpoint (its own #[cors] overrides the app's
            policy) and the PUT with the unlisted header X-Unlisted are blocked by the browser.
  on :{REFUSED_PAGE_PORT}  only the simple GET of the public (\"*\") endpoint succeeds; every other call,
            the 404 included, is blocked by the browser (fetch rejects with a TypeError).

Every request that reaches the API is logged below. Refused preflights show up as OPTIONS
lines, and the PUT or POST behind them never arrives. The browser's own CORS messages are in
its DevTools console.
"
    );
}

#[actix_web::main]
async fn main() -> ExitCode {
    // The reason for every refusal, next to each request: `RUST_LOG` overrides it.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("cors_runtime=debug"));
    // Colour only on a terminal: a log written to a file or a pipe gets no escape codes.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .try_init();
    // Origins from the environment are checked here, before anything is bound or served.
    let cors = match DemoApi::try_cors() {
        Ok(cors) => cors,
        Err(error) => {
            eprintln!("demo: {error}");
            return ExitCode::from(2);
        }
    };
    match run(cors).await {
        Ok(()) => {
            println!("CORS demo stopped.");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("demo: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cors: Cors) -> io::Result<()> {
    // Bind everything first, so a busy port stops the demo before anything is printed.
    let servers = [
        api_server(cors)?,
        page_server(ALLOWED_PAGE_PORT)?,
        page_server(REFUSED_PAGE_PORT)?,
    ];
    print_banner();
    if let Some(listing) =
        cors_runtime::Listing::of_app(App::new().wrap(cors).configure(api_routes)).await
    {
        println!("CORS policies of the API:\n{listing}");
    }

    // Each server stops on Ctrl-C (SIGINT) or SIGTERM by itself; wait for all three.
    let running: Vec<_> = servers.into_iter().map(rt::spawn).collect();
    for server in running {
        server.await.map_err(io::Error::other)??;
    }
    Ok(())
}
