//! The console's sessions, kept in this process: a random id in the
//! `pwproxy_session` cookie names one; the admin's token, the CSRF token and
//! a one-time message stay here and never reach the browser. A session
//! unused for `console.session_idle_secs` is gone.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::app::Changed;
use crate::directory::AccountChange;

/// Sessions kept at most; the oldest make room (a flood of anonymous
/// sign-in pages cannot grow memory without end).
const MAX_SESSIONS: usize = 10_000;

struct Session {
    csrf: String,
    admin: Option<(String, SecretString)>,
    /// What the last reset or account action did, shown once on the next
    /// page.
    outcome: Option<Done>,
    /// The last bulk reset's outcomes, for their CSV.
    bulk: Option<String>,
    last_seen: Instant,
}

/// What an agent's last operation did.
pub enum Done {
    Reset(Changed),
    /// An account action, and whether anything changed.
    Account {
        username: String,
        change: AccountChange,
        changed: bool,
    },
}

/// A live session as a request sees it.
pub struct Current {
    pub id: String,
    pub csrf: String,
    /// The signed-in admin's name and token.
    pub admin: Option<(String, SecretString)>,
}

impl Current {
    /// Whether `submitted` is this session's CSRF token, compared in
    /// constant time.
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        bool::from(self.csrf.as_bytes().ct_eq(submitted.as_bytes()))
    }
}

pub struct Sessions {
    sessions: Mutex<HashMap<String, Session>>,
    idle: Duration,
}

/// 256 bits from the thread's CSPRNG (ChaCha, seeded and reseeded from
/// the operating system), which cannot fail mid-request.
fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Sessions {
    pub fn new(idle: Duration) -> Self {
        Self { sessions: Mutex::new(HashMap::new()), idle }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The live session `id` names, touched; an idle one is dropped.
    pub fn find(&self, id: &str) -> Option<Current> {
        let mut sessions = self.lock();
        let session = sessions.get_mut(id)?;
        if session.last_seen.elapsed() > self.idle {
            sessions.remove(id);
            return None;
        }
        session.last_seen = Instant::now();
        let admin = session
            .admin
            .as_ref()
            .map(|(name, token)| (name.clone(), SecretString::from(token.expose_secret().to_owned())));
        Some(Current { id: id.to_owned(), csrf: session.csrf.clone(), admin })
    }

    /// A new session, signed in as `admin` or anonymous (a sign-in page's).
    pub fn open(&self, admin: Option<(String, SecretString)>) -> Current {
        let mut sessions = self.lock();
        sessions.retain(|_, s| s.last_seen.elapsed() <= self.idle);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions.iter().min_by_key(|(_, s)| s.last_seen).map(|(id, _)| id.clone())
        {
            sessions.remove(&oldest);
        }
        let (id, csrf) = (random(), random());
        let copy = admin.as_ref().map(|(n, t)| (n.clone(), SecretString::from(t.expose_secret().to_owned())));
        sessions.insert(
            id.clone(),
            Session { csrf: csrf.clone(), admin, outcome: None, bulk: None, last_seen: Instant::now() },
        );
        Current { id, csrf, admin: copy }
    }

    /// Keeps the admin's renewed token.
    pub fn renew(&self, id: &str, token: SecretString) {
        if let Some((_, held)) = self.lock().get_mut(id).and_then(|s| s.admin.as_mut()) {
            *held = token;
        }
    }

    pub fn close(&self, id: &str) {
        self.lock().remove(id);
    }

    pub fn keep_outcome(&self, id: &str, outcome: Done) {
        if let Some(session) = self.lock().get_mut(id) {
            session.outcome = Some(outcome);
        }
    }

    /// The last bulk reset's outcomes as CSV, kept for their download.
    pub fn keep_bulk(&self, id: &str, csv: String) {
        if let Some(session) = self.lock().get_mut(id) {
            session.bulk = Some(csv);
        }
    }

    pub fn bulk(&self, id: &str) -> Option<String> {
        self.lock().get(id).and_then(|s| s.bulk.clone())
    }

    /// The last reset's outcome, once.
    pub fn take_outcome(&self, id: &str) -> Option<Done> {
        self.lock().get_mut(id).and_then(|s| s.outcome.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_session_is_gone_and_ids_and_tokens_are_unguessable() {
        let sessions = Sessions::new(Duration::from_millis(50));
        let a = sessions.open(None);
        let b = sessions.open(None);
        assert_ne!(a.id, b.id);
        assert_ne!(a.csrf, b.csrf);
        assert_eq!(a.id.len(), 43, "256 random bits");
        assert!(sessions.find(&a.id).is_some());
        std::thread::sleep(Duration::from_millis(80));
        assert!(sessions.find(&a.id).is_none());
    }

    #[test]
    fn the_csrf_token_must_match_exactly() {
        let current = Sessions::new(Duration::from_secs(60)).open(None);
        assert!(current.csrf_matches(&current.csrf.clone()));
        assert!(!current.csrf_matches(""));
        assert!(!current.csrf_matches(&current.csrf[1..]));
    }

    #[test]
    fn an_outcome_is_shown_once() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let current = sessions.open(None);
        let outcome = Changed {
            username: "alice".into(),
            email: None,
            temporary: true,
            unlocked: false,
            generated: None,
            notification: None,
        };
        sessions.keep_outcome(&current.id, Done::Reset(outcome));
        assert!(sessions.take_outcome(&current.id).is_some());
        assert!(sessions.take_outcome(&current.id).is_none());
    }
}
