//! The runtime's integration tests, in one test binary (one link of actix-web instead of one per
//! suite). One module per concern; a new test goes into the module of the behaviour it checks:
//!
//! - [`conformance`]: the table-driven suite of `#[cors]` handlers: preflights and actual
//!   requests, status and exact CORS headers, whether the handler ran;
//! - [`actix_cors_port`]: actix-cors's own test suite, ported case by case;
//! - [`attacks`]: hostile `Origin` values against every kind of policy;
//! - [`nesting`]: named policies for an app or a scope, and which policy answers when they nest;
//! - [`routes`]: how a route's preflights are registered, `#[routes]`, a realistic app;
//! - [`configuration`]: origins and policies from the environment or configuration files, reloads,
//!   the guide's settings, the README's examples;
//! - [`model`]: property tests against the reference model (`tests/reference`), the nesting
//!   model, and the replay of the fuzz corpus.
//!
//! [`support`] is the table-driven harness (requests, expected outcomes, `run`), [`snapshot`] the
//! start-up message snapshots. Run one concern with a filter:
//! `cargo test -p cors-tests --test it configuration::`.
//!
//! Tests that share this process keep to what is theirs: environment variables and named policies
//! of their own (a named policy reads its variables once per process), counters in thread-locals
//! (`#[actix_web::test]` runs each test's app on its own thread). Suites that cannot share a
//! process with the others are separate binaries, listed with the reason in `tests/Cargo.toml`:
//! the `tracing` events (`observability`), the compile-time cases (`ui`) and the browser tests
//! (`browser`).

mod support;

mod snapshot;

mod actix_cors_port;
mod attacks;
mod configuration;
mod conformance;
mod model;
mod nesting;
mod routes;
