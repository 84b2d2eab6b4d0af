//! Unlock, disable and enable on Active Directory: a lock is lifted with
//! `lockoutTime: 0`; disabled is the ACCOUNTDISABLE flag of
//! `userAccountControl`, whose other flags (password never expires, smart
//! card required…) another tool may change at the same moment. So the flag
//! is never written by a replace: the value read is deleted and the new one
//! added in one modify, which the DC refuses whole when the value moved, and
//! the change is then planned again from the entry as it is. And the
//! filters that find the people in a listed state.

use std::collections::HashSet;

use ldap3::Mod;

use time::OffsetDateTime;

use super::{ACCOUNT_CONTROL, ACCOUNT_DISABLED, IN_BITS, LOCKOUT_TIME, NEVER_EXPIRES, PASSWORD_LAST_SET};
use crate::directory::dialects::{AccountFacts, ChangePlan};
use crate::directory::status::PolicyFacts;
use crate::directory::{AccountChange, Listed};

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

pub(super) fn plan(change: AccountChange, account: &AccountFacts) -> ChangePlan {
    match change {
        AccountChange::Unlock if account.locked => ChangePlan::Modify(vec![Mod::Replace(
            LOCKOUT_TIME.as_bytes().to_vec(),
            HashSet::from([b"0".to_vec()]),
        )]),
        AccountChange::Unlock => ChangePlan::AlreadySo,
        AccountChange::Disable | AccountChange::Enable => {
            let Some(flags) = account.state.flags else {
                return ChangePlan::Beyond("the account's userAccountControl cannot be read");
            };
            let disable = change == AccountChange::Disable;
            let flags_after = if disable { flags | ACCOUNT_DISABLED } else { flags & !ACCOUNT_DISABLED };
            if flags_after == flags {
                return ChangePlan::AlreadySo;
            }
            let value = |flags: u32| HashSet::from([flags.to_string().into_bytes()]);
            ChangePlan::Modify(vec![
                Mod::Delete(ACCOUNT_CONTROL.as_bytes().to_vec(), value(flags)),
                Mod::Add(ACCOUNT_CONTROL.as_bytes().to_vec(), value(flags_after)),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::status::AccountState;

    fn account(flags: Option<u32>, locked: bool) -> AccountFacts {
        AccountFacts {
            disabled: flags.is_some_and(|f| f & ACCOUNT_DISABLED != 0),
            locked,
            state: AccountState { flags, ..AccountState::default() },
            ..AccountFacts::default()
        }
    }

    fn values(flags: u32) -> HashSet<Vec<u8>> {
        HashSet::from([flags.to_string().into_bytes()])
    }

    #[test]
    fn the_disable_flag_changes_alone_and_the_value_read_is_deleted() {
        let normal_never_expires = 0x200 | 0x10000;
        let uac = ACCOUNT_CONTROL.as_bytes().to_vec();
        assert_eq!(
            plan(AccountChange::Disable, &account(Some(normal_never_expires), false)),
            ChangePlan::Modify(vec![
                Mod::Delete(uac.clone(), values(normal_never_expires)),
                Mod::Add(uac.clone(), values(normal_never_expires | 2)),
            ])
        );
        assert_eq!(
            plan(AccountChange::Enable, &account(Some(normal_never_expires | 2), false)),
            ChangePlan::Modify(vec![
                Mod::Delete(uac.clone(), values(normal_never_expires | 2)),
                Mod::Add(uac, values(normal_never_expires)),
            ])
        );
        assert_eq!(plan(AccountChange::Enable, &account(Some(0x200), false)), ChangePlan::AlreadySo);
        assert_eq!(plan(AccountChange::Disable, &account(Some(0x202), false)), ChangePlan::AlreadySo);
        assert!(matches!(plan(AccountChange::Disable, &account(None, false)), ChangePlan::Beyond(_)));
        assert_eq!(plan(AccountChange::Unlock, &account(Some(0x200), false)), ChangePlan::AlreadySo);
        assert!(
            matches!(plan(AccountChange::Unlock, &account(Some(0x200), true)), ChangePlan::Modify(m) if m.len() == 1)
        );
    }
}
