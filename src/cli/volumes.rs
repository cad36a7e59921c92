//! `hailong volumes import`: transactions per service point and period.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use hailong::app::AppContext;
use hailong::services::volumes;

#[derive(Subcommand)]
pub enum Action {
    /// Import a CSV with columns unit, period, transactions (all rows or none;
    /// a later import replaces the figure for the same unit and period).
    Import { file: PathBuf },
}

pub fn run(ctx: &AppContext, action: Action) -> anyhow::Result<()> {
    let Action::Import { file } = action;
    let reader =
        std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let count = volumes::import_csv(ctx, std::io::BufReader::new(reader))?;
    println!("imported {count} volume(s)");
    Ok(())
}
