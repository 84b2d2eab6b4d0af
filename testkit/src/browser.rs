//! A real headless Chromium (Debian's `chromium` and `chromium-driver`)
//! driven over WebDriver with fantoccini, and axe-core (npm) run in the
//! page it shows. A missing browser or axe-core is an error saying how to
//! install it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::net::free_port;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// Where `scripts/test.sh` installs axe-core.
pub fn axe_source() -> PathBuf {
    crate::repository().join("target/npm/node_modules/axe-core/axe.min.js")
}

impl Browser {
    pub async fn start() -> Self {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver is needed: `apt-get install -y chromium chromium-driver` (or run \
                     `bash scripts/test.sh`): {e}"
                )
            });
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let profile = tempfile::tempdir().expect("a browser profile");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1100,900", format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("Chromium did not start under chromedriver: {e}"));
        Self { client, driver, _profile: profile }
    }

    pub async fn go(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The first element matching `css`, waited for up to 10 s (a form's
    /// answer may still be loading when the click that sent it returns);
    /// not there, the test fails with the page's text.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        let found = self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await;
        match found {
            Ok(element) => element,
            Err(e) => {
                let page = match self.client.find(Locator::Css("body")).await {
                    Ok(body) => body.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{css}: {e}\nthe page at {} says:\n{page}", self.path().await)
            }
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.element(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.element(css).await.click().await.unwrap();
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.unwrap()
    }

    /// The text of the first element matching `css` once it holds
    /// `expected`, or after 10 s whatever it is: after a click, the page
    /// before the form's answer (a like element of an earlier answer) may
    /// still be shown, or go while it is read.
    pub async fn text_once_it_holds(&self, css: &str, expected: &str) -> String {
        let mut text = String::new();
        for _ in 0..200 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(read) = element.text().await
            {
                text = read;
                if text.contains(expected) {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        text
    }

    /// Whether anything on the page matches `css`.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// The path once the page is at `expected`, or after 5 s whatever it is
    /// (a form's navigation may still be under way when a click returns).
    pub async fn path_becomes(&self, expected: &str) -> String {
        for _ in 0..100 {
            let path = self.path().await;
            if path == expected {
                return path;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.path().await
    }

    /// axe-core's serious and critical violations on the page shown:
    /// `impact id: help (selectors)`.
    pub async fn serious_accessibility_problems(&self) -> Vec<String> {
        let source = std::fs::read_to_string(axe_source()).unwrap_or_else(|e| {
            panic!(
                "axe-core is needed: `npm install --prefix target/npm axe-core@4` (or run `bash scripts/test.sh`): {e}"
            )
        });
        self.client.execute(&format!("{source}\nreturn true;"), vec![]).await.expect("load axe-core");
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => [v.impact, v.id, v.help,
                     v.nodes.map(n => n.target.join(' ')).join(', ')])))
               .catch(e => done([['critical', 'axe-failed', String(e), '']]));";
        let found = self.client.execute_async(script, vec![]).await.expect("run axe-core");
        found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .filter(|v| matches!(v[0].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{} {}: {} ({})", v[0], v[1], v[2], v[3]))
            .collect()
    }

    /// The window's size in CSS pixels (a phone: 390 × 844).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("resize the window");
    }

    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(path, png).expect("write the screenshot");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
