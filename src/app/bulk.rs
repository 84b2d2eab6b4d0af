//! A bulk reset: the admin authenticated and checked once, then each person
//! through the reset's whole order on their own (404, protected, reach,
//! inactive, policy, write, audit event, mail), at most
//! `bulk.concurrency` at a time. Every person's event carries
//! `details.bulk`, the request's id; a request refused as a whole (the
//! admin not proven, not an admin) is one event.

use futures::StreamExt;
use serde_json::json;

use super::reset::{Acting, ResetOptions};
use super::{App, Authenticated, Changed, Credentials, Failure, NewPassword, Pending};
use crate::access::Member;
use crate::audit::{Action, Event, RequestContext};
use crate::directory::{Directory, Lookup, Person, Writer};

#[derive(Debug)]
pub struct BulkCommand {
    pub credentials: Credentials,
    /// Checked: 1 to `bulk.max_people`, no name twice.
    pub names: Vec<String>,
    /// Always generated: one typed password for several people is refused
    /// before this.
    pub password: NewPassword,
    pub temporary: Option<bool>,
    pub unlock: bool,
    pub dry_run: bool,
}

/// Each person named, in the order given, and what became of them.
#[derive(Debug)]
pub struct BulkOutcome {
    pub people: Vec<(String, Result<Changed, Failure>)>,
}

impl<D: Directory> App<D> {
    /// `Err`: the request is refused as a whole; nobody was looked at.
    pub async fn bulk_reset(
        &self,
        context: &RequestContext,
        command: BulkCommand,
    ) -> Result<BulkOutcome, Failure> {
        let (admin, actor) = self.bulk_actor(context, &command).await?;
        let options = ResetOptions {
            password: &command.password,
            temporary: command.temporary,
            unlock: command.unlock,
            dry_run: command.dry_run,
        };
        // Boxed one by one: a closure mapping over the names would have to
        // hold for any lifetime of the name it is given, which the futures
        // borrowing `self` cannot promise.
        let mut each: Vec<Pending<'_, (String, Result<Changed, Failure>)>> = Vec::new();
        for name in &command.names {
            let (admin, actor, options, credentials) = (&admin, &actor, &options, &command.credentials);
            each.push(Box::pin(async move {
                let outcome = self.bulk_one(context, options, credentials, (admin, actor), name).await;
                (name.clone(), outcome)
            }));
        }
        // In the order given; at most `bulk_concurrency` under way.
        let people = futures::stream::iter(each).buffered(self.bulk_concurrency).collect().await;
        Ok(BulkOutcome { people })
    }

    /// The admin, proven once: a refusal here is the request's one event.
    async fn bulk_actor(
        &self,
        context: &RequestContext,
        command: &BulkCommand,
    ) -> Result<(Person, Member), Failure> {
        let event = || {
            let mut event = Event { actor: command.credentials.principal.claimed_name(), ..Event::default() };
            event.details.insert("bulk", json!(context.request_id));
            event.details.insert("people", json!(command.names.len()));
            event
        };
        let proven = self
            .run_as(context, None, event(), async |_| {
                let walk = async |admin: &Person, _: Option<&Person>| self.members(admin, None).await;
                let (Authenticated { admin, .. }, (actor, _)) =
                    self.authenticate(context.client, &command.credentials, None, walk).await?;
                self.rules.may_act(&actor).map_err(Failure::Forbidden)?;
                Ok((admin, actor))
            })
            .await;
        if let Err(failure) = &proven {
            self.refused(context, Action::Reset, &event(), failure.code()).await;
        }
        proven
    }

    async fn bulk_one(
        &self,
        context: &RequestContext,
        options: &ResetOptions<'_>,
        credentials: &Credentials,
        (admin, actor): (&Person, &Member),
        name: &str,
    ) -> Result<Changed, Failure> {
        let mut event =
            Event { actor: Some(admin.username.clone()), target: Some(name.to_owned()), ..Event::default() };
        event.details.insert("bulk", json!(context.request_id));
        if options.dry_run {
            event.details.insert("dryRun", json!(true));
        }
        let result = self
            .run(context, Action::Reset, event, async |event| {
                let person = self.directory.find_person(Lookup::Name(name)).await?;
                let Some(person) = person else { return Err(Failure::UserNotFound) };
                let target = self.member(&person, self.rules.guarded_groups()).await?;
                let writer = if options.dry_run {
                    Writer::Service
                } else {
                    self.writer_again(admin, credentials).await?
                };
                let acting = Acting { admin, actor, writer };
                self.reset_person(context, options, event, acting, person, &target).await
            })
            .await;
        let (changed, mail) = result?;
        if options.dry_run {
            return Ok(changed);
        }
        Ok(self.notify_after(context, changed, mail).await)
    }
}
