//! Sums over respondents from which every estimate of a cell follows
//! exactly, without the respondents' rows.
//!
//! Every estimate of statistics.md is a ratio, or a linear combination of
//! ratios, within strata, and its linearized variance needs per stratum only
//! Σ w·u and Σ (w·u)² of the influence values u. For the item estimates those
//! follow from answer counts; for the composites u = Σ_k c_k (y_k − p_k a_k)
//! (y_k: satisfied with item k, a_k: a valid answer to it), so Σ u² needs the
//! cross-products Σ y_k y_j, Σ y_k a_j and Σ a_k a_j. Sums add: a period's
//! sums are the sums of its parts, a department's those of its service
//! points. Counts are kept as integers, so adding them never drifts.

use super::engine::{
    self, in_overall_of, is_valid, members_of, overall_answers, AlphaSums, StratumTotals, CODES,
};
use super::{finish_mean, finish_proportion, Estimate, Layout, ProportionKind, StatsConfig};
use super::{CellEstimates, NOT_APPLICABLE};

pub use engine::Strata;

/// The parts of a ratio Σ x / Σ d over a stratum's respondents: Σ x, Σ d,
/// Σ x², Σ x d, Σ d², and `n`, the respondents with d > 0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RatioSums {
    pub n: u64,
    pub x: f64,
    pub d: f64,
    pub xx: f64,
    pub xd: f64,
    pub dd: f64,
}

impl RatioSums {
    #[inline]
    pub fn add(&mut self, x: f64, d: f64) {
        self.n += u64::from(d > 0.0);
        self.x += x;
        self.d += d;
        self.xx += x * x;
        self.xd += x * d;
        self.dd += d * d;
    }

    pub fn merge(&mut self, other: &RatioSums) {
        self.n += other.n;
        self.x += other.x;
        self.d += other.d;
        self.xx += other.xx;
        self.xd += other.xd;
        self.dd += other.dd;
    }
}

/// The sums of one item that is not a rating: who answered it, and per
/// option (or the value of a percent item) the parts of its ratio.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OtherSums {
    pub answered: u64,
    /// Per option: x = chose it, d = answered the item.
    pub options: Vec<RatioSums>,
    /// x = the value, d = gave one.
    pub value: RatioSums,
}

impl OtherSums {
    fn merge(&mut self, other: &OtherSums) {
        self.answered += other.answered;
        for (a, b) in self.options.iter_mut().zip(&other.options) {
            a.merge(b);
        }
        self.value.merge(&other.value);
    }
}

/// A questionnaire as the sums see it: its [`Layout`], the items of each
/// element, and how many options each item that is not a rating has.
#[derive(Debug, Clone)]
pub struct Shape {
    pub layout: Layout,
    members: Vec<Vec<usize>>,
    in_overall: Vec<bool>,
    options: Vec<usize>,
}

impl Shape {
    /// `options[i]`: the options of the i-th item that is not a rating
    /// (yes/no: 2; a percent item: 0).
    pub fn new(layout: Layout, options: Vec<usize>) -> Shape {
        Shape {
            members: members_of(&layout),
            in_overall: in_overall_of(&layout),
            layout,
            options,
        }
    }
}

/// Sums over a set of respondents (one stratum of a cell, or a part of
/// one) of everything the estimates of the cell need, their rows laid out
/// on one questionnaire ([`Layout`]).
///
/// Stored as JSON (`services::indices::sums`): a change to what these
/// fields mean needs a new `SUMS_FORMAT` there.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellSums {
    items: usize,
    respondents: u64,
    /// `k * CODES + code`: answers by item and code.
    codes: Vec<u64>,
    /// `k * items + j`: Σ y_k y_j, Σ y_k a_j, Σ a_k a_j.
    satisfied_pairs: Vec<u64>,
    satisfied_answered: Vec<u64>,
    answered_pairs: Vec<u64>,
    pub(super) totals: StratumTotals,
    /// Per element: respondents with a valid answer to one of its items.
    pub(super) element_answering: Vec<u64>,
    pub(super) alpha: Vec<AlphaSums>,
    /// Mean scores in points: per element, then over the overall index's
    /// items (x = Σ points of valid answers, d = valid answers).
    mean_scores: Vec<RatioSums>,
    /// Per item that is not a rating.
    pub others: Vec<OtherSums>,
}

impl CellSums {
    /// Empty sums for `shape`.
    pub fn new(shape: &Shape) -> CellSums {
        let layout = &shape.layout;
        let items = layout.item_element.len();
        let elements = layout.elements_in_overall.len();
        CellSums {
            items,
            respondents: 0,
            codes: vec![0; items * CODES],
            satisfied_pairs: vec![0; items * items],
            satisfied_answered: vec![0; items * items],
            answered_pairs: vec![0; items * items],
            totals: StratumTotals::default(),
            element_answering: vec![0; elements],
            alpha: shape
                .members
                .iter()
                .map(|m| AlphaSums::for_items(m.len()))
                .collect(),
            mean_scores: vec![RatioSums::default(); elements + 1],
            others: shape
                .options
                .iter()
                .map(|&n| OtherSums {
                    options: vec![RatioSums::default(); n],
                    ..OtherSums::default()
                })
                .collect(),
        }
    }

    pub fn respondents(&self) -> usize {
        self.respondents as usize
    }

    /// Whether these sums are laid out on `shape` (as sums read back from
    /// storage must be before they are added to others).
    pub fn fits(&self, shape: &Shape) -> bool {
        let empty = CellSums::new(shape);
        let items = empty.items;
        self.items == items
            && self.codes.len() == empty.codes.len()
            && [
                &self.satisfied_pairs,
                &self.satisfied_answered,
                &self.answered_pairs,
            ]
            .iter()
            .all(|pairs| pairs.len() == items * items)
            && self.element_answering.len() == empty.element_answering.len()
            && self.alpha.len() == empty.alpha.len()
            && self.alpha.iter().zip(&empty.alpha).all(|(a, b)| a.fits(b))
            && self.mean_scores.len() == empty.mean_scores.len()
            && self.others.len() == empty.others.len()
            && self
                .others
                .iter()
                .zip(&empty.others)
                .all(|(a, b)| a.options.len() == b.options.len())
    }

    pub(super) fn code_count(&self, k: usize, code: usize) -> u64 {
        self.codes[k * CODES + code]
    }

    /// Respondents who answered item k (a score or "not applicable").
    pub fn item_answering(&self, k: usize) -> u64 {
        (1..CODES).map(|code| self.code_count(k, code)).sum()
    }

    /// Respondents with a valid answer to an item of element e.
    pub fn element_answering(&self, e: usize) -> u64 {
        self.element_answering[e]
    }

    /// Respondents with a valid answer to an item of the overall index.
    pub fn overall_answering(&self) -> u64 {
        self.totals.answering as u64
    }

    /// Adds one respondent's scores (as in [`super::Sample::scores`]); the
    /// items that are not ratings are the caller's to add to `others`.
    pub fn add(&mut self, row: &[u8], shape: &Shape) {
        let (layout, members) = (&shape.layout, &shape.members);
        let items = self.items;
        debug_assert_eq!(row.len(), items);
        self.respondents += 1;
        let mut answered = Vec::with_capacity(items);
        let mut satisfied = Vec::with_capacity(items);
        for (k, &s) in row.iter().enumerate() {
            self.codes[k * CODES + usize::from(s.min(NOT_APPLICABLE))] += 1;
            if is_valid(s) {
                answered.push(k);
                if s >= layout.satisfied_from[k] {
                    satisfied.push(k);
                }
            }
        }
        for &k in &answered {
            let at = k * items;
            for &j in &answered {
                self.answered_pairs[at + j] += 1;
            }
        }
        for &k in &satisfied {
            let at = k * items;
            for &j in &answered {
                self.satisfied_answered[at + j] += 1;
            }
            for &j in &satisfied {
                self.satisfied_pairs[at + j] += 1;
            }
        }
        let (overall_satisfied, overall_valid) = overall_answers(row, layout, &shape.in_overall);
        self.totals.add(overall_satisfied, overall_valid);
        let (mut overall_points, mut overall_count) = (0.0, 0.0);
        for (e, items) in members.iter().enumerate() {
            self.alpha[e].add(row, items);
            let (mut points, mut count) = (0.0, 0.0);
            for &k in items {
                if is_valid(row[k]) {
                    points += f64::from(row[k]) + layout.points_offset[k];
                    count += 1.0;
                }
            }
            self.element_answering[e] += u64::from(count > 0.0);
            self.mean_scores[e].add(points, count);
            if layout.elements_in_overall[e] {
                overall_points += points;
                overall_count += count;
            }
        }
        let overall = members.len();
        self.mean_scores[overall].add(overall_points, overall_count);
    }

    /// Adds every respondent of `other` (sums for the same layout).
    pub fn merge(&mut self, other: &CellSums) {
        fn add_all(a: &mut [u64], b: &[u64]) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.respondents += other.respondents;
        add_all(&mut self.codes, &other.codes);
        add_all(&mut self.satisfied_pairs, &other.satisfied_pairs);
        add_all(&mut self.satisfied_answered, &other.satisfied_answered);
        add_all(&mut self.answered_pairs, &other.answered_pairs);
        add_all(&mut self.element_answering, &other.element_answering);
        self.totals.merge(&other.totals);
        for (a, b) in self.alpha.iter_mut().zip(&other.alpha) {
            a.merge(b);
        }
        for (a, b) in self.mean_scores.iter_mut().zip(&other.mean_scores) {
            a.merge(b);
        }
        for (a, b) in self.others.iter_mut().zip(&other.others) {
            a.merge(b);
        }
    }

    /// Σ u and Σ u² over the respondents of u = Σ_{k∈items} c_k (y_k − p_k a_k).
    pub(super) fn linear_moments(
        &self,
        items: &[usize],
        scale: &[f64],
        point: &[f64],
    ) -> (f64, f64) {
        let n = self.items;
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for &k in items {
            let c_k = scale[k];
            if c_k == 0.0 {
                continue;
            }
            let answered = self.code_count_valid(k);
            let satisfied = self.satisfied_pairs[k * n + k] as f64;
            sum += c_k * (satisfied - point[k] * answered);
            for &j in items {
                let c_j = scale[j];
                if c_j == 0.0 {
                    continue;
                }
                let yy = self.satisfied_pairs[k * n + j] as f64;
                let ya = self.satisfied_answered[k * n + j] as f64;
                let ay = self.satisfied_answered[j * n + k] as f64;
                let aa = self.answered_pairs[k * n + j] as f64;
                sum_sq +=
                    c_k * c_j * (yy - point[j] * ya - point[k] * ay + point[k] * point[j] * aa);
            }
        }
        (sum, sum_sq)
    }

    fn code_count_valid(&self, k: usize) -> f64 {
        self.answered_pairs[k * self.items + k] as f64
    }
}

/// Every estimate of a cell from its strata's sums (`sums[h]` for stratum h
/// of `strata`): what [`super::estimate_cell`] gives from the same rows.
pub fn estimate_cell(
    sums: &[CellSums],
    strata: &Strata,
    layout: &Layout,
    config: &StatsConfig,
) -> CellEstimates {
    engine::estimate_cell_from_sums(sums, strata, layout, config)
}

/// The mean score in points over element e's valid answers, or (e = the
/// number of elements) over the overall index's items.
pub fn mean_score(sums: &[CellSums], e: usize, strata: &Strata, config: &StatsConfig) -> Estimate {
    let parts: Vec<RatioSums> = sums.iter().map(|s| s.mean_scores[e].clone()).collect();
    finish_mean(ratio(&parts, sums, strata), config)
}

/// The share of those who answered item `i` (not a rating) who chose its
/// option `o` (for yes/no: "yes", then "no").
pub fn option_share(
    sums: &[CellSums],
    i: usize,
    o: usize,
    strata: &Strata,
    config: &StatsConfig,
) -> Estimate {
    let parts: Vec<RatioSums> = sums
        .iter()
        .map(|s| s.others[i].options[o].clone())
        .collect();
    finish_proportion(
        ratio(&parts, sums, strata),
        ProportionKind::SingleItem,
        strata.weighted,
        config,
    )
}

/// The mean value of item `i` (a percent) over those who gave one.
pub fn value_mean(sums: &[CellSums], i: usize, strata: &Strata, config: &StatsConfig) -> Estimate {
    let parts: Vec<RatioSums> = sums.iter().map(|s| s.others[i].value.clone()).collect();
    finish_mean(ratio(&parts, sums, strata), config)
}

fn ratio(parts: &[RatioSums], sums: &[CellSums], strata: &Strata) -> Option<super::Linearized> {
    let respondents: Vec<usize> = sums.iter().map(CellSums::respondents).collect();
    engine::ratio_from_sums(parts, &respondents, strata)
}
