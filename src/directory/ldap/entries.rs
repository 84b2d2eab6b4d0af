//! People's entries read into [`Person`]s: what is read of a person, and
//! finding one by name or id under the users' base and filter.

use ldap3::{Scope, SearchEntry};

use super::LdapDirectory;
use super::member_of::MEMBER_OF;
use super::search::one_of;
use crate::directory::attributes::{all_values, first_value};
use crate::directory::{DirectoryError, Lookup, Person};
use crate::dn::Dn;

impl LdapDirectory {
    /// What is read of a person.
    pub(super) fn person_attributes(&self) -> Vec<&str> {
        let mut attrs = vec![
            self.username_attribute.as_str(),
            self.id_attribute.as_str(),
            &self.mail_attribute,
            "displayName",
            "cn",
        ];
        attrs.extend_from_slice(self.dialect.account_attributes());
        attrs.extend(self.context_attributes.iter().map(String::as_str));
        if self.member_of.is_some() {
            attrs.push(MEMBER_OF);
        }
        attrs
    }

    /// A person from their entry (before `directory.inactive_filter`).
    pub(super) fn person(&self, entry: SearchEntry) -> Person {
        let account = self.dialect.account_facts(&entry, &self.id_attribute);
        let context = self.context_attributes.iter().flat_map(|name| all_values(&entry, name)).collect();
        // The overlay's and plug-in's groups outside groups_base are not
        // walked either.
        let direct_groups = self.reads_member_of().then(|| {
            all_values(&entry, MEMBER_OF)
                .into_iter()
                .map(Dn::new)
                .filter(|g| g.is_within(&self.groups_base))
                .collect()
        });
        Person {
            direct_groups,
            username: first_value(&entry, &self.username_attribute).unwrap_or_default(),
            email: first_value(&entry, &self.mail_attribute),
            display_name: first_value(&entry, "displayName").or_else(|| first_value(&entry, "cn")),
            account,
            context,
            dn: Dn::new(entry.dn),
        }
    }

    /// `directory.inactive_filter`, asked of the person's entry. Checked for a
    /// locked account too: an unlock must not re-enable a disabled one.
    pub(super) async fn with_inactive_filter(&self, mut person: Person) -> Result<Person, DirectoryError> {
        if !person.account.disabled
            && let Some(inactive_filter) = &self.inactive_filter
        {
            person.account.disabled =
                !self.search(person.dn.as_str(), Scope::Base, inactive_filter, &["1.1"], 1).await?.is_empty();
        }
        Ok(person)
    }

    /// A timed lock the policy has let run out is no lock: the directory
    /// lifts it at the person's next bind (OpenLDAP keeps
    /// `pwdAccountLockedTime` until then), as their status says. Asked only
    /// of someone whose entry shows a lock.
    pub(super) async fn without_lapsed_lock(&self, person: &mut Person) -> Result<(), DirectoryError> {
        if person.account.locked {
            person.account.locked = self.status_of(person).await?.locked;
        }
        Ok(())
    }

    /// `person`, if any, with `directory.inactive_filter` asked and a lapsed
    /// lock lifted.
    pub(super) async fn checked(&self, person: Option<Person>) -> Result<Option<Person>, DirectoryError> {
        let Some(person) = person else { return Ok(None) };
        let mut person = self.with_inactive_filter(person).await?;
        self.without_lapsed_lock(&mut person).await?;
        Ok(Some(person))
    }

    pub(super) async fn find_one(&self, base: &Dn, filter: &str) -> Result<Option<Person>, DirectoryError> {
        // Two are enough to tell "one" from "ambiguous".
        let entries =
            self.search(base.as_str(), Scope::Subtree, filter, &self.person_attributes(), 2).await?;
        let entry = one_of(entries, base)?;
        self.checked(entry.map(|entry| self.person(entry))).await
    }

    /// The `users_filter` and the id or name of a target.
    pub(super) fn target_filter(&self, lookup: Lookup<'_>) -> String {
        let assertion = match lookup {
            Lookup::Id(id) => format!("({}={})", self.id_attribute, self.dialect.id_assertion(id)),
            Lookup::Name(name) => self.dialect.name_filter(&self.username_attribute, name),
        };
        format!("(&{}{assertion})", self.users_filter)
    }

    /// A target: under `users_base_dn`, matching `users_filter`.
    pub(super) async fn find_person(&self, lookup: Lookup<'_>) -> Result<Option<Person>, DirectoryError> {
        let mut person = self.find_one(&self.users_base, &self.target_filter(lookup)).await?;
        if let Lookup::Name(name) = lookup {
            person = person.filter(|p| p.is_named(name));
        }
        // Search results are trusted, but a DN outside the base (a referral
        // target, an alias) is never a target.
        Ok(person.filter(|p| p.dn.is_within(&self.users_base)))
    }
}
