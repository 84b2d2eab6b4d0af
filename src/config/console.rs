//! `[console]`: the helpdesk's web console under `/console/`.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// A session unused this long is signed out.
    #[serde(default = "default_idle")]
    pub session_idle_secs: u64,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self { enabled: default_enabled(), session_idle_secs: default_idle() }
    }
}

fn default_enabled() -> bool {
    true
}

fn default_idle() -> u64 {
    900
}
