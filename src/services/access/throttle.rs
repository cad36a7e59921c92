//! Slowing down password guessing: per account and per client, in memory
//! only, so nothing about who tried is stored.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Slows down repeated failed logins, per account and per client. Kept in
/// memory only: nothing about who tried is stored.
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    /// At most this many accounts and clients are remembered at once.
    capacity: usize,
}

/// How many failures pass before waiting is required.
const FREE_FAILURES: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// How many accounts and clients the service remembers at once.
const MAX_ENTRIES: usize = 10_000;

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::with_capacity(MAX_ENTRIES)
    }
}

/// How long a client must wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs().max(1))
    }
}

impl LoginThrottle {
    pub fn with_capacity(capacity: usize) -> LoginThrottle {
        LoginThrottle {
            failures: Mutex::new(HashMap::new()),
            capacity: capacity.max(10),
        }
    }

    /// The failure counts. A panic elsewhere while the lock was held leaves
    /// the counts as they were, which is still the best knowledge, so a
    /// poisoned lock is taken as it is rather than failing every sign-in.
    fn entries(&self) -> MutexGuard<'_, HashMap<String, (u32, Instant)>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The wait after `failures` failures: none for the first five, then
    /// 1 s, 2 s, 4 s… up to 15 minutes.
    fn wait_after(failures: u32) -> Duration {
        if failures < FREE_FAILURES {
            return Duration::ZERO;
        }
        let exponent = (failures - FREE_FAILURES).min(20);
        Duration::from_secs(1u64 << exponent).min(MAX_WAIT)
    }

    /// Whether every key may try now.
    pub fn check(&self, keys: &[String]) -> Result<(), RetryAfter> {
        let failures = self.entries();
        let now = Instant::now();
        let longest = keys
            .iter()
            .filter_map(|k| failures.get(k))
            .map(|(count, last)| Self::wait_after(*count).saturating_sub(now - *last))
            .max()
            .unwrap_or(Duration::ZERO);
        if longest.is_zero() {
            Ok(())
        } else {
            Err(RetryAfter(longest))
        }
    }

    pub fn failed(&self, keys: &[String]) {
        let mut failures = self.entries();
        let now = Instant::now();
        // Forget entries idle for longer than the longest wait.
        failures.retain(|_, (_, last)| now - *last < MAX_WAIT * 2);
        // A flood of made-up names must not grow memory without bound: past
        // the cap, the entries that failed longest ago make room — a tenth
        // of the cap at once, so the sort is rare.
        let over = (failures.len() + keys.len()).saturating_sub(self.capacity);
        if over > 0 {
            let room_needed = over.max(self.capacity / 10);
            let mut by_age: Vec<(Instant, String)> = failures
                .iter()
                .map(|(key, (_, last))| (*last, key.clone()))
                .collect();
            by_age.sort();
            for (_, key) in by_age.into_iter().take(room_needed) {
                failures.remove(&key);
            }
        }
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert((0, now));
            entry.0 += 1;
            entry.1 = now;
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut failures = self.entries();
        for key in keys {
            failures.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_waits_longer_after_each_failure_beyond_five() {
        assert_eq!(LoginThrottle::wait_after(4), Duration::ZERO);
        assert_eq!(LoginThrottle::wait_after(5), Duration::from_secs(1));
        assert_eq!(LoginThrottle::wait_after(7), Duration::from_secs(4));
        assert_eq!(LoginThrottle::wait_after(40), MAX_WAIT);
        let throttle = LoginThrottle::default();
        let keys = vec!["user:a".to_string(), "client:1".to_string()];
        for _ in 0..5 {
            assert!(throttle.check(&keys).is_ok());
            throttle.failed(&keys);
        }
        assert!(throttle.check(&keys).is_err());
        assert!(
            throttle.check(&["user:b".to_string()]).is_ok(),
            "other accounts are not slowed"
        );
        throttle.succeeded(&keys);
        assert!(throttle.check(&keys).is_ok());
    }

    #[test]
    fn memory_is_bounded_and_a_poisoned_lock_still_counts() {
        const CAPACITY: usize = 200;
        let throttle = LoginThrottle::with_capacity(CAPACITY);
        for n in 0..(CAPACITY * 5) {
            throttle.failed(&[format!("user:guess-{n}")]);
        }
        let remembered = throttle.entries().len();
        assert!(
            (CAPACITY * 9 / 10..=CAPACITY).contains(&remembered),
            "{remembered} entries"
        );
        let keys = vec!["client:attacker".to_string()];
        for _ in 0..FREE_FAILURES {
            throttle.failed(&keys);
        }
        let poisoner = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = throttle.failures.lock().unwrap();
            panic!("a panic while holding the lock");
        }));
        assert!(poisoner.is_err());
        assert!(throttle.failures.is_poisoned());
        assert!(
            throttle.check(&keys).is_err(),
            "the failures counted before the panic still slow the client"
        );
        throttle.succeeded(&keys);
        assert!(throttle.check(&keys).is_ok());
    }
}
