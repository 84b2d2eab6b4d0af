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
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::body::{JsonBody, password};
use super::errors::ApiError;
use super::extract::{Authorization, Caller};
use crate::reset::{Credentials, Principal, ResetCommand, Target};

#[derive(Debug, Deserialize)]
pub struct Body {
    password: SecretString,
    password_2: SecretString,
    #[serde(default)]
    temporary: Option<bool>,
    #[serde(default)]
    unlock: bool,
}

pub async fn change_password(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    person_id: Result<Path<String>, PathRejection>,
    authorization: Authorization,
    JsonBody(body): JsonBody<Body>,
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
            Json(json!({ "success": true })).into_response()
        }
        Err(failure) => state.refused_reset(failure.into()).into_response(),
    }
}

fn command(
    person_id: &str,
    authorization: Authorization,
    body: Result<Body, ApiError>,
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
