//! Faults under load: the server killed with SIGKILL while submissions
//! arrive, restarted, and every unacknowledged submission retried. Nothing
//! acknowledged is lost, nothing is stored twice, no row is half-written.

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::both_backends;
use crate::helpers::{
    hailong_command, repo_definitions, serve_binary, stored_rows, Backend, TestDatabase,
};

both_backends!(killed_under_load_nothing_acknowledged_is_lost);

/// Starts `hailong serve` on a free port; returns the child and its address.
fn serve(url: &str) -> (Child, String) {
    let mut command = hailong_command(url, &repo_definitions());
    command.env("HAILONG_SESSION_KEY", SESSION_KEY);
    serve_binary(command, &[], Stdio::null())
}

const SESSION_KEY: &str = "fault-test-only-session-key-0123456789";

fn body(id: &str, i: usize) -> serde_json::Value {
    let units = ["bv-dk-kien-giang", "bv-dktt-an-giang", "tyt-thoai-son"];
    serde_json::json!({
        "id": id, "unit": units[i % 3],
        "answers": {"A1": 1 + i % 5, "B1": 1 + (i / 5) % 5, "G2": "certainly"},
        "comment": format!("response {i}")
    })
}

async fn killed_under_load_nothing_acknowledged_is_lost(backend: Backend) {
    let database = TestDatabase::new(backend);
    // Migrations and versions first, so the first server starts quickly.
    let (mut first, address) = serve(&database.url);
    const N: usize = 300;
    let ids: Vec<String> = (0..N).map(|_| crate::helpers::new_id()).collect();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let url = format!("{address}/api/v1/surveys/health-outpatient/responses");

    // Eight clients send; the server is killed after the first acknowledgements.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(HashSet::new()));
    let mut senders = Vec::new();
    for worker in 0..8 {
        let (client, url, ids, acknowledged) = (
            client.clone(),
            url.clone(),
            ids.clone(),
            acknowledged.clone(),
        );
        senders.push(tokio::spawn(async move {
            for i in (worker..N).step_by(8) {
                if let Ok(response) = client.post(&url).json(&body(&ids[i], i)).send().await {
                    if matches!(response.status().as_u16(), 200 | 201) {
                        acknowledged.lock().unwrap().insert(i);
                    }
                }
            }
        }));
    }
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if acknowledged.lock().unwrap().len() >= N / 4 {
            break;
        }
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    for sender in senders {
        sender.await.unwrap();
    }
    let acknowledged_before: HashSet<usize> = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged_before.len() < N,
        "the kill came before the end"
    );

    // Restarted, every client retries everything it sent; replays are 200.
    let (mut second, address) = serve(&database.url);
    let url = format!("{address}/api/v1/surveys/health-outpatient/responses");
    for (i, id) in ids.iter().enumerate() {
        let response = client.post(&url).json(&body(id, i)).send().await.unwrap();
        let status = response.status().as_u16();
        assert!(status == 200 || status == 201, "retry {i}: {status}");
        if acknowledged_before.contains(&i) {
            assert_eq!(status, 200, "an acknowledged response {i} is stored");
        }
    }
    second.kill().unwrap();
    second.wait().unwrap();

    let db = hailong::db::Db::connect(&database.url, Duration::from_secs(5)).unwrap();
    let rows = stored_rows(&db);
    assert_eq!(rows.len(), N, "every response once");
    let stored: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(stored.len(), N, "no id twice");
    for (i, id) in ids.iter().enumerate() {
        let row = rows.iter().find(|r| &r.id == id).expect("stored");
        assert_eq!(
            row.comment.as_deref(),
            Some(format!("response {i}").as_str())
        );
        assert!(
            row.answers.contains("\"G2\":\"certainly\""),
            "{}",
            row.answers
        );
    }
}

/// PostgreSQL stopped under the service: answers turn to a quick 503 with
/// Retry-After (readiness too, liveness not), and once the server is back
/// the service recovers by itself, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_then_back_gives_a_quick_503_and_recovers() {
    if crate::postgres::cluster().is_none() {
        return;
    }
    let private = crate::postgres::PrivateCluster::start().expect("a private cluster");
    let url = private.0.fresh_database();
    let mut command = hailong_command(&url, &repo_definitions());
    command
        .env("HAILONG_SESSION_KEY", SESSION_KEY)
        .env("HAILONG_DB_WAIT_SECONDS", "1");
    let (mut child, address) = serve_binary(command, &[], Stdio::null());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let submit = |i: usize| {
        let (client, url) = (
            client.clone(),
            format!("{address}/api/v1/surveys/health-outpatient/responses"),
        );
        async move {
            client
                .post(url)
                .json(&body(&crate::helpers::new_id(), i))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(submit(0).await.status(), 201);

    private.0.stop();
    let started = std::time::Instant::now();
    let refused = submit(1).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "5");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered in {:?}",
        started.elapsed()
    );
    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let live = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);

    private.0.resume();
    let mut recovered = false;
    let mut seen = Vec::new();
    for attempt in 2..20 {
        let answer = submit(attempt).await;
        let status = answer.status();
        if status == 201 {
            recovered = true;
            break;
        }
        seen.push((status.as_u16(), answer.text().await.unwrap_or_default()));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        recovered,
        "the service recovered without a restart: {seen:?}"
    );
    let db = hailong::db::Db::connect(&url, Duration::from_secs(5)).unwrap();
    assert_eq!(
        crate::helpers::stored_rows(&db).len(),
        2,
        "the response acknowledged before the stop and the one after it"
    );
    assert_eq!(ready.status(), 200);
}

both_backends!(terminated_mid_request_finishes_what_it_accepted);

/// SIGTERM (what a service manager sends to stop or redeploy) while a
/// submission's body is still arriving: the service stops accepting
/// connections, answers and stores that submission, then exits 0.
async fn terminated_mid_request_finishes_what_it_accepted(backend: Backend) {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    let database = TestDatabase::new(backend);
    let (mut server, address) = serve(&database.url);
    let host = address.trim_start_matches("http://").to_string();
    let id = crate::helpers::new_id();
    let body = body(&id, 7).to_string();
    let (first_half, second_half) = body.as_bytes().split_at(body.len() / 2);

    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /api/v1/surveys/health-outpatient/responses HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(first_half).unwrap();
    stream.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // SAFETY: kill(2) on our own child's pid.
    let signalled = unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(signalled, 0);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // No new work is taken once stopping.
    let refused = match TcpStream::connect(&host) {
        Err(_) => true,
        Ok(mut late) => {
            late.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = write!(late, "GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n");
            let mut answer = String::new();
            let _ = late.read_to_string(&mut answer);
            !answer.starts_with("HTTP/1.1 200")
        }
    };
    assert!(refused, "a connection made after SIGTERM was served");

    // The request in flight is finished and answered.
    stream.write_all(second_half).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the submission in flight was answered: {answer}"
    );

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the service did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");

    let db = hailong::db::Db::connect(&database.url, Duration::from_secs(5)).unwrap();
    let rows = stored_rows(&db);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, id);
}

/// The server drops the writer's connection between two batches (an
/// administrator's `pg_terminate_backend`, a proxy's restart): the writer
/// keeps its connection from batch to batch unchecked, so the next
/// submission finds it broken, and is stored all the same on a checked
/// connection instead of being refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dropping_the_writers_connection_refuses_nothing() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        ended: i64,
    }
    if crate::postgres::cluster().is_none() {
        return;
    }
    let app = crate::helpers::spawn_app(Backend::Postgres).await;
    let path = "/api/v1/surveys/health-outpatient/responses";
    let dropped = &hailong::metrics::WRITER_CONNECTION_DROPPED;
    let first = app
        .post_json(path, &body(&crate::helpers::new_id(), 0))
        .await;
    assert_eq!(first.status(), 201);
    // Every other connection to this database ended, the writer's among
    // them, each waited for. That takes milliseconds, well within the
    // second after which the writer checks its connection anyway.
    let dropped_before = dropped.get();
    let ended = diesel::sql_query(
        // OFFSET 0 keeps the filter from being merged with, and perhaps
        // run after, the termination: this connection must not end.
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) AS ended \
         FROM (SELECT pid FROM pg_stat_activity \
               WHERE datname = current_database() AND pid <> pg_backend_pid() \
               OFFSET 0) AS others",
    )
    .load::<Ended>(&mut *app.db().reader().unwrap())
    .unwrap();
    assert!(ended[0].ended >= 1, "connections ended");
    let second = app
        .post_json(path, &body(&crate::helpers::new_id(), 1))
        .await;
    assert_eq!(
        second.status(),
        201,
        "{}",
        second.text().await.unwrap_or_default()
    );
    assert_eq!(app.stored_rows().len(), 2);
    assert!(
        dropped.get() > dropped_before,
        "the second batch found the writer's kept connection dropped and was done again"
    );
}
