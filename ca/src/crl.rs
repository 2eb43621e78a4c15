//! Certificate revocation lists (RFC 5280 §5) of the issuing center.
//!
//! EDS law art. 18.3: the register changes within one day of the notification, so each CRL's
//! nextUpdate is at most 24 hours after its thisUpdate ([`crate::config::MAX_CRL_VALIDITY_HOURS`]).
//! Entries carry the reason code of their ground (never certificateHold: the law knows no
//! suspension) and the invalidity date when one is known. The authority key identifier is the
//! issuing certificate's subject key identifier, copied, not recomputed. Expired revoked
//! certificates leave the CRL (RFC 5280 §3.3) but stay in the register (art. 16.2).

use std::path::PathBuf;

use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use serde::Serialize;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use eds_profile::grounds::CrlReason;

use crate::center::{Center, ISSUING, IssuingKey, truncate_to_seconds};
use crate::error::CaError;
use crate::keys::write_public_file;
use crate::store::AuditEvent;

/// A signed CRL and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crl {
    /// The CRL number (RFC 5280 §5.2.3), strictly increasing.
    pub number: u64,
    /// thisUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub next_update: OffsetDateTime,
    /// Number of revoked certificates listed.
    pub entries: u64,
    /// The CRL, DER.
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl Crl {
    /// The CRL in PEM (`X509 CRL`).
    pub fn pem(&self) -> String {
        pem::encode(&pem::Pem::new("X509 CRL", self.der.clone()))
    }
}

impl Center {
    /// Builds and signs a full CRL of the issuing center as of `now`, taking the next CRL number.
    pub fn crl(&self, key: &IssuingKey, actor: &str, now: OffsetDateTime) -> Result<Crl, CaError> {
        let this_update = truncate_to_seconds(now);
        let next_update =
            this_update + Duration::hours(i64::from(self.config().crl_validity_hours));
        let mut revoked = Vec::new();
        let entries = self
            .store()
            .for_each_revoked(ISSUING, this_update, &mut |e| {
                revoked.push(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(e.serial.as_bytes()),
                    revocation_time: e.revoked_at,
                    reason_code: Some(reason(e.reason)),
                    invalidity_date: e.invalidity_date,
                });
                Ok(())
            })?;
        let number = self.store().next_crl_number(
            ISSUING,
            &AuditEvent {
                at: this_update,
                actor: actor.to_owned(),
                action: "crl-issued".into(),
                details: json!({
                    "entries": entries,
                    "this_update": this_update.unix_timestamp(),
                    "next_update": next_update.unix_timestamp(),
                }),
            },
        )?;
        let params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
            issuing_distribution_point: None,
            revoked_certs: revoked,
            key_identifier_method: KeyIdMethod::PreSpecified(key.key_identifier().to_vec()),
        };
        let crl = params
            .signed_by(key.issuer())
            .map_err(|e| CaError::build("CRL", e))?;
        Ok(Crl {
            number,
            this_update,
            next_update,
            entries,
            der: crl.der().to_vec(),
        })
    }

    /// Takes the next CRL number, signs and publishes, holding an exclusive lock on
    /// `crl/.lock` throughout, so concurrent publishers write their CRLs in number order and the
    /// DER and PEM files always hold the same CRL.
    pub fn issue_and_publish_crl(
        &self,
        key: &IssuingKey,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(Crl, [PathBuf; 2]), CaError> {
        let dir = self.dir().join("crl");
        std::fs::create_dir_all(&dir).map_err(|e| CaError::io(&dir, &e))?;
        let lock_path = dir.join(".lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| CaError::io(&lock_path, &e))?;
        lock.lock().map_err(|e| CaError::io(&lock_path, &e))?;
        let crl = self.crl(key, actor, now)?;
        let paths = self.publish_crl(&crl)?;
        // Closing the file releases the lock; an error here leaves nothing to undo.
        drop(lock);
        Ok((crl, paths))
    }

    /// Writes a CRL to `crl/issuing.crl` (DER) and `crl/issuing.crl.pem`, atomically.
    pub fn publish_crl(&self, crl: &Crl) -> Result<[PathBuf; 2], CaError> {
        let der_path = self.dir().join("crl").join("issuing.crl");
        let pem_path = self.dir().join("crl").join("issuing.crl.pem");
        std::fs::create_dir_all(self.dir().join("crl"))
            .map_err(|e| CaError::io(&self.dir().join("crl"), &e))?;
        write_public_file(&der_path, &crl.der)?;
        write_public_file(&pem_path, crl.pem().as_bytes())?;
        Ok([der_path, pem_path])
    }
}

fn reason(r: CrlReason) -> RevocationReason {
    match r {
        CrlReason::KeyCompromise => RevocationReason::KeyCompromise,
        CrlReason::AffiliationChanged => RevocationReason::AffiliationChanged,
        CrlReason::Superseded => RevocationReason::Superseded,
        CrlReason::CessationOfOperation => RevocationReason::CessationOfOperation,
        CrlReason::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        // rcgen omits the extension for unspecified, as RFC 5280 §5.3.1 asks.
        _ => RevocationReason::Unspecified,
    }
}
