//! `pwproxy audit verify`: the store's chain checked with the key, in words
//! and an exit code (0 intact, 1 broken, 2 unreadable).

use std::io::Write;

use super::store::{Store, StoreUrl, Verdict};
use crate::config::Settings;

pub async fn run(settings: &Settings, out: &mut impl Write) -> u8 {
    let (code, line) = verdict(settings).await;
    let _ = writeln!(out, "{line}");
    code
}

async fn verdict(settings: &Settings) -> (u8, String) {
    let audit = &settings.audit;
    let url = match audit.store_url() {
        Ok(StoreUrl::None) => return (2, "audit.store is \"none\": there is no trail to verify".into()),
        Ok(url) => url,
        Err(e) => return (2, e.to_string()),
    };
    let key = match audit.chain_key(&settings.auth.token_secret) {
        Ok(key) => key,
        Err(e) => return (2, e.to_string()),
    };
    let store = match Store::open_to_read(&url, key).await {
        Ok(store) => store,
        Err(e) => return (2, e.to_string()),
    };
    match store.verify().await {
        Ok(Verdict::Intact(count)) => (0, format!("the audit chain holds: {count} events")),
        Ok(Verdict::BadEvent(id)) => (1, format!("first bad event: {id}")),
        Ok(Verdict::Truncated(last)) => (
            1,
            match last {
                Some(id) => format!("the chain's last events are missing: it ends at event {id}"),
                None => "the chain's events are missing: none remain".into(),
            },
        ),
        Err(e) => (2, format!("cannot read the audit store: {e}")),
    }
}
