//! The one table from failure to HTTP status, stable code and the sentence a
//! caller is shown. Both endpoints render from it, each in its own shape.

use axum::http::StatusCode;

use crate::access::Refusal;
use crate::failure::Failure;

/// Status and stable code of a failure: the contract's status table.
pub fn classify(failure: &Failure) -> (StatusCode, &'static str) {
    match failure {
        Failure::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
        Failure::PasswordsDoNotMatch => (StatusCode::BAD_REQUEST, "passwords_do_not_match"),
        Failure::PasswordPolicy(_) => (StatusCode::BAD_REQUEST, "password_policy"),
        Failure::UserInactive => (StatusCode::BAD_REQUEST, "user_inactive"),
        Failure::DirectoryRejectedPassword(_) => (StatusCode::BAD_REQUEST, "directory_rejected_password"),
        Failure::Unauthenticated(_) | Failure::AccountUnusable(_) => {
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        }
        Failure::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        Failure::UserNotFound => (StatusCode::NOT_FOUND, "user_not_found"),
        Failure::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        Failure::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        Failure::DirectoryUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "directory_unavailable"),
        Failure::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

pub fn code(failure: &Failure) -> &'static str {
    classify(failure).1
}

/// What the caller is told. Never the directory's internals, never which of
/// name or password was wrong.
pub fn message(failure: &Failure) -> String {
    match failure {
        Failure::InvalidRequest(why) => why.clone(),
        Failure::PasswordsDoNotMatch => "The password and its confirmation differ.".into(),
        Failure::PasswordPolicy(violations) => format!(
            "The password does not meet the password policy ({} rule{} broken).",
            violations.len(),
            if violations.len() == 1 { "" } else { "s" }
        ),
        Failure::AccountUnusable(reason) => format!("Authentication failed: {reason}."),
        Failure::UserInactive => {
            "The user's account is disabled or locked; unlock it in the directory first.".into()
        }
        Failure::DirectoryRejectedPassword(reason) => {
            format!("The directory refused the password: {reason}.")
        }
        Failure::Unauthenticated(_) => {
            "Authentication failed: the credentials are missing, wrong or expired.".into()
        }
        Failure::Forbidden(Refusal::ActorNotAdmin) => "You are not allowed to reset passwords.".into(),
        Failure::Forbidden(Refusal::TargetIsSelf) => {
            "Admins cannot reset their own password here; change it the usual way.".into()
        }
        Failure::Forbidden(Refusal::TargetIsAdmin | Refusal::TargetProtected) => {
            "This user's password is protected and cannot be reset through this service.".into()
        }
        Failure::UserNotFound => "No such user.".into(),
        Failure::PayloadTooLarge => "The request body is too large.".into(),
        Failure::RateLimited(wait) => format!(
            "Too many failed sign-ins from this account or address; try again in {} seconds.",
            retry_after_secs(*wait)
        ),
        Failure::DirectoryUnavailable(_) => {
            "The directory cannot be reached right now; try again shortly.".into()
        }
        Failure::Internal(_) => {
            "Something went wrong; the request id in the log tells an operator what.".into()
        }
    }
}

/// Whole seconds to wait, rounded up so a client never retries too early.
pub fn retry_after_secs(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Logs a failure inside the request's span: operators get the details
/// (never secrets: no failure carries one), callers only [`message`].
pub fn log(failure: &Failure) {
    let (status, code) = classify(failure);
    if status.is_server_error() {
        tracing::error!(code, "request failed: {failure}");
    } else {
        tracing::info!(code, "request refused: {failure}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_caller() {
        let failure = Failure::Internal("result 80 at cn=secret-ou".into());
        assert!(!message(&failure).contains("secret-ou"));
        let failure = Failure::DirectoryUnavailable("connect: 10.0.0.7 refused".into());
        assert!(!message(&failure).contains("10.0.0.7"));
        assert_eq!(classify(&failure).0, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn unauthenticated_does_not_say_which_part_was_wrong() {
        let a = message(&Failure::Unauthenticated("unknown admin name"));
        let b = message(&Failure::Unauthenticated("the directory refused the bind"));
        assert_eq!(a, b);
    }
}
