//! The eight public services of Order No. 34/қе of the Chairman of the National Security
//! Committee (6 May 2020, as amended to 2024), their results, terms, subtypes and refusal grounds.
//!
//! Every figure here is taken from Annex 1 ("List of basic requirements") of the rules of the
//! service in question: the term (item "Term for provision of a public service"), the result
//! (item "Result of provision") and the refusal grounds (item "Grounds for refusal"). Paragraph 4
//! of every rules adds the completeness check whose failure gives "a reasoned refusal to further
//! consider the application"; this module lists it as [`RefusalGround::IncompleteDocuments`]
//! for all eight services.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Kind;

/// One of the eight public services (the number is the annex of the order that holds its rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// Annex 1: licence for development, production, repair and sale of special technical means
    /// intended for operational-search activities (two subtypes).
    SpecialMeansLicence,
    /// Annex 2: licence for development of means of cryptographic protection of information.
    CryptoDevelopmentLicence,
    /// Annex 3: licence for services identifying technical channels of information leakage and
    /// special technical means intended for operational-search activities.
    LeakageChannelsLicence,
    /// Annex 4: conclusion (permit) for import, export and transit of special technical means
    /// intended for secretly obtaining information.
    SpecialMeansTradePermit,
    /// Annex 5: conclusion (permit) for import, export and transit of encryption
    /// (cryptographic) means.
    CryptoTradePermit,
    /// Annex 6: conclusion on a technical study classifying goods as cryptographic protection
    /// means or special technical means.
    TechnicalStudy,
    /// Annex 7: registration of a notification on characteristics of goods containing
    /// encryption (cryptographic) means.
    NotificationRegistration,
    /// Annex 8: permit for sale (including other transfer) of means of cryptographic protection
    /// of information.
    CryptoSalePermit,
}

/// Whether an application asks for a first issue or for the reissue of a licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Procedure {
    /// A licence, permit, conclusion or registration asked for the first time.
    Issue,
    /// Reissue of a licence (paragraph 5 of the rules of services 1–3).
    Reissue,
}

/// Subtype of activity of the licence of service 1 (paragraph 1 of its rules). The other two
/// licences name no subtypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Subtype {
    /// Subtype 1): development, production of special technical means intended for
    /// operational-search activities.
    DevelopmentProduction,
    /// Subtype 2): repair and sale of special technical means intended for
    /// operational-search activities.
    RepairSale,
}

/// A ground for refusing a service, as the annexes word it. Which grounds belong to which
/// service is [`Service::refusal_grounds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalGround {
    /// Paragraph 4 of every rules: the documents submitted are incomplete (refusal to further
    /// consider the application).
    IncompleteDocuments,
    /// Every annex, item 1): the documents submitted or the data in them are inaccurate.
    InaccurateDocuments,
    /// Services 1–3, item 2): the licence fee has not been paid.
    LicenceFeeNotPaid,
    /// Services 1–3, item 3): the recipient or the data do not meet the qualification
    /// requirements.
    QualificationRequirementsNotMet,
    /// Every annex: a court decision (verdict) in force suspends or prohibits the activity.
    CourtProhibition,
    /// Services 1–3, item 5): on the enforcement agent's recommendation the court temporarily
    /// prohibited issuing a licence to the recipient-debtor.
    CourtBanOnDebtor,
    /// Services 1–3, reissue on division, item 1): the documents of subparagraph 2) of
    /// paragraph 8 are missing or improperly executed.
    DivisionDocumentsMissing,
    /// Services 1–3, reissue on division, item 2): the recipient does not meet the
    /// qualification requirements.
    DivisionQualificationNotMet,
    /// Services 1–3, reissue on division, item 3): the licence was already reissued to another
    /// entity that emerged from the division.
    DivisionAlreadyReissued,
    /// Services 4–7, item 2): the recipient or the materials do not meet the requirements of
    /// Decision No. 30 of the Board of the Eurasian Economic Commission (21 April 2015).
    EaeuRequirementsNotMet,
    /// Services 4–8: a court decision in force deprives the recipient of a special right
    /// related to the service.
    CourtDeprivedSpecialRight,
    /// Service 4, item 5): the import or export may harm national security.
    NationalSecurityHarm,
    /// Service 7, item 3): negative conclusion of an expert examination, research or
    /// verification.
    NegativeExpertConclusion,
    /// Service 8, item 2): the recipient or the data do not meet the licensing requirements.
    LicensingRequirementsNotMet,
}

impl Service {
    /// All services in the order of the order's annexes.
    pub const ALL: [Self; 8] = [
        Self::SpecialMeansLicence,
        Self::CryptoDevelopmentLicence,
        Self::LeakageChannelsLicence,
        Self::SpecialMeansTradePermit,
        Self::CryptoTradePermit,
        Self::TechnicalStudy,
        Self::NotificationRegistration,
        Self::CryptoSalePermit,
    ];

    /// The number of the order's annex that holds the rules of this service (1–8).
    pub fn annex(self) -> u8 {
        match self {
            Self::SpecialMeansLicence => 1,
            Self::CryptoDevelopmentLicence => 2,
            Self::LeakageChannelsLicence => 3,
            Self::SpecialMeansTradePermit => 4,
            Self::CryptoTradePermit => 5,
            Self::TechnicalStudy => 6,
            Self::NotificationRegistration => 7,
            Self::CryptoSalePermit => 8,
        }
    }

    /// The name of the service as the order gives it.
    pub fn title(self) -> &'static str {
        match self {
            Self::SpecialMeansLicence => {
                "Issuance of a license to engage in activities for development, production, \
                 repair and sale of special technical means intended for operational-search \
                 activities"
            }
            Self::CryptoDevelopmentLicence => {
                "Issuance of a license for development of means of cryptographic protection of \
                 information"
            }
            Self::LeakageChannelsLicence => {
                "Issuance of a license for provision of services to identify technical channels \
                 of information leakage and special technical means intended for \
                 operational-search activities"
            }
            Self::SpecialMeansTradePermit => {
                "Issuance of a conclusion (permit) for import, export and transit of special \
                 technical means intended for secret receipt of information"
            }
            Self::CryptoTradePermit => {
                "Issuance of a conclusion (permit) for import, export and transit of encryption \
                 (cryptographic) means"
            }
            Self::TechnicalStudy => {
                "Issuance of a conclusion on technical study regarding the classification of \
                 goods to the means of cryptographic protection of information and special \
                 technical means intended for operational-search activities"
            }
            Self::NotificationRegistration => {
                "Registration of notifications about characteristics of goods (products) \
                 containing encryption (cryptographic) means"
            }
            Self::CryptoSalePermit => {
                "Issuance of permission for sale (including other transfer) of means of \
                 cryptographic protection of information"
            }
        }
    }

    /// Whether the result is a licence (services 1–3), which alone can be reissued.
    pub fn is_licence(self) -> bool {
        matches!(
            self,
            Self::SpecialMeansLicence
                | Self::CryptoDevelopmentLicence
                | Self::LeakageChannelsLicence
        )
    }

    /// The subtypes of activity a licence of this service may name; empty for every service but
    /// service 1.
    pub fn subtypes(self) -> &'static [Subtype] {
        match self {
            Self::SpecialMeansLicence => &[Subtype::DevelopmentProduction, Subtype::RepairSale],
            _ => &[],
        }
    }

    /// The term of the service in working days from the registration of the application
    /// (Annex 1 of each rules, "Term for provision"); `None` for a reissue of a service that is
    /// not a licence.
    pub fn term_working_days(self, procedure: Procedure) -> Option<u32> {
        match (procedure, self) {
            (Procedure::Reissue, s) if s.is_licence() => Some(3),
            (Procedure::Reissue, _) => None,
            (Procedure::Issue, s) if s.is_licence() => Some(15),
            (
                Procedure::Issue,
                Self::SpecialMeansTradePermit | Self::CryptoTradePermit | Self::CryptoSalePermit,
            ) => Some(8),
            (Procedure::Issue, _) => Some(5),
        }
    }

    /// Working days a hearing adds to the term: service 6 only ("In case of a hearing, the Term
    /// for provision of a public service is extended for 2 working days", paragraph 4).
    pub fn hearing_extension_working_days(self) -> u32 {
        match self {
            Self::TechnicalStudy => 2,
            _ => 0,
        }
    }

    /// The result document kinds this service may produce (Annex 1, "Result of provision"),
    /// plus the hearing notice and the record of the hearing every rules requires before a
    /// substantive refusal (paragraph 4).
    pub fn result_kinds(self) -> &'static [Kind] {
        match self {
            Self::SpecialMeansLicence
            | Self::CryptoDevelopmentLicence
            | Self::LeakageChannelsLicence => &[
                Kind::Licence,
                Kind::ReissuedLicence,
                Kind::LicenceAnnex,
                Kind::Refusal,
                Kind::HearingNotice,
                Kind::HearingRecord,
            ],
            Self::SpecialMeansTradePermit | Self::CryptoTradePermit => &[
                Kind::TradePermit,
                Kind::Refusal,
                Kind::HearingNotice,
                Kind::HearingRecord,
            ],
            Self::TechnicalStudy => &[
                Kind::TechnicalStudyConclusion,
                Kind::Refusal,
                Kind::HearingNotice,
                Kind::HearingRecord,
            ],
            Self::NotificationRegistration => &[
                Kind::NotificationRegistrationDecision,
                Kind::Refusal,
                Kind::HearingNotice,
                Kind::HearingRecord,
            ],
            Self::CryptoSalePermit => &[
                Kind::SalePermit,
                Kind::Refusal,
                Kind::HearingNotice,
                Kind::HearingRecord,
            ],
        }
    }

    /// Whether this service may produce a document of `kind` as its result.
    pub fn may_produce(self, kind: Kind) -> bool {
        self.result_kinds().contains(&kind)
    }

    /// The refusal grounds of this service, in the order of its Annex 1, after the
    /// incompleteness of paragraph 4.
    pub fn refusal_grounds(self) -> &'static [RefusalGround] {
        use RefusalGround as G;
        match self {
            Self::SpecialMeansLicence
            | Self::CryptoDevelopmentLicence
            | Self::LeakageChannelsLicence => &[
                G::IncompleteDocuments,
                G::InaccurateDocuments,
                G::LicenceFeeNotPaid,
                G::QualificationRequirementsNotMet,
                G::CourtProhibition,
                G::CourtBanOnDebtor,
                G::DivisionDocumentsMissing,
                G::DivisionQualificationNotMet,
                G::DivisionAlreadyReissued,
            ],
            Self::SpecialMeansTradePermit => &[
                G::IncompleteDocuments,
                G::InaccurateDocuments,
                G::EaeuRequirementsNotMet,
                G::CourtProhibition,
                G::CourtDeprivedSpecialRight,
                G::NationalSecurityHarm,
            ],
            Self::CryptoTradePermit | Self::TechnicalStudy => &[
                G::IncompleteDocuments,
                G::InaccurateDocuments,
                G::EaeuRequirementsNotMet,
                G::CourtProhibition,
                G::CourtDeprivedSpecialRight,
            ],
            Self::NotificationRegistration => &[
                G::IncompleteDocuments,
                G::InaccurateDocuments,
                G::EaeuRequirementsNotMet,
                G::NegativeExpertConclusion,
                G::CourtProhibition,
                G::CourtDeprivedSpecialRight,
            ],
            Self::CryptoSalePermit => &[
                G::IncompleteDocuments,
                G::InaccurateDocuments,
                G::LicensingRequirementsNotMet,
                G::CourtProhibition,
                G::CourtDeprivedSpecialRight,
            ],
        }
    }

    /// Whether `ground` is one of this service's refusal grounds.
    pub fn allows_ground(self, ground: RefusalGround) -> bool {
        self.refusal_grounds().contains(&ground)
    }

    /// Whether `ground` may refuse an application of `procedure`: a ground of the service's
    /// list, and the three grounds of reissue on division (services 1–3,
    /// [`RefusalGround::reissue_only`]) only for a reissue, never for a first application.
    pub fn allows_ground_for(self, ground: RefusalGround, procedure: Procedure) -> bool {
        self.allows_ground(ground) && (procedure == Procedure::Reissue || !ground.reissue_only())
    }
}

impl RefusalGround {
    /// The grounds that concern only the reissue of a licence on the division of a legal entity
    /// (services 1–3, the items on reissue on division of their grounds for refusal): they
    /// cannot refuse a first application.
    pub fn reissue_only(self) -> bool {
        matches!(
            self,
            Self::DivisionDocumentsMissing
                | Self::DivisionQualificationNotMet
                | Self::DivisionAlreadyReissued
        )
    }
}

/// The result kinds `service` may produce (the same as [`Service::result_kinds`]).
pub fn result_kinds(service: Service) -> &'static [Kind] {
    service.result_kinds()
}

/// The refusal grounds that belong to `service` (the same as [`Service::refusal_grounds`]).
pub fn refusal_grounds(service: Service) -> &'static [RefusalGround] {
    service.refusal_grounds()
}
