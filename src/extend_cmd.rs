//! `eds extend` and the LT / LTA steps of `eds sign --level`: a signature raised to
//! CAdES-BASELINE-T, -LT or -LTA (ETSI EN 319 122-1 §5.3–§5.5).
//!
//! LT adds the certificates of the signer's and the TSAs' chains and, for every certificate
//! below a root, revocation data: the `--crl` and `--ocsp` files that cover it, else (online)
//! the CRLs of its distribution points, else an answer of its OCSP responder. A certificate left
//! without any is an error: an LT signature must verify with nothing else. LTA then adds an
//! archive timestamp v3 per signer; on a signature that already has one, the next one (renewal).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use ring::rand::SystemRandom;
use serde::Serialize;
use time::OffsetDateTime;

use eds_signer::cms::timestamp::TimestampError;
use eds_signer::cms::{self, archive, lt, timestamp};
use eds_verifier::cert::Cert;
use eds_verifier::crl::Crl;
use eds_verifier::crypto::Digest;
use eds_verifier::fetch::{FetchOptions, Fetcher};
use eds_verifier::ocsp::{self, CheckOptions};

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
    /// Downloads shared by the signatures of one run.
    #[arg(skip)]
    pub(crate) downloads: std::sync::Arc<Downloads>,
}

/// What was downloaded while extending (CRLs, issuers' certificates), by URL, and the CRLs
/// read: in folder mode every signature shares it, so each distribution point is fetched once
/// for the folder and each CRL parsed once.
#[derive(Debug, Default)]
pub(crate) struct Downloads {
    bodies: std::sync::Mutex<std::collections::HashMap<String, Result<Vec<u8>, String>>>,
    /// CRLs parsed, by the exact bytes they were parsed from (at most [`PARSED_CRLS`]).
    parsed: std::sync::Mutex<Vec<(Vec<u8>, Arc<Crl>)>>,
}

/// How many parsed CRLs [`Downloads`] keeps: a run meets a few distribution points.
const PARSED_CRLS: usize = 32;

impl Downloads {
    /// The body at `url`, fetched on first use. The lock is held while fetching, so threads
    /// asking for the same URL wait for the one download instead of making their own.
    fn get(&self, fetcher: &Fetcher, url: &str) -> Result<Vec<u8>, String> {
        let mut map = match self.bodies.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(url.to_owned())
            .or_insert_with(|| fetcher.get_crl(url).map_err(|e| e.to_string()))
            .clone()
    }

    /// `bytes` read as a CRL ([`Crl::parse`]), parsed once per run for the same bytes: the
    /// CRL is matched by all its bytes, so different bytes (of any length) are parsed afresh.
    /// Its signature is not checked here (nor by `eds extend`: the verifier checks it).
    fn crl(&self, bytes: &[u8]) -> Result<Arc<Crl>, eds_verifier::crl::CrlError> {
        let lock = || match self.parsed.lock() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((_, crl)) = lock().iter().find(|(b, _)| b.as_slice() == bytes) {
            return Ok(crl.clone());
        }
        let crl = Arc::new(Crl::parse(bytes)?);
        let mut list = lock();
        if list.len() < PARSED_CRLS && !list.iter().any(|(b, _)| b.as_slice() == bytes) {
            list.push((bytes.to_vec(), crl.clone()));
        }
        Ok(crl)
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
pub(crate) struct ExtendSummary {
    out: PathBuf,
    level: &'static str,
    signature_timestamps_added: usize,
    certificates_added: usize,
    crls_added: usize,
    ocsp_responses_added: usize,
    archive_timestamps: Vec<usize>,
    /// Revocation data added at LT that was issued before the latest signature timestamp
    /// (ETSI EN 319 102-1 freshness), one line each with what to do.
    pub(crate) not_fresh: Vec<String>,
    /// The signature's newest timestamp, per signer, whose TSA certificate has ended or ends
    /// within [`RENEW_WITHIN`]: one line each with what it means and what to do.
    pub(crate) proofs_ending: Vec<String>,
}

/// RFC 3339 text of `t`.
fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// `eds extend` says when the newest timestamp's TSA certificate ends within this time.
const RENEW_WITHIN: time::Duration = time::Duration::days(90);

/// Per signer of `der`, the newest timestamp token (signature or archive timestamp) and the end
/// of its TSA's certificate: a token proves something only while that certificate is valid, or
/// a later archive timestamp proves the token older (ETSI EN 319 102-1 §5.6.3). One line per
/// signer whose newest token's TSA certificate has ended by `now` or ends within
/// [`RENEW_WITHIN`]. Tokens that cannot be read are left to `eds verify`.
fn proofs_ending(der: &[u8], content: Option<&[u8]>, now: OffsetDateTime) -> Vec<String> {
    let Ok(doc) = eds_verifier::cms::parse(der) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for (i, signer) in doc.signers.iter().enumerate() {
        let mut tokens = signer.timestamp_tokens.clone();
        if let Ok(archives) =
            eds_verifier::ltv::archive_tokens(der, signer, content.or(doc.content.as_deref()))
        {
            tokens.extend(archives.into_iter().map(|a| a.token));
        }
        let newest = tokens
            .iter()
            .filter_map(|t| eds_verifier::cms::read_timestamp_token(t).ok())
            .max_by_key(|t| t.gen_time);
        let Some(token) = newest else { continue };
        let Some(tsa_signer) = token.tsa_signer() else {
            continue;
        };
        // The TSA's certificate as the token names it. One candidate is the one: its end is
        // all this warning needs, so the token's signature is not checked here (`eds verify`
        // does). Several (a renewed certificate keeping its key): the full check, which tells
        // them apart by the token's signing-certificate attribute.
        let mut candidates: Vec<&Cert> = Vec::new();
        for cert in token.document.certificates.iter().chain(&doc.certificates) {
            if eds_verifier::cms::matches_sid(cert, &tsa_signer.sid)
                && !candidates.iter().any(|c| c.der() == cert.der())
            {
                candidates.push(cert);
            }
        }
        let tsa = match (candidates.first(), candidates.get(1)) {
            (Some(only), None) => (*only).clone(),
            (None, _) => continue,
            (Some(_), Some(_)) => {
                let check = eds_verifier::cms::check_signer(
                    &token.document,
                    tsa_signer,
                    None,
                    &doc.certificates,
                );
                let Some(tsa) = check.certificate else {
                    continue;
                };
                tsa
            }
        };
        let end = tsa.not_after();
        let n = i + 1;
        let made = rfc3339(token.gen_time);
        if end < now {
            lines.push(format!(
                "signer {n}: its newest timestamp ({made}) proves nothing any more: its TSA \
                 certificate ({}) ended at {}; what is added now proves the signature existed \
                 only from now on",
                tsa.subject(),
                rfc3339(end)
            ));
        } else if end - now < RENEW_WITHIN {
            lines.push(format!(
                "signer {n}: its newest timestamp ({made}) is vouched for by its TSA certificate \
                 ({}) only until {}: add the next archive timestamp (`eds extend --to LTA`) \
                 before then",
                tsa.subject(),
                rfc3339(end)
            ));
        }
    }
    lines
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
    let tsa = args.tsa.as_deref().map(|url| Tsa::url(url, timeout));
    let (der, summary) = raise(
        der,
        args.to,
        tsa.as_ref(),
        &args.sources,
        &extra,
        content.as_deref(),
        true,
        timeout,
        now,
    )?;
    let out = args.out.clone().unwrap_or_else(|| args.input.clone());
    if out.extension().is_some_and(|e| e == "pem") {
        stdio::write(&out, cms::to_pem(&der).as_bytes(), false)?;
    } else {
        stdio::write(&out, &der, true)?;
    }
    let summary = ExtendSummary { out, ..summary };
    if json {
        say!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        say!(
            "extended {name} to {} → {}: {} signature timestamp(s), {} certificate(s), {} CRL(s), \
             {} OCSP response(s) added; archive timestamps per signer: {:?}",
            summary.level,
            stdio::output_name(&summary.out),
            summary.signature_timestamps_added,
            summary.certificates_added,
            summary.crls_added,
            summary.ocsp_responses_added,
            summary.archive_timestamps,
        );
        for line in summary.not_fresh.iter().chain(&summary.proofs_ending) {
            eprintln!("warning: {line}");
        }
    }
    Ok(Exit::Ok)
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
/// is left as it was and listed; the exit code is then 69.
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
    let tsa = args.tsa.as_deref().map(|url| Tsa::url(url, timeout));
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
            let (extra, tsa) = (&extra, &tsa);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let result = (|| -> anyhow::Result<()> {
                        let bytes = stdio::read(file)?;
                        let pem = bytes.first().is_none_or(|b| *b != 0x30);
                        let der = cms::from_pem_or_der(&bytes)?;
                        let (der, summary) = raise(
                            der,
                            args.to,
                            tsa.as_ref(),
                            &args.sources,
                            extra,
                            None,
                            true,
                            timeout,
                            now,
                        )?;
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

/// A DER TimeStampReq in, the DER TimeStampResp out.
type Post<'a> = Box<dyn Fn(&[u8]) -> Result<Vec<u8>, TimestampError> + Send + Sync + 'a>;

/// A timestamp authority: asked with a request, answers with a token (RFC 3161).
pub(crate) struct Tsa<'a> {
    /// What messages call it: its URL, or what it is.
    pub(crate) name: String,
    post: Post<'a>,
}

impl<'a> Tsa<'a> {
    /// The TSA at an http:// URL (RFC 3161 §3.4).
    pub(crate) fn url(url: &str, timeout: Duration) -> Tsa<'static> {
        let owned = url.to_owned();
        Tsa {
            name: url.to_owned(),
            post: Box::new(move |request| timestamp::post(&owned, request, timeout)),
        }
    }

    /// A TSA reached any other way: `post` takes a DER TimeStampReq and gives the DER
    /// TimeStampResp (the demo's in-process authority).
    pub(crate) fn local(
        name: impl Into<String>,
        post: impl Fn(&[u8]) -> Result<Vec<u8>, TimestampError> + Send + Sync + 'a,
    ) -> Tsa<'a> {
        Tsa {
            name: name.into(),
            post: Box::new(post),
        }
    }

    /// The token answering `request`, checked to answer it ([`TimestampRequest::token`]).
    fn ask(&self, request: &timestamp::TimestampRequest) -> Result<Vec<u8>, TimestampError> {
        let response = (self.post)(request.der())?;
        request.token(&response)
    }
}

/// Raises `der` to `level`; the summary's `out` is left empty for the caller.
#[expect(clippy::too_many_arguments, reason = "the inputs of one step, named")]
pub(crate) fn raise(
    der: Vec<u8>,
    level: Level,
    tsa: Option<&Tsa<'_>>,
    sources: &LtSources,
    extra: &[Vec<u8>],
    content: Option<&[u8]>,
    stamp_unstamped: bool,
    timeout: Duration,
    now: OffsetDateTime,
) -> anyhow::Result<(Vec<u8>, ExtendSummary)> {
    let mut summary = ExtendSummary {
        out: PathBuf::new(),
        level: level.name(),
        signature_timestamps_added: 0,
        certificates_added: 0,
        crls_added: 0,
        ocsp_responses_added: 0,
        archive_timestamps: Vec::new(),
        not_fresh: Vec::new(),
        proofs_ending: Vec::new(),
    };
    summary.proofs_ending = proofs_ending(&der, content, now);
    let mut der = der;
    if level == Level::B {
        return Err(stdio::usage(
            "--to B: a signature cannot be lowered; B is what `eds sign` makes without --tsa",
            "give --to T, LT or LTA",
        ));
    }
    let rng = SystemRandom::new();
    // T: every signer without a signature timestamp gets one.
    let unstamped: Vec<Vec<u8>> = timestamp::signature_timestamps(&der)?
        .into_iter()
        .filter(|s| s.tokens.is_empty())
        .map(|s| s.signature_value)
        .collect();
    if stamp_unstamped && !unstamped.is_empty() {
        let Some(tsa) = tsa else {
            return Err(stdio::usage(
                format!(
                    "{} signer(s) have no signature timestamp: give --tsa URL to add one (level \
                     T comes before LT and LTA)",
                    unstamped.len()
                ),
                "give --tsa URL, e.g. the center's http://HOST:PORT/tsa",
            ));
        };
        let mut added = 0;
        for value in &unstamped {
            let request = timestamp::TimestampRequest::new(value, &rng)?;
            let token = tsa
                .ask(&request)
                .with_context(|| format!("timestamp the signatures at {}", tsa.name))?;
            der = timestamp::add_signature_timestamp(&der, &token)?;
            added += 1;
        }
        summary.signature_timestamps_added = added;
    }
    if level >= Level::Lt {
        let (data, embedded, answers) = validation_data(&der, sources, extra, timeout, now)?;
        summary.not_fresh = freshness(&der, &embedded, &answers)?;
        let (with_data, added) = lt::add_validation_data(&der, &data)?;
        der = with_data;
        summary.certificates_added = added.certificates;
        summary.crls_added = added.crls;
        summary.ocsp_responses_added = added.ocsp_responses;
    }
    if level == Level::Lta {
        let Some(tsa) = tsa else {
            return Err(stdio::usage(
                "--to LTA needs --tsa URL: the archive timestamp comes from a TSA",
                "give --tsa URL, e.g. the center's http://HOST:PORT/tsa",
            ));
        };
        for value in timestamp::signature_values(&der)? {
            let (request, input) = archive::archive_request(&der, &value, content, &rng)?;
            let token = tsa
                .ask(&request)
                .with_context(|| format!("add the archive timestamp from {}", tsa.name))?;
            der = archive::add_archive_timestamp(&der, &value, &token, &input.hash_index)?;
        }
    }
    summary.archive_timestamps = archive::archive_timestamp_counts(&der)?;
    Ok((der, summary))
}

/// An OCSP answer chosen for LT: whom it is about and its thisUpdate.
struct Answer {
    about: String,
    this_update: OffsetDateTime,
}

/// The certificates of the chains and the revocation data of every certificate below a root,
/// with the CRLs chosen (read, in the order of `crls` in the data) and the OCSP answers chosen.
fn validation_data(
    der: &[u8],
    sources: &LtSources,
    extra: &[Vec<u8>],
    timeout: Duration,
    now: OffsetDateTime,
) -> anyhow::Result<(lt::ValidationData, Vec<Arc<Crl>>, Vec<Answer>)> {
    let mut answers = Vec::new();
    let mut all = lt::covered_certificates(der)?;
    for cert in extra {
        if !all.contains(cert) {
            all.push(cert.clone());
        }
    }
    let mut certs: Vec<Cert> = all
        .iter()
        .map(|d| Cert::from_der(d))
        .collect::<Result<_, _>>()
        .context("read a certificate of the signature")?;
    let mut crls: Vec<Arc<Crl>> = Vec::new();
    for path in &sources.crls {
        let bytes =
            stdio::read(path).with_context(|| format!("read the CRL {}", path.display()))?;
        crls.push(
            sources
                .downloads
                .crl(&bytes)
                .map_err(|e| crate::exit::data_error(format!("the CRL {}", path.display()), e))?,
        );
    }
    let mut embedded: Vec<Arc<Crl>> = Vec::new();
    let mut saved_ocsp: Vec<Vec<u8>> = Vec::new();
    for path in &sources.ocsp {
        saved_ocsp.push(
            std::fs::read(path)
                .with_context(|| format!("read the OCSP response {}", path.display()))?,
        );
    }
    let mut data = lt::ValidationData {
        certificates: all.clone(),
        ..lt::ValidationData::default()
    };
    let fetcher = (!sources.offline).then(|| {
        Fetcher::new(FetchOptions {
            timeout,
            ..FetchOptions::default()
        })
    });
    let mut fetched_urls: Vec<String> = Vec::new();
    let check_options = CheckOptions::default();
    // Online, an issuer missing from the signature (the root, usually) is fetched from the
    // certificate's caIssuers address (RFC 5280 §4.2.2.1).
    let mut i = 0;
    while let Some(cert) = certs.get(i).cloned() {
        i += 1;
        if cert.is_self_issued() || certs.iter().any(|c| c.subject_der() == cert.issuer_der()) {
            continue;
        }
        let Some(fetcher) = &fetcher else { continue };
        for url in cert.ca_issuer_urls() {
            let Ok(bytes) = sources.downloads.get(fetcher, &url) else {
                continue;
            };
            let found = Cert::all_from_pem_or_der(&bytes)
                .unwrap_or_default()
                .into_iter()
                .find(|c| c.subject_der() == cert.issuer_der());
            if let Some(issuer) = found {
                push_once(&mut data.certificates, issuer.der());
                certs.push(issuer);
                break;
            }
        }
    }
    for cert in certs.iter().filter(|c| !c.is_self_issued()) {
        // Without the issuer's certificate (a root the verifier holds as its anchor anyway)
        // CRLs still serve, matched by issuer name; OCSP answers need it.
        let issuer = certs.iter().find(|c| c.subject_der() == cert.issuer_der());
        let mut covered = false;
        for crl in crls.iter().filter(|c| c.issuer_der() == cert.issuer_der()) {
            push_crl(&mut data.crls, &mut embedded, crl);
            covered = true;
        }
        for response in saved_ocsp.iter().filter(|_| issuer.is_some()) {
            let Some(issuer) = issuer else { break };
            let at = ocsp::check_response(response, cert, issuer, None, now, &check_options)
                .map(|c| c.this_update)
                .or_else(|_| {
                    // A saved answer made before now may be past its nextUpdate: what matters
                    // is that it answers for this certificate.
                    ocsp::check_response(
                        response,
                        cert,
                        issuer,
                        None,
                        now - time::Duration::days(1),
                        &check_options,
                    )
                    .map(|c| c.this_update)
                });
            if let Ok(this_update) = at {
                push_once(&mut data.ocsp_responses, response);
                answers.push(Answer {
                    about: cert.subject(),
                    this_update,
                });
                covered = true;
            }
        }
        if covered {
            continue;
        }
        let Some(fetcher) = &fetcher else {
            bail!(
                "no --crl or --ocsp file covers {} (serial {}), and --offline forbids downloading: \
                 give the CRL of {}",
                cert.subject(),
                cert.serial_hex(),
                cert.issuer()
            );
        };
        let mut notes = Vec::new();
        for url in cert.crl_urls() {
            if fetched_urls.contains(url) {
                covered = true;
                continue;
            }
            match sources
                .downloads
                .get(fetcher, url)
                .and_then(|bytes| sources.downloads.crl(&bytes).map_err(|e| e.to_string()))
            {
                Ok(crl) => {
                    push_crl(&mut data.crls, &mut embedded, &crl);
                    fetched_urls.push(url.clone());
                    covered = true;
                }
                Err(e) => notes.push(format!("{url}: {e}")),
            }
        }
        if !covered && let Some(issuer) = issuer {
            for url in cert.ocsp_urls() {
                let request = ocsp::Request::new(cert, issuer, Digest::Sha256, None)
                    .context("build an OCSP request")?;
                match fetcher.post_ocsp(url, request.der()) {
                    Ok(response) => {
                        match request.check(&response, cert, issuer, now, &check_options) {
                            Ok(checked) => {
                                push_once(&mut data.ocsp_responses, &response);
                                answers.push(Answer {
                                    about: cert.subject(),
                                    this_update: checked.this_update,
                                });
                                covered = true;
                                break;
                            }
                            Err(e) => notes.push(format!("{url}: {e}")),
                        }
                    }
                    Err(e) => notes.push(format!("{url}: {e}")),
                }
            }
        }
        if !covered {
            bail!(
                "no revocation data for {} (serial {}): {}",
                cert.subject(),
                cert.serial_hex(),
                if notes.is_empty() {
                    "it names no CRL distribution point or OCSP responder; give --crl".to_owned()
                } else {
                    notes.join("; ")
                }
            );
        }
    }
    Ok((data, embedded, answers))
}

/// ETSI EN 319 102-1 (§5.6.2.3, past signature validation): revocation data shows a
/// certificate was not revoked when the signature was made only if it was issued after the
/// signature timestamp. Lists each CRL or OCSP answer issued at or before the latest
/// signature timestamp's genTime, saying what to do; empty when all are fresh (or there is no
/// signature timestamp to be fresh against).
fn freshness(der: &[u8], crls: &[Arc<Crl>], answers: &[Answer]) -> anyhow::Result<Vec<String>> {
    let mut stamped_at: Option<OffsetDateTime> = None;
    for signer in timestamp::signature_timestamps(der)? {
        for token in &signer.tokens {
            let token = eds_verifier::cms::read_timestamp_token(token)
                .context("read a signature timestamp")?;
            stamped_at = Some(stamped_at.map_or(token.gen_time, |t| t.max(token.gen_time)));
        }
    }
    let Some(stamped_at) = stamped_at else {
        return Ok(Vec::new());
    };
    let when = rfc3339;
    let mut stale = Vec::new();
    for crl in crls {
        if crl.this_update() <= stamped_at {
            stale.push(format!(
                "the CRL of {} was issued at {}, not after the signature timestamp ({}): it \
                 cannot show the certificates it covers were not revoked when the signature was \
                 made; after the center's next CRL{} run `eds extend --to LT` again (or give a \
                 fresh one with --crl)",
                crl.issuer(),
                when(crl.this_update()),
                when(stamped_at),
                crl.next_update()
                    .map(|n| format!(" (due by {})", when(n)))
                    .unwrap_or_default(),
            ));
        }
    }
    for answer in answers.iter().filter(|a| a.this_update <= stamped_at) {
        stale.push(format!(
            "the OCSP answer about {} was produced for {}, not after the signature timestamp \
             ({}): ask the responder again and run `eds extend --to LT` again (or give a fresh \
             answer with --ocsp)",
            answer.about,
            when(answer.this_update),
            when(stamped_at),
        ));
    }
    Ok(stale)
}

/// Adds `crl` to the CRLs to embed (`ders`) and to those read (`read`), once.
fn push_crl(ders: &mut Vec<Vec<u8>>, read: &mut Vec<Arc<Crl>>, crl: &Arc<Crl>) {
    if !ders.iter().any(|d| d.as_slice() == crl.der()) {
        ders.push(crl.der().to_vec());
        read.push(crl.clone());
    }
}

fn push_once(list: &mut Vec<Vec<u8>>, der: &[u8]) {
    if !list.iter().any(|d| d == der) {
        list.push(der.to_vec());
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    /// The parsed-CRL cache of a run matches a CRL by all its bytes: the same bytes give the
    /// one parsed CRL, bytes of the same length with one changed are read afresh (and the
    /// changed signature is refused), a changed tag is refused outright.
    #[test]
    fn ok_a_crl_is_parsed_once_per_run_and_a_changed_one_of_the_same_length_afresh() {
        let downloads = Downloads::default();
        let pki = eds_fixtures::pki::TestPki::new();
        let der = pki.crl(pki.issuing()).build().der().to_vec();
        let issuer = Cert::from_der(pki.issuing().der()).unwrap();
        let first = downloads.crl(&der).unwrap();
        let again = downloads.crl(&der).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the same bytes are parsed once"
        );
        assert_eq!(first.verify(&issuer), Ok(()));

        // The signature's last byte changed: the same length, still a CRL to read.
        let mut tampered = der.clone();
        *tampered.last_mut().unwrap() ^= 0x01;
        assert_eq!(tampered.len(), der.len());
        let read = downloads.crl(&tampered).unwrap();
        assert!(!Arc::ptr_eq(&first, &read), "changed bytes are read afresh");
        assert_eq!(read.der(), tampered.as_slice());
        assert_eq!(
            read.verify(&issuer),
            Err(eds_verifier::crl::CrlError::BadSignature {
                issuer: issuer.subject()
            })
        );

        // The outer tag changed: not a CRL at all, whatever was read before.
        let mut broken = der.clone();
        broken[0] = 0x31;
        assert!(downloads.crl(&broken).is_err());
        assert!(Arc::ptr_eq(&downloads.crl(&der).unwrap(), &first));
    }
}
