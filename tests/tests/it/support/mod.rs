//! The harness shared by `conformance.rs` and `actix_cors_port.rs`: requests, expected
//! outcomes and headers, and `run`, which sends every case of a table to an app and checks it.
//! Each test file keeps its own handlers and `app()`; handlers count their calls with [`hit`].

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{test, App, Error};

// ---------------------------------------------------------------------------------------------
// Handler call counter. `#[actix_web::test]` runs the app on the test's own thread, so a
// thread-local counter is exact even while other tests run in parallel.

thread_local! {
    static HITS: Cell<u32> = const { Cell::new(0) };
}

/// Called by every handler of the test apps.
pub(crate) fn hit() {
    HITS.with(|h| h.set(h.get() + 1));
}

fn hits() -> u32 {
    HITS.with(Cell::get)
}

// ---------------------------------------------------------------------------------------------
// Requests.

pub(crate) struct Req {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<&'static str>,
}

pub(crate) fn req(method: Method, path: &str) -> Req {
    Req {
        method,
        path: path.to_owned(),
        headers: Vec::new(),
        body: None,
    }
}

pub(crate) fn get(path: &str) -> Req {
    req(Method::GET, path)
}

pub(crate) fn post(path: &str) -> Req {
    req(Method::POST, path)
}

pub(crate) fn opts(path: &str) -> Req {
    req(Method::OPTIONS, path)
}

/// A preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
pub(crate) fn pf(path: &str, origin: &str, method: &str) -> Req {
    opts(path).origin(origin).acrm(method)
}

impl Req {
    /// Appends a header line (a name may repeat).
    pub(crate) fn bytes(mut self, name: &str, value: &[u8]) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("valid header name");
        let value = HeaderValue::from_bytes(value).expect("valid header value");
        self.headers.push((name, value));
        self
    }

    /// The request body.
    pub(crate) fn body(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn h(self, name: &str, value: &str) -> Self {
        self.bytes(name, value.as_bytes())
    }

    pub(crate) fn origin(self, origin: &str) -> Self {
        self.h("origin", origin)
    }

    pub(crate) fn acrm(self, method: &str) -> Self {
        self.h("access-control-request-method", method)
    }

    pub(crate) fn acrh(self, names: &str) -> Self {
        self.h("access-control-request-headers", names)
    }

    fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|(n, _)| n.as_str() == name)
    }

    fn is_preflight_shaped(&self) -> bool {
        self.method == Method::OPTIONS
            && self.has("origin")
            && self.has("access-control-request-method")
    }

    pub(crate) fn build(&self) -> test::TestRequest {
        let mut t = test::TestRequest::default()
            .method(self.method.clone())
            .uri(&self.path);
        for (name, value) in &self.headers {
            t = t.append_header((name.clone(), value.clone()));
        }
        if let Some(body) = self.body {
            t = t.set_payload(body);
        }
        t
    }
}

// ---------------------------------------------------------------------------------------------
// Expectations.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// No `Origin`: an ordinary request, handled as usual.
    NotCors,
    /// An actual CORS request (`Origin`, not a preflight), handled as usual.
    Actual,
    /// A preflight answered by `#[cors]` with a grant, without calling the handler.
    Granted,
    /// A preflight answered by `#[cors]` with a refusal, without calling the handler.
    Refused,
    /// A preflight for a method no `#[cors]` handler of the path serves: not answered by us.
    FallsThrough,
}
use Outcome::*;

pub(crate) const ACAO: &str = "access-control-allow-origin";
pub(crate) const ACAC: &str = "access-control-allow-credentials";
pub(crate) const ACAM: &str = "access-control-allow-methods";
pub(crate) const ACAH: &str = "access-control-allow-headers";
pub(crate) const ACMA: &str = "access-control-max-age";
pub(crate) const ACEH: &str = "access-control-expose-headers";
pub(crate) const VARY_: &str = "vary";
pub(crate) const PFV: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

pub(crate) type Headers = Vec<(&'static str, &'static str)>;

/// The headers of a refused preflight: only its `Vary`.
pub(crate) fn refused() -> Headers {
    vec![(VARY_, PFV)]
}

/// The headers of an actual response to a refused or absent origin.
pub(crate) fn vary_only() -> Headers {
    vec![(VARY_, "Origin")]
}

/// No CORS-related header at all.
pub(crate) fn none() -> Headers {
    Vec::new()
}

/// An actual response granted to `origin`, no credentials, nothing exposed.
pub(crate) fn granted(origin: &'static str) -> Headers {
    vec![(ACAO, origin), (VARY_, "Origin")]
}

/// A granted preflight: `ACAO`, `ACAM`, and `Vary`, plus `more`.
pub(crate) fn pf_ok(
    origin: &'static str,
    methods: &'static str,
    more: &[(&'static str, &'static str)],
) -> Headers {
    let mut h = vec![(ACAO, origin), (ACAM, methods), (VARY_, PFV)];
    h.extend_from_slice(more);
    h
}

pub(crate) struct Case {
    name: String,
    req: Req,
    outcome: Outcome,
    status: u16,
    headers: Headers,
    /// Handler calls expected; by default 1 for `NotCors`/`Actual`, 0 otherwise.
    pub(crate) runs: Option<u32>,
    body: Option<&'static str>,
    /// Non-CORS response headers that must be present.
    extra: Vec<(&'static str, &'static str)>,
}

pub(crate) fn case(
    name: impl Into<String>,
    req: Req,
    outcome: Outcome,
    status: u16,
    headers: Headers,
) -> Case {
    Case {
        name: name.into(),
        req,
        outcome,
        status,
        headers,
        runs: None,
        body: None,
        extra: Vec::new(),
    }
}

impl Case {
    /// The handler is not reached (routing, extractor or middleware failure).
    pub(crate) fn unreached(mut self) -> Self {
        self.runs = Some(0);
        self
    }

    pub(crate) fn body(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn extra(mut self, name: &'static str, value: &'static str) -> Self {
        self.extra.push((name, value));
        self
    }
}

pub(crate) fn is_cors_header(name: &str) -> bool {
    name.starts_with("access-control-") || name == "vary"
}

fn cors_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| is_cors_header(name.as_str()))
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

pub(crate) struct Observed {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// Sends `req` as actix-web's HTTP dispatcher would: an `Err` from the service becomes the
/// error's own response.
pub(crate) async fn send<S, R, B>(app: &S, req: R) -> Observed
where
    S: actix_web::dev::Service<R, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    match test::try_call_service(app, req).await {
        Ok(res) => {
            let status = res.status();
            let headers = res.headers().clone();
            let body = test::read_body(res).await.to_vec();
            Observed {
                status,
                headers,
                body,
            }
        }
        Err(err) => {
            let res = err.error_response();
            let status = res.status();
            let headers = res.headers().clone();
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            Observed {
                status,
                headers,
                body,
            }
        }
    }
}

/// Runs every case against a fresh service built from `app` and reports every failure at
/// once. Handlers count their calls with [`hit`]; `label` names the table in the
/// failure report.
///
/// `run` takes the `App`, not `test::init_service`'s service: that service is a
/// `Service<actix_http::Request>`, a type this crate cannot name without depending on
/// `actix-http` itself.
pub(crate) async fn run<T, B>(app: App<T>, label: &str, cases: Vec<Case>)
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
    let mut failures = String::new();
    let total = cases.len();
    for case in cases {
        let mut errs: Vec<String> = Vec::new();
        let shape_ok = match case.outcome {
            NotCors => !case.req.has("origin"),
            Actual => case.req.has("origin") && !case.req.is_preflight_shaped(),
            Granted | Refused | FallsThrough => case.req.is_preflight_shaped(),
        };
        if !shape_ok {
            errs.push(format!(
                "request shape does not fit outcome {:?}",
                case.outcome
            ));
        }
        let before = hits();
        let seen = send(&app, case.req.build().to_request()).await;
        let ran = hits() - before;

        let expected_runs = case.runs.unwrap_or(match case.outcome {
            NotCors | Actual => 1,
            Granted | Refused | FallsThrough => 0,
        });
        if ran != expected_runs {
            errs.push(format!(
                "handler ran {ran} time(s), expected {expected_runs}"
            ));
        }
        if seen.status.as_u16() != case.status {
            errs.push(format!(
                "status {}, expected {}",
                seen.status.as_u16(),
                case.status
            ));
        }
        let got = cors_headers(&seen.headers);
        let mut want: Vec<(String, String)> = case
            .headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        want.sort();
        if got != want {
            errs.push(format!(
                "CORS headers\n      got:  {got:?}\n      want: {want:?}"
            ));
        }
        let has_allow = got
            .iter()
            .any(|(n, _)| n.starts_with("access-control-allow-"));
        match case.outcome {
            Granted if !seen.status.is_success() || !got.iter().any(|(n, _)| n == ACAO) => {
                errs.push("a granted preflight needs a 2xx status and ACAO".into());
            }
            Refused if seen.status != StatusCode::FORBIDDEN || has_allow => {
                errs.push("a refused preflight is 403 without Access-Control-Allow-*".into());
            }
            FallsThrough if has_allow => {
                errs.push(
                    "a preflight #[cors] does not answer gets no Access-Control-Allow-*".into(),
                );
            }
            _ => {}
        }
        if let Some(body) = case.body {
            if seen.body != body.as_bytes() {
                errs.push(format!(
                    "body {:?}, expected {body:?}",
                    String::from_utf8_lossy(&seen.body)
                ));
            }
        }
        for (name, value) in &case.extra {
            let got = seen.headers.get(*name).map(|v| v.as_bytes());
            if got != Some(value.as_bytes()) {
                errs.push(format!("header {name}: {got:?}, expected {value:?}"));
            }
        }
        if !errs.is_empty() {
            let _ = writeln!(failures, "- {label}: {}:", case.name);
            for e in errs {
                let _ = writeln!(failures, "    {e}");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "failed cases of {label} (of {total}):\n{failures}"
    );
}

/// Sends `request` (raw HTTP/1.1 bytes, the connection closed after it) over a new connection
/// and returns the status (0 when the server answered nothing: it closed the connection, or no
/// connection was made) and the response's header lines, names lower-cased, in order. The server
/// may answer and close before it has read a huge request: a write error is not a failure, the
/// answer (or its absence) is what the caller judges.
pub(crate) fn exchange(addr: SocketAddr, request: &[u8]) -> (u16, Vec<(String, String)>) {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return (0, Vec::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

/// [`exchange`], keeping the CORS-related headers only, sorted.
pub(crate) fn exchange_cors(addr: SocketAddr, request: &[u8]) -> (u16, Vec<(String, String)>) {
    let (status, headers) = exchange(addr, request);
    let mut headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(n, _)| is_cors_header(n))
        .collect();
    headers.sort();
    (status, headers)
}
