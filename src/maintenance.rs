//! What runs beside the server for as long as it lives: expired lockouts
//! forgotten, and `memberOf` proven again (see `directory::ldap::member_of`).

use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::directory::LdapDirectory;
use crate::metrics::Metrics;

type Served = App<LdapDirectory>;

/// Forgets expired lockouts once a minute, for as long as the app lives.
pub(crate) fn spawn_lockout_maintenance(app: &Arc<Served>) {
    let state = Arc::downgrade(app);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match state.upgrade() {
                Some(app) => app.lockout().forget_expired(),
                None => return,
            }
        }
    });
}

/// How often `memberOf` is proven again once a proof has answered, and
/// while the directory cannot answer one. What the directory does not keep
/// between two proofs (a person added to a group before they existed, an
/// overlay switched off) is read for at most this long; a proof is two
/// paged searches (`pwproxy check`, proof included, takes 0.04 s at 100 000
/// people).
const MEMBER_OF_REPROOF: Duration = Duration::from_secs(60);
const MEMBER_OF_RETRY: Duration = Duration::from_secs(10);

/// Proves `memberOf` (see `directory::member_of`), says so when the answer
/// changes, and tells how long to wait before the next proof.
pub(crate) async fn prove_member_of(app: &Served, metrics: &Metrics) -> Duration {
    let directory = app.directory();
    let was_proven = directory.reads_member_of();
    let Some(proof) = directory.prove_member_of().await else { return MEMBER_OF_REPROOF };
    let wait = match proof {
        Ok(Ok(agreement)) => {
            if !was_proven {
                tracing::info!(
                    groups = agreement.groups,
                    memberships = agreement.memberships,
                    "memberOf agrees with every group walked: direct groups are read from it"
                );
            }
            MEMBER_OF_REPROOF
        }
        Ok(Err(discrepancy)) => {
            tracing::error!(
                %discrepancy,
                fix = directory.member_of_fix(),
                "memberOf is not kept for every group walked: groups are searched for instead (slower, as safe)"
            );
            MEMBER_OF_REPROOF
        }
        Err(e) => {
            tracing::warn!(
                error = %e,
                "memberOf could not be proven now: groups are searched for until it is"
            );
            MEMBER_OF_RETRY
        }
    };
    metrics.member_of_proven(directory.reads_member_of());
    wait
}

/// Proves `memberOf` again and again, for as long as the app lives.
pub(crate) fn spawn_member_of_proofs(app: &Arc<Served>, metrics: Arc<Metrics>, first_wait: Duration) {
    let state = Arc::downgrade(app);
    tokio::spawn(async move {
        let mut wait = first_wait;
        loop {
            tokio::time::sleep(wait).await;
            let Some(app) = state.upgrade() else { return };
            wait = prove_member_of(&app, &metrics).await;
        }
    });
}
