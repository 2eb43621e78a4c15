//! An owner's key on a PKCS#11 token (a smart card, a USB token, SoftHSM2 in the tests) as a
//! [`SigningKey`]: the key never leaves the token; the signed attributes are hashed here and
//! the digest signed there (`C_Sign`, CKM_ECDSA), giving the same CMS as a key from a file.

use ring::rand::SecureRandom;

use eds_pkcs11::{Curve, TokenKey};

use crate::{SignError, SignatureAlgorithm, SigningKey};

impl SigningKey for TokenKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        match self.curve() {
            Curve::P384 => SignatureAlgorithm::EcdsaP384Sha384,
            _ => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    fn public_key_info_der(&self) -> Vec<u8> {
        self.spki_der().to_vec()
    }

    /// The token makes its own nonce: `rng` is not used.
    fn sign(&self, message: &[u8], _rng: &dyn SecureRandom) -> Result<Vec<u8>, SignError> {
        TokenKey::sign(self, message).map_err(|e| SignError::Signing {
            reason: e.to_string(),
        })
    }
}
