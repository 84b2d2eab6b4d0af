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

/// The actions, as the API document lists them.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TrailAction {
    Login,
    Logout,
    Search,
    Lookup,
    Reset,
    Unlock,
    Disable,
    Enable,
    Notify,
    VerifyStart,
    VerifyConfirm,
    VerifyDeny,
    VerifyApprove,
    Retention,
}

/// The answer's forms, as the API document lists them.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TrailFormat {
    Json,
    Ocsf,
}

/// `GET /api/v1/audit`'s parameters; empty ones are left out.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailParams {
    /// Events concerning this person (username, any letter case).
    #[param(
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub person: Option<String>,
    /// Events of this actor (username, any letter case).
    #[param(
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub actor: Option<String>,
    /// One action.
    #[param(value_type = Option<TrailAction>, inline)]
    pub action: Option<String>,
    /// `ok` or a stable code.
    #[param(pattern = "^[a-z_]{1,64}$")]
    pub outcome: Option<String>,
    /// From this time on (RFC 3339, inclusive).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// Before this time (RFC 3339, exclusive).
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
    /// 1–1000, default 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// The previous page's `next`.
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    pub after: Option<String>,
    /// `ocsf`: OCSF events as JSON lines; `json` (the default): pages.
    #[param(value_type = Option<TrailFormat>, inline)]
    pub format: Option<String>,
}

/// A value that was left empty is no filter.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl TrailParams {
    fn fields(&mut self) -> [&mut Option<String>; 9] {
        [
            &mut self.person,
            &mut self.actor,
            &mut self.action,
            &mut self.outcome,
            &mut self.since,
            &mut self.until,
            &mut self.limit,
            &mut self.after,
            &mut self.format,
        ]
    }

    pub fn query(&self) -> Result<TrailQuery, Invalid> {
        // Left out, a filter is no filter; given, it must say something (a
        // form's empty fields are left out by `from_form`).
        if [
            &self.person,
            &self.actor,
            &self.action,
            &self.outcome,
            &self.since,
            &self.until,
            &self.limit,
            &self.after,
        ]
        .iter()
        .any(|value| value.as_deref().is_some_and(|v| v.trim().is_empty()))
        {
            return Err(Invalid("A parameter was given without a value: leave it out instead.".into()));
        }
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
                    parse_time(v).ok_or_else(|| {
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

    /// As the console's form sends them: its `datetime-local` times
    /// ("2026-12-07T09:00") are UTC, written in RFC 3339.
    pub fn from_form(mut self) -> Self {
        for field in self.fields() {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
        for time in [&mut self.since, &mut self.until] {
            if let Some(value) = time.as_mut().filter(|v| v.trim().len() == 16) {
                *value = format!("{}:00Z", value.trim());
            }
        }
        self
    }

    /// Whether OCSF lines are asked for (`format=ocsf`); any other format,
    /// an empty one included, is refused.
    pub fn ocsf(&self) -> Result<bool, Invalid> {
        match self.format.as_deref() {
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
            ("action", "reset"),
            ("since", "2026-12-07T00:00:00Z"),
            ("limit", "5"),
            ("after", "42"),
        ])
        .query()
        .unwrap();
        assert_eq!((query.filter.person.as_deref(), query.filter.actor), (Some("Alice"), None));
        assert_eq!(query.filter.since_ms, Some(1_796_601_600_000));
        assert_eq!((query.limit, query.filter.before_id), (5, Some(42)));
        assert_eq!(params(&[]).query().unwrap().limit, DEFAULT_LIMIT);
        // Given empty: refused from the API, left out from the console's form.
        assert!(params(&[("actor", "")]).query().is_err());
        assert_eq!(
            params(&[("actor", ""), ("until", "2026-12-07T09:00")])
                .from_form()
                .query()
                .unwrap()
                .filter
                .until_ms,
            Some(1_796_634_000_000)
        );
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
        assert!(params(&[("format", "xml")]).ocsf().is_err() && params(&[("format", "")]).ocsf().is_err());
        assert!(params(&[("format", "ocsf")]).ocsf().unwrap());
    }
}
