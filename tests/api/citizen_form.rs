use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(
    form_submission_without_javascript_records_one_response,
    invalid_form_comes_back_with_answers_kept_and_messages,
    one_section_per_screen_keeps_every_answer_until_sent,
    pages_are_compressed_and_each_keeps_a_fresh_id,
);

/// A browser asking for gzip gets the form compressed, each copy with its
/// own response id; one that does not gets it as it is.
async fn pages_are_compressed_and_each_keeps_a_fresh_id(backend: Backend) {
    use std::io::Read;
    let app = spawn_app(backend).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .get(app.url("/s/health-outpatient"))
            .header("Accept-Encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert!(response.headers()["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding"));
        let compressed = response.bytes().await.unwrap();
        let mut html = String::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_string(&mut html)
            .unwrap();
        assert!(compressed.len() * 2 < html.len(), "compressed");
        ids.push(field_value(&html, "id").to_string());
    }
    assert_ne!(ids[0], ids[1], "every copy of the form has its own id");
    let plain = app
        .client
        .get(app.url("/s/health-outpatient"))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.text().await.unwrap().contains("name=\"id\""));
}

/// The value of the first input named `name`.
fn field_value<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// Walks every screen of a questionnaire from the first, pressing Next with
/// only the service point chosen; returns each screen, the review last.
async fn walk(app: &TestApp, slug: &str, unit: &str) -> Vec<String> {
    let first = fetch_form(app, &format!("/s/{slug}?unit={unit}")).await;
    let id = field_value(&first, "id").to_string();
    let version = field_value(&first, "version").to_string();
    let mut screens = vec![first];
    while !screens.last().unwrap().contains("value=\"send\"") {
        assert!(screens.len() < 20, "the screens end");
        let page = field_value(screens.last().unwrap(), "page").to_string();
        let mut form = vec![
            ("id", id.as_str()),
            ("version", version.as_str()),
            ("lang", "vi"),
            ("page", page.as_str()),
            ("go", "next"),
        ];
        if page == "0" {
            form.push(("unit", unit));
        }
        let response = app.post_form(&format!("/s/{slug}"), &form).await;
        assert_eq!(response.status(), 303, "next from screen {page}");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("/s/{slug}/r/{id}?page=")),
            "{location}"
        );
        screens.push(fetch_form(app, &location).await);
    }
    screens
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
    assert!(html.contains("name=\"viewport\" content=\"width=device-width, initial-scale=1\""));
    assert!(
        html.contains(":focus"),
        "a visible keyboard focus is styled"
    );
    // One section per screen, every screen light and labelled.
    let screens = walk(&app, "health-outpatient", "bv-dk-kien-giang").await;
    let total = screens.len();
    assert!(total >= 7, "{total} screens");
    let mut inputs = 0;
    for (i, screen) in screens.iter().enumerate() {
        assert!(
            screen.contains(&format!("Phần {}/{total}", i + 1)),
            "progress on screen {i}"
        );
        // No external assets: only the site's own script (offline support),
        // no stylesheet link, no remote image.
        assert_eq!(screen.matches("<script").count(), 1);
        assert!(screen.contains("<script src=\"/form.js\" defer></script>"));
        assert!(!screen.contains("rel=\"stylesheet\""));
        assert!(!screen.contains("src=\"http"));
        assert!(
            screen.len() < 20_000,
            "screen {i} is {} bytes",
            screen.len()
        );
        inputs +=
            screen.matches("type=\"radio\"").count() + screen.matches("type=\"checkbox\"").count();
        // Every radio and checkbox has a label bound to it.
        let mut search = screen.as_str();
        while let Some(pos) = search
            .find("<input type=\"radio\" id=\"")
            .or_else(|| search.find("<input type=\"checkbox\" id=\""))
        {
            let rest = &search[pos..];
            let id_start = rest.find("id=\"").unwrap() + 4;
            let id = &rest[id_start..id_start + rest[id_start..].find('"').unwrap()];
            assert!(
                screen.contains(&format!("for=\"{id}\"")),
                "input {id} has a label"
            );
            search = &rest[id_start..];
        }
        assert_eq!(
            screen.matches("<fieldset").count(),
            screen.matches("<legend").count()
        );
    }
    // Every Likert item is asked on some screen, with its five points and N/A.
    assert!(inputs > 31 * 6, "{inputs}");
    assert!(screens
        .iter()
        .any(|s| s.contains("Rất hài lòng") && s.contains("Không áp dụng")));
    // The QR code's service point is preselected.
    assert!(html.contains("<option value=\"bv-dk-kien-giang\" selected>"));

    let english = fetch_form(&app, "/s/health-outpatient?lang=en").await;
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Where you were served"));
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
    assert!(
        page.contains("href=\"#P1-1\""),
        "the summary links to the item's first input"
    );
    assert!(page.contains("<title>Lỗi: "));
    assert!(page.contains("autofocus"));
    assert!(page.contains("aria-invalid=\"true\""));
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

/// One screen's form post: its page, its button, its answers.
async fn post_screen(
    app: &TestApp,
    slug: &str,
    (id, version): (&str, &str),
    page: usize,
    go: &str,
    answers: &[(&str, &str)],
) -> reqwest::Response {
    let page = page.to_string();
    let mut form = vec![
        ("id", id),
        ("version", version),
        ("lang", "vi"),
        ("page", page.as_str()),
        ("go", go),
    ];
    form.extend_from_slice(answers);
    app.post_form(&format!("/s/{slug}"), &form).await
}

#[track_caller]
fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "{}", response.url());
    response.headers()["location"].to_str().unwrap().to_string()
}

/// Enter never sends: the first button of every screen goes on. Back and
/// Next keep every answer server-side under the response id; a screen's
/// faults are its own; a condition on an earlier answer decides which
/// sections follow; only the review screen's "Send" stores the response,
/// and the draft is gone after.
async fn one_section_per_screen_keeps_every_answer_until_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let slug = "construction-permit";
    let first = fetch_form(&app, &format!("/s/{slug}?unit=hcc-long-xuyen-xd")).await;
    let form_at = first.find("<form").unwrap();
    let first_button = &first[form_at..][..first[form_at..].find("</button>").unwrap()];
    assert!(
        first_button.contains("name=\"go\" value=\"next\""),
        "{first_button}"
    );
    assert!(
        !first.contains("value=\"send\""),
        "no send button before the review"
    );
    assert!(
        first.contains("Phần 1/10"),
        "nine sections shown, then the review"
    );
    let (id, version) = (
        field_value(&first, "id").to_string(),
        field_value(&first, "version").to_string(),
    );
    let form = (id.as_str(), version.as_str());
    let resume = |page: usize| format!("/s/{slug}/r/{id}?page={page}&lang=vi");

    // The first screen: the service point is required there.
    let missing_unit = post_screen(&app, slug, form, 0, "next", &[("A1", "4")]).await;
    assert_eq!(missing_unit.status(), 422);
    let page = missing_unit.text().await.unwrap();
    assert!(
        page.contains("id=\"err-unit\"")
            && page.contains("id=\"A1-4\" name=\"A1\" value=\"4\" checked")
    );
    let next = post_screen(
        &app,
        slug,
        form,
        0,
        "next",
        &[("unit", "hcc-long-xuyen-xd"), ("A1", "4")],
    )
    .await;
    assert_eq!(next.status(), 303);
    assert_eq!(location(&next), resume(1));
    assert!(
        app.stored_rows().is_empty(),
        "nothing is a response before Send"
    );

    // A fault on this screen is this screen's only.
    let bad = post_screen(&app, slug, form, 1, "next", &[("P1", "9")]).await;
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("id=\"err-P1\"") && !page.contains("id=\"err-unit\""));
    assert!(page.contains("Phần 2/10"));
    assert_eq!(
        location(&post_screen(&app, slug, form, 1, "next", &[("P1", "5")]).await),
        resume(2)
    );
    // Back keeps what this screen had, and the earlier screens' answers.
    assert_eq!(
        location(&post_screen(&app, slug, form, 2, "back", &[("S1", "3")]).await),
        resume(1)
    );
    let screen = fetch_form(&app, &resume(1)).await;
    assert!(screen.contains("id=\"P1-5\" name=\"P1\" value=\"5\" checked"));
    let screen = fetch_form(&app, &resume(2)).await;
    assert!(screen.contains("id=\"S1-3\" name=\"S1\" value=\"3\" checked"));
    let screen = fetch_form(&app, &resume(0)).await;
    assert!(screen.contains("<option value=\"hcc-long-xuyen-xd\" selected>"));

    // A representative of an organisation is asked about the organisation,
    // not about themselves.
    assert_eq!(
        location(
            &post_screen(
                &app,
                slug,
                form,
                7,
                "next",
                &[("RESPONDENT_KIND", "organisation")]
            )
            .await
        ),
        resume(8)
    );
    let screen = fetch_form(&app, &resume(8)).await;
    assert!(
        screen.contains("name=\"ORG_TYPE\""),
        "the organisation section follows"
    );
    assert!(screen.contains("Phần 9/11"));

    // The language changes, the answers stay.
    let english = post_screen(
        &app,
        slug,
        form,
        8,
        "lang-en",
        &[("ORG_TYPE", "enterprise")],
    )
    .await;
    assert_eq!(
        location(&english),
        format!("/s/{slug}/r/{id}?page=8&lang=en")
    );
    let screen = fetch_form(&app, &location(&english)).await;
    assert!(
        screen.contains("<html lang=\"en\"")
            && screen.contains(
                "id=\"ORG_TYPE-enterprise\" name=\"ORG_TYPE\" value=\"enterprise\" checked"
            )
    );

    // The review lists the answers; Send stores them, once.
    let review = fetch_form(&app, &resume(10)).await;
    assert!(
        review.contains("value=\"send\"")
            && review.contains("4 – Hài lòng")
            && review.contains("Doanh nghiệp")
    );
    let sent = post_screen(&app, slug, form, 10, "send", &[]).await;
    assert_eq!(sent.status(), 303);
    assert!(location(&sent).starts_with("/s/construction-permit/thanks"));
    let rows = app.stored_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, id);
    let answers: serde_json::Value = serde_json::from_str(&rows[0].answers).unwrap();
    assert_eq!(answers["A1"], 4);
    assert_eq!(answers["P1"], 5);
    assert_eq!(answers["S1"], 3);
    assert_eq!(answers["RESPONDENT_KIND"], "organisation");
    assert_eq!(answers["ORG_TYPE"], "enterprise");
    // Sent again: the first sending stands; the draft is gone.
    let again = post_screen(&app, slug, form, 10, "send", &[]).await;
    assert!(location(&again).contains("already=1"));
    assert_eq!(app.stored_rows().len(), 1);
    let gone = fetch_form(&app, &resume(3)).await;
    assert!(gone.contains("Không còn câu trả lời đã lưu"));
}

/// A draft is forgotten DRAFT_DAYS after it was last saved.
#[tokio::test]
async fn unfinished_questionnaires_expire() {
    let app = spawn_app(Backend::Sqlite).await;
    let slug = "construction-permit";
    let first = fetch_form(&app, &format!("/s/{slug}")).await;
    let (id, version) = (
        field_value(&first, "id").to_string(),
        field_value(&first, "version").to_string(),
    );
    post_screen(
        &app,
        slug,
        (&id, &version),
        0,
        "next",
        &[("unit", "hcc-long-xuyen-xd"), ("A1", "4")],
    )
    .await;
    let today = app.ctx.clock.today();
    use hailong::services::collect::drafts;
    let kept =
        drafts::expire(app.db(), today + chrono::Duration::days(drafts::DRAFT_DAYS)).unwrap();
    assert_eq!(kept, 0, "kept for {} days", drafts::DRAFT_DAYS);
    let expired = drafts::expire(
        app.db(),
        today + chrono::Duration::days(drafts::DRAFT_DAYS + 1),
    )
    .unwrap();
    assert_eq!(expired, 1);
    let screen = fetch_form(&app, &format!("/s/{slug}/r/{id}?page=1")).await;
    assert!(screen.contains("Không còn câu trả lời đã lưu"));
}

/// Uptime monitors ask with HEAD; a misprinted QR code says so.
#[tokio::test]
async fn head_is_answered_and_a_wrong_unit_is_said() {
    let app = spawn_app(Backend::Sqlite).await;
    let client = reqwest::Client::new();
    for path in ["/", "/s/health-outpatient", "/healthz"] {
        let response = client.head(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "HEAD {path}");
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let page = fetch_form(&app, "/s/health-outpatient?unit=bv-khong-co").await;
    assert!(page.contains("Mã nơi phục vụ trong đường dẫn không đúng"));
    assert!(!page.contains(" selected>"));
}

/// Every citizen page says who runs it, links to what is stored, and
/// previews with its title when shared.
#[tokio::test]
async fn citizen_pages_name_their_authority_and_say_what_is_stored() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/",
        "/s/construction-permit",
        "/privacy",
        "/s/no-such-survey",
    ] {
        let page = app.get(path).await.text().await.unwrap();
        assert!(
            page.contains("<strong>Ủy ban nhân dân tỉnh An Giang</strong>"),
            "{path}: the authority in the header"
        );
        assert!(
            page.contains("Sở Nội vụ tỉnh An Giang"),
            "{path}: a contact in the footer"
        );
        assert!(
            page.contains("href=\"/privacy?lang=vi\""),
            "{path}: the privacy page"
        );
    }
    let form = fetch_form(&app, "/s/construction-permit").await;
    assert!(
        form.contains("<meta property=\"og:title\" content=\"Khảo sát sự hài lòng về thủ tục cấp giấy phép xây dựng"),
        "a link preview names the survey"
    );
    assert!(
        form.contains("<meta property=\"og:site_name\" content=\"Ủy ban nhân dân tỉnh An Giang\">")
    );
    let privacy = fetch_form(&app, "/privacy").await;
    for said in ["Địa chỉ IP", "không dùng cookie", "tối đa 7 ngày", "Mã mời"] {
        assert!(privacy.contains(said), "{said}");
    }
}

/// A tablet at a counter: screens are drawn in the answer to their post
/// (no address resumes a draft), nothing is cached, every screen returns to
/// a blank form when left alone, a sent response is `kiosk`, and the blank
/// form after an abandoned one forgets its draft.
#[tokio::test]
async fn a_kiosk_starts_afresh_for_every_citizen() {
    let app = spawn_app(Backend::Sqlite).await;
    let start = app
        .get("/kiosk/hcc-long-xuyen-xd/construction-permit?idle=120")
        .await;
    assert_eq!(start.status(), 200);
    assert_eq!(start.headers()["cache-control"], "no-store");
    let refresh = start.headers()["refresh"].to_str().unwrap().to_string();
    assert!(
        refresh.starts_with(
            "120; url=/kiosk/hcc-long-xuyen-xd/construction-permit?idle=120&lang=vi&discard="
        ),
        "{refresh}"
    );
    let page = start.text().await.unwrap();
    assert!(page.contains("<option value=\"hcc-long-xuyen-xd\" selected>"));
    assert!(page.contains("name=\"kiosk\" value=\"hcc-long-xuyen-xd\""));
    assert!(!page.contains("/r/"), "no address that resumes a draft");
    let (id, version) = (
        field_value(&page, "id").to_string(),
        field_value(&page, "version").to_string(),
    );
    let kiosk = [("kiosk", "hcc-long-xuyen-xd"), ("idle", "120")];
    let screen = |page: usize, go: &'static str, answers: Vec<(&'static str, &'static str)>| {
        let mut all = kiosk.to_vec();
        all.extend(answers);
        let (id, version) = (id.clone(), version.clone());
        let app = &app;
        async move { post_screen(app, "construction-permit", (&id, &version), page, go, &all).await }
    };
    let next = screen(0, "next", vec![("unit", "hcc-long-xuyen-xd"), ("A1", "5")]).await;
    assert_eq!(next.status(), 200, "drawn at once, not redirected");
    assert_eq!(next.headers()["cache-control"], "no-store");
    assert!(next.text().await.unwrap().contains("Phần 2/10"));
    // Left alone: the blank form forgets the draft.
    app.get(&format!(
        "/kiosk/hcc-long-xuyen-xd/construction-permit?idle=120&discard={id}"
    ))
    .await;
    let after = app
        .get(&format!("/s/construction-permit/r/{id}?page=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("Không còn câu trả lời đã lưu"),
        "the abandoned answers are gone"
    );

    // A citizen who finishes: sent as kiosk, thanked, and back to a blank form.
    screen(0, "next", vec![("unit", "hcc-long-xuyen-xd"), ("A1", "5")]).await;
    let sent = screen(9, "send", vec![]).await;
    assert_eq!(sent.status(), 200);
    assert!(sent.headers()["refresh"]
        .to_str()
        .unwrap()
        .starts_with("8; url=/kiosk/hcc-long-xuyen-xd/construction-permit"));
    assert!(sent.text().await.unwrap().contains("Xin trân trọng cảm ơn"));
    let rows = app.stored_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].channel, "kiosk");
    // A kiosk for a service point of another department does not exist.
    assert_eq!(
        app.get("/kiosk/bv-dk-kien-giang/construction-permit")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get("/kiosk/hcc-long-xuyen-xd/construction-permit?idle=5")
            .await
            .status(),
        400
    );
}

/// A screen sent from a stale page (another tab, the back button) after
/// earlier answers changed which sections are shown does not overwrite
/// another section; a screen the form does not have is a 400. With an
/// invitation code, screens are drawn at once: no redirect carries the code
/// beside the response id.
#[tokio::test]
async fn screens_are_known_by_their_section_and_codes_stay_out_of_addresses() {
    let app = spawn_app(Backend::Sqlite).await;
    let slug = "construction-permit";
    let first = fetch_form(&app, &format!("/s/{slug}?unit=hcc-long-xuyen-xd")).await;
    let (id, version) = (
        field_value(&first, "id").to_string(),
        field_value(&first, "version").to_string(),
    );
    let form = (id.as_str(), version.as_str());
    post_screen(
        &app,
        slug,
        form,
        0,
        "next",
        &[("unit", "hcc-long-xuyen-xd"), ("A1", "4")],
    )
    .await;
    let stale = post_screen(
        &app,
        slug,
        form,
        1,
        "next",
        &[("section", "civil_servant"), ("P1", "2")],
    )
    .await;
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.unwrap().contains("Trang này đã cũ"));
    let screen = fetch_form(&app, &format!("/s/{slug}/r/{id}?page=1")).await;
    assert!(
        !screen.contains("name=\"P1\" value=\"2\" checked"),
        "nothing was written into the procedures section"
    );
    let beyond = post_screen(&app, slug, form, 99, "next", &[]).await;
    assert_eq!(beyond.status(), 400);

    let invited = fetch_form(
        &app,
        &format!("/s/{slug}?unit=hcc-long-xuyen-xd&code=K7M2Q-9XRT4"),
    )
    .await;
    let (id, version) = (
        field_value(&invited, "id").to_string(),
        field_value(&invited, "version").to_string(),
    );
    let next = post_screen(
        &app,
        slug,
        (&id, &version),
        0,
        "next",
        &[
            ("unit", "hcc-long-xuyen-xd"),
            ("A1", "4"),
            ("code", "K7M2Q9XRT4"),
        ],
    )
    .await;
    assert_eq!(next.status(), 200, "drawn at once");
    assert!(next.headers().get("location").is_none());
    let page = next.text().await.unwrap();
    assert!(page.contains("Phần 2/10") && page.contains("name=\"code\" value=\"K7M2Q9XRT4\""));
    assert!(
        !page.contains("code=K7M2Q9XRT4"),
        "no address carries the code"
    );
}

/// A fault found only when sending (an answer left by Back, which does not
/// judge) links from the review to the screen of its item.
#[tokio::test]
async fn faults_on_the_review_link_to_their_screen() {
    let app = spawn_app(Backend::Sqlite).await;
    let slug = "construction-permit";
    let first = fetch_form(&app, &format!("/s/{slug}?unit=hcc-long-xuyen-xd")).await;
    let (id, version) = (
        field_value(&first, "id").to_string(),
        field_value(&first, "version").to_string(),
    );
    let form = (id.as_str(), version.as_str());
    post_screen(
        &app,
        slug,
        form,
        0,
        "next",
        &[("unit", "hcc-long-xuyen-xd"), ("A1", "4")],
    )
    .await;
    post_screen(
        &app,
        slug,
        form,
        1,
        "back",
        &[("section", "procedures"), ("P1", "9")],
    )
    .await;
    let sent = post_screen(&app, slug, form, 9, "send", &[]).await;
    assert_eq!(sent.status(), 422);
    let page = sent.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "href=\"/s/{slug}/r/{id}?page=1&amp;lang=vi#P1-1\""
        )),
        "{page}"
    );
    assert!(app.stored_rows().is_empty());
}
