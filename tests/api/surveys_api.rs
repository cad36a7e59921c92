use serde_json::Value;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(
    lists_every_survey_with_its_version,
    describes_a_survey,
    lists_units_by_department
);

async fn lists_every_survey_with_its_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/v1/surveys").await;
    assert_eq!(response.status(), 200);
    let list: Vec<Value> = response.json().await.unwrap();
    let slugs: Vec<&str> = list.iter().map(|s| s["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        [
            "business-registration",
            "construction-permit",
            "education",
            "health-outpatient",
            "land-use-certificate",
            "one-stop-construction"
        ]
    );
    for survey in &list {
        assert!(!survey["title"]["vi"].as_str().unwrap().is_empty());
        assert!(!survey["title"]["en"].as_str().unwrap().is_empty());
        let version = survey["version"].as_str().unwrap();
        assert_eq!(version.len(), 16);
        assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let health = list
        .iter()
        .find(|s| s["slug"] == "health-outpatient")
        .unwrap();
    assert_eq!(health["department"], "health");
}

async fn describes_a_survey(backend: Backend) {
    let app = spawn_app(backend).await;
    let survey: Value = app
        .get("/api/v1/surveys/health-outpatient")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(survey["index_rule"], "pooled");
    assert_eq!(
        survey["version"],
        app.current_version("health-outpatient").as_str()
    );
    let sections = survey["sections"].as_array().unwrap();
    let questions: Vec<&Value> = sections
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .collect();
    let likert = questions.iter().filter(|q| q["kind"] == "likert").count();
    assert_eq!(
        likert, 31,
        "the Ministry of Health outpatient form has 31 items"
    );
    let first_section = sections.iter().find(|s| s["key"] == "A").unwrap();
    assert!(first_section["label"]["vi"]
        .as_str()
        .unwrap()
        .starts_with("A."));
    let ret = questions.iter().find(|q| q["key"] == "G2").unwrap();
    assert_eq!(ret["kind"], "single");
    let options: Vec<&str> = ret["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert!(options.contains(&"certainly"));
    let kinds: std::collections::BTreeSet<&str> = questions
        .iter()
        .map(|q| q["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["likert", "percent", "single", "text", "yes_no"]
    );

    let sipas: Value = app
        .get("/api/v1/surveys/construction-permit")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sipas["index_rule"], "mean_of_elements");
    let in_overall: Vec<(&str, usize)> = sipas["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["in_overall"] == true
                && s["questions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|q| q["kind"] == "likert")
        })
        .map(|s| {
            (
                s["key"].as_str().unwrap(),
                s["questions"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        in_overall,
        [
            ("access", 4),
            ("procedures", 5),
            ("civil_servant", 6),
            ("results", 3),
            ("feedback", 4)
        ],
        "SIPAS: 5 elements, 22 criteria"
    );

    let missing = app.get("/api/v1/surveys/no-such-survey").await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

async fn lists_units_by_department(backend: Backend) {
    let app = spawn_app(backend).await;
    let all: Vec<Value> = app.get("/api/v1/units").await.json().await.unwrap();
    for department in [
        "health",
        "education",
        "construction",
        "natural-resources",
        "planning-investment",
    ] {
        let units: Vec<Value> = app
            .get(&format!("/api/v1/units?department={department}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            units.len() >= 4,
            "{department} has {} service points",
            units.len()
        );
        assert!(units.iter().all(|u| u["department"] == department));
        for unit in &units {
            for field in ["code", "commune", "kind"] {
                assert!(
                    unit[field].as_str().is_some_and(|v| !v.is_empty()),
                    "{field} of {unit}"
                );
            }
            assert!(unit["name"]["vi"].is_string() && unit["name"]["en"].is_string());
        }
    }
    assert!(all.len() >= 20);

    let unknown = app.get("/api/v1/units?department=transport").await;
    assert_eq!(unknown.status(), 422);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"], "invalid_parameter");
    assert!(body["fields"]["department"]
        .as_str()
        .unwrap()
        .contains("transport"));
}
