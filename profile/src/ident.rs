//! Individual identification numbers (IIN) and business identification numbers (BIN).
//!
//! STUB: the public API below is fixed; the bodies are being written.

use time::Date;

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
    #[error("check digit is {found}, expected {expected:?}")]
    BadCheckDigit {
        /// The check digit computed from digits 1–11, `None` if no check digit exists.
        expected: Option<u8>,
        /// The 12th digit as written.
        found: u8,
    },
}

/// An individual identification number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iin([u8; 12]);

impl Iin {
    /// Parses and fully validates an IIN.
    pub fn parse(_s: &str) -> Result<Self, IdentError> {
        todo!()
    }
    /// The twelve digits.
    pub fn as_str(&self) -> &str {
        todo!()
    }
    /// Birth date encoded in digits 1–7.
    pub fn birth_date(&self) -> Date {
        todo!()
    }
}

/// A business identification number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bin([u8; 12]);

impl Bin {
    /// Parses and fully validates a BIN.
    pub fn parse(_s: &str) -> Result<Self, IdentError> {
        todo!()
    }
    /// The twelve digits.
    pub fn as_str(&self) -> &str {
        todo!()
    }
}
