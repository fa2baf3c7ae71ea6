//! Runtime conformance suite for `#[cors]`, table-driven in the spirit of jub0bs/cors's
//! `middleware_test.go`.
//!
//! Every case sends one request to one app holding every annotated handler below, and states:
//! the outcome (not a CORS request, an actual CORS request, a preflight granted, a preflight
//! refused, or a preflight that no `#[cors]` handler answers), the status, and the exact set of
//! CORS-related response headers (`Access-Control-*` and `Vary`, values included, nothing
//! else). Handlers count their calls, so a preflight answered without calling the handler is
//! proven, not assumed.

use crate::support;

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{ErrorBadRequest, ErrorUnauthorized};
use actix_web::guard::GuardContext;
use actix_web::http::header::{HeaderName, HeaderValue, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, DefaultHeaders, Next};
use actix_web::{
    delete, get, head, options, post, put, route, test, web, App, Error, HttpRequest, HttpResponse,
    HttpServer,
};
use cors_runtime::cors;
use support::Outcome::*;
use support::{
    case, get, granted, hit, none, opts, pf, pf_ok, post, refused, req, send, vary_only, Case,
    Headers, ACAC, ACAH, ACAO, ACEH, ACMA, VARY_,
};

// ---------------------------------------------------------------------------------------------
// Origins used throughout.

const APP: &str = "https://app.example.com";
const ADMIN: &str = "https://admin.example.com:8443";
const EVIL: &str = "https://evil.example.net";
const READER: &str = "https://reader.example.org";
const WRITER: &str = "https://writer.example.org";

// ---------------------------------------------------------------------------------------------
// Handlers: one per policy or route feature.

/// Credentialed, exact list, every optional header set.
#[cors(
    origins = ["https://app.example.com", "https://admin.example.com:8443"],
    credentials,
    allow_headers = ["Content-Type", "X-Api-Key"],
    expose_headers = ["X-Request-Id", "X-Total-Count"],
    max_age = 600
)]
#[post("/cred")]
async fn cred() -> HttpResponse {
    hit();
    HttpResponse::Created()
        .insert_header(("X-Request-Id", "42"))
        .finish()
}

/// A plain `*` policy.
#[cors(origins = ["*"], allow_headers = ["X-Api-Key"], expose_headers = ["X-Request-Id"], max_age = 7200)]
#[get("/public")]
async fn public() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// `*` policy, any request header (but `Authorization`).
#[cors(origins = ["*"], allow_headers = ["*"])]
#[delete("/public-any-header")]
async fn public_any_header() -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

/// Any request header, and `Authorization` listed by name.
#[cors(origins = ["https://app.example.com"], allow_headers = ["*", "Authorization"])]
#[delete("/any-header-auth")]
async fn any_header_auth() -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

/// Echoes the requested headers, with credentials; `Authorization` listed by name.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    allow_headers = ["Authorization"],
    dangerously_echo_request_headers,
    max_age = 60
)]
#[put("/echo")]
async fn echo_put() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Echoes the requested headers, with credentials, `Authorization` not listed.
#[cors(origins = ["https://app.example.com"], credentials, dangerously_echo_request_headers)]
#[delete("/echo")]
async fn echo_delete() -> HttpResponse {
    hit();
    HttpResponse::NoContent().finish()
}

/// Subdomain pattern.
#[cors(origins = ["https://*.example.com"])]
#[get("/sub")]
async fn sub() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Any-port pattern, and an exact origin with a port.
#[cors(origins = ["http://localhost:*", "http://127.0.0.1:8080"])]
#[get("/ports")]
async fn ports() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Exact list, the classic prefix/suffix-attack targets.
#[cors(origins = ["https://foo.com", "https://bar.com"])]
#[get("/exact")]
async fn exact() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Two handlers on one path, one policy each.
#[cors(origins = ["https://reader.example.org"], expose_headers = ["X-Page"])]
#[get("/items")]
async fn items_get() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://writer.example.org"], credentials, allow_headers = ["Content-Type"])]
#[post("/items")]
async fn items_post() -> HttpResponse {
    hit();
    HttpResponse::Created().finish()
}

/// Several methods on one route.
#[cors(origins = ["https://app.example.com"], allow_headers = ["Content-Type"], max_age = 0)]
#[route("/multi", method = "PUT", method = "PATCH")]
async fn multi() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Several methods on one route, CORS for a subset.
#[cors(origins = ["https://app.example.com"], methods = ["PUT"])]
#[route("/subset", method = "PUT", method = "PATCH")]
async fn subset() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

fn has_key(ctx: &GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-key")
}

/// The route's own `guard`.
#[cors(origins = ["https://app.example.com"])]
#[get("/guarded", guard = "has_key")]
async fn guarded() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

fn tag() -> DefaultHeaders {
    DefaultHeaders::new().add(("X-Wrapped", "yes"))
}

/// The route's own `wrap`, adding a header.
#[cors(origins = ["https://app.example.com"])]
#[get("/wrapped", wrap = "tag()")]
async fn wrapped() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

async fn deny(
    _req: ServiceRequest,
    _next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    Err::<ServiceResponse, _>(ErrorUnauthorized("denied by middleware"))
}

/// The route's own `wrap`, failing before the handler.
#[cors(origins = ["https://app.example.com"], credentials, expose_headers = ["X-Request-Id"])]
#[get("/wrap-error", wrap = "from_fn(deny)")]
async fn wrap_error() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

async fn stamp(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // A common middleware pattern: mutating the request on its way in. actix-web panics in
    // `headers_mut` if anything else holds a clone of the request.
    req.headers_mut().insert(
        HeaderName::from_static("x-stamp"),
        HeaderValue::from_static("stamped"),
    );
    next.call(req).await
}

/// The route's own `wrap`, mutating the request.
#[cors(origins = ["https://app.example.com"])]
#[get("/wrap-mut", wrap = "from_fn(stamp)")]
async fn wrap_mut(req: HttpRequest) -> HttpResponse {
    hit();
    let stamp = req.headers().get("x-stamp").cloned();
    match stamp {
        Some(value) => HttpResponse::Ok().body(value.as_bytes().to_vec()),
        None => HttpResponse::InternalServerError().finish(),
    }
}

/// The route's own `name`: `url_for` still resolves it.
#[cors(origins = ["https://app.example.com"])]
#[get("/named/{id}", name = "named")]
async fn named(req: HttpRequest, id: web::Path<u32>) -> HttpResponse {
    hit();
    match req.url_for("named", [id.to_string()]) {
        Ok(url) => HttpResponse::Ok().body(url.path().to_owned()),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

/// `#[head]` route.
#[cors(origins = ["https://app.example.com"])]
#[head("/head")]
async fn head_route() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// A handler returning an error.
#[cors(origins = ["https://app.example.com"], credentials, expose_headers = ["X-Request-Id"])]
#[post("/fails")]
async fn fails() -> Result<HttpResponse, Error> {
    hit();
    Err(ErrorBadRequest("handler says no"))
}

/// A `Json` extractor (fails on a malformed body, before the handler).
#[cors(origins = ["https://app.example.com"], allow_headers = ["Content-Type"])]
#[post("/json")]
async fn json(body: web::Json<Vec<u32>>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(body.len().to_string())
}

/// A `Path` extractor (fails on a bad parameter, before the handler).
#[cors(origins = ["https://app.example.com"])]
#[get("/num/{n}")]
async fn num(n: web::Path<u32>) -> HttpResponse {
    hit();
    HttpResponse::Ok().body(n.to_string())
}

/// Responds with the status given in the path.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/status/{code}")]
async fn with_status(code: web::Path<u16>) -> HttpResponse {
    hit();
    HttpResponse::build(StatusCode::from_u16(*code).unwrap_or(StatusCode::IM_A_TEAPOT)).finish()
}

fn echo_vary(req: &HttpRequest) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    for value in req.headers().get_all("x-set-vary") {
        res.append_header((VARY, value.clone()));
    }
    res.finish()
}

/// Sets each `X-Set-Vary` request value as a `Vary` line of its response.
#[cors(origins = ["https://app.example.com"])]
#[get("/vary")]
async fn vary(req: HttpRequest) -> HttpResponse {
    hit();
    echo_vary(&req)
}

/// Same, under a plain `*` policy.
#[cors(origins = ["*"])]
#[get("/public-vary")]
async fn public_vary(req: HttpRequest) -> HttpResponse {
    hit();
    echo_vary(&req)
}

async fn suspend(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    actix_web::rt::task::yield_now().await;
    let res = next.call(req).await;
    actix_web::rt::task::yield_now().await;
    res
}

/// A handler, and its own `wrap`, that are pending before they answer.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/slow", wrap = "from_fn(suspend)")]
async fn slow() -> HttpResponse {
    hit();
    actix_web::rt::task::yield_now().await;
    HttpResponse::Ok().finish()
}

/// An empty path: the root of its scope, as actix-web's `Resource` reads it.
#[cors(origins = ["https://app.example.com"])]
#[get("")]
async fn scope_root() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// A `#[cors]` GET route and the user's own `OPTIONS` route on the same path.
#[cors(origins = ["https://app.example.com"])]
#[get("/opt")]
async fn opt_get() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

#[options("/opt")]
async fn opt_user() -> HttpResponse {
    hit();
    HttpResponse::Ok().body("user options")
}

fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .service(cred)
        .service(public)
        .service(public_any_header)
        .service(any_header_auth)
        .service(echo_put)
        .service(echo_delete)
        .service(sub)
        .service(ports)
        .service(exact)
        .service(items_get)
        .service(items_post)
        .service(
            web::scope("/api")
                .service(items_get)
                .service(items_post)
                .service(web::scope("/v2").service(items_get).service(items_post)),
        )
        .service(multi)
        .service(subset)
        .service(guarded)
        .service(wrapped)
        .service(wrap_error)
        .service(wrap_mut)
        .service(named)
        .service(head_route)
        .service(fails)
        .service(json)
        .service(num)
        .service(with_status)
        .service(vary)
        .service(public_vary)
        .service(slow)
        .service(web::scope("/root").service(scope_root))
        .service(opt_get)
        .service(opt_user)
}

// ---------------------------------------------------------------------------------------------
// The harness (`support/mod.rs`), and what only this file's tables use.

impl Case {
    /// Another handler (not counted by default) runs once.
    fn runs_once(mut self) -> Self {
        self.runs = Some(1);
        self
    }
}

/// `/cred`'s granted preflight.
fn cred_pf(origin: &'static str) -> Headers {
    pf_ok(
        origin,
        "POST",
        &[
            (ACAC, "true"),
            (ACAH, "content-type, x-api-key"),
            (ACMA, "600"),
        ],
    )
}

/// `/cred`'s granted actual response.
fn cred_actual(origin: &'static str) -> Headers {
    vec![
        (ACAO, origin),
        (ACAC, "true"),
        (ACEH, "X-Request-Id, X-Total-Count"),
        (VARY_, "Origin"),
    ]
}

/// `/public`'s headers on every actual response.
fn public_actual() -> Headers {
    vec![(ACAO, "*"), (ACEH, "X-Request-Id")]
}

/// Runs every case of the table `table` against a fresh app and reports every failure at once.
async fn run(table: &str, cases: Vec<Case>) {
    let total = cases.len();
    support::run(app(), table, cases).await;
    println!("{total} cases passed");
}

// ---------------------------------------------------------------------------------------------
// The tables below are kept one case per line (or a few): `#[rustfmt::skip]` on each of them.

// ---------------------------------------------------------------------------------------------
// Preflights.

#[actix_web::test]
#[rustfmt::skip]
async fn preflight() {
    let cases = vec![
        case("cred: granted, no ACRH", pf("/cred", APP, "POST"), Granted, 204, cred_pf(APP)),
        case("cred: second listed origin, with port", pf("/cred", ADMIN, "POST"), Granted, 204, cred_pf(ADMIN)),
        case("cred: refused origin", pf("/cred", EVIL, "POST"), Refused, 403, refused()),
        case("cred: refused header", pf("/cred", APP, "POST").acrh("x-other"), Refused, 403, refused()),
        case("cred: refused Authorization", pf("/cred", APP, "POST").acrh("authorization"), Refused, 403, refused()),
        case("cred: one allowed, one not", pf("/cred", APP, "POST").acrh("content-type,x-other"), Refused, 403, refused()),
        // A method no handler of the path serves: no preflight service matches.
        case("cred: unrouted method falls through", pf("/cred", APP, "DELETE"), FallsThrough, 404, none()),
        case("cred: lower-case method is another method", pf("/cred", APP, "post"), FallsThrough, 404, none()),
        case("cred: OPTIONS is never routed by #[cors]", pf("/cred", APP, "OPTIONS"), FallsThrough, 404, none()),
        // `*` policy: `ACAO: *`, no credentials.
        case("public: granted with *", pf("/public", EVIL, "GET").acrh("x-api-key"), Granted, 204,
            pf_ok("*", "GET", &[(ACAH, "x-api-key"), (ACMA, "7200")])),
        case("public: null origin is just another origin for *", pf("/public", "null", "GET"), Granted, 204,
            pf_ok("*", "GET", &[(ACAH, "x-api-key"), (ACMA, "7200")])),
        case("public: refused header", pf("/public", APP, "GET").acrh("x-other"), Refused, 403, refused()),
        // HEAD route.
        case("head: granted", pf("/head", APP, "HEAD"), Granted, 204, pf_ok(APP, "HEAD", &[])),
        case("head: GET not served", pf("/head", APP, "GET"), FallsThrough, 404, none()),
        // Several methods on one route.
        case("multi: PUT", pf("/multi", APP, "PUT").acrh("content-type"), Granted, 204,
            pf_ok(APP, "PUT, PATCH", &[(ACAH, "content-type"), (ACMA, "0")])),
        case("multi: PATCH", pf("/multi", APP, "PATCH"), Granted, 204,
            pf_ok(APP, "PUT, PATCH", &[(ACAH, "content-type"), (ACMA, "0")])),
        case("multi: patch (lower case) is not PATCH", pf("/multi", APP, "patch"), FallsThrough, 404, none()),
        case("multi: DELETE not served", pf("/multi", APP, "DELETE"), FallsThrough, 404, none()),
        case("multi: refused origin", pf("/multi", EVIL, "PATCH"), Refused, 403, refused()),
        case("subset: PUT allowed", pf("/subset", APP, "PUT"), Granted, 204, pf_ok(APP, "PUT", &[])),
        case("subset: PATCH routed but not allowed", pf("/subset", APP, "PATCH"), Refused, 403, refused()),
        // A preflight cannot be checked against the route's guard (it carries none of the
        // actual request's headers), and a grant could let through a request that another
        // handler then serves: refused, even with the guard's header.
        case("guarded: preflight refused", pf("/guarded", APP, "GET"), Refused, 403, refused()),
        case("guarded: preflight refused, guard's header present", pf("/guarded", APP, "GET").h("x-key", "1"), Refused, 403, refused()),
        case("wrapped: preflight not wrapped", pf("/wrapped", APP, "GET"), Granted, 204, pf_ok(APP, "GET", &[])),
        case("wrap-error: preflight not wrapped", pf("/wrap-error", APP, "GET"), Granted, 204,
            pf_ok(APP, "GET", &[(ACAC, "true")])),
        case("named: preflight on a parameterised path", pf("/named/7", APP, "GET"), Granted, 204, pf_ok(APP, "GET", &[])),
        case("status: preflight", pf("/status/500", APP, "GET"), Granted, 204, pf_ok(APP, "GET", &[(ACAC, "true")])),
        // No `#[cors]` anywhere on the path.
        case("unknown path", pf("/nowhere", APP, "GET"), FallsThrough, 404, none()),
        // The user's OPTIONS route on the same path: preflights for GET are ours, the rest theirs.
        case("opt: GET preflight answered by #[cors]", pf("/opt", APP, "GET"), Granted, 204, pf_ok(APP, "GET", &[])),
        case("opt: refused preflight answered by #[cors]", pf("/opt", EVIL, "GET"), Refused, 403, refused()),
        case("opt: PUT preflight reaches the user's OPTIONS route", pf("/opt", APP, "PUT"), FallsThrough, 200, none())
            .runs_once().body("user options"),
    ];
    run("preflight", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Two handlers on one path, at the root, in a scope and in nested scopes.

#[actix_web::test]
#[rustfmt::skip]
async fn one_path_two_policies() {
    let mut cases = Vec::new();
    for prefix in ["", "/api", "/api/v2"] {
        let p = format!("{prefix}/items");
        let n = |what: &str| format!("{p}: {what}");
        cases.extend([
            case(n("GET preflight, GET's origin"), pf(&p, READER, "GET"), Granted, 204, pf_ok(READER, "GET", &[])),
            case(n("GET preflight, POST's origin"), pf(&p, WRITER, "GET"), Refused, 403, refused()),
            case(n("POST preflight, POST's origin"), pf(&p, WRITER, "POST").acrh("content-type"), Granted, 204,
                pf_ok(WRITER, "POST", &[(ACAC, "true"), (ACAH, "content-type")])),
            case(n("POST preflight, GET's origin"), pf(&p, READER, "POST"), Refused, 403, refused()),
            case(n("POST preflight, GET's policy has no allowed headers"), pf(&p, WRITER, "GET").acrh("content-type"), Refused, 403, refused()),
            case(n("DELETE preflight falls through"), pf(&p, READER, "DELETE"), FallsThrough, 404, none()),
            case(n("GET, GET's origin"), get(&p).origin(READER), Actual, 200,
                vec![(ACAO, READER), (ACEH, "X-Page"), (VARY_, "Origin")]),
            case(n("GET, POST's origin"), get(&p).origin(WRITER), Actual, 200, vary_only()),
            case(n("POST, POST's origin"), post(&p).origin(WRITER), Actual, 201,
                vec![(ACAO, WRITER), (ACAC, "true"), (VARY_, "Origin")]),
            case(n("POST, GET's origin"), post(&p).origin(READER), Actual, 201, vary_only()),
            case(n("GET, no origin"), get(&p), NotCors, 200, vary_only()),
        ]);
    }
    // Only the first ACRM counts: judged by GET's policy.
    cases.push(case("items: first ACRM wins", pf("/items", READER, "GET").acrm("POST"), Granted, 204, pf_ok(READER, "GET", &[])));
    cases.push(case("items: first ACRM wins (refused)", pf("/items", WRITER, "GET").acrm("POST"), Refused, 403, refused()));
    // An empty path inside a scope is the scope's root, for the preflight as for the route.
    cases.push(case("scope root: preflight", pf("/root", APP, "GET"), Granted, 204, pf_ok(APP, "GET", &[])));
    cases.push(case("scope root: actual", get("/root").origin(APP), Actual, 200, granted(APP)));
    cases.push(case("scope root: trailing slash is another path", pf("/root/", APP, "GET"), FallsThrough, 404, none()));
    // The scope prefix is required: `/v2/items` is not `/api/v2/items`.
    cases.push(case("v2 without /api", pf("/v2/items", READER, "GET"), FallsThrough, 404, none()));
    run("one_path_two_policies", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Access-Control-Request-Headers parsing.

#[actix_web::test]
#[rustfmt::skip]
async fn request_headers() {
    let ask = |names: &str| pf("/cred", APP, "POST").acrh(names);
    let ok = cred_pf(APP);
    let any = |names: &str| pf("/public-any-header", APP, "DELETE").acrh(names);
    let cases = vec![
        case("as browsers send it", ask("content-type,x-api-key"), Granted, 204, ok.clone()),
        case("one name", ask("x-api-key"), Granted, 204, ok.clone()),
        case("mixed case", ask("Content-Type,X-API-KEY"), Granted, 204, ok.clone()),
        case("optional whitespace", ask("content-type , x-api-key"), Granted, 204, ok.clone()),
        case("tabs", ask("\tcontent-type\t,\tx-api-key"), Granted, 204, ok.clone()),
        case("empty elements", ask(",content-type,, ,x-api-key,"), Granted, 204, ok.clone()),
        case("empty value", ask(""), Granted, 204, ok.clone()),
        case("unsorted", ask("x-api-key,content-type"), Granted, 204, ok.clone()),
        case("split over two lines", ask("content-type").acrh("x-api-key"), Granted, 204, ok.clone()),
        case("split over three lines, one empty", ask("content-type").acrh("").acrh("X-Api-Key"), Granted, 204, ok.clone()),
        case("16 empty elements tolerated", ask(&format!("content-type{}", ",".repeat(16))), Granted, 204, ok.clone()),
        case("17 empty elements refused", ask(&format!("content-type{}", ",".repeat(17))), Refused, 403, refused()),
        case("refused name on the second line", ask("content-type").acrh("x-other"), Refused, 403, refused()),
        case("space is not a separator", ask("content-type x-api-key"), Refused, 403, refused()),
        case("semicolon is not a separator", ask("content-type;x-api-key"), Refused, 403, refused()),
        case("prefix of an allowed name", ask("content"), Refused, 403, refused()),
        case("allowed name with a suffix", ask("x-api-keys"), Refused, 403, refused()),
        case("Authorization not listed", ask("authorization"), Refused, 403, refused()),
        // `*`: any name, but `Authorization` must be listed by name.
        case("*: any name", any("x-anything,x-else"), Granted, 204, pf_ok("*", "DELETE", &[(ACAH, "*")])),
        case("*: no ACRH", pf("/public-any-header", APP, "DELETE"), Granted, 204, pf_ok("*", "DELETE", &[(ACAH, "*")])),
        case("*: Authorization refused", any("authorization"), Refused, 403, refused()),
        case("*: Authorization refused in any case", any("x-a, Authorization"), Refused, 403, refused()),
        case("*: a non-token name refused", any("x-a, x(b)"), Refused, 403, refused()),
        case("* + Authorization: Authorization granted", pf("/any-header-auth", APP, "DELETE").acrh("authorization,x-anything"),
            Granted, 204, pf_ok(APP, "DELETE", &[(ACAH, "*, authorization")])),
    ];
    run("request_headers", cases).await;
}

// ---------------------------------------------------------------------------------------------
// `dangerously_echo_request_headers`: the requested names come back in
// `Access-Control-Allow-Headers`, as received, empty elements and whitespace dropped, joined by
// `,`; forbidden names, malformed lists and an unlisted `Authorization` are refused.

#[actix_web::test]
#[rustfmt::skip]
async fn echo_request_headers() {
    let put = |names: &str| pf("/echo", APP, "PUT").acrh(names);
    let del = |names: &str| pf("/echo", APP, "DELETE").acrh(names);
    let ok = |acah: &'static str| pf_ok(APP, "PUT", &[(ACAC, "true"), (ACAH, acah), (ACMA, "60")]);
    let del_ok = |acah: &'static str| pf_ok(APP, "DELETE", &[(ACAC, "true"), (ACAH, acah)]);
    let cases = vec![
        case("as browsers send it: echoed byte for byte", put("x-p-meta-a,x-p-meta-b"), Granted, 204, ok("x-p-meta-a,x-p-meta-b")),
        case("one name", put("x-anything"), Granted, 204, ok("x-anything")),
        case("names as received, case kept", put("X-P-Meta-Stream"), Granted, 204, ok("X-P-Meta-Stream")),
        case("whitespace and empty elements dropped", put(" x-a ,, \tx-b,"), Granted, 204, ok("x-a,x-b")),
        case("several lines joined in order", put("x-b").acrh("").acrh("x-a"), Granted, 204, ok("x-b,x-a")),
        case("listed Authorization echoed with the rest", put("authorization,x-a"), Granted, 204, ok("authorization,x-a")),
        case("no ACRH: no Access-Control-Allow-Headers", pf("/echo", APP, "PUT"), Granted, 204,
            pf_ok(APP, "PUT", &[(ACAC, "true"), (ACMA, "60")])),
        case("empty ACRH: nothing to echo", put(""), Granted, 204, pf_ok(APP, "PUT", &[(ACAC, "true"), (ACMA, "60")])),
        case("only empty elements: nothing to echo", put(" , ,"), Granted, 204, pf_ok(APP, "PUT", &[(ACAC, "true"), (ACMA, "60")])),
        case("refused origin", pf("/echo", EVIL, "PUT").acrh("x-a"), Refused, 403, refused()),
        case("forbidden name: Cookie", put("x-a,cookie"), Refused, 403, refused()),
        case("forbidden name: Sec-*", put("sec-fetch-mode"), Refused, 403, refused()),
        case("forbidden name: Proxy-*", put("Proxy-Authorization"), Refused, 403, refused()),
        case("forbidden name: Host", put("host"), Refused, 403, refused()),
        case("malformed name", put("x-a,x(b)"), Refused, 403, refused()),
        case("space is not a separator", put("x-a x-b"), Refused, 403, refused()),
        case("17 empty elements refused", put(&format!("x-a{}", ",".repeat(17))), Refused, 403, refused()),
        case("over 8 KiB refused unread", put(&"x".repeat(8 * 1024 + 1)), Refused, 403, refused()),
        case("unlisted Authorization refused", del("authorization"), Refused, 403, refused()),
        case("unlisted Authorization refused in any case", del("x-a,Authorization"), Refused, 403, refused()),
        case("without Authorization listed, any other name", del("x-p-meta-a"), Granted, 204, del_ok("x-p-meta-a")),
        case("actual request: the credentialed grant", req(Method::PUT, "/echo").origin(APP).h("x-p-meta-a", "1"), Actual, 200,
            vec![(ACAO, APP), (ACAC, "true"), (VARY_, "Origin")]),
        case("actual request, refused origin", req(Method::PUT, "/echo").origin(EVIL), Actual, 200, vary_only()),
    ];
    run("echo_request_headers", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Adversarial Access-Control-Request-Headers: refused quickly, without panic.

fn commas(n: usize) -> String {
    ",".repeat(n)
}

#[actix_web::test]
#[rustfmt::skip]
async fn adversarial_request_headers() {
    let long_allowed = ["content-type"; 2000].join(",");
    let listed = |names: &str| pf("/cred", APP, "POST").acrh(names);
    let any = |names: &str| pf("/public-any-header", APP, "DELETE").acrh(names);
    let cases = vec![
        case("100 000 commas, listed names", listed(&commas(100_000)), Refused, 403, refused()),
        case("5 000 commas, listed names", listed(&commas(5_000)), Refused, 403, refused()),
        case("5 000 commas, *", any(&commas(5_000)), Refused, 403, refused()),
        case("100 000 commas, *", any(&commas(100_000)), Refused, 403, refused()),
        case("commas over 200 lines, *", (0..200).fold(any(""), |r, _| r.acrh(",,,,,,,,,,")), Refused, 403, refused()),
        case("an allowed name repeated 2000 times", listed(&long_allowed), Refused, 403, refused()),
        case("100 000 spaces", listed(&" ".repeat(100_000)), Refused, 403, refused()),
        case("100 000 spaces, *", any(&" ".repeat(100_000)), Refused, 403, refused()),
    ];
    let started = Instant::now();
    run("adversarial_request_headers", cases).await;
    // Generous bound for a debug build on a loaded machine; the real guarantee is the
    // per-policy length cap and the empty-element cap (checked by the cases above).
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");

    let app = test::init_service(app()).await;
    let hostile = commas(8_000);
    let started = Instant::now();
    for _ in 0..200 {
        let seen = send(&app, any(&hostile).build().to_request()).await;
        assert_eq!(seen.status, StatusCode::FORBIDDEN);
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "200 hostile preflights took {elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Actual requests.

#[actix_web::test]
#[rustfmt::skip]
async fn actual_requests() {
    let json_post = |origin: &str, content_type: &str, body: &'static str| {
        post("/json").origin(origin).h("content-type", content_type).body(body)
    };
    let granted_cred = || vec![(ACAO, APP), (ACAC, "true"), (VARY_, "Origin")];
    let cases = vec![
        case("cred: granted", post("/cred").origin(APP), Actual, 201, cred_actual(APP)).extra("x-request-id", "42"),
        // The response future is pending before it is ready: the decision made on the request
        // must survive.
        case("slow: granted after pending polls", get("/slow").origin(APP), Actual, 200, granted_cred()),
        case("slow: refused origin", get("/slow").origin(EVIL), Actual, 200, vary_only()),
        case("cred: granted, second origin", post("/cred").origin(ADMIN), Actual, 201, cred_actual(ADMIN)),
        case("cred: refused origin", post("/cred").origin(EVIL), Actual, 201, vary_only()),
        case("cred: no origin", post("/cred"), NotCors, 201, vary_only()),
        case("cred: first Origin counts (allowed)", post("/cred").origin(APP).origin(EVIL), Actual, 201, cred_actual(APP)),
        case("cred: first Origin counts (refused)", post("/cred").origin(EVIL).origin(APP), Actual, 201, vary_only()),
        // `*` policy: `ACAO: *` on every response, no `Vary`.
        case("public: any origin", get("/public").origin(EVIL), Actual, 200, public_actual()),
        case("public: null", get("/public").origin("null"), Actual, 200, public_actual()),
        case("public: no origin", get("/public"), NotCors, 200, public_actual()),
        // Errors of every kind still carry the grant.
        case("fails: handler error", post("/fails").origin(APP), Actual, 400,
            vec![(ACAO, APP), (ACAC, "true"), (ACEH, "X-Request-Id"), (VARY_, "Origin")]),
        case("fails: handler error, refused origin", post("/fails").origin(EVIL), Actual, 400, vary_only()),
        case("json: valid body", json_post(APP, "application/json", "[1,2,3]"), Actual, 200, granted(APP)).body("3"),
        case("json: malformed body", json_post(APP, "application/json", "[1, 2"), Actual, 400, granted(APP)).unreached(),
        case("json: wrong type", json_post(APP, "application/json", "{\"a\":1}"), Actual, 400, granted(APP)).unreached(),
        case("json: wrong content type", json_post(APP, "text/plain", "[1]"), Actual, 400, granted(APP)).unreached(),
        case("json: malformed body, refused origin", json_post(EVIL, "application/json", "{"), Actual, 400, vary_only()).unreached(),
        case("num: good param", get("/num/12").origin(APP), Actual, 200, granted(APP)).body("12"),
        case("num: bad param", get("/num/twelve").origin(APP), Actual, 404, granted(APP)).unreached(),
        case("num: bad param, no origin", get("/num/twelve"), NotCors, 404, vary_only()).unreached(),
        case("status: 500", get("/status/500").origin(APP), Actual, 500, granted_cred()),
        case("status: 404 from the handler", get("/status/404").origin(APP), Actual, 404, granted_cred()),
        case("status: 304", get("/status/304").origin(APP), Actual, 304, granted_cred()),
        case("status: 500, refused origin", get("/status/500").origin(EVIL), Actual, 500, vary_only()),
        // The route's own guard, wrap and name.
        case("guarded: guard passes", get("/guarded").origin(APP).h("x-key", "1"), Actual, 200, granted(APP)),
        case("guarded: guard fails, route not matched", get("/guarded").origin(APP), Actual, 404, none()).unreached(),
        case("wrapped: user middleware runs", get("/wrapped").origin(APP), Actual, 200, granted(APP)).extra("x-wrapped", "yes"),
        case("wrapped: refused origin", get("/wrapped").origin(EVIL), Actual, 200, vary_only()).extra("x-wrapped", "yes"),
        case("wrap-error: middleware error gets the grant", get("/wrap-error").origin(APP), Actual, 401,
            vec![(ACAO, APP), (ACAC, "true"), (ACEH, "X-Request-Id"), (VARY_, "Origin")]).unreached(),
        case("wrap-error: refused origin", get("/wrap-error").origin(EVIL), Actual, 401, vary_only()).unreached(),
        case("wrap-error: no origin", get("/wrap-error"), NotCors, 401, vary_only()).unreached(),
        case("wrap-mut: middleware mutating the request", get("/wrap-mut").origin(APP), Actual, 200, granted(APP)).body("stamped"),
        case("named: url_for by name", get("/named/7").origin(APP), Actual, 200, granted(APP)).body("/named/7"),
        // HEAD route.
        case("head: granted", req(Method::HEAD, "/head").origin(APP), Actual, 200, granted(APP)),
        case("head: no origin", req(Method::HEAD, "/head"), NotCors, 200, vary_only()),
        // Several methods.
        case("multi: PUT", req(Method::PUT, "/multi").origin(APP), Actual, 200, granted(APP)),
        case("multi: PATCH", req(Method::PATCH, "/multi").origin(APP), Actual, 200, granted(APP)),
        // Actual responses do not depend on the method: a page can only send PATCH after a
        // preflight, which `/subset` refuses.
        case("subset: PATCH actual", req(Method::PATCH, "/subset").origin(APP), Actual, 200, granted(APP)),
        case("subset: DELETE is not routed", req(Method::DELETE, "/subset").origin(APP), Actual, 404, none()).unreached(),
    ];
    run("actual_requests", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Vary.

#[actix_web::test]
#[rustfmt::skip]
async fn vary_header() {
    let v = |origin: Option<&str>, lines: &[&str]| {
        let r = origin.map_or_else(|| get("/vary"), |o| get("/vary").origin(o));
        lines.iter().fold(r, |r, l| r.h("x-set-vary", l))
    };
    let pv = |lines: &[&str]| lines.iter().fold(get("/public-vary").origin(APP), |r, l| r.h("x-set-vary", l));
    let cases = vec![
        case("no Vary from the handler", v(Some(APP), &[]), Actual, 200, granted(APP)),
        case("handler's Vary kept, Origin appended", v(Some(APP), &["Accept"]), Actual, 200,
            vec![(ACAO, APP), (VARY_, "Accept"), (VARY_, "Origin")]),
        case("refused origin: appended too", v(Some(EVIL), &["Accept"]), Actual, 200, vec![(VARY_, "Accept"), (VARY_, "Origin")]),
        case("no origin: appended too", v(None, &["Accept-Encoding"]), NotCors, 200,
            vec![(VARY_, "Accept-Encoding"), (VARY_, "Origin")]),
        case("handler's `Vary: origin` not duplicated", v(Some(APP), &["origin"]), Actual, 200, vec![(ACAO, APP), (VARY_, "origin")]),
        case("handler's `Vary: Accept, Origin` not duplicated", v(Some(APP), &["Accept, Origin"]), Actual, 200,
            vec![(ACAO, APP), (VARY_, "Accept, Origin")]),
        case("handler's `Vary: Accept,origin` not duplicated", v(None, &["Accept,origin"]), NotCors, 200,
            vec![(VARY_, "Accept,origin")]),
        case("Origin on the handler's second Vary line", v(Some(APP), &["Accept", "Origin"]), Actual, 200,
            vec![(ACAO, APP), (VARY_, "Accept"), (VARY_, "Origin")]),
        case("handler's `Vary: *` covers Origin", v(Some(APP), &["*"]), Actual, 200, vec![(ACAO, APP), (VARY_, "*")]),
        case("`Vary: Origins` is another header", v(Some(APP), &["Origins"]), Actual, 200,
            vec![(ACAO, APP), (VARY_, "Origins"), (VARY_, "Origin")]),
        case("*: no Vary added", pv(&[]), Actual, 200, vec![(ACAO, "*")]),
        case("*: handler's Vary kept", pv(&["Accept"]), Actual, 200, vec![(ACAO, "*"), (VARY_, "Accept")]),
    ];
    run("vary_header", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Requests that are not preflights, and malformed or hostile Origin values.

#[actix_web::test]
#[rustfmt::skip]
async fn odd_requests() {
    let non_ascii: &[u8] = b"https://\xe9xample.com";
    let huge = format!("https://{}.example.com", "a".repeat(10 * 1024));
    let cases = vec![
        // OPTIONS without ACRM: an ordinary request, not answered by #[cors].
        case("OPTIONS without ACRM, no OPTIONS route", opts("/cred").origin(APP), Actual, 404, none()).unreached(),
        case("OPTIONS without ACRM, user's OPTIONS route", opts("/opt").origin(APP), Actual, 200, none()).body("user options"),
        case("OPTIONS with ACRM, no Origin, no OPTIONS route", opts("/cred").acrm("POST"), NotCors, 404, none()).unreached(),
        case("OPTIONS with ACRM, no Origin, user's OPTIONS route", opts("/opt").acrm("GET"), NotCors, 200, none()).body("user options"),
        case("bare OPTIONS, user's OPTIONS route", opts("/opt"), NotCors, 200, none()),
        // Hostile Origin values are refused, never a panic or a 500.
        case("empty Origin: actual", post("/cred").origin(""), Actual, 201, vary_only()),
        case("empty Origin: preflight", pf("/cred", "", "POST"), Refused, 403, refused()),
        case("10 KB Origin: actual", post("/cred").origin(&huge), Actual, 201, vary_only()),
        case("10 KB Origin: preflight", pf("/cred", &huge, "POST"), Refused, 403, refused()),
        case("10 KB Origin: subdomain pattern", get("/sub").origin(&huge), Actual, 200, vary_only()),
        case("10 KB Origin: subdomain pattern, preflight", pf("/sub", &huge, "GET"), Refused, 403, refused()),
        case("non-ASCII Origin: actual", post("/cred").bytes("origin", non_ascii), Actual, 201, vary_only()),
        case("non-ASCII Origin: preflight", opts("/cred").bytes("origin", non_ascii).acrm("POST"), Refused, 403, refused()),
        case("non-ASCII Origin: pattern", get("/sub").bytes("origin", b"https://\xe9.example.com"), Actual, 200, vary_only()),
        case("non-ASCII Origin: *", get("/public").bytes("origin", non_ascii), Actual, 200, public_actual()),
        case("first Origin counts: preflight (allowed)", pf("/cred", APP, "POST").origin(EVIL), Granted, 204, cred_pf(APP)),
        case("first Origin counts: preflight (refused)", opts("/cred").origin(EVIL).origin(APP).acrm("POST"), Refused, 403, refused()),
        case("first ACRM counts", pf("/cred", APP, "POST").acrm("DELETE"), Granted, 204, cred_pf(APP)),
        case("first ACRM counts (unrouted first)", pf("/cred", APP, "DELETE").acrm("POST"), FallsThrough, 404, none()),
        case("empty ACRM", pf("/cred", APP, ""), FallsThrough, 404, none()),
    ];
    run("odd_requests", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Origin matching: patterns, ports, exact lists, attacks. Each origin is tried as an actual
// request and as a preflight.

#[actix_web::test]
#[rustfmt::skip]
async fn origin_matching() {
    let mut cases = Vec::new();
    let mut check = |path: &'static str, origin: &'static str, allowed: bool| {
        let name = format!("{path} {origin:?} {}", if allowed { "allowed" } else { "refused" });
        if allowed {
            cases.push(case(format!("{name} (actual)"), get(path).origin(origin), Actual, 200, granted(origin)));
            cases.push(case(format!("{name} (preflight)"), pf(path, origin, "GET"), Granted, 204, pf_ok(origin, "GET", &[])));
        } else {
            cases.push(case(format!("{name} (actual)"), get(path).origin(origin), Actual, 200, vary_only()));
            cases.push(case(format!("{name} (preflight)"), pf(path, origin, "GET"), Refused, 403, refused()));
        }
    };
    let label63: &'static str = format!("https://{}.example.com", "a".repeat(63)).leak();
    let label64: &'static str = format!("https://{}.example.com", "a".repeat(64)).leak();
    for (origin, ok) in [
        ("https://a.example.com", true),
        ("https://a.b.example.com", true),
        ("https://app-2.example.com", true),
        ("https://xn--bcher-kva.example.com", true),
        (label63, true),
        (label64, false),
        ("https://example.com", false),
        ("https://evilexample.com", false),
        ("https://a.evilexample.com", false),
        ("https://example.com.evil.net", false),
        ("https://a.example.com.evil.net", false),
        ("https://.example.com", false),
        ("https://a..example.com", false),
        ("https://A.example.com", false),
        ("http://a.example.com", false),
        ("https://a.example.com:8443", false),
        ("https://a.example.com/", false),
        ("https://evil.com/.example.com", false),
        ("https://evil.com?.example.com", false),
        ("https://evil.com#.example.com", false),
        ("https://user@a.example.com", false),
        ("https://a.example.com.", false),
        ("null", false),
        ("", false),
    ] {
        check("/sub", origin, ok);
    }
    for (origin, ok) in [
        ("http://localhost", true),
        ("http://localhost:3000", true),
        ("http://localhost:1", true),
        ("http://localhost:65535", true),
        ("http://127.0.0.1:8080", true),
        ("http://localhost:0", false),
        ("http://localhost:65536", false),
        ("http://localhost:030", false),
        ("http://localhost:", false),
        ("http://localhost:3000x", false),
        ("http://localhost:-1", false),
        ("http://localhost:3000:3000", false),
        ("https://localhost:3000", false),
        ("http://localhost.evil.com:3000", false),
        ("http://evillocalhost:3000", false),
        ("http://a.localhost:3000", false),
        ("http://127.0.0.1", false),
        ("http://127.0.0.1:8081", false),
        ("http://127.0.0.1:80800", false),
    ] {
        check("/ports", origin, ok);
    }
    for (origin, ok) in [
        ("https://foo.com", true),
        ("https://bar.com", true),
        ("https://barfoo.com", false),
        ("https://foobar.com", false),
        ("https://evilfoo.com", false),
        ("https://foo.com.evil.net", false),
        ("https://foo.co", false),
        ("https://oo.com", false),
        ("https://foo.com/", false),
        ("https://foo.com:443", false),
        ("https://FOO.com", false),
        ("http://foo.com", false),
        ("https://wwwXfoo.com", false),
        ("https://foo.com ", false),
        (" https://foo.com", false),
        ("https://foo.com,https://bar.com", false),
        ("https://foo.com https://bar.com", false),
        ("null", false),
        ("*", false),
    ] {
        check("/exact", origin, ok);
    }
    run("origin_matching", cases).await;
}

// ---------------------------------------------------------------------------------------------
// Through a real server: the HTTP dispatcher, not the test harness, turns a middleware's error
// into its response, and a mutating middleware runs on a real connection.

fn owned(headers: Headers) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    out.sort();
    out
}

fn raw_get(path: &str, origin: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n")
}

#[actix_web::test]
#[rustfmt::skip]
async fn through_a_real_server() {
    let server = HttpServer::new(app).workers(1).bind(("127.0.0.1", 0)).expect("bind");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let preflight = format!(
        "OPTIONS /cred HTTP/1.1\r\nHost: t\r\nOrigin: {APP}\r\nAccess-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n"
    );
    let exchanges: Vec<(&str, String, u16, Headers)> = vec![
        ("middleware error", raw_get("/wrap-error", APP), 401,
            vec![(ACAO, APP), (ACAC, "true"), (ACEH, "X-Request-Id"), (VARY_, "Origin")]),
        ("middleware error, refused origin", raw_get("/wrap-error", EVIL), 401, vary_only()),
        ("mutating middleware", raw_get("/wrap-mut", APP), 200, granted(APP)),
        ("extractor error", raw_get("/num/x", APP), 404, granted(APP)),
        ("pending handler", raw_get("/slow", APP), 200, vec![(ACAO, APP), (ACAC, "true"), (VARY_, "Origin")]),
        ("preflight", preflight, 204, cred_pf(APP)),
    ];
    // The client blocks, so it runs on another thread while this one keeps the runtime going.
    let results = web::block(move || {
        exchanges
            .into_iter()
            .map(|(name, request, status, headers)| (name, support::exchange_cors(addr, request.as_bytes()), (status, owned(headers))))
            .collect::<Vec<_>>()
    })
    .await
    .expect("client thread");
    handle.stop(true).await;
    for (name, got, want) in results {
        assert_eq!(got, want, "{name}");
    }
}
