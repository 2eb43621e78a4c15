//! Keys held in memory and signing through `ring`: ECDSA P-256/SHA-256 and P-384/SHA-384 with
//! DER signatures (RFC 5753 §7.2, as CMS wants them), Ed25519 (RFC 8419) and RSA with PKCS#1
//! v1.5 or PSS padding and SHA-256 (RFC 8017 §8.2, §8.1; RFC 4056) — and GOST R 34.10-2012 /
//! ST RK GOST 34.10-2015 keys, which ring lacks, through the crate `eds-gost` (see
//! [`GostKey`]): the national center's 2015 keys and TC26 keys (RFC 9215).
//!
//! The keys come from PKCS#8 (RFC 5958), PKCS#1 `RSAPrivateKey` (RFC 8017 appendix A.1.2) or
//! SEC1 `ECPrivateKey` (RFC 5915). RSA keys are imported, never generated here; the same RSA
//! key signs with either padding, the caller chooses with [`RingSigningKey::with_algorithm`].

use std::fmt;

use der::asn1::{BitString, BitStringRef, Null, ObjectIdentifier, OctetStringRef};
use der::{Any, Decode, Encode, Sequence};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaKeyPair,
};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::{ber, der_error, unsupported};
use crate::key::{SignError, SignatureAlgorithm, SigningKey};

/// rsaEncryption (RFC 8017 appendix C).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / P-256 (RFC 5480 §2.1.1.1).
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 / P-384.
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// id-Ed25519 (RFC 8410 §3).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A private key in memory that signs with `ring` (implements [`SigningKey`]).
///
/// Made by [`load_pkcs8`](super::load_pkcs8), [`load_pkcs12`](super::load_pkcs12) or the
/// constructors below. Its `Debug` output names the algorithm only, never key material.
pub struct RingSigningKey {
    inner: Inner,
    algorithm: SignatureAlgorithm,
    spki_der: Vec<u8>,
}

enum Inner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
    Gost(GostKey),
}

/// A GOST private key and the layout its signatures take.
///
/// The scalar lives in [`eds_gost::PrivateKey`], which wipes it on drop. Signing is constant
/// time in the key and deterministic (the nonce an HMAC-Streebog-512 of the hash keyed with the
/// private key, see `eds_gost`): the random generator
/// given to [`SigningKey::sign`] is not used, so the same key and attributes give the same
/// signature.
struct GostKey {
    key: eds_gost::PrivateKey,
    encoding: eds_gost::Encoding,
}

impl RingSigningKey {
    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` DER (RFC 5958 §2):
    /// RSA (rsaEncryption), EC on P-256 or P-384 (RFC 5915 inside), or Ed25519 (RFC 8410 §7).
    ///
    /// An RSA key signs with PKCS#1 v1.5 until [`with_algorithm`](Self::with_algorithm) says
    /// otherwise. GOST keys are read too: GOST R 34.10-2012 256/512 under the TC26 identifiers
    /// (RFC 9215 §5) and the national center's GOST 34.10-2015 512 (`1.2.398.3.10.1.1.2.2`),
    /// `d` little-endian, bare or inside an OCTET STRING. Another algorithm — the center's
    /// 2004 generation among them — is [`SignError::UnsupportedAlgorithm`] naming it.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, SignError> {
        Self::from_pkcs8_der_with_public(der, None)
    }

    /// Reads a PKCS#1 `RSAPrivateKey` DER (RFC 8017 appendix A.1.2; PEM label
    /// `RSA PRIVATE KEY`). Signs with PKCS#1 v1.5 until told otherwise.
    pub fn from_rsa_der(der: &[u8]) -> Result<Self, SignError> {
        let pair = RsaKeyPair::from_der(der).map_err(rejected)?;
        Self::rsa(pair)
    }

    /// Reads a SEC1 `ECPrivateKey` DER (RFC 5915 §3; PEM label `EC PRIVATE KEY`) on P-256 or
    /// P-384; the curve comes from its `parameters` field.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, SignError> {
        Self::ecdsa(der, None, None, None)
    }

    /// The same key set to sign with `algorithm`: an RSA key takes
    /// [`SignatureAlgorithm::RsaPkcs1Sha256`] or [`SignatureAlgorithm::RsaPssSha256`]; an EC or
    /// Ed25519 key only its own algorithm. Anything else is [`SignError::AlgorithmNotForKey`].
    pub fn with_algorithm(mut self, algorithm: SignatureAlgorithm) -> Result<Self, SignError> {
        let allowed = match self.inner {
            Inner::Rsa(_) => matches!(
                algorithm,
                SignatureAlgorithm::RsaPkcs1Sha256 | SignatureAlgorithm::RsaPssSha256
            ),
            Inner::Ecdsa(_) | Inner::Ed25519(_) | Inner::Gost(_) => algorithm == self.algorithm,
        };
        if !allowed {
            return Err(SignError::AlgorithmNotForKey {
                requested: algorithm,
                key: self.algorithm,
            });
        }
        self.algorithm = algorithm;
        Ok(self)
    }

    /// Reads PKCS#8 DER; `public_hint` is the public key of the certificate it came with, used
    /// when an EC key does not carry its own public key (RFC 5915 makes it optional, ring needs
    /// it).
    pub(crate) fn from_pkcs8_der_with_public(
        der: &[u8],
        public_hint: Option<&[u8]>,
    ) -> Result<Self, SignError> {
        // The algorithm first, from the outline, so that a key this crate does not implement
        // is named even when its inner structure is unusual (the center's GOST keys).
        let oid = algorithm_oid(der)?;
        match oid {
            RSA_ENCRYPTION | EC_PUBLIC_KEY | ED25519 => {}
            other if gost_algorithm(&other).is_some() => return Self::gost(der),
            other => return Err(unsupported(&other)),
        }
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| der_error(e, "PKCS#8"))?;
        match oid {
            RSA_ENCRYPTION => {
                let pair = RsaKeyPair::from_der(info.private_key).map_err(rejected)?;
                Self::rsa(pair)
            }
            EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|e| SignError::Malformed {
                        offset: 0,
                        what: format!("PKCS#8 EC curve: {e}"),
                    })?;
                Self::ecdsa(info.private_key, Some(curve), info.public_key, public_hint)
            }
            _ => {
                // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING (the 32-byte seed).
                let seed = OctetStringRef::from_der(info.private_key)
                    .map_err(|e| der_error(e, "Ed25519 private key"))?;
                let pair = match info.public_key {
                    Some(public) => {
                        Ed25519KeyPair::from_seed_and_public_key(seed.as_bytes(), public)
                    }
                    None => Ed25519KeyPair::from_seed_unchecked(seed.as_bytes()),
                }
                .map_err(rejected)?;
                let spki = spki_der(ED25519, None, pair.public_key().as_ref())?;
                Ok(Self {
                    inner: Inner::Ed25519(pair),
                    algorithm: SignatureAlgorithm::Ed25519,
                    spki_der: spki,
                })
            }
        }
    }

    /// A GOST key from PKCS#8 DER (its algorithm one of [`gost_algorithm`]'s): the scalar
    /// through `eds-gost`, the SubjectPublicKeyInfo with the PKCS#8 algorithm identifier as it
    /// is (so it equals the certificate's) and the public key `d·P` computed here.
    fn gost(der: &[u8]) -> Result<Self, SignError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| der_error(e, "PKCS#8"))?;
        let algorithm =
            gost_algorithm(&info.algorithm.oid).ok_or_else(|| unsupported(&info.algorithm.oid))?;
        let (key, row) = eds_gost::private_key_from_pkcs8(der).map_err(|e| match e {
            eds_gost::Error::Malformed { detail } => SignError::Malformed {
                offset: 0,
                what: format!("GOST private key: {detail}"),
            },
            eds_gost::Error::UnknownAlgorithm { oid }
            | eds_gost::Error::UnknownParamSet { oid } => {
                let name = format!("GOST parameter set {oid}");
                SignError::UnsupportedAlgorithm { oid, name }
            }
            other => SignError::InvalidKey {
                reason: format!("GOST private key: {other}"),
            },
        })?;
        let parameters = info
            .algorithm
            .parameters
            .map(|p| Any::from_der(&p.to_der()?))
            .transpose()
            .map_err(|e| der_error(e, "GOST key parameters"))?;
        let point = OctetStringRef::new(&key.public_key().to_le_xy())
            .and_then(|o| o.to_der())
            .map_err(|e| der_error(e, "GOST public key"))?;
        let spki = spki_der(info.algorithm.oid, parameters, &point)?;
        Ok(Self {
            inner: Inner::Gost(GostKey {
                key,
                encoding: row.encoding,
            }),
            algorithm,
            spki_der: spki,
        })
    }

    fn rsa(pair: RsaKeyPair) -> Result<Self, SignError> {
        // ring checks the components on import but not all of dP and dQ (an even one, yes;
        // damage in the middle, no): such a key, from a corrupt file without a MAC as the
        // fuzzer found, fails only when ring checks its own signature. One trial signature
        // turns that into a load error instead of a signing failure later. The system
        // generator only blinds the operation; the result is thrown away.
        let mut trial = vec![0u8; pair.public().modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            b"trial",
            &mut trial,
        )
        .map_err(|_| SignError::InvalidKey {
            reason: "the RSA key's private components are inconsistent".into(),
        })?;
        let null = Any::encode_from(&Null).map_err(|e| der_error(e, "RSA parameters"))?;
        let spki = spki_der(RSA_ENCRYPTION, Some(null), pair.public_key().as_ref())?;
        Ok(Self {
            inner: Inner::Rsa(pair),
            algorithm: SignatureAlgorithm::RsaPkcs1Sha256,
            spki_der: spki,
        })
    }

    /// An ECDSA key from `ECPrivateKey` DER; `curve` from the PKCS#8 AlgorithmIdentifier
    /// (when there is one) must agree with the key's own `parameters`. The public key is the
    /// key's own, else PKCS#8 v2's `publicKey` (`outer_public`), else the certificate's.
    fn ecdsa(
        ec_private_key: &[u8],
        curve: Option<ObjectIdentifier>,
        outer_public: Option<&[u8]>,
        public_hint: Option<&[u8]>,
    ) -> Result<Self, SignError> {
        let key =
            EcPrivateKey::from_der(ec_private_key).map_err(|e| der_error(e, "EC private key"))?;
        if key.version != 1 {
            return Err(SignError::Malformed {
                offset: 0,
                what: format!("EC private key: version {} (expected 1)", key.version),
            });
        }
        let curve = match (curve, key.parameters) {
            (Some(a), Some(b)) if a != b => {
                return Err(SignError::Malformed {
                    offset: 0,
                    what: format!("EC private key: curve {b} differs from {a} of PKCS#8"),
                });
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                return Err(SignError::Malformed {
                    offset: 0,
                    what: "EC private key: no curve named".into(),
                });
            }
        };
        let (alg, size, algorithm): (&'static EcdsaSigningAlgorithm, usize, _) = match curve {
            P256 => (
                &ECDSA_P256_SHA256_ASN1_SIGNING,
                32,
                SignatureAlgorithm::EcdsaP256Sha256,
            ),
            P384 => (
                &ECDSA_P384_SHA384_ASN1_SIGNING,
                48,
                SignatureAlgorithm::EcdsaP384Sha384,
            ),
            other => return Err(unsupported(&other)),
        };
        // Some writers drop the scalar's leading zero octets; ring wants the full width.
        let scalar = key.private_key.as_bytes();
        if scalar.len() > size {
            return Err(SignError::InvalidKey {
                reason: format!(
                    "EC private key of {} bytes on a {size}-byte curve",
                    scalar.len()
                ),
            });
        }
        let mut padded = zeroize::Zeroizing::new(vec![0u8; size - scalar.len()]);
        padded.extend_from_slice(scalar);
        let own = match key.public_key {
            Some(bits) => Some(bits.as_bytes().ok_or_else(|| SignError::Malformed {
                offset: 0,
                what: "EC public key with unused bits".into(),
            })?),
            None => outer_public,
        };
        let (public, from_certificate) = match (own, public_hint) {
            (Some(public), _) => (public, false),
            (None, Some(hint)) => (hint, true),
            (None, None) => {
                return Err(SignError::InvalidKey {
                    reason: "the EC private key does not carry its public key".into(),
                });
            }
        };
        // Key construction mixes fresh randomness into ring's nonce derivation (hardening
        // against a weak signing RNG); it shapes no output a test could pin, so the system
        // generator is used here and the caller's generator at signing time.
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            alg,
            &padded,
            public,
            &SystemRandom::new(),
        )
        .map_err(|e| {
            if from_certificate {
                SignError::KeyCertificateMismatch
            } else {
                rejected(e)
            }
        })?;
        let params = Any::encode_from(&curve).map_err(|e| der_error(e, "EC curve"))?;
        let spki = spki_der(EC_PUBLIC_KEY, Some(params), pair.public_key().as_ref())?;
        Ok(Self {
            inner: Inner::Ecdsa(pair),
            algorithm,
            spki_der: spki,
        })
    }
}

impl SigningKey for RingSigningKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key_info_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    fn sign(&self, message: &[u8], rng: &dyn SecureRandom) -> Result<Vec<u8>, SignError> {
        let failed = |what: &str| SignError::Signing {
            reason: format!("{what} signing failed"),
        };
        match &self.inner {
            Inner::Ecdsa(pair) => pair
                .sign(rng, message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| failed("ecdsa")),
            Inner::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Inner::Rsa(pair) => {
                let padding: &'static dyn ring::signature::RsaEncoding = match self.algorithm {
                    SignatureAlgorithm::RsaPssSha256 => &RSA_PSS_SHA256,
                    _ => &RSA_PKCS1_SHA256,
                };
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, rng, message, &mut signature)
                    .map_err(|_| failed("rsa"))?;
                Ok(signature)
            }
            Inner::Gost(gost) => {
                gost.key
                    .sign(gost.encoding, message)
                    .map_err(|e| SignError::Signing {
                        reason: format!("GOST signing failed: {e}"),
                    })
            }
        }
    }
}

impl fmt::Debug for RingSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingSigningKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// ECPrivateKey (RFC 5915 §3).
#[derive(Sequence)]
struct EcPrivateKey<'a> {
    version: u8,
    private_key: OctetStringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    parameters: Option<ObjectIdentifier>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    public_key: Option<BitStringRef<'a>>,
}

/// The signature algorithm of a GOST key algorithm this crate signs with: the TC26 keys of
/// RFC 9215 §3 and the national center's 2015 key (`eds_gost`'s table, 2004 rows excluded: their
/// hash, GOST 34.311-95, is not one the CMS builder computes).
fn gost_algorithm(oid: &ObjectIdentifier) -> Option<SignatureAlgorithm> {
    let row = eds_gost::algorithm(oid).filter(|a| a.kind == eds_gost::Kind::PublicKey)?;
    match (row.encoding, row.hash) {
        (eds_gost::Encoding::Tc26, eds_gost::Hash::Streebog256) => {
            Some(SignatureAlgorithm::Gost256)
        }
        (eds_gost::Encoding::Tc26, eds_gost::Hash::Streebog512) => {
            Some(SignatureAlgorithm::Gost512)
        }
        (eds_gost::Encoding::Nca, eds_gost::Hash::Streebog512) => {
            Some(SignatureAlgorithm::GostNca512)
        }
        _ => None,
    }
}

/// The privateKeyAlgorithm OID of a PrivateKeyInfo, read from the outline only (version,
/// AlgorithmIdentifier, privateKey; RFC 5958 §2).
fn algorithm_oid(der: &[u8]) -> Result<ObjectIdentifier, SignError> {
    let not_pkcs8 = || SignError::Malformed {
        offset: 0,
        what: "PKCS#8: not a PrivateKeyInfo".into(),
    };
    let top = ber::read_tlv(der, 0).ok_or_else(not_pkcs8)?;
    let fields = ber::children(top.value).ok_or_else(not_pkcs8)?;
    let alg = fields.get(1).ok_or_else(not_pkcs8)?;
    let oid = ber::read_tlv(alg.value, 0).ok_or_else(not_pkcs8)?;
    ObjectIdentifier::from_der(oid.raw).map_err(|e| der_error(e, "PKCS#8 algorithm"))
}

fn spki_der(
    oid: ObjectIdentifier,
    parameters: Option<Any>,
    public_key: &[u8],
) -> Result<Vec<u8>, SignError> {
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: BitString::from_bytes(public_key)
            .map_err(|e| der_error(e, "public key"))?,
    }
    .to_der()
    .map_err(|e| der_error(e, "public key"))
}

fn rejected(err: ring::error::KeyRejected) -> SignError {
    SignError::InvalidKey {
        reason: format!("the key is rejected: {err}"),
    }
}
