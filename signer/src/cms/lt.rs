//! CAdES-BASELINE-LT (ETSI EN 319 122-1 §5.4, §6.3 table 1): the certificates of the signer's
//! and the timestamp authorities' chains and the revocation data proving their status, added to
//! the SignedData so that the signature can be validated with nothing else.
//!
//! - certificates go into `SignedData.certificates` (RFC 5652 §10.2.2, the `certificate`
//!   choice);
//! - CRLs into `SignedData.crls` as the `crl` choice of RevocationInfoChoice (RFC 5652 §10.2.1);
//! - OCSP responses into the same field as the `other` choice, OtherRevocationInfoFormat with
//!   id-ri-ocsp-response (RFC 5940 §2.1); the SignedData's version then becomes 5 (RFC 5652
//!   §5.1).
//!
//! Everything outside the SignerInfos' signatures: no signature changes, the existing elements
//! keep their bytes, an element already present is not added twice.
//! [`covered_certificates`] lists what the status proofs must cover: the message's certificates
//! and those inside its timestamp tokens (signature and archive timestamps).

use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode, TagNumber, Tagged};

use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::SignerInfo;

use super::archive::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
use super::asn1::{ID_SIGNED_DATA, SignedContentInfo, SignedDataView, constructed};
use super::timestamp::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;

/// id-ri-ocsp-response (RFC 5940 §2.1): an OCSPResponse as other revocation information.
pub const ID_RI_OCSP_RESPONSE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");

/// What [`add_validation_data`] adds (each DER).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationData {
    /// Certificates (X.509, DER).
    pub certificates: Vec<Vec<u8>>,
    /// CRLs (`CertificateList`, DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (`OCSPResponse`, DER, RFC 6960 §4.2.1).
    pub ocsp_responses: Vec<Vec<u8>>,
}

/// How many elements [`add_validation_data`] added (those already present are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    /// Certificates added.
    pub certificates: usize,
    /// CRLs added.
    pub crls: usize,
    /// OCSP responses added.
    pub ocsp_responses: usize,
}

/// Why validation data could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LtError {
    /// The message is not a DER ContentInfo holding SignedData (RFC 5652 §3, §5.1).
    #[error("read the signature: {reason}")]
    Message {
        /// What and where.
        reason: String,
    },
    /// An element to add is not a single DER value of its type.
    #[error("read the {what} to embed: {reason}")]
    Element {
        /// "certificate", "CRL" or "OCSP response".
        what: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// Encoding failed (an element over der's 256 MiB ceiling).
    #[error("encode {what}: {reason}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's message.
        reason: String,
    },
}

/// Adds `data` to the SignedData of `message_der` and returns the message as DER with what was
/// added. Certificates and CRLs must each be one DER SEQUENCE, an OCSP response one DER
/// `OCSPResponse` ([`LtError::Element`] otherwise).
pub fn add_validation_data(
    message_der: &[u8],
    data: &ValidationData,
) -> Result<(Vec<u8>, Added), LtError> {
    let mut sd = signed_data(message_der)?;
    let mut added = Added::default();
    let element = |what: &'static str, der: &[u8]| {
        Any::from_der(der).map_err(|e| LtError::Element {
            what,
            reason: e.to_string(),
        })
    };
    let certificates = sd.certificates.get_or_insert_with(SetOfVec::new);
    for der in &data.certificates {
        let any = element("certificate", der)?;
        x509_cert::Certificate::from_der(der).map_err(|e| LtError::Element {
            what: "certificate",
            reason: e.to_string(),
        })?;
        if !certificates.iter().any(|c| *c == any) {
            certificates.insert(any).map_err(encode("certificates"))?;
            added.certificates += 1;
        }
    }
    let crls = sd.crls.get_or_insert_with(SetOfVec::new);
    for der in &data.crls {
        x509_cert::crl::CertificateList::from_der(der).map_err(|e| LtError::Element {
            what: "CRL",
            reason: e.to_string(),
        })?;
        let any = element("CRL", der)?;
        if !crls.iter().any(|c| *c == any) {
            crls.insert(any).map_err(encode("crls"))?;
            added.crls += 1;
        }
    }
    for der in &data.ocsp_responses {
        x509_ocsp_response_check(der)?;
        let mut value = ID_RI_OCSP_RESPONSE
            .to_der()
            .map_err(encode("id-ri-ocsp-response"))?;
        value.extend_from_slice(der);
        // other [1] IMPLICIT OtherRevocationInfoFormat (RFC 5652 §10.2.1).
        let any = Any::new(constructed(TagNumber::N1), value)
            .map_err(encode("OtherRevocationInfoFormat"))?;
        if !crls.iter().any(|c| *c == any) {
            crls.insert(any).map_err(encode("crls"))?;
            added.ocsp_responses += 1;
        }
    }
    if crls.is_empty() {
        sd.crls = None;
    }
    // RFC 5652 §5.1: version 5 when a RevocationInfoChoice of type other is present.
    let has_other = sd
        .crls
        .as_ref()
        .is_some_and(|set| set.iter().any(|c| c.tag() == constructed(TagNumber::N1)));
    if has_other {
        sd.version = CmsVersion::V5;
    }
    let der = SignedContentInfo {
        content_type: ID_SIGNED_DATA,
        content: sd,
    }
    .write_der()
    .map_err(encode("ContentInfo"))?;
    Ok((der, added))
}

/// The certificates (DER) whose status an LT signature proves: those of the SignedData, then
/// those of each signature and archive timestamp token of every signer, each once, in that
/// order. Nothing is checked.
pub fn covered_certificates(message_der: &[u8]) -> Result<Vec<Vec<u8>>, LtError> {
    let sd = signed_data(message_der)?;
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut push = |der: Vec<u8>| {
        if !out.contains(&der) {
            out.push(der);
        }
    };
    for cert in sd.certificates.iter().flat_map(|s| s.iter()) {
        if cert.tag() == der::Tag::Sequence {
            push(cert.to_der().map_err(encode("certificate"))?);
        }
    }
    for token in timestamp_tokens(&sd)? {
        let Ok(info) = ContentInfo::from_der(&token) else {
            continue;
        };
        let Ok(inner) = info.content.decode_as::<SignedDataView>() else {
            continue;
        };
        for cert in inner.certificates.iter().flat_map(|s| s.iter()) {
            if cert.tag() == der::Tag::Sequence {
                push(cert.to_der().map_err(encode("certificate"))?);
            }
        }
    }
    Ok(out)
}

/// The DER of every signature and archive timestamp token in the message's SignerInfos.
pub(crate) fn timestamp_tokens(sd: &SignedDataView) -> Result<Vec<Vec<u8>>, LtError> {
    let mut tokens = Vec::new();
    for any in sd.signer_infos.iter() {
        let si = any
            .decode_as::<SignerInfo>()
            .map_err(|e| LtError::Message {
                reason: format!("SignerInfo: {e}"),
            })?;
        for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
            if attr.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN
                || attr.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V3
            {
                for value in attr.values.iter() {
                    tokens.push(value.to_der().map_err(encode("token"))?);
                }
            }
        }
    }
    Ok(tokens)
}

/// An OCSPResponse is `SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT … }`
/// (RFC 6960 §4.2.1): checked for that shape, not decoded further.
fn x509_ocsp_response_check(der: &[u8]) -> Result<(), LtError> {
    let bad = |reason: String| LtError::Element {
        what: "OCSP response",
        reason,
    };
    let fields = Vec::<Any>::from_der(der).map_err(|e| bad(e.to_string()))?;
    match fields.first() {
        Some(status) if status.tag() == der::Tag::Enumerated => Ok(()),
        _ => Err(bad("not an OCSPResponse (RFC 6960 §4.2.1)".into())),
    }
}

pub(crate) fn signed_data(message_der: &[u8]) -> Result<SignedDataView, LtError> {
    let message = |reason: String| LtError::Message { reason };
    let info =
        ContentInfo::from_der(message_der).map_err(|e| message(format!("ContentInfo: {e}")))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(message(format!(
            "content type {} is not signedData",
            info.content_type
        )));
    }
    info.content
        .decode_as::<SignedDataView>()
        .map_err(|e| message(format!("SignedData: {e}")))
}

fn encode(what: &'static str) -> impl Fn(der::Error) -> LtError {
    move |e| LtError::Encode {
        what,
        reason: e.to_string(),
    }
}
