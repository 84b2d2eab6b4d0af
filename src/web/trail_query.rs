//! The trail's filters as both transports receive them (the API's query
//! string, the console's filter form), checked into the application's
//! [`TrailQuery`]. Every value is bound as a parameter by the store; here
//! it is only held to its shape.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::TrailQuery;
use crate::audit::record::parse_time;
use crate::audit::store::Filter;
use crate::web::input::{Invalid, name};

/// Events a page holds unless asked for another number, and at most.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// Every action the trail records.
pub const ACTIONS: [&str; 14] = [
    "login",
    "logout",
    "search",
    "lookup",
    "reset",
    "unlock",
    "disable",
    "enable",
    "notify",
    "verify_start",
    "verify_confirm",
    "verify_deny",
    "verify_approve",
    "retention",
];

/// `GET /api/v1/audit`'s parameters; empty ones are left out.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailParams {
    /// Events concerning this person (username, any letter case).
    pub person: Option<String>,
    /// Events of this actor (username, any letter case).
    pub actor: Option<String>,
    /// One action: login, logout, search, lookup, reset, unlock, disable,
    /// enable, notify, verify_start, verify_confirm, verify_deny,
    /// verify_approve, retention.
    pub action: Option<String>,
    /// `ok` or a stable code.
    pub outcome: Option<String>,
    /// From this time on (RFC 3339, inclusive).
    pub since: Option<String>,
    /// Before this time (RFC 3339, exclusive).
    pub until: Option<String>,
    /// 1–1000, default 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// The previous page's `next`.
    pub after: Option<String>,
    /// `ocsf`: OCSF events as JSON lines.
    pub format: Option<String>,
}

/// A value that was left empty is no filter.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl TrailParams {
    pub fn query(&self) -> Result<TrailQuery, Invalid> {
        let named = |field: &str, value: &Option<String>| -> Result<Option<String>, Invalid> {
            given(value).map(|v| name(field, v).map(|()| v.to_owned())).transpose()
        };
        let action = given(&self.action)
            .map(|action| match ACTIONS.contains(&action) {
                true => Ok(action.to_owned()),
                false => Err(Invalid(format!("`action` must be one of: {}.", ACTIONS.join(", ")))),
            })
            .transpose()?;
        let outcome = given(&self.outcome)
            .map(|outcome| {
                let code = outcome.len() <= 64 && outcome.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if code {
                    Ok(outcome.to_owned())
                } else {
                    Err(Invalid("`outcome` is `ok` or a stable code.".into()))
                }
            })
            .transpose()?;
        let time = |field: &str, value: &Option<String>| {
            given(value)
                .map(|v| {
                    // A form's `datetime-local` ("2026-12-07T09:00") is UTC.
                    let local = (v.len() == 16).then(|| parse_time(&format!("{v}:00Z"))).flatten();
                    parse_time(v).or(local).ok_or_else(|| {
                        Invalid(format!("`{field}` must be an RFC 3339 time, e.g. 2026-12-07T09:00:00Z."))
                    })
                })
                .transpose()
        };
        let limit = match given(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(limit) => {
                limit.parse().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
                    Invalid(format!("`limit` must be a whole number from 1 to {MAX_LIMIT}."))
                })?
            }
        };
        let before_id = given(&self.after)
            .map(|after| {
                after
                    .parse::<i64>()
                    .ok()
                    .filter(|a| *a > 0)
                    .ok_or_else(|| Invalid("`after` must be the `next` of a previous page.".into()))
            })
            .transpose()?;
        let filter = Filter {
            person: named("person", &self.person)?,
            actor: named("actor", &self.actor)?,
            action,
            outcome,
            since_ms: time("since", &self.since)?,
            until_ms: time("until", &self.until)?,
            before_id,
        };
        Ok(TrailQuery { filter, limit })
    }

    /// Whether OCSF lines are asked for (`format=ocsf`); any other format
    /// is refused.
    pub fn ocsf(&self) -> Result<bool, Invalid> {
        match given(&self.format) {
            None | Some("json") => Ok(false),
            Some("ocsf") => Ok(true),
            Some(_) => Err(Invalid("`format` is `ocsf`, or left out for JSON.".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> TrailParams {
        let mut params = TrailParams::default();
        for (key, value) in pairs {
            let value = Some((*value).to_owned());
            match *key {
                "person" => params.person = value,
                "actor" => params.actor = value,
                "action" => params.action = value,
                "outcome" => params.outcome = value,
                "since" => params.since = value,
                "until" => params.until = value,
                "limit" => params.limit = value,
                "after" => params.after = value,
                "format" => params.format = value,
                _ => unreachable!("{key}"),
            }
        }
        params
    }

    #[test]
    fn filters_are_read_and_empty_ones_left_out() {
        let query = params(&[
            ("person", "Alice"),
            ("actor", ""),
            ("action", "reset"),
            ("since", "2026-12-07T00:00:00Z"),
            ("limit", "5"),
            ("after", "42"),
        ])
        .query()
        .unwrap();
        assert_eq!(query.filter.person.as_deref(), Some("Alice"));
        assert_eq!(query.filter.actor, None);
        assert_eq!(query.filter.since_ms, Some(1_796_601_600_000));
        assert_eq!((query.limit, query.filter.before_id), (5, Some(42)));
        assert_eq!(params(&[]).query().unwrap().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn bad_values_are_refused_without_quoting_them() {
        for (key, value) in [
            ("action", "drop"),
            ("outcome", "ok' OR 1=1 --"),
            ("since", "yesterday"),
            ("until", "2026-13-01T00:00:00Z"),
            ("limit", "0"),
            ("limit", "1001"),
            ("after", "-3"),
            ("person", "a\nb"),
        ] {
            let refused = params(&[(key, value)]).query().map(|_| ()).unwrap_err().message();
            // (Numbers may share digits with the bounds named.)
            assert!(value.len() < 5 || !refused.contains(value), "{refused}");
        }
        assert!(params(&[("format", "xml")]).ocsf().is_err());
        assert!(params(&[("format", "ocsf")]).ocsf().unwrap());
    }
}
