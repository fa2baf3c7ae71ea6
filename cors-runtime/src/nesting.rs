//! How nested CORS layers agree that the innermost one decides: an app-wide policy, a scope's,
//! and a handler's own `#[cors]` can all see one request, and its answer must carry one set of
//! CORS headers, the innermost policy's.
//!
//! - **Actual requests.** Every layer decides on the way in, as usual. On the way in, a layer
//!   that may have another inside it records its depth in the request's extensions; on the way
//!   out, it applies its headers only if no deeper layer saw the request. A layer that knows it
//!   has nothing inside it and nothing outside it (the common case: one app-wide policy) skips
//!   this altogether. Errors, which have no request on the way out, carry an [`Applied`] mark on
//!   their response instead: the first (innermost) layer's response mapper applies and marks,
//!   the others see the mark.
//! - **Preflights.** A layer with nothing inside it answers before routing. One with something
//!   inside it routes the preflight first: an inner layer that answers marks the request with
//!   [`PreflightAnswered`], and if none did, this layer answers instead of whatever routing
//!   produced (a 404 or 405). See `Cors` for what that means for handlers of your own.
//! - **What is inside.** A layer learns it at the first request it sees, from the app itself:
//!   the `#[cors]` routes registered on its thread whose preflight resources (named
//!   `__cors_preflight_<n>`) the app's resource map holds, and the scope-wide layers built on its
//!   thread; a layer around another sees it in the type of the service it wraps. (actix-web may
//!   register several apps on a thread, one per listener, before it builds any of their
//!   middleware, so nothing counted at build time could tell them apart.) This
//!   over-approximates (a scope counts the whole app's routes), which only ever makes a layer
//!   route a preflight it could have answered at once.

use std::cell::Cell;

use actix_web::dev::ServiceRequest;
use actix_web::{HttpMessage, HttpRequest};

thread_local! {
    /// App- and scope-wide layers built on this thread. While there are none, a `#[cors]` route
    /// has nobody to tell; while there is one, it has nothing outside it.
    static LAYERS: Cell<usize> = const { Cell::new(0) };
}

/// An app- or scope-wide layer is built around a service of type `S`. Returns `true` when that
/// service is known to hold another layer (`.wrap(A).wrap(B)`: B sees A in its type); whether
/// `#[cors]` routes or scope-wide layers are inside is learnt from the app itself, at the first
/// request (`crate::listing::app_has_claims`), since actix-web may register several apps on a
/// thread (one per listener) before it builds any of their middleware.
pub(crate) fn layer_built<S>() -> bool {
    LAYERS.with(|l| l.set(l.get().saturating_add(1)));
    std::any::type_name::<S>().contains("CorsMiddleware")
}

/// The depth of the innermost CORS layer a request has gone through.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Depth(u16);

/// Set on a preflight that a CORS layer answered.
struct PreflightAnswered;

/// Set on an error response whose CORS headers a layer has applied.
pub(crate) struct Applied;

/// On the way in. Returns this layer's depth when nesting is in play (a layer outside it, or
/// `has_inner`), `None` when this layer is the only one. `is_layer`: this is an app- or
/// scope-wide layer (counted in `LAYERS`), not a route. When no other layer was built on this
/// thread, nothing can be outside, and the request's extensions are not even looked at: a
/// `#[cors]` route in an app without app- or scope-wide policies pays one thread-local read.
#[inline]
pub(crate) fn enter(req: &ServiceRequest, has_inner: bool, is_layer: bool) -> Option<u16> {
    if !has_inner && LAYERS.with(Cell::get) <= usize::from(is_layer) {
        return None;
    }
    let outer = req.extensions().get::<Depth>().map(|d| d.0);
    if outer.is_none() && !has_inner {
        return None;
    }
    let depth = outer.unwrap_or(0).saturating_add(1);
    req.extensions_mut().insert(Depth(depth));
    Some(depth)
}

/// On the way out: `true` when the layer at `depth` is the innermost the request went through.
#[inline]
pub(crate) fn is_innermost(req: &HttpRequest, depth: Option<u16>) -> bool {
    match depth {
        None => true,
        Some(depth) => req.extensions().get::<Depth>().is_none_or(|d| d.0 == depth),
    }
}

/// A layer answers a preflight: the layers around it keep its answer. Free when there are none.
#[inline]
pub(crate) fn answered(req: &ServiceRequest) {
    if LAYERS.with(Cell::get) > 0 && req.extensions().contains::<Depth>() {
        req.extensions_mut().insert(PreflightAnswered);
    }
}

/// A layer answers a preflight in place of what routing produced: the layers around it keep
/// its answer.
pub(crate) fn answered_instead(req: &HttpRequest) {
    req.extensions_mut().insert(PreflightAnswered);
}

/// `true` when a layer inside answered the preflight.
pub(crate) fn was_answered(req: &HttpRequest) -> bool {
    req.extensions().contains::<PreflightAnswered>()
}
