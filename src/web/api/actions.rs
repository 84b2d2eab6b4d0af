//! Account actions: `POST /api/v1/users/{userName}/{action}` and
//! `POST /actions/persons/{person_id}/{action}` for `unlock`, `disable` and
//! `enable`, thin adapters over the application's account change. The
//! body is empty or `{"reason": "…"}`; errors in the common shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::answers::CommonErrors;
use super::authorization::Authorization;
use super::body::{OptionalJsonBody, name};
use super::errors::ApiError;
use crate::app::{AccountCommand, Credentials, Principal, Target};
use crate::audit::{Action, RequestContext};
use crate::directory::AccountChange;
use crate::web::input;
use crate::web::{AppState, Caller};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Why, in the agent's words: kept in the audit event.
    #[schema(max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDone {
    pub success: bool,
    /// False when the account already was so: nothing was written.
    pub changed: bool,
}

/// The actions, as the API document lists them (the path is read by
/// [`AccountChange::named`]).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ActionName {
    Unlock,
    Disable,
    Enable,
}

/// Unlock (a lock left by failed sign-ins, the password unchanged),
/// disable or enable a person inside your reach, by user name.
#[utoipa::path(
    post,
    path = "/api/v1/users/{userName}/{action}",
    operation_id = "users_account_action",
    tag = "account actions",
    params(("userName" = String, Path, min_length = 1, max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        description = "The person's user name"),
        ("action" = ActionName, Path, description = "unlock, disable or enable")),
    request_body(content = Option<ActionRequest>, description = "Empty, or a reason"),
    responses((status = 200, description = "Done, or already so", body = ActionDone), CommonErrors),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn by_name(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    path: Result<Path<(String, String)>, PathRejection>,
    OptionalJsonBody(body): OptionalJsonBody<ActionRequest>,
) -> Response {
    let context = caller.api("users.account_action");
    let Some((named, change)) = read_path(path) else { return unknown_action() };
    let target = name("userName", &named).map(|()| Target::Name(named.clone()));
    act(&state, &context, authorization, (&named, target), change, body).await
}

/// Unlock, disable or enable a person inside your reach, by id.
#[utoipa::path(
    post,
    path = "/actions/persons/{person_id}/{action}",
    operation_id = "persons_account_action",
    tag = "account actions",
    params(("person_id" = String, Path, format = Uuid, description = "The person's id (entryUUID; objectGUID on AD), in any letter case"),
        ("action" = ActionName, Path, description = "unlock, disable or enable")),
    request_body(content = Option<ActionRequest>, description = "Empty, or a reason"),
    responses((status = 200, description = "Done, or already so", body = ActionDone), CommonErrors),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn by_id(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    path: Result<Path<(String, String)>, PathRejection>,
    OptionalJsonBody(body): OptionalJsonBody<ActionRequest>,
) -> Response {
    let context = caller.api("persons.account_action");
    let Some((person_id, change)) = read_path(path) else { return unknown_action() };
    let target = Uuid::try_parse(&person_id)
        .map(Target::Id)
        .map_err(|_| ApiError::invalid("The person id in the path is not a UUID."));
    act(&state, &context, authorization, (&person_id, target), change, body).await
}

/// Who, and which change: `None` for a path naming no known action.
fn read_path(path: Result<Path<(String, String)>, PathRejection>) -> Option<(String, AccountChange)> {
    let Path((who, action)) = path.ok()?;
    Some((who, AccountChange::named(&action)?))
}

fn unknown_action() -> Response {
    ApiError::invalid("The path names no known action.").into_response()
}

async fn act(
    state: &AppState,
    context: &RequestContext,
    authorization: Authorization,
    (named, target): (&str, Result<Target, ApiError>),
    change: AccountChange,
    body: Result<Option<ActionRequest>, ApiError>,
) -> Response {
    let asked = target.and_then(|target| {
        let reason = input::reason("reason", body?.and_then(|b| b.reason))?;
        let principal = authorization.principal()?.unwrap_or(Principal::Missing);
        let credentials = Credentials { principal, admin_password: None };
        Ok(AccountCommand { credentials, target, change, reason })
    });
    let command = match asked {
        Ok(command) => command,
        Err(error) => {
            return error.refused(state, context, Action::from(change), Some(named)).await.into_response();
        }
    };
    match state.app.change_account(context, command).await {
        Ok(done) => Json(ActionDone { success: true, changed: done.changed }).into_response(),
        Err(failure) => ApiError::Bare(failure).into_response(),
    }
}
