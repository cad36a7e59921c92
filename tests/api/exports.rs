//! Exports read back with real readers (csv, calamine) and checked against
//! the index API; the report's wording; the microdata file.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::Datelike;
use diesel::RunQueryDsl;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{assert_close, spawn_app, spawn_app_with_min_cell, Backend, TestApp};
use crate::indices::import_known;

both_backends!(
    exports_carry_the_index_api_numbers,
    exports_respect_roles,
    microdata_has_months_not_days_and_no_comments
);

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let response = app.get_as(Some(token), path).await;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

fn close(actual: f64, expected: &Value, what: &str) {
    assert_close(actual, expected, 1e-12, what);
}

/// Every cell of a sheet as text, joined by spaces.
fn sheet_text(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> String {
    book.worksheet_range(name)
        .unwrap()
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn float(cell: Option<&Data>, what: &str) -> f64 {
    match cell {
        Some(Data::Float(v)) => *v,
        other => panic!("{what}: expected a number cell, got {other:?}"),
    }
}

async fn exports_carry_the_index_api_numbers(backend: Backend) {
    let app = spawn_app_with_min_cell(backend, 3).await;
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "reports"]);
    let query = "period=2026-Q1&mode=reporting&department=construction";
    let (_, _, api) = get_bytes(
        &app,
        &token,
        "/api/v1/indices?survey=construction-permit&period=2026-Q1&mode=reporting",
    )
    .await;
    let api: Value = serde_json::from_slice(&api).unwrap();

    // JSON: the tidy rows.
    let (status, content_type, json) =
        get_bytes(&app, &token, &format!("/export/indices.json?{query}")).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    let rows: Vec<Value> = serde_json::from_slice(&json).unwrap();
    let find = |level: &str, key: &str, unit: &str| {
        rows.iter()
            .find(|r| r["level"] == level && r["key"] == key && r["unit"] == unit)
            .unwrap_or_else(|| panic!("no row {level} {key} {unit}"))
            .clone()
    };
    let overall = find("overall", "", "");
    for field in ["estimate", "se", "ci_low", "ci_high"] {
        close(
            overall[field].as_f64().unwrap(),
            &api["overall"][field],
            &format!("json overall {field}"),
        );
    }
    assert_eq!(overall["respondents"], 7);
    assert_eq!(overall["method"], "logit");
    assert_eq!(overall["period"], "2026-Q1");
    assert_eq!(overall["mode"], "reporting");
    let a1 = find("item", "A1", "");
    let api_a1 = &api["elements"][0]["items"][0];
    assert_eq!(api_a1["key"], "A1");
    close(
        a1["estimate"].as_f64().unwrap(),
        &api_a1["index"]["estimate"],
        "json A1",
    );
    assert_eq!(a1["label_vi"], api_a1["label"]["vi"]);
    assert_eq!(find("element", "civil_servant", "")["suppressed"], true);
    assert_eq!(find("overall", "", "hcc-rach-gia-xd")["suppressed"], true);

    // CSV: BOM, the header, the same numbers.
    let (status, content_type, csv_bytes) =
        get_bytes(&app, &token, &format!("/export/indices.csv?{query}")).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    assert!(
        csv_bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark first"
    );
    let text = String::from_utf8(csv_bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        hailong::services::exports::CSV_HEADER.join(",")
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    let overall_csv = records
        .iter()
        .find(|r| &r[6] == "overall" && r[5].is_empty())
        .unwrap();
    close(
        overall_csv[11].parse().unwrap(),
        &api["overall"]["estimate"],
        "csv overall",
    );
    close(
        overall_csv[13].parse().unwrap(),
        &api["overall"]["ci_low"],
        "csv ci_low",
    );
    assert!(overall_csv[11].contains('.'), "dot decimal");
    let suppressed = records
        .iter()
        .find(|r| &r[6] == "element" && &r[7] == "civil_servant")
        .unwrap();
    assert_eq!((&suppressed[11], &suppressed[17]), ("", "true"));

    // XLSX: numbers as numbers, suppressed cells marked, seven sheets, the appendix among them.
    let (status, _, xlsx) = get_bytes(&app, &token, &format!("/export/indices.xlsx?{query}")).await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Tổng hợp",
            "Nhóm và tiêu chí",
            "Câu hỏi khác",
            "Phụ lục",
            "Nơi phục vụ",
            "Ý kiến người dân",
            "Phương pháp"
        ]
    );
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    assert_eq!(
        summary.get((0, 3)),
        Some(&Data::String("Chỉ số hài lòng".into()))
    );
    assert_eq!(
        summary.get((1, 1)),
        Some(&Data::String(
            "Khảo sát sự hài lòng về thủ tục cấp giấy phép xây dựng (khảo sát của Sở theo bộ tiêu chí SIPAS)".into()
        ))
    );
    assert_eq!(float(summary.get((1, 2)), "respondents"), 7.0);
    close(
        float(summary.get((1, 3)), "index"),
        &api["overall"]["estimate"],
        "xlsx overall",
    );
    close(
        float(summary.get((1, 4)), "low"),
        &api["overall"]["ci_low"],
        "xlsx ci_low",
    );
    close(
        float(summary.get((1, 5)), "high"),
        &api["overall"]["ci_high"],
        "xlsx ci_high",
    );
    let details = book.worksheet_range("Nhóm và tiêu chí").unwrap();
    // Every element and item of the API, in every export, cell types included.
    let mut checked = 0;
    for element in api["elements"].as_array().unwrap() {
        let mut estimates = vec![(
            "element",
            element["key"].as_str().unwrap(),
            &element["index"],
        )];
        for item in element["items"].as_array().unwrap() {
            estimates.push(("item", item["key"].as_str().unwrap(), &item["index"]));
        }
        for (level, key, expected) in estimates {
            let what = format!("{level} {key}");
            let json_row = find(level, key, "");
            let csv_row = records
                .iter()
                .find(|r| &r[6] == level && &r[7] == key && r[5].is_empty())
                .unwrap();
            let xlsx_row = (1..details.height())
                .find(|&r| details.get((r, 2)) == Some(&Data::String(key.into())))
                .unwrap_or_else(|| panic!("xlsx row {what}"));
            assert_eq!(json_row["n"], expected["n"], "{what} n");
            assert_eq!(
                float(details.get((xlsx_row, 8)), &what),
                expected["n"].as_f64().unwrap(),
                "{what} xlsx n"
            );
            assert_eq!(json_row["suppressed"], expected["suppressed"], "{what}");
            assert_eq!(
                &csv_row[17],
                if expected["suppressed"] == true {
                    "true"
                } else {
                    "false"
                },
                "{what}"
            );
            if expected["suppressed"] == true {
                assert!(json_row["estimate"].is_null(), "{what}");
                assert_eq!(&csv_row[11], "", "{what}");
                assert_eq!(
                    details.get((xlsx_row, 4)),
                    Some(&Data::String("ẩn (dưới ngưỡng)".into())),
                    "{what}"
                );
                continue;
            }
            for (field, json_value, csv_column, xlsx_column) in [
                ("estimate", &json_row["estimate"], 11, Some(4)),
                ("se", &json_row["se"], 12, None),
                ("ci_low", &json_row["ci_low"], 13, Some(5)),
                ("ci_high", &json_row["ci_high"], 14, Some(6)),
            ] {
                let what = format!("{what} {field}");
                close(
                    json_value.as_f64().unwrap(),
                    &expected[field],
                    &format!("json {what}"),
                );
                close(
                    csv_row[csv_column].parse().unwrap(),
                    &expected[field],
                    &format!("csv {what}"),
                );
                if let Some(column) = xlsx_column {
                    close(
                        float(details.get((xlsx_row, column)), &what),
                        &expected[field],
                        &format!("xlsx {what}"),
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "numbers were compared, not only suppression marks"
    );
    let a1_row = (0..details.height())
        .find(|&r| details.get((r, 2)) == Some(&Data::String("A1".into())))
        .unwrap();
    close(
        float(details.get((a1_row, 4)), "A1"),
        &api_a1["index"]["estimate"],
        "xlsx A1",
    );
    close(
        float(details.get((a1_row, 7)), "A1 mean"),
        &api_a1["mean_score"]["estimate"],
        "xlsx A1 mean",
    );
    let s1_row = (0..details.height())
        .find(|&r| details.get((r, 2)) == Some(&Data::String("S1".into())))
        .unwrap();
    assert_eq!(
        details.get((s1_row, 4)),
        Some(&Data::String("ẩn (dưới ngưỡng)".into())),
        "suppressed, not blank"
    );
    let units = book.worksheet_range("Nơi phục vụ").unwrap();
    let listed = units
        .rows()
        .filter(|r| r.get(2).is_some_and(|c| c.get_float().is_some()))
        .count();
    assert_eq!(
        listed, 10,
        "the five service points open in the period, for each of the department's two surveys"
    );
    let method_text = sheet_text(&mut book, "Phương pháp");
    let version = api["versions"][0].as_str().unwrap();
    assert!(
        method_text.contains(version),
        "the questionnaire version is named"
    );
    assert!(
        method_text.contains("15/12/2025") && method_text.contains("14/03/2026"),
        "period boundaries"
    );

    let (_, _, english) = get_bytes(
        &app,
        &token,
        &format!("/export/indices.xlsx?{query}&lang=en"),
    )
    .await;
    let book: Xlsx<_> = Xlsx::new(Cursor::new(english)).unwrap();
    assert_eq!(book.sheet_names()[0], "Summary");
    assert!(
        method_text.contains("p < 0,05") && !method_text.contains("p < 0,1"),
        "the method names the significance threshold of the default 95 % level"
    );

    // At another confidence level the method sheet names that level's
    // threshold, the one the verdicts use.
    let (status, _, at_90) = get_bytes(
        &app,
        &token,
        &format!("/export/indices.xlsx?{query}&level=0.9"),
    )
    .await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(at_90)).unwrap();
    let method_90 = sheet_text(&mut book, "Phương pháp");
    assert!(
        method_90.contains("p < 0,1.") && !method_90.contains("0,05"),
        "{method_90}"
    );

    // The CLI publishes no more than the routes: no free date range.
    let refused = app
        .command()
        .args([
            "export",
            "--period",
            "2026-01-01..2026-03-31",
            "--format",
            "csv",
            "--out",
        ])
        .arg(tempfile::tempdir().unwrap().path().join("range.csv"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not for a date range"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // The CLI writes the same CSV for scheduled jobs.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q1.csv");
    let result = app
        .command()
        .args([
            "export",
            "--period",
            "2026-Q1",
            "--mode",
            "reporting",
            "--department",
            "construction",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let cli_csv = std::fs::read(&out).unwrap();
    assert!(cli_csv.starts_with("\u{feff}".as_bytes()));
    assert_eq!(
        cli_csv.len(),
        csv_bytes.len(),
        "the CLI and the route write the same table"
    );

    let audit = hailong::db::audit::recent(&mut app.db().reader().unwrap(), 50).unwrap();
    let exports: Vec<&str> = audit
        .iter()
        .filter(|a| a.action == "export")
        .map(|a| a.detail.as_str())
        .collect();
    assert!(
        exports.iter().any(|d| d.starts_with("indices.xlsx")),
        "{exports:?}"
    );
    assert!(exports.iter().any(|d| d.starts_with("indices.csv")));
    assert!(audit
        .iter()
        .any(|a| a.action == "export" && a.actor == "cli"));
    assert!(audit
        .iter()
        .any(|a| a.action == "export" && a.actor == "token:reports"));
}

async fn exports_respect_roles(backend: Backend) {
    let app = spawn_app(backend).await;
    import_known(&app);
    let education = app.create_token(&[
        "--role",
        "department",
        "--department",
        "education",
        "--name",
        "edu",
    ]);
    let construction = app.create_token(&[
        "--role",
        "department",
        "--department",
        "construction",
        "--name",
        "xd",
    ]);
    let home = app.create_token(&["--role", "home-affairs", "--name", "ha"]);
    for path in [
        "/export/indices.csv?period=2026-Q1&department=construction",
        "/export/responses.csv?survey=construction-permit&period=2026-Q1",
        "/report?period=2026-Q1&department=construction",
    ] {
        assert_eq!(get_bytes(&app, &education, path).await.0, 403, "{path}");
        assert_eq!(get_bytes(&app, &construction, path).await.0, 200, "{path}");
        let anonymous = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(anonymous.status(), 303, "{path}");
        assert!(anonymous.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"));
        assert_eq!(get_bytes(&app, "hl_bogus", path).await.0, 401, "{path}");
    }
    // A department caller gets its own department by default; Home Affairs gets all.
    let (_, _, own) = get_bytes(&app, &construction, "/export/indices.json?period=2026-Q1").await;
    let own: Vec<Value> = serde_json::from_slice(&own).unwrap();
    assert!(!own.is_empty() && own.iter().all(|r| r["department"] == "construction"));
    let (_, _, all) = get_bytes(&app, &home, "/export/indices.json?period=2026-Q1").await;
    let all: Vec<Value> = serde_json::from_slice(&all).unwrap();
    let surveys: std::collections::BTreeSet<&str> = all
        .iter()
        .filter(|r| r["level"] != "feedback")
        .map(|r| r["survey"].as_str().unwrap())
        .collect();
    assert_eq!(surveys.len(), 6);
    // And every surveyed department's feedback counts, a department its own.
    let departments_with_feedback: std::collections::BTreeSet<&str> = all
        .iter()
        .filter(|r| r["level"] == "feedback")
        .map(|r| r["department"].as_str().unwrap())
        .collect();
    assert_eq!(departments_with_feedback.len(), 5);
    for (path, field) in [
        ("/export/indices.csv?period=2026-Q7", "period"),
        (
            "/export/indices.csv?period=2026-Q1&department=transport",
            "department",
        ),
        (
            "/export/indices.csv?period=2026-Q1&weighting=volume",
            "weighting",
        ),
        ("/export/responses.csv?period=2026-Q1", "survey"),
    ] {
        let (status, _, body) = get_bytes(&app, &home, path).await;
        assert_eq!(status, 422, "{path}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(body["fields"][field].is_string(), "{path}: {body}");
    }
    assert_eq!(
        get_bytes(&app, &home, "/export/indices.pdf?period=2026-Q1")
            .await
            .0,
        404
    );
}

async fn microdata_has_months_not_days_and_no_comments(backend: Backend) {
    let app = spawn_app(backend).await;
    // 3 responses in February and 7 in March at one desk (import_known),
    // and one today at another desk, with a comment.
    import_known(&app);
    let body = serde_json::json!({"id": crate::helpers::new_id(), "unit": "hcc-rach-gia-xd", "answers": {"A1": 5}, "comment": "SECRET COMMENT"});
    assert_eq!(
        app.post_json("/api/v1/surveys/construction-permit/responses", &body)
            .await
            .status(),
        201
    );
    let token = app.create_token(&["--role", "home-affairs", "--name", "analyst"]);
    let year = app.ctx.clock.today().format("%Y").to_string();
    let response = app
        .get_as(
            Some(&token),
            &format!("/export/responses.csv?survey=construction-permit&period={year}"),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(!text.contains("SECRET COMMENT"), "no comments in microdata");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    // No design column: the few invited respondents of a cell would stand out.
    assert_eq!(&header[..4], ["survey_version", "unit", "month", "channel"]);
    assert!(header.contains(&"A1".to_string()) && header.contains(&"EXPECT".to_string()));
    assert!(!header.contains(&"comment".to_string()) && !header.contains(&"id".to_string()));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Only the March cell (7 respondents) reaches the threshold of 5; the
    // February cell (3) and today's single response are withheld.
    assert_eq!(records.len(), 7, "{text}");
    let months: std::collections::BTreeSet<&str> = records.iter().map(|r| &r[2]).collect();
    assert_eq!(months.into_iter().collect::<Vec<_>>(), ["2026-03"]);
    let a1 = header.iter().position(|h| h == "A1").unwrap();
    let values: std::collections::BTreeSet<&str> = records.iter().map(|r| &r[a1]).collect();
    assert!(values.contains("NA") && values.contains("5"));
}

both_backends!(microdata_never_gives_a_day_or_a_small_cell);

/// The attack: one respondent's answers by asking for a single day, or by
/// differencing two exports. Days and free ranges are refused, small cells
/// are withheld, and the rows of a month are the same in every export that
/// covers it.
async fn microdata_never_gives_a_day_or_a_small_cell(backend: Backend) {
    let app = spawn_app(backend).await;
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "analyst"]);
    let get = |period: &'static str, mode: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let response = app
                .get_as(
                    Some(&token),
                    &format!(
                        "/export/responses.csv?survey=construction-permit&period={period}&mode={mode}"
                    ),
                )
                .await;
            let status = response.status().as_u16();
            let withheld = response
                .headers()
                .get("x-withheld-rows")
                .map(|v| v.to_str().unwrap().to_string());
            (status, withheld, response.text().await.unwrap())
        }
    };
    for (period, mode, field) in [
        ("2026-03-14..2026-03-14", "calendar", "period"),
        ("2026-03-01..2026-03-31", "calendar", "period"),
        ("2026-Q1", "reporting", "mode"),
    ] {
        let (status, _, body) = get(period, mode).await;
        assert_eq!(status, 422, "{period} {mode}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(body["fields"][field].is_string(), "{body}");
    }
    let (status, withheld, february) = get("2026-02", "calendar").await;
    assert_eq!(status, 200);
    assert_eq!(withheld.as_deref(), Some("3"));
    assert_eq!(february.lines().count(), 1, "the header only: {february}");
    let (_, _, march) = get("2026-03", "calendar").await;
    let (_, withheld, quarter) = get("2026-Q1", "calendar").await;
    assert_eq!(withheld.as_deref(), Some("3"));
    let rows = |text: &str| {
        let mut rows: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
        rows.sort();
        rows
    };
    assert_eq!(rows(&march).len(), 7);
    assert_eq!(
        rows(&quarter),
        rows(&march),
        "the quarter adds nothing that the month does not already show"
    );
}

both_backends!(the_report_names_a_change_only_when_it_is_significant);

/// Q1: 36 of 40 satisfied; Q2: 8 of 40 (a clear fall); Q3 and Q4: 20 of 40
/// each (no change); paper forms of the given design.
fn quarters_csv(design: &str) -> String {
    let mut csv = String::from("unit,submitted_on,design,A1,P1\n");
    for (date, satisfied) in [
        ("2026-02-10", 36),
        ("2026-05-10", 8),
        ("2026-08-10", 20),
        ("2026-10-10", 20),
    ] {
        for i in 0..40 {
            let score = if i < satisfied { 5 } else { 1 };
            csv.push_str(&format!(
                "hcc-long-xuyen-xd,{date},{design},{score},{score}\n"
            ));
        }
    }
    csv
}

/// The same figures from forms not handed out at random: no increase,
/// decrease or "no clear change" is written, and the report says why.
#[tokio::test]
async fn the_report_draws_no_conclusion_from_a_sample_not_drawn_at_random() {
    let app = spawn_app(Backend::Sqlite).await;
    app.import_csv("construction-permit", &quarters_csv("paper_unsampled"));
    let token = app.create_token(&["--role", "home-affairs", "--name", "report"]);
    let (_, _, report) = get_bytes(
        &app,
        &token,
        "/report?period=2026-Q2&department=construction",
    )
    .await;
    let report = String::from_utf8(report).unwrap();
    assert!(
        report.contains("Không kết luận tăng hay giảm so với kỳ trước"),
        "{report}"
    );
    assert!(
        !report.contains("thay đổi có ý nghĩa thống kê (p ="),
        "{report}"
    );
    assert!(!report.contains("không có thay đổi rõ rệt"));
    assert!(
        report.contains("40 phiếu không do chọn mẫu ngẫu nhiên"),
        "{report}"
    );
}

async fn the_report_names_a_change_only_when_it_is_significant(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_csv("construction-permit", &quarters_csv("paper_sampled"));
    let token = app.create_token(&["--role", "home-affairs", "--name", "report"]);

    let (status, content_type, fall) = get_bytes(
        &app,
        &token,
        "/report?period=2026-Q2&department=construction",
    )
    .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    let fall = String::from_utf8(fall).unwrap();
    assert!(
        fall.contains("So với quý I năm 2026, chỉ số giảm 70,0"),
        "{fall}"
    );
    assert!(fall.contains("có ý nghĩa thống kê"));
    assert!(fall.contains("@page{size:A4"), "a print stylesheet for A4");
    assert!(fall.contains("Phương pháp"));
    assert!(
        fall.contains("Chưa có phiếu khảo sát trong kỳ tại"),
        "coverage gaps are named"
    );

    let (_, _, steady) = get_bytes(
        &app,
        &token,
        "/report?period=2026-Q4&department=construction",
    )
    .await;
    let steady = String::from_utf8(steady).unwrap().to_lowercase();
    assert!(steady.contains("không có thay đổi rõ rệt"), "{steady}");
    for word in ["tăng", "giảm", "increase", "decrease"] {
        assert!(
            !steady.contains(word),
            "\"{word}\" in a report without a significant change"
        );
    }
}

both_backends!(microdata_rows_follow_the_ids_not_their_arrival);

/// Responses of one cell sent in descending id order come out of the
/// microdata export in ascending id order: the order of its rows says
/// nothing of when they came (on PostgreSQL today's rows lie in the heap
/// in arrival order until the day is settled). PostgreSQL reads along the
/// primary key when the period is most of the table and sorts when it is a
/// small share; both are tried.
async fn microdata_rows_follow_the_ids_not_their_arrival(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ids: Vec<String> = (0..8).map(|_| crate::helpers::new_id()).collect();
    ids.sort();
    ids.reverse();
    let answers = [
        (1, 1),
        (1, 2),
        (2, 3),
        (2, 4),
        (3, 5),
        (4, 1),
        (5, 2),
        (5, 3),
    ];
    for (id, (a1, p1)) in ids.iter().zip(answers) {
        let body = serde_json::json!({"id": id, "unit": "hcc-long-xuyen-xd", "answers": {"A1": a1, "P1": p1}});
        assert_eq!(
            app.post_json("/api/v1/surveys/construction-permit/responses", &body)
                .await
                .status(),
            201
        );
    }
    let mut by_id: Vec<(&String, (i32, i32))> = ids.iter().zip(answers).collect();
    by_id.sort();
    let in_id_order: Vec<(String, String)> = by_id
        .iter()
        .map(|(_, (a1, p1))| (a1.to_string(), p1.to_string()))
        .collect();

    let token = app.create_token(&["--role", "home-affairs", "--name", "analyst"]);
    let year = app.ctx.clock.today().format("%Y").to_string();
    let exported = || async {
        let (status, _, bytes) = get_bytes(
            &app,
            &token,
            &format!("/export/responses.csv?survey=construction-permit&period={year}"),
        )
        .await;
        assert_eq!(status, 200);
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (a1, p1) = (column("A1"), column("P1"));
        reader
            .records()
            .map(|record| {
                let record = record.unwrap();
                (record[a1].to_string(), record[p1].to_string())
            })
            .collect::<Vec<_>>()
    };
    let analyze = || {
        if let hailong::db::Backend::Postgres(_) = app.db().backend() {
            diesel::sql_query("ANALYZE responses")
                .execute(&mut *app.db().writer().unwrap())
                .unwrap();
        }
    };
    analyze();
    assert_eq!(
        exported().await,
        in_id_order,
        "the year is all of the table"
    );

    // A hundred responses of the year before: the year is a small share.
    let earlier = app.ctx.clock.today().year() - 1;
    let rows: String = (0..100)
        .map(|_| format!("hcc-long-xuyen-xd,{earlier}-06-01,4,4\n"))
        .collect();
    assert_eq!(
        app.import_csv(
            "construction-permit",
            &format!("{}\n{rows}", crate::indices::HEADER)
        ),
        "imported 100, replays 0"
    );
    analyze();
    assert_eq!(exported().await, in_id_order, "the year is a small share");
}
