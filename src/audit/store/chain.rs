//! The chain as both writers build it: an event's columns, the head of the
//! chain read in a transaction, the rows a batch writes with their places
//! and hashes, and the statement that writes them.

use std::collections::HashSet;

use serde_json::Value;
use tokio::sync::oneshot;

use crate::audit::record::{ChainKey, Record, TargetRecord, format_ms};

/// Events committed in one transaction at most.
pub(super) const BATCH: usize = 256;

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
    pub(super) op: Op,
    pub(super) reply: oneshot::Sender<Result<i64, String>>,
}

/// A row as it is written: its id, its place in the chain and hash (none
/// while pending).
pub(super) struct Written<'a> {
    pub(super) id: i64,
    pub(super) seq: Option<i64>,
    pub(super) row: &'a Row,
    pub(super) outcome: &'a str,
    pub(super) hash: Option<String>,
}

/// The chain's head, read under its lock within one transaction (or as
/// this writer last left it).
#[derive(Clone)]
pub(super) struct Chain {
    pub(super) next_id: i64,
    pub(super) last_seq: i64,
    pub(super) last_hash: String,
}

impl Chain {
    pub(super) fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// `row` as event `id`, linked at the chain's end.
    pub(super) fn linked<'a>(&mut self, key: &ChainKey, id: i64, row: &'a Row) -> Written<'a> {
        let (seq, hash) = self.link_record(key, &row.record(id));
        Written { id, seq: Some(seq), row, outcome: &row.outcome, hash: Some(hash) }
    }

    /// `record` at the chain's end: its place and hash.
    pub(super) fn link_record(&mut self, key: &ChainKey, record: &Record) -> (i64, String) {
        self.last_seq += 1;
        self.last_hash = key.link(&self.last_hash, record);
        (self.last_seq, self.last_hash.clone())
    }
}

const COLUMNS: &str = "id, seq, at_ms, action, outcome, actor, target_username, target_dn, client, \
                       request_id, via, details, hash, actor_key, person_key";
/// Bound values per row.
pub(super) const PER_ROW: usize = 15;
/// Rows per statement: well within both databases' limits on parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 60;

/// The statement that writes `rows` rows: `$n` parameters when `numbered`
/// (PostgreSQL), else `?` (SQLite).
pub(super) fn upsert(rows: usize, numbered: bool) -> String {
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

/// The rows `ops` write, in order, linked from `chain`: their ids, and the
/// rows. `pending`: the completions still pending, when known (else all).
pub(super) fn arrange<'a>(
    chain: &mut Chain,
    key: &ChainKey,
    ops: &[&'a Op],
    pending: Option<&HashSet<i64>>,
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

/// A name as the trail's filters compare it.
pub(super) fn key_of(name: Option<&str>) -> Option<String> {
    name.map(str::to_lowercase)
}

/// The person an event concerns: their username once resolved, else the
/// name requested.
pub(super) fn person_key(row: &Row) -> Option<String> {
    key_of(row.person.as_deref().or(row.target_username.as_deref()))
}

/// The first job and whatever has queued behind it, up to a batch.
pub(super) fn batch(first: Job, queue: &mut tokio::sync::mpsc::Receiver<Job>) -> Vec<Job> {
    let mut jobs = vec![first];
    while jobs.len() < BATCH {
        match queue.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    jobs
}

/// Each job's answer: its id, or the batch's failure.
pub(super) fn answer(jobs: Vec<Job>, committed: Result<Vec<i64>, String>) {
    match committed {
        Ok(ids) => {
            for (job, id) in jobs.into_iter().zip(ids) {
                let _ = job.reply.send(Ok(id));
            }
        }
        Err(error) => {
            for job in jobs {
                let _ = job.reply.send(Err(error.clone()));
            }
        }
    }
}
