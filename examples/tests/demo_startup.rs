//! The demo reads extra allowed origins from `CORS_DEMO_ORIGINS`, checked when it starts: a bad
//! value stops it before it binds a port or serves a request, with the full message.

use std::process::Command;

#[test]
fn a_bad_origin_stops_the_demo_before_it_serves() {
    let output = Command::new(env!("CARGO_BIN_EXE_demo"))
        .env("CORS_DEMO_ORIGINS", "http://127.0.0.1:3001/")
        .env("RUST_LOG", "off")
        .output()
        .expect("the demo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}\nstdout: {stdout}");
    for expected in [
        "the CORS policy `DemoApi` cannot start: 1 error in its origins",
        "origin has a trailing `/`",
        "--> entry 1 of environment variable `CORS_DEMO_ORIGINS`: \"http://127.0.0.1:3001/\"",
        "did you mean `\"http://127.0.0.1:3001\"`?",
        "rule: cors::origin-syntax",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    // Nothing was served: the banner (printed once every port is bound) never appeared.
    assert!(!stdout.contains("three servers"), "{stdout}");
}
