//! What a browser would do against your actix-web app, in `cargo test`, without a browser or a
//! socket (feature `actix`).
//!
//! A [`Page`] on an origin [`fetch`](Page::fetch)es from the app; the request runs through the
//! doctor's model of the browser ([`diagnose`]: preflight or not, the preflight, the actual
//! request, redirects) with every request sent to the app in process, as
//! `actix_web::test::call_service` sends it. The verdict is the command-line doctor's for the
//! same answers, and an assertion that fails prints its diagnosis.
//!
//! ```
//! use actix_web::{test, web, App, HttpResponse};
//! use cors_doctor::test::Page;
//!
//! # actix_web::rt::System::new().block_on(async {
//! // An app that grants https://app.example.com by hand (a `#[cors]` app works the same).
//! let app = test::init_service(App::new().route(
//!     "/api/me",
//!     web::get().to(|req: actix_web::HttpRequest| async move {
//!         let mut res = HttpResponse::Ok();
//!         res.insert_header(("Vary", "Origin"));
//!         if req.headers().get("origin").is_some_and(|o| o == "https://app.example.com") {
//!             res.insert_header(("Access-Control-Allow-Origin", "https://app.example.com"))
//!                 .insert_header(("Access-Control-Allow-Credentials", "true"));
//!         }
//!         res.body("me")
//!     }),
//! ))
//! .await;
//!
//! Page::new("https://app.example.com")
//!     .fetch("GET", "/api/me")
//!     .credentials()
//!     .assert_allowed(&app)
//!     .await;
//! Page::new("https://evil.example")
//!     .fetch("GET", "/api/me")
//!     .credentials()
//!     .assert_blocked(&app)
//!     .await;
//! # });
//! ```

use std::str::FromStr;

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::test::TestRequest;

use crate::*;

/// The server URL a path given to [`Page::fetch`] is resolved against, unless
/// [`Page::server`] says otherwise.
pub const DEFAULT_SERVER: &str = "https://api.example.test";

/// A page on an origin, fetching from the app under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    origin: String,
    server: String,
}

impl Page {
    /// A page whose origin is `origin` (`https://app.example.com`, or `null`).
    pub fn new(origin: &str) -> Page {
        Page {
            origin: origin.to_owned(),
            server: DEFAULT_SERVER.to_owned(),
        }
    }

    /// The app's own URL (`scheme://host[:port]`), against which paths are resolved; the
    /// default is [`DEFAULT_SERVER`]. Every request goes to the same app in process, a redirect
    /// to another host included (its `Host` header says which).
    pub fn server(mut self, url: &str) -> Page {
        self.server = url.trim_end_matches('/').to_owned();
        self
    }

    /// `fetch(url, {method})` from this page. `url` is a path on the app (`/api/items/1`) or
    /// a full URL.
    pub fn fetch(&self, method: &str, url: &str) -> Fetch {
        let url = if url.starts_with('/') {
            format!("{}{url}", self.server)
        } else {
            url.to_owned()
        };
        Fetch {
            request: PageRequest {
                url,
                origin: self.origin.clone(),
                method: method.to_owned(),
                ..PageRequest::default()
            },
            body: None,
            options: Options::default(),
            cookies: Vec::new(),
        }
    }
}

/// One `fetch` call: what the page sends, and the assertions on what the browser concludes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    request: PageRequest,
    body: Option<(Body, Option<String>)>,
    options: Options,
    cookies: Vec<(String, String)>,
}

impl Fetch {
    /// `credentials: "include"`.
    pub fn credentials(mut self) -> Self {
        self.request.credentials = true;
        self
    }

    /// A header the page sets.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request
            .headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// A cookie the browser holds for the URL's host (sent with credentialed or same-origin
    /// requests, never with a preflight).
    pub fn cookie(mut self, name: &str, value: &str) -> Self {
        self.cookies.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body: `body: JSON.stringify(..)` with `Content-Type: application/json` (which
    /// needs a preflight).
    pub fn json(mut self, body: &str) -> Self {
        self.body = Some((
            Body::Text(body.to_owned()),
            Some("application/json".to_owned()),
        ));
        self
    }

    /// A string body (`text/plain;charset=UTF-8` unless a `Content-Type` header is set).
    pub fn text(mut self, body: &str) -> Self {
        self.body = Some((Body::Text(body.to_owned()), None));
        self
    }

    /// Do not send the probes (the request again with a made-up origin and with `null`); the
    /// warnings that need them are then not computed.
    pub fn without_probes(mut self) -> Self {
        self.options.probe = false;
        self
    }

    /// The page's request, as the doctor takes it.
    pub fn page_request(&self) -> Result<PageRequest, DoctorError> {
        let mut page = self.request.clone();
        for (name, value) in &self.cookies {
            let cookie = Cookie::for_url(&format!("{name}={value}"), &page.url).map_err(|_| {
                DoctorError::Plan(PlanError::InvalidHeader(format!("Cookie: {name}={value}")))
            })?;
            page.cookies.push(cookie);
        }
        if let Some((body, content_type)) = &self.body {
            page.set_body(body.clone(), content_type.as_deref());
        }
        Ok(page)
    }

    /// Runs the browser's algorithm against `app` (from `actix_web::test::init_service`) and
    /// returns the doctor's report.
    pub async fn report<S, B>(&self, app: &S) -> Result<Report, DoctorError>
    where
        S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let page = self.page_request()?;
        let mut transport = InProcess { app };
        diagnose(&mut transport, &page, &self.options).await
    }

    /// Asserts that the page can read the response, and returns the report.
    ///
    /// # Panics
    ///
    /// When the browser would block the request, with the doctor's diagnosis.
    pub async fn assert_allowed<S, B>(&self, app: &S) -> Report
    where
        S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let report = self.expect_report(app).await;
        if report.verdict != Verdict::Allowed {
            panic!(
                "expected the browser to allow this request, but it blocks it:\n\n{}",
                render(&report, false)
            );
        }
        report
    }

    /// Asserts that the page can read the response and these response headers (names in
    /// any case), and returns the report.
    ///
    /// # Panics
    ///
    /// When the browser would block the request or hide one of the headers, with the
    /// doctor's diagnosis.
    pub async fn assert_readable<S, B>(&self, app: &S, headers: &[&str]) -> Report
    where
        S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let report = self.assert_allowed(app).await;
        let readable = report
            .steps
            .last()
            .and_then(|s| s.readable_headers.clone())
            .unwrap_or_default();
        let hidden: Vec<&str> = headers
            .iter()
            .copied()
            .filter(|h| !readable.iter().any(|r| r.eq_ignore_ascii_case(h)))
            .collect();
        if !hidden.is_empty() && !report.plan.same_origin {
            panic!(
                "the browser allows this request but the page cannot read {} (readable: {}; list them in Access-Control-Expose-Headers):\n\n{}",
                hidden.join(", "),
                readable.join(", "),
                render(&report, false)
            );
        }
        report
    }

    /// Asserts that the browser blocks the request (the page cannot read the response), and
    /// returns the report.
    ///
    /// # Panics
    ///
    /// When the browser would let the page read the response, with the doctor's diagnosis.
    pub async fn assert_blocked<S, B>(&self, app: &S) -> Report
    where
        S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let report = self.expect_report(app).await;
        if report.verdict != Verdict::Blocked {
            panic!(
                "expected the browser to block this request, but the page can read the response:\n\n{}",
                render(&report, false)
            );
        }
        report
    }

    async fn expect_report<S, B>(&self, app: &S) -> Report
    where
        S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        match self.report(app).await {
            Ok(report) => report,
            Err(e) => panic!("the browser would not send this request: {e}"),
        }
    }
}

/// Sends each request to the service in process, as `actix_web::test::call_service` does; an
/// `Err` from the service becomes its error response, as the server turns it into one.
struct InProcess<'a, S> {
    app: &'a S,
}

fn cannot(message: String) -> NoAnswer {
    NoAnswer {
        kind: FailureKind::Unreachable,
        message,
    }
}

impl<S, B> Transport for InProcess<'_, S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    async fn send(&mut self, request: &Outgoing) -> Result<Response, NoAnswer> {
        let parts = url_parts(&request.url)
            .ok_or_else(|| cannot(format!("{}: not an http(s) URL", request.url)))?;
        let target = format!("{}{}", parts.path, parts.query);
        Uri::from_str(&target).map_err(|e| cannot(format!("{}: {e}", request.url)))?;
        let method = Method::from_bytes(request.method.as_bytes())
            .map_err(|e| cannot(format!("method {}: {e}", request.method)))?;
        let host = HeaderValue::from_str(&parts.authority)
            .map_err(|e| cannot(format!("host {}: {e}", parts.authority)))?;
        let mut test_request = TestRequest::default()
            .method(method)
            .uri(&target)
            .insert_header((actix_web::http::header::HOST, host));
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| cannot(format!("header {name}: {e}")))?;
            let value =
                HeaderValue::from_str(value).map_err(|e| cannot(format!("header {name}: {e}")))?;
            test_request = test_request.append_header((name, value));
        }
        if let Some(body) = &request.body {
            test_request = test_request.set_payload(body.clone());
        }
        let (status, headers) = match self.app.call(test_request.to_request()).await {
            Ok(response) => (response.status(), response.headers().clone()),
            Err(error) => {
                let response = error.error_response();
                (response.status(), response.headers().clone())
            }
        };
        Ok(Response {
            status: status.as_u16(),
            headers: headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        })
    }
}
