//! The registration request an applicant presents to the certification center, and the rules
//! that decide whether the center issues or refuses (EDS law art. 14 and 14-1).
//!
//! The assessment is a pure function: the facts the center looked up in its registry of persons
//! and legal entities, the court decisions in force and the issuance date are parameters, so the
//! same rule can be tested without a database and applied by any storage backend.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::age;
use crate::grounds::RefusalGround;
use crate::holder::{self, HolderKind, KeyPurpose, ProfileError, Role};
use crate::ident::{Bin, IdentError, Iin};

/// A document an applicant presents with the registration request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DocumentKind {
    /// The applicant's identity document (identity card or passport).
    IdentityDocument,
    /// A signed application for the registration certificate.
    Application,
    /// For a legal entity: a certificate or reference of its state registration.
    EntityRegistration,
    /// For a first head: the decision appointing the head.
    HeadAppointment,
    /// For an employee or a person with signing right: a power of attorney from the entity.
    PowerOfAttorney,
    /// For a non-resident: a document confirming the right of stay or residence.
    ResidencePermit,
}

impl DocumentKind {
    /// The machine name used in requests.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdentityDocument => "identity-document",
            Self::Application => "application",
            Self::EntityRegistration => "entity-registration",
            Self::HeadAppointment => "head-appointment",
            Self::PowerOfAttorney => "power-of-attorney",
            Self::ResidencePermit => "residence-permit",
        }
    }
}

/// The person applying for a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// Individual identification number, 12 digits.
    pub iin: String,
    /// Surname as in the identity document.
    pub surname: String,
    /// First name.
    pub name: String,
    /// Patronymic, if the identity document carries one.
    #[serde(default)]
    pub patronymic: Option<String>,
    /// `false` for a non-resident, whose birth date must be stated.
    #[serde(default = "yes")]
    pub resident: bool,
    /// Birth date as stated by the applicant (`YYYY-MM-DD`; required for a non-resident).
    #[serde(default, with = "iso_date::option")]
    pub birth_date: Option<Date>,
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

fn yes() -> bool {
    true
}

/// The legal entity the applicant acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalEntity {
    /// Business identification number, 12 digits.
    pub bin: String,
    /// Registered name.
    pub name: String,
}

/// A request for a registration certificate (EDS law art. 14; the certificate's content follows
/// art. 15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    /// Who applies.
    pub applicant: Applicant,
    /// The legal entity, when the certificate is for an employee of one.
    #[serde(default)]
    pub legal_entity: Option<LegalEntity>,
    /// Roles within the legal entity (first head, signing right, …); empty for an individual.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// What the key is for: signing documents or authentication.
    pub key_purpose: KeyPurpose,
    /// The documents presented.
    pub documents: Vec<DocumentKind>,
    /// The owner asked that their details stay out of the public register (art. 23.2).
    #[serde(default)]
    pub confidential: bool,
    /// The public key as a PKCS#10 request in PEM; absent when the center generates the key
    /// (art. 21.1(1)).
    #[serde(default)]
    pub csr_pem: Option<String>,
    /// Information the center adds to the certificate in agreement with the participant (EDS
    /// law art. 15.2): present only when the participant asks for it in this request.
    #[serde(default)]
    pub additional_info: Option<AdditionalInfo>,
}

/// Additional information of a registration certificate, agreed between the center and the
/// participant (EDS law art. 15.2: "in coordination with the participant … additional
/// information necessary for the electronic document management system"). Each item goes in its
/// standard place, so any reader finds it; the center adds nothing the request does not name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdditionalInfo {
    /// An e-mail address, written as an rfc822Name of the subject alternative name (RFC 5280
    /// §4.2.1.6).
    #[serde(default)]
    pub email: Option<String>,
}

impl AdditionalInfo {
    /// Whether it names nothing.
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
    }
}

impl RegistrationRequest {
    /// A legal entity's certificate when the request names one, else an individual's.
    pub fn kind(&self) -> HolderKind {
        if self.legal_entity.is_some() {
            HolderKind::LegalEntity
        } else {
            HolderKind::Individual
        }
    }

    /// The documents this request's profile needs (art. 14-1(1) decides on their completeness).
    pub fn required_documents(&self) -> Vec<DocumentKind> {
        let mut need = vec![DocumentKind::IdentityDocument, DocumentKind::Application];
        if !self.applicant.resident {
            need.push(DocumentKind::ResidencePermit);
        }
        if self.legal_entity.is_some() {
            need.push(DocumentKind::EntityRegistration);
            if self.roles.contains(&Role::FirstHead) {
                need.push(DocumentKind::HeadAppointment);
            } else {
                need.push(DocumentKind::PowerOfAttorney);
            }
        }
        need
    }
}

/// What the center's registry of persons says about the applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// Surname on record.
    pub surname: String,
    /// First name on record.
    pub name: String,
    /// Patronymic on record.
    pub patronymic: Option<String>,
    /// Birth date on record.
    pub birth_date: Date,
    /// Date of death, if recorded.
    pub death_date: Option<Date>,
}

/// What the center's registry of legal entities says about the entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityFacts {
    /// Registered name.
    pub name: String,
    /// IIN of the current head.
    pub head_iin: String,
    /// Date of liquidation, if any.
    pub liquidated_on: Option<Date>,
}

/// Everything the center looked up before deciding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// The applicant in the registry of persons, if found.
    pub person: Option<PersonFacts>,
    /// The legal entity in the registry, if the request names one and it was found.
    pub entity: Option<EntityFacts>,
    /// References of court decisions in force that forbid issuance to the applicant or entity.
    pub court_decisions: Vec<String>,
}

/// Why a request is refused: the ground of art. 14-1 and the precise finding behind it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Art. 14-1(1): documents the profile needs were not presented.
    #[error("incomplete documents: missing {}", names(missing))]
    MissingDocuments {
        /// The documents that were required but absent.
        missing: Vec<DocumentKind>,
    },
    /// Art. 14-1(2): the IIN is malformed or fails its check digit.
    #[error("false information: invalid IIN: {error}")]
    InvalidIin {
        /// What is wrong with it.
        error: IdentError,
    },
    /// Art. 14-1(2): the BIN is malformed or fails its check digit.
    #[error("false information: invalid BIN: {error}")]
    InvalidBin {
        /// What is wrong with it.
        error: IdentError,
    },
    /// Art. 14-1(2): a non-resident did not state a birth date.
    #[error("false information: a non-resident must state a birth date")]
    BirthDateMissing,
    /// Art. 14-1(2): the IIN is not in the registry of persons.
    #[error("false information: IIN {iin} is not in the registry of persons")]
    UnknownPerson {
        /// The IIN given.
        iin: String,
    },
    /// Art. 14-1(2): the registry records the person as deceased.
    #[error("false information: the registry records the death of {iin} on {died}")]
    Deceased {
        /// The IIN given.
        iin: String,
        /// Date of death on record.
        died: Date,
    },
    /// Art. 14-1(2): a stated field differs from the registry.
    #[error("false information: {field} is {stated:?} but the registry has {registry:?}")]
    ContradictsRegistry {
        /// Which field: `surname`, `name`, `patronymic`, `birth-date`, `entity-name`.
        field: &'static str,
        /// What the applicant stated.
        stated: String,
        /// What the registry holds.
        registry: String,
    },
    /// Art. 14-1(2): the BIN is not in the registry of legal entities.
    #[error("false information: BIN {bin} is not in the registry of legal entities")]
    UnknownEntity {
        /// The BIN given.
        bin: String,
    },
    /// Art. 14-1(2): the legal entity was liquidated.
    #[error("false information: legal entity {bin} was liquidated on {on}")]
    EntityLiquidated {
        /// The BIN given.
        bin: String,
        /// Date of liquidation.
        on: Date,
    },
    /// Art. 14-1(2): the applicant claims the first head's role but is not the head on record.
    #[error("false information: the registry names {head_iin} as head of the entity")]
    NotTheHead {
        /// The head on record.
        head_iin: String,
    },
    /// Art. 14-1(2): the roles do not fit the holder kind (e.g. a first head without an entity).
    #[error("false information: {error}")]
    InvalidRoles {
        /// Which role does not fit.
        error: ProfileError,
    },
    /// Art. 14-1(3): a court decision in force forbids issuance.
    #[error("court decision in force: {decision}")]
    CourtDecision {
        /// The decision's reference.
        decision: String,
    },
    /// Art. 14-1(2) with 15.2: the additional information asked for cannot be written as
    /// stated (an e-mail address that is not one: RFC 5322 `local@domain`, ASCII, as an
    /// rfc822Name must be, RFC 5280 §4.2.1.6).
    #[error("false information: additional information {field} {found:?} is not {expected}")]
    InvalidAdditionalInfo {
        /// Which item: `email`.
        field: &'static str,
        /// What was stated.
        found: String,
        /// What it must be.
        expected: &'static str,
    },
    /// Art. 14 and 14-1(4): the applicant is under sixteen on the issuance date.
    #[error("applicant is {age} on {on}, under sixteen until {sixteen_on}")]
    UnderAge {
        /// Completed years on the issuance date.
        age: u32,
        /// The issuance date.
        on: Date,
        /// The day the applicant turns sixteen.
        sixteen_on: Date,
    },
    /// Art. 21.1: the public key is already certified to another holder (another IIN, or the
    /// same IIN for another legal entity or none).
    #[error("key of another holder: the public key is already certified to {holder} {}", match serial {
        Some(s) => format!("in certificate {s}"),
        None => "by an earlier request of the same batch".to_owned(),
    })]
    KeyOfAnotherHolder {
        /// The serial (hex) of a certificate that certifies the key; `None` when an earlier
        /// request of the same batch takes it (its serial is not drawn yet).
        serial: Option<String>,
        /// Its holder: `IIN <iin>`, with `, BIN <bin>` for a legal entity's certificate.
        holder: String,
    },
    /// Art. 21.1: an RSA modulus shorter than the center's minimum.
    #[error("unacceptable key: RSA key of {bits} bits, the center requires at least {minimum}")]
    RsaKeyTooShort {
        /// The modulus length in bits.
        bits: u32,
        /// The configured minimum.
        minimum: u32,
    },
    /// Art. 21.1, RFC 5480 §2.1.1.1: an elliptic-curve key on a curve the center does not
    /// certify.
    #[error(
        "unacceptable key: elliptic curve {curve} is not supported (the center certifies {allowed})"
    )]
    UnsupportedCurve {
        /// The curve's name, or its OID when it has no name here.
        curve: String,
        /// The key types the center certifies.
        allowed: String,
    },
    /// Art. 21.1: a key algorithm the center does not certify.
    #[error(
        "unacceptable key: {algorithm} keys are not certified (the center certifies {allowed})"
    )]
    KeyAlgorithmNotAllowed {
        /// The algorithm's name, or its OID when it has no name here.
        algorithm: String,
        /// The key types the center certifies.
        allowed: String,
    },
    /// Art. 21.1, RFC 2986 §4.2: the request's self-signature uses a broken hash (SHA-1, MD5), so
    /// it proves nothing about possession of the key (RFC 6194 §3, NIST SP 800-131A).
    #[error("unacceptable key: the request is self-signed with {algorithm}, a broken hash")]
    WeakRequestSignature {
        /// The signature algorithm's name.
        algorithm: String,
    },
}

impl Refusal {
    /// The ground (art. 14-1 or 21.1) this refusal rests on.
    pub fn ground(&self) -> RefusalGround {
        match self {
            Self::MissingDocuments { .. } => RefusalGround::IncompleteDocuments,
            Self::CourtDecision { .. } => RefusalGround::CourtDecision,
            Self::UnderAge { .. } => RefusalGround::UnderAge,
            Self::InvalidIin { .. }
            | Self::InvalidBin { .. }
            | Self::BirthDateMissing
            | Self::UnknownPerson { .. }
            | Self::Deceased { .. }
            | Self::ContradictsRegistry { .. }
            | Self::UnknownEntity { .. }
            | Self::EntityLiquidated { .. }
            | Self::NotTheHead { .. }
            | Self::InvalidRoles { .. }
            | Self::InvalidAdditionalInfo { .. } => RefusalGround::FalseInformation,
            Self::KeyOfAnotherHolder { .. } => RefusalGround::KeyOfAnotherHolder,
            Self::RsaKeyTooShort { .. }
            | Self::UnsupportedCurve { .. }
            | Self::KeyAlgorithmNotAllowed { .. }
            | Self::WeakRequestSignature { .. } => RefusalGround::UnacceptableKey,
        }
    }
}

/// What an accepted request establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The applicant's validated IIN.
    pub iin: Iin,
    /// The entity's validated BIN, if any.
    pub bin: Option<Bin>,
    /// The birth date the age rule was applied to: the registry's.
    pub birth_date: Date,
    /// What the center should know but that does not refuse (art. 14-1 lists the refusals).
    pub warnings: Vec<Warning>,
}

/// Something the assessment noticed that is not a ground of art. 14-1: issuance goes on, the
/// warning is reported and recorded with the certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Warning {
    /// The birth date in the registry of persons differs from the date the IIN's digits encode.
    /// Not false information (art. 14-1(2)): the digits need not be the holder's birth date
    /// (Government Decree No. 853 of 26 August 2013 removed the binding of the IIN to personal
    /// data, see [`crate::ident`]); the registry is the authority, and the age rule of art. 14 is
    /// applied to its date.
    #[error(
        "the registry's birth date {registry} differs from {iin_digits} in the IIN's digits; \
         the registry's date is used"
    )]
    BirthDateDiffersFromIin {
        /// The date the IIN's digits encode.
        #[serde(with = "crate::documents::fields::iso_date")]
        iin_digits: Date,
        /// The registry's date, used for the age rule.
        #[serde(with = "crate::documents::fields::iso_date")]
        registry: Date,
    },
}

/// Applies art. 14 and 14-1 to a request, in the order of the article: completeness, truth of the
/// information, court decisions, age. The first failing rule decides.
///
/// `facts` come from the center's registry; `on` is the legal date of issuance, the date in
/// Kazakhstan ([`crate::kz_time::legal_date`] of the instant), never the UTC date.
pub fn assess(req: &RegistrationRequest, facts: &Facts, on: Date) -> Result<Accepted, Refusal> {
    // (1) completeness
    let missing: Vec<DocumentKind> = req
        .required_documents()
        .into_iter()
        .filter(|d| !req.documents.contains(d))
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::MissingDocuments { missing });
    }

    // (2) false information: identity numbers, stated data against the registry
    let a = &req.applicant;
    let iin = Iin::parse(&a.iin).map_err(|error| Refusal::InvalidIin { error })?;
    if !a.resident && a.birth_date.is_none() {
        return Err(Refusal::BirthDateMissing);
    }
    let bin = match &req.legal_entity {
        Some(e) => Some(Bin::parse(&e.bin).map_err(|error| Refusal::InvalidBin { error })?),
        None => None,
    };
    holder::check_roles(req.kind(), &req.roles).map_err(|error| Refusal::InvalidRoles { error })?;
    if let Some(email) = req.additional_info.as_ref().and_then(|i| i.email.as_ref())
        && !is_rfc822_name(email)
    {
        return Err(Refusal::InvalidAdditionalInfo {
            field: "email",
            found: email.clone(),
            expected: "an e-mail address local@domain in ASCII",
        });
    }
    let person = facts
        .person
        .as_ref()
        .ok_or_else(|| Refusal::UnknownPerson { iin: a.iin.clone() })?;
    if let Some(died) = person.death_date {
        return Err(Refusal::Deceased {
            iin: a.iin.clone(),
            died,
        });
    }
    compare("surname", &a.surname, &person.surname)?;
    compare("name", &a.name, &person.name)?;
    compare(
        "patronymic",
        a.patronymic.as_deref().unwrap_or(""),
        person.patronymic.as_deref().unwrap_or(""),
    )?;
    // The registry is the authority on the birth date (see [`Warning::BirthDateDiffersFromIin`]):
    // only a stated date that differs from the registry is false information.
    let birth_date = person.birth_date;
    if let Some(stated) = a.birth_date
        && stated != birth_date
    {
        return Err(Refusal::ContradictsRegistry {
            field: "birth-date",
            stated: stated.to_string(),
            registry: birth_date.to_string(),
        });
    }
    let mut warnings = Vec::new();
    let encoded = iin.birth_date();
    if a.resident && encoded != birth_date {
        warnings.push(Warning::BirthDateDiffersFromIin {
            iin_digits: encoded,
            registry: birth_date,
        });
    }
    if let Some(e) = &req.legal_entity {
        let entity = facts
            .entity
            .as_ref()
            .ok_or_else(|| Refusal::UnknownEntity { bin: e.bin.clone() })?;
        if let Some(on) = entity.liquidated_on {
            return Err(Refusal::EntityLiquidated {
                bin: e.bin.clone(),
                on,
            });
        }
        compare("entity-name", &e.name, &entity.name)?;
        if req.roles.contains(&Role::FirstHead) && entity.head_iin != a.iin {
            return Err(Refusal::NotTheHead {
                head_iin: entity.head_iin.clone(),
            });
        }
    }

    // (3) court decisions in force
    if let Some(decision) = facts.court_decisions.first() {
        return Err(Refusal::CourtDecision {
            decision: decision.clone(),
        });
    }

    // (4) age
    let sixteen_on = age::anniversary(birth_date, u32::from(age::MINIMUM_AGE)).unwrap_or(Date::MAX);
    if on < sixteen_on {
        return Err(Refusal::UnderAge {
            age: age::age_on(birth_date, on),
            on,
            sixteen_on,
        });
    }
    Ok(Accepted {
        iin,
        bin,
        birth_date,
        warnings,
    })
}

fn names(docs: &[DocumentKind]) -> String {
    docs.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names are compared case-insensitively after trimming: the registry keeps upper case.
/// An e-mail address an rfc822Name can hold (RFC 5280 §4.2.1.6: `local-part@domain` of RFC
/// 5322, IA5String): one `@`, both sides non-empty, printable ASCII without spaces, a domain of
/// at least two non-empty labels.
fn is_rfc822_name(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && s.bytes().all(|b| b.is_ascii_graphic())
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

fn compare(field: &'static str, stated: &str, registry: &str) -> Result<(), Refusal> {
    // `str::to_uppercase` is the concatenation of `char::to_uppercase`: comparing the two
    // character streams gives its answer without building either string.
    if stated.trim() == registry.trim()
        || stated
            .trim()
            .chars()
            .flat_map(char::to_uppercase)
            .eq(registry.trim().chars().flat_map(char::to_uppercase))
    {
        Ok(())
    } else {
        Err(Refusal::ContradictsRegistry {
            field,
            stated: stated.to_owned(),
            registry: registry.to_owned(),
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::ident::Sex;

    fn iin(birth: Date, sex: Sex) -> String {
        (0u16..)
            .find_map(|serial| Iin::from_parts(birth, sex, serial))
            .map(|i| i.to_string())
            .unwrap_or_default()
    }

    fn person(birth: Date) -> PersonFacts {
        PersonFacts {
            surname: "АХМЕТОВ".into(),
            name: "ЕРЛАН".into(),
            patronymic: None,
            birth_date: birth,
            death_date: None,
        }
    }

    fn individual(birth: Date) -> (RegistrationRequest, Facts) {
        let req = RegistrationRequest {
            applicant: Applicant {
                iin: iin(birth, Sex::Male),
                surname: "Ахметов".into(),
                name: "Ерлан".into(),
                patronymic: None,
                resident: true,
                birth_date: None,
            },
            legal_entity: None,
            roles: vec![],
            key_purpose: KeyPurpose::Signing,
            documents: vec![DocumentKind::IdentityDocument, DocumentKind::Application],
            confidential: false,
            csr_pem: None,
            additional_info: None,
        };
        (
            req,
            Facts {
                person: Some(person(birth)),
                ..Facts::default()
            },
        )
    }

    fn head(birth: Date) -> (RegistrationRequest, Facts) {
        let (mut req, mut facts) = individual(birth);
        let bin = Bin::parse("080540001238")
            .map(|b| b.to_string())
            .unwrap_or_default();
        req.legal_entity = Some(LegalEntity {
            bin,
            name: "ТОО «ТЕСТ»".into(),
        });
        req.roles = vec![Role::FirstHead];
        req.documents.extend([
            DocumentKind::EntityRegistration,
            DocumentKind::HeadAppointment,
        ]);
        facts.entity = Some(EntityFacts {
            name: "ТОО «ТЕСТ»".into(),
            head_iin: req.applicant.iin.clone(),
            liquidated_on: None,
        });
        (req, facts)
    }

    const ON: Date = date!(2026 - 11 - 22);

    #[test]
    fn ok_names_compare_case_insensitively_in_kazakh_and_russian() {
        assert_eq!(compare("surname", " Әбілқайыр ", "ӘБІЛҚАЙЫР"), Ok(()));
        assert_eq!(compare("surname", "ұлы үмбет", "ҰЛЫ ҮМБЕТ"), Ok(()));
        // One letter whose capital is two: the comparison is over whole upper-case forms.
        assert_eq!(compare("name", "Straße", "STRASSE"), Ok(()));
        assert_eq!(
            compare("surname", "Ахметова", "АХМЕТОВ"),
            Err(Refusal::ContradictsRegistry {
                field: "surname",
                stated: "Ахметова".to_owned(),
                registry: "АХМЕТОВ".to_owned(),
            })
        );
        assert!(compare("name", "Ерлан", "ЕРЛАН ").is_ok());
        assert!(compare("name", "Ерлан", "ЕРЛА").is_err());
    }

    #[test]
    fn ok_adult_individual_and_first_head_are_accepted() {
        let (req, facts) = individual(date!(1985 - 03 - 14));
        let a = assess(&req, &facts, ON).unwrap();
        assert_eq!(a.birth_date, date!(1985 - 03 - 14));
        assert_eq!(a.bin, None);
        let (req, facts) = head(date!(1970 - 11 - 25));
        assert_eq!(
            assess(&req, &facts, ON).unwrap().bin.map(|b| b.to_string()),
            Some("080540001238".into())
        );
    }

    /// Art. 15.2: an e-mail address the participant asked for is accepted when an rfc822Name
    /// can hold it; one that cannot is false information, with the item named.
    #[test]
    fn art15_2_additional_info_email_valid_and_invalid() {
        let (mut req, facts) = individual(date!(1985 - 03 - 14));
        req.additional_info = Some(AdditionalInfo {
            email: Some("e.akhmetov@example.kz".into()),
        });
        assert!(assess(&req, &facts, ON).is_ok());
        for bad in [
            "no-at-sign.kz",
            "a@b",
            "ерлан@пример.kz",
            "a b@example.kz",
            "@example.kz",
        ] {
            req.additional_info = Some(AdditionalInfo {
                email: Some(bad.into()),
            });
            let r = assess(&req, &facts, ON).unwrap_err();
            assert_eq!(
                r,
                Refusal::InvalidAdditionalInfo {
                    field: "email",
                    found: bad.into(),
                    expected: "an e-mail address local@domain in ASCII",
                },
                "{bad}"
            );
            assert_eq!(r.ground(), RefusalGround::FalseInformation);
        }
    }

    #[test]
    fn fail_incomplete_documents_names_what_is_missing() {
        let (mut req, facts) = head(date!(1970 - 11 - 25));
        req.roles = vec![Role::SigningRight];
        req.documents
            .retain(|d| *d != DocumentKind::HeadAppointment);
        let r = assess(&req, &facts, ON).unwrap_err();
        assert_eq!(
            r,
            Refusal::MissingDocuments {
                missing: vec![DocumentKind::PowerOfAttorney]
            }
        );
        assert_eq!(r.ground(), RefusalGround::IncompleteDocuments);
    }

    #[test]
    fn fail_false_information_findings() {
        let (mut req, facts) = individual(date!(1985 - 03 - 14));
        let mut bad = req.applicant.iin.clone().into_bytes();
        bad[11] = if bad[11] == b'9' { b'0' } else { bad[11] + 1 };
        req.applicant.iin = String::from_utf8(bad).unwrap();
        let r = assess(&req, &facts, ON).unwrap_err();
        assert!(
            matches!(
                r,
                Refusal::InvalidIin {
                    error: IdentError::BadCheckDigit { .. }
                }
            ),
            "{r:?}"
        );
        assert_eq!(r.ground(), RefusalGround::FalseInformation);

        let (mut req, facts) = individual(date!(1985 - 03 - 14));
        req.applicant.birth_date = Some(date!(1985 - 03 - 15));
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::ContradictsRegistry {
                field: "birth-date",
                stated: "1985-03-15".into(),
                registry: "1985-03-14".into(),
            })
        );

        let (mut req, facts) = individual(date!(1985 - 03 - 14));
        req.applicant.resident = false;
        req.documents.push(DocumentKind::ResidencePermit);
        assert_eq!(assess(&req, &facts, ON), Err(Refusal::BirthDateMissing));

        let (req, mut facts) = individual(date!(1985 - 03 - 14));
        facts.person = None;
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::UnknownPerson {
                iin: req.applicant.iin.clone()
            })
        );

        let (req, mut facts) = individual(date!(1985 - 03 - 14));
        if let Some(p) = facts.person.as_mut() {
            p.death_date = Some(date!(2026 - 01 - 02));
        }
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::Deceased {
                iin: req.applicant.iin.clone(),
                died: date!(2026 - 01 - 02)
            })
        );

        let (mut req, facts) = individual(date!(1985 - 03 - 14));
        req.applicant.surname = "Петров".into();
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::ContradictsRegistry {
                field: "surname",
                stated: "Петров".into(),
                registry: "АХМЕТОВ".into()
            })
        );

        let (req, mut facts) = head(date!(1970 - 11 - 25));
        if let Some(e) = facts.entity.as_mut() {
            e.head_iin = "701125300346".into();
        }
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::NotTheHead {
                head_iin: "701125300346".into()
            })
        );

        let (req, mut facts) = head(date!(1970 - 11 - 25));
        if let Some(e) = facts.entity.as_mut() {
            e.liquidated_on = Some(date!(2025 - 12 - 31));
        }
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::EntityLiquidated {
                bin: "080540001238".into(),
                on: date!(2025 - 12 - 31)
            })
        );

        let (mut req, facts) = individual(date!(1985 - 03 - 14));
        req.roles = vec![Role::FirstHead];
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::InvalidRoles {
                error: ProfileError::RoleNotForKind {
                    role: Role::FirstHead,
                    kind: HolderKind::Individual
                }
            })
        );
    }

    #[test]
    fn fail_court_decision_in_force() {
        let (req, mut facts) = individual(date!(1985 - 03 - 14));
        facts.court_decisions = vec!["2-1234/2026".into()];
        let r = assess(&req, &facts, ON).unwrap_err();
        assert_eq!(
            r,
            Refusal::CourtDecision {
                decision: "2-1234/2026".into()
            }
        );
        assert_eq!(r.ground(), RefusalGround::CourtDecision);
    }

    /// Art. 14-1(2): the registry is the authority on the birth date. Digits that differ from the
    /// registry warn and the age rule takes the registry's date.
    #[test]
    fn art14_1_2_registry_birth_date_differs_from_iin_warns_not_refuses() {
        let (req, mut facts) = individual(date!(1985 - 03 - 14));
        if let Some(p) = facts.person.as_mut() {
            p.birth_date = date!(1985 - 04 - 02);
        }
        let a = assess(&req, &facts, ON).unwrap();
        assert_eq!(a.birth_date, date!(1985 - 04 - 02));
        assert_eq!(
            a.warnings,
            vec![Warning::BirthDateDiffersFromIin {
                iin_digits: date!(1985 - 03 - 14),
                registry: date!(1985 - 04 - 02),
            }]
        );
        // A stated date equal to the registry's is true although the digits differ.
        let mut req = req;
        req.applicant.birth_date = Some(date!(1985 - 04 - 02));
        assert_eq!(assess(&req, &facts, ON).map(|a| a.warnings.len()), Ok(1));
        // No warning when they agree.
        let (req, facts) = individual(date!(1985 - 03 - 14));
        assert_eq!(assess(&req, &facts, ON).map(|a| a.warnings), Ok(vec![]));
    }

    /// Art. 14-1(2) and 14: the age is the registry's. Digits of a 16-year-old, a registry date
    /// that makes the person fifteen: refused as under age, not as false information.
    #[test]
    fn art14_1_2_registry_birth_date_decides_the_age() {
        let (req, mut facts) = individual(date!(2010 - 01 - 10));
        if let Some(p) = facts.person.as_mut() {
            p.birth_date = date!(2010 - 12 - 01);
        }
        assert_eq!(
            assess(&req, &facts, ON),
            Err(Refusal::UnderAge {
                age: 15,
                on: ON,
                sixteen_on: date!(2026 - 12 - 01)
            })
        );
    }

    /// Art. 14-1(2): a stated birth date that differs from the registry is false information,
    /// even when it matches the IIN's digits.
    #[test]
    fn art14_1_2_stated_birth_date_against_the_registry_refused() {
        let (mut req, mut facts) = individual(date!(1985 - 03 - 14));
        if let Some(p) = facts.person.as_mut() {
            p.birth_date = date!(1985 - 04 - 02);
        }
        req.applicant.birth_date = Some(date!(1985 - 03 - 14));
        let r = assess(&req, &facts, ON).unwrap_err();
        assert_eq!(
            r,
            Refusal::ContradictsRegistry {
                field: "birth-date",
                stated: "1985-03-14".into(),
                registry: "1985-04-02".into(),
            }
        );
        assert_eq!(r.ground(), RefusalGround::FalseInformation);
    }

    #[test]
    fn age_rule_day_before_of_and_after_the_sixteenth_birthday() {
        let birth = date!(2010 - 11 - 22);
        let (req, facts) = individual(birth);
        let r = assess(&req, &facts, date!(2026 - 11 - 21)).unwrap_err();
        assert_eq!(
            r,
            Refusal::UnderAge {
                age: 15,
                on: date!(2026 - 11 - 21),
                sixteen_on: date!(2026 - 11 - 22)
            }
        );
        assert_eq!(r.ground(), RefusalGround::UnderAge);
        assert!(assess(&req, &facts, date!(2026 - 11 - 22)).is_ok());
        assert!(assess(&req, &facts, date!(2026 - 11 - 23)).is_ok());
    }

    #[test]
    fn age_rule_for_29_february_births() {
        // Leap sixteenth year: sixteen on 29 February itself.
        let (req, facts) = individual(date!(2008 - 02 - 29));
        assert_eq!(
            assess(&req, &facts, date!(2024 - 02 - 28)),
            Err(Refusal::UnderAge {
                age: 15,
                on: date!(2024 - 02 - 28),
                sixteen_on: date!(2024 - 02 - 29)
            })
        );
        assert!(assess(&req, &facts, date!(2024 - 02 - 29)).is_ok());
        // Non-leap sixteenth year: sixteen on 1 March. A leap year plus 16 is leap except across
        // a century that is not leap, so the case is 2084 → 2100.
        let (req, facts) = individual(date!(2084 - 02 - 29));
        assert_eq!(
            assess(&req, &facts, date!(2100 - 02 - 28)),
            Err(Refusal::UnderAge {
                age: 15,
                on: date!(2100 - 02 - 28),
                sixteen_on: date!(2100 - 03 - 01)
            })
        );
        assert!(assess(&req, &facts, date!(2100 - 03 - 01)).is_ok());
    }
}
