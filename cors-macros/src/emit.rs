//! Turns the diagnostics of one expansion into code. Every stage reports into one
//! `cors_policy::Ctxt<Span>` and keeps going; this emits them all together at the end.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};

use cors_policy::{Diagnostic, Level};

/// The lint-level attributes among `attrs` (`#[allow(deprecated)]`, `#[deny(...)]`...), those of
/// the item the attribute is on.
pub fn lint_levels(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| {
            ["allow", "warn", "deny", "forbid"]
                .iter()
                .any(|level| a.path().is_ident(level))
        })
        .cloned()
        .collect()
}

/// Turns diagnostics into code: `compile_error!` for errors, a deprecation warning for warnings
/// (the one warning a stable proc-macro can raise at a chosen token).
///
/// A warning is raised in an item of its own, beside the annotated one, which `lints` (the
/// annotated item's [`lint_levels`]) are copied onto: so `#[allow(deprecated)]` on a policy's
/// struct or handler accepts that policy's warnings, and no other's.
pub fn emit(diagnostics: &[Diagnostic<Span>], lints: &[syn::Attribute]) -> TokenStream {
    let mut tokens = TokenStream::new();
    for (i, d) in diagnostics.iter().enumerate() {
        let text = d.render();
        let span = d.span;
        match d.level {
            Level::Error => tokens.extend(syn::Error::new(span, text).to_compile_error()),
            Level::Warning => {
                // The constant's name shows in the warning: name it after the rule.
                let name = format_ident!(
                    "cors_{}_{}",
                    d.rule.name().replace('-', "_"),
                    i,
                    span = span
                );
                let note = format!("\n{text}");
                tokens.extend(quote_spanned! {span=>
                    #(#lints)*
                    const _: () = {
                        #[deprecated(note = #note)]
                        #[allow(non_upper_case_globals)]
                        const #name: () = ();
                        #name
                    };
                });
            }
        }
    }
    tokens
}
