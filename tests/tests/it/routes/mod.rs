//! Routes: how a route's preflights are registered, and every way an app declares routes.
//!
//! - [`route_registration`]: route guards, an empty path, errors from a route's own `wrap`;
//! - [`routes_macro`]: `#[cors]` above `#[routes]`;
//! - [`realistic_app`]: an app of 33 routes written every way actix-web offers, under an app-wide
//!   policy, a stricter scope and a handler's own `#[cors]`.

mod realistic_app;
mod route_registration;
mod routes_macro;
