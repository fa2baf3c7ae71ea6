//! Policies named like the type parameters of the code `#[policy]` generates.

use actix_web::App;
use cors_runtime::policy;

#[policy(origins = ["https://app.example.com"])]
struct B;

#[policy(origins = ["https://app.example.com"])]
struct S;

fn main() {
    let _ = App::new().wrap(B).wrap(S);
}
