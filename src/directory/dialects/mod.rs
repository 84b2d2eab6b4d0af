//! The one question "which directory is this?". Everything that differs
//! between directory kinds is a method of [`Dialect`], which each kind
//! implements in a file of its own; the trait has no default methods, so a
//! new kind does not compile until it has decided every one of them.
//!
//! Adding a kind: one file implementing `Dialect`, one [`DirectoryKind`]
//! variant, one arm in [`DirectoryKind::dialect`] (in `kinds.rs`, the one
//! place that knows every kind).

mod active_directory;
mod ds389;
mod kinds;
mod openldap;
pub(super) mod ppolicy;

pub use kinds::DirectoryKind;

use ldap3::controls::RawControl;
use ldap3::{LdapResult, Mod, SearchEntry};
use secrecy::SecretString;
use uuid::Uuid;

use time::OffsetDateTime;

use super::status::{AccountState, AccountStatus, PolicyFacts};
use super::{AccountChange, Listed, Person, Write};
use crate::dn::Dn;
use crate::generate::KnownRules;

/// Where a kind looks for something when the configuration does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultBase {
    UsersBase,
    /// Groups usually sit beside the people they list.
    ParentOfUsersBase,
    /// The `DC=` components of `users_base_dn`: AD's helpdesk staff and
    /// groups seldom sit in the users' OU.
    DomainRoot,
}

/// A kind's configuration defaults.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub users_filter: &'static str,
    pub username_attribute: &'static str,
    pub id_attribute: &'static str,
    pub admins_base: DefaultBase,
    pub groups_base: DefaultBase,
    /// Default of `authorization.protect_privileged`: whether the
    /// directory's own privileged marks protect a target.
    pub protect_privileged: bool,
}

/// What a person's entry says about their account.
#[derive(Debug, Clone, Default)]
pub struct AccountFacts {
    /// Switched off by an administrator; a reset never switches it on.
    pub disabled: bool,
    /// Locked by the directory after failed binds, now: a timed lock the
    /// policy has let run out is lifted when the person is found.
    pub locked: bool,
    /// The directory's own mark of a (once) privileged account (AD's
    /// `adminCount=1`); `access` decides whether it protects.
    pub marked_privileged: bool,
    /// The id attribute in its usual text form.
    pub id: Option<String>,
    /// Another name the person signs in with (AD's userPrincipalName).
    pub principal_name: Option<String>,
    /// The entry holding this person's own password policy, when the
    /// directory names one (`pwdPolicySubentry`).
    pub policy_entry: Option<String>,
    /// What the entry records of the password and lockout, for the
    /// person's status.
    pub state: AccountState,
}

/// A password write, as the directory wants it.
pub struct PasswordWrite {
    pub operation: WriteOperation,
    pub controls: Vec<RawControl>,
}

pub enum WriteOperation {
    /// A modify of the person's entry.
    Modify(Vec<Mod<Vec<u8>>>),
    /// The Password Modify extended operation (RFC 3062) on the person.
    PasswordModify,
}

/// What an account change takes on an account as its entry was read.
#[derive(Debug, PartialEq)]
pub enum ChangePlan {
    /// It already is so: nothing to write.
    AlreadySo,
    /// One modify of the person's entry.
    Modify(Vec<Mod<Vec<u8>>>),
    /// The directory keeps it so by a rule pwproxy does not change: why.
    Beyond(&'static str),
}

/// Where the directory's policy says whether a password set by someone else
/// must be changed at the next sign-in, when the directory, not the write,
/// decides that.
pub struct MustChangeSetting {
    pub entry: String,
    pub attribute: &'static str,
}

/// What a bind's answer says about the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindOutcome {
    Bound,
    /// The account may not sign in: `None` for a wrong name or password
    /// (which says nothing more), else why, when a person can act on it
    /// (expired, disabled, locked, must change its password).
    Refused(Option<&'static str>),
}

/// Something a deployment relies on that `pwproxy check` verifies in the
/// live directory.
#[derive(Debug, Clone, Copy)]
pub enum Prerequisite {
    /// The root DSE lists this control among `supportedControl`.
    Control { oid: &'static str, name: &'static str, fix: &'static str },
    /// `attribute` of `entry` reads `value` (case-insensitively) to the
    /// service account.
    Setting { entry: &'static str, attribute: &'static str, value: &'static str, fix: &'static str },
}

/// The groups pwproxy walks on a kind whose directory can keep `memberOf`
/// for them, and how to make it do so.
#[derive(Debug, Clone, Copy)]
pub struct WalkedGroups {
    /// Every group entry the walk may meet.
    pub filter: &'static str,
    /// The attributes that list a group's direct members.
    pub member_attributes: &'static [&'static str],
    /// What to configure when `memberOf` disagrees with the groups.
    pub fix: &'static str,
}

pub trait Dialect: Send + Sync {
    fn defaults(&self) -> Defaults;

    /// Why this kind needs an encrypted connection, when it does: a
    /// plaintext configuration is then a start-up error saying so.
    fn requires_encryption(&self) -> Option<&'static str>;

    /// The value to match the id attribute against, escaped for a filter.
    fn id_assertion(&self, id: &Uuid) -> String;

    /// A person by the name they are known by.
    fn name_filter(&self, username_attribute: &str, name: &str) -> String;

    /// Attributes to read on a person besides their name, id and mail.
    fn account_attributes(&self) -> &'static [&'static str];

    fn account_facts(&self, entry: &SearchEntry, id_attribute: &str) -> AccountFacts;

    /// Groups to look for next, given the DNs (people or groups) whose groups
    /// are wanted.
    fn groups_filter(&self, members: &[Dn]) -> String;

    /// Whether one groups search already answers with the nested groups;
    /// otherwise pwproxy walks up one level per search.
    fn follows_nesting(&self) -> bool;

    fn group_attributes(&self) -> &'static [&'static str];

    /// The attributes that list a group's direct members, when one search
    /// can walk two people's groups at once (the Matched Values control
    /// returning only the values asked about); `None` where the directory
    /// follows nesting itself and cannot say whose each group is, or lacks
    /// the control.
    fn member_attributes(&self) -> Option<&'static [&'static str]>;

    /// The groups `directory.membership = "memberof"` is proven on; `None`
    /// where reading `memberOf` would save no search.
    fn memberof_groups(&self) -> Option<WalkedGroups>;

    /// A group whose members the directory itself treats as privileged.
    fn is_privileged_group(&self, group: &SearchEntry) -> bool;

    /// `unlock`: the account is locked and the write lifts that too.
    fn password_write(&self, password: &SecretString, write: Write) -> PasswordWrite;

    /// Where to check, before writing a temporary password, that the
    /// directory will really oblige the person to change it; `None` when the
    /// write itself sees to that.
    fn must_change_setting(&self, account: &AccountFacts) -> Option<MustChangeSetting>;

    /// Whether a refused write lost a race with another write of the same
    /// entry (nothing was applied: the operation is atomic), so writing again
    /// is safe and may succeed.
    fn raced(&self, result: &LdapResult) -> bool;

    /// The modify that makes `change` on `account` (as its entry was read)
    /// at `now`, keeping everything else as it was.
    fn account_change(
        &self,
        change: AccountChange,
        account: &AccountFacts,
        now: OffsetDateTime,
    ) -> ChangePlan;

    /// Whether a refused account change lost a race with another change of
    /// the entry (a value it deletes had moved): planned again from the
    /// entry as it is then.
    fn change_raced(&self, result: &LdapResult) -> bool;

    /// A refused password write in plain words, or `None` when the refusal
    /// is not about the password.
    fn write_refusal(&self, result: &LdapResult) -> Option<String>;

    /// `None` when the answer is not about the credentials (busy, unwilling
    /// for other reasons).
    fn bind_outcome(&self, result: &LdapResult) -> Option<BindOutcome>;

    /// What `pwproxy check` verifies for this kind beyond what every kind
    /// needs.
    fn prerequisites(&self) -> &'static [Prerequisite];

    /// The attributes `change` writes, each with a value no account ever
    /// holds: `pwproxy check` asks to delete that value, which the directory
    /// refuses for lack of rights (50) or because it is not there, changing
    /// nothing either way. (Enable writes what disable writes.)
    fn change_probes(&self, change: AccountChange) -> &'static [(&'static str, &'static str)];

    /// The attribute of an entry that lists what the bound account may
    /// write on it, where the directory keeps one (AD's
    /// `allowedAttributesEffective`): `pwproxy check` reads it instead of
    /// probing.
    fn writable_attribute(&self) -> Option<&'static str>;

    /// The entry holding the password policy that applies to a person:
    /// their own, else the directory's default (`configured` is
    /// `directory.policy_dn`); `None` where there is none to read.
    fn policy_entry(
        &self,
        account: &AccountFacts,
        domain_root: &Dn,
        configured: Option<&str>,
    ) -> Option<String>;

    /// What is read of a policy entry.
    fn policy_attributes(&self) -> &'static [&'static str];

    /// The policy entry in neutral terms.
    fn password_policy(&self, entry: &SearchEntry) -> PolicyFacts;

    /// The person's status at `now`, by this directory's rules, from what
    /// their entry records and their policy (`PolicyFacts::default()` when
    /// it could not be read: then only what the entry says alone).
    fn account_status(
        &self,
        account: &AccountFacts,
        policy: &PolicyFacts,
        now: OffsetDateTime,
    ) -> AccountStatus;

    /// A filter for the people who may be in `listed` at `now` (each one's
    /// status then decides), from this directory's own attributes rather
    /// than by reading everyone; `default_policy` is the policy that applies
    /// to people without one of their own.
    fn listed_filter(&self, listed: Listed, default_policy: &PolicyFacts, now: OffsetDateTime) -> String;

    /// What this directory is known to check of a new password for
    /// `person` under `policy`: a generated password is drawn until it
    /// passes these.
    fn known_rules(&self, person: &Person, policy: &PolicyFacts) -> KnownRules;
}
