//! A center that stops (EDS law art. 22).
//!
//! * 22.2: the center informs the participants it serves and the authorised body thirty calendar
//!   days before it stops: [`CessationNotice::new`] refuses a shorter notice. The days are
//!   Kazakhstan's (`eds_profile::kz_time`): a notice at 23:00 in Astana is of that day, whatever
//!   the UTC date.
//! * 22.3: the certificates it issued, with their owners' details, are transferred to another
//!   center "by coordination with the owner": [`transfer_register`] does it in one call the way
//!   the command line does it in three (`eds ca export`, `eds ca import`, `eds ca cessation
//!   confirm`): an export signed by the ceding center's issuing key, imported all or nothing
//!   after its signature and audit chain verify, answered by a receipt the successor signs,
//!   confirmed by the ceding center; revoked certificates stay revoked.
//! * 22.4: what is not transferred when the notice's term ends stops ([`finalize`]) and is kept:
//!   [`retain`] gathers the owners' certificates not transferred, the center's own certificates
//!   apart, the refusals and the whole audit log (its chain verified first), for the caller to
//!   store.
//!
//! Only the public [`Store`] methods are used, so any backend serves both sides.
//!
//! A center that gave notice keeps it in `cessation.json` in its data folder ([`CessationRecord`],
//! written by [`give_notice`], which also records `center.cessation-notice` in the audit log).
//! From the day it stops the center issues, revokes and publishes nothing ([`check_active`],
//! called by every issuance, revocation and CRL path: `CaError::Ceased`); a register export in
//! the notice's term is recorded as offered ([`record_offered`]) and its certificates count as
//! transferred once the successor's signed receipt is confirmed ([`confirm`]); on the stop day
//! [`finalize`] revokes what is left ([`terminate`]: not transferred, cessationOfOperation;
//! transferred, superseded) and publishes the final CRLs; after the term [`retain`] gathers what
//! was not transferred (art. 22.4) for storage.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, Duration, OffsetDateTime};

use eds_profile::grounds::{CrlReason, RevocationGround};

use crate::store::{
    AuditEntry, AuditEvent, AuditHead, AuditProblem, AuditVerification, CertificateQuery,
    CertificateRecord, NewRevocation, RefusalRecord, RevocationRecord, Serial, Store, StoreError,
};

/// Calendar days between the notice and the day the center stops (art. 22.2).
pub const NOTICE_CALENDAR_DAYS: i64 = 30;

/// Audit entries read from the ceasing center per call.
const AUDIT_PAGE: u64 = 10_000;

/// Why a cessation step could not be taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CessationError {
    /// The center would stop less than thirty calendar days after the notice (art. 22.2).
    #[error(
        "a notice of {announced_on} allows stopping on {earliest} at the earliest (art. 22.2: \
         thirty calendar days), not on {stops_on}"
    )]
    NoticeTooShort {
        /// The day of the notice (Kazakhstan's date).
        announced_on: Date,
        /// The day given for stopping.
        stops_on: Date,
        /// The first day allowed.
        earliest: Date,
    },
    /// The notice's term has ended (the stop day has come: from it on the center does nothing,
    /// issuance included): what was not transferred has stopped and is stored, it is no longer
    /// transferred (art. 22.4).
    #[error(
        "the center stopped on {stops_on}: on {on} its certificates are no longer transferred \
         (art. 22.4); what was not transferred is kept, not moved"
    )]
    TermEnded {
        /// The day the center stopped.
        stops_on: Date,
        /// The day of the attempt.
        on: Date,
    },
    /// The ceasing center's audit log does not verify: its register is not handed on as it is.
    #[error(
        "the ceasing center's audit log is broken at entry {seq} ({problem:?}); the register is \
         not transferred"
    )]
    AuditBroken {
        /// The first entry that is missing, altered or unlinked.
        seq: u64,
        /// What is wrong there.
        problem: AuditProblem,
    },
    /// A consent names a certificate the ceasing center did not issue.
    #[error(
        "consent given for certificate {serial}, which is not in the ceasing center's register"
    )]
    UnknownSerial {
        /// The serial (hex).
        serial: String,
    },
    /// The center already gave notice (`cessation.json` in its data folder).
    #[error(
        "give notice of cessation: the center already gave notice on {announced_on} to stop on \
         {stops_on} (art. 22.2)"
    )]
    AlreadyGiven {
        /// The day of the first notice.
        announced_on: Date,
        /// Its stop day.
        stops_on: Date,
    },
    /// What was not transferred is gathered only once the notice's term has ended (art. 22.4).
    #[error(
        "retain the register: the center stops on {stops_on}; on {on} certificates may still be \
         transferred (art. 22.3), what is not transferred is kept after that day (art. 22.4)"
    )]
    TermNotEnded {
        /// The day the center stops.
        stops_on: Date,
        /// The day of the attempt.
        on: Date,
    },
    /// A receipt names an export this center did not make in the notice's term.
    #[error(
        "confirm the transfer: the receipt names export {sha256}, which this center did not make \
         in the notice's term"
    )]
    UnknownExport {
        /// The digest the receipt names.
        sha256: String,
    },
    /// A receipt names a certificate the export it names did not carry.
    #[error(
        "confirm the transfer: the receipt names certificate {serial}, which the export did not \
         offer"
    )]
    NotOffered {
        /// The serial (hex).
        serial: String,
    },
    /// The center gave no notice of cessation: there is nothing to finalize (art. 22.2).
    #[error("the center gave no notice of cessation (art. 22.2)")]
    NoNotice,
    /// The cessation was already finalized (art. 22.4): its final CRL stands.
    #[error(
        "finalize the cessation: it was finalized at {at} with CRL #{crl_number}, which stays \
         the final CRL"
    )]
    AlreadyFinalized {
        /// When.
        at: OffsetDateTime,
        /// The final CRL's number.
        crl_number: u64,
    },
    /// Publishing the final CRL failed; the revocations made stay (a second run publishes).
    #[error("publish the final CRL: {0}")]
    Ca(Box<crate::CaError>),
    /// The record of the notice (`cessation.json`) could not be read or written.
    #[error("access {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A register could not be read or written; nothing was transferred.
    #[error("register: {0}")]
    Store(#[from] StoreError),
    /// The export, its import or the receipt failed ([`transfer_register`]).
    #[error(transparent)]
    Transfer(Box<crate::transfer::TransferError>),
}

/// The file in a center's data folder that records its notice of cessation.
pub const RECORD_FILE: &str = "cessation.json";

time::serde::format_description!(day, Date, "[year]-[month]-[day]");

/// What `cessation.json` holds: the notice and the serials exported in its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CessationRecord {
    /// The notice.
    pub notice: CessationNotice,
    /// When it was given.
    #[serde(with = "time::serde::rfc3339")]
    pub announced_at: OffsetDateTime,
    /// Exports made in the notice's term: their certificates are offered to the successor
    /// until it confirms taking them ([`confirm`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered: Vec<Offer>,
    /// Serials the successor confirmed taking (art. 22.3, its signed receipt), in the order
    /// confirmed: only these count as transferred when the term ends.
    #[serde(default)]
    pub transferred: Vec<Serial>,
    /// The cessation's end (art. 22.4), once [`finalize`] ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalized: Option<Finalized>,
}

/// An export made in the notice's term (`eds ca export`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The export's digest (its receipt names it).
    pub sha256: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The serials it carried.
    pub serials: Vec<Serial>,
}

/// What [`finalize`] did: the certificates that terminated and the final CRL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finalized {
    /// When it ran.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When the terminated certificates' revocation takes effect: 00:00 in Astana on the stop
    /// day.
    #[serde(with = "time::serde::rfc3339")]
    pub effective_at: OffsetDateTime,
    /// The certificates not transferred, revoked with ground `center-cessation`
    /// (cessationOfOperation).
    pub terminated: Vec<Serial>,
    /// The transferred certificates, revoked with ground `center-cessation` (superseded: the
    /// successor answers for their owners through its own certificates).
    #[serde(default)]
    pub superseded: Vec<Serial>,
    /// The final CRL's number.
    pub crl_number: u64,
    /// The revoked certificates it lists.
    pub crl_entries: u64,
    /// Its thisUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// Its nextUpdate: the end of the issuing certificate's validity.
    #[serde(with = "time::serde::rfc3339")]
    pub next_update: OffsetDateTime,
}

/// The notice recorded in the data folder `dir`, if any.
pub fn read_record(dir: &Path) -> Result<Option<CessationRecord>, CessationError> {
    let path = dir.join(RECORD_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CessationError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| CessationError::Io {
            path: path.display().to_string(),
            message: format!("not a notice of cessation: {e}"),
        })
}

fn write_record(dir: &Path, record: &CessationRecord) -> Result<(), CessationError> {
    let path = dir.join(RECORD_FILE);
    let io = |message: String| CessationError::Io {
        path: path.display().to_string(),
        message,
    };
    let bytes = serde_json::to_vec_pretty(record).map_err(|e| io(e.to_string()))?;
    let tmp = dir.join(format!(".{RECORD_FILE}.new"));
    std::fs::write(&tmp, bytes).map_err(|e| io(e.to_string()))?;
    std::fs::rename(&tmp, &path).map_err(|e| io(e.to_string()))
}

/// Gives notice of cessation (art. 22.2) at `at`, to stop on `stops_on`: checks the thirty
/// days, records `center.cessation-notice` in the audit log, then writes `cessation.json` in
/// `dir`. A second notice is [`CessationError::AlreadyGiven`].
pub fn give_notice(
    dir: &Path,
    store: &dyn Store,
    at: OffsetDateTime,
    stops_on: Date,
    successor: &str,
    actor: &str,
) -> Result<CessationRecord, CessationError> {
    if let Some(given) = read_record(dir)? {
        return Err(CessationError::AlreadyGiven {
            announced_on: given.notice.announced_on,
            stops_on: given.notice.stops_on,
        });
    }
    let notice = CessationNotice::new(at, stops_on, successor)?;
    store.append_audit(&AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "center.cessation-notice".into(),
        details: json!({
            "article": "22.2",
            "announced_on": notice.announced_on.to_string(),
            "stops_on": notice.stops_on.to_string(),
            "successor": notice.successor,
        }),
    })?;
    let record = CessationRecord {
        notice,
        announced_at: at,
        offered: Vec::new(),
        transferred: Vec::new(),
        finalized: None,
    };
    write_record(dir, &record)?;
    Ok(record)
}

/// Whether the center in `dir` may still act at `at`: `Ok(None)` without a notice, `Ok(Some)`
/// with the notice while its term runs (up to the day before the stop day), and
/// [`CessationError::TermEnded`] from the stop day on.
pub fn check_active(
    dir: &Path,
    at: OffsetDateTime,
) -> Result<Option<CessationRecord>, CessationError> {
    let Some(record) = read_record(dir)? else {
        return Ok(None);
    };
    let on = eds_profile::kz_time::legal_date(at);
    if on >= record.notice.stops_on {
        return Err(CessationError::TermEnded {
            stops_on: record.notice.stops_on,
            on,
        });
    }
    Ok(Some(record))
}

/// Adds `serials` to the record's transferred certificates (an export in the notice's term).
pub fn record_transferred(dir: &Path, serials: &[Serial]) -> Result<(), CessationError> {
    let Some(mut record) = read_record(dir)? else {
        return Ok(());
    };
    let known: BTreeSet<Serial> = record.transferred.iter().cloned().collect();
    record
        .transferred
        .extend(serials.iter().filter(|s| !known.contains(s)).cloned());
    write_record(dir, &record)
}

/// Records an export made in the notice's term as offered to the successor (art. 22.3): its
/// certificates count as transferred once the successor's receipt is confirmed ([`confirm`]).
/// Nothing is recorded without a notice.
pub fn record_offered(
    dir: &Path,
    sha256: &str,
    serials: &[Serial],
    at: OffsetDateTime,
) -> Result<(), CessationError> {
    let Some(mut record) = read_record(dir)? else {
        return Ok(());
    };
    record.offered.push(Offer {
        sha256: sha256.to_owned(),
        at,
        serials: serials.to_vec(),
    });
    write_record(dir, &record)
}

/// Records the successor's receipt (art. 22.3: the transfer is complete when the receiving center
/// took the certificates): its serials, all of them offered by the export it names, become
/// transferred, with the audit entry `center.cessation-transfer-confirmed`. The receipt's
/// signature is checked by the caller ([`crate::transfer::read_receipt`]). Refused without a
/// notice, from the stop day on (`TermEnded`: what was not transferred by then has terminated),
/// for an export this center did not make in the term (`UnknownExport`) and for a serial that
/// export did not carry (`NotOffered`); nothing is recorded then. Returns the serials newly
/// transferred.
pub fn confirm(
    dir: &Path,
    store: &dyn Store,
    receipt: &crate::transfer::Receipt,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Vec<Serial>, CessationError> {
    let Some(mut record) = check_active(dir, at)? else {
        return Err(CessationError::NoNotice);
    };
    let Some(offer) = record
        .offered
        .iter()
        .find(|o| o.sha256.eq_ignore_ascii_case(&receipt.export_sha256))
    else {
        return Err(CessationError::UnknownExport {
            sha256: receipt.export_sha256.clone(),
        });
    };
    let offered: BTreeSet<&Serial> = offer.serials.iter().collect();
    if let Some(s) = receipt.serials.iter().find(|s| !offered.contains(s)) {
        return Err(CessationError::NotOffered {
            serial: s.to_string(),
        });
    }
    let known: BTreeSet<Serial> = record.transferred.iter().cloned().collect();
    let new: Vec<Serial> = receipt
        .serials
        .iter()
        .filter(|s| !known.contains(s))
        .cloned()
        .collect();
    store.append_audit(&AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "center.cessation-transfer-confirmed".into(),
        details: json!({
            "article": "22.3",
            "successor": receipt.successor,
            "export_sha256": receipt.export_sha256,
            "received_at": receipt.received_at.unix_timestamp(),
            "serials": receipt.serials.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    })?;
    record.transferred.extend(new.iter().cloned());
    write_record(dir, &record)?;
    Ok(new)
}

/// After the notice's term (from the stop day on): what the center keeps (art. 22.4), the
/// certificates not transferred, the refusals and the verified audit log, with
/// `center.cessation-retained` recorded last.
pub fn retain(
    store: &dyn Store,
    record: &CessationRecord,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Retained, CessationError> {
    let on = eds_profile::kz_time::legal_date(at);
    if on < record.notice.stops_on {
        return Err(CessationError::TermNotEnded {
            stops_on: record.notice.stops_on,
            on,
        });
    }
    if let AuditVerification::Broken { seq, problem } = store.verify_audit()? {
        return Err(CessationError::AuditBroken { seq, problem });
    }
    let moved: BTreeSet<&Serial> = record.transferred.iter().collect();
    let (center_certificates, not_transferred): (Vec<CertificateRecord>, Vec<CertificateRecord>) =
        store
            .list_certificates(&CertificateQuery::default())?
            .into_iter()
            .filter(|c| !moved.contains(&c.serial))
            .partition(is_center_certificate);
    store.append_audit(&AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "center.cessation-retained".into(),
        details: json!({
            "article": "22.4",
            "stops_on": record.notice.stops_on.to_string(),
            "transferred": record.transferred.len(),
            "not_transferred": not_transferred.len(),
            "center_certificates": center_certificates.len(),
        }),
    })?;
    let refusals = store.refusals()?;
    let audit = all_audit(store)?;
    let head = store.audit_head()?;
    Ok(Retained {
        notice: record.notice.clone(),
        not_transferred,
        center_certificates,
        refusals,
        audit,
        head,
    })
}

/// From the stop day on (art. 22.4): revokes every owner certificate of the issuing center that
/// is not revoked and has not expired, effective at 00:00 in Astana on the stop day, with ground
/// `center-cessation`, in one register transaction with one audit entry
/// `center.cessation-terminated`:
///
/// * not transferred: reason cessationOfOperation (RFC 5280 §5.3.1, code 5), the certificate
///   terminates (art. 22.4);
/// * transferred (the successor confirmed taking it, [`confirm`]): reason superseded (code 4).
///   The successor holds the owner's record and answers for the owner through the certificate
///   it issues on the owner's request (its own CRL and OCSP); after the stop day nobody could
///   publish a revocation of the ceded certificate under this center's name, so it must not
///   stay alive (docs/law.md, art. 22.3).
///
/// The responder's and the TSA's certificates stay (they answer for the past). Returns the
/// serials ended (not transferred), those superseded, and the effective instant.
pub fn terminate(
    store: &dyn Store,
    record: &CessationRecord,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Terminated, CessationError> {
    let on = eds_profile::kz_time::legal_date(at);
    if on < record.notice.stops_on {
        return Err(CessationError::TermNotEnded {
            stops_on: record.notice.stops_on,
            on,
        });
    }
    let effective =
        eds_profile::kz_time::start_of_day(record.notice.stops_on).to_offset(time::UtcOffset::UTC);
    let moved: BTreeSet<&Serial> = record.transferred.iter().collect();
    let revs: Vec<NewRevocation> = store
        .list_certificates(&CertificateQuery::default())?
        .into_iter()
        .filter(|c| {
            c.issuer == crate::center::ISSUING
                && c.kind != crate::ocsp::signer::KIND
                && c.kind != crate::tsa::KIND
                && c.revocation.is_none()
                && c.not_after > effective
        })
        .map(|c| {
            let (reason, note) = if moved.contains(&c.serial) {
                (
                    CrlReason::Superseded,
                    format!(
                        "transferred to {} (art. 22.3): superseded by the certificate it issues",
                        record.notice.successor
                    ),
                )
            } else {
                (
                    RevocationGround::CenterCessation.crl_reason(),
                    "not transferred when the center stopped (art. 22.4)".to_owned(),
                )
            };
            NewRevocation {
                serial: c.serial,
                record: RevocationRecord {
                    ground: RevocationGround::CenterCessation,
                    reason,
                    notified_by: "center (art. 22.4)".into(),
                    received_at: effective,
                    entered_at: effective,
                    invalidity_date: None,
                    note: Some(note),
                },
            }
        })
        .collect();
    let (superseded, ended): (Vec<&NewRevocation>, Vec<&NewRevocation>) = revs
        .iter()
        .partition(|r| r.record.reason == CrlReason::Superseded);
    let done = Terminated {
        ended: ended.iter().map(|r| r.serial.clone()).collect(),
        superseded: superseded.iter().map(|r| r.serial.clone()).collect(),
        effective_at: effective,
    };
    let text = |v: &[Serial]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let event = AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "center.cessation-terminated".into(),
        details: json!({
            "article": "22.4",
            "stops_on": record.notice.stops_on.to_string(),
            "effective_at": effective.unix_timestamp(),
            "terminated": text(&done.ended),
            "superseded": text(&done.superseded),
            "successor": record.notice.successor,
        }),
    };
    if revs.is_empty() {
        store.append_audit(&event)?;
    } else {
        store.revoke(&revs, &event)?;
    }
    Ok(done)
}

/// What [`terminate`] revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminated {
    /// Not transferred: cessationOfOperation.
    pub ended: Vec<Serial>,
    /// Transferred: superseded.
    pub superseded: Vec<Serial>,
    /// When the revocations take effect (00:00 in Astana on the stop day).
    #[serde(with = "time::serde::rfc3339")]
    pub effective_at: OffsetDateTime,
}

/// Ends the cessation of the center in `center.dir()` at `at`, on or after its stop day
/// (art. 22.4): [`terminate`], then the final CRLs of the issuing center (signed with `key`) and
/// of the root (`passphrase`), both with nextUpdate at the end of the issuing certificate's
/// validity (RFC 5280 §5.1.2.5: a relying party needs the list as long as any certificate it
/// covers could be relied on), then the record in `cessation.json`. Refused before the stop day
/// (`TermNotEnded`), without a notice (`NoNotice`) and once done (`AlreadyFinalized`). A run
/// stopped between the revocations and the record is completed by running it again.
pub fn finalize(
    center: &crate::center::Center,
    key: &crate::center::IssuingKey,
    passphrase: &[u8],
    at: OffsetDateTime,
    actor: &str,
) -> Result<Finalized, CessationError> {
    let dir = center.dir();
    let Some(mut record) = read_record(dir)? else {
        return Err(CessationError::NoNotice);
    };
    if let Some(done) = &record.finalized {
        return Err(CessationError::AlreadyFinalized {
            at: done.at,
            crl_number: done.crl_number,
        });
    }
    let done = terminate(center.store(), &record, at, actor)?;
    let until = center.issuing_not_after();
    let ca = |e: crate::CaError| CessationError::Ca(Box::new(e));
    let (crl, _) = center
        .publish_final_crl(key, actor, at, until)
        .map_err(ca)?;
    center
        .publish_root_crl_until(passphrase, actor, at, Some(until))
        .map_err(ca)?;
    let finalized = Finalized {
        at: at.to_offset(time::UtcOffset::UTC),
        effective_at: done.effective_at,
        terminated: done.ended,
        superseded: done.superseded,
        crl_number: crl.number,
        crl_entries: crl.entries,
        this_update: crl.this_update.to_offset(time::UtcOffset::UTC),
        next_update: crl.next_update,
    };
    record.finalized = Some(finalized.clone());
    write_record(dir, &record)?;
    Ok(finalized)
}

/// Whether `c` is one of the center's own certificates rather than an owner's: its root or
/// issuing CA certificate (kinds `ca-root`, `ca-issuing`), or one of its OCSP responder or TSA
/// (kinds [`crate::ocsp::signer::KIND`], [`crate::tsa::KIND`]), issued by this center (not
/// taken over from another: those carry an issuer label `transferred:…` and are owners').
pub fn is_center_certificate(c: &CertificateRecord) -> bool {
    let own = c.issuer == crate::center::ROOT || c.issuer == crate::center::ISSUING;
    own && (c.kind.starts_with("ca-")
        || c.kind == crate::ocsp::signer::KIND
        || c.kind == crate::tsa::KIND)
}

fn all_audit(store: &dyn Store) -> Result<Vec<AuditEntry>, StoreError> {
    let mut audit = Vec::new();
    loop {
        let from_seq = u64::try_from(audit.len()).unwrap_or(u64::MAX);
        let page = store.audit_entries(from_seq.saturating_add(1), AUDIT_PAGE)?;
        if page.is_empty() {
            return Ok(audit);
        }
        audit.extend(page);
    }
}

/// The notice of a center that stops (art. 22.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CessationNotice {
    /// The day the participants and the authorised body were informed (Kazakhstan's date).
    #[serde(with = "day")]
    pub announced_on: Date,
    /// The day the center stops.
    #[serde(with = "day")]
    pub stops_on: Date,
    /// The center the certificates go to (its name as the notice gives it).
    pub successor: String,
}

impl CessationNotice {
    /// A notice given at `announced_at` to stop on `stops_on`, at least
    /// [`NOTICE_CALENDAR_DAYS`] calendar days later.
    pub fn new(
        announced_at: OffsetDateTime,
        stops_on: Date,
        successor: &str,
    ) -> Result<Self, CessationError> {
        let announced_on = eds_profile::kz_time::legal_date(announced_at);
        let earliest = announced_on.saturating_add(Duration::days(NOTICE_CALENDAR_DAYS));
        if stops_on < earliest {
            return Err(CessationError::NoticeTooShort {
                announced_on,
                stops_on,
                earliest,
            });
        }
        Ok(Self {
            announced_on,
            stops_on,
            successor: successor.to_owned(),
        })
    }
}

/// What the ceasing center keeps (art. 22.4): for the caller to store, e.g. as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retained {
    /// The notice the transfer followed.
    pub notice: CessationNotice,
    /// The owners' certificates that were not transferred (their owners did not agree, or the
    /// successor did not confirm taking them): they stop with the center.
    pub not_transferred: Vec<CertificateRecord>,
    /// The center's own certificates (its root and issuing CA certificates, its OCSP responder's
    /// and TSA's, [`is_center_certificate`]): no owner's, so never "not transferred", but stored
    /// with the rest (art. 22.4: a relying party checks old signatures and answers against them).
    pub center_certificates: Vec<CertificateRecord>,
    /// Every refusal the center recorded (art. 14-1).
    pub refusals: Vec<RefusalRecord>,
    /// The whole audit log, verified, the transfer's own entry last.
    pub audit: Vec<AuditEntry>,
    /// Its head.
    pub head: AuditHead,
}

/// The outcome of [`transfer_register`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transfer {
    /// Serials now in the receiving register and confirmed as transferred, in the order issued.
    pub transferred: Vec<Serial>,
    /// How many of them were revoked (and stay so).
    pub revoked: usize,
    /// The export's digest, which the receipt names.
    pub export_sha256: String,
    /// The successor's receipt, its signature verified.
    pub receipt: crate::transfer::Receipt,
}

/// Transfers the certificates of the ceding center `from` whose owners agreed (`consented`) to
/// the center `to`, at `at`, in the notice's term (art. 22.3), the whole lawful way in one call:
///
/// 1. `from` exports them signed by its issuing key, recorded as offered
///    ([`crate::transfer::export_from_center`]: refused from the stop day on, `TermEnded`, or
///    when its audit log does not verify);
/// 2. `to` imports the file, `check_export` verifying the signature with `from`'s issuing
///    certificate as `to` obtained it, keeps the file and signs its receipt
///    ([`crate::transfer::import_into_center`]: all or nothing, a serial `to` already holds
///    fails it);
/// 3. `from` reads the receipt, `check_receipt` verifying it with `to`'s issuing certificate,
///    and records the serials as transferred ([`confirm`]).
///
/// Refused without a notice (`NoNotice`) and for a consent naming a certificate `from` did not
/// issue (`UnknownSerial`); a failure of steps 1–2 is [`CessationError::Transfer`]. What is not
/// transferred stays and terminates at [`finalize`]; [`retain`] gathers it after the term.
#[expect(
    clippy::too_many_arguments,
    reason = "two centers, their keys and their checks"
)]
pub fn transfer_register(
    from: &crate::center::Center,
    from_key: &crate::center::IssuingKey,
    to: &crate::center::Center,
    to_key: &crate::center::IssuingKey,
    consented: &BTreeSet<Serial>,
    check_export: crate::transfer::SignatureCheck<'_>,
    check_receipt: crate::transfer::SignatureCheck<'_>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Transfer, CessationError> {
    use crate::transfer::{self, TransferError};
    if check_active(from.dir(), at)?.is_none() {
        return Err(CessationError::NoNotice);
    }
    let transfer_error = |e: TransferError| match e {
        TransferError::Cessation(e) => *e,
        TransferError::Store(StoreError::UnknownSerial { serial }) => {
            CessationError::UnknownSerial {
                serial: serial.to_string(),
            }
        }
        other => CessationError::Transfer(Box::new(other)),
    };
    let exported = transfer::export_from_center(from, from_key, Some(consented), at, actor)
        .map_err(transfer_error)?;
    let imported =
        transfer::import_into_center(to, to_key, &exported.bytes, check_export, at, actor)
            .map_err(transfer_error)?;
    let receipt =
        transfer::read_receipt(&imported.receipt, check_receipt).map_err(transfer_error)?;
    confirm(from.dir(), from.store(), &receipt, at, actor)?;
    Ok(Transfer {
        transferred: imported.summary.serials,
        revoked: imported.summary.revoked,
        export_sha256: imported.summary.sha256,
        receipt,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use eds_profile::grounds::{CrlReason, RevocationGround};

    use super::*;
    use crate::store::{CertificateStore, RevocationRecord, SqliteStore};

    fn cert(serial: &str, iin: &str, revoked: bool) -> CertificateRecord {
        let t = datetime!(2026-01-10 10:00 UTC);
        CertificateRecord {
            serial: Serial::from_hex(serial).unwrap_or_else(|e| panic!("{e}")),
            issuer: "issuing".into(),
            subject: format!("CN=Holder {iin}"),
            kind: "individual".into(),
            iin: Some(iin.into()),
            bin: None,
            key_purpose: Some("sign".into()),
            not_before: t,
            not_after: t + Duration::days(365),
            issued_at: t,
            confidential: false,
            der: vec![0x30, 0x00],
            revocation: revoked.then(|| RevocationRecord {
                ground: RevocationGround::HolderRequest,
                reason: CrlReason::Unspecified,
                notified_by: "holder".into(),
                received_at: t + Duration::days(2),
                entered_at: t + Duration::days(2),
                invalidity_date: None,
                note: None,
            }),
        }
    }

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            at: datetime!(2026-01-10 10:00 UTC),
            actor: "test".into(),
            action: action.into(),
            details: json!({}),
        }
    }

    fn store() -> SqliteStore {
        SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Art. 22.2: thirty calendar days, counted on Kazakhstan's date: a notice at 23:00 in Astana
    /// on 1 March (18:00Z) allows 31 March; at 00:30 on 2 March (19:30Z on 1 March), 1 April.
    #[test]
    fn art22_2_notice_thirty_calendar_days_in_astana() {
        let n = CessationNotice::new(datetime!(2026-03-01 18:00 UTC), date!(2026 - 03 - 31), "B");
        assert_eq!(
            n.map(|n| n.announced_on),
            Ok(date!(2026 - 03 - 01)),
            "23:00 in Astana is still 1 March"
        );
        assert_eq!(
            CessationNotice::new(datetime!(2026-03-01 19:30 UTC), date!(2026 - 03 - 31), "B"),
            Err(CessationError::NoticeTooShort {
                announced_on: date!(2026 - 03 - 02),
                stops_on: date!(2026 - 03 - 31),
                earliest: date!(2026 - 04 - 01),
            })
        );
        assert!(
            CessationNotice::new(datetime!(2026-03-01 19:30 UTC), date!(2026 - 04 - 01), "B")
                .is_ok()
        );
    }

    /// The notice in the data folder (art. 22.2, 22.4): a second notice is `AlreadyGiven` and
    /// changes nothing; the center works until 23:59 in Astana on the day before its stop day
    /// and has stopped at 00:00 (19:00Z); exported serials are recorded once; `retain` is
    /// refused before the stop day and keeps the owners' certificates not transferred after it,
    /// the center's own (CA, TSA) apart.
    #[test]
    fn art22_notice_record_stop_day_and_retain() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let a = store();
        for s in ["0D01", "0D02"] {
            a.insert_certificate(&cert(s, "850312400009", false), &event("certificate.issue"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // The center's own: its issuing CA certificate and its TSA's.
        for (s, issuer, kind) in [
            ("0D03", crate::center::ROOT, "ca-issuing"),
            ("0D04", crate::center::ISSUING, crate::tsa::KIND),
        ] {
            let mut own = cert(s, "850312400009", false);
            own.issuer = issuer.into();
            own.kind = kind.into();
            own.iin = None;
            a.insert_certificate(&own, &event("certificate.issue"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let hex = |s: &str| Serial::from_hex(s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            check_active(dir.path(), datetime!(2030-01-01 0:00 UTC)),
            Ok(None)
        );
        let given = give_notice(
            dir.path(),
            &a,
            datetime!(2026-03-02 05:00 UTC),
            date!(2026 - 04 - 01),
            "B",
            "operator",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_record(dir.path()), Ok(Some(given.clone())));
        assert_eq!(
            give_notice(
                dir.path(),
                &a,
                datetime!(2026-03-03 05:00 UTC),
                date!(2026 - 05 - 01),
                "C",
                "operator",
            ),
            Err(CessationError::AlreadyGiven {
                announced_on: date!(2026 - 03 - 02),
                stops_on: date!(2026 - 04 - 01),
            })
        );
        assert_eq!(read_record(dir.path()), Ok(Some(given.clone())));
        assert_eq!(
            check_active(dir.path(), datetime!(2026-03-31 18:59:59 UTC)),
            Ok(Some(given.clone()))
        );
        assert_eq!(
            check_active(dir.path(), datetime!(2026-03-31 19:00 UTC)),
            Err(CessationError::TermEnded {
                stops_on: date!(2026 - 04 - 01),
                on: date!(2026 - 04 - 01),
            })
        );
        record_transferred(dir.path(), &[hex("0D01")]).unwrap_or_else(|e| panic!("{e}"));
        record_transferred(dir.path(), &[hex("0D01")]).unwrap_or_else(|e| panic!("{e}"));
        let record = read_record(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(record.transferred, vec![hex("0D01")]);
        assert_eq!(
            retain(&a, &record, datetime!(2026-03-31 18:00 UTC), "operator").map(|r| r.head),
            Err(CessationError::TermNotEnded {
                stops_on: date!(2026 - 04 - 01),
                on: date!(2026 - 03 - 31),
            })
        );
        let kept = retain(&a, &record, datetime!(2026-03-31 19:00 UTC), "operator")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            kept.not_transferred
                .iter()
                .map(|c| c.serial.clone())
                .collect::<Vec<_>>(),
            vec![hex("0D02")]
        );
        // The center's own certificates are kept apart, never as "not transferred".
        assert_eq!(
            kept.center_certificates
                .iter()
                .map(|c| c.serial.clone())
                .collect::<Vec<_>>(),
            vec![hex("0D03"), hex("0D04")]
        );
        let actions: Vec<&str> = kept.audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "certificate.issue",
                "certificate.issue",
                "certificate.issue",
                "certificate.issue",
                "center.cessation-notice",
                "center.cessation-retained"
            ]
        );
        assert_eq!(kept.head.entries, 6);
    }
}
