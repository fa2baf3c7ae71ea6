//! `cors-doctor`: replays what a browser does for a cross-origin request and explains every
//! step. Exit status: 0 the browser allows the request, 1 it blocks it, 2 usage error or no
//! server at the URL.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use clap::{Arg, ArgAction, Command};
use cors_doctor::{
    block_on, diagnose, parse_cookie_jar, render, Body, Cookie, DoctorError, FailureKind, NoAnswer,
    Options, Outgoing, PageRequest, Report, Response, Transport,
};

const ABOUT: &str = "Tells you whether a browser would let a page read a cross-origin \
response, and why not: sends the preflight a browser would send, then the request, applies the \
browser's CORS checks to each answer, and warns about risky grants (it also probes the server \
with a made-up origin and with `null`).";

const AFTER: &str = "Redirects are followed as a browser follows them (the CORS check on \
each answer, `Origin: null` after a redirect to another origin, at most 20). A preflight the \
server drops is a blocked request.\n\nExit status: 0 allowed, 1 blocked, 2 usage error or no \
server at the URL (with --json, a JSON object {\"error\": ...} on standard output).\n\nExamples:\n  \
cors-doctor https://api.example.com/items --origin https://app.example.com --method PUT \
--data '{\"name\":\"x\"}' --content-type application/json --credentials --cookie session=abc\n  \
cors-doctor https://api.example.com/me --origin https://app.example.com --credentials \
--cookie-jar cookies.txt";

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
            Arg::new("cookie")
                .long("cookie")
                .short('b')
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .help(
                    "A cookie the browser holds for the URL's host (repeatable); sent with \
                       the actual request when credentials are included or the request is \
                       same-origin, never with a preflight",
                ),
        )
        .arg(
            Arg::new("cookie-jar")
                .long("cookie-jar")
                .value_name("FILE")
                .help(
                    "Cookies from a Netscape cookie jar (curl -c); each goes where its \
                       domain, path and Secure flag match",
                ),
        )
        .arg(
            Arg::new("data")
                .long("data")
                .short('d')
                .value_name("STRING")
                .conflicts_with("data-file")
                .help(
                    "The request body, as a string (fetch's body: \"...\"): Content-Type \
                       text/plain;charset=UTF-8 unless set",
                ),
        )
        .arg(
            Arg::new("data-file")
                .long("data-file")
                .value_name("PATH")
                .help(
                    "The request body, the file's bytes (a Blob without type): no \
                       Content-Type unless set",
                ),
        )
        .arg(
            Arg::new("content-type")
                .long("content-type")
                .value_name("TYPE")
                .help(
                    "The body's Content-Type, as the page sets it; decides whether a \
                       preflight is needed (only text/plain, multipart/form-data and \
                       application/x-www-form-urlencoded are safelisted)",
                ),
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
    let json = std::env::args_os().any(|a| a == "--json");
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            if json {
                let error = serde_json::json!({ "error": { "kind": "usage-or-network", "message": message } });
                let _ = writeln!(std::io::stdout(), "{error:#}");
            }
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
    let url = text("url");
    let mut headers = Vec::new();
    for raw in matches.get_many::<String>("header").into_iter().flatten() {
        let Some((name, value)) = raw.split_once(':') else {
            return Err(Fatal(format!("--header {raw:?}: expected 'Name: value'")));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let body = match (
        matches.get_one::<String>("data"),
        matches.get_one::<String>("data-file"),
    ) {
        (Some(data), _) => Some(Body::Text(data.clone())),
        (None, Some(path)) => Some(Body::Bytes(
            std::fs::read(path).map_err(|e| Fatal(format!("--data-file {path}: {e}")))?,
        )),
        (None, None) => None,
    };
    let content_type = matches.get_one::<String>("content-type").cloned();
    let mut cookies = Vec::new();
    for pair in matches.get_many::<String>("cookie").into_iter().flatten() {
        cookies.push(Cookie::for_url(pair, &url).map_err(Fatal)?);
    }
    if let Some(path) = matches.get_one::<String>("cookie-jar") {
        let jar = std::fs::read_to_string(path)
            .map_err(|e| Fatal(format!("--cookie-jar {path}: {e}")))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        cookies.extend(
            parse_cookie_jar(&jar, now).map_err(|e| Fatal(format!("--cookie-jar {path}: {e}")))?,
        );
    }
    let mut page = PageRequest {
        url,
        origin: text("origin"),
        method: text("method"),
        headers,
        credentials: matches.get_flag("credentials"),
        body: None,
        cookies,
    };
    if let Some(body) = body {
        page.set_body(body, content_type.as_deref());
    } else if content_type.is_some() {
        return Err(Fatal(
            "--content-type needs a body (--data or --data-file)".into(),
        ));
    }
    let timeout = Duration::from_secs(matches.get_one::<u64>("timeout").copied().unwrap_or(10));
    let json = matches.get_flag("json");
    let options = Options {
        probe: !matches.get_flag("no-probe"),
        narrow: true,
    };
    let mut client = Client::new(timeout);
    let report = block_on(diagnose(&mut client, &page, &options)).map_err(|e| match e {
        DoctorError::Plan(e) => Fatal(e.to_string()),
        DoctorError::Unreachable(e) => Fatal(e.message),
    })?;
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Fatal(format!("cannot serialise the report: {e}")))?;
        let _ = writeln!(std::io::stdout(), "{text}");
    } else {
        print_report(&report);
    }
    Ok(u8::try_from(report.exit_code()).unwrap_or(1))
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
            // Redirects are returned to the doctor, which follows them as a browser does;
            // 4xx/5xx are answers, not errors.
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

    /// Sends one request and returns the answer's status and headers.
    fn send_now(&self, request: &Outgoing) -> Result<Response, NoAnswer> {
        let (method, url) = (&request.method, &request.url);
        let mut builder = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let cannot = |e: ureq::http::Error| NoAnswer {
            kind: FailureKind::Unreachable,
            message: format!("cannot build the {method} request to {url}: {e}"),
        };
        let failed = |e: ureq::Error| NoAnswer {
            kind: failure_kind(&e),
            message: format!("{method} {url}: {}", describe_error(&e)),
        };
        // Like a browser: no body for GET, HEAD, OPTIONS, DELETE unless the page gives one;
        // an empty one (`Content-Length: 0`) for the others.
        let response = match &request.body {
            Some(body) => self
                .agent
                .run(builder.body(body.as_slice()).map_err(cannot)?)
                .map_err(failed)?,
            None if matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS" | "DELETE") => self
                .agent
                .run(builder.body(()).map_err(cannot)?)
                .map_err(failed)?,
            None => {
                let empty: &[u8] = &[];
                self.agent
                    .run(builder.body(empty).map_err(cannot)?)
                    .map_err(failed)?
            }
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

impl Transport for Client {
    async fn send(&mut self, request: &Outgoing) -> Result<Response, NoAnswer> {
        self.send_now(request)
    }
}

/// Whether the server was reached at all.
fn failure_kind(error: &ureq::Error) -> FailureKind {
    use std::io::ErrorKind;
    match error {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            FailureKind::Unreachable
        }
        ureq::Error::Timeout(_) => FailureKind::TimedOut,
        ureq::Error::Io(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::NotFound
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::PermissionDenied
            ) =>
        {
            FailureKind::Unreachable
        }
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::Http(_) => FailureKind::Unreachable,
        _ => FailureKind::Dropped,
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
    let _ = write!(anstream::stdout(), "{}", render(report, true));
}
