//! A person's account as the directory sees it: what their entry records
//! ([`AccountState`], read by each dialect from its own attributes), the
//! password policy that applies to them ([`PolicyFacts`], read by each
//! dialect from its own policy entry), and what the two say together
//! ([`AccountStatus`], computed by each dialect by its directory's rules).

use std::time::Duration;

use time::OffsetDateTime;

/// What a person's entry records about their password and lockout, in
/// neutral terms; `None` where the entry says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState {
    /// When the directory locked the account (OpenLDAP's
    /// `pwdAccountLockedTime`, AD's `lockoutTime`).
    pub locked_at: Option<LockMark>,
    /// When a lockout ends, where the directory records that instead of its
    /// start (389's `accountUnlockTime`).
    pub lock_ends: Option<LockMark>,
    /// Failed binds the directory counts now.
    pub failures: Option<u32>,
    pub changed_at: Option<OffsetDateTime>,
    /// The person must change their password at the next sign-in.
    pub must_change: bool,
    /// Where the directory records the expiry itself (389's
    /// `passwordExpirationTime`).
    pub expires_at: Option<OffsetDateTime>,
    /// The account's own "password never expires" (AD's
    /// `DONT_EXPIRE_PASSWORD`).
    pub never_expires: bool,
    /// From when, and until when, the account may be used at all, where
    /// the entry records that (OpenLDAP ppolicy's `pwdStartTime`,
    /// `pwdEndTime`).
    pub usable_from: Option<OffsetDateTime>,
    pub usable_until: Option<OffsetDateTime>,
    /// The entry's word of account flags, where it keeps one (AD's
    /// `userAccountControl`): a change of one flag writes the rest back as
    /// they were read.
    pub flags: Option<u32>,
}

/// A recorded lock time, or the directory's "until an administrator acts".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMark {
    At(OffsetDateTime),
    UntilAnAdminActs,
}

/// The password policy that applies to a person, as far as their status
/// needs it. `Default`: a policy that says nothing (none could be read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyFacts {
    /// Whether the policy was read at all.
    pub known: bool,
    /// How long a lockout lasts; `None`: until an administrator acts.
    pub lockout_duration: Option<Duration>,
    /// Failed binds that lock the account; `None`: lockout off.
    pub max_failures: Option<u32>,
    /// How long a password lasts; `None`: it does not expire.
    pub max_age: Option<Duration>,
    /// The shortest password the directory takes; `None`: no minimum.
    pub min_length: Option<usize>,
    /// 389 DS: runs of this many characters of the person's own values a
    /// password must not contain; `None`: not checked.
    pub min_token_length: Option<usize>,
}

/// What the contract's `status` says of a person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountStatus {
    pub disabled: bool,
    pub locked: bool,
    pub locked_since: Option<OffsetDateTime>,
    /// `None` while locked: until an administrator acts (or unknown).
    pub locked_until: Option<OffsetDateTime>,
    pub must_change: bool,
    pub password_changed_at: Option<OffsetDateTime>,
    pub password_expires_at: Option<OffsetDateTime>,
    /// Why `password_expires_at` is `None`; `None` while it is known.
    pub no_expiry: Option<NoExpiry>,
    pub failed_attempts: Option<u32>,
}

/// A state people are listed by, as `<person>.status` computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Locked,
    Disabled,
    MustChange,
    /// The password expires within this, and has not yet.
    Expiring {
        within: std::time::Duration,
    },
}

impl Listed {
    /// Days `expiring` looks ahead unless told.
    pub const DEFAULT_WITHIN_DAYS: u64 = 14;

    /// The state a request names (`locked`, `disabled`, `must_change`,
    /// `expiring` within `within_days`); `None` for any other name.
    pub fn named(name: &str, within_days: u64) -> Option<Self> {
        Some(match name {
            "locked" => Listed::Locked,
            "disabled" => Listed::Disabled,
            "must_change" => Listed::MustChange,
            "expiring" => {
                Listed::Expiring { within: std::time::Duration::from_secs(within_days * 24 * 3600) }
            }
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Listed::Locked => "locked",
            Listed::Disabled => "disabled",
            Listed::MustChange => "must_change",
            Listed::Expiring { .. } => "expiring",
        }
    }

    /// Whether `status`, computed at `now`, is in this state.
    pub fn holds(self, status: &AccountStatus, now: OffsetDateTime) -> bool {
        match self {
            Listed::Locked => status.locked,
            Listed::Disabled => status.disabled,
            Listed::MustChange => status.must_change,
            Listed::Expiring { within } => {
                status.password_expires_at.is_some_and(|at| now < at && at <= now + within)
            }
        }
    }
}

/// Which people a search asks for: a name's start, a state, or both.
#[derive(Debug, Clone, Copy)]
pub struct PeopleQuery<'a> {
    pub text: Option<&'a str>,
    pub listed: Option<Listed>,
}

/// Why a status names no expiry: "never" and "unknown" are not the same
/// answer to a helpdesk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoExpiry {
    /// The account's own "password never expires" (AD's
    /// `DONT_EXPIRE_PASSWORD`).
    AccountNeverExpires,
    /// The policy could not be read (none configured, or not readable).
    PolicyUnread,
    /// The policy sets no maximum age.
    NoMaxAge,
    /// The password must be changed at the next sign-in; no clock runs yet.
    MustChangeFirst,
    /// The directory does not record when the password was set.
    NotRecorded,
}

impl NoExpiry {
    /// Why `expires_at` is what it is; `None` when it names a time.
    pub fn of(
        expires_at: Option<OffsetDateTime>,
        state: &AccountState,
        policy: &PolicyFacts,
    ) -> Option<Self> {
        Some(match () {
            () if expires_at.is_some() => return None,
            () if state.never_expires => NoExpiry::AccountNeverExpires,
            () if !policy.known => NoExpiry::PolicyUnread,
            () if policy.max_age.is_none() => NoExpiry::NoMaxAge,
            () if state.must_change => NoExpiry::MustChangeFirst,
            () => NoExpiry::NotRecorded,
        })
    }
}

/// A lock that began at `since` and lasts `duration` (`None`: until an
/// administrator acts): whether it holds at `now`, and until when.
pub fn lock_from_start(
    since: OffsetDateTime,
    duration: Option<Duration>,
    now: OffsetDateTime,
) -> (bool, Option<OffsetDateTime>) {
    match duration {
        None => (true, None),
        Some(duration) => {
            let until = since + duration;
            (now < until, Some(until))
        }
    }
}

/// `changed + max_age`, when the password expires at all.
pub fn expiry(changed: Option<OffsetDateTime>, max_age: Option<Duration>) -> Option<OffsetDateTime> {
    Some(changed? + max_age?)
}

/// LDAP's GeneralizedTime as OpenLDAP and 389 DS write it
/// (`YYYYMMDDHHMMSS[.fraction]Z`).
/// `at` as a GeneralizedTime in UTC, to the second.
pub fn format_generalized_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

pub fn generalized_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let digits = text.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !text.ends_with('Z') {
        return None;
    }
    let n = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
    let month = time::Month::try_from(n(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let time = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8).ok()?;
    Some(date.with_time(time).assume_utc())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn generalized_times_are_read_with_or_without_fractions() {
        assert_eq!(generalized_time("20261204101500Z"), Some(datetime!(2026-12-04 10:15:00 UTC)));
        assert_eq!(generalized_time("20261204101500.123456Z"), Some(datetime!(2026-12-04 10:15:00 UTC)));
        assert_eq!(generalized_time("20261304101500Z"), None);
        assert_eq!(generalized_time("2026"), None);
        assert_eq!(generalized_time("2026120410150xZ"), None);
        let at = datetime!(2026-12-04 10:15:07 UTC);
        assert_eq!(generalized_time(&format_generalized_time(at)), Some(at));
    }

    #[test]
    fn a_timed_lock_ends_and_an_untimed_one_does_not() {
        let since = datetime!(2026-12-04 10:00:00 UTC);
        let hour = Some(Duration::from_secs(3600));
        assert_eq!(
            lock_from_start(since, hour, datetime!(2026-12-04 10:30:00 UTC)),
            (true, Some(datetime!(2026-12-04 11:00:00 UTC)))
        );
        assert!(!lock_from_start(since, hour, datetime!(2026-12-04 11:00:00 UTC)).0);
        assert_eq!(lock_from_start(since, None, datetime!(2030-01-01 0:00 UTC)), (true, None));
        assert_eq!(expiry(Some(since), hour), Some(datetime!(2026-12-04 11:00:00 UTC)));
        assert_eq!(expiry(Some(since), None), None);
    }

    #[test]
    fn no_expiry_is_told_apart() {
        let known =
            PolicyFacts { known: true, max_age: Some(Duration::from_secs(86_400)), ..PolicyFacts::default() };
        let state = AccountState::default();
        let at = Some(datetime!(2026-12-04 10:00:00 UTC));
        assert_eq!(NoExpiry::of(at, &state, &known), None);
        assert_eq!(NoExpiry::of(None, &state, &PolicyFacts::default()), Some(NoExpiry::PolicyUnread));
        let unlimited = PolicyFacts { max_age: None, ..known };
        assert_eq!(NoExpiry::of(None, &state, &unlimited), Some(NoExpiry::NoMaxAge));
        assert_eq!(NoExpiry::of(None, &state, &known), Some(NoExpiry::NotRecorded));
        let changing = AccountState { must_change: true, ..AccountState::default() };
        assert_eq!(NoExpiry::of(None, &changing, &known), Some(NoExpiry::MustChangeFirst));
        let never = AccountState { never_expires: true, ..AccountState::default() };
        assert_eq!(NoExpiry::of(None, &never, &PolicyFacts::default()), Some(NoExpiry::AccountNeverExpires));
    }
}
