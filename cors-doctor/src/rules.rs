//! The Fetch standard's name lists and the small parsers the checks need.

// The Fetch standard's name lists and token rule: one copy, the checker's (`cors-policy`, which
// the doctor takes without its features, so without the public-suffix list or `url`).
pub use cors_policy::names::{
    is_forbidden_request_header, is_token, FORBIDDEN_REQUEST_HEADERS, FORBIDDEN_RESPONSE_HEADERS,
    SAFELISTED_RESPONSE_HEADERS,
};

/// The browser's method normalisation: DELETE, GET, HEAD, OPTIONS, POST and PUT are
/// upper-cased; any other method is sent as written (`patch` stays `patch`).
pub fn normalize_method(method: &str) -> String {
    cors_policy::names::NORMALIZED_METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned())
}

/// GET, HEAD and POST (case-sensitive, after normalisation).
pub fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// CONNECT, TRACE and TRACK, in any case.
pub fn is_forbidden_method(method: &str) -> bool {
    cors_policy::names::FORBIDDEN_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// Whether a request header is CORS-safelisted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safelisted {
    /// Name and value are safelisted.
    Yes,
    /// The name is not a safelisted name.
    NameNot,
    /// The name is, the value is not; why.
    ValueNot(&'static str),
}

fn cors_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f || b"\"():<>?@[\\]{}".contains(&b)
}

/// Fetch's "CORS-safelisted request-header" for a lower-case `name`.
pub fn safelisted_request_header(name: &str, value: &str) -> Safelisted {
    if !matches!(
        name,
        "accept" | "accept-language" | "content-language" | "content-type" | "range"
    ) {
        return Safelisted::NameNot;
    }
    if value.len() > 128 {
        return Safelisted::ValueNot("longer than 128 bytes");
    }
    match name {
        "accept" => {
            if value.bytes().any(cors_unsafe_byte) {
                return Safelisted::ValueNot("it contains a CORS-unsafe byte");
            }
        }
        "accept-language" | "content-language" => {
            let ok = value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b));
            if !ok {
                return Safelisted::ValueNot("only letters, digits, space and *,-.;= are allowed");
            }
        }
        "content-type" => {
            if value.bytes().any(cors_unsafe_byte) {
                return Safelisted::ValueNot("it contains a CORS-unsafe byte");
            }
            let essence = value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if !matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            ) {
                return Safelisted::ValueNot(
                    "only application/x-www-form-urlencoded, multipart/form-data and text/plain are safelisted",
                );
            }
        }
        _ => {
            // range: a simple range, `bytes=start-[end]`.
            let simple = value.strip_prefix("bytes=").and_then(|r| {
                let (start, end) = r.split_once('-')?;
                let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if !digits(start) || !(end.is_empty() || digits(end)) {
                    return None;
                }
                if !end.is_empty() {
                    let (s, e) = (start.parse::<u128>().ok()?, end.parse::<u128>().ok()?);
                    if s > e {
                        return None;
                    }
                }
                Some(())
            });
            if simple.is_none() {
                return Safelisted::ValueNot(
                    "only a single range `bytes=start-[end]` is safelisted",
                );
            }
        }
    }
    Safelisted::Yes
}

/// A comma-separated list of tokens (`Access-Control-Allow-Methods`, `-Allow-Headers`,
/// `-Expose-Headers`), empty elements ignored, as Chromium parses it. `Err` holds the first
/// element that is not a token.
pub fn parse_list(value: Option<&str>) -> Result<Vec<String>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for element in value.split(',') {
        let element = element.trim_matches([' ', '\t']);
        if element.is_empty() {
            continue;
        }
        if !is_token(element) {
            return Err(element.to_owned());
        }
        out.push(element.to_owned());
    }
    Ok(out)
}

/// Checks that `origin` is a serialized origin as a browser sends it (or `null`); `Err` says
/// why not.
pub fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "null" {
        return Ok(());
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Err("an origin is scheme://host[:port], such as https://app.example.com".into());
    };
    if !rest.is_ascii() {
        return Err(
            "browsers send internationalised host names in their ASCII form (xn--...)".into(),
        );
    }
    if scheme != scheme.to_ascii_lowercase() || rest != rest.to_ascii_lowercase() {
        return Err(format!(
            "browsers send origins in lower case: {}",
            origin.to_ascii_lowercase()
        ));
    }
    if !matches!(scheme, "http" | "https") {
        return Err("the scheme must be http or https (other schemes send `null`)".into());
    }
    if rest.is_empty() {
        return Err("no host".into());
    }
    if rest.contains(['/', '?', '#']) {
        return Err(format!(
            "an origin has no path, query or fragment, not even a trailing `/`: did you mean {scheme}://{}?",
            rest.split(['/', '?', '#']).next().unwrap_or_default()
        ));
    }
    if rest.contains('@') {
        return Err("an origin has no user info".into());
    }
    let default = if scheme == "https" { ":443" } else { ":80" };
    if rest.ends_with(default) {
        return Err(format!(
            "browsers omit the default port {}: {scheme}://{}",
            &default[1..],
            rest.trim_end_matches(default)
        ));
    }
    Ok(())
}

/// The origin of an `http`/`https` URL (`scheme://host[:port]`, lower case, default port
/// omitted), or `None` when it is not one.
pub fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if authority.is_empty() {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority.as_str(), None),
    };
    if host.is_empty() {
        return None;
    }
    let default = if scheme == "https" { "443" } else { "80" };
    Some(match port {
        Some(p) if !p.is_empty() && p != default => {
            let p: u16 = p.parse().ok()?;
            format!("{scheme}://{host}:{p}")
        }
        Some(p) if !p.is_empty() && p.parse::<u16>().is_err() => return None,
        _ => format!("{scheme}://{host}"),
    })
}
