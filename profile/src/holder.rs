//! The holder of a registration certificate, as the national profile writes it.
//!
//! EDS law art. 15.1 requires a registration certificate to carry the data identifying its owner
//! and the scope of application of the key and its restrictions. This module states how the
//! national center writes them, as data that serves both directions:
//!
//! - the certification center builds a certificate from [`subject_attributes`], [`key_usage`],
//!   [`extended_key_usages`] and [`POLICY`];
//! - the verifier reads any certificate back with [`Holder::from_der`]: deviations from the profile
//!   are reported as [`Finding`]s, and only bytes that cannot be decoded fail ([`HolderError`]).
//!
//! The profile, as the center's own certificates show it (copies in `fixtures/nca`):
//!
//! - subject, one attribute per RDN, in this order: `CN=<SURNAME NAME>`, `SURNAME`,
//!   `SERIALNUMBER=IIN<12 digits>`, `C=KZ`, for a legal entity `O=<name>` and
//!   `OU=BIN<12 digits>`, then `GIVENNAME=<patronymic>`;
//! - key usage: digitalSignature + nonRepudiation for a signing key, digitalSignature +
//!   keyEncipherment for an authentication key (the 2015-generation test certificates set all
//!   three, with emailProtection);
//! - extended key usage: emailProtection (signing) or clientAuth (authentication), the holder
//!   kind's role, then the roles inside a legal entity;
//! - certificate policies: one policy, `1.2.398.3.3.2` (2015 generation) or one of
//!   `1.2.398.3.3.2.1`–`.4` (2004 generation).
//!
//! Names are written in upper case (`CN=ТЕСТОВ ТЕСТ`, `SURNAME=ТЕСТОВ`, `GIVENNAME=ТЕСТОВИЧ`) as
//! UTF8String; `SERIALNUMBER` and `C` are PrintableString.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use x509_parser::asn1_rs::{Any, Oid, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::nom;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use crate::ident::{Bin, IdentError, Iin};
use crate::oids;

/// The policy this project's center writes in every certificate it issues (EDS law art. 15.1:
/// scope of application; RFC 5280 §4.2.1.4): the 2015-generation policy `1.2.398.3.3.2`.
pub const POLICY: &[u64] = oids::POLICY_NCA_2015;

/// Who holds a registration certificate.
///
/// EDS law art. 10.3: an employee signs for a legal entity with a certificate in the employee's
/// own name; such a certificate is marked as the legal entity's and names it (`O`, `OU=BIN…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolderKind {
    /// A natural person acting for themself.
    Individual,
    /// A natural person acting for a legal entity.
    LegalEntity,
}

impl HolderKind {
    /// The role whose OID marks this kind of holder in the extended key usage.
    pub fn role(self) -> Role {
        match self {
            Self::Individual => Role::Individual,
            Self::LegalEntity => Role::LegalEntity,
        }
    }

    /// The stable machine name (also the JSON form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::LegalEntity => "legal-entity",
        }
    }
}

impl fmt::Display for HolderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role of the national profile, written as an extended key usage purpose (EDS law art. 15.1:
/// scope of application; RFC 5280 §4.2.1.12). See [`oids`] for the identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The holder is an individual (`1.2.398.3.3.4.1.1`).
    Individual,
    /// The holder acts for a legal entity (`1.2.398.3.3.4.1.2`).
    LegalEntity,
    /// First head of the legal entity (`1.2.398.3.3.4.1.2.1`).
    FirstHead,
    /// Granted the right to sign for the legal entity (`1.2.398.3.3.4.1.2.2`).
    SigningRight,
    /// Granted the right to sign financial documents (`1.2.398.3.3.4.1.2.3`).
    FinancialSigningRight,
    /// Human-resources employee (`1.2.398.3.3.4.1.2.4`).
    Hr,
    /// Employee without a signing right (`1.2.398.3.3.4.1.2.5`).
    Employee,
}

impl Role {
    /// Every role, in the order of its OID.
    pub const ALL: [Self; 7] = [
        Self::Individual,
        Self::LegalEntity,
        Self::FirstHead,
        Self::SigningRight,
        Self::FinancialSigningRight,
        Self::Hr,
        Self::Employee,
    ];

    /// The OID arcs of this role.
    pub fn oid(self) -> &'static [u64] {
        match self {
            Self::Individual => oids::ROLE_INDIVIDUAL,
            Self::LegalEntity => oids::ROLE_LEGAL_ENTITY,
            Self::FirstHead => oids::ROLE_FIRST_HEAD,
            Self::SigningRight => oids::ROLE_SIGNING_RIGHT,
            Self::FinancialSigningRight => oids::ROLE_FINANCIAL_SIGNING_RIGHT,
            Self::Hr => oids::ROLE_HR,
            Self::Employee => oids::ROLE_EMPLOYEE,
        }
    }

    /// The role with exactly these OID arcs, if any.
    pub fn from_oid(arcs: &[u64]) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.oid() == arcs)
    }

    /// The kind of holder that may carry this role: [`HolderKind::Individual`] for
    /// [`Role::Individual`], [`HolderKind::LegalEntity`] for every other role.
    pub fn kind(self) -> HolderKind {
        match self {
            Self::Individual => HolderKind::Individual,
            _ => HolderKind::LegalEntity,
        }
    }

    /// The stable machine name (also the JSON form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::LegalEntity => "legal-entity",
            Self::FirstHead => "first-head",
            Self::SigningRight => "signing-right",
            Self::FinancialSigningRight => "financial-signing-right",
            Self::Hr => "hr",
            Self::Employee => "employee",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a key is for (EDS law art. 15.1: scope of application of the key).
///
/// The national center issues separate keys: a signing key (emailProtection) creates electronic
/// digital signatures, an authentication key (clientAuth) logs in to information systems.
/// A reader of a certificate that says neither or both gets no `KeyPurpose` (see
/// [`Holder::key_purpose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyPurpose {
    /// Creating electronic digital signatures.
    Signing,
    /// Authenticating the holder to information systems.
    Authentication,
}

impl KeyPurpose {
    /// The extended key usage purpose that marks this key purpose (RFC 5280 §4.2.1.12).
    pub fn eku(self) -> &'static [u64] {
        match self {
            Self::Signing => oids::EKU_EMAIL_PROTECTION,
            Self::Authentication => oids::EKU_CLIENT_AUTH,
        }
    }
}

/// The nine bits of the key usage extension (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyUsageBits {
    /// `digitalSignature` (0).
    pub digital_signature: bool,
    /// `nonRepudiation`, also called `contentCommitment` (1).
    pub non_repudiation: bool,
    /// `keyEncipherment` (2).
    pub key_encipherment: bool,
    /// `dataEncipherment` (3).
    pub data_encipherment: bool,
    /// `keyAgreement` (4).
    pub key_agreement: bool,
    /// `keyCertSign` (5).
    pub key_cert_sign: bool,
    /// `cRLSign` (6).
    pub crl_sign: bool,
    /// `encipherOnly` (7).
    pub encipher_only: bool,
    /// `decipherOnly` (8).
    pub decipher_only: bool,
}

impl KeyUsageBits {
    /// Whether every bit set in `required` is also set in `self`.
    pub fn contains(&self, required: &Self) -> bool {
        self.bits()
            .iter()
            .zip(required.bits())
            .all(|(have, need)| *have || !need)
    }

    fn bits(&self) -> [bool; 9] {
        [
            self.digital_signature,
            self.non_repudiation,
            self.key_encipherment,
            self.data_encipherment,
            self.key_agreement,
            self.key_cert_sign,
            self.crl_sign,
            self.encipher_only,
            self.decipher_only,
        ]
    }
}

/// The key usage the center writes for a key of this purpose (RFC 5280 §4.2.1.3), as in the
/// national center's 2004-generation certificates: signing is digitalSignature + nonRepudiation,
/// authentication is digitalSignature + keyEncipherment.
pub fn key_usage(purpose: KeyPurpose) -> KeyUsageBits {
    match purpose {
        KeyPurpose::Signing => KeyUsageBits {
            digital_signature: true,
            non_repudiation: true,
            ..KeyUsageBits::default()
        },
        KeyPurpose::Authentication => KeyUsageBits {
            digital_signature: true,
            key_encipherment: true,
            ..KeyUsageBits::default()
        },
    }
}

/// The legal entity a holder acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// The registered name, written as given (`O`).
    pub name: String,
    /// The business identification number (`OU=BIN…`).
    pub bin: Bin,
}

/// The data identifying the owner that the center writes in the subject (EDS law art. 15.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectSpec {
    /// Surname (family name).
    pub surname: String,
    /// First name.
    pub name: String,
    /// Patronymic, if the holder has one.
    pub patronymic: Option<String>,
    /// The holder's individual identification number.
    pub iin: Iin,
    /// The legal entity the holder acts for; `None` for an individual.
    pub organization: Option<Organization>,
}

impl SubjectSpec {
    /// [`HolderKind::LegalEntity`] when an organization is given, else
    /// [`HolderKind::Individual`].
    pub fn kind(&self) -> HolderKind {
        if self.organization.is_some() {
            HolderKind::LegalEntity
        } else {
            HolderKind::Individual
        }
    }
}

/// A name field of a [`SubjectSpec`], named in [`ProfileError::EmptyName`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameField {
    /// [`SubjectSpec::surname`].
    Surname,
    /// [`SubjectSpec::name`].
    Name,
    /// [`SubjectSpec::patronymic`].
    Patronymic,
    /// [`Organization::name`].
    Organization,
}

impl fmt::Display for NameField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Surname => "surname",
            Self::Name => "name",
            Self::Patronymic => "patronymic",
            Self::Organization => "organization name",
        })
    }
}

/// Why the center cannot build a certificate of the national profile from what it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The role belongs to another kind of holder: an individual carries only
    /// [`Role::Individual`]; the roles inside a legal entity need a legal entity (EDS law art.
    /// 10.3, 15.1).
    #[error("give role {role} to a holder of kind {kind}")]
    RoleNotForKind {
        /// The role asked for.
        role: Role,
        /// The kind of the holder.
        kind: HolderKind,
    },
    /// The same role was asked for twice.
    #[error("give role {role} twice")]
    DuplicateRole {
        /// The repeated role.
        role: Role,
    },
    /// A name is empty or only whitespace (EDS law art. 15.1: the data identifying the owner).
    #[error("write an empty {field}")]
    EmptyName {
        /// Which name.
        field: NameField,
    },
}

/// The subject attributes of the national profile, in the center's order (RFC 5280 §4.1.2.6,
/// EDS law art. 15.1): `CN=<SURNAME NAME>`, `SURNAME`, `SERIALNUMBER=IIN<iin>`, `C=KZ`, for a
/// legal entity `O=<name>` and `OU=BIN<bin>`, then `GIVENNAME=<patronymic>` when there is one.
///
/// Each attribute is its own RDN. Personal names are trimmed and upper-cased (Unicode rules, so
/// the Kazakh letters ә ғ қ ң ө ұ ү һ і become Ә Ғ Қ Ң Ө Ұ Ү Һ І) as the center writes them; the
/// organization name is only trimmed, since it is a registered name.
pub fn subject_attributes(
    spec: &SubjectSpec,
) -> Result<Vec<(&'static [u64], String)>, ProfileError> {
    let surname = personal_name(&spec.surname, NameField::Surname)?;
    let name = personal_name(&spec.name, NameField::Name)?;
    let patronymic = match &spec.patronymic {
        Some(p) => Some(personal_name(p, NameField::Patronymic)?),
        None => None,
    };
    let mut attributes = vec![
        (oids::AT_COMMON_NAME, format!("{surname} {name}")),
        (oids::AT_SURNAME, surname),
        (oids::AT_SERIAL_NUMBER, format!("IIN{}", spec.iin.as_str())),
        (oids::AT_COUNTRY, "KZ".to_owned()),
    ];
    if let Some(org) = &spec.organization {
        let org_name = org.name.trim();
        if org_name.is_empty() {
            return Err(ProfileError::EmptyName {
                field: NameField::Organization,
            });
        }
        attributes.push((oids::AT_ORGANIZATION, org_name.to_owned()));
        attributes.push((
            oids::AT_ORGANIZATIONAL_UNIT,
            format!("BIN{}", org.bin.as_str()),
        ));
    }
    if let Some(patronymic) = patronymic {
        attributes.push((oids::AT_GIVEN_NAME, patronymic));
    }
    Ok(attributes)
}

/// Checks that a holder of `kind` may carry the extra `roles` (EDS law art. 10.3, 15.1).
///
/// The kind's own role ([`HolderKind::role`]) is implied and may be repeated here; an individual
/// carries no other role; a legal entity may carry any role except [`Role::Individual`]. A role
/// given twice is refused rather than silently merged.
pub fn check_roles(kind: HolderKind, roles: &[Role]) -> Result<(), ProfileError> {
    for (i, role) in roles.iter().enumerate() {
        if roles.get(..i).is_some_and(|before| before.contains(role)) {
            return Err(ProfileError::DuplicateRole { role: *role });
        }
        if role.kind() != kind {
            return Err(ProfileError::RoleNotForKind { role: *role, kind });
        }
    }
    Ok(())
}

/// The extended key usage purposes the center writes (RFC 5280 §4.2.1.12, EDS law art. 15.1), in
/// the national center's order: the key purpose's EKU, the kind's role, then the extra roles in
/// the order of [`Role::ALL`].
///
/// Fails as [`check_roles`] does.
pub fn extended_key_usages(
    kind: HolderKind,
    roles: &[Role],
    purpose: KeyPurpose,
) -> Result<Vec<&'static [u64]>, ProfileError> {
    check_roles(kind, roles)?;
    let mut ekus = vec![purpose.eku(), kind.role().oid()];
    ekus.extend(
        Role::ALL
            .into_iter()
            .filter(|role| *role != kind.role() && roles.contains(role))
            .map(Role::oid),
    );
    Ok(ekus)
}

/// What a certificate says about its holder, read from any X.509 certificate (ours or foreign,
/// RSA or GOST; no signature is checked).
///
/// Every field is what the certificate says; where it departs from the national profile, a
/// [`Finding`] says how. Strings are decoded from UTF8String, PrintableString, IA5String,
/// BMPString, UniversalString and (as Latin-1) TeletexString.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// Individual or legal entity: from the kind roles of the EKU, else from the subject (a BIN
    /// or a legal-entity role means a legal entity, else an IIN means an individual); `None` when
    /// nothing tells or the kind roles conflict.
    pub kind: Option<HolderKind>,
    /// The twelve characters after `IIN` in `SERIALNUMBER`, as written (even if invalid).
    pub iin: Option<String>,
    /// The twelve characters after `BIN` in the first `OU` that starts with `BIN`, as written.
    pub bin: Option<String>,
    /// `CN`.
    pub common_name: Option<String>,
    /// `SURNAME`.
    pub surname: Option<String>,
    /// The first name: what follows the surname in a `CN` of the form "SURNAME NAME".
    pub name: Option<String>,
    /// `GIVENNAME`, where the national center writes the patronymic.
    pub patronymic: Option<String>,
    /// `O`.
    pub organization: Option<String>,
    /// `C`.
    pub country: Option<String>,
    /// The PKCS #9 `emailAddress` of the subject, else the first rfc822Name of the subject
    /// alternative name.
    pub email: Option<String>,
    /// The roles of the national profile in the EKU, in the order written, without repeats.
    pub roles: Vec<Role>,
    /// [`KeyPurpose::Signing`] when the EKU has emailProtection and not clientAuth,
    /// [`KeyPurpose::Authentication`] for the reverse, `None` otherwise (with a finding
    /// [`Finding::NoKeyPurpose`] or [`Finding::AmbiguousKeyPurpose`]).
    pub key_purpose: Option<KeyPurpose>,
    /// The certificate policy OIDs, dotted, in the order written.
    pub policies: Vec<String>,
    /// The key usage extension, `None` when absent.
    pub key_usage: Option<KeyUsageBits>,
    /// Departures from the national profile, in a fixed order: subject attributes, name, IIN,
    /// BIN, roles, kind, key purpose, key usage, subject alternative name.
    pub findings: Vec<Finding>,
}

/// A departure from the national profile noticed while reading a certificate. A finding is not
/// a failure: the verifier decides what it means for its verdict (an invalid IIN check digit, for
/// instance, is only a warning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "finding", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Finding {
    /// A subject attribute the profile uses has a string type or bytes that cannot be decoded;
    /// it is left out.
    UndecodableAttribute {
        /// The attribute type, dotted.
        attribute: String,
        /// The ASN.1 tag number of the value.
        tag: u32,
    },
    /// A subject attribute the profile uses once appears again; the first is kept.
    DuplicateAttribute {
        /// The attribute type, dotted.
        attribute: String,
    },
    /// `CN` is not "SURNAME NAME" for the `SURNAME` given, so the first name is unknown.
    CommonNameNotSurnameName,
    /// The subject has no IIN (EDS law art. 15.1: data identifying the owner).
    MissingIin,
    /// `SERIALNUMBER` does not start with `IIN`.
    UnrecognisedSerialNumber {
        /// The value as written.
        value: String,
    },
    /// The IIN fails validation.
    InvalidIin {
        /// The IIN as written (without the `IIN` prefix).
        value: String,
        /// Why it is invalid.
        #[serde(serialize_with = "serialize_display")]
        error: IdentError,
    },
    /// The BIN fails validation.
    InvalidBin {
        /// The BIN as written (without the `BIN` prefix).
        value: String,
        /// Why it is invalid.
        #[serde(serialize_with = "serialize_display")]
        error: IdentError,
    },
    /// The holder acts for a legal entity but the subject has no `OU=BIN…` (EDS law art. 10.3).
    MissingBin,
    /// An EKU purpose under `1.2.398.3.3.4` that is not a role of this profile.
    UnknownRole {
        /// The OID, dotted.
        oid: String,
    },
    /// The EKU has neither the individual nor the legal-entity role.
    MissingKindRole,
    /// The EKU has both the individual and the legal-entity role.
    ConflictingKindRoles,
    /// A role that belongs to another kind of holder (e.g. a first head in an individual's
    /// certificate).
    RoleNotForKind {
        /// The role.
        role: Role,
        /// The holder's kind.
        kind: HolderKind,
    },
    /// The EKU has neither emailProtection nor clientAuth (or there is no EKU).
    NoKeyPurpose,
    /// The EKU has both emailProtection and clientAuth.
    AmbiguousKeyPurpose,
    /// The subject alternative name extension cannot be decoded, so no e-mail address was read
    /// from it (RFC 5280 §4.2.1.6). Other profile data does not depend on it.
    UndecodableSubjectAltName {
        /// The decoder's description of the problem.
        reason: String,
    },
    /// The certificate has no key usage extension (RFC 5280 §4.2.1.3).
    MissingKeyUsage,
    /// The key usage lacks a bit the key purpose needs ([`key_usage`]).
    KeyUsageMismatch {
        /// The key purpose read from the EKU.
        purpose: KeyPurpose,
        /// The bits that purpose needs.
        required: KeyUsageBits,
        /// The bits written.
        found: KeyUsageBits,
    },
}

/// Why a certificate could not be read at all. Departures from the profile are [`Finding`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolderError {
    /// The input ends before the length its outer DER header declares (RFC 5280 §4.1), or
    /// inside that header.
    #[error("decode certificate: input of {len} bytes ends inside it ({needed} more bytes needed)")]
    Truncated {
        /// Length of the input.
        len: usize,
        /// How many more bytes are needed: to complete the certificate when the header is
        /// complete, else at least to complete the header.
        needed: usize,
    },
    /// The input is not a DER X.509 certificate (RFC 5280 §4.1); `reason` is the decoder's
    /// message, which names the field (name, validity, extensions…).
    #[error("decode certificate: {reason}")]
    Malformed {
        /// The decoder's description of the problem.
        reason: String,
    },
    /// Bytes follow the certificate.
    #[error("decode certificate: {extra} bytes follow it at offset {offset}")]
    TrailingData {
        /// Where the certificate ends.
        offset: usize,
        /// How many bytes follow.
        extra: usize,
    },
    /// The key usage, extended key usage or certificate policies extension cannot be decoded
    /// (RFC 5280 §4.2.1.3, §4.2.1.12, §4.2.1.4).
    #[error("decode extension {oid}: {reason}")]
    Extension {
        /// The extension's OID, dotted.
        oid: String,
        /// The decoder's description of the problem.
        reason: String,
    },
    /// An extension this module reads appears twice (RFC 5280 §4.2: a certificate must not
    /// include more than one instance of an extension).
    #[error("decode extension {oid}: it appears more than once")]
    DuplicateExtension {
        /// The extension's OID, dotted.
        oid: String,
    },
}

impl Holder {
    /// Reads the holder from a DER certificate (RFC 5280 §4.1).
    ///
    /// Fails only when the bytes are not one whole DER certificate, or when the key usage,
    /// extended key usage or certificate policies extension cannot be decoded, or one of these or
    /// the subject alternative name is repeated. Never panics.
    pub fn from_der(cert_der: &[u8]) -> Result<Self, HolderError> {
        check_outer_header(cert_der)?;
        let (rest, cert) = X509Certificate::from_der(cert_der).map_err(decode_error)?;
        if !rest.is_empty() {
            return Err(HolderError::TrailingData {
                offset: cert_der.len().saturating_sub(rest.len()),
                extra: rest.len(),
            });
        }
        let mut findings = Vec::new();
        let subject = read_subject(cert.subject(), &mut findings);
        let extensions = read_extensions(cert.extensions())?;
        Ok(assemble(subject, extensions, findings))
    }
}

// ---------------------------------------------------------------------------------------------
// Private helpers.
// ---------------------------------------------------------------------------------------------

/// The subject attributes the profile uses, decoded.
#[derive(Debug, Default)]
struct Subject {
    common_name: Option<String>,
    surname: Option<String>,
    serial_number: Option<String>,
    country: Option<String>,
    organization: Option<String>,
    organizational_units: Vec<String>,
    given_name: Option<String>,
    email: Option<String>,
}

/// The extensions the profile uses, decoded.
#[derive(Debug, Default)]
struct Extensions {
    key_usage: Option<KeyUsageBits>,
    email_protection: bool,
    client_auth: bool,
    roles: Vec<Role>,
    unknown_roles: Vec<String>,
    policies: Vec<String>,
    san_email: Option<String>,
    san_error: Option<String>,
}

/// A personal name as the center writes it: trimmed and upper-cased; empty is refused.
fn personal_name(value: &str, field: NameField) -> Result<String, ProfileError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ProfileError::EmptyName { field });
    }
    Ok(upper_case(trimmed))
}

/// `text.to_uppercase()`, without looking each character up in the case-mapping table when the
/// text is upper case already, as the registry's names are: a character that is upper case (or
/// ASCII and not a lowercase letter) is its own upper case (the test
/// `ok_upper_case_agrees_with_to_uppercase_on_every_character` checks every character).
pub fn upper_case(text: &str) -> String {
    if text.chars().all(is_own_upper_case) {
        text.to_owned()
    } else {
        text.to_uppercase()
    }
}

fn is_own_upper_case(c: char) -> bool {
    if c.is_ascii() {
        !c.is_ascii_lowercase()
    } else {
        c.is_uppercase()
    }
}

/// Checks the outer header of the certificate: a SEQUENCE with a definite DER length that the
/// input holds entirely. x509-parser reports a short input inconsistently (sometimes as
/// "incomplete", sometimes as "Eof"), so truncation is decided here, exactly.
fn check_outer_header(input: &[u8]) -> Result<(), HolderError> {
    let len = input.len();
    let truncated = |total: usize| HolderError::Truncated {
        len,
        needed: total.saturating_sub(len),
    };
    let malformed = |reason: String| HolderError::Malformed { reason };
    let Some((&tag, rest)) = input.split_first() else {
        return Err(truncated(2));
    };
    if tag != 0x30 {
        return Err(malformed(format!(
            "expected a SEQUENCE (tag 0x30) at offset 0, found tag 0x{tag:02x}"
        )));
    }
    let Some((&first, rest)) = rest.split_first() else {
        return Err(truncated(2));
    };
    let (header, content) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 {
            return Err(malformed(
                "indefinite length at offset 1 is not DER".to_owned(),
            ));
        }
        let Some(bytes) = rest.get(..count) else {
            return Err(truncated(2 + count));
        };
        let content = bytes.iter().try_fold(0_usize, |acc, b| {
            acc.checked_mul(256)?.checked_add(usize::from(*b))
        });
        let Some(content) = content else {
            return Err(malformed(format!(
                "length at offset 1 overflows ({count} bytes)"
            )));
        };
        (2 + count, content)
    };
    match header.checked_add(content) {
        Some(total) if total <= len => Ok(()),
        Some(total) => Err(truncated(total)),
        None => Err(malformed("length at offset 1 overflows".to_owned())),
    }
}

fn serialize_display<S: Serializer>(value: &IdentError, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// The decoder's error as [`HolderError::Malformed`]. The outer length was checked before, so
/// running out of input means an inner length is inconsistent: malformed, not truncated.
fn decode_error(err: nom::Err<X509Error>) -> HolderError {
    let reason = match err {
        nom::Err::Incomplete(nom::Needed::Size(n)) => {
            format!("an inner element claims {n} more bytes than its parent holds")
        }
        nom::Err::Incomplete(nom::Needed::Unknown) => {
            "an inner element runs past its parent".to_owned()
        }
        nom::Err::Error(e) | nom::Err::Failure(e) => e.to_string(),
    };
    HolderError::Malformed { reason }
}

/// The arcs of `oid`, `None` when an arc does not fit in `u64` (then it is none of ours).
fn arcs(oid: &Oid<'_>) -> Option<Vec<u64>> {
    oid.iter().map(Iterator::collect)
}

fn is_oid(oid: &Oid<'_>, expected: &[u64]) -> bool {
    arcs(oid).is_some_and(|a| a == expected)
}

/// Decodes an X.520 DirectoryString (or IA5String) value to UTF-8.
///
/// - UTF8String: checked UTF-8;
/// - PrintableString, IA5String, NumericString, VisibleString: ASCII;
/// - BMPString: UTF-16 big-endian (x509-parser's `as_str` refuses it);
/// - UniversalString: UCS-4 big-endian;
/// - TeletexString: read as Latin-1, as OpenSSL and most CAs treat it (true T.61 is rare).
///
/// `None` for any other type, a constructed encoding, or bytes invalid for the type.
fn decode_string(value: &Any<'_>) -> Option<String> {
    if !value.header.is_universal() || value.header.is_constructed() {
        return None;
    }
    let data = value.data;
    match value.header.tag() {
        Tag::Utf8String => std::str::from_utf8(data).ok().map(str::to_owned),
        Tag::PrintableString | Tag::Ia5String | Tag::NumericString | Tag::VisibleString => {
            if data.is_ascii() {
                std::str::from_utf8(data).ok().map(str::to_owned)
            } else {
                None
            }
        }
        Tag::BmpString => {
            let units = data.chunks(2).map(|pair| match pair {
                [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
                _ => None,
            });
            let units: Option<Vec<u16>> = units.collect();
            char::decode_utf16(units?)
                .collect::<Result<String, _>>()
                .ok()
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|quad| match quad {
                [a, b, c, d] => char::from_u32(u32::from_be_bytes([*a, *b, *c, *d])),
                _ => None,
            })
            .collect(),
        Tag::T61String => Some(data.iter().copied().map(char::from).collect()),
        _ => None,
    }
}

fn read_subject(name: &X509Name<'_>, findings: &mut Vec<Finding>) -> Subject {
    let mut subject = Subject::default();
    for attribute in name.iter_attributes() {
        let Some(kind) = arcs(attribute.attr_type()) else {
            continue;
        };
        let slot = match kind.as_slice() {
            k if k == oids::AT_COMMON_NAME => Some(&mut subject.common_name),
            k if k == oids::AT_SURNAME => Some(&mut subject.surname),
            k if k == oids::AT_SERIAL_NUMBER => Some(&mut subject.serial_number),
            k if k == oids::AT_COUNTRY => Some(&mut subject.country),
            k if k == oids::AT_ORGANIZATION => Some(&mut subject.organization),
            k if k == oids::AT_GIVEN_NAME => Some(&mut subject.given_name),
            k if k == oids::AT_EMAIL_ADDRESS => Some(&mut subject.email),
            k if k == oids::AT_ORGANIZATIONAL_UNIT => None,
            _ => continue,
        };
        let Some(value) = decode_string(attribute.attr_value()) else {
            findings.push(Finding::UndecodableAttribute {
                attribute: oids::dotted(&kind),
                tag: attribute.attr_value().header.tag().0,
            });
            continue;
        };
        match slot {
            None => subject.organizational_units.push(value),
            Some(slot @ None) => *slot = Some(value),
            Some(Some(_)) => {
                findings.push(Finding::DuplicateAttribute {
                    attribute: oids::dotted(&kind),
                });
            }
        }
    }
    subject
}

/// The extension's name for errors: its dotted OID.
fn extension_error(ext: &X509Extension<'_>, reason: String) -> HolderError {
    HolderError::Extension {
        oid: ext.oid.to_id_string(),
        reason,
    }
}

fn read_extensions(extensions: &[X509Extension<'_>]) -> Result<Extensions, HolderError> {
    const READ: [&[u64]; 4] = [
        oids::EXT_KEY_USAGE,
        oids::EXT_EXTENDED_KEY_USAGE,
        oids::EXT_CERTIFICATE_POLICIES,
        oids::EXT_SUBJECT_ALT_NAME,
    ];
    let mut out = Extensions::default();
    let mut seen: Vec<&[u64]> = Vec::new();
    for ext in extensions {
        let Some(which) = READ.into_iter().find(|id| is_oid(&ext.oid, id)) else {
            continue;
        };
        if seen.contains(&which) {
            return Err(HolderError::DuplicateExtension {
                oid: oids::dotted(which),
            });
        }
        seen.push(which);
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => {
                out.key_usage = Some(KeyUsageBits {
                    digital_signature: ku.digital_signature(),
                    non_repudiation: ku.non_repudiation(),
                    key_encipherment: ku.key_encipherment(),
                    data_encipherment: ku.data_encipherment(),
                    key_agreement: ku.key_agreement(),
                    key_cert_sign: ku.key_cert_sign(),
                    crl_sign: ku.crl_sign(),
                    encipher_only: ku.encipher_only(),
                    decipher_only: ku.decipher_only(),
                });
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                out.email_protection = eku.email_protection;
                out.client_auth = eku.client_auth;
                let role_prefix = format!("{}.", oids::dotted(oids::ROLE_ARC));
                for oid in &eku.other {
                    match arcs(oid).as_deref().and_then(Role::from_oid) {
                        Some(role) => {
                            if !out.roles.contains(&role) {
                                out.roles.push(role);
                            }
                        }
                        None => {
                            let dotted = oid.to_id_string();
                            if dotted.starts_with(&role_prefix) {
                                out.unknown_roles.push(dotted);
                            }
                        }
                    }
                }
            }
            ParsedExtension::CertificatePolicies(policies) => {
                out.policies = policies
                    .iter()
                    .map(|p| p.policy_id.to_id_string())
                    .collect();
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                out.san_email = san.general_names.iter().find_map(|name| match name {
                    GeneralName::RFC822Name(email) => Some((*email).to_owned()),
                    _ => None,
                });
            }
            ParsedExtension::ParseError { error } if which == oids::EXT_SUBJECT_ALT_NAME => {
                out.san_error = Some(error.to_string());
            }
            ParsedExtension::ParseError { error } => {
                return Err(extension_error(ext, error.to_string()));
            }
            other => {
                return Err(extension_error(
                    ext,
                    format!("unexpected content {other:?}"),
                ));
            }
        }
    }
    Ok(out)
}

/// The first name in a common name of the form "SURNAME NAME" (surname compared without case).
fn first_name(common_name: &str, surname: &str) -> Option<String> {
    let mut rest = common_name;
    for expected in surname.chars() {
        let mut chars = rest.chars();
        let found = chars.next()?;
        if !found.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
        rest = chars.as_str();
    }
    let name = rest.strip_prefix(char::is_whitespace)?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

fn assemble(subject: Subject, ext: Extensions, mut findings: Vec<Finding>) -> Holder {
    let name = match (&subject.common_name, &subject.surname) {
        (Some(cn), Some(surname)) => {
            let name = first_name(cn, surname);
            if name.is_none() {
                findings.push(Finding::CommonNameNotSurnameName);
            }
            name
        }
        _ => None,
    };

    let iin = match &subject.serial_number {
        Some(serial) => match serial.strip_prefix("IIN") {
            Some(digits) => Some(digits.to_owned()),
            None => {
                findings.push(Finding::UnrecognisedSerialNumber {
                    value: serial.clone(),
                });
                None
            }
        },
        None => None,
    };
    match &iin {
        Some(digits) => {
            if let Err(error) = Iin::parse(digits) {
                findings.push(Finding::InvalidIin {
                    value: digits.clone(),
                    error,
                });
            }
        }
        None => findings.push(Finding::MissingIin),
    }

    let bin = subject
        .organizational_units
        .iter()
        .find_map(|ou| ou.strip_prefix("BIN"))
        .map(str::to_owned);
    if let Some(digits) = &bin
        && let Err(error) = Bin::parse(digits)
    {
        findings.push(Finding::InvalidBin {
            value: digits.clone(),
            error,
        });
    }

    findings.extend(
        ext.unknown_roles
            .into_iter()
            .map(|oid| Finding::UnknownRole { oid }),
    );
    let marks_individual = ext.roles.contains(&Role::Individual);
    let marks_legal_entity = ext.roles.contains(&Role::LegalEntity);
    let kind = match (marks_individual, marks_legal_entity) {
        (true, false) => Some(HolderKind::Individual),
        (false, true) => Some(HolderKind::LegalEntity),
        (true, true) => {
            findings.push(Finding::ConflictingKindRoles);
            None
        }
        (false, false) => {
            findings.push(Finding::MissingKindRole);
            if bin.is_some()
                || ext
                    .roles
                    .iter()
                    .any(|r| r.kind() == HolderKind::LegalEntity)
            {
                Some(HolderKind::LegalEntity)
            } else if iin.is_some() {
                Some(HolderKind::Individual)
            } else {
                None
            }
        }
    };
    if let Some(kind) = kind {
        findings.extend(
            ext.roles
                .iter()
                .filter(|role| role.kind() != kind)
                .map(|role| Finding::RoleNotForKind { role: *role, kind }),
        );
        if kind == HolderKind::LegalEntity && bin.is_none() {
            findings.push(Finding::MissingBin);
        }
    }

    let key_purpose = match (ext.email_protection, ext.client_auth) {
        (true, false) => Some(KeyPurpose::Signing),
        (false, true) => Some(KeyPurpose::Authentication),
        (true, true) => {
            findings.push(Finding::AmbiguousKeyPurpose);
            None
        }
        (false, false) => {
            findings.push(Finding::NoKeyPurpose);
            None
        }
    };
    match (ext.key_usage, key_purpose) {
        (None, _) => findings.push(Finding::MissingKeyUsage),
        (Some(found), Some(purpose)) => {
            let required = key_usage(purpose);
            if !found.contains(&required) {
                findings.push(Finding::KeyUsageMismatch {
                    purpose,
                    required,
                    found,
                });
            }
        }
        (Some(_), None) => {}
    }
    if let Some(reason) = ext.san_error {
        findings.push(Finding::UndecodableSubjectAltName { reason });
    }

    Holder {
        kind,
        iin,
        bin,
        common_name: subject.common_name,
        surname: subject.surname,
        name,
        patronymic: subject.given_name,
        organization: subject.organization,
        country: subject.country,
        email: subject.email.or(ext.san_email),
        roles: ext.roles,
        key_purpose,
        policies: ext.policies,
        key_usage: ext.key_usage,
        findings,
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests build their inputs from fixed valid values"
)]
mod tests {
    use super::*;

    // --- a minimal DER writer, enough to build names and certificates for the tests ---

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(u8::try_from(len).unwrap());
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap());
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    fn base128(mut value: u64) -> Vec<u8> {
        let mut out = vec![u8::try_from(value & 0x7f).unwrap()];
        value >>= 7;
        while value > 0 {
            out.insert(0, u8::try_from(value & 0x7f).unwrap() | 0x80);
            value >>= 7;
        }
        out
    }

    fn oid(arcs: &[u64]) -> Vec<u8> {
        let mut body = base128(arcs[0] * 40 + arcs[1]);
        for arc in &arcs[2..] {
            body.extend(base128(*arc));
        }
        tlv(0x06, &body)
    }

    fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    /// A string value: its tag and content bytes.
    type Value = (u8, Vec<u8>);

    fn utf8(s: &str) -> Value {
        (0x0c, s.as_bytes().to_vec())
    }

    fn printable(s: &str) -> Value {
        (0x13, s.as_bytes().to_vec())
    }

    fn bmp(s: &str) -> Value {
        (0x1e, s.encode_utf16().flat_map(u16::to_be_bytes).collect())
    }

    fn name(attributes: &[(&[u64], Value)]) -> Vec<u8> {
        let rdns: Vec<Vec<u8>> = attributes
            .iter()
            .map(|(kind, (tag, value))| tlv(0x31, &seq(&[oid(kind), tlv(*tag, value)])))
            .collect();
        seq(&rdns)
    }

    fn extension(id: &[u64], value: &[u8]) -> Vec<u8> {
        seq(&[oid(id), tlv(0x04, value)])
    }

    /// Key usage with the given first byte of bits (bit 0 = 0x80).
    fn key_usage_ext(bits: u8) -> Vec<u8> {
        extension(oids::EXT_KEY_USAGE, &tlv(0x03, &[0, bits]))
    }

    fn eku_ext(purposes: &[&[u64]]) -> Vec<u8> {
        let list: Vec<Vec<u8>> = purposes.iter().map(|p| oid(p)).collect();
        extension(oids::EXT_EXTENDED_KEY_USAGE, &seq(&list))
    }

    fn policies_ext(policies: &[&[u64]]) -> Vec<u8> {
        let list: Vec<Vec<u8>> = policies.iter().map(|p| seq(&[oid(p)])).collect();
        extension(oids::EXT_CERTIFICATE_POLICIES, &seq(&list))
    }

    fn san_email_ext(email: &str) -> Vec<u8> {
        extension(
            oids::EXT_SUBJECT_ALT_NAME,
            &seq(&[tlv(0x81, email.as_bytes())]),
        )
    }

    /// A structurally valid certificate (the signature is not a real one; nothing checks it).
    fn cert(subject: Vec<u8>, extensions: &[Vec<u8>]) -> Vec<u8> {
        let alg = seq(&[oid(&[1, 2, 398, 3, 10, 1, 1, 2, 3, 2])]);
        let issuer = name(&[
            (oids::AT_COMMON_NAME, utf8("ТЕСТ CA")),
            (oids::AT_COUNTRY, printable("KZ")),
        ]);
        let validity = seq(&[tlv(0x17, b"220118044535Z"), tlv(0x17, b"230118044535Z")]);
        let spki = seq(&[
            seq(&[oid(&[1, 2, 398, 3, 10, 1, 1, 2, 2])]),
            tlv(0x03, &[0, 1, 2, 3]),
        ]);
        let mut tbs = vec![
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[0x01, 0x23]),
            alg.clone(),
            issuer,
            validity,
            subject,
            spki,
        ];
        if !extensions.is_empty() {
            tbs.push(tlv(0xa3, &seq(extensions)));
        }
        seq(&[seq(&tbs), alg, tlv(0x03, &[0, 0xaa])])
    }

    fn iin() -> Iin {
        Iin::parse("900101300017").unwrap()
    }

    fn bin() -> Bin {
        Bin::parse("100440000014").unwrap()
    }

    const DS_NR: u8 = 0xc0;
    const DS_KE: u8 = 0xa0;

    fn signing() -> KeyUsageBits {
        key_usage(KeyPurpose::Signing)
    }

    // --- the center's side ---

    #[test]
    fn ok_upper_case_agrees_with_to_uppercase_on_every_character() {
        let mut own = 0u32;
        for c in (0..=0x10_FFFF_u32).filter_map(char::from_u32) {
            if is_own_upper_case(c) {
                own += 1;
                assert!(
                    c.to_uppercase().eq(std::iter::once(c)),
                    "U+{:04X} is not its own upper case",
                    u32::from(c)
                );
            }
        }
        assert!(own > 1_000, "{own} characters took the fast path");
        for name in [
            "ӘБІЛҚАЙЫР",
            "Әбілқайыр",
            "STRAßE",
            "o'neil-ұлы",
            "ǅ",
            "ⓐ",
            "ⅰ",
        ] {
            assert_eq!(upper_case(name), name.to_uppercase(), "{name}");
        }
    }

    #[test]
    fn ok_subject_attributes_of_an_individual_in_national_order() {
        let spec = SubjectSpec {
            surname: " Әбілқасымова ".to_owned(),
            name: "ғалия".to_owned(),
            patronymic: Some("Нұрланқызы".to_owned()),
            iin: iin(),
            organization: None,
        };
        assert_eq!(spec.kind(), HolderKind::Individual);
        assert_eq!(
            subject_attributes(&spec),
            Ok(vec![
                (oids::AT_COMMON_NAME, "ӘБІЛҚАСЫМОВА ҒАЛИЯ".to_owned()),
                (oids::AT_SURNAME, "ӘБІЛҚАСЫМОВА".to_owned()),
                (oids::AT_SERIAL_NUMBER, "IIN900101300017".to_owned()),
                (oids::AT_COUNTRY, "KZ".to_owned()),
                (oids::AT_GIVEN_NAME, "НҰРЛАНҚЫЗЫ".to_owned()),
            ])
        );
    }

    #[test]
    fn ok_subject_attributes_of_a_legal_entity_put_o_and_ou_before_givenname() {
        let spec = SubjectSpec {
            surname: "Тестов".to_owned(),
            name: "Тест".to_owned(),
            patronymic: None,
            iin: iin(),
            organization: Some(Organization {
                name: "АО \"Тест\"".to_owned(),
                bin: bin(),
            }),
        };
        assert_eq!(spec.kind(), HolderKind::LegalEntity);
        assert_eq!(
            subject_attributes(&spec),
            Ok(vec![
                (oids::AT_COMMON_NAME, "ТЕСТОВ ТЕСТ".to_owned()),
                (oids::AT_SURNAME, "ТЕСТОВ".to_owned()),
                (oids::AT_SERIAL_NUMBER, "IIN900101300017".to_owned()),
                (oids::AT_COUNTRY, "KZ".to_owned()),
                (oids::AT_ORGANIZATION, "АО \"Тест\"".to_owned()),
                (oids::AT_ORGANIZATIONAL_UNIT, "BIN100440000014".to_owned()),
            ])
        );
    }

    #[test]
    fn fail_subject_attributes_with_an_empty_name() {
        let mut spec = SubjectSpec {
            surname: "Тестов".to_owned(),
            name: "  ".to_owned(),
            patronymic: None,
            iin: iin(),
            organization: None,
        };
        assert_eq!(
            subject_attributes(&spec),
            Err(ProfileError::EmptyName {
                field: NameField::Name
            })
        );
        spec.name = "Тест".to_owned();
        spec.patronymic = Some(String::new());
        assert_eq!(
            subject_attributes(&spec),
            Err(ProfileError::EmptyName {
                field: NameField::Patronymic
            })
        );
        spec.patronymic = None;
        spec.organization = Some(Organization {
            name: " ".to_owned(),
            bin: bin(),
        });
        assert_eq!(
            subject_attributes(&spec),
            Err(ProfileError::EmptyName {
                field: NameField::Organization
            })
        );
        assert_eq!(
            ProfileError::EmptyName {
                field: NameField::Organization
            }
            .to_string(),
            "write an empty organization name"
        );
    }

    #[test]
    fn ok_key_usage_per_purpose() {
        assert_eq!(
            key_usage(KeyPurpose::Signing),
            KeyUsageBits {
                digital_signature: true,
                non_repudiation: true,
                ..Default::default()
            }
        );
        assert_eq!(
            key_usage(KeyPurpose::Authentication),
            KeyUsageBits {
                digital_signature: true,
                key_encipherment: true,
                ..Default::default()
            }
        );
        assert_eq!(POLICY, &[1, 2, 398, 3, 3, 2]);
    }

    #[test]
    fn ok_extended_key_usages_of_an_individual() {
        assert_eq!(
            extended_key_usages(HolderKind::Individual, &[], KeyPurpose::Signing),
            Ok(vec![oids::EKU_EMAIL_PROTECTION, oids::ROLE_INDIVIDUAL])
        );
        assert_eq!(
            extended_key_usages(
                HolderKind::Individual,
                &[Role::Individual],
                KeyPurpose::Authentication
            ),
            Ok(vec![oids::EKU_CLIENT_AUTH, oids::ROLE_INDIVIDUAL])
        );
    }

    #[test]
    fn ok_extended_key_usages_of_a_legal_entity_in_canonical_order() {
        let got = extended_key_usages(
            HolderKind::LegalEntity,
            &[
                Role::Employee,
                Role::FirstHead,
                Role::LegalEntity,
                Role::FinancialSigningRight,
            ],
            KeyPurpose::Signing,
        );
        assert_eq!(
            got,
            Ok(vec![
                oids::EKU_EMAIL_PROTECTION,
                oids::ROLE_LEGAL_ENTITY,
                oids::ROLE_FIRST_HEAD,
                oids::ROLE_FINANCIAL_SIGNING_RIGHT,
                oids::ROLE_EMPLOYEE,
            ])
        );
    }

    #[test]
    fn fail_extended_key_usages_with_a_role_of_the_other_kind() {
        assert_eq!(
            extended_key_usages(
                HolderKind::Individual,
                &[Role::FirstHead],
                KeyPurpose::Signing
            ),
            Err(ProfileError::RoleNotForKind {
                role: Role::FirstHead,
                kind: HolderKind::Individual
            })
        );
        assert_eq!(
            check_roles(HolderKind::Individual, &[Role::LegalEntity]),
            Err(ProfileError::RoleNotForKind {
                role: Role::LegalEntity,
                kind: HolderKind::Individual
            })
        );
        assert_eq!(
            check_roles(
                HolderKind::LegalEntity,
                &[Role::SigningRight, Role::Individual]
            ),
            Err(ProfileError::RoleNotForKind {
                role: Role::Individual,
                kind: HolderKind::LegalEntity
            })
        );
        assert_eq!(
            ProfileError::RoleNotForKind {
                role: Role::Hr,
                kind: HolderKind::Individual
            }
            .to_string(),
            "give role hr to a holder of kind individual"
        );
    }

    #[test]
    fn fail_check_roles_with_a_repeated_role() {
        assert_eq!(
            check_roles(
                HolderKind::LegalEntity,
                &[Role::Hr, Role::SigningRight, Role::Hr]
            ),
            Err(ProfileError::DuplicateRole { role: Role::Hr })
        );
    }

    #[test]
    fn ok_role_oids_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_oid(role.oid()), Some(role));
        }
        assert_eq!(Role::from_oid(&[1, 2, 398, 3, 3, 4, 2, 1]), None);
        assert_eq!(Role::from_oid(oids::ROLE_ARC), None);
    }

    // --- string decoding ---

    fn any(tag: u8, data: &[u8]) -> Vec<u8> {
        tlv(tag, data)
    }

    fn decode(der: &[u8]) -> Option<String> {
        let (_, value) = Any::from_der(der).unwrap();
        decode_string(&value)
    }

    #[test]
    fn ok_decode_every_directory_string_type() {
        let kazakh = "әғқңөұүһі ӘҒҚҢӨҰҮҺІ";
        assert_eq!(
            decode(&any(0x0c, kazakh.as_bytes())).as_deref(),
            Some(kazakh)
        );
        assert_eq!(decode(&any(0x1e, &bmp(kazakh).1)).as_deref(), Some(kazakh));
        let ucs4: Vec<u8> = kazakh
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        assert_eq!(decode(&any(0x1c, &ucs4)).as_deref(), Some(kazakh));
        assert_eq!(
            decode(&any(0x13, b"IIN900101300017")).as_deref(),
            Some("IIN900101300017")
        );
        assert_eq!(decode(&any(0x16, b"a@b.kz")).as_deref(), Some("a@b.kz"));
        assert_eq!(
            decode(&any(0x14, &[0x4d, 0xfc, 0x6c, 0x6c])).as_deref(),
            Some("Müll")
        );
        // Outside the basic plane: a surrogate pair in BMPString is accepted.
        assert_eq!(
            decode(&any(0x1e, &[0xd8, 0x3d, 0xde, 0x00])).as_deref(),
            Some("\u{1f600}")
        );
    }

    #[test]
    fn fail_decode_invalid_strings() {
        assert_eq!(decode(&any(0x0c, &[0xd0])), None, "truncated UTF-8");
        assert_eq!(
            decode(&any(0x13, "Ә".as_bytes())),
            None,
            "non-ASCII PrintableString"
        );
        assert_eq!(
            decode(&any(0x1e, &[0x04, 0xd8, 0x00])),
            None,
            "odd BMPString length"
        );
        assert_eq!(
            decode(&any(0x1e, &[0xd8, 0x00])),
            None,
            "unpaired surrogate"
        );
        assert_eq!(
            decode(&any(0x1c, &[0, 0x11, 0, 0])),
            None,
            "beyond U+10FFFF"
        );
        assert_eq!(decode(&any(0x04, b"ab")), None, "OCTET STRING is no string");
        assert_eq!(
            decode(&any(0x8c, b"ab")),
            None,
            "context tag 12 is no UTF8String"
        );
    }

    #[test]
    fn ok_first_name_after_surname() {
        assert_eq!(first_name("ТЕСТОВ ТЕСТ", "ТЕСТОВ").as_deref(), Some("ТЕСТ"));
        assert_eq!(first_name("Әлиев  Ғани ", "ӘЛИЕВ").as_deref(), Some("Ғани"));
        assert_eq!(first_name("ТЕСТОВ", "ТЕСТОВ"), None);
        assert_eq!(first_name("ТЕСТОВА ТЕСТ", "ТЕСТОВ"), None);
        assert_eq!(first_name("ТЕСТ ТЕСТОВ", "ТЕСТОВ"), None);
    }

    // --- reading certificates ---

    fn individual_subject() -> Vec<u8> {
        name(&[
            (oids::AT_COMMON_NAME, utf8("ӘБІЛҚАСЫМОВА ҒАЛИЯ")),
            (oids::AT_SURNAME, utf8("ӘБІЛҚАСЫМОВА")),
            (oids::AT_SERIAL_NUMBER, printable("IIN900101300017")),
            (oids::AT_COUNTRY, printable("KZ")),
            (oids::AT_GIVEN_NAME, utf8("НҰРЛАНҚЫЗЫ")),
        ])
    }

    fn individual_holder() -> Holder {
        Holder {
            kind: Some(HolderKind::Individual),
            iin: Some("900101300017".to_owned()),
            bin: None,
            common_name: Some("ӘБІЛҚАСЫМОВА ҒАЛИЯ".to_owned()),
            surname: Some("ӘБІЛҚАСЫМОВА".to_owned()),
            name: Some("ҒАЛИЯ".to_owned()),
            patronymic: Some("НҰРЛАНҚЫЗЫ".to_owned()),
            organization: None,
            country: Some("KZ".to_owned()),
            email: None,
            roles: vec![Role::Individual],
            key_purpose: Some(KeyPurpose::Signing),
            policies: vec!["1.2.398.3.3.2".to_owned()],
            key_usage: Some(signing()),
            findings: vec![],
        }
    }

    fn profile_extensions() -> Vec<Vec<u8>> {
        vec![
            key_usage_ext(DS_NR),
            eku_ext(&[oids::EKU_EMAIL_PROTECTION, oids::ROLE_INDIVIDUAL]),
            policies_ext(&[POLICY]),
        ]
    }

    #[test]
    fn ok_read_a_profile_certificate_without_findings() {
        let der = cert(individual_subject(), &profile_extensions());
        assert_eq!(Holder::from_der(&der), Ok(individual_holder()));
    }

    #[test]
    fn ok_read_bmpstring_names_and_email() {
        let subject = name(&[
            (oids::AT_COMMON_NAME, bmp("ӘБІЛҚАСЫМОВА ҒАЛИЯ")),
            (oids::AT_SURNAME, bmp("ӘБІЛҚАСЫМОВА")),
            (oids::AT_SERIAL_NUMBER, bmp("IIN900101300017")),
            (oids::AT_COUNTRY, printable("KZ")),
            (oids::AT_GIVEN_NAME, bmp("НҰРЛАНҚЫЗЫ")),
            (
                oids::AT_EMAIL_ADDRESS,
                (0x16, b"galiya@example.kz".to_vec()),
            ),
        ]);
        let der = cert(subject, &profile_extensions());
        let expected = Holder {
            email: Some("galiya@example.kz".to_owned()),
            ..individual_holder()
        };
        assert_eq!(Holder::from_der(&der), Ok(expected));
    }

    #[test]
    fn ok_read_email_from_subject_alt_name() {
        let mut extensions = profile_extensions();
        extensions.push(san_email_ext("ғалия@example.kz"));
        let der = cert(individual_subject(), &extensions);
        let holder = Holder::from_der(&der).unwrap();
        assert_eq!(holder.email.as_deref(), Some("ғалия@example.kz"));
        assert_eq!(holder.findings, vec![]);
    }

    #[test]
    fn ok_findings_for_undecodable_and_duplicate_attributes() {
        let subject = name(&[
            (oids::AT_COMMON_NAME, utf8("ТЕСТОВ ТЕСТ")),
            (oids::AT_COMMON_NAME, utf8("ДРУГОЙ")),
            (oids::AT_SURNAME, (0x13, "ТЕСТОВ".as_bytes().to_vec())),
            (oids::AT_SERIAL_NUMBER, printable("IIN900101300017")),
        ]);
        let der = cert(subject, &profile_extensions());
        let holder = Holder::from_der(&der).unwrap();
        assert_eq!(holder.common_name.as_deref(), Some("ТЕСТОВ ТЕСТ"));
        assert_eq!(holder.surname, None);
        assert_eq!(holder.name, None);
        assert_eq!(
            holder.findings,
            vec![
                Finding::DuplicateAttribute {
                    attribute: "2.5.4.3".to_owned()
                },
                Finding::UndecodableAttribute {
                    attribute: "2.5.4.4".to_owned(),
                    tag: 19
                },
            ]
        );
    }

    #[test]
    fn ok_findings_for_a_legal_entity_without_bin_and_unknown_roles() {
        let subject = name(&[
            (oids::AT_COMMON_NAME, utf8("ТЕСТОВ")),
            (oids::AT_SURNAME, utf8("ТЕСТОВ")),
            (oids::AT_SERIAL_NUMBER, printable("PAS12345")),
            (oids::AT_ORGANIZATION, utf8("ТОО «Тест»")),
            (oids::AT_ORGANIZATIONAL_UNIT, utf8("Бухгалтерия")),
        ]);
        let extensions = [
            key_usage_ext(DS_KE),
            eku_ext(&[
                oids::EKU_EMAIL_PROTECTION,
                oids::ROLE_FIRST_HEAD,
                &[1, 2, 398, 3, 3, 4, 2, 1],
                oids::ROLE_FIRST_HEAD,
                &[1, 2, 398, 3, 3, 5],
            ]),
        ];
        let holder = Holder::from_der(&cert(subject, &extensions)).unwrap();
        assert_eq!(holder.kind, Some(HolderKind::LegalEntity));
        assert_eq!(holder.iin, None);
        assert_eq!(holder.bin, None);
        assert_eq!(holder.organization.as_deref(), Some("ТОО «Тест»"));
        assert_eq!(holder.roles, vec![Role::FirstHead]);
        assert_eq!(holder.policies, Vec::<String>::new());
        assert_eq!(
            holder.findings,
            vec![
                Finding::CommonNameNotSurnameName,
                Finding::UnrecognisedSerialNumber {
                    value: "PAS12345".to_owned()
                },
                Finding::MissingIin,
                Finding::UnknownRole {
                    oid: "1.2.398.3.3.4.2.1".to_owned()
                },
                Finding::MissingKindRole,
                Finding::MissingBin,
                Finding::KeyUsageMismatch {
                    purpose: KeyPurpose::Signing,
                    required: signing(),
                    found: KeyUsageBits {
                        digital_signature: true,
                        key_encipherment: true,
                        ..Default::default()
                    },
                },
            ]
        );
    }

    #[test]
    fn ok_findings_for_conflicting_kinds_and_both_purposes() {
        let extensions = [eku_ext(&[
            oids::EKU_CLIENT_AUTH,
            oids::ROLE_INDIVIDUAL,
            oids::EKU_EMAIL_PROTECTION,
            oids::ROLE_LEGAL_ENTITY,
        ])];
        let holder = Holder::from_der(&cert(individual_subject(), &extensions)).unwrap();
        assert_eq!(holder.kind, None);
        assert_eq!(holder.key_purpose, None);
        assert_eq!(holder.key_usage, None);
        assert_eq!(holder.roles, vec![Role::Individual, Role::LegalEntity]);
        assert_eq!(
            holder.findings,
            vec![
                Finding::ConflictingKindRoles,
                Finding::AmbiguousKeyPurpose,
                Finding::MissingKeyUsage
            ]
        );
    }

    #[test]
    fn ok_findings_for_a_legal_entity_role_in_an_individual_certificate() {
        let extensions = [
            key_usage_ext(DS_KE),
            eku_ext(&[
                oids::EKU_CLIENT_AUTH,
                oids::ROLE_INDIVIDUAL,
                oids::ROLE_SIGNING_RIGHT,
            ]),
        ];
        let holder = Holder::from_der(&cert(individual_subject(), &extensions)).unwrap();
        assert_eq!(holder.kind, Some(HolderKind::Individual));
        assert_eq!(holder.key_purpose, Some(KeyPurpose::Authentication));
        assert_eq!(
            holder.findings,
            vec![Finding::RoleNotForKind {
                role: Role::SigningRight,
                kind: HolderKind::Individual
            }]
        );
    }

    #[test]
    fn ok_kind_from_the_subject_when_no_kind_role() {
        let holder = Holder::from_der(&cert(individual_subject(), &[])).unwrap();
        assert_eq!(holder.kind, Some(HolderKind::Individual));
        assert_eq!(
            holder.findings,
            vec![
                Finding::MissingKindRole,
                Finding::NoKeyPurpose,
                Finding::MissingKeyUsage
            ]
        );
    }

    #[test]
    fn fail_read_a_repeated_extension() {
        let extensions = [key_usage_ext(DS_NR), key_usage_ext(DS_NR)];
        assert_eq!(
            Holder::from_der(&cert(individual_subject(), &extensions)),
            Err(HolderError::DuplicateExtension {
                oid: "2.5.29.15".to_owned()
            })
        );
    }

    #[test]
    fn fail_read_an_undecodable_extended_key_usage() {
        let extensions = [extension(oids::EXT_EXTENDED_KEY_USAGE, &tlv(0x02, &[1]))];
        let err = Holder::from_der(&cert(individual_subject(), &extensions)).unwrap_err();
        let HolderError::Extension { oid, .. } = &err else {
            panic!("unexpected {err:?}")
        };
        assert_eq!(oid, "2.5.29.37");
    }

    #[test]
    fn ok_undecodable_subject_alt_name_is_a_finding() {
        let mut extensions = profile_extensions();
        extensions.push(extension(oids::EXT_SUBJECT_ALT_NAME, &tlv(0x02, &[1])));
        let holder = Holder::from_der(&cert(individual_subject(), &extensions)).unwrap();
        assert_eq!(holder.email, None);
        assert!(
            matches!(
                holder.findings.as_slice(),
                [Finding::UndecodableSubjectAltName { .. }]
            ),
            "{:?}",
            holder.findings
        );
    }

    #[test]
    fn fail_read_trailing_bytes() {
        let mut der = cert(individual_subject(), &profile_extensions());
        let len = der.len();
        der.extend_from_slice(&[0, 0]);
        assert_eq!(
            Holder::from_der(&der),
            Err(HolderError::TrailingData {
                offset: len,
                extra: 2
            })
        );
    }

    #[test]
    fn fail_read_empty_input() {
        assert_eq!(
            Holder::from_der(&[]),
            Err(HolderError::Truncated { len: 0, needed: 2 })
        );
        assert_eq!(
            Holder::from_der(&[0x30, 0x84, 0, 0]),
            Err(HolderError::Truncated { len: 4, needed: 2 })
        );
        assert_eq!(
            HolderError::Truncated { len: 4, needed: 2 }.to_string(),
            "decode certificate: input of 4 bytes ends inside it (2 more bytes needed)"
        );
    }

    #[test]
    fn fail_read_a_bad_outer_header() {
        assert_eq!(
            Holder::from_der(b"MIIC"),
            Err(HolderError::Malformed {
                reason: "expected a SEQUENCE (tag 0x30) at offset 0, found tag 0x4d".to_owned()
            })
        );
        assert_eq!(
            Holder::from_der(&[0x30, 0x80, 0, 0]),
            Err(HolderError::Malformed {
                reason: "indefinite length at offset 1 is not DER".to_owned()
            })
        );
        assert_eq!(
            Holder::from_der(&[0x30, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(HolderError::Malformed {
                reason: "length at offset 1 overflows (9 bytes)".to_owned()
            })
        );
        assert_eq!(
            Holder::from_der(&[0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(HolderError::Malformed {
                reason: "length at offset 1 overflows".to_owned()
            })
        );
    }
}
