//! The timing of a revocation notice: EDS law art. 18.3, "when revoking a registration
//! certificate, the certification center shall make changes to the register of registration
//! certificates within one day from the moment of receipt of the relevant information".
//!
//! Two consequences for a notice the center records at `revoked_at`:
//! * the information cannot be received after the change it causes: a `received_at` later than
//!   the revocation (with the clock as the revocation time, a `received_at` in the future) is
//!   refused ([`NoticeError::ReceivedAfterRevocation`]);
//! * a change made more than one day (24 hours, counted from "the moment of receipt") after
//!   the receipt breaks the term. The article binds the center, not the notice: it does not let
//!   the center decline a revocation it was late with, and leaving the certificate valid would
//!   keep a certificate in force that art. 18.1 says must be revoked. So a late change is
//!   **recorded and flagged** ([`LateRegisterChange`]): reported to the operator and written to
//!   the audit log, never silently.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// The term of art. 18.3: one day from the moment the information is received.
pub const REGISTER_CHANGE_TERM: Duration = Duration::DAY;

/// Why a revocation notice cannot be recorded as given (art. 18.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// The notice says it was received after the revocation that rests on it (or, with the
    /// clock as the revocation time, in the future).
    #[error(
        "the notice is received at {received_at}, after the revocation at {revoked_at}: the \
         register is changed on information already received (art. 18.3)"
    )]
    ReceivedAfterRevocation {
        /// When the notice says it was received.
        received_at: OffsetDateTime,
        /// When the register is changed.
        revoked_at: OffsetDateTime,
    },
}

/// A register change made after the term of art. 18.3: recorded, and flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LateRegisterChange {
    /// When the notice was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The end of the term: one day after the receipt.
    #[serde(with = "time::serde::rfc3339")]
    pub due_by: OffsetDateTime,
    /// When the register was changed.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
}

impl std::fmt::Display for LateRegisterChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the register is changed at {} on a notice received at {}, after the term of one \
             day ending at {} (art. 18.3)",
            self.revoked_at, self.received_at, self.due_by
        )
    }
}

/// Applies art. 18.3 to a notice received at `received_at` and recorded at `revoked_at`:
/// an error when the receipt is after the revocation, `Some` when the change is late.
pub fn check_notice_timing(
    received_at: OffsetDateTime,
    revoked_at: OffsetDateTime,
) -> Result<Option<LateRegisterChange>, NoticeError> {
    if received_at > revoked_at {
        return Err(NoticeError::ReceivedAfterRevocation {
            received_at,
            revoked_at,
        });
    }
    // Saturating: an instant at the end of the range has its term at the end of the range.
    let due_by = received_at
        .checked_add(REGISTER_CHANGE_TERM)
        .unwrap_or(received_at);
    if revoked_at > due_by {
        Ok(Some(LateRegisterChange {
            received_at,
            due_by,
            revoked_at,
        }))
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn art18_3_change_within_one_day_is_in_time() {
        let received = datetime!(2026-03-02 10:00 +05:00);
        assert_eq!(check_notice_timing(received, received), Ok(None));
        assert_eq!(
            check_notice_timing(received, datetime!(2026-03-03 10:00 +05:00)),
            Ok(None)
        );
    }

    #[test]
    fn art18_3_change_after_one_day_is_flagged_late() {
        let received = datetime!(2026-03-02 10:00 +05:00);
        let revoked = datetime!(2026-03-10 10:00 +05:00);
        assert_eq!(
            check_notice_timing(received, revoked),
            Ok(Some(LateRegisterChange {
                received_at: received,
                due_by: datetime!(2026-03-03 10:00 +05:00),
                revoked_at: revoked,
            }))
        );
        // One second past the day.
        assert!(matches!(
            check_notice_timing(received, datetime!(2026-03-03 05:00:01 UTC)),
            Ok(Some(_))
        ));
    }

    #[test]
    fn art18_3_notice_received_after_the_revocation_refused() {
        let revoked = datetime!(2026-03-02 10:00 +05:00);
        let received = datetime!(2026-03-02 10:00:01 +05:00);
        assert_eq!(
            check_notice_timing(received, revoked),
            Err(NoticeError::ReceivedAfterRevocation {
                received_at: received,
                revoked_at: revoked,
            })
        );
    }

    #[test]
    fn art18_3_never_panics_at_the_ends_of_the_range() {
        let max = time::PrimitiveDateTime::MAX.assume_utc();
        let min = time::PrimitiveDateTime::MIN.assume_utc();
        assert_eq!(check_notice_timing(max, max), Ok(None));
        assert!(matches!(check_notice_timing(min, max), Ok(Some(_))));
        assert!(check_notice_timing(max, min).is_err());
    }
}
