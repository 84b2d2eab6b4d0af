//! Seed 001: `PUT /api/v1/users/changePassword`: the user by name, the
//! admin's password in the body, `successUsers` / `failedUsers` answers.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::answers::{FailedUser, SuccessUser, UsersError, UsersErrors, UsersOk, shown_once};
use super::authorization::Authorization;
use super::body::{JsonBody, name, new_password, password};
use super::errors::ApiError;
use crate::app::{Credentials, Principal, ResetCommand, Target};
use crate::audit::Action;
use crate::generate::Delivery;
use crate::web::{AppState, Caller};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRequest {
    /// The person whose password changes, by user name.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    user_name: String,
    /// The new password, exactly as it is to be written; required unless
    /// `generate` is true.
    #[serde(default)]
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    password: Option<SecretString>,
    /// The acting admin's own password, always verified by a bind.
    #[schema(value_type = String, format = Password, pattern = "^[^\\x00]*$")]
    admin_password: SecretString,
    /// The acting admin, unless the Authorization header names them (else
    /// `authorization.default_admin`).
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    admin_user_name: Option<String>,
    /// Must the person change it at their next sign-in? Default:
    /// `policy.must_change`, unless the admin's delegation forces it.
    #[serde(default)]
    temporary: Option<bool>,
    /// Also unlock a locked (not disabled) person, where the delegation allows it.
    #[serde(default)]
    unlock: bool,
    /// Let pwproxy draw the password instead of `password`; temporary
    /// unless the delegation forbids.
    #[serde(default)]
    generate: bool,
    /// Where a generated password goes: the answer (`generatedPassword`)
    /// or only the person's mail. Default: `generate.deliver`.
    #[serde(default)]
    deliver: Option<Delivery>,
}

/// Reset the password of the person with this user name; `adminPassword`
/// proves the acting admin.
#[utoipa::path(
    put,
    path = "/api/v1/users/changePassword",
    operation_id = "users_change_password",
    tag = "passwords",
    request_body = UsersRequest,
    responses((status = 200, description = "The password was changed", body = UsersOk), UsersErrors),
    security((), ("bearer" = []), ("basic" = []))
)]
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    JsonBody(body): JsonBody<UsersRequest>,
) -> Response {
    let context = caller.api("users.changePassword");
    let user_name = body.as_ref().ok().map(|body| body.user_name.clone());
    let command = match body.and_then(|body| command(body, authorization, &state.default_admin)) {
        Ok(command) => command,
        Err(error) => {
            let error = error.refused(&state, &context, Action::Reset, user_name.as_deref()).await;
            return render(&error, user_name.as_deref());
        }
    };
    match state.app.reset(&context, command).await {
        Ok(changed) => {
            let user = SuccessUser { username: changed.username.clone(), email: changed.email.clone() };
            let (generated_password, notification) = shown_once(changed);
            let answer =
                UsersOk { success_users: vec![user], status: "OK".into(), generated_password, notification };
            Json(answer).into_response()
        }
        Err(failure) => render(&failure.into(), user_name.as_deref()),
    }
}

/// The acting admin is, in order: the Authorization header's principal, the
/// body's `adminUserName`, `authorization.default_admin`.
fn command(
    body: UsersRequest,
    authorization: Authorization,
    default_admin: &str,
) -> Result<ResetCommand, ApiError> {
    name("userName", &body.user_name)?;
    let new = new_password(body.password, None, body.generate, body.deliver)?;
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
        password: new,
        temporary: body.temporary,
        unlock: body.unlock,
    })
}

/// `{"failedUsers", "errorDetails", "status"}`: one `errorDetails` entry per
/// problem, so a policy failure lists every broken rule.
fn render(error: &ApiError, user_name: Option<&str>) -> Response {
    let mut error_details = BTreeMap::new();
    error_details.insert(error.code().to_owned(), error.message());
    for rule in error.violations() {
        error_details.insert(rule.code().to_owned(), rule.message());
    }
    let failed_users = user_name.map(|name| FailedUser { username: name.to_owned() }).into_iter().collect();
    let status = error.status().canonical_reason().unwrap_or_default().to_owned();
    error.respond(UsersError { failed_users, error_details, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_of_a_body_redacts_the_passwords() {
        let body: UsersRequest = serde_json::from_str(
            r#"{"userName": "alice", "password": "new-secret-1", "adminPassword": "admin-secret-2"}"#,
        )
        .unwrap();
        let debug = format!("{body:?}");
        assert!(debug.contains("alice") && !debug.contains("secret"), "{debug}");
    }
}
