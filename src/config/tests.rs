//! Loading and validating configurations: defaults, every check that names
//! a key, and what load errors may say.

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
        .map_err(|e| ConfigError::Load(super::without_values(&e.to_string())))?;
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
    assert_eq!(s.ldap.max_concurrent_writes, 6);
    assert_eq!(s.server.worker_threads, 1);
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
fn requests_need_at_least_one_thread() {
    let toml = VALID.replace("[ldap]", "[server]\nworker_threads = 0\n[ldap]");
    assert_eq!(problem_key(&toml), "server.worker_threads");
    assert!(parse(&VALID.replace("[ldap]", "[server]\nworker_threads = 4\n[ldap]")).is_ok());
}

#[test]
fn writes_need_at_least_one_slot() {
    let toml = VALID.replace("[directory]", "max_concurrent_writes = 0\n[directory]");
    assert_eq!(problem_key(&toml), "ldap.max_concurrent_writes");
    assert!(parse(&VALID.replace("[directory]", "max_concurrent_writes = 1\n[directory]")).is_ok());
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
    let Err(ConfigError::Load(why)) = parse(&unknown) else { panic!("an unknown option value is refused") };
    assert!(why.contains("sometimes") && why.contains("unlock"), "{why}");
}

#[test]
fn load_errors_never_quote_a_value_from_the_file() {
    let syntax = super::without_values(
        "TOML parse error at line 4, column 36\n  |\n4 | bind_password = \"Sup3r-Secret\n  |      ^\ninvalid basic string, expected `\"`\n",
    );
    assert!(
        !syntax.contains("Sup3r") && syntax.contains("line 4") && syntax.contains("invalid basic string"),
        "{syntax}"
    );
    let typed = VALID.replace("[auth]", "[auth]\ntoken_ttl_secs = \"Hunter2-Secret\"");
    let Err(ConfigError::Load(why)) = parse(&typed) else { panic!("a string is no number") };
    assert!(!why.contains("Hunter2") && why.contains("token_ttl_secs"), "{why}");
    let missing = super::without_values("missing configuration field \"ldap.bind_dn\"");
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

#[test]
fn memberof_is_for_the_kinds_that_walk_their_groups() {
    assert_eq!(parse(VALID).unwrap().directory.membership, Membership::Member);
    let memberof = VALID.replace("users_base_dn", "membership = \"memberof\"\nusers_base_dn");
    assert_eq!(parse(&memberof).unwrap().directory.membership, Membership::MemberOf);
    let ad = memberof
        .replace("users_base_dn", "kind = \"active_directory\"\nusers_base_dn")
        .replace("ldap://127.0.0.1:389", "ldaps://127.0.0.1:636");
    assert_eq!(problem_key(&ad), "directory.membership");
    let unknown = VALID.replace("users_base_dn", "membership = \"member_of\"\nusers_base_dn");
    assert!(parse(&unknown).is_err());
}
