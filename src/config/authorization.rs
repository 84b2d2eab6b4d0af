//! `[authorization]`: who may act, on whom, with which options; the
//! delegation tables and their validation.

use serde::Deserialize;

use super::{ConfigError, DirectoryKind, invalid};
use crate::access::{Allowance, Delegation, Permission};
use crate::dn::Dn;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationSettings {
    /// Groups whose members may reset anyone under `users_base_dn` (unless a
    /// delegation table for the group says otherwise).
    pub admin_groups: Vec<String>,
    #[serde(default)]
    pub protected_groups: Vec<String>,
    /// Groups whose members may read every audit event, and do nothing else
    /// unless they are admins too.
    #[serde(default)]
    pub auditor_groups: Vec<String>,
    /// Admin username for seed-001 calls that name none.
    #[serde(default)]
    pub default_admin: String,
    /// Active Directory: also protect members of the built-in privileged
    /// groups (Domain/Enterprise/Schema Admins, Administrators, Account/
    /// Server/Backup/Print Operators) and accounts with `adminCount=1`,
    /// whatever `protected_groups` says. Default: on for AD.
    #[serde(default)]
    pub protect_privileged: Option<bool>,
    /// `[[authorization.delegation]]` tables.
    #[serde(default)]
    pub delegation: Vec<DelegationSettings>,
}

/// One `[[authorization.delegation]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegationSettings {
    /// Its members are admins whose reach this table limits.
    pub group: String,
    /// Targets lie under one of these; default: `users_base_dn`.
    #[serde(default)]
    pub bases: Vec<String>,
    /// And match this LDAP filter; default: none.
    #[serde(default)]
    pub filter: String,
    #[serde(default = "never")]
    pub unlock: Allowance,
    #[serde(default = "optional")]
    pub must_change: Allowance,
    /// Disable and enable the accounts in reach.
    #[serde(default = "never_permitted")]
    pub disable: Permission,
}

fn never() -> Allowance {
    Allowance::Never
}

fn never_permitted() -> Permission {
    Permission::Never
}

fn optional() -> Allowance {
    Allowance::Optional
}

impl AuthorizationSettings {
    /// Unless set, the directory kind decides.
    pub fn protects_privileged(&self, kind: DirectoryKind) -> bool {
        self.protect_privileged.unwrap_or(kind.dialect().defaults().protect_privileged)
    }

    /// Every admin group's delegation: its table, or all of `users_base_dn`
    /// with the defaults.
    pub fn delegations(&self, users_base_dn: &str) -> Vec<Delegation> {
        let users_base = Dn::new(users_base_dn.trim());
        let tables = self.delegation.iter().map(|table| Delegation {
            group: Dn::new(table.group.trim()),
            bases: match table.bases.as_slice() {
                [] => vec![users_base.clone()],
                bases => bases.iter().map(|b| Dn::new(b.trim())).collect(),
            },
            filter: Some(table.filter.trim().to_owned()).filter(|f| !f.is_empty()),
            unlock: table.unlock,
            must_change: table.must_change,
            disable: table.disable,
        });
        let tabled: Vec<Dn> = self.delegation.iter().map(|t| Dn::new(t.group.trim())).collect();
        let plain = self
            .admin_groups
            .iter()
            .map(|g| Dn::new(g.trim()))
            .filter(|g| !g.is_empty() && !tabled.contains(g))
            .map(|g| Delegation::whole(g, users_base.clone()));
        let mut all: Vec<Delegation> = tables.collect();
        for delegation in plain {
            if !all.iter().any(|d| d.group == delegation.group) {
                all.push(delegation);
            }
        }
        all
    }

    /// Every problem names the key and the fix.
    pub fn validate(&self, users_base_dn: &str) -> Result<(), ConfigError> {
        if self.admin_groups.iter().all(|g| g.trim().is_empty()) && self.delegation.is_empty() {
            return Err(invalid(
                "authorization.admin_groups",
                "missing: list at least one group DN whose members may reset passwords (or add an \
                 [[authorization.delegation]] table)",
            ));
        }
        let users_base = Dn::new(users_base_dn.trim());
        let mut seen: Vec<Dn> = Vec::new();
        for (i, table) in self.delegation.iter().enumerate() {
            let at = |what: &str| format!("table {} (group '{}'): {what}", i + 1, table.group.trim());
            let group = Dn::new(table.group.trim());
            if group.is_empty() {
                return Err(invalid(
                    "authorization.delegation",
                    at("`group` is missing: set the group's DN"),
                ));
            }
            if seen.contains(&group) {
                return Err(invalid(
                    "authorization.delegation",
                    at("the group has two delegation tables: merge them into one"),
                ));
            }
            seen.push(group);
            if let Some(base) = table.bases.iter().find(|b| !Dn::new(b.trim()).is_within(&users_base)) {
                return Err(invalid(
                    "authorization.delegation",
                    at(&format!(
                        "base '{base}' is not under directory.users_base_dn ({users_base_dn}): targets only ever come from there"
                    )),
                ));
            }
            let filter = table.filter.trim();
            if !filter.is_empty() && ldap3::parse_filter(filter).is_err() {
                return Err(invalid(
                    "authorization.delegation",
                    at(&format!(
                        "filter '{filter}' is not a valid LDAP filter (RFC 4515), e.g. (employeeType=staff)"
                    )),
                ));
            }
        }
        Ok(())
    }
}
