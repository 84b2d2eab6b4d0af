//! The helpdesk console in a real headless Chromium against the real
//! slapd, every page checked by axe-core; and the requests a browser would
//! not send (forged, or for what the page refused) from a plain client.

use std::path::PathBuf;

use pwproxy_testkit::browser::Browser;
use pwproxy_testkit::console::ConsoleClient;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

const LOCKED: (&str, &str) = ("pwdAccountLockedTime", "000001010000Z");
const NEW: &str = "Console-Passw0rd-1";

/// Where the screenshots of README and docs/console.md come from (`PWPROXY_SCREENSHOTS=docs`
/// writes them; otherwise they go to a scratch folder).
fn screenshots() -> PathBuf {
    std::env::var("PWPROXY_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|_| std::env::temp_dir())
}

/// The page is no wider than the window: nothing scrolls sideways.
async fn assert_fits(browser: &Browser, page: &str) {
    let widths = "return [document.documentElement.scrollWidth, window.innerWidth]";
    let widths = browser.client.execute(widths, vec![]).await.unwrap();
    let [content, window] = [&widths[0], &widths[1]].map(|w| w.as_u64().unwrap());
    assert!(window <= 390, "{page}: the window is {window} px wide, not a phone's");
    assert!(content <= window, "{page}: {content} px of content in a {window} px window");
}

/// A person of the seed (the demo directory's), as the tests name one.
async fn seed_person(dir: &TestDirectory, uid: &str) -> TestPerson {
    let dn = format!("uid={uid},{PEOPLE}");
    let id = dir.id_of(&dn).await;
    TestPerson { uid: uid.into(), mail: dir.attribute(&dn, "mail").await, dn, id }
}

/// A browser signed in to the console as helpdesk1.
async fn signed_in(app: &TestApp) -> Browser {
    let browser = Browser::start().await;
    browser.go(&app.url("/console/signin")).await;
    browser.fill("#username", "helpdesk1").await;
    browser.fill("#password", SEED_PASSWORD).await;
    browser.click("form.card button").await;
    browser.path_becomes("/console/search").await;
    browser
}

async fn accessible(browser: &Browser, page: &str) {
    let problems = browser.serious_accessibility_problems().await;
    assert!(problems.is_empty(), "{page}: {problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_finds_a_person_resets_typed_and_generated_unlocks_and_signs_out() {
    // A slapd of this test's own: the screenshots show the demo directory's
    // people (the seed is the demo's), and alice's password changes here.
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn_with(&dir, unlocking(HELPDESK)).await;
    let typed = seed_person(&dir, "alice").await;
    let locked = dir.add_person_in(PEOPLE, "consolelocked", true, &[LOCKED]).await;
    let browser = Browser::start().await;
    let shots = screenshots();

    browser.go(&app.url("/console/")).await;
    assert_eq!(browser.path().await, "/console/signin");
    accessible(&browser, "sign-in").await;
    browser.screenshot(&shots.join("console-signin.png")).await;
    browser.fill("#username", "helpdesk1").await;
    browser.fill("#password", SEED_PASSWORD).await;
    browser.click("form.card button").await;
    assert_eq!(browser.path_becomes("/console/search").await, "/console/search");

    browser.fill("#q", "a").await;
    browser.click("form.search button").await;
    accessible(&browser, "search results").await;
    assert!(browser.text("table").await.contains("Alice Archer"));
    browser.screenshot(&shots.join("console-search.png")).await;
    browser.click(&format!("a[href='/console/people/{}']", typed.id)).await;
    assert_eq!(browser.path().await, format!("/console/people/{}", typed.id));
    accessible(&browser, "person").await;
    browser.screenshot(&shots.join("console-person.png")).await;
    // Why no expiry is named, in words; no mail to offer without [notify].
    let facts = browser.text(".facts").await;
    assert!(facts.contains("never: the password policy sets no maximum age"), "{facts}");
    assert!(!browser.has("#deliver-mail").await, "no mail option where no mail is sent");

    // Every broken rule at once; nothing written.
    browser.fill("#password", "short").await;
    browser.fill("#password_2", "other").await;
    browser.click("form[action$='/reset'] button").await;
    let problem = browser.text(".problem").await;
    assert!(problem.contains("Nothing was changed"), "{problem}");
    assert!(problem.lines().count() >= 3, "every violation listed: {problem}");
    accessible(&browser, "person with errors").await;
    assert!(dir.binds(&typed.dn, SEED_PASSWORD).await);

    browser.fill("#password", NEW).await;
    browser.fill("#password_2", NEW).await;
    browser.click("form[action$='/reset'] button").await;
    let done = browser.text(".done").await;
    assert!(done.contains("must choose a new password"), "{done}");
    accessible(&browser, "person after a reset").await;
    browser.screenshot(&shots.join("console-reset.png")).await;
    assert!(dir.binds(&typed.dn, NEW).await);
    app.remember_secret(NEW);

    // A generated one, shown once.
    browser.click("input[value='generated'] ~ button").await;
    let generated = browser.text(".secret output").await;
    app.remember_secret(&generated);
    assert_eq!(generated.chars().count(), 20);
    assert!(dir.binds(&typed.dn, &generated).await);
    browser.go(&app.url(&format!("/console/people/{}", typed.id))).await;
    assert!(!browser.has(".secret").await, "shown once only");

    // On a phone's width: one column, nothing cut off, still accessible;
    // long unbroken values (a name, an address) wrap.
    browser.resize(390, 844).await;
    assert_fits(&browser, "person on a phone").await;
    accessible(&browser, "person on a phone").await;
    browser.screenshot(&shots.join("console-phone.png")).await;
    let long_name = "MaximilianeOberhuberSchmidtWittelsbachXYZ1";
    let long = [("cn", long_name), ("mail", "maximiliane.oberhuber-schmidt@verwaltung.acme.test")];
    let long = dir.add_person_in(PEOPLE, "maximiliane", true, &long).await;
    browser.go(&app.url(&format!("/console/people/{}", long.id))).await;
    assert_fits(&browser, "a person with a 42-character name on a phone").await;
    browser.go(&app.url("/console/search?q=maximiliane")).await;
    assert!(browser.text("table").await.contains("verwaltung.acme.test"));
    assert_fits(&browser, "search results with a long address on a phone").await;
    accessible(&browser, "search results on a phone").await;
    browser.resize(1100, 900).await;

    // A locked person: unlocked with the reset.
    browser.go(&app.url(&format!("/console/people/{}", locked.id))).await;
    assert!(browser.text(".facts").await.contains("locked"));
    browser.fill("#password", NEW).await;
    browser.fill("#password_2", NEW).await;
    browser.click("form[action$='/reset'] button").await;
    assert!(browser.text(".done").await.contains("The account was unlocked"));
    assert!(dir.binds(&locked.dn, NEW).await);

    // The person's latest events, and the activity pages.
    let recent = browser.text("table.events").await;
    assert!(recent.contains("reset") && recent.contains("helpdesk1"), "{recent}");
    accessible(&browser, "person with recent activity").await;
    browser.click(".bar nav a[href='/console/activity']").await;
    assert_eq!(browser.path().await, "/console/activity");
    accessible(&browser, "activity").await;
    browser.screenshot(&shots.join("console-activity.png")).await;
    // (Loaded by its address: the form's answer is the same path.)
    browser.go(&app.url("/console/activity?actor=helpdesk1")).await;
    let listed = browser.text("table.events").await;
    assert!(listed.contains(&locked.uid) && listed.contains("login") && listed.contains("reset"), "{listed}");
    browser.resize(390, 844).await;
    assert_fits(&browser, "activity on a phone").await;
    accessible(&browser, "activity on a phone").await;
    browser.resize(1100, 900).await;

    browser.click(".signout button").await;
    assert_eq!(browser.path_becomes("/console/signin").await, "/console/signin");
    browser.go(&app.url("/console/search")).await;
    assert_eq!(browser.path().await, "/console/signin", "signed out for good");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_refused_form_changes_nothing_and_a_non_admin_cannot_sign_in() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("consoleforged", true).await;
    let boss = dir.add_person("consoleboss", true).await;
    dir.set_membership(EXECUTIVES, &boss.dn, true).await;

    let mut outsider = ConsoleClient::new(&app.url(""));
    let page = outsider.sign_in(&person.uid, SEED_PASSWORD).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("not allowed"), "{}", page.body);

    let mut agent = ConsoleClient::new(&app.url(""));
    let page = agent.sign_in("helpdesk1", SEED_PASSWORD).await;
    assert_eq!((page.status, page.location()), (303, Some("/console/search")));
    let page = agent.get("/console/search").await;
    for (name, value) in [
        ("content-security-policy", "default-src 'none'; style-src 'self'"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        let header = page.headers[name].to_str().unwrap();
        assert!(header.starts_with(value), "{name}: {header}");
    }
    let reset = format!("/console/people/{}/reset", person.id);
    let form = |csrf: &str| {
        [
            ("csrf", csrf.to_owned()),
            ("mode", "typed".into()),
            ("password", NEW.into()),
            ("password_2", NEW.into()),
        ]
    };
    let forged = form("not-the-token");
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = agent.post(&reset, &forged).await;
    assert_eq!(page.status, 403);
    let without: Vec<(&str, &str)> = forged.iter().copied().filter(|(k, _)| *k != "csrf").collect();
    assert_eq!(agent.post(&reset, &without).await.status, 400);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing was written");

    // The protected person's page offers no reset; a form sent anyway is refused.
    let page = agent.get(&format!("/console/people/{}", boss.id)).await;
    assert!(page.body.contains("You cannot reset this password"), "{}", page.body);
    let csrf = agent.csrf.clone();
    let sent = form(&csrf);
    let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = agent.post(&format!("/console/people/{}/reset", boss.id), &sent).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(dir.binds(&boss.dn, SEED_PASSWORD).await);
    app.remember_secret(&csrf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_console_is_not_there() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.console.enabled = false).await;
    let answer = app.get("/console/signin").await;
    answer.assert_persons_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_unlocks_disables_and_enables_from_the_persons_page_with_a_reason() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, pwproxy_testkit::config::unlocking_and_disabling(HELPDESK)).await;
    let person = dir.add_person_in(PEOPLE, "consoleacted", true, &[LOCKED]).await;
    let browser = signed_in(&app).await;
    let form = |action: &str| format!("form[action$='/account']:has(input[value='{action}'])");

    browser.go(&app.url(&format!("/console/people/{}", person.id))).await;
    assert!(browser.has(&form("unlock")).await && browser.has(&form("disable")).await);
    assert!(!browser.has(&form("enable")).await, "enable is offered only to a disabled person");
    accessible(&browser, "person with account actions").await;
    browser.fill("#reason-unlock", "called from the front desk").await;
    browser.click(&format!("{} button", form("unlock"))).await;
    let done = browser.text_once_it_holds(".done", "was unlocked").await;
    assert!(done.contains("was unlocked"), "{done}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "the password is theirs still");
    assert!(!browser.has(&form("unlock")).await, "nothing left to unlock");

    browser.click(&format!("{} button", form("disable"))).await;
    let done = browser.text_once_it_holds(".done", "was disabled").await;
    assert!(done.contains("was disabled"), "{done}");
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await);
    assert!(browser.text(".facts").await.contains("disabled"));
    accessible(&browser, "a disabled person").await;
    // The worklist of the disabled holds them, linked to their page.
    browser.go(&app.url("/console/search?status=disabled")).await;
    assert!(browser.text("main > h2").await.starts_with("Disabled"), "the list's title");
    assert!(browser.has(&format!("table a[href='/console/people/{}']", person.id)).await);
    accessible(&browser, "the disabled worklist").await;
    browser.go(&app.url(&format!("/console/people/{}", person.id))).await;
    browser.click(&format!("{} button", form("enable"))).await;
    let done = browser.text_once_it_holds(".done", "was enabled").await;
    assert!(done.contains("was enabled"), "{done}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);

    let recent = browser.text("table.events").await;
    assert!(recent.contains("unlock") && recent.contains("disable") && recent.contains("enable"), "{recent}");
    browser.close().await;

    // Forged, unreadable or refused forms change nothing.
    let mut agent = ConsoleClient::new(&app.url(""));
    agent.sign_in("helpdesk1", SEED_PASSWORD).await;
    agent.get(&format!("/console/people/{}", person.id)).await;
    let path = format!("/console/people/{}/account", person.id);
    let csrf = agent.csrf.clone();
    app.remember_secret(&csrf);
    let page = agent.post(&path, &[("csrf", "not-the-token"), ("action", "disable")]).await;
    assert_eq!(page.status, 403);
    let page = agent.post(&path, &[("csrf", &csrf), ("action", "explode")]).await;
    assert_eq!(page.status, 400);
    let page = agent.post(&path, &[("csrf", &csrf), ("action", "disable"), ("reason", "two\nlines")]).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("line breaks"), "{}", page.body);
    let carl = format!("/console/people/{}/account", dir.id_of(&format!("uid=carl,{PEOPLE}")).await);
    let page = agent.post(&carl, &[("csrf", &csrf), ("action", "disable")]).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "never disabled by those");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_resets_many_from_pasted_names_and_a_csv_after_a_dry_run_and_passwords_go_by_mail() {
    let (dir, smtp) = (TestDirectory::start().await, pwproxy_testkit::smtp::SmtpServer::start());
    let app = TestApp::spawn_with(&dir, crate::mail::mailing(smtp.url(""), None)).await;
    let pasted = dir.add_person("bulkpasted", true).await;
    let listed = dir.add_person("bulklisted", true).await;
    let no_mail = dir.add_person("bulknomail", false).await;
    let csv = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    std::fs::write(csv.path(), format!("Name,Username\nListed,{}\nNo mail,{}\n", listed.uid, no_mail.uid))
        .unwrap();

    let browser = signed_in(&app).await;
    browser.click(".bar nav a[href='/console/bulk']").await;
    accessible(&browser, "bulk").await;
    // A file over server.max_body_bytes: said so, nothing done.
    let huge = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    std::fs::write(huge.path(), "username\n".to_owned() + &"someone-with-a-long-name\n".repeat(1000))
        .unwrap();
    browser.element("#file").await.send_keys(&huge.path().display().to_string()).await.unwrap();
    browser.click("input[value='check'] ~ button").await;
    let refused = browser.text_once_it_holds(".problem", "larger than this service takes").await;
    assert!(refused.contains("server.max_body_bytes"), "{refused}");
    browser.fill("#names", &format!("{}\nnobody-in-this-directory", pasted.uid)).await;
    browser.element("#file").await.send_keys(&csv.path().display().to_string()).await.unwrap();
    browser.click("input[value='check'] ~ button").await;

    let checked = browser.text_once_it_holds("table.bulk", "nobody-in-this-directory").await;
    for expected in ["Would be reset", "No such user", "no usable mail address", &listed.uid] {
        assert!(checked.contains(expected), "{expected}: {checked}");
    }
    accessible(&browser, "bulk dry run").await;
    assert!(dir.binds(&pasted.dn, SEED_PASSWORD).await, "a dry run writes nothing");
    assert!(smtp.received().is_empty(), "and mails nothing");

    browser.click("input[value='reset'] ~ button").await;
    let done = browser.text_once_it_holds(".done", "2 of 4 reset").await;
    assert!(done.contains("2 of 4 reset") && done.contains("mailed"), "{done}");
    accessible(&browser, "bulk done").await;
    let mails = smtp.wait_for(2, std::time::Duration::from_secs(5));
    assert_eq!(mails.len(), 2, "{mails:?}");
    for person in [&pasted, &listed] {
        let mail = mails.iter().find(|m| m.to == [person.mail.clone().unwrap()]).expect("their mail");
        let password =
            mail.text.lines().map(str::trim).find(|l| l.chars().count() == 20).expect("the password line");
        app.remember_secret(password);
        assert!(dir.binds(&person.dn, password).await, "{} has the mailed password", person.uid);
        assert!(!browser.text("main").await.contains(password), "never shown in the console");
    }
    assert!(dir.binds(&no_mail.dn, SEED_PASSWORD).await, "the refused are untouched");
    browser.close().await;
}
