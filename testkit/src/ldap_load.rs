//! Many people at once, for the benchmarks: their LDIF, and their ids.

use super::*;

/// LDIF for `count` people `uid={prefix}{i}` with the seed password.
pub fn people_ldif(prefix: &str, count: usize) -> String {
    let mut ldif = String::with_capacity(count * 200);
    for i in 0..count {
        ldif.push_str(&format!(
            "dn: uid={prefix}{i},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {prefix}{i}\ncn: {prefix}{i}\n\
             sn: Load\nmail: {prefix}{i}@example.org\nuserPassword: {SEED_PASSWORD}\n\n"
        ));
    }
    ldif
}

impl TestDirectory {
    /// entryUUIDs of `uid={prefix}{i}` for i in 0..count, in order.
    pub async fn ids(&self, prefix: &str, count: usize) -> Vec<String> {
        // As the root DN: the fixture's size limit (500) does not apply to it.
        let (entries, _) = self
            .root()
            .await
            .search(PEOPLE, Scope::OneLevel, &format!("(uid={prefix}*)"), vec!["uid", "entryUUID"])
            .await
            .unwrap()
            .success()
            .unwrap();
        let mut by_uid = std::collections::HashMap::new();
        for entry in entries {
            let entry = SearchEntry::construct(entry);
            by_uid.insert(entry.attrs["uid"][0].clone(), entry.attrs["entryUUID"][0].clone());
        }
        (0..count).map(|i| by_uid[&format!("{prefix}{i}")].clone()).collect()
    }
}
