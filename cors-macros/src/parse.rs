//! Parses the arguments of `#[cors(...)]` into a [`RawPolicy`]: the structure rules (unknown
//! key, duplicate key, value of the wrong kind). The policy rules proper run afterwards, in
//! `cors_policy::validate`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprArray, ExprLit, Ident, Lit, Token};

use cors_policy::{did_you_mean, List, RawPolicy, Rule, Spanned};

use crate::ctxt::Ctxt;

/// One `key` or `key = value` entry.
pub struct Entry {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.call(Ident::parse_any_ident)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Self { key, value })
    }
}

trait ParseAnyIdent {
    fn parse_any_ident(input: ParseStream<'_>) -> syn::Result<Ident>;
}

impl ParseAnyIdent for Ident {
    /// Keys are identifiers; keywords are accepted too, so that `type = ...` gets an
    /// "unknown key" error rather than a parse error.
    fn parse_any_ident(input: ParseStream<'_>) -> syn::Result<Ident> {
        input.step(|cursor| match cursor.ident() {
            Some((ident, rest)) => Ok((ident, rest)),
            None => {
                Err(cursor
                    .error("expected a key such as `origins`, `credentials` or `allow_headers`"))
            }
        })
    }
}

/// The comma-separated entries of the attribute.
pub struct Args(pub Punctuated<Entry, Token![,]>);

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.parse_terminated(Entry::parse, Token![,]).map(Args)
    }
}

/// Every key `#[cors]` accepts, in the order the documentation lists them.
pub const KEYS: &[&str] = &[
    "origins",
    "credentials",
    "methods",
    "allow_headers",
    "expose_headers",
    "max_age",
    "dangerously_allow_insecure_origins",
];

/// Names users bring from other CORS libraries, and what they are called here.
const ALIASES: &[(&str, &str)] = &[
    ("allow_credentials", "credentials"),
    ("allow_methods", "methods"),
    ("allow_origin", "origins"),
    ("allow_origins", "origins"),
    ("allowed_headers", "allow_headers"),
    ("allowed_methods", "methods"),
    ("allowed_origins", "origins"),
    ("expose", "expose_headers"),
    ("exposed_headers", "expose_headers"),
    ("headers", "allow_headers"),
    ("max_age_secs", "max_age"),
    ("maxage", "max_age"),
    ("method", "methods"),
    ("origin", "origins"),
    ("supports_credentials", "credentials"),
    ("with_credentials", "credentials"),
];

/// Builds the raw policy, reporting structure errors into `cx`.
pub fn raw_policy(cx: &mut Ctxt, args: Args) -> RawPolicy<Span> {
    let mut raw = RawPolicy::default();
    let mut seen: Vec<Ident> = Vec::new();
    for entry in args.0 {
        let name = entry.key.to_string();
        if seen.contains(&entry.key) {
            cx.error(
                Rule::DuplicateKey,
                entry.key.span(),
                format!("duplicate key `{name}`"),
            )
            .note(format!("`{name}` is already set earlier in this attribute"))
            .help("keep one of them");
            continue;
        }
        let key = entry.key.span();
        match name.as_str() {
            "origins" => raw.origins = list(cx, &entry),
            "methods" => raw.methods = list(cx, &entry),
            "allow_headers" => raw.allow_headers = list(cx, &entry),
            "expose_headers" => raw.expose_headers = list(cx, &entry),
            "credentials" => raw.credentials = flag(cx, &entry),
            "dangerously_allow_insecure_origins" => {
                raw.dangerously_allow_insecure_origins = flag(cx, &entry)
            }
            "max_age" => raw.max_age = max_age(cx, &entry),
            _ => {
                let known = KEYS
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let b = cx
                    .error(Rule::UnknownKey, key, format!("unknown key `{name}`"))
                    .note(format!("valid keys are {known}"));
                if let Some(suggestion) = did_you_mean(&name, KEYS, ALIASES) {
                    b.help(format!("did you mean `{suggestion}`?"));
                    if suggestion == "origins" && raw.origins.is_none() {
                        // Misspelt, not missing: no second error about `origins`.
                        raw.origins = Some(List {
                            key,
                            items: Vec::new(),
                            malformed: true,
                        });
                    }
                }
                continue;
            }
        }
        seen.push(entry.key);
    }
    raw
}

fn wrong_kind(cx: &mut Ctxt, span: Span, entry: &Entry, expected: &str) {
    cx.error(
        Rule::ValueType,
        span,
        format!("`{}` expects {expected}", entry.key),
    )
    .help(format!("write it as `{}`", example(&entry.key.to_string())));
}

fn example(key: &str) -> &'static str {
    match key {
        "origins" => "origins = [\"https://app.example.com\"]",
        "methods" => "methods = [\"PUT\", \"PATCH\"]",
        "allow_headers" => "allow_headers = [\"Content-Type\"]",
        "expose_headers" => "expose_headers = [\"X-Request-Id\"]",
        "max_age" => "max_age = 600",
        "dangerously_allow_insecure_origins" => "dangerously_allow_insecure_origins",
        _ => "credentials",
    }
}

fn list(cx: &mut Ctxt, entry: &Entry) -> Option<List<Span>> {
    let key = entry.key.span();
    let malformed = Some(List {
        key,
        items: Vec::new(),
        malformed: true,
    });
    let Some(value) = &entry.value else {
        wrong_kind(cx, key, entry, "a list of strings");
        return malformed;
    };
    let Expr::Array(ExprArray { elems, .. }) = value else {
        let b = cx.error(
            Rule::ValueType,
            value.span(),
            format!("`{}` expects a list of strings in brackets", entry.key),
        );
        if let Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) = value
        {
            b.help(format!("write it as `{} = [{:?}]`", entry.key, s.value()));
        } else {
            b.help(format!("write it as `{}`", example(&entry.key.to_string())));
        }
        return malformed;
    };
    let mut items = Vec::new();
    let mut malformed = false;
    for elem in elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => items.push(Spanned::new(s.value(), s.span())),
            other => {
                cx.error(
                    Rule::ValueType,
                    other.span(),
                    format!("`{}` expects string literals", entry.key),
                )
                .help(format!("write it as `{}`", example(&entry.key.to_string())));
                malformed = true;
            }
        }
    }
    Some(List {
        key,
        items,
        malformed,
    })
}

fn flag(cx: &mut Ctxt, entry: &Entry) -> Option<Spanned<bool, Span>> {
    match &entry.value {
        None => Some(Spanned::new(true, entry.key.span())),
        Some(Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        })) => Some(Spanned::new(b.value(), entry.key.span())),
        Some(other) => {
            let b = cx.error(
                Rule::ValueType,
                other.span(),
                format!(
                    "`{}` expects `true` or `false`, or no value at all",
                    entry.key
                ),
            );
            b.help(format!("write `{0}` (or `{0} = true`)", entry.key));
            None
        }
    }
}

fn max_age(cx: &mut Ctxt, entry: &Entry) -> Option<Spanned<Option<u64>, Span>> {
    match &entry.value {
        Some(Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        })) if int.suffix().is_empty() => {
            Some(Spanned::new(int.base10_parse::<u64>().ok(), int.span()))
        }
        Some(Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        })) => {
            cx.error(
                Rule::ValueType,
                s.span(),
                "`max_age` expects an integer number of seconds, not a string",
            )
            .help(format!("write it as `max_age = {}`", s.value().trim()));
            None
        }
        Some(other) => {
            cx.error(
                Rule::ValueType,
                other.span(),
                "`max_age` expects an integer literal: the number of seconds",
            )
            .help("write it as `max_age = 600`");
            None
        }
        None => {
            wrong_kind(cx, entry.key.span(), entry, "a number of seconds");
            None
        }
    }
}
