//! Turns the diagnostics of one expansion into code. Every stage reports into one
//! `cors_policy::Ctxt<Span>` and keeps going; this emits them all together at the end.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};

use cors_policy::{Diagnostic, Level};

/// Turns diagnostics into code: `compile_error!` for errors, a deprecation warning for warnings
/// (the one warning a stable proc-macro can raise at a chosen token).
pub fn emit(diagnostics: &[Diagnostic<Span>]) -> TokenStream {
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
