//! End-to-end browser tests: headless Chromium runs `fetch` against `#[cors]` handlers.
//!
//! The test starts, in this process and on the loopback interface only, with ephemeral ports:
//! * the API, whose handlers carry `#[cors(...)]`, on `http://127.0.0.1:<api>`;
//! * one page server, listening twice: as `http://127.0.0.1:<p1>`, an origin the API allows
//!   (`http://127.0.0.1:*`), and as `http://localhost:<p2>`, an origin it refuses.
//!
//! Chromium loads `tests/browser/page.html` from both origins (`--dump-dom`, with a virtual-time
//! budget so the dump waits for every `fetch`). The page runs every scenario and writes the
//! results as JSON into `<pre id="results">`; the test extracts them from the dumped DOM and
//! checks them against what the API logged (preflights never reach a handler, so an App-level
//! middleware counts them).
//!
//! The app-wide case: a second API, one `App::new().wrap(AppApi)` with a named policy and no
//! `#[cors]` on any handler, and its page `tests/browser/app_wide.html` (served by the same page
//! server at `/app_wide.html`): the allowed origin reads every route, a 404 included, the refused
//! origin none.
//!
//! `browser` runs both pages in Chromium; `firefox` runs the same pages in headless Firefox
//! (Debian's `firefox-esr`, driven over WebDriver BiDi by `tests/browser/firefox/run.js` with
//! puppeteer-core) and checks the same expectations, but for the preflight cache counts in
//! `FIREFOX_CACHE`.
//!
//! Without Chromium the test is skipped, with a message, unless `CORS_REQUIRE_BROWSER=1`.
//! `CHROMIUM=/path/to/chromium` picks the binary; otherwise `/usr/bin/chromium`, then `chromium`
//! on `PATH`. Likewise the Firefox test needs `/usr/bin/firefox-esr` (or `FIREFOX=/path`), `node`
//! on `PATH` and `npm ci` run in `tests/browser/firefox`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use actix_web::dev::{ServerHandle, Service};
use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, App, HttpRequest, HttpResponse, HttpServer};
use cors_runtime::policy;
use serde_json::Value;

// The API the page calls, and what the page must read (`SCENARIOS`): shared with the doctor's
// agreement test.
#[path = "../browser/fixture.rs"]
mod fixture;
use fixture::Expect::{self, Blocked, Readable};
use fixture::{header_text, SCENARIOS};

/// The page every scenario runs in.
const PAGE: &str = include_str!("../browser/page.html");

/// The page of the app-wide case, served at `/app_wide.html` by the same page server.
const APP_WIDE_PAGE: &str = include_str!("../browser/app_wide.html");

/// The longest Chromium may run before it is killed.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

const SKIP_MESSAGE: &str = "browser tests SKIPPED: chromium not found; install it with \
    `apt-get install -y chromium` or set CHROMIUM=/path, then rerun \
    `cargo test -p cors-tests --test browser`";

// ---------------------------------------------------------------------------------------------
// The app-wide API: one `App::new().wrap(AppApi)`, no `#[cors]` on any handler
// ---------------------------------------------------------------------------------------------

/// The app's one policy. PATCH is deliberately not listed.
#[policy(
    origins = ["http://127.0.0.1:*"],
    credentials,
    methods = ["PUT", "DELETE"],
    allow_headers = ["Content-Type", "X-Custom"],
    expose_headers = ["X-Exposed"],
    max_age = 600,
)]
struct AppApi;

const APP_COOKIE: &str = "app_session=0p3n";

#[get("/app/items")]
async fn app_items() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("X-Exposed", "exposed-value"))
        .insert_header(("X-Hidden", "hidden-value"))
        .body("items")
}

#[get("/app/items/{id}")]
async fn app_item(id: web::Path<u32>) -> HttpResponse {
    HttpResponse::Ok().body(format!("item {id}"))
}

#[put("/app/items/{id}")]
async fn app_put(id: web::Path<u32>, req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!(
        "put {id} x-custom={}",
        header_text(&req, "x-custom")
    ))
}

#[delete("/app/items/{id}")]
async fn app_delete(id: web::Path<u32>) -> HttpResponse {
    HttpResponse::Ok().body(format!("deleted {id}"))
}

/// Handles PATCH too, so a refused PATCH preflight is the policy's doing, not a missing route.
#[patch("/app/items/{id}")]
async fn app_patch(id: web::Path<u32>) -> HttpResponse {
    HttpResponse::Ok().body(format!("patched {id}"))
}

#[post("/app/echo")]
async fn app_echo(body: web::Json<Value>) -> HttpResponse {
    HttpResponse::Ok().body(body.into_inner().to_string())
}

#[post("/app/login")]
async fn app_login() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            format!("{APP_COOKIE}; Path=/; HttpOnly; SameSite=Lax"),
        ))
        .body("logged in")
}

#[get("/app/me")]
async fn app_me(req: HttpRequest) -> HttpResponse {
    let has_session = req
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.trim() == APP_COOKIE);
    HttpResponse::Ok().body(if has_session {
        APP_COOKIE
    } else {
        "no session cookie"
    })
}

#[put("/app/cached")]
async fn app_cached(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().body(format!("x-custom={}", header_text(&req, "x-custom")))
}

async fn app_not_found(req: HttpRequest) -> HttpResponse {
    HttpResponse::NotFound().body(format!("no route for {} {}", req.method(), req.path()))
}

/// The app-wide API's log, apart from the other API's (both pages use `case` names).
static APP_SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

fn app_wide_app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(AppApi)
        // Registered after the policy, so it runs outside it (actix runs the last `wrap` first)
        // and sees the preflights the policy answers before routing.
        .wrap_fn(|req, srv| {
            let text = |name| {
                req.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let origin = text(header::ORIGIN).unwrap_or_default();
            let preflight = req.method() == actix_web::http::Method::OPTIONS
                && text(header::ACCESS_CONTROL_REQUEST_METHOD).is_some();
            let method = req.method().to_string();
            let case = req
                .query_string()
                .split('&')
                .find_map(|pair| pair.strip_prefix("case="))
                .unwrap_or_default()
                .to_owned();
            let pending = srv.call(req);
            async move {
                let res = pending.await?;
                APP_SEEN.lock().unwrap().push(Seen {
                    origin,
                    method,
                    case,
                    preflight,
                    status: res.status().as_u16(),
                });
                Ok(res)
            }
        })
        .service(app_items)
        .service(app_item)
        .service(app_put)
        .service(app_delete)
        .service(app_patch)
        .service(app_echo)
        .service(app_login)
        .service(app_me)
        .service(app_cached)
        .default_service(web::to(app_not_found))
}

/// One request the API received, and its answer.
#[derive(Debug, Clone)]
struct Seen {
    origin: String,
    method: String,
    /// The `case` query parameter the page puts on every URL.
    case: String,
    /// `OPTIONS` with `Access-Control-Request-Method`.
    preflight: bool,
    status: u16,
}

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

fn api_app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap_fn(|req, srv| {
            let text = |name| {
                req.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let origin = text(header::ORIGIN).unwrap_or_default();
            let preflight = req.method() == actix_web::http::Method::OPTIONS
                && text(header::ACCESS_CONTROL_REQUEST_METHOD).is_some();
            let method = req.method().to_string();
            let case = req
                .query_string()
                .split('&')
                .find_map(|pair| pair.strip_prefix("case="))
                .unwrap_or_default()
                .to_owned();
            let pending = srv.call(req);
            async move {
                let res = pending.await?;
                SEEN.lock().unwrap().push(Seen {
                    origin,
                    method,
                    case,
                    preflight,
                    status: res.status().as_u16(),
                });
                Ok(res)
            }
        })
        .configure(fixture::services)
}

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(PAGE)
}

async fn app_wide_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(APP_WIDE_PAGE)
}

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

struct Servers {
    api: SocketAddr,
    /// The app-wide API (`app_wide_app`).
    app_api: SocketAddr,
    allowed_page: SocketAddr,
    refused_page: SocketAddr,
    handles: Vec<ServerHandle>,
    thread: thread::JoinHandle<()>,
}

impl Servers {
    /// Starts the API and the page server on their own thread and actix system.
    fn start() -> Self {
        let (tx, rx) = mpsc::channel();
        let thread = thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let api = HttpServer::new(api_app)
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .bind(("127.0.0.1", 0))
                    .expect("bind the API");
                let api_addr = api.addrs()[0];
                let app_api = HttpServer::new(app_wide_app)
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .bind(("127.0.0.1", 0))
                    .expect("bind the app-wide API");
                let app_api_addr = app_api.addrs()[0];

                // The page on two origins. `localhost` may resolve to `::1` first: listen there
                // too, on the same port, when the machine has IPv6 loopback.
                let allowed = TcpListener::bind(("127.0.0.1", 0)).expect("bind the allowed page");
                let refused = TcpListener::bind(("127.0.0.1", 0)).expect("bind the refused page");
                let allowed_addr = allowed.local_addr().unwrap();
                let refused_addr = refused.local_addr().unwrap();
                let mut pages = HttpServer::new(|| {
                    App::new()
                        .route("/app_wide.html", web::get().to(app_wide_page))
                        .default_service(web::to(page))
                })
                .workers(1)
                .disable_signals()
                .shutdown_timeout(1)
                .listen(allowed)
                .unwrap()
                .listen(refused)
                .unwrap();
                if let Ok(v6) = TcpListener::bind(("::1", refused_addr.port())) {
                    pages = pages.listen(v6).unwrap();
                }

                let api = api.run();
                let app_api = app_api.run();
                let pages = pages.run();
                tx.send((
                    (api_addr, app_api_addr),
                    allowed_addr,
                    refused_addr,
                    vec![api.handle(), app_api.handle(), pages.handle()],
                ))
                .unwrap();
                // A server handles its stop command only while polled: all run at once.
                let pages = actix_web::rt::spawn(pages);
                let app_api = actix_web::rt::spawn(app_api);
                let _ = api.await;
                let _ = app_api.await;
                let _ = pages.await;
            })
        });
        let ((api, app_api), allowed_page, refused_page, handles) = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("servers did not start");
        Servers {
            api,
            app_api,
            allowed_page,
            refused_page,
            handles,
            thread,
        }
    }

    fn stop(self) {
        actix_web::rt::System::new().block_on(async {
            for handle in &self.handles {
                handle.stop(false).await;
            }
        });
        let _ = self.thread.join();
    }
}

// ---------------------------------------------------------------------------------------------
// Chromium
// ---------------------------------------------------------------------------------------------

fn find_chromium() -> Option<PathBuf> {
    let on_path = |name: &str| {
        env::var_os("PATH").and_then(|path| {
            env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    };
    if let Some(configured) = env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        let configured = PathBuf::from(configured);
        if configured.is_file() {
            return Some(configured);
        }
        if configured.components().count() == 1 {
            if let Some(found) = configured.to_str().and_then(on_path) {
                return Some(found);
            }
        }
        let _ = writeln!(
            std::io::stderr(),
            "CHROMIUM={} is not a file",
            configured.display()
        );
        return None;
    }
    let debian = Path::new("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian.to_owned());
    }
    on_path("chromium")
}

/// A fresh, empty directory under the target directory.
fn fresh_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "browser-{label}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the Chromium profile directory");
    dir
}

/// Runs headless Chromium on `url` and returns the results JSON the page wrote.
fn run_page(chromium: &Path, label: &str, url: &str) -> Value {
    let profile = fresh_dir(label);
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-proxy-server",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        // Virtual time stops while fetches are pending, so the dump waits for all of them.
        .arg("--virtual-time-budget=15000")
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (status, dom, log) = run_with_deadline(&mut command, CHROMIUM_TIMEOUT);
    let _ = fs::remove_dir_all(&profile);

    let tail = || {
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    };
    let Some(status) = status else {
        panic!(
            "Chromium ({label}) did not finish within {CHROMIUM_TIMEOUT:?} on {url}; stderr:\n{}",
            tail()
        );
    };
    let Some(json) = extract_results(&dom) else {
        panic!(
            "no results from the page ({label}, {url}); Chromium exited with {status}.\n\
             DOM dump:\n{dom}\nstderr:\n{}",
            tail()
        );
    };
    serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("results of {label} are not JSON ({e}): {json}"))
}

/// The text of `<pre id="results">` in a DOM dump, unescaped, if the page filled it.
fn extract_results(dom: &str) -> Option<String> {
    let start = dom.find("<pre id=\"results\">")? + "<pre id=\"results\">".len();
    let end = start + dom[start..].find("</pre>")?;
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    (!text.trim().is_empty()).then_some(text)
}

// ---------------------------------------------------------------------------------------------
// Expectations (what the page reads, `SCENARIOS`, is in `tests/browser/fixture.rs`)
// ---------------------------------------------------------------------------------------------

/// What the API must have received from one origin for one `case`.
struct Traffic {
    case: &'static str,
    /// The status the API answered each preflight with, in order.
    preflights: &'static [u16],
    /// The actual request's method, and how many of them the browser sent.
    actual: (&'static str, usize),
    /// Firefox's preflight cache races its next identical request: a leading part of
    /// `preflights` (at least one) is as right as all of them.
    cache_race: bool,
}

const fn traffic(
    case: &'static str,
    preflights: &'static [u16],
    method: &'static str,
    count: usize,
) -> Traffic {
    Traffic {
        case,
        preflights,
        actual: (method, count),
        cache_race: false,
    }
}

const ALLOWED_TRAFFIC: &[Traffic] = &[
    traffic("simple_get", &[], "GET", 1),
    traffic("login", &[204], "POST", 1),
    traffic("put_custom_header", &[204], "PUT", 1),
    traffic("unlisted_header", &[403], "PUT", 0),
    // No preflight service on the path serves DELETE: the app's default service answers.
    traffic("unrouted_method", &[404], "DELETE", 0),
    // max_age = 600: the second PUT reuses the first preflight.
    traffic("cached", &[204], "PUT", 2),
    // max_age = 0: every PUT is preflighted.
    traffic("uncached", &[204, 204], "PUT", 2),
    traffic("wildcard_header", &[204], "PUT", 1),
    traffic("wildcard_authorization", &[403], "PUT", 0),
    traffic("echo_credentialed", &[204], "PUT", 1),
    traffic("echo_authorization", &[403], "PUT", 0),
    traffic("listed_credentialed", &[403], "PUT", 0),
];

const REFUSED_TRAFFIC: &[Traffic] = &[
    // Simple requests are sent; the browser withholds the response.
    traffic("simple_get", &[], "GET", 1),
    traffic("login", &[403], "POST", 0),
    traffic("put_custom_header", &[403], "PUT", 0),
    traffic("unlisted_header", &[403], "PUT", 0),
    traffic("unrouted_method", &[404], "DELETE", 0),
    // A refused preflight is never cached, whatever the route's max_age.
    traffic("cached", &[403, 403], "PUT", 0),
    traffic("uncached", &[403, 403], "PUT", 0),
    traffic("wildcard_header", &[403], "PUT", 0),
    traffic("echo_credentialed", &[403], "PUT", 0),
    traffic("echo_authorization", &[403], "PUT", 0),
    traffic("listed_credentialed", &[403], "PUT", 0),
];

fn describe(result: &Value) -> String {
    if let Some(reason) = result.get("blocked") {
        return format!("blocked ({})", reason.as_str().unwrap_or_default());
    }
    match (result.get("status"), result.get("body")) {
        (Some(status), Some(body)) => format!("{status} {body}"),
        _ => result.to_string(),
    }
}

/// Checks one origin's results and traffic; returns the mismatches.
fn check(
    label: &str,
    results: &Value,
    origin: &str,
    allowed: bool,
    // The page's scenarios, and the one whose response carries X-Exposed (exposed) and X-Hidden
    // (not).
    (scenarios, exposed_case): (&[(&str, Expect, Expect)], &str),
    traffic: &[Traffic],
    seen: &[Seen],
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |msg: String| failures.push(format!("[{label}] {msg}"));

    if results["origin"] != origin {
        fail(format!("page origin {} != {origin}", results["origin"]));
    }
    if results["done"] != true {
        fail("the page did not finish".into());
    }
    for &(name, from_allowed, from_refused) in scenarios {
        let expected = if allowed { from_allowed } else { from_refused };
        let result = &results[name];
        println!("  [{label}] {name:<24} {}", describe(result));
        match expected {
            Readable(status, body) => {
                if result["status"] != status || result["body"] != body {
                    fail(format!(
                        "{name}: expected {status} {body:?}, got {}",
                        describe(result)
                    ));
                }
            }
            Blocked => {
                if !result["blocked"].is_string() {
                    fail(format!(
                        "{name}: expected blocked, got {}",
                        describe(result)
                    ));
                }
            }
        }
    }
    if allowed {
        let headers = (
            &results[exposed_case]["exposed"],
            &results[exposed_case]["hidden"],
        );
        println!(
            "  [{label}] X-Exposed / X-Hidden: {} / {}",
            headers.0, headers.1
        );
        if headers != (&Value::from("exposed-value"), &Value::Null) {
            fail(format!(
                "{exposed_case} headers: expected X-Exposed \"exposed-value\" and X-Hidden null, got {} and {}",
                headers.0, headers.1
            ));
        }
    }

    let from_origin: Vec<&Seen> = seen.iter().filter(|s| s.origin == origin).collect();
    for t in traffic {
        let preflights: Vec<u16> = from_origin
            .iter()
            .filter(|s| s.case == t.case && s.preflight)
            .map(|s| s.status)
            .collect();
        let actual = from_origin
            .iter()
            .filter(|s| s.case == t.case && !s.preflight && s.method == t.actual.0)
            .count();
        println!(
            "  [{label}] server saw {:<22} preflights {preflights:?}, {} x{actual}",
            t.case, t.actual.0
        );
        let raced = t.cache_race && !preflights.is_empty() && t.preflights.starts_with(&preflights);
        if preflights != t.preflights && !raced {
            fail(format!(
                "{}: expected preflights answered {:?}, the API answered {preflights:?}",
                t.case, t.preflights
            ));
        }
        if actual != t.actual.1 {
            fail(format!(
                "{}: expected {} {} request(s) at the API, saw {actual}",
                t.case, t.actual.1, t.actual.0
            ));
        }
    }
    failures
}

// ---------------------------------------------------------------------------------------------
// Expectations: the app-wide page (app_wide.html against `app_wide_app`)
// ---------------------------------------------------------------------------------------------

/// Scenario name → (from the allowed origin, from the refused origin). The allowed origin reads
/// every route, 404 included; the refused origin reads none.
const APP_SCENARIOS: &[(&str, Expect, Expect)] = &[
    ("app_items", Readable(200, "items"), Blocked),
    ("app_item", Readable(200, "item 7"), Blocked),
    ("app_put", Readable(200, "put 7 x-custom=hello"), Blocked),
    ("app_delete", Readable(200, "deleted 7"), Blocked),
    ("app_json", Readable(200, r#"{"n":1}"#), Blocked),
    ("app_login", Readable(200, "logged in"), Blocked),
    ("app_me", Readable(200, APP_COOKIE), Blocked),
    (
        "app_not_found",
        Readable(404, "no route for GET /app/nowhere"),
        Blocked,
    ),
    (
        "app_not_found_put",
        Readable(404, "no route for PUT /app/nowhere"),
        Blocked,
    ),
    ("app_patch", Blocked, Blocked),
    ("app_cached_1", Readable(200, "x-custom=c"), Blocked),
    ("app_cached_2", Readable(200, "x-custom=c"), Blocked),
    ("app_cached_3", Readable(200, "x-custom=c"), Blocked),
];

const APP_ALLOWED_TRAFFIC: &[Traffic] = &[
    traffic("app_items", &[], "GET", 1),
    traffic("app_item", &[], "GET", 1),
    traffic("app_put", &[204], "PUT", 1),
    traffic("app_delete", &[204], "DELETE", 1),
    traffic("app_json", &[204], "POST", 1),
    traffic("app_login", &[204], "POST", 1),
    traffic("app_me", &[], "GET", 1),
    traffic("app_not_found", &[], "GET", 1),
    // Granted before routing, whatever the path: the PUT then gets the default service's 404.
    traffic("app_not_found_put", &[204], "PUT", 1),
    traffic("app_patch", &[403], "PATCH", 0),
    // max_age = 600: the 2nd and 3rd PUT reuse the first preflight (Chromium; see FIREFOX_CACHE).
    traffic("app_cached", &[204], "PUT", 3),
];

const APP_REFUSED_TRAFFIC: &[Traffic] = &[
    // Simple requests are sent; the browser withholds the response, 404 included.
    traffic("app_items", &[], "GET", 1),
    traffic("app_item", &[], "GET", 1),
    traffic("app_me", &[], "GET", 1),
    traffic("app_not_found", &[], "GET", 1),
    traffic("app_put", &[403], "PUT", 0),
    traffic("app_delete", &[403], "DELETE", 0),
    traffic("app_json", &[403], "POST", 0),
    traffic("app_login", &[403], "POST", 0),
    traffic("app_not_found_put", &[403], "PUT", 0),
    traffic("app_patch", &[403], "PATCH", 0),
    // A refused preflight is never cached.
    traffic("app_cached", &[403, 403, 403], "PUT", 0),
];

// ---------------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------------

/// Where Firefox's traffic differs from Chromium's: the preflights the API grants on the
/// max_age = 600 routes. Firefox (153 ESR, as seen here) sends the same preflight for the first
/// two identical requests and serves only the third from its preflight cache (when the second
/// starts before the first answer is cached: on a loaded machine it may reuse the first, which
/// is accepted too); Chromium reuses the first. So `cached` (two PUTs) usually shows no caching
/// in Firefox, `app_cached` (three PUTs) does.
/// Refused preflights are never cached by either. Everything else (readable or blocked, every
/// other count) is the same in both engines.
const FIREFOX_CACHE: &[(&str, &[u16])] = &[("cached", &[204, 204]), ("app_cached", &[204, 204])];

/// A traffic table with Firefox's preflight counts for the cases in `FIREFOX_CACHE`.
fn firefox_traffic(table: &[Traffic]) -> Vec<Traffic> {
    table
        .iter()
        .map(|t| {
            let racing = FIREFOX_CACHE.iter().find(|(case, _)| *case == t.case);
            let preflights = racing.map_or(t.preflights, |(_, preflights)| preflights);
            Traffic {
                cache_race: racing.is_some(),
                ..traffic(t.case, preflights, t.actual.0, t.actual.1)
            }
        })
        .collect()
}

/// The four page loads of one engine, by label.
const LOADS: [&str; 4] = ["allowed", "refused", "app-allowed", "app-refused"];

/// The URL of each load in `LOADS`.
fn load_urls(servers: &Servers) -> [(&'static str, String); 4] {
    let allowed = format!("http://127.0.0.1:{}", servers.allowed_page.port());
    let refused = format!("http://localhost:{}", servers.refused_page.port());
    let (api, app_api) = (servers.api.port(), servers.app_api.port());
    [
        (LOADS[0], format!("{allowed}/?api={api}")),
        (LOADS[1], format!("{refused}/?api={api}")),
        (LOADS[2], format!("{allowed}/app_wide.html?api={app_api}")),
        (LOADS[3], format!("{refused}/app_wide.html?api={app_api}")),
    ]
}

/// Checks one engine's four page results against the logs; panics with every mismatch.
fn check_engine(
    engine: &str,
    results: &BTreeMap<String, Value>,
    (allowed_origin, refused_origin): &(String, String),
    firefox: bool,
    seen: &[Seen],
    app_seen: &[Seen],
) {
    // Only granted preflights are cached: the refused origin's tables hold for both engines.
    let tables = |table: &[Traffic], allowed: bool| -> Vec<Traffic> {
        if firefox && allowed {
            firefox_traffic(table)
        } else {
            table
                .iter()
                .map(|t| traffic(t.case, t.preflights, t.actual.0, t.actual.1))
                .collect()
        }
    };
    let missing = Value::Null;
    let result = |label: &str| results.get(label).unwrap_or(&missing);

    println!("{engine}:");
    let mut failures = check(
        "allowed",
        result("allowed"),
        allowed_origin,
        true,
        (SCENARIOS, "simple_get"),
        &tables(ALLOWED_TRAFFIC, true),
        seen,
    );
    failures.extend(check(
        "refused",
        result("refused"),
        refused_origin,
        false,
        (SCENARIOS, "simple_get"),
        &tables(REFUSED_TRAFFIC, false),
        seen,
    ));
    failures.extend(check(
        "app-allowed",
        result("app-allowed"),
        allowed_origin,
        true,
        (APP_SCENARIOS, "app_items"),
        &tables(APP_ALLOWED_TRAFFIC, true),
        app_seen,
    ));
    failures.extend(check(
        "app-refused",
        result("app-refused"),
        refused_origin,
        false,
        (APP_SCENARIOS, "app_items"),
        &tables(APP_REFUSED_TRAFFIC, false),
        app_seen,
    ));

    let by_case: BTreeMap<(&str, &str), usize> =
        seen.iter()
            .chain(app_seen)
            .fold(BTreeMap::new(), |mut map, s| {
                *map.entry((s.origin.as_str(), s.case.as_str())).or_default() += 1;
                map
            });
    assert!(
        failures.is_empty(),
        "{engine}: {} mismatch(es):\n{}\n\npage results: {results:#?}\nAPI log: {seen:#?}\napp-wide API log: {app_seen:#?}\nrequests per (origin, case): {by_case:?}",
        failures.len(),
        failures.join("\n"),
    );
}

/// The two page origins: (allowed, refused).
fn origins(servers: &Servers) -> (String, String) {
    (
        format!("http://127.0.0.1:{}", servers.allowed_page.port()),
        format!("http://localhost:{}", servers.refused_page.port()),
    )
}

/// The requests each API logged from these page origins (the logs are shared by the tests of
/// this file, which run in parallel, each with its own servers and ports).
fn logs_of((allowed, refused): &(String, String)) -> (Vec<Seen>, Vec<Seen>) {
    let mine = |log: &Mutex<Vec<Seen>>| -> Vec<Seen> {
        log.lock()
            .unwrap()
            .iter()
            .filter(|s| s.origin == *allowed || s.origin == *refused)
            .cloned()
            .collect()
    };
    (mine(&SEEN), mine(&APP_SEEN))
}

fn browser_required() -> bool {
    env::var("CORS_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Skips (a message on the process's stderr, which the harness does not capture, so the skip
/// shows in a plain `cargo test` too) or, under `CORS_REQUIRE_BROWSER=1`, fails.
fn skip(message: &str) {
    if browser_required() {
        panic!("CORS_REQUIRE_BROWSER=1, so this is a failure: {message}");
    }
    let _ = writeln!(std::io::stderr(), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Firefox
// ---------------------------------------------------------------------------------------------

/// The directory of the Node runner (`run.js`, its `package.json` and `node_modules`).
const FIREFOX_RUNNER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/browser/firefox");

/// The longest the Firefox runner may take for all four pages.
const FIREFOX_TIMEOUT: Duration = Duration::from_secs(120);

/// What the Firefox test needs: (firefox, node), or why it cannot run.
fn find_firefox() -> Result<(PathBuf, PathBuf), String> {
    let hint = "install them with `apt-get install -y firefox-esr` and \
        `(cd tests/browser/firefox && npm ci)`, then rerun `cargo test -p cors-tests --test browser`";
    let firefox = env::var_os("FIREFOX")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/firefox-esr"));
    if !firefox.is_file() {
        return Err(format!(
            "Firefox browser tests SKIPPED: {} not found; {hint}",
            firefox.display()
        ));
    }
    let node = env::var_os("PATH").and_then(|path| {
        env::split_paths(&path)
            .map(|dir| dir.join("node"))
            .find(|candidate| candidate.is_file())
    });
    let Some(node) = node else {
        return Err(format!(
            "Firefox browser tests SKIPPED: node not found on PATH; {hint}"
        ));
    };
    let module = Path::new(FIREFOX_RUNNER).join("node_modules/puppeteer-core/package.json");
    if !module.is_file() {
        return Err(format!(
            "Firefox browser tests SKIPPED: {} missing; {hint}",
            module.display()
        ));
    }
    Ok((firefox, node))
}

/// Runs the Node runner on every `(label, url)`; returns each page's results by label.
fn run_firefox(
    firefox: &Path,
    node: &Path,
    loads: &[(&'static str, String)],
) -> BTreeMap<String, Value> {
    let mut command = Command::new(node);
    command
        .arg(Path::new(FIREFOX_RUNNER).join("run.js"))
        .args(loads.iter().map(|(label, url)| format!("{label}={url}")))
        .env("FIREFOX", firefox)
        .current_dir(FIREFOX_RUNNER)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Only the node process is killed on time-out: Firefox, its child, notices its pipe to node
    // closing and exits (puppeteer launches it with a pipe transport).
    let (status, out, log) = run_with_deadline(&mut command, FIREFOX_TIMEOUT);
    match status {
        Some(status) if status.success() => serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("the Firefox runner printed no JSON ({e}): {out}\n{log}")),
        Some(status) => panic!("the Firefox runner failed ({status}):\n{log}\n{out}"),
        None => panic!("the Firefox runner did not finish within {FIREFOX_TIMEOUT:?}:\n{log}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

#[test]
fn browser() {
    let Some(chromium) = find_chromium() else {
        skip(SKIP_MESSAGE);
        return;
    };
    let started = Instant::now();
    let servers = Servers::start();
    let loads = load_urls(&servers);
    let origins = origins(&servers);

    // Two Chromiums at a time: page.html from both origins, then app_wide.html.
    let runs: Vec<_> = loads
        .chunks(2)
        .flat_map(|pair| {
            thread::scope(|scope| {
                let runs: Vec<_> = pair
                    .iter()
                    .map(|(label, url)| {
                        scope.spawn(|| (label.to_string(), run_page(&chromium, label, url)))
                    })
                    .collect();
                runs.into_iter().map(|run| run.join()).collect::<Vec<_>>()
            })
        })
        .collect();
    servers.stop();
    let mut results = BTreeMap::new();
    for run in runs {
        let (label, value) = run.unwrap_or_else(|e| std::panic::resume_unwind(e));
        results.insert(label, value);
    }
    let (seen, app_seen) = logs_of(&origins);
    check_engine(
        &format!("Chromium ({})", chromium.display()),
        &results,
        &origins,
        false,
        &seen,
        &app_seen,
    );
    println!("Chromium browser tests took {:.1?}", started.elapsed());
}

/// The same pages, the same expectations, in Firefox (but for `FIREFOX_CACHE`).
#[test]
fn firefox() {
    let (firefox, node) = match find_firefox() {
        Ok(found) => found,
        Err(message) => {
            skip(&message);
            return;
        }
    };
    let started = Instant::now();
    let servers = Servers::start();
    let loads = load_urls(&servers);
    let origins = origins(&servers);
    let results = std::panic::catch_unwind(|| run_firefox(&firefox, &node, &loads));
    servers.stop();
    let results = results.unwrap_or_else(|e| std::panic::resume_unwind(e));
    let (seen, app_seen) = logs_of(&origins);
    check_engine(
        &format!("Firefox ({})", firefox.display()),
        &results,
        &origins,
        true,
        &seen,
        &app_seen,
    );
    println!("Firefox browser tests took {:.1?}", started.elapsed());
}

/// Runs `command` (its stdout and stderr piped) for at most `timeout`, killing only the process
/// it started when time runs out: a browser's helper processes exit when it does. Returns its
/// status (`None` on time-out), stdout and stderr. Both pipes are read on their own threads, so a
/// full pipe never stalls the child, and a helper still holding them cannot hang the test.
fn run_with_deadline(
    command: &mut Command,
    timeout: Duration,
) -> (Option<std::process::ExitStatus>, String, String) {
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            let _ = tx.send(String::from_utf8_lossy(&out).into_owned());
        });
        rx
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let pipes_deadline = Instant::now() + Duration::from_secs(10);
    let collect = |rx: mpsc::Receiver<String>| {
        rx.recv_timeout(pipes_deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| String::from("(output not available: pipe still open)"))
    };
    (status, collect(stdout), collect(stderr))
}
