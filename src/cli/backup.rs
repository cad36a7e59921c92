//! `hailong backup --out FILE`: a consistent copy of the database while the
//! service runs (SQLite); for PostgreSQL, what to run instead.

use std::path::PathBuf;

use anyhow::{bail, Context};
use hailong::app::AppContext;
use hailong::services::backup::{self, Backup};

#[derive(clap::Args)]
pub struct Args {
    /// The file to write; it must not exist yet.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(ctx: &AppContext, args: Args) -> anyhow::Result<()> {
    if args.out.exists() {
        bail!("{} exists already; choose a new file", args.out.display());
    }
    let written = backup::write(ctx, &args.out)
        .with_context(|| format!("cannot write the backup to {}", args.out.display()))?;
    match written {
        Backup::Written(bytes) => {
            println!("wrote {} ({bytes} bytes)", args.out.display());
            println!(
                "restore: stop the service, copy the file to the path of DATABASE_URL, start it again"
            );
            Ok(())
        }
        Backup::UsePostgresTools => bail!(
            "PostgreSQL is backed up with its own tools, which keep the database consistent while it serves:\n  \
             pg_dump --format=custom --file={} \"$DATABASE_URL\"\n\
             restore into an empty database with:\n  \
             pg_restore --no-owner --dbname=\"$DATABASE_URL\" {}",
            args.out.display(),
            args.out.display()
        ),
    }
}
