//! 389 DS's refusals of a password write, in plain words.

use super::super::ppolicy;

/// A refused password write in plain words. A plain modify's text names the
/// broken rule; the extended operation only says "Failed to update
/// password", and its ppolicy control tells the kind of rule.
pub(super) fn rejection(rc: u32, text: &str, ppolicy_error: Option<u64>) -> Option<String> {
    let lower = text.to_lowercase();
    let reason = match rc {
        19 if lower.contains("at least") && lower.contains("characters long") => format!(
            "the password is too short for the directory's policy ({})",
            lower.split("password must be ").nth(1).unwrap_or("longer").trim_end_matches('.')
        ),
        19 if lower.contains("must contain at least") => format!(
            "the password lacks characters the directory's policy requires (it {})",
            lower.split("password ").last().unwrap_or("needs more kinds of characters").trim_end_matches('.')
        ),
        19 if lower.contains("based off of user entry") => {
            "the password is based on the person's own entry (their name, user name or mail); choose one \
             that is not"
                .to_owned()
        }
        19 if lower.contains("in history") => ppolicy::describe(8).unwrap_or_default().to_owned(),
        19 if lower.contains("minimum age") => ppolicy::describe(7).unwrap_or_default().to_owned(),
        19 => match ppolicy_error {
            Some(5) => "the password does not meet the directory's password syntax rules (length, kinds of \
                        characters, or words from the person's own entry)"
                .to_owned(),
            Some(code) => ppolicy::describe(code).map_or_else(|| policy_refused(text), str::to_owned),
            // Measured: the extended operation's answer to the person's
            // current password, with no control at all.
            None if lower.contains("failed to update password") => {
                "the directory refused it without saying why, as 389 does when the new password is the \
                 person's current one"
                    .to_owned()
            }
            None => policy_refused(text),
        },
        50 => "the directory does not allow this account to set that password".to_owned(),
        53 => format!("the directory is unwilling to set this password ({text})"),
        _ => return None,
    };
    Some(reason)
}

pub(super) fn policy_refused(text: &str) -> String {
    format!("the directory's password policy refused it ({text})")
}
