//! SQLite's writer: a thread of its own with one connection, which takes
//! whatever has queued, commits it in one transaction and answers: one
//! hand-off each way per batch, and every statement prepared once. (Through
//! an async driver each statement is a hand-off to the database's thread
//! and back: most of the cost of a small batch.) `BEGIN IMMEDIATE` takes
//! the write lock first, so writers of several processes take turns on the
//! file and append to one chain.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior, params};
use tokio::sync::mpsc;

use super::StoreError;
use super::chain::{BATCH, Chain, Job, Op, answer, arrange, batch, key_of, person_key, upsert};
use crate::audit::record::ChainKey;

pub(super) fn spawn(path: &str, key: ChainKey) -> Result<mpsc::Sender<Job>, StoreError> {
    let open = |e: rusqlite::Error| StoreError::Open(format!("cannot be opened for writing: {e}"));
    let mut connection = Connection::open(path).map_err(open)?;
    connection.busy_timeout(Duration::from_millis(2500)).map_err(open)?;
    // WAL as for every connection; FULL: a batch is on the disk before the
    // writes it records are made.
    connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").map_err(open)?;
    let (sender, mut queue) = mpsc::channel::<Job>(4 * BATCH);
    // One statement for every row, prepared once on this connection.
    let write = upsert(1, false);
    let writer = move || {
        while let Some(first) = queue.blocking_recv() {
            let jobs = batch(first, &mut queue);
            let ops: Vec<&Op> = jobs.iter().map(|job| &job.op).collect();
            let committed = commit(&mut connection, &key, &write, &ops).map_err(|e| e.to_string());
            answer(jobs, committed);
        }
    };
    std::thread::Builder::new()
        .name("audit-writer".into())
        .spawn(writer)
        .map_err(|e| StoreError::Open(format!("cannot start its writer: {e}")))?;
    Ok(sender)
}

fn commit(
    connection: &mut Connection,
    key: &ChainKey,
    write_row: &str,
    ops: &[&Op],
) -> rusqlite::Result<Vec<i64>> {
    // Only an attempt gates a write, so only a batch holding one waits for
    // the disk; the others reach the WAL (safe from a crash of the process)
    // and are on the disk with the next attempt's sync, which covers every
    // frame before it.
    let gates_a_write = ops.iter().any(|op| matches!(op, Op::Begin(..)));
    connection.pragma_update(None, "synchronous", if gates_a_write { "FULL" } else { "NORMAL" })?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut chain = transaction.query_row(
        "SELECT next_id, last_seq, last_hash FROM audit_chain WHERE one = 1",
        [],
        |row| Ok(Chain { next_id: row.get(0)?, last_seq: row.get(1)?, last_hash: row.get(2)? }),
    )?;
    let mut pending = HashSet::new();
    {
        let mut still =
            transaction.prepare_cached("SELECT 1 FROM audit_events WHERE id = ?1 AND seq IS NULL")?;
        for op in ops {
            if let Op::Complete(id, _) = op
                && still.exists([id])?
            {
                pending.insert(*id);
            }
        }
    }
    let (ids, written) = arrange(&mut chain, key, ops, Some(&pending));
    {
        let mut write = transaction.prepare_cached(write_row)?;
        for w in &written {
            let row = w.row;
            write.execute(params![
                w.id,
                w.seq,
                row.at_ms,
                row.action,
                w.outcome,
                row.actor,
                row.target_username,
                row.target_dn,
                row.client,
                row.request_id,
                row.via,
                row.details.to_string(),
                w.hash,
                key_of(row.actor.as_deref()),
                person_key(row),
            ])?;
        }
    }
    transaction.execute(
        "UPDATE audit_chain SET next_id = ?1, last_seq = ?2, last_hash = ?3 WHERE one = 1",
        params![chain.next_id, chain.last_seq, chain.last_hash],
    )?;
    transaction.commit()?;
    Ok(ids)
}
