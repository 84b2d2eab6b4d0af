//! Looking people up: `GET /api/v1/users?q=&limit=`,
//! `GET /api/v1/users/{userName}` and `GET /actions/persons/{person_id}`,
//! thin adapters over the application's lookups. Errors in the common shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::answers::{CommonErrors, PeopleFound, PersonView};
use super::authorization::Authorization;
use super::body::name;
use super::errors::ApiError;
use crate::app::{Credentials, MAX_LIMIT, Principal, Target};
use crate::audit::{Action, RequestContext};
use crate::directory::{Listed, PeopleQuery};
use crate::web::input::{self, DEFAULT_SEARCH_LIMIT};
use crate::web::{AppState, Caller};

/// The states people are listed by.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ListedName {
    Locked,
    Disabled,
    MustChange,
    Expiring,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The start of a username, name, display name or mail address (1–64
    /// characters, any letter case). Without `q` or `status`: everyone in
    /// reach, by username, up to `limit`.
    #[param(min_length = 1, max_length = 64, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    q: Option<String>,
    /// Only the people in this state now, as their `status` says.
    #[param(value_type = Option<ListedName>)]
    status: Option<String>,
    /// With `status=expiring`: the password expires within this many days
    /// (1–365, default 14), and has not yet; ignored with another status.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 365)]
    within_days: Option<String>,
    /// At most this many people (1–100, default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// Search the people inside your reach.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "users_search",
    tag = "people",
    params(SearchParams),
    responses((status = 200, description = "The people found", body = PeopleFound), CommonErrors),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn search(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let context = caller.api("users.search");
    let asked_text = params.as_ref().ok().and_then(|Query(params)| params.q.clone());
    let asked = params
        .map_err(|_| {
            ApiError::invalid(
                "The query string could not be read: `q` (1 to 64 characters) or `status` is required, and \
                 `limit` is a whole number from 1 to 100.",
            )
        })
        .and_then(|Query(params)| search_terms(params))
        .and_then(|terms| Ok((terms, credentials(authorization)?)));
    let (terms, credentials) = match asked {
        Ok(asked) => asked,
        Err(error) => {
            return error
                .refused(&state, &context, Action::Search, asked_text.as_deref())
                .await
                .into_response();
        }
    };
    let query = PeopleQuery { text: terms.text.as_deref(), listed: terms.listed };
    match state.app.search(&context, &credentials, query, terms.limit).await {
        Ok(found) => {
            let users = found.people.iter().map(PersonView::from).collect();
            Json(PeopleFound { users, truncated: found.truncated }).into_response()
        }
        Err(failure) => ApiError::from(failure).into_response(),
    }
}

/// Show one person inside your reach, by user name.
#[utoipa::path(
    get,
    path = "/api/v1/users/{userName}",
    operation_id = "users_show",
    tag = "people",
    params(("userName" = String, Path, min_length = 1, max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        description = "The person's user name")),
    responses((status = 200, description = "The person", body = PersonView), CommonErrors),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn show_by_name(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    user_name: Result<Path<String>, PathRejection>,
) -> Response {
    let context = caller.api("users.show");
    let named = user_name.as_ref().map(|Path(name)| name.clone()).unwrap_or_default();
    let target = user_name
        .map_err(|_| ApiError::invalid("The user name in the path could not be read."))
        .and_then(|Path(user_name)| {
            name("userName", &user_name)?;
            Ok(Target::Name(user_name))
        });
    show(&state, &context, authorization, (&named, target)).await
}

/// Show one person inside your reach, by id.
#[utoipa::path(
    get,
    path = "/actions/persons/{person_id}",
    operation_id = "persons_show",
    tag = "people",
    params(("person_id" = String, Path, format = Uuid, description = "The person's id (entryUUID; objectGUID on AD), in any letter case")),
    responses((status = 200, description = "The person", body = PersonView), CommonErrors),
    security(("bearer" = []), ("basic" = []))
)]
pub async fn show_by_id(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    authorization: Authorization,
    person_id: Result<Path<String>, PathRejection>,
) -> Response {
    let context = caller.api("persons.show");
    let person_id = person_id.map(|Path(id)| id).unwrap_or_default();
    let target = Uuid::try_parse(&person_id)
        .map(Target::Id)
        .map_err(|_| ApiError::invalid("The person id in the path is not a UUID."));
    show(&state, &context, authorization, (&person_id, target)).await
}

async fn show(
    state: &AppState,
    context: &RequestContext,
    authorization: Authorization,
    (named, target): (&str, Result<Target, ApiError>),
) -> Response {
    let asked = target.and_then(|target| Ok((target, credentials(authorization)?)));
    let (target, credentials) = match asked {
        Ok(asked) => asked,
        Err(error) => {
            return error.refused(state, context, Action::Lookup, Some(named)).await.into_response();
        }
    };
    match state.app.show(context, &credentials, &target).await {
        Ok(shown) => Json(PersonView::from(&shown)).into_response(),
        Err(failure) => ApiError::from(failure).into_response(),
    }
}

/// Bearer or Basic, as for a reset; no admin password.
fn credentials(authorization: Authorization) -> Result<Credentials, ApiError> {
    let principal = authorization.principal()?.unwrap_or(Principal::Missing);
    Ok(Credentials { principal, admin_password: None })
}

/// `q`: 1–64 characters, none of them a control character; `limit`: 1–100.
/// What a search asks for, checked.
#[derive(Debug, PartialEq)]
struct Terms {
    text: Option<String>,
    listed: Option<Listed>,
    limit: usize,
}

fn search_terms(params: SearchParams) -> Result<Terms, ApiError> {
    if let Some(text) = &params.q {
        input::search_text("`q`", text)?;
    }
    let days = match params.within_days.as_deref() {
        None => None,
        Some(days) => Some(
            days.parse::<u64>()
                .ok()
                .filter(|days| (1..=365).contains(days))
                .ok_or_else(|| ApiError::invalid("`within_days` must be a whole number from 1 to 365."))?,
        ),
    };
    let listed = match params.status.as_deref() {
        None => None,
        Some(status) => {
            Some(Listed::named(status, days.unwrap_or(Listed::DEFAULT_WITHIN_DAYS)).ok_or_else(|| {
                ApiError::invalid("`status` must be one of locked, disabled, must_change or expiring.")
            })?)
        }
    };
    let limit = match params.limit {
        None => DEFAULT_SEARCH_LIMIT,
        Some(limit) => limit
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| ApiError::invalid("The `limit` must be a whole number from 1 to 100."))?,
    };
    Ok(Terms { text: params.q, listed, limit })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn terms(q: Option<&str>, limit: Option<&str>) -> Result<(String, usize), ApiError> {
        let params = SearchParams {
            q: q.map(str::to_owned),
            status: None,
            within_days: None,
            limit: limit.map(str::to_owned),
        };
        search_terms(params).map(|terms| (terms.text.unwrap_or_default(), terms.limit))
    }

    fn listed(status: Option<&str>, within_days: Option<&str>) -> Result<Option<Listed>, ApiError> {
        let params = SearchParams {
            q: None,
            status: status.map(str::to_owned),
            within_days: within_days.map(str::to_owned),
            limit: None,
        };
        search_terms(params).map(|terms| terms.listed)
    }

    #[test]
    fn states_and_their_window_are_bounded() {
        let days = |n: u64| Some(Listed::Expiring { within: Duration::from_secs(n * 86_400) });
        assert_eq!(listed(Some("expiring"), None).unwrap(), days(14));
        assert_eq!(listed(Some("expiring"), Some("365")).unwrap(), days(365));
        assert_eq!(listed(Some("must_change"), None).unwrap(), Some(Listed::MustChange));
        // A window goes with `expiring` only; elsewhere it is ignored.
        assert_eq!(listed(Some("locked"), Some("3")).unwrap(), Some(Listed::Locked));
        assert_eq!(listed(None, None).unwrap(), None, "everyone in reach");
        for (status, within) in [
            (Some("expiring"), Some("0")),
            (Some("expiring"), Some("366")),
            (Some("locked"), Some("0")),
            (Some("gone"), None),
        ] {
            assert!(listed(status, within).is_err(), "{status:?} {within:?}");
        }
    }

    #[test]
    fn search_terms_are_bounded() {
        assert_eq!(terms(Some("al"), None).unwrap(), ("al".to_owned(), 20));
        assert_eq!(terms(Some("*)(uid=*"), Some("100")).unwrap().1, 100);
        assert_eq!(terms(Some(&"é".repeat(64)), Some("1")).unwrap().1, 1);
        for (q, limit) in [(Some(""), None), (Some("a\u{0}"), None), (Some("a\u{9e}"), None)] {
            assert_eq!(terms(q, limit).unwrap_err().code(), "invalid_request");
        }
        assert!(terms(Some(&"a".repeat(65)), None).is_err());
        for limit in ["0", "101", "-1", "ten", ""] {
            assert!(terms(Some("a"), Some(limit)).is_err(), "{limit}");
        }
    }
}
