//! Resetting many people from the console: names pasted or a CSV file (its
//! first column, or the column headed `username`), a dry run shown first,
//! the reset on confirmation, the outcomes as CSV. Passwords go by mail
//! only: the console never shows a list of them.

use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;

use super::activity::csv_download;
use super::agent::*;
use super::signin::signin_then;
use crate::app::{BulkCommand, BulkOutcome, NewPassword};
use crate::audit::{Action, export};
use crate::generate::Delivery;
use crate::web::{Caller, input};

/// What the bulk form sent.
#[derive(Default)]
struct BulkForm {
    csrf: String,
    /// `check` (the dry run) or `reset`.
    step: String,
    names: String,
    file: Vec<u8>,
    unlock: bool,
}

#[derive(Serialize)]
struct Row {
    username: String,
    ok: bool,
    /// `ok`, or the refusal's code.
    code: &'static str,
    said: String,
}

#[derive(Serialize, Default)]
struct BulkPage<'a> {
    admin: &'a str,
    csrf: &'a str,
    sends_mail: bool,
    max_people: usize,
    error: Option<String>,
    /// The names checked or reset, one per line (the confirmation's).
    names: String,
    unlock: bool,
    /// The dry run's rows, or the reset's.
    rows: Vec<Row>,
    checked: bool,
    done: bool,
    failed: usize,
}

pub async fn page(State(state): Web, Extension(console): Con, jar: CookieJar) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then("/console/bulk") };
    let page = BulkPage {
        admin: agent.username(),
        csrf: &agent.current.csrf,
        sends_mail: state.app.sends_mail(),
        max_people: state.bulk_max_people,
        ..BulkPage::default()
    };
    console.pages.render(StatusCode::OK, "bulk.html", page)
}

pub async fn run(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then("/console/bulk") };
    let context = caller.console("console.bulk");
    let mut page = BulkPage {
        admin: agent.username(),
        csrf: &agent.current.csrf,
        sends_mail: state.app.sends_mail(),
        max_people: state.bulk_max_people,
        ..BulkPage::default()
    };
    let form = match multipart {
        Ok(multipart) => read(multipart).await,
        Err(_) => Err(UNREADABLE),
    };
    let refused = |code: &'static str, status: StatusCode, why: String, page: &mut BulkPage| {
        page.error = Some(why);
        (code, status)
    };
    let checked = match form {
        Ok(form) if agent.current.csrf_matches(&form.csrf) => names_of(&form, state.bulk_max_people)
            .map(|names| (names, form))
            .map_err(|why| refused("invalid_request", StatusCode::BAD_REQUEST, why, &mut page)),
        Ok(_) => Err(refused("forbidden", StatusCode::FORBIDDEN, STALE.to_owned(), &mut page)),
        Err(TOO_LARGE) => {
            Err(refused("payload_too_large", StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE.into(), &mut page))
        }
        Err(why) => Err(refused("invalid_request", StatusCode::BAD_REQUEST, why.to_owned(), &mut page)),
    };
    let (names, form) = match checked {
        Ok(checked) => checked,
        Err((code, status)) => {
            state.refused(&context, Action::Reset, None, Some(agent.username()), code).await;
            return console.pages.render(status, "bulk.html", page);
        }
    };
    if !page.sends_mail {
        page.error =
            Some("Bulk resets mail each person their password, and this service sends no mail.".into());
        state.refused(&context, Action::Reset, None, Some(agent.username()), "invalid_request").await;
        return console.pages.render(StatusCode::BAD_REQUEST, "bulk.html", page);
    }
    let dry_run = form.step != "reset";
    let command = BulkCommand {
        credentials: agent.credentials(),
        names: names.clone(),
        password: NewPassword::Generated { deliver: Some(Delivery::Mail) },
        temporary: None,
        unlock: form.unlock,
        dry_run,
    };
    match state.app.bulk_reset(&context, command).await {
        Ok(outcome) => {
            console.renew(&state, &agent);
            page.rows = rows(outcome, dry_run);
            page.failed = page.rows.iter().filter(|row| !row.ok).count();
            page.names = names.join("\n");
            page.unlock = form.unlock;
            page.checked = dry_run;
            page.done = !dry_run;
            if !dry_run {
                console.sessions.keep_bulk(&agent.current.id, outcomes_csv(&page.rows));
            }
            console.pages.render(StatusCode::OK, "bulk.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => {
            page.error = Some(failure.message());
            console.pages.render(crate::web::failure::failure_status(&failure), "bulk.html", page)
        }
    }
}

/// The last bulk reset's outcomes: username, outcome (`ok` or the code),
/// what was said. Never a password: they went by mail.
pub async fn outcomes(Extension(console): Con, jar: CookieJar) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then("/console/bulk") };
    let Some(csv) = console.sessions.bulk(&agent.current.id) else {
        return (StatusCode::NOT_FOUND, "No bulk reset was made in this session.").into_response();
    };
    csv_download(csv, "attachment; filename=\"bulk-reset.csv\"")
}

fn rows(outcome: BulkOutcome, dry_run: bool) -> Vec<Row> {
    outcome
        .people
        .into_iter()
        .map(|(username, result)| match result {
            Ok(changed) => {
                let mail = changed.email.unwrap_or_default();
                let said = match (dry_run, changed.notification) {
                    (true, _) => format!("Would be reset; the new password would be mailed to {mail}."),
                    (false, Some(sent)) => match sent.reason {
                        Some(reason) => {
                            format!("Reset; the mail with the password: {} ({reason}).", sent.status.as_str())
                        }
                        None => {
                            format!("Reset; the mail with the password to {mail}: {}.", sent.status.as_str())
                        }
                    },
                    (false, None) => "Reset.".into(),
                };
                Row { username: changed.username, ok: true, code: "ok", said }
            }
            Err(failure) => Row { username, ok: false, code: failure.code(), said: failure.message() },
        })
        .collect()
}

fn outcomes_csv(rows: &[Row]) -> String {
    let cells = rows.iter().map(|row| vec![row.username.clone(), row.code.to_owned(), row.said.clone()]);
    export::table(&["username", "outcome", "message"], cells)
}

const UNREADABLE: &str = "The form could not be read; nothing was changed.";
const TOO_LARGE: &str =
    "The list or file is larger than this service takes (server.max_body_bytes); nothing was changed.";

/// The form's fields, or why they cannot be read.
async fn read(mut multipart: Multipart) -> Result<BulkForm, &'static str> {
    let why = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE { TOO_LARGE } else { UNREADABLE }
    };
    let mut form = BulkForm::default();
    while let Some(field) = multipart.next_field().await.map_err(why)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => form.file = field.bytes().await.map_err(why)?.to_vec(),
            "csrf" => form.csrf = field.text().await.map_err(why)?,
            "step" => form.step = field.text().await.map_err(why)?,
            "names" => form.names = field.text().await.map_err(why)?,
            "unlock" => form.unlock = true,
            _ => {}
        }
    }
    Ok(form)
}

/// The names pasted (one per line, or separated by commas) and those of
/// the CSV file, checked as the API checks `userNames`.
fn names_of(form: &BulkForm, max: usize) -> Result<Vec<String>, String> {
    let mut names: Vec<String> =
        form.names.split(['\n', ',']).map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect();
    names.extend(csv_names(&form.file)?);
    input::names("The list", &names, max)
        .map_err(|invalid| format!("{} Nothing was changed.", invalid.message()))?;
    Ok(names)
}

/// A CSV file's first column, or the column headed `username` (any letter
/// case), blank cells left out.
fn csv_names(file: &[u8]) -> Result<Vec<String>, String> {
    if file.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let unreadable = || "The CSV file could not be read; nothing was changed.".to_owned();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(file);
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().map_err(|_| unreadable())?;
    let headed = records
        .first()
        .and_then(|first| first.iter().position(|cell| cell.trim().eq_ignore_ascii_case("username")));
    let (column, skip) = match headed {
        Some(column) => (column, 1),
        None => (0, 0),
    };
    Ok(records
        .iter()
        .skip(skip)
        .filter_map(|record| record.get(column))
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_gives_its_username_column_or_its_first() {
        assert_eq!(csv_names(b"Name,Username\nAlice A,alice\nBob B, bob \n,\n").unwrap(), ["alice", "bob"]);
        assert_eq!(csv_names(b"alice,x\nbob\n").unwrap(), ["alice", "bob"]);
        assert!(csv_names(b"").unwrap().is_empty());
        assert!(csv_names(b"\"unclosed\n").is_err() || csv_names(b"\"unclosed\n").unwrap().len() <= 1);
    }

    #[test]
    fn the_outcomes_csv_has_a_code_per_person_and_no_live_formula() {
        let row = |username: &str, code, said: &str| Row {
            username: username.into(),
            ok: code == "ok",
            code,
            said: said.into(),
        };
        let csv = outcomes_csv(&[
            row("alice", "ok", "Reset."),
            row("=HYPERLINK(1)", "user_not_found", "No such user."),
        ]);
        assert_eq!(
            csv,
            "username,outcome,message\nalice,ok,Reset.\n'=HYPERLINK(1),user_not_found,No such user.\n"
        );
    }

    #[test]
    fn pasted_and_uploaded_names_are_checked_together() {
        let form = |names: &str, file: &[u8]| BulkForm {
            names: names.into(),
            file: file.to_vec(),
            ..BulkForm::default()
        };
        assert_eq!(
            names_of(&form("alice\n bob, carol\n\n", b"dave\n"), 10).unwrap(),
            ["alice", "bob", "carol", "dave"]
        );
        assert!(names_of(&form("alice\nALICE", b""), 10).unwrap_err().contains("twice"));
        assert!(names_of(&form("", b""), 10).is_err());
        assert!(names_of(&form("a\nb\nc", b""), 2).is_err());
    }
}
