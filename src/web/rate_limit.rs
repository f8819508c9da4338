//! Limits on how often one client may try sign-in, sign-up and password
//! reset: fixed windows counted in memory, per key (the client's address, or
//! the address plus the account tried). In memory is enough: each server
//! process guards its own door, and a restart forgetting counts is harmless.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

/// How many attempts, per how long.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub attempts: u32,
    pub per: Duration,
}

pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    attempts: 5,
    per: Duration::from_secs(15 * 60),
};
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    attempts: 20,
    per: Duration::from_secs(15 * 60),
};
pub const SIGN_UP_PER_CLIENT: Limit = Limit {
    attempts: 5,
    per: Duration::from_secs(60 * 60),
};
pub const RESET_PER_CLIENT: Limit = Limit {
    attempts: 5,
    per: Duration::from_secs(60 * 60),
};

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts an attempt under `key`; refuses it when the window is full.
    pub fn check(&self, key: &str, limit: Limit) -> Result<(), AppError> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 100_000 {
            // Keep memory bounded under a flood of distinct keys.
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(3600));
        }
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= limit.per {
            *entry = (now, 0);
        }
        if entry.1 >= limit.attempts {
            let retry = limit.per.saturating_sub(now.duration_since(entry.0));
            return Err(AppError::TooManyRequests {
                retry_after_secs: retry.as_secs().max(1),
            });
        }
        entry.1 += 1;
        Ok(())
    }

    /// Forgets the attempts under `key` (after a successful sign-in).
    pub fn reset(&self, key: &str) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        windows.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_past_the_limit_is_refused_with_a_retry_time() {
        let limiter = RateLimiter::default();
        let limit = Limit {
            attempts: 3,
            per: Duration::from_secs(60),
        };
        for _ in 0..3 {
            limiter.check("k", limit).unwrap();
        }
        match limiter.check("k", limit) {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        limiter.check("other", limit).unwrap();
        limiter.reset("k");
        limiter.check("k", limit).unwrap();
    }

    #[test]
    fn a_new_window_starts_after_the_period() {
        let limiter = RateLimiter::default();
        let limit = Limit {
            attempts: 1,
            per: Duration::from_millis(20),
        };
        limiter.check("k", limit).unwrap();
        assert!(limiter.check("k", limit).is_err());
        std::thread::sleep(Duration::from_millis(30));
        limiter.check("k", limit).unwrap();
    }
}
