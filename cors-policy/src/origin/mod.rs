//! Origin entries: what `origins = [...]` may hold, parsed into [`OriginSpec`].
//!
//! Browsers send `Origin` as a serialized origin and compare it byte for byte
//! (`scheme "://" host [":" port]`, lower case, no path, default port omitted, IPv6 in
//! RFC 5952 form, IDN hosts in punycode). An entry that is not in that exact form can never
//! match, so every deviation is an error here, with the corrected entry as a suggestion
//! whenever one can be computed.

use std::net::Ipv4Addr;

#[cfg(feature = "browser-url")]
mod browser;
mod host;
mod pasted;
mod punycode;
mod suggest;

use host::check_host;
use suggest::suggest;

use crate::model::{HostPattern, OriginPattern, PortPattern};
use crate::rules::Rule;

/// One validated entry of `origins`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginSpec {
    /// `"*"`: any origin.
    Any,
    /// A serialized origin, matched byte for byte.
    Exact(String),
    /// A pattern with a `*.` subdomain wildcard and/or a `:*` any-port wildcard.
    Pattern(OriginPattern),
}

/// Why an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginError {
    /// The rule the entry breaks.
    pub rule: Rule,
    /// What is wrong, in one line.
    pub message: String,
    /// Why it matters.
    pub note: String,
    /// The corrected entry, when one can be computed.
    pub suggestion: Option<String>,
    /// How to fix the entry when no corrected entry can be computed.
    pub help: String,
}

impl OriginError {
    /// The help line to show: `did you mean ...?` with the corrected entry when there is one,
    /// otherwise how to fix the entry. Every refusal has one.
    pub fn help_line(&self) -> String {
        match &self.suggestion {
            Some(s) => format!("did you mean `{s:?}`?"),
            None => self.help.clone(),
        }
    }
}

/// The help of a refusal that has no more specific one.
const WRITE_AN_ORIGIN: &str =
    "write the origin as `scheme://host[:port]`, exactly as the browser's address bar shows the page's origin, e.g. `https://app.example.com`";

/// Adds the help line to a refusal.
trait Help {
    fn help(self, help: impl Into<String>) -> Self;
}

impl<T> Help for Result<T, Failure> {
    fn help(self, help: impl Into<String>) -> Self {
        self.map_err(|mut err| {
            err.help = help.into();
            err
        })
    }
}

impl OriginSpec {
    /// `true` for entries that are safe to trust with credentials: `https`, or a loopback host
    /// (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`), where no network attacker sits between
    /// the browser and the page's server.
    pub fn is_secure_or_loopback(&self) -> bool {
        match self {
            OriginSpec::Any => false,
            OriginSpec::Exact(origin) => {
                let Some((scheme, rest)) = origin.split_once("://") else {
                    return false;
                };
                scheme == "https" || is_loopback_host(split_host_port(rest).0)
            }
            OriginSpec::Pattern(p) => {
                p.scheme == "https"
                    || match &p.host {
                        HostPattern::Exact(h) | HostPattern::Subdomains(h) => is_loopback_host(h),
                    }
            }
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Splits `host[:port]` (an authority without userinfo) into host and port.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    let (host, port) = crate::matcher::split_host_port(authority.as_bytes());
    // Both parts end or start at an ASCII `:` or the string's ends: char boundaries.
    (
        &authority[..host.len()],
        port.map(|p| &authority[authority.len() - p.len()..]),
    )
}

/// Parses and validates one entry of `origins`.
pub fn parse_origin(entry: &str) -> Result<OriginSpec, OriginError> {
    parse_strict(entry).map_err(|mut err| {
        if err.suggestion.is_none() {
            err.suggestion = suggest(entry);
        }
        err
    })
}

/// A refusal; the suggestion, when the check that refused has none, is computed afterwards.
type Failure = OriginError;

fn fail<T>(rule: Rule, message: impl Into<String>, note: impl Into<String>) -> Result<T, Failure> {
    Err(OriginError {
        rule,
        message: message.into(),
        note: note.into(),
        suggestion: None,
        help: WRITE_AN_ORIGIN.to_owned(),
    })
}

const NEVER_MATCHES: &str =
    "browsers send the origin in exactly one serialized form and compare it byte for byte, so this entry would never match";

fn parse_strict(entry: &str) -> Result<OriginSpec, Failure> {
    if entry == "*" {
        return Ok(OriginSpec::Any);
    }
    if entry.is_empty() {
        return fail(
            Rule::OriginSyntax,
            "empty origin",
            "an empty entry names no origin",
        )
        .help("remove the empty entry, or write an origin such as `https://app.example.com`");
    }
    pasted::check(entry)?;
    if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail(
            Rule::OriginSyntax,
            "origin contains whitespace",
            NEVER_MATCHES,
        )
        .help("remove the whitespace; to allow several origins, list each as an entry of its own");
    }
    if entry.eq_ignore_ascii_case("null") {
        return fail(
            Rule::OriginNull,
            "the `null` origin must not be allowed",
            "sandboxed iframes, `data:` and `file:` documents and redirected requests all send `Origin: null`, so any page can produce it at will",
        )
        .help("remove this entry: nothing makes `null` safe to allow. Serve the page that calls the API from an origin of its own (`https://app.example.com`, or `http://localhost:8000` while developing) and list that");
    }
    let Some((scheme, rest)) = entry.split_once("://") else {
        return fail(
            Rule::OriginSyntax,
            "origin has no scheme",
            "a serialized origin is `scheme://host[:port]`, and browsers always send the scheme",
        )
        .help("write the scheme the page is served with, e.g. `https://app.example.com`");
    };
    check_scheme(scheme)?;
    if let Some(cut) = rest.find(['/', '?', '#']) {
        let what = match rest.as_bytes()[cut] {
            b'?' => "a query",
            b'#' => "a fragment",
            _ if &rest[cut..] == "/" => "a trailing `/`",
            _ => "a path",
        };
        return fail(
            Rule::OriginSyntax,
            format!("origin has {what}; an origin is `scheme://host[:port]` and nothing more"),
            NEVER_MATCHES,
        )
        .help("keep only `scheme://host[:port]`: drop everything from the first `/`, `?` or `#` after the host");
    }
    if rest.contains('@') {
        return fail(
            Rule::OriginSyntax,
            "origin has userinfo (`user@`); an origin is `scheme://host[:port]` and nothing more",
            NEVER_MATCHES,
        )
        .help("remove everything up to and including the `@`");
    }
    let (host, port) = split_host_port(rest);
    let port = check_port(scheme, host, port)?;
    let host = check_host(host)?;
    #[cfg(feature = "browser-url")]
    browser::check(entry, scheme, &host, port)?;
    match (host, port) {
        (HostPattern::Exact(_), PortPattern::Default | PortPattern::Exact(_)) => {
            Ok(OriginSpec::Exact(entry.to_owned()))
        }
        (host, port) => Ok(OriginSpec::Pattern(OriginPattern {
            scheme: scheme.to_owned(),
            host,
            port,
        })),
    }
}

fn check_scheme(scheme: &str) -> Result<(), Failure> {
    let mut bytes = scheme.bytes();
    let well_formed = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !well_formed {
        return fail(
            Rule::OriginSyntax,
            format!("`{scheme}` is not a URL scheme"),
            "a scheme is a letter followed by letters, digits, `+`, `-` or `.`",
        )
        .help("write the origin as `scheme://host[:port]`, e.g. `https://app.example.com`");
    }
    if scheme.bytes().any(|b| b.is_ascii_uppercase()) {
        return fail(
            Rule::OriginCase,
            "origin scheme must be lower case",
            NEVER_MATCHES,
        )
        .help("write the scheme in lower case");
    }
    if scheme == "file" {
        return fail(
            Rule::OriginNull,
            "`file://` origins must not be allowed",
            "browsers send `Origin: null` for `file:` documents, and any page can produce `null`",
        )
        .help("remove this entry, and serve the page from a local web server instead of opening its file (`python3 -m http.server` serves `http://localhost:8000`, a loopback origin you may list, even with `credentials`)");
    }
    Ok(())
}

/// `true` for a port written as zero (`0`, `00`...).
fn n_is_zero(port: &str) -> bool {
    !port.is_empty() && port.bytes().all(|b| b == b'0')
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

fn check_port(scheme: &str, host: &str, port: Option<&str>) -> Result<PortPattern, Failure> {
    let Some(port) = port else {
        return Ok(PortPattern::Default);
    };
    if port == "*" {
        return Ok(PortPattern::Any);
    }
    if port.is_empty() {
        return fail(
            Rule::OriginPort,
            "origin ends with `:` but has no port",
            NEVER_MATCHES,
        )
        .help("remove the `:`, or write the port after it");
    }
    if port.contains('*') {
        return fail(
            Rule::OriginPattern,
            format!("`:{port}` is not a port wildcard; only `:*` (any port) is supported"),
            "partial wildcards are not supported, so the intent stays unambiguous",
        )
        .help(format!(
            "list each port as an origin of its own, or write `{scheme}://{host}:*` for any port"
        ));
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return fail(
            Rule::OriginPort,
            format!("`{port}` is not a port number"),
            "a port is a decimal number from 1 to 65535",
        )
        .help("write the port the page is served on as a number from 1 to 65535, or `:*` for any port");
    }
    if port.len() > 1 && port.starts_with('0') {
        return fail(Rule::OriginPort, "port has leading zeros", NEVER_MATCHES)
            .help("write the port without leading zeros");
    }
    let n = match port.parse::<u16>() {
        Ok(n) if n > 0 => n,
        _ => {
            let note = if n_is_zero(port) {
                "a port is a number from 1 to 65535: port 0 only asks the operating system to choose one when a server binds, and no page is ever served on it"
            } else {
                "a port is a number from 1 to 65535"
            };
            return fail(Rule::OriginPort, format!("port {port} is out of range"), note).help(
                format!("write the port the page is actually served on (`{scheme}://{host}:8080`), or `{scheme}://{host}:*` for any port"),
            );
        }
    };
    if default_port(scheme) == Some(n) {
        return fail(
            Rule::OriginPort,
            format!("`:{n}` is the default port of `{scheme}`"),
            format!("browsers never send the default port (`{scheme}://{host}`), so this entry would never match"),
        )
        .help(format!("remove `:{n}`"));
    }
    Ok(PortPattern::Exact(n))
}

#[cfg(test)]
mod tests;
