//! CMS SignedData (RFC 5652 §5) with the CAdES-BASELINE-B signed attributes (ETSI EN 319 122-1
//! §5.2): contentType, messageDigest, signingTime and signingCertificateV2 (RFC 5035).
//!
//! Signing is three steps, so a key outside this process (a token, an HSM) fits:
//!
//! 1. [`prepare`] (or [`prepare_cosign`]) digests the content and encodes the signed attributes;
//!    [`Prepared::to_be_signed`] is their DER as a SET OF (RFC 5652 §5.4);
//! 2. the key signs those bytes ([`SigningKey::sign`]);
//! 3. [`assemble`] puts the signature into a SignerInfo and returns the DER ContentInfo.
//!
//! [`sign`] and [`cosign`] do all three with an in-process key.
//!
//! The `cms` crate's `SignedDataBuilder` reads the system clock for signingTime and wants the
//! RustCrypto `signature` traits; time is a parameter here and keys are [`SigningKey`]s, so the
//! two-step assembly is done here. The crate's types carry what is built once per signer
//! (`SignerIdentifier`, `IssuerAndSerialNumber`), the encapsulated content
//! (`EncapsulatedContentInfo`, `CmsVersion`) and everything read back (`ContentInfo`, earlier
//! signers' `SignerInfo`). Two views stand in for its structures where re-encoding would cost
//! bytes or speed: `asn1::SignedDataView` keeps certificates and other signers' SignerInfos as
//! the bytes they came in, so a co-signature leaves them byte-identical, and
//! `asn1::SignerInfoView` writes a SignerInfo from parts encoded once per signer (see
//! `SignerParts`), which `cms::signed_data::SignerInfo` reads back unchanged.

pub mod archive;
mod asn1;
mod content;
pub mod lt;
pub mod timestamp;

use std::io;
use std::path::{Path, PathBuf};

use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag, TagNumber};
use ring::digest;
use ring::rand::SecureRandom;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::{OffsetDateTime, UtcOffset};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier, SignerInfo};

use crate::key::{DigestAlgorithm, SignError, SignatureAlgorithm, SigningKey};

use asn1::{
    EssCertIdV2, ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST,
    ID_SIGNED_DATA, ID_SIGNING_TIME, IssuerSerial, SignedContentInfo, SignedDataView,
    SignerInfoView, SigningCertificateV2,
};

/// Default bound on attached content: 128 MiB. An attached signature holds the content, so
/// signing and verifying it keep the content in memory; larger documents are signed detached.
pub const DEFAULT_ATTACHED_LIMIT: u64 = 128 * 1024 * 1024;

/// The largest content an attached signature can hold: 255 MiB. The DER encoder (der 0.7) caps
/// any one element at 256 MiB, and the ContentInfo also carries certificates and SignerInfos;
/// a larger [`SignOptions::attached_limit`] is lowered to this.
pub const MAX_ATTACHED_LIMIT: u64 = 255 * 1024 * 1024;

/// PEM label of a CMS message (RFC 7468 §9).
pub const PEM_LABEL: &str = "CMS";

/// What is signed: bytes in memory or a file, read when the signature is prepared.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    /// Bytes already in memory.
    Bytes(&'a [u8]),
    /// A file: a detached signature streams its digest in fixed-size chunks (constant memory);
    /// an attached one reads it whole, up to [`SignOptions::attached_limit`].
    File(&'a Path),
}

/// How a signature is made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOptions {
    /// The signingTime attribute (RFC 5652 §11.3): the instant the signer claims to sign at.
    /// It is never read from the clock here.
    pub signing_time: OffsetDateTime,
    /// Leave the content out of the SignedData (RFC 5652 §5.2: eContent absent); the verifier
    /// gets it beside the signature. Ignored by [`prepare_cosign`], which keeps the existing
    /// signature's form.
    pub detached: bool,
    /// Put the root (a self-issued certificate of the chain) into the certificates field too.
    /// By default the chain stops below it: a verifier must hold the root as a trust anchor
    /// anyway.
    pub include_root: bool,
    /// The largest content an attached signature takes, in bytes (at most
    /// [`MAX_ATTACHED_LIMIT`]); larger content fails with [`CmsError::ContentTooLarge`].
    pub attached_limit: u64,
}

impl SignOptions {
    /// Attached, without the root, content up to [`DEFAULT_ATTACHED_LIMIT`], signed at
    /// `signing_time`.
    pub fn new(signing_time: OffsetDateTime) -> Self {
        Self {
            signing_time,
            detached: false,
            include_root: false,
            attached_limit: DEFAULT_ATTACHED_LIMIT,
        }
    }

    /// Sets [`SignOptions::detached`].
    pub fn detached(mut self, detached: bool) -> Self {
        self.detached = detached;
        self
    }

    /// Sets [`SignOptions::include_root`].
    pub fn include_root(mut self, include_root: bool) -> Self {
        self.include_root = include_root;
        self
    }

    /// Sets [`SignOptions::attached_limit`].
    pub fn attached_limit(mut self, bytes: u64) -> Self {
        self.attached_limit = bytes;
        self
    }

    fn effective_limit(&self) -> u64 {
        self.attached_limit.min(MAX_ATTACHED_LIMIT)
    }
}

/// A key with its certificate and chain, read once and reused for any number of signatures.
///
/// The SignerInfo names the signer by issuerAndSerialNumber (RFC 5652 §5.3, version 1); the
/// signingCertificateV2 attribute binds the certificate by its SHA-256 hash and issuerSerial
/// (RFC 5035 §3, §4; ETSI EN 319 122-1 §5.2.2.3).
pub struct Signer<'k> {
    key: &'k dyn SigningKey,
    algorithm: SignatureAlgorithm,
    subject: String,
    /// The parts of every SignerInfo and signed-attribute SET that do not change from one
    /// signature to the next, encoded once here.
    parts: SignerParts,
    /// The signer's certificate, then the intermediates towards the root, as given.
    path: Vec<Any>,
    /// The self-issued certificate the chain ends in, if the chain reached one.
    root: Option<Any>,
}

impl std::fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("algorithm", &self.algorithm)
            .field("subject", &self.subject)
            .field("path", &self.path.len())
            .field("root", &self.root.is_some())
            .finish_non_exhaustive()
    }
}

impl<'k> Signer<'k> {
    /// Binds `key` to its certificate (DER) and the chain above it (DER, any order; the root
    /// may be among them).
    ///
    /// The chain is ordered from the signer's certificate upwards by matching each issuer name
    /// with a subject name; a chain certificate that certifies nothing on that path is refused
    /// ([`CmsError::NotOnPath`]), and so is a key whose public key is not the certificate's
    /// ([`CmsError::KeyDoesNotMatchCertificate`]). Nothing here decides trust: that is the
    /// verifier's work.
    pub fn new(
        key: &'k dyn SigningKey,
        certificate: &[u8],
        chain: &[Vec<u8>],
    ) -> Result<Self, CmsError> {
        let leaf = Certificate::from_der(certificate).map_err(CmsError::SignerCertificate)?;
        let leaf_any = Any::from_der(certificate).map_err(CmsError::SignerCertificate)?;
        let tbs = &leaf.tbs_certificate;
        let subject = name_text(&tbs.subject);

        let key_info = SubjectPublicKeyInfoOwned::from_der(&key.public_key_info_der())
            .map_err(CmsError::KeyPublicKeyInfo)?;
        if !same_public_key(&key_info, &tbs.subject_public_key_info) {
            return Err(CmsError::KeyDoesNotMatchCertificate { subject });
        }

        let (path, root) = order_chain(&leaf, leaf_any, chain)?;

        let algorithm = key.algorithm();
        let encode = |what| move |error| CmsError::Encode { what, error };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        });
        let cert_hash = digest::digest(&digest::SHA256, certificate);
        let signing_certificate = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                cert_hash: OctetString::new(cert_hash.as_ref())
                    .map_err(encode("signingCertificateV2"))?,
                issuer_serial: IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                    serial_number: tbs.serial_number.clone(),
                },
            }],
        };
        let digest_algorithm = asn1::digest_algorithm_identifier(algorithm.digest());
        let signature_algorithm = asn1::signature_algorithm_identifier(algorithm)
            .map_err(encode("signature algorithm"))?;
        let parts = SignerParts {
            sid_der: Any::encode_from(&sid).map_err(encode("signer identifier"))?,
            digest_algorithm_der: Any::encode_from(&digest_algorithm)
                .map_err(encode("digest algorithm"))?,
            signature_algorithm_der: Any::encode_from(&signature_algorithm)
                .map_err(encode("signature algorithm"))?,
            content_type_data: encode_attribute(ID_CONTENT_TYPE, &ID_DATA)
                .map_err(encode("contentType"))?,
            signing_certificate: encode_attribute(
                ID_AA_SIGNING_CERTIFICATE_V2,
                &signing_certificate,
            )
            .map_err(encode("signingCertificateV2"))?,
            sid,
            digest_algorithm,
        };

        Ok(Self {
            key,
            algorithm,
            subject,
            parts,
            path,
            root,
        })
    }

    /// The algorithm the key signs with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The signer's subject name in RFC 4514 form ([`eds_profile::names`]), as the verifier
    /// reports it.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// How many certificates a signature carries: the signer's, the intermediates, and the
    /// root when `include_root` is set and the chain reached one.
    pub fn certificate_count(&self, include_root: bool) -> usize {
        self.path.len() + usize::from(include_root && self.root.is_some())
    }

    fn certificates(&self, include_root: bool) -> impl Iterator<Item = &Any> {
        self.path
            .iter()
            .chain(self.root.iter().filter(move |_| include_root))
    }
}

/// What [`Signer::new`] encodes once.
///
/// Encoding a SignerInfo through `cms::signed_data::SignerInfo` re-encodes the signer's name
/// and every attribute for each signature (der 0.7 recomputes nested lengths at each level):
/// about 1.5 µs, some 7% of an ECDSA P-256 signature over 10 KiB. So the unchanging parts are
/// DER here,
/// and [`assemble`] writes the SignerInfo from them through `asn1::SignerInfoView` — the same
/// fields and tags as `cms::signed_data::SignerInfo`, which reads the result back unchanged
/// (tests/cms_openssl.rs, `ok_round_trip_through_the_cms_crate_gives_the_same_bytes`).
struct SignerParts {
    /// issuerAndSerialNumber (RFC 5652 §5.3, SignerInfo version 1), to compare with the
    /// SignerInfos of a message being co-signed.
    sid: SignerIdentifier,
    /// The same, DER.
    sid_der: Any,
    /// This signer's digest, for the digestAlgorithms SET (RFC 5652 §5.1).
    digest_algorithm: AlgorithmIdentifierOwned,
    /// The same, DER, for the SignerInfo's digestAlgorithm.
    digest_algorithm_der: Any,
    /// The SignerInfo's signatureAlgorithm, DER.
    signature_algorithm_der: Any,
    /// The contentType attribute for id-data (RFC 5652 §11.1), DER.
    content_type_data: Vec<u8>,
    /// The signingCertificateV2 attribute (RFC 5035 §3), DER.
    signing_certificate: Vec<u8>,
}

/// Signed attributes encoded and waiting for the key's signature: give
/// [`Prepared::to_be_signed`] to the key (of [`Prepared::algorithm`]), then its signature and
/// this to [`assemble`].
#[derive(Debug, Clone)]
pub struct Prepared {
    to_be_signed: Vec<u8>,
    /// Length of the SET OF header at the start of `to_be_signed`.
    attrs_header_len: usize,
    algorithm: SignatureAlgorithm,
    content_digest: Vec<u8>,
    sid: Any,
    digest_algorithm: Any,
    signature_algorithm: Any,
    signed_data: SignedDataView,
}

impl Prepared {
    /// The bytes the key signs: the DER of the signed attributes with the SET OF tag (RFC 5652
    /// §5.4), not the `[0] IMPLICIT` tag they carry inside the SignerInfo.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.to_be_signed
    }

    /// The algorithm the signature must be made with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The messageDigest attribute's value: the content's digest under
    /// `self.algorithm().digest()` (RFC 5652 §11.2).
    pub fn content_digest(&self) -> &[u8] {
        &self.content_digest
    }

    /// Whether the SignedData leaves the content out.
    pub fn is_detached(&self) -> bool {
        self.signed_data.encap_content_info.econtent.is_none()
    }

    /// How many SignerInfos the assembled SignedData holds (earlier signers and this one).
    pub fn signer_count(&self) -> usize {
        self.signed_data.signer_infos.len() + 1
    }
}

/// A SignedData read back (RFC 5652 §5.1): to extract its content or to add a signer.
#[derive(Debug, Clone)]
pub struct SignedMessage {
    signed_data: SignedDataView,
}

impl SignedMessage {
    /// Reads a DER ContentInfo holding SignedData (use [`from_pem_or_der`] for PEM).
    ///
    /// Only DER is read; a BER message (indefinite lengths, constructed OCTET STRINGs) fails
    /// with [`CmsError::Malformed`] naming where.
    pub fn from_der(der: &[u8]) -> Result<Self, CmsError> {
        let info = ContentInfo::from_der(der).map_err(|error| CmsError::Malformed {
            what: "ContentInfo",
            error,
        })?;
        if info.content_type != ID_SIGNED_DATA {
            return Err(CmsError::NotSignedData {
                content_type: info.content_type,
            });
        }
        let signed_data = info
            .content
            .decode_as::<SignedDataView>()
            .map_err(|error| CmsError::Malformed {
                what: "SignedData",
                error,
            })?;
        Ok(Self { signed_data })
    }

    /// The encapsulated content (eContent's octets), or [`CmsError::Detached`] when the
    /// signature was made without it.
    pub fn content(&self) -> Result<&[u8], CmsError> {
        match &self.signed_data.encap_content_info.econtent {
            None => Err(CmsError::Detached),
            Some(econtent) => asn1::octet_string_value(econtent)
                .map_err(|tag| CmsError::ContentNotOctetString { tag }),
        }
    }

    /// Whether the content is left out (RFC 5652 §5.2).
    pub fn is_detached(&self) -> bool {
        self.signed_data.encap_content_info.econtent.is_none()
    }

    /// The eContentType: the type of the signed content (id-data for documents).
    pub fn content_type(&self) -> ObjectIdentifier {
        self.signed_data.encap_content_info.econtent_type
    }

    /// How many SignerInfos the message holds.
    pub fn signer_count(&self) -> usize {
        self.signed_data.signer_infos.len()
    }

    /// How many certificates the message carries.
    pub fn certificate_count(&self) -> usize {
        self.signed_data
            .certificates
            .as_ref()
            .map_or(0, |c| c.len())
    }
}

/// Digests `content` and encodes the signed attributes of a new SignedData (RFC 5652 §5.1,
/// version 1, eContentType id-data) signed by `signer`; the content is embedded unless
/// `options.detached`.
///
/// A detached signature over a [`Content::File`] reads it in chunks (constant memory); an
/// attached one refuses content over `options.attached_limit` ([`CmsError::ContentTooLarge`]).
pub fn prepare(
    signer: &Signer<'_>,
    content: Content<'_>,
    options: &SignOptions,
) -> Result<Prepared, CmsError> {
    let digest = signer.algorithm.digest();
    let (econtent, content_digest) = if options.detached {
        let digests = content::digest_content(&content, &[digest])?;
        (None, first(digests))
    } else {
        let bytes = content::read_bounded(&content, options.effective_limit())?;
        let digests = content::digest_bytes(&bytes, &[digest]);
        let econtent = Any::new(Tag::OctetString, bytes).map_err(|error| CmsError::Encode {
            what: "content",
            error,
        })?;
        (Some(econtent), first(digests))
    };

    let encode = |what| move |error| CmsError::Encode { what, error };
    let certificates = SetOfVec::try_from(
        signer
            .certificates(options.include_root)
            .cloned()
            .collect::<Vec<_>>(),
    )
    .map_err(encode("certificates"))?;
    let signed_data = SignedDataView {
        // RFC 5652 §5.1: version 1 — id-data, issuerAndSerialNumber, no attribute certificates.
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![signer.parts.digest_algorithm.clone()])
            .map_err(encode("digestAlgorithms"))?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent,
        },
        certificates: Some(certificates),
        crls: None,
        signer_infos: SetOfVec::new(),
    };
    finish_prepare(signer, signed_data, content_digest, options)
}

/// Encodes the signed attributes of one more SignerInfo for an existing SignedData (DER): a
/// co-signature (RFC 5652 §5.1 allows any number of signers, each over the same content).
///
/// The existing SignerInfos, certificates and content stay byte for byte as they are; the
/// signer's digest algorithm and certificates are added to their SETs (in DER order) unless
/// already there. The content is the encapsulated one for an attached signature — `content`,
/// if given, must be the same — and `content` for a detached one
/// ([`CmsError::DetachedContentMissing`] without it). Before anything is signed, the content's
/// digest is compared with every earlier signer's messageDigest computed with a SHA-2
/// algorithm ([`CmsError::ContentMismatch`]), and a signer who already signed is refused
/// ([`CmsError::AlreadySigned`]). The encapsulation of the existing message is kept:
/// `options.detached` is not consulted.
pub fn prepare_cosign(
    signer: &Signer<'_>,
    existing: &[u8],
    content: Option<Content<'_>>,
    options: &SignOptions,
) -> Result<Prepared, CmsError> {
    let SignedMessage { mut signed_data } = SignedMessage::from_der(existing)?;

    let mut earlier = Vec::with_capacity(signed_data.signer_infos.len());
    for raw in signed_data.signer_infos.iter() {
        let info = raw
            .decode_as::<SignerInfo>()
            .map_err(|error| CmsError::Malformed {
                what: "SignerInfo",
                error,
            })?;
        if info.sid == signer.parts.sid {
            return Err(CmsError::AlreadySigned {
                signer: describe_sid(&info.sid),
            });
        }
        earlier.push(info);
    }

    // One pass over the content gives this signer's digest and every digest an earlier signer
    // used that this crate computes.
    let ours = signer.algorithm.digest();
    let mut algorithms = vec![ours];
    let checks: Vec<(DigestAlgorithm, Vec<u8>, &SignerIdentifier)> = earlier
        .iter()
        .filter_map(|info| {
            let algorithm = asn1::digest_from_oid(&info.digest_alg.oid)?;
            Some((algorithm, message_digest(info)?, &info.sid))
        })
        .collect();
    for (algorithm, _, _) in &checks {
        if !algorithms.contains(algorithm) {
            algorithms.push(*algorithm);
        }
    }
    let digests = match (&signed_data.encap_content_info.econtent, content) {
        (Some(econtent), supplied) => {
            let bytes = asn1::octet_string_value(econtent)
                .map_err(|tag| CmsError::ContentNotOctetString { tag })?;
            let digests = content::digest_bytes(bytes, &algorithms);
            if let Some(supplied) = supplied {
                let theirs = content::digest_content(&supplied, &[ours])?;
                if theirs.first() != digests.first() {
                    return Err(CmsError::ContentDiffersFromEncapsulated);
                }
            }
            digests
        }
        (None, Some(supplied)) => content::digest_content(&supplied, &algorithms)?,
        (None, None) => return Err(CmsError::DetachedContentMissing),
    };
    for (algorithm, expected, sid) in &checks {
        let computed = algorithms
            .iter()
            .position(|a| a == algorithm)
            .and_then(|i| digests.get(i));
        if computed != Some(expected) {
            return Err(CmsError::ContentMismatch {
                signer: describe_sid(sid),
            });
        }
    }

    let encode = |what| move |error| CmsError::Encode { what, error };
    if !signed_data
        .digest_algorithms
        .iter()
        .any(|a| a.oid == signer.parts.digest_algorithm.oid)
    {
        signed_data
            .digest_algorithms
            .insert(signer.parts.digest_algorithm.clone())
            .map_err(encode("digestAlgorithms"))?;
    }
    let certificates = signed_data.certificates.get_or_insert_with(SetOfVec::new);
    for certificate in signer.certificates(options.include_root) {
        if !certificates.iter().any(|c| c == certificate) {
            certificates
                .insert(certificate.clone())
                .map_err(encode("certificates"))?;
        }
    }

    finish_prepare(signer, signed_data, first(digests), options)
}

/// Puts `signature` (the key's signature over [`Prepared::to_be_signed`]) into the SignerInfo
/// and returns the DER ContentInfo (RFC 5652 §3) of the SignedData.
///
/// An ECDSA signature may come as DER (Ecdsa-Sig-Value, which CMS carries, RFC 5753 §2.1.1)
/// or as the fixed `r‖s` form, which is converted; anything else, and an Ed25519 or GOST
/// signature of the wrong length (64 bytes; 128 for 512-bit GOST), fails with
/// [`CmsError::MalformedSignature`].
pub fn assemble(prepared: Prepared, signature: &[u8]) -> Result<Vec<u8>, CmsError> {
    let Prepared {
        to_be_signed,
        attrs_header_len,
        algorithm,
        sid,
        digest_algorithm,
        signature_algorithm,
        mut signed_data,
        ..
    } = prepared;
    let malformed = |reason| CmsError::MalformedSignature { algorithm, reason };
    let signature = match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => asn1::ecdsa_signature_der(signature, 32)
            .ok_or_else(|| malformed("neither a DER Ecdsa-Sig-Value nor 64 bytes r||s"))?,
        SignatureAlgorithm::EcdsaP384Sha384 => asn1::ecdsa_signature_der(signature, 48)
            .ok_or_else(|| malformed("neither a DER Ecdsa-Sig-Value nor 96 bytes r||s"))?,
        SignatureAlgorithm::Ed25519 if signature.len() != 64 => {
            return Err(malformed(
                "an Ed25519 signature is 64 bytes (RFC 8032 §5.1.6)",
            ));
        }
        SignatureAlgorithm::Gost256 if signature.len() != 64 => {
            return Err(malformed(
                "a GOST R 34.10-2012 256-bit signature is 64 bytes (RFC 9215 §2.2.2)",
            ));
        }
        SignatureAlgorithm::Gost512 | SignatureAlgorithm::GostNca512 if signature.len() != 128 => {
            return Err(malformed(
                "a GOST R 34.10-2012 512-bit signature is 128 bytes (RFC 9215 §2.2.2)",
            ));
        }
        _ if signature.is_empty() => return Err(malformed("the signature is empty")),
        _ => signature.to_vec(),
    };
    let encode = |what| move |error| CmsError::Encode { what, error };
    // RFC 5652 §5.3/§5.4: the same attribute octets, tagged [0] IMPLICIT instead of SET OF.
    let attrs = to_be_signed.get(attrs_header_len..).unwrap_or_default();
    let signed_attrs =
        Any::new(asn1::constructed(TagNumber::N0), attrs).map_err(encode("signed attributes"))?;
    let signer_info = SignerInfoView {
        // RFC 5652 §5.3: version 1 with issuerAndSerialNumber.
        version: CmsVersion::V1,
        sid,
        digest_algorithm,
        signed_attrs,
        signature_algorithm,
        signature: OctetString::new(signature).map_err(encode("signature"))?,
    };
    let signer_info = Any::encode_from(&signer_info).map_err(encode("SignerInfo"))?;
    signed_data
        .signer_infos
        .insert(signer_info)
        .map_err(encode("signerInfos"))?;
    SignedContentInfo {
        content_type: ID_SIGNED_DATA,
        content: signed_data,
    }
    .write_der()
    .map_err(encode("ContentInfo"))
}

/// [`prepare`], sign with the signer's key, [`assemble`]: a new SignedData as DER.
pub fn sign(
    signer: &Signer<'_>,
    content: Content<'_>,
    options: &SignOptions,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CmsError> {
    let prepared = prepare(signer, content, options)?;
    let signature = signer.key.sign(prepared.to_be_signed(), rng)?;
    assemble(prepared, &signature)
}

/// [`prepare_cosign`], sign with the signer's key, [`assemble`]: `existing` with one more
/// signer, as DER.
pub fn cosign(
    signer: &Signer<'_>,
    existing: &[u8],
    content: Option<Content<'_>>,
    options: &SignOptions,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CmsError> {
    let prepared = prepare_cosign(signer, existing, content, options)?;
    let signature = signer.key.sign(prepared.to_be_signed(), rng)?;
    assemble(prepared, &signature)
}

/// The DER of a CMS message given as DER or as PEM (labels `CMS` of RFC 7468 §9, or `PKCS7`
/// as OpenSSL also writes).
pub fn from_pem_or_der(input: &[u8]) -> Result<Vec<u8>, CmsError> {
    if !looks_like_pem(input) {
        return Ok(input.to_vec());
    }
    let block = pem::parse(input).map_err(|err| CmsError::Pem {
        reason: err.to_string(),
    })?;
    match block.tag() {
        PEM_LABEL | "PKCS7" => Ok(block.into_contents()),
        other => Err(CmsError::Pem {
            reason: format!("label {other:?} is not CMS or PKCS7"),
        }),
    }
}

/// A DER CMS message as PEM with the `CMS` label (RFC 7468 §9).
pub fn to_pem(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(PEM_LABEL, der))
}

/// Certificates in PEM (any number of `CERTIFICATE` blocks, text between them allowed, as
/// `openssl pkcs12` writes "Bag Attributes") or one DER certificate, as DER.
pub fn certificates_from_pem_or_der(input: &[u8]) -> Result<Vec<Vec<u8>>, CmsError> {
    if !looks_like_pem(input) {
        return Ok(vec![input.to_vec()]);
    }
    let mut out = Vec::new();
    for block in pem::parse_many(input).map_err(|err| CmsError::Pem {
        reason: err.to_string(),
    })? {
        if block.tag() != "CERTIFICATE" {
            return Err(CmsError::Pem {
                reason: format!("label {:?} is not CERTIFICATE", block.tag()),
            });
        }
        out.push(block.into_contents());
    }
    Ok(out)
}

/// Why a signature could not be prepared, assembled or read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The signer's certificate is not a DER X.509 certificate (RFC 5280 §4.1).
    #[error("read the signer's certificate: {0}")]
    SignerCertificate(der::Error),
    /// A certificate of the chain is not a DER X.509 certificate; `index` counts from 0 in the
    /// order given.
    #[error("read certificate {index} of the chain: {error}")]
    ChainCertificate {
        /// Position in the chain as given.
        index: usize,
        /// Where and why decoding stopped.
        error: der::Error,
    },
    /// The key's SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) could not be read.
    #[error("read the key's public key: {0}")]
    KeyPublicKeyInfo(der::Error),
    /// The key is not the one the certificate certifies (their public keys differ).
    #[error("sign with this key as {subject}: the certificate holds a different public key")]
    KeyDoesNotMatchCertificate {
        /// The certificate's subject.
        subject: String,
    },
    /// A chain certificate certifies neither the signer's certificate nor another certificate
    /// on the path to the root (issuer and subject names do not link up).
    #[error(
        "place certificate {index} of the chain ({subject}): it issued no certificate on the \
         signer's path"
    )]
    NotOnPath {
        /// Position in the chain as given.
        index: usize,
        /// Its subject.
        subject: String,
    },
    /// Attached content over the limit (ETSI EN 319 122-1 leaves the size to the signer; the
    /// whole document would sit in memory and inside the signature).
    #[error(
        "embed {size} bytes in an attached signature: the limit is {limit} bytes; sign \
         detached instead (the signature is then a separate file and the document's digest is \
         streamed)"
    )]
    ContentTooLarge {
        /// The content's size in bytes (or the bytes read before stopping).
        size: u64,
        /// The limit applied.
        limit: u64,
    },
    /// The content file could not be read.
    #[error("read the content {}: {message}", path.display())]
    ReadContent {
        /// The file.
        path: PathBuf,
        /// The kind of I/O failure.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// The signing time cannot be written as UTCTime or GeneralizedTime (RFC 5652 §11.3; the
    /// DER encoder takes years 1970 to 9999).
    #[error("write the signing time {time} as an ASN.1 time: {error}")]
    SigningTimeOutOfRange {
        /// The time given.
        time: String,
        /// Why it was refused.
        error: der::Error,
    },
    /// The key failed to sign.
    #[error(transparent)]
    Key(#[from] SignError),
    /// The key returned something that is not a signature of its algorithm.
    #[error("use the {algorithm:?} signature the key returned: {reason}")]
    MalformedSignature {
        /// The algorithm expected.
        algorithm: SignatureAlgorithm,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Encoding failed (in practice: an element over der's 256 MiB ceiling).
    #[error("encode the {what}: {error}")]
    Encode {
        /// The element being encoded.
        what: &'static str,
        /// The encoder's error.
        error: der::Error,
    },
    /// An existing message is not DER CMS (RFC 5652 §3, §5); `what` names the structure.
    #[error("read the {what} of the signed message: {error}")]
    Malformed {
        /// The structure being decoded.
        what: &'static str,
        /// Where and why decoding stopped.
        error: der::Error,
    },
    /// The existing message is a ContentInfo of another type than SignedData (RFC 5652 §5.1).
    #[error("read the message as SignedData: its content type is {content_type}")]
    NotSignedData {
        /// The content type found.
        content_type: ObjectIdentifier,
    },
    /// The eContent is not a primitive OCTET STRING (RFC 5652 §5.2; a constructed one is BER).
    #[error("read the encapsulated content: it is {tag}, not a DER OCTET STRING")]
    ContentNotOctetString {
        /// The tag found.
        tag: Tag,
    },
    /// A detached SignedData was given for co-signing without its content.
    #[error("co-sign a detached signature without its content: give the signed document too")]
    DetachedContentMissing,
    /// The content given for an attached SignedData differs from the content inside it.
    #[error("co-sign: the document given differs from the document inside the signature")]
    ContentDiffersFromEncapsulated,
    /// The content's digest differs from an earlier signer's messageDigest (RFC 5652 §11.2):
    /// the content is not the one already signed, or that signature is broken.
    #[error("co-sign: the document is not the one {signer} signed (message digests differ)")]
    ContentMismatch {
        /// The earlier signer (issuer and serial number, or key identifier).
        signer: String,
    },
    /// The signer already has a SignerInfo in the message.
    #[error("co-sign: {signer} has already signed this document")]
    AlreadySigned {
        /// The signer (issuer and serial number).
        signer: String,
    },
    /// The signature was made without the content, so there is nothing to extract.
    #[error("extract the content: the signature is detached, the document lies beside it")]
    Detached,
    /// PEM input that could not be read.
    #[error("read PEM: {reason}")]
    Pem {
        /// What the PEM reader said.
        reason: String,
    },
}

impl CmsError {
    fn read_content(path: &Path, err: &io::Error) -> Self {
        Self::ReadContent {
            path: path.to_path_buf(),
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}

/// Encodes the four signed attributes (ETSI EN 319 122-1 §5.2) as a DER SET OF.
fn finish_prepare(
    signer: &Signer<'_>,
    signed_data: SignedDataView,
    content_digest: Vec<u8>,
    options: &SignOptions,
) -> Result<Prepared, CmsError> {
    let encode = |what| move |error| CmsError::Encode { what, error };
    let parts = &signer.parts;
    let content_type = signed_data.encap_content_info.econtent_type;
    // RFC 5652 §11.1: the contentType attribute equals eContentType.
    let other_content_type;
    let content_type_attr = if content_type == ID_DATA {
        &parts.content_type_data
    } else {
        other_content_type =
            encode_attribute(ID_CONTENT_TYPE, &content_type).map_err(encode("contentType"))?;
        &other_content_type
    };
    let message_digest = OctetString::new(content_digest.as_slice()).map_err(encode("digest"))?;
    let digest_attr =
        encode_attribute(ID_MESSAGE_DIGEST, &message_digest).map_err(encode("messageDigest"))?;
    let time_attr = encode_attribute(ID_SIGNING_TIME, &signing_time(options.signing_time)?)
        .map_err(encode("signingTime"))?;

    // DER orders a SET OF by the encodings compared as octet strings (X.690 §11.6); a TLV is
    // never a proper prefix of another, so byte-slice order is that order.
    let mut attrs: [&[u8]; 4] = [
        content_type_attr,
        &digest_attr,
        &time_attr,
        &parts.signing_certificate,
    ];
    attrs.sort_unstable();
    let len: usize = attrs.iter().map(|a| a.len()).sum();
    let header = der::Header::new(Tag::Set, len).map_err(encode("signed attributes"))?;
    let mut to_be_signed = Vec::with_capacity(len + 6);
    header
        .encode_to_vec(&mut to_be_signed)
        .map_err(encode("signed attributes"))?;
    let attrs_header_len = to_be_signed.len();
    for attr in attrs {
        to_be_signed.extend_from_slice(attr);
    }
    Ok(Prepared {
        to_be_signed,
        attrs_header_len,
        algorithm: signer.algorithm,
        content_digest,
        sid: parts.sid_der.clone(),
        digest_algorithm: parts.digest_algorithm_der.clone(),
        signature_algorithm: parts.signature_algorithm_der.clone(),
        signed_data,
    })
}

/// The DER of an Attribute with one value (RFC 5652 §5.3: each of the four has exactly one):
/// `SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF { value } }`, written header by
/// header — two of these per signature through `x509_cert::attr::Attribute` (a SET to build
/// and sort, the value decoded back into an `Any`) cost as much as the rest of the assembly.
fn encode_attribute<T: Encode>(oid: ObjectIdentifier, value: &T) -> der::Result<Vec<u8>> {
    let value_len = value.encoded_len()?;
    let set = der::Header::new(Tag::Set, value_len)?;
    let set_len = (set.encoded_len()? + value_len)?;
    let content_len = (oid.encoded_len()? + set_len)?;
    let mut out = Vec::with_capacity(usize::try_from(content_len)?.saturating_add(6));
    der::Header::new(Tag::Sequence, content_len)?.encode_to_vec(&mut out)?;
    oid.encode_to_vec(&mut out)?;
    set.encode_to_vec(&mut out)?;
    value.encode_to_vec(&mut out)?;
    Ok(out)
}

/// RFC 5652 §11.3: UTCTime for 1950 to 2049, GeneralizedTime otherwise; seconds precision.
fn signing_time(at: OffsetDateTime) -> Result<Time, CmsError> {
    let utc = at.to_offset(UtcOffset::UTC);
    let out_of_range = |error| CmsError::SigningTimeOutOfRange {
        time: utc.to_string(),
        error,
    };
    let year = u16::try_from(utc.year()).map_err(|_| out_of_range(Tag::UtcTime.value_error()))?;
    let datetime = der::DateTime::new(
        year,
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
    )
    .map_err(out_of_range)?;
    if year < 2050 {
        der::asn1::UtcTime::from_date_time(datetime)
            .map(Time::UtcTime)
            .map_err(out_of_range)
    } else {
        Ok(Time::GeneralTime(datetime.into()))
    }
}

/// Walks from `leaf` up through `chain` by issuer name; returns the path (leaf first, root
/// excluded) and the root if reached.
fn order_chain(
    leaf: &Certificate,
    leaf_any: Any,
    chain: &[Vec<u8>],
) -> Result<(Vec<Any>, Option<Any>), CmsError> {
    let mut rest = Vec::with_capacity(chain.len());
    for (index, der) in chain.iter().enumerate() {
        let parse = |error| CmsError::ChainCertificate { index, error };
        let certificate = Certificate::from_der(der).map_err(parse)?;
        let any = Any::from_der(der).map_err(parse)?;
        // The same certificate twice (or the leaf repeated in the chain file) is no error.
        if any != leaf_any && !rest.iter().any(|(_, _, a)| *a == any) {
            rest.push((index, certificate, any));
        }
    }

    let mut path = vec![leaf_any];
    let mut root = None;
    let mut current = leaf.tbs_certificate.clone();
    while current.issuer != current.subject {
        let Some(pos) = rest
            .iter()
            .position(|(_, c, _)| c.tbs_certificate.subject == current.issuer)
        else {
            break;
        };
        let (_, certificate, any) = rest.swap_remove(pos);
        current = certificate.tbs_certificate;
        if current.issuer == current.subject {
            root = Some(any);
        } else {
            path.push(any);
        }
    }
    if let Some((index, certificate, _)) = rest.into_iter().min_by_key(|(i, _, _)| *i) {
        return Err(CmsError::NotOnPath {
            index,
            subject: name_text(&certificate.tbs_certificate.subject),
        });
    }
    Ok((path, root))
}

/// Same key: the same subjectPublicKey bits and algorithm, where RSA's two OIDs
/// (rsaEncryption, id-RSASSA-PSS) count as one.
fn same_public_key(a: &SubjectPublicKeyInfoOwned, b: &SubjectPublicKeyInfoOwned) -> bool {
    a.subject_public_key == b.subject_public_key
        && (a.algorithm == b.algorithm
            || (asn1::is_rsa_key(&a.algorithm.oid) && asn1::is_rsa_key(&b.algorithm.oid)))
}

/// The messageDigest attribute of a SignerInfo (RFC 5652 §11.2), if present and readable.
fn message_digest(info: &SignerInfo) -> Option<Vec<u8>> {
    let attrs = info.signed_attrs.as_ref()?;
    let attr = attrs.iter().find(|a| a.oid == ID_MESSAGE_DIGEST)?;
    let value = attr.values.iter().next()?;
    asn1::octet_string_value(value).ok().map(<[u8]>::to_vec)
}

/// A signer as people read it: issuer and serial number in hex, or the key identifier.
fn describe_sid(sid: &SignerIdentifier) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02X}")).collect::<String>();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => format!(
            "the holder of certificate {} issued by {}",
            hex(serial_digits(ias.serial_number.as_bytes())),
            name_text(&ias.issuer)
        ),
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("the holder of key {}", hex(ski.0.as_bytes()))
        }
    }
}

/// The serial number's value without the sign byte DER puts before a high first bit (X.690
/// §8.3.2), so it reads as `openssl x509 -serial` prints it.
fn serial_digits(der: &[u8]) -> &[u8] {
    match der {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => der,
    }
}

/// PEM has an encapsulation boundary somewhere (RFC 7468 §2 lets explanatory text precede it);
/// DER starts with a SEQUENCE tag and never carries one.
fn looks_like_pem(input: &[u8]) -> bool {
    input.first() != Some(&0x30) && input.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A name as every report of the project prints it (RFC 4514, [`eds_profile::names`]).
fn name_text(name: &x509_cert::name::Name) -> String {
    eds_profile::names::rfc4514(name)
}

/// The only element of a one-element list of digests.
fn first(digests: Vec<Vec<u8>>) -> Vec<u8> {
    digests.into_iter().next().unwrap_or_default()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use der::asn1::{GeneralizedTime, UtcTime};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn ok_serial_digits_drop_only_the_sign_byte() {
        assert_eq!(serial_digits(&[0x00, 0xDD, 0x5D]), &[0xDD, 0x5D]);
        assert_eq!(serial_digits(&[0x00]), &[0x00]);
        assert_eq!(serial_digits(&[0x05, 0x00]), &[0x05, 0x00]);
    }

    #[test]
    fn ok_signing_time_switches_to_generalized_time_in_2050() {
        let last_utc = signing_time(datetime!(2049-12-31 23:59:59 UTC)).unwrap();
        assert!(matches!(last_utc, Time::UtcTime(_)), "{last_utc:?}");
        assert_eq!(
            last_utc.to_der().unwrap(),
            UtcTime::from_date_time(der::DateTime::new(2049, 12, 31, 23, 59, 59).unwrap())
                .unwrap()
                .to_der()
                .unwrap()
        );
        let first_generalized = signing_time(datetime!(2050-01-01 00:00:00 UTC)).unwrap();
        assert_eq!(
            first_generalized.to_der().unwrap(),
            GeneralizedTime::from_date_time(der::DateTime::new(2050, 1, 1, 0, 0, 0).unwrap())
                .to_der()
                .unwrap()
        );
    }

    #[test]
    fn ok_signing_time_is_utc_whole_seconds() {
        let almaty = datetime!(2026-03-02 15:00:00.999 +05:00);
        assert_eq!(
            signing_time(almaty).unwrap(),
            signing_time(datetime!(2026-03-02 10:00:00 UTC)).unwrap()
        );
    }

    #[test]
    fn fail_signing_time_before_1970_is_named() {
        match signing_time(datetime!(1969-12-31 23:59:59 UTC)) {
            Err(CmsError::SigningTimeOutOfRange { time, .. }) => {
                assert!(time.starts_with("1969-12-31 23:59:59"), "{time}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ok_fixed_ecdsa_signature_becomes_der_and_der_stays() {
        let mut fixed = [0u8; 64];
        fixed[0] = 0x80; // r needs a leading zero in DER
        fixed[63] = 0x01;
        let der = asn1::ecdsa_signature_der(&fixed, 32).unwrap();
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x01]);
        assert_eq!(asn1::ecdsa_signature_der(&der, 32).unwrap(), der);
        assert_eq!(asn1::ecdsa_signature_der(&fixed[..63], 32), None);
    }

    #[test]
    fn ok_attribute_encoding_equals_x509_certs_attribute() {
        let digest = OctetString::new([7u8; 48]).unwrap();
        let big = OctetString::new(vec![1u8; 300]).unwrap();
        let time = signing_time(datetime!(2026-03-02 10:00:00 UTC)).unwrap();
        let through_type = |oid, value: Any| {
            x509_cert::attr::Attribute {
                oid,
                values: SetOfVec::try_from(vec![value]).unwrap(),
            }
            .to_der()
            .unwrap()
        };
        let any = |der: Vec<u8>| Any::from_der(&der).unwrap();
        assert_eq!(
            encode_attribute(ID_MESSAGE_DIGEST, &digest).unwrap(),
            through_type(ID_MESSAGE_DIGEST, any(digest.to_der().unwrap()))
        );
        assert_eq!(
            encode_attribute(ID_MESSAGE_DIGEST, &big).unwrap(),
            through_type(ID_MESSAGE_DIGEST, any(big.to_der().unwrap()))
        );
        assert_eq!(
            encode_attribute(ID_SIGNING_TIME, &time).unwrap(),
            through_type(ID_SIGNING_TIME, any(time.to_der().unwrap()))
        );
        assert_eq!(
            encode_attribute(ID_CONTENT_TYPE, &ID_DATA).unwrap(),
            through_type(ID_CONTENT_TYPE, any(ID_DATA.to_der().unwrap()))
        );
    }

    #[test]
    fn ok_pem_detection() {
        assert!(looks_like_pem(
            b"Bag Attributes\n-----BEGIN CERTIFICATE-----\n"
        ));
        assert!(!looks_like_pem(b"\x30\x82-----BEGIN "));
        assert!(!looks_like_pem(b"plain text"));
    }
}
