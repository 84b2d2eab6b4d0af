//! An OpenLDAP person's status by ppolicy's rules, and the filters that
//! find the people in a listed state without reading everyone.

use time::OffsetDateTime;

use super::{AccountFacts, LOCK_ATTRIBUTE};
use crate::directory::Listed;
use crate::directory::status::{
    AccountStatus, LockMark, NoExpiry, PolicyFacts, expiry, format_generalized_time, lock_from_start,
};

/// A lock at a time lasts `pwdLockoutDuration` (ppolicy lifts it at the
/// next bind after that); `000001010000Z`, or a duration of 0, until an
/// administrator acts. The password expires `pwdMaxAge` after
/// `pwdChangedTime`. Without the policy, a recorded lock holds.
pub(super) fn account_status(
    account: &AccountFacts,
    policy: &PolicyFacts,
    now: OffsetDateTime,
) -> AccountStatus {
    let state = &account.state;
    let (locked, locked_since, locked_until) = match state.locked_at {
        None => (false, None, None),
        Some(LockMark::UntilAnAdminActs) => (true, None, None),
        Some(LockMark::At(since)) if policy.known => {
            let (locked, until) = lock_from_start(since, policy.lockout_duration, now);
            (locked, Some(since), until)
        }
        Some(LockMark::At(since)) => (true, Some(since), None),
    };
    let expires_at = expiry(state.changed_at, policy.max_age);
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

/// Who may be in `listed`, asked of the directory; each candidate's status
/// then decides. A person's own policy (`pwdPolicySubentry`) may set
/// another maximum age than the default's, so they are always candidates
/// for expiring.
pub(super) fn listed_filter(listed: Listed, default_policy: &PolicyFacts, now: OffsetDateTime) -> String {
    match listed {
        Listed::Locked => format!("({LOCK_ATTRIBUTE}=*)"),
        Listed::Disabled => "(|(pwdEndTime=*)(pwdStartTime=*))".into(),
        Listed::MustChange => "(pwdReset=TRUE)".into(),
        Listed::Expiring { within } => match default_policy.max_age {
            Some(max_age) => {
                let changed_by = format_generalized_time(now + within - max_age);
                format!("(|(pwdChangedTime<={changed_by})(pwdPolicySubentry=*))")
            }
            None => "(pwdPolicySubentry=*)".into(),
        },
    }
}
