//! One line of `pwproxy check`'s report, shared by the probe and the
//! certificate checks it runs.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warning,
    Failed,
    /// Not asked: an earlier check failed.
    Skipped,
}

/// One line of the report: what was checked, and the problem and its fix
/// when it is not fine. Never holds a secret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub status: Status,
    pub what: String,
    pub detail: Option<String>,
}

impl Finding {
    pub(crate) fn ok(what: impl Into<String>) -> Self {
        Self { status: Status::Ok, what: what.into(), detail: None }
    }

    pub(crate) fn failed(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { status: Status::Failed, what: what.into(), detail: Some(detail.into()) }
    }
}
