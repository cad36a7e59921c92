//! Group commit. Every submission of every request is queued to the writer
//! thread; it takes what has gathered in the queue and stores it in one
//! transaction: the rows inserted in id order, each skipped when its id is
//! stored already, a look-up of the skipped ones only (replays,
//! conflicts), one commit, one fsync (on PostgreSQL a batch that is one
//! `INSERT` is sent as that statement alone, a transaction by itself: one
//! round trip instead of three, on a connection kept from batch to batch
//! without the pool's check, [`KeptWriter`]). Each submission
//! is answered only after that commit, so acknowledged still means durable.
//! What arrives while a batch commits waits for the next, so the more
//! clients send at once, the larger the batches and the fewer the fsyncs
//! per response.
//!
//! One thread on both backends. On SQLite, which has one writer, a second
//! would split the batches and double the fsyncs (bench/submit.sh: 4.5k
//! submissions/s with one, 3.1k with two). On PostgreSQL two threads took
//! turns, one gathering while the other committed, when a batch was three
//! round trips; since a batch is one statement, a second thread split the
//! batches and cost more than it overlapped. Interleaved with pgbench, 8 s
//! runs in pairs: one thread took 6-22 % less of the machine's CPU per
//! submission at 16 and 64 connections (9 pairs) and less in 6 of 7 pairs
//! at 200, at rates the same within the noise; p99 at 64 connections was
//! 19-31 against 32-52 ms, at 200 the same within the noise (medians of 7:
//! 56.6 against 54.4 ms). Three threads did worse than two at 200.
//!
//! On SQLite the fsync is not the writer's: a batch commits without waiting
//! for the disk ([`Db::write_tx_synced_later`]) and its answers go to a sync
//! thread, which syncs the WAL once for every batch committed before it
//! ([`Db::sync_wal`]) and only then answers them. The writer commits the
//! next batch while the disk syncs the last (16 connections, a fresh
//! database: 5.3k submissions/s against 3.8k when it waited).
//!
//! A submission with an invitation code deletes its invitation in the same
//! transaction, inside a savepoint of its own, so that a replay or a used
//! code undoes only its own deletion.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::{Outcome, RecordError};
use crate::db::responses::{self, ResponseRow};
use crate::db::{Conn, Db, DbError, KeptWriter};

/// How many submissions may wait for the writer; past it, requests wait to
/// queue (their connections stay open, memory stays bounded).
pub const QUEUE: usize = 4096;
/// The most submissions stored in one transaction.
pub const BATCH: usize = 512;

/// An invitation to delete with the response: its code's hash and survey.
#[derive(Debug, Clone)]
pub struct Redemption {
    pub code_hash: String,
    pub survey: String,
}

struct Job {
    row: ResponseRow,
    redemption: Option<Redemption>,
    reply: oneshot::Sender<Result<Outcome, RecordError>>,
}

/// The queue to the writer thread, started on the first submission. The
/// thread ends when every handle to the queue is gone.
#[derive(Clone, Default)]
pub struct SubmissionWriter {
    queue: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl std::fmt::Debug for SubmissionWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubmissionWriter")
    }
}

impl SubmissionWriter {
    /// Stores `row` (and deletes its invitation) in the next batch; answers
    /// once the batch committed.
    pub async fn submit(
        &self,
        db: &Db,
        row: ResponseRow,
        redemption: Option<Redemption>,
    ) -> Result<Outcome, RecordError> {
        let queue = self.queue.get_or_init(|| spawn(db.clone()));
        let (reply, answer) = oneshot::channel();
        queue
            .send(Job {
                row,
                redemption,
                reply,
            })
            .await
            .map_err(|_| RecordError::Db(DbError::WriterStopped))?;
        answer
            .await
            .unwrap_or(Err(RecordError::Db(DbError::WriterStopped)))
    }
}

fn spawn(db: Db) -> mpsc::Sender<Job> {
    let (sender, receiver) = mpsc::channel(QUEUE);
    let sqlite = matches!(db.backend(), crate::db::Backend::Sqlite(_));
    // On SQLite the answers of a committed batch wait for the WAL's sync
    // in a thread of their own, so that the writer commits the next batch
    // meanwhile.
    let synced = if sqlite {
        let (answers, committed) = std::sync::mpsc::sync_channel(SYNCS_PENDING);
        let db = db.clone();
        let started = std::thread::Builder::new()
            .name("submission-sync".into())
            .spawn(move || answer_when_synced(&db, &committed));
        match started {
            Ok(_) => Some(answers),
            Err(e) => {
                // The writer then answers after each commit's own sync.
                log::error!("cannot start the submissions' sync thread: {e}");
                None
            }
        }
    } else {
        None
    };
    let started = std::thread::Builder::new()
        .name("submission-writer".into())
        .spawn(move || run(db, receiver, synced));
    if let Err(e) = started {
        // Without the thread every submission is answered 503.
        log::error!("cannot start the submission writer: {e}");
    }
    sender
}

/// A submission's answer, ready to send.
type Answer = (
    oneshot::Sender<Result<Outcome, RecordError>>,
    Result<Outcome, RecordError>,
);

/// Batches committed but not yet answered, waiting for the sync thread;
/// past it the writer waits too.
const SYNCS_PENDING: usize = 64;

fn run(
    db: Db,
    mut receiver: mpsc::Receiver<Job>,
    synced: Option<std::sync::mpsc::SyncSender<Vec<Answer>>>,
) {
    let mut kept = KeptWriter::default();
    while let Some(first) = receiver.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        crate::metrics::submission_batch(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        store(&db, &mut kept, batch, synced.is_some(), &mut answers);
        match &synced {
            Some(sync_thread) => {
                if let Err(unsent) = sync_thread.send(answers) {
                    // The sync thread is gone: sync here.
                    send_when_synced(|| db.sync_wal(), unsent.0);
                }
            }
            None => send(answers),
        }
    }
}

/// The sync thread: takes every batch committed since its last sync, syncs
/// the WAL once for all of them, then answers them.
fn answer_when_synced(db: &Db, committed: &std::sync::mpsc::Receiver<Vec<Answer>>) {
    while let Ok(mut answers) = committed.recv() {
        while let Ok(more) = committed.try_recv() {
            answers.extend(more);
        }
        send_when_synced(|| db.sync_wal(), answers);
    }
}

/// Sends `answers` once `sync` has put their commits on the disk; if it
/// could not, those that say a response is stored say instead that it
/// could not be stored at the moment.
fn send_when_synced(sync: impl FnOnce() -> std::io::Result<()>, answers: Vec<Answer>) {
    let started = std::time::Instant::now();
    match sync() {
        Ok(()) => {
            crate::metrics::wal_sync(started.elapsed());
            send(answers);
        }
        Err(e) => {
            // Committed, but perhaps not on the disk: the client is told
            // to send again, and a resent response is then a replay.
            log::error!("cannot sync the WAL: {e}");
            send(answers.into_iter().map(|(reply, outcome)| {
                let unsure = match outcome {
                    Ok(_) => Err(RecordError::Db(DbError::WriterStopped)),
                    refused => refused,
                };
                (reply, unsure)
            }));
        }
    }
}

fn send(answers: impl IntoIterator<Item = Answer>) {
    for (reply, outcome) in answers {
        let _ = reply.send(outcome);
    }
}

/// Stores one batch and adds the answer to every submission in it to
/// `answers`. A batch that fails for a reason other than the database
/// being out of reach is stored again one submission at a time, so that
/// one faulty row fails only itself. With `synced_later`, the answers
/// claiming a stored response must wait for [`Db::sync_wal`].
fn store(
    db: &Db,
    kept: &mut KeptWriter,
    mut batch: Vec<Job>,
    synced_later: bool,
    answers: &mut Vec<Answer>,
) {
    match store_together(db, kept, &mut batch, synced_later) {
        Ok(outcomes) => {
            answers.extend(batch.into_iter().map(|job| job.reply).zip(outcomes));
        }
        Err(e) if e.is_unavailable() || batch.len() == 1 => {
            // Debug shows the error with its causes.
            log::warn!(
                "a batch of {} submissions was not stored: {e:?}",
                batch.len()
            );
            let unavailable = e.is_unavailable();
            for job in batch {
                let error = if unavailable {
                    DbError::WriterStopped
                } else {
                    DbError::BatchFailed
                };
                answers.push((job.reply, Err(RecordError::Db(error))));
            }
        }
        Err(_) => {
            for job in batch {
                store(db, kept, vec![job], synced_later, answers);
            }
        }
    }
}

fn store_together(
    db: &Db,
    kept: &mut KeptWriter,
    batch: &mut [Job],
    synced_later: bool,
) -> Result<Vec<Result<Outcome, RecordError>>, DbError> {
    // In id order: the place of a row in a batch says nothing of arrival.
    batch.sort_by(|a, b| a.row.id.cmp(&b.row.id));
    // One day for the whole batch: whether it is one statement, and which
    // of its rows are late, are judged alike.
    let today = crate::domain::system_today();
    let work = |conn: &mut Conn| -> Result<Vec<Result<Outcome, RecordError>>, DbError> {
        let mut outcomes: Vec<Option<Result<Outcome, RecordError>>> =
            (0..batch.len()).map(|_| None).collect();
        // Invitations first, each in a savepoint with its own response.
        for (job, outcome) in batch.iter().zip(outcomes.iter_mut()) {
            if let Some(redemption) = &job.redemption {
                *outcome = Some(with_invitation(conn, &job.row, redemption)?);
            }
        }
        // The rows without an invitation, each id inserted once, skipped
        // when it is stored already; only the skipped ones (replays,
        // conflicts, or a row another instance or an import stored first)
        // are then looked up: a batch of new responses costs no look-up,
        // one round trip fewer on PostgreSQL.
        let mut seen: HashSet<&str> = HashSet::new();
        let fresh: Vec<&ResponseRow> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| outcome.is_none())
            .map(|(job, _)| &job.row)
            .filter(|row| seen.insert(row.id.as_str()))
            .collect();
        let mut inserted: HashSet<String> = responses::insert_new(conn, &fresh, today)?
            .into_iter()
            .collect();
        let skipped: Vec<String> = fresh
            .iter()
            .filter(|row| !inserted.contains(&row.id))
            .map(|row| row.id.clone())
            .collect();
        let found = responses::find_many(conn, &skipped)?;
        // What each id in the batch is stored as: the row found, or the
        // batch's own row when this batch stored it (a second submission
        // of it in the same batch is judged against that).
        let mut stored: HashMap<&str, &ResponseRow> =
            found.iter().map(|row| (row.id.as_str(), row)).collect();
        for row in fresh.iter().filter(|row| inserted.contains(&row.id)) {
            stored.insert(row.id.as_str(), row);
        }
        for (job, outcome) in batch.iter().zip(outcomes.iter_mut()) {
            if outcome.is_some() {
                continue;
            }
            // The first of a batch's submissions with an id is the one
            // stored; the others are judged against it.
            *outcome = Some(if inserted.remove(&job.row.id) {
                Ok(Outcome::Recorded)
            } else {
                judge(&job.row, stored.get(job.row.id.as_str()).copied())
            });
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.expect("every submission judged"))
            .collect())
    };
    if one_statement(db, batch, today) {
        kept.write_unbracketed(db, work)
    } else if synced_later {
        db.write_tx_synced_later(work)
    } else {
        kept.write_tx(db, work)
    }
}

/// Whether a batch is stored by one `INSERT` and nothing else, which is
/// then a transaction by itself: on PostgreSQL, a batch of responses
/// without invitations, none of them late (a late one adds a row to
/// `late_responses`, in the same transaction). What follows the insert
/// only reads: the rows it skipped were committed by others
/// (PostgreSQL's `ON CONFLICT` waits for the transaction that holds the
/// id), and a stored row never goes away (`settle_order` moves rows
/// within one statement).
fn one_statement(db: &Db, batch: &[Job], today: chrono::NaiveDate) -> bool {
    matches!(db.backend(), crate::db::Backend::Postgres(_))
        && batch
            .iter()
            .all(|job| job.redemption.is_none() && !responses::is_late(job.row.submitted_on, today))
}

/// A replay (the same response again) or a conflict (the same id, other
/// content) against what is stored under the id.
fn judge(row: &ResponseRow, stored: Option<&ResponseRow>) -> Result<Outcome, RecordError> {
    match stored {
        Some(existing) if existing.same_content(row) => Ok(Outcome::AlreadyRecorded),
        Some(_) => Err(RecordError::Conflict),
        // Stored by another instance and gone since cannot happen: rows
        // are never deleted. Said as a conflict rather than assumed.
        None => Err(RecordError::Conflict),
    }
}

/// One submission with an invitation code, in a savepoint: the invitation
/// is deleted and the response stored together, or neither.
fn with_invitation(
    conn: &mut Conn,
    row: &ResponseRow,
    redemption: &Redemption,
) -> Result<Result<Outcome, RecordError>, DbError> {
    #[derive(Debug)]
    enum Undo {
        Refused(RecordError),
        Db(diesel::result::Error),
    }
    impl From<diesel::result::Error> for Undo {
        fn from(e: diesel::result::Error) -> Self {
            Undo::Db(e)
        }
    }
    let attempt = diesel::Connection::transaction::<Outcome, Undo, _>(conn, |conn| {
        let db_error = |e: DbError| match e {
            DbError::Query(q) => Undo::Db(q),
            other => Undo::Refused(RecordError::Db(other)),
        };
        let redeemed = crate::db::waves::redeem(
            conn,
            &redemption.code_hash,
            &redemption.survey,
            &row.unit,
            row.submitted_on,
        )
        .map_err(db_error)?;
        if redeemed && responses::insert_if_new(conn, row).map_err(db_error)? {
            return Ok(Outcome::Recorded);
        }
        // A replay rolls back what it redeemed: the first sending did.
        let refusal = match responses::find(conn, &row.id).map_err(db_error)? {
            Some(existing) if existing.same_content(row) => Ok(Outcome::AlreadyRecorded),
            Some(_) => Err(RecordError::Conflict),
            None => Err(RecordError::Invitation),
        };
        Err(Undo::Refused(match refusal {
            Ok(_) => RecordError::Replayed,
            Err(e) => e,
        }))
    });
    match attempt {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(Undo::Refused(RecordError::Replayed)) => Ok(Ok(Outcome::AlreadyRecorded)),
        Err(Undo::Refused(e)) => Ok(Err(e)),
        Err(Undo::Db(e)) => Err(DbError::Query(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(
        outcomes: Vec<Result<Outcome, RecordError>>,
    ) -> (
        Vec<Answer>,
        Vec<oneshot::Receiver<Result<Outcome, RecordError>>>,
    ) {
        outcomes
            .into_iter()
            .map(|outcome| {
                let (reply, answer) = oneshot::channel();
                ((reply, outcome), answer)
            })
            .unzip()
    }

    #[test]
    fn no_answer_leaves_before_the_sync_has_returned() {
        let (ready, mut waiting) = answers(vec![
            Ok(Outcome::Recorded),
            Ok(Outcome::AlreadyRecorded),
            Err(RecordError::Conflict),
        ]);
        let mut synced = false;
        send_when_synced(
            || {
                for answer in &mut waiting {
                    assert!(
                        matches!(answer.try_recv(), Err(oneshot::error::TryRecvError::Empty)),
                        "an answer was sent before the sync"
                    );
                }
                synced = true;
                Ok(())
            },
            ready,
        );
        assert!(synced);
        let sent: Vec<_> = waiting
            .into_iter()
            .map(|mut a| a.try_recv().unwrap())
            .collect();
        assert!(matches!(sent[0], Ok(Outcome::Recorded)));
        assert!(matches!(sent[1], Ok(Outcome::AlreadyRecorded)));
        assert!(matches!(sent[2], Err(RecordError::Conflict)));
    }

    /// Copies of one response and another under its id, in one batch: the
    /// first stored is recorded, and the others are judged against it.
    #[test]
    fn copies_in_one_batch_are_judged_against_the_one_stored() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let db = Db::connect(&url, std::time::Duration::from_secs(5)).unwrap();
        db.migrate().unwrap();
        let catalog = crate::definitions::load(std::path::Path::new("survey-definitions")).unwrap();
        let version = catalog.surveys[0].as_ref();
        let today = crate::domain::system_today();
        db.write_tx(|conn| crate::db::versions::record(conn, &[version], today))
            .unwrap();
        let row = |a1: u8| ResponseRow {
            id: "0b0e8a2e-5d0c-4c1e-9d35-2f1f3c1a0001".into(),
            survey_version: version.hash.clone(),
            unit: "unit".into(),
            submitted_on: today,
            channel: crate::domain::Channel::Api,
            answers: format!(r#"{{"A1":{a1}}}"#),
            likert: format!("{a1}"),
            comment: None,
            design: crate::domain::Design::SelfSelected,
        };
        let (jobs, mut replies): (Vec<Job>, Vec<_>) = [4, 4, 1, 4]
            .into_iter()
            .map(|a1| {
                let (reply, answer) = oneshot::channel();
                let job = Job {
                    row: row(a1),
                    redemption: None,
                    reply,
                };
                (job, answer)
            })
            .unzip();
        let mut ready = Vec::new();
        store(&db, &mut KeptWriter::default(), jobs, false, &mut ready);
        send(ready);
        let outcomes: Vec<_> = replies.iter_mut().map(|a| a.try_recv().unwrap()).collect();
        assert!(matches!(outcomes[0], Ok(Outcome::Recorded)), "{outcomes:?}");
        assert!(
            matches!(outcomes[1], Ok(Outcome::AlreadyRecorded)),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[2], Err(RecordError::Conflict)),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[3], Ok(Outcome::AlreadyRecorded)),
            "{outcomes:?}"
        );
    }

    #[test]
    fn a_failed_sync_says_stored_responses_could_not_be_stored() {
        let (ready, waiting) = answers(vec![
            Ok(Outcome::Recorded),
            Ok(Outcome::AlreadyRecorded),
            Err(RecordError::Conflict),
        ]);
        send_when_synced(|| Err(std::io::Error::other("disk gone")), ready);
        let sent: Vec<_> = waiting
            .into_iter()
            .map(|mut a| a.try_recv().unwrap())
            .collect();
        assert!(matches!(
            sent[0],
            Err(RecordError::Db(DbError::WriterStopped))
        ));
        assert!(matches!(
            sent[1],
            Err(RecordError::Db(DbError::WriterStopped))
        ));
        assert!(matches!(sent[2], Err(RecordError::Conflict)));
    }
}
