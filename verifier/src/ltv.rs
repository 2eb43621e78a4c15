//! Long-term validation material of a CAdES signature: the archive timestamps v3 of a
//! SignerInfo (ETSI EN 319 122-1 §5.5.2, §5.5.3) and what each one must stamp.
//!
//! For every id-aa-ets-archiveTimestampV3 value of the signer, [`archive_tokens`] reads the
//! ATSHashIndexV3 in the token's own unsigned attributes and checks it against the signature as
//! it is now: every certificate, RevocationInfoChoice and unsigned attribute value the index
//! lists must still be there with the same bytes (later additions are allowed: they came after
//! the timestamp). It then rebuilds the data the token's imprint must hash — the eContentType's
//! DER, the content's hash, the SignerInfo's fields from version to signature, the index's DER —
//! which the engine compares with the token (`TimestampToken::check_imprint`) before checking
//! the token's signature and TSA like any other timestamp.
//!
//! The message is walked as raw TLVs (DER only): nothing is re-encoded, so what is hashed is
//! exactly what is stored.

use std::borrow::Cow;
use std::sync::Arc;

use der::asn1::AnyRef;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};

use crate::cms::{CmsFormatError, ParseCache, SignerInfoData, TimestampToken};
use crate::crypto::Digest;

/// id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1 §5.5.3).
pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
/// id-aa-ATSHashIndex-v3 (ETSI EN 319 122-1 §5.5.2).
pub const ID_AA_ATS_HASH_INDEX_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");

const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// One archive timestamp of a signer and the data its imprint must hash.
#[derive(Debug, Clone)]
pub struct ArchiveToken {
    /// The token (DER ContentInfo).
    pub token: Vec<u8>,
    /// The token read ([`crate::cms::read_timestamp_token`]), or why it cannot be.
    pub read: Result<TimestampToken, CmsFormatError>,
    /// The data the imprint hashes, or why it cannot be rebuilt.
    pub stamped: Result<Vec<u8>, ArchiveProblem>,
}

/// Why an archive timestamp does not cover the signature as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveProblem {
    /// Something the timestamp covered was removed or changed, or the token has no usable
    /// ATSHashIndexV3.
    Changed(String),
    /// The content's hash under the token's algorithm cannot be had (a detached signature
    /// hashed with another algorithm).
    ContentUnavailable(String),
}

impl std::fmt::Display for ArchiveProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Changed(s) | Self::ContentUnavailable(s) => f.write_str(s),
        }
    }
}

/// The archive timestamps of `signer` in the message `input` (DER or PEM), in the order found,
/// each with the data it must stamp. `attached`: the content when the signature holds it.
/// `Err` when the message cannot be walked as DER.
pub fn archive_tokens(
    input: &[u8],
    signer: &SignerInfoData,
    attached: Option<&[u8]>,
) -> Result<Vec<ArchiveToken>, String> {
    archive_tokens_cached(input, signer, attached, None, None)
}

/// The SHA-256 of an element the caller read before, by its bytes (see
/// [`archive_tokens_cached`]).
pub type KnownSha256<'a> = &'a dyn Fn(&[u8]) -> Option<[u8; 32]>;

/// [`archive_tokens`], reading each token through `cache` (see
/// [`crate::cms::read_timestamp_token_cached`]).
/// `known`: the SHA-256 of an element (a certificate, a CRL) by its bytes when the caller has
/// it already, `None` when it must be taken.
pub fn archive_tokens_cached(
    input: &[u8],
    signer: &SignerInfoData,
    attached: Option<&[u8]>,
    cache: Option<&ParseCache>,
    known: Option<KnownSha256<'_>>,
) -> Result<Vec<ArchiveToken>, String> {
    let der = unpem(input)?;
    let msg = Message::read(&der).map_err(|e| format!("read the signature as DER: {e}"))?;
    let fields = msg
        .signer_fields(&signer.signature)
        .map_err(|e| format!("read the SignerInfo: {e}"))?
        .ok_or_else(|| "the SignerInfo is not in the message".to_owned())?;
    let unsigned = unsigned_values(&fields).map_err(|e| format!("unsigned attributes: {e}"))?;
    let mut out = Vec::new();
    for (oid, value) in &unsigned {
        if *oid != ID_AA_ETS_ARCHIVE_TIMESTAMP_V3 {
            continue;
        }
        let token = value.raw.to_vec();
        let read = crate::cms::read_timestamp_token_cached(&token, cache);
        let stamped = stamped_data(
            &msg,
            &fields,
            &unsigned,
            (&token, &read),
            signer,
            Reading { attached, known },
        );
        out.push(ArchiveToken {
            token,
            read,
            stamped,
        });
    }
    Ok(out)
}

/// The message's parts the archive timestamps cover, borrowed from its DER (each element its
/// exact bytes: nothing is copied or re-encoded).
struct Message<'a> {
    econtent_type: &'a [u8],
    econtent: Option<&'a [u8]>,
    certificates: Vec<&'a [u8]>,
    crls: Vec<&'a [u8]>,
    signer_infos: Vec<Tlv<'a>>,
}

impl<'a> Message<'a> {
    fn read(der: &'a [u8]) -> der::Result<Message<'a>> {
        let info = AnyRef::from_der(der)?;
        let parts = elements(info.value())?;
        let explicit = parts.get(1).ok_or_else(missing)?;
        let sd = AnyRef::from_der(explicit.value())?;
        let fields = elements(sd.value())?;
        let encap = fields.get(2).ok_or_else(missing)?;
        let encap_parts = elements(encap.value())?;
        let econtent_type = encap_parts.first().ok_or_else(missing)?.raw;
        let econtent = match encap_parts.get(1) {
            Some(explicit) => {
                let octets = AnyRef::from_der(explicit.value())?;
                (octets.tag() == Tag::OctetString).then(|| octets.value())
            }
            None => None,
        };
        let mut certificates = Vec::new();
        let mut crls = Vec::new();
        for field in fields.iter().skip(3) {
            let tag = field.tag();
            if tag == constructed(TagNumber::N0) {
                certificates.extend(elements(field.value())?.iter().map(|e| e.raw));
            } else if tag == constructed(TagNumber::N1) {
                crls.extend(elements(field.value())?.iter().map(|e| e.raw));
            }
        }
        let infos = fields.last().ok_or_else(missing)?;
        Ok(Message {
            econtent_type,
            econtent,
            certificates,
            crls,
            signer_infos: elements(infos.value())?,
        })
    }

    /// The fields of the SignerInfo whose signature value is `signature`.
    fn signer_fields(&self, signature: &[u8]) -> der::Result<Option<Vec<Tlv<'a>>>> {
        for info in &self.signer_infos {
            let fields = elements(info.value())?;
            let value = fields
                .iter()
                .rev()
                .find(|f| f.tag() == Tag::OctetString)
                .map(Tlv::value);
            if value == Some(signature) {
                return Ok(Some(fields));
            }
        }
        Ok(None)
    }
}

/// Every (attrType, value) of the SignerInfo's unsigned attributes.
fn unsigned_values<'a>(fields: &[Tlv<'a>]) -> der::Result<Vec<(ObjectIdentifier, Tlv<'a>)>> {
    let mut out = Vec::new();
    for field in fields
        .iter()
        .filter(|f| f.tag() == constructed(TagNumber::N1))
    {
        for attr in elements(field.value())? {
            let parts = elements(attr.value())?;
            let (Some(oid), Some(values)) = (parts.first(), parts.get(1)) else {
                return Err(missing());
            };
            let oid = oid.any.decode_as::<ObjectIdentifier>()?;
            for value in elements(values.value())? {
                out.push((oid, value));
            }
        }
    }
    Ok(out)
}

/// What [`stamped_data`] reads with: the attached content, and the digests the caller has.
#[derive(Clone, Copy)]
struct Reading<'a> {
    attached: Option<&'a [u8]>,
    known: Option<KnownSha256<'a>>,
}

/// Checks the token's ATSHashIndexV3 against the message and rebuilds the stamped data.
fn stamped_data(
    msg: &Message<'_>,
    fields: &[Tlv<'_>],
    unsigned: &[(ObjectIdentifier, Tlv<'_>)],
    (token, read): (&[u8], &Result<TimestampToken, CmsFormatError>),
    signer: &SignerInfoData,
    reading: Reading<'_>,
) -> Result<Vec<u8>, ArchiveProblem> {
    let Reading { attached, known } = reading;
    let changed = |s: String| ArchiveProblem::Changed(s);
    let index_der = hash_index_of(token)
        .map_err(|e| changed(format!("the archive timestamp's ATSHashIndexV3: {e}")))?
        .ok_or_else(|| {
            changed(
                "the archive timestamp carries no ATSHashIndexV3 (ETSI EN 319 122-1 §5.5.2)".into(),
            )
        })?;
    let index = AnyRef::from_der(&index_der).map_err(|e| changed(e.to_string()))?;
    let parts = elements(index.value()).map_err(|e| changed(e.to_string()))?;
    let (algorithm, lists) = match parts.len() {
        3 => (ID_SHA256, &parts[..]),
        4 => {
            let alg = parts
                .first()
                .and_then(|a| elements(a.value()).ok())
                .and_then(|p| {
                    p.first()
                        .and_then(|o| o.any.decode_as::<ObjectIdentifier>().ok())
                })
                .ok_or_else(|| changed("hashIndAlgorithm does not decode".into()))?;
            (alg, parts.get(1..).unwrap_or_default())
        }
        n => {
            return Err(changed(format!(
                "ATSHashIndexV3 has {n} fields, not 3 or 4"
            )));
        }
    };
    let digest = Digest::from_oid(&algorithm)
        .ok_or_else(|| changed(format!("hashIndAlgorithm {algorithm} is not supported")))?;
    let unsigned_elements: Vec<Vec<u8>> = unsigned
        .iter()
        .filter_map(|(oid, value)| {
            let mut bytes = oid.to_der().ok()?;
            bytes.extend_from_slice(value.raw);
            Some(bytes)
        })
        .collect();
    let unsigned_elements: Vec<&[u8]> = unsigned_elements.iter().map(Vec::as_slice).collect();
    let present: [(&str, &[&[u8]]); 3] = [
        ("certificate", &msg.certificates),
        ("revocation value (CRL or OCSP response)", &msg.crls),
        ("unsigned attribute value", &unsigned_elements),
    ];
    for (list, (what, present)) in lists.iter().zip(present) {
        // Each element's hash is taken when first needed, once: an element the index does not
        // list (the token itself, later additions) is not hashed at all, and a SHA-256 the
        // caller already has (a certificate or CRL it read) is not taken again.
        let mut hashes: Vec<Option<Vec<u8>>> = vec![None; present.len()];
        for (i, listed) in elements(list.value())
            .map_err(|e| changed(e.to_string()))?
            .iter()
            .enumerate()
        {
            let mut found = false;
            for (&element, hash) in present.iter().zip(hashes.iter_mut()) {
                let hash = hash.get_or_insert_with(|| {
                    known
                        .filter(|_| algorithm == ID_SHA256)
                        .and_then(|known| known(element))
                        .map_or_else(|| digest.digest(element), |h| h.to_vec())
                });
                if hash.as_slice() == listed.value() {
                    found = true;
                    break;
                }
            }
            if !found {
                return Err(changed(format!(
                    "the archive timestamp covers a {what} (index entry {i}) that is no longer \
                     in the signature or was changed"
                )));
            }
        }
    }

    // §5.5.3: eContentType, the content's hash, the SignerInfo's fields, the index.
    let token_alg = read
        .as_ref()
        .map_err(|e| changed(format!("the archive timestamp token: {e}")))?
        .hash_algorithm;
    let token_digest = Digest::from_oid(&token_alg).ok_or_else(|| {
        changed(format!(
            "the archive timestamp's imprint algorithm {token_alg} is not supported"
        ))
    })?;
    let content_hash = if signer.digest_algorithm.oid == token_alg
        && let Some(md) = &signer.attributes.message_digest
    {
        // The messageDigest attribute was checked against the content before this.
        md.clone()
    } else if let Some(content) = attached.or(msg.econtent) {
        token_digest.digest(content)
    } else {
        return Err(ArchiveProblem::ContentUnavailable(
            "the signature is detached and the archive timestamp hashes its content with \
             another algorithm than the signer: the content's hash under it is not at hand"
                .into(),
        ));
    };
    let mut data = msg.econtent_type.to_vec();
    data.extend_from_slice(&content_hash);
    for field in fields
        .iter()
        .filter(|f| f.tag() != constructed(TagNumber::N1))
    {
        data.extend_from_slice(field.raw);
    }
    data.extend_from_slice(&index_der);
    Ok(data)
}

/// The DER of the ATSHashIndexV3 in the token's SignerInfo's unsigned attributes.
fn hash_index_of(token: &[u8]) -> der::Result<Option<Vec<u8>>> {
    let msg = Message::read(token)?;
    let Some(info) = msg.signer_infos.first() else {
        return Ok(None);
    };
    let fields = elements(info.value())?;
    for (oid, value) in unsigned_values(&fields)? {
        if oid == ID_AA_ATS_HASH_INDEX_V3 {
            return Ok(Some(value.raw.to_vec()));
        }
    }
    Ok(None)
}

fn unpem(input: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if input.first() == Some(&0x30) {
        return Ok(Cow::Borrowed(input));
    }
    pem::parse(input)
        .map(|p| Cow::Owned(p.into_contents()))
        .map_err(|e| format!("read PEM: {e}"))
}

/// One TLV of a message: read, and its exact bytes (header and value).
#[derive(Clone, Copy)]
struct Tlv<'a> {
    any: AnyRef<'a>,
    raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    fn tag(&self) -> Tag {
        self.any.tag()
    }

    fn value(&self) -> &'a [u8] {
        self.any.value()
    }
}

/// The TLVs one after another in `bytes`, borrowed.
fn elements(bytes: &[u8]) -> der::Result<Vec<Tlv<'_>>> {
    let mut reader = SliceReader::new(bytes)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let start = usize::try_from(reader.position())?;
        let any = AnyRef::decode(&mut reader)?;
        let end = usize::try_from(reader.position())?;
        let raw = bytes.get(start..end).ok_or_else(missing)?;
        out.push(Tlv { any, raw });
    }
    Ok(out)
}

fn constructed(number: TagNumber) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number,
    }
}

fn missing() -> der::Error {
    der::ErrorKind::Incomplete {
        expected_len: der::Length::ONE,
        actual_len: der::Length::ZERO,
    }
    .into()
}

/// [`ProofOfExistence::proven_by`] of a signature timestamp.
pub const SIGNATURE_TIMESTAMP: &str = "signature timestamp";
/// [`ProofOfExistence::proven_by`] of an archive timestamp.
pub const ARCHIVE_TIMESTAMP: &str = "archive timestamp";

/// A verified proof that the signature existed at a time (ETSI EN 319 102-1 §5.6.2.1): a
/// timestamp whose imprint, signature and TSA certificate were checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProofOfExistence {
    /// The time proven (the token's genTime).
    #[serde(with = "time::serde::rfc3339")]
    pub time: time::OffsetDateTime,
    /// "signature timestamp" or "archive timestamp".
    pub proven_by: &'static str,
    /// The TSA certificate's subject.
    pub tsa: String,
    /// The token's serial number (hex).
    pub serial: String,
    /// The end of the TSA's word: the earliest notAfter of its certificate and its issuers'
    /// (the trust anchor aside), or the certificate's revocation time when the revocation data
    /// used says it was revoked after the token for a compromise (RFC 3161 §4). The token
    /// proves nothing after it, unless a later archive timestamp proves the token existed
    /// before (ETSI EN 319 102-1 §5.6.3).
    #[serde(with = "time::serde::rfc3339")]
    pub tsa_valid_until: time::OffsetDateTime,
}

/// A proof of existence that cannot be used: its TSA certificate had expired or been revoked
/// at `control`
/// (the validation time, or the time a later archive timestamp proves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprovenToken {
    /// The proof the token would give.
    pub proof: ProofOfExistence,
    /// The time its TSA certificate had to be valid at.
    pub control: time::OffsetDateTime,
}

/// Keeps the proofs of existence that hold at `validation_time` (ETSI EN 319 102-1 §5.6.3):
/// a timestamp token's genTime is only the word of its TSA, which is worth something while the
/// TSA's certificate is valid. Newest first, each token must have a TSA certificate valid at the
/// control time, which starts at the validation time and moves back to the genTime of each
/// archive timestamp kept: an archive timestamp covers every timestamp made before it, so it
/// proves those tokens existed at its genTime (a signature timestamp covers only the signature
/// value, and moves nothing). `proofs` sorted earliest first; returns the kept ones (earliest
/// first) and the dropped ones.
pub fn chain_of_proofs(
    proofs: Vec<ProofOfExistence>,
    validation_time: time::OffsetDateTime,
) -> (Vec<ProofOfExistence>, Vec<UnprovenToken>) {
    let mut control = validation_time;
    let mut kept = Vec::with_capacity(proofs.len());
    let mut dropped = Vec::new();
    for proof in proofs.into_iter().rev() {
        if proof.tsa_valid_until >= control {
            if proof.proven_by == ARCHIVE_TIMESTAMP {
                control = proof.time;
            }
            kept.push(proof);
        } else {
            dropped.push(UnprovenToken { proof, control });
        }
    }
    kept.reverse();
    dropped.reverse();
    (kept, dropped)
}

/// The revocation data one certificate of the chain was judged with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevocationUse {
    /// The certificate's subject.
    pub certificate: Arc<str>,
    /// Its serial number (hex).
    pub serial: Arc<str>,
    /// "good", "revoked", "unknown" or "unavailable".
    pub status: &'static str,
    /// The CRL or OCSP response that settled it (where it came from, its times).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    use super::{ProofOfExistence, chain_of_proofs};

    const T0: OffsetDateTime = datetime!(2026-06-02 10:00 UTC);

    fn proof(
        kind: &'static str,
        time: OffsetDateTime,
        tsa_until: OffsetDateTime,
    ) -> ProofOfExistence {
        ProofOfExistence {
            time,
            proven_by: kind,
            tsa: "CN=TSA".to_owned(),
            serial: "01".to_owned(),
            tsa_valid_until: tsa_until,
        }
    }

    fn kinds(proofs: &[ProofOfExistence]) -> Vec<&'static str> {
        proofs.iter().map(|p| p.proven_by).collect()
    }

    #[test]
    fn ok_a_token_whose_tsa_is_valid_at_the_validation_time_is_kept() {
        let sig = proof("signature timestamp", T0, T0 + Duration::days(365));
        let (kept, dropped) = chain_of_proofs(vec![sig.clone()], T0 + Duration::days(365));
        assert_eq!(kept, vec![sig], "notAfter itself is inside the validity");
        assert!(dropped.is_empty());
    }

    #[test]
    fn fail_a_token_whose_tsa_expired_before_the_validation_time_proves_nothing() {
        let at = T0 + Duration::days(366);
        let sig = proof("signature timestamp", T0, T0 + Duration::days(365));
        let (kept, dropped) = chain_of_proofs(vec![sig.clone()], at);
        assert!(kept.is_empty());
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].proof, sig);
        assert_eq!(dropped[0].control, at);
    }

    #[test]
    fn ok_an_archive_timestamp_made_while_the_first_tsa_was_valid_carries_it() {
        // The signature timestamp's TSA expired at T0 + 365 d; an archive timestamp of
        // T0 + 300 d by a TSA valid until T0 + 665 d proves the earlier token at T0 + 300 d.
        let sig = proof("signature timestamp", T0, T0 + Duration::days(365));
        let ats = proof(
            "archive timestamp",
            T0 + Duration::days(300),
            T0 + Duration::days(665),
        );
        let (kept, dropped) =
            chain_of_proofs(vec![sig.clone(), ats.clone()], T0 + Duration::days(600));
        assert_eq!(kept, vec![sig, ats]);
        assert!(dropped.is_empty());
    }

    #[test]
    fn fail_an_archive_timestamp_made_after_the_first_tsa_expired_does_not_carry_it() {
        let sig = proof("signature timestamp", T0, T0 + Duration::days(365));
        let late = proof(
            "archive timestamp",
            T0 + Duration::days(400),
            T0 + Duration::days(765),
        );
        let (kept, dropped) =
            chain_of_proofs(vec![sig.clone(), late.clone()], T0 + Duration::days(600));
        assert_eq!(kept, vec![late]);
        assert_eq!(
            kinds(&dropped.iter().map(|d| d.proof.clone()).collect::<Vec<_>>()),
            vec!["signature timestamp"]
        );
        assert_eq!(dropped[0].control, T0 + Duration::days(400));
    }

    #[test]
    fn fail_a_later_signature_timestamp_does_not_carry_an_earlier_one() {
        let first = proof("signature timestamp", T0, T0 + Duration::days(365));
        let second = proof(
            "signature timestamp",
            T0 + Duration::hours(1),
            T0 + Duration::days(3650),
        );
        let at = T0 + Duration::days(400);
        let (kept, dropped) = chain_of_proofs(vec![first.clone(), second.clone()], at);
        assert_eq!(kept, vec![second]);
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].proof, first);
        assert_eq!(dropped[0].control, at);
    }

    #[test]
    fn fail_an_expired_last_archive_timestamp_carries_nothing() {
        let sig = proof("signature timestamp", T0, T0 + Duration::days(365));
        let ats = proof(
            "archive timestamp",
            T0 + Duration::days(300),
            T0 + Duration::days(665),
        );
        let at = T0 + Duration::days(700);
        let (kept, dropped) = chain_of_proofs(vec![sig, ats], at);
        assert!(kept.is_empty());
        assert_eq!(
            kinds(&dropped.iter().map(|d| d.proof.clone()).collect::<Vec<_>>()),
            vec!["signature timestamp", "archive timestamp"]
        );
        assert!(dropped.iter().all(|d| d.control == at));
    }
}
