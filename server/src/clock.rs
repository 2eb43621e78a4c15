//! The server's clock, passed in like every clock of this workspace.
//!
//! A server needs a clock that advances; tests and back-dated demos need one that says another
//! day. [`Clock::starting_at`] gives both: the system clock shifted so that it reads the given
//! instant now, and advancing from there.

use time::{Duration, OffsetDateTime};

/// The system clock, shifted by a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// The system clock as it is.
    pub const fn system() -> Self {
        Self {
            offset: Duration::ZERO,
        }
    }

    /// A clock that reads `now` at this moment and advances with the system clock.
    pub fn starting_at(now: OffsetDateTime) -> Self {
        Self {
            offset: now - OffsetDateTime::now_utc(),
        }
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.offset
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn ok_shifted_clock_reads_the_instant_and_advances() {
        let start = datetime!(2026-03-02 10:00 UTC);
        let clock = Clock::starting_at(start);
        let first = clock.now();
        assert!((first - start).abs() < Duration::seconds(1), "{first}");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() > first);
    }
}
