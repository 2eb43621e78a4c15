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
        }
    }
}

/// Why a key could not be loaded or could not sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The key refused to sign (a hardware failure, a locked token, an internal error).
    #[error("sign with the key: {reason}")]
    Signing {
        /// What the key said.
        reason: String,
    },
}

/// A private key that signs, wherever it lives (in memory, a token, an HSM).
pub trait SigningKey: Send + Sync {
    /// The algorithm the signature is made with.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// The SubjectPublicKeyInfo of the key, DER (to match it against a certificate).
    fn public_key_info_der(&self) -> Vec<u8>;

    /// Signs `message` (the DER of the signed attributes). ECDSA and RSA hash it with the
    /// algorithm's digest; Ed25519 signs it as is.
    fn sign(&self, message: &[u8], rng: &dyn SecureRandom) -> Result<Vec<u8>, SignError>;
}
