//! Writes and their audit rows are one transaction, and an import plans and
//! stores inside one write transaction, so concurrent writers never turn a
//! clean import into an error.

use std::process::Stdio;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(
    concurrent_imports_of_one_file_both_succeed,
    every_change_is_audited_and_a_refused_one_leaves_no_row,
);

async fn concurrent_imports_of_one_file_both_succeed(backend: Backend) {
    let app = spawn_app(backend).await;
    const ROWS: usize = 3000;
    let mut csv = String::from("unit,submitted_on,A1,P1\n");
    for i in 0..ROWS {
        // Distinct rows, so every row gets its own derived id.
        let day = 1 + i % 28;
        let score = 1 + i % 5;
        csv.push_str(&format!(
            "hcc-long-xuyen-xd,2026-02-{day:02},{score},{}\n",
            1 + (i / 5) % 5
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.csv");
    std::fs::write(&file, csv).unwrap();
    let start = || {
        app.command()
            .args(["import", "--survey", "construction-permit"])
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(), start());
    let mut imported = 0;
    let mut replays = 0;
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let (i, r) = line
            .strip_prefix("imported ")
            .and_then(|rest| rest.split_once(", replays "))
            .unwrap_or_else(|| panic!("{line}"));
        imported += i.parse::<usize>().unwrap();
        replays += r.parse::<usize>().unwrap();
    }
    assert_eq!(imported, ROWS, "every row stored once");
    assert_eq!(replays, ROWS, "the other import saw each row as a replay");
    assert_eq!(app.stored_rows().len(), ROWS);
}

async fn every_change_is_audited_and_a_refused_one_leaves_no_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let audit = || {
        hailong::db::audit::recent(&mut app.db().reader().unwrap(), 100)
            .unwrap()
            .into_iter()
            .map(|a| (a.actor, a.action, a.detail))
            .collect::<Vec<_>>()
    };
    app.create_token(&["--role", "home-affairs", "--name", "reports"]);
    app.cli_ok(&["token", "revoke", "reports"]);
    let entries = audit();
    assert!(
        entries.iter().any(|(actor, action, detail)| actor == "cli"
            && action == "token.create"
            && detail.contains("reports")),
        "{entries:?}"
    );
    assert!(
        entries.contains(&("cli".into(), "token.revoke".into(), "reports".into())),
        "{entries:?}"
    );

    // Refused actions change nothing and record nothing.
    let before = audit().len();
    for args in [
        ["token", "revoke", "no-such-token"],
        ["user", "disable", "nobody-here"],
    ] {
        let out = app.command().args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
    }
    assert_eq!(audit().len(), before, "no audit row for a refused action");
}
