//! State the replicas share: one Redis client, named by `rate_limit.store`,
//! which the parts borrow — the lockout's counters today. Its URL is read
//! here and nowhere else; its connection opens on first use (Redis may be
//! down at start-up) and reconnects by itself afterwards.

use std::sync::Arc;

use redis::aio::ConnectionManager;
use secrecy::{ExposeSecret, SecretString};

/// Where shared state lives: this process, or one Redis for every replica.
pub enum Store {
    Memory,
    Redis(Arc<Redis>),
}

impl Store {
    /// `"memory"`, or a `redis://` / `rediss://` URL. The error never
    /// quotes the URL: it may hold a password.
    pub fn open(setting: &SecretString) -> Result<Self, &'static str> {
        let url = setting.expose_secret().trim();
        if url == "memory" {
            return Ok(Store::Memory);
        }
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err("must be \"memory\" or a Redis URL such as redis://redis:6379/0 (rediss:// for TLS)");
        }
        let client = redis::Client::open(url).map_err(|_| "is not a Redis URL pwproxy can use")?;
        Ok(Store::Redis(Arc::new(Redis { client, connection: tokio::sync::Mutex::new(None) })))
    }
}

/// The one Redis client, and the connection it keeps.
pub struct Redis {
    client: redis::Client,
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
}

impl Redis {
    /// The connection, opened on first use; the manager reconnects by
    /// itself afterwards. Cloning it is cheap: every part shares one.
    pub async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let connection = ConnectionManager::new(self.client.clone()).await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_or_a_redis_url_and_nothing_else() {
        assert!(matches!(Store::open(&" memory ".into()), Ok(Store::Memory)));
        assert!(matches!(Store::open(&"redis://127.0.0.1:6379/0".into()), Ok(Store::Redis(_))));
        for bad in ["", "http://user:hunter2@x", "redis", "memcached://x", "redis://user:hunter2@[::1"] {
            let error = Store::open(&bad.into()).err().unwrap();
            assert!(!error.contains("hunter2"), "the URL's password is never quoted: {error}");
        }
    }
}
