//! What is particular to 389 Directory Server (and Red Hat Directory
//! Server): its account lock attributes, a password write that keeps the
//! directory's policy in force for whoever writes, and its refusal texts.
//!
//! Measured on 389 DS 2.3: a plain modify of `userPassword` by an account
//! that holds an ACI is checked against the policy but never leaves the
//! person obliged to change it (and clears an earlier obligation), and a
//! `pwdReset` in the same modify is silently dropped. The Password Modify
//! extended operation is checked too and sets must-change when the policy's
//! `passwordMustChange` is on; 389 refuses it over plain LDAP. So a
//! temporary password is written with the extended operation, after
//! checking that the policy will oblige the change; a permanent one with a
//! plain modify. A password administrator (Directory Manager,
//! `passwordAdminDN`) would skip every check: pwproxy never relies on one.

mod changes;
mod refusals;
mod status;

use std::collections::HashSet;

use ldap3::{LdapResult, Mod, SearchEntry};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use uuid::Uuid;

use super::openldap::OpenLdap;
use super::ppolicy;
use super::{
    AccountFacts, BindOutcome, ChangePlan, Defaults, Dialect, MustChangeSetting, PasswordWrite, Prerequisite,
    WalkedGroups, WriteOperation,
};
use crate::directory::attributes::{first_value, number};
use crate::directory::status::{AccountState, AccountStatus, LockMark, PolicyFacts, generalized_time};
use crate::directory::{AccountChange, Listed, Person, Write};
use crate::dn::Dn;
use crate::generate::KnownRules;
use refusals::rejection;

/// When the password expires (`passwordExp`), and 389's mark of a password
/// that must change before anything else: the epoch itself. 389 records no
/// change time a reader may see (measured on 2.3: only the hashed
/// `passwordHistory` is stamped), so it is derived from the expiry.
const EXPIRATION_TIME: &str = "passwordExpirationTime";
const MUST_CHANGE_NOW: &str = "19700101000000Z";
/// Set by an administrator: the account may not sign in. A reset never
/// clears it.
const DISABLED: &str = "nsAccountLock";
/// Failed binds so far, and when a lockout ends (`19700101000000Z`: when an
/// administrator acts). 389 sets the unlock time only when it locks, and a
/// successful password write sets the count back to 0.
const RETRY_COUNT: &str = "passwordRetryCount";
const UNLOCK_TIME: &str = "accountUnlockTime";
const UNTIL_AN_ADMIN_ACTS: &str = "19700101000000Z";
/// The person's own password policy entry, when one applies.
const POLICY_ENTRY: &str = "pwdpolicysubentry";
/// The server-wide policy.
const GLOBAL_POLICY: &str = "cn=config";
const MUST_CHANGE: &str = "passwordMustChange";
/// Netscape's password-expired response control: attached to a successful
/// bind of an account that must change its password before anything else.
const PASSWORD_EXPIRED: &str = "2.16.840.1.113730.3.4.4";

pub struct Ds389;

impl Dialect for Ds389 {
    /// The same schema defaults as OpenLDAP: `inetOrgPerson`, `uid`, and the
    /// `entryUUID` 389's plugin assigns.
    fn defaults(&self) -> Defaults {
        OpenLdap.defaults()
    }

    fn requires_encryption(&self) -> Option<&'static str> {
        Some(
            "389 Directory Server sets a temporary password only through the Password Modify extended \
             operation, which it refuses over an unencrypted connection",
        )
    }

    /// `entryUUID` is a case-insensitive string on 389: the same assertion.
    fn id_assertion(&self, id: &Uuid) -> String {
        OpenLdap.id_assertion(id)
    }

    fn name_filter(&self, username_attribute: &str, name: &str) -> String {
        OpenLdap.name_filter(username_attribute, name)
    }

    fn account_attributes(&self) -> &'static [&'static str] {
        &[DISABLED, RETRY_COUNT, UNLOCK_TIME, POLICY_ENTRY, EXPIRATION_TIME]
    }

    fn account_facts(&self, entry: &SearchEntry, id_attribute: &str) -> AccountFacts {
        let unlock_time = first_value(entry, UNLOCK_TIME);
        let failures = number(entry, RETRY_COUNT).unwrap_or(0);
        let expiration = first_value(entry, EXPIRATION_TIME);
        AccountFacts {
            disabled: first_value(entry, DISABLED).is_some_and(|v| v.eq_ignore_ascii_case("true")),
            locked: failures > 0
                && unlock_time.as_deref().is_some_and(|until| is_locked_until(until, &now())),
            id: first_value(entry, id_attribute),
            policy_entry: first_value(entry, POLICY_ENTRY),
            state: AccountState {
                lock_ends: unlock_time.as_deref().map(|until| match until {
                    UNTIL_AN_ADMIN_ACTS => LockMark::UntilAnAdminActs,
                    until => generalized_time(until).map_or(LockMark::UntilAnAdminActs, LockMark::At),
                }),
                failures: Some(failures.max(0) as u32),
                must_change: expiration.as_deref() == Some(MUST_CHANGE_NOW),
                expires_at: expiration
                    .as_deref()
                    .filter(|at| *at != MUST_CHANGE_NOW)
                    .and_then(generalized_time),
                ..AccountState::default()
            },
            ..AccountFacts::default()
        }
    }

    /// groupOfNames and groupOfUniqueNames, walked upwards as on OpenLDAP:
    /// 389's memberOf is a plugin that may be off or stale.
    fn groups_filter(&self, members: &[Dn]) -> String {
        OpenLdap.groups_filter(members)
    }

    fn follows_nesting(&self) -> bool {
        OpenLdap.follows_nesting()
    }

    /// 389 DS does not implement the Matched Values control (it is not in
    /// its root DSE's supportedControl): a shared search would return every
    /// group whole, members and all, so each person's walk asks on its own.
    fn member_attributes(&self) -> Option<&'static [&'static str]> {
        None
    }

    fn group_attributes(&self) -> &'static [&'static str] {
        OpenLdap.group_attributes()
    }

    /// The MemberOf plug-in ships disabled and keeps `memberOf` for the
    /// attributes in its `memberOfGroupAttr` only (`member` unless told).
    fn memberof_groups(&self) -> Option<WalkedGroups> {
        OpenLdap.memberof_groups().map(|groups| WalkedGroups {
            fix: "enable the MemberOf plug-in for both member attributes (dsconf INSTANCE plugin memberof set \
                  --groupattr member uniqueMember; dsconf INSTANCE plugin memberof enable; restart), then \
                  rebuild memberOf (dsconf INSTANCE plugin memberof fixup SUFFIX); or set \
                  directory.membership = \"member\"",
            ..groups
        })
    }

    fn is_privileged_group(&self, group: &SearchEntry) -> bool {
        OpenLdap.is_privileged_group(group)
    }

    /// Nothing more for an unlock: 389 sets the retry counter back to 0
    /// with every successful password write.
    fn password_write(&self, password: &SecretString, write: Write) -> PasswordWrite {
        let operation = if write.temporary {
            WriteOperation::PasswordModify
        } else {
            let value = password.expose_secret().as_bytes().to_vec();
            WriteOperation::Modify(vec![Mod::Replace(b"userPassword".to_vec(), HashSet::from([value]))])
        };
        PasswordWrite { operation, controls: vec![ppolicy::request()] }
    }

    /// The person's own policy entry when they have one, else the server's.
    fn must_change_setting(&self, account: &AccountFacts) -> Option<MustChangeSetting> {
        let entry = account.policy_entry.clone().unwrap_or_else(|| GLOBAL_POLICY.to_owned());
        Some(MustChangeSetting { entry, attribute: MUST_CHANGE })
    }

    /// None measured: 389 serializes writes of an entry itself.
    fn raced(&self, _: &LdapResult) -> bool {
        false
    }

    fn account_change(&self, change: AccountChange, account: &AccountFacts, _: OffsetDateTime) -> ChangePlan {
        changes::plan(change, account)
    }

    fn listed_filter(&self, listed: Listed, _: &PolicyFacts, now: OffsetDateTime) -> String {
        status::listed_filter(listed, now)
    }

    fn change_probes(&self, change: AccountChange) -> &'static [(&'static str, &'static str)] {
        changes::probes(change)
    }

    fn writable_attribute(&self) -> Option<&'static str> {
        None
    }

    /// Every change replaces whole attributes: nothing to lose a race on.
    fn change_raced(&self, _: &LdapResult) -> bool {
        false
    }

    fn write_refusal(&self, result: &LdapResult) -> Option<String> {
        rejection(result.rc, &result.text, ppolicy::response_error(result))
    }

    /// Temporary passwords need must-change on (and readable), and refusals
    /// are read from the password policy control.
    fn prerequisites(&self) -> &'static [Prerequisite] {
        &[
            Prerequisite::Setting {
                entry: GLOBAL_POLICY,
                attribute: MUST_CHANGE,
                value: "on",
                fix: "set passwordMustChange: on in cn=config, and let the service account read it (an ACI \
                      on cn=config for objectClass and passwordMustChange): temporary passwords are refused \
                      otherwise",
            },
            Prerequisite::Control {
                oid: ppolicy::OID,
                name: "the password policy control",
                fix: "389 DS 1.4 or later answers it; upgrade the server",
            },
        ]
    }

    /// The person's own policy entry when they have one, else the server's.
    fn policy_entry(&self, account: &AccountFacts, _: &Dn, _: Option<&str>) -> Option<String> {
        Some(account.policy_entry.clone().unwrap_or_else(|| GLOBAL_POLICY.to_owned()))
    }

    fn policy_attributes(&self) -> &'static [&'static str] {
        status::POLICY_ATTRIBUTES
    }

    fn password_policy(&self, entry: &SearchEntry) -> PolicyFacts {
        status::policy_facts(entry)
    }

    fn account_status(
        &self,
        account: &AccountFacts,
        policy: &PolicyFacts,
        now: OffsetDateTime,
    ) -> AccountStatus {
        status::account_status(account, policy, now)
    }

    /// Under passwordCheckSyntax: passwordMinLength, and no run of
    /// passwordMinTokenLength characters (default 3) of the person's own
    /// values (389's `check_trivial_words` reads uid, cn, sn, givenName,
    /// ou and mail; pwproxy has the username and `policy.context_attributes`).
    /// The per-class minimums (passwordMinDigits…) of 1 are met by every
    /// generated password, which holds every class.
    fn known_rules(&self, person: &Person, policy: &PolicyFacts) -> KnownRules {
        let Some(token) = policy.min_token_length else {
            return KnownRules { min_length: policy.min_length.unwrap_or(0), forbidden: Vec::new() };
        };
        let words = std::iter::once(&person.username).chain(&person.context);
        let mut forbidden: Vec<String> = words
            .flat_map(|word| {
                let chars: Vec<char> = word.to_lowercase().chars().collect();
                chars.windows(token).map(String::from_iter).collect::<Vec<_>>()
            })
            .collect();
        forbidden.sort();
        forbidden.dedup();
        KnownRules { min_length: policy.min_length.unwrap_or(0), forbidden }
    }

    fn bind_outcome(&self, result: &LdapResult) -> Option<BindOutcome> {
        let text = result.text.to_lowercase();
        Some(match result.rc {
            0 if result.ctrls.iter().any(|c| c.1.ctype == PASSWORD_EXPIRED) => {
                BindOutcome::Refused(Some("the account must change its password before it can be used"))
            }
            0 => BindOutcome::Bound,
            49 => BindOutcome::Refused(None),
            19 if text.contains("retry limit") => BindOutcome::Refused(Some("the account is locked out")),
            53 if text.contains("inactivated") => BindOutcome::Refused(Some("the account is disabled")),
            _ => return None,
        })
    }
}

/// Whether a lockout recorded as ending at `until` still holds at `now`
/// (both GeneralizedTime, `YYYYMMDDHHMMSSZ`, which sorts as text).
fn is_locked_until(until: &str, now: &str) -> bool {
    until == UNTIL_AN_ADMIN_ACTS || until > now
}

fn now() -> String {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests;
