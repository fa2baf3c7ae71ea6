//! Every `rust` block of the README and of `docs/*.md` becomes a doctest of this crate
//! (compiled, not run: the examples start servers), so that their examples cannot drift from the
//! API. `src/lib.rs` includes what this writes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![root.join("README.md")];
    let docs = root.join("docs");
    println!("cargo:rerun-if-changed={}", docs.display());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    files.extend(pages);
    let mut out = String::from("The README's and docs/'s examples, each compiled as a doctest.\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.strip_prefix(&root).unwrap_or(file).display();
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mut block: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            if let Some(code) = block.as_mut() {
                if line.starts_with("```") {
                    let _ = write!(out, "\n{name} line {n}:\n\n```rust,no_run\n{code}```\n");
                    block = None;
                } else {
                    code.push_str(line);
                    code.push('\n');
                }
            } else if line.trim_end() == "```rust" {
                block = Some(String::new());
            }
        }
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("readme_checked.md");
    if let Err(error) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {error}", dest.display());
    }
}
