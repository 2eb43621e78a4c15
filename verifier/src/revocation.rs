//! Revocation status of one certificate from every source available: supplied CRL files, CRLs
//! embedded in the signature, cached CRLs, OCSP, CRL distribution points.
//!
//! [`RevocationChecker`] is built once per run and shared by every document of a batch (it is
//! `Sync`): a CRL is parsed and indexed once, and its signature checked once per issuer, whatever
//! the number of documents that rely on it.
//!
//! # Order
//!
//! 1. CRLs supplied by the caller (complete or delta), CRLs embedded in the signature, and
//!    (online only) CRLs fetched earlier for one of the certificate's distribution points or
//!    freshestCRL URLs, in memory or in the cache folder, as long as their nextUpdate has not
//!    passed;
//! 2. saved OCSP responses ([`RevocationOptions::ocsp_files`], `--ocsp`), offline too;
//! 3. online: OCSP at each responder URL of the certificate's Authority Information Access;
//! 4. online: a fresh download from each CRL distribution point and each freshestCRL URL of the
//!    certificate and of the CRLs downloaded (kept in memory and the cache).
//!
//! The first source that gives an answer settles the status; every source tried and refused
//! leaves a [`Note`] saying why, so that an unavailable status can be explained (TRY_LATER).
//! An OCSP "unknown" is such an answer: no CRL is asked after it. A responder that serves the
//! issuer and does not know the serial is saying the issuer's register has no such certificate,
//! and a CRL cannot tell more: it lists only certificates that were issued and then revoked, so
//! its "not listed" would turn a certificate the center never issued into a good one.
//! Offline (`offline: true`) only the supplied and embedded CRLs and the saved OCSP responses are
//! used: no network, and no cache either (the cache is network data of an earlier run, which
//! `--offline` excludes).
//!
//! # CRL processing (RFC 5280 §6.3.3)
//!
//! For each complete CRL at hand:
//!
//! - (b) **issuer and scope**: the CRL issuer is the certificate's issuer or, when a distribution
//!   point of the certificate names a cRLIssuer, that name, with indirectCRL set in the CRL's
//!   issuingDistributionPoint. When the issuingDistributionPoint names a distribution point, a
//!   distribution point of the certificate must have one of its names (URIs, directory names,
//!   nameRelativeToCRLIssuer appended to the CRL issuer's name; or the cRLIssuer names when the
//!   certificate's point has no name); a certificate without distribution points is outside such
//!   a partition. onlyContainsUserCerts / onlyContainsCACerts follow basicConstraints;
//!   onlyContainsAttributeCerts never covers a public-key certificate. Names are compared by
//!   RFC 5280 §7.1 (`crate::path::names`).
//! - (d) **reasons**: the CRL covers the reasons of the certificate's distribution point (all if
//!   absent) that are in its onlySomeReasons (all if absent). A good status needs the CRLs used to
//!   cover every reason together; otherwise a [`NoteKind::ReasonsNotCovered`] note names the
//!   reasons missing.
//! - **completeness** (§5.2, §5.2.3, §5.3): a CRL without cRLNumber, with a critical cRLNumber,
//!   with an unrecognised critical CRL or entry extension, or with certificateIssuer entries while
//!   not indirect is not used ([`NoteKind::Incomplete`]).
//! - (f), (g) **the CRL signer**: the CRL verifies with the issuer's key, or with the key of
//!   another certificate of the CRL issuer's name at hand ([`CheckContext`]: the signature's
//!   certificates, `--untrusted`, the trust list) that allows cRLSign, whose path validates to
//!   the checked certificate's trust anchor (`crate::path::validate`; a CA certificate, which
//!   that function refuses as a leaf, by names, key identifiers, signatures, validity, cA and
//!   keyCertSign) and whose own revocation status is good. A signer whose status is being
//!   checked further out may sign the CRL that covers itself (PKITS 4.14.30).
//! - **currency** (below); a complete CRL past its nextUpdate still serves together with a
//!   current delta when the certificate or the CRL names a freshestCRL ((a)(1)(i)).
//! - (c), (h) **delta CRLs** (§5.2.4): a delta is used only with this complete CRL when it has the
//!   same issuer, issuingDistributionPoint and authority key, a cRLNumber greater than the base's,
//!   and a BaseCRLNumber not greater than the base's number; it must verify with the same signer
//!   and be current. A delta is due when the certificate or the base names a freshestCRL, or a
//!   newer delta of the same scope is at hand; a base whose delta is due and unusable can still
//!   show a revocation, never a good status ([`NoteKind::Delta`]). A delta alone is never used.
//! - (i)-(k) **lookup**: the delta's entry first, then the base's; an entry counts only for the
//!   certificate issuer it names (certificateIssuer, §5.3.3, for indirect CRLs); removeFromCRL
//!   (on a delta) lifts a certificateHold of the base.
//! - **expired certificates** (§3.3): a CA may drop the entry of an expired certificate, so a CRL
//!   issued after the certificate's notAfter shows no good status for it unless it carries
//!   ExpiredCertsOnCRL (2.5.29.60) with a date not after notAfter ([`NoteKind::IssuedAfterExpiry`]).
//!
//! # When a CRL is current
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
//! Fetched OCSP answers are about the present: they are checked for freshness against `now`
//! ([`crate::ocsp::check_response`]). A saved answer is checked the same way at the validation
//! time `at` (or at its thisUpdate when it was made after `at`: a good answer then covers `at`
//! as a later CRL does), and neither its thisUpdate nor its producedAt may be after `now`. An
//! answer signed with an algorithm the verifier does not implement (the Russian GOST R
//! 34.10-2001/94 identifiers) leaves a note, never a status; the national center's GOST answers
//! (2004 and 2015 generations) are verified through `eds-gost`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use der::{Decode, Encode};
use ring::rand::SecureRandom;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::CrlDistributionPoints;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

use crate::bounded::Bounded;
use crate::cert::Cert;
use crate::crl::{ALL_REASONS, Crl, CrlError, Reason, ReasonMask, reason_names};
use crate::crypto::Digest;
use crate::fetch::{CrlCache, FetchError, FetchOptions, Fetcher};
use crate::ocsp::{self, CheckOptions, OcspError};
use crate::path::names::names_equal;
use crate::trust::TrustList;

/// The source named for an OCSP response embedded in the signature.
pub const EMBEDDED_OCSP: &str = "OCSP response embedded in the signature";

/// How deep CRL signers' own revocation checks may nest (a CRL signer whose status rests on a
/// CRL of another CRL signer…).
const MAX_SIGNER_DEPTH: u8 = 3;

/// What [`RevocationChecker::check_in`] may use besides the certificate and its issuer to find
/// the key that signed a CRL (RFC 5280 §6.3.3 (f)).
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckContext<'a> {
    /// Certificates at hand: the signature's, `--untrusted`, the path's.
    pub pool: &'a [Cert],
    /// The trust list the paths are validated against.
    pub trust: Option<&'a TrustList>,
    /// The trust anchor of the checked certificate's path: a CRL signer's path must end there.
    pub anchor: Option<&'a Cert>,
    /// OCSP responses embedded in the signature (RFC 5940 §2.1, CAdES-LT), DER: used like saved
    /// ones (`--ocsp`), after them, offline too.
    pub embedded_ocsp: &'a [Vec<u8>],
}

/// The inputs of one check, passed down to nested checks of CRL signers.
struct Run<'a> {
    ctx: &'a CheckContext<'a>,
    at: OffsetDateTime,
    now: OffsetDateTime,
    embedded: &'a [Vec<u8>],
    rng: &'a dyn SecureRandom,
}

/// How a [`RevocationChecker`] works.
#[derive(Debug, Clone)]
pub struct RevocationOptions {
    /// CRL files supplied by the caller (DER or PEM), complete or delta.
    pub crl_files: Vec<PathBuf>,
    /// Saved OCSP responses (DER `OCSPResponse`), used offline too.
    pub ocsp_files: Vec<PathBuf>,
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
            ocsp_files: Vec::new(),
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
    /// A saved OCSP response file cannot be read or is not an `OCSPResponse`.
    #[error("the OCSP response file {path} is not usable: {detail}")]
    Ocsp {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
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
    /// The CRL must not be used: no cRLNumber or a critical one, an unrecognised critical
    /// extension (RFC 5280 §5.2, §5.3).
    Incomplete,
    /// The CRLs in scope do not cover every revocation reason (RFC 5280 §6.3.3 (d)).
    ReasonsNotCovered,
    /// The CRL was issued after the certificate expired and does not say it keeps expired
    /// certificates (RFC 5280 §3.3, ExpiredCertsOnCRL).
    IssuedAfterExpiry,
    /// A delta CRL problem: no base, a base too old, a delta due and none usable.
    Delta,
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
/// The most (CRL, certificate) scope decisions kept (each a few hundred bytes at most).
pub const MAX_SCOPES: usize = 4096;
/// What a kept CRL is counted at, per byte of its DER: the DER and its index of entries.
pub const CRL_COST_FACTOR: usize = 3;

/// Revocation checking with parsed and verified CRLs kept across documents.
pub struct RevocationChecker {
    options: RevocationOptions,
    supplied: Vec<Arc<Loaded>>,
    /// Embedded CRLs by their bytes (parse failures kept too); at most [`MAX_EMBEDDED`] lists
    /// counted at [`MAX_EMBEDDED_BYTES`]. Keyed by the bytes themselves, not their SHA-256: an
    /// LTA signature's two CRLs are looked up for each certificate of three paths, and comparing
    /// them with the last ones kept (see `bounded`) costs a fraction of hashing them.
    embedded: Bounded<Vec<u8>, ParseOutcome>,
    /// CRLs downloaded or read from the cache, by URL; at most [`MAX_FETCHED`] lists counted at
    /// [`MAX_FETCHED_BYTES`].
    by_url: Bounded<String, Arc<Loaded>>,
    /// Signature/issuer checks done: (CRL SHA-256, issuer certificate SHA-256) → outcome; at
    /// most [`MAX_VERIFIED`].
    verified: Bounded<VerifyKey, Result<(), CrlError>>,
    /// Scope decisions (RFC 5280 §6.3.3 (b), (d)): (CRL SHA-256, certificate SHA-256) → how the
    /// CRL relates to the certificate; they depend on nothing else, so a batch signed by one
    /// certificate decides each once. At most [`MAX_SCOPES`].
    scopes: Bounded<VerifyKey, Scoped>,
    /// Saved OCSP responses: (label, DER).
    saved_ocsp: Vec<(String, Vec<u8>)>,
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
        let mut saved_ocsp = Vec::new();
        for path in &options.ocsp_files {
            let bytes = std::fs::read(path).map_err(|e| RevocationError::Ocsp {
                path: path.clone(),
                detail: format!("cannot read it: {e}"),
            })?;
            x509_ocsp::OcspResponse::from_der(&bytes).map_err(|e| RevocationError::Ocsp {
                path: path.clone(),
                detail: format!("not a DER OCSPResponse (RFC 6960 §4.2.1): {e}"),
            })?;
            saved_ocsp.push((path.display().to_string(), bytes));
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
            scopes: Bounded::new(MAX_SCOPES, MAX_SCOPES.saturating_mul(1024)),
            saved_ocsp,
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
    /// `now`, with nothing at hand but the issuer: a CRL must then be signed by the issuer's own
    /// key (see [`RevocationChecker::check_in`]). `embedded` are the CRLs found in the signature
    /// (DER); `rng` makes OCSP nonces.
    pub fn check(
        &self,
        cert: &Cert,
        issuer: &Cert,
        at: OffsetDateTime,
        now: OffsetDateTime,
        embedded: &[Vec<u8>],
        rng: &dyn SecureRandom,
    ) -> RevocationResult {
        self.check_in(
            &CheckContext::default(),
            cert,
            issuer,
            at,
            now,
            embedded,
            rng,
        )
    }

    /// As [`RevocationChecker::check`], with the certificates and the trust list at hand, so
    /// that a CRL signed by another key of its issuer (a separate CRL signing key, a key
    /// rollover) can be accepted: RFC 5280 §6.3.3 (f) asks for a certificate of that key, with
    /// cRLSign, whose path validates to the same trust anchor as the certificate checked, and
    /// whose own revocation status is good.
    #[expect(clippy::too_many_arguments, reason = "the inputs of §6.3.3, named")]
    pub fn check_in(
        &self,
        ctx: &CheckContext<'_>,
        cert: &Cert,
        issuer: &Cert,
        at: OffsetDateTime,
        now: OffsetDateTime,
        embedded: &[Vec<u8>],
        rng: &dyn SecureRandom,
    ) -> RevocationResult {
        let run = Run {
            ctx,
            at,
            now,
            embedded,
            rng,
        };
        self.check_depth(&run, cert, issuer, &[])
    }

    /// `outer`: the CRL signers whose own status this check is part of (outermost first).
    fn check_depth(
        &self,
        run: &Run<'_>,
        cert: &Cert,
        issuer: &Cert,
        outer: &[[u8; 32]],
    ) -> RevocationResult {
        let (at, now) = (run.at, run.now);
        let mut notes = Vec::new();

        // 1. CRLs at hand (the supplied list borrowed, not copied, when nothing is added).
        let mut candidates: Cow<'_, [Arc<Loaded>]> = Cow::Borrowed(&self.supplied);
        for bytes in run.embedded {
            match self.embedded_crl(bytes) {
                Ok(l) => candidates.to_mut().push(l),
                Err(e) => notes.push(crl_note(&CrlOrigin::Embedded, &e)),
            }
        }
        let crl_urls = cert.crl_urls();
        let delta_urls = cert.freshest_urls();
        if !self.options.offline {
            for url in crl_urls.iter().chain(delta_urls.iter()) {
                if let Some(l) = self.known_crl(url, now) {
                    let more: Vec<String> = l.crl.freshest_urls().to_vec();
                    candidates.to_mut().push(l);
                    for u in more {
                        if let Some(d) = self.known_crl(&u, now) {
                            candidates.to_mut().push(d);
                        }
                    }
                }
            }
        }
        if let Some(found) =
            self.answer_from_crls(run, &candidates, cert, issuer, outer, &mut notes)
        {
            return found.with_notes(notes);
        }

        // 2. Saved OCSP responses (`--ocsp FILE`), then those embedded in the signature,
        // offline too.
        let embedded_ocsp = run
            .ctx
            .embedded_ocsp
            .iter()
            .map(|bytes| (EMBEDDED_OCSP, bytes));
        let saved = self
            .saved_ocsp
            .iter()
            .map(|(label, bytes)| (label.as_str(), bytes));
        for (label, bytes) in saved.chain(embedded_ocsp) {
            // Current at the validation time: checked at `at`, or at its thisUpdate when it was
            // made after `at` (a good answer then covers `at` too, as a later CRL does).
            let reference = saved_this_update(bytes).map_or(at, |t| t.max(at));
            let checked = ocsp::check_response(
                bytes,
                cert,
                issuer,
                None,
                reference,
                &self.options.ocsp_check,
            )
            .and_then(|c| {
                if c.this_update > now + self.options.ocsp_check.skew
                    || c.produced_at > now + self.options.ocsp_check.skew
                {
                    Err(OcspError::NotYetValid {
                        detail: format!(
                            "the saved response's thisUpdate {} or producedAt {} is \
                                     after now ({now})",
                            c.this_update, c.produced_at
                        ),
                    })
                } else {
                    Ok(c)
                }
            });
            match checked {
                Ok(c) => return ocsp_found(label, c).with_notes(notes),
                // Another certificate's answer is silence, not a refusal.
                Err(OcspError::NoMatchingResponse { .. }) => {}
                Err(e) => notes.push(ocsp_note(label, &e)),
            }
        }

        let ocsp_urls = cert.ocsp_urls();
        if self.options.offline {
            for url in ocsp_urls
                .iter()
                .chain(crl_urls.iter())
                .chain(delta_urls.iter())
            {
                notes.push(Note {
                    source: url.clone(),
                    kind: NoteKind::Offline,
                    detail: "offline: not contacted".into(),
                });
            }
        } else {
            // 3. OCSP.
            if self.options.ocsp {
                for url in ocsp_urls {
                    if let Some(found) = self.ask_ocsp(url, cert, issuer, now, run.rng, &mut notes)
                    {
                        return found.with_notes(notes);
                    }
                }
            }
            // 4. CRL distribution points and the delta CRLs they point to (freshestCRL).
            if self.options.fetch_crls && !crl_urls.is_empty() {
                let mut all = candidates.into_owned();
                let mut deltas = delta_urls.to_vec();
                for url in crl_urls {
                    if let Some(loaded) = self.download(url, &mut notes) {
                        deltas.extend(loaded.crl.freshest_urls().iter().cloned());
                        all.push(loaded);
                    }
                }
                deltas.sort();
                deltas.dedup();
                for url in &deltas {
                    if let Some(loaded) = self.download(url, &mut notes) {
                        all.push(loaded);
                    }
                }
                if let Some(found) =
                    self.answer_from_crls(run, &all, cert, issuer, outer, &mut notes)
                {
                    return found.with_notes(notes);
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

    /// RFC 5280 §6.3.3 over the CRLs at hand: revoked on any complete CRL in scope (or its
    /// delta), else good when the CRLs in scope together cover every reason; `None` otherwise,
    /// with notes saying why.
    fn answer_from_crls(
        &self,
        run: &Run<'_>,
        candidates: &[Arc<Loaded>],
        cert: &Cert,
        issuer: &Cert,
        outer: &[[u8; 32]],
        notes: &mut Vec<Note>,
    ) -> Option<Found> {
        let (at, now) = (run.at, run.now);
        let is_ca = matches!(cert.basic_constraints(), Ok(Some((true, _))));
        let mut points: Option<Vec<CertPoint>> = None;
        let cert_names_delta = !cert.freshest_urls().is_empty();
        let mut reasons: ReasonMask = 0;
        let mut best: Option<&Loaded> = None;
        let mut other_issuers: Vec<&Loaded> = Vec::new();
        for loaded in candidates.iter().filter(|l| !l.crl.is_delta()) {
            let crl = &loaded.crl;
            // (b) issuer and scope; (d) the reasons this list covers for the certificate.
            let key = (loaded.sha256, *cert.sha256());
            let scoped = self.scopes.get(&key).unwrap_or_else(|| {
                let points = points.get_or_insert_with(|| distribution_points(cert));
                let scoped = scope_for(crl, cert, is_ca, points);
                let bytes = match &scoped {
                    Scoped::Out(why) => why.len(),
                    _ => 0,
                };
                self.scopes.insert(key, scoped.clone(), bytes);
                scoped
            });
            let interim = match scoped {
                Scoped::OtherIssuer => {
                    other_issuers.push(&**loaded);
                    continue;
                }
                Scoped::Out(detail) => {
                    notes.push(note(loaded, NoteKind::OutOfScope, detail));
                    continue;
                }
                Scoped::In(mask) => mask,
            };
            if let Some(defect) = crl.defect() {
                notes.push(note(
                    loaded,
                    NoteKind::Incomplete,
                    format!("the CRL is not used: {defect}"),
                ));
                continue;
            }
            // (f), (g): the CRL's signer, with a validated path to the same anchor.
            let Some(signer) = self.crl_signer(run, loaded, issuer, outer, notes) else {
                continue;
            };
            // (a)(1)(i): a complete CRL past its nextUpdate still serves with a current delta
            // when the certificate or the CRL names a freshestCRL.
            let stale = match usable(loaded, at, now, self.options.ocsp_check.skew) {
                None => None,
                Some(n)
                    if n.kind == NoteKind::Stale
                        && (cert_names_delta || !crl.freshest_urls().is_empty()) =>
                {
                    Some(n)
                }
                Some(n) => {
                    notes.push(n);
                    continue;
                }
            };
            // (c), (h): the delta CRL that goes with this list, when one is due. Without it
            // the list can still show a revocation (a delta only adds entries or lifts holds
            // with removeFromCRL), never a good status.
            let delta = self.delta_for(candidates, loaded, &signer, cert_names_delta, run, notes);
            let delta_missing = delta.is_err();
            let delta = delta.ok().flatten();
            if let Some(n) = stale
                && delta.is_none()
            {
                notes.push(n);
                continue;
            }
            // (i), (j), (k).
            let listed = delta
                .and_then(|d| {
                    d.crl
                        .lookup_for(cert.serial(), cert.issuer_der())
                        .map(|e| (e, d))
                })
                .or_else(|| {
                    crl.lookup_for(cert.serial(), cert.issuer_der())
                        .map(|e| (e, &**loaded))
                });
            if let Some((entry, on)) = listed
                && entry.reason != Some(Reason::RemoveFromCrl)
            {
                return Some(Found {
                    status: RevocationStatus::Revoked {
                        time: entry.time,
                        reason: entry.reason,
                    },
                    source: crl_source(on),
                });
            }
            if delta_missing {
                continue;
            }
            // RFC 5280 §3.3: a CA may drop the entries of expired certificates, so a list
            // issued after notAfter proves nothing unless it says it keeps them.
            if crl.this_update() > cert.not_after()
                && crl
                    .expired_certs_on_crl()
                    .is_none_or(|d| d > cert.not_after())
            {
                notes.push(note(
                    loaded,
                    NoteKind::IssuedAfterExpiry,
                    format!(
                        "the CRL was issued at {} after the certificate expired ({}) and has no \
                         ExpiredCertsOnCRL covering it: the entry may have been removed \
                         (RFC 5280 §3.3)",
                        crl.this_update(),
                        cert.not_after()
                    ),
                ));
                continue;
            }
            reasons |= interim;
            let newest = delta.unwrap_or(loaded);
            if best.is_none_or(|b| b.crl.this_update() < newest.crl.this_update()) {
                best = Some(newest);
            }
        }
        if let Some(best) = best {
            if reasons & ALL_REASONS == ALL_REASONS {
                return Some(Found {
                    status: RevocationStatus::Good,
                    source: crl_source(best),
                });
            }
            notes.push(Note {
                source: best.origin.to_string(),
                kind: NoteKind::ReasonsNotCovered,
                detail: format!(
                    "the CRLs at hand cover only some revocation reasons for this certificate; \
                     not covered: {} (RFC 5280 §6.3.3 (d))",
                    reason_names(ALL_REASONS & !reasons).join(", ")
                ),
            });
            return None;
        }
        // Lists of other issuers (the other levels of a chain, usually) are mentioned only
        // when no list answers: beside an answer they are noise.
        notes.extend(other_issuers.into_iter().map(|loaded| Note {
            source: loaded.origin.to_string(),
            kind: NoteKind::WrongIssuer,
            detail: format!(
                "issued by `{}`, not by the certificate's issuer `{}`",
                loaded.issuer,
                issuer.subject()
            ),
        }));
        let has_complete = |d: &Loaded| {
            candidates
                .iter()
                .any(|l| !l.crl.is_delta() && names_equal(l.crl.issuer_der(), d.crl.issuer_der()))
        };
        {
            for loaded in candidates.iter().filter(|l| l.crl.is_delta()) {
                if names_equal(loaded.crl.issuer_der(), issuer.subject_der())
                    && !has_complete(loaded)
                {
                    notes.push(note(
                        loaded,
                        NoteKind::Delta,
                        "a delta CRL is not used without its complete (base) CRL \
                         (RFC 5280 §5.2.4)"
                            .into(),
                    ));
                }
            }
        }
        None
    }

    /// The certificate whose key signed `loaded` (RFC 5280 §6.3.3 (f), (g)): the issuer itself,
    /// or another certificate of the CRL issuer's name at hand (the context's pool, the trust
    /// list) with cRLSign, whose path validates to the checked certificate's trust anchor and
    /// whose revocation status is good. `None` leaves a note.
    fn crl_signer(
        &self,
        run: &Run<'_>,
        loaded: &Loaded,
        issuer: &Cert,
        outer: &[[u8; 32]],
        notes: &mut Vec<Note>,
    ) -> Option<Cert> {
        let crl = &loaded.crl;
        let mut first_error = None;
        if names_equal(crl.issuer_der(), issuer.subject_der()) {
            match self.verify_cached(loaded, issuer) {
                Ok(()) => return Some(issuer.clone()),
                Err(e) => first_error = Some(e),
            }
        }
        let anchors = run
            .ctx
            .trust
            .map(|t| t.centers().iter().map(|c| &c.cert).collect::<Vec<_>>())
            .unwrap_or_default();
        let mut seen = vec![*issuer.sha256()];
        for candidate in run.ctx.pool.iter().chain(anchors.iter().copied()) {
            if seen.contains(candidate.sha256())
                || !names_equal(crl.issuer_der(), candidate.subject_der())
            {
                continue;
            }
            seen.push(*candidate.sha256());
            if let Err(e) = self.verify_cached(loaded, candidate) {
                first_error.get_or_insert(e);
                continue;
            }
            // The anchor itself; or a CRL signer whose own status is being checked and whose
            // CRL covers its own certificate too (PKITS 4.14.30): its path is the one being
            // validated further out.
            if run
                .ctx
                .anchor
                .is_some_and(|a| a.sha256() == candidate.sha256())
                || outer.contains(candidate.sha256())
            {
                return Some(candidate.clone());
            }
            let (Some(trust), Some(anchor)) = (run.ctx.trust, run.ctx.anchor) else {
                continue;
            };
            let validated = crate::path::validate(
                candidate,
                run.ctx.pool,
                trust,
                &crate::path::PathOptions::at(run.at),
            );
            let chain = match validated {
                Ok(p) if p.anchor.cert.sha256() == anchor.sha256() => p.chain,
                Ok(p) => {
                    notes.push(note(
                        loaded,
                        NoteKind::NotCrlSigner,
                        format!(
                            "the CRL signer `{}` leads to the trust anchor `{}`, not to the \
                             checked certificate's",
                            candidate.subject(),
                            p.anchor.name
                        ),
                    ));
                    continue;
                }
                Err(e) => {
                    notes.push(note(
                        loaded,
                        NoteKind::NotCrlSigner,
                        format!(
                            "the CRL signer `{}` has no valid path: {e}",
                            candidate.subject()
                        ),
                    ));
                    continue;
                }
            };
            if outer.len() >= usize::from(MAX_SIGNER_DEPTH) {
                notes.push(note(
                    loaded,
                    NoteKind::NotCrlSigner,
                    "the CRL signer's own revocation status would need CRL signers nested too \
                     deep"
                        .into(),
                ));
                continue;
            }
            let mut good = true;
            let mut inner = outer.to_vec();
            inner.push(*candidate.sha256());
            for pair in chain.windows(2) {
                let r = self.check_depth(run, &pair[0], &pair[1], &inner);
                if r.status != RevocationStatus::Good {
                    notes.push(note(
                        loaded,
                        NoteKind::NotCrlSigner,
                        format!(
                            "the revocation status of `{}` on the CRL signer's path is {:?}",
                            pair[0].subject(),
                            r.status
                        ),
                    ));
                    good = false;
                    break;
                }
            }
            if good {
                return Some(candidate.clone());
            }
        }
        match first_error {
            Some(e) => notes.push(crl_note(&loaded.origin, &e)),
            None => notes.push(note(
                loaded,
                NoteKind::NotCrlSigner,
                format!(
                    "no certificate at hand for the CRL issuer `{}` verifies the CRL",
                    loaded.issuer
                ),
            )),
        }
        None
    }

    /// The delta CRL to use with the complete CRL `base` (RFC 5280 §5.2.4, §6.3.3 (c), (h)):
    /// `Ok(None)` when none is due, `Err(())` (with a note) when one is due and none is usable.
    /// One is due when the certificate or `base` names a freshestCRL, or a delta of the same
    /// issuer and scope newer than `base` is at hand.
    fn delta_for<'c>(
        &self,
        candidates: &'c [Arc<Loaded>],
        base: &Loaded,
        signer: &Cert,
        cert_names_delta: bool,
        run: &Run<'_>,
        notes: &mut Vec<Note>,
    ) -> Result<Option<&'c Loaded>, ()> {
        let base_no = base.crl.number().unwrap_or_default();
        let mut deltas: Vec<&Loaded> = candidates
            .iter()
            .map(|l| &**l)
            .filter(|d| {
                d.crl.is_delta()
                    && names_equal(d.crl.issuer_der(), base.crl.issuer_der())
                    && d.crl.scope().der == base.crl.scope().der
                    && match (d.crl.authority_key_id(), base.crl.authority_key_id()) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
                    && cmp_number(d.crl.number().unwrap_or_default(), base_no).is_gt()
            })
            .collect();
        let due = cert_names_delta || !base.crl.freshest_urls().is_empty() || !deltas.is_empty();
        if !due {
            return Ok(None);
        }
        deltas.sort_by(|a, b| {
            cmp_number(
                b.crl.number().unwrap_or_default(),
                a.crl.number().unwrap_or_default(),
            )
        });
        let mut refused = Vec::new();
        for d in deltas {
            if let Some(defect) = d.crl.defect() {
                refused.push(note(
                    d,
                    NoteKind::Incomplete,
                    format!("the delta CRL is not used: {defect}"),
                ));
                continue;
            }
            let needs = d.crl.delta_base().unwrap_or_default();
            if cmp_number(base_no, needs).is_lt() {
                refused.push(note(
                    d,
                    NoteKind::Delta,
                    format!(
                        "the delta CRL needs a complete CRL numbered {} or later, the one at \
                         hand is {} (RFC 5280 §5.2.4)",
                        hex::encode_upper(needs),
                        hex::encode_upper(base_no)
                    ),
                ));
                continue;
            }
            if let Err(e) = self.verify_cached(d, signer) {
                refused.push(crl_note(&d.origin, &e));
                continue;
            }
            if let Some(n) = usable(d, run.at, run.now, self.options.ocsp_check.skew) {
                refused.push(n);
                continue;
            }
            return Ok(Some(d));
        }
        notes.extend(refused);
        notes.push(note(
            base,
            NoteKind::Delta,
            "a delta CRL is due for this complete CRL (the certificate or the CRL names a \
             freshestCRL, or a newer delta is at hand) and none is usable (RFC 5280 §6.3.3 (c))"
                .into(),
        ));
        Err(())
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

    /// The SHA-256 of an embedded CRL read before and still kept, by its bytes (the archive
    /// timestamp's hash index lists it too).
    pub(crate) fn embedded_sha256(&self, bytes: &[u8]) -> Option<[u8; 32]> {
        let loaded = self.embedded.get(bytes)?.ok()?;
        (loaded.crl.der() == bytes).then_some(loaded.sha256)
    }

    fn embedded_crl(&self, bytes: &[u8]) -> Result<Arc<Loaded>, CrlError> {
        if let Some(done) = self.embedded.get(bytes) {
            return done;
        }
        let outcome = Crl::parse(bytes).map(|crl| {
            Arc::new(Loaded {
                sha256: crl.sha256(),
                origin: CrlOrigin::Embedded,
                issuer: crl.issuer(),
                crl,
            })
        });
        // The key's copy of the bytes, then the parse.
        let cost = bytes
            .len()
            .saturating_mul(CRL_COST_FACTOR.saturating_add(1));
        self.embedded.insert(bytes.to_vec(), outcome.clone(), cost);
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
            Ok(checked) => Some(ocsp_found(url, checked)),
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

/// How a complete CRL relates to a certificate (RFC 5280 §6.3.3 (b), (d)).
#[derive(Debug, Clone)]
enum Scoped {
    /// Issued by neither the certificate's issuer nor a cRLIssuer of its distribution points.
    OtherIssuer,
    /// Of the right issuer, but its issuingDistributionPoint excludes the certificate.
    Out(String),
    /// In scope: the reasons it covers for the certificate (interim_reasons_mask).
    In(ReasonMask),
}

/// One distribution point of a certificate (RFC 5280 §4.2.1.13).
struct CertPoint {
    /// The distribution point's names (nameRelativeToCRLIssuer made a full directory name).
    names: Option<Vec<PointName>>,
    /// The reasons field; `None`: all reasons.
    reasons: Option<ReasonMask>,
    /// The cRLIssuer directory names (DER); `None` when absent.
    crl_issuer: Option<Vec<Vec<u8>>>,
}

/// A distribution point name, comparable.
#[derive(Debug)]
enum PointName {
    Uri(String),
    Dir(Vec<u8>),
    Other(Vec<u8>),
}

impl PointName {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Uri(a), Self::Uri(b)) => a == b,
            (Self::Dir(a), Self::Dir(b)) => names_equal(a, b),
            (Self::Other(a), Self::Other(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for PointName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uri(u) => f.write_str(u),
            Self::Dir(d) => match x509_cert::name::Name::from_der(d) {
                Ok(n) => write!(f, "{n}"),
                Err(_) => write!(f, "{}", hex::encode(d)),
            },
            Self::Other(d) => write!(f, "{}", hex::encode(d)),
        }
    }
}

fn point_name(g: &GeneralName) -> PointName {
    match g {
        GeneralName::UniformResourceIdentifier(u) => PointName::Uri(u.to_string()),
        GeneralName::DirectoryName(n) => PointName::Dir(n.to_der().unwrap_or_default()),
        other => PointName::Other(other.to_der().unwrap_or_default()),
    }
}

/// The names of a DistributionPointName; a name relative to the CRL issuer is appended to
/// `base`, the DER name of that issuer (RFC 5280 §4.2.1.13, §5.2.5).
fn point_names(dpn: &DistributionPointName, base: &[u8]) -> Vec<PointName> {
    match dpn {
        DistributionPointName::FullName(names) => names.iter().map(point_name).collect(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            let Ok(mut name) = x509_cert::name::Name::from_der(base) else {
                return Vec::new();
            };
            name.0.push(rdn.clone());
            name.to_der()
                .map(|d| vec![PointName::Dir(d)])
                .unwrap_or_default()
        }
    }
}

fn show(names: &[PointName]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The certificate's CRL distribution points (empty when it has none or they do not decode).
fn distribution_points(cert: &Cert) -> Vec<CertPoint> {
    let Ok(Some(points)) = cert.decoded::<CrlDistributionPoints>() else {
        return Vec::new();
    };
    points
        .0
        .iter()
        .map(|p| {
            let crl_issuer: Option<Vec<Vec<u8>>> = p.crl_issuer.as_ref().map(|names| {
                names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DirectoryName(d) => d.to_der().ok(),
                        _ => None,
                    })
                    .collect()
            });
            let base = crl_issuer
                .as_ref()
                .and_then(|n| n.first().cloned())
                .unwrap_or_else(|| cert.issuer_der().to_vec());
            CertPoint {
                names: p.distribution_point.as_ref().map(|d| point_names(d, &base)),
                reasons: p.reasons.map(|r| r.bits() & ALL_REASONS),
                crl_issuer,
            }
        })
        .collect()
}

/// RFC 5280 §6.3.3 (b) and (d) for one complete CRL: tried with each distribution point of the
/// certificate, then as a CRL "not specified in a distribution point" of the certificate's
/// issuer; the reasons covered are those of every point it serves.
fn scope_for(crl: &Crl, cert: &Cert, is_ca: bool, points: &[CertPoint]) -> Scoped {
    let scope = crl.scope();
    let mut issuer_matched = false;
    let mut why = None;
    let mut covered: Option<ReasonMask> = None;
    for point in points.iter().map(Some).chain(std::iter::once(None)) {
        // (b)(1): the CRL issuer.
        match point.and_then(|p| p.crl_issuer.as_ref()) {
            Some(names) => {
                if !names.iter().any(|n| names_equal(n, crl.issuer_der())) {
                    continue;
                }
                issuer_matched = true;
                if !scope.indirect {
                    why.get_or_insert(
                        "the certificate's distribution point names this CRL issuer as \
                         cRLIssuer but the CRL is not indirect (RFC 5280 §6.3.3 (b)(1))"
                            .to_owned(),
                    );
                    continue;
                }
            }
            None => {
                if !names_equal(crl.issuer_der(), cert.issuer_der()) {
                    continue;
                }
                issuer_matched = true;
            }
        }
        // (b)(2)(i): the distribution point.
        if let Some(idp) = &scope.distribution_point {
            let idp_names = point_names(idp, crl.issuer_der());
            let Some(point) = point else {
                why.get_or_insert(format!(
                    "the CRL covers only the distribution point {} and the certificate names \
                     none it serves (RFC 5280 §6.3.3 (b)(2)(i))",
                    show(&idp_names)
                ));
                continue;
            };
            let cert_names: Vec<PointName> = match &point.names {
                Some(n) => n.iter().map(clone_name).collect(),
                None => point
                    .crl_issuer
                    .iter()
                    .flatten()
                    .map(|d| PointName::Dir(d.clone()))
                    .collect(),
            };
            if !idp_names
                .iter()
                .any(|a| cert_names.iter().any(|b| a.same(b)))
            {
                why.get_or_insert(format!(
                    "the CRL covers the distribution point {}, the certificate names {} \
                     (RFC 5280 §6.3.3 (b)(2)(i))",
                    show(&idp_names),
                    show(&cert_names)
                ));
                continue;
            }
        }
        // (b)(2)(ii)-(iv).
        if scope.only_user_certs && is_ca {
            why.get_or_insert(
                "the CRL covers only end-entity certificates and this one is a CA".into(),
            );
            continue;
        }
        if scope.only_ca_certs && !is_ca {
            why.get_or_insert("the CRL covers only CA certificates".into());
            continue;
        }
        if scope.only_attribute_certs {
            why.get_or_insert(
                "the CRL covers only attribute certificates (onlyContainsAttributeCerts)".into(),
            );
            continue;
        }
        // (d): interim_reasons_mask.
        let dp = point.and_then(|p| p.reasons).unwrap_or(ALL_REASONS);
        let interim = dp & scope.only_some_reasons.unwrap_or(ALL_REASONS);
        covered = Some(covered.unwrap_or(0) | interim);
    }
    match (covered, issuer_matched) {
        (Some(mask), _) => Scoped::In(mask),
        (None, true) => Scoped::Out(why.unwrap_or_else(|| "out of the CRL's scope".into())),
        (None, false) => Scoped::OtherIssuer,
    }
}

fn clone_name(n: &PointName) -> PointName {
    match n {
        PointName::Uri(u) => PointName::Uri(u.clone()),
        PointName::Dir(d) => PointName::Dir(d.clone()),
        PointName::Other(d) => PointName::Other(d.clone()),
    }
}

/// Compares two cRLNumbers given as big-endian unsigned bytes.
fn cmp_number(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let trim = |x: &[u8]| -> Vec<u8> { x.iter().copied().skip_while(|b| *b == 0).collect() };
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

fn note(l: &Loaded, kind: NoteKind, detail: String) -> Note {
    Note {
        source: l.origin.to_string(),
        kind,
        detail,
    }
}

/// The latest thisUpdate of the SingleResponses of an `OCSPResponse`; `None` when it does not
/// decode (the check then says why).
fn saved_this_update(bytes: &[u8]) -> Option<OffsetDateTime> {
    let outer = x509_ocsp::OcspResponse::from_der(bytes).ok()?;
    let basic =
        x509_ocsp::BasicOcspResponse::from_der(outer.response_bytes?.response.as_bytes()).ok()?;
    basic
        .tbs_response_data
        .responses
        .iter()
        .filter_map(|r| {
            let secs = i64::try_from(r.this_update.0.to_unix_duration().as_secs()).ok()?;
            OffsetDateTime::from_unix_timestamp(secs).ok()
        })
        .max()
}

fn ocsp_found(url: &str, checked: ocsp::Checked) -> Found {
    Found {
        status: match checked.status {
            ocsp::Status::Good => RevocationStatus::Good,
            ocsp::Status::Revoked { time, reason } => RevocationStatus::Revoked { time, reason },
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
    }
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
