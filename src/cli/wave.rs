//! `hailong wave`: survey waves drawn at random, their invitation slips and
//! their response accounting.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use hailong::app::AppContext;
use hailong::i18n::Lang;
use hailong::services::sampling::{self, NewWave, Target, WaveAccount};
use hailong::views::slips::sheet;

use super::CLI_ACTOR;

#[derive(Subcommand)]
pub enum Action {
    /// Create a wave: a survey run between two dates (waves of a survey may
    /// not overlap). Prints the wave's id.
    Create {
        #[arg(long)]
        survey: String,
        /// How reports name it, e.g. "Đợt quý IV năm 2026".
        #[arg(long)]
        name: String,
        #[arg(long)]
        opens: NaiveDate,
        #[arg(long)]
        closes: NaiveDate,
        /// Expected share of invitations not returned; the draw issues
        /// target ÷ (1 − allowance) invitations per service point.
        #[arg(long, default_value_t = 0.2)]
        allowance: f64,
    },
    /// Draw a stratified simple random sample from a list of the
    /// transactions each service point completed (CSV `unit,reference`, one
    /// line per transaction, or `unit,count`), issue one invitation per
    /// sampled transaction and write the slips. The references are read,
    /// printed on the slips' stubs and forgotten.
    Draw {
        #[arg(long)]
        wave: String,
        #[arg(long)]
        transactions: PathBuf,
        /// Target respondents per service point from the planning formula
        /// for this margin of error (e.g. 0.05)...
        #[arg(long, conflicts_with = "target", required_unless_present = "target")]
        margin: Option<f64>,
        /// ...or the same target at every service point.
        #[arg(long)]
        target: Option<u64>,
        /// Seed of the draw, recorded with the wave (random if not given):
        /// the same list and seed select the same transactions.
        #[arg(long)]
        seed: Option<i64>,
        /// Where to write the printable A4 sheet of slips (HTML).
        #[arg(long)]
        slips: PathBuf,
        /// Where to write the codes as CSV (unit, reference, code), for
        /// inviting by phone.
        #[arg(long)]
        codes: Option<PathBuf>,
        /// The service's public address, for the QR codes.
        #[arg(
            long,
            env = "HAILONG_PUBLIC_URL",
            default_value = "http://localhost:8080"
        )]
        base_url: String,
    },
    /// Issued and returned questionnaires of a wave, by service point.
    Show { wave: String },
    /// Every wave with its response rate.
    List,
}

fn print_account(account: &WaveAccount) {
    let percent = |rate: Option<f64>| {
        rate.map(|r| hailong::i18n::percent(Lang::Vi, r))
            .unwrap_or_else(|| "—".into())
    };
    println!(
        "{}  {}  {}  {} – {}  seed {}",
        account.id,
        account.survey,
        account.name,
        account.opens_on,
        account.closes_on,
        account
            .seed
            .map_or("(not drawn)".to_string(), |s| s.to_string())
    );
    println!(
        "  issued {}, returned {}, response rate {}",
        account.issued,
        account.returned,
        percent(account.response_rate)
    );
    for s in &account.strata {
        println!(
            "  {:<28} listed {:>6}  target {:>4}  issued {:>4}  returned {:>4}  {}",
            s.unit,
            s.population,
            s.target,
            s.issued,
            s.returned,
            percent(s.response_rate)
        );
    }
    if !account.not_sampled.is_empty() {
        println!("  not in the draw: {}", account.not_sampled.join(", "));
    }
}

pub fn run(ctx: &AppContext, action: Action) -> anyhow::Result<()> {
    match action {
        Action::Create {
            survey,
            name,
            opens,
            closes,
            allowance,
        } => {
            let wave = sampling::create_wave(
                ctx,
                CLI_ACTOR,
                NewWave {
                    survey,
                    name,
                    opens_on: opens,
                    closes_on: closes,
                    allowance,
                },
            )?;
            println!("{}", wave.id);
        }
        Action::Draw {
            wave,
            transactions,
            margin,
            target,
            seed,
            slips: slips_path,
            codes,
            base_url,
        } => {
            let list = std::fs::File::open(&transactions)
                .with_context(|| format!("cannot open {}", transactions.display()))?;
            // The codes exist only in these files: they are created before
            // the draw is stored, so a path that cannot be written loses
            // nothing.
            let create = |path: &PathBuf| {
                std::fs::File::create_new(path).with_context(|| {
                    format!("cannot create {} (it must not exist yet)", path.display())
                })
            };
            let slips_file = create(&slips_path)?;
            let codes_file = match &codes {
                Some(path) => match create(path) {
                    Ok(file) => Some(file),
                    Err(e) => {
                        let _ = std::fs::remove_file(&slips_path);
                        return Err(e);
                    }
                },
                None => None,
            };
            let forget_files = || {
                let _ = std::fs::remove_file(&slips_path);
                if let Some(path) = &codes {
                    let _ = std::fs::remove_file(path);
                }
            };
            let target = match (margin, target) {
                (_, Some(n)) => Target::Fixed(n),
                (Some(e), None) => Target::Margin(e),
                (None, None) => anyhow::bail!("give --margin or --target"),
            };
            if target == Target::Fixed(0) {
                forget_files();
                anyhow::bail!("--target must be at least 1");
            }
            let draw = match sampling::draw(
                ctx,
                CLI_ACTOR,
                &wave,
                std::io::BufReader::new(list),
                target,
                seed,
            ) {
                Ok(draw) => draw,
                Err(e) => {
                    forget_files();
                    return Err(e.into());
                }
            };
            let page = sheet(&ctx.catalog, &draw, &base_url);
            use std::io::Write;
            let mut slips_file = slips_file;
            slips_file
                .write_all(page.into_string().as_bytes())
                .with_context(|| format!("cannot write {}", slips_path.display()))?;
            if let Some(file) = codes_file {
                let mut writer = csv::Writer::from_writer(file);
                writer.write_record(["unit", "reference", "code"])?;
                for stratum in &draw.strata {
                    for slip in &stratum.slips {
                        writer.write_record([
                            stratum.unit.as_str(),
                            slip.reference.as_str(),
                            &slip.code.printed(),
                        ])?;
                    }
                }
                writer.flush()?;
            }
            let issued: usize = draw.strata.iter().map(|s| s.slips.len()).sum();
            println!(
                "drawn with seed {}: {issued} invitations at {} service points; slips in {}",
                draw.wave.seed.unwrap_or_default(),
                draw.strata.len(),
                slips_path.display()
            );
            println!("the codes are not stored: print or keep the slips now");
        }
        Action::Show { wave } => print_account(&sampling::account(ctx, &wave)?),
        Action::List => {
            for account in sampling::all_accounts(ctx)? {
                print_account(&account);
            }
        }
    }
    Ok(())
}
