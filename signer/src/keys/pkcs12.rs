//! Loading a PKCS#12 file (RFC 7292), the form in which the national center hands a key and its
//! certificate to the owner.
//!
//! Read here: password integrity mode (HMAC with SHA-1, SHA-256, SHA-384 or SHA-512 keyed by the
//! RFC 7292 appendix B KDF, §5.1), password privacy mode (`encryptedData` under a PKCS#12 PBE
//! scheme of appendix C or PBES2 of RFC 8018), key bags, shrouded key bags, certificate bags and
//! nested safe-contents bags (§4.2). The center's files are BER with indefinite lengths (X.690
//! §8.1.3.6); they go through [`ber_to_der`](super::ber::ber_to_der) at each layer, while the MAC
//! is computed over the octets exactly as they are in the file.
//!
//! Not read: public-key integrity and privacy modes (SignedData, EnvelopedData) and PBMAC1
//! (RFC 9579), reported as [`SignError::UnsupportedAlgorithm`].

use std::fmt;

use ::cms::content_info::ContentInfo;
use der::asn1::{BmpString, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Tag, Tagged};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::mac_data::MacData;
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::pbe::{self, Password, check_iterations};
use super::pkcs8::decrypt_private_key_info;
use super::{
    KeyLoadLimits, RingSigningKey, Shape, ber, certificate_spki, classify, der_error,
    describe_labels, pem_position, spki_matches, unsupported, within,
};
use crate::key::{SignError, SigningKey};

/// id-data (RFC 5652 §4).
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-encryptedData (RFC 5652 §8).
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
/// id-signedData (RFC 5652 §5), public-key integrity mode.
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-envelopedData (RFC 5652 §6), public-key privacy mode.
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
/// keyBag (RFC 7292 §4.2.1).
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag (§4.2.2).
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// certBag (§4.2.3).
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// safeContentsBag (§4.2.6).
const SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// x509Certificate certificate type (§4.2.3).
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
/// friendlyName attribute (PKCS#9, RFC 2985 §5.5.1).
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
/// localKeyId attribute (RFC 2985 §5.5.2).
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
/// SHA-1, SHA-256, SHA-384, SHA-512 as MAC digests (RFC 7292 §4, RFC 8018 appendix B.1).
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// How deep safeContentsBags may nest inside one another.
const MAX_BAG_NESTING: usize = 4;

/// What a PKCS#12 file (RFC 7292) holds: the private key, its certificate and the others.
#[non_exhaustive]
pub struct Pkcs12Contents {
    /// The private key, checked against `certificate_der` (same SubjectPublicKeyInfo). An RSA
    /// key signs with PKCS#1 v1.5 until [`RingSigningKey::with_algorithm`] says otherwise.
    pub key: RingSigningKey,
    /// The key's certificate, DER exactly as it is in the file.
    pub certificate_der: Vec<u8>,
    /// The other certificates of the file: first the issuers found from the key's certificate
    /// upward (by subject and issuer name), then any remaining ones in file order.
    pub chain_der: Vec<Vec<u8>>,
    /// The key bag's friendlyName attribute (or the certificate's), if any.
    pub friendly_name: Option<String>,
    /// The key bag's localKeyId attribute (or the certificate's), if any.
    pub local_key_id: Option<Vec<u8>>,
}

impl fmt::Debug for Pkcs12Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12Contents")
            .field("key", &self.key)
            .field("certificate_der", &self.certificate_der.len())
            .field("chain_der", &self.chain_der.len())
            .field("friendly_name", &self.friendly_name)
            .field("local_key_id", &self.local_key_id)
            .finish()
    }
}

/// Loads the first private key of a PKCS#12 file (RFC 7292) and its certificate, with
/// [`KeyLoadLimits::default`].
///
/// The key is paired with the certificate carrying the same localKeyId, or else with the
/// certificate whose public key it matches. Errors: [`SignError::WrongPassword`] (MAC or
/// padding), [`SignError::NotPkcs12`] naming what the file is, [`SignError::Malformed`],
/// [`SignError::UnsupportedAlgorithm`] (the center's 2004 GOST keys, public-key modes),
/// [`SignError::KeyCertificateMismatch`], [`SignError::NoKey`], [`SignError::NoCertificate`].
pub fn load_pkcs12(bytes: &[u8], password: &str) -> Result<Pkcs12Contents, SignError> {
    load_pkcs12_with_limits(bytes, password, &KeyLoadLimits::default())
}

/// [`load_pkcs12`] with explicit bounds on the password-derivation work.
pub fn load_pkcs12_with_limits(
    bytes: &[u8],
    password: &str,
    limits: &KeyLoadLimits,
) -> Result<Pkcs12Contents, SignError> {
    if bytes.first() != Some(&0x30) {
        let found = if bytes.is_empty() {
            "an empty file".to_owned()
        } else if pem_position(bytes).is_some() {
            let blocks = pem::parse_many(bytes).unwrap_or_default();
            describe_labels(blocks.iter().map(pem::Pem::tag))
        } else {
            "data that is neither PEM nor DER".to_owned()
        };
        return Err(SignError::NotPkcs12 { found });
    }
    let der = ber::ber_to_der(bytes)?;
    match classify(&der) {
        Shape::Pfx => {}
        other => {
            return Err(SignError::NotPkcs12 {
                found: other.describe().to_owned(),
            });
        }
    }
    let pfx = Pfx::from_der(&der).map_err(|e| der_error(e, "PFX"))?;
    match pfx.auth_safe.content_type {
        ID_DATA => {}
        ID_SIGNED_DATA => return Err(unsupported(&ID_SIGNED_DATA)),
        other => {
            return Err(SignError::Malformed {
                offset: 0,
                what: format!("PFX: authSafe of content type {other}"),
            });
        }
    }
    let content = &pfx.auth_safe.content;
    if content.tag() != Tag::OctetString {
        return Err(SignError::Malformed {
            offset: 0,
            what: format!(
                "PFX: authSafe content is {} (expected OCTET STRING)",
                content.tag()
            ),
        });
    }
    let auth_safe = content.value();
    let (password, integrity) = match &pfx.mac_data {
        Some(mac) => (verify_mac(mac, password, auth_safe, limits)?, true),
        None => (Password::from_text(password), false),
    };
    let mut reader = Reader {
        limits,
        password,
        integrity,
        keys: Vec::new(),
        certs: Vec::new(),
    };
    let safe_der = ber::ber_to_der(auth_safe).map_err(|e| within(e, "authenticated safe"))?;
    let safes =
        Vec::<ContentInfo>::from_der(&safe_der).map_err(|e| der_error(e, "authenticated safe"))?;
    for (index, info) in safes.iter().enumerate() {
        reader.content_info(info, index)?;
    }
    reader.finish()
}

/// The bags gathered while reading.
struct Reader<'l> {
    limits: &'l KeyLoadLimits,
    password: Password,
    /// Whether a MAC proved the file intact (then garbage after decryption is corruption,
    /// not a wrong password).
    integrity: bool,
    keys: Vec<KeyEntry>,
    certs: Vec<CertEntry>,
}

struct KeyEntry {
    pkcs8: Zeroizing<Vec<u8>>,
    friendly_name: Option<String>,
    local_key_id: Option<Vec<u8>>,
}

struct CertEntry {
    der: Vec<u8>,
    friendly_name: Option<String>,
    local_key_id: Option<Vec<u8>>,
}

impl Reader<'_> {
    /// One ContentInfo of the AuthenticatedSafe (RFC 7292 §4.1).
    fn content_info(&mut self, info: &ContentInfo, index: usize) -> Result<(), SignError> {
        let context = format!("authenticated safe item {index}");
        match info.content_type {
            ID_DATA => {
                if info.content.tag() != Tag::OctetString {
                    return Err(SignError::Malformed {
                        offset: 0,
                        what: format!("{context}: data is not an OCTET STRING"),
                    });
                }
                self.safe_contents(info.content.value(), &context, 0, false)
            }
            ID_ENCRYPTED_DATA => {
                let (alg, encrypted) =
                    encrypted_data(info.content.value()).map_err(|e| within(e, &context))?;
                if encrypted.is_empty() {
                    return Ok(());
                }
                let plain = pbe::decrypt(&alg, &encrypted, &self.password, self.limits)
                    .map_err(|e| within(e, &context))?;
                self.safe_contents(&plain, &context, 0, true)
            }
            ID_ENVELOPED_DATA => Err(unsupported(&ID_ENVELOPED_DATA)),
            other => Err(SignError::Malformed {
                offset: 0,
                what: format!("{context}: content type {other}"),
            }),
        }
    }

    /// A SafeContents (RFC 7292 §4.2), BER tolerated; `decrypted` when it came out of
    /// decryption (then, without a MAC, broken contents mean a wrong password).
    fn safe_contents(
        &mut self,
        bytes: &[u8],
        context: &str,
        depth: usize,
        decrypted: bool,
    ) -> Result<(), SignError> {
        let garbage = |e: SignError| {
            if decrypted && !self.integrity {
                SignError::WrongPassword
            } else {
                within(e, context)
            }
        };
        let der = Zeroizing::new(ber::ber_to_der(bytes).map_err(garbage)?);
        let bags =
            Vec::<SafeBag>::from_der(&der).map_err(|e| garbage(der_error(e, "safe contents")))?;
        for (index, bag) in bags.iter().enumerate() {
            self.bag(bag, &format!("{context}, bag {index}"), depth)?;
        }
        Ok(())
    }

    /// One SafeBag (RFC 7292 §4.2).
    fn bag(&mut self, bag: &SafeBag, context: &str, depth: usize) -> Result<(), SignError> {
        let malformed = |what: &str| SignError::Malformed {
            offset: 0,
            what: format!("{context}: {what}"),
        };
        let wrapper = ber::read_tlv(&bag.bag_value, 0)
            .filter(|t| t.tag == 0xa0)
            .ok_or_else(|| malformed("bagValue is not [0] EXPLICIT"))?;
        let value = wrapper.value;
        let (friendly_name, local_key_id) = attributes(bag);
        match bag.bag_id {
            KEY_BAG => {
                if classify(value) != Shape::PrivateKeyInfo {
                    return Err(malformed("keyBag does not hold a PrivateKeyInfo"));
                }
                self.keys.push(KeyEntry {
                    pkcs8: Zeroizing::new(value.to_vec()),
                    friendly_name,
                    local_key_id,
                });
            }
            SHROUDED_KEY_BAG => {
                let pkcs8 =
                    decrypt_private_key_info(value, &self.password, self.limits, self.integrity)
                        .map_err(|e| within(e, context))?;
                self.keys.push(KeyEntry {
                    pkcs8,
                    friendly_name,
                    local_key_id,
                });
            }
            CERT_BAG => {
                let cert = CertBag::from_der(value).map_err(|e| der_error(e, context))?;
                // Other certificate types (SDSI) are not X.509 and are left aside.
                if cert.cert_id == X509_CERTIFICATE {
                    self.certs.push(CertEntry {
                        der: cert.cert_value.as_bytes().to_vec(),
                        friendly_name,
                        local_key_id,
                    });
                }
            }
            SAFE_CONTENTS_BAG => {
                if depth >= MAX_BAG_NESTING {
                    return Err(malformed("safe contents nested too deep"));
                }
                self.safe_contents(value, context, depth + 1, false)?;
            }
            // CRL and secret bags carry nothing a signer needs.
            _ => {}
        }
        Ok(())
    }

    /// Pairs the first key with its certificate and orders the rest.
    fn finish(self) -> Result<Pkcs12Contents, SignError> {
        let Self {
            mut keys, certs, ..
        } = self;
        if keys.is_empty() {
            return Err(SignError::NoKey);
        }
        if certs.is_empty() {
            return Err(SignError::NoCertificate);
        }
        let entry = keys.swap_remove(0);
        let by_id = entry.local_key_id.as_deref().and_then(|id| {
            certs
                .iter()
                .position(|c| c.local_key_id.as_deref() == Some(id))
        });
        // The certificate's key bits help an EC key that does not carry its public key.
        let hint_spki = match by_id.and_then(|i| certs.get(i)) {
            Some(cert) => Some(certificate_spki(&cert.der)?),
            None => None,
        };
        let hint = hint_spki
            .as_deref()
            .and_then(|spki| SubjectPublicKeyInfoRef::from_der(spki).ok())
            .and_then(|spki| spki.subject_public_key.as_bytes());
        let key = RingSigningKey::from_pkcs8_der_with_public(&entry.pkcs8, hint)?;
        let key_spki = key.public_key_info_der();
        let leaf = match (by_id, hint_spki) {
            (Some(i), Some(spki)) => {
                if !spki_matches(&key_spki, &spki) {
                    return Err(SignError::KeyCertificateMismatch);
                }
                i
            }
            _ => certs
                .iter()
                .position(|c| {
                    certificate_spki(&c.der).is_ok_and(|spki| spki_matches(&key_spki, &spki))
                })
                .ok_or(SignError::KeyCertificateMismatch)?,
        };
        let mut certs = certs;
        let leaf = certs.remove(leaf);
        let chain_der = order_chain(&leaf.der, certs.into_iter().map(|c| c.der).collect());
        Ok(Pkcs12Contents {
            key,
            friendly_name: entry.friendly_name.or(leaf.friendly_name),
            local_key_id: entry.local_key_id.or(leaf.local_key_id),
            certificate_der: leaf.der,
            chain_der,
        })
    }
}

/// Verifies the MAC (RFC 7292 §5.1, appendix B with ID 3) over the authSafe content octets and
/// returns the password form that verified it. The empty password is tried in both encodings
/// writers use (with and without the BMPString terminator), as OpenSSL does.
fn verify_mac(
    mac: &MacData,
    password: &str,
    data: &[u8],
    limits: &KeyLoadLimits,
) -> Result<Password, SignError> {
    let oid = mac.mac.algorithm.oid;
    let rounds = check_iterations(i64::from(mac.iterations), limits)?;
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    let mut candidates = vec![Password::from_text(password)];
    if password.is_empty() {
        candidates.push(Password::absent());
    }
    for candidate in candidates {
        let Some(bmp) = candidate.bmp() else {
            continue;
        };
        let (algorithm, key) = match oid {
            SHA1 => (
                ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
                derive_key::<sha1::Sha1>(bmp, salt, Pkcs12KeyType::Mac, rounds, 20),
            ),
            SHA256 => (
                ring::hmac::HMAC_SHA256,
                derive_key::<sha2::Sha256>(bmp, salt, Pkcs12KeyType::Mac, rounds, 32),
            ),
            SHA384 => (
                ring::hmac::HMAC_SHA384,
                derive_key::<sha2::Sha384>(bmp, salt, Pkcs12KeyType::Mac, rounds, 48),
            ),
            SHA512 => (
                ring::hmac::HMAC_SHA512,
                derive_key::<sha2::Sha512>(bmp, salt, Pkcs12KeyType::Mac, rounds, 64),
            ),
            other => return Err(unsupported(&other)),
        };
        let key = Zeroizing::new(key);
        let key = ring::hmac::Key::new(algorithm, &key);
        if ring::hmac::verify(&key, data, expected).is_ok() {
            return Ok(candidate);
        }
    }
    Err(SignError::WrongPassword)
}

/// The encryption algorithm and encrypted octets of an EncryptedData's content (RFC 5652 §8,
/// §6.1), read by hand: BER writers put `encryptedContent` [0] IMPLICIT OCTET STRING in
/// constructed form (segments), which the DER decoders refuse even after normalisation, since
/// the normaliser cannot know an implicit tag hides a string.
fn encrypted_data(value: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), SignError> {
    let malformed = |what: &str| SignError::Malformed {
        offset: 0,
        what: format!("encrypted data: {what}"),
    };
    // The authenticated safe around it was normalised already: `value` is DER but for the
    // segmented [0] handled below.
    let fields = ber::children(value).ok_or_else(|| malformed("not a SEQUENCE"))?;
    let [version, info, ..] = fields.as_slice() else {
        return Err(malformed("fields missing"));
    };
    if version.tag != 0x02 || version.value != [0] {
        return Err(malformed("version is not 0"));
    }
    let parts = ber::children(info.value)
        .filter(|_| info.tag == 0x30)
        .ok_or_else(|| malformed("encryptedContentInfo is not a SEQUENCE"))?;
    let [_content_type, algorithm, rest @ ..] = parts.as_slice() else {
        return Err(malformed("encryptedContentInfo fields missing"));
    };
    let algorithm = AlgorithmIdentifierOwned::from_der(algorithm.raw)
        .map_err(|e| der_error(e, "encrypted data algorithm"))?;
    let content = match rest.first() {
        None => Vec::new(),
        Some(t) if t.tag == 0x80 => t.value.to_vec(),
        Some(t) if t.tag == 0xa0 => {
            let segments =
                ber::children(t.value).ok_or_else(|| malformed("encryptedContent segments"))?;
            let mut joined = Vec::new();
            for segment in segments {
                if segment.tag != 0x04 {
                    return Err(malformed("encryptedContent segment is not an OCTET STRING"));
                }
                joined.extend_from_slice(segment.value);
            }
            joined
        }
        Some(_) => return Err(malformed("encryptedContent is not [0]")),
    };
    Ok((algorithm, content))
}

/// The friendlyName and localKeyId attributes of a bag (RFC 7292 §4.2, RFC 2985).
fn attributes(bag: &SafeBag) -> (Option<String>, Option<Vec<u8>>) {
    let mut friendly_name = None;
    let mut local_key_id = None;
    for attribute in bag.bag_attributes.iter().flat_map(|a| a.iter()) {
        let Some(value) = attribute.values.iter().next() else {
            continue;
        };
        let Ok(value) = value.to_der() else {
            continue;
        };
        if attribute.oid == FRIENDLY_NAME {
            friendly_name = BmpString::from_der(&value).ok().map(|s| s.to_string());
        } else if attribute.oid == LOCAL_KEY_ID {
            local_key_id = OctetString::from_der(&value)
                .ok()
                .map(|s| s.as_bytes().to_vec());
        }
    }
    (friendly_name, local_key_id)
}

/// Orders `others` as the issuers of `leaf` upward (matching issuer to subject names), then the
/// rest in file order; a copy of the leaf itself is dropped.
fn order_chain(leaf: &[u8], others: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    /// A certificate's subject and issuer names, DER.
    type Names = (Vec<u8>, Vec<u8>);
    let names = |der: &[u8]| -> Option<Names> {
        let der = ber::ber_to_der(der).ok()?;
        let cert = x509_cert::Certificate::from_der(&der).ok()?;
        let tbs = cert.tbs_certificate;
        Some((tbs.subject.to_der().ok()?, tbs.issuer.to_der().ok()?))
    };
    let mut rest: Vec<(Vec<u8>, Option<Names>)> = others
        .into_iter()
        .filter(|c| c.as_slice() != leaf)
        .map(|c| {
            let n = names(&c);
            (c, n)
        })
        .collect();
    let mut chain = Vec::with_capacity(rest.len());
    let mut current = names(leaf);
    while let Some((subject, issuer)) = current.take() {
        if subject == issuer {
            break;
        }
        let Some(i) = rest
            .iter()
            .position(|(_, n)| n.as_ref().is_some_and(|(s, _)| *s == issuer))
        else {
            break;
        };
        let (der, n) = rest.remove(i);
        chain.push(der);
        current = n;
    }
    chain.extend(rest.into_iter().map(|(der, _)| der));
    chain
}
