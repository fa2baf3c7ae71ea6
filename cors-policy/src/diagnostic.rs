//! What the checks report, and the context they report into, in the manner of serde_derive's
//! `Ctxt`: every stage reports and keeps going, and the caller emits everything at the end, in
//! its own way (`compile_error!` for the macro, an error value at start-up).

use crate::rules::Rule;

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The policy is refused.
    Error,
    /// The policy is accepted, but probably does not do what its author expects.
    Warning,
}

/// One finding of the checker, at one position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic<S> {
    /// Error or warning.
    pub level: Level,
    /// The rule broken.
    pub rule: Rule,
    /// Where.
    pub span: S,
    /// What is wrong, in one line, lower case, names in backticks.
    pub message: String,
    /// Why it matters.
    pub note: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The corrected value, when one can be computed: what the help line offers as
    /// `did you mean ...?`, to replace the value at fault with.
    pub suggestion: Option<String>,
}

impl<S> Diagnostic<S> {
    /// The text shown to the user: the message, then `= note`, `= help` and the rule's name.
    pub fn render(&self) -> String {
        let mut text = self.message.clone();
        if let Some(note) = &self.note {
            text.push_str("\n  = note: ");
            text.push_str(note);
        }
        if let Some(help) = &self.help {
            text.push_str("\n  = help: ");
            text.push_str(help);
        }
        text.push_str("\n  = rule: cors::");
        text.push_str(self.rule.name());
        text
    }
}

/// Collects diagnostics so that every check runs and all findings are reported together.
#[derive(Debug)]
pub struct Ctxt<S> {
    diagnostics: Vec<Diagnostic<S>>,
}

impl<S> Default for Ctxt<S> {
    fn default() -> Self {
        Self {
            diagnostics: Vec::new(),
        }
    }
}

impl<S: Copy> Ctxt<S> {
    /// Reports an error. Returns a builder to attach a note and a help line.
    pub fn error(
        &mut self,
        rule: Rule,
        span: S,
        message: impl Into<String>,
    ) -> DiagnosticBuilder<'_, S> {
        self.push(Level::Error, rule, span, message.into())
    }

    /// Reports a warning.
    pub fn warning(
        &mut self,
        rule: Rule,
        span: S,
        message: impl Into<String>,
    ) -> DiagnosticBuilder<'_, S> {
        self.push(Level::Warning, rule, span, message.into())
    }

    fn push(
        &mut self,
        level: Level,
        rule: Rule,
        span: S,
        message: String,
    ) -> DiagnosticBuilder<'_, S> {
        let index = self.diagnostics.len();
        self.diagnostics.push(Diagnostic {
            level,
            rule,
            span,
            message,
            note: None,
            help: None,
            suggestion: None,
        });
        DiagnosticBuilder {
            diagnostic: &mut self.diagnostics[index],
        }
    }
}

impl<S> Ctxt<S> {
    /// Reports a diagnostic made elsewhere (by a check run in a context of its own).
    pub fn push_diagnostic(&mut self, diagnostic: Diagnostic<S>) {
        self.diagnostics.push(diagnostic);
    }

    /// How many errors (not warnings) were reported so far.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    /// `true` when an error (not a warning) was reported.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Everything reported, in order.
    pub fn diagnostics(&self) -> &[Diagnostic<S>] {
        &self.diagnostics
    }

    /// Everything reported, in order.
    pub fn into_diagnostics(self) -> Vec<Diagnostic<S>> {
        self.diagnostics
    }
}

/// Attaches a note and a help line to a just-reported diagnostic.
pub struct DiagnosticBuilder<'a, S> {
    diagnostic: &'a mut Diagnostic<S>,
}

impl<S> DiagnosticBuilder<'_, S> {
    /// Why it matters.
    pub fn note(self, note: impl Into<String>) -> Self {
        self.diagnostic.note = Some(note.into());
        self
    }

    /// How to fix it.
    pub fn help(self, help: impl Into<String>) -> Self {
        self.diagnostic.help = Some(help.into());
        self
    }

    /// The corrected value the help line offers (see [`Diagnostic::suggestion`]).
    pub fn suggestion(self, suggestion: Option<String>) -> Self {
        self.diagnostic.suggestion = suggestion;
        self
    }
}
