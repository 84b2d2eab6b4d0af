//! The console as a plain HTTP client sees it (no browser): its session
//! cookie and the CSRF token of the last page, for requests a browser
//! would not send (a forged form, a form for a person the page refused).

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

pub struct ConsoleClient {
    base: String,
    http: reqwest::Client,
    /// The cookies the console set, by name (paths are not told apart).
    cookies: std::collections::BTreeMap<String, String>,
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
        Self { base: base.to_owned(), http, cookies: Default::default(), csrf: String::new() }
    }

    async fn keep(&mut self, response: reqwest::Response) -> Page {
        for set in response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if value.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        let body = response.text().await.unwrap();
        if let Some(at) = body.find("name=\"csrf\" value=\"") {
            let rest = &body[at + 19..];
            self.csrf = rest[..rest.find('"').unwrap()].to_owned();
        }
        Page { status, headers, body }
    }

    /// The `Cookie` header a browser would send.
    fn cookie_header(&self) -> Option<String> {
        let pairs: Vec<String> = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The value of the cookie `name`, if the console set one.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(cookie) = self.cookie_header() {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        self.keep(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(form);
        if let Some(cookie) = self.cookie_header() {
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
