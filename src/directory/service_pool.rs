//! Connections bound as the service account, kept open between requests.
//! Only service-account work runs on them, so sharing them cannot mix up
//! identities.

use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult, Timeouts};
use ldap3::Ldap;
use secrecy::SecretString;

use super::{Connector, DirectoryError};

/// Connections per process. Requests beyond it wait (up to the timeout) for
/// one to be returned.
const MAX_CONNECTIONS: usize = 16;

pub struct ServiceAccount {
    connector: Connector,
    bind_dn: String,
    bind_password: SecretString,
}

impl managed::Manager for ServiceAccount {
    type Type = Ldap;
    type Error = DirectoryError;

    async fn create(&self) -> Result<Ldap, DirectoryError> {
        self.connector.connect_as(&self.bind_dn, &self.bind_password).await.map_err(|e| match e {
            // A refused service bind is an operator's problem, reported as the
            // directory being unusable rather than as the caller's credentials.
            DirectoryError::InvalidCredentials => DirectoryError::Unavailable(
                "the service account's bind was refused (check ldap.bind_dn and ldap.bind_password)".into(),
            ),
            other => other,
        })
    }

    async fn recycle(&self, ldap: &mut Ldap, _: &Metrics) -> RecycleResult<DirectoryError> {
        if ldap.is_closed() {
            return Err(RecycleError::message("connection closed"));
        }
        Ok(())
    }
}

pub struct ServicePool(managed::Pool<ServiceAccount>);

impl ServicePool {
    pub fn new(
        connector: Connector,
        bind_dn: String,
        bind_password: SecretString,
        timeout: Duration,
    ) -> Result<Self, String> {
        let manager = ServiceAccount { connector, bind_dn, bind_password };
        let timeouts = Timeouts { wait: Some(timeout), create: Some(timeout), recycle: Some(timeout) };
        managed::Pool::builder(manager)
            .max_size(MAX_CONNECTIONS)
            .timeouts(timeouts)
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map(Self)
            .map_err(|e| format!("cannot build the connection pool: {e}"))
    }

    pub async fn get(&self) -> Result<Object<ServiceAccount>, DirectoryError> {
        self.0.get().await.map_err(|e| match e {
            PoolError::Backend(e) => e,
            PoolError::Timeout(_) => {
                DirectoryError::Unavailable("no directory connection within the timeout".into())
            }
            other => DirectoryError::Unavailable(other.to_string()),
        })
    }

    /// A connection whose exchange failed at the transport level (timeout,
    /// reset) may still have an answer in flight: it is dropped, not reused.
    pub fn keep_if_usable<T>(conn: Object<ServiceAccount>, outcome: &Result<T, DirectoryError>) {
        if let Err(DirectoryError::Unavailable(_)) = outcome {
            drop(Object::take(conn));
        }
    }
}
