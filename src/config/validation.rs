//! Validation of a loaded configuration: every check names the key and
//! says what to change, so that a bad deployment fails at start-up with a
//! sentence an operator can act on, not at the first request.

use std::net::IpAddr;

use secrecy::ExposeSecret;

use super::{ConfigError, Membership, Settings, invalid};

impl Settings {
    /// Every check names the key and says what to do about it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = self.ldap.url.trim();
        let (scheme, host) = split_url(url).ok_or_else(|| {
            invalid("ldap.url", format!("'{url}' is not an ldap:// or ldaps:// URL with a host"))
        })?;
        if self.ldap.bind_dn.trim().is_empty() {
            return Err(invalid("ldap.bind_dn", "missing: set the service account's DN"));
        }
        if self.ldap.bind_password.expose_secret().is_empty() {
            return Err(invalid("ldap.bind_password", "missing: set the service account's password"));
        }
        if self.ldap.timeout_secs == 0 {
            return Err(invalid("ldap.timeout_secs", "must be at least 1"));
        }
        self.audit.validate(&self.auth.token_secret)?;
        self.bulk.validate()?;
        if self.console.session_idle_secs == 0 {
            return Err(invalid("console.session_idle_secs", "must be at least 1"));
        }
        if self.server.worker_threads == 0 {
            return Err(invalid("server.worker_threads", "must be at least 1"));
        }
        if self.ldap.max_concurrent_writes == 0 {
            return Err(invalid("ldap.max_concurrent_writes", "must be at least 1"));
        }
        if scheme == "ldaps" && self.ldap.starttls {
            return Err(invalid(
                "ldap.starttls",
                "StartTLS applies to ldap:// URLs only; ldaps:// is already encrypted",
            ));
        }
        let encrypted = scheme == "ldaps" || self.ldap.starttls;
        if !encrypted && !is_loopback(host) && !self.ldap.allow_insecure {
            return Err(invalid(
                "ldap.url",
                format!(
                    "'{url}' would send passwords in clear text to '{host}': use ldaps://, set \
                     ldap.starttls = true, or (only on a trusted network) ldap.allow_insecure = true"
                ),
            ));
        }
        if let Some(ca) = &self.ldap.ca_file {
            std::fs::read(ca)
                .map_err(|e| invalid("ldap.ca_file", format!("cannot read '{}': {e}", ca.display())))?;
        }
        if self.directory.users_base_dn.trim().is_empty() {
            return Err(invalid("directory.users_base_dn", "missing: set the DN below which people live"));
        }
        let filters = [
            ("directory.users_filter", self.directory.users_filter().to_owned()),
            ("directory.inactive_filter", self.directory.inactive_filter.clone()),
        ];
        for (key, filter) in filters {
            if !filter.trim().is_empty() && ldap3::parse_filter(filter.trim()).is_err() {
                return Err(invalid(
                    key,
                    format!(
                        "'{filter}' is not a valid LDAP filter (RFC 4515), e.g. (objectClass=inetOrgPerson)"
                    ),
                ));
            }
        }
        if let Some(why) = self.directory.kind.dialect().requires_encryption()
            && !encrypted
        {
            return Err(invalid(
                "ldap.url",
                format!("{why}: use ldaps://{host}:636 or ldap.starttls = true"),
            ));
        }
        if self.directory.membership == Membership::MemberOf
            && self.directory.kind.dialect().memberof_groups().is_none()
        {
            return Err(invalid(
                "directory.membership",
                "\"memberof\" applies to OpenLDAP and 389 DS; Active Directory already answers with every \
                 group, nested ones included, in one search: remove the key",
            ));
        }
        self.authorization.validate(&self.directory.users_base_dn)?;
        if self.auth.token_secret.expose_secret().len() < 32 {
            return Err(invalid(
                "auth.token_secret",
                "must be at least 32 bytes; generate one with `openssl rand -base64 48`",
            ));
        }
        if self.auth.token_ttl_secs == 0 {
            return Err(invalid("auth.token_ttl_secs", "must be at least 1"));
        }
        self.server.trusted_proxy_ranges().map_err(|e| invalid("server.trusted_proxies", e))?;
        self.validate_listener()?;
        self.validate_generate_and_notify()?;
        let r = &self.rate_limit;
        if r.failures_per_name == 0 || r.failures_per_address == 0 || r.window_secs == 0 {
            return Err(invalid(
                "rate_limit",
                "failures_per_name, failures_per_address and window_secs must be at least 1",
            ));
        }
        crate::shared::Store::open(&r.store).map_err(|why| invalid("rate_limit.store", why))?;
        let p = &self.policy;
        if p.min_length == 0 || p.min_length > p.max_length {
            return Err(invalid(
                "policy.min_length",
                format!("must be between 1 and policy.max_length ({})", p.max_length),
            ));
        }
        Ok(())
    }
}

impl Settings {
    /// HTTPS needs both files, readable; plain HTTP stays on the loopback
    /// unless the operator says a proxy terminates TLS.
    fn validate_listener(&self) -> Result<(), ConfigError> {
        let server = &self.server;
        match (&server.tls_cert_file, &server.tls_key_file) {
            (Some(cert), Some(key)) => {
                for (name, path) in [("server.tls_cert_file", cert), ("server.tls_key_file", key)] {
                    std::fs::metadata(path)
                        .map_err(|e| invalid(name, format!("cannot read '{}': {e}", path.display())))?;
                }
            }
            (Some(_), None) => {
                return Err(invalid("server.tls_key_file", "missing: HTTPS needs the key too"));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "server.tls_cert_file",
                    "missing: HTTPS needs the certificate chain too",
                ));
            }
            (None, None) if !server.listen.ip().is_loopback() && !server.allow_plaintext => {
                return Err(invalid(
                    "server.listen",
                    format!(
                        "{} would take admins' passwords over plain HTTP: set server.tls_cert_file and \
                         server.tls_key_file, listen on the loopback, or (only behind a proxy that terminates \
                         TLS) server.allow_plaintext = true",
                        server.listen
                    ),
                ));
            }
            (None, None) => {}
        }
        Ok(())
    }
}

/// `(scheme, host)` of an LDAP URL, or `None` when it is not one.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "ldap" && scheme != "ldaps" {
        return None;
    }
    let authority = rest.split('/').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    (!host.is_empty()).then_some((scheme, host))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
