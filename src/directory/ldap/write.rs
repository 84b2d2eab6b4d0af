//! How [`LdapDirectory`] writes a password: the must-change check a kind may
//! need first, the dialect's operation, and the retries that cannot apply a
//! password twice.

use std::time::Duration;

use deadpool::managed::Manager;
use ldap3::Scope;
use secrecy::{ExposeSecret, SecretString};

use super::LdapDirectory;
use super::connection::from_result;
use super::pools::{Connection, keep_if_usable};
use crate::directory::attributes::first_value;
use crate::directory::dialects::WriteOperation;
use crate::directory::{DirectoryError, Person, Write};
use crate::dn::Dn;

/// LDAP's noSuchAttribute: a delete of an attribute that is not there.
const NO_SUCH_ATTRIBUTE: u32 = 16;
/// Writes of one password, the first included, before a race is reported.
const MAX_WRITES: u64 = 5;

/// A few milliseconds of spread, so that racing writers do not meet again.
fn rand_jitter() -> u8 {
    uuid::Uuid::new_v4().as_bytes()[0]
}

impl LdapDirectory {
    /// Where the directory's policy, not the write, decides whether a
    /// password set by someone else must be changed: refuses a temporary
    /// password the policy would not oblige the person to change, before
    /// anything is written. An unreadable setting counts as off.
    pub(super) async fn check_must_change(&self, person: &Person) -> Result<(), DirectoryError> {
        let Some(setting) = self.dialect.must_change_setting(&person.account) else {
            return Ok(());
        };
        let entries =
            self.search(&setting.entry, Scope::Base, "(objectClass=*)", &[setting.attribute], 1).await?;
        let on = entries
            .first()
            .and_then(|e| first_value(e, setting.attribute))
            .is_some_and(|v| v.eq_ignore_ascii_case("on"));
        if on {
            Ok(())
        } else {
            Err(DirectoryError::CannotBeTemporary { entry: setting.entry, attribute: setting.attribute })
        }
    }

    /// A password written on `ldap` (the admin's, or the service account's),
    /// one write of an entry at a time.
    pub(super) async fn write_password<M: Manager<Type = ldap3::Ldap>>(
        &self,
        ldap: Connection<M>,
        person: &Person,
        password: &SecretString,
        write: Write,
    ) -> Result<(), DirectoryError> {
        if write.temporary {
            self.check_must_change(person).await?;
        }
        let _turn = self.write_turns.take(&person.dn).await;
        self.write(ldap, &person.dn, password, write).await
    }

    /// The dialect's write on `ldap`; the connection is dropped if the
    /// exchange broke, so an answer still in flight is never read as another's.
    pub(super) async fn write<M: Manager<Type = ldap3::Ldap>>(
        &self,
        mut ldap: Connection<M>,
        dn: &Dn,
        password: &SecretString,
        write: Write,
    ) -> Result<(), DirectoryError> {
        let mut write = write;
        let mut result = self.write_once(&mut ldap, dn, password, write).await;
        // Each retry below follows a refusal of the whole operation (LDAP
        // modifies are atomic): nothing was applied, so a retry cannot apply
        // a password twice.
        for attempt in 1..MAX_WRITES {
            match &result {
                // The lock this write deletes is already gone: another
                // process unlocked the account since it was read.
                Ok(answer) if write.unlock && answer.rc == NO_SUCH_ATTRIBUTE => write.unlock = false,
                // Another process wrote the entry in between.
                Ok(answer) if self.dialect.raced(answer) => {
                    let spread = 5 * attempt + u64::from(rand_jitter()) % (20 * attempt);
                    tokio::time::sleep(Duration::from_millis(spread)).await;
                }
                _ => break,
            }
            result = self.write_once(&mut ldap, dn, password, write).await;
        }
        keep_if_usable(ldap, result.as_ref().err());
        let result = result?;
        if result.rc == 0 {
            return Ok(());
        }
        match self.dialect.write_refusal(&result) {
            Some(reason) => Err(DirectoryError::PasswordRejected(reason)),
            None => Err(from_result("modify", result.rc, &result.text)),
        }
    }

    async fn write_once(
        &self,
        ldap: &mut ldap3::Ldap,
        dn: &Dn,
        password: &SecretString,
        write: Write,
    ) -> Result<ldap3::LdapResult, DirectoryError> {
        let planned = self.dialect.password_write(password, write);
        let ldap = ldap.with_controls(planned.controls);
        match planned.operation {
            WriteOperation::Modify(mods) => {
                self.connector.timed("modify", ldap.modify(dn.as_str(), mods)).await
            }
            WriteOperation::PasswordModify => {
                let exop = ldap3::exop::PasswordModify {
                    user_id: Some(dn.as_str()),
                    old_pass: None,
                    new_pass: Some(password.expose_secret()),
                };
                self.connector.timed("password modify", ldap.extended(exop)).await.map(|answer| answer.1)
            }
        }
    }
}
