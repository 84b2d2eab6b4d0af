//! The store's upkeep, under the chain's lock like every write (so one
//! process at a time does it): pending writes whose process is gone are
//! completed as `unknown`, and retention deletes the oldest events, records
//! itself as an event in the same transaction, and leaves the anchor from
//! which the rest of the chain still verifies.

use std::time::Duration;

use serde_json::json;

use super::chain::{Chain, Row};
use super::read::record_of;
use super::{Store, StoreError};
use crate::audit::record::{Record, format_ms, now_ms};
use crate::telemetry::AUDIT_TARGET;

/// How often abandoned attempts are looked for, and retention applied.
const SETTLE_EVERY: Duration = Duration::from_secs(60);
const RETAIN_EVERY: Duration = Duration::from_secs(24 * 3600);

/// The upkeep once now (before pwproxy serves: what a crash left pending is
/// settled at the next start), then on its timers. `abandoned_after`: the
/// longest a live process takes to complete a write's event.
pub async fn spawn_upkeep(
    store: Store,
    retention_days: u64,
    abandoned_after: Duration,
) -> Result<(), StoreError> {
    let abandoned_after_ms = i64::try_from(abandoned_after.as_millis()).unwrap_or(i64::MAX);
    store.settle_abandoned(now_ms().saturating_sub(abandoned_after_ms)).await?;
    retain_now(&store, retention_days).await?;
    tokio::spawn(async move {
        let mut settle = tokio::time::interval(SETTLE_EVERY);
        let mut retain = tokio::time::interval(RETAIN_EVERY);
        // Both fired just now.
        settle.tick().await;
        retain.tick().await;
        loop {
            let done = tokio::select! {
                _ = settle.tick() => store.settle_abandoned(now_ms().saturating_sub(abandoned_after_ms)).await.map(|_| ()),
                _ = retain.tick() => retain_now(&store, retention_days).await,
            };
            if let Err(error) = done {
                tracing::error!("audit store upkeep: {error}");
            }
        }
    });
    Ok(())
}

async fn retain_now(store: &Store, retention_days: u64) -> Result<(), StoreError> {
    if retention_days == 0 {
        return Ok(());
    }
    let kept_ms = i64::try_from(retention_days.saturating_mul(24 * 3600 * 1000)).unwrap_or(i64::MAX);
    let deleted = store.retain(now_ms().saturating_sub(kept_ms)).await?;
    if deleted > 0 {
        tracing::info!(target: AUDIT_TARGET, action = "retention", outcome = "ok", details = %json!({"deleted": deleted}), "audit event");
    }
    Ok(())
}

impl Store {
    /// Completes as `unknown` every pending write begun before
    /// `begun_before_ms`: a live process completes its own long before.
    pub async fn settle_abandoned(&self, begun_before_ms: i64) -> Result<u64, StoreError> {
        let mut transaction = self.pool.begin().await?;
        let mut chain = Chain::lock(&mut transaction).await?;
        let rows = sqlx::query(
            "SELECT id, at_ms, action, outcome, actor, target_username, target_dn, client, request_id, via, \
             details, hash FROM audit_events WHERE seq IS NULL AND at_ms < $1 ORDER BY id",
        )
        .bind(begun_before_ms)
        .fetch_all(&mut *transaction)
        .await?;
        let mut settled = 0;
        for row in &rows {
            let record = Record { outcome: "unknown".into(), ..record_of(row)? };
            let id = record.id;
            let (seq, hash) = chain.link_record(&self.key, &record);
            sqlx::query("UPDATE audit_events SET seq = $2, outcome = 'unknown', hash = $3 WHERE id = $1")
                .bind(id)
                .bind(seq)
                .bind(hash)
                .execute(&mut *transaction)
                .await?;
            tracing::warn!(
                id,
                action = record.action,
                "a write's outcome was never recorded: completed as unknown"
            );
            settled += 1;
        }
        chain.save(&mut transaction).await?;
        transaction.commit().await?;
        Ok(settled)
    }

    /// Deletes the events that completed before `cutoff_ms` (a prefix of
    /// the chain); when any went, records a `retention` event with the
    /// count, in the same transaction. Returns the count.
    pub async fn retain(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        let mut transaction = self.pool.begin().await?;
        let mut chain = Chain::lock(&mut transaction).await?;
        let cut: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM audit_events WHERE seq IS NOT NULL AND at_ms < $1")
                .bind(cutoff_ms)
                .fetch_one(&mut *transaction)
                .await?;
        let Some(cut) = cut else {
            transaction.rollback().await?;
            return Ok(0);
        };
        let anchor_hash: String = sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(cut)
            .fetch_one(&mut *transaction)
            .await?;
        let deleted = sqlx::query("DELETE FROM audit_events WHERE seq IS NOT NULL AND seq <= $1")
            .bind(cut)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        let now = now_ms();
        sqlx::query(
            "UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2, retained_at_ms = $3 WHERE one = 1",
        )
        .bind(cut)
        .bind(&anchor_hash)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        let event = Row {
            at_ms: now,
            action: "retention",
            outcome: "ok".into(),
            actor: None,
            target_username: None,
            target_dn: None,
            person: None,
            client: None,
            request_id: None,
            via: None,
            details: json!({ "deleted": deleted, "before": format_ms(cutoff_ms) }),
        };
        chain.append(&mut transaction, &self.key, &event).await?;
        chain.save(&mut transaction).await?;
        transaction.commit().await?;
        Ok(deleted)
    }
}
