//! Who may reset whose password: one pure decision over facts the directory
//! reported (group memberships with nesting expanded, and whether the
//! directory itself marks someone privileged).

use std::collections::HashSet;

use crate::dn::Dn;

/// The configured groups, and whether the directory's own privileged marks
/// protect a target.
#[derive(Debug, Clone)]
pub struct Rules {
    admin_groups: HashSet<Dn>,
    /// Admin and protected groups together: membership of any refuses a
    /// target.
    guarded_groups: HashSet<Dn>,
    /// `authorization.protect_privileged`: whether people the directory marks
    /// privileged (AD's built-in admin groups, `adminCount=1`) are protected.
    protect_privileged: bool,
}

/// A person as far as authorization cares: their DN, every group they
/// belong to (directly or through nesting) and what the directory says of
/// their privileges.
#[derive(Debug, Clone)]
pub struct Member {
    pub dn: Dn,
    pub groups: HashSet<Dn>,
    /// Marked privileged by the directory itself (AD: `adminCount=1`, or a
    /// built-in admin group such as Domain Admins), whatever the
    /// configuration's groups say.
    pub marked_privileged: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the acting user is not in an admin group")]
    ActorNotAdmin,
    #[error("admins cannot reset their own password here")]
    TargetIsSelf,
    #[error("the target is an admin")]
    TargetIsAdmin,
    #[error("the target is in a protected group")]
    TargetProtected,
}

impl Rules {
    pub fn new(admin_groups: &[String], protected_groups: &[String], protect_privileged: bool) -> Self {
        let set = |groups: &[String]| -> HashSet<Dn> {
            groups.iter().map(|g| Dn::new(g.trim())).filter(|g| !g.is_empty()).collect()
        };
        let admin_groups = set(admin_groups);
        let guarded_groups = admin_groups.union(&set(protected_groups)).cloned().collect();
        Self { admin_groups, guarded_groups, protect_privileged }
    }

    /// Membership of any of these makes an actor an admin: a walk up the
    /// group tree may stop at the first one it meets.
    pub fn admin_groups(&self) -> &HashSet<Dn> {
        &self.admin_groups
    }

    /// Membership of any of these refuses a target (admins and protected
    /// people alike).
    pub fn guarded_groups(&self) -> &HashSet<Dn> {
        &self.guarded_groups
    }

    /// May this person act as an admin at all?
    pub fn may_act(&self, actor: &Member) -> Result<(), Refusal> {
        if actor.groups.is_disjoint(&self.admin_groups) {
            return Err(Refusal::ActorNotAdmin);
        }
        Ok(())
    }

    /// May `actor` reset `target`'s password? Admins never reset admins, and
    /// nobody resets a protected person, themself included.
    pub fn may_reset(&self, actor: &Member, target: &Member) -> Result<(), Refusal> {
        self.may_act(actor)?;
        if actor.dn == target.dn {
            return Err(Refusal::TargetIsSelf);
        }
        if !target.groups.is_disjoint(&self.admin_groups) {
            return Err(Refusal::TargetIsAdmin);
        }
        if !target.groups.is_disjoint(&self.guarded_groups) {
            return Err(Refusal::TargetProtected);
        }
        if self.protect_privileged && target.marked_privileged {
            return Err(Refusal::TargetProtected);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELPDESK: &str = "cn=helpdesk,ou=groups,dc=example,dc=org";
    const EXECUTIVES: &str = "cn=executives,ou=groups,dc=example,dc=org";

    fn rules(protect_privileged: bool) -> Rules {
        Rules::new(&[HELPDESK.to_string()], &[EXECUTIVES.to_string()], protect_privileged)
    }

    fn member(dn: &str, groups: &[&str]) -> Member {
        Member {
            dn: Dn::new(dn),
            groups: groups.iter().map(|g| Dn::new(*g)).collect(),
            marked_privileged: false,
        }
    }

    #[test]
    fn an_admin_may_reset_an_ordinary_person() {
        let actor = member("uid=agent,dc=example,dc=org", &[HELPDESK]);
        let target = member("uid=alice,dc=example,dc=org", &["cn=staff,dc=example,dc=org"]);
        assert_eq!(rules(true).may_reset(&actor, &target), Ok(()));
    }

    #[test]
    fn a_non_admin_may_not_act() {
        let actor = member("uid=mallory,dc=example,dc=org", &[]);
        let target = member("uid=alice,dc=example,dc=org", &[]);
        assert_eq!(rules(true).may_reset(&actor, &target), Err(Refusal::ActorNotAdmin));
    }

    #[test]
    fn admins_never_reset_admins_or_themselves() {
        let actor = member("uid=agent,dc=example,dc=org", &[HELPDESK]);
        let other = member("uid=agent2,dc=example,dc=org", &[HELPDESK]);
        assert_eq!(rules(true).may_reset(&actor, &other), Err(Refusal::TargetIsAdmin));
        let same = member("UID=Agent, DC=example,DC=org", &[HELPDESK]);
        assert_eq!(rules(true).may_reset(&actor, &same), Err(Refusal::TargetIsSelf));
    }

    #[test]
    fn people_the_directory_marks_privileged_are_refused_when_that_protects() {
        let actor = member("uid=agent,dc=example,dc=org", &[HELPDESK]);
        let domain_admin = Member { marked_privileged: true, ..member("cn=da,dc=example,dc=org", &[]) };
        assert_eq!(rules(true).may_reset(&actor, &domain_admin), Err(Refusal::TargetProtected));
        assert_eq!(rules(false).may_reset(&actor, &domain_admin), Ok(()));
    }

    #[test]
    fn protected_people_are_refused() {
        let actor = member("uid=agent,dc=example,dc=org", &[HELPDESK]);
        let ceo = member("uid=ceo,dc=example,dc=org", &["CN=Executives,OU=Groups,DC=Example,DC=Org"]);
        assert_eq!(rules(false).may_reset(&actor, &ceo), Err(Refusal::TargetProtected));
    }

    #[test]
    fn an_admin_group_in_the_configuration_protects_whatever_the_privileged_setting() {
        let actor = member("uid=agent,dc=example,dc=org", &[HELPDESK]);
        let admin = member("uid=agent2,dc=example,dc=org", &["CN=Helpdesk,OU=Groups,DC=Example,DC=Org"]);
        assert_eq!(rules(false).may_reset(&actor, &admin), Err(Refusal::TargetIsAdmin));
    }
}
