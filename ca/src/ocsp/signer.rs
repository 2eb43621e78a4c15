//! The delegated OCSP signing certificate (RFC 6960 §4.2.2.2): issued by the issuing center to a
//! key of its own, so the issuing center's key signs certificates and CRLs only.
//!
//! Files in the data folder:
//!
//! | file | content | mode |
//! |---|---|---|
//! | `ocsp.crt.pem` | the responder's certificate | 0644 |
//! | `ocsp.key.pem` | its key, encrypted like the CA keys ([`crate::keys`]) | 0600 |
//! | `ocsp.lock` | held while the pair is checked or replaced | 0644 |
//!
//! Renewal keeps the invariants of `docs/architecture.md`: the new key is written encrypted (under
//! a temporary name) before the certificate is recorded, the certificate file is written only
//! after the register commits, and the key replaces the old one by an atomic rename. A crash
//! between two steps leaves a pair that does not match or an expiring one, and the next load
//! issues again.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use rcgen::{
    CertificateParams, CustomExtension, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, PublicKeyData, SerialNumber,
};
use ring::rand::SecureRandom;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::center::{Center, ISSUING, truncate_to_seconds};
use crate::certs;
use crate::error::CaError;
use crate::keys::{self, write_private_file, write_public_file};
use crate::store::{AuditEvent, CertificateRecord, Serial};

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
        let _lock = self.lock_ocsp_files()?;
        self.issue_ocsp_signer_locked(passphrase, now, rng)
            .map(|(record, _)| record)
    }

    /// The responder's certificate (DER) and key: the current pair when it is usable at `now`
    /// for more than [`RENEW_BEFORE`], a newly issued one otherwise.
    pub(crate) fn ocsp_signer(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(Vec<u8>, KeyPair), CaError> {
        let _lock = self.lock_ocsp_files()?;
        if let Some(current) = self.current_ocsp_signer(passphrase, now)? {
            return Ok(current);
        }
        let (record, key) = self.issue_ocsp_signer_locked(passphrase, now, rng)?;
        Ok((record.der, key))
    }

    /// The pair on disk, if it can serve at `now`: both files present, the certificate issued by
    /// the current issuing center, valid from before `now` until at least [`RENEW_BEFORE`] after
    /// it, recorded in the register and not revoked, and the key its key.
    fn current_ocsp_signer(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(Vec<u8>, KeyPair)>, CaError> {
        let cert_path = self.dir().join(CERT_FILE);
        let key_path = self.dir().join(KEY_FILE);
        if !cert_path.exists() || !key_path.exists() {
            return Ok(None);
        }
        let der = read_pem_certificate(&cert_path)?;
        let (_, cert) = X509Certificate::from_der(&der).map_err(|e| CaError::KeyFile {
            path: cert_path.display().to_string(),
            reason: format!("not a certificate: {e}"),
        })?;
        let (_, issuing) =
            X509Certificate::from_der(self.issuing_der()).map_err(|e| CaError::Internal {
                reason: format!("issuing certificate: {e}"),
            })?;
        let not_before = cert.validity().not_before.to_datetime();
        let not_after = cert.validity().not_after.to_datetime();
        if now < not_before || not_after - now < RENEW_BEFORE {
            return Ok(None);
        }
        if cert.issuer().as_raw() != issuing.subject().as_raw() {
            return Ok(None);
        }
        let Ok(serial) = Serial::from_der_content(cert.raw_serial()) else {
            return Ok(None);
        };
        match self.store().certificate(&serial)? {
            Some(rec) if rec.revocation.is_none() && rec.der == der => {}
            _ => return Ok(None),
        }
        let key = keys::read_encrypted_pkcs8(&key_path, passphrase)?;
        if key.subject_public_key_info() != cert.public_key().raw {
            return Ok(None);
        }
        Ok(Some((der, key)))
    }

    fn issue_ocsp_signer_locked(
        &self,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(CertificateRecord, KeyPair), CaError> {
        let now = truncate_to_seconds(now);
        let issuing = self.unlock(passphrase)?;
        let (key, pkcs8) = self.config().algorithm.generate(rng)?;
        let serial = certs::random_serial(rng)?;
        let not_after = (now + Duration::days(VALIDITY_DAYS)).min(self.issuing_not_after());
        let cert = signer_params(&self.config().name, serial, now, not_after)
            .signed_by(&key, issuing.issuer())
            .map_err(|e| CaError::build("OCSP signing certificate", e))?;
        let der = cert.der().to_vec();
        let (_, parsed) = X509Certificate::from_der(&der).map_err(|e| CaError::Internal {
            reason: format!("new OCSP signing certificate: {e}"),
        })?;
        let record = CertificateRecord {
            serial: Serial::from_der_content(&serial).map_err(|e| CaError::Internal {
                reason: format!("new serial: {e}"),
            })?,
            issuer: ISSUING.to_owned(),
            subject: parsed.subject().to_string(),
            kind: KIND.to_owned(),
            iin: None,
            bin: None,
            key_purpose: None,
            not_before: now,
            not_after,
            issued_at: now,
            confidential: false,
            der: der.clone(),
            revocation: None,
        };

        // 1. The key, encrypted, under a temporary name (a leftover of a crash is discarded: the
        //    lock is held, so no one else is writing it).
        let pending = self.dir().join(PENDING_KEY_FILE);
        match fs::remove_file(&pending) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CaError::io(&pending, &e)),
        }
        write_private_file(
            &pending,
            keys::encrypt_pkcs8_pem(&pkcs8, passphrase, rng)?.as_bytes(),
        )?;
        // 2. The register.
        self.store().insert_certificate(
            &record,
            &AuditEvent {
                at: now,
                actor: "ocsp-responder".into(),
                action: "ocsp-signer-issued".into(),
                details: json!({
                    "serial": record.serial.to_string(),
                    "subject": record.subject,
                    "not_after": not_after.unix_timestamp(),
                }),
            },
        )?;
        // 3. The key under its name, then the certificate.
        let key_path = self.dir().join(KEY_FILE);
        fs::rename(&pending, &key_path).map_err(|e| CaError::io(&key_path, &e))?;
        write_public_file(&self.dir().join(CERT_FILE), cert.pem().as_bytes())?;
        Ok((record, key))
    }

    /// Takes the exclusive lock on `ocsp.lock`, released when the file is dropped.
    fn lock_ocsp_files(&self) -> Result<File, CaError> {
        let path: PathBuf = self.dir().join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| CaError::io(&path, &e))?;
        file.lock().map_err(|e| CaError::io(&path, &e))?;
        Ok(file)
    }
}

/// Template of the responder's certificate (RFC 6960 §4.2.2.2: id-kp-OCSPSigning in the extended
/// key usage; §4.2.2.2.1: id-pkix-ocsp-nocheck; RFC 5280 §4.2.1.3: digitalSignature).
fn signer_params(
    center_name: &str,
    serial: [u8; 20],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = certs::ca_name(&format!("{center_name} OCSP"));
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
    p
}

fn read_pem_certificate(path: &Path) -> Result<Vec<u8>, CaError> {
    let text = fs::read(path).map_err(|e| CaError::io(path, &e))?;
    let parsed = pem::parse(&text).map_err(|e| CaError::KeyFile {
        path: path.display().to_string(),
        reason: format!("not a PEM certificate: {e}"),
    })?;
    if parsed.tag() != "CERTIFICATE" {
        return Err(CaError::KeyFile {
            path: path.display().to_string(),
            reason: format!("expected CERTIFICATE, found {}", parsed.tag()),
        });
    }
    Ok(parsed.into_contents())
}
