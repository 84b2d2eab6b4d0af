//! `GET /api/v1/audit`: the audit trail, newest first, as JSON pages, as
//! CSV (`Accept: text/csv`) or as OCSF JSON lines (`format=ocsf`). Reading
//! writes no event.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::answers::CommonErrors;
use super::authorization::Authorization;
use super::errors::{ApiError, RequestError};
use crate::app::{Credentials, Principal};
use crate::audit::export;
use crate::audit::record::Record;
use crate::web::trail_query::TrailParams;
use crate::web::{AppState, Caller};

/// One page of the trail.
#[derive(Serialize, ToSchema)]
pub struct TrailPage {
    events: Vec<Record>,
    /// Pass as `after` for the next page; null on the last.
    next: Option<String>,
}

/// Read the audit trail: auditors see every event, an admin the events of
/// people in their reach and their own.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "audit_read",
    tag = "audit",
    params(TrailParams),
    responses(
        (status = 200, description = "A page of events, newest first (CSV with `Accept: text/csv`, OCSF JSON lines with `format=ocsf`)",
            content(
                (TrailPage = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson")
            )),
        CommonErrors
    ),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn read(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    headers: HeaderMap,
    params: Result<Query<TrailParams>, QueryRejection>,
) -> Response {
    if !state.app.keeps_trail() {
        return ApiError::from(RequestError::NoSuchEndpoint).into_response();
    }
    let context = caller.api("audit.read");
    let asked = params
        .map_err(|_| {
            ApiError::invalid("The query string could not be read: see the filters in docs/audit.md.")
        })
        .and_then(|Query(params)| Ok((params.query()?, params.ocsf()?)));
    let principal = authorization.principal().map(|p| p.unwrap_or(Principal::Missing));
    let ((query, ocsf), principal) = match asked.and_then(|asked| Ok((asked, principal?))) {
        Ok(asked) => asked,
        Err(error) => return error.into_response(),
    };
    let credentials = Credentials { principal, admin_password: None };
    let page = match state.app.trail(&context, &credentials, &query).await {
        Ok(page) => page,
        Err(failure) => return ApiError::from(failure).into_response(),
    };
    if ocsf {
        return text("application/x-ndjson", export::ocsf(&page.events), None);
    }
    if wants_csv(&headers) {
        return text("text/csv; charset=utf-8", export::csv(&page.events), page.next);
    }
    Json(TrailPage { events: page.events, next: page.next.map(|id| id.to_string()) }).into_response()
}

fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|kind| kind.split(';').next().is_some_and(|kind| kind.trim().eq_ignore_ascii_case("text/csv")))
}

/// An export; the next page's cursor, if any, in `Link`-free form as a
/// header of its own.
fn text(kind: &'static str, body: String, next: Option<i64>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Some(next) = next.and_then(|next| HeaderValue::from_str(&next.to_string()).ok()) {
        headers.insert("x-next-after", next);
    }
    response
}
