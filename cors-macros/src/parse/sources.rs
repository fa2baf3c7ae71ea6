//! `env("VAR")`, `env("VAR", default = "...")` and `config("key")` in `origins`: each
//! argument checked, every malformed one reported at the argument with the form expected.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprLit, Lit};

use cors_policy::{OriginSource, RawSource, Rule};

use crate::Ctxt;

/// The forms of `env(...)`, for messages.
pub(super) const ENV_FORMS: &str = "`env(\"VAR\")` or `env(\"VAR\", default = \"...\")`";

/// `env("VAR")`, `env("VAR", default = "...")` or `config("key")` in `origins`. Reports every
/// malformed argument, at the argument, with the form expected; returns `None` then.
pub(super) fn source(cx: &mut Ctxt, call: &syn::ExprCall) -> Option<RawSource<Span>> {
    let name = match &*call.func {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(ToString::to_string),
        _ => None,
    };
    match name.as_deref() {
        Some("env") => env_source(cx, call),
        Some("config") => config_source(cx, call),
        _ => {
            cx.error(
                Rule::ValueType,
                call.span(),
                "origins read at start-up: `origins` takes string literals, `env(...)` and `config(...)` only",
            )
            .help("write `env(\"APP_CORS_ORIGINS\")`, `env(\"APP_CORS_ORIGINS\", default = \"https://app.example.com\")` or `config(\"cors.origins\")`");
            None
        }
    }
}

/// A string literal's value and position.
pub(super) fn string_literal(expr: &Expr) -> Option<(String, Span)> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some((s.value(), s.span())),
        _ => None,
    }
}

/// The first argument of `function(...)`: `what` as a string literal. Reports a missing or
/// malformed one, suggesting the quoted form of a bare name (`env(APP_ORIGINS)`).
pub(super) fn first_argument(
    cx: &mut Ctxt,
    call: &syn::ExprCall,
    function: &str,
    what: &str,
    forms: &str,
) -> Option<(String, Span)> {
    let Some(first) = call.args.first() else {
        cx.error(
            Rule::ValueType,
            call.paren_token.span.join(),
            format!("`{function}()` needs {what}"),
        )
        .help(format!("write {forms}"));
        return None;
    };
    if let Some(found) = string_literal(first) {
        return Some(found);
    }
    let b = cx.error(
        Rule::ValueType,
        first.span(),
        format!("`{function}(...)` expects {what} as a string literal"),
    );
    match first {
        Expr::Path(_) | Expr::Field(_) => {
            let written = quote::ToTokens::to_token_stream(first)
                .to_string()
                .replace(' ', "");
            b.help(format!("did you mean `{function}({written:?})`?"));
        }
        _ => {
            b.help(format!("write {forms}"));
        }
    }
    None
}

/// `env("VAR")` or `env("VAR", default = "...")`.
pub(super) fn env_source(cx: &mut Ctxt, call: &syn::ExprCall) -> Option<RawSource<Span>> {
    let name = first_argument(cx, call, "env", "the variable's name", ENV_FORMS);
    let mut malformed = name.is_none();
    let mut default: Option<(String, Span)> = None;
    let mut default_seen = false;
    for arg in call.args.iter().skip(1) {
        match arg {
            Expr::Assign(assign) => {
                let key = match &*assign.left {
                    Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
                    _ => None,
                };
                match key {
                    Some(key) if key == "default" => {
                        if default_seen {
                            cx.error(
                                Rule::ValueType,
                                key.span(),
                                "`default` is given twice in `env(...)`",
                            )
                            .help("keep one of them");
                            malformed = true;
                            continue;
                        }
                        default_seen = true;
                        match string_literal(&assign.right) {
                            Some(value) => default = Some(value),
                            None => {
                                cx.error(
                                    Rule::ValueType,
                                    assign.right.span(),
                                    "the default of `env(...)` is a string of origins",
                                )
                                .note("it is what the variable would hold: origins separated by commas and/or whitespace")
                                .help("write it as `default = \"https://app.example.com\"`, or `default = \"\"` for none");
                                malformed = true;
                            }
                        }
                    }
                    Some(key) => {
                        let b = cx
                            .error(
                                Rule::ValueType,
                                key.span(),
                                format!("unknown argument `{key}` of `env(...)`"),
                            )
                            .note(format!("`env` takes the variable's name and one named argument, `default`: {ENV_FORMS}"));
                        let written = key.to_string().to_ascii_lowercase();
                        if cors_policy::keys::edit_distance(&written, "default") <= 3 {
                            b.help("did you mean `default`?");
                        }
                        malformed = true;
                    }
                    None => {
                        cx.error(
                            Rule::ValueType,
                            assign.left.span(),
                            "`env(...)` takes one named argument, `default`",
                        )
                        .help(format!("write {ENV_FORMS}"));
                        malformed = true;
                    }
                }
            }
            other => {
                let b = cx.error(
                    Rule::ValueType,
                    other.span(),
                    "`env(...)` takes the variable's name, then optionally `default = \"...\"`",
                );
                match string_literal(other) {
                    Some((value, _)) => b.help(format!("did you mean `default = {value:?}`?")),
                    None => b.help(format!("write {ENV_FORMS}")),
                };
                malformed = true;
            }
        }
    }
    let (var, span) = name.filter(|_| !malformed)?;
    Some(RawSource {
        default_span: default.as_ref().map_or(span, |(_, s)| *s),
        source: OriginSource::Env {
            var,
            default: default.map(|(d, _)| d),
        },
        span,
    })
}

/// `config("key")`.
pub(super) fn config_source(cx: &mut Ctxt, call: &syn::ExprCall) -> Option<RawSource<Span>> {
    let forms = "`config(\"key\")`, e.g. `config(\"cors.origins\")`";
    let key = first_argument(cx, call, "config", "the configuration key", forms);
    let mut malformed = key.is_none();
    for arg in call.args.iter().skip(1) {
        let b = cx
            .error(
                Rule::ValueType,
                arg.span(),
                "`config(...)` takes one argument, the configuration key",
            )
            .note(
                "a named policy is handed its configured origins from one key, when the app starts",
            );
        match &key {
            Some((key, _)) => b.help(format!("remove this argument: `config({key:?})`")),
            None => b.help(format!("write {forms}")),
        };
        malformed = true;
    }
    let (key, span) = key.filter(|_| !malformed)?;
    Some(RawSource {
        source: OriginSource::Config { key },
        span,
        default_span: span,
    })
}
