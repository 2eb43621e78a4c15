//! Kazakhstan's time: the one place that turns an instant into the date the law counts.
//!
//! # Which time zone
//! Neither the EDS law nor the rules of Order No. 34/қе name a time zone; they count in days
//! ("the age of sixteen", art. 14; "within one day from the moment of receipt", art. 18.3;
//! "working days from the date of registration", the rules of every service). A day is a day in
//! Kazakhstan, where the certification centers and the service provider work.
//!
//! Since 00:00 on 1 March 2024 the whole country keeps one time zone, UTC+5 (Decree of the
//! Government of the RK No. 20 of 19 January 2024, amending Decree No. 1749 of 23 November 2000
//! "On the procedure for calculating time in the territory of the Republic of Kazakhstan"). Before
//! that the country had two zones: UTC+5 in the west and UTC+6 in the rest, including Astana,
//! where the national certification center and the National Security Committee (the provider of
//! the eight services) sit. On the night of 29 February to 1 March 2024 the UTC+6 regions set
//! their clocks back from 00:00 to 23:00, at the instant 2024-02-29T18:00:00Z
//! ([`SINGLE_ZONE_FROM`]).
//!
//! **The project's decision**: a legal date is the date in Astana, the seat of the bodies that
//! apply these rules: UTC+6 for instants before [`SINGLE_ZONE_FROM`], UTC+5 from it on
//! ([`offset_at`]). For everything the toolkit decides today (issuance, revocation, registration
//! of an application, terms) that is UTC+5; the UTC+6 branch keeps older records (a revocation
//! received in 2023, a birth registered before 2024) on the date they had when they were made.
//! Every legal date in the workspace goes through [`legal_date`]; a UTC date (`.date()` of an
//! instant in UTC) is never a legal date.
//!
//! An example: a person born on 2 March 2010 turns sixteen on 2 March 2026, from 00:00 in Astana,
//! which is 2026-03-01T19:00:00Z; at 2026-03-01T22:00:00Z (03:00 on 2 March in Astana) the
//! certificate is issued although the UTC date is still 1 March.

use time::{Date, OffsetDateTime, UtcOffset, macros::datetime};

/// Kazakhstan's time since 1 March 2024: UTC+5 in the whole country.
pub const KZ_OFFSET: UtcOffset = match UtcOffset::from_hms(5, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Astana's time before 1 March 2024: UTC+6.
pub const ASTANA_OFFSET_BEFORE_2024: UtcOffset = match UtcOffset::from_hms(6, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The instant the single zone began: 00:00 on 1 March 2024 in UTC+6, 2024-02-29T18:00:00Z
/// (Government Decree No. 20 of 19 January 2024).
pub const SINGLE_ZONE_FROM: OffsetDateTime = datetime!(2024-02-29 18:00:00 UTC);

/// The offset of Astana's time at `instant` (see the module docs).
pub fn offset_at(instant: OffsetDateTime) -> UtcOffset {
    if instant < SINGLE_ZONE_FROM {
        ASTANA_OFFSET_BEFORE_2024
    } else {
        KZ_OFFSET
    }
}

/// `instant` in Astana's time; `None` only when the result is outside the range of
/// [`OffsetDateTime`].
pub fn local(instant: OffsetDateTime) -> Option<OffsetDateTime> {
    instant.checked_to_offset(offset_at(instant))
}

/// The legal date of `instant`: its date in Astana's time. At the ends of the range of
/// [`OffsetDateTime`], where the local time does not exist, the date at the instant's own
/// offset.
pub fn legal_date(instant: OffsetDateTime) -> Date {
    local(instant).map_or(instant.date(), OffsetDateTime::date)
}

/// The first instant of the legal date `day` (00:00 in Astana's time).
pub fn start_of_day(day: Date) -> OffsetDateTime {
    let at_five = day.midnight().assume_offset(KZ_OFFSET);
    if at_five < SINGLE_ZONE_FROM {
        day.midnight().assume_offset(ASTANA_OFFSET_BEFORE_2024)
    } else {
        at_five
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn kz_time_day_edges_in_utc_since_2024() {
        // 2 March 2026 in Astana runs from 2026-03-01T19:00Z to 2026-03-02T18:59:59Z.
        assert_eq!(
            legal_date(datetime!(2026-03-01 18:59:59 UTC)),
            date!(2026 - 03 - 01)
        );
        assert_eq!(
            legal_date(datetime!(2026-03-01 19:00:00 UTC)),
            date!(2026 - 03 - 02)
        );
        assert_eq!(
            legal_date(datetime!(2026-03-01 22:00:00 UTC)),
            date!(2026 - 03 - 02)
        );
        assert_eq!(
            legal_date(datetime!(2026-03-02 18:59:59 UTC)),
            date!(2026 - 03 - 02)
        );
        assert_eq!(
            legal_date(datetime!(2026-03-02 19:00:00 UTC)),
            date!(2026 - 03 - 03)
        );
    }

    #[test]
    fn kz_time_day_edges_in_plus_five() {
        assert_eq!(
            legal_date(datetime!(2026-03-02 00:00:00 +05:00)),
            date!(2026 - 03 - 02)
        );
        assert_eq!(
            legal_date(datetime!(2026-03-01 23:59:59 +05:00)),
            date!(2026 - 03 - 01)
        );
        // The same instant written in another offset has the same legal date.
        assert_eq!(
            legal_date(datetime!(2026-03-02 03:00:00 +05:00)),
            legal_date(datetime!(2026-03-01 22:00:00 UTC))
        );
        assert_eq!(
            legal_date(datetime!(2026-03-01 23:30:00 -01:00)),
            date!(2026 - 03 - 02)
        );
    }

    #[test]
    fn kz_time_astana_was_utc_plus_six_before_1_march_2024() {
        assert_eq!(
            offset_at(datetime!(2024-02-29 17:59:59 UTC)),
            ASTANA_OFFSET_BEFORE_2024
        );
        assert_eq!(offset_at(datetime!(2024-02-29 18:00:00 UTC)), KZ_OFFSET);
        // 18:30Z on 31 December 2023 was 00:30 on 1 January 2024 in Astana.
        assert_eq!(
            legal_date(datetime!(2023-12-31 18:30:00 UTC)),
            date!(2024 - 01 - 01)
        );
        // The last second of 29 February 2024 in UTC+6, then 23:00 on 29 February in UTC+5.
        assert_eq!(
            legal_date(datetime!(2024-02-29 17:59:59 UTC)),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            legal_date(datetime!(2024-02-29 18:00:00 UTC)),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            legal_date(datetime!(2024-02-29 19:00:00 UTC)),
            date!(2024 - 03 - 01)
        );
    }

    #[test]
    fn kz_time_start_of_day() {
        assert_eq!(
            start_of_day(date!(2026 - 03 - 02)),
            datetime!(2026-03-01 19:00:00 UTC)
        );
        assert_eq!(
            start_of_day(date!(2024 - 02 - 29)),
            datetime!(2024-02-28 18:00:00 UTC)
        );
        assert_eq!(
            start_of_day(date!(2024 - 03 - 01)),
            datetime!(2024-02-29 19:00:00 UTC)
        );
        for day in [date!(2023 - 06 - 01), date!(2026 - 12 - 31)] {
            assert_eq!(legal_date(start_of_day(day)), day);
            assert_eq!(
                legal_date(start_of_day(day) - time::Duration::SECOND),
                day.previous_day().unwrap()
            );
        }
    }

    #[test]
    fn kz_time_never_panics_at_the_ends_of_the_range() {
        let min = Date::MIN.midnight().assume_utc();
        let max = Date::MAX.with_hms(23, 59, 59).unwrap().assume_utc();
        assert_eq!(legal_date(min), Date::MIN);
        assert_eq!(legal_date(max), Date::MAX);
        let _ = start_of_day(Date::MIN);
        let _ = start_of_day(Date::MAX);
    }
}
