//! How a [`Compiled`] policy is described in the policy listing ([`crate::listing`]). A child
//! module of `compiled`, so that it reads the policy's fields without widening their visibility;
//! nothing here runs on the request path.

use cors_policy::{HostPattern, OriginPattern, PortPattern};

use super::Compiled;
use crate::listing::{KeySources, OriginEntry, PolicyView};
use crate::origin_table::AllowedOrigins;

impl Compiled {
    /// The policy as the listing shows it: origins (exact ones in the order written for short
    /// lists, sorted for hashed ones, then the patterns), methods, headers, credentials, max
    /// age.
    pub(crate) fn view(&self) -> PolicyView {
        let origins = match &self.origins {
            AllowedOrigins::Any => vec![OriginEntry {
                origin: "*".to_owned(),
                source: self.provenance().source_of("*").clone(),
            }],
            AllowedOrigins::List { table, patterns } => {
                let mut exact = table.origins();
                if !table.is_linear() {
                    exact.sort_unstable();
                }
                exact
                    .into_iter()
                    .map(str::to_owned)
                    .chain(patterns.iter().map(render_pattern))
                    .map(|origin| OriginEntry {
                        source: self.provenance().source_of(&origin).clone(),
                        origin,
                    })
                    .collect()
            }
        };
        let mut allow_headers: Vec<String> = Vec::new();
        if self.allow_any_header {
            allow_headers.push("*".to_owned());
        }
        allow_headers.extend(self.allow_headers.iter().cloned());
        let text = |v: &Option<actix_web::http::header::HeaderValue>| {
            v.as_ref().and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let expose_headers = text(&self.headers.expose_headers)
            .map(|v| v.split(", ").map(str::to_owned).collect())
            .unwrap_or_default();
        let allow_methods: Vec<String> = self.allow_methods.to_vec();
        PolicyView {
            routed_methods: self.routed_methods.as_ref().map(|m| m.to_vec()),
            allow_methods,
            origins,
            credentials: self.credentials,
            allow_headers,
            echo_request_headers: self.echo_request_headers,
            expose_headers,
            max_age: text(&self.headers.max_age).and_then(|v| v.parse().ok()),
            sources: KeySources::of(self.provenance()),
        }
    }
}

/// An origin pattern as written: `https://*.example.com`, `http://localhost:*`.
fn render_pattern(p: &OriginPattern) -> String {
    let host = match &p.host {
        HostPattern::Exact(host) => host.clone(),
        HostPattern::Subdomains(domain) => format!("*.{domain}"),
    };
    let port = match p.port {
        PortPattern::Default => String::new(),
        PortPattern::Exact(port) => format!(":{port}"),
        PortPattern::Any => ":*".to_owned(),
    };
    format!("{}://{host}{port}", p.scheme)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
    use cors_policy::{Origins, Policy};

    use super::*;
    use crate::preflight::decide;
    use crate::Refusal;

    fn compiled(exact: &[&str], patterns: &[OriginPattern]) -> Compiled {
        let policy = Policy {
            origins: Origins::List {
                exact: exact.iter().map(|o| (*o).to_owned()).collect(),
                patterns: patterns.to_vec(),
            },
            credentials: true,
            allow_methods: vec!["PUT".into()],
            routed_methods: Some(vec!["GET".into(), "PUT".into()]),
            allow_headers: vec!["content-type".into()],
            allow_any_header: false,
            echo_request_headers: false,
            expose_headers: vec!["X-Id".into(), "X-Total".into()],
            expose_any_header: false,
            max_age: Some(300),
            allow_insecure_origins: false,
            origin_sources: Vec::new(),
        };
        let text: &'static str = Box::leak(cors_policy::wire::encode(&policy).into_boxed_str());
        Compiled::decode(text).expect("the macro's own output decodes")
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn a_refusal_says_why_in_the_order_checked() {
        let p = compiled(&["https://a.example"], &[]);
        type Case<'a> = (&'a [(&'a str, &'a str)], Refusal, Option<&'a str>);
        let cases: &[Case<'_>] = &[
            (
                &[
                    ("origin", "https://b.example"),
                    ("access-control-request-method", "GET"),
                ],
                Refusal::OriginNotAllowed,
                None,
            ),
            (
                &[
                    ("origin", "https://a.example"),
                    ("access-control-request-method", "GET"),
                ],
                Refusal::MethodNotAllowed,
                None,
            ),
            (
                &[
                    ("origin", "https://a.example"),
                    ("access-control-request-method", "PUT"),
                    ("access-control-request-headers", "Content-Type, X-B, X-C"),
                ],
                Refusal::HeaderNotAllowed,
                Some("x-b"),
            ),
            (
                &[
                    ("origin", "https://a.example"),
                    ("access-control-request-method", "PUT"),
                    ("access-control-request-headers", "a@b"),
                ],
                Refusal::RequestHeaderMalformed,
                None,
            ),
        ];
        for (pairs, reason, header) in cases {
            let map = headers(pairs);
            let refused = decide(&p, &map).expect_err("refused");
            assert_eq!(refused.reason, *reason, "{pairs:?}");
            assert_eq!(
                refused
                    .header
                    .map(|h| String::from_utf8_lossy(h).to_ascii_lowercase()),
                header.map(str::to_owned),
                "{pairs:?}"
            );
        }
        let long = "content-type,".repeat(100);
        let map = headers(&[
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", &long),
        ]);
        assert_eq!(
            decide(&p, &map).map(|_| ()).map_err(|r| r.reason),
            Err(Refusal::RequestHeaderTooLong)
        );
    }

    #[test]
    fn view_lists_origins_methods_and_headers() {
        let pattern = OriginPattern {
            scheme: "https".into(),
            host: HostPattern::Subdomains("example.com".into()),
            port: PortPattern::Any,
        };
        let short = compiled(
            &["https://z.example", "https://a.example"],
            std::slice::from_ref(&pattern),
        );
        let v = short.view();
        let origins: Vec<&str> = v.origins.iter().map(|o| o.origin.as_str()).collect();
        assert_eq!(
            origins,
            [
                "https://z.example",
                "https://a.example",
                "https://*.example.com:*"
            ],
            "short lists keep the order written"
        );
        assert!(v.origins.iter().all(|o| o.source == crate::Source::Literal));
        assert_eq!(v.expose_headers, ["X-Id", "X-Total"]);
        assert_eq!(v.allow_headers, ["content-type"]);
        assert_eq!(v.max_age, Some(300));
        assert!(v.credentials);
        let long: Vec<String> = (0..9)
            .rev()
            .map(|i| format!("https://{i}.example"))
            .collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let v = compiled(&long, &[]).view();
        let origins: Vec<&str> = v.origins.iter().map(|o| o.origin.as_str()).collect();
        let mut sorted = long.clone();
        sorted.sort_unstable();
        assert_eq!(origins, sorted, "hashed lists come out sorted");
    }
}
