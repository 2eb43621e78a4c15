//! GOST keys for the center, and certificates and CRLs signed with them, in the national
//! center's profile and byte order (ST RK GOST 34.10-2015, 512 bits, Streebog-512; its
//! identifiers under 1.2.398.3.10, the signature `r‖s` each little-endian) or in the TC26 one
//! (GOST R 34.10-2012, RFC 9215), through the crate `eds-gost`.
//!
//! rcgen writes certificates and CRLs from the center's templates ([`crate::certs`]) but knows
//! no GOST algorithm: its `SignatureAlgorithm` is closed and its subjectPublicKeyInfo is written
//! from it. So the template is first written by rcgen with a throw-away P-256 stand-in key —
//! names, validity, every extension of the profile, the key identifiers set from the GOST keys —
//! then the subject's key and both signature algorithm fields are set to GOST here and the
//! to-be-signed part, re-encoded, is signed with the GOST key. Nothing the stand-in signed
//! survives.
//!
//! The center holds such a key as [`crate::center_key::CenterKey::Gost`] (`eds ca init
//! --algorithm gost2015-512`, or `gost2012-256-tc26` / `gost2012-512-tc26` for TC26); see
//! `docs/gost.md` for what the center does with it.

use der::asn1::{BitString, OctetString};
use der::{Any, Decode, Encode};
use rcgen::{CertificateParams, Issuer, KeyIdMethod, KeyPair};
use ring::rand::SecureRandom;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use zeroize::Zeroizing;

use crate::error::CaError;
use crate::store::RevokedEntry;
use crate::{center, crl};

/// The GOST key profiles the center can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GostProfile {
    /// The national center's 2015 generation: GOST 34.10-2015 on TC26 512 paramSetA, key
    /// `1.2.398.3.10.1.1.2.2` with parameters `{1.2.398.3.10.1.1.2.2.1, 1.2.398.3.10.1.3.3}`,
    /// signature `1.2.398.3.10.1.1.2.3.2`, signature value `r‖s` each little-endian
    /// (`fixtures/nca/README.md`).
    Nca2015_512,
    /// GOST R 34.10-2012 512 on TC26 paramSetA under the TC26 identifiers (RFC 9215 §3):
    /// key `1.2.643.7.1.1.1.2`, signature `1.2.643.7.1.1.3.3`, value `s‖r` big-endian.
    Tc26_512,
    /// GOST R 34.10-2012 256 on TC26 paramSetA (RFC 7836), TC26 identifiers: key
    /// `1.2.643.7.1.1.1.1`, signature `1.2.643.7.1.1.3.2`.
    Tc26_256,
}

impl GostProfile {
    fn curve(self) -> eds_gost::CurveId {
        match self {
            Self::Nca2015_512 | Self::Tc26_512 => eds_gost::CurveId::Tc26_512A,
            Self::Tc26_256 => eds_gost::CurveId::Tc26_256A,
        }
    }

    fn key_oid(self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(match self {
            Self::Nca2015_512 => "1.2.398.3.10.1.1.2.2",
            Self::Tc26_512 => "1.2.643.7.1.1.1.2",
            Self::Tc26_256 => "1.2.643.7.1.1.1.1",
        })
    }

    fn signature_oid(self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(match self {
            Self::Nca2015_512 => "1.2.398.3.10.1.1.2.3.2",
            Self::Tc26_512 => "1.2.643.7.1.1.3.3",
            Self::Tc26_256 => "1.2.643.7.1.1.3.2",
        })
    }

    fn key_row(self) -> Result<&'static eds_gost::Algorithm, CaError> {
        eds_gost::algorithm(&self.key_oid()).ok_or_else(|| CaError::Internal {
            reason: format!("{} is missing from the GOST table", self.key_oid()),
        })
    }
}

/// A GOST private key of the center, with its SubjectPublicKeyInfo. The scalar is wiped on drop
/// (`eds_gost::PrivateKey`).
pub struct GostKey {
    key: eds_gost::PrivateKey,
    profile: GostProfile,
    encoding: eds_gost::Encoding,
    spki: Vec<u8>,
}

impl std::fmt::Debug for GostKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GostKey")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl GostKey {
    /// A fresh key from `rng`: 64 (or 32) random bytes read as `d` little-endian, drawn again in
    /// the rare case they are not in `[1, q-1]`. Returns the key and its PKCS#8 DER in the
    /// profile's form: the national center's wraps `d` in two OCTET STRINGs (as its 2015
    /// PKCS#12 files do), TC26 in one (RFC 9215 §5, as OpenSSL's GOST engine writes).
    pub fn generate(
        profile: GostProfile,
        rng: &dyn SecureRandom,
    ) -> Result<(Self, Zeroizing<Vec<u8>>), CaError> {
        let curve = profile.curve();
        let mut d = Zeroizing::new(vec![0u8; curve.size().bytes()]);
        // q is above 2^510 on the 512-bit curve and above 2^254 on the 256-bit one: a draw
        // falls outside [1, q-1] with probability under 3/4, so 64 draws fail in ~2^-26 of the
        // cases for 256 bits and practically never for 512.
        for _ in 0..64 {
            rng.fill(&mut d).map_err(|_| CaError::Random)?;
            if let Ok(key) = eds_gost::PrivateKey::from_le_bytes(curve, &d) {
                let pkcs8 = pkcs8_der(profile, &d)?;
                return Ok((Self::new(key, profile)?, pkcs8));
            }
        }
        Err(CaError::Random)
    }

    /// Reads a key of one of the profiles from PKCS#8 DER (either OCTET STRING form).
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, CaError> {
        let refused = |reason: String| CaError::KeyFile {
            path: String::new(),
            reason,
        };
        let (key, row) = eds_gost::private_key_from_pkcs8(der)
            .map_err(|e| refused(format!("GOST private key: {e}")))?;
        let profile = [
            GostProfile::Nca2015_512,
            GostProfile::Tc26_512,
            GostProfile::Tc26_256,
        ]
        .into_iter()
        .find(|p| p.key_oid() == row.oid && p.curve() == key.curve())
        .ok_or_else(|| {
            refused(format!(
                "GOST key {} on {} is not a profile of this center",
                row.oid,
                key.curve().name()
            ))
        })?;
        Self::new(key, profile)
    }

    fn new(key: eds_gost::PrivateKey, profile: GostProfile) -> Result<Self, CaError> {
        let row = profile.key_row()?;
        let spki = eds_gost::spki_der(key.public_key(), row)
            .map_err(|e| CaError::build("GOST public key", e))?;
        Ok(Self {
            key,
            profile,
            encoding: row.encoding,
            spki,
        })
    }

    /// The profile.
    pub fn profile(&self) -> GostProfile {
        self.profile
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The signature AlgorithmIdentifier of certificates and CRLs this key signs: the
    /// profile's signature OID with NULL parameters, as both the national center and OpenSSL's
    /// GOST engine write it.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.profile.signature_oid(),
            parameters: Some(Any::null()),
        }
    }

    /// Signs `message` (Streebog of the key's size; the profile's byte order). Deterministic.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CaError> {
        self.key
            .sign(self.encoding, message)
            .map_err(|e| CaError::build("GOST signature", e))
    }
}

/// The subject key identifier of a SubjectPublicKeyInfo: RFC 7093 §2 method 1, the leftmost 160
/// bits of the SHA-256 of the subjectPublicKey BIT STRING's bytes — the method the center's
/// other certificates use (rcgen's `KeyIdMethod::Sha256`).
pub fn key_identifier(spki_der: &[u8]) -> Result<Vec<u8>, CaError> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der)
        .map_err(|e| CaError::build("public key info", e))?;
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    Ok(digest.get(..20).unwrap_or_default().to_vec())
}

/// A certificate from the template `params` for the public key `subject_spki` (DER, GOST or
/// not), signed by `issuer_key`: self-signed when `issuer_der` is `None`, else under the CA
/// certificate `issuer_der` (whose subject and key identifier become the issuer and authority
/// key identifier). The subject key identifier is [`key_identifier`] of `subject_spki`.
pub fn certificate(
    params: CertificateParams,
    subject_spki: &[u8],
    issuer_der: Option<&[u8]>,
    issuer_key: &GostKey,
) -> Result<Vec<u8>, CaError> {
    resigned_certificate(
        params,
        subject_spki,
        issuer_der,
        issuer_key.signature_algorithm(),
        &|tbs| issuer_key.sign(tbs),
    )
}

/// A signer of to-be-signed bytes: gives the signature value as the BIT STRING carries it.
pub(crate) type Sign<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, CaError> + 'a;

/// [`certificate`] for any signer: the template written by rcgen with the stand-in key, then
/// the subject key set to `subject_spki`, both signature algorithm fields to `algorithm`, and
/// the to-be-signed part signed by `sign`. This is how the center writes certificates with keys
/// rcgen does not know ([`crate::center_key::CenterKey`]).
pub(crate) fn resigned_certificate(
    mut params: CertificateParams,
    subject_spki: &[u8],
    issuer_der: Option<&[u8]>,
    algorithm: AlgorithmIdentifierOwned,
    sign: &Sign<'_>,
) -> Result<Vec<u8>, CaError> {
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_identifier(subject_spki)?);
    let stand_in = stand_in()?;
    let template = match issuer_der {
        None => params.self_signed(&stand_in),
        Some(der) => {
            let issuer = Issuer::from_ca_cert_der(&der.into(), stand_in_for(&stand_in)?)
                .map_err(|e| CaError::build("GOST issuer", e))?;
            params.signed_by(&stand_in, &issuer)
        }
    }
    .map_err(|e| CaError::build("certificate template", e))?;
    let mut cert = Certificate::from_der(template.der())
        .map_err(|e| CaError::build("certificate template", e))?;
    cert.tbs_certificate.subject_public_key_info =
        SubjectPublicKeyInfoOwned::from_der(subject_spki)
            .map_err(|e| CaError::build("subject public key", e))?;
    cert.tbs_certificate.signature = algorithm.clone();
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| CaError::build("certificate", e))?;
    cert.signature_algorithm = algorithm;
    cert.signature = BitString::from_bytes(&sign(&tbs)?)
        .map_err(|e| CaError::build("certificate signature", e))?;
    cert.to_der().map_err(|e| CaError::build("certificate", e))
}

/// What a GOST CRL lists and when (RFC 5280 §5.1.2.4–§5.1.2.6, §5.2.3).
#[derive(Debug, Clone)]
pub struct CrlContent<'a> {
    /// `thisUpdate`.
    pub this_update: OffsetDateTime,
    /// `nextUpdate`.
    pub next_update: OffsetDateTime,
    /// The CRL number.
    pub number: u64,
    /// The revoked certificates, as the register lists them.
    pub revoked: &'a [RevokedEntry],
}

/// A CRL listing `content`, in the same form as the center's other CRLs ([`crate::crl`]:
/// reason codes, invalidity dates, CRL number, authority key identifier), signed by
/// `issuer_key` under the CA certificate `issuer_der`, whose subject becomes the CRL's issuer
/// (RFC 5280 §5.1.2.3) and whose subject key identifier its authority key identifier (§5.2.1).
pub fn crl(
    content: &CrlContent<'_>,
    issuer_der: &[u8],
    issuer_key: &GostKey,
) -> Result<Vec<u8>, CaError> {
    resigned_crl(
        content,
        issuer_der,
        issuer_key.signature_algorithm(),
        &|tbs| issuer_key.sign(tbs),
    )
}

/// [`crl`] for any signer: rcgen writes the list with the stand-in key, then the signature
/// algorithm fields become `algorithm` and the to-be-signed part is signed by `sign`.
pub(crate) fn resigned_crl(
    content: &CrlContent<'_>,
    issuer_der: &[u8],
    algorithm: AlgorithmIdentifierOwned,
    sign: &Sign<'_>,
) -> Result<Vec<u8>, CaError> {
    let entries = content
        .revoked
        .iter()
        .map(|e| {
            crl::rcgen_entry(
                e.serial.as_bytes(),
                e.revoked_at,
                e.reason,
                e.invalidity_date,
            )
        })
        .collect();
    let ski = center::subject_key_identifier(issuer_der)?;
    let params = crl::rcgen_params(
        content.this_update,
        content.next_update,
        &ski,
        content.number,
        entries,
    );
    let issuer = Issuer::from_ca_cert_der(&issuer_der.into(), stand_in()?)
        .map_err(|e| CaError::build("GOST issuer", e))?;
    let template = params
        .signed_by(&issuer)
        .map_err(|e| CaError::build("CRL template", e))?;
    let mut list =
        CertificateList::from_der(template.der()).map_err(|e| CaError::build("CRL template", e))?;
    list.tbs_cert_list.signature = algorithm.clone();
    let tbs = list
        .tbs_cert_list
        .to_der()
        .map_err(|e| CaError::build("CRL", e))?;
    list.signature_algorithm = algorithm;
    list.signature =
        BitString::from_bytes(&sign(&tbs)?).map_err(|e| CaError::build("CRL signature", e))?;
    list.to_der().map_err(|e| CaError::build("CRL", e))
}

/// The throw-away key rcgen signs the template with (its signature is replaced).
fn stand_in() -> Result<KeyPair, CaError> {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| CaError::build("stand-in key", e))
}

/// A second handle on the stand-in (the issuer takes its key by value).
fn stand_in_for(key: &KeyPair) -> Result<KeyPair, CaError> {
    KeyPair::try_from(key.serialize_der().as_slice()).map_err(|e| CaError::build("stand-in key", e))
}

/// PKCS#8 DER of `d` (little-endian) in the profile's form.
fn pkcs8_der(profile: GostProfile, d_le: &[u8]) -> Result<Zeroizing<Vec<u8>>, CaError> {
    let encode = |e: der::Error| CaError::build("GOST PKCS#8", e);
    let params: Vec<ObjectIdentifier> = match profile {
        GostProfile::Nca2015_512 => vec![
            ObjectIdentifier::new_unwrap("1.2.398.3.10.1.1.2.2.1"),
            ObjectIdentifier::new_unwrap("1.2.398.3.10.1.3.3"),
        ],
        GostProfile::Tc26_512 | GostProfile::Tc26_256 => vec![profile.curve().oid()],
    };
    let private_key = match profile {
        GostProfile::Nca2015_512 => Zeroizing::new(
            OctetString::new(d_le)
                .and_then(|o| o.to_der())
                .map_err(encode)?,
        ),
        GostProfile::Tc26_512 | GostProfile::Tc26_256 => Zeroizing::new(d_le.to_vec()),
    };
    let params = Any::encode_from(&params).map_err(encode)?;
    let info = pkcs8::PrivateKeyInfo {
        algorithm: spki::AlgorithmIdentifier {
            oid: profile.key_oid(),
            parameters: Some((&params).into()),
        },
        private_key: &private_key,
        public_key: None,
    };
    info.to_der().map(Zeroizing::new).map_err(encode)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    #[test]
    fn ok_generated_keys_read_back_from_their_pkcs8() {
        let rng = SystemRandom::new();
        for profile in [
            GostProfile::Nca2015_512,
            GostProfile::Tc26_512,
            GostProfile::Tc26_256,
        ] {
            let (key, pkcs8) = GostKey::generate(profile, &rng).unwrap();
            let again = GostKey::from_pkcs8(&pkcs8).unwrap();
            assert_eq!(again.profile(), profile);
            assert_eq!(again.spki_der(), key.spki_der());
            let sig = key.sign(b"crl").unwrap();
            let row = eds_gost::algorithm(&profile.signature_oid()).unwrap();
            assert_eq!(
                eds_gost::verify_spki(key.spki_der(), &row.oid, b"crl", &sig),
                Ok(())
            );
        }
    }

    #[test]
    fn fail_pkcs8_of_another_algorithm_is_refused() {
        let rng = SystemRandom::new();
        let p256 = crate::keys::KeyAlgorithm::P256
            .generate_pkcs8(&rng)
            .unwrap();
        assert!(matches!(
            GostKey::from_pkcs8(&p256).unwrap_err(),
            CaError::KeyFile { reason, .. } if reason.starts_with("GOST private key: unknown GOST algorithm")
        ));
    }
}
