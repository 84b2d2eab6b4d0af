//! What the endpoints answer, as typed bodies: the handlers build their JSON
//! from these, and the API document describes them, so the two cannot
//! differ.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::access::Allowance;
use secrecy::ExposeSecret;

use crate::app::{Changed, Shown};
use crate::notify::{Notification, NotificationStatus};

/// Seed 000's success.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonsOk {
    /// Always true.
    pub success: bool,
    /// The generated password, with `"generate": true` and `"deliver":
    /// "response"`: shown once, never logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
    /// What became of the mail to the person, when `[notify]` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationView>,
}

/// Seed 001's success.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersOk {
    pub success_users: Vec<SuccessUser>,
    /// Always "OK".
    pub status: String,
    /// As `generated_password` on the other endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationView>,
}

/// The mail after a reset: `failed` never means the reset failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub status: NotificationStatus,
    /// Why it failed or was skipped, in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self { status: n.status, reason: n.reason }
    }
}

/// What an answer shows of a reset done: the generated password, exposed
/// here and only here, and the mail's fate.
pub fn shown_once(changed: Changed) -> (Option<String>, Option<NotificationView>) {
    let generated = changed.generated.map(|password| password.expose_secret().to_owned());
    (generated, changed.notification.map(NotificationView::from))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuccessUser {
    pub username: String,
    /// When the directory has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A bulk reset's password for this person, with `"deliver":
    /// "response"`: shown once, never logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

/// The common error shape: seed 000, the token endpoint, unknown paths and
/// methods.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommonError {
    /// Always true.
    pub error: bool,
    /// A sentence for a person; never quotes a submitted value.
    pub message: String,
    /// The stable code (see the status table).
    pub code: String,
    /// For `password_policy`: every rule the password breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Violation {
    pub code: String,
    pub message: String,
}

/// Seed 001's error shape.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersError {
    /// The user named in the request, once the body could be read.
    pub failed_users: Vec<FailedUser>,
    /// One entry per problem: the stable code, and every broken policy rule.
    pub error_details: BTreeMap<String, String>,
    /// The HTTP reason phrase, e.g. "Bad Request".
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FailedUser {
    pub username: String,
    /// A bulk reset's: this person's stable code and sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A Bearer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Seconds the token is valid.
    pub expires_in: u64,
}

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Probe {
    /// "ok", "ready" or "directory_unavailable".
    pub status: String,
}

/// A search's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleFound {
    /// At most `limit` people, by username.
    pub users: Vec<PersonView>,
    /// More people matched than were answered.
    pub truncated: bool,
}

/// One person inside the caller's reach.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    pub username: String,
    /// entryUUID, or objectGUID in its usual form on AD.
    pub id: Option<String>,
    /// `displayName`, else `cn`.
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub status: StatusView,
    pub actions: ActionsView,
}

/// The account as the directory sees it, by its own rules and policy. Times
/// are RFC 3339, UTC; null where the directory does not know.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub disabled: bool,
    pub locked: bool,
    pub locked_since: Option<String>,
    /// Null while locked: until an administrator acts.
    pub locked_until: Option<String>,
    pub must_change: bool,
    pub password_changed_at: Option<String>,
    pub password_expires_at: Option<String>,
    pub failed_attempts: Option<u32>,
}

/// What the caller may do to this person: what a reset would let through.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionsView {
    pub reset: bool,
    /// Locked (not disabled), and you may unlock them.
    pub unlock: bool,
    /// Not disabled, and you may disable them.
    pub disable: bool,
    /// Disabled, and you may enable them.
    pub enable: bool,
    /// "never" | "optional" | "always"
    pub temporary: String,
}

impl From<&Shown> for PersonView {
    fn from(shown: &Shown) -> Self {
        let time = |at: Option<OffsetDateTime>| at.and_then(|at| at.format(&Rfc3339).ok());
        let status = &shown.status;
        let temporary = match shown.actions.temporary {
            Allowance::Never => "never",
            Allowance::Optional => "optional",
            Allowance::Always => "always",
        };
        PersonView {
            username: shown.person.username.clone(),
            id: shown.person.account.id.clone(),
            display_name: shown.person.display_name.clone(),
            email: shown.person.email.clone(),
            status: StatusView {
                disabled: status.disabled,
                locked: status.locked,
                locked_since: time(status.locked_since),
                locked_until: time(status.locked_until),
                must_change: status.must_change,
                password_changed_at: time(status.password_changed_at),
                password_expires_at: time(status.password_expires_at),
                failed_attempts: status.failed_attempts,
            },
            actions: ActionsView {
                reset: shown.actions.reset,
                unlock: shown.actions.unlock,
                disable: shown.actions.disable,
                enable: shown.actions.enable,
                temporary: temporary.to_owned(),
            },
        }
    }
}

/// The statuses every password and token endpoint may answer besides its
/// success, in the common error shape. The sentence and code say which case.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a description for the API document, never built
pub enum CommonErrors {
    /// invalid_request, passwords_do_not_match, password_policy (with
    /// violations), user_inactive, directory_rejected_password
    #[response(status = 400)]
    BadRequest(CommonError),
    /// unauthenticated: credentials missing, wrong or expired
    #[response(status = 401, headers(("WWW-Authenticate" = String, description = "The schemes accepted: Bearer, Basic")))]
    Unauthorized(CommonError),
    /// forbidden: not an admin, a protected target, outside the delegation, an option not allowed
    #[response(status = 403)]
    Forbidden(CommonError),
    /// user_not_found
    #[response(status = 404)]
    NotFound(CommonError),
    /// payload_too_large
    #[response(status = 413)]
    PayloadTooLarge(CommonError),
    /// rate_limited: too many failed authentications for the name or address
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds before trying again")))]
    TooManyRequests(CommonError),
    /// internal
    #[response(status = 500)]
    Internal(CommonError),
    /// directory_unavailable
    #[response(status = 503)]
    Unavailable(CommonError),
}

/// The same statuses in seed 001's error shape.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a description for the API document, never built
pub enum UsersErrors {
    /// invalid_request, password_policy (every broken rule in errorDetails), user_inactive, directory_rejected_password
    #[response(status = 400)]
    BadRequest(UsersError),
    /// unauthenticated: credentials missing, wrong or expired
    #[response(status = 401, headers(("WWW-Authenticate" = String, description = "The schemes accepted: Bearer, Basic")))]
    Unauthorized(UsersError),
    /// forbidden
    #[response(status = 403)]
    Forbidden(UsersError),
    /// user_not_found
    #[response(status = 404)]
    NotFound(UsersError),
    /// payload_too_large
    #[response(status = 413)]
    PayloadTooLarge(UsersError),
    /// rate_limited
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds before trying again")))]
    TooManyRequests(UsersError),
    /// internal
    #[response(status = 500)]
    Internal(UsersError),
    /// directory_unavailable
    #[response(status = 503)]
    Unavailable(UsersError),
}
