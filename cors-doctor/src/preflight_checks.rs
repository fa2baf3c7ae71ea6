//! The checks a browser applies to a preflight answer (Fetch "CORS-preflight fetch").

use crate::*;

/// The checks a browser applies to a preflight answer (Fetch "CORS-preflight fetch"), in
/// Chromium's order: the CORS check, the status, then methods and headers.
pub fn check_preflight(
    page: &PageRequest,
    preflight: &PreflightPlan,
    response: &Response,
) -> Vec<Check> {
    let mut checks = cors_check(&page.origin, page.credentials, response);
    if let Some(c) = checks
        .iter_mut()
        .find(|c| !c.passed && c.id == CheckId::AllowCredentials)
    {
        // Preflights never carry credentials, but their answer must allow them.
        c.detail = format!(
            "the preflight answer lacks `{ACAC}: true` ({}); preflights are sent without credentials, but their answer must allow them",
            response.get(ACAC).map_or("none".to_owned(), |v| format!("it has `{v}`"))
        );
    }
    if checks.iter().any(|c| !c.passed) {
        return checks;
    }
    if !(200..300).contains(&response.status) {
        let redirect = (300..400).contains(&response.status);
        checks.push(Check::fail(
            CheckId::PreflightOkStatus,
            format!("the preflight answer has status {}", response.status),
            if redirect {
                "Redirect is not allowed for a preflight request.".to_owned()
            } else {
                "It does not have HTTP ok status.".to_owned()
            },
            if redirect {
                "the server redirects the OPTIONS request (to add or remove a trailing `/`, to https, or to a login page); browsers never follow redirects for preflights".to_owned()
            } else {
                format!("the server grants the origin but does not answer OPTIONS with a 2xx: the route has no OPTIONS handler, authentication runs before CORS (preflights carry no credentials), or the framework returns {} for OPTIONS", response.status)
            },
            if redirect {
                "request the final URL directly, and answer OPTIONS there with 204".to_owned()
            } else {
                "answer the preflight (OPTIONS with Access-Control-Request-Method) with 204 before authentication and routing".to_owned()
            },
        ));
        return checks;
    }
    checks.push(Check::pass(
        CheckId::PreflightOkStatus,
        format!("status {}", response.status),
    ));

    // Methods.
    let methods = match parse_list(response.get(ACAM).as_deref()) {
        Ok(m) => m,
        Err(bad) => {
            checks.push(Check::fail(
                CheckId::AllowMethodsParses,
                format!("`{ACAM}` has an element that is not a method: `{bad}`"),
                format!("Cannot parse {ACAM} response header field in preflight response."),
                "the value is not a comma-separated list of method names",
                "list methods as `GET, POST, PUT`",
            ));
            return checks;
        }
    };
    let headers = match parse_list(response.get(ACAH).as_deref()) {
        Ok(h) => h,
        Err(bad) => {
            checks.push(Check::fail(
                CheckId::AllowHeadersParse,
                format!("`{ACAH}` has an element that is not a header name: `{bad}`"),
                format!("Cannot parse {ACAH} response header field in preflight response."),
                "the value is not a comma-separated list of header names",
                "list header names as `Content-Type, X-Custom`",
            ));
            return checks;
        }
    };
    let method = &preflight.request_method;
    let wildcard_methods = !page.credentials && methods.iter().any(|m| m == "*");
    if methods.iter().any(|m| m == method) || is_safelisted_method(method) || wildcard_methods {
        let how = if methods.iter().any(|m| m == method) {
            format!("`{ACAM}` lists {method}")
        } else if wildcard_methods {
            format!("`{ACAM}: *` covers {method} (no credentials are sent)")
        } else {
            format!("{method} is CORS-safelisted and needs no listing")
        };
        checks.push(Check::pass(CheckId::AllowMethodsCoverMethod, how));
    } else {
        let listed = response.get(ACAM).unwrap_or_default();
        let same_but_case = methods.iter().find(|m| m.eq_ignore_ascii_case(method));
        let cause = if let Some(written) = same_but_case.filter(|_| {
            normalize_method(method) == *method
                && cors_policy::names::NORMALIZED_METHODS.contains(&method.as_str())
        }) {
            format!("the server lists `{listed}`, with `{written}` in another case: methods compare case-sensitively, and the browser sends `{method}` (it upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT), which `{written}` does not match")
        } else if let Some(written) = same_but_case {
            format!("the server lists `{listed}`, with `{written}`: methods compare case-sensitively, and browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT, so `{method}` is sent as written and `{written}` does not match it")
        } else if page.credentials && methods.iter().any(|m| m == "*") {
            format!(
                "`{ACAM}: *` does not count when credentials are sent: it means a method named `*`"
            )
        } else if listed.is_empty() {
            format!("the preflight answer has no `{ACAM}`, so only GET, HEAD and POST are allowed")
        } else {
            format!("`{ACAM}` is `{listed}`, without {method}")
        };
        checks.push(Check::fail(
            CheckId::AllowMethodsCoverMethod,
            format!("{method} is not allowed by the preflight answer"),
            format!("Method {method} is not allowed by {ACAM} in preflight response."),
            cause,
            format!("add {method} to the server's allowed methods (`{ACAM}`), spelled exactly as the page sends it"),
        ));
        return checks;
    }

    // Headers. `*` covers Authorization too, as Chromium and Firefox do (a deviation from the
    // standard, reported by `deviation_warnings`).
    let wildcard_headers = !page.credentials && headers.iter().any(|h| h == "*");
    let mut missing = None;
    for name in &preflight.unsafe_headers {
        let listed = headers.iter().any(|h| h.eq_ignore_ascii_case(name));
        if !(listed || wildcard_headers) {
            missing = Some(name.clone());
            break;
        }
    }
    match missing {
        None => {
            let detail = if preflight.unsafe_headers.is_empty() {
                "no request header needs allowing".to_owned()
            } else {
                format!("`{ACAH}` covers {}", preflight.unsafe_headers.join(", "))
            };
            checks.push(Check::pass(CheckId::AllowHeadersCoverHeaders, detail));
        }
        Some(name) => {
            let listed = response.get(ACAH).unwrap_or_default();
            let cause = if page.credentials && headers.iter().any(|h| h == "*") {
                format!("`{ACAH}: *` does not count when credentials are sent: it means a header named `*`")
            } else if listed.is_empty() {
                format!("the preflight answer has no `{ACAH}`, so no CORS-unsafe request header is allowed")
            } else {
                format!("`{ACAH}` is `{listed}`, without {name}")
            };
            checks.push(Check::fail(
                CheckId::AllowHeadersCoverHeaders,
                format!("the request header {name} is not allowed by the preflight answer"),
                format!("Request header field {name} is not allowed by {ACAH} in preflight response."),
                cause,
                format!("add {name} to the server's allowed request headers (`{ACAH}`), or stop sending it"),
            ));
        }
    }
    checks
}
