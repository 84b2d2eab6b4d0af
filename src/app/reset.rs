//! The password-reset use case, shared by both endpoints and the console.
//! Decisions are taken in the contract's order: authenticate (401) → actor
//! is an admin (403) → resolve the target (404) → target not protected
//! (403) → target inside the actor's delegation, options allowed (403) →
//! target active, or locked and being unlocked (400) → proxy policy, or a
//! password generated to pass it (400) → write (400 when the directory
//! refuses) → one audit event whatever the outcome → the mail to the
//! person, whose fate is its own event, reported, not raised.

use secrecy::SecretString;
use serde_json::json;

use super::{App, Credentials, Failure, Inactive, NewPassword, Target};
use crate::access::{self, Granted, Member, Refusal, Requested};
use crate::audit::{Action, Event, RequestContext};
use crate::directory::{Directory, Person, Write, Writer};
use crate::generate::Delivery;
use crate::notify::{Mail, MailKind, Notification};

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

impl Changed {
    fn new(person: Person, write: Write, generated: Option<SecretString>) -> Self {
        Changed {
            username: person.username,
            email: person.email,
            temporary: write.temporary,
            unlocked: write.unlock,
            generated,
            notification: None,
        }
    }
}

/// The event is about `person`, found: their DN, id and username.
pub(super) fn concerns(event: &mut Event, person: &Person) {
    event.target_dn = Some(person.dn.to_string());
    event.target_id.clone_from(&person.account.id);
    event.person = Some(person.username.clone());
}

/// What a reset asks of each person it names.
pub(super) struct ResetOptions<'a> {
    pub password: &'a NewPassword,
    pub temporary: Option<bool>,
    pub unlock: bool,
    /// Every check, no write, no mail.
    pub dry_run: bool,
}

impl ResetCommand {
    fn options(&self) -> ResetOptions<'_> {
        ResetOptions {
            password: &self.password,
            temporary: self.temporary,
            unlock: self.unlock,
            dry_run: false,
        }
    }
}

/// The admin acting, their groups, and the connection a write goes on.
pub(super) struct Acting<'a, Session> {
    pub admin: &'a Person,
    pub actor: &'a Member,
    pub writer: Writer<Session>,
}

impl<D: Directory> App<D> {
    pub async fn reset(&self, context: &RequestContext, command: ResetCommand) -> Result<Changed, Failure> {
        let event = Event {
            actor: command.credentials.principal.claimed_name(),
            target: Some(command.target.named()),
            ..Event::default()
        };
        let result = self
            .run(context, Action::Reset, event, async |event| self.run_reset(context, &command, event).await)
            .await;
        let (changed, mail) = result?;
        Ok(self.notify_after(context, changed, mail).await)
    }

    /// The mail goes after the write and its audit event, whatever its fate.
    pub(super) async fn notify_after(
        &self,
        context: &RequestContext,
        mut changed: Changed,
        mail: Option<Mail>,
    ) -> Changed {
        if let Some(notifier) = &self.mailing.notifier {
            let notification = match &mail {
                Some(mail) => {
                    notifier.notify(mail).await.for_delivery(matches!(mail.kind, MailKind::Delivery(_)))
                }
                None => Notification::skipped(),
            };
            self.notified(context, &changed, &notification).await;
            changed.notification = Some(notification);
        }
        changed
    }

    /// The mail's own event, under the reset's request id: never the
    /// address, the server's reply or the password.
    async fn notified(&self, context: &RequestContext, changed: &Changed, notification: &Notification) {
        let mut event = Event { target: Some(changed.username.clone()), ..Event::default() };
        event.details.insert("status", json!(notification.status.as_str()));
        if let Some(reason) = &notification.reason {
            event.details.insert("reason", json!(reason));
        }
        // The mail is on its way or not: a store that cannot keep its event
        // changes neither (the failure is logged and counted).
        let _ = self.record(context, Action::Notify, notification.status.outcome(), &event).await;
    }

    async fn run_reset(
        &self,
        context: &RequestContext,
        command: &ResetCommand,
        event: &mut Event,
    ) -> Result<(Changed, Option<Mail>), Failure> {
        let resolved = self.resolve(context, &command.credentials, &command.target, event).await?;
        let acting = Acting { admin: &resolved.admin, actor: &resolved.actor, writer: resolved.writer };
        self.reset_person(context, &command.options(), event, acting, resolved.person, &resolved.target).await
    }

    /// The decisions from "not protected" on, and the write: for one
    /// request's person, or each of a bulk reset's.
    pub(super) async fn reset_person(
        &self,
        context: &RequestContext,
        options: &ResetOptions<'_>,
        event: &mut Event,
        acting: Acting<'_, D::Session>,
        person: Person,
        target: &Member,
    ) -> Result<(Changed, Option<Mail>), Failure> {
        concerns(event, &person);
        self.rules.may_reset(acting.actor, target).map_err(Failure::Forbidden)?;
        let granted = self.delegated(acting.actor, &person, options).await?;
        if person.account.disabled {
            return Err(Failure::UserInactive(Inactive::Disabled));
        }
        if person.account.locked && !granted.unlock {
            return Err(Failure::UserInactive(Inactive::Locked));
        }

        let fresh = self.fresh(&person, options.password).await?;
        if let Some(delivery) = fresh.delivery() {
            let went = match delivery {
                Delivery::Response => "response",
                Delivery::Mail => "mail",
            };
            event.details.insert("generated", json!(went));
        }

        let write = Write { temporary: granted.temporary, unlock: granted.unlock && person.account.locked };
        // As it is (or would have been, had the directory taken it) written.
        event.details.insert("temporary", json!(write.temporary));
        event.details.insert("unlocked", json!(write.unlock));
        if options.dry_run {
            // Every check made; nothing written, nothing mailed, nothing shown.
            let changed = Changed::new(person, write, None);
            return Ok((changed, None));
        }
        self.attempting(context, Action::Reset, event).await?;
        self.directory.set_password(acting.writer, &person, fresh.password(), write).await?;
        let (mail, generated) =
            self.mail(&person, &acting.admin.username, &context.request_id, write.temporary, fresh);
        Ok((Changed::new(person, write, generated), mail))
    }

    /// What the actor's delegations that cover the target allow this
    /// request; outside every one of them is 403 for a reset.
    async fn delegated(
        &self,
        actor: &Member,
        person: &Person,
        options: &ResetOptions<'_>,
    ) -> Result<Granted, Failure> {
        let covering = self.covering(actor, &person.dn).await?;
        if covering.is_empty() {
            return Err(Failure::Forbidden(Refusal::OutOfReach));
        }
        let requested = Requested { unlock: options.unlock, temporary: options.temporary };
        // A generated password is temporary unless the delegation forbids.
        let generated = matches!(options.password, NewPassword::Generated { .. });
        let default_temporary = generated || self.policy.must_change();
        access::grant(&covering, requested, default_temporary).map_err(Failure::Forbidden)
    }
}
