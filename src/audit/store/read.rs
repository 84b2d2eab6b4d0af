//! Reading the trail: completed events, newest first, filtered and paged by
//! id (a page's `next` is the last id it holds, so every event shows once
//! however many arrive while pages are read). Filters are bound
//! parameters, never SQL text.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::chain::key_of;
use super::{Store, StoreError};
use crate::audit::record::{Record, TargetRecord, format_ms};

/// The trail's filters; `None` leaves a field free.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The person concerned, by username (any letter case).
    pub person: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Inclusive, in milliseconds since the epoch.
    pub since_ms: Option<i64>,
    /// Exclusive.
    pub until_ms: Option<i64>,
    /// Events older than this id (the previous page's `next`).
    pub before_id: Option<i64>,
}

/// One page, and where the next begins.
#[derive(Debug, Default)]
pub struct Page {
    pub events: Vec<Record>,
    /// More may follow when the page was full.
    pub next: Option<i64>,
}

const SELECT: &str = "SELECT id, at_ms, action, outcome, actor, target_username, target_dn, client, \
                      request_id, via, details, hash FROM audit_events";

impl Store {
    /// Up to `limit` events matching `filter`, newest first.
    pub async fn page(&self, filter: &Filter, limit: u32) -> Result<Page, StoreError> {
        let statement = format!(
            "{SELECT} WHERE seq IS NOT NULL \
             AND ($1 IS NULL OR person_key = $1) AND ($2 IS NULL OR actor_key = $2) \
             AND ($3 IS NULL OR action = $3) AND ($4 IS NULL OR outcome = $4) \
             AND ($5 IS NULL OR at_ms >= $5) AND ($6 IS NULL OR at_ms < $6) \
             AND ($7 IS NULL OR id < $7) ORDER BY id DESC LIMIT $8"
        );
        let rows = sqlx::query(&statement)
            .bind(key_of(filter.person.as_deref()))
            .bind(key_of(filter.actor.as_deref()))
            .bind(&filter.action)
            .bind(&filter.outcome)
            .bind(filter.since_ms)
            .bind(filter.until_ms)
            .bind(filter.before_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let events = rows.iter().map(record_of).collect::<Result<Vec<_>, _>>()?;
        let full = events.len() == usize::try_from(limit).unwrap_or(usize::MAX);
        let next = if full { events.last().map(|event| event.id) } else { None };
        Ok(Page { events, next })
    }

    /// Every completed event in the chain's order, from `after_seq` on, at
    /// most `limit`: what verification walks.
    pub(super) async fn chain_from(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Record)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, seq, at_ms, action, outcome, actor, target_username, target_dn, client, request_id, \
             via, details, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<i64, _>("seq")?, record_of(row)?)))
            .collect::<Result<Vec<_>, StoreError>>()
    }
}

pub(super) fn record_of(row: &AnyRow) -> Result<Record, StoreError> {
    let target_username: Option<String> = row.try_get("target_username")?;
    let details: String = row.try_get("details")?;
    Ok(Record {
        id: row.try_get("id")?,
        at: format_ms(row.try_get("at_ms")?),
        action: row.try_get("action")?,
        outcome: row.try_get("outcome")?,
        actor: row.try_get("actor")?,
        target: target_username
            .map(|username| TargetRecord { username, dn: row.try_get("target_dn").ok().flatten() }),
        client: row.try_get("client")?,
        request_id: row.try_get("request_id")?,
        via: row.try_get("via")?,
        // Stored as written; a row edited into something that is not JSON
        // shows as its text (and fails verification).
        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::String(details)),
        hash: row.try_get("hash")?,
    })
}
