//! The checks that turn a [`RawPolicy`] into a [`Policy`], grouped by area: `origins`,
//! `methods`, `headers`, `max_age`.
//!
//! Every check is a small function that reads the raw policy and reports into the caller's
//! [`Ctxt`]; [`validate`] runs them all, so every mistake is reported at once. Adding a rule is:
//! a variant in [`crate::Rule`], a check here, a row in the documented table, and a trybuild
//! case.

mod headers;
mod max_age;
mod methods;
mod origins;
mod sources;

pub use max_age::{MAX_AGE_CHROMIUM, MAX_AGE_LIMIT};
pub use origins::{check_origins, split_origins};

use crate::diagnostic::Ctxt;
use crate::model::Policy;
use crate::raw::{RawPolicy, Route};

/// Checks `raw`, written for `route` (`None` for a named policy, which no route is attached to),
/// against every rule, reporting into `cx`. Returns the policy when these checks found no error
/// (errors already in `cx` do not count). `attr_span` is where "missing `origins`" is reported:
/// the one error no written token is to blame for.
pub fn validate<S: Copy>(
    cx: &mut Ctxt<S>,
    raw: &RawPolicy<S>,
    route: Option<&Route<S>>,
    attr_span: S,
) -> Option<Policy> {
    let errors_before = cx.error_count();
    let credentials = raw.credentials.as_ref().filter(|c| c.value);
    let insecure_opt_out = raw
        .dangerously_allow_insecure_origins
        .as_ref()
        .filter(|o| o.value);
    let origins = match &raw.origins {
        Some(list) => Some(origins::check_written(
            cx,
            list,
            &raw.origin_sources,
            credentials,
            insecure_opt_out,
        )),
        None => {
            origins::missing(cx, attr_span);
            None
        }
    };
    sources::check(cx, &raw.origin_sources);
    let (allow_methods, routed_methods) = methods::check(cx, raw.methods.as_ref(), route);
    let echo_request_headers = headers::check_echo(
        cx,
        raw.dangerously_echo_request_headers.as_ref(),
        raw.allow_headers.as_ref(),
        credentials,
    );
    let (allow_headers, allow_any_header) = headers::check(
        cx,
        raw.allow_headers.as_ref(),
        credentials,
        headers::HeaderList::Allow,
        echo_request_headers,
    );
    let (expose_headers, expose_any_header) = headers::check(
        cx,
        raw.expose_headers.as_ref(),
        credentials,
        headers::HeaderList::Expose,
        echo_request_headers,
    );
    let max_age = max_age::check(cx, raw.max_age.as_ref());
    if cx.error_count() > errors_before {
        return None;
    }
    Some(Policy {
        origins: origins?,
        credentials: credentials.is_some(),
        allow_methods,
        routed_methods,
        allow_headers,
        allow_any_header,
        echo_request_headers,
        expose_headers,
        expose_any_header,
        max_age,
        allow_insecure_origins: insecure_opt_out.is_some(),
        origin_sources: raw
            .origin_sources
            .iter()
            .map(|s| s.source.clone())
            .collect(),
    })
}

/// A value as the messages quote it: `` `"value"` ``.
fn quoted(s: &str) -> String {
    format!("`{s:?}`")
}

/// Builders shared by the checks' tests. Spans are labels naming the token, so a test can say
/// which token an error blames.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::diagnostic::{Ctxt, Diagnostic, Level};
    use crate::model::Policy;
    use crate::raw::{List, RawPolicy, Route, Spanned};
    use crate::rules::Rule;

    pub(crate) type S = &'static str;
    /// The (rule, blamed token) pairs a case expects.
    pub(crate) type Expected = Vec<(Rule, S)>;

    pub(crate) fn list(key: S, items: &[&'static str]) -> Option<List<S>> {
        Some(List {
            key,
            items: items
                .iter()
                .map(|i| Spanned::new(i.to_string(), *i))
                .collect(),
            malformed: false,
        })
    }

    pub(crate) fn route(methods: &[&'static str]) -> Route<S> {
        Route {
            methods: methods
                .iter()
                .map(|m| Spanned::new(m.to_string(), *m))
                .collect(),
        }
    }

    pub(crate) fn base(origins: &[&'static str]) -> RawPolicy<S> {
        RawPolicy {
            origins: list("origins", origins),
            ..RawPolicy::default()
        }
    }

    pub(crate) fn creds(mut raw: RawPolicy<S>) -> RawPolicy<S> {
        raw.credentials = Some(Spanned::new(true, "credentials"));
        raw
    }

    /// Validates `raw` for a route serving `methods`.
    pub(crate) fn validate(
        raw: &RawPolicy<S>,
        methods: &[&'static str],
    ) -> (Option<Policy>, Vec<Diagnostic<S>>) {
        let mut cx = Ctxt::default();
        let policy = super::validate(&mut cx, raw, Some(&route(methods)), "attr");
        (policy, cx.into_diagnostics())
    }

    /// The (rule, blamed token) pairs of every error of a named policy (no route).
    pub(crate) fn named_errors(raw: &RawPolicy<S>) -> (Option<Policy>, Vec<(Rule, S)>) {
        let mut cx = Ctxt::default();
        let policy = super::validate(&mut cx, raw, None, "attr");
        let errors = cx
            .into_diagnostics()
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| (d.rule, d.span))
            .collect();
        (policy, errors)
    }

    /// The (rule, blamed token) pairs of every error.
    pub(crate) fn errors(raw: &RawPolicy<S>, methods: &[&'static str]) -> Vec<(Rule, S)> {
        let (policy, diagnostics) = validate(raw, methods);
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| (d.rule, d.span))
            .collect();
        assert_eq!(
            policy.is_some(),
            errors.is_empty(),
            "a policy comes back exactly when there is no error"
        );
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use crate::model::Origins;
    use crate::raw::{RawPolicy, Spanned};

    #[test]
    fn compiled_policy() {
        let raw = RawPolicy {
            methods: list("methods", &["PUT"]),
            allow_headers: list("allow_headers", &["Content-Type", "X-Api-Key"]),
            expose_headers: list("expose_headers", &["X-Request-Id"]),
            max_age: Some(Spanned::new(Some(600), "max_age")),
            ..creds(base(&[
                "https://b.example.com",
                "https://*.example.org",
                "http://localhost:*",
            ]))
        };
        let (policy, diagnostics) = validate(&raw, &["PUT", "PATCH"]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let policy = policy.expect("valid policy");
        assert!(policy.credentials);
        assert_eq!(policy.allow_methods, ["PUT"]);
        assert_eq!(
            policy.routed_methods,
            Some(vec!["PUT".to_owned(), "PATCH".to_owned()])
        );
        assert_eq!(policy.allow_headers, ["content-type", "x-api-key"]);
        assert_eq!(policy.expose_headers, ["X-Request-Id"]);
        assert_eq!(policy.max_age, Some(600));
        let Origins::List { exact, patterns } = policy.origins else {
            panic!("expected a list");
        };
        assert_eq!(exact, ["https://b.example.com"]);
        assert_eq!(patterns.len(), 2);
    }

    #[test]
    fn errors_already_reported_do_not_count() {
        let mut cx = crate::Ctxt::default();
        cx.error(crate::Rule::UnknownKey, "other", "reported by the parser");
        let policy = super::validate(
            &mut cx,
            &base(&["https://a.com"]),
            Some(&route(&["GET"])),
            "attr",
        );
        assert!(policy.is_some());
        assert_eq!(cx.error_count(), 1);
    }

    #[test]
    fn rendering_names_the_rule() {
        let (_, diagnostics) = validate(&base(&["https://a.com/"]), &["GET"]);
        let text = diagnostics[0].render();
        assert!(text.starts_with("origin has a trailing `/`"), "{text}");
        assert!(
            text.contains("= help: did you mean `\"https://a.com\"`?"),
            "{text}"
        );
        assert!(text.ends_with("= rule: cors::origin-syntax"), "{text}");
    }
}
