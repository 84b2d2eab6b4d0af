//! Everything pwproxy asks of a directory: the small interface the use case
//! depends on ([`Directory`]), the facts it answers with, and its LDAP
//! implementation ([`LdapDirectory`]), whose differences between directory
//! kinds all live in a [`Dialect`].

mod attributes;
mod dialects;
mod ldap;
mod status;

use std::collections::HashSet;
use std::future::Future;

use secrecy::SecretString;
use uuid::Uuid;

pub use dialects::{AccountFacts, DefaultBase, Defaults, Dialect, DirectoryKind, WalkedGroups};
pub use ldap::{
    Agreement, Connector, Discrepancy, Finding, LdapDirectory, Status, counting_exchanges, probe, trust_only,
};
pub use status::{AccountState, AccountStatus, Listed, LockMark, NoExpiry, PeopleQuery, PolicyFacts};

use crate::dn::Dn;
use crate::generate::KnownRules;

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
    /// A temporary password was asked for, but the directory's policy (the
    /// `attribute` of `entry`) would not oblige the person to change it.
    #[error("{entry} does not have {attribute} on")]
    CannotBeTemporary { entry: String, attribute: &'static str },
    /// The directory refused an account change; why, in plain words.
    #[error("change refused: {0}")]
    ChangeRefused(&'static str),
    /// The account is so by a rule pwproxy does not change (the reason,
    /// in plain words): an enable that would leave it disabled.
    #[error("unchangeable: {0}")]
    Unchangeable(&'static str),
    #[error("{0}")]
    Other(String),
}

/// A person found in the directory.
#[derive(Debug, Clone)]
pub struct Person {
    pub dn: Dn,
    pub username: String,
    pub email: Option<String>,
    /// `displayName`, else `cn`.
    pub display_name: Option<String>,
    pub account: AccountFacts,
    /// The values of `policy.context_attributes`: words a new password of
    /// theirs must not contain.
    pub context: Vec<String>,
    /// The groups that list them directly, when these came with them from a
    /// `memberOf` proven to be kept: their group walk starts there, a
    /// search later. `None`: the walk starts at their DN.
    pub direct_groups: Option<Vec<Dn>>,
}

/// Equal in any letter case (the lower-case forms compared char by char,
/// without building them: asked several times per request).
fn same_name(a: &str, b: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

impl Person {
    /// Disabled or locked: neither acts nor is reset.
    pub fn inactive(&self) -> bool {
        self.account.disabled || self.account.locked
    }

    /// The directory's matching rules fold more than letter case (full-width
    /// letters, surrounding spaces); a person is only taken as the one asked
    /// for when `name` is one of their names, in any letter case.
    pub fn is_named(&self, name: &str) -> bool {
        same_name(&self.username, name)
            || self.account.principal_name.as_ref().is_some_and(|p| same_name(p, name))
    }
}

/// A person's groups as far as authorization cares.
#[derive(Debug, Default)]
pub struct Groups {
    /// Nested groups included.
    pub dns: HashSet<Dn>,
    /// One of them is a group the directory itself treats as privileged
    /// (AD's built-in admin groups).
    pub privileged: bool,
}

/// How a target is named in a request.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Id(&'a Uuid),
    Name(&'a str),
}

/// How a password is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write {
    /// The person must change it at their next sign-in.
    pub temporary: bool,
    /// Also lift the directory's lockout of the account.
    pub unlock: bool,
}

/// A change of an account's state, its password untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    /// Lift a lock left by failed sign-ins.
    Unlock,
    /// Refuse every sign-in until enabled again.
    Disable,
    /// Lift a disable.
    Enable,
}

impl AccountChange {
    /// The change a request names (`unlock`, `disable`, `enable`).
    pub fn named(name: &str) -> Option<Self> {
        [AccountChange::Unlock, AccountChange::Disable, AccountChange::Enable]
            .into_iter()
            .find(|change| change.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountChange::Unlock => "unlock",
            AccountChange::Disable => "disable",
            AccountChange::Enable => "enable",
        }
    }
}

/// Who writes a password: the service account, or an admin on the
/// connection they bound with, so that the directory's ACLs and
/// `modifiersName` reflect the real actor.
pub enum Writer<Session> {
    Service,
    Admin(Session),
}

/// The questions the reset use case asks, in the directory's terms.
pub trait Directory: Send + Sync + 'static {
    /// A connection bound as an admin for the length of one request.
    type Session: Send;

    /// Whether the service account can bind and search right now.
    fn ready(&self) -> impl Future<Output = Result<(), DirectoryError>> + Send;

    /// The connection pools and how full they are, for the metrics; none by
    /// default.
    fn pool_status(&self) -> Vec<(&'static str, deadpool::managed::Status)> {
        Vec::new()
    }

    /// An acting admin, by the name they authenticate with.
    fn find_admin(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<Person>, DirectoryError>> + Send;

    /// A target (under `users_base_dn`, matching `users_filter`) alone: for
    /// the people of a bulk reset, whose admin is already known.
    fn find_person(
        &self,
        lookup: Lookup<'_>,
    ) -> impl Future<Output = Result<Option<Person>, DirectoryError>> + Send;

    /// The acting admin by name, as [`Self::find_admin`], and the target
    /// (under `users_base_dn`, matching `users_filter`), in as few round
    /// trips as the directory allows.
    fn find_admin_and_person(
        &self,
        username: &str,
        lookup: Lookup<'_>,
    ) -> impl Future<Output = Result<(Option<Person>, Option<Person>), DirectoryError>> + Send;

    /// [`Self::groups_of`] for two people at once, each with its own
    /// `decisive` groups.
    fn groups_of_both(
        &self,
        first: (&Person, &HashSet<Dn>),
        second: (&Person, &HashSet<Dn>),
    ) -> impl Future<Output = Result<(Groups, Groups), DirectoryError>> + Send;

    /// The groups `person` belongs to, directly or through nested groups. The
    /// answer may stop early once it holds any of the `decisive` groups,
    /// since the caller only needs to know whether one of those is among
    /// them.
    fn groups_of(
        &self,
        person: &Person,
        decisive: &HashSet<Dn>,
    ) -> impl Future<Output = Result<Groups, DirectoryError>> + Send;

    /// People under `base` (and `users_base_dn`) matching `users_filter` and
    /// `filter` (a delegation's) whose username, name, display name or mail
    /// starts with the query's text, case-insensitively, and who are in its
    /// state now: at most `limit`, and whether more matched.
    fn find_people(
        &self,
        base: &Dn,
        filter: Option<&str>,
        query: PeopleQuery<'_>,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<Person>, bool), DirectoryError>> + Send;

    /// The person's account status now, by the directory's own rules and
    /// the password policy that applies to them.
    fn account_status(
        &self,
        person: &Person,
    ) -> impl Future<Output = Result<AccountStatus, DirectoryError>> + Send;

    /// What the directory is known to check of a new password for this
    /// person, from the password policy that applies to them.
    fn known_rules(&self, person: &Person)
    -> impl Future<Output = Result<KnownRules, DirectoryError>> + Send;

    /// Whether the entry at `dn` matches `filter` (a delegation's).
    fn matches(&self, dn: &Dn, filter: &str) -> impl Future<Output = Result<bool, DirectoryError>> + Send;

    /// Verifies `password` by binding as `dn`; the session writes as them.
    fn bind_as(
        &self,
        dn: &Dn,
        password: &SecretString,
    ) -> impl Future<Output = Result<Self::Session, DirectoryError>> + Send;

    /// Writes a new password in one operation, unlocking a locked account in
    /// the same operation when `unlock`; never retried, so a password is
    /// written at most once per request.
    fn set_password(
        &self,
        writer: Writer<Self::Session>,
        person: &Person,
        password: &SecretString,
        write: Write,
    ) -> impl Future<Output = Result<(), DirectoryError>> + Send;

    /// Makes `change` on the person's account as the directory wants it;
    /// `false` when it already was so (nothing written). A write that lost a
    /// race with another change of the entry is planned again from the
    /// entry as it is then, so no concurrent change is undone.
    fn change_account(
        &self,
        writer: Writer<Self::Session>,
        person: &Person,
        change: AccountChange,
    ) -> impl Future<Output = Result<bool, DirectoryError>> + Send;
}
