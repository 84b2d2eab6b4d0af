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
use crate::web::input::{self, DEFAULT_SEARCH_LIMIT};
use crate::web::{AppState, Caller};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The start of a username, name, display name or mail address (1–64
    /// characters, any letter case).
    #[param(min_length = 1, max_length = 64, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    q: String,
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
    let asked_text = params.as_ref().ok().map(|Query(params)| params.q.clone());
    let asked = params
        .map_err(|_| {
            ApiError::invalid(
                "The query string could not be read: `q` (1 to 64 characters) is required, and `limit` is a \
                 whole number from 1 to 100.",
            )
        })
        .and_then(|Query(params)| search_terms(params))
        .and_then(|terms| Ok((terms, credentials(authorization)?)));
    let ((text, limit), credentials) = match asked {
        Ok(asked) => asked,
        Err(error) => {
            return error
                .refused(&state, &context, Action::Search, asked_text.as_deref())
                .await
                .into_response();
        }
    };
    match state.app.search(&context, &credentials, &text, limit).await {
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
fn search_terms(params: SearchParams) -> Result<(String, usize), ApiError> {
    let text = params.q;
    input::search_text("`q`", &text)?;
    let limit = match params.limit {
        None => DEFAULT_SEARCH_LIMIT,
        Some(limit) => limit
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| ApiError::invalid("The `limit` must be a whole number from 1 to 100."))?,
    };
    Ok((text, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: Option<&str>, limit: Option<&str>) -> Result<(String, usize), ApiError> {
        search_terms(SearchParams { q: q.unwrap_or_default().to_owned(), limit: limit.map(str::to_owned) })
    }

    #[test]
    fn search_terms_are_bounded() {
        assert_eq!(terms(Some("al"), None).unwrap(), ("al".to_owned(), 20));
        assert_eq!(terms(Some("*)(uid=*"), Some("100")).unwrap().1, 100);
        assert_eq!(terms(Some(&"é".repeat(64)), Some("1")).unwrap().1, 1);
        for (q, limit) in [(None, None), (Some(""), None), (Some("a\u{0}"), None), (Some("a\u{9e}"), None)] {
            assert_eq!(terms(q, limit).unwrap_err().code(), "invalid_request");
        }
        assert!(terms(Some(&"a".repeat(65)), None).is_err());
        for limit in ["0", "101", "-1", "ten", ""] {
            assert!(terms(Some("a"), Some(limit)).is_err(), "{limit}");
        }
    }
}
