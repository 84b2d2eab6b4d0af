//! What is particular to OpenLDAP (and its ppolicy overlay): how a person's id
//! is searched, how nested groups are found, how a password is written and
//! how its refusals read.

use std::collections::HashSet;
use std::time::Duration;

use ldap3::{LdapResult, Mod, SearchEntry, ldap_escape};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use uuid::Uuid;

mod changes;
mod refusals;
mod status;

use super::ppolicy;
use super::{
    AccountFacts, BindOutcome, ChangePlan, DefaultBase, Defaults, Dialect, MustChangeSetting, PasswordWrite,
    Prerequisite, WalkedGroups, WriteOperation,
};
use crate::directory::attributes::{all_values, number};
use crate::directory::attributes::{first_value, has};
use crate::directory::status::{AccountState, AccountStatus, LockMark, PolicyFacts, generalized_time};
use crate::directory::{AccountChange, Listed, Person, Write};
use crate::dn::Dn;
use crate::generate::KnownRules;

/// Set by ppolicy on accounts it has locked; `000001010000Z` means "until an
/// administrator unlocks it".
const LOCK_ATTRIBUTE: &str = "pwdAccountLockedTime";
const UNTIL_AN_ADMIN_ACTS: &str = "000001010000Z";
/// ppolicy's operational attributes on a person (draft-behera-ldap-password-
/// policy-10, section 5.3): one `pwdFailureTime` value per failed bind
/// still counted, when the password last changed, whether it must change,
/// and the person's own policy entry.
const FAILURE_TIMES: &str = "pwdFailureTime";
const CHANGED_TIME: &str = "pwdChangedTime";
const RESET: &str = "pwdReset";
const POLICY_ENTRY: &str = "pwdPolicySubentry";
/// The policy entry's attributes (section 5.2): `pwdLockoutDuration` 0 means
/// a lock lasts until an administrator acts; `pwdMaxAge` 0, no expiry.
const POLICY_ATTRIBUTES: &[&str] =
    &["pwdLockout", "pwdMaxFailure", "pwdLockoutDuration", "pwdMaxAge", "pwdMinLength", "pwdCheckQuality"];

/// The group types pwproxy walks, and the attributes listing their members.
const GROUPS: &str = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";
const MEMBER_ATTRIBUTES: &[&str] = &["member", "uniqueMember"];

pub struct OpenLdap;

impl Dialect for OpenLdap {
    fn defaults(&self) -> Defaults {
        Defaults {
            users_filter: "(objectClass=inetOrgPerson)",
            username_attribute: "uid",
            id_attribute: "entryUUID",
            admins_base: DefaultBase::UsersBase,
            groups_base: DefaultBase::ParentOfUsersBase,
            protect_privileged: false,
        }
    }

    fn requires_encryption(&self) -> Option<&'static str> {
        None
    }

    /// `entryUUID` holds the lower-case hyphenated form.
    fn id_assertion(&self, id: &Uuid) -> String {
        ldap_escape(id.hyphenated().to_string()).into_owned()
    }

    fn name_filter(&self, username_attribute: &str, name: &str) -> String {
        format!("({username_attribute}={})", ldap_escape(name))
    }

    fn account_attributes(&self) -> &'static [&'static str] {
        &[
            LOCK_ATTRIBUTE,
            FAILURE_TIMES,
            CHANGED_TIME,
            RESET,
            POLICY_ENTRY,
            changes::START_TIME,
            changes::END_TIME,
        ]
    }

    fn account_facts(&self, entry: &SearchEntry, id_attribute: &str) -> AccountFacts {
        let locked_at = first_value(entry, LOCK_ATTRIBUTE).map(|at| match at.as_str() {
            UNTIL_AN_ADMIN_ACTS => LockMark::UntilAnAdminActs,
            // An unreadable time still marks a lock: until an admin acts.
            at => generalized_time(at).map_or(LockMark::UntilAnAdminActs, LockMark::At),
        });
        let (usable_from, usable_until) = changes::usable(entry);
        AccountFacts {
            disabled: changes::disabled(usable_from, usable_until, OffsetDateTime::now_utc()),
            locked: has(entry, LOCK_ATTRIBUTE),
            id: first_value(entry, id_attribute),
            policy_entry: first_value(entry, POLICY_ENTRY),
            state: AccountState {
                locked_at,
                failures: Some(all_values(entry, FAILURE_TIMES).len() as u32),
                changed_at: first_value(entry, CHANGED_TIME).as_deref().and_then(generalized_time),
                must_change: first_value(entry, RESET).is_some_and(|v| v.eq_ignore_ascii_case("TRUE")),
                usable_from,
                usable_until,
                ..AccountState::default()
            },
            ..AccountFacts::default()
        }
    }

    /// Groups that list any of `members` directly. OpenLDAP has no transitive
    /// matching rule, so the caller walks upwards one level per search.
    fn groups_filter(&self, members: &[Dn]) -> String {
        let alternatives: String = members
            .iter()
            .map(|dn| {
                let dn = ldap_escape(dn.as_str());
                format!("(member={dn})(uniqueMember={dn})")
            })
            .collect();
        format!("(&{GROUPS}(|{alternatives}))")
    }

    fn follows_nesting(&self) -> bool {
        false
    }

    fn member_attributes(&self) -> Option<&'static [&'static str]> {
        Some(MEMBER_ATTRIBUTES)
    }

    fn group_attributes(&self) -> &'static [&'static str] {
        &["1.1"]
    }

    /// The memberof overlay keeps `memberOf` for one object class and member
    /// attribute per instance (groupOfNames and `member` unless told), so
    /// both types take an instance of their own.
    fn memberof_groups(&self) -> Option<WalkedGroups> {
        Some(WalkedGroups {
            filter: GROUPS,
            member_attributes: MEMBER_ATTRIBUTES,
            fix: "configure one memberof overlay instance per group type (olcMemberOfGroupOC groupOfNames with \
                  olcMemberOfMemberAD member, and groupOfUniqueNames with uniqueMember) and re-add the members \
                  of groups written past it (slapadd skips overlays); or set directory.membership = \"member\"",
        })
    }

    fn is_privileged_group(&self, _: &SearchEntry) -> bool {
        false
    }

    /// One modify that replaces the password (ppolicy hashes it and checks its
    /// quality and history, since pwproxy writes with `write`, not `manage`)
    /// and, when temporary, sets `pwdReset` in the same operation so
    /// must-change cannot be lost between two writes. A permanent password
    /// needs nothing more: ppolicy clears `pwdReset` itself when a non-admin
    /// writes. The ppolicy request control asks for the precise reason of a
    /// refusal.
    fn password_write(&self, password: &SecretString, write: Write) -> PasswordWrite {
        let value = password.expose_secret().as_bytes().to_vec();
        let mut mods = vec![Mod::Replace(b"userPassword".to_vec(), HashSet::from([value]))];
        if write.temporary {
            mods.push(Mod::Replace(b"pwdReset".to_vec(), HashSet::from([b"TRUE".to_vec()])));
        }
        if write.unlock {
            // Deleted (ppolicy refuses a replace by nothing). The failures
            // that led to the lock, pwdFailureTime, are ppolicy's own to
            // clear: no client may modify them.
            mods.push(Mod::Delete(LOCK_ATTRIBUTE.as_bytes().to_vec(), HashSet::new()));
        }
        PasswordWrite { operation: WriteOperation::Modify(mods), controls: vec![ppolicy::request()] }
    }

    /// `pwdReset` in the same modify sees to it.
    fn must_change_setting(&self, _: &AccountFacts) -> Option<MustChangeSetting> {
        None
    }

    /// ppolicy updates `pwdHistory` from the entry it read; a concurrent
    /// change of the same entry (another replica's) makes that update miss:
    /// "modify/delete: pwdHistory: no such value" (16), or "modify/add:
    /// pwdHistory: value #0 already exists" (20).
    fn raced(&self, result: &LdapResult) -> bool {
        matches!(result.rc, 16 | 20) && result.text.contains("pwdHistory")
    }

    fn account_change(
        &self,
        change: AccountChange,
        account: &AccountFacts,
        now: OffsetDateTime,
    ) -> ChangePlan {
        changes::plan(change, account, now)
    }

    fn change_probes(&self, change: AccountChange) -> &'static [(&'static str, &'static str)] {
        changes::probes(change)
    }

    fn writable_attribute(&self) -> Option<&'static str> {
        None
    }

    /// A lock or end time deleted by another writer in between.
    fn change_raced(&self, result: &LdapResult) -> bool {
        result.rc == 16
    }

    fn write_refusal(&self, result: &LdapResult) -> Option<String> {
        refusals::rejection(result.rc, &result.text, ppolicy::response_error(result))
    }

    /// Quality and history checks, and the precise reasons of refusals, come
    /// from ppolicy.
    fn prerequisites(&self) -> &'static [Prerequisite] {
        &[Prerequisite::Control {
            oid: ppolicy::OID,
            name: "the password policy (ppolicy) overlay",
            fix: "load ppolicy (olcModuleLoad: ppolicy) and add the overlay to the users' database, with \
                  olcPPolicyHashCleartext: TRUE",
        }]
    }

    /// The person's `pwdPolicySubentry`, else the overlay's
    /// `olcPPolicyDefault`, which lives in cn=config where the service
    /// account cannot read it: `directory.policy_dn` names it.
    fn policy_entry(&self, account: &AccountFacts, _: &Dn, configured: Option<&str>) -> Option<String> {
        account.policy_entry.clone().or_else(|| configured.map(str::to_owned))
    }

    fn policy_attributes(&self) -> &'static [&'static str] {
        POLICY_ATTRIBUTES
    }

    fn password_policy(&self, entry: &SearchEntry) -> PolicyFacts {
        let seconds = |name| number(entry, name).filter(|n| *n > 0).map(|n| Duration::from_secs(n as u64));
        let lockout = first_value(entry, "pwdLockout").is_some_and(|v| v.eq_ignore_ascii_case("TRUE"));
        PolicyFacts {
            known: true,
            lockout_duration: seconds("pwdLockoutDuration"),
            max_failures: number(entry, "pwdMaxFailure").filter(|n| lockout && *n > 0).map(|n| n as u32),
            max_age: seconds("pwdMaxAge"),
            // ppolicy checks pwdMinLength only with pwdCheckQuality 1 or 2.
            min_length: number(entry, "pwdMinLength")
                .filter(|n| *n > 0 && number(entry, "pwdCheckQuality").is_some_and(|q| q > 0))
                .map(|n| n as usize),
            min_token_length: None,
        }
    }

    /// See [`status::account_status`].
    fn account_status(
        &self,
        account: &AccountFacts,
        policy: &PolicyFacts,
        now: OffsetDateTime,
    ) -> AccountStatus {
        status::account_status(account, policy, now)
    }

    fn listed_filter(&self, listed: Listed, default_policy: &PolicyFacts, now: OffsetDateTime) -> String {
        status::listed_filter(listed, default_policy, now)
    }

    /// ppolicy's own quality check is the length alone (pwdMinLength with
    /// pwdCheckQuality); a pwdCheckModule's rules are not known here.
    fn known_rules(&self, _: &Person, policy: &PolicyFacts) -> KnownRules {
        KnownRules { min_length: policy.min_length.unwrap_or(0), forbidden: Vec::new() }
    }

    /// ppolicy answers a locked or expired account like a wrong password.
    fn bind_outcome(&self, result: &LdapResult) -> Option<BindOutcome> {
        Some(match result.rc {
            0 => BindOutcome::Bound,
            49 => BindOutcome::Refused(None),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;
