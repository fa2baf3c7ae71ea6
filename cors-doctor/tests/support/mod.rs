//! Shared by the integration tests: a server on loopback, and the `cors-doctor` binary run
//! with `--json`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

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
