//! The working days on which feedback is answered: weekends and public
//! holidays off, Saturdays worked in exchange for a day off on (`site.toml`).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// Saturdays, Sundays and the listed public holidays are not working days,
/// except the Saturdays worked in exchange for a day off (`makeup_days`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub makeup_days: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.makeup_days.contains(&date) {
            return true;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The day an item counts as received: its own day if a working day,
    /// else the next working day (as for a dossier received on a day off).
    pub fn received(&self, date: NaiveDate) -> NaiveDate {
        date.iter_days()
            .find(|d| self.is_working_day(*d))
            .unwrap_or(date)
    }

    /// Working days after the day `from` counts as received, up to and
    /// including `to` (0 when `to` is not after it): a comment of Friday
    /// answered on Monday took one.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        self.received(from)
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// The last day on which an item of `from` is still answered within
    /// `days` working days.
    pub fn deadline(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut date = self.received(from);
        let mut left = days;
        while left > 0 {
            date = date.succ_opt().unwrap_or(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekends_and_holidays_are_not_counted() {
        let calendar = WorkingCalendar {
            holidays: [date("2026-09-02")].into_iter().collect(),
            makeup_days: [date("2026-08-22")].into_iter().collect(),
        };
        // Saturday 2026-08-22 is worked in exchange for a day off.
        assert_eq!(
            calendar.working_days_between(date("2026-08-21"), date("2026-08-24")),
            2
        );
        // Friday 2026-08-28 to Monday 2026-08-31: one working day.
        assert_eq!(
            calendar.working_days_between(date("2026-08-28"), date("2026-08-31")),
            1
        );
        // Across the National Day (Wednesday 2 September).
        assert_eq!(
            calendar.working_days_between(date("2026-08-31"), date("2026-09-04")),
            3
        );
        assert_eq!(
            calendar.working_days_between(date("2026-09-04"), date("2026-09-01")),
            0
        );
        // 15 working days from Friday 2026-08-28: three weeks less the holiday.
        let deadline = calendar.deadline(date("2026-08-28"), 15);
        assert_eq!(deadline, date("2026-09-21"));
        assert_eq!(
            calendar.working_days_between(date("2026-08-28"), deadline),
            15
        );
    }
}
