//! Lookups over the same small directory: the same authentication and
//! order as a reset, the same reach (outside it: not found), and actions
//! that say what a reset would do.

use super::delegation::delegated_service;
use super::*;

fn basic(name: &str) -> Credentials {
    Credentials {
        principal: Principal::Basic { username: name.into(), password: PASSWORD.into() },
        admin_password: None,
    }
}

async fn show(service: &App<Directory>, actor: &str, target: &str) -> Result<Shown, Failure> {
    service.show(&context(), &basic(actor), &Target::Name(target.into())).await
}

#[tokio::test]
async fn a_person_is_shown_with_what_a_reset_would_do() {
    let service = service(directory());
    let alice = show(&service, "agent", "alice").await.unwrap();
    assert_eq!((alice.actions.reset, alice.actions.unlock), (true, false));
    let ceo = show(&service, "agent", "ceo").await.unwrap();
    assert!(!ceo.actions.reset, "protected people are shown, but not for a reset");
    let lucy = show(&service, "agent", "lucy").await.unwrap();
    assert!(lucy.status.locked && !lucy.actions.reset, "locked, and this delegation may not unlock");
    assert!(service.directory.written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn outside_the_reach_is_not_found_and_a_non_admin_is_forbidden() {
    let service = delegated_service(directory());
    // paris reaches ou=paris people matching (site=paris): olga does not match.
    assert_eq!(show(&service, "paris", "olga").await.unwrap_err().code(), "user_not_found");
    assert_eq!(show(&service, "paris", "alice").await.unwrap_err().code(), "user_not_found");
    assert_eq!(show(&service, "paris", "nobody").await.unwrap_err().code(), "user_not_found");
    let pierre = show(&service, "paris", "pierre").await.unwrap();
    assert_eq!(pierre.actions.temporary, Allowance::Always);
    let paula = show(&service, "paris", "paula").await.unwrap();
    assert!(paula.actions.reset && paula.actions.unlock, "this delegation may unlock");
    assert_eq!(show(&service, "alice", "pierre").await.unwrap_err().code(), "forbidden");
}

#[tokio::test]
async fn a_wrong_password_is_401_before_anything_is_looked_up() {
    let service = service(directory());
    let wrong = Credentials {
        principal: Principal::Basic { username: "agent".into(), password: "wrong".into() },
        admin_password: None,
    };
    let answer = service.search(&context(), &wrong, text("a"), 20).await;
    assert_eq!(answer.unwrap_err().code(), "unauthenticated");
    assert!(!service.directory.asked.lock().unwrap().contains(&"find_people"));
}

#[tokio::test]
async fn a_search_finds_only_the_reach_of_the_actors_delegations() {
    let service = delegated_service(directory());
    let found = service.search(&context(), &basic("paris"), text("p"), 20).await.unwrap();
    let names: Vec<&str> = found.people.iter().map(|s| s.person.username.as_str()).collect();
    // pierre and paula match the delegation; "paris" itself lies outside ou=paris.
    assert_eq!(names, ["paula", "pierre"]);
    assert!(!found.truncated);
    let one = service.search(&context(), &basic("paris"), text("p"), 1).await.unwrap();
    assert_eq!((one.people.len(), one.truncated), (1, true));
}

fn text(text: &str) -> crate::directory::PeopleQuery<'_> {
    crate::directory::PeopleQuery { text: Some(text), listed: None }
}
