//! The HTTP surface: the API (`api`) and the helpdesk console (`console`)
//! side by side on a thin shared layer — the state ([`AppState`]), who is
//! asking ([`Caller`]), the one failure→status table (`failure`), input
//! bounds both hold requests to (`input`) — and the layers every request
//! passes through. Each transport turns the application's answers and
//! failures into its own words; neither imports the other.

pub mod api;
mod caller;
pub mod console;
pub mod failure;
pub mod input;
mod panics;
mod state;
#[cfg(test)]
mod tests;
pub mod trail_query;

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, State};
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

use crate::metrics::UNMATCHED;
pub use caller::Caller;
pub use state::AppState;

const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// The API and, when given, the console beside it; `/metrics` too unless
/// `server.metrics_listen` serves it apart ([`api::metrics_router`]).
pub fn router(
    state: Arc<AppState>,
    max_body_bytes: usize,
    with_metrics: bool,
    console: Option<Router<Arc<AppState>>>,
) -> Router {
    let routes = api::routes(with_metrics, &state);
    // The console's pages sit beside the API, under the same request ids,
    // metrics and body limit.
    let routes = match console {
        Some(console) => routes.merge(console),
        None => routes,
    };
    routes
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
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
                    // Failures are logged once, with their reason, where they are answered.
                    DefaultOnFailure::new().level(tracing::Level::DEBUG),
                ))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}

/// Counts every request by its route template (never the path itself, so
/// the series stay few) and status, and times it.
pub(crate) async fn observe(
    State(state): State<Arc<AppState>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.http_request(&route, response.status().as_u16(), started.elapsed());
    response
}
