//! Finds the actix-web route attribute below `#[cors]` and reads what the CORS handling needs
//! from it: the path and the routed methods. Its grammar is actix-web-codegen's:
//! `#[get("/path", name = "..", guard = "..", wrap = "..")]` and
//! `#[route("/path", method = "GET", method = "POST", ...)]`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, MetaNameValue, Token};

use cors_policy::{Rule, Spanned};

use crate::ctxt::Ctxt;

/// The route attribute below `#[cors]`.
pub struct RouteAttr {
    /// Index of the attribute in the function's attribute list.
    pub index: usize,
    /// The path pattern, as written.
    pub path: LitStr,
    /// The routed methods, upper case, each with the token that routes it.
    pub methods: Vec<Spanned<String, Span>>,
    /// The attribute's position.
    pub span: Span,
}

/// The single-method route macros of actix-web, by name.
const METHOD_MACROS: &[(&str, &str)] = &[
    ("delete", "DELETE"),
    ("get", "GET"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("post", "POST"),
    ("put", "PUT"),
    ("query", "QUERY"),
];

const PLACEMENT_HELP: &str =
    "write `#[cors(...)]` directly above the route attribute, e.g. `#[cors(origins = [...])] #[get(\"/path\")] async fn handler() ...`";

/// Locates the route attribute among `attrs`. Reports placement errors; returns `None` when
/// there is none to work with, or when its arguments do not parse (actix-web reports those).
pub fn find(cx: &mut Ctxt, attrs: &[Attribute]) -> Option<RouteAttr> {
    let mut found: Option<RouteAttr> = None;
    for (index, attr) in attrs.iter().enumerate() {
        let Some(last) = attr.path().segments.last() else {
            continue;
        };
        let name = last.ident.to_string();
        let span = last.ident.span();
        match name.as_str() {
            "cors" => {
                cx.error(
                    Rule::Placement,
                    span,
                    "`#[cors]` is applied twice to this handler",
                )
                .help("merge the two policies into one `#[cors(...)]`");
                continue;
            }
            "routes" => {
                cx.error(Rule::Placement, span, "`#[cors]` does not support `#[routes]` yet")
                    .note("each route of a `#[routes]` handler would need its own preflight handler")
                    .help("use `#[route(\"/path\", method = \"GET\", method = \"POST\")]` for several methods on one path, or one handler per path");
                return None;
            }
            "options" => {
                cx.error(
                    Rule::Placement,
                    last.ident.span(),
                    "`#[cors]` cannot be used on an `OPTIONS` route",
                )
                .note("`#[cors]` answers the CORS preflight (`OPTIONS`) for the route itself")
                .help("put `#[cors]` on the handlers of the methods the page calls");
                return None;
            }
            "connect" | "trace" => {
                cx.error(Rule::ForbiddenMethod, last.ident.span(), format!("`{}` routes can never be called by a page", name.to_uppercase()))
                    .note("the Fetch standard forbids CONNECT, TRACE and TRACK in browsers, so CORS does not apply")
                    .help("remove `#[cors]`");
                return None;
            }
            _ => {}
        }
        let single = METHOD_MACROS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m);
        if single.is_none() && name != "route" {
            continue;
        }
        if found.is_some() {
            cx.error(Rule::Placement, span, "more than one route attribute on a `#[cors]` handler")
                .help("use one `#[route(\"/path\", method = ..., method = ...)]`, or one handler per route");
            continue;
        }
        let Ok(args) = attr.parse_args::<RouteArgs>() else {
            // Malformed route arguments: actix-web's own macro reports them.
            return None;
        };
        let mut methods: Vec<Spanned<String, Span>> = Vec::new();
        if let Some(method) = single {
            methods.push(Spanned::new(method.to_owned(), last.ident.span()));
        }
        for option in &args.options {
            if option.path.is_ident("method") {
                if let Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                }) = &option.value
                {
                    methods.push(Spanned::new(lit.value(), lit.span()));
                }
            }
        }
        if methods.is_empty() {
            // `#[route]` without `method`: actix-web reports it.
            return None;
        }
        found = Some(RouteAttr {
            index,
            path: args.path,
            methods,
            span,
        });
    }
    found
}

/// Reports that no route attribute sits below `#[cors]`.
pub fn missing(cx: &mut Ctxt, span: Span) {
    cx.error(Rule::Placement, span, "`#[cors]` must be placed above an actix-web route attribute")
        .note("`#[cors]` reads the path and methods from `#[get]`, `#[post]`, `#[put]`, `#[patch]`, `#[delete]`, `#[head]` or `#[route]` below it; placed below the route attribute, it cannot see it")
        .help(PLACEMENT_HELP);
}

/// `"/path", key = value, ...`, as actix-web-codegen accepts it.
struct RouteArgs {
    path: LitStr,
    options: Punctuated<MetaNameValue, Token![,]>,
}

impl Parse for RouteArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path = input.parse()?;
        let options = if input.is_empty() {
            Punctuated::new()
        } else {
            input.parse::<Token![,]>()?;
            input.parse_terminated(MetaNameValue::parse, Token![,])?
        };
        Ok(Self { path, options })
    }
}
