//! The `hailong` command: serve, migrate, check, import, simulate.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{Datelike, Duration, NaiveDate};
use clap::{Parser, Subcommand};

use hailong::collect::Services;
use hailong::config::Config;
use hailong::db::responses;
use hailong::domain::{today_in_vietnam, Lang, Period, PeriodMode};
use hailong::export::{self, ExportRequest};
use hailong::indices::Weighting;
use hailong::simulate::{simulate, SimulateOptions};
use hailong::startup::Application;
use hailong::{definitions, import};

/// Citizen-satisfaction surveys for Vietnamese provincial departments.
///
/// Configuration comes from the environment (the README explains each):
/// DATABASE_URL (default sqlite://data/hailong.db; postgres://… for
/// PostgreSQL), HAILONG_DEFINITIONS (default ./survey-definitions),
/// HAILONG_BIND (default 127.0.0.1:8080), HAILONG_MIN_CELL (5),
/// HAILONG_MIN_RELIABLE (30), HAILONG_LEVEL (0.95), HAILONG_SESSION_KEY
/// (generated into the data directory), HAILONG_SESSION_IDLE_MINUTES (30),
/// HAILONG_COOKIE_SECURE (0), RUST_LOG (info).
#[derive(Parser)]
#[command(name = "hailong", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 [env: HAILONG_BIND]
        #[arg(long)]
        bind: Option<String>,
        /// Fill an empty database with simulated responses (two years, every survey).
        #[arg(long)]
        demo: bool,
    },
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
    Import {
        /// Slug of the survey the rows answer.
        #[arg(long)]
        survey: String,
        /// The CSV file.
        file: PathBuf,
    },
    /// Export index results for a period (for scheduled report jobs).
    Export {
        /// 2026-Q3, 2026-H1, 2026, 2026-09 or 2026-07-01..2026-09-30.
        #[arg(long)]
        period: String,
        /// calendar, or reporting (periods cut off on the 14th).
        #[arg(long, default_value = "calendar")]
        mode: String,
        /// none, or volume (needs `hailong volumes import`).
        #[arg(long, default_value = "none")]
        weighting: String,
        /// One department's code; all departments when left out.
        #[arg(long)]
        department: Option<String>,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Language of the workbook's headers: vi or en.
        #[arg(long, default_value = "vi")]
        lang: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage staff accounts (admin, home-affairs, department).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API tokens for the index API.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Transaction volumes per service point and period (for volume weighting).
    Volumes {
        #[command(subcommand)]
        action: VolumesAction,
    },
    /// Store synthetic responses (channel "simulated"); the same seed gives the same data.
    Simulate {
        /// Slug of one survey.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        survey: Option<String>,
        /// Every survey.
        #[arg(long)]
        all: bool,
        /// Responses per survey.
        #[arg(long)]
        responses: usize,
        /// First submission date (YYYY-MM-DD).
        #[arg(long)]
        from: NaiveDate,
        /// Last submission date (YYYY-MM-DD).
        #[arg(long)]
        to: NaiveDate,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Xlsx,
    Csv,
    Json,
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an account; the password is asked for, or read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// admin (manages accounts), home-affairs (reads every department) or department.
        #[arg(long)]
        role: String,
        /// The department of a department account.
        #[arg(long)]
        department: Option<String>,
        /// Read the password from standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account (it can no longer sign in; open sessions end).
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new password (asked for, or read from standard input).
    Password {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A password from standard input (first line) or from a prompt without echo.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token; it is printed once, alone on the last line.
    Create {
        /// home-affairs (reads every department) or department (its own only).
        #[arg(long)]
        role: String,
        /// The department of a department token.
        #[arg(long)]
        department: Option<String>,
        /// A label saying who or what uses the token.
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke the token with this id or name.
    Revoke { id_or_name: String },
}

#[derive(Subcommand)]
enum VolumesAction {
    /// Import a CSV with columns unit, period, transactions (all rows or none;
    /// a later import replaces the figure for the same unit and period).
    Import { file: PathBuf },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env().map_err(anyhow::Error::msg)?;
    match cli.command {
        Command::Check => match definitions::load(&config.definitions) {
            Ok(catalog) => {
                println!(
                    "{}: {} departments, {} service points, {} questionnaires",
                    config.definitions.display(),
                    catalog.departments.len(),
                    catalog.units.len(),
                    catalog.surveys.len()
                );
                for v in &catalog.surveys {
                    println!("  {} version {}", v.survey.slug, v.hash);
                }
                Ok(())
            }
            Err(faults) => bail!(
                "{} fault(s) in {}:\n{faults}",
                faults.0.len(),
                config.definitions.display()
            ),
        },
        Command::Migrate => {
            let db = hailong::db::Db::connect(&config.database_url)?;
            let applied = db.migrate()?;
            println!(
                "{}: {applied} migration(s) applied",
                config.database_url_for_display()
            );
            Ok(())
        }
        Command::Import { survey, file } => {
            let services = Services::open(&config)?;
            let reader = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let report = import::import_csv(&services, &survey, std::io::BufReader::new(reader))?;
            println!("{report}");
            Ok(())
        }
        Command::Export {
            period,
            mode,
            weighting,
            department,
            format,
            lang,
            out,
        } => {
            let services = Services::open(&config)?;
            let mode = PeriodMode::parse(&mode).context("--mode must be calendar or reporting")?;
            let period =
                Period::parse(&period, mode).map_err(|e| anyhow::anyhow!("--period: {e}"))?;
            let weighting =
                Weighting::parse(&weighting).context("--weighting must be none or volume")?;
            if let Some(code) = &department {
                if !services
                    .catalog
                    .department(code)
                    .is_some_and(|d| d.surveyed)
                {
                    bail!("--department: unknown department \"{code}\"");
                }
            }
            let lang = match lang.as_str() {
                "vi" => Lang::Vi,
                "en" => Lang::En,
                _ => bail!("--lang must be vi or en"),
            };
            let request = ExportRequest {
                period,
                weighting,
                department,
                config: services.stats,
            };
            let data = export::gather(&services, &request)?;
            let bytes = match format {
                ExportFormat::Xlsx => export::workbook(&data, &services, lang)?,
                ExportFormat::Csv => {
                    let mut buffer = Vec::new();
                    export::write_csv(&export::rows(&data), &mut buffer)?;
                    buffer
                }
                ExportFormat::Json => serde_json::to_vec_pretty(&export::rows(&data))?,
            };
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            hailong::accounts::record(
                &services,
                "cli",
                "export",
                &format!(
                    "{} period={} mode={}",
                    out.display(),
                    period.label(),
                    mode.as_str()
                ),
            )?;
            println!(
                "wrote {} ({} bytes, {} surveys)",
                out.display(),
                bytes.len(),
                data.surveys.len()
            );
            Ok(())
        }
        Command::User { action } => {
            let services = Services::open(&config)?;
            match action {
                UserAction::Create {
                    username,
                    role,
                    department,
                    password_stdin,
                } => {
                    let password = read_password(password_stdin)?;
                    let user = hailong::accounts::create_user(
                        &services,
                        &username,
                        &role,
                        department.as_deref(),
                        &password,
                    )?;
                    println!("created {} ({})", user.username, user.role.name());
                }
                UserAction::List => {
                    for row in hailong::db::users::list(&mut services.db.reader()?)? {
                        println!(
                            "{}\t{}\t{}\t{}",
                            row.username,
                            row.role,
                            row.department.unwrap_or_else(|| "-".into()),
                            if row.disabled { "disabled" } else { "active" }
                        );
                    }
                }
                UserAction::Disable { username } => {
                    hailong::accounts::set_disabled(&services, &username, true, "cli")?;
                    println!("disabled {username}");
                }
                UserAction::Enable { username } => {
                    hailong::accounts::set_disabled(&services, &username, false, "cli")?;
                    println!("enabled {username}");
                }
                UserAction::Password {
                    username,
                    password_stdin,
                } => {
                    let password = read_password(password_stdin)?;
                    hailong::accounts::set_password(&services, &username, &password, "cli")?;
                    println!("password changed for {username}");
                }
            }
            Ok(())
        }
        Command::Token { action } => {
            let services = Services::open(&config)?;
            match action {
                TokenAction::Create {
                    role,
                    department,
                    name,
                } => {
                    let token =
                        hailong::tokens::create(&services, &role, department.as_deref(), &name)?;
                    println!(
                        "created token {} ({}, role {}{}); store it now, it is not shown again:",
                        token.row.id,
                        token.row.name,
                        token.row.role,
                        token
                            .row
                            .department
                            .as_deref()
                            .map(|d| format!(", department {d}"))
                            .unwrap_or_default()
                    );
                    println!("{}", token.secret);
                }
                TokenAction::List => {
                    for row in list_tokens(&services)? {
                        println!(
                            "{}\t{}\t{}\t{}\tcreated {}\t{}",
                            row.id,
                            row.name,
                            row.role,
                            row.department.unwrap_or_else(|| "-".into()),
                            row.created_on,
                            row.revoked_on
                                .map(|d| format!("revoked {d}"))
                                .unwrap_or_else(|| "active".into())
                        );
                    }
                }
                TokenAction::Revoke { id_or_name } => {
                    let revoked = hailong::db::tokens::revoke(
                        &mut services.db.writer()?,
                        &id_or_name,
                        today_in_vietnam(),
                    )?;
                    if revoked == 0 {
                        bail!("no active token with id or name \"{id_or_name}\"");
                    }
                    println!("revoked {revoked} token(s)");
                }
            }
            Ok(())
        }
        Command::Volumes {
            action: VolumesAction::Import { file },
        } => {
            let services = Services::open(&config)?;
            let reader = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let count = hailong::volumes::import_csv(&services, std::io::BufReader::new(reader))?;
            println!("imported {count} volume(s)");
            Ok(())
        }
        Command::Simulate {
            survey,
            all,
            responses,
            from,
            to,
            seed,
        } => {
            let services = Services::open(&config)?;
            let targets: Vec<_> = if all {
                services.catalog.surveys.clone()
            } else {
                let slug = survey.unwrap_or_default();
                vec![services
                    .catalog
                    .survey(&slug)
                    .cloned()
                    .with_context(|| format!("no survey \"{slug}\""))?]
            };
            let options = SimulateOptions {
                responses,
                from,
                to,
                seed,
            };
            for version in targets {
                let (stored, present) = simulate(&services, &version, &options)?;
                println!(
                    "{}: simulated {stored}, already present {present}",
                    version.survey.slug
                );
            }
            Ok(())
        }
        Command::Serve { bind, demo } => {
            let services = Services::open(&config)?;
            if demo {
                fill_demo(&services)?;
                demo_accounts(&services)?;
            }
            let bind = bind.unwrap_or(config.bind.clone());
            let settings =
                hailong::web::session::WebSettings::load(&config.sessions, &config.data_dir())
                    .context("cannot load the session key")?;
            let app = Application::build(services, &bind, settings)
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
    }
}

fn list_tokens(services: &Services) -> anyhow::Result<Vec<hailong::db::tokens::TokenRow>> {
    Ok(hailong::db::tokens::list(&mut services.db.reader()?)?)
}

/// One account per role with a fresh random password, printed for the demo
/// only. Existing demo accounts get a new password each start.
fn demo_accounts(services: &Services) -> anyhow::Result<()> {
    println!("DEMO ONLY — staff accounts for trying the dashboards (never use on real data):");
    for (username, role, department) in [
        ("demo-admin", "admin", None),
        ("demo-home-affairs", "home-affairs", None),
        ("demo-health", "department", Some("health")),
    ] {
        let password = format!("demo-{}", uuid::Uuid::new_v4().simple());
        let exists =
            hailong::db::users::find_by_username(&mut services.db.reader()?, username)?.is_some();
        if exists {
            hailong::accounts::set_password(services, username, &password, "demo")?;
            hailong::accounts::set_disabled(services, username, false, "demo")?;
        } else {
            hailong::accounts::create_user(services, username, role, department, &password)?;
        }
        println!("  DEMO ONLY  {username} / {password}");
    }
    Ok(())
}

/// Two years of simulated responses for every survey, only into an empty
/// database so real data is never mixed with demo data.
fn fill_demo(services: &Services) -> anyhow::Result<()> {
    let existing = responses::count(&mut services.db.reader()?)?;
    if existing > 0 {
        println!("demo: the database already holds {existing} responses; none added");
        return Ok(());
    }
    let to = today_in_vietnam();
    let from = NaiveDate::from_ymd_opt(to.year() - 2, 1, 1).unwrap_or(to - Duration::days(730));
    let options = SimulateOptions {
        responses: 2000,
        from,
        to,
        seed: 2025,
    };
    for version in services.catalog.surveys.iter() {
        let (stored, _) = simulate(services, version, &options)?;
        println!(
            "demo: {} simulated responses for {}",
            stored, version.survey.slug
        );
    }
    Ok(())
}
