//! Slowing down password guessing: per account and per client, in memory
//! only, so nothing about who tried is stored.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Slows down repeated failed logins, per account and per client. Kept in
/// memory only: nothing about who tried is stored.
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    /// At most this many accounts and clients are remembered at once.
    capacity: usize,
    /// Password checks under way at once. Each Argon2id verification takes
    /// 19 MiB and a core for a while, so a burst of sign-ins waits for none:
    /// past these permits it is refused at once.
    verifications: Semaphore,
}

/// How many failures pass before waiting is required.
const FREE_FAILURES: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// How many accounts and clients the service remembers at once.
const MAX_ENTRIES: usize = 10_000;

/// Password checks that may run at once by default: one per core of a
/// small machine.
pub const DEFAULT_VERIFICATIONS: usize = 2;

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(MAX_ENTRIES, DEFAULT_VERIFICATIONS)
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
    /// Remembers at most `capacity` accounts and clients and lets
    /// `verifications` password checks run at once.
    pub fn new(capacity: usize, verifications: usize) -> LoginThrottle {
        LoginThrottle {
            failures: Mutex::new(HashMap::new()),
            capacity: capacity.max(10),
            verifications: Semaphore::new(verifications.max(1)),
        }
    }

    /// A permit to check a password now, or `None` when the permitted
    /// number of checks is already running.
    pub fn verification(&self) -> Option<SemaphorePermit<'_>> {
        self.verifications.try_acquire().ok()
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

    /// Admits a sign-in attempt for `keys` and counts it as a failure
    /// before the password is checked, under one lock: parallel attempts
    /// cannot all pass while none has been counted yet. A success is
    /// forgiven with [`LoginThrottle::succeeded`].
    pub fn attempt(&self, keys: &[String]) -> Result<(), RetryAfter> {
        let mut failures = self.entries();
        Self::wait_for(&failures, keys)?;
        self.record_failure(&mut failures, keys);
        Ok(())
    }

    fn wait_for(
        failures: &HashMap<String, (u32, Instant)>,
        keys: &[String],
    ) -> Result<(), RetryAfter> {
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

    fn record_failure(&self, failures: &mut HashMap<String, (u32, Instant)>, keys: &[String]) {
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
            assert!(throttle.attempt(&keys).is_ok());
        }
        assert!(throttle.attempt(&keys).is_err());
        assert!(
            throttle.attempt(&["user:b".to_string()]).is_ok(),
            "other accounts are not slowed"
        );
        throttle.succeeded(&keys);
        assert!(throttle.attempt(&keys).is_ok());
    }

    #[test]
    fn memory_is_bounded_and_a_poisoned_lock_still_counts() {
        const CAPACITY: usize = 200;
        let throttle = LoginThrottle::new(CAPACITY, 1);
        for n in 0..(CAPACITY * 5) {
            assert!(throttle.attempt(&[format!("user:guess-{n}")]).is_ok());
        }
        let remembered = throttle.entries().len();
        assert!(
            (CAPACITY * 9 / 10..=CAPACITY).contains(&remembered),
            "{remembered} entries"
        );
        // A panic elsewhere while the lock was held poisons it; sign-ins go
        // on being counted and slowed all the same. (The failures are
        // counted after the panic, whose report can take a while to print:
        // the one-second wait must not run out before the check.)
        let poisoner = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = throttle.failures.lock().unwrap();
            panic!("a panic while holding the lock");
        }));
        assert!(poisoner.is_err());
        assert!(throttle.failures.is_poisoned());
        let keys = vec!["client:attacker".to_string()];
        for _ in 0..FREE_FAILURES {
            assert!(throttle.attempt(&keys).is_ok());
        }
        assert!(
            throttle.attempt(&keys).is_err(),
            "failures counted on a poisoned lock still slow the client"
        );
        throttle.succeeded(&keys);
        assert!(throttle.attempt(&keys).is_ok());
    }

    #[test]
    fn parallel_attempts_are_counted_before_any_password_is_checked() {
        let throttle = LoginThrottle::default();
        let keys = vec!["user:a".to_string(), "client:1".to_string()];
        let admitted = (0..40).filter(|_| throttle.attempt(&keys).is_ok()).count();
        assert_eq!(admitted, FREE_FAILURES as usize);
        throttle.succeeded(&keys);
        assert!(throttle.attempt(&keys).is_ok(), "a success forgives");
    }

    #[test]
    fn only_the_permitted_number_of_checks_run_at_once() {
        let throttle = LoginThrottle::new(100, 2);
        let first = throttle.verification();
        let second = throttle.verification();
        assert!(first.is_some() && second.is_some());
        assert!(throttle.verification().is_none());
        drop(first);
        assert!(throttle.verification().is_some());
    }
}
