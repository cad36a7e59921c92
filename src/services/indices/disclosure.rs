//! Disclosure control against differencing.
//!
//! A figure over fewer than `min_cell` respondents is suppressed by the
//! estimators. That is not enough on its own: two figures that are each
//! large enough but differ by a handful of respondents — a quarter and the
//! half-year around it, the calendar and the reporting version of a month,
//! a service point and its whole department — give those few respondents'
//! answers by subtraction. So a figure over a cell C (service point or whole
//! department, grid period) is released only if, for every other cell D a
//! requester could obtain (every grid period of either mode overlapping C,
//! at C's level and at the other level), the respondents in one and not the
//! other number 0 or at least `min_cell`:
//!
//! `|C Δ D| = n(C) + n(D) − 2·n(C ∩ D) ∉ [1, min_cell)`
//!
//! Both figures of such a pair are withheld, whichever is asked first: the
//! test depends only on the counts, and it is symmetric. A D under
//! `min_cell` is suppressed anyway and cannot be subtracted, so it is not a
//! reason to withhold C. Free date ranges are not published at all (every
//! pair of adjacent ranges would have to be checked); the grid is months,
//! quarters, halves and years in calendar and reporting mode.
//!
//! The rule is applied to the cell and again to the respondents behind each
//! figure in it ([`FigureGuards`]): those who answered an item, an element,
//! the overall index's items, each question that is not a rating. Two cells
//! 5 or more apart can still be 1 to 4 apart among those who answered one
//! conditional or skipped item.
//!
//! Sums are covered where a figure splits exactly into published parts: a
//! department minus every published service point, a year, half or quarter
//! minus its published months (quarters, halves) leaves the sum of the
//! unpublished parts, which must also be 0 or at least `min_cell`.
//! Not covered: other combinations of three or more figures across modes
//! or levels at once. The project's docs say so.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::IndexError;
use crate::app::AppContext;
use crate::definitions::SurveyVersion;
use crate::domain::Period;

use super::SampleDesign;

/// Respondent counts by service point and day around a set of periods,
/// loaded once and asked about many cells.
pub struct DisclosureGuard {
    first_day: NaiveDate,
    last_day: NaiveDate,
    /// Running totals per service point: `prefix[u][d]` respondents before
    /// day `d` (counted from `first_day`).
    prefix: HashMap<String, Vec<i64>>,
    /// The same over every service point of the department.
    department: Vec<i64>,
    /// The same two for the respondents drawn at random: a figure over them
    /// alone (`design=probability`) can be obtained too.
    random_prefix: HashMap<String, Vec<i64>>,
    random_department: Vec<i64>,
    /// The design of the figures this guard is asked about.
    design: SampleDesign,
    min_cell: i64,
    /// The same rule for each figure whose respondents are not the whole
    /// cell's: only those who answered an item, an element, the overall
    /// index's items. Empty for a guard built from counts alone.
    figures: Option<Box<FigureGuards>>,
}

/// Guards over the respondents behind each figure of a survey. Two cells
/// whose respondents differ by 5 or more can still differ by 1 to 4 among
/// those who answered one item (a conditional item, a skipped one): the
/// item's figures would give those few answers by subtraction.
pub struct FigureGuards {
    /// Per rated item, in `likert_items` order: answered 1–5 or "not
    /// applicable" (the distribution shows both).
    pub items: Vec<DisclosureGuard>,
    /// Per element: a valid answer to at least one of its items.
    pub elements: Vec<DisclosureGuard>,
    /// A valid answer to at least one item of the overall index.
    pub overall: DisclosureGuard,
    /// Per item that is not a rating ([`super::other_items::questions`]).
    pub others: Vec<DisclosureGuard>,
}

/// Which respondents a figure covers: one service point or the department.
type Level<'a> = Option<&'a str>;

impl DisclosureGuard {
    /// Loads what is needed to judge cells of `survey` in any of `periods`
    /// (blocking).
    pub fn load(
        ctx: &AppContext,
        survey: &SurveyVersion,
        periods: &[Period],
        design: SampleDesign,
    ) -> Result<DisclosureGuard, IndexError> {
        let min_cell = i64::try_from(ctx.stats.min_cell).unwrap_or(i64::MAX);
        let span = periods
            .iter()
            .flat_map(|p| {
                let (from, to) = p.bounds();
                Period::grid_overlapping(from, to)
            })
            .map(|p| p.bounds())
            .chain(periods.iter().map(Period::bounds))
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
        let Some((first_day, last_day)) = span else {
            return Ok(DisclosureGuard {
                first_day: NaiveDate::MIN,
                last_day: NaiveDate::MIN,
                prefix: HashMap::new(),
                department: vec![0],
                random_prefix: HashMap::new(),
                random_department: vec![0],
                design,
                min_cell,
                figures: None,
            });
        };
        let layout = super::layout_of(survey);
        let items = layout.item_element.len();
        let elements = layout.elements_in_overall.len();
        let others = super::other_items::questions(&survey.survey).count();
        // Contributors per figure (the cell, then each figure), service
        // point and day, in dense arrays. The sums come by half-month, and
        // every period of the grid is a run of whole half-months: a
        // half-month's count put on its first day gives every such period
        // its exact count (a period that is not on the grid is never
        // released, whatever its count).
        let figures = 1 + items + elements + 1 + others;
        let days = usize::try_from((last_day - first_day).num_days() + 1).unwrap_or(0);
        let mut unit_index: HashMap<String, usize> = HashMap::new();
        let mut counts: Vec<Vec<Vec<i64>>> = vec![Vec::new(); figures];
        let mut random_counts: Vec<Vec<Vec<i64>>> = vec![Vec::new(); figures];
        for piece in super::sums::pieces(ctx, survey, first_day, last_day)? {
            let Ok(d) = usize::try_from((piece.first_day - first_day).num_days()) else {
                continue;
            };
            if d >= days {
                continue;
            }
            for (unit, design, sums) in piece.each() {
                let next = unit_index.len();
                let u = *unit_index.entry(unit.to_string()).or_insert(next);
                if u == next {
                    for figure in counts.iter_mut().chain(&mut random_counts) {
                        figure.push(vec![0; days]);
                    }
                }
                let random = design.is_random();
                let mut add = |figure: usize, n: u64| {
                    let n = i64::try_from(n).unwrap_or(i64::MAX);
                    counts[figure][u][d] += n;
                    if random {
                        random_counts[figure][u][d] += n;
                    }
                };
                add(0, sums.respondents() as u64);
                for k in 0..items {
                    add(1 + k, sums.item_answering(k));
                }
                for e in 0..elements {
                    add(1 + items + e, sums.element_answering(e));
                }
                add(1 + items + elements, sums.overall_answering());
                for (i, other) in sums.others.iter().enumerate() {
                    add(2 + items + elements + i, other.answered);
                }
            }
        }
        let units: Vec<String> = {
            let mut by_index: Vec<(usize, String)> =
                unit_index.into_iter().map(|(unit, i)| (i, unit)).collect();
            by_index.sort_unstable();
            by_index.into_iter().map(|(_, unit)| unit).collect()
        };
        let mut guards =
            counts
                .into_iter()
                .zip(random_counts)
                .map(|(per_unit, random_per_unit)| {
                    let per_day: HashMap<String, Vec<i64>> =
                        units.iter().cloned().zip(per_unit).collect();
                    let random: HashMap<String, Vec<i64>> =
                        units.iter().cloned().zip(random_per_unit).collect();
                    DisclosureGuard::from_daily(per_day, random, first_day, last_day, min_cell)
                        .for_design(design)
                });
        let mut cell = guards.next().expect("the cell's own counts");
        let items: Vec<DisclosureGuard> = guards.by_ref().take(items).collect();
        let elements: Vec<DisclosureGuard> = guards.by_ref().take(elements).collect();
        let overall = guards.next().expect("the overall index's counts");
        let others: Vec<DisclosureGuard> = guards.collect();
        cell.figures = Some(Box::new(FigureGuards {
            items,
            elements,
            overall,
            others,
        }));
        Ok(cell)
    }

    /// Whether a cell's overall index may be released: the cell and the
    /// respondents behind the overall index both clear the rule.
    pub fn overall_releasable(&self, unit: Option<&str>, period: &Period) -> bool {
        self.releasable(unit, period)
            && self
                .figures()
                .is_none_or(|f| f.overall.releasable(unit, period))
    }

    /// The design of the figures this guard judges.
    pub fn design(&self) -> SampleDesign {
        self.design
    }

    /// The guards of the figures within a cell, when loaded from responses.
    pub fn figures(&self) -> Option<&FigureGuards> {
        self.figures.as_deref()
    }

    /// A guard over respondent counts by (service point, day) between
    /// `first_day` and `last_day`.
    pub fn from_counts(
        counts: &[(String, NaiveDate, i64)],
        first_day: NaiveDate,
        last_day: NaiveDate,
        min_cell: i64,
    ) -> DisclosureGuard {
        let days = usize::try_from((last_day - first_day).num_days() + 1).unwrap_or(0);
        let mut per_day: HashMap<String, Vec<i64>> = HashMap::new();
        for (unit, day, n) in counts {
            if *day < first_day || *day > last_day {
                continue;
            }
            let d = usize::try_from((*day - first_day).num_days()).unwrap_or(0);
            per_day.entry(unit.clone()).or_insert_with(|| vec![0; days])[d] += n;
        }
        DisclosureGuard::from_daily(per_day, HashMap::new(), first_day, last_day, min_cell)
    }

    /// The same counts, asked about figures of `design`.
    fn for_design(self, design: SampleDesign) -> DisclosureGuard {
        DisclosureGuard { design, ..self }
    }

    /// A guard over daily respondent counts per service point, each vector
    /// one count per day from `first_day` to `last_day`.
    fn from_daily(
        per_day: HashMap<String, Vec<i64>>,
        random_per_day: HashMap<String, Vec<i64>>,
        first_day: NaiveDate,
        last_day: NaiveDate,
        min_cell: i64,
    ) -> DisclosureGuard {
        let days = usize::try_from((last_day - first_day).num_days() + 1).unwrap_or(0);
        let running = |counts: &[i64]| {
            let mut prefix = Vec::with_capacity(counts.len() + 1);
            prefix.push(0);
            for n in counts {
                prefix.push(prefix.last().copied().unwrap_or(0) + n);
            }
            prefix
        };
        let department = |per_day: &HashMap<String, Vec<i64>>| {
            let mut all = vec![0i64; days];
            for counts in per_day.values() {
                for (total, n) in all.iter_mut().zip(counts) {
                    *total += n;
                }
            }
            running(&all)
        };
        let prefixes = |per_day: &HashMap<String, Vec<i64>>| {
            per_day
                .iter()
                .map(|(unit, counts)| (unit.clone(), running(counts)))
                .collect()
        };
        DisclosureGuard {
            first_day,
            last_day,
            prefix: prefixes(&per_day),
            department: department(&per_day),
            random_prefix: prefixes(&random_per_day),
            random_department: department(&random_per_day),
            design: SampleDesign::All,
            min_cell,
            figures: None,
        }
    }

    /// Respondents of the guard's design at `level` from `from` to `to`
    /// inclusive.
    fn count(&self, level: Level, from: NaiveDate, to: NaiveDate) -> i64 {
        self.count_of(level, self.design, from, to)
    }

    /// Respondents of `design` at `level` from `from` to `to` inclusive.
    fn count_of(&self, level: Level, design: SampleDesign, from: NaiveDate, to: NaiveDate) -> i64 {
        Self::sum(self.running(level, design), self.days(from, to))
    }

    /// The running totals of `design` at `level` (empty: none).
    fn running(&self, level: Level, design: SampleDesign) -> &[i64] {
        let (units, department) = match design {
            SampleDesign::All => (&self.prefix, &self.department),
            SampleDesign::Random => (&self.random_prefix, &self.random_department),
        };
        match level {
            None => department,
            Some(unit) => units.get(unit).map_or(&[], Vec::as_slice),
        }
    }

    /// The first and last day of `from..=to` within the guard's days, as
    /// indices into the running totals; None when they do not meet.
    fn days(&self, from: NaiveDate, to: NaiveDate) -> Option<(usize, usize)> {
        let (from, to) = (from.max(self.first_day), to.min(self.last_day));
        if to < from {
            return None;
        }
        let index =
            |day: NaiveDate| usize::try_from((day - self.first_day).num_days()).unwrap_or(0);
        Some((index(from), index(to)))
    }

    /// The respondents of `days` from running totals.
    fn sum(running: &[i64], days: Option<(usize, usize)>) -> i64 {
        match days {
            Some((from, to)) if running.len() >= 2 => running[to + 1] - running[from],
            _ => 0,
        }
    }

    /// Whether the figures of (`unit` or the whole department, `period`)
    /// may be released: no other obtainable figure differs from them by
    /// 1 to `min_cell − 1` respondents, and the parts of it that are not
    /// published do not add up to 1 to `min_cell − 1` either.
    pub fn releasable(&self, unit: Option<&str>, period: &Period) -> bool {
        self.no_close_pair(unit, period) && self.no_small_remainder(unit, period)
    }

    /// Whether a cell is published on its own account: too small (so
    /// suppressed, with nothing to hide) or clear of every close pair.
    fn published(&self, unit: Option<&str>, period: &Period) -> bool {
        let (from, to) = period.bounds();
        let n = self.count(unit, from, to);
        n >= self.min_cell && self.no_close_pair(unit, period)
    }

    fn no_close_pair(&self, unit: Option<&str>, period: &Period) -> bool {
        if !period.is_on_grid() {
            return false;
        }
        let (from, to) = period.bounds();
        let n_c = self.count(unit, from, to);
        if n_c < self.min_cell {
            // Suppressed by the estimators already.
            return true;
        }
        let levels: Vec<Level> = match unit {
            Some(u) => vec![Some(u), None],
            None => std::iter::once(None)
                .chain(self.prefix.keys().map(|u| Some(u.as_str())))
                .collect(),
        };
        // Figures over every respondent and over those drawn at random
        // alone can both be asked for.
        const DESIGNS: [SampleDesign; 2] = [SampleDesign::All, SampleDesign::Random];
        // Each level's running totals, looked up once, by design.
        let running: Vec<[&[i64]; 2]> = levels
            .iter()
            .map(|&level| DESIGNS.map(|design| self.running(level, design)))
            .collect();
        for other in Period::grid_overlapping(from, to) {
            let (d_from, d_to) = other.bounds();
            let other_days = self.days(d_from, d_to);
            let shared_days = self.days(from.max(d_from), to.min(d_to));
            for level_running in &running {
                for (d, design) in DESIGNS.into_iter().enumerate() {
                    let n_d = Self::sum(level_running[d], other_days);
                    if n_d < self.min_cell {
                        continue;
                    }
                    // The respondents of C ∩ D: the narrower level and
                    // design, the common days.
                    let shared_design = if design == SampleDesign::Random {
                        design
                    } else {
                        self.design
                    };
                    let shared = usize::from(shared_design == SampleDesign::Random);
                    let shared_running = match unit {
                        // The cell's own level, the first of `levels`.
                        Some(_) => running[0][shared],
                        None => level_running[shared],
                    };
                    let n_shared = Self::sum(shared_running, shared_days);
                    let difference = n_c + n_d - 2 * n_shared;
                    if difference > 0 && difference < self.min_cell {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// A figure minus its published parts gives the sum of the rest: the
    /// department minus every published service point, a period minus its
    /// published months (or quarters, or halves). That rest must be 0 or at
    /// least `min_cell` respondents.
    fn no_small_remainder(&self, unit: Option<&str>, period: &Period) -> bool {
        let (from, to) = period.bounds();
        if self.count(unit, from, to) < self.min_cell {
            return true;
        }
        let small = |hidden: i64| hidden > 0 && hidden < self.min_cell;
        if unit.is_none() {
            let hidden: i64 = self
                .prefix
                .keys()
                .filter(|u| !self.published(Some(u), period))
                .map(|u| self.count(Some(u), from, to))
                .sum();
            if small(hidden) {
                return false;
            }
        }
        period.partitions().iter().all(|parts| {
            let hidden: i64 = parts
                .iter()
                .filter(|part| !self.published(unit, part))
                .map(|part| {
                    let (a, b) = part.bounds();
                    self.count(unit, a, b)
                })
                .sum();
            !small(hidden)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PeriodMode;
    use chrono::Datelike;
    use rand::{Rng, SeedableRng};

    /// The rule checked the slow way: respondents as explicit (unit, day)
    /// counts, each pair of cells compared by walking every day.
    fn naive_releasable(
        counts: &[(String, NaiveDate, i64)],
        units: &[&str],
        unit: Option<&str>,
        period: &Period,
        min_cell: i64,
    ) -> bool {
        let n = |level: Option<&str>, from: NaiveDate, to: NaiveDate| -> i64 {
            counts
                .iter()
                .filter(|(u, d, _)| level.is_none_or(|l| l == u) && *d >= from && *d <= to)
                .map(|(_, _, n)| n)
                .sum()
        };
        let on: HashMap<(&str, NaiveDate), i64> = counts
            .iter()
            .map(|(u, d, n)| ((u.as_str(), *d), *n))
            .fold(HashMap::new(), |mut map, (key, n)| {
                *map.entry(key).or_default() += n;
                map
            });
        let (from, to) = period.bounds();
        let n_c = n(unit, from, to);
        if n_c < min_cell {
            return true;
        }
        let mut levels = vec![None];
        levels.extend(units.iter().map(|u| Some(*u)));
        for other in Period::grid_overlapping(from, to) {
            let (d_from, d_to) = other.bounds();
            for &level in &levels {
                // A figure at another service point shares no respondent.
                if let (Some(a), Some(b)) = (unit, level) {
                    if a != b {
                        continue;
                    }
                }
                let n_d = n(level, d_from, d_to);
                if n_d < min_cell {
                    continue;
                }
                // Respondents in exactly one of the two, day by day.
                let mut only_one = 0;
                let mut day = from.min(d_from);
                while day <= to.max(d_to) {
                    for u in units {
                        let in_c = unit.is_none_or(|x| x == *u) && day >= from && day <= to;
                        let in_d = level.is_none_or(|x| x == *u) && day >= d_from && day <= d_to;
                        if in_c != in_d {
                            only_one += on.get(&(*u, day)).copied().unwrap_or(0);
                        }
                    }
                    day = day.succ_opt().unwrap();
                }
                if only_one > 0 && only_one < min_cell {
                    return false;
                }
            }
        }
        true
    }

    /// The remainder rule the slow way: a figure released on its own and
    /// clear of close pairs.
    fn naive_full(
        counts: &[(String, NaiveDate, i64)],
        units: &[&str],
        unit: Option<&str>,
        period: &Period,
        min_cell: i64,
    ) -> bool {
        let n = |level: Option<&str>, p: &Period| -> i64 {
            let (from, to) = p.bounds();
            counts
                .iter()
                .filter(|(u, d, _)| level.is_none_or(|l| l == u) && *d >= from && *d <= to)
                .map(|(_, _, n)| n)
                .sum()
        };
        if !naive_releasable(counts, units, unit, period, min_cell) {
            return false;
        }
        if n(unit, period) < min_cell {
            return true;
        }
        let shown = |level: Option<&str>, p: &Period| {
            n(level, p) >= min_cell && naive_releasable(counts, units, level, p, min_cell)
        };
        let small = |hidden: i64| hidden > 0 && hidden < min_cell;
        if unit.is_none() {
            let hidden: i64 = units
                .iter()
                .filter(|u| !shown(Some(u), period))
                .map(|u| n(Some(u), period))
                .sum();
            if small(hidden) {
                return false;
            }
        }
        // The finer grid cells that tile the period, written out by hand.
        let label = period.label();
        let months = |first: u32, count: u32| -> Vec<Period> {
            let year: i32 = label[..4].parse().unwrap();
            (first..first + count)
                .map(|m| Period::parse(&format!("{year}-{m:02}"), period.mode).unwrap())
                .collect()
        };
        let named = |labels: Vec<String>| -> Vec<Period> {
            labels
                .iter()
                .map(|l| Period::parse(l, period.mode).unwrap())
                .collect()
        };
        let year = &label[..4];
        let parts: Vec<Vec<Period>> = match label.len() {
            4 => vec![
                months(1, 12),
                named((1..=4).map(|q| format!("{year}-Q{q}")).collect()),
                named(vec![format!("{year}-H1"), format!("{year}-H2")]),
            ],
            7 if label.contains("-Q") => {
                let q: u32 = label[6..].parse().unwrap();
                vec![months(3 * q - 2, 3)]
            }
            7 if label.contains("-H") => {
                let h: u32 = label[6..].parse().unwrap();
                vec![
                    months(6 * h - 5, 6),
                    named(vec![
                        format!("{year}-Q{}", 2 * h - 1),
                        format!("{year}-Q{}", 2 * h),
                    ]),
                ]
            }
            _ => vec![],
        };
        parts.iter().all(|parts| {
            !small(
                parts
                    .iter()
                    .filter(|p| !shown(unit, p))
                    .map(|p| n(unit, p))
                    .sum(),
            )
        })
    }

    #[test]
    fn the_guard_agrees_with_the_rule_checked_day_by_day() {
        let units = ["a", "b", "c"];
        let first = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for round in 0..6 {
            // Sparse days with a few respondents each, some units busier.
            let mut counts = Vec::new();
            let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            while day.year() == 2026 {
                for (i, unit) in units.iter().enumerate() {
                    if rng.random_range(0..(6 + 10 * i)) == 0 {
                        counts.push((unit.to_string(), day, rng.random_range(1..4)));
                    }
                }
                day = day.succ_opt().unwrap();
            }
            let guard = DisclosureGuard::from_counts(&counts, first, last, 5);
            let mut withheld = 0;
            for label in [
                "2026-02", "2026-03", "2026-Q1", "2026-Q2", "2026-H1", "2026-Q4", "2026",
            ] {
                for mode in [PeriodMode::Calendar, PeriodMode::Reporting] {
                    let period = Period::parse(label, mode).unwrap();
                    for unit in [None, Some("a"), Some("b"), Some("c")] {
                        let expected = naive_full(&counts, &units, unit, &period, 5);
                        assert_eq!(
                            guard.releasable(unit, &period),
                            expected,
                            "round {round}, {label} {mode:?} {unit:?}"
                        );
                        withheld += usize::from(!expected);
                    }
                }
            }
            assert!(withheld > 0, "round {round} exercised no withholding");
        }
    }

    #[test]
    fn a_figure_minus_its_published_parts_leaves_no_small_rest() {
        let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let guard = |counts: &[(&str, NaiveDate, i64)]| {
            let counts: Vec<(String, NaiveDate, i64)> = counts
                .iter()
                .map(|(u, d, n)| (u.to_string(), *d, *n))
                .collect();
            DisclosureGuard::from_counts(
                &counts,
                day(1, 1) - chrono::Duration::days(400),
                day(12, 31) + chrono::Duration::days(400),
                5,
            )
        };
        let may = |g: &DisclosureGuard, unit: Option<&str>, label: &str| {
            g.releasable(unit, &Period::parse(label, PeriodMode::Calendar).unwrap())
        };
        // The department minus its two large desks is the small one.
        let desks = guard(&[
            ("a", day(5, 3), 10),
            ("b", day(5, 3), 10),
            ("c", day(5, 3), 2),
        ]);
        assert!(may(&desks, Some("a"), "2026-05") && may(&desks, Some("b"), "2026-05"));
        assert!(
            !may(&desks, None, "2026-05"),
            "22 − 10 − 10 = the 2 at desk c"
        );
        // A quarter minus two published months is the third.
        let months = guard(&[
            ("a", day(4, 3), 10),
            ("a", day(5, 3), 10),
            ("a", day(6, 3), 2),
        ]);
        assert!(may(&months, Some("a"), "2026-04") && may(&months, Some("a"), "2026-05"));
        assert!(
            !may(&months, Some("a"), "2026-Q2"),
            "22 − 10 − 10 = June's 2"
        );
        // With the small part at zero or at the threshold, nothing is hidden.
        let clean = guard(&[
            ("a", day(4, 3), 10),
            ("a", day(5, 3), 10),
            ("a", day(6, 3), 6),
        ]);
        assert!(may(&clean, Some("a"), "2026-Q2"));
    }
}
