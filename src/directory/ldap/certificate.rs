//! The directory's certificate, as `pwproxy check` sees it: verified as
//! pwproxy verifies it, and kept for its expiry date.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::connection::roots_from;
use super::findings::{Finding, Status};

/// A certificate expiring sooner than this is a warning.
const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 24 * 3600);

/// The server certificate's expiry, as a finding.
pub fn certificate_finding(der: &[u8]) -> Finding {
    let not_after = x509_parser::parse_x509_certificate(der)
        .ok()
        .map(|(_, certificate)| certificate.validity().not_after.timestamp());
    let now =
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    match not_after {
        None => Finding::failed("the directory's certificate", "it could not be read"),
        Some(end) => {
            let date = time::OffsetDateTime::from_unix_timestamp(end)
                .ok()
                .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                .unwrap_or_else(|| end.to_string());
            if end - now < EXPIRY_WARNING.as_secs() as i64 {
                Finding {
                    status: Status::Warning,
                    what: format!("the directory's certificate is valid until {date}"),
                    detail: Some("it expires within 30 days: renew it".into()),
                }
            } else {
                Finding::ok(format!("the directory's certificate is valid until {date}"))
            }
        }
    }
}

/// Verifies as pwproxy does (the CA file, else the system's roots) and keeps
/// the server's certificate for its expiry.
pub fn recording_tls(
    ca_file: Option<&Path>,
    seen: Arc<Mutex<Option<Vec<u8>>>>,
) -> Result<Arc<rustls::ClientConfig>, String> {
    let roots = match ca_file {
        Some(ca_file) => roots_from(ca_file)?,
        None => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            roots
        }
    };
    let inner =
        rustls::client::WebPkiServerVerifier::builder(Arc::new(roots)).build().map_err(|e| e.to_string())?;
    let verifier = Arc::new(Recording { inner, seen });
    Ok(Arc::new(
        rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    ))
}

#[derive(Debug)]
struct Recording {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    seen: Arc<Mutex<Option<Vec<u8>>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(end_entity.to_vec());
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
