//! `hailong check`: validates the survey definitions without a database.

use anyhow::bail;
use hailong::config::Config;
use hailong::definitions;

pub fn run(config: &Config) -> anyhow::Result<()> {
    match definitions::load(&config.definitions) {
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
    }
}
