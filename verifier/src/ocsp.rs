//! OCSP (RFC 6960): build a request for one certificate, check the response.
//!
//! [`Request::new`] makes a `OCSPRequest` for (certificate, issuer) with a SHA-1 or SHA-256
//! CertID (RFC 6960 §4.1.1; SHA-1 here only names the certificate, it signs nothing) and
//! optionally a nonce of 32 random bytes (RFC 6960 §4.4.1, RFC 9654 §2.1).
//!
//! [`check_response`] accepts an `OCSPResponse` only when all of these hold, each failure being its
//! own [`OcspError`] variant:
//!
//! 1. responseStatus is `successful` and the response type is `id-pkix-ocsp-basic` (§4.2.1);
//! 2. a SingleResponse has the CertID of the certificate (issuer name hash, issuer key hash and
//!    serial, recomputed with the response's hash algorithm) (§4.2.2.3);
//! 3. the signer is authorised (§4.2.2.2): the responderID names the issuer itself, or a
//!    certificate included in the response that the issuer signed, that carries
//!    `id-kp-OCSPSigning` and that was valid at producedAt; whether that certificate carries
//!    `id-pkix-ocsp-nocheck` is reported, not required;
//! 4. the signature verifies over tbsResponseData as encoded (§4.2.1);
//! 5. when the request carried a nonce, the response echoes it exactly (§4.4.1);
//! 6. freshness against the caller's `now` (§4.2.2.1): thisUpdate not later than now + skew;
//!    nextUpdate, when present, not earlier than now − skew; without nextUpdate the answer is
//!    accepted for [`CheckOptions::max_age`] after thisUpdate.

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ring::rand::SecureRandom;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::CrlReason;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus,
    ResponderId, SingleResponse, TbsRequest,
};

use crate::cert::Cert;
use crate::crl::{Reason, canonical_serial, tlv};
use crate::crypto::{self, CryptoError, Digest};

/// `id-pkix-ocsp-basic` (RFC 6960 §4.2.1).
pub const OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// `id-pkix-ocsp-nonce` (RFC 6960 §4.4.1).
pub const OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// `id-pkix-ocsp-nocheck` (RFC 6960 §4.2.2.2.1).
pub const OCSP_NOCHECK: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// `id-kp-OCSPSigning` (RFC 5280 §4.2.1.12).
pub const KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");

/// Length of the nonces we send (RFC 9654 §2.1: 1 to 32 octets, 32 recommended).
pub const NONCE_LEN: usize = 32;

/// Why an OCSP response is not accepted, or a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// The bytes are not an `OCSPResponse` / `BasicOCSPResponse` (RFC 6960 §4.2.1).
    #[error("OCSP response does not decode: {detail}")]
    Malformed {
        /// What did not decode.
        detail: String,
    },
    /// responseStatus other than successful (RFC 6960 §4.2.1).
    #[error("the OCSP responder answered `{status}` instead of a status")]
    NotSuccessful {
        /// The status name (`malformedRequest`, `internalError`, `tryLater`, `sigRequired`,
        /// `unauthorized`).
        status: String,
    },
    /// A response type other than id-pkix-ocsp-basic.
    #[error("OCSP response type {oid} is not supported (only id-pkix-ocsp-basic)")]
    UnsupportedResponseType {
        /// The OID.
        oid: String,
    },
    /// No SingleResponse carries the certificate's CertID (RFC 6960 §4.2.2.3).
    #[error("the OCSP response has no answer for certificate serial {serial}")]
    NoMatchingResponse {
        /// The serial asked about (hex).
        serial: String,
    },
    /// The responder is neither the issuer nor a certificate the issuer authorised for OCSP
    /// (RFC 6960 §4.2.2.2).
    #[error("the OCSP response is signed by an unauthorised responder: {detail}")]
    UnauthorizedResponder {
        /// Why.
        detail: String,
    },
    /// The signature does not verify with the responder's key.
    #[error("the OCSP response signature does not verify with the key of `{signer}`")]
    BadSignature {
        /// The signer's subject.
        signer: String,
    },
    /// The signature algorithm or key cannot be used.
    #[error("the OCSP response signature cannot be checked: {0}")]
    Signature(CryptoError),
    /// The nonce we sent is not echoed (absent, or other bytes) (RFC 6960 §4.4.1).
    #[error("the OCSP response does not echo our nonce: {detail}")]
    NonceMismatch {
        /// Absent or different.
        detail: String,
    },
    /// The answer is too old: nextUpdate passed, or no nextUpdate and older than the allowed
    /// age (RFC 6960 §4.2.2.1).
    #[error("the OCSP answer is stale: {detail}")]
    Stale {
        /// Which time and by how much.
        detail: String,
    },
    /// thisUpdate lies in the future beyond the allowed clock skew.
    #[error("the OCSP answer claims a thisUpdate in the future: {detail}")]
    NotYetValid {
        /// Which time.
        detail: String,
    },
    /// A request could not be built (the certificate does not encode, no randomness).
    #[error("could not build the OCSP request: {detail}")]
    Request {
        /// Why.
        detail: String,
    },
}

/// The certificate's status in an accepted response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Status {
    /// good.
    Good,
    /// revoked, with revocationTime and the reason when given.
    Revoked {
        /// revocationTime.
        #[serde(with = "time::serde::rfc3339")]
        time: OffsetDateTime,
        /// revocationReason.
        reason: Option<Reason>,
    },
    /// unknown: the responder does not know the certificate.
    Unknown,
}

/// Who signed an accepted response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Responder {
    /// The certificate's issuer itself.
    Issuer,
    /// A delegated responder certificate issued by the issuer.
    Delegated {
        /// Its subject (RFC 4514).
        subject: String,
        /// Its serial (hex).
        serial: String,
        /// Whether it carries id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
        nocheck: bool,
    },
}

/// An accepted OCSP answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Checked {
    /// The certificate's status.
    pub status: Status,
    /// producedAt.
    #[serde(with = "time::serde::rfc3339")]
    pub produced_at: OffsetDateTime,
    /// thisUpdate of the SingleResponse.
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// nextUpdate of the SingleResponse.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
    /// Who signed.
    pub responder: Responder,
    /// Whether the response echoed a nonce we sent.
    pub nonce_checked: bool,
}

/// Tolerances of [`check_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Clock difference allowed between the responder and us.
    pub skew: Duration,
    /// How long after thisUpdate an answer without nextUpdate is accepted.
    pub max_age: Duration,
}

impl Default for CheckOptions {
    /// Five minutes of skew; a day for answers without nextUpdate (the CRL period EDS law
    /// art. 18.3 expects, so such an answer is never older than the CRL it replaces).
    fn default() -> Self {
        Self {
            skew: Duration::minutes(5),
            max_age: Duration::days(1),
        }
    }
}

/// An OCSP request for one certificate.
#[derive(Debug, Clone)]
pub struct Request {
    der: Vec<u8>,
    serial: Vec<u8>,
    nonce: Option<Vec<u8>>,
}

impl Request {
    /// Builds a request for `cert` issued by `issuer` with a CertID under `digest` (SHA-1 or
    /// SHA-256 are what responders accept), and a fresh [`NONCE_LEN`]-byte nonce when `rng` is
    /// given.
    pub fn new(
        cert: &Cert,
        issuer: &Cert,
        digest: Digest,
        rng: Option<&dyn SecureRandom>,
    ) -> Result<Self, OcspError> {
        let request_err = |detail: String| OcspError::Request { detail };
        let cert_id = CertId {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: digest.oid(),
                parameters: Some(der::asn1::Null.into()),
            },
            issuer_name_hash: OctetString::new(digest.digest(issuer.subject_der()))
                .map_err(|e| request_err(e.to_string()))?,
            issuer_key_hash: OctetString::new(digest.digest(issuer.public_key_bytes()))
                .map_err(|e| request_err(e.to_string()))?,
            serial_number: cert.x509().tbs_certificate.serial_number.clone(),
        };
        let nonce = match rng {
            Some(rng) => {
                let mut n = vec![0u8; NONCE_LEN];
                rng.fill(&mut n)
                    .map_err(|_| request_err("the random source failed".into()))?;
                Some(n)
            }
            None => None,
        };
        let request_extensions = match &nonce {
            Some(n) => Some(vec![nonce_extension(n)?]),
            None => None,
        };
        let request = OcspRequest {
            tbs_request: TbsRequest {
                version: x509_ocsp::Version::V1,
                requestor_name: None,
                request_list: vec![x509_ocsp::Request {
                    req_cert: cert_id,
                    single_request_extensions: None,
                }],
                request_extensions,
            },
            optional_signature: None,
        };
        let der = request.to_der().map_err(|e| request_err(e.to_string()))?;
        Ok(Self {
            der,
            serial: cert.serial().to_vec(),
            nonce,
        })
    }

    /// The DER to POST (`application/ocsp-request`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The nonce sent, if any.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// Checks a response to this request (see [`check_response`]).
    pub fn check(
        &self,
        response: &[u8],
        cert: &Cert,
        issuer: &Cert,
        now: OffsetDateTime,
        options: &CheckOptions,
    ) -> Result<Checked, OcspError> {
        if canonical_serial(&self.serial) != canonical_serial(cert.serial()) {
            return Err(OcspError::Request {
                detail: "the request was made for another certificate".into(),
            });
        }
        check_response(response, cert, issuer, self.nonce(), now, options)
    }
}

/// Checks an `OCSPResponse` about `cert` (issued by `issuer`) at `now`; `nonce` is the nonce the
/// request carried (`None`: none sent, any nonce in the response is ignored).
pub fn check_response(
    response: &[u8],
    cert: &Cert,
    issuer: &Cert,
    nonce: Option<&[u8]>,
    now: OffsetDateTime,
    options: &CheckOptions,
) -> Result<Checked, OcspError> {
    let malformed = |what: &str, e: &dyn std::fmt::Display| OcspError::Malformed {
        detail: format!("{what}: {e}"),
    };
    let outer = OcspResponse::from_der(response).map_err(|e| malformed("OCSPResponse", &e))?;
    if outer.response_status != OcspResponseStatus::Successful {
        return Err(OcspError::NotSuccessful {
            status: status_name(outer.response_status).into(),
        });
    }
    let bytes = outer.response_bytes.ok_or_else(|| OcspError::Malformed {
        detail: "successful response without responseBytes".into(),
    })?;
    if bytes.response_type != OCSP_BASIC {
        return Err(OcspError::UnsupportedResponseType {
            oid: bytes.response_type.to_string(),
        });
    }
    let basic_der = bytes.response.as_bytes();
    let basic =
        BasicOcspResponse::from_der(basic_der).map_err(|e| malformed("BasicOCSPResponse", &e))?;
    let tbs = first_element(basic_der).ok_or_else(|| OcspError::Malformed {
        detail: "BasicOCSPResponse: tbsResponseData not found".into(),
    })?;
    let data = &basic.tbs_response_data;
    let produced_at = gt(&data.produced_at.0);

    // 2. The answer about our certificate.
    let single = data
        .responses
        .iter()
        .find(|s| cert_id_matches(s, cert, issuer))
        .ok_or_else(|| OcspError::NoMatchingResponse {
            serial: cert.serial_hex(),
        })?;

    // 3. The signer and its authority.
    let included: Vec<Cert> = basic
        .certs
        .iter()
        .flatten()
        .filter_map(|c| c.to_der().ok())
        .filter_map(|d| Cert::from_der(&d).ok())
        .collect();
    let (signer, responder) =
        authorised_signer(&data.responder_id, issuer, &included, produced_at)?;

    // 4. The signature.
    crypto::verify(
        signer.spki_der(),
        &basic.signature_algorithm,
        None,
        tbs,
        basic.signature.raw_bytes(),
    )
    .map_err(|e| match e {
        CryptoError::BadSignature => OcspError::BadSignature {
            signer: signer.subject(),
        },
        other => OcspError::Signature(other),
    })?;

    // 5. The nonce.
    let mut nonce_checked = false;
    if let Some(sent) = nonce {
        let echoed = data
            .response_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == OCSP_NONCE)
            .ok_or_else(|| OcspError::NonceMismatch {
                detail: "the response carries no nonce".into(),
            })?;
        let value = echoed.extn_value.as_bytes();
        // RFC 6960 §4.4.1 wraps the nonce in an OCTET STRING inside extnValue; some older
        // responders put the bare bytes there. Both carry the same secret.
        let wrapped = OctetString::new(sent.to_vec())
            .ok()
            .and_then(|o| o.to_der().ok());
        if wrapped.as_deref() != Some(value) && value != sent {
            return Err(OcspError::NonceMismatch {
                detail: format!(
                    "sent {}, received {}",
                    hex::encode(sent),
                    hex::encode(value)
                ),
            });
        }
        nonce_checked = true;
    }

    // 6. Freshness.
    let this_update = gt(&single.this_update.0);
    let next_update = single.next_update.as_ref().map(|t| gt(&t.0));
    if this_update > now + options.skew {
        return Err(OcspError::NotYetValid {
            detail: format!("thisUpdate {this_update} is after now ({now})"),
        });
    }
    match next_update {
        Some(next) if next < now - options.skew => {
            return Err(OcspError::Stale {
                detail: format!("nextUpdate {next} has passed (now {now})"),
            });
        }
        None if this_update + options.max_age < now - options.skew => {
            return Err(OcspError::Stale {
                detail: format!(
                    "no nextUpdate, and thisUpdate {this_update} is older than {} (now {now})",
                    options.max_age
                ),
            });
        }
        _ => {}
    }

    let status = match &single.cert_status {
        CertStatus::Good(_) => Status::Good,
        CertStatus::Revoked(info) => Status::Revoked {
            time: gt(&info.revocation_time.0),
            reason: info.revocation_reason.map(reason),
        },
        CertStatus::Unknown(_) => Status::Unknown,
    };
    Ok(Checked {
        status,
        produced_at,
        this_update,
        next_update,
        responder,
        nonce_checked,
    })
}

fn nonce_extension(nonce: &[u8]) -> Result<Extension, OcspError> {
    let err = |e: der::Error| OcspError::Request {
        detail: e.to_string(),
    };
    let inner = OctetString::new(nonce.to_vec()).map_err(err)?;
    Ok(Extension {
        extn_id: OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(inner.to_der().map_err(err)?).map_err(err)?,
    })
}

/// The bytes of the first element inside a DER SEQUENCE.
fn first_element(der: &[u8]) -> Option<&[u8]> {
    let outer = tlv(der, 0, der.len()).ok()?;
    let first = tlv(der, outer.content, outer.end).ok()?;
    der.get(first.start..first.end)
}

fn gt(t: &der::asn1::GeneralizedTime) -> OffsetDateTime {
    i64::try_from(t.to_unix_duration().as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn status_name(s: OcspResponseStatus) -> &'static str {
    match s {
        OcspResponseStatus::Successful => "successful",
        OcspResponseStatus::MalformedRequest => "malformedRequest",
        OcspResponseStatus::InternalError => "internalError",
        OcspResponseStatus::TryLater => "tryLater",
        OcspResponseStatus::SigRequired => "sigRequired",
        OcspResponseStatus::Unauthorized => "unauthorized",
    }
}

fn reason(r: CrlReason) -> Reason {
    match r {
        CrlReason::Unspecified => Reason::Unspecified,
        CrlReason::KeyCompromise => Reason::KeyCompromise,
        CrlReason::CaCompromise => Reason::CaCompromise,
        CrlReason::AffiliationChanged => Reason::AffiliationChanged,
        CrlReason::Superseded => Reason::Superseded,
        CrlReason::CessationOfOperation => Reason::CessationOfOperation,
        CrlReason::CertificateHold => Reason::CertificateHold,
        CrlReason::RemoveFromCRL => Reason::RemoveFromCrl,
        CrlReason::PrivilegeWithdrawn => Reason::PrivilegeWithdrawn,
        CrlReason::AaCompromise => Reason::AaCompromise,
    }
}

fn cert_id_matches(single: &SingleResponse, cert: &Cert, issuer: &Cert) -> bool {
    let id = &single.cert_id;
    let Some(digest) = Digest::from_oid(&id.hash_algorithm.oid) else {
        return false;
    };
    canonical_serial(id.serial_number.as_bytes()) == canonical_serial(cert.serial())
        && id.issuer_name_hash.as_bytes() == digest.digest(issuer.subject_der()).as_slice()
        && id.issuer_key_hash.as_bytes() == digest.digest(issuer.public_key_bytes()).as_slice()
}

fn responder_matches(id: &ResponderId, candidate: &Cert) -> bool {
    match id {
        ResponderId::ByName(name) => name
            .to_der()
            .is_ok_and(|d| d.as_slice() == candidate.subject_der()),
        ResponderId::ByKey(hash) => {
            hash.as_bytes() == Digest::Sha1.digest(candidate.public_key_bytes()).as_slice()
        }
    }
}

/// Finds the certificate that signed the response and checks it may (RFC 6960 §4.2.2.2).
fn authorised_signer(
    id: &ResponderId,
    issuer: &Cert,
    included: &[Cert],
    produced_at: OffsetDateTime,
) -> Result<(Cert, Responder), OcspError> {
    if responder_matches(id, issuer) {
        return Ok((issuer.clone(), Responder::Issuer));
    }
    let candidates: Vec<&Cert> = included
        .iter()
        .filter(|c| responder_matches(id, c))
        .collect();
    let Some(first) = candidates.first() else {
        return Err(OcspError::UnauthorizedResponder {
            detail: "neither the issuer nor a certificate in the response matches the responderID"
                .into(),
        });
    };
    let mut why = OcspError::UnauthorizedResponder {
        detail: String::new(),
    };
    for c in &candidates {
        match delegation(c, issuer, produced_at) {
            Ok(nocheck) => {
                return Ok((
                    (*c).clone(),
                    Responder::Delegated {
                        subject: c.subject(),
                        serial: c.serial_hex(),
                        nocheck,
                    },
                ));
            }
            Err(Refusal::Unsupported(e)) => why = OcspError::Signature(e),
            Err(Refusal::Unauthorized(e)) => {
                why = OcspError::UnauthorizedResponder {
                    detail: format!("`{}`: {e}", first.subject()),
                }
            }
        }
    }
    Err(why)
}

/// Why a responder certificate is not accepted: not authorised, or its signature cannot be
/// checked at all (an unsupported algorithm), which is reported as such rather than as an
/// authorisation failure.
enum Refusal {
    Unauthorized(String),
    Unsupported(CryptoError),
}

impl From<&str> for Refusal {
    fn from(s: &str) -> Self {
        Self::Unauthorized(s.to_owned())
    }
}

impl From<String> for Refusal {
    fn from(s: String) -> Self {
        Self::Unauthorized(s)
    }
}

/// Whether `c` is a responder the issuer delegated to; `Ok(nocheck)` or why not.
fn delegation(c: &Cert, issuer: &Cert, produced_at: OffsetDateTime) -> Result<bool, Refusal> {
    if c.issuer_der() != issuer.subject_der() {
        return Err(format!(
            "it was issued by `{}`, not by the certificate's issuer `{}`",
            c.issuer(),
            issuer.subject()
        )
        .into());
    }
    let tbs = first_element(c.der()).ok_or("its DER has no tbsCertificate")?;
    crypto::verify(
        issuer.spki_der(),
        &c.x509().signature_algorithm,
        None,
        tbs,
        c.x509().signature.raw_bytes(),
    )
    .map_err(|e| match e {
        CryptoError::BadSignature => Refusal::Unauthorized(
            "its certificate signature does not verify with the issuer's key".into(),
        ),
        other => Refusal::Unsupported(other),
    })?;
    let eku = c
        .extended_key_usage()
        .map_err(|e| Refusal::Unauthorized(e.to_string()))?
        .unwrap_or_default();
    if !eku.contains(&KP_OCSP_SIGNING) {
        return Err("it lacks the id-kp-OCSPSigning extended key usage".into());
    }
    if !c.is_valid_at(produced_at) {
        return Err(format!(
            "it was not valid at producedAt {produced_at} ({} to {})",
            c.not_before(),
            c.not_after()
        )
        .into());
    }
    Ok(c.extension(OCSP_NOCHECK).is_some())
}
