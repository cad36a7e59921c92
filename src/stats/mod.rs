//! Estimators of `shared/statistics.md`: pure functions, no I/O.
//!
//! Every index is a ratio of weighted totals or a linear combination of item
//! ratios, so one variance method (Taylor linearization through per-respondent
//! influence values) serves them all, and covariance between items is kept.

mod engine;
mod intervals;
mod planning;
pub mod sums;

pub use intervals::{normal_quantile, t_quantile, wilson};
pub use planning::{required_sample, Alpha, SampleSize};

use serde::{Deserialize, Serialize};

/// How the overall index of a survey combines its items (statistics.md).
/// A survey definition names one; the estimators follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndexRule {
    MeanOfElements,
    MeanOfItems,
    Pooled,
}

/// Thresholds and level, from configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatsConfig {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Aggregates over fewer valid respondents are suppressed.
    pub min_cell: usize,
    /// Estimates from fewer respondents are flagged `low_reliability`.
    pub min_reliable: usize,
}

impl Default for StatsConfig {
    fn default() -> Self {
        StatsConfig {
            level: 0.95,
            min_cell: 5,
            min_reliable: 30,
        }
    }
}

/// Code of a "not applicable" answer in [`Sample::scores`]; 0 is "skipped".
pub const NOT_APPLICABLE: u8 = 6;

/// The responses of one cell, in the shape the estimators need.
///
/// Weights are per stratum: the weighting schemes of statistics.md are
/// self-weighting (w = 1) and volume weighting (w_r = N_h / n_h for every
/// respondent of service point h). Item-level estimates then follow from
/// answer counts per stratum, and only composites need a second pass.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Number of Likert items per respondent.
    pub items: usize,
    /// Row-major respondents × items: 1–5 a score, [`NOT_APPLICABLE`], 0 skipped.
    pub scores: Vec<u8>,
    /// Stratum of each respondent; all 0 when unstratified.
    pub strata: Vec<usize>,
    /// The weight of every respondent of each stratum.
    pub stratum_weights: Vec<f64>,
    /// Population total N_h of each stratum when known (finite population
    /// correction), else None.
    pub stratum_totals: Vec<Option<f64>>,
    /// Whether the sample is weighted (selects the interval method).
    pub weighted: bool,
}

impl Sample {
    /// An unweighted, unstratified sample from score rows.
    pub fn unweighted(items: usize, scores: Vec<u8>) -> Sample {
        let n = scores.len().checked_div(items).unwrap_or(0);
        Sample {
            items,
            scores,
            strata: vec![0; n],
            stratum_weights: vec![1.0],
            stratum_totals: vec![None],
            weighted: false,
        }
    }

    pub fn respondents(&self) -> usize {
        self.strata.len()
    }

    fn strata_count(&self) -> usize {
        self.stratum_weights.len().max(1)
    }
}

/// Which interval an estimate carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Wilson,
    Logit,
    T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Fewer respondents than `min_reliable`.
    LowReliability,
    /// A stratum had one respondent and contributed no variance.
    SingleRespondentStratum,
    /// No valid answer at all: nothing to estimate.
    NoValidAnswers,
    /// Withheld although large enough: another figure one could ask for
    /// covers all but a handful of the same respondents, and the
    /// difference of the two would show those few (see `disclosure`).
    Withheld,
}

/// One reported estimate with its uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Estimate {
    pub estimate: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Respondents with at least one valid answer entering the estimate.
    pub n: usize,
    pub method: Method,
    pub n_eff: Option<f64>,
    pub deff: Option<f64>,
    pub flags: Vec<Flag>,
    pub suppressed: bool,
}

impl Estimate {
    /// The variance, for comparisons (None when suppressed or undefined).
    pub fn variance(&self) -> Option<f64> {
        self.se.map(|se| se * se)
    }
}

/// A point estimate with its linearized variance, before intervals.
#[derive(Debug, Clone, Copy)]
struct Linearized {
    theta: f64,
    variance: f64,
    /// Respondents with a valid answer entering the estimate.
    n: usize,
    df: f64,
    single_stratum: bool,
}

/// How a proportion's interval is chosen.
enum ProportionKind {
    /// One unweighted item: Wilson with n = n_k.
    SingleItem,
    /// Weighted items and every composite: logit, Wilson at 0 or 1.
    Composite,
}

fn suppressed(n: usize, method: Method, flags: Vec<Flag>) -> Estimate {
    Estimate {
        estimate: None,
        se: None,
        ci_low: None,
        ci_high: None,
        n,
        method,
        n_eff: None,
        deff: None,
        flags,
        suppressed: true,
    }
}

fn base_flags(n: usize, single_stratum: bool, config: &StatsConfig) -> Vec<Flag> {
    let mut flags = Vec::new();
    if n < config.min_reliable {
        flags.push(Flag::LowReliability);
    }
    if single_stratum {
        flags.push(Flag::SingleRespondentStratum);
    }
    flags
}

fn finish_proportion(
    lin: Option<Linearized>,
    kind: ProportionKind,
    weighted: bool,
    config: &StatsConfig,
) -> Estimate {
    let method_for = |kind: &ProportionKind| match kind {
        ProportionKind::SingleItem if !weighted => Method::Wilson,
        _ => Method::Logit,
    };
    let Some(lin) = lin else {
        let mut flags = vec![Flag::NoValidAnswers];
        if config.min_reliable > 0 {
            flags.insert(0, Flag::LowReliability);
        }
        return suppressed(0, method_for(&kind), flags);
    };
    let flags = base_flags(lin.n, lin.single_stratum, config);
    if lin.n < config.min_cell {
        return suppressed(lin.n, method_for(&kind), flags);
    }
    let theta = lin.theta;
    let se = lin.variance.max(0.0).sqrt();
    let p_q = theta * (1.0 - theta);
    let alpha = 1.0 - config.level;
    let (method, low, high) = match kind {
        ProportionKind::SingleItem if !weighted => {
            let (low, high) = wilson(theta, lin.n as f64, normal_quantile(1.0 - alpha / 2.0));
            (Method::Wilson, Some(low), Some(high))
        }
        _ if theta <= 0.0 || theta >= 1.0 || se == 0.0 => {
            let (low, high) = wilson(theta, lin.n as f64, normal_quantile(1.0 - alpha / 2.0));
            (Method::Wilson, Some(low), Some(high))
        }
        _ => match t_quantile(1.0 - alpha / 2.0, lin.df) {
            Some(t) => {
                let centre = (theta / (1.0 - theta)).ln();
                let half = t * se / p_q;
                let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
                (
                    Method::Logit,
                    Some(expit(centre - half)),
                    Some(expit(centre + half)),
                )
            }
            None => (Method::Logit, None, None),
        },
    };
    let (n_eff, deff) = if lin.variance > 0.0 && p_q > 0.0 {
        (
            Some(p_q / lin.variance),
            Some(lin.variance / (p_q / lin.n as f64)),
        )
    } else {
        (None, None)
    };
    Estimate {
        estimate: Some(theta),
        se: Some(se),
        ci_low: low,
        ci_high: high,
        n: lin.n,
        method,
        n_eff,
        deff,
        flags,
        suppressed: false,
    }
}

fn finish_mean(lin: Option<Linearized>, config: &StatsConfig) -> Estimate {
    let Some(lin) = lin else {
        return suppressed(
            0,
            Method::T,
            vec![Flag::LowReliability, Flag::NoValidAnswers],
        );
    };
    let flags = base_flags(lin.n, lin.single_stratum, config);
    if lin.n < config.min_cell {
        return suppressed(lin.n, Method::T, flags);
    }
    let se = lin.variance.max(0.0).sqrt();
    let bounds = t_quantile(1.0 - (1.0 - config.level) / 2.0, lin.df)
        .map(|t| (lin.theta - t * se, lin.theta + t * se));
    Estimate {
        estimate: Some(lin.theta),
        se: Some(se),
        ci_low: bounds.map(|b| b.0),
        ci_high: bounds.map(|b| b.1),
        n: lin.n,
        method: Method::T,
        n_eff: None,
        deff: None,
        flags,
        suppressed: false,
    }
}

/// Counts of each answer for one item (unweighted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Distribution {
    #[serde(rename = "1")]
    pub s1: usize,
    #[serde(rename = "2")]
    pub s2: usize,
    #[serde(rename = "3")]
    pub s3: usize,
    #[serde(rename = "4")]
    pub s4: usize,
    #[serde(rename = "5")]
    pub s5: usize,
    pub na: usize,
}

/// The structure of a questionnaire as the estimators see it.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Element of each item (index into `elements`).
    pub item_element: Vec<usize>,
    /// Whether each element counts in the overall index.
    pub elements_in_overall: Vec<bool>,
    pub rule: IndexRule,
    /// Per item, the scale position (1 = lowest point) from which an
    /// answer counts as satisfied: 4 on the 1–5 scale.
    pub satisfied_from: Vec<u8>,
    /// Per item, what to add to a scale position to get its points (for
    /// mean scores): 0 on the 1–5 scale, −1 on a 0–2 scale.
    pub points_offset: Vec<f64>,
}

impl Layout {
    /// Every item on the 1–5 satisfaction scale.
    pub fn likert(
        item_element: Vec<usize>,
        elements_in_overall: Vec<bool>,
        rule: IndexRule,
    ) -> Layout {
        let items = item_element.len();
        Layout {
            item_element,
            elements_in_overall,
            rule,
            satisfied_from: vec![4; items],
            points_offset: vec![0.0; items],
        }
    }
}

/// Every estimate of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellEstimates {
    pub respondents: usize,
    pub overall: Estimate,
    pub pooled: Estimate,
    pub comprehensive: Estimate,
    pub elements: Vec<ElementEstimates>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ElementEstimates {
    pub index: Estimate,
    pub alpha: Alpha,
    pub items: Vec<ItemEstimates>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemEstimates {
    pub item: usize,
    pub index: Estimate,
    pub mean_score: Estimate,
    /// None when suppressed.
    pub distribution: Option<Distribution>,
}

impl Estimate {
    /// The same estimate, withheld: the respondent count stays, every
    /// number goes.
    pub fn withheld(&self) -> Estimate {
        let mut flags = self.flags.clone();
        flags.retain(|f| *f != Flag::Withheld);
        flags.push(Flag::Withheld);
        suppressed(self.n, self.method, flags)
    }
}

impl CellEstimates {
    /// Every figure of the cell withheld (see [`Flag::Withheld`]).
    pub fn withheld(&self) -> CellEstimates {
        CellEstimates {
            respondents: self.respondents,
            overall: self.overall.withheld(),
            pooled: self.pooled.withheld(),
            comprehensive: self.comprehensive.withheld(),
            elements: self
                .elements
                .iter()
                .map(|element| ElementEstimates {
                    index: element.index.withheld(),
                    alpha: Alpha {
                        value: None,
                        n: element.alpha.n,
                    },
                    items: element
                        .items
                        .iter()
                        .map(|item| ItemEstimates {
                            item: item.item,
                            index: item.index.withheld(),
                            mean_score: item.mean_score.withheld(),
                            distribution: None,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Every estimate of one cell (two passes over the responses).
pub fn estimate_cell(sample: &Sample, layout: &Layout, config: &StatsConfig) -> CellEstimates {
    engine::estimate_cell(sample, layout, config)
}

/// A layout with every item in one element, for single-item questions.
fn flat_layout(sample: &Sample) -> Layout {
    Layout::likert(vec![0; sample.items], vec![true], IndexRule::MeanOfItems)
}

fn item_estimates(sample: &Sample, k: usize, config: &StatsConfig) -> ItemEstimates {
    let mut cell = estimate_cell(sample, &flat_layout(sample), config);
    cell.elements.swap_remove(0).items.swap_remove(k)
}

/// Item index P_k.
pub fn item_index(sample: &Sample, k: usize, config: &StatsConfig) -> Estimate {
    item_estimates(sample, k, config).index
}

/// Mean score M_k on the 1–5 scale.
pub fn mean_score(sample: &Sample, k: usize, config: &StatsConfig) -> Estimate {
    item_estimates(sample, k, config).mean_score
}

/// The share of those who answered an item who gave a particular answer
/// (an option of a single or multiple choice, yes or no): a domain
/// proportion with the interval of a single criterion (Wilson unweighted,
/// logit weighted). `answered[r]` and `chose[r]` for each respondent of
/// `design` (whose scores are not read).
pub fn choice_share(
    design: &Sample,
    answered: &[bool],
    chose: &[bool],
    config: &StatsConfig,
) -> Estimate {
    let d: Vec<f64> = answered.iter().map(|&a| f64::from(u8::from(a))).collect();
    let x: Vec<f64> = answered
        .iter()
        .zip(chose)
        .map(|(&a, &c)| f64::from(u8::from(a && c)))
        .collect();
    finish_proportion(
        engine::ratio(design, &x, &d),
        ProportionKind::SingleItem,
        design.weighted,
        config,
    )
}

/// The mean of a numeric item (a percent) over those who answered it, with
/// a t interval (linearized). `values[r]` is None for a respondent who did
/// not answer.
pub fn numeric_mean(design: &Sample, values: &[Option<f64>], config: &StatsConfig) -> Estimate {
    let d: Vec<f64> = values
        .iter()
        .map(|v| f64::from(u8::from(v.is_some())))
        .collect();
    let x: Vec<f64> = values.iter().map(|v| v.unwrap_or(0.0)).collect();
    finish_mean(engine::ratio(design, &x, &d), config)
}

/// The mean score (in points) over every valid answer to `items` — the
/// Ministry of Health's "điểm trung bình" of a section or of the whole form:
/// Σ scores ÷ Σ valid answers, a ratio over respondents with a t interval.
/// `n` is the respondents with at least one valid answer among the items.
/// `points_offset` as in [`Layout`] (empty: the 1–5 scale).
pub fn mean_score_over(
    sample: &Sample,
    items: &[usize],
    points_offset: &[f64],
    config: &StatsConfig,
) -> Estimate {
    let k_count = sample.items;
    let (mut x, mut d) = (Vec::new(), Vec::new());
    for row in sample
        .scores
        .chunks(k_count.max(1))
        .take(sample.respondents())
    {
        let (mut total, mut valid) = (0.0, 0.0);
        for &k in items {
            let s = row[k];
            if (1..=5).contains(&s) {
                total += f64::from(s) + points_offset.get(k).copied().unwrap_or(0.0);
                valid += 1.0;
            }
        }
        x.push(total);
        d.push(valid);
    }
    finish_mean(engine::ratio(sample, &x, &d), config)
}

/// Overall index by the survey's declared rule.
pub fn overall_index(sample: &Sample, layout: &Layout, config: &StatsConfig) -> Estimate {
    estimate_cell(sample, layout, config).overall
}

/// Two independent estimates compared: Δ = θ₂ − θ₁, SE_Δ = √(V₁ + V₂).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub difference: Option<f64>,
    pub se: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
    pub significant: bool,
}

/// What may honestly be said about a comparison: a direction only when the
/// change is significant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Increase {
        difference: f64,
        p: f64,
    },
    Decrease {
        difference: f64,
        p: f64,
    },
    NoClearChange {
        difference: f64,
        p: f64,
    },
    /// One side suppressed or without variance: nothing to say.
    NotComparable,
}

impl Comparison {
    pub fn verdict(&self) -> Verdict {
        match (self.difference, self.p) {
            (Some(difference), Some(p)) if self.significant && difference > 0.0 => {
                Verdict::Increase { difference, p }
            }
            (Some(difference), Some(p)) if self.significant => Verdict::Decrease { difference, p },
            (Some(difference), Some(p)) => Verdict::NoClearChange { difference, p },
            _ => Verdict::NotComparable,
        }
    }
}

pub fn compare(earlier: &Estimate, later: &Estimate, config: &StatsConfig) -> Comparison {
    let none = Comparison {
        difference: None,
        se: None,
        z: None,
        p: None,
        significant: false,
    };
    if earlier.suppressed || later.suppressed {
        return none;
    }
    let (Some(a), Some(b), Some(va), Some(vb)) = (
        earlier.estimate,
        later.estimate,
        earlier.variance(),
        later.variance(),
    ) else {
        return none;
    };
    let difference = b - a;
    let se = (va + vb).sqrt();
    if se == 0.0 {
        return Comparison {
            difference: Some(difference),
            se: Some(se),
            ..none
        };
    }
    let z = difference / se;
    let p = 2.0 * (1.0 - intervals::normal_cdf(z.abs()));
    Comparison {
        difference: Some(difference),
        se: Some(se),
        z: Some(z),
        p: Some(p),
        significant: p < 1.0 - config.level,
    }
}

#[cfg(test)]
mod tests;
