//! PostgreSQL's writer, one async task per process: what queues while a
//! transaction commits is committed together in the next (group commit),
//! a batch's rows in one statement. The chain's head is kept between
//! batches and saved only if no replica moved it meanwhile; otherwise the
//! batch is done again under the head row's lock, so replicas append to one
//! chain. (The same code serves any sqlx database; SQLite has its own
//! writer, `sqlite_writer`.)

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::chain::{
    BATCH, Chain, Job, Op, ROWS_PER_STATEMENT, Row, Written, answer, arrange, batch, key_of, person_key,
    upsert,
};
use super::{PATIENCE, Store, StoreError, describe};
use crate::audit::record::ChainKey;

/// Turns given to ready requests before a batch is taken.
const YIELDS: usize = 2;

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
            let jobs = batch(first, &mut queue);
            let ops: Vec<&Op> = jobs.iter().map(|job| &job.op).collect();
            let committed = commit(&pool, &key, &ops, &mut head).await.map_err(|e| describe(&e));
            answer(jobs, committed);
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
