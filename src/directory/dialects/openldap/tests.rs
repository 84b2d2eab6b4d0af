//! The OpenLDAP dialect's rules, on entries made by hand.

use super::refusals::rejection;
use super::*;

#[test]
fn ids_are_searched_in_entry_uuid_form() {
    let id = Uuid::parse_str("E4CE6648-7BC2-1041-8A48-1D627CE7D807").unwrap();
    assert_eq!(OpenLdap.id_assertion(&id), "e4ce6648-7bc2-1041-8a48-1d627ce7d807");
}

#[test]
fn group_filters_escape_member_dns() {
    let filter = OpenLdap.groups_filter(&[Dn::new("uid=a*)(uid=*,dc=x")]);
    assert!(filter.contains(r"(member=uid=a\2a\29\28uid=\2a,dc=x)"), "{filter}");
}

#[test]
fn temporary_passwords_set_pwd_reset_in_the_same_modify() {
    let secret = SecretString::from("x");
    let mods =
        |temporary, unlock| match OpenLdap.password_write(&secret, Write { temporary, unlock }).operation {
            WriteOperation::Modify(mods) => mods.len(),
            WriteOperation::PasswordModify => 0,
        };
    assert_eq!((mods(true, false), mods(false, false)), (2, 1));
    assert_eq!(mods(false, true), 2, "the lock goes in the same modify");
}

#[test]
fn refusals_read_as_plain_words() {
    assert_eq!(
        rejection(19, "Password fails quality checking policy", Some(6)).unwrap(),
        "the password is too short for the directory's policy"
    );
    assert!(rejection(19, "Password is in history of old passwords", None).unwrap().contains("used before"));
    assert!(rejection(50, "", None).unwrap().contains("does not allow"));
    assert_eq!(rejection(1, "operations error", None), None);
}

#[test]
fn history_updates_that_lost_a_race_are_known() {
    let answer = |rc, text: &str| LdapResult {
        rc,
        matched: String::new(),
        text: text.into(),
        refs: vec![],
        ctrls: vec![],
    };
    assert!(OpenLdap.raced(&answer(16, "modify/delete: pwdHistory: no such value")));
    assert!(OpenLdap.raced(&answer(20, "modify/add: pwdHistory: value #0 already exists")));
    assert!(!OpenLdap.raced(&answer(19, "Password is in history of old passwords")));
}

#[test]
fn binds_are_refused_without_a_reason() {
    let result = LdapResult {
        rc: 49,
        matched: String::new(),
        text: "Invalid credentials".into(),
        refs: vec![],
        ctrls: vec![],
    };
    assert_eq!(OpenLdap.bind_outcome(&result), Some(BindOutcome::Refused(None)));
}
