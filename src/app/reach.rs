//! Who an actor reaches: the delegations covering a person (the one reach
//! a reset and a lookup both use), and the groups that decide it.

use std::collections::HashSet;

use super::{App, Failure};
use crate::access::{Delegation, Member};
use crate::directory::{Directory, Groups, Person};
use crate::dn::Dn;

impl<D: Directory> App<D> {
    /// The actor's delegations that cover the target (the entry at `target`): the one reach a reset
    /// and a lookup both use. Base checks are string work, a filter is one
    /// base-scoped search (each distinct filter once).
    pub(crate) async fn covering(&self, actor: &Member, target: &Dn) -> Result<Vec<&Delegation>, Failure> {
        let mut covering = Vec::new();
        let mut matched: Vec<(&str, bool)> = Vec::new();
        for delegation in self.rules.reaching(actor, target) {
            let covers = match delegation.filter.as_deref() {
                None => true,
                Some(filter) => match matched.iter().find(|(f, _)| *f == filter) {
                    Some((_, covers)) => *covers,
                    None => {
                        let covers = self.directory.matches(target, filter).await?;
                        matched.push((filter, covers));
                        covers
                    }
                },
            };
            if covers {
                covering.push(delegation);
            }
        }
        Ok(covering)
    }

    /// The actor's and (when found) the target's groups, each walk stopping
    /// where its decisions are made.
    pub(crate) async fn members(
        &self,
        actor: &Person,
        target: Option<&Person>,
    ) -> Result<(Member, Option<Member>), Failure> {
        let stops_at = self.rules.actor_walk_stops_at();
        let Some(target) = target else {
            return Ok((self.member(actor, stops_at).await?, None));
        };
        let (actor_groups, target_groups) =
            self.directory.groups_of_both((actor, stops_at), (target, self.rules.guarded_groups())).await?;
        Ok((as_member(actor, actor_groups), Some(as_member(target, target_groups))))
    }

    /// A person's groups, as far as `decisive` ones are concerned: the walk
    /// up the group tree may stop at the first of them it meets.
    pub(crate) async fn member(&self, person: &Person, decisive: &HashSet<Dn>) -> Result<Member, Failure> {
        let groups = self.directory.groups_of(person, decisive).await?;
        Ok(as_member(person, groups))
    }
}

pub(crate) fn as_member(person: &Person, groups: Groups) -> Member {
    Member {
        dn: person.dn.clone(),
        groups: groups.dns,
        marked_privileged: person.account.marked_privileged || groups.privileged,
    }
}
