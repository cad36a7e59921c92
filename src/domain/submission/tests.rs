use std::path::Path;

use serde_json::json;

use super::*;
use crate::definitions::{self, Catalog};

fn catalog() -> Catalog {
    definitions::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-definitions")).unwrap()
}

fn text_submission(pairs: &[(&str, &str)]) -> RawSubmission {
    RawSubmission {
        id: Some(RawValue::text("0f8fad5b-d9cb-469f-a165-70867728950e")),
        unit: Some(RawValue::text("hcc-long-xuyen-xd")),
        comment: None,
        answers: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), RawValue::text(*v)))
            .collect(),
    }
}

fn parse(raw: RawSubmission) -> Result<Submission, FieldErrors> {
    let catalog = catalog();
    let survey = catalog
        .survey("construction-permit")
        .unwrap()
        .survey
        .clone();
    Submission::parse(raw, &survey, &catalog, today(), ResponseId::new_random)
}

#[test]
fn text_values_parse_like_json_values() {
    let submission = parse(text_submission(&[
        ("A1", "5"),
        ("A2", "NA"),
        ("A3", ""),
        ("ONLINE", "0"),
        ("ONTIME", "late"),
        ("EXPECT", "fees;online"),
    ]))
    .unwrap();
    let answers = &submission.answers;
    assert_eq!(
        answers.get("A1"),
        Some(&Answer::Score(Score::new(5, (1, 5)).unwrap()))
    );
    assert_eq!(answers.get("A2"), Some(&Answer::NotApplicable));
    assert_eq!(answers.get("A3"), None, "empty is skipped");
    assert_eq!(answers.get("ONLINE"), Some(&Answer::YesNo(false)));
    assert_eq!(answers.get("ONTIME"), Some(&Answer::Choice("late".into())));
    // Definition order, whatever order they were ticked in.
    assert_eq!(
        answers.get("EXPECT"),
        Some(&Answer::Choices(vec!["online".into(), "fees".into()]))
    );

    let mut json = text_submission(&[]);
    json.answers = vec![
        ("A1".into(), RawValue::Json(json!(5))),
        ("A2".into(), RawValue::Json(json!("na"))),
        ("A3".into(), RawValue::Json(json!(null))),
        ("ONLINE".into(), RawValue::Json(json!(false))),
        ("ONTIME".into(), RawValue::Json(json!("late"))),
        ("EXPECT".into(), RawValue::Json(json!(["fees", "online"]))),
    ];
    assert_eq!(parse(json).unwrap().answers, submission.answers);
}

#[test]
fn the_likert_code_follows_definition_order() {
    let submission = parse(text_submission(&[
        ("A1", "5"),
        ("A3", "na"),
        ("P1", "1"),
        ("X3", "4"),
    ]))
    .unwrap();
    let catalog = catalog();
    let survey = &catalog.survey("construction-permit").unwrap().survey;
    let code = submission.answers.likert_code(survey);
    assert_eq!(code.len(), 25, "22 SIPAS criteria + 3 procedure items");
    assert_eq!(&code[..5], "5-N-1");
    assert_eq!(&code[22..], "--4");
}

#[test]
fn faults_name_their_field() {
    let errors = parse(RawSubmission {
        id: Some(RawValue::text("nope")),
        unit: Some(RawValue::text("bv-dk-kien-giang")),
        comment: Some(RawValue::text("ý".repeat(2001))),
        answers: vec![
            ("A1".into(), RawValue::text("6")),
            ("A2".into(), RawValue::Text(vec!["4".into(), "5".into()])),
            ("ONTIME".into(), RawValue::text("never")),
            (
                "EXPECT".into(),
                RawValue::text("online;fees;faster;simpler"),
            ),
            ("ONLINE".into(), RawValue::text("perhaps")),
            ("ZZ".into(), RawValue::text("1")),
        ],
    })
    .unwrap_err();
    let fields: Vec<(&str, &FieldError)> = errors.0.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(
        fields,
        [
            ("answers.A1", &FieldError::ExpectedScore(1, 5)),
            ("answers.A2", &FieldError::TooManyValues),
            ("answers.EXPECT", &FieldError::TooManyChoices(3)),
            ("answers.ONLINE", &FieldError::ExpectedYesNo),
            ("answers.ONTIME", &FieldError::UnknownOption("never".into())),
            ("answers.ZZ", &FieldError::UnknownQuestion),
            ("comment", &FieldError::CommentTooLong),
            ("id", &FieldError::InvalidId),
            (
                "unit",
                &FieldError::UnitOfOtherDepartment("bv-dk-kien-giang".into())
            ),
        ]
    );
}

#[test]
fn not_applicable_alone_is_not_an_answer() {
    let errors = parse(text_submission(&[
        ("A1", "na"),
        ("A2", "NA"),
        ("ONLINE", "1"),
    ]))
    .unwrap_err();
    assert_eq!(errors.get("answers"), Some(&FieldError::NoLikertAnswered));
    assert!(parse(text_submission(&[("A1", "na"), ("A2", "1")])).is_ok());
}

#[test]
fn a_missing_id_takes_the_default_and_a_repeated_option_is_refused() {
    let mut raw = text_submission(&[("A1", "4"), ("EXPECT", "fees;fees")]);
    raw.id = None;
    let errors = parse(raw.clone()).unwrap_err();
    assert_eq!(
        errors.get("answers.EXPECT"),
        Some(&FieldError::RepeatedOption("fees".into()))
    );
    raw.answers.pop();
    let fixed = ResponseId::parse("6f1c0c4e-0000-4000-8000-000000000001").unwrap();
    let catalog = catalog();
    let survey = catalog
        .survey("construction-permit")
        .unwrap()
        .survey
        .clone();
    assert_eq!(
        Submission::parse(raw, &survey, &catalog, today(), || fixed)
            .unwrap()
            .id,
        fixed
    );
}

#[test]
fn comments_are_trimmed_and_counted_in_characters() {
    let mut raw = text_submission(&[("A1", "4")]);
    raw.comment = Some(RawValue::text(format!("  {}  ", "ệ".repeat(2000))));
    let submission = parse(raw).unwrap();
    assert_eq!(submission.comment.unwrap().chars().count(), 2000);
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("a valid date")
}

#[test]
fn a_service_point_is_answered_for_only_on_days_it_served() {
    let catalog = catalog();
    let survey = &catalog.survey("construction-permit").unwrap().survey;
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let on = |unit: &str, date| {
        let mut raw = text_submission(&[("A1", "4")]);
        raw.unit = Some(RawValue::text(unit));
        Submission::parse(raw, survey, &catalog, date, ResponseId::new_random)
    };
    // The district desk closed when district government ended; the ward
    // desk opened the next day.
    assert!(on("mot-cua-tp-chau-doc-xd", day(2025, 6, 30)).is_ok());
    assert!(on("mot-cua-chau-doc-xd", day(2025, 7, 1)).is_ok());
    for (unit, date) in [
        ("mot-cua-tp-chau-doc-xd", day(2025, 7, 1)),
        ("mot-cua-chau-doc-xd", day(2025, 6, 30)),
    ] {
        let errors: Vec<(String, FieldError)> = on(unit, date).unwrap_err().0.into_iter().collect();
        assert_eq!(
            errors,
            [(
                "unit".to_string(),
                FieldError::UnitClosed(unit.into(), date)
            )]
        );
        assert!(errors[0]
            .1
            .message(Lang::Vi)
            .contains(&date.format("%d/%m/%Y").to_string()));
    }
}
