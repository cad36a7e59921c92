//! The OpenAPI document: generated from the code, it names every JSON
//! route, and what the routes answer has the properties it documents.
//! (CI's scripts/schemathesis/run.sh fuzzes the routes against it.)

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{spawn_app, Backend};

/// The JSON routes the service has, written out here (not read from the
/// document), so a route added without documentation fails this test.
const JSON_ROUTES: [(&str, &str); 10] = [
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/api/v1/surveys", "get"),
    ("/api/v1/surveys/{slug}", "get"),
    ("/api/v1/surveys/{slug}/responses", "post"),
    ("/api/v1/units", "get"),
    ("/api/v1/indices", "get"),
    ("/api/v1/indices/units", "get"),
    ("/export/indices.{format}", "get"),
    ("/export/appendix.{format}", "get"),
];

async fn document(app: &crate::helpers::TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The property names of a component schema.
fn properties(document: &Value, schema: &str) -> BTreeSet<String> {
    document["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema} with properties"))
        .keys()
        .cloned()
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_names_every_json_route_and_the_catalogue() {
    let app = spawn_app(Backend::Sqlite).await;
    let document = document(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1."));

    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = JSON_ROUTES
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(documented, expected);

    // The survey parameter accepts exactly the surveys being collected.
    let surveys: Vec<Value> = app.get("/api/v1/surveys").await.json().await.unwrap();
    let slugs: Vec<&str> = surveys
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    let parameters = document["paths"]["/api/v1/indices"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let survey = parameters.iter().find(|p| p["name"] == "survey").unwrap();
    assert_eq!(survey["required"], true);
    let accepted: Vec<&str> = survey["schema"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(accepted, slugs);

    // Index routes need a bearer token; collection routes do not.
    assert_eq!(
        document["paths"]["/api/v1/indices"]["get"]["security"][0]["bearer"],
        serde_json::json!([])
    );
    assert!(document["paths"]["/api/v1/surveys"]["get"]["security"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_have_the_documented_properties() {
    let app = spawn_app(Backend::Sqlite).await;
    app.cli_ok(&[
        "simulate",
        "--survey",
        "health-outpatient",
        "--responses",
        "60",
        "--from",
        "2026-07-01",
        "--to",
        "2026-09-30",
    ]);
    let document = document(&app).await;
    let token = app.create_token(&["--role", "home-affairs", "--name", "openapi"]);

    let index: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-Q3&compare=2026-Q2",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&index), properties(&document, "IndexResponse"));
    assert_eq!(keys(&index["overall"]), properties(&document, "Estimate"));
    assert_eq!(
        keys(&index["period"]),
        properties(&document, "PeriodDescription")
    );
    let element = &index["elements"][0];
    assert_eq!(keys(element), properties(&document, "ElementResult"));
    assert_eq!(keys(&element["alpha"]), properties(&document, "Alpha"));
    let item = &element["items"][0];
    assert_eq!(keys(item), properties(&document, "ItemResult"));
    assert_eq!(
        keys(&item["distribution"]),
        properties(&document, "Distribution")
    );
    assert_eq!(
        keys(&index["compare"]),
        properties(&document, "CompareResult")
    );
    let mut element_comparison = properties(&document, "Comparison");
    element_comparison.insert("key".into());
    assert_eq!(keys(&index["compare"]["elements"][0]), element_comparison);

    let units: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices/units?survey=health-outpatient&period=2026-Q3",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&units), properties(&document, "UnitsResponse"));
    assert_eq!(keys(&units["units"][0]), properties(&document, "UnitIndex"));

    let error: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        error["fields"]["period"],
        "is empty; leave it out for the default"
    );
    assert!(keys(&error).is_subset(&properties(&document, "ErrorBody")));

    let receipt: Value = app
        .post_json(
            "/api/v1/surveys/health-outpatient/responses",
            &crate::helpers::valid_health_submission(&crate::helpers::new_id()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&receipt), properties(&document, "SubmissionReceipt"));
}
