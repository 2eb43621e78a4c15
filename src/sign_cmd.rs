//! `eds sign` and `eds extract`: files and flags in, `eds_signer` calls, a summary out.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ring::rand::SystemRandom;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use eds_signer::cms::{self, MAX_ATTACHED_LIMIT, timestamp};
use eds_signer::keys::{RingSigningKey, load_pkcs8, load_pkcs12};
use eds_signer::{
    CmsError, Content, SignError, SignOptions, SignatureAlgorithm, SignedMessage, Signer,
    SigningKey,
};

use crate::cli::{ExtractArgs, SignArgs};
use crate::extend_cmd::{self, Level};
use crate::stdio;
use crate::{EXIT_CONFLICT, EXIT_NOT_FOUND, EXIT_WRONG_PASSPHRASE};

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
pub(crate) fn sign(args: &SignArgs, json: bool, now: OffsetDateTime) -> anyhow::Result<u8> {
    let mut inputs = vec![("--in", args.input.as_path())];
    inputs.extend(args.key.as_deref().map(|p| ("--key", p)));
    inputs.extend(args.p12.as_deref().map(|p| ("--p12", p)));
    inputs.extend(
        args.password_file
            .as_deref()
            .map(|p| ("--password-file", p)),
    );
    inputs.extend(args.cert.as_deref().map(|p| ("--cert", p)));
    inputs.extend(args.chain.iter().map(|p| ("--chain", p.as_path())));
    inputs.extend(args.add_to.as_deref().map(|p| ("--add-to", p)));
    stdio::check_one_stdin(inputs)?;
    stdio::reserve_stdout(&args.out);
    let password = password(args.password_file.as_deref())?;
    let (key, certificate, mut chain) = load_key(args, password.as_deref())?;
    for path in &args.chain {
        chain.extend(read_certificates(path, "--chain")?);
    }
    let signer = Signer::new(&key, &certificate, &chain)
        .context("pair the key with its certificate and chain")?;
    let level = match (args.level, &args.tsa) {
        (Some(Level::B), Some(_)) => {
            bail!("--level B makes no timestamp: drop --tsa, or ask for --level T, LT or LTA")
        }
        (Some(level), None) if level > Level::B => {
            bail!("--level {level:?} needs --tsa URL: its signature timestamp comes from a TSA")
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
        bail!("--max-attached-mib {max_mib} is over 255 (the most an attached signature holds)");
    }
    let options = SignOptions::new(signing_time)
        .detached(args.detached)
        .include_root(args.include_root)
        .attached_limit(limit);

    let input = stdio::path_for_reading(&args.input);
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
        None => cms::prepare(&signer, content, &options),
        Some(der) => cms::prepare_cosign(&signer, der, Some(content), &options),
    }
    .with_context(|| format!("sign {}", stdio::input_name(&args.input)))?;
    if args.add_to.is_some() && args.detached && !prepared.is_detached() {
        eprintln!(
            "note: the existing signature holds the document, so the co-signature does too \
             (--detached applies to new signatures only)"
        );
    }

    let signature = key
        .sign(prepared.to_be_signed(), &SystemRandom::new())
        .context("sign with the key")?;
    let pem = args.pem || (!args.der && args.out.extension().is_some_and(|e| e == "pem"));
    let summary = SignSummary {
        out: args.out.clone(),
        format: if pem { "pem" } else { "der" },
        detached: prepared.is_detached(),
        cosigned: args.add_to.is_some(),
        signers: prepared.signer_count(),
        signer: signer.subject().to_owned(),
        algorithm: algorithm_name(prepared.algorithm()),
        digest: hex::encode(prepared.content_digest()),
        signing_time: signing_time.format(&Rfc3339)?,
        certificates: signer.certificate_count(args.include_root),
        timestamped_by: args.tsa.clone(),
        level: level.name(),
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
                stdio::read(&args.input)
                    .with_context(|| format!("read {}", stdio::input_name(&args.input)))?,
            )
        } else {
            None
        };
        let timeout = std::time::Duration::from_secs(args.tsa_timeout.max(1));
        let tsa = args
            .tsa
            .as_deref()
            .map(|url| extend_cmd::Tsa::url(url, timeout));
        let (raised, raised_summary) = extend_cmd::raise(
            der,
            level,
            tsa.as_ref(),
            &args.lt,
            &chain,
            content.as_deref(),
            false,
            std::time::Duration::from_secs(args.tsa_timeout.max(1)),
            now,
        )
        .with_context(|| format!("make the signature CAdES-{}", level.name()))?;
        der = raised;
        for line in &raised_summary.not_fresh {
            eprintln!("warning: {line}");
        }
    }
    if pem {
        stdio::write(&args.out, cms::to_pem(&der).as_bytes(), false)?;
    } else {
        stdio::write(&args.out, &der, true)?;
    }

    if json {
        say!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        say!(
            "{} {} as {} ({}), {} → {} ({} signer{}, {}{})",
            if summary.cosigned {
                "co-signed"
            } else {
                "signed"
            },
            stdio::input_name(&args.input),
            summary.signer,
            summary.algorithm,
            if summary.detached {
                "detached"
            } else {
                "attached"
            },
            stdio::output_name(&args.out),
            summary.signers,
            if summary.signers == 1 { "" } else { "s" },
            summary.format.to_uppercase(),
            match &summary.timestamped_by {
                Some(url) => format!(", timestamped by {url}"),
                None => String::new(),
            },
        );
    }
    Ok(0)
}

/// `eds extract`.
pub(crate) fn extract(args: &ExtractArgs, json: bool) -> anyhow::Result<u8> {
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
    Ok(0)
}

/// The exit code for a signer error in `err`'s chain, if it has one (docs/exit-codes.md).
pub(crate) fn exit_code(err: &anyhow::Error) -> Option<u8> {
    if let Some(e) = sign_error(err) {
        return Some(match e {
            SignError::WrongPassword => EXIT_WRONG_PASSPHRASE,
            _ => 1,
        });
    }
    Some(match cms_error(err)? {
        CmsError::AlreadySigned { .. } => EXIT_CONFLICT,
        CmsError::ReadContent { kind, .. } if *kind == std::io::ErrorKind::NotFound => {
            EXIT_NOT_FOUND
        }
        CmsError::Key(SignError::WrongPassword) => EXIT_WRONG_PASSPHRASE,
        _ => 1,
    })
}

/// What to do about a signer error in `err`'s chain.
pub(crate) fn hint(err: &anyhow::Error) -> Option<&'static str> {
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
        CmsError::KeyDoesNotMatchCertificate { .. } => {
            Some("--cert must be the certificate issued for this very key")
        }
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

/// The key, the signer's certificate (DER) and the chain certificates that came with them.
fn load_key(
    args: &SignArgs,
    password: Option<&str>,
) -> anyhow::Result<(RingSigningKey, Vec<u8>, Vec<Vec<u8>>)> {
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
            bail!("--key needs --cert, the certificate of that key");
        };
        (key, certificate, Vec::new())
    } else {
        bail!("give the key with --p12 FILE or --key FILE --cert FILE");
    };
    let key = if args.rsa_pss {
        key.with_algorithm(SignatureAlgorithm::RsaPssSha256)
            .context("use --rsa-pss")?
    } else {
        key
    };
    Ok((key, certificate, chain))
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
