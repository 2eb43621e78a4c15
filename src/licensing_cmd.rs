//! `eds submission check`, `eds license issue` and `eds license verify`: the licensing flow of
//! Order No. 34/қе on signed documents.
//!
//! * An application comes in signed by the service recipient. [`check_submission`] verifies the
//!   signature (the verifier's verdict must be TOTAL_PASSED), reads the document from the
//!   signed content (the RFC 8785 canonical JSON, attached), and checks that the signer is the
//!   applicant ([`signatory::check_applicant`]). On acceptance the body signs a receipt (EDS law
//!   art. 7.4: the sender and the time of reception) and the term of the service is computed on
//!   the working-day calendar.
//! * [`issue_result`] answers an accepted application: it checks the receipt (signed by the
//!   body, naming that application, over that very file), that the officer's certificate is the
//!   body's with a signing right, builds the result of the service's kind (or a reasoned
//!   refusal with a ground of the service's list) and signs its canonical bytes.
//! * [`check_result`] is what a relying party runs on a result: the verifier's verdict plus the
//!   licensing checks (well-formed, kind of the service, provider and signer are the body).
//!
//! A refusal under these rules is a [`Refused`] error with a stable code: exit 3.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use ring::rand::SystemRandom;
use serde::Serialize;
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

use eds_profile::calendar::{Calendar, Deadline};
use eds_profile::documents::FullName;
use eds_profile::documents::hearing::check_refusal_after_hearing;
use eds_profile::documents::signatory::{self, SignatoryError};
use eds_profile::documents::{
    Applicant, Document, Licence, NotificationRegistrationDecision, Officer, PermitGoods,
    Procedure, Provider, Receipt, Refusal, RefusalGround, ReissuedLicence, SalePermit, Service,
    StudyItem, StudyResult, TechnicalStudyConclusion, TradePermit, Validity,
    permit_recipient_address, trade_permit_valid_until,
};
use eds_profile::holder::Holder;
use eds_profile::ident::Bin;
use eds_signer::cms;
use eds_signer::keys::load_pkcs12;
use eds_signer::keys::pkcs12::Pkcs12Contents;
use eds_signer::{SignOptions, SignedMessage, Signer};
use eds_verifier::engine::{DocumentReport, Verifier};
use eds_verifier::scope::Expectations;
use eds_verifier::verdict::Indication;

use crate::EXIT_REFUSED;
use crate::extend_cmd::{self, Level, LtSources, Tsa};
use crate::stdio;
use crate::verify_cmd::{CommonArgs, build_verifier, check_one_stdin, code_for, render_document};

const PASSWORD_ENV: &str = "EDS_KEY_PASSWORD";

/// `eds submission …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SubmissionCommand {
    /// Check a signed application and, if the signer is the applicant, write the body's signed
    /// receipt.
    ///
    /// The application is the RFC 8785 canonical JSON of an application document, signed
    /// attached by the applicant. Its signature must pass (TOTAL_PASSED); an individual must
    /// sign with a certificate of the same IIN, a legal entity with a certificate of its BIN
    /// and the role first-head or signing-right. Any other signer is refused (exit 3) with the
    /// reason. On acceptance the receipt (EDS law art. 7.4) is signed with the body's key
    /// (--p12; password from EDS_KEY_PASSWORD or --password-file) and the term of the service
    /// is printed. The receipt is CAdES-LT by default (--level): timestamped by --tsa, with
    /// the chains and their revocation data embedded. Example:
    ///
    ///     eds submission check application.json.p7s --p12 officer.p12 --receipt-out receipt.json.p7s \
    ///       --tsa http://127.0.0.1:8080/tsa
    Check(SubmissionCheckArgs),
}

/// `eds license …`.
#[derive(Debug, Subcommand)]
pub(crate) enum LicenseCommand {
    /// Issue the result of an accepted application, signed by the body's authorised officer.
    ///
    /// grant: the licence, permit, conclusion or registration decision of the service; refuse:
    /// a reasoned refusal with --ground from the service's list. Refused (exit 3) when the
    /// officer's certificate is not the body's (--body-bin) or has no signing right, or when
    /// the receipt does not show the application was accepted. The result is CAdES-LT by
    /// default (--level; LTA on request): timestamped by --tsa, with the chains and their
    /// revocation data embedded, so `eds license verify --offline` passes it years later, after
    /// every certificate in it has expired. Example:
    ///
    ///     eds license issue --application application.json.p7s --receipt receipt.json.p7s \
    ///       --decision grant --p12 officer.p12 --body-bin 991240000003 --out licence.json.p7s \
    ///       --tsa http://127.0.0.1:8080/tsa
    Issue(Box<LicenseIssueArgs>),
    /// Check a signed result as a relying party: the signature verdict, then that the document
    /// is well-formed, of a kind its service produces, and signed by the body's authorised
    /// officer.
    ///
    /// Exit codes as `eds verify` (0 passed, 1 failed, 2 indeterminate, 64 usage), and 3 when
    /// the signature passes but the licensing checks do not. Example:
    ///
    ///     eds license verify licence.json.p7s --body-bin 991240000003 --crl crl/issuing.crl --offline
    ///
    /// An LT or LTA result needs no --crl: `--offline --at 2040-01-01T00:00:00Z` judges it at
    /// the time its timestamps prove, with the revocation data it carries.
    Verify(LicenseVerifyArgs),
}

/// `eds submission check`.
#[derive(Debug, Args)]
pub(crate) struct SubmissionCheckArgs {
    /// The signed application (CMS, attached; PEM or DER); `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// The licensing body's key and certificate (PKCS#12) that signs the receipt; `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) p12: PathBuf,
    /// File whose first line is the PKCS#12 password (instead of EDS_KEY_PASSWORD); `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// Where to write the signed receipt (DER); `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) receipt_out: PathBuf,
    #[command(flatten)]
    pub(crate) seal: SealArgs,
}

/// The level of the body's signature on a receipt or a result (ETSI EN 319 122-1).
#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    /// LT (the default): a signature timestamp from --tsa, and the certificates of the chains
    /// with their CRLs or OCSP answers (the --crl and --ocsp files, else downloaded unless
    /// --offline), so the document verifies offline after every certificate in it has expired;
    /// LTA: LT and an archive timestamp (renew it with `eds extend --to LTA`); B: no timestamp
    /// (it stops verifying once the officer's certificate expires).
    #[arg(long, value_enum, default_value = "LT", env = "EDS_SIGN_LEVEL")]
    pub(crate) level: Level,
    /// The RFC 3161 timestamp authority (an http:// URL such as `eds serve`'s
    /// http://127.0.0.1:8080/tsa) for the T, LT and LTA levels.
    #[arg(long, value_name = "URL", env = "EDS_TSA_URL")]
    pub(crate) tsa: Option<String>,
    /// Seconds to wait for the timestamp authority and for each download.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) tsa_timeout: u64,
}

/// The decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Decision {
    /// The result the service gives.
    Grant,
    /// A reasoned refusal.
    Refuse,
}

/// `eds license issue`.
#[derive(Debug, Args)]
pub(crate) struct LicenseIssueArgs {
    /// The signed application; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) application: PathBuf,
    /// The body's signed receipt of that application (from `eds submission check`); `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) receipt: PathBuf,
    /// Grant or refuse.
    #[arg(long, value_enum)]
    pub(crate) decision: Decision,
    /// The signed hearing notice (`hearing-notice` document signed by the body) that preceded a
    /// refusal on a substantive ground: paragraph 4 of the rules refuses at once only for
    /// incomplete documents (`hearing-required` otherwise).
    #[arg(long, value_name = "FILE")]
    pub(crate) hearing_notice: Option<PathBuf>,
    /// The refusal ground (with --decision refuse), one of the service's list, e.g.
    /// inaccurate-documents, licence-fee-not-paid; the division-* grounds only for a reissue.
    #[arg(long, value_name = "GROUND")]
    pub(crate) ground: Option<String>,
    /// The reasons of a refusal in words (default: the ground named).
    #[arg(long, value_name = "TEXT")]
    pub(crate) reasoning: Option<String>,
    /// Number of the result (default: derived from the application number).
    #[arg(long, value_name = "NUMBER")]
    pub(crate) number: Option<String>,
    /// The officer's position as the result states it.
    #[arg(long, default_value = "Authorised officer of the licensing department")]
    pub(crate) position: String,
    /// Place of issue of a licence.
    #[arg(long, default_value = "Astana")]
    pub(crate) place: String,
    /// Last day of validity of a trade permit (services 4 and 5). Default: the end of a temporary
    /// import or export, else none (the rules set no term). A registered notification takes
    /// its validity from the notification itself (item 6), not from this option.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) valid_until: Option<String>,
    /// Result of a technical study for every product (service 6).
    #[arg(long, value_enum, default_value = "neither-special-nor-crypto")]
    pub(crate) study_result: StudyArg,
    /// The officer's key and certificate (PKCS#12); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) p12: PathBuf,
    /// File whose first line is the PKCS#12 password (instead of EDS_KEY_PASSWORD); `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// BIN of the licensing body: the officer's certificate must carry it.
    #[arg(long, value_name = "BIN")]
    pub(crate) body_bin: String,
    /// Where to write the signed result (DER); `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    pub(crate) seal: SealArgs,
}

/// The three results of a technical study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StudyArg {
    /// Incomplete technical description.
    IncompleteDescription,
    /// Neither a special technical means nor a cryptographic protection means.
    NeitherSpecialNorCrypto,
    /// A special technical means, not a cryptographic protection means.
    SpecialMeansNotCrypto,
}

/// `eds license verify`.
#[derive(Debug, Args)]
pub(crate) struct LicenseVerifyArgs {
    /// The signed result (licence, permit, conclusion, decision, refusal); `-` reads standard
    /// input.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// BIN of the licensing body that must have issued it.
    #[arg(long, value_name = "BIN")]
    pub(crate) body_bin: String,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// A refusal under the licensing rules: exit 3, with a stable code.
#[derive(Debug, thiserror::Error)]
#[error("refused ({code}): {message}")]
pub(crate) struct Refused {
    /// Stable machine name of the reason.
    pub(crate) code: &'static str,
    /// What was found.
    pub(crate) message: String,
}

fn refused(code: &'static str, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Refused {
        code,
        message: message.into(),
    })
}

fn from_signatory(e: SignatoryError) -> anyhow::Error {
    refused(e.code(), e.to_string())
}

fn refusal(err: &anyhow::Error) -> Option<&Refused> {
    err.chain().find_map(|e| e.downcast_ref::<Refused>())
}

/// The exit code of a licensing refusal.
pub(crate) fn exit_code(err: &anyhow::Error) -> Option<u8> {
    refusal(err).map(|_| EXIT_REFUSED)
}

/// What to do about a licensing refusal.
pub(crate) fn hint(err: &anyhow::Error) -> Option<&'static str> {
    Some(match refusal(err)?.code {
        "signer-not-applicant" => {
            "an individual's application must be signed with that person's own certificate (same IIN)"
        }
        "signer-not-of-applicant" | "no-signing-right" => {
            "a legal entity's application must be signed by its first head or a person with the signing-right role, with a certificate for its BIN"
        }
        "officer-certificate-not-valid" => {
            "the officer's certificate is revoked, expired or untrusted: sign with a valid one"
        }
        "officer-not-of-body" | "officer-without-signing-right" => {
            "sign with the certificate of an officer of the body (--body-bin) holding the first-head or signing-right role"
        }
        "signature-not-valid" => {
            "`eds verify FILE` shows every check; a revoked, expired or untrusted certificate cannot sign"
        }
        "application-not-accepted" => {
            "run `eds submission check` on the application first and give its receipt with --receipt"
        }
        "hearing-required" => {
            "issue a hearing notice first (paragraph 4 of the rules), hold the hearing, then give \
             the signed notice with --hearing-notice"
        }
        "ground-not-for-procedure" => {
            "the division grounds refuse only a reissue; choose another ground of the service"
        }
        "ground-not-of-service" => {
            "`eds license issue --help` names the grounds; each service has its own list"
        }
        "not-an-application" | "document-invalid" | "detached" => {
            "the signed content must be the canonical JSON (RFC 8785) of a document, signed attached"
        }
        _ => return None,
    })
}

/// Whether the command line names `eds license verify`, whose 1 and 2 are verdicts (its usage
/// errors exit 64, as `eds verify`'s).
pub(crate) fn is_license_verify(args: &[std::ffi::OsString]) -> bool {
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .filter(|a| !a.starts_with('-'))
        .collect();
    words.windows(2).any(|w| w == ["license", "verify"])
}

/// Reads the password of a key file: --password-file's first line, else EDS_KEY_PASSWORD.
fn password(file: Option<&Path>) -> anyhow::Result<String> {
    crate::sign_cmd::password(file)?.ok_or_else(|| {
        anyhow::anyhow!(
            "no password for the key file: set {PASSWORD_ENV} or give --password-file FILE"
        )
    })
}

/// Opens a PKCS#12 key file.
pub(crate) fn open_p12(path: &Path, password: &str) -> anyhow::Result<Pkcs12Contents> {
    let name = stdio::input_name(path);
    let bytes = stdio::read(path).with_context(|| format!("read {name}"))?;
    load_pkcs12(&bytes, password).with_context(|| format!("open {name}"))
}

fn parse_bin(s: &str) -> anyhow::Result<Bin> {
    Bin::parse(s).map_err(|e| anyhow::anyhow!("--body-bin {s:?} is not a valid BIN: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

fn kz_time(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    eds_profile::kz_time::local(t).unwrap_or(t)
}

fn indication_name(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

/// One line: indication / sub-indication — reason of the first signature that did not pass.
pub(crate) fn verdict_summary(report: &DocumentReport) -> String {
    if let Some(e) = &report.format_error {
        return format!(
            "{} / FORMAT_FAILURE — {e}",
            indication_name(report.indication)
        );
    }
    let s = report
        .signatures
        .iter()
        .find(|s| s.indication != Indication::TotalPassed)
        .or_else(|| report.signatures.first());
    match s {
        Some(s) => match s.sub_indication {
            Some(sub) => format!(
                "{} / {} — {}",
                indication_name(s.indication),
                serde_json::to_value(sub)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| format!("{sub:?}")),
                s.reason
            ),
            None => format!("{} — {}", indication_name(s.indication), s.reason),
        },
        None => format!("{} — no signature", indication_name(report.indication)),
    }
}

/// The document inside an attached signature, read strictly (canonical bytes).
fn signed_document(signed: &[u8]) -> anyhow::Result<(Vec<u8>, Document)> {
    let der =
        cms::from_pem_or_der(signed).map_err(|e| refused("document-invalid", e.to_string()))?;
    let message =
        SignedMessage::from_der(&der).map_err(|e| refused("document-invalid", e.to_string()))?;
    let content = message.content().map_err(|_| {
        refused(
            "detached",
            "the signature is detached; a licensing document is signed attached",
        )
    })?;
    let doc = Document::from_signed_content(content)
        .map_err(|e| refused("document-invalid", format!("the signed document: {e}")))?;
    Ok((content.to_vec(), doc))
}

/// Verifies a signed licensing document: the signatures must pass (else refused with `code`),
/// the content must be a valid document.
fn verified(
    verifier: &Verifier,
    signed: &[u8],
    now: OffsetDateTime,
    code: &'static str,
    what: &str,
) -> anyhow::Result<(DocumentReport, Document)> {
    let report = verifier
        .verify_document(signed, None, now)
        .with_context(|| format!("verify the {what}"))?;
    if report.indication != Indication::TotalPassed {
        return Err(refused(
            code,
            format!(
                "the {what}'s signature did not pass: {}",
                verdict_summary(&report)
            ),
        ));
    }
    let (_, doc) = signed_document(signed).map_err(|e| match refusal(&e) {
        Some(r) if code != "signature-not-valid" => {
            refused(code, format!("the {what}: {}", r.message))
        }
        _ => e,
    })?;
    Ok((report, doc))
}

fn holders(report: &DocumentReport) -> Vec<&Holder> {
    report
        .signatures
        .iter()
        .filter_map(|s| s.holder.as_ref())
        .collect()
}

fn applicant_of(doc: &Document) -> Option<&Applicant> {
    match doc {
        Document::Application(a) => Some(&a.applicant),
        Document::ReissueApplication(a) => Some(&a.applicant),
        _ => None,
    }
}

fn procedure_of(doc: &Document) -> Procedure {
    match doc {
        Document::ReissueApplication(_) => Procedure::Reissue,
        _ => Procedure::Issue,
    }
}

/// Checks that some signer of `report` may sign for the applicant of `doc`.
fn check_signer_is_applicant(report: &DocumentReport, doc: &Document) -> anyhow::Result<Holder> {
    let applicant = applicant_of(doc).ok_or_else(|| {
        refused(
            "not-an-application",
            format!(
                "the signed document is a {}, not an application",
                doc.kind()
            ),
        )
    })?;
    let mut first_error = None;
    for holder in holders(report) {
        match signatory::check_applicant(holder, applicant.id()) {
            Ok(()) => return Ok(holder.clone()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(match first_error {
        Some(e) => from_signatory(e),
        None => refused(
            "signer-not-applicant",
            "the signer's certificate names nobody (no IIN or BIN could be read)",
        ),
    })
}

/// The outcome of an accepted submission.
#[derive(Debug, Serialize)]
pub(crate) struct Accepted {
    /// The application.
    pub(crate) application: Document,
    /// The receipt the body signed.
    pub(crate) receipt: Document,
    /// The signed receipt (DER).
    #[serde(skip)]
    pub(crate) receipt_der: Vec<u8>,
    /// Registration date, term and due date; `None` when the calendar does not cover them.
    pub(crate) deadline: Option<DeadlineView>,
    /// Why there is no deadline, if there is none.
    pub(crate) deadline_note: Option<String>,
    /// A reissue applied for more than 30 calendar days after the changes (paragraph 5 of the
    /// rules): accepted, and flagged.
    pub(crate) late_reissue: Option<eds_profile::documents::LateReissue>,
}

/// A deadline as printed.
#[derive(Debug, Serialize)]
pub(crate) struct DeadlineView {
    pub(crate) registered_on: String,
    pub(crate) working_days: u32,
    pub(crate) due: String,
    pub(crate) provisional: bool,
}

impl From<Deadline> for DeadlineView {
    fn from(d: Deadline) -> Self {
        Self {
            registered_on: d.registered_on.to_string(),
            working_days: d.working_days,
            due: d.due.to_string(),
            provisional: d.provisional,
        }
    }
}

fn deadline_of(
    service: Service,
    procedure: Procedure,
    arrived: OffsetDateTime,
) -> (Option<DeadlineView>, Option<String>) {
    let calendar = match Calendar::embedded() {
        Ok(c) => c,
        Err(e) => return (None, Some(format!("the embedded calendar: {e}"))),
    };
    match calendar.deadline(service, procedure, arrived, &[], false) {
        Ok(Some(d)) => (Some(d.into()), None),
        Ok(None) => (
            None,
            Some(format!(
                "{} has no term for this procedure",
                service_name(service)
            )),
        ),
        Err(e) => (None, Some(format!("not computed: {e}"))),
    }
}

fn sign_document(
    key: &Pkcs12Contents,
    doc: &Document,
    at: OffsetDateTime,
) -> anyhow::Result<Vec<u8>> {
    let bytes = doc.canonical_bytes()?;
    let signer = Signer::new(&key.key, &key.certificate_der, &key.chain_der)
        .context("pair the key with its certificate")?;
    let options = SignOptions::new(at.replace_nanosecond(0).unwrap_or(at));
    Ok(cms::sign(
        &signer,
        eds_signer::Content::Bytes(&bytes),
        &options,
        &SystemRandom::new(),
    )?)
}

/// Raises a receipt or result the body signed to `level` (B leaves it as it is): a signature
/// timestamp from `tsa`, the chains' certificates and revocation data from `sources` (LT), an
/// archive timestamp (LTA). Revocation data issued before the timestamp is warned about on
/// standard error: the document then needs `eds extend --to LT` once fresh data is out.
pub(crate) fn seal(
    der: Vec<u8>,
    key: &Pkcs12Contents,
    level: Level,
    tsa: Option<&Tsa<'_>>,
    sources: &LtSources,
    timeout: std::time::Duration,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<u8>> {
    if level == Level::B {
        return Ok(der);
    }
    let Some(tsa) = tsa else {
        anyhow::bail!(
            "the body signs at CAdES-{} (the default is LT, so the document verifies years \
             later), which needs a timestamp: give --tsa URL (or EDS_TSA_URL), or --level B \
             for a signature without one",
            level.name()
        );
    };
    let (der, summary) = extend_cmd::raise(
        der,
        level,
        Some(tsa),
        sources,
        &key.chain_der,
        None,
        true,
        timeout,
        now,
    )
    .with_context(|| format!("make the signature CAdES-{}", level.name()))?;
    for line in &summary.not_fresh {
        eprintln!("warning: {line}");
    }
    Ok(der)
}

/// [`seal`] as the commands call it, then a check that the sealed document still verifies.
fn seal_checked(
    verifier: &Verifier,
    der: Vec<u8>,
    key: &Pkcs12Contents,
    args: &SealArgs,
    common: &CommonArgs,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<u8>> {
    if args.level == Level::B {
        return Ok(der);
    }
    let timeout = std::time::Duration::from_secs(args.tsa_timeout.max(1));
    let tsa = args.tsa.as_deref().map(|url| Tsa::url(url, timeout));
    let sources = LtSources {
        crls: common.crl.clone(),
        ocsp: common.ocsp.clone(),
        offline: common.offline,
        ..LtSources::default()
    };
    let der = seal(der, key, args.level, tsa.as_ref(), &sources, timeout, now)?;
    let report = verifier
        .verify_document(&der, None, now)
        .context("verify the document just sealed")?;
    if report.indication != Indication::TotalPassed {
        anyhow::bail!(
            "the CAdES-{} document does not verify, so it is not written: {}",
            args.level.name(),
            verdict_summary(&report)
        );
    }
    Ok(der)
}

fn officer_holder(key: &Pkcs12Contents) -> anyhow::Result<Holder> {
    Holder::from_der(&key.certificate_der).context("read the certificate of the key file")
}

fn full_name(h: &Holder) -> FullName {
    FullName {
        surname: h.surname.clone().unwrap_or_else(|| "-".into()),
        given_name: h
            .name
            .clone()
            .or_else(|| h.common_name.clone())
            .unwrap_or_else(|| "-".into()),
        patronymic: h.patronymic.clone(),
    }
}

/// Checks a signed application and signs the receipt with `body`'s key.
pub(crate) fn check_submission(
    verifier: &Verifier,
    signed: &[u8],
    body: &Pkcs12Contents,
    now: OffsetDateTime,
) -> anyhow::Result<Accepted> {
    let (report, application) =
        verified(verifier, signed, now, "signature-not-valid", "application")?;
    check_signer_is_applicant(&report, &application)?;
    let applicant = applicant_of(&application)
        .ok_or_else(|| refused("not-an-application", "not an application"))?;
    let body_holder = officer_holder(body)?;
    let body_bin = body_holder
        .bin
        .as_deref()
        .and_then(|b| Bin::parse(b).ok())
        .ok_or_else(|| {
            anyhow::anyhow!("the receipt key's certificate names no legal entity (BIN): give the licensing body's key with --p12")
        })?;
    signatory::check_officer(&body_holder, &body_bin).map_err(from_signatory)?;
    let received_at = kz_time(now);
    let service = application.service();
    let procedure = procedure_of(&application);
    let (deadline, deadline_note) = deadline_of(service, procedure, received_at);
    // Outside the calendar's years the arrival day stands (the note says why no term).
    let registered_on = Calendar::embedded()
        .ok()
        .and_then(|c| c.registration_date(received_at).ok())
        .unwrap_or(eds_profile::kz_time::legal_date(received_at));
    let provider_name = body_holder
        .organization
        .clone()
        .unwrap_or_else(|| match &application {
            Document::Application(a) => a.addressee.clone(),
            Document::ReissueApplication(a) => a.addressee.clone(),
            _ => String::new(),
        });
    let receipt = Document::Receipt(Receipt {
        receipt_number: format!("RCPT-{}", application.application_number().as_str()),
        service,
        received_kind: application.kind(),
        application_number: application.application_number().clone(),
        sender: applicant.to_party(),
        receiver: Provider {
            name: provider_name,
            bin: body_bin,
        },
        received_at,
        registered_on,
        content_sha256: sha256_hex(signed),
    });
    receipt.validate().context("build the receipt")?;
    let receipt_der = sign_document(body, &receipt, now)?;
    // As for results: a receipt whose own signature would not verify is not handed out.
    let report = verifier
        .verify_document(&receipt_der, None, now)
        .context("verify the receipt just signed")?;
    if report.indication != Indication::TotalPassed {
        return Err(refused(
            "officer-certificate-not-valid",
            format!(
                "the receipt signed with the body's key does not verify, so it is not issued: {}",
                verdict_summary(&report)
            ),
        ));
    }
    let late_reissue = match &application {
        Document::ReissueApplication(a) => a.late_filing(),
        _ => None,
    };
    Ok(Accepted {
        application,
        receipt,
        receipt_der,
        deadline,
        deadline_note,
        late_reissue,
    })
}

/// What [`issue_result`] needs besides the documents.
pub(crate) struct IssueOptions {
    pub(crate) decision: Decision,
    pub(crate) ground: Option<RefusalGround>,
    pub(crate) reasoning: Option<String>,
    pub(crate) number: Option<String>,
    pub(crate) position: String,
    pub(crate) place: String,
    pub(crate) valid_until: Option<Date>,
    pub(crate) study_result: StudyResult,
    /// Verify the signed result before handing it out and refuse it unless it passes (a revoked
    /// or expired officer's certificate). Only the demo turns it off, to show what a relying
    /// party catches when a signing system does not check.
    pub(crate) self_check: bool,
    /// The signed hearing notice that preceded a substantive refusal (paragraph 4 of the rules).
    pub(crate) hearing_notice: Option<Vec<u8>>,
}

impl IssueOptions {
    /// Grant with the defaults of `eds license issue`.
    pub(crate) fn grant() -> Self {
        Self {
            decision: Decision::Grant,
            ground: None,
            reasoning: None,
            number: None,
            position: "Authorised officer of the licensing department".into(),
            place: "Astana".into(),
            valid_until: None,
            study_result: StudyResult::NeitherSpecialNorCrypto,
            self_check: true,
            hearing_notice: None,
        }
    }
}

/// A signed result.
#[derive(Debug, Serialize)]
pub(crate) struct IssuedResult {
    pub(crate) document: Document,
    #[serde(skip)]
    pub(crate) der: Vec<u8>,
    pub(crate) deadline: Option<DeadlineView>,
    pub(crate) deadline_note: Option<String>,
    pub(crate) in_time: Option<bool>,
}

fn activity(service: Service) -> &'static str {
    match service {
        Service::SpecialMeansLicence => {
            "Development, production, repair and sale of special technical means intended for operational-search activities"
        }
        Service::CryptoDevelopmentLicence => {
            "Development of means of cryptographic protection of information"
        }
        _ => {
            "Services identifying technical channels of information leakage and special technical means intended for operational-search activities"
        }
    }
}

/// Checks the application and its receipt, then builds and signs the result with `officer`.
pub(crate) fn issue_result(
    verifier: &Verifier,
    application_signed: &[u8],
    receipt_signed: &[u8],
    officer: &Pkcs12Contents,
    body_bin: &Bin,
    opts: &IssueOptions,
    now: OffsetDateTime,
) -> anyhow::Result<IssuedResult> {
    // The officer first: nothing else matters if this key may not sign for the body.
    let officer_h = officer_holder(officer)?;
    signatory::check_officer(&officer_h, body_bin).map_err(from_signatory)?;

    let (app_report, application) = verified(
        verifier,
        application_signed,
        now,
        "application-not-accepted",
        "application",
    )?;
    check_signer_is_applicant(&app_report, &application)?;
    let (receipt_report, receipt_doc) = verified(
        verifier,
        receipt_signed,
        now,
        "application-not-accepted",
        "receipt",
    )?;
    let Document::Receipt(receipt) = &receipt_doc else {
        return Err(refused(
            "application-not-accepted",
            format!(
                "the receipt file holds a {} document, not a receipt",
                receipt_doc.kind()
            ),
        ));
    };
    if let Some(e) = holders(&receipt_report)
        .into_iter()
        .map(|h| signatory::check_officer(h, body_bin))
        .find_map(Result::err)
    {
        return Err(refused(
            "application-not-accepted",
            format!("the receipt is not signed by the licensing body: {e}"),
        ));
    }
    if receipt.receiver.bin != *body_bin {
        return Err(refused(
            "application-not-accepted",
            format!(
                "the receipt names the receiver BIN {}, not the body's {}",
                receipt.receiver.bin.as_str(),
                body_bin.as_str()
            ),
        ));
    }
    if receipt.application_number != *application.application_number() {
        return Err(refused(
            "application-not-accepted",
            format!(
                "the receipt acknowledges application {}, not {}",
                receipt.application_number.as_str(),
                application.application_number().as_str()
            ),
        ));
    }
    if receipt.content_sha256 != sha256_hex(application_signed) {
        return Err(refused(
            "application-not-accepted",
            "the receipt was given for another file (its SHA-256 differs from the application's)",
        ));
    }

    let service = application.service();
    let applicant = applicant_of(&application)
        .ok_or_else(|| refused("not-an-application", "not an application"))?;
    let issued_on = eds_profile::kz_time::legal_date(now);
    let provider = Provider {
        name: officer_h
            .organization
            .clone()
            .unwrap_or_else(|| receipt.receiver.name.clone()),
        bin: *body_bin,
    };
    let officer_field = Officer {
        position: opts.position.clone(),
        name: full_name(&officer_h),
    };
    let app_no = application.application_number().clone();
    let number = |prefix: &str| {
        opts.number
            .clone()
            .unwrap_or_else(|| format!("{prefix}-{}", app_no.as_str()))
    };
    let recipient = applicant.to_party();
    let document = match (opts.decision, &application) {
        (Decision::Refuse, _) => {
            let ground = opts.ground.ok_or_else(|| {
                anyhow::anyhow!(
                    "--decision refuse needs --ground; the grounds of this service: {}",
                    grounds_list(service)
                )
            })?;
            if !service.allows_ground(ground) {
                return Err(refused(
                    "ground-not-of-service",
                    format!(
                        "{} is not a refusal ground of {}; its grounds: {}",
                        ground_name(ground),
                        service_name(service),
                        grounds_list(service)
                    ),
                ));
            }
            if !service.allows_ground_for(ground, procedure_of(&application)) {
                return Err(refused(
                    "ground-not-for-procedure",
                    format!(
                        "{} concerns only the reissue of a licence on division; application {} \
                         is a first application",
                        ground_name(ground),
                        app_no.as_str()
                    ),
                ));
            }
            let notice = match &opts.hearing_notice {
                Some(signed) => {
                    let (_, doc) =
                        verified(verifier, signed, now, "hearing-required", "hearing notice")?;
                    match doc {
                        Document::HearingNotice(n) => Some(n),
                        other => {
                            return Err(refused(
                                "hearing-required",
                                format!(
                                    "the hearing notice file holds a {} document",
                                    other.kind()
                                ),
                            ));
                        }
                    }
                }
                None => None,
            };
            let calendar = Calendar::embedded()?;
            check_refusal_after_hearing(ground, &app_no, issued_on, notice.as_ref(), &calendar)
                .map_err(|e| refused("hearing-required", e.to_string()))?;
            Document::Refusal(Refusal {
                refusal_number: number("R"),
                service,
                provider,
                recipient,
                application_number: app_no,
                application_date: filled_on(&application),
                grounds: vec![ground],
                reasoning: opts.reasoning.clone().unwrap_or_else(|| {
                    format!(
                        "Refused on the ground \"{}\" of the list of the service.",
                        ground_name(ground)
                    )
                }),
                issued_on,
                officer: officer_field,
            })
        }
        (Decision::Grant, Document::ReissueApplication(a)) => {
            Document::ReissuedLicence(ReissuedLicence {
                licence_number: opts
                    .number
                    .clone()
                    .unwrap_or_else(|| a.licence.licence_number.clone()),
                service,
                provider,
                licensee: recipient,
                activity: activity(service).into(),
                subtypes: a.subtypes.clone(),
                previous: a.licence.clone(),
                grounds: a.grounds.clone(),
                application_number: app_no,
                place_of_issue: opts.place.clone(),
                issued_on,
                officer: officer_field,
            })
        }
        (Decision::Grant, Document::Application(a)) => match service {
            s if s.is_licence() => Document::Licence(Licence {
                licence_number: number("L"),
                service,
                provider,
                licensee: recipient,
                activity: activity(service).into(),
                subtypes: a.subtypes.clone(),
                application_number: app_no,
                place_of_issue: opts.place.clone(),
                issued_on,
                officer: officer_field,
            }),
            Service::SpecialMeansTradePermit | Service::CryptoTradePermit => {
                let movement = a
                    .movement
                    .clone()
                    .ok_or_else(|| anyhow::anyhow!("the application names no movement"))?;
                let section = if service == Service::SpecialMeansTradePermit {
                    "2.17"
                } else {
                    "2.19"
                };
                Document::TradePermit(TradePermit {
                    permit_number: number("P"),
                    service,
                    provider,
                    recipient,
                    recipient_address: permit_recipient_address(service, &a.applicant),
                    application_number: app_no,
                    application_date: a.filled_on,
                    valid_until: trade_permit_valid_until(opts.valid_until, &movement),
                    movement,
                    // One line per item of the application: each is one piece.
                    goods: a
                        .goods
                        .iter()
                        .map(|g| PermitGoods {
                            name: g.name.clone(),
                            unified_list_section: section.into(),
                            commodity_code: g.commodity_code.clone().unwrap_or_default(),
                            unit: "piece".into(),
                            quantity: 1,
                        })
                        .collect(),
                    additional_info: a.additional_info.clone(),
                    issued_on,
                    officer: officer_field,
                })
            }
            Service::TechnicalStudy => {
                Document::TechnicalStudyConclusion(TechnicalStudyConclusion {
                    conclusion_number: number("C"),
                    service,
                    provider,
                    recipient,
                    application_number: app_no,
                    application_date: a.filled_on,
                    items: a
                        .goods
                        .iter()
                        .map(|g| StudyItem {
                            product_name: g.name.clone(),
                            commodity_code: g.commodity_code.clone().unwrap_or_default(),
                            result: opts.study_result,
                        })
                        .collect(),
                    validity: Validity::Indefinite,
                    issued_on,
                    officer: officer_field,
                })
            }
            Service::NotificationRegistration => {
                Document::NotificationRegistrationDecision(NotificationRegistrationDecision {
                    register_number: number("N"),
                    service,
                    provider,
                    recipient,
                    application_number: app_no,
                    application_date: a.filled_on,
                    goods_name: a
                        .goods
                        .iter()
                        .map(|g| g.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    registered_on: issued_on,
                    // Item 6 of the notification; the application's validation requires it.
                    notification_valid_until: a.notification_valid_until.ok_or_else(|| {
                        anyhow::anyhow!("the notification states no validity period (item 6)")
                    })?,
                    issued_on,
                    officer: officer_field,
                })
            }
            _ => Document::SalePermit(SalePermit {
                permit_number: number("S"),
                service,
                provider,
                recipient,
                application_number: app_no,
                application_date: a.filled_on,
                issued_on,
                officer: officer_field,
            }),
        },
        (Decision::Grant, other) => {
            return Err(refused(
                "not-an-application",
                format!(
                    "the signed document is a {}, not an application",
                    other.kind()
                ),
            ));
        }
    };
    document
        .validate()
        .context("the result built from the application is not valid")?;
    let der = sign_document(officer, &document, now)?;
    if opts.self_check {
        // The signature carries the officer's chain, so verifying it checks the officer's
        // certificate (validity, revocation) with the same trust and CRLs as everything else.
        let report = verifier
            .verify_document(&der, None, now)
            .context("verify the result just signed")?;
        if report.indication != Indication::TotalPassed {
            return Err(refused(
                "officer-certificate-not-valid",
                format!(
                    "the result signed with this key does not verify, so it is not issued: {}",
                    verdict_summary(&report)
                ),
            ));
        }
    }
    let (deadline, deadline_note) =
        deadline_of(service, procedure_of(&application), receipt.received_at);
    let in_time = deadline.as_ref().map(|d| issued_on.to_string() <= d.due);
    Ok(IssuedResult {
        document,
        der,
        deadline,
        deadline_note,
        in_time,
    })
}

fn filled_on(doc: &Document) -> Date {
    match doc {
        Document::Application(a) => a.filled_on,
        Document::ReissueApplication(a) => a.filled_on,
        _ => Date::MIN,
    }
}

/// The kebab-case name of a service, as in the documents.
pub(crate) fn service_name(s: Service) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{s:?}"))
}

fn ground_name(g: RefusalGround) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{g:?}"))
}

fn grounds_list(service: Service) -> String {
    service
        .refusal_grounds()
        .iter()
        .map(|g| ground_name(*g))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_ground(s: &str) -> anyhow::Result<RefusalGround> {
    serde_json::from_value(Value::String(s.to_owned())).map_err(|_| {
        anyhow::anyhow!(
            "--ground {s:?} is not a refusal ground; the grounds of each service are listed by `eds license issue --help`"
        )
    })
}

/// One licensing check of a result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LicensingCheck {
    pub(crate) name: &'static str,
    pub(crate) passed: bool,
    pub(crate) detail: String,
}

/// What a relying party learns about a signed result.
#[derive(Debug, Serialize)]
pub(crate) struct ResultCheck {
    pub(crate) indication: Indication,
    pub(crate) verdict: String,
    pub(crate) licensing_passed: bool,
    pub(crate) checks: Vec<LicensingCheck>,
    pub(crate) document: Option<Document>,
    pub(crate) report: DocumentReport,
}

impl ResultCheck {
    /// The exit code: the signature's verdict, then 3 for failed licensing checks.
    pub(crate) fn exit_code(&self) -> u8 {
        match self.indication {
            Indication::TotalPassed if !self.licensing_passed => EXIT_REFUSED,
            i => code_for(i),
        }
    }
}

/// The relying party's check of a signed result.
pub(crate) fn check_result(
    verifier: &Verifier,
    signed: &[u8],
    body_bin: &Bin,
    now: OffsetDateTime,
) -> anyhow::Result<ResultCheck> {
    let report = verifier
        .verify_document(signed, None, now)
        .context("verify the result")?;
    let mut checks = Vec::new();
    let mut check = |name, passed, detail: String| {
        checks.push(LicensingCheck {
            name,
            passed,
            detail,
        })
    };
    let document = match signed_document(signed) {
        Ok((_, doc)) => {
            check(
                "well-formed",
                true,
                format!("a valid {} in canonical JSON (RFC 8785)", doc.kind()),
            );
            Some(doc)
        }
        Err(e) => {
            check(
                "well-formed",
                false,
                refusal(&e).map_or_else(|| e.to_string(), |r| r.message.clone()),
            );
            None
        }
    };
    if let Some(doc) = &document {
        let service = doc.service();
        check(
            "kind-of-service",
            service.may_produce(doc.kind()),
            if service.may_produce(doc.kind()) {
                format!("{} is a result of {}", doc.kind(), service_name(service))
            } else {
                format!(
                    "{} does not produce a {}",
                    service_name(service),
                    doc.kind()
                )
            },
        );
        match doc.provider() {
            Some(p) if p.bin == *body_bin => check(
                "provider",
                true,
                format!("issued by {} (BIN {})", p.name, p.bin.as_str()),
            ),
            Some(p) => check(
                "provider",
                false,
                format!(
                    "the document names the provider BIN {}, not the body's {}",
                    p.bin.as_str(),
                    body_bin.as_str()
                ),
            ),
            None => check(
                "provider",
                false,
                "an application names no provider".to_owned(),
            ),
        }
    }
    let signers = holders(&report);
    if signers.is_empty() {
        check(
            "authorised-officer",
            false,
            "no signer's certificate could be read".to_owned(),
        );
    }
    for h in signers {
        match signatory::check_officer(h, body_bin) {
            Ok(()) => check(
                "authorised-officer",
                true,
                format!(
                    "signed by IIN {} for BIN {} ({})",
                    h.iin.as_deref().unwrap_or("-"),
                    body_bin.as_str(),
                    h.roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Err(e) => check("authorised-officer", false, format!("{}: {e}", e.code())),
        }
    }
    let licensing_passed = checks.iter().all(|c| c.passed);
    Ok(ResultCheck {
        indication: report.indication,
        verdict: verdict_summary(&report),
        licensing_passed,
        checks,
        document,
        report,
    })
}

/// A document's fields as lines "Label: value", nested blocks indented.
pub(crate) fn render_fields(doc: &Document) -> String {
    let mut out = String::new();
    if let Ok(value) = serde_json::to_value(doc) {
        fields(&mut out, &value, 1);
    }
    out
}

/// Fields shown first, in this order (the form's header); the rest follow alphabetically, the
/// date and the signing officer last.
const FIRST: [&str; 16] = [
    "kind",
    "licence_number",
    "permit_number",
    "conclusion_number",
    "register_number",
    "refusal_number",
    "notice_number",
    "receipt_number",
    "service",
    "provider",
    "receiver",
    "licensee",
    "recipient",
    "sender",
    "application_number",
    "application_date",
];
const LAST: [&str; 2] = ["issued_on", "officer"];

fn ordered(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |k: &str| {
        FIRST.iter().position(|f| *f == k).unwrap_or_else(|| {
            match LAST.iter().position(|f| *f == k) {
                Some(i) => 1000 + i,
                None => FIRST.len(),
            }
        })
    };
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
    entries
}

fn label(key: &str) -> String {
    match key {
        "iin" => return "IIN".into(),
        "bin" => return "BIN".into(),
        "content_sha256" => return "Content SHA-256".into(),
        _ => {}
    }
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("-".into()),
        _ => None,
    }
}

fn fields(out: &mut String, value: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    let Value::Object(map) = value else { return };
    for (k, v) in ordered(map) {
        if let Some(s) = scalar(v) {
            let _ = writeln!(out, "{pad}{:<24} {s}", format!("{}:", label(k)));
            continue;
        }
        match v {
            Value::Array(items) if items.iter().all(|i| scalar(i).is_some()) => {
                let list: Vec<String> = items.iter().filter_map(scalar).collect();
                let _ = writeln!(
                    out,
                    "{pad}{:<24} {}",
                    format!("{}:", label(k)),
                    list.join(", ")
                );
            }
            Value::Array(items) => {
                let _ = writeln!(out, "{pad}{}:", label(k));
                for (i, item) in items.iter().enumerate() {
                    let _ = writeln!(out, "{pad}  {}.", i + 1);
                    fields(out, item, depth + 2);
                }
            }
            Value::Object(obj) => {
                // A name is one line: "Surname Given Patronymic".
                if obj.contains_key("surname") && obj.contains_key("given_name") && obj.len() <= 3 {
                    let name = ["surname", "given_name", "patronymic"]
                        .iter()
                        .filter_map(|f| obj.get(*f).and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let _ = writeln!(out, "{pad}{:<24} {name}", format!("{}:", label(k)));
                } else {
                    let _ = writeln!(out, "{pad}{}:", label(k));
                    fields(out, v, depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn read_file(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    stdio::read(path).with_context(|| format!("read the {what} {}", stdio::input_name(path)))
}

/// Writes a signed (DER) result to `path` (its folder made if need be), or standard output.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    stdio::write(path, bytes, true)
}

fn deadline_line(deadline: &Option<DeadlineView>, note: &Option<String>) -> String {
    match (deadline, note) {
        (Some(d), _) => format!(
            "registered on {}; term {} working days; due {}{}",
            d.registered_on,
            d.working_days,
            d.due,
            if d.provisional {
                " (provisional: that year's calendar is not final)"
            } else {
                ""
            }
        ),
        (None, Some(n)) => format!("deadline {n}"),
        (None, None) => "no deadline".into(),
    }
}

/// `eds submission check`.
pub(crate) fn submission_check(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &SubmissionCheckArgs,
) -> anyhow::Result<u8> {
    let mut inputs = vec![("FILE", args.file.as_path()), ("--p12", args.p12.as_path())];
    inputs.extend(
        args.password_file
            .as_deref()
            .map(|p| ("--password-file", p)),
    );
    check_one_stdin(&args.common, inputs)?;
    stdio::reserve_stdout(&args.receipt_out);
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let signed = read_file(&args.file, "application")?;
    let body = open_p12(&args.p12, &password(args.password_file.as_deref())?)?;
    let accepted = check_submission(&verifier, &signed, &body, now)?;
    let receipt_der = seal_checked(
        &verifier,
        accepted.receipt_der.clone(),
        &body,
        &args.seal,
        &args.common,
        now,
    )?;
    write_file(&args.receipt_out, &receipt_der)?;
    if json {
        let mut v = serde_json::to_value(&accepted)?;
        v["receipt_file"] = json!(args.receipt_out.display().to_string());
        v["accepted"] = json!(true);
        v["level"] = json!(args.seal.level.name());
        say!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let app = &accepted.application;
        say!(
            "accepted application {} ({}) from {}",
            app.application_number().as_str(),
            service_name(app.service()),
            app.recipient_id()
        );
        say!(
            "  {}",
            deadline_line(&accepted.deadline, &accepted.deadline_note)
        );
        if let Some(late) = &accepted.late_reissue {
            say!("  warning: {late}");
        }
        say!(
            "  receipt (CAdES-{}) → {}",
            args.seal.level.name(),
            stdio::output_name(&args.receipt_out)
        );
    }
    Ok(0)
}

/// `eds license issue`.
pub(crate) fn license_issue(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &LicenseIssueArgs,
) -> anyhow::Result<u8> {
    let body_bin = parse_bin(&args.body_bin)?;
    let ground = args.ground.as_deref().map(parse_ground).transpose()?;
    let valid_until = args
        .valid_until
        .as_deref()
        .map(|s| {
            Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|e| anyhow::anyhow!("--valid-until {s:?} is not a date YYYY-MM-DD: {e}"))
        })
        .transpose()?;
    let mut inputs = vec![
        ("--application", args.application.as_path()),
        ("--receipt", args.receipt.as_path()),
        ("--p12", args.p12.as_path()),
    ];
    inputs.extend(
        args.password_file
            .as_deref()
            .map(|p| ("--password-file", p)),
    );
    check_one_stdin(&args.common, inputs)?;
    stdio::reserve_stdout(&args.out);
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let application = read_file(&args.application, "application")?;
    let receipt = read_file(&args.receipt, "receipt")?;
    let officer = open_p12(&args.p12, &password(args.password_file.as_deref())?)?;
    let opts = IssueOptions {
        decision: args.decision,
        ground,
        reasoning: args.reasoning.clone(),
        number: args.number.clone(),
        position: args.position.clone(),
        place: args.place.clone(),
        valid_until,
        study_result: match args.study_result {
            StudyArg::IncompleteDescription => StudyResult::IncompleteDescription,
            StudyArg::NeitherSpecialNorCrypto => StudyResult::NeitherSpecialNorCrypto,
            StudyArg::SpecialMeansNotCrypto => StudyResult::SpecialMeansNotCrypto,
        },
        self_check: true,
        hearing_notice: args
            .hearing_notice
            .as_deref()
            .map(|p| read_file(p, "hearing notice"))
            .transpose()?,
    };
    let issued = issue_result(
        &verifier,
        &application,
        &receipt,
        &officer,
        &body_bin,
        &opts,
        now,
    )?;
    let der = seal_checked(
        &verifier,
        issued.der.clone(),
        &officer,
        &args.seal,
        &args.common,
        now,
    )?;
    write_file(&args.out, &der)?;
    if json {
        let mut v = serde_json::to_value(&issued)?;
        v["out"] = json!(args.out.display().to_string());
        v["level"] = json!(args.seal.level.name());
        say!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        say!(
            "issued a {} for application {} (CAdES-{}) → {}",
            issued.document.kind(),
            issued.document.application_number().as_str(),
            args.seal.level.name(),
            stdio::output_name(&args.out)
        );
        say!(
            "  {}{}",
            deadline_line(&issued.deadline, &issued.deadline_note),
            match issued.in_time {
                Some(true) => "; issued in time",
                Some(false) => "; issued AFTER the deadline",
                None => "",
            }
        );
    }
    Ok(0)
}

/// `eds license verify`.
pub(crate) fn license_verify(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &LicenseVerifyArgs,
) -> anyhow::Result<u8> {
    let body_bin = parse_bin(&args.body_bin)?;
    check_one_stdin(&args.common, [("FILE", args.file.as_path())])?;
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let signed = read_file(&args.file, "signed result")?;
    let result = check_result(&verifier, &signed, &body_bin, now)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", render_result(&args.file, &result));
    }
    Ok(result.exit_code())
}

/// The human-readable answer of `eds license verify`.
pub(crate) fn render_result(file: &Path, r: &ResultCheck) -> String {
    let mut out = String::new();
    if let Some(doc) = &r.document {
        let _ = writeln!(
            out,
            "{} — {} of {}",
            file.display(),
            doc.kind(),
            service_name(doc.service())
        );
        out.push_str(&render_fields(doc));
    } else {
        let _ = writeln!(out, "{} — no readable licensing document", file.display());
    }
    let _ = writeln!(out, "\nlicensing checks:");
    for c in &r.checks {
        let _ = writeln!(
            out,
            "  [{}] {:<20} {}",
            if c.passed { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    let _ = writeln!(out);
    out.push_str(&render_document(file, &r.report));
    let _ = writeln!(
        out,
        "\nverdict: {}; licensing checks {}",
        r.verdict,
        if r.licensing_passed {
            "passed"
        } else {
            "FAILED"
        }
    );
    out
}
