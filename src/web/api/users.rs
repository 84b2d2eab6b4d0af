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
use super::bulk;
use super::errors::ApiError;
use crate::app::{BulkCommand, Credentials, Principal, ResetCommand, Target};
use crate::audit::Action;
use crate::generate::Delivery;
use crate::web::{AppState, Caller};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRequest {
    /// The person whose password changes, by user name (or `userNames`).
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    user_name: Option<String>,
    /// A bulk reset instead of `userName`: 1 to `bulk.max_people` names, none
    /// twice, with `"generate": true`.
    #[serde(default)]
    #[schema(min_items = 1)]
    user_names: Option<Vec<String>>,
    /// Make every check; write and mail nothing.
    #[serde(default)]
    dry_run: bool,
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

/// Reset the password of the person with this user name, or generate and
/// reset the passwords of several (`userNames`); `adminPassword` proves the
/// acting admin.
#[utoipa::path(
    put,
    path = "/api/v1/users/changePassword",
    operation_id = "users_change_password",
    tag = "passwords",
    request_body = UsersRequest,
    responses(
        (status = 200, description = "The password was changed (every person's, in a bulk reset)", body = UsersOk),
        (status = 207, description = "A bulk reset: some people's passwords were changed, some not", body = bulk::UsersMultiStatus),
        UsersErrors
    ),
    security((), ("bearer" = []), ("basic" = []))
)]
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    JsonBody(body): JsonBody<UsersRequest>,
) -> Response {
    let context = caller.api("users.changePassword");
    let names = body.as_ref().map(UsersRequest::names).unwrap_or_default();
    let asked = body.and_then(|body| command(body, authorization, &state));
    let command = match asked {
        Ok(command) => command,
        Err(error) => {
            let named = match names.as_slice() {
                [one] => Some(one.as_str()),
                _ => None,
            };
            let error = error.refused(&state, &context, Action::Reset, named).await;
            return render(&error, &names);
        }
    };
    let command = match command {
        Asked::One(command) => command,
        Asked::Many(command) => {
            return match state.app.bulk_reset(&context, command).await {
                Ok(outcome) => bulk::answer(outcome),
                Err(failure) => render(&failure.into(), &names),
            };
        }
    };
    match state.app.reset(&context, command).await {
        Ok(changed) => {
            let user = SuccessUser {
                username: changed.username.clone(),
                email: changed.email.clone(),
                generated_password: None,
            };
            let (generated_password, notification) = shown_once(changed);
            let answer =
                UsersOk { success_users: vec![user], status: "OK".into(), generated_password, notification };
            Json(answer).into_response()
        }
        Err(failure) => render(&failure.into(), &names),
    }
}

impl UsersRequest {
    /// Every name the body gives, as given.
    fn names(&self) -> Vec<String> {
        self.user_name.iter().chain(self.user_names.iter().flatten()).cloned().collect()
    }
}

/// One person, or a bulk reset.
enum Asked {
    One(ResetCommand),
    Many(BulkCommand),
}

/// The acting admin is, in order: the Authorization header's principal, the
/// body's `adminUserName`, `authorization.default_admin`.
fn command(body: UsersRequest, authorization: Authorization, state: &AppState) -> Result<Asked, ApiError> {
    let many = match (&body.user_name, &body.user_names) {
        (Some(user_name), None) => {
            name("userName", user_name)?;
            false
        }
        (None, Some(user_names)) => {
            bulk::check_names(user_names, state.bulk_max_people)?;
            if !body.generate || body.password.is_some() {
                return Err(ApiError::invalid(
                    "A bulk reset takes `\"generate\": true`: one typed password for several people is refused.",
                ));
            }
            true
        }
        _ => {
            return Err(ApiError::invalid(
                "Send either `userName` or `userNames`, not both and not neither.",
            ));
        }
    };
    let new = new_password(body.password, None, body.generate, body.deliver)?;
    password("adminPassword", &body.admin_password)?;
    if let Some(admin) = &body.admin_user_name {
        name("adminUserName", admin)?;
    }
    let named = body.admin_user_name.or_else(|| Some(state.default_admin.clone()).filter(|a| !a.is_empty()));
    let principal = match authorization.principal()? {
        Some(principal) => principal,
        None => named.map_or(Principal::Missing, Principal::Named),
    };
    let credentials = Credentials { principal, admin_password: Some(body.admin_password) };
    if many || body.dry_run {
        let names = body.user_names.or(body.user_name.map(|one| vec![one])).unwrap_or_default();
        return Ok(Asked::Many(BulkCommand {
            credentials,
            names,
            password: new,
            temporary: body.temporary,
            unlock: body.unlock,
            dry_run: body.dry_run,
        }));
    }
    Ok(Asked::One(ResetCommand {
        credentials,
        target: Target::Name(body.user_name.unwrap_or_default()),
        password: new,
        temporary: body.temporary,
        unlock: body.unlock,
    }))
}

/// `{"failedUsers", "errorDetails", "status"}`: one `errorDetails` entry per
/// problem, so a policy failure lists every broken rule.
fn render(error: &ApiError, names: &[String]) -> Response {
    let mut error_details = BTreeMap::new();
    error_details.insert(error.code().to_owned(), error.message());
    for rule in error.violations() {
        error_details.insert(rule.code().to_owned(), rule.message());
    }
    let failed_users =
        names.iter().map(|name| FailedUser { username: name.clone(), code: None, message: None }).collect();
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
