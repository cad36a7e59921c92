//! Every estimate of a cell in two passes over the responses.
//!
//! The variance of statistics.md needs, per stratum h and estimate, only
//! Σ w·u and Σ (w·u)² over the stratum's respondents:
//!
//!   V = Σ_h (1 − f_h) · n_h/(n_h − 1) · (Σ_h (w u)² − (Σ_h w u)² / n_h),
//!
//! which equals Σ_h (1 − f_h) n_h/(n_h−1) Σ_{r∈h} (w_r u_r − ū_h)².
//!
//! Pass 1 counts answers by item, stratum and score. Because the weight is
//! constant within a stratum, item indices, mean scores and their sums of
//! influence values follow from those counts in closed form. Pass 2 computes
//! each respondent's influence on the composites (elements, overall, pooled,
//! comprehensive), which mix items and so need the respondent's whole row.

use super::planning::Alpha;
use super::IndexRule;
use super::{
    finish_mean, finish_proportion, CellEstimates, Distribution, ElementEstimates, ItemEstimates,
    Layout, Linearized, ProportionKind, Sample, StatsConfig, NOT_APPLICABLE,
};

/// Answer codes: 0 skipped, 1–5 scores, 6 not applicable.
const CODES: usize = NOT_APPLICABLE as usize + 1;

/// Per-stratum sums of w·u and (w·u)² for each estimate.
struct Moments {
    strata: usize,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl Moments {
    fn new(estimates: usize, strata: usize) -> Moments {
        Moments {
            strata,
            sum: vec![0.0; estimates * strata],
            sum_sq: vec![0.0; estimates * strata],
        }
    }

    #[inline]
    fn add(&mut self, estimate: usize, stratum: usize, weighted_influence: f64) {
        let i = estimate * self.strata + stratum;
        self.sum[i] += weighted_influence;
        self.sum_sq[i] += weighted_influence * weighted_influence;
    }

    fn set(&mut self, estimate: usize, stratum: usize, sum: f64, sum_sq: f64) {
        let i = estimate * self.strata + stratum;
        self.sum[i] = sum;
        self.sum_sq[i] = sum_sq;
    }
}

/// The design facts shared by every estimate of the cell.
struct Design {
    /// Respondents per stratum.
    counts: Vec<usize>,
    /// 1 − f_h per stratum.
    fpc: Vec<f64>,
    df: f64,
    single_stratum: bool,
}

impl Design {
    fn of(sample: &Sample) -> Design {
        let strata = sample.strata_count();
        let mut counts = vec![0usize; strata];
        for &h in &sample.strata {
            counts[h] += 1;
        }
        let fpc = (0..strata)
            .map(|h| match sample.stratum_totals.get(h).copied().flatten() {
                Some(total) if total > 0.0 => 1.0 - (counts[h] as f64 / total).min(1.0),
                _ => 1.0,
            })
            .collect();
        let used = counts.iter().filter(|&&n| n > 0).count();
        Design {
            df: sample.respondents() as f64 - used as f64,
            single_stratum: counts.contains(&1),
            counts,
            fpc,
        }
    }

    fn variance(&self, moments: &Moments, estimate: usize) -> f64 {
        let mut variance = 0.0;
        for (h, &n_h) in self.counts.iter().enumerate() {
            // A stratum of one contributes nothing (and raises a flag).
            if n_h < 2 {
                continue;
            }
            let i = estimate * moments.strata + h;
            let n = n_h as f64;
            let centred = moments.sum_sq[i] - moments.sum[i] * moments.sum[i] / n;
            variance += self.fpc[h] * n / (n - 1.0) * centred.max(0.0);
        }
        variance
    }

    fn linearized(&self, theta: f64, moments: &Moments, estimate: usize, n: usize) -> Linearized {
        Linearized {
            theta,
            variance: self.variance(moments, estimate),
            n,
            df: self.df,
            single_stratum: self.single_stratum,
        }
    }
}

/// Sums over respondents who answered every item of an element (Cronbach's α).
#[derive(Clone, Default)]
struct AlphaSums {
    n: usize,
    item_sum: Vec<f64>,
    item_sum_sq: Vec<f64>,
    total_sum: f64,
    total_sum_sq: f64,
}

impl AlphaSums {
    /// α = K/(K−1) · (1 − Σ var_k / var_total), sample variances (n − 1);
    /// withheld, like every other figure, under `min_cell` respondents.
    fn alpha(&self, min_cell: usize) -> Alpha {
        let k = self.item_sum.len();
        if k < 2 || self.n < 2 || self.n < min_cell {
            return Alpha {
                value: None,
                n: self.n,
            };
        }
        let n = self.n as f64;
        let variance = |sum: f64, sum_sq: f64| (sum_sq - sum * sum / n) / (n - 1.0);
        let items: f64 = (0..k)
            .map(|i| variance(self.item_sum[i], self.item_sum_sq[i]))
            .sum();
        let total = variance(self.total_sum, self.total_sum_sq);
        let value = (total > 0.0).then(|| k as f64 / (k as f64 - 1.0) * (1.0 - items / total));
        Alpha { value, n: self.n }
    }
}

#[inline]
fn is_valid(score: u8) -> bool {
    (1..=5).contains(&score)
}

/// Per-respondent totals over the items of the overall index.
#[derive(Default, Clone, Copy)]
struct StratumTotals {
    /// Σ satisfied answers, Σ valid answers (pooled rate).
    satisfied_answers: f64,
    valid_answers: f64,
    /// Respondents with ≥ 1 valid answer, and those all satisfied (comprehensive).
    answering: f64,
    all_satisfied: f64,
}

pub(super) fn estimate_cell(
    sample: &Sample,
    layout: &Layout,
    config: &StatsConfig,
) -> CellEstimates {
    let k_count = sample.items;
    let e_count = layout.elements_in_overall.len();
    let strata = sample.strata_count();
    let n = sample.respondents();
    let design = Design::of(sample);
    let weight = |h: usize| sample.stratum_weights.get(h).copied().unwrap_or(1.0);
    let in_overall: Vec<bool> = (0..k_count)
        .map(|k| layout.elements_in_overall[layout.item_element[k]])
        .collect();
    let members: Vec<Vec<usize>> = (0..e_count)
        .map(|e| {
            (0..k_count)
                .filter(|&k| layout.item_element[k] == e)
                .collect()
        })
        .collect();

    // Pass 1: answers counted by item, stratum and code.
    let mut codes = vec![0u32; k_count * strata * CODES];
    let mut totals = vec![StratumTotals::default(); strata];
    let mut answering_respondents = 0usize;
    let mut alpha_sums: Vec<AlphaSums> = members
        .iter()
        .map(|items| AlphaSums {
            item_sum: vec![0.0; items.len()],
            item_sum_sq: vec![0.0; items.len()],
            ..AlphaSums::default()
        })
        .collect();
    for r in 0..n {
        let h = sample.strata[r];
        let row = &sample.scores[r * k_count..(r + 1) * k_count];
        let (mut satisfied, mut valid) = (0u32, 0u32);
        for (k, &s) in row.iter().enumerate() {
            codes[(k * strata + h) * CODES + usize::from(s.min(NOT_APPLICABLE))] += 1;
            let counted = u32::from(in_overall[k] && is_valid(s));
            valid += counted;
            satisfied += counted & u32::from(s >= layout.satisfied_from[k]);
        }
        let t = &mut totals[h];
        t.satisfied_answers += f64::from(satisfied);
        t.valid_answers += f64::from(valid);
        if valid > 0 {
            answering_respondents += 1;
            t.answering += 1.0;
            t.all_satisfied += f64::from(u8::from(satisfied == valid));
        }
        for (e, items) in members.iter().enumerate() {
            if items.iter().all(|&k| is_valid(row[k])) {
                let sums = &mut alpha_sums[e];
                sums.n += 1;
                let mut total = 0.0;
                for (i, &k) in items.iter().enumerate() {
                    let s = f64::from(row[k]);
                    sums.item_sum[i] += s;
                    sums.item_sum_sq[i] += s * s;
                    total += s;
                }
                sums.total_sum += total;
                sums.total_sum_sq += total * total;
            }
        }
    }

    // Item indices and mean scores, with their influence sums, from counts.
    // Estimate numbering in `moments`: items 0..K, mean scores K..2K,
    // elements 2K..2K+E, then overall, pooled, comprehensive.
    let (item_at, mean_at, element_at) = (0, k_count, 2 * k_count);
    let overall_at = 2 * k_count + e_count;
    let (pooled_at, comp_at) = (overall_at + 1, overall_at + 2);
    let mut moments = Moments::new(overall_at + 3, strata);
    let count = |k: usize, h: usize, code: usize| f64::from(codes[(k * strata + h) * CODES + code]);
    let mut index = vec![0.0; k_count];
    let mut reciprocal = vec![0.0; k_count];
    let mut valid_count = vec![0usize; k_count];
    let mut mean = vec![0.0; k_count];
    for k in 0..k_count {
        // Per stratum: valid answers A, satisfied Y, Σ s, Σ s².
        let per_stratum: Vec<[f64; 4]> = (0..strata)
            .map(|h| {
                let mut v = [0.0; 4];
                let from = usize::from(layout.satisfied_from[k]);
                for s in 1..=5 {
                    let c = count(k, h, s);
                    let points = s as f64 + layout.points_offset[k];
                    v[0] += c;
                    v[2] += c * points;
                    v[3] += c * points * points;
                    if s >= from {
                        v[1] += c;
                    }
                }
                v
            })
            .collect();
        let denominator: f64 = (0..strata).map(|h| weight(h) * per_stratum[h][0]).sum();
        valid_count[k] = per_stratum.iter().map(|v| v[0]).sum::<f64>() as usize;
        if valid_count[k] == 0 {
            continue;
        }
        let p = (0..strata)
            .map(|h| weight(h) * per_stratum[h][1])
            .sum::<f64>()
            / denominator;
        let m = (0..strata)
            .map(|h| weight(h) * per_stratum[h][2])
            .sum::<f64>()
            / denominator;
        for (h, &[a, y, t, ss]) in per_stratum.iter().enumerate() {
            let w = weight(h) / denominator;
            // u = a (y − P)/D: Σ w u = w (Y − P A)/D; Σ (w u)² = (w/D)² ((1 − 2P) Y + P² A).
            moments.set(
                item_at + k,
                h,
                w * (y - p * a),
                w * w * ((1.0 - 2.0 * p) * y + p * p * a),
            );
            // u = a (s − M)/D: Σ w u = w (T − M A)/D; Σ (w u)² = (w/D)² (SS − 2 M T + M² A).
            moments.set(
                mean_at + k,
                h,
                w * (t - m * a),
                w * w * (ss - 2.0 * m * t + m * m * a),
            );
        }
        index[k] = p;
        mean[k] = m;
        reciprocal[k] = 1.0 / denominator;
    }

    // Coefficients of the composites: each element is the mean of its
    // answered items; the overall index follows the survey's rule.
    let answered = |k: usize| valid_count[k] > 0;
    let element_size: Vec<usize> = members
        .iter()
        .map(|items| items.iter().filter(|&&k| answered(k)).count())
        .collect();
    let element_coefficient: Vec<f64> = (0..k_count)
        .map(|k| {
            if answered(k) {
                1.0 / element_size[layout.item_element[k]] as f64
            } else {
                0.0
            }
        })
        .collect();
    let overall_coefficient: Vec<f64> = match layout.rule {
        IndexRule::MeanOfElements => {
            let used = (0..e_count)
                .filter(|&e| layout.elements_in_overall[e] && element_size[e] > 0)
                .count();
            (0..k_count)
                .map(|k| {
                    if in_overall[k] && answered(k) {
                        element_coefficient[k] / used as f64
                    } else {
                        0.0
                    }
                })
                .collect()
        }
        IndexRule::MeanOfItems => {
            let used = (0..k_count)
                .filter(|&k| in_overall[k] && answered(k))
                .count();
            (0..k_count)
                .map(|k| {
                    if in_overall[k] && answered(k) {
                        1.0 / used as f64
                    } else {
                        0.0
                    }
                })
                .collect()
        }
        IndexRule::Pooled => vec![0.0; k_count],
    };
    let element_theta: Vec<f64> = (0..e_count)
        .map(|e| {
            members[e]
                .iter()
                .map(|&k| element_coefficient[k] * index[k])
                .sum()
        })
        .collect();
    let overall_theta: f64 = (0..k_count)
        .map(|k| overall_coefficient[k] * index[k])
        .sum();
    let weighted_total =
        |f: fn(&StratumTotals) -> f64| (0..strata).map(|h| weight(h) * f(&totals[h])).sum::<f64>();
    let pooled_d = weighted_total(|t| t.valid_answers);
    let pooled_theta = weighted_total(|t| t.satisfied_answers) / pooled_d;
    let comp_d = weighted_total(|t| t.answering);
    let comp_theta = weighted_total(|t| t.all_satisfied) / comp_d;
    // Each item's coefficient times 1/D_k, ready for the influence values.
    let element_scale: Vec<f64> = (0..k_count)
        .map(|k| element_coefficient[k] * reciprocal[k])
        .collect();
    let overall_scale: Vec<f64> = (0..k_count)
        .map(|k| overall_coefficient[k] * reciprocal[k])
        .collect();

    // Pass 2: each respondent's influence on the composites, element by
    // element so each sum stays in a register.
    let mut element_n = vec![0usize; e_count];
    let mut overall_n = 0usize;
    for r in 0..n {
        let h = sample.strata[r];
        let w = weight(h);
        let row = &sample.scores[r * k_count..(r + 1) * k_count];
        let (mut overall_u, mut overall_any) = (0.0, false);
        let (mut satisfied, mut valid) = (0.0, 0.0);
        for (e, items) in members.iter().enumerate() {
            let counts_overall = layout.elements_in_overall[e];
            let (mut element_u, mut element_any) = (0.0, false);
            for &k in items {
                let s = row[k];
                if !is_valid(s) {
                    continue;
                }
                let y = f64::from(u8::from(s >= layout.satisfied_from[k]));
                let deviation = y - index[k];
                element_u += element_scale[k] * deviation;
                overall_u += overall_scale[k] * deviation;
                element_any = true;
                if counts_overall {
                    valid += 1.0;
                    satisfied += y;
                }
            }
            moments.add(element_at + e, h, w * element_u);
            element_n[e] += usize::from(element_any);
            overall_any |= element_any && counts_overall;
        }
        moments.add(overall_at, h, w * overall_u);
        overall_n += usize::from(overall_any);
        if pooled_d > 0.0 {
            moments.add(
                pooled_at,
                h,
                w * (satisfied - pooled_theta * valid) / pooled_d,
            );
        }
        if comp_d > 0.0 && valid > 0.0 {
            let all = f64::from(u8::from(satisfied == valid));
            moments.add(comp_at, h, w * (all - comp_theta) / comp_d);
        }
    }

    let weighted = sample.weighted;
    let proportion = |at: usize, theta: f64, count: usize, kind: ProportionKind| {
        let lin = (count > 0).then(|| design.linearized(theta, &moments, at, count));
        finish_proportion(lin, kind, weighted, config)
    };
    let pooled = proportion(
        pooled_at,
        pooled_theta,
        answering_respondents,
        ProportionKind::Composite,
    );
    let overall = match layout.rule {
        IndexRule::Pooled => pooled.clone(),
        _ => proportion(
            overall_at,
            overall_theta,
            overall_n,
            ProportionKind::Composite,
        ),
    };
    let distribution = |k: usize| {
        let total = |code: usize| {
            (0..strata)
                .map(|h| codes[(k * strata + h) * CODES + code] as usize)
                .sum()
        };
        Distribution {
            s1: total(1),
            s2: total(2),
            s3: total(3),
            s4: total(4),
            s5: total(5),
            na: total(CODES - 1),
        }
    };
    let elements = (0..e_count)
        .map(|e| ElementEstimates {
            index: proportion(
                element_at + e,
                element_theta[e],
                element_n[e],
                ProportionKind::Composite,
            ),
            alpha: alpha_sums[e].alpha(config.min_cell),
            items: members[e]
                .iter()
                .map(|&k| {
                    let index = proportion(
                        item_at + k,
                        index[k],
                        valid_count[k],
                        ProportionKind::SingleItem,
                    );
                    let mean_lin = answered(k)
                        .then(|| design.linearized(mean[k], &moments, mean_at + k, valid_count[k]));
                    ItemEstimates {
                        item: k,
                        distribution: (!index.suppressed).then(|| distribution(k)),
                        index,
                        mean_score: finish_mean(mean_lin, config),
                    }
                })
                .collect(),
        })
        .collect();
    CellEstimates {
        respondents: n,
        overall,
        pooled,
        comprehensive: proportion(
            comp_at,
            comp_theta,
            answering_respondents,
            ProportionKind::Composite,
        ),
        elements,
    }
}

/// The ratio R = Σ w x / Σ w d over the sample's respondents, with its
/// linearized variance (u_r = (x_r − R d_r) / Σ w d): a domain proportion
/// (x = chose the option, d = answered the item), a domain mean (x = the
/// value when answered, d = answered) or a mean score over several items
/// (x = sum of scores, d = number of valid answers). `n` counts the
/// respondents with d > 0; None when there are none.
pub(super) fn ratio(sample: &Sample, x: &[f64], d: &[f64]) -> Option<Linearized> {
    let n = sample.respondents();
    debug_assert!(x.len() == n && d.len() == n);
    let weight = |h: usize| sample.stratum_weights.get(h).copied().unwrap_or(1.0);
    let mut numerator = 0.0;
    let mut denominator = 0.0;
    let mut answering = 0;
    for r in 0..n {
        let w = weight(sample.strata[r]);
        numerator += w * x[r];
        denominator += w * d[r];
        answering += usize::from(d[r] > 0.0);
    }
    if answering == 0 || denominator <= 0.0 {
        return None;
    }
    let theta = numerator / denominator;
    let design = Design::of(sample);
    let mut moments = Moments::new(1, sample.strata_count());
    for r in 0..n {
        let h = sample.strata[r];
        moments.add(0, h, weight(h) * (x[r] - theta * d[r]) / denominator);
    }
    Some(design.linearized(theta, &moments, 0, answering))
}
