//! The decision logic of `cors-doctor`: what a browser sends for a cross-origin request, and
//! what it concludes from the answers. Pure functions over header data, no I/O, so other tools
//! and tests can use them.
//!
//! The rules follow the WHATWG Fetch standard ("CORS-safelisted request-header", "CORS-unsafe
//! request-header names", "CORS check", "CORS-preflight fetch"); the messages a browser shows
//! follow Chromium's wording. Every check and every warning has a stable identifier
//! ([`CheckId`], [`WarningId`]), serialised in `--json` reports.
//!
//! ```
//! use cors_doctor::{plan, PageRequest};
//! let page = PageRequest {
//!     url: "https://api.example.com/items".into(),
//!     origin: "https://app.example.com".into(),
//!     method: "POST".into(),
//!     headers: vec![("Content-Type".into(), "application/json".into())],
//!     credentials: false,
//!     ..Default::default()
//! };
//! let plan = plan(&page).unwrap();
//! let preflight = plan.preflight.unwrap();
//! assert_eq!(preflight.request_headers.as_deref(), Some("content-type"));
//! ```
#![warn(missing_docs)]

mod browser;
mod checks;
mod cookies;
mod narrow;
mod preflight_checks;
mod render;
mod report;
mod request;
mod rules;
#[cfg(feature = "actix")]
pub mod test;
mod transport;
mod verdict;
mod warnings;
pub use browser::*;
pub use checks::*;
pub use cookies::*;
pub use narrow::*;
pub use preflight_checks::*;
pub use render::render;
pub use report::*;
pub use request::*;
pub use rules::*;
pub use transport::*;
pub use verdict::*;
pub use warnings::*;

#[cfg(test)]
mod tests;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
