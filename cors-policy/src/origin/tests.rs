use super::*;

fn exact(s: &str) -> OriginSpec {
    OriginSpec::Exact(s.to_owned())
}

#[test]
fn valid_entries() {
    let cases = [
        "https://app.example.com",
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "https://[::1]",
        "http://[2001:db8::1]:8080",
        "tauri://localhost",
        "capacitor://localhost",
        "chrome-extension://abcdefghijklmnop",
        "https://xn--bcher-kva.example",
        "https://a_b.example.com",
        "http://10.0.0.1",
        "https://example.com:8443",
        "http://[::ffff:7f00:1]:3000",
        "https://xn--zckzah",
    ];
    for case in cases {
        assert_eq!(parse_origin(case), Ok(exact(case)), "{case}");
    }
    assert_eq!(parse_origin("*"), Ok(OriginSpec::Any));
}

#[test]
fn patterns() {
    let p = |scheme: &str, host: HostPattern, port| {
        Ok(OriginSpec::Pattern(OriginPattern {
            scheme: scheme.into(),
            host,
            port,
        }))
    };
    assert_eq!(
        parse_origin("https://*.example.com"),
        p(
            "https",
            HostPattern::Subdomains("example.com".into()),
            PortPattern::Default
        )
    );
    assert_eq!(
        parse_origin("http://localhost:*"),
        p(
            "http",
            HostPattern::Exact("localhost".into()),
            PortPattern::Any
        )
    );
    assert_eq!(
        parse_origin("http://127.0.0.1:*"),
        p(
            "http",
            HostPattern::Exact("127.0.0.1".into()),
            PortPattern::Any
        )
    );
    assert_eq!(
        parse_origin("https://*.example.com:8443"),
        p(
            "https",
            HostPattern::Subdomains("example.com".into()),
            PortPattern::Exact(8443)
        )
    );
}

#[test]
fn refused_entries_with_rule_and_suggestion() {
    let cases: &[(&str, Rule, Option<&str>)] = &[
        (
            "https://app.example.com/",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        (
            "https://app.example.com/api",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        (
            "https://app.example.com?x",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        (
            "https://app.example.com#x",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        (
            "app.example.com",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        (
            " https://app.example.com",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        ("https://a b.example.com", Rule::OriginSyntax, None),
        (
            "https://user@app.example.com",
            Rule::OriginSyntax,
            Some("https://app.example.com"),
        ),
        (
            "https://App.Example.com",
            Rule::OriginCase,
            Some("https://app.example.com"),
        ),
        (
            "HTTPS://app.example.com",
            Rule::OriginCase,
            Some("https://app.example.com"),
        ),
        (
            "https://app.example.com:443",
            Rule::OriginPort,
            Some("https://app.example.com"),
        ),
        (
            "http://app.example.com:80",
            Rule::OriginPort,
            Some("http://app.example.com"),
        ),
        (
            "http://localhost:03000",
            Rule::OriginPort,
            Some("http://localhost:3000"),
        ),
        ("http://localhost:0", Rule::OriginPort, None),
        ("http://localhost:65536", Rule::OriginPort, None),
        (
            "http://localhost:",
            Rule::OriginPort,
            Some("http://localhost"),
        ),
        ("http://localhost:3*", Rule::OriginPattern, None),
        ("null", Rule::OriginNull, None),
        ("file://", Rule::OriginNull, None),
        ("file:///etc/passwd", Rule::OriginNull, None),
        (
            "https://bücher.example",
            Rule::OriginHost,
            Some("https://xn--bcher-kva.example"),
        ),
        ("https://app..example.com", Rule::OriginHost, None),
        (
            "https://app.example.com.",
            Rule::OriginHost,
            Some("https://app.example.com"),
        ),
        ("https://", Rule::OriginHost, None),
        ("http://[::1%25eth0]", Rule::OriginIp, Some("http://[::1]")),
        (
            "http://[0:0:0:0:0:0:0:1]",
            Rule::OriginIp,
            Some("http://[::1]"),
        ),
        (
            "http://[2001:DB8::1]",
            Rule::OriginIp,
            Some("http://[2001:db8::1]"),
        ),
        (
            "http://127.000.000.001",
            Rule::OriginIp,
            Some("http://127.0.0.1"),
        ),
        // Other IPv4 forms, read as browsers read them.
        (
            "http://0x7f.0.0.1",
            Rule::OriginIp,
            Some("http://127.0.0.1"),
        ),
        ("http://127.1", Rule::OriginIp, Some("http://127.0.0.1")),
        (
            "http://127.1:8080",
            Rule::OriginIp,
            Some("http://127.0.0.1:8080"),
        ),
        ("http://10.1.2", Rule::OriginIp, Some("http://10.1.0.2")),
        (
            "http://2130706433",
            Rule::OriginIp,
            Some("http://127.0.0.1"),
        ),
        ("http://127.256", Rule::OriginIp, Some("http://127.0.1.0")),
        ("http://1.2.3.4.5", Rule::OriginIp, None),
        ("http://1.2.65536", Rule::OriginIp, None),
        ("http://0x+1.0.0.1", Rule::OriginIp, None),
        // What pasting into a variable or a file leaves in an entry.
        (
            "\u{feff}https://a.example.com",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "https://a.example.com\u{200b}",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "\"https://a.example.com\"",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "'https://a.example.com'",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "[\"https://a.example.com\"",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "\"https://b.example.com\"]",
            Rule::OriginSyntax,
            Some("https://b.example.com"),
        ),
        (
            "[\"https://a.example.com\"]",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "[https://a.example.com]",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "[\"http://[::1]:8080\"]",
            Rule::OriginSyntax,
            Some("http://[::1]:8080"),
        ),
        ("-", Rule::OriginSyntax, None),
        (
            "- https://a.example.com",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        (
            "https://a.example.com;https://b.example.com",
            Rule::OriginSyntax,
            None,
        ),
        (
            "https://a.example.com;",
            Rule::OriginSyntax,
            Some("https://a.example.com"),
        ),
        ("https://api.*.example.com", Rule::OriginPattern, None),
        ("https://*example.com", Rule::OriginPattern, None),
        ("https://**.example.com", Rule::OriginPattern, None),
        ("https://*.*.example.com", Rule::OriginPattern, None),
        ("http://*.127.0.0.1", Rule::OriginPattern, None),
        ("http://[*::1]", Rule::OriginPattern, None),
        ("1https://a.com", Rule::OriginSyntax, None),
        // Found by review: a non-ASCII last label made the IPv4 look-alike check slice
        // inside a character (a panic in the macro).
        (
            "https://a.cö",
            Rule::OriginHost,
            Some("https://a.xn--c-1ga"),
        ),
        (
            "https://*.テスト",
            Rule::OriginHost,
            Some("https://*.xn--zckzah"),
        ),
        // Browsers serialize IPv4-mapped IPv6 in hex; Rust's `Display` does not.
        (
            "http://[::ffff:127.0.0.1]:3000",
            Rule::OriginIp,
            Some("http://[::ffff:7f00:1]:3000"),
        ),
        // `xn--` labels that are not valid punycode: no browser parses the host.
        ("https://xn--.example.org", Rule::OriginHost, None),
        ("https://*.xn--abc-.example", Rule::OriginHost, None),
        ("https://xn--a.example", Rule::OriginHost, None),
        ("", Rule::OriginSyntax, None),
    ];
    for (entry, rule, suggestion) in cases {
        let err = parse_origin(entry).expect_err(entry);
        assert_eq!(err.rule, *rule, "{entry}: {err:?}");
        assert_eq!(err.suggestion.as_deref(), *suggestion, "{entry}: {err:?}");
    }
}

#[test]
fn every_refusal_says_how_to_fix_it() {
    // (entry, words the help line must hold): the refusals with no corrected entry to offer.
    let cases: &[(&str, &str)] = &[
        ("null", "remove this entry"),
        ("file://", "local web server"),
        ("file:///home/me/index.html", "`http://localhost:8000`"),
        ("http://localhost:0", "`http://localhost:*` for any port"),
        ("http://localhost:65536", "`http://localhost:8080`"),
        ("https://", "write the host after `://`"),
        ("-", "remove the `-` markers"),
        (
            "https://a.example.com;https://b.example.com",
            "list `https://a.example.com` and `https://b.example.com` as separate origins (in a variable or a configuration value, separated by commas: `https://a.example.com,https://b.example.com`)",
        ),
        ("", "remove the empty entry"),
        ("https://a b.example.com", "remove the whitespace"),
        ("http://localhost:3*", "`http://localhost:*`"),
        ("http://localhost:http", "number from 1 to 65535"),
        ("https://api.*.example.com", "leading `*.` label"),
        ("https://*.*.example.com", "one leading `*.` label"),
        ("http://[*::1]", "list each address"),
        ("http://[zz::1]", "valid IPv6 address"),
        ("https://a%b.example.com", "remove `%`"),
        ("https://app..example.com", "remove the extra `.`"),
        ("https://xn--.example.org", "`location.origin`"),
        ("1https://a.com", "`scheme://host[:port]`"),
    ];
    for (entry, expected) in cases {
        let err = parse_origin(entry).expect_err(entry);
        assert_eq!(err.suggestion, None, "{entry}");
        assert!(
            err.help_line().contains(expected),
            "{entry:?}: {:?} lacks {expected:?}",
            err.help_line()
        );
        assert_ne!(err.help, WRITE_AN_ORIGIN, "{entry:?}: a help of its own");
    }
    // A corrected entry, when there is one, is the help line.
    let err = parse_origin("http://127.1").expect_err("short IPv4");
    assert_eq!(err.help_line(), "did you mean `\"http://127.0.0.1\"`?");
}

#[test]
fn what_pasting_leaves_is_named_for_what_it_is() {
    for (entry, message) in [
        (
            "\u{feff}https://a.example.com",
            "origin contains an invisible character: a byte-order mark (U+FEFF), which some editors write at the start of a file",
        ),
        ("\"https://a.example.com\"", "origin is wrapped in quotes"),
        (
            "[\"https://a.example.com\"",
            "origin holds the brackets and quotes of an array",
        ),
        ("-", "`-` is the marker of a YAML list item, not an origin"),
        (
            "https://a.example.com;https://b.example.com",
            "origin contains `;`, which does not separate origins",
        ),
    ] {
        let err = parse_origin(entry).expect_err(entry);
        assert_eq!(err.message, message, "{entry:?}");
        assert!(!err.message.contains('\u{feff}'), "{entry:?}: printed raw");
    }
    // The brackets of an IPv6 host are not an array's.
    assert!(parse_origin("http://[::1]:8080").is_ok());
    let err = parse_origin("[::1]:8080").expect_err("no scheme");
    assert_eq!(err.message, "origin has no scheme");
}

#[test]
fn secure_or_loopback() {
    for ok in [
        "https://a.com",
        "http://localhost:3000",
        "http://app.localhost",
        "http://127.0.0.2",
        "http://[::1]:8080",
        "tauri://localhost",
        "http://localhost:*",
        "http://*.localhost",
    ] {
        assert!(parse_origin(ok).unwrap().is_secure_or_loopback(), "{ok}");
    }
    for bad in [
        "http://a.com",
        "http://*.example.com",
        "http://10.0.0.1",
        "ws://a.com",
        "*",
    ] {
        assert!(!parse_origin(bad).unwrap().is_secure_or_loopback(), "{bad}");
    }
}
