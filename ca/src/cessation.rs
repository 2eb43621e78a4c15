//! A center that stops (EDS law art. 22).
//!
//! * 22.2: the center informs the participants it serves and the authorised body thirty calendar
//!   days before it stops: [`CessationNotice::new`] refuses a shorter notice. The days are
//!   Kazakhstan's (`eds_profile::kz_time`): a notice at 23:00 in Astana is of that day, whatever
//!   the UTC date.
//! * 22.3: the certificates it issued, with their owners' details, are transferred to another
//!   center "by coordination with the owner": [`transfer_register`] moves the certificates whose
//!   owners agreed into the receiving center's register, revoked ones staying revoked, all of
//!   them or none, each register's audit log recording its side.
//! * 22.4: what is not transferred when the notice's term ends stops and is kept:
//!   [`Transfer::retained`] holds those certificates, the refusals and the whole audit log of the
//!   ceasing center (its chain verified first), for the caller to store.
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
    let not_transferred: Vec<CertificateRecord> = store
        .list_certificates(&CertificateQuery::default())?
        .into_iter()
        .filter(|c| !moved.contains(&c.serial))
        .collect();
    store.append_audit(&AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "center.cessation-retained".into(),
        details: json!({
            "article": "22.4",
            "stops_on": record.notice.stops_on.to_string(),
            "transferred": record.transferred.len(),
            "not_transferred": not_transferred.len(),
        }),
    })?;
    let refusals = store.refusals()?;
    let audit = all_audit(store)?;
    let head = store.audit_head()?;
    Ok(Retained {
        notice: record.notice.clone(),
        not_transferred,
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
    /// The certificates whose owners did not agree to the transfer: they stop with the center.
    pub not_transferred: Vec<CertificateRecord>,
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
    /// Serials now in the receiving register, in the order issued.
    pub transferred: Vec<Serial>,
    /// How many of them were revoked (and stay so).
    pub revoked: usize,
    /// What the ceasing center keeps.
    pub retained: Retained,
}

/// Transfers the certificates of `from` whose owners agreed (`consented`) into `to`, at `at`
/// (art. 22.3), and returns what `from` keeps (art. 22.4).
///
/// Refused when the notice's term has ended (`TermEnded`, from the stop day on), when `from`'s audit log does not
/// verify (`AuditBroken`), or when a consent names an unknown serial (`UnknownSerial`). The
/// certificates enter `to` in one batch (a serial it already holds fails the whole transfer,
/// `StoreError::DuplicateSerial`), with an audit entry `register.transfer-in`; `from` then records
/// `register.transfer-out`. The receiving center's other certificates are not touched.
pub fn transfer_register(
    from: &dyn Store,
    to: &dyn Store,
    notice: &CessationNotice,
    consented: &BTreeSet<Serial>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Transfer, CessationError> {
    let on = eds_profile::kz_time::legal_date(at);
    if on >= notice.stops_on {
        return Err(CessationError::TermEnded {
            stops_on: notice.stops_on,
            on,
        });
    }
    if let AuditVerification::Broken { seq, problem } = from.verify_audit()? {
        return Err(CessationError::AuditBroken { seq, problem });
    }
    let all = from.list_certificates(&CertificateQuery::default())?;
    let known: BTreeSet<&Serial> = all.iter().map(|c| &c.serial).collect();
    if let Some(unknown) = consented.iter().find(|s| !known.contains(s)) {
        return Err(CessationError::UnknownSerial {
            serial: unknown.to_string(),
        });
    }
    let (moving, staying): (Vec<CertificateRecord>, Vec<CertificateRecord>) =
        all.into_iter().partition(|c| consented.contains(&c.serial));
    let transferred: Vec<Serial> = moving.iter().map(|c| c.serial.clone()).collect();
    let revoked = moving.iter().filter(|c| c.revocation.is_some()).count();
    let details = json!({
        "article": "22.3",
        "announced_on": notice.announced_on.to_string(),
        "stops_on": notice.stops_on.to_string(),
        "successor": notice.successor,
        "certificates": transferred.len(),
        "revoked": revoked,
        "not_transferred": staying.len(),
    });
    if !moving.is_empty() {
        to.insert_certificates(
            &moving,
            &AuditEvent {
                at,
                actor: actor.to_owned(),
                action: "register.transfer-in".into(),
                details: details.clone(),
            },
        )?;
    }
    from.append_audit(&AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "register.transfer-out".into(),
        details,
    })?;
    let refusals = from.refusals()?;
    let audit = all_audit(from)?;
    let head = from.audit_head()?;
    Ok(Transfer {
        transferred,
        revoked,
        retained: Retained {
            notice: notice.clone(),
            not_transferred: staying,
            refusals,
            audit,
            head,
        },
    })
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use eds_profile::grounds::{CrlReason, RevocationGround};

    use super::*;
    use crate::store::{AuditStore, CertificateStore, RevocationRecord, SqliteStore};

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
    /// refused before the stop day and keeps the certificates not transferred after it.
    #[test]
    fn art22_notice_record_stop_day_and_retain() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let a = store();
        for s in ["0D01", "0D02"] {
            a.insert_certificate(&cert(s, "850312400009", false), &event("certificate.issue"))
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
        let actions: Vec<&str> = kept.audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "certificate.issue",
                "certificate.issue",
                "center.cessation-notice",
                "center.cessation-retained"
            ]
        );
        assert_eq!(kept.head.entries, 4);
    }

    /// Art. 22.3–22.4: the consented certificates move (the revoked one stays revoked), the
    /// others are retained with the refusals and the verified audit log, each side's log records
    /// the transfer and stays intact.
    #[test]
    fn art22_3_transfer_consented_certificates_retain_the_rest() {
        let (a, b) = (store(), store());
        for (s, iin, revoked) in [
            ("01A1", "850312400009", false),
            ("01A2", "900101300012", true),
            ("01A3", "751010400016", false),
        ] {
            a.insert_certificate(&cert(s, iin, revoked), &event("certificate.issue"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        b.insert_certificate(
            &cert("02B1", "850312400009", false),
            &event("certificate.issue"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let notice =
            CessationNotice::new(datetime!(2026-02-01 05:00 UTC), date!(2026 - 03 - 03), "B")
                .unwrap_or_else(|e| panic!("{e}"));
        let hex = |s: &str| Serial::from_hex(s).unwrap_or_else(|e| panic!("{e}"));
        let consented: BTreeSet<Serial> = [hex("01A1"), hex("01A2")].into_iter().collect();
        let t = transfer_register(
            &a,
            &b,
            &notice,
            &consented,
            datetime!(2026-02-20 06:00 UTC),
            "operator",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.transferred, vec![hex("01A1"), hex("01A2")]);
        assert_eq!(t.revoked, 1);
        let in_b: Vec<String> = b
            .list_certificates(&CertificateQuery::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|c| c.serial.to_string())
            .collect();
        assert_eq!(in_b.len(), 3);
        let moved = b
            .certificate(&hex("01A2"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            moved.and_then(|c| c.revocation).map(|r| r.ground),
            Some(RevocationGround::HolderRequest)
        );
        assert_eq!(
            t.retained
                .not_transferred
                .iter()
                .map(|c| c.serial.clone())
                .collect::<Vec<_>>(),
            vec![hex("01A3")]
        );
        // A's log: three issues, then the transfer-out, all verified and handed on.
        let actions: Vec<&str> = t.retained.audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "certificate.issue",
                "certificate.issue",
                "certificate.issue",
                "register.transfer-out"
            ]
        );
        assert_eq!(t.retained.head.entries, 4);
        assert!(matches!(
            a.verify_audit(),
            Ok(AuditVerification::Intact { entries: 4, .. })
        ));
        let b_log = b.audit_entries(1, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            b_log.last().map(|e| e.action.as_str()),
            Some("register.transfer-in")
        );
        assert!(matches!(
            b.verify_audit(),
            Ok(AuditVerification::Intact { entries: 2, .. })
        ));
    }

    /// All or none: a serial the receiving center already holds fails the transfer and leaves
    /// its register as it was; a consent for an unknown serial, a ceasing register whose audit
    /// log was edited and a transfer after the day the center stopped are refused.
    #[test]
    fn fail_art22_transfer_duplicate_unknown_and_late() {
        let (a, b) = (store(), store());
        let hex = |s: &str| Serial::from_hex(s).unwrap_or_else(|e| panic!("{e}"));
        for s in ["0A01", "0A02"] {
            a.insert_certificate(&cert(s, "850312400009", false), &event("certificate.issue"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        b.insert_certificate(
            &cert("0A02", "850312400009", false),
            &event("certificate.issue"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let notice =
            CessationNotice::new(datetime!(2026-02-01 05:00 UTC), date!(2026 - 03 - 03), "B")
                .unwrap_or_else(|e| panic!("{e}"));
        let both: BTreeSet<Serial> = [hex("0A01"), hex("0A02")].into_iter().collect();
        let at = datetime!(2026-02-20 06:00 UTC);
        assert!(matches!(
            transfer_register(&a, &b, &notice, &both, at, "operator"),
            Err(CessationError::Store(StoreError::DuplicateSerial { .. }))
        ));
        assert_eq!(
            b.list_certificates(&CertificateQuery::default())
                .map(|v| v.len())
                .unwrap_or_else(|e| panic!("{e}")),
            1
        );
        let unknown: BTreeSet<Serial> = [hex("0FFF")].into_iter().collect();
        assert_eq!(
            transfer_register(&a, &b, &notice, &unknown, at, "operator"),
            Err(CessationError::UnknownSerial {
                serial: hex("0FFF").to_string()
            })
        );
        // An edited audit entry in the ceasing center: its register is not handed on.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("register.db");
        let c = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
        c.insert_certificate(
            &cert("0C01", "850312400009", false),
            &event("certificate.issue"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        rusqlite::Connection::open(&path)
            .and_then(|db| {
                db.execute(
                    "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1",
                    [],
                )
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let one: BTreeSet<Serial> = [hex("0C01")].into_iter().collect();
        assert_eq!(
            transfer_register(&c, &b, &notice, &one, at, "operator"),
            Err(CessationError::AuditBroken {
                seq: 1,
                problem: AuditProblem::HashMismatch,
            })
        );
        assert_eq!(b.certificate(&hex("0C01")), Ok(None));
        // 3 March 19:00Z is 4 March in Astana: the day after the center stopped.
        assert_eq!(
            transfer_register(
                &a,
                &b,
                &notice,
                &both,
                datetime!(2026-03-03 19:00 UTC),
                "operator"
            ),
            Err(CessationError::TermEnded {
                stops_on: date!(2026 - 03 - 03),
                on: date!(2026 - 03 - 04),
            })
        );
    }
}
