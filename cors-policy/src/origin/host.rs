//! The host of an origin entry: a domain name (ASCII, lower case, well-formed labels), an IPv4
//! address in dotted-quad form, a bracketed IPv6 address in its canonical form, or a `*.` pattern
//! over a domain.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{fail, Failure, Help as _, NEVER_MATCHES};
use crate::model::HostPattern;
use crate::rules::Rule;

pub(super) fn check_host(host: &str) -> Result<HostPattern, Failure> {
    if host.is_empty() {
        return fail(Rule::OriginHost, "origin has no host", NEVER_MATCHES)
            .help("write the host after `://`: the page's domain name or IP address, e.g. `https://app.example.com`");
    }
    if let Some(inner) = host.strip_prefix('[') {
        if host.contains('*') {
            return fail(
                Rule::OriginPattern,
                "wildcards are not allowed in IP addresses",
                "only a leading `*.` label of a domain name and a `:*` port are supported",
            )
            .help("list each address as an origin of its own (a `:*` port is allowed)");
        }
        return check_ipv6(inner.strip_suffix(']').unwrap_or(inner))
            .map(|()| HostPattern::Exact(host.to_owned()));
    }
    if let Some(base) = host.strip_prefix("*.") {
        if base.contains('*') {
            return fail(
                Rule::OriginPattern,
                "only one leading `*.` wildcard label is supported",
                "`*.example.com` already matches hosts any number of labels below `example.com`",
            )
            .help("keep one leading `*.` label over the domain all the hosts are below");
        }
        if looks_like_ipv4(base) {
            return fail(
                Rule::OriginPattern,
                "wildcards are not allowed in IP addresses",
                "only a leading `*.` label of a domain name and a `:*` port are supported",
            )
            .help("list each address as an origin of its own (a `:*` port is allowed)");
        }
        check_domain(base)?;
        return Ok(HostPattern::Subdomains(base.to_owned()));
    }
    if host.contains('*') {
        return fail(
            Rule::OriginPattern,
            format!("`{host}` is not a supported wildcard"),
            "only a leading `*.` label (`https://*.example.com`) and a `:*` port (`http://localhost:*`) are supported; anything looser is how prefix and suffix attacks slip in",
        )
        .help("use a leading `*.` label over the domain the hosts are below, or list each origin");
    }
    if looks_like_ipv4(host) {
        let canonical = host.parse::<Ipv4Addr>().ok().map(|ip| ip.to_string());
        if canonical.as_deref() != Some(host) {
            return fail(
                Rule::OriginIp,
                format!("`{host}` is not an IPv4 address in canonical dotted-quad form"),
                NEVER_MATCHES,
            )
            .help("write the address as four decimal numbers from 0 to 255, without leading zeros, e.g. `127.0.0.1`");
        }
        return Ok(HostPattern::Exact(host.to_owned()));
    }
    check_domain(host)?;
    Ok(HostPattern::Exact(host.to_owned()))
}

/// The WHATWG URL parser treats a host whose last label is a number as an IPv4 address.
pub(super) fn looks_like_ipv4(host: &str) -> bool {
    let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    // Bytes, not `&last[..2]`: the label may start with a multi-byte character.
    !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .as_bytes()
                .get(..2)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"0x")))
}

fn check_ipv6(inner: &str) -> Result<(), Failure> {
    if inner.contains('%') {
        return fail(
            Rule::OriginIp,
            "IPv6 zone identifiers (`%...`) are not part of an origin",
            "browsers drop the zone identifier from the origin they send",
        )
        .help("remove the zone identifier");
    }
    match inner.parse::<Ipv6Addr>() {
        Ok(ip) if serialize_ipv6(&ip) == inner => Ok(()),
        Ok(_) => fail(
            Rule::OriginIp,
            "IPv6 address is not in the form browsers send (RFC 5952: compressed, lower case; no dotted IPv4 part)",
            NEVER_MATCHES,
        )
        .help("write the address compressed and in lower case (RFC 5952), e.g. `http://[::1]:8080`"),
        Err(_) => fail(
            Rule::OriginIp,
            format!("`[{inner}]` is not an IPv6 address"),
            NEVER_MATCHES,
        )
        .help("write a valid IPv6 address between the brackets, e.g. `http://[::1]:8080`, or a domain name without brackets"),
    }
}

/// An IPv6 address as the URL standard serializes it (and so as browsers send it in `Origin`):
/// lower-case hex pieces without leading zeros, the first longest run of two or more zero pieces
/// compressed to `::`, and never an embedded IPv4 form (`::ffff:7f00:1`, where Rust's `Display`
/// writes `::ffff:127.0.0.1`).
pub(super) fn serialize_ipv6(ip: &Ipv6Addr) -> String {
    let pieces = ip.segments();
    // The first longest run of zero pieces, if it is at least two long.
    let (mut best, mut run) = ((0, 0), (0, 0));
    for (i, &p) in pieces.iter().enumerate() {
        if p == 0 {
            if run.1 == 0 {
                run.0 = i;
            }
            run.1 += 1;
            if run.1 > best.1 {
                best = run;
            }
        } else {
            run.1 = 0;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < pieces.len() {
        if best.1 >= 2 && i == best.0 {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best.1;
            continue;
        }
        out.push_str(&format!("{:x}", pieces[i]));
        if i + 1 < pieces.len() {
            out.push(':');
        }
        i += 1;
    }
    out
}

fn check_domain(host: &str) -> Result<(), Failure> {
    if !host.is_ascii() {
        return fail(
            Rule::OriginHost,
            "internationalised host names must be written in punycode",
            "browsers send the ASCII (`xn--`) form of the host, so this entry would never match",
        )
        .help("write the host in its ASCII (`xn--`) form, as the browser's address bar shows it when copied");
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return fail(
            Rule::OriginCase,
            "origin host must be lower case",
            NEVER_MATCHES,
        )
        .help("write the host in lower case");
    }
    if host.len() > 253 {
        return fail(
            Rule::OriginHost,
            format!(
                "host is {} bytes long; a DNS name has at most 253",
                host.len()
            ),
            "no browser can send such an origin",
        )
        .help("check the host: a DNS name has at most 253 bytes");
    }
    for label in host.split('.') {
        if label.is_empty() {
            return fail(
                Rule::OriginHost,
                "host has an empty label (`..`, or a leading or trailing `.`)",
                NEVER_MATCHES,
            )
            .help("remove the extra `.`");
        }
        if label.len() > 63 {
            return fail(
                Rule::OriginHost,
                format!("host label `{label}` is longer than 63 bytes"),
                "no DNS name has such a label, so no browser can send it",
            )
            .help("check the host: a DNS label has at most 63 bytes");
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return fail(
                Rule::OriginHost,
                format!("host contains `{bad}`, which is not allowed in a host name"),
                "host labels are letters, digits and `-`",
            )
            .help(format!("remove `{bad}` from the host"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_as_browsers_serialize_it() {
        for (input, expected) in [
            ("::1", "::1"),
            ("::", "::"),
            ("2001:db8::1", "2001:db8::1"),
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("::ffff:127.0.0.1", "::ffff:7f00:1"),
            ("::127.0.0.1", "::7f00:1"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"),
            ("1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"),
        ] {
            let ip: Ipv6Addr = input.parse().expect(input);
            assert_eq!(serialize_ipv6(&ip), expected, "{input}");
        }
    }

    #[test]
    fn a_non_ascii_last_label_is_not_an_ip() {
        assert!(!looks_like_ipv4("a.cö"));
        assert!(!looks_like_ipv4("テスト"));
        assert!(looks_like_ipv4("a.0x7f"));
        assert!(looks_like_ipv4("10.0.0.1"));
    }
}
