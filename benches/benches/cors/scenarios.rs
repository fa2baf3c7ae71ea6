//! The cases of the issue: which request, against which policy, and what each variant must
//! answer (checked before anything is measured, so a benchmark cannot silently measure a
//! misconfigured app).

use actix_codec::Decoder as _;
use actix_http::h1::{Codec, Message};
use actix_http::{Method, Request};
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use bytes::BytesMut;

use crate::apps::{Policy, ACTIX, BARE, FLOOR, PATH, PROJECT, VARIANTS};

/// What a variant must answer: the status, and whether it grants the origin
/// (`Access-Control-Allow-Origin` equal to the request's `Origin`).
#[derive(Clone, Copy, Debug)]
pub struct Expect {
    pub status: u16,
    pub grant: bool,
}

/// One case.
pub struct Scenario {
    /// Short stable name (criterion group, callgrind dump).
    pub id: String,
    /// What the tables show.
    pub title: String,
    /// Which policy `actix-cors` and `#[cors]` are configured with.
    pub policy: Policy,
    /// Kind, for the targets.
    pub kind: Kind,
    method: Method,
    path: &'static str,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Expected status of bare and floor.
    base_status: u16,
    /// Expected answers of actix-cors and `#[cors]`; bare and floor are checked generically.
    actix: Expect,
    project: Expect,
}

/// What a case measures, for grouping the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Preflight,
    Actual,
    /// Case 4: `(allowlist size, preflight?, matches a pattern?)`.
    Allowlist {
        size: usize,
        preflight: bool,
        pattern: bool,
    },
    Adversarial,
    /// Case 6: the app-wide policy (same targets as cases 1 to 3).
    AppWide {
        preflight: bool,
    },
    /// Cases 6g to 6i: measured, judged by no target.
    AppWideExtra,
    /// Case 7: the 1,000-origin allowlist from the environment (judged against case 4's).
    Configured {
        preflight: bool,
    },
    /// Case 8: the app-wide policy from configuration, reloadable or not (judged against case
    /// 6's literal one).
    AppWideConfigured {
        preflight: bool,
        reloadable: bool,
    },
}

impl Scenario {
    /// A new request of this case.
    pub fn request(&self) -> Request {
        let mut req = TestRequest::default()
            .method(self.method.clone())
            .uri(self.path);
        for (name, value) in &self.headers {
            req = req.append_header((name.clone(), value.clone()));
        }
        req.to_request()
    }

    /// Checks the answer of `variant`; returns what is wrong.
    pub fn check(
        &self,
        variant: usize,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<(), String> {
        let origin = self
            .headers
            .iter()
            .find(|(n, _)| n == ORIGIN)
            .map(|(_, v)| v.clone());
        let allow_origin = headers.get(ACCESS_CONTROL_ALLOW_ORIGIN);
        let ok_status = self.base_status;
        let fail = |what: String| Err(format!("{} / {}: {what}", self.id, VARIANTS[variant]));
        match variant {
            BARE | FLOOR => {
                if status.as_u16() != ok_status {
                    return fail(format!("status {status}, expected {ok_status}"));
                }
                if (variant == FLOOR) != allow_origin.is_some() {
                    return fail(format!("Access-Control-Allow-Origin: {allow_origin:?}"));
                }
                Ok(())
            }
            ACTIX | PROJECT => {
                let expect = if variant == ACTIX {
                    self.actix
                } else {
                    self.project
                };
                if status.as_u16() != expect.status {
                    return fail(format!("status {status}, expected {}", expect.status));
                }
                let granted = allow_origin.is_some() && allow_origin == origin.as_ref();
                if granted != expect.grant {
                    return fail(format!(
                        "Access-Control-Allow-Origin: {allow_origin:?}, expected grant = {}",
                        expect.grant
                    ));
                }
                if variant == PROJECT && !headers.contains_key(VARY) {
                    return fail("no Vary".to_owned());
                }
                Ok(())
            }
            _ => unreachable!(),
        }
    }
}

const ALLOWED: &str = "https://partner.example.org";
const REFUSED: &str = "https://evil.example.net";
/// What a browser sends for a `GET` with `Content-Type: application/json` and `X-Api-Key`.
const TWO_HEADERS: &str = "content-type,x-api-key";

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).expect("a valid header value")
}

fn preflight_headers(origin: &str, acrh: Vec<HeaderValue>) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (ORIGIN, hv(origin)),
        (ACCESS_CONTROL_REQUEST_METHOD, hv("GET")),
    ];
    headers.extend(
        acrh.into_iter()
            .map(|v| (ACCESS_CONTROL_REQUEST_HEADERS, v)),
    );
    headers
}

const fn expect(status: u16, grant: bool) -> Expect {
    Expect { status, grant }
}

/// Every case, in table order.
pub fn all() -> Vec<Scenario> {
    let mut all = Vec::new();
    let mut push = |id: &str,
                    title: String,
                    policy: Policy,
                    kind: Kind,
                    method: Method,
                    headers: Vec<(HeaderName, HeaderValue)>,
                    actix: Expect,
                    project: Expect| {
        all.push(Scenario {
            id: id.to_owned(),
            title,
            policy,
            kind,
            base_status: if method == Method::OPTIONS { 204 } else { 200 },
            method,
            path: PATH,
            headers,
            actix,
            project,
        });
    };
    push(
        "1-preflight-allowed",
        "1. preflight, allowed origin, 2 headers".into(),
        Policy::Main,
        Kind::Preflight,
        Method::OPTIONS,
        preflight_headers(ALLOWED, vec![hv(TWO_HEADERS)]),
        expect(200, true),
        expect(204, true),
    );
    push(
        "2-preflight-refused",
        "2. preflight, refused origin".into(),
        Policy::Main,
        Kind::Preflight,
        Method::OPTIONS,
        preflight_headers(REFUSED, vec![hv(TWO_HEADERS)]),
        expect(400, false),
        expect(403, false),
    );
    push(
        "3a-get-allowed",
        "3a. GET, allowed origin".into(),
        Policy::Main,
        Kind::Actual,
        Method::GET,
        vec![(ORIGIN, hv(ALLOWED))],
        expect(200, true),
        expect(200, true),
    );
    push(
        "3b-get-refused",
        "3b. GET, refused origin".into(),
        Policy::Main,
        Kind::Actual,
        Method::GET,
        vec![(ORIGIN, hv(REFUSED))],
        expect(200, false),
        expect(200, false),
    );
    push(
        "3c-get-no-origin",
        "3c. GET without Origin".into(),
        Policy::Main,
        Kind::Actual,
        Method::GET,
        vec![],
        expect(200, false),
        expect(200, false),
    );
    for &(size, origins) in crate::apps::allowlists::SIZES {
        let last = origins.last().expect("non-empty allowlist");
        for preflight in [true, false] {
            let (kind, method, headers) = if preflight {
                (
                    "preflight",
                    Method::OPTIONS,
                    preflight_headers(last, vec![hv(TWO_HEADERS)]),
                )
            } else {
                ("GET", Method::GET, vec![(ORIGIN, hv(last))])
            };
            push(
                &format!("4-{size}-{}-last-exact", kind.to_lowercase()),
                format!(
                    "4. {kind}, {} + 3 patterns, last exact",
                    origins_label(size)
                ),
                Policy::Allowlist(size),
                Kind::Allowlist {
                    size,
                    preflight,
                    pattern: false,
                },
                method,
                headers,
                expect(200, true),
                expect(if preflight { 204 } else { 200 }, true),
            );
        }
        if size == 1_000 {
            for preflight in [true, false] {
                let (kind, method, headers) = if preflight {
                    (
                        "preflight",
                        Method::OPTIONS,
                        preflight_headers(last, vec![hv(TWO_HEADERS)]),
                    )
                } else {
                    ("GET", Method::GET, vec![(ORIGIN, hv(last))])
                };
                push(
                    &format!("7-1000-env-{}-last-exact", kind.to_lowercase()),
                    format!(
                        "7. {kind}, 1,000 origins from the environment + 3 patterns, last exact"
                    ),
                    Policy::Configured,
                    Kind::Configured { preflight },
                    method,
                    headers,
                    expect(200, true),
                    expect(if preflight { 204 } else { 200 }, true),
                );
            }
        }
        if size == 1 || size == 10_000 {
            push(
                &format!("4-{size}-preflight-last-pattern"),
                format!(
                    "4. preflight, {} + 3 patterns, last pattern",
                    origins_label(size)
                ),
                Policy::Allowlist(size),
                Kind::Allowlist {
                    size,
                    preflight: true,
                    pattern: true,
                },
                Method::OPTIONS,
                preflight_headers("https://tenant.c.example.net", vec![hv(TWO_HEADERS)]),
                expect(200, true),
                expect(204, true),
            );
        }
    }
    let commas = largest_acrh(|len| fill(", ,,", len));
    let names = largest_acrh(|len| repeated_names("content-type", len));
    push(
        "5a-acrh-commas",
        format!(
            "5a. preflight, ACRH of {} bytes of commas and spaces",
            commas.len()
        ),
        Policy::Main,
        Kind::Adversarial,
        Method::OPTIONS,
        preflight_headers(ALLOWED, vec![commas]),
        expect(400, false),
        expect(403, false),
    );
    push(
        "5b-acrh-repeated-name",
        format!(
            "5b. preflight, ACRH of {} bytes of `content-type, ` repeated",
            names.len()
        ),
        Policy::Main,
        Kind::Adversarial,
        Method::OPTIONS,
        preflight_headers(ALLOWED, vec![names]),
        expect(200, true),
        expect(403, false),
    );
    // The longest ACRH `#[cors]` still reads for this policy: `acrh_max_len`, twice the allowed
    // names with `", "` separators plus 64 bytes.
    let readable = 2 * ("content-type".len() + 2 + "x-api-key".len() + 2) + 64;
    let longest = repeated_names("content-type, x-api-key", readable);
    push(
        "5c-acrh-longest-read",
        format!(
            "5c. preflight, ACRH of {} bytes of allowed names (longest read)",
            longest.len()
        ),
        Policy::Main,
        Kind::Adversarial,
        Method::OPTIONS,
        preflight_headers(ALLOWED, vec![hv(&longest)]),
        expect(200, true),
        expect(204, true),
    );
    all.extend(app_wide());
    all
}

/// Cases 6 and 8: the app-wide policy (`crate::app_wide`), literal and from configuration.
fn app_wide() -> Vec<Scenario> {
    let preflight_headers = |origin| {
        vec![
            (ORIGIN, hv(origin)),
            (ACCESS_CONTROL_REQUEST_METHOD, hv("POST")),
            (ACCESS_CONTROL_REQUEST_HEADERS, hv(TWO_HEADERS)),
        ]
    };
    let case = |id: &str,
                title: &str,
                kind: Kind,
                method: Method,
                path: &'static str,
                headers: Vec<(HeaderName, HeaderValue)>,
                base_status: u16,
                actix: Expect,
                project: Expect| Scenario {
        id: format!("6{id}"),
        title: format!("6{}. app-wide: {title}", &id[..1]),
        policy: Policy::AppWide,
        kind,
        method,
        path,
        headers,
        base_status,
        actix,
        project,
    };
    let preflight_kind = Kind::AppWide { preflight: true };
    let actual = Kind::AppWide { preflight: false };
    let mut cases = vec![
        case(
            "a-preflight-allowed",
            "preflight, allowed origin, POST + 2 headers",
            preflight_kind,
            Method::OPTIONS,
            PATH,
            preflight_headers(ALLOWED),
            204,
            expect(200, true),
            expect(204, true),
        ),
        case(
            "b-preflight-refused",
            "preflight, refused origin",
            preflight_kind,
            Method::OPTIONS,
            PATH,
            preflight_headers(REFUSED),
            204,
            expect(400, false),
            expect(403, false),
        ),
        case(
            "c-get-allowed",
            "GET, allowed origin",
            actual,
            Method::GET,
            PATH,
            vec![(ORIGIN, hv(ALLOWED))],
            200,
            expect(200, true),
            expect(200, true),
        ),
        case(
            "d-get-refused",
            "GET, refused origin",
            actual,
            Method::GET,
            PATH,
            vec![(ORIGIN, hv(REFUSED))],
            200,
            expect(200, false),
            expect(200, false),
        ),
        case(
            "e-get-no-origin",
            "GET without Origin",
            actual,
            Method::GET,
            PATH,
            vec![],
            200,
            expect(200, false),
            expect(200, false),
        ),
        case(
            "f-get-404",
            "GET of no route (404), allowed origin",
            actual,
            Method::GET,
            "/api/nowhere",
            vec![(ORIGIN, hv(ALLOWED))],
            404,
            expect(404, true),
            expect(404, true),
        ),
        Scenario {
            policy: Policy::AppWideSecond,
            ..case(
                "g-preflight-second-app",
                "preflight as 6a, .wrap(Api) built second on its thread",
                Kind::AppWideExtra,
                Method::OPTIONS,
                PATH,
                preflight_headers(ALLOWED),
                204,
                expect(200, true),
                expect(204, true),
            )
        },
        Scenario {
            policy: Policy::AppWideNested,
            ..case(
                "h-get-allowed-nested",
                "GET as 6c, one #[cors] handler elsewhere in the app",
                Kind::AppWideExtra,
                Method::GET,
                PATH,
                vec![(ORIGIN, hv(ALLOWED))],
                200,
                expect(200, true),
                expect(200, true),
            )
        },
        Scenario {
            policy: Policy::AppWideNested,
            ..case(
                "i-preflight-allowed-nested",
                "preflight as 6a, one #[cors] handler elsewhere in the app",
                Kind::AppWideExtra,
                Method::OPTIONS,
                PATH,
                preflight_headers(ALLOWED),
                204,
                expect(200, true),
                expect(204, true),
            )
        },
    ];
    // Case 8: 6a and 6c against the same policy read from configuration.
    for reloadable in [false, true] {
        let (letter, how) = if reloadable {
            ("c", "reloadable policy from configuration")
        } else {
            ("a", "policy from configuration")
        };
        for preflight in [true, false] {
            let letter = if preflight {
                letter
            } else if reloadable {
                "d"
            } else {
                "b"
            };
            let (what, method, headers, base_status, project) = if preflight {
                (
                    "preflight, allowed origin, POST + 2 headers",
                    Method::OPTIONS,
                    preflight_headers(ALLOWED),
                    204,
                    expect(204, true),
                )
            } else {
                (
                    "GET, allowed origin",
                    Method::GET,
                    vec![(ORIGIN, hv(ALLOWED))],
                    200,
                    expect(200, true),
                )
            };
            cases.push(Scenario {
                id: format!(
                    "8{letter}-{}-{}",
                    if reloadable {
                        "reloadable"
                    } else {
                        "configured"
                    },
                    if preflight { "preflight" } else { "get" }
                ),
                title: format!("8{letter}. app-wide, {how}: {what}"),
                policy: Policy::AppWideConfigured { reloadable },
                kind: Kind::AppWideConfigured {
                    preflight,
                    reloadable,
                },
                method,
                path: PATH,
                headers,
                base_status,
                actix: expect(200, true),
                project,
            });
        }
    }
    cases
}

/// "1 origin", "10,000 origins".
fn origins_label(size: usize) -> String {
    let digits = size.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} origin{}", if size == 1 { "" } else { "s" })
}

/// `unit` repeated and cut to `len` bytes, ending in a non-space (httparse trims trailing spaces).
fn fill(unit: &str, len: usize) -> String {
    let mut s = unit.repeat(len / unit.len() + 1);
    s.truncate(len);
    while s.ends_with(' ') {
        s.pop();
        s.insert(0, ',');
    }
    s
}

/// `list` repeated, joined by `", "`, as many times as fits in `len` bytes, then padded to exactly
/// `len` bytes with spaces after the first comma (optional whitespace, which every parser skips).
fn repeated_names(list: &str, len: usize) -> String {
    if len < list.len() {
        return ",".repeat(len);
    }
    let mut copies = vec![list];
    while copies.len() * (list.len() + 2) + list.len() <= len {
        copies.push(list);
    }
    let joined = copies.join(", ");
    let pad = " ".repeat(len - joined.len());
    let s = joined.replacen(", ", &format!(",{pad} "), 1);
    assert_eq!(s.len(), len);
    s
}

/// actix-http's limit on a request head: a head still incomplete once this many bytes are
/// buffered is refused with `431`/`TooLarge` (`h1::decoder::MAX_BUFFER_SIZE`, not exported).
const MAX_HEAD: usize = 131_072;

/// The largest `Access-Control-Request-Headers` value that actix-web accepts in a preflight of
/// this bench, made by `fill(len)`: the value that makes the request head exactly [`MAX_HEAD`]
/// bytes. Checked against actix-http's own HTTP/1 decoder: the head decodes, it is not refused
/// while still partial, and one byte more is refused.
fn largest_acrh(fill: impl Fn(usize) -> String) -> HeaderValue {
    let head = |len: usize| {
        format!(
            "OPTIONS {PATH} HTTP/1.1\r\nHost: api.example.com\r\nOrigin: {ALLOWED}\r\n\
             Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: {}\r\n\r\n",
            fill(len)
        )
    };
    let overhead = head(0).len();
    let len = MAX_HEAD - overhead;
    let raw = head(len);
    assert_eq!(raw.len(), MAX_HEAD);
    let decode = |bytes: &[u8]| Codec::default().decode(&mut BytesMut::from(bytes));
    assert!(
        matches!(decode(&raw.as_bytes()[..raw.len() - 1]), Ok(None)),
        "a partial head of {} bytes is still awaited",
        raw.len() - 1
    );
    let Ok(Some(Message::Item(req))) = decode(raw.as_bytes()) else {
        panic!("actix-http refuses a head of {} bytes", raw.len());
    };
    let too_large = head(len + 1);
    assert!(
        decode(&too_large.as_bytes()[..MAX_HEAD]).is_err(),
        "actix-http accepts heads longer than {MAX_HEAD} bytes: raise MAX_HEAD"
    );
    req.head()
        .headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .expect("decoded ACRH")
        .clone()
}
