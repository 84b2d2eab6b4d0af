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

use super::answers::{CommonError, FailedUser, UsersError, Violation};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pwproxy",
        description = "Helpdesk password resets in LDAP, Active Directory and 389 DS. Errors carry a stable code; \
                       every status below has its meaning in the contract's table.",
    ),
    modifiers(&SecuritySchemes),
    // The error shapes, which the responses name through `IntoResponses`.
    components(schemas(CommonError, Violation, UsersError, FailedUser)),
    tags(
        (name = "passwords", description = "The two seed contracts for resetting a password"),
        (name = "people", description = "Looking people up: search, and one person's account status"),
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
    pub fn new(document: &Document) -> Self {
        let mut json = serde_json::to_value(document).unwrap_or_default();
        either_password_or_generate(&mut json);
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
