use super::super::test_support::*;
use crate::diagnostic::Level;
use crate::raw::{RawPolicy, Spanned};
use crate::rules::Rule;

#[test]
fn origin_rules_in_context() {
    use Rule::*;
    let cases: Vec<(RawPolicy<S>, Expected)> = vec![
        (RawPolicy::default(), vec![(OriginsRequired, "attr")]),
        (base(&[]), vec![(OriginsRequired, "origins")]),
        (base(&["https://a.example.com"]), vec![]),
        (
            creds(base(&["*"])),
            vec![
                (WildcardCredentials, "*"),
                (WildcardCredentials, "credentials"),
            ],
        ),
        (
            base(&["*", "https://a.example.com"]),
            vec![(WildcardAlone, "*")],
        ),
        (
            creds(base(&["http://a.example.com"])),
            vec![(InsecureCredentials, "http://a.example.com")],
        ),
        (
            creds(base(&[
                "http://localhost:3000",
                "http://127.0.0.1:*",
                "http://[::1]:8080",
                "tauri://localhost",
            ])),
            vec![],
        ),
        (
            creds(base(&["https://*.example.com", "http://*.localhost"])),
            vec![],
        ),
        (
            RawPolicy {
                dangerously_allow_insecure_origins: Some(Spanned::new(true, "opt-out")),
                ..creds(base(&["http://a.example.com"]))
            },
            vec![],
        ),
        (
            base(&["https://a.com", "https://a.com"]),
            vec![(DuplicateOrigin, "https://a.com")],
        ),
        (
            base(&["https://a.example.com", "https://*.example.com"]),
            vec![(DuplicateOrigin, "https://a.example.com")],
        ),
        (
            base(&["https://*.example.com", "https://a.example.com"]),
            vec![(DuplicateOrigin, "https://a.example.com")],
        ),
        (
            base(&["https://example.com", "https://*.example.com"]),
            vec![],
        ),
        (
            base(&["https://*.com", "https://*.co.uk"]),
            vec![
                (PublicSuffixPattern, "https://*.com"),
                (PublicSuffixPattern, "https://*.co.uk"),
            ],
        ),
        (
            base(&["http://localhost:*", "http://localhost:3000"]),
            vec![(DuplicateOrigin, "http://localhost:3000")],
        ),
        (
            base(&["https://a.com/", "null"]),
            vec![(OriginSyntax, "https://a.com/"), (OriginNull, "null")],
        ),
        // A refused pattern covers nothing: its fix names another domain, and the origins
        // under it must stay.
        (
            base(&["https://*.com", "https://shop.example.com"]),
            vec![(PublicSuffixPattern, "https://*.com")],
        ),
        (
            base(&[
                "https://shop.example.com",
                "https://*.com",
                "http://*.com:*",
            ]),
            vec![
                (PublicSuffixPattern, "https://*.com"),
                (PublicSuffixPattern, "http://*.com:*"),
            ],
        ),
        // Coverage goes by scheme, host below the base, and port.
        (
            base(&[
                "https://*.example.com:8443",
                "https://a.b.example.com:8443",
                "https://a.b.example.com",
                "http://a.example.com:8443",
                "https://example.com:8443",
            ]),
            vec![(DuplicateOrigin, "https://a.b.example.com:8443")],
        ),
        (
            base(&[
                "http://[::1]:*",
                "http://[::1]:8080",
                "http://127.0.0.1:8080",
            ]),
            vec![(DuplicateOrigin, "http://[::1]:8080")],
        ),
    ];
    for (raw, expected) in cases {
        assert_eq!(errors(&raw, &["GET"]), expected, "{raw:?}");
    }
}

#[test]
fn a_covered_origin_names_the_first_pattern_written_that_matches_it() {
    let raw = base(&[
        "https://a.b.example.com",
        "https://*.b.example.com",
        "https://*.example.com",
    ]);
    let (_, diagnostics) = validate(&raw, &["GET"]);
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "origin `\"https://a.b.example.com\"` is already matched by pattern `\"https://*.b.example.com\"`"
        ]
    );
}

#[test]
fn coverage_of_many_origins_by_many_patterns_matches_a_plain_scan() {
    use crate::origin::{parse_origin, OriginSpec};
    // Hosts at several depths under a few bases, exact and any ports, two schemes.
    let mut entries: Vec<String> = Vec::new();
    for i in 0..40 {
        entries.push(format!("https://*.t{i}.example.com"));
        entries.push(format!("http://h{i}.example.org:*"));
    }
    for i in 0..120 {
        entries.push(format!("https://x.t{}.example.com", i % 50));
        entries.push(format!("https://t{}.example.com", i % 50));
        entries.push(format!("http://h{}.example.org:{}", i % 50, 3000 + i));
        entries.push(format!("https://h{}.example.org:{}", i % 50, 3000 + i));
    }
    entries.sort();
    entries.dedup();
    let patterns: Vec<(usize, crate::model::OriginPattern)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match parse_origin(e) {
            Ok(OriginSpec::Pattern(p)) => Some((i, p)),
            _ => None,
        })
        .collect();
    let index = super::PatternIndex::new(&patterns);
    let mut covered = 0;
    for e in &entries {
        if !matches!(parse_origin(e), Ok(OriginSpec::Exact(_))) {
            continue;
        }
        let scan = patterns.iter().find(|(_, p)| p.matches(e.as_bytes()));
        let indexed = index.first_match(&patterns, e);
        assert_eq!(indexed.map(|(i, _)| *i), scan.map(|(i, _)| *i), "{e}");
        covered += usize::from(scan.is_some());
    }
    assert!(covered > 50, "the cases cover something: {covered}");
}

#[test]
fn an_origin_neither_https_nor_loopback_gets_the_fix_of_its_scheme() {
    let help_and_note = |origin: &'static str| {
        let (_, diagnostics) = validate(&creds(base(&[origin])), &["GET"]);
        let d = diagnostics
            .into_iter()
            .find(|d| d.rule == Rule::InsecureCredentials)
            .expect("refused");
        (d.help.unwrap_or_default(), d.note.unwrap_or_default())
    };
    let (help, note) = help_and_note("http://a.example.com");
    assert!(
        help.starts_with("did you mean `\"https://a.example.com\"`?"),
        "{help}"
    );
    assert!(note.contains("plain http"), "{note}");
    let (help, note) = help_and_note("ws://a.example.com");
    assert!(
        help.starts_with("did you mean `\"wss://a.example.com\"`?"),
        "{help}"
    );
    assert!(note.contains("plain ws"), "{note}");
    let (help, note) = help_and_note("chrome-extension://abcdefghijklmnop");
    assert!(!help.contains("https://"), "{help}");
    assert!(!note.contains("plain http"), "{note}");
    assert!(
        help.contains("add `dangerously_allow_insecure_origins`") && help.contains("extension"),
        "{help}"
    );
}

#[test]
fn an_unneeded_opt_out_is_a_warning() {
    let with_opt_out = |origins: &[&'static str]| RawPolicy {
        dangerously_allow_insecure_origins: Some(Spanned::new(true, "opt-out")),
        ..creds(base(origins))
    };
    for (origins, warned) in [
        (&["https://a.example.com"][..], true),
        (&["http://localhost:3000"][..], true),
        (&["http://a.example.com"][..], false),
    ] {
        let (policy, diagnostics) = validate(&with_opt_out(origins), &["GET"]);
        assert!(policy.is_some(), "{origins:?}");
        let warnings: Vec<_> = diagnostics
            .iter()
            .map(|d| (d.level, d.rule, d.span))
            .collect();
        let expected = if warned {
            vec![(Level::Warning, Rule::InsecureCredentials, "opt-out")]
        } else {
            vec![]
        };
        assert_eq!(warnings, expected, "{origins:?}");
    }
}
