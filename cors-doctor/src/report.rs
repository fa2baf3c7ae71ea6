//! Reports: the steps, the probes, the verdict and the warnings of one diagnosis, as printed and as `--json`.

use serde::Serialize;

use crate::*;

/// Which request a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// The CORS preflight (`OPTIONS`).
    Preflight,
    /// The request the page asked for.
    Actual,
}

/// The status and CORS-relevant header lines of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// `Access-Control-*`, `Vary` and `Location` lines, as received.
    pub headers: Vec<(String, String)>,
}

impl From<&Response> for Answer {
    fn from(response: &Response) -> Self {
        Answer {
            status: response.status,
            headers: response.cors_headers(),
        }
    }
}

/// One request the browser sends, its answer and the checks applied to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Preflight or actual request.
    pub kind: StepKind,
    /// The method sent.
    pub method: String,
    /// The URL requested (the page's URL, or where a redirect led).
    pub url: String,
    /// The headers sent (besides `Host`, `User-Agent`...).
    pub request_headers: Vec<(String, String)>,
    /// The answer (`None` when the connection was closed, reset or timed out without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The browser's checks, in order, up to the first failure.
    pub checks: Vec<Check>,
    /// Response header names the page can read (actual request only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readable_headers: Option<Vec<String>>,
}

/// A request sent with another origin to see how the server treats it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// The origin sent.
    pub origin: String,
    /// The method of the request (`OPTIONS` for a preflight).
    pub method: String,
    /// The answer.
    pub answer: Option<Answer>,
    /// Why there is no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything `cors-doctor` found, as printed and as `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What the page asked for.
    pub request: PageRequest,
    /// What the browser makes of it.
    pub plan: Plan,
    /// The requests sent, in order.
    pub steps: Vec<Step>,
    /// The conclusion.
    pub verdict: Verdict,
    /// The first failed check.
    pub failed_check: Option<CheckId>,
    /// Chromium's console message for it.
    pub browser_message: Option<String>,
    /// Risky grants seen.
    pub warnings: Vec<Warning>,
    /// The probes sent.
    pub probes: Vec<Probe>,
    /// What a refused preflight refuses, from the variations sent.
    pub refusal: Option<Refusal>,
}

impl Report {
    /// Puts a report together: verdict, first failure and its console message.
    pub fn new(
        request: PageRequest,
        plan: Plan,
        steps: Vec<Step>,
        warnings: Vec<Warning>,
        probes: Vec<Probe>,
    ) -> Self {
        let verdict = verdict(steps.iter().map(|s| s.checks.as_slice()));
        let first = steps
            .iter()
            .find_map(|s| s.checks.iter().find(|c| !c.passed).map(|c| (s, c)));
        let failed_check = first.map(|(_, c)| c.id);
        let browser_message = first.and_then(|(step, c)| {
            let from = (step.url != request.url).then_some(request.url.as_str());
            console_message(
                &step.url,
                from,
                &request.origin,
                step.kind == StepKind::Preflight,
                c,
            )
        });
        Report {
            request,
            plan,
            steps,
            verdict,
            failed_check,
            browser_message,
            warnings,
            probes,
            refusal: None,
        }
    }

    /// The process exit status: 0 allowed, 1 blocked.
    pub fn exit_code(&self) -> i32 {
        match self.verdict {
            Verdict::Allowed => 0,
            Verdict::Blocked => 1,
        }
    }
}
