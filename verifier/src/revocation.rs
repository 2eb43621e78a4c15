//! Revocation status of one certificate from every source available: supplied CRL files, CRLs
//! embedded in the signature, cached CRLs, OCSP, CRL distribution points.
//!
//! [`RevocationChecker`] is built once per run and shared by every document of a batch (it is
//! `Sync`): a CRL is parsed and indexed once, and its signature checked once per issuer, whatever
//! the number of documents that rely on it.
//!
//! # Order
//!
//! 1. CRLs supplied by the caller, CRLs embedded in the signature, and (online only) CRLs fetched
//!    earlier for one of the certificate's distribution points, in memory or in the cache folder,
//!    as long as their nextUpdate has not passed;
//! 2. online: OCSP at each responder URL of the certificate's Authority Information Access;
//! 3. online: a fresh download from each CRL distribution point (kept in memory and the cache).
//!
//! The first source that gives an answer settles the status; every source tried and refused
//! leaves a [`Note`] saying why, so that an unavailable status can be explained (TRY_LATER).
//! An OCSP "unknown" is such an answer: no CRL is asked after it. A responder that serves the
//! issuer and does not know the serial is saying the issuer's register has no such certificate,
//! and a CRL cannot tell more: it lists only certificates that were issued and then revoked, so
//! its "not listed" would turn a certificate the center never issued into a good one.
//! Offline (`offline: true`) only steps 1's supplied and embedded CRLs are used: no network, and
//! no cache either (the cache is network data of an earlier run, which `--offline` excludes).
//!
//! # When a CRL counts
//!
//! For a validation at time `at` (the signing time, or the validation time) decided at `now`, a
//! CRL that verifies against the issuer is usable when
//!
//! - thisUpdate ≤ now + skew (not issued in the future), and
//! - nextUpdate is present and nextUpdate ≥ `at`.
//!
//! The second condition means the issuer had not yet promised a newer list at `at`: the list was
//! current at `at` or was issued after it, so a revocation before `at` is on it (up to the
//! issuer's own publication delay, the risk every CRL user accepts within a CRL period). A list
//! whose nextUpdate is earlier than `at` had been superseded by then and is refused as stale.
//! Without nextUpdate (RFC 5280 §5.1.2.5 requires it) a list cannot show that it covers `at` and
//! is refused. When `at` is `now` this is the usual RFC 5280 §6.3.3 (a)(2) currency rule. A
//! certificate revoked on a usable list is reported revoked whatever the revocation time: the
//! engine compares that time with the signing time (REVOKED or REVOKED_NO_POE).
//!
//! OCSP answers are about the present: they are checked for freshness against `now`
//! ([`crate::ocsp::check_response`]).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use ring::rand::SecureRandom;
use time::{Duration, OffsetDateTime};

use crate::bounded::Bounded;
use crate::cert::Cert;
use crate::crl::{Crl, CrlError, Reason};
use crate::crypto::Digest;
use crate::fetch::{CrlCache, FetchError, FetchOptions, Fetcher};
use crate::ocsp::{self, CheckOptions, OcspError};

/// How a [`RevocationChecker`] works.
#[derive(Debug, Clone)]
pub struct RevocationOptions {
    /// CRL files supplied by the caller (DER or PEM).
    pub crl_files: Vec<PathBuf>,
    /// Use only supplied and embedded CRLs: no network, no cache.
    pub offline: bool,
    /// Ask OCSP responders (online only).
    pub ocsp: bool,
    /// Send a nonce with OCSP requests and require it echoed.
    pub ocsp_nonce: bool,
    /// CertID hash of OCSP requests (SHA-256, or SHA-1 for old responders).
    pub ocsp_digest: Digest,
    /// Fetch CRLs from distribution points (online only).
    pub fetch_crls: bool,
    /// Folder of downloaded CRLs, kept until their nextUpdate; `None`: in memory only.
    pub cache_dir: Option<PathBuf>,
    /// Timeouts and size limits of downloads.
    pub fetch: FetchOptions,
    /// Clock skew and OCSP answer age tolerances.
    pub ocsp_check: CheckOptions,
}

impl Default for RevocationOptions {
    fn default() -> Self {
        Self {
            crl_files: Vec::new(),
            offline: false,
            ocsp: true,
            ocsp_nonce: true,
            ocsp_digest: Digest::Sha256,
            fetch_crls: true,
            cache_dir: None,
            fetch: FetchOptions::default(),
            ocsp_check: CheckOptions::default(),
        }
    }
}

/// Why a checker could not be built (a supplied file is unreadable or not a CRL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// A supplied CRL file cannot be read.
    #[error("cannot read the CRL file {path}: {detail}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's message.
        detail: String,
    },
    /// A supplied CRL file is not a usable CRL.
    #[error("the CRL file {path} is not usable: {error}")]
    Crl {
        /// The file.
        path: PathBuf,
        /// Why.
        error: CrlError,
    },
}

/// The revocation status found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum RevocationStatus {
    /// Not revoked according to the source.
    Good,
    /// Revoked at `time`.
    Revoked {
        /// The revocation time the source states.
        #[serde(with = "time::serde::rfc3339")]
        time: OffsetDateTime,
        /// The reason, when stated.
        reason: Option<Reason>,
    },
    /// An OCSP responder said it does not know the certificate.
    Unknown,
    /// No source could answer (see the notes).
    Unavailable,
}

/// Where a CRL came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "where", rename_all = "camelCase")]
pub enum CrlOrigin {
    /// Supplied by the caller (the file name or label).
    Supplied(String),
    /// Embedded in the signature.
    Embedded,
    /// Downloaded from this distribution point in this run or read from the cache.
    Url(String),
}

impl fmt::Display for CrlOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Supplied(label) => write!(f, "CRL {label}"),
            Self::Embedded => f.write_str("CRL embedded in the signature"),
            Self::Url(url) => write!(f, "CRL {url}"),
        }
    }
}

/// The source a status rests on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Source {
    /// A CRL.
    Crl {
        /// Where it came from.
        origin: CrlOrigin,
        /// Its issuer (RFC 4514).
        issuer: String,
        /// Its cRLNumber (hex).
        number: Option<String>,
        /// thisUpdate.
        #[serde(with = "time::serde::rfc3339")]
        this_update: OffsetDateTime,
        /// nextUpdate.
        #[serde(with = "time::serde::rfc3339::option")]
        next_update: Option<OffsetDateTime>,
    },
    /// An OCSP answer.
    Ocsp {
        /// The responder URL.
        url: String,
        /// producedAt.
        #[serde(with = "time::serde::rfc3339")]
        produced_at: OffsetDateTime,
        /// thisUpdate.
        #[serde(with = "time::serde::rfc3339")]
        this_update: OffsetDateTime,
        /// nextUpdate.
        #[serde(with = "time::serde::rfc3339::option")]
        next_update: Option<OffsetDateTime>,
        /// Who signed.
        responder: ocsp::Responder,
        /// Whether our nonce was echoed.
        nonce_checked: bool,
    },
}

/// Why a candidate source was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum NoteKind {
    /// The source does not decode.
    Malformed,
    /// The source uses a feature not implemented (delta or indirect CRL…).
    Unsupported,
    /// The CRL belongs to another issuer (name or key identifier).
    WrongIssuer,
    /// The issuer may not sign CRLs.
    NotCrlSigner,
    /// The signature does not verify, or cannot be checked.
    BadSignature,
    /// The OCSP responder is not authorised by the issuer.
    UnauthorizedResponder,
    /// The OCSP response does not echo our nonce.
    NonceMismatch,
    /// Too old for the validation (see the module documentation for the rule).
    Stale,
    /// Issued in the future.
    NotYetValid,
    /// The CRL's issuing distribution point excludes this certificate.
    OutOfScope,
    /// The OCSP responder answered a non-successful status.
    NotSuccessful,
    /// The OCSP response has no answer for this certificate.
    NoAnswer,
    /// The download failed (network, status, size, URL scheme).
    FetchFailed,
    /// Offline: a network source was not asked.
    Offline,
    /// The certificate names no source at all and none was supplied.
    NoSource,
}

/// One refused candidate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    /// The source (a CRL's origin or an OCSP URL).
    pub source: String,
    /// What was wrong.
    pub kind: NoteKind,
    /// The details.
    pub detail: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.detail)
    }
}

/// The answer of [`RevocationChecker::check`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevocationResult {
    /// The status.
    #[serde(flatten)]
    pub status: RevocationStatus,
    /// What it rests on (`None` when unavailable).
    pub source: Option<Source>,
    /// Every candidate refused on the way, in the order tried.
    pub notes: Vec<Note>,
}

/// A parsed CRL with its identity.
struct Loaded {
    sha256: [u8; 32],
    origin: CrlOrigin,
    /// The issuer in RFC 4514 form, made once: every answer names it.
    issuer: String,
    crl: Crl,
}

/// A parse of embedded bytes, kept whatever its outcome.
type ParseOutcome = Result<Arc<Loaded>, CrlError>;

/// (CRL SHA-256, issuer certificate SHA-256).
type VerifyKey = ([u8; 32], [u8; 32]);

/// Embedded CRLs (parsed, or the reason they do not parse) kept at most: a public service is
/// sent them by anyone.
pub const MAX_EMBEDDED: usize = 256;
/// Bytes the kept embedded CRLs are counted at, at most (each at [`CRL_COST_FACTOR`] times its
/// DER); a larger list is parsed for each document that carries it.
pub const MAX_EMBEDDED_BYTES: usize = 64 << 20;
/// Downloaded CRLs kept in memory at most (by URL).
pub const MAX_FETCHED: usize = 256;
/// Bytes the downloaded CRLs are counted at, at most (each at [`CRL_COST_FACTOR`] times its
/// DER): room for a national center's list of a few million entries.
pub const MAX_FETCHED_BYTES: usize = 512 << 20;
/// CRL signature checks remembered at most.
pub const MAX_VERIFIED: usize = 4096;
/// What a kept CRL is counted at, per byte of its DER: the DER and its index of entries.
pub const CRL_COST_FACTOR: usize = 3;

/// Revocation checking with parsed and verified CRLs kept across documents.
pub struct RevocationChecker {
    options: RevocationOptions,
    supplied: Vec<Arc<Loaded>>,
    /// Embedded CRLs by the SHA-256 of their bytes (parse failures kept too); at most
    /// [`MAX_EMBEDDED`] lists counted at [`MAX_EMBEDDED_BYTES`].
    embedded: Bounded<[u8; 32], ParseOutcome>,
    /// CRLs downloaded or read from the cache, by URL; at most [`MAX_FETCHED`] lists counted at
    /// [`MAX_FETCHED_BYTES`].
    by_url: Bounded<String, Arc<Loaded>>,
    /// Signature/issuer checks done: (CRL SHA-256, issuer certificate SHA-256) → outcome; at
    /// most [`MAX_VERIFIED`].
    verified: Bounded<VerifyKey, Result<(), CrlError>>,
    fetcher: Option<Fetcher>,
    cache: Option<CrlCache>,
}

impl fmt::Debug for RevocationChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationChecker")
            .field("options", &self.options)
            .field("supplied", &self.supplied.len())
            .finish_non_exhaustive()
    }
}

impl RevocationChecker {
    /// Reads and indexes the supplied CRL files; an unreadable or unparsable file is an error
    /// (the caller named it, so silence would hide a mistake).
    pub fn new(options: RevocationOptions) -> Result<Self, RevocationError> {
        let mut supplied = Vec::new();
        for path in &options.crl_files {
            let bytes = std::fs::read(path).map_err(|e| RevocationError::Read {
                path: path.clone(),
                detail: e.to_string(),
            })?;
            let crl = Crl::parse(&bytes).map_err(|error| RevocationError::Crl {
                path: path.clone(),
                error,
            })?;
            supplied.push(Arc::new(Loaded {
                sha256: crl.sha256(),
                origin: CrlOrigin::Supplied(path.display().to_string()),
                issuer: crl.issuer(),
                crl,
            }));
        }
        let online = !options.offline;
        let fetcher = online.then(|| Fetcher::new(options.fetch));
        let cache = if online {
            options.cache_dir.clone().map(CrlCache::new)
        } else {
            None
        };
        Ok(Self {
            options,
            supplied,
            embedded: Bounded::new(MAX_EMBEDDED, MAX_EMBEDDED_BYTES),
            by_url: Bounded::new(MAX_FETCHED, MAX_FETCHED_BYTES),
            verified: Bounded::new(MAX_VERIFIED, MAX_VERIFIED.saturating_mul(1024)),
            fetcher,
            cache,
        })
    }

    /// Adds a CRL given as bytes (DER or PEM) under a label, as if it were a supplied file.
    pub fn add_crl(&mut self, label: &str, bytes: &[u8]) -> Result<(), CrlError> {
        let crl = Crl::parse(bytes)?;
        self.supplied.push(Arc::new(Loaded {
            sha256: crl.sha256(),
            origin: CrlOrigin::Supplied(label.to_owned()),
            issuer: crl.issuer(),
            crl,
        }));
        Ok(())
    }

    /// The options in force.
    pub fn options(&self) -> &RevocationOptions {
        &self.options
    }

    /// The revocation status of `cert` (issued by `issuer`) for a validation at `at`, decided at
    /// `now`. `embedded` are the CRLs found in the signature (DER); `rng` makes OCSP nonces.
    pub fn check(
        &self,
        cert: &Cert,
        issuer: &Cert,
        at: OffsetDateTime,
        now: OffsetDateTime,
        embedded: &[Vec<u8>],
        rng: &dyn SecureRandom,
    ) -> RevocationResult {
        let mut notes = Vec::new();

        // 1. CRLs at hand (the supplied list borrowed, not copied, when nothing is added).
        let mut candidates: Cow<'_, [Arc<Loaded>]> = Cow::Borrowed(&self.supplied);
        for bytes in embedded {
            match self.embedded_crl(bytes) {
                Ok(l) => candidates.to_mut().push(l),
                Err(e) => notes.push(crl_note(&CrlOrigin::Embedded, &e)),
            }
        }
        if !self.options.offline {
            for url in &cert.crl_urls() {
                if let Some(l) = self.known_crl(url, now) {
                    candidates.to_mut().push(l);
                }
            }
        }
        if let Some(found) = self.answer_from_crls(&candidates, cert, issuer, at, now, &mut notes) {
            return found.with_notes(notes);
        }
        let crl_urls = cert.crl_urls();

        let ocsp_urls = cert.ocsp_urls();
        if self.options.offline {
            for url in ocsp_urls.iter().chain(crl_urls.iter()) {
                notes.push(Note {
                    source: url.clone(),
                    kind: NoteKind::Offline,
                    detail: "offline: not contacted".into(),
                });
            }
        } else {
            // 2. OCSP.
            if self.options.ocsp {
                for url in &ocsp_urls {
                    if let Some(found) = self.ask_ocsp(url, cert, issuer, now, rng, &mut notes) {
                        return found.with_notes(notes);
                    }
                }
            }
            // 3. CRL distribution points.
            if self.options.fetch_crls {
                for url in &crl_urls {
                    let Some(loaded) = self.download(url, &mut notes) else {
                        continue;
                    };
                    if let Some(found) =
                        self.answer_from_crls(&[loaded], cert, issuer, at, now, &mut notes)
                    {
                        return found.with_notes(notes);
                    }
                }
            }
        }
        if notes.is_empty() {
            notes.push(Note {
                source: cert.subject(),
                kind: NoteKind::NoSource,
                detail: "no CRL was supplied or embedded for this issuer and the certificate \
                         names no CRL distribution point or OCSP responder"
                    .into(),
            });
        }
        RevocationResult {
            status: RevocationStatus::Unavailable,
            source: None,
            notes,
        }
    }

    /// Picks the answer from usable CRLs: revoked on any of them, else good on the newest.
    fn answer_from_crls(
        &self,
        candidates: &[Arc<Loaded>],
        cert: &Cert,
        issuer: &Cert,
        at: OffsetDateTime,
        now: OffsetDateTime,
        notes: &mut Vec<Note>,
    ) -> Option<Found> {
        let mut best: Option<&Loaded> = None;
        for loaded in candidates {
            let crl = &loaded.crl;
            if crl.issuer_der() != issuer.subject_der() {
                continue;
            }
            if let Err(e) = self.verify_cached(loaded, issuer) {
                notes.push(crl_note(&loaded.origin, &e));
                continue;
            }
            if let Some(note) = usable(loaded, at, now, self.options.ocsp_check.skew) {
                notes.push(note);
                continue;
            }
            if let Some(note) = in_scope(loaded, cert) {
                notes.push(note);
                continue;
            }
            if let Some(entry) = crl.lookup(cert.serial()) {
                return Some(Found {
                    status: RevocationStatus::Revoked {
                        time: entry.time,
                        reason: entry.reason,
                    },
                    source: crl_source(loaded),
                });
            }
            if best.is_none_or(|b| b.crl.this_update() < crl.this_update()) {
                best = Some(loaded);
            }
        }
        if best.is_none() {
            // Lists of other issuers (the other levels of a chain, usually) are mentioned only
            // when no list answers: beside an answer they are noise.
            let other_issuers = candidates
                .iter()
                .filter(|loaded| loaded.crl.issuer_der() != issuer.subject_der());
            notes.extend(other_issuers.map(|loaded| Note {
                source: loaded.origin.to_string(),
                kind: NoteKind::WrongIssuer,
                detail: format!(
                    "issued by `{}`, not by the certificate's issuer `{}`",
                    loaded.issuer,
                    issuer.subject()
                ),
            }));
        }
        best.map(|l| Found {
            status: RevocationStatus::Good,
            source: crl_source(l),
        })
    }

    /// Keeps a downloaded (or cache-folder) list by its URL.
    fn keep_fetched(&self, url: &str, loaded: &Arc<Loaded>) {
        let cost = loaded
            .crl
            .der()
            .len()
            .saturating_mul(CRL_COST_FACTOR)
            .saturating_add(url.len());
        self.by_url.insert(url.to_owned(), loaded.clone(), cost);
    }

    fn verify_cached(&self, loaded: &Loaded, issuer: &Cert) -> Result<(), CrlError> {
        let key = (loaded.sha256, *issuer.sha256());
        if let Some(done) = self.verified.get(&key) {
            return done;
        }
        // Verified outside the lock: two threads may both verify the same list once; neither
        // waits for the other's RSA operation.
        let outcome = loaded.crl.verify(issuer);
        self.verified.insert(key, outcome.clone(), 0);
        outcome
    }

    fn embedded_crl(&self, bytes: &[u8]) -> Result<Arc<Loaded>, CrlError> {
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
        if let Some(done) = self.embedded.get(&sha256) {
            return done;
        }
        let outcome = Crl::parse(bytes).map(|crl| {
            Arc::new(Loaded {
                sha256,
                origin: CrlOrigin::Embedded,
                issuer: crl.issuer(),
                crl,
            })
        });
        let cost = bytes.len().saturating_mul(CRL_COST_FACTOR);
        self.embedded.insert(sha256, outcome.clone(), cost);
        outcome
    }

    /// A CRL of this URL already in memory or in the cache folder whose nextUpdate has not
    /// passed at `now`.
    fn known_crl(&self, url: &str, now: OffsetDateTime) -> Option<Arc<Loaded>> {
        let current = |l: &Loaded| l.crl.next_update().is_some_and(|n| n >= now);
        if let Some(l) = self.by_url.get(url)
            && current(&l)
        {
            return Some(l);
        }
        let bytes = self.cache.as_ref()?.load(url)?;
        let crl = Crl::parse(&bytes).ok()?;
        let loaded = Arc::new(Loaded {
            sha256: crl.sha256(),
            origin: CrlOrigin::Url(url.to_owned()),
            issuer: crl.issuer(),
            crl,
        });
        if !current(&loaded) {
            return None;
        }
        self.keep_fetched(url, &loaded);
        Some(loaded)
    }

    /// Downloads a distribution point's CRL, keeping it in memory and the cache folder.
    fn download(&self, url: &str, notes: &mut Vec<Note>) -> Option<Arc<Loaded>> {
        let fetcher = self.fetcher.as_ref()?;
        let origin = CrlOrigin::Url(url.to_owned());
        let bytes = match fetcher.get_crl(url) {
            Ok(b) => b,
            Err(e) => {
                notes.push(fetch_note(url, &e));
                return None;
            }
        };
        let crl = match Crl::parse(&bytes) {
            Ok(c) => c,
            Err(e) => {
                notes.push(crl_note(&origin, &e));
                return None;
            }
        };
        if let Some(cache) = &self.cache
            && let Err(e) = cache.store(url, &bytes)
        {
            notes.push(fetch_note(url, &e));
        }
        let loaded = Arc::new(Loaded {
            sha256: crl.sha256(),
            origin,
            issuer: crl.issuer(),
            crl,
        });
        self.keep_fetched(url, &loaded);
        Some(loaded)
    }

    fn ask_ocsp(
        &self,
        url: &str,
        cert: &Cert,
        issuer: &Cert,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
        notes: &mut Vec<Note>,
    ) -> Option<Found> {
        let fetcher = self.fetcher.as_ref()?;
        let nonce_rng = self.options.ocsp_nonce.then_some(rng);
        let request = match ocsp::Request::new(cert, issuer, self.options.ocsp_digest, nonce_rng) {
            Ok(r) => r,
            Err(e) => {
                notes.push(ocsp_note(url, &e));
                return None;
            }
        };
        let body = match fetcher.post_ocsp(url, request.der()) {
            Ok(b) => b,
            Err(e) => {
                notes.push(fetch_note(url, &e));
                return None;
            }
        };
        match request.check(&body, cert, issuer, now, &self.options.ocsp_check) {
            Ok(checked) => Some(Found {
                status: match checked.status {
                    ocsp::Status::Good => RevocationStatus::Good,
                    ocsp::Status::Revoked { time, reason } => {
                        RevocationStatus::Revoked { time, reason }
                    }
                    ocsp::Status::Unknown => RevocationStatus::Unknown,
                },
                source: Source::Ocsp {
                    url: url.to_owned(),
                    produced_at: checked.produced_at,
                    this_update: checked.this_update,
                    next_update: checked.next_update,
                    responder: checked.responder,
                    nonce_checked: checked.nonce_checked,
                },
            }),
            Err(e) => {
                notes.push(ocsp_note(url, &e));
                None
            }
        }
    }
}

struct Found {
    status: RevocationStatus,
    source: Source,
}

impl Found {
    fn with_notes(self, notes: Vec<Note>) -> RevocationResult {
        RevocationResult {
            status: self.status,
            source: Some(self.source),
            notes,
        }
    }
}

fn crl_source(l: &Loaded) -> Source {
    Source::Crl {
        origin: l.origin.clone(),
        issuer: l.issuer.clone(),
        number: l.crl.number().map(hex::encode_upper),
        this_update: l.crl.this_update(),
        next_update: l.crl.next_update(),
    }
}

/// The freshness rule of the module documentation; `Some(note)` when the CRL is refused.
fn usable(l: &Loaded, at: OffsetDateTime, now: OffsetDateTime, skew: Duration) -> Option<Note> {
    let crl = &l.crl;
    let note = |kind, detail| {
        Some(Note {
            source: l.origin.to_string(),
            kind,
            detail,
        })
    };
    if crl.this_update() > now + skew {
        return note(
            NoteKind::NotYetValid,
            format!("thisUpdate {} is after now ({now})", crl.this_update()),
        );
    }
    match crl.next_update() {
        None => note(
            NoteKind::Stale,
            "the CRL has no nextUpdate, so it cannot show it covers the validation time".into(),
        ),
        Some(next) if next < at => note(
            NoteKind::Stale,
            format!("nextUpdate {next} is before the validation time {at}: a newer CRL was due"),
        ),
        Some(_) => None,
    }
}

/// The issuingDistributionPoint limits (RFC 5280 §6.3.3 (b)(2)).
fn in_scope(l: &Loaded, cert: &Cert) -> Option<Note> {
    let scope = l.crl.scope();
    let is_ca = matches!(cert.basic_constraints(), Ok(Some((true, _))));
    let why = if scope.only_user_certs && is_ca {
        Some("the CRL covers only end-entity certificates and this one is a CA".to_owned())
    } else if scope.only_ca_certs && !is_ca {
        Some("the CRL covers only CA certificates".to_owned())
    } else if !scope.distribution_point_uris.is_empty() {
        let urls = cert.crl_urls();
        let shared = urls
            .iter()
            .any(|u| scope.distribution_point_uris.contains(u));
        (!urls.is_empty() && !shared).then(|| {
            format!(
                "the CRL is published for {:?}, the certificate names {urls:?}",
                scope.distribution_point_uris
            )
        })
    } else {
        None
    };
    why.map(|detail| Note {
        source: l.origin.to_string(),
        kind: NoteKind::OutOfScope,
        detail,
    })
}

fn crl_note(origin: &CrlOrigin, e: &CrlError) -> Note {
    let kind = match e {
        CrlError::Malformed { .. } | CrlError::Pem { .. } | CrlError::TooLarge { .. } => {
            NoteKind::Malformed
        }
        CrlError::Unsupported { .. } => NoteKind::Unsupported,
        CrlError::IssuerMismatch { .. } => NoteKind::WrongIssuer,
        CrlError::NotCrlSigner { .. } => NoteKind::NotCrlSigner,
        CrlError::BadSignature { .. } | CrlError::Signature(_) => NoteKind::BadSignature,
    };
    Note {
        source: origin.to_string(),
        kind,
        detail: e.to_string(),
    }
}

fn ocsp_note(url: &str, e: &OcspError) -> Note {
    let kind = match e {
        OcspError::Malformed { .. } | OcspError::Request { .. } => NoteKind::Malformed,
        OcspError::NotSuccessful { .. } => NoteKind::NotSuccessful,
        OcspError::UnsupportedResponseType { .. } => NoteKind::Unsupported,
        OcspError::NoMatchingResponse { .. } => NoteKind::NoAnswer,
        OcspError::UnauthorizedResponder { .. } => NoteKind::UnauthorizedResponder,
        OcspError::BadSignature { .. } | OcspError::Signature(_) => NoteKind::BadSignature,
        OcspError::NonceMismatch { .. } => NoteKind::NonceMismatch,
        OcspError::Stale { .. } => NoteKind::Stale,
        OcspError::NotYetValid { .. } => NoteKind::NotYetValid,
    };
    Note {
        source: format!("OCSP {url}"),
        kind,
        detail: e.to_string(),
    }
}

fn fetch_note(url: &str, e: &FetchError) -> Note {
    Note {
        source: url.to_owned(),
        kind: NoteKind::FetchFailed,
        detail: e.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use eds_fixtures::pki::TestPki;

    use super::*;

    #[test]
    fn checker_is_sync_and_send() {
        fn both<T: Send + Sync>() {}
        both::<RevocationChecker>();
    }

    fn offline() -> RevocationChecker {
        RevocationChecker::new(RevocationOptions {
            offline: true,
            ..RevocationOptions::default()
        })
        .unwrap()
    }

    /// `len` bytes that are no CRL, different for each `i` in the first bytes, the same after.
    fn garbage(i: usize, len: usize) -> Vec<u8> {
        let mut v = vec![0xA5; len];
        v[..8].copy_from_slice(&i.to_le_bytes());
        v
    }

    #[test]
    fn ok_embedded_crls_stay_within_the_entry_bound_and_equal_bytes_hit() {
        let checker = offline();
        let pki = TestPki::new();
        let chain = pki.chain();
        let crl = pki.crl(&chain.intermediates[0]).build();
        for i in 0..MAX_EMBEDDED + 10 {
            assert!(matches!(
                checker.embedded_crl(&garbage(i, 64)),
                Err(CrlError::Malformed { .. })
            ));
            assert!(checker.embedded.len() <= MAX_EMBEDDED);
        }
        let first = checker.embedded_crl(crl.der()).unwrap();
        let again = checker.embedded_crl(crl.der()).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "equal bytes hit");
    }

    #[test]
    fn ok_embedded_crls_stay_within_the_byte_bound() {
        let checker = offline();
        let len = 4 << 20;
        for i in 0..10 {
            let _ = checker.embedded_crl(&garbage(i, len));
            assert!(checker.embedded.bytes() <= MAX_EMBEDDED_BYTES);
        }
        assert!(checker.embedded.len() < 10);
    }

    #[test]
    fn ok_embedded_inputs_with_the_same_length_and_tail_are_different_entries() {
        let checker = offline();
        let (a, b) = (garbage(1, 100), garbage(2, 100));
        assert_eq!(a[a.len() - 32..], b[b.len() - 32..]);
        let _ = checker.embedded_crl(&a);
        let _ = checker.embedded_crl(&b);
        assert_eq!(checker.embedded.len(), 2);
    }

    #[test]
    fn ok_fetched_crls_and_signature_checks_stay_within_their_bounds() {
        let checker = offline();
        let pki = TestPki::new();
        let chain = pki.chain();
        let crl = pki.crl(&chain.intermediates[0]).build();
        let loaded = checker.embedded_crl(crl.der()).unwrap();
        for i in 0..MAX_FETCHED + 10 {
            let url = format!("http://crl.example/{i}.crl");
            checker.keep_fetched(&url, &loaded);
            assert!(checker.by_url.len() <= MAX_FETCHED);
            assert!(checker.by_url.bytes() <= MAX_FETCHED_BYTES);
            assert!(Arc::ptr_eq(
                &checker.by_url.get(url.as_str()).unwrap(),
                &loaded
            ));
        }
        let issuer = &chain.intermediates[0];
        let issuer = Cert::from_der(issuer.der()).unwrap();
        for i in 0..MAX_VERIFIED + 10 {
            let mut sha256 = loaded.sha256;
            sha256[..8].copy_from_slice(&i.to_le_bytes());
            let fake = Loaded {
                sha256,
                origin: CrlOrigin::Embedded,
                issuer: String::new(),
                crl: Crl::parse(crl.der()).unwrap(),
            };
            assert_eq!(checker.verify_cached(&fake, &issuer), Ok(()));
            assert!(checker.verified.len() <= MAX_VERIFIED);
        }
    }
}
