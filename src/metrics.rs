//! Prometheus metrics: request counts and latencies by route template (the
//! HTTP middleware), submissions by channel and outcome, waits for a
//! database connection, and the size of stored batches. No label carries a
//! survey, a service point, an id or an address: nothing here can point at
//! a respondent.

use std::sync::LazyLock;
use std::time::Duration;

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

/// Every metric of the service, served at `/metrics`.
pub static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);

fn registered<M: prometheus::core::Collector + Clone + 'static>(metric: M) -> M {
    // A name registered twice is a programming error caught by the tests.
    REGISTRY
        .register(Box::new(metric.clone()))
        .expect("a metric name is registered once");
    metric
}

/// A histogram of the registry.
fn histogram(name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    registered(
        Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
            .expect("valid metric"),
    )
}

/// Responses received, by channel (web, api, paper, simulated) and outcome
/// (recorded, replay, conflict).
pub static SUBMISSIONS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    registered(
        IntCounterVec::new(
            Opts::new(
                "hailong_submissions_total",
                "Responses received, by channel and outcome",
            ),
            &["channel", "outcome"],
        )
        .expect("valid metric"),
    )
});

/// Seconds a request waited for a database connection.
pub static POOL_WAIT: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "hailong_db_pool_wait_seconds",
        "Time spent waiting for a database connection",
        vec![0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
    )
});

/// Rows in each batch stored by an import or a simulation.
pub static BATCH_ROWS: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "hailong_batch_rows",
        "Rows in each stored batch",
        vec![1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0],
    )
});

/// Submissions stored by each commit of the submission writer.
pub static SUBMISSION_BATCH: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "hailong_submission_batch_size",
        "Submissions stored by one commit of the group writer",
        vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0],
    )
});

/// What the writer spends copying the end of an overgrown WAL before the
/// log starts over; submissions wait that long.
pub static WAL_RESTART: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "hailong_wal_restart_seconds",
        "Time the SQLite writer spent copying the rest of the WAL before it started over",
        vec![0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
    )
});

/// What a sync of SQLite's WAL takes: submissions committed before it
/// wait that long for their answer.
pub static WAL_SYNC: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "hailong_wal_sync_seconds",
        "Time one sync of the SQLite WAL took, for every batch of submissions committed before it",
        vec![0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
    )
});

/// Batches the submission writer did again on a fresh connection because
/// the server had dropped the one it kept (`KeptWriter` in the database module).
pub static WRITER_CONNECTION_DROPPED: LazyLock<IntCounter> = LazyLock::new(|| {
    registered(
        IntCounter::new(
            "hailong_writer_connection_dropped_total",
            "Batches of submissions done again on a fresh connection after the server dropped the writer's",
        )
        .expect("valid metric"),
    )
});

/// Records a batch done again because the writer's connection was dropped.
pub fn writer_connection_dropped() {
    WRITER_CONNECTION_DROPPED.inc();
}

/// Records how long one sync of SQLite's WAL took, for the batches of
/// submissions committed before it.
pub fn wal_sync(took: Duration) {
    WAL_SYNC.observe(took.as_secs_f64());
}

/// Records the writer's share of a WAL restart.
pub fn wal_restart(took: Duration) {
    WAL_RESTART.observe(took.as_secs_f64());
}

/// Records the size of a group commit.
pub fn submission_batch(size: usize) {
    SUBMISSION_BATCH.observe(size as f64);
}

/// Records a submission's outcome.
pub fn submission(channel: &str, outcome: &str) {
    SUBMISSIONS.with_label_values(&[channel, outcome]).inc();
}

/// Records a wait for a connection.
pub fn pool_wait(waited: Duration) {
    POOL_WAIT.observe(waited.as_secs_f64());
}

/// The HTTP middleware: requests and their durations by method, route
/// template (`/s/{slug}`, never the slug) and status; paths that match no
/// route are one label. One per process, shared by every application.
pub static HTTP: LazyLock<PrometheusMetrics> = LazyLock::new(|| {
    PrometheusMetricsBuilder::new("hailong")
        .registry(REGISTRY.clone())
        .mask_unmatched_patterns("(no route)")
        .build()
        .expect("the HTTP metrics register once")
});

/// Every metric in the Prometheus text format.
pub fn render() -> Vec<u8> {
    LazyLock::force(&SUBMISSIONS);
    LazyLock::force(&POOL_WAIT);
    LazyLock::force(&BATCH_ROWS);
    LazyLock::force(&SUBMISSION_BATCH);
    LazyLock::force(&WAL_RESTART);
    LazyLock::force(&WAL_SYNC);
    let mut buffer = Vec::new();
    if let Err(err) = TextEncoder::new().encode(&REGISTRY.gather(), &mut buffer) {
        log::error!("cannot encode the metrics: {err}");
    }
    buffer
}
