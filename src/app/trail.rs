//! Reading the audit trail: auditors read every event; an admin reads the
//! events of people in their reach and their own actions; anyone else is
//! refused. Reading writes no event.

use std::collections::HashMap;

use super::{App, Authenticated, Credentials, Failure};
use crate::access::{Member, Refusal};
use crate::audit::RequestContext;
use crate::audit::record::Record;
use crate::audit::store::{Filter, Page};
use crate::directory::{Directory, Person};
use crate::dn::Dn;

/// Store pages an admin's read looks through for events in their reach
/// before answering with what it found and where to go on.
const PAGES_SCANNED: usize = 10;

/// What a read asks for.
#[derive(Debug, Clone)]
pub struct TrailQuery {
    pub filter: Filter,
    /// 1–1000.
    pub limit: u32,
}

impl<D: Directory> App<D> {
    /// Whether events are kept in a store that can be read.
    pub fn keeps_trail(&self) -> bool {
        self.trail.is_some()
    }

    pub async fn trail(
        &self,
        context: &RequestContext,
        credentials: &Credentials,
        query: &TrailQuery,
    ) -> Result<Page, Failure> {
        let Some(store) = &self.trail else { return Err(Failure::UserNotFound) };
        let walk = async |reader: &Person, _: Option<&Person>| self.member(reader, &Default::default()).await;
        let (Authenticated { admin: reader, .. }, member) =
            self.authenticate(context.client, credentials, None, walk).await?;
        let unavailable = |e: crate::audit::store::StoreError| {
            tracing::error!("{e}");
            Failure::AuditUnavailable
        };
        if self.rules.is_auditor(&member) {
            return store.page(&query.filter, query.limit).await.map_err(unavailable);
        }
        self.rules.may_act(&member).map_err(|_| Failure::Forbidden(Refusal::NotAnAuditor))?;

        // An admin: page through the store, keeping what they may see.
        let mut seen = Reach { member: &member, own: reader.username.to_lowercase(), known: HashMap::new() };
        let mut filter = query.filter.clone();
        let mut events = Vec::new();
        for _ in 0..PAGES_SCANNED {
            let page = store.page(&filter, query.limit).await.map_err(unavailable)?;
            for event in page.events {
                filter.before_id = Some(event.id);
                if self.may_see(&mut seen, &event).await? {
                    events.push(event);
                    if events.len() == usize::try_from(query.limit).unwrap_or(usize::MAX) {
                        let next = events.last().map(|e| e.id);
                        return Ok(Page { events, next });
                    }
                }
            }
            if page.next.is_none() {
                return Ok(Page { events, next: None });
            }
        }
        // Looked far enough for one answer: the next page goes on from here.
        Ok(Page { events, next: filter.before_id })
    }

    /// An admin's own actions, and events about people in their reach.
    async fn may_see(&self, reach: &mut Reach<'_>, event: &Record) -> Result<bool, Failure> {
        if event.actor.as_deref().is_some_and(|actor| actor.to_lowercase() == reach.own) {
            return Ok(true);
        }
        let Some(dn) = event.target.as_ref().and_then(|t| t.dn.as_deref()) else { return Ok(false) };
        if let Some(known) = reach.known.get(dn) {
            return Ok(*known);
        }
        // The same reach as a reset's and a lookup's.
        let covered = !self.covering(reach.member, &Dn::new(dn)).await?.is_empty();
        reach.known.insert(dn.to_owned(), covered);
        Ok(covered)
    }
}

/// What an admin's read has decided so far.
struct Reach<'a> {
    member: &'a Member,
    /// Their username, lower-cased.
    own: String,
    /// Target DNs already decided.
    known: HashMap<String, bool>,
}
