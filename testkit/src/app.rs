//! pwproxy running in the test's process over real HTTP, configured by the
//! fixture and typed tweaks of its settings, with the secret-leak check
//! built in: when a `TestApp` is dropped, no password or token it sent or
//! received may appear anywhere in the suite's log.

use std::net::SocketAddr;
use std::sync::Mutex;

use base64::Engine;
use pwproxy::config::Settings;
use pwproxy::startup::Application;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::answer::Answer;
use crate::{Fixture, log};

pub struct TestApp {
    pub address: SocketAddr,
    /// `http://ADDRESS`, or `https://…` when the settings name a certificate.
    base: String,
    /// Where `/metrics` is served apart (`server.metrics_listen`).
    pub metrics_address: Option<SocketAddr>,
    pub http: reqwest::Client,
    /// Every password and token this test sent or received.
    secrets: Mutex<Vec<String>>,
    /// What the fixture's people sign in with.
    seed_password: String,
    /// The audit store's folder (`audit.db`), unless the test chose another.
    pub audit_folder: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if std::env::var("PWPROXY_TEST_DUMP_LOG").is_ok() {
                log::dump();
            }
            return;
        }
        log::assert_none_logged(&self.secrets.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// The fixture's configuration file, loaded the way an operator's is.
pub fn settings(toml: &str) -> Settings {
    let file = crate::config_file(toml);
    Settings::load(file.path()).expect("valid test configuration")
}

impl TestApp {
    pub async fn spawn(fixture: &impl Fixture) -> Self {
        Self::spawn_with(fixture, |_| {}).await
    }

    /// `tweak` changes the loaded settings, which are then validated again,
    /// as start-up would.
    pub async fn spawn_with(fixture: &impl Fixture, tweak: impl FnOnce(&mut Settings)) -> Self {
        log::capture();
        let mut settings = settings(&fixture.config_toml());
        let audit_folder = tempfile::tempdir().unwrap();
        let store = format!("sqlite:{}", audit_folder.path().join("audit.db").display());
        settings.audit.store = store.into();
        tweak(&mut settings);
        settings.validate().expect("the tweaked configuration is valid");
        let app = Application::build(&settings).await.expect("build pwproxy");
        let address = app.local_addr().unwrap();
        let metrics_address = app.metrics_addr();
        // HTTPS in the tests: a certificate of the fixture's CA, which the
        // client trusts alone.
        let (base, http) = match (&settings.server.tls_cert_file, &settings.ldap.ca_file) {
            (Some(_), Some(ca)) => {
                let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
                let http = reqwest::Client::builder().tls_built_in_root_certs(false).add_root_certificate(ca);
                (format!("https://{address}"), http.build().unwrap())
            }
            _ => (format!("http://{address}"), reqwest::Client::new()),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Self {
            address,
            base,
            metrics_address,
            http,
            secrets: Mutex::new(fixture.secrets()),
            seed_password: fixture.seed_password().to_owned(),
            audit_folder,
            _stop: stop,
        }
    }

    /// The audit store's SQLite file (when the test kept the default).
    pub fn audit_db(&self) -> std::path::PathBuf {
        self.audit_folder.path().join("audit.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Remembers the secrets in a request: body passwords (long enough to be
    /// unmistakable), Basic passwords and Bearer tokens.
    fn remember(&self, auth: Option<&str>, body: &Value) {
        let mut secrets = self.secrets.lock().unwrap();
        for field in ["password", "password_2", "adminPassword"] {
            if let Some(value) = body.get(field).and_then(Value::as_str).filter(|v| v.len() >= 8) {
                secrets.push(value.to_owned());
            }
        }
        if let Some(auth) = auth {
            let credential = auth.split_once(' ').map_or(auth, |(_, c)| c);
            if credential.len() >= 8 {
                secrets.push(credential.to_owned());
            }
            if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credential)
                && let Some((_, password)) = String::from_utf8_lossy(&decoded).split_once(':')
                && password.len() >= 8
            {
                secrets.push(password.to_owned());
            }
        }
    }

    /// Seed 000 with a JSON body and an optional Authorization header.
    pub async fn persons(&self, person_id: &str, auth: Option<&str>, body: Value) -> Answer {
        self.remember(auth, &body);
        let mut request =
            self.http.post(self.url(&format!("/actions/persons/{person_id}/change-password"))).json(&body);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        self.generated(Answer::from(request.send().await.expect("HTTP request")).await)
    }

    /// A generated password in an answer is a secret from then on.
    fn generated(&self, answer: Answer) -> Answer {
        for field in ["generated_password", "generatedPassword"] {
            if let Some(password) = answer.body.get(field).and_then(Value::as_str) {
                self.secrets.lock().unwrap().push(password.to_owned());
            }
        }
        answer
    }

    /// A secret the test learnt elsewhere (a mailed password): it must never
    /// be logged either.
    pub fn remember_secret(&self, secret: &str) {
        self.secrets.lock().unwrap().push(secret.to_owned());
    }

    /// An account action: `POST path` (`/api/v1/users/{name}/unlock`…),
    /// with a JSON body unless `None`.
    pub async fn act(&self, path: &str, auth: Option<&str>, body: Option<Value>) -> Answer {
        self.remember(auth, body.as_ref().unwrap_or(&Value::Null));
        let mut request = self.http.post(self.url(path));
        if let Some(body) = &body {
            request = request.json(body);
        }
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        Answer::from(request.send().await.expect("HTTP request")).await
    }

    /// Seed 001.
    pub async fn users(&self, auth: Option<&str>, body: Value) -> Answer {
        self.remember(auth, &body);
        let mut request = self.http.put(self.url("/api/v1/users/changePassword")).json(&body);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        self.generated(Answer::from(request.send().await.expect("HTTP request")).await)
    }

    /// `POST /api/v1/auth/token`; a token received is remembered as a secret.
    pub async fn login(&self, username: &str, password: &str) -> Answer {
        let body = serde_json::json!({ "username": username, "password": password });
        self.remember(None, &body);
        let answer = login(&self.http, &self.url(""), username, password).await;
        if let Some(token) = answer.body["access_token"].as_str() {
            self.secrets.lock().unwrap().push(token.to_owned());
        }
        answer
    }

    /// A Bearer header for one of the fixture's admins.
    pub async fn bearer(&self, username: &str) -> String {
        let answer = self.login(username, &self.seed_password.clone()).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        format!("Bearer {}", answer.body["access_token"].as_str().unwrap())
    }

    /// A lookup: `GET path` with an optional Authorization header.
    pub async fn lookup(&self, path: &str, auth: Option<&str>) -> Answer {
        self.remember(auth, &Value::Null);
        let mut request = self.http.get(self.url(path));
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        Answer::from(request.send().await.expect("HTTP request")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        Answer::from(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    /// Whether pwproxy reads direct groups from `memberOf` now
    /// (`directory.membership = "memberof"`, proven), as `/metrics` says.
    pub async fn memberof_proven(&self) -> bool {
        let metrics = self.get("/metrics").await.body.as_str().unwrap_or_default().to_owned();
        let gauge = metrics
            .lines()
            .find_map(|l| l.strip_prefix("pwproxy_directory_memberof_proven "))
            .unwrap_or_else(|| panic!("no memberOf gauge in /metrics: {metrics}"));
        gauge == "1"
    }
}

/// The one token request, for in-process apps and pwproxy processes alike.
pub async fn login(http: &reqwest::Client, base: &str, username: &str, password: &str) -> Answer {
    let body = serde_json::json!({ "username": username, "password": password });
    Answer::from(
        http.post(format!("{base}/api/v1/auth/token")).json(&body).send().await.expect("HTTP request"),
    )
    .await
}
