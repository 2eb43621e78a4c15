//! `eds ca export`, `eds ca import` and `eds ca cessation …`: a center that stops (EDS law
//! art. 22) and the transfer of its register to another center (art. 22.3).

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use der::Decode as _;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use eds_ca::CaError;
use eds_ca::cessation::{self, CessationError};
use eds_ca::store::Serial;
use eds_ca::transfer::{self, TransferError};
use eds_verifier::cert::Cert;

use crate::ca_cmd::{authorise, count, open_center, passphrase};
use crate::cli::PassphraseArgs;
use crate::exit::Exit;
use crate::stdio;

/// `eds ca export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The file to write (JSON, format eds-register-export version 2, signed by the center's
    /// issuing key; it must not exist); `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Export only the certificates whose serials this file lists, one per line (in hex): those
    /// whose owners agreed to the transfer (art. 22.3). Refusals, bans and the audit log are
    /// exported whole.
    #[arg(long, value_name = "FILE")]
    pub(crate) consented: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) secret: PassphraseArgs,
}

/// `eds ca import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The file `eds ca export` wrote; `-` reads standard input.
    pub(crate) file: PathBuf,
    /// The exporting center's issuing certificate (PEM or DER), obtained from that center
    /// itself: the export's signature must verify with its key (exit 7 otherwise).
    #[arg(long, value_name = "FILE")]
    pub(crate) from_ca: PathBuf,
    /// Where to write a copy of the signed receipt the exporting center confirms with `eds ca
    /// cessation confirm` (it must not exist). The center always keeps its own at
    /// transferred/SHA256.receipt.json in the data folder, beside the export (SHA256.json).
    #[arg(long, value_name = "FILE")]
    pub(crate) receipt: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) secret: PassphraseArgs,
}

/// `eds ca cessation …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CessationCommand {
    /// Give notice that the center stops (art. 22.2): at least thirty calendar days ahead.
    ///
    /// Recorded in the audit log (center.cessation-notice) and in cessation.json in the data
    /// folder. From the stop day on (Kazakhstan's date) the center issues nothing (exit 3) and
    /// exports nothing; before it, `eds ca export` hands certificates on to the successor. A
    /// stop day less than thirty calendar days after today is refused (exit 3). Example:
    ///
    ///     eds ca cessation notice --stops-on 2027-02-01 --successor "NEXT CA"
    Notice {
        /// The day the center stops (YYYY-MM-DD, Kazakhstan's date).
        #[arg(long, value_name = "DATE")]
        stops_on: String,
        /// The center that takes the certificates over.
        #[arg(long, value_name = "NAME")]
        successor: String,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// Show the notice of cessation, if any, and whether the center still works.
    Status,
    /// Record the successor's signed receipt: the certificates it took count as transferred
    /// (art. 22.3).
    ///
    /// `eds ca import` at the successor writes the receipt. Until it is confirmed here the
    /// exported certificates are only offered, and `eds ca cessation finalize` ends them with
    /// the others. The receipt's signature must verify with the successor's issuing certificate
    /// (exit 7), name an export this center made in the notice's term and only serials it
    /// carried (exit 5); from the stop day on it is refused (exit 3).
    Confirm {
        /// The receipt.
        receipt: PathBuf,
        /// The successor's issuing certificate (PEM or DER), obtained from it.
        #[arg(long, value_name = "FILE")]
        successor_ca: PathBuf,
    },
    /// From the stop day on: write what the center keeps (art. 22.4).
    ///
    /// As JSON, for storage: the owners' certificates not transferred in the notice's term
    /// (`not_transferred`), the center's own root, issuing, OCSP responder and TSA certificates
    /// apart (`center_certificates`: stored too, but no owner's, so never counted as not
    /// transferred), every refusal and the whole audit log (verified first;
    /// center.cessation-retained is its last entry). Before the stop day it is refused (exit 3).
    Retain {
        /// The file to write (it must not exist); `-` writes standard output.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// On or after the stop day: end the center's certificates and publish its final CRL
    /// (art. 22.4).
    ///
    /// Every owner certificate not revoked and not expired is revoked with ground
    /// center-cessation, effective at 00:00 in Astana on the stop day, in one register
    /// transaction (audit entry center.cessation-terminated): those not transferred with CRL and
    /// OCSP reason cessationOfOperation (RFC 5280 §5.3.1 code 5), those the successor confirmed
    /// taking (`eds ca cessation confirm`) with reason superseded (code 4: the successor answers
    /// for their owners through the certificates it issues them). Then the final CRLs of the issuing
    /// center and the root are published with nextUpdate at the end of the issuing certificate's
    /// validity, so they stay current while any certificate they cover could be relied on.
    /// From then on `eds ca crl` re-publishes that final CRL unchanged, and `eds serve` serves
    /// it and answers OCSP. Refused before the stop day (exit 3), without a notice (exit 5) and
    /// a second time (exit 4).
    Finalize {
        #[command(flatten)]
        secret: PassphraseArgs,
    },
}

/// `eds ca export`.
pub(crate) fn export(
    data: &Path,
    register: Option<&str>,
    json_out: bool,
    now: OffsetDateTime,
    args: &ExportArgs,
) -> anyhow::Result<Exit> {
    let mut inputs: Vec<(&str, &Path)> = Vec::new();
    inputs.extend(args.consented.as_deref().map(|p| ("--consented", p)));
    inputs.extend(args.secret.inputs());
    stdio::check_one_stdin(inputs)?;
    if !stdio::is_dash(&args.out) && args.out.exists() {
        // An output that cannot be made: 73.
        return Err(
            anyhow::Error::new(crate::exit::CantCreate(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it exists; an export never overwrites a file",
            )))
            .context(format!("create register export {}", args.out.display())),
        );
    }
    let center = open_center(data, register)?;
    let only = match &args.consented {
        Some(path) => Some(read_serials(path)?),
        None => None,
    };
    let key = center.unlock(&passphrase(&args.secret)?)?;
    let exported = transfer::export_from_center(&center, &key, only.as_ref(), now, "operator")?;
    write_new(&args.out, &exported.bytes, "register export")?;
    let summary = exported.summary;
    if json_out {
        say!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        say!(
            "exported {} ({} revoked), {}, {} to {}",
            count(summary.certificates, "certificate", "certificates"),
            summary.revoked,
            count(summary.refusals, "refusal", "refusals"),
            count(summary.bans, "ban", "bans"),
            stdio::output_name(&args.out)
        );
        say!("  sha256      {}", summary.sha256);
        say!(
            "  audit head  {} entries, {}",
            summary.audit_head.entries,
            summary.audit_head.hash
        );
    }
    Ok(Exit::Ok)
}

/// `eds ca import`.
pub(crate) fn import(
    data: &Path,
    register: Option<&str>,
    json_out: bool,
    now: OffsetDateTime,
    args: &ImportArgs,
) -> anyhow::Result<Exit> {
    let mut inputs: Vec<(&str, &Path)> = vec![("FILE", args.file.as_path())];
    inputs.extend(args.secret.inputs());
    stdio::check_one_stdin(inputs)?;
    let from_ca = read_certificate(&args.from_ca)?;
    let receipt_path = args.receipt.clone();
    if let Some(p) = receipt_path.as_ref().filter(|p| p.exists()) {
        anyhow::bail!(
            "create transfer receipt {}: it exists; a receipt never overwrites a file",
            p.display()
        );
    }
    let center = open_center(data, register)?;
    let key = center.unlock(&passphrase(&args.secret)?)?;
    let bytes = stdio::read(&args.file)
        .with_context(|| format!("read {}", stdio::input_name(&args.file)))?;
    let check = signature_check(&from_ca)?;
    let imported = transfer::import_into_center(&center, &key, &bytes, &check, now, "operator")?;
    // The center keeps its copy in transferred/; --receipt writes one more where asked.
    let receipt_path = match &receipt_path {
        Some(p) => {
            write_new(p, &imported.receipt, "transfer receipt")?;
            p.clone()
        }
        None => imported.receipt_path.clone(),
    };
    let (summary, kept) = (imported.summary, imported.kept);
    if json_out {
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "imported": summary,
                "kept": kept,
                "receipt": receipt_path,
            }))?
        );
    } else {
        say!(
            "imported {} ({} revoked), {}, {} of {:?}",
            count(summary.certificates, "certificate", "certificates"),
            summary.revoked,
            count(summary.refusals, "refusal", "refusals"),
            count(summary.bans, "ban", "bans"),
            summary.center
        );
        say!(
            "  source audit head  {} entries, {} (verified)",
            summary.audit_head.entries,
            summary.audit_head.hash
        );
        say!("  export kept        {}", kept.display());
        say!(
            "  receipt            {} (signed; the exporting center confirms it with `eds ca \
             cessation confirm`)",
            receipt_path.display()
        );
    }
    Ok(Exit::Ok)
}

/// `eds ca cessation …`.
pub(crate) fn cessation(
    data: &Path,
    register: Option<&str>,
    json_out: bool,
    now: OffsetDateTime,
    cmd: &CessationCommand,
) -> anyhow::Result<Exit> {
    match cmd {
        CessationCommand::Notice {
            stops_on,
            successor,
            secret,
        } => {
            let center = open_center(data, register)?;
            authorise(&center, secret)?;
            let stops_on = parse_day(stops_on)?;
            let record =
                cessation::give_notice(data, center.store(), now, stops_on, successor, "operator")?;
            if json_out {
                say!("{}", serde_json::to_string_pretty(&record)?);
            } else {
                say!(
                    "notice of cessation given on {}: the center stops on {} (art. 22.2); \
                     successor {:?}",
                    record.notice.announced_on,
                    record.notice.stops_on,
                    record.notice.successor
                );
            }
            Ok(Exit::Ok)
        }
        CessationCommand::Status => {
            // The center must exist; its register is not needed.
            eds_ca::center::Center::configured_register(data)?;
            let record = cessation::read_record(data)?;
            let on = eds_profile::kz_time::legal_date(now);
            let stopped = record.as_ref().is_some_and(|r| on >= r.notice.stops_on);
            if json_out {
                say!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "notice": record,
                        "today": on.to_string(),
                        "stopped": stopped,
                    }))?
                );
            } else {
                match &record {
                    None => say!("no notice of cessation: the center works"),
                    Some(r) => say!(
                        "notice given on {}: the center {} on {} (art. 22); successor {:?}; \
                         {} transferred",
                        r.notice.announced_on,
                        if stopped { "stopped" } else { "stops" },
                        r.notice.stops_on,
                        r.notice.successor,
                        count(r.transferred.len(), "certificate", "certificates")
                    ),
                }
            }
            Ok(Exit::Ok)
        }
        CessationCommand::Finalize { secret } => finalize(data, register, json_out, now, secret),
        CessationCommand::Confirm {
            receipt,
            successor_ca,
        } => {
            let successor = read_certificate(successor_ca)?;
            let center = open_center(data, register)?;
            let bytes = stdio::read(receipt)
                .with_context(|| format!("read {}", stdio::input_name(receipt)))?;
            let check = signature_check(&successor)?;
            let receipt = transfer::read_receipt(&bytes, &check)?;
            let new = cessation::confirm(data, center.store(), &receipt, now, "operator")?;
            if json_out {
                say!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "successor": receipt.successor,
                        "export_sha256": receipt.export_sha256,
                        "transferred": new,
                    }))?
                );
            } else {
                say!(
                    "{} transferred to {:?} (art. 22.3: its receipt for export {})",
                    count(new.len(), "certificate", "certificates"),
                    receipt.successor,
                    receipt.export_sha256
                );
            }
            Ok(Exit::Ok)
        }
        CessationCommand::Retain { out, secret } => {
            let mut inputs: Vec<(&str, &Path)> = Vec::new();
            inputs.extend(secret.inputs());
            stdio::check_one_stdin(inputs)?;
            let center = open_center(data, register)?;
            authorise(&center, secret)?;
            let Some(record) = cessation::read_record(data)? else {
                anyhow::bail!(NoNotice);
            };
            let retained = cessation::retain(center.store(), &record, now, "operator")?;
            write_new(
                out,
                &serde_json::to_vec_pretty(&retained)?,
                "retained register",
            )?;
            if json_out {
                say!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "not_transferred": retained.not_transferred.len(),
                        "center_certificates": retained.center_certificates.len(),
                        "refusals": retained.refusals.len(),
                        "audit_entries": retained.head.entries,
                        "file": out,
                    }))?
                );
            } else {
                say!(
                    "kept {} not transferred and, apart, {} of the center's own, {} and {} \
                     audit entries in {} (art. 22.4)",
                    count(
                        retained.not_transferred.len(),
                        "owner certificate",
                        "owner certificates"
                    ),
                    count(
                        retained.center_certificates.len(),
                        "certificate",
                        "certificates"
                    ),
                    count(retained.refusals.len(), "refusal", "refusals"),
                    retained.head.entries,
                    stdio::output_name(out)
                );
            }
            Ok(Exit::Ok)
        }
    }
}

/// `eds ca cessation finalize`.
fn finalize(
    data: &Path,
    register: Option<&str>,
    json_out: bool,
    now: OffsetDateTime,
    secret: &PassphraseArgs,
) -> anyhow::Result<Exit> {
    let mut inputs: Vec<(&str, &Path)> = Vec::new();
    inputs.extend(secret.inputs());
    stdio::check_one_stdin(inputs)?;
    let center = open_center(data, register)?;
    let pass = passphrase(secret)?;
    let key = center.unlock(&pass)?;
    let done = cessation::finalize(&center, &key, &pass, now, "operator")?;
    if json_out {
        say!("{}", serde_json::to_string_pretty(&done)?);
    } else {
        say!(
            "terminated {} not transferred (cessationOfOperation, art. 22.4) and {} transferred \
             (superseded, art. 22.3), revoked from {}",
            count(done.terminated.len(), "certificate", "certificates"),
            done.superseded.len(),
            done.effective_at.format(&Rfc3339)?
        );
        say!(
            "final CRL #{} with {} entries, thisUpdate {}, nextUpdate {}",
            done.crl_number,
            done.crl_entries,
            done.this_update.format(&Rfc3339)?,
            done.next_update.format(&Rfc3339)?
        );
    }
    Ok(Exit::Ok)
}

/// `eds ca crl` once the center stopped and finalized its cessation (art. 22.4): the final CRL,
/// re-published unchanged (written to `out` when given); `None` when the center works or has
/// not finalized (then `eds ca crl` runs, and is refused from the stop day on).
pub(crate) fn final_crl(
    data: &Path,
    out: Option<&Path>,
    json_out: bool,
    now: OffsetDateTime,
) -> anyhow::Result<Option<Exit>> {
    let Some(record) = cessation::read_record(data)? else {
        return Ok(None);
    };
    let Some(done) = record.finalized else {
        return Ok(None);
    };
    if eds_profile::kz_time::legal_date(now) < record.notice.stops_on {
        return Ok(None);
    }
    let path = data.join("crl").join(eds_ca::crl::ISSUING_FILE);
    let der = fs::read(&path).with_context(|| format!("read the final CRL {}", path.display()))?;
    if let Some(out) = out {
        let pem = out.extension().is_some_and(|e| e == "pem");
        let bytes = if pem {
            pem::encode(&pem::Pem::new("X509 CRL", der)).into_bytes()
        } else {
            der
        };
        stdio::write(out, &bytes, !pem)?;
    }
    if json_out {
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({ "final": true, "crl": {
                "number": done.crl_number,
                "entries": done.crl_entries,
                "this_update": done.this_update.format(&Rfc3339)?,
                "next_update": done.next_update.format(&Rfc3339)?,
            }, "files": [path] }))?
        );
    } else {
        say!(
            "final CRL #{} with {} entries, thisUpdate {}, nextUpdate {} (the center stopped on \
             {}, art. 22.4: re-published unchanged)",
            done.crl_number,
            done.crl_entries,
            done.this_update.format(&Rfc3339)?,
            done.next_update.format(&Rfc3339)?,
            record.notice.stops_on
        );
        say!("  {}", path.display());
    }
    Ok(Some(Exit::Ok))
}

/// `eds ca cessation retain` without a notice.
#[derive(Debug, thiserror::Error)]
#[error("retain the register: the center gave no notice of cessation (art. 22.2)")]
struct NoNotice;

/// The exit code of an error of these commands (docs/exit-codes.md), if it is one of theirs.
pub(crate) fn exit_code(err: &anyhow::Error) -> Option<Exit> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<TransferError>() {
            return Some(match e {
                TransferError::Cessation(e) => cessation_exit(e),
                TransferError::Center(e) if matches!(**e, CaError::Ceased { .. }) => Exit::Refused,
                TransferError::Malformed { .. }
                | TransferError::DigestMismatch { .. }
                | TransferError::SignatureInvalid { .. }
                | TransferError::UnsupportedVersion { .. }
                | TransferError::AuditBroken { .. }
                | TransferError::Inconsistent { .. } => Exit::AuditBroken,
                TransferError::Conflict { .. } => Exit::Conflict,
                TransferError::Store(eds_ca::store::StoreError::UnknownSerial { .. }) => {
                    Exit::NotFound
                }
                _ => Exit::Failed,
            });
        }
        if let Some(e) = cause.downcast_ref::<CessationError>() {
            return Some(cessation_exit(e));
        }
        if cause.downcast_ref::<NoNotice>().is_some() {
            return Some(Exit::NotFound);
        }
        if let Some(CaError::Ceased { .. }) = cause.downcast_ref::<CaError>() {
            return Some(Exit::Refused);
        }
    }
    None
}

fn cessation_exit(e: &CessationError) -> Exit {
    match e {
        CessationError::NoticeTooShort { .. }
        | CessationError::TermEnded { .. }
        | CessationError::TermNotEnded { .. } => Exit::Refused,
        CessationError::AlreadyGiven { .. } | CessationError::AlreadyFinalized { .. } => {
            Exit::Conflict
        }
        CessationError::NoNotice
        | CessationError::UnknownExport { .. }
        | CessationError::NotOffered { .. } => Exit::NotFound,
        CessationError::AuditBroken { .. } => Exit::AuditBroken,
        CessationError::UnknownSerial { .. } => Exit::NotFound,
        _ => Exit::Failed,
    }
}

/// What to do about an error of these commands.
pub(crate) fn hint(err: &anyhow::Error) -> Option<&'static str> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<TransferError>() {
            return match e {
                TransferError::Cessation(e) => cessation_hint(e),
                TransferError::Center(e) if matches!(**e, CaError::Ceased { .. }) => {
                    Some(CEASED_HINT)
                }
                TransferError::SignatureInvalid { .. } => Some(
                    "nothing was recorded; check that --from-ca / --successor-ca is the other \
                     center's issuing certificate, obtained from it, and ask it for a new file",
                ),
                TransferError::DigestMismatch { .. }
                | TransferError::AuditBroken { .. }
                | TransferError::Malformed { .. }
                | TransferError::Inconsistent { .. } => Some(
                    "nothing was imported; ask the exporting center for a new export and compare \
                     its audit head with the one it announced",
                ),
                TransferError::Conflict { .. } => Some(
                    "nothing was imported; a register is imported into a center that holds none \
                     of its serials",
                ),
                _ => None,
            };
        }
        if let Some(e) = cause.downcast_ref::<CessationError>() {
            return cessation_hint(e);
        }
        if let Some(CaError::Ceased { .. }) = cause.downcast_ref::<CaError>() {
            return Some(CEASED_HINT);
        }
    }
    None
}

/// What to do about [`CaError::Ceased`].
const CEASED_HINT: &str = "the center has stopped (art. 22); its successor issues and revokes \
                           now; `eds ca cessation finalize` ends what was not transferred and \
                           publishes the final CRL, which `eds ca crl` then re-publishes (`eds \
                           ca cessation status`)";

fn cessation_hint(e: &CessationError) -> Option<&'static str> {
    match e {
        CessationError::NoticeTooShort { .. } => {
            Some("nothing was recorded; give a --stops-on at least 30 calendar days ahead")
        }
        CessationError::TermEnded { .. } => Some(
            "the center has stopped (art. 22.4); `eds ca cessation retain` writes what it keeps",
        ),
        CessationError::TermNotEnded { .. } => {
            Some("nothing was changed; run it on or after the stop day (`eds ca cessation status`)")
        }
        CessationError::AlreadyFinalized { .. } => {
            Some("nothing was changed; `eds ca crl` re-publishes the final CRL")
        }
        _ => None,
    }
}

fn parse_day(s: &str) -> anyhow::Result<Date> {
    // A flag value that does not parse is a usage error (64), as in every command.
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).map_err(|e| {
        stdio::usage(
            format!("--stops-on {s:?} is not a date: {e}"),
            "give a date such as 2027-01-31",
        )
    })
}

/// The serials of a consent list: one per line, in hex; blank lines and `#` comments skipped.
fn read_serials(path: &Path) -> anyhow::Result<BTreeSet<Serial>> {
    let bytes = stdio::read(path).with_context(|| format!("read {}", stdio::input_name(path)))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not UTF-8 text", stdio::input_name(path)))?;
    let mut serials = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let serial = Serial::from_hex(line).with_context(|| {
            format!(
                "{} line {}: {line:?} is not a serial in hex",
                stdio::input_name(path),
                n.saturating_add(1)
            )
        })?;
        serials.insert(serial);
    }
    Ok(serials)
}

/// Writes `bytes` to a new file (or standard output for `-`).
fn write_new(out: &Path, bytes: &[u8], what: &str) -> anyhow::Result<()> {
    if stdio::is_dash(out) {
        return stdio::write(out, bytes, false);
    }
    // An output that cannot be made (it exists, or its folder does not) is 73, as in every
    // command.
    let mut file = fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .open(out)
        .map_err(crate::exit::CantCreate)
        .with_context(|| format!("create {what} {} (it must not exist)", out.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(crate::exit::CantCreate)
        .with_context(|| format!("write {what} {}", out.display()))?;
    Ok(())
}

/// A certificate (its DER) from a PEM or DER file.
fn read_certificate(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = stdio::read(path).with_context(|| format!("read {}", stdio::input_name(path)))?;
    let certs = Cert::all_from_pem_or_der(&bytes).map_err(|e| {
        crate::exit::data_error(
            format!(
                "{} is not a certificate (PEM or DER)",
                stdio::input_name(path)
            ),
            e,
        )
    })?;
    match certs.as_slice() {
        [one] => Ok(one.der().to_vec()),
        _ => Err(crate::exit::data_error(
            stdio::input_name(path),
            format!(
                "it holds {} certificates; give the center's issuing certificate alone",
                certs.len()
            ),
        )),
    }
}

/// What [`signature_check`] returns: `(message, algorithm, value)`, as
/// [`transfer::SignatureCheck`] takes it.
trait Check: Fn(&[u8], &[u8], &[u8]) -> Result<(), String> {}

impl<F: Fn(&[u8], &[u8], &[u8]) -> Result<(), String>> Check for F {}

/// A signature check bound to the key of `cert_der` (the verifier's algorithms: ECDSA, Ed25519,
/// RSA, GOST).
fn signature_check(cert_der: &[u8]) -> anyhow::Result<impl Check> {
    let cert = Cert::from_der(cert_der)
        .map_err(|e| anyhow::anyhow!("the certificate does not parse: {e}"))?;
    let spki = cert.spki_der().to_vec();
    Ok(move |message: &[u8], algorithm: &[u8], value: &[u8]| {
        let algorithm = spki::AlgorithmIdentifierOwned::from_der(algorithm)
            .map_err(|e| format!("the algorithm does not parse: {e}"))?;
        eds_verifier::crypto::verify(&spki, &algorithm, None, message, value)
            .map_err(|e| e.to_string())
    })
}
