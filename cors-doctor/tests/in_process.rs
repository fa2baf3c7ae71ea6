//! `cors_doctor::test` against real apps built with `#[cors]` and `#[policy]`, in process, and
//! the same apps served on loopback to the `cors-doctor` binary: the verdicts agree case for
//! case.

mod support;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{delete, get, put, test, web, App, HttpResponse};
use cors_doctor::test::Page;
use cors_doctor::Verdict;
use cors_runtime::{cors, policy};
use support::{doctor, serve};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";

/// The app's policy, for the whole app.
#[policy(
    origins = ["https://app.example.com"],
    credentials,
    methods = ["PUT", "DELETE"],
    allow_headers = ["Content-Type"],
    expose_headers = ["X-Request-Id"],
    max_age = 600,
)]
struct Api;

#[get("/api/me")]
async fn me() -> HttpResponse {
    HttpResponse::Ok().body("me")
}

#[put("/api/items/{id}")]
async fn put_item(id: web::Path<u32>, body: web::Json<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("X-Request-Id", "7"))
        .insert_header(("X-Internal", "1"))
        .json(serde_json::json!({ "id": *id, "item": body.into_inner() }))
}

#[delete("/api/items/{id}")]
async fn delete_item() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// A public route with its own policy.
#[cors(origins = ["*"])]
#[get("/public")]
async fn public() -> HttpResponse {
    HttpResponse::Ok().body("public")
}

fn app() -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().service(public).service(
        web::scope("")
            .wrap(Api)
            .service(me)
            .service(put_item)
            .service(delete_item),
    )
}

#[actix_web::test]
async fn a_page_on_the_app_can_send_a_credentialed_json_put_and_read_the_request_id() {
    let app = test::init_service(app()).await;
    let report = Page::new(APP)
        .fetch("PUT", "/api/items/1")
        .credentials()
        .json(r#"{"name":"x"}"#)
        .assert_readable(&app, &["X-Request-Id"])
        .await;
    // Preflighted (PUT, application/json), then sent with its body.
    assert_eq!(report.steps.len(), 2);
    assert_eq!(report.steps[1].answer.as_ref().map(|a| a.status), Some(200));
}

#[actix_web::test]
async fn a_page_on_another_site_cannot_read_me() {
    let app = test::init_service(app()).await;
    let report = Page::new(EVIL)
        .fetch("GET", "/api/me")
        .credentials()
        .assert_blocked(&app)
        .await;
    assert_eq!(
        report.failed_check.map(|c| c.id()),
        Some("allow-origin-present")
    );
}

#[actix_web::test]
async fn the_failure_message_is_the_doctors_diagnosis() {
    let app = test::init_service(app()).await;
    let page = Page::new(APP);
    let internal = page
        .fetch("PUT", "/api/items/1")
        .credentials()
        .json("{}")
        .report(&app)
        .await;
    assert!(internal.is_ok_and(|r| r.verdict == Verdict::Allowed));
    // X-Internal is not exposed: the assertion fails with the diagnosis.
    let hidden = page.fetch("PUT", "/api/items/1").credentials().json("{}");
    let failure = std::panic::AssertUnwindSafe(hidden.assert_readable(&app, &["X-Internal"]));
    let outcome = futures_catch(failure).await;
    let message = outcome.unwrap_or_default();
    assert!(
        message.contains("cannot read X-Internal")
            && message.contains("2. Preflight")
            && message.contains("Verdict: ALLOWED"),
        "{message}"
    );
    // A header the policy does not allow: blocked, with the narrowed cause.
    let report = page
        .fetch("PUT", "/api/items/1")
        .header("X-Custom", "1")
        .assert_blocked(&app)
        .await;
    assert_eq!(report.refusal.map(|r| r.id.id()), Some("headers-refused"));
}

/// Polls `future` to completion inside the current runtime and returns its panic message.
async fn futures_catch<F: std::future::Future>(
    future: std::panic::AssertUnwindSafe<F>,
) -> Option<String> {
    let mut future = Box::pin(future.0);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Ok(std::task::Poll::Ready(_)) => std::task::Poll::Ready(None),
            Err(panic) => std::task::Poll::Ready(Some(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
            )),
        }
    })
    .await
}

/// (origin, method, path, headers, credentials, JSON body)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    bool,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (APP, "GET", "/api/me", &[], true, None),
    (EVIL, "GET", "/api/me", &[], true, None),
    (APP, "PUT", "/api/items/1", &[], true, Some(r#"{"a":1}"#)),
    (APP, "PUT", "/api/items/1", &[], true, Some("not json")),
    (EVIL, "PUT", "/api/items/1", &[], false, Some("{}")),
    (
        APP,
        "PUT",
        "/api/items/1",
        &[("X-Custom", "1")],
        false,
        None,
    ),
    (APP, "DELETE", "/api/items/1", &[], true, None),
    (APP, "PATCH", "/api/items/1", &[], false, None),
    (EVIL, "GET", "/public", &[], false, None),
    (APP, "GET", "/public", &[], true, None),
    (APP, "GET", "/nowhere", &[], false, None),
];

#[actix_web::test]
async fn the_in_process_verdict_equals_the_command_lines_case_for_case() {
    let addr = serve(app);
    let server = format!("http://{addr}");
    let service = test::init_service(app()).await;
    let mut differences = Vec::new();
    for (origin, method, path, headers, credentials, body) in CASES {
        let mut fetch = Page::new(origin).server(&server).fetch(method, path);
        let mut args = vec![
            format!("{server}{path}"),
            "--origin".into(),
            (*origin).into(),
            "-X".into(),
            (*method).into(),
        ];
        for (name, value) in *headers {
            fetch = fetch.header(name, value);
            args.extend(["-H".into(), format!("{name}: {value}")]);
        }
        if *credentials {
            fetch = fetch.credentials();
            args.push("--credentials".into());
        }
        if let Some(body) = body {
            fetch = fetch.json(body);
            args.extend([
                "--data".into(),
                (*body).into(),
                "--content-type".into(),
                "application/json".into(),
            ]);
        }
        let in_process = match fetch.report(&service).await {
            Ok(r) => (
                serde_json::to_value(r.verdict).unwrap_or_default(),
                serde_json::to_value(r.failed_check).unwrap_or_default(),
                serde_json::to_value(r.refusal.map(|r| r.id)).unwrap_or_default(),
                r.warnings
                    .iter()
                    .map(|w| w.id.id().to_owned())
                    .collect::<Vec<_>>(),
            ),
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = doctor(&args);
        let cli = (
            run.report["verdict"].clone(),
            run.report["failed_check"].clone(),
            run.report["refusal"]["id"].clone(),
            run.warnings()
                .iter()
                .map(|w| (*w).to_owned())
                .collect::<Vec<_>>(),
        );
        println!("{origin} {method} {path}: in process {in_process:?}, command line {cli:?}");
        if in_process != cli {
            differences.push(format!(
                "{origin} {method} {path}: in process {in_process:?}, command line {cli:?}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
