//! `hailong simulate`: reproducible synthetic responses.

use anyhow::Context;
use chrono::NaiveDate;
use hailong::app::AppContext;
use hailong::services::collect::simulate::{simulate, SimulateOptions};

#[derive(clap::Args)]
pub struct Args {
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
}

pub fn run(ctx: &AppContext, args: Args) -> anyhow::Result<()> {
    let targets: Vec<_> = if args.all {
        ctx.catalog.surveys.clone()
    } else {
        let slug = args.survey.unwrap_or_default();
        vec![ctx
            .catalog
            .survey(&slug)
            .cloned()
            .with_context(|| format!("no survey \"{slug}\""))?]
    };
    let options = SimulateOptions {
        responses: args.responses,
        from: args.from,
        to: args.to,
        seed: args.seed,
    };
    for version in targets {
        let (stored, present) = simulate(ctx, &version, &options)?;
        println!(
            "{}: simulated {stored}, already present {present}",
            version.survey.slug
        );
    }
    Ok(())
}
