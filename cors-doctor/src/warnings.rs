//! Warnings: grants that are risky even when the request passes.

use serde::Serialize;

use crate::*;

/// The identifier of one risky grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningId {
    /// A made-up origin is granted: the server reflects any origin.
    ReflectsAnyOrigin,
    /// ... together with `Access-Control-Allow-Credentials: true`.
    CredentialsForAnyOrigin,
    /// `Origin: null` is granted.
    NullOriginAllowed,
    /// Grant headers (a fixed `Access-Control-Allow-Origin`, `-Allow-Credentials`) are sent to
    /// an origin that is not granted.
    GrantHeadersToAnyOrigin,
    /// The answer depends on `Origin` but has no `Vary: Origin`.
    MissingVaryOrigin,
    /// `Access-Control-Max-Age` above what browsers honour.
    MaxAgeAboveBrowserCap,
    /// `Access-Control-Max-Age` that is not a number of seconds.
    MaxAgeInvalid,
    /// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.
    CredentialsWithWildcard,
    /// The request passes only because Chromium and Firefox let `Access-Control-Allow-Headers:
    /// *` cover `Authorization`, which the Fetch standard forbids.
    AuthorizationCoveredByWildcard,
    /// The page sets an old client hint (`DPR`...) that Chromium safelists and the standard
    /// and Firefox do not.
    ChromiumSafelistsClientHints,
}

impl WarningId {
    /// The stable identifier, as serialised.
    pub fn id(self) -> &'static str {
        match self {
            Self::ReflectsAnyOrigin => "reflects-any-origin",
            Self::CredentialsForAnyOrigin => "credentials-for-any-origin",
            Self::NullOriginAllowed => "null-origin-allowed",
            Self::GrantHeadersToAnyOrigin => "grant-headers-to-any-origin",
            Self::MissingVaryOrigin => "missing-vary-origin",
            Self::MaxAgeAboveBrowserCap => "max-age-above-browser-cap",
            Self::MaxAgeInvalid => "max-age-invalid",
            Self::CredentialsWithWildcard => "credentials-with-wildcard",
            Self::AuthorizationCoveredByWildcard => "authorization-covered-by-wildcard",
            Self::ChromiumSafelistsClientHints => "chromium-safelists-client-hints",
        }
    }
}

/// A risky grant, whether or not the request passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Which one.
    pub id: WarningId,
    /// What was seen.
    pub message: String,
    /// What to do.
    pub fix: String,
}

/// The made-up origin the doctor probes with.
pub const PROBE_ORIGIN: &str = "https://cors-doctor-probe.invalid";

/// What the warnings are computed from.
#[derive(Debug, Clone, Default)]
pub struct Observed<'a> {
    /// The page's origin.
    pub origin: &'a str,
    /// The answer to the preflight, if one was sent.
    pub preflight: Option<&'a Response>,
    /// The answer to the actual request, if it was sent.
    pub actual: Option<&'a Response>,
    /// The answer to the same first request with `Origin:` [`PROBE_ORIGIN`].
    pub probe: Option<&'a Response>,
    /// The answer to the same first request with `Origin: null`.
    pub probe_null: Option<&'a Response>,
}

/// `(Access-Control-Allow-Origin, Access-Control-Allow-Credentials)` of an answer.
pub(crate) fn grant(response: &Response) -> (Option<String>, Option<String>) {
    (response.get(ACAO), response.get(ACAC))
}

/// `true` when the `Vary` header lists `Origin` (or is `*`).
pub fn varies_on_origin(response: &Response) -> bool {
    response
        .values("vary")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t.eq_ignore_ascii_case("origin") || t == "*")
}

/// The risky grants visible in what was observed.
pub fn warnings(seen: &Observed<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let first = seen.preflight.or(seen.actual);
    if let Some(probe) = seen.probe {
        let (acao, acac) = grant(probe);
        let credentialed = acac.as_deref() == Some("true");
        if acao.as_deref() == Some(PROBE_ORIGIN) {
            out.push(Warning {
                id: WarningId::ReflectsAnyOrigin,
                message: format!("the server grants a made-up origin (`Origin: {PROBE_ORIGIN}` got `{ACAO}: {PROBE_ORIGIN}`): it reflects any origin, so every site can read these answers"),
                fix: "check the request's origin against an explicit list before echoing it".into(),
            });
            if credentialed {
                out.push(Warning {
                    id: WarningId::CredentialsForAnyOrigin,
                    message: format!("credentials are granted to a reflected origin (`{ACAC}: true` for the made-up origin): any site can read this user's data with their cookies"),
                    fix: "never combine origin reflection with credentials; list the trusted origins".into(),
                });
            }
        } else if acao.as_deref().is_some_and(|v| v != "*") {
            // `Access-Control-Allow-Credentials: true` without `-Allow-Origin` grants nothing.
            let mut sent = Vec::new();
            if let Some(v) = &acao {
                sent.push(format!("`{ACAO}: {v}`"));
            }
            if let Some(v) = &acac {
                sent.push(format!("`{ACAC}: {v}`"));
            }
            out.push(Warning {
                id: WarningId::GrantHeadersToAnyOrigin,
                message: format!("a made-up origin (`{PROBE_ORIGIN}`) still gets {}: the server sends its grant to every caller instead of deciding per origin (a fixed `add_header`, or `cors({{origin: '...'}})` with one string); one edit (`$http_origin`, `origin: true`) turns this into reflecting any origin", sent.join(" and ")),
                fix: format!("send `{ACAO}` and `{ACAC}` only to the origins you grant, after comparing the request's `Origin` with your list, with `Vary: Origin`"),
            });
        }
        // Does the answer depend on Origin? Compare the grant given to the probe with the one
        // given to the page's origin for the same request.
        if let Some(first) = first {
            if grant(first) != grant(probe) {
                let target = seen.actual.unwrap_or(first);
                if !varies_on_origin(target) {
                    out.push(Warning {
                        id: WarningId::MissingVaryOrigin,
                        message: "the answer depends on the request's origin (another origin gets other CORS headers) but has no `Vary: Origin`: a shared cache can serve one origin's answer to another".into(),
                        fix: "add `Vary: Origin` to every answer whose CORS headers depend on the origin, granted or not, appended to any existing `Vary`".into(),
                    });
                }
            }
        }
    } else if let Some(actual) = seen.actual {
        // No probe: an answer naming the origin (not `*`) is taken as origin-dependent.
        if actual.get(ACAO).as_deref() == Some(seen.origin)
            && seen.origin != "*"
            && !varies_on_origin(actual)
        {
            out.push(Warning {
                id: WarningId::MissingVaryOrigin,
                message: format!("`{ACAO}` names the request's origin but the answer has no `Vary: Origin`: a shared cache can serve one origin's answer to another"),
                fix: "add `Vary: Origin` to every answer whose CORS headers depend on the origin".into(),
            });
        }
    }
    if let Some(probe) = seen.probe_null {
        if probe.get(ACAO).as_deref() == Some("null") {
            let creds = if probe.get(ACAC).as_deref() == Some("true") {
                ", with credentials"
            } else {
                ""
            };
            out.push(Warning {
                id: WarningId::NullOriginAllowed,
                message: format!("`Origin: null` is granted{creds}: sandboxed iframes, `data:` and `file:` documents and requests after a cross-origin redirect all send `null`, so any page can produce it"),
                fix: "never grant `null`; remove it from the allowed origins".into(),
            });
        }
    }
    for response in [seen.preflight, seen.actual].into_iter().flatten() {
        let (acao, acac) = grant(response);
        if acao.as_deref() == Some("*")
            && acac.as_deref() == Some("true")
            && !out
                .iter()
                .any(|w| w.id == WarningId::CredentialsWithWildcard)
        {
            out.push(Warning {
                id: WarningId::CredentialsWithWildcard,
                message: format!("`{ACAO}: *` together with `{ACAC}: true`: browsers refuse `*` for credentialed requests, so the credentials grant never works"),
                fix: "either grant listed origins by name with credentials, or drop `Access-Control-Allow-Credentials`".into(),
            });
        }
    }
    if let Some(preflight) = seen.preflight {
        if let Some(value) = preflight.get(ACMA) {
            match value.trim().parse::<u64>() {
                Ok(secs) if secs > CHROMIUM_MAX_AGE_CAP => out.push(Warning {
                    id: WarningId::MaxAgeAboveBrowserCap,
                    message: format!("`{ACMA}: {secs}` is beyond what browsers honour: Chromium caps preflight caching at 7200 s, Firefox at 86400 s, WebKit at 600 s"),
                    fix: "use at most 7200 (600 to behave the same in every browser)".into(),
                }),
                Ok(_) => {}
                Err(_) => out.push(Warning {
                    id: WarningId::MaxAgeInvalid,
                    message: format!("`{ACMA}: {value}` is not a number of seconds; browsers ignore it and cache the preflight for 5 s"),
                    fix: format!("send a single non-negative integer, such as `{ACMA}: 600`"),
                }),
            }
        }
    }
    out
}

/// Chromium's cap on `Access-Control-Max-Age`, in seconds.
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7200;

/// The old client hints Chromium still treats as CORS-safelisted.
pub const CHROMIUM_SAFELISTED_CLIENT_HINTS: [&str; 5] =
    ["dpr", "downlink", "save-data", "viewport-width", "width"];

/// `Access-Control-Allow-Headers: *` let `Authorization` through: the engines' deviation.
pub(crate) fn authorization_wildcard_warning(
    preflight: &PreflightPlan,
    response: &Response,
    credentials: bool,
) -> Option<Warning> {
    let listed =
        parse_list(response.get("access-control-allow-headers").as_deref()).unwrap_or_default();
    let relies = !credentials
        && preflight
            .unsafe_headers
            .iter()
            .any(|h| h == "authorization")
        && listed.iter().any(|h| h == "*")
        && !listed
            .iter()
            .any(|h| h.eq_ignore_ascii_case("authorization"));
    relies.then(|| Warning {
        id: WarningId::AuthorizationCoveredByWildcard,
        message: "`Access-Control-Allow-Headers: *` is taken to cover `Authorization`: Chromium and Firefox (through the preference network.cors_preflight.authorization_covered_by_wildcard, on by default) both deviate from the Fetch standard, which says `*` never covers Authorization; a browser that follows the standard blocks this request".into(),
        fix: "list `Authorization` by name in `Access-Control-Allow-Headers`".into(),
    })
}

/// The page sets an old client hint that Chromium safelists and Firefox and the standard do
/// not.
pub(crate) fn client_hint_warning(plan: &Plan, steps: &[Step]) -> Option<Warning> {
    let preflight = plan.preflight.as_ref()?;
    let hints: Vec<&str> = preflight
        .unsafe_headers
        .iter()
        .map(String::as_str)
        .filter(|h| CHROMIUM_SAFELISTED_CLIENT_HINTS.contains(h))
        .collect();
    if hints.is_empty() {
        return None;
    }
    let only_hints = preflight.request_method == "GET"
        || preflight.request_method == "HEAD"
        || preflight.request_method == "POST";
    let only_hints = only_hints && preflight.unsafe_headers.len() == hints.len();
    let preflight_failed = steps
        .first()
        .is_some_and(|s| s.kind == StepKind::Preflight && s.checks.iter().any(|c| !c.passed));
    let consequence = match (only_hints, preflight_failed) {
        (true, true) => " Here the preflight is refused, so Firefox blocks the request, but Chromium sends no preflight and reads the response if the actual answer grants the origin.",
        (true, false) => " Chromium sends this request without a preflight.",
        _ => "",
    };
    Some(Warning {
        id: WarningId::ChromiumSafelistsClientHints,
        message: format!("{} is not CORS-safelisted in the Fetch standard, so Firefox preflights it (the verdict above follows the standard and Firefox); Chromium still treats the old client hints DPR, Downlink, Save-Data, Viewport-Width and Width as safelisted and deviates.{consequence}", hints.join(", ")),
        fix: format!("allow {} in `Access-Control-Allow-Headers` so every browser behaves the same, or stop sending it", hints.join(", ")),
    })
}
