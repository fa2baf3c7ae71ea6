//! The README's configuration examples, read from the README itself: the `toml` and `sh` blocks
//! of its checked sections make a valid policy, the same one, and the start-up message it shows
//! is the one printed. (Its `rust` blocks are compiled as doctests: see `build.rs`.)

use cors_runtime::{Cors, PolicyConfig};

/// The fenced blocks with info string `lang` inside the README's checked sections.
fn blocks(lang: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let mut out = Vec::new();
    let mut checked = false;
    let mut block: Option<String> = None;
    for line in readme.lines() {
        if line.starts_with("<!-- readme-checked:start") {
            checked = true;
        } else if line.starts_with("<!-- readme-checked:end") {
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
fn the_readme_settings_file_and_variables_make_the_same_valid_policy() {
    let toml_blocks = blocks("toml");
    assert_eq!(toml_blocks.len(), 1, "one settings file");
    let settings: Settings = toml::from_str(&toml_blocks[0]).expect("the README's TOML");
    let from_file = Cors::from_config("cors", &settings.cors).expect("a valid policy");
    let sh = blocks("sh");
    assert_eq!(sh.len(), 1, "one environment");
    let vars: Vec<(String, String)> = sh[0]
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(vars.len(), 6, "{vars:?}");
    let from_env = Cors::from_config("cors", &PolicyConfig::from_env_with("APP_CORS", vars))
        .expect("a valid policy");
    let view = |cors: Cors| {
        let listing = listing_of(cors);
        let mut policy = listing.policies[0].policy.clone();
        for origin in &mut policy.origins {
            origin.source = cors_runtime::Source::Literal;
        }
        (
            policy.origins,
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
fn the_readme_start_up_message_is_the_one_printed() {
    let text = blocks("text")
        .into_iter()
        .find(|b| b.contains("errors in its configuration"))
        .expect("the README shows a start-up message");
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
