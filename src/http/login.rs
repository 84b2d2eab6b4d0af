//! `POST /api/v1/auth/token`: an admin trades a directory bind for a Bearer
//! token. Errors in the common shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::{JsonBody, name, password};
use super::errors::ApiError;
use super::extract::Caller;

#[derive(Debug, Deserialize)]
pub struct Body {
    username: String,
    password: SecretString,
}

pub async fn issue_token(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body): JsonBody<Body>,
) -> Response {
    let context = caller.at("auth.token");
    let checked = body.and_then(|body| {
        name("username", &body.username)?;
        password("password", &body.password)?;
        Ok(body)
    });
    let body = match checked {
        Ok(body) => body,
        Err(error) => return error.audited(&context).into_response(),
    };
    match state.service.login(&context, &body.username, &body.password).await {
        Ok(token) => Json(json!({
            "access_token": token.expose_secret(),
            "token_type": "Bearer",
            "expires_in": state.service.token_ttl_secs(),
        }))
        .into_response(),
        Err(failure) => ApiError::from(failure).into_response(),
    }
}
