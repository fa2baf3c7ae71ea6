//! Named policies over an app or a scope, and which policy answers when policies nest.
//!
//! - [`app_wide`]: `App::new().wrap(Api)` and `web::scope(..).wrap(..)`, and their precedence with a
//!   handler's own `#[cors]`, as exact header tables;
//! - [`agreement`]: how nested policies agree (app-wide policy, `Api::scope`, handlers' `#[cors]`),
//!   whatever the requests, middleware or other apps do.
//!
//! The property test of nesting is [`crate::model::nesting_model`].

mod agreement;
mod app_wide;
