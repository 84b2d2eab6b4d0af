//! The store's one writer per process: what queues while a transaction
//! commits is committed together in the next (group commit). Each
//! transaction locks the chain's head row first, so writers of several
//! processes take turns and append to one chain.

use serde_json::Value;
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{PATIENCE, Store, StoreError, describe};
use crate::audit::record::{ChainKey, Record, TargetRecord, format_ms};

/// Events committed in one transaction at most.
const BATCH: usize = 256;

/// An event's columns.
#[derive(Debug, Clone)]
pub struct Row {
    pub at_ms: i64,
    pub action: &'static str,
    pub outcome: String,
    pub actor: Option<String>,
    /// As requested.
    pub target_username: Option<String>,
    pub target_dn: Option<String>,
    /// The person's username once resolved.
    pub person: Option<String>,
    pub client: Option<String>,
    pub request_id: Option<String>,
    pub via: Option<&'static str>,
    pub details: Value,
}

impl Row {
    pub(super) fn record(&self, id: i64) -> Record {
        Record {
            id,
            at: format_ms(self.at_ms),
            action: self.action.to_owned(),
            outcome: self.outcome.clone(),
            actor: self.actor.clone(),
            target: self
                .target_username
                .as_ref()
                .map(|username| TargetRecord { username: username.clone(), dn: self.target_dn.clone() }),
            client: self.client.clone(),
            request_id: self.request_id.clone(),
            via: self.via.map(str::to_owned),
            details: self.details.clone(),
            hash: None,
        }
    }
}

pub(super) enum Op {
    /// A write about to be made: stored, outside the chain until complete.
    Begin(Row),
    /// An event stored whole, at the chain's end.
    Insert(Row),
    /// A pending write's outcome: the event joins the chain now.
    Complete(i64, Row),
}

pub(super) struct Job {
    op: Op,
    reply: oneshot::Sender<Result<i64, String>>,
}

pub(super) fn spawn(pool: AnyPool, key: ChainKey) -> mpsc::Sender<Job> {
    let (sender, mut queue) = mpsc::channel::<Job>(4 * BATCH);
    tokio::spawn(async move {
        while let Some(first) = queue.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < BATCH {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let ops: Vec<&Op> = jobs.iter().map(|job| &job.op).collect();
            match commit(&pool, &key, &ops).await {
                Ok(ids) => {
                    for (job, id) in jobs.into_iter().zip(ids) {
                        let _ = job.reply.send(Ok(id));
                    }
                }
                Err(error) => {
                    let error = describe(&error);
                    for job in jobs {
                        let _ = job.reply.send(Err(error.clone()));
                    }
                }
            }
        }
    });
    sender
}

async fn commit(pool: &AnyPool, key: &ChainKey, ops: &[&Op]) -> Result<Vec<i64>, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    let mut chain = Chain::lock(&mut transaction).await?;
    let mut ids = Vec::with_capacity(ops.len());
    for op in ops {
        let id = match op {
            Op::Begin(row) => chain.begin(&mut transaction, row).await?,
            Op::Insert(row) => chain.append(&mut transaction, key, row).await?,
            Op::Complete(id, row) => {
                chain.complete(&mut transaction, key, *id, row).await?;
                *id
            }
        };
        ids.push(id);
    }
    chain.save(&mut transaction).await?;
    transaction.commit().await?;
    Ok(ids)
}

/// The chain's head, read under its lock within one transaction.
pub(super) struct Chain {
    next_id: i64,
    last_seq: i64,
    last_hash: String,
}

const COLUMNS: &str = "id, seq, at_ms, action, outcome, actor, target_username, target_dn, client, \
                       request_id, via, details, hash, actor_key, person_key";

impl Chain {
    /// Locks the head before reading it: the first statement writes, so a
    /// SQLite writer of another process is waited for (busy timeout) rather
    /// than found after a read, and PostgreSQL holds the row for us.
    pub(super) async fn lock(transaction: &mut Transaction<'_, Any>) -> Result<Self, sqlx::Error> {
        sqlx::query("UPDATE audit_chain SET next_id = next_id WHERE one = 1")
            .execute(&mut **transaction)
            .await?;
        let (next_id, last_seq, last_hash): (i64, i64, String) =
            sqlx::query_as("SELECT next_id, last_seq, last_hash FROM audit_chain WHERE one = 1")
                .fetch_one(&mut **transaction)
                .await?;
        Ok(Self { next_id, last_seq, last_hash })
    }

    async fn begin(&mut self, transaction: &mut Transaction<'_, Any>, row: &Row) -> Result<i64, sqlx::Error> {
        let id = self.next_id;
        self.next_id += 1;
        insert(transaction, id, None, row, "pending", None).await?;
        Ok(id)
    }

    pub(super) async fn append(
        &mut self,
        transaction: &mut Transaction<'_, Any>,
        key: &ChainKey,
        row: &Row,
    ) -> Result<i64, sqlx::Error> {
        let id = self.next_id;
        self.next_id += 1;
        let (seq, hash) = self.link(key, id, row);
        insert(transaction, id, Some(seq), row, &row.outcome, Some(&hash)).await?;
        Ok(id)
    }

    /// A pending event completed. Already completed (as `unknown`, its
    /// process long gone by the clock), it stays as it is.
    pub(super) async fn complete(
        &mut self,
        transaction: &mut Transaction<'_, Any>,
        key: &ChainKey,
        id: i64,
        row: &Row,
    ) -> Result<(), sqlx::Error> {
        let (seq, hash) = self.link(key, id, row);
        let done = sqlx::query(
            "UPDATE audit_events SET seq = $2, at_ms = $3, action = $4, outcome = $5, actor = $6, \
             target_username = $7, target_dn = $8, client = $9, request_id = $10, via = $11, details = $12, \
             hash = $13, actor_key = $14, person_key = $15 WHERE id = $1 AND seq IS NULL",
        )
        .bind(id)
        .bind(seq)
        .bind(row.at_ms)
        .bind(row.action)
        .bind(&row.outcome)
        .bind(&row.actor)
        .bind(&row.target_username)
        .bind(&row.target_dn)
        .bind(&row.client)
        .bind(&row.request_id)
        .bind(row.via)
        .bind(row.details.to_string())
        .bind(&hash)
        .bind(key_of(row.actor.as_deref()))
        .bind(person_key(row))
        .execute(&mut **transaction)
        .await?;
        if done.rows_affected() == 0 {
            // Not linked after all: the head stays where it was.
            self.last_seq -= 1;
            self.last_hash = previous_hash(transaction, self.last_seq).await?;
            tracing::warn!(id, "an audit event was completed as unknown before its outcome arrived");
        }
        Ok(())
    }

    fn link(&mut self, key: &ChainKey, id: i64, row: &Row) -> (i64, String) {
        self.link_record(key, &row.record(id))
    }

    /// `record` at the chain's end: its place and hash.
    pub(super) fn link_record(&mut self, key: &ChainKey, record: &Record) -> (i64, String) {
        self.last_seq += 1;
        self.last_hash = key.link(&self.last_hash, record);
        (self.last_seq, self.last_hash.clone())
    }

    pub(super) async fn save(self, transaction: &mut Transaction<'_, Any>) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE audit_chain SET next_id = $1, last_seq = $2, last_hash = $3 WHERE one = 1")
            .bind(self.next_id)
            .bind(self.last_seq)
            .bind(&self.last_hash)
            .execute(&mut **transaction)
            .await?;
        Ok(())
    }
}

/// The hash of the event at `seq` (the genesis before the first).
async fn previous_hash(transaction: &mut Transaction<'_, Any>, seq: i64) -> Result<String, sqlx::Error> {
    let hash: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&mut **transaction)
        .await?
        .flatten();
    match hash {
        Some(hash) => Ok(hash),
        None => {
            sqlx::query_scalar("SELECT anchor_hash FROM audit_chain WHERE one = 1")
                .fetch_one(&mut **transaction)
                .await
        }
    }
}

async fn insert(
    transaction: &mut Transaction<'_, Any>,
    id: i64,
    seq: Option<i64>,
    row: &Row,
    outcome: &str,
    hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    let statement = format!(
        "INSERT INTO audit_events ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    );
    sqlx::query(&statement)
        .bind(id)
        .bind(seq)
        .bind(row.at_ms)
        .bind(row.action)
        .bind(outcome)
        .bind(&row.actor)
        .bind(&row.target_username)
        .bind(&row.target_dn)
        .bind(&row.client)
        .bind(&row.request_id)
        .bind(row.via)
        .bind(row.details.to_string())
        .bind(hash)
        .bind(key_of(row.actor.as_deref()))
        .bind(person_key(row))
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// A name as the trail's filters compare it.
pub(super) fn key_of(name: Option<&str>) -> Option<String> {
    name.map(str::to_lowercase)
}

/// The person an event concerns: their username once resolved, else the
/// name requested.
fn person_key(row: &Row) -> Option<String> {
    key_of(row.person.as_deref().or(row.target_username.as_deref()))
}

impl Store {
    /// A write about to be made, stored as pending: its id.
    pub async fn begin(&self, row: Row) -> Result<i64, StoreError> {
        self.submit(Op::Begin(row)).await
    }

    /// An event stored whole: its id.
    pub async fn insert(&self, row: Row) -> Result<i64, StoreError> {
        self.submit(Op::Insert(row)).await
    }

    /// A pending write's outcome.
    pub async fn complete(&self, id: i64, row: Row) -> Result<(), StoreError> {
        self.submit(Op::Complete(id, row)).await.map(|_| ())
    }

    async fn submit(&self, op: Op) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stored = async {
            self.writer
                .send(Job { op, reply })
                .await
                .map_err(|_| "the store's writer has stopped".to_owned())?;
            answer.await.map_err(|_| "the store's writer has stopped".to_owned())?
        };
        match tokio::time::timeout(PATIENCE, stored).await {
            Ok(result) => result.map_err(StoreError::Failed),
            Err(_) => Err(StoreError::Failed(format!("no answer within {PATIENCE:?}"))),
        }
    }
}
