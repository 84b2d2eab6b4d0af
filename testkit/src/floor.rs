//! The throughput benchmark's floor: the checks pwproxy makes for one
//! request, issued directly over persistent connections the naive way, one
//! question each (find admin, bind, admin's groups, find target, target's
//! groups, modify), counting its round trips so that a test can pin them.

use std::collections::HashSet;
use std::path::Path;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchOptions, ldap_escape};

use crate::ldap::{BASE, PEOPLE, SEED_PASSWORD, SERVICE_DN, SERVICE_PASSWORD};
use crate::net::trust_only;

const HELPDESK1: &str = "uid=helpdesk1,ou=people,dc=example,dc=org";
const LOOKUP_ATTRS: [&str; 4] = ["uid", "entryUUID", "mail", "pwdAccountLockedTime"];

/// Which request is mirrored.
#[derive(Clone, Copy, Debug)]
pub enum Request {
    /// Seed 001: admin named in the body, adminPassword bound, admin writes.
    ByName,
    /// Seed 000 with a Bearer token: the service account writes.
    ById,
}

pub struct Floor {
    url: String,
    settings: LdapConnSettings,
}

/// One client's connections: one bound as the service account, one the
/// admin binds on.
pub struct Connections {
    service: Ldap,
    admin: Ldap,
}

impl Floor {
    /// `ca_file`: the fixture's CA, for `ldaps://`.
    pub fn new(url: &str, ca_file: Option<&Path>) -> Self {
        let mut settings = LdapConnSettings::new();
        if let Some(ca_file) = ca_file {
            settings = settings.set_config(trust_only(ca_file));
        }
        Self { url: url.to_owned(), settings }
    }

    async fn connect(&self) -> Ldap {
        let (conn, ldap) = LdapConnAsync::with_settings(self.settings.clone(), &self.url).await.unwrap();
        ldap3::drive!(conn);
        ldap
    }

    pub async fn connections(&self) -> Connections {
        let (mut service, admin) = (self.connect().await, self.connect().await);
        service.simple_bind(SERVICE_DN, SERVICE_PASSWORD).await.unwrap().success().unwrap();
        Connections { service, admin }
    }
}

impl Connections {
    /// The checks pwproxy makes for one request by helpdesk1 on `uid=name`
    /// (whose entryUUID is `id`), the admin's groups and the target's lookup
    /// at once. The round trips it took, or `None` if a step failed.
    pub async fn request(&mut self, request: Request, id: &str, name: &str, password: &str) -> Option<u32> {
        let mut exchanges = 1;
        if search(&mut self.service, PEOPLE, "(uid=helpdesk1)", &LOOKUP_ATTRS, 2).await.len() != 1 {
            return None;
        }
        if let Request::ByName = request {
            exchanges += 1;
            if !self.admin.simple_bind(HELPDESK1, SEED_PASSWORD).await.is_ok_and(|r| r.rc == 0) {
                return None;
            }
        }
        let target_filter = match request {
            Request::ById => format!("(&(objectClass=inetOrgPerson)(entryUUID={}))", ldap_escape(id)),
            Request::ByName => format!("(&(objectClass=inetOrgPerson)(uid={}))", ldap_escape(name)),
        };
        let mut for_target = self.service.clone();
        let admin_groups_filter = groups_filter(HELPDESK1);
        let (admin_groups, target) = tokio::join!(
            search(&mut self.service, BASE, &admin_groups_filter, &["1.1"], 0),
            search(&mut for_target, PEOPLE, &target_filter, &LOOKUP_ATTRS, 2),
        );
        exchanges += 2;
        if admin_groups.is_empty() || target.len() != 1 {
            return None;
        }
        exchanges += 1;
        if !search(&mut self.service, BASE, &groups_filter(&target[0]), &["1.1"], 0).await.is_empty() {
            return None;
        }
        let writer = match request {
            Request::ById => &mut self.service,
            Request::ByName => &mut self.admin,
        };
        let mods = vec![
            Mod::Replace("userPassword", HashSet::from([password])),
            Mod::Replace("pwdReset", HashSet::from(["TRUE"])),
        ];
        let ppolicy =
            ldap3::controls::RawControl { ctype: "1.3.6.1.4.1.42.2.27.8.5.1".into(), crit: false, val: None };
        exchanges += 1;
        let written = writer.with_controls(ppolicy).modify(&target[0], mods).await.is_ok_and(|r| r.rc == 0);
        written.then_some(exchanges)
    }
}

fn groups_filter(dn: &str) -> String {
    let dn = ldap_escape(dn);
    format!(
        "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member={dn})(uniqueMember={dn})))"
    )
}

/// DNs of the entries found.
async fn search(ldap: &mut Ldap, base: &str, filter: &str, attrs: &[&str], limit: i32) -> Vec<String> {
    let result = ldap
        .with_search_options(SearchOptions::new().sizelimit(limit))
        .search(base, Scope::Subtree, filter, attrs.to_vec())
        .await;
    match result {
        Ok(ldap3::SearchResult(entries, _)) => {
            entries.into_iter().filter(|e| !e.is_ref()).map(|e| ldap3::SearchEntry::construct(e).dn).collect()
        }
        Err(_) => Vec::new(),
    }
}
