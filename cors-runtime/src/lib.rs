#![doc = include_str!("../GUIDE.md")]
#![warn(missing_docs)]

pub use crate::config::{ConfiguredOrigins, EnvLookup, StartupError};
pub use crate::cors::Cors;
pub use crate::finding::Finding;
pub use crate::listing::{Declared, KeySources, ListedPolicy, Listing, OriginEntry, PolicyView};
pub use crate::policy_config::PolicyConfig;
pub use crate::refusal::Refusal;
pub use crate::reload::Reloader;
pub use cors_macros::{cors, policy};
pub use cors_policy::{Rule, Source};

/// A policy declared with `#[policy(...)] struct Api;`. The attribute implements it; use the
/// type as middleware (`App::new().wrap(Api)`, `web::scope("/api").wrap(Api)`), as a handler's
/// policy (`#[cors(policy = Api)]`), or as a value (`Api::cors()`).
///
/// **One resolution per process.** `Api::cors()` is what `.wrap(Api)`, `Api::scope(..)` and
/// every handler with `#[cors(policy = Api)]` use: the policy as the last successful
/// [`NamedPolicy::with_origins`] call built it, if there was one, otherwise its origins read
/// from the environment once ([`NamedPolicy::try_cors`]). So a policy whose origins come from
/// `config("...")` is handed them once, in `main`, before the app is built, and the handlers
/// that borrow it use them too:
///
/// ```
/// use actix_web::{get, App, HttpResponse};
/// use cors_runtime::{cors, policy, ConfiguredOrigins, NamedPolicy};
///
/// #[policy(origins = config("cors.origins"), credentials)]
/// struct Api;
///
/// #[cors(policy = Api)]
/// #[get("/items")]
/// async fn items() -> HttpResponse { HttpResponse::Ok().finish() }
///
/// // In `main`, with the origins read from the configuration file:
/// let origins = ConfiguredOrigins::new(["https://app.example.com"]);
/// let cors = Api::with_origins(&origins).expect("valid origins");
/// let app = App::new().wrap(cors).service(items); // `items` uses the same origins
/// ```
///
/// [`NamedPolicy::resolve_with`] resolves the policy against values you give, for tests: its
/// result is returned only, never made the process's.
///
/// **Sealed.** Only `#[policy(...)]` implements it: the policy it stands for is the one the
/// attribute checked when the program compiled. An implementation by hand is refused:
///
/// ```compile_fail,E0277
/// use cors_runtime::{Cors, NamedPolicy, StartupError};
///
/// struct Unchecked;
///
/// impl NamedPolicy for Unchecked {
///     fn try_cors() -> Result<Cors, StartupError> {
///         unimplemented!()
///     }
/// }
/// ```
///
/// # Origins read at start-up
///
/// In the attribute (of `#[cors]` or `#[policy]`): `origins = env("APP_CORS_ORIGINS")`, or mixed
/// with literals, `origins = ["https://app.example.com", env("APP_EXTRA_ORIGINS", default = "")]`;
/// for a named policy, `config("cors.origins")` too, filled by [`NamedPolicy::with_origins`]
/// from a [`ConfiguredOrigins`] read with serde. Values are separated by commas and/or
/// whitespace and may use `*.` and `:*` patterns.
///
/// - An unset variable without a default is an error; an empty one adds no origin (and if the
///   policy is then left without any origin, that is an error too). A variable set to a value
///   that is not UTF-8 is an error naming it: the default never replaces a value that was set.
/// - Every error is reported at once, naming the variable or configuration key, the entry, the
///   rule and the fix, with the suggestions of the compile-time checks.
/// - Check in `main` with [`NamedPolicy::try_cors`] or [`NamedPolicy::with_origins`] to report
///   errors yourself. If you do not, a bad value stops the process with the full message on
///   standard error and exit status 1 when the app is built, before it serves any request.
pub trait NamedPolicy: __private::Sealed + 'static {
    /// The policy as middleware for an app or a scope, its origins from the environment (if it
    /// names any) read and checked once per process: call it in `main` to report a bad value
    /// yourself.
    fn try_cors() -> Result<Cors, StartupError>;

    /// The policy of the process: what the last successful [`NamedPolicy::with_origins`]
    /// returned, if it was called, else [`NamedPolicy::try_cors`], or, on a bad value, the
    /// message on standard error and exit status 1. What `App::new().wrap(Api)`,
    /// `Api::scope(..)` and handlers with `#[cors(policy = Api)]` use, so that a bad value stops
    /// the process before it serves a request.
    fn cors() -> Cors {
        handed::get::<Self>()
            .unwrap_or_else(|| Self::try_cors().unwrap_or_else(|error| config::exit(&error)))
    }

    /// The policy with the origins of its `config("...")` entry taken from `origins` (read from
    /// the application's configuration with serde), checked with the rest of the policy. Call it
    /// once, in `main`, before the app is built, and wrap the value it returns.
    ///
    /// On success, the value also becomes the policy of the process: [`NamedPolicy::cors`],
    /// and with it `.wrap(Api)`, `Api::scope(..)` and every handler with
    /// `#[cors(policy = Api)]` registered afterwards, use it (the last successful call wins). An
    /// error changes nothing.
    fn with_origins(origins: &ConfiguredOrigins) -> Result<Cors, StartupError> {
        let cors = Cors::resolve_in(
            Self::NAME,
            Self::ENCODED,
            config::Env::Process,
            Some(origins),
        )?;
        handed::set::<Self>(cors);
        Ok(cors)
    }

    /// The policy resolved against the values `vars` gives for its `env("...")` sources instead
    /// of the process environment, and against `configured` for its `config("...")` source (if
    /// it has one), checked by the same checks as at start-up. For tests: unlike the process
    /// environment, which the policy reads once, it can be called with as many values as you
    /// like, and the result is only returned (the policy of the process,
    /// [`NamedPolicy::cors`], stays as it is). Each call builds a new policy, kept for the
    /// rest of the process: do not call it per request.
    ///
    /// `vars` is a closure `Fn(&str) -> Option<String>`, a `HashMap` or `BTreeMap` from names
    /// to values, or a list of `(name, value)` pairs ([`EnvLookup`]); a name it does not hold
    /// is an unset variable.
    ///
    /// ```
    /// use cors_runtime::{policy, NamedPolicy};
    ///
    /// #[policy(origins = env("APP_CORS_ORIGINS"), credentials)]
    /// struct Api;
    ///
    /// assert!(Api::resolve_with([("APP_CORS_ORIGINS", "https://app.example.com")], None).is_ok());
    /// let error = Api::resolve_with([("APP_CORS_ORIGINS", "https://app.example.com/")], None)
    ///     .expect_err("a trailing slash");
    /// assert!(error.to_string().contains("did you mean `\"https://app.example.com\"`?"));
    /// let unset = Api::resolve_with(|_: &str| None, None).expect_err("unset");
    /// assert!(unset.to_string().contains("`APP_CORS_ORIGINS` is not set"));
    /// ```
    fn resolve_with(
        vars: impl EnvLookup,
        configured: Option<&ConfiguredOrigins>,
    ) -> Result<Cors, StartupError> {
        Cors::resolve_in(
            Self::NAME,
            Self::ENCODED,
            config::Env::Given(&vars),
            configured,
        )
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

/// The policies of the process handed over by [`NamedPolicy::with_origins`], by type.
mod handed {
    use std::any::TypeId;
    use std::sync::Mutex;

    use crate::Cors;

    /// Few entries (one per named policy with configured origins): a list is enough.
    static HANDED: Mutex<Vec<(TypeId, Cors)>> = Mutex::new(Vec::new());

    fn handed() -> std::sync::MutexGuard<'static, Vec<(TypeId, Cors)>> {
        // The list is never left half-written: a panic elsewhere while it was held changes
        // nothing in it.
        HANDED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn get<P: ?Sized + 'static>() -> Option<Cors> {
        let id = TypeId::of::<P>();
        handed().iter().find(|(t, _)| *t == id).map(|(_, c)| *c)
    }

    pub(crate) fn set<P: ?Sized + 'static>(cors: Cors) {
        let id = TypeId::of::<P>();
        let mut handed = handed();
        match handed.iter_mut().find(|(t, _)| *t == id) {
            Some(entry) => entry.1 = cors,
            None => handed.push((id, cors)),
        }
    }
}

mod anchor;
mod compiled;
mod config;
mod cors;
pub mod events;
mod finding;
mod listing;
mod nesting;
mod origin_table;
mod policy_config;
mod preflight;
mod refusal;
mod reload;
mod response;
mod route_policy;

/// Items the code generated by `#[cors]` and `#[policy]` refers to. Not a public API: it changes
/// without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::route_policy::{RouteParts, RoutePolicy};

    use crate::{config, Cors, StartupError};

    /// What `#[policy]` declares besides [`NamedPolicy`](crate::NamedPolicy): the policy's name
    /// and its validated text. Implemented by the attribute only; as a supertrait of
    /// `NamedPolicy`, it seals it (an `impl NamedPolicy` by hand does not compile).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a policy declared with `#[policy(...)]`",
        label = "`NamedPolicy` is implemented by `#[policy(...)]` only",
        note = "declare the policy with `#[policy(origins = [...], ...)] struct {Self};`, which checks it when the program compiles"
    )]
    pub trait Sealed {
        /// The name the policy was declared with, for messages.
        const NAME: &'static str;

        /// The validated policy, in the text form the runtime decodes (`cors_policy::wire`).
        const ENCODED: &'static str;
    }

    /// Decodes a named policy's text and reads its origins from the process environment: what
    /// `NamedPolicy::try_cors` runs, once per process (the code `#[policy]` generates keeps the
    /// result in a `static`). Text this runtime cannot read, only possible with a `cors-macros`
    /// of another version, gives a policy that grants nothing, reported on standard error.
    pub fn resolve(name: &str, encoded: &'static str) -> Result<Cors, StartupError> {
        Cors::resolve_in(name, encoded, config::Env::Process, None)
    }
}
