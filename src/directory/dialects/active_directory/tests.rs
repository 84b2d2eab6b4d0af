//! The Active Directory dialect's rules, on entries made by hand.

use std::time::Duration;

use super::values::*;
use super::*;

fn modify(write: PasswordWrite) -> Vec<Mod<Vec<u8>>> {
    match write.operation {
        WriteOperation::Modify(mods) => mods,
        WriteOperation::PasswordModify => panic!("AD writes with a modify"),
    }
}

#[test]
fn guids_are_searched_as_little_endian_escaped_bytes() {
    let id = Uuid::parse_str("07c211db-17ea-4224-8c91-7a49989b95b7").unwrap();
    assert_eq!(ActiveDirectory.id_assertion(&id), r"\db\11\c2\07\ea\17\24\42\8c\91\7a\49\98\9b\95\b7");
    let raw = id.to_bytes_le();
    assert_eq!(id_display(&raw).unwrap(), "07c211db-17ea-4224-8c91-7a49989b95b7");
}

#[test]
fn the_password_is_quoted_utf16le_with_pwd_last_set_in_the_same_modify() {
    let mods = modify(
        ActiveDirectory.password_write(&SecretString::from("Aé1"), Write { temporary: true, unlock: false }),
    );
    let Mod::Replace(name, values) = &mods[0] else { panic!() };
    assert_eq!(name, b"unicodePwd");
    assert_eq!(values.iter().next().unwrap(), &vec![0x22, 0, 0x41, 0, 0xe9, 0, 0x31, 0, 0x22, 0]);
    let Mod::Replace(name, values) = &mods[1] else { panic!() };
    assert_eq!((name.as_slice(), values.iter().next().unwrap().as_slice()), (&b"pwdLastSet"[..], &b"0"[..]));
    let Mod::Replace(_, values) = &modify(
        ActiveDirectory.password_write(&SecretString::from("x"), Write { temporary: false, unlock: true }),
    )[1] else {
        panic!()
    };
    assert_eq!(values.iter().next().unwrap(), b"-1");
}

#[test]
fn samba_refusals_read_as_plain_words() {
    let short = "0000052D: Constraint violation - check_password_restrictions: the password is too short. \
                 It should be equal or longer than 10 characters!";
    assert_eq!(rejection(19, short).unwrap(), "the password is too short for the domain's policy");
    let complex = "0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity criteria!";
    assert!(rejection(19, complex).unwrap().contains("not complex enough"));
    let young =
        "0000052D: Constraint violation - check_password_restrictions: password is too young to change!";
    assert!(rejection(19, young).unwrap().contains("too recently"));
    assert!(rejection(50, "00002098: insufficient access").unwrap().contains("Reset password"));
    assert_eq!(rejection(1, "operations error"), None);
}

#[test]
fn bind_refusals_say_why_only_when_it_is_not_the_password() {
    let text = |code| {
        format!("80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data {code}, v1db1")
    };
    assert_eq!(
        bind_refusal(&text("773")),
        Some("the account must change its password before it can be used")
    );
    assert_eq!(bind_refusal(&text("533")), Some("the account is disabled"));
    assert_eq!(bind_refusal(&text("775")), Some("the account is locked out"));
    assert_eq!(bind_refusal(&text("52e")), None);
    assert_eq!(bind_refusal(&text("525")), None);
    assert_eq!(bind_refusal("Invalid credentials"), None);
}

#[test]
fn filetimes_and_policy_intervals_are_read() {
    assert_eq!(filetime(0), None);
    assert_eq!(filetime(i64::MAX), None);
    // 2026-12-04 10:00:00 UTC
    let at = filetime(134_408_520_000_000_000).unwrap();
    assert_eq!(at, time::macros::datetime!(2026-12-04 10:00:00 UTC));
    assert_eq!(interval(-18_000_000_000), Some(Duration::from_secs(1800)));
    assert_eq!(interval(i64::MIN), None);
    assert_eq!(interval(0), None);
}

#[test]
fn a_lockout_lasts_the_domains_duration() {
    let since = time::macros::datetime!(2026-12-04 10:00:00 UTC);
    let account = AccountFacts {
        state: AccountState { locked_at: Some(LockMark::At(since)), ..AccountState::default() },
        ..AccountFacts::default()
    };
    let policy = PolicyFacts {
        known: true,
        lockout_duration: Some(Duration::from_secs(1800)),
        ..PolicyFacts::default()
    };
    let during = ActiveDirectory.account_status(&account, &policy, since + Duration::from_secs(60));
    assert!(during.locked);
    assert_eq!(during.locked_until, Some(since + Duration::from_secs(1800)));
    let after = ActiveDirectory.account_status(&account, &policy, since + Duration::from_secs(1801));
    assert!(!after.locked && after.locked_since.is_none());
}

#[test]
fn privileged_groups_are_known_by_sid() {
    fn sid(subs: &[u32]) -> Vec<u8> {
        let mut raw = vec![1, subs.len() as u8, 0, 0, 0, 0, 0, 5];
        subs.iter().for_each(|s| raw.extend(s.to_le_bytes()));
        raw
    }
    assert!(is_privileged_sid(&sid(&[32, 544])));
    assert!(is_privileged_sid(&sid(&[32, 551])));
    assert!(!is_privileged_sid(&sid(&[32, 545])), "Users");
    assert!(is_privileged_sid(&sid(&[21, 1, 2, 3, 512])));
    assert!(is_privileged_sid(&sid(&[21, 1, 2, 3, 519])));
    assert!(!is_privileged_sid(&sid(&[21, 1, 2, 3, 513])), "Domain Users");
    assert!(!is_privileged_sid(&sid(&[21, 1, 2, 3, 1105])));
    assert!(!is_privileged_sid(&[1, 9]));
}

fn person(username: &str, display_name: Option<&str>, context: &[&str]) -> Person {
    Person {
        dn: Dn::new(format!("CN={username},DC=x")),
        username: username.into(),
        email: None,
        display_name: display_name.map(str::to_owned),
        account: AccountFacts::default(),
        context: context.iter().map(|v| (*v).to_owned()).collect(),
        direct_groups: None,
    }
}

#[test]
fn a_generated_password_avoids_the_account_name_and_the_display_names_tokens() {
    let policy = PolicyFacts { min_length: Some(14), ..PolicyFacts::default() };
    let rules = ActiveDirectory.known_rules(&person("jdoe", Some("John Q. de-Doe_Smith"), &[]), &policy);
    assert_eq!(rules.min_length, 14);
    assert_eq!(rules.forbidden, ["jdoe", "john", "doe", "smith"]);
    // Names under 3 characters are not checked at all.
    let rules = ActiveDirectory.known_rules(&person("al", Some("Al Li"), &[]), &policy);
    assert!(rules.forbidden.is_empty());
}
