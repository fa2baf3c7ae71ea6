//! Shared by the integration tests: a server on loopback, and the `cors-doctor` binary run
//! with `--json`.

#![allow(dead_code)]

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer};
use serde_json::Value;

/// Starts `app` on `127.0.0.1:<ephemeral>` on its own thread (for the life of the test
/// process) and returns its address.
pub fn serve<F, T, B>(app: F) -> SocketAddr
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = match HttpServer::new(app)
                .workers(1)
                .disable_signals()
                .bind(("127.0.0.1", 0))
            {
                Ok(server) => server,
                Err(e) => panic!("bind 127.0.0.1: {e}"),
            };
            let addr = server.addrs()[0];
            let running = server.run();
            let _ = tx.send(addr);
            let _ = running.await;
        });
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(addr) => addr,
        Err(e) => panic!("server did not start: {e}"),
    }
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// The `--json` report (`Null` when the run printed none).
    pub report: Value,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// `report.verdict`.
    pub fn verdict(&self) -> &str {
        self.report["verdict"].as_str().unwrap_or("(none)")
    }

    /// `report.failed_check`.
    pub fn failed_check(&self) -> Option<&str> {
        self.report["failed_check"].as_str()
    }

    /// The step (`preflight`/`actual`) holding the first failed check.
    pub fn failed_step(&self) -> Option<&str> {
        self.report["steps"].as_array()?.iter().find_map(|s| {
            s["checks"]
                .as_array()?
                .iter()
                .any(|c| c["passed"] == false)
                .then(|| s["kind"].as_str())?
        })
    }

    /// The warning identifiers, in order.
    pub fn warnings(&self) -> Vec<&str> {
        self.report["warnings"]
            .as_array()
            .map(|w| w.iter().filter_map(|w| w["id"].as_str()).collect())
            .unwrap_or_default()
    }

    /// `report.refusal.id`.
    pub fn refusal(&self) -> Option<&str> {
        self.report["refusal"]["id"].as_str()
    }

    /// `report.browser_message`.
    pub fn browser_message(&self) -> &str {
        self.report["browser_message"].as_str().unwrap_or("")
    }
}

/// Runs `cors-doctor --json ARGS`.
pub fn doctor(args: &[&str]) -> Run {
    let output = match Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .arg("--json")
        .args(args)
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!("cannot run cors-doctor: {e}"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    Run {
        code: output.status.code().unwrap_or(-1),
        report: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

// --- Chromium ---------------------------------------------------------------------------------

pub fn find_chromium() -> Option<PathBuf> {
    if let Some(configured) = env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        let configured = PathBuf::from(configured);
        return configured.is_file().then_some(configured);
    }
    let debian = Path::new("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian.to_owned());
    }
    env::var_os("PATH").and_then(|path| {
        env::split_paths(&path)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    })
}

/// The part of a CORS console message after "blocked by CORS policy: ", and the `case` of its
/// URL.
pub fn reason_of(message: &str) -> Option<(String, String)> {
    let (head, reason) = message.split_once("has been blocked by CORS policy: ")?;
    let case = head.split_once("?case=")?.1.split('\'').next()?.to_owned();
    let reason = reason.split("\", source:").next()?.trim_end_matches('"');
    Some((case, reason.to_owned()))
}

/// Runs headless Chromium on `url` and returns the results JSON the page wrote and the CORS
/// messages of its console, by `case`.
pub fn run_page(chromium: &Path, label: &str, url: &str) -> (Value, Vec<(String, String)>) {
    let profile = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("doctor-chromium-{label}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&profile);
    fs::create_dir_all(&profile).expect("create the Chromium profile directory");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-proxy-server",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--virtual-time-budget=15000")
        // The console, CORS messages included, on stderr.
        .arg("--enable-logging=stderr")
        .arg("--v=0")
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            let _ = tx.send(String::from_utf8_lossy(&out).into_owned());
        });
        rx
    };
    let rx = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let rx_err = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        if Instant::now() >= deadline {
            // Only the process this test started, by its id.
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let dom = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    let log = rx_err
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_default();
    let messages = log.lines().filter_map(reason_of).collect();
    let _ = fs::remove_dir_all(&profile);
    let start = dom
        .find("<pre id=\"results\">")
        .map(|i| i + "<pre id=\"results\">".len());
    let text = start
        .and_then(|s| dom[s..].find("</pre>").map(|e| &dom[s..s + e]))
        .unwrap_or_default()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let results = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("no results from Chromium ({label}, {url}): {e}\n{dom}"));
    (results, messages)
}
