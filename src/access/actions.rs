//! What an actor may do to one person, as a lookup shows it: taken from the
//! very decisions a reset takes ([`Rules::may_reset`], the covering
//! delegations and [`grant`]), so that what is offered is what would pass.

use super::delegation::{Allowance, Delegation, Requested, grant, permit};
use super::{Member, Refusal, Rules};
use crate::directory::AccountChange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actions {
    /// A reset would be let through (the new password's checks aside).
    pub reset: bool,
    /// The person is locked (not disabled) and the actor may lift the lock,
    /// alone or with a reset.
    pub unlock: bool,
    /// The person is not disabled and the actor may disable them.
    pub disable: bool,
    /// The person is disabled and the actor may enable them.
    pub enable: bool,
    /// Whether a reset's password may, must or may not be temporary.
    pub temporary: Allowance,
    /// Why a reset would be refused, when it would.
    pub blocked: Option<Blocked>,
}

/// The first decision that would refuse a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    Refused(Refusal),
    /// Disabled in the directory: no reset re-enables an account.
    Disabled,
}

/// The account's state as the reset judges it.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    pub disabled: bool,
    pub locked: bool,
}

/// `covering`: the actor's delegations that cover the target (empty: out of
/// reach). A locked person can be reset only along with an unlock, and a
/// disabled one never.
pub fn actions(
    rules: &Rules,
    actor: &Member,
    target: &Member,
    covering: &[&Delegation],
    account: Account,
    default_temporary: bool,
) -> Actions {
    let temporary = temporary(covering);
    let requested = Requested { unlock: account.locked, temporary: None };
    let blocked = if covering.is_empty() {
        Some(Blocked::Refused(Refusal::OutOfReach))
    } else if let Err(refusal) = rules.may_reset(actor, target) {
        Some(Blocked::Refused(refusal))
    } else if account.disabled {
        Some(Blocked::Disabled)
    } else {
        grant(covering, requested, default_temporary).err().map(Blocked::Refused)
    };
    // Actions alone need what a reset needs but the account's state and the
    // reset's options: reach, and a target that is not protected.
    let reachable = !covering.is_empty() && rules.may_reset(actor, target).is_ok();
    let may = |change| reachable && permit(covering, change).is_ok();
    Actions {
        reset: blocked.is_none(),
        unlock: account.locked && !account.disabled && may(AccountChange::Unlock),
        disable: !account.disabled && may(AccountChange::Disable),
        enable: account.disabled && may(AccountChange::Enable),
        temporary,
        blocked,
    }
}

/// What the caller may choose for `temporary`: any delegation that leaves it
/// optional, or two that force opposite values, leave the choice open.
fn temporary(covering: &[&Delegation]) -> Allowance {
    let has = |allowance| covering.iter().any(|d| d.must_change == allowance);
    match (has(Allowance::Optional), has(Allowance::Always), has(Allowance::Never)) {
        (false, true, false) => Allowance::Always,
        (false, false, true) => Allowance::Never,
        (false, false, false) => Allowance::Never,
        _ => Allowance::Optional,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dn::Dn;

    const HELPDESK: &str = "cn=helpdesk,dc=x";
    const PEOPLE: &str = "ou=people,dc=x";

    fn member(dn: &str, groups: &[&str]) -> Member {
        Member {
            dn: Dn::new(dn),
            groups: groups.iter().map(|g| Dn::new(*g)).collect(),
            marked_privileged: false,
        }
    }

    fn delegation(unlock: Allowance, must_change: Allowance) -> Delegation {
        Delegation { unlock, must_change, ..Delegation::whole(Dn::new(HELPDESK), Dn::new(PEOPLE)) }
    }

    fn rules(delegation: &Delegation) -> Rules {
        Rules::new(vec![delegation.clone()], &[], false)
    }

    const ACTIVE: Account = Account { disabled: false, locked: false };
    const LOCKED: Account = Account { disabled: false, locked: true };

    #[test]
    fn an_admin_is_shown_but_may_not_be_reset() {
        let whole = delegation(Allowance::Optional, Allowance::Optional);
        let actor = member("uid=a,ou=people,dc=x", &[HELPDESK]);
        let admin = member("uid=b,ou=people,dc=x", &[HELPDESK]);
        let person = member("uid=c,ou=people,dc=x", &[]);
        let shown = actions(&rules(&whole), &actor, &admin, &[&whole], LOCKED, true);
        assert!(!shown.reset && !shown.unlock);
        assert_eq!(shown.blocked, Some(Blocked::Refused(Refusal::TargetIsAdmin)));
        let shown = actions(&rules(&whole), &actor, &person, &[&whole], LOCKED, true);
        assert!(shown.reset && shown.unlock);
        assert!(!actions(&rules(&whole), &actor, &person, &[], ACTIVE, true).reset, "out of reach");
    }

    #[test]
    fn a_locked_person_is_reset_only_where_unlocking_is_allowed() {
        let no_unlock = delegation(Allowance::Never, Allowance::Optional);
        let actor = member("uid=a,ou=people,dc=x", &[HELPDESK]);
        let person = member("uid=c,ou=people,dc=x", &[]);
        let rules = rules(&no_unlock);
        assert_eq!(
            actions(&rules, &actor, &person, &[&no_unlock], LOCKED, true),
            Actions {
                reset: false,
                unlock: false,
                disable: false,
                enable: false,
                temporary: Allowance::Optional,
                blocked: Some(Blocked::Refused(Refusal::UnlockNotAllowed))
            }
        );
        assert!(actions(&rules, &actor, &person, &[&no_unlock], ACTIVE, true).reset);
        let disabled = Account { disabled: true, locked: false };
        assert!(!actions(&rules, &actor, &person, &[&no_unlock], disabled, true).reset);
    }

    #[test]
    fn temporary_is_open_unless_every_covering_delegation_forces_one_value() {
        let always = delegation(Allowance::Never, Allowance::Always);
        let never = delegation(Allowance::Never, Allowance::Never);
        let optional = delegation(Allowance::Never, Allowance::Optional);
        assert_eq!(temporary(&[&always]), Allowance::Always);
        assert_eq!(temporary(&[&never]), Allowance::Never);
        assert_eq!(temporary(&[&always, &never]), Allowance::Optional);
        assert_eq!(temporary(&[&always, &optional]), Allowance::Optional);
    }
}
