//! Object identifiers of the national certificate profile.
//!
//! EDS law art. 15.1 requires a registration certificate to carry the data identifying its owner
//! and the scope of application of the key; the national center writes them with the identifiers
//! below. Each constant is the list of arcs of one OID (the form the certification center passes to
//! rcgen); [`dotted`] gives the text form used in reports.
//!
//! Sources:
//! - the national center's identifiers under `1.2.398.3.3` are listed in its OID register
//!   (<https://root.gov.kz/oid/>) and are the ones found in the center's test certificates copied in
//!   `fixtures/nca` (see `fixtures/nca/README.md`);
//! - extended key usages: RFC 5280 §4.2.1.12;
//! - attribute types: RFC 5280 §4.1.2.4 and Appendix A.1 (X.520 `id-at`), and PKCS #9 for
//!   `emailAddress`.
//!
//! The role identifiers are arcs of `1.2.398.3.3.4.1` (holder kind) and `1.2.398.3.3.4.1.2` (roles
//! inside a legal entity): the first head is `1.2.398.3.3.4.1.2.1`, not `1.2.398.3.3.4.2.1`. The
//! latter arc (`1.2.398.3.3.4.2`) holds the privileges of the center's own staff.

// ---------------------------------------------------------------------------------------------
// Roles (extended key usage purposes defined by the national center). EDS law art. 15.1: scope of
// application; RFC 5280 §4.2.1.12: a KeyPurposeId may be defined by any organisation.
// ---------------------------------------------------------------------------------------------

/// The arc under which the national center defines the holder kinds and roles:
/// `1.2.398.3.3.4`. An EKU purpose under this arc that is none of the `ROLE_*` constants is an
/// unknown role.
pub const ROLE_ARC: &[u64] = &[1, 2, 398, 3, 3, 4];

/// Holder is an individual: `1.2.398.3.3.4.1.1`.
pub const ROLE_INDIVIDUAL: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 1];

/// Holder acts for a legal entity: `1.2.398.3.3.4.1.2`.
pub const ROLE_LEGAL_ENTITY: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 2];

/// First head of the legal entity (who signs for it by virtue of office):
/// `1.2.398.3.3.4.1.2.1`.
pub const ROLE_FIRST_HEAD: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 2, 1];

/// A person granted the right to sign for the legal entity: `1.2.398.3.3.4.1.2.2`.
pub const ROLE_SIGNING_RIGHT: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 2, 2];

/// A person granted the right to sign the legal entity's financial documents:
/// `1.2.398.3.3.4.1.2.3`.
pub const ROLE_FINANCIAL_SIGNING_RIGHT: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 2, 3];

/// An employee of the human-resources department (confirms the entity's certificate requests):
/// `1.2.398.3.3.4.1.2.4`.
pub const ROLE_HR: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 2, 4];

/// An employee of the legal entity, without a signing right: `1.2.398.3.3.4.1.2.5`.
pub const ROLE_EMPLOYEE: &[u64] = &[1, 2, 398, 3, 3, 4, 1, 2, 5];

// ---------------------------------------------------------------------------------------------
// Certificate policies. EDS law art. 15.1: scope of application and restrictions;
// RFC 5280 §4.2.1.4.
// ---------------------------------------------------------------------------------------------

/// The single policy of the 2015 generation (GOST 34.10-2015 certificates), the one this
/// project's center issues: `1.2.398.3.3.2`.
pub const POLICY_NCA_2015: &[u64] = &[1, 2, 398, 3, 3, 2];

/// 2004 generation: policy for signing certificates of legal entities: `1.2.398.3.3.2.1`.
pub const POLICY_LEGAL_ENTITY_SIGNING: &[u64] = &[1, 2, 398, 3, 3, 2, 1];

/// 2004 generation: policy for authentication certificates of legal entities:
/// `1.2.398.3.3.2.2` (listed in the center's register; not present in the test material).
pub const POLICY_LEGAL_ENTITY_AUTHENTICATION: &[u64] = &[1, 2, 398, 3, 3, 2, 2];

/// 2004 generation: policy for signing certificates of individuals: `1.2.398.3.3.2.3`.
pub const POLICY_INDIVIDUAL_SIGNING: &[u64] = &[1, 2, 398, 3, 3, 2, 3];

/// 2004 generation: policy for authentication certificates of individuals: `1.2.398.3.3.2.4`.
pub const POLICY_INDIVIDUAL_AUTHENTICATION: &[u64] = &[1, 2, 398, 3, 3, 2, 4];

/// The regulations of the national center, the policy its 2004-generation CA certificates carry:
/// `1.2.398.3.3.1.1`.
pub const POLICY_NCA_REGULATIONS: &[u64] = &[1, 2, 398, 3, 3, 1, 1];

// ---------------------------------------------------------------------------------------------
// Standard extended key usages, RFC 5280 §4.2.1.12.
// ---------------------------------------------------------------------------------------------

/// `id-kp-emailProtection` (`1.3.6.1.5.5.7.3.4`): the national center marks a signing key with it.
pub const EKU_EMAIL_PROTECTION: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 4];

/// `id-kp-clientAuth` (`1.3.6.1.5.5.7.3.2`): the national center marks an authentication key
/// with it.
pub const EKU_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];

// ---------------------------------------------------------------------------------------------
// Attribute types of the subject name, RFC 5280 §4.1.2.4 and Appendix A.1.
// ---------------------------------------------------------------------------------------------

/// `id-at-commonName` (`2.5.4.3`): "SURNAME NAME" in the national profile.
pub const AT_COMMON_NAME: &[u64] = &[2, 5, 4, 3];

/// `id-at-surname` (`2.5.4.4`).
pub const AT_SURNAME: &[u64] = &[2, 5, 4, 4];

/// `id-at-serialNumber` (`2.5.4.5`): `IIN` followed by the holder's twelve-digit IIN.
pub const AT_SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];

/// `id-at-countryName` (`2.5.4.6`).
pub const AT_COUNTRY: &[u64] = &[2, 5, 4, 6];

/// `id-at-organizationName` (`2.5.4.10`): the legal entity's name.
pub const AT_ORGANIZATION: &[u64] = &[2, 5, 4, 10];

/// `id-at-organizationalUnitName` (`2.5.4.11`): `BIN` followed by the legal entity's BIN.
pub const AT_ORGANIZATIONAL_UNIT: &[u64] = &[2, 5, 4, 11];

/// `id-at-givenName` (`2.5.4.42`): the national center writes the **patronymic** here.
pub const AT_GIVEN_NAME: &[u64] = &[2, 5, 4, 42];

/// PKCS #9 `emailAddress` (`1.2.840.113549.1.9.1`), legacy e-mail attribute of a name
/// (RFC 5280 §4.1.2.6).
pub const AT_EMAIL_ADDRESS: &[u64] = &[1, 2, 840, 113_549, 1, 9, 1];

// ---------------------------------------------------------------------------------------------
// Extensions read by the holder parser, RFC 5280 §4.2.1.
// ---------------------------------------------------------------------------------------------

/// `id-ce-keyUsage` (`2.5.29.15`), RFC 5280 §4.2.1.3.
pub const EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 15];

/// `id-ce-subjectAltName` (`2.5.29.17`), RFC 5280 §4.2.1.6.
pub const EXT_SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];

/// `id-ce-certificatePolicies` (`2.5.29.32`), RFC 5280 §4.2.1.4.
pub const EXT_CERTIFICATE_POLICIES: &[u64] = &[2, 5, 29, 32];

/// `id-ce-extKeyUsage` (`2.5.29.37`), RFC 5280 §4.2.1.12.
pub const EXT_EXTENDED_KEY_USAGE: &[u64] = &[2, 5, 29, 37];

/// The dotted text form of an OID, e.g. `"1.2.398.3.3.4.1.1"`; the empty string for no arcs.
pub fn dotted(arcs: &[u64]) -> String {
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether `arcs` lies strictly below `prefix` (is a descendant, not the prefix itself).
pub fn is_below(arcs: &[u64], prefix: &[u64]) -> bool {
    arcs.len() > prefix.len() && arcs.starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_dotted_writes_every_arc() {
        assert_eq!(dotted(ROLE_FIRST_HEAD), "1.2.398.3.3.4.1.2.1");
        assert_eq!(dotted(POLICY_NCA_2015), "1.2.398.3.3.2");
        assert_eq!(dotted(EKU_EMAIL_PROTECTION), "1.3.6.1.5.5.7.3.4");
        assert_eq!(dotted(AT_EMAIL_ADDRESS), "1.2.840.113549.1.9.1");
        assert_eq!(dotted(&[2, 999, u64::MAX]), "2.999.18446744073709551615");
        assert_eq!(dotted(&[]), "");
    }

    #[test]
    fn ok_every_role_lies_below_the_role_arc() {
        for role in [
            ROLE_INDIVIDUAL,
            ROLE_LEGAL_ENTITY,
            ROLE_FIRST_HEAD,
            ROLE_SIGNING_RIGHT,
            ROLE_FINANCIAL_SIGNING_RIGHT,
            ROLE_HR,
            ROLE_EMPLOYEE,
        ] {
            assert!(is_below(role, ROLE_ARC), "{}", dotted(role));
        }
        assert!(!is_below(ROLE_ARC, ROLE_ARC));
        assert!(!is_below(EKU_CLIENT_AUTH, ROLE_ARC));
    }
}
