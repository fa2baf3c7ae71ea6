//! Checks of `allow_headers` and `expose_headers`: tokens, names a page can never send or read,
//! names that need no listing, duplicates, and `"*"` with credentials; and of
//! `dangerously_echo_request_headers` against them.

use super::quoted;
use crate::diagnostic::Ctxt;
use crate::names;
use crate::raw::{List, Spanned};
use crate::rules::Rule;

/// Which of the two lists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum HeaderList {
    /// `allow_headers`.
    Allow,
    /// `expose_headers`.
    Expose,
}

/// Checks one header list. Returns its names (lower case for `allow_headers`, as written for
/// `expose_headers`) and whether it holds `"*"`. `echo`: `dangerously_echo_request_headers` is
/// on, and [`check_echo`] reports a `"*"` in `allow_headers`, with or without credentials.
pub(super) fn check<S: Copy>(
    cx: &mut Ctxt<S>,
    list: Option<&List<S>>,
    credentials: Option<&Spanned<bool, S>>,
    kind: HeaderList,
    echo: bool,
) -> (Vec<String>, bool) {
    let Some(list) = list else {
        return (Vec::new(), false);
    };
    let key = match kind {
        HeaderList::Allow => "allow_headers",
        HeaderList::Expose => "expose_headers",
    };
    let mut names_out: Vec<String> = Vec::new();
    let mut any = false;
    let mut seen: Vec<String> = Vec::new();
    for item in &list.items {
        let name = item.value.as_str();
        let lower = name.to_ascii_lowercase();
        if name == "*" {
            if let Some(creds) = credentials.filter(|_| !(echo && kind == HeaderList::Allow)) {
                cx.error(Rule::HeaderWildcardCredentials, item.span, format!("`\"*\"` in `{key}` cannot be combined with `credentials`"))
                    .note("with credentials, browsers read `*` as a header literally named `*`, so every request needing it would fail")
                    .help(match kind {
                        HeaderList::Allow => "list the header names instead, or, if the pages send headers nobody can list in advance, replace `\"*\"` with the key `dangerously_echo_request_headers` (read what it gives up in its documentation first)",
                        HeaderList::Expose => "list the header names instead",
                    });
                cx.error(
                    Rule::HeaderWildcardCredentials,
                    creds.span,
                    format!("`credentials` cannot be combined with `\"*\"` in `{key}`"),
                )
                .help("list the header names instead of `\"*\"`");
            }
            if any {
                cx.error(Rule::DuplicateHeader, item.span, "`\"*\"` is listed twice")
                    .help("remove this entry");
            }
            any = true;
            continue;
        }
        if !names::is_token(name) {
            let trimmed = name.trim();
            let b = cx
                .error(Rule::HeaderToken, item.span, format!("{} is not a header name", quoted(name)))
                .note("a header name is an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``, no spaces, commas or colons");
            if trimmed != name && names::is_token(trimmed) {
                b.help(format!("did you mean {}?", quoted(trimmed)))
                    .suggestion(Some(trimmed.to_owned()));
            } else if name.contains(',') {
                b.help("list each header as its own string");
            }
            continue;
        }
        let refused = match kind {
            HeaderList::Allow if names::is_forbidden_request_header(name) => {
                cx.error(Rule::ForbiddenRequestHeader, item.span, format!("{} can never be sent by a page", quoted(name)))
                    .note("it is a forbidden request-header name in the Fetch standard: the browser sets it, scripts cannot")
                    .help("remove it");
                true
            }
            HeaderList::Allow if names::CORS_RESPONSE_HEADERS.contains(&lower.as_str()) => {
                cx.error(Rule::ResponseHeaderRequested, item.span, format!("{} is a response header", quoted(name)))
                    .note("`allow_headers` lists headers the page sends; the server sends `Access-Control-Allow-*` itself")
                    .help("remove it; the runtime sends the CORS response headers");
                true
            }
            HeaderList::Expose if names::FORBIDDEN_RESPONSE_HEADERS.contains(&lower.as_str()) => {
                cx.error(Rule::ExposeForbidden, item.span, format!("{} can never be exposed", quoted(name)))
                    .note("the Fetch standard hides `Set-Cookie` and `Set-Cookie2` from every page, exposed or not")
                    .help("remove it");
                true
            }
            HeaderList::Expose if names::SAFELISTED_RESPONSE_HEADERS.contains(&lower.as_str()) => {
                cx.error(
                    Rule::ExposeSafelisted,
                    item.span,
                    format!("{} is always readable and needs no exposing", quoted(name)),
                )
                .note("it is a CORS-safelisted response header")
                .help("remove it");
                true
            }
            HeaderList::Expose
                if names::REQUEST_ONLY_HEADERS.contains(&lower.as_str())
                    || names::CORS_RESPONSE_HEADERS.contains(&lower.as_str()) =>
            {
                cx.error(Rule::ExposeNotResponse, item.span, format!("{} is not a header an actual response carries for the page", quoted(name)))
                    .note("`expose_headers` lists response headers a page may read; request headers and preflight-only headers mean nothing there")
                    .help("remove it");
                true
            }
            _ => false,
        };
        if refused {
            continue;
        }
        if seen.contains(&lower) {
            cx.error(
                Rule::DuplicateHeader,
                item.span,
                format!("header {} is listed twice", quoted(name)),
            )
            .note("header names are case-insensitive")
            .help("remove this entry");
            continue;
        }
        seen.push(lower.clone());
        names_out.push(match kind {
            HeaderList::Allow => lower,
            HeaderList::Expose => name.to_owned(),
        });
    }
    (names_out, any)
}

/// Checks `dangerously_echo_request_headers` against the policy: refused with `"*"` in
/// `allow_headers` (an error on each `"*"` and on the key), a warning without credentials.
/// Returns whether the echo is on.
pub(super) fn check_echo<S: Copy>(
    cx: &mut Ctxt<S>,
    echo: Option<&Spanned<bool, S>>,
    allow_headers: Option<&List<S>>,
    credentials: Option<&Spanned<bool, S>>,
) -> bool {
    let Some(echo) = echo.filter(|e| e.value) else {
        return false;
    };
    let mut wildcard = false;
    for item in allow_headers
        .iter()
        .flat_map(|list| &list.items)
        .filter(|item| item.value == "*")
    {
        wildcard = true;
        cx.error(Rule::EchoRequestHeaders, item.span, "`\"*\"` in `allow_headers` cannot be combined with `dangerously_echo_request_headers`")
            .note("the echo already allows every requested header but `Authorization`; with credentials browsers read `*` as a header literally named `*`, and without them `*` alone does what the echo does")
            .help("remove `\"*\"`, and keep only the names the echo does not cover, such as `\"Authorization\"`");
    }
    if wildcard {
        let b = cx.error(
            Rule::EchoRequestHeaders,
            echo.span,
            "`dangerously_echo_request_headers` cannot be combined with `\"*\"` in `allow_headers`",
        );
        match credentials {
            Some(_) => b.help("remove `\"*\"` from `allow_headers`: with credentials, the echo is the way to allow any header"),
            None => b.help("remove this key: without credentials, `\"*\"` allows any header but `Authorization` as one cacheable value"),
        };
    } else if credentials.is_none() {
        cx.warning(
            Rule::EchoRequestHeaders,
            echo.span,
            "`dangerously_echo_request_headers` without `credentials`",
        )
        .note("without credentials, `allow_headers = [\"*\"]` allows the same headers as one constant value, which browsers cache for every list of headers; the echo is for credentialed policies, where browsers read `*` literally, and it gives up limiting which headers cross-origin requests may carry")
        .help("write `allow_headers = [\"*\"]` instead (and `\"Authorization\"` if pages send it), or add `credentials` if they send cookies");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::raw::RawPolicy;
    use crate::rules::Rule;

    #[test]
    fn header_rules() {
        use Rule::*;
        let allow = |h: &[&'static str]| RawPolicy {
            allow_headers: list("allow_headers", h),
            ..base(&["https://a.com"])
        };
        let expose = |h: &[&'static str]| RawPolicy {
            expose_headers: list("expose_headers", h),
            ..base(&["https://a.com"])
        };
        let cases: Vec<(RawPolicy<S>, Expected)> = vec![
            (
                allow(&[
                    "Content-Type",
                    "Authorization",
                    "X-Requested-With",
                    "Accept",
                ]),
                vec![],
            ),
            (allow(&["*"]), vec![]),
            (allow(&["*", "Authorization"]), vec![]),
            (
                creds(allow(&["*"])),
                vec![
                    (HeaderWildcardCredentials, "*"),
                    (HeaderWildcardCredentials, "credentials"),
                ],
            ),
            (
                allow(&["Cookie", "sec-ch-ua", "Proxy-Foo", "DNT", "origin"]),
                vec![
                    (ForbiddenRequestHeader, "Cookie"),
                    (ForbiddenRequestHeader, "sec-ch-ua"),
                    (ForbiddenRequestHeader, "Proxy-Foo"),
                    (ForbiddenRequestHeader, "DNT"),
                    (ForbiddenRequestHeader, "origin"),
                ],
            ),
            (
                allow(&["Access-Control-Allow-Origin", "access-control-max-age"]),
                vec![
                    (ResponseHeaderRequested, "Access-Control-Allow-Origin"),
                    (ResponseHeaderRequested, "access-control-max-age"),
                ],
            ),
            (allow(&["X-A", "x-a"]), vec![(DuplicateHeader, "x-a")]),
            (
                allow(&["X A", "A,B", "A:B", ""]),
                vec![
                    (HeaderToken, "X A"),
                    (HeaderToken, "A,B"),
                    (HeaderToken, "A:B"),
                    (HeaderToken, ""),
                ],
            ),
            (
                expose(&["X-Request-Id", "ETag", "Date", "Server-Timing"]),
                vec![],
            ),
            (expose(&["*"]), vec![]),
            (
                creds(expose(&["*"])),
                vec![
                    (HeaderWildcardCredentials, "*"),
                    (HeaderWildcardCredentials, "credentials"),
                ],
            ),
            (
                expose(&["set-cookie", "Set-Cookie2"]),
                vec![
                    (ExposeForbidden, "set-cookie"),
                    (ExposeForbidden, "Set-Cookie2"),
                ],
            ),
            (
                expose(&["Content-Length", "pragma"]),
                vec![
                    (ExposeSafelisted, "Content-Length"),
                    (ExposeSafelisted, "pragma"),
                ],
            ),
            (
                expose(&["Authorization", "Access-Control-Allow-Headers", "Origin"]),
                vec![
                    (ExposeNotResponse, "Authorization"),
                    (ExposeNotResponse, "Access-Control-Allow-Headers"),
                    (ExposeNotResponse, "Origin"),
                ],
            ),
            (expose(&["X-Id", "x-id"]), vec![(DuplicateHeader, "x-id")]),
        ];
        for (raw, expected) in cases {
            assert_eq!(errors(&raw, &["GET"]), expected, "{raw:?}");
        }
    }

    #[test]
    fn echo_rules() {
        use crate::diagnostic::Level;
        use crate::raw::Spanned;
        use Rule::*;
        let echo = |h: Option<&[&'static str]>, on: bool| RawPolicy {
            allow_headers: h.and_then(|h| list("allow_headers", h)),
            dangerously_echo_request_headers: Some(Spanned::new(on, "echo")),
            ..base(&["https://a.com"])
        };
        let cases: Vec<(RawPolicy<S>, Expected)> = vec![
            (creds(echo(None, true)), vec![]),
            (creds(echo(Some(&["Authorization", "X-A"]), true)), vec![]),
            (
                creds(echo(Some(&["*", "Authorization"]), true)),
                vec![(EchoRequestHeaders, "*"), (EchoRequestHeaders, "echo")],
            ),
            (
                echo(Some(&["*"]), true),
                vec![(EchoRequestHeaders, "*"), (EchoRequestHeaders, "echo")],
            ),
            (
                creds(echo(Some(&["Cookie"]), true)),
                vec![(ForbiddenRequestHeader, "Cookie")],
            ),
            // Switched off: no effect, nothing to say.
            (echo(Some(&["*"]), false), vec![]),
        ];
        for (raw, expected) in cases {
            assert_eq!(errors(&raw, &["GET"]), expected, "{raw:?}");
        }
        let (policy, diagnostics) = validate(&echo(None, true), &["GET"]);
        let policy = policy.expect("a warning only");
        assert!(policy.echo_request_headers);
        assert_eq!(
            diagnostics
                .iter()
                .map(|d| (d.level, d.rule, d.span))
                .collect::<Vec<_>>(),
            [(Level::Warning, EchoRequestHeaders, "echo")]
        );
        let (policy, diagnostics) = validate(&creds(echo(None, true)), &["GET"]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert!(policy.is_some_and(|p| p.echo_request_headers && !p.allow_any_header));
    }
}
