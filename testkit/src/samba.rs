//! The Active Directory fixture (tests/fixtures/samba): a Samba AD DC that
//! `tests/fixtures/samba/run-ad-suite.sh` starts in a network namespace
//! shared with the suite, and typed helpers to change and read it.

use std::collections::HashSet;
use std::sync::Arc;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use uuid::Uuid;

use crate::Fixture;
use crate::config::ConfigFile;
use crate::net::trust_only;

pub const DOMAIN: &str = "DC=example,DC=test";
pub const PEOPLE: &str = "OU=People,DC=example,DC=test";
pub const HELPDESK: &str = "CN=Helpdesk,OU=Groups,DC=example,DC=test";
pub const EXECUTIVES: &str = "CN=Executives,OU=Groups,DC=example,DC=test";
const ADMINISTRATOR: &str = "CN=Administrator,CN=Users,DC=example,DC=test";
const ADMINISTRATOR_PASSWORD: &str = "Fixture-Admin-Passw0rd!";
const SERVICE_PASSWORD: &str = "Service-Passw0rd!";
/// Every seeded person's password.
pub const SEED_PASSWORD: &str = "Initial-Passw0rd!";
const TOKEN_SECRET: &str = "integration-test-secret-of-at-least-32-bytes";

pub struct Dc {
    url: String,
    tls: Arc<rustls::ClientConfig>,
    ca_file: String,
}

/// A person of one test's own.
pub struct AdUser {
    pub sam: String,
    pub upn: String,
    pub dn: String,
    pub guid: String,
    pub mail: String,
}

impl Dc {
    /// The DC `run-ad-suite.sh` started; anything else is an error saying how
    /// to run the suite.
    pub fn from_env() -> Self {
        let url = std::env::var("PWPROXY_TEST_AD_URL").unwrap_or_else(|_| {
            panic!(
                "the AD tests need a Samba DC in their network namespace: run `bash tests/fixtures/samba/run-ad-suite.sh`"
            )
        });
        let ca_file = std::env::var("PWPROXY_TEST_AD_CA_FILE").expect("PWPROXY_TEST_AD_CA_FILE");
        Self { url, tls: trust_only(ca_file.as_ref()), ca_file }
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
    pub async fn bind(&self, name: &str, password: &str) -> Result<(), String> {
        let mut ldap = self.connect().await;
        let result = ldap.simple_bind(name, password).await.map_err(|e| e.to_string())?;
        let _ = ldap.unbind().await;
        if result.rc == 0 { Ok(()) } else { Err(result.text) }
    }

    pub async fn binds(&self, user: &AdUser, password: &str) -> bool {
        self.bind(&user.upn, password).await.is_ok()
    }

    /// A person of this test's own under OU=People, optionally in groups.
    pub async fn add_user(&self, prefix: &str, groups: &[&str]) -> AdUser {
        self.add_user_in(PEOPLE, prefix, groups).await
    }

    /// An organizational unit, unless it exists already (the suite shares
    /// one DC).
    pub async fn ensure_ou(&self, dn: &str) {
        let name = dn.split(',').next().and_then(|rdn| rdn.split('=').nth(1)).expect("OU=name,…");
        let attrs =
            vec![("objectClass", HashSet::from(["organizationalUnit"])), ("ou", HashSet::from([name]))];
        let result = self.administrator().await.add(dn, attrs).await.unwrap();
        // 68: entryAlreadyExists.
        assert!(result.rc == 0 || result.rc == 68, "add {dn}: {result:?}");
    }

    /// A person of this test's own under `base`, optionally in groups.
    pub async fn add_user_in(&self, base: &str, prefix: &str, groups: &[&str]) -> AdUser {
        let sam = format!("{prefix}{}", &Uuid::new_v4().simple().to_string()[..8]);
        let dn = format!("CN={sam},{base}");
        let upn = format!("{sam}@example.test");
        let mail = format!("{sam}@mail.example.test");
        let password: Vec<u8> =
            format!("\"{SEED_PASSWORD}\"").encode_utf16().flat_map(u16::to_le_bytes).collect();
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

    pub async fn modify(&self, dn: &str, mods: Vec<Mod<&str>>) {
        self.administrator().await.modify(dn, mods).await.unwrap().success().expect("modify");
    }

    /// The first value of `name` on `dn`, as the domain's administrator reads it.
    pub async fn attribute(&self, dn: &str, name: &str) -> Option<String> {
        let mut ldap = self.administrator().await;
        let (entries, _) =
            ldap.search(dn, Scope::Base, "(objectClass=*)", vec![name]).await.ok()?.success().ok()?;
        let entry = SearchEntry::construct(entries.into_iter().next()?);
        entry.attrs.get(name).and_then(|values| values.first().cloned())
    }

    pub async fn guid_of(&self, sam: &str) -> String {
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
}

impl Fixture for Dc {
    fn config_toml(&self) -> String {
        ConfigFile {
            url: &self.url,
            ca_file: Some(self.ca_file.as_ref()),
            bind_dn: &format!("CN=pwproxy,OU=Services,{DOMAIN}"),
            bind_password: SERVICE_PASSWORD,
            timeout_secs: 5,
            kind: "active_directory",
            users_base_dn: PEOPLE,
            policy_dn: None,
            admin_groups: &[HELPDESK],
            protected_groups: &[],
            token_secret: TOKEN_SECRET,
            generous_rate_limits: true,
        }
        .render()
    }

    fn secrets(&self) -> Vec<String> {
        vec![
            SERVICE_PASSWORD.into(),
            TOKEN_SECRET.into(),
            SEED_PASSWORD.into(),
            ADMINISTRATOR_PASSWORD.into(),
        ]
    }

    fn seed_password(&self) -> &'static str {
        SEED_PASSWORD
    }
}
