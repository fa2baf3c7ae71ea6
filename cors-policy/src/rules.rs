//! The catalogue of rules a policy must satisfy. Every diagnostic names one of them, and the
//! table in the `#[cors]` documentation lists them all (a test keeps the two in step).

macro_rules! rules {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)+) => {
        /// A rule of the policy checker. New rules may be added.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($(#[doc = $doc])* $variant,)+
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)+];

            /// The rule's stable name, as printed in diagnostics (`rule: origin-syntax`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Rule::$variant => $name,)+
                }
            }
        }
    };
}

rules! {
    /// `origins` is present and not empty.
    OriginsRequired = "origins-required",
    /// Each origin is `scheme://host[:port]`: no path, query, fragment, userinfo or whitespace.
    OriginSyntax = "origin-syntax",
    /// Scheme and host are lower case.
    OriginCase = "origin-case",
    /// Hosts are ASCII (punycode), with non-empty labels of at most 63 bytes, at most 253 in all.
    OriginHost = "origin-host",
    /// IP hosts are canonical: dotted-quad IPv4, bracketed RFC 5952 IPv6, no zone identifier.
    OriginIp = "origin-ip",
    /// Ports are 1 to 65535, without leading zeros, and not the scheme's default.
    OriginPort = "origin-port",
    /// `null` and `file://` are never allowed.
    OriginNull = "origin-null",
    /// `"*"` is not combined with credentials.
    WildcardCredentials = "wildcard-credentials",
    /// `"*"` stands alone in `origins`.
    WildcardAlone = "wildcard-alone",
    /// Wildcards are only a leading `*.` label or a `:*` port.
    OriginPattern = "origin-pattern",
    /// No wildcard directly over a public suffix (`*.com`, `*.github.io`).
    PublicSuffixPattern = "public-suffix-pattern",
    /// With credentials, origins are `https` or loopback.
    InsecureCredentials = "insecure-credentials",
    /// No origin is listed twice or is already covered by a pattern.
    DuplicateOrigin = "duplicate-origin",
    /// Each method is an HTTP token.
    MethodToken = "method-token",
    /// CONNECT, TRACE and TRACK are never allowed.
    ForbiddenMethod = "forbidden-method",
    /// The six methods browsers normalise are written in upper case.
    MethodCase = "method-case",
    /// Every allowed method is routed by the route attribute.
    MethodNotRouted = "method-not-routed",
    /// No method is listed twice.
    DuplicateMethod = "duplicate-method",
    /// Each header name is an HTTP token.
    HeaderToken = "header-token",
    /// Forbidden request-header names are not listed in `allow_headers`.
    ForbiddenRequestHeader = "forbidden-request-header",
    /// Response-only CORS names are not listed in `allow_headers`.
    ResponseHeaderRequested = "response-header-requested",
    /// No header is listed twice (case-insensitively).
    DuplicateHeader = "duplicate-header",
    /// `"*"` in `allow_headers` or `expose_headers` is not combined with credentials.
    HeaderWildcardCredentials = "header-wildcard-credentials",
    /// `dangerously_echo_request_headers` is not combined with `"*"` in `allow_headers`, and is
    /// meant for credentialed policies (a warning without credentials).
    EchoRequestHeaders = "echo-request-headers",
    /// `Set-Cookie` and `Set-Cookie2` are never exposed.
    ExposeForbidden = "expose-forbidden",
    /// Safelisted response headers are not exposed (they always are).
    ExposeSafelisted = "expose-safelisted",
    /// Request-only and preflight-only names are not exposed.
    ExposeNotResponse = "expose-not-response",
    /// `max_age` is an integer from 0 to 86400.
    MaxAgeRange = "max-age-range",
    /// `max_age` above 7200 is capped by Chromium (warning).
    MaxAgeCap = "max-age-cap",
    /// Only known keys.
    UnknownKey = "unknown-key",
    /// Each key at most once.
    DuplicateKey = "duplicate-key",
    /// Each key has a value of the expected form.
    ValueType = "value-type",
    /// `#[cors]` sits on an `async fn`, directly above an actix-web route attribute.
    Placement = "placement",
    /// The route's path is a pattern actix-web's router accepts.
    RoutePath = "route-path",
    /// The route attribute has only options `#[cors]` knows (`name`, `guard`, `wrap`, `method`).
    RouteOption = "route-option",
    /// `policy = Api` stands alone on a handler, and a policy declaration is a unit struct that
    /// names no other policy.
    NamedPolicy = "named-policy",
    /// `"*"` is not written in `methods`: it is not "any method" there.
    MethodWildcard = "method-wildcard",
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert!(names
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
    }

    #[test]
    fn the_documented_table_lists_every_rule() {
        let table = include_str!("../../cors-macros/RULES.md");
        for rule in Rule::ALL {
            assert!(
                table.contains(&format!("`{}`", rule.name())),
                "RULES.md does not document `{}`",
                rule.name()
            );
        }
    }
}
