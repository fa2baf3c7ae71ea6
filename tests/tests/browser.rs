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
//! Without Chromium the test is skipped, with a message, unless `CORS_REQUIRE_BROWSER=1`.
//! `CHROMIUM=/path/to/chromium` picks the binary; otherwise `/usr/bin/chromium`, then `chromium`
//! on `PATH`.

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
use actix_web::{get, post, put, web, App, HttpRequest, HttpResponse, HttpServer};
use cors_runtime::cors;
use serde_json::Value;

/// The page every scenario runs in.
const PAGE: &str = include_str!("../browser/page.html");

/// The longest Chromium may run before it is killed.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

const SKIP_MESSAGE: &str = "browser tests SKIPPED: chromium not found; install it with \
    `apt-get install -y chromium` or set CHROMIUM=/path, then rerun \
    `cargo test -p cors-tests --test browser`";

const SESSION_COOKIE: &str = "session=s3cr3t";

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

fn header_text<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("(none)")
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
        .service(list_items)
        .service(put_item)
        .service(login)
        .service(me)
        .service(cached)
        .service(uncached)
        .service(public)
        .service(wild)
}

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(PAGE)
}

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

struct Servers {
    api: SocketAddr,
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

                // The page on two origins. `localhost` may resolve to `::1` first: listen there
                // too, on the same port, when the machine has IPv6 loopback.
                let allowed = TcpListener::bind(("127.0.0.1", 0)).expect("bind the allowed page");
                let refused = TcpListener::bind(("127.0.0.1", 0)).expect("bind the refused page");
                let allowed_addr = allowed.local_addr().unwrap();
                let refused_addr = refused.local_addr().unwrap();
                let mut pages = HttpServer::new(|| App::new().default_service(web::to(page)))
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
                let pages = pages.run();
                tx.send((
                    api_addr,
                    allowed_addr,
                    refused_addr,
                    vec![api.handle(), pages.handle()],
                ))
                .unwrap();
                let pages = actix_web::rt::spawn(pages);
                let _ = api.await;
                let _ = pages.await;
            })
        });
        let (api, allowed_page, refused_page, handles) = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("servers did not start");
        Servers {
            api,
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
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    // Read both pipes on their own threads, so a full pipe never stalls Chromium.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            let _ = tx.send(String::from_utf8_lossy(&out).into_owned());
        });
        rx
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));

    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for Chromium") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // Only the process we started, by its id. Its helper processes (zygote, renderer,
            // GPU, network) exit when it does: they lose their IPC channel to it.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    // A helper process still holding the pipes must not hang the test either.
    let pipes_deadline = Instant::now() + Duration::from_secs(10);
    let collect = |rx: mpsc::Receiver<String>| {
        rx.recv_timeout(pipes_deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| String::from("(output not available: pipe still open)"))
    };
    let dom = collect(stdout);
    let log = collect(stderr);
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
// Expectations
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Readable response: status and body.
    Readable(u16, &'static str),
    /// `fetch` rejected with a `TypeError`.
    Blocked,
}

use Expect::{Blocked, Readable};

/// Scenario name → (from the allowed origin, from the refused origin).
const SCENARIOS: &[(&str, Expect, Expect)] = &[
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
];

/// What the API must have received from one origin for one `case`.
struct Traffic {
    case: &'static str,
    /// The status the API answered each preflight with, in order.
    preflights: &'static [u16],
    /// The actual request's method, and how many of them the browser sent.
    actual: (&'static str, usize),
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
    for &(name, from_allowed, from_refused) in SCENARIOS {
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
            &results["simple_get"]["exposed"],
            &results["simple_get"]["hidden"],
        );
        println!(
            "  [{label}] X-Exposed / X-Hidden: {} / {}",
            headers.0, headers.1
        );
        if headers != (&Value::from("exposed-value"), &Value::Null) {
            fail(format!(
                "simple_get headers: expected X-Exposed \"exposed-value\" and X-Hidden null, got {} and {}",
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
        if preflights != t.preflights {
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
// The test
// ---------------------------------------------------------------------------------------------

#[test]
fn browser() {
    let Some(chromium) = find_chromium() else {
        if env::var("CORS_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("CORS_REQUIRE_BROWSER=1, so this is a failure: {SKIP_MESSAGE}");
        }
        // Straight to the process's stderr, which the test harness does not capture, so the
        // skip shows in a plain `cargo test` too.
        let _ = writeln!(std::io::stderr(), "{SKIP_MESSAGE}");
        return;
    };
    let started = Instant::now();
    let servers = Servers::start();
    let api_port = servers.api.port();
    let allowed_origin = format!("http://127.0.0.1:{}", servers.allowed_page.port());
    let refused_origin = format!("http://localhost:{}", servers.refused_page.port());

    let (allowed, refused) = thread::scope(|scope| {
        let allowed = scope.spawn(|| {
            run_page(
                &chromium,
                "allowed",
                &format!("{allowed_origin}/?api={api_port}"),
            )
        });
        let refused = scope.spawn(|| {
            run_page(
                &chromium,
                "refused",
                &format!("{refused_origin}/?api={api_port}"),
            )
        });
        (allowed.join(), refused.join())
    });
    let seen = SEEN.lock().unwrap().clone();
    servers.stop();
    let (allowed, refused) = match (allowed, refused) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(e), _) | (_, Err(e)) => std::panic::resume_unwind(e),
    };

    println!("browser tests with {}:", chromium.display());
    let mut failures = check(
        "allowed",
        &allowed,
        &allowed_origin,
        true,
        ALLOWED_TRAFFIC,
        &seen,
    );
    failures.extend(check(
        "refused",
        &refused,
        &refused_origin,
        false,
        REFUSED_TRAFFIC,
        &seen,
    ));
    println!("browser tests took {:.1?}", started.elapsed());

    let by_case: BTreeMap<(&str, &str), usize> = seen.iter().fold(BTreeMap::new(), |mut map, s| {
        *map.entry((s.origin.as_str(), s.case.as_str())).or_default() += 1;
        map
    });
    assert!(
        failures.is_empty(),
        "{} mismatch(es):\n{}\n\nallowed page results: {allowed:#}\nrefused page results: {refused:#}\nAPI log: {seen:#?}\nrequests per (origin, case): {by_case:?}",
        failures.len(),
        failures.join("\n"),
    );
}
