//! The HTTP surface: routes, the layers every request passes through, and
//! the two seed contracts as thin adapters over [`crate::reset`], and the
//! lookups over [`crate::lookup`].

mod answers;
mod api_doc;
pub(crate) mod body;
pub mod errors;
mod extract;
pub use extract::Caller;
mod login;
mod panics;
pub(crate) mod people;
mod persons;
mod probes;
mod users;

use std::sync::Arc;

use std::time::Instant;

use axum::Extension;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, State};
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::directory::LdapDirectory;
use crate::metrics::{Metrics, UNMATCHED};
use crate::reset::{Changed, Service};
use answers::NotificationView;
use api_doc::ApiDoc;
use errors::{ApiError, RequestError};
use secrecy::ExposeSecret;

const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

pub struct AppState {
    pub service: Service<LdapDirectory>,
    pub metrics: Arc<Metrics>,
    /// `authorization.default_admin`, empty when unset.
    pub default_admin: String,
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// The API; `/metrics` too unless `server.metrics_listen` serves it apart
/// ([`metrics_router`]).
pub fn router(
    state: Arc<AppState>,
    max_body_bytes: usize,
    with_metrics: bool,
    console: Option<Router<Arc<AppState>>>,
) -> Router {
    let (routes, document) = api(with_metrics).split_for_parts();
    let routes = routes.layer(Extension(Arc::new(api_doc::Rendered::new(&document))));
    // The console's pages sit beside the API, under the same request ids,
    // metrics and body limit.
    let routes = match console {
        Some(console) => routes.merge(console),
        None => routes,
    };
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(panics::answer_panics))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        // Answers carry passwords and people's details: no cache keeps them.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, NO_STORE))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path())
                }).on_failure(
                    // Failures are logged once, with their reason, by `errors::log`.
                    DefaultOnFailure::new().level(tracing::Level::DEBUG),
                ))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}

impl AppState {
    /// Counts a reset that did not happen by its code, and hands it back.
    fn refused_reset(&self, error: ApiError) -> ApiError {
        self.metrics.reset(error.code());
        error
    }

    /// Counts a reset done (and its mail), and hands back what the answer
    /// shows of it: the generated password, exposed here and only here.
    fn changed(&self, changed: Changed) -> (Option<String>, Option<NotificationView>) {
        self.count_changed(&changed);
        let generated = changed.generated.map(|password| password.expose_secret().to_owned());
        (generated, changed.notification.map(NotificationView::from))
    }

    /// Counts a reset done, and its mail: the API's and the console's.
    pub(crate) fn count_changed(&self, changed: &Changed) {
        self.metrics.reset("ok");
        if let Some(notification) = &changed.notification {
            self.metrics.notification(notification.status.as_str());
        }
    }

    /// Counts a refused lookup by its code, and hands it back.
    fn refused_lookup(&self, error: ApiError) -> ApiError {
        self.metrics.lookup(error.code());
        error
    }
}

/// Every route, registered from its handler's API annotation.
pub fn api(with_metrics: bool) -> OpenApiRouter<Arc<AppState>> {
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(persons::change_password))
        .routes(routes!(users::change_password))
        .routes(routes!(people::search))
        .routes(routes!(people::show_by_name))
        .routes(routes!(people::show_by_id))
        .routes(routes!(login::issue_token))
        .routes(routes!(probes::healthz))
        .routes(routes!(probes::readyz))
        .routes(routes!(api_doc::openapi));
    if with_metrics {
        api = api.routes(routes!(probes::metrics));
    }
    api
}

/// `/metrics` alone, for `server.metrics_listen`.
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(probes::metrics))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Counts every request by its route template (never the path itself, so
/// the series stay few) and status, and times it.
async fn observe(State(state): State<Arc<AppState>>, request: Request<Body>, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.http_request(&route, response.status().as_u16(), started.elapsed());
    response
}

async fn not_found() -> ApiError {
    RequestError::NoSuchEndpoint.into()
}

async fn method_not_allowed() -> ApiError {
    RequestError::MethodNotAllowed.into()
}
