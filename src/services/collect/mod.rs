//! Collecting responses: the one path every channel (web form, API, paper
//! import, simulator) goes through to turn a valid submission into a row.

pub mod drafts;
pub mod import;
pub mod simulate;
pub mod writer;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::app::AppContext;
use crate::db::responses::{self, ResponseRow};
use crate::db::{Conn, Db, DbError};
use crate::definitions::SurveyVersion;
use crate::domain::{Channel, Design, InvitationCode, RawSubmission, ResponseId, Submission};

/// How many responses are stored, all surveys and channels together.
pub fn stored_responses(ctx: &AppContext) -> Result<i64, DbError> {
    responses::count(&mut *ctx.db.reader()?)
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
    #[error("the invitation code is unknown, used already, of another service point or of no wave open today")]
    Invitation,
    /// Internal: the same response again, whose transaction was rolled back.
    #[error("already recorded")]
    Replayed,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The row a valid submission becomes.
pub fn to_row(
    version: &SurveyVersion,
    submission: &Submission,
    channel: Channel,
    design: Design,
    submitted_on: NaiveDate,
) -> ResponseRow {
    ResponseRow {
        id: submission.id.to_string(),
        survey_version: version.hash.clone(),
        unit: submission.unit.clone(),
        submitted_on,
        channel,
        answers: submission.answers.to_json_text(),
        likert: submission.answers.likert_code(&version.survey),
        comment: submission.comment.clone(),
        design,
    }
}

/// Stores one response through the group writer ([`writer`]): answered
/// once the batch holding it committed. A replay of a stored response is
/// `AlreadyRecorded`; the same id with other content is a `Conflict`.
pub async fn record(
    ctx: &AppContext,
    writer: &writer::SubmissionWriter,
    version: &SurveyVersion,
    submission: &Submission,
    channel: Channel,
    submitted_on: NaiveDate,
    invitation: Option<&InvitationCode>,
) -> Result<Outcome, RecordError> {
    let design = if invitation.is_some() {
        Design::Probability
    } else {
        Design::SelfSelected
    };
    let row = to_row(version, submission, channel, design, submitted_on);
    let redemption = invitation.map(|code| writer::Redemption {
        code_hash: code.hash(),
        survey: version.survey.slug.clone(),
    });
    let outcome = writer.submit(&ctx.db, row, redemption).await;
    let label = match &outcome {
        Ok(Outcome::Recorded) => "recorded",
        Ok(Outcome::AlreadyRecorded) | Err(RecordError::Replayed) => "replay",
        Err(RecordError::Conflict) => "conflict",
        Err(RecordError::Invitation) => "invitation",
        Err(RecordError::Db(_)) => "failed",
    };
    crate::metrics::submission(channel.as_str(), label);
    outcome
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
    ctx: &AppContext,
    slug: &str,
    id: ResponseId,
    raw: RawSubmission,
) -> Result<Replay, DbError> {
    let Some(stored) = responses::find(&mut *ctx.db.reader()?, &id.to_string())? else {
        return Ok(Replay::NotStored);
    };
    let Some(version) = ctx
        .version(&stored.survey_version)
        .filter(|v| v.survey.slug == slug)
    else {
        return Ok(Replay::Different);
    };
    let same = Submission::parse(
        raw,
        &version.survey,
        &ctx.catalog,
        stored.submitted_on,
        || id,
    )
    .is_ok_and(|submission| {
        to_row(
            &version,
            &submission,
            Channel::Api,
            stored.design,
            stored.submitted_on,
        )
        .same_content(&stored)
    });
    Ok(if same {
        Replay::Same
    } else {
        Replay::Different
    })
}

/// Rewrites the responses of earlier days so that their storage order no
/// longer follows their arrival (PostgreSQL; see
/// [`responses::settle_order`]). `serve` runs it at start and every hour.
///
/// Then, on PostgreSQL, compacts the late counts
/// ([`responses::compact_late_counts`])
/// and vacuums the invitations: a redeemed invitation is
/// deleted in the transaction that stored its response, and until vacuumed
/// its dead row carries that transaction's id, which the response carried
/// too until it was rewritten. On SQLite, truncates the write-ahead log.
pub fn settle_arrival_order(db: &Db, today: NaiveDate) -> Result<usize, DbError> {
    let moved = db.write_tx(|conn| responses::settle_order(conn, today))?;
    db.write_tx(responses::fold_late_counts)?;
    use diesel::RunQueryDsl;
    if let Conn::Postgresql(pg) = &mut *db.writer()? {
        diesel::sql_query("VACUUM invitations").execute(pg)?;
        if !responses::compact_late_counts(pg)? {
            log::info!(
                "late counts not compacted this hour: another transaction or a vacuum held them"
            );
        }
    }
    // On SQLite deleted rows are zeroed (secure_delete), and the
    // write-ahead log, where one commit holds a redeemed invitation's page
    // beside its response's, is folded into the database and emptied.
    if !db.empty_wal()? {
        log::info!("write-ahead log not emptied this hour: a long read held it");
    }
    Ok(moved)
}

/// What storing a batch of rows did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Rows stored now.
    pub stored: usize,
    /// Rows identical to a stored row or to an earlier row of the batch.
    pub replays: usize,
    /// Indices (into the input) of rows whose id is stored, or repeated in
    /// the batch, with different content. A caller that wants all or
    /// nothing rolls the transaction back when there are any.
    pub conflicts: Vec<usize>,
}

/// Stores the new rows of a batch on `conn`, inside the caller's
/// [`Db::write_tx`]: plans against what is stored, inserts, and judges any
/// row that another writer stored in the meantime (a citizen's retry, a
/// second import of the same file) exactly as if it had been stored before.
pub fn store_batch(conn: &mut Conn, rows: &[ResponseRow]) -> Result<BatchOutcome, DbError> {
    store_batch_with(conn, rows, |conn, new_rows| {
        let today = crate::domain::system_today();
        let mut inserted = Vec::with_capacity(new_rows.len());
        // Copies a few hundred rows at a time: a batch can be large.
        for chunk in new_rows.chunks(500) {
            let batch: Vec<ResponseRow> = chunk.iter().map(|&i| rows[i].clone()).collect();
            inserted.extend(responses::insert_new(conn, &batch, today)?);
        }
        Ok(inserted)
    })
}

/// As [`store_batch`], with the new rows stored by `insert`: given their
/// indices into `rows`, each id once, in id order, it stores those whose id
/// is not stored yet (counting the late ones) and returns their ids, as
/// [`responses::insert_new`] does. An import inserts them from its staging
/// table, where they already are, rather than sending them back.
pub fn store_batch_with(
    conn: &mut Conn,
    rows: &[ResponseRow],
    insert: impl FnOnce(&mut Conn, &[usize]) -> Result<Vec<String>, DbError>,
) -> Result<BatchOutcome, DbError> {
    let mut plan = plan_batch(conn, rows)?;
    crate::metrics::BATCH_ROWS.observe(rows.len() as f64);
    // Written in id order, not in the order of the file: a stack of paper
    // forms keyed in as it came says when each was filled in.
    plan.new_indices
        .sort_by(|&a, &b| rows[a].id.cmp(&rows[b].id));
    let inserted: HashSet<String> = insert(conn, &plan.new_indices)?.into_iter().collect();
    let mut outcome = BatchOutcome {
        stored: inserted.len(),
        replays: plan.replays,
        conflicts: plan.conflicts,
    };
    let late: Vec<usize> = plan
        .new_indices
        .iter()
        .copied()
        .filter(|&i| !inserted.contains(&rows[i].id))
        .collect();
    if !late.is_empty() {
        let ids: Vec<String> = late.iter().map(|&i| rows[i].id.clone()).collect();
        let stored: HashMap<String, ResponseRow> = responses::find_many(conn, &ids)?
            .into_iter()
            .map(|row| (row.id.clone(), row))
            .collect();
        for index in late {
            match stored.get(&rows[index].id) {
                Some(earlier) if earlier.same_content(&rows[index]) => outcome.replays += 1,
                _ => {
                    outcome.conflicts.push(index);
                    // Its repeats in the batch were counted as replays of
                    // it; they conflict with the stored row just as it does.
                    for &(repeat, _) in plan.repeats.iter().filter(|(_, first)| *first == index) {
                        outcome.replays -= 1;
                        outcome.conflicts.push(repeat);
                    }
                }
            }
        }
        outcome.conflicts.sort_unstable();
    }
    Ok(outcome)
}

/// Indices of the rows whose id is stored, or repeated in the batch, with
/// different content (read-only).
pub fn conflicts(conn: &mut Conn, rows: &[ResponseRow]) -> Result<Vec<usize>, DbError> {
    Ok(plan_batch(conn, rows)?.conflicts)
}

/// How a batch divides before anything is written.
#[derive(Debug, Default)]
struct BatchPlan {
    /// Indices of the rows whose id is new, in input order, each id once.
    new_indices: Vec<usize>,
    replays: usize,
    conflicts: Vec<usize>,
    /// (index, index of the earlier row of the batch it repeats), for the
    /// rows counted as replays of a new row.
    repeats: Vec<(usize, usize)>,
}

/// Sorts `rows` into new rows, replays and conflicts against what `conn`
/// sees stored.
fn plan_batch(conn: &mut Conn, rows: &[ResponseRow]) -> Result<BatchPlan, DbError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let stored: HashMap<String, ResponseRow> = responses::find_many(conn, &ids)?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    drop(ids);
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut plan = BatchPlan::default();
    for (index, row) in rows.iter().enumerate() {
        let in_batch = first_seen.get(row.id.as_str()).copied();
        let earlier = stored.get(&row.id).or_else(|| in_batch.map(|i| &rows[i]));
        match earlier {
            Some(earlier) if earlier.same_content(row) => {
                plan.replays += 1;
                if let (None, Some(first)) = (stored.get(&row.id), in_batch) {
                    plan.repeats.push((index, first));
                }
            }
            Some(_) => plan.conflicts.push(index),
            None => {
                first_seen.insert(&row.id, index);
                plan.new_indices.push(index);
            }
        }
    }
    Ok(plan)
}
