//! Generates the code for a validated policy.
//!
//! The handler keeps its route attribute, with one `wrap` added that injects the CORS response
//! headers, and moves into the `register` of a service named like the handler, as actix-web's
//! own route macros do. That service registers the route (through actix-web's macro, so `name`,
//! `guard` and `wrap` behave exactly as without `#[cors]`) and, before it, a preflight service
//! for the same path. The policy becomes a `static` whose header values are built at compile time.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Attribute, ItemFn, LitStr};

use cors_policy::hash::build_table;
use cors_policy::origin::{HostPattern, PortPattern};
use cors_policy::{Origins, Policy};

use crate::route::RouteAttr;

/// The expansion of a handler whose policy passed every check.
pub fn handler(mut item: ItemFn, route: &RouteAttr, policy: &Policy) -> TokenStream {
    let name = item.sig.ident.clone();
    let policy_ident = syn::Ident::new("__CORS_POLICY", Span::call_site());
    let policy_tokens = policy_static(policy);
    let wrap = LitStr::new(
        &format!("::cors_runtime::__private::Cors::new(&{policy_ident})"),
        Span::call_site(),
    );
    add_wrap(&mut item.attrs[route.index], &wrap);
    let docs: Vec<&Attribute> = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let path = &route.path;
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types, missing_docs)]
        pub struct #name;

        impl ::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, __config: &mut ::actix_web::dev::AppService) {
                static #policy_ident: ::cors_runtime::__private::Policy = #policy_tokens;
                ::actix_web::dev::HttpServiceFactory::register(
                    ::cors_runtime::__private::Preflight::new(#path, &#policy_ident),
                    __config,
                );
                #item
                ::actix_web::dev::HttpServiceFactory::register(#name, __config);
            }
        }
    }
}

/// Appends `wrap = "..."` to the route attribute's arguments. Resource-level `wrap`s apply in
/// order, the last outermost, so the CORS headers also reach responses made by the user's own
/// `wrap` middleware and by its errors.
fn add_wrap(attr: &mut Attribute, wrap: &LitStr) {
    if let syn::Meta::List(list) = &mut attr.meta {
        let mut tokens = std::mem::take(&mut list.tokens);
        let trailing_comma = tokens
            .clone()
            .into_iter()
            .last()
            .is_some_and(|t| t.to_string() == ",");
        if !trailing_comma {
            tokens.extend(quote!(,));
        }
        tokens.extend(quote!(wrap = #wrap));
        list.tokens = tokens;
    }
}

fn header_value(value: &str) -> TokenStream {
    quote!(::cors_runtime::__private::HeaderValue::from_static(#value))
}

fn optional_header_value(value: Option<String>) -> TokenStream {
    match value {
        Some(v) => {
            let v = header_value(&v);
            quote!(::core::option::Option::Some(#v))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn str_slice(items: &[String]) -> TokenStream {
    quote!(&[#(#items),*])
}

/// Upper bound on the total length of `Access-Control-Request-Headers` worth reading: twice what
/// the allowed names take with `", "` separators, plus slack. A longer value cannot consist of
/// allowed names only (each name once, in any case and spacing) and is refused unread.
fn acrh_max_len(policy: &Policy) -> usize {
    if policy.allow_any_header {
        return 8 * 1024;
    }
    2 * policy
        .allow_headers
        .iter()
        .map(|h| h.len() + 2)
        .sum::<usize>()
        + 64
}

fn policy_static(policy: &Policy) -> TokenStream {
    let origins = match &policy.origins {
        Origins::Any => quote!(::cors_runtime::__private::Origins::Any),
        Origins::List { exact, patterns } => {
            let refs: Vec<&str> = exact.iter().map(String::as_str).collect();
            let table: Vec<&str> = if refs.is_empty() {
                Vec::new()
            } else {
                build_table(&refs)
                    .into_iter()
                    .map(|slot| slot.map_or("", |i| refs[i]))
                    .collect()
            };
            let patterns = patterns.iter().map(|p| {
                let scheme = &p.scheme;
                let (host, subdomains) = match &p.host {
                    HostPattern::Exact(h) => (h, false),
                    HostPattern::Subdomains(base) => (base, true),
                };
                let port = match p.port {
                    PortPattern::Default => quote!(::cors_runtime::__private::Port::Default),
                    PortPattern::Any => quote!(::cors_runtime::__private::Port::Any),
                    PortPattern::Exact(n) => {
                        let n = n.to_string();
                        quote!(::cors_runtime::__private::Port::Exact(#n))
                    }
                };
                quote! {
                    ::cors_runtime::__private::Pattern {
                        scheme: #scheme,
                        host: #host,
                        subdomains: #subdomains,
                        port: #port,
                    }
                }
            });
            quote! {
                ::cors_runtime::__private::Origins::List {
                    table: &[#(#table),*],
                    patterns: &[#(#patterns),*],
                }
            }
        }
    };
    let credentials = policy.credentials;
    let routed_methods = str_slice(&policy.routed_methods);
    let allow_methods = str_slice(&policy.allow_methods);
    let allow_methods_value = header_value(&policy.allow_methods.join(", "));
    let allow_headers = str_slice(&policy.allow_headers);
    let allow_any_header = policy.allow_any_header;
    let mut acah: Vec<String> = Vec::new();
    if policy.allow_any_header {
        acah.push("*".to_owned());
    }
    acah.extend(policy.allow_headers.iter().cloned());
    let allow_headers_value = optional_header_value((!acah.is_empty()).then(|| acah.join(", ")));
    let acrh_max_len = acrh_max_len(policy);
    let mut aceh: Vec<String> = Vec::new();
    if policy.expose_any_header {
        aceh.push("*".to_owned());
    }
    aceh.extend(policy.expose_headers.iter().cloned());
    let expose_headers_value = optional_header_value((!aceh.is_empty()).then(|| aceh.join(", ")));
    let max_age_value = optional_header_value(policy.max_age.map(|s| s.to_string()));
    quote! {
        ::cors_runtime::__private::Policy {
            origins: #origins,
            credentials: #credentials,
            routed_methods: #routed_methods,
            allow_methods: #allow_methods,
            allow_methods_value: #allow_methods_value,
            allow_headers: #allow_headers,
            allow_any_header: #allow_any_header,
            allow_headers_value: #allow_headers_value,
            acrh_max_len: #acrh_max_len,
            expose_headers_value: #expose_headers_value,
            max_age_value: #max_age_value,
        }
    }
}

/// The expansion when the policy has errors: the handler exactly as its route attribute alone
/// would expand it, so that the only errors the user sees are ours.
///
/// A handler written without `async` (already reported) is emitted as `async fn`, since
/// actix-web would otherwise add an unrelated error about its `Handler` trait.
pub fn fallback(mut item: ItemFn) -> TokenStream {
    if item.sig.asyncness.is_none() {
        item.sig.asyncness = Some(syn::token::Async(item.sig.fn_token.span));
    }
    item.to_token_stream()
}
