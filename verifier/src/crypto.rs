//! Signature verification and digests through `ring`, chosen by the X.509/CMS algorithm
//! identifiers (RFC 3279, RFC 4055, RFC 5758, RFC 8410, RFC 5754).
//!
//! Every signature the verifier checks — on signed attributes, certificates, CRLs, OCSP responses,
//! timestamp tokens — goes through [`verify`], so the allowed-algorithm policy lives in one place:
//! ECDSA P-256/P-384 with SHA-256/384, Ed25519, RSA PKCS#1 v1.5 and PSS with SHA-256/384/512 and
//! keys of 2048 bits or more, and through the crate `eds-gost` GOST R 34.10-2012 / ST RK GOST
//! 34.10-2015 (256 and 512 bits, Streebog) and the national center's 2004 generation (ST RK
//! 34.310-2004 over ST RK 34.311-95): its one table maps the TC26 identifiers (RFC 9215) and the
//! center's (`1.2.398.3.10.*`) to size, hash and signature byte order. SHA-1 signatures are
//! refused as too weak; the older Russian GOST R 34.10-2001/94 identifiers (`1.2.643.2.2.*`) are
//! recognised and reported as unsupported.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Reader};
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};

/// `id-sha1` (RFC 3279).
pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256` (RFC 5754).
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384` (RFC 5754).
pub const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512` (RFC 5754).
pub const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// `id-tc26-gost3411-12-256` (RFC 9215 §3): Streebog-256.
pub const STREEBOG256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.2");
/// `id-tc26-gost3411-12-512` (RFC 9215 §3): Streebog-512.
pub const STREEBOG512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.3");
/// The national center's ST RK 34.311-95 (GOST R 34.11-94, test S-box).
pub const GOST3411_94: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.398.3.10.1.3.1");

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ECDSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA1_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
/// The GOST arcs (RFC 4491, RFC 9215, the Russian/Kazakh standards): `1.2.643.*` and the
/// Kazakh national arc `1.2.398.3.10.*` used by the national center's GOST certificates.
const GOST_ARCS: [&[u64]; 2] = [&[1, 2, 643], &[1, 2, 398, 3, 10]];
/// secp192r1 (NIST P-192): below the 112-bit security floor.
const P192: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.1");
/// id-dsa (RFC 3279 §2.3.2).
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus the crypto backend verifies, in bits.
pub const MAX_RSA_BITS: usize = 8192;

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The algorithm is recognised but this toolkit has no implementation (the Russian GOST R
    /// 34.10-2001/94 identifiers `1.2.643.2.2.*`, a GOST parameter set outside the table).
    #[error("signature algorithm {algorithm} is not supported")]
    Unsupported {
        /// Name or dotted OID of the algorithm.
        algorithm: String,
    },
    /// The algorithm is known and refused by policy (SHA-1, ECDSA with SHA-512 on a curve ring
    /// lacks, RSA keys under 2048 bits).
    #[error("signature algorithm {algorithm} is not allowed: {why}")]
    Disallowed {
        /// Name of the algorithm.
        algorithm: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// The signature algorithm does not fit the key (an RSA signature for an EC key, a P-256
    /// signature algorithm for a P-384 key…).
    #[error("signature algorithm {algorithm} does not fit the {key} public key")]
    KeyMismatch {
        /// The signature algorithm.
        algorithm: String,
        /// The key's algorithm.
        key: String,
    },
    /// Algorithm parameters or the public key do not decode.
    #[error("malformed algorithm parameters or public key: {detail}")]
    Malformed {
        /// What did not decode.
        detail: String,
    },
    /// The signature value does not verify.
    #[error("the signature value does not verify with the public key")]
    BadSignature,
}

/// A digest algorithm the verifier can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Digest {
    /// SHA-1 (only for identifiers such as OCSP CertIDs, never for signatures).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// Streebog-256 (GOST R 34.11-2012, RFC 6986).
    Streebog256,
    /// Streebog-512 (GOST R 34.11-2012, RFC 6986).
    Streebog512,
    /// ST RK 34.311-95: GOST R 34.11-94 with its test S-box, the national center's 2004 hash.
    Gost3411_94,
}

/// A streaming digest computation (ring's for SHA, RustCrypto's `streebog` for GOST).
pub enum DigestContext {
    /// SHA-1/2 through ring.
    Ring(ring::digest::Context),
    /// Streebog-256.
    Streebog256(streebog::Streebog256),
    /// Streebog-512.
    Streebog512(streebog::Streebog512),
    /// GOST R 34.11-94 (test S-box).
    Gost3411_94(gost94::Gost94Test),
}

impl DigestContext {
    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        use streebog::Digest as _;
        match self {
            Self::Ring(c) => c.update(data),
            Self::Streebog256(c) => c.update(data),
            Self::Streebog512(c) => c.update(data),
            Self::Gost3411_94(c) => c.update(data),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        use streebog::Digest as _;
        match self {
            Self::Ring(c) => c.finish().as_ref().to_vec(),
            Self::Streebog256(c) => c.finalize().to_vec(),
            Self::Streebog512(c) => c.finalize().to_vec(),
            Self::Gost3411_94(c) => c.finalize().to_vec(),
        }
    }
}

impl Digest {
    /// The digest named by an OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            SHA1 => Some(Self::Sha1),
            SHA256 => Some(Self::Sha256),
            SHA384 => Some(Self::Sha384),
            SHA512 => Some(Self::Sha512),
            _ => match eds_gost::algorithm(oid) {
                Some(a) if a.kind == eds_gost::Kind::Digest => Some(match a.hash {
                    eds_gost::Hash::Streebog256 => Self::Streebog256,
                    eds_gost::Hash::Streebog512 => Self::Streebog512,
                    eds_gost::Hash::Gost94Test => Self::Gost3411_94,
                }),
                _ => None,
            },
        }
    }

    /// The OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => SHA1,
            Self::Sha256 => SHA256,
            Self::Sha384 => SHA384,
            Self::Sha512 => SHA512,
            Self::Streebog256 => STREEBOG256,
            Self::Streebog512 => STREEBOG512,
            Self::Gost3411_94 => GOST3411_94,
        }
    }

    /// ring's algorithm, for the SHA family.
    pub fn ring(self) -> Option<&'static ring::digest::Algorithm> {
        match self {
            Self::Sha1 => Some(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            Self::Sha256 => Some(&ring::digest::SHA256),
            Self::Sha384 => Some(&ring::digest::SHA384),
            Self::Sha512 => Some(&ring::digest::SHA512),
            Self::Streebog256 | Self::Streebog512 | Self::Gost3411_94 => None,
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 | Self::Streebog256 | Self::Gost3411_94 => 32,
            Self::Sha384 => 48,
            Self::Sha512 | Self::Streebog512 => 64,
        }
    }

    /// Digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut context = self.context();
        context.update(data);
        context.finish()
    }

    /// A streaming context.
    pub fn context(self) -> DigestContext {
        match self.ring() {
            Some(algorithm) => DigestContext::Ring(ring::digest::Context::new(algorithm)),
            None if self == Self::Streebog256 => {
                DigestContext::Streebog256(streebog::Streebog256::default())
            }
            None if self == Self::Gost3411_94 => {
                DigestContext::Gost3411_94(gost94::Gost94Test::default())
            }
            None => DigestContext::Streebog512(streebog::Streebog512::default()),
        }
    }

    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Streebog256 => "Streebog-256",
            Self::Streebog512 => "Streebog-512",
            Self::Gost3411_94 => "GOST 34.311-95",
        }
    }
}

/// A human name for a signature or key algorithm OID (the dotted OID when unknown).
pub fn algorithm_name(oid: &ObjectIdentifier) -> String {
    let name = match *oid {
        EC_PUBLIC_KEY => "EC",
        ECDSA_SHA1 => "ECDSA with SHA-1",
        ECDSA_SHA256 => "ECDSA with SHA-256",
        ECDSA_SHA384 => "ECDSA with SHA-384",
        ECDSA_SHA512 => "ECDSA with SHA-512",
        ED25519 => "Ed25519",
        RSA_ENCRYPTION => "RSA",
        SHA1_RSA => "RSA PKCS#1 v1.5 with SHA-1",
        SHA256_RSA => "RSA PKCS#1 v1.5 with SHA-256",
        SHA384_RSA => "RSA PKCS#1 v1.5 with SHA-384",
        SHA512_RSA => "RSA PKCS#1 v1.5 with SHA-512",
        RSASSA_PSS => "RSASSA-PSS",
        _ if eds_gost::algorithm(oid).is_some() => {
            return eds_gost::algorithm(oid).map_or_else(String::new, |a| a.name.to_owned());
        }
        _ if is_gost(oid) => return format!("GOST R 34.10 ({oid})"),
        _ => return oid.to_string(),
    };
    name.to_owned()
}

/// Whether an OID lies under a GOST arc.
pub fn is_gost(oid: &ObjectIdentifier) -> bool {
    GOST_ARCS.iter().any(|prefix| {
        let mut arcs = oid.arcs();
        prefix
            .iter()
            .all(|want| arcs.next().map(u64::from) == Some(*want))
    })
}

/// Verifies `signature` over `message` with the key of `spki_der` (a DER SubjectPublicKeyInfo).
///
/// `digest` is the separate digest algorithm CMS carries (RFC 5652 §5.3); it is consulted only when
/// the signature algorithm names the key type alone (`rsaEncryption`, `id-ecPublicKey`), as
/// OpenSSL writes it.
pub fn verify(
    spki_der: &[u8],
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: Option<&ObjectIdentifier>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    // The common case of a batch, taken without decoding the key info: what the general path
    // below decides for these bytes and this algorithm (a unit test holds the two together).
    if signature_algorithm.oid == ECDSA_SHA256
        && let Some(key) = p256_point(spki_der)
    {
        return UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, key)
            .verify(message, signature)
            .map_err(|_| CryptoError::BadSignature);
    }
    verify_decoded(spki_der, signature_algorithm, digest, message, signature)
}

/// [`verify`] with the key info decoded (every key and algorithm).
fn verify_decoded(
    spki_der: &[u8],
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: Option<&ObjectIdentifier>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|e| CryptoError::Malformed {
        detail: format!("public key info: {e}"),
    })?;
    check_key(&spki)?;
    if is_gost_supported(&signature_algorithm.oid) || is_gost_supported(&spki.algorithm.oid) {
        return verify_gost(spki_der, &spki, signature_algorithm, message, signature);
    }
    if signature_algorithm.oid == RSASSA_PSS {
        let params = pss_params(signature_algorithm)?;
        if usize::from(params.salt) != params.hash.output_len() {
            return verify_pss_any_salt(&spki, &params, message, signature);
        }
    }
    let algorithm = choose(&spki, signature_algorithm, digest)?;
    let key = spki.subject_public_key.raw_bytes();
    UnparsedPublicKey::new(algorithm, key)
        .verify(message, signature)
        .map_err(|_| CryptoError::BadSignature)
}

/// The DER of a SubjectPublicKeyInfo of an id-ecPublicKey on the named curve P-256 (RFC 5480
/// §2), up to the subjectPublicKey's unused-bits octet (zero): 26 octets, then the 65 of an
/// uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The subjectPublicKey of `spki_der` when it is exactly a P-256 key info in the one DER form
/// ([`P256_SPKI_PREFIX`] and a 65-octet key), as [`verify`]'s general path would read it.
fn p256_point(spki_der: &[u8]) -> Option<&[u8]> {
    spki_der
        .strip_prefix(P256_SPKI_PREFIX.as_slice())
        .filter(|key| key.len() == 65)
}

/// Whether a public key (a DER SubjectPublicKeyInfo) is of an algorithm and size the verifier
/// accepts: RSA of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits, EC on P-256 or P-384, Ed25519,
/// GOST R 34.10-2012 or the national center's 2004 generation on a known curve with a point on
/// it. A small RSA key, P-192 and DSA are [`CryptoError::Disallowed`]; the Russian GOST R
/// 34.10-2001/94 identifiers and anything else [`CryptoError::Unsupported`]. A signature made with such a key is never called forged: its
/// check ends here, before the signature value is looked at.
pub fn check_public_key(spki_der: &[u8]) -> Result<(), CryptoError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|e| CryptoError::Malformed {
        detail: format!("public key info: {e}"),
    })?;
    check_key(&spki)
}

fn check_key(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<(), CryptoError> {
    let oid = spki.algorithm.oid;
    match oid {
        RSA_ENCRYPTION | RSASSA_PSS => {
            let bits = rsa_modulus_bits(spki.subject_public_key.raw_bytes())?;
            if bits < MIN_RSA_BITS {
                Err(CryptoError::Disallowed {
                    algorithm: format!("RSA-{bits}"),
                    why: "RSA keys under 2048 bits are refused (NIST SP 800-131A)",
                })
            } else if bits > MAX_RSA_BITS {
                Err(CryptoError::Unsupported {
                    algorithm: format!("RSA-{bits} (over {MAX_RSA_BITS} bits)"),
                })
            } else {
                Ok(())
            }
        }
        EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or_else(|| CryptoError::Malformed {
                    detail: "EC public key without a named curve".into(),
                })?;
            match curve {
                P256 | P384 => Ok(()),
                P192 => Err(CryptoError::Disallowed {
                    algorithm: "ECDSA on P-192".into(),
                    why: "curves under 256 bits are refused",
                }),
                other => Err(CryptoError::Unsupported {
                    algorithm: format!("ECDSA on curve {other}"),
                }),
            }
        }
        ED25519 => Ok(()),
        _ if is_gost_supported(&oid) => {
            let der = spki.to_der().map_err(|e| CryptoError::Malformed {
                detail: format!("public key info: {e}"),
            })?;
            eds_gost::public_key_from_spki(&der)
                .map(|_| ())
                .map_err(gost_error)
        }
        DSA => Err(CryptoError::Disallowed {
            algorithm: "DSA".into(),
            why: "DSA keys are refused (withdrawn by FIPS 186-5)",
        }),
        _ => Err(CryptoError::Unsupported {
            algorithm: format!("{} key", algorithm_name(&oid)),
        }),
    }
}

/// The bit length of an RSAPublicKey's modulus (RFC 8017 §A.1.1).
fn rsa_modulus_bits(key: &[u8]) -> Result<usize, CryptoError> {
    let malformed = |e: der::Error| CryptoError::Malformed {
        detail: format!("RSA public key: {e}"),
    };
    let mut reader = der::SliceReader::new(key).map_err(malformed)?;
    let modulus = reader
        .sequence(|r| {
            let n = der::asn1::UintRef::decode(r)?;
            let _e = der::asn1::UintRef::decode(r)?;
            Ok(n)
        })
        .map_err(malformed)?;
    let bytes = modulus.as_bytes();
    let Some(first) = bytes.first() else {
        return Ok(0);
    };
    let leading = usize::try_from(first.leading_zeros()).unwrap_or(0);
    Ok(bytes.len().saturating_mul(8).saturating_sub(leading))
}

fn choose(
    spki: &SubjectPublicKeyInfoRef<'_>,
    sig: &AlgorithmIdentifierOwned,
    digest: Option<&ObjectIdentifier>,
) -> Result<&'static dyn VerificationAlgorithm, CryptoError> {
    let key_oid = spki.algorithm.oid;
    // Named only when refused: the name is a String.
    let name = || algorithm_name(&sig.oid);
    if is_gost(&sig.oid) || is_gost(&key_oid) {
        // What `eds-gost` implements never reaches here (see `verify`): these are other GOST
        // identifiers (GOST R 34.10-2001/94 under 1.2.643.2.2).
        return Err(CryptoError::Unsupported { algorithm: name() });
    }
    let mismatch = || CryptoError::KeyMismatch {
        algorithm: algorithm_name(&sig.oid),
        key: algorithm_name(&key_oid),
    };
    let digest = digest.and_then(Digest::from_oid);
    match sig.oid {
        ECDSA_SHA256 | ECDSA_SHA384 | ECDSA_SHA512 | ECDSA_SHA1 | EC_PUBLIC_KEY => {
            if key_oid != EC_PUBLIC_KEY {
                return Err(mismatch());
            }
            let hash = match sig.oid {
                ECDSA_SHA256 => Digest::Sha256,
                ECDSA_SHA384 => Digest::Sha384,
                ECDSA_SHA512 => Digest::Sha512,
                ECDSA_SHA1 => Digest::Sha1,
                _ => digest.ok_or_else(|| CryptoError::Malformed {
                    detail: "id-ecPublicKey as signature algorithm needs a digest algorithm".into(),
                })?,
            };
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or_else(|| CryptoError::Malformed {
                    detail: "EC public key without a named curve".into(),
                })?;
            match (curve, hash) {
                (P256, Digest::Sha256) => Ok(&signature::ECDSA_P256_SHA256_ASN1),
                (P256, Digest::Sha384) => Ok(&signature::ECDSA_P256_SHA384_ASN1),
                (P384, Digest::Sha256) => Ok(&signature::ECDSA_P384_SHA256_ASN1),
                (P384, Digest::Sha384) => Ok(&signature::ECDSA_P384_SHA384_ASN1),
                (P256 | P384, Digest::Sha1) => Err(CryptoError::Disallowed {
                    algorithm: name(),
                    why: "SHA-1 signatures are refused (collisions are practical)",
                }),
                (P256 | P384, Digest::Streebog256 | Digest::Streebog512 | Digest::Gost3411_94) => {
                    Err(CryptoError::Unsupported {
                        algorithm: format!("ECDSA with {}", hash.name()),
                    })
                }
                (P256 | P384, Digest::Sha512) => Err(CryptoError::Disallowed {
                    algorithm: name(),
                    why: "ECDSA with SHA-512 is not implemented by the crypto backend",
                }),
                (other, _) => Err(CryptoError::Unsupported {
                    algorithm: format!("ECDSA on curve {other}"),
                }),
            }
        }
        ED25519 => {
            if key_oid != ED25519 {
                return Err(mismatch());
            }
            Ok(&signature::ED25519)
        }
        SHA1_RSA | SHA256_RSA | SHA384_RSA | SHA512_RSA | RSA_ENCRYPTION => {
            if key_oid != RSA_ENCRYPTION && key_oid != RSASSA_PSS {
                return Err(mismatch());
            }
            let hash = match sig.oid {
                SHA256_RSA => Digest::Sha256,
                SHA384_RSA => Digest::Sha384,
                SHA512_RSA => Digest::Sha512,
                SHA1_RSA => Digest::Sha1,
                _ => digest.ok_or_else(|| CryptoError::Malformed {
                    detail: "rsaEncryption as signature algorithm needs a digest algorithm".into(),
                })?,
            };
            match hash {
                Digest::Sha256 => Ok(&signature::RSA_PKCS1_2048_8192_SHA256),
                Digest::Sha384 => Ok(&signature::RSA_PKCS1_2048_8192_SHA384),
                Digest::Sha512 => Ok(&signature::RSA_PKCS1_2048_8192_SHA512),
                Digest::Sha1 => Err(CryptoError::Disallowed {
                    algorithm: name(),
                    why: "SHA-1 signatures are refused (collisions are practical)",
                }),
                Digest::Streebog256 | Digest::Streebog512 | Digest::Gost3411_94 => {
                    Err(CryptoError::Unsupported {
                        algorithm: format!("RSA with {}", hash.name()),
                    })
                }
            }
        }
        RSASSA_PSS => {
            if key_oid != RSA_ENCRYPTION && key_oid != RSASSA_PSS {
                return Err(mismatch());
            }
            match pss_hash(sig)? {
                Digest::Sha256 => Ok(&signature::RSA_PSS_2048_8192_SHA256),
                Digest::Sha384 => Ok(&signature::RSA_PSS_2048_8192_SHA384),
                Digest::Sha512 => Ok(&signature::RSA_PSS_2048_8192_SHA512),
                Digest::Sha1 => Err(CryptoError::Disallowed {
                    algorithm: name(),
                    why: "RSASSA-PSS with SHA-1 is refused",
                }),
                other => Err(CryptoError::Unsupported {
                    algorithm: format!("RSASSA-PSS with {}", other.name()),
                }),
            }
        }
        _ => Err(CryptoError::Unsupported { algorithm: name() }),
    }
}

/// Whether an OID is a GOST key or signature algorithm of `eds-gost`'s table (GOST R 34.10-2012
/// and the national center's 2015 and 2004 generations).
pub fn is_gost_supported(oid: &ObjectIdentifier) -> bool {
    eds_gost::algorithm(oid).is_some_and(|a| a.kind != eds_gost::Kind::Digest)
}

/// GOST (256/512, TC26 or national-center encoding, Streebog or the 2004 hash): the signature
/// algorithm and the key must both be in `eds-gost`'s table; the crate checks that their sizes
/// and hashes agree, the lengths,
/// `r, s ∈ [1, q-1]`, the point, and the equation.
fn verify_gost(
    spki_der: &[u8],
    spki: &SubjectPublicKeyInfoRef<'_>,
    signature_algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    if !is_gost_supported(&signature_algorithm.oid) || !is_gost_supported(&spki.algorithm.oid) {
        return Err(CryptoError::KeyMismatch {
            algorithm: algorithm_name(&signature_algorithm.oid),
            key: algorithm_name(&spki.algorithm.oid),
        });
    }
    eds_gost::verify_spki(spki_der, &signature_algorithm.oid, message, signature)
        .map_err(gost_error)
}

/// `eds-gost`'s refusals in this module's terms. A signature value that cannot be right (wrong
/// length, `r` or `s` outside `[1, q-1]`) is a signature that does not verify; a key off its
/// curve is malformed; an unknown parameter set is unsupported.
fn gost_error(e: eds_gost::Error) -> CryptoError {
    use eds_gost::Error as G;
    match e {
        G::BadSignature | G::RNotInRange | G::SNotInRange | G::SignatureLength { .. } => {
            CryptoError::BadSignature
        }
        G::KeyMismatch { signature, key } => CryptoError::KeyMismatch {
            algorithm: signature,
            key,
        },
        G::UnknownAlgorithm { oid } | G::UnknownParamSet { oid } => CryptoError::Unsupported {
            algorithm: format!("GOST with parameters {oid}"),
        },
        other => CryptoError::Malformed {
            detail: other.to_string(),
        },
    }
}

/// The RSASSA-PSS parameters this verifier handles: MGF1 over the signature's own hash.
struct PssParams {
    hash: Digest,
    salt: u16,
}

/// RSASSA-PSS parameters (RFC 4055 §3.1): the hash, MGF1 with the same hash, any salt length.
/// Other mask generation functions or an MGF1 hash other than the signature's are reported as
/// unsupported rather than guessed.
fn pss_params(sig: &AlgorithmIdentifierOwned) -> Result<PssParams, CryptoError> {
    let params = sig
        .parameters
        .as_ref()
        .ok_or_else(|| CryptoError::Malformed {
            detail: "RSASSA-PSS without parameters".into(),
        })?;
    let der = params.to_der().map_err(|e| CryptoError::Malformed {
        detail: e.to_string(),
    })?;
    let parsed =
        x509_cert::der::Decode::from_der(&der).map_err(|e: der::Error| CryptoError::Malformed {
            detail: format!("RSASSA-PSS parameters: {e}"),
        })?;
    let parsed: rsa_pss::Params = parsed;
    let hash = parsed
        .hash
        .as_ref()
        .map_or(Some(Digest::Sha1), |h| Digest::from_oid(&h.oid))
        .ok_or_else(|| CryptoError::Unsupported {
            algorithm: "RSASSA-PSS with an unknown hash".into(),
        })?;
    let mgf_hash = match &parsed.mask_gen {
        None => Digest::Sha1,
        Some(mgf) if mgf.oid == MGF1 => mgf
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<spki::AlgorithmIdentifierOwned>().ok())
            .and_then(|a| Digest::from_oid(&a.oid))
            .ok_or_else(|| CryptoError::Malformed {
                detail: "RSASSA-PSS MGF1 without a known hash".into(),
            })?,
        Some(_) => {
            return Err(CryptoError::Unsupported {
                algorithm: "RSASSA-PSS with a mask generation function other than MGF1".into(),
            });
        }
    };
    let salt = parsed.salt_len.unwrap_or(20);
    if mgf_hash != hash {
        return Err(CryptoError::Unsupported {
            algorithm: format!(
                "RSASSA-PSS with {}, MGF1 {}, salt {salt} (only MGF1 with the same hash)",
                hash.name(),
                mgf_hash.name()
            ),
        });
    }
    Ok(PssParams { hash, salt })
}

/// The hash of an RSASSA-PSS signature that ring verifies (salt as long as the hash).
fn pss_hash(sig: &AlgorithmIdentifierOwned) -> Result<Digest, CryptoError> {
    Ok(pss_params(sig)?.hash)
}

/// RSASSA-PSS with a salt length other than the hash's (OpenSSL signs with the longest salt the
/// key allows by default), which ring does not verify: the `rsa` crate's EMSA-PSS verification
/// (RFC 8017 §9.1.2) with the stated salt length. Public-key operation only.
fn verify_pss_any_salt(
    spki: &SubjectPublicKeyInfoRef<'_>,
    params: &PssParams,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use sha2::Digest as _;
    let key =
        rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes()).map_err(|e| {
            CryptoError::Malformed {
                detail: format!("RSA public key: {e}"),
            }
        })?;
    let salt = usize::from(params.salt);
    let outcome = match params.hash {
        Digest::Sha256 => key.verify(
            rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
            &sha2::Sha256::digest(message),
            signature,
        ),
        Digest::Sha384 => key.verify(
            rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
            &sha2::Sha384::digest(message),
            signature,
        ),
        Digest::Sha512 => key.verify(
            rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
            &sha2::Sha512::digest(message),
            signature,
        ),
        Digest::Sha1 => {
            return Err(CryptoError::Disallowed {
                algorithm: algorithm_name(&RSASSA_PSS),
                why: "RSASSA-PSS with SHA-1 is refused",
            });
        }
        other => {
            return Err(CryptoError::Unsupported {
                algorithm: format!("RSASSA-PSS with {}", other.name()),
            });
        }
    };
    outcome.map_err(|_| CryptoError::BadSignature)
}

mod rsa_pss {
    //! RSASSA-PSS-params (RFC 4055 §3.1); the `rsa` crate has the type but pulls a second
    //! big-number stack, so the four fields are declared here.
    use der::Sequence;
    use spki::AlgorithmIdentifierOwned;

    #[derive(Sequence)]
    pub(super) struct Params {
        #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
        pub(super) hash: Option<AlgorithmIdentifierOwned>,
        #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
        pub(super) mask_gen: Option<AlgorithmIdentifierOwned>,
        #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
        pub(super) salt_len: Option<u16>,
        #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
        pub(super) trailer: Option<u8>,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

    use super::*;

    fn algorithm(oid: ObjectIdentifier, parameters: Option<&[u8]>) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid,
            parameters: parameters.map(|p| der::Any::from_der(p).unwrap()),
        }
    }

    /// The P-256 shortcut of [`verify`] answers what the decoding path answers, for the key
    /// info it takes (valid and damaged points, good and bad signatures, parameters on the
    /// algorithm) and for the key infos it must leave alone (every single-octet change of the
    /// prefix, a shorter or longer key).
    #[test]
    fn ok_p256_shortcut_agrees_with_the_decoding_path() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let spki = [P256_SPKI_PREFIX.as_slice(), key.public_key().as_ref()].concat();
        assert_eq!(
            SubjectPublicKeyInfoRef::from_der(&spki)
                .unwrap()
                .subject_public_key
                .raw_bytes(),
            key.public_key().as_ref(),
            "the prefix is the DER the crate reads"
        );
        let message = b"signed attributes";
        let good = key.sign(&rng, message).unwrap().as_ref().to_vec();
        let mut bad = good.clone();
        if let Some(last) = bad.last_mut() {
            *last ^= 1;
        }
        let mut spkis = vec![spki.clone()];
        for i in 0..spki.len() {
            let mut changed = spki.clone();
            changed[i] ^= 0x01;
            spkis.push(changed);
        }
        spkis.push(spki[..spki.len() - 1].to_vec());
        spkis.push([spki.as_slice(), &[0]].concat());
        let algorithms = [
            algorithm(ECDSA_SHA256, None),
            algorithm(ECDSA_SHA256, Some(&[0x05, 0x00])),
            algorithm(ECDSA_SHA384, None),
        ];
        let mut shortcut_taken = 0;
        for spki in &spkis {
            for alg in &algorithms {
                for sig in [&good, &bad] {
                    for msg in [message.as_slice(), b"other".as_slice()] {
                        let fast = verify(spki, alg, Some(&SHA256), msg, sig);
                        let general = verify_decoded(spki, alg, Some(&SHA256), msg, sig);
                        assert_eq!(fast, general, "key info {spki:02x?}, {alg:?}");
                        if alg.oid == ECDSA_SHA256 && p256_point(spki).is_some() {
                            shortcut_taken += 1;
                        }
                    }
                }
            }
        }
        // The unchanged key info and the ones whose point octets changed: 66 key infos (the
        // prefix's 26 octets refuse it), 2 algorithms, 2 signatures, 2 messages.
        assert_eq!(shortcut_taken, 66 * 2 * 2 * 2);
        assert_eq!(verify(&spki, &algorithms[0], None, message, &good), Ok(()));
        assert_eq!(
            verify(&spki, &algorithms[0], None, message, &bad),
            Err(CryptoError::BadSignature)
        );
    }
}
