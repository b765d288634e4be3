//! The emulator's clock: wall time plus an offset that tests can advance.
//!
//! Wall time rather than `Instant`, because records travel between processes through the state file,
//! and an `Instant` means nothing outside the process that took it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub(crate) type Millis = u64;

/// Wall time, shifted by however far a test has moved it forward.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: AtomicU64,
}

impl Clock {
    /// The current time as this emulator sees it.
    pub(crate) fn now(&self) -> Millis {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, millis);
        wall.saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Moves this emulator's time forward, so expiry can be tested without waiting.
    pub(crate) fn advance(&self, by: Duration) {
        self.offset.fetch_add(millis(by), Ordering::Relaxed);
    }
}

/// A duration in whole milliseconds (saturating: a lifetime of centuries is still "long").
pub(crate) fn millis(duration: Duration) -> Millis {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Whole seconds from `now` until `then` (zero once passed): the `expires_in` a response reports.
pub(crate) fn seconds_until(now: Millis, then: Millis) -> u64 {
    then.saturating_sub(now) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(61));
        assert!(clock.now() >= before + 61_000);
    }

    #[test]
    fn seconds_until_rounds_down_and_stops_at_zero() {
        assert_eq!(seconds_until(1_000, 7_999), 6);
        assert_eq!(seconds_until(5_000, 1_000), 0);
    }
}
