//! The annotated item: a function, read only as far as `#[cors]` needs (attributes, visibility,
//! signature). The body is kept as tokens, never parsed, so a large handler costs nothing more
//! to expand than a small one.

use proc_macro2::{Group, TokenStream};
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility};

/// A function item.
pub struct Handler {
    /// Outer attributes, route attribute included.
    pub attrs: Vec<Attribute>,
    /// Visibility.
    pub vis: Visibility,
    /// Signature.
    pub sig: Signature,
    /// The `{ ... }` body, unparsed.
    pub body: Group,
}

impl Parse for Handler {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != proc_macro2::Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected a function body"));
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function"));
        }
        Ok(Self {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

impl Handler {
    /// The function without the attributes at `skip` (the route attributes `#[cors]` replaces).
    pub fn without_attrs(&self, skip: &[usize]) -> TokenStream {
        let attrs = self
            .attrs
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(i))
            .map(|(_, a)| a);
        let Self { vis, sig, body, .. } = self;
        quote!(#(#attrs)* #vis #sig #body)
    }
}

impl ToTokens for Handler {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Self {
            attrs,
            vis,
            sig,
            body,
        } = self;
        tokens.extend(quote!(#(#attrs)* #vis #sig #body));
    }
}
