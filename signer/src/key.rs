//! The key trait signatures are made through, and the algorithms it may use.

use ring::rand::SecureRandom;

/// Digest algorithms of the signed attributes and content (RFC 5652 §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (2.16.840.1.101.3.4.2.1).
    Sha256,
    /// SHA-384 (2.16.840.1.101.3.4.2.2).
    Sha384,
    /// SHA-512 (2.16.840.1.101.3.4.2.3), the digest paired with Ed25519 (RFC 8419 §3.1).
    Sha512,
    /// Streebog-256, GOST R 34.11-2012 (RFC 6986), as `id-tc26-gost3411-12-256`
    /// (1.2.643.7.1.1.2.2, RFC 9215 §3).
    Streebog256,
    /// Streebog-512 as `id-tc26-gost3411-12-512` (1.2.643.7.1.1.2.3, RFC 9215 §3).
    Streebog512,
    /// Streebog-512 under the national center's identifier 1.2.398.3.10.1.3.3 (the same hash;
    /// see `fixtures/nca/README.md`).
    Streebog512Nca,
}

/// Signature algorithms this crate produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA on P-256 with SHA-256 (RFC 5753, RFC 5754).
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384Sha384,
    /// Ed25519, pure (RFC 8419): signs the DER of the signed attributes, digest SHA-512.
    Ed25519,
    /// RSA PKCS#1 v1.5 with SHA-256 (RFC 3370 §3.2, RFC 5754).
    RsaPkcs1Sha256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (RFC 4056).
    RsaPssSha256,
    /// GOST R 34.10-2012 with a 256-bit key over Streebog-256, TC26 identifiers and layout
    /// (RFC 9215 §2.2.2: `s‖r`, each big-endian), through the crate `eds-gost`.
    Gost256,
    /// GOST R 34.10-2012 with a 512-bit key over Streebog-512, TC26 identifiers and layout.
    Gost512,
    /// ST RK GOST 34.10-2015 with a 512-bit key over Streebog-512 as the Kazakh national center
    /// writes it: its identifiers under 1.2.398.3.10 and its layout (`r‖s`, each little-endian).
    GostNca512,
}

impl SignatureAlgorithm {
    /// The digest this algorithm is paired with in CMS.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::EcdsaP384Sha384 => DigestAlgorithm::Sha384,
            Self::Ed25519 => DigestAlgorithm::Sha512,
            Self::EcdsaP256Sha256 | Self::RsaPkcs1Sha256 | Self::RsaPssSha256 => {
                DigestAlgorithm::Sha256
            }
            Self::Gost256 => DigestAlgorithm::Streebog256,
            Self::Gost512 => DigestAlgorithm::Streebog512,
            Self::GostNca512 => DigestAlgorithm::Streebog512Nca,
        }
    }
}

/// Why a key could not be loaded or could not sign.
///
/// The loading variants follow the files they come from: PKCS#8 (RFC 5958), its encryption
/// (PBES2 and PBES1, RFC 8018), PKCS#12 (RFC 7292) and the BER/DER encodings under them (X.690).
/// Each distinct failure has its own variant so that a caller (the CLI) can give the right hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The key refused to sign (a hardware failure, a locked token, an internal error).
    #[error("sign with the key: {reason}")]
    Signing {
        /// What the key said.
        reason: String,
    },
    /// The password is wrong: the PKCS#12 MAC does not verify (RFC 7292 §5.1), or decryption
    /// ends in bad padding or in bytes that are not a key (RFC 8018 §6.1.2 step 5, §6.2.2).
    #[error("open the key: wrong password")]
    WrongPassword,
    /// The key is encrypted (RFC 5958 §3) and no password was given.
    #[error("open the key: it is encrypted and no password was given")]
    PasswordRequired,
    /// The file is not a PKCS#12 PFX (RFC 7292 §4); `found` names what it is instead.
    #[error("read a PKCS#12 file: found {found}")]
    NotPkcs12 {
        /// What the file turned out to be ("a PEM block labelled CERTIFICATE", "an X.509
        /// certificate", …).
        found: String,
    },
    /// The file is not a private key (RFC 5958 §2, §3); `found` names what it is instead.
    #[error("read a PKCS#8 private key: found {found}")]
    NotPkcs8 {
        /// What the file turned out to be.
        found: String,
    },
    /// The encoding is broken (X.690 §8, §10): a length runs past the end, a field is missing
    /// or has the wrong type.
    #[error("parse the key file: {what} at byte {offset}")]
    Malformed {
        /// Byte position of the fault, counted in the structure `what` names first (the file
        /// itself unless `what` starts with the name of an inner, decrypted structure).
        offset: usize,
        /// What is wrong, led by the structure it was found in.
        what: String,
    },
    /// The key or its protection uses an algorithm this crate does not implement: a GOST
    /// 34.310-2004 key (the 2015 generation and GOST R 34.10-2012 sign), RC4 encryption, a
    /// public-key protected PKCS#12.
    #[error("use {name} ({oid}): not supported yet")]
    UnsupportedAlgorithm {
        /// The object identifier found in the file, dotted.
        oid: String,
        /// Its name ("GOST 34.310-2004 signing", …).
        name: String,
    },
    /// The private key does not belong to the certificate given with it: their
    /// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) differ.
    #[error(
        "pair the key with its certificate: the key does not match the certificate's public key"
    )]
    KeyCertificateMismatch,
    /// The PKCS#12 file holds no private key bag (RFC 7292 §4.2.1, §4.2.2).
    #[error("read the PKCS#12 file: it holds no private key")]
    NoKey,
    /// The PKCS#12 file holds no X.509 certificate bag (RFC 7292 §4.2.3).
    #[error("read the PKCS#12 file: it holds no certificate")]
    NoCertificate,
    /// The key material is inconsistent or of a size the backend refuses (ring's
    /// `KeyRejected`, e.g. an RSA modulus under 2048 bits).
    #[error("load the key: {reason}")]
    InvalidKey {
        /// What the backend said.
        reason: String,
    },
    /// The file asks for more password-derivation work than allowed (PBKDF2 or PKCS#12
    /// iterations, scrypt memory; RFC 8018 §5.2, RFC 7292 appendix B, RFC 7914 §2): a guard
    /// against files made to stall the loader.
    #[error("derive the key from the password: {parameter} {value} exceeds the limit {limit}")]
    KdfLimitExceeded {
        /// Which parameter ("iterations", "scrypt memory in bytes").
        parameter: &'static str,
        /// Its value in the file.
        value: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The signature algorithm asked for cannot be made with this key (PSS with an EC key).
    #[error("choose the signature algorithm: {requested:?} cannot be made with a {key:?} key")]
    AlgorithmNotForKey {
        /// The algorithm asked for.
        requested: SignatureAlgorithm,
        /// The algorithm the key signs with now.
        key: SignatureAlgorithm,
    },
}

/// A private key that signs, wherever it lives (in memory, a token, an HSM).
pub trait SigningKey: Send + Sync {
    /// The algorithm the signature is made with.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// The SubjectPublicKeyInfo of the key, DER (to match it against a certificate).
    fn public_key_info_der(&self) -> Vec<u8>;

    /// Signs `message` (the DER of the signed attributes). ECDSA, RSA and GOST hash it with the
    /// algorithm's digest; Ed25519 signs it as is.
    fn sign(&self, message: &[u8], rng: &dyn SecureRandom) -> Result<Vec<u8>, SignError>;
}
