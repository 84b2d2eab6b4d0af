//! Unlock, disable and enable on Active Directory: a lock is lifted with
//! `lockoutTime: 0`; disabled is the ACCOUNTDISABLE flag of
//! `userAccountControl`, whose other flags (password never expires, smart
//! card required…) another tool may change at the same moment. So the flag
//! is never written by a replace: the value read is deleted and the new one
//! added in one modify, which the DC refuses whole when the value moved, and
//! the change is then planned again from the entry as it is.

use std::collections::HashSet;

use ldap3::Mod;

use super::{ACCOUNT_CONTROL, ACCOUNT_DISABLED, LOCKOUT_TIME};
use crate::directory::AccountChange;
use crate::directory::dialects::{AccountFacts, ChangePlan};

/// A lock one tick after 1601, and flags without NORMAL_ACCOUNT: no user
/// account has either.
pub(super) fn probes(change: AccountChange) -> &'static [(&'static str, &'static str)] {
    match change {
        AccountChange::Unlock => &[(LOCKOUT_TIME, "1")],
        AccountChange::Disable | AccountChange::Enable => &[(ACCOUNT_CONTROL, "1")],
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
