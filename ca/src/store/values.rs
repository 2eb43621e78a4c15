//! How both backends keep values they have no native type for, and what they say when a stored
//! value does not decode: one copy, so a SQLite register and its PostgreSQL copy
//! (`eds ca migrate`) hold the same values.
//!
//! - instants are Unix seconds (`i64`), whole seconds in UTC (see the module notes of
//!   [`super`]);
//! - dates (bans, registry records) are `YYYY-MM-DD` text;
//! - a revocation's reason is its CRLReason code (RFC 5280 §5.3.1), one of [`REASONS`];
//! - a counter is kept as `i64` and handed out as `u64`.

use eds_profile::grounds::CrlReason;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::store::StoreError;

/// The text form of a stored date.
const DATE_FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Every CRLReason this profile uses, to map stored codes back.
pub(crate) const REASONS: [CrlReason; 6] = [
    CrlReason::Unspecified,
    CrlReason::KeyCompromise,
    CrlReason::AffiliationChanged,
    CrlReason::Superseded,
    CrlReason::CessationOfOperation,
    CrlReason::PrivilegeWithdrawn,
];

/// [`StoreError::Corrupt`] naming the table, the row's key and the column.
pub(crate) fn corrupt<K: std::fmt::Display + ?Sized>(
    table: &str,
    key: &K,
    column: &str,
    why: &str,
) -> StoreError {
    StoreError::Corrupt {
        what: format!("{table} row {key} column {column} ({why})"),
    }
}

/// The instant of stored Unix seconds; `None` out of `time`'s range.
pub(crate) fn instant(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix).ok()
}

/// The reason of a stored CRLReason code; `None` for a code this profile does not use.
pub(crate) fn reason_from_code(code: i64) -> Option<CrlReason> {
    REASONS.into_iter().find(|r| i64::from(r.code()) == code)
}

/// `n` as a stored integer, `i64::MAX` above it.
pub(crate) fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The stored text of a date.
pub(crate) fn date_text(d: Date) -> Result<String, StoreError> {
    d.format(DATE_FORMAT)
        .map_err(|e| StoreError::InvalidRecord {
            what: format!("date {d} does not format: {e}"),
        })
}

/// The date of stored text; [`StoreError::Corrupt`] naming where it was otherwise.
pub(crate) fn parse_date(
    text: &str,
    table: &str,
    key: &str,
    column: &str,
) -> Result<Date, StoreError> {
    Date::parse(text, DATE_FORMAT).map_err(|e| corrupt(table, &key, column, &e.to_string()))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn ok_dates_round_trip_through_their_text() {
        let d = date!(2026 - 03 - 09);
        assert_eq!(date_text(d).unwrap(), "2026-03-09");
        assert_eq!(
            parse_date("2026-03-09", "bans", "1", "effective_from").unwrap(),
            d
        );
    }

    #[test]
    fn fail_a_malformed_date_is_corrupt_naming_its_place() {
        let e = parse_date("2026-3-9", "bans", "7", "lifted_on").unwrap_err();
        let StoreError::Corrupt { what } = e else {
            panic!("not Corrupt: {e:?}")
        };
        assert!(what.starts_with("bans row 7 column lifted_on ("), "{what}");
    }

    #[test]
    fn ok_every_profile_reason_maps_back_and_other_codes_do_not() {
        for r in REASONS {
            assert_eq!(reason_from_code(i64::from(r.code())), Some(r));
        }
        // 6 is certificateHold, 8 removeFromCRL: not used by this profile (RFC 5280 §5.3.1).
        assert_eq!(reason_from_code(6), None);
        assert_eq!(reason_from_code(8), None);
        assert_eq!(reason_from_code(-1), None);
    }

    #[test]
    fn ok_counters_saturate_and_instants_stay_in_range() {
        assert_eq!(saturating_i64(7), 7);
        assert_eq!(saturating_i64(u64::MAX), i64::MAX);
        assert_eq!(instant(0), Some(OffsetDateTime::UNIX_EPOCH));
        assert_eq!(instant(i64::MAX), None);
    }
}
