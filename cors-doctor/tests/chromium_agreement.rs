//! The doctor agrees with Chromium on every scenario of the browser test
//! (`tests/tests/browser.rs`, page `tests/browser/page.html`).
//!
//! The same `#[cors]` API (`tests/browser/fixture.rs`, shared with `browser.rs`) is served on
//! loopback. For each scenario and each of the two page origins (`http://127.0.0.1:<p1>`, allowed
//! by the API, and `http://localhost:<p2>`, refused), the test
//! 1. runs `cors-doctor --json` with the scenario's method, headers and credentials mode, and
//!    checks its verdict against what `browser.rs` asserts the page can read (the fixture's
//!    `SCENARIOS`);
//! 2. runs headless Chromium on the same page from both origins, as `browser.rs` does, and checks
//!    that the doctor's verdict equals what the page could actually read: agreement is measured,
//!    not assumed.
//!
//! Without Chromium, step 2 is skipped with a message, unless `CORS_REQUIRE_BROWSER=1`.
//! `CHROMIUM=/path` picks the binary.

mod support;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::time::Duration;
use std::{env, fs, thread};

use actix_web::http::header;
use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::Value;
use support::{doctor, find_chromium, reason_of, run_page, serve};

// --- The API of browser.rs, and what browser.rs expects the page to read ----------------------

// `browser.rs` also checks the status and body the page reads (`Expect::Readable`'s fields);
// here only whether it can read the response.
#[allow(dead_code)]
#[path = "../../tests/browser/fixture.rs"]
mod fixture;
use fixture::{Expect, SCENARIOS};

fn api_app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().configure(fixture::services)
}

// --- The scenarios of page.html and browser.rs's expectations ---------------------------------

/// A scenario as page.html runs it: (name, path, method, headers, credentials).
type Scenario = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
);

const JSON: &[&str] = &["Content-Type: application/json"];

const PAGE_SCENARIOS: &[Scenario] = &[
    ("simple_get", "/api/items", "GET", &[], false),
    ("login", "/api/login", "POST", JSON, true),
    ("me_credentialed", "/api/me", "GET", &[], true),
    ("me_uncredentialed", "/api/me", "GET", &[], false),
    (
        "put_custom_header",
        "/api/items",
        "PUT",
        &["X-Custom: hello"],
        false,
    ),
    (
        "unlisted_header",
        "/api/items",
        "PUT",
        &["X-Unlisted: 1"],
        false,
    ),
    ("unrouted_method", "/api/items", "DELETE", &[], false),
    ("cached_1", "/api/cached", "PUT", &["X-Custom: c"], false),
    ("cached_2", "/api/cached", "PUT", &["X-Custom: c"], false),
    (
        "uncached_1",
        "/api/uncached",
        "PUT",
        &["X-Custom: c"],
        false,
    ),
    (
        "uncached_2",
        "/api/uncached",
        "PUT",
        &["X-Custom: c"],
        false,
    ),
    ("public", "/api/public", "GET", &[], false),
    ("public_credentialed", "/api/public", "GET", &[], true),
    (
        "wildcard_header",
        "/api/wild",
        "PUT",
        &["X-Anything: 1"],
        false,
    ),
    (
        "wildcard_authorization",
        "/api/wild",
        "PUT",
        &["Authorization: Bearer t"],
        false,
    ),
    ("echo_credentialed", "/api/echo", "PUT", META, true),
    (
        "echo_authorization",
        "/api/echo",
        "PUT",
        &["Authorization: Bearer t"],
        true,
    ),
    ("listed_credentialed", "/api/listed", "PUT", META, true),
];

const META: &[&str] = &["X-P-Meta-Stream: s1", "X-P-Meta-Tag: t"];

/// browser.rs's `SCENARIOS`, reduced to readable (`true`) or blocked: (name, from the allowed
/// origin, from the refused origin).
fn expectations() -> Vec<(&'static str, bool, bool)> {
    let readable = |expect: Expect| matches!(expect, Expect::Readable(..));
    SCENARIOS
        .iter()
        .map(|&(name, allowed, refused)| (name, readable(allowed), readable(refused)))
        .collect()
}

/// The doctor's verdict for one scenario from one origin: `true` when allowed.
/// The doctor's verdict (`true`: allowed), its summary, its console message and the response
/// headers it says the page can read.
fn doctor_verdict(
    api: SocketAddr,
    origin: &str,
    scenario: &Scenario,
) -> (bool, String, String, Vec<String>) {
    let (name, path, method, headers, credentials) = *scenario;
    let url = format!("http://{api}{path}?case=doctor-{name}");
    let mut args = vec![url.as_str(), "--origin", origin, "--method", method];
    for h in headers {
        args.extend_from_slice(&["--header", h]);
    }
    if credentials {
        args.push("--credentials");
    }
    let run = doctor(&args);
    let verdict = run.verdict().to_owned();
    let allowed = match (run.code, verdict.as_str()) {
        (0, "allowed") => true,
        (1, "blocked") => false,
        other => panic!(
            "{name} from {origin}: unexpected result {other:?}: {}\n{:#}",
            run.stderr, run.report
        ),
    };
    let detail = run
        .failed_check()
        .map_or_else(|| verdict.clone(), |c| format!("{verdict} ({c})"));
    let readable = run.report["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["kind"] == "actual"))
        .and_then(|s| s["readable_headers"].as_array())
        .map(|h| {
            h.iter()
                .filter_map(|h| h.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (allowed, detail, run.browser_message().to_owned(), readable)
}

fn word(readable: bool) -> &'static str {
    if readable {
        "readable"
    } else {
        "blocked"
    }
}

/// The browser test's page.
const PAGE_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/browser/page.html");

/// The scenario names page.html runs with a literal name (`await run("name", ...)`), plus the
/// ones its loop makes (`cached_1`...).
fn page_scenario_names() -> Vec<String> {
    let page = fs::read_to_string(PAGE_PATH).unwrap_or_default();
    let mut names: Vec<String> = page
        .split("await run(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    if page.contains("for (const route of [\"cached\", \"uncached\"])") {
        for route in ["cached", "uncached"] {
            for n in [1, 2] {
                names.push(format!("{route}_{n}"));
            }
        }
    }
    names
}

async fn page() -> HttpResponse {
    let page = fs::read_to_string(PAGE_PATH).unwrap_or_default();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page)
}

/// The page server, listening as the allowed and the refused origin; returns both addresses.
fn serve_pages() -> (SocketAddr, SocketAddr) {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let allowed = TcpListener::bind(("127.0.0.1", 0)).expect("bind the allowed page");
            let refused = TcpListener::bind(("127.0.0.1", 0)).expect("bind the refused page");
            let addrs = (
                allowed.local_addr().expect("address"),
                refused.local_addr().expect("address"),
            );
            let mut pages = HttpServer::new(|| App::new().default_service(web::to(page)))
                .workers(1)
                .disable_signals()
                .listen(allowed)
                .expect("listen")
                .listen(refused)
                .expect("listen");
            // `localhost` may resolve to ::1 first.
            if let Ok(v6) = TcpListener::bind(("::1", addrs.1.port())) {
                pages = pages.listen(v6).expect("listen on ::1");
            }
            let running = pages.run();
            let _ = tx.send(addrs);
            let _ = running.await;
        });
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("page server did not start")
}

// --- The test ---------------------------------------------------------------------------------

#[test]
fn doctor_agrees_with_chromium_on_the_browser_scenarios() {
    let api = serve(api_app);
    let (allowed_page, refused_page) = serve_pages();
    let allowed_origin = format!("http://127.0.0.1:{}", allowed_page.port());
    let refused_origin = format!("http://localhost:{}", refused_page.port());
    let expectations = expectations();
    assert_eq!(PAGE_SCENARIOS.len(), expectations.len());
    // A scenario added to page.html (and browser.rs) must be added here too.
    let mut on_page = page_scenario_names();
    let mut here: Vec<String> = PAGE_SCENARIOS.iter().map(|s| s.0.to_owned()).collect();
    on_page.sort();
    here.sort();
    assert_eq!(
        on_page, here,
        "tests/browser/page.html and PAGE_SCENARIOS differ: add the new scenarios here (and to SCENARIOS in tests/browser/fixture.rs)"
    );

    // Chromium first (in the background), the doctor meanwhile.
    let chromium = find_chromium();
    let browser_runs = chromium.clone().map(|chromium| {
        let urls = [
            ("allowed", format!("{allowed_origin}/?api={}", api.port())),
            ("refused", format!("{refused_origin}/?api={}", api.port())),
        ];
        urls.map(|(label, url)| {
            let chromium = chromium.clone();
            thread::spawn(move || run_page(&chromium, label, &url))
        })
    });

    let mut failures = Vec::new();
    let mut verdicts = Vec::new();
    for (scenario, &(name, from_allowed, from_refused)) in PAGE_SCENARIOS.iter().zip(&expectations)
    {
        assert_eq!(
            scenario.0, name,
            "PAGE_SCENARIOS and the fixture's SCENARIOS are in the same order"
        );
        for (origin, expected) in [
            (&allowed_origin, from_allowed),
            (&refused_origin, from_refused),
        ] {
            let (allowed, detail, message, headers) = doctor_verdict(api, origin, scenario);
            println!(
                "{name:<24} from {origin:<24} doctor: {detail:<50} browser.rs: {}",
                word(expected)
            );
            if allowed != expected {
                failures.push(format!(
                    "{name} from {origin}: doctor says {detail}, browser.rs expects {}",
                    word(expected)
                ));
            }
            let reason = reason_of(&format!("?case={name}' {message}")).map(|(_, r)| r);
            verdicts.push((name, origin.clone(), allowed, detail, reason, headers));
        }
    }

    match browser_runs {
        Some([allowed, refused]) => {
            let (allowed, allowed_messages) = allowed.join().expect("Chromium (allowed) run");
            let (refused, refused_messages) = refused.join().expect("Chromium (refused) run");
            let results = [
                (allowed_origin.clone(), allowed, allowed_messages),
                (refused_origin.clone(), refused, refused_messages),
            ];
            for (origin, result, _) in &results {
                assert_eq!(&result["origin"], origin.as_str(), "page origin");
                assert_eq!(result["done"], true, "the page did not finish: {result}");
            }
            for (name, origin, allowed, detail, reason, headers) in &verdicts {
                let (result, messages) = results
                    .iter()
                    .find(|(o, _, _)| o == origin)
                    .map(|(_, r, m)| (&r[*name], m.as_slice()))
                    .unwrap_or((&Value::Null, &[]));
                let readable = result.get("status").is_some();
                let blocked = result.get("blocked").is_some();
                println!("{name:<24} from {origin:<24} Chromium: {result}");
                if readable == blocked || readable != *allowed {
                    failures.push(format!(
                        "{name} from {origin}: doctor says {detail}, Chromium's page got {result}"
                    ));
                }
                // Which response headers the page could read (the page reads X-Exposed and
                // X-Hidden): the doctor's list must say the same.
                if readable {
                    for (header, key) in [("x-exposed", "exposed"), ("x-hidden", "hidden")] {
                        let page_read = result[key].is_string();
                        if headers.iter().any(|h| h == header) != page_read {
                            failures.push(format!(
                                "{name} from {origin}: the doctor says the page can read {headers:?}, Chromium's page read {key} = {}",
                                result[key]
                            ));
                        }
                    }
                }
                // The console message: the doctor's must be one Chromium printed for the case
                // (`cached_1` and `cached_2` run as case `cached`).
                if blocked {
                    let case = name.trim_end_matches("_1").trim_end_matches("_2");
                    let chromium: Vec<&String> = messages
                        .iter()
                        .filter(|(c, _)| c == case)
                        .map(|(_, r)| r)
                        .collect();
                    println!("{name:<24} from {origin:<24} Chromium says: {chromium:?}");
                    if !reason.as_ref().is_some_and(|r| chromium.contains(&r)) {
                        failures.push(format!(
                            "{name} from {origin}: the doctor's message {reason:?} is not among Chromium's {chromium:?}"
                        ));
                    }
                }
            }
        }
        None => {
            if env::var("CORS_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("CORS_REQUIRE_BROWSER=1 but chromium was not found (apt-get install -y chromium, or CHROMIUM=/path)");
            }
            let _ = writeln!(
                std::io::stderr(),
                "doctor/Chromium agreement: Chromium not found, compared with browser.rs's expectations only"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
