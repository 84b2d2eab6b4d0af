//! Start-up: each part is built from its own slice of the settings, then
//! the server is bound and run until SIGTERM or Ctrl-C.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::access::Rules;
use crate::config::Settings;
use crate::directory::LdapDirectory;
use crate::http::{self, AppState};
use crate::lockout::Lockout;
use crate::policy::{BlocklistError, Policy};
use crate::reset::Service;
use crate::token::Tokens;

/// The longest password a verifier should accept at least (NIST SP 800-63B
/// rev. 4, 3.1.1.2).
const RECOMMENDED_MAX_LENGTH: usize = 64;

/// Why pwproxy could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The directory's connections could not be prepared (an unusable CA
    /// file, a pool that cannot be built).
    #[error("directory: {0}")]
    Directory(String),
    #[error("server.trusted_proxies: {0}")]
    TrustedProxies(String),
    #[error(transparent)]
    Blocklist(#[from] BlocklistError),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: SocketAddr, source: std::io::Error },
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
}

impl Application {
    /// Binds the listen address. The directory is not contacted: pwproxy
    /// starts while it is down and `/readyz` says so.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let directory =
            LdapDirectory::new(&settings.ldap, &settings.directory, &settings.policy.context_attributes)
                .map_err(StartupError::Directory)?;
        let policy = Policy::load(&settings.policy)?;
        if settings.policy.max_length < RECOMMENDED_MAX_LENGTH {
            tracing::warn!(
                max_length = settings.policy.max_length,
                "policy.max_length is below {RECOMMENDED_MAX_LENGTH}: NIST SP 800-63B rev. 4 asks verifiers to \
                 accept passwords of at least 64 characters, so that people can use passphrases"
            );
        }
        let authorization = &settings.authorization;
        let rules = Rules::new(
            authorization.delegations(&settings.directory.users_base_dn),
            &authorization.protected_groups,
            authorization.protects_privileged(settings.directory.kind),
        );
        let service = Service::new(
            directory,
            rules,
            Tokens::new(&settings.auth.token_secret, settings.auth.token_ttl_secs),
            policy,
            Lockout::new(&settings.rate_limit),
            Duration::from_secs(settings.ldap.timeout_secs),
        );
        let trusted_proxies = settings.server.trusted_proxy_ranges().map_err(StartupError::TrustedProxies)?;
        let state = Arc::new(AppState {
            service,
            default_admin: authorization.default_admin.clone(),
            trusted_proxies,
        });
        spawn_lockout_maintenance(&state);
        let router = http::router(state, settings.server.max_body_bytes);
        let address = settings.server.listen;
        let listener =
            TcpListener::bind(address).await.map_err(|source| StartupError::Listen { address, source })?;
        Ok(Self { listener, router })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(StartupError::Serve)
    }
}

/// Forgets expired lockouts once a minute, for as long as the state lives.
fn spawn_lockout_maintenance(state: &Arc<AppState>) {
    let state = Arc::downgrade(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match state.upgrade() {
                Some(state) => state.service.lockout().forget_expired(),
                None => return,
            }
        }
    });
}

/// `pwproxy serve`: runs until SIGTERM or Ctrl-C.
pub async fn serve(settings: Settings) -> Result<(), StartupError> {
    let app = Application::build(&settings).await?;
    if let Ok(listen) = app.local_addr() {
        tracing::info!(%listen, directory = %settings.ldap.url, "pwproxy listening");
    }
    app.run_until(shutdown_signal()).await?;
    tracing::info!("pwproxy stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
