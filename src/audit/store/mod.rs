//! The audit store: an embedded SQLite file (WAL) or a PostgreSQL database
//! several replicas share, through sqlx's one API for both. pwproxy creates
//! and migrates the schema itself; reads and upkeep go through sqlx. Writes
//! go through one writer per process (SQLite's on a thread of its own,
//! PostgreSQL's an async task) that commits whatever has queued meanwhile
//! in one transaction (group commit), so storing events does not cost an
//! fsync each; each transaction holds the chain's head, so several
//! processes on one store append to one chain.

mod chain;
mod read;
mod sqlite_writer;
#[cfg(test)]
mod tests;
mod upkeep;
mod verify;
mod writer;

use std::path::Path;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use tokio::sync::mpsc;

pub use chain::Row;
pub use read::{Filter, Page};
pub use upkeep::spawn_upkeep;
pub use verify::Verdict;

use super::record::ChainKey;

/// How long one store operation may take before the store counts as
/// unavailable (a database that stopped answering must not hold requests
/// past their deadline), and how long a new connection may take.
const PATIENCE: Duration = Duration::from_secs(3);
const CONNECT_PATIENCE: Duration = Duration::from_secs(1);

/// Why the store could not be used; never the URL (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("audit.store: {0}")]
    Open(String),
    #[error("the audit store failed: {0}")]
    Failed(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Failed(describe(&error))
    }
}

/// A database error in words that name no credentials: sqlx's own texts
/// for these never quote the connection URL.
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(e) => e.message().to_owned(),
        sqlx::Error::Io(e) => e.to_string(),
        sqlx::Error::PoolTimedOut => "no connection within the time allowed".into(),
        sqlx::Error::Tls(_) => "TLS failed".into(),
        sqlx::Error::Migrate(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// `audit.store` as parsed: where events go, if anywhere.
pub enum StoreUrl {
    None,
    Sqlite(String),
    Postgres(SecretString),
}

impl StoreUrl {
    pub fn parse(url: &SecretString) -> Result<Self, &'static str> {
        let url = url.expose_secret().trim();
        if url == "none" {
            Ok(StoreUrl::None)
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if path.is_empty() {
                return Err("names no file: write sqlite:/path/to/audit.db");
            }
            Ok(StoreUrl::Sqlite(path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(StoreUrl::Postgres(SecretString::from(url)))
        } else {
            Err("must be \"sqlite:PATH\", \"postgres://…\" or \"none\"")
        }
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/audit");

/// An open store: its connections, and the one task that writes.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    writer: mpsc::Sender<chain::Job>,
    key: ChainKey,
}

impl Store {
    /// Opens (creating the SQLite file and its folder when absent) and
    /// migrates the store, then starts its writer.
    pub async fn open(url: &StoreUrl, key: ChainKey) -> Result<Self, StoreError> {
        let pool = connect(url).await?;
        tokio::time::timeout(PATIENCE * 10, MIGRATOR.run(&pool))
            .await
            .map_err(|_| StoreError::Open("the schema could not be migrated in time".into()))?
            .map_err(|e| StoreError::Open(format!("cannot migrate the schema: {e}")))?;
        let writer = match url {
            StoreUrl::Sqlite(path) => sqlite_writer::spawn(path, key.clone())?,
            _ => writer::spawn(pool.clone(), key.clone()),
        };
        Ok(Self { pool, writer, key })
    }

    /// Opens for reading only: no migration, no writer (`audit verify`).
    pub async fn open_to_read(url: &StoreUrl, key: ChainKey) -> Result<Self, StoreError> {
        let pool = connect(url).await?;
        let (writer, _) = mpsc::channel(1);
        Ok(Self { pool, writer, key })
    }

    /// The schema's version (the last migration applied).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&self.pool).await?;
        Ok(version.unwrap_or(0))
    }

    /// Whether the store takes a write now: a transaction that locks the
    /// chain's head and is rolled back.
    pub async fn writable(&self) -> Result<(), StoreError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("UPDATE audit_chain SET next_id = next_id WHERE one = 1")
            .execute(&mut *transaction)
            .await?;
        transaction.rollback().await?;
        Ok(())
    }
}

async fn connect(url: &StoreUrl) -> Result<AnyPool, StoreError> {
    sqlx::any::install_default_drivers();
    let (options, sqlite) = match url {
        StoreUrl::None => return Err(StoreError::Open("no store is configured".into())),
        StoreUrl::Sqlite(path) => {
            if let Some(folder) = Path::new(path).parent().filter(|f| !f.as_os_str().is_empty()) {
                std::fs::create_dir_all(folder)
                    .map_err(|e| StoreError::Open(format!("cannot create {}: {e}", folder.display())))?;
            }
            (format!("sqlite://{path}?mode=rwc"), true)
        }
        StoreUrl::Postgres(url) => (url.expose_secret().to_owned(), false),
    };
    let options: AnyConnectOptions =
        options.parse().map_err(|_| StoreError::Open("cannot be parsed as a store URL".into()))?;
    // The connection's statements are not logged: they carry no secret,
    // but nothing in them is for operators either.
    let options = options.disable_statement_logging();
    AnyPoolOptions::new()
        .max_connections(if sqlite { 4 } else { 8 })
        .acquire_timeout(CONNECT_PATIENCE)
        // A connection that broke fails its statement, and the store's
        // failure is handled there: no ping before every use.
        .test_before_acquire(false)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL lets readers and one writer work side by side; a
                    // writer of another process is waited for, not failed.
                    connection
                        .execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 2500; PRAGMA synchronous = FULL;")
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Open(format!("cannot be opened: {}", describe(&e))))
}
