//! Building and running the server: bind, serve, stop gracefully on SIGTERM
//! or Ctrl-C.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::Settings;
use crate::http::{self, AppState};
use crate::reset::Service;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
}

impl Application {
    /// Binds the listen address. The directory is not contacted: pwproxy
    /// starts while it is down and `/readyz` says so.
    pub async fn build(settings: &Settings) -> Result<Self, String> {
        let service = Service::new(settings)?;
        let trusted_proxies = settings.server.trusted_proxy_ranges()?;
        let state = Arc::new(AppState {
            service,
            default_admin: settings.authorization.default_admin.clone(),
            trusted_proxies,
        });
        spawn_lockout_maintenance(&state);
        let router = http::router(state, settings.server.max_body_bytes);
        let listener = TcpListener::bind(settings.server.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", settings.server.listen))?;
        Ok(Self { listener, router })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener.local_addr().map_err(|e| e.to_string())
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), String> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| format!("server error: {e}"))
    }
}

/// Forgets expired lockouts once a minute, for as long as the state lives.
fn spawn_lockout_maintenance(state: &Arc<AppState>) {
    let state = Arc::downgrade(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
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
pub async fn serve(settings: Settings) -> Result<(), String> {
    let app = Application::build(&settings).await?;
    tracing::info!(listen = %app.local_addr()?, directory = %settings.ldap.url, "pwproxy listening");
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
