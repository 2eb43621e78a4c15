//! Accreditation of certification centers: EDS law art. 20-2.
//!
//! * 20-2.1: accreditation is a prerequisite for a certification center to work in Kazakhstan,
//!   **except the root certification center** of the Republic of Kazakhstan (and, 20-2.3, the
//!   special root center); so a root needs no period and is never "outside" one.
//! * 20-2.2: accreditation is given "for a period of three years, unless a shorter period is
//!   specified in the application": a period longer than three years is not an accreditation the
//!   law gives.
//!
//! Three years run from the first instant of the period to the same date and time three
//! calendar years later (a period starting on 29 February ends on 1 March, as in
//! [`crate::age`], so the term is never cut short).

use time::{Month, OffsetDateTime};

/// The longest accreditation, in years (art. 20-2.2).
pub const MAX_ACCREDITATION_YEARS: i32 = 3;

/// What a certification center is, for art. 20-2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CenterRole {
    /// The root certification center (a self-signed certificate): needs no accreditation.
    Root,
    /// A center that issues certificates under a root: needs accreditation.
    Issuing,
}

/// Why an accreditation period is not one the law gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccreditationError {
    /// Art. 20-2.2: longer than three years.
    #[error(
        "the accreditation from {from} to {until} is longer than three years (art. 20-2.2: at \
         most until {latest})"
    )]
    LongerThanThreeYears {
        /// Start of the period.
        from: OffsetDateTime,
        /// End of the period.
        until: OffsetDateTime,
        /// The latest end the law allows.
        latest: OffsetDateTime,
    },
}

/// The latest end of an accreditation starting at `from` (art. 20-2.2); `None` past the range of
/// [`OffsetDateTime`].
pub fn latest_end(from: OffsetDateTime) -> Option<OffsetDateTime> {
    let year = from.year().checked_add(MAX_ACCREDITATION_YEARS)?;
    match from.replace_year(year) {
        Ok(t) => Some(t),
        // Only 29 February lacks its day three years later: 1 March.
        Err(_) => from
            .replace_day(1)
            .and_then(|t| t.replace_month(Month::March))
            .and_then(|t| t.replace_year(year))
            .ok(),
    }
}

/// Checks an accreditation period of a center of `role` (art. 20-2.1–2). A root needs none and
/// any period it is given is not checked; an issuing center's period, when both ends are known,
/// lasts at most three years.
pub fn check_period(
    role: CenterRole,
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> Result<(), AccreditationError> {
    if role == CenterRole::Root {
        return Ok(());
    }
    if let (Some(from), Some(until)) = (from, until)
        && let Some(latest) = latest_end(from)
        && until > latest
    {
        return Err(AccreditationError::LongerThanThreeYears {
            from,
            until,
            latest,
        });
    }
    Ok(())
}

/// Whether a center of `role` may work at `t` (art. 20-2.1): a root always; an issuing center
/// inside its period (both ends included; an absent end is open).
pub fn accredited_at(
    role: CenterRole,
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
    t: OffsetDateTime,
) -> bool {
    role == CenterRole::Root || (from.is_none_or(|f| f <= t) && until.is_none_or(|u| t <= u))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn art20_2_1_root_needs_no_accreditation() {
        let t = datetime!(2030-01-01 0:00 UTC);
        assert!(accredited_at(
            CenterRole::Root,
            Some(datetime!(2020-01-01 0:00 UTC)),
            Some(datetime!(2021-01-01 0:00 UTC)),
            t
        ));
        assert_eq!(
            check_period(
                CenterRole::Root,
                Some(datetime!(2020-01-01 0:00 UTC)),
                Some(datetime!(2030-01-01 0:00 UTC))
            ),
            Ok(())
        );
        // An issuing center outside its period is not accredited.
        assert!(!accredited_at(
            CenterRole::Issuing,
            Some(datetime!(2020-01-01 0:00 UTC)),
            Some(datetime!(2021-01-01 0:00 UTC)),
            t
        ));
    }

    #[test]
    fn art20_2_2_issuing_center_accredited_for_at_most_three_years() {
        let from = datetime!(2026-03-02 0:00 +05:00);
        assert_eq!(
            check_period(
                CenterRole::Issuing,
                Some(from),
                Some(datetime!(2029-03-02 0:00 +05:00))
            ),
            Ok(())
        );
        assert_eq!(
            check_period(
                CenterRole::Issuing,
                Some(from),
                Some(datetime!(2029-03-02 0:00:01 +05:00))
            ),
            Err(AccreditationError::LongerThanThreeYears {
                from,
                until: datetime!(2029-03-02 0:00:01 +05:00),
                latest: datetime!(2029-03-02 0:00 +05:00),
            })
        );
        assert_eq!(
            latest_end(datetime!(2028-02-29 12:00 UTC)),
            Some(datetime!(2031-03-01 12:00 UTC))
        );
        assert_eq!(check_period(CenterRole::Issuing, Some(from), None), Ok(()));
    }
}
