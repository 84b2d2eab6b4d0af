//! Delegation: how far an admin reaches and which options they may use.
//! Each admin group has a delegation (a group listed only in
//! `authorization.admin_groups` reaches all of `users_base_dn`, may not
//! unlock, and may choose `temporary`). The delegations that cover a target
//! are those of the actor's groups under one of whose bases the target lies
//! and whose filter it matches; the actor may do what any of them allows.

use serde::Deserialize;

use super::Refusal;
use crate::directory::AccountChange;
use crate::dn::Dn;

/// `never` | `optional` | `always`: whether an option may, or must, be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Allowance {
    Never,
    Optional,
    Always,
}

impl Allowance {
    fn permits(self, on: bool) -> bool {
        match self {
            Allowance::Never => !on,
            Allowance::Optional => true,
            Allowance::Always => on,
        }
    }
}

/// `never` | `allowed`: whether an action may be taken at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Never,
    Allowed,
}

#[derive(Debug, Clone)]
pub struct Delegation {
    pub group: Dn,
    /// Targets lie under one of these.
    pub bases: Vec<Dn>,
    /// And match this, when set (checked by the directory).
    pub filter: Option<String>,
    pub unlock: Allowance,
    pub must_change: Allowance,
    /// Disable and enable accounts.
    pub disable: Permission,
}

impl Delegation {
    /// An admin group without a delegation table of its own.
    pub fn whole(group: Dn, users_base: Dn) -> Self {
        Self {
            group,
            bases: vec![users_base],
            filter: None,
            unlock: Allowance::Never,
            must_change: Allowance::Optional,
            disable: Permission::Never,
        }
    }

    /// Whether `target` lies under one of the bases: string work on its DN.
    pub fn reaches(&self, target: &Dn) -> bool {
        self.bases.iter().any(|base| target.is_within(base))
    }
}

/// What the request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requested {
    pub unlock: bool,
    /// `None`: the default (`policy.must_change`) unless a delegation forces
    /// one value.
    pub temporary: Option<bool>,
}

/// What the write will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    /// Unlock a locked target (asked for, or `always`).
    pub unlock: bool,
    pub temporary: bool,
}

/// Whether the `covering` delegations (never empty) let the actor make
/// `change` alone: unlock where one allows unlocking (`optional` or
/// `always`), disable and enable where one has `disable = "allowed"`.
pub fn permit(covering: &[&Delegation], change: AccountChange) -> Result<(), Refusal> {
    match change {
        AccountChange::Unlock if covering.iter().any(|d| d.unlock != Allowance::Never) => Ok(()),
        AccountChange::Unlock => Err(Refusal::UnlockNotAllowed),
        AccountChange::Disable | AccountChange::Enable
            if covering.iter().any(|d| d.disable == Permission::Allowed) =>
        {
            Ok(())
        }
        AccountChange::Disable | AccountChange::Enable => Err(Refusal::DisableNotAllowed),
    }
}

/// The options the `covering` delegations (never empty: the caller refuses
/// an uncovered target first) grant this request.
pub fn grant(
    covering: &[&Delegation],
    requested: Requested,
    default_temporary: bool,
) -> Result<Granted, Refusal> {
    let any = |test: &dyn Fn(&Delegation) -> bool| covering.iter().any(|d| test(d));
    if requested.unlock && !any(&|d| d.unlock.permits(true)) {
        return Err(Refusal::UnlockNotAllowed);
    }
    let unlock = requested.unlock || any(&|d| d.unlock == Allowance::Always);
    let temporary = match requested.temporary {
        Some(temporary) if any(&|d| d.must_change.permits(temporary)) => temporary,
        Some(true) => return Err(Refusal::TemporaryNotAllowed),
        Some(false) => return Err(Refusal::PermanentNotAllowed),
        None if any(&|d| d.must_change.permits(default_temporary)) => default_temporary,
        None => !default_temporary,
    };
    Ok(Granted { unlock, temporary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Allowance::*;

    fn delegation(unlock: Allowance, must_change: Allowance) -> Delegation {
        Delegation {
            group: Dn::new("cn=g,dc=x"),
            bases: vec![Dn::new("ou=paris,ou=people,dc=x")],
            filter: None,
            unlock,
            must_change,
            disable: Permission::Never,
        }
    }

    fn ask(unlock: bool, temporary: Option<bool>) -> Requested {
        Requested { unlock, temporary }
    }

    #[test]
    fn changes_alone_follow_their_own_keys() {
        let mut d = delegation(Never, Optional);
        assert_eq!(permit(&[&d], AccountChange::Unlock), Err(Refusal::UnlockNotAllowed));
        assert_eq!(permit(&[&d], AccountChange::Disable), Err(Refusal::DisableNotAllowed));
        assert_eq!(permit(&[&d], AccountChange::Enable), Err(Refusal::DisableNotAllowed));
        d.unlock = Optional;
        assert_eq!(permit(&[&d], AccountChange::Unlock), Ok(()));
        d.unlock = Always;
        assert_eq!(permit(&[&d], AccountChange::Unlock), Ok(()));
        let mut other = delegation(Never, Optional);
        other.disable = Permission::Allowed;
        assert_eq!(permit(&[&d, &other], AccountChange::Enable), Ok(()));
        assert_eq!(permit(&[&other], AccountChange::Unlock), Err(Refusal::UnlockNotAllowed));
    }

    #[test]
    fn bases_are_whole_subtrees() {
        let d = delegation(Never, Optional);
        assert!(d.reaches(&Dn::new("uid=a,OU=Paris,ou=people,dc=x")));
        assert!(!d.reaches(&Dn::new("uid=a,ou=lyon,ou=people,dc=x")));
        assert!(!d.reaches(&Dn::new("uid=a,ou=notparis,ou=people,dc=x")));
    }

    #[test]
    fn unlock_follows_the_allowance_of_a_single_delegation() {
        for (allowance, asked, expected) in [
            (Never, false, Ok(false)),
            (Never, true, Err(Refusal::UnlockNotAllowed)),
            (Optional, false, Ok(false)),
            (Optional, true, Ok(true)),
            (Always, false, Ok(true)),
            (Always, true, Ok(true)),
        ] {
            let d = delegation(allowance, Optional);
            let granted = grant(&[&d], ask(asked, None), true).map(|g| g.unlock);
            assert_eq!(granted, expected, "{allowance:?} asked {asked}");
        }
    }

    #[test]
    fn must_change_follows_the_allowance_of_a_single_delegation() {
        for (allowance, asked, default, expected) in [
            (Never, None, true, Ok(false)),
            (Never, None, false, Ok(false)),
            (Never, Some(false), true, Ok(false)),
            (Never, Some(true), true, Err(Refusal::TemporaryNotAllowed)),
            (Optional, None, true, Ok(true)),
            (Optional, None, false, Ok(false)),
            (Optional, Some(true), false, Ok(true)),
            (Optional, Some(false), true, Ok(false)),
            (Always, None, false, Ok(true)),
            (Always, None, true, Ok(true)),
            (Always, Some(true), false, Ok(true)),
            (Always, Some(false), true, Err(Refusal::PermanentNotAllowed)),
        ] {
            let d = delegation(Never, allowance);
            let granted = grant(&[&d], ask(false, asked), default).map(|g| g.temporary);
            assert_eq!(granted, expected, "{allowance:?} asked {asked:?} default {default}");
        }
    }

    #[test]
    fn several_covering_delegations_allow_what_any_of_them_allows() {
        let strict = delegation(Never, Always);
        let lenient = delegation(Optional, Never);
        let both = [&strict, &lenient];
        assert_eq!(
            grant(&both, ask(true, Some(false)), true),
            Ok(Granted { unlock: true, temporary: false })
        );
        assert_eq!(
            grant(&both, ask(false, Some(true)), true),
            Ok(Granted { unlock: false, temporary: true })
        );
        // Either value of `temporary` is allowed by one of them: the default holds.
        assert_eq!(grant(&both, ask(false, None), true), Ok(Granted { unlock: false, temporary: true }));
        let always = delegation(Always, Optional);
        assert_eq!(grant(&[&strict, &always], ask(false, None), true).map(|g| g.unlock), Ok(true));
        assert_eq!(grant(&[&strict], ask(true, None), true), Err(Refusal::UnlockNotAllowed));
    }

    /// Every covering set of one or two delegations (all nine option pairs
    /// each), every request and both defaults, against the rule in words:
    /// the actor may do what any covering delegation allows.
    #[test]
    fn every_combination_of_options_and_covering_delegations() {
        let all = [Never, Optional, Always];
        let single: Vec<Delegation> =
            all.iter().flat_map(|&u| all.iter().map(move |&m| delegation(u, m))).collect();
        let mut sets: Vec<Vec<&Delegation>> = single.iter().map(|d| vec![d]).collect();
        for a in &single {
            for b in &single {
                sets.push(vec![a, b]);
            }
        }
        for set in &sets {
            for unlock in [false, true] {
                for temporary in [None, Some(false), Some(true)] {
                    for default in [false, true] {
                        let may = |test: &dyn Fn(&Delegation) -> bool| set.iter().any(|d| test(d));
                        let result = grant(set, ask(unlock, temporary), default);
                        if unlock && !may(&|d| d.unlock != Never) {
                            assert_eq!(result, Err(Refusal::UnlockNotAllowed));
                            continue;
                        }
                        match temporary {
                            Some(true) if !may(&|d| d.must_change != Never) => {
                                assert_eq!(result, Err(Refusal::TemporaryNotAllowed));
                                continue;
                            }
                            Some(false) if !may(&|d| d.must_change != Always) => {
                                assert_eq!(result, Err(Refusal::PermanentNotAllowed));
                                continue;
                            }
                            _ => {}
                        }
                        let granted = result.expect("allowed by some covering delegation");
                        assert_eq!(granted.unlock, unlock || may(&|d| d.unlock == Always));
                        let chosen = granted.temporary;
                        assert!(may(&|d| d.must_change.permits(chosen)), "{set:?} {temporary:?} {default}");
                        if let Some(asked) = temporary {
                            assert_eq!(chosen, asked);
                        } else if may(&|d| d.must_change.permits(default)) {
                            assert_eq!(chosen, default);
                        }
                    }
                }
            }
        }
    }
}
