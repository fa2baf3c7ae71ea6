//! The fuzz harness: one function per fuzz target (`fuzz/fuzz_targets/*.rs`), each taking the
//! fuzzer's raw bytes. They panic only on a broken invariant. The same functions replay the
//! committed corpus under `cargo test` on stable (`tests/tests/it/model/fuzz_corpus.rs`).

use actix_web::http::header::HeaderValue;
use cors_policy::origin::{parse_origin, OriginSpec};
use cors_policy::raw::{List, RawPolicy, RawSource, Route, Spanned};
use cors_policy::{Ctxt, OriginSource, Origins, Policy};

use super::model::{decide, RefRequest};
use super::runtime::{answer, to_ref};

/// Origin entries a fuzzed policy picks from (bit `i` of a byte picks entry `i`).
pub const ORIGIN_POOL: [&str; 8] = [
    "https://app.example.com",
    "http://localhost:3000",
    "https://*.example.com",
    "http://localhost:*",
    "https://*.example.net:8443",
    "http://[::1]:*",
    "https://xn--bcher-kva.example",
    "http://127.0.0.1:8080",
];
/// Methods a fuzzed policy picks from.
pub const METHOD_POOL: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "QUERY", "OPTIONS", "HEAD",
];
/// Request headers a fuzzed policy picks from.
pub const HEADER_POOL: [&str; 6] = [
    "content-type",
    "x-api-key",
    "authorization",
    "x-requested-with",
    "x_y",
    "x-a-rather-long-header-name-to-move-the-length-bound",
];
/// Exposed headers a fuzzed policy picks from.
pub const EXPOSE_POOL: [&str; 3] = ["X-Request-Id", "ETag", "Content-Range"];

fn pick<'a>(mask: u8, pool: &[&'a str]) -> Vec<&'a str> {
    pool.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, s)| *s)
        .collect()
}

/// A policy from six bytes: flags, then bit masks over the pools. Entries go through
/// `parse_origin`, as the macro's do. `None` when the policy would not validate in a way the
/// wire format carries (no origin).
pub fn policy_from_bytes(b: [u8; 6]) -> Option<Policy> {
    let [flags, origins, methods, routed, headers, expose] = b;
    let any_origin = flags & 2 != 0;
    let mut exact = Vec::new();
    let mut patterns = Vec::new();
    for entry in pick(origins, &ORIGIN_POOL) {
        match parse_origin(entry).expect("the pool holds valid entries") {
            OriginSpec::Exact(e) => exact.push(e),
            OriginSpec::Pattern(p) => patterns.push(p),
            OriginSpec::Any => unreachable!(),
        }
    }
    if !any_origin && exact.is_empty() && patterns.is_empty() {
        return None;
    }
    let allow_headers: Vec<String> = pick(headers, &HEADER_POOL)
        .into_iter()
        .map(String::from)
        .collect();
    let named = Policy {
        origins: if any_origin {
            Origins::Any
        } else {
            Origins::List { exact, patterns }
        },
        // Credentials never go with `"*"` (refused at compile time).
        credentials: flags & 1 != 0 && !any_origin,
        allow_methods: pick(methods, &METHOD_POOL)
            .into_iter()
            .map(String::from)
            .collect(),
        routed_methods: None,
        allow_headers,
        allow_any_header: flags & 4 != 0,
        // Never with `"*"` (refused at compile time).
        echo_request_headers: flags & 64 != 0 && flags & 4 == 0,
        expose_headers: pick(expose, &EXPOSE_POOL)
            .into_iter()
            .map(String::from)
            .collect(),
        expose_any_header: flags & 8 != 0,
        max_age: (flags & 32 != 0).then_some(600),
        allow_insecure_origins: false,
        origin_sources: Vec::new(),
    };
    if flags & 16 != 0 {
        return Some(named);
    }
    // A route: what the macro encodes, `for_route` of the route's methods.
    let mut routed: Vec<String> = pick(routed, &METHOD_POOL)
        .into_iter()
        .map(String::from)
        .collect();
    if routed.is_empty() {
        routed.push("GET".into());
    }
    Some(
        Policy {
            routed_methods: Some(routed.clone()),
            ..named
        }
        .for_route(&routed),
    )
}

/// Target `request`: six bytes of policy, then header lines separated by `\n`, each line's
/// first byte saying what it is (`(byte - '0') % 5`, so ASCII digits read naturally: `Origin`, ACRM, ACRH, the request method, another
/// header). The runtime's answer must equal the model's.
pub fn request(data: &[u8]) {
    if data.len() < 6 {
        return;
    }
    let Some(policy) = policy_from_bytes(data[..6].try_into().unwrap()) else {
        return;
    };
    let mut request = RefRequest {
        method: "OPTIONS".into(),
        headers: Vec::new(),
    };
    for line in data[6..].split(|&b| b == b'\n').take(32) {
        let Some((&kind, value)) = line.split_first() else {
            continue;
        };
        let name = match kind.wrapping_sub(b'0') % 5 {
            0 => "origin",
            1 => "access-control-request-method",
            2 => "access-control-request-headers",
            3 => {
                if let Ok(method) = std::str::from_utf8(value) {
                    request.method = method.to_owned();
                }
                continue;
            }
            _ => "x-other",
        };
        request.headers.push((name.to_owned(), value.to_vec()));
    }
    for (sent, got) in answer(&policy, std::slice::from_ref(&request)) {
        let want = decide(&to_ref(&policy), &sent);
        assert_eq!(
            got, want,
            "runtime (left) and model (right) differ\npolicy: {policy:?}\nrequest: {sent:?}"
        );
    }
}

/// What an accepted origin entry must be: exactly what a browser sends for it (the URL
/// standard's serialization, for the schemes that have one).
pub fn check_origin_entry(entry: &str) {
    match parse_origin(entry) {
        Ok(OriginSpec::Exact(e)) => {
            assert_eq!(e, entry, "an exact origin is kept as written");
            let scheme = entry.split_once("://").map(|(s, _)| s);
            if matches!(scheme, Some("http" | "https" | "ws" | "wss")) {
                let url = url::Url::parse(entry).expect("an accepted origin parses as a URL");
                assert_eq!(
                    url.origin().ascii_serialization(),
                    entry,
                    "an accepted origin is its own serialization"
                );
            }
        }
        Ok(OriginSpec::Any) => assert_eq!(entry, "*"),
        Ok(OriginSpec::Pattern(p)) => assert_eq!(p.to_string(), entry, "a pattern as written"),
        Err(err) => assert!(!err.message.is_empty()),
    }
}

/// The checks every validated policy passes: the wire format carries it unchanged, its header
/// values are valid, its exact origins are browser serializations.
pub fn check_policy(policy: &Policy) {
    let text = cors_policy::wire::encode(policy);
    let (decoded, texts) = cors_policy::wire::decode(&text).expect("encoded text decodes");
    assert_eq!(&decoded, policy, "wire round trip");
    for value in [
        texts.allow_methods,
        texts.allow_headers,
        texts.expose_headers,
        texts.max_age,
    ]
    .into_iter()
    .flatten()
    {
        assert!(HeaderValue::from_str(value).is_ok(), "{value:?}");
    }
    if let Origins::List { exact, patterns } = &policy.origins {
        for e in exact {
            check_origin_entry(e);
        }
        for p in patterns {
            check_origin_entry(&p.to_string());
        }
    }
}

/// Target `validate`: lines separated by `\n`, each line's first byte saying which key it is a
/// value of (`(byte - '0') % 10`): an `origins` entry, a `methods` entry, an `allow_headers` entry, an
/// `expose_headers` entry, `max_age`, `credentials`, `dangerously_allow_insecure_origins`, a
/// routed method, the value of an `env("V")` source, an entry of a `config("k")` source. The
/// values go through `validate` (as the macro runs it) and `resolve` (as start-up runs it).
pub fn validate(data: &[u8]) {
    let mut raw: RawPolicy<usize> = RawPolicy::default();
    let list = |key| List {
        key,
        items: Vec::new(),
        malformed: false,
    };
    let mut route: Option<Route<usize>> = None;
    let mut env_values: Vec<String> = Vec::new();
    let mut config_values: Vec<String> = Vec::new();
    for (n, line) in data.split(|&b| b == b'\n').take(64).enumerate() {
        let Some((&kind, value)) = line.split_first() else {
            continue;
        };
        let value = String::from_utf8_lossy(value).into_owned();
        check_origin_entry(&value);
        let item = Spanned::new(value.clone(), n);
        match kind.wrapping_sub(b'0') % 10 {
            0 => raw
                .origins
                .get_or_insert_with(|| list(100))
                .items
                .push(item),
            1 => raw
                .methods
                .get_or_insert_with(|| list(101))
                .items
                .push(item),
            2 => raw
                .allow_headers
                .get_or_insert_with(|| list(102))
                .items
                .push(item),
            3 => raw
                .expose_headers
                .get_or_insert_with(|| list(103))
                .items
                .push(item),
            4 => raw.max_age = Some(Spanned::new(value.parse().ok(), n)),
            5 => raw.credentials = Some(Spanned::new(!value.is_empty(), n)),
            6 => raw.dangerously_allow_insecure_origins = Some(Spanned::new(!value.is_empty(), n)),
            7 => route
                .get_or_insert_with(|| Route {
                    methods: Vec::new(),
                })
                .methods
                .push(item),
            8 => env_values.push(value),
            _ => config_values.push(value),
        }
    }
    if !env_values.is_empty() {
        raw.origin_sources.push(RawSource {
            source: OriginSource::Env {
                var: "V".into(),
                default: None,
            },
            span: 200,
            default_span: 200,
        });
    }
    if !config_values.is_empty() {
        raw.origin_sources.push(RawSource {
            source: OriginSource::Config { key: "k".into() },
            span: 201,
            default_span: 201,
        });
    }
    for route in [route.as_ref(), None] {
        let mut cx = Ctxt::default();
        let validated = cors_policy::validate(&mut cx, &raw, route, 300);
        for d in cx.diagnostics() {
            let _ = d.render();
        }
        let Some(policy) = validated else {
            assert!(cx.has_errors(), "refused without an error");
            continue;
        };
        check_policy(&policy);
        // Start-up: the sources resolved with the fuzzed values, by the same checks.
        let env_value = env_values.join(",");
        let resolved = cors_policy::resolve(
            "P",
            &policy,
            |var| (var == "V").then(|| env_value.clone()),
            (!config_values.is_empty()).then_some(("k", config_values.as_slice())),
        );
        match resolved {
            Ok(cors_policy::resolve::Resolution {
                policy: resolved, ..
            }) => {
                assert!(
                    resolved.origin_sources.is_empty(),
                    "sources left unresolved"
                );
                check_policy(&resolved);
            }
            Err(findings) => {
                assert!(!findings.is_empty(), "refused without a finding");
                for f in findings {
                    let _ = f.to_string();
                }
            }
        }
    }
}

/// Target `wire`: the decoder never panics, and what it accepts it carries unchanged through an
/// encode-decode round trip, with valid header values.
pub fn wire(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((policy, texts)) = cors_policy::wire::decode(text) else {
        return;
    };
    for value in [
        texts.allow_methods,
        texts.allow_headers,
        texts.expose_headers,
        texts.max_age,
    ]
    .into_iter()
    .flatten()
    {
        // The runtime builds these with `HeaderValue::from_static`, which panics on others.
        assert!(HeaderValue::from_str(value).is_ok(), "{value:?}");
    }
    let again = cors_policy::wire::encode(&policy);
    // The one documented normalisation: `encode` writes line breaks in a `config` key or an
    // `env` default as spaces (they are separators there), which text written by hand may hold.
    let mut expected = policy.clone();
    for source in &mut expected.origin_sources {
        match source {
            OriginSource::Env {
                default: Some(d), ..
            } => *d = d.replace(['\n', '\r'], " "),
            OriginSource::Config { key } => *key = key.replace(['\n', '\r'], " "),
            OriginSource::Env { default: None, .. } => {}
        }
    }
    match cors_policy::wire::decode(&again) {
        Ok((decoded, _)) => assert_eq!(decoded, expected, "round trip of {text:?} via {again:?}"),
        Err(e) => panic!("re-encoded policy does not decode: {e}\n{text:?}\n{again:?}"),
    }
}
