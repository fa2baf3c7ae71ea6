//! The actual response.

use super::*;

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
