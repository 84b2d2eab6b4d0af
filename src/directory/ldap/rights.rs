//! `pwproxy check`: whether the service account may make each account
//! change on a person, asked without changing anything — the directory is
//! asked to delete a value no account holds (the dialect's probes), which
//! it refuses for lack of rights (50) or because the value is not there.
//! (Admins who send their own credentials write with their own rights,
//! which only their password could show.)

use std::collections::HashSet;

use ldap3::{Ldap, Mod};

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
    let mut findings = Vec::new();
    for (change, doing) in [(AccountChange::Unlock, "unlock"), (AccountChange::Disable, "disable and enable")]
    {
        let probes = dialect.change_probes(change);
        let attributes: Vec<&str> = probes.iter().map(|(attribute, _)| *attribute).collect();
        let what = format!("the service account may {doing} ({} on {person})", attributes.join(", "));
        let mods = probes
            .iter()
            .map(|(attribute, value)| {
                Mod::Delete(attribute.as_bytes().to_vec(), HashSet::from([value.as_bytes().to_vec()]))
            })
            .collect();
        let answer = connector.timed("modify", ldap.modify(person, mods)).await;
        let fix = format!(
            "grant it write on {} (OpenLDAP: manage) under directory.users_base_dn, and the same to the \
             delegated groups whose members send their own credentials",
            attributes.join(", ")
        );
        findings.push(match answer {
            Ok(result) if result.rc == NOT_THERE => Finding::ok(what),
            Ok(result) if result.rc == NO_RIGHT && wanted(change) => Finding::failed(what, fix),
            Ok(result) if result.rc == NO_RIGHT => Finding {
                status: Status::Warning,
                what,
                detail: Some(format!("no delegation allows it yet; when one does, {fix}")),
            },
            Ok(result) => Finding {
                status: Status::Warning,
                what,
                detail: Some(format!(
                    "could not tell: the directory answered result {} {}",
                    result.rc, result.text
                )),
            },
            Err(e) => Finding::failed(what, e.to_string()),
        });
    }
    findings
}
