//! Delegation: reach by base and filter, options, unlock, in the contract's
//! order.

use super::*;

/// `agent` reaches everyone with the defaults; `paris` (in PARIS) reaches
/// `ou=paris` people matching `(site=paris)`, may unlock and must set
/// temporary passwords.
const PARIS: &str = "cn=paris,dc=x";

pub(super) fn delegated_service(mut directory: Directory) -> App<Directory> {
    directory = directory
        .with("paris", &[PARIS], AccountFacts::default())
        .with_dn("pierre", "uid=pierre,ou=paris,dc=x", AccountFacts::default())
        .with_dn("paula", "uid=paula,ou=paris,dc=x", locked())
        .with_dn("olga", "uid=olga,ou=paris,dc=x", AccountFacts::default())
        .with_dn(
            "dora",
            "uid=dora,ou=paris,dc=x",
            AccountFacts { disabled: true, ..AccountFacts::default() },
        );
    for name in ["pierre", "paula", "dora"] {
        directory.matching.push((format!("uid={name},ou=paris,dc=x"), "(site=paris)"));
    }
    let paris = Delegation {
        group: Dn::new(PARIS),
        bases: vec![Dn::new("ou=paris,dc=x")],
        filter: Some("(site=paris)".into()),
        unlock: Allowance::Optional,
        must_change: Allowance::Always,
        disable: crate::access::Permission::Allowed,
    };
    let helpdesk = Delegation::whole(Dn::new(HELPDESK), Dn::new("dc=x"));
    App::new(
        directory,
        Rules::new(vec![helpdesk, paris], &[EXECUTIVES.into()], true),
        Tokens::new(&"a token secret of at least 32 bytes".into(), 60),
        policy(false),
        Lockout::new(&RateLimitSettings {
            failures_per_name: 100,
            failures_per_address: 100,
            window_secs: 900,
            ..RateLimitSettings::default()
        }),
        Duration::from_secs(5),
    )
}

fn forbidden(result: Result<Changed, Failure>) -> Option<Refusal> {
    match result {
        Err(Failure::Forbidden(refusal)) => Some(refusal),
        _ => None,
    }
}

#[tokio::test]
async fn a_delegated_admin_reaches_only_their_bases_and_filter() {
    let service = delegated_service(directory());
    assert_eq!(code(reset(&service, command("paris", PASSWORD, "pierre", NEW)).await), "ok");
    let outside = reset(&service, command("paris", PASSWORD, "alice", NEW)).await;
    assert_eq!(forbidden(outside), Some(Refusal::OutOfReach));
    let unmatched = reset(&service, command("paris", PASSWORD, "olga", NEW)).await;
    assert_eq!(forbidden(unmatched), Some(Refusal::OutOfReach));
    // The agent's own delegation reaches everyone, with its own options.
    assert_eq!(code(reset(&service, command("agent", PASSWORD, "olga", NEW)).await), "ok");
    let written = service.directory.written.lock().unwrap().clone();
    assert_eq!(written[0].1, Write { temporary: true, unlock: false }, "paris forces temporary passwords");
    assert_eq!(written[1].1, Write { temporary: false, unlock: false }, "the default elsewhere");
}

#[tokio::test]
async fn not_found_comes_before_scope_and_protection_before_scope() {
    let service = delegated_service(directory());
    assert_eq!(code(reset(&service, command("paris", PASSWORD, "nobody", NEW)).await), "user_not_found");
    let protected = reset(&service, command("paris", PASSWORD, "ceo", NEW)).await;
    assert_eq!(forbidden(protected), Some(Refusal::TargetProtected));
}

#[tokio::test]
async fn options_the_delegation_does_not_allow_are_refused_before_anything_is_written() {
    let service = delegated_service(directory());
    let mut permanent = command("paris", PASSWORD, "pierre", NEW);
    permanent.temporary = Some(false);
    assert_eq!(forbidden(reset(&service, permanent).await), Some(Refusal::PermanentNotAllowed));
    let mut unlock = command("agent", PASSWORD, "olga", NEW);
    unlock.unlock = true;
    assert_eq!(forbidden(reset(&service, unlock).await), Some(Refusal::UnlockNotAllowed));
    assert!(service.directory.written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_locked_target_is_unlocked_in_the_write_only_when_asked_and_allowed_and_disabled_never() {
    let service = delegated_service(directory());
    assert_eq!(code(reset(&service, command("paris", PASSWORD, "paula", NEW)).await), "user_inactive");
    let mut unlock = command("paris", PASSWORD, "paula", NEW);
    unlock.unlock = true;
    assert_eq!(code(reset(&service, unlock).await), "ok");
    let mut unlock_disabled = command("paris", PASSWORD, "dora", NEW);
    unlock_disabled.unlock = true;
    assert_eq!(code(reset(&service, unlock_disabled).await), "user_inactive");
    // Asking to unlock an account that is not locked writes no unlock.
    let mut unlock_open = command("paris", PASSWORD, "pierre", NEW);
    unlock_open.unlock = true;
    assert_eq!(code(reset(&service, unlock_open).await), "ok");
    let written = service.directory.written.lock().unwrap().clone();
    assert_eq!(written.iter().map(|w| w.1.unlock).collect::<Vec<_>>(), [true, false]);
}
