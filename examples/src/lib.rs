//! The demo's API (`src/bin/demo.rs` serves it on port 8080): one app-wide named policy,
//! `DemoApi`, and one handler with its own `#[cors]`. A library so that tests drive the very app
//! the demo serves (`tests/demo_cors.rs` asks what a browser would do, with `cors_doctor::test`).

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cors_runtime::{cors, policy};

const SESSION_COOKIE: &str = "demo_session";
const DEMO_USER: &str = "ada";

/// Next session number handed out by `POST /api/login` (sessions start at 1).
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);
/// Next value of the `X-Request-Id` response header of `PUT /api/items`.
static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

/// The API's policy, for every path of the app (404s included) but `GET /api/public`. Checked at
/// compile time like `#[cors]`. GET, HEAD and POST need no listing; PUT does.
#[policy(
    // More origins from the environment: `CORS_DEMO_ORIGINS=http://127.0.0.1:3001` turns the
    // refused page into an allowed one; a bad value stops the demo before it serves.
    origins = ["http://127.0.0.1:3000", env("CORS_DEMO_ORIGINS", default = "")],
    credentials,
    methods = ["PUT"],
    allow_headers = ["X-Demo", "Content-Type"],
    expose_headers = ["X-Request-Id"],
    max_age = 600
)]
pub struct DemoApi;

/// Public data: any origin may read it, as long as the request carries no credentials. Its own
/// policy overrides the app's `DemoApi` for this path and method.
#[cors(origins = ["*"])]
#[get("/api/public")]
async fn public_data() -> HttpResponse {
    json(
        HttpResponse::Ok(),
        r#"{"message":"hello from the public endpoint","readable_by":"any origin, without credentials"}"#,
    )
}

/// Logs the demo user in: sets an `HttpOnly` session cookie. The page posts JSON, so the
/// browser sends a preflight asking for `content-type` first (`DemoApi` answers it).
#[post("/api/login")]
async fn login() -> HttpResponse {
    let session = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    let cookie = Cookie::build(SESSION_COOKIE, format!("s{session}"))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        // Persistent rather than a session cookie, so it survives a browser restart during the demo.
        .max_age(time::Duration::hours(1))
        .finish();
    let mut response = HttpResponse::Ok();
    response.cookie(cookie);
    json(
        response,
        &format!(r#"{{"logged_in":true,"user":"{DEMO_USER}","session":"s{session}"}}"#),
    )
}

/// Who am I? Reads the session cookie, so it is only useful to credentialed requests.
#[get("/api/me")]
async fn me(req: HttpRequest) -> HttpResponse {
    match req
        .cookie(SESSION_COOKIE)
        .and_then(|cookie| known_session(cookie.value()))
    {
        Some(session) => json(
            HttpResponse::Ok(),
            &format!(r#"{{"user":"{DEMO_USER}","session":"s{session}"}}"#),
        ),
        None => json(
            HttpResponse::Unauthorized(),
            r#"{"user":null,"hint":"no valid session cookie: POST /api/login first"}"#,
        ),
    }
}

/// Updates an item. `PUT` and the custom `X-Demo` header both need a preflight; the response
/// carries `X-Request-Id` (exposed to the page by `DemoApi`) and `X-Internal-Trace` (not
/// exposed).
#[put("/api/items")]
async fn update_items(req: HttpRequest) -> HttpResponse {
    let request_id = format!("req-{}", NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed));
    let x_demo = if req.headers().contains_key("x-demo") {
        "present"
    } else {
        "absent"
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header(("X-Request-Id", request_id.as_str()))
        .insert_header(("X-Internal-Trace", "trace-7f3a (not exposed to pages)"));
    json(
        response,
        &format!(r#"{{"updated":true,"request_id":"{request_id}","x_demo_header":"{x_demo}"}}"#),
    )
}

/// `GET /` on the API: a plain-text map of the endpoints, for people who open the API URL.
async fn api_index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(API_INDEX)
}

const API_INDEX: &str = "\
CORS demo API: App::new().wrap(DemoApi), one app-wide named policy

#[policy(origins = [\"http://127.0.0.1:3000\"], credentials, methods = [\"PUT\"],
         allow_headers = [\"X-Demo\", \"Content-Type\"], expose_headers = [\"X-Request-Id\"], max_age = 600)]
struct DemoApi;

POST /api/login, GET /api/me, PUT /api/items, this page and any unrouted path (404): DemoApi
GET  /api/public  its own #[cors(origins = [\"*\"])], which overrides DemoApi: any origin, no credentials

Open http://127.0.0.1:3000/ (allowed origin) and http://127.0.0.1:3001/ (refused origin) to see a
browser call these endpoints.
";

/// Returns the session number if `value` is a session this process handed out.
fn known_session(value: &str) -> Option<u64> {
    let session: u64 = value.strip_prefix('s')?.parse().ok()?;
    (session >= 1 && session < NEXT_SESSION.load(Ordering::Relaxed)).then_some(session)
}

/// Unrouted API paths: a JSON 404 that `DemoApi` lets the allowed page read.
async fn api_not_found(req: HttpRequest) -> HttpResponse {
    json(
        HttpResponse::NotFound(),
        &format!(
            r#"{{"error":"no route","method":"{}","see":"GET /"}}"#,
            req.method()
        ),
    )
}

fn json(mut builder: actix_web::HttpResponseBuilder, body: &str) -> HttpResponse {
    builder
        .content_type("application/json")
        .body(body.to_owned())
}

/// The API's services, apart from its middleware, so that the start-up listing sees them alone.
pub fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(public_data)
        .service(login)
        .service(me)
        .service(update_items)
        .route("/", web::get().to(api_index))
        .default_service(web::to(api_not_found));
}
