//! `eds extend` and the LT / LTA steps of `eds sign --level`: a signature raised to
//! CAdES-BASELINE-T, -LT or -LTA (ETSI EN 319 122-1 §5.3–§5.5) by the `eds_extend` library.
//! Here: the arguments, reading the files, folder mode, writing and printing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;
use time::OffsetDateTime;

pub(crate) use eds_extend::Tsa;
use eds_extend::{ExtendError, Sources, Step, Summary};
use eds_signer::cms;
use eds_verifier::crl::Crl;
use eds_verifier::fetch::FetchOptions;

use crate::exit::Exit;
use crate::stdio;

/// A CAdES baseline level (ETSI EN 319 122-1 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Level {
    /// Signed attributes and the signer's certificate.
    #[value(name = "B")]
    B,
    /// B and a signature timestamp.
    #[value(name = "T")]
    T,
    /// T and the chains' certificates with their revocation data.
    #[value(name = "LT")]
    Lt,
    /// LT and an archive timestamp over everything.
    #[value(name = "LTA")]
    Lta,
}

impl Level {
    /// The level's name in ETSI EN 319 122-1.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::B => "B",
            Level::T => "T",
            Level::Lt => "LT",
            Level::Lta => "LTA",
        }
    }

    /// The library's level.
    pub(crate) fn lib(self) -> eds_extend::Level {
        match self {
            Level::B => eds_extend::Level::B,
            Level::T => eds_extend::Level::T,
            Level::Lt => eds_extend::Level::Lt,
            Level::Lta => eds_extend::Level::Lta,
        }
    }
}

/// Where LT's revocation data comes from.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct LtSources {
    /// A CRL to embed (DER or PEM; may be repeated): used for the certificates its issuer
    /// issued.
    #[arg(long = "crl", value_name = "FILE")]
    pub(crate) crls: Vec<PathBuf>,
    /// A saved OCSP response to embed (DER `OCSPResponse`; may be repeated).
    #[arg(long = "ocsp", value_name = "FILE")]
    pub(crate) ocsp: Vec<PathBuf>,
    /// Use only the --crl and --ocsp files: no download.
    #[arg(long)]
    pub(crate) offline: bool,
}

impl LtSources {
    /// Reads the --crl and --ocsp files: the sources of one run, downloads (unless --offline)
    /// waiting at most `timeout` each.
    pub(crate) fn load(&self, timeout: Duration) -> anyhow::Result<Sources> {
        let mut crls = Vec::new();
        for path in &self.crls {
            let bytes =
                stdio::read(path).with_context(|| format!("read the CRL {}", path.display()))?;
            crls.push(Arc::new(Crl::parse(&bytes).map_err(|e| {
                crate::exit::data_error(format!("the CRL {}", path.display()), e)
            })?));
        }
        let mut ocsp = Vec::new();
        for path in &self.ocsp {
            ocsp.push(
                std::fs::read(path)
                    .with_context(|| format!("read the OCSP response {}", path.display()))?,
            );
        }
        Ok(Sources {
            crls,
            ocsp,
            offline: self.offline,
            fetch: FetchOptions {
                timeout,
                ..FetchOptions::default()
            },
            downloads: Arc::default(),
        })
    }
}

/// The long help of `eds extend`.
const EXTEND_ABOUT: &str = "\
Raise a signature to a higher CAdES baseline level (ETSI EN 319 122-1), in place or into --out.

  T    add a signature timestamp from --tsa to every signer that has none;
  LT   and embed the certificates of the signer's and the timestamp authorities' chains with the
       CRLs or OCSP responses proving their status: the signature then verifies offline, years
       later, with nothing else (`eds verify --offline`);
  LTA  and add an archive timestamp (v3, with ats-hash-index-v3) from --tsa over everything. On
       a signature that is already LTA this adds the next archive timestamp: run it again
       before the last timestamp's TSA certificate expires or its algorithm weakens. A
       timestamp proves something only while its TSA's certificate is valid, or a later
       archive timestamp proves it older (ETSI EN 319 102-1 §5.6.3): when the newest one's
       TSA certificate has ended, or ends within 90 days, a warning says so
       (`proofs_ending` in --json).

Revocation data: the --crl and --ocsp files that cover a certificate, else (unless --offline)
the CRLs of its distribution points, else its OCSP responder. A certificate left without any is
an error and nothing is written. Certificates missing from the signature (the root) may be
given with --chain to be embedded too.

Freshness (ETSI EN 319 102-1): revocation data proves a certificate was not revoked when the
signature was made only if it was issued after the signature timestamp. A CRL or OCSP answer
issued at or before it is still embedded, with a warning naming it (`not_fresh` in --json):
run `eds extend --to LT` again once the center has published the next CRL.

A folder: every .p7s/.p7m/.cms/.sig file in it is extended in place, --jobs at a time, with a
progress bar on standard error; a file that fails is left as it was and listed (exit 69). Each
new file is flushed to disk before it replaces the old one: after a crash or power cut a file is
the old signature or the new one, whole, never half.

Examples:

    eds extend licence.pdf.p7s --to LT --tsa http://127.0.0.1:8080/tsa
    eds extend licence.pdf.p7s --to LT --offline --crl issuing.crl --crl root.crl --chain root.pem
    eds extend licence.pdf.p7s --to LTA --tsa http://127.0.0.1:8080/tsa
    eds extend licences/ --to LTA --tsa http://127.0.0.1:8080/tsa --jobs 2";

/// `eds extend`.
#[derive(Debug, Args)]
#[command(long_about = EXTEND_ABOUT)]
pub(crate) struct ExtendArgs {
    /// The signature to extend (DER or PEM), or a folder: each .p7s/.p7m/.cms/.sig file in it
    /// is extended in place, --jobs at a time, with a progress bar.
    #[arg(value_name = "SIGNATURE.p7s|DIR")]
    pub(crate) input: PathBuf,
    /// Signatures extended at once in folder mode (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// The level to reach.
    #[arg(long, value_enum)]
    pub(crate) to: Level,
    /// Where to write the result (default: over the input). PEM if it ends in .pem.
    #[arg(long, value_name = "OUT.p7s")]
    pub(crate) out: Option<PathBuf>,
    /// The RFC 3161 timestamp authority (an http:// URL) for T and LTA.
    #[arg(long, value_name = "URL")]
    pub(crate) tsa: Option<String>,
    /// Seconds to wait for the timestamp authority and for each download.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout: u64,
    /// Certificates to embed besides those in the signature (PEM; may be repeated): the root,
    /// a missing intermediate.
    #[arg(long, value_name = "CHAIN.pem")]
    pub(crate) chain: Vec<PathBuf>,
    /// The document of a detached signature (needed by LTA when the signer did not use
    /// SHA-256).
    #[arg(long, value_name = "FILE")]
    pub(crate) content: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) sources: LtSources,
}

/// What `eds extend --json` prints.
#[derive(Debug, Serialize)]
struct ExtendSummary {
    out: PathBuf,
    #[serde(flatten)]
    summary: Summary,
}

/// `eds extend`.
pub(crate) fn extend(args: &ExtendArgs, json: bool, now: OffsetDateTime) -> anyhow::Result<Exit> {
    if !stdio::is_dash(&args.input) && args.input.is_dir() {
        return extend_folder(args, json, now);
    }
    let name = stdio::input_name(&args.input);
    let bytes = stdio::read(&args.input).with_context(|| format!("read {name}"))?;
    let der = cms::from_pem_or_der(&bytes).with_context(|| format!("read {name}"))?;
    let content = match &args.content {
        Some(path) => Some(
            stdio::read(path)
                .with_context(|| format!("read the document {}", stdio::input_name(path)))?,
        ),
        None => None,
    };
    let extra = read_chain(&args.chain)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let sources = args.sources.load(timeout)?;
    let tsa = args.tsa.as_deref().map(|url| Tsa::url(url, timeout));
    let step = Step {
        level: args.to.lib(),
        extra: &extra,
        content: content.as_deref(),
        stamp_unstamped: true,
    };
    let (der, summary) = raise(der, &step, tsa.as_ref(), &sources, now)?;
    let out = args.out.clone().unwrap_or_else(|| args.input.clone());
    if out.extension().is_some_and(|e| e == "pem") {
        stdio::write(&out, cms::to_pem(&der).as_bytes(), false)?;
    } else {
        stdio::write(&out, &der, true)?;
    }
    let summary = ExtendSummary { out, summary };
    if json {
        say!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        let s = &summary.summary;
        say!(
            "extended {name} to {} → {}: {} signature timestamp(s), {} certificate(s), {} CRL(s), \
             {} OCSP response(s) added; archive timestamps per signer: {:?}",
            s.level,
            stdio::output_name(&summary.out),
            s.signature_timestamps_added,
            s.certificates_added,
            s.crls_added,
            s.ocsp_responses_added,
            s.archive_timestamps,
        );
        for line in s.not_fresh.iter().chain(&s.proofs_ending) {
            eprintln!("warning: {line}");
        }
    }
    Ok(Exit::Ok)
}

/// Raises `der` through [`eds_extend::raise`]; a step the command line must complete (a
/// missing --tsa, --to B) is a usage error that says which flag to give.
pub(crate) fn raise(
    der: Vec<u8>,
    step: &Step<'_>,
    tsa: Option<&Tsa<'_>>,
    sources: &Sources,
    now: OffsetDateTime,
) -> anyhow::Result<(Vec<u8>, Summary)> {
    eds_extend::raise(der, step, tsa, sources, now).map_err(|e| match e {
        ExtendError::CannotLower => stdio::usage(
            "--to B: a signature cannot be lowered; B is what `eds sign` makes without --tsa",
            "give --to T, LT or LTA",
        ),
        ExtendError::NeedsSignatureTimestamp { unstamped } => stdio::usage(
            format!(
                "{unstamped} signer(s) have no signature timestamp: give --tsa URL to add one \
                 (level T comes before LT and LTA)"
            ),
            "give --tsa URL, e.g. the center's http://HOST:PORT/tsa",
        ),
        ExtendError::NeedsArchiveTimestamp => stdio::usage(
            "--to LTA needs --tsa URL: the archive timestamp comes from a TSA",
            "give --tsa URL, e.g. the center's http://HOST:PORT/tsa",
        ),
        ExtendError::NotCoveredOffline {
            subject,
            serial,
            issuer,
        } => anyhow::anyhow!(
            "no --crl or --ocsp file covers {subject} (serial {serial}), and --offline forbids \
             downloading: give the CRL of {issuer}"
        ),
        // The causes stay in the error chain, where the exit code is read from them.
        ExtendError::SignatureTimestamp { tsa, cause } => {
            anyhow::Error::new(cause).context(format!("timestamp the signatures at {tsa}"))
        }
        ExtendError::ArchiveTimestamp { tsa, cause } => {
            anyhow::Error::new(cause).context(format!("add the archive timestamp from {tsa}"))
        }
        ExtendError::Message(e) => anyhow::Error::new(e),
        ExtendError::ValidationData(e) => anyhow::Error::new(e),
        ExtendError::Certificate(e) => {
            anyhow::Error::new(e).context("read a certificate of the signature")
        }
        other => anyhow::Error::new(other),
    })
}

/// What `eds extend DIR --json` prints.
#[derive(Debug, Serialize)]
struct FolderSummary {
    level: &'static str,
    extended: usize,
    failed: Vec<FolderFailure>,
    /// Files extended with revocation data not issued after their signature timestamp.
    not_fresh: Vec<FolderFailure>,
    /// Files whose newest timestamp's TSA certificate has ended or ends soon.
    proofs_ending: Vec<FolderFailure>,
}

#[derive(Debug, Serialize)]
struct FolderFailure {
    file: PathBuf,
    error: String,
}

/// `eds extend DIR`: every signature file of the folder in place, `--jobs` threads, a progress
/// bar on standard error (hidden with --json or when it is not a terminal). A file that fails
/// is left as it was and listed; the exit code is then 69. The --crl and --ocsp files are read
/// once, and each distribution point is downloaded once, for the whole folder.
fn extend_folder(args: &ExtendArgs, json: bool, now: OffsetDateTime) -> anyhow::Result<Exit> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    if args.out.is_some() || args.content.is_some() {
        return Err(stdio::usage(
            "a folder is extended in place: --out and --content apply to one signature",
            "drop --out and --content, or extend the files one at a time",
        ));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.input)
        .with_context(|| format!("list {}", args.input.display()))?
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
    files.sort();
    let extra = read_chain(&args.chain)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let sources = args.sources.load(timeout)?;
    let tsa = args.tsa.as_deref().map(|url| Tsa::url(url, timeout));
    let step = Step {
        level: args.to.lib(),
        extra: &extra,
        content: None,
        stamp_unstamped: true,
    };
    let jobs = crate::progress::jobs(args.jobs);
    let bar = crate::progress::signatures(files.len(), json, "extended");
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<FolderFailure>> = Mutex::new(Vec::new());
    let stale: Mutex<Vec<FolderFailure>> = Mutex::new(Vec::new());
    let ending: Mutex<Vec<FolderFailure>> = Mutex::new(Vec::new());
    // Each file is written beside itself, then flushed to disk and renamed over the old one by
    // the flushing threads, so the extension threads never wait for the disk and a file is
    // always either the old one or the new one, whole (see `stage`, `commit`). The queue is
    // bounded: at most FLUSH_QUEUE files wait, open.
    let (send, receive) = std::sync::mpsc::sync_channel::<Staged>(FLUSH_QUEUE);
    let receive = Mutex::new(receive);
    std::thread::scope(|scope| {
        for _ in 0..FLUSHERS {
            scope.spawn(|| {
                loop {
                    let next = match receive.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => break,
                    };
                    let Ok((i, tmp, handle)) = next else { break };
                    let Some(file) = files.get(i) else { continue };
                    if let Err(e) = commit(&tmp, handle, file)
                        && let Ok(mut list) = failures.lock()
                    {
                        list.push(FolderFailure {
                            file: file.clone(),
                            error: e,
                        });
                    }
                    bar.inc(1);
                }
            });
        }
        for _ in 0..jobs {
            let send = send.clone();
            let (files, next, failures, stale, ending, bar) =
                (&files, &next, &failures, &stale, &ending, &bar);
            let (step, tsa, sources) = (&step, &tsa, &sources);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let result = (|| -> anyhow::Result<()> {
                        let bytes = stdio::read(file)?;
                        let pem = bytes.first().is_none_or(|b| *b != 0x30);
                        let der = cms::from_pem_or_der(&bytes)?;
                        let (der, summary) = raise(der, step, tsa.as_ref(), sources, now)?;
                        let out = if pem {
                            cms::to_pem(&der).into_bytes()
                        } else {
                            der
                        };
                        let (tmp, handle) = stage(file, &out)?;
                        if let Err(std::sync::mpsc::SendError((_, tmp, _))) =
                            send.send((i, tmp, handle))
                        {
                            let _ = std::fs::remove_file(&tmp);
                            bail!("the flushing threads stopped");
                        }
                        if !summary.not_fresh.is_empty()
                            && let Ok(mut list) = stale.lock()
                        {
                            list.push(FolderFailure {
                                file: file.clone(),
                                error: summary.not_fresh.join("; "),
                            });
                        }
                        if !summary.proofs_ending.is_empty()
                            && let Ok(mut list) = ending.lock()
                        {
                            list.push(FolderFailure {
                                file: file.clone(),
                                error: summary.proofs_ending.join("; "),
                            });
                        }
                        Ok(())
                    })();
                    if let Err(e) = result {
                        if let Ok(mut list) = failures.lock() {
                            list.push(FolderFailure {
                                file: file.clone(),
                                error: format!("{e:#}"),
                            });
                        }
                        bar.inc(1);
                    }
                }
            });
        }
        drop(send);
    });
    // The renames, to disk.
    std::fs::File::open(&args.input)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("flush the folder {} to disk", args.input.display()))?;
    bar.finish_and_clear();
    let mut failed = failures
        .into_inner()
        .map_err(|_| anyhow::anyhow!("an extension thread panicked"))?;
    failed.sort_by(|a, b| a.file.cmp(&b.file));
    // A file that could not be flushed was left as it was: its warnings are not about it.
    let written = |f: &FolderFailure| !failed.iter().any(|x| x.file == f.file);
    let mut not_fresh = stale
        .into_inner()
        .map_err(|_| anyhow::anyhow!("an extension thread panicked"))?;
    not_fresh.retain(written);
    not_fresh.sort_by(|a, b| a.file.cmp(&b.file));
    let mut proofs_ending = ending
        .into_inner()
        .map_err(|_| anyhow::anyhow!("an extension thread panicked"))?;
    proofs_ending.retain(written);
    proofs_ending.sort_by(|a, b| a.file.cmp(&b.file));
    let summary = FolderSummary {
        level: args.to.name(),
        extended: files.len().saturating_sub(failed.len()),
        failed,
        not_fresh,
        proofs_ending,
    };
    if json {
        say!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        say!(
            "extended {} of {} signatures in {} to {}",
            summary.extended,
            files.len(),
            args.input.display(),
            summary.level
        );
        for f in &summary.failed {
            say!("  failed: {}: {}", f.file.display(), f.error);
        }
        for f in summary.not_fresh.iter().chain(&summary.proofs_ending) {
            eprintln!("warning: {}: {}", f.file.display(), f.error);
        }
    }
    Ok(if summary.failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}

/// A file of a folder written beside itself, not yet flushed: its index, the temporary file
/// and its open handle.
type Staged = (usize, PathBuf, std::fs::File);

/// Threads flushing the files of `eds extend DIR` to disk: they wait on the disk, not on a
/// core, and several flushes in flight share the file system's journal commits.
const FLUSHERS: usize = 4;

/// Files of `eds extend DIR` written and waiting to be flushed, at most.
const FLUSH_QUEUE: usize = 64;

/// Writes `bytes` to a temporary file beside `path` (not flushed): the new content, to be
/// put in place by [`commit`].
fn stage(path: &Path, bytes: &[u8]) -> anyhow::Result<(PathBuf, std::fs::File)> {
    use std::io::Write;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    match std::fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes).map(|()| f)) {
        Ok(handle) => Ok((tmp, handle)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e).with_context(|| format!("write {}", tmp.display()))
        }
    }
}

/// Flushes the staged file `tmp` to disk, then renames it over `path`: a crash at any point
/// leaves `path` the old file or the new one, whole. On failure `tmp` is removed and `path`
/// left as it was.
fn commit(tmp: &Path, handle: std::fs::File, path: &Path) -> Result<(), String> {
    let done = handle.sync_all().and_then(|()| {
        drop(handle);
        std::fs::rename(tmp, path)
    });
    done.map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        format!("write {}: {e}; it was left as it was", path.display())
    })
}

/// The certificates of `--chain` files, DER.
pub(crate) fn read_chain(paths: &[PathBuf]) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for path in paths {
        out.extend(read_certificates(path)?);
    }
    Ok(out)
}

fn read_certificates(path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let name = stdio::input_name(path);
    let bytes = stdio::read(path).with_context(|| format!("read --chain {name}"))?;
    cms::certificates_from_pem_or_der(&bytes).with_context(|| format!("read --chain {name}"))
}
