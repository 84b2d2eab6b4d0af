//! A 389 DS person's account status, read from its policy entry and the
//! lock and expiry attributes 389 keeps.

use std::time::Duration;

use ldap3::SearchEntry;
use time::OffsetDateTime;

use super::super::AccountFacts;
use super::{DISABLED, EXPIRATION_TIME, MUST_CHANGE_NOW, UNLOCK_TIME};
use crate::directory::Listed;
use crate::directory::attributes::{first_value, number};
use crate::directory::status::format_generalized_time;
use crate::directory::status::{AccountStatus, LockMark, NoExpiry, PolicyFacts};

/// The policy's lockout and expiry (cn=config, or the person's own policy
/// entry): durations in seconds; `passwordUnlock: off` keeps a lock until
/// an administrator acts.
pub(super) const POLICY_ATTRIBUTES: &[&str] = &[
    "passwordLockout",
    "passwordMaxFailure",
    "passwordUnlock",
    "passwordLockoutDuration",
    "passwordExp",
    "passwordMaxAge",
    "passwordCheckSyntax",
    "passwordMinLength",
    "passwordMinTokenLength",
];

/// The policy entry's settings, as far as a status and a generated
/// password need them.
pub(super) fn policy_facts(entry: &SearchEntry) -> PolicyFacts {
    let on = |name| first_value(entry, name).is_some_and(|v| v.eq_ignore_ascii_case("on"));
    let seconds = |name| number(entry, name).filter(|n| *n > 0).map(|n| Duration::from_secs(n as u64));
    PolicyFacts {
        known: true,
        lockout_duration: seconds("passwordLockoutDuration").filter(|_| on("passwordUnlock")),
        max_failures: number(entry, "passwordMaxFailure")
            .filter(|n| on("passwordLockout") && *n > 0)
            .map(|n| n as u32),
        max_age: seconds("passwordMaxAge").filter(|_| on("passwordExp")),
        // Syntax rules apply only with passwordCheckSyntax on.
        min_length: number(entry, "passwordMinLength")
            .filter(|n| *n > 0 && on("passwordCheckSyntax"))
            .map(|n| n as usize),
        min_token_length: on("passwordCheckSyntax")
            .then(|| number(entry, "passwordMinTokenLength").filter(|n| *n > 0).map_or(3, |n| n as usize)),
    }
}

/// 389 records when a lock ends, not when it began: locked while the
/// retry count has reached `passwordMaxFailure` and `accountUnlockTime`
/// has not passed (`19700101000000Z`: until an administrator acts); it
/// began `passwordLockoutDuration` before its end. The expiry is 389's
/// own `passwordExpirationTime` while `passwordExp` is on; its epoch
/// value means must-change.
/// Without the policy, [`AccountFacts::locked`]'s reading.
pub(super) fn account_status(
    account: &AccountFacts,
    policy: &PolicyFacts,
    now: OffsetDateTime,
) -> AccountStatus {
    let state = &account.state;
    let reached = match (policy.known, policy.max_failures, state.failures) {
        (true, Some(max), Some(failures)) => failures >= max,
        (true, None, _) => false,
        _ => account.locked,
    };
    let (locked, since, until) = match state.lock_ends {
        Some(LockMark::UntilAnAdminActs) => (reached, None, None),
        Some(LockMark::At(end)) => {
            (reached && now < end, policy.lockout_duration.map(|d| end - d), Some(end))
        }
        None => (false, None, None),
    };
    // 389 keeps the attribute while `passwordExp` is off too.
    let expires_at = state.expires_at.filter(|_| !policy.known || policy.max_age.is_some());
    AccountStatus {
        disabled: account.disabled,
        locked,
        locked_since: since.filter(|_| locked),
        locked_until: until.filter(|_| locked),
        must_change: state.must_change,
        // 389 sets the expiry `passwordMaxAge` after each change.
        password_changed_at: state.expires_at.zip(policy.max_age).map(|(at, age)| at - age),
        password_expires_at: expires_at,
        no_expiry: NoExpiry::of(expires_at, state, policy),
        failed_attempts: state.failures,
    }
}

/// Candidates for `listed`: an unlock time is set only when 389 locks; the
/// account lock; the must-change mark; and 389's own expiry time, which
/// already holds the policy's maximum age.
pub(super) fn listed_filter(listed: Listed, now: OffsetDateTime) -> String {
    match listed {
        Listed::Locked => format!("({UNLOCK_TIME}=*)"),
        Listed::Disabled => format!("({DISABLED}=true)"),
        Listed::MustChange => format!("({EXPIRATION_TIME}={MUST_CHANGE_NOW})"),
        Listed::Expiring { within } => format!(
            "(&({EXPIRATION_TIME}<={})(!({EXPIRATION_TIME}={MUST_CHANGE_NOW})))",
            format_generalized_time(now + within)
        ),
    }
}
