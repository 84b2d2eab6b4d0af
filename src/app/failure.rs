//! Every way a reset (or a token login) can fail, in the domain's words: the
//! stable code a caller matches on and the sentence a helpdesk agent is
//! shown. Transports only choose a status for each.

use std::time::Duration;

use crate::access::Refusal;
use crate::directory::DirectoryError;
use crate::policy::Rule;

/// Why a person's account stands in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    Disabled,
    Locked,
    /// Disabled by a rule pwproxy does not change (why, in plain words).
    KeptDisabled(&'static str),
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the passwords do not match")]
    PasswordsDoNotMatch,
    #[error("the password breaks {} policy rule(s)", .0.len())]
    PasswordPolicy(Vec<Rule>),
    #[error("the user is inactive: {0:?}")]
    UserInactive(Inactive),
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
    /// The directory refused an account change; why, in plain words.
    #[error("the directory refused the change: {0}")]
    ChangeRefused(&'static str),
    /// A generated password is to be mailed, and the person has no address.
    #[error("the person has no mail address")]
    NoMailAddress,
    /// A generated password is to be mailed, and no `[notify]` is set.
    #[error("mail delivery is not configured")]
    MailNotConfigured,
    /// Too many failed authentications from this name or address.
    #[error("locked out for {0:?} after too many failures")]
    RateLimited(Duration),
    #[error("directory unavailable: {0}")]
    DirectoryUnavailable(String),
    /// The audit store must keep the event and cannot: nothing was done.
    #[error("the audit store cannot take events")]
    AuditUnavailable,
    /// Details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Failure {
    /// The stable code of the contract's table.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::PasswordsDoNotMatch => "passwords_do_not_match",
            Failure::PasswordPolicy(_) => "password_policy",
            Failure::UserInactive(_) => "user_inactive",
            Failure::DirectoryRejectedPassword(_) => "directory_rejected_password",
            Failure::Unauthenticated(_) | Failure::AccountUnusable(_) => "unauthenticated",
            Failure::Forbidden(_) | Failure::ChangeRefused(_) => "forbidden",
            Failure::UserNotFound => "user_not_found",
            Failure::NoMailAddress => "no_mail_address",
            Failure::MailNotConfigured => "invalid_request",
            Failure::RateLimited(_) => "rate_limited",
            Failure::DirectoryUnavailable(_) => "directory_unavailable",
            Failure::AuditUnavailable => "audit_unavailable",
            Failure::Internal(_) => "internal",
        }
    }

    /// What the caller is told. Never the directory's internals, never which
    /// of name or password was wrong.
    pub fn message(&self) -> String {
        match self {
            Failure::PasswordsDoNotMatch => Rule::PasswordsDoNotMatch.message(),
            Failure::PasswordPolicy(rules) => format!(
                "The password does not meet the password policy ({} rule{} broken).",
                rules.len(),
                if rules.len() == 1 { "" } else { "s" }
            ),
            Failure::AccountUnusable(reason) => format!("Authentication failed: {reason}."),
            Failure::UserInactive(Inactive::Disabled) => {
                "The person's account is disabled; enable it first. Nothing was changed.".into()
            }
            Failure::UserInactive(Inactive::Locked) => {
                "The person's account is locked; unlock it first, or unlock it with the reset. Nothing was \
                 changed."
                    .into()
            }
            Failure::UserInactive(Inactive::KeptDisabled(why)) => format!(
                "The person's account stays disabled whatever pwproxy writes ({why}); change that in the \
                 directory. Nothing was changed."
            ),
            Failure::DirectoryRejectedPassword(reason) => {
                format!("The directory refused the password: {reason}.")
            }
            Failure::Unauthenticated(_) => {
                "Authentication failed: the credentials are missing, wrong or expired.".into()
            }
            Failure::Forbidden(Refusal::ActorNotAdmin) => {
                "You are not allowed to act on people's accounts here: you are not a helpdesk admin.".into()
            }
            Failure::Forbidden(Refusal::TargetIsSelf) => {
                "Admins cannot reset their own password here; change it the usual way.".into()
            }
            Failure::Forbidden(Refusal::TargetIsAdmin | Refusal::TargetProtected) => {
                "This person is protected: you are not allowed to act on their account here.".into()
            }
            Failure::Forbidden(Refusal::OutOfReach) => {
                "This person is outside the part of the directory you may act in.".into()
            }
            Failure::Forbidden(Refusal::UnlockNotAllowed) => {
                "Your delegation does not allow unlocking accounts.".into()
            }
            Failure::Forbidden(Refusal::DisableNotAllowed) => {
                "Your delegation does not allow disabling or enabling accounts.".into()
            }
            Failure::Forbidden(Refusal::TemporaryNotAllowed) => {
                "Your delegation does not allow temporary passwords.".into()
            }
            Failure::Forbidden(Refusal::PermanentNotAllowed) => {
                "Your delegation requires a temporary password.".into()
            }
            Failure::UserNotFound => "No such user.".into(),
            Failure::ChangeRefused(why) => format!(
                "The directory refused this change: {why}. Nothing was changed; `pwproxy check` lists the rights \
                 each action needs."
            ),
            Failure::NoMailAddress => {
                "The person has no usable mail address to send the password to; show it instead, or \
                 correct the address in the directory. Nothing was changed."
                    .into()
            }
            Failure::MailNotConfigured => {
                "This service sends no mail; show the password instead. Nothing was changed.".into()
            }
            Failure::RateLimited(wait) => format!(
                "Too many failed sign-ins from this account or address; try again in {} seconds.",
                whole_seconds(*wait)
            ),
            Failure::DirectoryUnavailable(_) => {
                "The directory cannot be reached right now; try again shortly.".into()
            }
            Failure::AuditUnavailable => {
                "The audit trail cannot record this right now, so nothing was done; try again shortly.".into()
            }
            Failure::Forbidden(Refusal::NotAnAuditor) => {
                "You are not allowed to read the audit trail: you are neither an auditor nor a helpdesk admin."
                    .into()
            }
            Failure::Internal(_) => {
                "Something went wrong; the request id in the log tells an operator what.".into()
            }
        }
    }
}

/// Whole seconds to wait, rounded up so a client never retries too early.
pub fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
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
            DirectoryError::CannotBeTemporary { attribute, .. } => {
                Failure::DirectoryRejectedPassword(format!(
                    "the directory's password policy would not oblige the person to change a password set by \
                 someone else ({attribute} is off, or pwproxy's service account may not read it), so it cannot \
                 be temporary: send \"temporary\": false, or turn {attribute} on"
                ))
            }
            DirectoryError::ChangeRefused(why) => Failure::ChangeRefused(why),
            DirectoryError::Unchangeable(why) => Failure::UserInactive(Inactive::KeptDisabled(why)),
            DirectoryError::Other(why) => Failure::Internal(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_caller() {
        assert!(!Failure::Internal("result 80 at cn=secret-ou".into()).message().contains("secret-ou"));
        assert!(
            !Failure::DirectoryUnavailable("connect: 10.0.0.7 refused".into()).message().contains("10.0.0.7")
        );
    }

    #[test]
    fn unauthenticated_does_not_say_which_part_was_wrong() {
        let a = Failure::Unauthenticated("unknown admin name").message();
        let b = Failure::Unauthenticated("the directory refused the bind").message();
        assert_eq!(a, b);
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(3)), 3);
    }
}
