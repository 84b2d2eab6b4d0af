//! The test harness: a real slapd per test (or the server named by
//! `PWPROXY_TEST_LDAP_URL`), pwproxy served over real HTTP on a free port,
//! and typed helpers to drive both and to check what the directory holds.

use std::collections::HashSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;
use ldap3::{LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use serde_json::Value;
use tokio::sync::oneshot;

pub const BASE: &str = "dc=example,dc=org";
pub const PEOPLE: &str = "ou=people,dc=example,dc=org";
pub const HELPDESK: &str = "cn=helpdesk,ou=groups,dc=example,dc=org";
pub use crate::http::{Answer, basic};
pub use crate::slapd::{ROOT_DN, ROOT_PASSWORD, SEED_PASSWORD, SERVICE_DN, SERVICE_PASSWORD, Slapd};
pub const TOKEN_SECRET: &str = "integration-test-secret-of-at-least-32-bytes";

/// A directory server for one test.
pub struct TestDirectory {
    pub ldap_url: String,
    pub ldaps_url: String,
    pub ca_file: Option<PathBuf>,
    root_dn: String,
    root_password: String,
    /// Our own slapd, when we started one.
    own: Option<Slapd>,
}

impl TestDirectory {
    /// The server named by `PWPROXY_TEST_LDAP_URL` when set (e.g. the
    /// docker-compose `openldap` service), else a slapd of this test's own.
    pub async fn start() -> Self {
        if let Ok(url) = std::env::var("PWPROXY_TEST_LDAP_URL") {
            return Self {
                ldaps_url: std::env::var("PWPROXY_TEST_LDAPS_URL").unwrap_or_else(|_| url.clone()),
                ldap_url: url,
                ca_file: std::env::var("PWPROXY_TEST_LDAP_CA_FILE").ok().map(PathBuf::from),
                root_dn: std::env::var("PWPROXY_TEST_ROOT_DN").unwrap_or_else(|_| ROOT_DN.into()),
                root_password: std::env::var("PWPROXY_TEST_ROOT_PASSWORD")
                    .unwrap_or_else(|_| ROOT_PASSWORD.into()),
                own: None,
            };
        }
        Self::start_own().await
    }

    /// Always a slapd of this test's own: for tests that stop and restart
    /// it, need its CA, or change entries other tests rely on.
    pub async fn start_own() -> Self {
        let slapd = Slapd::start();
        Self {
            ldap_url: slapd.ldap_url(),
            ldaps_url: slapd.ldaps_url(),
            ca_file: Some(slapd.ca_file()),
            root_dn: ROOT_DN.into(),
            root_password: ROOT_PASSWORD.into(),
            own: Some(slapd),
        }
    }

    fn own(&self) -> &Slapd {
        self.own
            .as_ref()
            .expect("only a directory from TestDirectory::start_own can be stopped and restarted")
    }

    /// Kills slapd; see [`Slapd::stop`].
    pub fn stop(&self) {
        self.own().stop();
    }

    pub fn restart(&self) {
        self.own().restart();
    }

    pub fn freeze(&self) {
        self.own().freeze();
    }

    pub fn thaw(&self) {
        self.own().thaw();
    }

    async fn root(&self) -> ldap3::Ldap {
        let (conn, mut ldap) = LdapConnAsync::with_settings(LdapConnSettings::new(), &self.ldap_url)
            .await
            .expect("connect to the test directory");
        ldap3::drive!(conn);
        ldap.simple_bind(&self.root_dn, &self.root_password).await.unwrap().success().expect("root bind");
        ldap
    }

    /// Adds a person of this test's own, so tests never share a target.
    pub async fn add_person(&self, prefix: &str, with_mail: bool) -> TestPerson {
        let uid = format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let dn = format!("uid={uid},{PEOPLE}");
        let mail = format!("{uid}@example.org");
        let mut attrs = vec![
            ("objectClass", HashSet::from(["inetOrgPerson"])),
            ("uid", HashSet::from([uid.as_str()])),
            ("cn", HashSet::from([uid.as_str()])),
            ("sn", HashSet::from(["Test"])),
            ("userPassword", HashSet::from([SEED_PASSWORD])),
        ];
        if with_mail {
            attrs.push(("mail", HashSet::from([mail.as_str()])));
        }
        let mut ldap = self.root().await;
        ldap.add(&dn, attrs).await.unwrap().success().expect("add test person");
        let id = self.attribute(&dn, "entryUUID").await.expect("entryUUID");
        TestPerson { uid, dn, id, mail: with_mail.then_some(mail) }
    }

    /// Adds `member_dn` to a group, or removes it.
    pub async fn set_membership(&self, group_dn: &str, member_dn: &str, member: bool) {
        let value = HashSet::from([member_dn]);
        let change = if member { Mod::Add("member", value) } else { Mod::Delete("member", value) };
        self.root().await.modify(group_dn, vec![change]).await.unwrap().success().expect("change membership");
    }

    pub async fn modify(&self, dn: &str, mods: Vec<Mod<&str>>) {
        self.root().await.modify(dn, mods).await.unwrap().success().expect("modify entry");
    }

    pub async fn add_entry(&self, dn: &str, attrs: Vec<(&str, Vec<&str>)>) {
        let attrs = attrs.into_iter().map(|(k, v)| (k, v.into_iter().collect::<HashSet<_>>())).collect();
        self.root().await.add(dn, attrs).await.unwrap().success().expect("add entry");
    }

    pub async fn delete(&self, dn: &str) {
        self.root().await.delete(dn).await.unwrap().success().expect("delete entry");
    }

    /// First value of an attribute, read as the root DN (operational ones too).
    pub async fn attribute(&self, dn: &str, name: &str) -> Option<String> {
        let mut ldap = self.root().await;
        let (entries, _) =
            ldap.search(dn, Scope::Base, "(objectClass=*)", vec![name]).await.unwrap().success().unwrap();
        let entry = SearchEntry::construct(entries.into_iter().next()?);
        entry
            .attrs
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.into_iter().next())
    }

    pub async fn id_of(&self, dn: &str) -> String {
        self.attribute(dn, "entryUUID").await.expect("entryUUID")
    }

    /// Whether `password` binds as `dn` right now: the proof of a change.
    pub async fn binds(&self, dn: &str, password: &str) -> bool {
        let (conn, mut ldap) = LdapConnAsync::new(&self.ldap_url).await.expect("connect");
        ldap3::drive!(conn);
        ldap.simple_bind(dn, password).await.map(|r| r.rc == 0).unwrap_or(false)
    }

    /// A configuration tweak: LDAPS, trusting the system roots only (which
    /// do not know the fixture's CA).
    pub fn over_ldaps_without_ca(&self) -> impl FnOnce(&mut String) + use<> {
        let (plain, ldaps) = (self.ldap_url.clone(), self.ldaps_url.clone());
        move |toml| {
            *toml = toml
                .replace(&plain, &ldaps)
                .lines()
                .filter(|l| !l.starts_with("ca_file"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }

    /// pwproxy's configuration for this directory.
    pub fn config(&self) -> String {
        let ca =
            self.ca_file.as_ref().map(|ca| format!("ca_file = \"{}\"", ca.display())).unwrap_or_default();
        format!(
            r#"
[server]
listen = "127.0.0.1:0"

[ldap]
url = "{url}"
{ca}
bind_dn = "{SERVICE_DN}"
bind_password = "{SERVICE_PASSWORD}"
timeout_secs = 2

[directory]
kind = "openldap"
users_base_dn = "{PEOPLE}"

[authorization]
admin_groups = ["{HELPDESK}"]
protected_groups = ["cn=executives,ou=groups,{BASE}"]

[auth]
token_secret = "{TOKEN_SECRET}"

[policy]
# Below the directory's own minimum (10), so that the directory's refusals
# can be seen too.
min_length = 8
"#,
            url = self.ldap_url
        )
    }
}

#[derive(Debug, Clone)]
pub struct TestPerson {
    pub uid: String,
    pub dn: String,
    pub id: String,
    pub mail: Option<String>,
}

/// Everything any test's pwproxy logged, at trace level: the whole suite
/// is checked for leaked secrets, not one scenario.
fn captured_log() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let writer = move || SharedWriter(sink.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_ansi(false)
            .with_writer(writer)
            .try_init();
        log
    })
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// pwproxy running in this test's process, over real HTTP.
pub struct TestApp {
    pub address: SocketAddr,
    pub http: reqwest::Client,
    /// Every password and token this test sent or received: none may ever
    /// appear in the log.
    secrets: Mutex<Vec<String>>,
    _stop: oneshot::Sender<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if std::env::var("PWPROXY_TEST_DUMP_LOG").is_ok() {
                let log = captured_log().lock().unwrap_or_else(|p| p.into_inner());
                let log = String::from_utf8_lossy(&log);
                for line in log.lines().filter(|l| l.contains("pwproxy") && !l.contains("TRACE")) {
                    eprintln!("{line}");
                }
            }
            return;
        }
        let log = captured_log().lock().unwrap_or_else(|p| p.into_inner());
        let log = String::from_utf8_lossy(&log);
        assert!(log.contains("pwproxy::"), "pwproxy's trace log is captured");
        for secret in self.secrets.lock().unwrap().iter() {
            assert!(!log.contains(secret.as_str()), "a secret of this test was logged: {secret}");
        }
    }
}

impl TestApp {
    pub async fn spawn(directory: &TestDirectory) -> Self {
        Self::spawn_with(directory, |_| {}).await
    }

    /// `tweak` edits the TOML text before it is loaded, the way an operator
    /// would edit the file.
    pub async fn spawn_with(directory: &TestDirectory, tweak: impl FnOnce(&mut String)) -> Self {
        captured_log();
        let mut toml = directory.config();
        tweak(&mut toml);
        let (address, stop) = crate::http::serve(&toml).await;
        let secrets =
            Mutex::new(vec![SERVICE_PASSWORD.to_owned(), TOKEN_SECRET.to_owned(), SEED_PASSWORD.to_owned()]);
        Self { address, http: reqwest::Client::new(), secrets, _stop: stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Remembers the secrets in a request: body passwords (long enough to be
    /// unmistakable), Basic passwords and Bearer tokens.
    fn remember(&self, auth: Option<&str>, body: &Value) {
        let mut secrets = self.secrets.lock().unwrap();
        for field in ["password", "password_2", "adminPassword"] {
            if let Some(value) = body.get(field).and_then(Value::as_str).filter(|v| v.len() >= 8) {
                secrets.push(value.to_owned());
            }
        }
        if let Some(auth) = auth {
            let credential = auth.split_once(' ').map_or(auth, |(_, c)| c);
            if credential.len() >= 8 {
                secrets.push(credential.to_owned());
            }
            if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credential)
                && let Some((_, password)) = String::from_utf8_lossy(&decoded).split_once(':')
                && password.len() >= 8
            {
                secrets.push(password.to_owned());
            }
        }
    }

    /// Seed 000 with a JSON body and an optional Authorization header.
    pub async fn persons(&self, person_id: &str, auth: Option<&str>, body: Value) -> Answer {
        self.remember(auth, &body);
        let mut request =
            self.http.post(self.url(&format!("/actions/persons/{person_id}/change-password"))).json(&body);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        Answer::from(request.send().await.expect("HTTP request")).await
    }

    /// Seed 001.
    pub async fn users(&self, auth: Option<&str>, body: Value) -> Answer {
        self.remember(auth, &body);
        let mut request = self.http.put(self.url("/api/v1/users/changePassword")).json(&body);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        Answer::from(request.send().await.expect("HTTP request")).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Answer {
        let body = serde_json::json!({ "username": username, "password": password });
        self.remember(None, &body);
        let answer =
            Answer::from(self.http.post(self.url("/api/v1/auth/token")).json(&body).send().await.unwrap())
                .await;
        if let Some(token) = answer.body["access_token"].as_str() {
            self.secrets.lock().unwrap().push(token.to_owned());
        }
        answer
    }

    /// A Bearer header for a helpdesk admin.
    pub async fn bearer(&self, username: &str) -> String {
        let answer = self.login(username, SEED_PASSWORD).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        format!("Bearer {}", answer.body["access_token"].as_str().unwrap())
    }

    pub async fn get(&self, path: &str) -> Answer {
        Answer::from(self.http.get(self.url(path)).send().await.unwrap()).await
    }
}

/// The `directory_exchanges` of the audit line of the request with this id.
pub fn exchanges_of(request_id: &str) -> u32 {
    let log = captured_log().lock().unwrap_or_else(|p| p.into_inner());
    let log = String::from_utf8_lossy(&log);
    let line = log
        .lines()
        .find(|l| l.contains("password reset attempt") && l.contains(request_id))
        .unwrap_or_else(|| panic!("no audit line for {request_id}"));
    let value = line.split("directory_exchanges=").nth(1).expect("directory_exchanges in the audit line");
    value.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}
