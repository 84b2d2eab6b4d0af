//! The password-reset use case, shared by both endpoints (who is asking, and
//! the token login, are in `authentication`). Decisions are taken in the
//! contract's order: authenticate (401) → actor is an admin (403) → resolve
//! the target (404) → target not protected (403) → target inside the
//! actor's delegation, options allowed (403) → target active, or locked and
//! being unlocked (400) → proxy policy, or a password generated to pass it
//! (400) → write (400 when the directory refuses) → one audit line whatever
//! the outcome → the mail to the person, whose fate is reported, not raised.

mod authentication;
mod failure;
mod fresh;
mod reach;
#[cfg(test)]
mod tests;

use std::time::Duration;

use secrecy::SecretString;
use uuid::Uuid;

pub(crate) use authentication::Authenticated;
pub use authentication::{Credentials, Principal};
pub use failure::{Failure, whole_seconds};
use fresh::Mailing;
pub use fresh::NewPassword;

use crate::access::{self, Granted, Member, Refusal, Requested, Rules};
use crate::audit::{self, Attempt, RequestContext};
use crate::config::GenerateSettings;
use crate::directory::{Directory, Lookup, Person, Write, counting_exchanges};
use crate::generate::Delivery;
use crate::lockout::Lockout;
use crate::notify::{MailKind, Notification, Notifier};
use crate::policy::Policy;
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
    pub password: NewPassword,
    /// `None`: `policy.must_change` decides (for a generated password: it is
    /// temporary), unless the delegation forces it.
    pub temporary: Option<bool>,
    /// Also unlock a locked target, when the delegation allows it.
    pub unlock: bool,
}

/// The person whose password was changed, and how.
#[derive(Debug)]
pub struct Changed {
    pub username: String,
    pub email: Option<String>,
    /// Must they change it at their next sign-in?
    pub temporary: bool,
    /// Was a lock lifted with the write?
    pub unlocked: bool,
    /// The generated password, for `deliver = "response"` only.
    pub generated: Option<SecretString>,
    /// What became of the mail; `None` without `[notify]`.
    pub notification: Option<Notification>,
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
    /// Where a generated password went; `None` for a typed one.
    generated: Option<Delivery>,
}

pub struct Service<D: Directory> {
    pub(crate) directory: D,
    pub(crate) rules: Rules,
    tokens: Tokens,
    pub(crate) policy: Policy,
    lockout: Lockout,
    mailing: Mailing,
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
        let mailing = Mailing { generate: GenerateSettings::default(), notifier: None };
        Self { directory, rules, tokens, policy, lockout, mailing, deadline }
    }

    /// Generated passwords as `generate` says, and mail through `notifier`.
    pub fn with_mail(mut self, generate: GenerateSettings, notifier: Option<Notifier>) -> Self {
        self.mailing = Mailing { generate, notifier };
        self
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

    /// A fresh token for the holder of a valid one (the console's sliding
    /// session); every use still re-checks the admin in the directory.
    pub fn renew(&self, token: &SecretString) -> Option<SecretString> {
        self.tokens.verify(token).and_then(|username| self.tokens.issue(&username).ok())
    }

    /// Whether `[notify]` is set: mail delivery can be offered.
    pub fn sends_mail(&self) -> bool {
        self.mailing.notifier.is_some()
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
        let (result, exchanges) = self.within_deadline(self.run_reset(context, &command, &mut trail)).await;
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
            generated: trail.generated,
        });
        // The mail goes after the write and its audit line, whatever its fate.
        let (mut changed, mail) = result?;
        if let Some(notifier) = &self.mailing.notifier {
            let notification = match &mail {
                Some(mail) => {
                    notifier.notify(mail).await.for_delivery(matches!(mail.kind, MailKind::Delivery(_)))
                }
                None => Notification::skipped(),
            };
            audit::notification(context, &changed.username, &notification);
            changed.notification = Some(notification);
        }
        Ok(changed)
    }

    async fn run_reset(
        &self,
        context: &RequestContext,
        command: &ResetCommand,
        trail: &mut Trail,
    ) -> Result<(Changed, Option<crate::notify::Mail>), Failure> {
        let client = context.client;
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

        let fresh = self.fresh(&person, &command.password).await?;
        trail.generated = fresh.delivery();

        let write = Write { temporary: granted.temporary, unlock: granted.unlock && person.account.locked };
        trail.write = Some(write);
        self.directory.set_password(writer, &person, fresh.password(), write).await?;
        let (mail, generated) =
            self.mail(&person, &admin.username, &context.request_id, write.temporary, fresh);
        let changed = Changed {
            username: person.username,
            email: person.email,
            temporary: write.temporary,
            unlocked: write.unlock,
            generated,
            notification: None,
        };
        Ok((changed, mail))
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
        // A generated password is temporary unless the delegation forbids.
        let generated = matches!(command.password, NewPassword::Generated { .. });
        let default_temporary = generated || self.policy.must_change();
        access::grant(&covering, requested, default_temporary).map_err(Failure::Forbidden)
    }
}
