//! The official instruments, faithfully: the health questionnaire checked
//! against a transcription of the Ministry of Health's form (the fixture
//! `tests/fixtures/moh-3869-mau-2.json`, written from the sources, not from
//! the survey definition), and answers to an earlier edition counted only
//! for the items that continue them.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{new_id, spawn_app, spawn_app_with, AppOptions, Backend};

both_backends!(answers_to_an_earlier_edition_count_only_where_an_item_continues_them);

/// A service whose today is 12 August 2026.
async fn app_in_august(backend: Backend) -> crate::helpers::TestApp {
    spawn_app_with(
        backend,
        AppOptions {
            clock: hailong::app::Clock::fixed_on(
                chrono::NaiveDate::from_ymd_opt(2026, 8, 12).unwrap(),
            ),
            ..Default::default()
        },
    )
    .await
}

/// A CSV export (UTF-8 with a byte-order mark): its header and rows.
fn read_csv(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    (header, reader.records().map(Result::unwrap).collect())
}

fn official_form() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/moh-3869-mau-2.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn question<'a>(survey: &'a Value, key: &str) -> &'a Value {
    survey["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .find(|q| q["key"] == key)
        .unwrap_or_else(|| panic!("no question {key}"))
}

fn option_labels(question: &Value) -> Vec<&str> {
    question["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["label"]["vi"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_questionnaire_is_the_ministrys_form_item_by_item() {
    let app = spawn_app(Backend::Sqlite).await;
    let official = official_form();
    let survey: Value = app
        .get("/api/v1/surveys/health-outpatient")
        .await
        .json()
        .await
        .unwrap();

    // A1–E4: the same keys, in the same order, with the same texts.
    let rated: Vec<(&str, &str)> = survey["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .filter(|q| q["kind"] == "likert")
        .map(|q| {
            (
                q["key"].as_str().unwrap(),
                q["label"]["vi"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str)> = official["rated_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap(), i["vi"].as_str().unwrap()))
        .collect();
    assert_eq!(rated, expected);
    let headings: Vec<&str> = survey["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| ["A", "B", "C", "D", "E"].contains(&s["key"].as_str().unwrap()))
        .map(|s| s["label"]["vi"].as_str().unwrap())
        .collect();
    assert_eq!(
        headings,
        official["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect::<Vec<_>>()
    );

    // G1 takes answers above 100 %; G2 has the form's six options.
    let g1 = question(&survey, "G1");
    assert_eq!(g1["kind"], "percent");
    assert_eq!(g1["max_percent"], 200);
    assert!(g1["label"]["vi"]
        .as_str()
        .unwrap()
        .starts_with(official["G1"].as_str().unwrap()));
    let g2 = question(&survey, "G2");
    assert_eq!(g2["label"]["vi"], official["G2"]);
    assert_eq!(
        option_labels(g2),
        official["G2_options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect::<Vec<_>>()
    );

    // The respondent block: who answers, gender, distance, insurance card.
    assert_eq!(
        option_labels(question(&survey, "RESPONDENT")),
        ["Người bệnh", "Người nhà"]
    );
    assert_eq!(
        option_labels(question(&survey, "GENDER")),
        ["Nam", "Nữ", "Khác"]
    );
    assert_eq!(
        question(&survey, "DISTANCE")["label"]["vi"],
        official["distance"]
    );
    assert_eq!(
        question(&survey, "INSURED")["label"]["vi"],
        official["insured"]
    );

    // The form's answer scale, on the citizen page, addressing "Ông/Bà".
    let page = crate::helpers::screen(&app, "health-outpatient", "bv-dk-kien-giang", 1).await;
    for label in official["scale"].as_array().unwrap() {
        assert!(
            page.contains(label.as_str().unwrap()),
            "{label} on the form"
        );
    }
    let first = app.get("/s/health-outpatient").await.text().await.unwrap();
    assert!(first.contains("Ông/Bà"));
    for page in [&page, &first] {
        assert!(!page.to_lowercase().contains("bạn"), "no informal \"bạn\"");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expectations_met_may_exceed_100_percent_up_to_200() {
    let app = spawn_app(Backend::Sqlite).await;
    let url = "/api/v1/surveys/health-outpatient/responses";
    for (g1, status) in [(150, 201), (200, 201), (201, 422), (-1, 422)] {
        let mut body = crate::helpers::valid_health_submission(&new_id());
        body["answers"]["G1"] = json!(g1);
        let response = app.post_json(url, &body).await;
        assert_eq!(response.status(), status, "G1 = {g1}");
        if status == 422 {
            let error: Value = response.json().await.unwrap();
            assert_eq!(
                error["fields"]["answers.G1"],
                "must be an integer from 0 to 200"
            );
        }
    }
}

/// The definitions of the repository with the health questionnaire as it
/// was in its first edition.
fn first_edition_definitions() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::cli::copy_dir(&crate::helpers::repo_definitions(), dir.path());
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/health-outpatient-first-edition.toml"
    );
    std::fs::copy(fixture, dir.path().join("surveys/health-outpatient.toml")).unwrap();
    dir
}

fn item<'a>(index: &'a Value, key: &str) -> &'a Value {
    index["elements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["items"].as_array().unwrap())
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no item {key}"))
}

/// The first edition's B8 asked whether the wait for tests was reasonable;
/// the ministry's B8 rates the time with the doctor. Old answers must not
/// count as the new B8, while A4 (the same question in both) continues and
/// the old A1 (maps and signs) continues as the new A2.
async fn answers_to_an_earlier_edition_count_only_where_an_item_continues_them(backend: Backend) {
    let may = |day| chrono::NaiveDate::from_ymd_opt(2026, 5, day).unwrap();
    let old_definitions = first_edition_definitions();
    let before = spawn_app_with(
        backend,
        AppOptions {
            definitions: old_definitions.path().to_path_buf(),
            clock: hailong::app::Clock::fixed_on(may(10)),
            ..Default::default()
        },
    )
    .await;
    let url = "/api/v1/surveys/health-outpatient/responses";
    for _ in 0..6 {
        let body = json!({
            "id": new_id(), "unit": "bv-dk-kien-giang",
            "answers": {"A1": 2, "A4": 5, "B8": 1, "B10": 5, "RETURN": "certainly", "INSURED": true}
        });
        assert_eq!(before.post_json(url, &body).await.status(), 201);
    }

    let after = spawn_app_with(
        backend,
        AppOptions {
            database_url: Some(before.database_url().to_string()),
            clock: hailong::app::Clock::fixed_on(may(20)),
            ..Default::default()
        },
    )
    .await;
    for _ in 0..6 {
        let body = json!({
            "id": new_id(), "unit": "bv-dk-kien-giang",
            "answers": {"A4": 3, "B8": 5, "G2": "maybe", "INSURED": false}
        });
        assert_eq!(after.post_json(url, &body).await.status(), 201);
    }
    let token = after.create_token(&["--role", "home-affairs", "--name", "editions"]);
    let index: Value = after
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-05",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(index["respondents"], 12);
    assert_eq!(index["versions"].as_array().unwrap().len(), 2);

    let b8 = item(&index, "B8");
    assert_eq!(b8["index"]["n"], 6, "only answers to the ministry's B8");
    assert_eq!(b8["distribution"]["5"], 6);
    assert_eq!(
        b8["distribution"]["1"], 0,
        "the old B8's answers are not here"
    );
    let a4 = item(&index, "A4");
    assert_eq!(a4["index"]["n"], 12, "A4 continues across the editions");
    assert_eq!(
        (&a4["distribution"]["5"], &a4["distribution"]["3"]),
        (&json!(6), &json!(6))
    );
    let a2 = item(&index, "A2");
    assert_eq!(a2["index"]["n"], 6, "the old A1 is the new A2");
    assert_eq!(a2["distribution"]["2"], 6);
    for new_series in ["A1", "B10"] {
        assert_eq!(item(&index, new_series)["index"]["n"], 0, "{new_series}");
    }

    // The microdata puts old answers only under the items that continue them.
    let csv = after
        .get_as(
            Some(&token),
            "/export/responses.csv?survey=health-outpatient&period=2026-05",
        )
        .await
        .text()
        .await
        .unwrap();
    let (header, rows) = read_csv(&csv);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 12);
    let old_version = before.current_version("health-outpatient");
    for row in &rows {
        let old = row[column("survey_version")] == old_version;
        let expected_b8 = if old { "" } else { "5" };
        assert_eq!(&row[column("B8")], expected_b8);
        assert_eq!(&row[column("A4")], if old { "5" } else { "3" });
        assert_eq!(&row[column("A2")], if old { "2" } else { "" });
        assert_eq!(&row[column("G2")], if old { "" } else { "maybe" });
        assert_eq!(&row[column("INSURED")], if old { "1" } else { "0" });
    }
}

both_backends!(every_item_kind_and_the_ministrys_figures_are_estimated);

/// Choices, yes/no and percent items are estimated over those who answered
/// them, and the Ministry of Health's mean scores are published, in the
/// index API and the exports alike (values by hand from the answers).
async fn every_item_kind_and_the_ministrys_figures_are_estimated(backend: Backend) {
    let app = app_in_august(backend).await;
    let url = "/api/v1/surveys/health-outpatient/responses";
    // Ten respondents; the last two skip G2 and G1, and the last one INSURED.
    let g2 = [
        "certainly",
        "certainly",
        "certainly",
        "certainly",
        "certainly",
        "maybe",
        "maybe",
        "other",
    ];
    let g1 = [80, 90, 100, 120, 150, 80, 90, 130];
    for r in 0..10 {
        let mut answers = json!({"A1": 1 + r % 5, "A2": 5, "B1": 4});
        if r < 8 {
            answers["G2"] = json!(g2[r]);
            answers["G1"] = json!(g1[r]);
        }
        if r < 9 {
            answers["INSURED"] = json!(r % 3 != 0);
        }
        let body = json!({"id": new_id(), "unit": "bv-dktt-an-giang", "answers": answers});
        assert_eq!(app.post_json(url, &body).await.status(), 201);
    }
    let token = app.create_token(&[
        "--role",
        "department",
        "--department",
        "health",
        "--name",
        "kinds",
    ]);
    let index: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-08",
        )
        .await
        .json()
        .await
        .unwrap();
    let other = |key: &str| {
        index["other_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == key)
            .unwrap_or_else(|| panic!("no other item {key}"))
            .clone()
    };
    let share = |item: &Value, option: &str| {
        item["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == option)
            .unwrap()["share"]
            .clone()
    };
    let close = |value: &Value, expected: f64| {
        assert!(
            (value.as_f64().unwrap() - expected).abs() < 1e-12,
            "{value} ≠ {expected}"
        );
    };

    let g2_item = other("G2");
    assert_eq!(g2_item["kind"], "single");
    assert_eq!(g2_item["answered"], 8);
    assert_eq!(g2_item["options"].as_array().unwrap().len(), 6);
    let certainly = share(&g2_item, "certainly");
    close(&certainly["estimate"], 5.0 / 8.0);
    assert_eq!(certainly["n"], 8);
    assert_eq!(certainly["method"], "wilson");
    assert!(
        certainly["ci_low"].as_f64().unwrap() < 0.625
            && certainly["ci_high"].as_f64().unwrap() > 0.625
    );
    close(&share(&g2_item, "maybe")["estimate"], 2.0 / 8.0);
    close(&share(&g2_item, "never")["estimate"], 0.0);

    let g1_item = other("G1");
    assert_eq!(g1_item["kind"], "percent");
    let mean = &g1_item["mean"];
    close(&mean["estimate"], g1.iter().sum::<i32>() as f64 / 8.0);
    assert_eq!(mean["method"], "t");
    assert_eq!(mean["n"], 8);

    let insured = other("INSURED");
    assert_eq!(insured["kind"], "yes_no");
    let yes = (0..9).filter(|r| r % 3 != 0).count() as f64;
    close(&share(&insured, "yes")["estimate"], yes / 9.0);
    close(&share(&insured, "no")["estimate"], (9.0 - yes) / 9.0);
    assert_eq!(share(&insured, "yes")["n"], 9);

    // Nobody answered DISTANCE: nothing to estimate, and it says so.
    let distance = share(&other("DISTANCE"), "under5");
    assert_eq!(distance["suppressed"], true);
    assert!(distance["flags"]
        .as_array()
        .unwrap()
        .contains(&json!("no_valid_answers")));

    // The ministry's mean scores: section A over every valid answer to it,
    // and the whole form's.
    let a_scores: Vec<f64> = (0..10).flat_map(|r| [(1 + r % 5) as f64, 5.0]).collect();
    let section_a = index["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "A")
        .unwrap();
    close(
        &section_a["mean_score"]["estimate"],
        a_scores.iter().sum::<f64>() / 20.0,
    );
    close(
        &index["mean_score"]["estimate"],
        (a_scores.iter().sum::<f64>() + 40.0) / 30.0,
    );

    // The tidy export carries the same numbers.
    let csv = app
        .get_as(Some(&token), "/export/indices.csv?period=2026-08")
        .await
        .text()
        .await
        .unwrap();
    let (header, rows) = read_csv(&csv);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rows
        .into_iter()
        .filter(|r| &r[col("survey")] == "health-outpatient" && r[col("unit")].is_empty())
        .collect();
    let find = |level: &str, key: &str| {
        rows.iter()
            .find(|r| &r[col("level")] == level && &r[col("key")] == key)
            .unwrap_or_else(|| panic!("no {level} row {key}"))
            .clone()
    };
    let exported: f64 = find("option", "G2=certainly")[col("estimate")]
        .parse()
        .unwrap();
    assert!((exported - 0.625).abs() < 1e-12);
    let exported: f64 = find("mean", "G1")[col("estimate")].parse().unwrap();
    assert!((exported - mean["estimate"].as_f64().unwrap()).abs() < 1e-12);
    let exported: f64 = find("element_mean_score", "A")[col("estimate")]
        .parse()
        .unwrap();
    assert!((exported - section_a["mean_score"]["estimate"].as_f64().unwrap()).abs() < 1e-12);
    assert!(rows.iter().any(|r| &r[col("level")] == "mean_score"));

    // The written report says the mean score and the mean % of expectations.
    let report = app
        .get_as(Some(&token), "/report?period=2026-08&department=health")
        .await
        .text()
        .await
        .unwrap();
    assert!(report.contains("Điểm trung bình chung"), "{report}");
    assert!(report.contains("trung bình 105,0\u{a0}%"), "{report}");
}

/// Paper forms go through the same rules: a point of an item's own scale,
/// and an answer to an item that was not asked dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_imports_follow_scales_and_conditions() {
    let app = spawn_app(Backend::Sqlite).await;
    app.import_csv(
        "one-stop-construction",
        "unit,submitted_on,SAT,CS1\nhcc-rach-gia-xd,2026-08-03,3,0\n",
    );
    app.import_csv(
        "construction-permit",
        "unit,submitted_on,A1,ONTIME,LATE_APOLOGY\nhcc-rach-gia-xd,2026-08-03,4,ontime,1\nhcc-rach-gia-xd,2026-08-03,4,late,0\n",
    );
    let rows = app.stored_rows();
    let answers: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.answers).unwrap())
        .collect();
    assert!(answers.iter().any(|a| a["SAT"] == 3 && a["CS1"] == 0));
    assert!(answers
        .iter()
        .any(|a| a["ONTIME"] == "late" && a["LATE_APOLOGY"] == false));
    assert!(answers
        .iter()
        .filter(|a| a["ONTIME"] == "ontime")
        .all(|a| a.get("LATE_APOLOGY").is_none()));
    let refused = app
        .command()
        .args(["import", "--survey", "one-stop-construction", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"unit,submitted_on,SAT\nhcc-rach-gia-xd,2026-08-03,5\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("line 2, column SAT: must be an integer 1–3"));
}

both_backends!(conditional_items_are_asked_only_when_their_condition_holds);

/// The apology is asked only of those whose result was late, personal facts
/// only of people and the organisation's facts only of organisations: an
/// answer to an item that was not asked is dropped, never stored, and the
/// item's shares count only those it was asked of.
async fn conditional_items_are_asked_only_when_their_condition_holds(backend: Backend) {
    let app = app_in_august(backend).await;
    let url = "/api/v1/surveys/construction-permit/responses";
    let mut ids = Vec::new();
    // Six late (four apologised to), six on time who also "answer" the apology.
    for r in 0..12 {
        let late = r < 6;
        let id = new_id();
        let body = json!({
            "id": id, "unit": "hcc-long-xuyen-xd",
            "answers": {
                "A1": 4, "ONTIME": if late { "late" } else { "ontime" },
                "LATE_APOLOGY": if late { r < 4 } else { true },
                "RESPONDENT_KIND": if r % 2 == 0 { "person" } else { "organisation" },
                "GENDER": "female", "ORG_TYPE": "enterprise"
            }
        });
        assert_eq!(app.post_json(url, &body).await.status(), 201);
        ids.push((id, late, r % 2 == 0));
    }
    for row in app.stored_rows() {
        let (_, late, person) = ids.iter().find(|(id, _, _)| *id == row.id).unwrap();
        let answers: Value = serde_json::from_str(&row.answers).unwrap();
        assert_eq!(answers.get("LATE_APOLOGY").is_some(), *late, "{answers}");
        assert_eq!(answers.get("GENDER").is_some(), *person, "{answers}");
        assert_eq!(answers.get("ORG_TYPE").is_some(), !person, "{answers}");
    }

    let token = app.create_token(&["--role", "home-affairs", "--name", "conditions"]);
    let index: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=construction-permit&period=2026-08",
        )
        .await
        .json()
        .await
        .unwrap();
    let apology = index["other_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == "LATE_APOLOGY")
        .unwrap();
    assert_eq!(apology["answered"], 6, "asked only of the six who waited");
    let yes = &apology["options"][0];
    assert_eq!(yes["key"], "yes");
    assert!((yes["share"]["estimate"].as_f64().unwrap() - 4.0 / 6.0).abs() < 1e-12);

    // On the form: the condition is said in words, and hidden by CSS alone
    // where the browser can (no script).
    // On its screen (the sixth), with the question it depends on.
    let page = crate::helpers::screen(&app, "construction-permit", "hcc-long-xuyen-xd", 5).await;
    assert!(page.contains("Chỉ trả lời nếu: Ông/Bà nhận kết quả — Trễ hẹn"));
    assert!(page.contains("form:has(#ONTIME-late:checked) #q-LATE_APOLOGY{display:block}"));
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the offline support"
    );
    // A section conditioned on an earlier screen is settled by the server:
    // no screen carries a rule for it.
    let kind = crate::helpers::screen(&app, "construction-permit", "hcc-long-xuyen-xd", 7).await;
    assert!(kind.contains("name=\"RESPONDENT_KIND\"") && !kind.contains("#s-organisation"));
}

/// The education form is for the schools the department runs (upper
/// secondary), asks satisfaction with the school overall apart from the
/// five areas, and asks parents only about dealings with families.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_education_form_fits_the_schools_the_department_runs() {
    let app = spawn_app(Backend::Sqlite).await;
    let survey: Value = app
        .get("/api/v1/surveys/education")
        .await
        .json()
        .await
        .unwrap();
    let units: Vec<Value> = app
        .get("/api/v1/units?department=education")
        .await
        .json()
        .await
        .unwrap();
    assert!(!units.is_empty());
    assert!(units.iter().all(|u| u["kind"] == "upper-secondary-school"));
    let sections = survey["sections"].as_array().unwrap();
    assert!(
        sections
            .iter()
            .flat_map(|s| s["questions"].as_array().unwrap())
            .all(|q| q["key"] != "LEVEL"),
        "no level question for levels the department does not run"
    );
    let overall = sections.iter().find(|s| s["key"] == "overall").unwrap();
    assert_eq!(
        overall["in_overall"], false,
        "reported apart from the five areas"
    );
    assert_eq!(overall["questions"][0]["kind"], "likert");
    assert_eq!(
        question(&survey, "EN4")["show_if"],
        json!({"ROLE": ["parent"]})
    );
    assert!(survey["title"]["vi"]
        .as_str()
        .unwrap()
        .contains("khảo sát của Sở"));
}

/// The one-stop dossier evaluation: a 3-level satisfaction and the
/// filer-scored indicators of Circular 01/2018 on 0–2 points, defined in
/// TOML and computed like every other questionnaire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_of_their_own_carry_the_one_stop_evaluation() {
    let app = app_in_august(Backend::Sqlite).await;
    let url = "/api/v1/surveys/one-stop-construction/responses";
    let sat = [3, 2, 2, 1, 3, 2, 1, 2];
    let cs1 = [2, 1, 1, 0, 2, 1, 0, 1];
    for r in 0..8 {
        let body = json!({"id": new_id(), "unit": "hcc-rach-gia-xd",
            "answers": {"SAT": sat[r], "CS1": cs1[r], "CS3": 2, "CS4": 1, "CS7": 1}});
        assert_eq!(app.post_json(url, &body).await.status(), 201, "{r}");
    }
    // Points outside the item's own scale are refused, naming it.
    for (key, value, message) in [
        ("SAT", 4, "must be an integer 1–3 or \"na\""),
        ("SAT", 0, "must be an integer 1–3 or \"na\""),
        ("CS1", 3, "must be an integer 0–2 or \"na\""),
    ] {
        let body = json!({"id": new_id(), "unit": "hcc-rach-gia-xd", "answers": {key: value}});
        let response = app.post_json(url, &body).await;
        assert_eq!(response.status(), 422);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["fields"][format!("answers.{key}")], message);
    }

    let token = app.create_token(&["--role", "home-affairs", "--name", "one-stop"]);
    let index: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=one-stop-construction&period=2026-08",
        )
        .await
        .json()
        .await
        .unwrap();
    let satisfied = sat.iter().filter(|&&s| s >= 2).count() as f64 / 8.0;
    assert!((index["overall"]["estimate"].as_f64().unwrap() - satisfied).abs() < 1e-12);
    let cs1_item = item(&index, "CS1");
    let mean_points = cs1.iter().sum::<i32>() as f64 / 8.0;
    assert!((cs1_item["mean_score"]["estimate"].as_f64().unwrap() - mean_points).abs() < 1e-12);
    let at_least_one = cs1.iter().filter(|&&p| p >= 1).count() as f64 / 8.0;
    assert!((cs1_item["index"]["estimate"].as_f64().unwrap() - at_least_one).abs() < 1e-12);

    // The form shows each point in the Circular's words, not numbers 1–5.
    let first = app
        .get("/s/one-stop-construction")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        first.contains("Rất hài lòng"),
        "the satisfaction scale first"
    );
    let page = crate::helpers::screen(&app, "one-stop-construction", "hcc-long-xuyen-xd", 1).await;
    assert!(page.contains("Tổng thời gian ngắn hơn so với quy định"));
    assert!(page.contains("id=\"CS1-0\""));
}
