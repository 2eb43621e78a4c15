//! The documents an application carries ("List of documents and information required from the
//! service recipient", paragraph 8 of the Requirements to provision of each public service of
//! Order No. 34/қе), as typed attachments: completeness is a check over them.
//!
//! Each attachment names its kind, a file name and the SHA-256 of the file, so the signed
//! application binds the very files submitted with it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::DocumentError;
use super::fields;
use super::service::{Procedure, Service};

/// The kind of a document attached to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AttachmentKind {
    /// Information confirming payment of the licence fee (services 1–3) or of the fee for the
    /// right to sell (service 8), unless paid through the e-government payment gateway.
    FeePayment,
    /// The electronic form of information on compliance with the qualification requirements
    /// (Annex 4 of the rules of services 1–3).
    QualificationForm,
    /// Service 3's alternative form (Annex 5 of its rules): compliance within the activities of
    /// an operational information security center or an incident response service.
    QualificationFormOperationalCenter,
    /// The electronic form of information on compliance with the licensing requirements of the
    /// sale of cryptographic means (Annex 4 of the rules of service 8).
    LicensingRequirementsForm,
    /// Copies of documents on the changes a reissue rests on (services 1–3), unless their
    /// information is in state information systems.
    ChangeDocuments,
    /// A foreign trade contract, its annex or addition, or another document of the parties'
    /// intentions (services 4 and 5; service 6's supply contracts, if any).
    TradeContract,
    /// Technical documentation of the goods (services 4, 5 and 6).
    TechnicalDocumentation,
    /// Source codes of an encryption means (service 5: optional, and declining is no ground).
    SourceCodes,
    /// The notification on the characteristics of the goods (Annex 3 of the rules of service 7).
    Notification,
    /// The notification as an *.xls file (service 7, EEC Board Decision No. 30 of 2015).
    NotificationSpreadsheet,
    /// A legalised document giving the right to act for the manufacturer, with its certified
    /// translation (service 7, when the provider asks for it).
    ManufacturerAuthority,
}

impl AttachmentKind {
    /// The document as the service's list of documents (paragraph 8 of the Requirements) names
    /// it, with the annex of the rules whose form it takes, if any.
    pub fn title(self) -> &'static str {
        match self {
            Self::FeePayment => {
                "information confirming payment of the licence fee (or of the fee for the right \
                 to sell) to the budget, unless paid through the e-government payment gateway"
            }
            Self::QualificationForm => {
                "the electronic form of information on compliance with the qualification \
                 requirements (Annex 4 of the rules)"
            }
            Self::QualificationFormOperationalCenter => {
                "the electronic form of information on compliance within the activities of an \
                 operational information security center or an incident response service \
                 (Annex 5 of the rules of service 3)"
            }
            Self::LicensingRequirementsForm => {
                "the electronic form of information on compliance with the licensing \
                 requirements for the sale of cryptographic protection means (Annex 4 of the \
                 rules)"
            }
            Self::ChangeDocuments => {
                "electronic copies of the documents on the changes the reissue rests on"
            }
            Self::TradeContract => {
                "the foreign trade contract, its annex or addition, or another document of the \
                 parties' intentions"
            }
            Self::TechnicalDocumentation => "an electronic copy of the technical documentation",
            Self::SourceCodes => "the source codes of the encryption means",
            Self::Notification => {
                "the electronic notification on the characteristics of the goods (Annex 3 of the \
                 rules)"
            }
            Self::NotificationSpreadsheet => "the notification as an *.xls file",
            Self::ManufacturerAuthority => {
                "the legalised document giving the right to act for the manufacturer, with its \
                 certified translation"
            }
        }
    }
}

/// A document attached to an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// What it is.
    pub kind: AttachmentKind,
    /// File name as submitted.
    pub name: String,
    /// SHA-256 of the file, 64 lowercase hexadecimal digits.
    pub sha256: String,
}

/// What completes an application: each entry is satisfied by any one of its kinds.
pub fn required_attachments(
    service: Service,
    procedure: Procedure,
    fee_paid_via_gateway: bool,
) -> Vec<&'static [AttachmentKind]> {
    use AttachmentKind as K;
    let fee: &[&'static [AttachmentKind]] = if fee_paid_via_gateway {
        &[]
    } else {
        &[&[K::FeePayment]]
    };
    let mut need: Vec<&'static [AttachmentKind]> = Vec::new();
    match (service, procedure) {
        (s, Procedure::Reissue) if s.is_licence() => need.extend_from_slice(fee),
        (Service::LeakageChannelsLicence, _) => {
            need.extend_from_slice(fee);
            need.push(&[K::QualificationForm, K::QualificationFormOperationalCenter]);
        }
        (s, _) if s.is_licence() => {
            need.extend_from_slice(fee);
            need.push(&[K::QualificationForm]);
        }
        (Service::SpecialMeansTradePermit | Service::CryptoTradePermit, _) => {
            need.push(&[K::TradeContract]);
            need.push(&[K::TechnicalDocumentation]);
        }
        (Service::TechnicalStudy, _) => need.push(&[K::TechnicalDocumentation]),
        (Service::NotificationRegistration, _) => {
            need.push(&[K::Notification]);
            need.push(&[K::NotificationSpreadsheet]);
        }
        (Service::CryptoSalePermit, _) => {
            need.push(&[K::LicensingRequirementsForm]);
            need.extend_from_slice(fee);
        }
        _ => {}
    }
    need
}

/// The kinds an application may carry at all for `service` and `procedure`.
pub fn allowed_attachments(service: Service, procedure: Procedure) -> &'static [AttachmentKind] {
    use AttachmentKind as K;
    match (service, procedure) {
        (s, Procedure::Reissue) if s.is_licence() => &[K::FeePayment, K::ChangeDocuments],
        (Service::LeakageChannelsLicence, _) => &[
            K::FeePayment,
            K::QualificationForm,
            K::QualificationFormOperationalCenter,
        ],
        (s, _) if s.is_licence() => &[K::FeePayment, K::QualificationForm],
        (Service::SpecialMeansTradePermit, _) => &[K::TradeContract, K::TechnicalDocumentation],
        (Service::CryptoTradePermit, _) => {
            &[K::TradeContract, K::TechnicalDocumentation, K::SourceCodes]
        }
        (Service::TechnicalStudy, _) => &[K::TechnicalDocumentation, K::TradeContract],
        (Service::NotificationRegistration, _) => &[
            K::Notification,
            K::NotificationSpreadsheet,
            K::ManufacturerAuthority,
        ],
        (Service::CryptoSalePermit, _) => &[K::LicensingRequirementsForm, K::FeePayment],
        _ => &[],
    }
}

/// The entries of [`required_attachments`] that `attached` does not satisfy (each as the kinds
/// that would), in the list's order; empty when the application is complete.
pub fn missing_attachments(
    attached: &[Attachment],
    service: Service,
    procedure: Procedure,
    fee_paid_via_gateway: bool,
) -> Vec<&'static [AttachmentKind]> {
    required_attachments(service, procedure, fee_paid_via_gateway)
        .into_iter()
        .filter(|any| !attached.iter().any(|a| any.contains(&a.kind)))
        .collect()
}

/// Checks each attachment: a kind of the service's list, a file name, a SHA-256 digest.
pub(crate) fn validate(
    field: &str,
    attached: &[Attachment],
    service: Service,
    procedure: Procedure,
) -> Result<(), DocumentError> {
    let allowed = allowed_attachments(service, procedure);
    for (i, a) in attached.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if !allowed.contains(&a.kind) {
            return Err(DocumentError::AttachmentNotOfService {
                field: format!("{at}.kind"),
                kind: a.kind,
                service,
            });
        }
        fields::text(&format!("{at}.name"), &a.name)?;
        if a.sha256.len() != 64
            || !a
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(DocumentError::BadDigest {
                field: format!("{at}.sha256"),
            });
        }
    }
    Ok(())
}
