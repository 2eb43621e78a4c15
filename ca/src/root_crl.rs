//! The root center's CRL (RFC 5280 §5): the revocations of certificates the root issued — the
//! issuing center's — at the URL the issuing center's certificate names in its CRL distribution
//! point ([`crate::config::CenterConfig::crl_url`]`("root")`). Usually empty.
//!
//! Signed with the root key (decrypted for the signature and dropped), numbered by the register's
//! counter of the root (its own sequence, apart from the issuing center's), valid as long as the
//! issuing center's CRL (`crl_validity_hours`), and published as `crl/root.crl` and
//! `crl/root.crl.pem` under the same lock file as the issuing CRL.

use std::path::PathBuf;

use rcgen::{
    CertificateRevocationListParams, Issuer, KeyIdMethod, RevocationReason, RevokedCertParams,
    SerialNumber,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::center::{Center, ROOT, subject_key_identifier, truncate_to_seconds};
use crate::crl::Crl;
use crate::error::CaError;
use crate::store::{AuditEvent, Counter};

/// The root CRL's file name in `crl/` (DER; `.pem` beside it).
pub const FILE: &str = "root.crl";

impl Center {
    /// Signs a full CRL of the root center as of `now` with the root key (`passphrase` unlocks
    /// it), taking the root's next CRL number, and publishes it to `crl/root.crl` and
    /// `crl/root.crl.pem`, holding `crl/.lock` throughout.
    pub fn issue_and_publish_root_crl(
        &self,
        passphrase: &[u8],
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(Crl, [PathBuf; 2]), CaError> {
        self.publish_root_crl_until(passphrase, actor, now, None)
    }

    /// [`Center::issue_and_publish_root_crl`] with `nextUpdate` at `until` when given: the
    /// root's final CRL once the issuing center stopped (EDS law art. 22.4), current as long as
    /// the issuing center's own final CRL. Without `until`, from the stop day of a notice of
    /// cessation on: [`CaError::Ceased`] (the center publishes nothing but its final CRLs).
    pub fn publish_root_crl_until(
        &self,
        passphrase: &[u8],
        actor: &str,
        now: OffsetDateTime,
        until: Option<OffsetDateTime>,
    ) -> Result<(Crl, [PathBuf; 2]), CaError> {
        if until.is_none() {
            self.check_active_for(now, crate::center::Activity::PublishCrl)?;
        }
        let dir = self.dir().join("crl");
        let lock = crate::crl::lock_crl_dir(&dir)?;

        let key = crate::center_key::load_center_key(
            self.config(),
            crate::center_key::KeyRole::Root,
            &self.dir().join("root.key.pem"),
            passphrase,
            &crate::center::issuing_spki(self.root_der())?,
        )?;
        let ski = subject_key_identifier(self.root_der())?;

        let this_update = truncate_to_seconds(now);
        let next_update = until.map(truncate_to_seconds).unwrap_or_else(|| {
            this_update + Duration::hours(i64::from(self.config().crl_validity_hours))
        });
        let mut listed = Vec::new();
        let entries = self.store().for_each_revoked(ROOT, this_update, &mut |e| {
            listed.push(e);
            Ok(())
        })?;
        let number = self.store().next_value(
            Counter::CrlNumber { issuer: ROOT },
            &AuditEvent {
                at: this_update,
                actor: actor.to_owned(),
                action: "root-crl-issued".into(),
                details: json!({
                    "entries": entries,
                    "this_update": this_update.unix_timestamp(),
                    "next_update": next_update.unix_timestamp(),
                }),
            },
        )?;
        let der = match key.rcgen() {
            Some(pair) => {
                let issuer = Issuer::from_ca_cert_der(&self.root_der().into(), pair)
                    .map_err(|e| CaError::build("root issuer", e))?;
                let revoked = listed
                    .iter()
                    .map(|e| RevokedCertParams {
                        serial_number: SerialNumber::from_slice(e.serial.as_bytes()),
                        revocation_time: e.revoked_at,
                        reason_code: Some(reason(e.reason.code())),
                        invalidity_date: e.invalidity_date,
                    })
                    .collect();
                let params = CertificateRevocationListParams {
                    this_update,
                    next_update,
                    crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
                    issuing_distribution_point: None,
                    revoked_certs: revoked,
                    key_identifier_method: KeyIdMethod::PreSpecified(ski),
                };
                params
                    .signed_by(&issuer)
                    .map_err(|e| CaError::build("root CRL", e))?
                    .der()
                    .to_vec()
            }
            // A key rcgen does not know (GOST): the same list, signed again with the root key.
            None => crate::gost::resigned_crl(
                &crate::gost::CrlContent {
                    this_update,
                    next_update,
                    number,
                    revoked: &listed,
                },
                self.root_der(),
                key.signature_algorithm()?,
                &|tbs| key.sign(tbs),
            )?,
        };
        let crl = Crl {
            number,
            this_update,
            next_update,
            entries,
            der,
        };
        let paths = crate::crl::publish_pair(&dir, FILE, &crl)?;
        drop(lock);
        Ok((crl, paths))
    }
}

/// RFC 5280 §5.3.1 reason by code; unspecified (0) and codes rcgen lacks are written as
/// unspecified, which rcgen omits from the entry.
fn reason(code: u8) -> RevocationReason {
    match code {
        1 => RevocationReason::KeyCompromise,
        2 => RevocationReason::CaCompromise,
        3 => RevocationReason::AffiliationChanged,
        4 => RevocationReason::Superseded,
        5 => RevocationReason::CessationOfOperation,
        9 => RevocationReason::PrivilegeWithdrawn,
        _ => RevocationReason::Unspecified,
    }
}
