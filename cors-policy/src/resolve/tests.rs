use super::*;
use crate::model::{HostPattern, OriginPattern, PortPattern};

fn policy(sources: Vec<OriginSource>, credentials: bool) -> Policy {
    Policy {
        origins: Origins::List {
            exact: vec!["https://app.example.com".into()],
            patterns: vec![OriginPattern {
                scheme: "http".into(),
                host: HostPattern::Exact("localhost".into()),
                port: PortPattern::Any,
            }],
        },
        credentials,
        allow_methods: vec!["GET".into()],
        routed_methods: Some(vec!["GET".into()]),
        allow_headers: Vec::new(),
        allow_any_header: false,
        echo_request_headers: false,
        expose_headers: Vec::new(),
        expose_any_header: false,
        max_age: None,
        allow_insecure_origins: false,
        origin_sources: sources,
    }
}

fn env(var: &str) -> OriginSource {
    OriginSource::Env {
        var: var.into(),
        default: None,
    }
}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

fn rules(findings: &[Finding]) -> Vec<(Rule, Origin)> {
    findings
        .iter()
        .map(|f| (f.diagnostic.rule, f.origin.clone()))
        .collect()
}

#[test]
fn a_good_value_joins_the_literals() {
    let p = policy(vec![env("ORIGINS")], true);
    let resolved = resolve(
        "P",
        &p,
        vars(&[(
            "ORIGINS",
            "https://b.example.com, https://*.c.example.com\thttps://d.example.com",
        )]),
        None,
    )
    .expect("valid");
    let env_source = Source::Env("ORIGINS".into());
    assert_eq!(
        resolved.provenance.source_of("https://b.example.com"),
        &env_source
    );
    assert_eq!(
        resolved.provenance.source_of("https://*.c.example.com"),
        &env_source
    );
    assert_eq!(
        resolved.provenance.source_of("https://app.example.com"),
        &Source::Literal
    );
    let Origins::List { exact, patterns } = resolved.policy.origins else {
        panic!("a list");
    };
    assert_eq!(
        exact,
        [
            "https://app.example.com",
            "https://b.example.com",
            "https://d.example.com"
        ]
    );
    assert_eq!(patterns.len(), 2);
    assert!(resolved.policy.origin_sources.is_empty());
}

#[test]
fn every_bad_value_is_reported_at_once_with_where_it_came_from() {
    let p = policy(vec![env("ORIGINS")], true);
    let findings = resolve("P", &p,
        vars(&[(
            "ORIGINS",
            "https://b.example.com/,null,http://evil.example.net,https://*.com,https://app.example.com,*",
        )]),
        None,
    )
    .expect_err("invalid");
    let at = |n| Origin::Entry {
        source: Source::Env("ORIGINS".into()),
        n,
        from_default: false,
    };
    assert_eq!(
        rules(&findings),
        vec![
            (Rule::OriginSyntax, at(1)),
            (Rule::OriginNull, at(2)),
            (Rule::InsecureCredentials, at(3)),
            (Rule::PublicSuffixPattern, at(4)),
            (Rule::DuplicateOrigin, at(5)),
            (Rule::WildcardCredentials, at(6)),
            (Rule::WildcardCredentials, Origin::Policy("`credentials`")),
            // The refused `*.com` covers nothing: the literal under it stays.
            (Rule::WildcardAlone, at(6)),
        ]
    );
    let text = findings[0].to_string();
    assert!(
        text.contains("--> entry 1 of environment variable `ORIGINS`: \"https://b.example.com/\""),
        "{text}"
    );
    assert!(
        text.contains("did you mean `\"https://b.example.com\"`?"),
        "{text}"
    );
    assert!(text.ends_with("= rule: cors::origin-syntax"), "{text}");
}

#[test]
fn unset_and_empty() {
    let p = policy(vec![env("ORIGINS")], false);
    let findings = resolve("P", &p, vars(&[]), None).expect_err("unset");
    assert_eq!(
        rules(&findings),
        vec![(
            Rule::OriginsRequired,
            Origin::Whole(Source::Env("ORIGINS".into()))
        )]
    );
    // Empty: adds nothing; the literals remain.
    let resolved = resolve("P", &p, vars(&[("ORIGINS", " , ")]), None).expect("empty");
    assert_eq!(resolved.policy.origins, p.origins);
    // Empty, and nothing else: no origin at all.
    let only = Policy {
        origins: Origins::List {
            exact: Vec::new(),
            patterns: Vec::new(),
        },
        ..p.clone()
    };
    let findings = resolve("P", &only, vars(&[("ORIGINS", "")]), None).expect_err("none");
    assert_eq!(
        rules(&findings),
        vec![(
            Rule::OriginsRequired,
            Origin::Policy("origins (all sources together)")
        )]
    );
    // A default states what unset means.
    let defaulted = policy(
        vec![OriginSource::Env {
            var: "ORIGINS".into(),
            default: Some("https://b.example.com/".into()),
        }],
        false,
    );
    let findings = resolve("P", &defaulted, vars(&[]), None).expect_err("bad default");
    assert_eq!(
        rules(&findings),
        vec![(
            Rule::OriginSyntax,
            Origin::Entry {
                source: Source::Env("ORIGINS".into()),
                n: 1,
                from_default: true,
            }
        )]
    );
}

#[test]
fn a_value_that_is_not_utf8_is_an_error_and_never_replaced_by_the_default() {
    let not_utf8 = |_: &str| Lookup::NotUnicode("https://a.example.com\u{fffd}".into());
    for default in [None, Some("*".to_owned())] {
        let p = Policy {
            origins: Origins::List {
                exact: Vec::new(),
                patterns: Vec::new(),
            },
            ..policy(
                vec![OriginSource::Env {
                    var: "ORIGINS".into(),
                    default: default.clone(),
                }],
                false,
            )
        };
        let findings = resolve("P", &p, not_utf8, None).expect_err("not UTF-8");
        assert_eq!(findings.len(), 1, "{findings:?}");
        let text = findings[0].to_string();
        assert!(
            text.starts_with(
                "error: environment variable `ORIGINS` is set, but its value is not UTF-8"
            ),
            "{text}"
        );
        assert!(
            text.contains("--> environment variable `ORIGINS`"),
            "{text}"
        );
        assert_eq!(
            text.contains("the default (\"*\") applies only when the variable is unset"),
            default.is_some(),
            "{text}"
        );
    }
    // What `std::env::var` returns, converted.
    let raw = std::ffi::OsString::from("x");
    assert_eq!(
        Lookup::from(Err(std::env::VarError::NotUnicode(raw))),
        Lookup::NotUnicode("x".into())
    );
    assert_eq!(
        Lookup::from(Err(std::env::VarError::NotPresent)),
        Lookup::Unset
    );
}

#[test]
fn the_any_origin_needs_no_credentials_and_stands_alone() {
    let only = Policy {
        origins: Origins::List {
            exact: Vec::new(),
            patterns: Vec::new(),
        },
        ..policy(vec![env("ORIGINS")], false)
    };
    let resolved = resolve("P", &only, vars(&[("ORIGINS", "*")]), None).expect("any");
    assert_eq!(resolved.policy.origins, Origins::Any);
}

#[test]
fn configuration_values() {
    let p = policy(
        vec![OriginSource::Config {
            key: "cors.origins".into(),
        }],
        false,
    );
    let given = vec![
        "https://b.example.com".to_owned(),
        "https://app.example.com".to_owned(),
    ];
    let findings = resolve("P", &p, vars(&[]), Some(("settings.cors", &given))).expect_err("dup");
    assert_eq!(
        rules(&findings),
        vec![(
            Rule::DuplicateOrigin,
            Origin::Entry {
                source: Source::Config("settings.cors".into()),
                n: 2,
                from_default: false,
            }
        )]
    );
    let findings = resolve("P", &p, vars(&[]), None).expect_err("not given");
    assert_eq!(findings[0].diagnostic.rule, Rule::OriginsRequired);
    let findings = resolve(
        "P",
        &policy(Vec::new(), false),
        vars(&[]),
        Some(("k", &given)),
    )
    .expect_err("not taken");
    assert_eq!(findings[0].diagnostic.rule, Rule::OriginsRequired);
}
