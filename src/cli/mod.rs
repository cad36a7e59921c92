//! The command line: what each command accepts (clap) and which module runs
//! it. Commands call services, never the database directly.

mod backup;
mod check;
mod export;
mod import;
mod migrate;
mod serve;
mod simulate;
mod token;
mod user;
mod volumes;
mod wave;

use clap::{Parser, Subcommand};
use hailong::app::AppContext;
use hailong::config::Config;

/// Citizen-satisfaction surveys for Vietnamese provincial departments.
///
/// Configuration comes from the environment (the README explains each):
/// DATABASE_URL (default sqlite://data/hailong.db; postgres://… for
/// PostgreSQL), HAILONG_DEFINITIONS (default ./survey-definitions),
/// HAILONG_BIND (default 127.0.0.1:8080), HAILONG_MIN_CELL (5),
/// HAILONG_MIN_RELIABLE (30), HAILONG_LEVEL (0.95), HAILONG_SESSION_KEY
/// (generated into the data directory), HAILONG_SESSION_IDLE_MINUTES (30),
/// HAILONG_SESSION_MAX_HOURS (12),
/// HAILONG_COOKIE_SECURE (0), HAILONG_DB_WAIT_SECONDS (5),
/// HAILONG_BODY_TIMEOUT_SECONDS (10), HAILONG_METRICS_FROM_ANYWHERE (0),
/// RUST_LOG (info).
#[derive(Parser)]
#[command(name = "hailong", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (migrates the database first).
    Serve(serve::Args),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Validate the survey definitions; exits non-zero listing every fault.
    Check,
    /// Import keyed-in paper questionnaires from a CSV file (all rows or none).
    ///
    /// Columns: id (optional uuid), unit, submitted_on (YYYY-MM-DD), channel
    /// (optional, default paper), one column per question key, comment
    /// (optional). Likert 1-5, empty = skipped, NA = not applicable; choices
    /// by option key, several joined by ';'; percent 0-100; yes/no as 1/0.
    Import(import::Args),
    /// Export index results for a period (for scheduled report jobs).
    Export(export::Args),
    /// Manage staff accounts (admin, home-affairs, department).
    User {
        #[command(subcommand)]
        action: user::Action,
    },
    /// Manage API tokens for the index API.
    Token {
        #[command(subcommand)]
        action: token::Action,
    },
    /// Transaction volumes per service point and period (for volume weighting).
    Volumes {
        #[command(subcommand)]
        action: volumes::Action,
    },
    /// Survey waves: create, draw invitations at random, see returns.
    Wave {
        #[command(subcommand)]
        action: wave::Action,
    },
    /// Store synthetic responses (channel "simulated"); the same seed gives the same data.
    Simulate(simulate::Args),
    /// Write a consistent copy of the database while the service runs
    /// (SQLite); for PostgreSQL, print the pg_dump and pg_restore to use.
    Backup(backup::Args),
}

/// Who the audit log names for actions taken on the command line.
const CLI_ACTOR: &str = "cli";

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env().map_err(anyhow::Error::msg)?;
    let open = || AppContext::open(&config);
    match cli.command {
        Command::Check => check::run(&config),
        Command::Migrate => migrate::run(&config),
        Command::Serve(args) => serve::run(&config, open()?, args),
        Command::Import(args) => import::run(&open()?, args),
        Command::Export(args) => export::run(&open()?, args),
        Command::User { action } => user::run(&open()?, action),
        Command::Token { action } => token::run(&open()?, action),
        Command::Volumes { action } => volumes::run(&open()?, action),
        Command::Wave { action } => wave::run(&open()?, action),
        Command::Simulate(args) => simulate::run(&open()?, args),
        Command::Backup(args) => backup::run(&open()?, args),
    }
}
