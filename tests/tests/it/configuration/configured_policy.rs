//! A whole policy from the application's settings or the environment (`PolicyConfig`, turned
//! into the middleware by `Cors::from_config`): TOML, JSON and environment forms, checked by the
//! same rules as the attribute over the combination of every key, answering exactly as the same
//! policy written in `#[policy(...)]`, and listed with where each value came from.
//!
//! Start-up messages are snapshotted in `tests/startup/*.txt`: regenerate them with
//! `CORS_SNAPSHOTS=overwrite cargo test -p cors-tests --test it configured_policy` and read
//! the diff. Environment forms use explicit lookups (`from_env_with`); the tests that need the
//! process environment use variables of their own.

use actix_web::http::Method;
use actix_web::test as actix_test;
use actix_web::{web, App, HttpResponse};
use cors_runtime::Source;
use cors_runtime::{policy, Cors, NamedPolicy, PolicyConfig};

use crate::snapshot::snapshot;

#[derive(serde::Deserialize)]
struct Settings {
    cors: PolicyConfig,
}

fn from_toml(text: &str) -> PolicyConfig {
    toml::from_str::<Settings>(text).expect("toml").cors
}

/// The policy every form below configures, written in the attribute.
#[policy(
    origins = ["https://app.example.com", "https://*.app.example.com"],
    credentials,
    methods = ["PUT", "DELETE"],
    allow_headers = ["Content-Type", "X-Api-Key"],
    expose_headers = ["X-Request-Id"],
    max_age = 600
)]
struct Literal;

const TOML: &str = r#"
[cors]
origins = ["https://app.example.com", "https://*.app.example.com"]
credentials = true
methods = ["PUT", "DELETE"]
allow_headers = ["Content-Type", "X-Api-Key"]
expose_headers = ["X-Request-Id"]
max_age = 600
"#;

/// Strings everywhere, as the `config` crate hands over values read from the environment.
const JSON: &str = r#"{"cors": {
    "origins": "https://app.example.com https://*.app.example.com",
    "credentials": "true",
    "methods": "PUT,DELETE",
    "allow_headers": "Content-Type, X-Api-Key",
    "expose_headers": "X-Request-Id",
    "max_age": "600"
}}"#;

const ENV: [(&str, &str); 6] = [
    (
        "APP_CORS_ORIGINS",
        "https://app.example.com,https://*.app.example.com",
    ),
    ("APP_CORS_CREDENTIALS", "true"),
    ("APP_CORS_METHODS", "PUT,DELETE"),
    ("APP_CORS_ALLOW_HEADERS", "Content-Type,X-Api-Key"),
    ("APP_CORS_EXPOSE_HEADERS", "X-Request-Id"),
    ("APP_CORS_MAX_AGE", "600"),
];

/// A request of the table: method, origin, and for preflights the requested method and headers.
type Case = (
    Method,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    // Preflights: granted, and refused for each reason.
    (
        Method::OPTIONS,
        Some("https://app.example.com"),
        Some("PUT"),
        Some("content-type,x-api-key"),
    ),
    (
        Method::OPTIONS,
        Some("https://eu.app.example.com"),
        Some("DELETE"),
        None,
    ),
    (
        Method::OPTIONS,
        Some("https://app.example.com"),
        Some("GET"),
        None,
    ),
    (
        Method::OPTIONS,
        Some("https://app.example.com"),
        Some("PATCH"),
        None,
    ),
    (
        Method::OPTIONS,
        Some("https://app.example.com"),
        Some("PUT"),
        Some("x-other"),
    ),
    (
        Method::OPTIONS,
        Some("https://app.example.com"),
        Some("PUT"),
        Some("authorization"),
    ),
    (
        Method::OPTIONS,
        Some("https://evil.example.net"),
        Some("PUT"),
        None,
    ),
    (
        Method::OPTIONS,
        Some("https://app.example.com.evil.net"),
        Some("PUT"),
        None,
    ),
    (Method::OPTIONS, Some("null"), Some("PUT"), None),
    // Not a preflight: no `Access-Control-Request-Method`.
    (Method::OPTIONS, Some("https://app.example.com"), None, None),
    // Actual requests.
    (Method::GET, Some("https://app.example.com"), None, None),
    (Method::GET, Some("https://a.b.app.example.com"), None, None),
    (Method::POST, Some("https://app.example.com"), None, None),
    (Method::PUT, Some("https://app.example.com"), None, None),
    (Method::GET, Some("https://evil.example.net"), None, None),
    (Method::GET, None, None, None),
];

/// Status and every response header, sorted, for each request of [`CASES`] sent to an app
/// wrapped in `cors`.
async fn answers(cors: Cors) -> Vec<String> {
    let app = actix_test::init_service(App::new().wrap(cors).route(
        "/items",
        web::route().to(|| async {
            HttpResponse::Ok()
                .insert_header(("X-Request-Id", "1"))
                .finish()
        }),
    ))
    .await;
    let mut out = Vec::new();
    for (method, origin, acrm, acrh) in CASES {
        let mut req = actix_test::TestRequest::default()
            .method(method.clone())
            .uri("/items");
        if let Some(origin) = origin {
            req = req.insert_header(("Origin", *origin));
        }
        if let Some(acrm) = acrm {
            req = req.insert_header(("Access-Control-Request-Method", *acrm));
        }
        if let Some(acrh) = acrh {
            req = req.insert_header(("Access-Control-Request-Headers", *acrh));
        }
        let res = actix_test::call_service(&app, req.to_request()).await;
        let mut headers: Vec<String> = res
            .headers()
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("(not text)")))
            .collect();
        headers.sort();
        out.push(format!(
            "{method} {origin:?} {acrm:?} {acrh:?} -> {} [{}]",
            res.status().as_u16(),
            headers.join("; ")
        ));
    }
    out
}

#[actix_web::test]
async fn a_configured_policy_answers_exactly_as_the_same_literal_policy() {
    let literal = answers(Literal::try_cors().expect("valid")).await;
    assert!(
        literal[0].contains("-> 204") && literal[0].contains("access-control-max-age: 600"),
        "the table exercises a grant: {}",
        literal[0]
    );
    let json: Settings = serde_json::from_str(JSON).expect("json");
    for (form, config) in [
        ("toml", from_toml(TOML)),
        ("json, values as strings", json.cors),
        ("env", PolicyConfig::from_env_with("APP_CORS", ENV)),
    ] {
        let cors = Cors::from_config("cors", &config).unwrap_or_else(|e| panic!("{form}: {e}"));
        let configured = answers(cors).await;
        for (literal, configured) in literal.iter().zip(&configured) {
            assert_eq!(literal, configured, "{form}");
        }
        assert_eq!(literal.len(), configured.len());
    }
}

#[test]
fn every_mistake_across_keys_is_reported_at_once() {
    let config = from_toml(
        r#"
        [cors]
        origins = "https://app.example.com/, http://staging.example.com, *"
        credentials = true
        methods = ["PUT", "*", "put"]
        allowed_headers = ["X-Api-Key"]
        allow_headers = ["*", "Cookie"]
        expose_headers = "Set-Cookie"
        max_age = 100000
        "#,
    );
    let error = Cors::from_config("cors", &config).expect_err("many mistakes");
    snapshot("configured_policy_every_key", &error.to_string());
    for finding in error.findings() {
        assert!(finding.help().is_some(), "no help line: {finding}");
    }
}

#[test]
fn the_environment_form_reports_every_bad_value_naming_the_variable() {
    let config = PolicyConfig::from_env_with(
        "APP_CORS",
        [
            ("APP_CORS_ORIGINS", "*"),
            ("APP_CORS_CREDENTIALS", "ja"),
            ("APP_CORS_METHODS", "PUT;DELETE"),
            ("APP_CORS_MAX_AGE", "10m"),
            ("APP_CORS_EXPOSE_HEADERS", "*"),
        ],
    );
    let error = Cors::from_config("cors", &config).expect_err("bad values");
    snapshot("configured_policy_environment", &error.to_string());
    // Credentials that are set and valid make `*` an error, in origins and in headers alike.
    let config = PolicyConfig::from_env_with(
        "APP_CORS",
        [
            ("APP_CORS_ORIGINS", "*"),
            ("APP_CORS_CREDENTIALS", "1"),
            ("APP_CORS_EXPOSE_HEADERS", "*"),
        ],
    );
    let error = Cors::from_config("cors", &config).expect_err("`*` with credentials");
    let rules: Vec<&str> = error.findings().iter().map(|f| f.rule().name()).collect();
    assert_eq!(
        rules,
        [
            "wildcard-credentials",
            "wildcard-credentials",
            "header-wildcard-credentials",
            "header-wildcard-credentials"
        ]
    );
    // Nothing set: the message names the variable to set.
    let error = Cors::from_config(
        "cors",
        &PolicyConfig::from_env_with("APP_CORS", |_: &str| None),
    )
    .expect_err("no origins");
    assert!(
        error
            .to_string()
            .contains("error: environment variable `APP_CORS_ORIGINS` is not set"),
        "{error}"
    );
}

#[test]
fn the_environment_form_reads_the_process_environment() {
    use std::os::unix::ffi::OsStrExt;
    // Edition 2021: `set_var` is safe to call; these variables are this test's own.
    std::env::set_var(
        "CFGP_TEST_PROCESS_ORIGINS",
        std::ffi::OsStr::from_bytes(b"https://app.example.com,https://b\xffd.example.com"),
    );
    std::env::set_var("CFGP_TEST_PROCESS_ALLOWED_METHODS", "PUT");
    std::env::set_var("CFGP_TEST_PROCESS_MAX_AGE", "600");
    let error = Cors::from_config("cors", &PolicyConfig::from_env("CFGP_TEST_PROCESS"))
        .expect_err("not UTF-8, and a misspelt variable");
    let text = error.to_string();
    assert_eq!(error.findings().len(), 2, "{text}");
    for expected in [
        "error: `allowed_methods` is not a key of a CORS policy\n  --> environment variable `CFGP_TEST_PROCESS_ALLOWED_METHODS`",
        "help: did you mean environment variable `CFGP_TEST_PROCESS_METHODS`?",
        "error: environment variable `CFGP_TEST_PROCESS_ORIGINS` is set, but its value is not UTF-8",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    std::env::remove_var("CFGP_TEST_PROCESS_ALLOWED_METHODS");
    std::env::set_var("CFGP_TEST_PROCESS_ORIGINS", "https://app.example.com");
    assert!(Cors::from_config("cors", &PolicyConfig::from_env("CFGP_TEST_PROCESS")).is_ok());
}

#[actix_web::test]
async fn the_listing_says_where_every_configured_value_came_from() {
    let config = from_toml(
        r#"
        [cors]
        origins = ["https://app.example.com"]
        methods = ["PUT"]
        allow_headers = ["Content-Type"]
        "#,
    )
    .with_env_overrides_from(
        "APP_CORS",
        [
            ("APP_CORS_MAX_AGE", "600"),
            ("APP_CORS_CREDENTIALS", "true"),
        ],
    );
    let cors = Cors::from_config("server.cors", &config).expect("valid");
    let listing = cors_runtime::Listing::of_app(App::new().wrap(cors))
        .await
        .expect("a listing");
    let row = &listing.policies[0];
    let sources = &row.policy.sources;
    assert_eq!(
        sources.methods,
        Source::Config("server.cors.methods".into())
    );
    assert_eq!(
        sources.credentials,
        Source::Env("APP_CORS_CREDENTIALS".into())
    );
    assert_eq!(sources.max_age, Source::Env("APP_CORS_MAX_AGE".into()));
    assert_eq!(sources.expose_headers, Source::Default);
    assert_eq!(
        row.policy.origins[0].source,
        Source::Config("server.cors.origins".into())
    );
    let text = listing.to_string();
    for expected in [
        "https://app.example.com (config server.cors.origins)",
        "PUT, GET, HEAD, POST (config server.cors.methods)",
        "yes (env APP_CORS_CREDENTIALS)",
        "content-type (config server.cors.allow_headers)",
        "600 (env APP_CORS_MAX_AGE)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }
    let json = serde_json::to_value(&listing).expect("serializes");
    assert_eq!(
        json[0]["sources"]["max_age"],
        serde_json::json!({"env": "APP_CORS_MAX_AGE"})
    );
    assert_eq!(json[0]["sources"]["expose_headers"], "default");
    // A literal policy lists every key as written.
    let listing = cors_runtime::Listing::of_app(App::new().wrap(Literal))
        .await
        .expect("a listing");
    assert_eq!(listing.policies[0].policy.sources.max_age, Source::Literal);
}

/// Blockscout's launcher: a switch and the policy side by side in the service's settings, from a
/// file or the `config` crate (which hands environment values over as strings).
#[actix_web::test]
async fn a_switch_beside_the_policy_in_the_settings() {
    #[derive(serde::Deserialize)]
    struct CorsSettings {
        #[serde(default)]
        enabled: bool,
        #[serde(flatten)]
        policy: PolicyConfig,
    }
    #[derive(serde::Deserialize)]
    struct Settings {
        cors: CorsSettings,
    }
    let settings: Settings = serde_json::from_str(
        r#"{"cors": {"enabled": true, "origins": "*", "methods": "PUT, DELETE", "credentials": "false", "max_age": "3600"}}"#,
    )
    .expect("json");
    let cors = Cors::from_config("server.http.cors", &settings.cors.policy).expect("valid");
    let app = actix_test::init_service(
        App::new()
            .wrap(actix_web::middleware::Condition::new(
                settings.cors.enabled,
                cors,
            ))
            .route("/items", web::get().to(HttpResponse::Ok)),
    )
    .await;
    let req = actix_test::TestRequest::get()
        .uri("/items")
        .insert_header(("Origin", "https://anyone.example.net"))
        .to_request();
    let res = actix_test::call_service(&app, req).await;
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
}

#[test]
fn warnings_do_not_stop_a_configured_policy() {
    let config = from_toml("[cors]\norigins = [\"https://app.example.com\"]\nmax_age = 86400\n");
    let warnings = config.check("cors").expect("a warning only");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].rule().name(), "max-age-cap");
    assert!(Cors::from_config("cors", &config).is_ok());
}

#[test]
fn a_file_that_is_not_a_policy_fails_to_read() {
    assert!(toml::from_str::<Settings>("cors = 5").is_err());
    let twice = serde_json::from_str::<Settings>(
        r#"{"cors": {"origins": "https://a.example.com", "origins": "https://b.example.com"}}"#,
    );
    assert!(twice.is_err(), "a key given twice");
    // Values of the wrong kind are read, and reported with the others.
    let config = from_toml("[cors]\norigins = 5\nmethods = [1, 2]\nmax_age = 1.5\n");
    let error = Cors::from_config("cors", &config).expect_err("wrong kinds");
    let places: Vec<String> = error.findings().iter().map(|f| f.location()).collect();
    assert_eq!(
        places,
        [
            "configuration key `cors.origins`",
            "configuration key `cors.methods`",
            "configuration key `cors.max_age`"
        ]
    );
}

/// The echo of requested headers, for credentialed policies whose pages send headers nobody can
/// list in advance, comes from configuration like every other key.
#[actix_web::test]
async fn the_echo_of_requested_headers_comes_from_configuration_too() {
    let config = from_toml(
        r#"
        [cors]
        origins = ["https://app.example.com"]
        credentials = true
        methods = "PUT"
        dangerously_echo_request_headers = true
        "#,
    );
    let cors = Cors::from_config("cors", &config).expect("a valid policy");
    let app = actix_test::init_service(
        App::new()
            .wrap(cors)
            .route("/logs", web::put().to(HttpResponse::Ok)),
    )
    .await;
    let req = actix_test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/logs")
        .insert_header(("Origin", "https://app.example.com"))
        .insert_header(("Access-Control-Request-Method", "PUT"))
        .insert_header((
            "Access-Control-Request-Headers",
            "x-p-meta-stream,x-p-meta-tag",
        ))
        .to_request();
    let res = actix_test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()
            .get("access-control-allow-headers")
            .map(|v| v.as_bytes()),
        Some(&b"x-p-meta-stream,x-p-meta-tag"[..])
    );
    assert_eq!(
        res.headers()
            .get("access-control-allow-credentials")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
}
