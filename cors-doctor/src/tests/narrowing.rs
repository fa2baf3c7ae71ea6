//! Narrowing a refused preflight.

use super::preflight::granted_preflight;
use super::*;

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
