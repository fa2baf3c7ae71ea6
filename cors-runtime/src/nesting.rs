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
//! - **What is inside.** actix-web builds every service of an app, depth first, on the worker's
//!   thread, before it builds the middleware around them. Each `#[cors]` route counts itself
//!   into a thread-local tally when it registers; each app- or scope-wide layer takes the tally
//!   when it is built (so it knows whether anything inside may claim a request) and leaves one
//!   claim, itself, for the layers around it. The tally over-approximates (a scope also counts
//!   routes registered outside it), which only ever makes a layer route a preflight it could
//!   have answered at once.

use std::cell::Cell;

use actix_web::dev::ServiceRequest;
use actix_web::{HttpMessage, HttpRequest};

thread_local! {
    static CLAIMS: Cell<usize> = const { Cell::new(0) };
    /// App- and scope-wide layers built on this thread. While there are none, a `#[cors]` route
    /// has nobody to tell; while there is one, it has nothing outside it.
    static LAYERS: Cell<usize> = const { Cell::new(0) };
}

/// A `#[cors]` route registers: a claim for the app- or scope-wide layers around it.
pub(crate) fn claim() {
    CLAIMS.with(|c| c.set(c.get().saturating_add(1)));
}

/// An app- or scope-wide layer is built: `true` when anything built before it on this thread
/// may be inside it. It leaves itself as the one claim for the layers around it.
pub(crate) fn take_inner_claims() -> bool {
    LAYERS.with(|l| l.set(l.get().saturating_add(1)));
    CLAIMS.with(|c| c.replace(1)) > 0
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
