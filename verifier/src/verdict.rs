//! The verdict: ETSI EN 319 102-1 V1.3.1 §5.1.3, Table 5 (main indications) and Table 6
//! (sub-indications), with each check's outcome and the evidence the result rests on.
//!
//! A verdict is not an error: the engine returns a [`SignatureReport`] for every signature it could
//! look at, whatever its outcome.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

/// The main status indication (EN 319 102-1 §5.1.3, Table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// A check failed in a way no later information can cure (tampered, revoked before signing…).
    TotalFailed,
    /// The result cannot be established with the information at hand.
    Indeterminate,
}

/// The sub-indication (EN 319 102-1 §5.1.3, Table 6) explaining a non-passed result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    // With TOTAL_FAILED.
    /// The signature is not conformant to a supported format (undecodable CMS, bad attributes).
    FormatFailure,
    /// The digest of the signed content does not match the messageDigest attribute.
    HashFailure,
    /// The signature value does not verify with the signing certificate's public key.
    SigCryptoFailure,
    /// The signing certificate was revoked at or before the (proven or claimed) signing time.
    Revoked,
    /// The signing certificate had expired at the signing time.
    Expired,
    /// The signing time lies before the signing certificate's notBefore.
    NotYetValid,
    // With INDETERMINATE.
    /// The signature's attributes or the caller's constraints are not met (scope, expectations).
    SigConstraintsFailure,
    /// A certificate of the chain does not meet the validation constraints (CA flag, path length,
    /// key usage of a CA, the center's accreditation period).
    ChainConstraintsFailure,
    /// The chain could not be validated for a reason not covered by the others.
    CertificateChainGeneralFailure,
    /// An algorithm is not supported or not allowed (GOST R 34.10-2001/94, SHA-1 signatures,
    /// small keys).
    CryptoConstraintsFailure,
    /// The signing certificate cannot be identified in the signature.
    NoSigningCertificateFound,
    /// No chain to a trusted center could be built.
    NoCertificateChainFound,
    /// The signing certificate is revoked and the signing time is not proven before it.
    RevokedNoPoe,
    /// A CA certificate of the chain is revoked and the signing time is not proven before it.
    RevokedCaNoPoe,
    /// The signing certificate is outside its validity at the validation time and there is no
    /// proof that the signature existed while it was valid.
    OutOfBoundsNoPoe,
    /// Revocation status could not be obtained (no CRL/OCSP, stale or unverifiable answers).
    TryLater,
    /// The signed content is not available (a detached signature without its document).
    SignedDataNotFound,
}

impl SubIndication {
    /// The indication this sub-indication belongs to (EN 319 102-1 Table 6).
    pub fn indication(self) -> Indication {
        match self {
            Self::FormatFailure
            | Self::HashFailure
            | Self::SigCryptoFailure
            | Self::Revoked
            | Self::Expired
            | Self::NotYetValid => Indication::TotalFailed,
            _ => Indication::Indeterminate,
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check could not be decided.
    Indeterminate,
    /// The check was not run (an earlier failure made it moot, or nothing to check).
    Skipped,
}

/// One named check and its outcome, in the order the engine ran them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable machine name: `format`, `signing_certificate`, `message_digest`, `signature`,
    /// `chain`, `validity`, `revocation`, `scope`, `accreditation`, `expectations`, `timestamp`.
    pub name: &'static str,
    /// Passed, failed, indeterminate or skipped.
    pub outcome: Outcome,
    /// A plain-words sentence about what was found (borrowed when it is a fixed sentence).
    pub detail: Cow<'static, str>,
}

/// What the validation time rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The current time (no proof of existence of the signature).
    Now,
    /// A time the caller gave (`--at`).
    Given,
    /// The genTime of a verified signature timestamp (a proof of existence).
    Timestamp,
}

/// One certificate of the chain as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainEntry {
    /// RFC 4514 subject.
    pub subject: Arc<str>,
    /// RFC 4514 issuer.
    pub issuer: Arc<str>,
    /// Serial, upper-case hex.
    pub serial: Arc<str>,
    /// notBefore, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// notAfter, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: Arc<str>,
}

impl ChainEntry {
    /// The entry for a certificate.
    pub fn of(cert: &crate::cert::Cert) -> Self {
        Self {
            subject: cert.subject_shared(),
            issuer: cert.issuer_shared(),
            serial: cert.serial_shared(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            sha256: hex::encode(cert.sha256()).into(),
        }
    }
}
