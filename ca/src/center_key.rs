//! The center's own keys — root, issuing center, OCSP responder, timestamp authority — behind one
//! type, whatever signs: [`CenterKey`].
//!
//! A center key does three things for the center: it names the AlgorithmIdentifier its
//! signatures carry ([`CenterKey::signature_algorithm`], written into certificates, CRLs, OCSP
//! responses and timestamp tokens), gives its SubjectPublicKeyInfo ([`CenterKey::spki_der`]),
//! and signs bytes ([`CenterKey::sign`]). Where rcgen writes a certificate with the key (only
//! for the algorithms rcgen knows) [`CenterKey::rcgen`] lends it as an `rcgen::SigningKey`;
//! for any other key the certificate is written by rcgen from the same template and signed
//! again with the center key ([`crate::gost::certificate`]).

use std::path::Path;

use der::{Decode, Encode};
use eds_pkcs11::{Curve, KeyUri, TokenKey};
use pkcs8::PrivateKeyInfo;
use rcgen::{KeyPair, PublicKeyData, SigningKey};
use ring::rand::SecureRandom;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use zeroize::Zeroizing;

use crate::config::CenterConfig;
use crate::error::CaError;
use crate::gost::{GostKey, GostProfile};
use crate::keys::KeyAlgorithm;

/// A private key of the center, ready to sign.
///
/// One variant per kind of signer:
/// - [`CenterKey::Ring`]: the keys the center generates and keeps in encrypted PKCS#8 files
///   (ECDSA P-256 and P-384, Ed25519), signing through ring as an `rcgen::KeyPair`;
/// - [`CenterKey::Gost`]: a GOST 34.10-2015 key in the national center's profile (or TC26),
///   signing through `eds-gost` ([`GostKey`]), kept in the same encrypted files.
///
/// - [`CenterKey::Token`]: an ECDSA key on a PKCS#11 token (issue 18 point 4), generated there
///   and never leaving it; its public key read from the token, `sign` a `C_Sign` call.
///
/// Ring and token keys are both `rcgen::SigningKey`s ([`CenterKey::rcgen`]), so certificates
/// and CRLs are written by rcgen and signed by the key wherever it lives; GOST keys take the
/// re-signing path ([`crate::gost::resigned_certificate`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum CenterKey {
    /// A ring key pair (P-256, P-384, Ed25519) of an encrypted PKCS#8 file.
    Ring(KeyPair),
    /// A GOST key of an encrypted PKCS#8 file.
    Gost(GostKey),
    /// An ECDSA key (P-256, P-384) on a PKCS#11 token.
    Token(TokenKey),
}

/// Which of the center's keys: each has its file in the data folder or its URI in
/// [`crate::config::TokenKeys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyRole {
    /// The root center's key (`root.key.pem`).
    Root,
    /// The issuing center's key (`issuing.key.pem`).
    Issuing,
    /// The delegated OCSP signer's key (`ocsp.key.pem`).
    Ocsp,
    /// The timestamp authority's key (`tsa.key.pem`).
    Tsa,
}

impl KeyRole {
    /// The role's key URI when the configuration keeps the keys on a token.
    pub fn token_uri(self, config: &CenterConfig) -> Option<&str> {
        let keys = config.token_keys.as_ref()?;
        Some(match self {
            Self::Root => &keys.root,
            Self::Issuing => &keys.issuing,
            Self::Ocsp => &keys.ocsp,
            Self::Tsa => &keys.tsa,
        })
    }
}

/// A new center key and, for a key kept in a file, its PKCS#8 DER.
pub(crate) type NewKey = (CenterKey, Option<Zeroizing<Vec<u8>>>);

/// A new key for `role`, where the configuration keeps keys: on the token (logged in with
/// `secret` as the PIN; `None` for the file) or in memory with its PKCS#8 DER for the caller to
/// encrypt at rest under `secret` as the passphrase.
pub(crate) fn new_center_key(
    config: &CenterConfig,
    role: KeyRole,
    secret: &[u8],
    rng: &dyn SecureRandom,
) -> Result<NewKey, CaError> {
    let Some(uri) = role.token_uri(config) else {
        let (key, pkcs8) = config.algorithm.generate(rng)?;
        return Ok((key, Some(pkcs8)));
    };
    let uri = KeyUri::parse(uri)?;
    let curve = match config.algorithm {
        KeyAlgorithm::P256 => Curve::P256,
        KeyAlgorithm::P384 => Curve::P384,
        other => {
            return Err(CaError::Config {
                reason: format!(
                    "{} keys cannot be kept in a PKCS#11 token (GOST keys stay in encrypted files)",
                    other.as_str()
                ),
            });
        }
    };
    let mut id = [0u8; 8];
    rng.fill(&mut id).map_err(|_| CaError::Random)?;
    let key = TokenKey::generate(&uri, secret, curve, &id)?;
    Ok((CenterKey::Token(key), None))
}

/// The key of `role` whose public key is `spki` (DER, from its certificate): decrypted from
/// `file` with `secret` as the passphrase, or found on the token with `secret` as the PIN.
/// A token holding no such key is [`eds_pkcs11::TokenError::ObjectNotFound`].
pub(crate) fn load_center_key(
    config: &CenterConfig,
    role: KeyRole,
    file: &Path,
    secret: &[u8],
    spki: &[u8],
) -> Result<CenterKey, CaError> {
    match role.token_uri(config) {
        Some(uri) => {
            let key = TokenKey::open_matching(&KeyUri::parse(uri)?, secret, spki)?;
            Ok(CenterKey::Token(key))
        }
        None => crate::keys::read_center_key(file, secret),
    }
}

impl CenterKey {
    /// Generates a key of `algorithm` with randomness from `rng`; returns it with its PKCS#8
    /// DER (to be encrypted at rest).
    pub fn generate(
        algorithm: KeyAlgorithm,
        rng: &dyn SecureRandom,
    ) -> Result<(Self, Zeroizing<Vec<u8>>), CaError> {
        let pkcs8 = algorithm.generate_pkcs8(rng)?;
        let key = Self::from_pkcs8(&pkcs8)?;
        Ok((key, pkcs8))
    }

    /// Reads a plain PKCS#8 DER private key: a GOST key by its algorithm identifier (the
    /// national center's arc 1.2.398.3.10 or TC26's 1.2.643.7.1), any other through ring.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, CaError> {
        if is_gost_pkcs8(der) {
            return GostKey::from_pkcs8(der).map(Self::Gost);
        }
        crate::keys::key_pair_from_pkcs8(der).map(Self::Ring)
    }

    /// The key algorithm in the center's terms, `None` for a ring key of an algorithm the center
    /// does not generate (RSA, read from a file made elsewhere).
    pub fn algorithm(&self) -> Option<KeyAlgorithm> {
        match self {
            Self::Ring(k) => {
                let alg = k.algorithm();
                [
                    KeyAlgorithm::P256,
                    KeyAlgorithm::P384,
                    KeyAlgorithm::Ed25519,
                ]
                .into_iter()
                .find(|a| a.rcgen() == Some(alg))
            }
            Self::Gost(k) => Some(match k.profile() {
                GostProfile::Nca2015_512 => KeyAlgorithm::Gost2015_512,
                GostProfile::Tc26_256 => KeyAlgorithm::Gost2012_256Tc26,
                GostProfile::Tc26_512 => KeyAlgorithm::Gost2012_512Tc26,
            }),
            Self::Token(k) => match k.curve() {
                Curve::P256 => Some(KeyAlgorithm::P256),
                Curve::P384 => Some(KeyAlgorithm::P384),
                _ => None,
            },
        }
    }

    /// The signature AlgorithmIdentifier this key's signatures carry: ecdsa-with-SHA256/384
    /// (RFC 5758 §3.2, parameters absent), id-Ed25519 (RFC 8410 §3), or the GOST profile's
    /// signature identifier with NULL parameters ([`GostKey::signature_algorithm`]). A ring key
    /// of another algorithm is [`CaError::KeyFile`].
    pub fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, CaError> {
        match self {
            Self::Ring(k) => {
                let alg = k.algorithm();
                let oid = if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
                    "1.2.840.10045.4.3.2"
                } else if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
                    "1.2.840.10045.4.3.3"
                } else if alg == &rcgen::PKCS_ED25519 {
                    "1.3.101.112"
                } else {
                    return Err(CaError::KeyFile {
                        path: String::new(),
                        reason: format!("center key of unsupported algorithm {alg:?}"),
                    });
                };
                Ok(AlgorithmIdentifierOwned {
                    oid: ObjectIdentifier::new(oid).map_err(|e| CaError::Internal {
                        reason: format!("signature algorithm: {e}"),
                    })?,
                    parameters: None,
                })
            }
            Self::Gost(k) => Ok(k.signature_algorithm()),
            Self::Token(k) => Ok(k.signature_algorithm()),
        }
    }

    /// [`CenterKey::signature_algorithm`], DER.
    pub fn signature_algorithm_der(&self) -> Result<Vec<u8>, CaError> {
        self.signature_algorithm()?
            .to_der()
            .map_err(|e| CaError::build("signature algorithm", e))
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> Vec<u8> {
        match self {
            Self::Ring(k) => k.subject_public_key_info(),
            Self::Gost(k) => k.spki_der().to_vec(),
            Self::Token(k) => k.spki_der().to_vec(),
        }
    }

    /// Signs `message` with the key's algorithm (hashing included), giving the signature value
    /// as the signatureValue BIT STRING carries it.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CaError> {
        match self {
            Self::Ring(k) => k.sign(message).map_err(|e| CaError::build("signature", e)),
            Self::Gost(k) => k.sign(message),
            Self::Token(k) => Ok(k.sign(message)?),
        }
    }

    /// The key as rcgen's signer, for the keys rcgen can write certificates with (a ring key
    /// pair, a token key); `None` for a GOST key (rcgen's algorithms are a closed set).
    pub fn rcgen(&self) -> Option<&dyn SigningKey> {
        match self {
            Self::Ring(k) => Some(k),
            Self::Token(k) => Some(k),
            Self::Gost(_) => None,
        }
    }

    /// The ring key pair of a key read from a file (`None` for a GOST or token key): the one
    /// kind whose private key can be written out.
    pub fn key_pair(&self) -> Option<&KeyPair> {
        match self {
            Self::Ring(k) => Some(k),
            _ => None,
        }
    }
}

/// Whether PKCS#8 DER names a GOST key algorithm (read from the outline only; a key that does
/// not parse goes to ring, whose error names the problem).
fn is_gost_pkcs8(der: &[u8]) -> bool {
    PrivateKeyInfo::from_der(der).is_ok_and(|info| {
        let oid = info.algorithm.oid.to_string();
        oid.starts_with("1.2.398.3.10.") || oid.starts_with("1.2.643.7.1.")
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    #[test]
    fn ok_every_algorithm_signs_and_names_itself() {
        let rng = SystemRandom::new();
        for (alg, oid) in [
            (KeyAlgorithm::P256, "1.2.840.10045.4.3.2"),
            (KeyAlgorithm::P384, "1.2.840.10045.4.3.3"),
            (KeyAlgorithm::Ed25519, "1.3.101.112"),
            (KeyAlgorithm::Gost2015_512, "1.2.398.3.10.1.1.2.3.2"),
            (KeyAlgorithm::Gost2012_256Tc26, "1.2.643.7.1.1.3.2"),
            (KeyAlgorithm::Gost2012_512Tc26, "1.2.643.7.1.1.3.3"),
        ] {
            let (key, pkcs8) = CenterKey::generate(alg, &rng).unwrap();
            assert_eq!(key.algorithm(), Some(alg));
            assert_eq!(key.signature_algorithm().unwrap().oid.to_string(), oid);
            let again = CenterKey::from_pkcs8(&pkcs8).unwrap();
            assert_eq!(again.spki_der(), key.spki_der());
            assert_eq!(key.rcgen().is_some(), alg.gost_profile().is_none());
            let sig = key.sign(b"tbs").unwrap();
            if let CenterKey::Gost(_) = key {
                assert_eq!(
                    eds_gost::verify_spki(
                        &key.spki_der(),
                        &ObjectIdentifier::new_unwrap(oid),
                        b"tbs",
                        &sig
                    ),
                    Ok(())
                );
                assert_ne!(
                    eds_gost::verify_spki(
                        &key.spki_der(),
                        &ObjectIdentifier::new_unwrap(oid),
                        b"tbS",
                        &sig
                    ),
                    Ok(())
                );
            }
        }
    }

    #[test]
    fn ok_ring_identifiers_are_the_bytes_the_crl_writer_used() {
        let rng = SystemRandom::new();
        let (key, _) = CenterKey::generate(KeyAlgorithm::P256, &rng).unwrap();
        assert_eq!(
            key.signature_algorithm_der().unwrap(),
            [
                0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02
            ]
        );
        let (key, _) = CenterKey::generate(KeyAlgorithm::Ed25519, &rng).unwrap();
        assert_eq!(
            key.signature_algorithm_der().unwrap(),
            [0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70]
        );
    }

    #[test]
    fn fail_garbage_is_a_key_file_error() {
        assert!(matches!(
            CenterKey::from_pkcs8(b"not a key").unwrap_err(),
            CaError::KeyFile { reason, .. } if reason.starts_with("unsupported or malformed private key")
        ));
    }
}
