//! Policies whose values come from outside the code, checked when the app starts.
//!
//! - [`configured_origins`]: origins from the environment and configuration files (`env("VAR")`,
//!   `config("key")`) in `#[policy]` and `#[cors]`;
//! - [`configured_policy`]: a whole policy from settings or the environment (`PolicyConfig`,
//!   `Cors::from_config`);
//! - [`reload`]: a configured policy replaced while the server runs (`Reloader`);
//! - [`readme`]: the guide's settings file and variables make the policy it shows.

mod configured_origins;
mod configured_policy;
mod readme;
mod reload;
