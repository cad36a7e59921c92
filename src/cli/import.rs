//! `hailong import`: keyed-in paper questionnaires, all rows or none.

use std::path::PathBuf;

use anyhow::Context;
use hailong::app::AppContext;
use hailong::services::collect::import;

#[derive(clap::Args)]
pub struct Args {
    /// Slug of the survey the rows answer.
    #[arg(long)]
    survey: String,
    /// The CSV file.
    file: PathBuf,
}

pub fn run(ctx: &AppContext, args: Args) -> anyhow::Result<()> {
    let reader = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let report = import::import_csv(ctx, &args.survey, std::io::BufReader::new(reader))?;
    println!("{report}");
    Ok(())
}
