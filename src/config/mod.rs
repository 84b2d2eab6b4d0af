//! Typed configuration: a TOML file layered with `PWPROXY__SECTION__KEY`
//! environment variables, validated (see `validation`) before anything is
//! served.
//!
//! Secrets are `SecretString` from the moment they are deserialized, so no
//! `Debug` of a config can print them.

mod audit;
mod authorization;
mod bulk;
mod console;
mod directory;
mod notify;
mod server;
#[cfg(test)]
mod tests;
mod validation;

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

pub use self::audit::AuditSettings;
pub use self::authorization::{AuthorizationSettings, DelegationSettings};
pub use self::bulk::BulkSettings;
pub use self::console::ConsoleSettings;
pub use self::directory::{DirectorySettings, Membership};
pub use self::notify::{GENERATED_LENGTHS, GenerateSettings, NotifySettings};
pub use self::server::ServerSettings;
pub use crate::directory::DirectoryKind;

/// The whole configuration. Unknown keys are errors: a misspelt key silently
/// falling back to a default is how password tools end up insecure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub server: ServerSettings,
    pub ldap: LdapSettings,
    pub directory: DirectorySettings,
    pub authorization: AuthorizationSettings,
    pub auth: AuthSettings,
    #[serde(default)]
    pub policy: PolicySettings,
    #[serde(default)]
    pub rate_limit: RateLimitSettings,
    #[serde(default)]
    pub generate: GenerateSettings,
    /// Absent: no mail is sent.
    #[serde(default)]
    pub notify: Option<NotifySettings>,
    #[serde(default)]
    pub console: ConsoleSettings,
    #[serde(default)]
    pub audit: AuditSettings,
    #[serde(default)]
    pub bulk: BulkSettings,
}

/// Brute-force protection; see [`crate::lockout`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Failed authentications allowed per admin name within the window.
    #[serde(default = "default_failures_per_name")]
    pub failures_per_name: u32,
    /// Failed authentications allowed per client address within the window.
    #[serde(default = "default_failures_per_address")]
    pub failures_per_address: u32,
    #[serde(default = "default_window")]
    pub window_secs: u64,
    /// `memory` (this process), or `redis://host:port/db` (every replica
    /// alike). A secret: the URL may hold Redis's password.
    #[serde(default = "default_store")]
    pub store: SecretString,
}

fn default_store() -> SecretString {
    SecretString::from("memory")
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            failures_per_name: default_failures_per_name(),
            failures_per_address: default_failures_per_address(),
            window_secs: default_window(),
            store: default_store(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapSettings {
    /// `ldap://host:port` or `ldaps://host:port`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS.
    #[serde(default)]
    pub starttls: bool,
    /// PEM file of the CA to trust instead of the system roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The service account.
    pub bind_dn: String,
    pub bind_password: SecretString,
    /// Upper bound of every directory operation, connecting included.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Password writes in flight at once; more wait their turn.
    #[serde(default = "default_max_concurrent_writes")]
    pub max_concurrent_writes: usize,
    /// Allow plaintext binds to a host that is not the loopback.
    #[serde(default)]
    pub allow_insecure: bool,
    /// Accept any TLS certificate from the directory. Only for a lab: it
    /// lets anyone on the path read every password. Logged loudly.
    #[serde(default)]
    pub danger_skip_tls_verify: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub token_secret: SecretString,
    #[serde(default = "default_token_ttl")]
    pub token_ttl_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    #[serde(default = "default_min_length")]
    pub min_length: usize,
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// Default of a request's `temporary` field.
    #[serde(default = "default_true")]
    pub must_change: bool,
    /// Refuse the common passwords built into the binary.
    #[serde(default = "default_true")]
    pub builtin_blocklist: bool,
    /// More lists, one password per line.
    #[serde(default)]
    pub blocklist_files: Vec<PathBuf>,
    /// The target's own attributes whose values a password must not contain.
    #[serde(default = "default_context_attributes")]
    pub context_attributes: Vec<String>,
}

impl Default for PolicySettings {
    fn default() -> Self {
        Self {
            min_length: default_min_length(),
            max_length: default_max_length(),
            must_change: true,
            builtin_blocklist: true,
            blocklist_files: Vec::new(),
            context_attributes: default_context_attributes(),
        }
    }
}

fn default_context_attributes() -> Vec<String> {
    ["cn", "givenName", "sn", "mail"].map(String::from).to_vec()
}

fn default_timeout() -> u64 {
    5
}
/// Enough to keep a directory's writer busy while the next writes are
/// parsed and hashed, few enough that writes do not hold most of its
/// threads (measured in BENCHMARKS.md; see `directory/write_turns.rs`).
fn default_max_concurrent_writes() -> usize {
    6
}
fn default_token_ttl() -> u64 {
    900
}
fn default_min_length() -> usize {
    12
}
fn default_max_length() -> usize {
    128
}
fn default_true() -> bool {
    true
}
fn default_failures_per_name() -> u32 {
    5
}
fn default_failures_per_address() -> u32 {
    20
}
fn default_window() -> u64 {
    900
}

/// A configuration that cannot be served, with what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration: {0}")]
    Load(String),
    #[error("{key}: {problem}")]
    Invalid { key: &'static str, problem: String },
}

/// A loader's message without anything from the file's values: a TOML
/// syntax error quotes the offending line (which may hold a password), and
/// serde's type errors quote the value. Line numbers, keys and what was
/// expected stay.
fn without_values(message: &str) -> String {
    let kept: Vec<&str> = message
        .lines()
        .filter(|line| {
            !line.trim_start().trim_start_matches(|c: char| c.is_ascii_digit()).trim_start().starts_with('|')
        })
        .collect();
    // Quoted values go; what stands between backticks (keys, the
    // character expected) stays.
    let mut out = String::new();
    let (mut quoted, mut ticked, mut naming) = (false, false, false);
    for c in kept.join(" ").chars() {
        match c {
            '`' if !quoted => {
                ticked = !ticked;
                out.push(c);
            }
            // A quoted key name (`missing configuration field "ldap.bind_dn"`)
            // stays.
            '"' if !ticked && !quoted && (out.ends_with("field ") || out.ends_with("key ")) => {
                naming = true;
                out.push(c);
            }
            '"' if naming => {
                naming = false;
                out.push(c);
            }
            '"' if !ticked => {
                quoted = !quoted;
                out.push_str(if quoted { "\"…" } else { "\"" });
            }
            _ if quoted => {}
            c => out.push(c),
        }
    }
    out
}

fn invalid(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key, problem: problem.into() }
}

impl Settings {
    /// Reads the file at `path`, applies `PWPROXY__SECTION__KEY` overrides and
    /// validates the result.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let env = config::Environment::with_prefix("PWPROXY")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            // DNs are full of commas: lists in the environment are separated by ";".
            .list_separator(";")
            .with_list_parse_key("authorization.admin_groups")
            .with_list_parse_key("authorization.protected_groups")
            .with_list_parse_key("authorization.auditor_groups")
            .with_list_parse_key("server.trusted_proxies")
            .with_list_parse_key("policy.blocklist_files")
            .with_list_parse_key("policy.context_attributes");
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from(path).format(config::FileFormat::Toml))
            .add_source(env)
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError::Load(without_values(&e.to_string())))?;
        settings.validate()?;
        Ok(settings)
    }
}
