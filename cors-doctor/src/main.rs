//! `cors-doctor`: replays what a browser does for a cross-origin request and explains every
//! step. Exit status: 0 the browser allows the request, 1 it blocks it (or the answer is a
//! redirect the doctor did not follow), 2 usage or network error.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use clap::{Arg, ArgAction, Command};
use cors_doctor::{
    actual_request_headers, check_actual, check_preflight, narrow_refusal, plan,
    preflight_request_headers, readable_headers, variation_headers, variations, warnings, Answer,
    Check, CheckId, Observed, PageRequest, Probe, Report, Response, Step, StepKind, Verdict,
    PROBE_ORIGIN,
};

const ABOUT: &str = "Tells you whether a browser would let a page read a cross-origin \
response, and why not: sends the preflight a browser would send, then the request, applies the \
browser's CORS checks to each answer, and warns about risky grants (it also probes the server \
with a made-up origin and with `null`).";

const AFTER: &str = "Exit status: 0 allowed, 1 blocked (or redirected: not followed), 2 usage \
or network error.\n\nExample:\n  cors-doctor https://api.example.com/items --origin \
https://app.example.com --method PUT --header 'Content-Type: application/json' --credentials";

fn command() -> Command {
    Command::new("cors-doctor")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER)
        .arg(
            Arg::new("url")
                .value_name("URL")
                .required(true)
                .help("The URL the page fetches"),
        )
        .arg(
            Arg::new("origin")
                .long("origin")
                .value_name("ORIGIN")
                .required(true)
                .help("The page's origin, such as https://app.example.com (or null)"),
        )
        .arg(
            Arg::new("method")
                .long("method")
                .short('X')
                .value_name("METHOD")
                .default_value("GET")
                .help("The method the page uses"),
        )
        .arg(
            Arg::new("header")
                .long("header")
                .short('H')
                .value_name("NAME: VALUE")
                .action(ArgAction::Append)
                .help("A header the page sets (repeatable)"),
        )
        .arg(
            Arg::new("credentials")
                .long("credentials")
                .action(ArgAction::SetTrue)
                .help("The page sends credentials (fetch's credentials: \"include\")"),
        )
        .arg(
            Arg::new("json")
                .long("json")
                .action(ArgAction::SetTrue)
                .help("Print a machine-readable report"),
        )
        .arg(
            Arg::new("no-probe")
                .long("no-probe")
                .action(ArgAction::SetTrue)
                .help("Do not send the extra requests with a made-up origin and with null"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECONDS")
                .default_value("10")
                .value_parser(clap::value_parser!(u64).range(1..=600))
                .help("Time limit for each request"),
        )
}

/// A usage or network error: exit status 2.
struct Fatal(String);

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            let mut err = anstream::stderr();
            let style = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
            let _ = writeln!(err, "{style}cors-doctor: error:{style:#} {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<u8, Fatal> {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(code);
        }
    };
    let text = |name: &str| matches.get_one::<String>(name).cloned().unwrap_or_default();
    let mut headers = Vec::new();
    for raw in matches.get_many::<String>("header").into_iter().flatten() {
        let Some((name, value)) = raw.split_once(':') else {
            return Err(Fatal(format!("--header {raw:?}: expected 'Name: value'")));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let page = PageRequest {
        url: text("url"),
        origin: text("origin"),
        method: text("method"),
        headers,
        credentials: matches.get_flag("credentials"),
    };
    let timeout = Duration::from_secs(matches.get_one::<u64>("timeout").copied().unwrap_or(10));
    let json = matches.get_flag("json");
    let probe = !matches.get_flag("no-probe");

    let plan = plan(&page).map_err(|e| Fatal(e.to_string()))?;
    let client = Client::new(timeout);
    let mut steps = Vec::new();
    let mut preflight_response = None;
    let mut actual_response = None;

    if !plan.same_origin {
        if let Some(preflight) = &plan.preflight {
            let sent = preflight_request_headers(&page.origin, preflight);
            let response = client.send(&page.url, "OPTIONS", &sent)?;
            let checks = check_preflight(&page, preflight, &response);
            steps.push(step(
                StepKind::Preflight,
                "OPTIONS",
                sent,
                &response,
                checks,
                None,
            ));
            preflight_response = Some(response);
        }
    }
    let preflight_ok = steps.iter().all(|s| s.checks.iter().all(|c| c.passed));
    if preflight_ok {
        let sent = actual_request_headers(&page.origin, &plan);
        let response = client.send(&page.url, &plan.method, &sent)?;
        let checks = if plan.same_origin {
            Vec::new()
        } else {
            check_actual(&page, &response)
        };
        let readable = (!plan.same_origin).then(|| readable_headers(page.credentials, &response));
        steps.push(step(
            StepKind::Actual,
            &plan.method,
            sent,
            &response,
            checks,
            readable,
        ));
        actual_response = Some(response);
    }

    // Probes: the first request again, with a made-up origin and with `null`.
    let mut probes = Vec::new();
    let mut probe_responses: Vec<Option<Response>> = Vec::new();
    if probe && !plan.same_origin {
        for origin in [PROBE_ORIGIN, "null"] {
            let (method, sent) = match &plan.preflight {
                Some(preflight) => (
                    "OPTIONS".to_owned(),
                    preflight_request_headers(origin, preflight),
                ),
                None => (plan.method.clone(), actual_request_headers(origin, &plan)),
            };
            match client.send(&page.url, &method, &sent) {
                Ok(response) => {
                    probes.push(Probe {
                        origin: origin.to_owned(),
                        method,
                        answer: Some(Answer::from(&response)),
                        error: None,
                    });
                    probe_responses.push(Some(response));
                }
                Err(Fatal(error)) => {
                    probes.push(Probe {
                        origin: origin.to_owned(),
                        method,
                        answer: None,
                        error: Some(error),
                    });
                    probe_responses.push(None);
                }
            }
        }
    }
    let found = warnings(&Observed {
        origin: &page.origin,
        preflight: preflight_response.as_ref(),
        actual: actual_response.as_ref(),
        probe: probe_responses.first().and_then(Option::as_ref),
        probe_null: probe_responses.get(1).and_then(Option::as_ref),
    });
    // A preflight refused without any CORS header: find out what is refused.
    let mut refusal = None;
    let refused_outright = steps.first().is_some_and(|s| {
        s.kind == StepKind::Preflight
            && s.checks
                .iter()
                .any(|c| !c.passed && c.id == CheckId::AllowOriginPresent)
    });
    if let (true, Some(preflight)) = (refused_outright, &plan.preflight) {
        let mut answers = Vec::new();
        for variation in variations(preflight) {
            let sent = variation_headers(&page.origin, &variation);
            if let Ok(response) = client.send(&page.url, "OPTIONS", &sent) {
                answers.push((variation, response));
            }
        }
        refusal = narrow_refusal(&page.origin, preflight, &answers);
    }
    let mut report = Report::new(page, plan, steps, found, probes);
    report.refusal = refusal;
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Fatal(format!("cannot serialise the report: {e}")))?;
        let _ = writeln!(std::io::stdout(), "{text}");
    } else {
        print_report(&report);
    }
    Ok(u8::try_from(report.exit_code()).unwrap_or(1))
}

fn step(
    kind: StepKind,
    method: &str,
    request_headers: Vec<(String, String)>,
    response: &Response,
    checks: Vec<Check>,
    readable_headers: Option<Vec<String>>,
) -> Step {
    Step {
        kind,
        method: method.to_owned(),
        request_headers,
        answer: Answer::from(response),
        checks,
        readable_headers,
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

struct Client {
    agent: ureq::Agent,
}

impl Client {
    fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            // Redirects are reported, never followed; 4xx/5xx are answers, not errors.
            .max_redirects(0)
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            // No proxy from the environment: the doctor talks to the URL it is given.
            .proxy(None)
            .user_agent("cors-doctor")
            .accept("")
            .timeout_global(Some(timeout))
            .build();
        Client {
            agent: config.into(),
        }
    }

    /// Sends one request without a body and returns the answer's status and headers.
    fn send(
        &self,
        url: &str,
        method: &str,
        headers: &[(String, String)],
    ) -> Result<Response, Fatal> {
        let mut builder = ureq::http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let cannot = |e: ureq::http::Error| {
            Fatal(format!("cannot build the {method} request to {url}: {e}"))
        };
        let failed = |e: ureq::Error| Fatal(format!("{method} {url}: {}", describe_error(&e)));
        // Like a browser: no body for GET, HEAD, OPTIONS, DELETE; an empty one
        // (`Content-Length: 0`) for the others.
        let response = if matches!(method, "GET" | "HEAD" | "OPTIONS" | "DELETE") {
            self.agent
                .run(builder.body(()).map_err(cannot)?)
                .map_err(failed)?
        } else {
            let empty: &[u8] = &[];
            self.agent
                .run(builder.body(empty).map_err(cannot)?)
                .map_err(failed)?
        };
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        Ok(Response {
            status: response.status().as_u16(),
            headers,
        })
    }
}

fn describe_error(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(what) => format!("timed out ({what})"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::Io(e) => format!("network error: {e}"),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn print_report(report: &Report) {
    let mut out = anstream::stdout();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let req = &report.request;
    let mut lines: Vec<String> = Vec::new();
    let mut line = |s: String| lines.push(s);

    line(format!(
        "{bold}{} {}{bold:#} from origin {bold}{}{bold:#}, credentials {}",
        report.plan.method,
        req.url,
        req.origin,
        if req.credentials {
            "included"
        } else {
            "omitted"
        }
    ));
    for dropped in &report.plan.dropped_headers {
        line(format!(
            "  {yellow}!{yellow:#} a page cannot set {dropped}: the browser drops it (forbidden request header)"
        ));
    }
    if report.plan.same_origin {
        line(
            "  the page's origin is the URL's origin: a same-origin request, no CORS checks apply"
                .to_owned(),
        );
    }
    let mut n = 1;
    if !report.plan.same_origin {
        match &report.plan.preflight {
            None => line(format!(
                "\n{bold}{n}. No preflight{bold:#}: the method and every header are CORS-safelisted"
            )),
            Some(pf) => {
                line(format!("\n{bold}{n}. A preflight is needed{bold:#}:"));
                for reason in &pf.reasons {
                    line(format!(
                        "   - {} {dim}[{}]{dim:#}",
                        reason.detail,
                        reason.id.id()
                    ));
                }
            }
        }
        n += 1;
    }
    for s in &report.steps {
        let title = match s.kind {
            StepKind::Preflight => "Preflight",
            StepKind::Actual => "Actual request",
        };
        line(format!("\n{bold}{n}. {title}{bold:#}"));
        n += 1;
        line(format!("   {dim}>{dim:#} {} {}", s.method, req.url));
        for (name, value) in &s.request_headers {
            line(format!("   {dim}>{dim:#} {name}: {value}"));
        }
        line(format!("   {dim}<{dim:#} status {}", s.answer.status));
        if s.answer.headers.is_empty() {
            line(format!(
                "   {dim}<{dim:#} (no Access-Control-* or Vary header)"
            ));
        }
        for (name, value) in &s.answer.headers {
            line(format!("   {dim}<{dim:#} {name}: {value}"));
        }
        // A refused preflight narrowed down by variations: its cause replaces the generic one.
        let narrowed = match (s.kind, &report.refusal) {
            (StepKind::Preflight, Some(refusal)) => Some(refusal),
            _ => None,
        };
        for c in &s.checks {
            if c.passed {
                line(format!(
                    "   {green}✓{green:#} {} {dim}[{}]{dim:#}",
                    c.detail,
                    c.id.id()
                ));
                continue;
            }
            line(format!(
                "   {red}✗ {}{red:#} {dim}[{}]{dim:#}",
                c.detail,
                c.id.id()
            ));
            if let Some(refusal) = narrowed.filter(|_| c.id == CheckId::AllowOriginPresent) {
                line(format!(
                    "     cause: {} (found by sending variations of the preflight) {dim}[{}]{dim:#}",
                    refusal.detail,
                    refusal.id.id()
                ));
                line(format!("     fix:   {}", refusal.fix));
                continue;
            }
            if let Some(cause) = &c.cause {
                line(format!("     cause: {cause}"));
            }
            if let Some(fix) = &c.fix {
                line(format!("     fix:   {fix}"));
            }
        }
        if let Some(readable) = &s.readable_headers {
            if s.checks.iter().all(|c| c.passed) {
                line(format!(
                    "   the page can read the status, the body and these headers: {}",
                    readable.join(", ")
                ));
            }
        }
    }
    if report.steps.iter().any(|s| s.kind == StepKind::Preflight)
        && !report.steps.iter().any(|s| s.kind == StepKind::Actual)
    {
        line(format!(
            "\n{bold}{n}. Actual request{bold:#}: not sent; the browser stops at a failed preflight"
        ));
    }
    if !report.probes.is_empty() {
        let summary: Vec<String> = report
            .probes
            .iter()
            .map(|p| match (&p.answer, &p.error) {
                (Some(a), _) => {
                    let acao = a
                        .headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("access-control-allow-origin"))
                        .map_or("no Access-Control-Allow-Origin".to_owned(), |(_, v)| {
                            format!("Access-Control-Allow-Origin: {v}")
                        });
                    format!(
                        "{} with Origin {} → {}, {acao}",
                        p.method, p.origin, a.status
                    )
                }
                (None, Some(e)) => {
                    format!("{} with Origin {} → no answer ({e})", p.method, p.origin)
                }
                (None, None) => format!("{} with Origin {} → no answer", p.method, p.origin),
            })
            .collect();
        line(format!(
            "\n{bold}Probes{bold:#} (the same request from other origins):"
        ));
        for s in summary {
            line(format!("   {s}"));
        }
    }
    if !report.warnings.is_empty() {
        line(format!(
            "\n{yellow}Warnings{yellow:#} (risky even when the request passes):"
        ));
        for w in &report.warnings {
            line(format!(
                "   {yellow}!{yellow:#} {} {dim}[{}]{dim:#}",
                w.message,
                w.id.id()
            ));
            line(format!("     fix: {}", w.fix));
        }
    }
    match report.verdict {
        Verdict::Allowed => line(format!("\n{green}{bold}Verdict: ALLOWED{bold:#}{green:#}: the page can read the response")),
        Verdict::Blocked => line(format!("\n{red}Verdict: BLOCKED{red:#} by the browser")),
        Verdict::Redirected => line(format!(
            "\n{yellow}Verdict: REDIRECTED{yellow:#}: the browser would follow the redirect; cors-doctor does not, so it cannot tell"
        )),
    }
    if let Some(message) = &report.browser_message {
        line(format!("Chromium's console says:\n  {message}"));
    }
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
}
