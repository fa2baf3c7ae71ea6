//! Compile-time-checked CORS for actix-web routes.
//!
//! ```
//! use actix_web::{post, App, HttpResponse};
//! use cors_runtime::cors;
//!
//! #[cors(origins = ["https://app.example.com"], credentials, allow_headers = ["Content-Type"], max_age = 600)]
//! #[post("/api/items")]
//! async fn create_item() -> HttpResponse {
//!     HttpResponse::Created().finish()
//! }
//!
//! // Registering the handler registers its preflight (`OPTIONS /api/items`) too.
//! let app = App::new().service(create_item);
//! ```
//!
//! The `#[cors]` attribute checks the policy when the program compiles and rejects every invalid
//! or insecure one with an error on the offending token (see [`cors`] for the rules). The header
//! values and origin lists are fixed then too: the macro hands the runtime one string, decoded
//! once per worker when the app starts, so answering a preflight or adding headers to a response
//! formats nothing and allocates nothing beyond what actix-web itself does.
//!
//! How the runtime answers:
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method` naming a method the
//!   handler serves) never reaches the handler: `204 No Content` with the grant when the origin,
//!   the method and every requested header are allowed, `403 Forbidden` without any
//!   `Access-Control-Allow-*` header otherwise;
//! - an actual request runs the handler as usual; with an allowed `Origin`, its response
//!   (whatever its status, errors included) gets `Access-Control-Allow-Origin` (the request's
//!   origin), `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers` as
//!   configured; every response gets `Vary: Origin`, appended to the handler's own `Vary`;
//! - a plain `origins = ["*"]` policy answers `Access-Control-Allow-Origin: *` on every response,
//!   which then does not depend on the request, so no `Vary` is added.

#![warn(missing_docs)]

pub use crate::config::{ConfiguredOrigins, StartupError};
pub use crate::cors::Cors;
pub use crate::events::Refusal;
pub use crate::listing::Listing;
pub use cors_macros::{cors, policy};
pub use cors_policy::resolve::{Finding, Origin as EntryOrigin};

/// A policy declared with `#[policy(...)] struct Api;`. The attribute implements it; use the
/// type as middleware (`App::new().wrap(Api)`, `web::scope("/api").wrap(Api)`), as a handler's
/// policy (`#[cors(policy = Api)]`), or as a value (`Api::cors()`).
pub trait NamedPolicy {
    /// The name the policy was declared with, for messages.
    #[doc(hidden)]
    const NAME: &'static str;

    /// The validated policy, in the text form the runtime decodes (`cors_policy::wire`).
    #[doc(hidden)]
    const ENCODED: &'static str;

    /// The policy as middleware for an app or a scope, its origins from the environment (if it
    /// names any) read and checked once per process: call it in `main` to report a bad value
    /// yourself.
    fn try_cors() -> Result<Cors, StartupError>;

    /// [`NamedPolicy::try_cors`], or, on a bad value, the message on standard error and exit
    /// status 1: what `App::new().wrap(Api)` uses, so that a bad value stops the process before
    /// it serves a request.
    fn cors() -> Cors {
        Self::try_cors().unwrap_or_else(|error| config::exit(&error))
    }

    /// The policy with the origins of its `config("...")` entry taken from `origins` (read from
    /// the application's configuration with serde), checked with the rest of the policy. Call it
    /// once, when the app starts, and wrap the value it returns.
    fn with_origins(origins: &ConfiguredOrigins) -> Result<Cors, StartupError> {
        Cors::resolve(Self::NAME, Self::ENCODED, Some(origins))
    }

    /// A scope at `path` under this policy: `web::scope(path)` with the policy declared where it
    /// stands, so that a policy around it (`App::new().wrap(Outer)`) answers the scope's
    /// preflights with this one. Use it where you would write `web::scope(path).wrap(Api)`:
    ///
    /// ```
    /// use actix_web::{web, App, HttpResponse};
    /// use cors_runtime::{policy, NamedPolicy};
    ///
    /// #[policy(origins = ["https://app.example.com"], credentials)]
    /// struct Api;
    ///
    /// #[policy(origins = ["https://partner.example.org"])]
    /// struct Partner;
    ///
    /// let app = App::new().wrap(Api).service(
    ///     Partner::scope("/partner").route("/feed", web::get().to(HttpResponse::Ok)),
    /// );
    /// ```
    fn scope(
        path: &str,
    ) -> actix_web::Scope<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<
                actix_web::body::EitherBody<actix_web::body::BoxBody>,
            >,
            Error = actix_web::Error,
            InitError = (),
        >,
    >
    where
        Self: Sized,
    {
        let (cors, anchor) = cors::ScopeCors::new(Self::cors());
        actix_web::web::scope(path).service(anchor).wrap(cors)
    }
}

mod anchor;
mod compiled;
pub mod config;
mod cors;
pub mod events;
pub mod listing;
mod nesting;
mod origin_table;
mod preflight;
mod response;
mod route_policy;

/// Items the code generated by `#[cors]` refers to. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::route_policy::{RouteParts, RoutePolicy};
}
