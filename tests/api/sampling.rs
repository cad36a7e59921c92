//! Waves drawn at random: the draw, invitation codes, their redemption,
//! the response accounting, and that nothing stored joins a code to the
//! response it came with.

use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{new_id, spawn_app, Backend, TestApp};

both_backends!(
    a_drawn_invitation_is_redeemed_once_and_leaves_no_trace_on_its_response,
    a_bad_transaction_list_draws_nothing_and_names_each_line,
);

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

fn texts(app: &TestApp, query: &str) -> Vec<String> {
    diesel::sql_query(query)
        .load::<Text>(&mut *app.db().reader().unwrap())
        .unwrap()
        .into_iter()
        .map(|t| t.value)
        .collect()
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A wave of construction-permit around today; returns its id.
fn create_wave(
    app: &TestApp,
    name: &str,
    opens: chrono::NaiveDate,
    closes: chrono::NaiveDate,
) -> String {
    app.cli_ok(&[
        "wave",
        "create",
        "--survey",
        "construction-permit",
        "--name",
        name,
        "--opens",
        &opens.to_string(),
        "--closes",
        &closes.to_string(),
        "--allowance",
        "0.5",
    ])
    .trim()
    .to_string()
}

fn transaction_list() -> String {
    let mut list = String::from("unit,reference\n");
    for unit in ["hcc-long-xuyen-xd", "hcc-rach-gia-xd"] {
        for i in 1..=40 {
            list.push_str(&format!("{unit},HS-{unit}-{i:03}\n"));
        }
    }
    list
}

/// (unit, reference, code) rows of a codes file.
fn read_codes(path: &str) -> Vec<(String, String, String)> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string(), r[2].to_string())
        })
        .collect()
}

async fn a_drawn_invitation_is_redeemed_once_and_leaves_no_trace_on_its_response(backend: Backend) {
    let app = spawn_app(backend).await;
    let today = app.ctx.clock.today();
    let dir = tempfile::tempdir().unwrap();
    let wave = create_wave(
        &app,
        "Đợt thử",
        today - chrono::Duration::days(10),
        today + chrono::Duration::days(10),
    );
    let list = write(dir.path(), "list.csv", &transaction_list());
    let slips = dir.path().join("slips.html");
    let codes = dir.path().join("codes.csv");
    let out = app.cli_ok(&[
        "wave",
        "draw",
        "--wave",
        &wave,
        "--transactions",
        &list,
        "--target",
        "5",
        "--seed",
        "42",
        "--slips",
        slips.to_str().unwrap(),
        "--codes",
        codes.to_str().unwrap(),
        "--base-url",
        "https://khaosat.example.vn",
    ]);
    assert!(
        out.contains("seed 42: 20 invitations at 2 service points"),
        "{out}"
    );
    let drawn = read_codes(codes.to_str().unwrap());
    // Target 5, allowance 0.5: 10 invitations per service point.
    assert_eq!(drawn.len(), 20);
    let sheet = std::fs::read_to_string(&slips).unwrap();
    let (unit, reference, code) = drawn[0].clone();
    assert!(sheet.contains(&code) && sheet.contains(&reference) && sheet.contains("<svg"));
    assert!(sheet.contains("https://khaosat.example.vn/s/construction-permit và nhập mã"));

    // Nothing stored holds a code or a reference.
    let invitation_hashes = texts(&app, "SELECT code_hash AS value FROM invitations");
    assert_eq!(invitation_hashes.len(), 20);
    let everything = texts(
        &app,
        "SELECT wave || '|' || unit || '|' || code_hash AS value FROM invitations",
    )
    .join("\n")
        + &texts(&app, "SELECT wave || '|' || unit || '|' || CAST(population AS TEXT) || '|' || COALESCE(list_digest, '') AS value FROM wave_strata").join("\n");
    for (_, reference, code) in &drawn {
        assert!(
            !everything.contains(reference.as_str())
                && !everything.contains(&code.replace('-', ""))
        );
    }

    // A citizen redeems the code (typed with a dash, in lower case).
    let id = new_id();
    let body = |id: &str, unit: &str, code: Option<&str>| {
        let mut body = json!({"id": id, "unit": unit, "answers": {"A1": 4, "A2": 5}});
        if let Some(code) = code {
            body["code"] = json!(code);
        }
        body
    };
    let response = app
        .post_json(
            "/api/v1/surveys/construction-permit/responses",
            &body(&id, &unit, Some(&code.to_lowercase())),
        )
        .await;
    assert_eq!(response.status(), 201);
    // The same sending again is a replay, not a second use.
    let response = app
        .post_json(
            "/api/v1/surveys/construction-permit/responses",
            &body(&id, &unit, Some(&code)),
        )
        .await;
    assert_eq!(response.status(), 200);
    // A second response with the used code is refused by field, and stored nothing.
    let response = app
        .post_json(
            "/api/v1/surveys/construction-permit/responses",
            &body(&new_id(), &unit, Some(&code)),
        )
        .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error.to_string().contains("code"), "{error}");
    // A code of one service point does not work at another.
    let (other_unit_code, other_unit) = drawn
        .iter()
        .find(|(u, _, _)| *u != unit)
        .map(|(u, _, c)| (c.clone(), u.clone()))
        .unwrap();
    assert_ne!(other_unit, unit);
    let response = app
        .post_json(
            "/api/v1/surveys/construction-permit/responses",
            &body(&new_id(), &unit, Some(&other_unit_code)),
        )
        .await;
    assert_eq!(response.status(), 422);
    // Without a code, anyone may still answer: self-selected.
    let response = app
        .post_json(
            "/api/v1/surveys/construction-permit/responses",
            &body(&new_id(), &unit, None),
        )
        .await;
    assert_eq!(response.status(), 201);
    // The citizen form: a bad code comes back with the answers kept and a
    // message, and may be sent without it.
    let page = app
        .get(&format!(
            "/s/construction-permit?unit={unit}&code={}",
            drawn[1].2
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"code\"") && page.contains(&drawn[1].2),
        "the code is carried"
    );

    let designs = texts(
        &app,
        "SELECT design AS value FROM responses ORDER BY design",
    );
    assert_eq!(designs, ["probability", "self_selected"]);
    // The redeemed invitation is gone; the others are still there, stored in
    // hash order, so neither the draw nor the redemption left an order.
    let remaining = texts(&app, "SELECT code_hash AS value FROM invitations");
    assert_eq!(remaining.len(), 19);
    let in_storage_order = match backend {
        Backend::Sqlite => remaining.clone(),
        Backend::Postgres => texts(
            &app,
            "SELECT code_hash AS value FROM invitations ORDER BY ctid",
        ),
    };
    let mut sorted = in_storage_order.clone();
    sorted.sort();
    assert_eq!(in_storage_order, sorted);
    // No column of the response holds the code, its hash, or the wave's
    // or invitation's identity.
    let row = texts(
        &app,
        "SELECT id || '|' || survey_version || '|' || unit || '|' || CAST(submitted_on AS TEXT) || '|' || channel || '|' || answers || '|' || likert || '|' || design AS value FROM responses WHERE design = 'probability'",
    )
    .join("");
    let plain = code.replace('-', "");
    let hash = hex_sha256(&plain);
    assert!(
        !row.contains(&plain) && !row.contains(&hash) && !row.contains(&wave),
        "{row}"
    );
    assert!(!remaining.contains(&hash));

    // Accounting: issued 10 at each point, returned 1 at one of them.
    let shown = app.cli_ok(&["wave", "show", &wave]);
    assert!(
        shown.contains("issued 20, returned 1, response rate 5"),
        "{shown}"
    );
    let line = shown.lines().find(|l| l.contains(&unit)).unwrap();
    assert!(
        line.contains("listed     40")
            && line.contains("issued   10")
            && line.contains("returned    1"),
        "{line}"
    );

    // The index API and the written report say how the sample came about.
    let token = app.create_token(&["--role", "home-affairs", "--name", "waves"]);
    let month = format!("{}", today.format("%Y-%m"));
    let api: Value = app
        .get_as(
            Some(&token),
            &format!("/api/v1/indices?survey=construction-permit&period={month}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let sample = &api["sample"];
    assert_eq!(
        sample["respondents_by_design"],
        json!({"probability": 1, "self_selected": 1}),
        "{api}"
    );
    assert_eq!(sample["random_only"], false);
    assert_eq!(sample["waves"][0]["issued"], 20);
    assert_eq!(sample["waves"][0]["returned"], 1);
    assert_eq!(sample["waves"][0]["response_rate"], 0.05);
    let report = app
        .get_as(Some(&token), &format!("/report?period={month}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("phát ra 20 phiếu, thu về 1 phiếu, tỷ lệ phản hồi 5,0"),
        "{report}"
    );
    assert!(report.contains("không do chọn mẫu ngẫu nhiên"));

    // The same list and seed select the same transactions in another wave.
    let later = create_wave(
        &app,
        "Đợt sau",
        today + chrono::Duration::days(11),
        today + chrono::Duration::days(40),
    );
    let codes_again = dir.path().join("again.csv");
    app.cli_ok(&[
        "wave",
        "draw",
        "--wave",
        &later,
        "--transactions",
        &list,
        "--target",
        "5",
        "--seed",
        "42",
        "--slips",
        dir.path().join("again.html").to_str().unwrap(),
        "--codes",
        codes_again.to_str().unwrap(),
    ]);
    let again = read_codes(codes_again.to_str().unwrap());
    let references =
        |rows: &[(String, String, String)]| rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
    assert_eq!(references(&again), references(&drawn));
    assert!(
        again.iter().zip(&drawn).all(|(a, b)| a.2 != b.2),
        "fresh codes"
    );
    // A wave is drawn once; waves of a survey may not overlap.
    let refused = app
        .command()
        .args([
            "wave",
            "draw",
            "--wave",
            &later,
            "--transactions",
            &list,
            "--target",
            "5",
            "--slips",
            dir.path().join("third.html").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("drawn already"));
    assert!(
        !dir.path().join("third.html").exists(),
        "no empty sheet left behind"
    );
    // An existing file is never overwritten: the codes in it may be the only copy.
    let kept = app
        .command()
        .args([
            "wave",
            "draw",
            "--wave",
            &later,
            "--transactions",
            &list,
            "--target",
            "5",
            "--slips",
        ])
        .arg(&slips)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&kept.stderr).contains("must not exist yet"));
    let refused = app
        .command()
        .args([
            "wave",
            "create",
            "--survey",
            "construction-permit",
            "--name",
            "x",
            "--opens",
            &today.to_string(),
            "--closes",
            &today.to_string(),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&refused.stderr).contains("overlaps wave \"Đợt thử\""));
}

fn hex_sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

async fn a_bad_transaction_list_draws_nothing_and_names_each_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let today = app.ctx.clock.today();
    let dir = tempfile::tempdir().unwrap();
    let wave = create_wave(&app, "Đợt lỗi", today, today + chrono::Duration::days(30));
    let draw = |list: &str, target: &str| {
        let list = write(dir.path(), "bad.csv", list);
        let out = app
            .command()
            .args([
                "wave",
                "draw",
                "--wave",
                &wave,
                "--transactions",
                &list,
                "--target",
                target,
                "--slips",
            ])
            .arg(dir.path().join("slips.html"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let report = draw(
        "unit,reference\nhcc-long-xuyen-xd,A1\nhcc-long-xuyen-xd,A1\nnowhere,B\nbv-dk-kien-giang,C\nmot-cua-tp-chau-doc-xd,D\nhcc-long-xuyen-xd,\n",
        "1",
    );
    for expected in [
        "line 3, column reference: \"A1\" is listed twice for this service point (first on line 2)",
        "line 4, column unit: unknown service point \"nowhere\"",
        "line 5, column unit: service point \"bv-dk-kien-giang\" does not belong",
        "line 6, column unit: service point \"mot-cua-tp-chau-doc-xd\" is closed throughout the wave",
        "line 7, column reference: is empty",
    ] {
        assert!(report.contains(expected), "{expected} in {report}");
    }
    let report = draw(
        "unit,count\nhcc-long-xuyen-xd,0\nhcc-rach-gia-xd,many\n",
        "1",
    );
    assert!(
        report.contains("line 2, column count: no transactions"),
        "{report}"
    );
    assert!(
        report.contains("line 3, column count: \"many\" is not a whole number"),
        "{report}"
    );
    let report = draw("unit,count\nhcc-long-xuyen-xd,30\nhcc-rach-gia-xd,3\n", "5");
    assert!(
        report.contains(
            "line 3, column unit: the target of 5 is larger than the 3 transactions listed"
        ),
        "{report}"
    );
    let report = draw("unit,dossier\nhcc-long-xuyen-xd,1\n", "1");
    assert!(report.contains("unit,reference"), "{report}");
    // Nothing half-drawn: no stratum, no invitation, the wave still undrawn.
    assert!(texts(&app, "SELECT code_hash AS value FROM invitations").is_empty());
    assert!(texts(&app, "SELECT unit AS value FROM wave_strata").is_empty());
    assert!(app.cli_ok(&["wave", "show", &wave]).contains("(not drawn)"));
    // A list of counts draws positions, "#17", for the counter to count off.
    let codes = dir.path().join("codes.csv");
    let list = write(
        dir.path(),
        "counts.csv",
        "unit,count\nhcc-long-xuyen-xd,2000\nhcc-rach-gia-xd,1500\n",
    );
    app.cli_ok(&[
        "wave",
        "draw",
        "--wave",
        &wave,
        "--transactions",
        &list,
        "--margin",
        "0.1",
        "--slips",
        dir.path().join("slips.html").to_str().unwrap(),
        "--codes",
        codes.to_str().unwrap(),
    ]);
    let drawn = read_codes(codes.to_str().unwrap());
    // Planning formula at e = 0.1, p = 0.5, 95 %: n0 = 96.04; N = 2000 -> 92,
    // N = 1500 -> 91 (statistics.md); with allowance 0.5, twice as many.
    let at = |unit: &str| drawn.iter().filter(|r| r.0 == unit).count();
    assert_eq!(at("hcc-long-xuyen-xd"), 184);
    assert_eq!(at("hcc-rach-gia-xd"), 182);
    assert!(drawn.iter().all(|r| r.1.starts_with('#')));
}

/// Paper forms at two service points in May 2026: `random` handed to
/// respondents drawn at random, `other` not; scores vary by row.
fn paper_rows(random: usize, other: usize) -> String {
    let mut csv = String::from("unit,submitted_on,design,A1,A2,P1\n");
    for i in 0..random + other {
        let design = if i < random {
            "paper_sampled"
        } else {
            "paper_unsampled"
        };
        let unit = if i % 2 == 0 {
            "hcc-long-xuyen-xd"
        } else {
            "hcc-rach-gia-xd"
        };
        let day = 1 + i % 28;
        csv.push_str(&format!(
            "{unit},2026-05-{day:02},{design},{},{},{}\n",
            1 + i % 5,
            1 + (i * 7) % 5,
            1 + (i * 3) % 5
        ));
    }
    csv
}

async fn index(app: &TestApp, query: &str) -> Value {
    let token = app.create_token(&["--role", "home-affairs", "--name", &new_id()]);
    let response = app
        .get_as(
            Some(&token),
            &format!("/api/v1/indices?survey=construction-permit&period=2026-05{query}"),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `design=probability` gives exactly the figures of a database holding only
/// the random respondents; by default it is chosen when they are enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probability_figures_are_those_of_the_random_respondents_alone() {
    let mixed = spawn_app(Backend::Sqlite).await;
    mixed.import_csv("construction-permit", &paper_rows(60, 40));
    let alone = spawn_app(Backend::Sqlite).await;
    let random_part: String = paper_rows(60, 40)
        .lines()
        .take(61)
        .map(|l| format!("{l}\n"))
        .collect();
    alone.import_csv("construction-permit", &random_part);

    let probability = index(&mixed, "&design=probability").await;
    let reference = index(&alone, "&design=all").await;
    for key in ["estimate", "se", "ci_low", "ci_high", "n"] {
        assert_eq!(
            probability["overall"][key], reference["overall"][key],
            "{key}"
        );
    }
    assert_eq!(probability["respondents"], 60);
    for (a, b) in probability["elements"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["elements"].as_array().unwrap())
    {
        assert_eq!(a["index"], b["index"]);
    }
    assert_eq!(probability["design"], "probability");
    assert_eq!(probability["includes_self_selected"], false);

    // 60 random respondents are enough: the default.
    let default = index(&mixed, "").await;
    assert_eq!(default["design"], "probability");
    assert_eq!(default["overall"], probability["overall"]);
    let everyone = index(&mixed, "&design=all").await;
    assert_eq!(everyone["respondents"], 100);
    assert_eq!(everyone["includes_self_selected"], true);
    assert_eq!(
        everyone["sample"]["respondents_by_design"],
        json!({"paper_sampled": 60, "paper_unsampled": 40})
    );

    // 20 random respondents are not: everyone, labelled.
    let few = spawn_app(Backend::Sqlite).await;
    few.import_csv("construction-permit", &paper_rows(20, 40));
    let default = index(&few, "").await;
    assert_eq!(default["design"], "all");
    assert_eq!(default["includes_self_selected"], true);
}

/// A figure over everyone and one over the random respondents alone, 1 to
/// 4 apart, would give those few answers by subtraction: both withheld.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_of_two_designs_a_few_apart_are_both_withheld() {
    let app = spawn_app(Backend::Sqlite).await;
    app.import_csv("construction-permit", &paper_rows(40, 3));
    let withheld = |v: &Value| {
        v["overall"]["flags"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("withheld")))
    };
    assert!(withheld(&index(&app, "&design=all").await));
    assert!(withheld(&index(&app, "&design=probability").await));
    // Five or more apart: both published.
    let apart = spawn_app(Backend::Sqlite).await;
    apart.import_csv("construction-permit", &paper_rows(40, 6));
    assert!(!withheld(&index(&apart, "&design=all").await));
    assert!(!withheld(&index(&apart, "&design=probability").await));
}

/// The whole flow on staff pages: a department creates a wave for its own
/// survey, draws it from a pasted list and gets the slips once; another
/// department sees neither the wave nor the form for it; bad input comes
/// back with the fault named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departments_run_their_waves_on_staff_pages() {
    use crate::staff::{create_user, session_csrf, signed_in};
    let app = spawn_app(Backend::Sqlite).await;
    create_user(&app, "xay-dung", "department", Some("construction")).await;
    create_user(&app, "y-te", "department", Some("health")).await;
    let construction = signed_in(&app, "xay-dung").await;
    let csrf = session_csrf(&app, &construction, "/waves").await;
    let today = app.ctx.clock.today();
    let post = |client: &reqwest::Client, path: &str, form: Vec<(&str, String)>| {
        let request = client.post(app.url(path)).form(&form);
        async move { request.send().await.unwrap() }
    };

    let page = construction
        .get(app.url("/waves"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"construction-permit\"")
            && !page.contains("value=\"health-outpatient\"")
    );
    // A survey of another department is refused by field.
    let refused = post(
        &construction,
        "/waves",
        vec![
            ("csrf", csrf.clone()),
            ("survey", "health-outpatient".into()),
            ("name", "x".into()),
            ("opens", today.to_string()),
            ("closes", today.to_string()),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("survey: &quot;health-outpatient&quot; is not one of yours"));
    let created = post(
        &construction,
        "/waves",
        vec![
            ("csrf", csrf.clone()),
            ("survey", "construction-permit".into()),
            ("name", "Đợt trên trang".into()),
            ("opens", today.to_string()),
            ("closes", (today + chrono::Duration::days(20)).to_string()),
            ("allowance", "0,2".into()),
        ],
    )
    .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let wave_path = location.split('?').next().unwrap().to_string();

    // Another department may not see it.
    let health = signed_in(&app, "y-te").await;
    assert_eq!(
        health
            .get(app.url(&wave_path))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // A bad list comes back with its line; nothing is drawn.
    let bad = post(
        &construction,
        &format!("{wave_path}/draw"),
        vec![
            ("csrf", csrf.clone()),
            ("transactions", "unit,reference\nnowhere,1\n".into()),
            ("target", "3".into()),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("line 2, column unit: unknown service point"));
    let list: String = std::iter::once("unit,reference".to_string())
        .chain((1..=30).map(|i| format!("hcc-long-xuyen-xd,HS-{i}")))
        .collect::<Vec<_>>()
        .join("\n");
    let slips = post(
        &construction,
        &format!("{wave_path}/draw"),
        vec![
            ("csrf", csrf.clone()),
            ("transactions", list),
            ("target", "4".into()),
            ("seed", "7".into()),
        ],
    )
    .await;
    assert_eq!(slips.status(), 200);
    let sheet = slips.text().await.unwrap();
    assert_eq!(
        sheet.matches("Mã mời: ").count(),
        5,
        "4 ÷ (1 − 0.2) = 5 slips"
    );
    assert!(sheet.contains("<svg"));
    let detail = construction
        .get(app.url(&wave_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        detail.contains("Phát ra 5 phiếu, thu về 0 phiếu"),
        "{detail}"
    );
    assert!(!detail.contains("Mã mời"), "the codes are not shown again");
    // Audited under the staff member's name.
    let audit = texts(
        &app,
        "SELECT actor || ' ' || action AS value FROM audit_log ORDER BY action",
    );
    assert!(
        audit.contains(&"xay-dung wave.create".to_string())
            && audit.contains(&"xay-dung wave.draw".to_string()),
        "{audit:?}"
    );
}

/// Posters for the counters: one per open service point and survey of the
/// department, each with a QR code of the questionnaire for that point;
/// another department may not print them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departments_print_qr_posters_for_their_counters() {
    use crate::staff::{create_user, signed_in};
    let app = spawn_app(Backend::Sqlite).await;
    create_user(&app, "xay-dung", "department", Some("construction")).await;
    let construction = signed_in(&app, "xay-dung").await;
    let sheet = construction
        .get(app.url("/posters/construction"))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
    let sheet = sheet.text().await.unwrap();
    // Five service points open today × two surveys.
    assert_eq!(sheet.matches("<section class=\"poster\">").count(), 10);
    assert_eq!(sheet.matches("<svg").count(), 10);
    assert!(sheet.contains("/s/construction-permit?unit=hcc-long-xuyen-xd"));
    assert!(
        !sheet.contains("mot-cua-tp-chau-doc-xd"),
        "not a closed desk"
    );
    assert!(sheet.contains("Ủy ban nhân dân tỉnh An Giang"));
    let one = construction
        .get(app.url("/posters/construction?unit=hcc-rach-gia-xd&survey=construction-permit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(one.matches("<section class=\"poster\">").count(), 1);
    assert_eq!(
        construction
            .get(app.url("/posters/health"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
