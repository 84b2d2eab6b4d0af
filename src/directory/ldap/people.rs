//! Looking people up: a bounded, escaped prefix search, and a person's
//! status from their entry and the password policy that applies to them,
//! which is read once and kept for a minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ldap3::{Scope, ldap_escape};
use time::OffsetDateTime;

use super::LdapDirectory;
use crate::directory::{
    AccountFacts, AccountStatus, DirectoryError, Listed, PeopleQuery, Person, PolicyFacts,
};
use crate::dn::Dn;

/// Candidates a listing by state reads at most, per base: a state's list
/// is an incident's worklist, not a directory export.
const MAX_CANDIDATES: usize = 1000;

/// How long a policy read is used before it is read again: a changed
/// lockout duration shows within this.
const POLICY_KEPT_FOR: Duration = Duration::from_secs(60);

/// The policies read lately, by entry DN. A deployment has a handful, so a
/// map under a lock is all it takes.
#[derive(Default)]
pub(super) struct Policies(Mutex<HashMap<String, (Instant, PolicyFacts)>>);

impl Policies {
    fn get(&self, dn: &str) -> Option<PolicyFacts> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(dn).filter(|(read, _)| read.elapsed() < POLICY_KEPT_FOR).map(|(_, facts)| *facts)
    }

    fn keep(&self, dn: &str, facts: PolicyFacts) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.insert(dn.to_owned(), (Instant::now(), facts));
    }
}

impl LdapDirectory {
    /// People under `base` (and `users_base_dn`) matching `users_filter` and
    /// `filter`, whose username, name, display name, given name, surname or
    /// mail starts with the query's text, and who are in its state now; at
    /// most `limit`, and whether more matched. The text is escaped: it is
    /// never part of the filter's structure. A state is asked of the
    /// directory as far as its attributes tell (the dialect's filter), and
    /// each candidate's status decides.
    pub(super) async fn people_matching(
        &self,
        base: &Dn,
        filter: Option<&str>,
        query: PeopleQuery<'_>,
        limit: usize,
    ) -> Result<(Vec<Person>, bool), DirectoryError> {
        // Targets lie under users_base_dn whatever a delegation's base says.
        let base = if base.is_within(&self.users_base) {
            base
        } else if self.users_base.is_within(base) {
            &self.users_base
        } else {
            return Ok((Vec::new(), false));
        };
        let starts = query.text.map(|text| {
            let text = ldap_escape(text);
            let attributes = [
                self.username_attribute.as_str(),
                "cn",
                "displayName",
                "givenName",
                "sn",
                &self.mail_attribute,
            ];
            let starts: String =
                attributes.iter().map(|attribute| format!("({attribute}={text}*)")).collect();
            format!("(|{starts})")
        });
        let now = OffsetDateTime::now_utc();
        let state = match query.listed {
            Some(listed) => Some(self.listed_filter(listed, now).await?),
            None => None,
        };
        let scope = format!("(&{}{})", self.users_filter, filter.unwrap_or_default());
        let filter = format!("(&{scope}{}{})", starts.unwrap_or_default(), state.unwrap_or_default());
        // One more than asked tells whether more matched; a state's
        // candidates are judged one by one, so more of them are read.
        let wanted = if query.listed.is_some() { MAX_CANDIDATES } else { limit + 1 };
        let (entries, cut) = self
            .search_with(
                None,
                base.as_str(),
                Scope::Subtree,
                &filter,
                &self.person_attributes(),
                wanted as i32,
            )
            .await?;
        let mut people: Vec<Person> = entries
            .into_iter()
            .map(|entry| self.person(entry))
            .filter(|p| p.dn.is_within(&self.users_base))
            .collect();
        if query.listed.is_none() {
            people.truncate(limit + 1);
        }
        self.mark_inactive(base, &filter, &mut people).await?;
        let mut kept = Vec::new();
        for mut person in people {
            let Some(listed) = query.listed else {
                self.without_lapsed_lock(&mut person).await?;
                kept.push(person);
                continue;
            };
            // One status both lifts a lapsed lock and decides.
            let status = self.status_of(&person).await?;
            person.account.locked &= status.locked;
            if listed.holds(&status, now) {
                kept.push(person);
            }
        }
        let truncated = cut || kept.len() > limit;
        kept.truncate(limit);
        Ok((kept, truncated))
    }

    /// The dialect's filter for `listed`, with `directory.inactive_filter`
    /// for the disabled.
    async fn listed_filter(&self, listed: Listed, now: OffsetDateTime) -> Result<String, DirectoryError> {
        let default_policy = self.default_policy().await?;
        let filter = self.dialect.listed_filter(listed, &default_policy, now);
        Ok(match (&self.inactive_filter, listed) {
            (Some(inactive), Listed::Disabled) => format!("(|{filter}{inactive})"),
            _ => filter,
        })
    }

    /// The policy of people without one of their own.
    async fn default_policy(&self) -> Result<PolicyFacts, DirectoryError> {
        self.policy_of(&AccountFacts::default()).await
    }

    /// `directory.inactive_filter` for many people: one search for those of
    /// them it matches, instead of one per person.
    async fn mark_inactive(
        &self,
        base: &Dn,
        filter: &str,
        people: &mut [Person],
    ) -> Result<(), DirectoryError> {
        let Some(inactive) = &self.inactive_filter else { return Ok(()) };
        if people.is_empty() {
            return Ok(());
        }
        let filter = format!("(&{filter}{inactive})");
        let inactive = self.search(base.as_str(), Scope::Subtree, &filter, &["1.1"], 0).await?;
        for person in people.iter_mut() {
            person.account.disabled |= inactive.iter().any(|entry| Dn::new(entry.dn.as_str()) == person.dn);
        }
        Ok(())
    }

    /// `person`'s status now, by the dialect's rules and their policy.
    pub(super) async fn status_of(&self, person: &Person) -> Result<AccountStatus, DirectoryError> {
        let policy = self.policy_for(person).await?;
        Ok(self.dialect.account_status(&person.account, &policy, OffsetDateTime::now_utc()))
    }

    /// The policy that applies to `person`; `PolicyFacts::default()` when
    /// there is none to read, or the service account may not read it.
    pub(super) async fn policy_for(&self, person: &Person) -> Result<PolicyFacts, DirectoryError> {
        self.policy_of(&person.account).await
    }

    /// The policy that applies to an account as its entry reads.
    async fn policy_of(&self, account: &AccountFacts) -> Result<PolicyFacts, DirectoryError> {
        let entry = self.dialect.policy_entry(account, &self.domain_root, self.policy_dn.as_deref());
        let Some(dn) = entry else { return Ok(PolicyFacts::default()) };
        if let Some(facts) = self.policies.get(&dn) {
            return Ok(facts);
        }
        let attributes = self.dialect.policy_attributes();
        let facts = match self.search(&dn, Scope::Base, "(objectClass=*)", attributes, 1).await {
            Ok(found) => match found.first() {
                Some(entry) if !entry.attrs.is_empty() => self.dialect.password_policy(entry),
                _ => PolicyFacts::default(),
            },
            Err(DirectoryError::Unavailable(why)) => return Err(DirectoryError::Unavailable(why)),
            Err(e) => {
                tracing::warn!(policy = %dn, "the password policy could not be read: {e}");
                PolicyFacts::default()
            }
        };
        self.policies.keep(&dn, facts);
        Ok(facts)
    }
}
