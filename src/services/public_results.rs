//! The public results page: for each department that publishes its results,
//! the latest complete quarter's indices of every survey and service point
//! (the same figures, and the same suppression, as the dashboards and the
//! index API), the trend, and the department's published answers to
//! citizens' comments. Nothing here needs a sign-in.

use std::sync::Arc;

use chrono::{Days, NaiveDate};

use crate::app::AppContext;
use crate::definitions::SurveyVersion;
use crate::domain::{Period, PeriodMode};
use crate::services::feedback::{self, PublishedAnswer};
use crate::services::indices::dashboard::{self, SurveyFigures};
use crate::services::indices::IndexError;

/// How many published answers the page lists.
pub const ANSWERS_SHOWN: usize = 20;

#[derive(Debug, Clone)]
pub struct PublicSurvey {
    pub survey: Arc<SurveyVersion>,
    pub figures: SurveyFigures,
}

#[derive(Debug, Clone)]
pub struct PublicResults {
    pub department: String,
    /// The latest complete quarter.
    pub period: Period,
    pub surveys: Vec<PublicSurvey>,
    /// Answers of the last year, latest first.
    pub answers: Vec<PublishedAnswer>,
}

/// The quarter the public page shows on `today`: the last complete one.
pub fn quarter_shown(today: NaiveDate) -> Period {
    Period::default_on(today, PeriodMode::Calendar)
}

/// Whether `department` publishes its results.
pub fn is_public(ctx: &AppContext, department: &str) -> bool {
    ctx.catalog
        .department(department)
        .is_some_and(|d| d.surveyed && d.public_results)
}

/// The page of a public department (blocking); `None` for a department
/// that does not publish.
pub fn gather(ctx: &AppContext, department: &str) -> Result<Option<PublicResults>, IndexError> {
    if !is_public(ctx, department) {
        return Ok(None);
    }
    let today = ctx.clock.today();
    let period = quarter_shown(today);
    let surveys = ctx
        .catalog
        .surveys
        .iter()
        .filter(|s| s.survey.department == department)
        .map(|survey| {
            Ok(PublicSurvey {
                survey: survey.clone(),
                figures: dashboard::survey_figures(ctx, survey, period)?,
            })
        })
        .collect::<Result<Vec<_>, IndexError>>()?;
    let since = today.checked_sub_days(Days::new(365)).unwrap_or(today);
    let answers = feedback::published(ctx, department, since, ANSWERS_SHOWN)?;
    Ok(Some(PublicResults {
        department: department.to_string(),
        period,
        surveys,
        answers,
    }))
}
