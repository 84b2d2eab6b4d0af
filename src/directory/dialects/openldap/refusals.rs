//! OpenLDAP's refusals of a password write, in plain words.

use super::ppolicy;

/// A refused password write in plain words, from the result code, the
/// ppolicy response control (more precise, when present) and the text.
pub(super) fn rejection(rc: u32, text: &str, ppolicy_error: Option<u64>) -> Option<String> {
    let reason = match rc {
        19 if text.contains("not being changed") => {
            "the new password is the same as the current one".to_owned()
        }
        19 => match ppolicy_error.and_then(ppolicy::describe) {
            Some(reason) => reason.to_owned(),
            None if text.contains("history") => ppolicy::describe(8).unwrap_or_default().to_owned(),
            None if text.contains("quality") => {
                "the password does not meet the directory's quality rules (length or complexity)".to_owned()
            }
            None => format!("the directory's password policy refused it ({text})"),
        },
        50 => "the directory does not allow this account to set that password".to_owned(),
        53 => format!("the directory is unwilling to set this password ({text})"),
        _ => return None,
    };
    Some(reason)
}
