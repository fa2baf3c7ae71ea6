//! Attack corpus: hostile `Origin` values against every kind of policy `#[cors]` accepts.
//!
//! One app holds a handler per policy shape: exact origins with credentials, a `*.` subdomain
//! pattern, `:*` port patterns, IP origins, a pattern with both wildcards, a list long enough to
//! be hashed, and a plain `"*"` policy. Every hostile origin of [`corpus`] is sent to every
//! handler, as an actual request and as a preflight, through the table-driven harness of
//! `support/mod.rs`, which checks the exact set of CORS headers, the status and whether the
//! handler ran. None of them may be granted: no `Access-Control-Allow-Origin` (but the `"*"`
//! policy's `*`), no `Access-Control-Allow-Credentials`, preflights refused with `403`, and
//! `Vary` on every answer that depends on the origin. The legitimate origins of each policy are
//! checked too, so the suite fails if matching is too strict as well as too loose.
//!
//! The last tests go through a real server on loopback, for what the test request builder cannot
//! send: control bytes, obs-folded lines, and header blocks larger than actix-web accepts.

use crate::support;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{get, web, App, Error, HttpResponse, HttpServer};
use cors_runtime::cors;
use support::Outcome::*;
use support::{
    case, get, hit, opts, pf_ok, refused, vary_only, Case, Headers, Req, ACAC, ACAH, ACAO, VARY_,
};

// ---------------------------------------------------------------------------------------------
// Handlers: one per policy shape. Each is a `GET` route, so every preflight asks for `GET`.

/// Exact origins, one with a port, credentials.
#[cors(
    origins = ["https://app.example.com", "https://admin.example.com:8443"],
    credentials,
    allow_headers = ["Content-Type"]
)]
#[get("/exact")]
async fn exact() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Any subdomain of `example.com` (never `example.com` itself), credentials.
#[cors(origins = ["https://*.example.com"], credentials)]
#[get("/sub")]
async fn sub() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Loopback on any port, by name and as an IPv6 literal, credentials.
#[cors(origins = ["http://localhost:*", "http://[::1]:*"], credentials)]
#[get("/ports")]
async fn ports() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// IP literals: loopback with a port, a documentation IPv4 without one, an IPv6 with a port.
#[cors(origins = ["http://127.0.0.1:8080", "http://192.0.2.10", "http://[2001:db8::1]:8080"])]
#[get("/ip")]
async fn ip() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Both wildcards at once: any subdomain of `example.org`, any port.
#[cors(origins = ["https://*.example.org:*"])]
#[get("/subport")]
async fn subport() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// More exact origins than the runtime scans one by one: looked up in its hash table.
#[cors(origins = [
    "https://app.example.com",
    "https://admin.example.com:8443",
    "https://one.example.net",
    "https://two.example.net",
    "https://three.example.net",
    "https://four.example.net",
    "http://127.0.0.1:8080",
    "http://[2001:db8::1]:8080",
])]
#[get("/many")]
async fn many() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

/// Any origin, without credentials: `*`, whatever the request's origin.
#[cors(origins = ["*"])]
#[get("/public")]
async fn public() -> HttpResponse {
    hit();
    HttpResponse::Ok().finish()
}

fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .service(exact)
        .service(sub)
        .service(ports)
        .service(ip)
        .service(subport)
        .service(many)
        .service(public)
}

/// Every path whose policy lists origins (all but `/public`).
const LISTED: [&str; 6] = ["/exact", "/sub", "/ports", "/ip", "/subport", "/many"];

/// The policies with credentials.
fn credentialed(path: &str) -> bool {
    matches!(path, "/exact" | "/sub" | "/ports")
}

// ---------------------------------------------------------------------------------------------
// Expected answers.

/// A granted preflight of `path` for `origin`.
fn pf_grant(path: &str, origin: &'static str) -> Headers {
    let mut more = Vec::new();
    if credentialed(path) {
        more.push((ACAC, "true"));
    }
    if path == "/exact" {
        more.push((ACAH, "content-type"));
    }
    pf_ok(origin, "GET", &more)
}

/// A granted actual response of `path` for `origin`.
fn actual_grant(path: &str, origin: &'static str) -> Headers {
    let mut h = vec![(ACAO, origin), (VARY_, "Origin")];
    if credentialed(path) {
        h.push((ACAC, "true"));
    }
    h
}

/// A preflight for `GET` with `origin` given as raw bytes.
fn pf_bytes(path: &str, origin: &[u8]) -> Req {
    opts(path).bytes("origin", origin).acrm("GET")
}

/// A `GET` with `origin` given as raw bytes.
fn get_bytes(path: &str, origin: &[u8]) -> Req {
    get(path).bytes("origin", origin)
}

/// The two cases (actual, preflight) saying `origin` is refused by `path`; for `/public`, that
/// it gets `*` and nothing else.
#[rustfmt::skip]
fn refused_cases(path: &str, label: &str, origin: &[u8]) -> [Case; 2] {
    let shown = String::from_utf8_lossy(origin);
    let shown: String = if origin.len() > 80 {
        let start: String = shown.chars().take(60).collect();
        format!("{start:?}... ({} bytes)", origin.len())
    } else {
        format!("{shown:?}")
    };
    let name = |kind: &str| format!("{path} {kind} [{label}] {shown}");
    if path == "/public" {
        [
            case(name("actual"), get_bytes(path, origin), Actual, 200, vec![(ACAO, "*")]),
            case(name("preflight"), pf_bytes(path, origin), Granted, 204, pf_ok("*", "GET", &[])),
        ]
    } else {
        [
            case(name("actual"), get_bytes(path, origin), Actual, 200, vary_only()),
            case(name("preflight"), pf_bytes(path, origin), Refused, 403, refused()),
        ]
    }
}

/// A host of exactly `len` bytes under `example.com`, made of the longest labels DNS allows.
fn host_under_example_com(len: usize) -> String {
    let base = "example.com";
    let mut left = len - base.len();
    let mut host = String::new();
    while left > 64 {
        host.push_str(&"a".repeat(63));
        host.push('.');
        left -= 64;
    }
    host.push_str(&"b".repeat(left - 1));
    host.push('.');
    host.push_str(base);
    assert_eq!(host.len(), len);
    host
}

// ---------------------------------------------------------------------------------------------
// The corpus.

/// Hostile origins, each with the attack it stands for. No policy of [`app`] may grant any of
/// them (`/public` answers `*`, never the origin itself). Values are bytes: some are not UTF-8.
#[rustfmt::skip]
fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let mut c: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let mut add = |label: &'static str, origin: &[u8]| c.push((label, origin.to_vec()));

    // Reflection: origins no policy lists. A layer that echoes the request's origin grants them.
    add("reflection: unrelated site", b"https://evil.com");
    add("reflection: unrelated site with port", b"https://attacker.example.net:8443");
    add("reflection: http unrelated site", b"http://evil.com");

    // `null`: sandboxed iframes, `data:` and `file:` pages, redirects; any page can produce it.
    add("null", b"null");
    add("null, upper case", b"NULL");
    add("null, quoted", b"\"null\"");
    add("null, trailing space", b"null ");

    // Prefix and suffix confusion: a listed origin as a prefix or suffix of the attacker's host.
    add("suffix: listed origin followed by attacker domain", b"https://app.example.com.evil.com");
    add("suffix: pattern base followed by attacker domain", b"https://example.com.evil.com");
    add("suffix: subdomain-looking host under attacker domain", b"https://a.example.com.evil.net");
    add("suffix: base without the dot", b"https://evilexample.com");
    add("suffix: one letter before the base", b"https://xexample.com");
    add("suffix: subdomain of a look-alike base", b"https://a.evilexample.com");
    add("prefix: truncated listed origin", b"https://app.example.co");
    add("prefix: listed origin plus letters", b"https://app.example.comm");
    add("prefix and suffix: listed origin cut at both ends", b"https://pp.example.co");
    add("suffix: IP origin inside a longer IP", b"http://1192.0.2.10");
    add("prefix: IP origin followed by more digits", b"http://192.0.2.100");
    add("suffix: loopback name inside another host", b"http://evillocalhost:3000");
    add("suffix: loopback name as a subdomain", b"http://localhost.evil.com:3000");
    add("prefix: exact port as a prefix of another", b"http://127.0.0.1:80800");

    // Unescaped dots: a regular expression `app.example.com` matches any character for `.`.
    add("unescaped dot: X for the first dot", b"https://appXexample.com");
    add("unescaped dot: hyphen for the first dot", b"https://app-example.com");
    add("unescaped dot: in an IP literal", b"http://127x0x0x1:8080");
    add("unescaped dot: in a pattern base", b"https://a.exampleXorg");

    // Scheme downgrade and other schemes: an http page can be injected into by anyone on the
    // network; a credentialed https entry must not trust it.
    add("scheme downgrade: https entry asked over http", b"http://app.example.com");
    add("scheme downgrade: with the entry's port", b"http://admin.example.com:8443");
    add("scheme downgrade: under the subdomain pattern", b"http://a.example.com");
    add("scheme upgrade: http loopback entry asked over https", b"https://localhost:3000");
    add("other scheme: websocket", b"wss://app.example.com");
    add("scheme, upper case", b"HTTPS://app.example.com");
    add("scheme without its slashes", b"https:app.example.com");
    add("scheme with one slash", b"https:/app.example.com");
    add("scheme with three slashes", b"https:///app.example.com");

    // Case: browsers lower-case scheme and host and compare byte for byte.
    add("case: upper-case host", b"https://APP.EXAMPLE.COM");
    add("case: mixed-case host", b"https://App.Example.Com");
    add("case: upper-case label under the pattern", b"https://A.example.com");
    add("case: upper-case loopback name", b"http://LOCALHOST:3000");

    // Odd ports: browsers omit the default port and write ports in plain decimal.
    add("port: default https port spelled out", b"https://app.example.com:443");
    add("port: default http port spelled out", b"http://192.0.2.10:80");
    add("port: default port under the pattern", b"https://a.example.com:443");
    add("port: listed host on another port", b"https://admin.example.com:8444");
    add("port: listed port on another host", b"https://app.example.com:8443");
    add("port: leading zero", b"http://127.0.0.1:08080");
    add("port: zero", b"http://localhost:0");
    add("port: above 65535", b"http://localhost:65536");
    add("port: overflowing u64", b"http://localhost:99999999999999999999");
    add("port: signed", b"http://localhost:+3000");
    add("port: negative", b"http://localhost:-1");
    add("port: space before", b"http://localhost: 3000");
    add("port: empty", b"http://localhost:");
    add("port: twice", b"http://localhost:3000:3000");
    add("port: hex", b"http://localhost:0x50");
    add("port: zero under the both-wildcard pattern", b"https://a.example.org:0");
    add("port: empty under the both-wildcard pattern", b"https://a.example.org:");
    add("port: leading zero under the both-wildcard pattern", b"https://a.example.org:0443");

    // Userinfo: a URL parser reads the host after `@`; a string match reads the start.
    add("userinfo: listed origin as the user", b"https://app.example.com@evil.com");
    add("userinfo: attacker as the user", b"https://evil.com@app.example.com");
    add("userinfo: user and password", b"https://user:pass@app.example.com");
    add("userinfo: loopback with port as the user", b"http://localhost:3000@evil.com");
    add("userinfo: under the pattern", b"https://evil.com@a.example.com");

    // Paths, queries, fragments: an origin has none, not even `/`.
    add("path: trailing slash", b"https://app.example.com/");
    add("path: listed origin with a path", b"https://app.example.com/api");
    add("path: pattern base in the path", b"https://evil.com/.example.com");
    add("query: pattern base in the query", b"https://evil.com?.example.com");
    add("fragment: pattern base in the fragment", b"https://evil.com#.example.com");
    add("query: listed origin with a query", b"https://app.example.com?x=1");

    // Backslash: URL parsers read `\` as `/` in special schemes.
    add("backslash: as the path separator", b"https://evil.com\\.example.com");
    add("backslash: after a listed origin", b"https://app.example.com\\evil.com");
    add("backslash: instead of the slashes", b"https:\\\\app.example.com");

    // Percent-encoding: a decoding layer would turn these into listed origins.
    add("percent: encoded dot in the host", b"https://app%2eexample.com");
    add("percent: encoded dot before the TLD", b"https://app.example%2ecom");
    add("percent: whole origin encoded", b"https%3A%2F%2Fapp.example.com");
    add("percent: encoded slash before the pattern base", b"https://evil.com%2f.example.com");
    add("percent: encoded port separator", b"http://localhost%3a3000");
    add("percent: encoded label under the pattern", b"https://%61.example.com");

    // IP-literal variants: a URL parser normalises them to the listed address; browsers send the
    // normalised form only, so any other spelling is not a browser's origin.
    add("IPv4: short form", b"http://127.1:8080");
    add("IPv4: decimal", b"http://2130706433:8080");
    add("IPv4: octal", b"http://0177.0.0.1:8080");
    add("IPv4: hex", b"http://0x7f.0.0.1:8080");
    add("IPv4: hex, one number", b"http://0x7f000001:8080");
    add("IPv4: zero-padded", b"http://192.000.002.010");
    add("IPv4: trailing dot", b"http://192.0.2.10.");
    add("IPv4: mapped into IPv6", b"http://[::ffff:127.0.0.1]:8080");
    add("IPv4: mapped into IPv6, hex", b"http://[::ffff:7f00:1]:8080");
    add("IPv6: loopback uncompressed", b"http://[0:0:0:0:0:0:0:1]:3000");
    add("IPv6: loopback partly compressed", b"http://[::0:1]:3000");
    add("IPv6: loopback with leading zeros", b"http://[::0001]:3000");
    add("IPv6: zone identifier", b"http://[::1%25eth0]:3000");
    add("IPv6: extra closing bracket", b"http://[::1]]:3000");
    add("IPv6: missing closing bracket", b"http://[::1:3000");
    add("IPv6: no brackets", b"http://::1:3000");
    add("IPv6: port glued to the bracket", b"http://[::1]3000");
    add("IPv6: upper-case hex", b"http://[2001:DB8::1]:8080");
    add("IPv6: uncompressed", b"http://[2001:db8:0:0:0:0:0:1]:8080");
    add("IPv6: leading zero in a group", b"http://[2001:0db8::1]:8080");
    add("IPv6: listed address on another port", b"http://[2001:db8::1]:8081");

    // Homographs and non-ASCII: browsers send IDN hosts in punycode only.
    add("homograph: Cyrillic a in the label", "https://аpp.example.com".as_bytes());
    add("homograph: Cyrillic a in the base", "https://app.exаmple.com".as_bytes());
    add("homograph: Cyrillic a under the pattern", "https://а.example.com".as_bytes());
    add("homograph: fullwidth letter", "https://ａpp.example.com".as_bytes());
    add("homograph: ideographic full stop", "https://app。example.com".as_bytes());
    add("homograph: Cyrillic o in localhost", "http://lоcalhost:3000".as_bytes());
    add("non-UTF-8 byte in the host", b"https://app.\xe9xample.com");
    add("non-UTF-8 byte under the pattern", b"https://\xff.example.com");

    // Control bytes and whitespace the request builder lets through (the others are sent over
    // a real socket in `control_bytes_on_the_wire`).
    add("control: trailing tab", b"https://app.example.com\t");
    add("control: leading tab", b"\thttps://app.example.com");
    add("control: tab inside the host", b"https://app.\texample.com");
    add("whitespace: trailing space", b"https://app.example.com ");
    add("whitespace: space inside the host", b"https://app .example.com");

    // Empty and lists: `Origin` holds exactly one origin.
    add("empty", b"");
    add("single space", b" ");
    add("list: attacker first", b"https://evil.com, https://app.example.com");
    add("list: listed origin first", b"https://app.example.com, https://evil.com");
    add("list: space-separated", b"https://app.example.com https://evil.com");
    add("quoted listed origin", b"\"https://app.example.com\"");

    // Other origin kinds that must never be trusted.
    add("file scheme, empty", b"file://");
    add("file scheme with a path", b"file:///etc/passwd");
    add("data URL", b"data:text/html,<script>1</script>");
    add("opaque about:blank", b"about:blank");
    add("browser extension", b"chrome-extension://abcdefghijklmnop");

    // Pattern edges.
    add("pattern: the base itself", b"https://example.com");
    add("pattern: empty label", b"https://.example.com");
    add("pattern: empty inner label", b"https://a..example.com");
    add("pattern: trailing dot", b"https://a.example.com.");
    add("exact: trailing dot", b"https://app.example.com.");
    add("pattern: the pattern text itself", b"https://*.example.com");
    add("pattern: port pattern text itself", b"http://localhost:*");
    add("pattern: both-wildcard text itself", b"https://*.example.org:*");
    add("pattern: bare star", b"*");
    add("pattern: base of the both-wildcard pattern", b"https://example.org");
    add("pattern: base of the both-wildcard pattern with a port", b"https://example.org:8443");
    add("pattern: label with a colon", b"https://a:b.example.com");
    add("pattern: label with an at sign", b"https://a@b.example.com");
    add("pattern: label of 64 bytes", format!("https://{}.example.com", "a".repeat(64)).as_bytes());
    add("pattern: host of 254 bytes", format!("https://{}", host_under_example_com(254)).as_bytes());
    add("pattern: loopback subdomain", b"http://a.localhost:3000");

    // Huge values: bounded work, no allocation blow-up, no panic.
    add("huge: 10 KB label", format!("https://{}.example.com", "a".repeat(10 * 1024)).as_bytes());
    add("huge: 64 KB of valid labels under the pattern",
        format!("https://{}example.com", "a.".repeat(32 * 1024)).as_bytes());
    add("huge: 64 KB after a listed origin", format!("https://app.example.com{}", "/".repeat(64 * 1024)).as_bytes());
    add("huge: 64 KB of colons after loopback", format!("http://localhost{}", ":".repeat(64 * 1024)).as_bytes());
    add("huge: 64 KB IPv6 literal", format!("http://[{}1]:3000", "0:".repeat(32 * 1024)).as_bytes());
    c
}

/// Origins each policy grants: the other half of the proof.
fn legitimate() -> Vec<(&'static str, &'static str)> {
    let long_host: &'static str = format!("https://{}", host_under_example_com(253)).leak();
    let long_label: &'static str = format!("https://{}.example.com", "a".repeat(63)).leak();
    vec![
        ("/exact", "https://app.example.com"),
        ("/exact", "https://admin.example.com:8443"),
        ("/sub", "https://app.example.com"),
        ("/sub", "https://a.b.example.com"),
        ("/sub", "https://xn--80ak6aa92e.example.com"),
        ("/sub", long_label),
        ("/sub", long_host),
        ("/ports", "http://localhost"),
        ("/ports", "http://localhost:3000"),
        ("/ports", "http://localhost:65535"),
        ("/ports", "http://[::1]"),
        ("/ports", "http://[::1]:5173"),
        ("/ip", "http://127.0.0.1:8080"),
        ("/ip", "http://192.0.2.10"),
        ("/ip", "http://[2001:db8::1]:8080"),
        ("/subport", "https://a.example.org"),
        ("/subport", "https://a.b.example.org:8443"),
        ("/many", "https://app.example.com"),
        ("/many", "https://admin.example.com:8443"),
        ("/many", "https://one.example.net"),
        ("/many", "https://four.example.net"),
        ("/many", "http://127.0.0.1:8080"),
        ("/many", "http://[2001:db8::1]:8080"),
    ]
}

// ---------------------------------------------------------------------------------------------
// The tables below are kept one case per line (or a few): `#[rustfmt::skip]` on each of them.

#[test]
fn corpus_is_large_enough_and_distinct() {
    let c = corpus();
    assert!(c.len() >= 60, "{} hostile origins", c.len());
    let mut seen = std::collections::HashSet::new();
    for (label, origin) in &c {
        assert!(
            seen.insert(origin.clone()),
            "duplicate origin in the corpus: {label}"
        );
    }
    // None of the legitimate origins is in the corpus by mistake.
    for (path, origin) in legitimate() {
        assert!(
            !seen.contains(origin.as_bytes()),
            "{path} {origin} is in the corpus"
        );
    }
}

#[actix_web::test]
async fn hostile_origins_are_never_granted() {
    let mut cases = Vec::new();
    for (label, origin) in corpus() {
        for path in LISTED.iter().chain(["/public"].iter()) {
            cases.extend(refused_cases(path, label, &origin));
        }
    }
    let total = cases.len();
    support::run(app(), "hostile_origins_are_never_granted", cases).await;
    println!("{total} cases passed");
}

#[actix_web::test]
#[rustfmt::skip]
async fn legitimate_origins_are_granted() {
    let mut cases = Vec::new();
    for (path, origin) in legitimate() {
        cases.push(case(format!("{path} actual {origin}"), support::get(path).origin(origin), Actual, 200, actual_grant(path, origin)));
        cases.push(case(format!("{path} preflight {origin}"), support::pf(path, origin, "GET"), Granted, 204, pf_grant(path, origin)));
    }
    let total = cases.len();
    support::run(app(), "legitimate_origins_are_granted", cases).await;
    println!("{total} cases passed");
}

/// Only the first `Origin` line counts, as browsers send one: a listed origin on a later line
/// grants nothing to a refused first one (and a refused later line takes nothing away).
#[actix_web::test]
#[rustfmt::skip]
async fn repeated_origin_lines() {
    const APP: &str = "https://app.example.com";
    const EVIL: &str = "https://evil.com";
    let mut cases = Vec::new();
    for path in ["/exact", "/sub", "/many"] {
        let n = |what: &str| format!("{path}: {what}");
        cases.extend([
            case(n("refused first, listed second (actual)"), get(path).origin(EVIL).origin(APP), Actual, 200, vary_only()),
            case(n("refused first, listed second (preflight)"), opts(path).origin(EVIL).origin(APP).acrm("GET"), Refused, 403, refused()),
            case(n("empty first, listed second (actual)"), get(path).origin("").origin(APP), Actual, 200, vary_only()),
            case(n("empty first, listed second (preflight)"), opts(path).origin("").origin(APP).acrm("GET"), Refused, 403, refused()),
            case(n("null first, listed second (preflight)"), opts(path).origin("null").origin(APP).acrm("GET"), Refused, 403, refused()),
            case(n("listed first, refused second (actual)"), get(path).origin(APP).origin(EVIL), Actual, 200, actual_grant(path, APP)),
            case(n("listed first, refused second (preflight)"), opts(path).origin(APP).origin(EVIL).acrm("GET"), Granted, 204, pf_grant(path, APP)),
        ]);
        // Fifty lines: the first still decides.
        let mut lines = opts(path).origin(EVIL);
        for _ in 0..49 {
            lines = lines.origin(APP);
        }
        cases.push(case(n("refused first, 49 listed after (preflight)"), lines.acrm("GET"), Refused, 403, refused()));
    }
    cases.push(case("/public: refused first, listed second", get("/public").origin(EVIL).origin(APP), Actual, 200, vec![(ACAO, "*")]));
    let total = cases.len();
    support::run(app(), "repeated_origin_lines", cases).await;
    println!("{total} cases passed");
}

/// Hostile origins with a preflight method the route does not serve: `#[cors]` does not answer
/// (the guide: such preflights fall through to the default service), and nothing is granted.
#[actix_web::test]
#[rustfmt::skip]
async fn hostile_preflights_for_unrouted_methods_fall_through() {
    let mut cases = Vec::new();
    for (label, origin) in corpus().into_iter().take(20) {
        for path in LISTED.iter().chain(["/public"].iter()) {
            for method in ["DELETE", "get", "OPTIONS", ""] {
                let r = opts(path).bytes("origin", &origin).acrm(method);
                cases.push(case(format!("{path} ACRM {method:?} [{label}]"), r, FallsThrough, 404, Vec::new()));
            }
        }
    }
    let total = cases.len();
    support::run(app(), "hostile_preflights_for_unrouted_methods_fall_through", cases).await;
    println!("{total} cases passed");
}

// ---------------------------------------------------------------------------------------------
// Over a real socket: what the test request builder refuses to build.

/// A request for `path` with `origin_lines` (each a complete `Name: value` line, raw bytes).
fn raw_request(method: &str, path: &str, origin_lines: &[&[u8]], preflight: bool) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for line in origin_lines {
        r.extend_from_slice(line);
        r.extend_from_slice(b"\r\n");
    }
    if preflight {
        r.extend_from_slice(b"Access-Control-Request-Method: GET\r\n");
    }
    r.extend_from_slice(b"Connection: close\r\n\r\n");
    r
}

/// What a refused answer may look like on the wire: the route's refusal (`Vary` only) when the
/// HTTP parser accepts the request, or the parser's own `4xx` with no CORS header at all.
fn refused_on_the_wire(
    status: u16,
    headers: &[(String, String)],
    preflight: bool,
) -> Result<(), String> {
    let allow = headers
        .iter()
        .any(|(n, _)| n.starts_with("access-control-allow-"));
    let want_vary = if preflight { support::PFV } else { "Origin" };
    let only_vary = headers.len() == 1 && headers[0] == (VARY_.to_owned(), want_vary.to_owned());
    match status {
        _ if allow => Err(format!("granted: {headers:?}")),
        500..=599 => Err(format!("server error {status}")),
        0 => Err("no answer".into()),
        200 if !preflight && only_vary => Ok(()),
        403 if preflight && only_vary => Ok(()),
        400..=499 if headers.is_empty() => Ok(()),
        _ => Err(format!("unexpected answer {status} {headers:?}")),
    }
}

#[actix_web::test]
#[rustfmt::skip]
async fn control_bytes_on_the_wire() {
    let server = HttpServer::new(app)
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    // Each entry: the attack, and the `Origin` lines (raw bytes) sent for it.
    let mut hostile: Vec<(&str, Vec<Vec<u8>>)> = Vec::new();
    for (name, byte) in [
        ("NUL", 0x00u8),
        ("SOH", 0x01),
        ("backspace", 0x08),
        ("vertical tab", 0x0b),
        ("form feed", 0x0c),
        ("bare CR", b'\r'),
        ("escape", 0x1b),
        ("unit separator", 0x1f),
        ("DEL", 0x7f),
    ] {
        let mut suffix = b"Origin: https://app.example.com".to_vec();
        suffix.push(byte);
        let mut inside = b"Origin: https://app.".to_vec();
        inside.push(byte);
        inside.extend_from_slice(b"example.com");
        hostile.push((name, vec![suffix]));
        hostile.push((name, vec![inside]));
    }
    hostile.extend([
        ("obs-fold continuation", vec![b"Origin: https://evil.com".to_vec(), b" https://app.example.com".to_vec()]),
        ("repeated, refused first", vec![b"Origin: https://evil.com".to_vec(), b"Origin: https://app.example.com".to_vec()]),
        ("repeated, lower-case name second", vec![b"Origin: null".to_vec(), b"origin: https://app.example.com".to_vec()]),
        ("space before the colon", vec![b"Origin : https://app.example.com".to_vec()]),
        ("empty", vec![b"Origin:".to_vec()]),
        ("64 KB origin", vec![format!("Origin: https://app.example.com{}", "a".repeat(64 * 1024)).into_bytes()]),
        ("64 KB of valid labels", vec![format!("Origin: https://{}example.com", "a.".repeat(32 * 1024)).into_bytes()]),
        ("120 Origin lines, refused first", {
            let mut lines = vec![b"Origin: https://evil.com".to_vec()];
            lines.extend((0..119).map(|_| b"Origin: https://app.example.com".to_vec()));
            lines
        }),
    ]);

    let results = web::block(move || {
        let mut failures = Vec::new();
        let mut sent = 0;
        let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
        for (name, lines) in &hostile {
            let lines: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
            for path in ["/exact", "/sub", "/many"] {
                for (method, preflight) in [("GET", false), ("OPTIONS", true)] {
                    sent += 1;
                    let (status, headers) = support::exchange_cors(addr, &raw_request(method, path, &lines, preflight));
                    *statuses.entry(status).or_default() += 1;
                    if let Err(why) = refused_on_the_wire(status, &headers, preflight) {
                        failures.push(format!("{name} {method} {path}: {why}"));
                    }
                }
            }
        }
        // The other half: the same socket path grants a listed origin, also with the optional
        // whitespace HTTP strips around a value and a lower-case header name.
        let granted = [
            &b"Origin: https://app.example.com"[..],
            b"Origin:    https://app.example.com   ",
            b"origin: https://app.example.com",
        ];
        for line in granted {
            sent += 1;
            let (status, headers) = support::exchange_cors(addr, &raw_request("GET", "/exact", &[line], false));
            let want = vec![
                (ACAC.to_owned(), "true".to_owned()),
                (ACAO.to_owned(), "https://app.example.com".to_owned()),
                (VARY_.to_owned(), "Origin".to_owned()),
            ];
            if status != 200 || headers != want {
                failures.push(format!("{:?}: not granted: {status} {headers:?}", String::from_utf8_lossy(line)));
            }
        }
        (sent, failures, statuses)
    })
    .await
    .expect("client thread");
    handle.stop(true).await;
    let (sent, failures, statuses) = results;
    assert!(failures.is_empty(), "{} of {sent} exchanges failed:\n{}", failures.len(), failures.join("\n"));
    println!("{sent} exchanges passed; statuses of the hostile ones: {statuses:?}");
}
