use std::path::Path;

use chrono::NaiveDate;

use super::*;

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const DEPARTMENTS: &str = r#"
[[departments]]
code = "health"
name = { vi = "Sở Y tế", en = "Department of Health" }

[[departments]]
code = "home-affairs"
name = { vi = "Sở Nội vụ", en = "Department of Home Affairs" }
surveyed = false
[[departments.history]]
from = 2025-07-01
name = { vi = "Sở Nội vụ (mới)", en = "Home Affairs (new)" }
"#;

const UNITS: &str = r#"
[[units]]
code = "clinic"
department = "health"
name = { vi = "Phòng khám", en = "Clinic" }
commune = "phường Long Xuyên"
kind = "hospital"
"#;

const SURVEY: &str = r#"
department = "health"
title = { vi = "Khảo sát", en = "Survey" }

[[sections]]
key = "A"
label = { vi = "A", en = "A" }
items = [
  { key = "A1", kind = "likert", label = { vi = "Một", en = "One" } },
  { key = "A2", kind = "single", label = { vi = "Hai", en = "Two" }, options = [
    { key = "x", label = { vi = "X", en = "X" } },
    { key = "y", label = { vi = "Y", en = "Y" } },
  ] },
]

[[sections]]
include = "tail"
"#;

const FRAGMENT: &str = r#"
[[sections]]
key = "T"
label = { vi = "Cuối", en = "Tail" }
items = [
  { key = "T1", kind = "likert", label = { vi = "Ba", en = "Three" } },
  { key = "comment", kind = "text", label = { vi = "Ý kiến", en = "Comment" } },
]
"#;

fn valid_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "departments.toml", DEPARTMENTS);
    write(dir.path(), "units.toml", UNITS);
    write(dir.path(), "surveys/clinic-visit.toml", SURVEY);
    write(dir.path(), "fragments/tail.toml", FRAGMENT);
    dir
}

fn faults_of(dir: &Path) -> Vec<String> {
    load(dir)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_valid_directory_loads_with_fragments_expanded() {
    let dir = valid_dir();
    let catalog = load(dir.path()).unwrap();
    let survey = &catalog.survey("clinic-visit").unwrap().survey;
    assert_eq!(
        survey.index_rule,
        IndexRule::MeanOfElements,
        "the default rule"
    );
    let keys: Vec<&str> = survey.questions().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["A1", "A2", "T1", "comment"]);
    assert_eq!(survey.likert_items().count(), 2);
    assert!(survey.sections.iter().all(|s| s.in_overall));
    let home = catalog.department("home-affairs").unwrap();
    assert!(!home.surveyed);
    let before = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let after = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    assert_eq!(home.name_on(before).vi, "Sở Nội vụ");
    assert_eq!(home.name_on(after).vi, "Sở Nội vụ (mới)");
}

#[test]
fn the_version_changes_with_meaning_not_with_formatting() {
    let dir = valid_dir();
    let original = load(dir.path()).unwrap().surveys[0].hash.clone();

    let reformatted = format!(
        "# a comment\n\n{}",
        SURVEY.replace("key = \"A\"\n", "key   =   \"A\"\n")
    );
    write(dir.path(), "surveys/clinic-visit.toml", &reformatted);
    assert_eq!(load(dir.path()).unwrap().surveys[0].hash, original);

    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace("\"One\"", "\"One!\""),
    );
    assert_ne!(
        load(dir.path()).unwrap().surveys[0].hash,
        original,
        "a changed label is a new version"
    );
}

#[test]
fn duplicate_keys_are_reported_with_file_and_path() {
    let dir = valid_dir();
    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace(
            "{ key = \"A2\", kind = \"single\"",
            "{ key = \"A1\", kind = \"single\"",
        ),
    );
    write(
        dir.path(),
        "fragments/tail.toml",
        &FRAGMENT
            .replace("\"T1\"", "\"A2\"")
            .replace("\"T1\"", "\"A1\""),
    );
    let faults = faults_of(dir.path());
    assert!(
        faults.contains(
            &"surveys/clinic-visit.toml: sections[0].items[1]: duplicate key \"A1\"".to_string()
        ),
        "{faults:?}"
    );
}

#[test]
fn structural_faults_are_all_reported() {
    let dir = valid_dir();
    let survey = r#"
department = "home-affairs"
title = { vi = "", en = "Survey" }
index_rule = "pooled"

[[sections]]
key = "A"
label = { vi = "A", en = "A" }
items = [
  { key = "A 1", kind = "likert", label = { vi = "Một", en = "One" } },
  { key = "A2", kind = "single", label = { vi = "Hai", en = "Two" }, options = [
    { key = "x", label = { vi = "X", en = "X" } },
  ] },
  { key = "A3", kind = "percent", label = { vi = "Ba", en = "Three" }, options = [
    { key = "x", label = { vi = "X", en = "X" } },
    { key = "y", label = { vi = "Y", en = "Y" } },
  ] },
  { key = "A4", kind = "multi", max_choices = 5, label = { vi = "Bốn", en = "Four" }, options = [
    { key = "x", label = { vi = "X", en = "X" } },
    { key = "x", label = { vi = "X", en = "X" } },
  ] },
  { key = "note", kind = "text", label = { vi = "Ghi chú", en = "Note" } },
]

[[sections]]
include = "tail"
key = "B"

[[sections]]
include = "missing"
"#;
    write(dir.path(), "surveys/clinic-visit.toml", survey);
    let faults = faults_of(dir.path());
    let expected = [
        "surveys/clinic-visit.toml: department: department \"home-affairs\" runs no survey",
        "surveys/clinic-visit.toml: title.vi: must not be empty",
        "surveys/clinic-visit.toml: sections[0].items[0].key: \"A 1\" is not a usable key",
        "surveys/clinic-visit.toml: sections[0].items[1].options: a choice needs at least two options",
        "surveys/clinic-visit.toml: sections[0].items[2].options: only single and multi questions have options",
        "surveys/clinic-visit.toml: sections[0].items[3].options[1].key: duplicate option key \"x\"",
        "surveys/clinic-visit.toml: sections[0].items[3].max_choices: must be between 1 and the number of options (2)",
        "surveys/clinic-visit.toml: sections[0].items[4].key: the free-text question must have the key \"comment\"",
        "surveys/clinic-visit.toml: sections[1]: a section either includes a fragment (optionally with show_if) or defines key, label and items, not both",
        "surveys/clinic-visit.toml: sections[2].include: unknown fragment \"missing\"",
    ];
    for fault in expected {
        assert!(
            faults.iter().any(|f| f.starts_with(fault)),
            "missing {fault:?} in {faults:#?}"
        );
    }
}

#[test]
fn unknown_fields_and_types_are_faults_with_their_path() {
    let dir = valid_dir();
    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace("kind = \"likert\", label", "kind = \"likert\", lable"),
    );
    let faults = faults_of(dir.path());
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert!(
        faults[0].starts_with(
            "surveys/clinic-visit.toml: sections[0].items[0].lable: unknown field `lable`"
        ),
        "{faults:?}"
    );

    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace("kind = \"likert\"", "kind = \"stars\""),
    );
    let faults = faults_of(dir.path());
    assert!(
        faults[0].starts_with(
            "surveys/clinic-visit.toml: sections[0].items[0].kind: unknown variant `stars`"
        ),
        "{faults:?}"
    );
    assert!(faults[0].contains("(line 9)"), "{faults:?}");

    write(dir.path(), "units.toml", "[[units]]\ncode = \"x\"\n");
    let faults = faults_of(dir.path());
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("units.toml: units[0]: missing field")),
        "{faults:?}"
    );

    write(dir.path(), "departments.toml", "departments = [ {");
    let faults = faults_of(dir.path());
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("departments.toml: not valid TOML")),
        "{faults:?}"
    );
    assert!(
        !faults.iter().any(|f| f.contains("unknown department")),
        "an unreadable departments file is one fault, not one per reference: {faults:?}"
    );
}

#[test]
fn a_survey_needs_a_likert_item_and_a_known_department() {
    let dir = valid_dir();
    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        r#"
department = "transport"
title = { vi = "Khảo sát", en = "Survey" }
[[sections]]
key = "A"
label = { vi = "A", en = "A" }
items = [ { key = "Q", kind = "yes_no", label = { vi = "Có?", en = "Yes?" } } ]
"#,
    );
    let faults = faults_of(dir.path());
    assert!(faults.contains(
        &"surveys/clinic-visit.toml: department: unknown department \"transport\"".to_string()
    ));
    assert!(faults.contains(
        &"surveys/clinic-visit.toml: sections: a questionnaire needs at least one Likert item"
            .to_string()
    ));
}

#[test]
fn the_shipped_definitions_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-definitions");
    let catalog = load(&dir).unwrap_or_else(|faults| panic!("{faults}"));
    for department in catalog.departments.iter().filter(|d| d.surveyed) {
        assert!(
            catalog.units_of(&department.code).count() >= 4,
            "{} has at least four service points",
            department.code
        );
        assert!(
            catalog
                .surveys
                .iter()
                .any(|s| s.survey.department == department.code),
            "{} has a survey",
            department.code
        );
    }
}

#[test]
fn editions_and_continued_items_are_checked() {
    let dir = valid_dir();
    let survey = SURVEY
        .replace(
            "title = { vi = \"Khảo sát\", en = \"Survey\" }",
            "title = { vi = \"Khảo sát\", en = \"Survey\" }\nedition = \"Second Edition\"",
        )
        .replace(
            "{ key = \"A1\", kind = \"likert\", label = { vi = \"Một\", en = \"One\" } }",
            "{ key = \"A1\", kind = \"likert\", label = { vi = \"Một\", en = \"One\" }, continues = { key = \"A9\" } }",
        )
        .replace(
            "{ key = \"A2\", kind = \"single\", label = { vi = \"Hai\", en = \"Two\" },",
            "{ key = \"A2\", kind = \"single\", label = { vi = \"Hai\", en = \"Two\" }, continues = { key = \"A9\" },",
        );
    write(dir.path(), "surveys/clinic-visit.toml", &survey);
    let faults = faults_of(dir.path());
    for expected in [
        "surveys/clinic-visit.toml: edition: \"Second Edition\" is not an edition name (lowercase letters, digits, '-')",
        "surveys/clinic-visit.toml: sections[0].items[1].continues: item \"A9\" of edition \"(first)\" is already continued by another item",
    ] {
        assert!(faults.contains(&expected.to_string()), "{expected}\n{faults:?}");
    }

    // Only percent items go above 100, and not beyond 250.
    let dir = valid_dir();
    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace(
            "label = { vi = \"Một\", en = \"One\" } }",
            "label = { vi = \"Một\", en = \"One\" }, max_percent = 150 }",
        ),
    );
    assert_eq!(
        faults_of(dir.path()),
        ["surveys/clinic-visit.toml: sections[0].items[0].max_percent: only percent questions have max_percent"]
    );

    // An item of the first edition cannot "continue" an item of its own edition.
    let dir = valid_dir();
    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace(
            "label = { vi = \"Một\", en = \"One\" } }",
            "label = { vi = \"Một\", en = \"One\" }, continues = { key = \"A0\" } }",
        ),
    );
    assert_eq!(
        faults_of(dir.path()),
        ["surveys/clinic-visit.toml: sections[0].items[0].continues: names an item of this same edition; within an edition an item continues itself by key"]
    );
}

#[test]
fn the_same_question_is_found_across_editions_only_by_series() {
    let load_survey = |text: &str| {
        let dir = valid_dir();
        write(dir.path(), "surveys/clinic-visit.toml", text);
        load(dir.path()).unwrap().surveys[0].survey.clone()
    };
    let first = load_survey(SURVEY);
    let second = load_survey(
        &SURVEY
            .replace(
                "title = { vi = \"Khảo sát\", en = \"Survey\" }",
                "title = { vi = \"Khảo sát\", en = \"Survey\" }\nedition = \"second\"",
            )
            .replace(
                "label = { vi = \"Hai\", en = \"Two\" },",
                "label = { vi = \"Hai\", en = \"Two\" }, continues = { key = \"A2\" },",
            ),
    );
    let carried = second.earlier_keys(&first);
    assert_eq!(carried.get("A2"), Some(&"A2"), "declared the same question");
    assert_eq!(
        carried.get("A1"),
        None,
        "same key, other edition: not carried"
    );
    assert_eq!(carried.get("T1"), None);
    // Within an edition, the key is the series.
    assert_eq!(first.earlier_keys(&first).len(), first.questions().count());
    // Adding an edition leaves the first edition's version hash unchanged.
    assert_eq!(first.content_hash(), load_survey(SURVEY).content_hash());
}

#[test]
fn conditions_name_earlier_choices_and_their_answers() {
    let dir = valid_dir();
    let survey = SURVEY
        .replace(
            "{ key = \"A1\", kind = \"likert\", label = { vi = \"Một\", en = \"One\" } }",
            "{ key = \"A1\", kind = \"likert\", label = { vi = \"Một\", en = \"One\" }, show_if = { A2 = \"x\" } }",
        )
        .replace(
            "label = { vi = \"Hai\", en = \"Two\" },",
            "label = { vi = \"Hai\", en = \"Two\" }, show_if = { A1 = \"5\" },",
        )
        .replace(
            "[[sections]]\ninclude = \"tail\"",
            "[[sections]]\ninclude = \"tail\"\nshow_if = { A2 = [\"x\", \"z\"] }",
        );
    write(dir.path(), "surveys/clinic-visit.toml", &survey);
    let faults = faults_of(dir.path());
    for expected in [
        "surveys/clinic-visit.toml: sections[0].items[0].show_if.A2: \"A2\" is not an item asked before this one",
        "surveys/clinic-visit.toml: sections[0].items[1].show_if.A1: \"A1\" is not a choice or yes/no item",
        "surveys/clinic-visit.toml: sections[1].show_if.A2: \"z\" is not an answer of \"A2\" (x, y)",
    ] {
        assert!(faults.contains(&expected.to_string()), "{expected}\n{faults:?}");
    }

    // A valid condition on an include applies to every section it places.
    let dir = valid_dir();
    write(
        dir.path(),
        "surveys/clinic-visit.toml",
        &SURVEY.replace(
            "[[sections]]\ninclude = \"tail\"",
            "[[sections]]\ninclude = \"tail\"\nshow_if = { A2 = \"y\" }",
        ),
    );
    let catalog = load(dir.path()).unwrap();
    let survey = &catalog.surveys[0].survey;
    let t1 = survey.question("T1").unwrap();
    let conditions = survey.conditions_of(t1);
    assert_eq!(conditions.len(), 1);
    assert_eq!(conditions[0]["A2"], ["y"]);
    assert!(survey
        .conditions_of(survey.question("A1").unwrap())
        .is_empty());
}

#[test]
fn within_an_edition_the_key_is_the_series_unless_the_meaning_changed() {
    let load_survey = |text: &str| {
        let dir = valid_dir();
        write(dir.path(), "surveys/clinic-visit.toml", text);
        load(dir.path()).unwrap().surveys[0].survey.clone()
    };
    let first = load_survey(SURVEY);
    // A `continues` added later in the same edition does not cut the series.
    let with_continues = load_survey(&SURVEY.replace(
        "title = { vi = \"Khảo sát\", en = \"Survey\" }",
        "title = { vi = \"Khảo sát\", en = \"Survey\" }\nedition = \"one\"",
    ));
    let later = load_survey(
        &SURVEY
            .replace(
                "title = { vi = \"Khảo sát\", en = \"Survey\" }",
                "title = { vi = \"Khảo sát\", en = \"Survey\" }\nedition = \"one\"",
            )
            .replace(
                "label = { vi = \"Một\", en = \"One\" } }",
                "label = { vi = \"Một\", en = \"One\" }, continues = { key = \"A1\" } }",
            ),
    );
    assert_eq!(later.earlier_keys(&with_continues).get("A1"), Some(&"A1"));
    assert_eq!(
        later.earlier_keys(&first).get("A1"),
        Some(&"A1"),
        "and across editions by continues"
    );
    // Another answer scale, or another condition: a new series.
    let three_points = load_survey(&SURVEY.replace(
        "label = { vi = \"Một\", en = \"One\" } }",
        "label = { vi = \"Một\", en = \"One\" }, scale = { satisfied_from = 2, points = [{ value = 1, label = { vi = \"a\", en = \"a\" } }, { value = 2, label = { vi = \"b\", en = \"b\" } }, { value = 3, label = { vi = \"c\", en = \"c\" } }] } }",
    ));
    assert_eq!(three_points.earlier_keys(&first).get("A1"), None);
    let conditional = load_survey(&SURVEY.replace(
        "[[sections]]\ninclude = \"tail\"",
        "[[sections]]\ninclude = \"tail\"\nshow_if = { A2 = \"y\" }",
    ));
    assert_eq!(conditional.earlier_keys(&first).get("T1"), None);
    assert_eq!(conditional.earlier_keys(&first).get("A1"), Some(&"A1"));
}

#[test]
fn service_points_carry_dates_and_earlier_names() {
    let dir = valid_dir();
    write(
        dir.path(),
        "units.toml",
        r#"
[[units]]
code = "clinic"
department = "health"
name = { vi = "Trạm Y tế phường Mới", en = "New Ward Health Station" }
commune = "phường Mới"
kind = "health-station"
open_from = 2024-03-01
open_until = 2026-06-30
[[units.before]]
until = 2025-07-01
name = { vi = "Trạm Y tế thị trấn Cũ", en = "Old Town Health Station" }
locality = "thị trấn Cũ, huyện Xưa"
"#,
    );
    let catalog = load(dir.path()).unwrap_or_else(|faults| panic!("{faults}"));
    let unit = catalog.unit("clinic").unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(unit.name_on(day(2025, 6, 30)).vi, "Trạm Y tế thị trấn Cũ");
    assert_eq!(unit.name_on(day(2025, 7, 1)).vi, "Trạm Y tế phường Mới");
    assert_eq!(unit.locality_on(day(2025, 6, 30)), "thị trấn Cũ, huyện Xưa");
    assert_eq!(unit.locality_on(day(2025, 7, 1)), "phường Mới");
    // A period is named by its end: the first half of 2025 by the old name.
    assert_eq!(
        unit.name_for((day(2025, 1, 1), day(2025, 6, 30)), Lang::Vi),
        "Trạm Y tế thị trấn Cũ"
    );
    assert_eq!(
        unit.name_for((day(2025, 1, 1), day(2025, 12, 31)), Lang::Vi),
        "Trạm Y tế phường Mới"
    );
    assert!(!unit.open_on(day(2024, 2, 29)));
    assert!(unit.open_on(day(2024, 3, 1)));
    assert!(unit.open_on(day(2026, 6, 30)));
    assert!(!unit.open_on(day(2026, 7, 1)));
    assert!(unit.open_during(day(2024, 1, 1), day(2024, 3, 31)));
    assert!(!unit.open_during(day(2026, 7, 1), day(2026, 9, 30)));

    write(
        dir.path(),
        "units.toml",
        r#"
[[units]]
code = "clinic"
department = "health"
name = { vi = "Phòng khám", en = "Clinic" }
commune = "phường Mới"
kind = "hospital"
open_from = 2025-07-01
open_until = 2025-06-30
[[units.before]]
until = 2025-07-01
locality = "huyện Xưa"
[[units.before]]
until = 2024-01-01
locality = ""
"#,
    );
    let faults = faults_of(dir.path());
    for expected in [
        "units[0].open_until: 2025-06-30 is before open_from 2025-07-01",
        "units[0].before[1].until: must be in date order",
        "units[0].before[1].locality: must not be empty",
    ] {
        assert!(
            faults.iter().any(|f| f.contains(expected)),
            "{expected} in {faults:?}"
        );
    }
}

#[test]
fn shipped_service_points_follow_the_2025_reorganisation() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-definitions");
    let catalog = load(&dir).unwrap_or_else(|faults| panic!("{faults}"));
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let (last_district_day, first_commune_day) = (day(2025, 6, 30), day(2025, 7, 1));
    for unit in &catalog.units {
        match unit.kind.as_str() {
            "district-one-stop" => {
                assert!(unit.open_on(last_district_day), "{}", unit.code);
                assert!(!unit.open_on(first_commune_day), "{}", unit.code);
            }
            "commune-one-stop" => {
                assert!(!unit.open_on(last_district_day), "{}", unit.code);
                assert!(unit.open_on(first_commune_day), "{}", unit.code);
            }
            _ => {}
        }
    }
    let rach_gia = catalog.unit("hcc-rach-gia-xd").unwrap();
    assert_eq!(
        rach_gia.name_for((day(2024, 1, 1), day(2024, 12, 31)), Lang::Vi),
        "Trung tâm Phục vụ hành chính công tỉnh Kiên Giang – quầy Sở Xây dựng (tỉnh Kiên Giang cũ)"
    );
    assert_eq!(
        rach_gia.locality_on(day(2025, 6, 30)),
        "thành phố Rạch Giá, tỉnh Kiên Giang"
    );
    assert_eq!(rach_gia.locality_on(first_commune_day), "phường Rạch Giá");
}
