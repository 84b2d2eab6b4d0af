//! What is particular to OpenLDAP (and its ppolicy overlay): how a person's id
//! is searched, how nested groups are found, how a password is written and
//! how its refusals read.

use std::collections::HashSet;

use ldap3::{Mod, SearchEntry, ldap_escape};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::ppolicy;

/// Set by ppolicy on accounts it has locked; `000001010000Z` means "until an
/// administrator unlocks it".
pub const LOCK_ATTRIBUTE: &str = "pwdAccountLockedTime";

/// `entryUUID` holds the lower-case hyphenated form.
pub fn id_assertion(id: &Uuid) -> String {
    ldap_escape(id.hyphenated().to_string()).into_owned()
}

/// Groups that list any of `members` directly. OpenLDAP has no transitive
/// matching rule, so callers walk upwards one level per search.
pub fn direct_groups_filter<'a>(members: impl Iterator<Item = &'a String>) -> String {
    let alternatives: String = members
        .map(|dn| {
            let dn = ldap_escape(dn.as_str());
            format!("(member={dn})(uniqueMember={dn})")
        })
        .collect();
    format!("(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|{alternatives}))")
}

pub fn is_locked(entry: &SearchEntry) -> bool {
    entry.attrs.keys().any(|name| name.eq_ignore_ascii_case(LOCK_ATTRIBUTE))
}

/// One modify that replaces the password (ppolicy hashes it and checks its
/// quality and history, since pwproxy writes with `write`, not `manage`) and,
/// when temporary, sets `pwdReset` in the same operation so must-change
/// cannot be lost between two writes. A permanent password needs nothing
/// more: ppolicy clears `pwdReset` itself when a non-admin writes.
pub fn password_mods(password: &SecretString, temporary: bool) -> Vec<Mod<Vec<u8>>> {
    let value = password.expose_secret().as_bytes().to_vec();
    let mut mods = vec![Mod::Replace(b"userPassword".to_vec(), HashSet::from([value]))];
    if temporary {
        mods.push(Mod::Replace(b"pwdReset".to_vec(), HashSet::from([b"TRUE".to_vec()])));
    }
    mods
}

/// A refused password write in plain words, from the result code, the
/// ppolicy response control (more precise, when present) and the text.
pub fn rejection(rc: u32, text: &str, ppolicy_error: Option<u64>) -> Option<String> {
    let reason = match rc {
        19 if text.contains("not being changed") => {
            "the new password is the same as the current one".to_owned()
        }
        19 => match ppolicy_error.and_then(ppolicy::describe) {
            Some(reason) => reason.to_owned(),
            None if text.contains("history") => ppolicy::describe(8).unwrap_or_default().to_owned(),
            None if text.contains("quality") => {
                "the password does not meet the directory's quality rules (length or complexity)".to_owned()
            }
            None => format!("the directory's password policy refused it ({text})"),
        },
        50 => "the directory does not allow this account to set that password".to_owned(),
        53 => format!("the directory is unwilling to set this password ({text})"),
        _ => return None,
    };
    Some(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_searched_in_entry_uuid_form() {
        let id = Uuid::parse_str("E4CE6648-7BC2-1041-8A48-1D627CE7D807").unwrap();
        assert_eq!(id_assertion(&id), "e4ce6648-7bc2-1041-8a48-1d627ce7d807");
    }

    #[test]
    fn group_filters_escape_member_dns() {
        let dns = ["uid=a*)(uid=*,dc=x".to_string()];
        let filter = direct_groups_filter(dns.iter());
        assert!(filter.contains(r"(member=uid=a\2a\29\28uid=\2a,dc=x)"), "{filter}");
    }

    #[test]
    fn temporary_passwords_set_pwd_reset_in_the_same_modify() {
        let secret = SecretString::from("x");
        assert_eq!(password_mods(&secret, true).len(), 2);
        assert_eq!(password_mods(&secret, false).len(), 1);
    }

    #[test]
    fn refusals_read_as_plain_words() {
        assert_eq!(
            rejection(19, "Password fails quality checking policy", Some(6)).unwrap(),
            "the password is too short for the directory's policy"
        );
        assert!(
            rejection(19, "Password is in history of old passwords", None).unwrap().contains("used before")
        );
        assert!(rejection(50, "", None).unwrap().contains("does not allow"));
        assert_eq!(rejection(1, "operations error", None), None);
    }
}
