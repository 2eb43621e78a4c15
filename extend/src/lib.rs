//! Raising a CMS signature to a higher CAdES baseline level (ETSI EN 319 122-1 §5.3–§5.5):
//! what `eds extend`, `eds sign --level` and the licensing body's seal do to a signature after
//! it is made.
//!
//! - **T** adds a signature timestamp to every signer that has none.
//! - **LT** adds the certificates of the signer's and the TSAs' chains and, for every
//!   certificate below a root, revocation data: the CRLs and OCSP responses given that cover
//!   it, else (unless offline) the CRLs of its distribution points, else an answer of its OCSP
//!   responder. A certificate left without any is [`ExtendError::NoRevocationData`]: an LT
//!   signature must verify with nothing else.
//! - **LTA** then adds an archive timestamp v3 per signer; on a signature that already has one,
//!   the next one (renewal).
//!
//! Revocation data that does not postdate the signature timestamp is embedded but listed in
//! [`Summary::not_fresh`] (ETSI EN 319 102-1 §5.6.2.3); a newest timestamp whose TSA
//! certificate has ended or ends soon is listed in [`Summary::proofs_ending`] (§5.6.3).
//!
//! The clock is a parameter. The network is reached only through what the caller hands in: a
//! [`Tsa`] (an `http://` URL, or any function answering a `TimeStampReq`) and, unless
//! [`Sources::offline`], HTTP downloads of CRLs, issuers' certificates and OCSP answers with
//! [`Sources::fetch`]'s options.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ring::rand::SystemRandom;
use serde::Serialize;
use time::OffsetDateTime;

use eds_signer::cms::archive;
use eds_signer::cms::lt::{self, LtError};
use eds_signer::cms::timestamp::{self, TimestampError};
use eds_verifier::cert::{Cert, CertError};
use eds_verifier::crl::{Crl, CrlError};
use eds_verifier::crypto::Digest;
use eds_verifier::fetch::{FetchOptions, Fetcher};
use eds_verifier::ocsp::{self, CheckOptions};

/// A CAdES baseline level (ETSI EN 319 122-1 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Level {
    /// Signed attributes and the signer's certificate.
    B,
    /// B and a signature timestamp.
    T,
    /// T and the chains' certificates with their revocation data.
    Lt,
    /// LT and an archive timestamp over everything.
    Lta,
}

impl Level {
    /// The level's name in ETSI EN 319 122-1: `B`, `T`, `LT`, `LTA`.
    pub fn name(self) -> &'static str {
        match self {
            Level::B => "B",
            Level::T => "T",
            Level::Lt => "LT",
            Level::Lta => "LTA",
        }
    }
}

/// Why a signature was not raised. Nothing is written when this is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtendError {
    /// Level B was asked: a signature cannot be lowered.
    #[error("a signature cannot be lowered to B: B is a signature without a timestamp")]
    CannotLower,
    /// Some signers have no signature timestamp and no timestamp authority was given
    /// (ETSI EN 319 122-1 §5.3: T comes before LT and LTA).
    #[error(
        "{unstamped} signer(s) have no signature timestamp and no timestamp authority was given \
         to add one (level T comes before LT and LTA)"
    )]
    NeedsSignatureTimestamp {
        /// Signers without a signature timestamp.
        unstamped: usize,
    },
    /// LTA was asked without a timestamp authority (§5.5: the archive timestamp).
    #[error("LTA needs a timestamp authority: the archive timestamp comes from one")]
    NeedsArchiveTimestamp,
    /// The timestamp authority gave no usable signature timestamp.
    #[error("timestamp the signatures at {tsa}: {cause}")]
    SignatureTimestamp {
        /// The authority's name or URL.
        tsa: String,
        /// What went wrong.
        cause: TimestampError,
    },
    /// The timestamp authority gave no usable archive timestamp.
    #[error("add the archive timestamp from {tsa}: {cause}")]
    ArchiveTimestamp {
        /// The authority's name or URL.
        tsa: String,
        /// What went wrong.
        cause: TimestampError,
    },
    /// The signature's structure could not be read or rewritten (timestamps, archive data).
    #[error(transparent)]
    Message(#[from] TimestampError),
    /// The validation data could not be read or embedded.
    #[error(transparent)]
    ValidationData(#[from] LtError),
    /// A certificate in the signature (or given besides) could not be read.
    #[error("read a certificate of the signature: {0}")]
    Certificate(CertError),
    /// A signature timestamp token could not be read.
    #[error("read a signature timestamp: {0}")]
    TimestampToken(String),
    /// An OCSP request could not be built.
    #[error("build an OCSP request for {subject}: {reason}")]
    OcspRequest {
        /// The certificate asked about.
        subject: String,
        /// What went wrong.
        reason: String,
    },
    /// No given CRL or OCSP response covers a certificate and downloading is off.
    #[error(
        "no CRL or OCSP response given covers {subject} (serial {serial}), and downloading is \
         off: give the CRL of {issuer}"
    )]
    NotCoveredOffline {
        /// The certificate's subject.
        subject: String,
        /// Its serial, hex.
        serial: String,
        /// Its issuer, whose CRL would cover it.
        issuer: String,
    },
    /// No revocation data could be found or fetched for a certificate.
    #[error("no revocation data for {subject} (serial {serial}): {}", notes_text(.notes))]
    NoRevocationData {
        /// The certificate's subject.
        subject: String,
        /// Its serial, hex.
        serial: String,
        /// Each source tried and why it failed (empty: the certificate names none).
        notes: Vec<String>,
    },
}

fn notes_text(notes: &[String]) -> String {
    if notes.is_empty() {
        "it names no CRL distribution point or OCSP responder; give its CRL".to_owned()
    } else {
        notes.join("; ")
    }
}

/// What was downloaded while extending (CRLs, issuers' certificates), by URL, and the CRLs
/// read: the signatures of one run share it, so each distribution point is fetched once and
/// each CRL parsed once for a folder.
#[derive(Debug, Default)]
pub struct Downloads {
    bodies: Mutex<HashMap<String, Result<Vec<u8>, String>>>,
    /// CRLs parsed, by the exact bytes they were parsed from (at most [`PARSED_CRLS`]).
    parsed: Mutex<Vec<(Vec<u8>, Arc<Crl>)>>,
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
    /// Its signature is not checked here (the verifier checks it).
    fn crl(&self, bytes: &[u8]) -> Result<Arc<Crl>, CrlError> {
        let lock = || match self.parsed.lock() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((_, crl)) = lock().iter().find(|(b, _)| b.as_slice() == bytes) {
            return Ok(Arc::clone(crl));
        }
        let crl = Arc::new(Crl::parse(bytes)?);
        let mut list = lock();
        if list.len() < PARSED_CRLS && !list.iter().any(|(b, _)| b.as_slice() == bytes) {
            list.push((bytes.to_vec(), Arc::clone(&crl)));
        }
        Ok(crl)
    }
}

/// Where LT's revocation data comes from. Built once and shared by every signature of a run.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// CRLs to embed for the certificates their issuers issued.
    pub crls: Vec<Arc<Crl>>,
    /// Saved OCSP responses (DER `OCSPResponse`), embedded for the certificates they answer.
    pub ocsp: Vec<Vec<u8>>,
    /// Use only [`Self::crls`] and [`Self::ocsp`]: no download.
    pub offline: bool,
    /// How downloads are made (timeout).
    pub fetch: FetchOptions,
    /// Downloads shared by the signatures of one run.
    pub downloads: Arc<Downloads>,
}

/// A DER TimeStampReq in, the DER TimeStampResp out.
type Post<'a> = Box<dyn Fn(&[u8]) -> Result<Vec<u8>, TimestampError> + Send + Sync + 'a>;

/// A timestamp authority: asked with a request, answers with a token (RFC 3161).
pub struct Tsa<'a> {
    /// What messages call it: its URL, or what it is.
    pub name: String,
    post: Post<'a>,
}

impl std::fmt::Debug for Tsa<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tsa").field("name", &self.name).finish()
    }
}

impl<'a> Tsa<'a> {
    /// The TSA at an `http://` URL (RFC 3161 §3.4), each request given `timeout`.
    pub fn url(url: &str, timeout: Duration) -> Tsa<'static> {
        let owned = url.to_owned();
        Tsa {
            name: url.to_owned(),
            post: Box::new(move |request| timestamp::post(&owned, request, timeout)),
        }
    }

    /// A TSA reached any other way: `post` takes a DER TimeStampReq and gives the DER
    /// TimeStampResp (an authority in the same process, say).
    pub fn local(
        name: impl Into<String>,
        post: impl Fn(&[u8]) -> Result<Vec<u8>, TimestampError> + Send + Sync + 'a,
    ) -> Tsa<'a> {
        Tsa {
            name: name.into(),
            post: Box::new(post),
        }
    }

    /// The token answering `request`, checked to answer it.
    fn ask(&self, request: &timestamp::TimestampRequest) -> Result<Vec<u8>, TimestampError> {
        let response = (self.post)(request.der())?;
        request.token(&response)
    }
}

/// What raising a signature did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The level reached: `T`, `LT` or `LTA`.
    pub level: &'static str,
    /// Signature timestamps added (T).
    pub signature_timestamps_added: usize,
    /// Certificates added (LT).
    pub certificates_added: usize,
    /// CRLs added (LT).
    pub crls_added: usize,
    /// OCSP responses added (LT).
    pub ocsp_responses_added: usize,
    /// Archive timestamps per signer after the step.
    pub archive_timestamps: Vec<usize>,
    /// Revocation data added at LT that was issued before the latest signature timestamp
    /// (ETSI EN 319 102-1 freshness), one line each with what to do.
    pub not_fresh: Vec<String>,
    /// Per signer, the newest timestamp whose TSA certificate has ended or ends within
    /// [`RENEW_WITHIN`]: one line each with what it means and what to do.
    pub proofs_ending: Vec<String>,
}

/// A warning is given when the newest timestamp's TSA certificate ends within this time.
pub const RENEW_WITHIN: time::Duration = time::Duration::days(90);

/// What [`raise`] is asked to do besides the level.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The level to reach.
    pub level: Level,
    /// Certificates to embed besides those in the signature (the root, a missing
    /// intermediate), DER.
    pub extra: &'a [Vec<u8>],
    /// The document of a detached signature (LTA needs it when the signer did not use
    /// SHA-256).
    pub content: Option<&'a [u8]>,
    /// Add a signature timestamp to signers without one (false when the caller already
    /// timestamped exactly the signers it wants).
    pub stamp_unstamped: bool,
}

/// Raises `der` (a DER CMS SignedData) as `step` says, with `tsa` for the timestamps and
/// `sources` for LT's revocation data, at `now`.
pub fn raise(
    der: Vec<u8>,
    step: &Step<'_>,
    tsa: Option<&Tsa<'_>>,
    sources: &Sources,
    now: OffsetDateTime,
) -> Result<(Vec<u8>, Summary), ExtendError> {
    if step.level == Level::B {
        return Err(ExtendError::CannotLower);
    }
    let mut summary = Summary {
        level: step.level.name(),
        signature_timestamps_added: 0,
        certificates_added: 0,
        crls_added: 0,
        ocsp_responses_added: 0,
        archive_timestamps: Vec::new(),
        not_fresh: Vec::new(),
        proofs_ending: proofs_ending(&der, step.content, now),
    };
    let mut der = der;
    let rng = SystemRandom::new();
    // T: every signer without a signature timestamp gets one.
    let unstamped: Vec<Vec<u8>> = timestamp::signature_timestamps(&der)?
        .into_iter()
        .filter(|s| s.tokens.is_empty())
        .map(|s| s.signature_value)
        .collect();
    if step.stamp_unstamped && !unstamped.is_empty() {
        let Some(tsa) = tsa else {
            return Err(ExtendError::NeedsSignatureTimestamp {
                unstamped: unstamped.len(),
            });
        };
        for value in &unstamped {
            let request = timestamp::TimestampRequest::new(value, &rng)?;
            let token = tsa
                .ask(&request)
                .map_err(|cause| ExtendError::SignatureTimestamp {
                    tsa: tsa.name.clone(),
                    cause,
                })?;
            der = timestamp::add_signature_timestamp(&der, &token)?;
            summary.signature_timestamps_added += 1;
        }
    }
    if step.level >= Level::Lt {
        let gathered = validation_data(&der, sources, step.extra, now)?;
        summary.not_fresh = freshness(&der, &gathered)?;
        let (with_data, added) = lt::add_validation_data(&der, &gathered.data)?;
        der = with_data;
        summary.certificates_added = added.certificates;
        summary.crls_added = added.crls;
        summary.ocsp_responses_added = added.ocsp_responses;
    }
    if step.level == Level::Lta {
        let Some(tsa) = tsa else {
            return Err(ExtendError::NeedsArchiveTimestamp);
        };
        for value in timestamp::signature_values(&der)? {
            let (request, input) = archive::archive_request(&der, &value, step.content, &rng)?;
            let token = tsa
                .ask(&request)
                .map_err(|cause| ExtendError::ArchiveTimestamp {
                    tsa: tsa.name.clone(),
                    cause,
                })?;
            der = archive::add_archive_timestamp(&der, &value, &token, &input.hash_index)?;
        }
    }
    summary.archive_timestamps = archive::archive_timestamp_counts(&der)?;
    Ok((der, summary))
}

/// RFC 3339 text of `t`.
fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Per signer of `der`, the newest timestamp token (signature or archive timestamp) and the end
/// of its TSA's certificate: a token proves something only while that certificate is valid, or
/// a later archive timestamp proves the token older (ETSI EN 319 102-1 §5.6.3). One line per
/// signer whose newest token's TSA certificate has ended by `now` or ends within
/// [`RENEW_WITHIN`]. Tokens that cannot be read are left to the verifier.
pub fn proofs_ending(der: &[u8], content: Option<&[u8]>, now: OffsetDateTime) -> Vec<String> {
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
        // all this warning needs, so the token's signature is not checked here (the verifier
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

/// An OCSP answer chosen for LT: whom it is about and its thisUpdate.
struct Answer {
    about: String,
    this_update: OffsetDateTime,
}

/// The validation data gathered for one signature.
struct Gathered {
    data: lt::ValidationData,
    /// The CRLs embedded, parsed (for the freshness check).
    crls: Vec<Arc<Crl>>,
    answers: Vec<Answer>,
}

/// The certificates of the chains and the revocation data of every certificate below a root,
/// with the OCSP answers chosen.
fn validation_data(
    der: &[u8],
    sources: &Sources,
    extra: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<Gathered, ExtendError> {
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
        .map_err(ExtendError::Certificate)?;
    let mut data = lt::ValidationData {
        certificates: all.clone(),
        ..lt::ValidationData::default()
    };
    let mut crls: Vec<Arc<Crl>> = Vec::new();
    let fetcher = (!sources.offline).then(|| Fetcher::new(sources.fetch));
    let mut fetched_urls: Vec<&str> = Vec::new();
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
        for crl in sources
            .crls
            .iter()
            .filter(|c| c.issuer_der() == cert.issuer_der())
        {
            if push_once(&mut data.crls, crl.der()) {
                crls.push(Arc::clone(crl));
            }
            covered = true;
        }
        if let Some(issuer) = issuer {
            for response in &sources.ocsp {
                let at = ocsp::check_response(response, cert, issuer, None, now, &check_options)
                    .map(|c| c.this_update)
                    .or_else(|_| {
                        // A saved answer made before now may be past its nextUpdate: what
                        // matters is that it answers for this certificate.
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
        }
        if covered {
            continue;
        }
        let Some(fetcher) = &fetcher else {
            return Err(ExtendError::NotCoveredOffline {
                subject: cert.subject(),
                serial: cert.serial_hex(),
                issuer: cert.issuer(),
            });
        };
        let mut notes = Vec::new();
        for url in cert.crl_urls() {
            if fetched_urls.contains(&url.as_str()) {
                covered = true;
                continue;
            }
            match sources
                .downloads
                .get(fetcher, url)
                .and_then(|bytes| sources.downloads.crl(&bytes).map_err(|e| e.to_string()))
            {
                Ok(crl) => {
                    if push_once(&mut data.crls, crl.der()) {
                        crls.push(crl);
                    }
                    fetched_urls.push(url);
                    covered = true;
                }
                Err(e) => notes.push(format!("{url}: {e}")),
            }
        }
        if !covered && let Some(issuer) = issuer {
            for url in cert.ocsp_urls() {
                let request =
                    ocsp::Request::new(cert, issuer, Digest::Sha256, None).map_err(|e| {
                        ExtendError::OcspRequest {
                            subject: cert.subject(),
                            reason: e.to_string(),
                        }
                    })?;
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
            return Err(ExtendError::NoRevocationData {
                subject: cert.subject(),
                serial: cert.serial_hex(),
                notes,
            });
        }
    }
    Ok(Gathered {
        data,
        crls,
        answers,
    })
}

/// ETSI EN 319 102-1 (§5.6.2.3, past signature validation): revocation data shows a
/// certificate was not revoked when the signature was made only if it was issued after the
/// signature timestamp. Lists each CRL or OCSP answer issued at or before the latest
/// signature timestamp's genTime, saying what to do; empty when all are fresh (or there is no
/// signature timestamp to be fresh against).
fn freshness(der: &[u8], gathered: &Gathered) -> Result<Vec<String>, ExtendError> {
    let mut stamped_at: Option<OffsetDateTime> = None;
    for signer in timestamp::signature_timestamps(der)? {
        for token in &signer.tokens {
            let token = eds_verifier::cms::read_timestamp_token(token)
                .map_err(|e| ExtendError::TimestampToken(e.to_string()))?;
            stamped_at = Some(stamped_at.map_or(token.gen_time, |t| t.max(token.gen_time)));
        }
    }
    let Some(stamped_at) = stamped_at else {
        return Ok(Vec::new());
    };
    let when = rfc3339;
    let mut stale = Vec::new();
    for crl in &gathered.crls {
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
    for answer in gathered
        .answers
        .iter()
        .filter(|a| a.this_update <= stamped_at)
    {
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

/// Appends `der` unless `list` holds it already; true when appended.
fn push_once(list: &mut Vec<Vec<u8>>, der: &[u8]) -> bool {
    if list.iter().any(|d| d == der) {
        return false;
    }
    list.push(der.to_vec());
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

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
            Err(CrlError::BadSignature {
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
