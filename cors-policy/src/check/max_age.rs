//! Checks of `max_age`: a range error above what any browser honours, a warning above
//! Chromium's cap.

use crate::diagnostic::Ctxt;
use crate::raw::Spanned;
use crate::rules::Rule;

/// Firefox's cap, the largest any browser honours.
pub const MAX_AGE_LIMIT: u64 = 86_400;
/// Chromium's cap: above it, Chromium caches for 7200 s only.
pub const MAX_AGE_CHROMIUM: u64 = 7_200;

/// Checks `max_age`; returns it when in range.
pub(super) fn check<S: Copy>(
    cx: &mut Ctxt<S>,
    max_age: Option<&Spanned<Option<u64>, S>>,
) -> Option<u32> {
    let max_age = max_age?;
    match max_age.value {
        Some(v) if v <= MAX_AGE_LIMIT => {
            if v > MAX_AGE_CHROMIUM {
                cx.warning(Rule::MaxAgeCap, max_age.span, format!("`max_age = {v}` is above Chromium's cap of 7200 seconds"))
                    .note("Chromium caches preflights for at most 7200 s and WebKit for 600 s; only Firefox goes up to 86400 s")
                    .help("use `max_age = 7200` unless you mean Firefox only");
            }
            u32::try_from(v).ok()
        }
        _ => {
            cx.error(
                Rule::MaxAgeRange,
                max_age.span,
                "`max_age` must be from 0 to 86400 seconds",
            )
            .note("86400 s is Firefox's cap; no browser caches a preflight longer")
            .help("use `max_age = 7200` (Chromium's cap) or less");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::diagnostic::Level;
    use crate::raw::{RawPolicy, Spanned};
    use crate::rules::Rule;

    #[test]
    fn max_age() {
        let with = |v: Option<u64>| RawPolicy {
            max_age: Some(Spanned::new(v, "max_age")),
            ..base(&["https://a.com"])
        };
        for ok in [0, 5, 600, 7200] {
            let (policy, diagnostics) = validate(&with(Some(ok)), &["GET"]);
            assert_eq!(policy.and_then(|p| p.max_age), Some(ok as u32));
            assert!(diagnostics.is_empty());
        }
        for warned in [7201, 86_400] {
            let (policy, diagnostics) = validate(&with(Some(warned)), &["GET"]);
            assert!(policy.is_some());
            assert_eq!(diagnostics.len(), 1);
            assert_eq!(
                (diagnostics[0].level, diagnostics[0].rule),
                (Level::Warning, Rule::MaxAgeCap)
            );
        }
        for bad in [Some(86_401), Some(u64::MAX), None] {
            assert_eq!(
                errors(&with(bad), &["GET"]),
                vec![(Rule::MaxAgeRange, "max_age")]
            );
        }
    }
}
