//! The app- and scope-wide middleware of a named policy: `App::new().wrap(Api)`,
//! `web::scope("/api").wrap(Api)`. It answers preflights before routing and adds the response
//! headers to every response beneath it; inner policies (a scope's, a handler's own `#[cors]`)
//! take precedence, as [`crate::nesting`] describes.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderValue, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use actix_web::http::Method;
use actix_web::{Error, HttpResponse};
use cors_policy::Policy;

use crate::compiled::Compiled;
use crate::config::{self, ConfiguredOrigins, StartupError};
use crate::nesting;
use crate::preflight;
use crate::response::{Grant, GrantFuture};

/// A named policy as middleware, for a whole app or scope: what `App::new().wrap(Api)` builds
/// from a policy declared with `#[policy(...)] struct Api;` (or `Api::cors()`, to hold it as a
/// value). It is `Copy`, `Send` and `Sync`: build it once, outside `HttpServer::new`, if you
/// like. Switch it off at run time with actix-web's `middleware::Condition`.
///
/// Beneath it:
/// - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
///   before routing: `204` with the grant, or `403`. It never reaches a handler, a 404 or a 405;
/// - every other response gets the CORS headers: handler responses, 404s, the default service,
///   extractor errors, and errors and early responses of middleware inside this one (an
///   authentication middleware's 401, a rate limiter's 429);
/// - the innermost policy wins: a handler's own `#[cors]` over its scope's, a scope's over the
///   app's, and a response carries the headers of one policy only. Where a policy has another
///   inside it, it routes preflights first, so that the inner one can answer; if none does, it
///   answers itself in place of the 404 or 405. A handler of yours that takes every method or
///   `OPTIONS` explicitly, or a default service of yours, on such a path then receives the
///   preflight before this answer replaces its response.
#[derive(Clone, Copy, Debug)]
pub struct Cors {
    policy: &'static Compiled,
    /// The resolved model, for handlers that take this policy (`#[cors(policy = Api)]`).
    model: &'static Policy,
}

impl Cors {
    /// Decodes a named policy's text and reads its origins from the environment and from
    /// `configured`. The code `#[policy]` generates keeps the result in a `static`, so this runs
    /// once per process; [`crate::NamedPolicy::with_origins`] runs it once per call: build the
    /// middleware once, when the app starts. Text this runtime cannot read, only possible with a
    /// `cors-macros` of another version, gives a policy that grants nothing, reported on
    /// standard error.
    #[doc(hidden)]
    pub fn resolve(
        name: &str,
        encoded: &'static str,
        configured: Option<&ConfiguredOrigins>,
    ) -> Result<Self, StartupError> {
        let (model, compiled) = match Compiled::decode_parts(encoded) {
            Ok((written, headers)) => {
                let policy = config::resolve(&format!("`{name}`"), name, &written, configured)?;
                let compiled = Compiled::with_headers(policy.clone(), headers)
                    .with_provenance(config::provenance(&written, configured));
                (policy, compiled)
            }
            Err(error) => {
                eprintln!(
                    "cors-runtime: cannot read the policy `{name}` ({error}); it grants nothing"
                );
                (Policy::nothing(), Compiled::deny_all())
            }
        };
        // Once per policy, when the app starts: as good as a `static`.
        Ok(Self {
            policy: Box::leak(Box::new(compiled)),
            model: Box::leak(Box::new(model)),
        })
    }

    /// The resolved policy.
    pub(crate) fn model(&self) -> &'static Policy {
        self.model
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            policy: self.policy,
            around_a_layer: nesting::layer_built::<S>(),
            has_inner: std::cell::OnceCell::new(),
            listed: crate::listing::Layer::built::<S>(self.policy),
        }))
    }
}

/// The service [`Cors`] wraps an app or a scope in.
pub struct CorsMiddleware<S> {
    service: S,
    policy: &'static Compiled,
    /// Wraps another `Cors` (seen in the wrapped service's type).
    around_a_layer: bool,
    /// A `#[cors]` route or another `Cors` may be inside: learnt at the first request.
    has_inner: std::cell::OnceCell<bool>,
    /// This layer's entry in the policy listing.
    listed: crate::listing::Layer,
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        self.listed.seen(&req);
        let has_inner = *self.has_inner.get_or_init(|| {
            self.around_a_layer || crate::listing::app_has_claims(req.request(), &self.listed)
        });
        let depth = nesting::enter(&req, has_inner, true);
        let head = req.head();
        // A preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`, each looked
        // up once and handed to the decision.
        let preflight = (head.method == Method::OPTIONS)
            .then(|| {
                let origin = head.headers.get(ORIGIN)?;
                let method = head.headers.get(ACCESS_CONTROL_REQUEST_METHOD)?;
                Some(preflight::decide_with(
                    self.policy,
                    origin,
                    || Some(method),
                    &head.headers,
                ))
            })
            .flatten();
        let Some(decision) = preflight else {
            let grant = Grant::decide(self.policy, &req);
            return CorsFuture::Actual {
                inner: GrantFuture::new(self.service.call(req), grant, depth),
            };
        };
        if !has_inner {
            // Nothing inside may claim it: answered before routing.
            nesting::answered(&req);
            crate::events::preflight(req.request(), self.policy, decision.is_some(), false);
            let response = preflight::respond(self.policy, decision);
            return CorsFuture::Answered {
                response: Some(req.into_response(response).map_into_right_body()),
            };
        }
        CorsFuture::Forwarded {
            inner: self.service.call(req),
            policy: self.policy,
            decision: Some(decision),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`CorsMiddleware`].
    #[project = CorsFutureProj]
    pub enum CorsFuture<F, B> {
        /// A preflight answered before routing.
        Answered { response: Option<ServiceResponse<EitherBody<B>>> },
        /// An actual request.
        Actual { #[pin] inner: GrantFuture<F, &'static Compiled> },
        /// A preflight routed first, for a policy inside to answer.
        Forwarded {
            #[pin]
            inner: F,
            policy: &'static Compiled,
            decision: Option<Option<HeaderValue>>,
        },
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            // Polled again after completion: it stays pending.
            CorsFutureProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Pending,
            },
            CorsFutureProj::Actual { inner } => inner
                .poll(cx)
                .map(|result| result.map(ServiceResponse::map_into_left_body)),
            CorsFutureProj::Forwarded {
                inner,
                policy,
                decision,
            } => {
                let result = std::task::ready!(inner.poll(cx));
                let policy: &'static Compiled = policy;
                let Some(decision) = decision.take() else {
                    return Poll::Ready(result.map(ServiceResponse::map_into_left_body));
                };
                Poll::Ready(match result {
                    Ok(response) if nesting::was_answered(response.request()) => {
                        Ok(response.map_into_left_body())
                    }
                    // Routing ended outside every policy inside (a 404, a 405): this policy
                    // answers in its place.
                    Ok(response) => {
                        let (request, _) = response.into_parts();
                        nesting::answered_instead(&request);
                        crate::events::preflight(&request, policy, decision.is_some(), false);
                        let answer = preflight::respond(policy, decision);
                        Ok(ServiceResponse::new(request, answer).map_into_right_body())
                    }
                    // A middleware inside failed the preflight (authentication, which a
                    // preflight never carries): this policy's answer replaces its response,
                    // unless a layer inside answered.
                    Err(mut error) => {
                        error.add_response_mapper(move |response: HttpResponse| {
                            if response.extensions().contains::<nesting::Applied>() {
                                return response;
                            }
                            let mut answer = preflight::respond(policy, decision.clone());
                            answer.extensions_mut().insert(nesting::Applied);
                            answer
                        });
                        Err(error)
                    }
                })
            }
        }
    }
}
