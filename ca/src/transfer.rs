//! A whole register handed to another center (EDS law art. 22.3): `eds ca export` and
//! `eds ca import`.
//!
//! # The export file (format `eds-register-export`, version 2)
//!
//! One JSON object:
//!
//! ```text
//! {
//!   "format": "eds-register-export",
//!   "version": 2,
//!   "sha256": "<hex SHA-256 of the canonical JSON text of body>",
//!   "signature": { "signer": "<the exporting center's issuing certificate subject, RFC 4514>",
//!                  "algorithm": "<hex DER AlgorithmIdentifier>",
//!                  "value": "<hex signature over the canonical JSON text of body>" },
//!   "body": {
//!     "center": "<the exporting center's name>",
//!     "exported_at": "<RFC 3339>",
//!     "certificates": [ { "serial", "issuer", "subject", "kind", "iin", "bin", "key_purpose",
//!                         "not_before", "not_after", "issued_at", "confidential",
//!                         "der" (hex), "revocation": null | { "ground", "reason",
//!                         "notified_by", "received_at", "entered_at", "invalidity_date",
//!                         "note" } } ],
//!     "refusals": [ { "id", "at", "ground", "detail", "iin", "bin", "request_json" } ],
//!     "bans": [ { "id", "iin", "bin", "court_decision", "effective_from", "lifted_on" } ],
//!     "audit": [ { "seq", "at", "actor", "action", "details" (canonical JSON text),
//!                  "prev_hash" (hex), "hash" (hex) } ],
//!     "audit_head": { "entries", "hash" (hex) }
//!   }
//! }
//! ```
//!
//! The canonical JSON text is [`canonical_json`]'s (keys sorted at every level, no whitespace).
//! Grounds are the names `eds_profile::grounds` gives them (`holder-request`, `death`…).
//!
//! # What the import checks, before it writes anything
//!
//! 1. the file is an export of a version this program reads ([`TransferError::Malformed`],
//!    [`TransferError::UnsupportedVersion`]);
//! 2. the digest matches the body ([`TransferError::DigestMismatch`]): a changed byte anywhere in
//!    the body is found;
//! 3. the signature over the body verifies with the key of the exporting center's issuing
//!    certificate, which the receiving center obtained from that center itself
//!    (`eds ca import --from-ca FILE`; [`TransferError::SignatureInvalid`]): a body changed and
//!    re-digested is found, and so is a file rewritten whole by anyone without that key;
//! 4. the audit log verifies as a hash chain ending at the recorded head
//!    ([`TransferError::AuditBroken`]; the chain of `crate::store::audit`): an edited entry is
//!    found even when the digest was recomputed;
//! 5. every certificate's DER parses and carries the serial its record names
//!    ([`TransferError::Inconsistent`]);
//! 6. no certificate's serial is already in the receiving register ([`TransferError::Conflict`]).
//!
//! The digest finds damage; the signature finds any edit by someone without the exporting
//! center's issuing key (the verification itself is the caller's, [`SignatureCheck`]: the
//! command line passes the verifier crate's, which knows every algorithm a center signs with);
//! the chain finds an edited audit log. Version 1 files (a digest, no signature) are refused.
//!
//! # The receipt (format `eds-transfer-receipt`, version 1)
//!
//! The receiving center answers an import with a receipt signed the same way by its own issuing
//! key ([`write_receipt`]): `{"format", "version", "signature", "body": {"successor",
//! "source_center", "export_sha256", "received_at", "serials"}}`. The ceding center records the
//! serials as transferred only on that receipt (`eds ca cessation confirm`, art. 22.3); until
//! then they are offered.
//!
//! # What the import writes
//!
//! Everything in ONE register transaction ([`crate::store::CertificateStore::import_register`]):
//! the certificates with the audit entry `register.import` naming the source center, its audit
//! head and the file's digest; then each refusal (action `register.import-refusal`) and each
//! ban (`register.import-ban`, with `ban.lift` when it was lifted). A failure anywhere (a serial
//! already held, a ban naming nobody, the database) leaves the receiving register exactly as it
//! was. The certificates keep serial, DER, dates and revocation; their issuer label becomes
//! `transferred:<center>:<label>`, so the receiving center's own CRLs (one per label of its own)
//! never list another center's certificates. Refusals and bans get the receiving register's ids.
//! The source's audit log is not merged into the receiving log (each center's chain is its own):
//! it is kept whole in the export file, which the caller stores, and anchored in the receiving
//! log by its head.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use eds_profile::grounds::{CrlReason, RefusalGround, RevocationGround};

use crate::center::{Center, IssuingKey};
use crate::cessation::{self, CessationError};
use crate::store::audit::{ChainVerifier, RawEntry, canonical_json};
use crate::store::{
    AuditEntry, AuditEvent, AuditHead, AuditProblem, AuditVerification, Ban, CertificateQuery,
    CertificateRecord, ImportedBan, NewBan, NewRefusal, RefusalRecord, RegisterImport,
    RevocationRecord, Serial, Store, StoreError,
};

/// The `format` of an export file.
pub const FORMAT: &str = "eds-register-export";

/// The version this program writes and reads.
pub const VERSION: u32 = 2;

/// The `format` of a receipt.
pub const RECEIPT_FORMAT: &str = "eds-transfer-receipt";

/// Checks a signature: `(message, algorithm, value)`, the algorithm a DER AlgorithmIdentifier;
/// `Err` says why it does not verify. The caller binds it to the signer's certificate.
pub type SignatureCheck<'a> = &'a dyn Fn(&[u8], &[u8], &[u8]) -> Result<(), String>;

/// Audit entries read per call while exporting.
const AUDIT_PAGE: u64 = 10_000;

/// Why an export could not be made or an import was refused. Nothing was imported when it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    /// The file is not an export (JSON syntax, missing or mistyped field).
    #[error("read register export: {reason}")]
    Malformed {
        /// Where and what.
        reason: String,
    },
    /// An export of a format or version this program does not read.
    #[error(
        "read register export: format {format:?} version {version} is not {FORMAT:?} version \
         {VERSION}"
    )]
    UnsupportedVersion {
        /// The format found.
        format: String,
        /// The version found.
        version: u32,
    },
    /// The body does not hash to the digest the file records: it was changed or damaged.
    #[error(
        "verify register export: the body's SHA-256 is {found}, the file records {recorded}; \
         the export was changed or damaged"
    )]
    DigestMismatch {
        /// The digest in the file.
        recorded: String,
        /// The digest of the body as read.
        found: String,
    },
    /// The signature over the body does not verify with the signer's certificate given: the file
    /// was changed (even re-digested) or was not signed by that center.
    #[error("verify {what}: its signature does not verify with the certificate given ({reason})")]
    SignatureInvalid {
        /// "register export" or "transfer receipt".
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The exported audit log does not verify (EDS law art. 21.2).
    #[error("verify register export: its audit log is broken at entry {seq} ({problem:?})")]
    AuditBroken {
        /// The first entry that is missing, altered or unlinked.
        seq: u64,
        /// What is wrong there.
        problem: AuditProblem,
    },
    /// A certificate record does not match its DER.
    #[error("verify register export: certificate {serial}: {what}")]
    Inconsistent {
        /// The record's serial.
        serial: String,
        /// What differs.
        what: String,
    },
    /// The receiving register already holds a certificate with this serial.
    #[error(
        "import register: serial {serial} is already in the receiving register; nothing was \
         imported"
    )]
    Conflict {
        /// The serial.
        serial: Serial,
    },
    /// The file could not be signed (the center's key).
    #[error("sign: {reason}")]
    Sign {
        /// Why.
        reason: String,
    },
    /// The exporting or receiving register could not be read or written.
    #[error("register: {0}")]
    Store(#[from] StoreError),
    /// The exporting center's notice of cessation forbids the export (its stop day has come:
    /// [`CessationError::TermEnded`], art. 22.4), or its record could not be read or written.
    #[error(transparent)]
    Cessation(Box<CessationError>),
    /// The receiving center may not take a register (it has stopped itself:
    /// [`crate::CaError::Ceased`]), or its issuing certificate does not read.
    #[error(transparent)]
    Center(Box<crate::CaError>),
    /// The export or the receipt could not be kept in the receiving center's data folder.
    #[error("keep {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The envelope of an export file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// SHA-256 of the canonical JSON text of `body`, hex.
    pub sha256: String,
    /// The exporting center's signature over that text.
    pub signature: FileSignature,
    /// The register, a [`RegisterExport`].
    pub body: Value,
}

/// A signature over the canonical JSON text of a file's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSignature {
    /// The signer: its certificate's subject (RFC 4514), for people; the check uses the
    /// certificate the verifying party holds.
    pub signer: String,
    /// The DER AlgorithmIdentifier, hex.
    pub algorithm: String,
    /// The signature value, hex.
    pub value: String,
}

/// Signs `message` with `key` as `signer`.
pub fn sign(
    key: &crate::center_key::CenterKey,
    signer: &str,
    message: &[u8],
) -> Result<FileSignature, TransferError> {
    let sign_err = |e: crate::CaError| TransferError::Sign {
        reason: e.to_string(),
    };
    Ok(FileSignature {
        signer: signer.to_owned(),
        algorithm: hex::encode(key.signature_algorithm_der().map_err(sign_err)?),
        value: hex::encode(key.sign(message).map_err(sign_err)?),
    })
}

fn check_signature(
    what: &'static str,
    message: &[u8],
    signature: &FileSignature,
    check: SignatureCheck<'_>,
) -> Result<(), TransferError> {
    let invalid = |reason: String| TransferError::SignatureInvalid { what, reason };
    let algorithm = hex::decode(&signature.algorithm)
        .map_err(|e| invalid(format!("the algorithm is not hex: {e}")))?;
    let value =
        hex::decode(&signature.value).map_err(|e| invalid(format!("the value is not hex: {e}")))?;
    check(message, &algorithm, &value).map_err(invalid)
}

/// The register as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterExport {
    /// The exporting center's name.
    pub center: String,
    /// When it was exported.
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    /// Its certificates, in the order issued.
    pub certificates: Vec<ExportedCertificate>,
    /// Its refusals (art. 14-1), in the order recorded.
    pub refusals: Vec<ExportedRefusal>,
    /// Its court bans (art. 14-1(3)), by id.
    pub bans: Vec<ExportedBan>,
    /// Its whole audit log.
    pub audit: Vec<ExportedAuditEntry>,
    /// The head of that log.
    pub audit_head: ExportedHead,
}

/// A certificate of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedCertificate {
    /// Serial, hex.
    pub serial: Serial,
    /// The issuer label in the exporting register.
    pub issuer: String,
    /// Subject, RFC 4514.
    pub subject: String,
    /// Kind of holder.
    pub kind: String,
    /// Holder's IIN.
    pub iin: Option<String>,
    /// Legal entity's BIN.
    pub bin: Option<String>,
    /// Key purpose.
    pub key_purpose: Option<String>,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Details kept out of the public register (art. 23.2).
    pub confidential: bool,
    /// The certificate, DER, hex.
    #[serde(with = "hex_bytes")]
    pub der: Vec<u8>,
    /// Its revocation.
    pub revocation: Option<ExportedRevocation>,
}

/// A revocation (art. 18).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedRevocation {
    /// Ground of the law.
    pub ground: RevocationGround,
    /// Reason in CRL and OCSP.
    pub reason: CrlReason,
    /// Who notified the center.
    pub notified_by: String,
    /// When the notice was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// When it entered the register.
    #[serde(with = "time::serde::rfc3339")]
    pub entered_at: OffsetDateTime,
    /// RFC 5280 §5.3.2 invalidity date.
    #[serde(with = "time::serde::rfc3339::option")]
    pub invalidity_date: Option<OffsetDateTime>,
    /// The operator's note.
    pub note: Option<String>,
}

/// A refusal (art. 14-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedRefusal {
    /// Its id in the exporting register.
    pub id: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Ground.
    pub ground: RefusalGround,
    /// The finding.
    pub detail: String,
    /// Applicant's IIN.
    pub iin: Option<String>,
    /// Applicant's BIN.
    pub bin: Option<String>,
    /// The request, JSON text.
    pub request_json: String,
}

/// A court ban (art. 14-1(3)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedBan {
    /// Its id in the exporting register.
    pub id: i64,
    /// Person.
    pub iin: Option<String>,
    /// Legal entity.
    pub bin: Option<String>,
    /// Court decision.
    pub court_decision: String,
    /// First day it applies.
    #[serde(with = "day")]
    pub effective_from: Date,
    /// First day it no longer applies.
    #[serde(with = "day::option")]
    pub lifted_on: Option<Date>,
}

/// An audit entry, as stored (its hash covers exactly these fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedAuditEntry {
    /// Sequence number.
    pub seq: u64,
    /// When, to the second.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Canonical JSON text of the details.
    pub details: String,
    /// Previous entry's hash, hex.
    pub prev_hash: String,
    /// This entry's hash, hex.
    pub hash: String,
}

/// The audit log's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedHead {
    /// Number of entries.
    pub entries: u64,
    /// Hash of the last, hex.
    pub hash: String,
}

time::serde::format_description!(day, Date, "[year]-[month]-[day]");

/// Bytes as lowercase hex text.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

/// What [`export_register`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportSummary {
    /// The file's digest (hex).
    pub sha256: String,
    /// The serials exported, in the order issued.
    pub serials: Vec<Serial>,
    /// Certificates exported.
    pub certificates: usize,
    /// Of them revoked.
    pub revoked: usize,
    /// Refusals exported.
    pub refusals: usize,
    /// Bans exported.
    pub bans: usize,
    /// The exported audit log's head.
    pub audit_head: ExportedHead,
}

/// What [`import_register`] imported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSummary {
    /// The exporting center's name.
    pub center: String,
    /// The file's digest (hex).
    pub sha256: String,
    /// The serials imported.
    pub serials: Vec<Serial>,
    /// Certificates imported.
    pub certificates: usize,
    /// Of them revoked.
    pub revoked: usize,
    /// Refusals imported.
    pub refusals: usize,
    /// Bans imported.
    pub bans: usize,
    /// The exported audit log's head, verified.
    pub audit_head: ExportedHead,
}

/// Exports `store`'s register (only the certificates `only` names, when given: art. 22.3, those
/// whose owners agreed) as the file described in the module documentation, after checking its
/// audit log; records `register.export` in the log first, so the export carries its own entry.
///
/// The body is signed with `key`, the center's issuing key, as `signer` (its certificate's
/// subject).
pub fn export_register(
    store: &dyn Store,
    center: &str,
    only: Option<&std::collections::BTreeSet<Serial>>,
    at: OffsetDateTime,
    actor: &str,
    key: &crate::center_key::CenterKey,
    signer: &str,
) -> Result<(Vec<u8>, ExportSummary), TransferError> {
    if let AuditVerification::Broken { seq, problem } = store.verify_audit()? {
        return Err(TransferError::AuditBroken { seq, problem });
    }
    let mut certificates = store.list_certificates(&CertificateQuery::default())?;
    if let Some(only) = only {
        let known: std::collections::BTreeSet<&Serial> =
            certificates.iter().map(|c| &c.serial).collect();
        if let Some(missing) = only.iter().find(|s| !known.contains(s)) {
            return Err(TransferError::Store(StoreError::UnknownSerial {
                serial: missing.clone(),
            }));
        }
        certificates.retain(|c| only.contains(&c.serial));
    }
    let refusals = store.refusals()?;
    let bans = store.bans()?;
    let revoked = certificates
        .iter()
        .filter(|c| c.revocation.is_some())
        .count();
    store.append_audit(&AuditEvent {
        at,
        actor: actor.to_owned(),
        action: "register.export".into(),
        details: json!({
            "certificates": certificates.len(),
            "revoked": revoked,
            "refusals": refusals.len(),
            "bans": bans.len(),
            "only_consented": only.is_some(),
        }),
    })?;
    let mut audit = Vec::new();
    loop {
        let next = u64::try_from(audit.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let page = store.audit_entries(next, AUDIT_PAGE)?;
        if page.is_empty() {
            break;
        }
        audit.extend(page.iter().map(exported_entry));
    }
    let head = store.audit_head()?;
    let audit_head = ExportedHead {
        entries: head.entries,
        hash: hex::encode(head.hash),
    };
    let body = RegisterExport {
        center: center.to_owned(),
        exported_at: at,
        certificates: certificates.iter().map(exported_certificate).collect(),
        refusals: refusals.iter().map(exported_refusal).collect(),
        bans: bans.iter().map(exported_ban).collect(),
        audit,
        audit_head: audit_head.clone(),
    };
    let body = serde_json::to_value(&body).map_err(|e| TransferError::Malformed {
        reason: format!("the register does not serialise: {e}"),
    })?;
    let text = canonical_json(&body)?;
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let signature = sign(key, signer, text.as_bytes())?;
    let file = ExportFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        sha256: sha256.clone(),
        signature,
        body,
    };
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| TransferError::Malformed {
        reason: format!("the export does not serialise: {e}"),
    })?;
    Ok((
        bytes,
        ExportSummary {
            sha256,
            serials: certificates.iter().map(|c| c.serial.clone()).collect(),
            certificates: certificates.len(),
            revoked,
            refusals: refusals.len(),
            bans: bans.len(),
            audit_head,
        },
    ))
}

/// Reads and checks an export file (steps 1–5 of the module documentation) without writing;
/// `check` verifies the signature with the exporting center's certificate.
pub fn read_export(
    bytes: &[u8],
    check: SignatureCheck<'_>,
) -> Result<(RegisterExport, String), TransferError> {
    let head: Value = serde_json::from_slice(bytes).map_err(|e| TransferError::Malformed {
        reason: format!("{e}"),
    })?;
    let (format, version) = (
        head.get("format")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        head.get("version")
            .and_then(Value::as_u64)
            .unwrap_or_default(),
    );
    if format != FORMAT || version != u64::from(VERSION) {
        return Err(TransferError::UnsupportedVersion {
            format: format.to_owned(),
            version: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    let file: ExportFile = serde_json::from_value(head).map_err(|e| TransferError::Malformed {
        reason: format!("{e}"),
    })?;
    let text = canonical_json(&file.body)?;
    let found = hex::encode(Sha256::digest(text.as_bytes()));
    if !found.eq_ignore_ascii_case(&file.sha256) {
        return Err(TransferError::DigestMismatch {
            recorded: file.sha256,
            found,
        });
    }
    check_signature("register export", text.as_bytes(), &file.signature, check)?;
    let body: RegisterExport =
        serde_json::from_value(file.body).map_err(|e| TransferError::Malformed {
            reason: format!("body: {e}"),
        })?;
    verify_chain(&body)?;
    for c in &body.certificates {
        check_der(c)?;
    }
    Ok((body, found))
}

/// Imports an export file into `to` (see the module documentation); nothing is written unless
/// every check passed.
pub fn import_register(
    to: &dyn Store,
    bytes: &[u8],
    check: SignatureCheck<'_>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<ImportSummary, TransferError> {
    let (body, sha256) = read_export(bytes, check)?;
    for c in &body.certificates {
        if to.certificate(&c.serial)?.is_some() {
            return Err(TransferError::Conflict {
                serial: c.serial.clone(),
            });
        }
    }
    let records: Vec<CertificateRecord> = body
        .certificates
        .iter()
        .map(|c| certificate_record(c, &body.center))
        .collect();
    let revoked = records.iter().filter(|c| c.revocation.is_some()).count();
    let event = |action: &str, details: Value| AuditEvent {
        at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        details,
    };
    let summary = event(
        "register.import",
        json!({
            "article": "22.3",
            "center": body.center,
            "sha256": sha256,
            "source_audit_entries": body.audit_head.entries,
            "source_audit_head": body.audit_head.hash,
            "certificates": records.len(),
            "revoked": revoked,
            "refusals": body.refusals.len(),
            "bans": body.bans.len(),
        }),
    );
    let import = RegisterImport {
        certificates: records,
        audit: summary,
        refusals: body
            .refusals
            .iter()
            .map(|r| {
                (
                    NewRefusal {
                        at: r.at,
                        ground: r.ground,
                        detail: r.detail.clone(),
                        iin: r.iin.clone(),
                        bin: r.bin.clone(),
                        request_json: r.request_json.clone(),
                    },
                    event(
                        "register.import-refusal",
                        json!({"center": body.center, "source_id": r.id, "sha256": sha256}),
                    ),
                )
            })
            .collect(),
        bans: body
            .bans
            .iter()
            .map(|b| ImportedBan {
                ban: NewBan {
                    iin: b.iin.clone(),
                    bin: b.bin.clone(),
                    court_decision: b.court_decision.clone(),
                    effective_from: b.effective_from,
                    ends_on: None,
                },
                audit: event(
                    "register.import-ban",
                    json!({"center": body.center, "source_id": b.id, "sha256": sha256}),
                ),
                lifted: b.lifted_on.map(|on| {
                    (
                        on,
                        event(
                            "ban.lift",
                            json!({"source_id": b.id, "lifted_on": on.to_string(), "imported": true}),
                        ),
                    )
                }),
            })
            .collect(),
    };
    let certificates = import.certificates.len();
    let serials: Vec<Serial> = import
        .certificates
        .iter()
        .map(|c| c.serial.clone())
        .collect();
    to.import_register(&import).map_err(|e| match e {
        StoreError::DuplicateSerial { serial } => TransferError::Conflict { serial },
        other => TransferError::Store(other),
    })?;
    Ok(ImportSummary {
        center: body.center.clone(),
        sha256,
        serials,
        certificates,
        revoked,
        refusals: body.refusals.len(),
        bans: body.bans.len(),
        audit_head: body.audit_head.clone(),
    })
}

/// The folder of a center's data folder where [`import_into_center`] keeps each export it took
/// and the receipt it gave (art. 22.4: stored).
pub const KEPT_DIR: &str = "transferred";

/// What [`export_from_center`] made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exported {
    /// The signed export file, for the caller to hand to the successor.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// What it holds.
    pub summary: ExportSummary,
    /// Whether it was recorded as offered to the successor named in the notice (an export
    /// during the notice's term, art. 22.3; its certificates count as transferred once the
    /// successor's receipt is confirmed, [`cessation::confirm`]).
    pub offered: bool,
}

/// `eds ca export` as one call (EDS law art. 22.3): refused from the stop day of the center's
/// notice of cessation on ([`CessationError::TermEnded`] in [`TransferError::Cessation`]);
/// otherwise [`export_register`] signed with the issuing `key` under the issuing certificate's
/// subject and, during the notice's term, recorded as offered ([`cessation::record_offered`]).
/// `only` limits the certificates to those whose owners agreed.
pub fn export_from_center(
    center: &Center,
    key: &IssuingKey,
    only: Option<&std::collections::BTreeSet<Serial>>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Exported, TransferError> {
    let cessation_error = |e: CessationError| TransferError::Cessation(Box::new(e));
    let notice = cessation::check_active(center.dir(), at).map_err(cessation_error)?;
    let signer = issuing_subject(center)?;
    let (bytes, summary) = export_register(
        center.store(),
        &center.config().name,
        only,
        at,
        actor,
        key.key(),
        &signer,
    )?;
    if notice.is_some() {
        cessation::record_offered(center.dir(), &summary.sha256, &summary.serials, at)
            .map_err(cessation_error)?;
    }
    Ok(Exported {
        bytes,
        summary,
        offered: notice.is_some(),
    })
}

/// What [`import_into_center`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    /// What was imported.
    pub summary: ImportSummary,
    /// Where the export file is kept whole (`transferred/SHA256.json` in the data folder).
    pub kept: std::path::PathBuf,
    /// The signed receipt for the ceding center ([`write_receipt`]).
    #[serde(skip)]
    pub receipt: Vec<u8>,
    /// Where the center keeps its copy of the receipt (`transferred/SHA256.receipt.json`).
    pub receipt_path: std::path::PathBuf,
}

/// `eds ca import` as one call (EDS law art. 22.3): refused when the receiving center has
/// stopped itself ([`crate::CaError::Ceased`] in [`TransferError::Center`]); otherwise
/// [`import_register`] (every check of the module documentation, `check` bound to the ceding
/// center's issuing certificate, all in one register transaction), then the export file kept
/// whole in `transferred/` (the source's audit log is stored there, art. 22.4) and the receipt,
/// signed with the issuing `key`, written beside it and returned for the ceding center. A
/// receipt or kept file already there is not overwritten ([`TransferError::Io`]; the register
/// then already holds the certificates, and a second import is a conflict anyway).
pub fn import_into_center(
    center: &Center,
    key: &IssuingKey,
    bytes: &[u8],
    check: SignatureCheck<'_>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Imported, TransferError> {
    center
        .check_active(at)
        .map_err(|e| TransferError::Center(Box::new(e)))?;
    let signer = issuing_subject(center)?;
    let summary = import_register(center.store(), bytes, check, at, actor)?;
    let dir = center.dir().join(KEPT_DIR);
    let io = |path: &std::path::Path, e: std::io::Error| TransferError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let kept = dir.join(format!("{}.json", summary.sha256));
    std::fs::write(&kept, bytes).map_err(|e| io(&kept, e))?;
    let receipt = write_receipt(
        &Receipt {
            successor: center.config().name.clone(),
            source_center: summary.center.clone(),
            export_sha256: summary.sha256.clone(),
            received_at: at,
            serials: summary.serials.clone(),
        },
        key.key(),
        &signer,
    )?;
    let receipt_path = dir.join(format!("{}.receipt.json", summary.sha256));
    write_new(&receipt_path, &receipt).map_err(|e| io(&receipt_path, e))?;
    Ok(Imported {
        summary,
        kept,
        receipt,
        receipt_path,
    })
}

/// The issuing certificate's subject (RFC 4514): the signer a file names, for people.
fn issuing_subject(center: &Center) -> Result<String, TransferError> {
    let (_, cert) = x509_parser::parse_x509_certificate(center.issuing_der()).map_err(|e| {
        TransferError::Center(Box::new(crate::CaError::Internal {
            reason: format!("issuing certificate: {e}"),
        }))
    })?;
    Ok(eds_profile::names::rfc4514_der(cert.subject().as_raw())
        .unwrap_or_else(|| cert.subject().to_string()))
}

/// Writes `bytes` to a new file, synced.
fn write_new(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The envelope of a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptFile {
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The receiving center's signature over the canonical JSON text of `body`.
    pub signature: FileSignature,
    /// A [`Receipt`].
    pub body: Value,
}

/// What the receiving center took (EDS law art. 22.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The receiving center's name.
    pub successor: String,
    /// The exporting center's name, as the export gave it.
    pub source_center: String,
    /// The export's digest.
    pub export_sha256: String,
    /// When it was imported.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The serials taken.
    pub serials: Vec<Serial>,
}

/// The receipt of an import, signed with the receiving center's issuing `key` as `signer`.
pub fn write_receipt(
    receipt: &Receipt,
    key: &crate::center_key::CenterKey,
    signer: &str,
) -> Result<Vec<u8>, TransferError> {
    let body = serde_json::to_value(receipt).map_err(|e| TransferError::Malformed {
        reason: format!("the receipt does not serialise: {e}"),
    })?;
    let text = canonical_json(&body)?;
    let file = ReceiptFile {
        format: RECEIPT_FORMAT.to_owned(),
        version: 1,
        signature: sign(key, signer, text.as_bytes())?,
        body,
    };
    serde_json::to_vec_pretty(&file).map_err(|e| TransferError::Malformed {
        reason: format!("the receipt does not serialise: {e}"),
    })
}

/// Reads a receipt and checks its signature with `check` (bound to the receiving center's
/// certificate).
pub fn read_receipt(bytes: &[u8], check: SignatureCheck<'_>) -> Result<Receipt, TransferError> {
    let file: ReceiptFile =
        serde_json::from_slice(bytes).map_err(|e| TransferError::Malformed {
            reason: format!("transfer receipt: {e}"),
        })?;
    if file.format != RECEIPT_FORMAT || file.version != 1 {
        return Err(TransferError::UnsupportedVersion {
            format: file.format,
            version: file.version,
        });
    }
    let text = canonical_json(&file.body)?;
    check_signature("transfer receipt", text.as_bytes(), &file.signature, check)?;
    serde_json::from_value(file.body).map_err(|e| TransferError::Malformed {
        reason: format!("transfer receipt body: {e}"),
    })
}

/// The issuer label a transferred certificate gets in the receiving register.
pub fn transferred_label(center: &str, label: &str) -> String {
    format!("transferred:{center}:{label}")
}

fn verify_chain(body: &RegisterExport) -> Result<(), TransferError> {
    let mut chain = ChainVerifier::new();
    for e in &body.audit {
        // A hash that is not hex is compared as empty: a mismatch, found by the verifier.
        let prev = hex::decode(&e.prev_hash).unwrap_or_default();
        let hash = hex::decode(&e.hash).unwrap_or_default();
        if !chain.push(&RawEntry {
            seq: e.seq,
            at_unix: e.at.unix_timestamp(),
            actor: e.actor.as_bytes(),
            action: e.action.as_bytes(),
            details: e.details.as_bytes(),
            prev_hash: &prev,
            hash: &hash,
        }) {
            break;
        }
    }
    let head_hash: [u8; 32] = hex::decode(&body.audit_head.hash)
        .ok()
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| TransferError::Malformed {
            reason: "body.audit_head.hash is not 32 bytes of hex".into(),
        })?;
    match chain.finish(&AuditHead {
        entries: body.audit_head.entries,
        hash: head_hash,
    }) {
        AuditVerification::Intact { .. } => Ok(()),
        AuditVerification::Broken { seq, problem } => {
            Err(TransferError::AuditBroken { seq, problem })
        }
    }
}

fn check_der(c: &ExportedCertificate) -> Result<(), TransferError> {
    let inconsistent = |what: String| TransferError::Inconsistent {
        serial: c.serial.to_string(),
        what,
    };
    let (rest, cert) = x509_parser::parse_x509_certificate(&c.der)
        .map_err(|e| inconsistent(format!("its DER does not parse: {e}")))?;
    if !rest.is_empty() {
        return Err(inconsistent(format!("{} bytes follow its DER", rest.len())));
    }
    if cert.tbs_certificate.raw_serial() != c.serial.as_bytes() {
        return Err(inconsistent(format!(
            "its DER carries serial {}",
            hex::encode_upper(cert.tbs_certificate.raw_serial())
        )));
    }
    Ok(())
}

fn exported_entry(e: &AuditEntry) -> ExportedAuditEntry {
    ExportedAuditEntry {
        seq: e.seq,
        at: e.at,
        actor: e.actor.clone(),
        action: e.action.clone(),
        details: e.details.clone(),
        prev_hash: hex::encode(e.prev_hash),
        hash: hex::encode(e.hash),
    }
}

fn exported_certificate(c: &CertificateRecord) -> ExportedCertificate {
    ExportedCertificate {
        serial: c.serial.clone(),
        issuer: c.issuer.clone(),
        subject: c.subject.clone(),
        kind: c.kind.clone(),
        iin: c.iin.clone(),
        bin: c.bin.clone(),
        key_purpose: c.key_purpose.clone(),
        not_before: c.not_before,
        not_after: c.not_after,
        issued_at: c.issued_at,
        confidential: c.confidential,
        der: c.der.clone(),
        revocation: c.revocation.as_ref().map(|r| ExportedRevocation {
            ground: r.ground,
            reason: r.reason,
            notified_by: r.notified_by.clone(),
            received_at: r.received_at,
            entered_at: r.entered_at,
            invalidity_date: r.invalidity_date,
            note: r.note.clone(),
        }),
    }
}

fn certificate_record(c: &ExportedCertificate, center: &str) -> CertificateRecord {
    CertificateRecord {
        serial: c.serial.clone(),
        issuer: transferred_label(center, &c.issuer),
        subject: c.subject.clone(),
        kind: c.kind.clone(),
        iin: c.iin.clone(),
        bin: c.bin.clone(),
        key_purpose: c.key_purpose.clone(),
        not_before: c.not_before,
        not_after: c.not_after,
        issued_at: c.issued_at,
        confidential: c.confidential,
        der: c.der.clone(),
        revocation: c.revocation.as_ref().map(|r| RevocationRecord {
            ground: r.ground,
            reason: r.reason,
            notified_by: r.notified_by.clone(),
            received_at: r.received_at,
            entered_at: r.entered_at,
            invalidity_date: r.invalidity_date,
            note: r.note.clone(),
        }),
    }
}

fn exported_refusal(r: &RefusalRecord) -> ExportedRefusal {
    ExportedRefusal {
        id: r.id,
        at: r.at,
        ground: r.ground,
        detail: r.detail.clone(),
        iin: r.iin.clone(),
        bin: r.bin.clone(),
        request_json: r.request_json.clone(),
    }
}

fn exported_ban(b: &Ban) -> ExportedBan {
    ExportedBan {
        id: b.id,
        iin: b.iin.clone(),
        bin: b.bin.clone(),
        court_decision: b.court_decision.clone(),
        effective_from: b.effective_from,
        lifted_on: b.lifted_on,
    }
}
