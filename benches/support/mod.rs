//! What the benchmarks share: the fixture directory, pwproxy as a release
//! process, and the figures they print.

#![allow(dead_code)] // each benchmark uses its own part

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[path = "../../tests/support/slapd.rs"]
pub mod slapd;

pub use slapd::{SEED_PASSWORD, SERVICE_DN, SERVICE_PASSWORD, Slapd};

pub const PEOPLE: &str = "ou=people,dc=example,dc=org";
pub const HELPDESK: &str = "cn=helpdesk,ou=groups,dc=example,dc=org";

/// LDIF for `count` people `uid={prefix}{i}` with the seed password.
pub fn people_ldif(prefix: &str, count: usize) -> String {
    let mut ldif = String::with_capacity(count * 200);
    for i in 0..count {
        ldif.push_str(&format!(
            "dn: uid={prefix}{i},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {prefix}{i}\ncn: {prefix}{i}\n\
             sn: Load\nmail: {prefix}{i}@example.org\nuserPassword: {SEED_PASSWORD}\n\n"
        ));
    }
    ldif
}

/// pwproxy's configuration for the fixture at `url`; brute-force limits are
/// lifted, since the load itself never fails to authenticate.
pub fn config(url: &str, ca_file: &std::path::Path, listen: &str) -> String {
    format!(
        r#"
[server]
listen = "{listen}"
[ldap]
url = "{url}"
ca_file = "{ca}"
bind_dn = "{SERVICE_DN}"
bind_password = "{SERVICE_PASSWORD}"
timeout_secs = 2
[directory]
users_base_dn = "{PEOPLE}"
[authorization]
admin_groups = ["{HELPDESK}"]
protected_groups = ["cn=executives,ou=groups,dc=example,dc=org"]
[auth]
token_secret = "benchmark-secret-of-at-least-32-bytes-long"
[policy]
min_length = 10
[rate_limit]
failures_per_name = 1000000
failures_per_address = 1000000
"#,
        ca = ca_file.display()
    )
}

/// The release `pwproxy` binary, serving until dropped.
pub struct Pwproxy {
    child: Child,
    pub base: String,
    _config: tempfile::NamedTempFile,
}

impl Pwproxy {
    pub async fn start(config_toml: impl FnOnce(&str) -> String) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(config_toml(&listen).as_bytes()).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_pwproxy"))
            .args(["serve", "--config"])
            .arg(file.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start pwproxy");
        let base = format!("http://{listen}");
        for _ in 0..500 {
            if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == 200) {
                return Self { child, base, _config: file };
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("pwproxy did not become ready");
    }

    /// A Bearer token for the fixture's helpdesk1.
    pub async fn token(&self) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&serde_json::json!({ "username": "helpdesk1", "password": SEED_PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["access_token"].as_str().expect("a token").to_owned()
    }

    /// Highest resident set size so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Pwproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `p`-th percentile of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A connection bound as `dn`, or the reason it could not be.
pub async fn binds(url: &str, dn: &str, password: &str) -> bool {
    let Ok((conn, mut ldap)) = ldap3::LdapConnAsync::new(url).await else { return false };
    ldap3::drive!(conn);
    let ok = ldap.simple_bind(dn, password).await.is_ok_and(|r| r.rc == 0);
    let _ = ldap.unbind().await;
    ok
}

/// entryUUIDs of `uid={prefix}{i}` for i in 0..count, in order.
pub async fn ids(url: &str, prefix: &str, count: usize) -> Vec<String> {
    let (conn, mut ldap) = ldap3::LdapConnAsync::new(url).await.expect("connect");
    ldap3::drive!(conn);
    // As the root DN: the fixture's size limit (500) does not apply to it.
    ldap.simple_bind(slapd::ROOT_DN, slapd::ROOT_PASSWORD).await.unwrap().success().unwrap();
    let (entries, _) = ldap
        .search(PEOPLE, ldap3::Scope::OneLevel, &format!("(uid={prefix}*)"), vec!["uid", "entryUUID"])
        .await
        .unwrap()
        .success()
        .unwrap();
    let mut by_uid = std::collections::HashMap::new();
    for entry in entries {
        let entry = ldap3::SearchEntry::construct(entry);
        by_uid.insert(entry.attrs["uid"][0].clone(), entry.attrs["entryUUID"][0].clone());
    }
    (0..count).map(|i| by_uid[&format!("{prefix}{i}")].clone()).collect()
}
