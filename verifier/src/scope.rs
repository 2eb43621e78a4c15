//! Scope (EDS law art. 10.1(3)): the signature is used as the certificate allows, and the signer
//! is who the caller expects (art. 10.3: an employee signs for a legal entity in the entity's name
//! with a role that allows it).
//!
//! The checks read the leaf through [`eds_profile::holder::Holder`], the same reader the center's
//! tests use, so the rules agree on both sides.

use eds_profile::holder::{Finding, Holder, Role};
use eds_profile::oids;

use crate::cert::Cert;

/// Why a certificate may not sign a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeFailure {
    /// The key usage has neither digitalSignature nor nonRepudiation (RFC 5280 §4.2.1.3).
    #[error("the certificate's key usage allows neither digitalSignature nor nonRepudiation")]
    NoSigningKeyUsage,
    /// The certificate is for authentication: clientAuth without emailProtection in the extended
    /// key usage, or keyEncipherment without nonRepudiation in the key usage. The national center
    /// issues such keys for logging in, not for signing documents (art. 10.1(3)).
    #[error("this is an authentication certificate ({why}); it cannot sign documents")]
    AuthenticationOnly {
        /// Which marks made it an authentication certificate.
        why: &'static str,
    },
    /// A key usage or extended key usage extension does not decode.
    #[error("the certificate's {extension} extension does not decode")]
    Undecodable {
        /// The extension.
        extension: &'static str,
    },
}

/// Why the signer is not who the caller expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExpectationFailure {
    /// The certificate's IIN differs from the expected one.
    #[error("the signer's IIN is {found}, expected {expected}")]
    WrongIin {
        /// Expected IIN.
        expected: String,
        /// The certificate's IIN ("none" when absent).
        found: String,
    },
    /// The certificate's BIN differs from the expected one.
    #[error("the signer acts for BIN {found}, expected {expected}")]
    WrongBin {
        /// Expected BIN.
        expected: String,
        /// The certificate's BIN ("none" when absent).
        found: String,
    },
    /// The certificate lacks the expected role.
    #[error("the signer's certificate does not carry the role {expected} (it has: {found})")]
    MissingRole {
        /// Expected role.
        expected: Role,
        /// The roles it has, comma-separated ("none" when empty).
        found: String,
    },
}

/// What the caller requires of the signer (`--expect-iin`, `--expect-bin`, `--expect-role`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// The signer must be this person.
    pub iin: Option<String>,
    /// The signer must act for this legal entity.
    pub bin: Option<String>,
    /// The signer must hold this role (any of them when several are given).
    pub roles: Vec<Role>,
}

impl Expectations {
    /// Whether nothing is expected.
    pub fn is_empty(&self) -> bool {
        self.iin.is_none() && self.bin.is_none() && self.roles.is_empty()
    }
}

/// Checks that the leaf may sign documents (art. 10.1(3)).
pub fn check_signing_use(leaf: &Cert) -> Result<(), ScopeFailure> {
    let ku = leaf.key_usage().map_err(|_| ScopeFailure::Undecodable {
        extension: "key usage",
    })?;
    let eku = leaf
        .extended_key_usage()
        .map_err(|_| ScopeFailure::Undecodable {
            extension: "extended key usage",
        })?;
    if let Some(ku) = ku {
        if !ku.digital_signature && !ku.non_repudiation {
            return Err(ScopeFailure::NoSigningKeyUsage);
        }
        if ku.key_encipherment && !ku.non_repudiation {
            return Err(ScopeFailure::AuthenticationOnly {
                why: "keyEncipherment without nonRepudiation",
            });
        }
    }
    if let Some(eku) = eku {
        let has = |arcs: &[u64]| {
            eku.iter()
                .any(|oid| oid.arcs().map(u64::from).eq(arcs.iter().copied()))
        };
        if has(oids::EKU_CLIENT_AUTH) && !has(oids::EKU_EMAIL_PROTECTION) {
            return Err(ScopeFailure::AuthenticationOnly {
                why: "clientAuth without emailProtection",
            });
        }
    }
    Ok(())
}

/// Checks the holder against the caller's expectations (art. 10.3).
pub fn check_expectations(
    holder: &Holder,
    expect: &Expectations,
) -> Result<(), ExpectationFailure> {
    if let Some(expected) = &expect.iin
        && holder.iin.as_deref() != Some(expected.as_str())
    {
        return Err(ExpectationFailure::WrongIin {
            expected: expected.clone(),
            found: holder.iin.clone().unwrap_or_else(|| "none".into()),
        });
    }
    if let Some(expected) = &expect.bin
        && holder.bin.as_deref() != Some(expected.as_str())
    {
        return Err(ExpectationFailure::WrongBin {
            expected: expected.clone(),
            found: holder.bin.clone().unwrap_or_else(|| "none".into()),
        });
    }
    if !expect.roles.is_empty() && !expect.roles.iter().any(|r| holder.roles.contains(r)) {
        let found = if holder.roles.is_empty() {
            "none".to_owned()
        } else {
            holder
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(ExpectationFailure::MissingRole {
            expected: expect.roles[0],
            found,
        });
    }
    Ok(())
}

/// The holder's findings that a report shows as warnings (an invalid IIN or BIN check digit in a
/// foreign or test certificate is a warning, not a failure: the national center's own test
/// certificates carry such numbers).
pub fn warnings(holder: &Holder) -> Vec<String> {
    holder
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::InvalidIin { value, error } => Some(format!(
                "the certificate's IIN {value} is not valid: {error}"
            )),
            Finding::InvalidBin { value, error } => Some(format!(
                "the certificate's BIN {value} is not valid: {error}"
            )),
            Finding::MissingIin => Some("the certificate names no IIN".into()),
            Finding::MissingBin => {
                Some("the certificate acts for a legal entity but names no BIN".into())
            }
            Finding::KeyUsageMismatch { purpose, .. } => Some(format!(
                "the key usage does not match the {purpose:?} key purpose of the national profile"
            )),
            _ => None,
        })
        .collect()
}
