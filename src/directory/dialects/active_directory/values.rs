//! The values and texts an Active Directory DC answers with, read: FILETIME
//! times and intervals, `objectGUID` and `objectSid` bytes, bind and write
//! refusals.

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

/// Why the DC refused a bind, from the `data` code of its message, when it
/// is something a person can act on (the password may well be right). A
/// wrong name or password (525, 52e) says nothing more.
pub(super) fn bind_refusal(text: &str) -> Option<&'static str> {
    let code = text.split("data ").nth(1)?.split([',', ' ']).next()?;
    Some(match code.to_ascii_lowercase().as_str() {
        "530" => "the account may not sign in at this time",
        "531" => "the account may not sign in from here",
        "532" => "the account's password has expired",
        "533" => "the account is disabled",
        "701" => "the account has expired",
        "773" => "the account must change its password before it can be used",
        "775" => "the account is locked out",
        _ => return None,
    })
}

/// A FILETIME (100 ns since 1601-01-01 UTC); 0 and "never" are `None`.
pub(super) fn filetime(ticks: i64) -> Option<OffsetDateTime> {
    const UNIX_EPOCH_IN_TICKS: i64 = 116_444_736_000_000_000;
    if ticks <= 0 || ticks == i64::MAX {
        return None;
    }
    let nanos = i128::from(ticks - UNIX_EPOCH_IN_TICKS) * 100;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// A policy interval (negative FILETIME ticks); 0 and the most negative
/// value mean "never" (`None`).
pub(super) fn interval(ticks: i64) -> Option<Duration> {
    if ticks == 0 || ticks == i64::MIN {
        return None;
    }
    Some(Duration::from_nanos(ticks.unsigned_abs().saturating_mul(100)))
}

/// The GUID in its usual form, from the raw attribute.
pub(super) fn id_display(raw: &[u8]) -> Option<String> {
    Uuid::from_slice_le(raw).ok().map(|id| id.hyphenated().to_string())
}

/// Whether a group's `objectSid` is one of the built-in privileged groups
/// the DC protects: Administrators, Account/Server/Print/Backup Operators
/// (S-1-5-32-544, 548–551), and the domain's Domain Admins (512), Schema
/// Admins (518) and Enterprise Admins (519). By SID, so renamed or
/// translated groups are still recognised.
pub(super) fn is_privileged_sid(sid: &[u8]) -> bool {
    // revision, sub-authority count, 6-byte authority, 4-byte LE sub-authorities
    let (Some(&count), Some(authority), Some(rest)) = (sid.get(1), sid.get(2..8), sid.get(8..)) else {
        return false;
    };
    let subs: Vec<u32> = rest
        .chunks_exact(4)
        .take(count as usize)
        .filter_map(|c| c.try_into().ok())
        .map(u32::from_le_bytes)
        .collect();
    let nt_authority = authority == [0, 0, 0, 0, 0, 5];
    match (nt_authority, subs.first(), subs.last()) {
        (true, Some(32), Some(rid)) => matches!(rid, 544 | 548..=551),
        (true, Some(21), Some(rid)) => matches!(rid, 512 | 518 | 519),
        _ => false,
    }
}

/// A refused password write in plain words.
pub(super) fn rejection(rc: u32, text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let reason = match rc {
        19 if lower.contains("too short") => "the password is too short for the domain's policy".to_owned(),
        19 if lower.contains("complexity") => {
            "the password is not complex enough for the domain's policy (it needs characters of three kinds: \
             upper case, lower case, digits, symbols, and must not contain the account's name)"
                .to_owned()
        }
        19 if lower.contains("history") || lower.contains("already used") => {
            "the password was used before; choose one that is not in the password history".to_owned()
        }
        19 if lower.contains("too young") => {
            "the password was changed too recently to be changed again yet".to_owned()
        }
        19 => format!("the domain's password policy refused it ({})", short(text)),
        50 => "the directory does not allow this account to set that password (no \"Reset password\" right \
               on this user)"
            .to_owned(),
        53 => format!("the directory is unwilling to set this password ({})", short(text)),
        _ => return None,
    };
    Some(reason)
}

/// The DC's text without its error-code prefix.
pub(super) fn short(text: &str) -> &str {
    text.rsplit(": ").next().unwrap_or(text).trim_end_matches(['!', '\0', ' '])
}
