//! Finds the actix-web route attribute below `#[cors]` and reads it, in actix-web-codegen's
//! grammar: `#[get("/path", name = "..", guard = "..", wrap = "..")]` and
//! `#[route("/path", method = "GET", method = "POST", ...)]`. `#[cors]` then registers the route
//! itself, exactly as that attribute would have, plus its preflight service.
//!
//! Route arguments that actix-web would refuse are not ours to report: the item is then emitted
//! with its route attribute untouched, and actix-web's macro reports them, once.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, MetaNameValue, Path, Token};

use cors_policy::{Rule, Spanned};

use crate::ctxt::Ctxt;

/// The route attribute below `#[cors]`.
pub struct RouteAttr {
    /// Index of the attribute in the function's attribute list.
    pub index: usize,
    /// The path pattern, as written.
    pub path: LitStr,
    /// The routed methods, each with the token that routes it, in the order written.
    pub methods: Vec<Spanned<String, Span>>,
    /// `name = "..."`: the resource name for `url_for`; the function's name by default.
    pub name: Option<LitStr>,
    /// `guard = "..."`: functions of `&GuardContext` the request must pass, in order.
    pub guards: Vec<Path>,
    /// `wrap = "..."`: middleware, in order (the last is outermost).
    pub wrappers: Vec<Expr>,
}

/// What [`find`] found.
pub enum Found {
    /// A route attribute `#[cors]` can work with.
    Route(RouteAttr),
    /// A route attribute whose arguments actix-web reports, or one `#[cors]` refuses (reported).
    Unusable,
    /// No route attribute at all.
    Nothing,
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

const PLACEMENT_HELP: &str = "write `#[cors(...)]` directly above the route attribute, e.g. `#[cors(origins = [...])] #[get(\"/path\")] async fn handler() ...`";

/// Locates the route attribute among `attrs`, reporting placement errors.
pub fn find(cx: &mut Ctxt, attrs: &[Attribute]) -> Found {
    let mut found = Found::Nothing;
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
                return Found::Unusable;
            }
            "options" => {
                cx.error(
                    Rule::Placement,
                    span,
                    "`#[cors]` cannot be used on an `OPTIONS` route",
                )
                .note("`#[cors]` answers the CORS preflight (`OPTIONS`) for the route itself")
                .help("put `#[cors]` on the handlers of the methods the page calls");
                return Found::Unusable;
            }
            "connect" | "trace" => {
                cx.error(
                    Rule::ForbiddenMethod,
                    span,
                    format!("`{}` routes can never be called by a page", name.to_uppercase()),
                )
                .note("the Fetch standard forbids CONNECT, TRACE and TRACK in browsers, so CORS does not apply")
                .help("remove `#[cors]`");
                return Found::Unusable;
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
        if !matches!(found, Found::Nothing) {
            cx.error(Rule::Placement, span, "more than one route attribute on a `#[cors]` handler")
                .help("use one `#[route(\"/path\", method = ..., method = ...)]`, or one handler per route");
            return Found::Unusable;
        }
        found = match attr.parse_args::<RouteArgs>() {
            Ok(args) => {
                read_options(args, index, single, span).map_or(Found::Unusable, Found::Route)
            }
            Err(_) => Found::Unusable,
        };
    }
    found
}

/// Reports that no route attribute sits below `#[cors]`.
pub fn missing(cx: &mut Ctxt, span: Span) {
    cx.error(Rule::Placement, span, "`#[cors]` must be placed above an actix-web route attribute")
        .note("`#[cors]` reads the path and methods from `#[get]`, `#[post]`, `#[put]`, `#[patch]`, `#[delete]`, `#[head]` or `#[route]` below it; placed below the route attribute, it cannot see it")
        .help(PLACEMENT_HELP);
}

/// Reads the options of a route attribute. `None` when actix-web would refuse them (unknown key,
/// a value that is not a string literal or does not parse, `method` on a single-method macro, a
/// method given twice, no method at all).
fn read_options(
    args: RouteArgs,
    index: usize,
    single: Option<&str>,
    macro_span: Span,
) -> Option<RouteAttr> {
    let mut route = RouteAttr {
        index,
        path: args.path,
        methods: Vec::new(),
        name: None,
        guards: Vec::new(),
        wrappers: Vec::new(),
    };
    if let Some(method) = single {
        route
            .methods
            .push(Spanned::new(method.to_owned(), macro_span));
    }
    for option in args.options {
        let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = option.value
        else {
            return None;
        };
        match option.path.get_ident()?.to_string().as_str() {
            "name" => route.name = Some(lit),
            "guard" => route.guards.push(lit.parse().ok()?),
            "wrap" => route.wrappers.push(lit.parse().ok()?),
            "method" if single.is_none() => {
                let method = lit.value();
                let valid = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
                if !valid || route.methods.iter().any(|m| m.value == method) {
                    return None;
                }
                route.methods.push(Spanned::new(method, lit.span()));
            }
            _ => return None,
        }
    }
    (!route.methods.is_empty()).then_some(route)
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
