//! The HTTP surface: routes, the layers every request passes through, and
//! the two seed contracts as thin adapters over [`crate::reset`].

mod body;
pub mod errors;
mod extract;
mod login;
mod persons;
mod probes;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::routing::{get, post, put};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, TraceLayer};

use crate::directory::LdapDirectory;
use crate::reset::Service;
use errors::{ApiError, RequestError};

pub struct AppState {
    pub service: Service<LdapDirectory>,
    /// `authorization.default_admin`, empty when unset.
    pub default_admin: String,
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

pub fn router(state: Arc<AppState>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/actions/persons/{person_id}/change-password", post(persons::change_password))
        .route("/api/v1/users/changePassword", put(users::change_password))
        .route("/api/v1/auth/token", post(login::issue_token))
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body_bytes))
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

async fn not_found() -> ApiError {
    RequestError::NoSuchEndpoint.into()
}

async fn method_not_allowed() -> ApiError {
    RequestError::MethodNotAllowed.into()
}
