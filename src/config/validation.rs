//! Validation of a loaded configuration: every check names the key and
//! says what to change, so that a bad deployment fails at start-up with a
//! sentence an operator can act on, not at the first request.

use std::net::IpAddr;

use secrecy::ExposeSecret;

use super::{ConfigError, Settings, invalid};

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
        let r = &self.rate_limit;
        if r.failures_per_name == 0 || r.failures_per_address == 0 || r.window_secs == 0 {
            return Err(invalid(
                "rate_limit",
                "failures_per_name, failures_per_address and window_secs must be at least 1",
            ));
        }
        let store = r.store.expose_secret().trim();
        if store != "memory" && redis_url(store).is_none() {
            return Err(invalid(
                "rate_limit.store",
                "must be \"memory\" or a Redis URL such as redis://redis:6379/0 (rediss:// for TLS)",
            ));
        }
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

/// A Redis URL that opens; `None` otherwise (never quoted: it may hold a
/// password).
fn redis_url(url: &str) -> Option<redis::Client> {
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return None;
    }
    redis::Client::open(url).ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Allowance;
    use crate::config::ConfigError;

    const VALID: &str = r#"
        [ldap]
        url = "ldap://127.0.0.1:389"
        bind_dn = "cn=pwproxy,dc=example,dc=org"
        bind_password = "service secret"
        [directory]
        users_base_dn = "ou=people,dc=example,dc=org"
        [authorization]
        admin_groups = ["cn=helpdesk,ou=groups,dc=example,dc=org"]
        [auth]
        token_secret = "0123456789abcdef0123456789abcdef"
    "#;

    fn parse(toml: &str) -> Result<Settings, ConfigError> {
        let s: Settings = config::Config::builder()
            .add_source(config::File::from_str(toml, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError::Load(super::super::without_values(&e.to_string())))?;
        s.validate()?;
        Ok(s)
    }

    fn problem_key(toml: &str) -> &'static str {
        match parse(toml) {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_config_gets_the_documented_defaults() {
        let s = parse(VALID).unwrap();
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.ldap.timeout_secs, 5);
        assert_eq!(s.policy.min_length, 12);
        assert_eq!(s.policy.max_length, 128);
        assert!(s.policy.must_change);
        assert_eq!(s.auth.token_ttl_secs, 900);
        assert_eq!((s.directory.username_attribute(), s.directory.id_attribute()), ("uid", "entryUUID"));
        assert_eq!(s.directory.groups_base().as_str(), "dc=example,dc=org");
        assert_eq!(s.directory.admins_base().as_str(), "ou=people,dc=example,dc=org");
    }

    #[test]
    fn a_short_token_secret_is_refused() {
        let toml = VALID.replace("0123456789abcdef0123456789abcdef", "too short");
        assert_eq!(problem_key(&toml), "auth.token_secret");
    }

    #[test]
    fn plaintext_to_a_remote_host_is_refused_unless_allowed_or_encrypted() {
        let remote = VALID.replace("ldap://127.0.0.1:389", "ldap://ldap.example.org");
        assert_eq!(problem_key(&remote), "ldap.url");
        assert!(parse(&remote.replace("[directory]", "starttls = true\n[directory]")).is_ok());
        assert!(parse(&remote.replace("[directory]", "allow_insecure = true\n[directory]")).is_ok());
        assert!(parse(&VALID.replace("ldap://127.0.0.1:389", "ldaps://ldap.example.org")).is_ok());
        assert!(parse(&VALID.replace("127.0.0.1:389", "[::1]:389")).is_ok());
    }

    #[test]
    fn a_missing_bind_dn_names_the_key() {
        let toml = VALID.replace("bind_dn = \"cn=pwproxy,dc=example,dc=org\"", "bind_dn = \"\"");
        assert_eq!(problem_key(&toml), "ldap.bind_dn");
    }

    #[test]
    fn an_unreadable_ca_file_names_the_key() {
        let toml = VALID.replace("[directory]", "ca_file = \"/nonexistent/ca.pem\"\n[directory]");
        assert_eq!(problem_key(&toml), "ldap.ca_file");
    }

    #[test]
    fn an_unparsable_filter_names_the_key() {
        let toml = VALID.replace("[authorization]", "inactive_filter = \"(locked=TRUE\"\n[authorization]");
        assert_eq!(problem_key(&toml), "directory.inactive_filter");
    }

    #[test]
    fn active_directory_needs_encryption_even_on_the_loopback() {
        let ad = VALID.replace("users_base_dn", "kind = \"active_directory\"\nusers_base_dn");
        assert_eq!(problem_key(&ad), "ldap.url");
        let s = parse(&ad.replace("ldap://127.0.0.1:389", "ldaps://127.0.0.1:636")).unwrap();
        assert_eq!(s.directory.username_attribute(), "sAMAccountName");
        assert_eq!(s.directory.id_attribute(), "objectGUID");
        assert_eq!(s.directory.groups_base().as_str(), "dc=example,dc=org");
        assert_eq!(s.directory.admins_base().as_str(), "dc=example,dc=org");
        assert!(s.authorization.protects_privileged(s.directory.kind));
    }

    #[test]
    fn the_example_configurations_are_valid_but_for_their_placeholder_ca_files() {
        for example in ["openldap", "active_directory", "389ds"] {
            let path = format!("{}/config/{example}.toml", env!("CARGO_MANIFEST_DIR"));
            let toml = std::fs::read_to_string(&path).unwrap();
            match parse(&toml) {
                Ok(_) => {}
                Err(ConfigError::Invalid { key: "ldap.ca_file", .. }) => {}
                Err(e) => panic!("{path}: {e}"),
            }
        }
    }

    #[test]
    fn directory_389_needs_encryption_and_takes_the_openldap_schema_defaults() {
        let ds = VALID.replace("users_base_dn", "kind = \"389ds\"\nusers_base_dn");
        let Err(ConfigError::Invalid { key: "ldap.url", problem }) = parse(&ds) else {
            panic!("plain LDAP is refused")
        };
        assert!(problem.contains("extended operation"), "{problem}");
        let s = parse(&ds.replace("ldap://127.0.0.1:389", "ldaps://localhost:636")).unwrap();
        assert_eq!((s.directory.username_attribute(), s.directory.id_attribute()), ("uid", "entryUUID"));
        assert!(!s.authorization.protects_privileged(s.directory.kind));
    }

    fn with_delegation(table: &str) -> String {
        format!("{VALID}\n[[authorization.delegation]]\n{table}\n")
    }

    #[test]
    fn delegation_tables_take_their_defaults_and_keep_plain_admin_groups() {
        let s = parse(&with_delegation("group = \"cn=paris,ou=groups,dc=example,dc=org\"")).unwrap();
        let delegations = s.authorization.delegations(&s.directory.users_base_dn);
        assert_eq!(delegations.len(), 2, "the table's group and the plain helpdesk");
        let paris = &delegations[0];
        assert_eq!(paris.bases, [crate::dn::Dn::new("ou=people,dc=example,dc=org")]);
        assert_eq!((paris.unlock, paris.must_change), (Allowance::Never, Allowance::Optional));
    }

    #[test]
    fn delegation_mistakes_name_the_key_and_the_fix() {
        let outside = "group = \"cn=p,dc=example,dc=org\"\nbases = [\"ou=external,dc=example,dc=org\"]";
        let filter = "group = \"cn=p,dc=example,dc=org\"\nfilter = \"(employeeType=staff\"";
        for table in [outside, filter] {
            assert_eq!(problem_key(&with_delegation(table)), "authorization.delegation", "{table}");
        }
        let twice = format!(
            "{}\n[[authorization.delegation]]\ngroup = \"CN=P, dc=example,dc=org\"",
            with_delegation("group = \"cn=p,dc=example,dc=org\"")
        );
        let Err(ConfigError::Invalid { problem, .. }) = parse(&twice) else {
            panic!("the same group twice is refused")
        };
        assert!(problem.contains("two delegation tables"), "{problem}");
        let unknown = with_delegation("group = \"cn=p,dc=example,dc=org\"\nunlock = \"sometimes\"");
        let Err(ConfigError::Load(why)) = parse(&unknown) else {
            panic!("an unknown option value is refused")
        };
        assert!(why.contains("sometimes") && why.contains("unlock"), "{why}");
    }

    #[test]
    fn load_errors_never_quote_a_value_from_the_file() {
        let syntax = super::super::without_values(
            "TOML parse error at line 4, column 36\n  |\n4 | bind_password = \"Sup3r-Secret\n  |      ^\ninvalid basic string, expected `\"`\n",
        );
        assert!(
            !syntax.contains("Sup3r") && syntax.contains("line 4") && syntax.contains("invalid basic string"),
            "{syntax}"
        );
        let typed = VALID.replace("[auth]", "[auth]\ntoken_ttl_secs = \"Hunter2-Secret\"");
        let Err(ConfigError::Load(why)) = parse(&typed) else { panic!("a string is no number") };
        assert!(!why.contains("Hunter2") && why.contains("token_ttl_secs"), "{why}");
        let missing = super::super::without_values("missing configuration field \"ldap.bind_dn\"");
        assert_eq!(missing, "missing configuration field \"ldap.bind_dn\"");
    }

    #[test]
    fn plain_http_beyond_the_loopback_needs_tls_or_the_operators_word() {
        let open = format!("[server]\nlisten = \"0.0.0.0:8080\"\n{VALID}");
        assert_eq!(problem_key(&open), "server.listen");
        let allowed = open.replace("0.0.0.0:8080\"", "0.0.0.0:8080\"\nallow_plaintext = true");
        assert!(parse(&allowed).is_ok());
        let half = open.replace("0.0.0.0:8080\"", "0.0.0.0:8080\"\ntls_cert_file = \"/etc/hostname\"");
        assert_eq!(problem_key(&half), "server.tls_key_file");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let toml = VALID.replace("[auth]", "[auth]\ntoken_secrte = \"x\"");
        assert!(matches!(parse(&toml), Err(ConfigError::Load(_))));
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let s = parse(VALID).unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("service secret"));
        assert!(!debug.contains("0123456789abcdef"));
    }
}
