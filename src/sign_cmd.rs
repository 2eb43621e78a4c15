//! `eds sign` and `eds extract`: files and flags in, `eds_signer` calls, a summary out.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use ring::rand::SystemRandom;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use eds_signer::cms::{self, MAX_ATTACHED_LIMIT, timestamp};
use eds_signer::keys::{load_pkcs8, load_pkcs12};
use eds_signer::{
    CmsError, Content, SignError, SignOptions, SignatureAlgorithm, SignedMessage, Signer,
    SigningKey,
};

use crate::cli::{ExtractArgs, SignArgs};
use crate::exit::Exit;
use crate::extend_cmd::{self, Level};
use crate::stdio;

/// Where the key's password comes from when no --password-file is given.
const PASSWORD_ENV: &str = "EDS_KEY_PASSWORD";

/// What `eds sign --json` prints.
#[derive(Debug, Serialize)]
struct SignSummary {
    out: PathBuf,
    format: &'static str,
    detached: bool,
    cosigned: bool,
    signers: usize,
    signer: String,
    algorithm: &'static str,
    digest: String,
    signing_time: String,
    certificates: usize,
    /// The TSA that timestamped the new signature (`--tsa`), if any.
    timestamped_by: Option<String>,
    /// The CAdES baseline level made: B, T, LT or LTA.
    level: &'static str,
    /// Why a relying party may reject the signature (revoked, expired or authentication-only
    /// certificate, no issuing center's certificate); `--strict` refuses instead.
    warnings: Vec<String>,
}

/// `eds sign --strict`: the certificate or its chain would make the signature fail or be
/// unverifiable; nothing was written.
#[derive(Debug, thiserror::Error)]
#[error("refused to sign (--strict): {}", problems.join("; "))]
pub(crate) struct NotFitToSign {
    problems: Vec<String>,
}

/// What `eds sign` found about the signer's certificate before signing.
#[derive(Debug, Default)]
struct Fitness {
    /// What makes a signature fail or unverifiable for a relying party.
    problems: Vec<String>,
    /// What was done about it (certificates taken from the center in --data).
    notes: Vec<String>,
}

/// Checks the signer's certificate as a relying party will: within its validity, not revoked in
/// the center of `data` (its register), allowed to sign documents (EDS law art. 10.1(3)), and
/// carried with the certificate of the center that issued it. When that center is the one in
/// `data`, its certificates complete `chain`.
fn fitness(
    certificate: &[u8],
    chain: &mut Vec<Vec<u8>>,
    data: &Path,
    now: OffsetDateTime,
) -> anyhow::Result<Fitness> {
    use eds_verifier::cert::Cert;
    let mut out = Fitness::default();
    let leaf = Cert::from_der(certificate).context("read the signer's certificate")?;
    let day = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_else(|_| t.to_string());
    if now > leaf.not_after() {
        out.problems.push(format!(
            "the certificate expired at {}: a signature made now fails (TOTAL_FAILED)",
            day(leaf.not_after())
        ));
    } else if now < leaf.not_before() {
        out.problems.push(format!(
            "the certificate is not valid before {}: a signature made now fails",
            day(leaf.not_before())
        ));
    }
    if let Err(e) = eds_verifier::scope::check_signing_use(&leaf) {
        out.problems.push(format!("{e} (EDS law art. 10.1(3))"));
    }
    // The center of --data, if the folder holds one.
    let center = if data.join("center.json").is_file() {
        let read = |name: &str| -> Option<Cert> {
            let bytes = std::fs::read(data.join(name)).ok()?;
            Cert::all_from_pem_or_der(&bytes).ok()?.into_iter().next()
        };
        read("issuing.crt.pem").zip(read("root.crt.pem"))
    } else {
        None
    };
    // Walk up from the leaf through the chain; the center's certificates fill a gap.
    let mut known: Vec<Cert> = chain
        .iter()
        .filter_map(|der| Cert::from_der(der).ok())
        .collect();
    let mut current = leaf.clone();
    let mut above = 0usize;
    for _ in 0..8 {
        if current.is_self_issued() {
            break;
        }
        let parent = known
            .iter()
            .find(|c| c.subject_der() == current.issuer_der())
            .cloned();
        let parent = match parent {
            Some(p) => p,
            None => {
                let from_center = center.as_ref().and_then(|(issuing, root)| {
                    [issuing, root]
                        .into_iter()
                        .find(|c| c.subject_der() == current.issuer_der())
                        .cloned()
                });
                let Some(p) = from_center else { break };
                if p.is_self_issued() {
                    // The root: the verifier's anchor, embedded only with --include-root.
                    break;
                }
                out.notes.push(format!(
                    "added {} from the center in {} to the signature's certificates",
                    p.subject(),
                    data.display()
                ));
                chain.push(p.der().to_vec());
                known.push(p.clone());
                p
            }
        };
        above += 1;
        current = parent;
    }
    if above == 0 && !leaf.is_self_issued() {
        out.problems.push(format!(
            "the signature would carry no certificate of the center that issued the signer's \
             ({}): a verifier holding only the root cannot build the path; give it with --chain \
             (the SERIAL.chain.pem `eds ca issue` writes) or --data DIR of that center",
            leaf.issuer()
        ));
    }
    // Revocation in the register of the center that issued the certificate.
    if let Some((issuing, _)) = &center
        && issuing.subject_der() == leaf.issuer_der()
        && let Ok(serial) = eds_ca::store::Serial::from_der_content(leaf.serial())
    {
        match eds_ca::center::Center::open(data) {
            Ok(c) => match c.store().certificate(&serial) {
                Ok(Some(rec)) if rec.der == certificate => {
                    if let Some(r) = &rec.revocation {
                        out.problems.push(format!(
                            "the certificate was revoked at {} (ground {}, art. {}): a \
                             signature made now fails (TOTAL_FAILED / REVOKED)",
                            day(r.entered_at),
                            r.ground.as_str(),
                            r.ground.article()
                        ));
                    }
                }
                Ok(_) => {}
                Err(e) => out.notes.push(format!(
                    "could not look the certificate up in {}: {e}",
                    data.display()
                )),
            },
            Err(e) => out.notes.push(format!(
                "could not open the center in {} to check revocation: {e}",
                data.display()
            )),
        }
    }
    Ok(out)
}

/// What `eds extract --json` prints.
#[derive(Debug, Serialize)]
struct ExtractSummary {
    out: PathBuf,
    bytes: usize,
    signers: usize,
    content_type: String,
}

/// `eds sign`.
pub(crate) fn sign(
    args: &SignArgs,
    data: &Path,
    json: bool,
    now: OffsetDateTime,
) -> anyhow::Result<Exit> {
    let batch = batch_files(args)?;
    let mut inputs: Vec<(&str, &Path)> = args.input.iter().map(|p| ("--in", p.as_path())).collect();
    inputs.extend(args.key.as_deref().map(|p| ("--key", p)));
    inputs.extend(args.p12.as_deref().map(|p| ("--p12", p)));
    inputs.extend(
        args.password_file
            .as_deref()
            .map(|p| ("--password-file", p)),
    );
    inputs.extend(args.pin_file.as_deref().map(|p| ("--pin-file", p)));
    inputs.extend(args.cert.as_deref().map(|p| ("--cert", p)));
    inputs.extend(args.chain.iter().map(|p| ("--chain", p.as_path())));
    inputs.extend(args.add_to.as_deref().map(|p| ("--add-to", p)));
    stdio::check_one_stdin(inputs)?;
    let single_out = match (&batch, &args.out, &args.out_dir, args.input.first()) {
        (Some(_), _, _, _) => None,
        (None, Some(out), _, _) => Some(out.clone()),
        (None, None, Some(dir), Some(input)) if !stdio::is_dash(input) => {
            Some(dir.join(signature_name(input)))
        }
        (None, None, _, _) => {
            return Err(stdio::UsageError {
                message: "eds sign needs --out FILE (or --out-dir DIR) for its signature".into(),
                hint: "add --out FILE.p7s; a folder or several --in files write FILE.p7s beside \
                       each document (or into --out-dir)",
            }
            .into());
        }
    };
    if let Some(out) = &single_out {
        stdio::reserve_stdout(out);
    }
    let password = password(args.password_file.as_deref())?;
    // One key load (one PBKDF2 of a .p12) for every document.
    let (key, certificate, mut chain) = load_key(args, password.as_deref())?;
    for path in &args.chain {
        chain.extend(read_certificates(path, "--chain")?);
    }
    let fitness = fitness(&certificate, &mut chain, data, now)?;
    if !fitness.problems.is_empty() && args.strict {
        return Err(anyhow::Error::new(NotFitToSign {
            problems: fitness.problems,
        }));
    }
    for line in &fitness.notes {
        eprintln!("note: {line}");
    }
    for line in &fitness.problems {
        eprintln!("warning: {line}");
    }
    let key = key.as_ref();
    let signer = Signer::new(key, &certificate, &chain)
        .context("pair the key with its certificate and chain")?;
    let level = match (args.level, &args.tsa) {
        (Some(Level::B), Some(_)) => {
            return Err(stdio::usage(
                "--level B makes no timestamp",
                "drop --tsa, or ask for --level T, LT or LTA",
            ));
        }
        (Some(level), None) if level > Level::B => {
            return Err(stdio::usage(
                format!(
                    "--level {level:?} needs --tsa URL: its signature timestamp comes from a TSA"
                ),
                "give --tsa URL, e.g. the center's http://HOST:PORT/tsa, or --level B",
            ));
        }
        (Some(level), _) => level,
        (None, Some(_)) => Level::T,
        (None, None) => Level::B,
    };

    let signing_time = match &args.signing_time {
        Some(s) => OffsetDateTime::parse(s, &Rfc3339).with_context(|| {
            format!("--signing-time {s:?} is not an RFC 3339 time like 2026-03-02T10:00:00Z")
        })?,
        None => now,
    };
    // signingTime has whole seconds (RFC 5652 §11.3 as DER writes it); report what is signed.
    let signing_time = signing_time.replace_nanosecond(0)?;
    let max_mib = args.max_attached_mib;
    let limit = max_mib.saturating_mul(1024 * 1024);
    if limit > MAX_ATTACHED_LIMIT {
        return Err(stdio::usage(
            format!(
                "--max-attached-mib {max_mib} is over 255 (the most an attached signature holds)"
            ),
            "give at most 255, or sign --detached",
        ));
    }
    let options = SignOptions::new(signing_time)
        .detached(args.detached)
        .include_root(args.include_root)
        .attached_limit(limit);
    let job = Job {
        args,
        key,
        signer: &signer,
        chain: &chain,
        level,
        options,
        signing_time,
        warnings: fitness.problems,
        now,
        batch: batch.is_some(),
    };
    match (batch, single_out) {
        (Some(files), _) => sign_batch(&job, &files, json),
        (None, Some(out)) => {
            let input = args
                .input
                .first()
                .map(PathBuf::as_path)
                .unwrap_or(Path::new("-"));
            let summary = job.sign_one(input, &out)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                say!("{}", summary_line(input, &summary));
            }
            Ok(Exit::Ok)
        }
        (None, None) => bail!("no output for the signature"),
    }
}

/// The documents of a batch (a folder, or more than one `--in`), or `None` for one document.
fn batch_files(args: &SignArgs) -> anyhow::Result<Option<Vec<PathBuf>>> {
    let folder = args.input.iter().any(|p| !stdio::is_dash(p) && p.is_dir());
    if args.input.len() < 2 && !folder {
        return Ok(None);
    }
    let refuse = |message: &str| -> anyhow::Result<Option<Vec<PathBuf>>> {
        Err(stdio::UsageError {
            message: message.to_owned(),
            hint: "sign a folder or several files with --out-dir DIR (or none: FILE.p7s beside \
                   each), one at a time with --out or --add-to",
        }
        .into())
    };
    if args.out.is_some() {
        return refuse("--out names one signature; a folder or several --in files make one each");
    }
    if args.add_to.is_some() {
        return refuse(
            "--add-to co-signs one signature; it does not take a folder or several files",
        );
    }
    if args.input.iter().any(|p| stdio::is_dash(p)) {
        return refuse("standard input (`-`) is one document; it cannot be part of a batch");
    }
    let mut files = Vec::new();
    for path in &args.input {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("list {}", path.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && !is_signature_or_hidden(p))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(Some(files))
}

/// Files a folder batch leaves alone: signatures (`.p7s`, `.p7m`, `.cms`, `.sig`, also as
/// `.pem`) and hidden files.
fn is_signature_or_hidden(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".pem").unwrap_or(&name);
    name.starts_with('.')
        || [".p7s", ".p7m", ".cms", ".sig"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// `FILE.p7s` for the document `FILE`.
fn signature_name(input: &Path) -> std::ffi::OsString {
    let mut name = input.file_name().unwrap_or_default().to_os_string();
    name.push(".p7s");
    name
}

/// What every document of one `eds sign` shares: the key loaded once, the signer, the options.
struct Job<'a> {
    args: &'a SignArgs,
    key: &'a dyn SigningKey,
    signer: &'a Signer<'a>,
    chain: &'a [Vec<u8>],
    level: Level,
    options: SignOptions,
    signing_time: OffsetDateTime,
    warnings: Vec<String>,
    now: OffsetDateTime,
    /// A batch: files are flushed to disk in groups by a flushing thread ([`stdio::sync_group`]).
    batch: bool,
}

impl Job<'_> {
    /// Signs `input` into `out`.
    fn sign_one(&self, input_path: &Path, out: &Path) -> anyhow::Result<SignSummary> {
        let args = self.args;
        let level = self.level;
        let input = stdio::path_for_reading(input_path);
        let content = Content::File(&input);
        let existing = match &args.add_to {
            None => None,
            Some(existing) => {
                let name = stdio::input_name(existing);
                let bytes = stdio::read(existing)
                    .with_context(|| format!("read the signature to add to {name}"))?;
                Some(cms::from_pem_or_der(&bytes).with_context(|| format!("read {name}"))?)
            }
        };
        let prepared = match &existing {
            None => cms::prepare(self.signer, content, &self.options),
            Some(der) => cms::prepare_cosign(self.signer, der, Some(content), &self.options),
        }
        .with_context(|| format!("sign {}", stdio::input_name(input_path)))?;
        if args.add_to.is_some() && args.detached && !prepared.is_detached() {
            eprintln!(
                "note: the existing signature holds the document, so the co-signature does too \
                 (--detached applies to new signatures only)"
            );
        }

        let signature = self
            .key
            .sign(prepared.to_be_signed(), &SystemRandom::new())
            .context("sign with the key")?;
        let pem = args.pem || (!args.der && out.extension().is_some_and(|e| e == "pem"));
        let summary = SignSummary {
            out: out.to_path_buf(),
            format: if pem { "pem" } else { "der" },
            detached: prepared.is_detached(),
            cosigned: args.add_to.is_some(),
            signers: prepared.signer_count(),
            signer: self.signer.subject().to_owned(),
            algorithm: algorithm_name(prepared.algorithm()),
            digest: hex::encode(prepared.content_digest()),
            signing_time: self.signing_time.format(&Rfc3339)?,
            certificates: self.signer.certificate_count(args.include_root),
            timestamped_by: args.tsa.clone(),
            level: level.name(),
            warnings: self.warnings.clone(),
        };
        let prepared_detached = prepared.is_detached();
        let mut der = cms::assemble(prepared, &signature)?;
        if let Some(url) = &args.tsa {
            // Only the new signature: the earlier signers' values are in the message signed over.
            let earlier = match &existing {
                Some(e) => timestamp::signature_values(e)?,
                None => Vec::new(),
            };
            let (stamped, added) = timestamp::timestamp_signatures(
                &der,
                url,
                std::time::Duration::from_secs(args.tsa_timeout.max(1)),
                &SystemRandom::new(),
                &|value| !earlier.iter().any(|e| e.as_slice() == value),
            )
            .with_context(|| format!("timestamp the signature at {url}"))?;
            if added != 1 {
                bail!("timestamp the signature at {url}: {added} signatures matched, expected 1");
            }
            der = stamped;
        }
        if level >= Level::Lt {
            let content = if prepared_detached && level == Level::Lta {
                Some(
                    stdio::read(input_path)
                        .with_context(|| format!("read {}", stdio::input_name(input_path)))?,
                )
            } else {
                None
            };
            let timeout = std::time::Duration::from_secs(args.tsa_timeout.max(1));
            let tsa = args
                .tsa
                .as_deref()
                .map(|url| extend_cmd::Tsa::url(url, timeout));
            let sources = args.lt.load(timeout)?;
            let step = eds_extend::Step {
                level: level.lib(),
                extra: self.chain,
                content: content.as_deref(),
                stamp_unstamped: false,
            };
            let (raised, raised_summary) =
                extend_cmd::raise(der, &step, tsa.as_ref(), &sources, self.now)
                    .with_context(|| format!("make the signature CAdES-{}", level.name()))?;
            der = raised;
            for line in &raised_summary.not_fresh {
                eprintln!("warning: {line}");
            }
        }
        if pem {
            stdio::write_synced(out, cms::to_pem(&der).as_bytes(), false, !self.batch)?;
        } else {
            stdio::write_synced(out, &der, true, !self.batch)?;
        }
        Ok(summary)
    }
}

/// The line `eds sign` prints for one document.
fn summary_line(input: &Path, summary: &SignSummary) -> String {
    format!(
        "{} {} as {} ({}), {} → {} ({} signer{}, {}{})",
        if summary.cosigned {
            "co-signed"
        } else {
            "signed"
        },
        stdio::input_name(input),
        summary.signer,
        summary.algorithm,
        if summary.detached {
            "detached"
        } else {
            "attached"
        },
        stdio::output_name(&summary.out),
        summary.signers,
        if summary.signers == 1 { "" } else { "s" },
        summary.format.to_uppercase(),
        match &summary.timestamped_by {
            Some(url) => format!(", timestamped by {url}"),
            None => String::new(),
        },
    )
}

/// Signs every file of a batch on `--jobs` threads with the one key; a file that fails is
/// listed and the others are signed (exit 69 if any failed).
fn sign_batch(job: &Job<'_>, files: &[PathBuf], json: bool) -> anyhow::Result<Exit> {
    if let Some(dir) = &job.args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    let outs: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            let dir = match &job.args.out_dir {
                Some(d) => d.clone(),
                None => f.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            dir.join(signature_name(f))
        })
        .collect();
    let jobs = crate::progress::jobs(job.args.jobs);
    let bar = crate::progress::signatures(files.len(), json, "made");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<SignSummary>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    // Durability without a flush per file on the signing threads: each signature is written
    // to a temporary file and renamed into place (a kill leaves it whole or absent), and one
    // flushing thread takes the files written so far as a group, flushes each and their
    // folder, and only then counts them done on the progress bar (a group commit, overlapped
    // with the signing of the next ones).
    let (written, to_flush) = std::sync::mpsc::channel::<(usize, PathBuf)>();
    let flush_failed: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        let bar = &bar;
        let flush_failed = &flush_failed;
        scope.spawn(move || {
            while let Ok(first) = to_flush.recv() {
                let mut group = vec![first];
                group.extend(to_flush.try_iter());
                let paths: Vec<&Path> = group.iter().map(|(_, p)| p.as_path()).collect();
                let failures = stdio::sync_group(&paths);
                if !failures.is_empty()
                    && let Ok(mut list) = flush_failed.lock()
                {
                    for (k, e) in failures {
                        if let Some((i, _)) = group.get(k) {
                            list.push((*i, e));
                        }
                    }
                }
                bar.inc(u64::try_from(group.len()).unwrap_or(u64::MAX));
            }
        });
        for _ in 0..jobs.min(files.len().max(1)) {
            let written = written.clone();
            let (next, results, outs) = (&next, &results, &outs);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let (Some(file), Some(out)) = (files.get(i), outs.get(i)) else {
                        break;
                    };
                    let r = job.sign_one(file, out);
                    let done = match &r {
                        Ok(summary) => written.send((i, summary.out.clone())).is_err(),
                        Err(_) => true,
                    };
                    if done {
                        bar.inc(1);
                    }
                    if let Ok(mut slots) = results.lock()
                        && let Some(slot) = slots.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                }
            });
        }
        // The workers hold the senders; the flushing thread ends when the last one is done.
        drop(written);
    });
    bar.finish_and_clear();
    let mut slots = results
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a signing thread panicked"))?;
    let flush_failed = flush_failed
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the flushing thread panicked"))?;
    for (i, e) in flush_failed {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(Err(anyhow::Error::new(crate::exit::CantCreate(
                std::io::Error::other(e),
            ))
            .context("flush the signature to disk")));
        }
    }
    let mut signed = Vec::new();
    let mut failed = Vec::new();
    for (file, slot) in files.iter().zip(slots) {
        match slot {
            Some(Ok(summary)) => signed.push((file, summary)),
            Some(Err(e)) => failed.push((file, format!("{e:#}"))),
            None => failed.push((file, "not signed".to_owned())),
        }
    }
    if json {
        let value = serde_json::json!({
            "signed": signed.len(),
            "failed": failed.iter().map(|(f, e)| serde_json::json!({
                "file": f.display().to_string(),
                "error": e,
            })).collect::<Vec<_>>(),
            "documents": signed.iter().map(|(f, s)| serde_json::json!({
                "file": f.display().to_string(),
                "signature": s,
            })).collect::<Vec<_>>(),
        });
        say!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        let first = signed.first().map(|(_, s)| s);
        say!(
            "signed {} of {} document{}{}",
            signed.len(),
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            match first {
                Some(s) => format!(
                    " as {} ({}), {}, {}: FILE.p7s {}",
                    s.signer,
                    s.algorithm,
                    if s.detached { "detached" } else { "attached" },
                    s.format.to_uppercase(),
                    match &job.args.out_dir {
                        Some(d) => format!("in {}", d.display()),
                        None => "beside each document".to_owned(),
                    }
                ),
                None => String::new(),
            }
        );
        for (file, e) in &failed {
            say!("  FAILED {}: {e}", file.display());
        }
    }
    Ok(if failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}

/// `eds extract`.
pub(crate) fn extract(args: &ExtractArgs, json: bool) -> anyhow::Result<Exit> {
    stdio::reserve_stdout(&args.out);
    let name = stdio::input_name(&args.input);
    let bytes = stdio::read(&args.input).with_context(|| format!("read {name}"))?;
    let der = cms::from_pem_or_der(&bytes).with_context(|| format!("read {name}"))?;
    let message = SignedMessage::from_der(&der).with_context(|| format!("read {name}"))?;
    let content = message
        .content()
        .with_context(|| format!("extract from {name}"))?;
    stdio::write(&args.out, content, true)?;
    let summary = ExtractSummary {
        out: args.out.clone(),
        bytes: content.len(),
        signers: message.signer_count(),
        content_type: message.content_type().to_string(),
    };
    if json {
        say!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        say!(
            "extracted {} bytes → {} (signed by {} signer{}; not verified)",
            summary.bytes,
            stdio::output_name(&args.out),
            summary.signers,
            if summary.signers == 1 { "" } else { "s" },
        );
    }
    Ok(Exit::Ok)
}

/// The exit code for a signer error in `err`'s chain, if it has one (docs/exit-codes.md).
pub(crate) fn exit_code(err: &anyhow::Error) -> Option<Exit> {
    if err
        .chain()
        .any(|e| e.downcast_ref::<NotFitToSign>().is_some())
    {
        return Some(Exit::NotFitToSign);
    }
    if let Some(e) = sign_error(err) {
        return key_exit(e);
    }
    // `eds extend` of a file that is not a signature.
    if err.chain().any(|e| {
        matches!(
            e.downcast_ref::<timestamp::TimestampError>(),
            Some(timestamp::TimestampError::Message { .. })
        ) || matches!(
            e.downcast_ref::<cms::lt::LtError>(),
            Some(cms::lt::LtError::Message { .. } | cms::lt::LtError::Element { .. })
        )
    }) {
        return Some(Exit::DataError);
    }
    match cms_error(err)? {
        CmsError::AlreadySigned { .. } => Some(Exit::Conflict),
        CmsError::ReadContent { .. } => Some(Exit::NoInput),
        CmsError::SignerCertificate(_)
        | CmsError::ChainCertificate { .. }
        | CmsError::Malformed { .. }
        | CmsError::NotSignedData { .. }
        | CmsError::ContentNotOctetString { .. }
        | CmsError::Detached
        | CmsError::ContentDiffersFromEncapsulated
        | CmsError::ContentMismatch { .. }
        | CmsError::KeyDoesNotMatchCertificate { .. } => Some(Exit::DataError),
        CmsError::Key(e) => key_exit(e),
        _ => None,
    }
}

/// The exit code of a key file's error: a wrong password, or a file that is not a key file.
fn key_exit(err: &SignError) -> Option<Exit> {
    match err {
        SignError::WrongPassword => Some(Exit::WrongPassphrase),
        // The password is given by the environment or a flag: the command line is incomplete.
        SignError::PasswordRequired => Some(Exit::Usage),
        SignError::NotPkcs12 { .. }
        | SignError::NotPkcs8 { .. }
        | SignError::Malformed { .. }
        | SignError::NoKey
        | SignError::NoCertificate
        | SignError::KeyCertificateMismatch => Some(Exit::DataError),
        _ => None,
    }
}

/// What to do about a signer error in `err`'s chain.
pub(crate) fn hint(err: &anyhow::Error) -> Option<&'static str> {
    if err
        .chain()
        .any(|e| e.downcast_ref::<NotFitToSign>().is_some())
    {
        return Some(
            "nothing was written; sign with a valid signing certificate and its chain, or drop \
             --strict to sign anyway with a warning",
        );
    }
    if let Some(e) = sign_error(err) {
        return match e {
            SignError::WrongPassword | SignError::PasswordRequired => Some(
                "set EDS_KEY_PASSWORD (or --password-file FILE) to the password of the key file",
            ),
            SignError::NotPkcs12 { .. } => {
                Some("--p12 takes a .p12/.pfx file; a PKCS#8 key goes with --key and --cert")
            }
            SignError::NotPkcs8 { .. } => {
                Some("--key takes a PKCS#8 private key (PEM or DER); a .p12 file goes with --p12")
            }
            SignError::UnsupportedAlgorithm { .. } => Some(
                "sign with an RSA, ECDSA, Ed25519 or GOST 34.10-2015 / R 34.10-2012 key (the \
                 center's 2004 GOST keys cannot sign here)",
            ),
            SignError::KeyCertificateMismatch => {
                Some("--cert must be the certificate issued for this very key")
            }
            SignError::AlgorithmNotForKey { .. } => Some("--rsa-pss needs an RSA key"),
            _ => None,
        };
    }
    match cms_error(err)? {
        CmsError::ContentTooLarge { .. } => Some(
            "add --detached: the signature is then written beside the document, whatever its size",
        ),
        CmsError::KeyDoesNotMatchCertificate { .. } => Some(
            "--cert must be the certificate issued for this very key (with --pkcs11 and no \
             --cert: the certificate stored on the token)",
        ),
        CmsError::NotOnPath { .. } => Some(
            "--chain should hold only the centers above the signer: the issuing center and, if \
             you like, its root",
        ),
        CmsError::AlreadySigned { .. } => {
            Some("nothing was written; each signer signs a document once")
        }
        CmsError::ContentMismatch { .. } | CmsError::ContentDiffersFromEncapsulated => {
            Some("--in must be the very document the existing signature covers")
        }
        CmsError::Detached => {
            Some("a detached signature holds no document: it was made beside the original file")
        }
        CmsError::Malformed { .. } | CmsError::NotSignedData { .. } => {
            Some("the file must be a CMS signature (.p7s, DER or PEM) such as `eds sign` writes")
        }
        _ => None,
    }
}

fn sign_error(err: &anyhow::Error) -> Option<&SignError> {
    err.chain().find_map(|e| e.downcast_ref::<SignError>())
}

fn cms_error(err: &anyhow::Error) -> Option<&CmsError> {
    err.chain().find_map(|e| e.downcast_ref::<CmsError>())
}

/// A key ready to sign (from a file or a token), the signer's certificate (DER) and the chain
/// certificates that came with them.
type LoadedKey = (Box<dyn SigningKey>, Vec<u8>, Vec<Vec<u8>>);

/// The key, the signer's certificate (DER) and the chain certificates that came with them.
fn load_key(args: &SignArgs, password: Option<&str>) -> anyhow::Result<LoadedKey> {
    let cert_arg = match &args.cert {
        Some(path) => {
            let mut certs = read_certificates(path, "--cert")?;
            if certs.len() != 1 {
                bail!(
                    "--cert {} holds {} certificates; give the signer's alone and the others with --chain",
                    path.display(),
                    certs.len()
                );
            }
            certs.pop()
        }
        None => None,
    };
    if let Some(uri) = &args.pkcs11 {
        return token_key(args, uri, cert_arg);
    }
    let (key, certificate, chain) = if let Some(path) = &args.p12 {
        let name = stdio::input_name(path);
        let bytes = stdio::read(path).with_context(|| format!("read {name}"))?;
        let Some(password) = password else {
            return Err(SignError::PasswordRequired).with_context(|| format!("open {name}"));
        };
        let contents = load_pkcs12(&bytes, password).with_context(|| format!("open {name}"))?;
        let certificate = cert_arg.unwrap_or(contents.certificate_der);
        (contents.key, certificate, contents.chain_der)
    } else if let Some(path) = &args.key {
        let name = stdio::input_name(path);
        let bytes = stdio::read(path).with_context(|| format!("read {name}"))?;
        let key = load_pkcs8(&bytes, password.map(str::as_bytes))
            .with_context(|| format!("open {name}"))?;
        let Some(certificate) = cert_arg else {
            return Err(stdio::usage(
                "--key needs --cert, the certificate of that key",
                "give --key FILE --cert FILE, or --p12 FILE",
            ));
        };
        (key, certificate, Vec::new())
    } else {
        return Err(stdio::usage(
            "give the key with --p12 FILE or --key FILE --cert FILE",
            "a .p12 from `eds ca issue --generate-key` goes with --p12",
        ));
    };
    let key = if args.rsa_pss {
        key.with_algorithm(SignatureAlgorithm::RsaPssSha256)
            .context("use --rsa-pss")?
    } else {
        key
    };
    Ok((Box::new(key), certificate, chain))
}

/// `--pkcs11 URI`: the key on the token, and its certificate from `--cert` or the token.
fn token_key(args: &SignArgs, uri: &str, cert_arg: Option<Vec<u8>>) -> anyhow::Result<LoadedKey> {
    if args.rsa_pss {
        return Err(stdio::usage(
            "--rsa-pss with --pkcs11: keys on tokens sign with ECDSA",
            "drop --rsa-pss",
        ));
    }
    let uri = eds_pkcs11::KeyUri::parse(uri)?;
    let pin = token_pin(args.pin_file.as_deref())?;
    let key = eds_pkcs11::TokenKey::open(&uri, &pin)?;
    let certificate = match cert_arg {
        Some(c) => c,
        None => {
            let certificate = key.certificate()?.ok_or_else(|| {
                stdio::usage(
                    format!("the token holds no certificate for {uri}"),
                    "give the key's certificate with --cert FILE",
                )
            })?;
            // A certificate of another key stored under this key's id or label: said as the
            // token's, not as a --cert the user did not give (exit 65 as for --cert).
            Signer::new(&key, &certificate, &[])
                .with_context(|| format!("use the certificate the token holds for {uri}"))?;
            certificate
        }
    };
    Ok((Box::new(key), certificate, Vec::new()))
}

/// The token's user PIN: `--pin-file`'s first line (mode 0600), else EDS_PKCS11_PIN.
fn token_pin(file: Option<&Path>) -> anyhow::Result<zeroize::Zeroizing<Vec<u8>>> {
    if let Some(path) = file {
        crate::ca_cmd::private_secret_file(path)?;
        return crate::ca_cmd::first_line(path).map(zeroize::Zeroizing::new);
    }
    match std::env::var("EDS_PKCS11_PIN") {
        Ok(p) if !p.is_empty() => Ok(zeroize::Zeroizing::new(p.into_bytes())),
        _ => Err(stdio::usage(
            "--pkcs11 needs the token's PIN: set EDS_PKCS11_PIN or pass --pin-file FILE",
            "export EDS_PKCS11_PIN (never on the command line), or give --pin-file",
        )),
    }
}

/// The key's password: the first line of `file`, else EDS_KEY_PASSWORD, else none.
/// The password of a key file: --password-file's first line, else EDS_KEY_PASSWORD if set.
pub(crate) fn password(file: Option<&Path>) -> anyhow::Result<Option<String>> {
    if let Some(path) = file {
        let line = crate::ca_cmd::first_line(path)?;
        return String::from_utf8(line)
            .map(Some)
            .with_context(|| format!("password file {} is not UTF-8", stdio::input_name(path)));
    }
    Ok(std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()))
}

fn read_certificates(path: &Path, flag: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    let name = stdio::input_name(path);
    let bytes = stdio::read(path).with_context(|| format!("read {flag} {name}"))?;
    cms::certificates_from_pem_or_der(&bytes).with_context(|| format!("read {flag} {name}"))
}

fn algorithm_name(algorithm: SignatureAlgorithm) -> &'static str {
    match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA P-256 SHA-256",
        SignatureAlgorithm::EcdsaP384Sha384 => "ECDSA P-384 SHA-384",
        SignatureAlgorithm::Ed25519 => "Ed25519",
        SignatureAlgorithm::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
        SignatureAlgorithm::RsaPssSha256 => "RSASSA-PSS SHA-256",
        SignatureAlgorithm::Gost256 => "GOST R 34.10-2012 256 Streebog-256",
        SignatureAlgorithm::Gost512 => "GOST R 34.10-2012 512 Streebog-512",
        SignatureAlgorithm::GostNca512 => "GOST 34.10-2015 512 Streebog-512 (national center)",
        _ => "other",
    }
}
