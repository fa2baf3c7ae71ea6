//! Origins from the environment and from configuration files (`env("VAR")`, `config("key")`),
//! checked when the app starts by the same checks as the attribute. The start-up messages are
//! snapshotted in `tests/startup/*.txt`, like the compile errors: regenerate them with
//! `CORS_SNAPSHOTS=overwrite cargo test -p cors-tests --test it configured_origins` and read
//! the diff.
//!
//! Environment variables are the process's: every test uses variables and policies of its own,
//! since tests run in parallel and a named policy reads its variables once per process.

use actix_web::test as actix_test;
use actix_web::{get, App, HttpResponse};
use cors_runtime::{cors, policy, ConfiguredOrigins, NamedPolicy};

use crate::snapshot::snapshot;

fn set(var: &str, value: &str) {
    // Edition 2021: `set_var` is safe to call; each test owns its variables.
    std::env::set_var(var, value);
}

#[policy(origins = env("CFG_TEST_GOOD"), credentials)]
struct Good;

#[get("/items")]
async fn items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_good_value() {
    set(
        "CFG_TEST_GOOD",
        "https://app.example.com, https://*.partner.example.org http://localhost:*",
    );
    let cors = Good::try_cors().expect("a good value");
    let app = actix_test::init_service(App::new().wrap(cors).service(items)).await;
    for (origin, expected) in [
        ("https://app.example.com", true),
        ("https://a.partner.example.org", true),
        ("http://localhost:5173", true),
        ("https://evil.example.net", false),
        ("https://partner.example.org", false),
    ] {
        let req = actix_test::TestRequest::get()
            .uri("/items")
            .insert_header(("Origin", origin))
            .to_request();
        let res = actix_test::call_service(&app, req).await;
        let got = res
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        assert_eq!(got.as_deref(), expected.then_some(origin), "{origin}");
    }
}

#[policy(origins = env("CFG_TEST_BAD"), credentials)]
struct Bad;

#[test]
fn every_kind_of_bad_value_at_once() {
    set(
        "CFG_TEST_BAD",
        "https://app.example.com/, null, HTTPS://App.example.com, http://evil.example.net, \
         https://*.github.io, https://app.example.com:443, https://a.example.com https://a.example.com, *",
    );
    let error = Bad::try_cors().expect_err("bad values");
    snapshot("every_kind_of_bad_value", &error.to_string());
}

#[policy(origins = env("CFG_TEST_UNSET"))]
struct Unset;

#[policy(origins = env("CFG_TEST_EMPTY"))]
struct Empty;

#[policy(origins = ["https://app.example.com", env("CFG_TEST_EMPTY_EXTRA")])]
struct EmptyExtra;

#[policy(origins = ["https://app.example.com", env("CFG_TEST_DEFAULTED", default = "")])]
struct Defaulted;

#[test]
fn unset_and_empty_variables() {
    let error = Unset::try_cors().expect_err("unset");
    snapshot("unset_variable", &error.to_string());
    set("CFG_TEST_EMPTY", " ,, ");
    let error = Empty::try_cors().expect_err("empty and nothing else");
    snapshot("empty_variable_and_no_literal", &error.to_string());
    set("CFG_TEST_EMPTY_EXTRA", "");
    assert!(EmptyExtra::try_cors().is_ok(), "empty adds nothing");
    assert!(
        Defaulted::try_cors().is_ok(),
        "the default states what unset means"
    );
}

#[policy(origins = ["https://app.example.com", env("CFG_TEST_MIX")], credentials)]
struct Mixed;

#[test]
fn literals_and_configured_origins_are_checked_together() {
    set(
        "CFG_TEST_MIX",
        "https://app.example.com, http://staging.example.com",
    );
    let error = Mixed::try_cors().expect_err("duplicate and insecure");
    snapshot("literals_and_configured", &error.to_string());
}

#[policy(origins = config("cors.origins"), credentials, allow_headers = ["Content-Type"])]
struct FromConfig;

#[derive(serde::Deserialize)]
struct Settings {
    cors: CorsSettings,
}

#[derive(serde::Deserialize)]
struct CorsSettings {
    origins: ConfiguredOrigins,
}

#[actix_web::test]
async fn from_a_toml_or_json_file() {
    let toml_settings: Settings = toml::from_str(
        "[cors]\norigins = [\"https://app.example.com\", \"https://admin.example.com\"]\n",
    )
    .expect("toml");
    let json_settings: Settings = serde_json::from_str(
        r#"{"cors": {"origins": "https://app.example.com https://admin.example.com"}}"#,
    )
    .expect("json");
    assert_eq!(toml_settings.cors.origins, json_settings.cors.origins);
    assert_eq!(
        serde_json::to_string(&json_settings.cors.origins).expect("serializes"),
        r#"["https://app.example.com","https://admin.example.com"]"#
    );
    let cors = FromConfig::with_origins(&toml_settings.cors.origins).expect("good origins");
    let app = actix_test::init_service(App::new().wrap(cors).service(items)).await;
    let req = actix_test::TestRequest::get()
        .uri("/items")
        .insert_header(("Origin", "https://admin.example.com"))
        .to_request();
    let res = actix_test::call_service(&app, req).await;
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"https://admin.example.com"[..])
    );

    let bad: Settings =
        toml::from_str("[cors]\norigins = \"https://app.example.com/ null\"\n").expect("toml");
    let error =
        FromConfig::with_origins(&bad.cors.origins.with_key("cors.origins in settings.toml"))
            .expect_err("bad origins");
    snapshot("configuration_file", &error.to_string());
    let error = FromConfig::try_cors().expect_err("not handed over");
    snapshot("configuration_not_handed_over", &error.to_string());
}

/// A handler's own policy with origins from the environment, read when the app is built.
#[cors(origins = ["https://app.example.com", env("CFG_TEST_HANDLER")])]
#[get("/handler")]
async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_handler_reads_its_variables_when_the_app_is_built() {
    set("CFG_TEST_HANDLER", "https://extra.example.com");
    let app = actix_test::init_service(App::new().service(handler)).await;
    for origin in ["https://app.example.com", "https://extra.example.com"] {
        let req = actix_test::TestRequest::get()
            .uri("/handler")
            .insert_header(("Origin", origin))
            .to_request();
        let res = actix_test::call_service(&app, req).await;
        assert_eq!(
            res.headers()
                .get("access-control-allow-origin")
                .map(|v| v.as_bytes()),
            Some(origin.as_bytes()),
            "{origin}"
        );
    }
}

#[policy(origins = env("CFG_TEST_BORROWED"))]
struct Borrowed;

/// A handler that takes a named policy whose origins come from the environment.
#[cors(policy = Borrowed)]
#[get("/borrowed")]
async fn borrowed() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_handler_takes_a_named_policy_with_configured_origins() {
    set("CFG_TEST_BORROWED", "https://borrowed.example.com");
    let app = actix_test::init_service(App::new().service(borrowed)).await;
    for (origin, granted) in [
        ("https://borrowed.example.com", true),
        ("https://app.example.com", false),
    ] {
        let req = actix_test::TestRequest::get()
            .uri("/borrowed")
            .insert_header(("Origin", origin))
            .to_request();
        let res = actix_test::call_service(&app, req).await;
        assert_eq!(
            res.headers()
                .get("access-control-allow-origin")
                .map(|v| v.as_bytes()),
            granted.then_some(origin.as_bytes()),
            "{origin}"
        );
    }
}

#[policy(origins = ["https://app.example.com", env("CFG_TEST_LISTED")])]
struct Listed;

#[actix_web::test]
async fn the_listing_marks_origins_read_at_start_up() {
    set("CFG_TEST_LISTED", "https://extra.example.com");
    let cors = Listed::try_cors().expect("valid");
    let listing = cors_runtime::Listing::of_app(App::new().wrap(cors).service(items))
        .await
        .expect("a listing");
    let text = listing.to_string();
    assert!(
        text.contains("https://app.example.com, https://extra.example.com (env CFG_TEST_LISTED)"),
        "{text}"
    );
}

#[policy(
    origins = [
        env("CFG_TEST_PASTED_JSON"),
        env("CFG_TEST_PASTED_YAML"),
        env("CFG_TEST_PASTED_QUOTED"),
        env("CFG_TEST_PASTED_SEMICOLONS"),
        env("CFG_TEST_PASTED_BOM"),
        env("CFG_TEST_NO_FIX"),
    ],
    credentials
)]
struct Pasted;

#[test]
fn every_refused_value_says_how_to_fix_it() {
    set(
        "CFG_TEST_PASTED_JSON",
        r#"["https://a.example.com","https://b.example.com"]"#,
    );
    set(
        "CFG_TEST_PASTED_YAML",
        "- https://c.example.com\n- https://d.example.com\n",
    );
    set("CFG_TEST_PASTED_QUOTED", r#""https://e.example.com""#);
    set(
        "CFG_TEST_PASTED_SEMICOLONS",
        "https://f.example.com;https://g.example.com",
    );
    set("CFG_TEST_PASTED_BOM", "\u{feff}https://h.example.com");
    set(
        "CFG_TEST_NO_FIX",
        "null file:///home/me/index.html http://localhost:0 http://127.1:3000 https:// \
         chrome-extension://abcdefghijklmnop",
    );
    let error = Pasted::try_cors().expect_err("bad values");
    let text = error.to_string();
    snapshot("every_refused_value_says_how_to_fix_it", &text);
    for finding in error.findings() {
        assert!(finding.help().is_some(), "no help line: {finding}");
    }
    assert!(
        !text.contains('\u{feff}'),
        "an invisible character printed raw"
    );
    assert!(
        !text.contains("https://-"),
        "a list marker taken for a host"
    );
}

#[policy(origins = config("cors.origins"), allow_headers = ["Content-Type"])]
struct Handed;

/// A handler that borrows a named policy whose origins come from the configuration.
#[cors(policy = Handed)]
#[get("/handed")]
async fn handed() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_handler_borrowing_a_configured_policy_uses_the_origins_handed_over() {
    let origins = ConfiguredOrigins::new(["https://handed.example.com"]);
    Handed::with_origins(&origins).expect("good origins");
    let app = actix_test::init_service(App::new().service(handed)).await;
    {
        for (origin, granted) in [
            ("https://handed.example.com", true),
            ("https://other.example.com", false),
        ] {
            let req = actix_test::TestRequest::get()
                .uri("/handed")
                .insert_header(("Origin", origin))
                .to_request();
            let res = actix_test::call_service(&app, req).await;
            assert_eq!(
                res.headers()
                    .get("access-control-allow-origin")
                    .map(|v| v.as_bytes()),
                granted.then_some(origin.as_bytes()),
                "{origin}"
            );
        }
    }
}

#[policy(origins = config("cors.origins"))]
struct NeverHanded;

#[cors(policy = NeverHanded)]
#[get("/never-handed")]
async fn never_handed() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// Set in the child process the test below runs.
const CHILD: &str = "CFG_TEST_CHILD_NEVER_HANDED";

#[actix_web::test]
async fn a_configured_policy_never_handed_over_stops_saying_what_is_missing() {
    if std::env::var_os(CHILD).is_some() {
        // The child: building the app stops the process.
        let _ = actix_test::init_service(App::new().service(never_handed)).await;
        return;
    }
    // The test's name in the harness: its module path without the crate's name.
    let name = concat!(
        module_path!(),
        "::a_configured_policy_never_handed_over_stops_saying_what_is_missing"
    );
    let name = name.split_once("::").map_or(name, |(_, name)| name);
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .expect("the child runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "error: `NeverHanded` takes its origins from configuration key `cors.origins`, and none were handed to it",
        "handlers with `#[cors(policy = NeverHanded)]` use the policy its last successful call returned",
        "help: in `main`, before the app is built, call `NeverHanded::with_origins(&origins)`",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
}

#[policy(origins = ["https://app.example.com", env("CFG_TEST_EXPLICIT")], credentials)]
struct Explicit;

#[actix_web::test]
async fn several_values_of_one_variable_are_tried_in_one_process() {
    // Good values, each given as a different kind of lookup.
    let map: std::collections::HashMap<&str, &str> =
        [("CFG_TEST_EXPLICIT", "https://one.example.com")].into();
    let one = Explicit::resolve_with(&map, None).expect("a map");
    let two = Explicit::resolve_with(
        |var: &str| (var == "CFG_TEST_EXPLICIT").then(|| "https://two.example.com".to_owned()),
        None,
    )
    .expect("a closure");
    for (cors, allowed, refused) in [
        (one, "https://one.example.com", "https://two.example.com"),
        (two, "https://two.example.com", "https://one.example.com"),
    ] {
        let app = actix_test::init_service(App::new().wrap(cors).service(items)).await;
        for (origin, granted) in [
            ("https://app.example.com", true),
            (allowed, true),
            (refused, false),
        ] {
            let req = actix_test::TestRequest::get()
                .uri("/items")
                .insert_header(("Origin", origin))
                .to_request();
            let res = actix_test::call_service(&app, req).await;
            assert_eq!(
                res.headers()
                    .get("access-control-allow-origin")
                    .map(|v| v.as_bytes()),
                granted.then_some(origin.as_bytes()),
                "{origin}"
            );
        }
    }
    // Bad values and none.
    let error = Explicit::resolve_with([("CFG_TEST_EXPLICIT", "http://evil.example.net")], None)
        .expect_err("insecure with credentials");
    assert!(
        error
            .to_string()
            .contains("--> entry 1 of environment variable `CFG_TEST_EXPLICIT`"),
        "{error}"
    );
    let error = Explicit::resolve_with(Vec::<(String, String)>::new(), None).expect_err("unset");
    assert!(
        error
            .to_string()
            .contains("environment variable `CFG_TEST_EXPLICIT` is not set"),
        "{error}"
    );
    // The process environment is not read.
    set("CFG_TEST_EXPLICIT", "https://process.example.com");
    let error = Explicit::resolve_with(|_: &str| None, None).expect_err("unset in the lookup");
    assert_eq!(error.findings().len(), 1, "{error}");
}

#[policy(origins = env("CFG_TEST_NOT_UTF8"))]
struct NotUtf8;

#[policy(origins = env("CFG_TEST_NOT_UTF8_DEFAULTED", default = "*"))]
struct NotUtf8Defaulted;

#[test]
fn a_value_that_is_not_utf8_is_refused_and_never_replaced_by_the_default() {
    use std::os::unix::ffi::OsStrExt;
    let value = std::ffi::OsStr::from_bytes(b"https://app.example.com,https://b\xffd.example.com");
    std::env::set_var("CFG_TEST_NOT_UTF8", value);
    std::env::set_var("CFG_TEST_NOT_UTF8_DEFAULTED", value);
    let error = NotUtf8::try_cors().expect_err("not UTF-8");
    snapshot("value_not_utf8", &error.to_string());
    let error = NotUtf8Defaulted::try_cors().expect_err("not replaced by the default");
    snapshot("value_not_utf8_with_a_default", &error.to_string());
}

#[policy(origins = env("CFG_TEST_LARGE"))]
struct Large;

/// 10,000 exact origins and 10,000 patterns, each exact origin the base domain of a pattern (so
/// every one is looked up against patterns of its host), checked and laid out as the app starts.
/// Timed in release builds only: `cargo test --release -p cors-tests --test it
/// configured_origins::a_large -- --nocapture`.
#[test]
fn a_large_list_starts_fast() {
    let mut value = String::new();
    for i in 0..10_000 {
        value.push_str(&format!(
            "https://t{i}.example.com,https://*.t{i}.example.com,"
        ));
    }
    // The best of three runs: a loaded machine slows some runs down, never speeds one up.
    let mut elapsed = std::time::Duration::MAX;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let cors = Large::resolve_with([("CFG_TEST_LARGE", value.as_str())], None);
        elapsed = elapsed.min(started.elapsed());
        assert!(
            cors.is_ok(),
            "valid: {:?}",
            cors.err().map(|e| e.findings().len())
        );
    }
    println!("10,000 exact origins and 10,000 patterns resolved in {elapsed:?} (best of 3)");
    // A generous bound (the target is 50 ms), asserted where timing means something.
    #[cfg(not(debug_assertions))]
    assert!(
        elapsed < std::time::Duration::from_millis(250),
        "start-up took {elapsed:?}"
    );
}
