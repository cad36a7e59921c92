//! The OpenAPI 3.1 document of every JSON route, generated from the
//! handlers' own annotations and response types (`utoipa`), so it cannot
//! drift from the code. Served at `/api/v1/openapi.json`, with the
//! deployment's survey slugs, service points and departments filled in as
//! the values the parameters accept.

use actix_web::HttpResponse;
use serde_json::{json, Value};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::State;
use crate::definitions::Catalog;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hailong",
        description = "Citizen-satisfaction surveys for Vietnamese provincial departments: collection, indices with confidence intervals, exports.",
    ),
    paths(
        super::healthz,
        super::readyz,
        super::api::list_surveys,
        super::api::get_survey,
        super::api::submit,
        super::api::list_units,
        super::indices::cell,
        super::indices::units,
        super::export::indices,
        super::export::appendix,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "collection", description = "Questionnaires and responses (no authentication)"),
        (name = "indices", description = "Satisfaction indices with confidence intervals (bearer token)"),
        (name = "exports", description = "Index tables for the periodic reports (bearer token)"),
        (name = "operations", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document for this deployment: the static one, with the parameters
/// that name catalogue entries restricted to the entries that exist.
pub fn for_catalog(catalog: &Catalog) -> Value {
    let mut document =
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
    let surveys: Vec<&str> = catalog
        .surveys
        .iter()
        .map(|s| s.survey.slug.as_str())
        .collect();
    let units: Vec<&str> = catalog.units.iter().map(|u| u.code.as_str()).collect();
    let departments: Vec<&str> = catalog
        .departments
        .iter()
        .filter(|d| d.surveyed)
        .map(|d| d.code.as_str())
        .collect();
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return document;
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|p| p.values_mut())
    {
        let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for parameter in parameters {
            let values = match parameter["name"].as_str() {
                Some("slug" | "survey") => &surveys,
                Some("unit") => &units,
                Some("department") => &departments,
                _ => continue,
            };
            parameter["schema"] = json!({ "type": "string", "enum": values });
        }
    }
    document
}

pub async fn document(state: State) -> HttpResponse {
    HttpResponse::Ok().json(for_catalog(&state.catalog))
}
