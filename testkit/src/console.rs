//! The console as a plain HTTP client sees it (no browser): its session
//! cookie and the CSRF token of the last page, for requests a browser
//! would not send (a forged form, a form for a person the page refused).

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

pub struct ConsoleClient {
    base: String,
    http: reqwest::Client,
    cookie: Option<String>,
    pub csrf: String,
}

/// A response: status, headers, the page.
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }
}

impl ConsoleClient {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Self { base: base.to_owned(), http, cookie: None, csrf: String::new() }
    }

    async fn keep(&mut self, response: reqwest::Response) -> Page {
        if let Some(cookie) = response.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.cookie = cookie.split(';').next().map(str::to_owned);
        }
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        let body = response.text().await.unwrap();
        if let Some(at) = body.find("name=\"csrf\" value=\"") {
            let rest = &body[at + 19..];
            self.csrf = rest[..rest.find('"').unwrap()].to_owned();
        }
        Page { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        self.keep(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        self.keep(response).await
    }

    /// Signs in through the sign-in form; the answer to the POST.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        self.get("/console/signin").await;
        let csrf = self.csrf.clone();
        self.post("/console/signin", &[("csrf", &csrf), ("username", username), ("password", password)]).await
    }
}
