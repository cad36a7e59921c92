//! The feedback loop: every comment of a respondent becomes an item of its
//! service point's department, which classifies it, answers it in public or
//! closes it, within a target counted in working days. Items of a cell
//! (survey × service point × quarter) with fewer than `min_cell` responses
//! stay hidden, as comments always were, until the cell reaches it.
//! Everything staff change is audited; an item keeps only its response's
//! day, never a time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::app::AppContext;
use crate::db::feedback::{self as store, FeedbackChange, FeedbackItemRow, FeedbackRow};
use crate::db::{responses, Db, DbError};
use crate::definitions::{FeedbackSettings, SurveyVersion};
use crate::domain::{FeedbackStatus, Period, PeriodMode};
use crate::i18n::Lang;
use crate::services::access::audit;
use crate::services::indices::dashboard::mask_personal_data;

/// Longest public answer or internal note, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
const FILE_BATCH: i64 = 500;

/// Makes an item of every comment of a response dated before `today` that
/// has none yet (blocking; at start and every hour). A day's comments are
/// filed together once the day is over, keys drawn at random and each batch
/// inserted in key order, so that neither the key, nor the place of a row,
/// nor the moment an item appears tells when its comment came.
pub fn file_new_comments(db: &Db, today: NaiveDate) -> Result<usize, DbError> {
    let mut filed = 0;
    // Read a page at a time in id order, each page going on from the last
    // (one pass over the responses in all), outside the write transaction:
    // only the inserts hold the write lock, so submissions and exports do
    // not wait while a large import's comments are filed.
    let mut after = String::new();
    loop {
        let (page, filed_before) = {
            let mut conn = db.reader()?;
            let page = store::commented(&mut conn, today, &after, FILE_BATCH)?;
            let filed_before = store::with_items(&mut conn, &page)?;
            (page, filed_before)
        };
        let Some(last) = page.last() else {
            return Ok(filed);
        };
        after = last.clone();
        let full = page.len() == FILE_BATCH as usize;
        let mut rows: Vec<FeedbackRow> = page
            .into_iter()
            .filter(|id| !filed_before.contains(id))
            .map(|response_id| FeedbackRow {
                key: Uuid::new_v4().simple().to_string(),
                response_id,
                filed_on: today,
                status: FeedbackStatus::New,
                topic: None,
                element: None,
                public_answer: None,
                internal_note: None,
                closed_on: None,
            })
            .collect();
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        if !rows.is_empty() {
            // Another instance filing the same page meanwhile is harmless:
            // an item is inserted only for a response that has none.
            db.write_tx(|conn| store::insert_all(conn, &rows))?;
            filed += rows.len();
        }
        if !full {
            return Ok(filed);
        }
    }
}

/// An item as staff see it.
#[derive(Debug, Clone)]
pub struct FeedbackItem {
    pub key: String,
    pub status: FeedbackStatus,
    pub topic: Option<String>,
    pub element: Option<String>,
    pub public_answer: Option<String>,
    pub internal_note: Option<String>,
    /// The day it was answered or closed.
    pub closed_on: Option<NaiveDate>,
    pub unit: String,
    /// The response's day: the only date of the comment.
    pub date: NaiveDate,
    /// The current version of the questionnaire answered.
    pub survey: Arc<SurveyVersion>,
    /// The comment; masked (personal data hidden) in every item a caller
    /// receives.
    pub comment: String,
    /// The last day it is answered within the target.
    pub due_on: NaiveDate,
    /// Working days from receipt to the answer (answered items only).
    pub days_to_answer: Option<u32>,
}

impl FeedbackItem {
    /// Answered with a public answer: what the public page shows.
    pub fn published(&self) -> bool {
        self.status == FeedbackStatus::Answered
            && self.public_answer.as_deref().is_some_and(|a| !a.is_empty())
    }
}

/// Counts of a department's items, as dashboards, exports and reports
/// show them.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FeedbackSummary {
    pub new: usize,
    pub in_progress: usize,
    pub answered: usize,
    pub no_action: usize,
    /// Comments not shown yet: their service point has fewer than the
    /// privacy threshold's responses in the quarter. `None` when fewer than
    /// the threshold themselves: how many people of a small cell commented
    /// is not said.
    pub hidden: Option<usize>,
    /// Whether some comments are not shown yet.
    pub some_hidden: bool,
    /// Items that had to be answered by now: answered, closed without an
    /// answer after their target day, or open past it.
    pub due: usize,
    /// Of those, answered within the target.
    pub answered_in_time: usize,
    /// Median working days from receipt to the answer.
    pub median_days_to_answer: Option<f64>,
    pub target_working_days: u32,
}

impl FeedbackSummary {
    pub fn total(&self) -> usize {
        FeedbackStatus::ALL.iter().map(|s| self.count(*s)).sum()
    }

    /// Items with `status`.
    pub fn count(&self, status: FeedbackStatus) -> usize {
        match status {
            FeedbackStatus::New => self.new,
            FeedbackStatus::InProgress => self.in_progress,
            FeedbackStatus::Answered => self.answered,
            FeedbackStatus::NoAction => self.no_action,
        }
    }

    /// Share of items due that were answered within the target.
    pub fn share_in_time(&self) -> Option<f64> {
        (self.due > 0).then(|| self.answered_in_time as f64 / self.due as f64)
    }

    fn of(
        items: &[FeedbackItem],
        hidden: usize,
        min_cell: usize,
        settings: &FeedbackSettings,
        today: NaiveDate,
    ) -> Self {
        let mut summary = FeedbackSummary {
            hidden: (hidden >= min_cell).then_some(hidden),
            some_hidden: hidden > 0,
            target_working_days: settings.target_working_days,
            ..FeedbackSummary::default()
        };
        let mut days = Vec::new();
        for item in items {
            match item.status {
                FeedbackStatus::New => summary.new += 1,
                FeedbackStatus::InProgress => summary.in_progress += 1,
                FeedbackStatus::Answered => summary.answered += 1,
                FeedbackStatus::NoAction => summary.no_action += 1,
            }
            match (item.status, item.closed_on) {
                (FeedbackStatus::Answered, Some(closed)) => {
                    days.extend(item.days_to_answer);
                    summary.due += 1;
                    if closed <= item.due_on {
                        summary.answered_in_time += 1;
                    }
                }
                // Closed without an answer after its target day: it was due
                // and not answered in time (closing late does not hide it).
                (FeedbackStatus::NoAction, Some(closed)) if closed > item.due_on => {
                    summary.due += 1;
                }
                (status, _) if status.open() && item.due_on < today => summary.due += 1,
                _ => {}
            }
        }
        days.sort_unstable();
        summary.median_days_to_answer = match days.len() {
            0 => None,
            n if n % 2 == 1 => Some(f64::from(days[n / 2])),
            n => Some((f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0),
        };
        summary
    }
}

/// Which items to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackFilter {
    pub status: Option<FeedbackStatus>,
    pub survey: Option<String>,
    pub unit: Option<String>,
}

/// A department's items of a period: one page of those the filter
/// matches, newest first, how many it matches, and the counts of all.
#[derive(Debug, Clone)]
pub struct FeedbackList {
    pub items: Vec<FeedbackItem>,
    pub matched: usize,
    pub summary: FeedbackSummary,
}

/// Which page of the matching items to return: `offset` items skipped,
/// at most `limit` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

/// The current versions of `department`'s questionnaires, by every hash
/// they were recorded under.
fn versions_of_department(
    ctx: &AppContext,
    department: &str,
) -> HashMap<String, Arc<SurveyVersion>> {
    ctx.catalog
        .surveys
        .iter()
        .filter(|s| s.survey.department == department)
        .flat_map(|current| {
            ctx.version_hashes_of(&current.survey.slug)
                .into_iter()
                .map(|hash| (hash, current.clone()))
        })
        .collect()
}

/// Cells (survey, service point, calendar quarter) with at least
/// `min_cell` responses, over the quarters that hold `from..=to`.
fn cells_shown(
    ctx: &AppContext,
    versions: &HashMap<String, Arc<SurveyVersion>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashSet<(String, String, String)>, DbError> {
    let (first, _) = Period::quarter_of(from, PeriodMode::Calendar).bounds();
    let (_, last) = Period::quarter_of(to, PeriodMode::Calendar).bounds();
    let mut counts: HashMap<(String, String, String), i64> = HashMap::new();
    let mut conn = ctx.db.reader()?;
    for (hash, current) in versions {
        for (unit, day, n) in responses::counts_by_unit_and_day(&mut conn, hash, first, last)? {
            let quarter = Period::quarter_of(day, PeriodMode::Calendar).label();
            *counts
                .entry((current.survey.slug.clone(), unit, quarter))
                .or_default() += n;
        }
    }
    let min = ctx.stats.min_cell as i64;
    Ok(counts
        .into_iter()
        .filter(|(_, n)| *n >= min)
        .map(|(cell, _)| cell)
        .collect())
}

/// An item, its comment not yet masked (see [`masked`]).
fn item_of(
    row: FeedbackItemRow,
    survey: Arc<SurveyVersion>,
    settings: &FeedbackSettings,
) -> FeedbackItem {
    let calendar = &settings.calendar;
    let date = row.submitted_on;
    // A paper form keyed in long after its day is answered from its filing.
    let start = if row.item.filed_on > date.succ_opt().unwrap_or(date) {
        row.item.filed_on
    } else {
        date
    };
    let answered = row.item.status == FeedbackStatus::Answered;
    FeedbackItem {
        key: row.item.key,
        status: row.item.status,
        topic: row.item.topic,
        element: row.item.element,
        public_answer: row.item.public_answer,
        internal_note: row.item.internal_note,
        days_to_answer: row
            .item
            .closed_on
            .filter(|_| answered)
            .map(|closed| calendar.working_days_between(start, closed)),
        closed_on: row.item.closed_on,
        unit: row.unit,
        date,
        survey,
        comment: row.comment,
        due_on: calendar.deadline(start, settings.target_working_days),
    }
}

fn masked(mut item: FeedbackItem) -> FeedbackItem {
    item.comment = mask_personal_data(&item.comment);
    item
}

/// One page of the shown items of `department` with a response dated
/// `from..=to`, and the counts of all of them (blocking).
pub fn list(
    ctx: &AppContext,
    department: &str,
    from: NaiveDate,
    to: NaiveDate,
    filter: &FeedbackFilter,
    page: Page,
) -> Result<FeedbackList, DbError> {
    let (items, summary) = shown_items(ctx, department, from, to)?;
    let mut items: Vec<FeedbackItem> = items
        .into_iter()
        .filter(|item| {
            filter.status.is_none_or(|s| item.status == s)
                && filter
                    .survey
                    .as_deref()
                    .is_none_or(|s| item.survey.survey.slug == s)
                && filter.unit.as_deref().is_none_or(|u| item.unit == u)
        })
        .collect();
    // Newest first; within a day by key, which says nothing of arrival.
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.key.cmp(&b.key)));
    let matched = items.len();
    let items = items
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(masked)
        .collect();
    Ok(FeedbackList {
        items,
        matched,
        summary,
    })
}

/// Every shown item of `department` with a response dated `from..=to`
/// (comments not masked yet), and their counts.
fn shown_items(
    ctx: &AppContext,
    department: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<FeedbackItem>, FeedbackSummary), DbError> {
    let versions = versions_of_department(ctx, department);
    let rows = items_of(ctx, &versions, from, to)?;
    sort_shown(ctx, &versions, from, to, rows)
}

/// The items of responses to `versions` dated `from..=to`. None are read
/// when no response is (reading them goes through every item).
fn items_of(
    ctx: &AppContext,
    versions: &HashMap<String, Arc<SurveyVersion>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<store::FeedbackItemRow>, DbError> {
    let hashes: Vec<String> = versions.keys().cloned().collect();
    let mut conn = ctx.db.reader()?;
    if crate::db::responses::any_in(&mut conn, &hashes, from, to)? {
        store::items(&mut conn, &hashes, from, to)
    } else {
        Ok(Vec::new())
    }
}

/// Of `rows` (items of responses to `versions` dated `from..=to`), the
/// shown ones, and the counts of all.
fn sort_shown(
    ctx: &AppContext,
    versions: &HashMap<String, Arc<SurveyVersion>>,
    from: NaiveDate,
    to: NaiveDate,
    rows: Vec<store::FeedbackItemRow>,
) -> Result<(Vec<FeedbackItem>, FeedbackSummary), DbError> {
    let shown = cells_shown(ctx, versions, from, to)?;
    let settings = &ctx.catalog.site.feedback;
    let mut hidden = 0;
    let mut items = Vec::new();
    for row in rows {
        let Some(survey) = versions.get(&row.survey_version).cloned() else {
            continue;
        };
        let cell = (
            survey.survey.slug.clone(),
            row.unit.clone(),
            Period::quarter_of(row.submitted_on, PeriodMode::Calendar).label(),
        );
        if shown.contains(&cell) {
            items.push(item_of(row, survey, settings));
        } else {
            hidden += 1;
        }
    }
    let summary = FeedbackSummary::of(
        &items,
        hidden,
        ctx.stats.min_cell,
        settings,
        ctx.clock.today(),
    );
    Ok((items, summary))
}

/// A public answer, as the public results page shows it: no comment, no
/// day of the response (only its quarter).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedAnswer {
    pub unit: String,
    pub quarter: Period,
    pub topic: Option<String>,
    pub answer: String,
    pub answered_on: NaiveDate,
}

/// How far back the public page looks for comments whose answers it shows.
const PUBLISHED_COMMENTS_DAYS: u64 = 2 * 366;

/// The latest `limit` published answers of `department` given on or after
/// `since`, latest first (blocking).
pub fn published(
    ctx: &AppContext,
    department: &str,
    since: NaiveDate,
    limit: usize,
) -> Result<Vec<PublishedAnswer>, DbError> {
    let today = ctx.clock.today();
    let from = since
        .checked_sub_days(chrono::Days::new(PUBLISHED_COMMENTS_DAYS))
        .unwrap_or(since);
    let mut answers: Vec<PublishedAnswer> = shown_items(ctx, department, from, today)?
        .0
        .into_iter()
        .filter(FeedbackItem::published)
        .filter(|item| item.closed_on.is_some_and(|closed| closed >= since))
        .filter_map(|item| {
            Some(PublishedAnswer {
                quarter: Period::quarter_of(item.date, PeriodMode::Calendar),
                answered_on: item.closed_on?,
                answer: item.public_answer?,
                unit: item.unit,
                topic: item.topic,
            })
        })
        .collect();
    answers.sort_by(|a, b| {
        b.answered_on
            .cmp(&a.answered_on)
            .then_with(|| a.answer.cmp(&b.answer))
    });
    answers.truncate(limit);
    Ok(answers)
}

/// The counts of a department's items of a period (blocking).
pub fn summary(
    ctx: &AppContext,
    department: &str,
    period: &Period,
) -> Result<FeedbackSummary, DbError> {
    let mut summaries = summaries(ctx, &[department], period)?;
    Ok(summaries
        .pop()
        .map(|(_, summary)| summary)
        .unwrap_or_default())
}

/// [`summary`] of each of `departments`, the items read once for all.
pub fn summaries(
    ctx: &AppContext,
    departments: &[&str],
    period: &Period,
) -> Result<Vec<(String, FeedbackSummary)>, DbError> {
    let (from, to) = period.bounds();
    let versions: Vec<HashMap<String, Arc<SurveyVersion>>> = departments
        .iter()
        .map(|department| versions_of_department(ctx, department))
        .collect();
    let every_version: HashMap<String, Arc<SurveyVersion>> = versions
        .iter()
        .flatten()
        .map(|(h, v)| (h.clone(), v.clone()))
        .collect();
    let mut rows_of: Vec<Vec<store::FeedbackItemRow>> =
        versions.iter().map(|_| Vec::new()).collect();
    for row in items_of(ctx, &every_version, from, to)? {
        if let Some(at) = versions
            .iter()
            .position(|v| v.contains_key(&row.survey_version))
        {
            rows_of[at].push(row);
        }
    }
    departments
        .iter()
        .zip(&versions)
        .zip(rows_of)
        .map(|((department, versions), rows)| {
            let (_, summary) = sort_shown(ctx, versions, from, to, rows)?;
            Ok((department.to_string(), summary))
        })
        .collect()
}

/// One shown item of `department` (blocking); `None` when there is no such
/// item, it is another department's, or its cell is still hidden.
pub fn find(
    ctx: &AppContext,
    department: &str,
    key: &str,
) -> Result<Option<FeedbackItem>, DbError> {
    let Some(row) = store::find(&mut *ctx.db.reader()?, key)? else {
        return Ok(None);
    };
    let versions = versions_of_department(ctx, department);
    let Some(survey) = versions.get(&row.survey_version).cloned() else {
        return Ok(None);
    };
    let shown = cells_shown(ctx, &versions, row.submitted_on, row.submitted_on)?;
    let cell = (
        survey.survey.slug.clone(),
        row.unit.clone(),
        Period::quarter_of(row.submitted_on, PeriodMode::Calendar).label(),
    );
    if !shown.contains(&cell) {
        return Ok(None);
    }
    Ok(Some(masked(item_of(
        row,
        survey,
        &ctx.catalog.site.feedback,
    ))))
}

/// What a staff member asks to set on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackEdit {
    pub status: FeedbackStatus,
    pub topic: Option<String>,
    pub element: Option<String>,
    pub public_answer: Option<String>,
    pub internal_note: Option<String>,
}

/// Why an edit is refused, for the field it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditProblem {
    UnknownTopic,
    UnknownElement,
    TooLong,
    AnswerMissing,
}

impl EditProblem {
    pub fn describe(self, lang: Lang) -> String {
        match self {
            EditProblem::UnknownTopic => lang
                .pick(
                    "không phải một chủ đề trong danh sách",
                    "is not one of the topics",
                )
                .to_string(),
            EditProblem::UnknownElement => lang
                .pick(
                    "không phải một yếu tố của phiếu",
                    "is not an element of the questionnaire",
                )
                .to_string(),
            EditProblem::TooLong => lang
                .pick("vượt quá 4.000 ký tự", "is longer than 4,000 characters")
                .to_string(),
            EditProblem::AnswerMissing => lang
                .pick(
                    "cần nội dung trả lời công khai để chuyển sang “Đã trả lời”",
                    "an answered item needs the public answer",
                )
                .to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("{field}: {}", problem.describe(Lang::En))]
    Invalid {
        field: &'static str,
        problem: EditProblem,
    },
    #[error("no such feedback item")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Checks an edit against the item's questionnaire and the settings.
pub fn check_edit(
    edit: &FeedbackEdit,
    item: &FeedbackItem,
    settings: &FeedbackSettings,
) -> Result<(), FeedbackError> {
    let invalid = |field, problem| Err(FeedbackError::Invalid { field, problem });
    if edit
        .topic
        .as_ref()
        .is_some_and(|t| settings.topic(t).is_none())
    {
        return invalid("topic", EditProblem::UnknownTopic);
    }
    if let Some(element) = &edit.element {
        if !item
            .survey
            .survey
            .sections
            .iter()
            .any(|s| s.is_element() && &s.key == element)
        {
            return invalid("element", EditProblem::UnknownElement);
        }
    }
    for (field, text) in [
        ("public_answer", &edit.public_answer),
        ("internal_note", &edit.internal_note),
    ] {
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS)
        {
            return invalid(field, EditProblem::TooLong);
        }
    }
    if edit.status == FeedbackStatus::Answered && edit.public_answer.is_none() {
        return invalid("public_answer", EditProblem::AnswerMissing);
    }
    Ok(())
}

/// Applies `edit` to the shown item `key` of `department` and audits what
/// changed, in one transaction (blocking).
pub fn update(
    ctx: &AppContext,
    department: &str,
    key: &str,
    edit: &FeedbackEdit,
    actor: &str,
) -> Result<FeedbackItem, FeedbackError> {
    let item = find(ctx, department, key)?.ok_or(FeedbackError::NotFound)?;
    let settings = &ctx.catalog.site.feedback;
    check_edit(edit, &item, settings)?;
    // The day it was closed: set when it is answered or closed, kept while
    // it stays closed the same way, cleared when it is reopened.
    let closed_on = match (item.status, edit.status) {
        (_, to) if to.open() => None,
        (from, to) if from == to => item.closed_on,
        _ => Some(ctx.clock.today()),
    };
    let change = FeedbackChange {
        status: edit.status,
        topic: edit.topic.clone(),
        element: edit.element.clone(),
        public_answer: edit.public_answer.clone(),
        internal_note: edit.internal_note.clone(),
        closed_on,
    };
    let mut changed = Vec::new();
    if item.status != edit.status {
        changed.push(format!("status {} -> {}", item.status, edit.status));
    }
    if item.topic != edit.topic {
        changed.push(format!("topic {}", edit.topic.as_deref().unwrap_or("-")));
    }
    if item.element != edit.element {
        changed.push(format!(
            "element {}",
            edit.element.as_deref().unwrap_or("-")
        ));
    }
    if item.public_answer != edit.public_answer {
        changed.push("public answer edited".to_string());
    }
    if item.internal_note != edit.internal_note {
        changed.push("internal note edited".to_string());
    }
    if changed.is_empty() {
        return Ok(item);
    }
    let detail = format!("item {key} of {department}: {}", changed.join("; "));
    ctx.db.write_tx(|conn| -> Result<(), DbError> {
        store::update(conn, key, &change)?;
        audit::record_in(conn, &ctx.clock, actor, "feedback.update", &detail)
    })?;
    find(ctx, department, key)?.ok_or(FeedbackError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_shares_in_time_count_only_items_due() {
        let settings = FeedbackSettings::default();
        let today = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let survey = Arc::new(SurveyVersion {
            hash: "h".into(),
            survey: crate::definitions::Survey {
                slug: "s".into(),
                department: "health".into(),
                title: crate::definitions::Localized {
                    vi: "t".into(),
                    en: "t".into(),
                },
                intro: None,
                index_rule: crate::definitions::IndexRule::MeanOfElements,
                edition: None,
                late_result: None,
                sections: Vec::new(),
            },
        });
        let day = |(month, day): (u32, u32)| NaiveDate::from_ymd_opt(2026, month, day).unwrap();
        let calendar = &settings.calendar;
        // `closed`: working days from receipt to closing.
        let item = |status, date: (u32, u32), closed: Option<u32>| FeedbackItem {
            key: String::new(),
            status,
            topic: None,
            element: None,
            public_answer: None,
            internal_note: None,
            closed_on: closed.map(|d| calendar.deadline(day(date), d)),
            unit: String::new(),
            date: day(date),
            survey: survey.clone(),
            comment: String::new(),
            due_on: calendar.deadline(day(date), 15),
            days_to_answer: closed.filter(|_| status == FeedbackStatus::Answered),
        };
        let items = vec![
            item(FeedbackStatus::Answered, (4, 1), Some(3)),
            item(FeedbackStatus::Answered, (4, 1), Some(20)),
            item(FeedbackStatus::Answered, (4, 1), Some(10)),
            // Open past its target: due, not in time.
            item(FeedbackStatus::New, (4, 2), None),
            // Open within its target: not yet due.
            item(FeedbackStatus::InProgress, (6, 29), None),
            // Closed without an answer within the target: never due.
            item(FeedbackStatus::NoAction, (4, 3), Some(2)),
            // Closed without an answer after it: due, and late.
            item(FeedbackStatus::NoAction, (4, 3), Some(16)),
        ];
        let summary = FeedbackSummary::of(&items, 2, 5, &settings, today);
        assert_eq!(
            (
                summary.new,
                summary.in_progress,
                summary.answered,
                summary.no_action
            ),
            (1, 1, 3, 2)
        );
        assert_eq!((summary.due, summary.answered_in_time), (5, 2));
        assert_eq!(summary.median_days_to_answer, Some(10.0));
        assert_eq!(summary.share_in_time(), Some(0.4));
        assert_eq!(summary.total(), 7);
        // Two hidden comments of a small cell are not counted aloud.
        assert_eq!((summary.hidden, summary.some_hidden), (None, true));
        let summary = FeedbackSummary::of(&items, 7, 5, &settings, today);
        assert_eq!((summary.hidden, summary.some_hidden), (Some(7), true));
    }
}
