//! `cors-doctor` (the binary, with `--json`) against a real actix-web server on loopback:
//! `#[cors]` handlers for a grant and each kind of refusal, and hand-written handlers with the
//! risky grants the doctor must warn about.

mod support;

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, App, HttpRequest, HttpResponse};
use cors_runtime::cors;
use support::{doctor, serve, Run};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

// --- #[cors] handlers -------------------------------------------------------------------------

#[cors(origins = ["https://app.example.com"], credentials, expose_headers = ["X-Request-Id"])]
#[get("/granted")]
async fn granted() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("X-Request-Id", "7"))
        .insert_header(("X-Hidden", "1"))
        .body("granted")
}

#[cors(origins = ["https://app.example.com"], allow_headers = ["Content-Type", "X-Custom"], max_age = 600)]
#[put("/items")]
async fn put_item() -> HttpResponse {
    HttpResponse::Ok().body("put")
}

#[cors(origins = ["https://app.example.com"], credentials, allow_headers = ["Content-Type"])]
#[post("/login")]
async fn login() -> HttpResponse {
    HttpResponse::Ok().body("logged in")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/uncredentialed")]
async fn uncredentialed() -> HttpResponse {
    HttpResponse::Ok().body("no credentials")
}

#[cors(origins = ["*"])]
#[get("/public")]
async fn public() -> HttpResponse {
    HttpResponse::Ok().body("public")
}

#[cors(origins = ["https://app.example.com"], allow_headers = ["*"])]
#[delete("/wild")]
async fn wild() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

// --- Hand-written answers, as other servers give them ----------------------------------------

fn origin_of(req: &HttpRequest) -> String {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Reflects any origin, with credentials and `Vary: Origin` (actix-cors `permissive()`).
async fn reflect(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", origin_of(&req)))
        .insert_header(("Access-Control-Allow-Credentials", "true"))
        .insert_header(("Vary", "Origin"))
        .body("reflected")
}

/// Grants a list that includes `null`, without `Vary`.
async fn null_listed(req: HttpRequest) -> HttpResponse {
    let origin = origin_of(&req);
    let mut res = HttpResponse::Ok();
    if origin == APP || origin == "null" {
        res.insert_header(("Access-Control-Allow-Origin", origin));
    }
    res.body("listed")
}

/// A constant grant with a trailing slash, to everyone (nginx `add_header`).
async fn trailing_slash() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", "https://app.example.com/"))
        .body("slash")
}

/// Two `Access-Control-Allow-Origin` lines (the application and a proxy both add one).
async fn twice() -> HttpResponse {
    HttpResponse::Ok()
        .append_header(("Access-Control-Allow-Origin", APP))
        .append_header(("Access-Control-Allow-Origin", APP))
        .insert_header(("Vary", "Origin"))
        .body("twice")
}

/// Redirects to a trailing-slash URL, with CORS headers.
async fn redirect() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header(("Location", "/redirect/"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .finish()
}

/// The trailing-slash URL the redirect leads to.
async fn redirected() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body("after the redirect")
}

/// nginx with `add_header` inside `if ($request_method = OPTIONS)`: the preflight answer lists
/// methods and headers but lost the inherited `Access-Control-Allow-Origin`; GET has it.
async fn nginx_if_options(req: HttpRequest) -> HttpResponse {
    if req.method() == actix_web::http::Method::OPTIONS {
        return HttpResponse::NoContent()
            .insert_header(("Access-Control-Allow-Methods", "GET, PUT"))
            .insert_header(("Access-Control-Allow-Headers", "Content-Type"))
            .finish();
    }
    let mut res = HttpResponse::Ok();
    res.insert_header(("Vary", "Origin"));
    if origin_of(&req) == APP {
        res.insert_header(("Access-Control-Allow-Origin", APP));
    }
    res.finish()
}

/// Express `cors({origin: [list], credentials: true})`: an unlisted origin gets
/// `Access-Control-Allow-Credentials: true` and no `Access-Control-Allow-Origin`.
async fn express_list(req: HttpRequest) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header(("Vary", "Origin"))
        .insert_header(("Access-Control-Allow-Credentials", "true"));
    if origin_of(&req) == APP {
        res.insert_header(("Access-Control-Allow-Origin", APP));
    }
    res.body("express")
}

/// `Access-Control-Allow-Headers: *` without credentials, for any origin.
async fn wildcard_headers(req: HttpRequest) -> HttpResponse {
    let mut res = if req.method() == actix_web::http::Method::OPTIONS {
        HttpResponse::NoContent()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(("Access-Control-Allow-Origin", "*"))
        .insert_header(("Access-Control-Allow-Headers", "*"))
        .finish()
}

/// Answers 401 without CORS headers unless the session cookie is there.
async fn session_only(req: HttpRequest) -> HttpResponse {
    let signed_in = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split("; ").any(|pair| pair == "sid=s3cret"));
    if !signed_in || origin_of(&req) != APP {
        return HttpResponse::Unauthorized().finish();
    }
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", APP))
        .insert_header(("Access-Control-Allow-Credentials", "true"))
        .insert_header(("Vary", "Origin"))
        .body("me")
}

/// Grants the preflight; validates the JSON body before adding CORS headers to the answer.
async fn validated(req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let grant = |mut res: actix_web::HttpResponseBuilder| {
        res.insert_header(("Access-Control-Allow-Origin", APP))
            .insert_header(("Vary", "Origin"));
        res
    };
    if req.method() == actix_web::http::Method::OPTIONS {
        return grant(HttpResponse::NoContent())
            .insert_header(("Access-Control-Allow-Methods", "POST"))
            .insert_header(("Access-Control-Allow-Headers", "Content-Type"))
            .finish();
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !json || serde_json::from_slice::<serde_json::Value>(&body).is_err() {
        return HttpResponse::BadRequest().body("invalid JSON");
    }
    grant(HttpResponse::Created()).body("created")
}

/// A preflight answer caching for a day, for a listed origin.
async fn long_cache(req: HttpRequest) -> HttpResponse {
    let origin = origin_of(&req);
    let mut res = if req.method() == actix_web::http::Method::OPTIONS {
        HttpResponse::NoContent()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(("Vary", "Origin"));
    if origin == APP {
        res.insert_header(("Access-Control-Allow-Origin", origin))
            .insert_header(("Access-Control-Allow-Methods", "PUT"))
            .insert_header(("Access-Control-Max-Age", "86400"));
    }
    res.finish()
}

fn base() -> String {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| {
        let addr = serve(|| {
            App::new()
                .service(granted)
                .service(put_item)
                .service(login)
                .service(uncredentialed)
                .service(public)
                .service(wild)
                .route("/reflect", web::get().to(reflect))
                .route("/null-listed", web::get().to(null_listed))
                .route("/trailing-slash", web::get().to(trailing_slash))
                .route("/twice", web::get().to(twice))
                .route("/redirect", web::get().to(redirect))
                .route("/session-only", web::get().to(session_only))
                .route("/validated", web::route().to(validated))
                .route("/redirect/", web::get().to(redirected))
                .route("/nginx-if-options", web::route().to(nginx_if_options))
                .route("/express-list", web::get().to(express_list))
                .route("/wildcard-headers", web::route().to(wildcard_headers))
                .route("/long-cache", web::route().to(long_cache))
        });
        format!("http://{addr}")
    })
    .clone()
}

fn run(path: &str, args: &[&str]) -> Run {
    let url = format!("{}{path}", base());
    let mut all = vec![url.as_str()];
    all.extend_from_slice(args);
    doctor(&all)
}

#[track_caller]
fn assert_blocked(r: &Run, step: &str, check: &str) {
    assert_eq!(
        (r.code, r.verdict(), r.failed_step(), r.failed_check()),
        (1, "blocked", Some(step), Some(check)),
        "{:#}\n{}",
        r.report,
        r.stderr
    );
}

#[track_caller]
fn assert_allowed(r: &Run) {
    assert_eq!(
        (r.code, r.verdict(), r.failed_check()),
        (0, "allowed", None),
        "{:#}\n{}",
        r.report,
        r.stderr
    );
}

// --- Grants -----------------------------------------------------------------------------------

#[test]
fn credentialed_simple_get_is_allowed_without_warnings() {
    let r = run("/granted", &["--origin", APP, "--credentials"]);
    assert_allowed(&r);
    assert_eq!(r.warnings(), Vec::<&str>::new());
    assert_eq!(r.report["steps"].as_array().map(Vec::len), Some(1));
    let readable = &r.report["steps"][0]["readable_headers"];
    assert!(
        readable.as_array().is_some_and(
            |h| h.iter().any(|h| h == "x-request-id") && !h.iter().any(|h| h == "x-hidden")
        ),
        "{readable}"
    );
}

#[test]
fn preflighted_put_with_allowed_header_is_allowed() {
    let r = run(
        "/items",
        &[
            "--origin",
            APP,
            "-X",
            "put",
            "-H",
            "X-Custom: 1",
            "-H",
            "Content-Type: application/json",
        ],
    );
    assert_allowed(&r);
    let preflight = &r.report["steps"][0];
    assert_eq!(preflight["kind"], "preflight");
    assert_eq!(preflight["method"], "OPTIONS");
    assert!(preflight["request_headers"].as_array().is_some_and(|h| h
        .iter()
        .any(|h| h[0] == "Access-Control-Request-Headers" && h[1] == "content-type,x-custom")));
    assert_eq!(preflight["answer"]["status"], 204);
    assert_eq!(r.warnings(), Vec::<&str>::new());
}

#[test]
fn credentialed_json_post_is_allowed() {
    let r = run(
        "/login",
        &[
            "--origin",
            APP,
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--credentials",
        ],
    );
    assert_allowed(&r);
    assert_eq!(r.report["steps"].as_array().map(Vec::len), Some(2));
}

#[test]
fn public_route_is_allowed_for_any_origin_without_warnings() {
    let r = run("/public", &["--origin", EVIL]);
    assert_allowed(&r);
    assert_eq!(r.warnings(), Vec::<&str>::new());
}

// --- Refusals ---------------------------------------------------------------------------------

#[test]
fn unlisted_origin_is_blocked_on_the_actual_response() {
    let r = run("/granted", &["--origin", EVIL, "--credentials"]);
    assert_blocked(&r, "actual", "allow-origin-present");
    assert!(
        r.browser_message().ends_with(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        ),
        "{}",
        r.browser_message()
    );
}

#[test]
fn unlisted_origin_is_blocked_at_the_preflight() {
    let r = run(
        "/items",
        &["--origin", EVIL, "-X", "PUT", "-H", "X-Custom: 1"],
    );
    assert_blocked(&r, "preflight", "allow-origin-present");
    assert_eq!(r.refusal(), Some("origin-refused"));
    assert_eq!(r.report["steps"][0]["answer"]["status"], 403);
    // The actual request is not sent.
    assert_eq!(r.report["steps"].as_array().map(Vec::len), Some(1));
}

#[test]
fn unlisted_header_is_blocked_at_the_preflight() {
    let r = run(
        "/items",
        &["--origin", APP, "-X", "PUT", "-H", "X-Other: 1"],
    );
    // #[cors] refuses with 403 and no grant, so Chromium reports the missing origin.
    assert_blocked(&r, "preflight", "allow-origin-present");
    assert!(r.browser_message().contains("Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header"), "{}", r.browser_message());
}

#[test]
fn unrouted_method_is_blocked_at_the_preflight() {
    let r = run("/items", &["--origin", APP, "-X", "DELETE"]);
    assert_blocked(&r, "preflight", "allow-origin-present");
    assert_eq!(r.report["steps"][0]["answer"]["status"], 404);
    // No GET is served on /items either.
    assert_eq!(r.refusal(), Some("origin-refused"));
    // /granted serves GET: the method is what is refused.
    let r = run(
        "/granted",
        &["--origin", APP, "-X", "DELETE", "--credentials"],
    );
    assert_blocked(&r, "preflight", "allow-origin-present");
    assert_eq!(r.refusal(), Some("method-refused"));
}

#[test]
fn credentials_without_allow_credentials_are_blocked() {
    let r = run("/uncredentialed", &["--origin", APP, "--credentials"]);
    assert_blocked(&r, "actual", "allow-credentials");
}

#[test]
fn wildcard_with_credentials_is_blocked() {
    let r = run("/public", &["--origin", APP, "--credentials"]);
    assert_blocked(&r, "actual", "allow-origin-not-wildcard-with-credentials");
}

#[test]
fn strict_server_refuses_authorization_under_wildcard_headers() {
    let ok = run(
        "/wild",
        &["--origin", APP, "-X", "DELETE", "-H", "X-Anything: 1"],
    );
    assert_allowed(&ok);
    let r = run(
        "/wild",
        &[
            "--origin",
            APP,
            "-X",
            "DELETE",
            "-H",
            "Authorization: Bearer t",
        ],
    );
    assert_blocked(&r, "preflight", "allow-origin-present");
}

// --- Other servers' mistakes ------------------------------------------------------------------

#[test]
fn reflected_origin_with_credentials_passes_but_is_reported() {
    let r = run("/reflect", &["--origin", APP, "--credentials"]);
    assert_allowed(&r);
    // A reflector reflects `null` too.
    assert_eq!(
        r.warnings(),
        [
            "reflects-any-origin",
            "credentials-for-any-origin",
            "null-origin-allowed"
        ]
    );
}

#[test]
fn null_origin_and_missing_vary_are_reported() {
    let r = run("/null-listed", &["--origin", APP]);
    assert_allowed(&r);
    assert_eq!(r.warnings(), ["missing-vary-origin", "null-origin-allowed"]);
}

#[test]
fn trailing_slash_origin_is_explained() {
    let r = run("/trailing-slash", &["--origin", APP]);
    assert_blocked(&r, "actual", "allow-origin-matches");
    let cause = r.report["steps"][0]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["passed"] == false))
        .map(|c| c["cause"].to_string())
        .unwrap_or_default();
    assert!(
        cause.contains("the trailing slash makes it another origin"),
        "{cause}"
    );
    assert_eq!(r.warnings(), ["grant-headers-to-any-origin"]);
}

#[test]
fn duplicated_allow_origin_is_blocked() {
    let r = run("/twice", &["--origin", APP, "--no-probe"]);
    assert_blocked(&r, "actual", "allow-origin-single-value");
    assert!(r.browser_message().contains("contains multiple values 'https://app.example.com, https://app.example.com', but only one is allowed."), "{}", r.browser_message());
}

#[test]
fn redirects_are_followed_with_the_cors_check_on_each_hop() {
    let r = run("/redirect", &["--origin", APP, "--no-probe"]);
    assert_allowed(&r);
    let steps = &r.report["steps"];
    assert_eq!(steps.as_array().map(Vec::len), Some(2), "{:#}", r.report);
    assert_eq!(steps[0]["answer"]["status"], 301);
    assert!(steps[1]["url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/redirect/")));
    let (code, text) = human(
        &[
            &format!("{}/redirect", base()),
            "--origin",
            APP,
            "--no-probe",
        ],
        false,
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("Actual request, answered with a redirect")
            && text.contains("the browser follows `Location: /redirect/`"),
        "{text}"
    );
}

#[test]
fn preflight_lacking_allow_origin_is_blamed_on_the_preflight_answer() {
    let r = run(
        "/nginx-if-options",
        &[
            "--origin",
            APP,
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/json",
        ],
    );
    assert_blocked(&r, "preflight", "allow-origin-present");
    assert_eq!(r.refusal(), Some("preflight-lacks-allow-origin"));
    let detail = r.report["refusal"]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("`Access-Control-Allow-Methods: GET, PUT`")
            && detail.contains("a GET from the same origin gets `Access-Control-Allow-Origin: https://app.example.com`"),
        "{detail}"
    );
}

#[test]
fn allow_credentials_without_allow_origin_is_not_a_grant_to_every_caller() {
    let r = run("/express-list", &["--origin", APP, "--credentials"]);
    assert_allowed(&r);
    assert_eq!(r.warnings(), Vec::<&str>::new());
}

#[test]
fn authorization_under_wildcard_headers_passes_as_in_the_engines_with_a_warning() {
    let r = run(
        "/wildcard-headers",
        &[
            "--origin",
            APP,
            "-H",
            "Authorization: Bearer t",
            "--no-probe",
        ],
    );
    assert_allowed(&r);
    assert_eq!(r.warnings(), ["authorization-covered-by-wildcard"]);
}

/// A server on loopback that reads each request and closes the connection without answering.
fn dropping_server() -> String {
    use std::io::Read;
    let listener = match std::net::TcpListener::bind(("127.0.0.1", 0)) {
        Ok(l) => l,
        Err(e) => panic!("bind 127.0.0.1: {e}"),
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            drop(stream);
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_dropped_preflight_is_a_blocked_verdict_not_an_error() {
    let url = format!("{}/items", dropping_server());
    let r = doctor(&[url.as_str(), "--origin", APP, "-X", "PUT"]);
    assert_blocked(&r, "preflight", "answered");
    assert!(r.report["steps"][0]["error"].is_string(), "{:#}", r.report);
    let (code, text) = human(
        &[url.as_str(), "--origin", APP, "-X", "PUT", "--no-probe"],
        false,
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("no answer:") && text.contains("Verdict: BLOCKED"),
        "{text}"
    );
}

#[test]
fn max_age_beyond_chromium_cap_is_reported() {
    let r = run("/long-cache", &["--origin", APP, "-X", "PUT"]);
    assert_allowed(&r);
    assert_eq!(r.warnings(), ["max-age-above-browser-cap"]);
}

// --- Usage and network errors -----------------------------------------------------------------

#[test]
fn usage_and_network_errors_exit_with_2() {
    for args in [
        vec!["http://127.0.0.1:1/", "--origin", APP],
        vec![
            "http://127.0.0.1:1/",
            "--origin",
            "https://app.example.com/",
        ],
        vec!["http://127.0.0.1:1/"],
        vec!["http://127.0.0.1:1/", "--origin", APP, "-X", "TRACE"],
        vec!["http://127.0.0.1:1/", "--origin", APP, "-H", "no colon"],
        vec!["ftp://127.0.0.1/", "--origin", APP],
        vec!["http://127.0.0.1:1/", "--origin", APP, "--timeout", "0"],
    ] {
        let r = doctor(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        // `--json` gets a JSON error object on standard output.
        if args.len() > 1 && args[1] == "--origin" && args[2] == APP && args.len() == 3 {
            assert!(
                r.report["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{args:?}: {:#}",
                r.report
            );
        }
        assert!(
            !r.stderr.is_empty() && !r.stderr.contains("panicked"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

// --- Human output -----------------------------------------------------------------------------

fn human(args: &[&str], force_colour: bool) -> (i32, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"));
    command
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR");
    if force_colour {
        command.env("CLICOLOR_FORCE", "1");
    }
    match command.output() {
        Ok(out) => (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        Err(e) => panic!("cannot run cors-doctor: {e}"),
    }
}

#[test]
fn human_output_explains_and_is_plain_when_piped() {
    let url = format!("{}/trailing-slash", base());
    let (code, text) = human(&[url.as_str(), "--origin", APP], false);
    assert_eq!(code, 1, "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "escape codes in piped output:\n{text}"
    );
    for expected in [
        "> Origin: https://app.example.com",
        "< access-control-allow-origin: https://app.example.com/",
        "✗ `Access-Control-Allow-Origin` is `https://app.example.com/`, not the origin `https://app.example.com` [allow-origin-matches]",
        "cause: `Access-Control-Allow-Origin` is `https://app.example.com/`: the trailing slash makes it another origin",
        "Verdict: BLOCKED",
        "The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is not equal to the supplied origin.",
        "[grant-headers-to-any-origin]",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let (_, coloured) = human(&[url.as_str(), "--origin", APP], true);
    assert!(
        coloured.contains("\u{1b}["),
        "no colour with CLICOLOR_FORCE=1:\n{coloured}"
    );
}

// --- Sending what the page sends: cookies and bodies ------------------------------------------

#[test]
fn cookies_are_sent_with_credentialed_requests() {
    let r = run(
        "/session-only",
        &[
            "--origin",
            APP,
            "--credentials",
            "--cookie",
            "sid=s3cret",
            "--no-probe",
        ],
    );
    assert_allowed(&r);
    // The report names the cookie, never its value.
    let sent = r.report["steps"][0]["request_headers"].to_string();
    assert!(sent.contains("sid=…") && !sent.contains("s3cret"), "{sent}");
    // Without credentials the browser sends no cookie: the 401 has no CORS header.
    let r = run(
        "/session-only",
        &["--origin", APP, "--cookie", "sid=s3cret", "--no-probe"],
    );
    assert_blocked(&r, "actual", "allow-origin-present");
}

#[test]
fn cookies_come_from_a_netscape_cookie_jar() {
    let jar = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("doctor-jar-{}.txt", std::process::id()));
    let text = "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\ts3cret\n\
                127.0.0.1\tFALSE\t/elsewhere\tFALSE\t0\tother\tx\n";
    if let Err(e) = std::fs::write(&jar, text) {
        panic!("write {}: {e}", jar.display());
    }
    let path = jar.display().to_string();
    let r = run(
        "/session-only",
        &[
            "--origin",
            APP,
            "--credentials",
            "--cookie-jar",
            &path,
            "--no-probe",
        ],
    );
    let _ = std::fs::remove_file(&jar);
    assert_allowed(&r);
    let sent = r.report["steps"][0]["request_headers"].to_string();
    assert!(sent.contains("sid=…") && !sent.contains("other"), "{sent}");
    let r = run(
        "/session-only",
        &["--origin", APP, "--cookie-jar", "/nonexistent/jar"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn the_body_and_its_content_type_are_sent_and_decide_the_preflight() {
    let json = ["--origin", APP, "-X", "POST", "--data", r#"{"name":"x"}"#];
    let r = run(
        "/validated",
        &[
            &json[..],
            &["--content-type", "application/json", "--no-probe"],
        ]
        .concat(),
    );
    assert_allowed(&r);
    assert_eq!(r.report["steps"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.report["steps"][1]["answer"]["status"], 201);
    assert_eq!(r.report["request"]["body"]["bytes"], 12);
    // An invalid body: the server answers 400 without CORS headers, as the page would see.
    let r = run(
        "/validated",
        &[
            "--origin",
            APP,
            "-X",
            "POST",
            "--data",
            "not json",
            "--content-type",
            "application/json",
            "--no-probe",
        ],
    );
    assert_blocked(&r, "actual", "allow-origin-present");
    // A string body defaults to text/plain;charset=UTF-8: safelisted, no preflight.
    let r = run("/validated", &[&json[..], &["--no-probe"]].concat());
    assert_eq!(r.report["plan"]["preflight"], serde_json::Value::Null);
    assert!(r.report["steps"][0]["request_headers"]
        .to_string()
        .contains("text/plain;charset=UTF-8"));
    // fetch refuses a body on GET.
    let r = run("/validated", &["--origin", APP, "--data", "x"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
