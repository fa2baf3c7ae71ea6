//! The validated policy: what [`crate::validate`] produces, what [`crate::wire`] carries from the
//! macro to the runtime, and what the runtime answers requests from. One model for every source
//! of a policy.

/// A validated policy, in a deterministic order (the order written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Which origins are allowed.
    pub origins: Origins,
    /// Whether credentialed requests are allowed.
    pub credentials: bool,
    /// Methods a preflight may ask for (`Access-Control-Allow-Methods`).
    pub allow_methods: Vec<String>,
    /// Methods the route serves: the preflights this policy answers. `None` for a named policy,
    /// which no route is attached to: it answers preflights for every method, and allows the
    /// CORS-safelisted `GET`, `HEAD` and `POST` besides `allow_methods`.
    pub routed_methods: Option<Vec<String>>,
    /// Allowed request headers, lower case, in the order written.
    pub allow_headers: Vec<String>,
    /// `allow_headers` holds `"*"`: any header but `Authorization`, which must be listed.
    pub allow_any_header: bool,
    /// `dangerously_echo_request_headers`: a preflight may ask for any header that is a token,
    /// but `Authorization` (unless listed) and the forbidden request-header names, and
    /// `Access-Control-Allow-Headers` repeats the requested names. Never with
    /// [`Policy::allow_any_header`].
    pub echo_request_headers: bool,
    /// Exposed response headers, in the order written.
    pub expose_headers: Vec<String>,
    /// `expose_headers` holds `"*"`.
    pub expose_any_header: bool,
    /// `Access-Control-Max-Age`, in seconds.
    pub max_age: Option<u32>,
    /// `dangerously_allow_insecure_origins`: origins resolved at start-up are checked against it.
    pub allow_insecure_origins: bool,
    /// Where more origins come from when the app starts (`env("VAR")`, `config("key")`), in the
    /// order written. Empty once resolved (see [`crate::resolve()`]).
    pub origin_sources: Vec<OriginSource>,
}

/// A source of origins read when the app starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginSource {
    /// `env("VAR")` or `env("VAR", default = "...")`: an environment variable holding origins
    /// separated by commas and/or whitespace.
    Env {
        /// The variable's name.
        var: String,
        /// Used when the variable is not set; without it, an unset variable is an error.
        default: Option<String>,
    },
    /// `config("key")`: origins the application hands over from its configuration, named after
    /// the key it read them from.
    Config {
        /// The configuration key, as the application names it (for messages).
        key: String,
    },
}

impl std::fmt::Display for OriginSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginSource::Env { var, .. } => write!(f, "environment variable `{var}`"),
            OriginSource::Config { key } => write!(f, "configuration key `{key}`"),
        }
    }
}

impl std::fmt::Display for OriginPattern {
    /// The pattern as written: `https://*.example.com`, `http://localhost:*`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.host {
            HostPattern::Exact(h) => write!(f, "{}://{h}", self.scheme)?,
            HostPattern::Subdomains(base) => write!(f, "{}://*.{base}", self.scheme)?,
        }
        match self.port {
            PortPattern::Default => Ok(()),
            PortPattern::Exact(n) => write!(f, ":{n}"),
            PortPattern::Any => f.write_str(":*"),
        }
    }
}

/// The allowed origins of a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// `"*"`: every origin.
    Any,
    /// Exact origins and patterns.
    List {
        /// Serialized origins, matched byte for byte.
        exact: Vec<String>,
        /// Wildcard patterns.
        patterns: Vec<OriginPattern>,
    },
}

/// A wildcard origin such as `https://*.example.com` or `http://localhost:*`. It matches
/// requests with [`OriginPattern::matches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    /// The scheme, lower case, without `://`.
    pub scheme: String,
    /// Which hosts match.
    pub host: HostPattern,
    /// Which ports match.
    pub port: PortPattern,
}

/// The host part of an [`OriginPattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// Exactly this host.
    Exact(String),
    /// Any host one or more labels below this domain (`*.example.com` holds `example.com`),
    /// never the domain itself.
    Subdomains(String),
}

/// The port part of an [`OriginPattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortPattern {
    /// No port in the origin (the scheme's default).
    Default,
    /// Exactly this port.
    Exact(u16),
    /// `:*`: any port, or none.
    Any,
}

/// The methods a preflight never needs to be granted: browsers let them through whatever
/// `Access-Control-Allow-Methods` says (the Fetch standard's CORS-safelisted methods).
pub const SAFELISTED_METHODS: &[&str] = &["GET", "HEAD", "POST"];

impl Policy {
    /// A policy that allows nothing: no origin, no method, no header, bound to a route of no
    /// method. What a route gets when its policy cannot be read, and where a decoder starts.
    pub fn nothing() -> Policy {
        Policy {
            origins: Origins::List {
                exact: Vec::new(),
                patterns: Vec::new(),
            },
            credentials: false,
            allow_methods: Vec::new(),
            routed_methods: Some(Vec::new()),
            allow_headers: Vec::new(),
            allow_any_header: false,
            echo_request_headers: false,
            expose_headers: Vec::new(),
            expose_any_header: false,
            max_age: None,
            allow_insecure_origins: false,
            origin_sources: Vec::new(),
        }
    }

    /// `true` when a preflight may ask for `method`: it is listed, or, for a named policy, it is
    /// CORS-safelisted.
    pub fn allows_method(&self, method: &str) -> bool {
        self.allow_methods.iter().any(|m| m == method)
            || self.routed_methods.is_none() && SAFELISTED_METHODS.contains(&method)
    }

    /// The methods a preflight may ask for, in the order granted: the listed ones, then those
    /// [`Policy::allows_method`] allows besides (for a named policy, the CORS-safelisted ones).
    pub fn preflight_methods(&self) -> Vec<String> {
        let mut all = self.allow_methods.clone();
        for method in SAFELISTED_METHODS {
            if self.allows_method(method) && !all.iter().any(|m| m == method) {
                all.push((*method).to_owned());
            }
        }
        all
    }

    /// The policy of one route: it answers preflights for the methods `routed` (the route's;
    /// for a route-bound policy, a subset of [`Policy::routed_methods`]) and allows those of
    /// them this policy allows, in the order written. A `#[routes]` handler gets one such policy
    /// per route, and a handler with `#[cors(policy = Api)]` gets `Api`'s for its route.
    pub fn for_route(&self, routed: &[String]) -> Policy {
        let mut allow_methods: Vec<String> = self
            .allow_methods
            .iter()
            .filter(|m| routed.contains(m))
            .cloned()
            .collect();
        let besides: Vec<String> = routed
            .iter()
            .filter(|m| self.allows_method(m) && !allow_methods.contains(m))
            .cloned()
            .collect();
        allow_methods.extend(besides);
        Policy {
            allow_methods,
            routed_methods: Some(routed.to_vec()),
            ..self.clone()
        }
    }

    /// `Access-Control-Allow-Methods`: the allowed methods in the order written; `None` when no
    /// method is listed (a route of a `#[routes]` handler whose methods are all outside
    /// `methods`: every preflight is refused; a named policy without `methods`, which grants
    /// the safelisted methods only).
    pub fn allow_methods_value(&self) -> Option<String> {
        (!self.allow_methods.is_empty()).then(|| self.allow_methods.join(", "))
    }

    /// `Access-Control-Allow-Headers`: `*` first when allowed, then the names, lower case. With
    /// [`Policy::echo_request_headers`] the runtime sends the requested names instead, and this
    /// constant value is not sent.
    pub fn allow_headers_value(&self) -> Option<String> {
        header_list(self.allow_any_header, &self.allow_headers)
    }

    /// `Access-Control-Expose-Headers`: `*` first when exposed, then the names as written.
    pub fn expose_headers_value(&self) -> Option<String> {
        header_list(self.expose_any_header, &self.expose_headers)
    }

    /// `Access-Control-Max-Age`.
    pub fn max_age_value(&self) -> Option<String> {
        self.max_age.map(|s| s.to_string())
    }

    /// Upper bound on the total length of `Access-Control-Request-Headers` worth reading: twice
    /// what the allowed names take with `", "` separators, plus slack for whitespace and repeats.
    /// Longer lists are refused unread (a browser sends each name once, lower case,
    /// comma-separated), so a crafted list costs no more than a short one. With `"*"` or the
    /// echo, 8 KiB.
    pub fn acrh_max_len(&self) -> usize {
        if self.allow_any_header || self.echo_request_headers {
            return 8 * 1024;
        }
        2 * self
            .allow_headers
            .iter()
            .map(|h| h.len() + 2)
            .sum::<usize>()
            + 64
    }
}

/// A header-list value: `*` first when `any`, then the names; `None` when empty.
fn header_list(any: bool, names: &[String]) -> Option<String> {
    let all: Vec<&str> = any
        .then_some("*")
        .into_iter()
        .chain(names.iter().map(String::as_str))
        .collect();
    (!all.is_empty()).then(|| all.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            origins: Origins::Any,
            credentials: false,
            allow_methods: vec!["PUT".into(), "DELETE".into()],
            routed_methods: Some(vec!["PUT".into(), "PATCH".into(), "DELETE".into()]),
            allow_headers: vec!["content-type".into(), "x-api-key".into()],
            allow_any_header: false,
            echo_request_headers: false,
            expose_headers: vec!["X-Request-Id".into()],
            expose_any_header: true,
            max_age: Some(600),
            allow_insecure_origins: false,
            origin_sources: Vec::new(),
        }
    }

    #[test]
    fn narrowed_to_a_route() {
        let p = policy().for_route(&["PATCH".into(), "PUT".into()]);
        assert_eq!(p.routed_methods, Some(vec!["PATCH".into(), "PUT".into()]));
        assert_eq!(p.allow_methods, ["PUT"], "order written, routed only");
        let none = policy().for_route(&["PATCH".into()]);
        assert!(none.allow_methods.is_empty());
        assert_eq!(none.allow_methods_value(), None);
        assert_eq!(
            Policy {
                routed_methods: None,
                ..none.clone()
            },
            Policy {
                routed_methods: None,
                allow_methods: Vec::new(),
                ..policy()
            },
            "nothing else changes"
        );
    }

    #[test]
    fn a_named_policy_narrowed_to_a_route() {
        let named = Policy {
            routed_methods: None,
            allow_methods: vec!["DELETE".into(), "PUT".into()],
            ..policy()
        };
        assert!(named.allows_method("GET") && named.allows_method("DELETE"));
        assert!(!named.allows_method("PATCH") && !named.allows_method("get"));
        let route = named.for_route(&["GET".into(), "PUT".into(), "PATCH".into()]);
        assert_eq!(route.allow_methods, ["PUT", "GET"]);
        assert!(
            !route.allows_method("HEAD"),
            "bound to a route: only what it routes"
        );
        assert_eq!(route.allow_methods_value().as_deref(), Some("PUT, GET"));
    }

    #[test]
    fn header_values() {
        let p = policy();
        assert_eq!(p.allow_methods_value().as_deref(), Some("PUT, DELETE"));
        assert_eq!(
            p.allow_headers_value().as_deref(),
            Some("content-type, x-api-key")
        );
        assert_eq!(p.expose_headers_value().as_deref(), Some("*, X-Request-Id"));
        assert_eq!(p.max_age_value().as_deref(), Some("600"));
        assert_eq!(p.acrh_max_len(), 2 * (14 + 11) + 64);
        let any = Policy {
            allow_any_header: true,
            allow_headers: Vec::new(),
            expose_any_header: false,
            expose_headers: Vec::new(),
            max_age: None,
            ..policy()
        };
        assert_eq!(any.allow_headers_value().as_deref(), Some("*"));
        assert_eq!(any.expose_headers_value(), None);
        assert_eq!(any.max_age_value(), None);
        assert_eq!(any.acrh_max_len(), 8 * 1024);
        let echo = Policy {
            echo_request_headers: true,
            ..policy()
        };
        assert_eq!(echo.acrh_max_len(), 8 * 1024);
    }
}
