//! What pwproxy is configured with against each LDAP fixture: the
//! fixture's own configuration file, and its secrets for the leak check.

use super::*;

impl Fixture for TestDirectory {
    fn config_toml(&self) -> String {
        match self.server {
            Server::OpenLdap => self.openldap_config(),
            Server::Ds389 => self.ds389_config(),
        }
    }

    fn secrets(&self) -> Vec<String> {
        vec![SERVICE_PASSWORD.into(), TOKEN_SECRET.into(), SEED_PASSWORD.into(), self.root_password.clone()]
    }

    fn seed_password(&self) -> &'static str {
        SEED_PASSWORD
    }
}

impl TestDirectory {
    fn config_file(&self) -> ConfigFile<'_> {
        ConfigFile {
            url: &self.ldap_url,
            ca_file: self.ca_file.as_deref(),
            bind_dn: SERVICE_DN,
            bind_password: SERVICE_PASSWORD,
            timeout_secs: 2,
            kind: "openldap",
            users_base_dn: PEOPLE,
            policy_dn: Some(DEFAULT_POLICY),
            admin_groups: &[HELPDESK],
            protected_groups: &[EXECUTIVES],
            token_secret: TOKEN_SECRET,
            generous_rate_limits: false,
        }
    }

    fn openldap_config(&self) -> String {
        self.config_file().render()
    }

    /// LDAPS: 389 sets temporary passwords only over an encrypted connection.
    fn ds389_config(&self) -> String {
        ConfigFile {
            url: &self.ldaps_url,
            timeout_secs: 5,
            kind: "389ds",
            policy_dn: None,
            admin_groups: &[HELPDESK, AUDITORS],
            generous_rate_limits: true,
            ..self.config_file()
        }
        .render()
    }
}
