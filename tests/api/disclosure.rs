//! Disclosure control against differencing: no pair of figures that could
//! be asked for differs by 1–4 respondents (the threshold is 5), whatever
//! the order of the requests — nested and overlapping periods, the two
//! modes, a service point and its department. Free date ranges are refused.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::indices::import_known;

both_backends!(
    nested_periods_a_few_respondents_apart_are_both_withheld,
    a_service_point_and_its_department_a_few_apart_are_both_withheld,
    an_item_answered_by_a_few_more_is_withheld_though_the_cells_are_not,
);

async fn get(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let response = app
        .get_as(Some(token), &format!("/api/v1/indices{query}"))
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn withheld(estimate: &Value) -> bool {
    estimate["suppressed"] == true
        && estimate["estimate"].is_null()
        && estimate["flags"]
            .as_array()
            .is_some_and(|f| f.contains(&Value::from("withheld")))
}

/// Every figure of a cell is gone: indices, items, distributions.
fn all_withheld(body: &Value) {
    for key in ["overall", "pooled", "comprehensive"] {
        assert!(withheld(&body[key]), "{key}: {}", body[key]);
    }
    for element in body["elements"].as_array().unwrap() {
        assert!(element["index"]["estimate"].is_null());
        assert!(element["alpha"]["value"].is_null());
        for item in element["items"].as_array().unwrap() {
            assert!(item["index"]["estimate"].is_null(), "{item}");
            assert!(item["distribution"].is_null(), "{item}");
        }
    }
}

async fn nested_periods_a_few_respondents_apart_are_both_withheld(backend: Backend) {
    let app = spawn_app(backend).await;
    // One desk: 3 respondents on 1 February, 4 on 14 March, 3 on 15 March.
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "analyst"]);

    // Calendar Q1 holds 10, reporting Q1 (to 14 March) 7: the three of
    // 15 March would be their difference. Both are withheld, whichever is
    // asked first; the counts stay.
    for (query, respondents) in [
        ("?survey=construction-permit&period=2026-Q1", 10),
        (
            "?survey=construction-permit&period=2026-Q1&mode=reporting",
            7,
        ),
        ("?survey=construction-permit&period=2026-H1", 10),
        ("?survey=construction-permit&period=2026&mode=reporting", 10),
        (
            "?survey=construction-permit&period=2026-Q1&unit=hcc-long-xuyen-xd",
            10,
        ),
    ] {
        let (status, body) = get(&app, &token, query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["respondents"], respondents, "{query}");
        all_withheld(&body);
    }
    // Calendar March (7) is 3 apart from calendar Q1 (the three of
    // February): withheld too.
    let (_, march) = get(&app, &token, "?survey=construction-permit&period=2026-03").await;
    assert_eq!(march["respondents"], 7);
    all_withheld(&march);

    // Reporting Q2 starts on 15 March: 3 respondents, under min_cell = 5.
    let (_, body) = get(
        &app,
        &token,
        "?survey=construction-permit&period=2026-Q2&mode=reporting&compare=previous",
    )
    .await;
    assert_eq!(body["respondents"], 3);
    for key in ["overall", "pooled", "comprehensive"] {
        assert_eq!(body[key]["suppressed"], true, "{key}");
        assert!(
            body[key]["estimate"].is_null()
                && body[key]["se"].is_null()
                && body[key]["ci_low"].is_null()
        );
        assert_eq!(body[key]["n"], 3);
    }
    // Comparing with a withheld cell says nothing.
    assert_eq!(body["compare"]["period"]["label"], "2026-Q1");
    assert!(body["compare"]["overall"]["difference"].is_null());
    assert_eq!(body["compare"]["overall"]["significant"], false);

    // The attack of the report: two free ranges a day apart. Refused.
    for period in ["2026-01-01..2026-03-15", "2026-01-01..2026-03-14"] {
        let (status, body) = get(
            &app,
            &token,
            &format!("?survey=construction-permit&period={period}"),
        )
        .await;
        assert_eq!(status, 422, "{period}");
        assert!(body["fields"]["period"].is_string(), "{body}");
    }
    let (status, body) = get(
        &app,
        &token,
        "?survey=construction-permit&period=2026-Q2&compare=2026-01-01..2026-03-31",
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["fields"]["compare"].is_string(), "{body}");
}

async fn a_service_point_and_its_department_a_few_apart_are_both_withheld(backend: Backend) {
    let app = spawn_app(backend).await;
    // May 2026: six respondents at one desk and two at another.
    let mut csv = String::from("unit,submitted_on,A1,P1\n");
    for i in 0..6 {
        csv.push_str(&format!("hcc-long-xuyen-xd,2026-05-20,{},4\n", 3 + i % 3));
    }
    for _ in 0..2 {
        csv.push_str("hcc-rach-gia-xd,2026-05-20,1,1\n");
    }
    // August 2025, alone in its year: ten and six, so every difference is
    // 6 or more.
    for i in 0..10 {
        csv.push_str(&format!("hcc-long-xuyen-xd,2025-08-20,{},4\n", 3 + i % 3));
    }
    for _ in 0..6 {
        csv.push_str("hcc-rach-gia-xd,2025-08-20,2,2\n");
    }
    app.import_csv("construction-permit", &csv);
    let token = app.create_token(&["--role", "home-affairs", "--name", "analyst"]);

    // The department (8) minus the first desk (6) would be the two at the
    // second desk: both withheld, in every period that holds them.
    for period in ["2026-05", "2026-Q2", "2026-H1"] {
        let (_, department) = get(
            &app,
            &token,
            &format!("?survey=construction-permit&period={period}"),
        )
        .await;
        assert_eq!(department["respondents"], 8, "{period}");
        all_withheld(&department);
        let (_, desk) = get(
            &app,
            &token,
            &format!("?survey=construction-permit&period={period}&unit=hcc-long-xuyen-xd"),
        )
        .await;
        assert_eq!(desk["respondents"], 6, "{period}");
        all_withheld(&desk);
    }
    let response = app
        .get_as(
            Some(&token),
            "/api/v1/indices/units?survey=construction-permit&period=2026-Q2",
        )
        .await;
    let units: Value = response.json().await.unwrap();
    for unit in units["units"].as_array().unwrap() {
        assert!(unit["overall"]["estimate"].is_null(), "{unit}");
    }

    // August 2025, with every difference at 6 or more, is published whole.
    let (_, august) = get(&app, &token, "?survey=construction-permit&period=2025-Q3").await;
    assert_eq!(august["respondents"], 16);
    assert!(august["overall"]["estimate"].is_number(), "{august}");
    let (_, desk) = get(
        &app,
        &token,
        "?survey=construction-permit&period=2025-Q3&unit=hcc-rach-gia-xd",
    )
    .await;
    assert!(desk["overall"]["estimate"].is_number(), "{desk}");

    // The export says the same: the withheld cell is flagged, not a number.
    let csv = app
        .get_as(
            Some(&token),
            "/export/indices.csv?period=2026-Q2&department=construction",
        )
        .await
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let overall = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[column("level")] == "overall" && r[column("unit")].is_empty())
        .expect("the department's overall row");
    assert!(overall[column("estimate")].is_empty(), "{overall:?}");
    assert!(overall[column("flags")].contains("withheld"), "{overall:?}");
}

/// July (10 respondents) and the third quarter (16) differ by 6, so both
/// cells are published; but the apology, asked only after a late result,
/// was answered by 6 in July and 7 in the quarter: its figures would give
/// the one August answer by subtraction, so they are withheld in both,
/// while every figure answered by all stays.
async fn an_item_answered_by_a_few_more_is_withheld_though_the_cells_are_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut csv = String::from("unit,submitted_on,A1,ONTIME,LATE_APOLOGY\n");
    for i in 0..10 {
        let late = i < 6;
        csv.push_str(&format!(
            "hcc-long-xuyen-xd,2026-07-05,{},{},{}\n",
            3 + i % 3,
            if late { "late" } else { "ontime" },
            if late {
                (i % 2).to_string()
            } else {
                String::new()
            }
        ));
    }
    for i in 0..6 {
        let late = i == 0;
        csv.push_str(&format!(
            "hcc-long-xuyen-xd,2026-08-05,{},{},{}\n",
            3 + i % 3,
            if late { "late" } else { "ontime" },
            if late { "1" } else { "" }
        ));
    }
    app.import_csv("construction-permit", &csv);
    let token = app.create_token(&["--role", "home-affairs", "--name", "items"]);
    for period in ["2026-Q3", "2026-07"] {
        let (status, body) = get(
            &app,
            &token,
            &format!("?survey=construction-permit&period={period}"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            !withheld(&body["overall"]),
            "{period}: the cell is published"
        );
        let a1 = body["elements"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["items"].as_array().unwrap())
            .find(|i| i["key"] == "A1")
            .unwrap();
        assert!(
            a1["index"]["estimate"].is_number(),
            "{period}: A1 answered by all"
        );
        let apology = body["other_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == "LATE_APOLOGY")
            .unwrap();
        for option in apology["options"].as_array().unwrap() {
            assert!(withheld(&option["share"]), "{period}: {option}");
        }
        let ontime = body["other_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == "ONTIME")
            .unwrap();
        assert!(
            ontime["options"][0]["share"]["estimate"].is_number(),
            "{period}: ONTIME answered by all"
        );
    }
}
