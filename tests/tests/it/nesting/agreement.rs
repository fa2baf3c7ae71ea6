//! How nested policies agree: an app-wide policy (`App::new().wrap(Api)`), scopes declared with
//! `Api::scope`, and handlers' own `#[cors]`. Each test pins down a way the previous design let
//! requests, middleware, other apps or the order of events change which policy decides.

use crate::support;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{ErrorTooManyRequests, ErrorUnauthorized};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{get, guard, put, test, web, App, Error, HttpRequest, HttpResponse, HttpServer};
use cors_runtime::Declared;
use cors_runtime::{cors, policy, Listing, NamedPolicy};
use support::{get as get_, opts, pf, req, send, Observed, Req, PFV};

const APP: &str = "https://app.example.com";
const OTHER: &str = "https://other.example";
const PARTNER: &str = "https://partner.example.org";
const EVIL: &str = "https://evil.example.net";

const ACAO: &str = "access-control-allow-origin";

/// Allows `https://other.example`: what a handler's stricter policy must not be replaced by.
#[policy(origins = ["https://other.example"], methods = ["PUT", "DELETE"])]
struct Wide;

/// The app's policy.
#[policy(origins = ["https://app.example.com"], methods = ["PUT", "DELETE"])]
struct Api;

/// A declared scope's policy.
#[policy(origins = ["https://app.example.com"], methods = ["PUT"])]
struct Alpha;

/// A sibling declared scope's policy.
#[policy(origins = ["https://partner.example.org"], methods = ["DELETE"])]
struct Beta;

/// A declared scope with a dynamic segment in its prefix.
#[policy(origins = ["https://partner.example.org"])]
struct D;

// ---------------------------------------------------------------------------------------------
// Call counters: `#[actix_web::test]` runs the app on the test's own thread, so thread-local
// counters are exact while other tests run in parallel.

thread_local! {
    static CALLS: RefCell<BTreeMap<&'static str, usize>> = const { RefCell::new(BTreeMap::new()) };
}

fn count(name: &'static str) {
    CALLS.with(|c| *c.borrow_mut().entry(name).or_default() += 1);
}

fn calls(name: &'static str) -> usize {
    CALLS.with(|c| c.borrow().get(name).copied().unwrap_or(0))
}

/// Header lines, sorted.
type Headers = Vec<(String, String)>;

/// The CORS-related headers of a response, sorted.
fn cors_of(seen: &Observed) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = seen
        .headers
        .iter()
        .filter(|(name, _)| support::is_cors_header(name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    out.sort();
    out
}

/// A refused preflight: only its `Vary`.
fn refused() -> Vec<(String, String)> {
    owned(&[("vary", PFV)])
}

/// A granted preflight of a policy with no credentials, headers or max age.
fn granted_pf(origin: &str, methods: &str) -> Vec<(String, String)> {
    owned(&[
        (ACAO, origin),
        ("access-control-allow-methods", methods),
        ("vary", PFV),
    ])
}

/// An actual response granted to `origin`.
fn granted(origin: &str) -> Vec<(String, String)> {
    owned(&[(ACAO, origin), ("vary", "Origin")])
}

/// An actual response to a refused origin.
fn vary_only() -> Vec<(String, String)> {
    owned(&[("vary", "Origin")])
}

/// Sends a request, as actix-web's dispatcher would (an `Err` becomes its response).
async fn call<S, B>(app: &S, r: Req) -> Observed
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    send(app, r.build().to_request()).await
}

/// Sends `r` and checks its status and exact CORS headers, and that handler `name` ran `runs`
/// times for it.
async fn expect<S, B>(
    app: &S,
    label: &str,
    r: Req,
    status: u16,
    headers: Vec<(String, String)>,
    counted: &[(&'static str, usize)],
) where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let before: Vec<usize> = counted.iter().map(|(name, _)| calls(name)).collect();
    let seen = call(app, r).await;
    assert_eq!(seen.status.as_u16(), status, "{label}: status");
    assert_eq!(cors_of(&seen), headers, "{label}: CORS headers");
    for ((name, runs), before) in counted.iter().zip(before) {
        assert_eq!(calls(name) - before, *runs, "{label}: calls of {name}");
    }
}

// ---------------------------------------------------------------------------------------------
// One malformed first request does not turn a handler's policy off.

#[cors(origins = ["https://app.example.com"], methods = ["PUT"])]
#[put("/strict")]
async fn strict_put() -> HttpResponse {
    count("strict");
    HttpResponse::Ok().body("strict")
}

fn strict_app() -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new().wrap(Wide).service(strict_put)
}

/// First requests whose `Host` or forwarding headers cannot make a URL.
fn hostile_headers() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("space in Host", vec![("host", "bad host")]),
        ("empty Host", vec![("host", "")]),
        ("port out of range", vec![("host", "a:99999")]),
        ("X-Forwarded-Proto: 1", vec![("x-forwarded-proto", "1")]),
        (
            "Forwarded host with a space",
            vec![("forwarded", "host=\"bad host\"")],
        ),
    ]
}

#[actix_web::test]
async fn a_malformed_first_request_does_not_turn_a_handler_policy_off() {
    for (name, headers) in hostile_headers() {
        let app = test::init_service(strict_app()).await;
        let mut first = get_("/");
        for (h, v) in &headers {
            first = first.h(h, v);
        }
        let seen = call(&app, first).await;
        assert_eq!(seen.status.as_u16(), 404, "{name}: the first request");
        // The same headers on a preflight.
        let mut hostile_pf = pf("/strict", OTHER, "PUT");
        for (h, v) in &headers {
            hostile_pf = hostile_pf.h(h, v);
        }
        let c = [("strict", 0)];
        expect(
            &app,
            &format!("{name}: hostile preflight"),
            hostile_pf,
            403,
            refused(),
            &c,
        )
        .await;
        let label = format!("{name}: preflight from the app-wide policy's origin");
        expect(
            &app,
            &label,
            pf("/strict", OTHER, "PUT"),
            403,
            refused(),
            &c,
        )
        .await;
        let label = format!("{name}: preflight from the handler's origin");
        let want = granted_pf(APP, "PUT");
        expect(&app, &label, pf("/strict", APP, "PUT"), 204, want, &c).await;
        let label = format!("{name}: actual PUT from the app-wide policy's origin");
        let put = req(Method::PUT, "/strict").origin(OTHER);
        expect(&app, &label, put, 200, vary_only(), &[("strict", 1)]).await;
        let label = format!("{name}: cross-site PUT the handler's policy refuses");
        let put = req(Method::PUT, "/strict")
            .origin(OTHER)
            .h("sec-fetch-site", "cross-site");
        expect(&app, &label, put, 403, Vec::new(), &c).await;
        let label = format!("{name}: actual PUT from the handler's origin");
        let put = req(Method::PUT, "/strict").origin(APP);
        expect(&app, &label, put, 200, granted(APP), &[("strict", 1)]).await;
    }
}

// ---------------------------------------------------------------------------------------------
// A refusal inside never becomes a grant outside, and no user code runs on a preflight.

#[get("/private")]
async fn private() -> HttpResponse {
    count("private");
    HttpResponse::Ok().finish()
}

async fn auth(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    count("auth");
    if !req.headers().contains_key("authorization") {
        return Err(ErrorUnauthorized("no credentials"));
    }
    next.call(req).await
}

async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    count("limiter");
    if !req.headers().contains_key("x-quota") {
        return Err(ErrorTooManyRequests("slow down"));
    }
    next.call(req).await
}

#[actix_web::test]
async fn an_authentication_middleware_inside_never_sees_a_preflight() {
    let app = test::init_service(App::new().wrap(from_fn(auth)).wrap(Api).service(private)).await;
    let c = [("auth", 0), ("private", 0)];
    let want = granted_pf(APP, "PUT, DELETE");
    expect(&app, "granted", pf("/private", APP, "PUT"), 204, want, &c).await;
    let want = granted_pf(APP, "PUT, DELETE");
    expect(
        &app,
        "GET, granted",
        pf("/private", APP, "GET"),
        204,
        want,
        &c,
    )
    .await;
    expect(
        &app,
        "refused origin",
        pf("/private", EVIL, "PUT"),
        403,
        refused(),
        &c,
    )
    .await;
    expect(
        &app,
        "refused method",
        pf("/private", APP, "PATCH"),
        403,
        refused(),
        &c,
    )
    .await;
    let want = granted_pf(APP, "PUT, DELETE");
    expect(
        &app,
        "unrouted",
        pf("/nowhere", APP, "DELETE"),
        204,
        want,
        &c,
    )
    .await;
    // The middleware does run on actual requests: its 401 gets the app's headers.
    let c = [("auth", 1), ("private", 0)];
    expect(
        &app,
        "actual 401",
        get_("/private").origin(APP),
        401,
        granted(APP),
        &c,
    )
    .await;
    let c = [("auth", 1), ("private", 0)];
    expect(
        &app,
        "actual 401, refused",
        get_("/private").origin(EVIL),
        401,
        vary_only(),
        &c,
    )
    .await;
    let c = [("auth", 1), ("private", 1)];
    let r = get_("/private").origin(APP).h("authorization", "Bearer x");
    expect(&app, "actual 200", r, 200, granted(APP), &c).await;
}

#[actix_web::test]
async fn a_rate_limiter_inside_never_sees_a_preflight() {
    let app = test::init_service(
        App::new()
            .wrap(from_fn(rate_limit))
            .wrap(Api)
            .service(private),
    )
    .await;
    let c = [("limiter", 0), ("private", 0)];
    let want = granted_pf(APP, "PUT, DELETE");
    expect(
        &app,
        "granted",
        pf("/private", APP, "DELETE"),
        204,
        want,
        &c,
    )
    .await;
    expect(
        &app,
        "refused origin",
        pf("/private", EVIL, "DELETE"),
        403,
        refused(),
        &c,
    )
    .await;
    let c = [("limiter", 1), ("private", 0)];
    expect(
        &app,
        "actual 429",
        get_("/private").origin(APP),
        429,
        granted(APP),
        &c,
    )
    .await;
    let c = [("limiter", 1), ("private", 0)];
    expect(
        &app,
        "actual 429, refused",
        get_("/private").origin(EVIL),
        429,
        vary_only(),
        &c,
    )
    .await;
}

#[cors(origins = ["https://app.example.com"], methods = ["DELETE"])]
#[actix_web::delete("/users/{id}")]
async fn admin_delete() -> HttpResponse {
    count("admin");
    HttpResponse::Ok().body("deleted")
}

#[actix_web::test]
async fn a_handler_in_a_guarded_scope_decides_its_preflights() {
    let app = test::init_service(
        App::new().wrap(Wide).service(
            web::scope("/admin")
                .guard(guard::Header("x-admin", "1"))
                .service(admin_delete),
        ),
    )
    .await;
    let c = [("admin", 0)];
    for with_header in [false, true] {
        let r = |origin: &str| {
            let r = pf("/admin/users/1", origin, "DELETE");
            if with_header {
                r.h("x-admin", "1")
            } else {
                r
            }
        };
        let label = format!("app-wide policy's origin (x-admin: {with_header})");
        expect(&app, &label, r(OTHER), 403, refused(), &c).await;
        let label = format!("handler's origin (x-admin: {with_header})");
        expect(&app, &label, r(APP), 204, granted_pf(APP, "DELETE"), &c).await;
    }
    let r = req(Method::DELETE, "/admin/users/1")
        .origin(APP)
        .h("x-admin", "1");
    expect(&app, "actual", r, 200, granted(APP), &[("admin", 1)]).await;
    let r = req(Method::DELETE, "/admin/users/1")
        .origin(OTHER)
        .h("x-admin", "1");
    expect(
        &app,
        "actual, refused origin",
        r,
        200,
        vary_only(),
        &[("admin", 1)],
    )
    .await;
}

async fn user_options() -> HttpResponse {
    count("user options");
    HttpResponse::Ok().body("user options")
}

#[put("/x")]
async fn x_put() -> HttpResponse {
    count("x put");
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_user_options_route_registered_first_never_receives_a_preflight() {
    let app = test::init_service(
        App::new()
            .wrap(Api)
            .service(web::resource("/x").route(web::method(Method::OPTIONS).to(user_options)))
            .service(x_put),
    )
    .await;
    let c = [("user options", 0), ("x put", 0)];
    let want = granted_pf(APP, "PUT, DELETE");
    expect(&app, "granted", pf("/x", APP, "PUT"), 204, want, &c).await;
    let want = granted_pf(APP, "PUT, DELETE");
    expect(&app, "granted, GET", pf("/x", APP, "GET"), 204, want, &c).await;
    expect(
        &app,
        "refused origin",
        pf("/x", EVIL, "PUT"),
        403,
        refused(),
        &c,
    )
    .await;
    expect(
        &app,
        "refused method",
        pf("/x", APP, "PATCH"),
        403,
        refused(),
        &c,
    )
    .await;
    // An OPTIONS request that is no preflight is the user's.
    let c = [("user options", 1), ("x put", 0)];
    expect(
        &app,
        "plain OPTIONS",
        opts("/x").origin(APP),
        200,
        granted(APP),
        &c,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// A middleware between two policies does not change which one decides.

#[cors(origins = ["https://other.example"], methods = ["PUT"])]
#[put("/override")]
async fn override_put() -> HttpResponse {
    count("override");
    HttpResponse::Ok().body("override")
}

#[get("/items")]
async fn items() -> HttpResponse {
    count("items");
    HttpResponse::Ok().finish()
}

async fn noop(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    next.call(req).await
}

/// The requests of `a_middleware_between_two_policies_changes_nothing`, with what each gets.
fn override_cases() -> Vec<(&'static str, Req, u16, Headers)> {
    vec![
        (
            "handler's origin",
            pf("/override", OTHER, "PUT"),
            204,
            granted_pf(OTHER, "PUT"),
        ),
        (
            "app's origin, handler's method",
            pf("/override", APP, "PUT"),
            403,
            refused(),
        ),
        (
            "app's origin, another method",
            pf("/override", APP, "DELETE"),
            204,
            granted_pf(APP, "PUT, DELETE"),
        ),
        (
            "app path",
            pf("/items", APP, "PUT"),
            204,
            granted_pf(APP, "PUT, DELETE"),
        ),
        (
            "app path, handler's origin",
            pf("/items", OTHER, "PUT"),
            403,
            refused(),
        ),
        (
            "actual, handler's origin",
            req(Method::PUT, "/override").origin(OTHER),
            200,
            granted(OTHER),
        ),
        (
            "actual, app's origin",
            req(Method::PUT, "/override").origin(APP),
            200,
            vary_only(),
        ),
        (
            "actual, cross-site, app's origin",
            req(Method::PUT, "/override")
                .origin(APP)
                .h("sec-fetch-site", "cross-site"),
            403,
            Vec::new(),
        ),
        (
            "actual, app path",
            get_("/items").origin(APP),
            200,
            granted(APP),
        ),
    ]
}

#[actix_web::test]
async fn a_middleware_between_two_policies_changes_nothing() {
    async fn check<T, B>(app: App<T>, label: &str)
    where
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            > + 'static,
        B: MessageBody,
    {
        let app = test::init_service(app).await;
        for (name, r, status, headers) in override_cases() {
            expect(&app, &format!("{label}: {name}"), r, status, headers, &[]).await;
        }
    }
    let plain = || App::new().service(items).service(override_put);
    check(plain().wrap(Api), "without from_fn").await;
    check(plain().wrap(from_fn(noop)).wrap(Api), "from_fn inside").await;
    check(
        plain()
            .wrap(from_fn(noop))
            .wrap(from_fn(noop))
            .wrap(Api)
            .wrap(from_fn(noop)),
        "from_fn inside and outside",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Preflights never reach user code.

async fn any_a() -> HttpResponse {
    count("any a");
    HttpResponse::Ok().body("a")
}

async fn any_b() -> HttpResponse {
    count("any b");
    HttpResponse::Ok().body("b")
}

async fn fallback() -> HttpResponse {
    count("default");
    HttpResponse::NotFound().body("custom 404")
}

/// Every user handler of the sibling-scope apps: none may run on a preflight.
const USER_CODE: [(&str, usize); 5] = [
    ("any a", 0),
    ("any b", 0),
    ("default", 0),
    ("override", 0),
    ("items", 0),
];

fn sibling_scopes() -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .service(Alpha::scope("/a").service(web::resource("/any").to(any_a)))
        .service(Beta::scope("/b").service(web::resource("/any").to(any_b)))
        .default_service(web::to(fallback))
}

/// Preflights under the two declared scopes of [`sibling_scopes`].
async fn check_sibling_scopes<S, B>(app: &S, label: &str)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let c = USER_CODE;
    let l = |name: &str| format!("{label}: {name}");
    let want = granted_pf(APP, "PUT");
    expect(
        app,
        &l("a, granted"),
        pf("/a/any", APP, "PUT"),
        204,
        want,
        &c,
    )
    .await;
    expect(
        app,
        &l("a, B's origin"),
        pf("/a/any", PARTNER, "DELETE"),
        403,
        refused(),
        &c,
    )
    .await;
    expect(
        app,
        &l("a, method not listed"),
        pf("/a/any", APP, "PATCH"),
        403,
        refused(),
        &c,
    )
    .await;
    let want = granted_pf(APP, "PUT");
    expect(
        app,
        &l("a, unrouted"),
        pf("/a/nowhere", APP, "PUT"),
        204,
        want,
        &c,
    )
    .await;
    let want = granted_pf(PARTNER, "DELETE");
    expect(
        app,
        &l("b, granted"),
        pf("/b/any", PARTNER, "DELETE"),
        204,
        want,
        &c,
    )
    .await;
    expect(
        app,
        &l("b, A's origin"),
        pf("/b/any", APP, "PUT"),
        403,
        refused(),
        &c,
    )
    .await;
    let want = granted_pf(PARTNER, "DELETE");
    expect(
        app,
        &l("b, unrouted"),
        pf("/b/nowhere", PARTNER, "DELETE"),
        204,
        want,
        &c,
    )
    .await;
}

#[actix_web::test]
async fn preflights_under_sibling_declared_scopes_reach_no_user_code() {
    let app = test::init_service(sibling_scopes()).await;
    check_sibling_scopes(&app, "alone").await;
    // The handlers are reachable: an actual request runs them.
    let r = req(Method::PUT, "/a/any").origin(APP);
    expect(&app, "a, actual", r, 200, granted(APP), &[("any a", 1)]).await;
    let r = req(Method::DELETE, "/b/any").origin(PARTNER);
    expect(&app, "b, actual", r, 200, granted(PARTNER), &[("any b", 1)]).await;

    // Under an app-wide policy: also the preflights outside both scopes.
    let app = test::init_service(sibling_scopes().wrap(Api)).await;
    check_sibling_scopes(&app, "under Api").await;
    let c = USER_CODE;
    let want = granted_pf(APP, "PUT, DELETE");
    expect(
        &app,
        "app, unrouted",
        pf("/nowhere", APP, "DELETE"),
        204,
        want,
        &c,
    )
    .await;
    expect(
        &app,
        "app, refused",
        pf("/nowhere", PARTNER, "DELETE"),
        403,
        refused(),
        &c,
    )
    .await;
    let r = get_("/nowhere").origin(APP);
    expect(
        &app,
        "app, actual 404",
        r,
        404,
        granted(APP),
        &[("default", 1)],
    )
    .await;
}

#[actix_web::test]
async fn preflights_under_a_declared_scope_beside_a_cors_route_reach_no_user_code() {
    let build = || {
        App::new()
            .service(items)
            .service(Alpha::scope("/a").service(web::resource("/any").to(any_a)))
            .service(override_put)
            .default_service(web::to(fallback))
    };
    for wrapped in [false, true] {
        let c = USER_CODE;
        let l = |name: &str| format!("under Api: {wrapped}: {name}");
        let app = test::init_service(build().wrap(Condition::new(wrapped, Api))).await;
        let want = granted_pf(APP, "PUT");
        expect(
            &app,
            &l("scope, granted"),
            pf("/a/any", APP, "PUT"),
            204,
            want,
            &c,
        )
        .await;
        expect(
            &app,
            &l("scope, refused"),
            pf("/a/any", OTHER, "PUT"),
            403,
            refused(),
            &c,
        )
        .await;
        let want = granted_pf(OTHER, "PUT");
        expect(
            &app,
            &l("route, granted"),
            pf("/override", OTHER, "PUT"),
            204,
            want,
            &c,
        )
        .await;
        expect(
            &app,
            &l("route, refused"),
            pf("/override", APP, "PUT"),
            403,
            refused(),
            &c,
        )
        .await;
        if wrapped {
            let want = granted_pf(APP, "PUT, DELETE");
            expect(
                &app,
                &l("app path"),
                pf("/items", APP, "PUT"),
                204,
                want,
                &c,
            )
            .await;
            let want = granted_pf(APP, "PUT, DELETE");
            expect(
                &app,
                &l("unrouted"),
                pf("/nowhere", APP, "PUT"),
                204,
                want,
                &c,
            )
            .await;
        }
    }
}

#[actix_web::test]
async fn preflights_reach_no_user_code_beside_another_app_on_the_thread() {
    let app = test::init_service(sibling_scopes().wrap(Api)).await;
    let other = test::init_service(
        App::new()
            .service(override_put)
            .service(Alpha::scope("/a").service(web::resource("/any").to(any_a)))
            .service(web::resource("/b/any").to(any_b))
            .default_service(web::to(fallback)),
    )
    .await;
    check_sibling_scopes(&app, "beside another app").await;
    // The other app answers its own preflights: its scope and route, and only those.
    let c = USER_CODE;
    let want = granted_pf(APP, "PUT");
    expect(
        &other,
        "other: scope",
        pf("/a/any", APP, "PUT"),
        204,
        want,
        &c,
    )
    .await;
    let want = granted_pf(OTHER, "PUT");
    expect(
        &other,
        "other: route",
        pf("/override", OTHER, "PUT"),
        204,
        want,
        &c,
    )
    .await;
    // `/b/any` has no policy in the other app: its preflight is an ordinary OPTIONS request.
    let r = pf("/b/any", PARTNER, "DELETE");
    expect(
        &other,
        "other: no policy",
        r,
        200,
        Vec::new(),
        &[("any b", 1)],
    )
    .await;
    drop(other);
    check_sibling_scopes(&app, "after the other app is dropped").await;
    let c = USER_CODE;
    let want = granted_pf(APP, "PUT, DELETE");
    expect(
        &app,
        "app, unrouted",
        pf("/nowhere", APP, "DELETE"),
        204,
        want,
        &c,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The user's resource map is unchanged by `#[cors]` and declared scopes.

thread_local! {
    static RMAP_LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Paths asked of the resource map: routed, unrouted, and what an anchor is made of.
const PROBES: [&str; 14] = [
    "/",
    "/items/7",
    "/items",
    "/api/things/3",
    "/api/things",
    "/api/nowhere",
    "/api",
    "/p/feed",
    "/p/nowhere",
    "/nowhere",
    "/__cors_probe",
    "//__cors_probe",
    "/api/x/__cors_probe",
    "/p/x/__cors_probe",
];

/// Everything the resource map tells `req`.
fn record(at: &str, req: &HttpRequest) {
    let rmap = req.resource_map();
    let mut lines = vec![format!(
        "{at} {} {}: match_name {:?}, match_pattern {:?}",
        req.method(),
        req.path(),
        req.match_name(),
        req.match_pattern()
    )];
    for path in PROBES {
        lines.push(format!(
            "  {path}: {:?} {:?} {}",
            rmap.match_name(path),
            rmap.match_pattern(path),
            rmap.has_resource(path)
        ));
    }
    let names: [(&str, &[&str]); 6] = [
        ("item", &["7"]),
        ("item", &[]),
        ("thing", &["3"]),
        ("feed", &[]),
        ("missing", &[]),
        ("thing", &["a/b", "c"]),
    ];
    for (name, elements) in names {
        lines.push(format!(
            "  url_for({name}, {elements:?}): {:?}",
            req.url_for(name, elements.iter().copied())
                .map(|u| u.to_string())
        ));
    }
    RMAP_LOG.with(|l| l.borrow_mut().extend(lines));
}

async fn recorder(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    record("outer middleware", req.request());
    next.call(req).await
}

async fn inner_recorder(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    record("inner middleware", req.request());
    next.call(req).await
}

async fn recording_fallback(req: HttpRequest) -> HttpResponse {
    record("default service", &req);
    HttpResponse::NotFound().finish()
}

async fn feed(req: HttpRequest) -> HttpResponse {
    record("feed", &req);
    HttpResponse::Ok().finish()
}

mod with_cors {
    use super::record;
    use actix_web::{get, put, HttpRequest, HttpResponse};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/items/{id}", name = "item")]
    pub(crate) async fn item(req: HttpRequest) -> HttpResponse {
        record("item", &req);
        HttpResponse::Ok().finish()
    }

    #[cors(origins = ["https://other.example"], methods = ["PUT"])]
    #[put("/things/{id}", name = "thing")]
    pub(crate) async fn thing(req: HttpRequest) -> HttpResponse {
        record("thing", &req);
        HttpResponse::Ok().finish()
    }
}

mod plain {
    use super::record;
    use actix_web::{get, put, HttpRequest, HttpResponse};

    #[get("/items/{id}", name = "item")]
    pub(crate) async fn item(req: HttpRequest) -> HttpResponse {
        record("item", &req);
        HttpResponse::Ok().finish()
    }

    #[put("/things/{id}", name = "thing")]
    pub(crate) async fn thing(req: HttpRequest) -> HttpResponse {
        record("thing", &req);
        HttpResponse::Ok().finish()
    }
}

/// The app the resource-map comparisons are made on: recording middleware outside and inside
/// `Api`, `item` at the root, `thing` in a plain `/api` scope, `p` (a `/p` scope holding
/// [`feed_resource`]) and a recording default service.
fn recorded_app(
    item: impl actix_web::dev::HttpServiceFactory + 'static,
    thing: impl actix_web::dev::HttpServiceFactory + 'static,
    p: impl actix_web::dev::HttpServiceFactory + 'static,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(from_fn(inner_recorder))
        .wrap(Api)
        .wrap(from_fn(recorder))
        .service(item)
        .service(web::scope("/api").service(thing))
        .service(p)
        .default_service(web::to(recording_fallback))
}

/// `GET /feed`, named `feed`, without a policy of its own.
fn feed_resource() -> actix_web::Resource {
    web::resource("/feed")
        .name("feed")
        .route(web::get().to(feed))
}

/// Sends the same requests (actual ones, preflights, 404s) to `app` and returns what the
/// resource map told the middleware, handlers and default service.
async fn rmap_log<T, B>(app: App<T>) -> Vec<String>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody,
{
    RMAP_LOG.with(|l| l.borrow_mut().clear());
    let app = test::init_service(app).await;
    let requests = vec![
        get_("/items/7").origin(APP),
        req(Method::PUT, "/api/things/3").origin(OTHER),
        get_("/p/feed").origin(PARTNER),
        pf("/items/7", APP, "GET"),
        pf("/api/things/3", OTHER, "PUT"),
        pf("/p/feed", PARTNER, "GET"),
        pf("/nowhere", APP, "PUT"),
        opts("/items/7").origin(APP),
        get_("/nowhere").origin(APP),
        get_("/api/nowhere"),
        get_("/p/nowhere"),
        get_("/__cors_probe"),
        req(Method::DELETE, "/api/things/3"),
    ];
    for r in requests {
        call(&app, r).await;
    }
    RMAP_LOG.with(|l| l.borrow_mut().drain(..).collect())
}

#[actix_web::test]
async fn cors_routes_leave_the_resource_map_unchanged() {
    let with = rmap_log(recorded_app(
        with_cors::item,
        with_cors::thing,
        web::scope("/p").service(feed_resource()),
    ))
    .await;
    let without = rmap_log(recorded_app(
        plain::item,
        plain::thing,
        web::scope("/p").service(feed_resource()),
    ))
    .await;
    // What the plain app's map says, so that a vacuous comparison fails.
    assert!(
        without.contains(
            &"outer middleware GET /items/7: match_name Some(\"item\"), match_pattern Some(\"/items/{id}\")"
                .to_owned()
        ),
        "{without:#?}"
    );
    assert!(
        without.contains(
            &"  url_for(thing, [\"3\"]): Ok(\"http://localhost:8080/api/things/3\")".to_owned()
        ),
        "{without:#?}"
    );
    assert_lines_eq(&with, &without);
}

#[actix_web::test]
async fn declared_scopes_leave_the_resource_map_unchanged() {
    let with = rmap_log(recorded_app(
        plain::item,
        plain::thing,
        D::scope("/p").service(feed_resource()),
    ))
    .await;
    let without = rmap_log(recorded_app(
        plain::item,
        plain::thing,
        web::scope("/p").service(feed_resource()),
    ))
    .await;
    assert!(
        without.contains(
            &"feed GET /p/feed: match_name Some(\"feed\"), match_pattern Some(\"/p/feed\")"
                .to_owned()
        ),
        "{without:#?}"
    );
    assert_lines_eq(&with, &without);
}

/// Compares two logs line by line, reporting the first difference with its context.
fn assert_lines_eq(with: &[String], without: &[String]) {
    let first_diff = with
        .iter()
        .zip(without)
        .position(|(a, b)| a != b)
        .or((with.len() != without.len()).then_some(with.len().min(without.len())));
    if let Some(i) = first_diff {
        let context = |log: &[String]| {
            let start = log[..i.min(log.len())]
                .iter()
                .rposition(|l| !l.starts_with("  "))
                .unwrap_or(0);
            log[start..(i + 1).min(log.len())].join("\n")
        };
        panic!(
            "the resource maps differ at line {i}\n--- with the policy:\n{}\n--- without:\n{}",
            context(with),
            context(without)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The listing.

#[cors(origins = ["https://other.example"], methods = ["PUT"])]
#[put("/listed")]
async fn listed() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn rows(listing: &Listing) -> Vec<(String, &'static str, bool)> {
    listing
        .policies
        .iter()
        .map(|p| (p.path.clone(), p.declared.as_str(), p.resolved))
        .collect()
}

fn row(path: &str, declared: &'static str) -> (String, &'static str, bool) {
    (path.to_owned(), declared, true)
}

#[actix_web::test]
async fn two_apps_on_one_thread_list_their_own_policies_once() {
    let build = || {
        App::new()
            .wrap(Api)
            .service(listed)
            .service(Alpha::scope("/a").route("/x", web::get().to(HttpResponse::Ok)))
            .route("/plain", web::get().to(HttpResponse::Ok))
    };
    let first = test::init_service(build()).await;
    let second = test::init_service(build()).await;
    let third = test::init_service(
        App::new()
            .service(Beta::scope("/b").route("/y", web::get().to(HttpResponse::Ok)))
            .route("/plain", web::get().to(HttpResponse::Ok)),
    )
    .await;
    let expected = vec![
        row("/*", "app"),
        row("/a/*", "scope"),
        row("/listed", "handler"),
    ];
    for round in 0..2 {
        for (label, app) in [("first", &first), ("second", &second)] {
            let res =
                test::call_service(app, test::TestRequest::get().uri("/plain").to_request()).await;
            assert_eq!(res.status().as_u16(), 200);
            let listing = Listing::of(res.request());
            assert_eq!(
                rows(&listing),
                expected,
                "{label}, round {round}:\n{listing}"
            );
            assert_eq!(
                listing.policies[1].declared,
                Declared::Scope,
                "{label}:\n{listing}"
            );
        }
        let res =
            test::call_service(&third, test::TestRequest::get().uri("/plain").to_request()).await;
        let listing = Listing::of(res.request());
        assert_eq!(
            rows(&listing),
            vec![row("/b/*", "scope")],
            "third:\n{listing}"
        );
    }
}

#[actix_web::test]
async fn a_dynamic_declared_scope_is_listed_as_written() {
    async fn ok() -> HttpResponse {
        HttpResponse::Ok().finish()
    }
    let build = || {
        App::new()
            .wrap(Api)
            .service(D::scope("/{tenant}/api").route("/x", web::get().to(ok)))
    };
    let expected = vec![row("/*", "app"), row("/{tenant}/api/*", "scope")];
    for (first, status) in [
        ("/acme/api/nowhere", 404),
        ("/acme%20corp/api/x", 200),
        ("/acme/api/x", 200),
        ("/nowhere", 404),
    ] {
        let app = test::init_service(build()).await;
        let res = test::call_service(&app, test::TestRequest::get().uri(first).to_request()).await;
        assert_eq!(res.status().as_u16(), status, "{first}");
        let listing = Listing::of(res.request());
        assert_eq!(
            rows(&listing),
            expected,
            "first request {first}:\n{listing}"
        );
        // And after another request.
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/t/api/x").to_request()).await;
        let listing = Listing::of(res.request());
        assert_eq!(rows(&listing), expected, "after {first}:\n{listing}");
    }
}

// ---------------------------------------------------------------------------------------------
// A real server: two workers, two listeners.

fn preflight_bytes(origin: &str) -> String {
    format!(
        "OPTIONS /strict HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\n\
         Access-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n"
    )
}

#[actix_web::test]
async fn a_server_with_two_listeners_keeps_the_handler_policy_after_hostile_requests() {
    let server = HttpServer::new(strict_app)
        .workers(2)
        .bind(("127.0.0.1", 0))
        .expect("bind")
        .bind(("127.0.0.1", 0))
        .expect("bind");
    let addrs = server.addrs();
    assert_eq!(addrs.len(), 2, "{addrs:?}");
    assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let started = Instant::now();
    let outcome = actix_web::rt::time::timeout(
        Duration::from_secs(9),
        web::block(move || {
            let mut failures = Vec::new();
            // Hostile first requests: several on each listener, so that both workers get some.
            let hostile = [
                "GET / HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: 1\r\nConnection: close\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a:99999\r\nConnection: close\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nForwarded: host=\"bad host\"\r\nConnection: close\r\n\r\n",
            ];
            for _ in 0..2 {
                for addr in &addrs {
                    for request in hostile {
                        let (status, _) = support::exchange(*addr, request.as_bytes());
                        if status == 0 {
                            failures.push(format!("no answer to {request:?} on {addr}"));
                        }
                    }
                }
            }
            for i in 0..16 {
                let addr = addrs[i % 2];
                let (status, headers) = support::exchange(addr, preflight_bytes(OTHER).as_bytes());
                let allow: Vec<_> = headers
                    .iter()
                    .filter(|(n, _)| n.starts_with("access-control-allow-"))
                    .collect();
                if status != 403 || !allow.is_empty() {
                    failures.push(format!(
                        "preflight {i} from the app-wide origin on {addr}: {status} {allow:?}"
                    ));
                }
            }
            // The handler's own origin is still granted on both listeners.
            for addr in &addrs {
                let (status, headers) = support::exchange(*addr, preflight_bytes(APP).as_bytes());
                let acao = headers.iter().find(|(n, _)| n == ACAO).map(|(_, v)| v.as_str());
                if status != 204 || acao != Some(APP) {
                    failures.push(format!(
                        "preflight from the handler's origin on {addr}: {status} {acao:?}"
                    ));
                }
                let put = format!(
                    "PUT /strict HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {OTHER}\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let (status, headers) = support::exchange(*addr, put.as_bytes());
                if status != 200 || headers.iter().any(|(n, _)| n == ACAO) {
                    failures.push(format!(
                        "actual PUT from the app-wide origin on {addr}: {status} {headers:?}"
                    ));
                }
            }
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

// ---------------------------------------------------------------------------------------------
// Two app-wide layers fail closed.

#[put("/items/{id}")]
async fn put_item() -> HttpResponse {
    count("put item");
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn two_app_wide_layers_fail_closed_after_the_first_request() {
    let app = test::init_service(
        App::new()
            .wrap(Wide)
            .wrap(Api)
            .service(items)
            .service(put_item),
    )
    .await;
    let none = Vec::new;
    expect(
        &app,
        "first request",
        get_("/items").origin(APP),
        200,
        none(),
        &[("items", 1)],
    )
    .await;
    let c = [("put item", 0), ("items", 0)];
    expect(
        &app,
        "preflight, outer's origin",
        pf("/items/1", APP, "PUT"),
        403,
        refused(),
        &c,
    )
    .await;
    expect(
        &app,
        "preflight, inner's origin",
        pf("/items/1", OTHER, "PUT"),
        403,
        refused(),
        &c,
    )
    .await;
    expect(
        &app,
        "preflight, unrouted",
        pf("/nowhere", APP, "DELETE"),
        403,
        refused(),
        &c,
    )
    .await;
    let r = req(Method::PUT, "/items/1").origin(APP);
    expect(&app, "cross-origin PUT, outer's origin", r, 403, none(), &c).await;
    let r = req(Method::PUT, "/items/1").origin(OTHER);
    expect(&app, "cross-origin PUT, inner's origin", r, 403, none(), &c).await;
    let r = req(Method::PUT, "/items/1")
        .origin(OTHER)
        .h("sec-fetch-site", "cross-site");
    expect(&app, "cross-site PUT", r, 403, none(), &c).await;
    expect(
        &app,
        "GET after",
        get_("/items").origin(APP),
        200,
        none(),
        &[("items", 1)],
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// A `.wrap` on an empty-prefix scope counts only what is inside it: a route registered beside
// the scope keeps its own policy, whatever requests went through the scope first.

#[cors(origins = ["*"])]
#[get("/open")]
async fn open() -> HttpResponse {
    count("open");
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_route_beside_an_empty_scope_keeps_its_policy_after_requests_through_the_scope() {
    let app = test::init_service(
        App::new().service(open).service(
            web::scope("")
                .wrap(Api)
                .route("/inside", web::get().to(HttpResponse::Ok)),
        ),
    )
    .await;
    let any = || vec![("access-control-allow-origin".to_owned(), "*".to_owned())];
    expect(
        &app,
        "before",
        get_("/open").origin(OTHER),
        200,
        any(),
        &[("open", 1)],
    )
    .await;
    expect(
        &app,
        "through the scope",
        get_("/inside").origin(APP),
        200,
        granted(APP),
        &[("open", 0)],
    )
    .await;
    expect(
        &app,
        "after",
        get_("/open").origin(OTHER),
        200,
        any(),
        &[("open", 1)],
    )
    .await;
    expect(
        &app,
        "after, again",
        get_("/open").origin(APP),
        200,
        any(),
        &[("open", 1)],
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// A route the app-wide policy cannot tell apart from an earlier resource: nobody grants it, its
// preflight or its actual request.

#[cors(origins = ["https://partner.example.org"], methods = ["PUT"])]
#[put("/shadow/special")]
async fn shadowed_special() -> HttpResponse {
    count("shadowed_special");
    HttpResponse::Ok().body("special")
}

async fn shadow_post() -> HttpResponse {
    count("shadow_post");
    HttpResponse::Ok().body("post")
}

#[actix_web::test]
async fn a_route_reached_past_a_guarded_earlier_resource_is_granted_by_no_policy() {
    // `/shadow/{id}` (POST only, by a resource guard) comes first: the app's resource map gives
    // its pattern for `/shadow/special`, so the app-wide policy cannot know which policy governs
    // the path; routing passes the guarded resource by and reaches the `#[cors]` route.
    let app = test::init_service(
        App::new()
            .wrap(Api)
            .service(
                web::resource("/shadow/{id}")
                    .guard(guard::Post())
                    .to(shadow_post),
            )
            .service(shadowed_special),
    )
    .await;
    expect(
        &app,
        "preflight for the route's PUT",
        pf("/shadow/special", PARTNER, "PUT"),
        403,
        refused(),
        &[("shadowed_special", 0)],
    )
    .await;
    // The handler runs (nothing but a browser's preflight stood in its way), but neither the
    // route's policy nor the app's decides the response (no CORS header at all): the refused
    // preflight and this answer agree.
    expect(
        &app,
        "actual PUT",
        req(Method::PUT, "/shadow/special").origin(PARTNER),
        200,
        Vec::new(),
        &[("shadowed_special", 1)],
    )
    .await;
    expect(
        &app,
        "the earlier resource's POST, app's origin",
        req(Method::POST, "/shadow/special").origin(APP),
        200,
        granted(APP),
        &[("shadow_post", 1)],
    )
    .await;
}
