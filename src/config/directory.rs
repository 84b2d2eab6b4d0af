//! `[directory]`: where people, admins and groups are, and the attributes
//! that name them. What is left out takes the directory kind's default.

use serde::Deserialize;

use crate::directory::{DefaultBase, Defaults, DirectoryKind};
use crate::dn::Dn;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorySettings {
    #[serde(default = "default_kind")]
    pub kind: DirectoryKind,
    /// Targets must lie below this DN.
    pub users_base_dn: String,
    /// Where acting admins are looked up by name.
    #[serde(default)]
    pub admins_base_dn: Option<String>,
    /// Where groups are searched when membership is expanded.
    #[serde(default)]
    pub groups_base_dn: Option<String>,
    #[serde(default)]
    pub users_filter: Option<String>,
    #[serde(default)]
    pub username_attribute: Option<String>,
    #[serde(default)]
    pub id_attribute: Option<String>,
    /// Users matching this filter are treated as inactive.
    #[serde(default)]
    pub inactive_filter: String,
    /// Where a person's direct groups are read from.
    #[serde(default)]
    pub membership: Membership,
    /// OpenLDAP: the default password policy entry (the overlay's
    /// `olcPPolicyDefault`, which the service account cannot read in
    /// cn=config), for the status of people without a `pwdPolicySubentry`.
    #[serde(default)]
    pub policy_dn: Option<String>,
}

/// `directory.membership`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// Groups are searched for the person's DN in their member attributes.
    #[default]
    Member,
    /// The person's `memberOf` names their direct groups, read with the
    /// person: one search less per request. Used only while pwproxy has
    /// proven that the directory keeps it for every group it walks;
    /// otherwise the `member` walk answers.
    #[serde(rename = "memberof")]
    MemberOf,
}

fn default_kind() -> DirectoryKind {
    DirectoryKind::Openldap
}

impl DirectorySettings {
    fn defaults(&self) -> Defaults {
        self.kind.dialect().defaults()
    }

    pub fn users_filter(&self) -> &str {
        self.users_filter.as_deref().unwrap_or(self.defaults().users_filter)
    }

    pub fn username_attribute(&self) -> &str {
        self.username_attribute.as_deref().unwrap_or(self.defaults().username_attribute)
    }

    pub fn id_attribute(&self) -> &str {
        self.id_attribute.as_deref().unwrap_or(self.defaults().id_attribute)
    }

    pub fn admins_base(&self) -> Dn {
        self.base(self.admins_base_dn.as_deref(), self.defaults().admins_base)
    }

    pub fn groups_base(&self) -> Dn {
        self.base(self.groups_base_dn.as_deref(), self.defaults().groups_base)
    }

    fn base(&self, configured: Option<&str>, default: DefaultBase) -> Dn {
        if let Some(base) = configured {
            return Dn::new(base.trim());
        }
        let users = Dn::new(self.users_base_dn.trim());
        match default {
            DefaultBase::UsersBase => users,
            DefaultBase::ParentOfUsersBase => users.parent(),
            DefaultBase::DomainRoot => users.domain_root(),
        }
    }
}
