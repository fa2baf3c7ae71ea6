//! The browser's fetch algorithm over any transport: preflight or not, the preflight, the
//! actual request, redirects (the CORS check on each hop, the tainted-origin rule, at most 20),
//! then the probes, the narrowing of a refused preflight and the warnings. The command line
//! runs it over HTTP; [`crate::test`] (feature `actix`) runs it against an actix-web service
//! in process, so both reach the same verdict for the same answers.

use crate::*;

/// How many redirects a browser follows (Fetch: "If request's redirect count is 20, then
/// return a network error").
pub const MAX_REDIRECTS: usize = 20;

fn step(
    kind: StepKind,
    method: &str,
    url: &str,
    request_headers: Vec<(String, String)>,
    result: Result<&Response, &NoAnswer>,
    checks: Vec<Check>,
    readable_headers: Option<Vec<String>>,
) -> Step {
    let (answer, error) = match result {
        Ok(response) => (Some(Answer::from(response)), None),
        Err(e) => (None, Some(e.message.clone())),
    };
    Step {
        kind,
        method: method.to_owned(),
        url: url.to_owned(),
        request_headers,
        answer,
        error,
        checks,
        readable_headers,
    }
}

fn no_answer_check(kind: StepKind, error: &NoAnswer) -> Check {
    let what = match error.kind {
        FailureKind::TimedOut => "no answer in time",
        _ => "the connection was closed without an answer",
    };
    let (cause, fix) = match kind {
        StepKind::Preflight => (
            "the server (or a proxy, firewall or load balancer in front of it) drops OPTIONS requests instead of answering them; the browser treats that as a network error and blocks the request",
            "answer the preflight (OPTIONS with Access-Control-Request-Method) with 204 and the CORS headers, and let OPTIONS through every proxy in front of the server",
        ),
        StepKind::Actual => (
            "the server closed the connection without answering this request (it crashed, rejected the body, or a proxy cut it); fetch rejects with a TypeError",
            "make the server answer this request; check its logs for this method and body",
        ),
    };
    Check {
        id: CheckId::Answered,
        passed: false,
        detail: format!("{what} ({})", error.message),
        browser_reason: None,
        cause: Some(cause.into()),
        fix: Some(fix.into()),
    }
}

/// After a redirect to another origin the browser sends `Origin: null`: say so in a failed
/// CORS check.
fn explain_tainted(checks: &mut [Check], tainted_by: Option<&str>) {
    let Some(redirect) = tainted_by else {
        return;
    };
    for c in checks.iter_mut().filter(|c| {
        !c.passed
            && matches!(
                c.id,
                CheckId::AllowOriginPresent | CheckId::AllowOriginMatches
            )
    }) {
        c.cause = Some(format!("the request was redirected to another origin ({redirect}), so the browser sends `Origin: null` (Fetch's tainted-origin rule) and the answer must grant `null` or `*`; a grant for the page's origin no longer matches"));
        c.fix = Some("fetch the final URL directly from the page, or avoid the cross-origin redirect; for a public resource without credentials, `Access-Control-Allow-Origin: *` passes".into());
    }
}

/// Runs the browser's algorithm for `page` over `transport` and explains every step.
pub async fn diagnose<T: Transport>(
    transport: &mut T,
    page: &PageRequest,
    options: &Options,
) -> Result<Report, DoctorError> {
    let plan = plan(page).map_err(DoctorError::Plan)?;
    let mut steps = Vec::new();
    let mut warnings_found = Vec::new();
    let mut first_preflight: Option<Response> = None;
    let mut first_actual: Option<Response> = None;
    let mut url = page.url.clone();
    let mut method = plan.method.clone();
    let mut headers = plan.headers.clone();
    let mut body = page.body.clone();
    let mut cors = !plan.same_origin;
    let mut tainted: Option<String> = None;
    let mut redirects = 0usize;
    let mut answered_once = false;

    loop {
        let origin = if tainted.is_some() {
            "null".to_owned()
        } else {
            page.origin.clone()
        };
        if !cors && url_origin(&url).as_deref() != Some(page.origin.as_str()) {
            cors = true;
        }
        let hop = PageRequest {
            url: url.clone(),
            origin: origin.clone(),
            method: method.clone(),
            headers: headers.clone(),
            credentials: page.credentials,
            body: None,
            cookies: Vec::new(),
        };
        let preflight = if !cors {
            None
        } else if redirects == 0 {
            plan.preflight.clone()
        } else {
            preflight_for(&method, &headers)
        };
        if let Some(pf) = &preflight {
            let sent = preflight_request_headers(&origin, pf);
            let request = Outgoing {
                method: "OPTIONS".into(),
                url: url.clone(),
                headers: sent.clone(),
                body: None,
            };
            match transport.send(&request).await {
                Err(e) if !answered_once && e.kind == FailureKind::Unreachable => {
                    return Err(DoctorError::Unreachable(e));
                }
                Err(e) => {
                    let check = no_answer_check(StepKind::Preflight, &e);
                    steps.push(step(
                        StepKind::Preflight,
                        "OPTIONS",
                        &url,
                        sent,
                        Err(&e),
                        vec![check],
                        None,
                    ));
                    break;
                }
                Ok(response) => {
                    answered_once = true;
                    let mut checks = check_preflight(&hop, pf, &response);
                    explain_tainted(&mut checks, tainted.as_deref());
                    let passed = checks.iter().all(|c| c.passed);
                    if passed {
                        warnings_found.extend(authorization_wildcard_warning(
                            pf,
                            &response,
                            page.credentials,
                        ));
                    }
                    steps.push(step(
                        StepKind::Preflight,
                        "OPTIONS",
                        &url,
                        sent,
                        Ok(&response),
                        checks,
                        None,
                    ));
                    if redirects == 0 {
                        first_preflight = Some(response);
                    }
                    if !passed {
                        break;
                    }
                }
            }
        }

        // The actual request.
        let mut sent = headers.clone();
        if !sent.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept")) {
            sent.insert(0, ("Accept".to_owned(), "*/*".to_owned()));
        }
        if cors || !matches!(method.as_str(), "GET" | "HEAD") {
            sent.push(("Origin".to_owned(), origin.clone()));
        }
        let mut shown = sent.clone();
        if page.credentials || !cors {
            if let Some(cookie) = cookie_header(&page.cookies, &url) {
                shown.push(("Cookie".to_owned(), redact_cookie_header(&cookie)));
                sent.push(("Cookie".to_owned(), cookie));
            }
        }
        let request = Outgoing {
            method: method.clone(),
            url: url.clone(),
            headers: sent,
            body: body.clone(),
        };
        let response = match transport.send(&request).await {
            Err(e) if !answered_once && e.kind == FailureKind::Unreachable => {
                return Err(DoctorError::Unreachable(e));
            }
            Err(e) => {
                let check = no_answer_check(StepKind::Actual, &e);
                steps.push(step(
                    StepKind::Actual,
                    &method,
                    &url,
                    shown,
                    Err(&e),
                    vec![check],
                    None,
                ));
                break;
            }
            Ok(response) => response,
        };
        answered_once = true;
        if redirects == 0 {
            first_actual = Some(response.clone());
        }
        // This hop's step, as it was sent (taken once: every branch below ends the hop).
        let actual_step = |checks, readable| {
            step(
                StepKind::Actual,
                &method,
                &url,
                shown,
                Ok(&response),
                checks,
                readable,
            )
        };
        let mut checks = if cors {
            check_actual(&hop, &response)
        } else {
            Vec::new()
        };
        explain_tainted(&mut checks, tainted.as_deref());
        if checks.iter().any(|c| !c.passed) {
            steps.push(actual_step(checks, None));
            break;
        }
        let Some(location) = redirect_location(&response) else {
            let readable = cors.then(|| readable_headers(page.credentials, &response));
            steps.push(actual_step(checks, readable));
            break;
        };
        // A redirect: Fetch's "HTTP-redirect fetch".
        redirects += 1;
        let next = resolve_location(&url, &location);
        let refused = match next.as_deref().map(|n| (n, url_parts(n))) {
            None | Some((_, None)) => Some(format!(
                "`Location: {location}` is not an http(s) URL; the browser stops with a network error"
            )),
            Some(_) if redirects > MAX_REDIRECTS => Some(format!(
                "this is redirect number {redirects}; browsers follow at most {MAX_REDIRECTS} and then fail with a network error (ERR_TOO_MANY_REDIRECTS)"
            )),
            Some((_, Some(parts))) if cors && parts.has_credentials => Some(format!(
                "`Location: {location}` carries user name or password; a CORS request is never redirected to such a URL"
            )),
            Some(_) => None,
        };
        if let Some(why) = refused {
            checks.push(Check {
                id: CheckId::RedirectAllowed,
                passed: false,
                detail: why,
                browser_reason: None,
                cause: Some("the server's redirect cannot be followed by a browser".into()),
                fix: Some("redirect to an http(s) URL without credentials, in fewer than 20 steps, or serve the resource at the URL the page fetches".into()),
            });
            steps.push(actual_step(checks, None));
            break;
        }
        let next = next.unwrap_or_default();
        let mut detail = format!(
            "status {}: the browser follows `Location: {location}` to {next}",
            response.status
        );
        let to_get = (response.status == 303 && !matches!(method.as_str(), "GET" | "HEAD"))
            || (matches!(response.status, 301 | 302) && method == "POST");
        if to_get {
            detail.push_str(&format!(
                " as GET, without the body (a {} after {method})",
                response.status
            ));
        }
        let current = url_origin(&url);
        if tainted.is_none()
            && url_origin(&next) != current
            && current.as_deref() != Some(page.origin.as_str())
        {
            detail.push_str("; it goes to another origin, so from now on the browser sends `Origin: null` (tainted origin)");
            tainted = Some(format!("{url} to {next}"));
        }
        checks.push(Check::pass(CheckId::RedirectAllowed, detail));
        steps.push(actual_step(checks, None));
        // The next hop, as the browser sends it.
        if to_get {
            method = "GET".into();
            body = None;
            headers
                .retain(|(n, _)| !REQUEST_BODY_HEADERS.contains(&n.to_ascii_lowercase().as_str()));
        }
        url = next;
    }

    // Probes: the first request again, with a made-up origin and with `null`.
    let mut probes = Vec::new();
    let mut probe_responses: Vec<Option<Response>> = Vec::new();
    if options.probe && !plan.same_origin {
        for origin in [PROBE_ORIGIN, "null"] {
            let (method, sent) = match &plan.preflight {
                Some(preflight) => (
                    "OPTIONS".to_owned(),
                    preflight_request_headers(origin, preflight),
                ),
                None => (plan.method.clone(), actual_request_headers(origin, &plan)),
            };
            let body = (method != "OPTIONS").then(|| page.body.clone()).flatten();
            let request = Outgoing {
                method: method.clone(),
                url: page.url.clone(),
                headers: sent,
                body,
            };
            let (answer, error, response) = match transport.send(&request).await {
                Ok(response) => (Some(Answer::from(&response)), None, Some(response)),
                Err(e) => (None, Some(e.message), None),
            };
            probes.push(Probe {
                origin: origin.to_owned(),
                method,
                answer,
                error,
            });
            probe_responses.push(response);
        }
    }
    let mut found = warnings(&Observed {
        origin: &page.origin,
        preflight: first_preflight.as_ref(),
        actual: first_actual.as_ref(),
        probe: probe_responses.first().and_then(Option::as_ref),
        probe_null: probe_responses.get(1).and_then(Option::as_ref),
    });
    found.append(&mut warnings_found);
    found.extend(client_hint_warning(&plan, &steps));

    // A preflight refused without any CORS header: find out what is refused.
    let mut refusal = None;
    let refused_outright = steps.first().is_some_and(|s| {
        s.kind == StepKind::Preflight
            && s.checks
                .iter()
                .any(|c| !c.passed && c.id == CheckId::AllowOriginPresent)
    });
    if let (true, true, Some(preflight), Some(answer)) = (
        options.narrow,
        refused_outright,
        &plan.preflight,
        &first_preflight,
    ) {
        let mut answers = Vec::new();
        for variation in variations(preflight) {
            let request = Outgoing {
                method: "OPTIONS".into(),
                url: page.url.clone(),
                headers: variation_headers(&page.origin, &variation),
                body: None,
            };
            if let Ok(response) = transport.send(&request).await {
                answers.push((variation, response));
            }
        }
        let get = Outgoing {
            method: "GET".into(),
            url: page.url.clone(),
            headers: vec![
                ("Accept".into(), "*/*".into()),
                ("Origin".into(), page.origin.clone()),
            ],
            body: None,
        };
        let simple_get = transport.send(&get).await.ok();
        refusal = narrow_refusal(
            &page.origin,
            preflight,
            answer,
            simple_get.as_ref(),
            &answers,
        );
    }
    let mut report = Report::new(page.clone(), plan, steps, found, probes);
    report.refusal = refusal;
    Ok(report)
}
