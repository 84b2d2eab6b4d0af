//! Directory connections kept open between requests, in two pools that
//! never mix: connections bound as the service account (all searches, and
//! writes for Bearer callers), and connections that admins bind on for the
//! length of one request. Every clone of an `ldap3::Ldap` multiplexes one
//! connection and a bind changes the identity of all of them, so an admin
//! connection is checked out exclusively, bound on checkout, and never
//! used for anything before its next bind. TLS (LDAPS or StartTLS) is
//! negotiated when a connection is created, never on the request path.

use std::time::Duration;

use deadpool::managed::{
    self, Manager, Metrics, Object, PoolError, QueueMode, RecycleError, RecycleResult, Timeouts,
};
use ldap3::Ldap;
use secrecy::SecretString;

use super::connection::Connector;
use crate::directory::DirectoryError;
use crate::directory::dialects::BindOutcome;

/// Connections per pool. Requests beyond it wait, up to the timeout, for one
/// to be returned.
const MAX_CONNECTIONS: usize = 32;

/// Bound as the service account when created.
pub struct ServiceAccount {
    connector: Connector,
    bind_dn: String,
    bind_password: SecretString,
}

impl Manager for ServiceAccount {
    type Type = Ldap;
    type Error = DirectoryError;

    async fn create(&self) -> Result<Ldap, DirectoryError> {
        let mut ldap = self.connector.connect().await?;
        match self.connector.bind(&mut ldap, &self.bind_dn, &self.bind_password).await? {
            BindOutcome::Bound => Ok(ldap),
            // A refused service bind is an operator's problem, reported as the
            // directory being unusable rather than as the caller's credentials.
            refused => Err(DirectoryError::Unavailable(format!(
                "the service account's bind was refused ({refused:?}; check ldap.bind_dn and ldap.bind_password)"
            ))),
        }
    }

    async fn recycle(&self, ldap: &mut Ldap, _: &Metrics) -> RecycleResult<DirectoryError> {
        alive(ldap)
    }
}

/// Connected (and encrypted), bound by whoever checks it out.
pub struct ForAdmins {
    connector: Connector,
}

impl Manager for ForAdmins {
    type Type = Ldap;
    type Error = DirectoryError;

    async fn create(&self) -> Result<Ldap, DirectoryError> {
        self.connector.connect().await
    }

    async fn recycle(&self, ldap: &mut Ldap, _: &Metrics) -> RecycleResult<DirectoryError> {
        alive(ldap)
    }
}

/// A connection whose server went away (a directory restart) is closed by
/// ldap3's driver and replaced here.
fn alive(ldap: &mut Ldap) -> RecycleResult<DirectoryError> {
    if ldap.is_closed() {
        return Err(RecycleError::message("connection closed"));
    }
    Ok(())
}

pub struct Pool<M: Manager>(managed::Pool<M>);

pub type Connection<M> = Object<M>;

impl Pool<ServiceAccount> {
    pub fn service(
        connector: Connector,
        bind_dn: String,
        bind_password: SecretString,
    ) -> Result<Self, String> {
        let timeout = connector.timeout();
        Self::build(ServiceAccount { connector, bind_dn, bind_password }, timeout)
    }
}

impl Pool<ForAdmins> {
    pub fn admins(connector: Connector) -> Result<Self, String> {
        let timeout = connector.timeout();
        Self::build(ForAdmins { connector }, timeout)
    }
}

impl<M: Manager<Type = Ldap, Error = DirectoryError>> Pool<M> {
    fn build(manager: M, timeout: Duration) -> Result<Self, String> {
        let timeouts = Timeouts { wait: Some(timeout), create: Some(timeout), recycle: Some(timeout) };
        managed::Pool::builder(manager)
            .max_size(MAX_CONNECTIONS)
            .timeouts(timeouts)
            // The most recently used connection first: under light load the
            // same few stay warm (in slapd's caches too) instead of every
            // idle connection taking its turn.
            .queue_mode(QueueMode::Lifo)
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map(Self)
            .map_err(|e| format!("cannot build a connection pool: {e}"))
    }

    /// Connections now: created, idle, waited for.
    pub fn status(&self) -> managed::Status {
        self.0.status()
    }

    pub async fn get(&self) -> Result<Connection<M>, DirectoryError> {
        self.0.get().await.map_err(|e| match e {
            PoolError::Backend(e) => e,
            PoolError::Timeout(_) => {
                DirectoryError::Unavailable("no directory connection within the timeout".into())
            }
            other => DirectoryError::Unavailable(other.to_string()),
        })
    }
}

/// A connection whose exchange failed at the transport level (timeout,
/// reset) may still have an answer in flight: it is dropped, not reused.
pub fn keep_if_usable<M: Manager>(conn: Connection<M>, error: Option<&DirectoryError>) {
    if let Some(DirectoryError::Unavailable(_)) = error {
        drop(Object::take(conn));
    }
}
