//! CMS SignedData (RFC 5652 §5) read back, and each SignerInfo checked: the signing certificate
//! found and bound (RFC 5035 signingCertificateV2, RFC 2634 signingCertificate), the content
//! type and message digest compared, the signature verified over the DER of the signed
//! attributes (RFC 5652 §5.4). Also the RFC 3161 timestamp tokens a CAdES signature carries as
//! its signature-time-stamp (ETSI EN 319 122-1 §5.3).
//!
//! Input is PEM (`CMS`, `PKCS7`), DER or BER: the national center's tools, OpenSSL's `-stream`
//! and Java write indefinite lengths and constructed OCTET STRINGs, so the bytes go through the
//! BER → DER normaliser of [`eds_profile::ber`] first (DER comes back unchanged).
//!
//! # What is hand-walked, and why
//!
//! The outer layers — ContentInfo, the SignedData SEQUENCE and its certificate, CRL and
//! SignerInfo sets — are walked element by element here instead of decoding
//! `cms::signed_data::SignedData` as a whole: the `der` 0.7 SET OF decoder sorts its elements
//! and refuses duplicates, so the whole-structure decode would renumber the SignerInfos (a
//! report must say "signature 2" about the second one in the file), fail on a certificate
//! embedded twice (signers do that), and fail the whole document for one certificate
//! x509-cert cannot read. Each element is then decoded with the `cms` crate's `SignerInfo`, an
//! `EncapsulatedContentInfo` declared here with its content borrowed, or [`Cert`].
//!
//! A SignerInfo of a signer seen before (through [`parse_cached`]) is read in one borrowed pass
//! instead ([`fast_signer`]): the crate's owned decode was most of what a cached verification
//! costs besides the signature itself. That reader accepts only a subset of what the crate
//! accepts, yields the same values, and leaves everything else to the crate (the tests compare
//! the two on every variant and on damaged input).
//!
//! The signed attributes are verified over their bytes as they appear in the message, re-tagged
//! `[0]` → SET (RFC 5652 §5.4), never over a re-encoding: `SignerInfo`'s decoder sorts them, and
//! Java signers do not always write them sorted. For BER input the normalised form is used,
//! which is what a conforming signer signed (RFC 5652 §5.3 requires signedAttrs in DER); a
//! signer that wrote its signed attributes themselves in BER fails with `SignatureInvalid`.
//!
//! The ESS attributes (RFC 5035 `SigningCertificateV2`, RFC 2634 `SigningCertificate`) are
//! declared here: neither `cms` 0.2 nor `x509-tsp` 0.1 has them.

use std::borrow::Cow;
use std::io::{self, Read};
use std::sync::Arc;

use der::asn1::{AnyRef, GeneralizedTime, Int, ObjectIdentifier, OctetString, UtcTime};
use der::{Any, Decode, DerOrd, Encode, Sequence};
use eds_profile::ber::{self, BerError, Tlv};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use cms::signed_data::{SignerIdentifier, SignerInfo};

use crate::bounded::Bounded;
use crate::cert::{CERT_COST_FACTOR, Cert, CertCache, CertError};
use crate::crypto::{self, CryptoError, Digest};

/// `id-data` (RFC 5652 §4).
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData` (RFC 5652 §5.1).
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-contentType` (RFC 5652 §11.1).
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// `id-messageDigest` (RFC 5652 §11.2).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `id-signingTime` (RFC 5652 §11.3).
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// `id-aa-signingCertificate` (RFC 2634 §5.4).
pub const ID_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `id-aa-signingCertificateV2` (RFC 5035 §3).
pub const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A).
pub const ID_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// `id-ct-TSTInfo` (RFC 3161 §2.4.2).
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// `id-ri-ocsp-response` (RFC 5940 §2.1): an OCSP response among the SignedData's CRLs.
pub const ID_RI_OCSP_RESPONSE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");

const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;
const TAG_OID: u8 = 0x06;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_INTEGER: u8 = 0x02;
const TAG_CONTEXT_0: u8 = 0xa0;
const TAG_CONTEXT_1: u8 = 0xa1;

/// Buffer size of the streamed digest of detached content.
const CHUNK: usize = 64 * 1024;

/// Why bytes are not a CMS SignedData this module can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsFormatError {
    /// PEM input that is not one `CMS` / `PKCS7` block.
    #[error("read the PEM signature: {detail} (expected one `CMS` or `PKCS7` block)")]
    Pem {
        /// What was wrong with the PEM.
        detail: String,
    },
    /// The bytes are not one BER/DER element (X.690): cut short, bad length, trailing bytes.
    #[error("read the signature's encoding: {0}; the file is damaged or not a CMS signature")]
    Encoding(#[from] BerError),
    /// The ContentInfo holds something other than SignedData (RFC 5652 §3).
    #[error("the CMS message is {content_type}, not SignedData (1.2.840.113549.1.7.2)")]
    NotSignedData {
        /// The content type found, dotted.
        content_type: String,
    },
    /// A part of the structure does not decode as RFC 5652 (or RFC 3161) defines it.
    #[error("{part} does not decode: {detail}")]
    Malformed {
        /// Which part: `ContentInfo`, `SignedData.encapContentInfo`, `SignerInfo 2`…
        part: String,
        /// The decoder's message.
        detail: String,
    },
    /// An embedded certificate (counted from 0 in the certificates set) does not decode.
    #[error("embedded certificate {index} does not decode: {error}")]
    Certificate {
        /// Its position in the certificates set.
        index: usize,
        /// Why.
        error: CertError,
    },
    /// A timestamp token whose content is not a TSTInfo (RFC 3161 §2.4.2).
    #[error(
        "the token's content type is {content_type}, not id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)"
    )]
    NotTimestampToken {
        /// The eContentType found, dotted.
        content_type: String,
    },
}

fn malformed(part: impl Into<String>, detail: impl ToString) -> CmsFormatError {
    CmsFormatError::Malformed {
        part: part.into(),
        detail: detail.to_string(),
    }
}

/// A SignedData read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDocument {
    /// eContentType (RFC 5652 §5.2): `id-data` for a document, `id-ct-TSTInfo` for a token.
    pub content_type: ObjectIdentifier,
    /// The content (the value octets of eContent); `None` when detached.
    pub content: Option<Vec<u8>>,
    /// The embedded certificates (the `certificate` choice; attribute and other certificates are
    /// skipped), in file order.
    pub certificates: Vec<Cert>,
    /// The embedded CRLs as DER `CertificateList`s, parsed by the revocation checks.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses embedded as other revocation information (RFC 5940 §2.1), DER.
    pub ocsp_responses: Vec<Vec<u8>>,
    /// The SignerInfos, in file order.
    pub signers: Vec<SignerInfoData>,
    /// The input was BER, not DER (read through the normaliser).
    pub was_ber: bool,
}

/// How a SignerInfo names its certificate (RFC 5652 §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    /// issuerAndSerialNumber.
    IssuerAndSerial {
        /// The issuer name as DER (re-encoded from the decoded name, as [`Cert::issuer_der`]).
        issuer_der: Vec<u8>,
        /// The issuer in RFC 4514 form, for reports.
        issuer: String,
        /// The serial number's content octets, as encoded.
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier.
    KeyId(Vec<u8>),
}

/// One certificate identifier of an ESS signing-certificate attribute (RFC 5035 §4, RFC 2634
/// §5.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssCertId {
    /// The hash algorithm: SHA-1 for version 1, SHA-256 unless named for version 2.
    pub hash_algorithm: ObjectIdentifier,
    /// The hash of the whole certificate DER.
    pub hash: Vec<u8>,
    /// The issuer's directory names (DER) and serial of issuerSerial, when present.
    pub issuer_serial: Option<(Vec<Vec<u8>>, Vec<u8>)>,
}

/// The signed attributes decoded (RFC 5652 §11, RFC 5035, RFC 2634).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedAttributes {
    /// contentType.
    pub content_type: Option<ObjectIdentifier>,
    /// messageDigest.
    pub message_digest: Option<Vec<u8>>,
    /// signingTime: the instant the signer claims (not proof).
    pub signing_time: Option<OffsetDateTime>,
    /// signingCertificateV2's certificate identifiers; the first names the signing certificate.
    pub signing_certificate_v2: Option<Vec<EssCertId>>,
    /// signingCertificate (version 1, SHA-1) identifiers.
    pub signing_certificate_v1: Option<Vec<EssCertId>>,
    /// Every attribute type present, in decoded order.
    pub types: Vec<ObjectIdentifier>,
    /// Attributes present but not as RFC 5652 / RFC 5035 require (a second value, a wrong type),
    /// one line each; a non-empty list is a format failure of the signer.
    pub problems: Vec<String>,
}

/// One SignerInfo (RFC 5652 §5.3) with what the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfoData {
    /// Position in the signerInfos set, from 0, in file order.
    pub index: usize,
    /// The signer identifier.
    pub sid: SignerId,
    /// digestAlgorithm.
    pub digest_algorithm: AlgorithmIdentifierOwned,
    /// signatureAlgorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature value.
    pub signature: Vec<u8>,
    /// The signed attributes as signed: their encoding in the message, tagged SET OF (RFC 5652
    /// §5.4); `None` when the SignerInfo has none (the signature then covers the content).
    pub signed_attrs_der: Option<Vec<u8>>,
    /// The signed attributes decoded.
    pub attributes: SignedAttributes,
    /// The values of the unsigned signature-time-stamp attributes: DER timestamp tokens
    /// (RFC 3161 appendix A), read with [`read_timestamp_token`].
    pub timestamp_tokens: Vec<Vec<u8>>,
    /// Every unsigned attribute type present.
    pub unsigned_types: Vec<ObjectIdentifier>,
}

/// Reads a CMS SignedData: PEM (`CMS` or `PKCS7` label), DER or BER.
pub fn parse(input: &[u8]) -> Result<SignedDocument, CmsFormatError> {
    parse_cached(input, None)
}

/// [`parse`], taking the embedded certificates and the signing-certificate attributes from
/// `certs` when they were decoded before (a batch's signatures by one signer carry the same).
pub fn parse_cached(
    input: &[u8],
    certs: Option<&ParseCache>,
) -> Result<SignedDocument, CmsFormatError> {
    let (mut doc, content) = parse_in_place(input, certs)?;
    if let Some(content) = content {
        doc.content = Some(content.to_vec());
    }
    Ok(doc)
}

/// [`parse_cached`] without copying the content where it can be borrowed: for DER input (not
/// PEM, not BER) the attached content comes back beside the document, as a slice of `input`,
/// and the document's `content` is `None`; otherwise the slice is `None` and the document holds
/// the content as [`parse_cached`] gives it. The engine's batch path: the copy of a large
/// document was a measurable part of a cached verification.
pub(crate) fn parse_in_place<'a>(
    input: &'a [u8],
    certs: Option<&ParseCache>,
) -> Result<(SignedDocument, Option<&'a [u8]>), CmsFormatError> {
    let raw = unpem(input)?;
    // A certificates set seen before at this place was walked then, and decoded.
    let known = certs.and_then(|cache| {
        let set = certificates_of(&raw)?;
        Some((set, cache.cert_set(set)?))
    });
    // Plain DER is what the normaliser would return unchanged: skip its copies.
    let plain = is_plain_der(&raw, known.as_ref().map(|(set, _)| *set));
    if plain && let Cow::Borrowed(der) = raw {
        return parse_der_in_place(der, false, certs, true, known);
    }
    let doc = if plain {
        parse_der(&raw, false, certs, true)?
    } else {
        let der = ber::ber_to_der(&raw)?;
        let was_ber = der != *raw;
        drop(raw);
        parse_der(&der, was_ber, certs, false)?
    };
    Ok((doc, None))
}

/// What [`parse_cached`] keeps across documents: decoded certificates, the decoded
/// signingCertificateV2 attributes by their bytes, and the decoded head of each SignerInfo
/// (version, sid, digestAlgorithm, signatureAlgorithm) by its bytes: all the same in every
/// signature of one signer. `Sync`; every map bounded in entries and bytes (the constants of
/// [`ParseCache`] and [`CertCache`]), emptied and refilled when an insertion would pass a bound.
///
/// The maps here are on the hot path of a batch and are keyed by the bytes themselves: the
/// standard library's randomly keyed SipHash over all of them, compared in full on a hit (see
/// `bounded`): a SHA-256 of each document's certificates set would cost a few per cent of a
/// verification.
#[derive(Debug)]
pub struct ParseCache {
    /// The certificates.
    pub certs: CertCache,
    ess_v2: Bounded<Vec<u8>, Vec<EssCertId>>,
    heads: Bounded<Vec<u8>, Arc<SignerHead>>,
    /// Certificates sets found plain DER where [`certificates_of`] finds them, with their
    /// certificates, by the set's bytes.
    cert_sets: Bounded<Vec<u8>, Arc<[Cert]>>,
    /// The TSA names (the element inside a TSTInfo's `tsa [0]`) that decode as a GeneralName,
    /// by their bytes: a TSA writes the same name into every token.
    tsa_names: Bounded<Vec<u8>, ()>,
}

/// The fields of a SignerInfo that one signer repeats in every signature, as the `cms` crate
/// decoded them from the bytes they are kept by (see [`fast_signer`]).
#[derive(Debug)]
struct SignerHead {
    sid: SignerId,
    digest_algorithm: AlgorithmIdentifierOwned,
    /// The signatureAlgorithm element as encoded, and decoded.
    signature_algorithm_der: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
}

impl Default for ParseCache {
    fn default() -> Self {
        Self {
            certs: CertCache::new(),
            ess_v2: Bounded::new(Self::MAX_ESS, Self::MAX_ESS_BYTES),
            heads: Bounded::new(Self::MAX_HEADS, Self::MAX_HEAD_BYTES),
            cert_sets: Bounded::new(Self::MAX_CERT_SETS, Self::MAX_CERT_SET_BYTES),
            tsa_names: Bounded::new(Self::MAX_TSA_NAMES, Self::MAX_TSA_NAME_BYTES),
        }
    }
}

impl ParseCache {
    /// signingCertificate(V2) values kept at most.
    pub const MAX_ESS: usize = 4096;
    /// Bytes the kept signingCertificate(V2) values are counted at, at most (each at twice its
    /// encoding: the bytes and the decoded identifiers).
    pub const MAX_ESS_BYTES: usize = 4 << 20;
    /// SignerInfo heads kept at most.
    pub const MAX_HEADS: usize = 4096;
    /// Bytes the kept heads are counted at, at most (each at three times its encoding: the key,
    /// the decoded fields and the signatureAlgorithm's own copy).
    pub const MAX_HEAD_BYTES: usize = 4 << 20;
    /// Certificates sets kept at most.
    pub const MAX_CERT_SETS: usize = 1024;
    /// Bytes the kept certificates sets are counted at, at most (each at its bytes plus
    /// [`CERT_COST_FACTOR`] times them for the certificates, which it holds even once the
    /// [`CertCache`] has let them go).
    pub const MAX_CERT_SET_BYTES: usize = 32 << 20;
    /// TSA names kept at most.
    pub const MAX_TSA_NAMES: usize = 1024;
    /// Bytes the kept TSA names are counted at, at most (each at its encoding).
    pub const MAX_TSA_NAME_BYTES: usize = 1 << 20;

    /// The certificates of a certificates set seen before (and then found plain DER).
    fn cert_set(&self, raw: &[u8]) -> Option<Arc<[Cert]>> {
        self.cert_sets.get(raw)
    }

    fn keep_cert_set(&self, raw: &[u8], certs: &[Cert]) {
        let cost = raw.len().saturating_mul(CERT_COST_FACTOR.saturating_add(1));
        self.cert_sets.insert(raw.to_vec(), certs.into(), cost);
    }

    fn head(&self, key: &[u8]) -> Option<Arc<SignerHead>> {
        self.heads.get(key)
    }

    fn keep_head(&self, key: &[u8], head: SignerHead) {
        let cost = key.len().saturating_mul(3);
        self.heads.insert(key.to_vec(), Arc::new(head), cost);
    }

    fn ess_v2(&self, value: &AnyRef<'_>) -> Option<Vec<EssCertId>> {
        if der::Tagged::tag(value) != der::Tag::Sequence {
            return None;
        }
        self.ess_v2.get(value.value())
    }

    fn keep_ess_v2(&self, value: &AnyRef<'_>, ids: &[EssCertId]) {
        if der::Tagged::tag(value) != der::Tag::Sequence {
            return;
        }
        let cost = value.value().len().saturating_mul(2);
        self.ess_v2
            .insert(value.value().to_vec(), ids.to_vec(), cost);
    }
}

/// Whether `input` is one element that [`ber::ber_to_der`] would return unchanged: every
/// length definite and minimal, no constructed string, single-octet tags, no end-of-contents,
/// nothing after the element, nesting within [`ber::MAX_DEPTH`]. Anything else (including input
/// the normaliser refuses) answers `false` and goes through the normaliser.
///
/// Hand-written because the normaliser copies every nested level into a fresh buffer (the
/// content is copied once per level): for the DER every signer here writes, this read-only walk
/// costs a few nanoseconds per element instead.
///
/// `known`: an element of `input` already found plain at the same place of an earlier input
/// (compared by address, so it is these bytes at this place), which is not walked again.
fn is_plain_der(input: &[u8], known: Option<&[u8]>) -> bool {
    plain_elements(input, 0, 1, known).is_some()
}

/// Walks the elements filling `bytes` exactly (at most one when `max` is 1); `Some` when they
/// are all plain DER in the sense of [`is_plain_der`], `skip` not walked into.
fn plain_elements(bytes: &[u8], depth: usize, max: usize, skip: Option<&[u8]>) -> Option<()> {
    if depth >= ber::MAX_DEPTH {
        return None;
    }
    let mut pos = 0usize;
    let mut count = 0usize;
    while pos < bytes.len() {
        count += 1;
        if count > max {
            return None;
        }
        let first = *bytes.get(pos)?;
        // Low tag numbers only; no end-of-contents (tag 0) where an element is expected.
        if first & 0x1f == 0x1f || first == 0 {
            return None;
        }
        let len_first = *bytes.get(pos + 1)?;
        let (len, header) = match len_first {
            short if short < 0x80 => (usize::from(short), 2),
            0x80 | 0xff => return None,
            long => {
                let n = usize::from(long & 0x7f);
                if n > std::mem::size_of::<usize>() {
                    return None;
                }
                let octets = bytes.get(pos + 2..pos + 2 + n)?;
                if octets.first() == Some(&0) {
                    return None;
                }
                let len = octets.iter().try_fold(0usize, |l, b| {
                    l.checked_mul(256)?.checked_add(usize::from(*b))
                })?;
                if len < 0x80 {
                    return None;
                }
                (len, 2 + n)
            }
        };
        let start = pos.checked_add(header)?;
        let end = start.checked_add(len)?;
        let content = bytes.get(start..end)?;
        if first & 0x20 != 0 {
            // A constructed string of the universal class is rewritten by the normaliser.
            if first & 0xc0 == 0 && matches!(first & 0x1f, 3 | 4 | 7 | 12 | 18..=28 | 30) {
                return None;
            }
            let element = bytes.get(pos..end)?;
            if !skip.is_some_and(|known| std::ptr::eq(known, element)) {
                plain_elements(content, depth + 1, usize::MAX, skip)?;
            }
        }
        pos = end;
    }
    (count == 1 || max != 1).then_some(())
}

fn unpem(input: &[u8]) -> Result<Cow<'_, [u8]>, CmsFormatError> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace());
    let looks_pem =
        start.is_some_and(|i| input.get(i..).is_some_and(|s| s.starts_with(b"-----BEGIN")));
    if !looks_pem {
        return Ok(Cow::Borrowed(input));
    }
    let block = pem::parse(input).map_err(|e| CmsFormatError::Pem {
        detail: e.to_string(),
    })?;
    match block.tag() {
        "CMS" | "PKCS7" => Ok(Cow::Owned(block.into_contents())),
        other => Err(CmsFormatError::Pem {
            detail: format!("the PEM label is {other:?}"),
        }),
    }
}

/// The element at the start of `bytes`, which must fill it and carry `tag`.
fn whole<'a>(bytes: &'a [u8], tag: u8, part: &str) -> Result<Tlv<'a>, CmsFormatError> {
    let tlv = ber::read_tlv(bytes, 0).ok_or_else(|| malformed(part, "not one DER element"))?;
    if tlv.tag != tag {
        return Err(malformed(
            part,
            format!("tag 0x{:02x} where 0x{tag:02x} was expected", tlv.tag),
        ));
    }
    if tlv.end != bytes.len() {
        return Err(malformed(part, "bytes after the end of the element"));
    }
    Ok(tlv)
}

/// [`ber::children`], with room for a SignedData's fields from the start.
fn children<'a>(tlv: &Tlv<'a>, part: &str) -> Result<Vec<Tlv<'a>>, CmsFormatError> {
    let mut out = Vec::with_capacity(8);
    let mut pos = 0;
    while pos < tlv.value.len() {
        let element = ber::read_tlv(tlv.value, pos)
            .ok_or_else(|| malformed(part, "its content is not a list of elements"))?;
        pos = element.end;
        out.push(element);
    }
    Ok(out)
}

fn oid_of(tlv: &Tlv<'_>, part: &str) -> Result<ObjectIdentifier, CmsFormatError> {
    if tlv.tag != TAG_OID {
        return Err(malformed(part, "an OBJECT IDENTIFIER was expected"));
    }
    ObjectIdentifier::from_der(tlv.raw).map_err(|e| malformed(part, e))
}

/// The SignedData inside a DER ContentInfo. `plain`: the input passed [`is_plain_der`], which
/// the SignerInfo fast path ([`fast_signer`]) relies on.
fn parse_der(
    der: &[u8],
    was_ber: bool,
    cache: Option<&ParseCache>,
    plain: bool,
) -> Result<SignedDocument, CmsFormatError> {
    let (mut doc, content) = parse_der_in_place(der, was_ber, cache, plain, None)?;
    doc.content = content.map(<[u8]>::to_vec);
    Ok(doc)
}

/// [`parse_der`] with the content left in `der`: the document's `content` is `None`, the
/// content (when attached) comes back beside it. `known`: the certificates set of `der` (by
/// [`certificates_of`]) and its certificates, from [`ParseCache::cert_set`].
fn parse_der_in_place<'a>(
    der: &'a [u8],
    was_ber: bool,
    cache: Option<&ParseCache>,
    plain: bool,
    known: Option<(&[u8], Arc<[Cert]>)>,
) -> Result<(SignedDocument, Option<&'a [u8]>), CmsFormatError> {
    let top = whole(der, TAG_SEQUENCE, "ContentInfo")?;
    let fields = children(&top, "ContentInfo")?;
    let [content_type, explicit] = fields.as_slice() else {
        return Err(malformed(
            "ContentInfo",
            "expected contentType and [0] content",
        ));
    };
    let content_type = oid_of(content_type, "ContentInfo.contentType")?;
    if content_type != ID_SIGNED_DATA {
        return Err(CmsFormatError::NotSignedData {
            content_type: content_type.to_string(),
        });
    }
    if explicit.tag != TAG_CONTEXT_0 {
        return Err(malformed("ContentInfo", "the content is not tagged [0]"));
    }
    let sd = whole(explicit.value, TAG_SEQUENCE, "SignedData")?;
    let fields = children(&sd, "SignedData")?;
    let mut it = fields.iter().peekable();
    let version = it.next().ok_or_else(|| malformed("SignedData", "empty"))?;
    if version.tag != TAG_INTEGER {
        return Err(malformed("SignedData.version", "not an INTEGER"));
    }
    let digests = it
        .next()
        .ok_or_else(|| malformed("SignedData", "no digestAlgorithms"))?;
    if digests.tag != TAG_SET {
        return Err(malformed("SignedData.digestAlgorithms", "not a SET"));
    }
    let encap = it
        .next()
        .ok_or_else(|| malformed("SignedData", "no encapContentInfo"))?;
    // Borrowed: the content is copied at most once, into the document (the `cms` crate's owned
    // type would copy it twice).
    let (econtent_type, content) = match plain.then(|| plain_encap(encap)).flatten() {
        Some(read) => read,
        None => {
            let encap = EncapsulatedContentInfoRef::from_der(encap.raw)
                .map_err(|e| malformed("SignedData.encapContentInfo", e))?;
            (encap.econtent_type, encap.econtent.map(|any| any.value()))
        }
    };

    let mut certificates = Vec::new();
    if let Some(set) = it.next_if(|t| t.tag == TAG_CONTEXT_0) {
        match &known {
            Some((raw, certs)) if std::ptr::eq(*raw, set.raw) => certificates = certs.to_vec(),
            _ => {
                certificates = read_certificates(set, cache)?;
                if let Some(cache) = cache
                    && plain
                {
                    cache.keep_cert_set(set.raw, &certificates);
                }
            }
        }
    }
    let mut crls = Vec::new();
    let mut ocsp_responses = Vec::new();
    if let Some(set) = it.next_if(|t| t.tag == TAG_CONTEXT_1) {
        for choice in children(set, "SignedData.crls")? {
            match choice.tag {
                TAG_SEQUENCE => crls.push(choice.raw.to_vec()),
                // other [1] IMPLICIT OtherRevocationInfoFormat (RFC 5652 §10.2.1).
                TAG_CONTEXT_1 => {
                    let parts = children(&choice, "OtherRevocationInfoFormat")?;
                    if let [format, info] = parts.as_slice()
                        && oid_of(format, "OtherRevocationInfoFormat")? == ID_RI_OCSP_RESPONSE
                    {
                        ocsp_responses.push(info.raw.to_vec());
                    }
                }
                _ => {}
            }
        }
    }
    let infos = it
        .next()
        .ok_or_else(|| malformed("SignedData", "no signerInfos"))?;
    if infos.tag != TAG_SET {
        return Err(malformed("SignedData.signerInfos", "not a SET"));
    }
    if it.next().is_some() {
        return Err(malformed("SignedData", "elements after signerInfos"));
    }
    let infos = children(infos, "SignedData.signerInfos")?;
    // Sized up front: collecting through `Result` would start at room for four SignerInfos,
    // an allocation large enough to send glibc's malloc down its slow path on every document.
    let mut signers = Vec::with_capacity(infos.len());
    for (index, tlv) in infos.iter().enumerate() {
        let fast = match cache {
            Some(cache) if plain => fast_signer(index, tlv, cache),
            _ => None,
        };
        signers.push(match fast {
            Some(signer) => signer,
            None => parse_signer(index, tlv, cache)?,
        });
    }
    let doc = SignedDocument {
        content_type: econtent_type,
        content: None,
        certificates,
        crls,
        ocsp_responses,
        signers,
        was_ber,
    };
    Ok((doc, content))
}

/// The certificates of the SignedData's certificates set, in file order.
fn read_certificates(
    set: &Tlv<'_>,
    cache: Option<&ParseCache>,
) -> Result<Vec<Cert>, CmsFormatError> {
    let mut certificates = Vec::new();
    for (index, choice) in children(set, "SignedData.certificates")?.iter().enumerate() {
        // Only the `certificate` choice; extendedCertificate [0], the attribute
        // certificates [1], [2] and other [3] play no part in signature validation.
        if choice.tag == TAG_SEQUENCE {
            let cert = match cache {
                Some(cache) => cache.certs.from_der(choice.raw),
                None => Cert::from_der(choice.raw),
            }
            .map_err(|error| CmsFormatError::Certificate { index, error })?;
            certificates.push(cert);
        }
    }
    Ok(certificates)
}

/// The encapContentInfo of plain DER in its two usual shapes, `id-data` or `id-ct-TSTInfo`
/// with or without `[0] EXPLICIT` content, read without `der`'s derived decoder; `None` for
/// anything else, which goes to it. The type is recognised by its bytes and the content
/// element goes through `der`'s own `AnyRef` decoder, so the answer is the derived decoder's.
fn plain_encap<'a>(encap: &Tlv<'a>) -> Option<(ObjectIdentifier, Option<&'a [u8]>)> {
    if encap.tag != TAG_SEQUENCE {
        return None;
    }
    let oid = ber::read_tlv(encap.value, 0)?;
    let content_type = [ID_DATA, ID_CT_TST_INFO]
        .into_iter()
        .find(|known| oid.tag == TAG_OID && known.as_bytes() == oid.value)?;
    if oid.end == encap.value.len() {
        return Some((content_type, None));
    }
    let [explicit] = split(encap.value, oid.end)?;
    if explicit.tag != TAG_CONTEXT_0 {
        return None;
    }
    let [inner] = split(explicit.value, 0)?;
    let content = AnyRef::from_der(inner.raw).ok()?;
    Some((content_type, Some(content.value())))
}

/// Where the certificates set of the SignedData in `der` (a ContentInfo) is: the element after
/// version, digestAlgorithms and encapContentInfo when it is tagged `[0]`, as
/// [`parse_der_in_place`] finds it. Nothing else is checked.
fn certificates_of(der: &[u8]) -> Option<&[u8]> {
    let info = ber::read_tlv(der, 0)?;
    let content_type = ber::read_tlv(info.value, 0)?;
    let explicit = ber::read_tlv(info.value, content_type.end)?;
    let signed_data = ber::read_tlv(explicit.value, 0)?;
    let mut pos = 0;
    for _ in 0..3 {
        pos = ber::read_tlv(signed_data.value, pos)?.end;
    }
    let set = ber::read_tlv(signed_data.value, pos)?;
    (set.tag == TAG_CONTEXT_0).then_some(set.raw)
}

fn parse_signer(
    index: usize,
    tlv: &Tlv<'_>,
    cache: Option<&ParseCache>,
) -> Result<SignerInfoData, CmsFormatError> {
    let part = format!("SignerInfo {}", index + 1);
    let info = SignerInfo::from_der(tlv.raw).map_err(|e| malformed(&part, e))?;
    // The signed attributes as they are in the message: the element after version, sid and
    // digestAlgorithm, when it is [0] (sid's own [0] is primitive, 0x80).
    let fields = children(tlv, &part)?;
    let signed_attrs_der = fields.get(3).filter(|t| t.tag == TAG_CONTEXT_0).map(|t| {
        let mut bytes = t.raw.to_vec();
        if let Some(first) = bytes.first_mut() {
            *first = TAG_SET;
        }
        bytes
    });
    if signed_attrs_der.is_some() != info.signed_attrs.is_some() {
        return Err(malformed(
            &part,
            "signed attributes not where RFC 5652 §5.3 puts them",
        ));
    }
    let sid = match &info.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let issuer_der = ias
                .issuer
                .to_der()
                .map_err(|e| malformed(format!("{part} issuer"), e))?;
            let issuer = match cache {
                Some(cache) => cache.certs.name_text(&issuer_der, &ias.issuer),
                None => eds_profile::names::rfc4514(&ias.issuer),
            };
            SignerId::IssuerAndSerial {
                issuer_der,
                issuer,
                serial: ias.serial_number.as_bytes().to_vec(),
            }
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => SignerId::KeyId(ski.0.as_bytes().to_vec()),
    };
    let attributes = info
        .signed_attrs
        .as_ref()
        .map(|attrs| {
            let attrs: Vec<(ObjectIdentifier, Vec<AnyRef<'_>>)> = attrs
                .iter()
                .map(|a| (a.oid, a.values.iter().map(AnyRef::from).collect()))
                .collect();
            decode_attributes(attrs.iter().map(|(oid, v)| (*oid, v.as_slice())), cache)
        })
        .unwrap_or_default();
    let mut timestamp_tokens = Vec::new();
    let mut unsigned_types = Vec::new();
    for attr in info.unsigned_attrs.iter().flat_map(|a| a.iter()) {
        unsigned_types.push(attr.oid);
        if attr.oid == ID_SIGNATURE_TIME_STAMP_TOKEN {
            for value in attr.values.iter() {
                let der = value
                    .to_der()
                    .map_err(|e| malformed(format!("{part} timestamp token"), e))?;
                timestamp_tokens.push(der);
            }
        }
    }
    if let (Some(cache), Some(key), Some(sig_alg)) = (cache, head_key(tlv), fields.get(4))
        && signed_attrs_der.is_some()
    {
        // The crate decoded version, sid and digestAlgorithm from `key`, signatureAlgorithm
        // from `sig_alg` (signed attributes are present, so it is the fifth field).
        cache.keep_head(
            key,
            SignerHead {
                sid: sid.clone(),
                digest_algorithm: info.digest_alg.clone(),
                signature_algorithm_der: sig_alg.raw.to_vec(),
                signature_algorithm: info.signature_algorithm.clone(),
            },
        );
    }
    Ok(SignerInfoData {
        index,
        sid,
        digest_algorithm: info.digest_alg,
        signature_algorithm: info.signature_algorithm,
        signature: info.signature.as_bytes().to_vec(),
        signed_attrs_der,
        attributes,
        timestamp_tokens,
        unsigned_types,
    })
}

/// The largest SignerInfo [`fast_signer`] reads: far below every length limit of `der`, so
/// that no limit can tell the two readers apart.
const FAST_MAX: usize = 64 * 1024;

/// The bytes of a SignerInfo's version, sid and digestAlgorithm elements (its first three,
/// contiguous): the key of [`SignerHead`]. `None` when it does not have three elements.
fn head_key<'a>(tlv: &Tlv<'a>) -> Option<&'a [u8]> {
    let mut end = 0usize;
    for _ in 0..3 {
        end = ber::read_tlv(tlv.value, end)?.end;
    }
    tlv.value.get(..end)
}

/// One SignerInfo read in a single borrowed pass, for the common shape only: a signer seen
/// before (its [`SignerHead`] in the cache, by the same bytes), signed attributes and, when
/// present, unsigned attributes (`[1]`, a CAdES-T, LT or LTA signature's timestamps, an archive
/// timestamp token's ATSHashIndexV3) each with one value and in the order the `cms` crate's
/// SET OF decoder keeps. `None` for anything else, which then goes through [`parse_signer`]
/// and the crate.
///
/// Hand-written because the crate's owned decode is most of the cost of a cached
/// verification besides the signature (it decodes the sid's issuer name in full, copies every
/// attribute value, and re-encodes elements to sort its SET OFs). It accepts only what the
/// crate accepts and yields what [`parse_signer`] would: the head's bytes were decoded by the
/// crate before; every attribute's OID and value go through the same `der` decoders; the
/// attributes must already be strictly in the crate's order (`der`'s `DerOrd` for
/// `Attribute`: the DER length, then the OID, compared with `der`'s own `der_cmp`), so its
/// sort is the identity and its duplicate check passes (the same for the unsigned attributes,
/// the same `Attributes` type to the crate); the input passed [`is_plain_der`] (minimal
/// definite lengths, one-octet tags), so lengths and re-encodings agree: a timestamp token's
/// bytes as they stand in the message are what [`parse_signer`] gets by encoding the crate's
/// decoded value again.
fn fast_signer(index: usize, tlv: &Tlv<'_>, cache: &ParseCache) -> Option<SignerInfoData> {
    if tlv.tag != TAG_SEQUENCE || tlv.raw.len() > FAST_MAX {
        return None;
    }
    let mut pos = 0;
    // version, sid, digestAlgorithm: the head's key.
    for _ in 0..3 {
        pos = ber::read_tlv(tlv.value, pos)?.end;
    }
    let head = cache.head(tlv.value.get(..pos)?)?;
    let signed = ber::read_tlv(tlv.value, pos)?;
    let sig_alg = ber::read_tlv(tlv.value, signed.end)?;
    let signature = ber::read_tlv(tlv.value, sig_alg.end)?;
    // unsignedAttrs [1] IMPLICIT, constructed, last; nothing else after the signature.
    let unsigned = if signature.end == tlv.value.len() {
        None
    } else {
        let [unsigned] = split(tlv.value, signature.end)?;
        if unsigned.tag != TAG_CONTEXT_1 {
            return None;
        }
        Some(unsigned)
    };
    if signed.tag != TAG_CONTEXT_0 || signature.tag != TAG_OCTET_STRING {
        return None;
    }
    if head.signature_algorithm_der != sig_alg.raw {
        return None;
    }
    let attrs = fast_attributes(signed.value)?;
    let mut timestamp_tokens = Vec::new();
    let mut unsigned_types = Vec::new();
    if let Some(unsigned) = unsigned {
        let attrs = fast_attributes(unsigned.value)?;
        unsigned_types.reserve_exact(attrs.len());
        for (oid, _, raw) in attrs {
            unsigned_types.push(oid);
            if oid == ID_SIGNATURE_TIME_STAMP_TOKEN {
                timestamp_tokens.push(raw.to_vec());
            }
        }
    }
    let attributes = decode_attributes(
        attrs
            .iter()
            .map(|(oid, value, _)| (*oid, std::slice::from_ref(value))),
        Some(cache),
    );
    let mut signed_attrs_der = signed.raw.to_vec();
    if let Some(first) = signed_attrs_der.first_mut() {
        *first = TAG_SET;
    }
    Some(SignerInfoData {
        index,
        sid: head.sid.clone(),
        digest_algorithm: head.digest_algorithm.clone(),
        signature_algorithm: head.signature_algorithm.clone(),
        signature: signature.value.to_vec(),
        signed_attrs_der: Some(signed_attrs_der),
        attributes,
        timestamp_tokens,
        unsigned_types,
    })
}

/// The attribute types [`fast_attributes`] recognises without decoding: the signed ones
/// every signer writes, and the unsigned ones of CAdES-T, LT and LTA signatures and tokens.
const KNOWN_ATTRIBUTES: [ObjectIdentifier; 7] = [
    ID_CONTENT_TYPE,
    ID_MESSAGE_DIGEST,
    ID_SIGNING_TIME,
    ID_SIGNING_CERTIFICATE_V2,
    ID_SIGNATURE_TIME_STAMP_TOKEN,
    crate::ltv::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
    crate::ltv::ID_AA_ATS_HASH_INDEX_V3,
];

/// Exactly `N` elements from `pos` to the end of `value`; `None` for fewer, more, or bytes that
/// are not elements.
fn split<const N: usize>(value: &[u8], mut pos: usize) -> Option<[Tlv<'_>; N]> {
    let mut out = [PLACEHOLDER; N];
    for slot in &mut out {
        let tlv = ber::read_tlv(value, pos)?;
        pos = tlv.end;
        *slot = tlv;
    }
    (pos == value.len()).then_some(out)
}

/// What [`split`] fills its array with before it reads; never returned.
const PLACEHOLDER: Tlv<'static> = Tlv {
    tag: 0,
    end: 0,
    value: &[],
    raw: &[],
};

/// One attribute as [`fast_attributes`] reads it: its type, its one value, and the value's
/// bytes as they stand in the message.
type FastAttribute<'a> = (ObjectIdentifier, AnyRef<'a>, &'a [u8]);

/// The content of a `[0]` or `[1] IMPLICIT SET OF Attribute` read as [`fast_signer`]
/// describes: `(type, the one value, its bytes)` in order; `None` when any attribute is not of
/// that shape or the order is not strictly the crate's.
fn fast_attributes(content: &[u8]) -> Option<Vec<FastAttribute<'_>>> {
    let mut out: Vec<FastAttribute<'_>> = Vec::with_capacity(8);
    let mut previous: Option<der::Length> = None;
    let mut pos = 0;
    while pos < content.len() {
        let item = ber::read_tlv(content, pos)?;
        pos = item.end;
        if item.tag != TAG_SEQUENCE {
            return None;
        }
        let [oid, set] = split(item.value, 0)?;
        if oid.tag != TAG_OID || set.tag != TAG_SET {
            return None;
        }
        // The attribute types every signer writes are recognised by their bytes: decoding
        // those bytes would give the same (valid) identifier.
        let oid = match KNOWN_ATTRIBUTES
            .iter()
            .find(|known| known.as_bytes() == oid.value)
        {
            Some(known) => *known,
            None => ObjectIdentifier::from_der(oid.raw).ok()?,
        };
        let [value] = split(set.value, 0)?;
        let raw = value.raw;
        // What `AnyRef::from_der(value.raw)` gives, without decoding the header again: the
        // tag through `der`'s own conversion, the length already minimal (plain DER).
        let value = AnyRef::new(der::Tag::try_from(value.tag).ok()?, value.value).ok()?;
        let len = der::Length::try_from(item.value.len()).ok()?;
        if let (Some(previous_len), Some((previous_oid, _, _))) = (previous, out.last()) {
            // `der_cmp` of two lengths compares their minimal encodings, which order as the
            // numbers do (a unit test compares the two): compared without encoding them.
            let order = match previous_len.cmp(&len) {
                std::cmp::Ordering::Equal => previous_oid.der_cmp(&oid).ok()?,
                other => other,
            };
            if order != std::cmp::Ordering::Less {
                return None;
            }
        }
        previous = Some(len);
        out.push((oid, value, raw));
    }
    // An empty set (RFC 5652 §5.3 says SIZE (1..MAX)) is left to the crate.
    (!out.is_empty()).then_some(out)
}

/// The signed attributes, each as its type and values, in the order the `cms` crate's decoder
/// keeps them.
fn decode_attributes<'a, 'b: 'a>(
    attrs: impl Iterator<Item = (ObjectIdentifier, &'a [AnyRef<'b>])>,
    cache: Option<&ParseCache>,
) -> SignedAttributes {
    let mut out = SignedAttributes::default();
    for (oid, values) in attrs {
        let name = match oid {
            ID_CONTENT_TYPE => "contentType",
            ID_MESSAGE_DIGEST => "messageDigest",
            ID_SIGNING_TIME => "signingTime",
            ID_SIGNING_CERTIFICATE_V2 => "signingCertificateV2",
            ID_SIGNING_CERTIFICATE => "signingCertificate",
            _ => {
                out.types.push(oid);
                continue;
            }
        };
        if out.types.contains(&oid) {
            out.problems
                .push(format!("the {name} attribute appears more than once"));
            continue;
        }
        out.types.push(oid);
        // RFC 5652 §11.1–11.3, RFC 5035 §3: each has exactly one value.
        let [value] = values else {
            out.problems.push(format!(
                "the {name} attribute has {} values, not one",
                values.len()
            ));
            continue;
        };
        let problem =
            |e: &dyn std::fmt::Display| format!("the {name} attribute does not decode: {e}");
        match oid {
            ID_CONTENT_TYPE => match known_oid(value).map_or_else(|| value.decode_as(), Ok) {
                Ok(oid) => out.content_type = Some(oid),
                Err(e) => out.problems.push(problem(&e)),
            },
            ID_MESSAGE_DIGEST => match value.decode_as::<OctetString>() {
                Ok(d) => out.message_digest = Some(d.as_bytes().to_vec()),
                Err(e) => out.problems.push(problem(&e)),
            },
            ID_SIGNING_TIME => match time_of(value) {
                Ok(t) => out.signing_time = unix(t.to_unix_duration()),
                Err(e) => out.problems.push(problem(&e)),
            },
            ID_SIGNING_CERTIFICATE_V2 => {
                if let Some(ids) = cache.and_then(|c| c.ess_v2(value)) {
                    out.signing_certificate_v2 = Some(ids);
                    continue;
                }
                match value.decode_as::<ess::SigningCertificateV2>() {
                    Ok(sc) => {
                        let ids: Vec<EssCertId> = sc
                            .certs
                            .into_iter()
                            .map(|id| EssCertId {
                                hash_algorithm: id.hash_algorithm.map_or(crypto::SHA256, |a| a.oid),
                                hash: id.cert_hash.as_bytes().to_vec(),
                                issuer_serial: id.issuer_serial.map(ess::IssuerSerial::parts),
                            })
                            .collect();
                        if let Some(cache) = cache {
                            cache.keep_ess_v2(value, &ids);
                        }
                        out.signing_certificate_v2 = Some(ids);
                    }
                    Err(e) => out.problems.push(problem(&e)),
                }
            }
            _ => match value.decode_as::<ess::SigningCertificate>() {
                Ok(sc) => {
                    out.signing_certificate_v1 = Some(
                        sc.certs
                            .into_iter()
                            .map(|id| EssCertId {
                                hash_algorithm: crypto::SHA1,
                                hash: id.cert_hash.as_bytes().to_vec(),
                                issuer_serial: id.issuer_serial.map(ess::IssuerSerial::parts),
                            })
                            .collect(),
                    );
                }
                Err(e) => out.problems.push(problem(&e)),
            },
        }
    }
    out
}

/// The content types every signer writes, recognised by their bytes.
const KNOWN_CONTENT_TYPES: [ObjectIdentifier; 2] = [ID_DATA, ID_CT_TST_INFO];

/// A value that is an OBJECT IDENTIFIER of [`KNOWN_CONTENT_TYPES`], recognised by its bytes:
/// decoding those bytes would give the same (valid) identifier.
fn known_oid(value: &AnyRef<'_>) -> Option<ObjectIdentifier> {
    if der::Tagged::tag(value) != der::Tag::ObjectIdentifier {
        return None;
    }
    KNOWN_CONTENT_TYPES
        .into_iter()
        .find(|known| known.as_bytes() == value.value())
}

/// The [`Time`] an attribute value holds: decoded in place when it is a UTCTime or a
/// GeneralizedTime (what `Time::from_der` of its encoding gives, without the copy), otherwise
/// through its encoding, for `Time`'s own error.
fn time_of(value: &AnyRef<'_>) -> der::Result<Time> {
    let direct = match der::Tagged::tag(value) {
        der::Tag::UtcTime => value.decode_as::<UtcTime>().ok().map(Time::UtcTime),
        der::Tag::GeneralizedTime => value
            .decode_as::<GeneralizedTime>()
            .ok()
            .map(Time::GeneralTime),
        _ => None,
    };
    match direct {
        Some(time) => Ok(time),
        None => value.to_der().and_then(|d| Time::from_der(&d)),
    }
}

fn unix(d: std::time::Duration) -> Option<OffsetDateTime> {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

mod ess {
    //! RFC 5035 §3–4 and RFC 2634 §5.4: declared here, `cms` 0.2 and `x509-tsp` 0.1 lack them.
    //! The serial is a plain INTEGER so that a non-conforming long serial still decodes (the
    //! comparison with the certificate decides).
    use der::Encode;
    use der::Sequence;
    use der::asn1::{Any, Int, OctetString};
    use spki::AlgorithmIdentifierOwned;
    use x509_cert::ext::pkix::name::GeneralName;

    /// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`.
    #[derive(Sequence)]
    pub(super) struct SigningCertificateV2 {
        pub(super) certs: Vec<EssCertIdV2>,
        #[asn1(optional = "true")]
        pub(super) policies: Option<Any>,
    }

    /// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }`.
    #[derive(Sequence)]
    pub(super) struct EssCertIdV2 {
        #[asn1(optional = "true")]
        pub(super) hash_algorithm: Option<AlgorithmIdentifierOwned>,
        pub(super) cert_hash: OctetString,
        #[asn1(optional = "true")]
        pub(super) issuer_serial: Option<IssuerSerial>,
    }

    /// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }`.
    #[derive(Sequence)]
    pub(super) struct SigningCertificate {
        pub(super) certs: Vec<EssCertId>,
        #[asn1(optional = "true")]
        pub(super) policies: Option<Any>,
    }

    /// `ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial OPTIONAL }`.
    #[derive(Sequence)]
    pub(super) struct EssCertId {
        pub(super) cert_hash: OctetString,
        #[asn1(optional = "true")]
        pub(super) issuer_serial: Option<IssuerSerial>,
    }

    /// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
    #[derive(Sequence)]
    pub(super) struct IssuerSerial {
        pub(super) issuer: Vec<GeneralName>,
        pub(super) serial_number: Int,
    }

    impl IssuerSerial {
        /// The directory names as DER, and the serial's content octets.
        pub(super) fn parts(self) -> (Vec<Vec<u8>>, Vec<u8>) {
            let names = self
                .issuer
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DirectoryName(name) => name.to_der().ok(),
                    _ => None,
                })
                .collect();
            (names, self.serial_number.as_bytes().to_vec())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Content digests

/// The digests of the content under every digest algorithm the signers use, computed in one
/// pass, to hand to [`check_signer`] through [`ContentDigests::for_signer`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentDigests {
    digests: Vec<(Digest, Vec<u8>)>,
}

impl ContentDigests {
    /// The digest algorithms of the document's signers that this verifier computes.
    fn algorithms(doc: &SignedDocument) -> Vec<Digest> {
        let mut out: Vec<Digest> = Vec::new();
        for signer in &doc.signers {
            if let Some(d) = Digest::from_oid(&signer.digest_algorithm.oid)
                && !out.contains(&d)
            {
                out.push(d);
            }
        }
        out
    }

    /// Digests of content held in memory (attached content, or detached bytes).
    pub fn of_bytes(doc: &SignedDocument, content: &[u8]) -> Self {
        Self {
            digests: Self::algorithms(doc)
                .into_iter()
                .map(|d| (d, d.digest(content)))
                .collect(),
        }
    }

    /// Digests of detached content read from `reader` in fixed-size chunks: a file of any size
    /// in constant memory.
    pub fn of_reader(doc: &SignedDocument, mut reader: impl Read) -> io::Result<Self> {
        let algorithms = Self::algorithms(doc);
        let mut contexts: Vec<_> = algorithms.iter().map(|d| d.context()).collect();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let chunk = buf.get(..n).unwrap_or_default();
            for ctx in &mut contexts {
                ctx.update(chunk);
            }
        }
        Ok(Self {
            digests: algorithms
                .into_iter()
                .zip(contexts)
                .map(|(d, ctx)| (d, ctx.finish()))
                .collect(),
        })
    }

    /// The digest for this signer's digest algorithm; `None` when the algorithm is one this
    /// verifier does not compute.
    pub fn for_signer(&self, signer: &SignerInfoData) -> Option<&[u8]> {
        let d = Digest::from_oid(&signer.digest_algorithm.oid)?;
        self.digests
            .iter()
            .find(|(a, _)| *a == d)
            .map(|(_, v)| v.as_slice())
    }
}

// ---------------------------------------------------------------------------------------------
// Checking a signer

/// Why a SignerInfo does not verify. The engine maps each onto an ETSI EN 319 102-1
/// sub-indication.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerFailure {
    /// An attribute is malformed (FORMAT_FAILURE).
    #[error("the signature is malformed: {detail}")]
    FormatFailure {
        /// What is wrong.
        detail: String,
    },
    /// A signed attribute RFC 5652 §5.3 requires is absent (FORMAT_FAILURE).
    #[error("the signed attribute {name} is missing (RFC 5652 §5.3 requires it)")]
    MissingAttribute {
        /// `contentType` or `messageDigest`.
        name: &'static str,
    },
    /// No embedded or supplied certificate matches the signer identifier
    /// (NO_SIGNING_CERTIFICATE_FOUND).
    #[error(
        "the signer's certificate is neither embedded nor supplied; pass it (and its chain) \
         as extra certificates"
    )]
    NoSigningCertificate,
    /// The signingCertificateV2 / signingCertificate attribute names another certificate than
    /// the one the signer identifier finds (RFC 5035 §5.4: the signature must be rejected).
    #[error(
        "the signing-certificate attribute names a different certificate than the signer \
         identifier"
    )]
    SigningCertificateHashMismatch,
    /// The contentType attribute differs from eContentType (RFC 5652 §11.1).
    #[error("the contentType attribute differs from the encapsulated content type")]
    ContentTypeMismatch,
    /// The signature is detached and no content was given (or, for a SignerInfo without
    /// signed attributes, only its digest: the signature covers the content bytes themselves).
    #[error("the signature is detached: give the signed document's content to check it")]
    ContentMissing,
    /// The content's digest differs from messageDigest (HASH_FAILURE).
    #[error("the content's digest differs from the signed messageDigest: the document was changed")]
    HashFailure,
    /// The signature value does not verify with the certificate's key (SIG_CRYPTO_FAILURE).
    #[error("the signature value does not verify with the signer's public key")]
    SignatureInvalid,
    /// An algorithm is unsupported (GOST R 34.10-2001/94), refused (SHA-1, small RSA) or does not fit the key
    /// (CRYPTO_CONSTRAINTS_FAILURE).
    #[error("{0}")]
    Crypto(CryptoError),
}

/// The outcome of [`check_signer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerCheck {
    /// The SignerInfo's position.
    pub index: usize,
    /// The signing certificate found, if any.
    pub certificate: Option<Cert>,
    /// Every reason the signer fails, in the order checked; empty when it verifies.
    pub failures: Vec<SignerFailure>,
}

impl SignerCheck {
    /// Whether the SignerInfo verifies (no failure).
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Whether `cert` is the certificate `sid` names (RFC 5652 §5.3, §10.2.4). A certificate
/// without a subjectKeyIdentifier matches a key identifier equal to the SHA-1 of its public key
/// (RFC 5280 §4.2.1.2, method 1), the value signers compute in that case.
pub fn matches_sid(cert: &Cert, sid: &SignerId) -> bool {
    match sid {
        SignerId::IssuerAndSerial {
            issuer_der, serial, ..
        } => cert.serial() == serial.as_slice() && cert.issuer_der() == issuer_der.as_slice(),
        SignerId::KeyId(id) => match cert.subject_key_id() {
            Some(ski) => ski == *id,
            None => Digest::Sha1.digest(cert.public_key_bytes()) == *id,
        },
    }
}

/// Whether an ESS certificate identifier names `cert`: hash, and issuerSerial when present.
/// `Err` for a hash algorithm this verifier cannot compute.
fn ess_matches(id: &EssCertId, cert: &Cert) -> Result<bool, CryptoError> {
    let digest = Digest::from_oid(&id.hash_algorithm).ok_or_else(|| CryptoError::Unsupported {
        algorithm: format!(
            "signing-certificate hash {}",
            crypto::algorithm_name(&id.hash_algorithm)
        ),
    })?;
    // The certificate's SHA-256 is already known (the usual ESS hash, signingCertificateV2).
    let same = match digest {
        Digest::Sha256 => cert.sha256().as_slice() == id.hash.as_slice(),
        other => other.digest(cert.der()) == id.hash,
    };
    if !same {
        return Ok(false);
    }
    Ok(match &id.issuer_serial {
        None => true,
        Some((names, serial)) => {
            serial.as_slice() == cert.serial()
                && (names.is_empty() || names.iter().any(|n| n.as_slice() == cert.issuer_der()))
        }
    })
}

/// Checks one SignerInfo of `doc`.
///
/// `content_digest` is the digest of detached content under the signer's digest algorithm
/// ([`ContentDigests::for_signer`]); for attached content pass `None` (it is digested here).
/// `extra_certs` are certificates supplied beside the signature, searched after the embedded
/// ones. A detached SignerInfo without signed attributes needs the content bytes: use
/// [`check_signer_with_content`].
pub fn check_signer(
    doc: &SignedDocument,
    signer: &SignerInfoData,
    content_digest: Option<&[u8]>,
    extra_certs: &[Cert],
) -> SignerCheck {
    check(doc, signer, content_digest, None, extra_certs)
}

/// [`check_signer`] with detached content given as bytes.
pub fn check_signer_with_content(
    doc: &SignedDocument,
    signer: &SignerInfoData,
    content: &[u8],
    extra_certs: &[Cert],
) -> SignerCheck {
    check(doc, signer, None, Some(content), extra_certs)
}

fn check(
    doc: &SignedDocument,
    signer: &SignerInfoData,
    content_digest: Option<&[u8]>,
    detached: Option<&[u8]>,
    extra_certs: &[Cert],
) -> SignerCheck {
    let mut failures = Vec::new();
    let attrs = &signer.attributes;
    for problem in &attrs.problems {
        failures.push(SignerFailure::FormatFailure {
            detail: problem.clone(),
        });
    }

    // The signing certificate: by the signer identifier, preferring one the ESS attribute names
    // when several match (a renewed certificate can keep its key and key identifier).
    let ess = attrs
        .signing_certificate_v2
        .as_ref()
        .or(attrs.signing_certificate_v1.as_ref())
        .and_then(|ids| ids.first());
    let candidates: Vec<&Cert> = doc
        .certificates
        .iter()
        .chain(extra_certs)
        .filter(|c| matches_sid(c, &signer.sid))
        .collect();
    let certificate = candidates
        .iter()
        .find(|c| ess.is_some_and(|id| ess_matches(id, c).unwrap_or(false)))
        .or(candidates.first())
        .map(|c| (*c).clone());
    match (&certificate, ess) {
        (None, _) => failures.push(SignerFailure::NoSigningCertificate),
        (Some(cert), Some(id)) => match ess_matches(id, cert) {
            Ok(true) => {}
            Ok(false) => failures.push(SignerFailure::SigningCertificateHashMismatch),
            Err(e) => failures.push(SignerFailure::Crypto(e)),
        },
        (Some(_), None) => {}
    }

    // The digest algorithm, and the content's digest.
    let digest = match Digest::from_oid(&signer.digest_algorithm.oid) {
        Some(Digest::Sha1) => Err(CryptoError::Disallowed {
            algorithm: "SHA-1".into(),
            why: "SHA-1 content digests are refused (collisions are practical)",
        }),
        Some(d) => Ok(d),
        None => Err(CryptoError::Unsupported {
            algorithm: format!(
                "digest {}",
                crypto::algorithm_name(&signer.digest_algorithm.oid)
            ),
        }),
    };
    let content: Option<&[u8]> = doc.content.as_deref().or(detached);

    let message: Option<&[u8]> = match &signer.signed_attrs_der {
        Some(signed) => {
            match attrs.content_type {
                None if !attrs.types.contains(&ID_CONTENT_TYPE) => {
                    failures.push(SignerFailure::MissingAttribute {
                        name: "contentType",
                    });
                }
                Some(ct) if ct != doc.content_type => {
                    failures.push(SignerFailure::ContentTypeMismatch);
                }
                _ => {}
            }
            match (&attrs.message_digest, &digest) {
                (None, _) if !attrs.types.contains(&ID_MESSAGE_DIGEST) => {
                    failures.push(SignerFailure::MissingAttribute {
                        name: "messageDigest",
                    });
                }
                (None, _) => {}
                (Some(_), Err(e)) => failures.push(SignerFailure::Crypto(e.clone())),
                (Some(expected), Ok(d)) => {
                    let actual = match content {
                        Some(bytes) => Some(d.digest(bytes)),
                        None => content_digest.map(<[u8]>::to_vec),
                    };
                    match actual {
                        None => failures.push(SignerFailure::ContentMissing),
                        Some(actual) if actual != *expected => {
                            failures.push(SignerFailure::HashFailure);
                        }
                        Some(_) => {}
                    }
                }
            }
            Some(signed.as_slice())
        }
        // No signed attributes: the signature covers the content itself (RFC 5652 §5.4).
        None => {
            if content.is_none() {
                failures.push(SignerFailure::ContentMissing);
            }
            if let Err(e) = &digest {
                failures.push(SignerFailure::Crypto(e.clone()));
            }
            content
        }
    };

    if let (Some(cert), Some(message), Ok(_)) = (&certificate, message, &digest) {
        match crypto::verify(
            cert.spki_der(),
            &signer.signature_algorithm,
            Some(&signer.digest_algorithm.oid),
            message,
            &signer.signature,
        ) {
            Ok(()) => {}
            Err(CryptoError::BadSignature) => failures.push(SignerFailure::SignatureInvalid),
            Err(e) => failures.push(SignerFailure::Crypto(e)),
        }
    }
    SignerCheck {
        index: signer.index,
        certificate,
        failures,
    }
}

// ---------------------------------------------------------------------------------------------
// Timestamp tokens

/// An RFC 3161 timestamp token read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampToken {
    /// The token as a SignedData: its content is the DER TSTInfo, its signer the TSA; check it
    /// with [`check_signer`].
    pub document: SignedDocument,
    /// genTime: when the TSA saw the imprint.
    pub gen_time: OffsetDateTime,
    /// The message imprint's hash algorithm.
    pub hash_algorithm: ObjectIdentifier,
    /// The message imprint's hash.
    pub hashed_message: Vec<u8>,
    /// The token's serial number (content octets).
    pub serial: Vec<u8>,
    /// The TSA policy.
    pub policy: ObjectIdentifier,
    /// The nonce, when the request had one (content octets).
    pub nonce: Option<Vec<u8>>,
}

/// Why a token's imprint does not cover a signature value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImprintError {
    /// The imprint's hash algorithm is not one this verifier computes (GOST R 34.11-94 with
    /// the CryptoPro S-box, unknown).
    #[error("the timestamp's imprint uses {algorithm}, which this verifier cannot compute")]
    UnsupportedHash {
        /// Name or dotted OID.
        algorithm: String,
    },
    /// The imprint is the hash of something else.
    #[error(
        "the timestamp's imprint is not the hash of this signature value: it stamps something else"
    )]
    Mismatch,
}

/// Reads a timestamp token (a ContentInfo with SignedData over a TSTInfo, RFC 3161 §2.4.2), or
/// the token inside a TimeStampResp (§2.4.2), as DER, BER or PEM.
pub fn read_timestamp_token(input: &[u8]) -> Result<TimestampToken, CmsFormatError> {
    read_timestamp_token_cached(input, None)
}

/// [`read_timestamp_token`], taking the token's certificates (the TSA's) and its SignerInfo's
/// head from `cache` when they were read before, as [`parse_cached`] does for a signature: a
/// batch of LTA signatures carries two tokens of one TSA in each. Only a bare token (a
/// ContentInfo, not a TimeStampResp) goes through the cache; the answer is the uncached one's
/// (`ok_cached_token_reader_agrees_with_the_general_path`).
pub fn read_timestamp_token_cached(
    input: &[u8],
    cache: Option<&ParseCache>,
) -> Result<TimestampToken, CmsFormatError> {
    if let Some(cache) = cache
        && is_content_info(input)
    {
        let document = parse_cached(input, Some(cache))?;
        return timestamp_token_of(document, Some(cache));
    }
    let raw = unpem(input)?;
    let der = ber::ber_to_der(&raw)?;
    let was_ber = der != *raw;
    let top = whole(&der, TAG_SEQUENCE, "TimeStampToken")?;
    let fields = children(&top, "TimeStampToken")?;
    // A TimeStampResp starts with PKIStatusInfo (a SEQUENCE); a ContentInfo with an OID.
    let token_der: &[u8] = match fields.as_slice() {
        [status, token] if status.tag == TAG_SEQUENCE => token.raw,
        [status] if status.tag == TAG_SEQUENCE => {
            return Err(malformed(
                "TimeStampResp",
                "the response holds no token (the TSA refused the request)",
            ));
        }
        _ => &der,
    };
    timestamp_token_of(parse_der(token_der, was_ber, None, false)?, None)
}

/// Whether `input` is DER or BER whose outer SEQUENCE starts with an OBJECT IDENTIFIER (a
/// ContentInfo, not a TimeStampResp, whose first field is a SEQUENCE), reads as elements to its
/// end, and holds nothing after it: what [`read_timestamp_token`] would pass whole to the
/// SignedData reader. An outer SEQUENCE whose elements do not read is left to the general path,
/// which names the part it failed in ("TimeStampToken") as it always has.
fn is_content_info(input: &[u8]) -> bool {
    let Some(top) = ber::read_tlv(input, 0) else {
        return false;
    };
    top.tag == TAG_SEQUENCE
        && top.end == input.len()
        && ber::read_tlv(top.value, 0).is_some_and(|first| first.tag == TAG_OID)
        && reads_as_elements(top.value)
}

/// Whether `value` reads as elements one after another to its end, as [`children`] requires.
fn reads_as_elements(value: &[u8]) -> bool {
    let mut pos = 0;
    while pos < value.len() {
        match ber::read_tlv(value, pos) {
            Some(element) => pos = element.end,
            None => return false,
        }
    }
    true
}

/// The TSTInfo of a token read as a SignedData; `cache`: where the TSA names already known to
/// decode are (see [`tst_fields_cached`]).
fn timestamp_token_of(
    document: SignedDocument,
    cache: Option<&ParseCache>,
) -> Result<TimestampToken, CmsFormatError> {
    if document.content_type != ID_CT_TST_INFO {
        return Err(CmsFormatError::NotTimestampToken {
            content_type: document.content_type.to_string(),
        });
    }
    let tst = document
        .content
        .as_deref()
        .ok_or_else(|| malformed("TimeStampToken", "no TSTInfo content (detached)"))?;
    let fast = cache.and_then(|cache| tst_fields_cached(tst, cache));
    let (hash_algorithm, hashed_message, serial, policy, nonce, gen_time) = match fast {
        Some(fields) => fields,
        None => match x509_tsp::TstInfo::from_der(tst) {
            Ok(info) => (
                info.message_imprint.hash_algorithm.oid,
                info.message_imprint.hashed_message.as_bytes().to_vec(),
                info.serial_number.as_bytes().to_vec(),
                info.policy,
                info.nonce.map(|n| n.as_bytes().to_vec()),
                unix(info.gen_time.to_unix_duration())
                    .ok_or_else(|| malformed("TSTInfo.genTime", "out of range"))?,
            ),
            // x509-tsp's GeneralizedTime (der 0.7) refuses fractional seconds, which RFC 3161
            // §2.4.2 allows and many TSAs write: read the same fields with genTime as raw bytes.
            Err(first) => {
                let info = LooseTstInfo::from_der(tst).map_err(|_| malformed("TSTInfo", first))?;
                (
                    info.message_imprint.hash_algorithm.oid,
                    info.message_imprint.hashed_message.as_bytes().to_vec(),
                    info.serial_number.as_bytes().to_vec(),
                    info.policy,
                    info.nonce.map(|n| n.as_bytes().to_vec()),
                    fractional_generalized_time(info.gen_time.value())
                        .ok_or_else(|| malformed("TSTInfo.genTime", "not a GeneralizedTime"))?,
                )
            }
        },
    };
    Ok(TimestampToken {
        document,
        gen_time,
        hash_algorithm,
        hashed_message,
        serial,
        policy,
        nonce,
    })
}

/// What a TSTInfo gives a [`TimestampToken`]: the imprint's algorithm and hash, the serial
/// number, the policy, the nonce and genTime.
type TstFields = (
    ObjectIdentifier,
    Vec<u8>,
    Vec<u8>,
    ObjectIdentifier,
    Option<Vec<u8>>,
    OffsetDateTime,
);

/// The fields of a TSTInfo that `x509_tsp::TstInfo` decodes, read through [`TstInfoNameRef`]
/// with the TSA's name checked once per name: what the `x509_tsp` branch of
/// [`timestamp_token_of`] gives, or `None` (that branch then runs, and gives its answer or its
/// error). The two decoders differ in the `tsa` field alone, and the element it holds is
/// decoded here as the GeneralName `x509_tsp` would read in its place (one element filling the
/// `[0]`, which `AnyRef` has checked), unless the same bytes were decoded so before: the
/// derived decoders accept the same input and give the same values.
fn tst_fields_cached(tst: &[u8], cache: &ParseCache) -> Option<TstFields> {
    let info = TstInfoNameRef::from_der(tst).ok()?;
    if let Some(name) = info.tsa {
        // DER input (the decoder above refused anything else): the same bytes as stored.
        let der = name.to_der().ok()?;
        if cache.tsa_names.get(der.as_slice()).is_none() {
            GeneralName::from_der(&der).ok()?;
            let cost = der.len();
            cache.tsa_names.insert(der, (), cost);
        }
    }
    Some((
        info.message_imprint.hash_algorithm.oid,
        info.message_imprint.hashed_message.as_bytes().to_vec(),
        info.serial_number.as_bytes().to_vec(),
        info.policy,
        info.nonce.map(|n| n.as_bytes().to_vec()),
        unix(info.gen_time.to_unix_duration())?,
    ))
}

/// TSTInfo (RFC 3161 §2.4.2) as `x509_tsp::TstInfo` declares it, every field of the same
/// type, but for the TSA's name, kept as the element `[0] EXPLICIT` holds (see
/// [`tst_fields_cached`]): the name, a distinguished name, is the costly part of the decode.
#[derive(Sequence)]
struct TstInfoNameRef<'a> {
    version: x509_tsp::TspVersion,
    policy: ObjectIdentifier,
    message_imprint: x509_tsp::MessageImprint,
    serial_number: Int,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<x509_tsp::Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

/// `EncapsulatedContentInfo` (RFC 5652 §5.2) as the `cms` crate declares it, with the content
/// borrowed from the input.
#[derive(Sequence)]
struct EncapsulatedContentInfoRef<'a> {
    econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    econtent: Option<AnyRef<'a>>,
}

/// TSTInfo (RFC 3161 §2.4.2) up to the nonce, with genTime as raw bytes: see
/// [`read_timestamp_token`] for why x509-tsp's type is not enough.
#[derive(Sequence)]
struct LooseTstInfo {
    version: Int,
    policy: ObjectIdentifier,
    message_imprint: x509_tsp::MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<x509_tsp::Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

/// `YYYYMMDDHHMMSS[.f+]Z` (RFC 3161 §2.4.2 genTime), fraction truncated to whole seconds.
fn fractional_generalized_time(value: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(value).ok()?;
    let text = text.strip_suffix('Z')?;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && (fraction.is_empty() || fraction.ends_with('0')))
    {
        return None;
    }
    let der = [&[0x18, 15][..], whole.as_bytes(), b"Z"].concat();
    let t = GeneralizedTime::from_der(&der).ok()?;
    unix(t.to_unix_duration())
}

impl TimestampToken {
    /// Checks that the imprint is the hash of `data` under the imprint's own algorithm.
    pub fn check_imprint(&self, data: &[u8]) -> Result<(), ImprintError> {
        let digest = Digest::from_oid(&self.hash_algorithm).ok_or_else(|| {
            ImprintError::UnsupportedHash {
                algorithm: crypto::algorithm_name(&self.hash_algorithm),
            }
        })?;
        if digest.digest(data) == self.hashed_message {
            Ok(())
        } else {
            Err(ImprintError::Mismatch)
        }
    }

    /// Checks that the token stamps `signer`'s signature value: the CAdES signature-time-stamp
    /// (ETSI EN 319 122-1 §5.3; RFC 3161 appendix A hashes the SignerInfo's signature field's
    /// value octets).
    pub fn check_signature_imprint(&self, signer: &SignerInfoData) -> Result<(), ImprintError> {
        self.check_imprint(&signer.signature)
    }

    /// The TSA's SignerInfo (a token has exactly one, RFC 3161 §2.4.2).
    pub fn tsa_signer(&self) -> Option<&SignerInfoData> {
        self.document.signers.first()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use eds_fixtures::pki::{FIXED_TIME, TestPki};
    use eds_signer::keys::pkcs8::load_pkcs8;
    use eds_signer::{Content, SignOptions, Signer};
    use ring::rand::SystemRandom;

    use super::*;

    /// Signatures over `contents` by one signer of one fixtures PKI, as `eds sign` makes them.
    fn signatures<const N: usize>(contents: [&[u8]; N]) -> [Vec<u8>; N] {
        let pki = TestPki::new();
        let chain = pki.chain();
        let key = load_pkcs8(chain.leaf.key_pkcs8_der(), None).unwrap();
        let signer = Signer::new(&key, chain.leaf.der(), &chain.intermediates_der()).unwrap();
        let options = SignOptions::new(FIXED_TIME);
        contents.map(|content| {
            let content = Content::Bytes(content);
            eds_signer::cms::sign(&signer, content, &options, &SystemRandom::new()).unwrap()
        })
    }

    /// One DER element.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let len = content.len();
        let mut out = vec![tag];
        match u8::try_from(len) {
            Ok(short) if short < 0x80 => out.push(short),
            _ => {
                let bytes = len.to_be_bytes();
                let skip = bytes.iter().take_while(|b| **b == 0).count();
                out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap());
                out.extend(&bytes[skip..]);
            }
        }
        out.extend(content);
        out
    }

    fn raw_children(value: &[u8]) -> Vec<Vec<u8>> {
        ber::children(value)
            .unwrap()
            .iter()
            .map(|t| t.raw.to_vec())
            .collect()
    }

    /// `der` with the first SignerInfo's fields (each as DER) changed by `edit`, and every
    /// enclosing length made right again.
    fn edit_signer(der: &[u8], edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
        let info = ber::read_tlv(der, 0).unwrap();
        let [content_type, explicit] = split::<2>(info.value, 0).unwrap();
        let sd = ber::read_tlv(explicit.value, 0).unwrap();
        let mut sd_fields = raw_children(sd.value);
        let last = sd_fields.last_mut().unwrap();
        let mut signers = raw_children(ber::read_tlv(last, 0).unwrap().value);
        let mut fields = raw_children(ber::read_tlv(&signers[0], 0).unwrap().value);
        edit(&mut fields);
        signers[0] = tlv(TAG_SEQUENCE, &fields.concat());
        *last = tlv(TAG_SET, &signers.concat());
        let sd = tlv(TAG_SEQUENCE, &sd_fields.concat());
        tlv(
            TAG_SEQUENCE,
            &[content_type.raw.to_vec(), tlv(TAG_CONTEXT_0, &sd)].concat(),
        )
    }

    /// `der` with the first SignerInfo's signed attributes (each as DER) changed by `edit`.
    fn edit_attributes(der: &[u8], edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
        edit_signer(der, |fields| {
            let mut attributes = raw_children(ber::read_tlv(&fields[3], 0).unwrap().value);
            edit(&mut attributes);
            fields[3] = tlv(TAG_CONTEXT_0, &attributes.concat());
        })
    }

    /// `der` with unsigned attributes `[1]` holding `attributes` after the signature.
    fn with_unsigned(der: &[u8], attributes: &[Vec<u8>]) -> Vec<u8> {
        edit_signer(der, |f| f.push(tlv(TAG_CONTEXT_1, &attributes.concat())))
    }

    fn attribute(oid: &str, values: &[Vec<u8>]) -> Vec<u8> {
        let oid = ObjectIdentifier::new_unwrap(oid).to_der().unwrap();
        tlv(
            TAG_SEQUENCE,
            &[oid, tlv(TAG_SET, &values.concat())].concat(),
        )
    }

    /// The first SignerInfo of `der`, read by [`fast_signer`] with `cache`.
    fn fast(der: &[u8], cache: &ParseCache) -> Option<SignerInfoData> {
        let info = ber::read_tlv(der, 0).unwrap();
        let [_, explicit] = split::<2>(info.value, 0).unwrap();
        let sd = ber::read_tlv(explicit.value, 0).unwrap();
        let fields = ber::children(sd.value).unwrap();
        let signers = ber::children(fields.last().unwrap().value).unwrap();
        fast_signer(0, &signers[0], cache)
    }

    /// Once a signer's SignerInfo was read through the crate, the borrowed reader takes the
    /// next ones of the same shape, and gives what the crate path gives.
    #[test]
    fn ok_fast_signer_reads_a_known_signer() {
        let [der, other] = signatures([b"first", b"second"]);
        let cache = ParseCache::default();
        assert_eq!(fast(&der, &cache), None, "nothing known yet");
        let slow = parse_cached(&der, Some(&cache)).unwrap();
        assert_eq!(slow, parse(&der).unwrap());
        let signer = fast(&other, &cache).unwrap();
        assert_eq!(Some(&signer), parse(&other).unwrap().signers.first());
        assert_eq!(parse_cached(&other, Some(&cache)), parse(&other));
        // Without the cache, nothing is fast.
        assert_eq!(parse_cached(&other, None), parse(&other));
    }

    /// A certificates set seen before is neither walked nor decoded again; the rest of the
    /// input still is, so BER elsewhere still goes through the normaliser.
    #[test]
    fn ok_known_certificates_set_is_taken_from_the_cache() {
        let [der, other] = signatures([b"first", b"second"]);
        let cache = ParseCache::default();
        let set = certificates_of(&der).unwrap();
        assert!(cache.cert_set(set).is_none());
        parse_cached(&der, Some(&cache)).unwrap();
        let known = cache.cert_set(set).unwrap();
        assert_eq!(known.to_vec(), parse(&der).unwrap().certificates);
        assert_eq!(certificates_of(&other), Some(set));
        assert_eq!(parse_cached(&other, Some(&cache)), parse(&other));
        // A non-minimal length outside the set: BER, normalised as before.
        let ber = edit_signer(&other, |f| {
            let value = ber::read_tlv(&f[5], 0).unwrap().value.to_vec();
            f[5] = [
                vec![TAG_OCTET_STRING, 0x81, u8::try_from(value.len()).unwrap()],
                value,
            ]
            .concat();
        });
        let parsed = parse_cached(&ber, Some(&cache)).unwrap();
        assert!(parsed.was_ber);
        assert_eq!(Ok(parsed), parse(&ber));
    }

    /// The direct encapContentInfo reader answers only where it agrees with the derived one.
    #[test]
    fn plain_encap_agrees_with_der() {
        let oid = |o: ObjectIdentifier| o.to_der().unwrap();
        let data = oid(ID_DATA);
        let content = tlv(TAG_OCTET_STRING, b"text");
        let cases: Vec<(Vec<u8>, bool)> = vec![
            ([data.clone(), tlv(TAG_CONTEXT_0, &content)].concat(), true),
            (data.clone(), true),
            (
                [oid(ID_CT_TST_INFO), tlv(TAG_CONTEXT_0, &content)].concat(),
                true,
            ),
            (
                [oid(ID_SIGNED_DATA), tlv(TAG_CONTEXT_0, &content)].concat(),
                false,
            ),
            (
                [
                    data.clone(),
                    tlv(TAG_CONTEXT_0, &[content.clone(), content.clone()].concat()),
                ]
                .concat(),
                false,
            ),
            ([data.clone(), tlv(0x80, b"text")].concat(), false),
            (
                [data.clone(), tlv(TAG_CONTEXT_0, &tlv(0x08, b""))].concat(),
                false,
            ),
            (
                [data.clone(), tlv(TAG_CONTEXT_0, &content), tlv(0x05, &[])].concat(),
                false,
            ),
            ([data.clone(), tlv(TAG_CONTEXT_0, &[])].concat(), false),
        ];
        for (fields, read) in cases {
            let der = tlv(TAG_SEQUENCE, &fields);
            let encap = ber::read_tlv(&der, 0).unwrap();
            let direct = plain_encap(&encap);
            assert_eq!(direct.is_some(), read, "{der:02x?}");
            if let Some(direct) = direct {
                let derived = EncapsulatedContentInfoRef::from_der(&der).unwrap();
                let derived = (derived.econtent_type, derived.econtent.map(|a| a.value()));
                assert_eq!(direct, derived);
            }
        }
    }

    /// DER input leaves the content in place; PEM input cannot, and gives the copy as before.
    #[test]
    fn ok_parse_in_place_borrows_the_content_of_der_only() {
        let [der] = signatures([b"in place"]);
        let (doc, content) = parse_in_place(&der, None).unwrap();
        assert_eq!(doc.content, None);
        assert_eq!(content, Some(&b"in place"[..]));
        let whole = parse(&der).unwrap();
        assert_eq!(
            SignedDocument {
                content: content.map(<[u8]>::to_vec),
                ..doc
            },
            whole
        );
        let pem = pem::encode(&pem::Pem::new("CMS", der.clone()));
        let (doc, content) = parse_in_place(pem.as_bytes(), None).unwrap();
        assert_eq!((doc, content), (whole, None));
        assert_eq!(
            parse_in_place(&der[..der.len() - 1], None).err(),
            parse(&der[..der.len() - 1]).err()
        );
    }

    /// Every shape the borrowed reader leaves to the crate, and damage anywhere: with a warm
    /// cache the outcome (the document, or the exact error) is the crate path's.
    #[test]
    fn ok_fast_signer_agrees_with_the_crate() {
        let [der, other] = signatures([b"known", b"other"]);
        let other_signature = other.clone();
        let cache = ParseCache::default();
        parse_cached(&der, Some(&cache)).unwrap();
        let unknown = |n: &str| attribute(&format!("1.2.3.4.{n}"), &[tlv(0x05, &[])]);
        // Unsigned attributes as CAdES writes them: a signature timestamp, an archive
        // timestamp v3 (any SEQUENCE stands for the token: neither reader looks inside).
        let token =
            |content: &[u8]| attribute("1.2.840.113549.1.9.16.2.14", &[tlv(TAG_SEQUENCE, content)]);
        let archive = |content: &[u8]| attribute("0.4.0.1733.2.4", &[tlv(TAG_SEQUENCE, content)]);
        // An attribute as long as `token(&[_; n])`, with another type of the same length.
        let unknown_sized = |n: usize| {
            attribute(
                "1.2.840.113549.1.9.16.2.15",
                &[tlv(TAG_SEQUENCE, &vec![7; n])],
            )
        };
        let digest = |b: u8| tlv(TAG_OCTET_STRING, &[b; 32]);
        let variants: Vec<(&str, Vec<u8>)> = vec![
            ("as signed", other),
            ("swapped", edit_attributes(&der, |a| a.swap(0, 1))),
            ("reversed", edit_attributes(&der, |a| a.reverse())),
            ("duplicate", edit_attributes(&der, |a| a.push(a[0].clone()))),
            (
                "second messageDigest",
                edit_attributes(&der, |a| {
                    a.push(attribute("1.2.840.113549.1.9.4", &[digest(1)]));
                }),
            ),
            (
                "two values",
                edit_attributes(&der, |a| {
                    a.push(attribute("1.2.3.4.5", &[digest(1), digest(2)]));
                }),
            ),
            (
                "no value",
                edit_attributes(&der, |a| a.push(attribute("1.2.3.4.5", &[]))),
            ),
            (
                "same length, in order",
                edit_attributes(&der, |a| {
                    a.insert(0, unknown("6"));
                    a.insert(0, unknown("5"));
                }),
            ),
            (
                "same length, out of order",
                edit_attributes(&der, |a| {
                    a.insert(0, unknown("5"));
                    a.insert(0, unknown("6"));
                }),
            ),
            ("not sorted by length", {
                edit_attributes(&der, |a| a.push(unknown("5")))
            }),
            (
                "context-tagged value",
                edit_attributes(&der, |a| {
                    a.insert(0, attribute("1.2.3.4.5", &[tlv(0x85, &[1])]));
                }),
            ),
            (
                "value tag der refuses",
                edit_attributes(&der, |a| {
                    a.insert(0, attribute("1.2.3.4.5", &[tlv(0x08, &[])]));
                }),
            ),
            (
                "bad OID",
                edit_attributes(&der, |a| {
                    let bad = [tlv(TAG_OID, &[0x80]), tlv(TAG_SET, &tlv(0x05, &[]))].concat();
                    a.insert(0, tlv(TAG_SEQUENCE, &bad));
                }),
            ),
            (
                "attribute not a SEQUENCE",
                edit_attributes(&der, |a| a.insert(0, tlv(TAG_SET, &[]))),
            ),
            ("no attributes", edit_attributes(&der, Vec::clear)),
            (
                "unsigned attributes",
                edit_signer(&der, |f| {
                    f.push(tlv(TAG_CONTEXT_1, &unknown("5")));
                }),
            ),
            (
                "a timestamp token",
                with_unsigned(&der, &[token(&other_signature)]),
            ),
            (
                "timestamp and archive timestamp, in order",
                with_unsigned(&der, &[token(&[1; 40]), archive(&[2; 90])]),
            ),
            (
                "timestamp and archive timestamp, out of order",
                with_unsigned(&der, &[archive(&[2; 90]), token(&[1; 40])]),
            ),
            (
                "two archive timestamps of one length",
                with_unsigned(&der, &[archive(&[2; 90]), archive(&[3; 90])]),
            ),
            (
                "two timestamp tokens of one length, in order",
                with_unsigned(&der, &[token(&[1; 40]), unknown_sized(40)]),
            ),
            (
                "an unsigned attribute twice",
                with_unsigned(&der, &[token(&[1; 40]), token(&[1; 40])]),
            ),
            (
                "an unsigned attribute with two values",
                with_unsigned(
                    &der,
                    &[attribute(
                        "1.2.840.113549.1.9.16.2.14",
                        &[tlv(TAG_SEQUENCE, &[1; 4]), tlv(TAG_SEQUENCE, &[2; 4])],
                    )],
                ),
            ),
            (
                "an unsigned attribute without a value",
                with_unsigned(&der, &[attribute("1.2.840.113549.1.9.16.2.14", &[])]),
            ),
            ("an empty unsigned set", with_unsigned(&der, &[])),
            (
                "an unsigned attribute not a SEQUENCE",
                with_unsigned(&der, &[tlv(TAG_SET, &[])]),
            ),
            (
                "an unsigned attribute with a bad OID",
                with_unsigned(
                    &der,
                    &[tlv(
                        TAG_SEQUENCE,
                        &[tlv(TAG_OID, &[0x80]), tlv(TAG_SET, &tlv(0x05, &[]))].concat(),
                    )],
                ),
            ),
            (
                "an unsigned value tag der refuses",
                with_unsigned(
                    &der,
                    &[attribute("1.2.840.113549.1.9.16.2.14", &[tlv(0x08, &[])])],
                ),
            ),
            (
                "unsigned attributes primitive [1]",
                edit_signer(&der, |f| f.push(tlv(0x81, &token(&[1; 40])))),
            ),
            (
                "unsigned attributes tagged [2]",
                edit_signer(&der, |f| f.push(tlv(0xa2, &token(&[1; 40])))),
            ),
            (
                "unsigned attributes before the signature",
                edit_signer(&der, |f| f.insert(5, tlv(TAG_CONTEXT_1, &token(&[1; 40])))),
            ),
            (
                "a field after the unsigned attributes",
                edit_signer(&der, |f| {
                    f.push(tlv(TAG_CONTEXT_1, &token(&[1; 40])));
                    f.push(tlv(0x05, &[]));
                }),
            ),
            (
                "unsigned attributes twice",
                edit_signer(&der, |f| {
                    f.push(tlv(TAG_CONTEXT_1, &token(&[1; 40])));
                    f.push(tlv(TAG_CONTEXT_1, &archive(&[2; 90])));
                }),
            ),
            (
                "signature as BIT STRING",
                edit_signer(&der, |f| f[5] = tlv(0x03, &[0, 1, 2])),
            ),
            (
                "other signature algorithm",
                edit_signer(&der, |f| {
                    let sha384 = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
                    f[4] = tlv(TAG_SEQUENCE, &sha384.to_der().unwrap());
                }),
            ),
            (
                "version 3",
                edit_signer(&der, |f| f[0] = tlv(TAG_INTEGER, &[3])),
            ),
            (
                "version 9",
                edit_signer(&der, |f| f[0] = tlv(TAG_INTEGER, &[9])),
            ),
            (
                "no signed attributes",
                edit_signer(&der, |f| drop(f.remove(3))),
            ),
            (
                "trailing field",
                edit_signer(&der, |f| f.push(tlv(0x05, &[]))),
            ),
        ];
        // The reader takes the shapes it accepts, and leaves the rest to the crate.
        let taken: Vec<&str> = variants
            .iter()
            .filter(|(_, input)| fast(input, &cache).is_some())
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(
            taken,
            [
                "as signed",
                "same length, in order",
                "context-tagged value",
                "unsigned attributes",
                "a timestamp token",
                "timestamp and archive timestamp, in order",
                "two timestamp tokens of one length, in order",
            ]
        );
        for (name, input) in &variants {
            assert_eq!(parse_cached(input, Some(&cache)), parse(input), "{name}");
        }
        // The tokens the borrowed reader gives are the values' bytes, as the crate path's
        // (the head read again: the "other signature algorithm" variant replaced it).
        parse_cached(&der, Some(&cache)).unwrap();
        let lt = &variants
            .iter()
            .find(|(name, _)| *name == "timestamp and archive timestamp, in order")
            .unwrap()
            .1;
        let read = fast(lt, &cache).unwrap();
        assert_eq!(read.timestamp_tokens, [tlv(TAG_SEQUENCE, &[1; 40])]);
        assert_eq!(
            read.unsigned_types,
            [
                ID_SIGNATURE_TIME_STAMP_TOKEN,
                crate::ltv::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3
            ]
        );
        // A head decoded by the crate is kept for the next document.
        let version_3 = variants
            .iter()
            .find(|(name, _)| *name == "version 3")
            .unwrap();
        assert!(fast(&version_3.1, &cache).is_some());
        // Of one content, the archive timestamp's attribute is the shorter (its type is).
        let lta = with_unsigned(&der, &[archive(&other_signature), token(&other_signature)]);
        assert!(fast(&lta, &cache).is_some());
        for der in [&der, &lta] {
            for len in 0..der.len() {
                assert_eq!(
                    parse_cached(&der[..len], Some(&cache)),
                    parse(&der[..len]),
                    "prefix {len}"
                );
            }
            for at in 0..der.len() {
                for mask in [0x01u8, 0x80, 0xff] {
                    let mut damaged = der.clone();
                    damaged[at] ^= mask;
                    assert_eq!(
                        parse_cached(&damaged, Some(&cache)),
                        parse(&damaged),
                        "byte {at} ^ {mask:#x}"
                    );
                }
            }
        }
    }

    /// An outer SEQUENCE that starts with an OBJECT IDENTIFIER but whose elements do not read
    /// (a signature whose content type OID took one byte of what follows, found by the fuzz
    /// target verifier_cms_fast; the input is kept as a seed of that target): the timestamp
    /// token reader with a cache fails as the one without does, naming the same part, where it
    /// said "ContentInfo" before.
    #[test]
    fn fail_token_whose_elements_do_not_read_fails_alike_with_and_without_a_cache() {
        let input =
            include_bytes!("../../fuzz/seeds/verifier_cms_fast/token-elements-do-not-read.der");
        let general = read_timestamp_token(input);
        assert_eq!(
            general,
            Err(malformed(
                "TimeStampToken",
                "its content is not a list of elements"
            ))
        );
        let cache = ParseCache::default();
        assert_eq!(read_timestamp_token_cached(input, Some(&cache)), general);
        assert_eq!(read_timestamp_token_cached(input, Some(&cache)), general);
    }

    /// What the `verifier_cms_fast` fuzz target checks, over the test signatures and a few
    /// thousand pseudo-random edits of them (overwrites, insertions, deletions, spliced halves
    /// of two signatures): with a cold cache, a cache warmed by the input itself and a cache
    /// warmed by every input before, the outcome is exactly the general path's.
    #[test]
    fn ok_cached_readers_agree_with_the_general_path_on_edited_signatures() {
        let [a, b] = signatures([b"first document", b"second"]);
        // A CAdES-LTA shape: `b` standing for a signature timestamp and an archive timestamp.
        let unsigned = |oid: &str| attribute(oid, std::slice::from_ref(&b));
        let c = with_unsigned(
            &a,
            &[
                unsigned("1.2.840.113549.1.9.16.2.14"),
                unsigned("0.4.0.1733.2.4"),
            ],
        );
        let bases = [&a, &b, &c];
        let run = ParseCache::default();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |bound: usize| {
            // xorshift64*: deterministic, so a failure names a reproducible input.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            usize::try_from(r % u64::try_from(bound.max(1)).unwrap()).unwrap()
        };
        let check = |input: &[u8], round: usize| {
            let general = parse(input);
            let own = ParseCache::default();
            let hex = || hex::encode(input);
            assert_eq!(
                parse_cached(input, Some(&own)),
                general,
                "cold {round}: {}",
                hex()
            );
            assert_eq!(
                parse_cached(input, Some(&own)),
                general,
                "warm {round}: {}",
                hex()
            );
            assert_eq!(
                parse_cached(input, Some(&run)),
                general,
                "run {round}: {}",
                hex()
            );
        };
        check(&a, usize::MAX);
        check(&b, usize::MAX);
        check(&c, usize::MAX);
        for round in 0..4500 {
            let base = bases[round % 3];
            let mut input = base.clone();
            for _ in 0..=next(3) {
                let at = next(input.len());
                match next(4) {
                    0 => input[at] = u8::try_from(next(256)).unwrap(),
                    1 => input.insert(at, u8::try_from(next(256)).unwrap()),
                    2 => drop(input.remove(at)),
                    _ => {
                        let other = bases[(round + 1) % 3];
                        let cut = next(other.len());
                        input.truncate(at);
                        input.extend_from_slice(&other[cut..]);
                    }
                }
            }
            check(&input, round);
        }
    }

    /// Lengths compared as numbers order as `der` orders their encodings, and a known content
    /// type read by its bytes is what the decoder gives.
    #[test]
    fn ok_length_order_and_known_oids_agree_with_der() {
        let mut lengths: Vec<u32> = (0..1100).collect();
        lengths.extend([
            0xffff,
            0x1_0000,
            0x1_0001,
            0xff_ffff,
            0x100_0000,
            0x0fff_ffff,
        ]);
        for a in &lengths {
            for b in lengths.iter().step_by(7) {
                let (a, b) = (
                    der::Length::try_from(*a).unwrap(),
                    der::Length::try_from(*b).unwrap(),
                );
                assert_eq!(a.cmp(&b), a.der_cmp(&b).unwrap(), "{a} {b}");
            }
        }
        for oid in KNOWN_CONTENT_TYPES.into_iter().chain([ID_SIGNED_DATA]) {
            let der = oid.to_der().unwrap();
            let value = AnyRef::from_der(&der).unwrap();
            let known = known_oid(&value);
            assert!(known.is_none() || known == Some(oid));
            assert_eq!(
                known.map_or_else(|| value.decode_as(), Ok),
                value.decode_as::<ObjectIdentifier>()
            );
        }
        let octets = AnyRef::from_der(b"\x04\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01").unwrap();
        assert_eq!(
            known_oid(&octets),
            None,
            "the bytes of id-data in an OCTET STRING"
        );
    }

    /// The signing time decoded in place is what `Time::from_der` of the value's encoding gives,
    /// for good and bad times of both types and for other types.
    #[test]
    fn ok_time_in_place_agrees_with_the_decoder() {
        let values: [&[u8]; 10] = [
            b"\x17\x0d251207210000Z",
            b"\x18\x0f20251207210000Z",
            b"\x18\x0f20501207210000Z",
            b"\x17\x0d251307210000Z",
            b"\x17\x0b2512072100Z",
            b"\x18\x1120251207210000.5Z",
            b"\x18\x0e20251207210000",
            b"\x17\x00",
            b"\x02\x01\x05",
            b"\x13\x0d251207210000Z",
        ];
        for der in values {
            let value = AnyRef::from_der(der).unwrap();
            let expected = value.to_der().and_then(|d| Time::from_der(&d));
            assert_eq!(time_of(&value), expected, "{der:02x?}");
        }
    }

    /// The fast path must say "plain" only where the normaliser returns its input unchanged.
    #[test]
    fn plain_der_agrees_with_the_normaliser() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        let mut nested = vec![0x30, 0x81, 0x86, 0x02, 0x01, 0x05];
        nested.extend(&long);
        let plain: [&[u8]; 5] = [
            &[0x30, 0x00],
            &[0x30, 0x03, 0x02, 0x01, 0x01],
            &[0xa0, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff],
            &long,
            &nested,
        ];
        for input in plain {
            assert!(is_plain_der(input, None), "{input:02x?}");
            assert_eq!(ber::ber_to_der(input).as_deref(), Ok(input));
        }
        let not_plain: [&[u8]; 9] = [
            // Empty, trailing bytes, cut short.
            &[],
            &[0x30, 0x00, 0x00],
            &[0x30, 0x05, 0x02, 0x01],
            // Indefinite length, end-of-contents inside a definite length.
            &[0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00],
            &[0x30, 0x02, 0x00, 0x00],
            // Non-minimal lengths.
            &[0x30, 0x81, 0x03, 0x02, 0x01, 0x01],
            &[0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x01],
            // A constructed OCTET STRING, a high tag number.
            &[0x24, 0x03, 0x04, 0x01, 0x01],
            &[0x1f, 0x81, 0x00, 0x00],
        ];
        // All but the last are refused or rewritten by the normaliser; the high tag number it
        // keeps, but the fast path leaves such rarities to it.
        for input in not_plain {
            assert!(!is_plain_der(input, None), "{input:02x?}");
        }
        for input in not_plain.iter().take(not_plain.len() - 1) {
            assert_ne!(
                ber::ber_to_der(input).as_deref(),
                Ok(*input),
                "{input:02x?}"
            );
        }
    }

    /// The TSTInfo fields read with the TSA's name checked once per name are exactly what
    /// `x509_tsp::TstInfo` gives, or nothing where it refuses: for TSA names of every kind
    /// (valid, not a GeneralName, two elements, none, an empty `[0]`), with a cold cache, a
    /// cache that knows the name and one that knows another, and for every byte of a TSTInfo
    /// damaged three ways.
    #[test]
    fn ok_tst_fields_cached_agree_with_x509_tsp() {
        use x509_tsp::{MessageImprint, TspVersion, TstInfo};
        let by_crate = |der: &[u8]| -> Option<TstFields> {
            let info = TstInfo::from_der(der).ok()?;
            Some((
                info.message_imprint.hash_algorithm.oid,
                info.message_imprint.hashed_message.as_bytes().to_vec(),
                info.serial_number.as_bytes().to_vec(),
                info.policy,
                info.nonce.map(|n| n.as_bytes().to_vec()),
                unix(info.gen_time.to_unix_duration())?,
            ))
        };
        let name: x509_cert::name::Name = "CN=TSA,O=Center,C=KZ".parse().unwrap();
        let info = TstInfo {
            version: TspVersion::V1,
            policy: ObjectIdentifier::new_unwrap("1.2.398.3.3.2.6.1"),
            message_imprint: MessageImprint {
                hash_algorithm: spki::AlgorithmIdentifier {
                    oid: crypto::SHA256,
                    parameters: None,
                },
                hashed_message: OctetString::new(vec![0x5a; 32]).unwrap(),
            },
            serial_number: Int::new(&[0x01, 0x02]).unwrap(),
            gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
                1_780_000_000,
            ))
            .unwrap(),
            accuracy: None,
            ordering: false,
            nonce: Some(Int::new(&[0x33; 8]).unwrap()),
            tsa: Some(GeneralName::DirectoryName(name)),
            extensions: None,
        };
        let base = info.to_der().unwrap();
        // The TSTInfo with `[0]` holding `content` instead of the name.
        let with_tsa = |content: &[u8]| {
            let mut fields = raw_children(ber::read_tlv(&base, 0).unwrap().value);
            let last = fields.last_mut().unwrap();
            *last = tlv(TAG_CONTEXT_0, content);
            tlv(TAG_SEQUENCE, &fields.concat())
        };
        let fields = raw_children(ber::read_tlv(&base, 0).unwrap().value);
        let name_der = ber::read_tlv(fields.last().unwrap(), 0)
            .unwrap()
            .value
            .to_vec();
        let dns = tlv(0x82, b"tsa.example.kz");
        let other = GeneralName::DirectoryName("CN=Other TSA".parse().unwrap())
            .to_der()
            .unwrap();
        let variants: Vec<(&str, Vec<u8>)> = vec![
            ("a directory name", base.clone()),
            ("a DNS name", with_tsa(&dns)),
            ("another directory name", with_tsa(&other)),
            (
                "a SEQUENCE, not a GeneralName",
                with_tsa(&tlv(TAG_SEQUENCE, &[])),
            ),
            (
                "a directory name not a Name",
                with_tsa(&tlv(0xa4, &tlv(0x05, &[]))),
            ),
            ("two names", with_tsa(&[dns.clone(), dns.clone()].concat())),
            ("an empty [0]", with_tsa(&[])),
            (
                "a name cut short",
                with_tsa(&name_der[..name_der.len() - 1]),
            ),
            ("no name", {
                let mut fields = raw_children(ber::read_tlv(&base, 0).unwrap().value);
                fields.pop();
                tlv(TAG_SEQUENCE, &fields.concat())
            }),
        ];
        let knows_other = ParseCache::default();
        assert!(tst_fields_cached(&with_tsa(&other), &knows_other).is_some());
        for (what, der) in &variants {
            let expected = by_crate(der);
            let cold = ParseCache::default();
            assert_eq!(tst_fields_cached(der, &cold), expected, "cold: {what}");
            assert_eq!(tst_fields_cached(der, &cold), expected, "warm: {what}");
            assert_eq!(
                tst_fields_cached(der, &knows_other),
                expected,
                "another name known: {what}"
            );
        }
        let accepted: Vec<&str> = variants
            .iter()
            .filter(|(_, der)| by_crate(der).is_some())
            .map(|(what, _)| *what)
            .collect();
        assert_eq!(
            accepted,
            [
                "a directory name",
                "a DNS name",
                "another directory name",
                "no name"
            ]
        );
        let warm = ParseCache::default();
        assert!(tst_fields_cached(&base, &warm).is_some());
        for at in 0..base.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut damaged = base.clone();
                damaged[at] ^= mask;
                assert_eq!(
                    tst_fields_cached(&damaged, &warm),
                    by_crate(&damaged),
                    "byte {at} ^ {mask:#x}"
                );
            }
        }
    }

    /// Nesting as deep as the normaliser allows is left to it.
    #[test]
    fn deep_nesting_goes_through_the_normaliser() {
        let mut input = vec![0x05, 0x00];
        for _ in 0..ber::MAX_DEPTH + 1 {
            let mut outer = vec![0x30, u8::try_from(input.len()).unwrap_or(0x7f)];
            if input.len() >= 0x80 {
                outer = vec![0x30, 0x81, u8::try_from(input.len()).unwrap_or(0xff)];
            }
            outer.extend(&input);
            input = outer;
        }
        assert!(!is_plain_der(&input, None));
        assert!(ber::ber_to_der(&input).is_err());
    }
}
