use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(
    form_submission_without_javascript_records_one_response,
    invalid_form_comes_back_with_answers_kept_and_messages,
);

/// The value of the first input named `name`.
fn field_value<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

async fn fetch_form(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    response.text().await.unwrap()
}

#[tokio::test]
async fn pages_are_accessible_light_and_vietnamese_first() {
    let app = spawn_app(Backend::Sqlite).await;
    let index = fetch_form(&app, "/").await;
    assert!(index.contains("<html lang=\"vi\""));
    assert!(index.contains("Sở Y tế"));
    for slug in [
        "health-outpatient",
        "education",
        "construction-permit",
        "land-use-certificate",
        "business-registration",
    ] {
        assert!(
            index.contains(&format!("href=\"/s/{slug}?lang=vi\"")),
            "{slug} listed"
        );
    }
    // The reorganised names are shown today.
    assert!(index.contains("Sở Nông nghiệp và Môi trường"));

    let html = fetch_form(&app, "/s/health-outpatient?unit=bv-dk-kien-giang").await;
    assert!(html.contains("<html lang=\"vi\""));
    assert!(html.contains("Rất hài lòng") && html.contains("Không áp dụng"));
    assert!(html.contains("name=\"viewport\" content=\"width=device-width, initial-scale=1\""));
    // No external assets: no script, no stylesheet link, no remote image.
    assert!(!html.contains("<script"));
    assert!(!html.contains("rel=\"stylesheet\""));
    assert!(!html.contains("src=\"http"));
    assert!(
        html.contains(":focus"),
        "a visible keyboard focus is styled"
    );
    // Every radio and checkbox has a label bound to it.
    let inputs = html.matches("type=\"radio\"").count() + html.matches("type=\"checkbox\"").count();
    assert!(inputs > 31 * 6);
    let mut search = html.as_str();
    while let Some(pos) = search
        .find("<input type=\"radio\" id=\"")
        .or_else(|| search.find("<input type=\"checkbox\" id=\""))
    {
        let rest = &search[pos..];
        let id_start = rest.find("id=\"").unwrap() + 4;
        let id = &rest[id_start..id_start + rest[id_start..].find('"').unwrap()];
        assert!(
            html.contains(&format!("for=\"{id}\"")),
            "input {id} has a label"
        );
        search = &rest[id_start..];
    }
    // One fieldset with a legend per Likert item (plus the other questions).
    assert!(html.matches("<fieldset").count() >= 31);
    assert_eq!(
        html.matches("<fieldset").count(),
        html.matches("<legend").count()
    );
    // The QR code's service point is preselected.
    assert!(html.contains("<option value=\"bv-dk-kien-giang\" selected>"));

    let english = fetch_form(&app, "/s/health-outpatient?lang=en").await;
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Very satisfied"));
    assert!(
        !english.contains(" selected>"),
        "no unit preselected without ?unit"
    );

    // Each rendering carries a fresh response id.
    let again = fetch_form(&app, "/s/health-outpatient").await;
    assert_ne!(field_value(&html, "id"), field_value(&again, "id"));

    let missing = app.get("/s/no-such-survey").await;
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("Không tìm thấy trang"));
}

async fn form_submission_without_javascript_records_one_response(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = fetch_form(&app, "/s/education?unit=thpt-long-xuyen").await;
    let id = field_value(&html, "id").to_string();
    let version = field_value(&html, "version").to_string();
    let pairs = [
        ("id", id.as_str()),
        ("version", version.as_str()),
        ("lang", "vi"),
        ("unit", "thpt-long-xuyen"),
        ("ROLE", "parent"),
        ("AC1", "4"),
        ("AC2", "5"),
        ("FA1", "na"),
        ("EN1", "3"),
        ("comment", "Trường sạch đẹp."),
    ];
    let response = app.post_form("/s/education", &pairs).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/s/education/thanks"), "{location}");
    let thanks = app.get(&location).await;
    assert_eq!(thanks.status(), 200);
    let text = thanks.text().await.unwrap();
    assert!(text.contains("Xin trân trọng cảm ơn Ông/Bà!"));
    assert!(
        text.contains("/s/education?unit=thpt-long-xuyen"),
        "offers a new form for the same point"
    );

    // Pressing submit again, or going back and sending again: one response.
    let again = app.post_form("/s/education", &pairs).await;
    assert_eq!(again.status(), 303);
    let mut changed = pairs;
    changed[5] = ("AC1", "1");
    let changed_again = app.post_form("/s/education", &changed).await;
    assert_eq!(changed_again.status(), 303);
    assert!(changed_again.headers()["location"]
        .to_str()
        .unwrap()
        .contains("already=1"));

    let rows = app.stored_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, id);
    assert_eq!(rows[0].channel, "web");
    assert_eq!(rows[0].comment.as_deref(), Some("Trường sạch đẹp."));
    let answers: serde_json::Value = serde_json::from_str(&rows[0].answers).unwrap();
    assert_eq!(answers["AC1"], 4, "the first sending is kept");
    assert_eq!(answers["FA1"], "na");
    assert_eq!(answers["ROLE"], "parent");
}

async fn invalid_form_comes_back_with_answers_kept_and_messages(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = fetch_form(&app, "/s/construction-permit").await;
    let id = field_value(&html, "id").to_string();
    let version = field_value(&html, "version").to_string();
    let pairs = [
        ("id", id.as_str()),
        ("version", version.as_str()),
        ("lang", "vi"),
        ("unit", ""),
        ("A1", "4"),
        ("P1", "7"),
        ("EXPECT", "online"),
        ("EXPECT", "faster"),
        ("EXPECT", "fees"),
        ("EXPECT", "attitude"),
        ("comment", "Cần thêm ghế."),
    ];
    let response = app.post_form("/s/construction-permit", &pairs).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    // A message beside each faulty field, and a summary linking to them.
    assert!(page.contains("id=\"err-unit\""));
    assert!(page.contains("id=\"err-P1\""));
    assert!(page.contains("id=\"err-EXPECT\""));
    assert!(page.contains("Chọn tối đa 3 mục."));
    assert!(page.contains("href=\"#q-P1\""));
    // The citizen's answers are kept.
    assert!(page.contains("id=\"A1-4\" name=\"A1\" value=\"4\" checked"));
    assert!(page.contains("id=\"EXPECT-online\" name=\"EXPECT\" value=\"online\" checked"));
    assert!(page.contains("Cần thêm ghế."));
    // The same response id, so a corrected sending is still one response.
    assert_eq!(field_value(&page, "id"), id);
    assert!(
        app.stored_rows().is_empty(),
        "nothing stored from an invalid form"
    );

    let fixed = [
        ("id", id.as_str()),
        ("version", version.as_str()),
        ("lang", "en"),
        ("unit", "hcc-rach-gia-xd"),
        ("A1", "4"),
        ("P1", "5"),
        ("EXPECT", "online"),
    ];
    // A form rendered before the questionnaire changed comes back with the
    // answers kept and a notice, and records nothing.
    let mut stale = fixed;
    stale[1] = ("version", "0000000000000000");
    let response = app.post_form("/s/construction-permit", &stale).await;
    assert_eq!(response.status(), 409);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Phiếu khảo sát vừa được cập nhật")
            || page.contains("The questionnaire has just been updated")
    );
    assert!(page.contains("id=\"A1-4\" name=\"A1\" value=\"4\" checked"));
    assert!(app.stored_rows().is_empty());

    let response = app.post_form("/s/construction-permit", &fixed).await;
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .contains("lang=en"));
    assert_eq!(app.stored_rows().len(), 1);
}

/// A service point that closed (the district one-stop desks on 30 June
/// 2025) is not offered, and answers naming it are refused by field, on the
/// form, the API and the paper import alike; before it closed, the import
/// takes them.
#[tokio::test]
async fn closed_service_points_are_neither_offered_nor_accepted() {
    let app = spawn_app(Backend::Sqlite).await;
    let page = fetch_form(&app, "/s/construction-permit").await;
    assert!(
        page.contains("value=\"mot-cua-chau-doc-xd\""),
        "the ward desk"
    );
    assert!(
        !page.contains("mot-cua-tp-chau-doc-xd"),
        "not the closed district desk"
    );
    let page = fetch_form(&app, "/s/construction-permit?unit=mot-cua-tp-chau-doc-xd").await;
    assert!(!page.contains("mot-cua-tp-chau-doc-xd"));

    let body = serde_json::json!({
        "id": crate::helpers::new_id(),
        "unit": "mot-cua-tp-chau-doc-xd",
        "answers": {"A1": 4},
    });
    let response = app
        .post_json("/api/v1/surveys/construction-permit/responses", &body)
        .await;
    assert_eq!(response.status(), 422);
    let errors: serde_json::Value = response.json().await.unwrap();
    assert!(
        errors.to_string().contains("did not serve citizens on"),
        "{errors}"
    );
    assert!(app.stored_rows().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("closed.csv");
    std::fs::write(
        &file,
        "unit,submitted_on,channel,A1\n\
         mot-cua-tp-chau-doc-xd,2025-06-30,paper,4\n\
         mot-cua-tp-chau-doc-xd,2025-07-01,paper,4\n",
    )
    .unwrap();
    let refused = app
        .command()
        .args(["import", "--survey", "construction-permit"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let report = String::from_utf8_lossy(&refused.stderr);
    assert!(
        report.contains("line 3, column unit:") && !report.contains("line 2,"),
        "{report}"
    );
    assert!(app.stored_rows().is_empty(), "nothing half-imported");
    app.import_csv(
        "construction-permit",
        "unit,submitted_on,channel,A1\nmot-cua-tp-chau-doc-xd,2025-06-30,paper,4\n",
    );
    assert_eq!(app.stored_rows().len(), 1);
}
