// Malformed arguments of `env(...)` and `config(...)`: each is reported at the argument at
// fault, with the form expected, all at once.
use cors_runtime::policy;

#[policy(origins = [
    env("APP_A", default = 5),
    env(APP_B),
    env("APP_C", dflt = "https://app.example.com"),
    env("APP_D", default = "https://a.example.com", default = "https://b.example.com"),
    env("APP_E", "https://app.example.com"),
    env(),
])]
pub struct BadEnv;

#[policy(origins = [config("a", "b"), config(5), config()])]
pub struct BadConfig;

fn main() {}
