//! The API: the two seed contracts and the lookups as thin adapters over
//! the application, their JSON shapes (`answers`), bodies (`body`), the
//! `Authorization` header (`authorization`), errors in the contract's
//! shapes (`errors`), probes and the API document.

mod actions;
mod answers;
mod api_doc;
mod authorization;
pub(crate) mod body;
mod bulk;
pub mod errors;
mod login;
mod people;
mod persons;
mod probes;
mod trail;
mod users;

use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::middleware;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppState, observe};
use api_doc::ApiDoc;
use errors::{ApiError, RequestError};

/// Every route of the API, its document served at `/openapi.json`.
pub(super) fn routes(with_metrics: bool, state: &AppState) -> Router<Arc<AppState>> {
    let (routes, document) = api(with_metrics).split_for_parts();
    let rendered = api_doc::Rendered::new(&document, state.bulk_max_people, state.app.sends_mail());
    routes.layer(Extension(Arc::new(rendered)))
}

/// Every route, registered from its handler's API annotation.
pub fn api(with_metrics: bool) -> OpenApiRouter<Arc<AppState>> {
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(persons::change_password))
        .routes(routes!(users::change_password))
        .routes(routes!(people::search))
        .routes(routes!(people::show_by_name))
        .routes(routes!(people::show_by_id))
        .routes(routes!(actions::by_name))
        .routes(routes!(actions::by_id))
        .routes(routes!(login::issue_token))
        .routes(routes!(trail::read))
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

pub(super) async fn not_found() -> ApiError {
    RequestError::NoSuchEndpoint.into()
}

pub(super) async fn method_not_allowed() -> ApiError {
    RequestError::MethodNotAllowed.into()
}
