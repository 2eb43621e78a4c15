//! The age rule of EDS law art. 14: a registration certificate is issued only to a person who has
//! reached the age of sixteen (refusing otherwise is ground art. 14-1(4)).
//!
//! # When a person reaches an age
//! A person reaches `n` years on the `n`th anniversary of birth, the birthday itself, from its
//! first moment: the `n` full years have been completed when the day before the birthday ended.
//! The functions take dates only, never a clock read here; the date is the legal date in
//! Kazakhstan ([`crate::kz_time::legal_date`]): a person born on 2 March 2010 is sixteen from
//! 00:00 on 2 March 2026 in Astana, 2026-03-01T19:00:00Z, not from the UTC date.
//!
//! # Born on 29 February
//! Art. 14 does not say when a person born on 29 February reaches an age in a year without
//! 29 February. This module takes **1 March**. Reasoning: by the rule above the age is reached
//! when the day before the birthday has ended. The day before 29 February is 28 February in every
//! year, and at the end of 28 February of a common year the next day is 1 March; on 28 February
//! itself the full years are not yet complete. So the anniversary of 29 February is always the
//! day after the anniversary of 28 February, as for every other date and the day before it (the
//! tests check this for all dates; the one exception is 1 March after a 29 February, which shares
//! 1 March with it in common years).
//!
//! The other reading, 28 February, follows from rules that end a period counted in years "on the
//! last day of the month" when the month lacks the day (for example art. 12-1(2) of the Law of the
//! Republic of Kazakhstan No. 107-II of 27 November 2000 "On administrative procedures"). Those
//! rules are about the expiry of periods, not about age, and read that way they would let a
//! person born on 29 February obtain a certificate one day before completing sixteen full years.
//! Between the two, 1 March is also the reading under which art. 14 is never broken.
//!
//! For the sixteenth birthday the question is rare: leap years are four apart, so a person born
//! on 29 February has a 29 February sixteen years later unless a century year that is not a leap
//! year lies between (born 29 February 1884 or 2084: sixteen on 1 March 1900 or 2100). Other ages
//! meet it in three years out of four; the same functions serve them.

use time::{Date, Month};

/// The age at which a registration certificate may be issued (EDS law art. 14, art. 14-1(4)).
pub const MINIMUM_AGE: u8 = 16;

/// Whole years completed by a person born on `birth` on the date `on`; 0 if `on` is not after
/// `birth` (including a birth date in the future).
pub fn age_on(birth: Date, on: Date) -> u32 {
    if on <= birth {
        return 0;
    }
    let years = u32::try_from(on.year() - birth.year()).unwrap_or(0);
    if has_reached(birth, years, on) {
        years
    } else {
        years.saturating_sub(1)
    }
}

/// The day a person born on `birth` reaches `years` years: the birthday in the year
/// `birth.year() + years`, or 1 March of that year for a 29 February birth when that year has no
/// 29 February (see the module docs). `None` when the date is outside the range of [`Date`].
pub fn anniversary(birth: Date, years: u32) -> Option<Date> {
    let year = birth.year().checked_add(i32::try_from(years).ok()?)?;
    match Date::from_calendar_date(year, birth.month(), birth.day()) {
        Ok(day) => Some(day),
        // Only 29 February in a year without one lacks its day (or the year is out of range, and
        // then 1 March is out of range too).
        Err(_) => Date::from_calendar_date(year, Month::March, 1).ok(),
    }
}

/// Whether a person born on `birth` has reached `years` years on the date `on`.
pub fn has_reached(birth: Date, years: u32, on: Date) -> bool {
    anniversary(birth, years).is_some_and(|day| day <= on)
}

/// Whether a person born on `birth` may be issued a registration certificate on the date `on`
/// (EDS law art. 14): has reached [`MINIMUM_AGE`].
pub fn has_reached_minimum_age(birth: Date, on: Date) -> bool {
    has_reached(birth, u32::from(MINIMUM_AGE), on)
}

/// The first day a person born on `birth` may be issued a registration certificate (EDS law
/// art. 14): the sixteenth anniversary. `None` when outside the range of [`Date`].
pub fn eligible_from(birth: Date) -> Option<Date> {
    anniversary(birth, u32::from(MINIMUM_AGE))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    #[test]
    fn ok_sixteen_on_the_birthday() {
        let birth = date!(2008 - 05 - 10);
        assert_eq!(age_on(birth, date!(2024 - 05 - 10)), 16);
        assert!(has_reached_minimum_age(birth, date!(2024 - 05 - 10)));
        assert_eq!(eligible_from(birth), Some(date!(2024 - 05 - 10)));
    }

    #[test]
    fn fail_fifteen_the_day_before_the_birthday() {
        let birth = date!(2008 - 05 - 10);
        assert_eq!(age_on(birth, date!(2024 - 05 - 09)), 15);
        assert!(!has_reached_minimum_age(birth, date!(2024 - 05 - 09)));
    }

    #[test]
    fn ok_sixteen_the_day_after_the_birthday() {
        let birth = date!(2008 - 05 - 10);
        assert_eq!(age_on(birth, date!(2024 - 05 - 11)), 16);
        assert!(has_reached_minimum_age(birth, date!(2024 - 05 - 11)));
    }

    #[test]
    fn ok_sixteen_on_new_year_after_a_31_december_birth() {
        let birth = date!(2007 - 12 - 31);
        assert_eq!(age_on(birth, date!(2023 - 12 - 30)), 15);
        assert_eq!(age_on(birth, date!(2023 - 12 - 31)), 16);
        assert_eq!(age_on(birth, date!(2024 - 01 - 01)), 16);
    }

    #[test]
    fn ok_29_february_birth_reaches_age_on_29_february_in_a_leap_year() {
        let birth = date!(2008 - 02 - 29);
        assert_eq!(anniversary(birth, 16), Some(date!(2024 - 02 - 29)));
        assert!(!has_reached_minimum_age(birth, date!(2024 - 02 - 28)));
        assert!(has_reached_minimum_age(birth, date!(2024 - 02 - 29)));
        assert_eq!(age_on(birth, date!(2024 - 02 - 28)), 15);
        assert_eq!(age_on(birth, date!(2024 - 02 - 29)), 16);
        assert_eq!(age_on(birth, date!(2024 - 03 - 01)), 16);
    }

    #[test]
    fn ok_29_february_birth_reaches_age_on_1_march_in_a_common_year() {
        let birth = date!(2008 - 02 - 29);
        assert_eq!(anniversary(birth, 17), Some(date!(2025 - 03 - 01)));
        assert_eq!(age_on(birth, date!(2025 - 02 - 28)), 16);
        assert_eq!(age_on(birth, date!(2025 - 03 - 01)), 17);
        assert!(!has_reached(birth, 17, date!(2025 - 02 - 28)));
        assert!(has_reached(birth, 17, date!(2025 - 03 - 01)));
    }

    #[test]
    fn ok_29_february_birth_sixteen_on_1_march_when_a_century_year_intervenes() {
        let birth = date!(2084 - 02 - 29);
        assert_eq!(eligible_from(birth), Some(date!(2100 - 03 - 01)));
        assert!(!has_reached_minimum_age(birth, date!(2100 - 02 - 28)));
        assert!(has_reached_minimum_age(birth, date!(2100 - 03 - 01)));
        assert_eq!(
            eligible_from(date!(1884 - 02 - 29)),
            Some(date!(1900 - 03 - 01))
        );
    }

    #[test]
    fn ok_28_february_birth_is_unaffected_by_leap_years() {
        let birth = date!(2008 - 02 - 28);
        assert_eq!(anniversary(birth, 16), Some(date!(2024 - 02 - 28)));
        assert_eq!(anniversary(birth, 17), Some(date!(2025 - 02 - 28)));
    }

    #[test]
    fn ok_zero_when_born_after_the_date() {
        let birth = date!(2030 - 01 - 01);
        assert_eq!(age_on(birth, date!(2024 - 01 - 01)), 0);
        assert!(!has_reached_minimum_age(birth, date!(2024 - 01 - 01)));
        assert!(!has_reached(birth, 0, date!(2024 - 01 - 01)));
    }

    #[test]
    fn ok_zero_years_reached_on_the_day_of_birth() {
        let birth = date!(2024 - 06 - 01);
        assert_eq!(age_on(birth, birth), 0);
        assert!(has_reached(birth, 0, birth));
    }

    #[test]
    fn ok_extreme_dates_do_not_panic() {
        assert_eq!(anniversary(Date::MAX, 1), None);
        assert_eq!(anniversary(Date::MIN, u32::MAX), None);
        assert!(!has_reached(Date::MIN, u32::MAX, Date::MAX));
        assert_eq!(eligible_from(Date::MAX), None);
        let span = u32::try_from(Date::MAX.year() - Date::MIN.year()).unwrap_or(0);
        assert_eq!(age_on(Date::MIN, Date::MAX), span);
        assert_eq!(age_on(Date::MAX, Date::MIN), 0);
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (Date::MIN.to_julian_day()..=Date::MAX.to_julian_day())
            .prop_filter_map("a julian day in range", |j| Date::from_julian_day(j).ok())
    }

    fn modern_date() -> impl Strategy<Value = Date> {
        (date!(1800 - 01 - 01).to_julian_day()..=date!(2200 - 12 - 31).to_julian_day())
            .prop_filter_map("a julian day in range", |j| Date::from_julian_day(j).ok())
    }

    proptest! {
        #[test]
        fn ok_age_is_the_greatest_age_reached(birth in modern_date(), on in modern_date()) {
            let age = age_on(birth, on);
            if on >= birth {
                prop_assert!(has_reached(birth, age, on));
            }
            prop_assert!(!has_reached(birth, age + 1, on));
        }

        #[test]
        fn ok_anniversary_is_the_day_after_that_of_the_day_before(
            birth in any_date(),
            years in 0u32..=200,
        ) {
            // Births on 1 March are excluded: the day before is 28 February (or 29), whose
            // anniversary in a leap year is followed by 29 February, not 1 March.
            if let Some(before) = birth.previous_day()
                && (before.month(), before.day()) != (Month::February, 29)
                && (birth.month(), birth.day()) != (Month::March, 1)
            {
                let expected = anniversary(before, years).and_then(Date::next_day);
                prop_assert_eq!(anniversary(birth, years), expected);
            }
        }

        #[test]
        fn ok_never_panics(birth in any_date(), on in any_date(), years in any::<u32>()) {
            let _ = age_on(birth, on);
            let _ = anniversary(birth, years);
            let _ = has_reached(birth, years, on);
        }
    }
}
