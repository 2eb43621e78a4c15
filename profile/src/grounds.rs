//! Grounds for refusing and for revoking a registration certificate.
//!
//! EDS law art. 14-1 lists four refusal grounds; art. 18.1 lists seven revocation grounds and
//! art. 17.1 gives the owner the right to demand revocation when the private key is compromised.
//! Each ground maps to one RFC 5280 §5.3.1 `CRLReason`; `certificateHold` is never used because the
//! law knows no suspension. Two refusal grounds concern the public key itself rather than the
//! applicant (art. 21.1: the center confirms the ownership of a public key).

use serde::{Deserialize, Serialize};

use crate::holder::HolderKind;

/// Why the center refuses to issue a registration certificate (EDS law art. 14-1, and art. 21.1
/// for the public key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RefusalGround {
    /// Art. 14-1(1): the submitted documents are incomplete.
    IncompleteDocuments,
    /// Art. 14-1(2): the applicant submitted false information.
    FalseInformation,
    /// Art. 14-1(3): a court decision in force forbids issuance.
    CourtDecision,
    /// Art. 14-1(4) and art. 14: the applicant has not reached the age of sixteen.
    UnderAge,
    /// Art. 21.1 and 15.1(3): the public key is already certified to another holder. The center
    /// confirms that a public key belongs to its holder; one key certified to two holders would
    /// let a signature made with it be attributed to either.
    KeyOfAnotherHolder,
    /// Art. 21.1: the public key or the request's proof of possession is too weak for the center
    /// to confirm ownership of the key: an RSA modulus under the configured minimum, a curve or
    /// algorithm the center does not certify (RFC 5480 §2.1.1.1, RFC 8410 §3), or a PKCS#10
    /// self-signature (RFC 2986 §4.2) made with SHA-1 or MD5 (RFC 6194 §3, NIST SP 800-131A).
    UnacceptableKey,
}

impl RefusalGround {
    /// All grounds, in the order of the article.
    pub const ALL: [Self; 6] = [
        Self::IncompleteDocuments,
        Self::FalseInformation,
        Self::CourtDecision,
        Self::UnderAge,
        Self::KeyOfAnotherHolder,
        Self::UnacceptableKey,
    ];

    /// The article and item of the EDS law that names this ground.
    pub fn article(self) -> &'static str {
        match self {
            Self::IncompleteDocuments => "14-1(1)",
            Self::FalseInformation => "14-1(2)",
            Self::CourtDecision => "14-1(3)",
            Self::UnderAge => "14-1(4)",
            Self::KeyOfAnotherHolder | Self::UnacceptableKey => "21.1",
        }
    }

    /// The stable machine name (also the JSON and database form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IncompleteDocuments => "incomplete-documents",
            Self::FalseInformation => "false-information",
            Self::CourtDecision => "court-decision",
            Self::UnderAge => "under-age",
            Self::KeyOfAnotherHolder => "key-of-another-holder",
            Self::UnacceptableKey => "unacceptable-key",
        }
    }

    /// Parses the machine name produced by [`RefusalGround::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// RFC 5280 §5.3.1 `CRLReason` codes used by this profile (`certificateHold` (6) is never used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CrlReason {
    /// unspecified (0)
    Unspecified,
    /// keyCompromise (1)
    KeyCompromise,
    /// affiliationChanged (3)
    AffiliationChanged,
    /// superseded (4)
    Superseded,
    /// cessationOfOperation (5)
    CessationOfOperation,
    /// privilegeWithdrawn (9)
    PrivilegeWithdrawn,
}

impl CrlReason {
    /// The ENUMERATED value of RFC 5280 §5.3.1.
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::PrivilegeWithdrawn => 9,
        }
    }

    /// The RFC 5280 name, as OpenSSL prints it in lower camel case.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
        }
    }
}

/// Why the center revokes a registration certificate (EDS law art. 18.1 and art. 17.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RevocationGround {
    /// Art. 18.1(1): at the request of the holder or the holder's representative.
    HolderRequest,
    /// Art. 17.1: the holder reports that access to the private key was violated.
    KeyCompromise,
    /// Art. 18.1(2): false information or an incomplete package of documents was found.
    FalseOrIncompleteDocuments,
    /// Art. 18.1(3): the holder died.
    Death,
    /// Art. 18.1(4): the holder's surname, name or patronymic changed.
    NameChange,
    /// Art. 18.1(5): the legal entity changed its name, was reorganised or liquidated, or changed
    /// its head.
    LegalEntityChange,
    /// Art. 18.1(6): as provided by the agreement between the center and the holder.
    Agreement,
    /// Art. 18.1(7): a court decision that entered into force.
    CourtDecision,
    /// Art. 22.4: the center stopped and the certificate was not transferred to another center:
    /// it terminates on the stop day. Recorded only by the center's own cessation
    /// (`eds ca cessation finalize`), never chosen by an operator: not in
    /// [`RevocationGround::ALL`].
    CenterCessation,
}

impl RevocationGround {
    /// All grounds: the seven of art. 18.1 in order, with art. 17.1 after the first.
    pub const ALL: [Self; 8] = [
        Self::HolderRequest,
        Self::KeyCompromise,
        Self::FalseOrIncompleteDocuments,
        Self::Death,
        Self::NameChange,
        Self::LegalEntityChange,
        Self::Agreement,
        Self::CourtDecision,
    ];

    /// The article and item of the EDS law that names this ground.
    pub fn article(self) -> &'static str {
        match self {
            Self::HolderRequest => "18.1(1)",
            Self::KeyCompromise => "17.1",
            Self::FalseOrIncompleteDocuments => "18.1(2)",
            Self::Death => "18.1(3)",
            Self::NameChange => "18.1(4)",
            Self::LegalEntityChange => "18.1(5)",
            Self::Agreement => "18.1(6)",
            Self::CourtDecision => "18.1(7)",
            Self::CenterCessation => "22.4",
        }
    }

    /// The RFC 5280 reason code published in the CRL and OCSP for this ground.
    ///
    /// - a holder's own request carries no statement about the key: `unspecified`;
    /// - a compromised key: `keyCompromise`;
    /// - false documents and court decisions withdraw the right to hold the certificate:
    ///   `privilegeWithdrawn`;
    /// - death: `cessationOfOperation` (the holder will not use the key again);
    /// - a name change: `superseded` (the holder gets a certificate under the new name);
    /// - a change of the legal entity or its head: `affiliationChanged`;
    /// - an agreement between center and holder: `cessationOfOperation`;
    /// - the center stopped and the certificate was not transferred (art. 22.4):
    ///   `cessationOfOperation` (RFC 5280 §5.3.1, code 5).
    pub fn crl_reason(self) -> CrlReason {
        match self {
            Self::HolderRequest => CrlReason::Unspecified,
            Self::KeyCompromise => CrlReason::KeyCompromise,
            Self::FalseOrIncompleteDocuments | Self::CourtDecision => CrlReason::PrivilegeWithdrawn,
            Self::Death | Self::Agreement => CrlReason::CessationOfOperation,
            Self::NameChange => CrlReason::Superseded,
            Self::LegalEntityChange => CrlReason::AffiliationChanged,
            Self::CenterCessation => CrlReason::CessationOfOperation,
        }
    }

    /// The stable machine name (also the command-line, JSON and database form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HolderRequest => "holder-request",
            Self::KeyCompromise => "key-compromise",
            Self::FalseOrIncompleteDocuments => "false-or-incomplete-documents",
            Self::Death => "death",
            Self::NameChange => "name-change",
            Self::LegalEntityChange => "legal-entity-change",
            Self::Agreement => "agreement",
            Self::CourtDecision => "court-decision",
            Self::CenterCessation => "center-cessation",
        }
    }

    /// Parses the machine name produced by [`RevocationGround::as_str`] (the grounds of
    /// [`RevocationGround::ALL`] and [`RevocationGround::CenterCessation`], which registers
    /// hold); [`RevocationGround::from_operator_name`] for what an operator may give.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Self::CenterCessation])
            .find(|g| g.as_str() == name)
    }

    /// A ground an operator may give ([`RevocationGround::ALL`]); art. 22.4's is the center's own.
    pub fn from_operator_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == name)
    }

    /// Whether this ground can concern a certificate of a holder of `kind`. Art. 18.1(5) speaks
    /// of the "legal entity - owner of registration certificate" and of its head: it concerns
    /// only certificates issued for a legal entity (the employee acting for it). Every other
    /// ground concerns the natural person who holds any certificate.
    pub fn applies_to(self, kind: HolderKind) -> bool {
        !matches!(
            (self, kind),
            (Self::LegalEntityChange, HolderKind::Individual)
        )
    }

    /// [`RevocationGround::applies_to`] as a check with its error.
    pub fn check_holder(self, kind: HolderKind) -> Result<(), GroundNotForHolder> {
        if self.applies_to(kind) {
            Ok(())
        } else {
            Err(GroundNotForHolder { ground: self, kind })
        }
    }
}

/// A revocation ground that cannot concern the certificate's kind of holder (EDS law art. 18.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "ground {} (art. {}) concerns a legal entity, and the certificate is {}'s",
    ground.as_str(),
    ground.article(),
    kind.as_str()
)]
pub struct GroundNotForHolder {
    /// The ground given.
    pub ground: RevocationGround,
    /// The kind of the certificate's holder.
    pub kind: HolderKind,
}

/// EDS law art. 14-1(3): whether a court decision that forbids issuance applies on `on`. It
/// applies from the day it entered into force, `effective_from`, until it ends: the decision's
/// own term, or a later decision (or the lapse of the measure) that lifts it. `lifted_on` is the
/// first day it no longer applies. A ban without an end stays until lifted
/// (`eds ca unban`); it is never endless by omission of a way out.
pub fn court_ban_applies(
    effective_from: time::Date,
    lifted_on: Option<time::Date>,
    on: time::Date,
) -> bool {
    effective_from <= on && lifted_on.is_none_or(|l| on < l)
}

/// The first day a ban whose decision runs until `ends_on` (inclusive) no longer applies.
pub fn court_ban_lifted_on(ends_on: time::Date) -> Option<time::Date> {
    ends_on.next_day()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_every_revocation_ground_maps_to_its_reason() {
        let got: Vec<(&str, u8)> = RevocationGround::ALL
            .iter()
            .map(|g| (g.as_str(), g.crl_reason().code()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("holder-request", 0),
                ("key-compromise", 1),
                ("false-or-incomplete-documents", 9),
                ("death", 5),
                ("name-change", 4),
                ("legal-entity-change", 3),
                ("agreement", 5),
                ("court-decision", 9),
            ]
        );
    }

    #[test]
    fn art18_1_5_legal_entity_ground_only_on_a_legal_entity_certificate() {
        assert_eq!(
            RevocationGround::LegalEntityChange.check_holder(HolderKind::Individual),
            Err(GroundNotForHolder {
                ground: RevocationGround::LegalEntityChange,
                kind: HolderKind::Individual
            })
        );
        assert_eq!(
            RevocationGround::LegalEntityChange.check_holder(HolderKind::LegalEntity),
            Ok(())
        );
        // Every other ground concerns both kinds.
        for g in RevocationGround::ALL {
            assert!(g.applies_to(HolderKind::LegalEntity), "{g:?}");
            assert_eq!(
                g.applies_to(HolderKind::Individual),
                g != RevocationGround::LegalEntityChange,
                "{g:?}"
            );
        }
    }

    #[test]
    fn art14_1_3_court_ban_applies_from_its_start_to_its_end() {
        use time::macros::date;
        let from = date!(2026 - 03 - 01);
        assert!(!court_ban_applies(from, None, date!(2026 - 02 - 28)));
        assert!(court_ban_applies(from, None, from));
        assert!(court_ban_applies(from, None, date!(2036 - 01 - 01)));
        let lifted = court_ban_lifted_on(date!(2026 - 06 - 30));
        assert_eq!(lifted, Some(date!(2026 - 07 - 01)));
        assert!(court_ban_applies(from, lifted, date!(2026 - 06 - 30)));
        assert!(!court_ban_applies(from, lifted, date!(2026 - 07 - 01)));
        assert_eq!(court_ban_lifted_on(time::Date::MAX), None);
    }

    #[test]
    fn ok_names_round_trip_and_hold_is_never_used() {
        for g in RevocationGround::ALL {
            assert_eq!(RevocationGround::from_name(g.as_str()), Some(g));
            assert_ne!(
                g.crl_reason().code(),
                6,
                "certificateHold is not a ground of the law"
            );
        }
        for g in RefusalGround::ALL {
            assert_eq!(RefusalGround::from_name(g.as_str()), Some(g));
        }
        assert_eq!(RevocationGround::from_name("suspend"), None);
        // Art. 22.4's ground is read back from a register, never given by an operator.
        let cessation = RevocationGround::CenterCessation;
        assert_eq!(
            RevocationGround::from_name("center-cessation"),
            Some(cessation)
        );
        assert_eq!(
            RevocationGround::from_operator_name("center-cessation"),
            None
        );
        assert_eq!(
            (cessation.article(), cessation.crl_reason().code()),
            ("22.4", 5)
        );
    }
}
