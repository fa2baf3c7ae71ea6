//! The documentation's configuration examples, read from the documentation itself: the `toml`
//! and `sh` blocks of the checked section of the guide (`cors-runtime/GUIDE.md`, the crate
//! documentation of cors-runtime) make a valid policy, the same one, and the start-up message it
//! shows is the one printed. The README's compile error is a UI snapshot, and every Rust block of
//! the README is compiled (as a doctest of this crate: see `build.rs`); the guide's are doctests
//! of cors-runtime.

use cors_runtime::{Cors, PolicyConfig};

const GUIDE: &str = include_str!("../../../../cors-runtime/GUIDE.md");
const README: &str = include_str!("../../../../README.md");

/// The fenced blocks with info string `lang` inside the guide's checked section.
fn blocks(lang: &str) -> Vec<String> {
    fenced(GUIDE, lang, true)
}

/// The fenced blocks of `text` with info string `lang`; only those between
/// `<!-- checked:start` and `<!-- checked:end -->` when `checked_only`.
fn fenced(text: &str, lang: &str, checked_only: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut checked = !checked_only;
    let mut block: Option<String> = None;
    for line in text.lines() {
        if checked_only && line.starts_with("<!-- checked:start") {
            checked = true;
        } else if checked_only && line.starts_with("<!-- checked:end") {
            checked = false;
        } else if let Some(code) = block.as_mut() {
            if line.starts_with("```") {
                out.push(std::mem::take(code));
                block = None;
            } else {
                code.push_str(line);
                code.push('\n');
            }
        } else if checked && line.trim_end() == format!("```{lang}") {
            block = Some(String::new());
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Settings {
    cors: PolicyConfig,
}

#[test]
fn the_guide_settings_file_and_variables_make_the_same_valid_policy() {
    same_policy_from_file_and_variables(GUIDE, 6);
}

#[test]
fn the_readme_settings_file_and_variables_make_the_same_valid_policy() {
    same_policy_from_file_and_variables(README, 4);
}

/// The `toml` and `sh` blocks of `doc`'s checked section make a valid policy, the same one,
/// with `keys` keys.
fn same_policy_from_file_and_variables(doc: &str, keys: usize) {
    let toml_blocks = fenced(doc, "toml", true);
    assert_eq!(toml_blocks.len(), 1, "one settings file");
    let settings: Settings = toml::from_str(&toml_blocks[0]).expect("the documented TOML");
    let from_file = Cors::from_config("cors", &settings.cors).expect("a valid policy");
    let sh = fenced(doc, "sh", true);
    assert_eq!(sh.len(), 1, "one environment");
    let vars: Vec<(String, String)> = sh[0]
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(vars.len(), keys, "{vars:?}");

    let from_env = Cors::from_config("cors", &PolicyConfig::from_env_with("APP_CORS", vars))
        .expect("a valid policy");
    let view = |cors: Cors| {
        let listing = listing_of(cors);
        let policy = listing.policies[0].policy.clone();
        (
            // The origins without where each came from, which differs.
            policy
                .origins
                .into_iter()
                .map(|entry| entry.origin)
                .collect::<Vec<_>>(),
            policy.allow_methods,
            policy.credentials,
            policy.allow_headers,
            policy.expose_headers,
            policy.max_age,
        )
    };
    assert_eq!(view(from_file), view(from_env));
}

/// The listing of an app wrapped in `cors`.
fn listing_of(cors: Cors) -> cors_runtime::Listing {
    actix_web::rt::System::new()
        .block_on(cors_runtime::Listing::of_app(
            actix_web::App::new().wrap(cors),
        ))
        .expect("a listing")
}

#[test]
fn the_guide_start_up_message_is_the_one_printed() {
    let text = blocks("text")
        .into_iter()
        .find(|b| b.contains("errors in its configuration"))
        .expect("the guide shows a start-up message");
    let file: Settings = toml::from_str(
        "[cors]\norigins = [\"https://app.example.com\"]\nallowed_methods = [\"PUT\"]\ncredentials = true\nmax_age = 100000\n",
    )
    .expect("toml");
    let config = file
        .cors
        .with_env_overrides_from("APP_CORS", [("APP_CORS_ORIGINS", "*")]);
    let error = Cors::from_config("cors", &config).expect_err("four errors");
    assert_eq!(format!("error: {error}\n"), text);
}

#[test]
fn the_readme_compile_error_is_a_ui_snapshot() {
    let text = fenced(README, "text", false)
        .into_iter()
        .find(|b| b.starts_with("error: "))
        .expect("the README shows a compile error");
    let snapshot = include_str!("../../../ui/fail/origin_trailing_slash.stderr");
    assert_eq!(text.trim_end(), snapshot.trim_end());
}

#[test]
fn every_rust_block_of_the_readme_is_compiled() {
    // build.rs compiles the blocks fenced exactly "```rust"; any other Rust fence would be
    // left out, and a README without one would check nothing.
    let rust_fences: Vec<&str> = README
        .lines()
        .filter(|line| line.starts_with("```rust") || line.starts_with("```rs"))
        .collect();
    assert!(!rust_fences.is_empty(), "the README has an example");
    assert!(
        rust_fences.iter().all(|line| line.trim_end() == "```rust"),
        "{rust_fences:?}"
    );
    assert_eq!(rust_fences.len(), fenced(README, "rust", false).len());
}
