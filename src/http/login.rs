//! `POST /api/v1/auth/token`: an admin trades a directory bind for a Bearer
//! token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::{AppState, input, persons};

#[derive(Debug, Deserialize)]
struct Body {
    username: String,
    password: SecretString,
}

pub async fn issue_token(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let context = input::context(&headers, client, &state.trusted_proxies, "auth.token");
    let parsed = input::json::<Body>(body).and_then(|body| {
        input::name("username", &body.username)?;
        input::password("password", &body.password)?;
        Ok(body)
    });
    let body = match parsed {
        Ok(body) => body,
        Err(failure) => return persons::render(&state.service.refuse(&context, failure)),
    };
    match state.service.login(&context, &body.username, &body.password).await {
        Ok(token) => Json(json!({
            "access_token": token.expose_secret(),
            "token_type": "Bearer",
            "expires_in": state.service.token_ttl_secs(),
        }))
        .into_response(),
        Err(failure) => persons::render(&failure),
    }
}
