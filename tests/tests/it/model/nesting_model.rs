//! Model-based property test of nested policies (`cors-runtime/src/nesting.rs`, the guide's
//! "Which policy answers"): arbitrary app shapes built from a fixed set of policies with distinct
//! origins (an app policy, declared or plain scopes, optionally guarded and nested, `#[cors]`
//! handlers and plain ones placed at the root or in a scope, a user middleware, a default
//! service), and arbitrary request sequences, checked against a reference that works out the
//! governing policy from the shape alone:
//!
//! 1. a preflight is answered by the policy that governs the announced request (`204` with the
//!    origin iff that policy allows origin, method and headers, else `403`);
//! 2. no user code (middleware, handler, default service) runs on a preflight under the app
//!    policy;
//! 3. the answers depend on nothing but the app's shape and the request: not on hostile requests
//!    sent first (`Host`, forwarding headers), earlier requests, or another app on the thread;
//! 4. every response has at most one `Access-Control-Allow-Origin` and `Origin` at most once in
//!    `Vary`; an actual request's grant comes from the policy that governs it, and from it alone.
//!
//! `PROPTEST_CASES` sets the number of cases (300 by default); a long run:
//! `PROPTEST_CASES=100000 cargo test --release -p cors-tests --test it nesting_model`.

use std::cell::Cell;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::ErrorUnauthorized;
use actix_web::http::header::{HeaderMap, ORIGIN, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{get, guard, put, test as atest, web, App, Error, HttpResponse, Scope};
use cors_runtime::{cors, policy, NamedPolicy};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

// ---------------------------------------------------------------------------------------------
// The policies: one distinct origin each, so the granting policy is identifiable, and one
// distinct allowed request header each.

const A_ORIGIN: &str = "https://a.test";
const S1_ORIGIN: &str = "https://s1.test";
const S2_ORIGIN: &str = "https://s2.test";
const H_ORIGIN: &str = "https://h.test";
const EVIL: &str = "https://evil.test";
const ORIGINS: &[&str] = &[
    A_ORIGIN,
    S1_ORIGIN,
    S2_ORIGIN,
    H_ORIGIN,
    "https://x.test",
    EVIL,
];

/// The app's policy.
#[policy(origins = ["https://a.test"], methods = ["PUT"], allow_headers = ["X-A"])]
struct A;

/// The policy of scope `/s1` when declared.
#[policy(origins = ["https://s1.test"], methods = ["PUT", "DELETE"], allow_headers = ["X-S1"])]
struct S1;

/// The policy of scope `/s2` when declared.
#[policy(origins = ["https://s2.test"])]
struct S2;

// ---------------------------------------------------------------------------------------------
// Call counters: the apps run on the test's thread, so thread-locals are exact.

thread_local! {
    static SYSTEM: actix_web::rt::SystemRunner = actix_web::rt::System::new();
    static MW_CALLS: Cell<u64> = const { Cell::new(0) };
    static HANDLER_CALLS: Cell<u64> = const { Cell::new(0) };
    static DEFAULT_CALLS: Cell<u64> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>) {
    counter.with(|c| c.set(c.get() + 1));
}

fn counters() -> (u64, u64, u64) {
    (
        MW_CALLS.with(Cell::get),
        HANDLER_CALLS.with(Cell::get),
        DEFAULT_CALLS.with(Cell::get),
    )
}

#[cors(origins = ["https://h.test"], allow_headers = ["X-H"])]
#[get("/h")]
async fn cors_get() -> HttpResponse {
    bump(&HANDLER_CALLS);
    HttpResponse::Ok().body("h_get")
}

#[cors(origins = ["https://h.test"], methods = ["PUT"], allow_headers = ["X-H"])]
#[put("/h")]
async fn cors_put() -> HttpResponse {
    bump(&HANDLER_CALLS);
    HttpResponse::Ok().body("h_put")
}

#[put("/p")]
async fn plain_put() -> HttpResponse {
    bump(&HANDLER_CALLS);
    HttpResponse::Ok().body("p")
}

async fn any_method() -> HttpResponse {
    bump(&HANDLER_CALLS);
    HttpResponse::Ok().body("any")
}

async fn fallback() -> HttpResponse {
    bump(&DEFAULT_CALLS);
    HttpResponse::NotFound().body("default")
}

/// What the user middleware (inside the app policy) does besides counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mw {
    /// `OPTIONS` requests get an error `401` (an authentication middleware).
    RejectOptions,
    /// Paths under `/limited` get an early `429` (a rate limiter).
    Limit,
}

async fn user_mw(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse, Error> {
    bump(&MW_CALLS);
    match req.app_data::<Mw>().copied() {
        Some(Mw::RejectOptions) if req.method() == Method::OPTIONS => {
            Err(ErrorUnauthorized("no credentials"))
        }
        Some(Mw::Limit) if req.path().starts_with("/limited") => {
            Ok(req.into_response(HttpResponse::TooManyRequests().finish()))
        }
        _ => next.call(req).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Shapes.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loc {
    Root,
    S1,
    S2,
}

#[derive(Clone, Copy, Debug)]
struct ScopeShape {
    /// `S1::scope` / `S2::scope` rather than `web::scope`.
    declared: bool,
    /// `guard::Header("x-g", "1")`.
    guarded: bool,
}

#[derive(Clone, Debug)]
struct Shape {
    app: bool,
    s1: ScopeShape,
    s2: ScopeShape,
    /// `/s2` inside `/s1` (then at `/s1/s2`).
    nested: bool,
    h_get: Option<Loc>,
    h_put: Option<Loc>,
    p: Option<Loc>,
    any: Option<Loc>,
    mw: Mw,
    /// At each place, scopes are registered before the handlers.
    scopes_first: bool,
    /// The second app is built before the first serves anything (both alive), rather than
    /// after the first is dropped.
    second_alive: bool,
}

impl Shape {
    fn scope(&self, s: Loc) -> ScopeShape {
        match s {
            Loc::S1 => self.s1,
            Loc::S2 => self.s2,
            Loc::Root => unreachable!(),
        }
    }

    fn parent(&self, s: Loc) -> Loc {
        match s {
            Loc::S2 if self.nested => Loc::S1,
            _ => Loc::Root,
        }
    }

    /// The full prefix of a place.
    fn prefix(&self, loc: Loc) -> String {
        match loc {
            Loc::Root => String::new(),
            Loc::S1 => "/s1".to_owned(),
            Loc::S2 => format!("{}/s2", self.prefix(self.parent(Loc::S2))),
        }
    }

    /// The scopes a place lies in, itself included.
    fn chain(&self, loc: Loc) -> Vec<Loc> {
        let mut chain = Vec::new();
        let mut at = loc;
        while at != Loc::Root {
            chain.push(at);
            at = self.parent(at);
        }
        chain
    }

    fn children(&self, loc: Loc) -> Vec<Loc> {
        match loc {
            Loc::Root if self.nested => vec![Loc::S1],
            Loc::Root => vec![Loc::S1, Loc::S2],
            Loc::S1 if self.nested => vec![Loc::S2],
            _ => Vec::new(),
        }
    }
}

fn loc() -> impl Strategy<Value = Option<Loc>> {
    prop_oneof![
        1 => Just(None),
        2 => Just(Some(Loc::Root)),
        2 => Just(Some(Loc::S1)),
        2 => Just(Some(Loc::S2)),
    ]
}

fn scope_shape() -> impl Strategy<Value = ScopeShape> {
    (any::<bool>(), prop::bool::weighted(0.3))
        .prop_map(|(declared, guarded)| ScopeShape { declared, guarded })
}

prop_compose! {
    fn shape()(
        app in prop::bool::weighted(0.75),
        s1 in scope_shape(),
        s2 in scope_shape(),
        nested in any::<bool>(),
        h_get in loc(),
        h_put in loc(),
        p in loc(),
        any in loc(),
        mw in prop_oneof![Just(Mw::RejectOptions), Just(Mw::Limit)],
        scopes_first in any::<bool>(),
        second_alive in any::<bool>(),
    ) -> Shape {
        let mut shape = Shape { app, s1, s2, nested, h_get, h_put, p, any, mw, scopes_first, second_alive };
        // The guide lists declared scopes without an app policy only when disjoint.
        if !shape.app && shape.nested && shape.s1.declared {
            shape.s2.declared = false;
        }
        shape
    }
}

// ---------------------------------------------------------------------------------------------
// Building the app.

fn fill(cfg: &mut web::ServiceConfig, shape: &Shape, at: Loc) {
    let scopes = |cfg: &mut web::ServiceConfig| {
        for child in shape.children(at) {
            mount(cfg, shape, child);
        }
    };
    if shape.scopes_first {
        scopes(cfg);
    }
    if shape.h_get == Some(at) {
        cfg.service(cors_get);
    }
    if shape.h_put == Some(at) {
        cfg.service(cors_put);
    }
    if shape.p == Some(at) {
        cfg.service(plain_put);
    }
    if shape.any == Some(at) {
        cfg.service(web::resource("/any").to(any_method));
    }
    if !shape.scopes_first {
        scopes(cfg);
    }
}

fn mount(cfg: &mut web::ServiceConfig, shape: &Shape, s: Loc) {
    let path = if s == Loc::S1 { "/s1" } else { "/s2" };
    match (s, shape.scope(s).declared) {
        (_, false) => finish(cfg, web::scope(path), shape, s),
        (Loc::S1, true) => finish(cfg, S1::scope(path), shape, s),
        (_, true) => finish(cfg, S2::scope(path), shape, s),
    }
}

fn finish<T, B>(cfg: &mut web::ServiceConfig, scope: Scope<T>, shape: &Shape, s: Loc)
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let mut scope = scope.configure(|c| fill(c, shape, s));
    if shape.scope(s).guarded {
        scope = scope.guard(guard::Header("x-g", "1"));
    }
    cfg.service(scope);
}

fn app(
    shape: &Shape,
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
        .app_data(shape.mw)
        .configure(|c| fill(c, shape, Loc::Root))
        .default_service(web::to(fallback))
        .wrap(from_fn(user_mw))
        .wrap(Condition::new(shape.app, A))
}

// ---------------------------------------------------------------------------------------------
// Requests.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// `OPTIONS` + `Origin` + `Access-Control-Request-Method` (+ `-Headers`).
    Preflight {
        acrm: Method,
        acrh: Option<&'static str>,
    },
    Actual {
        method: Method,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Req {
    kind: Kind,
    path: &'static str,
    origin: Option<&'static str>,
    /// Sends `x-g: 1` (passes the scope guards).
    xg: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hostile {
    BadHost,
    EmptyHost,
    ForwardedProto,
    Forwarded,
}

const PATHS: &[&str] = &[
    "/h",
    "/p",
    "/any",
    "/s1/h",
    "/s1/p",
    "/s1/any",
    "/s1/x",
    "/s2/h",
    "/s2/any",
    "/s1/s2/h",
    "/s1/s2/p",
    "/s1/s2/x",
    "/x",
    "/limited",
    "/limited/h",
];

fn method() -> impl Strategy<Value = Method> {
    select(vec![Method::GET, Method::PUT, Method::DELETE])
}

fn request() -> impl Strategy<Value = Req> {
    let preflight = (
        method(),
        prop_oneof![
            3 => Just(None),
            1 => Just(Some("x-a")),
            1 => Just(Some("x-s1")),
            1 => Just(Some("x-h")),
        ],
    )
        .prop_map(|(acrm, acrh)| Kind::Preflight { acrm, acrh });
    let actual = prop_oneof![
        6 => method(),
        1 => Just(Method::OPTIONS),
    ]
    .prop_map(|method| Kind::Actual { method });
    (
        prop_oneof![3 => preflight, 2 => actual],
        select(PATHS),
        select(ORIGINS),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.7),
    )
        .prop_map(|(kind, path, origin, with_origin, xg)| {
            let origin = (with_origin || matches!(kind, Kind::Preflight { .. })).then_some(origin);
            Req {
                kind,
                path,
                origin,
                xg,
            }
        })
}

fn hostile() -> impl Strategy<Value = Hostile> {
    select(vec![
        Hostile::BadHost,
        Hostile::EmptyHost,
        Hostile::ForwardedProto,
        Hostile::Forwarded,
    ])
}

fn to_request(r: &Req, hostile: Option<Hostile>) -> actix_http::Request {
    let mut t = atest::TestRequest::default().uri(r.path);
    t = match &r.kind {
        Kind::Preflight { acrm, acrh } => {
            let mut t = t
                .method(Method::OPTIONS)
                .insert_header(("access-control-request-method", acrm.as_str()));
            if let Some(acrh) = acrh {
                t = t.insert_header(("access-control-request-headers", *acrh));
            }
            t
        }
        Kind::Actual { method } => t.method(method.clone()),
    };
    if let Some(origin) = r.origin {
        t = t.insert_header((ORIGIN, origin));
    }
    if r.xg {
        t = t.insert_header(("x-g", "1"));
    }
    t = match hostile {
        None => t,
        Some(Hostile::BadHost) => t.insert_header(("host", "bad host")),
        Some(Hostile::EmptyHost) => t.insert_header(("host", "")),
        Some(Hostile::ForwardedProto) => t.insert_header(("x-forwarded-proto", "1")),
        Some(Hostile::Forwarded) => t.insert_header(("forwarded", "host=\"a b\"")),
    };
    t.to_request()
}

/// What a response is compared on: the status and every CORS header (and `Vary`), in order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Answer {
    status: StatusCode,
    headers: Vec<(String, String)>,
}

impl Answer {
    fn of(status: StatusCode, map: &HeaderMap) -> Self {
        let mut headers: Vec<(String, String)> = map
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("access-control-") || *n == VARY)
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        headers.sort();
        Self { status, headers }
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn acao(&self) -> Vec<&str> {
        self.all("access-control-allow-origin")
    }

    fn has_allow(&self) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.starts_with("access-control-allow-"))
    }

    fn vary_origin(&self) -> usize {
        self.all("vary")
            .iter()
            .flat_map(|v| v.split(','))
            .filter(|t| t.trim().eq_ignore_ascii_case("origin"))
            .count()
    }
}

/// One request's outcome: the answer and whether user code ran.
#[derive(Clone, Debug)]
struct Outcome {
    answer: Answer,
    user_code_ran: bool,
}

/// Builds an app from `shape` and sends it `hostile` requests, then `requests`; with `second`,
/// a second app of the same shape is built (alive alongside, or after the first is dropped, as
/// the shape says) and sent `requests` alone.
fn run(
    shape: &Shape,
    hostile: &[(Req, Hostile)],
    requests: &[Req],
) -> (Vec<Outcome>, Vec<Outcome>, Vec<Outcome>) {
    SYSTEM.with(|system| {
        system.block_on(async {
            async fn send<S, B>(app: &S, r: &Req, h: Option<Hostile>) -> Outcome
            where
                S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
                B: MessageBody,
            {
                let before = counters();
                // What the server sends for an error, as it would.
                let answer = match app.call(to_request(r, h)).await {
                    Ok(res) => Answer::of(res.status(), res.headers()),
                    Err(error) => {
                        let res = error.error_response();
                        Answer::of(res.status(), res.headers())
                    }
                };
                Outcome {
                    answer,
                    user_code_ran: counters() != before,
                }
            }
            let first = atest::init_service(app(shape)).await;
            let early = if shape.second_alive {
                Some(atest::init_service(app(shape)).await)
            } else {
                None
            };
            let mut hostile_out = Vec::new();
            for (r, h) in hostile {
                hostile_out.push(send(&first, r, Some(*h)).await);
            }
            let mut first_out = Vec::new();
            for r in requests {
                first_out.push(send(&first, r, None).await);
            }
            drop(first);
            let second = match early {
                Some(second) => second,
                None => atest::init_service(app(shape)).await,
            };
            let mut second_out = Vec::new();
            for r in requests {
                second_out.push(send(&second, r, None).await);
            }
            (hostile_out, first_out, second_out)
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The reference.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gov {
    App,
    Scope(Loc),
    HGet,
    HPut,
}

impl Gov {
    fn origin(self) -> &'static str {
        match self {
            Gov::App => A_ORIGIN,
            Gov::Scope(Loc::S1) => S1_ORIGIN,
            Gov::Scope(_) => S2_ORIGIN,
            Gov::HGet | Gov::HPut => H_ORIGIN,
        }
    }

    fn allows_method(self, m: &Method) -> bool {
        let safelisted = [Method::GET, Method::HEAD, Method::POST].contains(m);
        match self {
            Gov::App => safelisted || m == Method::PUT,
            Gov::Scope(Loc::S1) => safelisted || m == Method::PUT || m == Method::DELETE,
            Gov::Scope(_) => safelisted,
            Gov::HGet => m == Method::GET,
            Gov::HPut => m == Method::PUT,
        }
    }

    fn allows_header(self, h: &str) -> bool {
        match self {
            Gov::App => h == "x-a",
            Gov::Scope(Loc::S1) => h == "x-s1",
            Gov::Scope(_) => false,
            Gov::HGet | Gov::HPut => h == "x-h",
        }
    }

    /// The place the policy stands in, for the guards on the way to it.
    fn place(self, shape: &Shape) -> Loc {
        match self {
            Gov::App => Loc::Root,
            Gov::Scope(s) => s,
            Gov::HGet => shape.h_get.unwrap(),
            Gov::HPut => shape.h_put.unwrap(),
        }
    }
}

/// `path` lies under the scope prefix `prefix`.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The innermost policy for a request for `path` with `method`, scope guards taken as passed.
fn governing(shape: &Shape, path: &str, method: &Method) -> Option<Gov> {
    let handler = |at: Option<Loc>, serves: Method, gov: Gov| {
        at.filter(|at| *method == serves && path == format!("{}/h", shape.prefix(*at)))
            .map(|_| gov)
    };
    if let Some(gov) = handler(shape.h_get, Method::GET, Gov::HGet) {
        return Some(gov);
    }
    if let Some(gov) = handler(shape.h_put, Method::PUT, Gov::HPut) {
        return Some(gov);
    }
    let scope = [Loc::S1, Loc::S2]
        .into_iter()
        .filter(|s| shape.scope(*s).declared && under(path, &shape.prefix(*s)))
        .max_by_key(|s| shape.prefix(*s).len());
    if let Some(s) = scope {
        return Some(Gov::Scope(s));
    }
    shape.app.then_some(Gov::App)
}

/// Whether a request reaches the layer of `gov`: the app policy always does; an inner one
/// when the user middleware lets the request through and every scope guard on the way passes.
fn reaches(shape: &Shape, gov: Gov, r: &Req, mw_early: bool) -> bool {
    if gov == Gov::App {
        return true;
    }
    !mw_early
        && shape
            .chain(gov.place(shape))
            .iter()
            .all(|s| r.xg || !shape.scope(*s).guarded)
}

/// Without an app policy, whether a preflight reaches the outermost policy layer on the way to
/// `gov`: that layer (a declared scope, else the handler's route) answers before any routing
/// further in, so only the guards up to it count.
fn preflight_reaches(shape: &Shape, gov: Gov, r: &Req, mw_early: bool) -> bool {
    if mw_early {
        return false;
    }
    for s in shape.chain(gov.place(shape)).into_iter().rev() {
        if shape.scope(s).guarded && !r.xg {
            return false;
        }
        if shape.scope(s).declared {
            return true;
        }
    }
    true
}

fn mw_early(shape: &Shape, r: &Req) -> bool {
    let options = matches!(r.kind, Kind::Preflight { .. })
        || matches!(&r.kind, Kind::Actual { method } if method == Method::OPTIONS);
    match shape.mw {
        Mw::RejectOptions => options,
        Mw::Limit => r.path.starts_with("/limited"),
    }
}

/// Checks one outcome against the reference (invariants 1, 2 and 4).
fn check(shape: &Shape, r: &Req, out: &Outcome) -> Result<(), TestCaseError> {
    let got = &out.answer;
    prop_assert!(got.acao().len() <= 1, "two ACAO: {:?}", got);
    prop_assert!(got.vary_origin() <= 1, "Origin twice in Vary: {:?}", got);
    let early = mw_early(shape, r);
    match &r.kind {
        Kind::Preflight { acrm, acrh } => {
            let origin = r.origin.unwrap();
            // Who answers: the app policy before routing, else whatever routing reaches.
            let gov = governing(shape, r.path, acrm)
                .filter(|gov| shape.app || preflight_reaches(shape, *gov, r, early));
            if shape.app {
                prop_assert!(!out.user_code_ran, "user code ran on a preflight");
            }
            match gov {
                None => {
                    prop_assert!(!got.has_allow(), "no policy governs, got {:?}", got);
                }
                Some(gov) => {
                    let granted = gov.origin() == origin
                        && gov.allows_method(acrm)
                        && acrh.is_none_or(|h| gov.allows_header(h));
                    if granted {
                        prop_assert_eq!(got.status, StatusCode::NO_CONTENT, "{:?}: {:?}", gov, got);
                        prop_assert_eq!(got.acao(), vec![origin], "{:?}", gov);
                    } else {
                        prop_assert_eq!(got.status, StatusCode::FORBIDDEN, "{:?}: {:?}", gov, got);
                        prop_assert!(!got.has_allow(), "refused with grant: {:?}", got);
                    }
                }
            }
        }
        Kind::Actual { method } => {
            let gov = governing(shape, r.path, method);
            let acao = got.acao();
            if let Some(&granted) = acao.first() {
                prop_assert_eq!(Some(granted), r.origin, "ACAO is not the request's origin");
                prop_assert_eq!(
                    gov.map(Gov::origin),
                    Some(granted),
                    "granted by a policy other than the governing {:?}",
                    gov
                );
            }
            // Stronger: the governing policy grants whenever its layer is reached.
            let want = r.origin.filter(|o| {
                gov.is_some_and(|gov| gov.origin() == *o && reaches(shape, gov, r, early))
            });
            prop_assert_eq!(
                acao.first().copied(),
                want,
                "governing {:?}: {:?}",
                gov,
                got
            );
        }
    }
    Ok(())
}

fn case() -> impl Strategy<Value = (Shape, Vec<(Req, Hostile)>, Vec<Req>)> {
    (
        shape(),
        prop_oneof![
            1 => Just(Vec::new()),
            1 => vec((request(), hostile()), 1..4),
        ],
        vec(request(), 1..10),
    )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 10_000,
        // Failures are kept next to this file, as `<stem>.proptest-regressions`: the default would
        // put them under `tests/tests/proptest-regressions/`, since this file is below a `main.rs`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    /// The runtime answers as the reference, the same way every time.
    #[test]
    fn nesting_answers_as_the_model((shape, hostile, requests) in case()) {
        let (hostile_out, first, second) = run(&shape, &hostile, &requests);
        for ((r, h), out) in hostile.iter().zip(&hostile_out) {
            check(&shape, r, out).map_err(|e| {
                TestCaseError::fail(format!("hostile {h:?} {r:?}: {e}"))
            })?;
        }
        for (i, (r, out)) in requests.iter().zip(&first).enumerate() {
            check(&shape, r, out).map_err(|e| {
                TestCaseError::fail(format!("request {i} {r:?}: {e}"))
            })?;
            // Invariant 3: the same answer in a second app, and for every repeat.
            prop_assert_eq!(&out.answer, &second[i].answer, "second app, request {} {:?}", i, r);
            for (j, earlier) in requests[..i].iter().enumerate() {
                if earlier == r {
                    prop_assert_eq!(&first[j].answer, &out.answer, "repeat of {}: {:?}", j, r);
                }
            }
        }
        // A hostile request answers as the same request without the hostile header.
        for ((r, h), out) in hostile.iter().zip(&hostile_out) {
            if let Some(i) = requests.iter().position(|q| q == r) {
                prop_assert_eq!(&out.answer, &first[i].answer, "hostile {:?} {:?}", h, r);
            }
        }
    }
}
