//! The timestamp authority of the center (RFC 3161, with the ESS signingCertificateV2 of RFC 5816):
//! a `TimeStampReq` in, a `TimeStampResp` out, signed by a TSA certificate the issuing center
//! issues to a key of its own.
//!
//! # The TSA certificate
//!
//! Issued like the delegated OCSP signer ([`crate::ocsp::signer`]), by `ca/src/delegated.rs` with
//! its crash-safe order of writes (key under a temporary name, register, key renamed, certificate
//! written):
//!
//! | file | content | mode |
//! |---|---|---|
//! | `tsa.crt.pem` | the TSA's certificate | 0644 |
//! | `tsa.key.pem` | its key, encrypted like the CA keys ([`crate::keys`]) | 0600 |
//! | `tsa.lock` | held while the pair is checked or replaced | 0600 |
//!
//! Extended key usage id-kp-timeStamping only, marked critical (RFC 3161 §2.3); key usage
//! digitalSignature and nonRepudiation; valid [`VALIDITY_DAYS`] days (never past the issuing
//! center's certificate) so that tokens stay verifiable; its key signs for [`KEY_USAGE`], then
//! [`TimestampAuthority::load`] replaces the pair (also when less than [`RENEW_BEFORE`] of the
//! certificate remains). The register holds it with kind [`KIND`].
//!
//! # Answers
//!
//! [`TimestampAuthority::answer`] never fails: what went wrong is the PKIStatusInfo of the
//! response (RFC 3161 §2.4.2), status `rejection` with one failInfo bit:
//!
//! | request | failInfo |
//! |---|---|
//! | not one DER `TimeStampReq` v1, or an imprint of the wrong length | `badDataFormat` |
//! | message imprint hashed with anything but SHA-256, SHA-384, SHA-512, or Streebog-256/512 (TC26 `1.2.643.7.1.1.2.2`/`.3`, the national center's `1.2.398.3.10.1.3.3`) | `badAlg` |
//! | reqPolicy present and not the configured policy | `unacceptedPolicy` |
//! | any request extension (none is supported) | `unacceptedExtension` |
//! | the register cannot give serials, the signature fails | `systemFailure` |
//! | the TSA certificate was revoked (load a new authority) | `systemFailure` |
//! | the TSA certificate is not valid at the time | `timeNotAvailable` |
//!
//! A granted token is a CMS SignedData (RFC 5652, version 3) with eContentType id-ct-TSTInfo;
//! its signer is named by issuerAndSerialNumber and its signed attributes are contentType,
//! messageDigest and signingCertificateV2 (RFC 5816 §2.2.1). The TSTInfo carries the configured
//! policy, the imprint as asked, a unique serial, genTime to the second, accuracy
//! [`TsaOptions::accuracy_seconds`], the nonce when asked, and the TSA's name; the TSA's
//! certificate is in `certificates` when the request's certReq is true (RFC 3161 §2.4.1).
//!
//! # Serial numbers
//!
//! Serials come in blocks of [`SERIAL_BLOCK`]: block `n` is taken from a committed counter in the
//! register (counter [`Counter::TsaSerialBlock`], one audit entry per block) and gives serials
//! `n·SERIAL_BLOCK … (n+1)·SERIAL_BLOCK − 1`. Two responders — threads of one server or two
//! processes over the same register — never hold the same block, and within a process a mutex
//! hands each serial out once; a restart leaves the rest of a block unused (RFC 3161 §2.4.2 asks
//! for uniqueness, not for a sequence without gaps).

use std::sync::Mutex;

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{
    BitString, GeneralizedTime, Int, ObjectIdentifier, OctetString, SetOfVec, Utf8StringRef,
};
use der::{Any, Decode, Encode, Sequence, Tag};
use rcgen::{
    CertificateParams, CrlDistributionPoint, CustomExtension, IsCa, KeyIdMethod, KeyUsagePurpose,
    SerialNumber,
};
use ring::digest;
use ring::rand::SecureRandom;
use serde_json::json;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::certificate::CertificateInner;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber as X509Serial;
use x509_tsp::{Accuracy, MessageImprint, TimeStampReq, TimeStampToken, TspVersion, TstInfo};

use crate::center::{Center, truncate_to_seconds};
use crate::center_key::CenterKey;
use crate::certs;
use crate::config::CenterConfig;
use crate::delegated::{Delegated, SignerState, SignerWatch};
use crate::error::CaError;
use crate::keys::KeyAlgorithm;
use crate::store::{AuditEvent, CertificateRecord, Counter, Serial, Store, StoreError};

/// The TSA's certificate in the data folder.
pub const CERT_FILE: &str = "tsa.crt.pem";
/// The TSA's encrypted key in the data folder (mode 0600).
pub const KEY_FILE: &str = "tsa.key.pem";
/// The register's `kind` of TSA certificates.
pub const KIND: &str = "tsa";
/// Validity of a TSA certificate: ten years, never past the issuing center's certificate. A
/// token is the TSA's word on a time, and a verifier takes it only while the TSA's certificate
/// is valid or a later archive timestamp proves the token older (ETSI EN 319 102-1 §5.6.3), so
/// the certificate outlives by far the year its key signs ([`KEY_USAGE`]); a relying party
/// checks its revocation in the CRL.
pub const VALIDITY_DAYS: i64 = 10 * 365;
/// How long one TSA key signs tokens: [`TimestampAuthority::load`] issues a new key and
/// certificate once the current certificate is this old, however long it remains valid.
pub const KEY_USAGE: Duration = Duration::days(365);
/// [`TimestampAuthority::load`] replaces a certificate that expires within this time.
pub const RENEW_BEFORE: Duration = Duration::days(30);
/// Serials reserved in the register at a time (see the module documentation).
pub const SERIAL_BLOCK: u64 = 1 << 16;
/// The default policy of the tokens (RFC 3161 §2.4.2 `policy`): the timestamp policy arc of the
/// national profile the center's certificates follow (`1.2.398.3.3.2.6`, see
/// `fixtures/nca/tsp`), item 1. A center with a policy of its own sets
/// [`TsaOptions::policy`].
pub const DEFAULT_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.398.3.3.2.6.1");
/// Largest nonce echoed, in octets (a 64-bit nonce is usual; RFC 3161 sets no bound).
pub const MAX_NONCE_LEN: usize = 64;

const LOCK_FILE: &str = "tsa.lock";
const PENDING_KEY_FILE: &str = "tsa.key.pem.new";
/// RFC 5280 §4.2.1.12 id-ce-extKeyUsage.
const ID_CE_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
/// RFC 3161 §2.3 / RFC 5280 §4.2.1.12 id-kp-timeStamping.
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// RFC 3161 §2.4.2 id-ct-TSTInfo.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// RFC 5652 §5.1 id-signedData.
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// RFC 5652 §11.1 id-contentType.
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// RFC 5652 §11.2 id-messageDigest.
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// RFC 5035 §3 id-aa-signingCertificateV2.
const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// Streebog-512 under the national center's arc (`fixtures/nca/README.md`).
const ID_NCA_STREEBOG512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.398.3.10.1.3.3");
/// Streebog-256, id-tc26-gost3411-12-256 (RFC 9215 §2).
const ID_TC26_STREEBOG256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.2");
/// Streebog-512, id-tc26-gost3411-12-512 (RFC 9215 §2).
const ID_TC26_STREEBOG512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.3");

/// What the tokens say beyond the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsaOptions {
    /// The policy of every token; a request naming another one is refused with
    /// `unacceptedPolicy`.
    pub policy: ObjectIdentifier,
    /// The accuracy stated in every token, in seconds (genTime is to the second, so at least 1).
    pub accuracy_seconds: u64,
}

impl Default for TsaOptions {
    fn default() -> Self {
        Self {
            policy: DEFAULT_POLICY,
            accuracy_seconds: 1,
        }
    }
}

/// Why a request was refused (RFC 3161 §2.4.2). A verdict for the log, not an error of the call:
/// the `TimeStampResp` carrying the refusal is in [`TsaAnswer::der`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TsaProblem {
    /// `badDataFormat`: not one DER `TimeStampReq` version 1.
    #[error("decode the timestamp request: {reason}")]
    Malformed {
        /// The decoder's message, with the byte position.
        reason: String,
    },
    /// `badAlg`: the imprint's hash algorithm is not SHA-256, SHA-384, SHA-512 or Streebog.
    #[error(
        "timestamp request: hash algorithm {oid} is not accepted (SHA-256, SHA-384, SHA-512, \
         Streebog-256 and Streebog-512 are)"
    )]
    UnsupportedHash {
        /// The algorithm's OID, dotted.
        oid: String,
    },
    /// `badDataFormat`: the hashed message is not as long as its algorithm's output.
    #[error("timestamp request: a {algorithm} imprint of {found} octets, expected {expected}")]
    ImprintLength {
        /// The algorithm's name.
        algorithm: &'static str,
        /// Octets in the request.
        found: usize,
        /// Octets the algorithm gives.
        expected: usize,
    },
    /// `badDataFormat`: the nonce is longer than [`MAX_NONCE_LEN`] octets.
    #[error("timestamp request: a nonce of {found} octets, at most {max} are echoed")]
    NonceTooLong {
        /// Octets in the request.
        found: usize,
        /// The limit.
        max: usize,
    },
    /// `unacceptedPolicy`: reqPolicy is not the policy of this TSA.
    #[error("timestamp request: policy {asked} is not this authority's ({served})")]
    UnacceptedPolicy {
        /// The requested policy, dotted.
        asked: String,
        /// The policy served, dotted.
        served: String,
    },
    /// `unacceptedExtension`: the request has an extension; none is supported.
    #[error("timestamp request: extension {oid} is not supported")]
    UnacceptedExtension {
        /// The extension's OID, dotted.
        oid: String,
    },
    /// `timeNotAvailable`: the TSA certificate is not valid now (load the authority again).
    #[error("timestamp at {at}: the TSA certificate is valid from {not_before} to {not_after}")]
    NotValid {
        /// The time of the request.
        at: OffsetDateTime,
        /// The certificate's notBefore.
        not_before: OffsetDateTime,
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// `systemFailure`: the register could not reserve serials.
    #[error("reserve timestamp serials in the register: {0}")]
    Store(StoreError),
    /// `systemFailure`: the TSA's own certificate was revoked; it signs nothing more (load a
    /// new authority). RFC 3161 §2.4.2 has no bit closer than "system failure".
    #[error("timestamp: the TSA certificate {serial} is revoked; load a new authority")]
    SignerRevoked {
        /// The TSA certificate's serial, hex.
        serial: String,
    },
    /// `timeNotAvailable`: the center stopped on its cessation's stop day (EDS law art. 22) and
    /// timestamps nothing from then on. Of RFC 3161 §2.4.2's bits this is the one that says the
    /// authority gives no time; the status text names the article and the day.
    #[error(
        "timestamp: the center stopped its activity on {stops_on} (EDS law art. 22); on {on} it \
         timestamps nothing"
    )]
    Ceased {
        /// The day the center stopped (Kazakhstan's date).
        stops_on: time::Date,
        /// The day of the request (Kazakhstan's date).
        on: time::Date,
    },
    /// `systemFailure`: the token could not be encoded or signed.
    #[error("sign the timestamp token: {reason}")]
    Signing {
        /// What failed.
        reason: String,
    },
}

impl TsaProblem {
    /// The failInfo bit of the refusal (RFC 3161 §2.4.2 PKIFailureInfo).
    pub fn fail_info(&self) -> FailInfo {
        match self {
            Self::Malformed { .. } | Self::ImprintLength { .. } | Self::NonceTooLong { .. } => {
                FailInfo::BadDataFormat
            }
            Self::UnsupportedHash { .. } => FailInfo::BadAlg,
            Self::UnacceptedPolicy { .. } => FailInfo::UnacceptedPolicy,
            Self::UnacceptedExtension { .. } => FailInfo::UnacceptedExtension,
            Self::NotValid { .. } | Self::Ceased { .. } => FailInfo::TimeNotAvailable,
            Self::Store(_) | Self::Signing { .. } | Self::SignerRevoked { .. } => {
                FailInfo::SystemFailure
            }
        }
    }
}

/// The PKIFailureInfo bits this authority sets (RFC 3161 §2.4.2), with their bit numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailInfo {
    /// 0: unrecognized or unsupported algorithm.
    BadAlg,
    /// 5: the data submitted has the wrong format.
    BadDataFormat,
    /// 14: the TSA's time source is not available.
    TimeNotAvailable,
    /// 15: the requested TSA policy is not supported.
    UnacceptedPolicy,
    /// 16: the requested extension is not supported.
    UnacceptedExtension,
    /// 25: the request cannot be handled due to system failure.
    SystemFailure,
}

impl FailInfo {
    /// PKIFailureInfo with this bit alone, DER named-bit form (trailing zero bits dropped).
    pub fn bit_string(self) -> der::Result<BitString> {
        let bit = self.bit();
        let mut bytes = vec![0u8; usize::from(bit / 8) + 1];
        if let Some(last) = bytes.last_mut() {
            *last = 0x80 >> (bit % 8);
        }
        BitString::new(7 - bit % 8, bytes)
    }

    /// The bit number in PKIFailureInfo.
    pub fn bit(self) -> u8 {
        match self {
            Self::BadAlg => 0,
            Self::BadDataFormat => 5,
            Self::TimeNotAvailable => 14,
            Self::UnacceptedPolicy => 15,
            Self::UnacceptedExtension => 16,
            Self::SystemFailure => 25,
        }
    }
}

/// One answer of [`TimestampAuthority::answer`].
#[derive(Debug, Clone, PartialEq)]
pub struct TsaAnswer {
    /// The `TimeStampResp`, DER: the body, `application/timestamp-reply`.
    pub der: Vec<u8>,
    /// Why the request was refused; `None` when a token was granted.
    pub problem: Option<TsaProblem>,
    /// The token's serial number (big-endian, unsigned), when granted.
    pub serial: Option<u64>,
    /// The token's genTime, when granted.
    pub gen_time: Option<OffsetDateTime>,
}

/// PKIStatus granted (RFC 3161 §2.4.2).
pub const STATUS_GRANTED: u8 = 0;
/// PKIStatus rejection.
pub const STATUS_REJECTION: u8 = 2;

/// RFC 3161 §2.4.2 TimeStampResp, written here rather than with `x509_tsp::TimeStampResp`: the
/// `cmpv2` 0.2 PKIFailureInfo under that type declares bit *numbers* as flag *masks* (badAlg is
/// 0, badDataFormat 5 = bits 0 and 2), so its failInfo comes out wrong on the wire. The
/// BIT STRING is written from the bit numbers instead ([`FailInfo::bit_string`]).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Response<'a> {
    /// PKIStatusInfo.
    pub status: StatusInfo<'a>,
    /// The token, when granted.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<TimeStampToken>,
}

/// RFC 3161 §2.4.2 / RFC 4210 §5.2.3 PKIStatusInfo with failInfo as a plain BIT STRING.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct StatusInfo<'a> {
    /// PKIStatus: [`STATUS_GRANTED`], [`STATUS_REJECTION`], …
    pub status: u8,
    /// PKIFreeText: why, in words.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<Utf8StringRef<'a>>>,
    /// PKIFailureInfo; bit `n` is octet `n / 8`, mask `0x80 >> (n % 8)`.
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

impl StatusInfo<'_> {
    /// Whether bit `bit` of failInfo is set.
    pub fn fail_bit(&self, bit: u8) -> bool {
        self.fail_info.as_ref().is_some_and(|b| {
            b.raw_bytes()
                .get(usize::from(bit / 8))
                .is_some_and(|o| o & (0x80 >> (bit % 8)) != 0)
        })
    }
}

/// A digest the TSA's key signs with, and the imprint algorithms accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
    /// Streebog-512 (GOST R 34.11-2012) under the national center's identifier
    /// `1.2.398.3.10.1.3.3`: the digest of a GOST 2015-512 TSA's tokens, and an imprint
    /// algorithm (the center's own software names Streebog-512 so).
    Streebog512,
    /// Streebog-256 under the TC26 identifier (RFC 9215 §2): the digest of a TC26 256-bit TSA's
    /// tokens, and an imprint algorithm.
    Streebog256Tc26,
    /// Streebog-512 under the TC26 identifier (RFC 9215 §2): the digest of a TC26 512-bit TSA's
    /// tokens, and an imprint algorithm.
    Streebog512Tc26,
}

impl Hash {
    /// The imprint algorithms accepted (RFC 3161 §2.4.1: the TSA checks the hash algorithm is
    /// one it knows, and the imprint's length that of its output).
    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            ID_SHA256 => Some(Self::Sha256),
            ID_SHA384 => Some(Self::Sha384),
            ID_SHA512 => Some(Self::Sha512),
            ID_NCA_STREEBOG512 => Some(Self::Streebog512),
            ID_TC26_STREEBOG256 => Some(Self::Streebog256Tc26),
            ID_TC26_STREEBOG512 => Some(Self::Streebog512Tc26),
            _ => None,
        }
    }

    fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha256 => ID_SHA256,
            Self::Sha384 => ID_SHA384,
            Self::Sha512 => ID_SHA512,
            Self::Streebog512 => ID_NCA_STREEBOG512,
            Self::Streebog256Tc26 => ID_TC26_STREEBOG256,
            Self::Streebog512Tc26 => ID_TC26_STREEBOG512,
        }
    }

    /// The digest AlgorithmIdentifier's parameters: absent for SHA-2 (RFC 5754 §2), NULL for
    /// Streebog, as the national center's own timestamp tokens and OpenSSL's GOST engine write
    /// it.
    fn parameters(self) -> Option<Any> {
        match self {
            Self::Sha256 | Self::Sha384 | Self::Sha512 => None,
            Self::Streebog512 | Self::Streebog256Tc26 | Self::Streebog512Tc26 => Some(Any::null()),
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => digest::digest(&digest::SHA256, data).as_ref().to_vec(),
            Self::Sha384 => digest::digest(&digest::SHA384, data).as_ref().to_vec(),
            Self::Sha512 => digest::digest(&digest::SHA512, data).as_ref().to_vec(),
            Self::Streebog512 | Self::Streebog512Tc26 => eds_gost::Hash::Streebog512.digest(data),
            Self::Streebog256Tc26 => eds_gost::Hash::Streebog256.digest(data),
        }
    }

    fn output_len(self) -> usize {
        match self {
            Self::Sha256 | Self::Streebog256Tc26 => 32,
            Self::Sha384 => 48,
            Self::Sha512 | Self::Streebog512 | Self::Streebog512Tc26 => 64,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Streebog512 | Self::Streebog512Tc26 => "Streebog-512",
            Self::Streebog256Tc26 => "Streebog-256",
        }
    }
}

/// RFC 5035 §3 SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies
/// OPTIONAL (absent) }.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// RFC 5035 §4 ESSCertIDv2, hashAlgorithm left at its DEFAULT id-sha256 (so absent in DER).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// RFC 5035 §4 IssuerSerial.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: X509Serial,
}

/// The next serials of this process: `next..end` are its own.
#[derive(Debug)]
struct SerialBlock {
    next: u64,
    end: u64,
}

/// The timestamp authority: the TSA's key and certificate, what every token repeats (encoded
/// once), and the serial block in use.
///
/// `Send + Sync`: share one behind an `Arc`. Build it with [`TimestampAuthority::load`], and
/// load again when [`TimestampAuthority::renewal_due`] says so.
pub struct TimestampAuthority {
    key: CenterKey,
    hash: Hash,
    signature_algorithm: AlgorithmIdentifierOwned,
    certificate: Certificate,
    certificate_der: Vec<u8>,
    sid: SignerIdentifier,
    /// The TSA's name for TSTInfo's `tsa` field.
    name: GeneralName,
    /// The signingCertificateV2 attribute, built once.
    signing_certificate: Attribute,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    options: TsaOptions,
    serials: Mutex<SerialBlock>,
    watch: SignerWatch,
    /// The center's data folder, where a notice of cessation is recorded (EDS law art. 22).
    dir: std::path::PathBuf,
}

impl std::fmt::Debug for TimestampAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimestampAuthority")
            .field("policy", &self.options.policy)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl TimestampAuthority {
    /// The authority with the TSA certificate on disk, or a newly issued one when there is none
    /// usable at `now` for more than [`RENEW_BEFORE`]. `passphrase` unlocks the TSA's key (and
    /// the issuing center's when a certificate is issued).
    pub fn load(
        center: &Center,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
        options: TsaOptions,
    ) -> Result<TimestampAuthority, CaError> {
        let (der, key) = center.tsa_signer(passphrase, now, rng)?;
        TimestampAuthority::new(der, key, options, center.dir())
    }

    fn new(
        certificate_der: Vec<u8>,
        key: CenterKey,
        options: TsaOptions,
        dir: &std::path::Path,
    ) -> Result<TimestampAuthority, CaError> {
        let cert_path = dir.join(CERT_FILE);
        let internal = |what: &str, e: der::Error| CaError::Internal {
            reason: format!("{what}: {e}"),
        };
        let certificate = CertificateInner::from_der(&certificate_der)
            .map_err(|e| internal("TSA certificate", e))?;
        let tbs = &certificate.tbs_certificate;
        let (hash, signature_algorithm) = signature_algorithm(&key)?;
        let signing_certificate = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                cert_hash: OctetString::new(
                    digest::digest(&digest::SHA256, &certificate_der).as_ref(),
                )
                .map_err(|e| internal("certificate hash", e))?,
                issuer_serial: IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                    serial_number: tbs.serial_number.clone(),
                },
            }],
        };
        let signing_certificate = attribute(ID_AA_SIGNING_CERTIFICATE_V2, &signing_certificate)
            .map_err(|e| internal("signingCertificateV2", e))?;
        let validity = &tbs.validity;
        let not_before = unix_time(validity.not_before.to_unix_duration())?;
        let not_after = unix_time(validity.not_after.to_unix_duration())?;
        let serial = Serial::from_der_content(tbs.serial_number.as_bytes()).map_err(|e| {
            CaError::Internal {
                reason: format!("TSA certificate serial: {e}"),
            }
        })?;
        let watch = SignerWatch::new(serial, cert_path);
        Ok(TimestampAuthority {
            key,
            hash,
            signature_algorithm,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer.clone(),
                serial_number: tbs.serial_number.clone(),
            }),
            name: GeneralName::DirectoryName(tbs.subject.clone()),
            signing_certificate,
            not_before,
            not_after,
            certificate,
            certificate_der,
            options,
            serials: Mutex::new(SerialBlock { next: 0, end: 0 }),
            watch,
            dir: dir.to_path_buf(),
        })
    }

    /// Answers one DER `TimeStampReq` with one DER `TimeStampResp` (see the module
    /// documentation); `store` is the register serial blocks are reserved in (written once per
    /// [`SERIAL_BLOCK`] tokens).
    pub fn answer(&self, store: &dyn Store, request_der: &[u8], now: OffsetDateTime) -> TsaAnswer {
        match self.grant(store, request_der, now) {
            Ok(answer) => answer,
            Err(problem) => TsaAnswer {
                der: rejection(&problem),
                problem: Some(problem),
                serial: None,
                gen_time: None,
            },
        }
    }

    /// The TSA's certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The policy of the tokens.
    pub fn policy(&self) -> ObjectIdentifier {
        self.options.policy
    }

    /// notAfter of the TSA's certificate.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// What the last answer found of the TSA's certificate (see
    /// [`crate::ocsp::Responder::signer_state`]): the server loads a new authority unless it is
    /// [`SignerState::Current`].
    pub fn signer_state(&self) -> SignerState {
        self.watch.last()
    }

    /// Whether [`TimestampAuthority::load`] should be called again: the certificate is not yet
    /// valid, its key has signed for [`KEY_USAGE`], or it expires within [`RENEW_BEFORE`].
    pub fn renewal_due(&self, now: OffsetDateTime) -> bool {
        now < self.not_before
            || now - self.not_before >= KEY_USAGE
            || self.not_after - now < RENEW_BEFORE
    }

    fn grant(
        &self,
        store: &dyn Store,
        request_der: &[u8],
        now: OffsetDateTime,
    ) -> Result<TsaAnswer, TsaProblem> {
        check_not_ceased(&self.dir, now)?;
        let request = parse_request(request_der, &self.options)?;
        let now = truncate_to_seconds(now);
        if now < self.not_before || now >= self.not_after {
            return Err(TsaProblem::NotValid {
                at: now,
                not_before: self.not_before,
                not_after: self.not_after,
            });
        }
        let epoch = store.audit_head().map_err(TsaProblem::Store)?.entries;
        if self.watch.check(store, epoch).map_err(TsaProblem::Store)? == SignerState::Revoked {
            return Err(TsaProblem::SignerRevoked {
                serial: self.watch.serial().to_string(),
            });
        }
        let serial = self.next_serial(store, now)?;
        let tst = TstInfo {
            version: TspVersion::V1,
            policy: self.options.policy,
            message_imprint: request.message_imprint,
            serial_number: unsigned_int(serial).map_err(signing)?,
            gen_time: generalized(now)?,
            accuracy: Some(Accuracy {
                seconds: Some(self.options.accuracy_seconds.max(1)),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: request.nonce,
            tsa: Some(self.name.clone()),
            extensions: None,
        };
        let token = self.sign(&tst, request.cert_req)?;
        let response = Response {
            status: StatusInfo {
                status: STATUS_GRANTED,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(token),
        };
        Ok(TsaAnswer {
            der: response.to_der().map_err(signing)?,
            problem: None,
            serial: Some(serial),
            gen_time: Some(now),
        })
    }

    /// A serial no token of this register has had: the next of this process's block, or the
    /// first of a newly reserved one.
    fn next_serial(&self, store: &dyn Store, now: OffsetDateTime) -> Result<u64, TsaProblem> {
        let mut block = match self.serials.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if block.next >= block.end {
            let n = store
                .next_value(
                    Counter::TsaSerialBlock,
                    &AuditEvent {
                        at: now,
                        actor: "tsa".into(),
                        action: "tsa-serials-reserved".into(),
                        details: json!({ "block_size": SERIAL_BLOCK }),
                    },
                )
                .map_err(TsaProblem::Store)?;
            let start = n
                .checked_mul(SERIAL_BLOCK)
                .ok_or_else(|| TsaProblem::Signing {
                    reason: format!("serial block {n} is past the 64-bit range"),
                })?;
            block.next = start;
            block.end = start.saturating_add(SERIAL_BLOCK);
        }
        let serial = block.next;
        block.next += 1;
        Ok(serial)
    }

    /// The TimeStampToken: SignedData over the TSTInfo (RFC 3161 §2.4.2, RFC 5652 §5).
    fn sign(&self, tst: &TstInfo, cert_req: bool) -> Result<ContentInfo, TsaProblem> {
        let tst_der = tst.to_der().map_err(signing)?;
        let content_digest = self.hash.digest(&tst_der);
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(ID_CONTENT_TYPE, &ID_CT_TST_INFO).map_err(signing)?,
            attribute(
                ID_MESSAGE_DIGEST,
                &OctetString::new(content_digest).map_err(signing)?,
            )
            .map_err(signing)?,
            self.signing_certificate.clone(),
        ])
        .map_err(signing)?;
        // RFC 5652 §5.4: the signature is over the DER of the attributes as a SET OF.
        let to_be_signed = signed_attrs.to_der().map_err(signing)?;
        let signature = self.key.sign(&to_be_signed).map_err(signing)?;
        let digest_algorithm = AlgorithmIdentifierOwned {
            oid: self.hash.oid(),
            parameters: self.hash.parameters(),
        };
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: self.sid.clone(),
            digest_alg: digest_algorithm.clone(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: self.signature_algorithm.clone(),
            signature: OctetString::new(signature).map_err(signing)?,
            unsigned_attrs: None,
        };
        let certificates = if cert_req {
            Some(CertificateSet(
                SetOfVec::try_from(vec![cms::cert::CertificateChoices::Certificate(
                    self.certificate.clone(),
                )])
                .map_err(signing)?,
            ))
        } else {
            None
        };
        let signed_data = SignedData {
            // RFC 5652 §5.1: version 3 since eContentType is not id-data.
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![digest_algorithm]).map_err(signing)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_CT_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, tst_der).map_err(signing)?),
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(signing)?),
        };
        Ok(ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(signing)?,
        })
    }
}

/// What a request asks, once checked.
#[derive(Debug)]
struct Checked {
    message_imprint: MessageImprint,
    nonce: Option<Int>,
    cert_req: bool,
}

/// Decodes and checks a `TimeStampReq` (RFC 3161 §2.4.1) against `options`; the checks of the
/// module documentation's table, in its order. Public for the fuzz target: it never panics.
pub fn check_request(request_der: &[u8], options: &TsaOptions) -> Result<(), TsaProblem> {
    parse_request(request_der, options).map(|_| ())
}

fn parse_request(request_der: &[u8], options: &TsaOptions) -> Result<Checked, TsaProblem> {
    let request = TimeStampReq::from_der(request_der).map_err(|e| TsaProblem::Malformed {
        reason: e.to_string(),
    })?;
    let imprint = request.message_imprint;
    let oid = imprint.hash_algorithm.oid;
    let params_ok = match &imprint.hash_algorithm.parameters {
        None => true,
        Some(p) => p.is_null(),
    };
    let hash =
        Hash::from_oid(&oid)
            .filter(|_| params_ok)
            .ok_or_else(|| TsaProblem::UnsupportedHash {
                oid: oid.to_string(),
            })?;
    let expected = hash.output_len();
    let found = imprint.hashed_message.as_bytes().len();
    if found != expected {
        return Err(TsaProblem::ImprintLength {
            algorithm: hash.name(),
            found,
            expected,
        });
    }
    if let Some(asked) = request.req_policy
        && asked != options.policy
    {
        return Err(TsaProblem::UnacceptedPolicy {
            asked: asked.to_string(),
            served: options.policy.to_string(),
        });
    }
    if let Some(ext) = request.extensions.iter().flatten().next() {
        return Err(TsaProblem::UnacceptedExtension {
            oid: ext.extn_id.to_string(),
        });
    }
    if let Some(nonce) = &request.nonce
        && nonce.as_bytes().len() > MAX_NONCE_LEN
    {
        return Err(TsaProblem::NonceTooLong {
            found: nonce.as_bytes().len(),
            max: MAX_NONCE_LEN,
        });
    }
    Ok(Checked {
        message_imprint: imprint,
        nonce: request.nonce,
        cert_req: request.cert_req,
    })
}

/// EDS law art. 22: [`TsaProblem::Ceased`] from the stop day of the notice of cessation
/// recorded in the data folder `dir` on.
fn check_not_ceased(dir: &std::path::Path, now: OffsetDateTime) -> Result<(), TsaProblem> {
    match crate::cessation::check_active(dir, now) {
        Ok(_) => Ok(()),
        Err(crate::cessation::CessationError::TermEnded { stops_on, on }) => {
            Err(TsaProblem::Ceased { stops_on, on })
        }
        Err(e) => Err(TsaProblem::Signing {
            reason: format!("read the notice of cessation: {e}"),
        }),
    }
}

/// The answer of a center that has no timestamp authority loaded because it stopped (EDS law
/// art. 22; `eds serve` loads none then, so that no TSA key is certified): the rejection
/// [`TsaProblem::Ceased`] read from the data folder `dir` at `now`. Should the center not have
/// stopped at `now` (its notice withdrawn by hand), `systemFailure`: no authority runs.
pub fn answer_without_authority(dir: &std::path::Path, now: OffsetDateTime) -> TsaAnswer {
    let problem = match check_not_ceased(dir, now) {
        Err(problem) => problem,
        Ok(()) => TsaProblem::Signing {
            reason: "no timestamp authority is loaded; restart the server".into(),
        },
    };
    TsaAnswer {
        der: rejection(&problem),
        problem: Some(problem),
        serial: None,
        gen_time: None,
    }
}

/// A `TimeStampResp` with status `rejection`, the problem's failInfo bit and its text.
fn rejection(problem: &TsaProblem) -> Vec<u8> {
    let text = problem.to_string();
    let status_string = Utf8StringRef::new(&text).ok().map(|s| vec![s]);
    let info = problem.fail_info();
    let encoded = info.bit_string().and_then(|fail_info| {
        Response {
            status: StatusInfo {
                status: STATUS_REJECTION,
                status_string,
                fail_info: Some(fail_info),
            },
            time_stamp_token: None,
        }
        .to_der()
    });
    encoded.unwrap_or_else(|_| fallback_rejection(info))
}

/// SEQUENCE { SEQUENCE { INTEGER 2, BIT STRING failInfo } } written out by hand: the encoder
/// above does not fail on these values, this keeps an answer should it ever do.
fn fallback_rejection(info: FailInfo) -> Vec<u8> {
    let bit = info.bit();
    let octets = usize::from(bit / 8) + 1;
    let mut bits = vec![0u8; octets];
    if let Some(b) = bits.get_mut(usize::from(bit / 8)) {
        *b = 0x80 >> (bit % 8);
    }
    let unused = 7 - (bit % 8);
    let bit_string_len = u8::try_from(octets + 1).unwrap_or(0);
    let mut status = vec![0x02, 0x01, 0x02, 0x03, bit_string_len, unused];
    status.extend_from_slice(&bits);
    let status_len = u8::try_from(status.len()).unwrap_or(0);
    let mut out = vec![0x30, status_len + 2, 0x30, status_len];
    out.extend_from_slice(&status);
    out
}

fn attribute<T: Encode>(oid: ObjectIdentifier, value: &T) -> der::Result<Attribute> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(&value.to_der()?)?])?,
    })
}

/// A non-negative INTEGER of `value`'s big-endian octets, minimal.
fn unsigned_int(value: u64) -> der::Result<Int> {
    let be = value.to_be_bytes();
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len() - 1);
    let mut bytes = Vec::with_capacity(9);
    if be.get(start).is_some_and(|b| b & 0x80 != 0) {
        bytes.push(0);
    }
    bytes.extend_from_slice(be.get(start..).unwrap_or(&[0]));
    Int::new(&bytes)
}

fn generalized(t: OffsetDateTime) -> Result<GeneralizedTime, TsaProblem> {
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| TsaProblem::Signing {
        reason: format!("{t} is before 1970"),
    })?;
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs)).map_err(signing)
}

fn unix_time(d: std::time::Duration) -> Result<OffsetDateTime, CaError> {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| CaError::Internal {
            reason: "TSA certificate validity out of range".into(),
        })
}

fn signing(e: impl std::fmt::Display) -> TsaProblem {
    TsaProblem::Signing {
        reason: e.to_string(),
    }
}

/// The digest and CMS signature algorithm of the TSA's key (RFC 5754 §3.3 ECDSA; RFC 8419 §3.1
/// Ed25519 with SHA-512 as the digest of the signed attributes; a GOST 2015-512 key with
/// Streebog-512 and the national center's signature identifier, as its own tokens carry them; a
/// TC26 key with the Streebog of its size and the TC26 signature identifier, RFC 9215 §3).
fn signature_algorithm(key: &CenterKey) -> Result<(Hash, AlgorithmIdentifierOwned), CaError> {
    let unsupported = |what: String| CaError::KeyFile {
        path: KEY_FILE.into(),
        reason: format!("TSA key of unsupported algorithm {what}"),
    };
    let hash = match key.algorithm() {
        Some(KeyAlgorithm::P256) => Hash::Sha256,
        Some(KeyAlgorithm::P384) => Hash::Sha384,
        Some(KeyAlgorithm::Ed25519) => Hash::Sha512,
        Some(KeyAlgorithm::Gost2015_512) => Hash::Streebog512,
        Some(KeyAlgorithm::Gost2012_256Tc26) => Hash::Streebog256Tc26,
        Some(KeyAlgorithm::Gost2012_512Tc26) => Hash::Streebog512Tc26,
        None => {
            let name = match key {
                CenterKey::Ring(k) => format!("{:?}", rcgen::PublicKeyData::algorithm(k)),
                other => format!("{other:?}"),
            };
            return Err(unsupported(name));
        }
    };
    let algorithm = key
        .signature_algorithm()
        .map_err(|e| unsupported(e.to_string()))?;
    Ok((hash, algorithm))
}

/// The TSA's certificate, for [`crate::delegated`].
const DELEGATED: Delegated = Delegated {
    what: "TSA certificate",
    cert_file: CERT_FILE,
    key_file: KEY_FILE,
    role: crate::center_key::KeyRole::Tsa,
    pending_key_file: PENDING_KEY_FILE,
    lock_file: LOCK_FILE,
    kind: KIND,
    actor: "tsa",
    action: "tsa-signer-issued",
    validity_days: VALIDITY_DAYS,
    key_usage: Some(KEY_USAGE),
    renew_before: RENEW_BEFORE,
    template: tsa_params,
};

impl Center {
    /// Issues a new TSA certificate and makes it the authority's, whatever the current one is:
    /// the issuing center certifies a fresh key of the center's algorithm with key usage
    /// digitalSignature and nonRepudiation and the critical extended key usage
    /// id-kp-timeStamping only (RFC 3161 §2.3), valid [`VALIDITY_DAYS`] days but never past the
    /// issuing center's certificate. Recorded in the register with kind [`KIND`]; `tsa.key.pem`
    /// and `tsa.crt.pem` are replaced.
    pub fn issue_tsa_signer(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<CertificateRecord, CaError> {
        self.issue_delegated(&DELEGATED, passphrase, now, rng)
    }

    /// [`Center::issue_tsa_signer`] after the TSA's key was compromised: the current
    /// certificate is revoked for key compromise first, so that no token of that key is
    /// trusted from then on (RFC 3161 §4). Returns the new certificate and the revoked one.
    pub fn replace_compromised_tsa_signer(
        &self,
        passphrase: &[u8],
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(CertificateRecord, Option<CertificateRecord>), CaError> {
        self.replace_compromised_delegated(&DELEGATED, passphrase, actor, now, rng)
    }

    /// The TSA's certificate (DER) and key: the current pair when usable at `now` for more
    /// than [`RENEW_BEFORE`], a newly issued one otherwise.
    pub(crate) fn tsa_signer(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(Vec<u8>, CenterKey), CaError> {
        self.delegated_signer(&DELEGATED, passphrase, now, rng)
    }
}

/// Template of the TSA certificate (RFC 3161 §2.3: id-kp-timeStamping as the only extended key
/// usage, critical; RFC 5280 §4.2.1.3: digitalSignature, nonRepudiation).
fn tsa_params(
    cfg: &CenterConfig,
    serial: [u8; 20],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, CaError> {
    let mut p = CertificateParams::default();
    p.distinguished_name = certs::ca_name(&format!("{} TSA", cfg.name));
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    p.not_before = not_before;
    p.not_after = not_after;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    p.use_authority_key_identifier_extension = true;
    p.key_identifier_method = KeyIdMethod::Sha256;
    // rcgen writes its extended key usage non-critical; RFC 3161 §2.3 wants it critical.
    let eku = vec![ID_KP_TIME_STAMPING]
        .to_der()
        .map_err(|e| CaError::build("TSA extended key usage", e))?;
    let mut ext = CustomExtension::from_oid_content(ID_CE_EXT_KEY_USAGE, eku);
    ext.set_criticality(true);
    // Unlike the OCSP signer (id-pkix-ocsp-nocheck), a TSA certificate's status is checked by
    // whoever relies on a token: it names the issuing center's CRL and OCSP responder.
    p.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![cfg.crl_url("issuing")],
    }];
    p.custom_extensions = vec![ext, certs::aia_extension(cfg)?];
    Ok(p)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_fallback_rejection_is_the_encoder_s_bytes() {
        for info in [
            FailInfo::BadAlg,
            FailInfo::BadDataFormat,
            FailInfo::TimeNotAvailable,
            FailInfo::UnacceptedPolicy,
            FailInfo::UnacceptedExtension,
            FailInfo::SystemFailure,
        ] {
            let encoded = Response {
                status: StatusInfo {
                    status: STATUS_REJECTION,
                    status_string: None,
                    fail_info: Some(info.bit_string().unwrap()),
                },
                time_stamp_token: None,
            }
            .to_der()
            .unwrap();
            assert_eq!(fallback_rejection(info), encoded, "{info:?}");
        }
    }

    #[test]
    fn ok_serial_integers_are_minimal_and_positive() {
        for (value, der) in [
            (0u64, vec![0x00]),
            (0x7F, vec![0x7F]),
            (0x80, vec![0x00, 0x80]),
            (0x01_0000, vec![0x01, 0x00, 0x00]),
            (
                u64::MAX,
                vec![0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            ),
        ] {
            assert_eq!(unsigned_int(value).unwrap().as_bytes(), der.as_slice());
        }
    }
}
