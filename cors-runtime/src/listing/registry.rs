//! The registry of the `.wrap` layers of this thread: a layer has no place in the app's
//! resource map, so each is placed in its app by the first request it sees.

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};

use actix_web::dev::ServiceRequest;

thread_local! {
    /// The `.wrap` layers of this thread, each placed in its app by the first request it sees.
    pub(super) static LAYERS: RefCell<Vec<Weak<LayerEntry>>> = const { RefCell::new(Vec::new()) };
}

/// An app- or scope-wide layer's registration, held by its middleware.
pub(super) struct LayerEntry {
    /// The policy in force (reloadable or not).
    pub(super) policy: crate::reload::Held,
    /// Declared with `Api::scope`: listed through its anchor instead.
    pub(super) declared: bool,
    /// The app (its resource map's address), whether the layer stands at the app's root, and
    /// the path matched before it: from the first request the layer sees.
    pub(super) mount: OnceCell<(usize, bool, String)>,
    /// The layer's fail-closed flag.
    conflict: Rc<Cell<bool>>,
}

/// The listing handle of a [`crate::Cors`] layer.
pub(crate) struct Layer(Rc<LayerEntry>);

impl Layer {
    /// Records a layer when it is built.
    pub(crate) fn built(
        policy: crate::reload::Held,
        declared: bool,
        conflict: Rc<Cell<bool>>,
    ) -> Self {
        let entry = Rc::new(LayerEntry {
            policy,
            declared,
            mount: OnceCell::new(),
            conflict,
        });
        let _ = LAYERS.try_with(|r| {
            let mut r = r.borrow_mut();
            r.retain(|w| w.strong_count() > 0);
            r.push(Rc::downgrade(&entry));
        });
        Self(entry)
    }

    /// The first request reaches a `.wrap` layer: it tells the layer which app it is in, and
    /// what path was matched before it (none at the app's root). Returns `true` when the layer
    /// stands inside another `.wrap` layer of the same app that cannot see it: a second one at
    /// the app's root, or this one on a scope or resource under an app-wide one. That one is
    /// set to fail closed (the caller sets its own flag). The first request that reaches this
    /// layer has reached every layer outside it, so they are all recorded by now.
    pub(crate) fn mounted(&self, req: &ServiceRequest, root: bool) -> bool {
        let path = req.match_info().as_str();
        let rest = req.match_info().unprocessed();
        let prefix = path
            .get(..path.len().saturating_sub(rest.len()))
            .unwrap_or("")
            .to_owned();
        let app = req.resource_map() as *const _ as usize;
        let _ = self.0.mount.set((app, root, prefix));
        LAYERS
            .try_with(|r| {
                let mut found = false;
                for other in r.borrow().iter().filter_map(Weak::upgrade) {
                    let outside = !Rc::ptr_eq(&other, &self.0)
                        && !other.declared
                        && other.mount.get().is_some_and(|(a, r, _)| *a == app && *r);
                    if outside {
                        other.conflict.set(true);
                        found = true;
                    }
                }
                found
            })
            .unwrap_or(false)
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("declared", &self.0.declared)
            .finish_non_exhaustive()
    }
}
