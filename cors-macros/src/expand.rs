//! Generates the code for a validated policy.
//!
//! The expansion is what actix-web's route macro generates, with two additions: a preflight
//! service for the same path, registered first, and the CORS middleware as the resource's
//! outermost `wrap`, so the headers also reach responses made by the user's own `wrap`
//! middleware and by its errors. The policy travels as one string literal in the
//! `cors_policy::wire` format, which costs the user's build nothing to compile; the runtime
//! decodes it once per worker. Generated names use `Span::mixed_site()`, so they cannot clash
//! with the user's.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, LitStr};

use cors_policy::Policy;

use crate::handler::Handler;
use crate::route::{RouteAttr, Routes};

/// The expansion of a handler whose policy passed every check.
pub fn handler(item: &Handler, routes: &Routes, policy: &Policy) -> TokenStream {
    let name = &item.sig.ident;
    let function = item.without_attrs(&routes.consumed);
    let docs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let vis = &item.vis;
    let config = binding("config", name);
    let uses = mark_used(routes.consumed.iter().map(|&i| item.attrs[i].path()));
    let registrations = routes
        .routes
        .iter()
        .map(|route| registration(name, route, policy, &config));
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types, missing_docs)]
        #vis struct #name;

        impl ::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, #config: &mut ::actix_web::dev::AppService) {
                #uses
                #function
                #(#registrations)*
            }
        }
    }
}

/// Registers one route: its preflight service first, then its resource, wrapped last (so
/// outermost) in the CORS middleware. Each route's policy names only the methods it routes.
fn registration(name: &Ident, route: &RouteAttr, policy: &Policy, config: &Ident) -> TokenStream {
    let routed: Vec<String> = route.methods.iter().map(|m| m.value.clone()).collect();
    let route_policy = policy.for_route(&routed);
    let encoded = LitStr::new(&cors_policy::wire::encode(&route_policy), Span::call_site());
    let cors = binding("policy", name);
    let path = &route.path;
    let resource_name = match &route.name {
        Some(name) => name.clone(),
        None => LitStr::new(&name.to_string(), name.span()),
    };
    let guards = &route.guards;
    // A preflight cannot be checked against the route's guards: with guards, it is refused.
    let preflight = if guards.is_empty() {
        quote!(preflight)
    } else {
        quote!(guarded_preflight)
    };
    let wrappers = &route.wrappers;
    quote! {
        let #cors = ::cors_runtime::__private::RoutePolicy::new(#encoded);
        ::actix_web::dev::HttpServiceFactory::register(#cors.#preflight(#path), #config);
        ::actix_web::dev::HttpServiceFactory::register(
            ::actix_web::Resource::new(#path)
                .name(#resource_name)
                .guard(#cors.methods())
                #(.guard(::actix_web::guard::fn_guard(#guards)))*
                #(.wrap(#wrappers))*
                .wrap(#cors.middleware())
                .to(#name),
            #config,
        );
    }
}

/// The expansion when a route path is refused (already reported): a service named like the
/// handler that registers nothing, so that `App::service(handler)` raises no second error.
pub fn inert(item: &Handler, routes: &Routes) -> TokenStream {
    let name = &item.sig.ident;
    let vis = &item.vis;
    let function = item.without_attrs(&routes.consumed);
    let uses = mark_used(routes.consumed.iter().map(|&i| item.attrs[i].path()));
    quote! {
        #[allow(non_camel_case_types, missing_docs)]
        #vis struct #name;

        impl ::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, _: &mut ::actix_web::dev::AppService) {
                #uses
                #[allow(dead_code)]
                #function
            }
        }
    }
}

/// The expansion when the policy has errors: the handler exactly as its route attribute alone
/// would expand it (less the attributes at `drop`, which would only add errors), so that the only
/// errors the user sees are ours.
///
/// A handler written without `async` (already reported) is emitted as `async fn`, since
/// actix-web would otherwise add an unrelated error about its `Handler` trait.
pub fn fallback(mut item: Handler, drop: &[usize]) -> TokenStream {
    if item.sig.asyncness.is_none() {
        item.sig.asyncness = Some(syn::token::Async(item.sig.fn_token.span));
    }
    let dropped = drop
        .iter()
        .filter_map(|&i| item.attrs.get(i))
        .map(syn::Attribute::path);
    let uses = mark_used(
        crate::route::consumed_by_routes(&item.attrs)
            .into_iter()
            .chain(dropped),
    );
    let function = item.without_attrs(drop);
    quote! {
        const _: () = {
            #uses
        };
        #function
    }
}

/// Names the route macros an expansion consumes (or that actix-web's `#[routes]` consumes
/// without naming them), so that the user's imports of them (`use actix_web::get;`) do not turn
/// into "unused import" warnings.
fn mark_used<'a>(macros: impl Iterator<Item = &'a syn::Path>) -> TokenStream {
    quote! {
        #(
            #[allow(unused_imports)]
            use #macros as _;
        )*
    }
}

/// A binding of the generated `register` function, named after the handler
/// (`__cors_policy_of_create_item`): an item of the user's named like a fixed binding (`__config`)
/// would otherwise be taken for it, since a name in a pattern refers to a unit struct or constant
/// in scope before it binds. Handlers are unit structs of their own name, so no handler can be
/// named like another's binding by accident.
fn binding(what: &str, handler: &Ident) -> Ident {
    let handler = handler.to_string();
    let handler = handler.strip_prefix("r#").unwrap_or(&handler);
    Ident::new(&format!("__cors_{what}_of_{handler}"), Span::mixed_site())
}
