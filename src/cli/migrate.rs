//! `hailong migrate`: applies pending migrations and exits.

use hailong::app;
use hailong::config::Config;

pub fn run(config: &Config) -> anyhow::Result<()> {
    let applied = app::migrate(config)?;
    println!(
        "{}: {applied} migration(s) applied",
        config.database_url_for_display()
    );
    Ok(())
}
