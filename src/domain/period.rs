//! Reporting periods: `2026`, `2026-H1`, `2026-M9` (the first nine months),
//! `2026-Q3`, `2026-09`, `2026-07-01..2026-09-30`, each in calendar mode or in
//! the reporting mode of the state reporting regime, where a period ends on
//! the 14th of its last month and starts on the 15th of the month before its
//! first (Q1 = 15 Dec – 14 Mar, six months = 15 Dec – 14 Jun, nine months =
//! 15 Dec – 14 Sep, year = 15 Dec – 14 Dec). The cut-offs follow Decree
//! 09/2019/NĐ-CP Art. 12 as a province relays it (Khánh Hòa, Decision
//! 01/2023/QĐ-UBND Art. 4, in shared/instruments.md §4; the decree's own
//! wording was not found, and whether the nine-month report is national or
//! provincial is unverified).

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PeriodMode {
    #[default]
    Calendar,
    Reporting,
}

impl PeriodMode {
    pub fn parse(text: &str) -> Option<PeriodMode> {
        match text {
            "calendar" => Some(PeriodMode::Calendar),
            "reporting" => Some(PeriodMode::Reporting),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodMode::Calendar => "calendar",
            PeriodMode::Reporting => "reporting",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Year(i32),
    Half(i32, u32),
    /// January to September: the nine-month report.
    NineMonths(i32),
    Quarter(i32, u32),
    Month(i32, u32),
    /// Explicit inclusive dates; the same in both modes.
    Range(NaiveDate, NaiveDate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub mode: PeriodMode,
}

const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

fn parse_year(text: &str) -> Option<i32> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse()
        .ok()
        .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
}

impl PeriodKind {
    /// Parses a label; the error says what labels look like.
    pub fn parse(label: &str) -> Result<PeriodKind, String> {
        let label = label.trim();
        let invalid = || {
            format!(
                "\"{label}\" is not a period: use 2026, 2026-H1, 2026-M9, 2026-Q3, 2026-09 or 2026-07-01..2026-09-30 (years {FIRST_YEAR}–{LAST_YEAR})"
            )
        };
        if let Some((from, to)) = label.split_once("..") {
            let date = |t: &str| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .ok()
                    .filter(|d| (FIRST_YEAR..=LAST_YEAR).contains(&d.year()))
            };
            let (Some(from), Some(to)) = (date(from), date(to)) else {
                return Err(invalid());
            };
            if from > to {
                return Err(format!("\"{label}\": the range ends before it starts"));
            }
            return Ok(PeriodKind::Range(from, to));
        }
        let (year, rest) = match label.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (label, None),
        };
        let year = parse_year(year).ok_or_else(invalid)?;
        let number = |t: &str, max: u32| {
            (!t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u32>().ok())
                .flatten()
                .filter(|n| (1..=max).contains(n))
        };
        match rest {
            None => Ok(PeriodKind::Year(year)),
            Some(rest) => {
                if rest.eq_ignore_ascii_case("M9") {
                    Ok(PeriodKind::NineMonths(year))
                } else if let Some(h) = rest.strip_prefix('H').or_else(|| rest.strip_prefix('h')) {
                    number(h, 2)
                        .map(|h| PeriodKind::Half(year, h))
                        .ok_or_else(invalid)
                } else if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                    number(q, 4)
                        .map(|q| PeriodKind::Quarter(year, q))
                        .ok_or_else(invalid)
                } else if rest.len() == 2 {
                    number(rest, 12)
                        .map(|m| PeriodKind::Month(year, m))
                        .ok_or_else(invalid)
                } else {
                    Err(invalid())
                }
            }
        }
    }

    /// First month and number of months, for the kinds made of months.
    fn months(self) -> Option<(i32, u32, u32)> {
        match self {
            PeriodKind::Year(y) => Some((y, 1, 12)),
            PeriodKind::Half(y, h) => Some((y, 6 * (h - 1) + 1, 6)),
            PeriodKind::NineMonths(y) => Some((y, 1, 9)),
            PeriodKind::Quarter(y, q) => Some((y, 3 * (q - 1) + 1, 3)),
            PeriodKind::Month(y, m) => Some((y, m, 1)),
            PeriodKind::Range(..) => None,
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodKind::Year(y) => write!(f, "{y}"),
            PeriodKind::Half(y, h) => write!(f, "{y}-H{h}"),
            PeriodKind::NineMonths(y) => write!(f, "{y}-M9"),
            PeriodKind::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            PeriodKind::Month(y, m) => write!(f, "{y}-{m:02}"),
            PeriodKind::Range(from, to) => write!(f, "{from}..{to}"),
        }
    }
}

/// (year, month) shifted by `delta` months.
fn add_months(year: i32, month: u32, delta: i32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + delta;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid calendar date")
}

impl Period {
    pub fn parse(label: &str, mode: PeriodMode) -> Result<Period, String> {
        PeriodKind::parse(label).map(|kind| Period { kind, mode })
    }

    pub fn label(&self) -> String {
        self.kind.to_string()
    }

    /// First and last day, both inclusive.
    pub fn bounds(&self) -> (NaiveDate, NaiveDate) {
        let Some((year, first_month, months)) = self.kind.months() else {
            let PeriodKind::Range(from, to) = self.kind else {
                unreachable!()
            };
            return (from, to);
        };
        let (last_year, last_month) = add_months(year, first_month, months as i32 - 1);
        match self.mode {
            PeriodMode::Calendar => {
                let (next_year, next_month) = add_months(last_year, last_month, 1);
                (
                    date(year, first_month, 1),
                    date(next_year, next_month, 1) - Duration::days(1),
                )
            }
            PeriodMode::Reporting => {
                let (start_year, start_month) = add_months(year, first_month, -1);
                (
                    date(start_year, start_month, 15),
                    date(last_year, last_month, 14),
                )
            }
        }
    }

    /// The period of the same kind just before this one (a range: the same
    /// number of days ending the day before it starts).
    pub fn previous(&self) -> Period {
        let kind = match self.kind {
            PeriodKind::Year(y) => PeriodKind::Year(y - 1),
            PeriodKind::Half(y, 1) => PeriodKind::Half(y - 1, 2),
            // Nine months follow no nine months within a year.
            PeriodKind::NineMonths(y) => PeriodKind::NineMonths(y - 1),
            PeriodKind::Half(y, h) => PeriodKind::Half(y, h - 1),
            PeriodKind::Quarter(y, 1) => PeriodKind::Quarter(y - 1, 4),
            PeriodKind::Quarter(y, q) => PeriodKind::Quarter(y, q - 1),
            PeriodKind::Month(y, m) => {
                let (y, m) = add_months(y, m, -1);
                PeriodKind::Month(y, m)
            }
            PeriodKind::Range(from, to) => {
                let days = (to - from).num_days();
                let end = from - Duration::days(1);
                PeriodKind::Range(end - Duration::days(days), end)
            }
        };
        Period {
            kind,
            mode: self.mode,
        }
    }

    /// The period a dashboard opens on: the last complete quarter (the one in
    /// progress has only part of its responses).
    pub fn default_on(today: NaiveDate, mode: PeriodMode) -> Period {
        Period::quarter_of(today, mode).previous()
    }

    /// Periods a report is usually written for, newest first, each with
    /// whether it is still in progress on `today`: the current and the four
    /// previous quarters, the halves, the nine months and the years around
    /// `today`, in `mode`.
    pub fn recent(today: NaiveDate, mode: PeriodMode) -> Vec<(Period, bool)> {
        let quarter = Period::quarter_of(today, mode);
        let PeriodKind::Quarter(year, _) = quarter.kind else {
            return Vec::new();
        };
        let mut periods: Vec<Period> = std::iter::successors(Some(quarter), |q| Some(q.previous()))
            .take(5)
            .collect();
        for kind in [
            PeriodKind::Year(year),
            PeriodKind::NineMonths(year),
            PeriodKind::Half(year, 2),
            PeriodKind::Half(year, 1),
            PeriodKind::Year(year - 1),
            PeriodKind::NineMonths(year - 1),
            PeriodKind::Half(year - 1, 2),
        ] {
            periods.push(Period { kind, mode });
        }
        // Nothing that has not begun; newest end first.
        periods.retain(|p| p.bounds().0 <= today);
        periods.sort_by_key(|p| std::cmp::Reverse(p.bounds().1));
        periods
            .into_iter()
            .map(|p| {
                let in_progress = p.bounds().1 >= today;
                (p, in_progress)
            })
            .collect()
    }

    /// The quarter containing `date`.
    pub fn quarter_of(date: NaiveDate, mode: PeriodMode) -> Period {
        let (mut year, mut quarter) = (date.year(), (date.month() - 1) / 3 + 1);
        // In reporting mode a quarter starts on the 15th of the month before.
        if mode == PeriodMode::Reporting && date.day() >= 15 && date.month().is_multiple_of(3) {
            quarter += 1;
            if quarter == 5 {
                quarter = 1;
                year += 1;
            }
        }
        Period {
            kind: PeriodKind::Quarter(year, quarter),
            mode,
        }
    }

    /// The same period of the previous year ("cùng kỳ năm trước"), in the
    /// same mode; a date range moves back a year (29 February to the 28th).
    pub fn same_period_last_year(&self) -> Period {
        let back = |d: NaiveDate| {
            d.with_year(d.year() - 1)
                .unwrap_or_else(|| date(d.year() - 1, d.month(), 28))
        };
        let kind = match self.kind {
            PeriodKind::Year(y) => PeriodKind::Year(y - 1),
            PeriodKind::Half(y, h) => PeriodKind::Half(y - 1, h),
            PeriodKind::NineMonths(y) => PeriodKind::NineMonths(y - 1),
            PeriodKind::Quarter(y, q) => PeriodKind::Quarter(y - 1, q),
            PeriodKind::Month(y, m) => PeriodKind::Month(y - 1, m),
            PeriodKind::Range(from, to) => PeriodKind::Range(back(from), back(to)),
        };
        Period {
            kind,
            mode: self.mode,
        }
    }

    /// The period as offices write it: "quý III năm 2026", "6 tháng đầu năm
    /// 2026", "9 tháng năm 2026", "năm 2026" (English: "Q3 2026", "first
    /// half of 2026"…). The mode is not in the name; see [`Period::bounds`].
    pub fn name(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang;
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        const MONTHS_EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match (self.kind, lang) {
            (PeriodKind::Year(y), Lang::Vi) => format!("năm {y}"),
            (PeriodKind::Year(y), Lang::En) => format!("{y}"),
            (PeriodKind::Half(y, 1), Lang::Vi) => format!("6 tháng đầu năm {y}"),
            (PeriodKind::Half(y, _), Lang::Vi) => format!("6 tháng cuối năm {y}"),
            (PeriodKind::Half(y, 1), Lang::En) => format!("first half of {y}"),
            (PeriodKind::Half(y, _), Lang::En) => format!("second half of {y}"),
            (PeriodKind::NineMonths(y), Lang::Vi) => format!("9 tháng năm {y}"),
            (PeriodKind::NineMonths(y), Lang::En) => format!("first nine months of {y}"),
            (PeriodKind::Quarter(y, q), Lang::Vi) => {
                format!("quý {} năm {y}", ROMAN[q as usize - 1])
            }
            (PeriodKind::Quarter(y, q), Lang::En) => format!("Q{q} {y}"),
            (PeriodKind::Month(y, m), Lang::Vi) => format!("tháng {m} năm {y}"),
            (PeriodKind::Month(y, m), Lang::En) => format!("{} {y}", MONTHS_EN[m as usize - 1]),
            (PeriodKind::Range(from, to), Lang::Vi) => format!(
                "từ ngày {} đến ngày {}",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            ),
            (PeriodKind::Range(from, to), Lang::En) => format!("{from} to {to}"),
        }
    }

    /// A period label that names a published period: a month, quarter,
    /// half or year. Free date ranges are not published, since two ranges a
    /// day apart could be differenced down to one respondent.
    pub fn parse_published(label: &str, mode: PeriodMode) -> Result<Period, String> {
        let period = Period::parse(label, mode)?;
        if !period.is_on_grid() {
            return Err(
                "figures are published for a month, quarter, half, nine months or year (e.g. 2026-09, 2026-Q3, 2026-H1, 2026-M9, 2026), not for a date range"
                    .into(),
            );
        }
        Ok(period)
    }

    /// Whether the period is on the published grid — a month, quarter, half
    /// or year in either mode — rather than a free date range.
    pub fn is_on_grid(&self) -> bool {
        !matches!(self.kind, PeriodKind::Range(..))
    }

    /// The ways this period splits exactly into finer grid periods of the
    /// same mode: a year into months, quarters and halves; a half into
    /// months and quarters; a quarter into months.
    pub fn partitions(&self) -> Vec<Vec<Period>> {
        let of = |kinds: Vec<PeriodKind>| {
            kinds
                .into_iter()
                .map(|kind| Period {
                    kind,
                    mode: self.mode,
                })
                .collect::<Vec<_>>()
        };
        let months = |y: i32, first: u32, count: u32| {
            of((first..first + count)
                .map(|m| PeriodKind::Month(y, m))
                .collect())
        };
        let quarters = |y: i32, first: u32, count: u32| {
            of((first..first + count)
                .map(|q| PeriodKind::Quarter(y, q))
                .collect())
        };
        match self.kind {
            PeriodKind::Year(y) => vec![
                months(y, 1, 12),
                quarters(y, 1, 4),
                of(vec![PeriodKind::Half(y, 1), PeriodKind::Half(y, 2)]),
                of(vec![PeriodKind::NineMonths(y), PeriodKind::Quarter(y, 4)]),
            ],
            PeriodKind::Half(y, h) => vec![months(y, 6 * h - 5, 6), quarters(y, 2 * h - 1, 2)],
            PeriodKind::NineMonths(y) => vec![
                months(y, 1, 9),
                quarters(y, 1, 3),
                of(vec![PeriodKind::Half(y, 1), PeriodKind::Quarter(y, 3)]),
            ],
            PeriodKind::Quarter(y, q) => vec![months(y, 3 * q - 2, 3)],
            PeriodKind::Month(..) | PeriodKind::Range(..) => Vec::new(),
        }
    }

    /// Every grid period, in both modes, with a day between `from` and `to`:
    /// every figure a requester could ask for beside one of those days.
    pub fn grid_overlapping(from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut periods = Vec::new();
        for year in from.year() - 1..=to.year() + 1 {
            let kinds = std::iter::once(PeriodKind::Year(year))
                .chain(std::iter::once(PeriodKind::NineMonths(year)))
                .chain((1..=2).map(|h| PeriodKind::Half(year, h)))
                .chain((1..=4).map(|q| PeriodKind::Quarter(year, q)))
                .chain((1..=12).map(|m| PeriodKind::Month(year, m)));
            for kind in kinds {
                for mode in [PeriodMode::Calendar, PeriodMode::Reporting] {
                    let period = Period { kind, mode };
                    let (start, end) = period.bounds();
                    if start <= to && end >= from {
                        periods.push(period);
                    }
                }
            }
        }
        periods
    }

    /// The period as the API reports it.
    pub fn described(&self) -> PeriodDescription {
        let (from, to) = self.bounds();
        PeriodDescription {
            label: self.label(),
            name_vi: self.name(crate::i18n::Lang::Vi),
            name_en: self.name(crate::i18n::Lang::En),
            mode: self.mode.as_str(),
            from,
            to,
        }
    }
}

/// A period with its first and last day, as the API reports it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PeriodDescription {
    /// The period's label: `2026-Q3`, `2026-H1`, `2026-03`, `2026`.
    pub label: String,
    /// As offices write it: "quý III năm 2026", "9 tháng năm 2026".
    pub name_vi: String,
    /// "Q3 2026", "first nine months of 2026".
    pub name_en: String,
    /// `calendar` or `reporting` (Decree 09/2019 reporting periods).
    #[schema(value_type = String, example = "calendar")]
    pub mode: &'static str,
    /// First day (inclusive), `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub from: chrono::NaiveDate,
    /// Last day (inclusive), `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub to: chrono::NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_around_a_quarter_holds_both_modes_and_every_size() {
        let quarter = Period::parse("2026-Q1", PeriodMode::Calendar).unwrap();
        let (from, to) = quarter.bounds();
        let grid = Period::grid_overlapping(from, to);
        let has =
            |label: &str, mode: PeriodMode| grid.contains(&Period::parse(label, mode).unwrap());
        assert!(has("2026-Q1", PeriodMode::Calendar));
        assert!(has("2026-H1", PeriodMode::Calendar));
        assert!(has("2026", PeriodMode::Calendar));
        assert!(has("2026-03", PeriodMode::Calendar));
        // Reporting Q2 begins on 15 March, inside calendar Q1.
        assert!(has("2026-Q2", PeriodMode::Reporting));
        assert!(has("2026-04", PeriodMode::Reporting));
        // Reporting 2026 begins on 15 December 2025.
        assert!(has("2026", PeriodMode::Reporting));
        assert!(!has("2026-Q2", PeriodMode::Calendar));
        assert!(!has("2025", PeriodMode::Calendar));
        assert!(!has("2026-05", PeriodMode::Reporting));
    }

    fn bounds(label: &str, mode: PeriodMode) -> (String, String) {
        let (from, to) = Period::parse(label, mode).unwrap().bounds();
        (from.to_string(), to.to_string())
    }

    fn pair(from: &str, to: &str) -> (String, String) {
        (from.to_string(), to.to_string())
    }

    #[test]
    fn nine_months_in_both_modes() {
        use PeriodMode::{Calendar as C, Reporting as R};
        assert_eq!(bounds("2026-M9", C), pair("2026-01-01", "2026-09-30"));
        // Decree 09/2019 as relayed: 15 December of the year before to 14 September.
        assert_eq!(bounds("2026-M9", R), pair("2025-12-15", "2026-09-14"));
        let nine = Period::parse("2026-m9", C).unwrap();
        assert_eq!(nine.label(), "2026-M9");
        assert!(nine.is_on_grid());
        assert_eq!(nine.previous().label(), "2025-M9");
        // Its exact splits include the first half and the third quarter,
        // and the year splits into it and the fourth quarter.
        let splits: Vec<Vec<String>> = nine
            .partitions()
            .iter()
            .map(|parts| parts.iter().map(Period::label).collect())
            .collect();
        assert!(splits.contains(&vec!["2026-H1".to_string(), "2026-Q3".to_string()]));
        let year = Period::parse("2026", C).unwrap();
        assert!(year.partitions().iter().any(|parts| parts
            .iter()
            .map(Period::label)
            .collect::<Vec<_>>()
            == ["2026-M9", "2026-Q4"]));
        assert!(Period::grid_overlapping(date(2026, 5, 1), date(2026, 5, 1)).contains(&nine));
    }

    #[test]
    fn names_as_offices_write_them() {
        use crate::i18n::Lang::{En, Vi};
        let name = |label: &str, lang| {
            Period::parse(label, PeriodMode::Reporting)
                .unwrap()
                .name(lang)
        };
        assert_eq!(name("2026-Q3", Vi), "quý III năm 2026");
        assert_eq!(name("2026-Q4", Vi), "quý IV năm 2026");
        assert_eq!(name("2026-H1", Vi), "6 tháng đầu năm 2026");
        assert_eq!(name("2026-H2", Vi), "6 tháng cuối năm 2026");
        assert_eq!(name("2026-M9", Vi), "9 tháng năm 2026");
        assert_eq!(name("2026", Vi), "năm 2026");
        assert_eq!(name("2026-03", Vi), "tháng 3 năm 2026");
        assert_eq!(
            name("2026-07-01..2026-09-30", Vi),
            "từ ngày 01/07/2026 đến ngày 30/09/2026"
        );
        assert_eq!(name("2026-Q3", En), "Q3 2026");
        assert_eq!(name("2026-M9", En), "first nine months of 2026");
    }

    #[test]
    fn the_same_period_last_year() {
        let back = |label: &str| {
            Period::parse(label, PeriodMode::Reporting)
                .unwrap()
                .same_period_last_year()
        };
        assert_eq!(back("2026-Q3").label(), "2025-Q3");
        assert_eq!(back("2026-H1").label(), "2025-H1");
        assert_eq!(back("2026-M9").label(), "2025-M9");
        assert_eq!(back("2026-03").label(), "2025-03");
        assert_eq!(back("2026").label(), "2025");
        assert_eq!(back("2026-Q3").mode, PeriodMode::Reporting);
        assert_eq!(
            back("2028-02-29..2028-03-31").label(),
            "2027-02-28..2027-03-31"
        );
    }

    #[test]
    fn calendar_bounds() {
        use PeriodMode::Calendar as C;
        assert_eq!(bounds("2026", C), pair("2026-01-01", "2026-12-31"));
        assert_eq!(bounds("2026-H1", C), pair("2026-01-01", "2026-06-30"));
        assert_eq!(bounds("2026-H2", C), pair("2026-07-01", "2026-12-31"));
        assert_eq!(bounds("2026-Q1", C), pair("2026-01-01", "2026-03-31"));
        assert_eq!(bounds("2026-Q3", C), pair("2026-07-01", "2026-09-30"));
        assert_eq!(bounds("2024-02", C), pair("2024-02-01", "2024-02-29"));
        assert_eq!(bounds("2026-12", C), pair("2026-12-01", "2026-12-31"));
        assert_eq!(
            bounds("2026-07-01..2026-09-30", C),
            pair("2026-07-01", "2026-09-30")
        );
    }

    #[test]
    fn reporting_bounds_follow_the_15th_cut_off() {
        use PeriodMode::Reporting as R;
        assert_eq!(bounds("2026-Q1", R), pair("2025-12-15", "2026-03-14"));
        assert_eq!(bounds("2026-Q2", R), pair("2026-03-15", "2026-06-14"));
        assert_eq!(bounds("2026-Q3", R), pair("2026-06-15", "2026-09-14"));
        assert_eq!(bounds("2026-Q4", R), pair("2026-09-15", "2026-12-14"));
        assert_eq!(bounds("2026-H1", R), pair("2025-12-15", "2026-06-14"));
        assert_eq!(bounds("2026-H2", R), pair("2026-06-15", "2026-12-14"));
        assert_eq!(bounds("2026", R), pair("2025-12-15", "2026-12-14"));
        assert_eq!(bounds("2026-01", R), pair("2025-12-15", "2026-01-14"));
        assert_eq!(
            bounds("2026-07-01..2026-09-30", R),
            pair("2026-07-01", "2026-09-30")
        );
    }

    #[test]
    fn previous_periods() {
        let previous = |label: &str| {
            Period::parse(label, PeriodMode::Calendar)
                .unwrap()
                .previous()
                .label()
        };
        assert_eq!(previous("2026-Q1"), "2025-Q4");
        assert_eq!(previous("2026-Q3"), "2026-Q2");
        assert_eq!(previous("2026-H1"), "2025-H2");
        assert_eq!(previous("2026-H2"), "2026-H1");
        assert_eq!(previous("2026"), "2025");
        assert_eq!(previous("2026-01"), "2025-12");
        assert_eq!(
            previous("2026-07-01..2026-09-30"),
            "2026-03-31..2026-06-30",
            "92 days before"
        );
    }

    #[test]
    fn invalid_labels_are_refused_with_a_hint() {
        for label in [
            "",
            "26",
            "2026-Q5",
            "2026-Q0",
            "2026-H3",
            "2026-13",
            "2026-1",
            "2026-W12",
            "1999",
            "2026-09-31..2026-10-01",
            "2026-10-01..2026-09-01",
            "2026-Q1x",
        ] {
            let err = PeriodKind::parse(label).unwrap_err();
            assert!(err.contains(label) || label.is_empty(), "{label}: {err}");
        }
        assert_eq!(
            PeriodKind::parse(" 2026-q3 ").unwrap(),
            PeriodKind::Quarter(2026, 3)
        );
    }

    #[test]
    fn quarters_of_dates_in_both_modes() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            Period::quarter_of(date(2026, 3, 14), PeriodMode::Reporting).label(),
            "2026-Q1"
        );
        assert_eq!(
            Period::quarter_of(date(2026, 3, 15), PeriodMode::Reporting).label(),
            "2026-Q2"
        );
        assert_eq!(
            Period::quarter_of(date(2026, 12, 20), PeriodMode::Reporting).label(),
            "2027-Q1"
        );
        assert_eq!(
            Period::quarter_of(date(2026, 3, 15), PeriodMode::Calendar).label(),
            "2026-Q1"
        );
        assert_eq!(
            Period::quarter_of(date(2026, 11, 26), PeriodMode::Calendar).label(),
            "2026-Q4"
        );
    }

    #[test]
    fn dashboards_open_on_the_last_complete_quarter_and_offer_recent_periods() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            Period::default_on(today, PeriodMode::Calendar).label(),
            "2026-Q3"
        );
        // Reporting Q4 runs 15 September – 14 December: Q3 is the last complete.
        assert_eq!(
            Period::default_on(today, PeriodMode::Reporting).label(),
            "2026-Q3"
        );
        let recent: Vec<(String, bool)> = Period::recent(today, PeriodMode::Calendar)
            .into_iter()
            .map(|(p, running)| (p.label(), running))
            .collect();
        for (label, running) in [
            ("2026-Q4", true),
            ("2026", true),
            ("2026-H2", true),
            ("2026-Q3", false),
            ("2026-M9", false),
            ("2026-H1", false),
            ("2025", false),
            ("2025-Q4", false),
        ] {
            assert!(
                recent.contains(&(label.to_string(), running)),
                "{label} in {recent:?}"
            );
        }
        // Newest end first; nothing that has not begun.
        assert_eq!(recent[0].0, "2026-Q4");
        assert!(recent.iter().all(|(label, _)| label != "2027"));
    }
}
