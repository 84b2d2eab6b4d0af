//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they read and answer: routes are registered
//! from the same annotations (`utoipa_axum::routes!`), so a route cannot be
//! served undocumented or documented unserved.

use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::actions::ActionName;
use super::answers::{CommonError, FailedUser, UsersError, Violation};
use super::people::ListedName;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pwproxy",
        description = "Helpdesk password resets in LDAP, Active Directory and 389 DS. Errors carry a stable code; \
                       every status below has its meaning in the contract's table.",
    ),
    modifiers(&SecuritySchemes),
    // The error shapes, which the responses name through `IntoResponses`,
    // and the enums parameters name by reference.
    components(schemas(CommonError, Violation, UsersError, FailedUser, ActionName, ListedName)),
    tags(
        (name = "passwords", description = "The two seed contracts for resetting a password"),
        (name = "people", description = "Looking people up: search, worklists by state, and one person's account status"),
        (name = "account actions", description = "Unlock, disable and enable a person's account"),
        (name = "tokens", description = "Bearer tokens for admins"),
        (name = "operations", description = "Probes, metrics and this document"),
    )
)]
pub struct ApiDoc;

/// Bearer (a token from `POST /api/v1/auth/token`) and Basic (the admin's
/// directory credentials).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme("basic", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json"))
)]
pub async fn openapi(Extension(document): Extension<Arc<Rendered>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document.0.clone())
}

/// The document as JSON, rendered once at start-up.
pub struct Rendered(pub String);

impl Rendered {
    /// `bulk_max_people`: the configured bound of `userNames`; `sends_mail`:
    /// `[notify]` is set, so a password may be mailed.
    pub fn new(document: &Document, bulk_max_people: usize, sends_mail: bool) -> Self {
        let mut json = serde_json::to_value(document).unwrap_or_default();
        either_password_or_generate(&mut json);
        one_person_or_many(&mut json, bulk_max_people);
        if !sends_mail && let Some(delivery) = json.pointer_mut("/components/schemas/Delivery") {
            // This deployment mails nothing: "mail" is refused (400).
            set(delivery, "enum", json!(["response"]));
        }
        Self(json.to_string())
    }
}

/// What the derived schemas cannot say: a reset body carries a typed
/// password or `"generate": true`, never both, and `deliver` only with
/// `generate` (the handlers refuse anything else with 400).
fn either_password_or_generate(document: &mut Value) {
    for (schema, typed) in
        [("PersonsRequest", &["password", "password_2"][..]), ("UsersRequest", &["password"][..])]
    {
        let Some(schema) = document.pointer_mut(&format!("/components/schemas/{schema}")) else { continue };
        let absent: serde_json::Map<String, Value> =
            typed.iter().map(|field| ((*field).to_owned(), json!({ "type": "null" }))).collect();
        let mut generated = absent;
        generated.insert("generate".into(), json!({ "const": true }));
        schema["oneOf"] = json!([
            { "required": typed, "properties": { "generate": { "const": false }, "deliver": { "type": "null" } } },
            { "required": ["generate"], "properties": generated },
        ]);
    }
}

/// Seed 001's body names one person (`userName`) or several (`userNames`,
/// with `"generate": true`), never both: both rules hold together with
/// the one above. The list's names are names, none twice, at most the
/// configured number.
fn one_person_or_many(document: &mut Value, max_people: usize) {
    let Some(schema) = document.pointer_mut("/components/schemas/UsersRequest") else { return };
    let name = schema.pointer("/properties/userName").cloned().unwrap_or_else(|| json!({}));
    let password_or_generate = schema.get("oneOf").cloned().unwrap_or_else(|| json!([]));
    if let Some(fields) = schema.as_object_mut() {
        fields.remove("oneOf");
    }
    let mut item = name;
    set(&mut item, "type", json!("string"));
    if let Some(names) = schema.pointer_mut("/properties/userNames") {
        set(names, "items", item);
        set(names, "uniqueItems", json!(true));
        set(names, "maxItems", json!(max_people));
    }
    set(
        schema,
        "allOf",
        json!([
            { "oneOf": password_or_generate },
            { "oneOf": [
                { "required": ["userName"], "properties": { "userName": { "type": "string" }, "userNames": { "type": "null" } } },
                { "required": ["userNames"], "properties": {
                    "userNames": { "type": "array" }, "userName": { "type": "null" },
                    "generate": { "const": true }, "password": { "type": "null" } } },
            ] },
        ]),
    );
}

/// `key` of an object set to `value`; nothing for anything else.
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(fields) = object.as_object_mut() {
        fields.insert(key.to_owned(), value);
    }
}
