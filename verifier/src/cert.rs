//! A parsed X.509 certificate with the accessors every check of the verifier needs.
//!
//! The DER is kept beside the parsed form: signatures and fingerprints work on the exact bytes,
//! the checks on the decoded fields (RFC 5280 §4).

use std::fmt;
use std::sync::{Arc, OnceLock};

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

use der::oid::AssociatedOid;

use crate::bounded::{self, Bounded};

/// `id-ad-ocsp` (RFC 5280 §4.2.2.1).
const AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// freshestCRL (RFC 5280 §4.2.1.15).
const FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");
/// `id-ad-caIssuers` (RFC 5280 §4.2.2.1).
const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// Why bytes are not a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The DER does not decode as an X.509 `Certificate` (RFC 5280 §4.1).
    #[error("certificate does not decode: {detail}")]
    Malformed {
        /// The decoder's own message, with the position it stopped at.
        detail: String,
    },
    /// An extension is present but its value does not decode.
    #[error("certificate extension {oid} does not decode: {detail}")]
    BadExtension {
        /// The extension's OID, dotted.
        oid: String,
        /// The decoder's message.
        detail: String,
    },
    /// PEM input without any `CERTIFICATE` block.
    #[error("no certificate found in the input (expected DER or PEM `CERTIFICATE` blocks)")]
    NoCertificate,
}

/// Key usage bits (RFC 5280 §4.2.1.3) as the verifier reads them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct KeyUsageBits {
    /// digitalSignature (0).
    pub digital_signature: bool,
    /// nonRepudiation / contentCommitment (1).
    pub non_repudiation: bool,
    /// keyEncipherment (2).
    pub key_encipherment: bool,
    /// keyCertSign (5).
    pub key_cert_sign: bool,
    /// cRLSign (6).
    pub crl_sign: bool,
}

/// A certificate: the DER and its decoded form. Cheap to clone.
#[derive(Clone)]
pub struct Cert {
    inner: Arc<Inner>,
}

/// What [`Cert::basic_constraints`] answers.
type Constraints = Result<Option<(bool, Option<u8>)>, CertError>;

struct Inner {
    der: Vec<u8>,
    parsed: Certificate,
    sha256: [u8; 32],
    subject_der: Vec<u8>,
    issuer_der: Vec<u8>,
    spki_der: Vec<u8>,
    /// The RFC 4514 forms, made on first use: formatting a name looks every attribute type up
    /// in const-oid's database, which costs more than the rest of a cached verification.
    subject_text: OnceLock<Arc<str>>,
    issuer_text: OnceLock<Arc<str>>,
    /// The serial in upper-case hex, made on first use.
    serial_text: OnceLock<Arc<str>>,
    /// Extensions every revocation check reads, decoded on first use.
    basic_constraints: OnceLock<Constraints>,
    crl_urls: OnceLock<Vec<String>>,
    freshest_urls: OnceLock<Vec<String>>,
    ocsp_urls: OnceLock<Vec<String>>,
}

impl Cert {
    /// Decodes one DER certificate.
    ///
    /// A notBefore written as a UTCTime of 1950 – 1969 (RFC 5280 §4.1.2.5.1 allows it) is read as
    /// 1970-01-01T00:00:00Z, the earliest time the `der` crate represents: the certificate's
    /// validity only narrows, and its signature is still checked over the bytes as they are.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let parsed = match Certificate::from_der(der) {
            Ok(parsed) => parsed,
            Err(e) => match early_not_before(der) {
                Some(patched) => Certificate::from_der(&patched),
                None => Err(e),
            }
            .map_err(|e| CertError::Malformed {
                detail: e.to_string(),
            })?,
        };
        let enc = |r: der::Result<Vec<u8>>| {
            r.map_err(|e| CertError::Malformed {
                detail: e.to_string(),
            })
        };
        let subject_der = enc(parsed.tbs_certificate.subject.to_der())?;
        let issuer_der = enc(parsed.tbs_certificate.issuer.to_der())?;
        let spki_der = enc(parsed.tbs_certificate.subject_public_key_info.to_der())?;
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(digest.as_ref());
        Ok(Self {
            inner: Arc::new(Inner {
                der: der.to_vec(),
                parsed,
                sha256,
                subject_der,
                issuer_der,
                spki_der,
                subject_text: OnceLock::new(),
                issuer_text: OnceLock::new(),
                serial_text: OnceLock::new(),
                basic_constraints: OnceLock::new(),
                crl_urls: OnceLock::new(),
                freshest_urls: OnceLock::new(),
                ocsp_urls: OnceLock::new(),
            }),
        })
    }

    /// Reads every certificate of a PEM bundle, or one DER certificate.
    pub fn all_from_pem_or_der(input: &[u8]) -> Result<Vec<Self>, CertError> {
        let trimmed = input.iter().position(|b| !b.is_ascii_whitespace());
        let looks_pem = trimmed.is_some_and(|i| input[i..].starts_with(b"-----BEGIN"));
        if !looks_pem {
            return Ok(vec![Self::from_der(input)?]);
        }
        let blocks = pem::parse_many(input).map_err(|e| CertError::Malformed {
            detail: format!("PEM: {e}"),
        })?;
        let certs = blocks
            .iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| Self::from_der(b.contents()))
            .collect::<Result<Vec<_>, _>>()?;
        if certs.is_empty() {
            return Err(CertError::NoCertificate);
        }
        Ok(certs)
    }

    /// The exact DER.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The decoded certificate.
    pub fn x509(&self) -> &Certificate {
        &self.inner.parsed
    }

    /// SHA-256 of the DER (the fingerprint reports show, and the ESS `signingCertificateV2` hash).
    pub fn sha256(&self) -> &[u8; 32] {
        &self.inner.sha256
    }

    /// The DER of the subject name.
    pub fn subject_der(&self) -> &[u8] {
        &self.inner.subject_der
    }

    /// The DER of the issuer name.
    pub fn issuer_der(&self) -> &[u8] {
        &self.inner.issuer_der
    }

    /// The DER of the SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.inner.spki_der
    }

    /// The subject public key's bit string contents (what `ring` verifies with).
    pub fn public_key_bytes(&self) -> &[u8] {
        self.inner
            .parsed
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }

    /// The public key's algorithm OID.
    pub fn public_key_algorithm(&self) -> ObjectIdentifier {
        self.inner
            .parsed
            .tbs_certificate
            .subject_public_key_info
            .algorithm
            .oid
    }

    /// The serial number's content bytes (big-endian, as encoded).
    pub fn serial(&self) -> &[u8] {
        self.inner.parsed.tbs_certificate.serial_number.as_bytes()
    }

    /// The serial as upper-case hex, the way reports and the register show it.
    pub fn serial_hex(&self) -> String {
        self.serial_shared().to_string()
    }

    /// [`Cert::serial_hex`], made once and shared (reports hold it without copying).
    pub fn serial_shared(&self) -> Arc<str> {
        self.inner
            .serial_text
            .get_or_init(|| hex::encode_upper(self.serial()).into())
            .clone()
    }

    /// The subject in RFC 4514 form.
    pub fn subject(&self) -> String {
        self.subject_shared().to_string()
    }

    /// [`Cert::subject`], made once and shared.
    pub fn subject_shared(&self) -> Arc<str> {
        self.inner
            .subject_text
            .get_or_init(|| {
                eds_profile::names::rfc4514(&self.inner.parsed.tbs_certificate.subject).into()
            })
            .clone()
    }

    /// The issuer in RFC 4514 form.
    pub fn issuer(&self) -> String {
        self.issuer_shared().to_string()
    }

    /// [`Cert::issuer`], made once and shared.
    pub fn issuer_shared(&self) -> Arc<str> {
        self.inner
            .issuer_text
            .get_or_init(|| {
                eds_profile::names::rfc4514(&self.inner.parsed.tbs_certificate.issuer).into()
            })
            .clone()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        unix(
            self.inner
                .parsed
                .tbs_certificate
                .validity
                .not_before
                .to_unix_duration(),
        )
    }

    /// End of the validity period.
    pub fn not_after(&self) -> OffsetDateTime {
        unix(
            self.inner
                .parsed
                .tbs_certificate
                .validity
                .not_after
                .to_unix_duration(),
        )
    }

    /// Whether `at` lies inside [notBefore, notAfter].
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before() <= at && at <= self.not_after()
    }

    /// Subject and issuer are the same name (RFC 5280 §6.1: "self-issued"), compared by
    /// §7.1's rules, not only byte for byte.
    pub fn is_self_issued(&self) -> bool {
        crate::path::names::names_equal(&self.inner.subject_der, &self.inner.issuer_der)
    }

    /// The raw value of an extension, with its criticality.
    pub fn extension(&self, oid: ObjectIdentifier) -> Option<(bool, &[u8])> {
        self.inner
            .parsed
            .tbs_certificate
            .extensions
            .as_ref()?
            .iter()
            .find(|e| e.extn_id == oid)
            .map(|e| (e.critical, e.extn_value.as_bytes()))
    }

    /// Decodes an extension of a known type; `Ok(None)` when absent.
    pub fn decoded<T>(&self) -> Result<Option<T>, CertError>
    where
        T: AssociatedOid + for<'a> Decode<'a>,
    {
        let Some((_, value)) = self.extension(T::OID) else {
            return Ok(None);
        };
        T::from_der(value)
            .map(Some)
            .map_err(|e| CertError::BadExtension {
                oid: T::OID.to_string(),
                detail: e.to_string(),
            })
    }

    /// The subject key identifier (RFC 5280 §4.2.1.2).
    pub fn subject_key_id(&self) -> Option<Vec<u8>> {
        self.decoded::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|s| s.0.as_bytes().to_vec())
    }

    /// The authority key identifier's keyIdentifier (RFC 5280 §4.2.1.1).
    pub fn authority_key_id(&self) -> Option<Vec<u8>> {
        self.decoded::<AuthorityKeyIdentifier>()
            .ok()
            .flatten()
            .and_then(|a| a.key_identifier)
            .map(|k| k.as_bytes().to_vec())
    }

    /// Basic constraints: `(cA, pathLenConstraint)`; `None` when the extension is absent.
    pub fn basic_constraints(&self) -> Result<Option<(bool, Option<u8>)>, CertError> {
        self.inner
            .basic_constraints
            .get_or_init(|| {
                Ok(self
                    .decoded::<BasicConstraints>()?
                    .map(|b| (b.ca, b.path_len_constraint)))
            })
            .clone()
    }

    /// Key usage bits; `None` when the extension is absent (every use allowed, RFC 5280 §4.2.1.3).
    pub fn key_usage(&self) -> Result<Option<KeyUsageBits>, CertError> {
        use x509_cert::ext::pkix::KeyUsages as K;
        Ok(self.decoded::<KeyUsage>()?.map(|ku| KeyUsageBits {
            digital_signature: ku.0.contains(K::DigitalSignature),
            non_repudiation: ku.0.contains(K::NonRepudiation),
            key_encipherment: ku.0.contains(K::KeyEncipherment),
            key_cert_sign: ku.0.contains(K::KeyCertSign),
            crl_sign: ku.0.contains(K::CRLSign),
        }))
    }

    /// Extended key usage OIDs; `None` when absent.
    pub fn extended_key_usage(&self) -> Result<Option<Vec<ObjectIdentifier>>, CertError> {
        Ok(self.decoded::<ExtendedKeyUsage>()?.map(|e| e.0))
    }

    /// Certificate policy OIDs (empty when absent).
    pub fn policies(&self) -> Result<Vec<ObjectIdentifier>, CertError> {
        Ok(self
            .decoded::<CertificatePolicies>()?
            .map(|p| p.0.into_iter().map(|i| i.policy_identifier).collect())
            .unwrap_or_default())
    }

    /// URLs of the CRL distribution points (fullName URIs only), read once.
    pub fn crl_urls(&self) -> &[String] {
        self.inner
            .crl_urls
            .get_or_init(|| match self.decoded::<CrlDistributionPoints>() {
                Ok(Some(points)) => point_urls(points),
                _ => Vec::new(),
            })
    }

    /// URLs of the freshest CRL (delta CRL) distribution points (RFC 5280 §4.2.1.15; fullName
    /// URIs only), read once.
    pub fn freshest_urls(&self) -> &[String] {
        self.inner.freshest_urls.get_or_init(|| {
            match self
                .extension(FRESHEST_CRL)
                .map(|(_, value)| CrlDistributionPoints::from_der(value))
            {
                Some(Ok(points)) => point_urls(points),
                _ => Vec::new(),
            }
        })
    }

    /// OCSP responder URLs from the Authority Information Access extension, read once.
    pub fn ocsp_urls(&self) -> &[String] {
        self.inner
            .ocsp_urls
            .get_or_init(|| self.access_urls(AD_OCSP))
    }

    /// CA issuer URLs from the Authority Information Access extension.
    pub fn ca_issuer_urls(&self) -> Vec<String> {
        self.access_urls(AD_CA_ISSUERS)
    }

    fn access_urls(&self, method: ObjectIdentifier) -> Vec<String> {
        let Ok(Some(aia)) = self.decoded::<AuthorityInfoAccessSyntax>() else {
            return Vec::new();
        };
        aia.0
            .into_iter()
            .filter(|d| d.access_method == method)
            .filter_map(|d| match d.access_location {
                GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// Certificates already decoded, by the SHA-256 of their DER: a batch of documents signed by
/// the same people carries the same certificates in every signature, and decoding one
/// (x509-cert, three re-encodings, SHA-256) costs more than finding it here. `Sync`; bounded in
/// entries and bytes ([`CertCache::MAX_CERTS`], [`CertCache::MAX_CERT_BYTES`],
/// [`CertCache::MAX_NAMES`], [`CertCache::MAX_NAME_BYTES`]): when an insertion would pass a
/// bound the map is emptied and refilled.
#[derive(Debug)]
pub struct CertCache {
    /// By the SHA-256 of the DER (the certificate's fingerprint).
    entries: Bounded<[u8; 32], Cert>,
    /// RFC 4514 forms of names, by the SHA-256 of their DER (see [`CertCache::name_text`]).
    names: Bounded<[u8; 32], String>,
}

impl Default for CertCache {
    fn default() -> Self {
        Self::new()
    }
}

impl CertCache {
    /// Certificates kept at most.
    pub const MAX_CERTS: usize = 4096;
    /// Bytes the kept certificates are counted at, at most (each at [`CERT_COST_FACTOR`] times
    /// its DER: the DER, its decoded form and the copies of names and key).
    pub const MAX_CERT_BYTES: usize = 32 << 20;
    /// Names kept at most.
    pub const MAX_NAMES: usize = 4096;
    /// Bytes the kept names (DER and text) are counted at, at most.
    pub const MAX_NAME_BYTES: usize = 4 << 20;

    /// An empty cache with the bounds above.
    pub fn new() -> Self {
        Self::with_bounds(Self::MAX_CERTS, Self::MAX_CERT_BYTES)
    }

    /// An empty cache keeping at most `certs` certificates counted at `bytes` (tests reach the
    /// bounds with a few certificates).
    pub(crate) fn with_bounds(certs: usize, bytes: usize) -> Self {
        Self {
            entries: Bounded::new(certs, bytes),
            names: Bounded::new(Self::MAX_NAMES, Self::MAX_NAME_BYTES),
        }
    }

    /// [`Cert::from_der`], answered from the cache for DER seen before. Failures are not kept.
    pub fn from_der(&self, der: &[u8]) -> Result<Cert, CertError> {
        let key = bounded::sha256(der);
        if let Some(cert) = self.entries.get(&key) {
            return Ok(cert);
        }
        let cert = Cert::from_der(der)?;
        self.entries.insert(
            key,
            cert.clone(),
            der.len().saturating_mul(CERT_COST_FACTOR),
        );
        Ok(cert)
    }

    /// `name` (whose DER is `der`) in RFC 4514 form, kept: formatting a name looks each
    /// attribute type up in const-oid's database.
    pub fn name_text(&self, der: &[u8], name: &x509_cert::name::Name) -> String {
        let key = bounded::sha256(der);
        if let Some(text) = self.names.get(&key) {
            return text;
        }
        let text = eds_profile::names::rfc4514(name);
        self.names
            .insert(key, text.clone(), der.len().saturating_add(text.len()));
        text
    }

    /// Certificates kept, and the bytes they are counted at.
    #[cfg(test)]
    pub(crate) fn usage(&self) -> (usize, usize) {
        (self.entries.len(), self.entries.bytes())
    }
}

/// The fullName URIs of distribution points (the form of cRLDistributionPoints and freshestCRL).
fn point_urls(points: CrlDistributionPoints) -> Vec<String> {
    let mut urls = Vec::new();
    for point in points.0 {
        if let Some(DistributionPointName::FullName(names)) = point.distribution_point {
            for name in names {
                if let GeneralName::UniformResourceIdentifier(uri) = name {
                    urls.push(uri.to_string());
                }
            }
        }
    }
    urls
}

/// A copy of `der` whose notBefore, a UTCTime of a year 1950 – 1969, is replaced by
/// "700101000000Z" (same length, so no length changes); `None` when the certificate has no such
/// notBefore. Walks Certificate → tbsCertificate → [version] serialNumber signature issuer →
/// validity → notBefore (RFC 5280 §4.1).
fn early_not_before(der: &[u8]) -> Option<Vec<u8>> {
    use der::{Header, Reader, SliceReader, Tag};
    let mut cert = SliceReader::new(der).ok()?;
    let outer = Header::decode(&mut cert).ok()?;
    if outer.tag != Tag::Sequence {
        return None;
    }
    let tbs_header = Header::decode(&mut cert).ok()?;
    if tbs_header.tag != Tag::Sequence {
        return None;
    }
    // The TBS fields before validity, skipped whole.
    let tbs_start = usize::try_from(u32::from(cert.position())).ok()?;
    let tbs_len = usize::try_from(u32::from(tbs_header.length)).ok()?;
    let tbs = der.get(tbs_start..tbs_start.checked_add(tbs_len)?)?;
    let mut r = SliceReader::new(tbs).ok()?;
    let version = Tag::ContextSpecific {
        constructed: true,
        number: der::TagNumber::N0,
    };
    if r.peek_tag().ok()? == version {
        r.tlv_bytes().ok()?;
    }
    for _ in 0..3 {
        r.tlv_bytes().ok()?; // serialNumber, signature, issuer
    }
    let validity = Header::decode(&mut r).ok()?;
    if validity.tag != Tag::Sequence {
        return None;
    }
    let at = usize::try_from(u32::from(r.position())).ok()?;
    let time = Header::decode(&mut r).ok()?;
    let value = tbs.get(at.checked_add(2)?..at.checked_add(15)?)?;
    if time.tag != Tag::UtcTime || u32::from(time.length) != 13 {
        return None;
    }
    let year = value.get(..2)?;
    if !(b"50".as_slice()..=b"69".as_slice()).contains(&year) {
        return None;
    }
    let mut patched = der.to_vec();
    let from = tbs_start.checked_add(at)?.checked_add(2)?;
    patched
        .get_mut(from..from.checked_add(13)?)?
        .copy_from_slice(b"700101000000Z");
    Some(patched)
}

/// What a kept certificate is counted at, per byte of its DER: the DER itself, the decoded
/// `Certificate` (which owns copies of every field) and the subject, issuer and key copies.
pub(crate) const CERT_COST_FACTOR: usize = 4;

impl fmt::Debug for Cert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cert")
            .field("subject", &self.subject())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.inner.sha256 == other.inner.sha256
    }
}

impl Eq for Cert {}

fn unix(d: std::time::Duration) -> OffsetDateTime {
    // x509-cert's Time is bounded to years 1950..=9999, inside OffsetDateTime's range; the
    // fallback is unreachable for decoded certificates.
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use eds_fixtures::pki::TestPki;

    use super::*;
    use crate::bounded::ENTRY_OVERHEAD;

    const PRE_1970: &[u8] =
        include_bytes!("../../fixtures/pkits/certs/Validpre2000UTCnotBeforeDateTest3EE.crt");
    const USUAL: &[u8] = include_bytes!("../../fixtures/pkits/certs/GoodCACert.crt");

    #[test]
    fn ok_not_before_in_1950_read_as_1970() {
        // The der crate alone refuses it.
        assert!(Certificate::from_der(PRE_1970).is_err());
        let cert = Cert::from_der(PRE_1970).unwrap();
        assert_eq!(cert.not_before(), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            cert.der(),
            PRE_1970,
            "the bytes kept are the certificate's own"
        );
        assert!(cert.not_after() > cert.not_before());
    }

    #[test]
    fn fail_only_a_pre_1970_not_before_is_patched() {
        assert_eq!(early_not_before(USUAL), None);
        // The same certificate with a notAfter of 1960: never patched (it would widen validity).
        let at = PRE_1970
            .windows(13)
            .position(|w| w.starts_with(b"50") && w.ends_with(b"Z"))
            .unwrap();
        let not_after = at + 15;
        let mut swapped = PRE_1970.to_vec();
        swapped[at..at + 13].copy_from_slice(b"100101120100Z");
        swapped[not_after..not_after + 13].copy_from_slice(b"600101120100Z");
        assert_eq!(early_not_before(&swapped), None);
        assert!(matches!(
            Cert::from_der(&swapped),
            Err(CertError::Malformed { .. })
        ));
        for cut in [0, 1, 10, 100, PRE_1970.len() - 1] {
            assert!(Cert::from_der(&PRE_1970[..cut]).is_err());
            let _ = early_not_before(&PRE_1970[..cut]);
        }
    }

    /// `n` different certificates of one length and the same last 32 bytes: the leaf's DER with
    /// bytes inside its signature value (40 bytes before the end) changed. They still decode.
    fn variants(n: u16) -> Vec<Vec<u8>> {
        let der = TestPki::new().chain().leaf.der().to_vec();
        let at = der.len() - 40;
        (0..n)
            .map(|i| {
                let mut v = der.clone();
                let [hi, lo] = i.to_be_bytes();
                v[at] = lo;
                v[at - 1] = hi;
                v
            })
            .collect()
    }

    #[test]
    fn ok_same_length_and_tail_are_different_entries() {
        let [a, b] = <[Vec<u8>; 2]>::try_from(variants(2)).unwrap();
        assert_eq!((a.len(), &a[a.len() - 32..]), (b.len(), &b[b.len() - 32..]));
        let cache = CertCache::new();
        let ca = cache.from_der(&a).unwrap();
        let cb = cache.from_der(&b).unwrap();
        assert_eq!(ca.der(), a.as_slice());
        assert_eq!(cb.der(), b.as_slice());
        assert_eq!(cache.usage().0, 2);
        assert!(Arc::ptr_eq(&cache.from_der(&a).unwrap().inner, &ca.inner));
        assert!(Arc::ptr_eq(&cache.from_der(&b).unwrap().inner, &cb.inner));
    }

    #[test]
    fn ok_entry_bound_holds_and_equal_bytes_hit() {
        let certs = variants(10);
        let cache = CertCache::with_bounds(3, usize::MAX);
        for der in &certs {
            let first = cache.from_der(der).unwrap();
            assert!(cache.usage().0 <= 3);
            let again = cache.from_der(der).unwrap();
            assert!(Arc::ptr_eq(&first.inner, &again.inner), "equal bytes hit");
        }
    }

    #[test]
    fn ok_byte_bound_holds_and_equal_bytes_hit() {
        let certs = variants(10);
        let each = certs[0].len() * CERT_COST_FACTOR + ENTRY_OVERHEAD;
        let cache = CertCache::with_bounds(1000, 2 * each);
        for der in &certs {
            let first = cache.from_der(der).unwrap();
            let (count, bytes) = cache.usage();
            assert!(
                count <= 2 && bytes <= 2 * each,
                "{count} entries, {bytes} bytes"
            );
            let again = cache.from_der(der).unwrap();
            assert!(Arc::ptr_eq(&first.inner, &again.inner), "equal bytes hit");
        }
    }

    #[test]
    fn fail_garbage_is_an_error_and_not_kept() {
        let cache = CertCache::new();
        assert!(matches!(
            cache.from_der(b"\x30\x03\x02\x01\x01"),
            Err(CertError::Malformed { .. })
        ));
        assert_eq!(cache.usage(), (0, 0));
    }
}
