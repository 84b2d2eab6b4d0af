//! One password write at a time per entry, within this process: a second
//! request for the same person waits for the first to be answered, so the
//! directory applies them in the order they are acknowledged, and ppolicy
//! never sees two history updates of one entry race.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::dn::Dn;

#[derive(Default)]
pub struct EntryLocks {
    locks: Mutex<HashMap<Dn, Arc<AsyncMutex<()>>>>,
}

/// Held while an entry is written; forgets the entry's lock when nobody else
/// waits for it, so the map stays as small as the writes in flight.
pub struct Held<'a> {
    locks: &'a EntryLocks,
    dn: Dn,
    guard: Option<OwnedMutexGuard<()>>,
}

impl EntryLocks {
    pub async fn lock(&self, dn: &Dn) -> Held<'_> {
        let lock =
            self.locks.lock().unwrap_or_else(|p| p.into_inner()).entry(dn.clone()).or_default().clone();
        let guard = lock.lock_owned().await;
        Held { locks: self, dn: dn.clone(), guard: Some(guard) }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut locks = self.locks.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Only the map holds it: nobody waits.
        if locks.get(&self.dn).is_some_and(|lock| Arc::strong_count(lock) == 1) {
            locks.remove(&self.dn);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn writes_of_one_entry_take_turns_and_others_do_not_wait() {
        let locks = Arc::new(EntryLocks::default());
        let alice = Dn::new("uid=alice,dc=x");
        let first = locks.lock(&alice).await;
        let waiting = {
            let (locks, alice) = (locks.clone(), alice.clone());
            tokio::spawn(async move {
                let _held = locks.lock(&alice).await;
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the second write of alice waits");
        let _bob = tokio::time::timeout(Duration::from_millis(100), locks.lock(&Dn::new("uid=bob,dc=x")))
            .await
            .unwrap();
        drop(first);
        waiting.await.unwrap();
        drop(_bob);
        assert!(locks.locks.lock().unwrap().is_empty(), "forgotten once nobody waits");
    }
}
