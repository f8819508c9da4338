//! "Write to someone who needs it": a random pick that leans towards the
//! people who have waited longest for a letter, so that volunteers who click
//! at the same time spread out instead of all writing to the same person.

use chrono::NaiveDateTime;
use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

/// Waiting longer than this counts the same as never having had a letter.
pub const MAX_WAIT_DAYS: i64 = 365;

/// Someone who may be picked: how long since their last letter was sent,
/// and how many letters to them are already on their way (drafts, letters in
/// review or in the outbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub last_letter_sent_at: Option<NaiveDateTime>,
    pub letters_on_the_way: i64,
}

/// A candidate's weight: the square of the days they have waited (plus one,
/// capped at a year, never written to counting as a year), divided by one
/// plus the letters already on their way. Someone who waited 60 days is four
/// times as likely as someone who waited 30, and a letter already being
/// written halves one's chance.
pub fn weight(candidate: &Candidate, now: NaiveDateTime) -> f64 {
    let waited = candidate.last_letter_sent_at.map_or(MAX_WAIT_DAYS, |at| {
        (now - at).num_days().clamp(0, MAX_WAIT_DAYS)
    });
    // Both numbers are small (at most 366 and the count of open letters),
    // so the conversions are exact.
    let days = (waited + 1) as f64;
    days * days / (1 + candidate.letters_on_the_way.max(0)) as f64
}

/// Picks one candidate at random in proportion to its weight; `None` when
/// there is nobody to pick.
pub fn pick(candidates: &[Candidate], now: NaiveDateTime, rng: &mut impl Rng) -> Option<i64> {
    let weights = candidates.iter().map(|c| weight(c, now));
    let index = WeightedIndex::new(weights).ok()?;
    candidates.get(index.sample(rng)).map(|c| c.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap()
    }

    fn waited(id: i64, days: Option<i64>, on_the_way: i64) -> Candidate {
        Candidate {
            id,
            last_letter_sent_at: days.map(|d| now() - TimeDelta::days(d)),
            letters_on_the_way: on_the_way,
        }
    }

    #[test]
    fn weights_grow_with_the_wait_and_shrink_with_letters_on_the_way() {
        let now = now();
        assert_eq!(weight(&waited(1, Some(0), 0), now), 1.0);
        assert_eq!(weight(&waited(1, Some(29), 0), now), 900.0);
        assert_eq!(weight(&waited(1, Some(29), 1), now), 450.0);
        assert_eq!(weight(&waited(1, None, 0), now), 366.0 * 366.0);
        assert_eq!(
            weight(&waited(1, Some(5000), 0), now),
            weight(&waited(1, None, 0), now)
        );
        // A letter sent "in the future" (clock skew) counts as today.
        assert_eq!(weight(&waited(1, Some(-3), 0), now), 1.0);
    }

    #[test]
    fn nobody_to_pick_gives_none() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(pick(&[], now(), &mut rng), None);
    }

    /// With a fixed seed, 100,000 picks land on each candidate in proportion
    /// to its weight: a chi-square test against the expected counts.
    #[test]
    fn picks_follow_the_weights() {
        let now = now();
        let candidates = [
            waited(1, None, 0),      // never written to
            waited(2, Some(179), 0), // half a year
            waited(3, Some(59), 0),  // two months
            waited(4, Some(59), 3),  // two months, three letters on the way
            waited(5, Some(6), 0),   // a week
            waited(6, Some(0), 0),   // today
        ];
        let total: f64 = candidates.iter().map(|c| weight(c, now)).sum();
        let draws = 100_000;
        let mut counts = [0u32; 6];
        let mut rng = StdRng::seed_from_u64(2026);
        for _ in 0..draws {
            let id = pick(&candidates, now, &mut rng).unwrap();
            counts[usize::try_from(id - 1).unwrap()] += 1;
        }
        let mut chi_square = 0.0;
        for (c, observed) in candidates.iter().zip(counts) {
            let expected = weight(c, now) / total * f64::from(draws);
            if expected >= 5.0 {
                chi_square += (f64::from(observed) - expected).powi(2) / expected;
            }
        }
        // 5 degrees of freedom: p = 0.001 at 20.5.
        assert!(
            chi_square < 20.5,
            "chi-square {chi_square}, counts {counts:?}"
        );
        // The order follows the wait.
        assert!(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[4]);
        assert!(counts[3] < counts[2], "letters on the way lower the chance");
        assert!(
            counts[5] < 20,
            "someone written to today is almost never picked"
        );
    }
}
