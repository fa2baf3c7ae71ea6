//! Rule `public-suffix-pattern`: a `*.` wildcard directly over a public suffix (`*.com`,
//! `*.co.uk`, `*.github.io`) matches hosts that anyone can register.
//!
//! The list is the Public Suffix List as compiled into the `psl` crate (its version is the
//! list's snapshot; see `Cargo.lock`), ICANN and private sections alike.

use crate::origin::{HostPattern, OriginPattern};
use crate::policy::{Ctxt, Spanned};
use crate::rules::Rule;

/// `true` when `domain` is itself a public suffix listed in the Public Suffix List, so
/// `*.{domain}` would match hosts registrable by anyone.
pub fn is_public_suffix(domain: &str) -> bool {
    psl::suffix(domain.as_bytes())
        .is_some_and(|s| s.is_known() && s.as_bytes() == domain.as_bytes())
}

pub(crate) fn check_pattern<S: Copy>(
    cx: &mut Ctxt<S>,
    item: &Spanned<String, S>,
    pattern: &OriginPattern,
) {
    let HostPattern::Subdomains(base) = &pattern.host else {
        return;
    };
    if is_public_suffix(base) {
        cx.error(
            Rule::PublicSuffixPattern,
            item.span,
            format!("`{:?}` matches every site registered under the public suffix `{base}`", item.value),
        )
        .note("anyone can register a host under a public suffix, and with it read what this policy allows")
        .help(format!("name your own domain under it, e.g. `\"{}://*.example.{base}\"`", pattern.scheme));
    }
}

#[cfg(test)]
mod tests {
    use super::is_public_suffix;

    #[test]
    fn public_suffixes() {
        for s in [
            "com",
            "co.uk",
            "github.io",
            "org",
            "herokuapp.com",
            "s3.amazonaws.com",
        ] {
            assert!(is_public_suffix(s), "{s}");
        }
        for s in [
            "example.com",
            "example.co.uk",
            "me.github.io",
            "localhost",
            "example",
            "internal.corp",
        ] {
            assert!(!is_public_suffix(s), "{s}");
        }
    }
}
