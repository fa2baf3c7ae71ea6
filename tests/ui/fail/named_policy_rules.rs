// A named policy is checked by the same rules as `#[cors]`, at the same tokens; only the rules
// about a route do not apply (there is none: `methods` lists what preflights may ask for).
use cors_runtime::policy;

#[policy(origins = ["https://app.example.com/", "*"], credentials, methods = ["put", "TRACE"], max_age = 90000)]
pub struct Api;

fn main() {}
