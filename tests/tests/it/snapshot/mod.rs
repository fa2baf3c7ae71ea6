//! Start-up messages compared with snapshots in `tests/startup/*.txt`, shared by the test files
//! that check them. Regenerate with `CORS_SNAPSHOTS=overwrite` and read the diff.

use std::path::Path;

/// Compares `text` with the snapshot `tests/startup/{name}.txt`.
pub fn snapshot(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("startup")
        .join(format!("{name}.txt"));
    if std::env::var_os("CORS_SNAPSHOTS").is_some_and(|v| v == "overwrite") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("snapshot directory");
        std::fs::write(&path, text).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with CORS_SNAPSHOTS=overwrite",
            path.display()
        )
    });
    assert_eq!(text, expected, "snapshot {name} differs");
}
