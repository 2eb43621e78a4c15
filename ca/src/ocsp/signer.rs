//! The delegated OCSP signing certificate (RFC 6960 §4.2.2.2): issued by the issuing center to a
//! key of its own, so the issuing center's key signs certificates and CRLs only.
//!
//! Files in the data folder:
//!
//! | file | content | mode |
//! |---|---|---|
//! | `ocsp.crt.pem` | the responder's certificate | 0644 |
//! | `ocsp.key.pem` | its key, encrypted like the CA keys ([`crate::keys`]) | 0600 |
//! | `ocsp.lock` | held while the pair is checked or replaced | 0600 |
//!
//! Issued, checked and renewed by `ca/src/delegated.rs`, with its crash-safe order of writes.

use rcgen::{
    CertificateParams, CustomExtension, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod,
    KeyUsagePurpose, SerialNumber,
};
use ring::rand::SecureRandom;
use time::{Duration, OffsetDateTime};

use crate::center::Center;
use crate::center_key::CenterKey;
use crate::certs;
use crate::config::CenterConfig;
use crate::delegated::Delegated;
use crate::error::CaError;
use crate::store::CertificateRecord;

/// The responder's certificate in the data folder.
pub const CERT_FILE: &str = "ocsp.crt.pem";
/// The responder's encrypted key in the data folder (mode 0600).
pub const KEY_FILE: &str = "ocsp.key.pem";
/// The register's `kind` of the responder's certificates.
pub const KIND: &str = "ocsp";
/// Validity of a responder certificate: short, since RFC 6960 §4.2.2.2.1 id-pkix-ocsp-nocheck
/// means relying parties never check it for revocation.
pub const VALIDITY_DAYS: i64 = 30;
/// [`crate::ocsp::Responder::load`] replaces a certificate that expires within this time.
pub const RENEW_BEFORE: Duration = Duration::days(1);

const LOCK_FILE: &str = "ocsp.lock";
/// The new key waits under this name until its certificate is recorded.
const PENDING_KEY_FILE: &str = "ocsp.key.pem.new";
/// RFC 6960 §4.2.2.2.1 id-pkix-ocsp-nocheck.
const ID_PKIX_OCSP_NOCHECK: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 1, 5];
/// DER of NULL, the value of id-pkix-ocsp-nocheck.
const DER_NULL: [u8; 2] = [0x05, 0x00];

/// The responder's certificate, for [`crate::delegated`].
const DELEGATED: Delegated = Delegated {
    what: "OCSP signing certificate",
    cert_file: CERT_FILE,
    key_file: KEY_FILE,
    role: crate::center_key::KeyRole::Ocsp,
    pending_key_file: PENDING_KEY_FILE,
    lock_file: LOCK_FILE,
    kind: KIND,
    actor: "ocsp-responder",
    action: "ocsp-signer-issued",
    validity_days: VALIDITY_DAYS,
    key_usage: None,
    renew_before: RENEW_BEFORE,
    template: signer_params,
};

impl Center {
    /// Issues a new delegated OCSP signing certificate (RFC 6960 §4.2.2.2) and makes it the
    /// responder's, whatever the current one is: the issuing center certifies a fresh key of the
    /// center's algorithm with key usage digitalSignature, extended key usage id-kp-OCSPSigning
    /// and id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1), valid [`VALIDITY_DAYS`] days but never past
    /// the issuing center's certificate. It is recorded in the register with kind [`KIND`] and
    /// issuer `issuing`; `ocsp.key.pem` and `ocsp.crt.pem` are replaced.
    ///
    /// `passphrase` unlocks the issuing center's key and encrypts the new one.
    pub fn issue_ocsp_signer(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<CertificateRecord, CaError> {
        self.issue_delegated(&DELEGATED, passphrase, now, rng)
    }

    /// [`Center::issue_ocsp_signer`] after the responder's key was compromised: the current
    /// certificate is revoked for key compromise first (relying parties learn it from the
    /// CRL). Returns the new certificate and the revoked one.
    pub fn replace_compromised_ocsp_signer(
        &self,
        passphrase: &[u8],
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(CertificateRecord, Option<CertificateRecord>), CaError> {
        self.replace_compromised_delegated(&DELEGATED, passphrase, actor, now, rng)
    }

    /// The responder's certificate (DER) and key: the current pair when it is usable at `now`
    /// for more than [`RENEW_BEFORE`], a newly issued one otherwise.
    pub(crate) fn ocsp_signer(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(Vec<u8>, CenterKey), CaError> {
        self.delegated_signer(&DELEGATED, passphrase, now, rng)
    }
}

/// Template of the responder's certificate (RFC 6960 §4.2.2.2: id-kp-OCSPSigning in the extended
/// key usage; §4.2.2.2.1: id-pkix-ocsp-nocheck; RFC 5280 §4.2.1.3: digitalSignature).
fn signer_params(
    cfg: &CenterConfig,
    serial: [u8; 20],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, CaError> {
    let mut p = CertificateParams::default();
    p.distinguished_name = certs::ca_name(&format!("{} OCSP", cfg.name));
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    p.not_before = not_before;
    p.not_after = not_after;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    p.use_authority_key_identifier_extension = true;
    p.key_identifier_method = KeyIdMethod::Sha256;
    p.custom_extensions = vec![CustomExtension::from_oid_content(
        ID_PKIX_OCSP_NOCHECK,
        DER_NULL.to_vec(),
    )];
    Ok(p)
}
