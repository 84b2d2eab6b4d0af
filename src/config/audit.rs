//! `[audit]`: where the trail is kept, whether keeping it is required, how
//! long, and the key of its chain.

use secrecy::SecretString;
use serde::Deserialize;

use super::{ConfigError, invalid};
use crate::audit::record::ChainKey;
use crate::audit::store::StoreUrl;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// `sqlite:PATH`, `postgres://…` or `none`. A secret: a PostgreSQL URL
    /// may hold a password.
    #[serde(default = "default_store")]
    pub store: SecretString,
    /// A store that cannot take an event refuses the operation (503).
    #[serde(default = "default_required")]
    pub required: bool,
    /// Events older than this are deleted; 0 keeps everything.
    #[serde(default = "default_retention_days")]
    pub retention_days: u64,
    /// 32 bytes, standard base64; empty: derived from `auth.token_secret`.
    #[serde(default)]
    pub chain_key: SecretString,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            store: default_store(),
            required: default_required(),
            retention_days: default_retention_days(),
            chain_key: SecretString::default(),
        }
    }
}

fn default_store() -> SecretString {
    SecretString::from("sqlite:/var/lib/pwproxy/audit.db")
}

fn default_required() -> bool {
    true
}

fn default_retention_days() -> u64 {
    365
}

impl AuditSettings {
    pub fn store_url(&self) -> Result<StoreUrl, ConfigError> {
        StoreUrl::parse(&self.store).map_err(|problem| invalid("audit.store", problem))
    }

    pub fn chain_key(&self, token_secret: &SecretString) -> Result<ChainKey, ConfigError> {
        ChainKey::new(&self.chain_key, token_secret).map_err(|problem| invalid("audit.chain_key", problem))
    }

    pub(super) fn validate(&self, token_secret: &SecretString) -> Result<(), ConfigError> {
        self.store_url()?;
        self.chain_key(token_secret)?;
        // Beyond this, a time in milliseconds would not fit.
        if self.retention_days > 100 * 365 {
            return Err(invalid("audit.retention_days", "at most 36500 (0 keeps everything)"));
        }
        Ok(())
    }
}
