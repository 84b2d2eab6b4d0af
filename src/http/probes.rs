//! Liveness and readiness for orchestrators.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::AppState;
use crate::directory::Directory;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The Prometheus text exposition; pool gauges are read now.
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    for (pool, status) in state.service.directory().pools() {
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
pub async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    match state.service.directory().ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "directory_unavailable" })))
        }
    }
}
