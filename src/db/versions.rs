//! Questionnaire versions: recorded when first loaded, never changed after.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::survey_versions;
use super::{with_backend, Conn, DbError, DbResult};
use crate::definitions::{Survey, SurveyVersion};

#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = survey_versions)]
struct VersionRow {
    hash: String,
    slug: String,
    department: String,
    definition: String,
    first_loaded_on: NaiveDate,
}

/// Records every version in `current` that is not stored yet.
pub fn record(conn: &mut Conn, current: &[&SurveyVersion], today: NaiveDate) -> DbResult<usize> {
    let rows: Vec<VersionRow> = current
        .iter()
        .map(|v| VersionRow {
            hash: v.hash.clone(),
            slug: v.survey.slug.clone(),
            department: v.survey.department.clone(),
            definition: serde_json::to_string(&v.survey).expect("a survey always serialises"),
            first_loaded_on: today,
        })
        .collect();
    let mut inserted = 0;
    for row in &rows {
        inserted += with_backend!(conn, |c| {
            diesel::insert_into(survey_versions::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)
        })?;
    }
    Ok(inserted)
}

/// How many versions are stored.
pub fn count(conn: &mut Conn) -> DbResult<i64> {
    Ok(survey_versions::table.count().get_result(conn)?)
}

/// Every version ever recorded, oldest first.
pub fn all(conn: &mut Conn) -> DbResult<Vec<(SurveyVersion, NaiveDate)>> {
    let rows: Vec<VersionRow> = survey_versions::table
        .select(VersionRow::as_select())
        .order((survey_versions::first_loaded_on, survey_versions::hash))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let survey: Survey = serde_json::from_str(&row.definition).map_err(|source| {
                DbError::StoredDefinition {
                    hash: row.hash.clone(),
                    source,
                }
            })?;
            // The hash is the identity responses point to: keep the stored one
            // even if hashing were ever to change.
            Ok((
                SurveyVersion {
                    hash: row.hash,
                    survey,
                },
                row.first_loaded_on,
            ))
        })
        .collect()
}
