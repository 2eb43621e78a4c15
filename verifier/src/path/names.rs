//! Distinguished-name comparison by RFC 5280 §7.1 (RFC 4518 string preparation).
//!
//! Placeholder: byte equality until the comparison is written.

/// Whether two DER-encoded `Name`s are the same name by RFC 5280 §7.1.
pub(crate) fn names_equal(a: &[u8], b: &[u8]) -> bool {
    a == b
}
