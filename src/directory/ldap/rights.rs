//! `pwproxy check`: whether the service account may make each account
//! change on a person, asked without changing anything. Where the directory
//! says what the bound account may write (AD's `allowedAttributesEffective`)
//! that is read; elsewhere the directory is asked to delete a value no
//! account holds (the dialect's probes), which it refuses for lack of rights
//! (50) or because the value is not there. (Admins who send their own
//! credentials write with their own rights, which only their password could
//! show.)

use std::collections::HashSet;

use ldap3::{Ldap, Mod, Scope, SearchEntry};

use super::connection::Connector;
use super::findings::{Finding, Status};
use crate::directory::AccountChange;
use crate::directory::dialects::Dialect;

/// LDAP's insufficientAccessRights.
const NO_RIGHT: u32 = 50;
/// noSuchAttribute: the value is not there, and the right was granted.
const NOT_THERE: u32 = 16;

/// One finding per action; `wanted`: whether a delegation allows it (a
/// missing right is then a failure, else a warning).
pub(super) async fn change_rights(
    connector: &Connector,
    ldap: &mut Ldap,
    dialect: &dyn Dialect,
    person: &str,
    wanted: impl Fn(AccountChange) -> bool,
) -> Vec<Finding> {
    let writable = match dialect.writable_attribute() {
        Some(attribute) => {
            Some(writable_attributes(connector, ldap, person, attribute).await.map_err(|e| e.to_string()))
        }
        None => None,
    };
    let mut findings = Vec::new();
    for (change, doing) in [(AccountChange::Unlock, "unlock"), (AccountChange::Disable, "disable and enable")]
    {
        let probes = dialect.change_probes(change);
        let attributes: Vec<&str> = probes.iter().map(|(attribute, _)| *attribute).collect();
        let what = format!("the service account may {doing} ({} on {person})", attributes.join(", "));
        let granted = match &writable {
            Some(Ok(writable)) => Ok(attributes.iter().all(|a| writable.contains(&a.to_ascii_lowercase()))),
            Some(Err(failed)) => Err(Unknown::Unreadable(failed.clone())),
            None => probe(connector, ldap, person, probes).await,
        };
        let fix = format!(
            "grant it write on {} (OpenLDAP: manage) under directory.users_base_dn, and the same to the \
             delegated groups whose members send their own credentials",
            attributes.join(", ")
        );
        let warning = |detail| Finding { status: Status::Warning, what: what.clone(), detail: Some(detail) };
        findings.push(match granted {
            Ok(true) => Finding::ok(what),
            Ok(false) if wanted(change) => Finding::failed(what, fix),
            Ok(false) => warning(format!("no delegation allows it yet; when one does, {fix}")),
            Err(Unknown::Answer(rc, text)) => {
                warning(format!("could not tell: the directory answered result {rc} {text}"))
            }
            Err(Unknown::Failed(e)) => Finding::failed(what, e.to_string()),
            Err(Unknown::Unreadable(why)) => Finding::failed(what, why),
        });
    }
    findings
}

/// Why a right could not be told.
enum Unknown {
    Answer(u32, String),
    Failed(crate::directory::DirectoryError),
    /// What the account may write could not be read.
    Unreadable(String),
}

/// The delete of values no account holds: refused for lack of rights, or
/// because they are not there.
async fn probe(
    connector: &Connector,
    ldap: &mut Ldap,
    person: &str,
    probes: &[(&str, &str)],
) -> Result<bool, Unknown> {
    let mods = probes
        .iter()
        .map(|(attribute, value)| {
            Mod::Delete(attribute.as_bytes().to_vec(), HashSet::from([value.as_bytes().to_vec()]))
        })
        .collect();
    match connector.timed("modify", ldap.modify(person, mods)).await {
        Ok(result) if result.rc == NOT_THERE => Ok(true),
        Ok(result) if result.rc == NO_RIGHT => Ok(false),
        Ok(result) => Err(Unknown::Answer(result.rc, result.text)),
        Err(e) => Err(Unknown::Failed(e)),
    }
}

/// What the bound account may write on `person`, lower-cased, as the
/// directory's `attribute` lists it; nothing when it lists nothing.
async fn writable_attributes(
    connector: &Connector,
    ldap: &mut Ldap,
    person: &str,
    attribute: &str,
) -> Result<HashSet<String>, crate::directory::DirectoryError> {
    let search = ldap.search(person, Scope::Base, "(objectClass=*)", vec![attribute]);
    let ldap3::SearchResult(entries, _) = connector.timed("search", search).await?;
    let Some(entry) = entries.into_iter().next().map(SearchEntry::construct) else {
        return Ok(HashSet::new());
    };
    let values = entry.attrs.iter().find(|(name, _)| name.eq_ignore_ascii_case(attribute)).map(|(_, v)| v);
    Ok(values.into_iter().flatten().map(|v| v.to_ascii_lowercase()).collect())
}
