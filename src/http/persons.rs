//! Seed 000: `POST /actions/persons/{person_id}/change-password`: the person
//! by UUID, Bearer or Basic credentials, `password` + `password_2`, errors in
//! the common shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::answers::{CommonErrors, PersonsOk};
use super::body::{JsonBody, password};
use super::errors::ApiError;
use super::extract::{Authorization, Caller};
use crate::reset::{Credentials, Principal, ResetCommand, Target};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonsRequest {
    /// The new password, exactly as it is to be written.
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    password: SecretString,
    /// The same again.
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    password_2: SecretString,
    /// Must the person change it at their next sign-in? Default:
    /// `policy.must_change`, unless the admin's delegation forces it.
    #[serde(default)]
    temporary: Option<bool>,
    /// Also unlock a locked (not disabled) person, where the delegation allows it.
    #[serde(default)]
    unlock: bool,
}

/// Reset the password of the person with this id; the admin authenticates
/// with a Bearer token or Basic credentials.
#[utoipa::path(
    post,
    path = "/actions/persons/{person_id}/change-password",
    operation_id = "persons_change_password",
    tag = "passwords",
    params(("person_id" = String, Path, format = Uuid, description = "The person's id (entryUUID; objectGUID on AD), in any letter case")),
    request_body = PersonsRequest,
    responses((status = 200, description = "The password was changed", body = PersonsOk), CommonErrors),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    person_id: Result<Path<String>, PathRejection>,
    authorization: Authorization,
    JsonBody(body): JsonBody<PersonsRequest>,
) -> Response {
    let context = caller.at("persons.change-password");
    // An undecodable path segment is as much "not a UUID" as any other.
    let person_id = person_id.map(|Path(id)| id).unwrap_or_default();
    let command = match command(&person_id, authorization, body) {
        Ok(command) => command,
        Err(error) => return state.refused_reset(error.audited(&context)).into_response(),
    };
    match state.service.reset(&context, command).await {
        Ok(_) => {
            state.metrics.reset("ok");
            Json(PersonsOk { success: true }).into_response()
        }
        Err(failure) => state.refused_reset(failure.into()).into_response(),
    }
}

fn command(
    person_id: &str,
    authorization: Authorization,
    body: Result<PersonsRequest, ApiError>,
) -> Result<ResetCommand, ApiError> {
    let body = body?;
    password("password", &body.password)?;
    password("password_2", &body.password_2)?;
    let id = Uuid::try_parse(person_id)
        .map_err(|_| ApiError::invalid("The person id in the path is not a UUID."))?;
    let principal = authorization.principal()?.unwrap_or(Principal::Missing);
    Ok(ResetCommand {
        credentials: Credentials { principal, admin_password: None },
        target: Target::Id(id),
        password: body.password,
        confirmation: Some(body.password_2),
        temporary: body.temporary,
        unlock: body.unlock,
    })
}
