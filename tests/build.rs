//! Every `rust` block of the README becomes a doctest of this crate (compiled, not run: the
//! examples start servers), so that the README's examples cannot drift from the API.
//! `src/lib.rs` includes what this writes.

use std::fmt::Write as _;

fn main() {
    let readme_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    println!("cargo:rerun-if-changed={readme_path}");
    let readme = std::fs::read_to_string(readme_path).unwrap_or_default();
    let mut out = String::from("The README's examples, each compiled as a doctest.\n");
    let mut block: Option<String> = None;
    for (n, line) in readme.lines().enumerate() {
        if let Some(code) = block.as_mut() {
            if line.starts_with("```") {
                let _ = write!(out, "\nREADME.md line {n}:\n\n```rust,no_run\n{code}```\n");
                block = None;
            } else {
                code.push_str(line);
                code.push('\n');
            }
        } else if line.trim_end() == "```rust" {
            block = Some(String::new());
        }
    }
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default())
        .join("readme_checked.md");
    if let Err(error) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {error}", dest.display());
    }
}
