//! Looking people up: a bounded, escaped prefix search, and a person's
//! status from their entry and the password policy that applies to them,
//! which is read once and kept for a minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ldap3::{Scope, ldap_escape};
use time::OffsetDateTime;

use super::LdapDirectory;
use crate::directory::{AccountStatus, DirectoryError, Person, PolicyFacts};
use crate::dn::Dn;

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
    /// mail starts with `text`; at most `limit`, and whether more matched.
    /// `text` is escaped: it is never part of the filter's structure.
    pub(super) async fn people_starting_with(
        &self,
        base: &Dn,
        filter: Option<&str>,
        text: &str,
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
        let text = ldap_escape(text);
        let attributes =
            [self.username_attribute.as_str(), "cn", "displayName", "givenName", "sn", &self.mail_attribute];
        let starts: String = attributes.iter().map(|attribute| format!("({attribute}={text}*)")).collect();
        let filter = format!("(&{}{}(|{starts}))", self.users_filter, filter.unwrap_or_default());
        // One more than asked tells whether more matched.
        let wanted = i32::try_from(limit + 1).unwrap_or(i32::MAX);
        let (entries, cut) = self
            .search_with(None, base.as_str(), Scope::Subtree, &filter, &self.person_attributes(), wanted)
            .await?;
        let truncated = cut || entries.len() > limit;
        let mut people: Vec<Person> = entries
            .into_iter()
            .map(|entry| self.person(entry))
            .filter(|p| p.dn.is_within(&self.users_base))
            .take(limit)
            .collect();
        self.mark_inactive(base, &filter, &mut people).await?;
        for person in &mut people {
            self.without_lapsed_lock(person).await?;
        }
        Ok((people, truncated))
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
        let entry = self.dialect.policy_entry(&person.account, &self.domain_root, self.policy_dn.as_deref());
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
