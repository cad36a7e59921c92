//! Collecting responses: the one path every channel (web form, API, paper
//! import, simulator) goes through to turn a valid submission into a row.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::config::Config;
use crate::db::responses::{self, ResponseRow};
use crate::db::{versions, Db, DbError};
use crate::definitions::{self, Catalog, SurveyVersion};
use crate::domain::{today_in_vietnam, Channel, RawSubmission, ResponseId, Submission};
use crate::stats::StatsConfig;

/// Definitions and storage, opened and reconciled: what every command needs.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    /// Every questionnaire version ever recorded, current ones included.
    pub versions: Arc<HashMap<String, Arc<SurveyVersion>>>,
    pub stats: StatsConfig,
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

impl Services {
    /// Validates the definitions, connects, migrates and records any new
    /// questionnaire version.
    pub fn open(config: &Config) -> Result<Services, OpenError> {
        let catalog =
            definitions::load(&config.definitions).map_err(|faults| OpenError::Definitions {
                dir: config.definitions.display().to_string(),
                faults,
            })?;
        let db = Db::connect(&config.database_url)?;
        db.migrate()?;
        let mut conn = db.writer()?;
        let current: Vec<&SurveyVersion> = catalog.surveys.iter().map(|v| v.as_ref()).collect();
        versions::record(&mut conn, &current, today_in_vietnam())?;
        let mut known: HashMap<String, Arc<SurveyVersion>> = versions::all(&mut conn)?
            .into_iter()
            .map(|(version, _)| (version.hash.clone(), Arc::new(version)))
            .collect();
        for version in &catalog.surveys {
            known.insert(version.hash.clone(), version.clone());
        }
        Ok(Services {
            db,
            catalog: Arc::new(catalog),
            versions: Arc::new(known),
            stats: config.stats,
        })
    }
}

impl Services {
    /// Every recorded version of questionnaire `slug`, in hash order: the
    /// versions whose responses make up the survey's time series.
    pub fn versions_of(&self, slug: &str) -> Vec<Arc<SurveyVersion>> {
        let mut versions: Vec<Arc<SurveyVersion>> = self
            .versions
            .values()
            .filter(|v| v.survey.slug == slug)
            .cloned()
            .collect();
        versions.sort_by(|a, b| a.hash.cmp(&b.hash));
        versions
    }

    /// The hashes of [`Services::versions_of`].
    pub fn version_hashes_of(&self, slug: &str) -> Vec<String> {
        self.versions_of(slug)
            .into_iter()
            .map(|v| v.hash.clone())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Recorded,
    AlreadyRecorded,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("a response with this id was already recorded with different content")]
    Conflict,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The row a valid submission becomes.
pub fn to_row(
    version: &SurveyVersion,
    submission: &Submission,
    channel: Channel,
    submitted_on: NaiveDate,
) -> ResponseRow {
    ResponseRow {
        id: submission.id.to_string(),
        survey_version: version.hash.clone(),
        unit: submission.unit.clone(),
        submitted_on,
        channel: channel.as_str().to_string(),
        answers: submission.answers.to_json_text(),
        likert: submission.answers.likert_code(&version.survey),
        comment: submission.comment.clone(),
    }
}

/// Stores one response (blocking). A replay of a stored response is
/// `AlreadyRecorded`; the same id with other content is a `Conflict`.
pub fn record(
    db: &Db,
    version: &SurveyVersion,
    submission: &Submission,
    channel: Channel,
    submitted_on: NaiveDate,
) -> Result<Outcome, RecordError> {
    let row = to_row(version, submission, channel, submitted_on);
    let mut conn = db.writer()?;
    if responses::insert_if_new(&mut conn, &row)? {
        return Ok(Outcome::Recorded);
    }
    match responses::find(&mut conn, &row.id)? {
        Some(existing) if existing.same_content(&row) => Ok(Outcome::AlreadyRecorded),
        _ => Err(RecordError::Conflict),
    }
}

/// Whether a submission's id is already stored, and if so whether the
/// submission is the same response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    NotStored,
    Same,
    Different,
}

/// Judges a submission against the stored response with its id, using the
/// questionnaire version that response answered — so a retry sent after the
/// questionnaire changed is still recognised (blocking).
pub fn replay_of(
    services: &Services,
    slug: &str,
    id: ResponseId,
    raw: RawSubmission,
) -> Result<Replay, DbError> {
    let Some(stored) = responses::find(&mut services.db.reader()?, &id.to_string())? else {
        return Ok(Replay::NotStored);
    };
    let Some(version) = services
        .versions
        .get(&stored.survey_version)
        .filter(|v| v.survey.slug == slug)
    else {
        return Ok(Replay::Different);
    };
    let same =
        Submission::parse(raw, &version.survey, &services.catalog, || id).is_ok_and(|submission| {
            to_row(version, &submission, Channel::Api, stored.submitted_on).same_content(&stored)
        });
    Ok(if same {
        Replay::Same
    } else {
        Replay::Different
    })
}

/// What storing a batch of rows would do, decided before writing anything.
#[derive(Debug, Default)]
pub struct BatchPlan {
    /// Rows whose id is new, in input order, each id once.
    pub new_rows: Vec<ResponseRow>,
    /// Rows identical to a stored row or to an earlier row of the batch.
    pub replays: usize,
    /// Indices (into the input) of rows whose id is stored, or repeated in
    /// the batch, with different content.
    pub conflicts: Vec<usize>,
}

/// Sorts `rows` into new rows, replays and conflicts (blocking, read-only).
pub fn plan_batch(db: &Db, rows: Vec<ResponseRow>) -> Result<BatchPlan, DbError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let stored: HashMap<String, ResponseRow> = responses::find_many(&mut db.reader()?, &ids)?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    drop(ids);
    // Decide first, by index, so no row is copied: a batch can be large.
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut is_new = vec![false; rows.len()];
    let mut plan = BatchPlan::default();
    for (index, row) in rows.iter().enumerate() {
        let earlier = stored
            .get(&row.id)
            .or_else(|| first_seen.get(row.id.as_str()).map(|&i| &rows[i]));
        match earlier {
            Some(earlier) if earlier.same_content(row) => plan.replays += 1,
            Some(_) => plan.conflicts.push(index),
            None => {
                first_seen.insert(&row.id, index);
                is_new[index] = true;
            }
        }
    }
    drop(first_seen);
    plan.new_rows = rows
        .into_iter()
        .zip(is_new)
        .filter_map(|(row, new)| new.then_some(row))
        .collect();
    Ok(plan)
}
