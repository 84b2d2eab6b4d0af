//! A real SMTP server for the mail tests: aiosmtpd (Debian's
//! `python3-aiosmtpd`) running `tests/fixtures/smtp/server.py` on a free
//! port of 127.0.0.1. Recipients `name+refuse@`, `name+busy@` and
//! `name+stall@` get a 550, a 451 and no answer; anyone else's mail is kept
//! and can be read back.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    pub port: u16,
    child: Child,
    maildir: tempfile::TempDir,
}

/// One mail as the server took it, its parts decoded.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReceivedMail {
    /// The envelope's recipients.
    pub to: Vec<String>,
    pub from: String,
    pub header_to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
    /// The message as sent, headers and encoded parts.
    pub raw: String,
}

impl SmtpServer {
    /// Plain SMTP. A missing aiosmtpd is an error saying how to install it.
    pub fn start() -> Self {
        Self::spawn(None)
    }

    /// STARTTLS required, with this certificate and key (PEM).
    pub fn start_tls(certificate: &Path, key: &Path) -> Self {
        Self::spawn(Some((certificate, key)))
    }

    fn spawn(tls: Option<(&Path, &Path)>) -> Self {
        let maildir = tempfile::tempdir().expect("a maildir");
        let script = crate::repository().join("tests/fixtures/smtp/server.py");
        let mut command = Command::new("/usr/bin/python3");
        command.arg(&script).arg(maildir.path());
        if let Some((certificate, key)) = tls {
            command.arg(certificate).arg(key);
        }
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("python3");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("the port line");
        let Ok(port) = first.trim().parse() else {
            let mut why = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut why);
            panic!(
                "the SMTP test server did not start: aiosmtpd is needed: `apt-get install -y python3-aiosmtpd` \
                 (or run `bash scripts/test.sh`): {why}"
            );
        };
        Self { port, child, maildir }
    }

    /// `smtp://127.0.0.1:PORT` with `query` (e.g. `?tls=none`).
    pub fn url(&self, query: &str) -> String {
        format!("smtp://127.0.0.1:{}{query}", self.port)
    }

    pub fn maildir(&self) -> PathBuf {
        self.maildir.path().to_owned()
    }

    /// Every mail taken so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut names: Vec<_> = std::fs::read_dir(self.maildir.path())
            .expect("the maildir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                serde_json::from_str(&std::fs::read_to_string(&path).expect("a mail")).expect("mail JSON")
            })
            .collect()
    }

    /// Waits up to `wait` for `count` mails.
    pub fn wait_for(&self, count: usize, wait: Duration) -> Vec<ReceivedMail> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count || started.elapsed() > wait {
                return received;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
