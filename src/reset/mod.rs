//! The password-reset use case, shared by both endpoints (who is asking, and
//! the token login, are in `authentication`). Decisions are taken in the
//! contract's order: authenticate (401) → actor is an admin (403) → resolve
//! the target (404) → target not protected (403) → target inside the
//! actor's delegation, options allowed (403) → target active, or locked and
//! being unlocked (400) → proxy policy (400) → write (400 when the directory
//! refuses) → one audit line whatever the outcome.

mod authentication;
mod failure;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

use secrecy::SecretString;
use uuid::Uuid;

pub(crate) use authentication::Authenticated;
pub use authentication::{Credentials, Principal};
pub use failure::{Failure, whole_seconds};

use crate::access::{self, Delegation, Granted, Member, Refusal, Requested, Rules};
use crate::audit::{self, Attempt, RequestContext};
use crate::directory::{Directory, Groups, Lookup, Person, Write, counting_exchanges};
use crate::dn::Dn;
use crate::lockout::Lockout;
use crate::policy::{Policy, Rule};
use crate::token::Tokens;

/// How the request names the person whose password changes.
#[derive(Debug)]
pub enum Target {
    Id(Uuid),
    Name(String),
}

#[derive(Debug)]
pub struct ResetCommand {
    pub credentials: Credentials,
    pub target: Target,
    pub password: SecretString,
    /// `None` where the endpoint has no confirmation field.
    pub confirmation: Option<SecretString>,
    /// `None`: `policy.must_change` decides, unless the delegation forces it.
    pub temporary: Option<bool>,
    /// Also unlock a locked target, when the delegation allows it.
    pub unlock: bool,
}

/// The person whose password was changed.
#[derive(Debug)]
pub struct Changed {
    pub username: String,
    pub email: Option<String>,
}

/// What the audit line says of an attempt, filled in as it is learnt.
#[derive(Default)]
struct Trail {
    actor: Option<String>,
    target_dn: Option<String>,
    /// The target's id attribute (AD's objectGUID in its usual form).
    target_id: Option<String>,
    /// How the password was written, once decided.
    write: Option<Write>,
}

pub struct Service<D: Directory> {
    pub(crate) directory: D,
    pub(crate) rules: Rules,
    tokens: Tokens,
    pub(crate) policy: Policy,
    lockout: Lockout,
    /// The whole directory conversation of one request must end within this,
    /// however many operations it takes.
    deadline: Duration,
}

impl<D: Directory> Service<D> {
    pub fn new(
        directory: D,
        rules: Rules,
        tokens: Tokens,
        policy: Policy,
        lockout: Lockout,
        deadline: Duration,
    ) -> Self {
        Self { directory, rules, tokens, policy, lockout, deadline }
    }

    pub fn lockout(&self) -> &Lockout {
        &self.lockout
    }

    pub fn directory(&self) -> &D {
        &self.directory
    }

    pub fn token_ttl_secs(&self) -> u64 {
        self.tokens.ttl_secs()
    }

    /// Runs a request's directory work under the deadline and counts its
    /// round trips. A write already sent when the deadline passes may or may
    /// not have been applied; it is never repeated.
    ///
    /// Boxed at once: the whole conversation is one large future, which kept
    /// inline would make the handler's as large.
    pub(crate) async fn within_deadline<T>(
        &self,
        work: impl Future<Output = Result<T, Failure>> + Send,
    ) -> (Result<T, Failure>, u32) {
        let work = Box::pin(tokio::time::timeout(self.deadline, work));
        let (result, exchanges) = counting_exchanges(work).await;
        let result = result.unwrap_or_else(|_| {
            Err(Failure::DirectoryUnavailable(format!(
                "the request's directory work took over {:?}",
                self.deadline
            )))
        });
        (result, exchanges)
    }

    pub async fn reset(&self, context: &RequestContext, command: ResetCommand) -> Result<Changed, Failure> {
        let mut trail = Trail { actor: command.credentials.principal.claimed_name(), ..Trail::default() };
        let (result, exchanges) =
            self.within_deadline(self.run_reset(context.client, &command, &mut trail)).await;
        let target = match &command.target {
            Target::Id(id) => id.to_string(),
            Target::Name(name) => name.clone(),
        };
        audit::record(&Attempt {
            context,
            actor: trail.actor.as_deref(),
            target: Some(&target),
            target_dn: trail.target_dn.as_deref(),
            target_id: trail.target_id.as_deref(),
            code: result.as_ref().err().map(Failure::code),
            exchanges,
            write: trail.write,
        });
        result
    }

    async fn run_reset(
        &self,
        client: IpAddr,
        command: &ResetCommand,
        trail: &mut Trail,
    ) -> Result<Changed, Failure> {
        let lookup = match &command.target {
            Target::Id(id) => Lookup::Id(id),
            Target::Name(name) => Lookup::Name(name),
        };
        // The target is looked up with the admin, and both group trees are
        // walked together while the admin's password is checked: fewer round
        // trips. The answers are still taken in the contract's order (401,
        // then 403 for a non-admin before any 404).
        let walk = async |admin: &Person, person: Option<&Person>| self.members(admin, person).await;
        let (Authenticated { admin, writer, target: person }, (actor, target)) =
            self.authenticate(client, &command.credentials, Some(lookup), walk).await?;
        trail.actor = Some(admin.username.clone());
        self.rules.may_act(&actor).map_err(Failure::Forbidden)?;
        let (Some(person), Some(target)) = (person, target) else {
            return Err(Failure::UserNotFound);
        };
        trail.target_dn = Some(person.dn.to_string());
        trail.target_id.clone_from(&person.account.id);
        self.rules.may_reset(&actor, &target).map_err(Failure::Forbidden)?;
        let granted = self.delegated(&actor, &person, command).await?;
        if person.account.disabled || (person.account.locked && !granted.unlock) {
            return Err(Failure::UserInactive);
        }

        let broken = self.policy.check(
            &person.username,
            &person.context,
            &command.password,
            command.confirmation.as_ref(),
        );
        match broken.as_slice() {
            [] => {}
            [Rule::PasswordsDoNotMatch] => return Err(Failure::PasswordsDoNotMatch),
            _ => return Err(Failure::PasswordPolicy(broken)),
        }

        let write = Write { temporary: granted.temporary, unlock: granted.unlock && person.account.locked };
        trail.write = Some(write);
        self.directory.set_password(writer, &person, &command.password, write).await?;
        Ok(Changed { username: person.username, email: person.email })
    }

    /// What the actor's delegations that cover the target allow this
    /// request; outside every one of them is 403 for a reset.
    async fn delegated(
        &self,
        actor: &Member,
        person: &Person,
        command: &ResetCommand,
    ) -> Result<Granted, Failure> {
        let covering = self.covering(actor, person).await?;
        if covering.is_empty() {
            return Err(Failure::Forbidden(Refusal::OutOfReach));
        }
        let requested = Requested { unlock: command.unlock, temporary: command.temporary };
        access::grant(&covering, requested, self.policy.must_change()).map_err(Failure::Forbidden)
    }

    /// The actor's delegations that cover the target: the one reach a reset
    /// and a lookup both use. Base checks are string work, a filter is one
    /// base-scoped search (each distinct filter once).
    pub(crate) async fn covering(
        &self,
        actor: &Member,
        person: &Person,
    ) -> Result<Vec<&Delegation>, Failure> {
        let mut covering = Vec::new();
        let mut matched: Vec<(&str, bool)> = Vec::new();
        for delegation in self.rules.reaching(actor, &person.dn) {
            let covers = match delegation.filter.as_deref() {
                None => true,
                Some(filter) => match matched.iter().find(|(f, _)| *f == filter) {
                    Some((_, covers)) => *covers,
                    None => {
                        let covers = self.directory.matches(&person.dn, filter).await?;
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
