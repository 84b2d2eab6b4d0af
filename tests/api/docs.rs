//! The configuration reference (docs/configuration.md) against the code:
//! every key the configuration structs read is in its table, and every key
//! in the table is one the structs read, so neither can drift from the other.

use std::collections::BTreeSet;

use pwproxy_testkit::repository;

/// The section each configuration struct fills.
const SECTIONS: [(&str, &str); 13] = [
    ("ServerSettings", "server"),
    ("LdapSettings", "ldap"),
    ("DirectorySettings", "directory"),
    ("AuthorizationSettings", "authorization"),
    ("DelegationSettings", "authorization.delegation[]"),
    ("AuthSettings", "auth"),
    ("PolicySettings", "policy"),
    ("RateLimitSettings", "rate_limit"),
    ("GenerateSettings", "generate"),
    ("NotifySettings", "notify"),
    ("ConsoleSettings", "console"),
    ("AuditSettings", "audit"),
    ("BulkSettings", "bulk"),
];

/// `section.key` for every field of every settings struct in src/config.
fn keys_in_code() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(repository().join("src/config")).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut section = None;
        for line in source.lines() {
            if let Some(name) = line.strip_prefix("pub struct ").and_then(|l| l.strip_suffix(" {")) {
                section = SECTIONS.iter().find(|(s, _)| *s == name).map(|(_, section)| *section);
                continue;
            }
            if line == "}" {
                section = None;
            }
            let field = line.trim().strip_prefix("pub ").unwrap_or(line.trim());
            if let (Some(section), Some((name, _))) = (section, field.split_once(": "))
                && line.starts_with("    ")
                && !line.trim_start().starts_with("//")
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                // Its keys are the delegation rows.
                && !(section == "authorization" && name == "delegation")
            {
                keys.insert(format!("{section}.{name}"));
            }
        }
    }
    keys
}

/// Every key named in the first column of the reference's table.
fn keys_documented() -> BTreeSet<String> {
    let reference = std::fs::read_to_string(repository().join("docs/configuration.md")).unwrap();
    reference
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|line| line.split(" |").next())
        .flat_map(|cell| {
            cell.split(',').map(|key| key.trim().trim_matches('`').to_owned()).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_configuration_reference_names_every_key_and_only_real_ones() {
    let (code, documented) = (keys_in_code(), keys_documented());
    assert!(code.len() > 40, "the struct scan found too few keys: {code:?}");
    let undocumented: Vec<_> = code.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&code).collect();
    assert!(undocumented.is_empty(), "keys missing from docs/configuration.md: {undocumented:?}");
    assert!(unknown.is_empty(), "docs/configuration.md names keys the code does not read: {unknown:?}");
}

#[test]
fn every_relative_link_in_the_readme_and_docs_leads_to_a_file() {
    let root = repository();
    let mut pages = vec![root.join("README.md")];
    pages.extend(
        std::fs::read_dir(root.join("docs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md")),
    );
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for link in text.split("](").skip(1).filter_map(|rest| rest.split([')', '#', ' ']).next()) {
            if link.is_empty() || link.starts_with("http") || link.starts_with("mailto:") {
                continue;
            }
            if !page.parent().unwrap().join(link).exists() {
                broken.push(format!("{}: {link}", page.display()));
            }
        }
    }
    assert!(pages.len() > 10, "{pages:?}");
    assert!(broken.is_empty(), "{broken:#?}");
}
