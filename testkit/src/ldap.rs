//! The LDAP fixtures, one tree in two servers: OpenLDAP
//! (tests/fixtures/openldap: a slapd of the test's own, or the server named by
//! `PWPROXY_TEST_LDAP_URL`) and 389 Directory Server (tests/fixtures/389ds:
//! the instance `run-389ds-suite.sh` made for the run), with typed helpers to
//! change and read what the directory holds.

use std::collections::HashSet;
use std::path::PathBuf;

use ldap3::{LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use pwproxy::config::Settings;

use crate::Fixture;
use crate::config::ConfigFile;
#[path = "ldap_config.rs"]
mod config;
#[path = "ldap_load.rs"]
mod load;

pub use load::people_ldif;

pub use crate::slapd::{ROOT_DN, ROOT_PASSWORD, SEED_PASSWORD, SERVICE_DN, SERVICE_PASSWORD, Slapd};

pub const BASE: &str = "dc=example,dc=org";
pub const PEOPLE: &str = "ou=people,dc=example,dc=org";
/// The OpenLDAP fixture's default password policy (the overlay's
/// `olcPPolicyDefault`).
pub const DEFAULT_POLICY: &str = "cn=default,ou=policies,dc=example,dc=org";
pub const HELPDESK: &str = "cn=helpdesk,ou=groups,dc=example,dc=org";
pub const EXECUTIVES: &str = "cn=executives,ou=groups,dc=example,dc=org";
/// 389 DS: admins in pwproxy's configuration whom the directory does not let
/// set passwords.
/// OpenLDAP: the delegation groups (the tests give them their tables).
pub const HELPDESK_PARIS: &str = "cn=helpdesk-paris,ou=groups,dc=example,dc=org";
pub const UNLOCKERS: &str = "cn=unlockers,ou=groups,dc=example,dc=org";
pub const PARIS: &str = "ou=paris,ou=people,dc=example,dc=org";
pub const LYON: &str = "ou=lyon,ou=people,dc=example,dc=org";
pub const AUDITORS: &str = "cn=auditors,ou=groups,dc=example,dc=org";
/// 389 DS: a local password policy without must-change.
pub const NO_MUST_CHANGE_POLICY: &str =
    "cn=no-must-change,cn=nsPwPolicyContainer,ou=people,dc=example,dc=org";
const DS389_ROOT_DN: &str = "cn=Directory Manager";
/// 389 DS: far in the future, so that a person the test adds (as Directory
/// Manager, with must-change on) is not obliged to change their password.
const NOT_EXPIRING: &str = "20380119031407Z";

/// Which server holds the fixture tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    OpenLdap,
    Ds389,
}
pub const TOKEN_SECRET: &str = "integration-test-secret-of-at-least-32-bytes";

/// A directory server for one test.
pub struct TestDirectory {
    pub server: Server,
    pub ldap_url: String,
    pub ldaps_url: String,
    pub ca_file: Option<PathBuf>,
    root_dn: String,
    root_password: String,
    /// Our own slapd, when we started one.
    own: Option<Slapd>,
}

#[derive(Debug, Clone)]
pub struct TestPerson {
    pub uid: String,
    pub dn: String,
    pub id: String,
    pub mail: Option<String>,
}

impl TestDirectory {
    /// The server named by `PWPROXY_TEST_LDAP_URL` when set (e.g. the
    /// docker-compose `openldap` service), else a slapd of this test's own.
    pub async fn start() -> Self {
        if let Ok(url) = std::env::var("PWPROXY_TEST_LDAP_URL") {
            return Self {
                server: Server::OpenLdap,
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
            server: Server::OpenLdap,
            ldap_url: slapd.ldap_url(),
            ldaps_url: slapd.ldaps_url(),
            ca_file: Some(slapd.ca_file()),
            root_dn: ROOT_DN.into(),
            root_password: ROOT_PASSWORD.into(),
            own: Some(slapd),
        }
    }

    /// The 389 DS instance `tests/fixtures/389ds/run-389ds-suite.sh` made for
    /// this run; anything else is an error saying how to run the suite.
    pub fn ds389_from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!(
                    "the 389 DS tests need their server: run `bash tests/fixtures/389ds/run-389ds-suite.sh`"
                )
            })
        };
        // The instance's certificate names "localhost".
        Self {
            server: Server::Ds389,
            ldap_url: format!("ldap://localhost:{}", var("PWPROXY_TEST_389DS_PORT")),
            ldaps_url: format!("ldaps://localhost:{}", var("PWPROXY_TEST_389DS_TLS_PORT")),
            ca_file: Some(PathBuf::from(var("PWPROXY_TEST_389DS_CA_FILE"))),
            root_dn: DS389_ROOT_DN.into(),
            root_password: ROOT_PASSWORD.into(),
            own: None,
        }
    }

    /// The slapd process, for tests that stop, freeze or restart it.
    pub fn own(&self) -> &Slapd {
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

    /// Adds a person of this test's own under `ou=people`, so tests never
    /// share a target.
    pub async fn add_person(&self, prefix: &str, with_mail: bool) -> TestPerson {
        self.add_person_in(PEOPLE, prefix, with_mail, &[]).await
    }

    /// Adds a person of this test's own under `base`, with `extra`
    /// attributes.
    pub async fn add_person_in(
        &self,
        base: &str,
        prefix: &str,
        with_mail: bool,
        extra: &[(&str, &str)],
    ) -> TestPerson {
        let uid = format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let dn = format!("uid={uid},{base}");
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
        if self.server == Server::Ds389 {
            attrs.push(("passwordExpirationTime", HashSet::from([NOT_EXPIRING])));
        }
        // An extra attribute replaces the default of the same name.
        attrs.retain(|(name, _)| !extra.iter().any(|(other, _)| other.eq_ignore_ascii_case(name)));
        attrs.extend(extra.iter().map(|(name, value)| (*name, HashSet::from([*value]))));
        let mut ldap = self.root().await;
        ldap.add(&dn, attrs).await.unwrap().success().expect("add test person");
        let id = self.id_of(&dn).await;
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

    /// Waits until 389 DS has lifted the retry counter's lock on `dn`: it
    /// sets `passwordRetryCount` back to 0 in a post-operation that may
    /// finish just after the answer to the password write (the stale
    /// `accountUnlockTime` it leaves counts for nothing below the maximum).
    /// Reads the server's own state as the root DN, bounded; a counter
    /// still up after 10 s fails the test.
    pub async fn wait_until_389_unlocked(&self, dn: &str) {
        let started = std::time::Instant::now();
        loop {
            let count = self.attribute(dn, "passwordRetryCount").await;
            if count.as_deref().is_none_or(|c| c == "0") {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "389 DS still counts {count:?} failures against {dn}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub async fn id_of(&self, dn: &str) -> String {
        self.attribute(dn, "entryUUID").await.expect("entryUUID")
    }

    /// Whether `password` binds as `dn` right now: the proof of a change.
    pub async fn binds(&self, dn: &str, password: &str) -> bool {
        binds(&self.ldap_url, dn, password).await
    }

    /// Whether `password` binds as `dn` but nothing else is allowed until the
    /// person changes it (OpenLDAP answers 50, 389 DS 53): must-change, as
    /// the person meets it.
    pub async fn must_change(&self, dn: &str, password: &str) -> bool {
        let (conn, mut ldap) = LdapConnAsync::new(&self.ldap_url).await.expect("connect");
        ldap3::drive!(conn);
        if !ldap.simple_bind(dn, password).await.is_ok_and(|r| r.rc == 0) {
            return false;
        }
        let search = ldap.search(dn, Scope::Base, "(objectClass=*)", vec!["1.1"]).await.expect("search");
        matches!(search.1.rc, 50 | 53)
    }

    /// A settings tweak: LDAPS, trusting the system roots only (which do not
    /// know the fixture's CA).
    pub fn over_ldaps_without_ca(&self) -> impl FnOnce(&mut Settings) + use<> {
        let ldaps = self.ldaps_url.clone();
        move |settings| {
            settings.ldap.url = ldaps;
            settings.ldap.ca_file = None;
        }
    }
}

/// Whether a simple bind as `dn` with `password` succeeds at `url`.
pub async fn binds(url: &str, dn: &str, password: &str) -> bool {
    let Ok((conn, mut ldap)) = LdapConnAsync::new(url).await else { return false };
    ldap3::drive!(conn);
    let ok = ldap.simple_bind(dn, password).await.is_ok_and(|r| r.rc == 0);
    let _ = ldap.unbind().await;
    ok
}
