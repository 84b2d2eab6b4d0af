//! [`Directory`] over LDAP. Searches run on pooled connections bound as the
//! service account; an admin's own bind gets a connection of its own, because
//! every clone of an `ldap3::Ldap` shares one connection and a bind changes
//! the identity of all of them. What differs between directory kinds is
//! asked of the [`Dialect`].

use std::collections::HashSet;
use std::sync::Arc;

use ldap3::Scope;
use secrecy::SecretString;

mod account_changes;
mod certificate;
mod connection;
mod entries;
mod findings;
mod member_of;
mod people;
mod pools;
mod probe;
mod rights;
mod search;
mod together;
mod write;
mod write_turns;

pub use connection::{Connector, counting_exchanges, trust_only};
pub use member_of::{Agreement, Discrepancy};
pub use probe::{Finding, Status, probe};

use super::dialects::{BindOutcome, WalkedGroups};
use super::{
    AccountChange, AccountStatus, Dialect, Directory, DirectoryError, Groups, Lookup, PeopleQuery, Person,
    Write, Writer,
};
use member_of::Proven;
use pools::{Connection, ForAdmins, Pool, ServiceAccount, keep_if_usable};
use write_turns::WriteTurns;

use crate::config::{DirectorySettings, LdapSettings, Membership};
use crate::dn::Dn;
use crate::generate::KnownRules;
use crate::metrics::Metrics;

/// How deep nested groups are followed before the chain is cut off; a
/// cycle is also stopped by remembering every group seen.
pub(super) const MAX_GROUP_DEPTH: usize = 16;

/// An admin's own connection, bound as them for this request.
pub struct AdminSession(Connection<ForAdmins>);

pub struct LdapDirectory {
    pub(super) dialect: &'static dyn Dialect,
    pub(super) connector: Connector,
    pub(super) service: Pool<ServiceAccount>,
    admins: Pool<ForAdmins>,
    pub(super) users_filter: String,
    pub(super) username_attribute: String,
    id_attribute: String,
    pub(super) users_base: Dn,
    pub(super) admins_base: Dn,
    pub(super) groups_base: Dn,
    /// The wider of `admins_base` and `users_base` when one holds the other:
    /// where one search finds the admin and the target together.
    pub(super) both_base: Option<Dn>,
    pub(super) inactive_filter: Option<String>,
    /// Where a person's mail address is read (`notify.mail_attribute`).
    pub(super) mail_attribute: String,
    /// Read with every person for the password policy.
    context_attributes: Vec<String>,
    /// Writes take turns per entry and share a few slots.
    write_turns: WriteTurns,
    /// The groups `memberOf` is read for, with `directory.membership =
    /// "memberof"` on a kind that keeps it.
    member_of: Option<WalkedGroups>,
    /// Whether the last proof found `memberOf` kept.
    member_of_proven: Proven,
    /// `directory.policy_dn`, and the domain object (AD's policy): where a
    /// person's password policy is read for their status.
    policy_dn: Option<String>,
    domain_root: Dn,
    policies: people::Policies,
}

impl LdapDirectory {
    /// Prepares connections without opening any: pwproxy starts even while
    /// the directory is down, and `/readyz` tells.
    pub fn new(
        ldap: &LdapSettings,
        directory: &DirectorySettings,
        context_attributes: &[String],
        metrics: Arc<Metrics>,
    ) -> Result<Self, String> {
        let dialect = directory.kind.dialect();
        let connector = Connector::new(ldap, dialect)?.observed_by(metrics);
        let service = Pool::service(connector.clone(), ldap.bind_dn.clone(), ldap.bind_password.clone())?;
        let admins = Pool::admins(connector.clone())?;
        let inactive_filter = Some(directory.inactive_filter.trim().to_owned()).filter(|f| !f.is_empty());
        let users_base = Dn::new(directory.users_base_dn.trim());
        let admins_base = directory.admins_base();
        let both_base = if users_base.is_within(&admins_base) {
            Some(admins_base.clone())
        } else if admins_base.is_within(&users_base) {
            Some(users_base.clone())
        } else {
            None
        };
        Ok(Self {
            dialect,
            connector,
            service,
            admins,
            users_filter: directory.users_filter().to_owned(),
            username_attribute: directory.username_attribute().to_owned(),
            id_attribute: directory.id_attribute().to_owned(),
            domain_root: users_base.domain_root(),
            users_base,
            admins_base,
            groups_base: directory.groups_base(),
            both_base,
            inactive_filter,
            mail_attribute: "mail".into(),
            context_attributes: context_attributes.to_vec(),
            write_turns: WriteTurns::new(ldap.max_concurrent_writes),
            member_of: match directory.membership {
                Membership::Member => None,
                Membership::MemberOf => dialect.memberof_groups(),
            },
            member_of_proven: Proven::default(),
            policy_dn: directory
                .policy_dn
                .as_deref()
                .map(str::trim)
                .filter(|dn| !dn.is_empty())
                .map(str::to_owned),
            policies: people::Policies::default(),
        })
    }

    /// Read people's mail address from `attribute` instead of `mail`.
    pub fn with_mail_attribute(mut self, attribute: &str) -> Self {
        attribute.trim().clone_into(&mut self.mail_attribute);
        self
    }

    /// The two pools' connections now, for the metrics.
    pub fn pools(&self) -> [(&'static str, deadpool::managed::Status); 2] {
        [("service", self.service.status()), ("admins", self.admins.status())]
    }

    /// Asks whether the directory keeps `memberOf` for every group pwproxy
    /// walks, and reads it from now on only if so; `None` when
    /// `directory.membership` does not ask for `memberOf`.
    pub async fn prove_member_of(&self) -> Option<Result<Result<Agreement, Discrepancy>, DirectoryError>> {
        let walked = self.member_of?;
        let proof = async {
            let mut ldap = self.service.get().await?;
            // Only the people it looks up have their memberOf read.
            let people = [&self.users_base, &self.admins_base];
            let proof =
                member_of::prove(&self.connector, &mut ldap, walked, &self.groups_base, &people).await;
            keep_if_usable(ldap, proof.as_ref().err());
            proof
        };
        let proof = proof.await;
        // Unanswered: as it was.
        if let Ok(agreement) = &proof {
            self.member_of_proven.set(agreement.is_ok());
        }
        Some(proof)
    }

    /// How to make the directory keep `memberOf` (when it is asked for).
    pub fn member_of_fix(&self) -> &'static str {
        self.member_of.map(|walked| walked.fix).unwrap_or_default()
    }

    /// Whether `memberOf` answers for direct groups now.
    pub fn reads_member_of(&self) -> bool {
        self.member_of.is_some() && self.member_of_proven.get()
    }
}

impl Directory for LdapDirectory {
    fn pool_status(&self) -> Vec<(&'static str, deadpool::managed::Status)> {
        self.pools().to_vec()
    }

    type Session = AdminSession;

    async fn ready(&self) -> Result<(), DirectoryError> {
        self.search("", Scope::Base, "(objectClass=*)", &["1.1"], 0).await.map(drop)
    }

    async fn find_admin(&self, username: &str) -> Result<Option<Person>, DirectoryError> {
        let filter = self.dialect.name_filter(&self.username_attribute, username);
        Ok(self.find_one(&self.admins_base, &filter).await?.filter(|p| p.is_named(username)))
    }

    async fn find_person(&self, lookup: Lookup<'_>) -> Result<Option<Person>, DirectoryError> {
        LdapDirectory::find_person(self, lookup).await
    }

    async fn find_admin_and_person(
        &self,
        username: &str,
        lookup: Lookup<'_>,
    ) -> Result<(Option<Person>, Option<Person>), DirectoryError> {
        self.find_both(username, lookup).await
    }

    async fn groups_of(&self, person: &Person, decisive: &HashSet<Dn>) -> Result<Groups, DirectoryError> {
        self.walk_one(person, decisive).await
    }

    async fn groups_of_both(
        &self,
        first: (&Person, &HashSet<Dn>),
        second: (&Person, &HashSet<Dn>),
    ) -> Result<(Groups, Groups), DirectoryError> {
        self.walk_both(first, second).await
    }

    async fn find_people(
        &self,
        base: &Dn,
        filter: Option<&str>,
        query: PeopleQuery<'_>,
        limit: usize,
    ) -> Result<(Vec<Person>, bool), DirectoryError> {
        self.people_matching(base, filter, query, limit).await
    }

    async fn account_status(&self, person: &Person) -> Result<AccountStatus, DirectoryError> {
        self.status_of(person).await
    }

    async fn known_rules(&self, person: &Person) -> Result<KnownRules, DirectoryError> {
        let policy = self.policy_for(person).await?;
        Ok(self.dialect.known_rules(person, &policy))
    }

    /// A base-scoped search on the entry.
    async fn matches(&self, dn: &Dn, filter: &str) -> Result<bool, DirectoryError> {
        Ok(!self.search(dn.as_str(), Scope::Base, filter, &["1.1"], 1).await?.is_empty())
    }

    async fn bind_as(&self, dn: &Dn, password: &SecretString) -> Result<AdminSession, DirectoryError> {
        let mut ldap = self.admins.get().await?;
        let refused = match self.connector.bind(&mut ldap, dn.as_str(), password).await {
            Ok(BindOutcome::Bound) => return Ok(AdminSession(ldap)),
            Ok(BindOutcome::Refused(reason)) => DirectoryError::InvalidCredentials(reason),
            Err(e) => e,
        };
        keep_if_usable(ldap, Some(&refused));
        Err(refused)
    }

    async fn set_password(
        &self,
        writer: Writer<AdminSession>,
        person: &Person,
        password: &SecretString,
        write: Write,
    ) -> Result<(), DirectoryError> {
        match writer {
            // Returned to its pool still bound as the admin: its next user
            // binds before doing anything with it.
            Writer::Admin(AdminSession(ldap)) => self.write_password(ldap, person, password, write).await,
            Writer::Service => self.write_password(self.service.get().await?, person, password, write).await,
        }
    }

    async fn change_account(
        &self,
        writer: Writer<AdminSession>,
        person: &Person,
        change: AccountChange,
    ) -> Result<bool, DirectoryError> {
        match writer {
            Writer::Admin(AdminSession(ldap)) => self.change(ldap, person, change).await,
            Writer::Service => self.change(self.service.get().await?, person, change).await,
        }
    }
}

/// Where a walk starts: at the person, or a level up when their direct
/// groups came with them. `memberOf` is read only on kinds whose groups the
/// directory does not mark as privileged.
pub(super) fn walk_start(person: &Person) -> (Groups, Vec<Dn>) {
    match &person.direct_groups {
        None => (Groups::default(), vec![person.dn.clone()]),
        Some(direct) => (Groups { dns: direct.iter().cloned().collect(), privileged: false }, direct.clone()),
    }
}
