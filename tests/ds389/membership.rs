//! Group walks on 389 DS: side by side and within the README's round
//! trips, and the memberOf plug-in's answers used only once proven.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walks_run_side_by_side_and_each_request_takes_the_round_trips_the_readme_gives() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    // The first request makes the pools' connections; the next are counted.
    let warm = dir.add_person("warm", true).await;
    app.persons(&warm.id, Some(&helpdesk1()), reset(NEW)).await;
    let person = dir.add_person("target", true).await;

    let temporary = app.persons(&person.id, Some(&helpdesk1()), reset(NEW)).await;
    let permanent = app.users(None, by_name(&person.uid, "FreshPassw0rdTwo", false)).await;

    assert_eq!(temporary.status, 200, "{temporary:?}");
    assert_eq!(permanent.status, 200, "{permanent:?}");
    // find the admin and the target, bind, the admin's groups ‖ the target's
    // groups (389 DS has no Matched Values: one walk each), the policy read,
    // the Password Modify operation
    assert_eq!(exchanges_of(&temporary.request_id()), 6);
    // … no policy read, a plain modify
    assert_eq!(exchanges_of(&permanent.request_id()), 5);
    assert!(dir.binds(&person.dn, "FreshPassw0rdTwo").await);
}

/// `directory.membership = "memberof"`, the groups searched under
/// ou=groups only: the fixture's MemberOf plug-in keeps memberOf there.
fn by_memberof(settings: &mut pwproxy::config::Settings) {
    settings.directory.membership = pwproxy::config::Membership::MemberOf;
    settings.directory.groups_base_dn = Some(format!("ou=groups,{BASE}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plug_ins_nested_memberof_is_proven_and_spares_the_walks() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, by_memberof).await;
    // 389 DS names the groups above too (tier2agent: tier2 and helpdesk).
    assert!(app.memberof_proven().await, "the fixture's plug-in keeps memberOf for both group types");
    let warm = dir.add_person("warm", true).await;
    app.persons(&warm.id, Some(&helpdesk1()), reset(NEW)).await;
    let person = dir.add_person("target", true).await;

    // tier2agent acts through a groupOfUniqueNames nested in helpdesk.
    let by_nested = app.persons(&person.id, Some(&basic("tier2agent", SEED_PASSWORD)), permanent(NEW)).await;
    assert_eq!(by_nested.status, 200, "{by_nested:?}");
    let answer = app.users(None, by_name(&person.uid, "FreshPassw0rdTwo", false)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // find the admin and the target (their groups come along), bind, modify
    assert_eq!(exchanges_of(&answer.request_id()), 3);
    assert!(dir.binds(&person.dn, "FreshPassw0rdTwo").await);

    let other_admin = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &other_admin.dn, true).await;
    for dn in [other_admin.dn.as_str(), &format!("uid=carl,{PEOPLE}"), &format!("uid=tier2agent,{PEOPLE}")] {
        let id = dir.id_of(dn).await;
        app.persons(&id, Some(&helpdesk1()), reset(NEW)).await.assert_persons_error(403, "forbidden");
        assert!(dir.binds(dn, SEED_PASSWORD).await, "{dn} unchanged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberof_the_plug_in_does_not_keep_is_never_read() {
    let dir = TestDirectory::ds389_from_env();
    // ou=imported is outside the plug-in's scope (create.sh): a protected
    // group there leaves its member without memberOf.
    let imported = format!("ou=imported,{BASE}");
    let person = dir.add_person_in(&imported, "imported", false, &[]).await;
    let name = format!("staff-{}", person.uid);
    let group = format!("cn={name},{imported}");
    let attrs = vec![
        ("objectClass", vec!["groupOfNames"]),
        ("cn", vec![name.as_str()]),
        ("member", vec![person.dn.as_str()]),
    ];
    dir.add_entry(&group, attrs).await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.directory.membership = pwproxy::config::Membership::MemberOf;
        settings.directory.users_base_dn = imported.clone();
        settings.directory.admins_base_dn = Some(PEOPLE.to_owned());
        settings.directory.groups_base_dn = Some(BASE.to_owned());
        settings.authorization.protected_groups.push(group.clone());
    })
    .await;
    assert!(!app.memberof_proven().await);

    // With memberOf read unproven, this reset would go through.
    let answer = app.persons(&person.id, Some(&helpdesk1()), permanent(NEW)).await;
    answer.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}
