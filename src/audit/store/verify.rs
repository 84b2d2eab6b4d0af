//! `pwproxy audit verify`: the chain walked from the anchor retention left
//! (or the genesis) to the head, each link recomputed with the key.

use super::{Store, StoreError};

/// Events read at once while walking the chain.
const STRIDE: i64 = 2000;

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every link holds: this many events.
    Intact(u64),
    /// The first event whose link does not hold: changed, inserted, or the
    /// first after a removal.
    BadEvent(i64),
    /// The chain ends before its head says it does: its last events are
    /// gone (the id is the last event that remains, if any).
    Truncated(Option<i64>),
}

impl Store {
    pub async fn verify(&self) -> Result<Verdict, StoreError> {
        let (anchor_seq, anchor_hash, last_seq, last_hash): (i64, String, i64, String) = sqlx::query_as(
            "SELECT anchor_seq, anchor_hash, last_seq, last_hash FROM audit_chain WHERE one = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        let (mut seq, mut hash, mut last_id, mut count) = (anchor_seq, anchor_hash, None, 0u64);
        loop {
            let links = self.chain_from(seq, STRIDE).await?;
            let read = links.len();
            for (at, record) in links {
                let linked = self.key.link(&hash, &record);
                if at != seq + 1 || record.hash.as_deref() != Some(linked.as_str()) {
                    return Ok(Verdict::BadEvent(record.id));
                }
                seq = at;
                hash = linked;
                last_id = Some(record.id);
                count += 1;
            }
            if i64::try_from(read).unwrap_or(0) < STRIDE {
                break;
            }
        }
        if seq != last_seq || hash != last_hash {
            return Ok(Verdict::Truncated(last_id));
        }
        Ok(Verdict::Intact(count))
    }
}
