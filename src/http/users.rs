//! Seed 001: `PUT /api/v1/users/changePassword`: the user by name, the
//! admin's password in the body, `successUsers` / `failedUsers` answers.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppState;
use super::body::{JsonBody, name, password};
use super::errors::ApiError;
use super::extract::{Authorization, Caller};
use crate::reset::{Credentials, Principal, ResetCommand, Target};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    user_name: String,
    password: SecretString,
    admin_password: SecretString,
    #[serde(default)]
    admin_user_name: Option<String>,
    #[serde(default)]
    temporary: Option<bool>,
    #[serde(default)]
    unlock: bool,
}

pub async fn change_password(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    JsonBody(body): JsonBody<Body>,
) -> Response {
    let context = caller.at("users.changePassword");
    let user_name = body.as_ref().ok().map(|body| body.user_name.clone());
    let command = match body.and_then(|body| command(body, authorization, &state.default_admin)) {
        Ok(command) => command,
        Err(error) => return render(&state.refused_reset(error.audited(&context)), user_name.as_deref()),
    };
    match state.service.reset(&context, command).await {
        Ok(changed) => {
            state.metrics.reset("ok");
            let mut user = json!({ "username": changed.username });
            if let Some(email) = changed.email {
                user["email"] = json!(email);
            }
            Json(json!({ "successUsers": [user], "status": "OK" })).into_response()
        }
        Err(failure) => render(&state.refused_reset(failure.into()), user_name.as_deref()),
    }
}

/// The acting admin is, in order: the Authorization header's principal, the
/// body's `adminUserName`, `authorization.default_admin`.
fn command(body: Body, authorization: Authorization, default_admin: &str) -> Result<ResetCommand, ApiError> {
    name("userName", &body.user_name)?;
    password("password", &body.password)?;
    password("adminPassword", &body.admin_password)?;
    if let Some(admin) = &body.admin_user_name {
        name("adminUserName", admin)?;
    }
    let named = body.admin_user_name.or_else(|| Some(default_admin.to_owned()).filter(|a| !a.is_empty()));
    let principal = match authorization.principal()? {
        Some(principal) => principal,
        None => named.map_or(Principal::Missing, Principal::Named),
    };
    Ok(ResetCommand {
        credentials: Credentials { principal, admin_password: Some(body.admin_password) },
        target: Target::Name(body.user_name),
        password: body.password,
        confirmation: None,
        temporary: body.temporary,
        unlock: body.unlock,
    })
}

/// `{"failedUsers", "errorDetails", "status"}`: one `errorDetails` entry per
/// problem, so a policy failure lists every broken rule.
fn render(error: &ApiError, user_name: Option<&str>) -> Response {
    let mut details = Map::new();
    details.insert(error.code().to_owned(), Value::String(error.message()));
    for rule in error.violations() {
        details.insert(rule.code().to_owned(), Value::String(rule.message()));
    }
    let failed: Vec<Value> = user_name.map(|name| json!({ "username": name })).into_iter().collect();
    error.respond(json!({
        "failedUsers": failed,
        "errorDetails": details,
        "status": error.status().canonical_reason().unwrap_or_default(),
    }))
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
