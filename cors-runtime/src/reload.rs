//! A policy from configuration that can be replaced while the server runs: [`Reloader`], made
//! with the middleware by [`Cors::reloadable_from_config`].
//!
//! The layer holds its policy as [`Held`]: a fixed policy is a `&'static` reference, read with
//! no atomic at all; a reloadable one is an [`ArcSwap`]. Each worker's middleware keeps the
//! version it answered its last request with ([`Latest`]) and checks it against the one in
//! force with one relaxed atomic load per request; the version goes into a [`Snapshot`] that
//! answers the whole request (its preflight decision and headers, or its grant and the headers
//! of its response), so that no request mixes two versions.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;
use std::sync::Arc;

use arc_swap::{ArcSwap, Cache};

use crate::compiled::Compiled;
use crate::config::StartupError;
use crate::{Cors, PolicyConfig};

/// How a [`Cors`] layer holds its policy.
#[derive(Clone, Copy)]
pub(crate) enum Held {
    /// Fixed for the life of the process: no atomic on the request path.
    Fixed(&'static Compiled),
    /// Replaceable by a [`Reloader`]: one load per request.
    Reloadable(&'static ArcSwap<Compiled>),
}

impl fmt::Debug for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Held::Fixed(policy) => f.debug_tuple("Fixed").field(policy).finish(),
            Held::Reloadable(current) => {
                f.debug_tuple("Reloadable").field(&current.load()).finish()
            }
        }
    }
}

/// How one worker's middleware reads its policy on the request path.
pub(crate) enum Current {
    /// Fixed: no atomic.
    Fixed(&'static Compiled),
    /// Reloadable: the version in force, cached per worker.
    Reloadable(Latest),
}

impl Current {
    /// How a worker's middleware reads `held`.
    pub(crate) fn of(held: Held) -> Self {
        match held {
            Held::Fixed(policy) => Current::Fixed(policy),
            Held::Reloadable(current) => Current::Reloadable(Latest::new(current)),
        }
    }
}

/// A worker's copy of a reloadable policy: the version in force when it last looked, and the
/// same version as a [`Snapshot`] can hold it without an atomic reference count.
///
/// [`Latest::load`] costs one relaxed atomic load (arc-swap's [`Cache`]) and a pointer
/// comparison while nothing is reloaded. After a reload, the old version stays alive until
/// each worker's next request through the layer (and the requests under way that started with
/// it) let go of it.
pub(crate) struct Latest {
    current: &'static ArcSwap<Compiled>,
    cached: RefCell<Cached>,
}

/// [`Latest`]'s cache: arc-swap's, and the same version shared within the worker.
struct Cached {
    cache: Cache<&'static ArcSwap<Compiled>, Arc<Compiled>>,
    version: Rc<Version>,
}

/// One version of a reloadable policy, shared by a worker's requests with a plain (not atomic)
/// reference count.
pub struct Version(Arc<Compiled>);

impl Deref for Version {
    type Target = Compiled;

    #[inline]
    fn deref(&self) -> &Compiled {
        &self.0
    }
}

impl Latest {
    fn new(current: &'static ArcSwap<Compiled>) -> Self {
        Self {
            current,
            cached: RefCell::new(Cached {
                cache: Cache::new(current),
                version: Rc::new(Version(current.load_full())),
            }),
        }
    }

    /// The version in force now.
    #[inline]
    pub(crate) fn load(&self) -> Rc<Version> {
        // `call` is never re-entered on one worker's service, so the cell is free; if it ever
        // were not, the version is read without the cache rather than failing the request.
        let Ok(mut cached) = self.cached.try_borrow_mut() else {
            return Rc::new(Version(self.current.load_full()));
        };
        let Cached { cache, version } = &mut *cached;
        let now = cache.load();
        if !Arc::ptr_eq(now, &version.0) {
            *version = Rc::new(Version(Arc::clone(now)));
        }
        Rc::clone(version)
    }
}

/// The policy one request is answered by, from its arrival to its response (public only as a
/// parameter of the middleware's future type; not reachable from outside the crate).
#[derive(Clone)]
pub enum Snapshot {
    /// A fixed policy.
    Fixed(&'static Compiled),
    /// The version of a reloadable policy in force when the request arrived.
    Shared(Rc<Version>),
}

impl Deref for Snapshot {
    type Target = Compiled;

    #[inline]
    fn deref(&self) -> &Compiled {
        match self {
            Snapshot::Fixed(policy) => policy,
            Snapshot::Shared(version) => version,
        }
    }
}

/// Replaces the policy of the middleware made with it by [`Cors::reloadable_from_config`],
/// while the server runs: every request that arrives after [`Reloader::reload`] returns is
/// answered by the new policy, every request already under way finishes with the one it
/// started with (no request mixes the two). It is `Clone`, `Send` and `Sync`: keep it where the
/// new settings arrive (a signal handler's task, an admin endpoint, a file watcher).
#[derive(Clone)]
pub struct Reloader {
    /// The configuration key the policy is read under, for the messages.
    key: Arc<str>,
    current: &'static ArcSwap<Compiled>,
}

impl Reloader {
    /// Checks `config` by the same rules as [`Cors::from_config`] and, if it is valid, puts it in
    /// force for every worker. On any error, every finding is returned at once and the policy in
    /// force is kept. Warnings are reported as when the app started (`warn` events).
    ///
    /// ```
    /// use cors_runtime::{Cors, PolicyConfig};
    ///
    /// let config = |origins: &str| PolicyConfig::from_env_with("CORS", [("CORS_ORIGINS", origins)]);
    /// let (cors, reloader) = Cors::reloadable_from_config("cors", &config("https://a.example"))
    ///     .expect("a valid policy");
    /// // `App::new().wrap(cors)`, in `HttpServer::new`; later, from any thread:
    /// reloader.reload(&config("https://b.example")).expect("a valid policy");
    /// assert!(reloader.reload(&config("not an origin")).is_err()); // b.example stays in force
    /// # let _ = cors;
    /// ```
    pub fn reload(&self, config: &PolicyConfig) -> Result<(), StartupError> {
        let (compiled, _model) = config.compile(&self.key)?;
        self.current.store(Arc::new(compiled));
        Ok(())
    }

    /// The configuration key the policy is read under (as given when it was made).
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Debug for Reloader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reloader")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Cors {
    /// [`Cors::from_config`], for a policy that can be replaced while the server runs: the
    /// middleware, and the [`Reloader`] that replaces its policy. Errors are those of
    /// [`Cors::from_config`].
    ///
    /// What reloads: the layers made from the returned [`Cors`] with `.wrap`
    /// (`App::new().wrap(cors)`, `web::scope(..).wrap(cors)`), in every worker, and their rows
    /// of the policy listing. Requests pay one `arc-swap` load of the policy in force (a few
    /// uncontended atomic operations on a slot of the worker's thread), and an actual request,
    /// whose response is decided after the handler, one reference count increment and
    /// decrement to keep its version until then; a policy that is not reloadable pays nothing.
    /// Each reload keeps the header text of a version whose methods, headers or max age were
    /// never in force before (a few hundred bytes), as a policy written in `#[policy(...)]`
    /// does; versions that differ only in their origins keep nothing.
    ///
    /// ```
    /// use actix_web::{App, HttpServer};
    /// use cors_runtime::{Cors, PolicyConfig};
    ///
    /// # async fn run(config: PolicyConfig) -> std::io::Result<()> {
    /// let (cors, reloader) = Cors::reloadable_from_config("cors", &config)
    ///     .map_err(std::io::Error::other)?;
    /// let server = HttpServer::new(move || App::new().wrap(cors))
    ///     .bind(("127.0.0.1", 8080))?
    ///     .run();
    /// // Hand `reloader` to whatever learns of new settings: `reloader.reload(&new_config)`.
    /// # let _ = reloader;
    /// server.await
    /// # }
    /// ```
    pub fn reloadable_from_config(
        key: &str,
        config: &PolicyConfig,
    ) -> Result<(Cors, Reloader), StartupError> {
        let (compiled, model) = config.compile(key)?;
        // Once per reloadable policy, when the app starts: as good as a `static`.
        let current: &'static ArcSwap<Compiled> =
            Box::leak(Box::new(ArcSwap::from_pointee(compiled)));
        let reloader = Reloader {
            key: Arc::from(key),
            current,
        };
        Ok((Cors::reloadable(current, model), reloader))
    }
}
