//! How [`LdapDirectory`] unlocks, disables and enables an account: the
//! dialect plans the modify from the entry as read; a modify that lost a
//! race with another change of the entry (LDAP modifies are atomic: nothing
//! was applied) is planned again from the entry as it is then.

use std::time::Duration;

use deadpool::managed::Manager;
use ldap3::Scope;
use time::OffsetDateTime;

use super::LdapDirectory;
use super::connection::from_result;
use super::pools::{Connection, keep_if_usable};
use crate::directory::dialects::{AccountFacts, ChangePlan};
use crate::directory::{AccountChange, DirectoryError, Person};

/// Plans of one change, the first included, before a race is reported.
const MAX_PLANS: u64 = 5;

impl LdapDirectory {
    /// `true` when something was written.
    pub(super) async fn change<M: Manager<Type = ldap3::Ldap>>(
        &self,
        mut ldap: Connection<M>,
        person: &Person,
        change: AccountChange,
    ) -> Result<bool, DirectoryError> {
        if change == AccountChange::Enable && self.matches_inactive_filter(person).await? {
            return Err(DirectoryError::Unchangeable("the person matches directory.inactive_filter"));
        }
        let _turn = self.write_turns.take(&person.dn).await;
        let mut account = person.account.clone();
        let mut outcome = Err(DirectoryError::Other(format!("{} kept racing", change.as_str())));
        for attempt in 1..=MAX_PLANS {
            let mods = match self.dialect.account_change(change, &account, OffsetDateTime::now_utc()) {
                ChangePlan::AlreadySo => {
                    outcome = Ok(false);
                    break;
                }
                ChangePlan::Beyond(why) => {
                    outcome = Err(DirectoryError::Unchangeable(why));
                    break;
                }
                ChangePlan::Modify(mods) => mods,
            };
            let answer = self.connector.timed("modify", ldap.modify(person.dn.as_str(), mods)).await;
            match answer {
                Ok(result) if result.rc == 0 => outcome = Ok(true),
                Ok(result) if self.dialect.change_raced(&result) && attempt < MAX_PLANS => {
                    tokio::time::sleep(Duration::from_millis(5 * attempt)).await;
                    match self.account_as_it_is(&person.dn.to_string()).await {
                        Ok(Some(fresh)) => {
                            account = fresh;
                            continue;
                        }
                        Ok(None) => outcome = Err(DirectoryError::Other("the entry went away".into())),
                        Err(e) => outcome = Err(e),
                    }
                }
                Ok(result) => {
                    outcome =
                        Err(refusal(result.rc)
                            .unwrap_or_else(|| from_result("modify", result.rc, &result.text)))
                }
                Err(e) => outcome = Err(e),
            }
            break;
        }
        keep_if_usable(ldap, outcome.as_ref().err());
        outcome
    }

    async fn matches_inactive_filter(&self, person: &Person) -> Result<bool, DirectoryError> {
        let Some(filter) = &self.inactive_filter else { return Ok(false) };
        Ok(!self.search(person.dn.as_str(), Scope::Base, filter, &["1.1"], 1).await?.is_empty())
    }

    /// The account's facts read again, as the service account sees them.
    async fn account_as_it_is(&self, dn: &str) -> Result<Option<AccountFacts>, DirectoryError> {
        let attrs = self.person_attributes();
        let entries = self.search(dn, Scope::Base, "(objectClass=*)", &attrs, 1).await?;
        let Some(entry) = entries.into_iter().next() else { return Ok(None) };
        let mut person = self.person(entry);
        self.without_lapsed_lock(&mut person).await?;
        Ok(Some(person.account))
    }
}

/// A refused change in plain words, when the refusal is the directory's
/// decision rather than a fault.
fn refusal(rc: u32) -> Option<DirectoryError> {
    Some(DirectoryError::ChangeRefused(match rc {
        19 => "the directory's rules forbid it",
        50 => "the account that writes lacks the directory's right to change these attributes",
        53 => "the directory is unwilling to make it",
        _ => return None,
    }))
}
