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

/// `true` for a domain the URL standard's host parser leaves as it is, so that the parser need
/// not run (it is most of the cost of checking a long list): labels of lower-case ASCII
/// letters, digits, `-` and `_` only (nothing for UTS #46 to map, and, with the URL standard's
/// lenient hyphen rules, nothing to refuse), none of them `xn--` (whose punycode the parser
/// decodes and may refuse), and a last label that is not a number (which makes the host an
/// IPv4 address). The grammar has already checked the labels' lengths and that none is empty.
fn is_plain_domain(host: &HostPattern) -> bool {
    let name = match host {
        HostPattern::Exact(h) | HostPattern::Subdomains(h) => h.as_str(),
    };
    let plain_bytes = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
    plain_bytes
        && !name.split('.').any(|label| label.starts_with("xn--"))
        && !super::host::looks_like_ipv4(name)
}

pub(super) fn check(
    entry: &str,
    scheme: &str,
    host: &HostPattern,
    port: PortPattern,
) -> Result<(), Failure> {
    if !matches!(scheme, "http" | "https" | "ws" | "wss") {
        return Ok(());
    }
    if is_plain_domain(host) {
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

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// What the fast path assumes: the URL parser serializes a plain domain's origin as written.
    #[test]
    fn the_url_parser_leaves_plain_domains_as_they_are() {
        let labels = [
            "a",
            "z9",
            "app",
            "a-b",
            "-a",
            "a-",
            "a--b",
            "ab--cd",
            "_a",
            "a_b",
            "0a",
            "9",
            "xn",
            "xna",
            "x-n--a",
            "www",
            "localhost",
            "com",
        ];
        for first in labels {
            for last in labels {
                let host = format!("{first}.{last}");
                let spec = HostPattern::Exact(host.clone());
                if !is_plain_domain(&spec) {
                    continue;
                }
                for scheme in ["http", "https", "ws", "wss"] {
                    let probe = format!("{scheme}://{host}:8080");
                    let url = Url::parse(&probe).expect(&probe);
                    assert_eq!(url.origin().ascii_serialization(), probe);
                }
            }
        }
        for not_plain in [
            "xn--bcher-kva.example",
            "a.1",
            "a.0x1",
            "A.example",
            "a.exämple",
        ] {
            assert!(
                !is_plain_domain(&HostPattern::Exact(not_plain.into())),
                "{not_plain}"
            );
        }
    }
}
