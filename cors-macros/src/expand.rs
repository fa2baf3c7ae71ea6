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
use crate::route::RouteAttr;

/// The expansion of a handler whose policy passed every check.
pub fn handler(item: &Handler, route: &RouteAttr, policy: &Policy) -> TokenStream {
    let name = &item.sig.ident;
    let function = item.without_attr(route.index);
    let docs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let config = Ident::new("__config", Span::mixed_site());
    let cors = Ident::new("__cors", Span::mixed_site());
    let encoded = LitStr::new(&cors_policy::wire::encode(policy), Span::call_site());
    let path = &route.path;
    let resource_name = match &route.name {
        Some(name) => name.clone(),
        None => LitStr::new(&name.to_string(), name.span()),
    };
    let guards = &route.guards;
    let wrappers = &route.wrappers;
    // The route attribute is consumed here; naming its macro keeps the user's import of it
    // (`use actix_web::get;`) from turning into an "unused import" warning.
    let route_macro = item.attrs[route.index].path();
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types, missing_docs)]
        pub struct #name;

        impl ::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, #config: &mut ::actix_web::dev::AppService) {
                #[allow(unused_imports)]
                use #route_macro as _;
                #function
                let #cors = ::cors_runtime::__private::RoutePolicy::new(#encoded);
                ::actix_web::dev::HttpServiceFactory::register(#cors.preflight(#path), #config);
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
    }
}

/// The expansion when the policy has errors: the handler exactly as its route attribute alone
/// would expand it, so that the only errors the user sees are ours.
///
/// A handler written without `async` (already reported) is emitted as `async fn`, since
/// actix-web would otherwise add an unrelated error about its `Handler` trait.
pub fn fallback(mut item: Handler) -> TokenStream {
    if item.sig.asyncness.is_none() {
        item.sig.asyncness = Some(syn::token::Async(item.sig.fn_token.span));
    }
    quote!(#item)
}
