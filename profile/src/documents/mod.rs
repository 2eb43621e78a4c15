//! Licensing documents of the eight public services of Order No. 34/қе of the Chairman of the
//! National Security Committee (6 May 2020, as amended to 2024): applications in, results out.
//!
//! Each result "is sent and stored in the personal account of the service recipient in the form
//! of an electronic document signed with an electronic digital signature of the authorized
//! person of the service provider" (Annex 1 of every rules), and each application is "an
//! electronic document certified by the electronic digital signature of the service recipient".
//!
//! * [`Document`] is the envelope: JSON with a `kind` tag, read with [`Document::from_json`]
//!   (which reports the first invalid field as its own [`DocumentError`] variant) and written
//!   with [`Document::to_json_pretty`].
//! * The bytes that are signed are [`Document::canonical_bytes`]: RFC 8785 (JSON
//!   Canonicalization Scheme), so the same document always signs the same bytes whatever the
//!   key order or white space it was written with.
//! * [`service`] holds the services, their terms, result kinds and refusal grounds.
//! * The JSON Schema of each kind is generated from these types ([`schema::schemas`]) and
//!   published under `docs/schemas/`.

pub mod applications;
pub mod attachments;
pub mod error;
pub mod fields;
pub mod hearing;
pub mod results;
pub mod schema;
pub mod service;
pub mod signatory;
mod strict;

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

pub use applications::{
    Application, LateReissue, REISSUE_FILING_DAYS, ReissueApplication, ReissueGround,
    Reorganisation,
};
pub use attachments::{Attachment, AttachmentKind};
pub use error::DocumentError;
pub use fields::{
    Address, Applicant, ApplicationNumber, ApplicationNumberError, BankAccount, Contacts, FullName,
    GoodsItem, Movement, MovementKind, Officer, Party, PartyId, Provider,
};
pub use results::{
    HearingNotice, HearingRecord, Licence, LicenceAnnex, NotificationRegistrationDecision,
    PermitGoods, Receipt, Refusal, ReissuedLicence, SalePermit, StudyItem, StudyResult,
    TechnicalStudyConclusion, TradePermit, Validity, permit_recipient_address,
    trade_permit_valid_until,
};
pub use service::{Procedure, RefusalGround, Service, Subtype, refusal_grounds, result_kinds};

use crate::ident::{Bin, Iin};
use fields::iso_date;

/// The kind of a document: the value of its `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// [`Application`].
    Application,
    /// [`ReissueApplication`].
    ReissueApplication,
    /// [`Licence`].
    Licence,
    /// [`ReissuedLicence`].
    ReissuedLicence,
    /// [`LicenceAnnex`].
    LicenceAnnex,
    /// [`TradePermit`].
    TradePermit,
    /// [`TechnicalStudyConclusion`].
    TechnicalStudyConclusion,
    /// [`NotificationRegistrationDecision`].
    NotificationRegistrationDecision,
    /// [`SalePermit`].
    SalePermit,
    /// [`Refusal`].
    Refusal,
    /// [`HearingNotice`].
    HearingNotice,
    /// [`HearingRecord`].
    HearingRecord,
    /// [`Receipt`].
    Receipt,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Self; 13] = [
        Self::Application,
        Self::ReissueApplication,
        Self::Licence,
        Self::ReissuedLicence,
        Self::LicenceAnnex,
        Self::TradePermit,
        Self::TechnicalStudyConclusion,
        Self::NotificationRegistrationDecision,
        Self::SalePermit,
        Self::Refusal,
        Self::HearingNotice,
        Self::HearingRecord,
        Self::Receipt,
    ];

    /// The `kind` value as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::ReissueApplication => "reissue-application",
            Self::Licence => "licence",
            Self::ReissuedLicence => "reissued-licence",
            Self::LicenceAnnex => "licence-annex",
            Self::TradePermit => "trade-permit",
            Self::TechnicalStudyConclusion => "technical-study-conclusion",
            Self::NotificationRegistrationDecision => "notification-registration-decision",
            Self::SalePermit => "sale-permit",
            Self::Refusal => "refusal",
            Self::HearingNotice => "hearing-notice",
            Self::HearingRecord => "hearing-record",
            Self::Receipt => "receipt",
        }
    }

    /// The kind written as `s`, if any.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a recipient signs this kind (an application) rather than the provider.
    pub fn is_application(self) -> bool {
        matches!(self, Self::Application | Self::ReissueApplication)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to an issued licence: number, date of issue, licensor (reissue forms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceRef {
    /// Licence number.
    pub licence_number: String,
    /// Date of issue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "schema::date_schema")]
    pub issued_on: Date,
    /// Name of the licensor who issued it.
    pub licensor: String,
}

impl LicenceRef {
    pub(crate) fn validate(&self, field: &str) -> Result<(), DocumentError> {
        fields::text(&format!("{field}.licence_number"), &self.licence_number)?;
        fields::text(&format!("{field}.licensor"), &self.licensor)
    }
}

/// Any licensing document, tagged by `kind`.
#[expect(
    clippy::large_enum_variant,
    reason = "a document is read once and handled by value; boxing would only burden callers' matches"
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Document {
    /// An application (legal entity or individual), first issue.
    Application(Application),
    /// An application to reissue a licence.
    ReissueApplication(ReissueApplication),
    /// A licence.
    Licence(Licence),
    /// A reissued licence.
    ReissuedLicence(ReissuedLicence),
    /// A conclusion (permit) for import, export, transit.
    TradePermit(TradePermit),
    /// A conclusion on a technical study.
    TechnicalStudyConclusion(TechnicalStudyConclusion),
    /// A notification registration decision.
    NotificationRegistrationDecision(NotificationRegistrationDecision),
    /// A permit for sale.
    SalePermit(SalePermit),
    /// A reasoned refusal.
    Refusal(Refusal),
    /// A hearing notice.
    HearingNotice(HearingNotice),
    /// The record of a hearing.
    HearingRecord(HearingRecord),
    /// An annex to a licence.
    LicenceAnnex(LicenceAnnex),
    /// A receipt of an electronic document.
    Receipt(Receipt),
}

impl Document {
    /// Reads a document from JSON and validates it.
    ///
    /// Checks, in order: JSON syntax; a known `kind`; every `iin`, `bin` and
    /// `application_number` field anywhere in the document (each failure its own variant with
    /// the field's path); the shape of the kind; then [`Document::validate`].
    pub fn from_json(input: &[u8]) -> Result<Self, DocumentError> {
        let value = parse_strict(input)?;
        let kind = value
            .get("kind")
            .and_then(Value::as_str)
            .ok_or(DocumentError::MissingKind)?;
        if Kind::from_name(kind).is_none() {
            return Err(DocumentError::UnknownKind {
                found: kind.to_owned(),
            });
        }
        check_identifiers("", &value)?;
        let doc: Self = serde_json::from_value(value).map_err(json_error)?;
        doc.validate()?;
        Ok(doc)
    }

    /// Reads signed content: [`Document::from_json`], and the bytes must be exactly the
    /// document's [`Document::canonical_bytes`] (else [`DocumentError::NotCanonical`]), so
    /// what was signed is what every reader sees.
    pub fn from_signed_content(content: &[u8]) -> Result<Self, DocumentError> {
        let doc = Self::from_json(content)?;
        if doc.canonical_bytes()? == content {
            Ok(doc)
        } else {
            Err(DocumentError::NotCanonical)
        }
    }

    /// Checks every field of the document against its form and its service.
    pub fn validate(&self) -> Result<(), DocumentError> {
        match self {
            Self::Application(d) => d.validate(),
            Self::ReissueApplication(d) => d.validate(),
            Self::Licence(d) => d.validate(),
            Self::ReissuedLicence(d) => d.validate(),
            Self::TradePermit(d) => d.validate(),
            Self::TechnicalStudyConclusion(d) => d.validate(),
            Self::NotificationRegistrationDecision(d) => d.validate(),
            Self::SalePermit(d) => d.validate(),
            Self::Refusal(d) => d.validate(),
            Self::HearingNotice(d) => d.validate(),
            Self::HearingRecord(d) => d.validate(),
            Self::LicenceAnnex(d) => d.validate(),
            Self::Receipt(d) => d.validate(),
        }
    }

    /// The document's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Application(_) => Kind::Application,
            Self::ReissueApplication(_) => Kind::ReissueApplication,
            Self::Licence(_) => Kind::Licence,
            Self::ReissuedLicence(_) => Kind::ReissuedLicence,
            Self::TradePermit(_) => Kind::TradePermit,
            Self::TechnicalStudyConclusion(_) => Kind::TechnicalStudyConclusion,
            Self::NotificationRegistrationDecision(_) => Kind::NotificationRegistrationDecision,
            Self::SalePermit(_) => Kind::SalePermit,
            Self::Refusal(_) => Kind::Refusal,
            Self::HearingNotice(_) => Kind::HearingNotice,
            Self::HearingRecord(_) => Kind::HearingRecord,
            Self::LicenceAnnex(_) => Kind::LicenceAnnex,
            Self::Receipt(_) => Kind::Receipt,
        }
    }

    /// The service the document belongs to.
    pub fn service(&self) -> Service {
        match self {
            Self::Application(d) => d.service,
            Self::ReissueApplication(d) => d.service,
            Self::Licence(d) => d.service,
            Self::ReissuedLicence(d) => d.service,
            Self::TradePermit(d) => d.service,
            Self::TechnicalStudyConclusion(d) => d.service,
            Self::NotificationRegistrationDecision(d) => d.service,
            Self::SalePermit(d) => d.service,
            Self::Refusal(d) => d.service,
            Self::HearingNotice(d) => d.service,
            Self::HearingRecord(d) => d.service,
            Self::LicenceAnnex(d) => d.service,
            Self::Receipt(d) => d.service,
        }
    }

    /// The application the document is, answers or acknowledges.
    pub fn application_number(&self) -> &ApplicationNumber {
        match self {
            Self::Application(d) => &d.application_number,
            Self::ReissueApplication(d) => &d.application_number,
            Self::Licence(d) => &d.application_number,
            Self::ReissuedLicence(d) => &d.application_number,
            Self::TradePermit(d) => &d.application_number,
            Self::TechnicalStudyConclusion(d) => &d.application_number,
            Self::NotificationRegistrationDecision(d) => &d.application_number,
            Self::SalePermit(d) => &d.application_number,
            Self::Refusal(d) => &d.application_number,
            Self::HearingNotice(d) => &d.application_number,
            Self::HearingRecord(d) => &d.application_number,
            Self::LicenceAnnex(d) => &d.application_number,
            Self::Receipt(d) => &d.application_number,
        }
    }

    /// The service recipient's identification number: the applicant of an application, the
    /// recipient (licensee) of a result, the sender of a received document.
    pub fn recipient_id(&self) -> PartyId {
        match self {
            Self::Application(d) => d.applicant.id(),
            Self::ReissueApplication(d) => d.applicant.id(),
            Self::Licence(d) => d.licensee.id(),
            Self::ReissuedLicence(d) => d.licensee.id(),
            Self::TradePermit(d) => d.recipient.id(),
            Self::TechnicalStudyConclusion(d) => d.recipient.id(),
            Self::NotificationRegistrationDecision(d) => d.recipient.id(),
            Self::SalePermit(d) => d.recipient.id(),
            Self::Refusal(d) => d.recipient.id(),
            Self::HearingNotice(d) => d.recipient.id(),
            Self::HearingRecord(d) => d.recipient.id(),
            Self::LicenceAnnex(d) => d.licensee.id(),
            Self::Receipt(d) => d.sender.id(),
        }
    }

    /// The provider that signs a result or a receipt; `None` for an application, which the
    /// recipient signs.
    pub fn provider(&self) -> Option<&Provider> {
        match self {
            Self::Application(_) | Self::ReissueApplication(_) => None,
            Self::Licence(d) => Some(&d.provider),
            Self::ReissuedLicence(d) => Some(&d.provider),
            Self::TradePermit(d) => Some(&d.provider),
            Self::TechnicalStudyConclusion(d) => Some(&d.provider),
            Self::NotificationRegistrationDecision(d) => Some(&d.provider),
            Self::SalePermit(d) => Some(&d.provider),
            Self::Refusal(d) => Some(&d.provider),
            Self::HearingNotice(d) => Some(&d.provider),
            Self::HearingRecord(d) => Some(&d.provider),
            Self::LicenceAnnex(d) => Some(&d.provider),
            Self::Receipt(d) => Some(&d.receiver),
        }
    }

    /// The bytes to sign: the document's JSON canonicalised by RFC 8785 (JCS).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, DocumentError> {
        serde_json_canonicalizer::to_vec(self).map_err(|e| DocumentError::Serialise {
            message: e.to_string(),
        })
    }

    /// Indented JSON for people (not for signing: sign [`Document::canonical_bytes`]).
    pub fn to_json_pretty(&self) -> Result<String, DocumentError> {
        serde_json::to_string_pretty(self).map_err(|e| DocumentError::Serialise {
            message: e.to_string(),
        })
    }
}

/// Canonicalises any JSON text by RFC 8785: the bytes a signature over JSON covers.
pub fn canonicalize_json(input: &[u8]) -> Result<Vec<u8>, DocumentError> {
    let value = parse_strict(input)?;
    serde_json_canonicalizer::to_vec(&value).map_err(|e| DocumentError::Serialise {
        message: e.to_string(),
    })
}

/// Parses JSON refusing duplicate keys (serde_json keeps the last one silently).
fn parse_strict(input: &[u8]) -> Result<Value, DocumentError> {
    let mut de = serde_json::Deserializer::from_slice(input);
    let value =
        strict::StrictValue::deserialize(&mut de).map_err(|e| match strict::duplicate_key(&e) {
            Some(key) => DocumentError::DuplicateKey {
                key,
                line: e.line(),
                column: e.column(),
            },
            None => json_error(e),
        })?;
    de.end().map_err(json_error)?;
    Ok(value.0)
}

fn json_error(e: serde_json::Error) -> DocumentError {
    DocumentError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// Every object key `iin`, `bin` or `application_number` in the tree must hold a valid number
/// of its type; the first that does not gives its own error with its path. Done on the JSON
/// tree before the typed read so the error keeps its type (serde would flatten it into text).
fn check_identifiers(path: &str, value: &Value) -> Result<(), DocumentError> {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (key.as_str(), v) {
                    ("iin", Value::String(s)) => {
                        Iin::parse(s).map_err(|source| DocumentError::Iin {
                            field: here.clone(),
                            source,
                        })?;
                    }
                    ("bin", Value::String(s)) => {
                        Bin::parse(s).map_err(|source| DocumentError::Bin {
                            field: here.clone(),
                            source,
                        })?;
                    }
                    ("application_number", Value::String(s)) => {
                        ApplicationNumber::parse(s).map_err(|source| {
                            DocumentError::ApplicationNumber {
                                field: here.clone(),
                                source,
                            }
                        })?;
                    }
                    _ => check_identifiers(&here, v)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_identifiers(&format!("{path}[{i}]"), v)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
