//! Finds the actix-web route attributes below `#[cors]` and reads them, in actix-web-codegen's
//! grammar: `#[get("/path", name = "..", guard = "..", wrap = "..")]`,
//! `#[route("/path", method = "GET", method = "POST", ...)]`, and `#[routes]` followed by several
//! `#[get]`-like attributes. `#[cors]` then registers the route
//! itself, exactly as that attribute would have, plus its preflight service.
//!
//! Route arguments that actix-web would refuse are not ours to report: the item is then emitted
//! with its route attribute untouched, and actix-web's macro reports them, once.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, MetaNameValue, Path, Token};

use cors_policy::{Rule, Spanned};

use crate::Ctxt;

/// The route attributes below `#[cors]`: one `#[get]`-like or `#[route]` attribute, or
/// `#[routes]` followed by several `#[get]`-like ones.
pub struct Routes {
    /// Indices, in the function's attribute list, of the attributes `#[cors]` consumes.
    pub consumed: Vec<usize>,
    /// The routes, in the order written.
    pub routes: Vec<RouteAttr>,
    /// An option of a route attribute was refused (reported): the handler registers nothing.
    pub refused: bool,
}

impl Routes {
    /// Every routed method once, with the token that first routes it, in the order written.
    pub fn methods(&self) -> Vec<Spanned<String, Span>> {
        let mut all: Vec<Spanned<String, Span>> = Vec::new();
        for method in self.routes.iter().flat_map(|r| &r.methods) {
            if !all.iter().any(|m| m.value == method.value) {
                all.push(method.clone());
            }
        }
        all
    }
}

/// One route: a path and its methods, with the options actix-web's route macros take.
pub struct RouteAttr {
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
    /// Route attributes `#[cors]` can work with.
    Routes(Routes),
    /// A route attribute whose arguments actix-web reports, or one `#[cors]` refuses (reported).
    /// The fallback expansion leaves out the attributes listed, which would only add errors.
    Unusable(Vec<usize>),
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

/// Locates the route attributes among `attrs`, reporting placement errors.
pub fn find(cx: &mut Ctxt, attrs: &[Attribute]) -> Found {
    let mut routes_attr: Option<usize> = None;
    let mut consumed = Vec::new();
    let mut routes = Vec::new();
    let mut unusable = false;
    let mut refused = false;
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
                routes_attr = Some(index);
                consumed.push(index);
                continue;
            }
            "options" => {
                options_route(cx, span);
                return Found::Unusable(Vec::new());
            }
            "connect" | "trace" => {
                cx.error(
                    Rule::ForbiddenMethod,
                    span,
                    format!("`{}` routes can never be called by a page", name.to_uppercase()),
                )
                .note("the Fetch standard forbids CONNECT, TRACE and TRACK in browsers, so CORS does not apply")
                .help("remove `#[cors]`");
                return Found::Unusable(Vec::new());
            }
            _ => {}
        }
        let single = METHOD_MACROS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m);
        // `#[route]` is not one of the attributes `#[routes]` reads.
        if single.is_none() && (name != "route" || routes_attr.is_some()) {
            continue;
        }
        if routes_attr.is_none() && !routes.is_empty() {
            cx.error(Rule::Placement, span, "more than one route attribute on a `#[cors]` handler")
                .help("add `#[routes]` above them, or use one `#[route(\"/path\", method = ..., method = ...)]`");
            // actix-web would expand the first and trip over the others.
            let extra = (index..attrs.len())
                .filter(|&i| is_route_attr(&attrs[i]))
                .collect();
            return Found::Unusable(extra);
        }
        consumed.push(index);
        match attr
            .parse_args::<RouteArgs>()
            .ok()
            .and_then(|args| read_options(cx, args, single, span, &mut refused))
        {
            Some(route) => {
                if let Some(options) = route.methods.iter().find(|m| m.value == "OPTIONS") {
                    options_route(cx, options.span);
                    return Found::Unusable(Vec::new());
                }
                routes.push(route);
            }
            None => unusable = true,
        }
    }
    if unusable || (routes_attr.is_some() && routes.is_empty()) {
        Found::Unusable(Vec::new())
    } else if routes.is_empty() {
        Found::Nothing
    } else {
        Found::Routes(Routes {
            consumed,
            routes,
            refused,
        })
    }
}

fn options_route(cx: &mut Ctxt, span: Span) {
    cx.error(Rule::Placement, span, "`#[cors]` cannot be used on an `OPTIONS` route")
        .note("`#[cors]` answers the CORS preflight (`OPTIONS`) for the route itself")
        .help("serve `OPTIONS` from a handler without `#[cors]`, and put `#[cors]` on the handlers of the methods the page calls");
}

fn last_ident(attr: &Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}

fn is_route_attr(attr: &Attribute) -> bool {
    last_ident(attr).is_some_and(|n| n == "route" || METHOD_MACROS.iter().any(|(m, _)| *m == n))
}

/// The method attributes that actix-web's `#[routes]` consumes without naming their macros:
/// what a user imported for them would be reported unused, so expansions name them.
pub fn consumed_by_routes(attrs: &[Attribute]) -> Vec<&Path> {
    let Some(start) = attrs
        .iter()
        .position(|a| last_ident(a).as_deref() == Some("routes"))
    else {
        return Vec::new();
    };
    attrs[start + 1..]
        .iter()
        .filter(|a| is_route_attr(a))
        .map(Attribute::path)
        .collect()
}

/// Checks each route's path with actix-web's own router, as its route macros do, so that a
/// malformed pattern is a compile error rather than a panic when the app starts. The router
/// reports a bad pattern by panicking; the panic is caught here and turned into an error on the
/// path literal.
pub fn check_paths(cx: &mut Ctxt, routes: &Routes) -> bool {
    let mut ok = true;
    for route in &routes.routes {
        let path = route.path.value();
        if !path.contains('{') {
            // Only dynamic segments can be malformed: a static path needs no router.
            continue;
        }
        if let Err(payload) =
            std::panic::catch_unwind(|| actix_router::ResourceDef::new(path.as_str()))
        {
            let reason = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("the router refused it");
            cx.error(Rule::RoutePath, route.path.span(), format!("invalid route path: {reason}"))
                .note("actix-web would panic when the app starts")
                .help("dynamic segments are `{name}` or `{name:regex}`, with balanced braces and at most 16 per path");
            ok = false;
        }
    }
    ok
}

/// Reports that no route attribute sits below `#[cors]`.
pub fn missing(cx: &mut Ctxt, span: Span) {
    cx.error(Rule::Placement, span, "`#[cors]` must be placed above an actix-web route attribute")
        .note("`#[cors]` reads the path and methods from `#[get]`, `#[post]`, `#[put]`, `#[patch]`, `#[delete]`, `#[head]` or `#[route]` below it; placed below the route attribute, it cannot see it")
        .help(PLACEMENT_HELP);
}

/// Reads the options of a route attribute. An option `#[cors]` does not know is an error of ours
/// (`refused` is set: the handler then registers nothing, so the only error is ours), even if a
/// later actix-web accepts it: compiling the route without the policy, or with one that does not
/// fit it, would be silent. `None` when actix-web itself refuses the options (a value that is not
/// a string literal or does not parse, `method` on a single-method macro, a method given twice,
/// no method at all): its macro reports them.
fn read_options(
    cx: &mut Ctxt,
    args: RouteArgs,
    single: Option<&str>,
    macro_span: Span,
    refused: &mut bool,
) -> Option<RouteAttr> {
    let mut route = RouteAttr {
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
        let key = option.path.get_ident().map(ToString::to_string);
        let known = match key.as_deref() {
            Some("name" | "guard" | "wrap") => true,
            Some("method") => single.is_none(),
            _ => false,
        };
        if !known {
            unknown_option(cx, &option.path, single.is_none());
            *refused = true;
            continue;
        }
        let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = option.value
        else {
            return None;
        };
        match key.as_deref().unwrap_or_default() {
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

/// Reports a route option `#[cors]` does not know, on its key. `any_method`: the attribute is
/// `#[route]`, which takes `method` too.
fn unknown_option(cx: &mut Ctxt, key: &Path, any_method: bool) {
    let name = key
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::");
    let known = if any_method {
        "`name`, `guard`, `wrap` and `method`"
    } else {
        "`name`, `guard` and `wrap`"
    };
    let span = key
        .segments
        .first()
        .map_or_else(Span::call_site, |s| s.ident.span());
    let options: &[&str] = if any_method {
        &["name", "guard", "wrap", "method"]
    } else {
        &["name", "guard", "wrap"]
    };
    let help = match options
        .iter()
        .map(|o| (cors_policy::keys::edit_distance(&name, o), o))
        .filter(|(d, o)| *d <= (o.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
    {
        Some((_, option)) => format!("did you mean `{option}`?"),
        None => "remove the option, or serve this route without `#[cors]`".to_owned(),
    };
    cx.error(Rule::RouteOption, span, format!("`#[cors]` does not know the route option `{name}`"))
        .note(format!("it reads {known}; an option it cannot read could change which requests reach the handler, and the route would get no CORS policy or one that does not fit it"))
        .help(help);
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
