//! Cookies, bodies, redirects' URLs.

use super::*;

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
