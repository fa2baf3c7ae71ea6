//! Property tests: the runtime's answers (status and exact set of CORS headers) equal the
//! reference model's (`tests/reference/model.rs`, written from the Fetch standard and the
//! documented behaviour) for arbitrary policies and arbitrary requests; and arbitrary origin
//! entries either validate and are then exactly what a browser sends, or are refused with an
//! error, never a panic.
//!
//! `PROPTEST_CASES` sets the number of cases (256 by default, as in CI); run 100,000 locally with
//! `PROPTEST_CASES=100000 cargo test -p cors-tests --release --test it reference_model`.

use super::reference;

use cors_policy::origin::{parse_origin, OriginSpec};
use cors_policy::{Origins, Policy};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

use reference::harness::{check_origin_entry, check_policy};
use reference::model::{decide, RefRequest};
use reference::runtime::{answer, to_ref};

// ---------------------------------------------------------------------------------------------
// Policies

const EXACT_POOL: &[&str] = &[
    "https://app.example.com",
    "https://example.com",
    "https://admin.example.com",
    "http://localhost:3000",
    "http://localhost",
    "http://127.0.0.1:8080",
    "http://[::1]:5173",
    "https://xn--bcher-kva.example",
    "https://example.com:8443",
    "wss://socket.example.com",
    "tauri://localhost",
];

const PATTERN_POOL: &[&str] = &[
    "https://*.example.com",
    "https://*.example.net:8443",
    "http://localhost:*",
    "http://[::1]:*",
    "https://*.a.example.org:*",
    "http://127.0.0.1:*",
];

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "QUERY",
];

const HEADERS: &[&str] = &[
    "content-type",
    "x-api-key",
    "authorization",
    "x-requested-with",
    "x_y",
];

fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(pool, 0..=pool.len())
        .prop_shuffle()
        .prop_map(|v| v.into_iter().map(String::from).collect())
}

fn exact_origins() -> impl Strategy<Value = Vec<String>> {
    // Up to a dozen origins: lists longer than four go to the runtime's hash table.
    (
        subset(EXACT_POOL),
        vec(0u16..2000, 0..10).prop_map(|ns| {
            ns.into_iter()
                .map(|n| format!("https://h{n}.example.org"))
                .collect::<Vec<_>>()
        }),
    )
        .prop_map(|(mut a, b)| {
            for o in b {
                if !a.contains(&o) {
                    a.push(o);
                }
            }
            a
        })
}

fn names() -> impl Strategy<Value = Vec<String>> {
    (subset(HEADERS), vec("[a-z0-9][a-z0-9_-]{0,10}", 0..3)).prop_map(|(mut a, b)| {
        for n in b {
            if !a.contains(&n) {
                a.push(n);
            }
        }
        a
    })
}

prop_compose! {
    fn policy()(
        any_origin in prop::bool::weighted(0.15),
        exact in exact_origins(),
        patterns in subset(PATTERN_POOL),
        credentials in any::<bool>(),
        allow_methods in subset(METHODS),
        routed in prop::option::weighted(0.6, subset(METHODS)),
        allow_headers in names(),
        allow_any_header in prop::bool::weighted(0.3),
        echo_request_headers in prop::bool::weighted(0.3),
        expose_headers in subset(&["X-Request-Id", "ETag", "Content-Range"]),
        expose_any_header in prop::bool::weighted(0.2),
        max_age in prop::option::of(0u32..100_000),
    ) -> Policy {
        let mut exact = exact;
        let patterns: Vec<_> = patterns
            .iter()
            .map(|p| match parse_origin(p) {
                Ok(OriginSpec::Pattern(p)) => p,
                other => panic!("{p}: {other:?}"),
            })
            .collect();
        if exact.is_empty() && patterns.is_empty() {
            exact.push("https://app.example.com".into());
        }
        let named = Policy {
            origins: if any_origin { Origins::Any } else { Origins::List { exact, patterns } },
            credentials: credentials && !any_origin,
            allow_methods,
            routed_methods: None,
            allow_headers,
            allow_any_header,
            // Never with `"*"` (refused at compile time).
            echo_request_headers: echo_request_headers && !allow_any_header,
            expose_headers,
            expose_any_header,
            max_age,
            allow_insecure_origins: false,
            origin_sources: Vec::new(),
        };
        match routed {
            // What the macro encodes for a route: the policy narrowed to the route's methods.
            Some(mut routed) => {
                if routed.is_empty() {
                    routed.push("GET".into());
                }
                Policy { routed_methods: Some(routed.clone()), ..named }.for_route(&routed)
            }
            None => named,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Requests, biased towards what the policy allows and its near misses

fn mutate(origin: String) -> BoxedStrategy<String> {
    let o = origin.clone();
    prop_oneof![
        4 => Just(o.clone()),
        1 => Just(o.to_uppercase()),
        1 => Just(format!("{o}/")),
        1 => Just(format!("{o}:443")),
        1 => Just(format!("{o}.evil.com")),
        1 => Just(format!("x{o}")),
        1 => Just(o.replacen("https://", "http://", 1)),
        1 => Just(o.replacen("http://", "https://", 1)),
        1 => Just(format!("{o}\u{e9}")),
    ]
    .boxed()
}

/// An origin a pattern may match: `*.` and `:*` filled in, well or badly.
fn instantiate(pattern: String) -> BoxedStrategy<String> {
    let labels = prop_oneof![
        4 => "[a-z0-9_-]{1,6}(\\.[a-z0-9]{1,3}){0,2}",
        1 => Just(String::new()),
        1 => Just("A".to_owned()),
        1 => Just("a..b".to_owned()),
        1 => Just("a".repeat(64)),
        1 => Just(format!("{}.b", "a".repeat(63))),
        1 => Just(["abcdefghi"; 25].join(".")),
        1 => Just("evil.com/".to_owned()),
    ];
    let port = prop_oneof![
        3 => Just(String::new()),
        3 => (1u32..65536).prop_map(|p| format!(":{p}")),
        1 => Just(":8443".to_owned()),
        1 => Just(":0".to_owned()),
        1 => Just(":65536".to_owned()),
        1 => Just(":080".to_owned()),
        1 => Just(":".to_owned()),
        1 => Just(":+80".to_owned()),
    ];
    (labels, port)
        .prop_map(move |(labels, port)| {
            let o = pattern.replace("*.", &format!("{labels}."));
            match o.strip_suffix(":*") {
                Some(base) => format!("{base}{port}"),
                None if port.is_empty() || port.len() % 2 == 0 => o,
                None => format!("{o}{port}"),
            }
        })
        .boxed()
}

fn origin_value(policy: &Policy) -> BoxedStrategy<Vec<u8>> {
    let mut known: Vec<String> = EXACT_POOL.iter().map(|s| s.to_string()).collect();
    let mut patterns: Vec<String> = PATTERN_POOL.iter().map(|s| s.to_string()).collect();
    if let Origins::List { exact, patterns: p } = &policy.origins {
        known.extend(exact.iter().cloned());
        patterns.extend(p.iter().map(|p| p.to_string()));
    }
    prop_oneof![
        6 => select(known).prop_flat_map(mutate),
        6 => select(patterns).prop_flat_map(instantiate),
        1 => Just("null".to_owned()),
        1 => Just(String::new()),
        1 => "[ -~]{0,30}",
    ]
    .prop_map(String::into_bytes)
    .boxed()
}

fn method_token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(METHODS).prop_map(String::from),
        1 => select(METHODS).prop_map(|m| m.to_lowercase()),
        1 => "[A-Za-z]{1,7}",
    ]
}

fn acrh_value() -> impl Strategy<Value = Vec<u8>> {
    let name = prop_oneof![
        6 => select(HEADERS).prop_map(String::from),
        2 => select(HEADERS).prop_map(|h| h.to_uppercase()),
        1 => Just("Content-Type".to_owned()),
        2 => Just(String::new()),
        1 => "[a-z0-9_-]{1,10}",
        // Names an echo must never grant.
        1 => select(&["cookie", "Sec-Fetch-Mode", "proxy-x", "host", "Authorization"][..]).prop_map(String::from),
        1 => Just("x y".to_owned()),
        1 => Just("x(y)".to_owned()),
        1 => Just("x-\u{e9}".to_owned()),
        1 => Just("x-long-".repeat(12)),
    ];
    let separator = select(vec![",", ", ", " , ", ",\t", ",,"]);
    prop_oneof![
        8 => vec((name, separator), 0..6).prop_map(|parts| {
            let mut s = String::new();
            for (i, (n, sep)) in parts.into_iter().enumerate() {
                if i > 0 {
                    s.push_str(sep);
                }
                s.push_str(&n);
            }
            s
        }),
        1 => (0usize..40).prop_map(|n| ",".repeat(n)),
        1 => (0usize..9000).prop_map(|n| "a".repeat(n)),
    ]
    .prop_map(String::into_bytes)
}

fn request(policy: &Policy) -> impl Strategy<Value = RefRequest> {
    (
        prop_oneof![3 => Just("OPTIONS".to_owned()), 2 => method_token()],
        vec(origin_value(policy), 0..3),
        vec(method_token().prop_map(String::into_bytes), 0..3),
        vec(acrh_value(), 0..4),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(method, origins, acrms, acrhs, vary)| {
            let mut headers = Vec::new();
            let mut add = |name: &str, values: Vec<Vec<u8>>| {
                headers.extend(values.into_iter().map(|v| (name.to_owned(), v)))
            };
            add("origin", origins);
            add("access-control-request-method", acrms);
            add("access-control-request-headers", acrhs);
            if vary {
                add("vary", vec![b"Accept-Encoding".to_vec()]);
            }
            RefRequest { method, headers }
        })
}

fn policy_and_requests() -> impl Strategy<Value = (Policy, Vec<RefRequest>)> {
    policy().prop_flat_map(|p| {
        let requests = vec(request(&p), 1..6);
        (Just(p), requests)
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Shrinking a runtime disagreement is cheap; a persistence file keeps failures.
        max_shrink_iters: 10_000,
        // Failures are kept next to this file, as `<stem>.proptest-regressions`: the default would
        // put them under `tests/tests/proptest-regressions/`, since this file is below a `main.rs`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    /// The runtime and the model agree on the status and the exact CORS headers.
    #[test]
    fn runtime_answers_as_the_model((policy, requests) in policy_and_requests()) {
        check_policy(&policy);
        let model = to_ref(&policy);
        for (sent, got) in answer(&policy, &requests) {
            let want = decide(&model, &sent);
            prop_assert_eq!(got, want, "request {:?}", sent);
        }
    }

    /// Arbitrary entries never panic the origin grammar; accepted exact origins are the URL
    /// standard's own serialization, and the runtime matches exactly them.
    #[test]
    fn origin_entries_validate_or_are_refused(entry in prop_oneof![
        4 => "(https?|wss?|ftp|tauri|HTTP)://[a-zA-Z0-9.:\\[\\]*_%@/\u{e9}\u{0}\u{1f} -]{0,24}",
        2 => "(https?)://(xn--)?[a-z0-9.-]{1,12}(:[0-9]{1,6})?",
        2 => "http://\\[[0-9a-fA-F:.]{0,20}\\](:[0-9]{1,5})?",
        1 => any::<String>(),
        1 => "\\PC{0,20}",
    ]) {
        check_origin_entry(&entry);
        if let Ok(OriginSpec::Exact(exact)) = parse_origin(&entry) {
            let policy = Policy {
                origins: Origins::List { exact: vec![exact.clone()], patterns: Vec::new() },
                credentials: false,
                allow_methods: Vec::new(),
                routed_methods: None,
                allow_headers: Vec::new(),
                allow_any_header: false,
                echo_request_headers: false,
                expose_headers: Vec::new(),
                expose_any_header: false,
                max_age: None,
                allow_insecure_origins: false,
                origin_sources: Vec::new(),
            };
            let variants = [
                exact.clone(),
                exact.to_uppercase(),
                format!("{exact}/"),
                format!("{exact}:443"),
                format!("{exact} "),
                exact.trim_end_matches(char::is_numeric).to_owned(),
            ];
            let requests: Vec<RefRequest> = variants
                .iter()
                .map(|o| RefRequest {
                    method: "GET".into(),
                    headers: vec![("origin".into(), o.clone().into_bytes())],
                })
                .collect();
            for (sent, got) in answer(&policy, &requests) {
                let origin = String::from_utf8(sent.headers[0].1.clone()).unwrap();
                let granted = got
                    .headers
                    .iter()
                    .any(|(n, v)| n == "access-control-allow-origin" && *v == origin);
                prop_assert_eq!(granted, origin == exact, "{:?} for entry {:?}", origin, exact);
            }
        }
    }
}

/// The model is not vacuous: a wrong model fails (a hand-made disagreement).
#[test]
fn a_wrong_answer_is_caught() {
    let policy = reference::harness::policy_from_bytes([0, 1, 1, 1, 1, 0]).unwrap();
    let request = RefRequest {
        method: "OPTIONS".into(),
        headers: vec![
            ("origin".into(), b"https://app.example.com".to_vec()),
            ("access-control-request-method".into(), b"GET".to_vec()),
            (
                "access-control-request-headers".into(),
                b"content-type".to_vec(),
            ),
        ],
    };
    let (sent, got) = answer(&policy, &[request]).pop().unwrap();
    let want = decide(&to_ref(&policy), &sent);
    assert_eq!(got.status, 204);
    assert_eq!(got, want);
    let mut wrong = to_ref(&policy);
    wrong.allow_headers.clear();
    assert_ne!(got, decide(&wrong, &sent));
}
