//! `pwproxy check`'s questions to the live directory: is it there and who
//! does it say it is, does the service account bind, do the configured
//! entries exist, can what pwproxy reads be read, and does the directory
//! kind have what pwproxy relies on. Each answer is a [`Finding`].

use std::sync::{Arc, Mutex};

use ldap3::{Ldap, Scope, SearchEntry};

use super::certificate::{certificate_finding, recording_tls};
use super::connection::Connector;
use super::{member_of, rights};
use crate::access::{Allowance, Permission};
use crate::config::{Membership, Settings};
use crate::directory::AccountChange;
use crate::directory::DirectoryError;
use crate::directory::attributes::{all_values, first_value};
use crate::directory::dialects::{BindOutcome, Prerequisite};
use crate::dn::Dn;

pub use super::findings::{Finding, Status};

const GROUP_FILTER: &str = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))";

/// Asks every question, in order; after a failure that leaves nothing to
/// ask (unreachable, bind refused), the rest are reported as skipped.
pub async fn probe(settings: &Settings, groups: &[String]) -> Vec<Finding> {
    let dialect = settings.directory.kind.dialect();
    let seen = Arc::new(Mutex::new(None));
    let encrypted = settings.ldap.url.trim().starts_with("ldaps://") || settings.ldap.starttls;
    let mut connector = match Connector::new(&settings.ldap, dialect) {
        Ok(connector) => connector,
        Err(e) => return vec![Finding::failed("TLS configuration", e)],
    };
    if encrypted && !settings.ldap.danger_skip_tls_verify {
        match recording_tls(settings.ldap.ca_file.as_deref(), seen.clone()) {
            Ok(config) => connector = connector.with_tls_config(config),
            Err(e) => return vec![Finding::failed("TLS configuration", e)],
        }
    }
    let url = settings.ldap.url.trim();
    let mut findings = Vec::new();
    let mut ldap = match connector.connect().await {
        Ok(ldap) => {
            let how = match (encrypted, settings.ldap.danger_skip_tls_verify) {
                (false, _) => "unencrypted",
                (true, true) => "encrypted, certificate NOT verified (ldap.danger_skip_tls_verify)",
                (true, false) => "encrypted, certificate verified",
            };
            findings.push(Finding::ok(format!("directory reachable at {url} ({how})")));
            ldap
        }
        Err(e) => {
            findings.push(Finding::failed(
                format!("directory reachable at {url}"),
                format!(
                    "{e}: check ldap.url, that the directory runs and answers from here, and ldap.ca_file"
                ),
            ));
            return skip_rest(findings);
        }
    };
    let certificate = seen.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(certificate) = certificate {
        findings.push(certificate_finding(&certificate));
    }

    match connector.bind(&mut ldap, &settings.ldap.bind_dn, &settings.ldap.bind_password).await {
        Ok(BindOutcome::Bound) => findings.push(Finding::ok("the service account binds")),
        Ok(BindOutcome::Refused(reason)) => {
            findings.push(Finding::failed(
                "the service account binds",
                format!(
                    "the directory refused the bind{}: check ldap.bind_dn and ldap.bind_password",
                    reason.map(|r| format!(" ({r})")).unwrap_or_default()
                ),
            ));
            return skip_rest(findings);
        }
        Err(e) => {
            findings.push(Finding::failed("the service account binds", e.to_string()));
            return skip_rest(findings);
        }
    }

    let directory = &settings.directory;
    let bases = [
        ("directory.users_base_dn", directory.users_base_dn.trim().to_owned()),
        ("directory.admins_base_dn", directory.admins_base().to_string()),
        ("directory.groups_base_dn", directory.groups_base().to_string()),
    ];
    for (key, base) in bases {
        let what = format!("{key} '{base}' exists");
        findings.push(
            match search(&connector, &mut ldap, &base, Scope::Base, "(objectClass=*)", &["1.1"]).await {
                Ok(found) if !found.is_empty() => Finding::ok(what),
                Ok(_) => Finding::failed(
                    what,
                    "no such entry visible to the service account: fix the DN or its ACLs",
                ),
                Err(e) => Finding::failed(what, e.to_string()),
            },
        );
    }
    for group in groups {
        let what = format!("group '{group}' exists and is a group");
        findings.push(match search(&connector, &mut ldap, group, Scope::Base, GROUP_FILTER, &["1.1"]).await {
            Ok(found) if !found.is_empty() => Finding::ok(what),
            Ok(_) => Finding::failed(
                what,
                "no such group (groupOfNames, groupOfUniqueNames or AD group) visible to the service account: \
                 fix the DN in authorization",
            ),
            Err(e) => Finding::failed(what, e.to_string()),
        });
    }

    let (id, username) = (directory.id_attribute(), directory.username_attribute());
    let what = format!("{id} and {username} are readable on a person under directory.users_base_dn");
    let sample = search(
        &connector,
        &mut ldap,
        directory.users_base_dn.trim(),
        Scope::Subtree,
        directory.users_filter(),
        &[id, username],
    )
    .await;
    let sample_dn = sample.as_ref().ok().and_then(|found| found.first()).map(|person| person.dn.clone());
    findings.push(match sample {
        Ok(found) => match found.first() {
            None => Finding {
                status: Status::Warning,
                what,
                detail: Some("nobody matches directory.users_filter there yet".into()),
            },
            Some(person) if readable(person, id) && readable(person, username) => Finding::ok(what),
            Some(person) => Finding::failed(
                what,
                format!("{} cannot read them: grant the service account read on both", person.dn),
            ),
        },
        Err(e) => Finding::failed(what, e.to_string()),
    });

    if let Some(person) = sample_dn {
        let delegations = settings.authorization.delegations(&directory.users_base_dn);
        let wanted = |change| {
            delegations.iter().any(|d| match change {
                AccountChange::Unlock => d.unlock != Allowance::Never,
                AccountChange::Disable | AccountChange::Enable => d.disable == Permission::Allowed,
            })
        };
        findings.extend(rights::change_rights(&connector, &mut ldap, dialect, &person, wanted).await);
    }
    for prerequisite in dialect.prerequisites() {
        findings.push(prerequisite_finding(&connector, &mut ldap, prerequisite).await);
    }
    findings.push(policy_finding(&connector, &mut ldap, settings).await);
    if directory.membership == Membership::MemberOf
        && let Some(walked) = dialect.memberof_groups()
    {
        let (users, admins, groups) =
            (Dn::new(directory.users_base_dn.trim()), directory.admins_base(), directory.groups_base());
        let what = "memberOf names exactly the groups under directory.groups_base_dn that list each person \
                    under the users and admins bases (directory.membership = \"memberof\")";
        let proof = member_of::prove(&connector, &mut ldap, walked, &groups, &[&users, &admins]).await;
        findings.push(match proof {
            Ok(Ok(agreement)) => Finding::ok(format!(
                "{what}: {} groups, {} memberships agree",
                agreement.groups, agreement.memberships
            )),
            Ok(Err(discrepancy)) => Finding::failed(what, format!("{discrepancy}: {}", walked.fix)),
            Err(e) => Finding::failed(what, e.to_string()),
        });
    }
    findings
}

/// Lookups show a lock's end and a password's expiry from the password
/// policy: the directory's default one must be readable.
async fn policy_finding(connector: &Connector, ldap: &mut Ldap, settings: &Settings) -> Finding {
    let directory = &settings.directory;
    let dialect = directory.kind.dialect();
    let root = Dn::new(directory.users_base_dn.trim()).domain_root();
    let configured = directory.policy_dn.as_deref().map(str::trim).filter(|dn| !dn.is_empty());
    let Some(entry) = dialect.policy_entry(&Default::default(), &root, configured) else {
        return Finding {
            status: Status::Warning,
            what: "the default password policy is readable, for lookups' account status".into(),
            detail: Some(
                "directory.policy_dn is not set: name the overlay's olcPPolicyDefault there, or lookups show \
                 locks without their end and no expiry for people without a pwdPolicySubentry"
                    .into(),
            ),
        };
    };
    let attributes = dialect.policy_attributes();
    let what = format!("the password policy {entry} is readable, for lookups' account status");
    match search(connector, ldap, &entry, Scope::Base, "(objectClass=*)", attributes).await {
        Ok(found) if found.first().is_some_and(|e| !e.attrs.is_empty()) => Finding::ok(what),
        Ok(_) => Finding::failed(
            what,
            format!(
                "no such entry, or none of {} readable: grant the service account read on them",
                attributes.join(", ")
            ),
        ),
        Err(e) => Finding::failed(what, e.to_string()),
    }
}

fn skip_rest(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.push(Finding {
        status: Status::Skipped,
        what: "the remaining checks".into(),
        detail: Some("they need the directory and the service account's bind".into()),
    });
    findings
}

fn readable(entry: &SearchEntry, attribute: &str) -> bool {
    first_value(entry, attribute).is_some()
        || entry.bin_attrs.keys().any(|k| k.eq_ignore_ascii_case(attribute))
}

async fn prerequisite_finding(
    connector: &Connector,
    ldap: &mut Ldap,
    prerequisite: &Prerequisite,
) -> Finding {
    match *prerequisite {
        Prerequisite::Control { oid, name, fix } => {
            let what = format!("the directory answers {name} ({oid})");
            match search(connector, ldap, "", Scope::Base, "(objectClass=*)", &["supportedControl"]).await {
                Ok(root)
                    if root
                        .first()
                        .is_some_and(|dse| all_values(dse, "supportedControl").iter().any(|c| c == oid)) =>
                {
                    Finding::ok(what)
                }
                Ok(_) => Finding::failed(what, fix),
                Err(e) => Finding::failed(what, e.to_string()),
            }
        }
        Prerequisite::Setting { entry, attribute, value, fix } => {
            let what = format!("{attribute} of {entry} is {value}");
            match search(connector, ldap, entry, Scope::Base, "(objectClass=*)", &[attribute]).await {
                Ok(found)
                    if found
                        .first()
                        .and_then(|e| first_value(e, attribute))
                        .is_some_and(|v| v.eq_ignore_ascii_case(value)) =>
                {
                    Finding::ok(what)
                }
                Ok(_) => Finding::failed(what, fix),
                Err(e) => Finding::failed(what, e.to_string()),
            }
        }
    }
}

async fn search(
    connector: &Connector,
    ldap: &mut Ldap,
    base: &str,
    scope: Scope,
    filter: &str,
    attrs: &[&str],
) -> Result<Vec<SearchEntry>, DirectoryError> {
    let options = ldap3::SearchOptions::new().sizelimit(1);
    let result = connector
        .timed("search", ldap.with_search_options(options).search(base, scope, filter, attrs.to_vec()))
        .await?;
    let ldap3::SearchResult(entries, outcome) = result;
    match outcome.rc {
        0 | 4 => Ok(entries.into_iter().filter(|e| !e.is_ref()).map(SearchEntry::construct).collect()),
        32 => Ok(Vec::new()),
        rc => Err(DirectoryError::Other(format!("search of '{base}': result {rc} {}", outcome.text))),
    }
}
