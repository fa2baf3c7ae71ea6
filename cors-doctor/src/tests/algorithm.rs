//! The whole algorithm over a scripted transport.

use super::*;

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
    // The report shows each request as it was sent: the POST that got the 303, then the GET.
    let shown: Vec<&str> = report.steps.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(shown, ["POST", "GET"]);
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
