//! When a reminder is due, in the supporter's own calendar. Each reminder
//! belongs to a period (a day, an ISO week or a month in the supporter's
//! time zone); the period's key goes into the notification's dedup key, so a
//! scan that runs twice, or after a restart, enqueues it once, and a scan
//! that runs late in the period still enqueues it.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::db::users::RemindFrequency;

/// Digests go out from this local hour on the first day of their period.
pub const MORNING_HOUR: u32 = 8;

/// The supporter's time zone; an unknown name falls back to UTC.
pub fn time_zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The local date and time for a UTC instant.
pub fn local(now_utc: NaiveDateTime, tz: Tz) -> NaiveDateTime {
    Utc.from_utc_datetime(&now_utc)
        .with_timezone(&tz)
        .naive_local()
}

/// The first day of the period `date` falls in.
pub fn period_start(frequency: RemindFrequency, date: NaiveDate) -> NaiveDate {
    match frequency {
        RemindFrequency::Weekly => {
            date - chrono::TimeDelta::days(i64::from(date.weekday().num_days_from_monday()))
        }
        RemindFrequency::Monthly => date.with_day(1).unwrap_or(date),
        RemindFrequency::Daily | RemindFrequency::Never => date,
    }
}

/// The period's name: `2026-11-22`, `2026-W47` or `2026-11`.
pub fn period_key(frequency: RemindFrequency, date: NaiveDate) -> String {
    match frequency {
        RemindFrequency::Weekly => {
            let week = date.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        RemindFrequency::Monthly => format!("{}-{:02}", date.year(), date.month()),
        RemindFrequency::Daily | RemindFrequency::Never => date.to_string(),
    }
}

/// The period whose digest is due at `now_utc` for someone in `tz`, if any:
/// from the local morning of the period's first day to the period's end.
/// `Never` is never due.
pub fn digest_due(frequency: RemindFrequency, tz: Tz, now_utc: NaiveDateTime) -> Option<String> {
    if frequency == RemindFrequency::Never {
        return None;
    }
    let now = local(now_utc, tz);
    let start = period_start(frequency, now.date());
    let morning = start.and_time(NaiveTime::from_hms_opt(MORNING_HOUR, 0, 0)?);
    (now >= morning).then(|| period_key(frequency, now.date()))
}

/// The UTC instant of the next local morning on which a `frequency` digest
/// starts, after `now_utc`: what the scheduler tells a supporter, and what
/// the tests use to step the clock.
pub fn next_digest_at(
    frequency: RemindFrequency,
    tz: Tz,
    now_utc: NaiveDateTime,
) -> Option<DateTime<Utc>> {
    let today = local(now_utc, tz).date();
    (0..=62).find_map(|ahead| {
        let day = today + chrono::TimeDelta::days(ahead);
        if period_start(frequency, day) != day || frequency == RemindFrequency::Never {
            return None;
        }
        let morning = day.and_time(NaiveTime::from_hms_opt(MORNING_HOUR, 0, 0)?);
        let utc = tz
            .from_local_datetime(&morning)
            .earliest()?
            .with_timezone(&Utc);
        (utc.naive_utc() > now_utc).then_some(utc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn periods_are_days_iso_weeks_and_months() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(); // a Sunday
        assert_eq!(period_key(RemindFrequency::Daily, d), "2026-11-22");
        assert_eq!(period_key(RemindFrequency::Weekly, d), "2026-W47");
        assert_eq!(period_key(RemindFrequency::Monthly, d), "2026-11");
        assert_eq!(
            period_start(RemindFrequency::Weekly, d).to_string(),
            "2026-11-16"
        );
        // 1 January 2027 is a Friday in ISO week 53 of 2026.
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(period_key(RemindFrequency::Weekly, new_year), "2026-W53");
    }

    #[test]
    fn a_weekly_digest_is_due_from_monday_morning_local_time() {
        let moscow = time_zone("Europe/Moscow"); // UTC+3
                                                 // Monday 23 November, 04:59 UTC is 07:59 in Moscow: not yet.
        assert_eq!(
            digest_due(RemindFrequency::Weekly, moscow, utc("2026-11-23 04:59")),
            None
        );
        assert_eq!(
            digest_due(RemindFrequency::Weekly, moscow, utc("2026-11-23 05:00")).as_deref(),
            Some("2026-W48")
        );
        // Late in the week (the server was down on Monday) it is still due, same key.
        assert_eq!(
            digest_due(RemindFrequency::Weekly, moscow, utc("2026-11-27 15:00")).as_deref(),
            Some("2026-W48")
        );
        // In Vladivostok (UTC+10) Monday morning comes on Sunday evening UTC.
        let vladivostok = time_zone("Asia/Vladivostok");
        assert_eq!(
            digest_due(
                RemindFrequency::Weekly,
                vladivostok,
                utc("2026-11-22 22:00")
            )
            .as_deref(),
            Some("2026-W48")
        );
        // At the same instant it is still Sunday in New York: last week's key.
        let new_york = time_zone("America/New_York");
        assert_eq!(
            digest_due(RemindFrequency::Weekly, new_york, utc("2026-11-22 22:00")).as_deref(),
            Some("2026-W47")
        );
        assert_eq!(
            digest_due(RemindFrequency::Never, moscow, utc("2026-11-23 12:00")),
            None
        );
    }

    #[test]
    fn unknown_time_zones_fall_back_to_utc_and_next_mornings_are_found() {
        assert_eq!(time_zone("Mars/Olympus"), Tz::UTC);
        let next = next_digest_at(
            RemindFrequency::Weekly,
            time_zone("Europe/Moscow"),
            utc("2026-11-22 12:00"),
        )
        .unwrap();
        assert_eq!(next.naive_utc(), utc("2026-11-23 05:00"));
        let next =
            next_digest_at(RemindFrequency::Monthly, Tz::UTC, utc("2026-11-22 12:00")).unwrap();
        assert_eq!(next.naive_utc(), utc("2026-12-01 08:00"));
        assert_eq!(
            next_digest_at(RemindFrequency::Never, Tz::UTC, utc("2026-11-22 12:00")),
            None
        );
    }
}
