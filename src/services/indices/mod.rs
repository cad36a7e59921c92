//! Index computation for one survey and period: adds up the cell's
//! responses, laid out on the current questionnaire ([`sums`]), by service
//! point, weights them if asked, and hands the sums to the pure estimators
//! in `stats`.

pub mod dashboard;
pub mod disclosure;
pub mod other_items;
pub mod sums;

use disclosure::DisclosureGuard;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::app::AppContext;
use crate::db::{volumes, DbError};
use crate::definitions::{QuestionKind, SurveyVersion};
use crate::domain::{Design, Period};
use crate::stats::sums::{self as cell_sums, CellSums, Strata};
use crate::stats::{self, CellEstimates, Comparison, Layout, StatsConfig, NOT_APPLICABLE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Weighting {
    /// Self-weighting: matches the official figures.
    None,
    /// w = N_h / n_h by service point, stratified, with finite population correction.
    Volume,
}

impl Weighting {
    pub fn parse(text: &str) -> Option<Weighting> {
        match text {
            "none" => Some(Weighting::None),
            "volume" => Some(Weighting::Volume),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Weighting::None => "none",
            Weighting::Volume => "volume",
        }
    }
}

/// Which respondents a figure covers: those drawn at random (an invitation
/// code, a sampled paper form) or every respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleDesign {
    Random,
    All,
}

impl SampleDesign {
    /// As the API's `design` parameter spells it.
    pub fn parse(text: &str) -> Option<SampleDesign> {
        match text {
            "probability" => Some(SampleDesign::Random),
            "all" => Some(SampleDesign::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SampleDesign::Random => "probability",
            SampleDesign::All => "all",
        }
    }
}

/// Respondents of a survey by design between `from` and `to` inclusive,
/// at one service point or all (blocking).
pub fn respondents_by_design(
    ctx: &AppContext,
    survey: &str,
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<&str>,
) -> Result<BTreeMap<Design, i64>, DbError> {
    let mut counts = BTreeMap::new();
    let Some(current) = ctx.catalog.survey(survey) else {
        return Ok(counts);
    };
    for piece in sums::pieces(ctx, current, from, to)? {
        for (at, design, sums) in piece.each() {
            if unit.is_none_or(|only| only == at) {
                *counts.entry(design).or_insert(0) += sums.respondents() as i64;
            }
        }
    }
    Ok(counts)
}

/// Respondents of a cell by whether they were drawn at random.
fn random_and_not(
    ctx: &AppContext,
    survey: &str,
    period: &Period,
    unit: Option<&str>,
) -> Result<(i64, i64), IndexError> {
    let (from, to) = period.bounds();
    let counts = respondents_by_design(ctx, survey, from, to, unit)?;
    Ok(counts
        .into_iter()
        .fold((0, 0), |(random, other), (design, n)| {
            if design.is_random() {
                (random + n, other)
            } else {
                (random, other + n)
            }
        }))
}

/// The design of a cell's figures when none is asked for: the respondents
/// drawn at random when they are at least `min_reliable`, else everyone.
pub fn default_design(
    ctx: &AppContext,
    survey: &str,
    period: &Period,
    unit: Option<&str>,
    config: &StatsConfig,
) -> Result<SampleDesign, IndexError> {
    let (random, _) = random_and_not(ctx, survey, period, unit)?;
    Ok(
        if random >= i64::try_from(config.min_reliable).unwrap_or(i64::MAX) {
            SampleDesign::Random
        } else {
            SampleDesign::All
        },
    )
}

#[derive(Debug, Clone)]
pub struct IndexQuery {
    pub survey: Arc<SurveyVersion>,
    pub period: Period,
    pub unit: Option<String>,
    pub weighting: Weighting,
    pub config: StatsConfig,
    /// Which respondents the figures cover.
    pub design: SampleDesign,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no transaction volume for period {period} at service point(s) {}; import them with `hailong volumes import`", .units.join(", "))]
    MissingVolumes { period: String, units: Vec<String> },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The responses of one cell, laid out on the current questionnaire and
/// added up by service point.
#[derive(Debug, Clone, Default)]
pub struct CellData {
    /// The sums of each service point's respondents.
    pub units: BTreeMap<String, CellSums>,
    /// Questionnaire versions the responses answered.
    pub versions: BTreeSet<String>,
}

/// Where each Likert item of the current questionnaire sits, and its element.
pub fn layout_of(survey: &SurveyVersion) -> Layout {
    let mut item_element = Vec::new();
    let mut elements_in_overall = Vec::new();
    for section in survey.survey.sections.iter().filter(|s| s.is_element()) {
        let element = elements_in_overall.len();
        elements_in_overall.push(section.in_overall);
        item_element.extend(
            section
                .questions
                .iter()
                .filter(|q| q.kind == QuestionKind::Likert)
                .map(|_| element),
        );
    }
    let ranges: Vec<(u8, u8, u8)> = survey
        .survey
        .likert_items()
        .map(|q| q.rating_range())
        .collect();
    Layout {
        item_element,
        elements_in_overall,
        rule: survey.survey.index_rule,
        satisfied_from: ranges.iter().map(|(low, _, from)| from - low + 1).collect(),
        points_offset: ranges
            .iter()
            .map(|(low, _, _)| f64::from(*low) - 1.0)
            .collect(),
    }
}

/// Where each Likert item of `version` sits among the current
/// questionnaire's items: the current item of the same series (None: the
/// item was since removed, or belongs to an edition the current items do
/// not continue). Within an edition the series is the key; across editions
/// only an explicit `continues` joins two items, so a key that changed
/// meaning (the Ministry of Health's B8) never pools old answers.
fn positions_in_current(current: &SurveyVersion, version: &SurveyVersion) -> Vec<Option<usize>> {
    let earlier_keys = current.survey.earlier_keys(&version.survey);
    let position_of_earlier: HashMap<&str, usize> = current
        .survey
        .likert_items()
        .enumerate()
        .filter_map(|(i, q)| Some((*earlier_keys.get(q.key.as_str())?, i)))
        .collect();
    version
        .survey
        .likert_items()
        .map(|q| position_of_earlier.get(q.key.as_str()).copied())
        .collect()
}

/// Appends one respondent's row of scores, decoded from a stored compact
/// Likert string; items the response's version did not have stay skipped.
fn push_scores(scores: &mut Vec<u8>, items: usize, positions: &[Option<usize>], code: &str) {
    let start = scores.len();
    scores.resize(start + items, 0);
    for (position, byte) in positions.iter().zip(code.bytes()) {
        if let Some(k) = position {
            scores[start + k] = match byte {
                b'1'..=b'5' => byte - b'0',
                b'N' => NOT_APPLICABLE,
                _ => 0,
            };
        }
    }
}

/// Adds up the cell (blocking): every response to the survey in `period`
/// (at the query's service point, of its design). Responses to earlier
/// versions are mapped onto the current items of the same series (see
/// [`positions_in_current`]); items they did not have count as skipped,
/// and items since removed are left out.
pub fn load_cell(
    ctx: &AppContext,
    query: &IndexQuery,
    period: &Period,
) -> Result<CellData, IndexError> {
    let (from, to) = period.bounds();
    cell_of(
        ctx,
        &query.survey,
        from,
        to,
        query.unit.as_deref(),
        query.design,
    )
}

fn cell_of(
    ctx: &AppContext,
    current: &SurveyVersion,
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<&str>,
    design: SampleDesign,
) -> Result<CellData, IndexError> {
    let shape = sums::shape_of(current);
    let mut data = CellData::default();
    for piece in sums::pieces(ctx, current, from, to)? {
        for (version, cells) in &piece.cells {
            for ((at, design_of), part) in cells.iter() {
                if unit.is_some_and(|only| only != at)
                    || (design == SampleDesign::Random && !design_of.is_random())
                {
                    continue;
                }
                data.versions.insert(version.clone());
                data.units
                    .entry(at.clone())
                    .or_insert_with(|| CellSums::new(&shape))
                    .merge(part);
            }
        }
    }
    Ok(data)
}

/// The unweighted overall index of `survey` in each of `periods`, from one
/// read of the responses spanning them all (blocking). For trends.
/// `guard` must cover `periods` (see [`DisclosureGuard::load`]).
pub fn overall_by_period(
    ctx: &AppContext,
    survey: &SurveyVersion,
    periods: &[Period],
    config: &StatsConfig,
    guard: &DisclosureGuard,
) -> Result<Vec<stats::Estimate>, IndexError> {
    let layout = layout_of(survey);
    periods
        .iter()
        .map(|period| {
            let (from, to) = period.bounds();
            let cell = cell_of(ctx, survey, from, to, None, guard.design())?;
            let (strata_sums, strata) = sample_of(&cell, Weighting::None, &HashMap::new(), period)?;
            let estimate = cell_sums::estimate_cell(&strata_sums, &strata, &layout, config).overall;
            Ok(if guard.overall_releasable(None, period) {
                estimate
            } else {
                estimate.withheld()
            })
        })
        .collect()
}

/// The estimation sample of a cell, as its strata's sums: unweighted, or
/// stratified by service point with w = N_h/n_h and the finite population
/// correction.
pub fn sample_of(
    data: &CellData,
    weighting: Weighting,
    totals: &HashMap<String, i64>,
    period: &Period,
) -> Result<(Vec<CellSums>, Strata), IndexError> {
    // No respondent: nothing to weight (the figures are suppressed as
    // unweighted ones).
    let Some(first) = data.units.values().next() else {
        return Ok((Vec::new(), Strata::unweighted()));
    };
    match weighting {
        Weighting::None => {
            let mut all = first.clone();
            for sums in data.units.values().skip(1) {
                all.merge(sums);
            }
            Ok((vec![all], Strata::unweighted()))
        }
        Weighting::Volume => {
            let missing: Vec<String> = data
                .units
                .keys()
                .filter(|u| !totals.contains_key(*u))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(IndexError::MissingVolumes {
                    period: period.label(),
                    units: missing,
                });
            }
            // w = N_h / n_h for every respondent of service point h.
            let strata = Strata {
                weights: data
                    .units
                    .iter()
                    .map(|(u, sums)| totals[u] as f64 / sums.respondents() as f64)
                    .collect(),
                totals: data.units.keys().map(|u| Some(totals[u] as f64)).collect(),
                weighted: true,
            };
            Ok((data.units.values().cloned().collect(), strata))
        }
    }
}

/// Estimates of one cell with what is needed to present them.
#[derive(Debug, Clone)]
pub struct CellReport {
    pub period: Period,
    pub respondents: usize,
    pub versions: Vec<String>,
    pub estimates: CellEstimates,
    /// Mean scores of the elements and of the whole form (1–5).
    pub mean_scores: other_items::MeanScores,
    /// Items that are not ratings, in questionnaire order.
    pub other_items: Vec<other_items::OtherItemEstimates>,
}

/// Changes between two periods, estimate by estimate.
#[derive(Debug, Clone)]
pub struct CompareReport {
    pub previous: CellReport,
    pub overall: Comparison,
    pub pooled: Comparison,
    pub comprehensive: Comparison,
    /// Per element, in element order.
    pub elements: Vec<Comparison>,
}

#[derive(Debug, Clone)]
pub struct IndexReport {
    pub current: CellReport,
    /// With the period asked for (the API's `compare`), or the previous one.
    pub compare: Option<CompareReport>,
    /// With the same period of the previous year ("cùng kỳ năm trước"),
    /// for the reports and dashboards, which show both.
    pub year_ago: Option<CompareReport>,
    /// Service points with transactions in the period but no response.
    pub coverage_gaps: Vec<String>,
    /// How the respondents came to be in the sample, and the waves of the
    /// period with their issued and returned questionnaires.
    pub sample: crate::services::sampling::SampleSummary,
    /// Which respondents the figures cover.
    pub design: SampleDesign,
    /// Whether the periods compared with had only respondents drawn at
    /// random too.
    pub compared_random_only: bool,
}

impl IndexReport {
    /// Whether the figures, and those they are compared with, rest only on
    /// respondents drawn at random, so that intervals and significance mean
    /// what they say.
    pub fn random_sample(&self) -> bool {
        self.design == SampleDesign::Random
            || (self.sample.random_only && self.compared_random_only)
    }
}

fn totals_for(
    ctx: &AppContext,
    query: &IndexQuery,
    period: &Period,
) -> Result<HashMap<String, i64>, IndexError> {
    match query.weighting {
        Weighting::None => Ok(HashMap::new()),
        Weighting::Volume => Ok(volumes::for_period(
            &mut *ctx.db.reader()?,
            &period.label(),
        )?),
    }
}

fn cell_report(
    ctx: &AppContext,
    query: &IndexQuery,
    period: Period,
    guard: &DisclosureGuard,
) -> Result<(CellReport, HashMap<String, i64>, CellData), IndexError> {
    let layout = layout_of(&query.survey);
    let data = load_cell(ctx, query, &period)?;
    let totals = totals_for(ctx, query, &period)?;
    let (strata_sums, strata) = sample_of(&data, query.weighting, &totals, &period)?;
    let config = &query.config;
    let mut estimates = cell_sums::estimate_cell(&strata_sums, &strata, &layout, config);
    let mut mean_scores =
        other_items::MeanScores::from_sums(&strata_sums, &layout, &strata, config);
    let mut others =
        other_items::estimate_from_sums(&query.survey.survey, &strata_sums, &strata, config);
    let unit = query.unit.as_deref();
    if !guard.releasable(unit, &period) {
        estimates = estimates.withheld();
        mean_scores = mean_scores.withheld();
        others = others.iter().map(|o| o.withheld()).collect();
    } else if let Some(figures) = guard.figures() {
        withhold_close_figures(
            figures,
            unit,
            &period,
            &mut estimates,
            &mut mean_scores,
            &mut others,
        );
    }
    Ok((
        CellReport {
            period,
            respondents: estimates.respondents,
            versions: data.versions.iter().cloned().collect(),
            estimates,
            mean_scores,
            other_items: others,
        },
        totals,
        data,
    ))
}

/// Withholds each figure whose own respondents (those who answered the
/// item, the element, the overall index's items) come within 1 to 4 of
/// another obtainable figure's, though the cell as a whole does not.
fn withhold_close_figures(
    figures: &disclosure::FigureGuards,
    unit: Option<&str>,
    period: &Period,
    estimates: &mut CellEstimates,
    mean_scores: &mut other_items::MeanScores,
    others: &mut [other_items::OtherItemEstimates],
) {
    let clear = |guard: &DisclosureGuard| guard.releasable(unit, period);
    if !clear(&figures.overall) {
        estimates.overall = estimates.overall.withheld();
        estimates.pooled = estimates.pooled.withheld();
        estimates.comprehensive = estimates.comprehensive.withheld();
        mean_scores.overall = mean_scores.overall.withheld();
    }
    for (e, element) in estimates.elements.iter_mut().enumerate() {
        if figures.elements.get(e).is_some_and(|g| !clear(g)) {
            element.index = element.index.withheld();
            element.alpha = stats::Alpha {
                value: None,
                n: element.alpha.n,
            };
            if let Some(mean) = mean_scores.elements.get_mut(e) {
                *mean = mean.withheld();
            }
        }
        for item in &mut element.items {
            if figures.items.get(item.item).is_some_and(|g| !clear(g)) {
                item.index = item.index.withheld();
                item.mean_score = item.mean_score.withheld();
                item.distribution = None;
            }
        }
    }
    for (i, other) in others.iter_mut().enumerate() {
        if figures.others.get(i).is_some_and(|g| !clear(g)) {
            *other = other.withheld();
        }
    }
}

/// The whole index report (blocking).
pub fn compute(
    ctx: &AppContext,
    query: &IndexQuery,
    compare_with: Option<Period>,
) -> Result<IndexReport, IndexError> {
    let periods: Vec<Period> = std::iter::once(query.period).chain(compare_with).collect();
    let guard = DisclosureGuard::load(ctx, &query.survey, &periods, query.design)?;
    compute_keeping_cell(ctx, query, compare_with, None, &guard).map(|(report, _, _)| report)
}

/// The report, compared with the previous period and with the same period
/// of the previous year, and every service point's overall index, from one
/// read of the cell (blocking). `guard` must cover the query's period, its
/// previous period and the same period of the previous year.
pub fn compute_with_units(
    ctx: &AppContext,
    query: &IndexQuery,
    guard: &DisclosureGuard,
) -> Result<(IndexReport, Vec<UnitReport>), IndexError> {
    let (report, data, totals) = compute_keeping_cell(
        ctx,
        query,
        Some(query.period.previous()),
        Some(query.period.same_period_last_year()),
        guard,
    )?;
    let units = units_of_cell(ctx, query, &data, &totals, guard)?;
    Ok((report, units))
}

/// The periods every report is compared with: its previous period and the
/// same period of the previous year.
pub fn compared_periods(period: Period) -> [Period; 2] {
    [period.previous(), period.same_period_last_year()]
}

fn compute_keeping_cell(
    ctx: &AppContext,
    query: &IndexQuery,
    compare_with: Option<Period>,
    year_ago: Option<Period>,
    guard: &DisclosureGuard,
) -> Result<(IndexReport, CellData, HashMap<String, i64>), IndexError> {
    let (current, totals, data) = cell_report(ctx, query, query.period, guard)?;
    let responding: BTreeSet<&str> = data.units.keys().map(String::as_str).collect();
    let coverage_gaps = ctx
        .catalog
        .units_of(&query.survey.survey.department)
        .filter(|u| query.unit.as_deref().is_none_or(|only| only == u.code))
        .filter(|u| {
            totals.get(&u.code).is_some_and(|n| *n > 0) && !responding.contains(u.code.as_str())
        })
        .map(|u| u.code.clone())
        .collect();
    let compare_to = |period: Option<Period>| -> Result<Option<CompareReport>, IndexError> {
        let Some(period) = period else {
            return Ok(None);
        };
        let (previous, _, _) = cell_report(ctx, query, period, guard)?;
        let config = &query.config;
        let (a, b) = (&previous.estimates, &current.estimates);
        Ok(Some(CompareReport {
            overall: stats::compare(&a.overall, &b.overall, config),
            pooled: stats::compare(&a.pooled, &b.pooled, config),
            comprehensive: stats::compare(&a.comprehensive, &b.comprehensive, config),
            elements: a
                .elements
                .iter()
                .zip(&b.elements)
                .map(|(x, y)| stats::compare(&x.index, &y.index, config))
                .collect(),
            previous,
        }))
    };
    let compare = compare_to(compare_with)?;
    let year_ago = compare_to(year_ago)?;
    let (from, to) = query.period.bounds();
    let slug = &query.survey.survey.slug;
    let unit = query.unit.as_deref();
    let counts = respondents_by_design(ctx, slug, from, to, unit)?;
    let sample = crate::services::sampling::summary(ctx, slug, from, to, unit, counts)?;
    let mut compared_random_only = true;
    for compared in compare.iter().chain(&year_ago) {
        let (_, other) = random_and_not(
            ctx,
            &query.survey.survey.slug,
            &compared.previous.period,
            query.unit.as_deref(),
        )?;
        compared_random_only &= other == 0;
    }
    let report = IndexReport {
        current,
        compare,
        year_ago,
        coverage_gaps,
        sample,
        design: query.design,
        compared_random_only,
    };
    Ok((report, data, totals))
}

/// One service point's overall index.
#[derive(Debug, Clone)]
pub struct UnitReport {
    pub unit: String,
    pub respondents: usize,
    pub overall: stats::Estimate,
    /// Each element's index, in the order of the survey's elements.
    pub elements: Vec<stats::Estimate>,
    /// When the questionnaire records late results: their share, and the
    /// share of those with an apology.
    pub late: Option<LateShares>,
}

/// Of those who answered whether their result was on time, the share who
/// got it late; of those asked about an apology, the share who got one.
#[derive(Debug, Clone, PartialEq)]
pub struct LateShares {
    pub late: stats::Estimate,
    pub apology: stats::Estimate,
}

impl LateShares {
    /// The two shares among `estimates` (every item that is not a rating,
    /// in questionnaire order), as `survey` declares them.
    pub fn of(
        survey: &crate::definitions::Survey,
        estimates: &[other_items::OtherItemEstimates],
    ) -> Option<LateShares> {
        let declared = survey.late_result.as_ref()?;
        let share = |item: &str, option: &str| {
            estimates
                .iter()
                .find(|e| e.key == item)?
                .options
                .iter()
                .find(|o| o.key == option)
                .map(|o| o.share.clone())
        };
        Some(LateShares {
            late: share(&declared.item, &declared.option)?,
            apology: share(&declared.apology, "yes")?,
        })
    }
}

/// The overall index of every service point of the survey's department,
/// those without responses included (blocking).
pub fn by_unit(ctx: &AppContext, query: &IndexQuery) -> Result<Vec<UnitReport>, IndexError> {
    let data = load_cell(ctx, query, &query.period)?;
    let totals = totals_for(ctx, query, &query.period)?;
    let guard = DisclosureGuard::load(ctx, &query.survey, &[query.period], query.design)?;
    units_of_cell(ctx, query, &data, &totals, &guard)
}

fn units_of_cell(
    ctx: &AppContext,
    query: &IndexQuery,
    data: &CellData,
    totals: &HashMap<String, i64>,
    guard: &DisclosureGuard,
) -> Result<Vec<UnitReport>, IndexError> {
    let layout = layout_of(&query.survey);
    let survey = &query.survey.survey;
    // Items that are not ratings are read only for the late-result shares.
    let late_result = survey.late_result.is_some();
    let (from, to) = query.period.bounds();
    ctx.catalog
        .units_of(&query.survey.survey.department)
        // A service point closed for the whole period is not a gap in it.
        .filter(|unit| unit.open_during(from, to) || data.units.contains_key(&unit.code))
        .map(|unit| {
            let mut cell = CellData::default();
            if let Some(sums) = data.units.get(&unit.code) {
                cell.units.insert(unit.code.clone(), sums.clone());
            }
            let (strata_sums, strata) = sample_of(&cell, query.weighting, totals, &query.period)?;
            let estimates = cell_sums::estimate_cell(&strata_sums, &strata, &layout, &query.config);
            let code = Some(unit.code.as_str());
            let cell_clear = guard.releasable(code, &query.period);
            let mut overall = estimates.overall;
            if !guard.overall_releasable(code, &query.period) {
                overall = overall.withheld();
            }
            let elements = estimates
                .elements
                .into_iter()
                .enumerate()
                .map(|(e, element)| {
                    let figure_clear = guard.figures().is_none_or(|figures| {
                        figures
                            .elements
                            .get(e)
                            .is_none_or(|g| g.releasable(code, &query.period))
                    });
                    if cell_clear && figure_clear {
                        element.index
                    } else {
                        element.index.withheld()
                    }
                })
                .collect();
            let late = if late_result {
                let mut estimates =
                    other_items::estimate_from_sums(survey, &strata_sums, &strata, &query.config);
                // Each item's figure is withheld as the index API withholds
                // it: the whole cell, or the item's own respondents (those
                // asked about an apology are few) against another figure.
                for (i, estimate) in estimates.iter_mut().enumerate() {
                    let figure_clear = guard.figures().is_none_or(|figures| {
                        figures
                            .others
                            .get(i)
                            .is_none_or(|g| g.releasable(code, &query.period))
                    });
                    if !(cell_clear && figure_clear) {
                        *estimate = estimate.withheld();
                    }
                }
                LateShares::of(survey, &estimates)
            } else {
                None
            };
            Ok(UnitReport {
                unit: unit.code.clone(),
                respondents: estimates.respondents,
                overall,
                elements,
                late,
            })
        })
        .collect()
}
