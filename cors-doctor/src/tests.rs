//! One test per browser rule.

use super::*;

const APP: &str = "https://app.example.com";
const URL: &str = "https://api.example.com/items";

fn page(method: &str, headers: &[(&str, &str)], credentials: bool) -> PageRequest {
    PageRequest {
        url: URL.into(),
        origin: APP.into(),
        method: method.into(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        credentials,
        ..Default::default()
    }
}

fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
    Response {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn plan_of(p: &PageRequest) -> Plan {
    match plan(p) {
        Ok(plan) => plan,
        Err(e) => panic!("plan failed: {e}"),
    }
}

fn preflight_of(p: &PageRequest) -> PreflightPlan {
    plan_of(p).preflight.expect("a preflight")
}

/// The id of the first failed check, if any.
fn failed(checks: &[Check]) -> Option<CheckId> {
    checks.iter().find(|c| !c.passed).map(|c| c.id)
}

fn warning_ids(w: &[Warning]) -> Vec<&'static str> {
    w.iter().map(|w| w.id.id()).collect()
}

// --- When a preflight is sent -----------------------------------------------------------------

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

// --- The CORS check ---------------------------------------------------------------------------

#[test]
fn missing_allow_origin_fails() {
    let checks = cors_check(APP, false, &resp(200, &[]));
    assert_eq!(failed(&checks), Some(CheckId::AllowOriginPresent));
    let msg = console_message(URL, None, APP, false, &checks[0]).unwrap_or_default();
    assert!(
        msg.ends_with(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        ),
        "{msg}"
    );
}

#[test]
fn several_allow_origin_values_fail() {
    let two_lines = resp(
        200,
        &[
            ("access-control-allow-origin", APP),
            ("Access-Control-Allow-Origin", APP),
        ],
    );
    assert_eq!(
        failed(&cors_check(APP, false, &two_lines)),
        Some(CheckId::AllowOriginSingleValue)
    );
    let list = resp(
        200,
        &[(
            "Access-Control-Allow-Origin",
            "https://app.example.com, https://b.example.com",
        )],
    );
    assert_eq!(
        failed(&cors_check(APP, false, &list)),
        Some(CheckId::AllowOriginSingleValue)
    );
}

#[test]
fn wildcard_origin_passes_without_credentials_only() {
    let star = resp(200, &[("Access-Control-Allow-Origin", "*")]);
    assert_eq!(failed(&cors_check(APP, false, &star)), None);
    let checks = cors_check(APP, true, &star);
    assert_eq!(
        failed(&checks),
        Some(CheckId::AllowOriginNotWildcardWithCredentials)
    );
    assert!(checks.iter().any(|c| c
        .detail
        .contains("`*` does not count when credentials are sent")));
}

#[test]
fn allow_origin_must_equal_the_origin_byte_for_byte() {
    let exact = resp(200, &[("Access-Control-Allow-Origin", APP)]);
    assert_eq!(failed(&cors_check(APP, false, &exact)), None);
    let slash = resp(
        200,
        &[("Access-Control-Allow-Origin", "https://app.example.com/")],
    );
    let checks = cors_check(APP, false, &slash);
    assert_eq!(failed(&checks), Some(CheckId::AllowOriginMatches));
    let cause = checks
        .last()
        .and_then(|c| c.cause.clone())
        .unwrap_or_default();
    assert!(cause.contains("`Access-Control-Allow-Origin` is `https://app.example.com/`: the trailing slash makes it another origin"), "{cause}");
    let checks = cors_check(
        APP,
        false,
        &resp(
            200,
            &[("Access-Control-Allow-Origin", "https://*.example.com")],
        ),
    );
    assert_eq!(checks.last().and_then(|c| c.browser_reason.clone()).as_deref(), Some("The 'Access-Control-Allow-Origin' header contains the invalid value 'https://*.example.com'. Have the server send the header with a valid value."));
    for (value, words) in [
        ("https://APP.example.com", "only in case"),
        ("https://app.example.com:443", "default port"),
        ("https://app.example.com/login", "has no path"),
        ("http://app.example.com", "differ in scheme"),
        ("https://*.example.com", "only `*` alone"),
        ("null", "grants `null`"),
        ("https://other.example.com", "fixed value"),
    ] {
        let (cause, _) = origin_mismatch(value, APP);
        assert!(cause.contains(words), "{value}: {cause}");
    }
}

#[test]
fn credentials_need_allow_credentials_true() {
    let none = resp(200, &[("Access-Control-Allow-Origin", APP)]);
    assert_eq!(failed(&cors_check(APP, false, &none)), None);
    let checks = cors_check(APP, true, &none);
    assert_eq!(failed(&checks), Some(CheckId::AllowCredentials));
    let upper = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "True"),
        ],
    );
    assert_eq!(
        failed(&cors_check(APP, true, &upper)),
        Some(CheckId::AllowCredentials)
    );
    let ok = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
        ],
    );
    assert_eq!(failed(&cors_check(APP, true, &ok)), None);
}

// --- The preflight ----------------------------------------------------------------------------

fn granted_preflight(extra: &[(&str, &str)]) -> Response {
    let mut headers = vec![("Access-Control-Allow-Origin", APP)];
    headers.extend_from_slice(extra);
    resp(204, &headers)
}

#[test]
fn preflight_needs_an_ok_status() {
    let p = page("PUT", &[], false);
    let pf = preflight_of(&p);
    let checks = check_preflight(
        &p,
        &pf,
        &resp(
            403,
            &[
                ("Access-Control-Allow-Origin", APP),
                ("Access-Control-Allow-Methods", "PUT"),
            ],
        ),
    );
    assert_eq!(failed(&checks), Some(CheckId::PreflightOkStatus));
    let msg = console_message(URL, None, APP, true, checks.last().unwrap_or(&checks[0]))
        .unwrap_or_default();
    assert!(msg.ends_with("Response to preflight request doesn't pass access control check: It does not have HTTP ok status."), "{msg}");
    // A refused preflight without CORS headers fails on the origin first, as in Chromium.
    assert_eq!(
        failed(&check_preflight(&p, &pf, &resp(403, &[]))),
        Some(CheckId::AllowOriginPresent)
    );
}

#[test]
fn preflight_redirects_are_not_followed() {
    let p = page("PUT", &[], false);
    let pf = preflight_of(&p);
    let checks = check_preflight(
        &p,
        &pf,
        &resp(
            301,
            &[
                ("Access-Control-Allow-Origin", APP),
                ("Location", "/items/"),
            ],
        ),
    );
    assert_eq!(failed(&checks), Some(CheckId::PreflightOkStatus));
    assert_eq!(
        checks
            .last()
            .and_then(|c| c.browser_reason.clone())
            .as_deref(),
        Some("Redirect is not allowed for a preflight request.")
    );
}

#[test]
fn preflight_credentials_need_allow_credentials() {
    let p = page("PUT", &[], true);
    let pf = preflight_of(&p);
    let checks = check_preflight(
        &p,
        &pf,
        &granted_preflight(&[("Access-Control-Allow-Methods", "PUT")]),
    );
    assert_eq!(failed(&checks), Some(CheckId::AllowCredentials));
    assert!(checks.iter().any(|c| c.detail.starts_with(
        "the preflight answer lacks `Access-Control-Allow-Credentials: true` (none)"
    )));
}

#[test]
fn allow_methods_must_cover_the_method_case_sensitively() {
    let p = page("PUT", &[], false);
    let pf = preflight_of(&p);
    assert_eq!(
        failed(&check_preflight(
            &p,
            &pf,
            &granted_preflight(&[("Access-Control-Allow-Methods", "GET, PUT")])
        )),
        None
    );
    let checks = check_preflight(
        &p,
        &pf,
        &granted_preflight(&[("Access-Control-Allow-Methods", "GET, POST")]),
    );
    assert_eq!(failed(&checks), Some(CheckId::AllowMethodsCoverMethod));
    assert_eq!(
        checks
            .last()
            .and_then(|c| c.browser_reason.clone())
            .as_deref(),
        Some("Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.")
    );
    let p = page("patch", &[], false);
    let pf = preflight_of(&p);
    let checks = check_preflight(
        &p,
        &pf,
        &granted_preflight(&[("Access-Control-Allow-Methods", "PATCH")]),
    );
    assert_eq!(failed(&checks), Some(CheckId::AllowMethodsCoverMethod));
    assert!(checks
        .last()
        .and_then(|c| c.cause.clone())
        .unwrap_or_default()
        .contains("case-sensitively"));
}

#[test]
fn safelisted_methods_need_no_listing() {
    let p = page("POST", &[("X-Custom", "1")], false);
    let pf = preflight_of(&p);
    let ok = granted_preflight(&[("Access-Control-Allow-Headers", "x-custom")]);
    assert_eq!(failed(&check_preflight(&p, &pf, &ok)), None);
}

#[test]
fn wildcard_methods_count_only_without_credentials() {
    let p = page("DELETE", &[], false);
    let pf = preflight_of(&p);
    let star = granted_preflight(&[
        ("Access-Control-Allow-Methods", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert_eq!(failed(&check_preflight(&p, &pf, &star)), None);
    let p = page("DELETE", &[], true);
    assert_eq!(
        failed(&check_preflight(&p, &pf, &star)),
        Some(CheckId::AllowMethodsCoverMethod)
    );
}

#[test]
fn unparsable_lists_fail() {
    let p = page("PUT", &[("X-A", "1")], false);
    let pf = preflight_of(&p);
    let bad = granted_preflight(&[("Access-Control-Allow-Methods", "PUT;GET")]);
    assert_eq!(
        failed(&check_preflight(&p, &pf, &bad)),
        Some(CheckId::AllowMethodsParses)
    );
    let bad = granted_preflight(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "x-a x-b"),
    ]);
    assert_eq!(
        failed(&check_preflight(&p, &pf, &bad)),
        Some(CheckId::AllowHeadersParse)
    );
    // Empty elements are ignored.
    assert_eq!(
        parse_list(Some("PUT,, GET ,")),
        Ok(vec!["PUT".to_owned(), "GET".to_owned()])
    );
}

#[test]
fn allow_headers_must_cover_every_unsafe_header_case_insensitively() {
    let p = page(
        "PUT",
        &[("X-Custom", "1"), ("Content-Type", "application/json")],
        false,
    );
    let pf = preflight_of(&p);
    let ok = granted_preflight(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "Content-Type, X-CUSTOM"),
    ]);
    assert_eq!(failed(&check_preflight(&p, &pf, &ok)), None);
    let missing = granted_preflight(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "Content-Type"),
    ]);
    let checks = check_preflight(&p, &pf, &missing);
    assert_eq!(failed(&checks), Some(CheckId::AllowHeadersCoverHeaders));
    assert_eq!(checks.last().and_then(|c| c.browser_reason.clone()).as_deref(), Some("Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response."));
}

#[test]
fn wildcard_headers_cover_authorization_as_the_engines_do_but_not_with_credentials() {
    let p = page("PUT", &[("X-Any", "1")], false);
    let pf = preflight_of(&p);
    let star = granted_preflight(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "*"),
    ]);
    assert_eq!(failed(&check_preflight(&p, &pf, &star)), None);
    let p = page("PUT", &[("Authorization", "Bearer t")], false);
    let pf = preflight_of(&p);
    // Chromium and Firefox let it through, against the standard: passed here, and
    // `diagnose` adds the `authorization-covered-by-wildcard` warning.
    let checks = check_preflight(&p, &pf, &star);
    assert_eq!(failed(&checks), None);
    let p = page("PUT", &[("X-Any", "1")], true);
    let pf = preflight_of(&p);
    let star = granted_preflight(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert_eq!(
        failed(&check_preflight(&p, &pf, &star)),
        Some(CheckId::AllowHeadersCoverHeaders)
    );
}

// --- The actual response ----------------------------------------------------------------------

#[test]
fn redirect_answers_get_the_cors_check() {
    let p = page("GET", &[], false);
    let redirect = resp(
        302,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Location", "https://login.example.com/"),
        ],
    );
    assert_eq!(failed(&check_actual(&p, &redirect)), None);
    assert_eq!(
        redirect_location(&redirect).as_deref(),
        Some("https://login.example.com/")
    );
    // A redirect without CORS headers is blocked before it is followed.
    let checks = check_actual(&p, &resp(302, &[("Location", "/x")]));
    assert_eq!(verdict([checks.as_slice()]), Verdict::Blocked);
    // 300 and 304 are not redirects a browser follows.
    assert_eq!(redirect_location(&resp(304, &[("Location", "/x")])), None);
}

#[test]
fn only_safelisted_and_exposed_response_headers_are_readable() {
    let r = resp(
        200,
        &[
            ("Content-Type", "text/plain"),
            ("X-Exposed", "1"),
            ("X-Hidden", "2"),
            ("Set-Cookie", "a=b"),
            ("Access-Control-Expose-Headers", "X-Exposed, Set-Cookie"),
        ],
    );
    assert_eq!(readable_headers(false, &r), ["content-type", "x-exposed"]);
    let star = resp(
        200,
        &[("X-Hidden", "2"), ("Access-Control-Expose-Headers", "*")],
    );
    assert_eq!(
        readable_headers(false, &star),
        ["access-control-expose-headers", "x-hidden"]
    );
    assert!(readable_headers(true, &star).is_empty());
}

#[test]
fn verdict_is_the_first_failure() {
    let pass = cors_check(
        APP,
        false,
        &resp(200, &[("Access-Control-Allow-Origin", APP)]),
    );
    let fail = cors_check(APP, false, &resp(200, &[]));
    assert_eq!(verdict([pass.as_slice()]), Verdict::Allowed);
    assert_eq!(
        verdict([pass.as_slice(), fail.as_slice()]),
        Verdict::Blocked
    );
}

// --- Warnings ---------------------------------------------------------------------------------

#[test]
fn reflecting_any_origin_is_reported_with_credentials() {
    let actual = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
        ],
    );
    let probe = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", PROBE_ORIGIN),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
        ],
    );
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&actual),
        probe: Some(&probe),
        ..Default::default()
    });
    assert_eq!(
        warning_ids(&w),
        ["reflects-any-origin", "credentials-for-any-origin"]
    );
}

#[test]
fn null_origin_granted_is_reported() {
    let actual = resp(
        200,
        &[("Access-Control-Allow-Origin", APP), ("Vary", "Origin")],
    );
    let probe = resp(200, &[("Vary", "Origin")]);
    let null = resp(
        200,
        &[("Access-Control-Allow-Origin", "null"), ("Vary", "Origin")],
    );
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&actual),
        probe: Some(&probe),
        probe_null: Some(&null),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), ["null-origin-allowed"]);
}

#[test]
fn grant_headers_sent_to_other_origins_are_reported() {
    // nginx with a constant add_header: the made-up origin gets the same grant.
    let fixed = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
        ],
    );
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&fixed),
        probe: Some(&fixed),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), ["grant-headers-to-any-origin"]);
    // `*` to everyone is a public grant, not a leak.
    let star = resp(200, &[("Access-Control-Allow-Origin", "*")]);
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&star),
        probe: Some(&star),
        ..Default::default()
    });
    assert!(w.is_empty());
}

#[test]
fn origin_dependent_answers_without_vary_are_reported() {
    let actual = resp(200, &[("Access-Control-Allow-Origin", APP)]);
    let probe = resp(200, &[]);
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&actual),
        probe: Some(&probe),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), ["missing-vary-origin"]);
    let with_vary = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Vary", "Accept-Encoding, origin"),
        ],
    );
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&with_vary),
        probe: Some(&probe),
        ..Default::default()
    });
    assert!(w.is_empty());
    // Without a probe, an answer naming the origin is taken as origin-dependent.
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&actual),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), ["missing-vary-origin"]);
}

#[test]
fn max_age_beyond_browser_caps_is_reported() {
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Max-Age", "86400"),
            ("Vary", "Origin"),
        ],
    );
    let w = warnings(&Observed {
        origin: APP,
        preflight: Some(&pf),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), ["max-age-above-browser-cap"]);
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Max-Age", "7200"),
        ],
    );
    assert!(warnings(&Observed {
        origin: APP,
        preflight: Some(&pf),
        ..Default::default()
    })
    .is_empty());
    let pf = resp(204, &[("Access-Control-Max-Age", "ten")]);
    assert_eq!(
        warning_ids(&warnings(&Observed {
            origin: APP,
            preflight: Some(&pf),
            ..Default::default()
        })),
        ["max-age-invalid"]
    );
}

#[test]
fn wildcard_with_credentials_is_reported() {
    let r = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Credentials", "true"),
        ],
    );
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&r),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), ["credentials-with-wildcard"]);
}

#[test]
fn identifiers_serialise_as_documented() {
    let json = serde_json::to_string(&(
        CheckId::AllowHeadersCoverHeaders,
        WarningId::GrantHeadersToAnyOrigin,
        Verdict::Blocked,
        PreflightReason::HeaderValueNotSafelisted,
    ))
    .unwrap_or_default();
    assert_eq!(
        json,
        r#"["allow-headers-cover-headers","grant-headers-to-any-origin","blocked","header-value-not-safelisted"]"#
    );
    for id in [
        CheckId::AllowOriginPresent,
        CheckId::AllowOriginNotWildcardWithCredentials,
        CheckId::Answered,
        CheckId::RedirectAllowed,
    ] {
        assert_eq!(
            serde_json::to_string(&id).unwrap_or_default(),
            format!("\"{}\"", id.id())
        );
    }
    for id in [
        WarningId::ReflectsAnyOrigin,
        WarningId::MaxAgeAboveBrowserCap,
        WarningId::CredentialsWithWildcard,
        WarningId::AuthorizationCoveredByWildcard,
        WarningId::ChromiumSafelistsClientHints,
    ] {
        assert_eq!(
            serde_json::to_string(&id).unwrap_or_default(),
            format!("\"{}\"", id.id())
        );
    }
}

// --- Narrowing a refused preflight ------------------------------------------------------------

#[test]
fn refused_preflights_are_narrowed_down() {
    let p = page("PUT", &[("X-A", "1"), ("X-B", "1")], false);
    let pf = preflight_of(&p);
    let vs = variations(&pf);
    assert_eq!(vs.len(), 4);
    let grant = resp(204, &[("Access-Control-Allow-Origin", APP)]);
    let refuse = resp(403, &[]);
    let answer = |v: &Variation| match (v.method.as_str(), v.headers.as_deref()) {
        ("PUT", None | Some("x-a")) | ("GET", None) => grant.clone(),
        _ => refuse.clone(),
    };
    let answers: Vec<(Variation, Response)> = vs.iter().map(|v| (v.clone(), answer(v))).collect();
    let r = narrow_refusal(APP, &pf, &refuse, None, &answers).map(|r| (r.id, r.detail));
    assert_eq!(r.as_ref().map(|r| r.0), Some(RefusalId::HeadersRefused));
    assert!(r.is_some_and(|r| r.1.ends_with("refuses the request header(s) x-b")));

    let p = page("DELETE", &[], false);
    let pf = preflight_of(&p);
    let vs = variations(&pf);
    let method_only: Vec<(Variation, Response)> =
        vs.iter().map(|v| (v.clone(), grant.clone())).collect();
    assert_eq!(
        narrow_refusal(APP, &pf, &refuse, None, &method_only).map(|r| r.id),
        Some(RefusalId::MethodRefused)
    );
    let nothing: Vec<(Variation, Response)> =
        vs.iter().map(|v| (v.clone(), refuse.clone())).collect();
    assert_eq!(
        narrow_refusal(APP, &pf, &refuse, None, &nothing).map(|r| r.id),
        Some(RefusalId::OriginRefused)
    );
    assert_eq!(RefusalId::MethodRefused.id(), "method-refused");
}

#[test]
fn preflight_without_allow_origin_but_with_lists_is_blamed_on_the_preflight_answer() {
    // nginx: `add_header` inside `if ($request_method = OPTIONS)` drops the inherited grant.
    let p = page("PUT", &[("Content-Type", "application/json")], false);
    let pf = preflight_of(&p);
    let preflight = resp(
        204,
        &[
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "Content-Type"),
        ],
    );
    let nothing: Vec<(Variation, Response)> = variations(&pf)
        .into_iter()
        .map(|v| (v, preflight.clone()))
        .collect();
    let get = resp(200, &[("Access-Control-Allow-Origin", APP)]);
    let r = narrow_refusal(APP, &pf, &preflight, Some(&get), &nothing);
    assert_eq!(
        r.as_ref().map(|r| r.id),
        Some(RefusalId::PreflightLacksAllowOrigin)
    );
    let detail = r.map(|r| r.detail).unwrap_or_default();
    assert!(
        detail.contains("`Access-Control-Allow-Methods: GET, PUT`")
            && detail.contains("gets `Access-Control-Allow-Origin: https://app.example.com`"),
        "{detail}"
    );
    // Without the GET evidence the origin is what seems refused.
    assert_eq!(
        narrow_refusal(APP, &pf, &preflight, None, &nothing).map(|r| r.id),
        Some(RefusalId::OriginRefused)
    );
}

#[test]
fn allow_credentials_without_allow_origin_is_no_grant_to_every_caller() {
    // Express `cors({origin: [list], credentials: true})` to an unlisted origin.
    let granted = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
        ],
    );
    let probe = resp(
        200,
        &[
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
        ],
    );
    let w = warnings(&Observed {
        origin: APP,
        actual: Some(&granted),
        probe: Some(&probe),
        ..Default::default()
    });
    assert_eq!(warning_ids(&w), Vec::<&str>::new());
}

#[test]
fn allow_origin_null_is_worded_as_chromium_words_it() {
    let checks = cors_check(
        APP,
        false,
        &resp(200, &[("Access-Control-Allow-Origin", "null")]),
    );
    assert_eq!(failed(&checks), Some(CheckId::AllowOriginMatches));
    assert_eq!(
        checks.last().and_then(|c| c.browser_reason.clone()).as_deref(),
        Some("The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin. Have the server send the header with a valid value.")
    );
}

#[test]
fn lower_case_allowed_methods_are_named_in_the_cause() {
    let p = page("PUT", &[], false);
    let pf = preflight_of(&p);
    let checks = check_preflight(
        &p,
        &pf,
        &granted_preflight(&[("Access-Control-Allow-Methods", "get, put, delete")]),
    );
    assert_eq!(failed(&checks), Some(CheckId::AllowMethodsCoverMethod));
    let cause = checks
        .last()
        .and_then(|c| c.cause.clone())
        .unwrap_or_default();
    assert!(
        cause.starts_with("the server lists `get, put, delete`, with `put` in another case")
            && cause.contains("the browser sends `PUT`")
            && !cause.contains("sent as written"),
        "{cause}"
    );
}

// --- Cookies, bodies, redirects' URLs --------------------------------------------------------

#[test]
fn string_bodies_get_text_plain_and_bytes_no_content_type() {
    let mut p = page("POST", &[], false);
    p.set_body(Body::Text("hi".into()), None);
    assert_eq!(
        p.headers,
        [(
            "Content-Type".to_owned(),
            "text/plain;charset=UTF-8".to_owned()
        )]
    );
    assert_eq!(plan_of(&p).preflight, None);
    let mut p = page("POST", &[], false);
    p.set_body(Body::Bytes(vec![1, 2]), None);
    assert!(p.headers.is_empty());
    let mut p = page("POST", &[("Content-Type", "text/plain")], false);
    p.set_body(Body::Text("{}".into()), Some("application/json"));
    assert_eq!(
        preflight_of(&p).request_headers.as_deref(),
        Some("content-type")
    );
    let mut p = page("GET", &[], false);
    p.set_body(Body::Text("x".into()), None);
    assert_eq!(plan(&p), Err(PlanError::BodyWithGetOrHead("GET".into())));
}

#[test]
fn cookies_go_where_domain_path_and_secure_match() {
    let jar = "# Netscape HTTP Cookie File\n\
        .example.com\tTRUE\t/\tTRUE\t0\tsession\tabc\n\
        #HttpOnly_api.example.com\tFALSE\t/api\tFALSE\t0\tapi\t1\n\
        api.example.com\tFALSE\t/\tFALSE\t1\told\tgone\n";
    let cookies = parse_cookie_jar(jar, 100).unwrap_or_default();
    assert_eq!(cookies.len(), 2);
    assert_eq!(
        cookie_header(&cookies, "https://api.example.com/api/items").as_deref(),
        Some("api=1; session=abc")
    );
    assert_eq!(
        cookie_header(&cookies, "http://api.example.com/apix").as_deref(),
        None
    );
    assert!(parse_cookie_jar("a\tb", 0).is_err());
    let c = Cookie::for_url("sid=1", "https://api.example.com/x");
    assert!(c.as_ref().is_ok_and(
        |c| c.matches("https://api.example.com/y") && !c.matches("https://other.example.com/")
    ));
    assert!(Cookie::for_url("no-equals", URL).is_err());
    assert_eq!(redact_cookie_header("a=1; b=2"), "a=…; b=…");
}

#[test]
fn locations_resolve_against_the_answering_url() {
    let base = "https://api.example.com/api/items?x=1";
    for (location, want) in [
        ("/api/items/", "https://api.example.com/api/items/"),
        ("items/", "https://api.example.com/api/items/"),
        ("../login", "https://api.example.com/login"),
        ("?y=2", "https://api.example.com/api/items?y=2"),
        ("//cdn.example.net/a", "https://cdn.example.net/a"),
        ("http://other.example/", "http://other.example/"),
    ] {
        assert_eq!(
            resolve_location(base, location).as_deref(),
            Some(want),
            "{location}"
        );
    }
}

// --- The whole algorithm over a scripted transport -------------------------------------------

/// Answers each request with `answer(request)` and records what was sent.
struct Scripted<F: FnMut(&Outgoing) -> Result<Response, NoAnswer>> {
    answer: F,
    sent: Vec<Outgoing>,
}

impl<F: FnMut(&Outgoing) -> Result<Response, NoAnswer>> Transport for Scripted<F> {
    async fn send(&mut self, request: &Outgoing) -> Result<Response, NoAnswer> {
        self.sent.push(request.clone());
        (self.answer)(request)
    }
}

fn run_scripted(
    p: &PageRequest,
    answer: impl FnMut(&Outgoing) -> Result<Response, NoAnswer>,
) -> (Report, Vec<Outgoing>) {
    let mut t = Scripted {
        answer,
        sent: Vec::new(),
    };
    let options = Options {
        probe: false,
        narrow: true,
    };
    match block_on(diagnose(&mut t, p, &options)) {
        Ok(report) => (report, t.sent),
        Err(e) => panic!("diagnose failed: {e}"),
    }
}

fn header<'a>(r: &'a Outgoing, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn same_origin_redirects_with_allow_origin_are_followed() {
    let p = page("GET", &[], false);
    let (report, sent) = run_scripted(&p, |r| {
        Ok(if r.url == URL {
            resp(
                301,
                &[
                    ("Location", "/items/"),
                    ("Access-Control-Allow-Origin", "*"),
                ],
            )
        } else {
            resp(200, &[("Access-Control-Allow-Origin", "*")])
        })
    });
    assert_eq!(
        report.verdict,
        Verdict::Allowed,
        "{}",
        render(&report, false)
    );
    assert_eq!(report.steps.len(), 2);
    assert_eq!(report.steps[1].url, "https://api.example.com/items/");
    assert_eq!(header(&sent[1], "origin"), Some(APP));
    assert!(render(&report, false).contains("follows `Location: /items/`"));
}

#[test]
fn redirect_answers_without_allow_origin_block() {
    let p = page("GET", &[], false);
    let (report, _) = run_scripted(&p, |_| Ok(resp(308, &[("Location", "/items/")])));
    assert_eq!(report.verdict, Verdict::Blocked);
    assert_eq!(report.failed_check, Some(CheckId::AllowOriginPresent));
    assert_eq!(report.steps.len(), 1);
}

#[test]
fn cross_origin_redirects_taint_the_origin_to_null() {
    let p = page("GET", &[], true);
    let grant = |origin: &str| {
        resp(
            200,
            &[
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
            ],
        )
    };
    let (report, sent) = run_scripted(&p, |r| {
        let origin = header(r, "origin").unwrap_or_default().to_owned();
        Ok(if r.url == URL {
            let mut redirect = grant(&origin);
            redirect.status = 302;
            redirect
                .headers
                .push(("Location".into(), "https://cdn.example.net/items".into()));
            redirect
        } else {
            // Grants the page's origin by name, not `null`.
            grant(APP)
        })
    });
    assert_eq!(header(&sent[1], "origin"), Some("null"));
    assert_eq!(report.verdict, Verdict::Blocked);
    assert_eq!(report.failed_check, Some(CheckId::AllowOriginMatches));
    let cause = report.steps[1]
        .checks
        .iter()
        .find(|c| !c.passed)
        .and_then(|c| c.cause.clone())
        .unwrap_or_default();
    assert!(cause.contains("`Origin: null`"), "{cause}");
    assert!(report
        .browser_message
        .as_deref()
        .is_some_and(|m| m.starts_with(
            "Access to fetch at 'https://cdn.example.net/items' (redirected from 'https://api.example.com/items')"
        )));
}

#[test]
fn redirects_stop_after_twenty() {
    let p = page("GET", &[], false);
    let (report, sent) = run_scripted(&p, |r| {
        Ok(resp(
            302,
            &[
                ("Location", &format!("{}x", r.url)),
                ("Access-Control-Allow-Origin", "*"),
            ],
        ))
    });
    assert_eq!(sent.len(), MAX_REDIRECTS + 1);
    assert_eq!(report.verdict, Verdict::Blocked);
    assert_eq!(report.failed_check, Some(CheckId::RedirectAllowed));
}

#[test]
fn a_preflighted_request_redirected_with_307_is_preflighted_again() {
    let p = page("PUT", &[("Content-Type", "application/json")], false);
    let (report, sent) = run_scripted(&p, |r| {
        let base = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type"),
        ];
        Ok(match (r.method.as_str(), r.url == URL) {
            ("OPTIONS", _) => resp(204, &base),
            (_, true) => {
                let mut h = base.to_vec();
                h.push(("Location", "/items/"));
                resp(307, &h)
            }
            _ => resp(200, &base),
        })
    });
    let methods: Vec<&str> = sent.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "PUT", "OPTIONS", "PUT"]);
    assert_eq!(report.verdict, Verdict::Allowed);
}

#[test]
fn a_303_after_post_becomes_a_get_without_body() {
    let mut p = page("POST", &[], false);
    p.set_body(Body::Text("a=1".into()), None);
    let (report, sent) = run_scripted(&p, |r| {
        Ok(if r.url == URL {
            resp(
                303,
                &[("Location", "/done"), ("Access-Control-Allow-Origin", "*")],
            )
        } else {
            resp(200, &[("Access-Control-Allow-Origin", "*")])
        })
    });
    assert_eq!(report.verdict, Verdict::Allowed);
    assert_eq!(sent[1].method, "GET");
    assert_eq!(sent[1].body, None);
    assert_eq!(header(&sent[1], "content-type"), None);
    assert_eq!(sent[0].body.as_deref(), Some(&b"a=1"[..]));
}

#[test]
fn a_dropped_preflight_is_a_blocked_verdict() {
    let p = page("PUT", &[], false);
    let (report, _) = run_scripted(&p, |r| {
        if r.method == "OPTIONS" {
            Err(NoAnswer {
                kind: FailureKind::Dropped,
                message: "OPTIONS: connection reset".into(),
            })
        } else {
            Ok(resp(200, &[("Access-Control-Allow-Origin", "*")]))
        }
    });
    assert_eq!(report.verdict, Verdict::Blocked);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.failed_check, Some(CheckId::Answered));
    assert_eq!(report.steps.len(), 1);
    assert!(report.steps[0].answer.is_none());
    let text = render(&report, false);
    assert!(
        text.contains("no answer: OPTIONS: connection reset"),
        "{text}"
    );
    assert!(text.contains("drops OPTIONS requests"), "{text}");
}

#[test]
fn an_unreachable_server_is_an_error_not_a_verdict() {
    let p = page("GET", &[], false);
    let mut t = Scripted {
        answer: |_: &Outgoing| {
            Err(NoAnswer {
                kind: FailureKind::Unreachable,
                message: "connection refused".into(),
            })
        },
        sent: Vec::new(),
    };
    assert!(matches!(
        block_on(diagnose(&mut t, &p, &Options::default())),
        Err(DoctorError::Unreachable(_))
    ));
}

#[test]
fn authorization_under_a_wildcard_passes_with_a_deviation_warning() {
    let p = page("GET", &[("Authorization", "Bearer t")], false);
    let (report, _) = run_scripted(&p, |_| {
        Ok(resp(
            200,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ],
        ))
    });
    assert_eq!(report.verdict, Verdict::Allowed);
    assert_eq!(
        warning_ids(&report.warnings),
        ["authorization-covered-by-wildcard"]
    );
    assert!(report.warnings[0].message.contains("Chromium and Firefox"));
}

#[test]
fn chromium_safelisted_client_hints_are_flagged() {
    let p = page("GET", &[("DPR", "2")], false);
    let (report, _) = run_scripted(&p, |r| {
        Ok(if r.method == "OPTIONS" {
            resp(204, &[])
        } else {
            resp(200, &[("Access-Control-Allow-Origin", "*")])
        })
    });
    // The standard and Firefox preflight DPR and are refused; Chromium sends no preflight.
    assert_eq!(report.verdict, Verdict::Blocked);
    assert_eq!(
        warning_ids(&report.warnings),
        ["chromium-safelists-client-hints"]
    );
    assert!(report.warnings[0]
        .message
        .contains("Chromium sends no preflight"));
}

#[test]
fn cookies_go_with_credentialed_requests_only_and_never_with_preflights() {
    let cookies = vec![Cookie {
        name: "sid".into(),
        value: "secret".into(),
        domain: "api.example.com".into(),
        include_subdomains: false,
        path: "/".into(),
        secure: true,
    }];
    let mut p = page("PUT", &[], true);
    p.cookies = cookies.clone();
    let (report, sent) = run_scripted(&p, |_| {
        Ok(resp(
            200,
            &[
                ("Access-Control-Allow-Origin", APP),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
            ],
        ))
    });
    assert_eq!(header(&sent[0], "cookie"), None);
    assert_eq!(header(&sent[1], "cookie"), Some("sid=secret"));
    // Reports name the cookie, never its value.
    let json = serde_json::to_string(&report).unwrap_or_default();
    assert!(json.contains("sid=…") && !json.contains("secret"), "{json}");
    let mut p = page("GET", &[], false);
    p.cookies = cookies;
    let (report, sent) = run_scripted(&p, |_| {
        Ok(resp(200, &[("Access-Control-Allow-Origin", "*")]))
    });
    assert_eq!(header(&sent[0], "cookie"), None);
    assert!(render(&report, false).contains("cookies are not sent"));
}
