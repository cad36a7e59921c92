//! Every estimate of a cell, from the respondents' rows or from per-stratum
//! sums ([`super::sums`]).
//!
//! The variance of statistics.md needs, per stratum h and estimate, only
//! Σ w·u and Σ (w·u)² over the stratum's respondents:
//!
//!   V = Σ_h (1 − f_h) · n_h/(n_h − 1) · (Σ_h (w u)² − (Σ_h w u)² / n_h),
//!
//! which equals Σ_h (1 − f_h) n_h/(n_h−1) Σ_{r∈h} (w_r u_r − ū_h)².
//!
//! Pass 1 counts answers by item, stratum and score ([`Tallies`]). Because
//! the weight is constant within a stratum, item indices, mean scores and
//! their sums of influence values follow from those counts in closed form.
//! The composites (elements, overall, pooled, comprehensive) mix items:
//! from rows, pass 2 computes each respondent's influence on them; from
//! sums, the same two moments follow from the cross-products of the items'
//! indicators.

use super::planning::Alpha;
use super::sums::{CellSums, RatioSums};
use super::IndexRule;
use super::{
    finish_mean, finish_proportion, CellEstimates, Distribution, ElementEstimates, ItemEstimates,
    Layout, Linearized, ProportionKind, Sample, StatsConfig, NOT_APPLICABLE,
};

/// Answer codes: 0 skipped, 1–5 scores, 6 not applicable.
pub(super) const CODES: usize = NOT_APPLICABLE as usize + 1;

/// Relative size below which a stratum's spread of influence values is
/// taken for rounding: sums and cross-products in double precision carry
/// errors around 1e-16 of their terms.
const ROUNDING: f64 = 1e-9;

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

/// How the respondents are stratified and weighted: what every estimate of
/// a cell shares besides the answers.
#[derive(Debug, Clone)]
pub struct Strata {
    /// The weight of every respondent of each stratum.
    pub weights: Vec<f64>,
    /// Population total N_h of each stratum when known (finite population
    /// correction), else None.
    pub totals: Vec<Option<f64>>,
    /// Whether the sample is weighted (selects the interval method).
    pub weighted: bool,
}

impl Strata {
    /// One stratum, every weight 1.
    pub fn unweighted() -> Strata {
        Strata {
            weights: vec![1.0],
            totals: vec![None],
            weighted: false,
        }
    }

    fn of(sample: &Sample) -> Strata {
        Strata {
            weights: sample.stratum_weights.clone(),
            totals: sample.stratum_totals.clone(),
            weighted: sample.weighted,
        }
    }

    fn weight(&self, h: usize) -> f64 {
        self.weights.get(h).copied().unwrap_or(1.0)
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
        let mut counts = vec![0usize; sample.strata_count()];
        for &h in &sample.strata {
            counts[h] += 1;
        }
        Design::from_counts(counts, &Strata::of(sample))
    }

    /// From the respondents of each stratum.
    fn from_counts(counts: Vec<usize>, strata: &Strata) -> Design {
        let fpc = (0..counts.len())
            .map(|h| match strata.totals.get(h).copied().flatten() {
                Some(total) if total > 0.0 => 1.0 - (counts[h] as f64 / total).min(1.0),
                _ => 1.0,
            })
            .collect();
        let used = counts.iter().filter(|&&n| n > 0).count();
        Design {
            df: counts.iter().sum::<usize>() as f64 - used as f64,
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
            // Influence values all alike give 0 up to rounding, which either
            // sign can take: a spread below rounding is no spread.
            if centred <= ROUNDING * moments.sum_sq[i] {
                continue;
            }
            variance += self.fpc[h] * n / (n - 1.0) * centred;
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
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct AlphaSums {
    n: usize,
    item_sum: Vec<f64>,
    item_sum_sq: Vec<f64>,
    total_sum: f64,
    total_sum_sq: f64,
}

impl AlphaSums {
    /// Whether these sums are of as many items as `empty`.
    pub(super) fn fits(&self, empty: &AlphaSums) -> bool {
        self.item_sum.len() == empty.item_sum.len()
            && self.item_sum_sq.len() == empty.item_sum_sq.len()
    }

    pub(super) fn for_items(items: usize) -> AlphaSums {
        AlphaSums {
            item_sum: vec![0.0; items],
            item_sum_sq: vec![0.0; items],
            ..AlphaSums::default()
        }
    }

    /// Adds a respondent's row when it answers every one of `items` (the
    /// element's, in order).
    #[inline]
    pub(super) fn add(&mut self, row: &[u8], items: &[usize]) {
        if !items.iter().all(|&k| is_valid(row[k])) {
            return;
        }
        self.n += 1;
        let mut total = 0.0;
        for (i, &k) in items.iter().enumerate() {
            let s = f64::from(row[k]);
            self.item_sum[i] += s;
            self.item_sum_sq[i] += s * s;
            total += s;
        }
        self.total_sum += total;
        self.total_sum_sq += total * total;
    }

    pub(super) fn merge(&mut self, other: &AlphaSums) {
        self.n += other.n;
        for (a, b) in self.item_sum.iter_mut().zip(&other.item_sum) {
            *a += b;
        }
        for (a, b) in self.item_sum_sq.iter_mut().zip(&other.item_sum_sq) {
            *a += b;
        }
        self.total_sum += other.total_sum;
        self.total_sum_sq += other.total_sum_sq;
    }

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
pub(super) fn is_valid(score: u8) -> bool {
    (1..=5).contains(&score)
}

/// The items of each element, in layout order.
pub(super) fn members_of(layout: &Layout) -> Vec<Vec<usize>> {
    (0..layout.elements_in_overall.len())
        .map(|e| {
            (0..layout.item_element.len())
                .filter(|&k| layout.item_element[k] == e)
                .collect()
        })
        .collect()
}

/// Per-respondent totals over the items of the overall index.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct StratumTotals {
    /// Σ satisfied answers, Σ valid answers (pooled rate).
    pub satisfied_answers: f64,
    pub valid_answers: f64,
    /// Respondents with ≥ 1 valid answer, and those all satisfied (comprehensive).
    pub answering: f64,
    pub all_satisfied: f64,
}

impl StratumTotals {
    /// Adds one respondent's counts of satisfied and valid answers to the
    /// overall index's items.
    #[inline]
    pub(super) fn add(&mut self, satisfied: u32, valid: u32) {
        self.satisfied_answers += f64::from(satisfied);
        self.valid_answers += f64::from(valid);
        if valid > 0 {
            self.answering += 1.0;
            self.all_satisfied += f64::from(u8::from(satisfied == valid));
        }
    }

    pub(super) fn merge(&mut self, other: &StratumTotals) {
        self.satisfied_answers += other.satisfied_answers;
        self.valid_answers += other.valid_answers;
        self.answering += other.answering;
        self.all_satisfied += other.all_satisfied;
    }
}

/// A respondent's satisfied and valid answers among the overall index's items.
#[inline]
pub(super) fn overall_answers(row: &[u8], layout: &Layout, in_overall: &[bool]) -> (u32, u32) {
    let (mut satisfied, mut valid) = (0u32, 0u32);
    for (k, &s) in row.iter().enumerate() {
        let counted = u32::from(in_overall[k] && is_valid(s));
        valid += counted;
        satisfied += counted & u32::from(s >= layout.satisfied_from[k]);
    }
    (satisfied, valid)
}

/// Whether each item counts in the overall index.
pub(super) fn in_overall_of(layout: &Layout) -> Vec<bool> {
    (0..layout.item_element.len())
        .map(|k| layout.elements_in_overall[layout.item_element[k]])
        .collect()
}

/// What pass 1 counts, by item, stratum and code, and per stratum.
struct Tallies {
    strata: usize,
    /// `(k * strata + h) * CODES + code`.
    codes: Vec<u64>,
    totals: Vec<StratumTotals>,
    alpha_sums: Vec<AlphaSums>,
    /// Respondents per stratum.
    respondents: Vec<usize>,
}

impl Tallies {
    fn count(&self, k: usize, h: usize, code: usize) -> u64 {
        self.codes[(k * self.strata + h) * CODES + code]
    }

    fn answering_respondents(&self) -> usize {
        self.totals.iter().map(|t| t.answering as usize).sum()
    }

    /// Pass 1 over the rows of a sample.
    fn of_sample(sample: &Sample, layout: &Layout, members: &[Vec<usize>]) -> Tallies {
        let k_count = sample.items;
        let strata = sample.strata_count();
        let in_overall = in_overall_of(layout);
        let mut tallies = Tallies {
            strata,
            codes: vec![0; k_count * strata * CODES],
            totals: vec![StratumTotals::default(); strata],
            alpha_sums: members
                .iter()
                .map(|items| AlphaSums::for_items(items.len()))
                .collect(),
            respondents: vec![0; strata],
        };
        for r in 0..sample.respondents() {
            let h = sample.strata[r];
            let row = &sample.scores[r * k_count..(r + 1) * k_count];
            for (k, &s) in row.iter().enumerate() {
                tallies.codes[(k * strata + h) * CODES + usize::from(s.min(NOT_APPLICABLE))] += 1;
            }
            let (satisfied, valid) = overall_answers(row, layout, &in_overall);
            tallies.totals[h].add(satisfied, valid);
            tallies.respondents[h] += 1;
            for (sums, items) in tallies.alpha_sums.iter_mut().zip(members) {
                sums.add(row, items);
            }
        }
        tallies
    }

    /// The same counts, from per-stratum sums.
    fn of_sums(strata: &[CellSums], k_count: usize, elements: usize) -> Tallies {
        let h_count = strata.len().max(1);
        let mut tallies = Tallies {
            strata: h_count,
            codes: vec![0; k_count * h_count * CODES],
            totals: vec![StratumTotals::default(); h_count],
            alpha_sums: Vec::new(),
            respondents: vec![0; h_count],
        };
        for (h, sums) in strata.iter().enumerate() {
            for k in 0..k_count {
                for code in 0..CODES {
                    tallies.codes[(k * h_count + h) * CODES + code] = sums.code_count(k, code);
                }
            }
            tallies.totals[h] = sums.totals;
            tallies.respondents[h] = sums.respondents();
        }
        tallies.alpha_sums = (0..elements)
            .map(|e| {
                let mut merged = strata
                    .first()
                    .map(|s| s.alpha[e].clone())
                    .unwrap_or_default();
                for sums in strata.iter().skip(1) {
                    merged.merge(&sums.alpha[e]);
                }
                merged
            })
            .collect();
        tallies
    }
}

/// Everything of a cell that follows from [`Tallies`]: item estimates, the
/// composites' points and coefficients. Estimate numbering in `moments`:
/// items 0..K, mean scores K..2K, elements 2K..2K+E, then overall, pooled,
/// comprehensive.
struct Stage {
    k_count: usize,
    e_count: usize,
    members: Vec<Vec<usize>>,
    index: Vec<f64>,
    mean: Vec<f64>,
    valid_count: Vec<usize>,
    element_theta: Vec<f64>,
    overall_theta: f64,
    pooled_d: f64,
    pooled_theta: f64,
    comp_d: f64,
    comp_theta: f64,
    /// Each item's coefficient in its element times 1/D_k.
    element_scale: Vec<f64>,
    /// Each item's coefficient in the overall index times 1/D_k.
    overall_scale: Vec<f64>,
    moments: Moments,
}

impl Stage {
    fn element_at(&self) -> usize {
        2 * self.k_count
    }
    fn overall_at(&self) -> usize {
        2 * self.k_count + self.e_count
    }
    fn pooled_at(&self) -> usize {
        self.overall_at() + 1
    }
    fn comp_at(&self) -> usize {
        self.overall_at() + 2
    }

    fn new(tallies: &Tallies, strata: &Strata, layout: &Layout, members: Vec<Vec<usize>>) -> Stage {
        let k_count = layout.item_element.len();
        let e_count = layout.elements_in_overall.len();
        let h_count = tallies.strata;
        let weight = |h: usize| strata.weight(h);
        let in_overall = in_overall_of(layout);
        let (item_at, mean_at) = (0, k_count);
        let mut moments = Moments::new(2 * k_count + e_count + 3, h_count);
        let count = |k: usize, h: usize, code: usize| tallies.count(k, h, code) as f64;
        let mut index = vec![0.0; k_count];
        let mut reciprocal = vec![0.0; k_count];
        let mut valid_count = vec![0usize; k_count];
        let mut mean = vec![0.0; k_count];
        for k in 0..k_count {
            // Per stratum: valid answers A, satisfied Y, Σ s, Σ s².
            let per_stratum: Vec<[f64; 4]> = (0..h_count)
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
            let denominator: f64 = (0..h_count).map(|h| weight(h) * per_stratum[h][0]).sum();
            valid_count[k] = per_stratum.iter().map(|v| v[0]).sum::<f64>() as usize;
            if valid_count[k] == 0 {
                continue;
            }
            let p = (0..h_count)
                .map(|h| weight(h) * per_stratum[h][1])
                .sum::<f64>()
                / denominator;
            let m = (0..h_count)
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
        let weighted_total = |f: fn(&StratumTotals) -> f64| {
            (0..h_count)
                .map(|h| weight(h) * f(&tallies.totals[h]))
                .sum::<f64>()
        };
        let pooled_d = weighted_total(|t| t.valid_answers);
        let comp_d = weighted_total(|t| t.answering);
        Stage {
            k_count,
            e_count,
            members,
            element_theta,
            overall_theta,
            pooled_d,
            pooled_theta: weighted_total(|t| t.satisfied_answers) / pooled_d,
            comp_d,
            comp_theta: weighted_total(|t| t.all_satisfied) / comp_d,
            element_scale: (0..k_count)
                .map(|k| element_coefficient[k] * reciprocal[k])
                .collect(),
            overall_scale: (0..k_count)
                .map(|k| overall_coefficient[k] * reciprocal[k])
                .collect(),
            index,
            mean,
            valid_count,
            moments,
        }
    }

    /// Pass 2: each respondent's influence on the composites, element by
    /// element so each sum stays in a register. Returns the respondents
    /// with a valid answer in each element.
    fn composites_from_rows(&mut self, sample: &Sample, layout: &Layout) -> Vec<usize> {
        let k_count = self.k_count;
        let strata = Strata::of(sample);
        let (element_at, overall_at) = (self.element_at(), self.overall_at());
        let (pooled_at, comp_at) = (self.pooled_at(), self.comp_at());
        let mut element_n = vec![0usize; self.e_count];
        for r in 0..sample.respondents() {
            let h = sample.strata[r];
            let w = strata.weight(h);
            let row = &sample.scores[r * k_count..(r + 1) * k_count];
            let mut overall_u = 0.0;
            let (mut satisfied, mut valid) = (0.0, 0.0);
            for (e, items) in self.members.iter().enumerate() {
                let counts_overall = layout.elements_in_overall[e];
                let (mut element_u, mut element_any) = (0.0, false);
                for &k in items {
                    let s = row[k];
                    if !is_valid(s) {
                        continue;
                    }
                    let y = f64::from(u8::from(s >= layout.satisfied_from[k]));
                    let deviation = y - self.index[k];
                    element_u += self.element_scale[k] * deviation;
                    overall_u += self.overall_scale[k] * deviation;
                    element_any = true;
                    if counts_overall {
                        valid += 1.0;
                        satisfied += y;
                    }
                }
                self.moments.add(element_at + e, h, w * element_u);
                element_n[e] += usize::from(element_any);
            }
            self.moments.add(overall_at, h, w * overall_u);
            if self.pooled_d > 0.0 {
                self.moments.add(
                    pooled_at,
                    h,
                    w * (satisfied - self.pooled_theta * valid) / self.pooled_d,
                );
            }
            if self.comp_d > 0.0 && valid > 0.0 {
                let all = f64::from(u8::from(satisfied == valid));
                self.moments
                    .add(comp_at, h, w * (all - self.comp_theta) / self.comp_d);
            }
        }
        element_n
    }

    /// The same moments from per-stratum sums: each composite's influence
    /// is u = Σ_k c_k (y_k − p_k a_k), so Σ u = Σ_k c_k (Y_k − p_k A_k) and
    /// Σ u² = Σ_k Σ_j c_k c_j (Σ y_k y_j − p_j Σ y_k a_j − p_k Σ a_k y_j
    /// + p_k p_j Σ a_k a_j).
    fn composites_from_sums(
        &mut self,
        sums: &[CellSums],
        strata: &Strata,
        layout: &Layout,
    ) -> Vec<usize> {
        let k_count = self.k_count;
        let in_overall = in_overall_of(layout);
        let (element_at, overall_at) = (self.element_at(), self.overall_at());
        let (pooled_at, comp_at) = (self.pooled_at(), self.comp_at());
        let pooled_scale: Vec<f64> = (0..k_count)
            .map(|k| f64::from(u8::from(in_overall[k])))
            .collect();
        let pooled_point = vec![self.pooled_theta; k_count];
        let mut element_n = vec![0usize; self.e_count];
        for (h, stratum) in sums.iter().enumerate() {
            let w = strata.weight(h);
            let all_items: Vec<usize> = (0..k_count).collect();
            let mut set =
                |at: usize, items: &[usize], scale: &[f64], point: &[f64], divisor: f64| {
                    let (sum, sum_sq) = stratum.linear_moments(items, scale, point);
                    self.moments.set(
                        at,
                        h,
                        w * sum / divisor,
                        w * w * sum_sq / (divisor * divisor),
                    );
                };
            for (e, items) in self.members.iter().enumerate() {
                set(element_at + e, items, &self.element_scale, &self.index, 1.0);
                element_n[e] += stratum.element_answering[e] as usize;
            }
            set(
                overall_at,
                &all_items,
                &self.overall_scale,
                &self.index,
                1.0,
            );
            if self.pooled_d > 0.0 {
                set(
                    pooled_at,
                    &all_items,
                    &pooled_scale,
                    &pooled_point,
                    self.pooled_d,
                );
            }
            if self.comp_d > 0.0 {
                // u = (all − θ)/D over the answering: all is 0 or 1.
                let (all, answering) = (stratum.totals.all_satisfied, stratum.totals.answering);
                let theta = self.comp_theta;
                let d = self.comp_d;
                self.moments.set(
                    comp_at,
                    h,
                    w * (all - theta * answering) / d,
                    w * w * ((1.0 - 2.0 * theta) * all + theta * theta * answering) / (d * d),
                );
            }
        }
        element_n
    }

    fn finish(
        &self,
        tallies: &Tallies,
        design: &Design,
        element_n: &[usize],
        layout: &Layout,
        weighted: bool,
        config: &StatsConfig,
    ) -> CellEstimates {
        let moments = &self.moments;
        let answering_respondents = tallies.answering_respondents();
        let proportion = |at: usize, theta: f64, count: usize, kind: ProportionKind| {
            let lin = (count > 0).then(|| design.linearized(theta, moments, at, count));
            finish_proportion(lin, kind, weighted, config)
        };
        let pooled = proportion(
            self.pooled_at(),
            self.pooled_theta,
            answering_respondents,
            ProportionKind::Composite,
        );
        // The respondents with a valid answer among the overall index's
        // items are those with one in an element that counts overall.
        let overall = match layout.rule {
            IndexRule::Pooled => pooled.clone(),
            _ => proportion(
                self.overall_at(),
                self.overall_theta,
                answering_respondents,
                ProportionKind::Composite,
            ),
        };
        let distribution = |k: usize| {
            let total = |code: usize| {
                (0..tallies.strata)
                    .map(|h| tallies.count(k, h, code) as usize)
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
        let answered = |k: usize| self.valid_count[k] > 0;
        let elements = (0..self.e_count)
            .map(|e| ElementEstimates {
                index: proportion(
                    self.element_at() + e,
                    self.element_theta[e],
                    element_n[e],
                    ProportionKind::Composite,
                ),
                alpha: tallies.alpha_sums[e].alpha(config.min_cell),
                items: self.members[e]
                    .iter()
                    .map(|&k| {
                        let index = proportion(
                            k,
                            self.index[k],
                            self.valid_count[k],
                            ProportionKind::SingleItem,
                        );
                        let mean_lin = answered(k).then(|| {
                            design.linearized(
                                self.mean[k],
                                moments,
                                self.k_count + k,
                                self.valid_count[k],
                            )
                        });
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
            respondents: tallies.respondents.iter().sum(),
            overall,
            pooled,
            comprehensive: proportion(
                self.comp_at(),
                self.comp_theta,
                answering_respondents,
                ProportionKind::Composite,
            ),
            elements,
        }
    }
}

/// Every estimate of a cell, from the respondents' rows.
pub(super) fn estimate_cell(
    sample: &Sample,
    layout: &Layout,
    config: &StatsConfig,
) -> CellEstimates {
    let members = members_of(layout);
    let tallies = Tallies::of_sample(sample, layout, &members);
    let design = Design::of(sample);
    let mut stage = Stage::new(&tallies, &Strata::of(sample), layout, members);
    let element_n = stage.composites_from_rows(sample, layout);
    stage.finish(
        &tallies,
        &design,
        &element_n,
        layout,
        sample.weighted,
        config,
    )
}

/// Every estimate of a cell, from the sums of each stratum's respondents
/// (`sums[h]` for stratum h of `strata`). Gives what [`estimate_cell`]
/// gives from the rows the sums were made of.
pub(super) fn estimate_cell_from_sums(
    sums: &[CellSums],
    strata: &Strata,
    layout: &Layout,
    config: &StatsConfig,
) -> CellEstimates {
    let members = members_of(layout);
    let tallies = Tallies::of_sums(sums, layout.item_element.len(), members.len());
    let design = Design::from_counts(tallies.respondents.clone(), strata);
    let mut stage = Stage::new(&tallies, strata, layout, members);
    let element_n = stage.composites_from_sums(sums, strata, layout);
    stage.finish(
        &tallies,
        &design,
        &element_n,
        layout,
        strata.weighted,
        config,
    )
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
    let mut sums = vec![RatioSums::default(); sample.strata_count()];
    for r in 0..n {
        sums[sample.strata[r]].add(x[r], d[r]);
    }
    let mut counts = vec![0usize; sample.strata_count()];
    for &h in &sample.strata {
        counts[h] += 1;
    }
    ratio_from_sums(&sums, &counts, &Strata::of(sample))
}

/// The same ratio from each stratum's [`RatioSums`] and respondents.
pub(super) fn ratio_from_sums(
    sums: &[RatioSums],
    respondents: &[usize],
    strata: &Strata,
) -> Option<Linearized> {
    let mut numerator = 0.0;
    let mut denominator = 0.0;
    let mut answering = 0;
    for (h, s) in sums.iter().enumerate() {
        let w = strata.weight(h);
        numerator += w * s.x;
        denominator += w * s.d;
        answering += s.n as usize;
    }
    if answering == 0 || denominator <= 0.0 {
        return None;
    }
    let theta = numerator / denominator;
    let design = Design::from_counts(respondents.to_vec(), strata);
    let mut moments = Moments::new(1, sums.len().max(1));
    for (h, s) in sums.iter().enumerate() {
        // Σ (x − θ d)² = Σ x² − 2θ Σ x d + θ² Σ d².
        let w = strata.weight(h) / denominator;
        moments.set(
            0,
            h,
            w * (s.x - theta * s.d),
            w * w * (s.xx - 2.0 * theta * s.xd + theta * theta * s.dd),
        );
    }
    Some(design.linearized(theta, &moments, 0, answering))
}
