//! A policy from configuration replaced while the server runs (`Cors::reloadable_from_config`
//! and its `Reloader`): new answers after a reload, every error of a bad reload reported with
//! the old policy kept, the listing showing the values in force, no request answered by a mix of
//! two versions, and a real two-worker server reloaded under a loop of requests.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::test as actix_test;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use cors_runtime::{Cors, Listing, PolicyConfig, Reloader};

const A: &str = "https://a.example.com";
const B: &str = "https://b.example.com";
const BOTH: &str = "https://both.example.com";

/// A policy from environment-style values.
fn config(vars: &[(&str, &str)]) -> PolicyConfig {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (format!("CORS_{k}"), (*v).to_owned()))
        .collect();
    PolicyConfig::from_env_with("CORS", vars)
}

/// Version A: allows `A` and `BOTH`.
fn version_a() -> PolicyConfig {
    config(&[
        ("ORIGINS", &format!("{A},{BOTH}")),
        ("METHODS", "PUT"),
        ("ALLOW_HEADERS", "X-A"),
        ("EXPOSE_HEADERS", "X-From-A"),
        ("MAX_AGE", "600"),
    ])
}

/// Version B: allows `B` and `BOTH`, with other values for every other key.
fn version_b() -> PolicyConfig {
    config(&[
        ("ORIGINS", &format!("{B},{BOTH}")),
        ("CREDENTIALS", "true"),
        ("METHODS", "PUT,DELETE"),
        ("ALLOW_HEADERS", "X-A,X-B"),
        ("EXPOSE_HEADERS", "X-From-B"),
        ("MAX_AGE", "60"),
    ])
}

/// Status and sorted headers of an answer.
fn summary(status: u16, mut headers: Vec<(String, String)>) -> String {
    headers.retain(|(n, _)| n.starts_with("access-control-") || n == "vary");
    headers.sort();
    format!("{status} {headers:?}")
}

async fn call<S, B>(app: &S, method: Method, origin: &str, preflight: bool) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    let mut req = actix_test::TestRequest::default()
        .method(method)
        .uri("/items")
        .insert_header(("Origin", origin));
    if preflight {
        req = req
            .insert_header(("Access-Control-Request-Method", "PUT"))
            .insert_header(("Access-Control-Request-Headers", "x-a"));
    }
    let res = actix_test::call_service(app, req.to_request()).await;
    let headers = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    summary(res.status().as_u16(), headers)
}

fn app(
    cors: Cors,
    reloader: Reloader,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<
            actix_web::body::EitherBody<actix_web::body::BoxBody>,
        >,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(cors)
        .route("/items", web::route().to(HttpResponse::Ok))
        .route(
            "/listing",
            web::get().to(|req: HttpRequest| async move {
                HttpResponse::Ok().body(Listing::of(&req).to_string())
            }),
        )
        // Reloads to B while the request is under way.
        .route(
            "/reload-during",
            web::get().to(move || {
                let reloader = reloader.clone();
                async move {
                    let reloaded = reloader.reload(&version_b()).is_ok();
                    HttpResponse::Ok().body(format!("{reloaded}"))
                }
            }),
        )
}

#[actix_web::test]
async fn a_reload_changes_the_answers_and_the_listing() {
    let (cors, reloader) = Cors::reloadable_from_config("cors", &version_a()).expect("valid");
    let app = actix_test::init_service(app(cors, reloader.clone())).await;

    let granted_a = call(&app, Method::OPTIONS, A, true).await;
    assert!(granted_a.starts_with("204 "), "{granted_a}");
    assert!(
        granted_a.contains(A) && granted_a.contains("\"600\""),
        "{granted_a}"
    );
    let refused_b = call(&app, Method::OPTIONS, B, true).await;
    assert!(refused_b.starts_with("403 "), "{refused_b}");
    let listing = actix_test::call_and_read_body(
        &app,
        actix_test::TestRequest::get().uri("/listing").to_request(),
    )
    .await;
    let listing = String::from_utf8_lossy(&listing).into_owned();
    assert!(listing.contains(A) && !listing.contains(B), "{listing}");

    reloader.reload(&version_b()).expect("valid");

    // The newly allowed origin is granted, the removed one refused, with B's values.
    let granted_b = call(&app, Method::OPTIONS, B, true).await;
    assert!(granted_b.starts_with("204 "), "{granted_b}");
    assert!(
        granted_b.contains("\"60\"") && granted_b.contains("access-control-allow-credentials"),
        "{granted_b}"
    );
    let refused_a = call(&app, Method::OPTIONS, A, true).await;
    assert!(refused_a.starts_with("403 "), "{refused_a}");
    let actual_b = call(&app, Method::GET, B, false).await;
    assert!(
        actual_b.contains("X-From-B") && actual_b.contains(B),
        "{actual_b}"
    );
    let actual_a = call(&app, Method::GET, A, false).await;
    assert!(
        !actual_a.contains("access-control-allow-origin"),
        "{actual_a}"
    );

    // The listing shows the values in force.
    let listing = actix_test::call_and_read_body(
        &app,
        actix_test::TestRequest::get().uri("/listing").to_request(),
    )
    .await;
    let listing = String::from_utf8_lossy(&listing).into_owned();
    for expected in [B, "PUT, DELETE", "x-b", "X-From-B", "60 (env CORS_MAX_AGE)"] {
        assert!(listing.contains(expected), "{expected:?} not in\n{listing}");
    }
    assert!(!listing.contains(A), "{listing}");
    assert_eq!(reloader.key(), "cors");

    // Back and forth: each worker keeps the version it last answered with, and sees every
    // reload at its next request.
    for round in 0..3 {
        reloader.reload(&version_a()).expect("valid");
        let granted_a = call(&app, Method::OPTIONS, A, true).await;
        assert!(granted_a.starts_with("204 "), "round {round}: {granted_a}");
        let refused_b = call(&app, Method::OPTIONS, B, true).await;
        assert!(refused_b.starts_with("403 "), "round {round}: {refused_b}");
        reloader.reload(&version_b()).expect("valid");
        let actual_b = call(&app, Method::GET, B, false).await;
        assert!(actual_b.contains("X-From-B"), "round {round}: {actual_b}");
        let refused_a = call(&app, Method::OPTIONS, A, true).await;
        assert!(refused_a.starts_with("403 "), "round {round}: {refused_a}");
    }
}

#[actix_web::test]
async fn a_reload_with_errors_reports_them_all_and_keeps_the_policy_in_force() {
    let (cors, reloader) = Cors::reloadable_from_config("cors", &version_a()).expect("valid");
    let app = actix_test::init_service(app(cors, reloader.clone())).await;
    let before = call(&app, Method::OPTIONS, A, true).await;

    let bad = config(&[
        (
            "ORIGINS",
            "https://ok.example.com,https://x.example.com/path",
        ),
        ("METHODS", "*"),
        ("MAX_AGE", "100000"),
    ]);
    let error = reloader.reload(&bad).expect_err("three mistakes");
    assert!(error.findings().len() >= 3, "{error}");
    let text = error.to_string();
    for variable in ["CORS_ORIGINS", "CORS_METHODS", "CORS_MAX_AGE"] {
        assert!(text.contains(variable), "{variable} not in\n{text}");
    }
    // The same findings as at start-up.
    let at_startup = Cors::reloadable_from_config("cors", &bad).expect_err("the same mistakes");
    assert_eq!(at_startup, error);

    assert_eq!(call(&app, Method::OPTIONS, A, true).await, before);
    let listing = Listing::of_app(App::new().wrap(cors))
        .await
        .expect("a listing");
    let text = listing.to_string();
    assert!(
        text.contains(A) && !text.contains("ok.example.com"),
        "{text}"
    );
}

#[actix_web::test]
async fn a_request_under_way_during_a_reload_is_answered_by_one_version() {
    let (cors, reloader) = Cors::reloadable_from_config("cors", &version_a()).expect("valid");
    let app = actix_test::init_service(app(cors, reloader)).await;
    // The grant is decided by A when the request arrives; the handler reloads to B; the
    // response gets A's headers, not B's (B would add credentials and its own exposed header).
    let req = actix_test::TestRequest::get()
        .uri("/reload-during")
        .insert_header(("Origin", A))
        .to_request();
    let res = actix_test::call_service(&app, req).await;
    let headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = actix_test::read_body(res).await;
    assert_eq!(&body[..], b"true");
    let answer = summary(200, headers);
    assert!(answer.contains("X-From-A"), "{answer}");
    assert!(
        !answer.contains("X-From-B") && !answer.contains("credentials"),
        "{answer}"
    );
    // The next request is B's.
    let after = call(&app, Method::GET, A, false).await;
    assert!(!after.contains("access-control-allow-origin"), "{after}");
}

// ---------------------------------------------------------------------------------------------
// A real server: two workers, reloaded while requests run.

/// A preflight and an actual request from `BOTH`, which both versions allow with other values.
fn requests() -> [String; 2] {
    [
        format!(
            "OPTIONS /items HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {BOTH}\r\n\
             Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-a\r\n\
             Connection: close\r\n\r\n"
        ),
        format!(
            "GET /items HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {BOTH}\r\nConnection: close\r\n\r\n"
        ),
    ]
}

#[actix_web::test]
async fn a_two_worker_server_reloaded_under_load_answers_by_one_version_at_a_time() {
    let (cors, reloader) = Cors::reloadable_from_config("cors", &version_a()).expect("valid");
    let for_app = reloader.clone();
    let server = HttpServer::new(move || app(cors, for_app.clone()))
        .workers(2)
        .bind(("127.0.0.1", 0))
        .expect("bind");
    let addr = server.addrs()[0];
    assert!(addr.ip().is_loopback());
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let started = Instant::now();
    let outcome = actix_web::rt::time::timeout(
        Duration::from_secs(9),
        actix_web::rt::task::spawn_blocking(move || {
            let ask = |request: &String| {
                let (status, headers) = crate::support::exchange(addr, request.as_bytes());
                summary(status, headers)
            };
            let [preflight, actual] = requests();
            let a = [ask(&preflight), ask(&actual)];
            if reloader.reload(&version_b()).is_err() {
                return vec!["version B refused".to_owned()];
            }
            let b = [ask(&preflight), ask(&actual)];
            let mut failures = Vec::new();
            if a[0] == b[0] || a[1] == b[1] || !a[0].starts_with("204") {
                failures.push(format!("the versions do not differ: {a:?} {b:?}"));
            }
            // Reloads back and forth on another thread while requests run.
            let stop = Arc::new(AtomicBool::new(false));
            let flipper = {
                let stop = Arc::clone(&stop);
                let reloader = reloader.clone();
                std::thread::spawn(move || {
                    let mut reloads = 0u32;
                    while !stop.load(Ordering::Relaxed) {
                        let config = if reloads.is_multiple_of(2) {
                            version_a()
                        } else {
                            version_b()
                        };
                        if reloader.reload(&config).is_err() {
                            return None;
                        }
                        reloads += 1;
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Some(reloads)
                })
            };
            let mut seen = [[0u32; 2]; 2];
            for i in 0..300 {
                let kind = i % 2;
                let request = if kind == 0 { &preflight } else { &actual };
                let answer = ask(request);
                if answer == a[kind] {
                    seen[kind][0] += 1;
                } else if answer == b[kind] {
                    seen[kind][1] += 1;
                } else {
                    failures.push(format!("request {i}: neither version's answer: {answer}"));
                }
            }
            stop.store(true, Ordering::Relaxed);
            match flipper.join() {
                Ok(Some(reloads)) if reloads > 0 => {}
                other => failures.push(format!("the reloads failed: {other:?}")),
            }
            eprintln!(
                "answers by version (A, B): preflights {:?}, actual {:?}",
                seen[0], seen[1]
            );
            failures
        }),
    )
    .await;
    handle.stop(true).await;
    let failures = outcome
        .expect("the exchanges take less than 9 s")
        .expect("the blocking task runs");
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}
