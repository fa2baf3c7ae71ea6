//! The listing of every CORS policy an application registers, like a route list: [`Listing`],
//! its rows and views, the registry of `.wrap` layers, and its text and JSON forms.

mod build;
mod registry;
mod render;
mod view;

pub(crate) use registry::Layer;
pub use view::{Declared, KeySources, ListedPolicy, Listing, OriginEntry, PolicyView};
