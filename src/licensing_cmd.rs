//! `eds submission check`, `eds license issue` and `eds license verify`: the commands over the
//! licensing flow of the `eds-licensing` crate. Here: the arguments, the files, the printing and
//! the exit codes. A refusal under the rules is an [`eds_licensing::Error`] with a stable code:
//! exit 3.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use ring::rand::SystemRandom;
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

use eds_licensing::seal::{Raised, SealError, SealLevel};
use eds_licensing::{
    DeadlineView, Error as LicensingError, HearingNoticeOptions, HearingRecordOptions,
    IssueOptions, ResultCheck, check_result, check_submission, issue_result, service_name,
};
use eds_profile::calendar::Excluded;
use eds_profile::documents::{Document, RefusalGround, StudyResult};
use eds_profile::ident::Bin;
use eds_signer::keys::load_pkcs12;
use eds_signer::keys::pkcs12::Pkcs12Contents;
use eds_verifier::engine::Verifier;
use eds_verifier::scope::Expectations;
use eds_verifier::verdict::Indication;

use crate::exit::Exit;
use crate::extend_cmd::{self, Level, LtSources, Tsa};
use crate::stdio;
use crate::verify_cmd::{CommonArgs, build_verifier, check_one_stdin, code_for, render_document};

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
    /// is printed, with the documents of the service's list the application lacks, each by
    /// its kind and its name in the list (with --json: "complete" and "missing_documents"). The receipt is CAdES-LT by default (--level): timestamped by --tsa, with
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
    /// a reasoned refusal with --ground from the service's list (a ground other than
    /// incomplete-documents after the hearing: --hearing-notice and --hearing-record, else
    /// hearing-required / hearing-record-required). Refused (exit 3) when the
    /// officer's certificate is not the body's (--body-bin) or has no signing right, or when
    /// the receipt does not show the application was accepted. The result is CAdES-LT by
    /// default (--level; LTA on request): timestamped by --tsa, with the chains and their
    /// revocation data embedded, so `eds license verify --offline` passes it years later, after
    /// the officer's certificate expired, while the TSA's certificate is valid. Example:
    ///
    ///     eds license issue --application application.json.p7s --receipt receipt.json.p7s \
    ///       --decision grant --p12 officer.p12 --body-bin 991240000003 --out licence.json.p7s \
    ///       --tsa http://127.0.0.1:8080/tsa
    Issue(Box<LicenseIssueArgs>),
    /// The preliminary decision to refuse and the notice of the hearing (paragraph 4 of the
    /// rules), signed by the body's authorised officer, dated today in Astana.
    ///
    /// Needs the accepted application and its receipt, the grounds (--ground, each of the
    /// service's list; incomplete-documents is refused at once, without a hearing), the time
    /// and place of the hearing. Refused (exit 3) when the notice is later than 3 working days
    /// before the end of the term (hearing-notice-late) or the hearing is before the notice or
    /// more than 2 working days after it (hearing-date-not-allowed). The term is the one with a
    /// hearing (service 6: +2 working days), without the --pause periods. The signed notice
    /// and the record of the hearing (`eds license hearing-record`) then go to `eds license issue
    /// --decision refuse --hearing-notice FILE --hearing-record FILE`. Example:
    ///
    ///     eds license hearing-notice --application application.json.p7s --receipt receipt.json.p7s \
    ///       --ground qualification-requirements-not-met --hearing-at 2026-11-04T11:00:00+05:00 \
    ///       --hearing-place "Astana, room 12" --p12 officer.p12 --body-bin 991240000003 \
    ///       --out hearing-notice.json.p7s
    HearingNotice(Box<HearingNoticeArgs>),
    /// The record of the hearing's outcome (paragraph 4 of the rules), signed by the body's
    /// authorised officer on the body's signed hearing notice.
    ///
    /// --maintain names each ground of the notice that stands after the hearing (none: the
    /// preliminary decision is withdrawn); --applicant-did-not-appear records that the applicant
    /// did not come at the set time. Refused (exit 3) when a ground was not in the notice
    /// (ground-not-heard), the hearing is dated before the notice or more than 2 working days
    /// after it (hearing-date-not-allowed) or after now (hearing-not-held-yet), or a
    /// non-appearance is recorded before the set time (non-appearance-before-the-set-time). A
    /// substantive refusal needs this record (`eds license issue --hearing-notice FILE
    /// --hearing-record FILE`, else hearing-record-required) and rests on a ground that stood.
    /// Example:
    ///
    ///     eds license hearing-record --hearing-notice hearing-notice.json.p7s \
    ///       --held-at 2026-11-04T11:00:00+05:00 --applicant-did-not-appear \
    ///       --maintain qualification-requirements-not-met --p12 officer.p12 \
    ///       --body-bin 991240000003 --out hearing-record.json.p7s
    HearingRecord(Box<HearingRecordArgs>),
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
    Verify(Box<LicenseVerifyArgs>),
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
    /// --offline), so the document verifies offline after the signer's certificate expired, as
    /// long as the TSA's certificate is valid; LTA: LT and an archive timestamp (renew it with
    /// `eds extend --to LTA` before its TSA's certificate ends); B: no timestamp
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
pub(crate) enum DecisionArg {
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
    pub(crate) decision: DecisionArg,
    /// The signed hearing notice (`hearing-notice` document signed by the body) that preceded a
    /// refusal on a substantive ground: paragraph 4 of the rules refuses at once only for
    /// incomplete documents (hearing-required otherwise; give --hearing-record too).
    #[arg(long, value_name = "FILE")]
    pub(crate) hearing_notice: Option<PathBuf>,
    /// The signed record of the hearing on that notice (`eds license hearing-record`, also when
    /// the applicant did not appear): a substantive refusal needs it (hearing-record-required),
    /// and its ground must be one that stood after the hearing (ground-not-maintained).
    #[arg(long, value_name = "FILE")]
    pub(crate) hearing_record: Option<PathBuf>,
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
    /// A period outside the term of the service (samples, their study, documents asked for),
    /// both days included: FIRST..LAST as YYYY-MM-DD..YYYY-MM-DD; repeat for several. With a
    /// hearing notice the term is the one with a hearing (service 6: +2 working days).
    #[arg(long, value_name = "FIRST..LAST")]
    pub(crate) pause: Vec<String>,
    /// Result of a technical study for every product (service 6).
    #[arg(long, value_enum, default_value = "neither-special-nor-crypto")]
    pub(crate) study_result: StudyArg,
    #[command(flatten)]
    pub(crate) officer: OfficerArgs,
    /// Where to write the signed result (DER); `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    pub(crate) seal: SealArgs,
}

/// `eds license hearing-notice`.
#[derive(Debug, Args)]
pub(crate) struct HearingNoticeArgs {
    /// The signed application; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) application: PathBuf,
    /// The body's signed receipt of that application; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) receipt: PathBuf,
    /// A ground of the preliminary decision (repeat for several), one of the service's list.
    #[arg(long, value_name = "GROUND", required = true)]
    pub(crate) ground: Vec<String>,
    /// The reasons in words (default: the grounds named).
    #[arg(long, value_name = "TEXT")]
    pub(crate) reasoning: Option<String>,
    /// When the hearing is held (RFC 3339, e.g. 2026-11-04T11:00:00+05:00).
    #[arg(long, value_name = "TIME")]
    pub(crate) hearing_at: String,
    /// Where or how the hearing is held (address, video link).
    #[arg(long, value_name = "TEXT")]
    pub(crate) hearing_place: String,
    /// A period outside the term (samples, their study, documents asked for), both days
    /// included: FIRST..LAST as YYYY-MM-DD..YYYY-MM-DD; repeat for several.
    #[arg(long, value_name = "FIRST..LAST")]
    pub(crate) pause: Vec<String>,
    /// Number of the notice (default: derived from the application number).
    #[arg(long, value_name = "NUMBER")]
    pub(crate) number: Option<String>,
    /// The officer's position as the notice states it.
    #[arg(long, default_value = "Authorised officer of the licensing department")]
    pub(crate) position: String,
    #[command(flatten)]
    pub(crate) officer: OfficerArgs,
    /// Where to write the signed notice (DER); `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `eds license hearing-record`.
#[derive(Debug, Args)]
pub(crate) struct HearingRecordArgs {
    /// The body's signed hearing notice; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) hearing_notice: PathBuf,
    /// When the hearing was held (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub(crate) held_at: String,
    /// The position the applicant expressed at the hearing (with --applicant-did-not-appear: a
    /// note, default "The applicant did not appear at the hearing.").
    #[arg(
        long,
        value_name = "TEXT",
        required_unless_present = "applicant_did_not_appear"
    )]
    pub(crate) applicant_position: Option<String>,
    /// The applicant did not appear at the time the notice set: the record is made once that
    /// time has passed (--held-at not before it), and the grounds are decided without the
    /// applicant's position.
    #[arg(long)]
    pub(crate) applicant_did_not_appear: bool,
    /// A ground of the notice that stands after the hearing (repeat for several; none: the
    /// preliminary decision is withdrawn).
    #[arg(long, value_name = "GROUND")]
    pub(crate) maintain: Vec<String>,
    /// Number of the record (default: derived from the notice's).
    #[arg(long, value_name = "NUMBER")]
    pub(crate) number: Option<String>,
    /// The officer's position as the record states it.
    #[arg(long, default_value = "Authorised officer of the licensing department")]
    pub(crate) position: String,
    #[command(flatten)]
    pub(crate) officer: OfficerArgs,
    /// Where to write the signed record (DER); `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// The body's authorised officer who signs a notice, a record or a result: the key, its password
/// and the body it signs for. Shared by `eds license issue`, `hearing-notice` and
/// `hearing-record`.
#[derive(Debug, Args)]
pub(crate) struct OfficerArgs {
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
}

impl OfficerArgs {
    /// The key files among the inputs (for the one-standard-input check).
    fn inputs(&self) -> Vec<(&'static str, &Path)> {
        let mut inputs = vec![("--p12", self.p12.as_path())];
        inputs.extend(
            self.password_file
                .as_deref()
                .map(|p| ("--password-file", p)),
        );
        inputs
    }

    /// The body's BIN, checked.
    fn body_bin(&self) -> anyhow::Result<Bin> {
        parse_bin(&self.body_bin)
    }

    /// Opens the officer's key file with its password.
    fn open(&self) -> anyhow::Result<Pkcs12Contents> {
        open_p12(&self.p12, &password(self.password_file.as_deref())?)
    }
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

fn refusal(err: &anyhow::Error) -> Option<&LicensingError> {
    err.chain()
        .find_map(|e| e.downcast_ref::<LicensingError>())
        .filter(|e| e.is_refusal())
}

/// The exit code of a licensing refusal.
pub(crate) fn exit_code(err: &anyhow::Error) -> Option<Exit> {
    refusal(err).map(|_| Exit::Refused)
}

/// What to do about a licensing refusal.
pub(crate) fn hint(err: &anyhow::Error) -> Option<&'static str> {
    Some(match refusal(err)?.code()? {
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
            "issue a hearing notice first (paragraph 4 of the rules), hold the hearing and record \
             it, then give the signed notice with --hearing-notice and the record with \
             --hearing-record"
        }
        "no-hearing-for-incompleteness" => {
            "refuse at once: `eds license issue --decision refuse --ground incomplete-documents`"
        }
        "hearing-notice-late" => {
            "the notice must reach the applicant at least 3 working days before the term ends; \
             the term is in the receipt's deadline (`eds submission check`)"
        }
        "ground-not-heard" => {
            "--maintain only grounds of the notice's preliminary decision: the applicant was heard on those alone"
        }
        "hearing-not-held-yet" => "record the hearing once it has taken place",
        "hearing-record-required" => {
            "hold the hearing, record its outcome with `eds license hearing-record` (or the \
             applicant's non-appearance with --applicant-did-not-appear once the set time has \
             passed), then give it with --hearing-record"
        }
        "non-appearance-before-the-set-time" => {
            "record the non-appearance once the hearing's time (the notice's hearing_at) has passed"
        }
        "ground-not-maintained" | "hearing-record-mismatch" => {
            "refuse only on a ground the hearing record of this application and notice maintains"
        }
        "hearing-date-not-allowed" => {
            "set --hearing-at on the notice's day or within the 2 working days after it"
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

/// Reads the password of a key file: --password-file's first line, else EDS_KEY_PASSWORD.
fn password(file: Option<&Path>) -> anyhow::Result<String> {
    crate::sign_cmd::password(file)?.ok_or_else(|| {
        stdio::usage(
            "no password for the key file",
            "set EDS_KEY_PASSWORD or give --password-file FILE",
        )
    })
}

/// Opens a PKCS#12 key file.
pub(crate) fn open_p12(path: &Path, password: &str) -> anyhow::Result<Pkcs12Contents> {
    let name = stdio::input_name(path);
    let bytes = stdio::read(path).with_context(|| format!("read {name}"))?;
    load_pkcs12(&bytes, password).with_context(|| format!("open {name}"))
}

/// Raises a receipt or result the body signed to `level` through the library's
/// [`eds_licensing::seal::seal`] (B leaves it as it is), with `tsa` and the revocation data of
/// `sources` (LT), checked by `verifier` when given. Revocation data issued before the
/// timestamp is warned about on standard error: the document then needs `eds extend --to LT`
/// once fresh data is out.
#[expect(clippy::too_many_arguments, reason = "the inputs of one step, named")]
pub(crate) fn seal(
    der: Vec<u8>,
    key: &Pkcs12Contents,
    level: Level,
    tsa: Option<&Tsa<'_>>,
    sources: &LtSources,
    timeout: std::time::Duration,
    verifier: Option<&Verifier>,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<u8>> {
    let sources = sources.load(timeout)?;
    let raise = |der: Vec<u8>, _: SealLevel| -> anyhow::Result<Raised> {
        let step = eds_extend::Step {
            level: level.lib(),
            extra: &key.chain_der,
            content: None,
            stamp_unstamped: true,
        };
        let (der, summary) = extend_cmd::raise(der, &step, tsa, &sources, now)?;
        Ok(Raised {
            der,
            not_fresh: summary.not_fresh,
        })
    };
    let raise: eds_licensing::seal::Raise<'_, anyhow::Error> = &raise;
    let raiser = tsa.is_some().then_some(raise);
    match eds_licensing::seal::seal(der, seal_level(level), raiser, verifier, now) {
        Ok(raised) => {
            for line in &raised.not_fresh {
                eprintln!("warning: {line}");
            }
            Ok(raised.der)
        }
        Err(SealError::NeedsTimestamp { level }) => Err(stdio::usage(
            format!(
                "the body signs at CAdES-{} (the default is LT, so the document verifies years \
                 later), which needs a timestamp: give --tsa URL (or EDS_TSA_URL), or --level B \
                 for a signature without one",
                level.name()
            ),
            "serve the center (`eds serve`) and give --tsa http://HOST:PORT/tsa",
        )),
        Err(SealError::Raise { level, cause }) => {
            Err(cause.context(format!("make the signature CAdES-{}", level.name())))
        }
        Err(other) => Err(anyhow::anyhow!("{other}")),
    }
}

/// The library's name of a level.
fn seal_level(level: Level) -> SealLevel {
    match level {
        Level::B => SealLevel::B,
        Level::T => SealLevel::T,
        Level::Lt => SealLevel::Lt,
        Level::Lta => SealLevel::Lta,
    }
}

/// [`seal`] as the commands call it: the document must verify once sealed.
fn seal_checked(
    verifier: &Verifier,
    der: Vec<u8>,
    key: &Pkcs12Contents,
    args: &SealArgs,
    common: &CommonArgs,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<u8>> {
    let timeout = std::time::Duration::from_secs(args.tsa_timeout.max(1));
    let tsa = args.tsa.as_deref().map(|url| Tsa::url(url, timeout));
    let sources = LtSources {
        crls: common.crl.clone(),
        ocsp: common.ocsp.clone(),
        offline: common.offline,
    };
    seal(
        der,
        key,
        args.level,
        tsa.as_ref(),
        &sources,
        timeout,
        Some(verifier),
        now,
    )
}

/// A `--ground` or `--maintain` value: a usage error (64) when it names no refusal ground.
fn parse_ground(option: &str, s: &str) -> anyhow::Result<RefusalGround> {
    serde_json::from_value(Value::String(s.to_owned())).map_err(|_| {
        stdio::usage(
            format!("{option} {s:?} is not a refusal ground"),
            "the grounds of each service are listed by `eds license issue --help`",
        )
    })
}

/// The exit code of `eds license verify`: the signature's verdict, then 3 for failed licensing
/// checks.
pub(crate) fn result_exit_code(r: &ResultCheck) -> Exit {
    match r.indication {
        Indication::TotalPassed if !r.licensing_passed => Exit::Refused,
        i => code_for(i),
    }
}

fn parse_date(option: &str, s: &str) -> anyhow::Result<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).map_err(|e| {
        stdio::usage(
            format!("{option} {s:?} is not a date: {e}"),
            "give a date as YYYY-MM-DD",
        )
    })
}

/// `--pause FIRST..LAST`: a period outside the term, both days included.
fn parse_pause(s: &str) -> anyhow::Result<Excluded> {
    let (first, last) = s.split_once("..").ok_or_else(|| {
        stdio::usage(
            format!("--pause {s:?} is not FIRST..LAST"),
            "give --pause as YYYY-MM-DD..YYYY-MM-DD",
        )
    })?;
    let (first, last) = (parse_date("--pause", first)?, parse_date("--pause", last)?);
    if last < first {
        return Err(stdio::usage(
            format!("--pause {s:?} ends before it begins"),
            "give --pause FIRST..LAST with FIRST on or before LAST",
        ));
    }
    Ok(Excluded::between(first, last))
}

/// The kebab-case name of an attachment kind, as in the documents.
fn attachment_name(k: eds_profile::documents::AttachmentKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{k:?}"))
}

fn parse_bin(s: &str) -> anyhow::Result<Bin> {
    Bin::parse(s).map_err(|e| {
        stdio::usage(
            format!("--body-bin {s:?} is not a valid BIN: {e}"),
            "give the licensing body's 12-digit BIN",
        )
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
    crate::exit::read_input(path, &format!("the {what}"))
}

/// Writes a signed (DER) result to `path` (its folder made if need be), or standard output.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(crate::exit::CantCreate)
            .with_context(|| format!("create {}", dir.display()))?;
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
) -> anyhow::Result<Exit> {
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
    let accepted = check_submission(&verifier, &signed, &body, now, &SystemRandom::new())?;
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
        v["complete"] = json!(accepted.missing_documents.is_empty());
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
        if !accepted.missing_documents.is_empty() {
            say!(
                "  incomplete: the application lacks {} of the service's list of documents \
                 (paragraph 8 of the Requirements):",
                accepted.missing_documents.len()
            );
            for m in &accepted.missing_documents {
                let kinds = m
                    .any_of
                    .iter()
                    .map(|k| attachment_name(*k))
                    .collect::<Vec<_>>()
                    .join(" or ");
                say!("    - {kinds}: {}", m.title);
            }
            say!(
                "  refuse it at once: eds license issue --decision refuse --ground \
                 incomplete-documents"
            );
        }
        say!(
            "  receipt (CAdES-{}) → {}",
            args.seal.level.name(),
            stdio::output_name(&args.receipt_out)
        );
    }
    Ok(Exit::Ok)
}

/// `eds license issue`.
pub(crate) fn license_issue(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &LicenseIssueArgs,
) -> anyhow::Result<Exit> {
    let body_bin = args.officer.body_bin()?;
    let ground = args
        .ground
        .as_deref()
        .map(|g| parse_ground("--ground", g))
        .transpose()?;
    let valid_until = args
        .valid_until
        .as_deref()
        .map(|s| parse_date("--valid-until", s))
        .transpose()?;
    let mut inputs = vec![
        ("--application", args.application.as_path()),
        ("--receipt", args.receipt.as_path()),
    ];
    inputs.extend(args.officer.inputs());
    check_one_stdin(&args.common, inputs)?;
    stdio::reserve_stdout(&args.out);
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let application = read_file(&args.application, "application")?;
    let receipt = read_file(&args.receipt, "receipt")?;
    let officer = args.officer.open()?;
    let opts = IssueOptions {
        decision: match args.decision {
            DecisionArg::Grant => eds_licensing::Decision::Grant,
            DecisionArg::Refuse => eds_licensing::Decision::Refuse,
        },
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
        pauses: args
            .pause
            .iter()
            .map(|p| parse_pause(p))
            .collect::<anyhow::Result<_>>()?,
        hearing_notice: args
            .hearing_notice
            .as_deref()
            .map(|p| read_file(p, "hearing notice"))
            .transpose()?,
        hearing_record: args
            .hearing_record
            .as_deref()
            .map(|p| read_file(p, "hearing record"))
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
        &SystemRandom::new(),
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
    Ok(Exit::Ok)
}

/// `eds license hearing-notice`.
pub(crate) fn license_hearing_notice(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &HearingNoticeArgs,
) -> anyhow::Result<Exit> {
    let body_bin = args.officer.body_bin()?;
    let grounds = args
        .ground
        .iter()
        .map(|g| parse_ground("--ground", g))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let hearing_at = parse_time("--hearing-at", &args.hearing_at)?;
    let pauses = args
        .pause
        .iter()
        .map(|p| parse_pause(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut inputs = vec![
        ("--application", args.application.as_path()),
        ("--receipt", args.receipt.as_path()),
    ];
    inputs.extend(args.officer.inputs());
    check_one_stdin(&args.common, inputs)?;
    stdio::reserve_stdout(&args.out);
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let application = read_file(&args.application, "application")?;
    let receipt = read_file(&args.receipt, "receipt")?;
    let officer = args.officer.open()?;
    let opts = HearingNoticeOptions {
        grounds,
        reasoning: args.reasoning.clone(),
        hearing_at,
        hearing_place: args.hearing_place.clone(),
        number: args.number.clone(),
        position: args.position.clone(),
        pauses,
    };
    let issued = eds_licensing::issue_hearing_notice(
        &verifier,
        &application,
        &receipt,
        &officer,
        &body_bin,
        &opts,
        now,
        &SystemRandom::new(),
    )?;
    write_file(&args.out, &issued.der)?;
    if json {
        let mut v = serde_json::to_value(&issued)?;
        v["out"] = json!(args.out.display().to_string());
        say!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let Document::HearingNotice(n) = &issued.document else {
            anyhow::bail!("the notice built is a {}", issued.document.kind());
        };
        say!(
            "issued a hearing notice for application {} → {}",
            n.application_number.as_str(),
            stdio::output_name(&args.out)
        );
        say!(
            "  hearing {} at {}; the term ends on {}",
            n.hearing_at,
            n.hearing_place,
            n.term_ends_on
        );
    }
    Ok(Exit::Ok)
}

fn parse_time(option: &str, s: &str) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|e| {
        stdio::usage(
            format!("{option} {s:?} is not an RFC 3339 time: {e}"),
            "give a time with its offset, e.g. 2026-11-04T11:00:00+05:00",
        )
    })
}

/// `eds license hearing-record`.
pub(crate) fn license_hearing_record(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &HearingRecordArgs,
) -> anyhow::Result<Exit> {
    let body_bin = args.officer.body_bin()?;
    let maintained_grounds = args
        .maintain
        .iter()
        .map(|g| parse_ground("--maintain", g))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let held_at = parse_time("--held-at", &args.held_at)?;
    let mut inputs = vec![("--hearing-notice", args.hearing_notice.as_path())];
    inputs.extend(args.officer.inputs());
    check_one_stdin(&args.common, inputs)?;
    stdio::reserve_stdout(&args.out);
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let notice = read_file(&args.hearing_notice, "hearing notice")?;
    let officer = args.officer.open()?;
    let opts = HearingRecordOptions {
        held_at,
        applicant_appeared: !args.applicant_did_not_appear,
        applicant_position: args
            .applicant_position
            .clone()
            .unwrap_or_else(|| "The applicant did not appear at the hearing.".to_owned()),
        maintained_grounds,
        number: args.number.clone(),
        position: args.position.clone(),
    };
    let issued = eds_licensing::record_hearing(
        &verifier,
        &notice,
        &officer,
        &body_bin,
        &opts,
        now,
        &SystemRandom::new(),
    )?;
    write_file(&args.out, &issued.der)?;
    if json {
        let mut v = serde_json::to_value(&issued)?;
        v["out"] = json!(args.out.display().to_string());
        say!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let Document::HearingRecord(r) = &issued.document else {
            anyhow::bail!("the record built is a {}", issued.document.kind());
        };
        say!(
            "recorded the hearing on application {} → {}",
            r.application_number.as_str(),
            stdio::output_name(&args.out)
        );
        say!(
            "  {}",
            if r.maintained_grounds.is_empty() {
                "the preliminary decision is withdrawn".to_owned()
            } else {
                format!(
                    "grounds that stand: {}",
                    r.maintained_grounds
                        .iter()
                        .map(|g| eds_licensing::ground_name(*g))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    Ok(Exit::Ok)
}

/// `eds license verify`.
pub(crate) fn license_verify(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &LicenseVerifyArgs,
) -> anyhow::Result<Exit> {
    let body_bin = parse_bin(&args.body_bin)?;
    check_one_stdin(&args.common, [("FILE", args.file.as_path())])?;
    let verifier = build_verifier(data, &args.common, Expectations::default(), None)?;
    let signed = read_file(&args.file, "signed result")?;
    let result = check_result(&verifier, &signed, &body_bin, now)?;
    if json {
        say!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", render_result(&args.file, &result));
    }
    Ok(result_exit_code(&result))
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
