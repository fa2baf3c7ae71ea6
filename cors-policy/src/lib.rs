//! The CORS policy model and its validation rules.
//!
//! This crate is shared by the `#[cors]` macro, which validates policies at compile time, and by
//! the runtime. It knows nothing of `syn` or actix-web: positions are a type parameter, so the
//! same checks serve policies that come from configuration.
//!
//! | module | holds |
//! |---|---|
//! | [`raw`] | the policy as written ([`RawPolicy`]), every value with its position |
//! | [`keys`] | the table of keys: names, aliases, value kinds |
//! | [`check`] | the checks, by area, and [`validate`], which runs them all |
//! | [`origin`] | the grammar of one origin entry, with suggestions |
//! | [`diagnostic`] | what the checks report ([`Diagnostic`]) and where ([`Ctxt`]) |
//! | [`model`] | the validated [`Policy`] |
//! | [`matcher`] | matching a request's origin against a pattern |
//! | [`wire`] | the text form in which the macro hands a policy to the runtime |
//! | [`resolve`](mod@resolve) | origins read at start-up, checked by the same checks |
//! | [`configured`] | a whole policy read from configuration, checked by [`validate`] |
//! | [`rules`](Rule) | the catalogue of rules |
//! | [`source`] | where each value of a resolved policy came from ([`Source`], [`Provenance`]) |
//!
//! Pipeline: the macro parses the attribute into a [`RawPolicy`], [`validate`] checks it against
//! every [`Rule`], reporting into the macro's [`Ctxt`], and returns a [`Policy`], which the macro
//! encodes with [`wire::encode`] and the runtime decodes with [`wire::decode`].
//!
//! Not a public API of its own: use it through `cors-runtime`.

#![warn(missing_docs)]

pub mod check;
pub mod configured;
pub mod diagnostic;
pub mod keys;
pub mod matcher;
pub mod model;
pub mod names;
pub mod origin;
pub mod raw;
pub mod resolve;
mod rules;
pub mod source;
#[cfg(feature = "public-suffix")]
pub mod suffix;
pub mod wire;

pub use check::{validate, MAX_AGE_CHROMIUM, MAX_AGE_LIMIT};
pub use diagnostic::{Ctxt, Diagnostic, DiagnosticBuilder, Level};
pub use model::{HostPattern, OriginPattern, OriginSource, Origins, Policy, PortPattern};
pub use raw::{List, RawPolicy, RawSource, Route, Spanned};
pub use resolve::resolve;
pub use rules::Rule;
pub use source::{Provenance, Source};
