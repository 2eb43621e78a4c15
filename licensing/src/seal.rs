//! The body's seal on what it signs: a receipt or a result raised to a CAdES baseline level
//! (ETSI EN 319 122-1) so that it verifies years later, then checked before it is handed out.
//!
//! The level is LT by default at the command line: a signature timestamp, and the certificates
//! of the chains with the CRLs or OCSP responses proving their status, so the document verifies
//! offline once the officer's certificate has expired. [`seal`] holds the rules: B leaves the
//! document as signed; every other level needs a timestamp authority (without one,
//! [`SealError::NeedsTimestamp`]); the raised document must verify TOTAL_PASSED or it is not
//! handed out ([`SealError::DoesNotVerify`]). How the timestamp and the revocation data are
//! obtained (an HTTP TSA, CRL downloads, a TSA in process) is the caller's [`Raise`], as the
//! clock is: the library reaches no network.

use time::OffsetDateTime;

use eds_verifier::engine::Verifier;
use eds_verifier::verdict::Indication;

/// A CAdES baseline level (ETSI EN 319 122-1 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum SealLevel {
    /// The signature alone.
    B,
    /// With a signature timestamp.
    T,
    /// T with the chains' certificates and their revocation data.
    Lt,
    /// LT with an archive timestamp.
    Lta,
}

impl SealLevel {
    /// The level's name: `B`, `T`, `LT`, `LTA`.
    pub fn name(self) -> &'static str {
        match self {
            Self::B => "B",
            Self::T => "T",
            Self::Lt => "LT",
            Self::Lta => "LTA",
        }
    }
}

/// What a [`Raise`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    /// The raised document, DER.
    pub der: Vec<u8>,
    /// Revocation data older than the signature timestamp, one line each: the document then
    /// needs raising to LT again once fresh data is out (for the caller to show).
    pub not_fresh: Vec<String>,
}

/// Raises a signed document to a level: asks the timestamp authority and gathers the
/// revocation data. `E` is the caller's error, handed back whole in [`SealError::Raise`].
pub type Raise<'a, E> = &'a dyn Fn(Vec<u8>, SealLevel) -> Result<Raised, E>;

/// Why a document was not sealed. `E` is the error of the caller's [`Raise`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError<E> {
    /// A level above B was asked without a timestamp authority.
    #[error(
        "the body signs at CAdES-{} (the default is LT, so the document verifies years later), \
         which needs a timestamp: give a timestamp authority, or level B for a signature \
         without one",
        level.name()
    )]
    NeedsTimestamp {
        /// The level asked.
        level: SealLevel,
    },
    /// The timestamp or the revocation data could not be obtained.
    #[error("make the signature CAdES-{}: {cause}", level.name())]
    Raise {
        /// The level asked.
        level: SealLevel,
        /// The caller's error.
        cause: E,
    },
    /// The raised document does not verify TOTAL_PASSED, so it is not handed out.
    #[error(
        "the CAdES-{} document does not verify, so it is not written: {verdict}",
        level.name()
    )]
    DoesNotVerify {
        /// The level asked.
        level: SealLevel,
        /// The verifier's verdict in one line ([`crate::verdict_summary`]).
        verdict: String,
    },
    /// The verifier could not run on the raised document.
    #[error("verify the document just sealed: {reason}")]
    Verify {
        /// The verifier's error.
        reason: String,
    },
}

/// Raises `der`, a receipt or a result the body signed, to `level` with `raise`, then, when
/// `verifier` is given, checks at `now` that it verifies TOTAL_PASSED. B returns `der` as it
/// is, without `raise` or a check. See the module documentation.
pub fn seal<E>(
    der: Vec<u8>,
    level: SealLevel,
    raise: Option<Raise<'_, E>>,
    verifier: Option<&Verifier>,
    now: OffsetDateTime,
) -> Result<Raised, SealError<E>> {
    if level == SealLevel::B {
        return Ok(Raised {
            der,
            not_fresh: Vec::new(),
        });
    }
    let Some(raise) = raise else {
        return Err(SealError::NeedsTimestamp { level });
    };
    let raised = raise(der, level).map_err(|cause| SealError::Raise { level, cause })?;
    if let Some(verifier) = verifier {
        let report = verifier
            .verify_document(&raised.der, None, now)
            .map_err(|e| SealError::Verify {
                reason: e.to_string(),
            })?;
        if report.indication != Indication::TotalPassed {
            return Err(SealError::DoesNotVerify {
                level,
                verdict: crate::verdict_summary(&report),
            });
        }
    }
    Ok(raised)
}
