//! Start-up: each part is built from its own slice of the settings, then
//! the server is bound and run until SIGTERM or Ctrl-C.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use tokio::net::TcpListener;

use crate::access::Rules;
use crate::app::App;
use crate::audit::Trail;
use crate::audit::store::{Store as AuditStore, StoreUrl, spawn_upkeep};
use crate::config::{Membership, Settings};
use crate::directory::LdapDirectory;
use crate::lockout::Lockout;
use crate::maintenance::{prove_member_of, spawn_lockout_maintenance, spawn_member_of_proofs};
use crate::metrics::Metrics;
use crate::notify::{Notifier, SmtpMailer};
use crate::policy::{BlocklistError, Policy};
use crate::shared::Store;
use crate::token::Tokens;
use crate::web::{self, AppState, console};

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
    #[error("server.tls_cert_file / server.tls_key_file: {0}")]
    Tls(String),
    #[error("{0}")]
    Notify(String),
    #[error("{0}")]
    Console(String),
    #[error("rate_limit.store {0}")]
    SharedStore(&'static str),
    /// The audit store cannot be opened (its message names `audit.store`).
    #[error("{0}")]
    Audit(String),
}

/// The audit trail `[audit]` asks for: the sink every event goes to, and
/// the store it is read back from (`None` with `store = "none"`). The
/// store's upkeep runs once before pwproxy serves, then on its timers.
async fn audit_trail(
    settings: &Settings,
    metrics: &Arc<Metrics>,
    deadline: Duration,
) -> Result<(Trail, Option<AuditStore>), StartupError> {
    let audit = &settings.audit;
    let invalid = |e: crate::config::ConfigError| StartupError::Audit(e.to_string());
    let url = audit.store_url().map_err(invalid)?;
    let store = match url {
        StoreUrl::None => None,
        url => {
            let key = audit.chain_key(&settings.auth.token_secret).map_err(invalid)?;
            let store = AuditStore::open(&url, key).await.map_err(|e| StartupError::Audit(e.to_string()))?;
            // A live process completes a write's event within its deadline
            // and the store's own patience; older attempts were abandoned.
            let abandoned_after = deadline + Duration::from_secs(10);
            spawn_upkeep(store.clone(), audit.retention_days, abandoned_after)
                .await
                .map_err(|e| StartupError::Audit(format!("audit.store: {e}")))?;
            Some(store)
        }
    };
    Ok((Trail::new(store.clone(), audit.required, Some(metrics.clone())), store))
}

/// The mailer `[notify]` asks for; `None` without it.
fn notifier(settings: &Settings) -> Result<Option<Notifier>, StartupError> {
    let Some(notify) = &settings.notify else { return Ok(None) };
    let mailer = SmtpMailer::new(notify).map_err(StartupError::Notify)?;
    Ok(Some(Notifier::new(Box::new(mailer), Duration::from_secs(notify.timeout_secs))))
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// HTTPS, when configured.
    tls: Option<RustlsConfig>,
    /// `/metrics` on a listener of its own (`server.metrics_listen`).
    metrics: Option<(TcpListener, axum::Router)>,
}

impl Application {
    /// Binds the listen addresses. The directory is not contacted: pwproxy
    /// starts while it is down and `/readyz` says so.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let metrics = Arc::new(Metrics::default());
        let directory = LdapDirectory::new(
            &settings.ldap,
            &settings.directory,
            &settings.policy.context_attributes,
            metrics.clone(),
        )
        .map_err(StartupError::Directory)?
        .with_mail_attribute(settings.notify.as_ref().map_or("mail", |n| n.mail_attribute.as_str()));
        let policy = Policy::load(&settings.policy)?;
        // Validated with the configuration: the one place its URL is read.
        let shared_store = Store::open(&settings.rate_limit.store).map_err(StartupError::SharedStore)?;
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
        )
        .with_auditors(&authorization.auditor_groups);
        let deadline = Duration::from_secs(settings.ldap.timeout_secs);
        let (trail, audit_store) = audit_trail(settings, &metrics, deadline).await?;
        let app = App::new(
            directory,
            rules,
            Tokens::new(&settings.auth.token_secret, settings.auth.token_ttl_secs),
            policy,
            Lockout::new(&settings.rate_limit)
                .sharing(&shared_store, &settings.rate_limit)
                .observed_by(metrics.clone()),
            deadline,
        )
        .with_mail(settings.generate.clone(), notifier(settings)?)
        .with_audit(Arc::new(trail))
        .with_trail(audit_store)
        .with_bulk_concurrency(settings.bulk.concurrency)
        .observed_by(metrics.clone());
        let app = Arc::new(app);
        let trusted_proxies = settings.server.trusted_proxy_ranges().map_err(StartupError::TrustedProxies)?;
        let state = Arc::new(AppState {
            app: app.clone(),
            metrics: metrics.clone(),
            default_admin: authorization.default_admin.clone(),
            bulk_max_people: settings.bulk.max_people,
            trusted_proxies,
        });
        spawn_lockout_maintenance(&app);
        if settings.directory.membership == Membership::MemberOf {
            // The first proof before serving: the first requests already
            // read memberOf when it is kept.
            let wait = prove_member_of(&app, &metrics).await;
            spawn_member_of_proofs(&app, metrics, wait);
        }
        let server = &settings.server;
        // The session cookie is Secure when pwproxy serves HTTPS, or sits
        // behind a proxy that does (allow_plaintext).
        let secure = server.tls_cert_file.is_some() || server.allow_plaintext;
        let console = match settings.console.enabled {
            true => Some(
                console::router(&settings.console, secure, app.keeps_trail())
                    .map_err(StartupError::Console)?,
            ),
            false => None,
        };
        let router =
            web::router(state.clone(), server.max_body_bytes, server.metrics_listen.is_none(), console);
        let listener = bind(server.listen).await?;
        let metrics = match server.metrics_listen {
            Some(address) => Some((bind(address).await?, web::api::metrics_router(state))),
            None => None,
        };
        let tls = match (&server.tls_cert_file, &server.tls_key_file) {
            (Some(cert), Some(key)) => Some(
                RustlsConfig::from_pem_file(cert, key)
                    .await
                    .map_err(|e| StartupError::Tls(format!("{}, {}: {e}", cert.display(), key.display())))?,
            ),
            _ => None,
        };
        Ok(Self { listener, router, tls, metrics })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where `/metrics` is served apart, if it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let when_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        let metrics = self.metrics.map(|(listener, router)| {
            let stopped = when_stopped(stopped.clone());
            tokio::spawn(async move { axum::serve(listener, router).with_graceful_shutdown(stopped).await })
        });
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = match self.tls {
            None => axum::serve(self.listener, service).with_graceful_shutdown(when_stopped(stopped)).await,
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let graceful = handle.clone();
                let stopping = when_stopped(stopped);
                tokio::spawn(async move {
                    stopping.await;
                    graceful.graceful_shutdown(None);
                });
                let listener = self.listener.into_std().map_err(StartupError::Serve)?;
                axum_server::from_tcp_rustls(listener, tls)
                    .map_err(StartupError::Serve)?
                    .handle(handle)
                    .serve(service)
                    .await
            }
        };
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        served.map_err(StartupError::Serve)
    }
}

async fn bind(address: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(address).await.map_err(|source| StartupError::Listen { address, source })
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
