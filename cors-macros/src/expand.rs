//! Generates the code for a validated policy.
//!
//! The expansion is what actix-web's route macro generates, with three additions: the CORS
//! middleware as the resource's outermost `wrap` (it adds the headers, also to responses made by
//! the user's own `wrap` middleware and by its errors); a preflight resource on the same path,
//! registered after the route's (so the user's resource map answers as before); and an anchor,
//! which matches no path and lets the policies around the route find it (`cors_runtime`'s
//! `anchor` module). The policy travels as one string literal in the
//! `cors_policy::wire` format, which costs the user's build nothing to compile; the runtime
//! decodes it once per worker. Generated names use `Span::mixed_site()`, so they cannot clash
//! with the user's.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, LitStr};

use cors_policy::Policy;

use crate::handler::Handler;
use crate::route::{RouteAttr, Routes};

/// Where a handler's policy comes from.
pub enum Source<'a> {
    /// Written in the attribute, and validated.
    Written(&'a Policy),
    /// `policy = Api`: a declared policy, narrowed to each route when the app starts.
    Named(&'a syn::Path),
}

/// The expansion of a handler whose policy passed every check.
pub fn handler(item: &Handler, routes: &Routes, policy: Source<'_>) -> TokenStream {
    let name = &item.sig.ident;
    let function = item.without_attrs(&routes.consumed);
    let docs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let vis = &item.vis;
    let config = binding("config", name);
    let uses = mark_used(routes.consumed.iter().map(|&i| item.attrs[i].path()));
    let registrations = routes
        .routes
        .iter()
        .map(|route| registration(name, route, &policy, &config));
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

/// Registers one route: its resource (the route attribute's guards, wrappers and handler),
/// wrapped outermost in the CORS middleware, then its preflight resource and anchor, by one
/// runtime call. Each route's policy names only the methods it routes.
fn registration(
    name: &Ident,
    route: &RouteAttr,
    policy: &Source<'_>,
    config: &Ident,
) -> TokenStream {
    let routed: Vec<String> = route.methods.iter().map(|m| m.value.clone()).collect();
    let decode = match policy {
        Source::Written(policy) => {
            let encoded = cors_policy::wire::encode(&policy.for_route(&routed));
            let encoded = LitStr::new(&encoded, Span::call_site());
            let handler = name.to_string();
            quote!(::cors_runtime::__private::RoutePolicy::new(#encoded, #handler))
        }
        Source::Named(path) => quote! {
            ::cors_runtime::__private::RoutePolicy::named(
                <#path as ::cors_runtime::NamedPolicy>::cors(),
                &[#(#routed),*],
            )
        },
    };
    let path = &route.path;
    let resource_name = match &route.name {
        Some(name) => name.clone(),
        None => LitStr::new(&name.to_string(), name.span()),
    };
    let guards = &route.guards;
    // A preflight cannot be checked against the route's guards: with guards, it is refused.
    let guarded = !guards.is_empty();
    let wrappers = &route.wrappers;
    let parts = binding("route", name);
    let resource = binding("resource", name);
    quote! {
        {
            let #parts = #decode.route(#path, #guarded);
            let #resource = #parts
                .resource(#path, #resource_name)
                #(.guard(::actix_web::guard::fn_guard(#guards)))*
                #(.wrap(#wrappers))*
                .to(#name);
            #parts.register(#resource, #config);
        }
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

/// The expansion of `#[policy(...)] struct Api;`: the struct, its policy text (`ENCODED`, or
/// text the runtime refuses when the policy has errors, already reported: the program does not
/// compile then, and the user's `.wrap(Api)` raises no second error), and the middleware it is
/// when wrapped around an app or a scope.
pub fn declaration(item: &syn::ItemStruct, policy: Option<&Policy>) -> TokenStream {
    let name = &item.ident;
    let encoded = policy.map_or_else(String::new, cors_policy::wire::encode);
    let label = name.to_string();
    // The impl's type parameters, named so that no policy is named like them (a policy may be
    // called `B` or `S`; hygiene does not apply to type names).
    let service_ty = Ident::new("__CorsService", Span::call_site());
    let body_ty = Ident::new("__CorsBody", Span::call_site());
    quote! {
        #item

        impl ::core::clone::Clone for #name {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl ::core::marker::Copy for #name {}

        impl ::cors_runtime::__private::Sealed for #name {
            const NAME: &'static str = #label;
            const ENCODED: &'static str = #encoded;
        }

        impl ::cors_runtime::NamedPolicy for #name {
            fn try_cors() -> ::core::result::Result<::cors_runtime::Cors, ::cors_runtime::StartupError> {
                static CORS: ::std::sync::OnceLock<
                    ::core::result::Result<::cors_runtime::Cors, ::cors_runtime::StartupError>,
                > = ::std::sync::OnceLock::new();
                ::core::clone::Clone::clone(CORS.get_or_init(|| {
                    ::cors_runtime::__private::resolve(
                        #label,
                        <Self as ::cors_runtime::__private::Sealed>::ENCODED,
                    )
                }))
            }
        }

        impl<#service_ty, #body_ty> ::actix_web::dev::Transform<#service_ty, ::actix_web::dev::ServiceRequest> for #name
        where
            #service_ty: ::actix_web::dev::Service<
                ::actix_web::dev::ServiceRequest,
                Response = ::actix_web::dev::ServiceResponse<#body_ty>,
                Error = ::actix_web::Error,
            >,
            #body_ty: ::actix_web::body::MessageBody,
        {
            type Response = <::cors_runtime::Cors as ::actix_web::dev::Transform<#service_ty, ::actix_web::dev::ServiceRequest>>::Response;
            type Error = ::actix_web::Error;
            type Transform = <::cors_runtime::Cors as ::actix_web::dev::Transform<#service_ty, ::actix_web::dev::ServiceRequest>>::Transform;
            type InitError = ();
            type Future = <::cors_runtime::Cors as ::actix_web::dev::Transform<#service_ty, ::actix_web::dev::ServiceRequest>>::Future;

            fn new_transform(&self, service: #service_ty) -> Self::Future {
                ::actix_web::dev::Transform::new_transform(
                    &<Self as ::cors_runtime::NamedPolicy>::cors(),
                    service,
                )
            }
        }
    }
}
