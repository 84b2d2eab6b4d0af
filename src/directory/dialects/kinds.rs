//! The one place that knows every directory kind: the configuration's name
//! for each, and its [`Dialect`].

use serde::Deserialize;

use super::Dialect;
use super::active_directory::ActiveDirectory;
use super::ds389::Ds389;
use super::openldap::OpenLdap;

/// `directory.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryKind {
    Openldap,
    ActiveDirectory,
    #[serde(rename = "389ds")]
    Ds389,
}

impl DirectoryKind {
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            DirectoryKind::Openldap => &OpenLdap,
            DirectoryKind::ActiveDirectory => &ActiveDirectory,
            DirectoryKind::Ds389 => &Ds389,
        }
    }
}
