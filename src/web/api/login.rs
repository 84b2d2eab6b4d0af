//! `POST /api/v1/auth/token`: an admin trades a directory bind for a Bearer
//! token. Errors in the common shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::answers::{CommonErrors, Token};
use super::body::{JsonBody, name, password};
use super::errors::ApiError;
use crate::audit::Action;
use crate::web::{AppState, Caller};

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// An admin's user name.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    username: String,
    /// Their directory password.
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    password: SecretString,
}

/// Trade an admin's directory credentials for a Bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "tokens",
    request_body = TokenRequest,
    responses((status = 200, description = "A token", body = Token), CommonErrors)
)]
pub async fn issue_token(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body): JsonBody<TokenRequest>,
) -> Response {
    let context = caller.api("auth.token");
    let claimed = body.as_ref().ok().map(|body| body.username.clone());
    let checked = body.and_then(|body| {
        name("username", &body.username)?;
        password("password", &body.password)?;
        Ok(body)
    });
    let body = match checked {
        Ok(body) => body,
        Err(error) => {
            state.refused(&context, Action::Login, None, claimed.as_deref(), error.code()).await;
            return error.into_response();
        }
    };
    match state.app.login(&context, &body.username, &body.password).await {
        Ok(token) => Json(Token {
            access_token: token.expose_secret().to_owned(),
            token_type: "Bearer".into(),
            expires_in: state.app.token_ttl_secs(),
        })
        .into_response(),
        Err(failure) => ApiError::from(failure).into_response(),
    }
}
