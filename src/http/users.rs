//! Seed 001: `PUT /api/v1/users/changePassword`: the user by name, the
//! admin's password in the body, `successUsers` / `failedUsers` answers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{AppState, errors, input};
use crate::failure::Failure;
use crate::reset::{Credentials, Principal, ResetCommand, Target};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    user_name: String,
    password: SecretString,
    admin_password: SecretString,
    #[serde(default)]
    admin_user_name: Option<String>,
    #[serde(default)]
    temporary: Option<bool>,
}

pub async fn change_password(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let context = input::context(&headers, client, &state.trusted_proxies, "users.changePassword");
    let body: Body = match input::json(body) {
        Ok(body) => body,
        Err(failure) => return render(&state.service.refuse(&context, failure), None),
    };
    let user_name = body.user_name.clone();
    let command = match parse(body, &headers, &state.default_admin) {
        Ok(command) => command,
        Err(failure) => return render(&state.service.refuse(&context, failure), Some(&user_name)),
    };
    match state.service.reset(&context, command).await {
        Ok(changed) => {
            let mut user = json!({ "username": changed.username });
            if let Some(email) = changed.email {
                user["email"] = json!(email);
            }
            Json(json!({ "successUsers": [user], "status": "OK" })).into_response()
        }
        Err(failure) => render(&failure, Some(&user_name)),
    }
}

/// The acting admin is, in order: the Authorization header's principal, the
/// body's `adminUserName`, `authorization.default_admin`.
fn parse(body: Body, headers: &HeaderMap, default_admin: &str) -> Result<ResetCommand, Failure> {
    input::name("userName", &body.user_name)?;
    input::password("password", &body.password)?;
    input::password("adminPassword", &body.admin_password)?;
    if let Some(admin) = &body.admin_user_name {
        input::name("adminUserName", admin)?;
    }
    let named = body.admin_user_name.or_else(|| Some(default_admin.to_owned()).filter(|a| !a.is_empty()));
    let principal = match input::principal(headers)? {
        Some(principal) => principal,
        None => named.map_or(Principal::Missing, Principal::Named),
    };
    Ok(ResetCommand {
        credentials: Credentials { principal, admin_password: Some(body.admin_password) },
        target: Target::Name(body.user_name),
        password: body.password,
        confirmation: None,
        temporary: body.temporary,
    })
}

/// `{"failedUsers", "errorDetails", "status"}`: one `errorDetails` entry per
/// problem, so a policy failure lists every broken rule.
fn render(failure: &Failure, user_name: Option<&str>) -> Response {
    errors::log(failure);
    let (status, code) = errors::classify(failure);
    let mut details = Map::new();
    details.insert(code.to_owned(), Value::String(errors::message(failure)));
    if let Failure::PasswordPolicy(violations) = failure {
        for violation in violations {
            details.insert(violation.code.to_owned(), Value::String(violation.message.clone()));
        }
    }
    let failed: Vec<Value> = user_name.map(|name| json!({ "username": name })).into_iter().collect();
    let body = json!({
        "failedUsers": failed,
        "errorDetails": details,
        "status": status.canonical_reason().unwrap_or_default(),
    });
    super::respond(failure, status, Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_of_a_body_redacts_the_passwords() {
        let body: Body = serde_json::from_str(
            r#"{"userName": "alice", "password": "new-secret-1", "adminPassword": "admin-secret-2"}"#,
        )
        .unwrap();
        let debug = format!("{body:?}");
        assert!(debug.contains("alice") && !debug.contains("secret"), "{debug}");
    }
}
