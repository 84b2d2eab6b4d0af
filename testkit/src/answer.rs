//! HTTP answers as the tests see them, and the assertions on the
//! contract's two error shapes.

use base64::Engine;
use serde_json::Value;

pub fn basic(username: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}")))
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self { status, headers, body }
    }

    /// The `x-request-id` pwproxy answered with.
    pub fn request_id(&self) -> String {
        self.headers["x-request-id"].to_str().unwrap().to_owned()
    }

    /// Asserts a seed-000 (common shape) error answer and returns its message.
    pub fn assert_persons_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.body["error"], true, "{self:?}");
        assert_eq!(self.body["code"], code, "{self:?}");
        self.body["message"].as_str().expect("a message")
    }

    /// Asserts a seed-001 error answer: `failedUsers`, `errorDetails` with
    /// `code`, and `status` as the reason phrase.
    pub fn assert_users_error(
        &self,
        status: u16,
        code: &str,
        reason: &str,
    ) -> &serde_json::Map<String, Value> {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.body["status"], reason, "{self:?}");
        assert!(self.body["failedUsers"].is_array(), "{self:?}");
        let details = self.body["errorDetails"].as_object().expect("errorDetails");
        assert!(details.contains_key(code), "{self:?}");
        details
    }
}
