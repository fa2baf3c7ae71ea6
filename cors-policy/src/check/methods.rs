//! Checks of `methods`: tokens, forbidden methods, case, duplicates, and that every allowed
//! method is routed. Without `methods`, the route's own methods are allowed. A named policy has
//! no route: its `methods` are what a preflight may ask for beyond `GET`, `HEAD` and `POST`.

use super::quoted;
use crate::diagnostic::Ctxt;
use crate::names;
use crate::raw::{List, Route};
use crate::rules::Rule;

fn check_method_token<S: Copy>(cx: &mut Ctxt<S>, method: &str, span: S) -> bool {
    if !names::is_token(method) {
        cx.error(
            Rule::MethodToken,
            span,
            format!("{} is not an HTTP method", quoted(method)),
        )
        .note("a method is an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``");
        return false;
    }
    if names::FORBIDDEN_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
    {
        cx.error(Rule::ForbiddenMethod, span, format!("method {} can never be used by a page", quoted(method)))
            .note("the Fetch standard forbids CONNECT, TRACE and TRACK in browsers, so allowing it through CORS does nothing")
            .help("remove it");
        return false;
    }
    true
}

/// Reports `"*"` in `methods`. It is a valid method name, so it would be taken literally: the
/// policy would grant preflights for a method named `*` only, while browsers read
/// `Access-Control-Allow-Methods: *` as any method (without credentials).
fn wildcard<S: Copy>(cx: &mut Ctxt<S>, span: S, routed: Option<&[String]>) {
    let help = match routed {
        Some(routed) => {
            let list = routed
                .iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("remove `methods` to allow every method the route serves, or list them: `methods = [{list}]`")
        }
        None => "list the methods your routes serve, e.g. `methods = [\"PUT\", \"PATCH\", \"DELETE\"]` (`GET`, `HEAD` and `POST` are always allowed)".to_owned(),
    };
    cx.error(Rule::MethodWildcard, span, "`\"*\"` in `methods` is not \"any method\": it is a method named `*`")
        .note("browsers read `Access-Control-Allow-Methods: *` as any method only on requests without credentials, while this policy grants a preflight only for a method it lists: a `PUT` preflight would be refused")
        .help(help);
}

/// Checks `methods` against the route (`None` for a named policy). Returns `(allowed, routed)`:
/// the methods a preflight may ask for, and those the route serves (`None` without a route).
pub(super) fn check<S: Copy>(
    cx: &mut Ctxt<S>,
    methods: Option<&List<S>>,
    route: Option<&Route<S>>,
) -> (Vec<String>, Option<Vec<String>>) {
    let routed: Option<Vec<String>> =
        route.map(|r| r.methods.iter().map(|m| m.value.clone()).collect());
    let Some(list) = methods else {
        for m in route.iter().flat_map(|r| &r.methods) {
            check_method_token(cx, &m.value, m.span);
        }
        return (routed.clone().unwrap_or_default(), routed);
    };
    if list.items.is_empty() && !list.malformed {
        cx.error(Rule::ValueType, list.key, "`methods` is empty")
            .help("remove `methods` to allow the route's own methods, or list some of them");
    }
    let mut allowed: Vec<String> = Vec::new();
    for item in &list.items {
        let m = item.value.as_str();
        if m == "*" {
            wildcard(cx, item.span, routed.as_deref());
            continue;
        }
        if !check_method_token(cx, m, item.span) {
            continue;
        }
        let upper = m.to_ascii_uppercase();
        if upper != m && names::NORMALIZED_METHODS.contains(&upper.as_str()) {
            cx.error(
                Rule::MethodCase,
                item.span,
                format!("method {} must be upper case", quoted(m)),
            )
            .note(format!(
                "browsers upper-case `{upper}` before sending it, so `{m}` would never match"
            ))
            .help(format!("did you mean {}?", quoted(&upper)))
            .suggestion(Some(upper));
            continue;
        }
        if allowed.iter().any(|a| a == m) {
            cx.error(
                Rule::DuplicateMethod,
                item.span,
                format!("method {} is listed twice", quoted(m)),
            )
            .help("remove this entry");
            continue;
        }
        if let Some(routed) = routed.as_ref().filter(|r| !r.iter().any(|r| r == m)) {
            let served = routed
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            cx.error(Rule::MethodNotRouted, item.span, format!("method {} is not routed to this handler", quoted(m)))
                .note(format!("the route attribute serves {served}; a preflight for another method never reaches this policy"))
                .help(format!("remove it, or route it with `#[route(\"...\", method = \"{m}\")]`"));
            continue;
        }
        allowed.push(m.to_owned());
    }
    (allowed, routed)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::raw::RawPolicy;
    use crate::rules::Rule;

    #[test]
    fn method_rules() {
        use Rule::*;
        let with = |methods: &[&'static str]| RawPolicy {
            methods: list("methods", methods),
            ..base(&["https://a.com"])
        };
        let cases: Vec<(RawPolicy<S>, &[&'static str], Expected)> = vec![
            (base(&["https://a.com"]), &["GET"], vec![]),
            (
                base(&["https://a.com"]),
                &["TRACE"],
                vec![(ForbiddenMethod, "TRACE")],
            ),
            (with(&["PUT"]), &["PUT", "PATCH"], vec![]),
            (with(&["put"]), &["PUT"], vec![(MethodCase, "put")]),
            (with(&["Delete"]), &["DELETE"], vec![(MethodCase, "Delete")]),
            (
                with(&["patch"]),
                &["PATCH"],
                vec![(MethodNotRouted, "patch")],
            ),
            (
                with(&["PUT", "PUT"]),
                &["PUT"],
                vec![(DuplicateMethod, "PUT")],
            ),
            (
                with(&["DELETE"]),
                &["GET"],
                vec![(MethodNotRouted, "DELETE")],
            ),
            (
                with(&["track", "CONNECT"]),
                &["GET"],
                vec![(ForbiddenMethod, "track"), (ForbiddenMethod, "CONNECT")],
            ),
            (
                with(&["P UT", ""]),
                &["PUT"],
                vec![(MethodToken, "P UT"), (MethodToken, "")],
            ),
            (with(&[]), &["GET"], vec![(ValueType, "methods")]),
            (with(&["QUERY"]), &["QUERY"], vec![]),
            (with(&["*"]), &["PUT"], vec![(MethodWildcard, "*")]),
            (
                with(&["PUT", "*"]),
                &["PUT", "PATCH"],
                vec![(MethodWildcard, "*")],
            ),
        ];
        for (raw, routed, expected) in cases {
            assert_eq!(errors(&raw, routed), expected, "{raw:?} routed {routed:?}");
        }
    }

    #[test]
    fn a_wildcard_method_is_refused_with_how_to_allow_every_routed_method() {
        let raw = RawPolicy {
            methods: list("methods", &["PUT", "*"]),
            ..base(&["https://a.com"])
        };
        let (policy, diagnostics) = validate(&raw, &["PUT", "PATCH"]);
        assert!(policy.is_none());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let text = diagnostics[0].render();
        assert!(text.contains("method named `*`"), "{text}");
        assert!(
            text.contains("only on requests without credentials"),
            "{text}"
        );
        assert!(
            text.contains("`methods = [\"PUT\", \"PATCH\"]`"),
            "the route's methods are suggested: {text}"
        );
        assert!(text.ends_with("= rule: cors::method-wildcard"), "{text}");
        let mut cx = crate::Ctxt::default();
        assert!(super::super::validate(&mut cx, &raw, None, "attr").is_none());
        let text = cx.diagnostics()[0].render();
        assert!(
            text.contains("list the methods your routes serve"),
            "{text}"
        );
    }

    #[test]
    fn a_named_policy_lists_methods_without_a_route() {
        use Rule::*;
        let with = |methods: &[&'static str]| RawPolicy {
            methods: list("methods", methods),
            ..base(&["https://a.com"])
        };
        let (policy, errors) = named_errors(&with(&["PUT", "DELETE", "QUERY"]));
        assert_eq!(errors, vec![]);
        let policy = policy.expect("valid");
        assert_eq!(policy.allow_methods, ["PUT", "DELETE", "QUERY"]);
        assert_eq!(policy.routed_methods, None);
        let (_, errors) = named_errors(&with(&["put", "TRACE", "PUT", "PUT"]));
        assert_eq!(
            errors,
            vec![
                (MethodCase, "put"),
                (ForbiddenMethod, "TRACE"),
                (DuplicateMethod, "PUT")
            ]
        );
        let (_, errors) = named_errors(&with(&["*"]));
        assert_eq!(errors, vec![(MethodWildcard, "*")]);
        let (policy, errors) = named_errors(&base(&["https://a.com"]));
        assert_eq!(errors, vec![]);
        assert!(policy.expect("valid").allow_methods.is_empty());
    }
}
