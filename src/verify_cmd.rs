//! `eds verify` and `eds cert verify`: the verifier's engine behind a command line.
//!
//! Exit codes (docs/exit-codes.md, "verify"): 0 every signature passed, 1 some failed,
//! 2 some indeterminate (and none failed), 64 usage error, 65 an input that is not what it
//! should be (a trust list that does not parse), 66 a file that cannot be read.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use time::OffsetDateTime;

use eds_profile::holder::Role;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{
    CertificateReport, Content, DocumentReport, Options, SignatureReport, Verifier, worst,
};
use eds_verifier::path::PolicyOptions;
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::{Check, Indication, Outcome};

use crate::exit::{self, Exit, NoInput};
use crate::stdio::{self, usage};

/// The long help of `eds verify`.
pub(crate) const VERIFY_ABOUT: &str = "\
Verify electronic digital signatures (CMS / CAdES, attached or detached) the way article 10.1
of the EDS law asks: the signature verifies with the certificate's key; the certificate was
valid and not revoked when the document was signed; it may be used for signing (key usage,
extended key usage, role); and it chains to a trusted, accredited center (art. 20-2) or a
registered foreign one (art. 13).

Each signature gets an ETSI EN 319 102-1 verdict: TOTAL_PASSED, TOTAL_FAILED or INDETERMINATE
with a sub-indication (HASH_FAILURE, REVOKED, REVOKED_NO_POE, NO_CERTIFICATE_CHAIN_FOUND,
TRY_LATER, ...), the reason in plain words, the signer, the chain, the validation time and
what it rests on, and every check with its outcome.

Trust: --trust takes a trust list (JSON with accreditation periods, see docs/trust-list.md) or
a PEM bundle of root certificates. Without --trust, the root of the center in --data is
trusted, so signatures made with `eds demo`'s certificates verify out of the box. The center in
--data also lends its issuing certificate to build paths and, with --offline, its published
CRLs (crl/ in the folder).

Time: a verified signature or archive timestamp proves the signature existed at its time; the
certificates are then judged at the earliest proven time (ETSI EN 319 102-1 §5.6), else at --at
or now. The report names the time used, what proves it and the revocation data of each
certificate.

Revocation: CRLs given with --crl and those inside the signature are used first (RFC 5280
§6.3: a partitioned CRL only for the certificates it covers, a delta CRL only with its complete
CRL, and a good status only when the lists cover every reason); then OCSP responses saved in
files given with --ocsp, then those inside the signature (CAdES-LT, RFC 5940: an LT signature
verifies with --offline and nothing else); then, unless --offline, the certificate's OCSP responder and its CRL
and delta CRL (freshestCRL) distribution points are asked.

Any file argument may be `-`, standard input (one of them at most). With --json, errors are one
JSON object on standard error (docs/exit-codes.md).

Exit codes: 0 all passed, 1 some failed, 2 some indeterminate, 64 usage, 65 an input that is
not what it should be (a trust list, CRL or OCSP file), 66 an input that cannot be read.

Examples:

    # an attached signature, trusting the local test center
    eds verify licence.json.p7s

    # a detached one, against a trust list, with a CRL and no network
    eds verify report.pdf.p7s --content report.pdf --trust trust.json --crl issuing.crl --offline

    # the applicant must be this person
    eds verify application.json.p7s --expect-iin 900101300123

    # a signature from a pipe, its document from a file
    curl -s https://example.kz/report.pdf.p7s | eds verify - --content report.pdf

    # a folder of signatures on both cores, as JSON; X.p7s is checked against X beside it
    eds verify signed/ --jobs 2 --json > report.json";

/// `eds verify`.
#[derive(Debug, Args)]
#[command(long_about = VERIFY_ABOUT)]
pub(crate) struct VerifyArgs {
    /// Signature files (PEM, DER or BER), or folders whose *.p7s, *.p7m, *.cms, *.sig files are
    /// verified in a batch. In a batch, X.p7s is verified with the file X beside it when there
    /// is one (a detached signature over it; an attached one must hold exactly its bytes). `-`
    /// reads one signature from standard input.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The document a detached signature covers; with an attached signature, the document it must
    /// hold (compared byte for byte: a different file is TOTAL_FAILED / HASH_FAILURE). One
    /// signature file only. `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) content: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// The signer must be the person with this IIN (EDS law art. 10.3).
    #[arg(long, value_name = "IIN")]
    pub(crate) expect_iin: Option<String>,
    /// The signer must act for the legal entity with this BIN.
    #[arg(long, value_name = "BIN")]
    pub(crate) expect_bin: Option<String>,
    /// The signer's certificate must carry this role (repeat: any of them).
    #[arg(long, value_name = "ROLE", value_parser = parse_role)]
    pub(crate) expect_role: Vec<Role>,
    /// Verify this many files at once in a batch (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
}

/// What both commands share.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// Trust list (JSON, docs/trust-list.md) or PEM bundle of trusted roots; default: the root
    /// of the center in --data. `-` reads standard input.
    #[arg(long, value_name = "LIST")]
    pub(crate) trust: Option<PathBuf>,
    /// Extra certificates for building the chain (PEM bundle or DER; may be repeated); `-`
    /// reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) untrusted: Vec<PathBuf>,
    /// A CRL to use (PEM or DER; may be repeated): complete, partitioned (issuingDistributionPoint)
    /// or delta (deltaCRLIndicator, used only with its complete CRL). Its signature, validity and
    /// scope are checked (RFC 5280 §6.3). `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) crl: Vec<PathBuf>,
    /// A saved OCSP response (DER, may be repeated), checked like a fetched one: signature,
    /// responder authority, certificate ID, and current at the validation time. Used offline too,
    /// after the CRLs at hand and before any network source. `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) ocsp: Vec<PathBuf>,
    /// Validate at this time (RFC 3339) instead of now. A signature with a verified timestamp
    /// is judged at the earliest proven time whatever this is (past signature validation,
    /// ETSI EN 319 102-1 §5.6): an LT/LTA signature checked years later passes.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Use only what is given or embedded: no OCSP, no CRL download.
    #[arg(long)]
    pub(crate) offline: bool,
    /// Do not ask OCSP responders (CRLs only).
    #[arg(long)]
    pub(crate) no_ocsp: bool,
    /// Folder where downloaded CRLs are kept until their nextUpdate (default: <data>/cache).
    #[arg(long, value_name = "DIR")]
    pub(crate) cache: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// The certificate policy inputs of path validation (RFC 5280 §6.1.1 (c), (e)-(g)).
#[derive(Debug, Default, Args)]
pub(crate) struct PolicyArgs {
    /// An acceptable certificate policy (dotted OID; repeat for several): the
    /// user-initial-policy-set of RFC 5280 §6.1.1(c). Default: any policy.
    #[arg(long = "policy", value_name = "OID", value_parser = parse_oid)]
    pub(crate) policies: Vec<der::asn1::ObjectIdentifier>,
    /// Require every path to carry an acceptable policy (initial-explicit-policy, RFC 5280
    /// §6.1.1(f)).
    #[arg(long)]
    pub(crate) require_explicit_policy: bool,
    /// Do not follow policy mappings (initial-policy-mapping-inhibit, RFC 5280 §6.1.1(e)).
    #[arg(long)]
    pub(crate) inhibit_policy_mapping: bool,
    /// Do not let anyPolicy in a certificate stand for a policy (initial-any-policy-inhibit,
    /// RFC 5280 §6.1.1(g)).
    #[arg(long)]
    pub(crate) inhibit_any_policy: bool,
}

impl PolicyArgs {
    /// The verifier's policy options.
    pub(crate) fn options(&self) -> PolicyOptions {
        PolicyOptions {
            initial_policy_set: self.policies.clone(),
            initial_policy_mapping_inhibit: self.inhibit_policy_mapping,
            initial_explicit_policy: self.require_explicit_policy,
            initial_any_policy_inhibit: self.inhibit_any_policy,
        }
    }
}

/// `eds cert …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Validate a certificate path alone (RFC 5280): chain to a trusted center, validity,
    /// accreditation, revocation.
    ///
    /// The same engine as `eds verify`, without a signature. Exit codes as `eds verify`.
    /// Example:
    ///
    ///     eds cert verify user.pem --untrusted issuing.pem --trust root.pem --crl issuing.crl
    Verify(CertVerifyArgs),
}

/// `eds cert verify`.
#[derive(Debug, Args)]
pub(crate) struct CertVerifyArgs {
    /// The certificate to validate (PEM or DER); `-` reads standard input.
    #[arg(value_name = "LEAF")]
    pub(crate) leaf: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Require this extended key usage (dotted OID) of the leaf.
    #[arg(long, value_name = "OID")]
    pub(crate) eku: Option<String>,
}

/// An input that is read but is not what it should be (exit 65).
fn input(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(exit::DataError(msg.into()))
}

/// A missing input (exit 66) before a library call that takes its path.
fn must_exist(path: &Path, what: &str) -> anyhow::Result<()> {
    if stdio::is_dash(path) {
        return Ok(());
    }
    fs::metadata(path).map(|_| ()).map_err(|e| {
        anyhow::Error::new(NoInput(e)).context(format!("cannot read {what} {}", path.display()))
    })
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::ALL
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| {
            let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!("unknown role {s:?}; one of: {}", all.join(", "))
        })
}

/// A dotted OID for `--policy` (clap names the option in its message; exit 64).
fn parse_oid(s: &str) -> Result<der::asn1::ObjectIdentifier, String> {
    s.parse::<der::asn1::ObjectIdentifier>()
        .map_err(|e| format!("{s:?} is not a dotted object identifier like 2.5.29.32.0: {e}"))
}

fn parse_time(s: &str) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|e| {
        usage(
            format!("--at {s:?} is not an RFC 3339 time ({e})"),
            "write e.g. --at 2026-03-02T10:00:00+05:00",
        )
    })
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    exit::read_input(path, what)
}

/// Fails (exit 64) when more than one input of `common` and `others` is `-`.
pub(crate) fn check_one_stdin<'a>(
    common: &'a CommonArgs,
    others: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> anyhow::Result<()> {
    let mut inputs: Vec<(&str, &Path)> = others.into_iter().collect();
    inputs.extend(common.trust.as_deref().map(|p| ("--trust", p)));
    inputs.extend(
        common
            .untrusted
            .iter()
            .map(|p| ("--untrusted", p.as_path())),
    );
    inputs.extend(common.crl.iter().map(|p| ("--crl", p.as_path())));
    inputs.extend(common.ocsp.iter().map(|p| ("--ocsp", p.as_path())));
    stdio::check_one_stdin(inputs)
}

pub(crate) fn build_verifier(
    data: &Path,
    common: &CommonArgs,
    expectations: Expectations,
    required_eku: Option<String>,
) -> anyhow::Result<Verifier> {
    let trust = match &common.trust {
        Some(path) if stdio::is_dash(path) => {
            // certificate_file entries are relative to the working folder.
            TrustList::from_bytes_in(&read(path, "trust list")?, Path::new("."))
                .map_err(|e| input(format!("trust list from standard input: {e}")))?
        }
        Some(path) => {
            must_exist(path, "trust list")?;
            TrustList::load(path)
                .map_err(|e| input(format!("trust list {}: {e}", path.display())))?
        }
        None => {
            let root = data.join("root.crt.pem");
            if !root.exists() {
                return Err(input(format!(
                    "no --trust given and no center in {} to trust; pass --trust LIST (a trust list or PEM roots)",
                    data.display()
                )));
            }
            TrustList::load(&root).map_err(|e| input(format!("trust {}: {e}", root.display())))?
        }
    };
    let mut extra_certs = Vec::new();
    // --data means the center: its issuing certificate builds paths of the certificates it
    // issued, and offline its published CRLs give their status (`eds ca init` publishes the
    // first ones, `eds ca crl` the next).
    let center = data.join("center.json").is_file();
    let mut crl_files: Vec<PathBuf> = common
        .crl
        .iter()
        .map(|p| stdio::path_for_reading(p))
        .collect();
    if center {
        let issuing = data.join("issuing.crt.pem");
        if let Ok(bytes) = fs::read(&issuing) {
            extra_certs.extend(
                Cert::all_from_pem_or_der(&bytes)
                    .map_err(|e| input(format!("{}: {e}", issuing.display())))?,
            );
        }
        if common.offline {
            crl_files.extend(
                ["issuing.crl", "root.crl"]
                    .iter()
                    .map(|f| data.join("crl").join(f))
                    .filter(|p| p.is_file()),
            );
        }
    }
    for path in &common.untrusted {
        let bytes = read(path, "certificate file")?;
        extra_certs.extend(
            Cert::all_from_pem_or_der(&bytes)
                .map_err(|e| input(format!("{}: {e}", stdio::input_name(path))))?,
        );
    }
    for path in &common.crl {
        if !stdio::is_dash(path) && !path.is_file() {
            must_exist(path, "CRL")?;
        }
    }
    for path in &common.ocsp {
        if !stdio::is_dash(path) && !path.is_file() {
            must_exist(path, "OCSP response")?;
        }
    }
    let at = common.at.as_deref().map(parse_time).transpose()?;
    let cache_dir = common.cache.clone().unwrap_or_else(|| data.join("cache"));
    let revocation = RevocationChecker::new(RevocationOptions {
        crl_files,
        ocsp_files: common
            .ocsp
            .iter()
            .map(|p| stdio::path_for_reading(p))
            .collect(),
        offline: common.offline,
        ocsp: !common.no_ocsp,
        cache_dir: (!common.offline).then_some(cache_dir),
        ..RevocationOptions::default()
    })
    .map_err(|e| input(e.to_string()))?;
    let required_eku = required_eku
        .map(|s| {
            s.parse::<der::asn1::ObjectIdentifier>().map_err(|e| {
                usage(
                    format!("--eku {s:?} is not a dotted OID: {e}"),
                    "write e.g. --eku 1.3.6.1.5.5.7.3.2",
                )
            })
        })
        .transpose()?;
    let options = Options {
        trust,
        at,
        extra_certs,
        expectations,
        max_signature_checks: 100,
        required_eku,
        policy: common.policy.options(),
        cancel: Default::default(),
    };
    Ok(Verifier::new(options, revocation))
}

/// `eds verify`.
pub(crate) fn verify(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &VerifyArgs,
) -> anyhow::Result<Exit> {
    let expectations = Expectations {
        iin: args.expect_iin.clone(),
        bin: args.expect_bin.clone(),
        roles: args.expect_role.clone(),
    };
    let mut inputs: Vec<(&str, &Path)> = args.files.iter().map(|p| ("FILE", p.as_path())).collect();
    inputs.extend(args.content.as_deref().map(|p| ("--content", p)));
    check_one_stdin(&args.common, inputs)?;
    let verifier = build_verifier(data, &args.common, expectations, None)?;
    let files = collect_files(&args.files)?;
    if args.content.is_some() && files.len() != 1 {
        return Err(usage(
            "--content goes with exactly one signature file",
            "verify detached signatures one at a time, or give a folder where X.p7s lies beside X",
        ));
    }
    let batch = files.len() > 1 || args.files.iter().any(|f| !stdio::is_dash(f) && f.is_dir());
    let results = if batch {
        run_batch(&verifier, &files, now, args.jobs, json)?
    } else {
        let file = files
            .first()
            .ok_or_else(|| input("no signature files found"))?;
        vec![(
            file.clone(),
            verify_one(&verifier, file, args.content.as_deref(), now)?,
        )]
    };
    let overall = worst(results.iter().map(|(_, r)| r.indication));
    if json {
        let value = if batch {
            serde_json::json!({
                "indication": overall,
                "documents": results.iter().map(|(p, r)| serde_json::json!({
                    "file": p.display().to_string(),
                    "content": paired_content(p).map(|c| c.display().to_string()),
                    "report": r,
                })).collect::<Vec<_>>(),
            })
        } else {
            serde_json::to_value(&results[0].1)?
        };
        say!("{}", serde_json::to_string_pretty(&value)?);
    } else if batch {
        print!("{}", summary_table(&results));
    } else {
        print!("{}", render_document(&results[0].0, &results[0].1));
    }
    Ok(code_for(overall))
}

/// The exit code for an overall indication.
pub(crate) fn code_for(indication: Indication) -> Exit {
    match indication {
        Indication::TotalPassed => Exit::Ok,
        Indication::TotalFailed => Exit::TotalFailed,
        Indication::Indeterminate => Exit::Indeterminate,
    }
}

fn verify_one(
    verifier: &Verifier,
    file: &Path,
    content: Option<&Path>,
    now: OffsetDateTime,
) -> anyhow::Result<DocumentReport> {
    let signature = read(file, "signature")?;
    let report = match content {
        Some(path) => {
            let mut f = stdio::reader(path).map_err(|e| {
                anyhow::Error::new(e)
                    .context(format!("cannot read content {}", stdio::input_name(path)))
            })?;
            verifier.verify_document(&signature, Some(Content::Reader(&mut f)), now)
        }
        None => verifier.verify_document(&signature, None, now),
    }
    .with_context(|| format!("verify {}", stdio::input_name(file)))?;
    Ok(report)
}

fn collect_files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in inputs {
        if !stdio::is_dash(path) && path.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(path)
                .map_err(|e| {
                    anyhow::Error::new(NoInput(e))
                        .context(format!("cannot list {}", path.display()))
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            matches!(
                                e.to_ascii_lowercase().as_str(),
                                "p7s" | "p7m" | "cms" | "sig"
                            )
                        })
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

type BatchResult = Vec<(PathBuf, DocumentReport)>;

/// The document a signature of a batch is paired with: `X` beside `X.p7s` (or `.p7m`, `.cms`,
/// `.sig`), when it exists. A detached signature is verified over it; an attached one must hold
/// exactly its bytes (else TOTAL_FAILED / HASH_FAILURE).
pub(crate) fn paired_content(signature: &Path) -> Option<PathBuf> {
    let ext = signature.extension()?.to_str()?.to_ascii_lowercase();
    if !matches!(ext.as_str(), "p7s" | "p7m" | "cms" | "sig") {
        return None;
    }
    let document = signature.with_extension("");
    (document.file_name().is_some() && document.is_file()).then_some(document)
}

fn run_batch(
    verifier: &Verifier,
    files: &[PathBuf],
    now: OffsetDateTime,
    jobs: Option<usize>,
    quiet: bool,
) -> anyhow::Result<BatchResult> {
    let jobs = crate::progress::jobs(jobs);
    let bar = crate::progress::signatures(files.len(), quiet, "verified");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<DocumentReport>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let r = verify_one(verifier, file, paired_content(file).as_deref(), now);
                    if let Ok(mut slots) = results.lock()
                        && let Some(slot) = slots.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let slots = results
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a verification thread panicked"))?;
    let mut out = Vec::with_capacity(files.len());
    for (file, slot) in files.iter().zip(slots) {
        match slot {
            Some(Ok(report)) => out.push((file.clone(), report)),
            Some(Err(e)) => return Err(e),
            None => anyhow::bail!("{} was not verified", file.display()),
        }
    }
    Ok(out)
}

fn summary_table(results: &[(PathBuf, DocumentReport)]) -> String {
    let mut out = String::new();
    let width = results
        .iter()
        .map(|(p, _)| p.display().to_string().chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(out, "{:<width$}  {:<13}  reason", "file", "indication");
    let (mut passed, mut failed, mut indeterminate) = (0, 0, 0);
    for (path, report) in results {
        match report.indication {
            Indication::TotalPassed => passed += 1,
            Indication::TotalFailed => failed += 1,
            Indication::Indeterminate => indeterminate += 1,
        }
        let reason = first_reason(report);
        let _ = writeln!(
            out,
            "{:<width$}  {:<13}  {}",
            path.display().to_string(),
            indication_name(report.indication),
            reason
        );
    }
    let _ = writeln!(
        out,
        "\n{} documents: {passed} passed, {failed} failed, {indeterminate} indeterminate",
        results.len()
    );
    out
}

fn first_reason(report: &DocumentReport) -> String {
    if let Some(e) = &report.format_error {
        return format!("FORMAT_FAILURE: {e}");
    }
    report
        .signatures
        .iter()
        .find(|s| s.indication != Indication::TotalPassed)
        .map(|s| {
            format!(
                "{}: {}",
                s.sub_indication.map(sub_name).unwrap_or_default(),
                s.reason
            )
        })
        .unwrap_or_else(|| format!("{} signature(s) passed", report.signatures.len()))
}

fn indication_name(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

fn sub_name(s: eds_verifier::verdict::SubIndication) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{s:?}"))
}

fn outcome_mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "ok  ",
        Outcome::Failed => "FAIL",
        Outcome::Indeterminate => "??  ",
        Outcome::Skipped => "--  ",
    }
}

/// The human-readable report on one document.
pub(crate) fn render_document(file: &Path, report: &DocumentReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}{}",
        file.display(),
        indication_name(report.indication),
        if report.detached { " (detached)" } else { "" }
    );
    if let Some(e) = &report.format_error {
        let _ = writeln!(out, "  FORMAT_FAILURE: {e}");
        return out;
    }
    for s in &report.signatures {
        render_signature(&mut out, s);
    }
    out
}

fn render_signature(out: &mut String, s: &SignatureReport) {
    let _ = writeln!(
        out,
        "\nsignature {}: {}",
        s.index + 1,
        verdict_line(s.indication, s.sub_indication, &s.reason)
    );
    if let Some(signer) = &s.signer {
        let _ = writeln!(out, "  signer:     {}", signer.subject);
    }
    if let Some(h) = &s.holder {
        let roles: Vec<_> = h.roles.iter().map(|r| r.as_str()).collect();
        let _ = writeln!(
            out,
            "  holder:     {}{}{}",
            h.iin
                .as_deref()
                .map(|i| format!("IIN {i}"))
                .unwrap_or_default(),
            h.bin
                .as_deref()
                .map(|b| format!(", BIN {b}"))
                .unwrap_or_default(),
            if roles.is_empty() {
                String::new()
            } else {
                format!(", roles: {}", roles.join(", "))
            }
        );
    }
    if let Some(t) = s.claimed_signing_time {
        let _ = writeln!(out, "  signed at:  {} (claimed by the signer)", rfc3339(t));
    }
    if let Some(t) = s.timestamp_time {
        let _ = writeln!(
            out,
            "  timestamp:  {} (proven by a signature timestamp)",
            rfc3339(t)
        );
    }
    for p in &s.proofs_of_existence {
        let _ = writeln!(
            out,
            "  proof:      {} by a {} of {} (serial {})",
            rfc3339(p.time),
            p.proven_by,
            p.tsa,
            p.serial
        );
    }
    let basis = match s.time_basis {
        eds_verifier::verdict::TimeBasis::Now => "now",
        eds_verifier::verdict::TimeBasis::Given => "given with --at",
        eds_verifier::verdict::TimeBasis::Timestamp => "the timestamp",
    };
    let _ = writeln!(
        out,
        "  judged at:  {} ({basis})",
        rfc3339(s.validation_time)
    );
    render_chain(out, &s.chain, s.trusted_center.as_deref());
    if let Some(src) = &s.revocation_source {
        let _ = writeln!(out, "  revocation: {src}");
    }
    for used in &s.revocation_data {
        let _ = writeln!(
            out,
            "  status:     {} (serial {}): {}{}",
            used.certificate,
            used.serial,
            used.status,
            used.source
                .as_deref()
                .map(|src| format!(", from {src}"))
                .unwrap_or_default()
        );
    }
    render_checks(out, &s.checks, &s.warnings);
    if s.sub_indication == Some(eds_verifier::verdict::SubIndication::TryLater) {
        let _ = writeln!(out, "  what to do: {TRY_LATER_HINT}");
    }
}

/// What to do about TRY_LATER (ETSI EN 319 102-1 §5.2.5: the status may become known later).
const TRY_LATER_HINT: &str = "the revocation status could not be obtained: verify again when \
the center's CRL distribution point or OCSP responder answers (`eds serve` for a center made \
with `eds ca init`), or give a current CRL with --crl FILE or a saved OCSP response with --ocsp \
FILE; with --offline, --data DIR uses that center's published CRLs (`eds ca crl` renews them)";

fn verdict_line(
    i: Indication,
    sub: Option<eds_verifier::verdict::SubIndication>,
    reason: &str,
) -> String {
    match sub {
        Some(sub) => format!("{} / {} — {reason}", indication_name(i), sub_name(sub)),
        None => format!("{} — {reason}", indication_name(i)),
    }
}

fn render_chain(
    out: &mut String,
    chain: &[eds_verifier::verdict::ChainEntry],
    center: Option<&str>,
) {
    if chain.is_empty() {
        return;
    }
    let _ = writeln!(out, "  chain:");
    for (i, c) in chain.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {}. {} (serial {}, valid {} .. {})",
            i + 1,
            c.subject,
            c.serial,
            rfc3339(c.not_before),
            rfc3339(c.not_after)
        );
    }
    if let Some(center) = center {
        let _ = writeln!(out, "  trusted:    {center}");
    }
}

fn render_checks(out: &mut String, checks: &[Check], warnings: &[String]) {
    let _ = writeln!(out, "  checks:");
    for c in checks {
        let _ = writeln!(
            out,
            "    [{}] {:<20} {}",
            outcome_mark(c.outcome),
            c.name,
            c.detail
        );
    }
    for w in warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
}

/// `eds cert verify`.
pub(crate) fn cert_verify(
    data: &Path,
    json: bool,
    now: OffsetDateTime,
    args: &CertVerifyArgs,
) -> anyhow::Result<Exit> {
    check_one_stdin(&args.common, [("LEAF", args.leaf.as_path())])?;
    let verifier = build_verifier(
        data,
        &args.common,
        Expectations::default(),
        args.eku.clone(),
    )?;
    let bytes = read(&args.leaf, "certificate")?;
    let leaf = Cert::all_from_pem_or_der(&bytes)
        .map_err(|e| input(format!("{}: {e}", stdio::input_name(&args.leaf))))?
        .into_iter()
        .next()
        .ok_or_else(|| input(format!("{}: no certificate", stdio::input_name(&args.leaf))))?;
    let report = verifier.verify_certificate(&leaf, &[], now);
    if json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_certificate(&args.leaf, &report));
    }
    let _ = io::stdout().flush();
    Ok(code_for(report.indication))
}

fn render_certificate(file: &Path, r: &CertificateReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        file.display(),
        verdict_line(r.indication, r.sub_indication, &r.reason)
    );
    let _ = writeln!(out, "  subject:    {}", r.certificate.subject);
    let _ = writeln!(out, "  judged at:  {}", rfc3339(r.validation_time));
    render_chain(&mut out, &r.chain, r.trusted_center.as_deref());
    if let Some(src) = &r.revocation_source {
        let _ = writeln!(out, "  revocation: {src}");
    }
    render_checks(&mut out, &r.checks, &r.warnings);
    if r.sub_indication == Some(eds_verifier::verdict::SubIndication::TryLater) {
        let _ = writeln!(out, "  what to do: {TRY_LATER_HINT}");
    }
    out
}

fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
