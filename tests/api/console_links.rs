//! Links into the console (from a ticket system, a bookmark): a signed-out
//! agent signs in and lands where they were going, a path of the console
//! only; the sign-in page never replaces a live session; a path the
//! console does not have is its own 404 page.

use pwproxy_testkit::browser::Browser;
use pwproxy_testkit::console::ConsoleClient;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_out_agent_lands_where_the_link_pointed_and_nowhere_else() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("linked", true).await;
    let wanted = format!("/console/people/{}", person.id);

    let mut agent = ConsoleClient::new(&app.url(""));
    let page = agent.get(&wanted).await;
    let signin = format!("/console/signin?next=%2Fconsole%2Fpeople%2F{}", person.id);
    assert_eq!((page.status, page.location()), (303, Some(signin.as_str())));
    let page = agent.get(&signin).await;
    assert!(page.body.contains("name=\"next\""), "the form carries where to go: {}", page.body);
    let csrf = agent.csrf.clone();
    let form =
        [("csrf", csrf.as_str()), ("username", "helpdesk1"), ("password", SEED_PASSWORD), ("next", &wanted)];
    let page = agent.post("/console/signin", &form).await;
    assert_eq!((page.status, page.location()), (303, Some(wanted.as_str())));
    assert!(agent.get(&wanted).await.body.contains(&person.uid));
    let session = page.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned());
    let session: Vec<String> = session.filter(|c| c.starts_with("pwproxy_session=")).collect();
    assert!(session[0].contains("SameSite=Lax") && session[0].contains("HttpOnly"), "{session:?}");

    // Elsewhere is never where a sign-in leads.
    for next in
        ["//evil.example/console/", "https://evil.example/", "/console/../metrics", "/api/v1/users?q=a"]
    {
        let mut other = ConsoleClient::new(&app.url(""));
        other.get("/console/signin").await;
        let csrf = other.csrf.clone();
        let form =
            [("csrf", csrf.as_str()), ("username", "helpdesk1"), ("password", SEED_PASSWORD), ("next", next)];
        let page = other.post("/console/signin", &form).await;
        assert_eq!((page.status, page.location()), (303, Some("/console/search")), "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_never_replaces_a_live_session() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let mut agent = ConsoleClient::new(&app.url(""));
    agent.sign_in("helpdesk1", SEED_PASSWORD).await;
    let session = agent.cookie("pwproxy_session").unwrap().to_owned();

    // A stale sign-in form from another tab, posted while signed in.
    let page =
        agent.post("/console/signin", &[("csrf", "stale"), ("username", "x"), ("password", "y")]).await;
    assert_eq!(page.status, 403);
    // The sign-in page as a browser shows it when it sends no session cookie
    // (another site's link under SameSite=Strict, say).
    let mut bare = ConsoleClient::new(&app.url(""));
    let page = bare.get("/console/signin").await;
    let cookies: Vec<_> = page.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().all(|c| !c.starts_with("pwproxy_session=")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("pwproxy_signin=") && c.contains("Path=/console/signin")));

    assert_eq!(agent.cookie("pwproxy_session"), Some(session.as_str()), "the session cookie is untouched");
    assert_eq!(agent.get("/console/search").await.status, 200, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_the_console_does_not_have_is_its_own_404_page() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let mut agent = ConsoleClient::new(&app.url(""));
    for path in ["/console/nowhere", "/console/people/x/y/z", "/console/static/other.css"] {
        let page = agent.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.body.contains("There is no such page"), "{path}: {}", page.body);
        assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        assert_eq!(page.headers["x-frame-options"], "DENY");
    }
    // The API's own 404 stays the API's.
    app.get("/api/v1/nowhere").await.assert_persons_error(404, "not_found");
}

/// One page on another site (`127.0.0.2`, where pwproxy is `127.0.0.1`)
/// holding a link, as a ticket system would; serves it (for any path, the
/// browser's favicon too) while the test runs.
async fn ticket_page(link: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let body = format!(
                "<!DOCTYPE html><title>Ticket</title><a id=\"person\" href=\"{link}\">the caller</a>"
            );
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    format!("http://127.0.0.2:{port}/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_from_a_ticket_on_another_site_opens_the_person_signed_in_or_after_signing_in() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("ticketed", true).await;
    let wanted = format!("/console/people/{}", person.id);
    let ticket = ticket_page(app.url(&wanted)).await;
    let browser = Browser::start().await;

    // Signed out: the sign-in page, then the person.
    browser.go(&ticket).await;
    browser.click("#person").await;
    assert_eq!(browser.path_becomes("/console/signin").await, "/console/signin");
    browser.fill("#username", "helpdesk1").await;
    browser.fill("#password", SEED_PASSWORD).await;
    browser.click("form.card button").await;
    assert_eq!(browser.path_becomes(&wanted).await, wanted);
    assert!(browser.text("h1").await.contains(&person.uid));

    // Signed in: the link opens the person at once, and the session lives on.
    browser.go(&ticket).await;
    browser.click("#person").await;
    assert_eq!(browser.path_becomes(&wanted).await, wanted);
    browser.go(&app.url("/console/search")).await;
    assert_eq!(browser.path().await, "/console/search", "still signed in");
    browser.close().await;
}
