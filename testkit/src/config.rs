//! The configuration file every fixture hands pwproxy: one template, the
//! fixtures fill in what differs.

use std::path::Path;

/// What differs between the fixtures' configurations.
pub struct ConfigFile<'a> {
    pub url: &'a str,
    pub ca_file: Option<&'a Path>,
    pub bind_dn: &'a str,
    pub bind_password: &'a str,
    pub timeout_secs: u64,
    pub kind: &'a str,
    pub users_base_dn: &'a str,
    /// `directory.policy_dn`: OpenLDAP's default password policy entry.
    pub policy_dn: Option<&'a str>,
    pub admin_groups: &'a [&'a str],
    pub protected_groups: &'a [&'a str],
    pub token_secret: &'a str,
    /// Lifts the brute-force limits, for a server that the whole suite
    /// shares (some tests guess wrong on purpose).
    pub generous_rate_limits: bool,
}

impl ConfigFile<'_> {
    /// TOML with `listen = "127.0.0.1:0"`; `policy.min_length` is below every
    /// fixture directory's own minimum (10), so that their refusals show too.
    pub fn render(&self) -> String {
        let list = |dns: &[&str]| dns.iter().map(|dn| format!("\"{dn}\"")).collect::<Vec<_>>().join(", ");
        let policy_dn = self.policy_dn.map(|dn| format!("policy_dn = \"{dn}\"\n")).unwrap_or_default();
        let ca = self.ca_file.map(|ca| format!("ca_file = \"{}\"\n", ca.display())).unwrap_or_default();
        let rate_limit = if self.generous_rate_limits {
            "\n[rate_limit]\nfailures_per_name = 1000\nfailures_per_address = 1000\n"
        } else {
            ""
        };
        format!(
            r#"
[server]
listen = "127.0.0.1:0"

[ldap]
url = "{url}"
{ca}bind_dn = "{bind_dn}"
bind_password = "{bind_password}"
timeout_secs = {timeout}

[directory]
kind = "{kind}"
users_base_dn = "{users}"
{policy_dn}
[authorization]
admin_groups = [{admins}]
protected_groups = [{protected}]

[auth]
token_secret = "{token_secret}"

[policy]
min_length = 8

[audit]
store = "sqlite:{audit}"
{rate_limit}"#,
            url = self.url,
            bind_dn = self.bind_dn,
            bind_password = self.bind_password,
            timeout = self.timeout_secs,
            kind = self.kind,
            users = self.users_base_dn,
            admins = list(self.admin_groups),
            protected = list(self.protected_groups),
            token_secret = self.token_secret,
            audit = audit_file().display(),
        )
    }
}

/// One delegation for `group` over the whole users base that may unlock
/// and choose must-change (the default delegation may not unlock).
pub fn unlocking(group: &str) -> impl FnOnce(&mut pwproxy::config::Settings) {
    delegating(group, pwproxy::access::Permission::Never)
}

/// As [`unlocking`], and may disable and enable accounts too.
pub fn unlocking_and_disabling(group: &str) -> impl FnOnce(&mut pwproxy::config::Settings) {
    delegating(group, pwproxy::access::Permission::Allowed)
}

fn delegating(
    group: &str,
    disable: pwproxy::access::Permission,
) -> impl FnOnce(&mut pwproxy::config::Settings) {
    let group = group.to_owned();
    move |settings| {
        settings.authorization.delegation = vec![pwproxy::config::DelegationSettings {
            group,
            bases: vec![],
            filter: String::new(),
            unlock: pwproxy::access::Allowance::Optional,
            must_change: pwproxy::access::Allowance::Optional,
            disable,
        }];
    }
}

/// A store of its own for each configuration rendered, in the system's
/// temporary folder (a test that shares one between processes writes the
/// configuration itself).
fn audit_file() -> std::path::PathBuf {
    std::env::temp_dir().join("pwproxy-test-audit").join(format!("{}.db", uuid::Uuid::new_v4().simple()))
}
