//! Opening LDAP connections: transport security, and the time bound that
//! every directory operation runs under.

use std::cell::Cell;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use secrecy::{ExposeSecret, SecretString};

use crate::config::LdapSettings;
use crate::directory::DirectoryError;
use crate::directory::dialects::{BindOutcome, Dialect};
use crate::metrics::Metrics;

tokio::task_local! {
    /// Directory exchanges made by the current request, when counted.
    static EXCHANGES: Cell<u32>;
}

/// Runs `work` and counts the directory exchanges (round trips: connects,
/// binds, searches, modifies) it makes, so each request type's cost can be
/// seen in the audit line and kept to what it needs.
pub async fn counting_exchanges<T>(work: impl Future<Output = T>) -> (T, u32) {
    EXCHANGES
        .scope(Cell::new(0), async {
            let output = work.await;
            (output, EXCHANGES.with(Cell::get))
        })
        .await
}

/// Opens connections to the configured directory. Built once at start-up, so
/// the CA file is read and the TLS configuration assembled only there.
#[derive(Clone)]
pub struct Connector {
    url: String,
    settings: LdapConnSettings,
    timeout: Duration,
    /// Reads the directory's answers to binds.
    dialect: &'static dyn Dialect,
    /// Where each exchange's duration goes, when anywhere.
    metrics: Option<Arc<Metrics>>,
}

impl Connector {
    pub fn new(ldap: &LdapSettings, dialect: &'static dyn Dialect) -> Result<Self, String> {
        // ldap3 builds its default TLS configuration with the process-wide
        // provider; installing ring here keeps that choice unambiguous.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = Duration::from_secs(ldap.timeout_secs);
        let mut settings = LdapConnSettings::new().set_conn_timeout(timeout).set_starttls(ldap.starttls);
        if ldap.danger_skip_tls_verify {
            tracing::warn!(
                "ldap.danger_skip_tls_verify = true: the directory's certificate is NOT verified; anyone on \
                 the network path can impersonate it and read every password pwproxy sends"
            );
            settings = settings.set_no_tls_verify(true);
        } else if let Some(ca_file) = &ldap.ca_file {
            settings = settings.set_config(Arc::new(trust_only(ca_file)?));
        }
        Ok(Self { url: ldap.url.trim().to_owned(), settings, timeout, dialect, metrics: None })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Records every exchange's duration, by operation.
    pub fn observed_by(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The same connections with another TLS configuration (the deployment
    /// check's, which records the server's certificate).
    pub fn with_tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.settings = self.settings.set_config(config);
        self
    }

    /// Runs one directory exchange under `ldap.timeout_secs`; a directory that
    /// does not answer in time is unavailable, not slow.
    ///
    /// The exchange is boxed before anything else: ldap3's futures are large,
    /// and kept inline they would make every caller's future, and its poll
    /// frames, as large (enough to overflow a worker's stack in debug builds).
    pub fn timed<'a, T: 'a>(
        &'a self,
        what: &'static str,
        exchange: impl Future<Output = Result<T, ldap3::LdapError>> + Send + 'a,
    ) -> impl Future<Output = Result<T, DirectoryError>> + Send + 'a {
        let exchange = Box::pin(exchange);
        async move {
            let _ = EXCHANGES.try_with(|count| count.set(count.get() + 1));
            let started = std::time::Instant::now();
            let answer = tokio::time::timeout(self.timeout, exchange).await;
            if let Some(metrics) = &self.metrics {
                metrics.directory_operation(what, started.elapsed());
            }
            match answer {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(e)) => Err(from_transport(what, e)),
                Err(_) => {
                    Err(DirectoryError::Unavailable(format!("{what}: no answer within {:?}", self.timeout)))
                }
            }
        }
    }

    /// A new connection (TLS established when configured), not yet bound.
    pub async fn connect(&self) -> Result<Ldap, DirectoryError> {
        let (conn, ldap) =
            self.timed("connect", LdapConnAsync::with_settings(self.settings.clone(), &self.url)).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.drive().await {
                tracing::debug!("directory connection closed: {e}");
            }
        });
        Ok(ldap)
    }

    /// Simple bind, read by the dialect: bound, or refused (with the reason
    /// when a person can act on it). An empty password is refused here: LDAP
    /// would treat it as an unauthenticated bind and answer success.
    pub async fn bind(
        &self,
        ldap: &mut Ldap,
        dn: &str,
        password: &SecretString,
    ) -> Result<BindOutcome, DirectoryError> {
        if password.expose_secret().is_empty() {
            return Ok(BindOutcome::Refused(None));
        }
        let result = self.timed("bind", ldap.simple_bind(dn, password.expose_secret())).await?;
        self.dialect.bind_outcome(&result).ok_or_else(|| from_result("bind", result.rc, &result.text))
    }
}

/// Failures to exchange messages mean the directory is unavailable;
/// anything else (a filter that does not parse…) is a defect.
fn from_transport(what: &str, e: ldap3::LdapError) -> DirectoryError {
    use ldap3::LdapError as E;
    match e {
        E::Io { .. }
        | E::OpSend { .. }
        | E::ResultRecv { .. }
        | E::IdScrubSend { .. }
        | E::Timeout { .. }
        | E::EndOfStream
        | E::Rustls { .. } => DirectoryError::Unavailable(format!("{what}: {e}")),
        other => DirectoryError::Other(format!("{what}: {other}")),
    }
}

/// A result code that is not the answer hoped for.
pub fn from_result(what: &str, rc: u32, text: &str) -> DirectoryError {
    match rc {
        // busy, unavailable, other (slapd's answer while shutting down)
        51 | 52 | 80 => DirectoryError::Unavailable(format!("{what}: result {rc} {text}")),
        _ => DirectoryError::Other(format!("{what}: result {rc} {text}")),
    }
}

/// A TLS configuration that trusts the CA certificates in `ca_file` only.
pub fn trust_only(ca_file: &Path) -> Result<rustls::ClientConfig, String> {
    Ok(rustls::ClientConfig::builder().with_root_certificates(roots_from(ca_file)?).with_no_client_auth())
}

/// The CA certificates in `ca_file`.
pub fn roots_from(ca_file: &Path) -> Result<rustls::RootCertStore, String> {
    let problem = |e: &dyn std::fmt::Display| format!("ldap.ca_file: '{}': {e}", ca_file.display());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).map_err(|e| problem(&e))? {
        roots.add(cert.map_err(|e| problem(&e))?).map_err(|e| problem(&e))?;
    }
    if roots.is_empty() {
        return Err(problem(&"holds no PEM certificate"));
    }
    Ok(roots)
}
