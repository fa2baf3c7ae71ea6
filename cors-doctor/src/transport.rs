//! What the browser model sends requests through: one outgoing request, how it can fail to be
//! answered, the [`Transport`] the command line and the testing API implement, the options and
//! the errors of a diagnosis.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde::Serialize;

use crate::*;

/// One HTTP request as the browser sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The method.
    pub method: String,
    /// The absolute http(s) URL.
    pub url: String,
    /// Header lines, in order (besides `Host`, `User-Agent`, `Content-Length`).
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
}

/// Why a request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// No connection at all (refused, unknown host): nothing to diagnose.
    Unreachable,
    /// The server accepted the connection, then closed or reset it without an answer.
    Dropped,
    /// No answer within the time limit.
    TimedOut,
}

/// A request that got no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoAnswer {
    /// What happened.
    pub kind: FailureKind,
    /// In words, from the transport.
    pub message: String,
}

/// Sends the browser's requests and returns the answers' status and headers.
pub trait Transport {
    /// Sends one request. 4xx and 5xx answers are answers (`Ok`); redirects are returned, not
    /// followed.
    fn send(&mut self, request: &Outgoing) -> impl Future<Output = Result<Response, NoAnswer>>;
}

/// What [`diagnose`] does besides the browser's own requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Send the first request again with a made-up origin and with `null` (for the warnings).
    pub probe: bool,
    /// When a preflight is refused without any grant, send variations of it and a plain GET
    /// to find what is refused.
    pub narrow: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            probe: true,
            narrow: true,
        }
    }
}

/// Why [`diagnose`] gives no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoctorError {
    /// The browser would not send this request at all.
    Plan(PlanError),
    /// The very first request reached no server.
    Unreachable(NoAnswer),
}

impl std::fmt::Display for DoctorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plan(e) => e.fmt(f),
            Self::Unreachable(e) => f.write_str(&e.message),
        }
    }
}

impl std::error::Error for DoctorError {}

/// Runs a future whose transport never waits on anything else (a blocking transport) to
/// completion on the current thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}
