//! Why a CORS request was refused: [`Refusal`], the `reason` field of the events
//! ([`crate::events`]).

/// Why a CORS request was refused: the `reason` field of the `DEBUG` events on the
/// `cors_runtime` target. The names [`Refusal::as_str`] gives are stable: match on them in log
/// queries. New reasons may be added.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// `origin-not-allowed`: the `Origin` is not one the policy allows (preflights and actual
    /// requests alike; an actual response then carries no `Access-Control-Allow-Origin`).
    OriginNotAllowed,
    /// `method-not-allowed`: the preflight's `Access-Control-Request-Method` is routed but not
    /// allowed by the policy.
    MethodNotAllowed,
    /// `header-not-allowed`: a name in `Access-Control-Request-Headers` is not allowed; the
    /// event's `header` field names the first one.
    HeaderNotAllowed,
    /// `request-header-malformed`: `Access-Control-Request-Headers` holds a name that is not an
    /// HTTP token, or more empty list elements than tolerated.
    RequestHeaderMalformed,
    /// `request-header-too-long`: `Access-Control-Request-Headers` is longer than the policy
    /// could ever allow; refused unread.
    RequestHeaderTooLong,
    /// `preflight-on-guarded-route`: the route has `guard`s, which a preflight cannot be checked
    /// against, so every preflight for it is refused.
    PreflightOnGuardedRoute,
    /// `governing-policy-unknown`: the app's structure cannot tell which policy governs the
    /// request (a route shadowed by an earlier one of another pattern, a route outside the scope
    /// that also covers the path, or a policy applied where the policies around it cannot see
    /// it), so it is refused.
    GoverningPolicyUnknown,
    /// `method-needs-preflight`: a cross-origin actual request with a method no preflight of
    /// the policy that governs it could have allowed (defence in depth: refused before the
    /// handler runs).
    MethodNeedsPreflight,
}

impl Refusal {
    /// The stable name: `origin-not-allowed`, `method-not-allowed`, `header-not-allowed`,
    /// `request-header-malformed`, `request-header-too-long`, `preflight-on-guarded-route`,
    /// `governing-policy-unknown`, `method-needs-preflight`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Refusal::OriginNotAllowed => "origin-not-allowed",
            Refusal::MethodNotAllowed => "method-not-allowed",
            Refusal::HeaderNotAllowed => "header-not-allowed",
            Refusal::RequestHeaderMalformed => "request-header-malformed",
            Refusal::RequestHeaderTooLong => "request-header-too-long",
            Refusal::PreflightOnGuardedRoute => "preflight-on-guarded-route",
            Refusal::GoverningPolicyUnknown => "governing-policy-unknown",
            Refusal::MethodNeedsPreflight => "method-needs-preflight",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
