//! `hailong export`: index results for scheduled report jobs, audited.

use std::path::PathBuf;

use anyhow::{bail, Context};
use hailong::app::AppContext;
use hailong::domain::{Period, PeriodMode};
use hailong::i18n::Lang;
use hailong::services::access::audit;
use hailong::services::exports::{self, ExportRequest};
use hailong::services::indices::Weighting;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Xlsx,
    Csv,
    Json,
    /// The written report as a Word document, with the appendix.
    Docx,
}

#[derive(clap::Args)]
pub struct Args {
    /// 2026-Q3, 2026-H1, 2026-M9, 2026 or 2026-09.
    #[arg(long)]
    period: String,
    /// calendar, or reporting (periods cut off on the 14th).
    #[arg(long, value_enum, default_value_t = PeriodMode::Calendar)]
    mode: PeriodMode,
    /// none, or volume (needs `hailong volumes import`).
    #[arg(long, value_enum, default_value_t = Weighting::None)]
    weighting: Weighting,
    /// One department's code; all departments when left out.
    #[arg(long)]
    department: Option<String>,
    #[arg(long, value_enum)]
    format: Format,
    /// Language of the workbook's headers.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(ctx: &AppContext, args: Args) -> anyhow::Result<()> {
    let period = Period::parse_published(&args.period, args.mode)
        .map_err(|e| anyhow::anyhow!("--period: {e}"))?;
    if let Some(code) = &args.department {
        if !ctx.catalog.department(code).is_some_and(|d| d.surveyed) {
            bail!("--department: unknown department \"{code}\"");
        }
    }
    let request = ExportRequest {
        period,
        weighting: args.weighting,
        department: args.department,
        config: ctx.stats,
    };
    let data = exports::gather(ctx, &request)?;
    let bytes = match args.format {
        Format::Xlsx => exports::workbook(&data, ctx, args.lang)?,
        Format::Csv => {
            let mut buffer = Vec::new();
            exports::write_csv(&exports::rows(&data), &mut buffer)?;
            buffer
        }
        Format::Json => serde_json::to_vec_pretty(&exports::rows(&data))?,
        Format::Docx => exports::docx::write(
            &exports::report::draft(&data, &ctx.catalog),
            &exports::appendix::survey_rows(&data, &ctx.catalog),
            request.config.level,
        )
        .map_err(|e| anyhow::anyhow!(e))?,
    };
    let out = &args.out;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let audited = audit::record(
        ctx,
        super::CLI_ACTOR,
        "export",
        &format!(
            "{} period={} mode={}",
            out.display(),
            period.label(),
            period.mode.as_str()
        ),
    );
    if let Err(err) = audited {
        // No export leaves the building without its audit row.
        let _ = std::fs::remove_file(out);
        return Err(err).context("the export could not be audited; the file was removed");
    }
    println!(
        "wrote {} ({} bytes, {} surveys)",
        out.display(),
        bytes.len(),
        data.surveys.len()
    );
    Ok(())
}
