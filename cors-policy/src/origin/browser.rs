//! The last check of an entry that passed the grammar: the URL standard's own parser (the `url`
//! crate, which implements it, as browsers do) must serialize the entry's origin exactly as
//! written. The grammar's rules give the specific messages; this catches what they do not model,
//! such as an `xn--` label that is not valid punycode (`https://xn--.example.org`, which no
//! browser can load) or an IPv6 form the grammar let through.
//!
//! Only the schemes with a standard origin are checked (`http`, `https`, `ws`, `wss`): for the
//! others, such as `tauri://`, the URL standard gives an opaque origin and browsers define the
//! serialization themselves.

use url::Url;

use super::{fail, Failure, Help as _, OriginError, NEVER_MATCHES};
use crate::model::{HostPattern, PortPattern};
use crate::rules::Rule;

/// A label to stand for a pattern's `*.`, so that the host below it is checked too.
const PROBE_LABEL: &str = "a";

pub(super) fn check(
    entry: &str,
    scheme: &str,
    host: &HostPattern,
    port: PortPattern,
) -> Result<(), Failure> {
    if !matches!(scheme, "http" | "https" | "ws" | "wss") {
        return Ok(());
    }
    let (host, wildcard) = match host {
        HostPattern::Exact(h) => (h.clone(), false),
        HostPattern::Subdomains(base) => (format!("{PROBE_LABEL}.{base}"), true),
    };
    let probe = match port {
        PortPattern::Exact(n) => format!("{scheme}://{host}:{n}"),
        PortPattern::Default | PortPattern::Any => format!("{scheme}://{host}"),
    };
    let rule = if host.starts_with('[') {
        Rule::OriginIp
    } else {
        Rule::OriginHost
    };
    let serialized = match Url::parse(&probe) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(err) => {
            return fail(
                rule,
                format!("browsers cannot parse this origin's host: {err}"),
                "the URL standard refuses this host (an `xn--` label that is not valid punycode, for example), so no page can have this origin",
            )
            .help("copy the origin from the browser: open the page, and run `location.origin` in its console")
        }
    };
    if serialized == probe {
        return Ok(());
    }
    // Back from the probe to the entry's form: `*.` and `:*` where the entry had them.
    let suggestion = serialized
        .split_once("://")
        .and_then(|(s, rest)| {
            let rest = if wildcard {
                format!("*.{}", rest.strip_prefix(PROBE_LABEL)?.strip_prefix('.')?)
            } else {
                rest.to_owned()
            };
            let any_port = if port == PortPattern::Any { ":*" } else { "" };
            Some(format!("{s}://{rest}{any_port}"))
        })
        .filter(|s| s != entry && super::parse_strict(s).is_ok());
    Err(OriginError {
        rule,
        message: "origin is not in the form browsers send".to_owned(),
        note: NEVER_MATCHES.to_owned(),
        suggestion,
        help: "copy the origin from the browser: open the page, and run `location.origin` in its console"
            .to_owned(),
    })
}
