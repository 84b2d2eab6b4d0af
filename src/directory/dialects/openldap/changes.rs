//! Unlock, disable and enable on OpenLDAP, with ppolicy's attributes
//! (draft-behera-ldap-password-policy-10): a lock is `pwdAccountLockedTime`
//! (deleting it makes ppolicy clear the `pwdFailureTime`s that led to it,
//! which no client may modify), and an account is unusable before its
//! `pwdStartTime` and from its `pwdEndTime` on: slapd then refuses every
//! bind whatever the policy's `pwdLockout`, and a password write keeps it.

use std::collections::HashSet;

use ldap3::{Mod, SearchEntry};
use time::OffsetDateTime;

use super::LOCK_ATTRIBUTE;
use crate::directory::AccountChange;
use crate::directory::attributes::first_value;
use crate::directory::dialects::{AccountFacts, ChangePlan};
use crate::directory::status::generalized_time;

pub(super) const START_TIME: &str = "pwdStartTime";
pub(super) const END_TIME: &str = "pwdEndTime";

/// The entry's start and end times; an unreadable end time counts as
/// passed (slapd refuses binds on what it cannot read as later).
pub(super) fn usable(entry: &SearchEntry) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let from = first_value(entry, START_TIME).as_deref().and_then(generalized_time);
    let until =
        first_value(entry, END_TIME).map(|at| generalized_time(&at).unwrap_or(OffsetDateTime::UNIX_EPOCH));
    (from, until)
}

pub(super) fn disabled(
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    from.is_some_and(|from| from > now) || until.is_some_and(|until| until <= now)
}

/// ppolicy refuses a replace by nothing: a lock or end time is deleted.
fn delete(attribute: &str) -> Mod<Vec<u8>> {
    Mod::Delete(attribute.as_bytes().to_vec(), HashSet::new())
}

/// A 1970 lock or end time: no account has one.
pub(super) fn probes(change: AccountChange) -> &'static [(&'static str, &'static str)] {
    match change {
        AccountChange::Unlock => &[(LOCK_ATTRIBUTE, "19700101000001Z")],
        AccountChange::Disable | AccountChange::Enable => &[(END_TIME, "19700101000001Z")],
    }
}

pub(super) fn plan(change: AccountChange, account: &AccountFacts, now: OffsetDateTime) -> ChangePlan {
    let state = &account.state;
    match change {
        AccountChange::Unlock if account.locked => ChangePlan::Modify(vec![delete(LOCK_ATTRIBUTE)]),
        AccountChange::Unlock => ChangePlan::AlreadySo,
        AccountChange::Disable if account.disabled => ChangePlan::AlreadySo,
        AccountChange::Disable => {
            let at = crate::directory::status::format_generalized_time(now);
            ChangePlan::Modify(vec![Mod::Replace(
                END_TIME.as_bytes().to_vec(),
                HashSet::from([at.into_bytes()]),
            )])
        }
        AccountChange::Enable if state.usable_from.is_some_and(|from| from > now) => {
            ChangePlan::Beyond("the account's pwdStartTime has not come yet")
        }
        // An end time still to come is a planned end, not a disable: kept.
        AccountChange::Enable if state.usable_until.is_some_and(|until| until <= now) => {
            ChangePlan::Modify(vec![delete(END_TIME)])
        }
        AccountChange::Enable => ChangePlan::AlreadySo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::status::AccountState;
    use time::Duration;

    fn account(from: Option<OffsetDateTime>, until: Option<OffsetDateTime>, locked: bool) -> AccountFacts {
        let now = OffsetDateTime::now_utc();
        AccountFacts {
            disabled: disabled(from, until, now),
            locked,
            state: AccountState { usable_from: from, usable_until: until, ..AccountState::default() },
            ..AccountFacts::default()
        }
    }

    #[test]
    fn each_change_writes_only_what_is_to_change() {
        let now = OffsetDateTime::now_utc();
        let hour = Duration::hours(1);
        let active = account(None, None, false);
        assert_eq!(plan(AccountChange::Unlock, &active, now), ChangePlan::AlreadySo);
        assert_eq!(plan(AccountChange::Enable, &active, now), ChangePlan::AlreadySo);
        assert!(matches!(plan(AccountChange::Disable, &active, now), ChangePlan::Modify(m) if m.len() == 1));
        let locked = account(None, None, true);
        assert_eq!(
            plan(AccountChange::Unlock, &locked, now),
            ChangePlan::Modify(vec![delete(LOCK_ATTRIBUTE)])
        );
        let ended = account(None, Some(now - hour), false);
        assert_eq!(plan(AccountChange::Disable, &ended, now), ChangePlan::AlreadySo);
        assert_eq!(plan(AccountChange::Enable, &ended, now), ChangePlan::Modify(vec![delete(END_TIME)]));
        // A planned end is left alone; a start to come is beyond an enable.
        let ending = account(None, Some(now + hour), false);
        assert!(!ending.disabled);
        assert_eq!(plan(AccountChange::Enable, &ending, now), ChangePlan::AlreadySo);
        let starting = account(Some(now + hour), None, false);
        assert!(matches!(plan(AccountChange::Enable, &starting, now), ChangePlan::Beyond(_)));
    }
}
