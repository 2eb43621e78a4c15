//! Name constraints over a path (RFC 5280 §4.2.1.10, §6.1.3(b)-(c), §6.1.4(g)).
//!
//! Placeholder until the processing is written.

use crate::cert::Cert;

/// A certificate of the path whose names a CA above it does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameConstraintViolation {
    /// The certificate's index in the path: 0 is the one the trust anchor issued, the last is
    /// the target.
    pub(crate) index: usize,
    /// Which name and which constraint, in words.
    pub(crate) detail: String,
}

/// Applies the name constraints of every CA in `path` to the certificates below it. `path` runs
/// from the certificate the trust anchor issued (index 0) to the target (the last); the anchor
/// itself is not in it and contributes no constraints.
pub(crate) fn check_name_constraints(path: &[&Cert]) -> Result<(), NameConstraintViolation> {
    let _ = path;
    Ok(())
}
