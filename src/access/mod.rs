//! Who may reset whose password, and with which options: pure decisions
//! over facts the directory reported (group memberships with nesting
//! expanded, whether the directory itself marks someone privileged, whether
//! a delegation's filter matches the target).

mod actions;
mod delegation;

use std::collections::HashSet;

pub use actions::{Account, Actions, Blocked, actions};
pub use delegation::{Allowance, Delegation, Granted, Permission, Requested, grant, permit};

use crate::dn::Dn;

/// The configured delegations and protected groups, and whether the
/// directory's own privileged marks protect a target.
#[derive(Debug, Clone)]
pub struct Rules {
    delegations: Vec<Delegation>,
    /// Every delegation's group: membership of any makes an actor an admin.
    admin_groups: HashSet<Dn>,
    /// Admin and protected groups together: membership of any refuses a
    /// target.
    guarded_groups: HashSet<Dn>,
    /// Where the walk up an actor's group tree may stop: at any admin group
    /// while all of them grant the same, else nowhere (every admin group the
    /// actor is in counts).
    actor_walk_stops_at: HashSet<Dn>,
    /// `authorization.protect_privileged`: whether people the directory marks
    /// privileged (AD's built-in admin groups, `adminCount=1`) are protected.
    protect_privileged: bool,
    /// `authorization.auditor_groups`: their members read the whole trail.
    auditor_groups: HashSet<Dn>,
    /// Admin and auditor groups: membership of any lets a person sign in.
    sign_in_groups: HashSet<Dn>,
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
    #[error("the target is outside every delegation of the actor")]
    OutOfReach,
    #[error("the actor's delegation does not allow unlocking")]
    UnlockNotAllowed,
    #[error("the actor's delegation does not allow disabling or enabling")]
    DisableNotAllowed,
    #[error("the actor's delegation does not allow temporary passwords")]
    TemporaryNotAllowed,
    #[error("the actor's delegation requires temporary passwords")]
    PermanentNotAllowed,
    #[error("the acting user is neither an auditor nor an admin")]
    NotAnAuditor,
}

impl Rules {
    pub fn new(delegations: Vec<Delegation>, protected_groups: &[String], protect_privileged: bool) -> Self {
        let admin_groups: HashSet<Dn> = delegations.iter().map(|d| d.group.clone()).collect();
        let protected: HashSet<Dn> =
            protected_groups.iter().map(|g| Dn::new(g.trim())).filter(|g| !g.is_empty()).collect();
        let guarded_groups = admin_groups.union(&protected).cloned().collect();
        let alike = delegations.windows(2).all(|pair| matches!(pair, [a, b] if same_grant(a, b)));
        let actor_walk_stops_at = if alike { admin_groups.clone() } else { HashSet::new() };
        let sign_in_groups = admin_groups.clone();
        Self {
            delegations,
            admin_groups,
            guarded_groups,
            actor_walk_stops_at,
            protect_privileged,
            auditor_groups: HashSet::new(),
            sign_in_groups,
        }
    }

    /// Members of `groups` read every audit event.
    pub fn with_auditors(mut self, groups: &[String]) -> Self {
        self.auditor_groups = groups.iter().map(|g| Dn::new(g.trim())).filter(|g| !g.is_empty()).collect();
        self.sign_in_groups = self.admin_groups.union(&self.auditor_groups).cloned().collect();
        self
    }

    /// Membership of any of these lets a person sign in (admins, auditors).
    pub fn sign_in_groups(&self) -> &HashSet<Dn> {
        &self.sign_in_groups
    }

    /// May this person sign in: an admin or an auditor?
    pub fn may_sign_in(&self, member: &Member) -> Result<(), Refusal> {
        if member.groups.is_disjoint(&self.sign_in_groups) {
            return Err(Refusal::ActorNotAdmin);
        }
        Ok(())
    }

    /// Does this person read the whole audit trail?
    pub fn is_auditor(&self, member: &Member) -> bool {
        !member.groups.is_disjoint(&self.auditor_groups)
    }

    pub fn admin_groups(&self) -> &HashSet<Dn> {
        &self.admin_groups
    }

    /// The groups at which the walk up an actor's group tree may stop.
    pub fn actor_walk_stops_at(&self) -> &HashSet<Dn> {
        &self.actor_walk_stops_at
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

    /// May `actor` reset `target`'s password at all? Admins never reset
    /// admins, and nobody resets a protected person, themself included.
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

    /// Every delegation the actor acts under: where a search for people
    /// looks, each base with the delegation's filter.
    pub fn delegations_of<'a>(&'a self, actor: &Member) -> Vec<&'a Delegation> {
        self.delegations.iter().filter(|d| actor.groups.contains(&d.group)).collect()
    }

    /// The actor's delegations under whose bases `target` lies; their
    /// filters are for the directory to check.
    pub fn reaching<'a>(&'a self, actor: &Member, target: &Dn) -> Vec<&'a Delegation> {
        self.delegations_of(actor).into_iter().filter(|d| d.reaches(target)).collect()
    }
}

/// Whether two delegations grant exactly the same.
fn same_grant(a: &Delegation, b: &Delegation) -> bool {
    a.bases == b.bases && a.filter == b.filter && a.unlock == b.unlock && a.must_change == b.must_change
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELPDESK: &str = "cn=helpdesk,ou=groups,dc=example,dc=org";
    const EXECUTIVES: &str = "cn=executives,ou=groups,dc=example,dc=org";

    const PEOPLE: &str = "ou=people,dc=example,dc=org";

    fn rules(protect_privileged: bool) -> Rules {
        let helpdesk = Delegation::whole(Dn::new(HELPDESK), Dn::new(PEOPLE));
        Rules::new(vec![helpdesk], &[EXECUTIVES.to_string()], protect_privileged)
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

    #[test]
    fn the_actors_delegations_reach_by_base_and_the_walk_stops_early_only_when_all_grant_alike() {
        const PARIS: &str = "cn=helpdesk-paris,ou=groups,dc=example,dc=org";
        let paris = Delegation {
            group: Dn::new(PARIS),
            bases: vec![Dn::new("ou=paris,ou=people,dc=example,dc=org")],
            filter: Some("(employeeType=staff)".into()),
            unlock: Allowance::Optional,
            must_change: Allowance::Always,
            disable: super::Permission::Never,
        };
        let whole = Delegation::whole(Dn::new(HELPDESK), Dn::new(PEOPLE));
        let rules = Rules::new(vec![whole.clone(), paris], &[], false);
        assert!(rules.actor_walk_stops_at().is_empty(), "the delegations differ");
        let agent = member("uid=agent,dc=example,dc=org", &[PARIS]);
        let in_paris = Dn::new("uid=a,ou=paris,ou=people,dc=example,dc=org");
        let in_lyon = Dn::new("uid=b,ou=lyon,ou=people,dc=example,dc=org");
        assert_eq!(rules.reaching(&agent, &in_paris).len(), 1);
        assert!(rules.reaching(&agent, &in_lyon).is_empty());
        let both = member("uid=boss,dc=example,dc=org", &[PARIS, HELPDESK]);
        assert_eq!(rules.reaching(&both, &in_paris).len(), 2);
        assert_eq!(rules.reaching(&both, &in_lyon).len(), 1);
        let alike =
            Rules::new(vec![whole.clone(), Delegation { group: Dn::new(PARIS), ..whole }], &[], false);
        assert_eq!(alike.actor_walk_stops_at().len(), 2);
    }

    #[test]
    fn members_of_a_delegation_group_are_protected_admins() {
        const PARIS: &str = "cn=helpdesk-paris,ou=groups,dc=example,dc=org";
        let rules = Rules::new(
            vec![
                Delegation::whole(Dn::new(HELPDESK), Dn::new(PEOPLE)),
                Delegation::whole(Dn::new(PARIS), Dn::new(PEOPLE)),
            ],
            &[],
            false,
        );
        let actor = member("uid=agent,dc=example,dc=org", &[HELPDESK]);
        let paris_agent = member("uid=p,dc=example,dc=org", &[PARIS]);
        assert_eq!(rules.may_reset(&actor, &paris_agent), Err(Refusal::TargetIsAdmin));
    }
}
