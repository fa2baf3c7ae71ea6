//! The report in words.

use anstyle::{AnsiColor, Style};

use crate::*;

/// The report in words, as `cors-doctor` prints it: every step, check, probe and warning, and
/// the verdict. `colour` adds terminal styles.
pub fn render(report: &Report, colour: bool) -> String {
    let paint = |style: Style| if colour { style } else { Style::new() };
    let bold = paint(Style::new().bold());
    let dim = paint(Style::new().dimmed());
    let green = paint(Style::new().fg_color(Some(AnsiColor::Green.into())));
    let red = paint(Style::new().fg_color(Some(AnsiColor::Red.into())).bold());
    let yellow = paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold());
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
    if let Some(body) = &req.body {
        line(format!("  body: {} bytes", body.len()));
    }
    if !req.cookies.is_empty() && !req.credentials && !report.plan.same_origin {
        line(format!(
            "  {yellow}!{yellow:#} cookies are not sent: a cross-origin fetch sends them only with credentials: \"include\" (--credentials)"
        ));
    }
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
    for (index, s) in report.steps.iter().enumerate() {
        let redirect = s.checks.iter().any(|c| c.id == CheckId::RedirectAllowed);
        let title = match (s.kind, redirect) {
            (StepKind::Preflight, _) => "Preflight",
            (StepKind::Actual, true) => "Actual request, answered with a redirect",
            (StepKind::Actual, false) => "Actual request",
        };
        line(format!("\n{bold}{n}. {title}{bold:#}"));
        n += 1;
        line(format!("   {dim}>{dim:#} {} {}", s.method, s.url));
        for (name, value) in &s.request_headers {
            line(format!("   {dim}>{dim:#} {name}: {value}"));
        }
        match (&s.answer, &s.error) {
            (Some(answer), _) => {
                line(format!("   {dim}<{dim:#} status {}", answer.status));
                if answer.headers.is_empty() {
                    line(format!(
                        "   {dim}<{dim:#} (no Access-Control-* or Vary header)"
                    ));
                }
                for (name, value) in &answer.headers {
                    line(format!("   {dim}<{dim:#} {name}: {value}"));
                }
            }
            (None, error) => line(format!(
                "   {dim}<{dim:#} no answer: {}",
                error.as_deref().unwrap_or("network error")
            )),
        }
        // A refused preflight narrowed down by variations: its cause replaces the generic one.
        let narrowed = match (s.kind, &report.refusal) {
            (StepKind::Preflight, Some(refusal)) if index == 0 => Some(refusal),
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
                    "     cause: {} (found by sending variations of the preflight and a plain GET) {dim}[{}]{dim:#}",
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
        Verdict::Allowed => line(format!(
            "\n{green}{bold}Verdict: ALLOWED{bold:#}{green:#}: the page can read the response"
        )),
        Verdict::Blocked => line(format!("\n{red}Verdict: BLOCKED{red:#} by the browser")),
    }
    if let Some(message) = &report.browser_message {
        line(format!("Chromium's console says:\n  {message}"));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
