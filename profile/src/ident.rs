//! Individual identification numbers (IIN) and business identification numbers (BIN).
//!
//! Both are twelve ASCII digits kept in the national registers of identification numbers (Law of
//! the Republic of Kazakhstan No. 223 of 12 January 2007 "On national registers of identification
//! numbers"); the rules for forming them were approved by Government Decree No. 406 of
//! 22 May 2007. A BIN is formed for a legal entity (branch, representative office) and for an
//! individual entrepreneur in joint entrepreneurship; an IIN for an individual.
//!
//! # Check digit
//! Digit 12 is computed from digits 1–11 ([`check_digit`]): the sum of the digits weighted
//! 1, 2, …, 11, modulo 11; if that gives 10, the sum weighted 3, 4, …, 11, 1, 2, modulo 11; if that
//! gives 10 again no check digit exists and no number is formed with those eleven digits.
//!
//! The check digit catches every change of digit 12 and at most one of the nine possible changes
//! of each of digits 1–10, but **no change of digit 11 when the first sum gave the check digit**:
//! digit 11's first weight is 11 ≡ 0 (mod 11), so it only counts in the second sum. About 9 % of
//! all single-digit substitutions go undetected, most of them in digit 11 (the derivation and the
//! measurement are in `tests/ident_props.rs`).
//!
//! # Order of the checks
//! [`Iin::parse`] and [`Bin::parse`] report the first failure in this order: length, characters
//! (left to right), the fields from left to right, then the check digit. A field is checked before
//! the check digit because "month 13" says more about a typing error than "check digit 4".
//! For an IIN the century digit (digit 7) is checked before the date in digits 1–6 because the
//! date cannot be judged without it: `000229` is 29 February 2000 with century digit 5 or 6 but
//! an impossible date with 3 or 4 (1900 was not a leap year).
//!
//! # What the digits do not prove
//! * The birth date an IIN encodes need not be the holder's: the Ministry of Justice explained in
//!   April 2019 that Government Decree No. 853 of 26 August 2013 amended the rules to remove the
//!   binding of the IIN's digits to the holder's personal data. Where the birth date matters
//!   (EDS law art. 14, see [`crate::age`]) prefer the date on the identity document.
//! * A number failing the check digit is not necessarily unissued: Law No. 223 provides for forming
//!   a new IIN when the check digit of an issued one does not match the algorithm (art. 9, as
//!   quoted in a 2023 answer on law.informburo.kz). This module rejects such numbers; a caller that
//!   must accept one does so explicitly on [`IdentError::BadCheckDigit`].
//! * A well-formed number need not be registered; only the register can say that.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// Number of digits in an IIN or a BIN.
pub const LEN: usize = 12;

/// Why a string is not a valid IIN or BIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentError {
    /// The number does not have exactly 12 characters.
    #[error("expected 12 digits, found {found} characters")]
    WrongLength {
        /// Number of characters found.
        found: usize,
    },
    /// A character is not an ASCII digit.
    #[error("character {found:?} at position {position} is not a digit")]
    NonDigit {
        /// Zero-based position of the character.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The 12th digit is not the check digit computed from the first eleven.
    #[error("check digit is {found}, {}", match expected {
        Some(d) => format!("expected {d}"),
        None => "but no check digit exists for the first eleven digits".to_owned(),
    })]
    BadCheckDigit {
        /// The check digit computed from digits 1–11, `None` if no check digit exists.
        expected: Option<u8>,
        /// The 12th digit as written.
        found: u8,
    },
    /// IIN digit 7 (century and sex) is 0, 7, 8 or 9.
    #[error("century and sex digit is {found}, expected 1 to 6")]
    BadCentury {
        /// Digit 7 as written.
        found: u8,
    },
    /// IIN digits 1–6 (YYMMDD) with the century of digit 7 are not a calendar date.
    #[error("birth date {year:04}-{month:02}-{day:02} does not exist")]
    ImpossibleDate {
        /// The full year: the century of digit 7 plus digits 1–2.
        year: i32,
        /// Digits 3–4 as written.
        month: u8,
        /// Digits 5–6 as written.
        day: u8,
    },
    /// BIN digits 3–4 (month of registration) are not 01 to 12.
    #[error("registration month is {found:02}, expected 01 to 12")]
    BadMonth {
        /// Digits 3–4 as written.
        found: u8,
    },
    /// BIN digit 5 (entity type) is not 4, 5 or 6.
    #[error("entity type digit is {found}, expected 4, 5 or 6")]
    BadEntityType {
        /// Digit 5 as written.
        found: u8,
    },
}

/// The check digit for the first eleven digits of an IIN or BIN, `None` if none exists.
///
/// `first_eleven` holds digit values 0–9 (not ASCII). Weights 1, 2, …, 11, sum modulo 11; if that
/// is 10, weights 3, 4, …, 11, 1, 2, sum modulo 11; if that is 10 again there is no check digit
/// and the rules of formation skip those eleven digits. Values above 9 are not digits: the result
/// for them is meaningless, but the function never panics.
pub fn check_digit(first_eleven: &[u8; 11]) -> Option<u8> {
    const FIRST: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let weighted = |weights: &[u32; 11]| {
        first_eleven
            .iter()
            .zip(weights)
            .map(|(&d, &w)| u32::from(d) * w)
            .sum::<u32>()
            % 11
    };
    let first = weighted(&FIRST);
    let digit = if first == 10 {
        weighted(&SECOND)
    } else {
        first
    };
    if digit == 10 {
        None
    } else {
        u8::try_from(digit).ok()
    }
}

/// The sex digit 7 of an IIN encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Odd digit 7 (1, 3, 5).
    Male,
    /// Even digit 7 (2, 4, 6).
    Female,
}

/// An individual identification number: YYMMDD of birth, a century and sex digit, a four-digit
/// serial, a check digit.
///
/// Digit 7: 1 or 2 for births in 1800–1899, 3 or 4 for 1900–1999, 5 or 6 for 2000–2099; odd for
/// a man, even for a woman. See the [module docs](self) for what the digits do not prove.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Iin {
    /// ASCII digits; the other field is a function of them.
    digits: [u8; LEN],
    /// Decoded from `digits` by `parse`, kept so that `birth_date` cannot fail.
    birth: Date,
}

impl Iin {
    /// Parses and fully validates an IIN: length, digits, century digit, date, check digit.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let ascii = ascii_digits(s)?;
        let [y1, y2, m1, m2, d1, d2, c, _, _, _, _, _] = values(&ascii);
        let century = century_of(c).ok_or(IdentError::BadCentury { found: c })?;
        let year = century + i32::from(pair(y1, y2));
        let (month, day) = (pair(m1, m2), pair(d1, d2));
        let birth = Month::try_from(month)
            .and_then(|m| Date::from_calendar_date(year, m, day))
            .map_err(|_| IdentError::ImpossibleDate { year, month, day })?;
        verify_check_digit(&ascii)?;
        Ok(Self {
            digits: ascii,
            birth,
        })
    }

    /// Builds the IIN of a person born on `birth` with `sex` and the four-digit `serial`
    /// (digits 8–11), computing the check digit.
    ///
    /// `None` when the year is outside 1800–2099, `serial` is above 9999, or no check digit
    /// exists for these eleven digits (see [`check_digit`]).
    pub fn from_parts(birth: Date, sex: Sex, serial: u16) -> Option<Self> {
        let year = birth.year();
        let (base, yy) = (year.div_euclid(100), year.rem_euclid(100));
        let c = match (base, sex) {
            (18, Sex::Male) => 1,
            (18, Sex::Female) => 2,
            (19, Sex::Male) => 3,
            (19, Sex::Female) => 4,
            (20, Sex::Male) => 5,
            (20, Sex::Female) => 6,
            _ => return None,
        };
        if serial > 9999 {
            return None;
        }
        let yy = u8::try_from(yy).ok()?;
        let month = u8::from(birth.month());
        let day = birth.day();
        let [s1, s2] = split_pair(u8::try_from(serial / 100).ok()?);
        let [s3, s4] = split_pair(u8::try_from(serial % 100).ok()?);
        let [y1, y2] = split_pair(yy);
        let [m1, m2] = split_pair(month);
        let [d1, d2] = split_pair(day);
        let first = [y1, y2, m1, m2, d1, d2, c, s1, s2, s3, s4];
        let digits = with_check_digit(first)?;
        Some(Self { digits, birth })
    }

    /// The twelve digits.
    pub fn as_str(&self) -> &str {
        as_str(&self.digits)
    }

    /// Birth date encoded in digits 1–7 (not necessarily the holder's, see the module docs).
    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// Sex encoded in digit 7: odd male, even female.
    pub fn sex(&self) -> Sex {
        let [_, _, _, _, _, _, c, ..] = values(&self.digits);
        if c % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// First year of the hundred years digit 7 encodes: 1800, 1900 or 2000.
    pub fn century(&self) -> i32 {
        self.birth.year() - self.birth.year().rem_euclid(100)
    }

    /// Digits 8–11, the serial among people with the same digits 1–7.
    pub fn serial(&self) -> u16 {
        let [.., s1, s2, s3, s4, _] = values(&self.digits);
        u16::from(pair(s1, s2)) * 100 + u16::from(pair(s3, s4))
    }
}

/// Digit 5 of a BIN: the kind of person the number is formed for.
///
/// Strict: a BIN whose digit 5 is not 4, 5 or 6 is rejected ([`IdentError::BadEntityType`]).
/// Every source consulted lists only these three, and the rule also keeps BINs and IINs apart: an
/// IIN's digit 5 is the tens of a day of month, 0 to 3.
///
/// Sources: python-stdnum `stdnum/kz/bin.py` (citing the OECD "Kazakhstan – TIN" sheet) and the
/// Java library `valery1707/kaz-person-id` (`PersonIdUtils.java`, citing egov.kz), which agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    /// 4: resident legal entity.
    ResidentLegalEntity,
    /// 5: non-resident legal entity.
    NonResidentLegalEntity,
    /// 6: individual entrepreneur operating in the form of joint entrepreneurship.
    JointEntrepreneur,
}

impl EntityType {
    /// The digit this type is written as.
    pub fn digit(self) -> u8 {
        match self {
            Self::ResidentLegalEntity => 4,
            Self::NonResidentLegalEntity => 5,
            Self::JointEntrepreneur => 6,
        }
    }

    /// The type written as `digit`, `None` unless it is 4, 5 or 6.
    pub fn from_digit(digit: u8) -> Option<Self> {
        match digit {
            4 => Some(Self::ResidentLegalEntity),
            5 => Some(Self::NonResidentLegalEntity),
            6 => Some(Self::JointEntrepreneur),
            _ => None,
        }
    }
}

/// Digit 6 of a BIN: which unit of the entity the number is formed for.
///
/// Lenient: digits 0–3 have names, any other digit is kept as [`UnitKind::Other`] and the BIN is
/// accepted. The digit only describes the unit, and rejecting a real BIN would cost more than
/// leaving a digit unnamed: python-stdnum rejects 4–9 and the Java library below decodes them as
/// no kind, but neither names a rule that forbids them.
///
/// Sources: python-stdnum `stdnum/kz/bin.py` (citing the OECD "Kazakhstan – TIN" sheet) and the
/// Java library `valery1707/kaz-person-id` (`PersonIdUtils.java`, citing egov.kz) both give 0 head
/// unit, 1 branch, 2 representative office, 3 peasant (farm) enterprise operating on the basis of
/// joint entrepreneurship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitKind {
    /// 0: head unit of a legal entity or of a joint entrepreneurship.
    HeadUnit,
    /// 1: branch.
    Branch,
    /// 2: representative office.
    RepresentativeOffice,
    /// 3: peasant (farm) enterprise operating on the basis of joint entrepreneurship.
    PeasantFarm,
    /// Any other digit (4–9), meaning unknown to this crate.
    Other(u8),
}

impl UnitKind {
    /// The digit this kind is written as.
    pub fn digit(self) -> u8 {
        match self {
            Self::HeadUnit => 0,
            Self::Branch => 1,
            Self::RepresentativeOffice => 2,
            Self::PeasantFarm => 3,
            Self::Other(d) => d,
        }
    }

    /// The kind written as `digit` (a digit without a name gives [`UnitKind::Other`]).
    pub fn from_digit(digit: u8) -> Self {
        match digit {
            0 => Self::HeadUnit,
            1 => Self::Branch,
            2 => Self::RepresentativeOffice,
            3 => Self::PeasantFarm,
            d => Self::Other(d),
        }
    }
}

/// A business identification number: YYMM of registration, entity type, unit kind, a five-digit
/// serial, a check digit.
///
/// # The year
/// Digits 1–2 are the last two digits of the year of (re-)registration. BINs have been formed
/// since Government Decree No. 406 took effect on 13 August 2007, but for entities registered
/// earlier the digits keep the earlier year: valid BINs published online begin with 90 to 99 as
/// well as 00 to 22 (the test list of python-stdnum, `tests/test_kz_bin.doctest`, has both).
/// [`Bin::registration_year`] therefore reads 90–99 as 1990–1999 and 00–89 as 2000–2089. The
/// Republic's own registrations start in the 1990s; a BIN of 2090 or later would be misread.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bin {
    /// ASCII digits; the other fields are functions of them.
    digits: [u8; LEN],
    /// Decoded from `digits` by `parse`, kept so that the accessors cannot fail.
    month: Month,
    /// Decoded from `digits` by `parse`.
    entity: EntityType,
}

impl Bin {
    /// First year [`Bin::registration_year`] can return; digits 90–99 mean 1990–1999.
    pub const FIRST_YEAR: i32 = 1990;

    /// Parses and fully validates a BIN: length, digits, month, entity type, check digit.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let ascii = ascii_digits(s)?;
        let [_, _, m1, m2, e, ..] = values(&ascii);
        let found = pair(m1, m2);
        let month = Month::try_from(found).map_err(|_| IdentError::BadMonth { found })?;
        let entity = EntityType::from_digit(e).ok_or(IdentError::BadEntityType { found: e })?;
        verify_check_digit(&ascii)?;
        Ok(Self {
            digits: ascii,
            month,
            entity,
        })
    }

    /// Builds a BIN, computing the check digit.
    ///
    /// `None` when `year` is outside 1990–2089, `serial` is above 99 999, `unit` is an
    /// [`UnitKind::Other`] that is not a digit 4–9, or no check digit exists for these eleven
    /// digits.
    pub fn from_parts(
        year: i32,
        month: Month,
        entity: EntityType,
        unit: UnitKind,
        serial: u32,
    ) -> Option<Self> {
        if !(Self::FIRST_YEAR..Self::FIRST_YEAR + 100).contains(&year) || serial > 99_999 {
            return None;
        }
        let u = unit.digit();
        if u > 9 || UnitKind::from_digit(u) != unit {
            return None;
        }
        let [y1, y2] = split_pair(u8::try_from(year.rem_euclid(100)).ok()?);
        let [m1, m2] = split_pair(u8::from(month));
        let s1 = u8::try_from(serial / 10_000).ok()?;
        let [s2, s3] = split_pair(u8::try_from(serial / 100 % 100).ok()?);
        let [s4, s5] = split_pair(u8::try_from(serial % 100).ok()?);
        let first = [y1, y2, m1, m2, entity.digit(), u, s1, s2, s3, s4, s5];
        let digits = with_check_digit(first)?;
        Some(Self {
            digits,
            month,
            entity,
        })
    }

    /// The twelve digits.
    pub fn as_str(&self) -> &str {
        as_str(&self.digits)
    }

    /// Year of (re-)registration from digits 1–2: 90–99 → 1990–1999, 00–89 → 2000–2089 (see
    /// the type's docs for why).
    pub fn registration_year(&self) -> i32 {
        let [y1, y2, ..] = values(&self.digits);
        let yy = i32::from(pair(y1, y2));
        if yy >= Self::FIRST_YEAR % 100 {
            1900 + yy
        } else {
            2000 + yy
        }
    }

    /// Month of (re-)registration from digits 3–4.
    pub fn registration_month(&self) -> Month {
        self.month
    }

    /// Entity type from digit 5.
    pub fn entity_type(&self) -> EntityType {
        self.entity
    }

    /// Unit kind from digit 6.
    pub fn unit_kind(&self) -> UnitKind {
        let [_, _, _, _, _, u, ..] = values(&self.digits);
        UnitKind::from_digit(u)
    }

    /// Digits 7–11, the serial among BINs with the same digits 1–6.
    pub fn serial(&self) -> u32 {
        let [.., s1, s2, s3, s4, s5, _] = values(&self.digits);
        [s1, s2, s3, s4, s5]
            .into_iter()
            .fold(0, |n, d| n * 10 + u32::from(d))
    }
}

macro_rules! number_traits {
    ($ty:ident, $what:literal) => {
        /// Numeric order of the twelve digits.
        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        /// Numeric order of the twelve digits.
        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> Ordering {
                self.digits.cmp(&other.digits)
            }
        }

        /// Shows the twelve digits, as `Iin("…")` or `Bin("…")`.
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($ty))
                    .field(&self.as_str())
                    .finish()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = IdentError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }

                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        $ty::parse(v).map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

number_traits!(Iin, "an IIN as a string of 12 digits");
number_traits!(Bin, "a BIN as a string of 12 digits");

/// Checks length and characters; returns the ASCII digits.
fn ascii_digits(s: &str) -> Result<[u8; LEN], IdentError> {
    let found = s.chars().count();
    if found != LEN {
        return Err(IdentError::WrongLength { found });
    }
    let mut out = [0u8; LEN];
    for ((position, ch), slot) in s.chars().enumerate().zip(out.iter_mut()) {
        if !ch.is_ascii_digit() {
            return Err(IdentError::NonDigit {
                position,
                found: ch,
            });
        }
        *slot = u8::try_from(ch).map_err(|_| IdentError::NonDigit {
            position,
            found: ch,
        })?;
    }
    Ok(out)
}

/// Digit values of ASCII digits (callers pass only ASCII digits; others saturate harmlessly).
fn values(ascii: &[u8; LEN]) -> [u8; LEN] {
    ascii.map(|b| b.saturating_sub(b'0'))
}

/// Verifies digit 12 against digits 1–11.
fn verify_check_digit(ascii: &[u8; LEN]) -> Result<(), IdentError> {
    let [first @ .., found] = values(ascii);
    let expected = check_digit(&first);
    if expected == Some(found) {
        Ok(())
    } else {
        Err(IdentError::BadCheckDigit { expected, found })
    }
}

/// Appends the check digit to eleven digit values and returns ASCII, `None` if none exists.
fn with_check_digit(first: [u8; 11]) -> Option<[u8; LEN]> {
    let check = check_digit(&first)?;
    let [a, b, c, d, e, f, g, h, i, j, k] = first;
    Some([a, b, c, d, e, f, g, h, i, j, k, check].map(|v| v + b'0'))
}

/// The text of ASCII digits.
fn as_str(ascii: &[u8; LEN]) -> &str {
    // Invariant: `Iin` and `Bin` hold only ASCII digits (checked by `ascii_digits`, produced by
    // `with_check_digit`), so this never falls back to the empty string.
    std::str::from_utf8(ascii).unwrap_or_default()
}

/// Two digit values as a number 0–99.
fn pair(tens: u8, ones: u8) -> u8 {
    tens * 10 + ones
}

/// A number 0–99 as two digit values.
fn split_pair(n: u8) -> [u8; 2] {
    [n / 10 % 10, n % 10]
}

/// First year of the hundred years IIN digit 7 encodes.
fn century_of(digit: u8) -> Option<i32> {
    match digit {
        1 | 2 => Some(1800),
        3 | 4 => Some(1900),
        5 | 6 => Some(2000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use time::macros::date;

    use super::*;

    /// Made-up IIN: a woman born 15 January 1990, serial 0012 (check digit 9).
    const IIN: &str = "900115400129";
    /// Made-up BIN: resident legal entity, head unit, registered May 2008, serial 00001 (check
    /// digit 1).
    const BIN: &str = "080540000011";

    fn iin(s: &str) -> Iin {
        match Iin::parse(s) {
            Ok(iin) => iin,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn bin(s: &str) -> Bin {
        match Bin::parse(s) {
            Ok(bin) => bin,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn ok_check_digit_first_pass() {
        // 9·1 + 0·2 + 0·3 + 1·4 + 1·5 + 5·6 + 4·7 + 0·8 + 0·9 + 1·10 + 2·11 = 108 = 9·11 + 9
        assert_eq!(check_digit(&[9, 0, 0, 1, 1, 5, 4, 0, 0, 1, 2]), Some(9));
    }

    #[test]
    fn ok_check_digit_second_pass() {
        // digit 10 = 1: first pass 1·10 = 10, second pass 1·1 = 1
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(1));
        // digit 5 = 2: first pass 2·5 = 10 → second pass 2·7 = 14 → 3
        assert_eq!(check_digit(&[0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]), Some(3));
    }

    #[test]
    fn fail_check_digit_none_when_both_passes_give_ten() {
        // first pass 9·1 + 1·4 + 1·5 + 5·6 + 4·7 + 2·11 = 98 ≡ 10,
        // second pass 9·3 + 1·6 + 1·7 + 5·8 + 4·9 + 2·2 = 120 ≡ 10
        assert_eq!(check_digit(&[9, 0, 0, 1, 1, 5, 4, 0, 0, 0, 2]), None);
        assert_eq!(check_digit(&[2, 4, 0, 1, 4, 0, 0, 0, 0, 2, 9]), None);
    }

    #[test]
    fn ok_check_digit_never_panics_on_non_digits() {
        assert!(matches!(check_digit(&[255; 11]), None | Some(0..=9)));
    }

    #[test]
    fn ok_iin_fields() {
        let iin = iin(IIN);
        assert_eq!(iin.as_str(), IIN);
        assert_eq!(iin.birth_date(), date!(1990 - 01 - 15));
        assert_eq!(iin.sex(), Sex::Female);
        assert_eq!(iin.century(), 1900);
        assert_eq!(iin.serial(), 12);
        assert_eq!(iin.to_string(), IIN);
        assert_eq!(format!("{iin:?}"), format!("Iin({IIN:?})"));
        assert_eq!(IIN.parse::<Iin>(), Ok(iin));
    }

    #[test]
    fn ok_iin_every_century_and_sex() {
        for (digit, century, sex) in [
            (1, 1800, Sex::Male),
            (2, 1800, Sex::Female),
            (3, 1900, Sex::Male),
            (4, 1900, Sex::Female),
            (5, 2000, Sex::Male),
            (6, 2000, Sex::Female),
        ] {
            let birth = match Date::from_calendar_date(century + 4, Month::July, 4) {
                Ok(d) => d,
                Err(e) => panic!("{e}"),
            };
            let Some(made) = Iin::from_parts(birth, sex, 4321) else {
                panic!("no check digit for {birth} {sex:?}");
            };
            let parsed = iin(made.as_str());
            assert_eq!(parsed, made);
            assert_eq!(made.as_str().as_bytes().get(6), Some(&(b'0' + digit)));
            assert_eq!(
                (parsed.century(), parsed.sex(), parsed.serial()),
                (century, sex, 4321)
            );
            assert_eq!(parsed.birth_date(), birth);
        }
    }

    #[test]
    fn ok_iin_29_february_2000() {
        let Some(made) = Iin::from_parts(date!(2000 - 02 - 29), Sex::Male, 1) else {
            panic!("no check digit");
        };
        assert_eq!(iin(made.as_str()).birth_date(), date!(2000 - 02 - 29));
    }

    #[test]
    fn fail_iin_from_parts_out_of_range() {
        assert_eq!(Iin::from_parts(date!(1799 - 12 - 31), Sex::Male, 1), None);
        assert_eq!(Iin::from_parts(date!(2100 - 01 - 01), Sex::Male, 1), None);
        assert_eq!(
            Iin::from_parts(date!(1990 - 01 - 15), Sex::Male, 10_000),
            None
        );
        // 900115 4 0002: no check digit exists
        assert_eq!(Iin::from_parts(date!(1990 - 01 - 15), Sex::Female, 2), None);
    }

    #[test]
    fn fail_wrong_length() {
        assert_eq!(Iin::parse(""), Err(IdentError::WrongLength { found: 0 }));
        assert_eq!(
            Iin::parse("90011540012"),
            Err(IdentError::WrongLength { found: 11 })
        );
        assert_eq!(
            Bin::parse("0805400000120"),
            Err(IdentError::WrongLength { found: 13 })
        );
        // Counted in characters, not bytes: twelve two-byte characters have the right length.
        assert_eq!(
            Iin::parse("éééééééééééé"),
            Err(IdentError::NonDigit {
                position: 0,
                found: 'é'
            })
        );
    }

    #[test]
    fn fail_non_digit_with_position() {
        assert_eq!(
            Iin::parse("90011540012X"),
            Err(IdentError::NonDigit {
                position: 11,
                found: 'X'
            })
        );
        assert_eq!(
            Bin::parse(" 80540000012"),
            Err(IdentError::NonDigit {
                position: 0,
                found: ' '
            })
        );
        // Non-ASCII digits are not digits.
        assert_eq!(
            Iin::parse("90011540012٩"),
            Err(IdentError::NonDigit {
                position: 11,
                found: '٩'
            })
        );
        assert_eq!(
            Bin::parse("0805-0000012"),
            Err(IdentError::NonDigit {
                position: 4,
                found: '-'
            })
        );
    }

    #[test]
    fn fail_bad_check_digit() {
        assert_eq!(
            Iin::parse("900115400120"),
            Err(IdentError::BadCheckDigit {
                expected: Some(9),
                found: 0
            })
        );
        assert_eq!(
            Bin::parse("080540000019"),
            Err(IdentError::BadCheckDigit {
                expected: Some(1),
                found: 9
            })
        );
    }

    #[test]
    fn fail_bad_check_digit_when_none_exists() {
        assert_eq!(
            Iin::parse("900115400025"),
            Err(IdentError::BadCheckDigit {
                expected: None,
                found: 5
            })
        );
        assert_eq!(
            Bin::parse("240140000290"),
            Err(IdentError::BadCheckDigit {
                expected: None,
                found: 0
            })
        );
    }

    #[test]
    fn fail_bad_century() {
        for c in [0, 7, 8, 9] {
            let s = format!("900115{c}00129");
            assert_eq!(Iin::parse(&s), Err(IdentError::BadCentury { found: c }));
        }
    }

    #[test]
    fn fail_impossible_date() {
        let cases = [
            ("901315400129", 1990, 13, 15),
            ("900015400129", 1990, 0, 15),
            ("900100400129", 1990, 1, 0),
            ("900132400129", 1990, 1, 32),
            ("900230400129", 1990, 2, 30),
            ("900229400129", 1990, 2, 29),
            // 1900 was not a leap year, 2000 was.
            ("000229400129", 1900, 2, 29),
            ("000431600129", 2000, 4, 31),
        ];
        for (s, year, month, day) in cases {
            assert_eq!(
                Iin::parse(s),
                Err(IdentError::ImpossibleDate { year, month, day }),
                "{s}"
            );
        }
    }

    #[test]
    fn fail_bad_month() {
        assert_eq!(
            Bin::parse("080040000012"),
            Err(IdentError::BadMonth { found: 0 })
        );
        assert_eq!(
            Bin::parse("081340000012"),
            Err(IdentError::BadMonth { found: 13 })
        );
    }

    #[test]
    fn fail_bad_entity_type() {
        // An IIN is not a BIN: its digit 5 is the tens of a day.
        assert_eq!(Bin::parse(IIN), Err(IdentError::BadEntityType { found: 1 }));
        for e in [0, 1, 2, 3, 7, 8, 9] {
            let s = format!("0805{e}0000012");
            assert_eq!(Bin::parse(&s), Err(IdentError::BadEntityType { found: e }));
        }
    }

    #[test]
    fn fail_national_center_test_iin() {
        // The national center's test certificates carry 123456789011: digit 7 is 7 (no century),
        // digits 1–6 are no date (month 34), and the check digit would be 3. The century digit
        // is checked first (see the module docs).
        assert_eq!(
            Iin::parse("123456789011"),
            Err(IdentError::BadCentury { found: 7 })
        );
    }

    #[test]
    fn fail_national_center_test_bin() {
        // 123456789021: month 34; the check digit would be 5.
        assert_eq!(
            Bin::parse("123456789021"),
            Err(IdentError::BadMonth { found: 34 })
        );
    }

    #[test]
    fn ok_bin_fields() {
        let bin = bin(BIN);
        assert_eq!(bin.as_str(), BIN);
        assert_eq!(bin.registration_year(), 2008);
        assert_eq!(bin.registration_month(), Month::May);
        assert_eq!(bin.entity_type(), EntityType::ResidentLegalEntity);
        assert_eq!(bin.unit_kind(), UnitKind::HeadUnit);
        assert_eq!(bin.serial(), 1);
        assert_eq!(bin.to_string(), BIN);
        assert_eq!(format!("{bin:?}"), format!("Bin({BIN:?})"));
        assert_eq!(BIN.parse::<Bin>(), Ok(bin));
    }

    #[test]
    fn ok_bin_year_pivot() {
        let made = |year| {
            let (e, u) = (EntityType::ResidentLegalEntity, UnitKind::Branch);
            (0..100).find_map(|serial| Bin::from_parts(year, Month::March, e, u, serial))
        };
        for year in [1990, 1999, 2000, 2008, 2089] {
            let Some(b) = made(year) else {
                panic!("no check digit for {year}")
            };
            assert_eq!(bin(b.as_str()).registration_year(), year);
        }
        assert_eq!(made(1989), None);
        assert_eq!(made(2090), None);
    }

    #[test]
    fn ok_bin_every_entity_type_and_unit_kind() {
        let types = [
            EntityType::ResidentLegalEntity,
            EntityType::NonResidentLegalEntity,
            EntityType::JointEntrepreneur,
        ];
        for entity in types {
            assert_eq!(EntityType::from_digit(entity.digit()), Some(entity));
            for u in 0..=9 {
                let unit = UnitKind::from_digit(u);
                assert_eq!(unit.digit(), u);
                let found = (0..100)
                    .find_map(|serial| Bin::from_parts(2015, Month::October, entity, unit, serial));
                let Some(made) = found else {
                    panic!("no BIN for {entity:?} {unit:?}")
                };
                let parsed = bin(made.as_str());
                assert_eq!((parsed.entity_type(), parsed.unit_kind()), (entity, unit));
            }
        }
        assert_eq!(UnitKind::from_digit(3), UnitKind::PeasantFarm);
        assert_eq!(UnitKind::from_digit(4), UnitKind::Other(4));
    }

    #[test]
    fn fail_bin_from_parts_out_of_range() {
        let e = EntityType::ResidentLegalEntity;
        assert_eq!(
            Bin::from_parts(2008, Month::May, e, UnitKind::HeadUnit, 100_000),
            None
        );
        assert_eq!(
            Bin::from_parts(2008, Month::May, e, UnitKind::Other(10), 1),
            None
        );
        // Other must not stand for a digit that has a name.
        assert_eq!(
            Bin::from_parts(2008, Month::May, e, UnitKind::Other(0), 1),
            None
        );
        // 240140000029: no check digit exists.
        assert_eq!(
            Bin::from_parts(2024, Month::January, e, UnitKind::HeadUnit, 29),
            None
        );
    }

    #[test]
    fn ok_serde_as_string() {
        let de: StrDeserializer<'_, DeError> = IIN.into_deserializer();
        assert_eq!(Iin::deserialize(de), Ok(iin(IIN)));
        let de: StrDeserializer<'_, DeError> = BIN.into_deserializer();
        assert_eq!(Bin::deserialize(de), Ok(bin(BIN)));
    }

    #[test]
    fn fail_serde_reports_the_parse_error() {
        let de: StrDeserializer<'_, DeError> = "123456789011".into_deserializer();
        let err = Iin::deserialize(de).map_err(|e| e.to_string());
        assert_eq!(err, Err(IdentError::BadCentury { found: 7 }.to_string()));
    }

    #[test]
    fn ok_order_is_numeric() {
        assert!(iin("000229500008") < iin(IIN));
        let e = EntityType::ResidentLegalEntity;
        let Some(later) = Bin::from_parts(1999, Month::January, e, UnitKind::HeadUnit, 3) else {
            panic!("no check digit");
        };
        // Numeric order of the digits, not of the registration year.
        assert!(bin(BIN) < later);
        assert_eq!(iin(IIN).cmp(&iin(IIN)), Ordering::Equal);
    }
}
