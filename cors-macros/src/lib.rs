#![doc = include_str!("../README.md")]
// Pipeline, one file each: `handler` reads the annotated function, `route` finds the actix-web
// route attribute, `parse` reads `#[cors(...)]` into a raw policy, `cors_policy::validate` checks
// every rule, `expand` generates the code. Every stage reports into one `Ctxt`, and `emit` turns
// all its diagnostics into code at the end (see ARCHITECTURE.md).
#![warn(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::Span;

use cors_policy::Rule;

/// The diagnostics of one expansion, positioned at the user's tokens.
type Ctxt = cors_policy::Ctxt<Span>;

mod emit;
mod expand;
mod handler;
mod parse;
mod route;

#[doc = include_str!("../RULES.md")]
#[proc_macro_attribute]
pub fn cors(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_cors(args.into(), input.into()).into()
}

fn expand_cors(
    args: proc_macro2::TokenStream,
    input: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut cx = Ctxt::default();
    let item = match syn::parse2::<handler::Handler>(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            // Not a function: say where `#[cors]` belongs, and leave the item as it was (the
            // compiler reports any syntax error in it on its own).
            if let Ok(other) = syn::parse2::<syn::Item>(input.clone()) {
                cx.error(Rule::Placement, item_span(&other), "`#[cors]` can only be applied to an `async fn` request handler")
                    .help("put `#[cors(...)]` on a handler, directly above its route attribute such as `#[get(\"/path\")]`");
            }
            let mut out = emit::emit(&cx.into_diagnostics(), &[]);
            out.extend(input);
            return out;
        }
    };
    let args = match syn::parse2::<parse::Args>(args) {
        Ok(args) => args,
        Err(err) => {
            // A syntax error in the attribute: syn's error points at the token.
            let mut out = err.to_compile_error();
            out.extend(expand::fallback(item, &[]));
            return out;
        }
    };
    let written = parse::raw_policy(&mut cx, args, parse::Site::Handler);
    // The handler's `#[allow(...)]`s, which apply to its policy's warnings too.
    let lints = emit::lint_levels(&item.attrs);
    if item.sig.asyncness.is_none() {
        cx.error(
            Rule::Placement,
            item.sig.fn_token.span,
            "`#[cors]` handlers must be `async fn`",
        )
        .note("actix-web route handlers are asynchronous")
        .help("write `async fn`");
    }
    let route = match route::find(&mut cx, &item.attrs) {
        route::Found::Routes(routes) => routes,
        found => {
            let drop = match found {
                route::Found::Unusable(drop) => drop,
                _ => {
                    route::missing(&mut cx, Span::call_site());
                    Vec::new()
                }
            };
            let mut out = emit::emit(&cx.into_diagnostics(), &lints);
            out.extend(expand::fallback(item, &drop));
            return out;
        }
    };
    // A path actix-web's macro would trip over, or a route option we refused: register nothing
    // (after the policy's own checks, so that every error is reported at once).
    let inert = !route::check_paths(&mut cx, &route) || route.refused;
    if inert {
        if !written.names_policy {
            let policy_route = cors_policy::Route {
                methods: route.methods(),
            };
            cors_policy::validate(
                &mut cx,
                &written.raw,
                Some(&policy_route),
                Span::call_site(),
            );
        }
        let mut out = emit::emit(&cx.into_diagnostics(), &lints);
        out.extend(expand::inert(&item, &route));
        return out;
    }
    if written.names_policy {
        // The declared policy was checked where it is declared.
        let failed = cx.has_errors();
        let mut out = emit::emit(&cx.into_diagnostics(), &lints);
        out.extend(match &written.named {
            Some(named) if !failed => expand::handler(&item, &route, expand::Source::Named(named)),
            _ => expand::fallback(item, &[]),
        });
        return out;
    }
    let policy_route = cors_policy::Route {
        methods: route.methods(),
    };
    // `Span::call_site()` is the whole attribute: right for "missing `origins`", the one error
    // no token of the user's is to blame for.
    let policy = cors_policy::validate(
        &mut cx,
        &written.raw,
        Some(&policy_route),
        Span::call_site(),
    );
    let failed = cx.has_errors();
    let mut out = emit::emit(&cx.into_diagnostics(), &lints);
    match policy {
        Some(policy) if !failed => out.extend(expand::handler(
            &item,
            &route,
            expand::Source::Written(&policy),
        )),
        _ => out.extend(expand::fallback(item, &[])),
    }
    out
}

#[doc = include_str!("../POLICY.md")]
#[proc_macro_attribute]
pub fn policy(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_policy(args.into(), input.into()).into()
}

fn expand_policy(
    args: proc_macro2::TokenStream,
    input: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut cx = Ctxt::default();
    let item = match syn::parse2::<syn::ItemStruct>(input.clone()) {
        Ok(item) if matches!(item.fields, syn::Fields::Unit) && item.generics.params.is_empty() => {
            item
        }
        parsed => {
            let span = match &parsed {
                Ok(item) => item.ident.span(),
                Err(_) => syn::parse2::<syn::Item>(input.clone())
                    .map_or_else(|_| Span::call_site(), |other| item_span(&other)),
            };
            cx.error(
                Rule::NamedPolicy,
                span,
                "`#[policy]` can only be applied to a unit struct without generics",
            )
            .note("the struct names the policy; the policy is its attribute")
            .help("write `#[policy(...)] pub struct Api;`");
            let mut out = emit::emit(&cx.into_diagnostics(), &[]);
            out.extend(input);
            return out;
        }
    };
    let policy = match syn::parse2::<parse::Args>(args) {
        Ok(args) => {
            let written = parse::raw_policy(&mut cx, args, parse::Site::Declaration);
            cors_policy::validate(&mut cx, &written.raw, None, Span::call_site())
        }
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(expand::declaration(&item, None));
            return out;
        }
    };
    let policy = policy.filter(|_| !cx.has_errors());
    let mut out = emit::emit(&cx.into_diagnostics(), &emit::lint_levels(&item.attrs));
    out.extend(expand::declaration(&item, policy.as_ref()));
    out
}

/// The span of an item's defining keyword (`struct`, `impl`, ...), where a placement error reads
/// naturally.
fn item_span(item: &syn::Item) -> Span {
    use quote::ToTokens;
    item.to_token_stream()
        .into_iter()
        .find(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if !matches!(i.to_string().as_str(), "pub" | "crate" | "in")))
        .map_or_else(Span::call_site, |t| t.span())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No diagnostic, but warnings the item accepts with `#[allow(deprecated)]`.
    fn assert_quiet(name: &str, cx: &Ctxt, attrs: &[syn::Attribute]) {
        let accepted = emit::lint_levels(attrs).iter().any(|a| {
            a.path().is_ident("allow")
                && a.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|lints| lints.iter().any(|l| l.is_ident("deprecated")))
        });
        assert!(
            cx.diagnostics()
                .iter()
                .all(|d| accepted && d.level == cors_policy::Level::Warning),
            "{name}: diagnostics"
        );
    }

    /// `decode(encode(policy)) == policy`.
    fn round_trip(name: &str, policy: &cors_policy::Policy) {
        let text = cors_policy::wire::encode(policy);
        let (decoded, _) =
            cors_policy::wire::decode(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(&decoded, policy, "{name}");
    }

    /// Every valid form of the passing UI cases: the policy the macro validates is the policy the
    /// runtime decodes, for every route of every handler and every named policy.
    #[test]
    fn every_valid_form_round_trips_through_the_wire_format() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/pass");
        let (mut handlers, mut named) = (0, 0);
        for file in std::fs::read_dir(&dir).expect("tests/ui/pass") {
            let path = file.expect("directory entry").path();
            let text = std::fs::read_to_string(&path).expect("a UI case");
            let ast = syn::parse_file(&text).expect("a UI case parses");
            for item in ast.items {
                let is = |a: &syn::Attribute, what: &str| {
                    a.path().segments.last().is_some_and(|s| s.ident == what)
                };
                match item {
                    syn::Item::Struct(declaration) => {
                        let Some(attr) = declaration.attrs.iter().find(|a| is(a, "policy")) else {
                            continue;
                        };
                        let name = format!("{}: {}", path.display(), declaration.ident);
                        let mut cx = Ctxt::default();
                        let args = attr.parse_args::<parse::Args>().expect("arguments");
                        let raw = parse::raw_policy(&mut cx, args, parse::Site::Declaration).raw;
                        let policy = cors_policy::validate(&mut cx, &raw, None, Span::call_site())
                            .unwrap_or_else(|| panic!("{name}: refused"));
                        assert_quiet(&name, &cx, &declaration.attrs);
                        round_trip(&name, &policy);
                        round_trip(&name, &policy.for_route(&["GET".into(), "PUT".into()]));
                        named += 1;
                    }
                    syn::Item::Fn(function) => {
                        let Some(index) = function.attrs.iter().position(|a| is(a, "cors")) else {
                            continue;
                        };
                        let name = format!("{}: {}", path.display(), function.sig.ident);
                        let mut cx = Ctxt::default();
                        let args = function.attrs[index]
                            .parse_args::<parse::Args>()
                            .expect("attribute arguments");
                        let written = parse::raw_policy(&mut cx, args, parse::Site::Handler);
                        if written.names_policy {
                            // A named policy, checked where it is declared.
                            continue;
                        }
                        let route::Found::Routes(routes) =
                            route::find(&mut cx, &function.attrs[index + 1..])
                        else {
                            panic!("{name}: no usable route");
                        };
                        let route = cors_policy::Route {
                            methods: routes.methods(),
                        };
                        let policy = cors_policy::validate(
                            &mut cx,
                            &written.raw,
                            Some(&route),
                            Span::call_site(),
                        )
                        .unwrap_or_else(|| panic!("{name}: refused"));
                        assert_quiet(&name, &cx, &function.attrs);
                        for r in &routes.routes {
                            let routed: Vec<String> =
                                r.methods.iter().map(|m| m.value.clone()).collect();
                            round_trip(&name, &policy.for_route(&routed));
                            handlers += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        assert!(
            handlers >= 10,
            "only {handlers} handler policies in {dir:?}"
        );
        assert!(named >= 3, "only {named} named policies in {dir:?}");
    }
}
