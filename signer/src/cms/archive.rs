//! CAdES-BASELINE-LTA (ETSI EN 319 122-1 §5.5.2, §5.5.3): archive timestamps v3.
//!
//! An archive timestamp is a TimeStampToken added to a SignerInfo as the unsigned attribute
//! id-aa-ets-archiveTimestampV3. Its message imprint is the hash (SHA-256 here) of the
//! concatenation of (§5.5.3):
//!
//! 1. the DER of `SignedData.encapContentInfo.eContentType`;
//! 2. the hash of the signed content (the eContent's value octets, or the detached document);
//! 3. the DER of the SignerInfo's fields version, sid, digestAlgorithm, signedAttrs,
//!    signatureAlgorithm and signature, as they appear;
//! 4. the DER of the ATSHashIndexV3 value (§5.5.2) that is then put into the token's own
//!    unsigned attributes as id-aa-ATSHashIndex-v3: the hashes of every certificate and every
//!    RevocationInfoChoice of the SignedData and of every unsigned attribute value of the
//!    SignerInfo (attrType's DER followed by one value's DER) present when the timestamp is
//!    asked for.
//!
//! So the token covers the signature, its timestamps and all validation data at that time;
//! elements added later (the next archive timestamp, newer CRLs) are outside its index and do
//! not disturb it. Renewal is adding another one, over everything including the last.

use std::time::Duration;

use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode, Header, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged};
use ring::digest;
use ring::rand::SecureRandom;

use cms::content_info::ContentInfo;

use super::asn1::{
    ID_MESSAGE_DIGEST, ID_SIGNED_DATA, SignedContentInfo, SignedDataView, constructed,
};
use super::timestamp::{TimestampError, TimestampRequest, post};

/// id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1 §5.5.3): { itu-t(0) identified-organization(4)
/// etsi(0) electronic-signature-standard(1733) attributes(2) 4 }.
pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
/// id-aa-ATSHashIndex-v3 (ETSI EN 319 122-1 §5.5.2): { itu-t(0) identified-organization(4)
/// etsi(0) cades(19122) attributes(1) 5 }.
pub const ID_AA_ATS_HASH_INDEX_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");

const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// ATSHashIndexV3 (ETSI EN 319 122-1 §5.5.2) with hashIndAlgorithm left at its DEFAULT,
/// SHA-256 (DER omits it).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct AtsHashIndexV3 {
    certificates_hash_index: Vec<der::asn1::OctetString>,
    crls_hash_index: Vec<der::asn1::OctetString>,
    unsigned_attrs_hash_index: Vec<der::asn1::OctetString>,
}

/// What an archive timestamp over one signer stamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveInput {
    /// The concatenation whose SHA-256 is the token's imprint.
    pub data: Vec<u8>,
    /// The DER ATSHashIndexV3 the token must carry.
    pub hash_index: Vec<u8>,
}

/// The archive timestamp input (§5.5.3) for the signer whose signature value is
/// `signature_value`. The content's hash is the signer's messageDigest when it signed with
/// SHA-256 (checked equal to the content's by any verifier), else SHA-256 of the attached
/// content or of `content` (a detached signature's document); without either,
/// [`TimestampError::Message`].
pub fn archive_input(
    message_der: &[u8],
    signature_value: &[u8],
    content: Option<&[u8]>,
) -> Result<ArchiveInput, TimestampError> {
    let sd = signed_data(message_der)?;
    let (_, fields) = find_signer(&sd, signature_value)?;
    let mut data = sd
        .encap_content_info
        .econtent_type
        .to_der()
        .map_err(encode("eContentType"))?;
    data.extend_from_slice(&content_hash(&sd, &fields, content)?);
    let mut unsigned = Vec::new();
    for field in &fields {
        if field.tag() == constructed(TagNumber::N1) {
            unsigned = elements(field.value()).map_err(message("unsignedAttrs"))?;
        } else {
            data.extend_from_slice(&field.to_der().map_err(encode("SignerInfo field"))?);
        }
    }
    let sha = |bytes: &[u8]| {
        der::asn1::OctetString::new(digest::digest(&digest::SHA256, bytes).as_ref())
            .map_err(encode("hash"))
    };
    let hashes = |set: &Option<der::asn1::SetOfVec<Any>>| {
        set.iter()
            .flat_map(|s| s.iter())
            .map(|e| sha(&e.to_der().map_err(encode("element"))?))
            .collect::<Result<Vec<_>, _>>()
    };
    let mut unsigned_attrs_hash_index = Vec::new();
    for attr in &unsigned {
        let parts = elements(attr.value()).map_err(message("unsigned attribute"))?;
        let (Some(oid), Some(values)) = (parts.first(), parts.get(1)) else {
            return Err(TimestampError::Message {
                reason: "an unsigned attribute without type or values".into(),
            });
        };
        let oid_der = oid.to_der().map_err(encode("attrType"))?;
        for value in elements(values.value()).map_err(message("attrValues"))? {
            let mut bytes = oid_der.clone();
            bytes.extend_from_slice(&value.to_der().map_err(encode("attrValue"))?);
            unsigned_attrs_hash_index.push(sha(&bytes)?);
        }
    }
    let index = AtsHashIndexV3 {
        certificates_hash_index: hashes(&sd.certificates)?,
        crls_hash_index: hashes(&sd.crls)?,
        unsigned_attrs_hash_index,
    };
    let hash_index = index.to_der().map_err(encode("ATSHashIndexV3"))?;
    data.extend_from_slice(&hash_index);
    Ok(ArchiveInput { data, hash_index })
}

/// A timestamp request over [`archive_input`], with that input.
pub fn archive_request(
    message_der: &[u8],
    signature_value: &[u8],
    content: Option<&[u8]>,
    rng: &dyn SecureRandom,
) -> Result<(TimestampRequest, ArchiveInput), TimestampError> {
    let input = archive_input(message_der, signature_value, content)?;
    Ok((TimestampRequest::new(&input.data, rng)?, input))
}

/// Puts `hash_index` (DER ATSHashIndexV3) into the unsigned attributes of the token's
/// SignerInfo, then the token into the unsigned attributes of the signer whose signature value
/// is `signature_value` as id-aa-ets-archiveTimestampV3; returns the message as DER. Every other
/// byte stays: the token's signed part, the other SignerInfos, the certificates and CRLs.
pub fn add_archive_timestamp(
    message_der: &[u8],
    signature_value: &[u8],
    token_der: &[u8],
    hash_index: &[u8],
) -> Result<Vec<u8>, TimestampError> {
    let bad = |reason: String| TimestampError::BadResponse { reason };
    let token = ContentInfo::from_der(token_der).map_err(|e| bad(format!("the token: {e}")))?;
    if token.content_type != ID_SIGNED_DATA {
        return Err(bad("the token is not SignedData".into()));
    }
    let mut inner = token
        .content
        .decode_as::<SignedDataView>()
        .map_err(|e| bad(format!("the token's SignedData: {e}")))?;
    let tsa_info = inner
        .signer_infos
        .iter()
        .next()
        .cloned()
        .ok_or_else(|| bad("the token has no SignerInfo".into()))?;
    let index_attr = attribute(ID_AA_ATS_HASH_INDEX_V3, hash_index)?;
    let tsa_info = with_unsigned_attribute(&tsa_info, index_attr)?;
    inner.signer_infos =
        der::asn1::SetOfVec::try_from(vec![tsa_info]).map_err(encode("token signerInfos"))?;
    let token_der = SignedContentInfo {
        content_type: ID_SIGNED_DATA,
        content: inner,
    }
    .write_der()
    .map_err(encode("token"))?;

    let mut sd = signed_data(message_der)?;
    let (position, _) = find_signer(&sd, signature_value)?;
    let mut infos: Vec<Any> = sd.signer_infos.iter().cloned().collect();
    let target = infos
        .get(position)
        .cloned()
        .ok_or(TimestampError::NoSuchSignature)?;
    let updated = with_unsigned_attribute(
        &target,
        attribute(ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, &token_der)?,
    )?;
    if let Some(slot) = infos.get_mut(position) {
        *slot = updated;
    }
    sd.signer_infos = der::asn1::SetOfVec::try_from(infos).map_err(encode("signerInfos"))?;
    SignedContentInfo {
        content_type: ID_SIGNED_DATA,
        content: sd,
    }
    .write_der()
    .map_err(encode("ContentInfo"))
}

/// Adds an archive timestamp from the TSA at `url` to every signer of the message: one request
/// each, the token checked to answer it ([`TimestampRequest::token`]). Returns the message and
/// how many were added.
pub fn archive_timestamp_signatures(
    message_der: &[u8],
    content: Option<&[u8]>,
    url: &str,
    timeout: Duration,
    rng: &dyn SecureRandom,
) -> Result<(Vec<u8>, usize), TimestampError> {
    let mut message = message_der.to_vec();
    let values = super::timestamp::signature_values(message_der)?;
    for value in &values {
        let (request, input) = archive_request(&message, value, content, rng)?;
        let response = post(url, request.der(), timeout)?;
        let token = request.token(&response)?;
        message = add_archive_timestamp(&message, value, &token, &input.hash_index)?;
    }
    Ok((message, values.len()))
}

/// How many archive timestamps each signer carries, in signerInfos order.
pub fn archive_timestamp_counts(message_der: &[u8]) -> Result<Vec<usize>, TimestampError> {
    let sd = signed_data(message_der)?;
    let mut out = Vec::new();
    for info in sd.signer_infos.iter() {
        let fields = elements(info.value()).map_err(message("SignerInfo"))?;
        let mut count = 0;
        for field in fields
            .iter()
            .filter(|f| f.tag() == constructed(TagNumber::N1))
        {
            for attr in elements(field.value()).map_err(message("unsignedAttrs"))? {
                let parts = elements(attr.value()).map_err(message("attribute"))?;
                if let (Some(oid), Some(values)) = (parts.first(), parts.get(1))
                    && oid.decode_as::<ObjectIdentifier>().ok()
                        == Some(ID_AA_ETS_ARCHIVE_TIMESTAMP_V3)
                {
                    count += elements(values.value())
                        .map_err(message("attrValues"))?
                        .len();
                }
            }
        }
        out.push(count);
    }
    Ok(out)
}

/// The hash of the signed content (§5.5.3 item 2) under SHA-256.
fn content_hash(
    sd: &SignedDataView,
    fields: &[Any],
    content: Option<&[u8]>,
) -> Result<Vec<u8>, TimestampError> {
    // digestAlgorithm is the third field; signedAttrs the fourth when present.
    let digest_oid = fields
        .get(2)
        .and_then(|a| elements(a.value()).ok())
        .and_then(|parts| {
            parts
                .first()
                .and_then(|o| o.decode_as::<ObjectIdentifier>().ok())
        });
    if digest_oid == Some(ID_SHA256)
        && let Some(attrs) = fields
            .get(3)
            .filter(|f| f.tag() == constructed(TagNumber::N0))
    {
        for attr in elements(attrs.value()).map_err(message("signedAttrs"))? {
            let parts = elements(attr.value()).map_err(message("signed attribute"))?;
            if let (Some(oid), Some(values)) = (parts.first(), parts.get(1))
                && oid.decode_as::<ObjectIdentifier>().ok() == Some(ID_MESSAGE_DIGEST)
                && let Some(value) = elements(values.value())
                    .map_err(message("messageDigest"))?
                    .first()
                && value.tag() == Tag::OctetString
            {
                return Ok(value.value().to_vec());
            }
        }
    }
    let bytes = match (&sd.encap_content_info.econtent, content) {
        (Some(econtent), _) if econtent.tag() == Tag::OctetString => econtent.value(),
        (None, Some(content)) => content,
        _ => {
            return Err(TimestampError::Message {
                reason: "the signature is detached and not over SHA-256: give its document \
                         to hash for the archive timestamp"
                    .into(),
            });
        }
    };
    Ok(digest::digest(&digest::SHA256, bytes).as_ref().to_vec())
}

/// The position of the signer with this signature value and its fields.
fn find_signer(
    sd: &SignedDataView,
    signature_value: &[u8],
) -> Result<(usize, Vec<Any>), TimestampError> {
    for (position, info) in sd.signer_infos.iter().enumerate() {
        let fields = elements(info.value()).map_err(message("SignerInfo"))?;
        let signature = fields
            .iter()
            .rev()
            .find(|f| f.tag() == Tag::OctetString)
            .map(Any::value);
        if signature == Some(signature_value) {
            return Ok((position, fields));
        }
    }
    Err(TimestampError::NoSuchSignature)
}

/// An Attribute with one value: `SEQUENCE { type, SET { value } }`.
fn attribute(oid: ObjectIdentifier, value_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
    Any::from_der(value_der).map_err(message("attribute value"))?;
    let set_len = der::Length::try_from(value_der.len()).map_err(encode("attribute"))?;
    let mut set = Vec::new();
    Header::new(Tag::Set, set_len)
        .and_then(|h| h.encode_to_vec(&mut set))
        .map_err(encode("attribute"))?;
    set.extend_from_slice(value_der);
    let mut body = oid.to_der().map_err(encode("attribute"))?;
    body.extend_from_slice(&set);
    sequence(Tag::Sequence, &body)
}

/// `info` (a SignerInfo) with `attribute_der` added to its unsigned attributes, the SET kept in
/// DER order (X.690 §11.6), every other field byte for byte.
fn with_unsigned_attribute(info: &Any, attribute_der: Vec<u8>) -> Result<Any, TimestampError> {
    let mut fields = elements(info.value()).map_err(message("SignerInfo"))?;
    let tag = constructed(TagNumber::N1);
    let mut attrs: Vec<Vec<u8>> = Vec::new();
    if fields.last().is_some_and(|f| f.tag() == tag)
        && let Some(last) = fields.pop()
    {
        for attr in elements(last.value()).map_err(message("unsignedAttrs"))? {
            attrs.push(attr.to_der().map_err(encode("attribute"))?);
        }
    }
    attrs.push(attribute_der);
    attrs.sort();
    let unsigned = Any::new(tag, attrs.concat()).map_err(encode("unsignedAttrs"))?;
    fields.push(unsigned);
    let mut body = Vec::new();
    for field in &fields {
        body.extend_from_slice(&field.to_der().map_err(encode("SignerInfo"))?);
    }
    let der = sequence(Tag::Sequence, &body)?;
    Any::from_der(&der).map_err(encode("SignerInfo"))
}

fn sequence(tag: Tag, body: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let len = der::Length::try_from(body.len()).map_err(encode("SEQUENCE"))?;
    let mut out = Vec::with_capacity(body.len() + 6);
    Header::new(tag, len)
        .and_then(|h| h.encode_to_vec(&mut out))
        .map_err(encode("SEQUENCE"))?;
    out.extend_from_slice(body);
    Ok(out)
}

/// The TLVs one after another in `bytes` (the value of a constructed element).
pub(crate) fn elements(bytes: &[u8]) -> der::Result<Vec<Any>> {
    let mut reader = SliceReader::new(bytes)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(Any::decode(&mut reader)?);
    }
    Ok(out)
}

fn signed_data(message_der: &[u8]) -> Result<SignedDataView, TimestampError> {
    super::lt::signed_data(message_der).map_err(|e| TimestampError::Message {
        reason: e.to_string(),
    })
}

fn message(what: &'static str) -> impl Fn(der::Error) -> TimestampError {
    move |e| TimestampError::Message {
        reason: format!("{what}: {e}"),
    }
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
    use super::*;

    #[test]
    fn ok_attribute_is_x509_certs_encoding() {
        let value = der::asn1::OctetString::new([1u8, 2, 3])
            .unwrap()
            .to_der()
            .unwrap();
        let ours = attribute(ID_AA_ATS_HASH_INDEX_V3, &value).unwrap();
        let theirs = x509_cert::attr::Attribute {
            oid: ID_AA_ATS_HASH_INDEX_V3,
            values: der::asn1::SetOfVec::try_from(vec![Any::from_der(&value).unwrap()]).unwrap(),
        }
        .to_der()
        .unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn ok_elements_reads_consecutive_tlvs_and_fails_on_a_truncated_one() {
        let two = [0x02, 0x01, 0x05, 0x04, 0x00];
        assert_eq!(elements(&two).unwrap().len(), 2);
        assert!(elements(&[0x02, 0x02, 0x05]).is_err());
        assert!(elements(&[]).unwrap().is_empty());
    }
}
