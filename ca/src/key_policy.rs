//! Which owners' public keys the center certifies (EDS law art. 21.1: the center confirms the
//! ownership of a public key).
//!
//! Two checks, each a refusal on ground
//! [`UnacceptableKey`](eds_profile::grounds::RefusalGround::UnacceptableKey) with its own
//! finding: the key's type and size against [`KeyPolicy`] (an RSA modulus of at least
//! `min_rsa_bits`; an elliptic curve named in the policy, RFC 5480 §2.1.1.1, explicit curve
//! parameters refused; Ed25519, RFC 8410 §3), and the PKCS#10 self-signature's algorithm (RFC
//! 2986 §4.2: SHA-1 and MD5 are refused, RFC 6194 §3, NIST SP 800-131A). They run before the
//! self-signature is verified, so a key the center does not support is reported as such and not
//! as a signature that does not verify. An RSASSA-PSS request is not inspected for its hash: one
//! hashed with SHA-1 is refused as a self-signature that does not verify.
//!
//! The third rule, one public key for one holder, needs the register and lives in
//! [`crate::issue`]; [`spki_sha256`] is the key's identity there.

use sha2::{Digest, Sha256};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use eds_profile::request::Refusal;

use crate::config::{AllowedKey, KeyPolicy};

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ED25519: &str = "1.3.101.112";
/// The national center's GOST 34.10-2015 512-bit key (`fixtures/nca/README.md`).
const NCA_GOST2015_512: &str = "1.2.398.3.10.1.1.2.2";
/// GOST R 34.10-2012 256-bit key under the TC26 identifiers (RFC 9215 §3).
const TC26_GOST2012_256: &str = "1.2.643.7.1.1.1.1";
/// GOST R 34.10-2012 512-bit key under the TC26 identifiers (RFC 9215 §3).
const TC26_GOST2012_512: &str = "1.2.643.7.1.1.1.2";

/// Refuses a key whose type or size `policy` does not accept.
pub(crate) fn check_key(
    spki: &SubjectPublicKeyInfo<'_>,
    policy: &KeyPolicy,
) -> Result<(), Refusal> {
    let allows = |k: AllowedKey| policy.allowed.contains(&k);
    let not_allowed = |algorithm: String| Refusal::KeyAlgorithmNotAllowed {
        algorithm,
        allowed: policy.describe(),
    };
    match spki.algorithm.algorithm.to_id_string().as_str() {
        RSA_ENCRYPTION => {
            if !allows(AllowedKey::Rsa) {
                return Err(not_allowed("RSA".into()));
            }
            let bits = match spki.parsed() {
                Ok(PublicKey::RSA(rsa)) => modulus_bits(rsa.modulus),
                // A modulus that does not decode has no length worth stating.
                _ => 0,
            };
            if bits < policy.min_rsa_bits {
                return Err(Refusal::RsaKeyTooShort {
                    bits,
                    minimum: policy.min_rsa_bits,
                });
            }
            Ok(())
        }
        EC_PUBLIC_KEY => {
            // RFC 5480 §2.1.1: namedCurve only; explicit parameters and implicitCurve are refused.
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            let (name, allowed) = match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => ("P-256".to_owned(), allows(AllowedKey::P256)),
                Some("1.3.132.0.34") => ("P-384".to_owned(), allows(AllowedKey::P384)),
                Some("1.3.132.0.35") => ("P-521".to_owned(), allows(AllowedKey::P521)),
                Some(other) => (curve_name(other), false),
                None => ("given by explicit parameters".to_owned(), false),
            };
            if allowed {
                Ok(())
            } else {
                Err(Refusal::UnsupportedCurve {
                    curve: name,
                    allowed: policy.describe(),
                })
            }
        }
        ED25519 if allows(AllowedKey::Ed25519) => Ok(()),
        // The national center's GOST 34.10-2015 512-bit key: the point must be on its curve.
        NCA_GOST2015_512 if allows(AllowedKey::Gost2015_512) => {
            match eds_gost::public_key_from_spki(spki.raw) {
                Ok((key, _)) if key.curve() == eds_gost::CurveId::Tc26_512A => Ok(()),
                _ => Err(not_allowed(
                    "GOST 2015-512 with a malformed public key".into(),
                )),
            }
        }
        // TC26 keys (RFC 9215 §4): a parameter set the verifier knows, of the key's size, and
        // the point on its curve (eds_gost checks all three).
        TC26_GOST2012_256 if allows(AllowedKey::Gost2012_256Tc26) => gost_public_key(spki.raw)
            .map_err(|e| {
                not_allowed(format!(
                    "GOST 2012-256 (TC26) with a malformed public key ({e})"
                ))
            }),
        TC26_GOST2012_512 if allows(AllowedKey::Gost2012_512Tc26) => gost_public_key(spki.raw)
            .map_err(|e| {
                not_allowed(format!(
                    "GOST 2012-512 (TC26) with a malformed public key ({e})"
                ))
            }),
        other => Err(not_allowed(algorithm_name(other))),
    }
}

/// Reads a TC26 GOST public key (RFC 9215 §4): its parameter set must name a curve `eds-gost`
/// knows, of the key's size, and the point must be on it.
fn gost_public_key(spki_der: &[u8]) -> Result<(), eds_gost::Error> {
    eds_gost::public_key_from_spki(spki_der).map(|_| ())
}

/// Refuses a PKCS#10 request self-signed with SHA-1 or MD5 (RFC 6194 §3, NIST SP 800-131A).
pub(crate) fn check_request_signature(algorithm_oid: &str) -> Result<(), Refusal> {
    let weak = match algorithm_oid {
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "sha1WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        _ => return Ok(()),
    };
    Err(Refusal::WeakRequestSignature {
        algorithm: weak.to_owned(),
    })
}

/// SHA-256 of a DER SubjectPublicKeyInfo: the key's identity in the register.
pub(crate) fn spki_sha256(spki_der: &[u8]) -> [u8; 32] {
    Sha256::digest(spki_der).into()
}

/// Bits of an unsigned big-endian modulus (leading zero octets and bits not counted).
fn modulus_bits(modulus: &[u8]) -> u32 {
    let Some(start) = modulus.iter().position(|b| *b != 0) else {
        return 0;
    };
    let rest = &modulus[start..];
    let octets = u32::try_from(rest.len()).unwrap_or(u32::MAX);
    let top = rest.first().map_or(0, |b| b.leading_zeros());
    octets.saturating_mul(8).saturating_sub(top)
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.1" => "P-192 (secp192r1)".into(),
        "1.3.132.0.33" => "P-224 (secp224r1)".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".into(),
        other => format!("with OID {other}"),
    }
}

fn algorithm_name(oid: &str) -> String {
    match oid {
        ED25519 => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.2.840.113549.1.1.10" => "RSASSA-PSS".into(),
        TC26_GOST2012_256 => "GOST 2012-256 (TC26)".into(),
        TC26_GOST2012_512 => "GOST 2012-512 (TC26)".into(),
        NCA_GOST2015_512 => "GOST 2015-512".into(),
        other => format!("OID {other}"),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use rcgen::{KeyPair, PublicKeyData};
    use x509_parser::prelude::FromDer;

    use super::*;

    fn check(der: &[u8], policy: &KeyPolicy) -> Result<(), Refusal> {
        let (_, spki) = SubjectPublicKeyInfo::from_der(der).unwrap();
        check_key(&spki, policy)
    }

    #[test]
    fn ok_default_policy_takes_p256_p384_ed25519() {
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let key = KeyPair::generate_for(alg).unwrap();
            assert_eq!(
                check(&key.subject_public_key_info(), &KeyPolicy::default()),
                Ok(())
            );
        }
    }

    #[test]
    fn fail_key_type_left_out_of_the_policy() {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let policy = KeyPolicy {
            allowed: vec![AllowedKey::P256],
            ..KeyPolicy::default()
        };
        assert_eq!(
            check(&key.subject_public_key_info(), &policy),
            Err(Refusal::KeyAlgorithmNotAllowed {
                algorithm: "Ed25519".into(),
                allowed: "P-256".into()
            })
        );
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        assert_eq!(
            check(&key.subject_public_key_info(), &policy),
            Err(Refusal::UnsupportedCurve {
                curve: "P-384".into(),
                allowed: "P-256".into()
            })
        );
    }

    #[test]
    fn ok_modulus_bits_skip_leading_zeros() {
        assert_eq!(modulus_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(modulus_bits(&[0x00, 0x01, 0x00]), 9);
        assert_eq!(modulus_bits(&[0x00, 0x00]), 0);
        assert_eq!(modulus_bits(&[]), 0);
    }

    #[test]
    fn fail_sha1_and_md5_request_signatures() {
        assert_eq!(
            check_request_signature("1.2.840.113549.1.1.5"),
            Err(Refusal::WeakRequestSignature {
                algorithm: "sha1WithRSAEncryption".into()
            })
        );
        assert_eq!(
            check_request_signature("1.2.840.10045.4.1"),
            Err(Refusal::WeakRequestSignature {
                algorithm: "ecdsa-with-SHA1".into()
            })
        );
        assert_eq!(check_request_signature("1.2.840.10045.4.3.2"), Ok(()));
        assert_eq!(check_request_signature("1.2.840.113549.1.1.11"), Ok(()));
    }
}
