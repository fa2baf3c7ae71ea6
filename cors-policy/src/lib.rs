//! The CORS policy model and its validation rules.
//!
//! This crate is shared by the `#[cors]` macro, which validates policies at compile time, and by
//! the runtime. It knows nothing of `syn` or actix-web: positions are a type parameter, so the
//! same checks can serve policies that come from configuration.
//!
//! Pipeline: the macro parses the attribute into a [`RawPolicy`], [`validate`] checks it against
//! every [`Rule`] and returns a [`Policy`] or [`Diagnostic`]s, and the macro expands the policy.

#![warn(missing_docs)]

pub mod hash;
pub mod matcher;
pub mod names;
pub mod origin;
mod policy;
mod punycode;
mod rules;
#[cfg(feature = "public-suffix")]
pub mod suffix;
pub mod wire;

pub use policy::{
    validate, Ctxt, Diagnostic, DiagnosticBuilder, Level, List, Origins, Policy, RawPolicy, Route,
    Spanned, MAX_AGE_CHROMIUM, MAX_AGE_LIMIT,
};
pub use rules::Rule;

/// Suggests the closest known word for a misspelt `word`: first a table of common aliases
/// (`origin` → `origins`, `headers` → `allow_headers`), then the nearest by edit distance.
pub fn did_you_mean<'a>(
    word: &str,
    known: &[&'a str],
    aliases: &[(&str, &'a str)],
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    if let Some((_, to)) = aliases.iter().find(|(from, _)| *from == lower) {
        return Some(to);
    }
    known
        .iter()
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggestions() {
        let known = ["origins", "credentials", "allow_headers", "max_age"];
        let aliases = [("headers", "allow_headers")];
        assert_eq!(did_you_mean("origin", &known, &aliases), Some("origins"));
        assert_eq!(
            did_you_mean("credential", &known, &aliases),
            Some("credentials")
        );
        assert_eq!(
            did_you_mean("headers", &known, &aliases),
            Some("allow_headers")
        );
        assert_eq!(did_you_mean("maxage", &known, &aliases), Some("max_age"));
        assert_eq!(did_you_mean("zzz", &known, &aliases), None);
    }
}
