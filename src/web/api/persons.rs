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

use super::answers::{CommonErrors, PersonsOk, shown_once};
use super::authorization::Authorization;
use super::body::{JsonBody, new_password};
use super::errors::ApiError;
use crate::app::{Credentials, Principal, ResetCommand, Target};
use crate::audit::Action;
use crate::generate::Delivery;
use crate::web::{AppState, Caller};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonsRequest {
    /// The new password, exactly as it is to be written; required unless
    /// `generate` is true.
    #[serde(default)]
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    password: Option<SecretString>,
    /// The same again.
    #[serde(default)]
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    password_2: Option<SecretString>,
    /// Let pwproxy draw a password that passes its policy and the
    /// directory's, instead of `password` and `password_2`; temporary unless
    /// the delegation forbids.
    #[serde(default)]
    generate: bool,
    /// Where a generated password goes: the answer (`generated_password`)
    /// or only the person's mail. Default: `generate.deliver`.
    #[serde(default)]
    deliver: Option<Delivery>,
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
    let context = caller.api("persons.change-password");
    // An undecodable path segment is as much "not a UUID" as any other.
    let person_id = person_id.map(|Path(id)| id).unwrap_or_default();
    let command = match command(&person_id, authorization, body) {
        Ok(command) => command,
        Err(error) => {
            return error.refused(&state, &context, Action::Reset, Some(&person_id)).await.into_response();
        }
    };
    match state.app.reset(&context, command).await {
        Ok(changed) => {
            let (generated_password, notification) = shown_once(changed);
            Json(PersonsOk { success: true, generated_password, notification }).into_response()
        }
        Err(failure) => ApiError::from(failure).into_response(),
    }
}

fn command(
    person_id: &str,
    authorization: Authorization,
    body: Result<PersonsRequest, ApiError>,
) -> Result<ResetCommand, ApiError> {
    let body = body?;
    let new =
        new_password(body.password, Some(("password_2", body.password_2)), body.generate, body.deliver)?;
    let id = Uuid::try_parse(person_id)
        .map_err(|_| ApiError::invalid("The person id in the path is not a UUID."))?;
    let principal = authorization.principal()?.unwrap_or(Principal::Missing);
    Ok(ResetCommand {
        credentials: Credentials { principal, admin_password: None },
        target: Target::Id(id),
        password: new,
        temporary: body.temporary,
        unlock: body.unlock,
    })
}
