//! Signature timestamps (CAdES-T, ETSI EN 319 122-1 §5.3; RFC 3161 appendix A): a
//! TimeStampToken over a SignerInfo's signature value, added to that SignerInfo as the unsigned
//! attribute id-aa-signatureTimeStampToken.
//!
//! The steps, each usable alone:
//!
//! 1. [`signature_values`] lists the signature values of a message's SignerInfos;
//! 2. [`TimestampRequest::new`] makes a `TimeStampReq` over one of them (SHA-256 imprint of the
//!    signature value's octets, a random 64-bit nonce, certReq true);
//! 3. [`post`] sends it to a TSA over HTTP (RFC 3161 §3.4), or any other transport does;
//! 4. [`TimestampRequest::token`] reads the `TimeStampResp`: the status must be granted, the
//!    TSTInfo's imprint and nonce those asked; it returns the token (DER ContentInfo);
//! 5. [`add_signature_timestamp`] puts the token into the SignerInfo whose signature value the
//!    token covers, leaving every other byte of the message as it was signed: the other
//!    SignerInfos, the certificates and the content are copied, and in the one SignerInfo only
//!    the unsigned attributes change (they are outside the signature, RFC 5652 §5.3).
//!
//! [`timestamp_signatures`] does all of it for chosen signers. The token's own signature is not
//! checked here: that, the TSA certificate's path and its key usage are the verifier's work.

use std::time::Duration;

use der::asn1::{Int, ObjectIdentifier, OctetString, SetOfVec, Utf8StringRef};
use der::{Any, Decode, Encode, Sequence};
use ring::digest;
use ring::rand::SecureRandom;
use spki::AlgorithmIdentifier;
use x509_cert::attr::Attribute;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampToken, TspVersion, TstInfo};

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfo};

use super::asn1::{ID_SIGNED_DATA, SignedContentInfo, SignedDataView};

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A, ETSI EN 319 122-1 §5.3).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-ct-TSTInfo (RFC 3161 §2.4.2).
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// Media type of a request (RFC 3161 §3.4).
pub const TIMESTAMP_QUERY: &str = "application/timestamp-query";
/// Media type of a response (RFC 3161 §3.4).
pub const TIMESTAMP_REPLY: &str = "application/timestamp-reply";
/// Largest response [`post`] reads: a token with a certificate chain is a few KiB.
pub const MAX_RESPONSE: u64 = 1024 * 1024;
/// How long [`post`] waits for a whole answer by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// Why a signature could not be timestamped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The message is not a DER ContentInfo holding SignedData.
    #[error("read the signature to timestamp: {reason}")]
    Message {
        /// What and where.
        reason: String,
    },
    /// No SignerInfo of the message has this signature value.
    #[error("no signer of the message has the signature value the timestamp token covers")]
    NoSuchSignature,
    /// The request or the message could not be encoded.
    #[error("encode {what}: {reason}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's message.
        reason: String,
    },
    /// The random generator failed (the nonce).
    #[error("draw the timestamp request's nonce: the random generator failed")]
    Random,
    /// The TSA could not be reached, or its HTTP answer was not a timestamp reply.
    #[error("ask the timestamp authority at {url}: {reason}")]
    Transport {
        /// The TSA's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The answer is not a DER `TimeStampResp`, or its token is not a SignedData over a
    /// TSTInfo.
    #[error("read the timestamp authority's answer: {reason}")]
    BadResponse {
        /// What and where.
        reason: String,
    },
    /// The TSA refused (PKIStatus other than granted or grantedWithMods).
    #[error(
        "the timestamp authority refused (status {status}{}{})",
        fail_bits.iter().map(|b| format!(", failInfo bit {b}")).collect::<String>(),
        text.as_deref().map(|t| format!(": {t}")).unwrap_or_default()
    )]
    Refused {
        /// PKIStatus (2 rejection, 3 waiting, …).
        status: u8,
        /// The PKIFailureInfo bits set (0 badAlg, 2 badRequest, 5 badDataFormat, …).
        fail_bits: Vec<u8>,
        /// The statusString, when given.
        text: Option<String>,
    },
    /// The token is not over what was asked: another imprint or another nonce.
    #[error("the timestamp token does not answer the request: {what} differs")]
    Mismatch {
        /// "messageImprint" or "nonce".
        what: &'static str,
    },
}

/// RFC 3161 §2.4.2 TimeStampResp, read with failInfo as a plain BIT STRING (the `cmpv2` type
/// under `x509_tsp::TimeStampResp` takes bit numbers for masks).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Response<'a> {
    status: StatusInfo<'a>,
    #[asn1(optional = "true")]
    time_stamp_token: Option<TimeStampToken>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct StatusInfo<'a> {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<Utf8StringRef<'a>>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

/// A `TimeStampReq` and what its answer must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRequest {
    der: Vec<u8>,
    imprint: Vec<u8>,
    nonce: Int,
}

impl TimestampRequest {
    /// A request over `signature_value` (the octets of a SignerInfo's signature): SHA-256
    /// imprint, a random 64-bit nonce, certReq true, no policy.
    pub fn new(
        signature_value: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<TimestampRequest, TimestampError> {
        let imprint = digest::digest(&digest::SHA256, signature_value)
            .as_ref()
            .to_vec();
        let mut n = [0u8; 8];
        rng.fill(&mut n).map_err(|_| TimestampError::Random)?;
        // A positive INTEGER of eight octets in its one DER form (X.690 §8.3.2): the first
        // octet neither zero nor with its top bit set. Random octets gave a non-minimal
        // encoding one time in 512, which a DER TSA refuses (62 random bits remain).
        n[0] = (n[0] & 0x7f) | 0x40;
        let nonce = Int::new(&n).map_err(encode("nonce"))?;
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifier {
                    oid: ID_SHA256,
                    parameters: None,
                },
                hashed_message: OctetString::new(imprint.clone())
                    .map_err(encode("message imprint"))?,
            },
            req_policy: None,
            nonce: Some(nonce.clone()),
            cert_req: true,
            extensions: None,
        };
        Ok(TimestampRequest {
            der: request.to_der().map_err(encode("TimeStampReq"))?,
            imprint,
            nonce,
        })
    }

    /// The DER `TimeStampReq` (body of `application/timestamp-query`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the signature value: the imprint asked for.
    pub fn imprint(&self) -> &[u8] {
        &self.imprint
    }

    /// Reads a DER `TimeStampResp` to this request and returns its token (DER ContentInfo):
    /// status granted (0) or grantedWithMods (1), a SignedData over a TSTInfo whose imprint is
    /// SHA-256 of the signature value and whose nonce is this request's.
    pub fn token(&self, response_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
        let bad = |reason: String| TimestampError::BadResponse { reason };
        let response =
            Response::from_der(response_der).map_err(|e| bad(format!("TimeStampResp: {e}")))?;
        if response.status.status > 1 {
            let fail_bits = response
                .status
                .fail_info
                .as_ref()
                .map(|b| {
                    (0u8..=u8::MAX)
                        .filter(|bit| {
                            b.raw_bytes()
                                .get(usize::from(bit / 8))
                                .is_some_and(|o| o & (0x80 >> (bit % 8)) != 0)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let text = response.status.status_string.as_ref().map(|v| {
                v.iter()
                    .map(|s| s.as_str().to_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            return Err(TimestampError::Refused {
                status: response.status.status,
                fail_bits,
                text,
            });
        }
        let token = response
            .time_stamp_token
            .ok_or_else(|| bad("granted, but no timeStampToken".into()))?;
        let tst = tst_info(&token)?;
        if tst.message_imprint.hash_algorithm.oid != ID_SHA256
            || tst.message_imprint.hashed_message.as_bytes() != self.imprint.as_slice()
        {
            return Err(TimestampError::Mismatch {
                what: "messageImprint",
            });
        }
        if tst.nonce.as_ref() != Some(&self.nonce) {
            return Err(TimestampError::Mismatch { what: "nonce" });
        }
        token.to_der().map_err(encode("timeStampToken"))
    }
}

/// The TSTInfo inside a token (RFC 3161 §2.4.2), decoded, its signature not checked.
pub fn tst_info(token: &ContentInfo) -> Result<TstInfo, TimestampError> {
    let bad = |reason: String| TimestampError::BadResponse { reason };
    if token.content_type != ID_SIGNED_DATA {
        return Err(bad(format!(
            "the token's content type is {}, not signedData",
            token.content_type
        )));
    }
    let sd = token
        .content
        .decode_as::<SignedData>()
        .map_err(|e| bad(format!("the token's SignedData: {e}")))?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(bad(format!(
            "the token holds {}, not id-ct-TSTInfo",
            sd.encap_content_info.econtent_type
        )));
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .ok_or_else(|| bad("the token holds no TSTInfo".into()))?;
    let octets = econtent
        .decode_as::<OctetString>()
        .map_err(|e| bad(format!("the token's eContent: {e}")))?;
    TstInfo::from_der(octets.as_bytes()).map_err(|e| bad(format!("TSTInfo: {e}")))
}

/// The signature values (octets of each SignerInfo's `signature`) of a DER SignedData message,
/// in the order of its signerInfos SET.
pub fn signature_values(message_der: &[u8]) -> Result<Vec<Vec<u8>>, TimestampError> {
    let sd = signed_data(message_der)?;
    sd.signer_infos
        .iter()
        .map(|any| {
            let si = any
                .decode_as::<SignerInfo>()
                .map_err(|e| message_error(format!("SignerInfo: {e}")))?;
            Ok(si.signature.as_bytes().to_vec())
        })
        .collect()
}

/// One SignerInfo's signature value and the signature timestamp tokens it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerTimestamps {
    /// The octets of the SignerInfo's `signature`: what the tokens' imprints hash.
    pub signature_value: Vec<u8>,
    /// Each id-aa-signatureTimeStampToken value, DER ContentInfo, in the order found.
    pub tokens: Vec<Vec<u8>>,
}

/// Each SignerInfo's signature value with the signature timestamp tokens (DER ContentInfo) its
/// unsigned attributes carry, in the order of the signerInfos SET. Nothing is checked.
pub fn signature_timestamps(message_der: &[u8]) -> Result<Vec<SignerTimestamps>, TimestampError> {
    let sd = signed_data(message_der)?;
    let mut out = Vec::with_capacity(sd.signer_infos.len());
    for any in sd.signer_infos.iter() {
        let si = any
            .decode_as::<SignerInfo>()
            .map_err(|e| message_error(format!("SignerInfo: {e}")))?;
        let mut tokens = Vec::new();
        for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
            if attr.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN {
                for value in attr.values.iter() {
                    tokens.push(value.to_der().map_err(encode("the token"))?);
                }
            }
        }
        out.push(SignerTimestamps {
            signature_value: si.signature.as_bytes().to_vec(),
            tokens,
        });
    }
    Ok(out)
}

/// Adds `token_der` (a TimeStampToken, DER ContentInfo) as an id-aa-signatureTimeStampToken
/// unsigned attribute to the SignerInfo whose signature value it covers (RFC 3161 appendix A:
/// the token's imprint is a hash of that value), and returns the message as DER. Earlier
/// timestamps of that signer stay (each in its own attribute); everything else keeps its bytes.
///
/// [`TimestampError::NoSuchSignature`] when no SignerInfo's value hashes to the imprint.
pub fn add_signature_timestamp(
    message_der: &[u8],
    token_der: &[u8],
) -> Result<Vec<u8>, TimestampError> {
    let token = ContentInfo::from_der(token_der).map_err(|e| TimestampError::BadResponse {
        reason: format!("the token: {e}"),
    })?;
    let tst = tst_info(&token)?;
    let imprint = &tst.message_imprint;
    let algorithm = match imprint.hash_algorithm.oid.to_string().as_str() {
        "2.16.840.1.101.3.4.2.1" => &digest::SHA256,
        "2.16.840.1.101.3.4.2.2" => &digest::SHA384,
        "2.16.840.1.101.3.4.2.3" => &digest::SHA512,
        other => {
            return Err(TimestampError::BadResponse {
                reason: format!("the token's imprint is hashed with {other}, not SHA-2"),
            });
        }
    };
    let mut sd = signed_data(message_der)?;
    let mut infos: Vec<Any> = Vec::with_capacity(sd.signer_infos.len());
    let mut found = false;
    for any in sd.signer_infos.iter() {
        let mut si = any
            .decode_as::<SignerInfo>()
            .map_err(|e| message_error(format!("SignerInfo: {e}")))?;
        if found
            || digest::digest(algorithm, si.signature.as_bytes()).as_ref()
                != imprint.hashed_message.as_bytes()
        {
            infos.push(any.clone());
            continue;
        }
        found = true;
        let attribute = Attribute {
            oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            values: SetOfVec::try_from(vec![
                Any::from_der(token_der).map_err(encode("the token"))?,
            ])
            .map_err(encode("the token attribute"))?,
        };
        let mut unsigned = si.unsigned_attrs.take().unwrap_or_default();
        unsigned
            .insert(attribute)
            .map_err(encode("unsigned attributes"))?;
        si.unsigned_attrs = Some(unsigned);
        infos.push(Any::encode_from(&si).map_err(encode("SignerInfo"))?);
    }
    if !found {
        return Err(TimestampError::NoSuchSignature);
    }
    sd.signer_infos = SetOfVec::try_from(infos).map_err(encode("signerInfos"))?;
    SignedContentInfo {
        content_type: ID_SIGNED_DATA,
        content: sd,
    }
    .to_der()
    .map_err(encode("ContentInfo"))
}

/// POSTs a DER `TimeStampReq` to an `http://` TSA URL (RFC 3161 §3.4) and returns the DER body
/// of its `application/timestamp-reply` answer (at most [`MAX_RESPONSE`] bytes), blocking for at
/// most `timeout`. No TLS: an `https://` URL is refused (the token is signed; its transport
/// needs no secrecy).
///
/// `ureq` (a blocking client, built without TLS) rather than hyper: hyper's client needs an
/// async runtime the signer and `eds sign` do not otherwise run.
pub fn post(url: &str, request_der: &[u8], timeout: Duration) -> Result<Vec<u8>, TimestampError> {
    let transport = |reason: String| TimestampError::Transport {
        url: url.to_owned(),
        reason,
    };
    if !url.starts_with("http://") {
        return Err(transport(
            "only http:// URLs are supported (a timestamp token needs no TLS)".into(),
        ));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", TIMESTAMP_QUERY)
        .send(request_der)
        .map_err(|e| transport(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(transport(format!("HTTP status {status}")));
    }
    let media_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media_type != TIMESTAMP_REPLY {
        return Err(transport(format!(
            "the answer is {media_type:?}, not {TIMESTAMP_REPLY}"
        )));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(|e| transport(format!("read the answer: {e}")))
}

/// Timestamps the signers of `message_der` whose signature values `select` accepts: one
/// request to the TSA at `url` per signer, each token checked ([`TimestampRequest::token`]) and
/// added ([`add_signature_timestamp`]). Returns the message as DER and how many tokens were
/// added.
pub fn timestamp_signatures(
    message_der: &[u8],
    url: &str,
    timeout: Duration,
    rng: &dyn SecureRandom,
    select: &dyn Fn(&[u8]) -> bool,
) -> Result<(Vec<u8>, usize), TimestampError> {
    let mut message = message_der.to_vec();
    let mut added = 0;
    for value in signature_values(message_der)? {
        if !select(&value) {
            continue;
        }
        let request = TimestampRequest::new(&value, rng)?;
        let response = post(url, request.der(), timeout)?;
        let token = request.token(&response)?;
        message = add_signature_timestamp(&message, &token)?;
        added += 1;
    }
    Ok((message, added))
}

fn signed_data(message_der: &[u8]) -> Result<SignedDataView, TimestampError> {
    let info = ContentInfo::from_der(message_der)
        .map_err(|e| message_error(format!("ContentInfo: {e}")))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(message_error(format!(
            "content type {} is not signedData",
            info.content_type
        )));
    }
    info.content
        .decode_as::<SignedDataView>()
        .map_err(|e| message_error(format!("SignedData: {e}")))
}

fn message_error(reason: String) -> TimestampError {
    TimestampError::Message { reason }
}

fn encode(what: &'static str) -> impl Fn(der::Error) -> TimestampError {
    move |e| TimestampError::Encode {
        what,
        reason: e.to_string(),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    #[test]
    fn ok_request_is_der_with_sha256_imprint_nonce_and_cert_req() {
        let r = TimestampRequest::new(b"signature", &SystemRandom::new()).unwrap();
        let req = TimeStampReq::from_der(r.der()).unwrap();
        assert_eq!(req.message_imprint.hash_algorithm.oid, ID_SHA256);
        assert_eq!(
            req.message_imprint.hashed_message.as_bytes(),
            digest::digest(&digest::SHA256, b"signature").as_ref()
        );
        assert!(req.cert_req);
        let nonce = req.nonce.unwrap();
        assert!(nonce.as_bytes().len() <= 9);
        assert_eq!(nonce.as_bytes().first().map(|b| b & 0x80), Some(0));
    }

    /// The nonce is canonical DER whatever the random octets: all zero (a leading zero octet
    /// once made a non-minimal INTEGER that a DER TSA refused) and all one (the sign bit).
    #[test]
    #[expect(
        deprecated,
        reason = "ring's fixed-byte generator is the only way to choose the octets a SecureRandom gives"
    )]
    fn ok_nonce_is_canonical_der_for_any_random_octets() {
        for byte in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let rng = ring::test::rand::FixedByteRandom { byte };
            let r = TimestampRequest::new(b"signature", &rng).unwrap();
            let req = TimeStampReq::from_der(r.der()).unwrap_or_else(|e| panic!("{byte:#x}: {e}"));
            assert_eq!(req.to_der().unwrap(), r.der(), "{byte:#x}");
            let nonce = req.nonce.unwrap();
            assert_eq!(nonce.as_bytes().len(), 8, "{byte:#x}");
            assert_eq!(nonce.as_bytes()[0] & 0xc0, 0x40, "{byte:#x}");
        }
    }

    #[test]
    fn fail_rejection_names_status_bits_and_text() {
        let r = TimestampRequest::new(b"signature", &SystemRandom::new()).unwrap();
        // TimeStampResp { { rejection, "no", failInfo badAlg (bit 0) } }
        let der = [
            0x30, 0x0F, 0x30, 0x0D, 0x02, 0x01, 0x02, 0x30, 0x04, 0x0C, 0x02, b'n', b'o', 0x03,
            0x02, 0x07, 0x80,
        ];
        assert_eq!(
            r.token(&der),
            Err(TimestampError::Refused {
                status: 2,
                fail_bits: vec![0],
                text: Some("no".into()),
            })
        );
    }

    #[test]
    fn fail_garbage_answer_is_bad_response() {
        let r = TimestampRequest::new(b"signature", &SystemRandom::new()).unwrap();
        assert!(matches!(
            r.token(b"not DER"),
            Err(TimestampError::BadResponse { .. })
        ));
    }

    #[test]
    fn fail_https_is_refused_before_connecting() {
        assert!(matches!(
            post("https://tsa.invalid/", b"", Duration::from_secs(1)),
            Err(TimestampError::Transport { .. })
        ));
    }

    #[test]
    fn fail_message_that_is_not_signed_data() {
        assert!(matches!(
            signature_values(&[0x30, 0x00]),
            Err(TimestampError::Message { .. })
        ));
    }
}
