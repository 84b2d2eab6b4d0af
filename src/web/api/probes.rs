//! Liveness and readiness for orchestrators.

use std::sync::Arc;

use super::answers::Probe;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::web::AppState;

/// Alive: answers while the process serves.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Serving", body = Probe)))]
pub async fn healthz() -> Json<Probe> {
    Json(Probe { status: "ok".into() })
}

/// The Prometheus text exposition; pool gauges are read now.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus metrics (OpenMetrics text)", body = String, content_type = "application/openmetrics-text"))
)]
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    for (pool, status) in state.app.pool_status() {
        state.metrics.connections(
            pool,
            status.available,
            status.size.saturating_sub(status.available),
            status.waiting,
        );
    }
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        state.metrics.render(),
    )
}

/// Ready when the service account can bind and search right now.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The directory answers the service account", body = Probe),
        (status = 503, description = "It does not", body = Probe),
    )
)]
pub async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Probe>) {
    match state.app.ready().await {
        Ok(()) => (StatusCode::OK, Json(Probe { status: "ready".into() })),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Probe { status: "directory_unavailable".into() }))
        }
    }
}
