//! Searches on the service account's connections, and how their answers
//! are read: referrals skipped, a missing base empty, a size limit either
//! ours or an error, one person or an ambiguity.

use ldap3::controls::RawControl;
use ldap3::{Scope, SearchEntry, SearchOptions};

use super::LdapDirectory;
use super::connection::from_result;
use super::pools::keep_if_usable;
use crate::directory::DirectoryError;
use crate::dn::Dn;

impl LdapDirectory {
    /// A search on a service connection, for at most `limit` entries (0:
    /// all); see [`entries`].
    pub(super) async fn search(
        &self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        limit: i32,
    ) -> Result<Vec<SearchEntry>, DirectoryError> {
        Ok(self.search_with(None, base, scope, filter, attrs, limit).await?.0)
    }

    /// [`Self::search`] with a request control, and whether a size limit
    /// (`limit`, or the server's own) cut the answer short.
    pub(super) async fn search_with(
        &self,
        control: Option<RawControl>,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        limit: i32,
    ) -> Result<(Vec<SearchEntry>, bool), DirectoryError> {
        let mut ldap = self.service.get().await?;
        if let Some(control) = control {
            ldap.with_controls(control);
        }
        let result = self
            .connector
            .timed(
                "search",
                ldap.with_search_options(SearchOptions::new().sizelimit(limit))
                    .search(base, scope, filter, attrs),
            )
            .await;
        keep_if_usable(ldap, result.as_ref().err());
        entries(result?, limit)
    }
}

/// The one found under `base`, if any; more is an error, since names and
/// ids must be unique.
pub(super) fn one_of<T>(found: Vec<T>, base: &Dn) -> Result<Option<T>, DirectoryError> {
    if found.len() > 1 {
        return Err(DirectoryError::Other(format!(
            "{} entries match one person under {base}; names and ids must be unique",
            found.len()
        )));
    }
    Ok(found.into_iter().next())
}

/// The entries of a search that asked for at most `limit` (0: all), and
/// whether a size limit cut them short. Referrals are skipped, a missing
/// base is an empty answer. Where all were asked for, a server's own size
/// limit is an error: a group walk cut short could miss the admin or
/// protected group that refuses a reset.
fn entries(result: ldap3::SearchResult, limit: i32) -> Result<(Vec<SearchEntry>, bool), DirectoryError> {
    let ldap3::SearchResult(entries, outcome) = result;
    let mut cut = false;
    match outcome.rc {
        0 => {}
        // size limit exceeded: ours, or the server's below ours (the entries
        // are still there, enough to tell one from many)
        4 if limit > 0 => cut = true,
        4 => {
            return Err(DirectoryError::Other(
                "a search for groups exceeded the directory's size limit for the service account; raise it"
                    .into(),
            ));
        }
        // no such object: the base does not exist, so nothing is below it
        32 => return Ok((Vec::new(), false)),
        rc => return Err(from_result("search", rc, &outcome.text)),
    }
    Ok((entries.into_iter().filter(|e| !e.is_ref()).map(SearchEntry::construct).collect(), cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(rc: u32) -> ldap3::SearchResult {
        let outcome = ldap3::LdapResult {
            rc,
            matched: String::new(),
            text: String::new(),
            refs: Vec::new(),
            ctrls: Vec::new(),
        };
        ldap3::SearchResult(Vec::new(), outcome)
    }

    #[test]
    fn a_group_search_the_server_cut_short_is_an_error_not_fewer_groups() {
        assert!(matches!(entries(answer(4), 0), Err(DirectoryError::Other(_))));
        // Our own limit on a lookup: enough to tell one person from many.
        assert!(entries(answer(4), 2).is_ok_and(|(found, cut)| found.is_empty() && cut));
        assert!(entries(answer(32), 0).is_ok_and(|(found, cut)| found.is_empty() && !cut));
        assert!(entries(answer(50), 0).is_err());
    }
}
