//! Unlock, disable and enable on 389 DS: a lock is the retry counter with
//! its reset and unlock times (all three removed: the next failed bind then
//! starts a new count), disabled is `nsAccountLock: true` (its account
//! lock, which binds answer with result 53). Whole attributes are replaced,
//! which a concurrent change cannot make fail.

use std::collections::HashSet;

use ldap3::Mod;

use super::{DISABLED, RETRY_COUNT, UNLOCK_TIME};
use crate::directory::AccountChange;
use crate::directory::dialects::{AccountFacts, ChangePlan};

/// When 389 sets the retry counter back to 0 by itself.
const RETRY_RESET_TIME: &str = "retryCountResetTime";

/// A replace by nothing: the attribute goes, and its absence is no error.
fn remove(attribute: &str) -> Mod<Vec<u8>> {
    Mod::Replace(attribute.as_bytes().to_vec(), HashSet::new())
}

/// A negative count, 1970 times and a lock that is not a boolean: no
/// account has them.
pub(super) fn probes(change: AccountChange) -> &'static [(&'static str, &'static str)] {
    match change {
        AccountChange::Unlock => {
            &[(RETRY_COUNT, "-1"), (RETRY_RESET_TIME, "19700101000001Z"), (UNLOCK_TIME, "19700101000001Z")]
        }
        AccountChange::Disable | AccountChange::Enable => &[(DISABLED, "pwproxy-check")],
    }
}

pub(super) fn plan(change: AccountChange, account: &AccountFacts) -> ChangePlan {
    match change {
        AccountChange::Unlock if account.locked => {
            ChangePlan::Modify(vec![remove(RETRY_COUNT), remove(RETRY_RESET_TIME), remove(UNLOCK_TIME)])
        }
        AccountChange::Disable if !account.disabled => ChangePlan::Modify(vec![Mod::Replace(
            DISABLED.as_bytes().to_vec(),
            HashSet::from([b"true".to_vec()]),
        )]),
        AccountChange::Enable if account.disabled => ChangePlan::Modify(vec![remove(DISABLED)]),
        AccountChange::Unlock | AccountChange::Disable | AccountChange::Enable => ChangePlan::AlreadySo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_writes_only_what_is_to_change() {
        let account = |disabled, locked| AccountFacts { disabled, locked, ..AccountFacts::default() };
        assert_eq!(plan(AccountChange::Unlock, &account(false, false)), ChangePlan::AlreadySo);
        assert!(
            matches!(plan(AccountChange::Unlock, &account(false, true)), ChangePlan::Modify(m) if m.len() == 3)
        );
        assert_eq!(plan(AccountChange::Disable, &account(true, false)), ChangePlan::AlreadySo);
        assert!(
            matches!(plan(AccountChange::Disable, &account(false, false)), ChangePlan::Modify(m) if m.len() == 1)
        );
        assert_eq!(
            plan(AccountChange::Enable, &account(true, false)),
            ChangePlan::Modify(vec![remove(DISABLED)])
        );
        assert_eq!(plan(AccountChange::Enable, &account(false, false)), ChangePlan::AlreadySo);
    }
}
