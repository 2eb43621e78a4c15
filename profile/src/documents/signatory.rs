//! Who may sign a licensing document: the applicant of an application, the authorised officer of
//! the licensing body for a result or a receipt.
//!
//! Every application "is an electronic document certified by the electronic digital signature
//! of the service recipient" and a legal entity's application is signed by its head or by a
//! person it has authorised; every result is "signed with an electronic digital signature of the
//! authorized person of the service provider" (Annex 1 of every rules of Order No. 34/қе). The
//! certificate tells who signed: the IIN in `SERIALNUMBER`, the BIN of the legal entity and the
//! roles of the national profile (see [`crate::holder`]). These functions only compare what the
//! certificate says with what the document says; whether the certificate itself is valid is
//! the verifier's question, asked before.

use std::fmt;

use serde::Serialize;

use super::fields::PartyId;
use crate::holder::{Holder, Role};
use crate::ident::Bin;

/// The roles that carry the right to sign for a legal entity: its first head, or a person the
/// entity granted the right to sign. An employee without that right, a human-resources
/// employee or a holder of the financial signing right alone may not sign an application or a
/// result.
pub const SIGNING_ROLES: [Role; 2] = [Role::FirstHead, Role::SigningRight];

/// Why a signer may not sign the document in question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum SignatoryError {
    /// The applicant is an individual and the certificate names another person (or none).
    #[error(
        "the signer's IIN is {}, not the applicant's IIN {expected}",
        show(found)
    )]
    SignerNotApplicant {
        /// The applicant's IIN.
        expected: String,
        /// The IIN in the signer's certificate.
        found: Option<String>,
    },
    /// The applicant is a legal entity and the certificate is not issued for acting for it.
    #[error(
        "the signer acts for BIN {}, not for the applicant's BIN {expected}",
        show(found)
    )]
    SignerNotOfApplicant {
        /// The applicant's BIN.
        expected: String,
        /// The BIN in the signer's certificate.
        found: Option<String>,
    },
    /// The certificate is the applicant's, but its roles give no right to sign for it.
    #[error(
        "the signer (IIN {}) acts for BIN {bin} with roles [{}], without the right to sign for it (first head or signing right)",
        show(iin),
        roles_list(roles)
    )]
    NoSigningRight {
        /// The signer's IIN.
        iin: Option<String>,
        /// The legal entity.
        bin: String,
        /// The roles the certificate carries.
        roles: Vec<Role>,
    },
    /// The officer's certificate is not issued for acting for the licensing body.
    #[error(
        "the officer acts for BIN {}, not for the licensing body's BIN {expected}",
        show(found)
    )]
    OfficerNotOfBody {
        /// The body's BIN.
        expected: String,
        /// The BIN in the officer's certificate.
        found: Option<String>,
    },
    /// The officer belongs to the body but has no right to sign for it.
    #[error(
        "the officer (IIN {}) acts for the licensing body {bin} with roles [{}], without the right to sign for it (first head or signing right)",
        show(iin),
        roles_list(roles)
    )]
    OfficerWithoutSigningRight {
        /// The officer's IIN.
        iin: Option<String>,
        /// The body's BIN.
        bin: String,
        /// The roles the certificate carries.
        roles: Vec<Role>,
    },
}

impl SignatoryError {
    /// The stable machine name of the reason (also its JSON `reason`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignerNotApplicant { .. } => "signer-not-applicant",
            Self::SignerNotOfApplicant { .. } => "signer-not-of-applicant",
            Self::NoSigningRight { .. } => "no-signing-right",
            Self::OfficerNotOfBody { .. } => "officer-not-of-body",
            Self::OfficerWithoutSigningRight { .. } => "officer-without-signing-right",
        }
    }
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(none)".to_owned())
}

fn roles_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the roles give the right to sign for the legal entity ([`SIGNING_ROLES`]).
pub fn has_signing_right(roles: &[Role]) -> bool {
    roles.iter().any(|r| SIGNING_ROLES.contains(r))
}

/// Checks that the certificate's holder may sign an application of `applicant`: an individual
/// by the same IIN; a legal entity by a certificate for the same BIN with a role of
/// [`SIGNING_ROLES`].
pub fn check_applicant(holder: &Holder, applicant: PartyId) -> Result<(), SignatoryError> {
    match applicant {
        PartyId::Iin(iin) => {
            if holder.iin.as_deref() == Some(iin.as_str()) {
                Ok(())
            } else {
                Err(SignatoryError::SignerNotApplicant {
                    expected: iin.as_str().to_owned(),
                    found: holder.iin.clone(),
                })
            }
        }
        PartyId::Bin(bin) => {
            if holder.bin.as_deref() != Some(bin.as_str()) {
                return Err(SignatoryError::SignerNotOfApplicant {
                    expected: bin.as_str().to_owned(),
                    found: holder.bin.clone(),
                });
            }
            if has_signing_right(&holder.roles) {
                Ok(())
            } else {
                Err(SignatoryError::NoSigningRight {
                    iin: holder.iin.clone(),
                    bin: bin.as_str().to_owned(),
                    roles: holder.roles.clone(),
                })
            }
        }
    }
}

/// Checks that the certificate's holder may sign for the licensing body `body`: a certificate
/// for the body's BIN with a role of [`SIGNING_ROLES`].
pub fn check_officer(holder: &Holder, body: &Bin) -> Result<(), SignatoryError> {
    if holder.bin.as_deref() != Some(body.as_str()) {
        return Err(SignatoryError::OfficerNotOfBody {
            expected: body.as_str().to_owned(),
            found: holder.bin.clone(),
        });
    }
    if has_signing_right(&holder.roles) {
        Ok(())
    } else {
        Err(SignatoryError::OfficerWithoutSigningRight {
            iin: holder.iin.clone(),
            bin: body.as_str().to_owned(),
            roles: holder.roles.clone(),
        })
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iin(iin) => write!(f, "IIN {}", iin.as_str()),
            Self::Bin(bin) => write!(f, "BIN {}", bin.as_str()),
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;
    use crate::ident::Iin;

    fn holder(iin: &str, bin: Option<&str>, roles: &[Role]) -> Holder {
        Holder {
            kind: None,
            iin: Some(iin.to_owned()),
            bin: bin.map(str::to_owned),
            common_name: None,
            surname: None,
            name: None,
            patronymic: None,
            organization: None,
            country: None,
            email: None,
            roles: roles.to_vec(),
            key_purpose: None,
            policies: Vec::new(),
            key_usage: None,
            findings: Vec::new(),
        }
    }

    fn iin(s: &str) -> PartyId {
        PartyId::Iin(Iin::parse(s).unwrap())
    }

    fn bin(s: &str) -> Bin {
        Bin::parse(s).unwrap()
    }

    #[test]
    fn individual_same_iin_passes_another_is_refused() {
        let h = holder("850312400009", None, &[Role::Individual]);
        assert_eq!(check_applicant(&h, iin("850312400009")), Ok(()));
        let e = check_applicant(&h, iin("850314300122")).unwrap_err();
        assert_eq!(
            e,
            SignatoryError::SignerNotApplicant {
                expected: "850314300122".into(),
                found: Some("850312400009".into())
            }
        );
        assert_eq!(e.code(), "signer-not-applicant");
    }

    #[test]
    fn legal_entity_needs_its_bin_and_a_signing_role() {
        let b = bin("150540000007");
        for role in SIGNING_ROLES {
            let h = holder(
                "781020300032",
                Some("150540000007"),
                &[Role::LegalEntity, role],
            );
            assert_eq!(check_applicant(&h, PartyId::Bin(b)), Ok(()));
        }
        for role in [Role::Employee, Role::Hr, Role::FinancialSigningRight] {
            let h = holder(
                "920315400040",
                Some("150540000007"),
                &[Role::LegalEntity, role],
            );
            let e = check_applicant(&h, PartyId::Bin(b)).unwrap_err();
            assert_eq!(e.code(), "no-signing-right", "{role}");
        }
        let other = holder("701125300346", Some("080540001238"), &[Role::FirstHead]);
        let e = check_applicant(&other, PartyId::Bin(b)).unwrap_err();
        assert_eq!(
            e,
            SignatoryError::SignerNotOfApplicant {
                expected: "150540000007".into(),
                found: Some("080540001238".into())
            }
        );
        // An individual's certificate (no BIN) of the head does not sign for the entity.
        let personal = holder("781020300032", None, &[Role::Individual]);
        assert_eq!(
            check_applicant(&personal, PartyId::Bin(b))
                .unwrap_err()
                .code(),
            "signer-not-of-applicant"
        );
    }

    #[test]
    fn officer_of_the_body_with_signing_right_only() {
        let body = bin("991240000003");
        let ok = holder("800411300011", Some("991240000003"), &[Role::SigningRight]);
        assert_eq!(check_officer(&ok, &body), Ok(()));
        let employee = holder("800411300011", Some("991240000003"), &[Role::Employee]);
        assert_eq!(
            check_officer(&employee, &body).unwrap_err().code(),
            "officer-without-signing-right"
        );
        let other = holder("701125300346", Some("080540001238"), &[Role::FirstHead]);
        assert_eq!(
            check_officer(&other, &body).unwrap_err(),
            SignatoryError::OfficerNotOfBody {
                expected: "991240000003".into(),
                found: Some("080540001238".into())
            }
        );
        let none = holder("850312400009", None, &[Role::Individual]);
        assert_eq!(
            check_officer(&none, &body).unwrap_err().to_string(),
            "the officer acts for BIN (none), not for the licensing body's BIN 991240000003"
        );
    }
}
