//! When a preflight is sent.

use super::*;

#[test]
fn safelisted_method_and_headers_need_no_preflight() {
    let p = page(
        "GET",
        &[
            ("Accept", "application/json"),
            ("Content-Type", "text/plain;charset=UTF-8"),
        ],
        true,
    );
    assert_eq!(plan_of(&p).preflight, None);
    let p = page(
        "post",
        &[("Content-Language", "en-GB"), ("Range", "bytes=0-99")],
        false,
    );
    let plan = plan_of(&p);
    assert_eq!(plan.method, "POST");
    assert_eq!(plan.preflight, None);
}

#[test]
fn non_safelisted_method_is_preflighted() {
    let pf = preflight_of(&page("DELETE", &[], false));
    assert_eq!(pf.request_method, "DELETE");
    assert_eq!(pf.request_headers, None);
    assert_eq!(pf.reasons[0].id, PreflightReason::MethodNotSafelisted);
}

#[test]
fn method_normalisation_upper_cases_only_six_methods() {
    assert_eq!(plan_of(&page("put", &[], false)).method, "PUT");
    assert_eq!(plan_of(&page("delete", &[], false)).method, "DELETE");
    let pf = preflight_of(&page("patch", &[], false));
    assert_eq!(pf.request_method, "patch");
}

#[test]
fn forbidden_and_invalid_methods_are_refused() {
    assert_eq!(
        plan(&page("trace", &[], false)),
        Err(PlanError::ForbiddenMethod("trace".into()))
    );
    assert!(matches!(
        plan(&page("GET POST", &[], false)),
        Err(PlanError::InvalidMethod(_))
    ));
}

#[test]
fn json_content_type_is_not_safelisted() {
    let pf = preflight_of(&page(
        "POST",
        &[("Content-Type", "application/json")],
        false,
    ));
    assert_eq!(pf.request_method, "POST");
    assert_eq!(pf.request_headers.as_deref(), Some("content-type"));
    assert_eq!(pf.reasons[0].id, PreflightReason::HeaderValueNotSafelisted);
}

#[test]
fn custom_header_name_is_not_safelisted() {
    let pf = preflight_of(&page("GET", &[("X-Custom", "1")], false));
    assert_eq!(pf.reasons[0].id, PreflightReason::HeaderNotSafelisted);
    assert_eq!(pf.unsafe_headers, ["x-custom"]);
}

#[test]
fn request_headers_are_lower_case_sorted_deduplicated() {
    let pf = preflight_of(&page(
        "PUT",
        &[
            ("X-B", "1"),
            ("Authorization", "t"),
            ("x-b", "2"),
            ("Content-Type", "application/json"),
            ("Accept", "*/*"),
        ],
        false,
    ));
    assert_eq!(
        pf.request_headers.as_deref(),
        Some("authorization,content-type,x-b")
    );
    let headers = preflight_request_headers(APP, &pf);
    assert!(headers.contains(&(
        "Access-Control-Request-Headers".into(),
        "authorization,content-type,x-b".into()
    )));
    assert!(headers.contains(&("Access-Control-Request-Method".into(), "PUT".into())));
    assert!(headers.contains(&("Origin".into(), APP.into())));
}

#[test]
fn unsafe_bytes_and_long_values_are_not_safelisted() {
    assert_eq!(
        safelisted_request_header("accept", "text/html(x)"),
        Safelisted::ValueNot("it contains a CORS-unsafe byte")
    );
    assert_eq!(
        safelisted_request_header("accept-language", "en_GB"),
        Safelisted::ValueNot("only letters, digits, space and *,-.;= are allowed")
    );
    assert!(matches!(
        safelisted_request_header("accept", &"a".repeat(129)),
        Safelisted::ValueNot(_)
    ));
    assert_eq!(
        safelisted_request_header("range", "bytes=5-1"),
        Safelisted::ValueNot("only a single range `bytes=start-[end]` is safelisted")
    );
    assert_eq!(
        safelisted_request_header("range", "bytes=0-"),
        Safelisted::Yes
    );
    assert!(matches!(
        safelisted_request_header("range", "bytes=-5"),
        Safelisted::ValueNot(_)
    ));
}

#[test]
fn safelisted_values_over_1024_bytes_in_total_are_preflighted() {
    let long = "a".repeat(120);
    let headers: Vec<(String, String)> = (0..9)
        .map(|_| ("Accept".to_owned(), long.clone()))
        .collect();
    let (names, reasons) = cors_unsafe_header_names(&headers);
    assert_eq!(names, ["accept"]);
    assert_eq!(
        reasons.last().map(|r| r.id),
        Some(PreflightReason::SafelistedHeadersTooLarge)
    );
}

#[test]
fn forbidden_request_headers_are_dropped() {
    let plan = plan_of(&page(
        "GET",
        &[
            ("Cookie", "a=b"),
            ("Sec-Fetch-Mode", "x"),
            ("Proxy-X", "1"),
            ("X-Ok", "1"),
        ],
        false,
    ));
    assert_eq!(
        plan.dropped_headers,
        ["Cookie", "Sec-Fetch-Mode", "Proxy-X"]
    );
    assert_eq!(
        plan.preflight.map(|p| p.unsafe_headers),
        Some(vec!["x-ok".to_owned()])
    );
}

#[test]
fn same_origin_requests_are_not_cors() {
    let mut p = page("PUT", &[("X-Custom", "1")], true);
    p.url = "https://APP.example.com:443/x".into();
    let plan = plan_of(&p);
    assert!(plan.same_origin);
    assert_eq!(plan.preflight, None);
    // Browsers send Origin on same-origin requests whose method is not GET or HEAD.
    assert!(actual_request_headers(APP, &plan)
        .iter()
        .any(|(n, _)| n == "Origin"));
    let mut get = page("GET", &[], false);
    get.url = p.url.clone();
    assert!(!actual_request_headers(APP, &plan_of(&get))
        .iter()
        .any(|(n, _)| n == "Origin"));
}

#[test]
fn origins_must_be_serialized_origins() {
    assert!(check_origin("https://app.example.com").is_ok());
    assert!(check_origin("null").is_ok());
    assert!(check_origin("http://[::1]:8080").is_ok());
    for bad in [
        "https://app.example.com/",
        "https://App.example.com",
        "https://app.example.com:443",
        "app.example.com",
        "ftp://x",
        "https://bücher.example",
    ] {
        assert!(check_origin(bad).is_err(), "{bad}");
    }
    assert_eq!(
        url_origin("HTTP://Example.com:80/a?b"),
        Some("http://example.com".into())
    );
    assert_eq!(
        url_origin("http://127.0.0.1:8080"),
        Some("http://127.0.0.1:8080".into())
    );
    assert_eq!(
        url_origin("http://[::1]:81/"),
        Some("http://[::1]:81".into())
    );
    assert_eq!(url_origin("file:///etc"), None);
}
