//! The Public Suffix List, for rule `public-suffix-pattern` (checked in `check/origins.rs`): a
//! `*.` wildcard directly over a public suffix (`*.com`, `*.co.uk`, `*.github.io`) matches hosts
//! that anyone can register.
//!
//! The list is the Public Suffix List as compiled into the `psl` crate (its version is the
//! list's snapshot; see `Cargo.lock`), ICANN and private sections alike.

/// `true` when `domain` is itself a public suffix listed in the Public Suffix List, so
/// `*.{domain}` would match hosts registrable by anyone.
pub fn is_public_suffix(domain: &str) -> bool {
    psl::suffix(domain.as_bytes())
        .is_some_and(|s| s.is_known() && s.as_bytes() == domain.as_bytes())
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
