//! Warnings.

use super::*;

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
