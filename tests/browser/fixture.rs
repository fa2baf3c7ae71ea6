//! The API `tests/browser/page.html` calls, and what the page must read from it, shared by the
//! browser test (`tests/tests/browser.rs`, which serves it to Chromium and Firefox) and the
//! doctor's agreement test (`cors-doctor/tests/chromium_agreement.rs`, which asks the doctor about
//! the same requests): one copy of the handlers and of the expectations for both. Each includes
//! this file with `#[path]`; it needs only `actix-web` and `cors-runtime`.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cors_runtime::cors;

/// The cookie `/api/login` sets and `/api/me` looks for.
pub(crate) const SESSION_COOKIE: &str = "session=s3cr3t";

// ---------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------

/// Simple GET; its response carries an exposed and an unexposed header.
#[cors(origins = ["http://127.0.0.1:*"], expose_headers = ["X-Exposed"])]
#[get("/api/items")]
async fn list_items() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("X-Exposed", "exposed-value"))
        .insert_header(("X-Hidden", "hidden-value"))
        .body("items")
}

/// Same path, PUT, with a custom request header: preflighted. DELETE is served on neither.
#[cors(origins = ["http://127.0.0.1:*"], allow_headers = ["X-Custom"], max_age = 600)]
#[put("/api/items")]
async fn put_item(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!("x-custom={}", header_text(&req, "x-custom")))
}

/// Sets the session cookie. The page posts JSON, so the browser preflights it first.
#[cors(origins = ["http://127.0.0.1:*"], credentials, allow_headers = ["Content-Type"])]
#[post("/api/login")]
async fn login() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}; Path=/; HttpOnly; SameSite=Lax"),
        ))
        .body("logged in")
}

/// Echoes whether the request carried the session cookie.
#[cors(origins = ["http://127.0.0.1:*"], credentials)]
#[get("/api/me")]
async fn me(req: HttpRequest) -> HttpResponse {
    let has_session = req
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.trim() == SESSION_COOKIE);
    HttpResponse::Ok().body(if has_session {
        SESSION_COOKIE
    } else {
        "no session cookie"
    })
}

/// Preflight cache: browsers may reuse this route's preflight for 600 s.
#[cors(origins = ["http://127.0.0.1:*"], allow_headers = ["X-Custom"], max_age = 600)]
#[put("/api/cached")]
async fn cached(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!("x-custom={}", header_text(&req, "x-custom")))
}

/// Preflight cache disabled.
#[cors(origins = ["http://127.0.0.1:*"], allow_headers = ["X-Custom"], max_age = 0)]
#[put("/api/uncached")]
async fn uncached(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!("x-custom={}", header_text(&req, "x-custom")))
}

/// Any origin, without credentials.
#[cors(origins = ["*"])]
#[get("/api/public")]
async fn public() -> HttpResponse {
    HttpResponse::Ok().body("public")
}

/// Any request header but `Authorization`.
#[cors(origins = ["http://127.0.0.1:*"], allow_headers = ["*"])]
#[put("/api/wild")]
async fn wild() -> HttpResponse {
    HttpResponse::Ok().body("wild")
}

/// Echoes the requested headers, with credentials: a credentialed request may send a header the
/// policy does not list (but `Authorization`, which is not listed here).
#[cors(origins = ["http://127.0.0.1:*"], credentials, dangerously_echo_request_headers)]
#[put("/api/echo")]
async fn echo(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!(
        "x-p-meta-stream={}",
        header_text(&req, "x-p-meta-stream")
    ))
}

/// The same route with the headers listed instead: a header it does not list is refused.
#[cors(origins = ["http://127.0.0.1:*"], credentials, allow_headers = ["X-Custom"])]
#[put("/api/listed")]
async fn listed(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!(
        "x-p-meta-stream={}",
        header_text(&req, "x-p-meta-stream")
    ))
}

/// The value of header `name` as text, `(none)` when absent or not text.
pub(crate) fn header_text<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("(none)")
}

/// Registers every handler of the API, for `App::new()...configure(services)`.
pub(crate) fn services(cfg: &mut web::ServiceConfig) {
    cfg.service(list_items)
        .service(put_item)
        .service(login)
        .service(me)
        .service(cached)
        .service(uncached)
        .service(public)
        .service(wild)
        .service(echo)
        .service(listed);
}

// ---------------------------------------------------------------------------------------------
// What the page reads
// ---------------------------------------------------------------------------------------------

/// What a scenario of the page gets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect {
    /// Readable response: status and body.
    Readable(u16, &'static str),
    /// `fetch` rejected with a `TypeError`.
    Blocked,
}

use Expect::{Blocked, Readable};

/// Scenario name → (from the allowed origin, from the refused origin).
pub(crate) const SCENARIOS: &[(&str, Expect, Expect)] = &[
    ("simple_get", Readable(200, "items"), Blocked),
    ("login", Readable(200, "logged in"), Blocked),
    ("me_credentialed", Readable(200, SESSION_COOKIE), Blocked),
    (
        "me_uncredentialed",
        Readable(200, "no session cookie"),
        Blocked,
    ),
    (
        "put_custom_header",
        Readable(200, "x-custom=hello"),
        Blocked,
    ),
    ("unlisted_header", Blocked, Blocked),
    ("unrouted_method", Blocked, Blocked),
    ("cached_1", Readable(200, "x-custom=c"), Blocked),
    ("cached_2", Readable(200, "x-custom=c"), Blocked),
    ("uncached_1", Readable(200, "x-custom=c"), Blocked),
    ("uncached_2", Readable(200, "x-custom=c"), Blocked),
    ("public", Readable(200, "public"), Readable(200, "public")),
    ("public_credentialed", Blocked, Blocked),
    ("wildcard_header", Readable(200, "wild"), Blocked),
    ("wildcard_authorization", Blocked, Blocked),
    (
        "echo_credentialed",
        Readable(200, "x-p-meta-stream=s1"),
        Blocked,
    ),
    ("echo_authorization", Blocked, Blocked),
    ("listed_credentialed", Blocked, Blocked),
];
