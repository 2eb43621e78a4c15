//! Private keys from files: PKCS#8 (RFC 5958), plain or encrypted under PBES2 (RFC 8018 §6.2),
//! and PKCS#12 (RFC 7292), the form in which the national center hands keys to their owners —
//! including its legacy PBE schemes (RFC 7292 appendix C: 3DES, RC2) and BER indefinite-length
//! encoding (X.690 §8.1.3.6), which the center's files use.
//!
//! Every key loaded here is a [`RingSigningKey`], which signs through the crate's
//! [`SigningKey`] trait: with `ring`, or with the crate `eds-gost` for GOST R 34.10-2012 and
//! the national center's GOST 34.10-2015 keys. Failures are [`SignError`] variants, one per
//! cause: a wrong password, a file of another type, broken encoding (with the byte offset), an
//! algorithm not supported (the center's 2004 GOST keys), a key that does not match its
//! certificate.

pub mod ber;
mod pbe;
pub mod pkcs12;
pub mod pkcs8;
pub mod ring_keys;
pub mod token;

use der::Decode;
use der::asn1::ObjectIdentifier;
use spki::SubjectPublicKeyInfoRef;

use crate::key::{SignError, SigningKey};

pub use pkcs8::{load_pkcs8, load_pkcs8_with_limits};
pub use pkcs12::{Pkcs12Contents, load_pkcs12, load_pkcs12_with_limits};
pub use ring_keys::RingSigningKey;

/// Bounds on the work a key file may demand while its password is turned into a key.
///
/// Iteration counts and scrypt parameters are chosen by whoever wrote the file (RFC 8018 §4.2,
/// RFC 7292 appendix B.2, RFC 7914 §2); a file made to stall the loader (2³¹ iterations, an
/// scrypt cost of gigabytes) is refused with [`SignError::KdfLimitExceeded`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyLoadLimits {
    /// Highest PBKDF2 or PKCS#12 KDF iteration count accepted (MAC and encryption alike).
    pub max_iterations: u32,
    /// Highest scrypt memory (128 · r · N bytes, RFC 7914 §2) accepted.
    pub max_scrypt_memory: u64,
}

impl Default for KeyLoadLimits {
    /// Ten million iterations (RFC 8018 §4.2's figure "for especially critical keys"; the center
    /// itself uses 600,000) and 256 MiB of scrypt memory.
    fn default() -> Self {
        Self {
            max_iterations: 10_000_000,
            max_scrypt_memory: 256 * 1024 * 1024,
        }
    }
}

/// Checks that `key` is the private half of the public key in the certificate `certificate_der`
/// (RFC 5280 §4.1.2.7): same algorithm, same key bits and, for EC, the same curve.
///
/// A key given beside a certificate (`--key` with `--cert`) goes through this before anything
/// is signed; PKCS#12 loading does it by itself. A mismatch is
/// [`SignError::KeyCertificateMismatch`]; a certificate that does not parse is
/// [`SignError::Malformed`].
pub fn ensure_key_matches_certificate(
    key: &dyn SigningKey,
    certificate_der: &[u8],
) -> Result<(), SignError> {
    let cert_spki = certificate_spki(certificate_der)?;
    if spki_matches(&key.public_key_info_der(), &cert_spki) {
        Ok(())
    } else {
        Err(SignError::KeyCertificateMismatch)
    }
}

/// The SubjectPublicKeyInfo DER of a certificate (BER tolerated, X.690 §8).
pub(crate) fn certificate_spki(certificate_der: &[u8]) -> Result<Vec<u8>, SignError> {
    use der::Encode;
    let der = ber::ber_to_der(certificate_der).map_err(|e| within(e, "certificate"))?;
    let cert = x509_cert::Certificate::from_der(&der).map_err(|e| der_error(e, "certificate"))?;
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| der_error(e, "certificate public key"))
}

/// Compares two SubjectPublicKeyInfo DERs by meaning: algorithm, parameters (an absent and a
/// NULL parameter count as equal, as RSA writers differ there) and key bits.
pub(crate) fn spki_matches(a: &[u8], b: &[u8]) -> bool {
    let (Ok(a), Ok(b)) = (
        SubjectPublicKeyInfoRef::from_der(a),
        SubjectPublicKeyInfoRef::from_der(b),
    ) else {
        return false;
    };
    let params = |p: Option<der::AnyRef<'_>>| p.filter(|p| !p.is_null()).map(der::Any::from);
    a.algorithm.oid == b.algorithm.oid
        && params(a.algorithm.parameters) == params(b.algorithm.parameters)
        && a.subject_public_key.raw_bytes() == b.subject_public_key.raw_bytes()
        && a.subject_public_key.unused_bits() == b.subject_public_key.unused_bits()
}

/// What a DER structure looks like from its outline, to tell the user what a file is when it
/// is not what was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// PKCS#12 PFX (RFC 7292 §4).
    Pfx,
    /// PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2).
    PrivateKeyInfo,
    /// EncryptedPrivateKeyInfo (RFC 5958 §3).
    EncryptedPrivateKeyInfo,
    /// RSAPrivateKey (RFC 8017 appendix A.1.2).
    RsaPrivateKey,
    /// ECPrivateKey (RFC 5915 §3).
    EcPrivateKey,
    /// Something else, described for the user.
    Other(&'static str),
}

impl Shape {
    /// The user-facing description ("an X.509 certificate").
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Self::Pfx => "a PKCS#12 file",
            Self::PrivateKeyInfo => "a PKCS#8 private key",
            Self::EncryptedPrivateKeyInfo => "an encrypted PKCS#8 private key",
            Self::RsaPrivateKey => "a PKCS#1 RSA private key",
            Self::EcPrivateKey => "a SEC1 EC private key",
            Self::Other(what) => what,
        }
    }
}

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OID: u8 = 0x06;
const TAG_ENUMERATED: u8 = 0x0a;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_UTC_TIME: u8 = 0x17;
const TAG_GENERALIZED_TIME: u8 = 0x18;
const TAG_CONTEXT_0: u8 = 0xa0;

/// id-signedData (RFC 5652 §5.1), DER value octets.
const SIGNED_DATA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// Classifies DER by its outline (tags of the top SEQUENCE's elements).
pub(crate) fn classify(der: &[u8]) -> Shape {
    let Some(top) = ber::read_tlv(der, 0) else {
        return Shape::Other("data that is neither PEM nor DER");
    };
    if top.tag != TAG_SEQUENCE || top.end != der.len() {
        return Shape::Other("data that is neither PEM nor DER");
    }
    let Some(items) = ber::children(top.value) else {
        return Shape::Other("an unrecognised ASN.1 structure");
    };
    let tags: Vec<u8> = items.iter().map(|t| t.tag).collect();
    let starts_with_oid = |i: usize| {
        items
            .get(i)
            .filter(|t| t.tag == TAG_SEQUENCE)
            .and_then(|t| ber::read_tlv(t.value, 0))
            .is_some_and(|t| t.tag == TAG_OID)
    };
    let small_int = |i: usize| {
        items
            .get(i)
            .filter(|t| t.tag == TAG_INTEGER)
            .and_then(|t| match t.value {
                [v] => Some(*v),
                _ => None,
            })
    };
    match tags.as_slice() {
        [TAG_INTEGER, TAG_SEQUENCE, ..] if small_int(0) == Some(3) && starts_with_oid(1) => {
            Shape::Pfx
        }
        [TAG_INTEGER, TAG_SEQUENCE, TAG_OCTET_STRING, ..]
            if matches!(small_int(0), Some(0 | 1)) && starts_with_oid(1) =>
        {
            Shape::PrivateKeyInfo
        }
        [TAG_SEQUENCE, TAG_OCTET_STRING] if starts_with_oid(0) => Shape::EncryptedPrivateKeyInfo,
        [TAG_INTEGER, TAG_OCTET_STRING, ..] if small_int(0) == Some(1) => Shape::EcPrivateKey,
        [TAG_INTEGER, rest @ ..] if rest.len() >= 8 && rest.iter().all(|t| *t == TAG_INTEGER) => {
            Shape::RsaPrivateKey
        }
        [TAG_SEQUENCE, TAG_BIT_STRING] if starts_with_oid(0) => {
            Shape::Other("a public key (SubjectPublicKeyInfo)")
        }
        [TAG_SEQUENCE, TAG_SEQUENCE, TAG_BIT_STRING] => classify_signed(items.first()),
        [TAG_OID, TAG_CONTEXT_0, ..] => {
            if items.first().is_some_and(|t| t.value == SIGNED_DATA_OID) {
                Shape::Other("a CMS signature (SignedData)")
            } else {
                Shape::Other("a CMS / PKCS#7 ContentInfo")
            }
        }
        [TAG_ENUMERATED, ..] => Shape::Other("an OCSP response"),
        _ => Shape::Other("an unrecognised ASN.1 structure"),
    }
}

/// Tells a certificate, a CRL and a certification request apart by their to-be-signed part.
fn classify_signed(tbs: Option<&ber::Tlv<'_>>) -> Shape {
    let Some(fields) = tbs.and_then(|t| ber::children(t.value)) else {
        return Shape::Other("a signed ASN.1 structure");
    };
    let is_time = |t: &ber::Tlv<'_>| t.tag == TAG_UTC_TIME || t.tag == TAG_GENERALIZED_TIME;
    let has_validity = fields.iter().any(|f| {
        f.tag == TAG_SEQUENCE
            && ber::children(f.value).is_some_and(|v| v.len() == 2 && v.iter().all(is_time))
    });
    if fields.first().is_some_and(|f| f.tag == TAG_CONTEXT_0) || has_validity {
        Shape::Other("an X.509 certificate")
    } else if fields.iter().any(is_time) {
        Shape::Other("a certificate revocation list")
    } else if fields.last().is_some_and(|f| f.tag == TAG_CONTEXT_0) {
        Shape::Other("a certification request (PKCS#10)")
    } else {
        Shape::Other("a signed ASN.1 structure")
    }
}

/// Where the first PEM encapsulation boundary (RFC 7468 §2) starts in `bytes`, if any.
pub(crate) fn pem_position(bytes: &[u8]) -> Option<usize> {
    bytes.windows(11).position(|w| w == b"-----BEGIN ")
}

/// Describes PEM blocks by their labels, for [`SignError::NotPkcs8`] and
/// [`SignError::NotPkcs12`].
pub(crate) fn describe_labels<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for label in labels {
        if !seen.contains(&label) {
            seen.push(label);
        }
    }
    match seen.as_slice() {
        [] => "PEM text without a complete block".to_owned(),
        [one] => format!("a PEM block labelled {one}"),
        many => format!("PEM blocks labelled {}", many.join(", ")),
    }
}

/// Names the algorithms this crate recognises but does not implement, for
/// [`SignError::UnsupportedAlgorithm`].
pub(crate) fn unsupported(oid: &ObjectIdentifier) -> SignError {
    let dotted = oid.to_string();
    let name = algorithm_name(&dotted);
    SignError::UnsupportedAlgorithm {
        oid: dotted,
        name: name.to_owned(),
    }
}

/// A readable name for an object identifier met in key files.
fn algorithm_name(dotted: &str) -> &'static str {
    match dotted {
        // Kazakhstan's national algorithms (the center's README; KZ OID arc 1.2.398.3.10).
        "1.2.398.3.10.1.1.1.1" => "GOST 34.310-2004 signing",
        "1.2.398.3.10.1.1.1.2" => "GOST 34.310-2004 key exchange",
        "1.2.398.3.10.1.1.2.2" => "GOST 34.10-2015 (512-bit) signing",
        d if d.starts_with("1.2.398.3.10.1.1.2.") => "GOST 34.10-2015 signing",
        d if d.starts_with("1.2.398.3.10.") => "a Kazakh national (GOST) algorithm",
        // Russian GOST R 34.10 (RFC 4491, RFC 9215).
        "1.2.643.2.2.19" => "GOST R 34.10-2001 signing",
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => "GOST R 34.10-2012 signing",
        "1.3.101.110" => "X25519 (key agreement only)",
        "1.3.101.111" => "X448 (key agreement only)",
        "1.3.101.113" => "Ed448 signing",
        "1.2.840.10040.4.1" => "DSA signing",
        "1.2.840.113549.1.1.10" => "an RSASSA-PSS-restricted RSA key",
        "1.2.156.10197.1.301" => "SM2 signing",
        "1.3.132.0.35" => "ECDSA on P-521",
        "1.3.132.0.10" => "ECDSA on secp256k1",
        "1.2.840.10045.3.1.1" => "ECDSA on P-192",
        "1.3.132.0.33" => "ECDSA on P-224",
        d if d.starts_with("1.3.36.3.3.2.8.1.1.") => "ECDSA on a Brainpool curve",
        // Password-based encryption (RFC 8018 appendix A, RFC 7292 appendix C).
        "1.2.840.113549.1.12.1.1" => "PBE with SHA-1 and 128-bit RC4",
        "1.2.840.113549.1.12.1.2" => "PBE with SHA-1 and 40-bit RC4",
        "1.2.840.113549.1.5.1" => "PBES1 with MD2 and DES",
        "1.2.840.113549.1.5.3" => "PBES1 with MD5 and DES",
        "1.2.840.113549.1.5.4" => "PBES1 with MD2 and RC2",
        "1.2.840.113549.1.5.6" => "PBES1 with MD5 and RC2",
        "1.2.840.113549.1.5.10" => "PBES1 with SHA-1 and DES",
        "1.2.840.113549.1.5.11" => "PBES1 with SHA-1 and RC2",
        "1.2.840.113549.1.5.14" => "PBMAC1 integrity (RFC 9579)",
        "1.3.6.1.4.1.11591.4.11" => "scrypt",
        "1.3.14.3.2.7" => "DES-CBC",
        "1.2.840.113549.3.2" => "RC2-CBC",
        "1.2.840.113549.2.8" => "HMAC-SHA-224",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        "1.2.840.113549.2.5" => "MD5",
        // PKCS#12 modes other than password integrity and privacy (RFC 7292 §3.1).
        "1.2.840.113549.1.7.2" => "PKCS#12 public-key integrity mode (SignedData)",
        "1.2.840.113549.1.7.3" => "PKCS#12 public-key privacy mode (EnvelopedData)",
        _ => "an unknown algorithm",
    }
}

/// Maps a `der` error to [`SignError::Malformed`] with its position and a context.
pub(crate) fn der_error(err: der::Error, what: &str) -> SignError {
    let offset = err
        .position()
        .and_then(|p| usize::try_from(p).ok())
        .unwrap_or(0);
    SignError::Malformed {
        offset,
        what: format!("{what}: {}", err.kind()),
    }
}

/// Puts a context in front of a [`SignError::Malformed`] description.
pub(crate) fn within(err: SignError, context: &str) -> SignError {
    match err {
        SignError::Malformed { offset, what } => SignError::Malformed {
            offset,
            what: format!("{context}: {what}"),
        },
        other => other,
    }
}
