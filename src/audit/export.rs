//! The trail's exports: CSV for spreadsheets (every cell that a spreadsheet
//! would take for a formula is defused) and OCSF JSON lines for SIEMs.

use serde_json::{Value, json};

use super::record::{Record, parse_time};

/// The CSV's columns, as the contract names them.
pub const CSV_HEADER: [&str; 11] = [
    "id",
    "at",
    "action",
    "outcome",
    "actor",
    "target_username",
    "target_dn",
    "client",
    "request_id",
    "via",
    "details",
];

/// `records` as CSV, header first.
pub fn csv(records: &[Record]) -> String {
    let rows = records.iter().map(|record| {
        let target = record.target.as_ref();
        vec![
            record.id.to_string(),
            record.at.clone(),
            record.action.clone(),
            record.outcome.clone(),
            record.actor.clone().unwrap_or_default(),
            target.map(|t| t.username.clone()).unwrap_or_default(),
            target.and_then(|t| t.dn.clone()).unwrap_or_default(),
            record.client.clone().unwrap_or_default(),
            record.request_id.clone().unwrap_or_default(),
            record.via.clone().unwrap_or_default(),
            record.details.to_string(),
        ]
    });
    table(&CSV_HEADER, rows)
}

/// A header and rows as CSV, every cell safe to open in a spreadsheet.
pub fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    for cells in rows {
        let _ = writer.write_record(cells.iter().map(|cell| defused(cell)));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return before one) is prefixed with `'`.
fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

/// OCSF classes and activities: Account Change (3001) and Authentication
/// (3002); `None` for an action OCSF has no class for here.
fn class_of(action: &str) -> Option<(u32, u32, &'static str, &'static str)> {
    Some(match action {
        "reset" => (3001, 4, "Account Change", "Password Reset"),
        "enable" => (3001, 2, "Account Change", "Enable"),
        "disable" => (3001, 5, "Account Change", "Disable"),
        "unlock" => (3001, 12, "Account Change", "Unlock"),
        "login" => (3002, 1, "Authentication", "Logon"),
        "logout" => (3002, 2, "Authentication", "Logoff"),
        _ => return None,
    })
}

/// `records` as OCSF events, one JSON object a line; actions outside the
/// two classes are left out.
pub fn ocsf(records: &[Record]) -> String {
    let mut lines = String::new();
    for record in records {
        let Some(event) = ocsf_event(record) else { continue };
        lines.push_str(&event.to_string());
        lines.push('\n');
    }
    lines
}

fn ocsf_event(record: &Record) -> Option<Value> {
    let (class_uid, activity_id, class_name, activity_name) = class_of(&record.action)?;
    let ok = record.outcome == "ok";
    let mut event = json!({
        "category_uid": 3,
        "category_name": "Identity & Access Management",
        "class_uid": class_uid,
        "class_name": class_name,
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": class_uid * 100 + activity_id,
        "time": parse_time(&record.at).unwrap_or_default(),
        "severity_id": if ok { 1 } else { 3 },
        "status_id": if ok { 1 } else if record.outcome == "unknown" { 0 } else { 2 },
        "status": if ok { "Success" } else if record.outcome == "unknown" { "Unknown" } else { "Failure" },
        "status_code": record.outcome,
        "metadata": {
            "version": "1.3.0",
            "uid": record.id.to_string(),
            "correlation_uid": record.request_id,
            "product": {"name": "pwproxy", "vendor_name": "pwproxy", "version": env!("CARGO_PKG_VERSION")},
        },
        "src_endpoint": {"ip": record.client},
        "unmapped": {"via": record.via, "details": record.details},
    });
    let actor = record.actor.as_ref().map(|name| json!({"name": name}));
    let target = record.target.as_ref().map(|t| json!({"name": t.username, "uid": t.dn}));
    let people = if class_uid == 3001 {
        json!({"actor": {"user": actor}, "user": target})
    } else {
        // Authentication: the user is the one who signed in or out.
        json!({"user": actor, "is_mfa": false})
    };
    if let (Some(event), Value::Object(people)) = (event.as_object_mut(), people) {
        event.extend(people);
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::record::TargetRecord;

    fn record(action: &str, actor: &str) -> Record {
        Record {
            id: 3,
            at: "2026-12-07T10:00:00.000Z".into(),
            action: action.into(),
            outcome: "ok".into(),
            actor: Some(actor.into()),
            target: Some(TargetRecord { username: "=cmd|' /C calc'!A0".into(), dn: None }),
            client: Some("10.0.0.1".into()),
            request_id: Some("r".into()),
            via: Some("api".into()),
            details: json!({"temporary": true}),
            hash: Some("ab".into()),
        }
    }

    #[test]
    fn csv_has_the_contracts_columns_and_no_live_formula() {
        let text = csv(&[record("reset", "@helpdesk"), record("login", "+1"), record("search", "-2")]);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER.join(",").as_str()));
        let first = lines.next().unwrap();
        assert!(first.contains(",'@helpdesk,"), "{first}");
        assert!(first.contains("'=cmd|' /C calc'!A0"), "{first}");
        assert!(first.ends_with(r#""{""temporary"":true}""#), "{first}");
        for line in text.lines().skip(1) {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
            let row = reader.records().next().unwrap().unwrap();
            for cell in row.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
            }
        }
    }

    #[test]
    fn ocsf_maps_account_changes_and_authentications_and_leaves_the_rest_out() {
        let lines =
            ocsf(&[record("reset", "helpdesk"), record("search", "helpdesk"), record("login", "helpdesk")]);
        let events: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[0]["class_uid"].as_u64(), events[0]["activity_id"].as_u64()),
            (Some(3001), Some(4))
        );
        assert_eq!(events[0]["type_uid"], 300104);
        assert_eq!(events[0]["actor"]["user"]["name"], "helpdesk");
        assert_eq!(events[0]["time"], 1_796_637_600_000_i64);
        assert_eq!(
            (events[1]["class_uid"].as_u64(), events[1]["activity_id"].as_u64()),
            (Some(3002), Some(1))
        );
        assert_eq!(events[1]["user"]["name"], "helpdesk");
    }
}
