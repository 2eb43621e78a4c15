//! Idempotent issuance: the network API's `Idempotency-Key` (issue 16: certificates committed
//! but never acknowledged after a server kill were issued again by the client's retry).
//!
//! The key is the operator's own; it is recorded with the certificate in the same transaction
//! ([`CertificateStore::insert_certificate_idempotent`](crate::store::CertificateStore::insert_certificate_idempotent)),
//! so whatever the moment a server dies, a retry with the same key either finds the certificate
//! or finds nothing committed. A retry with the same key and the same request body gets the same
//! certificate ([`Idempotent::Replayed`]); the same key with another body is
//! [`CaError::IdempotencyKeyReused`] and changes nothing.

use ring::digest;
use ring::rand::SecureRandom;
use time::OffsetDateTime;

use eds_profile::request::RegistrationRequest;

use crate::center::{Center, IssuingKey};
use crate::error::CaError;
use crate::issue::{KeySource, issued_audit};
use crate::store::{CertificateRecord, IdempotencyRecord, StoreError};

/// Most characters of a key; keys are printable ASCII without spaces.
pub const MAX_KEY_LEN: usize = 255;

/// What an issuance under a key gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Idempotent {
    /// A new certificate, recorded with the key.
    Issued(CertificateRecord),
    /// The certificate an earlier call with the same key and body gave.
    Replayed(CertificateRecord),
}

/// Checks the form of a key: 1 to [`MAX_KEY_LEN`] printable ASCII characters, no space.
pub fn check_key(key: &str) -> Result<(), CaError> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CaError::InvalidField {
            field: "Idempotency-Key",
            reason: format!(
                "1 to {MAX_KEY_LEN} printable ASCII characters without spaces (a UUID is usual)"
            ),
        });
    }
    Ok(())
}

impl Center {
    /// [`Center::issue`] under `operator`'s idempotency `key` for the request whose bytes are
    /// `body` (the key remembers their SHA-256). The operator is the audit actor.
    #[expect(
        clippy::too_many_arguments,
        reason = "clock and randomness are explicit parameters by design"
    )]
    pub fn issue_idempotent(
        &self,
        issuing: &IssuingKey,
        req: &RegistrationRequest,
        source: KeySource<'_>,
        operator: &str,
        key: &str,
        body: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Idempotent, CaError> {
        check_key(key)?;
        let hash = sha256(body);
        if let Some(found) = self.replay(operator, key, &hash)? {
            return Ok(Idempotent::Replayed(found));
        }
        let issued = self.prepare_issue(issuing, req, source, operator, now, rng, &mut |_| {})?;
        let record = IdempotencyRecord {
            operator: operator.to_owned(),
            key: key.to_owned(),
            request_sha256: hash,
            serial: issued.record.serial.clone(),
        };
        let mut audit = issued_audit(&issued, operator, now);
        audit.details["idempotency_key"] = serde_json::json!(key);
        match self
            .store()
            .insert_certificate_idempotent(&issued.record, &record, &audit)
        {
            Ok(()) => Ok(Idempotent::Issued(issued.record)),
            // A concurrent call with the same key committed first: its certificate is the answer.
            Err(StoreError::IdempotencyKeyTaken { .. }) => self
                .replay(operator, key, &hash)?
                .map(Idempotent::Replayed)
                .ok_or_else(|| CaError::Internal {
                    reason: format!("idempotency key {key:?} taken but not found"),
                }),
            Err(e) => Err(e.into()),
        }
    }

    fn replay(
        &self,
        operator: &str,
        key: &str,
        hash: &[u8; 32],
    ) -> Result<Option<CertificateRecord>, CaError> {
        let Some(found) = self.store().idempotency_record(operator, key)? else {
            return Ok(None);
        };
        if &found.request_sha256 != hash {
            return Err(CaError::IdempotencyKeyReused {
                key: key.to_owned(),
                serial: found.serial,
            });
        }
        let record = self
            .store()
            .certificate(&found.serial)?
            .ok_or(StoreError::UnknownSerial {
                serial: found.serial,
            })?;
        Ok(Some(record))
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, bytes).as_ref());
    out
}
