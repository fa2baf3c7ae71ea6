use actix_web::http::header::HeaderName;
use cors_policy::{OriginPattern, Origins};

use super::*;
use crate::preflight::decide;

/// What the macro generates for a policy: encoded, leaked (tests only), decoded.
fn compiled(policy: &Policy) -> Compiled {
    let text: &'static str = Box::leak(cors_policy::wire::encode(policy).into_boxed_str());
    Compiled::decode(text).expect("the macro's own output decodes")
}

fn policy(allow_headers: &[&str], allow_any_header: bool) -> Compiled {
    compiled(&Policy {
        origins: cors_policy::Origins::Any,
        credentials: false,
        allow_methods: vec!["GET".into()],
        routed_methods: Some(vec!["GET".into(), "PUT".into()]),
        allow_headers: allow_headers.iter().map(|h| h.to_string()).collect(),
        allow_any_header,
        echo_request_headers: false,
        expose_headers: vec!["X-Id".into()],
        expose_any_header: false,
        max_age: Some(600),
        allow_insecure_origins: false,
        origin_sources: Vec::new(),
    })
}

#[test]
fn decoded_from_the_macro_text() {
    let p = policy(&["content-type"], false);
    assert!(!p.methods_implied, "PUT is routed but not allowed");
    assert!(p.routes_method(b"PUT") && !p.allows_method(b"PUT"));
    assert!(p.allows_method(b"GET") && !p.allows_method(b"get"));
    let value = |v: &Option<HeaderValue>| v.as_ref().map(|v| v.as_bytes().to_vec());
    assert_eq!(value(&p.headers.max_age), Some(b"600".to_vec()));
    assert_eq!(value(&p.headers.expose_headers), Some(b"X-Id".to_vec()));
    assert_eq!(value(&p.headers.allow_methods), Some(b"GET".to_vec()));
    assert_eq!(
        value(&p.headers.allow_headers),
        Some(b"content-type".to_vec())
    );
    assert_eq!(p.acrh_max_len, 2 * 14 + 64);
}

#[test]
fn the_whole_list_as_browsers_send_it_is_allowed_unsplit() {
    let p = policy(&["X-Api-Key", "content-type", "Content-Type"], false);
    assert_eq!(&*p.acrh_all, b"content-type,x-api-key");
    let check = |value: &str| {
        let mut map = HeaderMap::new();
        map.append(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_str(value).unwrap(),
        );
        p.request_headers(&map).is_ok()
    };
    assert!(check("content-type,x-api-key"));
    // Other forms take the general path, with the same answers.
    assert!(check("x-api-key, Content-Type"));
    assert!(check("content-type"));
    assert!(!check("content-type,x-api-key,x-other"));
    assert!(!check("content-type,x-api-keys"));
    assert!(policy(&[], false).acrh_all.is_empty());
}

#[test]
fn request_headers() {
    let policy = policy(&["content-type", "x-api-key"], false);
    let check = |values: &[&str]| {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(
                ACCESS_CONTROL_REQUEST_HEADERS,
                HeaderValue::from_str(v).unwrap(),
            );
        }
        policy.request_headers(&map).is_ok()
    };
    assert!(check(&[]));
    assert!(check(&["content-type,x-api-key"]));
    assert!(check(&["Content-Type, X-API-Key"]));
    assert!(check(&[" content-type ,, ,x-api-key,"]));
    assert!(check(&["content-type", "x-api-key"]));
    assert!(!check(&["content-type,authorization"]));
    assert!(!check(&["x-other"]));
    assert!(
        !check(&[&",".repeat(10_000)]),
        "oversized input is refused unread"
    );
    assert!(check(&[&",".repeat(MAX_EMPTY_ELEMENTS - 1)]));
    assert!(
        !check(&[&",".repeat(MAX_EMPTY_ELEMENTS)]),
        "too many empty elements"
    );
    let lines = vec![""; MAX_EMPTY_ELEMENTS + 1];
    assert!(!check(&lines), "empty lines count as empty elements");
}

#[test]
fn the_echo_allows_tokens_but_authorization_and_forbidden_names() {
    let echo = compiled(&Policy {
        origins: cors_policy::Origins::Any,
        credentials: false,
        allow_methods: vec!["GET".into()],
        routed_methods: Some(vec!["GET".into()]),
        allow_headers: Vec::new(),
        allow_any_header: false,
        echo_request_headers: true,
        expose_headers: Vec::new(),
        expose_any_header: false,
        max_age: None,
        allow_insecure_origins: false,
        origin_sources: Vec::new(),
    });
    assert_eq!(echo.acrh_max_len, 8 * 1024);
    let map = |values: &[&str]| {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(
                ACCESS_CONTROL_REQUEST_HEADERS,
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    };
    for ok in ["x-p-meta-a,x-p-meta-b", "X-A , x-b,,", "content-type"] {
        assert!(echo.request_headers(&map(&[ok])).is_ok(), "{ok}");
    }
    for refused in [
        "authorization",
        "x-a,Cookie",
        "sec-fetch-dest",
        "Proxy-X",
        "x(a)",
    ] {
        assert!(echo.request_headers(&map(&[refused])).is_err(), "{refused}");
    }
    let echoed = |values: &[&str]| {
        echoed_headers(&map(values)).map(|v| String::from_utf8(v.as_bytes().to_vec()).unwrap())
    };
    assert_eq!(echoed(&["x-a,x-b"]).as_deref(), Some("x-a,x-b"));
    assert_eq!(echoed(&[" X-A ,, x-b,"]).as_deref(), Some("X-A,x-b"));
    assert_eq!(echoed(&["x-b", "", "x-a"]).as_deref(), Some("x-b,x-a"));
    assert_eq!(echoed(&[]), None);
    assert_eq!(echoed(&[""]), None);
    assert_eq!(echoed(&[" , "]), None);
}

#[test]
fn wildcard_headers_never_cover_authorization() {
    let any = policy(&[], true);
    let mut map = HeaderMap::new();
    map.insert(
        ACCESS_CONTROL_REQUEST_HEADERS,
        HeaderValue::from_static("x-anything,x-else"),
    );
    assert!(any.request_headers(&map).is_ok());
    map.insert(
        ACCESS_CONTROL_REQUEST_HEADERS,
        HeaderValue::from_static("x-anything,Authorization"),
    );
    assert!(any.request_headers(&map).is_err());
    assert!(policy(&["authorization"], true)
        .request_headers(&map)
        .is_ok());
}

/// The policy the listing's and the decision's tests share: `exact` origins and `patterns`, with
/// credentials, `PUT` (a route serving `GET` and `PUT`), one allowed header, two exposed ones
/// and a max age.
pub(crate) fn sample_policy(exact: &[&str], patterns: &[OriginPattern]) -> Policy {
    Policy {
        origins: Origins::List {
            exact: exact.iter().map(|o| (*o).to_owned()).collect(),
            patterns: patterns.to_vec(),
        },
        credentials: true,
        allow_methods: vec!["PUT".into()],
        routed_methods: Some(vec!["GET".into(), "PUT".into()]),
        allow_headers: vec!["content-type".into()],
        allow_any_header: false,
        echo_request_headers: false,
        expose_headers: vec!["X-Id".into(), "X-Total".into()],
        expose_any_header: false,
        max_age: Some(300),
        allow_insecure_origins: false,
        origin_sources: Vec::new(),
    }
}

fn with_origins(exact: &[&str], patterns: &[OriginPattern]) -> Compiled {
    let policy = sample_policy(exact, patterns);
    let text: &'static str = Box::leak(cors_policy::wire::encode(&policy).into_boxed_str());
    Compiled::decode(text).expect("the macro's own output decodes")
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

#[test]
fn a_refusal_says_why_in_the_order_checked() {
    let p = with_origins(&["https://a.example"], &[]);
    type Case<'a> = (&'a [(&'a str, &'a str)], Refusal, Option<&'a str>);
    let cases: &[Case<'_>] = &[
        (
            &[
                ("origin", "https://b.example"),
                ("access-control-request-method", "GET"),
            ],
            Refusal::OriginNotAllowed,
            None,
        ),
        (
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "GET"),
            ],
            Refusal::MethodNotAllowed,
            None,
        ),
        (
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "Content-Type, X-B, X-C"),
            ],
            Refusal::HeaderNotAllowed,
            Some("x-b"),
        ),
        (
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "a@b"),
            ],
            Refusal::RequestHeaderMalformed,
            None,
        ),
    ];
    for (pairs, reason, header) in cases {
        let map = headers(pairs);
        let refused = decide(&p, &map).expect_err("refused");
        assert_eq!(refused.reason, *reason, "{pairs:?}");
        assert_eq!(
            refused
                .header
                .map(|h| String::from_utf8_lossy(h).to_ascii_lowercase()),
            header.map(str::to_owned),
            "{pairs:?}"
        );
    }
    let long = "content-type,".repeat(100);
    let map = headers(&[
        ("origin", "https://a.example"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", &long),
    ]);
    assert_eq!(
        decide(&p, &map).map(|_| ()).map_err(|r| r.reason),
        Err(Refusal::RequestHeaderTooLong)
    );
}
