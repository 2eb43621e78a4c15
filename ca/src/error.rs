//! The one error type of the certification center.

use std::path::Path;

use eds_profile::request::Refusal;
use time::OffsetDateTime;

use crate::store::{Serial, StoreError};

/// Why an operation of the center could not be carried out.
///
/// A refusal to issue (EDS law art. 14-1, or art. 21.1 for the public key) is
/// [`CaError::Refused`]: it is recorded in the register before it is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CaError {
    /// `init` found a center already in the data folder.
    #[error("initialise a center: {path} already holds one")]
    AlreadyInitialised {
        /// The data folder.
        path: String,
    },
    /// The data folder holds no center.
    #[error("open the center: {path} holds no center (run `eds ca init` first)")]
    NotInitialised {
        /// The data folder.
        path: String,
    },
    /// The passphrase does not decrypt the center's key.
    #[error("decrypt the center's key: wrong passphrase")]
    WrongPassphrase,
    /// A key on a PKCS#11 token could not be found or used (a wrong PIN, a missing token or
    /// object, a call the module refused).
    #[error(transparent)]
    Token(#[from] eds_pkcs11::TokenError),
    /// A key file is not what it should be.
    #[error("read key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("access {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The center's configuration is invalid.
    #[error("configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// A registration request could not be read (JSON syntax, unknown field, wrong type).
    #[error("read registration request: {reason}")]
    BadRequest {
        /// Where and what.
        reason: String,
    },
    /// The PKCS#10 request is malformed or its self-signature does not verify.
    #[error("read certificate signing request: {reason}")]
    BadCsr {
        /// What is wrong.
        reason: String,
    },
    /// The request carries no public key and the center was not asked to generate one.
    #[error("registration request has no csr_pem: give one or ask the center to generate the key")]
    NoPublicKey,
    /// EDS law art. 14-1 (or 21.1 for the key): issuance refused; the refusal is recorded with
    /// this id.
    #[error("issuance refused on ground {} (art. {}): {refusal}", refusal.ground().as_str(), refusal.ground().article())]
    Refused {
        /// The finding and its ground.
        refusal: Refusal,
        /// The id of the refusal record in the register.
        record: i64,
    },
    /// EDS law art. 16.2: a revoked certificate is kept at least five years.
    #[error("archive {serial}: revoked on {revoked_at}, kept until {kept_until} (art. 16.2)")]
    RetentionNotElapsed {
        /// The certificate.
        serial: Serial,
        /// When it was revoked.
        revoked_at: OffsetDateTime,
        /// The first moment it may be archived.
        kept_until: OffsetDateTime,
    },
    /// Archiving asked for a certificate that is not revoked.
    #[error("archive {serial}: the certificate is not revoked")]
    NotRevoked {
        /// The certificate.
        serial: Serial,
    },
    /// EDS law art. 18.1: the ground cannot concern this certificate's holder (a legal-entity
    /// ground on an individual's certificate); nothing changes.
    #[error("revoke {serial}: {error}")]
    GroundNotForHolder {
        /// The certificate.
        serial: Serial,
        /// The ground and the holder's kind.
        error: eds_profile::grounds::GroundNotForHolder,
    },
    /// EDS law art. 18.3: the revocation notice cannot be recorded as given (received after the
    /// revocation, that is after the center's clock).
    #[error("revoke {serial}: {error}")]
    RevocationNotice {
        /// The certificate.
        serial: Serial,
        /// What is wrong with the notice.
        error: eds_profile::revocation::NoticeError,
    },
    /// Only owner certificates of the issuing center are revoked here; a CA certificate is not
    /// (the root's CRL lists a revoked issuing center, see [`crate::root_crl`]).
    #[error("revoke {serial}: not an owner certificate of the issuing center")]
    NotAnOwnerCertificate {
        /// The certificate.
        serial: Serial,
    },
    /// The certificate of the center's OCSP responder or timestamp authority: it is replaced with
    /// `eds ca rotate`, never revoked like an owner's (a revoked responder would leave relying
    /// parties without status answers or timestamps until a restart); nothing changes.
    #[error(
        "revoke {serial}: it is the certificate of the center's {service}, not an owner's; replace it with `{rotate}` instead"
    )]
    InfrastructureCertificate {
        /// The certificate.
        serial: Serial,
        /// `OCSP responder` or `timestamp authority`.
        service: &'static str,
        /// The command that replaces it.
        rotate: &'static str,
    },
    /// A field of a revocation notice or a registry record cannot be recorded as given (a date
    /// outside the certificate's life or in the future, a text over its size); nothing changes.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field, as the request names it.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The operator's idempotency key was used before with another request; nothing changes.
    #[error(
        "issue: idempotency key {key:?} was used for another request (certificate {serial}); use a new key for a new request"
    )]
    IdempotencyKeyReused {
        /// The key.
        key: String,
        /// The certificate the key gave first.
        serial: Serial,
    },
    /// EDS law art. 22: the center gave notice of cessation and its stop day has come; it issues,
    /// revokes and publishes nothing any more (`eds ca cessation notice`, `cessation.json` in its
    /// data folder); only its final CRL is served (`eds ca cessation finalize`).
    #[error(
        "{action}: the center stopped its activity on {stops_on} (EDS law art. 22); on {on} it \
         {does} nothing"
    )]
    Ceased {
        /// What was attempted ("issue a certificate", "revoke a certificate", "issue a CRL").
        action: &'static str,
        /// The verb of the refusal ("issues", "revokes", "publishes").
        does: &'static str,
        /// The day the center stopped (Kazakhstan's date).
        stops_on: time::Date,
        /// The day of the attempt.
        on: time::Date,
    },
    /// The register refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Building or signing a certificate or CRL failed.
    #[error("build {what}: {reason}")]
    Build {
        /// Certificate, CRL, PKCS#12…
        what: &'static str,
        /// The encoder's message.
        reason: String,
    },
    /// The system random generator failed.
    #[error("draw random bytes: the system generator failed")]
    Random,
    /// An invariant of this crate was broken.
    #[error("internal error: {reason}")]
    Internal {
        /// What broke.
        reason: String,
    },
}

impl CaError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    pub(crate) fn build(what: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Build {
            what,
            reason: e.to_string(),
        }
    }
}
