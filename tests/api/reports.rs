//! Periods as offices write them: names ("quý III năm 2026"), the nine
//! months, and comparisons with the same period of the previous year.

use serde_json::Value;

use crate::helpers::{spawn_app, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periods_are_named_and_compared_with_the_same_period_last_year() {
    let app = spawn_app(Backend::Sqlite).await;
    app.cli_ok(&[
        "simulate",
        "--survey",
        "health-outpatient",
        "--responses",
        "800",
        "--from",
        "2025-07-01",
        "--to",
        "2026-09-30",
    ]);
    let token = app.create_token(&["--role", "home-affairs", "--name", "reports"]);
    let get = |path: String| {
        let (app, token) = (&app, &token);
        async move {
            let response = app.get_as(Some(token), &path).await;
            assert_eq!(response.status(), 200, "{path}");
            response.json::<Value>().await.unwrap()
        }
    };

    let index = get(
        "/api/v1/indices?survey=health-outpatient&period=2026-Q3&compare=same_period_last_year"
            .into(),
    )
    .await;
    assert_eq!(index["period"]["name_vi"], "quý III năm 2026");
    assert_eq!(index["period"]["name_en"], "Q3 2026");
    assert_eq!(index["compare"]["period"]["label"], "2025-Q3");
    assert_eq!(index["compare"]["period"]["name_vi"], "quý III năm 2025");
    assert!(index["compare"]["overall"]["difference"].is_number());

    // Nine months, in the reporting mode: 15 December to 14 September.
    let nine =
        get("/api/v1/indices?survey=health-outpatient&period=2026-M9&mode=reporting".into()).await;
    assert_eq!(nine["period"]["from"], "2025-12-15");
    assert_eq!(nine["period"]["to"], "2026-09-14");
    assert_eq!(nine["period"]["name_vi"], "9 tháng năm 2026");
    let nine_calendar = get("/api/v1/indices?survey=health-outpatient&period=2026-M9".into()).await;
    assert_eq!(nine_calendar["period"]["from"], "2026-01-01");
    assert_eq!(nine_calendar["period"]["to"], "2026-09-30");

    // The written report names the period and both comparisons.
    let report = app
        .get_as(Some(&token), "/report?period=2026-Q3&department=health")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "Kết quả khảo sát sự hài lòng của người dân quý III năm 2026",
        "So với quý II năm 2026",
        "So với cùng kỳ năm trước (quý III năm 2025)",
    ] {
        assert!(report.contains(expected), "{expected} in the report");
    }
    assert!(!report.contains("kỳ 2026-Q3"));
}

async fn page(client: &reqwest::Client, url: &str) -> String {
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

/// Every staff page links to the glossary; the dashboards link to the
/// written report and the exports for the period and mode on screen; the
/// Vietnamese outputs use plain words, not jargon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_link_to_the_report_the_exports_and_the_glossary() {
    use crate::staff::{create_user, signed_in};
    let app = spawn_app(Backend::Sqlite).await;
    create_user(&app, "home1", "home-affairs", None).await;
    create_user(&app, "health1", "department", Some("health")).await;

    let home = signed_in(&app, "home1").await;
    let overview = page(&home, &app.url("/dashboard?period=2026-M9&mode=reporting")).await;
    assert!(overview.contains("9 tháng năm 2026"));
    assert!(overview.contains("(15/12/2025 – 14/09/2026)"));
    for link in [
        "/report?period=2026-M9&amp;mode=reporting&amp;lang=vi",
        "/export/indices.xlsx?period=2026-M9&amp;mode=reporting&amp;lang=vi",
        "/glossary?lang=vi",
    ] {
        assert!(overview.contains(link), "{link} on the overview");
    }

    let health = signed_in(&app, "health1").await;
    let department = page(&health, &app.url("/dashboard/health?period=2026-Q3")).await;
    assert!(department.contains(
        "/export/indices.csv?period=2026-Q3&amp;mode=calendar&amp;lang=vi&amp;department=health"
    ));
    let glossary = health.get(app.url("/glossary")).send().await.unwrap();
    assert_eq!(glossary.status(), 200);
    let glossary = glossary.text().await.unwrap();
    for term in [
        "Khoảng tin cậy",
        "Quyền số",
        "Ẩn (dưới ngưỡng)",
        "Chưa có phiếu trong kỳ",
        "Độ tin cậy thấp",
    ] {
        assert!(glossary.contains(term), "{term} in the glossary");
    }
    for page in [&overview, &department, &glossary] {
        for jargon in ["gia trọng", "thiếu độ phủ", "điểm\u{a0}%", ">Cờ<"] {
            assert!(!page.contains(jargon), "{jargon}");
        }
    }
    // Signed out, the glossary is a staff page like the others.
    let anonymous = app.client.get(app.url("/glossary")).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
}

/// The appendix offices paste: one row per department and survey, ranked by
/// overall index with ties sharing a rank, the same period last year and
/// the change; service points ranked within their survey.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_appendix_ranks_departments_and_service_points() {
    let app = spawn_app(Backend::Sqlite).await;
    app.cli_ok(&[
        "simulate",
        "--all",
        "--responses",
        "600",
        "--from",
        "2025-07-01",
        "--to",
        "2026-09-30",
    ]);
    // Enough at every hospital that no figure is withheld against differencing.
    app.cli_ok(&[
        "simulate",
        "--survey",
        "health-outpatient",
        "--responses",
        "6000",
        "--from",
        "2025-07-01",
        "--to",
        "2026-09-30",
        "--seed",
        "2",
    ]);
    let token = app.create_token(&["--role", "home-affairs", "--name", "appendix"]);
    let appendix: Value = app
        .get_as(Some(&token), "/export/appendix.json?period=2026-Q3")
        .await
        .json()
        .await
        .unwrap();
    let surveys = appendix["surveys"].as_array().unwrap();
    assert_eq!(surveys.len(), 6);
    // Ranks follow the published estimates, highest first, ties shared.
    let mut ranked: Vec<(u64, f64)> = surveys
        .iter()
        .filter(|s| !s["rank"].is_null())
        .map(|s| {
            (
                s["rank"]["rank"].as_u64().unwrap(),
                s["overall"].as_f64().unwrap(),
            )
        })
        .collect();
    ranked.sort_by_key(|r| r.0);
    assert!(!ranked.is_empty());
    assert_eq!(ranked[0].0, 1);
    for pair in ranked.windows(2) {
        assert!(pair[0].1 >= pair[1].1, "{ranked:?}");
        // As printed: a percentage with one decimal.
        let printed = |v: f64| format!("{:.1}", v * 100.0).parse::<f64>().unwrap();
        let higher = ranked
            .iter()
            .filter(|(_, v)| printed(*v) > printed(pair[1].1))
            .count() as u64;
        assert_eq!(
            pair[1].0,
            higher + 1,
            "rank = 1 + the number of strictly higher estimates"
        );
    }
    for survey in surveys {
        assert!(survey["department_name_vi"]
            .as_str()
            .unwrap()
            .starts_with("Sở"));
        assert!(!survey["elements"].as_array().unwrap().is_empty());
        if let (Some(now), Some(then), Some(change)) = (
            survey["overall"].as_f64(),
            survey["same_period_last_year"].as_f64(),
            survey["change"].as_f64(),
        ) {
            assert!(
                (now - then - change).abs() < 1e-9,
                "change = now − same period last year"
            );
        }
    }
    let units = appendix["units"].as_array().unwrap();
    let health: Vec<&Value> = units
        .iter()
        .filter(|u| u["survey"] == "health-outpatient")
        .collect();
    assert!(health.iter().any(|u| u["rank"]["rank"] == 1), "{health:#?}");
    // A service point's element columns are its own element indices, as the
    // index API gives them for that service point alone.
    let first = health.iter().find(|u| u["rank"]["rank"] == 1).unwrap();
    let unit_api: Value = app
        .get_as(
            Some(&token),
            &format!(
                "/api/v1/indices?survey=health-outpatient&period=2026-Q3&unit={}",
                first["unit"].as_str().unwrap()
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let columns = first["elements"].as_array().unwrap();
    let api_elements = unit_api["elements"].as_array().unwrap();
    assert_eq!(columns.len(), api_elements.len());
    assert_eq!(columns.len(), 5, "A–E of the Ministry of Health's form");
    for (column, api) in columns.iter().zip(api_elements) {
        assert_eq!(column["key"], api["key"]);
        assert_eq!(column["label_vi"], api["label"]["vi"]);
        assert_eq!(
            column["index"], api["index"]["estimate"],
            "{column} vs {api}"
        );
    }

    // In the workbook, each table's element columns carry the element names.
    let xlsx = app
        .get_as(Some(&token), "/export/indices.xlsx?period=2026-Q3")
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::{DataType, Reader};
    let annex = book.worksheet_range("Phụ lục").unwrap();
    let header_rows: Vec<Vec<String>> = annex
        .rows()
        .filter(|r| r.first().is_some_and(|c| *c == "STT"))
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(
        header_rows
            .iter()
            .any(|h| h.contains(&"A. Khả năng tiếp cận (%)".to_string())),
        "{header_rows:?}"
    );
    assert!(header_rows
        .iter()
        .all(|h| !h.iter().any(|c| c.starts_with("Nhóm "))));
    let numbered: Vec<f64> = annex
        .rows()
        .filter_map(|r| r.first().and_then(|c| c.get_float()))
        .collect();
    assert_eq!(
        numbered,
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "numbered on across tables"
    );
    let units_sheet = book.worksheet_range("Nơi phục vụ").unwrap();
    let health_header: Vec<String> = units_sheet
        .rows()
        .find(|r| r.iter().any(|c| *c == "A. Khả năng tiếp cận (%)"))
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(health_header[0], "Mã nơi phục vụ");

    let csv = app
        .get_as(Some(&token), "/export/appendix.csv?period=2026-Q3")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv
        .trim_start_matches('\u{feff}')
        .starts_with("department,department_name_vi,survey,survey_title_vi,respondents,elements,overall,ci_low,ci_high,rank,rank_separable,same_period_last_year,change,change_significant"));
    assert_eq!(csv.lines().count(), 7);
}

/// The written report as a Word document: it opens (read back with a docx
/// library), is set in Times New Roman, and carries the index API's figures
/// and the appendix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_word_report_opens_and_carries_the_api_figures() {
    let app = spawn_app(Backend::Sqlite).await;
    app.cli_ok(&[
        "simulate",
        "--survey",
        "health-outpatient",
        "--responses",
        "6000",
        "--from",
        "2025-07-01",
        "--to",
        "2026-09-30",
    ]);
    let token = app.create_token(&["--role", "home-affairs", "--name", "docx"]);
    let response = app
        .get_as(
            Some(&token),
            "/report.docx?period=2026-Q3&department=health",
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = response.bytes().await.unwrap();
    let document = docx_rs::read_docx(&bytes).expect("the document opens");
    let json = document.json();
    let index: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-Q3",
        )
        .await
        .json()
        .await
        .unwrap();
    let overall = hailong::i18n::percent(
        hailong::i18n::Lang::Vi,
        index["overall"]["estimate"].as_f64().unwrap(),
    );
    for expected in [
        "Kết quả khảo sát sự hài lòng của người dân quý III năm 2026",
        "Phụ lục: kết quả theo cơ quan và dịch vụ",
        "Cùng kỳ năm trước",
        "Phương pháp",
        overall.as_str(),
        "Times New Roman",
    ] {
        assert!(json.contains(expected), "{expected} in the document");
    }

    // The same document from the command line.
    let out = tempfile::NamedTempFile::new().unwrap();
    app.cli_ok(&[
        "export",
        "--period",
        "2026-Q3",
        "--department",
        "health",
        "--format",
        "docx",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let from_cli = docx_rs::read_docx(&std::fs::read(out.path()).unwrap()).unwrap();
    assert!(from_cli.json().contains(overall.as_str()));
}

/// Reports name bodies as they were at the period's end (the sector
/// mergers dated 1 March 2025) with today's name after them, and say which
/// service points were in the former Kiên Giang province before 1 July 2025.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_in_force_and_the_province_merger() {
    use crate::staff::{create_user, signed_in};
    let app = spawn_app(Backend::Sqlite).await;
    let token = app.create_token(&["--role", "home-affairs", "--name", "names"]);
    let appendix = |period: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let response = app
                .get_as(
                    Some(token),
                    &format!("/export/appendix.json?period={period}"),
                )
                .await;
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let planning = |appendix: &Value| {
        appendix["surveys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["survey"] == "business-registration")
            .unwrap()["department_name_vi"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        planning(&appendix("2024-Q4").await),
        "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)"
    );
    assert_eq!(
        planning(&appendix("2025-02").await),
        "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)"
    );
    assert_eq!(planning(&appendix("2025-03").await), "Sở Tài chính");

    let hospital = |appendix: &Value| {
        appendix["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "bv-dk-kien-giang")
            .unwrap()["unit_name_vi"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        hospital(&appendix("2025-Q2").await),
        "Bệnh viện Đa khoa Kiên Giang (tỉnh Kiên Giang cũ)"
    );
    assert_eq!(
        hospital(&appendix("2025-Q3").await),
        "Bệnh viện Đa khoa Kiên Giang"
    );

    // A trend across the merger says so.
    create_user(&app, "health1", "department", Some("health")).await;
    let client = signed_in(&app, "health1").await;
    let across = page(&client, &app.url("/dashboard/health?period=2026-Q1")).await;
    assert!(across.contains("Số liệu đi qua ngày hợp nhất tỉnh (01/07/2025)"));
    assert!(across.contains("Bệnh viện Đa khoa Kiên Giang"));
    let after = page(&client, &app.url("/dashboard/health?period=2027-Q3")).await;
    assert!(!after.contains("ngày hợp nhất tỉnh"));
}
