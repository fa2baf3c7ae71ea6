//! The browser's cookies: `--cookie NAME=VALUE`, a Netscape cookie jar, and which cookies go
//! with a request (domain, path and `Secure` matching).

use serde::Serialize;

/// One cookie of the browser's jar. Its value is never written to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cookie {
    /// The cookie's name.
    pub name: String,
    /// The cookie's value (left out of reports).
    #[serde(skip_serializing)]
    pub value: String,
    /// The host (lower case, without a leading `.`).
    pub domain: String,
    /// `true`: sent to subdomains of `domain` too (a `Domain=` cookie); `false`: host-only.
    pub include_subdomains: bool,
    /// The path prefix (`/` for every path).
    pub path: String,
    /// Sent over https only.
    pub secure: bool,
}

/// The parts of an http(s) URL the cookie rules and redirects need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// `http` or `https`, lower case.
    pub scheme: String,
    /// `host[:port]` as written (user info removed).
    pub authority: String,
    /// The host, lower case, without the port.
    pub host: String,
    /// The path (`/` when empty), without query or fragment.
    pub path: String,
    /// The query with its `?`, or empty.
    pub query: String,
    /// `true` when the URL carries `user[:password]@`.
    pub has_credentials: bool,
}

/// Splits an http(s) URL; `None` for anything else.
pub fn url_parts(url: &str) -> Option<UrlParts> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (has_credentials, authority) = match authority.rsplit_once('@') {
        Some((_, a)) => (true, a),
        None => (false, authority),
    };
    let host = match authority.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next()?),
        None => authority.split(':').next()?.to_owned(),
    }
    .to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let tail = tail.split('#').next().unwrap_or_default();
    let (path, query) = match tail.find('?') {
        Some(i) => (&tail[..i], &tail[i..]),
        None => (tail, ""),
    };
    Some(UrlParts {
        scheme,
        authority: authority.to_owned(),
        host,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        query: query.to_owned(),
        has_credentials,
    })
}

impl Cookie {
    /// A host-only cookie for `url`'s host, valid on every path (`--cookie NAME=VALUE`).
    pub fn for_url(pair: &str, url: &str) -> Result<Cookie, String> {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("cookie {pair:?}: expected NAME=VALUE"));
        };
        let name = name.trim();
        if !cors_policy::names::is_token(name) || value.bytes().any(invalid_cookie_byte) {
            return Err(format!(
                "cookie {pair:?}: the name must be a token and the value must not contain `;`, `,`, spaces, quotes or control characters"
            ));
        }
        let parts = url_parts(url).ok_or_else(|| format!("URL {url:?}: not http(s)"))?;
        Ok(Cookie {
            name: name.to_owned(),
            value: value.to_owned(),
            domain: parts.host,
            include_subdomains: false,
            path: "/".into(),
            secure: false,
        })
    }

    /// Whether the browser sends this cookie with a request to `url` (RFC 6265 domain and
    /// path matching, `Secure` on https only).
    pub fn matches(&self, url: &str) -> bool {
        let Some(parts) = url_parts(url) else {
            return false;
        };
        let domain_ok = parts.host == self.domain
            || (self.include_subdomains && parts.host.ends_with(&format!(".{}", self.domain)));
        let path_ok = parts.path == self.path
            || (parts.path.starts_with(&self.path)
                && (self.path.ends_with('/') || parts.path[self.path.len()..].starts_with('/')));
        domain_ok && path_ok && (!self.secure || parts.scheme == "https")
    }
}

fn invalid_cookie_byte(b: u8) -> bool {
    b < 0x21 || b == 0x7f || b == b'"' || b == b',' || b == b';' || b == b'\\'
}

/// Reads a Netscape cookie jar (as written by curl and browser extensions): one cookie a
/// line, seven tab-separated fields `domain`, `include-subdomains`, `path`, `secure`,
/// `expires` (Unix seconds, 0 for a session cookie), `name`, `value`. Comments (`#`) and
/// blank lines are skipped, `#HttpOnly_` prefixes accepted, expired cookies left out (`now`
/// in Unix seconds).
pub fn parse_cookie_jar(text: &str, now: u64) -> Result<Vec<Cookie>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let line = line.strip_prefix("#HttpOnly_").unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [domain, subdomains, path, secure, expires, name, value] = fields[..] else {
            return Err(format!(
                "line {}: expected 7 tab-separated fields (domain, include-subdomains, path, secure, expires, name, value), found {}",
                i + 1,
                fields.len()
            ));
        };
        let flag = |v: &str, what: &str| match v.to_ascii_uppercase().as_str() {
            "TRUE" => Ok(true),
            "FALSE" => Ok(false),
            _ => Err(format!(
                "line {}: {what} must be TRUE or FALSE, not {v:?}",
                i + 1
            )),
        };
        let expires: u64 = expires
            .trim()
            .parse()
            .map_err(|_| format!("line {}: expires {expires:?} is not a number", i + 1))?;
        if expires != 0 && expires <= now {
            continue;
        }
        let include_subdomains = flag(subdomains, "include-subdomains")?;
        let domain = domain.trim().to_ascii_lowercase();
        let domain = domain.strip_prefix('.').unwrap_or(&domain).to_owned();
        if domain.is_empty() {
            return Err(format!("line {}: empty domain", i + 1));
        }
        out.push(Cookie {
            name: name.to_owned(),
            value: value.to_owned(),
            domain,
            include_subdomains,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            secure: flag(secure, "secure")?,
        });
    }
    Ok(out)
}

/// The `Cookie` header the browser sends to `url`, if any cookie matches: longer paths first,
/// as browsers order them.
pub fn cookie_header(cookies: &[Cookie], url: &str) -> Option<String> {
    let mut matching: Vec<&Cookie> = cookies.iter().filter(|c| c.matches(url)).collect();
    matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
    (!matching.is_empty()).then(|| {
        matching
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// A `Cookie` header with the values left out, for reports: `session=…; theme=…`.
pub fn redact_cookie_header(value: &str) -> String {
    value
        .split("; ")
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => format!("{name}=…"),
            None => "…".to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Resolves a `Location` value against the URL it answered (absolute, scheme-relative,
/// absolute-path, relative-path and query-only references; `.`/`..` segments removed).
pub fn resolve_location(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if let Some((scheme, _)) = location.split_once(':') {
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !location.starts_with('/')
        {
            return Some(location.to_owned());
        }
    }
    let base = url_parts(base)?;
    let location = location.split('#').next().unwrap_or_default();
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{}://{rest}", base.scheme));
    }
    let (path, query) = match location.find('?') {
        Some(i) => (&location[..i], &location[i..]),
        None => (location, ""),
    };
    let merged = if path.is_empty() {
        let query = if query.is_empty() { &base.query } else { query };
        return Some(format!(
            "{}://{}{}{query}",
            base.scheme, base.authority, base.path
        ));
    } else if path.starts_with('/') {
        path.to_owned()
    } else {
        let dir = base.path.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = merged.split('/').skip(1).collect();
    for (i, segment) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *segment {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                segments.pop();
                if last {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    Some(format!(
        "{}://{}/{}{query}",
        base.scheme,
        base.authority,
        segments.join("/")
    ))
}
