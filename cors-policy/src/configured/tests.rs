use super::*;
use crate::model::Origins;

fn config(key: &str) -> Place {
    Place::Config(format!("cors.{key}"))
}

fn env(var: &str) -> Place {
    Place::Env(format!("APP_CORS_{var}"))
}

fn text(value: &str, place: Place) -> Option<Setting> {
    Some(Setting::new(Value::Text(value.to_owned()), place))
}

fn rules(findings: &[Finding]) -> Vec<(Rule, String)> {
    findings
        .iter()
        .map(|f| (f.diagnostic.rule, f.origin.to_string()))
        .collect()
}

#[test]
fn every_key_from_configuration_makes_the_policy() {
    let p = ConfiguredPolicy {
        origins: Some(Setting::new(
            Value::List(vec![
                "https://app.example.com".into(),
                "https://*.partner.example.org, http://localhost:*".into(),
            ]),
            config("origins"),
        )),
        credentials: Some(Setting::new(Value::Bool(true), config("credentials"))),
        methods: text("PUT, DELETE", env("METHODS")),
        allow_headers: text("Content-Type X-Api-Key", env("ALLOW_HEADERS")),
        expose_headers: Some(Setting::new(
            Value::List(vec!["X-Request-Id".into()]),
            config("expose_headers"),
        )),
        max_age: text(" 600 ", env("MAX_AGE")),
        ..ConfiguredPolicy::default()
    };
    let resolved = resolve(&p).expect("valid");
    let policy = &resolved.policy;
    let Origins::List { exact, patterns } = &policy.origins else {
        panic!("a list");
    };
    assert_eq!(exact, &["https://app.example.com"]);
    assert_eq!(patterns.len(), 2);
    assert!(policy.credentials);
    assert_eq!(policy.allow_methods, ["PUT", "DELETE"]);
    assert_eq!(policy.routed_methods, None, "a named policy: no route");
    assert_eq!(policy.allow_headers, ["content-type", "x-api-key"]);
    assert_eq!(policy.expose_headers, ["X-Request-Id"]);
    assert_eq!(policy.max_age, Some(600));
    assert_eq!(resolved.provenance.methods, Source::from(&env("METHODS")));
    assert_eq!(
        resolved.provenance.credentials,
        Source::from(&config("credentials"))
    );
    assert_eq!(resolved.provenance.origins.len(), 3);
    assert_eq!(
        resolved.provenance.origins[1],
        (
            "https://*.partner.example.org".to_owned(),
            Source::Config("cors.origins".into())
        )
    );
    assert_eq!(
        resolved.provenance.max_age,
        Source::Env("APP_CORS_MAX_AGE".into())
    );
    assert_eq!(
        resolved.provenance.expose_headers,
        Source::from(&config("expose_headers"))
    );
    let unset = resolve(&ConfiguredPolicy {
        methods: None,
        ..p.clone()
    })
    .expect("valid");
    assert_eq!(unset.provenance.methods, Source::Default);
    assert!(resolved.warnings.is_empty());
}

#[test]
fn rules_over_several_keys_apply_to_the_combination_and_all_errors_come_at_once() {
    let p = ConfiguredPolicy {
        origins: text("*", config("origins")),
        credentials: text("true", env("CREDENTIALS")),
        methods: text("PUT *", config("methods")),
        allow_headers: text("*", config("allow_headers")),
        max_age: text("100000", env("MAX_AGE")),
        ..ConfiguredPolicy::default()
    };
    let findings = resolve(&p).expect_err("invalid");
    assert_eq!(
        rules(&findings),
        vec![
            (
                Rule::WildcardCredentials,
                "entry 1 of configuration key `cors.origins`".to_owned()
            ),
            (
                Rule::WildcardCredentials,
                "environment variable `APP_CORS_CREDENTIALS`".to_owned()
            ),
            (
                Rule::MethodWildcard,
                "entry 2 of configuration key `cors.methods`".to_owned()
            ),
            (
                Rule::HeaderWildcardCredentials,
                "entry 1 of configuration key `cors.allow_headers`".to_owned()
            ),
            (
                Rule::HeaderWildcardCredentials,
                "environment variable `APP_CORS_CREDENTIALS`".to_owned()
            ),
            (
                Rule::MaxAgeRange,
                "environment variable `APP_CORS_MAX_AGE`".to_owned()
            ),
        ]
    );
    for finding in &findings {
        assert!(finding.diagnostic.help.is_some(), "{finding}");
    }
    let shown = findings[1].to_string();
    assert!(
        shown.contains("--> environment variable `APP_CORS_CREDENTIALS`: \"true\""),
        "{shown}"
    );
    // The same values without credentials: `*` is allowed for origins and headers.
    let without = ConfiguredPolicy {
        credentials: text("false", env("CREDENTIALS")),
        methods: text("PUT", config("methods")),
        max_age: None,
        ..p
    };
    let resolved = resolve(&without).expect("valid without credentials");
    assert_eq!(resolved.policy.origins, Origins::Any);
    assert!(resolved.policy.allow_any_header);
}

#[test]
fn insecure_origins_are_refused_with_credentials_unless_the_opt_out_is_configured() {
    let p = ConfiguredPolicy {
        origins: text(
            "https://app.example.com http://staging.example.com",
            env("ORIGINS"),
        ),
        credentials: Some(Setting::new(Value::Integer(1), config("credentials"))),
        ..ConfiguredPolicy::default()
    };
    let findings = resolve(&p).expect_err("insecure");
    assert_eq!(
        rules(&findings),
        vec![(
            Rule::InsecureCredentials,
            "entry 2 of environment variable `APP_CORS_ORIGINS`".to_owned()
        )]
    );
    let opted_out = ConfiguredPolicy {
        dangerously_allow_insecure_origins: text("yes", env("DANGEROUSLY_ALLOW_INSECURE_ORIGINS")),
        ..p
    };
    let resolved = resolve(&opted_out).expect("opted out");
    assert!(resolved.policy.allow_insecure_origins);
}

#[test]
fn bad_values_are_findings_naming_the_key_and_the_value() {
    let p = ConfiguredPolicy {
        origins: Some(Setting::new(Value::Bool(true), config("origins"))),
        credentials: text("maybe", env("CREDENTIALS")),
        methods: Some(Setting::new(
            Value::NotUnicode("PUT\u{fffd}".into()),
            env("METHODS"),
        )),
        allow_headers: Some(Setting::new(
            Value::Other("a table".into()),
            config("allow_headers"),
        )),
        max_age: text("ten minutes", env("MAX_AGE")),
        dangerously_allow_insecure_origins: Some(Setting::new(
            Value::Integer(2),
            config("dangerously_allow_insecure_origins"),
        )),
        ..ConfiguredPolicy::default()
    };
    let findings = resolve(&p).expect_err("bad values");
    assert_eq!(
        rules(&findings),
        vec![
            (
                Rule::ValueType,
                "configuration key `cors.origins`".to_owned()
            ),
            (
                Rule::ValueType,
                "environment variable `APP_CORS_CREDENTIALS`".to_owned()
            ),
            (
                Rule::ValueType,
                "environment variable `APP_CORS_METHODS`".to_owned()
            ),
            (
                Rule::ValueType,
                "configuration key `cors.allow_headers`".to_owned()
            ),
            (
                Rule::ValueType,
                "environment variable `APP_CORS_MAX_AGE`".to_owned()
            ),
            (
                Rule::ValueType,
                "configuration key `cors.dangerously_allow_insecure_origins`".to_owned()
            ),
        ]
    );
    let all: String = findings.iter().map(|f| format!("{f}\n")).collect();
    for expected in [
        "error: environment variable `APP_CORS_CREDENTIALS` must be `true` or `false`",
        "--> environment variable `APP_CORS_CREDENTIALS`: \"maybe\"",
        "error: environment variable `APP_CORS_METHODS` is set, but its value is not UTF-8",
        "help: set it to `APP_CORS_METHODS=PUT,DELETE`, or unset it",
        "error: configuration key `cors.allow_headers` must be a list of strings or one string of entries separated by commas, not a table",
        "error: environment variable `APP_CORS_MAX_AGE` must be a whole number of seconds",
        "help: set it to a number from 0 to 7200 (Chromium's cap), e.g. `APP_CORS_MAX_AGE=600`",
    ] {
        assert!(all.contains(expected), "{expected:?} not in\n{all}");
    }
    // Numbers out of range are range errors, whatever their form.
    for value in [
        Value::Integer(-1),
        Value::Text("-5".into()),
        Value::Text("99999999999999999999999".into()),
    ] {
        let p = ConfiguredPolicy {
            origins: text("https://a.example.com", config("origins")),
            max_age: Some(Setting::new(value.clone(), config("max_age"))),
            ..ConfiguredPolicy::default()
        };
        let findings = resolve(&p).expect_err("out of range");
        assert_eq!(
            rules(&findings),
            vec![(
                Rule::MaxAgeRange,
                "configuration key `cors.max_age`".to_owned()
            )],
            "{value:?}"
        );
    }
}

#[test]
fn empty_values_mean_unset_except_for_origins() {
    let p = ConfiguredPolicy {
        origins: text("https://a.example.com", env("ORIGINS")),
        credentials: text("", env("CREDENTIALS")),
        methods: text(" , ", env("METHODS")),
        allow_headers: text("", env("ALLOW_HEADERS")),
        max_age: text(" ", env("MAX_AGE")),
        ..ConfiguredPolicy::default()
    };
    let policy = resolve(&p).expect("valid").policy;
    assert!(!policy.credentials);
    assert!(policy.allow_methods.is_empty());
    assert!(policy.allow_headers.is_empty());
    assert_eq!(policy.max_age, None);
    let empty = ConfiguredPolicy {
        origins: text(" ,, ", env("ORIGINS")),
        ..p
    };
    let findings = resolve(&empty).expect_err("no origin");
    assert_eq!(
        rules(&findings),
        vec![(
            Rule::OriginsRequired,
            "environment variable `APP_CORS_ORIGINS`".to_owned()
        )]
    );
    assert!(findings[0].diagnostic.message.contains("is empty"));
}

#[test]
fn missing_origins_name_every_place_looked_at() {
    let p = ConfiguredPolicy {
        origins_looked_up: vec![config("origins"), env("ORIGINS")],
        credentials: text("true", env("CREDENTIALS")),
        ..ConfiguredPolicy::default()
    };
    let findings = resolve(&p).expect_err("no origins");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let text = findings[0].to_string();
    assert!(
        text.starts_with("error: neither configuration key `cors.origins` nor environment variable `APP_CORS_ORIGINS` is set"),
        "{text}"
    );
    assert!(
        text.contains("`cors.origins = [\"https://app.example.com\"]`"),
        "{text}"
    );
    assert!(text.ends_with("= rule: cors::origins-required"), "{text}");
}

#[test]
fn unknown_keys_are_refused_with_the_key_they_likely_mean() {
    let p = ConfiguredPolicy {
        origins: text("https://a.example.com", config("origins")),
        unknown: vec![
            (config("allowed_methods"), "allowed_methods".into()),
            (env("MAX_AGE_SECS"), "max_age_secs".into()),
            (config("enabled"), "enabled".into()),
            (config("send_wildcard"), "send_wildcard".into()),
            (config("colour"), "colour".into()),
        ],
        ..ConfiguredPolicy::default()
    };
    let findings = resolve(&p).expect_err("unknown keys");
    let helps: Vec<&str> = findings
        .iter()
        .map(|f| f.diagnostic.help.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(helps[0], "did you mean configuration key `cors.methods`?");
    assert_eq!(
        helps[1],
        "did you mean environment variable `APP_CORS_MAX_AGE`?"
    );
    assert!(
        helps[2].contains("Condition::new(enabled, cors)"),
        "{}",
        helps[2]
    );
    assert!(helps[3].contains("`cors.origins = \"*\"`"), "{}", helps[3]);
    assert!(
        helps[4].starts_with("remove it; the keys of a policy are"),
        "{}",
        helps[4]
    );
    assert!(findings
        .iter()
        .all(|f| f.diagnostic.rule == Rule::UnknownKey));
}

#[test]
fn warnings_do_not_stop_the_policy() {
    let p = ConfiguredPolicy {
        origins: text("https://a.example.com", config("origins")),
        max_age: Some(Setting::new(Value::Integer(86_400), config("max_age"))),
        ..ConfiguredPolicy::default()
    };
    let resolved = resolve(&p).expect("a warning only");
    assert_eq!(resolved.policy.max_age, Some(86_400));
    assert_eq!(
        rules(&resolved.warnings),
        vec![(
            Rule::MaxAgeCap,
            "configuration key `cors.max_age`".to_owned()
        )]
    );
}

#[test]
fn a_method_or_header_that_is_no_token_still_says_how_to_fix_it() {
    let p = ConfiguredPolicy {
        origins: text("https://a.example.com", config("origins")),
        methods: Some(Setting::new(
            Value::List(vec!["PU;T".into()]),
            config("methods"),
        )),
        allow_headers: Some(Setting::new(
            Value::List(vec!["X:Y".into()]),
            config("allow_headers"),
        )),
        ..ConfiguredPolicy::default()
    };
    let findings = resolve(&p).expect_err("not tokens");
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|f| f.diagnostic.help.is_some()));
}
