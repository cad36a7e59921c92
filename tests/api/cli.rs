use std::path::Path;
use std::process::{Output, Stdio};

use crate::both_backends;
use crate::helpers::{
    hailong_command, repo_definitions, serve_binary, stored_rows, Backend, TestDatabase,
};

both_backends!(import_is_all_or_nothing_and_replay_safe);
both_backends!(a_large_import_is_judged_across_its_chunks);
both_backends!(identical_id_less_rows_are_numbered_across_pages);

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_reports_every_fault_with_file_and_path_and_serve_refuses_to_start() {
    let database = TestDatabase::new(Backend::Sqlite);
    let definitions = database.dir().join("definitions");
    copy_dir(&repo_definitions(), &definitions);

    let ok = hailong_command(&database.url, &definitions)
        .arg("check")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("6 questionnaires"));

    // A duplicate key in a survey's own section, a key clashing with an
    // included fragment, an unknown fragment, a bad index rule and a unit of
    // an unknown department.
    let survey = definitions.join("surveys/construction-permit.toml");
    let text = std::fs::read_to_string(&survey).unwrap();
    let text = text
        .replace(
            "{ key = \"X3\", kind = \"likert\"",
            "{ key = \"X1\", kind = \"likert\"",
        )
        .replace(
            "{ key = \"X2\", kind = \"likert\"",
            "{ key = \"P3\", kind = \"likert\"",
        )
        .replace("include = \"respondent\"", "include = \"respondents\"");
    std::fs::write(&survey, text).unwrap();
    let education = definitions.join("surveys/education.toml");
    let text = std::fs::read_to_string(&education).unwrap().replace(
        "index_rule = \"mean_of_elements\"",
        "index_rule = \"median\"",
    );
    std::fs::write(&education, text).unwrap();
    let units = definitions.join("units.toml");
    let text = std::fs::read_to_string(&units).unwrap().replacen(
        "department = \"health\"",
        "department = \"transport\"",
        1,
    );
    std::fs::write(&units, text).unwrap();

    let check = hailong_command(&database.url, &definitions)
        .arg("check")
        .output()
        .unwrap();
    assert!(!check.status.success());
    let report = stderr(&check);
    for expected in [
        "surveys/construction-permit.toml: sections[1].items[1]: duplicate key \"P3\"",
        "surveys/construction-permit.toml: sections[1].items[2]: duplicate key \"X1\"",
        "surveys/construction-permit.toml: sections[4].include: unknown fragment \"respondents\"",
        "surveys/education.toml: index_rule: unknown variant `median`",
        "units.toml: units[0].department: unknown department \"transport\"",
    ] {
        assert!(
            report.contains(expected),
            "expected {expected:?} in:\n{report}"
        );
    }
    assert!(report.contains("5 fault(s)"), "{report}");

    let serve = hailong_command(&database.url, &definitions)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(
        !serve.status.success(),
        "serve must refuse invalid definitions"
    );
    assert!(stderr(&serve).contains("duplicate key \"P3\""));
}

const HEADER: &str = "id,unit,submitted_on,channel,A1,A2,B1,C6,G2,G1,INSURED,GENDER,comment";

async fn import_is_all_or_nothing_and_replay_safe(backend: Backend) {
    let database = TestDatabase::new(backend);
    let definitions = repo_definitions();
    let csv = database.dir().join("paper.csv");
    let good = format!(
        "\u{feff}{HEADER}\n\
         0f8fad5b-d9cb-469f-a165-70867728950e,bv-dk-kien-giang,2026-07-14,,4,5,3,NA,certainly,80,1,female,\"Chờ lâu, nhưng bác sĩ tận tình\"\n\
         ,bv-dktt-an-giang,2026-07-15,paper,2,,1,4,maybe,55,0,,\n\
         ,bv-dktt-an-giang,2026-07-15,paper,2,,1,4,maybe,55,0,,\n\
         ,tyt-phu-quoc,2026-09-30,paper,5,5,5,5,,100,,male,\n"
    );
    std::fs::write(&csv, &good).unwrap();
    let import = |path: &Path| {
        hailong_command(&database.url, &definitions)
            .args(["import", "--survey", "health-outpatient"])
            .arg(path)
            .output()
            .unwrap()
    };
    let first = import(&csv);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first).trim(), "imported 4, replays 0");
    let second = import(&csv);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stdout(&second).trim(),
        "imported 0, replays 4",
        "importing a file twice is safe"
    );

    let db = hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(10)).unwrap();
    let rows = stored_rows(&db);
    assert_eq!(rows.len(), 4, "two identical paper forms are two responses");
    let first_row = rows
        .iter()
        .find(|r| r.id == "0f8fad5b-d9cb-469f-a165-70867728950e")
        .unwrap();
    assert_eq!(first_row.channel, "paper");
    assert_eq!(first_row.submitted_on, "2026-07-14");
    assert_eq!(
        first_row.comment.as_deref(),
        Some("Chờ lâu, nhưng bác sĩ tận tình")
    );
    let answers: serde_json::Value = serde_json::from_str(&first_row.answers).unwrap();
    assert_eq!(
        answers,
        serde_json::json!({"A1": 4, "A2": 5, "B1": 3, "C6": "na", "G2": "certainly", "G1": 80, "INSURED": true, "GENDER": "female"})
    );
    assert!(
        rows.iter().all(|r| r.channel == "paper"),
        "imported rows are paper"
    );

    // One bad file: nothing imported, every bad row reported by line and column.
    let bad = format!(
        "{HEADER}\n\
         ,bv-dk-kien-giang,2026-07-01,,4,5,3,,,,,,\n\
         ,bv-dk-kien-giang,2026-07-01,,9,5,3,,,,,,\n\
         ,nowhere,2026-07-01,,4,5,3,,,,,,\n\
         ,bv-dk-kien-giang,01/07/2026,fax,4,5,3,,,201,maybe,,\n\
         0f8fad5b-d9cb-469f-a165-70867728950e,bv-dk-kien-giang,2026-07-14,,1,1,1,,,,,,\n"
    );
    let bad_csv = database.dir().join("bad.csv");
    std::fs::write(&bad_csv, bad).unwrap();
    let refused = import(&bad_csv);
    assert!(!refused.status.success());
    let report = stderr(&refused);
    for expected in [
        "line 3, column A1:",
        "line 4, column unit: unknown service point \"nowhere\"",
        "line 5, column submitted_on:",
        "line 5, column channel:",
        "line 5, column G1:",
        "line 5, column INSURED:",
        "line 6, column id: this id is already used by a different response",
    ] {
        assert!(
            report.contains(expected),
            "expected {expected:?} in:\n{report}"
        );
    }
    assert!(!report.contains("line 2,"), "line 2 is valid:\n{report}");
    assert_eq!(stored_rows(&db).len(), 4, "a bad file imports nothing");

    let unknown_column = database.dir().join("columns.csv");
    std::fs::write(
        &unknown_column,
        "unit,submitted_on,A1,Z9\nbv-dk-kien-giang,2026-07-01,4,1\n",
    )
    .unwrap();
    let refused = import(&unknown_column);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("line 1, column Z9"),
        "{}",
        stderr(&refused)
    );
}

/// A file of several chunks (the import checks 1,000 rows at a time on two
/// threads, and stages and stores 5,000 at a time): an id used twice with
/// different answers is a conflict wherever the two rows fall, a file with
/// faults lists at most 1,000 of them and counts all, in line order, and
/// the corrected file is stored whole.
async fn a_large_import_is_judged_across_its_chunks(backend: Backend) {
    let database = TestDatabase::new(backend);
    let definitions = repo_definitions();
    let import = |name: &str, body: &str| {
        let path = database.dir().join(name);
        std::fs::write(&path, body).unwrap();
        hailong_command(&database.url, &definitions)
            .args(["import", "--survey", "health-outpatient"])
            .arg(&path)
            .output()
            .unwrap()
    };
    const ROWS: usize = 12_000;
    let row = |i: usize, a1: u8| {
        format!(
            "{},bv-dk-kien-giang,2026-07-{:02},,{a1},5,3,,,,,,\n",
            uuid::Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 + i as u128),
            1 + i % 28
        )
    };
    // The 4,999th row in id order and the last two lines carry the same id,
    // the last two with other answers: in id order the first two end the
    // first chunk and the third starts the second, where it must still be
    // judged against the first (not against the second, which it equals).
    let mut body = String::from(HEADER) + "\n";
    for i in 0..ROWS {
        body += &row(i, 4);
    }
    let repeat = row(4_998, 1);
    body += &repeat;
    body += &repeat;
    let refused = import("conflict.csv", &body);
    assert!(!refused.status.success());
    let report = stderr(&refused);
    assert!(
        report.contains("nothing imported: 2 fault(s)\n"),
        "{report}"
    );
    for line in [ROWS + 2, ROWS + 3] {
        assert!(
            report.contains(&format!(
                "line {line}, column id: this id is already used by a different response"
            )),
            "{report}"
        );
    }

    // 1,500 bad rows as well: nothing is stored, conflicts are still found
    // across chunks; 1,000 faults listed, all counted.
    let mut bad = body.clone();
    for _ in 0..1_500 {
        bad += ",nowhere,2026-07-01,,4,5,3,,,,,,\n";
    }
    let refused = import("faults.csv", &bad);
    assert!(!refused.status.success());
    let report = stderr(&refused);
    assert!(
        report.contains("nothing imported: 1502 fault(s)\n"),
        "{report}"
    );
    assert!(
        report.contains("… and 502 more (the first 1000 found are listed)"),
        "{report}"
    );
    assert_eq!(
        report.matches("unknown service point").count(),
        1_000,
        "{report}"
    );
    let db = hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(10)).unwrap();
    assert!(stored_rows(&db).is_empty(), "a refused file stores nothing");

    // Faults scattered through the file are listed in line order, whichever
    // thread checked their rows (a thousand rows at a time, on two).
    let mut scattered = String::from(HEADER) + "\n";
    let mut bad_lines = Vec::new();
    for i in 0..ROWS {
        if i % 997 == 5 {
            scattered += ",nowhere,2026-07-01,,4,5,3,,,,,,\n";
            bad_lines.push(i + 2);
        } else {
            scattered += &row(i, 4);
        }
    }
    let refused = import("scattered.csv", &scattered);
    assert!(!refused.status.success());
    let report = stderr(&refused);
    let listed: Vec<usize> = report
        .lines()
        .filter_map(|line| line.strip_prefix("line "))
        .filter_map(|rest| rest.split(',').next()?.parse().ok())
        .collect();
    assert_eq!(listed, bad_lines, "{report}");
    assert!(stored_rows(&db).is_empty(), "a refused file stores nothing");

    // Without the last line the file is stored whole, and again it is all
    // replays.
    let good = &body[..body.len() - 2 * repeat.len()];
    let first = import("good.csv", good);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first).trim(), format!("imported {ROWS}, replays 0"));
    let again = import("good.csv", good);
    assert_eq!(stdout(&again).trim(), format!("imported 0, replays {ROWS}"));
    assert_eq!(stored_rows(&db).len(), ROWS);
}

/// Identical rows without an id are numbered in file order across the
/// import's pages (5,000 rows): each keeps the id derived from the survey,
/// its occurrence number and its fields, the derivation every earlier
/// import used, so files imported before are still recognised as replays.
async fn identical_id_less_rows_are_numbered_across_pages(backend: Backend) {
    let database = TestDatabase::new(backend);
    let definitions = repo_definitions();
    let path = database.dir().join("alike.csv");
    // Two forms, 6,000 copies of each, interleaved, and one form once.
    let alike = [
        ",bv-dk-kien-giang,2026-07-01,,4,5,3,,,,,,",
        ",tyt-phu-quoc,2026-07-02,paper,2,2,1,NA,,,,,",
    ];
    let once = ",bv-dktt-an-giang,2026-07-03,,5,5,5,5,,,,,";
    let mut body = String::from(HEADER) + "\n";
    for _ in 0..6_000 {
        for row in alike {
            body += row;
            body += "\n";
        }
    }
    body += once;
    body += "\n";
    std::fs::write(&path, &body).unwrap();
    let import = || {
        hailong_command(&database.url, &definitions)
            .args(["import", "--survey", "health-outpatient"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let first = import();
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first).trim(), "imported 12001, replays 0");
    let again = import();
    assert_eq!(stdout(&again).trim(), "imported 0, replays 12001");

    // The derivation, spelled out: version-5 UUIDs in the import's
    // namespace of "survey ␟ n ␟ the row's fields joined by ␟".
    let namespace = uuid::Uuid::from_u128(0x5b1e_63a4_8f0d_4c39_9a57_2f1d_0c7e_4b11);
    let id = |n: usize, row: &str| {
        let fields = row.split(',').collect::<Vec<_>>().join("\u{1f}");
        uuid::Uuid::new_v5(
            &namespace,
            format!("health-outpatient\u{1f}{n}\u{1f}{fields}").as_bytes(),
        )
        .to_string()
    };
    let mut expected: Vec<String> = (1..=6_000)
        .flat_map(|n| alike.map(|row| id(n, row)))
        .chain([id(1, once)])
        .collect();
    expected.sort();
    let db = hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(10)).unwrap();
    let mut stored: Vec<String> = stored_rows(&db).into_iter().map(|row| row.id).collect();
    stored.sort();
    assert_eq!(stored.len(), expected.len());
    assert!(
        stored == expected,
        "the ids derived are the ones spelled out"
    );
}

#[test]
fn simulation_is_reproducible_and_valid() {
    let run = |seed: &str| {
        let database = TestDatabase::new(Backend::Sqlite);
        let simulate = || {
            hailong_command(&database.url, &repo_definitions())
                .args([
                    "simulate",
                    "--survey",
                    "land-use-certificate",
                    "--responses",
                    "300",
                ])
                .args(["--from", "2026-01-01", "--to", "2026-06-30", "--seed", seed])
                .output()
                .unwrap()
        };
        let first = simulate();
        assert!(first.status.success(), "{}", stderr(&first));
        assert_eq!(
            stdout(&first).trim(),
            "land-use-certificate: simulated 300, already present 0"
        );
        let again = simulate();
        assert_eq!(
            stdout(&again).trim(),
            "land-use-certificate: simulated 0, already present 300"
        );
        let db =
            hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(10)).unwrap();
        stored_rows(&db)
    };
    let a = run("7");
    let b = run("7");
    let c = run("8");
    assert_eq!(a, b, "the same seed gives the same data");
    assert_ne!(a, c);
    assert!(a.iter().all(|r| r.channel == "simulated"));
    assert!(a
        .iter()
        .all(|r| ("2026-01-01".."2026-07-01").contains(&r.submitted_on.as_str())));
    // Realistic variety: several service points, some "not applicable", some comments.
    let units: std::collections::BTreeSet<&str> = a.iter().map(|r| r.unit.as_str()).collect();
    assert!(units.len() >= 4);
    assert!(a.iter().any(|r| r.likert.contains('N')));
    assert!(a.iter().any(|r| r.comment.is_some()));
    let satisfied = a
        .iter()
        .flat_map(|r| r.likert.chars())
        .filter(|c| *c == '4' || *c == '5')
        .count();
    let scored = a
        .iter()
        .flat_map(|r| r.likert.chars())
        .filter(|c| c.is_ascii_digit())
        .count();
    let share = satisfied as f64 / scored as f64;
    assert!((0.55..0.95).contains(&share), "share satisfied {share}");
}

#[test]
fn a_newcomer_reaches_a_filled_form_and_the_thank_you_page() {
    let database = TestDatabase::new(Backend::Sqlite);
    let (mut child, address) = serve_binary(
        hailong_command(&database.url, &repo_definitions()),
        &["--demo"],
        Stdio::null(),
    );
    let result = std::panic::catch_unwind(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let html = client
                .get(format!(
                    "{address}/s/health-outpatient?unit=bv-dktt-an-giang"
                ))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let value = |name: &str| {
                let marker = format!("name=\"{name}\" value=\"");
                let start = html.find(&marker).unwrap() + marker.len();
                html[start..start + html[start..].find('"').unwrap()].to_string()
            };
            let body = format!(
                "id={}&version={}&lang=vi&unit=bv-dktt-an-giang&A1=5&B7=2&D1=4",
                value("id"),
                value("version")
            );
            let sent = client
                .post(format!("{address}/s/health-outpatient"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(sent.status(), 303);
            let thanks = client
                .get(format!(
                    "{address}{}",
                    sent.headers()["location"].to_str().unwrap()
                ))
                .send()
                .await
                .unwrap();
            assert!(thanks
                .text()
                .await
                .unwrap()
                .contains("Xin trân trọng cảm ơn Ông/Bà!"));
        });
    });
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();
    let db = hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(10)).unwrap();
    let rows = stored_rows(&db);
    assert_eq!(
        rows.iter().filter(|r| r.channel == "simulated").count(),
        6 * 2000,
        "demo data"
    );
    assert_eq!(rows.iter().filter(|r| r.channel == "web").count(), 1);
}
