//! Every way a request can fail, in the domain's words. The one table that
//! turns these into HTTP statuses and stable codes is in
//! [`crate::http::errors`].

use crate::access::Refusal;
use crate::directory::DirectoryError;
use crate::policy::Violation;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Malformed body, missing field, NUL byte, not a UUID… The text is safe
    /// to show: it never quotes a submitted value.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("the passwords do not match")]
    PasswordsDoNotMatch,
    #[error("the password breaks {} policy rule(s)", .0.len())]
    PasswordPolicy(Vec<Violation>),
    #[error("the user is disabled or locked")]
    UserInactive,
    /// The directory refused the new password; the text is its reason in
    /// plain words.
    #[error("the directory refused the password: {0}")]
    DirectoryRejectedPassword(String),
    /// The reason is for the log only: callers are not told whether the name
    /// or the password was wrong.
    #[error("not authenticated: {0}")]
    Unauthenticated(&'static str),
    /// The password may be right, but the account cannot be used: expired,
    /// disabled, locked, must change its password. Said to the caller.
    #[error("not authenticated: {0}")]
    AccountUnusable(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(Refusal),
    #[error("no such user in scope")]
    UserNotFound,
    #[error("request body too large")]
    PayloadTooLarge,
    /// Too many failed authentications from this name or address.
    #[error("locked out for {0:?} after too many failures")]
    RateLimited(std::time::Duration),
    #[error("directory unavailable: {0}")]
    DirectoryUnavailable(String),
    /// Details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DirectoryError> for Failure {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::Unavailable(why) => Failure::DirectoryUnavailable(why),
            DirectoryError::InvalidCredentials(None) => {
                Failure::Unauthenticated("the directory refused the bind")
            }
            DirectoryError::InvalidCredentials(Some(reason)) => Failure::AccountUnusable(reason),
            DirectoryError::PasswordRejected(reason) => Failure::DirectoryRejectedPassword(reason),
            DirectoryError::Other(why) => Failure::Internal(why),
        }
    }
}
