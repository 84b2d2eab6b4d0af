//! Looking people up, beside the reset and on the same parts: the same
//! authentication, the same reach ([`App::covering`]: outside it a person
//! is "not found", exactly as if absent), and the same decisions for what
//! the actor may do ([`access::actions`]). A search and a person shown are
//! each one operation of the pipeline.

use std::collections::BTreeMap;
use std::net::IpAddr;

use futures::future::try_join_all;
use serde_json::json;

use super::{App, Authenticated, Credentials, Failure, Target};
use crate::access::{self, Account, Actions, Delegation, Member};
use crate::audit::{Action, Event, RequestContext};
use crate::directory::{AccountStatus, Directory, PeopleQuery, Person};

/// At most this many people answer one search.
pub const MAX_LIMIT: usize = 100;

/// One person as a lookup shows them.
#[derive(Debug)]
pub struct Shown {
    pub person: Person,
    pub status: AccountStatus,
    pub actions: Actions,
}

/// A search's answer: at most the limit, and whether more matched.
#[derive(Debug)]
pub struct Found {
    pub people: Vec<Shown>,
    pub truncated: bool,
}

impl<D: Directory> App<D> {
    /// `GET /api/v1/users/{userName}`, `GET /actions/persons/{person_id}`.
    pub async fn show(
        &self,
        context: &RequestContext,
        credentials: &Credentials,
        target: &Target,
    ) -> Result<Shown, Failure> {
        self.show_as(context, Some(Action::Lookup), credentials, target).await
    }

    /// A person shown on the page that answers an operation already
    /// recorded (a refused console form): not a lookup of its own.
    pub async fn show_in_answer(
        &self,
        context: &RequestContext,
        credentials: &Credentials,
        target: &Target,
    ) -> Result<Shown, Failure> {
        self.show_as(context, None, credentials, target).await
    }

    async fn show_as(
        &self,
        context: &RequestContext,
        action: Option<Action>,
        credentials: &Credentials,
        target: &Target,
    ) -> Result<Shown, Failure> {
        let event = Event {
            actor: credentials.principal.claimed_name(),
            target: Some(target.named()),
            ..Event::default()
        };
        self.run_as(context, action, event, async |event| {
            let shown = self.run_show(context.client, credentials, target, &mut event.actor).await?;
            event.target_dn = Some(shown.person.dn.to_string());
            event.target_id.clone_from(&shown.person.account.id);
            event.person = Some(shown.person.username.clone());
            Ok(shown)
        })
        .await
    }

    /// `GET /api/v1/users?q=&status=&limit=`: the text and `limit` are
    /// already checked (1–64 characters, 1–[`MAX_LIMIT`]).
    pub async fn search(
        &self,
        context: &RequestContext,
        credentials: &Credentials,
        query: PeopleQuery<'_>,
        limit: usize,
    ) -> Result<Found, Failure> {
        let mut event = Event {
            actor: credentials.principal.claimed_name(),
            target: query.text.map(str::to_owned),
            ..Event::default()
        };
        if let Some(listed) = query.listed {
            event.details.insert("status", json!(listed.as_str()));
        }
        self.run(context, Action::Search, event, async |event| {
            let found = self.run_search(context.client, credentials, query, limit, &mut event.actor).await?;
            event.details.insert("answered", json!(found.people.len()));
            Ok(found)
        })
        .await
    }

    async fn run_show(
        &self,
        client: IpAddr,
        credentials: &Credentials,
        target: &Target,
        actor_name: &mut Option<String>,
    ) -> Result<Shown, Failure> {
        let walk = async |admin: &Person, person: Option<&Person>| self.members(admin, person).await;
        let (Authenticated { admin, target: person, .. }, (actor, member)) =
            self.authenticate(client, credentials, Some(target.lookup()), walk).await?;
        *actor_name = Some(admin.username);
        self.rules.may_act(&actor).map_err(Failure::Forbidden)?;
        let (Some(person), Some(member)) = (person, member) else {
            return Err(Failure::UserNotFound);
        };
        let covering = self.covering(&actor, &person.dn).await?;
        if covering.is_empty() {
            return Err(Failure::UserNotFound);
        }
        self.shown(&actor, person, member, &covering).await
    }

    async fn run_search(
        &self,
        client: IpAddr,
        credentials: &Credentials,
        query: PeopleQuery<'_>,
        limit: usize,
        actor_name: &mut Option<String>,
    ) -> Result<Found, Failure> {
        let stops_at = self.rules.actor_walk_stops_at();
        let walk = async |admin: &Person, _: Option<&Person>| self.member(admin, stops_at).await;
        let (Authenticated { admin, .. }, actor) = self.authenticate(client, credentials, None, walk).await?;
        *actor_name = Some(admin.username);
        self.rules.may_act(&actor).map_err(Failure::Forbidden)?;

        // One search per base of each delegation, with its filter: who a
        // search finds is exactly who that delegation covers.
        let delegations = self.rules.delegations_of(&actor);
        let searches = delegations.iter().flat_map(|d| d.bases.iter().map(move |base| (*d, base)));
        let answers = try_join_all(searches.map(async |(delegation, base)| {
            let found = self.directory.find_people(base, delegation.filter.as_deref(), query, limit).await?;
            Ok::<_, Failure>((delegation, found))
        }))
        .await?;
        let mut truncated = false;
        let mut people: BTreeMap<String, (Person, Vec<&Delegation>)> = BTreeMap::new();
        for (delegation, (found, cut)) in answers {
            truncated |= cut;
            for person in found {
                let key = format!("{}\0{}", person.username.to_lowercase(), person.dn);
                people.entry(key).or_insert_with(|| (person, Vec::new())).1.push(delegation);
            }
        }
        truncated |= people.len() > limit;
        let people = try_join_all(people.into_values().take(limit).map(async |(person, covering)| {
            let member = self.member(&person, self.rules.guarded_groups()).await?;
            self.shown(&actor, person, member, &covering).await
        }))
        .await?;
        Ok(Found { people, truncated })
    }

    /// A person inside the actor's reach, with their status and what the
    /// actor may do to them.
    async fn shown(
        &self,
        actor: &Member,
        person: Person,
        member: Member,
        covering: &[&Delegation],
    ) -> Result<Shown, Failure> {
        let status = self.directory.account_status(&person).await?;
        let account = Account { disabled: person.account.disabled, locked: person.account.locked };
        let actions =
            access::actions(&self.rules, actor, &member, covering, account, self.policy.must_change());
        Ok(Shown { person, status, actions })
    }
}
