//! An owner's registration certificate written as DER directly, for batched issuance.
//!
//! Written by hand, and why: rcgen builds every certificate of the center and remains the
//! reference for owners' certificates, but per certificate it fills a parameter structure and
//! serialises it through yasna, which took about a fifth of a batch's time besides the signature
//! itself (`docs/benchmarks.md`, "Certification center"). Owners' certificates of one batch differ
//! only in serial, validity, subject, public key, key usage, extended key usage and subject key
//! identifier. [`OwnerEncoder::from_model`] takes everything else (signature algorithm, issuer
//! name, the order of the extensions and the bytes of the constant ones: authority key
//! identifier, CRL distribution point, basic constraints, certificate policies, authority
//! information access) from a certificate rcgen made for the same center, and
//! [`OwnerEncoder::certificate`] writes the varying parts the way rcgen writes them. The tests
//! compare the two byte for byte over individuals and legal entities, every role, both key
//! purposes, Cyrillic and Kazakh names, and dates on both sides of 2050.

use der::{Decode, Encode};
use rcgen::PublicKeyData;
use time::OffsetDateTime;
use x509_cert::Certificate;

use eds_profile::holder::KeyPurpose;
use eds_profile::oids;

use crate::center_key::CenterKey;
use crate::error::CaError;

/// RFC 5280 §4.2.1.3 id-ce-keyUsage, DER body.
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x0F];
/// RFC 5280 §4.2.1.12 id-ce-extKeyUsage.
const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x25];
/// RFC 5280 §4.2.1.2 id-ce-subjectKeyIdentifier.
const OID_SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1D, 0x0E];

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0C;
const PRINTABLE_STRING: u8 = 0x13;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const BOOLEAN_TRUE: &[u8] = &[0x01, 0x01, 0xFF];
/// `[0] EXPLICIT INTEGER 2`: version v3.
const VERSION_V3: &[u8] = &[0xA0, 0x03, 0x02, 0x01, 0x02];
/// `[3] EXPLICIT` around the extensions.
const EXTENSIONS_TAG: u8 = 0xA3;

/// One extension of the model, in the model's order.
#[derive(Debug, Clone)]
enum ExtensionPart {
    /// Copied as it is.
    Constant(Vec<u8>),
    /// Key usage: written from the key purpose.
    KeyUsage,
    /// Extended key usage: written from the holder's kind, roles and purpose.
    ExtendedKeyUsage,
    /// Subject key identifier: written from the public key.
    SubjectKeyId,
}

/// The fields of one owner certificate that vary within a batch.
#[derive(Debug)]
pub(crate) struct OwnerFields<'a> {
    /// The subject's attributes in order, as `eds_profile::holder::subject_attributes` gives them.
    pub(crate) attributes: &'a [(&'static [u64], String)],
    /// The certificate's serial (its DER INTEGER content before minimisation).
    pub(crate) serial: &'a [u8; 20],
    /// Start of validity.
    pub(crate) not_before: OffsetDateTime,
    /// End of validity.
    pub(crate) not_after: OffsetDateTime,
    /// The owner's SubjectPublicKeyInfo, DER.
    pub(crate) spki: &'a [u8],
    /// Signing or authentication: the key usage bits.
    pub(crate) purpose: KeyPurpose,
    /// The extended key usage OIDs in order.
    pub(crate) eku: &'a [&'static [u64]],
}

/// Writes owners' certificates like a model certificate of the same center (module docs).
#[derive(Debug, Clone)]
pub(crate) struct OwnerEncoder {
    signature_algorithm: Vec<u8>,
    issuer: Vec<u8>,
    extensions: Vec<ExtensionPart>,
}

impl OwnerEncoder {
    /// Takes the constant parts from `model`, an owner certificate rcgen made with this center's
    /// issuing key and configuration. Refuses a model whose shape it does not know (no version 3,
    /// an extension it would have to write but does not find), so the caller falls back to rcgen.
    pub(crate) fn from_model(model: &[u8]) -> Result<Self, CaError> {
        let bad = |what: &str| CaError::build("owner certificate encoder", what);
        let cert = Certificate::from_der(model).map_err(|e| bad(&e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        if tbs.version != x509_cert::Version::V3 {
            return Err(bad("the model is not a version 3 certificate"));
        }
        if tbs.issuer_unique_id.is_some() || tbs.subject_unique_id.is_some() {
            return Err(bad("the model carries unique identifiers"));
        }
        let encode = |v: &dyn Fn() -> der::Result<Vec<u8>>| v().map_err(|e| bad(&e.to_string()));
        let signature_algorithm = encode(&|| tbs.signature.to_der())?;
        let issuer = encode(&|| tbs.issuer.to_der())?;
        let mut extensions = Vec::new();
        let mut seen = [false; 3];
        for ext in tbs.extensions.as_deref().unwrap_or_default() {
            let part = match ext.extn_id.as_bytes() {
                OID_KEY_USAGE => (0, ExtensionPart::KeyUsage),
                OID_EXT_KEY_USAGE => (1, ExtensionPart::ExtendedKeyUsage),
                OID_SUBJECT_KEY_ID => (2, ExtensionPart::SubjectKeyId),
                _ => {
                    extensions.push(ExtensionPart::Constant(encode(&|| ext.to_der())?));
                    continue;
                }
            };
            if let Some(s) = seen.get_mut(part.0) {
                *s = true;
            }
            extensions.push(part.1);
        }
        if seen != [true; 3] {
            return Err(bad(
                "the model lacks key usage, extended key usage or subject key identifier",
            ));
        }
        Ok(Self {
            signature_algorithm,
            issuer,
            extensions,
        })
    }

    /// The to-be-signed part of the certificate of `f`.
    pub(crate) fn tbs(&self, f: &OwnerFields<'_>) -> Result<Vec<u8>, CaError> {
        let mut body = Vec::with_capacity(1024);
        body.extend_from_slice(VERSION_V3);
        write_unsigned_integer(&mut body, f.serial);
        body.extend_from_slice(&self.signature_algorithm);
        body.extend_from_slice(&self.issuer);
        let mut validity = Vec::with_capacity(34);
        write_time(&mut validity, f.not_before)?;
        write_time(&mut validity, f.not_after)?;
        write_tlv(&mut body, SEQUENCE, &validity);
        write_name(&mut body, f.attributes)?;
        body.extend_from_slice(f.spki);

        let mut list = Vec::with_capacity(512);
        for part in &self.extensions {
            match part {
                ExtensionPart::Constant(bytes) => list.extend_from_slice(bytes),
                ExtensionPart::KeyUsage => write_key_usage(&mut list, f.purpose),
                ExtensionPart::ExtendedKeyUsage => write_eku(&mut list, f.eku)?,
                ExtensionPart::SubjectKeyId => write_ski(&mut list, f.spki),
            }
        }
        let mut sequence = Vec::with_capacity(list.len() + 4);
        write_tlv(&mut sequence, SEQUENCE, &list);
        write_tlv(&mut body, EXTENSIONS_TAG, &sequence);

        let mut tbs = Vec::with_capacity(body.len() + 4);
        write_tlv(&mut tbs, SEQUENCE, &body);
        Ok(tbs)
    }

    /// The certificate of `f`, signed with `signer` (the issuing center's key, whose algorithm
    /// the model's signature algorithm names).
    pub(crate) fn certificate(
        &self,
        f: &OwnerFields<'_>,
        signer: &CenterKey,
    ) -> Result<Vec<u8>, CaError> {
        let tbs = self.tbs(f)?;
        let signature = signer.sign(&tbs)?;
        // Lengths first, so the certificate is written once into a buffer of its size.
        let bits_len = signature.len() + 1; // one octet of unused bits (none)
        let body_len = tbs.len() + self.signature_algorithm.len() + tlv_len(bits_len);
        let mut out = Vec::with_capacity(tlv_len(body_len));
        out.push(SEQUENCE);
        write_length(&mut out, body_len);
        out.extend_from_slice(&tbs);
        out.extend_from_slice(&self.signature_algorithm);
        out.push(BIT_STRING);
        write_length(&mut out, bits_len);
        out.push(0);
        out.extend_from_slice(&signature);
        Ok(out)
    }
}

/// AlgorithmIdentifier of an EC public key on P-256 (RFC 5480 §2.1.1: id-ecPublicKey with the
/// named curve secp256r1).
const SPKI_ALG_P256: &[u8] = &[
    0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86, 0x48,
    0xCE, 0x3D, 0x03, 0x01, 0x07,
];
/// The same on P-384 (secp384r1).
const SPKI_ALG_P384: &[u8] = &[
    0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81, 0x04,
    0x00, 0x22,
];
/// id-Ed25519, no parameters (RFC 8410 §3).
const SPKI_ALG_ED25519: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70];
/// rsaEncryption with NULL parameters (RFC 8017 appendix A.1).
const SPKI_ALG_RSA: &[u8] = &[
    0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// The DER SubjectPublicKeyInfo of `key`: the bytes of rcgen's `subject_public_key_info`, written
/// here for the usual algorithms (rcgen goes through yasna, a few per cent of a batch's time), by
/// rcgen for any other.
pub(crate) fn spki_der(key: &impl PublicKeyData) -> Vec<u8> {
    let Some(identifier) = spki_algorithm(key.algorithm()) else {
        return key.subject_public_key_info();
    };
    let bits = key.der_bytes();
    let bits_len = bits.len() + 1; // one octet of unused bits (none)
    let body_len = identifier.len() + tlv_len(bits_len);
    let mut out = Vec::with_capacity(tlv_len(body_len));
    out.push(SEQUENCE);
    write_length(&mut out, body_len);
    out.extend_from_slice(identifier);
    out.push(BIT_STRING);
    write_length(&mut out, bits_len);
    out.push(0);
    out.extend_from_slice(bits);
    out
}

/// The AlgorithmIdentifier DER of a public key of `alg`, for the algorithms written here.
fn spki_algorithm(alg: &rcgen::SignatureAlgorithm) -> Option<&'static [u8]> {
    if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
        Some(SPKI_ALG_P256)
    } else if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
        Some(SPKI_ALG_P384)
    } else if alg == &rcgen::PKCS_ED25519 {
        Some(SPKI_ALG_ED25519)
    } else if alg == &rcgen::PKCS_RSA_SHA256
        || alg == &rcgen::PKCS_RSA_SHA384
        || alg == &rcgen::PKCS_RSA_SHA512
    {
        Some(SPKI_ALG_RSA)
    } else {
        None
    }
}

/// Appends a DER length (X.690 §8.1.3: short form below 128, else the fewest octets).
fn write_length(out: &mut Vec<u8>, len: usize) {
    if let Ok(short @ 0..=0x7F) = u8::try_from(len) {
        out.push(short);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let octets = &bytes[skip..];
    // At most size_of::<usize>() = 8 octets: the count fits in the low 7 bits.
    out.push(0x80 | u8::try_from(octets.len()).unwrap_or(0x7F));
    out.extend_from_slice(octets);
}

/// The size of a TLV with one tag octet and `content_len` octets of content.
fn tlv_len(content_len: usize) -> usize {
    let length_octets = match content_len {
        0..=0x7F => 1,
        n => 1 + n.to_be_bytes().iter().skip_while(|b| **b == 0).count(),
    };
    1 + length_octets + content_len
}

fn write_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    write_length(out, content.len());
    out.extend_from_slice(content);
}

/// A non-negative INTEGER from big-endian magnitude octets: leading zero octets dropped (one kept
/// for zero), a zero octet put back in front when the top bit is set (X.690 §8.3.2).
fn write_unsigned_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let digits = magnitude.get(skip..).unwrap_or_default();
    let pad = digits.first().is_none_or(|b| *b >= 0x80);
    out.push(INTEGER);
    write_length(out, digits.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

/// UTCTime for the years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), whole
/// seconds, `Z`.
fn write_time(out: &mut Vec<u8>, t: OffsetDateTime) -> Result<(), CaError> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    let (tag, text) = if (1950..2050).contains(&year) {
        let yy = year.rem_euclid(100);
        (
            UTC_TIME,
            format!(
                "{yy:02}{:02}{:02}{:02}{:02}{:02}Z",
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    } else if (0..=9999).contains(&year) {
        (
            GENERALIZED_TIME,
            format!(
                "{year:04}{:02}{:02}{:02}{:02}{:02}Z",
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    } else {
        return Err(CaError::build(
            "validity",
            format!("year {year} has no X.509 time"),
        ));
    };
    write_tlv(out, tag, text.as_bytes());
    Ok(())
}

/// An OBJECT IDENTIFIER from its arcs (X.690 §8.19: the first two arcs in one subidentifier,
/// each subidentifier base 128, high bit on all but the last octet).
fn write_oid(out: &mut Vec<u8>, arcs: &[u64]) -> Result<(), CaError> {
    let bad = || CaError::build("object identifier", oids::dotted(arcs));
    let (first, rest) = match arcs {
        [a @ 0..=1, b @ 0..=39, rest @ ..] | [a @ 2, b, rest @ ..] => {
            (a.checked_mul(40).and_then(|x| x.checked_add(*b)), rest)
        }
        _ => return Err(bad()),
    };
    let mut body = Vec::with_capacity(12);
    for arc in std::iter::once(first.ok_or_else(bad)?).chain(rest.iter().copied()) {
        let mut groups = [0u8; 10];
        let mut n = 0;
        let mut v = arc;
        loop {
            // The low 7 bits: always below 128.
            groups[n] = u8::try_from(v & 0x7F).unwrap_or(0);
            n += 1;
            v >>= 7;
            if v == 0 {
                break;
            }
        }
        for (i, g) in groups[..n].iter().rev().enumerate() {
            body.push(if i + 1 < n { g | 0x80 } else { *g });
        }
    }
    write_tlv(out, OID, &body);
    Ok(())
}

/// rcgen's PrintableString alphabet (X.680 §41.4).
fn printable(s: &str) -> bool {
    s.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    })
}

/// The subject: one attribute per RDN, countryName and serialNumber as PrintableString, every
/// other attribute UTF8String (as `certs::owner_params_with` tells rcgen).
fn write_name(out: &mut Vec<u8>, attributes: &[(&'static [u64], String)]) -> Result<(), CaError> {
    let mut rdns = Vec::with_capacity(256);
    let mut atv = Vec::with_capacity(96);
    let mut set = Vec::with_capacity(100);
    for (arcs, value) in attributes {
        atv.clear();
        write_oid(&mut atv, arcs)?;
        if *arcs == oids::AT_COUNTRY || *arcs == oids::AT_SERIAL_NUMBER {
            if !printable(value) {
                return Err(CaError::build(
                    "subject",
                    format!("{value:?} is not printable"),
                ));
            }
            write_tlv(&mut atv, PRINTABLE_STRING, value.as_bytes());
        } else {
            write_tlv(&mut atv, UTF8_STRING, value.as_bytes());
        }
        set.clear();
        write_tlv(&mut set, SEQUENCE, &atv);
        write_tlv(&mut rdns, SET, &set);
    }
    write_tlv(out, SEQUENCE, &rdns);
    Ok(())
}

/// Key usage, critical: digitalSignature + nonRepudiation for signing keys, digitalSignature +
/// keyEncipherment for authentication keys (the profile; RFC 5280 §4.2.1.3 bit order).
fn write_key_usage(out: &mut Vec<u8>, purpose: KeyPurpose) {
    // BIT STRING: unused bits, then the named bits from the top of the octet.
    let bits: &[u8] = match purpose {
        KeyPurpose::Signing => &[0x06, 0xC0],
        KeyPurpose::Authentication => &[0x05, 0xA0],
    };
    let mut value = Vec::with_capacity(4);
    write_tlv(&mut value, BIT_STRING, bits);
    write_extension(out, OID_KEY_USAGE, true, &value);
}

fn write_eku(out: &mut Vec<u8>, eku: &[&'static [u64]]) -> Result<(), CaError> {
    let mut list = Vec::with_capacity(16 * eku.len());
    for arcs in eku {
        write_oid(&mut list, arcs)?;
    }
    let mut value = Vec::with_capacity(list.len() + 2);
    write_tlv(&mut value, SEQUENCE, &list);
    write_extension(out, OID_EXT_KEY_USAGE, false, &value);
    Ok(())
}

/// RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the SubjectPublicKeyInfo (what
/// rcgen's `KeyIdMethod::Sha256` computes).
fn write_ski(out: &mut Vec<u8>, spki: &[u8]) {
    let digest = ring::digest::digest(&ring::digest::SHA256, spki);
    let mut value = Vec::with_capacity(22);
    write_tlv(
        &mut value,
        OCTET_STRING,
        digest.as_ref().get(..20).unwrap_or_default(),
    );
    write_extension(out, OID_SUBJECT_KEY_ID, false, &value);
}

fn write_extension(out: &mut Vec<u8>, oid_body: &[u8], critical: bool, value: &[u8]) {
    let mut ext = Vec::with_capacity(value.len() + 16);
    write_tlv(&mut ext, OID, oid_body);
    if critical {
        ext.extend_from_slice(BOOLEAN_TRUE);
    }
    write_tlv(&mut ext, OCTET_STRING, value);
    write_tlv(out, SEQUENCE, &ext);
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use rcgen::{KeyPair, PublicKeyData, SubjectPublicKeyInfo};
    use ring::rand::SystemRandom;
    use time::macros::datetime;

    use eds_profile::holder::{self, Organization, Role, SubjectSpec};
    use eds_profile::ident::{Bin, Iin};

    use super::*;
    use crate::center::Center;
    use crate::certs::{self, OwnerConstants, OwnerTemplate};
    use crate::config::CenterConfig;
    use crate::keys::KeyAlgorithm;

    const PASS: &[u8] = b"owner der test";

    struct Case {
        subject: SubjectSpec,
        roles: Vec<Role>,
        purpose: KeyPurpose,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        serial: [u8; 20],
    }

    fn cases() -> Vec<Case> {
        let iin = Iin::parse("850314300122").unwrap();
        let bin = Bin::parse("080540001238").unwrap();
        let person = |surname: &str, name: &str, patronymic: Option<&str>| SubjectSpec {
            surname: surname.into(),
            name: name.into(),
            patronymic: patronymic.map(Into::into),
            iin,
            organization: None,
        };
        let employee = |org: &str| SubjectSpec {
            organization: Some(Organization {
                name: org.into(),
                bin,
            }),
            ..person("ӘБІЛОВА", "ҒАЛИЯ", Some("ҚҰРМАНҚЫЗЫ"))
        };
        let t = datetime!(2026-11-22 10:00:00 UTC);
        let mut serial = [0x40u8; 20];
        let mut next_serial = || {
            serial[19] = serial[19].wrapping_add(37);
            serial
        };
        let mut out = vec![
            Case {
                subject: person("АХМЕТОВ", "ЕРЛАН", Some("СЕРІКҰЛЫ")),
                roles: vec![],
                purpose: KeyPurpose::Signing,
                not_before: t,
                not_after: t + time::Duration::days(365),
                serial: next_serial(),
            },
            Case {
                subject: person("IVANOV", "PETR", None),
                roles: vec![],
                purpose: KeyPurpose::Authentication,
                not_before: t,
                not_after: t + time::Duration::days(1),
                serial: next_serial(),
            },
            Case {
                // Validity across 2050: UTCTime, then GeneralizedTime.
                subject: person("O'NEIL", "ANNA-MARIA", None),
                roles: vec![],
                purpose: KeyPurpose::Signing,
                not_before: datetime!(2049-12-31 23:59:59 UTC),
                not_after: datetime!(2050-01-01 00:00:00 UTC),
                serial: next_serial(),
            },
        ];
        for (i, role) in Role::ALL.into_iter().enumerate() {
            if role == Role::Individual {
                continue;
            }
            for purpose in [KeyPurpose::Signing, KeyPurpose::Authentication] {
                out.push(Case {
                    subject: employee(if i % 2 == 0 {
                        "ТОО «Қазақ Дала»"
                    } else {
                        "АО \"EDS TEST\" and a long name of the entity, more than 127 bytes \
                         in all so that its lengths take two octets"
                    }),
                    roles: if role == Role::LegalEntity {
                        vec![]
                    } else {
                        vec![role]
                    },
                    purpose,
                    not_before: t,
                    not_after: t + time::Duration::days(730),
                    serial: next_serial(),
                });
            }
        }
        // Every first/second role pair a legal entity may carry at once.
        out.push(Case {
            subject: employee("ТОО"),
            roles: vec![
                Role::FirstHead,
                Role::SigningRight,
                Role::FinancialSigningRight,
            ],
            purpose: KeyPurpose::Signing,
            not_before: t,
            not_after: t + time::Duration::days(365),
            serial: next_serial(),
        });
        // A serial whose leading octets are zero: the INTEGER is shortened as rcgen does.
        let mut short = next_serial();
        short[..3].fill(0);
        short[3] = 0x9F;
        out.push(Case {
            serial: short,
            ..Case {
                subject: person("ӨМІРЗАҚ", "ҮМІТ", None),
                roles: vec![],
                purpose: KeyPurpose::Signing,
                not_before: t,
                not_after: t + time::Duration::days(3),
                serial: [0; 20],
            }
        });
        out
    }

    fn rcgen_der(
        c: &Case,
        constants: &OwnerConstants,
        key: &crate::center::IssuingKey,
        public: &SubjectPublicKeyInfo,
    ) -> Vec<u8> {
        let (params, _) = certs::owner_params_with(
            &OwnerTemplate {
                subject: &c.subject,
                kind: c.subject.kind(),
                roles: &c.roles,
                purpose: c.purpose,
                serial: c.serial,
                not_before: c.not_before,
                not_after: c.not_after,
                email: None,
            },
            constants,
        )
        .unwrap();
        params
            .signed_by(public, &key.issuer().unwrap())
            .unwrap()
            .der()
            .to_vec()
    }

    fn tbs_of(der: &[u8]) -> Vec<u8> {
        Certificate::from_der(der)
            .unwrap()
            .tbs_certificate
            .to_der()
            .unwrap()
    }

    #[test]
    fn ok_the_encoder_writes_rcgens_bytes_for_every_shape_and_algorithm() {
        let rng = SystemRandom::new();
        for alg in [
            KeyAlgorithm::P256,
            KeyAlgorithm::P384,
            KeyAlgorithm::Ed25519,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let cfg = CenterConfig {
                algorithm: alg,
                ..CenterConfig::default()
            };
            let center =
                Center::init(dir.path(), cfg, PASS, datetime!(2026-11-01 00:00 UTC), &rng).unwrap();
            let key = center.unlock(PASS).unwrap();
            let constants = OwnerConstants::new(center.config()).unwrap();
            for owner_alg in [&rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519] {
                let owner = KeyPair::generate_for(owner_alg).unwrap();
                let public =
                    SubjectPublicKeyInfo::from_der(&owner.subject_public_key_info()).unwrap();
                let spki = public.subject_public_key_info();
                let cases = cases();
                let model = rcgen_der(&cases[0], &constants, &key, &public);
                let encoder = OwnerEncoder::from_model(&model).unwrap();
                for (i, c) in cases.iter().enumerate() {
                    let expected = rcgen_der(c, &constants, &key, &public);
                    let attributes = holder::subject_attributes(&c.subject).unwrap();
                    let eku =
                        holder::extended_key_usages(c.subject.kind(), &c.roles, c.purpose).unwrap();
                    let fields = OwnerFields {
                        attributes: &attributes,
                        serial: &c.serial,
                        not_before: c.not_before,
                        not_after: c.not_after,
                        spki: &spki,
                        purpose: c.purpose,
                        eku: &eku,
                    };
                    assert_eq!(
                        hex::encode(encoder.tbs(&fields).unwrap()),
                        hex::encode(tbs_of(&expected)),
                        "{alg:?}, case {i}"
                    );
                    let ours = encoder.certificate(&fields, key.key()).unwrap();
                    if alg == KeyAlgorithm::Ed25519 {
                        // Deterministic signatures: the whole certificate is the same.
                        assert_eq!(ours, expected, "case {i}");
                    } else {
                        // ECDSA signatures differ; everything around them does not.
                        let (a, b) = (
                            Certificate::from_der(&ours).unwrap(),
                            Certificate::from_der(&expected).unwrap(),
                        );
                        assert_eq!(a.tbs_certificate, b.tbs_certificate);
                        assert_eq!(a.signature_algorithm, b.signature_algorithm);
                        let issuer = x509_parser::parse_x509_certificate(center.issuing_der())
                            .unwrap()
                            .1;
                        let parsed = x509_parser::parse_x509_certificate(&ours).unwrap().1;
                        parsed
                            .verify_signature(Some(issuer.public_key()))
                            .unwrap_or_else(|e| panic!("{alg:?} case {i}: {e}"));
                    }
                }
            }
        }
    }

    /// Issue 16 item 7: the hand-written encoder writes rcgen's TBSCertificate over random
    /// owners — names in Kazakh, Russian and Latin letters (lower case too: both paths upper-case
    /// them), organisation names with quotes and punctuation up to lengths that take two-octet
    /// lengths, any set of an entity's roles, both purposes, serials with any number of leading
    /// zero octets and any first bit, validity from 1970 to 2099 (UTCTime and GeneralizedTime),
    /// P-256 and Ed25519 owner keys, under P-256 and Ed25519 centers.
    #[test]
    fn prop_the_encoder_writes_rcgens_bytes_for_random_owners() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        let rng = SystemRandom::new();
        let owner_keys: Vec<SubjectPublicKeyInfo> =
            [&rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519]
                .into_iter()
                .map(|alg| {
                    let pair = KeyPair::generate_for(alg).unwrap();
                    SubjectPublicKeyInfo::from_der(&pair.subject_public_key_info()).unwrap()
                })
                .collect();
        let iin = Iin::parse("850314300122").unwrap();
        let bin = Bin::parse("080540001238").unwrap();
        let letters = "[А-ЯӘҒҚҢӨҰҮҺІа-яәғқңөұүһіA-Za-z]";
        let regex = |pattern: String| proptest::string::string_regex(&pattern).unwrap();
        let name = || regex(format!("{letters}{{1,30}}"));
        let organisation = regex(format!(
            "{letters}[А-Яа-яA-Za-z0-9 «»\"'.,-]{{0,180}}{letters}"
        ));
        let roles = proptest::sample::subsequence(
            Role::ALL
                .into_iter()
                .filter(|r| *r != Role::Individual && *r != Role::LegalEntity)
                .collect::<Vec<_>>(),
            0..=3,
        );
        let time = |from: i64, to: i64| {
            (from..to).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
        };
        let owner = (
            (name(), name(), proptest::option::of(name())),
            proptest::option::of((organisation, roles)),
            any::<bool>(),
            (0usize..20, any::<[u8; 20]>()),
            // 1970-01-01 .. 2089-12-31, then up to ten years (x509-cert, which reads rcgen's
            // certificate back here, takes UTCTime from 1970 on; the center issues at "now").
            (time(0, 3_786_912_000), 1i64..3_650),
            0..owner_keys.len(),
        );
        for alg in [KeyAlgorithm::P256, KeyAlgorithm::Ed25519] {
            let dir = tempfile::tempdir().unwrap();
            let cfg = CenterConfig {
                algorithm: alg,
                ..CenterConfig::default()
            };
            let center =
                Center::init(dir.path(), cfg, PASS, datetime!(2026-11-01 00:00 UTC), &rng).unwrap();
            let key = center.unlock(PASS).unwrap();
            let constants = OwnerConstants::new(center.config()).unwrap();
            let model_case = &cases()[0];
            let encoders: Vec<OwnerEncoder> = owner_keys
                .iter()
                .map(|public| {
                    let model = rcgen_der(model_case, &constants, &key, public);
                    OwnerEncoder::from_model(&model).unwrap()
                })
                .collect();
            let mut runner = TestRunner::new(Config {
                cases: 48,
                ..Config::default()
            });
            runner
                .run(
                    &owner,
                    |(
                        (surname, given, patronymic),
                        entity,
                        signing,
                        (zeros, mut serial),
                        (not_before, days),
                        k,
                    )| {
                        serial[..zeros].fill(0);
                        let (organization, roles) = match entity {
                            Some((org, roles)) => (Some(Organization { name: org, bin }), roles),
                            None => (None, vec![]),
                        };
                        let case = Case {
                            subject: SubjectSpec {
                                surname,
                                name: given,
                                patronymic,
                                iin,
                                organization,
                            },
                            roles,
                            purpose: if signing {
                                KeyPurpose::Signing
                            } else {
                                KeyPurpose::Authentication
                            },
                            not_before,
                            not_after: not_before + time::Duration::days(days),
                            serial,
                        };
                        let public = &owner_keys[k];
                        let expected = rcgen_der(&case, &constants, &key, public);
                        let attributes = holder::subject_attributes(&case.subject).unwrap();
                        let eku = holder::extended_key_usages(
                            case.subject.kind(),
                            &case.roles,
                            case.purpose,
                        )
                        .unwrap();
                        let spki = public.subject_public_key_info();
                        let fields = OwnerFields {
                            attributes: &attributes,
                            serial: &case.serial,
                            not_before: case.not_before,
                            not_after: case.not_after,
                            spki: &spki,
                            purpose: case.purpose,
                            eku: &eku,
                        };
                        prop_assert_eq!(
                            hex::encode(encoders[k].tbs(&fields).unwrap()),
                            hex::encode(tbs_of(&expected))
                        );
                        Ok(())
                    },
                )
                .unwrap();
        }
    }

    #[test]
    fn fail_a_model_without_the_owner_extensions_is_refused() {
        let rng = SystemRandom::new();
        let dir = tempfile::tempdir().unwrap();
        let center = Center::init(
            dir.path(),
            CenterConfig::default(),
            PASS,
            datetime!(2026-11-01 00:00 UTC),
            &rng,
        )
        .unwrap();
        // The issuing center's own certificate has key usage but no extended key usage.
        let err = OwnerEncoder::from_model(center.issuing_der()).unwrap_err();
        assert_eq!(
            err,
            CaError::build(
                "owner certificate encoder",
                "the model lacks key usage, extended key usage or subject key identifier"
            )
        );
        assert!(matches!(
            OwnerEncoder::from_model(&[0x30, 0x03, 0x02, 0x01]),
            Err(CaError::Build {
                what: "owner certificate encoder",
                ..
            })
        ));
    }

    #[test]
    fn ok_spki_der_writes_rcgens_bytes_for_every_key_algorithm() {
        let rsa: &[u8] = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/pki/keys/rsa2048-00.pk8"
        ));
        let keys = [
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
            KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
            KeyPair::try_from(rsa).unwrap(),
        ];
        for pair in &keys {
            let original = pair.subject_public_key_info();
            let public = SubjectPublicKeyInfo::from_der(&original).unwrap();
            // Written here, not by the fallback to rcgen.
            assert!(spki_algorithm(public.algorithm()).is_some());
            assert_eq!(hex::encode(spki_der(&public)), hex::encode(&original));
            assert_eq!(spki_der(pair), original);
        }
    }

    #[test]
    fn ok_lengths_integers_and_oids_follow_x690() {
        let mut out = Vec::new();
        write_length(&mut out, 127);
        write_length(&mut out, 128);
        write_length(&mut out, 65_536);
        assert_eq!(out, [0x7F, 0x81, 0x80, 0x83, 0x01, 0x00, 0x00]);
        let mut out = Vec::new();
        write_unsigned_integer(&mut out, &[0, 0, 0x80]);
        write_unsigned_integer(&mut out, &[0, 0]);
        write_unsigned_integer(&mut out, &[0x01, 0x00]);
        assert_eq!(
            out,
            [
                0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00
            ]
        );
        let mut out = Vec::new();
        write_oid(&mut out, &[1, 2, 398, 3, 3, 4, 1, 2, 1]).unwrap();
        assert_eq!(
            out,
            [
                0x06, 0x09, 0x2A, 0x83, 0x0E, 0x03, 0x03, 0x04, 0x01, 0x02, 0x01
            ]
        );
        for len in [0, 1, 127, 128, 255, 256, 65_535, 65_536] {
            let mut out = Vec::new();
            write_tlv(&mut out, SEQUENCE, &vec![0; len]);
            assert_eq!(tlv_len(len), out.len(), "content of {len} octets");
        }
        assert!(write_oid(&mut Vec::new(), &[3, 1]).is_err());
        assert!(write_oid(&mut Vec::new(), &[1, 40]).is_err());
    }
}
