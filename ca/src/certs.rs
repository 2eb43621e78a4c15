//! Certificate templates: the root and issuing centers, and owners' registration certificates.
//!
//! The owner template follows EDS law art. 15.1 item by item:
//! (1) number and term: a 20-byte serial (issuance second, then 112 random bits), notBefore/notAfter;
//! (2) data identifying the owner: the national subject profile (IIN, BIN, names);
//! (3) the public key: the request's SubjectPublicKeyInfo, unchanged;
//! (5) scope and restrictions: key usage, extended key usage with role OIDs, certificate policy;
//! (6) requisites of the center: issuer name, CRL distribution point, authority information access.

use der::Encode;
use der::asn1::{Ia5String, ObjectIdentifier};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DistinguishedName,
    DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyUsagePurpose, SanType,
    SerialNumber,
};
use ring::rand::SecureRandom;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, CertificatePolicies};

use eds_profile::holder::{self, HolderKind, KeyPurpose, Role, SubjectSpec};
use eds_profile::oids;

use crate::config::CenterConfig;
use crate::error::CaError;

/// RFC 5280 §4.2.2.1 id-ad-ocsp.
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// RFC 5280 §4.2.2.1 id-ad-caIssuers.
const ID_AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
/// RFC 5280 §4.2.1.4 id-ce-certificatePolicies.
const ID_CE_CERTIFICATE_POLICIES: &[u64] = &[2, 5, 29, 32];
/// RFC 5280 §4.2.2.1 id-pe-authorityInfoAccess.
const ID_PE_AUTHORITY_INFO_ACCESS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];

/// Draws a certificate serial: 20 bytes, positive, first byte in 0x40..=0x7F so the DER INTEGER
/// is exactly 20 octets (RFC 5280 §4.1.2.2 limit) and carries 158 random bits (CA/B Forum asks
/// for at least 64).
pub fn random_serial(rng: &dyn SecureRandom) -> Result<[u8; 20], CaError> {
    let mut s = [0u8; 20];
    rng.fill(&mut s).map_err(|_| CaError::Random)?;
    s[0] = (s[0] & 0x3F) | 0x40;
    Ok(s)
}

/// Draws the serial of an owner's certificate issued at `now`: 20 octets, `0x40` (positive, so
/// the DER INTEGER is exactly 20 octets, RFC 5280 §4.1.2.2), the Unix time in seconds as 5
/// big-endian octets, then 14 octets from `rng`: 112 random bits (the CA/Browser Forum asks for at
/// least 64).
///
/// The time prefix makes serials sort by issuance time, so the certificates of a batch go into one
/// narrow key range of the register's serial indexes instead of onto a random page each (the
/// register write per certificate fell from about 30 µs to 8 µs; `docs/benchmarks.md`). Serials
/// of the same second differ in their 112 random bits; the register's `UNIQUE` constraint still
/// refuses a repeat.
pub fn time_ordered_serial(
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<[u8; 20], CaError> {
    let mut random = [0u8; SERIAL_RANDOM];
    rng.fill(&mut random).map_err(|_| CaError::Random)?;
    Ok(serial_with(now, &random))
}

/// `count` serials of [`time_ordered_serial`]'s form for one instant, their random octets drawn
/// from `rng` in one call (a batch would otherwise make one system call per certificate).
pub fn time_ordered_serials(
    now: OffsetDateTime,
    count: usize,
    rng: &dyn SecureRandom,
) -> Result<Vec<[u8; 20]>, CaError> {
    let mut random = vec![0u8; count.saturating_mul(SERIAL_RANDOM)];
    rng.fill(&mut random).map_err(|_| CaError::Random)?;
    Ok(random
        .chunks_exact(SERIAL_RANDOM)
        .filter_map(|r| <&[u8; SERIAL_RANDOM]>::try_from(r).ok())
        .map(|r| serial_with(now, r))
        .collect())
}

/// Random octets at the end of a time-ordered serial.
const SERIAL_RANDOM: usize = 14;

fn serial_with(now: OffsetDateTime, random: &[u8; SERIAL_RANDOM]) -> [u8; 20] {
    let mut s = [0u8; 20];
    s[0] = 0x40;
    // Before 1970 there is nothing to order by: the prefix is zero. 40 bits last until year 36812.
    let seconds = u64::try_from(now.unix_timestamp())
        .unwrap_or(0)
        .to_be_bytes();
    s[1..6].copy_from_slice(&seconds[3..8]);
    s[6..].copy_from_slice(random);
    s
}

/// The distinguished name of a CA of this center.
pub fn ca_name(display: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    match rcgen::string::PrintableString::try_from("KZ") {
        Ok(kz) => dn.push(DnType::CountryName, DnValue::PrintableString(kz)),
        // "KZ" is printable; this arm is never taken.
        Err(_) => dn.push(DnType::CountryName, "KZ"),
    }
    dn.push(DnType::CommonName, DnValue::Utf8String(display.to_owned()));
    dn
}

/// Template of the root (self-signed) or issuing center's certificate.
pub fn ca_params(
    display_name: &str,
    serial: [u8; 20],
    not_before: OffsetDateTime,
    days: u32,
    path_len: Option<u8>,
    crl_and_aia: Option<&CenterConfig>,
) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = ca_name(display_name);
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    p.not_before = not_before;
    p.not_after = not_before + Duration::days(i64::from(days));
    p.is_ca = match path_len {
        Some(n) => IsCa::Ca(BasicConstraints::Constrained(n)),
        None => IsCa::Ca(BasicConstraints::Unconstrained),
    };
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = crl_and_aia.is_some();
    if let Some(cfg) = crl_and_aia {
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![cfg.crl_url("root")],
        }];
    }
    p
}

/// Everything the owner template needs besides the key.
#[derive(Debug, Clone)]
pub struct OwnerTemplate<'a> {
    /// The owner's subject.
    pub subject: &'a SubjectSpec,
    /// Individual or legal entity.
    pub kind: HolderKind,
    /// Roles beyond the kind's own.
    pub roles: &'a [Role],
    /// Signing or authentication.
    pub purpose: KeyPurpose,
    /// The certificate's serial.
    pub serial: [u8; 20],
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// An e-mail address agreed with the participant (EDS law art. 15.2), written as the
    /// subject alternative name's rfc822Name (RFC 5280 §4.2.1.6).
    pub email: Option<&'a str>,
}

/// The parts of every owner certificate that depend on the center's configuration alone (CRL
/// distribution point, certificate policies, authority information access), encoded once so a
/// batch does not encode them per certificate.
#[derive(Debug, Clone)]
pub struct OwnerConstants {
    crl_url: String,
    policies: CustomExtension,
    aia: CustomExtension,
}

impl OwnerConstants {
    /// Encodes the configuration's parts of the owner template.
    pub fn new(cfg: &CenterConfig) -> Result<Self, CaError> {
        Ok(Self {
            crl_url: cfg.crl_url("issuing"),
            policies: policies_extension(holder::POLICY)?,
            aia: aia_extension(cfg)?,
        })
    }
}

/// Template of an owner's registration certificate (EDS law art. 15), and its subject as text
/// in RFC 4514 form ([`subject_text`]) for the register.
pub fn owner_params(
    t: &OwnerTemplate<'_>,
    cfg: &CenterConfig,
) -> Result<(CertificateParams, String), CaError> {
    owner_params_with(t, &OwnerConstants::new(cfg)?)
}

/// [`owner_params`] with the configuration's parts already encoded.
pub fn owner_params_with(
    t: &OwnerTemplate<'_>,
    constants: &OwnerConstants,
) -> Result<(CertificateParams, String), CaError> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    let attributes =
        holder::subject_attributes(t.subject).map_err(|e| CaError::build("subject", e))?;
    let text = subject_text(&attributes);
    for (arcs, value) in attributes {
        dn.push(dn_type(arcs), dn_value(arcs, value)?);
    }
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&t.serial));
    p.not_before = t.not_before;
    p.not_after = t.not_after;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = match t.purpose {
        KeyPurpose::Signing => {
            vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ]
        }
        KeyPurpose::Authentication => {
            vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ]
        }
    };
    p.extended_key_usages = holder::extended_key_usages(t.kind, t.roles, t.purpose)
        .map_err(|e| CaError::build("extended key usage", e))?
        .into_iter()
        .map(|arcs| match arcs {
            a if a == oids::EKU_EMAIL_PROTECTION => ExtendedKeyUsagePurpose::EmailProtection,
            a if a == oids::EKU_CLIENT_AUTH => ExtendedKeyUsagePurpose::ClientAuth,
            a => ExtendedKeyUsagePurpose::Other(a.to_vec()),
        })
        .collect();
    if let Some(email) = t.email {
        let name = rcgen::string::Ia5String::try_from(email)
            .map_err(|e| CaError::build("subject alternative name (art. 15.2)", e))?;
        p.subject_alt_names = vec![SanType::Rfc822Name(name)];
    }
    p.use_authority_key_identifier_extension = true;
    p.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![constants.crl_url.clone()],
    }];
    p.custom_extensions = vec![constants.policies.clone(), constants.aia.clone()];
    // Subject key identifier: RFC 7093 method 1 (truncated SHA-256), rcgen's default.
    p.key_identifier_method = KeyIdMethod::Sha256;
    Ok((p, text))
}

/// The subject as the register keeps it and every report prints it: RFC 4514
/// ([`eds_profile::names`]), the attributes encoded `CN, SURNAME, SERIALNUMBER, C, …` printed
/// last first (`…,C=KZ,SERIALNUMBER=IIN…,SN=…,CN=…`).
pub(crate) fn subject_text(attributes: &[(&'static [u64], String)]) -> String {
    let labels: Vec<String> = attributes
        .iter()
        .map(|(arcs, _)| match attribute_label(arcs) {
            Some(label) => label.to_owned(),
            None => oids::dotted(arcs),
        })
        .collect();
    eds_profile::names::rfc4514_pairs(
        labels
            .iter()
            .zip(attributes)
            .map(|(label, (_, value))| (label.as_str(), value.as_str())),
    )
}

/// The short name of a subject attribute of this profile; `None` for any other.
fn attribute_label(arcs: &[u64]) -> Option<&'static str> {
    Some(match arcs {
        a if a == oids::AT_COMMON_NAME => "CN",
        a if a == oids::AT_SURNAME => "SN",
        a if a == oids::AT_SERIAL_NUMBER => "SERIALNUMBER",
        a if a == oids::AT_COUNTRY => "C",
        a if a == oids::AT_ORGANIZATION => "O",
        a if a == oids::AT_ORGANIZATIONAL_UNIT => "OU",
        a if a == oids::AT_GIVEN_NAME => "GIVENNAME",
        _ => return None,
    })
}

fn dn_type(arcs: &[u64]) -> DnType {
    match arcs {
        a if a == oids::AT_COMMON_NAME => DnType::CommonName,
        a if a == oids::AT_COUNTRY => DnType::CountryName,
        a if a == oids::AT_ORGANIZATION => DnType::OrganizationName,
        a if a == oids::AT_ORGANIZATIONAL_UNIT => DnType::OrganizationalUnitName,
        a => DnType::CustomDnType(a.to_vec()),
    }
}

/// countryName and serialNumber are PrintableString (X.520; the national center's certificates
/// do the same); every other attribute is UTF8String so Cyrillic and Kazakh letters survive.
fn dn_value(arcs: &[u64], value: String) -> Result<DnValue, CaError> {
    if arcs == oids::AT_COUNTRY || arcs == oids::AT_SERIAL_NUMBER {
        let printable = value
            .clone()
            .try_into()
            .map_err(|_| CaError::build("subject", format!("{value:?} is not printable")))?;
        Ok(DnValue::PrintableString(printable))
    } else {
        Ok(DnValue::Utf8String(value))
    }
}

fn oid_of(arcs: &[u64]) -> Result<ObjectIdentifier, CaError> {
    ObjectIdentifier::new(&oids::dotted(arcs)).map_err(|e| CaError::build("object identifier", e))
}

fn policies_extension(policy: &[u64]) -> Result<CustomExtension, CaError> {
    let cp = CertificatePolicies(vec![PolicyInformation {
        policy_identifier: oid_of(policy)?,
        policy_qualifiers: None,
    }]);
    let der = cp
        .to_der()
        .map_err(|e| CaError::build("certificate policies", e))?;
    Ok(CustomExtension::from_oid_content(
        ID_CE_CERTIFICATE_POLICIES,
        der,
    ))
}

pub(crate) fn aia_extension(cfg: &CenterConfig) -> Result<CustomExtension, CaError> {
    let uri = |s: String| {
        Ia5String::new(&s)
            .map(GeneralName::UniformResourceIdentifier)
            .map_err(|e| CaError::build("authority information access", e))
    };
    let aia = AuthorityInfoAccessSyntax(vec![
        AccessDescription {
            access_method: ID_AD_OCSP,
            access_location: uri(cfg.ocsp_url())?,
        },
        AccessDescription {
            access_method: ID_AD_CA_ISSUERS,
            access_location: uri(cfg.ca_cert_url("issuing"))?,
        },
    ]);
    let der = aia
        .to_der()
        .map_err(|e| CaError::build("authority information access", e))?;
    Ok(CustomExtension::from_oid_content(
        ID_PE_AUTHORITY_INFO_ACCESS,
        der,
    ))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    #[test]
    fn ok_serials_are_twenty_positive_octets_and_differ() {
        let rng = SystemRandom::new();
        let a = random_serial(&rng).unwrap();
        let b = random_serial(&rng).unwrap();
        assert_ne!(a, b);
        for s in [a, b] {
            assert!((0x40..=0x7F).contains(&s[0]), "first octet {:#x}", s[0]);
        }
    }

    #[test]
    fn ok_time_ordered_serials_carry_the_second_then_112_random_bits() {
        let rng = SystemRandom::new();
        let t = time::macros::datetime!(2026-11-22 10:00:00 UTC);
        let a = time_ordered_serial(t, &rng).unwrap();
        let b = time_ordered_serial(t, &rng).unwrap();
        // 0x40, then 1795341600 = 0x00_6B_02_BD_20 seconds.
        let prefix = [0x40, 0x00, 0x6B, 0x02, 0xBD, 0x20];
        assert_eq!(a[..6], prefix);
        assert_eq!(b[..6], prefix);
        assert_ne!(a[6..], b[6..]);
        let later = time_ordered_serial(t + Duration::seconds(1), &rng).unwrap();
        assert_eq!(later[..6], [0x40, 0x00, 0x6B, 0x02, 0xBD, 0x21]);
        assert!(later > a && later > b, "serials sort by issuance second");
        // A batch's serials: the same prefix, each its own random part.
        let batch = time_ordered_serials(t, 50, &rng).unwrap();
        assert_eq!(batch.len(), 50);
        assert!(batch.iter().all(|s| s[..6] == prefix));
        let distinct: std::collections::BTreeSet<_> =
            batch.iter().map(|s| s[6..].to_vec()).collect();
        assert_eq!(distinct.len(), 50);
        assert!(time_ordered_serials(t, 0, &rng).unwrap().is_empty());
    }

    #[test]
    fn ok_time_ordered_serial_is_a_minimal_positive_der_integer() {
        let rng = SystemRandom::new();
        let s = time_ordered_serial(OffsetDateTime::UNIX_EPOCH - Duration::days(1), &rng).unwrap();
        assert_eq!(s[..6], [0x40, 0, 0, 0, 0, 0]);
        assert!(crate::store::Serial::from_der_content(&s).is_ok());
    }
}
