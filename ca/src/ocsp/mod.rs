//! The OCSP responder of the issuing center (RFC 6960, with the RFC 5019 profile for volume): EDS
//! law art. 21.1(4), confirming the validity of a registration certificate at any hour.
//!
//! [`Responder`] holds the delegated signing key and certificate ([`signer`]), the issuing
//! center's identifiers and a cache of signed answers ([`cache`] explains why a cached answer is
//! never stale, across processes). [`Responder::respond`] turns one DER `OCSPRequest` into one DER
//! `OCSPResponse` and never fails: what went wrong is the response status.
//!
//! What the answers say, per CertID of the request (RFC 6960 §2.2, §4.2.1):
//!
//! - `good`: a certificate of the issuing center in the register, not revoked (expired ones
//!   included: status is about revocation, and the register keeps them);
//! - `revoked`: with revocationTime the moment the revocation entered the register (as in the CRL)
//!   and the reason, omitted for unspecified (RFC 5280 §5.3.1); the invalidity date, when known,
//!   as a singleExtension (RFC 6960 §4.4.5 allows the CRL entry extensions there);
//! - `unknown`: anything else — a serial the center never issued, a certificate of another issuer
//!   (the root's), a CertID whose issuer hashes are not the issuing center's, or whose hash
//!   algorithm is not SHA-1, SHA-256, SHA-384 or SHA-512. Never `good` for those.
//!
//! Every successful response has producedAt = thisUpdate = `now` (to the second), nextUpdate =
//! thisUpdate + [`NEXT_UPDATE`] (shorter if the CRL validity is, and never past the responder
//! certificate), responderID byKey, the responder's certificate in `certs`, and the nonce echoed
//! when the request has one (RFC 6960 §4.4.1, RFC 9654).
//!
//! Non-successful statuses (RFC 6960 §4.2.1): `malformedRequest` for anything that is not one DER
//! `OCSPRequest` of 1 to [`MAX_CERT_IDS`] CertIDs without an unknown critical extension, and for
//! a nonce of 0 or more than 128 octets (RFC 9654 §2.1, which obsoletes RFC 8954 and raised its
//! bound of 32); `internalError` when the register or the signature fails; `tryLater` when `now`
//! is outside the responder certificate's validity, or when that certificate was revoked (call
//! [`Responder::load`] again: [`Responder::signer_state`] says when). Requests are not
//! required to be signed (RFC 6960 §4.1.2); a signature on one is not checked.

mod cache;
pub mod signer;

use std::sync::Arc;

use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ring::digest;
use ring::rand::SecureRandom;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::CrlReason as X509CrlReason;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    ResponderId, ResponseData, RevokedInfo, SingleResponse, Version,
};

pub use x509_ocsp::OcspResponseStatus;

use crate::center::{Center, ISSUING, truncate_to_seconds};
use crate::center_key::CenterKey;
use crate::delegated::{SignerState, SignerWatch};
use crate::error::CaError;
use crate::store::{RevocationRecord, Serial, Store, StoreError};

use cache::{Cache, CachedAnswer};

/// nextUpdate − thisUpdate of every answer (RFC 5019 §2.2.4 asks for nextUpdate; one hour keeps
/// answers well inside the CRL's day of EDS law art. 18.3).
pub const NEXT_UPDATE: Duration = Duration::hours(1);

/// A cached answer is signed afresh once it is this old, so a client always gets at least
/// [`NEXT_UPDATE`] − `REFRESH_AFTER` of validity (RFC 5019 §6.2: pre-produced responses).
pub const REFRESH_AFTER: Duration = Duration::minutes(10);

/// Most CertIDs one request may carry; more is `malformedRequest` (a bound on the register
/// lookups one request can cause; RFC 6960 sets none).
pub const MAX_CERT_IDS: usize = 100;

/// Answers the cache of a [`Responder`] keeps by default (about 1 KiB each with P-256); see
/// [`Responder::with_cache_capacity`].
pub const DEFAULT_CACHE_CAPACITY: usize = 100_000;

/// RFC 6960 §4.4.1 id-pkix-ocsp-nonce.
const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// RFC 6960 §4.4.3 id-pkix-ocsp-response (acceptable response types; only basic exists).
const ID_PKIX_OCSP_RESPONSE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.4");
/// RFC 6960 §4.4.6 id-pkix-ocsp-service-locator (ignored: this responder answers itself).
const ID_PKIX_OCSP_SERVICE_LOCATOR: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.7");
/// RFC 6960 §4.4.7 id-pkix-ocsp-pref-sig-algs (ignored: the responder has one key).
const ID_PKIX_OCSP_PREF_SIG_ALGS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.8");
/// RFC 5280 §5.3.2 id-ce-invalidityDate.
const ID_CE_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
/// RFC 9654 §2.1: a nonce of more octets than this (or of none) is `malformedRequest`.
pub const MAX_NONCE_LEN: usize = 128;

/// Hash algorithms accepted in CertIDs (RFC 6960 §4.1.1), with ring's implementation.
const CERT_ID_HASHES: [(ObjectIdentifier, &digest::Algorithm); 4] = [
    (
        ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
        &digest::SHA1_FOR_LEGACY_USE_ONLY,
    ),
    (
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
        &digest::SHA256,
    ),
    (
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2"),
        &digest::SHA384,
    ),
    (
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3"),
        &digest::SHA512,
    ),
];

/// The OCSP responder: the delegated signing key and certificate (RFC 6960 §4.2.2.2), the issuing
/// center's CertID hashes (RFC 6960 §4.1.1), and a cache of signed answers.
///
/// `Send + Sync`: share one behind an `Arc`. Build it with [`Responder::load`], and load again
/// when [`Responder::renewal_due`] says so (the certificate lives [`signer::VALIDITY_DAYS`] days).
pub struct Responder {
    key: CenterKey,
    signature_algorithm: AlgorithmIdentifierOwned,
    certificate: Certificate,
    certificate_der: Vec<u8>,
    responder_id: ResponderId,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    issuer_ids: Vec<IssuerId>,
    validity: Duration,
    cache: Cache,
    watch: SignerWatch,
    issuer_signed: bool,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// The issuing center as one hash algorithm sees it in a CertID (RFC 6960 §4.1.1).
#[derive(Debug, Clone)]
struct IssuerId {
    hash: ObjectIdentifier,
    /// Hash of the DER of the issuing center's subject name.
    name_hash: Vec<u8>,
    /// Hash of its subjectPublicKey BIT STRING contents (without the unused-bits octet).
    key_hash: Vec<u8>,
}

/// One response of [`Responder::answer`], with what the HTTP layer needs for its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The `OCSPResponse`, DER (RFC 6960 §4.2.1): the body, `application/ocsp-response`.
    pub der: Vec<u8>,
    /// Its responseStatus.
    pub status: OcspResponseStatus,
    /// Why the status is not `successful`, for the log.
    pub problem: Option<Problem>,
    /// producedAt and thisUpdate of a successful response (`Last-Modified`, RFC 5019 §6.2).
    pub produced_at: Option<OffsetDateTime>,
    /// nextUpdate of a successful response (`Expires`, and `max-age` ≤ nextUpdate − now, RFC
    /// 5019 §6.2).
    pub next_update: Option<OffsetDateTime>,
    /// No nonce was echoed: the same bytes answer everyone asking this CertID until nextUpdate,
    /// so HTTP caches may keep them (RFC 5019 §6.2). False for error statuses.
    pub cacheable: bool,
    /// The bytes came from the responder's cache.
    pub from_cache: bool,
}

/// Why a request got a status other than `successful` (RFC 6960 §4.2.1). A verdict for the log,
/// not an error of the call: the response carrying the status is in [`Answer::der`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// `malformedRequest`: not one DER `OCSPRequest` (RFC 6960 §4.1.1), with the decoder's
    /// message and byte position.
    #[error("decode the OCSP request: {reason}")]
    Malformed {
        /// What and where.
        reason: String,
    },
    /// `malformedRequest`: the requestList is empty.
    #[error("read the OCSP request: it asks about no certificate")]
    NoCertIds,
    /// `malformedRequest`: more CertIDs than [`MAX_CERT_IDS`].
    #[error("read the OCSP request: {found} CertIDs, at most {max} are answered")]
    TooManyCertIds {
        /// CertIDs in the request.
        found: usize,
        /// The limit.
        max: usize,
    },
    /// `malformedRequest`: a critical extension this responder does not understand (RFC 6960
    /// §4.4: unrecognised extensions are ignored unless critical).
    #[error("read the OCSP request: critical extension {oid} is not supported")]
    UnsupportedCriticalExtension {
        /// Its object identifier, dotted.
        oid: String,
    },
    /// `malformedRequest`: the nonce is not an OCTET STRING of 1 to [`MAX_NONCE_LEN`] octets
    /// (RFC 9654 §2.1: a responder MUST reject 0 or more than 128 octets).
    #[error("read the OCSP request: a nonce of {found} octets, 1 to {max} are allowed")]
    BadNonce {
        /// Octets of the nonce (of the whole extension value when it is not an OCTET STRING).
        found: usize,
        /// The limit.
        max: usize,
    },
    /// `tryLater`: the responder's own certificate was revoked; it signs nothing more (load a
    /// new responder).
    #[error("answer: the responder's certificate {serial} is revoked; load a new responder")]
    ResponderRevoked {
        /// The responder certificate's serial.
        serial: String,
    },
    /// `internalError`: the register could not be read.
    #[error("read the register: {0}")]
    Store(StoreError),
    /// `internalError`: encoding or signing the response failed.
    #[error("sign the OCSP response: {reason}")]
    Signing {
        /// The encoder's or signer's message.
        reason: String,
    },
    /// `tryLater`: `at` is outside the responder certificate's validity; load a new responder.
    #[error("answer at {at}: the responder certificate is valid from {not_before} to {not_after}")]
    ResponderNotValid {
        /// The request's time.
        at: OffsetDateTime,
        /// notBefore of the responder certificate.
        not_before: OffsetDateTime,
        /// notAfter of the responder certificate.
        not_after: OffsetDateTime,
    },
}

impl Problem {
    /// The response status this problem is answered with (RFC 6960 §4.2.1).
    pub fn status(&self) -> OcspResponseStatus {
        match self {
            Self::Malformed { .. }
            | Self::NoCertIds
            | Self::TooManyCertIds { .. }
            | Self::UnsupportedCriticalExtension { .. }
            | Self::BadNonce { .. } => OcspResponseStatus::MalformedRequest,
            Self::Store(_) | Self::Signing { .. } => OcspResponseStatus::InternalError,
            Self::ResponderNotValid { .. } | Self::ResponderRevoked { .. } => {
                OcspResponseStatus::TryLater
            }
        }
    }
}

impl Responder {
    /// Loads the delegated responder from the data folder, issuing its certificate first if
    /// absent (RFC 6960 §4.2.2.2).
    ///
    /// A new certificate is issued ([`Center::issue_ocsp_signer`]) when there is none, when it
    /// expires within [`signer::RENEW_BEFORE`] of `now` or is not valid yet, when it was revoked
    /// or is missing from the register, when the issuing center's certificate changed, or when the
    /// key file does not hold its key. `passphrase` decrypts the responder's key (and, to issue,
    /// the issuing center's); a wrong one is [`CaError::WrongPassphrase`]. Takes about a second:
    /// the key's PBKDF2 runs once here, never per request.
    ///
    /// A center whose cessation's stop day has come (EDS law art. 22) certifies no new key: its
    /// responder signs with the issuing center's own key and certificate instead (RFC 6960
    /// §4.2.2.2), so it keeps answering for as long as the issuing certificate is valid
    /// ([`Responder::signs_as_issuer`]).
    pub fn load(
        center: &Center,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Responder, CaError> {
        if let Err(CaError::Ceased { .. }) =
            center.check_active_for(now, crate::center::Activity::CertifySigner)
        {
            // EDS law art. 22: from its stop day the center certifies no new key, yet relying
            // parties must still learn the status of what it issued. The issuing center signs
            // its answers itself (RFC 6960 §4.2.2.2: the CA that issued the certificate is an
            // authorised responder), for as long as its certificate is valid.
            let issuing = center.unlock(passphrase)?;
            return Responder::new(
                center,
                center.issuing_der().to_vec(),
                issuing.into_key(),
                center.dir().join("issuing.crt.pem"),
            );
        }
        let (certificate_der, key) = center.ocsp_signer(passphrase, now, rng)?;
        Responder::new(
            center,
            certificate_der,
            key,
            center.dir().join(signer::CERT_FILE),
        )
    }

    /// Whether this responder signs with the issuing center's own key (a center that stopped,
    /// EDS law art. 22) rather than a delegated responder certificate.
    pub fn signs_as_issuer(&self) -> bool {
        self.issuer_signed
    }

    /// Keeps at most `entries` signed answers (0 disables the cache); the default is
    /// [`DEFAULT_CACHE_CAPACITY`]. Memory is about 1 KiB per entry with P-256.
    pub fn with_cache_capacity(mut self, entries: usize) -> Responder {
        self.cache = Cache::new(entries);
        self
    }

    /// Answers one DER `OCSPRequest` (RFC 6960 §4.1.1; RFC 5019 §2.1). Always returns a DER
    /// `OCSPResponse` (RFC 6960 §4.2.1): a malformed request gets `malformedRequest`, a store
    /// failure `internalError`, never a panic. See [`Responder::answer`] for the details the HTTP
    /// layer needs.
    pub fn respond(&self, store: &dyn Store, request_der: &[u8], now: OffsetDateTime) -> Vec<u8> {
        self.answer(store, request_der, now).der
    }

    /// [`Responder::respond`] with the response's status, times and cacheability.
    ///
    /// A request of one CertID whose nonce is not echoed is answered from the cache when the
    /// register has not changed since the answer was signed and it is less than
    /// [`REFRESH_AFTER`] old (RFC 5019 §2.2.1, §6.2); every other request is signed afresh.
    pub fn answer(&self, store: &dyn Store, request_der: &[u8], now: OffsetDateTime) -> Answer {
        match self.try_answer(store, request_der, now) {
            Ok(answer) => answer,
            Err(problem) => {
                let status = problem.status();
                Answer {
                    der: error_response(status),
                    status,
                    problem: Some(problem),
                    produced_at: None,
                    next_update: None,
                    cacheable: false,
                    from_cache: false,
                }
            }
        }
    }

    /// Forgets cached answers for a serial (the server calls it after a revocation through the
    /// API).
    ///
    /// Not needed for correctness: every answer is served only while the register's change
    /// counter (the audit log's length, which every revocation in any process advances in its
    /// own transaction) equals the value read before the status was looked up, so a revocation
    /// by another process is seen by the very next request. See the `cache` module.
    pub fn invalidate(&self, serial: &Serial) {
        self.cache.invalidate(serial.as_bytes());
    }

    /// The responder's certificate, DER (it is also in every response's `certs`).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// notAfter of the responder's certificate.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// Whether [`Responder::load`] would issue a new certificate at `now`: the server reloads
    /// when this turns true (at the latest [`signer::RENEW_BEFORE`] before notAfter).
    pub fn renewal_due(&self, now: OffsetDateTime) -> bool {
        now < self.not_before || self.not_after - now < signer::RENEW_BEFORE
    }

    /// What the last answer found of the responder's certificate: still the one in the data
    /// folder and not revoked ([`SignerState::Current`]), replaced on disk by `eds ca rotate
    /// ocsp` ([`SignerState::Superseded`]: it still signs), or revoked ([`SignerState::Revoked`]:
    /// every answer is `tryLater`). The server loads a new responder unless it is `Current`.
    pub fn signer_state(&self) -> SignerState {
        self.watch.last()
    }

    /// Number of signed answers in the cache.
    pub fn cached_answers(&self) -> usize {
        self.cache.len()
    }

    fn new(
        center: &Center,
        certificate_der: Vec<u8>,
        key: CenterKey,
        cert_path: std::path::PathBuf,
    ) -> Result<Responder, CaError> {
        let internal = |what: &str, e: der::Error| CaError::Internal {
            reason: format!("{what}: {e}"),
        };
        let certificate = Certificate::from_der(&certificate_der)
            .map_err(|e| internal("OCSP signing certificate", e))?;
        let issuing = Certificate::from_der(center.issuing_der())
            .map_err(|e| internal("issuing certificate", e))?;
        let name_der = issuing
            .tbs_certificate
            .subject
            .to_der()
            .map_err(|e| internal("issuing certificate name", e))?;
        let issuer_key = issuing
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        let issuer_ids = CERT_ID_HASHES
            .iter()
            .map(|(oid, alg)| IssuerId {
                hash: *oid,
                name_hash: digest::digest(alg, &name_der).as_ref().to_vec(),
                key_hash: digest::digest(alg, issuer_key).as_ref().to_vec(),
            })
            .collect();
        // RFC 6960 §4.2.1 KeyHash: SHA-1 of the subjectPublicKey BIT STRING contents.
        let own_key = certificate
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        let key_hash =
            OctetString::new(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, own_key).as_ref())
                .map_err(|e| internal("responder key hash", e))?;
        let validity = &certificate.tbs_certificate.validity;
        let not_before = unix_time(validity.not_before.to_unix_duration())?;
        let not_after = unix_time(validity.not_after.to_unix_duration())?;
        let crl_validity = Duration::hours(i64::from(center.config().crl_validity_hours));
        let serial = Serial::from_der_content(certificate.tbs_certificate.serial_number.as_bytes())
            .map_err(|e| CaError::Internal {
                reason: format!("OCSP signing certificate serial: {e}"),
            })?;
        let watch = SignerWatch::new(serial, cert_path);
        let issuer_signed = certificate_der == center.issuing_der();
        Ok(Responder {
            issuer_signed,
            signature_algorithm: signature_algorithm(&key)?,
            key,
            certificate,
            certificate_der,
            responder_id: ResponderId::ByKey(key_hash),
            not_before,
            not_after,
            issuer_ids,
            validity: NEXT_UPDATE.min(crl_validity),
            cache: Cache::new(DEFAULT_CACHE_CAPACITY),
            watch,
        })
    }

    fn try_answer(
        &self,
        store: &dyn Store,
        request_der: &[u8],
        now: OffsetDateTime,
    ) -> Result<Answer, Problem> {
        let now = truncate_to_seconds(now);
        let request = OcspRequest::from_der(request_der).map_err(|e| Problem::Malformed {
            reason: e.to_string(),
        })?;
        let tbs = &request.tbs_request;
        match tbs.request_list.len() {
            0 => return Err(Problem::NoCertIds),
            n if n > MAX_CERT_IDS => {
                return Err(Problem::TooManyCertIds {
                    found: n,
                    max: MAX_CERT_IDS,
                });
            }
            _ => {}
        }
        let mut nonce = None;
        for ext in tbs.request_extensions.iter().flatten() {
            if ext.extn_id == ID_PKIX_OCSP_NONCE {
                nonce = Some(echoed_nonce(ext)?);
            } else if ext.critical
                && ext.extn_id != ID_PKIX_OCSP_RESPONSE
                && ext.extn_id != ID_PKIX_OCSP_PREF_SIG_ALGS
            {
                return Err(unsupported(ext));
            }
        }
        for req in &tbs.request_list {
            if let Some(ext) = req
                .single_request_extensions
                .iter()
                .flatten()
                .find(|e| e.critical && e.extn_id != ID_PKIX_OCSP_SERVICE_LOCATOR)
            {
                return Err(unsupported(ext));
            }
        }
        if now < self.not_before || now >= self.not_after {
            return Err(Problem::ResponderNotValid {
                at: now,
                not_before: self.not_before,
                not_after: self.not_after,
            });
        }

        // The register epoch, read before any status is looked up (see the `cache` module); when
        // it moved, the responder's own certificate is looked up again (revoked: no signature).
        let epoch = store.audit_head().map_err(Problem::Store)?.entries;
        if self.watch.check(store, epoch).map_err(Problem::Store)? == SignerState::Revoked {
            return Err(Problem::ResponderRevoked {
                serial: self.watch.serial().to_string(),
            });
        }

        let this_update = now;
        let next_update = (now + self.validity).min(self.not_after);
        // Only a request of one CertID whose nonce is not echoed goes through the cache (RFC
        // 5019 §2.1.1 requests); it is filed under the epoch. Other requests are signed afresh.
        let key = match (nonce.is_none(), tbs.request_list.as_slice()) {
            (true, [one]) => {
                let id = &one.req_cert;
                Some((
                    id.serial_number.as_bytes(),
                    id.to_der().map_err(signing)?,
                    epoch,
                ))
            }
            _ => None,
        };
        if let Some((serial, id_der, epoch)) = &key
            && let Some(hit) = self.cache.get(serial, id_der, *epoch, now)
        {
            return Ok(Answer {
                der: hit.der.to_vec(),
                status: OcspResponseStatus::Successful,
                problem: None,
                produced_at: Some(hit.this_update),
                next_update: Some(hit.next_update),
                cacheable: true,
                from_cache: true,
            });
        }

        let mut responses = Vec::with_capacity(tbs.request_list.len());
        for req in &tbs.request_list {
            let (cert_status, single_extensions) = self.status(store, &req.req_cert)?;
            responses.push(SingleResponse {
                cert_id: req.req_cert.clone(),
                cert_status,
                this_update: generalized(this_update)?,
                next_update: Some(generalized(next_update)?),
                single_extensions,
            });
        }
        let cacheable = nonce.is_none();
        let der = self.sign(responses, nonce, this_update)?;
        if let Some((serial, id_der, epoch)) = &key {
            self.cache.insert(
                serial,
                id_der,
                *epoch,
                CachedAnswer {
                    der: Arc::from(der.as_slice()),
                    this_update,
                    next_update,
                    refresh_at: this_update + REFRESH_AFTER,
                },
            );
        }
        Ok(Answer {
            der,
            status: OcspResponseStatus::Successful,
            problem: None,
            produced_at: Some(this_update),
            next_update: Some(next_update),
            cacheable,
            from_cache: false,
        })
    }

    /// The status of one CertID (RFC 6960 §2.2) and its singleExtensions.
    fn status(
        &self,
        store: &dyn Store,
        id: &CertId,
    ) -> Result<(CertStatus, Option<Vec<Extension>>), Problem> {
        let unknown = Ok((CertStatus::unknown(), None));
        if !self.is_issuing_center(id) {
            return unknown;
        }
        // A serial that is not a positive minimal INTEGER was never issued here.
        let Ok(serial) = Serial::from_der_content(id.serial_number.as_bytes()) else {
            return unknown;
        };
        let Some(record) = store.certificate(&serial).map_err(Problem::Store)? else {
            return unknown;
        };
        if record.issuer != ISSUING {
            return unknown;
        }
        match &record.revocation {
            None => Ok((CertStatus::good(), None)),
            Some(rev) => revoked(rev),
        }
    }

    /// Whether the CertID names the issuing center: a supported hash algorithm (parameters absent
    /// or NULL, RFC 5754 §2) and both hashes equal to ours (RFC 6960 §4.1.1).
    fn is_issuing_center(&self, id: &CertId) -> bool {
        let params_ok = match &id.hash_algorithm.parameters {
            None => true,
            Some(p) => p.is_null(),
        };
        params_ok
            && self.issuer_ids.iter().any(|i| {
                i.hash == id.hash_algorithm.oid
                    && i.name_hash.as_slice() == id.issuer_name_hash.as_bytes()
                    && i.key_hash.as_slice() == id.issuer_key_hash.as_bytes()
            })
    }

    /// Encodes and signs a `BasicOCSPResponse` (RFC 6960 §4.2.1) and wraps it in an
    /// `OCSPResponse`.
    fn sign(
        &self,
        responses: Vec<SingleResponse>,
        nonce: Option<Extension>,
        produced_at: OffsetDateTime,
    ) -> Result<Vec<u8>, Problem> {
        let tbs = ResponseData {
            version: Version::V1,
            responder_id: self.responder_id.clone(),
            produced_at: generalized(produced_at)?,
            responses,
            response_extensions: nonce.map(|n| vec![n]),
        };
        let tbs_der = tbs.to_der().map_err(signing)?;
        let signature = self.key.sign(&tbs_der).map_err(signing)?;
        let basic = BasicOcspResponse {
            tbs_response_data: tbs,
            signature_algorithm: self.signature_algorithm.clone(),
            signature: BitString::from_bytes(&signature).map_err(signing)?,
            certs: Some(vec![self.certificate.clone()]),
        };
        OcspResponse::successful(basic)
            .and_then(|r| r.to_der())
            .map_err(signing)
    }
}

/// `revoked` with revocationTime, the reason unless unspecified, and the invalidity date.
fn revoked(rev: &RevocationRecord) -> Result<(CertStatus, Option<Vec<Extension>>), Problem> {
    // By the RFC 5280 §5.3.1 code, so a reason added to the profile later maps too.
    let reason = match rev.reason.code() {
        1 => Some(X509CrlReason::KeyCompromise),
        2 => Some(X509CrlReason::CaCompromise),
        3 => Some(X509CrlReason::AffiliationChanged),
        4 => Some(X509CrlReason::Superseded),
        5 => Some(X509CrlReason::CessationOfOperation),
        6 => Some(X509CrlReason::CertificateHold),
        8 => Some(X509CrlReason::RemoveFromCRL),
        9 => Some(X509CrlReason::PrivilegeWithdrawn),
        10 => Some(X509CrlReason::AaCompromise),
        // unspecified (0) is omitted, as in the CRL.
        _ => None,
    };
    let status = CertStatus::revoked(RevokedInfo {
        revocation_time: generalized(rev.entered_at)?,
        revocation_reason: reason,
    });
    let extensions = match rev.invalidity_date {
        None => None,
        Some(at) => Some(vec![Extension {
            extn_id: ID_CE_INVALIDITY_DATE,
            critical: false,
            extn_value: OctetString::new(generalized(at)?.0.to_der().map_err(signing)?)
                .map_err(signing)?,
        }]),
    };
    Ok((status, extensions))
}

/// The request's nonce extension, to echo unchanged (RFC 6960 §4.4.1), when its value is an
/// OCTET STRING of 1 to 128 octets (RFC 9654 §2.1); anything else is `malformedRequest`.
fn echoed_nonce(ext: &Extension) -> Result<Extension, Problem> {
    let found = match OctetString::from_der(ext.extn_value.as_bytes()) {
        Ok(inner) => inner.as_bytes().len(),
        Err(_) => ext.extn_value.as_bytes().len(),
    };
    let well_formed = OctetString::from_der(ext.extn_value.as_bytes()).is_ok();
    if !well_formed || !(1..=MAX_NONCE_LEN).contains(&found) {
        return Err(Problem::BadNonce {
            found,
            max: MAX_NONCE_LEN,
        });
    }
    Ok(Extension {
        extn_id: ext.extn_id,
        critical: false,
        extn_value: ext.extn_value.clone(),
    })
}

fn unsupported(ext: &Extension) -> Problem {
    Problem::UnsupportedCriticalExtension {
        oid: ext.extn_id.to_string(),
    }
}

/// signatureAlgorithm of the responder's key: ecdsa-with-SHA256/384 (RFC 5758 §3.2, parameters
/// absent), Ed25519 (RFC 8410 §3) or the GOST profile's ([`CenterKey::signature_algorithm`]).
fn signature_algorithm(key: &CenterKey) -> Result<AlgorithmIdentifierOwned, CaError> {
    key.signature_algorithm().map_err(|e| match e {
        CaError::KeyFile { reason, .. } => CaError::KeyFile {
            path: signer::KEY_FILE.into(),
            reason: format!("OCSP signing key: {reason}"),
        },
        other => other,
    })
}

/// A bare `OCSPResponse` with a non-successful status (RFC 6960 §4.2.1: no responseBytes).
fn error_response(status: OcspResponseStatus) -> Vec<u8> {
    let response = OcspResponse {
        response_status: status,
        response_bytes: None,
    };
    response.to_der().unwrap_or_else(|_| {
        // SEQUENCE { ENUMERATED internalError }: the encoding above cannot fail for an
        // enumerated value, this is the same bytes written out.
        vec![0x30, 0x03, 0x0A, 0x01, 0x02]
    })
}

fn generalized(t: OffsetDateTime) -> Result<OcspGeneralizedTime, Problem> {
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| Problem::Signing {
        reason: format!("{t} is before 1970"),
    })?;
    der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map(|d| OcspGeneralizedTime(GeneralizedTime::from_date_time(d)))
        .map_err(signing)
}

fn unix_time(d: std::time::Duration) -> Result<OffsetDateTime, CaError> {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| CaError::Internal {
            reason: "OCSP signing certificate validity out of range".into(),
        })
}

fn signing(e: impl std::fmt::Display) -> Problem {
    Problem::Signing {
        reason: e.to_string(),
    }
}
