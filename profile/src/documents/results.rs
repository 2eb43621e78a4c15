//! Result documents the provider signs, and the receipt of an electronic document.
//!
//! The licence form is not an annex of the order (licences follow the Law "On permissions and
//! notifications"); [`Licence`] carries what the rules require of it: the licensee, the type of
//! activity and the subtype(s) (paragraph 4 of the rules of service 1), the application it
//! answers, the date, the authorised person. The permit of services 4 and 5 follows Annex 2 of
//! their rules, the conclusion of service 6 its Annex 2, the registration of service 7 the
//! "Registered in the register" block of its Annex 3.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::applications::{ReissueGround, subtypes};
use super::error::DocumentError;
use super::fields::{
    self, Address, Applicant, ApplicationNumber, Movement, Officer, Party, Provider, iso_date,
};
use super::service::{RefusalGround, Service, Subtype};
use super::{Kind, LicenceRef};

/// A licence of services 1–3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// Licence number.
    pub licence_number: String,
    /// The licence service (1–3).
    pub service: Service,
    /// The licensor.
    pub provider: Provider,
    /// The licensee.
    pub licensee: Party,
    /// Full name of the type of activity.
    pub activity: String,
    /// Subtypes of activity: service 1 only, at least one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtypes: Vec<Subtype>,
    /// The application the licence answers.
    pub application_number: ApplicationNumber,
    /// Place of issue.
    pub place_of_issue: String,
    /// Date of issue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// An annex to a licence of services 1–3 (the application forms: "I ask to issue a license and
/// (or) annex to the license"): the subtypes of activity (service 1) added to a licence already
/// held, which the annex names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceAnnex {
    /// Number of the annex.
    pub annex_number: String,
    /// The licence it is annexed to.
    pub licence: LicenceRef,
    /// The licence service (1–3).
    pub service: Service,
    /// The licensor.
    pub provider: Provider,
    /// The licensee.
    pub licensee: Party,
    /// Full name of the type of activity.
    pub activity: String,
    /// Subtypes of activity: service 1 only, at least one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtypes: Vec<Subtype>,
    /// The application the annex answers.
    pub application_number: ApplicationNumber,
    /// Place of issue.
    pub place_of_issue: String,
    /// Date of issue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// A reissued licence of services 1–3 (paragraph 5 of their rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReissuedLicence {
    /// Licence number.
    pub licence_number: String,
    /// The licence service (1–3).
    pub service: Service,
    /// The licensor.
    pub provider: Provider,
    /// The licensee after the changes.
    pub licensee: Party,
    /// Full name of the type of activity.
    pub activity: String,
    /// Subtypes of activity: service 1 only, at least one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtypes: Vec<Subtype>,
    /// The licence reissued.
    pub previous: LicenceRef,
    /// The grounds of the reissue, at least one.
    pub grounds: Vec<ReissueGround>,
    /// The reissue application the licence answers.
    pub application_number: ApplicationNumber,
    /// Place of issue.
    pub place_of_issue: String,
    /// Date of reissue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// One line of goods in a trade permit (Annex 2 of services 4 and 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitGoods {
    /// Name of goods.
    pub name: String,
    /// Section of the Unified List (2.17 for service 4, 2.19 for service 5).
    pub unified_list_section: String,
    /// Code of the EAEU commodity nomenclature, ten digits.
    pub commodity_code: String,
    /// Unit of measurement.
    pub unit: String,
    /// Quantity in that unit.
    pub quantity: u64,
}

/// Conclusion (permit) for import, export and transit: services 4 and 5, Annex 2 of their rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TradePermit {
    /// Number of the conclusion.
    pub permit_number: String,
    /// Service 4 or 5.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// "Issued to".
    pub recipient: Party,
    /// Legal address of the recipient (service 5's form asks for it): the applicant's location
    /// ([`permit_recipient_address`]), never the actual address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_address: Option<Address>,
    /// "on the basis of an application № KZ…".
    pub application_number: ApplicationNumber,
    /// "dated …".
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub application_date: Date,
    /// Movement type, partner, countries, purpose, term, grounds.
    pub movement: Movement,
    /// The goods, at least one line.
    pub goods: Vec<PermitGoods>,
    /// Additional information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
    /// "The conclusion is valid until": the date the officer states, or the end of a temporary
    /// import or export; none otherwise, for the rules of services 4 and 5 set no term of their
    /// own ([`trade_permit_valid_until`]).
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub valid_until: Option<Date>,
    /// Date of issue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// The result of a technical study of one product: the three results of the footnote to
/// Annex 2 of service 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StudyResult {
    /// Result 1): incomplete technical description.
    IncompleteDescription,
    /// Result 2): the product is neither a special technical means for operational-search activities
    /// nor a means of cryptographic protection of information.
    NeitherSpecialNorCrypto,
    /// Result 3): the product is a special technical means for operational-search activities and is
    /// not a means of cryptographic protection of information.
    SpecialMeansNotCrypto,
}

/// Validity of a technical study conclusion: always indefinite (Annex 2 of service 6:
/// "Validity of the conclusion: indefinite").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    /// No end date.
    #[default]
    Indefinite,
}

/// One product studied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StudyItem {
    /// Product name.
    pub product_name: String,
    /// Code of the EAEU commodity nomenclature, ten digits.
    pub commodity_code: String,
    /// Technical research result.
    pub result: StudyResult,
}

/// Conclusion on a technical study (service 6, Annex 2 of its rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TechnicalStudyConclusion {
    /// Number of the conclusion.
    pub conclusion_number: String,
    /// Service 6.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// The recipient.
    pub recipient: Party,
    /// "under application № KZ…".
    pub application_number: ApplicationNumber,
    /// "dated …".
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub application_date: Date,
    /// The products and their results, at least one.
    pub items: Vec<StudyItem>,
    /// Always indefinite.
    pub validity: Validity,
    /// Date of issue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// Decision to register a notification on characteristics of goods containing encryption
/// means (service 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationRegistrationDecision {
    /// Number in the register ("Registered in the register … №").
    pub register_number: String,
    /// Service 7.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// The recipient.
    pub recipient: Party,
    /// The application.
    pub application_number: ApplicationNumber,
    /// Date of the application.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub application_date: Date,
    /// Name of goods (products).
    pub goods_name: String,
    /// Date of registration in the register.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub registered_on: Date,
    /// Validity period of the notification: item 6 of the notification, taken from the
    /// application (`Application::notification_valid_until`), never invented.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub notification_valid_until: Date,
    /// Date of the decision.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// Permit for sale (including other transfer) of cryptographic protection means (service 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SalePermit {
    /// Number of the permit.
    pub permit_number: String,
    /// Service 8.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// The recipient.
    pub recipient: Party,
    /// The application.
    pub application_number: ApplicationNumber,
    /// Date of the application.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub application_date: Date,
    /// Date of issue.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// A reasoned refusal (every service; the grounds from the service's list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// Number of the refusal.
    pub refusal_number: String,
    /// The service refused.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// The recipient.
    pub recipient: Party,
    /// The application refused.
    pub application_number: ApplicationNumber,
    /// Date of the application.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub application_date: Date,
    /// The grounds, at least one, each from the service's list.
    pub grounds: Vec<RefusalGround>,
    /// The reasons in words: what was found and why it is a ground.
    pub reasoning: String,
    /// Date of the refusal.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// Notice of a preliminary decision to refuse, with the time and place (method) of the hearing
/// (paragraph 4 of every rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingNotice {
    /// Number of the notice.
    pub notice_number: String,
    /// The service.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// The recipient.
    pub recipient: Party,
    /// The application concerned.
    pub application_number: ApplicationNumber,
    /// The grounds of the preliminary decision, each from the service's list.
    pub preliminary_grounds: Vec<RefusalGround>,
    /// The reasons in words.
    pub reasoning: String,
    /// Time of the hearing (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(schema_with = "super::schema::date_time_schema")]
    pub hearing_at: OffsetDateTime,
    /// Place or method (video link, address) of the hearing.
    pub hearing_place: String,
    /// Last day of the term of the service.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub term_ends_on: Date,
    /// Date of the notice.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// The record of a hearing (paragraph 4 of every rules: "based on the results of the hearing, the
/// service provider issues" the result or the reasoned refusal): when it was held, the position
/// the applicant expressed, and which grounds of the preliminary decision stand. No grounds
/// standing means the preliminary decision is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingRecord {
    /// Number of the record.
    pub record_number: String,
    /// The service.
    pub service: Service,
    /// The provider.
    pub provider: Provider,
    /// The recipient.
    pub recipient: Party,
    /// The application concerned.
    pub application_number: ApplicationNumber,
    /// Number of the hearing notice the hearing was held on.
    pub notice_number: String,
    /// When the hearing was held (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(schema_with = "super::schema::date_time_schema")]
    pub held_at: OffsetDateTime,
    /// Whether the applicant (or a representative) appeared. A record of non-appearance is
    /// made once the hearing's set time has passed; the preliminary decision's grounds are then
    /// decided without the applicant's position (paragraph 4 of the rules: the result follows
    /// the hearing).
    pub applicant_appeared: bool,
    /// The position the applicant expressed, or the note of the non-appearance.
    pub applicant_position: String,
    /// The grounds of the preliminary decision that stand after the hearing, each of the
    /// notice's; empty when the preliminary decision is withdrawn.
    pub maintained_grounds: Vec<RefusalGround>,
    /// Date of the record.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub issued_on: Date,
    /// The authorised person who signs.
    pub officer: Officer,
}

/// Receipt of an electronic document (EDS law art. 7.4: the fact and time of reception and the
/// sender), which the provider signs for each accepted submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Number of the receipt.
    pub receipt_number: String,
    /// The service of the document received.
    pub service: Service,
    /// Kind of the document received.
    pub received_kind: Kind,
    /// The application received.
    pub application_number: ApplicationNumber,
    /// The sender.
    pub sender: Party,
    /// The receiver.
    pub receiver: Provider,
    /// Time of reception (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(schema_with = "super::schema::date_time_schema")]
    pub received_at: OffsetDateTime,
    /// Date of registration: the day the term starts from (the next working day when received
    /// after hours; see `crate::calendar`).
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub registered_on: Date,
    /// SHA-256 of the signed file received, 64 lowercase hexadecimal digits.
    pub content_sha256: String,
}

/// The address a conclusion (permit) of `service` names beside the recipient: service 5's form
/// (Annex 2 of its rules, "Issued to … (full name …, legal address of the service recipient)")
/// takes the **legal** address, the applicant's location; the form of service 4 names none.
pub fn permit_recipient_address(service: Service, applicant: &Applicant) -> Option<Address> {
    (service == Service::CryptoTradePermit).then(|| match applicant {
        Applicant::LegalEntity { address, .. } | Applicant::Individual { address, .. } => {
            address.clone()
        }
    })
}

/// The "valid until" of a conclusion (permit) of services 4 and 5. The rules give the line on the
/// form but no term: the date the officer states, else the end of a temporary import or export
/// (the application's "term of temporary import / export"), else none. No one-year default.
pub fn trade_permit_valid_until(stated: Option<Date>, movement: &Movement) -> Option<Date> {
    stated.or(movement.temporary_until)
}

fn issued_by(
    service: Service,
    kind: Kind,
    provider: &Provider,
    recipient: &Party,
    recipient_field: &str,
    officer: &Officer,
) -> Result<(), DocumentError> {
    if !service.may_produce(kind) {
        return Err(DocumentError::KindNotOfService { kind, service });
    }
    fields::provider("provider", provider)?;
    fields::party(recipient_field, recipient)?;
    fields::officer("officer", officer)
}

fn grounds(field: &str, list: &[RefusalGround], service: Service) -> Result<(), DocumentError> {
    if list.is_empty() {
        return Err(DocumentError::EmptyField {
            field: field.to_owned(),
        });
    }
    for (i, &ground) in list.iter().enumerate() {
        if !service.allows_ground(ground) {
            return Err(DocumentError::GroundNotOfService {
                field: format!("{field}[{i}]"),
                ground,
                service,
            });
        }
    }
    Ok(())
}

fn licence_body(
    kind: Kind,
    service: Service,
    licence_number: &str,
    activity: &str,
    named: &[Subtype],
    place: &str,
) -> Result<(), DocumentError> {
    if !service.is_licence() {
        return Err(DocumentError::KindNotOfService { kind, service });
    }
    fields::text("licence_number", licence_number)?;
    fields::text("activity", activity)?;
    subtypes("subtypes", named, service, true)?;
    fields::text("place_of_issue", place)
}

impl Licence {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        licence_body(
            Kind::Licence,
            s,
            &self.licence_number,
            &self.activity,
            &self.subtypes,
            &self.place_of_issue,
        )?;
        issued_by(
            s,
            Kind::Licence,
            &self.provider,
            &self.licensee,
            "licensee",
            &self.officer,
        )
    }
}

impl LicenceAnnex {
    /// Checks every field; the annex is not dated before its licence.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        licence_body(
            Kind::LicenceAnnex,
            s,
            &self.annex_number,
            &self.activity,
            &self.subtypes,
            &self.place_of_issue,
        )?;
        self.licence.validate("licence")?;
        issued_by(
            s,
            Kind::LicenceAnnex,
            &self.provider,
            &self.licensee,
            "licensee",
            &self.officer,
        )?;
        fields::not_before(
            "issued_on",
            self.issued_on,
            "licence.issued_on",
            self.licence.issued_on,
        )
    }
}

impl ReissuedLicence {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        let kind = Kind::ReissuedLicence;
        licence_body(
            kind,
            s,
            &self.licence_number,
            &self.activity,
            &self.subtypes,
            &self.place_of_issue,
        )?;
        issued_by(
            s,
            kind,
            &self.provider,
            &self.licensee,
            "licensee",
            &self.officer,
        )?;
        self.previous.validate("previous")?;
        if self.grounds.is_empty() {
            return Err(DocumentError::EmptyField {
                field: "grounds".to_owned(),
            });
        }
        fields::not_before(
            "issued_on",
            self.issued_on,
            "previous.issued_on",
            self.previous.issued_on,
        )
    }
}

impl TradePermit {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        issued_by(
            s,
            Kind::TradePermit,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("permit_number", &self.permit_number)?;
        if let Some(a) = &self.recipient_address {
            fields::address("recipient_address", a)?;
        }
        fields::movement("movement", &self.movement, s)?;
        if self.goods.is_empty() {
            return Err(DocumentError::EmptyField {
                field: "goods".to_owned(),
            });
        }
        for (i, g) in self.goods.iter().enumerate() {
            let at = format!("goods[{i}]");
            fields::text(&format!("{at}.name"), &g.name)?;
            fields::text(
                &format!("{at}.unified_list_section"),
                &g.unified_list_section,
            )?;
            fields::commodity_code(&format!("{at}.commodity_code"), &g.commodity_code)?;
            fields::text(&format!("{at}.unit"), &g.unit)?;
            fields::safe_integer(&format!("{at}.quantity"), g.quantity)?;
        }
        fields::opt_text("additional_info", self.additional_info.as_ref())?;
        fields::not_before(
            "issued_on",
            self.issued_on,
            "application_date",
            self.application_date,
        )?;
        match self.valid_until {
            Some(until) => fields::not_before("valid_until", until, "issued_on", self.issued_on),
            None => Ok(()),
        }
    }
}

impl TechnicalStudyConclusion {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        let kind = Kind::TechnicalStudyConclusion;
        issued_by(
            s,
            kind,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("conclusion_number", &self.conclusion_number)?;
        if self.items.is_empty() {
            return Err(DocumentError::EmptyField {
                field: "items".to_owned(),
            });
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("items[{i}]");
            fields::text(&format!("{at}.product_name"), &item.product_name)?;
            fields::commodity_code(&format!("{at}.commodity_code"), &item.commodity_code)?;
        }
        fields::not_before(
            "issued_on",
            self.issued_on,
            "application_date",
            self.application_date,
        )
    }
}

impl NotificationRegistrationDecision {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        let kind = Kind::NotificationRegistrationDecision;
        issued_by(
            s,
            kind,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("register_number", &self.register_number)?;
        fields::text("goods_name", &self.goods_name)?;
        fields::not_before(
            "registered_on",
            self.registered_on,
            "application_date",
            self.application_date,
        )?;
        fields::not_before(
            "notification_valid_until",
            self.notification_valid_until,
            "registered_on",
            self.registered_on,
        )?;
        fields::not_before(
            "issued_on",
            self.issued_on,
            "application_date",
            self.application_date,
        )
    }
}

impl SalePermit {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        issued_by(
            s,
            Kind::SalePermit,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("permit_number", &self.permit_number)?;
        fields::not_before(
            "issued_on",
            self.issued_on,
            "application_date",
            self.application_date,
        )
    }
}

impl Refusal {
    /// Checks every field; each ground must be in the service's list.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        issued_by(
            s,
            Kind::Refusal,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("refusal_number", &self.refusal_number)?;
        grounds("grounds", &self.grounds, s)?;
        fields::text("reasoning", &self.reasoning)?;
        fields::not_before(
            "issued_on",
            self.issued_on,
            "application_date",
            self.application_date,
        )
    }
}

impl HearingNotice {
    /// Checks every field; the grounds must be the service's, the hearing and the end of the
    /// term not before the notice.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        issued_by(
            s,
            Kind::HearingNotice,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("notice_number", &self.notice_number)?;
        grounds("preliminary_grounds", &self.preliminary_grounds, s)?;
        fields::text("reasoning", &self.reasoning)?;
        fields::text("hearing_place", &self.hearing_place)?;
        fields::not_before(
            "hearing_at",
            crate::kz_time::legal_date(self.hearing_at),
            "issued_on",
            self.issued_on,
        )?;
        fields::not_before(
            "term_ends_on",
            self.term_ends_on,
            "issued_on",
            self.issued_on,
        )
    }
}

impl HearingRecord {
    /// Checks every field; the grounds that stand must be the service's, the record not before
    /// the hearing.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        issued_by(
            s,
            Kind::HearingRecord,
            &self.provider,
            &self.recipient,
            "recipient",
            &self.officer,
        )?;
        fields::text("record_number", &self.record_number)?;
        fields::text("notice_number", &self.notice_number)?;
        fields::text("applicant_position", &self.applicant_position)?;
        if !self.maintained_grounds.is_empty() {
            grounds("maintained_grounds", &self.maintained_grounds, s)?;
        }
        fields::not_before(
            "issued_on",
            self.issued_on,
            "held_at",
            crate::kz_time::legal_date(self.held_at),
        )
    }
}

impl Receipt {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), DocumentError> {
        if !matches!(
            self.received_kind,
            Kind::Application | Kind::ReissueApplication
        ) {
            return Err(DocumentError::KindNotOfService {
                kind: self.received_kind,
                service: self.service,
            });
        }
        if self.received_kind == Kind::ReissueApplication && !self.service.is_licence() {
            return Err(DocumentError::KindNotOfService {
                kind: self.received_kind,
                service: self.service,
            });
        }
        fields::text("receipt_number", &self.receipt_number)?;
        fields::party("sender", &self.sender)?;
        fields::provider("receiver", &self.receiver)?;
        let digest = &self.content_sha256;
        if digest.len() != 64
            || !digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(DocumentError::BadDigest {
                field: "content_sha256".to_owned(),
            });
        }
        fields::not_before(
            "registered_on",
            self.registered_on,
            "received_at",
            crate::kz_time::legal_date(self.received_at),
        )
    }
}
