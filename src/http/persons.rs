//! Seed 000: `POST /actions/persons/{person_id}/change-password`: the person
//! by UUID, Bearer or Basic credentials, `password` + `password_2`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{AppState, errors, input};
use crate::failure::Failure;
use crate::reset::{Credentials, Principal, ResetCommand, Target};

#[derive(Debug, Deserialize)]
struct Body {
    password: SecretString,
    password_2: SecretString,
    #[serde(default)]
    temporary: Option<bool>,
}

pub async fn change_password(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    person_id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let context = input::context(&headers, client, &state.trusted_proxies, "persons.change-password");
    // An undecodable path segment is as much "not a UUID" as any other.
    let person_id = person_id.map(|Path(id)| id).unwrap_or_default();
    let command = match parse(&person_id, &headers, body) {
        Ok(command) => command,
        Err(failure) => return render(&state.service.refuse(&context, failure)),
    };
    match state.service.reset(&context, command).await {
        Ok(_) => Json(json!({ "success": true })).into_response(),
        Err(failure) => render(&failure),
    }
}

fn parse(
    person_id: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ResetCommand, Failure> {
    let body: Body = input::json(body)?;
    input::password("password", &body.password)?;
    input::password("password_2", &body.password_2)?;
    let id = Uuid::try_parse(person_id)
        .map_err(|_| Failure::InvalidRequest("The person id in the path is not a UUID.".into()))?;
    let principal = input::principal(headers)?.unwrap_or(Principal::Missing);
    Ok(ResetCommand {
        credentials: Credentials { principal, admin_password: None },
        target: Target::Id(id),
        password: body.password,
        confirmation: Some(body.password_2),
        temporary: body.temporary,
    })
}

/// `{"error": true, "message", "code"}`, plus `violations` for a policy failure.
pub fn render(failure: &Failure) -> Response {
    errors::log(failure);
    let (status, code) = errors::classify(failure);
    let mut body = json!({ "error": true, "message": errors::message(failure), "code": code });
    if let Failure::PasswordPolicy(violations) = failure {
        body["violations"] = json!(violations);
    }
    super::respond(failure, status, Json(body))
}
