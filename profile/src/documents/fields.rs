//! The fields the forms share: application number, names, addresses, contacts, parties,
//! goods, and the checks on each.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use super::error::DocumentError;
use super::service::Service;
use crate::ident::{Bin, Iin};

time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");

/// Longest free text a field may hold, in characters.
pub const MAX_TEXT: usize = 2000;

/// Number of an application in the state permits system, as the forms print it: `KZ…`
/// ("on the basis of an application № KZ_______").
///
/// The forms fix only the prefix. This type accepts `KZ` followed by 4 to 30 ASCII capital
/// letters or digits: wide enough for the numbers the portal issues, narrow enough to catch a
/// number typed in lowercase, with spaces or without its prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApplicationNumber(String);

/// Why a string is not an application number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplicationNumberError {
    /// The number does not start with `KZ`.
    #[error("does not start with \"KZ\"")]
    MissingPrefix,
    /// A character after `KZ` is not an ASCII capital letter or digit.
    #[error("character {found:?} at position {position} is not a capital letter or digit")]
    BadCharacter {
        /// Zero-based position in characters.
        position: usize,
        /// The character.
        found: char,
    },
    /// The part after `KZ` is shorter than 4 or longer than 30 characters.
    #[error("has {found} characters after \"KZ\", expected 4 to 30")]
    WrongLength {
        /// Characters after the prefix.
        found: usize,
    },
}

impl ApplicationNumber {
    /// Parses and validates an application number.
    pub fn parse(s: &str) -> Result<Self, ApplicationNumberError> {
        let rest = s
            .strip_prefix("KZ")
            .ok_or(ApplicationNumberError::MissingPrefix)?;
        if let Some((i, c)) = rest
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
        {
            return Err(ApplicationNumberError::BadCharacter {
                position: i + 2,
                found: c,
            });
        }
        let found = rest.chars().count();
        if !(4..=30).contains(&found) {
            return Err(ApplicationNumberError::WrongLength { found });
        }
        Ok(Self(s.to_owned()))
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApplicationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ApplicationNumber {
    type Err = ApplicationNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ApplicationNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ApplicationNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Surname, name and patronymic (if any) of a person, as every form asks for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FullName {
    /// Surname.
    pub surname: String,
    /// Given name.
    pub given_name: String,
    /// Patronymic, if the person has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<String>,
}

/// A postal address as the forms spell it out: postal code, country (for a foreign legal
/// entity), region, locality, street, building (stationary premises).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Postal code; six digits in Kazakhstan.
    pub postal_code: String,
    /// Country, for an address outside Kazakhstan (ISO 3166 code or name); absent means
    /// Kazakhstan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Region (oblast) or city of republican significance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// City, district or settlement.
    pub locality: String,
    /// Street.
    pub street: String,
    /// House or building number, with the premises if any.
    pub building: String,
}

/// E-mail, phones and fax: the official contacts the form confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// E-mail address.
    pub email: String,
    /// Phone numbers, at least one.
    pub phones: Vec<String>,
    /// Fax, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// Official Internet resource, if any (services 6 and 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// Bank account of the applicant (licence and sale permit forms): IBAN and bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    /// Account number, a Kazakh IBAN (20 characters, `KZ…`).
    pub iban: String,
    /// Name and location of the bank.
    pub bank: String,
}

/// Who applies: a legal entity (by its BIN) or an individual (by the IIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Applicant {
    /// A legal entity, a branch or representative office (forms "Application of a legal
    /// entity").
    LegalEntity {
        /// BIN of the legal entity (or of the branch of a foreign legal entity).
        bin: Bin,
        /// Full name.
        name: String,
        /// Location (legal address).
        address: Address,
        /// The head who signs ("Manager"), surname, name, patronymic.
        head: FullName,
    },
    /// An individual (forms "Application of an individual").
    Individual {
        /// IIN.
        iin: Iin,
        /// Surname, name, patronymic.
        name: FullName,
        /// Residence address.
        address: Address,
    },
}

/// The recipient of a result document: a legal entity or an individual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Party {
    /// A legal entity, by BIN and full name.
    LegalEntity {
        /// BIN.
        bin: Bin,
        /// Full name.
        name: String,
    },
    /// An individual, by IIN and name.
    Individual {
        /// IIN.
        iin: Iin,
        /// Surname, name, patronymic.
        name: FullName,
    },
}

/// The identification number of a party: what a signer's certificate must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyId {
    /// An individual's IIN.
    Iin(Iin),
    /// A legal entity's BIN.
    Bin(Bin),
}

/// The service provider: the body that renders the service and signs its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Full name of the body ("National Security Committee of the Republic of Kazakhstan").
    pub name: String,
    /// BIN of the body: the officer's certificate must carry it.
    pub bin: Bin,
}

/// The authorised person who signs a result ("Authorized person (position, surname, name,
/// patronymic)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Officer {
    /// Position.
    pub position: String,
    /// Surname, name, patronymic.
    pub name: FullName,
}

/// Kind of movement of goods (forms of services 4 and 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MovementKind {
    /// Import.
    Import,
    /// Export.
    Export,
    /// Temporary import: the term of temporary import is required.
    TemporaryImport,
    /// Temporary export: the term of temporary export is required.
    TemporaryExport,
    /// Transit: the country of transit is required.
    Transit,
}

impl MovementKind {
    /// Whether the form asks for the term of temporary import or export.
    pub fn is_temporary(self) -> bool {
        matches!(self, Self::TemporaryImport | Self::TemporaryExport)
    }
}

/// The movement the trade permit is asked for (services 4 and 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Movement {
    /// Import, export, temporary import, temporary export or transit.
    pub kind: MovementKind,
    /// Full legal name and address of the partner organisation (recipient or sender).
    pub partner: String,
    /// Country of final destination or departure.
    pub country: String,
    /// Country of transit (an EAEU member state), required for transit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_country: Option<String>,
    /// Purpose of the import or export.
    pub purpose: String,
    /// Date the obligations of a temporary import or export end; required for those two.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_date::option"
    )]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub temporary_until: Option<Date>,
    /// The documents the request rests on: foreign trade contract, annex, addendum.
    pub grounds: String,
}

/// One item of goods in an application (services 4–7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodsItem {
    /// Product name indicating its composition.
    pub name: String,
    /// Manufacturing number, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturing_number: Option<String>,
    /// Serial number, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// Code of the EAEU commodity nomenclature (ten digits); required for services 4–6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commodity_code: Option<String>,
}

impl Applicant {
    /// The applicant's identification number.
    pub fn id(&self) -> PartyId {
        match self {
            Self::LegalEntity { bin, .. } => PartyId::Bin(*bin),
            Self::Individual { iin, .. } => PartyId::Iin(*iin),
        }
    }

    /// The applicant as the recipient of a result.
    pub fn to_party(&self) -> Party {
        match self {
            Self::LegalEntity { bin, name, .. } => Party::LegalEntity {
                bin: *bin,
                name: name.clone(),
            },
            Self::Individual { iin, name, .. } => Party::Individual {
                iin: *iin,
                name: name.clone(),
            },
        }
    }
}

impl Party {
    /// The party's identification number.
    pub fn id(&self) -> PartyId {
        match self {
            Self::LegalEntity { bin, .. } => PartyId::Bin(*bin),
            Self::Individual { iin, .. } => PartyId::Iin(*iin),
        }
    }
}

// ---- checks shared by the forms ----

/// A non-empty text of at most [`MAX_TEXT`] characters.
pub(crate) fn text(field: &str, value: &str) -> Result<(), DocumentError> {
    if value.trim().is_empty() {
        return Err(DocumentError::EmptyField {
            field: field.to_owned(),
        });
    }
    let found = value.chars().count();
    if found > MAX_TEXT {
        return Err(DocumentError::TooLong {
            field: field.to_owned(),
            max: MAX_TEXT,
            found,
        });
    }
    Ok(())
}

/// An optional text: absent, or as [`text`].
pub(crate) fn opt_text(field: &str, value: Option<&String>) -> Result<(), DocumentError> {
    value.map_or(Ok(()), |v| text(field, v))
}

pub(crate) fn full_name(field: &str, name: &FullName) -> Result<(), DocumentError> {
    text(&format!("{field}.surname"), &name.surname)?;
    text(&format!("{field}.given_name"), &name.given_name)?;
    opt_text(&format!("{field}.patronymic"), name.patronymic.as_ref())
}

pub(crate) fn address(field: &str, a: &Address) -> Result<(), DocumentError> {
    let domestic = a
        .country
        .as_deref()
        .is_none_or(|c| c.eq_ignore_ascii_case("KZ") || c.eq_ignore_ascii_case("Kazakhstan"));
    if domestic {
        if a.postal_code.len() != 6 || !a.postal_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DocumentError::BadPostalCode {
                field: format!("{field}.postal_code"),
                found: a.postal_code.clone(),
            });
        }
    } else {
        text(&format!("{field}.postal_code"), &a.postal_code)?;
    }
    opt_text(&format!("{field}.country"), a.country.as_ref())?;
    opt_text(&format!("{field}.region"), a.region.as_ref())?;
    text(&format!("{field}.locality"), &a.locality)?;
    text(&format!("{field}.street"), &a.street)?;
    text(&format!("{field}.building"), &a.building)
}

pub(crate) fn contacts(field: &str, c: &Contacts) -> Result<(), DocumentError> {
    if !is_email(&c.email) {
        return Err(DocumentError::BadEmail {
            field: format!("{field}.email"),
            found: c.email.clone(),
        });
    }
    if c.phones.is_empty() {
        return Err(DocumentError::EmptyField {
            field: format!("{field}.phones"),
        });
    }
    for (i, p) in c.phones.iter().enumerate() {
        phone(&format!("{field}.phones[{i}]"), p)?;
    }
    if let Some(fax) = &c.fax {
        phone(&format!("{field}.fax"), fax)?;
    }
    opt_text(&format!("{field}.website"), c.website.as_ref())
}

pub(crate) fn bank_account(field: &str, b: &BankAccount) -> Result<(), DocumentError> {
    if !is_kz_iban(&b.iban) {
        return Err(DocumentError::BadIban {
            field: format!("{field}.iban"),
            found: b.iban.clone(),
        });
    }
    text(&format!("{field}.bank"), &b.bank)
}

pub(crate) fn applicant(field: &str, a: &Applicant) -> Result<(), DocumentError> {
    match a {
        Applicant::LegalEntity {
            name,
            address: addr,
            head,
            ..
        } => {
            text(&format!("{field}.name"), name)?;
            address(&format!("{field}.address"), addr)?;
            full_name(&format!("{field}.head"), head)
        }
        Applicant::Individual {
            name,
            address: addr,
            ..
        } => {
            full_name(&format!("{field}.name"), name)?;
            address(&format!("{field}.address"), addr)
        }
    }
}

pub(crate) fn party(field: &str, p: &Party) -> Result<(), DocumentError> {
    match p {
        Party::LegalEntity { name, .. } => text(&format!("{field}.name"), name),
        Party::Individual { name, .. } => full_name(&format!("{field}.name"), name),
    }
}

pub(crate) fn provider(field: &str, p: &Provider) -> Result<(), DocumentError> {
    text(&format!("{field}.name"), &p.name)
}

pub(crate) fn officer(field: &str, o: &Officer) -> Result<(), DocumentError> {
    text(&format!("{field}.position"), &o.position)?;
    full_name(&format!("{field}.name"), &o.name)
}

pub(crate) fn movement(field: &str, m: &Movement, service: Service) -> Result<(), DocumentError> {
    text(&format!("{field}.partner"), &m.partner)?;
    text(&format!("{field}.country"), &m.country)?;
    text(&format!("{field}.purpose"), &m.purpose)?;
    text(&format!("{field}.grounds"), &m.grounds)?;
    match (m.kind.is_temporary(), m.temporary_until) {
        (true, None) => {
            return Err(DocumentError::FieldRequired {
                field: format!("{field}.temporary_until"),
                service,
            });
        }
        (false, Some(_)) => {
            return Err(DocumentError::FieldNotAllowed {
                field: format!("{field}.temporary_until"),
                service,
            });
        }
        _ => {}
    }
    match (m.kind, &m.transit_country) {
        (MovementKind::Transit, None) => Err(DocumentError::FieldRequired {
            field: format!("{field}.transit_country"),
            service,
        }),
        (_, t) => opt_text(&format!("{field}.transit_country"), t.as_ref()),
    }
}

pub(crate) fn commodity_code(field: &str, code: &str) -> Result<(), DocumentError> {
    if code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(DocumentError::BadCommodityCode {
            field: field.to_owned(),
            found: code.to_owned(),
        })
    }
}

pub(crate) fn goods(
    field: &str,
    items: &[GoodsItem],
    service: Service,
    code_required: bool,
) -> Result<(), DocumentError> {
    if items.is_empty() {
        return Err(DocumentError::FieldRequired {
            field: field.to_owned(),
            service,
        });
    }
    for (i, g) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        text(&format!("{at}.name"), &g.name)?;
        opt_text(
            &format!("{at}.manufacturing_number"),
            g.manufacturing_number.as_ref(),
        )?;
        opt_text(&format!("{at}.serial_number"), g.serial_number.as_ref())?;
        match &g.commodity_code {
            Some(code) => commodity_code(&format!("{at}.commodity_code"), code)?,
            None if code_required => {
                return Err(DocumentError::FieldRequired {
                    field: format!("{at}.commodity_code"),
                    service,
                });
            }
            None => {}
        }
    }
    Ok(())
}

/// Largest integer every JSON reader keeps exactly: 2^53 - 1 (RFC 7493 §2.2).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// An integer at most [`MAX_SAFE_INTEGER`], so its canonical form is the same in every
/// RFC 8785 implementation.
pub(crate) fn safe_integer(field: &str, found: u64) -> Result<(), DocumentError> {
    if found <= MAX_SAFE_INTEGER {
        Ok(())
    } else {
        Err(DocumentError::NumberTooLarge {
            field: field.to_owned(),
            found,
            max: MAX_SAFE_INTEGER,
        })
    }
}

/// `date` must not be before `other`.
pub(crate) fn not_before(
    field: &str,
    date: Date,
    other_field: &str,
    other: Date,
) -> Result<(), DocumentError> {
    if date < other {
        Err(DocumentError::DateBefore {
            field: field.to_owned(),
            date,
            other_field: other_field.to_owned(),
            other,
        })
    } else {
        Ok(())
    }
}

/// `local@domain.tld`: one `@`, no white space, a dot inside the domain. Deliberately loose:
/// the form asks for an address, and only the mail server can prove it exists.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain
            .split_once('.')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.ends_with('.'))
}

fn phone(field: &str, s: &str) -> Result<(), DocumentError> {
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if allowed && (7..=15).contains(&digits) {
        Ok(())
    } else {
        Err(DocumentError::BadPhone {
            field: field.to_owned(),
            found: s.to_owned(),
        })
    }
}

/// A Kazakh IBAN: `KZ`, two check digits, 16 capital letters or digits, and the ISO 13616
/// check (the number rearranged, letters as 10–35, modulo 97 equals 1). Hand-written: ten lines
/// against a dependency for one country's accounts.
fn is_kz_iban(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 20
        || !s.starts_with("KZ")
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b[4..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_application_number() {
        assert_eq!(
            ApplicationNumber::parse("KZ12LAA00012345").map(|n| n.to_string()),
            Ok("KZ12LAA00012345".to_owned())
        );
    }

    #[test]
    fn fail_application_number() {
        assert_eq!(
            ApplicationNumber::parse("kz12LAA00012345"),
            Err(ApplicationNumberError::MissingPrefix)
        );
        assert_eq!(
            ApplicationNumber::parse("KZ12 LAA"),
            Err(ApplicationNumberError::BadCharacter {
                position: 4,
                found: ' '
            })
        );
        assert_eq!(
            ApplicationNumber::parse("KZ12"),
            Err(ApplicationNumberError::WrongLength { found: 2 })
        );
    }

    #[test]
    fn ok_and_fail_iban() {
        // Built with the ISO 13616 rule: KZ + check digits 86 + bank code 125 + account.
        assert!(is_kz_iban("KZ86125KZT5004100100"));
        assert!(!is_kz_iban("KZ87125KZT5004100100"));
        assert!(!is_kz_iban("KZ86125KZT500410010"));
        assert!(!is_kz_iban("DE86125KZT5004100100"));
    }

    #[test]
    fn ok_and_fail_email() {
        assert!(is_email("office@example.kz"));
        assert!(!is_email("office.example.kz"));
        assert!(!is_email("of fice@example.kz"));
        assert!(!is_email("office@kz"));
        assert!(!is_email("@example.kz"));
    }
}
