//! Applications: the documents a service recipient signs and submits.
//!
//! One [`Application`] type covers the application forms of all eight services: the forms of
//! a legal entity and of an individual (services 1–3: Annexes 2 and 3 of their rules; service 8:
//! Annexes 2 and 3) differ only in the applicant block, which is [`Applicant`]; the single forms
//! of services 4–7 (Annex 3, 3, 3 and 2 of their rules) ask for "IIN / BIN of the service
//! recipient", which is the same block. [`ReissueApplication`] is the reissue form of the three
//! licences (Annex 5 for a legal entity, Annex 6 for an individual).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::attachments::{self, Attachment, AttachmentKind};
use super::error::DocumentError;
use super::fields::{
    self, Address, Applicant, ApplicationNumber, BankAccount, Contacts, GoodsItem, Movement,
    iso_date,
};
use super::service::{Procedure, Service, Subtype};
use super::{Kind, LicenceRef};

/// Calendar days after the change within which a reissue must be applied for (paragraph 5 of
/// the rules of services 1–3: "within thirty calendar days from the date of occurrence of the
/// changes").
pub const REISSUE_FILING_DAYS: i64 = 30;

/// An application for a licence, permit, conclusion or registration (first issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// Number the portal gave the application (`KZ…`).
    pub application_number: ApplicationNumber,
    /// The service applied for.
    pub service: Service,
    /// "To": full name of the licensor or service provider.
    pub addressee: String,
    /// "From": the legal entity or individual who applies.
    pub applicant: Applicant,
    /// Official contacts.
    pub contacts: Contacts,
    /// Bank account (licence and sale-permit forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
    /// Subtypes of activity asked for: service 1 only, at least one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtypes: Vec<Subtype>,
    /// Address of the object of the activity (licence forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_address: Option<Address>,
    /// Actual address of the recipient (forms of services 4–7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_address: Option<Address>,
    /// Goods concerned (services 4–7; at least one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goods: Vec<GoodsItem>,
    /// The movement asked for (services 4 and 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movement: Option<Movement>,
    /// Foreign trade contract or other document of the parties' intentions (service 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// Additional information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
    /// Item 6 of the notification of service 7: "the validity period of the notification". The
    /// registration decision takes its validity from here; required for service 7, not allowed
    /// on other forms.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_date::option"
    )]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub notification_valid_until: Option<Date>,
    /// Contact person of the recipient (services 4 and 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    /// The licence held, when the application asks for an annex to it rather than a licence
    /// (the licence forms: "a license and (or) annex to the license"; services 1–3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annex_to: Option<LicenceRef>,
    /// Number of documents attached ("_____ document(s) attached"): the number of
    /// `documents`.
    pub attachments: u32,
    /// The documents attached, typed (the service's "list of documents"): completeness is
    /// [`Application::missing_documents`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Attachment>,
    /// The fee was paid through the e-government payment gateway, so no proof of payment is
    /// attached (services 1–3 and 8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fee_paid_via_gateway: bool,
    /// Date of filling.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub filled_on: Date,
}

/// A reissue ground, as the boxes of Annex 5 (legal entity) and Annex 6 (individual) list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReissueGround {
    /// Legal entity 1): reorganisation under art. 34 of the Law "On permissions and
    /// notifications" (the form of reorganisation is required).
    Reorganisation,
    /// Legal entity 2): change of the name of the legal entity.
    NameChange,
    /// Legal entity 3): change of the location of the legal entity.
    LocationChange,
    /// Individual 1): change of surname, name, patronymic.
    PersonalNameChange,
    /// Individual 2): re-registration of an individual entrepreneur, change of its name.
    EntrepreneurNameChange,
    /// Individual 3): re-registration of an individual entrepreneur, change of its legal
    /// address.
    EntrepreneurAddressChange,
    /// Both 4): alienation of a licence of the class "permits issued to objects" with the
    /// object.
    Alienation,
    /// Both 5): change of the address of the object without moving it.
    ObjectAddressChange,
    /// Both 6): a legal requirement of re-registration.
    LegalRequirement,
    /// Both 7): change of the name of the type of activity.
    ActivityNameChange,
    /// Both 8): change of the name of the subtype of activity.
    SubtypeNameChange,
}

impl ReissueGround {
    /// Whether the form of a legal entity (Annex 5) offers this ground.
    pub fn for_legal_entity(self) -> bool {
        !matches!(
            self,
            Self::PersonalNameChange
                | Self::EntrepreneurNameChange
                | Self::EntrepreneurAddressChange
        )
    }

    /// Whether the form of an individual (Annex 6) offers this ground.
    pub fn for_individual(self) -> bool {
        !matches!(
            self,
            Self::Reorganisation | Self::NameChange | Self::LocationChange
        )
    }
}

/// Form of reorganisation (Annex 5, ground 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Reorganisation {
    /// Merger.
    Merger,
    /// Transformation.
    Transformation,
    /// Accession.
    Accession,
    /// Spin-off.
    SpinOff,
    /// Division.
    Division,
}

/// An application to reissue a licence of services 1–3 (Annexes 5 and 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReissueApplication {
    /// Number the portal gave the application (`KZ…`).
    pub application_number: ApplicationNumber,
    /// The licence service (1–3).
    pub service: Service,
    /// "To": full name of the licensor.
    pub addressee: String,
    /// "From": the licensee.
    pub applicant: Applicant,
    /// The licence to reissue: number, date of issue, licensor.
    pub licence: LicenceRef,
    /// Subtypes of activity of the licence (service 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtypes: Vec<Subtype>,
    /// The grounds ticked, at least one.
    pub grounds: Vec<ReissueGround>,
    /// Form of reorganisation, required with [`ReissueGround::Reorganisation`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorganisation: Option<Reorganisation>,
    /// Date the changes occurred (the 30 calendar days of paragraph 5 run from it).
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub changes_on: Date,
    /// Official contacts.
    pub contacts: Contacts,
    /// Bank account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
    /// Address of the object of the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_address: Option<Address>,
    /// Number of documents attached ("_____ document(s) attached"): the number of
    /// `documents`.
    pub attachments: u32,
    /// The documents attached, typed (the service's "list of documents"): completeness is
    /// [`Application::missing_documents`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Attachment>,
    /// The fee was paid through the e-government payment gateway, so no proof of payment is
    /// attached (services 1–3 and 8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fee_paid_via_gateway: bool,
    /// Date of filling.
    #[serde(with = "iso_date")]
    #[schemars(schema_with = "super::schema::date_schema")]
    pub filled_on: Date,
}

/// The documents against the service's list, their count against the form's number, and the
/// gateway payment only where a fee is due.
fn check_documents(
    documents: &[Attachment],
    count: u32,
    fee_paid_via_gateway: bool,
    service: Service,
    procedure: Procedure,
) -> Result<(), DocumentError> {
    attachments::validate("documents", documents, service, procedure)?;
    if usize::try_from(count).ok() != Some(documents.len()) && !documents.is_empty() {
        return Err(DocumentError::AttachmentCount {
            stated: count,
            listed: documents.len(),
        });
    }
    if fee_paid_via_gateway
        && !attachments::allowed_attachments(service, procedure)
            .contains(&AttachmentKind::FeePayment)
    {
        return Err(not_allowed("fee_paid_via_gateway", service));
    }
    Ok(())
}

impl Application {
    /// The entries of the service's list of documents this application lacks (each as the
    /// kinds that would satisfy it); empty when complete.
    pub fn missing_documents(&self) -> Vec<&'static [AttachmentKind]> {
        attachments::missing_attachments(
            &self.documents,
            self.service,
            Procedure::Issue,
            self.fee_paid_via_gateway,
        )
    }

    /// Checks every field against the form of its service.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        fields::text("addressee", &self.addressee)?;
        fields::applicant("applicant", &self.applicant)?;
        fields::contacts("contacts", &self.contacts)?;
        // Which optional blocks each form has: the bank account and the object's address are
        // on the licence forms (services 1-3) and the bank account on the sale-permit forms
        // (service 8); the actual address on the forms of services 4-7; the contact person on
        // those of services 4 and 5.
        let trade = matches!(
            s,
            Service::SpecialMeansTradePermit | Service::CryptoTradePermit
        );
        let goods_form = trade
            || matches!(
                s,
                Service::TechnicalStudy | Service::NotificationRegistration
            );
        let present = [
            (
                "bank_account",
                self.bank_account.is_some(),
                s.is_licence() || s == Service::CryptoSalePermit,
            ),
            (
                "object_address",
                self.object_address.is_some(),
                s.is_licence(),
            ),
            ("actual_address", self.actual_address.is_some(), goods_form),
            ("contact_person", self.contact_person.is_some(), trade),
        ];
        if let Some((field, ..)) = present
            .iter()
            .find(|(_, there, allowed)| *there && !allowed)
        {
            return Err(not_allowed(field, s));
        }
        if let Some(b) = &self.bank_account {
            fields::bank_account("bank_account", b)?;
        }
        subtypes("subtypes", &self.subtypes, s, true)?;
        if let Some(a) = &self.object_address {
            fields::address("object_address", a)?;
        }
        if let Some(a) = &self.actual_address {
            fields::address("actual_address", a)?;
        }
        if goods_form {
            let code_required = s != Service::NotificationRegistration;
            fields::goods("goods", &self.goods, s, code_required)?;
        } else if !self.goods.is_empty() {
            return Err(not_allowed("goods", s));
        }
        match (&self.movement, trade) {
            (Some(m), true) => fields::movement("movement", m, s)?,
            (None, true) => {
                return Err(DocumentError::FieldRequired {
                    field: "movement".to_owned(),
                    service: s,
                });
            }
            (Some(_), false) => return Err(not_allowed("movement", s)),
            (None, false) => {}
        }
        match (
            self.notification_valid_until,
            s == Service::NotificationRegistration,
        ) {
            (Some(until), true) => fields::not_before(
                "notification_valid_until",
                until,
                "filled_on",
                self.filled_on,
            )?,
            (None, true) => {
                return Err(DocumentError::FieldRequired {
                    field: "notification_valid_until".to_owned(),
                    service: s,
                });
            }
            (Some(_), false) => return Err(not_allowed("notification_valid_until", s)),
            (None, false) => {}
        }
        if self.contract.is_some() && s != Service::TechnicalStudy {
            return Err(not_allowed("contract", s));
        }
        check_documents(
            &self.documents,
            self.attachments,
            self.fee_paid_via_gateway,
            s,
            Procedure::Issue,
        )?;
        match &self.annex_to {
            Some(_) if !s.is_licence() => return Err(not_allowed("annex_to", s)),
            Some(l) => {
                l.validate("annex_to")?;
                fields::not_before(
                    "filled_on",
                    self.filled_on,
                    "annex_to.issued_on",
                    l.issued_on,
                )?;
            }
            None => {}
        }
        fields::opt_text("contract", self.contract.as_ref())?;
        fields::opt_text("additional_info", self.additional_info.as_ref())?;
        fields::opt_text("contact_person", self.contact_person.as_ref())
    }
}

impl ReissueApplication {
    /// The entries of the reissue's list of documents this application lacks; empty when
    /// complete.
    pub fn missing_documents(&self) -> Vec<&'static [AttachmentKind]> {
        attachments::missing_attachments(
            &self.documents,
            self.service,
            Procedure::Reissue,
            self.fee_paid_via_gateway,
        )
    }

    /// Checks every field against the reissue form of the applicant's type.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let s = self.service;
        if !s.is_licence() {
            return Err(DocumentError::KindNotOfService {
                kind: Kind::ReissueApplication,
                service: s,
            });
        }
        fields::text("addressee", &self.addressee)?;
        fields::applicant("applicant", &self.applicant)?;
        self.licence.validate("licence")?;
        subtypes("subtypes", &self.subtypes, s, false)?;
        if self.grounds.is_empty() {
            return Err(DocumentError::EmptyField {
                field: "grounds".to_owned(),
            });
        }
        let legal = matches!(self.applicant, Applicant::LegalEntity { .. });
        for (i, &g) in self.grounds.iter().enumerate() {
            let fits = if legal {
                g.for_legal_entity()
            } else {
                g.for_individual()
            };
            if !fits {
                return Err(DocumentError::ReissueGroundNotForApplicant {
                    field: format!("grounds[{i}]"),
                    ground: g,
                    applicant: if legal {
                        "a legal entity"
                    } else {
                        "an individual"
                    },
                });
            }
        }
        let reorganised = self.grounds.contains(&ReissueGround::Reorganisation);
        match (reorganised, self.reorganisation) {
            (true, None) => {
                return Err(DocumentError::FieldRequired {
                    field: "reorganisation".to_owned(),
                    service: s,
                });
            }
            (false, Some(_)) => return Err(not_allowed("reorganisation", s)),
            _ => {}
        }
        fields::not_before(
            "changes_on",
            self.changes_on,
            "licence.issued_on",
            self.licence.issued_on,
        )?;
        fields::not_before("filled_on", self.filled_on, "changes_on", self.changes_on)?;
        check_documents(
            &self.documents,
            self.attachments,
            self.fee_paid_via_gateway,
            s,
            Procedure::Reissue,
        )?;
        fields::contacts("contacts", &self.contacts)?;
        if let Some(b) = &self.bank_account {
            fields::bank_account("bank_account", b)?;
        }
        if let Some(a) = &self.object_address {
            fields::address("object_address", a)?;
        }
        Ok(())
    }

    /// Whether the application was filled within [`REISSUE_FILING_DAYS`] calendar days of the
    /// changes (paragraph 5). A late application is still a valid document; whether lateness
    /// is a ground to refuse is the provider's decision.
    pub fn filed_in_time(&self) -> bool {
        self.filled_on - self.changes_on <= Duration::days(REISSUE_FILING_DAYS)
    }

    /// The application's lateness under paragraph 5 of the rules of services 1–3, if it is late:
    /// the licensee must apply within [`REISSUE_FILING_DAYS`] calendar days of the changes. The
    /// grounds of refusal (paragraph 9 of each service's Requirements, [`super::refusal_grounds`]) do not include lateness, so a late
    /// application is accepted and flagged, never refused on this count.
    pub fn late_filing(&self) -> Option<LateReissue> {
        let days = (self.filled_on - self.changes_on).whole_days();
        (days > REISSUE_FILING_DAYS).then_some(LateReissue {
            changes_on: self.changes_on,
            filled_on: self.filled_on,
            days,
        })
    }
}

/// A reissue applied for later than paragraph 5 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LateReissue {
    /// When the changes occurred.
    #[serde(with = "iso_date")]
    pub changes_on: Date,
    /// When the application was filled.
    #[serde(with = "iso_date")]
    pub filled_on: Date,
    /// Calendar days between the two.
    pub days: i64,
}

impl std::fmt::Display for LateReissue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the reissue is applied for on {}, {} calendar days after the changes of {}; \
             paragraph 5 of the rules asks for at most {REISSUE_FILING_DAYS}",
            self.filled_on, self.days, self.changes_on
        )
    }
}

fn not_allowed(field: &str, service: Service) -> DocumentError {
    DocumentError::FieldNotAllowed {
        field: field.to_owned(),
        service,
    }
}

/// The subtypes named must exist for the service, without repeats; when `required`, a service
/// with subtypes needs at least one.
pub(crate) fn subtypes(
    field: &str,
    named: &[Subtype],
    service: Service,
    required: bool,
) -> Result<(), DocumentError> {
    for (i, &subtype) in named.iter().enumerate() {
        if !service.subtypes().contains(&subtype) {
            return Err(DocumentError::SubtypeNotOfService {
                field: format!("{field}[{i}]"),
                subtype,
                service,
            });
        }
        if named[..i].contains(&subtype) {
            return Err(DocumentError::DuplicateSubtype {
                field: format!("{field}[{i}]"),
                subtype,
            });
        }
    }
    if required && named.is_empty() && !service.subtypes().is_empty() {
        return Err(DocumentError::SubtypesMissing {
            field: field.to_owned(),
            service,
        });
    }
    Ok(())
}
