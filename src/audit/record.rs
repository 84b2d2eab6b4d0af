//! An event as the store keeps it and the trail shows it (the contract's
//! fields), and the chain that makes an edit show: each event's `hash` is
//! HMAC-SHA256 over the previous event's hash (64 hex characters) followed
//! by the event's canonical JSON (RFC 8785, without `hash`).

use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc3339, iso8601};

/// The predecessor of the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The person an event concerns, as the request named them and, once
/// resolved, their DN.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct TargetRecord {
    pub username: String,
    pub dn: Option<String>,
}

/// One stored event, in the contract's shape.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub id: i64,
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    pub action: String,
    pub outcome: String,
    pub actor: Option<String>,
    pub target: Option<TargetRecord>,
    /// `None` for an event pwproxy raised itself (retention).
    pub client: Option<String>,
    pub request_id: Option<String>,
    pub via: Option<String>,
    #[schema(value_type = Object)]
    pub details: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl Record {
    /// The event's canonical JSON, as the chain hashes it: without `hash`.
    pub fn canonical(&self) -> String {
        let unhashed = Record { hash: None, ..self.clone() };
        serde_json_canonicalizer::to_string(&unhashed).unwrap_or_default()
    }
}

/// The key of the chain: whoever can write the store without it cannot
/// make a chain that verifies.
#[derive(Clone)]
pub struct ChainKey(SecretString);

impl ChainKey {
    /// `audit.chain_key` (standard base64 of 32 bytes), or when empty a key
    /// derived from `auth.token_secret` (its SHA-256, under a label of its
    /// own so that the two keys differ).
    pub fn new(configured: &SecretString, token_secret: &SecretString) -> Result<Self, &'static str> {
        let configured = configured.expose_secret().trim();
        let bytes = if configured.is_empty() {
            let mut digest = Sha256::new();
            digest.update(b"pwproxy audit chain\0");
            digest.update(token_secret.expose_secret().as_bytes());
            digest.finalize().to_vec()
        } else {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(configured)
                .map_err(|_| "is not standard base64")?;
            if bytes.len() != 32 {
                return Err("must be 32 bytes (44 characters of base64)");
            }
            bytes
        };
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self(SecretString::from(hex)))
    }

    /// The hash of `record` after `previous`, in hex.
    pub fn link(&self, previous: &str, record: &Record) -> String {
        let key = self.0.expose_secret().as_bytes();
        // HMAC takes a key of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
        mac.update(previous.as_bytes());
        mac.update(record.canonical().as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

const MILLIS: iso8601::EncodedConfig = iso8601::Config::DEFAULT
    .set_time_precision(iso8601::TimePrecision::Second { decimal_digits: std::num::NonZeroU8::new(3) })
    .encode();

/// `at_ms` as the contract writes a time: RFC 3339, UTC, milliseconds.
pub fn format_ms(at_ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.format(&iso8601::Iso8601::<MILLIS>).unwrap_or_default()
}

/// An RFC 3339 time as milliseconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record() -> Record {
        Record {
            id: 7,
            at: format_ms(1_765_000_000_123),
            action: "reset".into(),
            outcome: "ok".into(),
            actor: Some("helpdesk".into()),
            target: Some(TargetRecord { username: "alice".into(), dn: Some("uid=alice,dc=x".into()) }),
            client: Some("127.0.0.1".into()),
            request_id: Some("r1".into()),
            via: Some("api".into()),
            details: json!({"temporary": true, "generated": "mail"}),
            hash: None,
        }
    }

    #[test]
    fn times_are_utc_with_milliseconds_and_read_back() {
        let at = format_ms(1_765_000_000_123);
        assert_eq!(at, "2025-12-06T05:46:40.123Z");
        assert_eq!(parse_time(&at), Some(1_765_000_000_123));
        assert_eq!(parse_time("2025-12-06T06:46:40.123+01:00"), Some(1_765_000_000_123));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn the_canonical_form_sorts_keys_and_leaves_the_hash_out() {
        let mut record = record();
        record.hash = Some("ab".into());
        let canonical = record.canonical();
        assert!(
            canonical.starts_with(r#"{"action":"reset","actor":"helpdesk","at":"2025-12-06T05:46:40.123Z","#)
        );
        assert!(canonical.contains(r#""details":{"generated":"mail","temporary":true}"#));
        assert!(!canonical.contains("hash"));
    }

    #[test]
    fn a_link_depends_on_the_key_the_predecessor_and_every_field() {
        let secret = SecretString::from("0123456789abcdef0123456789abcdef");
        let key = ChainKey::new(&SecretString::from(""), &secret).unwrap();
        let other = ChainKey::new(&SecretString::from(base64_of_32()), &secret).unwrap();
        let first = key.link(GENESIS, &record());
        assert_eq!(first.len(), 64);
        assert_eq!(first, key.link(GENESIS, &record()));
        assert_ne!(first, other.link(GENESIS, &record()));
        assert_ne!(first, key.link(&first, &record()));
        let mut changed = record();
        changed.outcome = "forbidden".into();
        assert_ne!(first, key.link(GENESIS, &changed));
    }

    #[test]
    fn a_configured_key_is_32_bytes_of_base64() {
        let secret = SecretString::from("x");
        assert!(ChainKey::new(&SecretString::from("c2hvcnQ="), &secret).is_err());
        assert!(ChainKey::new(&SecretString::from("not base64!"), &secret).is_err());
        assert!(ChainKey::new(&SecretString::from(base64_of_32()), &secret).is_ok());
    }

    fn base64_of_32() -> String {
        base64::engine::general_purpose::STANDARD.encode([7u8; 32])
    }
}
