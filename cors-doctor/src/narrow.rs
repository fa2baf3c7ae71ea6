//! Narrowing a refused preflight: which part of it (origin, method, headers) the server refuses.

use serde::Serialize;

use crate::*;

/// What a refused preflight refuses, found by sending variations of it: strict servers (such as
/// `#[cors]`, as the Fetch standard suggests) refuse a preflight with no CORS header at all,
/// whatever part of it they refuse, so the browser only ever says the origin header is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalId {
    /// Granted without the request headers: some of them are refused.
    HeadersRefused,
    /// Granted for GET without headers, not for the method.
    MethodRefused,
    /// Not even a GET preflight without headers is granted: the origin is refused, or the
    /// server does not answer preflights on this path.
    OriginRefused,
    /// The same origin gets `Access-Control-Allow-Origin` on a plain GET, but the preflight
    /// answer lacks it (nginx's `add_header` inside `if ($request_method = OPTIONS)` drops the
    /// inherited ones).
    PreflightLacksAllowOrigin,
}

impl RefusalId {
    /// The stable identifier, as serialised.
    pub fn id(self) -> &'static str {
        match self {
            Self::HeadersRefused => "headers-refused",
            Self::MethodRefused => "method-refused",
            Self::OriginRefused => "origin-refused",
            Self::PreflightLacksAllowOrigin => "preflight-lacks-allow-origin",
        }
    }
}

/// The narrowed cause of a refused preflight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Which part is refused.
    pub id: RefusalId,
    /// In plain words.
    pub detail: String,
    /// What to do.
    pub fix: String,
}

/// `true` when `response` grants `origin` (`Access-Control-Allow-Origin` is the origin or `*`).
pub fn grants(origin: &str, response: &Response) -> bool {
    matches!(response.get(ACAO), Some(v) if v == origin || v == "*")
}

/// A variation of a refused preflight, sent to find what is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variation {
    /// `Access-Control-Request-Method`.
    pub method: String,
    /// `Access-Control-Request-Headers`, if any.
    pub headers: Option<String>,
}

/// The variations worth sending when `preflight` got no `Access-Control-Allow-Origin`: without
/// the request headers, each header alone, and GET without headers.
pub fn variations(preflight: &PreflightPlan) -> Vec<Variation> {
    let mut out = Vec::new();
    if !preflight.unsafe_headers.is_empty() {
        out.push(Variation {
            method: preflight.request_method.clone(),
            headers: None,
        });
        if preflight.unsafe_headers.len() > 1 {
            for name in &preflight.unsafe_headers {
                out.push(Variation {
                    method: preflight.request_method.clone(),
                    headers: Some(name.clone()),
                });
            }
        }
    }
    if preflight.request_method != "GET" {
        out.push(Variation {
            method: "GET".into(),
            headers: None,
        });
    }
    out
}

/// The preflight headers of a variation.
pub fn variation_headers(origin: &str, variation: &Variation) -> Vec<(String, String)> {
    let plan = PreflightPlan {
        request_method: variation.method.clone(),
        request_headers: variation.headers.clone(),
        unsafe_headers: Vec::new(),
        reasons: Vec::new(),
    };
    preflight_request_headers(origin, &plan)
}

/// What the answers to the [`variations`] say is refused. `preflight_answer` is the refused
/// preflight's answer, `simple_get` the answer to a plain `GET` of the URL with the same
/// `Origin` (the evidence that the origin is granted outside preflights).
pub fn narrow_refusal(
    origin: &str,
    preflight: &PreflightPlan,
    preflight_answer: &Response,
    simple_get: Option<&Response>,
    answers: &[(Variation, Response)],
) -> Option<Refusal> {
    let get_grant = simple_get
        .filter(|r| grants(origin, r))
        .and_then(|r| r.get(ACAO));
    let lists: Vec<String> = [ACAM, ACAH]
        .iter()
        .filter_map(|name| preflight_answer.get(name).map(|v| format!("`{name}: {v}`")))
        .collect();
    if let (Some(granted), false) = (&get_grant, lists.is_empty()) {
        return Some(Refusal {
            id: RefusalId::PreflightLacksAllowOrigin,
            detail: format!("the preflight answer lacks `{ACAO}` although it carries {} and a GET from the same origin gets `{ACAO}: {granted}`: the server's OPTIONS branch drops the header (nginx: an `add_header` inside `if ($request_method = OPTIONS)` replaces every inherited `add_header`)", lists.join(" and ")),
            fix: format!("send `{ACAO}` (and `{ACAC}` if credentials are used) on the preflight answer too (nginx: repeat the `add_header` lines inside the `if` block)"),
        });
    }
    let granted = |method: &str, headers: Option<&str>| {
        answers
            .iter()
            .find(|(v, _)| v.method == method && v.headers.as_deref() == headers)
            .map(|(_, r)| grants(origin, r))
    };
    let method = preflight.request_method.as_str();
    if !preflight.unsafe_headers.is_empty() && granted(method, None) == Some(true) {
        let refused: Vec<&str> = if preflight.unsafe_headers.len() > 1 {
            preflight
                .unsafe_headers
                .iter()
                .filter(|h| granted(method, Some(h.as_str())) == Some(false))
                .map(String::as_str)
                .collect()
        } else {
            preflight
                .unsafe_headers
                .iter()
                .map(String::as_str)
                .collect()
        };
        let names = if refused.is_empty() {
            format!("the combination {}", preflight.unsafe_headers.join(", "))
        } else {
            refused.join(", ")
        };
        return Some(Refusal {
            id: RefusalId::HeadersRefused,
            detail: format!("the server grants this origin and {method} without request headers, but refuses the request header(s) {names}"),
            fix: format!("allow {names} in the server's CORS policy (allowed request headers), or stop sending them"),
        });
    }
    if method != "GET" && granted("GET", None) == Some(true) {
        return Some(Refusal {
            id: RefusalId::MethodRefused,
            detail: format!("the server grants this origin a GET preflight, but not {method}: the method is not allowed on this path (or no handler serves it)"),
            fix: format!("allow {method} in the server's CORS policy for this path (and make sure a route serves it)"),
        });
    }
    if let Some(granted) = &get_grant {
        if answers.iter().all(|(_, r)| !grants(origin, r)) {
            return Some(Refusal {
                id: RefusalId::PreflightLacksAllowOrigin,
                detail: format!("a GET from this origin gets `{ACAO}: {granted}`, but no preflight on this path is granted (status {}, no `{ACAO}`): OPTIONS requests here do not reach the CORS layer, or it refuses every preflight", preflight_answer.status),
                fix: "answer preflights (OPTIONS with Access-Control-Request-Method) on this path with the same grant, before authentication and routing".into(),
            });
        }
    }
    if answers.is_empty() || answers.iter().all(|(_, r)| !grants(origin, r)) {
        return Some(Refusal {
            id: RefusalId::OriginRefused,
            detail: "no variation of the preflight (without headers, as GET) is granted: the server does not allow this origin, or does not answer preflights on this path".into(),
            fix: format!("add `{origin}` to the server's allowed origins, and make sure OPTIONS requests on this path reach the CORS layer"),
        });
    }
    None
}
