//! Estimators of `shared/statistics.md`: pure functions, no I/O.
//!
//! Every index is a ratio of weighted totals or a linear combination of item
//! ratios, so one variance method (Taylor linearization through per-respondent
//! influence values) serves them all, and covariance between items is kept.

mod intervals;
mod planning;

pub use intervals::{normal_quantile, t_quantile, wilson};
pub use planning::{cronbach_alpha, required_sample, Alpha, SampleSize};

use serde::Serialize;

use crate::definitions::IndexRule;

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
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Number of Likert items per respondent.
    pub items: usize,
    /// Row-major respondents × items: 1–5 a score, [`NOT_APPLICABLE`], 0 skipped.
    pub scores: Vec<u8>,
    /// One weight per respondent (all 1 when unweighted).
    pub weights: Vec<f64>,
    /// Stratum of each respondent; all 0 when unstratified.
    pub strata: Vec<usize>,
    /// Per stratum: population total N_h when known (finite population
    /// correction), else None. Empty means one stratum without correction.
    pub stratum_totals: Vec<Option<f64>>,
    /// Whether weights differ from 1 (selects the interval method).
    pub weighted: bool,
}

impl Sample {
    /// An unweighted, unstratified sample from score rows.
    pub fn unweighted(items: usize, scores: Vec<u8>) -> Sample {
        let n = scores.len().checked_div(items).unwrap_or(0);
        Sample {
            items,
            scores,
            weights: vec![1.0; n],
            strata: vec![0; n],
            stratum_totals: Vec::new(),
            weighted: false,
        }
    }

    pub fn respondents(&self) -> usize {
        self.weights.len()
    }

    fn score(&self, r: usize, k: usize) -> u8 {
        self.scores[r * self.items + k]
    }

    fn valid(&self, r: usize, k: usize) -> bool {
        (1..=5).contains(&self.score(r, k))
    }

    fn strata_count(&self) -> usize {
        self.stratum_totals.len().max(1)
    }
}

/// Which interval an estimate carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Wilson,
    Logit,
    T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Fewer respondents than `min_reliable`.
    LowReliability,
    /// A stratum had one respondent and contributed no variance.
    SingleRespondentStratum,
    /// No valid answer at all: nothing to estimate.
    NoValidAnswers,
}

/// One reported estimate with its uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// V(θ) = Σ_h (1 − f_h) n_h/(n_h − 1) Σ_{r∈h} (w_r u_r − ū_h)², over every
/// respondent of the cell (a respondent without a valid answer has u = 0).
fn linearize(sample: &Sample, influence: &[f64]) -> (f64, f64, bool) {
    let strata = sample.strata_count();
    let mut count = vec![0usize; strata];
    let mut sum = vec![0.0; strata];
    for (r, u) in influence.iter().enumerate() {
        let h = sample.strata[r];
        count[h] += 1;
        sum[h] += sample.weights[r] * u;
    }
    let mut squares = vec![0.0; strata];
    for (r, u) in influence.iter().enumerate() {
        let h = sample.strata[r];
        let centred = sample.weights[r] * u - sum[h] / count[h] as f64;
        squares[h] += centred * centred;
    }
    let mut variance = 0.0;
    let mut single = false;
    let mut used_strata = 0;
    for h in 0..strata {
        let n_h = count[h];
        if n_h == 0 {
            continue;
        }
        used_strata += 1;
        if n_h == 1 {
            single = true;
            continue;
        }
        let fpc = match sample.stratum_totals.get(h).copied().flatten() {
            Some(total) if total > 0.0 => 1.0 - (n_h as f64 / total).min(1.0),
            _ => 1.0,
        };
        variance += fpc * n_h as f64 / (n_h as f64 - 1.0) * squares[h];
    }
    let n = influence.len();
    let df = n as f64 - used_strata as f64;
    (variance, df, single)
}

/// Item-level totals: D_k and the weighted count of satisfied answers.
struct ItemTotals {
    denominator: Vec<f64>,
    satisfied: Vec<f64>,
    valid: Vec<usize>,
}

fn item_totals(sample: &Sample) -> ItemTotals {
    let k_count = sample.items;
    let mut totals = ItemTotals {
        denominator: vec![0.0; k_count],
        satisfied: vec![0.0; k_count],
        valid: vec![0; k_count],
    };
    for r in 0..sample.respondents() {
        let w = sample.weights[r];
        for k in 0..k_count {
            let s = sample.score(r, k);
            if (1..=5).contains(&s) {
                totals.denominator[k] += w;
                totals.valid[k] += 1;
                if s >= 4 {
                    totals.satisfied[k] += w;
                }
            }
        }
    }
    totals
}

impl ItemTotals {
    fn index(&self, k: usize) -> f64 {
        self.satisfied[k] / self.denominator[k]
    }
}

/// θ = Σ_k c_k P_k over items with coefficients; u_r = Σ_k c_k a_rk (y_rk − P_k)/D_k.
fn linear_combination(
    sample: &Sample,
    totals: &ItemTotals,
    coefficients: &[(usize, f64)],
) -> Option<Linearized> {
    if coefficients.is_empty() {
        return None;
    }
    let theta: f64 = coefficients.iter().map(|&(k, c)| c * totals.index(k)).sum();
    let mut influence = vec![0.0; sample.respondents()];
    let mut n = 0;
    for (r, u) in influence.iter_mut().enumerate() {
        let mut any = false;
        for &(k, c) in coefficients {
            let s = sample.score(r, k);
            if (1..=5).contains(&s) {
                any = true;
                let y = if s >= 4 { 1.0 } else { 0.0 };
                *u += c * (y - totals.index(k)) / totals.denominator[k];
            }
        }
        n += usize::from(any);
    }
    let (variance, df, single_stratum) = linearize(sample, &influence);
    Some(Linearized {
        theta,
        variance,
        n,
        df,
        single_stratum,
    })
}

/// R = Σ w x / Σ w d with u_r = (x_r − R d_r)/Σ w d; `n` counts d_r > 0.
fn ratio(sample: &Sample, x: &[f64], d: &[f64]) -> Option<Linearized> {
    let total_d: f64 = (0..sample.respondents())
        .map(|r| sample.weights[r] * d[r])
        .sum();
    if total_d <= 0.0 {
        return None;
    }
    let total_x: f64 = (0..sample.respondents())
        .map(|r| sample.weights[r] * x[r])
        .sum();
    let theta = total_x / total_d;
    let influence: Vec<f64> = x
        .iter()
        .zip(d)
        .map(|(x, d)| (x - theta * d) / total_d)
        .collect();
    let (variance, df, single_stratum) = linearize(sample, &influence);
    let n = d.iter().filter(|d| **d > 0.0).count();
    Some(Linearized {
        theta,
        variance,
        n,
        df,
        single_stratum,
    })
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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

/// Item index P_k.
pub fn item_index(sample: &Sample, k: usize, config: &StatsConfig) -> Estimate {
    let totals = item_totals(sample);
    item_index_with(sample, &totals, k, config)
}

fn item_index_with(
    sample: &Sample,
    totals: &ItemTotals,
    k: usize,
    config: &StatsConfig,
) -> Estimate {
    let lin = (totals.valid[k] > 0)
        .then(|| linear_combination(sample, totals, &[(k, 1.0)]))
        .flatten();
    finish_proportion(lin, ProportionKind::SingleItem, sample.weighted, config)
}

/// Mean score M_k on the 1–5 scale.
pub fn mean_score(sample: &Sample, k: usize, config: &StatsConfig) -> Estimate {
    let n = sample.respondents();
    let mut x = vec![0.0; n];
    let mut d = vec![0.0; n];
    for r in 0..n {
        if sample.valid(r, k) {
            x[r] = f64::from(sample.score(r, k));
            d[r] = 1.0;
        }
    }
    finish_mean(ratio(sample, &x, &d), config)
}

pub fn distribution(sample: &Sample, k: usize) -> Distribution {
    let mut dist = Distribution::default();
    for r in 0..sample.respondents() {
        match sample.score(r, k) {
            1 => dist.s1 += 1,
            2 => dist.s2 += 1,
            3 => dist.s3 += 1,
            4 => dist.s4 += 1,
            5 => dist.s5 += 1,
            NOT_APPLICABLE => dist.na += 1,
            _ => {}
        }
    }
    dist
}

/// Items of an element that have at least one valid answer.
fn answered_items(layout: &Layout, totals: &ItemTotals, element: usize) -> Vec<usize> {
    (0..layout.item_element.len())
        .filter(|&k| layout.item_element[k] == element && totals.valid[k] > 0)
        .collect()
}

/// Element index E_e: mean of its answered items' indices.
pub fn element_index(
    sample: &Sample,
    layout: &Layout,
    element: usize,
    config: &StatsConfig,
) -> Estimate {
    let totals = item_totals(sample);
    element_index_with(sample, layout, &totals, element, config)
}

fn element_index_with(
    sample: &Sample,
    layout: &Layout,
    totals: &ItemTotals,
    element: usize,
    config: &StatsConfig,
) -> Estimate {
    let items = answered_items(layout, totals, element);
    let c = 1.0 / items.len().max(1) as f64;
    let coefficients: Vec<(usize, f64)> = items.into_iter().map(|k| (k, c)).collect();
    finish_proportion(
        linear_combination(sample, totals, &coefficients),
        ProportionKind::Composite,
        sample.weighted,
        config,
    )
}

fn overall_items(layout: &Layout) -> impl Iterator<Item = usize> + '_ {
    (0..layout.item_element.len()).filter(|&k| layout.elements_in_overall[layout.item_element[k]])
}

/// Overall index by the survey's declared rule.
pub fn overall_index(sample: &Sample, layout: &Layout, config: &StatsConfig) -> Estimate {
    let totals = item_totals(sample);
    overall_with(sample, layout, &totals, config)
}

fn overall_with(
    sample: &Sample,
    layout: &Layout,
    totals: &ItemTotals,
    config: &StatsConfig,
) -> Estimate {
    let coefficients: Vec<(usize, f64)> = match layout.rule {
        IndexRule::Pooled => return pooled_with(sample, layout, config),
        IndexRule::MeanOfItems => {
            let items: Vec<usize> = overall_items(layout)
                .filter(|&k| totals.valid[k] > 0)
                .collect();
            let c = 1.0 / items.len().max(1) as f64;
            items.into_iter().map(|k| (k, c)).collect()
        }
        IndexRule::MeanOfElements => {
            let elements: Vec<Vec<usize>> = (0..layout.elements_in_overall.len())
                .filter(|&e| layout.elements_in_overall[e])
                .map(|e| answered_items(layout, totals, e))
                .filter(|items| !items.is_empty())
                .collect();
            let e_count = elements.len() as f64;
            elements
                .into_iter()
                .flat_map(|items| {
                    let c = 1.0 / (e_count * items.len() as f64);
                    items.into_iter().map(move |k| (k, c))
                })
                .collect()
        }
    };
    finish_proportion(
        linear_combination(sample, totals, &coefficients),
        ProportionKind::Composite,
        sample.weighted,
        config,
    )
}

/// Pooled rate: all 4–5 answers ÷ all valid answers, over the overall's items.
pub fn pooled_rate(sample: &Sample, layout: &Layout, config: &StatsConfig) -> Estimate {
    pooled_with(sample, layout, config)
}

fn pooled_with(sample: &Sample, layout: &Layout, config: &StatsConfig) -> Estimate {
    let items: Vec<usize> = overall_items(layout).collect();
    let n = sample.respondents();
    let mut x = vec![0.0; n];
    let mut d = vec![0.0; n];
    for r in 0..n {
        for &k in &items {
            let s = sample.score(r, k);
            if (1..=5).contains(&s) {
                d[r] += 1.0;
                if s >= 4 {
                    x[r] += 1.0;
                }
            }
        }
    }
    finish_proportion(
        ratio(sample, &x, &d),
        ProportionKind::Composite,
        sample.weighted,
        config,
    )
}

/// Share of respondents (with ≥ 1 valid answer) whose every valid answer is 4–5.
pub fn comprehensive(sample: &Sample, layout: &Layout, config: &StatsConfig) -> Estimate {
    let items: Vec<usize> = overall_items(layout).collect();
    let n = sample.respondents();
    let mut x = vec![0.0; n];
    let mut d = vec![0.0; n];
    for r in 0..n {
        let mut any = false;
        let mut all = true;
        for &k in &items {
            let s = sample.score(r, k);
            if (1..=5).contains(&s) {
                any = true;
                all &= s >= 4;
            }
        }
        if any {
            d[r] = 1.0;
            x[r] = if all { 1.0 } else { 0.0 };
        }
    }
    finish_proportion(
        ratio(sample, &x, &d),
        ProportionKind::Composite,
        sample.weighted,
        config,
    )
}

/// Everything the index API reports for one cell.
pub fn estimate_cell(sample: &Sample, layout: &Layout, config: &StatsConfig) -> CellEstimates {
    let totals = item_totals(sample);
    let elements = (0..layout.elements_in_overall.len())
        .map(|e| {
            let member_items: Vec<usize> = (0..sample.items)
                .filter(|&k| layout.item_element[k] == e)
                .collect();
            let items = member_items
                .iter()
                .map(|&k| {
                    let index = item_index_with(sample, &totals, k, config);
                    let distribution = (!index.suppressed).then(|| distribution(sample, k));
                    ItemEstimates {
                        item: k,
                        index,
                        mean_score: mean_score(sample, k, config),
                        distribution,
                    }
                })
                .collect();
            ElementEstimates {
                index: element_index_with(sample, layout, &totals, e, config),
                alpha: cronbach_alpha(sample, &member_items),
                items,
            }
        })
        .collect();
    CellEstimates {
        respondents: sample.respondents(),
        overall: overall_with(sample, layout, &totals, config),
        pooled: pooled_with(sample, layout, config),
        comprehensive: comprehensive(sample, layout, config),
        elements,
    }
}

/// Two independent estimates compared: Δ = θ₂ − θ₁, SE_Δ = √(V₁ + V₂).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    pub difference: Option<f64>,
    pub se: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
    pub significant: bool,
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
