//! Loading a private key file: PKCS#8 (RFC 5958) as PEM or DER, plain (`PRIVATE KEY`, §2) or
//! encrypted (`ENCRYPTED PRIVATE KEY`, §3) under PBES2 (RFC 8018 §6.2) or a PKCS#12 PBE
//! scheme (RFC 7292 appendix C); also the legacy OpenSSL forms `RSA PRIVATE KEY` (PKCS#1,
//! RFC 8017 appendix A.1.2) and `EC PRIVATE KEY` (SEC1, RFC 5915), unencrypted.

use der::Decode;
use zeroize::Zeroizing;

use super::pbe::{self, Password};
use super::{
    KeyLoadLimits, RingSigningKey, Shape, ber, classify, der_error, describe_labels, pem_position,
    within,
};
use crate::key::SignError;

/// Loads a private key from `bytes` (PEM or DER, RFC 5958 / RFC 7468), decrypting it with
/// `password` when it is encrypted (RFC 8018; the password is not needed, and not used, for a
/// plain key). Limits are [`KeyLoadLimits::default`].
///
/// PEM text may hold other blocks (OpenSSL's "Bag Attributes" lines, certificates): the first
/// key block counts. Errors: [`SignError::WrongPassword`], [`SignError::PasswordRequired`],
/// [`SignError::NotPkcs8`] naming what the file is (a certificate, a PKCS#12 file, a PEM block
/// with another label), [`SignError::Malformed`] with the byte offset,
/// [`SignError::UnsupportedAlgorithm`] (the center's 2004 GOST keys among others).
pub fn load_pkcs8(bytes: &[u8], password: Option<&[u8]>) -> Result<RingSigningKey, SignError> {
    load_pkcs8_with_limits(bytes, password, &KeyLoadLimits::default())
}

/// [`load_pkcs8`] with explicit bounds on the password-derivation work (RFC 8018 §4.2).
pub fn load_pkcs8_with_limits(
    bytes: &[u8],
    password: Option<&[u8]>,
    limits: &KeyLoadLimits,
) -> Result<RingSigningKey, SignError> {
    if let Some(pos) = pem_position(bytes) {
        return load_pem(bytes, pos, password, limits);
    }
    if bytes.is_empty() {
        return Err(SignError::NotPkcs8 {
            found: "an empty file".into(),
        });
    }
    if bytes.first() != Some(&0x30) {
        return Err(SignError::NotPkcs8 {
            found: "data that is neither PEM nor DER".into(),
        });
    }
    load_der(bytes, password, limits)
}

/// The PEM path: picks the first block with a key label.
fn load_pem(
    bytes: &[u8],
    pos: usize,
    password: Option<&[u8]>,
    limits: &KeyLoadLimits,
) -> Result<RingSigningKey, SignError> {
    let blocks = pem::parse_many(bytes).map_err(|e| SignError::Malformed {
        offset: pos,
        what: format!("PEM: {e}"),
    })?;
    for block in &blocks {
        let label = block.tag();
        let legacy = matches!(label, "RSA PRIVATE KEY" | "EC PRIVATE KEY");
        if legacy && block.headers().get("Proc-Type").is_some() {
            // RFC 1421 encryption (DEK-Info), which OpenSSL's `-traditional` writes.
            return Err(SignError::NotPkcs8 {
                found: format!(
                    "a {label} under OpenSSL's legacy PEM encryption (convert it with \
                     `openssl pkcs8 -topk8`)"
                ),
            });
        }
        let key = match label {
            "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                load_der(block.contents(), password, limits)
            }
            _ => continue,
        };
        return key.map_err(|e| within(e, &format!("PEM block {label}")));
    }
    Err(SignError::NotPkcs8 {
        found: describe_labels(blocks.iter().map(pem::Pem::tag)),
    })
}

/// The DER path: normalises BER (X.690), then tells the forms apart by their outline.
fn load_der(
    bytes: &[u8],
    password: Option<&[u8]>,
    limits: &KeyLoadLimits,
) -> Result<RingSigningKey, SignError> {
    let der = Zeroizing::new(ber::ber_to_der(bytes)?);
    match classify(&der) {
        Shape::PrivateKeyInfo => RingSigningKey::from_pkcs8_der(&der),
        Shape::EncryptedPrivateKeyInfo => {
            let password = password.ok_or(SignError::PasswordRequired)?;
            let password = Password::from_bytes(password);
            let plain = decrypt_private_key_info(&der, &password, limits, false)?;
            RingSigningKey::from_pkcs8_der(&plain)
        }
        Shape::RsaPrivateKey => RingSigningKey::from_rsa_der(&der),
        Shape::EcPrivateKey => RingSigningKey::from_sec1_der(&der),
        other => Err(SignError::NotPkcs8 {
            found: other.describe().to_owned(),
        }),
    }
}

/// Decrypts an `EncryptedPrivateKeyInfo` DER (RFC 5958 §3) into `PrivateKeyInfo` DER.
///
/// A wrong password shows as bad padding or, once in 256 times, as good padding around bytes
/// that are not a key: both are [`SignError::WrongPassword`] — unless `integrity` says a MAC
/// already proved the password (PKCS#12), in which case bytes that are not a key are
/// [`SignError::Malformed`].
pub(crate) fn decrypt_private_key_info(
    der: &[u8],
    password: &Password,
    limits: &KeyLoadLimits,
    integrity: bool,
) -> Result<Zeroizing<Vec<u8>>, SignError> {
    let info = pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(der)
        .map_err(|e| der_error(e, "EncryptedPrivateKeyInfo"))?;
    let plain = pbe::decrypt(
        &info.encryption_algorithm,
        info.encrypted_data.as_bytes(),
        password,
        limits,
    )?;
    let not_a_key = |what: String| {
        if integrity {
            SignError::Malformed {
                offset: 0,
                what: format!("decrypted key: {what}"),
            }
        } else {
            SignError::WrongPassword
        }
    };
    let plain = Zeroizing::new(ber::ber_to_der(&plain).map_err(|e| not_a_key(e.to_string()))?);
    match classify(&plain) {
        Shape::PrivateKeyInfo => Ok(plain),
        other => Err(not_a_key(format!(
            "{} instead of a PKCS#8 key",
            other.describe()
        ))),
    }
}
