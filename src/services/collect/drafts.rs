//! Questionnaires filled in one section per screen are kept between
//! screens as drafts, under the response id alone (no cookie, nothing
//! identifying, never the invitation code), until sent or expired.

use chrono::{Duration, NaiveDate};

use crate::app::AppContext;
use crate::db::drafts::{self, DraftRow};
use crate::db::{Db, DbError};
use crate::domain::pages::FormValues;
use crate::domain::ResponseId;

/// A draft is forgotten this many days after it was last saved.
pub const DRAFT_DAYS: i64 = 7;

/// Form fields that travel with every screen and are not kept: the code
/// in particular never reaches the database before it is redeemed.
pub const NOT_KEPT: [&str; 8] = [
    "id", "version", "lang", "code", "go", "page", "kiosk", "idle",
];

fn oldest_kept(today: NaiveDate) -> NaiveDate {
    today - Duration::days(DRAFT_DAYS)
}

/// The draft of `id` for questionnaire version `version`, if one is kept.
pub fn load(
    ctx: &AppContext,
    id: ResponseId,
    version: &str,
) -> Result<Option<FormValues>, DbError> {
    let row = drafts::find(
        &mut *ctx.db.reader()?,
        &id.to_string(),
        oldest_kept(ctx.clock.today()),
    )?;
    Ok(row
        .filter(|r| r.survey_version == version)
        .and_then(|r| serde_json::from_str(&r.form_values).ok()))
}

/// Keeps `values` (less the fields not kept) as the draft of `id`.
pub fn save(
    ctx: &AppContext,
    id: ResponseId,
    version: &str,
    values: &FormValues,
) -> Result<(), DbError> {
    let kept: FormValues = values
        .iter()
        .filter(|(k, _)| !NOT_KEPT.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let row = DraftRow {
        id: id.to_string(),
        survey_version: version.to_string(),
        form_values: serde_json::to_string(&kept).unwrap_or_else(|_| "{}".into()),
        saved_on: ctx.clock.today(),
    };
    ctx.db.write_tx(|conn| drafts::save(conn, &row))
}

pub fn discard(ctx: &AppContext, id: ResponseId) -> Result<(), DbError> {
    ctx.db
        .write_tx(|conn| drafts::delete(conn, &id.to_string()))
}

/// Deletes the drafts not saved for [`DRAFT_DAYS`] days; `serve` runs it
/// hourly.
pub fn expire(db: &Db, today: NaiveDate) -> Result<usize, DbError> {
    db.write_tx(|conn| drafts::expire(conn, oldest_kept(today)))
}
