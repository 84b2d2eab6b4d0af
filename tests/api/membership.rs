//! `directory.membership = "memberof"`: direct groups read with the person,
//! only while the directory is proven to keep `memberOf` for every group
//! pwproxy walks.

use serde_json::json;

use pwproxy::config::Membership;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

fn body(password: &str) -> serde_json::Value {
    json!({ "password": password, "password_2": password })
}

fn by_memberof(settings: &mut pwproxy::config::Settings) {
    settings.directory.membership = Membership::MemberOf;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_memberof_spares_the_first_group_search_of_each_walk() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, by_memberof).await;
    assert!(app.memberof_proven().await, "the fixture keeps memberOf for both group types");
    let (person, [by_token, by_basic, by_name, login]) = crate::one_request_of_each_kind(&dir, &app).await;

    for answer in [&by_token, &by_basic, &by_name, &login] {
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    // find the admin and the target together (their groups come along), modify
    assert_eq!(exchanges_of(&by_token.request_id()), 2);
    // … plus the admin's bind
    assert_eq!(exchanges_of(&by_basic.request_id()), 3);
    assert_eq!(exchanges_of(&by_name.request_id()), 3);
    // find the admin (their groups come along), bind
    assert_eq!(exchanges_of(&login.request_id()), 2);
    assert!(dir.binds(&person.dn, "Count-Passw0rd-3").await);
    assert!(!dir.binds(&person.dn, "Count-Passw0rd-2").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nesting_above_memberof_still_empowers_and_still_protects() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, by_memberof).await;
    assert!(app.memberof_proven().await);

    // tier2agent is an admin through a groupOfUniqueNames nested in helpdesk.
    let person = dir.add_person("target", true).await;
    let answer =
        app.persons(&person.id, Some(&basic("tier2agent", SEED_PASSWORD)), body("Nested-Passw0rd-1")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(dir.binds(&person.dn, "Nested-Passw0rd-1").await);

    // …and so is protected, as are the admins and carl (board, in executives).
    let auth = basic("helpdesk1", SEED_PASSWORD);
    for uid in ["tier2agent", "helpdesk1", "carl"] {
        let dn = format!("uid={uid},{PEOPLE}");
        let answer = app.persons(&dir.id_of(&dn).await, Some(&auth), body("Nested-Passw0rd-2")).await;
        answer.assert_persons_error(403, "forbidden");
        assert!(dir.binds(&dn, SEED_PASSWORD).await, "{uid} unchanged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memberof_the_directory_did_not_keep_is_never_read() {
    let dir = TestDirectory::start_own().await;
    // A person and a protected group listing them, written past the
    // overlays: the person has no memberOf at all.
    dir.own().bulk_load(&format!(
        "dn: uid=late,{PEOPLE}\nobjectClass: inetOrgPerson\nuid: late\ncn: late\nsn: Late\n\
         userPassword: {SEED_PASSWORD}\n\n\
         dn: cn=late-staff,ou=groups,{BASE}\nobjectClass: groupOfUniqueNames\ncn: late-staff\n\
         uniqueMember: uid=late,{PEOPLE}\n\n"
    ));
    let late = format!("uid=late,{PEOPLE}");
    let app = TestApp::spawn_with(&dir, |settings| {
        by_memberof(settings);
        settings.authorization.protected_groups.push(format!("cn=late-staff,ou=groups,{BASE}"));
    })
    .await;

    let mut exchanges = 0;
    assert!(!app.memberof_proven().await, "memberOf misses uid=late's group");
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let id = dir.id_of(&late).await;
    for _ in 0..2 {
        // A password free of "late", so that only the protection refuses it:
        // with memberOf read unproven, this reset goes through.
        let answer = app.persons(&id, Some(&auth), body("Fresh-Passw0rd-9")).await;
        answer.assert_persons_error(403, "forbidden");
        assert!(dir.binds(&late, SEED_PASSWORD).await);
        // The walk answered (once the pools are warm): find both, bind, the
        // groups of both.
        exchanges = exchanges_of(&answer.request_id());
    }
    assert_eq!(exchanges, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_listed_before_they_existed_has_no_memberof_and_fails_the_proof() {
    let dir = TestDirectory::start_own().await;
    let late = format!("uid=listed-early,{PEOPLE}");
    dir.set_membership(HELPDESK, &late, true).await;
    dir.add_entry(
        &late,
        vec![
            ("objectClass", vec!["inetOrgPerson"]),
            ("uid", vec!["listed-early"]),
            ("cn", vec!["listed-early"]),
            ("sn", vec!["Early"]),
            ("userPassword", vec![SEED_PASSWORD]),
        ],
    )
    .await;
    assert_eq!(dir.attribute(&late, "memberOf").await, None, "the overlay gives it no memberOf");

    let app = TestApp::spawn_with(&dir, by_memberof).await;
    assert!(!app.memberof_proven().await);
    // An admin, found by the walk: never reset by another admin.
    let answer = app
        .persons(&dir.id_of(&late).await, Some(&basic("helpdesk1", SEED_PASSWORD)), body("Fresh-Passw0rd-9"))
        .await;
    answer.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&late, SEED_PASSWORD).await);
}
