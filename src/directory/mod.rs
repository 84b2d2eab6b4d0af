//! Everything pwproxy asks of the directory. Searches run on pooled
//! connections bound as the service account; an admin's own bind gets a
//! connection of its own, because every clone of an `ldap3::Ldap` shares one
//! connection and a bind changes the identity of all of them.

mod active_directory;
mod connection;
mod dialect;
pub mod dn;
mod openldap;
mod pools;
mod ppolicy;

use std::collections::HashSet;

use ldap3::{Scope, SearchEntry, SearchOptions};
use secrecy::SecretString;
use uuid::Uuid;

pub use connection::{Connector, counting_exchanges};
use pools::{Connection, ForAdmins, Pool, ServiceAccount, keep_if_usable};

use crate::config::{Attributes, Settings};
use dialect::Dialect;

/// How deep nested groups are followed before the chain is cut off; a
/// cycle is also stopped by remembering every group seen.
const MAX_GROUP_DEPTH: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Not reachable, not answering in time, or busy.
    #[error("directory unavailable: {0}")]
    Unavailable(String),
    /// A refused bind, with the reason when it is not simply a wrong name or
    /// password (an expired, disabled or locked account).
    #[error("invalid credentials")]
    InvalidCredentials(Option<&'static str>),
    /// The directory refused a password; the text is its reason in plain words.
    #[error("password rejected: {0}")]
    PasswordRejected(String),
    #[error("{0}")]
    Other(String),
}

impl DirectoryError {
    /// Failures to exchange messages mean the directory is unavailable;
    /// anything else (a filter that does not parse…) is a defect.
    fn from_transport(what: &str, e: ldap3::LdapError) -> Self {
        use ldap3::LdapError as E;
        match e {
            E::Io { .. }
            | E::OpSend { .. }
            | E::ResultRecv { .. }
            | E::IdScrubSend { .. }
            | E::Timeout { .. }
            | E::EndOfStream
            | E::Rustls { .. } => DirectoryError::Unavailable(format!("{what}: {e}")),
            other => DirectoryError::Other(format!("{what}: {other}")),
        }
    }

    fn from_result(what: &str, rc: u32, text: &str) -> Self {
        match rc {
            // busy, unavailable, other (slapd's answer while shutting down)
            51 | 52 | 80 => DirectoryError::Unavailable(format!("{what}: result {rc} {text}")),
            _ => DirectoryError::Other(format!("{what}: result {rc} {text}")),
        }
    }
}

/// A person found in the directory.
#[derive(Debug, Clone)]
pub struct Person {
    pub dn: String,
    pub username: String,
    pub email: Option<String>,
    /// The id attribute's value, for the audit trail.
    pub id: Option<String>,
    /// Another name the person signs in with (AD's userPrincipalName).
    pub principal_name: Option<String>,
    /// Disabled or locked.
    pub inactive: bool,
    /// Marked by the directory itself as (once) privileged: AD's
    /// `adminCount=1`, when `authorization.protect_privileged` is on.
    pub privileged: bool,
}

/// A person's groups as far as authorization cares.
#[derive(Debug, Default)]
pub struct Groups {
    /// Normalized DNs, nested groups included.
    pub dns: HashSet<String>,
    /// One of them is a built-in privileged group (AD, when
    /// `authorization.protect_privileged` is on).
    pub privileged: bool,
}

/// How a target is named in a request.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Id(&'a Uuid),
    Name(&'a str),
}

/// An admin's own connection, bound as them for this request.
pub struct AdminSession(Connection<ForAdmins>);

/// Who writes a password: the service account, or an admin on the
/// connection they bound with, so that the directory's ACLs and
/// `modifiersName` reflect the real actor.
pub enum Writer {
    Service,
    Admin(AdminSession),
}

pub struct Directory {
    dialect: Dialect,
    connector: Connector,
    service: Pool<ServiceAccount>,
    admins: Pool<ForAdmins>,
    attrs: Attributes,
    users_base: String,
    admins_base: String,
    groups_base: String,
    inactive_filter: Option<String>,
}

impl Directory {
    /// Prepares connections without opening any: pwproxy starts even while
    /// the directory is down, and `/readyz` tells.
    pub fn new(settings: &Settings) -> Result<Self, String> {
        let connector = Connector::new(&settings.ldap)?;
        let service = Pool::service(
            connector.clone(),
            settings.ldap.bind_dn.clone(),
            settings.ldap.bind_password.clone(),
        )?;
        let admins = Pool::admins(connector.clone())?;
        let dir = &settings.directory;
        let inactive_filter = Some(dir.inactive_filter.trim().to_owned()).filter(|f| !f.is_empty());
        Ok(Self {
            dialect: Dialect::new(dir.kind, settings.authorization.protects_privileged(dir.kind)),
            connector,
            service,
            admins,
            attrs: dir.attributes(),
            users_base: dir.users_base_dn.clone(),
            admins_base: dir.admins_base().to_owned(),
            groups_base: dir.groups_base().to_owned(),
            inactive_filter,
        })
    }

    /// Whether the service account can bind and search right now.
    pub async fn ready(&self) -> Result<(), DirectoryError> {
        self.search("", Scope::Base, "(objectClass=*)", &["1.1"], 0).await.map(drop)
    }

    /// A target: under `users_base_dn`, matching `users_filter`.
    pub async fn find_person(&self, lookup: Lookup<'_>) -> Result<Option<Person>, DirectoryError> {
        let assertion = match lookup {
            Lookup::Id(id) => format!("({}={})", self.attrs.id, self.dialect.id_assertion(id)),
            Lookup::Name(name) => self.dialect.name_filter(&self.attrs.username, name),
        };
        let filter = format!("(&{}{assertion})", self.attrs.users_filter);
        let mut person = self.find_one(&self.users_base, &filter).await?;
        if let Lookup::Name(name) = lookup {
            person = person.filter(|p| p.is_named(name));
        }
        // Search results are trusted, but a DN outside the base (a referral
        // target, an alias) is never a target.
        Ok(person.filter(|p| dn::is_within(&p.dn, &self.users_base)))
    }

    /// An acting admin, by the name they authenticate with.
    pub async fn find_admin(&self, username: &str) -> Result<Option<Person>, DirectoryError> {
        let filter = self.dialect.name_filter(&self.attrs.username, username);
        Ok(self.find_one(&self.admins_base, &filter).await?.filter(|p| p.is_named(username)))
    }

    async fn find_one(&self, base: &str, filter: &str) -> Result<Option<Person>, DirectoryError> {
        let mut attrs = vec![self.attrs.username.as_str(), self.attrs.id.as_str(), "mail"];
        attrs.extend_from_slice(self.dialect.account_attributes());
        // Two are enough to tell "one" from "ambiguous".
        let mut entries = self.search(base, Scope::Subtree, filter, &attrs, 2).await?;
        if entries.len() > 1 {
            return Err(DirectoryError::Other(format!(
                "{} entries match one person under {base}; names and ids must be unique",
                entries.len()
            )));
        }
        let Some(entry) = entries.pop() else {
            return Ok(None);
        };
        let dialect::AccountState { mut inactive, privileged, id, principal_name } =
            self.dialect.account_state(&entry, &self.attrs.id);
        if !inactive && let Some(inactive_filter) = &self.inactive_filter {
            inactive = !self.search(&entry.dn, Scope::Base, inactive_filter, &["1.1"], 1).await?.is_empty();
        }
        Ok(Some(Person {
            username: first_value(&entry, &self.attrs.username).unwrap_or_default(),
            email: first_value(&entry, "mail"),
            principal_name,
            id,
            inactive,
            privileged,
            dn: entry.dn,
        }))
    }

    /// The groups `dn` belongs to, directly or through nested groups.
    ///
    /// Active Directory follows nesting itself: one search. OpenLDAP has no
    /// such rule: the walk goes up one level per search, stops at cycles,
    /// and stops early once it has met any of the `decisive` groups, since
    /// the caller only needs to know whether one of those is among them.
    pub async fn groups_of(&self, dn: &str, decisive: &HashSet<String>) -> Result<Groups, DirectoryError> {
        let mut groups = Groups::default();
        let mut frontier = vec![dn.to_owned()];
        for _ in 0..MAX_GROUP_DEPTH {
            let filter = self.dialect.groups_filter(&frontier);
            let attrs = self.dialect.group_attributes();
            let found = self.search(&self.groups_base, Scope::Subtree, &filter, attrs, 0).await?;
            groups.privileged |= found.iter().any(|g| self.dialect.is_privileged_group(g));
            frontier =
                found.into_iter().map(|g| g.dn).filter(|g| groups.dns.insert(dn::normalize(g))).collect();
            if self.dialect.follows_nesting() || frontier.is_empty() || !groups.dns.is_disjoint(decisive) {
                break;
            }
        }
        Ok(groups)
    }

    /// Verifies `password` by binding as `dn` on a connection of its own,
    /// which is returned for writing as that person.
    pub async fn bind_as(&self, dn: &str, password: &SecretString) -> Result<AdminSession, DirectoryError> {
        let mut ldap = self.admins.get().await?;
        match self.connector.bind(&mut ldap, dn, password).await {
            Ok(()) => Ok(AdminSession(ldap)),
            Err(e) => {
                keep_if_usable(ldap, Some(&e));
                Err(e)
            }
        }
    }

    /// Writes a new password in one modify; never retried, so a password is
    /// written at most once per request.
    pub async fn set_password(
        &self,
        writer: Writer,
        dn: &str,
        password: &SecretString,
        temporary: bool,
    ) -> Result<(), DirectoryError> {
        let mods = self.dialect.password_mods(password, temporary);
        let result = match writer {
            // Returned to its pool still bound as the admin: its next user
            // binds before doing anything with it.
            Writer::Admin(AdminSession(mut ldap)) => {
                let result = self.modify(&mut ldap, dn, mods).await;
                keep_if_usable(ldap, result.as_ref().err());
                result?
            }
            Writer::Service => {
                let mut ldap = self.service.get().await?;
                let result = self.modify(&mut ldap, dn, mods).await;
                keep_if_usable(ldap, result.as_ref().err());
                result?
            }
        };
        if result.rc == 0 {
            return Ok(());
        }
        let ppolicy_error = result
            .ctrls
            .iter()
            .find(|c| c.1.ctype == ppolicy::OID)
            .and_then(|c| c.1.val.as_deref())
            .and_then(ppolicy::error_code);
        match self.dialect.rejection(result.rc, &result.text, ppolicy_error) {
            Some(reason) => Err(DirectoryError::PasswordRejected(reason)),
            None => Err(DirectoryError::from_result("modify", result.rc, &result.text)),
        }
    }

    /// A modify with the password-policy request control, which OpenLDAP
    /// answers with the precise reason of a refusal (AD ignores it).
    async fn modify(
        &self,
        ldap: &mut ldap3::Ldap,
        dn: &str,
        mods: Vec<ldap3::Mod<Vec<u8>>>,
    ) -> Result<ldap3::LdapResult, DirectoryError> {
        self.connector.timed("modify", ldap.with_controls(ppolicy::request()).modify(dn, mods)).await
    }

    /// A search on a service connection; referrals are skipped, a missing
    /// base is an empty answer. `limit` 0 means the server's own limit.
    async fn search(
        &self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        limit: i32,
    ) -> Result<Vec<SearchEntry>, DirectoryError> {
        let mut ldap = self.service.get().await?;
        let result = self
            .connector
            .timed(
                "search",
                ldap.with_search_options(SearchOptions::new().sizelimit(limit))
                    .search(base, scope, filter, attrs),
            )
            .await;
        keep_if_usable(ldap, result.as_ref().err());
        let ldap3::SearchResult(entries, outcome) = result?;
        match outcome.rc {
            // success, size limit exceeded (the entries are still there)
            0 | 4 => {}
            // no such object: the base does not exist, so nothing is below it
            32 => return Ok(Vec::new()),
            rc => return Err(DirectoryError::from_result("search", rc, &outcome.text)),
        }
        Ok(entries.into_iter().filter(|e| !e.is_ref()).map(SearchEntry::construct).collect())
    }
}

impl Person {
    /// The directory's matching rules fold more than letter case (full-width
    /// letters, surrounding spaces); a person is only taken as the one asked
    /// for when `name` is one of their names, in any letter case.
    fn is_named(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.username.to_lowercase() == name
            || self.principal_name.as_ref().is_some_and(|p| p.to_lowercase() == name)
    }
}

/// First value of a binary attribute (ldap3 files a value that happens to be
/// valid UTF-8 among the text ones).
fn first_bytes(entry: &SearchEntry, attribute: &str) -> Option<Vec<u8>> {
    let matches = |name: &String| name.eq_ignore_ascii_case(attribute);
    entry
        .bin_attrs
        .iter()
        .find(|(name, _)| matches(name))
        .and_then(|(_, values)| values.first().cloned())
        .or_else(|| first_value(entry, attribute).map(String::into_bytes))
}

fn first_value(entry: &SearchEntry, attribute: &str) -> Option<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .and_then(|(_, values)| values.first().cloned())
}
