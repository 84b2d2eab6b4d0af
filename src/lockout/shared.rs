//! The failure counters every replica shares, in Redis. One Lua script does
//! a check or a count as a single atomic step on the server, with the
//! server's clock (`TIME`), so replicas with skewed clocks agree and no
//! read-then-write race exists. Keys name the admin name (lower-cased) or
//! the client address, never a password or a token, and expire once their
//! allowance has refilled.
//!
//! Redis that cannot be reached within [`BOUND`] is left alone for
//! [`RETRY_AFTER`]: meanwhile this process's own counters decide (logged
//! once per outage, and `pwproxy_rate_limit_store_up` says 0). No request
//! fails because of Redis.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Scope;
use crate::config::RateLimitSettings;
use crate::metrics::Metrics;
use crate::shared::Redis;

/// Longest a request waits for Redis before counting locally.
const BOUND: Duration = Duration::from_millis(250);
/// How long an unreachable Redis is left alone before it is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// GCRA over every key given: with `count`, spends one failure of each
/// first. Answers the longest wait (ms, 0 when none is locked), then the
/// 1-based positions of the keys this call locked.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = ARGV[1] == 'count'
local longest = 0
local locked = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local allowance = tonumber(ARGV[2 * i + 1])
  local open_until = interval * (allowance - 1)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  if count then
    local was_open = tat - now <= open_until
    tat = tat + interval
    redis.call('SET', key, string.format('%d', tat), 'PX', tat - now + 1000)
    if was_open and tat - now > open_until then table.insert(locked, i) end
  end
  local wait = tat - now - open_until
  if wait > longest then longest = wait end
end
local answer = { longest }
for _, i in ipairs(locked) do table.insert(answer, i) end
return answer
";

#[derive(Clone, Copy)]
struct Quota {
    interval_ms: u64,
    allowance: u32,
}

impl Quota {
    fn new(failures: u32, window: Duration) -> Self {
        let allowance = failures.max(1);
        Self { interval_ms: (window.as_millis() as u64 / u64::from(allowance)).max(1), allowance }
    }
}

struct Health {
    up: bool,
    next_try: Instant,
}

pub struct Shared {
    redis: Arc<Redis>,
    script: redis::Script,
    names: Quota,
    addresses: Quota,
    health: Mutex<Health>,
    metrics: Option<Arc<Metrics>>,
}

impl Shared {
    /// The counters on the shared Redis.
    pub fn new(redis: Arc<Redis>, settings: &RateLimitSettings) -> Self {
        let window = Duration::from_secs(settings.window_secs);
        Self {
            redis,
            script: redis::Script::new(SCRIPT),
            names: Quota::new(settings.failures_per_name, window),
            addresses: Quota::new(settings.failures_per_address, window),
            health: Mutex::new(Health { up: true, next_try: Instant::now() }),
            metrics: None,
        }
    }

    pub fn observed_by(mut self, metrics: Arc<Metrics>) -> Self {
        metrics.rate_limit_store_up(true);
        self.metrics = Some(metrics);
        self
    }

    /// `None` when Redis did not answer: the caller decides locally.
    pub async fn locked_for(&self, name: Option<&str>, address: IpAddr) -> Option<Option<Duration>> {
        let (wait, _) = self.run("check", name, address).await?;
        Some((wait > 0).then(|| Duration::from_millis(wait)))
    }

    /// The scopes this failure locked, or `None` when Redis did not answer.
    pub async fn record_failure(&self, name: Option<&str>, address: IpAddr) -> Option<Vec<Scope>> {
        let (_, locked) = self.run("count", name, address).await?;
        Some(locked)
    }

    async fn run(&self, mode: &str, name: Option<&str>, address: IpAddr) -> Option<(u64, Vec<Scope>)> {
        if !self.worth_trying() {
            return None;
        }
        let mut keys = Vec::new();
        if let Some(name) = name {
            keys.push((Scope::Name, format!("pwproxy:lockout:name:{}", name.to_lowercase()), self.names));
        }
        keys.push((Scope::Address, format!("pwproxy:lockout:address:{address}"), self.addresses));
        let answer = tokio::time::timeout(BOUND, async {
            let mut connection = self.redis.connection().await?;
            let mut invocation = self.script.prepare_invoke();
            invocation.arg(mode);
            for (_, key, quota) in &keys {
                invocation.key(key).arg(quota.interval_ms).arg(quota.allowance);
            }
            invocation.invoke_async::<Vec<u64>>(&mut connection).await
        })
        .await;
        match answer {
            Ok(Ok(answer)) => {
                self.reached(true);
                let wait = answer.first().copied().unwrap_or(0);
                let locked =
                    answer.iter().skip(1).filter_map(|&i| keys.get(i as usize - 1)).map(|k| k.0).collect();
                Some((wait, locked))
            }
            Ok(Err(e)) => {
                self.reached(false);
                tracing::debug!("rate_limit.store: {e}");
                None
            }
            Err(_) => {
                self.reached(false);
                None
            }
        }
    }

    fn worth_trying(&self) -> bool {
        let health = self.health.lock().unwrap_or_else(|p| p.into_inner());
        health.up || Instant::now() >= health.next_try
    }

    /// Logs the changes between reachable and not, once each.
    fn reached(&self, up: bool) {
        let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
        if !up {
            health.next_try = Instant::now() + RETRY_AFTER;
        }
        if health.up == up {
            return;
        }
        health.up = up;
        if up {
            tracing::info!("rate_limit.store reachable again: failures are counted with the other replicas");
        } else {
            tracing::warn!(
                "rate_limit.store unreachable: failures are counted by this replica alone until it returns"
            );
        }
        if let Some(metrics) = &self.metrics {
            metrics.rate_limit_store_up(up);
        }
    }
}
