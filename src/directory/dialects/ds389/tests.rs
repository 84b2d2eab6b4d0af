//! The 389 DS dialect's rules, on entries made by hand.

use super::refusals::*;
use super::*;

#[test]
fn temporary_passwords_go_through_the_extended_operation_permanent_ones_through_a_modify() {
    let secret = SecretString::from("x");
    let write = |temporary| Ds389.password_write(&secret, Write { temporary, unlock: true }).operation;
    assert!(matches!(write(true), WriteOperation::PasswordModify));
    assert!(matches!(write(false), WriteOperation::Modify(m) if m.len() == 1));
}

#[test]
fn the_plain_modify_texts_read_as_plain_words() {
    let short = rejection(19, "invalid password syntax - password must be at least 10 characters long", None);
    assert_eq!(
        short.unwrap(),
        "the password is too short for the directory's policy (at least 10 characters long)"
    );
    let digits =
        rejection(19, "invalid password syntax - password must contain at least 1 digit characters", None);
    assert!(digits.unwrap().contains("at least 1 digit characters"));
    let entry = rejection(19, "invalid password syntax - password based off of user entry", None).unwrap();
    assert!(entry.contains("own entry"), "{entry}");
    assert!(rejection(19, "password in history", Some(8)).unwrap().contains("used before"));
    assert!(rejection(19, "within password minimum age", Some(7)).unwrap().contains("too recently"));
    assert!(
        rejection(50, "Insufficient 'write' privilege to the 'userPassword' attribute", None)
            .unwrap()
            .contains("does not allow")
    );
    assert_eq!(rejection(1, "operations error", None), None);
}

#[test]
fn the_extended_operation_is_read_from_its_ppolicy_control() {
    let syntax = rejection(19, "Failed to update password", Some(5)).unwrap();
    assert!(syntax.contains("syntax rules"), "{syntax}");
    assert!(rejection(19, "Failed to update password", Some(8)).unwrap().contains("used before"));
    assert!(rejection(19, "Failed to update password", Some(3)).unwrap().contains("does not allow"));
    assert!(rejection(19, "Failed to update password\n", None).unwrap().contains("current one"));
}

fn result(rc: u32, text: &str) -> LdapResult {
    LdapResult { rc, matched: String::new(), text: text.into(), refs: vec![], ctrls: vec![] }
}

#[test]
fn binds_of_locked_disabled_or_expired_accounts_say_why() {
    assert_eq!(Ds389.bind_outcome(&result(0, "")), Some(BindOutcome::Bound));
    assert_eq!(Ds389.bind_outcome(&result(49, "")), Some(BindOutcome::Refused(None)));
    let locked = Ds389.bind_outcome(&result(19, "Exceed password retry limit. Please try later."));
    assert_eq!(locked, Some(BindOutcome::Refused(Some("the account is locked out"))));
    let disabled = Ds389.bind_outcome(&result(53, "Account inactivated. Contact system administrator."));
    assert_eq!(disabled, Some(BindOutcome::Refused(Some("the account is disabled"))));
    let mut expired = result(0, "");
    expired.ctrls.push(ldap3::controls::Control(
        None,
        ldap3::controls::RawControl { ctype: PASSWORD_EXPIRED.into(), crit: false, val: Some(b"0".to_vec()) },
    ));
    assert!(
        matches!(Ds389.bind_outcome(&expired), Some(BindOutcome::Refused(Some(r))) if r.contains("must change"))
    );
    assert_eq!(Ds389.bind_outcome(&result(53, "something else")), None);
}

#[test]
fn a_lock_holds_until_its_time_or_until_an_administrator_acts() {
    assert!(is_locked_until(UNTIL_AN_ADMIN_ACTS, "20261124120000Z"));
    assert!(is_locked_until("20261124130000Z", "20261124120000Z"));
    assert!(!is_locked_until("20261124110000Z", "20261124120000Z"));
    assert_eq!(now().len(), 15);
}

#[test]
fn the_persons_own_policy_decides_must_change_before_the_servers() {
    let own = AccountFacts { policy_entry: Some("cn=p,dc=x".into()), ..AccountFacts::default() };
    assert_eq!(Ds389.must_change_setting(&own).unwrap().entry, "cn=p,dc=x");
    assert_eq!(Ds389.must_change_setting(&AccountFacts::default()).unwrap().entry, "cn=config");
}

#[test]
fn a_generated_password_avoids_every_run_of_the_persons_own_values_under_syntax_checking() {
    let person = Person {
        dn: Dn::new("uid=jdoe,dc=x"),
        username: "jdoe".into(),
        email: None,
        display_name: None,
        account: AccountFacts::default(),
        context: vec!["Li".into()],
        direct_groups: None,
    };
    let policy = PolicyFacts { min_length: Some(10), min_token_length: Some(3), ..PolicyFacts::default() };
    let rules = Ds389.known_rules(&person, &policy);
    assert_eq!((rules.min_length, rules.forbidden), (10, vec!["doe".to_owned(), "jdo".to_owned()]));
    let unchecked = Ds389.known_rules(&person, &PolicyFacts::default());
    assert!(unchecked.forbidden.is_empty());
}
