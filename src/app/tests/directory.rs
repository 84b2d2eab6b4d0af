//! The small in-memory directory the use case's tests run over: people,
//! their passwords and groups, and a record of what was asked and written.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

use super::PASSWORD;
use crate::directory::{
    AccountChange, AccountFacts, DirectoryError, Groups, Listed, Lookup, PeopleQuery, Person, Write, Writer,
};
use crate::dn::Dn;

/// People by name, their passwords and direct groups; what was asked and
/// written is recorded.
#[derive(Default)]
pub(crate) struct Directory {
    pub(super) people: HashMap<String, (Person, String, Vec<&'static str>)>,
    pub(super) asked: Mutex<Vec<&'static str>>,
    pub(super) written: Mutex<Vec<(String, Write, Option<String>)>>,
    /// The passwords written, in order.
    pub(super) passwords: Mutex<Vec<String>>,
    /// The account changes written: DN and change.
    pub(super) changes: Mutex<Vec<(String, AccountChange)>>,
    pub(super) refusal: Option<String>,
    /// Which (DN, filter) pairs match.
    pub(super) matching: Vec<(String, &'static str)>,
    /// Group searches fail as if the directory had gone.
    pub(super) walks_fail: bool,
}

impl Directory {
    pub(super) fn with(self, name: &str, groups: &[&'static str], account: AccountFacts) -> Self {
        self.with_person(name, &format!("uid={name},dc=x"), groups, account)
    }

    pub(super) fn with_dn(self, name: &str, dn: &str, account: AccountFacts) -> Self {
        self.with_person(name, dn, &[], account)
    }

    fn with_person(
        mut self,
        name: &str,
        dn: &str,
        groups: &[&'static str],
        mut account: AccountFacts,
    ) -> Self {
        // An id of each person's own, as a directory's entryUUID.
        account.id.get_or_insert_with(|| format!("00000000-0000-4000-8000-{:012}", self.people.len() + 1));
        let person = Person {
            dn: Dn::new(dn),
            username: name.into(),
            email: None,
            display_name: None,
            account,
            context: Vec::new(),
            direct_groups: None,
        };
        self.people.insert(name.into(), (person, PASSWORD.into(), groups.to_vec()));
        self
    }

    fn ask(&self, what: &'static str) {
        self.asked.lock().unwrap().push(what);
    }
}

impl crate::directory::Directory for Directory {
    /// The DN of whoever bound.
    type Session = String;

    async fn ready(&self) -> Result<(), DirectoryError> {
        Ok(())
    }

    async fn find_admin(&self, username: &str) -> Result<Option<Person>, DirectoryError> {
        self.ask("find_admin");
        Ok(self.people.get(username).map(|(p, _, _)| p.clone()))
    }

    async fn find_admin_and_person(
        &self,
        username: &str,
        lookup: Lookup<'_>,
    ) -> Result<(Option<Person>, Option<Person>), DirectoryError> {
        let admin = self.find_admin(username).await?;
        Ok((admin, self.find_person(lookup).await?))
    }

    async fn find_person(&self, lookup: Lookup<'_>) -> Result<Option<Person>, DirectoryError> {
        self.ask("find_person");
        let found = match lookup {
            Lookup::Name(name) => self.people.get(name),
            Lookup::Id(id) => {
                let id = id.to_string();
                self.people.values().find(|(p, _, _)| p.account.id.as_deref() == Some(id.as_str()))
            }
        };
        Ok(found.map(|(p, _, _)| p.clone()))
    }

    async fn groups_of_both(
        &self,
        first: (&Person, &HashSet<Dn>),
        second: (&Person, &HashSet<Dn>),
    ) -> Result<(Groups, Groups), DirectoryError> {
        Ok((self.groups_of(first.0, first.1).await?, self.groups_of(second.0, second.1).await?))
    }

    async fn groups_of(&self, person: &Person, _: &HashSet<Dn>) -> Result<Groups, DirectoryError> {
        self.ask("groups_of");
        if self.walks_fail {
            return Err(DirectoryError::Unavailable("gone".into()));
        }
        let groups = self.people.values().find(|(p, _, _)| p.dn == person.dn).map(|(_, _, g)| g.clone());
        Ok(Groups { dns: groups.unwrap_or_default().into_iter().map(Dn::from).collect(), privileged: false })
    }

    /// Names starting with the text under `base`, matching `filter` as
    /// `matching` says, locked or disabled as their facts say.
    async fn find_people(
        &self,
        base: &Dn,
        filter: Option<&str>,
        query: PeopleQuery<'_>,
        limit: usize,
    ) -> Result<(Vec<Person>, bool), DirectoryError> {
        self.ask("find_people");
        let mut found: Vec<Person> = self
            .people
            .values()
            .map(|(p, _, _)| p)
            .filter(|p| query.text.is_none_or(|text| p.username.starts_with(text)) && p.dn.is_within(base))
            .filter(|p| match query.listed {
                Some(Listed::Locked) => p.account.locked,
                Some(Listed::Disabled) => p.account.disabled,
                Some(_) => false,
                None => true,
            })
            .filter(|p| {
                filter
                    .is_none_or(|f| self.matching.iter().any(|(d, m)| Dn::new(d.as_str()) == p.dn && *m == f))
            })
            .cloned()
            .collect();
        found.sort_by(|a, b| a.username.cmp(&b.username));
        let truncated = found.len() > limit;
        found.truncate(limit);
        Ok((found, truncated))
    }

    async fn known_rules(&self, _: &Person) -> Result<crate::generate::KnownRules, DirectoryError> {
        self.ask("known_rules");
        Ok(crate::generate::KnownRules { min_length: 16, forbidden: vec!["alice".into()] })
    }

    async fn account_status(
        &self,
        person: &Person,
    ) -> Result<crate::directory::AccountStatus, DirectoryError> {
        self.ask("account_status");
        Ok(crate::directory::AccountStatus {
            disabled: person.account.disabled,
            locked: person.account.locked,
            ..Default::default()
        })
    }

    async fn matches(&self, dn: &Dn, filter: &str) -> Result<bool, DirectoryError> {
        self.ask("matches");
        Ok(self.matching.iter().any(|(d, f)| Dn::new(d.as_str()) == *dn && *f == filter))
    }

    async fn bind_as(&self, dn: &Dn, password: &SecretString) -> Result<String, DirectoryError> {
        self.ask("bind");
        match self.people.values().find(|(p, _, _)| &p.dn == dn) {
            Some((_, right, _)) if right == password.expose_secret() => Ok(dn.to_string()),
            _ => Err(DirectoryError::InvalidCredentials(None)),
        }
    }

    async fn set_password(
        &self,
        writer: Writer<String>,
        person: &Person,
        password: &SecretString,
        write: Write,
    ) -> Result<(), DirectoryError> {
        let dn = &person.dn;
        self.ask("write");
        if let Some(reason) = &self.refusal {
            return Err(DirectoryError::PasswordRejected(reason.clone()));
        }
        let by = match writer {
            Writer::Admin(session) => Some(session),
            Writer::Service => None,
        };
        self.written.lock().unwrap().push((dn.to_string(), write, by));
        self.passwords.lock().unwrap().push(password.expose_secret().to_owned());
        Ok(())
    }

    /// Written only when the person is not so already, as the dialects plan.
    async fn change_account(
        &self,
        _: Writer<String>,
        person: &Person,
        change: AccountChange,
    ) -> Result<bool, DirectoryError> {
        self.ask("change");
        let account = &person.account;
        let to_do = match change {
            AccountChange::Unlock => account.locked,
            AccountChange::Disable => !account.disabled,
            AccountChange::Enable => account.disabled,
        };
        if to_do {
            self.changes.lock().unwrap().push((person.dn.to_string(), change));
        }
        Ok(to_do)
    }
}
