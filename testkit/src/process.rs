//! The real `pwproxy` binary as a process, started on a configuration file
//! whose `listen` is given a free port: for the tests of the binary itself
//! and for the benchmarks.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::net::free_listen;

/// What becomes of the process's stdout (audit) and stderr (log).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Kept, at trace level, for [`PwproxyProcess::stop`] to return.
    Captured,
    /// Audit dropped, warnings and errors on the caller's stderr.
    Quiet,
}

pub struct PwproxyProcess {
    child: Option<Child>,
    pub base: String,
    _config: tempfile::NamedTempFile,
}

impl PwproxyProcess {
    /// `binary` is the caller's `env!("CARGO_BIN_EXE_pwproxy")`; `toml` has
    /// `listen = "127.0.0.1:0"`, `envs` override it the way an operator's
    /// environment would. Returns once `/healthz` answers.
    pub async fn start(binary: &str, toml: &str, envs: &[(&str, &str)], output: Output) -> Self {
        let listen = free_listen();
        let file = crate::config_file(&toml.replace("127.0.0.1:0", &listen));
        let (level, stdout, stderr) = match output {
            Output::Captured => ("trace", Stdio::piped(), Stdio::piped()),
            Output::Quiet => ("warn", Stdio::null(), Stdio::inherit()),
        };
        let mut child = Command::new(binary)
            .args(["serve", "--config"])
            .arg(file.path())
            .env("RUST_LOG", level)
            .envs(envs.iter().copied())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start pwproxy");
        let base = format!("http://{listen}");
        for _ in 0..500 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok() {
                return Self { child: Some(child), base, _config: file };
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = child.kill();
        let output = child.wait_with_output().expect("pwproxy's output");
        panic!("pwproxy did not start: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// Waits until `/readyz` says the directory is usable.
    pub async fn wait_ready(&self) {
        for _ in 0..500 {
            if reqwest::get(format!("{}/readyz", self.base)).await.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("pwproxy did not become ready");
    }

    /// A Bearer token (the bare token) for an admin.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let answer = crate::app::login(&reqwest::Client::new(), &self.base, username, password).await;
        answer.body["access_token"].as_str().unwrap_or_else(|| panic!("a token: {answer:?}")).to_owned()
    }

    fn child(&self) -> &Child {
        self.child.as_ref().expect("running")
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child().id()
    }

    /// Highest resident set size so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child().id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// SIGTERM; asserts a graceful exit and returns what it printed
    /// (stdout, stderr; empty unless captured).
    pub fn stop(mut self) -> (String, String) {
        let child = self.child.take().expect("running");
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
        let output = child.wait_with_output().expect("pwproxy's output");
        assert!(output.status.success(), "graceful shutdown exits 0: {:?}", output.status);
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

impl Drop for PwproxyProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
