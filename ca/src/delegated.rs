//! Certificates the issuing center issues to a key of the center's own for one service — the
//! delegated OCSP signer ([`crate::ocsp::signer`]) and the timestamp authority ([`crate::tsa`]) —
//! so the issuing center's key signs certificates and CRLs only. A [`Delegated`] names what
//! differs between them (files, register kind, template, validity); the steps are here.
//!
//! Each service has three files in the data folder: its certificate (mode 0644), its key encrypted
//! like the CA keys ([`crate::keys`], mode 0600), and a lock file held while the pair is checked or
//! replaced.
//!
//! Renewal keeps the invariants of `docs/architecture.md`: the new key is written encrypted (under
//! a temporary name) before the certificate is recorded, the certificate file is written only
//! after the register commits, and the key replaces the old one by an atomic rename. A crash
//! between two steps leaves a pair that does not match or an expiring one, and the next load
//! issues again.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rcgen::CertificateParams;
use ring::rand::SecureRandom;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::center::{Center, ISSUING, truncate_to_seconds};
use crate::center_key::{self, CenterKey, KeyRole};
use crate::certs;
use crate::config::CenterConfig;
use crate::error::CaError;
use crate::keys::{self, write_private_file, write_public_file};
use crate::store::{
    AuditEvent, CertificateRecord, NewRevocation, RevocationRecord, Serial, Store, StoreError,
};
use eds_profile::grounds::RevocationGround;

/// What a loaded OCSP responder or timestamp authority knows of its own certificate, checked
/// against the data folder and the register ([`crate::ocsp::Responder::signer_state`],
/// [`crate::tsa::TimestampAuthority::signer_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerState {
    /// Its certificate is the one on disk and is not revoked: it signs.
    Current,
    /// `eds ca rotate` put another certificate on disk; this one still signs (it is valid and
    /// not revoked) until the server loads the new one.
    Superseded,
    /// Its certificate is revoked or gone from the register: it signs nothing more (the OCSP
    /// responder answers `tryLater`, the TSA `systemFailure`) until a new one is loaded.
    Revoked,
}

/// Watches a loaded signer's certificate: the file's identity (device, inode, size, mtime: a
/// rotation renames a new file in place) on every check, one `stat`; the register's record
/// only when the register changed since the last check (its audit head counts every change,
/// in any process, see [`AuditStore::audit_head`](crate::store::AuditStore::audit_head)).
#[derive(Debug)]
pub(crate) struct SignerWatch {
    serial: Serial,
    cert_path: PathBuf,
    file: Option<FileStamp>,
    seen: Mutex<Seen>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    epoch: Option<u64>,
    state: SignerState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: i64,
    mtime_nsec: i64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let m = fs::metadata(path).ok()?;
        Some(FileStamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: m.mtime(),
            mtime_nsec: m.mtime_nsec(),
        })
    }
}

impl SignerWatch {
    /// Watches the certificate `der` (of serial `serial`) loaded from `cert_path` just now.
    pub(crate) fn new(serial: Serial, cert_path: PathBuf) -> SignerWatch {
        SignerWatch {
            serial,
            file: FileStamp::of(&cert_path),
            cert_path,
            seen: Mutex::new(Seen {
                epoch: None,
                state: SignerState::Current,
            }),
        }
    }

    /// The state at register epoch `epoch` (the audit head's entry count, read by the caller).
    /// `Revoked` is final.
    pub(crate) fn check(&self, store: &dyn Store, epoch: u64) -> Result<SignerState, StoreError> {
        let mut seen = match self.seen.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if seen.state == SignerState::Revoked {
            return Ok(SignerState::Revoked);
        }
        if seen.epoch != Some(epoch) {
            let revoked = store
                .certificate(&self.serial)?
                .is_none_or(|r| r.revocation.is_some());
            if revoked {
                seen.state = SignerState::Revoked;
                return Ok(SignerState::Revoked);
            }
            seen.epoch = Some(epoch);
        }
        if seen.state == SignerState::Current && FileStamp::of(&self.cert_path) != self.file {
            seen.state = SignerState::Superseded;
        }
        Ok(seen.state)
    }

    /// The watched certificate's serial.
    pub(crate) fn serial(&self) -> &Serial {
        &self.serial
    }

    /// The last state found, without a check.
    pub(crate) fn last(&self) -> SignerState {
        match self.seen.lock() {
            Ok(g) => g.state,
            Err(poisoned) => poisoned.into_inner().state,
        }
    }
}

/// What differs between two delegated certificates.
pub(crate) struct Delegated {
    /// The certificate in error messages ("OCSP signing certificate").
    pub what: &'static str,
    /// The certificate in the data folder.
    pub cert_file: &'static str,
    /// The encrypted key in the data folder (none when the center keeps its keys on a token).
    pub key_file: &'static str,
    /// Which of the center's keys (its URI when they are on a token).
    pub role: KeyRole,
    /// The new key waits under this name until its certificate is recorded.
    pub pending_key_file: &'static str,
    /// Held while the pair is checked or replaced.
    pub lock_file: &'static str,
    /// The register's `kind` of these certificates.
    pub kind: &'static str,
    /// The audit entry's actor and action when a certificate is issued.
    pub actor: &'static str,
    pub action: &'static str,
    /// Validity of a new certificate (never past the issuing center's).
    pub validity_days: i64,
    /// How long one key serves, when shorter than the certificate's validity: a certificate
    /// this old is replaced although still valid.
    pub key_usage: Option<Duration>,
    /// A certificate that expires within this time is replaced.
    pub renew_before: Duration,
    /// The certificate's template: center, serial, notBefore, notAfter.
    pub template: fn(
        &CenterConfig,
        [u8; 20],
        OffsetDateTime,
        OffsetDateTime,
    ) -> Result<CertificateParams, CaError>,
}

impl Center {
    /// Issues a new certificate of `d` and makes it the service's, whatever the current one is:
    /// a fresh key of the center's algorithm certified by the issuing center, recorded in the
    /// register with kind `d.kind` and issuer `issuing`; the key and certificate files are
    /// replaced. `passphrase` unlocks the issuing center's key and encrypts the new one.
    pub(crate) fn issue_delegated(
        &self,
        d: &Delegated,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<CertificateRecord, CaError> {
        let _lock = self.lock_delegated(d)?;
        self.issue_delegated_locked(d, passphrase, now, rng)
            .map(|(record, _)| record)
    }

    /// Replaces the service's certificate after its key was compromised: first revokes the
    /// current one in the register for key compromise (if it is not revoked already), then
    /// issues a new one like [`Center::issue_delegated`]. Returns the new certificate and the
    /// revoked one (`None` when there was none on disk, or it was revoked before).
    pub(crate) fn replace_compromised_delegated(
        &self,
        d: &Delegated,
        passphrase: &[u8],
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(CertificateRecord, Option<CertificateRecord>), CaError> {
        let now = truncate_to_seconds(now);
        let _lock = self.lock_delegated(d)?;
        let cert_path = self.dir().join(d.cert_file);
        let mut revoked = None;
        if cert_path.exists() {
            let der = read_pem_certificate(&cert_path)?;
            let (_, cert) = X509Certificate::from_der(&der).map_err(|e| CaError::KeyFile {
                path: cert_path.display().to_string(),
                reason: format!("not a certificate: {e}"),
            })?;
            let serial =
                Serial::from_der_content(cert.raw_serial()).map_err(|e| CaError::KeyFile {
                    path: cert_path.display().to_string(),
                    reason: format!("serial: {e}"),
                })?;
            let ground = RevocationGround::KeyCompromise;
            let revocation = NewRevocation {
                serial: serial.clone(),
                record: RevocationRecord {
                    ground,
                    reason: ground.crl_reason(),
                    notified_by: actor.to_owned(),
                    received_at: now,
                    entered_at: now,
                    invalidity_date: None,
                    note: Some(format!("{} replaced: its key was compromised", d.what)),
                },
            };
            let event = AuditEvent {
                at: now,
                actor: actor.to_owned(),
                action: "certificate-revoked".into(),
                details: json!({
                    "serial": serial.to_string(),
                    "ground": ground.as_str(),
                    "service": d.kind,
                }),
            };
            match self
                .store()
                .revoke(std::slice::from_ref(&revocation), &event)
            {
                Ok(mut done) => revoked = done.pop(),
                Err(StoreError::AlreadyRevoked { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let (record, _) = self.issue_delegated_locked(d, passphrase, now, rng)?;
        Ok((record, revoked))
    }

    /// The service's certificate (DER) and key: the current pair when it is usable at `now` for
    /// more than `d.renew_before`, a newly issued one otherwise.
    pub(crate) fn delegated_signer(
        &self,
        d: &Delegated,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(Vec<u8>, CenterKey), CaError> {
        let _lock = self.lock_delegated(d)?;
        if let Some(current) = self.current_delegated(d, passphrase, now)? {
            return Ok(current);
        }
        let (record, key) = self.issue_delegated_locked(d, passphrase, now, rng)?;
        Ok((record.der, key))
    }

    /// The pair on disk, if it can serve at `now`: both files present, the certificate issued by
    /// the current issuing center, valid from before `now` until at least `d.renew_before` after
    /// it and younger than `d.key_usage`,
    /// it, recorded in the register with kind `d.kind` and not revoked, and the key its key.
    fn current_delegated(
        &self,
        d: &Delegated,
        passphrase: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(Vec<u8>, CenterKey)>, CaError> {
        let cert_path = self.dir().join(d.cert_file);
        let key_path = self.dir().join(d.key_file);
        let on_token = d.role.token_uri(self.config()).is_some();
        if !cert_path.exists() || (!on_token && !key_path.exists()) {
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
        if now < not_before || not_after - now < d.renew_before {
            return Ok(None);
        }
        if d.key_usage.is_some_and(|usage| now - not_before >= usage) {
            return Ok(None);
        }
        if cert.issuer().as_raw() != issuing.subject().as_raw() {
            return Ok(None);
        }
        let Ok(serial) = Serial::from_der_content(cert.raw_serial()) else {
            return Ok(None);
        };
        match self.store().certificate(&serial)? {
            Some(rec) if rec.revocation.is_none() && rec.der == der && rec.kind == d.kind => {}
            _ => return Ok(None),
        }
        let key = match center_key::load_center_key(
            self.config(),
            d.role,
            &key_path,
            passphrase,
            cert.public_key().raw,
        ) {
            Ok(key) => key,
            // The token no longer holds the certificate's key: a new pair is issued.
            Err(CaError::Token(eds_pkcs11::TokenError::ObjectNotFound { .. })) => return Ok(None),
            Err(e) => return Err(e),
        };
        if key.spki_der() != cert.public_key().raw {
            return Ok(None);
        }
        Ok(Some((der, key)))
    }

    fn issue_delegated_locked(
        &self,
        d: &Delegated,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(CertificateRecord, CenterKey), CaError> {
        // EDS law art. 22: from its stop day the center certifies no key, its own services'
        // included (`CaError::Ceased`).
        self.check_active_for(now, crate::center::Activity::CertifySigner)?;
        let now = truncate_to_seconds(now);
        let issuing = self.unlock(passphrase)?;
        // The key being replaced, when it lives on a token: destroyed there once the new
        // certificate is in place (step 4).
        let replaced_spki = match d.role.token_uri(self.config()) {
            Some(_) => certificate_spki(&self.dir().join(d.cert_file)),
            None => None,
        };
        let (key, pkcs8) = center_key::new_center_key(self.config(), d.role, passphrase, rng)?;
        let serial = certs::random_serial(rng)?;
        let not_after = (now + Duration::days(d.validity_days)).min(self.issuing_not_after());
        let der = issuing.certify(
            (d.template)(self.config(), serial, now, not_after)?,
            &key.spki_der(),
            d.what,
        )?;
        let (_, parsed) = X509Certificate::from_der(&der).map_err(|e| CaError::Internal {
            reason: format!("new {}: {e}", d.what),
        })?;
        let record = CertificateRecord {
            serial: Serial::from_der_content(&serial).map_err(|e| CaError::Internal {
                reason: format!("new serial: {e}"),
            })?,
            issuer: ISSUING.to_owned(),
            subject: eds_profile::names::rfc4514_der(parsed.subject().as_raw())
                .unwrap_or_else(|| parsed.subject().to_string()),
            kind: d.kind.to_owned(),
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
        //    A key on a token was made there by `new_center_key`: no file.
        let pending = self.dir().join(d.pending_key_file);
        match fs::remove_file(&pending) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CaError::io(&pending, &e)),
        }
        if let Some(pkcs8) = &pkcs8 {
            write_private_file(
                &pending,
                keys::encrypt_pkcs8_pem(pkcs8, passphrase, rng)?.as_bytes(),
            )?;
        }
        // 2. The register.
        self.store().insert_certificate(
            &record,
            &AuditEvent {
                at: now,
                actor: d.actor.into(),
                action: d.action.into(),
                details: json!({
                    "serial": record.serial.to_string(),
                    "subject": record.subject,
                    "not_after": not_after.unix_timestamp(),
                }),
            },
        )?;
        // 3. The key under its name, then the certificate.
        if pkcs8.is_some() {
            let key_path = self.dir().join(d.key_file);
            fs::rename(&pending, &key_path).map_err(|e| CaError::io(&key_path, &e))?;
        }
        write_public_file(
            &self.dir().join(d.cert_file),
            crate::center::certificate_pem(&der).as_bytes(),
        )?;
        // 4. On a token, the replaced key is destroyed: no certificate in use names it any more,
        //    and a signing key left behind on the token is one more key that could sign as the
        //    service. A token no longer holding it (destroyed by hand, or a renewal that stopped
        //    between steps 3 and 4) is fine. Another server process still holding the old key
        //    notices the new certificate file at its next request (`SignerWatch`); a request it
        //    is signing at this very moment fails once with the token's error.
        if let (Some(uri), Some(old)) = (d.role.token_uri(self.config()), replaced_spki)
            && old != key.spki_der()
        {
            match eds_pkcs11::TokenKey::open_matching(
                &eds_pkcs11::KeyUri::parse(uri)?,
                passphrase,
                &old,
            ) {
                Ok(old_key) => {
                    old_key.destroy()?;
                }
                Err(eds_pkcs11::TokenError::ObjectNotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok((record, key))
    }

    /// Takes the exclusive lock on `d.lock_file`, released when the file is dropped.
    fn lock_delegated(&self, d: &Delegated) -> Result<File, CaError> {
        let path = self.dir().join(d.lock_file);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| CaError::io(&path, &e))?;
        file.lock().map_err(|e| CaError::io(&path, &e))?;
        Ok(file)
    }
}

/// The SubjectPublicKeyInfo (DER) of the PEM certificate at `path`; `None` when there is no
/// such file or it holds no certificate (then there is no known key to replace).
fn certificate_spki(path: &Path) -> Option<Vec<u8>> {
    let der = read_pem_certificate(path).ok()?;
    let (_, cert) = X509Certificate::from_der(&der).ok()?;
    Some(cert.public_key().raw.to_vec())
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
