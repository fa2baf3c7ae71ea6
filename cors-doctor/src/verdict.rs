//! The verdict over every step, and the message Chromium prints for a failed check.

use serde::Serialize;

use crate::*;

/// What the browser concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The page can read the response.
    Allowed,
    /// `fetch` rejects with a `TypeError`.
    Blocked,
}

/// The verdict from the checks of every step, in order.
pub fn verdict<'a>(steps: impl IntoIterator<Item = &'a [Check]>) -> Verdict {
    for checks in steps {
        if checks.iter().any(|c| !c.passed) {
            return Verdict::Blocked;
        }
    }
    Verdict::Allowed
}

/// Chromium's console message for a failed check of the preflight (`preflight`) or of the
/// actual response.
/// `redirected_from` is the page's URL when the answer came after a redirect (Chromium then
/// writes "Access to fetch at 'B' (redirected from 'A')").
pub fn console_message(
    url: &str,
    redirected_from: Option<&str>,
    origin: &str,
    preflight: bool,
    check: &Check,
) -> Option<String> {
    // Older Chromium versions appended "If an opaque response serves your needs, set the
    // request's mode to 'no-cors'..." to the missing-header message; current ones do not.
    let reason = check.browser_reason.clone()?;
    let access_check = matches!(
        check.id,
        CheckId::AllowOriginPresent
            | CheckId::AllowOriginSingleValue
            | CheckId::AllowOriginNotWildcardWithCredentials
            | CheckId::AllowOriginMatches
            | CheckId::AllowCredentials
            | CheckId::PreflightOkStatus
    );
    let prefix = if preflight && access_check {
        "Response to preflight request doesn't pass access control check: "
    } else {
        ""
    };
    let from = redirected_from.map_or(String::new(), |from| format!(" (redirected from '{from}')"));
    Some(format!(
        "Access to fetch at '{url}'{from} from origin '{origin}' has been blocked by CORS policy: {prefix}{reason}"
    ))
}
