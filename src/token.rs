//! Bearer tokens: HS256 JWTs naming the admin who logged in. A token only
//! says who someone was; every use re-checks in the directory that they still
//! exist, are active and are still an admin.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "pwproxy";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    iat: u64,
    exp: u64,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

impl Tokens {
    pub fn new(secret: &SecretString, ttl_secs: u64) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// A signed token for `username`.
    pub fn issue(&self, username: &str) -> Result<SecretString, String> {
        let now = now();
        let claims =
            Claims { sub: username.to_owned(), iss: ISSUER.into(), iat: now, exp: now + self.ttl_secs };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(SecretString::from)
            .map_err(|e| format!("cannot sign a token: {e}"))
    }

    /// The username a valid, unexpired token was issued for.
    pub fn verify(&self, token: &SecretString) -> Option<String> {
        jsonwebtoken::decode::<Claims>(token.expose_secret(), &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims.sub)
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(secret: &str, ttl: u64) -> Tokens {
        Tokens::new(&SecretString::from(secret), ttl)
    }

    #[test]
    fn a_token_names_whom_it_was_issued_for() {
        let t = tokens("0123456789abcdef0123456789abcdef", 60);
        let token = t.issue("helpdesk1").unwrap();
        assert_eq!(t.verify(&token).as_deref(), Some("helpdesk1"));
    }

    #[test]
    fn tokens_signed_with_another_secret_or_tampered_are_refused() {
        let token = tokens("another secret, 32 bytes long....", 60).issue("helpdesk1").unwrap();
        assert_eq!(tokens("0123456789abcdef0123456789abcdef", 60).verify(&token), None);
        let t = tokens("0123456789abcdef0123456789abcdef", 60);
        let mut raw = t.issue("helpdesk1").unwrap().expose_secret().to_owned();
        raw.pop();
        assert_eq!(t.verify(&SecretString::from(raw)), None);
    }

    #[test]
    fn expired_tokens_are_refused() {
        let t = tokens("0123456789abcdef0123456789abcdef", 60);
        let claims = Claims { sub: "x".into(), iss: ISSUER.into(), iat: 1, exp: now() - 1 };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &t.encoding).unwrap();
        assert_eq!(t.verify(&SecretString::from(token)), None);
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        let t = tokens("0123456789abcdef0123456789abcdef", 60);
        // {"alg":"none"} . {"sub":"x","iss":"pwproxy","exp":9999999999} .
        let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiaXNzIjoicHdwcm94eSIsImV4cCI6OTk5OTk5OTk5OX0.";
        assert_eq!(t.verify(&SecretString::from(none)), None);
    }
}
