//! The real runtime, driven through actix-web's test utilities: a policy mounted as `#[cors]`
//! mounts it on a route (`RoutePolicy`, as `cors-macros/src/expand.rs` generates) or as an
//! app-wide named policy (`Cors`), requests sent, and the status and CORS headers of each
//! response read back in the model's terms.

use std::cell::RefCell;
use std::collections::HashMap;

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::{test, web, App, HttpResponse};
use cors_policy::{HostPattern, Origins, Policy, PortPattern};
use cors_runtime::__private::RoutePolicy;
use cors_runtime::Cors;

use super::model::{RefOrigins, RefPattern, RefPolicy, RefRequest, RefResponse};

/// The path every policy is mounted on.
pub const PATH: &str = "/p";

thread_local! {
    static SYSTEM: actix_web::rt::SystemRunner = actix_web::rt::System::new();
    /// Policy texts leaked once each (the runtime keeps `&'static str`), so that running the
    /// same policy again leaks nothing more.
    static TEXTS: RefCell<HashMap<String, &'static str>> = RefCell::new(HashMap::new());
    /// `__private::resolve` leaks its compiled policy: one per distinct text.
    static NAMED: RefCell<HashMap<&'static str, Cors>> = RefCell::new(HashMap::new());
}

fn leaked(text: String) -> &'static str {
    TEXTS.with(|t| {
        *t.borrow_mut()
            .entry(text)
            .or_insert_with_key(|k| Box::leak(k.clone().into_boxed_str()))
    })
}

/// The model's view of a validated policy.
pub fn to_ref(policy: &Policy) -> RefPolicy {
    RefPolicy {
        origins: match &policy.origins {
            Origins::Any => None,
            Origins::List { exact, patterns } => Some(RefOrigins {
                exact: exact.clone(),
                patterns: patterns
                    .iter()
                    .map(|p| RefPattern {
                        scheme: p.scheme.clone(),
                        host: match &p.host {
                            HostPattern::Exact(h) => Ok(h.clone()),
                            HostPattern::Subdomains(b) => Err(b.clone()),
                        },
                        port: match p.port {
                            PortPattern::Default => None,
                            PortPattern::Any => Some(None),
                            PortPattern::Exact(n) => Some(Some(n)),
                        },
                    })
                    .collect(),
            }),
        },
        credentials: policy.credentials,
        allow_methods: policy.allow_methods.clone(),
        routed: policy.routed_methods.clone(),
        allow_headers: policy.allow_headers.clone(),
        allow_any_header: policy.allow_any_header,
        echo_request_headers: policy.echo_request_headers,
        expose_headers: policy.expose_headers.clone(),
        expose_any_header: policy.expose_any_header,
        max_age: policy.max_age,
    }
}

/// A request the runtime can be sent: a method token and valid header values. `None` otherwise
/// (actix-web itself refuses such requests before any middleware sees them).
fn test_request(request: &RefRequest) -> Option<actix_web::test::TestRequest> {
    let method = Method::from_bytes(request.method.as_bytes()).ok()?;
    let mut req = test::TestRequest::default().method(method).uri(PATH);
    for (name, value) in &request.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(value).ok()?;
        req = req.append_header((name, value));
    }
    Some(req)
}

/// A route under `#[cors]` with the policy of this text, registered as the code `#[cors]`
/// generates registers it: `RouteParts::resource`, the handler, `RouteParts::register`.
struct Route(&'static str);

impl HttpServiceFactory for Route {
    fn register(self, config: &mut AppService) {
        let parts = RoutePolicy::new(self.0, "h").route(PATH, false);
        let resource = parts
            .resource(PATH, "h")
            .to(|| async { HttpResponse::Ok().finish() });
        parts.register(resource, config);
    }
}

/// `true` when [`answer`] can send `request` (see [`test_request`]).
pub fn sendable(request: &RefRequest) -> bool {
    test_request(request).is_some()
}

/// The runtime's answers to `requests` under `policy`, mounted on a route when it has routed
/// methods, app-wide (a named policy) otherwise. Requests that cannot be sent are skipped.
pub fn answer(policy: &Policy, requests: &[RefRequest]) -> Vec<(RefRequest, RefResponse)> {
    let text = leaked(cors_policy::wire::encode(policy));
    let requests: Vec<_> = requests
        .iter()
        .filter_map(|r| Some((r.clone(), test_request(r)?)))
        .collect();
    SYSTEM.with(|system| {
        system.block_on(async {
            let mut out = Vec::new();
            if policy.routed_methods.is_some() {
                let app = test::init_service(App::new().service(Route(text))).await;
                for (r, req) in requests {
                    let res = test::call_service(&app, req.to_request()).await;
                    out.push((r, read(res.status().as_u16(), res.headers())));
                }
            } else {
                let cors = NAMED.with(|n| {
                    *n.borrow_mut().entry(text).or_insert_with(|| {
                        cors_runtime::__private::resolve("P", text)
                            .expect("no origins from the environment")
                    })
                });
                let app = test::init_service(
                    App::new()
                        .wrap(cors)
                        .service(web::resource(PATH).to(|| async { HttpResponse::Ok().finish() })),
                )
                .await;
                for (r, req) in requests {
                    let res = test::call_service(&app, req.to_request()).await;
                    out.push((r, read(res.status().as_u16(), res.headers())));
                }
            }
            out
        })
    })
}

/// The status and the CORS headers of a response, sorted.
fn read(status: u16, headers: &actix_web::http::header::HeaderMap) -> RefResponse {
    let mut cors: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-") || name.as_str() == "vary")
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    cors.sort();
    RefResponse {
        status,
        headers: cors,
    }
}
