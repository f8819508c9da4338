//! The letter queue after approval: a worker takes due outbox rows
//! (`db::deliveries`), hands each to its channel outside any transaction, and
//! records the outcome. One file per channel.
//!
//! Delivery is at least once: a worker that dies between sending and recording
//! leaves its claim to expire, and the row is sent again with the same
//! idempotency key, which the receiving gateway uses to drop the repeat.

pub mod email;
pub mod gateway;
pub mod manual;
pub mod sender;
pub mod worker;

use std::time::Duration;

use chrono::TimeDelta;
use rand::Rng;

/// What a channel reports for a letter it accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    pub receipt: Option<String>,
    pub pages: Option<i32>,
    pub cost_minor: Option<i64>,
}

/// Why a channel did not accept a letter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Worth trying again later (timeouts, 5xx, connection refused).
    #[error("temporary: {0}")]
    Temporary(String),
    /// Trying again cannot help (the service refused the letter).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// How retries are spaced and when to stop.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    /// 1 min, 2, 4, … up to 6 hours; dead after 8 attempts (about 10 hours).
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(60),
            max: Duration::from_secs(6 * 3600),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`, doubling each time, with ±25%
    /// jitter so that rows failing together do not retry together; `None` when
    /// `attempts` has reached the limit.
    pub fn next_delay(&self, attempts: i32, rng: &mut impl Rng) -> Option<TimeDelta> {
        if attempts >= self.max_attempts {
            return None;
        }
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let raw = self
            .base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max);
        let jitter = rng.gen_range(0.75..=1.25);
        let delay = raw.mul_f64(jitter);
        TimeDelta::from_std(delay).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_jitter_and_stop_at_the_limit() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(100),
            max_attempts: 5,
        };
        let mut rng = rand::thread_rng();
        for (attempts, expected) in [(1, 10.0), (2, 20.0), (3, 40.0), (4, 80.0)] {
            let d = policy
                .next_delay(attempts, &mut rng)
                .unwrap()
                .as_seconds_f64();
            assert!(
                d >= expected * 0.75 - 0.01 && d <= expected * 1.25 + 0.01,
                "attempt {attempts}: {d}"
            );
        }
        assert_eq!(policy.next_delay(5, &mut rng), None);
        let capped = RetryPolicy {
            max_attempts: 50,
            ..policy
        };
        let d = capped.next_delay(40, &mut rng).unwrap().as_seconds_f64();
        assert!(d <= 125.0, "capped at max plus jitter: {d}");
    }
}
