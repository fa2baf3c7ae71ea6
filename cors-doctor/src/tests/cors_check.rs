//! The CORS check.

use super::*;

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
