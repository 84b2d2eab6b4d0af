//! An Active Directory person's status by the DC's rules, and the filters
//! that find the people in a listed state without reading everyone.

use time::OffsetDateTime;

use super::{ACCOUNT_CONTROL, ACCOUNT_DISABLED, IN_BITS, LOCKOUT_TIME, NEVER_EXPIRES, PASSWORD_LAST_SET};
use crate::directory::Listed;
use crate::directory::dialects::AccountFacts;
use crate::directory::status::{AccountStatus, LockMark, NoExpiry, PolicyFacts, expiry, lock_from_start};

/// Locked while `lockoutTime` + the domain's `lockoutDuration` has not
/// passed (the DC keeps `lockoutTime` until the next sign-in after
/// that); without the policy, the DC's own computed flag. Disabled is
/// `ACCOUNTDISABLE`; must-change is `pwdLastSet` 0; expiry is
/// `pwdLastSet` + `maxPwdAge` unless the account's password never
/// expires.
pub(super) fn account_status(
    account: &AccountFacts,
    policy: &PolicyFacts,
    now: OffsetDateTime,
) -> AccountStatus {
    let state = &account.state;
    let (locked, locked_since, locked_until) = match state.locked_at {
        Some(LockMark::At(since)) if policy.known => {
            let (locked, until) = lock_from_start(since, policy.lockout_duration, now);
            (locked, Some(since), until)
        }
        Some(LockMark::At(since)) => (account.locked, Some(since), None),
        _ => (account.locked, None, None),
    };
    let expires_at = if state.never_expires || state.must_change {
        None
    } else {
        expiry(state.changed_at, policy.max_age)
    };
    AccountStatus {
        disabled: account.disabled,
        locked,
        locked_since: locked_since.filter(|_| locked),
        locked_until: locked_until.filter(|_| locked),
        must_change: state.must_change,
        password_changed_at: state.changed_at,
        password_expires_at: expires_at,
        no_expiry: NoExpiry::of(expires_at, state, policy),
        failed_attempts: state.failures,
    }
}

/// FILETIME ticks (100 ns since 1601) at `at`.
fn ticks(at: OffsetDateTime) -> i128 {
    const UNIX_EPOCH_IN_TICKS: i128 = 116_444_736_000_000_000;
    at.unix_timestamp_nanos() / 100 + UNIX_EPOCH_IN_TICKS
}

/// Candidates for `listed`: a lock recorded, the disable flag, a password
/// set to change, or one set so long ago that the domain's maximum age
/// ends within the window (no expiry without a maximum age, nor for an
/// account whose password never expires).
pub(super) fn listed_filter(listed: Listed, policy: &PolicyFacts, now: OffsetDateTime) -> String {
    match listed {
        Listed::Locked => format!("({LOCKOUT_TIME}>=1)"),
        Listed::Disabled => format!("({ACCOUNT_CONTROL}:{IN_BITS}:={ACCOUNT_DISABLED})"),
        Listed::MustChange => format!("({PASSWORD_LAST_SET}=0)"),
        Listed::Expiring { within } => match policy.max_age {
            Some(max_age) => format!(
                "(&({PASSWORD_LAST_SET}>=1)({PASSWORD_LAST_SET}<={})(!({ACCOUNT_CONTROL}:{IN_BITS}:={NEVER_EXPIRES})))",
                ticks(now + within - max_age)
            ),
            None => "(!(objectClass=*))".into(),
        },
    }
}
