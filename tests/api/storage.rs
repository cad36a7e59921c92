//! Roles are typed twice over in storage: the schema refuses a role that is
//! not one (CHECK constraints on both backends), and the code reads the
//! column as `RoleKind`, so a value that slipped past would be an error on
//! read rather than a string passed on (`RoleKind::parse`, unit-tested).

use diesel::RunQueryDsl;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(the_schema_refuses_a_role_that_is_no_role);

async fn the_schema_refuses_a_role_that_is_no_role(backend: Backend) {
    let app = spawn_app(backend).await;
    app.cli_ok(&[
        "token",
        "create",
        "--role",
        "home-affairs",
        "--name",
        "fine",
    ]);
    for statement in [
        "UPDATE api_tokens SET role = 'root'",
        "UPDATE api_tokens SET role = 'admin'",
    ] {
        let refused = diesel::sql_query(statement).execute(&mut *app.db().writer().unwrap());
        assert_check_violation(refused, statement);
    }
    assert!(app.cli_ok(&["token", "list"]).contains("\thome-affairs\t"));
}

/// While serving, SQLite commits leave WAL checkpoints to a thread of their
/// own (a commit that checkpoints makes every submission queued behind it
/// wait): connections stop checkpointing, and the thread keeps the WAL
/// copied into the database.
#[test]
fn sqlite_checkpoints_happen_in_the_background() {
    use diesel::sql_types::BigInt;

    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = BigInt)]
        wal_autocheckpoint: i64,
    }

    let (database, db) = migrated_sqlite();
    db.checkpoint_in_background(
        std::time::Duration::from_millis(50),
        hailong::db::WAL_RESTART_FRAMES,
    );
    let setting = |conn: &mut hailong::db::Conn| {
        diesel::sql_query("PRAGMA wal_autocheckpoint")
            .get_result::<Setting>(conn)
            .unwrap()
            .wal_autocheckpoint
    };
    assert_eq!(setting(&mut db.writer().unwrap()), 0);
    assert_eq!(setting(&mut db.reader().unwrap()), 0);
    let before = std::fs::metadata(database.url.trim_start_matches("sqlite://"))
        .unwrap()
        .len();
    // More than the 1,000 pages at which a commit would checkpoint.
    for batch in 0..40 {
        commit_marks(&db, batch, 200);
    }
    // Neither commits nor this test checkpoint: what reaches the database
    // file was copied there by the thread.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let file = database.url.trim_start_matches("sqlite://").to_string();
    let size = |path: &str| std::fs::metadata(path).unwrap().len();
    assert!(
        size(&file) > before + 2_000_000,
        "the database file grew from {before} to {} bytes",
        size(&file)
    );
}

/// The hourly upkeep empties SQLite's WAL (`TRUNCATE`), which waits for
/// readers of the log while it holds the write lock: beside a long read
/// (an export, the rebuild of index sums) it used to hold every write for
/// the whole busy timeout, ten seconds. It waits a moment at most, leaves
/// the log to a later try, and empties it once the reader is gone.
#[test]
fn emptying_the_wal_does_not_hold_up_writes_behind_a_long_read() {
    use diesel::Connection;
    use std::time::{Duration, Instant};

    let (database, db) = migrated_sqlite();
    db.checkpoint_in_background(Duration::from_secs(3600), hailong::db::WAL_RESTART_FRAMES);
    let mark = |db: &hailong::db::Db, name: String| {
        db.write_tx(|conn| -> Result<(), hailong::db::DbError> {
            diesel::sql_query(format!(
                "INSERT INTO storage_marks (name, through) VALUES ('{name}', '2026-01-01')"
            ))
            .execute(conn)?;
            Ok(())
        })
        .unwrap()
    };
    mark(&db, "before".into());
    let wal = wal_path(&database);
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);

    // A reader of the log, for four seconds.
    let (reading, is_reading) = std::sync::mpsc::channel();
    let url = database.url.clone();
    let reader = std::thread::spawn(move || {
        let mut conn = diesel::SqliteConnection::establish(&url).unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::sql_query("SELECT name FROM storage_marks").execute(conn)?;
            reading.send(()).unwrap();
            std::thread::sleep(Duration::from_secs(4));
            Ok(())
        })
        .unwrap();
    });
    is_reading.recv().unwrap();
    // Writes while the upkeep runs: none waits long.
    let writes = {
        let db = db.clone();
        std::thread::spawn(move || {
            let mut slowest = Duration::ZERO;
            let started = Instant::now();
            let mut n = 0;
            while started.elapsed() < Duration::from_secs(3) {
                let write = Instant::now();
                mark(&db, format!("during-{n}"));
                slowest = slowest.max(write.elapsed());
                n += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            slowest
        })
    };
    let today = chrono::Utc::now().date_naive();
    hailong::services::collect::settle_arrival_order(&db, today).unwrap();
    let slowest = writes.join().unwrap();
    assert!(
        slowest < Duration::from_secs(1),
        "a write waited {slowest:?} for the upkeep"
    );
    reader.join().unwrap();
    hailong::services::collect::settle_arrival_order(&db, today).unwrap();
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        0,
        "emptied once the reader is gone"
    );
}

/// Under steady writes SQLite's WAL never starts over by itself (a commit
/// lands while every checkpoint copies), so it grew by gigabytes a minute
/// at saturation. Once it holds the bound's frames, the checkpoint thread
/// catches up, the writer copies the rest and the next write starts the
/// log over: the file stays near the bound while the writes never pause.
#[test]
fn a_wal_under_steady_writes_starts_over_near_its_bound() {
    use std::time::{Duration, Instant};

    const BOUND_FRAMES: i64 = 1_000;
    let (database, db) = migrated_sqlite();
    db.checkpoint_in_background(Duration::from_millis(20), BOUND_FRAMES);
    let wal = wal_path(&database);
    let writes = {
        let db = db.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut commits = 0;
            while started.elapsed() < Duration::from_secs(3) {
                // Rows of 400 characters: fifteen pages a commit at least.
                commit_marks(&db, commits, 150);
                commits += 1;
            }
            commits
        })
    };
    let mut largest = 0;
    while !writes.is_finished() {
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        std::thread::sleep(Duration::from_millis(5));
    }
    let commits = writes.join().unwrap();
    let bound = BOUND_FRAMES as u64 * 4096;
    // Written without a start over, the log would hold every commit's pages.
    assert!(
        commits * 15 > 5 * BOUND_FRAMES,
        "only {commits} commits: too few to tell"
    );
    assert!(
        largest < 4 * bound,
        "the WAL reached {largest} bytes for a bound of {bound} ({commits} commits)"
    );
}

/// One commit of `rows` rows of random names, 400 characters each, into
/// `storage_marks`: pages enough to fill the WAL.
fn commit_marks(db: &hailong::db::Db, commit: i64, rows: u32) {
    db.write_tx(|conn| -> Result<(), hailong::db::DbError> {
        diesel::sql_query(format!(
            "INSERT INTO storage_marks (name, through)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             SELECT '{commit}-' || i || '-' || hex(randomblob(200)), '2026-01-01' FROM n"
        ))
        .execute(conn)?;
        Ok(())
    })
    .unwrap();
}

/// A batch of submissions on SQLite commits without waiting for the disk
/// (`synchronous = NORMAL`, that transaction only) and is answered after
/// `Db::sync_wal`; every other write on the writer connection, one after a
/// failed batch included, still waits for the disk at its commit.
#[test]
fn only_a_commit_synced_later_skips_the_wait_for_the_disk() {
    #[derive(diesel::QueryableByName)]
    struct Synchronous {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    fn synchronous(conn: &mut hailong::db::Conn) -> i32 {
        diesel::sql_query("PRAGMA synchronous")
            .get_result::<Synchronous>(conn)
            .unwrap()
            .synchronous
    }
    const NORMAL: i32 = 1;
    const FULL: i32 = 2;

    let (database, db) = migrated_sqlite();
    let inside = db
        .write_tx_synced_later(|conn| -> Result<i32, hailong::db::DbError> {
            diesel::sql_query(
                "INSERT INTO storage_marks (name, through) VALUES ('a', '2026-01-01')",
            )
            .execute(conn)?;
            Ok(synchronous(conn))
        })
        .unwrap();
    assert_eq!(inside, NORMAL);
    assert_eq!(synchronous(&mut db.writer().unwrap()), FULL);
    let failed = db.write_tx_synced_later(|conn| -> Result<(), hailong::db::DbError> {
        assert_eq!(synchronous(conn), NORMAL);
        diesel::sql_query("INSERT INTO no_such_table VALUES (1)").execute(conn)?;
        Ok(())
    });
    assert!(failed.is_err());
    assert_eq!(synchronous(&mut db.writer().unwrap()), FULL);
    db.sync_wal().unwrap();

    // A log no longer there (SQLite deletes it with the last connection,
    // once copied) holds nothing to sync.
    let wal = wal_path(&database);
    std::fs::remove_file(&wal).unwrap();
    db.sync_wal().unwrap();
}

/// The runway of zeros laid at the end of SQLite's WAL is appended while
/// the writer commits: no zero lands on a frame. A copy of the files taken
/// as they are on the disk (as after a power cut) recovers every commit,
/// the one before the zeros and those written over them, and nothing else.
#[test]
fn a_runway_laid_while_commits_land_loses_none_of_them() {
    use diesel::Connection;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    const ROWS: u32 = 20;
    const RUNWAY: u64 = 48 << 20;

    let (database, db) = migrated_sqlite();
    // No checkpoint during the test: every commit stays in the log.
    db.checkpoint_in_background(Duration::from_secs(3600), hailong::db::WAL_RESTART_FRAMES);
    let path = database.url.trim_start_matches("sqlite://").to_string();
    let wal = format!("{path}-wal");
    commit_marks(&db, 0, ROWS);

    let laying = Arc::new(AtomicBool::new(true));
    let writes = {
        let (db, laying) = (db.clone(), laying.clone());
        std::thread::spawn(move || {
            let mut commits = 1;
            let mut after = 0;
            // On while the zeros are laid, and as long again after.
            while laying.load(Ordering::Acquire) || after < commits {
                commit_marks(&db, commits, ROWS);
                commits += 1;
                if !laying.load(Ordering::Acquire) {
                    after += 2;
                }
            }
            commits
        })
    };
    // A megabyte at a time, each synced: many commits in between.
    let laid: u64 = (1..=RUNWAY >> 20)
        .map(|mb| db.lay_wal_runway(mb << 20).unwrap())
        .sum();
    laying.store(false, Ordering::Release);
    let commits = writes.join().unwrap();
    db.sync_wal().unwrap();
    assert!(laid > 0, "zeros were laid");
    assert!(
        commits > 10,
        "only {commits} commits while the runway was laid: too few to tell"
    );
    assert!(std::fs::metadata(&wal).unwrap().len() >= RUNWAY);

    let copy = tempfile::tempdir().unwrap();
    let copied = copy.path().join("copy.db");
    std::fs::copy(&wal, format!("{}-wal", copied.display())).unwrap();
    std::fs::copy(&path, &copied).unwrap();
    let mut recovered = diesel::SqliteConnection::establish(&copied.to_string_lossy()).unwrap();
    let stored = diesel::sql_query("SELECT COUNT(*) AS n FROM storage_marks")
        .get_result::<Count>(&mut recovered)
        .unwrap()
        .n;
    assert_eq!(stored, commits * i64::from(ROWS));
    let check = diesel::sql_query("PRAGMA integrity_check")
        .get_result::<Check>(&mut recovered)
        .unwrap()
        .integrity_check;
    assert_eq!(check, "ok");
}

/// The runway stops at the WAL's size once it starts over, which SQLite
/// would cut the file back to; a second call lays nothing.
#[test]
fn the_runway_stops_at_the_size_the_wal_starts_over_at() {
    use std::time::Duration;

    const BOUND_FRAMES: i64 = 1_000;
    let (database, db) = migrated_sqlite();
    db.checkpoint_in_background(Duration::from_secs(3600), BOUND_FRAMES);
    commit_marks(&db, 0, 1);
    let wal = wal_path(&database);
    db.lay_wal_runway(1 << 30).unwrap();
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        BOUND_FRAMES as u64 * 4096
    );
    assert_eq!(db.lay_wal_runway(1 << 30).unwrap(), 0);
}

/// Storing a response on SQLite builds no temporary table: its CHECK
/// constraints are comparisons, which SQLite evaluates in place, where
/// `channel IN (…)` made it build and tear down a B-tree of the list for
/// every row. They still refuse what they refused.
#[test]
fn sqlite_checks_a_stored_response_without_temporary_tables() {
    #[derive(diesel::QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        opcode: String,
    }
    let insert = |channel: &str, design: &str| {
        format!(
            "INSERT INTO responses (id, survey_version, unit, submitted_on, channel, answers, likert, comment, design)
             VALUES ('r', 'v', 'u', '2026-01-01', '{channel}', '{{}}', '', NULL, '{design}')
             ON CONFLICT DO NOTHING"
        )
    };
    let (_database, db) = migrated_sqlite();
    let mut conn = db.writer().unwrap();
    let steps: Vec<String> =
        diesel::sql_query(format!("EXPLAIN {}", insert("web", "self_selected")))
            .load::<Step>(&mut *conn)
            .unwrap()
            .into_iter()
            .map(|step| step.opcode)
            .collect();
    assert!(
        steps
            .iter()
            .any(|opcode| opcode == "Insert" || opcode == "IdxInsert"),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|opcode| opcode == "OpenEphemeral"),
        "{steps:?}"
    );
    for (channel, design) in [
        ("fax", "self_selected"),
        ("web", "census"),
        ("Web", "self_selected"),
    ] {
        let refused = diesel::sql_query(insert(channel, design)).execute(&mut *conn);
        assert_check_violation(refused, &format!("{channel} / {design}"));
    }
}

/// That `result` is a CHECK constraint's refusal (`what` names the case).
fn assert_check_violation(result: diesel::QueryResult<usize>, what: &str) {
    assert!(
        matches!(
            result,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::CheckViolation,
                _
            ))
        ),
        "{what}: {result:?}"
    );
}

/// A migrated SQLite database of its own, and the service's handle on it.
fn migrated_sqlite() -> (crate::helpers::TestDatabase, hailong::db::Db) {
    let database = crate::helpers::TestDatabase::new(Backend::Sqlite);
    let db = hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(10)).unwrap();
    db.migrate().unwrap();
    (database, db)
}

/// The path of the WAL file beside `database`.
fn wal_path(database: &crate::helpers::TestDatabase) -> String {
    format!("{}-wal", database.url.trim_start_matches("sqlite://"))
}
