//! `[bulk]`: how many people one bulk reset may name, and how many of them
//! are reset at once.

use serde::Deserialize;

use super::{ConfigError, invalid};

/// Beyond this a bulk reset is a migration, not a helpdesk's incident.
const MAX_PEOPLE_LIMIT: usize = 10_000;
/// Each person at once holds a directory connection or two.
const MAX_CONCURRENCY: usize = 64;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkSettings {
    /// Names one bulk reset may hold.
    #[serde(default = "default_max_people")]
    pub max_people: usize,
    /// People reset at once within one bulk reset.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

impl Default for BulkSettings {
    fn default() -> Self {
        Self { max_people: default_max_people(), concurrency: default_concurrency() }
    }
}

fn default_max_people() -> usize {
    500
}

fn default_concurrency() -> usize {
    4
}

impl BulkSettings {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=MAX_PEOPLE_LIMIT).contains(&self.max_people) {
            return Err(invalid("bulk.max_people", format!("must be 1 to {MAX_PEOPLE_LIMIT}")));
        }
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(invalid("bulk.concurrency", format!("must be 1 to {MAX_CONCURRENCY}")));
        }
        Ok(())
    }
}
