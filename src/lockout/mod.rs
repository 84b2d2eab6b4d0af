//! Brute-force protection: failed authentications are counted per admin name
//! and per client address; once either has used up its allowance, every
//! attempt is refused (right password or not) without asking the directory.
//!
//! Counting is GCRA: an allowance of `failures` that refills one failure
//! every `window / failures`. Five failures in a row lock a name for a fifth
//! of the window; after that, one more try per refill: in the long run at
//! most `failures` per `window`. With `rate_limit.store = "redis://…"` every
//! replica counts in the same place (`shared`); this process's own counters
//! (`local`) keep counting too, and decide while Redis cannot be reached.

mod local;
mod shared;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use local::Local;
use shared::Shared;

use crate::config::RateLimitSettings;
use crate::metrics::Metrics;
use crate::shared::Store;

/// What a lockout is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Name,
    Address,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Name => "name",
            Scope::Address => "address",
        }
    }
}

pub struct Lockout {
    local: Local,
    shared: Option<Shared>,
    metrics: Option<Arc<Metrics>>,
}

impl Lockout {
    /// Counting in this process alone.
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self { local: Local::new(settings), shared: None, metrics: None }
    }

    /// Counting with every replica in the shared store too (`Memory`: alone).
    pub fn sharing(mut self, store: &Store, settings: &RateLimitSettings) -> Self {
        if let Store::Redis(redis) = store {
            self.shared = Some(Shared::new(redis.clone(), settings));
        }
        self
    }

    /// Counts every lockout by scope, and the shared store's reachability.
    pub fn observed_by(mut self, metrics: Arc<Metrics>) -> Self {
        if let Some(shared) = self.shared.take() {
            self.shared = Some(shared.observed_by(metrics.clone()));
        }
        self.metrics = Some(metrics);
        self
    }

    /// How long the caller must wait, if the name or the address is locked.
    pub async fn locked_for(&self, name: Option<&str>, address: IpAddr) -> Option<Duration> {
        if let Some(shared) = &self.shared
            && let Some(answer) = shared.locked_for(name, address).await
        {
            return answer;
        }
        self.local.locked_for(name, address)
    }

    /// Counts one failed authentication against the name (when one was
    /// claimed) and the address.
    pub async fn record_failure(&self, name: Option<&str>, address: IpAddr) {
        let locally = self.local.record_failure(name, address);
        let locked = match &self.shared {
            Some(shared) => shared.record_failure(name, address).await.unwrap_or(locally),
            None => locally,
        };
        for scope in locked {
            tracing::warn!(scope = scope.label(), "too many failed authentications: locked out");
            if let Some(metrics) = &self.metrics {
                metrics.lockout(scope.label());
            }
        }
    }

    /// Forgets expired local locks and idle counters (Redis's keys expire by
    /// themselves).
    pub fn forget_expired(&self) {
        self.local.forget_expired();
    }
}
