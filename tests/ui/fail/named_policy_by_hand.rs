// `NamedPolicy` is sealed: only `#[policy(...)]` implements it, so that every named policy is one
// the attribute checked. An implementation by hand is refused.
use cors_runtime::{Cors, NamedPolicy, StartupError};

struct Unchecked;

impl NamedPolicy for Unchecked {
    fn try_cors() -> Result<Cors, StartupError> {
        unimplemented!()
    }
}

fn main() {}
