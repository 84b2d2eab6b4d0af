//! The use case's decision order over a small in-memory directory: which
//! answer wins when several apply, and that nothing is written before every
//! check has passed. The same paths run against real servers in `tests/`.

mod delegation;
pub(crate) mod directory;
mod generated;
mod lookup;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::*;
use crate::access::Refusal;
use crate::access::{Allowance, Delegation};
use crate::audit::{RequestContext, Via};
use crate::config::{PolicySettings, RateLimitSettings};
use crate::directory::{AccountFacts, Write};
use crate::dn::Dn;
use directory::Directory;

const HELPDESK: &str = "cn=helpdesk,dc=x";
const EXECUTIVES: &str = "cn=executives,dc=x";
pub(crate) const PASSWORD: &str = "right-password";
const NEW: &str = "a-new-password-1";

fn locked() -> AccountFacts {
    AccountFacts { locked: true, ..AccountFacts::default() }
}

/// `agent` is an admin, `alice` and `bob` ordinary, `ceo` protected, `lucy`
/// locked, `mallory` nobody in particular.
pub(crate) fn directory() -> Directory {
    Directory::default()
        .with("agent", &[HELPDESK], AccountFacts::default())
        .with("agent2", &[HELPDESK], locked())
        .with("alice", &[], AccountFacts::default())
        .with("ceo", &[EXECUTIVES], locked())
        .with("lucy", &[], locked())
        .with("mallory", &[], AccountFacts::default())
}

pub(crate) fn service(directory: Directory) -> App<Directory> {
    App::new(
        directory,
        Rules::new(vec![Delegation::whole(Dn::new(HELPDESK), Dn::new("dc=x"))], &[EXECUTIVES.into()], true),
        Tokens::new(&"a token secret of at least 32 bytes".into(), 60),
        policy(true),
        Lockout::new(&RateLimitSettings {
            failures_per_name: 2,
            failures_per_address: 100,
            window_secs: 900,
            ..RateLimitSettings::default()
        }),
        Duration::from_secs(5),
    )
}

fn policy(must_change: bool) -> Policy {
    let settings =
        PolicySettings { min_length: 12, max_length: 64, must_change, ..PolicySettings::default() };
    Policy::load(&settings).unwrap()
}

fn context() -> RequestContext {
    RequestContext {
        request_id: "test".into(),
        client: IpAddr::V4(Ipv4Addr::LOCALHOST),
        via: Via::Api,
        endpoint: "test",
    }
}

fn command(admin: &str, admin_password: &str, target: &str, password: &str) -> ResetCommand {
    ResetCommand {
        credentials: Credentials {
            principal: Principal::Named(admin.into()),
            admin_password: Some(admin_password.into()),
        },
        target: Target::Name(target.into()),
        password: typed(password, None),
        temporary: None,
        unlock: false,
    }
}

fn typed(password: &str, confirmation: Option<&str>) -> NewPassword {
    NewPassword::Typed { password: password.into(), confirmation: confirmation.map(SecretString::from) }
}

async fn reset(service: &App<Directory>, command: ResetCommand) -> Result<Changed, Failure> {
    service.reset(&context(), command).await
}

fn code(result: Result<Changed, Failure>) -> &'static str {
    result.err().map_or("ok", |f| f.code())
}

#[tokio::test]
async fn an_admin_resets_an_ordinary_person_on_their_own_connection() {
    let service = service(directory());
    assert_eq!(code(reset(&service, command("agent", PASSWORD, "alice", NEW)).await), "ok");
    let written = service.directory.written.lock().unwrap().clone();
    let write = Write { temporary: true, unlock: false };
    assert_eq!(written, [("uid=alice,dc=x".to_string(), write, Some("uid=agent,dc=x".to_string()))]);
}

#[tokio::test]
async fn no_credentials_is_refused_before_any_directory_question() {
    let service = service(directory());
    let mut anonymous = command("agent", PASSWORD, "alice", NEW);
    anonymous.credentials = Credentials { principal: Principal::Missing, admin_password: None };
    assert_eq!(code(reset(&service, anonymous).await), "unauthenticated");
    assert!(service.directory.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_401_whatever_the_target_and_locks_the_name_out() {
    let service = service(directory());
    for _ in 0..2 {
        assert_eq!(code(reset(&service, command("agent", "wrong", "nobody", NEW)).await), "unauthenticated");
    }
    let asked = service.directory.asked.lock().unwrap().len();
    let answer = reset(&service, command("agent", PASSWORD, "alice", NEW)).await;
    assert!(matches!(answer, Err(Failure::RateLimited(_))), "{answer:?}");
    assert_eq!(service.directory.asked.lock().unwrap().len(), asked, "the directory was not asked");
}

#[tokio::test]
async fn a_refused_password_is_the_answer_whatever_the_walk_beside_it_met() {
    let service = service(Directory { walks_fail: true, ..directory() });
    assert_eq!(code(reset(&service, command("agent", "wrong", "alice", NEW)).await), "unauthenticated");
    assert_eq!(code(reset(&service, command("agent2", PASSWORD, "alice", NEW)).await), "unauthenticated");
    let asked = service.directory.asked.lock().unwrap().clone();
    assert!(asked.contains(&"bind") && asked.contains(&"groups_of"), "both ran: {asked:?}");
    // With the password right, the walk's failure is the answer.
    assert_eq!(
        code(reset(&service, command("agent", PASSWORD, "alice", NEW)).await),
        "directory_unavailable"
    );
    assert!(service.directory.written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_non_admin_is_forbidden_before_the_target_is_known_to_be_missing() {
    let service = service(directory());
    let answer = reset(&service, command("mallory", PASSWORD, "nobody", NEW)).await;
    assert!(matches!(answer, Err(Failure::Forbidden(Refusal::ActorNotAdmin))), "{answer:?}");
    assert_eq!(code(reset(&service, command("agent", PASSWORD, "nobody", NEW)).await), "user_not_found");
}

#[tokio::test]
async fn protection_comes_before_inactivity_and_inactivity_before_policy() {
    let service = service(directory());
    let answer = reset(&service, command("agent", PASSWORD, "agent2", "short")).await;
    assert!(matches!(answer, Err(Failure::Forbidden(Refusal::TargetIsAdmin))), "{answer:?}");
    let answer = reset(&service, command("agent", PASSWORD, "ceo", "short")).await;
    assert!(matches!(answer, Err(Failure::Forbidden(Refusal::TargetProtected))), "{answer:?}");
    assert_eq!(code(reset(&service, command("agent", PASSWORD, "lucy", "short")).await), "user_inactive");
    assert!(service.directory.written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_lone_mismatch_is_its_own_code_and_with_other_rules_one_of_them() {
    let service = service(directory());
    let mut mismatch = command("agent", PASSWORD, "alice", NEW);
    mismatch.password = typed(NEW, Some("a-new-password-2"));
    assert_eq!(code(reset(&service, mismatch).await), "passwords_do_not_match");
    let mut both = command("agent", PASSWORD, "alice", "xq-alice-7");
    both.password = typed("xq-alice-7", Some("other"));
    let answer = reset(&service, both).await;
    let Err(Failure::PasswordPolicy(rules)) = answer else { panic!("{answer:?}") };
    assert_eq!(
        rules.iter().map(|r| r.code()).collect::<Vec<_>>(),
        ["passwords_do_not_match", "password_too_short", "password_contains_username"]
    );
    assert!(service.directory.written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_directory_refusal_is_passed_on_in_its_words() {
    let service = service(Directory { refusal: Some("used before".into()), ..directory() });
    let answer = reset(&service, command("agent", PASSWORD, "alice", NEW)).await;
    assert!(
        matches!(&answer, Err(Failure::DirectoryRejectedPassword(r)) if r == "used before"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_token_writes_as_the_service_and_temporary_follows_the_request() {
    let service = service(directory());
    let token = service.login(&context(), "agent", &PASSWORD.into()).await.unwrap();
    let mut by_token = command("agent", PASSWORD, "alice", NEW);
    by_token.credentials = Credentials { principal: Principal::Bearer(token), admin_password: None };
    by_token.temporary = Some(false);
    assert_eq!(code(reset(&service, by_token).await), "ok");
    let written = service.directory.written.lock().unwrap().clone();
    assert_eq!(written, [("uid=alice,dc=x".to_string(), Write { temporary: false, unlock: false }, None)]);
}

#[tokio::test]
async fn a_locked_admin_cannot_sign_in() {
    let service = service(directory());
    let answer = service.login(&context(), "agent2", &PASSWORD.into()).await;
    assert!(matches!(answer, Err(Failure::Unauthenticated(_))), "{answer:?}");
    let answer = service.login(&context(), "mallory", &PASSWORD.into()).await;
    assert!(matches!(answer, Err(Failure::Forbidden(Refusal::ActorNotAdmin))), "{answer:?}");
}

#[tokio::test]
async fn a_refused_sign_in_is_the_answer_whatever_the_walk_beside_it_met() {
    let service = service(Directory { walks_fail: true, ..directory() });
    let sign_in = async |name: &str, password: &str| {
        service.login(&context(), name, &password.into()).await.err().map_or("ok", |f| f.code())
    };
    assert_eq!(sign_in("agent", "wrong").await, "unauthenticated");
    assert_eq!(sign_in("agent2", PASSWORD).await, "unauthenticated", "locked");
    let asked = service.directory.asked.lock().unwrap().clone();
    assert!(asked.contains(&"bind") && asked.contains(&"groups_of"), "both ran: {asked:?}");
    // With the password right, the walk's failure is the answer.
    assert_eq!(sign_in("agent", PASSWORD).await, "directory_unavailable");
}

#[test]
fn debug_output_of_a_command_redacts_every_secret() {
    let command = ResetCommand {
        credentials: Credentials {
            principal: Principal::Basic { username: "helpdesk1".into(), password: "basic-secret-1".into() },
            admin_password: Some("admin-secret-2".into()),
        },
        target: Target::Name("alice".into()),
        password: typed("new-secret-3", Some("new-secret-3")),
        temporary: None,
        unlock: false,
    };
    let bearer = Principal::Bearer("token-secret-4".into());
    let debug = format!("{command:?} {bearer:?}");
    assert!(debug.contains("helpdesk1") && debug.contains("alice"), "{debug}");
    for secret in ["basic-secret-1", "admin-secret-2", "new-secret-3", "token-secret-4"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}
