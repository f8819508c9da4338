//! Dates for the dashboard: the next birthday (29 February falls on the 28th
//! in other years), and the last day to send so a letter arrives by a date.
//! E-letter lead times count working days (the services print and deliver on
//! weekdays); post counts calendar days.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};

/// How long letters take, per way of sending (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadTimes {
    /// ФСИН-Письмо and Zonatelecom, in working days.
    pub eletter_working_days: u32,
    /// Paper post inside the country, in days.
    pub post_domestic_days: u32,
    /// Paper post from abroad, in days.
    pub post_abroad_days: u32,
}

impl Default for LeadTimes {
    /// About 3 working days for e-letters, two weeks for domestic post, 45
    /// days from abroad (30–60 in practice; docs/domain.md).
    fn default() -> Self {
        LeadTimes {
            eletter_working_days: 3,
            post_domestic_days: 14,
            post_abroad_days: 45,
        }
    }
}

/// The last day to send, per channel, for a letter to arrive by `by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendBy {
    pub eletter: NaiveDate,
    pub post_domestic: NaiveDate,
    pub post_abroad: NaiveDate,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `days` working days before `date`.
pub fn working_days_before(date: NaiveDate, days: u32) -> NaiveDate {
    let mut d = date;
    let mut left = days;
    while left > 0 {
        d -= TimeDelta::days(1);
        if !is_weekend(d) {
            left -= 1;
        }
    }
    // Sending on a weekend means the service starts on Monday: send by Friday.
    while is_weekend(d) {
        d -= TimeDelta::days(1);
    }
    d
}

pub fn send_by(arrive_by: NaiveDate, lead: LeadTimes) -> SendBy {
    SendBy {
        eletter: working_days_before(arrive_by, lead.eletter_working_days),
        post_domestic: arrive_by - TimeDelta::days(i64::from(lead.post_domestic_days)),
        post_abroad: arrive_by - TimeDelta::days(i64::from(lead.post_abroad_days)),
    }
}

/// The birthday on or after `today`; `None` when month or day is unknown or
/// impossible.
/// The next birthday from a birth month and day as the database holds them;
/// `None` when either is unknown or out of range.
pub fn next_birthday_of(
    month: Option<i32>,
    day: Option<i32>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let month = u32::try_from(month?).ok()?;
    let day = u32::try_from(day?).ok()?;
    next_birthday(month, day, today)
}

pub fn next_birthday(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let in_year = |year: i32| {
        NaiveDate::from_ymd_opt(year, month, day).or_else(|| {
            // 29 February in a common year.
            (month == 2 && day == 29)
                .then(|| NaiveDate::from_ymd_opt(year, 2, 28))
                .flatten()
        })
    };
    let this_year = in_year(today.year())?;
    if this_year >= today {
        Some(this_year)
    } else {
        in_year(today.year() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn e_letters_count_working_days_and_never_end_on_a_weekend() {
        // Thursday 2026-11-26: three working days before is Monday 23rd.
        assert_eq!(working_days_before(d(2026, 11, 26), 3), d(2026, 11, 23));
        // Monday 2026-11-30: Wed, Thu, Fri before it.
        assert_eq!(working_days_before(d(2026, 11, 30), 3), d(2026, 11, 25));
        // Zero days before a Sunday: the Friday.
        assert_eq!(working_days_before(d(2026, 11, 29), 0), d(2026, 11, 27));
    }

    #[test]
    fn post_counts_calendar_days() {
        let s = send_by(d(2027, 1, 10), LeadTimes::default());
        assert_eq!(s.post_domestic, d(2026, 12, 27));
        assert_eq!(s.post_abroad, d(2026, 11, 26));
        assert_eq!(
            s.eletter,
            d(2027, 1, 6),
            "Sunday the 10th: Fri, Thu, Wed before it"
        );
    }

    #[test]
    fn birthdays_roll_over_and_leap_days_fall_on_the_28th() {
        let today = d(2026, 11, 22);
        assert_eq!(
            next_birthday(11, 22, today),
            Some(d(2026, 11, 22)),
            "today counts"
        );
        assert_eq!(next_birthday(1, 5, today), Some(d(2027, 1, 5)));
        assert_eq!(next_birthday(2, 29, today), Some(d(2027, 2, 28)));
        assert_eq!(next_birthday(2, 29, d(2027, 12, 1)), Some(d(2028, 2, 29)));
        assert_eq!(next_birthday(2, 30, today), None);
        assert_eq!(next_birthday(13, 1, today), None);
    }
}
