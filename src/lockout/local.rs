//! This process's own failure counters: governor's GCRA, an allowance of
//! `failures` that refills one failure every `window / failures`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::Scope;
use crate::config::RateLimitSettings;

type Limiter<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(String),
    Address(IpAddr),
}

pub struct Local {
    names: Limiter<String>,
    addresses: Limiter<IpAddr>,
    name_refill: Duration,
    address_refill: Duration,
    /// Keys whose allowance is used up, and until when.
    locked: Mutex<HashMap<Key, Instant>>,
}

impl Local {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let window = Duration::from_secs(settings.window_secs);
        let (names, name_refill) = limiter(settings.failures_per_name, window);
        let (addresses, address_refill) = limiter(settings.failures_per_address, window);
        Self { names, addresses, name_refill, address_refill, locked: Mutex::new(HashMap::new()) }
    }

    /// How long the caller must wait, if the name or the address is locked.
    pub fn locked_for(&self, name: Option<&str>, address: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let locked = self.locked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let name = name.map(|n| Key::Name(n.to_lowercase()));
        [name, Some(Key::Address(address))]
            .into_iter()
            .flatten()
            .filter_map(|key| locked.get(&key).and_then(|until| until.checked_duration_since(now)))
            .max()
    }

    /// Counts one failed authentication against the name (when one was
    /// claimed) and the address; the scopes this locked.
    pub fn record_failure(&self, name: Option<&str>, address: IpAddr) -> Vec<Scope> {
        let mut lock_until = Vec::new();
        if let Some(name) = name {
            let name = name.to_lowercase();
            if let Some(until) = exhausted(&self.names, &name, self.name_refill) {
                lock_until.push((Key::Name(name), until));
            }
        }
        if let Some(until) = exhausted(&self.addresses, &address, self.address_refill) {
            lock_until.push((Key::Address(address), until));
        }
        let mut locked = self.locked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        lock_until
            .into_iter()
            .map(|(key, until)| {
                let scope = match key {
                    Key::Name(_) => Scope::Name,
                    Key::Address(_) => Scope::Address,
                };
                let entry = locked.entry(key).or_insert(until);
                *entry = (*entry).max(until);
                scope
            })
            .collect()
    }

    /// Forgets expired locks and idle counters; run now and then so that
    /// memory follows the number of recent offenders, not of all names ever
    /// tried.
    pub fn forget_expired(&self) {
        let now = Instant::now();
        self.locked.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).retain(|_, until| *until > now);
        self.names.retain_recent();
        self.addresses.retain_recent();
        self.names.shrink_to_fit();
        self.addresses.shrink_to_fit();
    }
}

fn limiter<K: std::hash::Hash + Eq + Clone>(failures: u32, window: Duration) -> (Limiter<K>, Duration) {
    let failures = NonZeroU32::new(failures.max(1)).unwrap_or(NonZeroU32::MIN);
    let refill = (window / failures.get()).max(Duration::from_millis(1));
    let quota = Quota::with_period(refill)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(failures);
    (RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>(), refill)
}

/// Spends one failure of `key`'s allowance; when none is left, the moment
/// the key may try again.
fn exhausted<K: std::hash::Hash + Eq + Clone>(
    limiter: &Limiter<K>,
    key: &K,
    refill: Duration,
) -> Option<Instant> {
    match limiter.check_key(key) {
        Ok(state) if state.remaining_burst_capacity() == 0 => Some(Instant::now() + refill),
        Ok(_) => None,
        Err(not_until) => Some(Instant::now() + not_until.wait_time_from(DefaultClock::default().now())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lockout(per_name: u32, per_address: u32) -> Local {
        Local::new(&RateLimitSettings {
            failures_per_name: per_name,
            failures_per_address: per_address,
            window_secs: 900,
            ..RateLimitSettings::default()
        })
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_name_is_locked_after_its_allowance_of_failures() {
        let l = lockout(3, 100);
        for _ in 0..2 {
            l.record_failure(Some("helpdesk1"), HOME);
            assert_eq!(l.locked_for(Some("helpdesk1"), HOME), None);
        }
        l.record_failure(Some("HelpDesk1"), HOME);
        let wait = l.locked_for(Some("helpdesk1"), HOME).expect("locked");
        assert!(wait > Duration::from_secs(290) && wait <= Duration::from_secs(300), "{wait:?}");
        assert_eq!(l.locked_for(Some("someone-else"), HOME), None, "others are not affected");
    }

    #[test]
    fn an_address_is_locked_whatever_names_it_tries() {
        let l = lockout(100, 4);
        for i in 0..4 {
            l.record_failure(Some(&format!("name{i}")), HOME);
        }
        assert!(l.locked_for(Some("fresh-name"), HOME).is_some());
        assert!(l.locked_for(None, HOME).is_some());
        let elsewhere: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(l.locked_for(Some("fresh-name"), elsewhere), None);
    }

    #[test]
    fn forgetting_keeps_current_locks() {
        let l = lockout(1, 100);
        l.record_failure(Some("x"), HOME);
        l.forget_expired();
        assert!(l.locked_for(Some("x"), HOME).is_some());
    }
}
