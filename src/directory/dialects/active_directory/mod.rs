//! What is particular to Active Directory (and Samba AD): binary
//! `objectGUID`s, nested membership in one search, `unicodePwd` and
//! `pwdLastSet`, account-control flags, and the DC's error texts (read in
//! `values`).

mod changes;
mod status;
mod values;

use std::collections::HashSet;

use ldap3::{LdapResult, Mod, SearchEntry, ldap_escape};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    AccountFacts, BindOutcome, ChangePlan, DefaultBase, Defaults, Dialect, MustChangeSetting, PasswordWrite,
    Prerequisite, WalkedGroups, WriteOperation,
};
use crate::directory::attributes::{first_bytes, first_value, number};
use crate::directory::status::{AccountState, AccountStatus, LockMark, PolicyFacts};
use crate::directory::{AccountChange, Listed, Person, Write};
use crate::dn::Dn;
use crate::generate::KnownRules;
use values::{bind_refusal, filetime, id_display, interval, is_privileged_sid, rejection};

/// `LDAP_MATCHING_RULE_BIT_AND`: a flag set in a number.
const IN_BITS: &str = "1.2.840.113556.1.4.803";
/// `LDAP_MATCHING_RULE_IN_CHAIN`: the DC follows nested membership itself.
const IN_CHAIN: &str = "1.2.840.113556.1.4.1941";
/// `userAccountControl` ACCOUNTDISABLE.
const ACCOUNT_DISABLED: u32 = 0x2;
/// `msDS-User-Account-Control-Computed` UF_LOCKOUT: locked now, the DC
/// having applied the domain's lockout duration.
const LOCKED_OUT: u32 = 0x10;

/// `userAccountControl` DONT_EXPIRE_PASSWORD.
const NEVER_EXPIRES: u32 = 0x10000;
/// When the DC locked the account (0: not locked), failed binds counted
/// now, and when the password was set (0: it must change at next sign-in);
/// all FILETIMEs or counts ([MS-ADA1], [MS-ADTS] 3.1.1.4.5).
const LOCKOUT_TIME: &str = "lockoutTime";
const BAD_PASSWORD_COUNT: &str = "badPwdCount";
const PASSWORD_LAST_SET: &str = "pwdLastSet";
/// The domain's policy, on the domain object: durations are negative
/// FILETIME intervals; "never" is the most negative value (and 0 for
/// `maxPwdAge`); a lockout duration of "never" means until an
/// administrator acts ([MS-ADA1] lockOutDuration, maxPwdAge).
const POLICY_ATTRIBUTES: &[&str] = &["lockoutDuration", "lockoutThreshold", "maxPwdAge", "minPwdLength"];

const ACCOUNT_CONTROL: &str = "userAccountControl";
const COMPUTED_ACCOUNT_CONTROL: &str = "msDS-User-Account-Control-Computed";
const ADMIN_COUNT: &str = "adminCount";
const UPN: &str = "userPrincipalName";
const SID: &str = "objectSid";

pub struct ActiveDirectory;

impl Dialect for ActiveDirectory {
    fn defaults(&self) -> Defaults {
        Defaults {
            users_filter: "(&(objectClass=user)(objectCategory=person))",
            username_attribute: "sAMAccountName",
            id_attribute: "objectGUID",
            admins_base: DefaultBase::DomainRoot,
            groups_base: DefaultBase::DomainRoot,
            // A "Reset password" right delegated on an OU also reaches the
            // admins inside it until SDProp rewrites their ACLs (Samba never
            // does): protecting them is the safe default.
            protect_privileged: true,
        }
    }

    fn requires_encryption(&self) -> Option<&'static str> {
        Some("Active Directory accepts password changes only over an encrypted connection")
    }

    /// The GUID's bytes as the DC stores them (first three fields
    /// little-endian), each escaped for a filter.
    fn id_assertion(&self, id: &Uuid) -> String {
        id.to_bytes_le().iter().map(|b| format!("\\{b:02x}")).collect()
    }

    /// A name may be the `sAMAccountName` or the `userPrincipalName`.
    fn name_filter(&self, username_attribute: &str, name: &str) -> String {
        let name = ldap_escape(name);
        format!("(|({username_attribute}={name})({UPN}={name}))")
    }

    fn account_attributes(&self) -> &'static [&'static str] {
        &[
            UPN,
            ACCOUNT_CONTROL,
            COMPUTED_ACCOUNT_CONTROL,
            ADMIN_COUNT,
            LOCKOUT_TIME,
            BAD_PASSWORD_COUNT,
            PASSWORD_LAST_SET,
        ]
    }

    fn account_facts(&self, entry: &SearchEntry, id_attribute: &str) -> AccountFacts {
        let flags = |name: &str| number(entry, name).unwrap_or(0) as u32;
        AccountFacts {
            disabled: flags(ACCOUNT_CONTROL) & ACCOUNT_DISABLED != 0,
            locked: flags(COMPUTED_ACCOUNT_CONTROL) & LOCKED_OUT != 0,
            // The DC's own mark of an account that is, or was, in a
            // privileged group.
            marked_privileged: number(entry, ADMIN_COUNT).is_some_and(|n| n != 0),
            id: first_bytes(entry, id_attribute).and_then(|raw| id_display(&raw)),
            principal_name: first_value(entry, UPN),
            policy_entry: None,
            state: AccountState {
                locked_at: number(entry, LOCKOUT_TIME).and_then(filetime).map(LockMark::At),
                failures: number(entry, BAD_PASSWORD_COUNT).map(|n| n.max(0) as u32),
                changed_at: number(entry, PASSWORD_LAST_SET).and_then(filetime),
                must_change: number(entry, PASSWORD_LAST_SET) == Some(0),
                never_expires: flags(ACCOUNT_CONTROL) & NEVER_EXPIRES != 0,
                flags: number(entry, ACCOUNT_CONTROL).and_then(|n| u32::try_from(n).ok()),
                ..AccountState::default()
            },
        }
    }

    /// Every group any of `members` belongs to, nested included, in one search.
    fn groups_filter(&self, members: &[Dn]) -> String {
        let any: String = members
            .iter()
            .map(|dn| format!("(&(objectClass=group)(member:{IN_CHAIN}:={}))", ldap_escape(dn.as_str())))
            .collect();
        format!("(|{any})")
    }

    fn follows_nesting(&self) -> bool {
        true
    }

    /// An in-chain search cannot say whose each group is.
    fn member_attributes(&self) -> Option<&'static [&'static str]> {
        None
    }

    fn group_attributes(&self) -> &'static [&'static str] {
        &[SID]
    }

    /// One in-chain search already answers with every group, nested ones
    /// included; direct groups from `memberOf` would not spare it.
    fn memberof_groups(&self) -> Option<WalkedGroups> {
        None
    }

    fn is_privileged_group(&self, group: &SearchEntry) -> bool {
        first_bytes(group, SID).is_some_and(|sid| is_privileged_sid(&sid))
    }

    /// One modify: the password as AD wants it (quoted, UTF-16LE; the DC
    /// refuses it on an unencrypted connection) and `pwdLastSet` in the same
    /// operation, so must-change cannot be lost between two writes: 0 forces
    /// a change at next sign-in, -1 makes the new password current.
    /// An unlock is `lockoutTime: 0` in the same modify.
    fn password_write(&self, password: &SecretString, write: Write) -> PasswordWrite {
        let quoted: Vec<u8> =
            format!("\"{}\"", password.expose_secret()).encode_utf16().flat_map(u16::to_le_bytes).collect();
        let last_set: &[u8] = if write.temporary { b"0" } else { b"-1" };
        let mut mods = vec![
            Mod::Replace(b"unicodePwd".to_vec(), HashSet::from([quoted])),
            Mod::Replace(b"pwdLastSet".to_vec(), HashSet::from([last_set.to_vec()])),
        ];
        if write.unlock {
            mods.push(Mod::Replace(b"lockoutTime".to_vec(), HashSet::from([b"0".to_vec()])));
        }
        PasswordWrite { operation: WriteOperation::Modify(mods), controls: Vec::new() }
    }

    /// `pwdLastSet: 0` in the same modify sees to it.
    fn must_change_setting(&self, _: &AccountFacts) -> Option<MustChangeSetting> {
        None
    }

    /// The DC applies concurrent resets one after the other.
    fn raced(&self, _: &LdapResult) -> bool {
        false
    }

    fn account_change(&self, change: AccountChange, account: &AccountFacts, _: OffsetDateTime) -> ChangePlan {
        changes::plan(change, account)
    }

    fn listed_filter(&self, listed: Listed, default_policy: &PolicyFacts, now: OffsetDateTime) -> String {
        status::listed_filter(listed, default_policy, now)
    }

    fn change_probes(&self, change: AccountChange) -> &'static [(&'static str, &'static str)] {
        changes::probes(change)
    }

    /// The DC refuses a probe on `lockoutTime` whoever asks (samldb), but
    /// tells what the bound account may write.
    fn writable_attribute(&self) -> Option<&'static str> {
        Some("allowedAttributesEffective")
    }

    /// The `userAccountControl` value deleted had moved: another change of
    /// the account's flags came in between.
    fn change_raced(&self, result: &LdapResult) -> bool {
        result.rc == 16
    }

    fn write_refusal(&self, result: &LdapResult) -> Option<String> {
        rejection(result.rc, &result.text)
    }

    /// Encryption, AD's one prerequisite, is checked with the configuration.
    fn prerequisites(&self) -> &'static [Prerequisite] {
        &[]
    }

    /// The domain's policy lives on the domain object. (Fine-grained
    /// password policies, `msDS-ResultantPSO`, are not read.)
    fn policy_entry(&self, _: &AccountFacts, domain_root: &Dn, _: Option<&str>) -> Option<String> {
        Some(domain_root.to_string())
    }

    fn policy_attributes(&self) -> &'static [&'static str] {
        POLICY_ATTRIBUTES
    }

    fn password_policy(&self, entry: &SearchEntry) -> PolicyFacts {
        PolicyFacts {
            known: true,
            lockout_duration: number(entry, "lockoutDuration").and_then(interval),
            max_failures: number(entry, "lockoutThreshold").filter(|n| *n > 0).map(|n| n as u32),
            max_age: number(entry, "maxPwdAge").and_then(interval),
            min_length: number(entry, "minPwdLength").filter(|n| *n > 0).map(|n| n as usize),
            min_token_length: None,
        }
    }

    fn account_status(
        &self,
        account: &AccountFacts,
        policy: &PolicyFacts,
        now: OffsetDateTime,
    ) -> AccountStatus {
        status::account_status(account, policy, now)
    }

    /// "Passwords must meet complexity requirements" (Microsoft Learn,
    /// "Password must meet complexity requirements"): not the whole
    /// sAMAccountName when it has 3 or more characters, nor any token of
    /// 3 or more characters of the displayName, split at commas, periods,
    /// dashes, underscores, number signs, tabs and spaces, in any letter
    /// case; three of four character classes (a generated password holds all
    /// four); and the domain's `minPwdLength`.
    fn known_rules(&self, person: &Person, policy: &PolicyFacts) -> KnownRules {
        let delimiters = [',', '.', '-', '_', '#', '\t', ' '];
        let tokens = person.display_name.iter().flat_map(|name| name.split(delimiters));
        let forbidden = std::iter::once(person.username.as_str())
            .chain(tokens)
            .filter(|word| word.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect();
        KnownRules { min_length: policy.min_length.unwrap_or(0), forbidden }
    }

    fn bind_outcome(&self, result: &LdapResult) -> Option<BindOutcome> {
        Some(match result.rc {
            0 => BindOutcome::Bound,
            49 => BindOutcome::Refused(bind_refusal(&result.text)),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;
