//! Password-based decryption: PBES2 (RFC 8018 §6.2: PBKDF2 or scrypt with AES-CBC or
//! DES-EDE3-CBC) and the PKCS#12 PBE schemes (RFC 7292 appendix B key derivation, appendix C
//! algorithms: SHA-1 with 3-key or 2-key triple DES, 128-bit or 40-bit RC2 in CBC mode).
//!
//! The national center's files use pbeWithSHAAnd3-KeyTripleDES-CBC for the key and
//! pbeWithSHAAnd40BitRC2-CBC for the certificates; OpenSSL 3 writes PBES2 with
//! PBKDF2-HMAC-SHA256 and AES-256-CBC.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use pkcs8::pkcs5::pbes2;
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::pbe_params::Pkcs12PbeParams;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::{KeyLoadLimits, der_error, unsupported};
use crate::key::SignError;

/// pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 appendix C).
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
/// pbeWithSHAAnd2-KeyTripleDES-CBC.
const PBE_SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");
/// pbeWithSHAAnd128BitRC2-CBC.
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
/// pbeWithSHAAnd40BitRC2-CBC.
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
/// hmacWithSHA384 and hmacWithSHA512 (RFC 8018 appendix B.1.2).
const HMAC_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
const HMAC_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
/// id-PBES2 (RFC 8018 appendix A.4).
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");

/// A password in the two forms the schemes take it: the bytes as given (PBES2, RFC 8018 §3)
/// and the big-endian BMPString with two zero octets at the end (RFC 7292 appendix B.1).
pub(crate) struct Password {
    raw: Zeroizing<Vec<u8>>,
    /// `None` when the bytes are not UTF-8 (so no BMPString form exists).
    bmp: Option<Zeroizing<Vec<u8>>>,
}

impl Password {
    /// From text (PKCS#12 passwords are text).
    pub(crate) fn from_text(password: &str) -> Self {
        Self {
            raw: Zeroizing::new(password.as_bytes().to_vec()),
            bmp: Some(bmp_string(password)),
        }
    }

    /// From bytes (PKCS#8 passwords are bytes; the BMPString form exists when they are UTF-8).
    pub(crate) fn from_bytes(password: &[u8]) -> Self {
        Self {
            raw: Zeroizing::new(password.to_vec()),
            bmp: std::str::from_utf8(password).ok().map(bmp_string),
        }
    }

    /// The empty password as some writers encode it for the PKCS#12 KDF: no octets at all
    /// rather than the two-octet terminator (OpenSSL tries both, so does this crate).
    pub(crate) fn absent() -> Self {
        Self {
            raw: Zeroizing::new(Vec::new()),
            bmp: Some(Zeroizing::new(Vec::new())),
        }
    }

    /// The BMPString form for the PKCS#12 KDF.
    pub(crate) fn bmp(&self) -> Option<&[u8]> {
        self.bmp.as_deref().map(Vec::as_slice)
    }
}

/// Decrypts `data` encrypted under the scheme `alg` (an AlgorithmIdentifier of RFC 8018
/// appendix A or RFC 7292 appendix C) with `password`.
///
/// Bad padding is [`SignError::WrongPassword`]; an unknown scheme is
/// [`SignError::UnsupportedAlgorithm`]; broken parameters are [`SignError::Malformed`].
pub(crate) fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    data: &[u8],
    password: &Password,
    limits: &KeyLoadLimits,
) -> Result<Zeroizing<Vec<u8>>, SignError> {
    let params = alg
        .parameters
        .as_ref()
        .map(|p| p.to_der())
        .transpose()
        .map_err(|e| der_error(e, "encryption parameters"))?;
    let params = params.as_deref();
    match alg.oid {
        PBES2 => pbes2_decrypt(params, data, password, limits),
        PBE_SHA1_3DES => pkcs12_pbe::<des::TdesEde3>(params, data, password, limits, 24),
        PBE_SHA1_2DES => pkcs12_pbe::<des::TdesEde2>(params, data, password, limits, 16),
        PBE_SHA1_RC2_128 => pkcs12_pbe::<rc2::Rc2>(params, data, password, limits, 16),
        PBE_SHA1_RC2_40 => pkcs12_pbe::<rc2::Rc2>(params, data, password, limits, 5),
        other => Err(unsupported(&other)),
    }
}

/// Checks an iteration count against the limits.
pub(crate) fn check_iterations(count: i64, limits: &KeyLoadLimits) -> Result<i32, SignError> {
    if count < 1 {
        return Err(SignError::Malformed {
            offset: 0,
            what: format!("iteration count {count} is not positive"),
        });
    }
    let limit = i64::from(limits.max_iterations);
    if count > limit {
        return Err(SignError::KdfLimitExceeded {
            parameter: "iterations",
            value: u64::try_from(count).unwrap_or(u64::MAX),
            limit: u64::from(limits.max_iterations),
        });
    }
    i32::try_from(count).map_err(|_| SignError::KdfLimitExceeded {
        parameter: "iterations",
        value: u64::try_from(count).unwrap_or(u64::MAX),
        limit: u64::try_from(i32::MAX).unwrap_or(u64::MAX),
    })
}

/// PBES2 decryption (RFC 8018 §6.2.2) after checking the KDF's cost against `limits`.
fn pbes2_decrypt(
    params: Option<&[u8]>,
    data: &[u8],
    password: &Password,
    limits: &KeyLoadLimits,
) -> Result<Zeroizing<Vec<u8>>, SignError> {
    let params = params.ok_or_else(|| SignError::Malformed {
        offset: 0,
        what: "PBES2 without parameters".into(),
    })?;
    // The generic outline first, so that an unknown KDF or cipher is named rather than
    // reported as a parse error by the typed decoder below.
    let outline = pkcs12::pbe_params::Pbes2Params::from_der(params)
        .map_err(|e| der_error(e, "PBES2 parameters"))?;
    if !matches!(outline.kdf.oid, pbes2::PBKDF2_OID | pbes2::SCRYPT_OID) {
        return Err(unsupported(&outline.kdf.oid));
    }
    if !matches!(
        outline.encryption.oid,
        pbes2::AES_128_CBC_OID
            | pbes2::AES_192_CBC_OID
            | pbes2::AES_256_CBC_OID
            | pbes2::DES_EDE3_CBC_OID
    ) {
        return Err(unsupported(&outline.encryption.oid));
    }
    if outline.kdf.oid == pbes2::PBKDF2_OID
        && let Some(prf) = outline
            .kdf
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pbkdf2Params>().ok())
            .map(|p| p.prf.oid)
        && !matches!(
            prf,
            pbes2::HMAC_WITH_SHA1_OID
                | pbes2::HMAC_WITH_SHA256_OID
                | HMAC_WITH_SHA384
                | HMAC_WITH_SHA512
        )
    {
        return Err(unsupported(&prf));
    }
    let parsed =
        pbes2::Parameters::from_der(params).map_err(|e| der_error(e, "PBES2 parameters"))?;
    match &parsed.kdf {
        pbes2::Kdf::Pbkdf2(p) => {
            check_iterations(i64::from(p.iteration_count), limits)?;
        }
        pbes2::Kdf::Scrypt(p) => check_scrypt(p, limits)?,
        _ => return Err(unsupported(&outline.kdf.oid)),
    }
    let block = if outline.encryption.oid == pbes2::DES_EDE3_CBC_OID {
        8
    } else {
        16
    };
    check_block_multiple(data, block)?;
    let mut buffer = Zeroizing::new(data.to_vec());
    let len = parsed
        .decrypt_in_place(password.raw.as_slice(), &mut buffer)
        .map_err(|e| match e {
            // pkcs5 0.7 reports bad padding as `EncryptFailed` even when decrypting
            // (pbes2/encryption.rs, `cbc_decrypt`); on this path both mean bad padding.
            pkcs8::pkcs5::Error::DecryptFailed | pkcs8::pkcs5::Error::EncryptFailed => {
                SignError::WrongPassword
            }
            pkcs8::pkcs5::Error::UnsupportedAlgorithm { oid } => unsupported(&oid),
            other => SignError::Malformed {
                offset: 0,
                what: format!("PBES2 parameters: {other}"),
            },
        })?
        .len();
    buffer.truncate(len);
    Ok(buffer)
}

/// Refuses scrypt parameters that are invalid (N not a power of two above 1, r or p zero) or
/// costlier than the limits (RFC 7914 §2: memory 128 · r · N).
fn check_scrypt(p: &pbes2::ScryptParams<'_>, limits: &KeyLoadLimits) -> Result<(), SignError> {
    let n = p.cost_parameter;
    if n < 2 || !n.is_power_of_two() || p.block_size == 0 || p.parallelization == 0 {
        return Err(SignError::Malformed {
            offset: 0,
            what: "scrypt parameters out of range".into(),
        });
    }
    let memory = n
        .checked_mul(u64::from(p.block_size))
        .and_then(|m| m.checked_mul(128))
        .unwrap_or(u64::MAX);
    if memory > limits.max_scrypt_memory {
        return Err(SignError::KdfLimitExceeded {
            parameter: "scrypt memory in bytes",
            value: memory,
            limit: limits.max_scrypt_memory,
        });
    }
    const MAX_PARALLELIZATION: u16 = 16;
    if p.parallelization > MAX_PARALLELIZATION {
        return Err(SignError::KdfLimitExceeded {
            parameter: "scrypt parallelization",
            value: u64::from(p.parallelization),
            limit: u64::from(MAX_PARALLELIZATION),
        });
    }
    Ok(())
}

fn check_block_multiple(data: &[u8], block: usize) -> Result<(), SignError> {
    if data.is_empty() || !data.len().is_multiple_of(block) {
        return Err(SignError::Malformed {
            offset: 0,
            what: format!(
                "encrypted data of {} bytes is not a whole number of cipher blocks",
                data.len()
            ),
        });
    }
    Ok(())
}

/// A PKCS#12 PBE scheme (RFC 7292 appendix B.2 key and IV derivation with SHA-1, CBC with
/// PKCS#7 padding) with a cipher of `key_len` bytes of key and 8-byte blocks.
fn pkcs12_pbe<C>(
    params: Option<&[u8]>,
    data: &[u8],
    password: &Password,
    limits: &KeyLoadLimits,
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, SignError>
where
    cbc::Decryptor<C>: KeyIvInit + BlockDecryptMut,
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher,
{
    let params = params.ok_or_else(|| SignError::Malformed {
        offset: 0,
        what: "PKCS#12 PBE without parameters".into(),
    })?;
    let params =
        Pkcs12PbeParams::from_der(params).map_err(|e| der_error(e, "PKCS#12 PBE parameters"))?;
    let rounds = check_iterations(i64::from(params.iterations), limits)?;
    // A password that is not UTF-8 has no BMPString form: it cannot be the right one.
    let pass = password.bmp().ok_or(SignError::WrongPassword)?;
    let salt = params.salt.as_bytes();
    let key = Zeroizing::new(derive_key::<sha1::Sha1>(
        pass,
        salt,
        Pkcs12KeyType::EncryptionKey,
        rounds,
        key_len,
    ));
    let iv = derive_key::<sha1::Sha1>(pass, salt, Pkcs12KeyType::Iv, rounds, 8);
    check_block_multiple(data, 8)?;
    let cipher =
        cbc::Decryptor::<C>::new_from_slices(&key, &iv).map_err(|_| SignError::Malformed {
            offset: 0,
            what: "PKCS#12 PBE: key or IV of the wrong length".into(),
        })?;
    let mut buffer = Zeroizing::new(data.to_vec());
    let len = cipher
        .decrypt_padded_mut::<Pkcs7>(&mut buffer)
        .map_err(|_| SignError::WrongPassword)?
        .len();
    buffer.truncate(len);
    Ok(buffer)
}

/// The BMPString form of a password with its two-octet terminator (RFC 7292 appendix B.1).
fn bmp_string(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_bmp_string_has_terminator() {
        assert_eq!(bmp_string("Ab").as_slice(), [0, 0x41, 0, 0x62, 0, 0]);
        assert_eq!(bmp_string("").as_slice(), [0, 0]);
    }

    #[test]
    fn fail_zero_or_huge_iterations() {
        let limits = KeyLoadLimits::default();
        assert!(matches!(
            check_iterations(0, &limits),
            Err(SignError::Malformed { .. })
        ));
        assert_eq!(
            check_iterations(2_000_000_000, &limits),
            Err(SignError::KdfLimitExceeded {
                parameter: "iterations",
                value: 2_000_000_000,
                limit: 10_000_000
            })
        );
    }
}
