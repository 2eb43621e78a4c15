//! The engine: runs the checks of article 10.1 on every signature of a document and turns their
//! outcomes into one ETSI EN 319 102-1 verdict per signature.
//!
//! Order of the checks (each one recorded in the report, later ones skipped when an earlier
//! failure makes them moot):
//!
//! | check | failure → indication / sub-indication |
//! |---|---|
//! | `format` | TOTAL_FAILED / FORMAT_FAILURE |
//! | `signing_certificate` | INDETERMINATE / NO_SIGNING_CERTIFICATE_FOUND |
//! | `message_digest` | TOTAL_FAILED / HASH_FAILURE (INDETERMINATE / SIGNED_DATA_NOT_FOUND without the content) |
//! | `signature` | TOTAL_FAILED / SIG_CRYPTO_FAILURE; INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE for unsupported GOST identifiers, SHA-1 |
//! | `timestamp` | a token that does not verify, or whose TSA certificate is not for timestamping alone (RFC 3161 §2.3: id-kp-timeStamping, critical), is a warning and gives no proof of existence |
//! | `chain` | INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND, CHAIN_CONSTRAINTS_FAILURE, CERTIFICATE_CHAIN_GENERAL_FAILURE, CRYPTO_CONSTRAINTS_FAILURE |
//! | `validity` | TOTAL_FAILED / EXPIRED or NOT_YET_VALID when the signing time (claimed or proven) lies outside the certificate's validity; INDETERMINATE / OUT_OF_BOUNDS_NO_POE when only the validation time does |
//! | `accreditation` | INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE: the center was not accredited at the proven signing time, or (without a proof) at the validation time or the claimed signing time (art. 20-2) |
//! | `revocation` | TOTAL_FAILED / REVOKED when revoked at or before the signing time; INDETERMINATE / REVOKED_NO_POE (REVOKED_CA_NO_POE) when revoked before the validation time without proof that the signature came first; INDETERMINATE / TRY_LATER without usable revocation information |
//! | `scope` | INDETERMINATE / SIG_CONSTRAINTS_FAILURE (art. 10.1(3)) |
//! | `expectations` | INDETERMINATE / SIG_CONSTRAINTS_FAILURE (art. 10.3) |
//!
//! The signing time a signer claims (the signingTime attribute) is not a proof of existence, but
//! it binds the signer: a signature claiming a time after its certificate was revoked or had
//! expired is failed outright. A time proven by a verified signature timestamp is a proof of
//! existence: a revocation after it does not touch the signature.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Read;
use std::sync::Arc;

use eds_profile::holder::Holder;
use serde::Serialize;
use time::OffsetDateTime;

use crate::bounded::Bounded;
use crate::cancel::Cancel;
use crate::cert::Cert;
use crate::cms::{self, ContentDigests, SignedDocument, SignerFailure};
use crate::crl::Reason;
use crate::ltv::{self, ProofOfExistence, RevocationUse};
use crate::path::{self, PathFailure, PathOptions, PolicyOptions};
use crate::revocation::{CheckContext, CrlOrigin, RevocationChecker, RevocationStatus, Source};
use crate::scope::{self, Expectations};
use crate::trust::TrustList;
use crate::verdict::{ChainEntry, Check, Indication, Outcome, SubIndication, TimeBasis};

/// What the verifier is told besides the document.
#[derive(Debug)]
pub struct Options {
    /// The trusted centers.
    pub trust: TrustList,
    /// Validate at this time instead of now (`--at`).
    pub at: Option<OffsetDateTime>,
    /// Certificates to use for building paths besides those in the signature (`--untrusted`).
    pub extra_certs: Vec<Cert>,
    /// Who the signer must be (`--expect-iin`, `--expect-bin`, `--expect-role`).
    pub expectations: Expectations,
    /// Work budget of path building: signature checks per path search.
    pub max_signature_checks: usize,
    /// An extended key usage the leaf must carry (`eds cert verify --eku`).
    pub required_eku: Option<der::asn1::ObjectIdentifier>,
    /// The certificate policy inputs of path validation (RFC 5280 §6.1.1).
    pub policy: PolicyOptions,
    /// Raised by the caller to stop the work (a timed-out request, a shutdown).
    pub cancel: Cancel,
}

/// The reason of a signature left unjudged because the caller raised its cancel flag
/// ([`Verifier::verify_document_with`]).
pub const CANCELLED: &str = "not verified: the verification was cancelled (the request timed out, the client went away \
     or the service is stopping)";

/// Why verification could not run at all (a verdict is not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The detached content could not be read.
    #[error("read the signed content: {0}")]
    Content(#[source] std::io::Error),
}

/// The content a detached signature covers.
pub enum Content<'a> {
    /// In memory.
    Bytes(&'a [u8]),
    /// Streamed (large files are digested without being held in memory).
    Reader(&'a mut dyn Read),
}

/// The report on one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentReport {
    /// The worst indication over the signatures (TOTAL_FAILED beats INDETERMINATE beats
    /// TOTAL_PASSED); TOTAL_FAILED / FORMAT_FAILURE when the document is not a signature at all.
    pub indication: Indication,
    /// Set when the document could not be read as CMS SignedData.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_error: Option<String>,
    /// Whether the content is inside the signature.
    pub detached: bool,
    /// One report per SignerInfo, in order.
    pub signatures: Vec<SignatureReport>,
}

/// The report on one signature (EN 319 102-1 §5.1.3 validation report, abridged).
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// Position of the SignerInfo (0-based).
    pub index: usize,
    /// The main indication.
    pub indication: Indication,
    /// The sub-indication when not passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The reason in plain words.
    pub reason: String,
    /// The signing certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<ChainEntry>,
    /// What the signing certificate says about its holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<Arc<Holder>>,
    /// The chain from the signing certificate to the trusted center (empty when none was found).
    pub chain: Vec<ChainEntry>,
    /// The trusted center the chain ends at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_center: Option<String>,
    /// The time the certificates were judged at.
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// What that time rests on.
    pub time_basis: TimeBasis,
    /// The signingTime attribute (the signer's claim, not a proof).
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_signing_time: Option<OffsetDateTime>,
    /// The genTime of a verified signature timestamp (a proof of existence).
    #[serde(with = "time::serde::rfc3339::option")]
    pub timestamp_time: Option<OffsetDateTime>,
    /// Where the revocation status came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_source: Option<String>,
    /// The verified proofs of existence of the signature (signature and archive timestamps),
    /// earliest first: the certificates are judged at the first one's time (ETSI EN 319 102-1
    /// §5.6, past signature validation).
    pub proofs_of_existence: Vec<ProofOfExistence>,
    /// The revocation data each certificate of the chain was judged with.
    pub revocation_data: Vec<RevocationUse>,
    /// Every check with its outcome, in the order run.
    pub checks: Vec<Check>,
    /// Things that do not change the verdict but deserve a look.
    pub warnings: Vec<String>,
}

impl SignatureReport {
    /// The file given as the content is not the content inside an attached signature: the
    /// signature does not cover it, whatever else holds (TOTAL_FAILED / HASH_FAILURE, listed
    /// first).
    fn content_differs(&mut self) {
        self.checks.insert(
            0,
            Check {
                name: "content",
                outcome: Outcome::Failed,
                detail: CONTENT_DIFFERS.into(),
            },
        );
        self.indication = Indication::TotalFailed;
        self.sub_indication = Some(SubIndication::HashFailure);
        self.reason = CONTENT_DIFFERS.to_owned();
    }
}

/// The reason given when `--content` differs from an attached signature's content.
const CONTENT_DIFFERS: &str = "the content given with the signature differs from the content \
     the signature holds: the signature does not cover the given file";

/// Whether `given` has exactly the bytes of `inside` (a reader is compared as it is read).
fn same_content(inside: &[u8], given: Content<'_>) -> Result<bool, std::io::Error> {
    match given {
        Content::Bytes(bytes) => Ok(bytes == inside),
        Content::Reader(reader) => {
            let mut rest = inside;
            let mut buf = [0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buf)?;
                let Some(chunk) = buf.get(..n) else {
                    return Ok(false);
                };
                if n == 0 {
                    return Ok(rest.is_empty());
                }
                match rest.strip_prefix(chunk) {
                    Some(after) => rest = after,
                    None => return Ok(false),
                }
            }
        }
    }
}

/// The result of validating a certificate alone (`eds cert verify`).
#[derive(Debug, Clone, Serialize)]
pub struct CertificateReport {
    /// The main indication.
    pub indication: Indication,
    /// The sub-indication when not passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The reason in plain words.
    pub reason: String,
    /// The certificate.
    pub certificate: ChainEntry,
    /// Its holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<Holder>,
    /// The chain found.
    pub chain: Vec<ChainEntry>,
    /// The trusted center the chain ends at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_center: Option<String>,
    /// The validation time.
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// What that time rests on.
    pub time_basis: TimeBasis,
    /// Where the revocation status came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_source: Option<String>,
    /// Every check with its outcome.
    pub checks: Vec<Check>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// The verifier: options plus the caches that make a batch cheap (chains, parsed CRLs). `Sync`:
/// one verifier serves every thread of a batch.
pub struct Verifier {
    options: Options,
    revocation: RevocationChecker,
    paths: path::PathCache,
    /// Certificates and signing-certificate attributes embedded in signatures, decoded once.
    parsed: cms::ParseCache,
    /// What depends on the signing certificate alone, by its SHA-256 (bounded: [`MAX_LEAVES`],
    /// [`MAX_LEAF_BYTES`]).
    leaves: Bounded<[u8; 32], Arc<LeafFacts>>,
    /// Report entries of chain certificates, by SHA-256 (bounded like `leaves`).
    entries: Bounded<[u8; 32], ChainEntry>,
    rng: ring::rand::SystemRandom,
}

/// What a signing certificate says, whatever the signature: read once per certificate.
struct LeafFacts {
    entry: ChainEntry,
    holder: Result<Arc<Holder>, String>,
    /// `scope::warnings` of the holder.
    warnings: Vec<String>,
    signing_use: Result<(), scope::ScopeFailure>,
}

impl LeafFacts {
    fn of(leaf: &Cert) -> Self {
        let holder = Holder::from_der(leaf.der())
            .map(Arc::new)
            .map_err(|e| e.to_string());
        Self {
            entry: ChainEntry::of(leaf),
            warnings: holder.as_deref().map(scope::warnings).unwrap_or_default(),
            holder,
            signing_use: scope::check_signing_use(leaf),
        }
    }
}

/// Certificates kept before [`Verifier::leaf_facts`] or [`Verifier::chain_entry`] empties its
/// map and starts again.
const MAX_LEAVES: usize = 4096;
/// Bytes the kept facts (or entries) are counted at before the map is emptied: each at
/// [`LEAF_COST_FACTOR`] times its certificate's DER (names and texts read from it).
const MAX_LEAF_BYTES: usize = 16 << 20;
/// What a kept fact or report entry is counted at, per byte of its certificate's DER.
const LEAF_COST_FACTOR: usize = 2;

impl Verifier {
    /// A verifier with these options and revocation sources.
    pub fn new(options: Options, revocation: RevocationChecker) -> Self {
        Self {
            options,
            revocation,
            paths: path::PathCache::default(),
            parsed: cms::ParseCache::default(),
            leaves: Bounded::new(MAX_LEAVES, MAX_LEAF_BYTES),
            entries: Bounded::new(MAX_LEAVES, MAX_LEAF_BYTES),
            rng: ring::rand::SystemRandom::new(),
        }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Verifies every signature of a CMS document (DER, BER or PEM) at `now` (the clock),
    /// stopping when the options' [`Options::cancel`] is raised.
    pub fn verify_document(
        &self,
        input: &[u8],
        content: Option<Content<'_>>,
        now: OffsetDateTime,
    ) -> Result<DocumentReport, Error> {
        self.verify_document_with(input, content, now, &self.options.cancel)
    }

    /// [`Verifier::verify_document`] stopping when `cancel` is raised instead: one verifier
    /// serves many requests, each with its own flag (a server raises it when the request timed
    /// out, the client went away or the service is stopping). Once it is raised, each signature
    /// not yet judged (and a path search under way, between signature checks) ends
    /// INDETERMINATE / CERTIFICATE_CHAIN_GENERAL_FAILURE with the reason [`CANCELLED`]: never
    /// passed.
    pub fn verify_document_with(
        &self,
        input: &[u8],
        content: Option<Content<'_>>,
        now: OffsetDateTime,
        cancel: &Cancel,
    ) -> Result<DocumentReport, Error> {
        let (doc, attached) = match cms::parse_in_place(input, Some(&self.parsed)) {
            Ok(parsed) => parsed,
            Err(e) => {
                return Ok(DocumentReport {
                    indication: Indication::TotalFailed,
                    format_error: Some(e.to_string()),
                    detached: false,
                    signatures: Vec::new(),
                });
            }
        };
        let detached = doc.content.is_none() && attached.is_none();
        // Attached content is digested by the signer check itself; detached content once here
        // for every digest algorithm the signers use.
        // Content given beside an attached signature: the question is whether the signature
        // covers that file, so it is compared with the content inside, never ignored.
        let mut content_differs = false;
        let digests = match (detached, content) {
            (true, Some(Content::Bytes(bytes))) => Some(ContentDigests::of_bytes(&doc, bytes)),
            (true, Some(Content::Reader(reader))) => {
                Some(ContentDigests::of_reader(&doc, reader).map_err(Error::Content)?)
            }
            (false, Some(given)) => {
                let inside = attached.or(doc.content.as_deref()).unwrap_or_default();
                content_differs = !same_content(inside, given).map_err(Error::Content)?;
                None
            }
            _ => None,
        };
        let signatures: Vec<SignatureReport> = doc
            .signers
            .iter()
            .enumerate()
            .map(|(index, signer)| {
                let digest = digests.as_ref().and_then(|d| d.for_signer(signer));
                let mut report =
                    self.verify_signer(input, &doc, attached, index, signer, digest, now, cancel);
                if content_differs {
                    report.content_differs();
                }
                report
            })
            .collect();
        let indication = worst(signatures.iter().map(|s| s.indication));
        Ok(DocumentReport {
            indication: if signatures.is_empty() {
                Indication::TotalFailed
            } else {
                indication
            },
            format_error: signatures
                .is_empty()
                .then(|| "the signature has no SignerInfo".to_owned()),
            detached,
            signatures,
        })
    }

    /// `attached`: the content when [`cms::parse_in_place`] left it in the input.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private step with its inputs named"
    )]
    fn verify_signer(
        &self,
        input: &[u8],
        doc: &SignedDocument,
        attached: Option<&[u8]>,
        index: usize,
        signer: &cms::SignerInfoData,
        content_digest: Option<&[u8]>,
        now: OffsetDateTime,
        cancel: &Cancel,
    ) -> SignatureReport {
        // Room for every check a signature gets: growing the list cost more than the checks.
        let mut run = Run {
            checks: Vec::with_capacity(12),
            ..Run::default()
        };
        let claimed = signer.attributes.signing_time;
        let extra = &self.options.extra_certs;
        if cancel.is_cancelled() {
            // Not even the signature value is checked: the caller no longer waits.
            run.fail(
                "cancelled",
                SubIndication::CertificateChainGeneralFailure,
                CANCELLED,
            );
            let (indication, sub_indication, reason) = run.verdict();
            let (validation_time, time_basis) = match self.options.at {
                Some(at) => (at, TimeBasis::Given),
                None => (now, TimeBasis::Now),
            };
            return SignatureReport {
                index,
                indication,
                sub_indication,
                reason,
                signer: None,
                holder: None,
                chain: Vec::new(),
                trusted_center: None,
                validation_time,
                time_basis,
                claimed_signing_time: claimed,
                timestamp_time: None,
                revocation_source: None,
                proofs_of_existence: Vec::new(),
                revocation_data: Vec::new(),
                checks: run.checks,
                warnings: run.warnings,
            };
        }
        let check = match attached {
            // Checked exactly as if the document held it.
            Some(content) => cms::check_signer_with_content(doc, signer, content, extra),
            None => cms::check_signer(doc, signer, content_digest, extra),
        };
        let leaf = check.certificate.clone();
        let failure = check.failures.first();
        match failure {
            None => {
                run.pass("format", "the SignerInfo and its signed attributes decode");
                run.pass(
                    "signing_certificate",
                    "the signing certificate is in the signature and its ESS hash matches",
                );
                run.pass(
                    "message_digest",
                    "the content's digest matches messageDigest",
                );
                run.pass(
                    "signature",
                    "the signature value verifies with the certificate's key",
                );
            }
            Some(failure) => record_signer_failure(&mut run, failure),
        }

        // Proofs of existence from the signature timestamps (every one that verifies: one whose
        // TSA certificate has ended may be dropped below while another still holds).
        let mut proofs = Vec::new();
        if failure.is_none() {
            for token in &signer.timestamp_tokens {
                match self.verify_timestamp(token, signer, doc, now, cancel) {
                    Ok(proof) => proofs.push(proof),
                    Err(why) => run
                        .warnings
                        .push(format!("a signature timestamp was ignored: {why}")),
                }
            }
            // Archive timestamps (CAdES-LTA): each must cover the signature as it is.
            if signer
                .unsigned_types
                .contains(&ltv::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3)
            {
                self.check_archive_timestamps(
                    input,
                    doc,
                    attached,
                    signer,
                    now,
                    cancel,
                    &mut run,
                    &mut proofs,
                );
            }
        }
        proofs.sort_by_key(|p| p.time);
        let (proofs, unproven) = ltv::chain_of_proofs(proofs, self.options.at.unwrap_or(now));
        for u in &unproven {
            run.warnings.push(format!(
                "the {} of {} proves nothing at {}: its TSA certificate ({}) vouches for it only \
                 until {} (its end or revocation) and no later archive timestamp proves the \
                 token existed before (ETSI EN 319 102-1 §5.6.3); extend the signature to LTA \
                 (`eds extend --to LTA`) before the last timestamp's TSA certificate expires",
                u.proof.proven_by,
                rfc3339(u.proof.time),
                rfc3339(u.control),
                u.proof.tsa,
                rfc3339(u.proof.tsa_valid_until),
            ));
        }
        let timestamp_time = proofs
            .iter()
            .find(|p| p.proven_by == ltv::SIGNATURE_TIMESTAMP)
            .map(|p| p.time);
        if let Some(t) = timestamp_time {
            run.pass(
                "timestamp",
                format!("a signature timestamp proves existence at {}", rfc3339(t)),
            );
        }
        // Past signature validation (ETSI EN 319 102-1 §5.6): with a proof of existence the
        // certificates are judged at the earliest proven time, whatever the validation time
        // (`--at` or now) is; without one, at the validation time.
        let poe = proofs.first().map(|p| p.time);
        let (validation_time, time_basis) = match (poe, self.options.at) {
            (Some(t), _) => (t, TimeBasis::Timestamp),
            (None, Some(at)) => (at, TimeBasis::Given),
            (None, None) => (now, TimeBasis::Now),
        };
        // The time the signer is bound to: proven if we have it, else claimed.
        let signing_time = poe.or(claimed);

        let mut report = SignatureReport {
            index,
            indication: Indication::TotalPassed,
            sub_indication: None,
            reason: String::new(),
            signer: None,
            holder: None,
            chain: Vec::new(),
            trusted_center: None,
            validation_time,
            time_basis,
            claimed_signing_time: claimed,
            timestamp_time,
            revocation_source: None,
            proofs_of_existence: proofs,
            revocation_data: Vec::new(),
            checks: Vec::new(),
            warnings: Vec::new(),
        };
        if let Some(leaf) = &leaf {
            let facts = self.leaf_facts(leaf);
            report.signer = Some(facts.entry.clone());
            if failure.is_none() {
                let intermediates: Cow<'_, [Cert]> = if self.options.extra_certs.is_empty() {
                    Cow::Borrowed(&doc.certificates)
                } else {
                    let mut all = doc.certificates.clone();
                    all.extend(self.options.extra_certs.iter().cloned());
                    Cow::Owned(all)
                };
                let judged = self.judge_certificate(
                    leaf,
                    &intermediates,
                    Embedded {
                        crls: &doc.crls,
                        ocsp: &doc.ocsp_responses,
                    },
                    validation_time,
                    signing_time,
                    poe.is_some(),
                    now,
                    cancel,
                    &mut run,
                );
                report.chain = judged.chain;
                report.trusted_center = judged.center;
                report.revocation_source = judged.revocation_source;
                report.revocation_data = judged.revocation_data;
                match &facts.signing_use {
                    Ok(()) => run.pass(
                        "scope",
                        "the key usage and extended key usage allow signing documents",
                    ),
                    Err(e) => {
                        run.fail("scope", SubIndication::SigConstraintsFailure, e.to_string())
                    }
                }
            }
            match &facts.holder {
                Ok(holder) => {
                    run.warnings.extend(facts.warnings.iter().cloned());
                    if failure.is_none() && !self.options.expectations.is_empty() {
                        match scope::check_expectations(holder, &self.options.expectations) {
                            Ok(()) => run.pass(
                                "expectations",
                                "the signer is the person and role the caller expects",
                            ),
                            Err(e) => run.fail(
                                "expectations",
                                SubIndication::SigConstraintsFailure,
                                e.to_string(),
                            ),
                        }
                    }
                    report.holder = Some(holder.clone());
                }
                Err(e) => run.warnings.push(format!(
                    "the holder could not be read from the certificate: {e}"
                )),
            }
        }
        let (indication, sub, reason) = run.verdict();
        report.indication = indication;
        report.sub_indication = sub;
        report.reason = reason;
        report.checks = run.checks;
        report.warnings = run.warnings;
        report
    }

    /// The facts of a signing certificate, read once and kept.
    fn leaf_facts(&self, leaf: &Cert) -> Arc<LeafFacts> {
        if let Some(facts) = self.leaves.get(leaf.sha256()) {
            return facts;
        }
        let facts = Arc::new(LeafFacts::of(leaf));
        let cost = leaf.der().len().saturating_mul(LEAF_COST_FACTOR);
        self.leaves.insert(*leaf.sha256(), facts.clone(), cost);
        facts
    }

    /// [`ChainEntry::of`], made once per certificate and kept.
    fn chain_entry(&self, cert: &Cert) -> ChainEntry {
        if let Some(entry) = self.entries.get(cert.sha256()) {
            return entry;
        }
        let entry = ChainEntry::of(cert);
        let cost = cert.der().len().saturating_mul(LEAF_COST_FACTOR);
        self.entries.insert(*cert.sha256(), entry.clone(), cost);
        entry
    }

    /// Validates a certificate alone: path, validity, accreditation and revocation at `at`
    /// (or `now`), as `eds cert verify` does.
    pub fn verify_certificate(
        &self,
        leaf: &Cert,
        crls: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> CertificateReport {
        let mut run = Run::default();
        let (validation_time, time_basis) = match self.options.at {
            Some(at) => (at, TimeBasis::Given),
            None => (now, TimeBasis::Now),
        };
        let judged = self.judge_certificate(
            leaf,
            &self.options.extra_certs,
            Embedded { crls, ocsp: &[] },
            validation_time,
            Some(validation_time),
            false,
            now,
            &self.options.cancel,
            &mut run,
        );
        let holder = Holder::from_der(leaf.der()).ok();
        if let Some(h) = &holder {
            run.warnings.extend(scope::warnings(h));
        }
        let (indication, sub_indication, reason) = run.verdict();
        CertificateReport {
            indication,
            sub_indication,
            reason,
            certificate: ChainEntry::of(leaf),
            holder,
            chain: judged.chain,
            trusted_center: judged.center,
            validation_time,
            time_basis,
            revocation_source: judged.revocation_source,
            checks: run.checks,
            warnings: run.warnings,
        }
    }

    /// Chain, validity, accreditation and revocation of `leaf`, recorded into `run`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private step with its inputs named"
    )]
    fn judge_certificate(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        embedded: Embedded<'_>,
        at: OffsetDateTime,
        signing_time: Option<OffsetDateTime>,
        proven: bool,
        now: OffsetDateTime,
        cancel: &Cancel,
        run: &mut Run,
    ) -> Judged {
        let mut judged = Judged::default();
        if cancel.is_cancelled() {
            run.fail(
                "chain",
                SubIndication::CertificateChainGeneralFailure,
                CANCELLED,
            );
            return judged;
        }
        let options = PathOptions {
            at,
            max_signature_checks: self.options.max_signature_checks,
            required_eku: self.options.required_eku,
            policy: self.options.policy.clone(),
            cancel: cancel.clone(),
        };
        let validated =
            self.paths
                .validate_shared(leaf, intermediates, &self.options.trust, &options);
        let path = match validated {
            Ok(path) => {
                record_path_passed(run, &path, at);
                path
            }
            Err(failure) => {
                record_path_failure(run, &failure, signing_time, proven, at);
                if let Some(chain) = failure.chain() {
                    judged.chain = chain.iter().map(ChainEntry::of).collect();
                }
                return judged;
            }
        };
        judged.chain = path.chain.iter().map(|c| self.chain_entry(c)).collect();
        judged.center = Some(path.anchor.name.clone());

        // The signer's own claim binds it too: a claimed time outside the leaf's validity fails.
        if let Some(t) = signing_time {
            if t > leaf.not_after() {
                run.fail(
                    "validity",
                    SubIndication::Expired,
                    format!(
                        "the signing time {} lies after the certificate expired ({})",
                        rfc3339(t),
                        rfc3339(leaf.not_after())
                    ),
                );
            } else if t < leaf.not_before() {
                run.fail(
                    "validity",
                    SubIndication::NotYetValid,
                    format!(
                        "the signing time {} lies before the certificate became valid ({})",
                        rfc3339(t),
                        rfc3339(leaf.not_before())
                    ),
                );
            }
        }

        // Accreditation (art. 20-2) at a time that counts: the proven signing time when a
        // timestamp proves one, else the validation time. A claimed signingTime is the signer's
        // word: it binds the signer (a claimed time outside the accreditation fails too) but never
        // stands in for a proof, so setting it back cannot reach into an accreditation that has
        // ended.
        let first_time = if proven {
            signing_time.unwrap_or(at)
        } else {
            at
        };
        let claimed_time = signing_time.filter(|_| !proven);
        let outside = std::iter::once(first_time)
            .chain(claimed_time)
            .find(|t| !path.anchor.accredited_at(*t));
        match outside {
            None => {
                let name = &path.anchor.name;
                let mut text = String::with_capacity(128 + name.len());
                text.push_str(name);
                text.push_str(" is a trusted");
                text.push_str(if path.anchor.foreign {
                    " foreign (registered with the trusted third party)"
                } else {
                    " accredited"
                });
                text.push_str(" center at ");
                push_rfc3339(&mut text, first_time);
                if let Some(claimed) = claimed_time {
                    text.push_str(" and ");
                    push_rfc3339(&mut text, claimed);
                }
                run.pass("accreditation", text);
            }
            Some(t) => {
                let unproven = !proven && t == at && signing_time.is_some_and(|c| c != at);
                run.fail(
                    "accreditation",
                    SubIndication::ChainConstraintsFailure,
                    format!(
                        "{} was not accredited at {}{} (EDS law art. 20-2)",
                        path.anchor.name,
                        rfc3339(t),
                        if unproven {
                            ", the validation time: the claimed signing time proves nothing \
                             (a signature timestamp would)"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }

        // Revocation of every certificate below the anchor. A CRL signed by another key of its
        // issuer is accepted with a certificate at hand for that key (RFC 5280 §6.3.3 (f)).
        let pool: Vec<Cert> = intermediates.iter().chain(&path.chain).cloned().collect();
        let revocation_ctx = CheckContext {
            pool: &pool,
            trust: Some(&self.options.trust),
            anchor: Some(&path.anchor.cert),
            embedded_ocsp: embedded.ocsp,
        };
        let mut all_good = true;
        for (position, pair) in path.chain.windows(2).enumerate() {
            let (cert, issuer) = (&pair[0], &pair[1]);
            let result = self.revocation.check_in(
                &revocation_ctx,
                cert,
                issuer,
                at,
                now,
                embedded.crls,
                &self.rng,
            );
            // Named only in the messages of a certificate that is not good.
            let who = || {
                if position == 0 {
                    "the signing certificate".to_owned()
                } else {
                    format!("the CA certificate {}", cert.subject())
                }
            };
            // Described once: the summary and the per-certificate list say the same.
            let described = result.source.as_ref().map(describe);
            judged.revocation_data.push(RevocationUse {
                certificate: cert.subject_shared(),
                serial: cert.serial_shared(),
                status: match result.status {
                    RevocationStatus::Good => "good",
                    RevocationStatus::Revoked { .. } => "revoked",
                    RevocationStatus::Unknown => "unknown",
                    RevocationStatus::Unavailable => "unavailable",
                },
                source: described,
            });
            match result.status {
                RevocationStatus::Good => {}
                RevocationStatus::Revoked { time, reason } => {
                    all_good = false;
                    if position == 0 {
                        judged.leaf_revoked = Some((time, reason));
                    }
                    let who = who();
                    let reason = reason.map(|r| format!(" ({r})")).unwrap_or_default();
                    let no_poe = if position == 0 {
                        SubIndication::RevokedNoPoe
                    } else {
                        SubIndication::RevokedCaNoPoe
                    };
                    match signing_time {
                        Some(t) if time <= t => run.fail(
                            "revocation",
                            SubIndication::Revoked,
                            format!(
                                "{who} was revoked at {}{reason}, at or before the {} signing time {}",
                                rfc3339(time),
                                if proven { "proven" } else { "claimed" },
                                rfc3339(t)
                            ),
                        ),
                        Some(t) if proven => run.pass(
                            "revocation",
                            format!(
                                "{who} was revoked at {}{reason}, after the proven signing time {}",
                                rfc3339(time),
                                rfc3339(t)
                            ),
                        ),
                        _ if time <= at => run.fail(
                            "revocation",
                            no_poe,
                            format!(
                                "{who} was revoked at {}{reason} and nothing proves the signature existed before",
                                rfc3339(time)
                            ),
                        ),
                        _ => run.pass(
                            "revocation",
                            format!(
                                "{who} was revoked at {}{reason}, after the validation time {}",
                                rfc3339(time),
                                rfc3339(at)
                            ),
                        ),
                    }
                }
                RevocationStatus::Unknown => {
                    all_good = false;
                    let who = who();
                    run.fail(
                        "revocation",
                        SubIndication::CertificateChainGeneralFailure,
                        format!("the OCSP responder does not know {who}"),
                    );
                }
                RevocationStatus::Unavailable => {
                    all_good = false;
                    let who = who();
                    let notes = if result.notes.is_empty() {
                        "no CRL or OCSP source was available".to_owned()
                    } else {
                        result
                            .notes
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    run.fail(
                        "revocation",
                        SubIndication::TryLater,
                        format!(
                            "the revocation status of {who} is not known: {notes}; verify again \
                             when its CRL or OCSP source answers, or supply a current CRL or \
                             OCSP response"
                        ),
                    );
                }
            }
        }
        let mut sources = String::with_capacity(
            judged
                .revocation_data
                .iter()
                .filter_map(|u| u.source.as_deref())
                .map(|t| t.len() + 2)
                .sum(),
        );
        for text in judged
            .revocation_data
            .iter()
            .filter_map(|u| u.source.as_deref())
        {
            if !sources.is_empty() {
                sources.push_str("; ");
            }
            sources.push_str(text);
        }
        if all_good {
            let mut text = String::with_capacity(72 + sources.len());
            text.push_str("no certificate of the chain is revoked at ");
            push_rfc3339(&mut text, at);
            text.push_str(" (");
            text.push_str(&sources);
            text.push(')');
            run.pass("revocation", text);
        }
        judged.revocation_source = (!sources.is_empty()).then_some(sources);
        judged
    }

    /// Verifies a signature timestamp token over `signer`'s signature value and returns the
    /// proof it gives: the imprint, the TSA's signature, and the TSA certificate's chain,
    /// validity and revocation at genTime (with the revocation data of the token and of the
    /// signature, CAdES-LT).
    fn verify_timestamp(
        &self,
        token: &[u8],
        signer: &cms::SignerInfoData,
        outer: &SignedDocument,
        now: OffsetDateTime,
        cancel: &Cancel,
    ) -> Result<ProofOfExistence, String> {
        let token = cms::read_timestamp_token_cached(token, Some(&self.parsed))
            .map_err(|e| e.to_string())?;
        token
            .check_signature_imprint(signer)
            .map_err(|e| e.to_string())?;
        self.verify_token(&token, outer, ltv::SIGNATURE_TIMESTAMP, now, cancel)
            .map_err(|f| match f {
                TokenFailure::Signature(d) | TokenFailure::Tsa(d) => d,
            })
    }

    /// The token's signature, and its TSA certificate: for timestamping alone (RFC 3161 §2.3),
    /// with a chain, valid and not revoked at genTime.
    fn verify_token(
        &self,
        token: &cms::TimestampToken,
        outer: &SignedDocument,
        proven_by: &'static str,
        now: OffsetDateTime,
        cancel: &Cancel,
    ) -> Result<ProofOfExistence, TokenFailure> {
        let doc = &token.document;
        let tsa_signer = token
            .tsa_signer()
            .ok_or_else(|| TokenFailure::Signature("the token has no signer".to_owned()))?;
        let check = cms::check_signer(doc, tsa_signer, None, &self.options.extra_certs);
        if let Some(f) = check.failures.first() {
            return Err(TokenFailure::Signature(format!(
                "the token's signature: {f}"
            )));
        }
        let tsa = check.certificate.ok_or_else(|| {
            TokenFailure::Signature("the token names no TSA certificate".to_owned())
        })?;
        tsa_purpose(&tsa).map_err(TokenFailure::Tsa)?;
        let mut run = Run::default();
        // A token usually carries only the TSA's own certificate: its issuer comes from the
        // signature the token stamps, or from the caller.
        let mut intermediates = doc.certificates.clone();
        intermediates.extend(outer.certificates.iter().cloned());
        intermediates.extend(self.options.extra_certs.iter().cloned());
        let crls: Cow<'_, [Vec<u8>]> = if outer.crls.is_empty() {
            Cow::Borrowed(&doc.crls)
        } else if doc.crls.is_empty() {
            // A token usually carries none: the signature's, borrowed.
            Cow::Borrowed(&outer.crls)
        } else {
            Cow::Owned(doc.crls.iter().chain(&outer.crls).cloned().collect())
        };
        let judged = self.judge_certificate(
            &tsa,
            &intermediates,
            Embedded {
                crls: &crls,
                ocsp: &outer.ocsp_responses,
            },
            token.gen_time,
            Some(token.gen_time),
            false,
            now,
            cancel,
            &mut run,
        );
        let (indication, _, reason) = run.verdict();
        if indication != Indication::TotalPassed {
            return Err(TokenFailure::Tsa(format!("the TSA certificate: {reason}")));
        }
        // A TSA certificate revoked after the token (RFC 3161 §4): for a reason that is not a
        // compromise, the tokens made before stay valid; for a compromise (or any other
        // reason), none is trusted from the revocation on; without a reason code, none at all.
        let tsa_valid_until = match judged.leaf_revoked {
            None
            | Some((
                _,
                Some(
                    Reason::Unspecified
                    | Reason::AffiliationChanged
                    | Reason::Superseded
                    | Reason::CessationOfOperation,
                ),
            )) => tsa.not_after(),
            Some((time, None)) => {
                return Err(TokenFailure::Tsa(format!(
                    "the TSA certificate was revoked at {} without a reason code, which makes \
                     every token of its key invalid (RFC 3161 §4)",
                    rfc3339(time)
                )));
            }
            Some((time, Some(_))) => time.min(tsa.not_after()),
        };
        // The TSA's word lasts no longer than its issuers' certificates (the trust anchor's
        // own validity aside, RFC 5280 §6.1.1 (d)): `judged.chain` is leaf first, anchor last.
        let tsa_valid_until = judged
            .chain
            .iter()
            .take(judged.chain.len().saturating_sub(1))
            .map(|c| c.not_after)
            .fold(tsa_valid_until, OffsetDateTime::min);
        Ok(ProofOfExistence {
            time: token.gen_time,
            proven_by,
            tsa: tsa.subject(),
            serial: hex::encode_upper(&token.serial),
            tsa_valid_until,
        })
    }

    /// Checks every archive timestamp of `signer` (CAdES-LTA, ETSI EN 319 122-1 §5.5.3) into
    /// `run`, adding the proof of each that verifies.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private step with its inputs named"
    )]
    fn check_archive_timestamps(
        &self,
        input: &[u8],
        doc: &SignedDocument,
        attached: Option<&[u8]>,
        signer: &cms::SignerInfoData,
        now: OffsetDateTime,
        cancel: &Cancel,
        run: &mut Run,
        proofs: &mut Vec<ProofOfExistence>,
    ) {
        const CHECK: &str = "archive_timestamp";
        let content = attached.or(doc.content.as_deref());
        // The certificates' and embedded CRLs' SHA-256s were taken when they were read.
        let known = |element: &[u8]| {
            doc.certificates
                .iter()
                .find(|c| c.der() == element)
                .map(|c| *c.sha256())
                .or_else(|| self.revocation.embedded_sha256(element))
        };
        let tokens = match ltv::archive_tokens_cached(
            input,
            signer,
            content,
            Some(&self.parsed),
            Some(&known),
        ) {
            Ok(tokens) => tokens,
            Err(e) => {
                run.fail(
                    CHECK,
                    SubIndication::FormatFailure,
                    format!("the archive timestamps cannot be read: {e}"),
                );
                return;
            }
        };
        for (i, archive) in tokens.iter().enumerate() {
            let n = i + 1;
            let data = match &archive.stamped {
                Ok(data) => data,
                Err(ltv::ArchiveProblem::Changed(why)) => {
                    run.fail(
                        CHECK,
                        SubIndication::HashFailure,
                        format!("archive timestamp {n}: {why}"),
                    );
                    continue;
                }
                Err(ltv::ArchiveProblem::ContentUnavailable(why)) => {
                    run.fail(
                        CHECK,
                        SubIndication::SignedDataNotFound,
                        format!("archive timestamp {n}: {why}"),
                    );
                    continue;
                }
            };
            let token = match &archive.read {
                Ok(token) => token,
                Err(e) => {
                    run.fail(
                        CHECK,
                        SubIndication::FormatFailure,
                        format!("archive timestamp {n} is not a timestamp token: {e}"),
                    );
                    continue;
                }
            };
            if let Err(e) = token.check_imprint(data) {
                run.fail(
                    CHECK,
                    SubIndication::HashFailure,
                    format!(
                        "archive timestamp {n} does not stamp the signature as it is ({e}): \
                         the signature, its content or the data the timestamp covers changed"
                    ),
                );
                continue;
            }
            match self.verify_token(token, doc, ltv::ARCHIVE_TIMESTAMP, now, cancel) {
                Ok(proof) => {
                    run.pass(
                        CHECK,
                        format!(
                            "archive timestamp {n} covers the signature and its validation data \
                             at {} ({})",
                            rfc3339(proof.time),
                            proof.tsa
                        ),
                    );
                    proofs.push(proof);
                }
                Err(TokenFailure::Signature(d)) => run.fail(
                    CHECK,
                    SubIndication::SigCryptoFailure,
                    format!("archive timestamp {n}: {d}"),
                ),
                Err(TokenFailure::Tsa(d)) => run.fail(
                    CHECK,
                    SubIndication::CertificateChainGeneralFailure,
                    format!("archive timestamp {n}: {d}"),
                ),
            }
        }
    }
}

/// Why a timestamp token gives no proof.
enum TokenFailure {
    /// The token's own signature does not verify or names no certificate.
    Signature(String),
    /// The TSA certificate is not for timestamping, has no valid chain or is revoked.
    Tsa(String),
}

/// id-kp-timeStamping (RFC 3161 §2.3).
const TIME_STAMPING: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// extKeyUsage (RFC 5280 §4.2.1.12).
const EXT_KEY_USAGE: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("2.5.29.37");

/// RFC 3161 §2.3: a TSA's certificate lists id-kp-timeStamping as its only extended key usage,
/// in a critical extension. Without this any certificate holder under a trusted center could
/// stamp any time, and a stamped time moves the revocation and validity checks.
fn tsa_purpose(tsa: &Cert) -> Result<(), String> {
    let fault = |what: &str| {
        format!(
            "the TSA certificate {what} (RFC 3161 §2.3: id-kp-timeStamping alone, in a critical \
             extended key usage)"
        )
    };
    let Some((critical, _)) = tsa.extension(EXT_KEY_USAGE) else {
        return Err(fault("has no extended key usage"));
    };
    let listed = tsa
        .extended_key_usage()
        .map_err(|e| {
            fault(&format!(
                "has an extended key usage that does not decode: {e}"
            ))
        })?
        .unwrap_or_default();
    if listed.as_slice() != [TIME_STAMPING] {
        return Err(fault("is not for timestamping only"));
    }
    if !critical {
        return Err(fault("has its extended key usage not marked critical"));
    }
    Ok(())
}

#[derive(Default)]
struct Judged {
    chain: Vec<ChainEntry>,
    center: Option<String>,
    revocation_source: Option<String>,
    revocation_data: Vec<RevocationUse>,
    /// When the judged certificate itself is revoked, the revocation time and reason
    /// (whatever the verdict: a revocation after the proven time passes the certificate).
    leaf_revoked: Option<(OffsetDateTime, Option<Reason>)>,
}

/// Revocation data carried by the signature (CAdES-LT): CRLs and OCSP responses, DER.
#[derive(Clone, Copy)]
struct Embedded<'a> {
    crls: &'a [Vec<u8>],
    ocsp: &'a [Vec<u8>],
}

/// Checks and warnings collected while verifying one signature.
#[derive(Default)]
struct Run {
    checks: Vec<Check>,
    warnings: Vec<String>,
    failures: Vec<(SubIndication, String)>,
}

impl Run {
    fn pass(&mut self, name: &'static str, detail: impl Into<Cow<'static, str>>) {
        self.checks.push(Check {
            name,
            outcome: Outcome::Passed,
            detail: detail.into(),
        });
    }

    fn fail(
        &mut self,
        name: &'static str,
        sub: SubIndication,
        detail: impl Into<Cow<'static, str>>,
    ) {
        let detail: Cow<'static, str> = detail.into();
        let outcome = match sub.indication() {
            Indication::TotalFailed => Outcome::Failed,
            _ => Outcome::Indeterminate,
        };
        self.checks.push(Check {
            name,
            outcome,
            detail: detail.clone(),
        });
        self.failures.push((sub, detail.into_owned()));
    }

    fn skip(&mut self, name: &'static str, detail: impl Into<Cow<'static, str>>) {
        self.checks.push(Check {
            name,
            outcome: Outcome::Skipped,
            detail: detail.into(),
        });
    }

    /// The first TOTAL_FAILED in check order, else the first INDETERMINATE, else passed.
    fn verdict(&self) -> (Indication, Option<SubIndication>, String) {
        let first = |ind: Indication| {
            self.failures
                .iter()
                .find(|(sub, _)| sub.indication() == ind)
        };
        match first(Indication::TotalFailed).or_else(|| first(Indication::Indeterminate)) {
            Some((sub, detail)) => (sub.indication(), Some(*sub), detail.clone()),
            None => (
                Indication::TotalPassed,
                None,
                "every check passed".to_owned(),
            ),
        }
    }
}

fn record_signer_failure(run: &mut Run, failure: &SignerFailure) {
    use crate::crypto::CryptoError;
    let detail = failure.to_string();
    let skip_rest = |run: &mut Run, from: usize| {
        let names = [
            "format",
            "signing_certificate",
            "message_digest",
            "signature",
        ];
        for name in names.iter().skip(from) {
            run.skip(name, "not checked: an earlier check failed");
        }
    };
    match failure {
        SignerFailure::FormatFailure { .. }
        | SignerFailure::MissingAttribute { .. }
        | SignerFailure::ContentTypeMismatch => {
            run.fail("format", SubIndication::FormatFailure, detail);
            skip_rest(run, 1);
        }
        SignerFailure::NoSigningCertificate | SignerFailure::SigningCertificateHashMismatch => {
            run.pass("format", "the SignerInfo and its signed attributes decode");
            run.fail(
                "signing_certificate",
                SubIndication::NoSigningCertificateFound,
                detail,
            );
            skip_rest(run, 2);
        }
        SignerFailure::ContentMissing => {
            run.pass("format", "the SignerInfo and its signed attributes decode");
            run.pass(
                "signing_certificate",
                "the signing certificate is in the signature",
            );
            run.fail("message_digest", SubIndication::SignedDataNotFound, detail);
            skip_rest(run, 3);
        }
        SignerFailure::HashFailure => {
            run.pass("format", "the SignerInfo and its signed attributes decode");
            run.pass(
                "signing_certificate",
                "the signing certificate is in the signature",
            );
            run.fail("message_digest", SubIndication::HashFailure, detail);
            skip_rest(run, 3);
        }
        SignerFailure::SignatureInvalid => {
            run.pass("format", "the SignerInfo and its signed attributes decode");
            run.pass(
                "signing_certificate",
                "the signing certificate is in the signature",
            );
            run.pass(
                "message_digest",
                "the content's digest matches messageDigest",
            );
            run.fail("signature", SubIndication::SigCryptoFailure, detail);
        }
        SignerFailure::Crypto(e) => {
            run.pass("format", "the SignerInfo and its signed attributes decode");
            run.pass(
                "signing_certificate",
                "the signing certificate is in the signature",
            );
            let sub = match e {
                CryptoError::Unsupported { .. } | CryptoError::Disallowed { .. } => {
                    SubIndication::CryptoConstraintsFailure
                }
                _ => SubIndication::SigCryptoFailure,
            };
            run.fail("signature", sub, detail);
        }
    }
}

/// The chain and validity checks of a path that validated. The sentences are pushed piece by
/// piece into strings of the right size: a cached verification writes a dozen, and the
/// formatting machinery cost more than the rest of its report.
fn record_path_passed(run: &mut Run, path: &path::ValidPath, at: OffsetDateTime) {
    let name = &path.anchor.name;
    let mut chain = String::with_capacity(64 + name.len());
    chain.push_str("a chain of ");
    push_decimal(&mut chain, path.chain.len());
    chain.push_str(" certificates leads to the trusted center ");
    chain.push_str(name);
    run.pass("chain", chain);
    let mut validity = String::with_capacity(64);
    validity.push_str("every certificate of the chain is valid at ");
    push_rfc3339(&mut validity, at);
    run.pass("validity", validity);
}

fn record_path_failure(
    run: &mut Run,
    failure: &PathFailure,
    signing_time: Option<OffsetDateTime>,
    proven: bool,
    at: OffsetDateTime,
) {
    let detail = failure.to_string();
    match failure {
        PathFailure::Expired {
            not_after, index, ..
        } => {
            run.pass("chain", "a chain to a trusted center exists");
            let expired_at_signing = signing_time.is_some_and(|t| t > *not_after);
            if expired_at_signing && *index == 0 {
                run.fail(
                    "validity",
                    SubIndication::Expired,
                    format!(
                        "the signing certificate expired at {}, before the {} signing time",
                        rfc3339(*not_after),
                        if proven { "proven" } else { "claimed" }
                    ),
                );
            } else {
                run.fail(
                    "validity",
                    SubIndication::OutOfBoundsNoPoe,
                    format!(
                        "{detail}; at {} it is outside its validity and nothing proves the signature existed while it was valid",
                        rfc3339(at)
                    ),
                );
            }
        }
        PathFailure::NotYetValid { .. } => {
            run.pass("chain", "a chain to a trusted center exists");
            run.fail("validity", SubIndication::NotYetValid, detail);
        }
        other => {
            run.fail("chain", other.sub_indication(), detail);
        }
    }
    for name in ["accreditation", "revocation"] {
        run.skip(name, "not checked: no valid chain");
    }
}

/// The worst of several indications.
pub fn worst(indications: impl Iterator<Item = Indication>) -> Indication {
    indications.fold(Indication::TotalPassed, |acc, i| match (acc, i) {
        (Indication::TotalFailed, _) | (_, Indication::TotalFailed) => Indication::TotalFailed,
        (Indication::Indeterminate, _) | (_, Indication::Indeterminate) => {
            Indication::Indeterminate
        }
        _ => Indication::TotalPassed,
    })
}

fn describe(source: &Source) -> String {
    match source {
        Source::Crl {
            origin,
            issuer,
            this_update,
            next_update,
            ..
        } => {
            // Pieces pushed, not formatted: two of these a report.
            let origin_len = match origin {
                CrlOrigin::Supplied(label) | CrlOrigin::Url(label) => 4 + label.len(),
                CrlOrigin::Embedded => 32,
            };
            let mut out = String::with_capacity(80 + origin_len + issuer.len());
            out.push_str("CRL (");
            push_origin(&mut out, origin);
            out.push_str(") of ");
            out.push_str(issuer);
            out.push_str(", thisUpdate ");
            push_rfc3339(&mut out, *this_update);
            if let Some(next) = next_update {
                out.push_str(", nextUpdate ");
                push_rfc3339(&mut out, *next);
            }
            out
        }
        Source::Ocsp {
            url,
            produced_at,
            nonce_checked,
            ..
        } => format!(
            "OCSP {url}, producedAt {}{}",
            rfc3339(*produced_at),
            if *nonce_checked { ", nonce echoed" } else { "" }
        ),
    }
}

/// `origin`'s `Display` text written at the end of `out` (without the formatting machinery).
fn push_origin(out: &mut String, origin: &CrlOrigin) {
    match origin {
        CrlOrigin::Supplied(label) => {
            out.push_str("CRL ");
            out.push_str(label);
        }
        CrlOrigin::Embedded => out.push_str("CRL embedded in the signature"),
        CrlOrigin::Url(url) => {
            out.push_str("CRL ");
            out.push_str(url);
        }
    }
}

/// `n` in decimal at the end of `out`.
fn push_decimal(out: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    let digit = u8::try_from(n % 10).unwrap_or(0);
    out.push(char::from(b'0' + digit));
}

fn rfc3339(t: OffsetDateTime) -> String {
    let mut out = String::with_capacity(20);
    push_rfc3339(&mut out, t);
    out
}

/// [`rfc3339`] written at the end of `out` (no string of its own).
fn push_rfc3339(out: &mut String, t: OffsetDateTime) {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    // The common case written directly: a report has a dozen times, and `time`'s formatter
    // costs more than the rest of the text. Its output is the same (a unit test compares).
    // The calendar date and the time of day computed once each (every accessor of `time`
    // computes the date again).
    let (year, month, day) = t.to_calendar_date();
    let (hour, minute, second) = t.to_hms();
    if t.offset().is_utc()
        && let Ok(year) = u16::try_from(year)
        && year <= 9999
    {
        // Written into a fixed buffer, then appended at once: `YYYY-MM-DDTHH:MM:SSZ`.
        let mut text = *b"0000-00-00T00:00:00Z";
        // Below 100 both: the year is at most 9999.
        let [high, low] = [year / 100, year % 100].map(|n| u8::try_from(n).unwrap_or(0));
        let fields = [high, low, u8::from(month), day, hour, minute, second];
        // Where each two-digit field starts.
        const AT: [usize; 7] = [0, 2, 5, 8, 11, 14, 17];
        for (n, at) in fields.into_iter().zip(AT) {
            if let Some([tens, ones]) = text
                .get_mut(at..at + 2)
                .and_then(|d| <&mut [u8; 2]>::try_from(d).ok())
            {
                *tens = b'0' + n / 10 % 10;
                *ones = b'0' + n % 10;
            }
        }
        // Only ASCII digits and separators were written.
        if let Ok(text) = std::str::from_utf8(&text) {
            out.push_str(text);
            return;
        }
    }
    match t.format(&time::format_description::well_known::Rfc3339) {
        Ok(text) => out.push_str(&text),
        // Writing into a String cannot fail.
        Err(_) => {
            let _ = write!(out, "{t}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use time::{Duration, UtcOffset};

    use super::*;

    /// A certificate with the given extended key usage extension (OIDs, criticality), or none.
    fn with_eku(eku: Option<(&[&[u64]], bool)>) -> Cert {
        let mut params = rcgen::CertificateParams::new(vec![]).unwrap();
        if let Some((oids, critical)) = eku {
            let list: Vec<der::asn1::ObjectIdentifier> = oids
                .iter()
                .map(|arcs| {
                    let dotted: Vec<String> = arcs.iter().map(u64::to_string).collect();
                    dotted.join(".").parse().unwrap()
                })
                .collect();
            let value = der::Encode::to_der(&list).unwrap();
            let mut ext = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 37], value);
            ext.set_criticality(critical);
            params.custom_extensions.push(ext);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        Cert::from_der(params.self_signed(&key).unwrap().der()).unwrap()
    }

    #[test]
    fn ok_tsa_certificate_for_timestamping_only_critical() {
        let ts: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 8];
        assert_eq!(tsa_purpose(&with_eku(Some((&[ts], true)))), Ok(()));
    }

    #[test]
    fn fail_tsa_certificate_without_the_timestamping_purpose_alone_and_critical() {
        let ts: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 8];
        let email: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 4];
        for (cert, why) in [
            (with_eku(None), "has no extended key usage"),
            (
                with_eku(Some((&[email], true))),
                "is not for timestamping only",
            ),
            (
                with_eku(Some((&[ts, email], true))),
                "is not for timestamping only",
            ),
            (
                with_eku(Some((&[ts], false))),
                "has its extended key usage not marked critical",
            ),
        ] {
            let err = tsa_purpose(&cert).unwrap_err();
            assert!(
                err.starts_with(&format!("the TSA certificate {why}")),
                "{err}"
            );
        }
    }

    /// A CRL source reads as it did when it was one `format!`.
    #[test]
    fn describe_a_crl_source() {
        use crate::revocation::CrlOrigin;
        let this_update = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        for origin in [
            CrlOrigin::Supplied("issuing".into()),
            CrlOrigin::Embedded,
            CrlOrigin::Url("http://crl.example/ca.crl".into()),
        ] {
            for next_update in [None, Some(this_update + Duration::days(7))] {
                let source = Source::Crl {
                    origin: origin.clone(),
                    issuer: "CN=Test Issuing CA,C=KZ".into(),
                    number: Some("0A".into()),
                    this_update,
                    next_update,
                };
                let old = format!(
                    "CRL ({origin}) of CN=Test Issuing CA,C=KZ, thisUpdate {}{}",
                    rfc3339(this_update),
                    next_update
                        .map(|t| format!(", nextUpdate {}", rfc3339(t)))
                        .unwrap_or_default()
                );
                assert_eq!(describe(&source), old);
            }
        }
    }

    /// The pushed texts are what the formatting machinery writes.
    #[test]
    fn pushed_origin_and_decimal_are_display() {
        for origin in [
            CrlOrigin::Supplied("ca.crl".into()),
            CrlOrigin::Embedded,
            CrlOrigin::Url("http://crl.example/ca.crl".into()),
        ] {
            let mut out = String::from("x");
            push_origin(&mut out, &origin);
            assert_eq!(out, format!("x{origin}"));
        }
        for n in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            let mut out = String::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }

    /// The hand-written UTC case gives `time`'s RFC 3339 text exactly.
    #[test]
    fn rfc3339_is_times_format() {
        let format = |t: OffsetDateTime| {
            let t = t.replace_nanosecond(0).unwrap();
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| t.to_string())
        };
        let mut t = OffsetDateTime::from_unix_timestamp(-62_167_219_200).unwrap(); // 0000-01-01
        let end = OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap(); // 9999-12-31
        let step =
            Duration::seconds(86_400 * 97 + 3_600 * 7 + 60 * 13 + 17) + Duration::nanoseconds(7);
        while let Some(next) = t.checked_add(step).filter(|n| *n <= end) {
            assert_eq!(rfc3339(t), format(t));
            t = next;
        }
        let before_year_0 = OffsetDateTime::from_unix_timestamp(-62_167_219_201).unwrap();
        for t in [end, before_year_0] {
            assert_eq!(rfc3339(t), format(t));
        }
        let almaty = UtcOffset::from_hms(5, 0, 0).unwrap();
        let local = OffsetDateTime::from_unix_timestamp(1_764_000_000)
            .unwrap()
            .to_offset(almaty);
        assert_eq!(rfc3339(local), format(local));
        assert!(rfc3339(local).ends_with("+05:00"));
    }
}
