//! Certificate path building and validation (RFC 5280 §6.1) from a leaf through supplied
//! intermediates to a center of the [`TrustList`], at a time and under a work budget the caller
//! passes in.
//!
//! Written here rather than taken from a crate: `rustls-webpki` (used before) is a TLS path
//! validator without certificate policies, directoryName/rfc822Name/URI name constraints or the
//! self-issued rules of §6.1.4, and `certval` brings its own certificate store, revocation and
//! report types that would have to be mapped back to ours; the §6.1 algorithm itself is short.
//!
//! # Building
//!
//! From the leaf upwards, every candidate issuer is tried: the trusted centers and the supplied
//! certificates whose subject is the same name as the current certificate's issuer by RFC 5280
//! §7.1 ([`names`]), those whose subjectKeyIdentifier matches the authorityKeyIdentifier first. A
//! candidate's signature on the current certificate is checked before the search goes above it,
//! so a wrong key ends that branch at once. The search is bounded by
//! [`PathOptions::max_signature_checks`] (signature checks over the whole search, each edge
//! checked once), [`MAX_INTERMEDIATES`], [`MAX_CANDIDATES`] complete paths and [`MAX_STEPS`]
//! issuer look-ups, and stops when [`PathOptions::cancel`] is raised.
//!
//! # Validation of a complete candidate (§6.1.3 – §6.1.5)
//!
//! In this order, the first failure ending the candidate:
//!
//! 1. the profile rules of §4 that a validator must enforce: no extension twice, no unknown
//!    critical extension (the anchor's included), authority and subject key identifiers not
//!    critical, the inner and outer signature algorithms the same, a CA's subject not empty, a
//!    self-signed anchor's authority key identifier naming itself, the anchor's issuer not empty,
//!    authority and subject information access extensions that decode and are not empty, keys
//!    of allowed algorithms and sizes (RSA of 2048 bits or more, P-256, P-384, Ed25519);
//! 2. basic constraints of every issuing certificate (§6.1.4 (k); a version 1 or 2 intermediate
//!    cannot show it is a CA and is refused, and so is a version 3 anchor without basic
//!    constraints), the path length (§6.1.4 (l), (m): self-issued
//!    certificates are not counted; the anchor's own pathLenConstraint applies too), key usage
//!    keyCertSign of every issuing certificate and the anchor (§6.1.4 (n));
//! 3. what a conforming CA puts in every version 3 certificate it issues (§4 "MUST"s the
//!    certificate alone shows, as OpenSSL's `-x509_strict` holds them): a positive serial of at
//!    most 20 octets and an authority key identifier with a keyIdentifier (not asked of a
//!    self-issued anchor), a subject key identifier in every CA certificate, the anchor's basic
//!    constraints critical, key usage with a bit set and
//!    keyCertSign only with cA, pathLenConstraint only in a CA, name constraints only in a CA,
//!    critical and not empty, an empty subject only with a critical subject alternative name,
//!    no empty subject alternative name or extended key usage. Two rules PKITS holds paths valid
//!    without are not asked of intermediates: basicConstraints and policyConstraints marked
//!    critical;
//! 4. name constraints ([`constraints`]), the trust anchor's certificate's own included (RFC 5937
//!    §3);
//! 5. certificate policies with the inputs of [`PolicyOptions`] ([`policy`]);
//! 6. the extended key usage of the leaf only when [`PathOptions::required_eku`] asks (`eds cert
//!    verify --eku`); otherwise none is required anywhere, and the engine's scope check judges
//!    the leaf's usage;
//! 7. validity at the time asked, the trust anchor's included (the anchor's period is checked as
//!    OpenSSL and the national center's practice do). A candidate whose only fault is time fails
//!    with [`PathFailure::Expired`] or [`PathFailure::NotYetValid`] carrying the chain.
//!
//! A leaf that is itself a CA certificate is accepted as an end entity (RFC 5280 places no
//! limit on it; the engine's scope checks judge what it may sign).
//!
//! When every candidate fails, the most specific failure over all of them is reported
//! ([`PathFailure::rank`]); a search that ran out of budget, steps or candidates without any
//! complete path reports [`PathFailure::BudgetExceeded`].
//!
//! # Failures and ETSI EN 319 102-1 sub-indications
//!
//! [`PathFailure::sub_indication`] gives the mapping:
//!
//! | failure | sub-indication |
//! |---|---|
//! | `NoChain` (no issuer found, unknown root, too long), `BudgetExceeded` | NO_CERTIFICATE_CHAIN_FOUND |
//! | `NotCa`, `PathLenExceeded`, `CaKeyUsage`, `NameConstraints`, `Policy`, `RequiredEkuMissing` | CHAIN_CONSTRAINTS_FAILURE |
//! | `BadSignature` (on a certificate), `UnknownCriticalExtension`, `Nonconforming`, `Malformed` | CERTIFICATE_CHAIN_GENERAL_FAILURE |
//! | `UnsupportedAlgorithm` (GOST R 34.10-2001/94, DSA, SHA-1, RSA under 2048 bits, P-192) | CRYPTO_CONSTRAINTS_FAILURE |
//! | `Expired` / `NotYetValid` | EXPIRED / NOT_YET_VALID — or OUT_OF_BOUNDS_NO_POE, which the engine decides from what the validation time rests on |
//!
//! Certificate indices count along the chain: 0 is the leaf, the last is the trust anchor's
//! certificate.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use der::asn1::ObjectIdentifier;
use der::{Decode, Header, Reader, SliceReader};
use time::OffsetDateTime;
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, AuthorityKeyIdentifier};

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

/// The most intermediates a path may hold (self-issued ones included).
pub const MAX_INTERMEDIATES: usize = 8;

/// The most complete candidate paths validated in one search.
pub const MAX_CANDIDATES: usize = 16;

/// The most issuer look-ups (candidate certificates considered) in one search.
pub const MAX_STEPS: usize = 1024;

/// The most bytes of chains a [`PathCache`] holds.
pub const PATH_CACHE_MAX_BYTES: usize = 64 << 20;

/// Extensions this validator processes (RFC 5280 §4.2); any other marked critical makes the
/// certificate unusable (§4.2: "MUST reject").
const KNOWN_CRITICAL: [ObjectIdentifier; 10] = [
    ObjectIdentifier::new_unwrap("2.5.29.15"), // keyUsage
    ObjectIdentifier::new_unwrap("2.5.29.17"), // subjectAltName
    ObjectIdentifier::new_unwrap("2.5.29.19"), // basicConstraints
    ObjectIdentifier::new_unwrap("2.5.29.30"), // nameConstraints
    ObjectIdentifier::new_unwrap("2.5.29.31"), // cRLDistributionPoints
    ObjectIdentifier::new_unwrap("2.5.29.32"), // certificatePolicies
    ObjectIdentifier::new_unwrap("2.5.29.33"), // policyMappings
    ObjectIdentifier::new_unwrap("2.5.29.36"), // policyConstraints
    ObjectIdentifier::new_unwrap("2.5.29.37"), // extKeyUsage
    ObjectIdentifier::new_unwrap("2.5.29.54"), // inhibitAnyPolicy
];

/// authorityKeyIdentifier (RFC 5280 §4.2.1.1): MUST NOT be critical.
const AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
/// subjectKeyIdentifier (RFC 5280 §4.2.1.2): MUST NOT be critical.
const SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// basicConstraints (RFC 5280 §4.2.1.9).
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// authorityInfoAccess (RFC 5280 §4.2.2.1).
const AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
/// subjectInfoAccess (RFC 5280 §4.2.2.2).
const SIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.11");

/// What a validation is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathOptions {
    /// The validation time: every certificate must be valid at it.
    pub at: OffsetDateTime,
    /// The most signature verifications over the whole search (each certificate-issuer pair is
    /// checked once); past it the search stops with the most specific failure found, or
    /// [`PathFailure::BudgetExceeded`] when no complete path was found.
    pub max_signature_checks: usize,
    /// An extended key usage the leaf must list (`eds cert verify --eku OID`); `None`: none
    /// required.
    pub required_eku: Option<ObjectIdentifier>,
    /// The policy inputs of RFC 5280 §6.1.1 (c), (e), (f), (g).
    pub policy: PolicyOptions,
    /// Raised by the caller to stop the search (a timed-out request, a shutdown): the search ends
    /// before its next signature check with [`PathFailure::BudgetExceeded`].
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
    /// A name constraint of a CA above it does not allow a name of certificate `index` (RFC 5280
    /// §4.2.1.10, §6.1.3 (b), (c)).
    #[error(
        "validate the chain: certificate {index} ({subject}) violates name constraints: {detail}"
    )]
    NameConstraints {
        /// Its index in the chain.
        index: usize,
        /// Its subject.
        subject: String,
        /// Which name, and which constraint.
        detail: String,
    },
    /// Certificate policy processing rejects the path (RFC 5280 §6.1.3 (d)-(f), §6.1.4 (a),
    /// (b), (h)-(j), §6.1.5): no acceptable policy is left, an explicit policy is required and
    /// none is valid, or a policy extension is malformed.
    #[error("validate the chain's policies at certificate {index} ({subject}): {detail}")]
    Policy {
        /// The index in the chain of the certificate at which the policies failed.
        index: usize,
        /// Its subject.
        subject: String,
        /// What failed.
        detail: String,
    },
    /// A certificate breaks a rule of the RFC 5280 §4 profile that a validator must enforce (an
    /// extension twice, a critical key identifier, different inner and outer signature
    /// algorithms, a CA without a subject, a root whose authority key identifier is not its own).
    #[error("validate certificate {index} ({subject}): {detail}")]
    Nonconforming {
        /// Its index in the chain.
        index: usize,
        /// Its subject.
        subject: String,
        /// Which rule, in words.
        detail: String,
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
    /// A certificate is signed with, or carries a key of, an algorithm not supported or not
    /// allowed (GOST R 34.10-2001/94, DSA, SHA-1, RSA under 2048 bits, curves other than P-256
    /// and P-384).
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
    /// The search's budget ran out, or it was cancelled, before any complete path was found.
    #[error(
        "find a chain to a trusted center: the search stopped after {limit} signature checks, \
         or at its limit of candidates, or when cancelled (supply fewer candidate certificates)"
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
            Self::NoChain { .. } | Self::BudgetExceeded { .. } => {
                SubIndication::NoCertificateChainFound
            }
            Self::NotCa { .. }
            | Self::PathLenExceeded { .. }
            | Self::CaKeyUsage { .. }
            | Self::NameConstraints { .. }
            | Self::Policy { .. }
            | Self::RequiredEkuMissing { .. } => SubIndication::ChainConstraintsFailure,
            Self::BadSignature { .. }
            | Self::UnknownCriticalExtension { .. }
            | Self::Nonconforming { .. }
            | Self::Malformed { .. } => SubIndication::CertificateChainGeneralFailure,
            Self::UnsupportedAlgorithm { .. } => SubIndication::CryptoConstraintsFailure,
            Self::Expired { .. } => SubIndication::Expired,
            Self::NotYetValid { .. } => SubIndication::NotYetValid,
        }
    }

    /// How specific the failure is, for choosing among candidate paths: a failure found later in
    /// the checks means the chain got further and is more likely the one meant (signatures, then
    /// the profile rules, basic constraints, path length, CA key usage, name constraints,
    /// policies, validity).
    pub fn rank(&self) -> u8 {
        match self {
            Self::NoChain { .. } | Self::BudgetExceeded { .. } => 0,
            Self::Malformed { .. } => 1,
            Self::BadSignature { .. } => 2,
            Self::UnsupportedAlgorithm { .. } => 3,
            Self::UnknownCriticalExtension { .. } | Self::Nonconforming { .. } => 4,
            Self::NotCa { .. } => 6,
            Self::PathLenExceeded { .. } => 7,
            Self::CaKeyUsage { .. } => 8,
            Self::NameConstraints { .. } => 9,
            Self::Policy { .. } => 10,
            Self::Expired { .. } | Self::NotYetValid { .. } => 11,
            Self::RequiredEkuMissing { .. } => 12,
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

/// Validates a path from `leaf` through any of `intermediates` (in any order; duplicates, the
/// leaf itself and copies of trusted centers' certificates are ignored) to a center of `trust`,
/// as `opts` says.
pub fn validate(
    leaf: &Cert,
    intermediates: &[Cert],
    trust: &TrustList,
    opts: &PathOptions,
) -> Result<ValidPath, PathFailure> {
    let mut seen = HashSet::with_capacity(intermediates.len() + 1);
    seen.insert(*leaf.sha256());
    for center in trust.centers() {
        seen.insert(*center.cert.sha256());
    }
    let inters: Vec<Cert> = intermediates
        .iter()
        .filter(|cert| seen.insert(*cert.sha256()))
        .cloned()
        .collect();
    if let Some(eku) = &opts.required_eku {
        let listed = leaf
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
    let mut search = Search {
        inters: &inters,
        trust,
        opts,
        signatures_left: opts.max_signature_checks,
        edges: HashMap::new(),
        steps: 0,
        candidates: 0,
        stopped: false,
        best: None,
        deepest: leaf.clone(),
        deepest_len: 0,
    };
    let mut path = vec![leaf.clone()];
    if let Some(found) = search.extend(&mut path) {
        return Ok(found);
    }
    Err(search.failure())
}

/// One path search: the state of the depth-first walk from the leaf upwards.
struct Search<'a> {
    inters: &'a [Cert],
    trust: &'a TrustList,
    opts: &'a PathOptions,
    signatures_left: usize,
    /// Outcomes of signature checks already made, by (certificate, issuer) SHA-256s.
    edges: HashMap<([u8; 32], [u8; 32]), Result<(), EdgeFailure>>,
    steps: usize,
    candidates: usize,
    /// The budget, a limit or the cancel flag ended the search.
    stopped: bool,
    /// The most specific failure so far.
    best: Option<PathFailure>,
    /// The certificate highest above the leaf reached by names, for the no-chain message.
    deepest: Cert,
    deepest_len: usize,
}

/// Why a signature check on an edge failed, before it is placed in a chain.
#[derive(Debug, Clone)]
enum EdgeFailure {
    Bad(String),
    Unsupported(String),
    Malformed(String),
}

impl Search<'_> {
    /// Extends `path` (leaf first) upwards; the first complete path that validates.
    fn extend(&mut self, path: &mut Vec<Cert>) -> Option<ValidPath> {
        let head = path.last()?.clone();
        if self.deepest_len < path.len() {
            self.deepest_len = path.len();
            self.deepest = head.clone();
        }
        // 1. The trusted centers that may have issued the head.
        let aki = head.authority_key_id();
        let mut centers: Vec<&TrustedCenter> = self
            .trust
            .centers()
            .iter()
            .filter(|c| names::names_equal(c.cert.subject_der(), head.issuer_der()))
            .collect();
        centers.sort_by_key(|c| key_id_order(aki.as_deref(), &c.cert));
        for center in centers {
            if !self.step() {
                return None;
            }
            let index = path.len() - 1;
            if !self.check_edge(&head, &center.cert, index) {
                continue;
            }
            let mut chain = path.clone();
            chain.push(center.cert.clone());
            self.candidates += 1;
            match self.evaluate(&chain) {
                Ok(()) => {
                    return Some(ValidPath {
                        chain,
                        anchor: center.clone(),
                    });
                }
                Err(f) => self.record(f),
            }
            if self.candidates >= MAX_CANDIDATES {
                self.stopped = true;
                return None;
            }
        }
        // 2. The supplied certificates that may have issued it.
        if path.len() > MAX_INTERMEDIATES {
            self.record(PathFailure::NoChain {
                detail: format!("the chain would hold more than {MAX_INTERMEDIATES} intermediates"),
            });
            return None;
        }
        let mut issuers: Vec<&Cert> = self
            .inters
            .iter()
            .filter(|c| names::names_equal(c.subject_der(), head.issuer_der()))
            .filter(|c| {
                !path.iter().any(|p| {
                    p.sha256() == c.sha256()
                        || (p.spki_der() == c.spki_der()
                            && names::names_equal(p.subject_der(), c.subject_der()))
                })
            })
            .collect();
        issuers.sort_by_key(|c| key_id_order(aki.as_deref(), c));
        for issuer in issuers {
            if !self.step() {
                return None;
            }
            let index = path.len() - 1;
            if !self.check_edge(&head, issuer, index) {
                continue;
            }
            path.push(issuer.clone());
            let found = self.extend(path);
            path.pop();
            if found.is_some() || self.stopped {
                return found;
            }
        }
        None
    }

    /// Counts one issuer look-up; false when the search must stop.
    fn step(&mut self) -> bool {
        if self.stopped || self.opts.cancel.is_cancelled() || self.steps >= MAX_STEPS {
            self.stopped = true;
            return false;
        }
        self.steps += 1;
        true
    }

    /// Checks `issuer`'s signature on `cert` (at `index` in the chain being built), once per
    /// pair; a failure is recorded. A signature that does not verify is a bad signature when the
    /// key identifiers say `issuer` is the one meant (its subjectKeyIdentifier is `cert`'s
    /// authorityKeyIdentifier); otherwise `issuer` merely shares the name, and the failure is
    /// that no chain was found.
    fn check_edge(&mut self, cert: &Cert, issuer: &Cert, index: usize) -> bool {
        let key = (*cert.sha256(), *issuer.sha256());
        let outcome = match self.edges.get(&key) {
            Some(done) => done.clone(),
            None => {
                if self.signatures_left == 0 || self.opts.cancel.is_cancelled() {
                    self.stopped = true;
                    return false;
                }
                self.signatures_left -= 1;
                let outcome = verify_edge(cert, issuer);
                self.edges.insert(key, outcome.clone());
                outcome
            }
        };
        let subject = cert.subject();
        match outcome {
            Ok(()) => true,
            Err(EdgeFailure::Bad(detail)) => {
                let identified = cert
                    .authority_key_id()
                    .zip(issuer.subject_key_id())
                    .is_some_and(|(a, s)| a == s);
                if identified {
                    self.record(PathFailure::BadSignature {
                        index,
                        subject,
                        detail,
                    });
                } else {
                    self.record(PathFailure::NoChain {
                        detail: format!(
                            "no trusted center or supplied certificate named \"{}\" has the key \
                             that signed \"{subject}\"",
                            cert.issuer()
                        ),
                    });
                }
                false
            }
            Err(EdgeFailure::Unsupported(algorithm)) => {
                self.record(PathFailure::UnsupportedAlgorithm {
                    index,
                    subject,
                    algorithm,
                });
                false
            }
            Err(EdgeFailure::Malformed(detail)) => {
                self.record(PathFailure::Malformed { index, detail });
                false
            }
        }
    }

    fn record(&mut self, failure: PathFailure) {
        if self.best.as_ref().is_none_or(|b| failure.rank() > b.rank()) {
            self.best = Some(failure);
        }
    }

    /// The failure to report when no path validated.
    fn failure(self) -> PathFailure {
        match self.best {
            // A search cut short before any complete path reports that it was cut short: the
            // signature failures it met may belong to decoys.
            _ if self.stopped && self.candidates == 0 => PathFailure::BudgetExceeded {
                limit: self.opts.max_signature_checks,
            },
            Some(best) if !matches!(best, PathFailure::NoChain { .. }) => best,
            _ if self.stopped => PathFailure::BudgetExceeded {
                limit: self.opts.max_signature_checks,
            },
            Some(best) => best,
            None => PathFailure::NoChain {
                detail: format!(
                    "no trusted center or supplied intermediate is named \"{}\" (the issuer of \"{}\")",
                    self.deepest.issuer(),
                    self.deepest.subject()
                ),
            },
        }
    }

    /// RFC 5280 §6.1.3 – §6.1.5 on a complete chain (leaf first, the anchor's certificate last)
    /// whose signatures are verified.
    fn evaluate(&self, chain: &[Cert]) -> Result<(), PathFailure> {
        let last = chain.len().saturating_sub(1);
        // 1. Profile rules, every certificate (the anchor's included).
        for (index, cert) in chain.iter().enumerate() {
            check_profile(cert, index, index > 0, index == last)?;
        }
        // 2. Issuing certificates: basic constraints, path length, key usage.
        self.check_issuers(chain)?;
        // 3. What a conforming CA puts in a version 3 certificate (after 2, whose failures name
        // the rule more precisely when both apply).
        for (index, cert) in chain.iter().enumerate() {
            if cert.x509().tbs_certificate.version == x509_cert::certificate::Version::V3 {
                conforming_v3(cert, index > 0, index == last).map_err(|detail| {
                    PathFailure::Nonconforming {
                        index,
                        subject: cert.subject(),
                        detail,
                    }
                })?;
            }
        }
        // The path of §6.1: from the certificate the anchor issued to the leaf.
        let path: Vec<&Cert> = chain.iter().take(last).rev().collect();
        let to_chain = |path_index: usize| last.saturating_sub(1).saturating_sub(path_index);
        let subject = |index: usize| chain.get(index).map(Cert::subject).unwrap_or_default();
        // 4. Name constraints, the trust anchor's certificate's own taken as the initial
        // permitted and excluded subtrees (RFC 5280 §6.1.1 (b), (c) and §6.2; RFC 5937 §3:
        // constraints the anchor's certificate carries apply to the paths below it).
        let with_anchor: Vec<&Cert> = chain.iter().rev().collect();
        constraints::check_name_constraints(&with_anchor).map_err(|v| {
            let index = last.saturating_sub(v.index);
            PathFailure::NameConstraints {
                index,
                subject: subject(index),
                detail: v.detail,
            }
        })?;
        // 5. Policies.
        policy::process_policies(&path, &self.opts.policy).map_err(|v| {
            let index = to_chain(v.index);
            PathFailure::Policy {
                index,
                subject: subject(index),
                detail: v.detail,
            }
        })?;
        // 6. Validity at the time asked (the required EKU was checked before the search).
        match time_failure(chain, self.opts.at) {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }

    /// §6.1.4 (k) - (n) over the issuing certificates, and the anchor's own constraints.
    fn check_issuers(&self, chain: &[Cert]) -> Result<(), PathFailure> {
        let last = chain.len().saturating_sub(1);
        let malformed = |index: usize, e: crate::cert::CertError| PathFailure::Malformed {
            index,
            detail: e.to_string(),
        };
        // max_path_length and which certificate set it (index, its pathLenConstraint).
        let mut max_path_length = last;
        let mut limiter: Option<(usize, u8)> = None;
        for index in (1..=last).rev() {
            let Some(cert) = chain.get(index) else {
                continue;
            };
            let is_anchor = index == last;
            let bc = cert.basic_constraints().map_err(|e| malformed(index, e))?;
            if !is_anchor {
                // (k) A version 3 certificate must say it is a CA; a version 1 or 2 one cannot.
                if !matches!(bc, Some((true, _))) {
                    return Err(PathFailure::NotCa {
                        index,
                        subject: cert.subject(),
                    });
                }
                // (l) Self-issued certificates are not counted.
                if !cert.is_self_issued() {
                    if max_path_length == 0 {
                        let (at, path_len) = limiter.unwrap_or((index, 0));
                        return Err(PathFailure::PathLenExceeded {
                            index: at,
                            subject: chain.get(at).map(Cert::subject).unwrap_or_default(),
                            path_len,
                        });
                    }
                    max_path_length -= 1;
                }
            } else if matches!(bc, Some((false, _)))
                || (bc.is_none()
                    && cert.x509().tbs_certificate.version == x509_cert::certificate::Version::V3)
            {
                // An anchor certificate that says it is no CA cannot issue, nor can a version 3
                // one without basic constraints (§4.2.1.9: "MUST include this extension in all
                // CA certificates"; a version 1 root, which cannot say, is taken as a CA).
                return Err(PathFailure::NotCa {
                    index,
                    subject: cert.subject(),
                });
            }
            // (m) pathLenConstraint.
            if let Some((true, Some(len))) = bc
                && usize::from(len) < max_path_length
            {
                max_path_length = usize::from(len);
                limiter = Some((index, len));
            }
            // (n) keyCertSign.
            let ku = cert.key_usage().map_err(|e| malformed(index, e))?;
            if ku.is_some_and(|ku| !ku.key_cert_sign) {
                return Err(PathFailure::CaKeyUsage {
                    index,
                    subject: cert.subject(),
                });
            }
        }
        Ok(())
    }
}

/// The checks of a complete chain without its signatures, for the fuzz target: a hostile chain
/// rarely gets past the signature checks, so the rules after them (profile, basic constraints,
/// name constraints, policies, validity) are reached through here. `chain` runs from the leaf to
/// the anchor's certificate. Not part of the API.
#[doc(hidden)]
pub fn fuzz_evaluate(chain: &[Cert], opts: &PathOptions) -> Result<(), PathFailure> {
    let Some(anchor) = chain.last() else {
        return Ok(());
    };
    let trust =
        TrustList::from_certs(vec![anchor.clone()]).map_err(|e| PathFailure::Malformed {
            index: 0,
            detail: e.to_string(),
        })?;
    let search = Search {
        inters: &[],
        trust: &trust,
        opts,
        signatures_left: 0,
        edges: HashMap::new(),
        steps: 0,
        candidates: 0,
        stopped: false,
        best: None,
        deepest: anchor.clone(),
        deepest_len: 0,
    };
    search.evaluate(chain)
}

/// Orders candidate issuers: the one whose subjectKeyIdentifier is the authorityKeyIdentifier
/// first, then those without one, then the others.
fn key_id_order(aki: Option<&[u8]>, candidate: &Cert) -> u8 {
    match (aki, candidate.subject_key_id()) {
        (Some(a), Some(s)) if a == s.as_slice() => 0,
        (_, None) | (None, _) => 1,
        _ => 2,
    }
}

/// Verifies `issuer`'s signature on `cert`.
fn verify_edge(cert: &Cert, issuer: &Cert) -> Result<(), EdgeFailure> {
    let Some(tbs) = tbs_bytes(cert.der()) else {
        return Err(EdgeFailure::Malformed(
            "the to-be-signed part cannot be located".to_owned(),
        ));
    };
    let x509 = cert.x509();
    match crypto::verify(
        issuer.spki_der(),
        &x509.signature_algorithm,
        None,
        tbs,
        x509.signature.raw_bytes(),
    ) {
        Ok(()) => Ok(()),
        Err(CryptoError::Unsupported { algorithm })
        | Err(CryptoError::Disallowed { algorithm, .. }) => {
            Err(EdgeFailure::Unsupported(algorithm))
        }
        Err(e) => Err(EdgeFailure::Bad(e.to_string())),
    }
}

/// The RFC 5280 §4 rules a validator must enforce on one certificate. `issues`: it issues another
/// certificate of the chain (a CA); `anchor`: it is the trust anchor's certificate.
fn check_profile(cert: &Cert, index: usize, issues: bool, anchor: bool) -> Result<(), PathFailure> {
    let nonconforming = |detail: String| PathFailure::Nonconforming {
        index,
        subject: cert.subject(),
        detail,
    };
    let x509 = cert.x509();
    let tbs = &x509.tbs_certificate;
    // §4.1.1.2: the signature field of the TBS equals signatureAlgorithm.
    if tbs.signature != x509.signature_algorithm {
        return Err(nonconforming(
            "its inner and outer signature algorithms differ (RFC 5280 §4.1.1.2)".to_owned(),
        ));
    }
    if let Some(extensions) = &tbs.extensions {
        // §4.1.2.9: extensions only in version 3.
        if tbs.version != x509_cert::certificate::Version::V3 {
            return Err(nonconforming(
                "it has extensions but is not a version 3 certificate (RFC 5280 §4.1.2.9)"
                    .to_owned(),
            ));
        }
        let mut seen = HashSet::with_capacity(extensions.len());
        for ext in extensions {
            // §4.2: no extension twice.
            if !seen.insert(ext.extn_id) {
                return Err(nonconforming(format!(
                    "extension {} appears twice (RFC 5280 §4.2)",
                    ext.extn_id
                )));
            }
            if ext.critical && (ext.extn_id == AKI || ext.extn_id == SKI) {
                return Err(nonconforming(format!(
                    "its {} is marked critical (RFC 5280 §4.2.1.{}: MUST NOT)",
                    if ext.extn_id == AKI {
                        "authority key identifier"
                    } else {
                        "subject key identifier"
                    },
                    if ext.extn_id == AKI { 1 } else { 2 }
                )));
            }
            if ext.critical && !KNOWN_CRITICAL.contains(&ext.extn_id) {
                return Err(PathFailure::UnknownCriticalExtension {
                    index,
                    oid: ext.extn_id.to_string(),
                });
            }
        }
    }
    // §4.2.2.1, §4.2.2.2: an information access extension is a non-empty SEQUENCE of
    // AccessDescriptions; one that is not cannot be a conforming CA's and is not relied on.
    for (oid, what) in [
        (AIA, "authority information access (RFC 5280 §4.2.2.1)"),
        (SIA, "subject information access (RFC 5280 §4.2.2.2)"),
    ] {
        if let Some((_, value)) = cert.extension(oid) {
            match AuthorityInfoAccessSyntax::from_der(value) {
                Ok(list) if !list.0.is_empty() => {}
                Ok(_) => return Err(nonconforming(format!("its {what} extension is empty"))),
                Err(e) => {
                    return Err(PathFailure::Malformed {
                        index,
                        detail: format!("its {what} extension does not decode: {e}"),
                    });
                }
            }
        }
    }
    // §4.1.2.4: the issuer field names someone. Asked of the anchor's certificate: below it,
    // an empty issuer is the empty subject of the CA above, refused by the rule after this.
    if anchor && tbs.issuer.0.is_empty() {
        return Err(nonconforming(
            "its issuer is empty (RFC 5280 §4.1.2.4: MUST be a non-empty name)".to_owned(),
        ));
    }
    // §4.1.2.6: a CA's subject is not empty.
    if (issues || anchor) && tbs.subject.0.is_empty() {
        return Err(nonconforming(
            "it issues certificates but its subject is empty (RFC 5280 §4.1.2.6)".to_owned(),
        ));
    }
    // A self-signed root's authority key identifier, when present, names the root itself.
    if anchor && cert.is_self_issued() {
        let aki = cert
            .decoded::<AuthorityKeyIdentifier>()
            .map_err(|e| PathFailure::Malformed {
                index,
                detail: e.to_string(),
            })?;
        if let Some(aki) = aki {
            let own = cert.subject_key_id();
            if let (Some(k), Some(own)) = (&aki.key_identifier, &own)
                && k.as_bytes() != own.as_slice()
            {
                return Err(nonconforming(
                    "it is self-issued but its authority key identifier names another key"
                        .to_owned(),
                ));
            }
            if let Some(serial) = &aki.authority_cert_serial_number
                && serial.as_bytes() != cert.serial()
            {
                return Err(nonconforming(
                    "it is self-issued but its authority key identifier names another serial \
                     number"
                        .to_owned(),
                ));
            }
        }
    }
    // The key itself: an algorithm and size the verifier accepts.
    if let Err(e) = crypto::check_public_key(cert.spki_der()) {
        return Err(match e {
            CryptoError::Unsupported { algorithm } | CryptoError::Disallowed { algorithm, .. } => {
                PathFailure::UnsupportedAlgorithm {
                    index,
                    subject: cert.subject(),
                    algorithm,
                }
            }
            other => PathFailure::Malformed {
                index,
                detail: other.to_string(),
            },
        });
    }
    Ok(())
}

/// The RFC 5280 §4 rules every certificate of a conforming CA follows ("MUST") that can be
/// checked on the certificate alone, for a version 3 certificate (version 1 and 2 ones have no
/// extensions, and the rules are about extensions). A certificate breaking one of them was not
/// issued under RFC 5280, so nothing it says is relied on: this verifier refuses it (as OpenSSL's
/// `-x509_strict` does), except where NIST PKITS, the conformance suite of §6, holds a path valid
/// (an intermediate's basicConstraints not marked critical, PKITS 4.6.4, and policy constraints
/// not marked critical, PKITS 4.8.6 and others, are accepted; the trust anchor's basic
/// constraints must be critical). `issues`: the certificate signs another of the path; `anchor`:
/// it is the trust anchor's own certificate. A self-issued anchor was issued by no one to this
/// path, so the rules on how it was issued (serial number, authority key identifier) do not
/// apply to it; an anchor that is not self-issued is held to them; as a CA every anchor still
/// needs its subject key identifier.
fn conforming_v3(cert: &Cert, issues: bool, anchor: bool) -> Result<(), String> {
    use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, SubjectAltName};
    let bad = |e: crate::cert::CertError| e.to_string();
    let tbs = &cert.x509().tbs_certificate;
    // An anchor that is not self-issued (a CA certificate trusted directly, or a cross-signed
    // root) was issued by a CA like any other and is held to the same rules.
    if !anchor || !cert.is_self_issued() {
        // §4.1.2.2: a positive integer of at most 20 octets.
        let serial = cert.serial();
        if serial.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(
                "its serial number is negative (RFC 5280 §4.1.2.2: MUST be positive)".into(),
            );
        }
        if serial.iter().all(|b| *b == 0) {
            return Err("its serial number is zero (RFC 5280 §4.1.2.2: MUST be positive)".into());
        }
        // The value's octets: a 20-octet value with its top bit set is encoded in 21, behind
        // a 0x00 (X.690 §8.3.2), and is still 20 octets long.
        let value = serial.strip_prefix(&[0]).unwrap_or(serial);
        if value.len() > 20 {
            return Err(format!(
                "its serial number is {} octets long (RFC 5280 §4.1.2.2: at most 20)",
                value.len()
            ));
        }
        // §4.2.1.1: the keyIdentifier of the authority key identifier is in every certificate
        // a CA issues (the one exception, a self-signed certificate, can only be a
        // self-issued anchor).
        let aki = cert.decoded::<AuthorityKeyIdentifier>().map_err(bad)?;
        if aki.and_then(|a| a.key_identifier).is_none() {
            return Err(
                "it has no authority key identifier (keyIdentifier) naming its \
                        issuer's key (RFC 5280 §4.2.1.1: MUST)"
                    .into(),
            );
        }
    }
    let bc = cert.basic_constraints().map_err(bad)?;
    let is_ca = matches!(bc, Some((true, _)));
    // §4.2.1.2: every CA certificate has a subject key identifier (an issuer that is no CA
    // fails §6.1.4 (k) instead).
    if issues && is_ca && cert.subject_key_id().is_none() {
        return Err(
            "it issues certificates but has no subject key identifier (RFC 5280 §4.2.1.2: MUST)"
                .into(),
        );
    }
    // §4.2.1.9: a CA certificate's basic constraints are critical. Asked of the trust anchor's
    // certificate only: NIST PKITS 4.6.4 holds a path through an intermediate whose basic
    // constraints are not critical valid.
    if anchor
        && issues
        && is_ca
        && cert
            .extension(BASIC_CONSTRAINTS)
            .is_some_and(|(critical, _)| !critical)
    {
        return Err(
            "it is the trust anchor's certificate and its basic constraints are not marked \
             critical (RFC 5280 §4.2.1.9: MUST)"
                .into(),
        );
    }
    // §4.2.1.3: at least one bit set; keyCertSign only with cA.
    let ku = cert.decoded::<KeyUsage>().map_err(bad)?;
    if let Some(ku) = &ku {
        if ku.0.is_empty() {
            return Err("its key usage has no bit set (RFC 5280 §4.2.1.3: MUST have one)".into());
        }
        // (An issuing certificate without cA fails §6.1.4 (k) as a chain constraint.)
        if ku.key_cert_sign() && !is_ca && !issues {
            return Err(
                "its key usage has keyCertSign but its basic constraints do not say \
                        cA (RFC 5280 §4.2.1.3)"
                    .into(),
            );
        }
    }
    // §4.2.1.9: pathLenConstraint only with cA and, with a key usage, keyCertSign.
    if let Some((ca, Some(_))) = bc
        && !issues
        && (!ca || ku.as_ref().is_some_and(|k| !k.key_cert_sign()))
    {
        return Err(
            "it has a pathLenConstraint without being a CA that signs certificates \
                    (RFC 5280 §4.2.1.9)"
                .into(),
        );
    }
    // §4.2.1.10: name constraints only in a CA certificate, critical, and not empty.
    if let Some((critical, value)) = cert.extension(ObjectIdentifier::new_unwrap("2.5.29.30")) {
        if !is_ca {
            return Err(
                "it has name constraints but is not a CA certificate (RFC 5280 §4.2.1.10)".into(),
            );
        }
        if !critical {
            return Err(
                "its name constraints are not marked critical (RFC 5280 §4.2.1.10: \
                        MUST)"
                    .into(),
            );
        }
        if value == [0x30, 0x00] {
            return Err(
                "its name constraints have neither permitted nor excluded subtrees \
                        (RFC 5280 §4.2.1.10)"
                    .into(),
            );
        }
    }
    // §4.1.2.6 and §4.2.1.6: an empty subject needs a critical subject alternative name; the
    // extension, when present, names someone.
    let san = cert.extension(ObjectIdentifier::new_unwrap("2.5.29.17"));
    if tbs.subject.0.is_empty() && !matches!(san, Some((true, _))) {
        return Err(
            "its subject is empty and it has no critical subject alternative name \
                    (RFC 5280 §4.1.2.6, §4.2.1.6)"
                .into(),
        );
    }
    if let Some(names) = cert.decoded::<SubjectAltName>().map_err(bad)? {
        if names.0.is_empty() {
            return Err(
                "its subject alternative name extension is empty (RFC 5280 §4.2.1.6)".into(),
            );
        }
        // §4.2.1.6: a dNSName in the preferred name syntax, an iPAddress of 4 or 16 octets.
        for name in &names.0 {
            match name {
                x509_cert::ext::pkix::name::GeneralName::DnsName(dns) => {
                    constraints::dns_name_syntax(dns.as_str(), true)
                        .map_err(|e| format!("its subject alternative name {e}"))?;
                }
                x509_cert::ext::pkix::name::GeneralName::IpAddress(ip)
                    if ip.as_bytes().len() != 4 && ip.as_bytes().len() != 16 =>
                {
                    return Err(format!(
                        "its subject alternative name iPAddress has {} octets (RFC 5280 \
                         §4.2.1.6: 4 for IPv4, 16 for IPv6)",
                        ip.as_bytes().len()
                    ));
                }
                _ => {}
            }
        }
    }
    // §4.2.1.12: KeyPurposeId SIZE (1..MAX).
    if cert
        .decoded::<ExtendedKeyUsage>()
        .map_err(bad)?
        .is_some_and(|e| e.0.is_empty())
    {
        return Err("its extended key usage extension is empty (RFC 5280 §4.2.1.12)".into());
    }
    Ok(())
}

/// A cache of validated paths, keyed by the leaf, the supplied intermediates, the trust list and
/// the options' requirements, all by full SHA-256 digests or values. A hit needs the validation
/// time inside the cached chain's validity window (the only time-dependent part of path
/// validation here), so it returns exactly what [`validate`] would. Failures are not cached. It
/// holds at most its capacity in paths and [`PATH_CACHE_MAX_BYTES`] bytes of chains (when
/// either is reached it is emptied and refilled), so public requests cannot grow it past that.
/// Safe to share between threads.
#[derive(Debug)]
pub struct PathCache {
    entries: RwLock<Entries>,
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
    policy: PolicyOptions,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<CacheKey, CacheEntry>,
    /// The DER bytes of the chains held.
    bytes: usize,
    /// A copy of the entry inserted last (one the map holds), compared field by field before a
    /// key is built and hashed: a batch by one signer asks for the same path every document.
    last: Option<(CacheKey, CacheEntry)>,
}

#[derive(Debug, Clone)]
struct CacheEntry {
    /// Shared with every report that uses it: a hit costs a reference count, not a copy of
    /// the chain and the center's name.
    path: Arc<ValidPath>,
    from: OffsetDateTime,
    until: OffsetDateTime,
}

impl CacheEntry {
    /// The path, when it is valid at `at`.
    fn at(&self, at: OffsetDateTime) -> Option<&Arc<ValidPath>> {
        (self.from <= at && at <= self.until).then_some(&self.path)
    }
}

impl CacheKey {
    /// Whether this is the key [`cache_key`] would build from these inputs (without building it).
    fn is_for(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        trust: &TrustList,
        opts: &PathOptions,
    ) -> bool {
        self.leaf == *leaf.sha256()
            && self.intermediates.len() == intermediates.len()
            && self
                .intermediates
                .iter()
                .zip(intermediates)
                .all(|(k, c)| k == c.sha256())
            && self.trust == *trust.id()
            && self.required_eku == opts.required_eku
            && self.policy == opts.policy
    }
}

impl PathCache {
    /// A cache holding at most `capacity` paths (when full, it is emptied and refilled).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(Entries::default()),
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
        self.validate_shared(leaf, intermediates, trust, opts)
            .map(Arc::unwrap_or_clone)
    }

    /// [`PathCache::validate`] giving the cached path itself, shared (the verifier's hot path).
    pub(crate) fn validate_shared(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        trust: &TrustList,
        opts: &PathOptions,
    ) -> Result<Arc<ValidPath>, PathFailure> {
        if let Ok(entries) = self.entries.read()
            && let Some((key, entry)) = &entries.last
            && key.is_for(leaf, intermediates, trust, opts)
            && let Some(path) = entry.at(opts.at)
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(path.clone());
        }
        let key = cache_key(leaf, intermediates, trust, opts);
        if let Ok(entries) = self.entries.read()
            && let Some(path) = entries.map.get(&key).and_then(|e| e.at(opts.at))
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(path.clone());
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let path = Arc::new(validate(leaf, intermediates, trust, opts)?);
        let (from, until) = path.validity_window();
        let size: usize = path.chain.iter().map(|c| c.der().len()).sum();
        if let Ok(mut entries) = self.entries.write() {
            if entries.map.len() >= self.capacity
                || entries.bytes.saturating_add(size) > PATH_CACHE_MAX_BYTES
            {
                entries.map.clear();
                entries.bytes = 0;
            }
            entries.bytes = entries.bytes.saturating_add(size);
            let entry = CacheEntry {
                path: path.clone(),
                from,
                until,
            };
            entries.last = Some((key.clone(), entry.clone()));
            entries.map.insert(key, entry);
        }
        Ok(path)
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
        self.entries.read().map(|e| e.map.len()).unwrap_or(0)
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
        policy: opts.policy.clone(),
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

/// The DER of a certificate's tbsCertificate.
fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    let mut reader = SliceReader::new(der).ok()?;
    Header::decode(&mut reader).ok()?;
    reader.tlv_bytes().ok()
}
