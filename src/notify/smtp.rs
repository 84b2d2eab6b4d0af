//! Mail over SMTP with lettre (tokio, rustls). The URL decides encryption:
//! `smtp://` upgrades with STARTTLS when the server offers it (lettre's
//! own `smtp://` never would), `?tls=required` insists on it, `?tls=none`
//! never tries, `smtps://` is TLS from the first byte.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use url::Url;

use super::{Mail, Mailer, Sending, Templates, Undelivered};
use crate::config::NotifySettings;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The sender's domain, for Message-IDs.
    domain: String,
    templates: Templates,
}

#[derive(Clone, Copy)]
enum Encryption {
    None,
    Opportunistic,
    Required,
    Wrapper,
}

impl SmtpMailer {
    pub fn new(settings: &NotifySettings) -> Result<Self, String> {
        // Errors never quote the URL: it may hold a password.
        let mut url = Url::parse(settings.smtp_url.expose_secret())
            .map_err(|e| format!("notify.smtp_url is not a URL: {e}"))?;
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let encryption = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => Encryption::Wrapper,
            ("smtp", None | Some("opportunistic")) => Encryption::Opportunistic,
            ("smtp", Some("required")) => Encryption::Required,
            ("smtp", Some("none")) => Encryption::None,
            _ => return Err("notify.smtp_url: use smtp:// (tls=required|none) or smtps://".into()),
        };
        if url.scheme() == "smtp" && url.port().is_none() {
            url.set_port(Some(25)).map_err(|()| "notify.smtp_url has no host".to_owned())?;
        }
        // lettre reads host, port, credentials and EHLO name; encryption is set below.
        url.set_query(None);
        let host = url.host_str().ok_or("notify.smtp_url has no host")?.to_owned();
        let mut parameters = TlsParameters::builder(host);
        if let Some(ca) = &settings.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("notify.ca_file: {e}"))?;
            let certificate = Certificate::from_pem(&pem).map_err(|e| format!("notify.ca_file: {e}"))?;
            parameters = parameters.add_root_certificate(certificate);
        }
        let parameters = parameters.build_rustls().map_err(|e| format!("notify.smtp_url: {e}"))?;
        let tls = match encryption {
            Encryption::None => Tls::None,
            Encryption::Opportunistic => Tls::Opportunistic(parameters),
            Encryption::Required => Tls::Required(parameters),
            Encryption::Wrapper => Tls::Wrapper(parameters),
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|e| format!("notify.smtp_url: {e}"))?
            .tls(tls)
            // Each step's own limit, a backstop: the whole send's deadline
            // (the notifier's, one second shorter) is what a caller meets.
            .timeout(Some(Duration::from_secs(settings.timeout_secs + 1)))
            .build();
        let from: Mailbox = settings.from.parse().map_err(|e| format!("notify.from: {e}"))?;
        let domain = from.email.domain().to_owned();
        let templates = Templates::load(settings.templates_dir.as_deref(), &settings.contact)?;
        Ok(Self { transport, from, domain, templates })
    }

    /// Connects, greets and (as configured) starts TLS: what `pwproxy
    /// check` asks of the relay.
    pub async fn probe(&self) -> Result<(), String> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the relay did not answer NOOP".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn message(&self, mail: &Mail) -> Result<Message, Undelivered> {
        let texts = self.templates.render(mail).map_err(|details| Undelivered {
            reason: "the mail could not be written (template error; see the log)".into(),
            details,
        })?;
        // The directory's name made fit for a header here, where the header
        // is built: lettre panics on a line break.
        let name = mail.display_name.as_deref().and_then(super::header_text);
        let to = Mailbox::new(name, mail.to.clone());
        // A template may put the person's values in the subject too.
        let subject = super::header_text(&texts.subject).unwrap_or_default();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@{}>", mail.reference, self.domain)))
            .date_now()
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(texts.text))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(texts.html)),
            )
            .map_err(|e| Undelivered {
                reason: "the mail could not be written".into(),
                details: e.to_string(),
            })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a> {
        Box::pin(async move {
            let message = self.message(mail)?;
            self.transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| Undelivered { reason: plain(&e), details: e.to_string() })
        })
    }
}

/// The caller's sentence: the server's reply code at most, never its text
/// (which may quote the address).
fn plain(error: &lettre::transport::smtp::Error) -> String {
    let code = error.status().map(|code| format!(" ({code})")).unwrap_or_default();
    if error.is_permanent() {
        format!("the mail server refused the mail{code}")
    } else if error.is_transient() {
        format!("the mail server could not take the mail now{code}; it was not sent")
    } else if error.is_timeout() {
        "the mail server did not answer in time".into()
    } else if error.is_tls() {
        "the connection to the mail server could not be secured".into()
    } else {
        "the mail server could not be reached".into()
    }
}
