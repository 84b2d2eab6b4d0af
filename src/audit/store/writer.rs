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
/// Turns given to ready requests before a batch is taken.
const YIELDS: usize = 2;

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
        // The chain's head as this writer last left it.
        let mut head = None;
        while let Some(first) = queue.recv().await {
            // Let the requests that are ready run first: those about to
            // store an event join this batch, and a batch of several costs
            // the store's thread hardly more than a batch of one.
            for _ in 0..YIELDS {
                tokio::task::yield_now().await;
            }
            let mut jobs = vec![first];
            while jobs.len() < BATCH {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let ops: Vec<&Op> = jobs.iter().map(|job| &job.op).collect();
            match commit(&pool, &key, &ops, &mut head).await {
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

/// Commits `ops` in one transaction. First as if the head were still as
/// this writer left it (four statements: nothing to read first); a write of
/// another process since, or a completion that another process settled,
/// shows in what the statements touched, and the batch is done again
/// under the head's lock, as it was found.
async fn commit(
    pool: &AnyPool,
    key: &ChainKey,
    ops: &[&Op],
    head: &mut Option<Chain>,
) -> Result<Vec<i64>, sqlx::Error> {
    if let Some(known) = head.take() {
        let mut transaction = pool.begin().await?;
        let before = (known.next_id, known.last_seq);
        let mut chain = known;
        let (ids, written) = arrange(&mut chain, key, ops, None);
        let expected = u64::try_from(written.len()).unwrap_or(u64::MAX);
        // An error here (an id another replica took meanwhile) is retried
        // under the lock below.
        if let Ok(touched) = write(&mut transaction, &written).await
            && touched == expected
            && matches!(chain.save_if(&mut transaction, before).await, Ok(true))
        {
            transaction.commit().await?;
            *head = Some(chain);
            return Ok(ids);
        }
        transaction.rollback().await?;
    }
    let mut transaction = pool.begin().await?;
    let mut chain = Chain::lock(&mut transaction).await?;
    let completing: Vec<i64> =
        ops.iter().filter_map(|op| if let Op::Complete(id, _) = op { Some(*id) } else { None }).collect();
    let pending = still_pending(&mut transaction, &completing).await?;
    let (ids, written) = arrange(&mut chain, key, ops, Some(&pending));
    write(&mut transaction, &written).await?;
    chain.clone().save(&mut transaction).await?;
    transaction.commit().await?;
    *head = Some(chain);
    Ok(ids)
}

/// The rows `ops` write, in order, linked from `chain`: their ids, and the
/// rows. `pending`: the completions still pending, when known (else all).
fn arrange<'a>(
    chain: &mut Chain,
    key: &ChainKey,
    ops: &[&'a Op],
    pending: Option<&std::collections::HashSet<i64>>,
) -> (Vec<i64>, Vec<Written<'a>>) {
    let mut ids = Vec::with_capacity(ops.len());
    let mut written = Vec::with_capacity(ops.len());
    for op in ops {
        match op {
            Op::Begin(row) => {
                let id = chain.take_id();
                written.push(Written { id, seq: None, row, outcome: "pending", hash: None });
                ids.push(id);
            }
            Op::Insert(row) => {
                let id = chain.take_id();
                written.push(chain.linked(key, id, row));
                ids.push(id);
            }
            Op::Complete(id, row) => {
                ids.push(*id);
                if pending.is_none_or(|pending| pending.contains(id)) {
                    written.push(chain.linked(key, *id, row));
                } else {
                    // Completed as unknown already, its process given up for
                    // gone by the clock: it stays so.
                    tracing::warn!(id, "an audit event was completed as unknown before its outcome arrived");
                }
            }
        }
    }
    (ids, written)
}

/// Which of `ids` are still pending.
async fn still_pending(
    transaction: &mut Transaction<'_, Any>,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = (1..=ids.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let statement = format!("SELECT id FROM audit_events WHERE seq IS NULL AND id IN ({list})");
    let mut query = sqlx::query_scalar::<_, i64>(&statement);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(&mut **transaction).await?.into_iter().collect())
}

/// A row as it is written: its id, its place in the chain and hash (none
/// while pending).
pub(super) struct Written<'a> {
    id: i64,
    seq: Option<i64>,
    row: &'a Row,
    outcome: &'a str,
    hash: Option<String>,
}

/// The chain's head, read under its lock within one transaction (or as
/// this writer last left it).
#[derive(Clone)]
pub(super) struct Chain {
    next_id: i64,
    last_seq: i64,
    last_hash: String,
}

const COLUMNS: &str = "id, seq, at_ms, action, outcome, actor, target_username, target_dn, client, \
                       request_id, via, details, hash, actor_key, person_key";
/// Bound values per row.
const PER_ROW: usize = 15;
/// Rows per statement: well within both databases' limits on parameters.
const ROWS_PER_STATEMENT: usize = 60;

impl Chain {
    /// Locks the head and reads it in one statement: it writes first, so a
    /// SQLite writer of another process is waited for (busy timeout) rather
    /// than found after a read, and PostgreSQL holds the row for us.
    pub(super) async fn lock(transaction: &mut Transaction<'_, Any>) -> Result<Self, sqlx::Error> {
        let (next_id, last_seq, last_hash): (i64, i64, String) = sqlx::query_as(
            "UPDATE audit_chain SET next_id = next_id WHERE one = 1 RETURNING next_id, last_seq, last_hash",
        )
        .fetch_one(&mut **transaction)
        .await?;
        Ok(Self { next_id, last_seq, last_hash })
    }

    fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// `row` as event `id`, linked at the chain's end.
    fn linked<'a>(&mut self, key: &ChainKey, id: i64, row: &'a Row) -> Written<'a> {
        let (seq, hash) = self.link_record(key, &row.record(id));
        Written { id, seq: Some(seq), row, outcome: &row.outcome, hash: Some(hash) }
    }

    /// An event stored whole at the chain's end: its id.
    pub(super) async fn append(
        &mut self,
        transaction: &mut Transaction<'_, Any>,
        key: &ChainKey,
        row: &Row,
    ) -> Result<i64, sqlx::Error> {
        let id = self.take_id();
        write(transaction, &[self.linked(key, id, row)]).await?;
        Ok(id)
    }

    /// `record` at the chain's end: its place and hash.
    pub(super) fn link_record(&mut self, key: &ChainKey, record: &Record) -> (i64, String) {
        self.last_seq += 1;
        self.last_hash = key.link(&self.last_hash, record);
        (self.last_seq, self.last_hash.clone())
    }

    /// Saves the head if it is still as it was `before` (next id, last
    /// place): whether it was.
    async fn save_if(
        &self,
        transaction: &mut Transaction<'_, Any>,
        (next_id, last_seq): (i64, i64),
    ) -> Result<bool, sqlx::Error> {
        let saved = sqlx::query(
            "UPDATE audit_chain SET next_id = $1, last_seq = $2, last_hash = $3 \
             WHERE one = 1 AND next_id = $4 AND last_seq = $5",
        )
        .bind(self.next_id)
        .bind(self.last_seq)
        .bind(&self.last_hash)
        .bind(next_id)
        .bind(last_seq)
        .execute(&mut **transaction)
        .await?;
        Ok(saved.rows_affected() == 1)
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

/// The statement that writes `rows` rows: `$n` parameters when `numbered`
/// (PostgreSQL), else `?` (SQLite).
fn upsert(rows: usize, numbered: bool) -> String {
    use std::fmt::Write as _;
    let mut statement = format!("INSERT INTO audit_events ({COLUMNS}) VALUES ");
    for r in 0..rows {
        statement.push_str(if r == 0 { "(" } else { ", (" });
        for c in 1..=PER_ROW {
            let separator = if c == 1 { "" } else { ", " };
            let _ = match numbered {
                true => write!(statement, "{separator}${}", r * PER_ROW + c),
                false => write!(statement, "{separator}?"),
            };
        }
        statement.push(')');
    }
    statement.push_str(" ON CONFLICT (id) DO UPDATE SET ");
    let replaced: Vec<String> =
        COLUMNS.split(", ").filter(|c| *c != "id").map(|c| format!("{c} = excluded.{c}")).collect();
    statement.push_str(&replaced.join(", "));
    statement.push_str(" WHERE audit_events.seq IS NULL");
    statement
}

/// Writes rows, many to a statement: a new row is inserted, a pending one's
/// completion replaces it (only while it is pending).
async fn write(transaction: &mut Transaction<'_, Any>, rows: &[Written<'_>]) -> Result<u64, sqlx::Error> {
    // SQLite looks a numbered parameter up by name, one scan of them all
    // each: anonymous ones bind in order, at no cost.
    let numbered = transaction.backend_name() != "SQLite";
    let mut touched = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let statement = upsert(chunk.len(), numbered);
        let mut query = sqlx::query(&statement);
        for written in chunk {
            let row = written.row;
            query = query
                .bind(written.id)
                .bind(written.seq)
                .bind(row.at_ms)
                .bind(row.action)
                .bind(written.outcome)
                .bind(&row.actor)
                .bind(&row.target_username)
                .bind(&row.target_dn)
                .bind(&row.client)
                .bind(&row.request_id)
                .bind(row.via)
                .bind(row.details.to_string())
                .bind(&written.hash)
                .bind(key_of(row.actor.as_deref()))
                .bind(person_key(row));
        }
        touched += query.execute(&mut **transaction).await?.rows_affected();
    }
    Ok(touched)
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
