//! A bulk reset on seed 001's endpoint (`"userNames": [...]`): the list's
//! bounds, and the answer — 200 when every person succeeded, 207
//! Multi-Status when some did, else the status every failure shares (400
//! when they differ) — with a code and a sentence for each person who
//! failed.

use std::collections::{BTreeMap, HashSet};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::answers::{FailedUser, SuccessUser, UsersError, UsersOk};
use super::errors::ApiError;
use crate::app::{BulkOutcome, Failure};
use crate::web::failure::failure_status;
use crate::web::input;
use secrecy::ExposeSecret;

/// Some people's passwords were reset, some were not.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersMultiStatus {
    pub success_users: Vec<SuccessUser>,
    /// Each with its stable code and sentence.
    pub failed_users: Vec<FailedUser>,
    /// Username → the sentence.
    pub error_details: BTreeMap<String, String>,
    /// Always "Multi-Status".
    pub status: String,
}

/// 1 to `max` names, each a valid name, none twice in any letter case.
pub fn check_names(names: &[String], max: usize) -> Result<(), ApiError> {
    Ok(input::names("`userNames`", names, max)?)
}

pub fn answer(outcome: BulkOutcome) -> Response {
    let mut success_users = Vec::new();
    let mut failures: Vec<(String, Failure)> = Vec::new();
    for (name, result) in outcome.people {
        match result {
            Ok(changed) => success_users.push(SuccessUser {
                username: changed.username,
                email: changed.email,
                generated_password: changed.generated.map(|p| p.expose_secret().to_owned()),
            }),
            Err(failure) => failures.push((name, failure)),
        }
    }
    let error_details = failures.iter().map(|(name, failure)| (name.clone(), failure.message())).collect();
    let statuses: HashSet<StatusCode> = failures.iter().map(|(_, failure)| failure_status(failure)).collect();
    let failed_users = failures
        .into_iter()
        .map(|(username, failure)| FailedUser {
            username,
            code: Some(failure.code().to_owned()),
            message: Some(failure.message()),
        })
        .collect::<Vec<_>>();
    if failed_users.is_empty() {
        let ok = UsersOk { success_users, status: "OK".into(), generated_password: None, notification: None };
        return Json(ok).into_response();
    }
    if !success_users.is_empty() {
        let status = StatusCode::MULTI_STATUS;
        let body = UsersMultiStatus {
            success_users,
            failed_users,
            error_details,
            status: status.canonical_reason().unwrap_or_default().to_owned(),
        };
        return (status, Json(body)).into_response();
    }
    let status = match statuses.into_iter().collect::<Vec<_>>().as_slice() {
        [shared] => *shared,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = UsersError {
        failed_users,
        error_details,
        status: status.canonical_reason().unwrap_or_default().to_owned(),
    };
    (status, Json(body)).into_response()
}
