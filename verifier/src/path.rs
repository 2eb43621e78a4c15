//! Certificate path building and validation (RFC 5280 §6) from a leaf through supplied
//! intermediates to a center of the [`TrustList`], at a time and under a work budget the caller
//! passes in.
//!
//! `rustls-webpki` builds the path and checks signatures, validity, basic constraints, path length
//! and name constraints, trying every candidate issuer. Added here:
//!
//! - the key usage of every issuing certificate, the trust anchor's included: when present it must
//!   allow keyCertSign (RFC 5280 §4.2.1.3) — webpki ignores key usage;
//! - the trust anchor's own validity period (webpki treats an anchor as a bare name and key; OpenSSL
//!   and the national center's practice check it);
//! - certificate policies, when [`PathOptions::required_policies`] asks for them: every certificate
//!   below the anchor must assert one of them or anyPolicy (a simplification of §6.1.3(d): no policy
//!   mapping, no inhibit flags);
//! - the extended key usage of the leaf only when [`PathOptions::required_eku`] asks (`eds cert
//!   verify --eku`); otherwise no EKU is required anywhere, so document-signing certificates
//!   (emailProtection, the national role OIDs) are not rejected for lacking a TLS purpose — the
//!   engine's scope check judges the leaf's usage;
//! - a signature budget the caller sets ([`PathOptions::max_signature_checks`], counted across all
//!   candidate paths; webpki's own ceiling of 100 applies too);
//! - a precise failure: when webpki rejects every path, each candidate chain (found by names) is
//!   checked step by step to say which certificate fails which rule, and the most specific failure
//!   over all candidates is reported ([`PathFailure::rank`]);
//! - for a chain whose only fault is a certificate outside its validity at the time asked, the
//!   failure ([`PathFailure::Expired`], [`PathFailure::NotYetValid`]) carries that chain, confirmed
//!   valid by webpki at a time inside every certificate's validity;
//! - a cache ([`PathCache`]) so a batch signed by one leaf validates its chain once.
//!
//! # Failures and ETSI EN 319 102-1 sub-indications
//!
//! [`PathFailure::sub_indication`] gives the mapping:
//!
//! | failure | sub-indication |
//! |---|---|
//! | `NoChain` (no issuer found, unknown root, too long) | NO_CERTIFICATE_CHAIN_FOUND |
//! | `NotCa`, `LeafIsCa`, `PathLenExceeded`, `CaKeyUsage`, `NameConstraints`, `PolicyMissing`, `RequiredEkuMissing` | CHAIN_CONSTRAINTS_FAILURE |
//! | `BadSignature` (on a certificate), `UnknownCriticalExtension`, `Malformed` | CERTIFICATE_CHAIN_GENERAL_FAILURE |
//! | `UnsupportedAlgorithm` (GOST, SHA-1, small RSA keys) | CRYPTO_CONSTRAINTS_FAILURE |
//! | `Expired` / `NotYetValid` | EXPIRED / NOT_YET_VALID — or OUT_OF_BOUNDS_NO_POE, which the engine decides from what the validation time rests on |
//! | `BudgetExceeded` | CERTIFICATE_CHAIN_GENERAL_FAILURE |
//!
//! Certificate indices count along the chain: 0 is the leaf, the last is the trust anchor's
//! certificate.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use der::asn1::ObjectIdentifier;
use der::{Decode, Header, Reader, SliceReader};
use rustls_pki_types::{
    CertificateDer, InvalidSignature, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use time::OffsetDateTime;
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, VerifiedPath};

use crate::cancel::Cancel;
use crate::cert::Cert;
use crate::crypto::{self, CryptoError};
use crate::trust::{TrustList, TrustedCenter};
use crate::verdict::SubIndication;

mod constraints;
pub(crate) mod names;
mod policy;

/// The default [`PathOptions::max_signature_checks`].
pub const DEFAULT_MAX_SIGNATURE_CHECKS: usize = 32;

/// The most intermediates a path may hold (webpki's limit).
pub const MAX_INTERMEDIATES: usize = 6;

/// The most candidate chains examined when explaining a failure.
const MAX_CANDIDATES: usize = 16;

/// `anyPolicy` (RFC 5280 §4.2.1.4).
const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

/// Extensions webpki understands; any other marked critical makes it reject the certificate.
const KNOWN_CRITICAL: [ObjectIdentifier; 6] = [
    ObjectIdentifier::new_unwrap("2.5.29.15"),
    ObjectIdentifier::new_unwrap("2.5.29.17"),
    ObjectIdentifier::new_unwrap("2.5.29.19"),
    ObjectIdentifier::new_unwrap("2.5.29.30"),
    ObjectIdentifier::new_unwrap("2.5.29.31"),
    ObjectIdentifier::new_unwrap("2.5.29.37"),
];

/// Certificate signature algorithms webpki verifies (ECDSA with SHA-256/384, Ed25519, RSA PKCS#1
/// v1.5 with SHA-256/384/512, RSA-PSS).
const WEBPKI_SIGNATURES: [ObjectIdentifier; 7] = [
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3"),
    ObjectIdentifier::new_unwrap("1.3.101.112"),
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11"),
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12"),
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13"),
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10"),
];

/// What a validation is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathOptions {
    /// The validation time: every certificate must be valid at it.
    pub at: OffsetDateTime,
    /// The most signature verifications, over all candidate paths and the explanation of a
    /// failure; past it the result is [`PathFailure::BudgetExceeded`].
    pub max_signature_checks: usize,
    /// An extended key usage the leaf must list (`eds cert verify --eku OID`); `None`: none
    /// required.
    pub required_eku: Option<ObjectIdentifier>,
    /// Policies of which every certificate below the anchor must assert one (or anyPolicy); empty:
    /// none required.
    pub required_policies: Vec<ObjectIdentifier>,
    /// The policy inputs of RFC 5280 §6.1.1 (c), (e), (f), (g).
    pub policy: PolicyOptions,
    /// Raised by the caller to stop the search (a timed-out request, a shutdown).
    pub cancel: Cancel,
}

/// The policy inputs of RFC 5280 §6.1.1. The default is the RFC's: any policy acceptable, no
/// explicit policy required, policy mapping and anyPolicy not inhibited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PolicyOptions {
    /// user-initial-policy-set (§6.1.1(c)); empty means {anyPolicy}.
    pub initial_policy_set: Vec<ObjectIdentifier>,
    /// initial-policy-mapping-inhibit (§6.1.1(e)).
    pub initial_policy_mapping_inhibit: bool,
    /// initial-explicit-policy (§6.1.1(f)).
    pub initial_explicit_policy: bool,
    /// initial-any-policy-inhibit (§6.1.1(g)).
    pub initial_any_policy_inhibit: bool,
}

impl PathOptions {
    /// Validation at `at` with the default budget and no EKU or policy requirement.
    pub fn at(at: OffsetDateTime) -> Self {
        Self {
            at,
            max_signature_checks: DEFAULT_MAX_SIGNATURE_CHECKS,
            required_eku: None,
            required_policies: Vec::new(),
            policy: PolicyOptions::default(),
            cancel: Cancel::default(),
        }
    }
}

/// A validated path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPath {
    /// The chain, leaf first, the trust anchor's certificate last.
    pub chain: Vec<Cert>,
    /// The trusted center the path ends at.
    pub anchor: TrustedCenter,
}

impl ValidPath {
    /// The leaf.
    pub fn leaf(&self) -> Option<&Cert> {
        self.chain.first()
    }

    /// The interval in which every certificate of the chain is valid: (latest notBefore, earliest
    /// notAfter).
    pub fn validity_window(&self) -> (OffsetDateTime, OffsetDateTime) {
        window(&self.chain)
    }

    /// Whether the anchor's center was accredited at `t` (EDS law art. 20-2).
    pub fn accredited_at(&self, t: OffsetDateTime) -> bool {
        self.anchor.accredited_at(t)
    }
}

/// Whether the center a path ends at was accredited at `t` (EDS law art. 20-2); the engine decides
/// which time (the signing time when it is proven, else the validation time).
pub fn is_accredited(path: &ValidPath, t: OffsetDateTime) -> bool {
    path.accredited_at(t)
}

/// Why no valid path was found. The mapping to ETSI sub-indications is in the module
/// documentation and [`PathFailure::sub_indication`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathFailure {
    /// No chain of names leads from the leaf to a trusted center (RFC 5280 §6.1: no issuer found,
    /// an unknown root, or longer than [`MAX_INTERMEDIATES`]).
    #[error("find a chain to a trusted center: {detail}")]
    NoChain {
        /// Which issuer was not found.
        detail: String,
    },
    /// An issuing certificate is not a CA: basic constraints absent or cA FALSE (RFC 5280
    /// §4.2.1.9, §6.1.4(k)).
    #[error(
        "validate the chain: certificate {index} ({subject}) issues certificates but is not a CA"
    )]
    NotCa {
        /// Its index in the chain.
        index: usize,
        /// Its subject.
        subject: String,
    },
    /// The leaf is a CA certificate (basic constraints cA TRUE), not an end entity.
    #[error("validate the chain: the leaf ({subject}) is a CA certificate, not an end entity")]
    LeafIsCa {
        /// Its subject.
        subject: String,
    },
    /// A CA's pathLenConstraint is smaller than the number of CAs below it (RFC 5280 §6.1.4(m)).
    #[error(
        "validate the chain: certificate {index} ({subject}) allows {path_len} CA(s) below it, the chain has more"
    )]
    PathLenExceeded {
        /// Its index in the chain.
        index: usize,
        /// Its subject.
        subject: String,
        /// Its pathLenConstraint.
        path_len: u8,
    },
    /// An issuing certificate's key usage lacks keyCertSign (RFC 5280 §4.2.1.3, §6.1.4(n)).
    #[error(
        "validate the chain: certificate {index} ({subject}) has a key usage without keyCertSign"
    )]
    CaKeyUsage {
        /// Its index in the chain.
        index: usize,
        /// Its subject.
        subject: String,
    },
    /// A name constraint of a CA excludes a name below it (RFC 5280 §4.2.1.10).
    #[error("validate the chain: name constraints violated: {detail}")]
    NameConstraints {
        /// webpki's message.
        detail: String,
    },
    /// A certificate asserts none of the required policies (RFC 5280 §4.2.1.4).
    #[error(
        "validate the chain: certificate {index} ({subject}) asserts none of the required policies"
    )]
    PolicyMissing {
        /// Its index in the chain.
        index: usize,
        /// Its subject.
        subject: String,
    },
    /// The leaf does not list the extended key usage the caller requires (RFC 5280 §4.2.1.12).
    #[error("validate the leaf: its extended key usage does not include {eku}")]
    RequiredEkuMissing {
        /// The required purpose, dotted.
        eku: String,
    },
    /// A certificate's signature does not verify with its issuer's key.
    #[error("verify the signature of certificate {index} ({subject}): {detail}")]
    BadSignature {
        /// The index of the certificate whose signature fails.
        index: usize,
        /// Its subject.
        subject: String,
        /// What failed.
        detail: String,
    },
    /// A certificate is signed with an algorithm not supported or not allowed (GOST R 34.10,
    /// SHA-1, RSA under 2048 bits).
    #[error(
        "verify the signature of certificate {index} ({subject}): algorithm {algorithm} is not supported"
    )]
    UnsupportedAlgorithm {
        /// The index of the certificate whose signature cannot be checked.
        index: usize,
        /// Its subject.
        subject: String,
        /// The algorithm's name or OID.
        algorithm: String,
    },
    /// A certificate of the chain had expired at the validation time; otherwise the chain is valid.
    #[error("validate the chain: certificate {index} expired at {not_after}")]
    Expired {
        /// The index of the first certificate (from the leaf) outside its validity.
        index: usize,
        /// Its notAfter.
        not_after: OffsetDateTime,
        /// The chain that validates inside every certificate's validity (leaf first).
        chain: Vec<Cert>,
    },
    /// A certificate of the chain was not yet valid at the validation time; otherwise the chain is
    /// valid.
    #[error("validate the chain: certificate {index} is not valid before {not_before}")]
    NotYetValid {
        /// The index of the first certificate (from the leaf) outside its validity.
        index: usize,
        /// Its notBefore.
        not_before: OffsetDateTime,
        /// The chain that validates inside every certificate's validity (leaf first).
        chain: Vec<Cert>,
    },
    /// The signature budget ran out before a path was found.
    #[error(
        "validate the chain: more than {limit} signature checks needed (raise the budget or supply fewer candidate certificates)"
    )]
    BudgetExceeded {
        /// The budget.
        limit: usize,
    },
    /// A certificate has a critical extension this validator does not process (RFC 5280 §4.2).
    #[error("validate the chain: certificate {index} has an unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// Its index in the chain.
        index: usize,
        /// The extension's OID, dotted.
        oid: String,
    },
    /// A certificate cannot be read by the path validator.
    #[error("read certificate {index} of the chain: {detail}")]
    Malformed {
        /// Its index in the chain.
        index: usize,
        /// What is wrong.
        detail: String,
    },
}

impl PathFailure {
    /// The ETSI EN 319 102-1 sub-indication for this failure. Expired and not-yet-valid map to
    /// EXPIRED and NOT_YET_VALID; the engine turns them into OUT_OF_BOUNDS_NO_POE when the
    /// validation time is not a proven signing time.
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            Self::NoChain { .. } => SubIndication::NoCertificateChainFound,
            Self::NotCa { .. }
            | Self::LeafIsCa { .. }
            | Self::PathLenExceeded { .. }
            | Self::CaKeyUsage { .. }
            | Self::NameConstraints { .. }
            | Self::PolicyMissing { .. }
            | Self::RequiredEkuMissing { .. } => SubIndication::ChainConstraintsFailure,
            Self::BadSignature { .. }
            | Self::UnknownCriticalExtension { .. }
            | Self::Malformed { .. }
            | Self::BudgetExceeded { .. } => SubIndication::CertificateChainGeneralFailure,
            Self::UnsupportedAlgorithm { .. } => SubIndication::CryptoConstraintsFailure,
            Self::Expired { .. } => SubIndication::Expired,
            Self::NotYetValid { .. } => SubIndication::NotYetValid,
        }
    }

    /// How specific the failure is, for choosing among candidate paths: a failure found later in
    /// the checks means the chain got further and is more likely the one meant (signatures, then
    /// critical extensions, basic constraints, path length, CA key usage, name constraints,
    /// policies, validity).
    pub fn rank(&self) -> u8 {
        match self {
            Self::NoChain { .. } => 0,
            Self::Malformed { .. } => 1,
            Self::BadSignature { .. } => 2,
            Self::UnsupportedAlgorithm { .. } => 3,
            Self::UnknownCriticalExtension { .. } => 4,
            Self::LeafIsCa { .. } => 5,
            Self::NotCa { .. } => 6,
            Self::PathLenExceeded { .. } => 7,
            Self::CaKeyUsage { .. } => 8,
            Self::NameConstraints { .. } => 9,
            Self::PolicyMissing { .. } => 10,
            Self::Expired { .. } | Self::NotYetValid { .. } => 11,
            Self::RequiredEkuMissing { .. } | Self::BudgetExceeded { .. } => 12,
        }
    }

    /// The chain a time failure carries.
    pub fn chain(&self) -> Option<&[Cert]> {
        match self {
            Self::Expired { chain, .. } | Self::NotYetValid { chain, .. } => Some(chain),
            _ => None,
        }
    }
}

/// Validates a path from `leaf` through any of `intermediates` (in any order; duplicates and the
/// leaf itself are ignored) to a center of `trust`, as `opts` says.
pub fn validate(
    leaf: &Cert,
    intermediates: &[Cert],
    trust: &TrustList,
    opts: &PathOptions,
) -> Result<ValidPath, PathFailure> {
    let mut seen = std::collections::HashSet::with_capacity(intermediates.len() + 1);
    seen.insert(*leaf.sha256());
    let inters: Vec<Cert> = intermediates
        .iter()
        .filter(|cert| seen.insert(*cert.sha256()))
        .cloned()
        .collect();
    let ctx = Ctx {
        leaf,
        inters,
        trust,
        opts,
        budget: Budget::new(opts.max_signature_checks),
    };
    ctx.run()
}

/// A cache of validated paths, keyed by the leaf, the supplied intermediates, the trust list and
/// the options' requirements. A hit needs the validation time inside the cached chain's validity
/// window (the only time-dependent part of path validation here), so it returns exactly what
/// [`validate`] would. Failures are not cached. Safe to share between threads.
#[derive(Debug)]
pub struct PathCache {
    entries: RwLock<HashMap<CacheKey, CacheEntry>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    leaf: [u8; 32],
    /// The intermediates' SHA-256s in the order given.
    intermediates: Vec<[u8; 32]>,
    trust: [u8; 32],
    required_eku: Option<ObjectIdentifier>,
    required_policies: Vec<ObjectIdentifier>,
}

#[derive(Debug, Clone)]
struct CacheEntry {
    path: ValidPath,
    from: OffsetDateTime,
    until: OffsetDateTime,
}

impl PathCache {
    /// A cache holding at most `capacity` paths (when full, it is emptied and refilled).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// [`validate`], answered from the cache when the same leaf, intermediates, trust list and
    /// requirements were validated before with a chain valid at `opts.at`.
    pub fn validate(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        trust: &TrustList,
        opts: &PathOptions,
    ) -> Result<ValidPath, PathFailure> {
        let key = cache_key(leaf, intermediates, trust, opts);
        if let Ok(entries) = self.entries.read()
            && let Some(entry) = entries.get(&key)
            && entry.from <= opts.at
            && opts.at <= entry.until
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(entry.path.clone());
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let result = validate(leaf, intermediates, trust, opts);
        if let Ok(path) = &result {
            let (from, until) = path.validity_window();
            if let Ok(mut entries) = self.entries.write() {
                if entries.len() >= self.capacity {
                    entries.clear();
                }
                entries.insert(
                    key,
                    CacheEntry {
                        path: path.clone(),
                        from,
                        until,
                    },
                );
            }
        }
        result
    }

    /// Validations answered from the cache.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Validations that ran [`validate`].
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// Paths held.
    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether no path is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for PathCache {
    fn default() -> Self {
        Self::new(4096)
    }
}

fn cache_key(
    leaf: &Cert,
    intermediates: &[Cert],
    trust: &TrustList,
    opts: &PathOptions,
) -> CacheKey {
    // The parts themselves, not a digest of them: hashing a few SHA-256s is cheaper than
    // another SHA-256 per verification.
    CacheKey {
        leaf: *leaf.sha256(),
        intermediates: intermediates.iter().map(|c| *c.sha256()).collect(),
        trust: *trust.id(),
        required_eku: opts.required_eku,
        required_policies: opts.required_policies.clone(),
    }
}

/// Signature verifications left; shared by every webpki run and the explanation of a failure.
#[derive(Debug)]
struct Budget {
    limit: usize,
    left: AtomicUsize,
    exhausted: AtomicBool,
}

impl Budget {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            left: AtomicUsize::new(limit),
            exhausted: AtomicBool::new(false),
        }
    }

    fn take(&self) -> bool {
        let taken = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        if !taken {
            self.exhausted.store(true, Ordering::Relaxed);
        }
        taken
    }

    fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }
}

/// A webpki signature algorithm that spends the budget before each verification and reports an
/// invalid signature once it is spent (the caller then sees [`Budget::exhausted`]).
#[derive(Debug)]
struct Counted<'b> {
    inner: &'static dyn SignatureVerificationAlgorithm,
    budget: &'b Budget,
}

impl SignatureVerificationAlgorithm for Counted<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        if !self.budget.take() {
            return Err(InvalidSignature);
        }
        self.inner.verify_signature(public_key, message, signature)
    }

    fn public_key_alg_id(&self) -> rustls_pki_types::AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> rustls_pki_types::AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }
}

/// Accepts any extended key usage (and none): path validation does not judge the leaf's purpose.
/// The EKU's encoding is still read through, so a malformed extension is reported.
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for id in iter {
            id?;
        }
        Ok(())
    }
}

struct Ctx<'a> {
    leaf: &'a Cert,
    inters: Vec<Cert>,
    trust: &'a TrustList,
    opts: &'a PathOptions,
    budget: Budget,
}

impl Ctx<'_> {
    fn run(&self) -> Result<ValidPath, PathFailure> {
        if let Some(eku) = &self.opts.required_eku {
            let listed = self
                .leaf
                .extended_key_usage()
                .map_err(|e| PathFailure::Malformed {
                    index: 0,
                    detail: e.to_string(),
                })?;
            if !listed.is_some_and(|l| l.contains(eku)) {
                return Err(PathFailure::RequiredEkuMissing {
                    eku: eku.to_string(),
                });
            }
        }
        let centers: Vec<usize> = (0..self.trust.len()).collect();
        let inters: Vec<&Cert> = self.inters.iter().collect();
        match self.webpki(&inters, self.trust.anchors(), &centers, self.opts.at) {
            Ok(path) => Ok(path),
            Err(_) if self.budget.exhausted() => Err(self.budget_exceeded()),
            Err(err) => self.diagnose(err),
        }
    }

    fn budget_exceeded(&self) -> PathFailure {
        PathFailure::BudgetExceeded {
            limit: self.budget.limit,
        }
    }

    /// One webpki path search over `inters` and `anchors` (whose centers are `centers`) at `at`,
    /// with the checks webpki lacks applied to each complete candidate.
    fn webpki(
        &self,
        inters: &[&Cert],
        anchors: &[TrustAnchor<'static>],
        centers: &[usize],
        at: OffsetDateTime,
    ) -> Result<ValidPath, webpki::Error> {
        let leaf_der = CertificateDer::from(self.leaf.der());
        let ee = EndEntityCert::try_from(&leaf_der)?;
        let inter_ders: Vec<CertificateDer<'_>> = inters
            .iter()
            .map(|c| CertificateDer::from(c.der()))
            .collect();
        let counted: Vec<Counted<'_>> = webpki::ALL_VERIFICATION_ALGS
            .iter()
            .map(|inner| Counted {
                inner: *inner,
                budget: &self.budget,
            })
            .collect();
        let algs: Vec<&dyn SignatureVerificationAlgorithm> = counted
            .iter()
            .map(|c| -> &dyn SignatureVerificationAlgorithm { c })
            .collect();
        let to_path = |p: &VerifiedPath<'_>| -> Option<ValidPath> {
            let position = anchors.iter().position(|a| std::ptr::eq(a, p.anchor()))?;
            let center = self.trust.centers().get(*centers.get(position)?)?;
            let mut chain = vec![self.leaf.clone()];
            for cert in p.intermediate_certificates() {
                let der = cert.der();
                let found = inters.iter().find(|c| c.der() == der.as_ref())?;
                chain.push((*found).clone());
            }
            chain.push(center.cert.clone());
            Some(ValidPath {
                chain,
                anchor: center.clone(),
            })
        };
        let extra = |p: &VerifiedPath<'_>| -> Result<(), webpki::Error> {
            let Some(path) = to_path(p) else {
                return Err(webpki::Error::UnknownIssuer);
            };
            match self.extra_checks(&path.chain, at) {
                Ok(()) => Ok(()),
                // The reason is found again by `diagnose`; this only rejects the candidate so the
                // search goes on.
                Err(_) => Err(webpki::Error::UnknownIssuer),
            }
        };
        let verified = ee.verify_for_usage(
            &algs,
            anchors,
            &inter_ders,
            unix_time(at),
            AnyEku,
            None,
            Some(&extra),
        )?;
        to_path(&verified).ok_or(webpki::Error::UnknownIssuer)
    }

    /// What webpki does not check: CA key usage (anchor included), required policies, the
    /// anchor's validity.
    fn extra_checks(&self, chain: &[Cert], at: OffsetDateTime) -> Result<(), PathFailure> {
        self.check_ca_key_usage(chain)?;
        self.check_policies(chain)?;
        let last = chain.len().saturating_sub(1);
        if let Some(f) = chain
            .get(last..)
            .and_then(|anchor| time_failure(anchor, at))
        {
            return Err(reindex(f, last, chain));
        }
        Ok(())
    }

    /// Every check on one candidate chain, in order; the first failure.
    fn check_chain(&self, chain: &[Cert]) -> Result<(), PathFailure> {
        let n = chain.len();
        // 1. Signatures, each certificate by the next one's key (the anchor's own not checked).
        for i in 0..n.saturating_sub(1) {
            self.check_signature(chain, i)?;
        }
        // 2. Critical extensions webpki does not process (the anchor is trusted as it is).
        for (index, cert) in chain.iter().enumerate().take(n.saturating_sub(1)) {
            if let Some(oid) = unknown_critical(cert) {
                return Err(PathFailure::UnknownCriticalExtension {
                    index,
                    oid: oid.to_string(),
                });
            }
        }
        // 3. The leaf is an end entity; 4. intermediates are CAs within their path lengths.
        let bc = |index: usize, cert: &Cert| {
            cert.basic_constraints()
                .map_err(|e| PathFailure::Malformed {
                    index,
                    detail: e.to_string(),
                })
        };
        if let Some(leaf) = chain.first()
            && let Some((true, _)) = bc(0, leaf)?
        {
            return Err(PathFailure::LeafIsCa {
                subject: leaf.subject(),
            });
        }
        for (index, cert) in chain.iter().enumerate().take(n.saturating_sub(1)).skip(1) {
            match bc(index, cert)? {
                // `index - 1` CAs stand between this one and the leaf (webpki counts them all,
                // self-issued ones included).
                Some((true, Some(path_len))) if index - 1 > usize::from(path_len) => {
                    return Err(PathFailure::PathLenExceeded {
                        index,
                        subject: cert.subject(),
                        path_len,
                    });
                }
                Some((true, _)) => {}
                _ => {
                    return Err(PathFailure::NotCa {
                        index,
                        subject: cert.subject(),
                    });
                }
            }
        }
        // 5. CA key usage; 6. policies.
        self.check_ca_key_usage(chain)?;
        self.check_policies(chain)?;
        // 7. Validity at the time asked, the anchor included.
        if let Some(f) = time_failure(chain, self.opts.at) {
            return Err(f);
        }
        Ok(())
    }

    fn check_signature(&self, chain: &[Cert], index: usize) -> Result<(), PathFailure> {
        let (Some(cert), Some(issuer)) = (chain.get(index), chain.get(index + 1)) else {
            return Ok(());
        };
        let Some(tbs) = tbs_bytes(cert.der()) else {
            return Err(PathFailure::Malformed {
                index,
                detail: "the to-be-signed part cannot be located".to_owned(),
            });
        };
        if !self.budget.take() {
            return Err(self.budget_exceeded());
        }
        let x509 = cert.x509();
        let result = crypto::verify(
            issuer.spki_der(),
            &x509.signature_algorithm,
            None,
            tbs,
            x509.signature.raw_bytes(),
        );
        match result {
            Ok(()) => Ok(()),
            Err(CryptoError::Unsupported { algorithm })
            | Err(CryptoError::Disallowed { algorithm, .. }) => {
                Err(PathFailure::UnsupportedAlgorithm {
                    index,
                    subject: cert.subject(),
                    algorithm,
                })
            }
            Err(e) => Err(PathFailure::BadSignature {
                index,
                subject: cert.subject(),
                detail: e.to_string(),
            }),
        }
    }

    fn check_ca_key_usage(&self, chain: &[Cert]) -> Result<(), PathFailure> {
        for (index, cert) in chain.iter().enumerate().skip(1) {
            let ku = cert.key_usage().map_err(|e| PathFailure::Malformed {
                index,
                detail: e.to_string(),
            })?;
            if ku.is_some_and(|ku| !ku.key_cert_sign) {
                return Err(PathFailure::CaKeyUsage {
                    index,
                    subject: cert.subject(),
                });
            }
        }
        Ok(())
    }

    fn check_policies(&self, chain: &[Cert]) -> Result<(), PathFailure> {
        if self.opts.required_policies.is_empty() {
            return Ok(());
        }
        for (index, cert) in chain.iter().enumerate().take(chain.len().saturating_sub(1)) {
            let policies = cert.policies().map_err(|e| PathFailure::Malformed {
                index,
                detail: e.to_string(),
            })?;
            let ok = policies
                .iter()
                .any(|p| *p == ANY_POLICY || self.opts.required_policies.contains(p));
            if !ok {
                return Err(PathFailure::PolicyMissing {
                    index,
                    subject: cert.subject(),
                });
            }
        }
        Ok(())
    }

    /// Explains why webpki found no path: each candidate chain by names is checked step by step,
    /// and the most specific failure wins.
    fn diagnose(&self, first: webpki::Error) -> Result<ValidPath, PathFailure> {
        if let Some(f) = self.leaf_failure(&first) {
            return Err(f);
        }
        let candidates = self.candidates();
        if candidates.is_empty() {
            return Err(self.no_chain(&first));
        }
        let mut best: Option<PathFailure> = None;
        for (chain, center) in candidates {
            let failure = match self.check_chain(&chain) {
                Err(f @ PathFailure::BudgetExceeded { .. }) => return Err(f),
                Err(f @ (PathFailure::Expired { .. } | PathFailure::NotYetValid { .. })) => {
                    match self.confirm_time_failure(f, &chain, center) {
                        Ok(f) => f,
                        Err(path) => return Ok(path),
                    }
                }
                Err(f) => f,
                Ok(()) => match self.restricted(&chain, center, self.opts.at) {
                    Ok(path) => return Ok(path),
                    Err(e) => self.explain_webpki(e, &chain),
                },
            };
            if self.budget.exhausted() {
                return Err(self.budget_exceeded());
            }
            if best.as_ref().is_none_or(|b| failure.rank() > b.rank()) {
                best = Some(failure);
            }
        }
        Err(best.unwrap_or_else(|| self.no_chain(&first)))
    }

    /// A failure of the leaf alone (webpki cannot read it).
    fn leaf_failure(&self, err: &webpki::Error) -> Option<PathFailure> {
        let leaf_der = CertificateDer::from(self.leaf.der());
        if EndEntityCert::try_from(&leaf_der).is_ok() {
            return None;
        }
        Some(match err {
            webpki::Error::UnsupportedCriticalExtension => PathFailure::UnknownCriticalExtension {
                index: 0,
                oid: unknown_critical(self.leaf)
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "(unknown)".to_owned()),
            },
            other => PathFailure::Malformed {
                index: 0,
                detail: format!("{other}"),
            },
        })
    }

    /// A time failure stands when webpki validates the same chain at a time inside every
    /// certificate's validity (the one closest to the time asked). `Err` carries a valid path in
    /// the unlikely case webpki accepts the chain at the time asked after all.
    fn confirm_time_failure(
        &self,
        failure: PathFailure,
        chain: &[Cert],
        center: usize,
    ) -> Result<PathFailure, ValidPath> {
        let (from, until) = window(chain);
        if from > until {
            // No single time suits every certificate: the signatures were verified above, the
            // time failure is reported as found.
            return Ok(failure);
        }
        let inside = self.opts.at.clamp(from, until);
        match self.restricted(chain, center, inside) {
            Ok(_) => Ok(failure),
            Err(e) => Ok(self.explain_webpki(e, chain)),
        }
    }

    /// webpki on exactly this chain.
    fn restricted(
        &self,
        chain: &[Cert],
        center: usize,
        at: OffsetDateTime,
    ) -> Result<ValidPath, webpki::Error> {
        let Some(anchor) = self.trust.anchors().get(center) else {
            return Err(webpki::Error::UnknownIssuer);
        };
        let inters: Vec<&Cert> = chain
            .iter()
            .skip(1)
            .take(chain.len().saturating_sub(2))
            .collect();
        self.webpki(&inters, std::slice::from_ref(anchor), &[center], at)
    }

    /// Candidate chains by names: leaf, intermediates, a trusted center's certificate; with the
    /// center's index. At most [`MAX_CANDIDATES`].
    fn candidates(&self) -> Vec<(Vec<Cert>, usize)> {
        let mut out = Vec::new();
        let mut path = vec![self.leaf.clone()];
        self.extend(&mut path, &mut out);
        out
    }

    fn extend(&self, path: &mut Vec<Cert>, out: &mut Vec<(Vec<Cert>, usize)>) {
        let Some(head) = path.last().cloned() else {
            return;
        };
        for (index, center) in self.trust.by_subject(head.issuer_der()) {
            if out.len() >= MAX_CANDIDATES {
                return;
            }
            let mut chain = path.clone();
            chain.push(center.cert.clone());
            out.push((chain, index));
        }
        if path.len() > MAX_INTERMEDIATES {
            return;
        }
        for cert in &self.inters {
            if out.len() >= MAX_CANDIDATES {
                return;
            }
            let looped = path
                .iter()
                .any(|p| p.subject_der() == cert.subject_der() && p.spki_der() == cert.spki_der());
            if cert.subject_der() == head.issuer_der() && !looped {
                path.push(cert.clone());
                self.extend(path, out);
                path.pop();
            }
        }
    }

    fn no_chain(&self, err: &webpki::Error) -> PathFailure {
        if matches!(err, webpki::Error::MaximumPathDepthExceeded) {
            return PathFailure::NoChain {
                detail: format!("the chain would hold more than {MAX_INTERMEDIATES} intermediates"),
            };
        }
        // Follow supplied issuers by name as far as they go, and name the one missing.
        let mut head = self.leaf.clone();
        let mut seen = vec![head.clone()];
        while let Some(next) = self
            .inters
            .iter()
            .find(|c| c.subject_der() == head.issuer_der() && !seen.contains(c))
        {
            head = next.clone();
            seen.push(head.clone());
            if seen.len() > MAX_INTERMEDIATES + 1 {
                break;
            }
        }
        PathFailure::NoChain {
            detail: format!(
                "no trusted center or supplied intermediate is named \"{}\" (the issuer of \"{}\")",
                head.issuer(),
                head.subject()
            ),
        }
    }

    /// Maps webpki's verdict on one chain to a failure, locating the certificate.
    fn explain_webpki(&self, err: webpki::Error, chain: &[Cert]) -> PathFailure {
        use webpki::Error as E;
        let subject = |i: usize| chain.get(i).map(Cert::subject).unwrap_or_default();
        #[allow(deprecated)]
        match err {
            E::CertExpired { .. } | E::CertNotValidYet { .. } => time_failure(chain, self.opts.at)
                .unwrap_or_else(|| PathFailure::Malformed {
                    index: 0,
                    detail: err.to_string(),
                }),
            E::CaUsedAsEndEntity => PathFailure::LeafIsCa {
                subject: subject(0),
            },
            E::EndEntityUsedAsCa => {
                let index = (1..chain.len().saturating_sub(1))
                    .find(|&i| !matches!(chain[i].basic_constraints(), Ok(Some((true, _)))))
                    .unwrap_or(1);
                PathFailure::NotCa {
                    index,
                    subject: subject(index),
                }
            }
            E::PathLenConstraintViolated => {
                let found = (1..chain.len().saturating_sub(1)).find_map(|i| {
                    match chain[i].basic_constraints() {
                        Ok(Some((true, Some(len)))) if i - 1 > usize::from(len) => Some((i, len)),
                        _ => None,
                    }
                });
                let (index, path_len) = found.unwrap_or((1, 0));
                PathFailure::PathLenExceeded {
                    index,
                    subject: subject(index),
                    path_len,
                }
            }
            E::NameConstraintViolation | E::MalformedNameConstraint => {
                PathFailure::NameConstraints {
                    detail: err.to_string(),
                }
            }
            E::MaximumSignatureChecksExceeded
            | E::MaximumPathBuildCallsExceeded
            | E::MaximumNameConstraintComparisonsExceeded => self.budget_exceeded(),
            _ if self.budget.exhausted() => self.budget_exceeded(),
            E::InvalidSignatureForPublicKey => {
                let index = (0..chain.len().saturating_sub(1))
                    .find(|&i| self.check_signature(chain, i).is_err())
                    .unwrap_or(0);
                PathFailure::BadSignature {
                    index,
                    subject: subject(index),
                    detail: err.to_string(),
                }
            }
            E::UnsupportedSignatureAlgorithm
            | E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            | E::SignatureAlgorithmMismatch => {
                // The first certificate below the anchor signed with an algorithm webpki lacks.
                let index = chain
                    .iter()
                    .take(chain.len().saturating_sub(1))
                    .position(|c| !WEBPKI_SIGNATURES.contains(&c.x509().signature_algorithm.oid))
                    .unwrap_or(0);
                PathFailure::UnsupportedAlgorithm {
                    index,
                    subject: subject(index),
                    algorithm: chain
                        .get(index)
                        .map(|c| crypto::algorithm_name(&c.x509().signature_algorithm.oid))
                        .unwrap_or_default(),
                }
            }
            E::UnsupportedCriticalExtension => {
                let found = chain
                    .iter()
                    .enumerate()
                    .find_map(|(i, c)| unknown_critical(c).map(|o| (i, o.to_string())));
                let (index, oid) = found.unwrap_or((0, "(unknown)".to_owned()));
                PathFailure::UnknownCriticalExtension { index, oid }
            }
            E::UnknownIssuer | E::MaximumPathDepthExceeded => self.no_chain(&err),
            other => {
                // The first certificate below the anchor webpki cannot read, if any.
                let found = chain
                    .iter()
                    .take(chain.len().saturating_sub(1))
                    .enumerate()
                    .find_map(|(i, c)| {
                        let der = CertificateDer::from(c.der());
                        EndEntityCert::try_from(&der).err().map(|e| (i, e))
                    });
                let (index, detail) = match found {
                    Some((i, e)) => (i, e.to_string()),
                    None => (0, other.to_string()),
                };
                PathFailure::Malformed { index, detail }
            }
        }
    }
}

/// The first certificate (from the leaf) outside its validity at `at`, as a failure carrying
/// `chain`.
fn time_failure(chain: &[Cert], at: OffsetDateTime) -> Option<PathFailure> {
    chain.iter().enumerate().find_map(|(index, cert)| {
        if at < cert.not_before() {
            Some(PathFailure::NotYetValid {
                index,
                not_before: cert.not_before(),
                chain: chain.to_vec(),
            })
        } else if at > cert.not_after() {
            Some(PathFailure::Expired {
                index,
                not_after: cert.not_after(),
                chain: chain.to_vec(),
            })
        } else {
            None
        }
    })
}

/// Moves a failure found on a sub-slice to the full chain's index `offset` and chain.
fn reindex(failure: PathFailure, offset: usize, chain: &[Cert]) -> PathFailure {
    match failure {
        PathFailure::Expired {
            index, not_after, ..
        } => PathFailure::Expired {
            index: index + offset,
            not_after,
            chain: chain.to_vec(),
        },
        PathFailure::NotYetValid {
            index, not_before, ..
        } => PathFailure::NotYetValid {
            index: index + offset,
            not_before,
            chain: chain.to_vec(),
        },
        other => other,
    }
}

fn window(chain: &[Cert]) -> (OffsetDateTime, OffsetDateTime) {
    let from = chain
        .iter()
        .map(Cert::not_before)
        .max()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let until = chain
        .iter()
        .map(Cert::not_after)
        .min()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    (from, until)
}

fn unknown_critical(cert: &Cert) -> Option<ObjectIdentifier> {
    cert.x509()
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.critical && !KNOWN_CRITICAL.contains(&e.extn_id))
        .map(|e| e.extn_id)
}

fn unix_time(at: OffsetDateTime) -> UnixTime {
    let secs = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
}

/// The exact bytes of the TBSCertificate: the first element inside the outer SEQUENCE.
/// Re-encoding the decoded TBS (x509-cert would) could change the signed bytes of a certificate
/// that is not strictly DER; the `der` reader hands the original bytes back.
fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    let mut reader = SliceReader::new(der).ok()?;
    Header::decode(&mut reader).ok()?;
    reader.tlv_bytes().ok()
}
