//! The application context: what every command and request works with —
//! the database, the validated definitions, every questionnaire version ever
//! recorded, the statistics settings and the clock.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

use crate::config::Config;
use crate::db::{versions, Db, DbError};
use crate::definitions::{self, Catalog, SurveyVersion};
use crate::stats::StatsConfig;

pub use crate::domain::vietnam_offset;

/// Sums of an index cell's responses by service point and design
/// (`services::indices::sums`).
pub type IndexCells =
    std::collections::BTreeMap<(String, crate::domain::Design), crate::stats::sums::CellSums>;

/// What kept index sums are of: responses to `version` from `first_day`
/// to `last_day` (a closed half-month, or a closed day of one not yet
/// over), laid out on the `current` questionnaire version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeptKey {
    pub current: String,
    pub version: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// The index sums of closed stretches of days (`services::indices::sums`),
/// each with the count of late responses of its half-month it was built
/// with.
#[derive(Default)]
pub struct SumsCache {
    kept: std::sync::Mutex<HashMap<KeptKey, (i64, Arc<IndexCells>)>>,
}

impl SumsCache {
    /// The sums kept for `key` if built with `late` late responses.
    pub fn get(&self, key: &KeptKey, late: i64) -> Option<Arc<IndexCells>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key)
            .filter(|(built_with, _)| *built_with == late)
            .map(|(_, cells)| cells.clone())
    }

    pub fn keep(&self, key: KeptKey, late: i64, cells: Arc<IndexCells>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if key.first_day != key.last_day {
            // A whole half-month replaces the days of it kept while it ran.
            kept.retain(|k, _| {
                !(k.current == key.current
                    && k.version == key.version
                    && k.first_day == k.last_day
                    && (key.first_day..=key.last_day).contains(&k.first_day))
            });
        }
        kept.insert(key, (late, cells));
    }
}

/// Where "now" comes from. The system clock in service; a fixed instant in
/// tests, so that defaults such as "the current quarter" are reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// A clock stopped at noon (Vietnam) of `date`.
    pub fn fixed_on(date: NaiveDate) -> Clock {
        let noon = date.and_hms_opt(5, 0, 0).expect("05:00 UTC exists");
        Clock::Fixed(noon.and_utc())
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// The current instant as stored in timestamp columns (UTC).
    pub fn now_utc_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// The current time in Asia/Ho_Chi_Minh.
    pub fn now_in_vietnam(&self) -> DateTime<FixedOffset> {
        self.now().with_timezone(&vietnam_offset())
    }

    /// Today's date in Asia/Ho_Chi_Minh: the only time information stored
    /// with a response.
    pub fn today(&self) -> NaiveDate {
        self.now_in_vietnam().date_naive()
    }
}

/// Definitions and storage, opened and reconciled: what every command needs.
#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    /// Every questionnaire version ever recorded, current ones included;
    /// versions another instance records later are read in when seen
    /// (see [`AppContext::versions_of`]).
    pub versions: Arc<KnownVersions>,
    pub stats: StatsConfig,
    pub clock: Clock,
    /// The sums of closed half-months, for index requests.
    pub sums: Arc<SumsCache>,
}

/// The questionnaire versions this instance knows, by hash.
pub struct KnownVersions {
    known: std::sync::RwLock<Arc<HashMap<String, Arc<SurveyVersion>>>>,
    checked: std::sync::Mutex<std::time::Instant>,
}

/// How often [`KnownVersions::refresh`] asks the database for new versions.
const VERSIONS_CHECKED_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl KnownVersions {
    pub fn new(known: HashMap<String, Arc<SurveyVersion>>) -> KnownVersions {
        KnownVersions {
            known: std::sync::RwLock::new(Arc::new(known)),
            // Due at once: the first use checks.
            checked: std::sync::Mutex::new(
                std::time::Instant::now()
                    .checked_sub(VERSIONS_CHECKED_EVERY)
                    .unwrap_or_else(std::time::Instant::now),
            ),
        }
    }

    pub fn all(&self) -> Arc<HashMap<String, Arc<SurveyVersion>>> {
        self.known.read().expect("not poisoned").clone()
    }

    /// Reads in versions recorded since, if the last check is a few
    /// seconds old (one count query); a failure leaves what is known.
    pub fn refresh(&self, db: &Db) {
        {
            let mut checked = self.checked.lock().expect("not poisoned");
            if checked.elapsed() < VERSIONS_CHECKED_EVERY {
                return;
            }
            *checked = std::time::Instant::now();
        }
        let stored = db.reader().and_then(|mut conn| versions::count(&mut conn));
        match stored {
            Ok(n) if n as usize != self.all().len() => self.reload(db),
            Ok(_) => {}
            Err(e) => log::warn!("questionnaire versions not checked: {e:?}"),
        }
    }

    /// Reads every stored version and adds those not known yet.
    pub fn reload(&self, db: &Db) {
        let stored = db.reader().and_then(|mut conn| versions::all(&mut conn));
        match stored {
            Ok(stored) => {
                let mut known = self.known.write().expect("not poisoned");
                let mut next = HashMap::clone(&known);
                for (version, _) in stored {
                    next.entry(version.hash.clone())
                        .or_insert_with(|| Arc::new(version));
                }
                *known = Arc::new(next);
            }
            Err(e) => log::warn!("questionnaire versions not read: {e:?}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("survey definitions in {dir} are invalid:\n{faults}")]
    Definitions {
        dir: String,
        faults: definitions::Faults,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Applies pending migrations alone (`hailong migrate`); returns how many ran.
pub fn migrate(config: &Config) -> Result<usize, DbError> {
    Db::connect(&config.database_url, config.pool_timeout)?.migrate()
}

impl AppContext {
    /// Validates the definitions, connects, migrates and records any new
    /// questionnaire version.
    pub fn open(config: &Config) -> Result<AppContext, OpenError> {
        Self::open_with_clock(config, Clock::System)
    }

    pub fn open_with_clock(config: &Config, clock: Clock) -> Result<AppContext, OpenError> {
        let catalog =
            definitions::load(&config.definitions).map_err(|faults| OpenError::Definitions {
                dir: config.definitions.display().to_string(),
                faults,
            })?;
        let db = Db::connect(&config.database_url, config.pool_timeout)?;
        db.migrate()?;
        let current: Vec<&SurveyVersion> = catalog.surveys.iter().map(|v| v.as_ref()).collect();
        let recorded = db.write_tx(|conn| {
            versions::record(conn, &current, clock.today())?;
            versions::all(conn)
        })?;
        let mut known: HashMap<String, Arc<SurveyVersion>> = recorded
            .into_iter()
            .map(|(version, _)| (version.hash.clone(), Arc::new(version)))
            .collect();
        for version in &catalog.surveys {
            known.insert(version.hash.clone(), version.clone());
        }
        Ok(AppContext {
            db,
            catalog: Arc::new(catalog),
            versions: Arc::new(KnownVersions::new(known)),
            stats: config.stats,
            clock,
            sums: Arc::default(),
        })
    }

    /// Every recorded version of questionnaire `slug`, in hash order: the
    /// versions whose responses make up the survey's time series. Versions
    /// recorded since by another instance sharing the database (started
    /// with changed definitions) are read in first, checked at most every
    /// few seconds.
    pub fn versions_of(&self, slug: &str) -> Vec<Arc<SurveyVersion>> {
        self.versions.refresh(&self.db);
        let mut versions: Vec<Arc<SurveyVersion>> = self
            .versions
            .all()
            .values()
            .filter(|v| v.survey.slug == slug)
            .cloned()
            .collect();
        versions.sort_by(|a, b| a.hash.cmp(&b.hash));
        versions
    }

    /// The version with `hash`, read from the database if another instance
    /// recorded it since this one started.
    pub fn version(&self, hash: &str) -> Option<Arc<SurveyVersion>> {
        if let Some(version) = self.versions.all().get(hash) {
            return Some(version.clone());
        }
        self.versions.reload(&self.db);
        self.versions.all().get(hash).cloned()
    }

    /// The hashes of [`AppContext::versions_of`].
    pub fn version_hashes_of(&self, slug: &str) -> Vec<String> {
        self.versions_of(slug)
            .into_iter()
            .map(|v| v.hash.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_gives_the_date_in_vietnam() {
        let late_evening_utc = NaiveDate::from_ymd_opt(2026, 3, 31)
            .unwrap()
            .and_hms_opt(18, 30, 0)
            .unwrap()
            .and_utc();
        // 18:30 UTC is 01:30 the next day in Vietnam.
        assert_eq!(
            Clock::Fixed(late_evening_utc).today(),
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
        let day = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
        assert_eq!(Clock::fixed_on(day).today(), day);
    }
}
