//! One error or warning found in a policy's values when the app starts: [`Finding`].

use std::fmt;

use cors_policy::diagnostic::Level;
use cors_policy::Rule;

use crate::Source;

/// One error (or, from [`PolicyConfig::check`](crate::PolicyConfig::check), warning) found in
/// a policy's values when the app starts: the rule broken, what is wrong, why it matters, how to
/// fix it, and the value at fault with where it was read. `Display` renders it as in
/// [`StartupError`](crate::StartupError)'s message:
///
/// ```text
/// error: origin has a trailing `/`; an origin is `scheme://host[:port]` and nothing more
///   --> entry 1 of environment variable `APP_CORS_ORIGINS`: "https://app.example.com/"
///    = note: browsers send the origin in exactly one serialized form and compare it byte for byte, so this entry would never match
///    = help: did you mean `"https://app.example.com"`?
///    = rule: cors::origin-syntax
/// ```
///
/// ```
/// use cors_runtime::{policy, NamedPolicy, Rule, Source};
///
/// #[policy(origins = env("APP_CORS_ORIGINS"), credentials)]
/// struct Api;
///
/// let error = Api::resolve_with([("APP_CORS_ORIGINS", "https://app.example.com/")], None)
///     .expect_err("a trailing slash");
/// let finding = &error.findings()[0];
/// assert_eq!(finding.rule(), Rule::OriginSyntax);
/// assert_eq!(finding.rule().name(), "origin-syntax");
/// assert_eq!(finding.source(), Some(&Source::Env("APP_CORS_ORIGINS".to_owned())));
/// assert_eq!(finding.entry(), Some("https://app.example.com/"));
/// assert_eq!(finding.suggestion(), Some("https://app.example.com"));
/// assert!(!finding.is_warning());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    inner: cors_policy::resolve::Finding,
}

impl Finding {
    /// The rule broken; its stable name is [`Rule::name`] (`origin-syntax`).
    pub fn rule(&self) -> Rule {
        self.inner.diagnostic.rule
    }

    /// `true` for a warning (the policy starts), `false` for an error.
    pub fn is_warning(&self) -> bool {
        self.inner.diagnostic.level == Level::Warning
    }

    /// What is wrong, in one line.
    pub fn message(&self) -> &str {
        &self.inner.diagnostic.message
    }

    /// Why it matters.
    pub fn note(&self) -> Option<&str> {
        self.inner.diagnostic.note.as_deref()
    }

    /// How to fix it.
    pub fn help(&self) -> Option<&str> {
        self.inner.diagnostic.help.as_deref()
    }

    /// The corrected value, when one can be computed (the help line offers it as
    /// `did you mean ...?`).
    pub fn suggestion(&self) -> Option<&str> {
        self.inner.diagnostic.suggestion.as_deref()
    }

    /// Where the value at fault was read: [`Source::Literal`] (written in the policy),
    /// [`Source::Env`] (the variable, or its default when it is unset) or [`Source::Config`]
    /// (the configuration key). `None` when the finding is about the policy as a whole (its
    /// origins all together, or a key written in it that conflicts with the values read).
    pub fn source(&self) -> Option<&Source> {
        self.inner.origin.source()
    }

    /// Where the value at fault was read, in words, as the message shows it after `-->`:
    /// `entry 2 of environment variable `APP_CORS_ORIGINS``, `configuration key `cors.max_age``.
    pub fn location(&self) -> String {
        self.inner.origin.to_string()
    }

    /// The value at fault, as read, when the finding is about one.
    pub fn entry(&self) -> Option<&str> {
        self.inner.entry.as_deref()
    }
}

impl From<cors_policy::resolve::Finding> for Finding {
    fn from(inner: cors_policy::resolve::Finding) -> Self {
        Self { inner }
    }
}

impl fmt::Display for Finding {
    /// `error: ...`, then `--> where: "entry"`, then the note, help and rule, like a compiler
    /// error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}
