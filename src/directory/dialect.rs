//! The one place that decides which directory's ways apply. Everything that
//! differs between OpenLDAP and Active Directory is asked of a `Dialect`,
//! which hands over to [`openldap`] or [`active_directory`].

use ldap3::{Mod, SearchEntry, ldap_escape};
use secrecy::SecretString;
use uuid::Uuid;

use super::{active_directory, first_bytes, first_value, openldap};
use crate::config::DirectoryKind;

#[derive(Debug, Clone, Copy)]
pub enum Dialect {
    OpenLdap,
    /// `protect_privileged`: treat AD's built-in admin groups and
    /// `adminCount=1` accounts as protected.
    ActiveDirectory {
        protect_privileged: bool,
    },
}

/// What a person's entry says about their account.
pub struct AccountState {
    pub inactive: bool,
    pub privileged: bool,
    /// The id attribute in its usual text form.
    pub id: Option<String>,
    /// Another name the person signs in with (AD's userPrincipalName).
    pub principal_name: Option<String>,
}

impl Dialect {
    pub fn new(kind: DirectoryKind, protect_privileged: bool) -> Self {
        match kind {
            DirectoryKind::Openldap => Dialect::OpenLdap,
            DirectoryKind::ActiveDirectory => Dialect::ActiveDirectory { protect_privileged },
        }
    }

    /// The value to match the id attribute against, escaped for a filter.
    pub fn id_assertion(self, id: &Uuid) -> String {
        match self {
            Dialect::OpenLdap => openldap::id_assertion(id),
            Dialect::ActiveDirectory { .. } => active_directory::id_assertion(id),
        }
    }

    /// A person by the name they are known by.
    pub fn name_filter(self, username_attribute: &str, name: &str) -> String {
        match self {
            Dialect::OpenLdap => format!("({username_attribute}={})", ldap_escape(name)),
            Dialect::ActiveDirectory { .. } => active_directory::name_filter(username_attribute, name),
        }
    }

    /// Attributes to read on a person besides their name, id and mail.
    pub fn account_attributes(self) -> &'static [&'static str] {
        match self {
            Dialect::OpenLdap => &[openldap::LOCK_ATTRIBUTE],
            Dialect::ActiveDirectory { .. } => &[
                active_directory::UPN,
                active_directory::ACCOUNT_CONTROL,
                active_directory::COMPUTED_ACCOUNT_CONTROL,
                active_directory::ADMIN_COUNT,
            ],
        }
    }

    pub fn account_state(self, entry: &SearchEntry, id_attribute: &str) -> AccountState {
        match self {
            Dialect::OpenLdap => AccountState {
                inactive: openldap::is_locked(entry),
                privileged: false,
                id: first_value(entry, id_attribute),
                principal_name: None,
            },
            Dialect::ActiveDirectory { protect_privileged } => AccountState {
                inactive: active_directory::is_inactive(entry),
                privileged: protect_privileged && active_directory::is_marked_privileged(entry),
                id: first_bytes(entry, id_attribute).and_then(|raw| active_directory::id_display(&raw)),
                principal_name: first_value(entry, active_directory::UPN),
            },
        }
    }

    /// Groups to look for next, given the DNs (people or groups) whose
    /// groups are wanted. AD answers with every group, nested ones included;
    /// OpenLDAP only with the groups listing them directly.
    pub fn groups_filter(self, members: &[String]) -> String {
        match self {
            Dialect::OpenLdap => openldap::direct_groups_filter(members.iter()),
            Dialect::ActiveDirectory { .. } => {
                let any: String = members.iter().map(|dn| active_directory::groups_filter(dn)).collect();
                format!("(|{any})")
            }
        }
    }

    /// Whether one groups search already answers with the nested groups.
    pub fn follows_nesting(self) -> bool {
        matches!(self, Dialect::ActiveDirectory { .. })
    }

    pub fn group_attributes(self) -> &'static [&'static str] {
        match self {
            Dialect::OpenLdap => &["1.1"],
            Dialect::ActiveDirectory { .. } => &["objectSid"],
        }
    }

    /// A group whose members the directory itself treats as privileged.
    pub fn is_privileged_group(self, group: &SearchEntry) -> bool {
        match self {
            Dialect::OpenLdap | Dialect::ActiveDirectory { protect_privileged: false } => false,
            Dialect::ActiveDirectory { protect_privileged: true } => {
                first_bytes(group, "objectSid").is_some_and(|sid| active_directory::is_privileged_group(&sid))
            }
        }
    }

    pub fn password_mods(self, password: &SecretString, temporary: bool) -> Vec<Mod<Vec<u8>>> {
        match self {
            Dialect::OpenLdap => openldap::password_mods(password, temporary),
            Dialect::ActiveDirectory { .. } => active_directory::password_mods(password, temporary),
        }
    }

    /// A refused password write in plain words, or `None` when the refusal
    /// is not about the password.
    pub fn rejection(self, rc: u32, text: &str, ppolicy_error: Option<u64>) -> Option<String> {
        match self {
            Dialect::OpenLdap => openldap::rejection(rc, text, ppolicy_error),
            Dialect::ActiveDirectory { .. } => active_directory::rejection(rc, text),
        }
    }
}
