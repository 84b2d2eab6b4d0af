//! Integration tests against a real Samba AD DC (tests/fixtures/samba).
//! Run by `bash tests/fixtures/samba/run-ad-suite.sh`, which starts the DC
//! in a network namespace shared with these tests; `scripts/test.sh` runs it.
//!
//! The suite shares one DC, so every test creates the people it changes.

#[path = "../support/http.rs"]
#[allow(dead_code)] // shared with the OpenLDAP suite, which reads headers too
mod http;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;

use http::{Answer, basic};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

const DOMAIN: &str = "DC=example,DC=test";
const PEOPLE: &str = "OU=People,DC=example,DC=test";
const HELPDESK: &str = "CN=Helpdesk,OU=Groups,DC=example,DC=test";
const EXECUTIVES: &str = "CN=Executives,OU=Groups,DC=example,DC=test";
const ADMINISTRATOR: &str = "CN=Administrator,CN=Users,DC=example,DC=test";
const ADMINISTRATOR_PASSWORD: &str = "Fixture-Admin-Passw0rd!";
const SEED_PASSWORD: &str = "Initial-Passw0rd!";
const NEW: &str = "Fresh-Passw0rd-1";

struct Dc {
    url: String,
    tls: Arc<rustls::ClientConfig>,
    ca_file: String,
}

impl Dc {
    fn from_env() -> Self {
        let url = std::env::var("PWPROXY_TEST_AD_URL").unwrap_or_else(|_| {
            panic!("the AD tests need a Samba DC in their network namespace: run `bash tests/fixtures/samba/run-ad-suite.sh`")
        });
        let ca_file = std::env::var("PWPROXY_TEST_AD_CA_FILE").expect("PWPROXY_TEST_AD_CA_FILE");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        use rustls::pki_types::pem::PemObject;
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(&ca_file).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let tls =
            Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth());
        Self { url, tls, ca_file }
    }

    async fn connect(&self) -> Ldap {
        let settings = LdapConnSettings::new().set_config(self.tls.clone());
        let (conn, ldap) =
            LdapConnAsync::with_settings(settings, &self.url).await.expect("connect to the DC");
        ldap3::drive!(conn);
        ldap
    }

    async fn administrator(&self) -> Ldap {
        let mut ldap = self.connect().await;
        ldap.simple_bind(ADMINISTRATOR, ADMINISTRATOR_PASSWORD).await.unwrap().success().expect("admin bind");
        ldap
    }

    /// The DC's answer to a bind: `Ok` or its diagnostic text (`… data 773 …`).
    async fn bind(&self, name: &str, password: &str) -> Result<(), String> {
        let mut ldap = self.connect().await;
        let result = ldap.simple_bind(name, password).await.map_err(|e| e.to_string())?;
        let _ = ldap.unbind().await;
        if result.rc == 0 { Ok(()) } else { Err(result.text) }
    }

    async fn binds(&self, user: &AdUser, password: &str) -> bool {
        self.bind(&user.upn, password).await.is_ok()
    }

    /// A person of this test's own under OU=People, optionally in groups.
    async fn add_user(&self, prefix: &str, groups: &[&str]) -> AdUser {
        let sam = format!("{prefix}{}", &Uuid::new_v4().simple().to_string()[..8]);
        let dn = format!("CN={sam},{PEOPLE}");
        let upn = format!("{sam}@example.test");
        let mail = format!("{sam}@mail.example.test");
        let password = quoted_utf16(SEED_PASSWORD);
        let mut ldap = self.administrator().await;
        let attrs: Vec<(&[u8], HashSet<&[u8]>)> = vec![
            (b"objectClass", HashSet::from([&b"user"[..]])),
            (b"sAMAccountName", HashSet::from([sam.as_bytes()])),
            (b"userPrincipalName", HashSet::from([upn.as_bytes()])),
            (b"mail", HashSet::from([mail.as_bytes()])),
            (b"unicodePwd", HashSet::from([password.as_slice()])),
            (b"userAccountControl", HashSet::from([&b"512"[..]])),
        ];
        ldap.add(&dn, attrs).await.unwrap().success().expect("add user");
        for group in groups {
            let change = Mod::Add("member", HashSet::from([dn.as_str()]));
            ldap.modify(group, vec![change]).await.unwrap().success().expect("add to group");
        }
        let guid = self.guid_of(&sam).await;
        AdUser { sam, upn, dn, guid, mail }
    }

    async fn modify(&self, dn: &str, mods: Vec<Mod<&str>>) {
        self.administrator().await.modify(dn, mods).await.unwrap().success().expect("modify");
    }

    async fn guid_of(&self, sam: &str) -> String {
        let mut ldap = self.administrator().await;
        let (entries, _) = ldap
            .search(DOMAIN, Scope::Subtree, &format!("(sAMAccountName={sam})"), vec!["objectGUID"])
            .await
            .unwrap()
            .success()
            .unwrap();
        let entry = entries.into_iter().map(SearchEntry::construct).find(|e| !e.dn.is_empty()).unwrap();
        let raw = entry
            .bin_attrs
            .get("objectGUID")
            .map(|v| v[0].clone())
            .unwrap_or_else(|| entry.attrs["objectGUID"][0].as_bytes().to_vec());
        Uuid::from_slice_le(&raw).unwrap().to_string()
    }

    fn config(&self) -> String {
        format!(
            r#"
[server]
listen = "127.0.0.1:0"
[ldap]
url = "{url}"
ca_file = "{ca}"
bind_dn = "CN=pwproxy,OU=Services,{DOMAIN}"
bind_password = "Service-Passw0rd!"
timeout_secs = 5
[directory]
kind = "active_directory"
users_base_dn = "{PEOPLE}"
[authorization]
admin_groups = ["{HELPDESK}"]
protected_groups = []
[auth]
token_secret = "integration-test-secret-of-at-least-32-bytes"
[policy]
min_length = 8
[rate_limit]
failures_per_name = 1000
failures_per_address = 1000
"#,
            url = self.url,
            ca = self.ca_file
        )
    }
}

fn quoted_utf16(password: &str) -> Vec<u8> {
    format!("\"{password}\"").encode_utf16().flat_map(u16::to_le_bytes).collect()
}

struct AdUser {
    sam: String,
    upn: String,
    dn: String,
    guid: String,
    mail: String,
}

struct App {
    address: SocketAddr,
    http: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

impl App {
    async fn spawn(dc: &Dc, tweak: impl FnOnce(&mut String)) -> Self {
        let mut toml = dc.config();
        tweak(&mut toml);
        let (address, stop) = http::serve(&toml).await;
        Self { address, http: reqwest::Client::new(), _stop: stop }
    }

    async fn persons(&self, id: &str, auth: &str, body: Value) -> Answer {
        let url = format!("http://{}/actions/persons/{id}/change-password", self.address);
        Answer::from(self.http.post(url).header("Authorization", auth).json(&body).send().await.unwrap())
            .await
    }

    async fn users(&self, body: Value) -> Answer {
        let url = format!("http://{}/api/v1/users/changePassword", self.address);
        Answer::from(self.http.put(url).json(&body).send().await.unwrap()).await
    }

    async fn token(&self, username: &str, password: &str) -> Answer {
        let url = format!("http://{}/api/v1/auth/token", self.address);
        let body = json!({ "username": username, "password": password });
        Answer::from(self.http.post(url).json(&body).send().await.unwrap()).await
    }
}

fn reset(password: &str) -> Value {
    json!({ "password": password, "password_2": password })
}

fn by_name(user: &str, admin: &str, admin_password: &str, temporary: bool) -> Value {
    json!({ "userName": user, "password": NEW, "adminUserName": admin, "adminPassword": admin_password, "temporary": temporary })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_reset_by_object_guid_and_must_change_it() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let person = dc.add_user("target", &[]).await;

    let answer =
        app.persons(&person.guid.to_uppercase(), &basic("helpdesk1", SEED_PASSWORD), reset(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    // pwdLastSet = 0: the right new password is refused with "must change" (773).
    let refusal = dc.bind(&person.upn, NEW).await.unwrap_err();
    assert!(refusal.contains("data 773"), "{refusal}");
    let refusal = dc.bind(&person.upn, SEED_PASSWORD).await.unwrap_err();
    assert!(refusal.contains("data 52e"), "the old password is gone: {refusal}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_reset_by_sam_account_name_or_upn_by_an_admin_named_either_way() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let first = dc.add_user("target", &[]).await;
    let second = dc.add_user("target", &[]).await;

    let answer = app.users(by_name(&first.sam, "helpdesk1", SEED_PASSWORD, false)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["successUsers"], json!([{ "username": first.sam, "email": first.mail }]));
    assert!(dc.binds(&first, NEW).await, "permanent: the new password works at once");

    let answer = app.users(by_name(&second.upn, "helpdesk1@example.test", SEED_PASSWORD, false)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&second, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_helpdesk_member_may_act_and_tokens_work() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let person = dc.add_user("target", &[]).await;

    // tier2agent is in Tier2, which is in Helpdesk.
    let answer = app.token("tier2agent", SEED_PASSWORD).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let bearer = format!("Bearer {}", answer.body["access_token"].as_str().unwrap());
    let answer = app
        .persons(&person.guid, &bearer, json!({ "password": NEW, "password_2": NEW, "temporary": false }))
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&person, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_admins_and_other_admins_are_refused() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    // A Domain Admin under OU=People: Samba lets the delegated right reach it,
    // so pwproxy's own rule is what stops it, with protected_groups = [].
    let domain_admin = dc.add_user("da", &["CN=Domain Admins,CN=Users,DC=example,DC=test"]).await;
    let operator = dc.add_user("op", &["CN=Account Operators,CN=Builtin,DC=example,DC=test"]).await;
    let other_admin = dc.add_user("agent", &[HELPDESK]).await;

    for person in [&domain_admin, &operator, &other_admin] {
        let answer = app.persons(&person.guid, &auth, reset(NEW)).await;
        answer.assert_persons_error(403, "forbidden");
        assert!(dc.binds(person, SEED_PASSWORD).await, "{} unchanged", person.sam);
    }
    let answer = app.users(by_name("helpdesk1", "helpdesk1", SEED_PASSWORD, false)).await;
    answer.assert_users_error(403, "forbidden", "Forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_count_and_protected_groups_protect_too() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |toml| {
        *toml = toml.replace("protected_groups = []", &format!("protected_groups = [\"{EXECUTIVES}\"]"))
    })
    .await;
    let marked = dc.add_user("marked", &[]).await;
    dc.modify(&marked.dn, vec![Mod::Replace("adminCount", HashSet::from(["1"]))]).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    app.persons(&marked.guid, &auth, reset(NEW)).await.assert_persons_error(403, "forbidden");
    // carl is in Board, nested in Executives.
    let carl = dc.guid_of("carl").await;
    app.persons(&carl, &auth, reset(NEW)).await.assert_persons_error(403, "forbidden");
    assert!(dc.binds(&marked, SEED_PASSWORD).await);
    assert!(dc.bind("carl@example.test", SEED_PASSWORD).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_and_locked_people_are_inactive() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let disabled = dc.add_user("disabled", &[]).await;
    dc.modify(&disabled.dn, vec![Mod::Replace("userAccountControl", HashSet::from(["514"]))]).await;
    let locked = dc.add_user("locked", &[]).await;
    // The fixture domain locks an account after 3 bad passwords.
    for _ in 0..3 {
        let _ = dc.bind(&locked.upn, "wrong password").await;
    }

    for person in [&disabled, &locked] {
        let answer = app.persons(&person.guid, &auth, reset(NEW)).await;
        answer.assert_persons_error(400, "user_inactive");
    }
    let answer = app.users(by_name(&disabled.sam, "helpdesk1", SEED_PASSWORD, true)).await;
    answer.assert_users_error(400, "user_inactive", "Bad Request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_domains_refusals_are_reported_in_plain_words() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let person = dc.add_user("target", &[]).await;

    // (AD does not check the password history on an administrator's reset.)
    let cases = [("Short-P1x", "too short"), ("onlylowercaseletters", "not complex enough")];
    for (password, reason) in cases {
        let answer = app.persons(&person.guid, &auth, reset(password)).await;
        let message = answer.assert_persons_error(400, "directory_rejected_password");
        assert!(message.contains(reason), "{password}: {message}");
    }
    let answer = app.users(json!({ "userName": person.sam, "password": "Short-P1x", "adminUserName": "helpdesk1", "adminPassword": SEED_PASSWORD })).await;
    let details = answer.assert_users_error(400, "directory_rejected_password", "Bad Request");
    assert!(details["directory_rejected_password"].as_str().unwrap().contains("too short"));
    assert!(dc.binds(&person, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_whose_account_cannot_be_used_is_told_why() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let person = dc.add_user("target", &[]).await;
    let must_change = dc.add_user("agent", &[HELPDESK]).await;
    dc.modify(&must_change.dn, vec![Mod::Replace("pwdLastSet", HashSet::from(["0"]))]).await;
    let disabled = dc.add_user("agent", &[HELPDESK]).await;
    dc.modify(&disabled.dn, vec![Mod::Replace("userAccountControl", HashSet::from(["514"]))]).await;
    let wrong = dc.add_user("agent", &[HELPDESK]).await;

    let answer = app.users(by_name(&person.sam, &must_change.sam, SEED_PASSWORD, true)).await;
    let details = answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert!(details["unauthenticated"].as_str().unwrap().contains("must change its password"), "{details:?}");
    let answer = app.persons(&person.guid, &basic(&disabled.upn, SEED_PASSWORD), reset(NEW)).await;
    let message = answer.assert_persons_error(401, "unauthenticated");
    assert!(message.contains("disabled"), "{message}");
    let answer = app.users(by_name(&person.sam, &wrong.sam, "Not-The-Passw0rd", true)).await;
    let details = answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert!(
        !details["unauthenticated"].as_str().unwrap().contains("account"),
        "a wrong password says nothing more"
    );
    assert!(dc.binds(&person, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_outside_the_users_ou_are_not_found() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    // The service account lives in OU=Services, outside users_base_dn.
    let outside = dc.guid_of("pwproxy").await;
    app.persons(&outside, &auth, reset(NEW)).await.assert_persons_error(404, "user_not_found");
    app.persons(&Uuid::new_v4().to_string(), &auth, reset(NEW))
        .await
        .assert_persons_error(404, "user_not_found");
    let answer = app.users(by_name("Administrator", "helpdesk1", SEED_PASSWORD, true)).await;
    answer.assert_users_error(404, "user_not_found", "Not Found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_may_sign_in_with_a_upn_and_tokens_work_on_both_endpoints() {
    let dc = Dc::from_env();
    let app = App::spawn(&dc, |_| {}).await;
    let first = dc.add_user("target", &[]).await;
    let second = dc.add_user("target", &[]).await;

    let answer = app.persons(&first.guid, &basic("helpdesk1@example.test", SEED_PASSWORD), reset(NEW)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.bind(&first.upn, NEW).await.unwrap_err().contains("data 773"), "temporary by default");

    let token = app.token("helpdesk1@example.test", SEED_PASSWORD).await;
    let bearer = format!("Bearer {}", token.body["access_token"].as_str().unwrap());
    let url = format!("http://{}/api/v1/users/changePassword", app.address);
    let body = json!({ "userName": second.upn, "password": NEW, "adminPassword": SEED_PASSWORD, "temporary": false });
    let answer =
        Answer::from(app.http.put(url).header("Authorization", &bearer).json(&body).send().await.unwrap())
            .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&second, NEW).await);
}
