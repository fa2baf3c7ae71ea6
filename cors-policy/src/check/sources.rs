//! Checks of the sources in `origins` taken together: no environment variable read twice, and at
//! most one `config(...)` (a policy is handed one set of configured origins, which every
//! `config(...)` of the policy would read). Either would list every origin the source holds
//! twice, and the policy would refuse to start, blaming the operator for a mistake in the code.

use crate::diagnostic::Ctxt;
use crate::model::OriginSource;
use crate::raw::RawSource;
use crate::rules::Rule;

/// Reports every source that repeats an earlier one, at the repeated name or key.
pub(super) fn check<S: Copy>(cx: &mut Ctxt<S>, sources: &[RawSource<S>]) {
    for (i, source) in sources.iter().enumerate() {
        let earlier = &sources[..i];
        match &source.source {
            OriginSource::Env { var, .. } => {
                let twice = earlier
                    .iter()
                    .any(|e| matches!(&e.source, OriginSource::Env { var: v, .. } if v == var));
                if twice {
                    cx.error(
                        Rule::DuplicateOrigin,
                        source.span,
                        format!("environment variable `{var}` is read twice"),
                    )
                    .note("every origin it holds would be listed twice, and the policy would refuse to start")
                    .help("remove this entry");
                }
            }
            OriginSource::Config { key } => {
                let Some(first) = earlier.iter().find_map(|e| match &e.source {
                    OriginSource::Config { key } => Some(key),
                    OriginSource::Env { .. } => None,
                }) else {
                    continue;
                };
                let message = if first == key {
                    format!("configuration key `{key}` is read twice")
                } else {
                    format!("a policy reads one configuration key, and `{first}` is read already")
                };
                cx.error(Rule::DuplicateOrigin, source.span, message)
                    .note("a policy is handed one set of configured origins (`with_origins`), which every `config(...)` reads: each origin would be listed twice, and the policy would refuse to start")
                    .help("remove this entry");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::model::OriginSource;
    use crate::raw::RawSource;
    use crate::rules::Rule::DuplicateOrigin;

    fn env(var: &str, at: S) -> RawSource<S> {
        RawSource {
            source: OriginSource::Env {
                var: var.to_owned(),
                default: None,
            },
            span: at,
            default_span: at,
        }
    }

    fn config(key: &str, at: S) -> RawSource<S> {
        RawSource {
            source: OriginSource::Config {
                key: key.to_owned(),
            },
            span: at,
            default_span: at,
        }
    }

    fn errors_with(sources: Vec<RawSource<S>>) -> Expected {
        let mut raw = base(&[]);
        raw.origin_sources = sources;
        named_errors(&raw).1
    }

    #[test]
    fn a_variable_read_twice_is_refused_at_its_second_reading() {
        let mut with_default = env("X", "second X");
        with_default.source = OriginSource::Env {
            var: "X".to_owned(),
            default: Some(String::new()),
        };
        assert_eq!(
            errors_with(vec![env("X", "first X"), env("Y", "Y"), with_default]),
            vec![(DuplicateOrigin, "second X")]
        );
        assert_eq!(errors_with(vec![env("X", "X"), env("Y", "Y")]), vec![]);
    }

    #[test]
    fn a_configuration_key_read_twice_or_a_second_key_is_refused() {
        assert_eq!(
            errors_with(vec![
                config("a", "first a"),
                env("a", "env a"),
                config("a", "second a")
            ]),
            vec![(DuplicateOrigin, "second a")]
        );
        assert_eq!(
            errors_with(vec![config("a", "a"), config("b", "b"), config("c", "c")]),
            vec![(DuplicateOrigin, "b"), (DuplicateOrigin, "c")]
        );
        assert_eq!(errors_with(vec![config("a", "a"), env("X", "X")]), vec![]);
    }
}
