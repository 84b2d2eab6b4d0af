//! When a password write may go, within this process. One write at a time
//! per entry: a second request for the same person waits for the first to
//! be answered, so the directory applies them in the order they are
//! acknowledged, and ppolicy never sees two history updates of one entry
//! race. And at most `ldap.max_concurrent_writes` writes in flight in all:
//! directories apply writes to a database one at a time (LMDB has a single
//! writer; a 389 DS backend takes its lock per write), so writes beyond a
//! few only hold server threads that every client's binds and searches
//! then queue behind. Waiting for a turn counts against the request's
//! deadline; a request that runs out of it has written nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, Semaphore, SemaphorePermit};

use crate::dn::Dn;

pub struct WriteTurns {
    entries: Mutex<HashMap<Dn, Arc<AsyncMutex<()>>>>,
    slots: Semaphore,
}

/// Held while an entry is written; forgets the entry's lock when nobody else
/// waits for it, so the map stays as small as the writes in flight.
pub struct Turn<'a> {
    turns: &'a WriteTurns,
    dn: Dn,
    entry: Option<OwnedMutexGuard<()>>,
    /// Never missing: the semaphore is never closed.
    _slot: Option<SemaphorePermit<'a>>,
}

impl WriteTurns {
    pub fn new(max_in_flight: usize) -> Self {
        Self { entries: Mutex::default(), slots: Semaphore::new(max_in_flight) }
    }

    /// The entry's turn first, then a slot: a write waiting behind another
    /// of the same person holds no slot.
    pub async fn take(&self, dn: &Dn) -> Turn<'_> {
        let lock =
            self.entries.lock().unwrap_or_else(|p| p.into_inner()).entry(dn.clone()).or_default().clone();
        let entry = lock.lock_owned().await;
        let slot = self.slots.acquire().await.ok();
        Turn { turns: self, dn: dn.clone(), entry: Some(entry), _slot: slot }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.entry.take());
        let mut entries = self.turns.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Only the map holds it: nobody waits.
        if entries.get(&self.dn).is_some_and(|lock| Arc::strong_count(lock) == 1) {
            entries.remove(&self.dn);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const WAIT: Duration = Duration::from_millis(20);

    /// A second write of `dn`, waiting for its turn in a task of its own.
    fn another_write(turns: &Arc<WriteTurns>, dn: &Dn) -> tokio::task::JoinHandle<()> {
        let (turns, dn) = (turns.clone(), dn.clone());
        tokio::spawn(async move {
            let _held = turns.take(&dn).await;
        })
    }

    #[tokio::test]
    async fn writes_of_one_entry_take_turns_and_others_do_not_wait() {
        let turns = Arc::new(WriteTurns::new(4));
        let alice = Dn::new("uid=alice,dc=x");
        let first = turns.take(&alice).await;
        let waiting = another_write(&turns, &alice);
        tokio::time::sleep(WAIT).await;
        assert!(!waiting.is_finished(), "the second write of alice waits");
        let bob = tokio::time::timeout(WAIT * 5, turns.take(&Dn::new("uid=bob,dc=x"))).await.unwrap();
        drop(first);
        waiting.await.unwrap();
        drop(bob);
        assert!(turns.entries.lock().unwrap().is_empty(), "forgotten once nobody waits");
    }

    #[tokio::test]
    async fn no_more_writes_than_the_slots_are_in_flight_and_the_next_goes_when_one_ends() {
        let turns = WriteTurns::new(2);
        let (a, b, c) = (Dn::new("uid=a,dc=x"), Dn::new("uid=b,dc=x"), Dn::new("uid=c,dc=x"));
        let first = turns.take(&a).await;
        let _second = turns.take(&b).await;
        assert!(tokio::time::timeout(WAIT, turns.take(&c)).await.is_err(), "a third write waits");
        drop(first);
        assert!(tokio::time::timeout(WAIT, turns.take(&c)).await.is_ok(), "and goes when one ends");
    }

    #[tokio::test]
    async fn a_write_waiting_for_its_entry_holds_no_slot() {
        let turns = Arc::new(WriteTurns::new(2));
        let alice = Dn::new("uid=alice,dc=x");
        let first = turns.take(&alice).await;
        let waiting = another_write(&turns, &alice);
        tokio::time::sleep(WAIT).await;
        let bob = tokio::time::timeout(WAIT, turns.take(&Dn::new("uid=bob,dc=x"))).await;
        assert!(bob.is_ok(), "the second slot is free while alice's second write waits");
        drop(first);
        drop(bob);
        waiting.await.unwrap();
    }
}
