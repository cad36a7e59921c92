//! `hailong serve [--demo]`: the web service.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use hailong::app::AppContext;
use hailong::config::Config;
use hailong::domain::RoleKind;
use hailong::services::access::accounts;
use hailong::services::collect::{self, simulate};
use hailong::startup::Application;
use hailong::web::session::WebSettings;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on, e.g. 0.0.0.0:8080 [env: HAILONG_BIND]
    #[arg(long)]
    bind: Option<String>,
    /// Fill an empty database with simulated responses (two years, every survey).
    #[arg(long)]
    demo: bool,
}

pub fn run(config: &Config, ctx: AppContext, args: Args) -> anyhow::Result<()> {
    if args.demo {
        fill_demo(&ctx)?;
        demo_accounts(&ctx)?;
    }
    // Before any other thread takes the writer connection, which would
    // keep checkpointing on commit until it is replaced.
    ctx.db.checkpoint_in_background(
        std::time::Duration::from_millis(500),
        hailong::db::WAL_RESTART_FRAMES,
    );
    settle_arrival_order_hourly(&ctx, (config.wal_runway_mb as u64) << 20);
    keep_index_sums(&ctx);
    let bind = args.bind.unwrap_or(config.bind.clone());
    let settings = WebSettings::load(
        &config.sessions,
        config.body_timeout,
        config.metrics_from_anywhere,
        &config.data_dir(),
    )
    .context("cannot load the session key")?;
    let app = Application::build(ctx, &bind, settings, None)
        .with_context(|| format!("cannot listen on {bind}"))?;
    let host = bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
    println!(
        "hailong listening on http://{}:{} ({})",
        if host == "0.0.0.0" { "127.0.0.1" } else { host },
        app.port(),
        config.database_url_for_display()
    );
    actix_web::rt::System::new().block_on(app.run_until_stopped())?;
    Ok(())
}

/// Loads (or adds up from the rows) every closed half-month of every survey
/// in a thread of its own, so that index requests soon after a start find
/// the sums ready.
fn keep_index_sums(ctx: &AppContext) {
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("index-sums".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            match hailong::services::indices::sums::keep_all(&ctx) {
                Ok((n, provenance)) => log::info!(
                    "sums of {n} responses ready for index requests in {:.1} s \
                     ({} stretches of days loaded as stored, {} read from the rows)",
                    started.elapsed().as_secs_f64(),
                    provenance.loaded,
                    provenance.read
                ),
                Err(e) => log::warn!(
                    "index sums not prepared at start (requests will read rows): {}",
                    hailong::error::with_causes(&e)
                ),
            }
        });
    if let Err(e) = spawned {
        log::warn!("index sums not prepared at start: {e}");
    }
}

/// Rewrites earlier days' responses so their storage order says nothing of
/// arrival (PostgreSQL), files new comments as feedback items and forgets
/// expired drafts, now and every hour, in a
/// thread of its own.
///
/// On SQLite the upkeep empties the WAL; then it lays a runway of zeros at
/// its end ([`hailong::db::Db::lay_wal_runway`]): `runway` bytes at
/// start, and each hour after as much as the log reached in the hour
/// before, at most `runway`, so a quiet service writes few zeros.
fn settle_arrival_order_hourly(ctx: &AppContext, runway: u64) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
    let (db, clock) = (ctx.db.clone(), ctx.clock);
    let mut first = true;
    let spawned = std::thread::Builder::new()
        .name("settle-order".into())
        .spawn(move || loop {
            let started = std::time::Instant::now();
            match collect::settle_arrival_order(&db, clock.today()) {
                Ok(0) => {}
                Ok(moved) => {
                    log::info!("{moved} responses of earlier days rewritten in id order")
                }
                Err(e) => log::warn!(
                    "responses of earlier days not rewritten this hour: {}",
                    hailong::error::with_causes(&e)
                ),
            }
            match hailong::services::feedback::file_new_comments(&db, clock.today()) {
                Ok(0) => {}
                Ok(filed) => log::info!("{filed} comments filed as feedback items"),
                Err(e) => log::warn!(
                    "comments not filed as feedback items this hour: {}",
                    hailong::error::with_causes(&e)
                ),
            }
            match collect::drafts::expire(&db, clock.today()) {
                Ok(0) => {}
                Ok(expired) => log::info!("{expired} unfinished questionnaires expired"),
                Err(e) => log::warn!(
                    "unfinished questionnaires not expired this hour: {}",
                    hailong::error::with_causes(&e)
                ),
            }
            let reached = db.take_wal_reached();
            let wanted = if first { runway } else { runway.min(reached) };
            first = false;
            match db.lay_wal_runway(wanted) {
                Ok(0) => {}
                Ok(laid) => log::info!(
                    "{:.0} MB of zeros laid at the end of the write-ahead log",
                    laid as f64 / 1048576.0
                ),
                Err(e) => log::warn!("no runway laid at the end of the write-ahead log: {e}"),
            }
            log::info!(
                "hourly upkeep done in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            std::thread::sleep(EVERY);
        });
    if let Err(e) = spawned {
        log::warn!("cannot start the thread that settles stored order: {e}");
    }
}

/// One account per role with a fresh random password, printed for the demo
/// only. Existing demo accounts get a new password each start.
fn demo_accounts(ctx: &AppContext) -> anyhow::Result<()> {
    const ACTOR: &str = "demo";
    println!("DEMO ONLY — staff accounts for trying the dashboards (never use on real data):");
    for (username, role, department) in [
        ("demo-admin", RoleKind::Admin, None),
        ("demo-home-affairs", RoleKind::HomeAffairs, None),
        ("demo-health", RoleKind::Department, Some("health")),
    ] {
        let password = format!("demo-{}", uuid::Uuid::new_v4().simple());
        if accounts::exists(ctx, username)? {
            accounts::set_password(ctx, username, &password, ACTOR)?;
            accounts::set_disabled(ctx, username, false, ACTOR)?;
        } else {
            accounts::create_user(ctx, username, role, department, &password, ACTOR)?;
        }
        println!("  DEMO ONLY  {username} / {password}");
    }
    Ok(())
}

/// Two years of simulated responses for every survey, only into an empty
/// database so real data is never mixed with demo data.
fn fill_demo(ctx: &AppContext) -> anyhow::Result<()> {
    let existing = collect::stored_responses(ctx)?;
    if existing > 0 {
        println!("demo: the database already holds {existing} responses; none added");
        return Ok(());
    }
    let to = ctx.clock.today();
    let from = NaiveDate::from_ymd_opt(to.year() - 2, 1, 1).unwrap_or(to - Duration::days(730));
    let options = simulate::SimulateOptions {
        responses: 2000,
        from,
        to,
        seed: 2025,
    };
    for version in ctx.catalog.surveys.iter() {
        let (stored, _) = simulate::simulate(ctx, version, &options)?;
        println!(
            "demo: {} simulated responses for {}",
            stored, version.survey.slug
        );
    }
    Ok(())
}
