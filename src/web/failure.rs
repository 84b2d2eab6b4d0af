//! The one table from the domain's failures to HTTP statuses, for the API
//! and the console alike.

use axum::http::StatusCode;

use crate::app::Failure;

/// The contract's status for each failure of the domain: the one table,
/// which the console's pages answer with too.
pub fn failure_status(failure: &Failure) -> StatusCode {
    match failure {
        Failure::PasswordsDoNotMatch
        | Failure::PasswordPolicy(_)
        | Failure::UserInactive(_)
        | Failure::DirectoryRejectedPassword(_)
        | Failure::NoMailAddress
        | Failure::MailNotConfigured => StatusCode::BAD_REQUEST,
        Failure::Unauthenticated(_) | Failure::AccountUnusable(_) => StatusCode::UNAUTHORIZED,
        Failure::Forbidden(_) | Failure::ChangeRefused(_) => StatusCode::FORBIDDEN,
        Failure::UserNotFound => StatusCode::NOT_FOUND,
        Failure::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        Failure::DirectoryUnavailable(_) | Failure::AuditUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
