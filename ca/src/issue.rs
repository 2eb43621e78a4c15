//! Issuing registration certificates (EDS law art. 14, 14-1, 15, 21.1(1)–(2)).
//!
//! One issuance is: look up the facts, apply the refusal rules, take the public key (from a
//! PKCS#10 request whose self-signature must verify, or from a key pair the center generates),
//! sign, and record the certificate in the register in one transaction. The certificate leaves the
//! center only after that transaction commits, so a process killed at any step leaves no
//! certificate without a register row; serials are unique in the register, so none is used twice.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use rcgen::SubjectPublicKeyInfo;
use ring::rand::SecureRandom;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use zeroize::Zeroizing;

use eds_profile::holder::{self, HolderKind, KeyPurpose, Organization, Role, SubjectSpec};
use eds_profile::kz_time::legal_date;
use eds_profile::request::{
    self, Accepted, EntityFacts, Facts, PersonFacts, Refusal, RegistrationRequest, Warning,
};

use crate::center::{Center, ISSUING, IssuingKey, truncate_to_seconds};
use crate::certs::{self, OwnerConstants, OwnerTemplate};
use crate::config::KeyPolicy;
use crate::error::CaError;
use crate::key_policy;
use crate::keys::KeyAlgorithm;
use crate::owner_der::{self, OwnerEncoder, OwnerFields};
use crate::store::{AuditEvent, CertificateRecord, NewRefusal, Serial};

/// Where the owner's public key comes from.
#[derive(Debug, Clone, Copy)]
pub enum KeySource<'a> {
    /// A PKCS#10 request in PEM (the request's `csr_pem` when this is `None`).
    Csr(Option<&'a str>),
    /// The center generates the key pair (art. 21.1(1)).
    Generate(KeyAlgorithm),
    /// A public key whose possession the caller has already established (for instance from a
    /// PKCS#10 request it verified when the request came in). The center does not check
    /// possession again (a caller that has not verified it must pass the CSR instead), but applies
    /// the key policy and the one-key-one-holder rule (art. 21.1) as to any key.
    PublicKey(&'a SubjectPublicKeyInfo),
}

/// The steps of one issuance, reported to the caller's observer as they complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueStep {
    /// The request passed the rules of art. 14 and 14-1.
    Accepted,
    /// The certificate is signed but not yet recorded.
    Signed,
    /// The certificate is recorded in the register.
    Recorded,
}

/// A key pair the center generated for the owner. The caller hands it over (encrypted PKCS#8,
/// PKCS#12) and drops it; the center keeps no copy.
pub struct GeneratedKey {
    /// PKCS#8 DER of the private key.
    pub pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GeneratedKey([elided])")
    }
}

/// The result of an issuance.
#[derive(Debug)]
pub struct Issued {
    /// The register row, with the certificate's DER.
    pub record: CertificateRecord,
    /// The generated key, when the center made one.
    pub key: Option<GeneratedKey>,
    /// What the assessment noticed without refusing (a registry birth date that differs from
    /// the IIN's digits, …); also recorded in the audit entry of the issuance.
    pub warnings: Vec<Warning>,
}

impl Center {
    /// Looks up in the register what the rules need to know about a request.
    pub fn facts_for(&self, req: &RegistrationRequest, on: time::Date) -> Result<Facts, CaError> {
        Ok(self.look_up(req, on, None)?.0)
    }

    /// [`Center::facts_for`] and, when `key` (a public key's SHA-256) is given, the register's
    /// certificates of that key: one read of the register ([`RegistryStore::request_facts`]).
    ///
    /// [`RegistryStore::request_facts`]: crate::store::RegistryStore::request_facts
    fn look_up(
        &self,
        req: &RegistrationRequest,
        on: time::Date,
        key: Option<&[u8; 32]>,
    ) -> Result<(Facts, Vec<CertificateRecord>), CaError> {
        let bin = req.legal_entity.as_ref().map(|e| e.bin.as_str());
        let found = self
            .store()
            .request_facts(&req.applicant.iin, bin, on, key)?;
        let person = found.person.map(|p| PersonFacts {
            surname: p.surname,
            name: p.name,
            patronymic: p.patronymic,
            birth_date: p.birth_date,
            death_date: p.death_date,
        });
        let entity = found.entity.map(|e| EntityFacts {
            name: e.name,
            head_iin: e.head_iin,
            liquidated_on: e.liquidated_on,
        });
        let court_decisions = found.bans.into_iter().map(|b| b.court_decision).collect();
        Ok((
            Facts {
                person,
                entity,
                court_decisions,
            },
            found.same_key,
        ))
    }

    /// Issues a registration certificate for `req`, or refuses on a ground of art. 14-1 and
    /// records the refusal.
    #[expect(
        clippy::too_many_arguments,
        reason = "clock, randomness and observer are explicit parameters by design"
    )]
    pub fn issue(
        &self,
        key: &IssuingKey,
        req: &RegistrationRequest,
        source: KeySource<'_>,
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
        observe: &mut dyn FnMut(IssueStep),
    ) -> Result<Issued, CaError> {
        let issued = self.prepare_issue(key, req, source, actor, now, rng, observe)?;
        self.record_issued(&issued, actor, now)?;
        observe(IssueStep::Recorded);
        Ok(issued)
    }

    /// Records a signed certificate in the register: the step after which it may leave the
    /// center. A caller that must store a generated key before the certificate is recorded calls
    /// [`Center::prepare_issue`], stores the key, then calls this.
    pub fn record_issued(
        &self,
        issued: &Issued,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), CaError> {
        self.store()
            .insert_certificate(&issued.record, &issued_audit(issued, actor, now))?;
        Ok(())
    }

    /// Accepts and signs without recording: the certificate exists only in the returned value
    /// until [`Center::record_issued`] commits it. Dropping it leaves no trace but the audit
    /// entries of refusals.
    #[expect(
        clippy::too_many_arguments,
        reason = "clock, randomness and observer are explicit parameters by design"
    )]
    pub fn prepare_issue(
        &self,
        key: &IssuingKey,
        req: &RegistrationRequest,
        source: KeySource<'_>,
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
        observe: &mut dyn FnMut(IssueStep),
    ) -> Result<Issued, CaError> {
        let now = truncate_to_seconds(now);
        let policy = &self.config().key_policy;
        // A key that needs no randomness (a CSR, a given key) is read first, so that its
        // SHA-256 joins the register read of the request's facts: one read for both. Its error
        // or refusal is held, and still comes after the assessment's, as when it was read after.
        let early = match source {
            KeySource::Generate(_) => None,
            KeySource::Csr(_) | KeySource::PublicKey(_) => {
                Some(public_key(req, source, policy, rng))
            }
        };
        let digest = match &early {
            Some(Ok(Ok((spki, _)))) => Some(key_policy::spki_sha256(spki)),
            _ => None,
        };
        self.check_active(now)?;
        let (facts, same_key) = self.look_up(req, legal_date(now), digest.as_ref())?;
        let accepted = self.assess_or_refuse(req, &facts, actor, now)?;
        let owner_key = match early {
            Some(k) => k,
            None => public_key(req, source, policy, rng),
        };
        let (public, generated) = match owner_key? {
            Ok(key) => key,
            Err(refusal) => return Err(self.refuse(req, refusal, actor, now)?),
        };
        if generated.is_none() {
            let public_sha256 = key_policy::spki_sha256(&public);
            let found = match digest {
                Some(d) if d == public_sha256 => same_key,
                _ => self.store().certificates_by_key(&public_sha256)?,
            };
            if let Some(refusal) = register_refusal(req, found) {
                return Err(self.refuse(req, refusal, actor, now)?);
            }
        }
        observe(IssueStep::Accepted);
        let serial = certs::time_ordered_serial(now, rng)?;
        let constants = OwnerConstants::new(self.config())?;
        let owner = OwnerInput {
            req,
            accepted: &accepted,
            facts: &facts,
            public: &public,
            serial,
        };
        let record = self.sign_owner_with_serial(key, &owner, now, &constants, None)?;
        observe(IssueStep::Signed);
        Ok(Issued {
            record,
            key: generated,
            warnings: accepted.warnings,
        })
    }

    /// Applies art. 14 and 14-1 to `req`; a refusal is recorded in the register (with its own audit
    /// entry) before it is returned as [`CaError::Refused`].
    pub fn accept(
        &self,
        req: &RegistrationRequest,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(Accepted, Facts), CaError> {
        self.check_active(now)?;
        let facts = self.facts_for(req, legal_date(now))?;
        let accepted = self.assess_or_refuse(req, &facts, actor, now)?;
        Ok((accepted, facts))
    }

    /// The rules of art. 14 and 14-1 over facts already looked up; a refusal is recorded.
    fn assess_or_refuse(
        &self,
        req: &RegistrationRequest,
        facts: &Facts,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Accepted, CaError> {
        match request::assess(req, facts, legal_date(now)) {
            Ok(a) => Ok(a),
            Err(refusal) => Err(self.refuse(req, refusal, actor, now)?),
        }
    }

    /// Records `refusal` of `req` in the register with its audit entry, and returns the
    /// [`CaError::Refused`] to give back.
    fn refuse(
        &self,
        req: &RegistrationRequest,
        refusal: Refusal,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<CaError, CaError> {
        let record = self.store().record_refusal(
            &NewRefusal {
                at: now,
                ground: refusal.ground(),
                detail: refusal.to_string(),
                iin: Some(req.applicant.iin.clone()),
                bin: req.legal_entity.as_ref().map(|e| e.bin.clone()),
                request_json: serde_json::to_string(req).unwrap_or_default(),
            },
            &AuditEvent {
                at: now,
                actor: actor.to_owned(),
                action: "issuance-refused".into(),
                details: json!({
                    "ground": refusal.ground().as_str(),
                    "article": refusal.ground().article(),
                    "finding": refusal.to_string(),
                    "iin": req.applicant.iin,
                }),
            },
        )?;
        Ok(CaError::Refused { refusal, record })
    }

    /// EDS law art. 21.1, one public key for one holder: the refusal when the key with SHA-256
    /// `digest` is certified in the register, or taken by an earlier request of the same batch
    /// (`batch`), for a holder other than `req`'s (its IIN and BIN, the BIN absent for an
    /// individual). The same holder may have the key certified again.
    fn key_of_another_holder(
        &self,
        req: &RegistrationRequest,
        digest: &[u8; 32],
        batch: &HashMap<[u8; 32], Who<'_>>,
    ) -> Result<Option<Refusal>, CaError> {
        if let Some(refusal) = batch_refusal(req, digest, batch) {
            return Ok(Some(refusal));
        }
        let found = self.store().certificates_by_key(digest)?;
        Ok(register_refusal(req, found))
    }

    /// Issues certificates for many requests on as many threads as the machine has cores; see
    /// [`Center::issue_batch_on`].
    pub fn issue_batch(
        &self,
        key: &IssuingKey,
        batch: &[(RegistrationRequest, KeySource<'_>)],
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Vec<Result<Issued, CaError>>, CaError> {
        let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
        self.issue_batch_on(key, batch, actor, now, rng, threads)
    }

    /// Issues certificates for many requests, all as of one instant `now`, and records the
    /// accepted ones in one register transaction (all or none). The result has one entry per
    /// request, in the batch's order: the issued certificate, or the request's
    /// [`CaError::Refused`] (recorded in the register like any refusal), which does not stop the
    /// others. Any other error (a malformed CSR, a register failure) stops the batch and no
    /// certificate of it is recorded; refusals already assessed stay recorded.
    ///
    /// Steps: every request is assessed in order, with the registry facts looked up once per
    /// distinct (IIN, BIN) of the batch (one `now`, no register write in between, so they cannot
    /// differ), then its key against the key policy and against the register and the batch's
    /// earlier requests (one key, one holder: of two requests with one key for two holders, the
    /// later is refused; the refusal stays recorded even if the batch then fails); serials are
    /// drawn and generated keys made in order, from `rng`; then the CSR checks
    /// and signatures, which need no register and no `rng`, run on up to `threads` threads, chunk
    /// by chunk, while the calling thread writes the finished chunks in the batch's order into
    /// the one register transaction, which commits with the batch's audit entry at the end.
    pub fn issue_batch_on(
        &self,
        key: &IssuingKey,
        batch: &[(RegistrationRequest, KeySource<'_>)],
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
        threads: NonZeroUsize,
    ) -> Result<Vec<Result<Issued, CaError>>, CaError> {
        let now = truncate_to_seconds(now);
        self.check_active(now)?;
        // 1. Assess in order; facts once per (IIN, BIN).
        let mut facts_of: HashMap<Who<'_>, Facts> = HashMap::new();
        let mut assessed: Vec<Result<(Accepted, Who<'_>), CaError>> =
            Vec::with_capacity(batch.len());
        let policy = &self.config().key_policy;
        let mut keys_of: HashMap<[u8; 32], Who<'_>> = HashMap::new();
        for (req, source) in batch {
            let who = (
                req.applicant.iin.as_str(),
                req.legal_entity.as_ref().map(|e| e.bin.as_str()),
            );
            let facts = match facts_of.entry(who) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => v.insert(self.facts_for(req, legal_date(now))?),
            };
            let accepted = match self.assess_or_refuse(req, facts, actor, now) {
                Ok(accepted) => accepted,
                Err(e @ CaError::Refused { .. }) => {
                    assessed.push(Err(e));
                    continue;
                }
                Err(other) => return Err(other),
            };
            // The key rules (art. 21.1): type and size, then one key for one holder, against the
            // register and the batch's earlier requests. The CSR's self-signature is verified
            // later, on the signing threads.
            let spki = match source {
                KeySource::Generate(_) => None,
                KeySource::Csr(pem_text) => {
                    let text = pem_text
                        .or(req.csr_pem.as_deref())
                        .ok_or(CaError::NoPublicKey)?;
                    Some(read_csr(text, policy, false)?)
                }
                KeySource::PublicKey(spki) => {
                    Some(check_given_key(&owner_der::spki_der(spki), policy)?)
                }
            };
            let refusal = match spki {
                None => None,
                Some(Err(refusal)) => Some(refusal),
                Some(Ok(spki)) => {
                    let digest = key_policy::spki_sha256(&spki);
                    let refusal = self.key_of_another_holder(req, &digest, &keys_of)?;
                    if refusal.is_none() {
                        keys_of.entry(digest).or_insert(who);
                    }
                    refusal
                }
            };
            match refusal {
                Some(refusal) => assessed.push(Err(self.refuse(req, refusal, actor, now)?)),
                None => assessed.push(Ok((accepted, who))),
            }
        }
        // 2. Serials and generated keys, in order, from `rng`.
        let mut jobs = Vec::with_capacity(assessed.len());
        let mut generated = Vec::with_capacity(assessed.len());
        let accepted_count = assessed.iter().filter(|a| a.is_ok()).count();
        let mut serials = certs::time_ordered_serials(now, accepted_count, rng)?.into_iter();
        for ((req, source), a) in batch.iter().zip(&assessed) {
            let Ok((accepted, who)) = a else { continue };
            let facts = facts_of.get(who).ok_or_else(|| CaError::Internal {
                reason: "issue_batch: facts of an assessed request are missing".into(),
            })?;
            let serial = serials.next().ok_or_else(|| CaError::Internal {
                reason: "issue_batch: fewer serials than accepted requests".into(),
            })?;
            let public = match source {
                KeySource::Generate(alg) => {
                    let (pair, pkcs8) = alg.generate(rng)?;
                    generated.push(Some(GeneratedKey { pkcs8 }));
                    JobKey::Ready(pair.spki_der())
                }
                KeySource::Csr(pem_text) => {
                    generated.push(None);
                    JobKey::Csr(
                        pem_text
                            .or(req.csr_pem.as_deref())
                            .ok_or(CaError::NoPublicKey)?,
                    )
                }
                KeySource::PublicKey(spki) => {
                    generated.push(None);
                    JobKey::Ready(owner_der::spki_der(spki))
                }
            };
            jobs.push(SignJob {
                req,
                accepted,
                facts,
                public,
                serial,
            });
        }
        // 3. and 4. CSR checks and signatures, in parallel, recorded in order in one register
        // transaction.
        let records = self.sign_and_record(key, &jobs, now, threads, |records| AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: "certificates-issued".into(),
            details: json!({
                "count": records.len(),
                "serials": records.iter().map(|r| r.serial.to_string()).collect::<Vec<_>>(),
            }),
        })?;
        drop(jobs);
        let mut records = records.into_iter().zip(generated);
        let mut out = Vec::with_capacity(assessed.len());
        for a in assessed {
            match a {
                Ok((accepted, _)) => {
                    let (record, key) = records.next().ok_or_else(|| CaError::Internal {
                        reason: "issue_batch: fewer certificates than accepted requests".into(),
                    })?;
                    out.push(Ok(Issued {
                        record,
                        key,
                        warnings: accepted.warnings,
                    }));
                }
                Err(e) => out.push(Err(e)),
            }
        }
        Ok(out)
    }

    /// Signs `jobs` and records them in one register transaction with the audit entry
    /// `audit(records)`; returns the records in the jobs' order. The first error in that order
    /// wins, and then nothing is recorded.
    ///
    /// On one thread: every job signed, then the transaction. On more: the threads sign chunks
    /// of the batch as they come (an atomic counter hands them out), and this thread, between its
    /// own chunks, writes each finished chunk into the open transaction once the chunks before it
    /// are written, so that the register write, which only one thread can do, overlaps the
    /// signing instead of following it.
    fn sign_and_record(
        &self,
        key: &IssuingKey,
        jobs: &[SignJob<'_>],
        now: OffsetDateTime,
        threads: NonZeroUsize,
        audit: impl FnOnce(&[CertificateRecord]) -> AuditEvent,
    ) -> Result<Vec<CertificateRecord>, CaError> {
        let constants = OwnerConstants::new(self.config())?;
        let constants = &constants;
        // rcgen builds the first certificate; the rest are written like it (`owner_der`). Should
        // the encoder not take the model, rcgen builds them all.
        let Some((first, jobs)) = jobs.split_first() else {
            return Ok(Vec::new());
        };
        let model = self.sign_job(key, first, now, constants, None)?;
        let encoder = OwnerEncoder::from_model(&model.der).ok();
        let encoder = encoder.as_ref();
        let sign_slice = |slice: &[SignJob<'_>]| -> Result<Vec<CertificateRecord>, CaError> {
            slice
                .iter()
                .map(|j| self.sign_job(key, j, now, constants, encoder))
                .collect()
        };
        // A thread costs tens of µs to start: below this many jobs each, one thread does it all.
        const MIN_JOBS_PER_THREAD: usize = 16;
        let threads = threads.get().min(jobs.len() / MIN_JOBS_PER_THREAD).max(1);
        let mut records = Vec::with_capacity(jobs.len() + 1);
        records.push(model);
        if threads == 1 {
            records.extend(sign_slice(jobs)?);
            self.store()
                .insert_certificates(&records, &audit(&records))?;
            return Ok(records);
        }
        // About eight chunks per worker: small enough that the last write follows the last
        // signature closely, large enough that handing them out costs nothing.
        let chunk = (jobs.len() / (threads * 8)).clamp(8, 256);
        let chunks: Vec<&[SignJob<'_>]> = jobs.chunks(chunk).collect();
        let next = AtomicUsize::new(0);
        let mut batch = self.store().begin_certificates()?;
        batch.insert(&records)?;
        let (done, finished) = mpsc::channel::<(usize, Result<Vec<CertificateRecord>, CaError>)>();
        std::thread::scope(|scope| -> Result<(), CaError> {
            // This thread is one of the `threads`: it signs too when no chunk waits to be written.
            let workers: Vec<_> = (1..threads)
                .map(|_| {
                    let done = done.clone();
                    let (chunks, next, sign_slice) = (&chunks, &next, &sign_slice);
                    scope.spawn(move || {
                        loop {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            let Some(slice) = chunks.get(index) else {
                                break;
                            };
                            if done.send((index, sign_slice(slice))).is_err() {
                                break; // the receiving side gave up: stop signing
                            }
                        }
                    })
                })
                .collect();
            drop(done);
            let outcome = (|| -> Result<(), CaError> {
                // Moved in, so that leaving early drops it and the workers stop at their next
                // chunk.
                let finished = finished;
                let mut waiting = BTreeMap::new();
                let mut written = 0;
                while written < chunks.len() {
                    waiting.extend(finished.try_iter());
                    if let Some(part) = waiting.remove(&written) {
                        let part: Vec<CertificateRecord> = part?;
                        batch.insert(&part)?;
                        records.extend(part);
                        written += 1;
                        continue;
                    }
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if let Some(slice) = chunks.get(index) {
                        waiting.insert(index, sign_slice(slice));
                        continue;
                    }
                    // Everything is handed out: wait for the workers' last chunks.
                    match finished.recv() {
                        Ok((index, part)) => {
                            waiting.insert(index, part);
                        }
                        Err(_) => {
                            return Err(CaError::Internal {
                                reason: "a signing thread of issue_batch stopped early".into(),
                            });
                        }
                    }
                }
                Ok(())
            })();
            // Joined here, so that a worker's panic becomes an error instead of unwinding
            // through the scope.
            let mut panicked = false;
            for worker in workers {
                panicked |= worker.join().is_err();
            }
            if panicked {
                return Err(CaError::Internal {
                    reason: "a signing thread of issue_batch panicked".into(),
                });
            }
            outcome
        })?;
        batch.commit(&audit(&records))?;
        Ok(records)
    }

    fn sign_job(
        &self,
        key: &IssuingKey,
        job: &SignJob<'_>,
        now: OffsetDateTime,
        constants: &OwnerConstants,
        encoder: Option<&OwnerEncoder>,
    ) -> Result<CertificateRecord, CaError> {
        let checked;
        let public = match &job.public {
            JobKey::Ready(spki) => spki,
            JobKey::Csr(text) => {
                checked = read_csr(text, &self.config().key_policy, true)?.map_err(|r| {
                    CaError::Internal {
                        reason: format!("issue_batch: a request's key passed, then failed: {r}"),
                    }
                })?;
                &checked
            }
        };
        let owner = OwnerInput {
            req: job.req,
            accepted: job.accepted,
            facts: job.facts,
            public,
            serial: job.serial,
        };
        self.sign_owner_with_serial(key, &owner, now, constants, encoder)
    }

    /// Builds and signs an owner certificate for an accepted request (no register write).
    #[expect(
        clippy::too_many_arguments,
        reason = "clock and randomness are explicit parameters by design"
    )]
    pub fn sign_owner(
        &self,
        key: &IssuingKey,
        req: &RegistrationRequest,
        accepted: &Accepted,
        facts: &Facts,
        public: &SubjectPublicKeyInfo,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<CertificateRecord, CaError> {
        let serial = certs::time_ordered_serial(now, rng)?;
        let constants = OwnerConstants::new(self.config())?;
        let public = owner_der::spki_der(public);
        let owner = OwnerInput {
            req,
            accepted,
            facts,
            public: &public,
            serial,
        };
        self.sign_owner_with_serial(key, &owner, now, &constants, None)
    }

    /// [`Center::sign_owner`] with the serial already drawn.
    ///
    /// With an `encoder` (batches: made from the batch's first certificate) the certificate's DER
    /// is written by [`OwnerEncoder`]; without one, rcgen builds it. Both give the same bytes.
    fn sign_owner_with_serial(
        &self,
        key: &IssuingKey,
        owner: &OwnerInput<'_>,
        now: OffsetDateTime,
        constants: &OwnerConstants,
        encoder: Option<&OwnerEncoder>,
    ) -> Result<CertificateRecord, CaError> {
        let OwnerInput {
            req,
            accepted,
            facts,
            public,
            serial,
        } = *owner;
        let kind = req.kind();
        // The registry's spelling wins: it is what identifies the owner (art. 15.1(2)).
        let (surname, name, patronymic) = match &facts.person {
            Some(p) => (p.surname.clone(), p.name.clone(), p.patronymic.clone()),
            None => (
                req.applicant.surname.clone(),
                req.applicant.name.clone(),
                req.applicant.patronymic.clone(),
            ),
        };
        let subject = SubjectSpec {
            surname: holder::upper_case(&surname),
            name: holder::upper_case(&name),
            patronymic: patronymic.map(|p| holder::upper_case(&p)),
            iin: accepted.iin,
            organization: req.legal_entity.as_ref().zip(accepted.bin).map(|(e, bin)| {
                let name = facts
                    .entity
                    .as_ref()
                    .map_or(e.name.clone(), |f| f.name.clone());
                Organization { name, bin }
            }),
        };
        let roles: Vec<Role> = req
            .roles
            .iter()
            .copied()
            .filter(|r| !matches!(r, Role::Individual | Role::LegalEntity))
            .collect();
        let not_after = (now + Duration::days(i64::from(self.config().leaf_validity_days)))
            .min(self.issuing_not_after());
        // Art. 15.2: agreed additional information goes through rcgen, the reference builder
        // (the batch encoder writes only what every owner's certificate has).
        let email = req
            .additional_info
            .as_ref()
            .and_then(|i| i.email.as_deref());
        let (der, subject_text) = match encoder.filter(|_| email.is_none()) {
            Some(encoder) => {
                let attributes = holder::subject_attributes(&subject)
                    .map_err(|e| CaError::build("subject", e))?;
                let eku = holder::extended_key_usages(kind, &roles, req.key_purpose)
                    .map_err(|e| CaError::build("extended key usage", e))?;
                let der = encoder.certificate(
                    &OwnerFields {
                        attributes: &attributes,
                        serial: &serial,
                        not_before: now,
                        not_after,
                        spki: public,
                        purpose: req.key_purpose,
                        eku: &eku,
                    },
                    key.key(),
                )?;
                (der, certs::subject_text(&attributes))
            }
            None => {
                let (params, subject_text) = certs::owner_params_with(
                    &OwnerTemplate {
                        subject: &subject,
                        kind,
                        roles: &roles,
                        purpose: req.key_purpose,
                        serial,
                        not_before: now,
                        not_after,
                        email,
                    },
                    constants,
                )?;
                let der = key.certify(params, public, "registration certificate")?;
                (der, subject_text)
            }
        };
        Ok(CertificateRecord {
            serial: Serial::from_der_content(&serial).map_err(|e| CaError::Internal {
                reason: format!("new serial: {e}"),
            })?,
            issuer: ISSUING.to_owned(),
            subject: subject_text,
            kind: match kind {
                HolderKind::Individual => "individual",
                HolderKind::LegalEntity => "legal-entity",
            }
            .to_owned(),
            iin: Some(req.applicant.iin.clone()),
            bin: req.legal_entity.as_ref().map(|e| e.bin.clone()),
            key_purpose: Some(
                match req.key_purpose {
                    KeyPurpose::Signing => "signing",
                    KeyPurpose::Authentication => "authentication",
                }
                .to_owned(),
            ),
            not_before: now,
            not_after,
            issued_at: now,
            confidential: req.confidential,
            der,
            revocation: None,
        })
    }
}

/// Whom a request's registry facts are about: the applicant's IIN and the entity's BIN.
type Who<'a> = (&'a str, Option<&'a str>);

/// What one owner certificate is made from, besides the center's key and clock.
#[derive(Clone, Copy)]
struct OwnerInput<'a> {
    req: &'a RegistrationRequest,
    accepted: &'a Accepted,
    facts: &'a Facts,
    /// The owner's SubjectPublicKeyInfo, DER.
    public: &'a [u8],
    serial: [u8; 20],
}

/// One accepted request of a batch, ready to sign.
struct SignJob<'a> {
    req: &'a RegistrationRequest,
    accepted: &'a Accepted,
    facts: &'a Facts,
    public: JobKey<'a>,
    serial: [u8; 20],
}

/// The public key of a [`SignJob`]: one the center generated, one the caller vouches for, or a
/// CSR still to check (on the signing thread).
enum JobKey<'a> {
    /// A SubjectPublicKeyInfo, DER.
    Ready(Vec<u8>),
    Csr(&'a str),
}

/// The refusal of one key for one holder (EDS law art. 21.1) when the key, with SHA-256
/// `digest`, was taken by an earlier request of the same batch for another holder than `req`'s.
fn batch_refusal(
    req: &RegistrationRequest,
    digest: &[u8; 32],
    batch: &HashMap<[u8; 32], Who<'_>>,
) -> Option<Refusal> {
    let who = who_of(req);
    batch
        .get(digest)
        .filter(|other| **other != who)
        .map(|other| Refusal::KeyOfAnotherHolder {
            serial: None,
            holder: holder_text(Some(other.0), other.1),
        })
}

/// The refusal of one key for one holder (EDS law art. 21.1) when one of `found`, the
/// register's certificates of the key (as `certificates_by_key` gives them), is another
/// holder's than `req`'s.
fn register_refusal(req: &RegistrationRequest, found: Vec<CertificateRecord>) -> Option<Refusal> {
    let who = who_of(req);
    found
        .into_iter()
        .find(|c| (c.iin.as_deref(), c.bin.as_deref()) != (Some(who.0), who.1))
        .map(|c| Refusal::KeyOfAnotherHolder {
            serial: Some(c.serial.to_string()),
            holder: match c.iin.as_deref() {
                Some(iin) => holder_text(Some(iin), c.bin.as_deref()),
                None => c.subject,
            },
        })
}

/// Reads and checks the owner's public key (the center's key policy, then the CSR's
/// self-signature), or generates the key pair. A key the policy refuses is the inner `Err`.
fn public_key(
    req: &RegistrationRequest,
    source: KeySource<'_>,
    policy: &KeyPolicy,
    rng: &dyn SecureRandom,
) -> Result<Result<KeyWithSource, Refusal>, CaError> {
    match source {
        KeySource::Generate(alg) => {
            let (pair, pkcs8) = alg.generate(rng)?;
            let spki = pair.spki_der();
            Ok(check_given_key(&spki, policy)?.map(|spki| (spki, Some(GeneratedKey { pkcs8 }))))
        }
        KeySource::Csr(pem_text) => {
            let text = pem_text
                .or(req.csr_pem.as_deref())
                .ok_or(CaError::NoPublicKey)?;
            Ok(read_csr(text, policy, true)?.map(|spki| (spki, None)))
        }
        KeySource::PublicKey(spki) => {
            Ok(check_given_key(&owner_der::spki_der(spki), policy)?.map(|spki| (spki, None)))
        }
    }
}

/// An owner's SubjectPublicKeyInfo (DER) and, when the center generated it, the private key.
type KeyWithSource = (Vec<u8>, Option<GeneratedKey>);

/// Applies the key policy to a public key that comes without a request.
fn check_given_key(der: &[u8], policy: &KeyPolicy) -> Result<Result<Vec<u8>, Refusal>, CaError> {
    let (_, parsed) =
        x509_parser::x509::SubjectPublicKeyInfo::from_der(der).map_err(|e| CaError::Internal {
            reason: format!("public key does not re-parse: {e}"),
        })?;
    Ok(key_policy::check_key(&parsed, policy).map(|()| der.to_vec()))
}

/// The audit entry of an issued certificate.
pub(crate) fn issued_audit(issued: &Issued, actor: &str, now: OffsetDateTime) -> AuditEvent {
    let record = &issued.record;
    AuditEvent {
        at: truncate_to_seconds(now),
        actor: actor.to_owned(),
        action: "certificate-issued".into(),
        details: json!({
            "serial": record.serial.to_string(),
            "subject": record.subject,
            "kind": record.kind,
            "key_purpose": record.key_purpose,
            "key_generated_by_center": issued.key.is_some(),
            "warnings": issued.warnings,
        }),
    }
}

/// Parses a PKCS#10 request (RFC 2986), verifies its self-signature (proof of possession of the
/// private key) and returns its public key, under the default [`KeyPolicy`]; a key or signature
/// algorithm the policy refuses is a [`CaError::BadCsr`] here (issuance records it as a refusal).
pub fn csr_public_key(pem_text: &str) -> Result<SubjectPublicKeyInfo, CaError> {
    let der = csr_key_der(pem_text, &KeyPolicy::default())?;
    SubjectPublicKeyInfo::from_der(&der).map_err(|e| CaError::BadCsr {
        reason: format!("unsupported public key: {e}"),
    })
}

/// The SubjectPublicKeyInfo DER a PKCS#10 request certifies, once its self-signature verifies,
/// under `policy`: a GOST center's takes GOST keys, whose self-signatures `eds-gost` verifies
/// (rcgen reads no GOST key, so the key stays DER).
pub fn csr_key_der(pem_text: &str, policy: &KeyPolicy) -> Result<Vec<u8>, CaError> {
    read_csr(pem_text, policy, true)?.map_err(|refusal| CaError::BadCsr {
        reason: refusal.to_string(),
    })
}

/// Parses a PKCS#10 request (RFC 2986) and applies the key policy: the self-signature's
/// algorithm, then the key's type and size, both before the signature is verified (when
/// `verify`), so that a key the center does not support is reported as such. Returns the
/// SubjectPublicKeyInfo DER to certify.
///
/// A GOST key's request (RFC 9215 §4 key, signed under a GOST signature identifier, the national
/// center's or TC26's) has its self-signature checked by `eds-gost` over the
/// certificationRequestInfo as encoded (RFC 2986 §4.2) and its key certified as the request
/// writes it; any other through x509-parser (ring) and rcgen.
fn read_csr(
    pem_text: &str,
    policy: &KeyPolicy,
    verify: bool,
) -> Result<Result<Vec<u8>, Refusal>, CaError> {
    let bad = |reason: String| CaError::BadCsr { reason };
    let parsed = pem::parse(pem_text).map_err(|e| bad(format!("not PEM: {e}")))?;
    if parsed.tag() != "CERTIFICATE REQUEST" && parsed.tag() != "NEW CERTIFICATE REQUEST" {
        return Err(bad(format!(
            "expected CERTIFICATE REQUEST, found {}",
            parsed.tag()
        )));
    }
    let (rest, csr) = X509CertificationRequest::from_der(parsed.contents())
        .map_err(|e| bad(format!("malformed PKCS#10: {e}")))?;
    if !rest.is_empty() {
        return Err(bad(format!(
            "{} trailing bytes after the request",
            rest.len()
        )));
    }
    let checked =
        key_policy::check_request_signature(&csr.signature_algorithm.algorithm.to_id_string())
            .and_then(|()| {
                key_policy::check_key(&csr.certification_request_info.subject_pki, policy)
            });
    if let Err(refusal) = checked {
        return Ok(Err(refusal));
    }
    let spki_raw = csr.certification_request_info.subject_pki.raw;
    let not_verified = || bad("the request's self-signature does not verify".into());
    if is_gost_key(&csr.certification_request_info.subject_pki) {
        if verify {
            let signature_oid =
                der_oid(&csr.signature_algorithm.algorithm).ok_or_else(not_verified)?;
            if csr.signature_value.unused_bits != 0 {
                return Err(not_verified());
            }
            eds_gost::verify_spki(
                spki_raw,
                &signature_oid,
                csr.certification_request_info.raw,
                &csr.signature_value.data,
            )
            .map_err(|_| not_verified())?;
        }
        return Ok(Ok(spki_raw.to_vec()));
    }
    if verify {
        csr.verify_signature().map_err(|_| not_verified())?;
    }
    SubjectPublicKeyInfo::from_der(spki_raw)
        .map(|spki| Ok(owner_der::spki_der(&spki)))
        .map_err(|e| bad(format!("unsupported public key: {e}")))
}

/// Whether a public key is of a GOST algorithm (`eds-gost`'s table: the national center's arc or
/// TC26's), which x509-parser and rcgen do not know.
fn is_gost_key(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> bool {
    der_oid(&spki.algorithm.algorithm)
        .and_then(|oid| eds_gost::algorithm(&oid))
        .is_some_and(|row| row.kind == eds_gost::Kind::PublicKey)
}

/// An object identifier of x509-parser as the `der` crate's, from its encoded arcs (const-oid
/// checks each arc's size there; reading the dotted text back overflows on an arc past 2^32,
/// as the `csr_der` fuzz target found). `None` when it does not fit.
fn der_oid(oid: &x509_parser::oid_registry::Oid<'_>) -> Option<der::asn1::ObjectIdentifier> {
    der::asn1::ObjectIdentifier::from_bytes(oid.as_bytes()).ok()
}

/// Whose request it is: the applicant's IIN and the entity's BIN, if any.
fn who_of(req: &RegistrationRequest) -> Who<'_> {
    (
        req.applicant.iin.as_str(),
        req.legal_entity.as_ref().map(|e| e.bin.as_str()),
    )
}

/// A holder as refusals name it: `IIN …`, or `IIN …, BIN …` for a legal entity's certificate.
fn holder_text(iin: Option<&str>, bin: Option<&str>) -> String {
    match (iin, bin) {
        (Some(iin), Some(bin)) => format!("IIN {iin}, BIN {bin}"),
        (Some(iin), None) => format!("IIN {iin}"),
        (None, Some(bin)) => format!("BIN {bin}"),
        (None, None) => "another holder".to_owned(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use std::num::NonZeroUsize;
    use std::path::Path;

    use rcgen::{KeyPair, PublicKeyData};
    use ring::rand::SystemRandom;
    use time::macros::datetime;

    use super::*;

    fn spki_of(pair: &KeyPair) -> Result<SubjectPublicKeyInfo, rcgen::Error> {
        SubjectPublicKeyInfo::from_der(&pair.subject_public_key_info())
    }
    use crate::config::CenterConfig;
    use crate::store::{CertificateQuery, EntityRecord, PersonRecord};
    use eds_profile::grounds::RefusalGround;

    const PASS: &[u8] = b"test passphrase";
    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00:00 UTC);

    #[derive(serde::Deserialize)]
    struct Registry {
        persons: Vec<PersonRecord>,
        entities: Vec<EntityRecord>,
    }

    fn fixture(rel: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures")
            .join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn request(name: &str) -> RegistrationRequest {
        serde_json::from_str(&fixture(&format!("requests/{name}.json"))).unwrap()
    }

    fn center(dir: &Path) -> Center {
        let rng = SystemRandom::new();
        let created = datetime!(2026-11-22 09:00 UTC);
        let center = Center::init(dir, CenterConfig::default(), PASS, created, &rng).unwrap();
        let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
        for p in &registry.persons {
            center.record_person(p, "test", created).unwrap();
        }
        for e in &registry.entities {
            center.record_entity(e, "test", created).unwrap();
        }
        center
    }

    fn owner_csr() -> (String, SubjectPublicKeyInfo) {
        let owner = KeyPair::generate().unwrap();
        let csr = rcgen::CertificateParams::default()
            .serialize_request(&owner)
            .unwrap()
            .pem()
            .unwrap();
        (csr, spki_of(&owner).unwrap())
    }

    /// Subjects (in the result's order) of a batch issued on `threads` threads.
    fn subjects(out: &[Result<Issued, CaError>]) -> Vec<Option<String>> {
        out.iter()
            .map(|r| r.as_ref().ok().map(|i| i.record.subject.clone()))
            .collect()
    }

    #[test]
    fn ok_batch_keeps_order_on_one_and_two_threads_and_records_all_in_one_transaction() {
        // One key per holder (art. 21.1), each certified again for its holder's later requests.
        let keys: Vec<(String, SubjectPublicKeyInfo)> = (0..5).map(|_| owner_csr()).collect();
        let names = [
            "individual-signing",
            "employee-signing-right",
            "refused-under-age",
            "first-head-signing",
            "individual-authentication",
        ];
        let mut batch = Vec::new();
        // 200 requests, 160 accepted: on two threads the batch is signed in chunks of 9 while
        // this thread writes them (`sign_and_record`).
        for i in 0..200 {
            let name = names[i % names.len()];
            let (csr, spki) = &keys[i % names.len()];
            let source = match i % 3 {
                0 => KeySource::Csr(Some(csr)),
                1 => KeySource::PublicKey(spki),
                _ => KeySource::Generate(KeyAlgorithm::P256),
            };
            batch.push((request(name), source));
        }
        let mut results = Vec::new();
        for threads in [1, 2] {
            let dir = tempfile::tempdir().unwrap();
            let c = center(dir.path());
            let key = c.unlock(PASS).unwrap();
            let rng = SystemRandom::new();
            let out = c
                .issue_batch_on(
                    &key,
                    &batch,
                    "test",
                    NOW,
                    &rng,
                    NonZeroUsize::new(threads).unwrap(),
                )
                .unwrap();
            assert_eq!(out.len(), 200);
            for (i, r) in out.iter().enumerate() {
                if names[i % names.len()] == "refused-under-age" {
                    let Err(CaError::Refused { refusal, .. }) = r else {
                        panic!("request {i}: expected a refusal, got {r:?}");
                    };
                    assert_eq!(refusal.ground(), RefusalGround::UnderAge);
                } else {
                    let issued = r.as_ref().unwrap();
                    assert_eq!(issued.key.is_some(), i % 3 == 2, "request {i}");
                    // 0x40, then the issuance second, then 14 random octets.
                    assert_eq!(
                        issued.record.serial.as_bytes()[..6],
                        [0x40, 0x00, 0x6B, 0x02, 0xBD, 0x20]
                    );
                    let stored = c.store().certificate(&issued.record.serial).unwrap();
                    assert_eq!(stored.as_ref().map(|s| &s.der), Some(&issued.record.der));
                }
            }
            let listed = c
                .store()
                .list_certificates(&CertificateQuery::default())
                .unwrap();
            // 160 accepted (40 of the 200 are the under-age request), listed in the batch's order.
            let owners: Vec<_> = listed
                .iter()
                .filter(|r| r.issuer == ISSUING)
                .map(|r| r.serial.clone())
                .collect();
            let issued: Vec<_> = out
                .iter()
                .filter_map(|r| Some(r.as_ref().ok()?.record.serial.clone()))
                .collect();
            assert_eq!(owners.len(), 160);
            assert_eq!(owners, issued);
            // The first certificate is rcgen's, the rest the batch encoder's: OpenSSL accepts
            // every one against the center's chain at issuance time.
            let mut files = Vec::new();
            for (i, issued) in out
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i, r.as_ref().ok()?)))
            {
                let path = dir.path().join(format!("owner-{i}.crt.pem"));
                std::fs::write(
                    &path,
                    pem::encode(&pem::Pem::new("CERTIFICATE", issued.record.der.clone())),
                )
                .unwrap();
                files.push(path);
            }
            let verified = std::process::Command::new("openssl")
                .arg("verify")
                .arg("-attime")
                .arg(NOW.unix_timestamp().to_string())
                .arg("-CAfile")
                .arg(dir.path().join("root.crt.pem"))
                .arg("-untrusted")
                .arg(dir.path().join("issuing.crt.pem"))
                .args(&files)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&verified.stdout);
            assert!(
                verified.status.success(),
                "{text}{}",
                String::from_utf8_lossy(&verified.stderr)
            );
            assert_eq!(text.matches(": OK").count(), 160, "{text}");
            results.push(subjects(&out));
        }
        assert_eq!(results[0], results[1]);
    }

    /// `n` requests for an individual's signing certificate, each with `csr`.
    fn csr_batch(csr: &str, n: usize) -> Vec<(RegistrationRequest, KeySource<'_>)> {
        (0..n)
            .map(|_| (request("individual-signing"), KeySource::Csr(Some(csr))))
            .collect()
    }

    /// `csr` with the last octet of its signature changed.
    fn with_bad_signature(csr: &str) -> String {
        let mut der = pem::parse(csr).unwrap().into_contents();
        if let Some(last) = der.last_mut() {
            *last ^= 0x01;
        }
        pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der))
    }

    fn on_two_threads(
        c: &Center,
        key: &IssuingKey,
        batch: &[(RegistrationRequest, KeySource<'_>)],
    ) -> Result<Vec<Result<Issued, CaError>>, CaError> {
        let two = NonZeroUsize::new(2).unwrap();
        c.issue_batch_on(key, batch, "test", NOW, &SystemRandom::new(), two)
    }

    /// Owners' certificates in the register.
    fn owners(c: &Center) -> usize {
        c.store()
            .list_certificates(&CertificateQuery::default())
            .unwrap()
            .iter()
            .filter(|r| r.issuer == ISSUING)
            .count()
    }

    #[test]
    fn fail_batch_on_two_threads_reports_the_first_bad_request_in_order() {
        let (csr, _) = owner_csr();
        let dir = tempfile::tempdir().unwrap();
        let c = center(dir.path());
        let key = c.unlock(PASS).unwrap();
        // 400 requests: chunks of 24 on two threads, so the two bad ones are in different
        // chunks and the later one may well be signed first.
        let mut batch = csr_batch(&csr, 400);
        let bad_signature = with_bad_signature(&csr);
        batch[350].1 = KeySource::Csr(Some(&bad_signature));
        batch[290].1 = KeySource::Csr(Some(
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        ));
        // Request 290's error (its PEM holds three octets, no PKCS#10), not request 350's.
        let first_bad = CaError::BadCsr {
            reason: "malformed PKCS#10: Parsing Error: Der(UnexpectedTag { expected: \
                     Some(Tag(16)), actual: Tag(0) })"
                .to_owned(),
        };
        assert_eq!(
            on_two_threads(&c, &key, &batch[..300]).unwrap_err(),
            first_bad
        );
        for _ in 0..3 {
            assert_eq!(on_two_threads(&c, &key, &batch).unwrap_err(), first_bad);
        }
        // Nothing of the batches is in the register, and it stays usable.
        assert_eq!(owners(&c), 0);
        let out = on_two_threads(&c, &key, &batch[..200]).unwrap();
        assert!(out.iter().all(Result::is_ok));
        assert_eq!(owners(&c), 200);
    }

    #[test]
    fn fail_batch_with_a_malformed_csr_records_no_certificate() {
        let (csr, _) = owner_csr();
        let dir = tempfile::tempdir().unwrap();
        let c = center(dir.path());
        let key = c.unlock(PASS).unwrap();
        let mut batch = csr_batch(&csr, 40);
        let bad = with_bad_signature(&csr);
        batch[37].1 = KeySource::Csr(Some(&bad));
        let err = on_two_threads(&c, &key, &batch).unwrap_err();
        let CaError::BadCsr { reason } = err else {
            panic!("expected BadCsr, got {err:?}");
        };
        assert_eq!(reason, "the request's self-signature does not verify");
        assert_eq!(owners(&c), 0);
    }

    fn issue_one(
        c: &Center,
        key: &IssuingKey,
        name: &str,
        source: KeySource<'_>,
    ) -> Result<Issued, CaError> {
        c.issue(
            key,
            &request(name),
            source,
            "test",
            NOW,
            &SystemRandom::new(),
            &mut |_| {},
        )
    }

    /// Art. 21.1: a key certified to IIN 850314300122 is refused for IIN 900701400233, with the
    /// refusal recorded in the register and the audit log; the same holder gets it again.
    #[test]
    fn fail_key_of_another_holder_and_ok_same_holder_again() {
        let (csr, spki) = owner_csr();
        let dir = tempfile::tempdir().unwrap();
        let c = center(dir.path());
        let key = c.unlock(PASS).unwrap();
        let first = issue_one(&c, &key, "individual-signing", KeySource::Csr(Some(&csr))).unwrap();
        let again = issue_one(&c, &key, "individual-signing", KeySource::PublicKey(&spki));
        assert!(again.is_ok(), "{again:?}");
        let expected = Refusal::KeyOfAnotherHolder {
            serial: Some(first.record.serial.to_string()),
            holder: "IIN 850314300122".into(),
        };
        for source in [KeySource::Csr(Some(&csr)), KeySource::PublicKey(&spki)] {
            let err = issue_one(&c, &key, "individual-authentication", source).unwrap_err();
            let CaError::Refused { refusal, record } = err else {
                panic!("expected a refusal, got {err:?}");
            };
            assert_eq!(refusal, expected);
            let stored = c.store().refusals().unwrap();
            let last = stored.iter().find(|r| r.id == record).unwrap();
            assert_eq!(last.ground, RefusalGround::KeyOfAnotherHolder);
            assert_eq!(last.iin.as_deref(), Some("900701400233"));
        }
        let audit = c.store().audit_entries(0, 1000).unwrap();
        let last = audit.last().unwrap();
        assert_eq!(last.action, "issuance-refused");
        let details: serde_json::Value = serde_json::from_str(&last.details).unwrap();
        assert_eq!(details["ground"], "key-of-another-holder");
        assert_eq!(details["article"], "21.1");
        assert_eq!(owners(&c), 2);
    }

    /// Art. 15.2: an e-mail address the participant agreed to is in the certificate, as the
    /// subject alternative name's rfc822Name, alone in a batch or not; a request without
    /// additional information gets none; an address an rfc822Name cannot hold is refused as
    /// false information and recorded.
    #[test]
    fn art15_2_agreed_email_in_the_certificate_and_invalid_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = center(dir.path());
        let key = c.unlock(PASS).unwrap();
        let (csr, _) = owner_csr();
        let plain = issue_one(&c, &key, "individual-signing", KeySource::Csr(Some(&csr))).unwrap();
        let holder = eds_profile::holder::Holder::from_der(&plain.record.der).unwrap();
        assert_eq!(holder.email, None);

        let mut req = request("individual-signing");
        req.additional_info = Some(eds_profile::request::AdditionalInfo {
            email: Some("e.akhmetov@example.kz".into()),
        });
        let (csr2, _) = owner_csr();
        let batch = vec![
            (request("individual-signing"), KeySource::Csr(Some(&csr))),
            (req.clone(), KeySource::Csr(Some(&csr2))),
        ];
        let issued = c
            .issue_batch(&key, &batch, "test", NOW, &SystemRandom::new())
            .unwrap();
        let ders: Vec<&[u8]> = issued
            .iter()
            .map(|r| r.as_ref().unwrap().record.der.as_slice())
            .collect();
        assert_eq!(
            eds_profile::holder::Holder::from_der(ders[0])
                .unwrap()
                .email,
            None
        );
        assert_eq!(
            eds_profile::holder::Holder::from_der(ders[1])
                .unwrap()
                .email
                .as_deref(),
            Some("e.akhmetov@example.kz")
        );

        req.additional_info = Some(eds_profile::request::AdditionalInfo {
            email: Some("not an address".into()),
        });
        let err = c
            .issue(
                &key,
                &req,
                KeySource::Csr(Some(&csr2)),
                "test",
                NOW,
                &SystemRandom::new(),
                &mut |_| {},
            )
            .unwrap_err();
        let CaError::Refused { refusal, .. } = err else {
            panic!("expected a refusal, got {err:?}");
        };
        assert_eq!(
            refusal,
            Refusal::InvalidAdditionalInfo {
                field: "email",
                found: "not an address".into(),
                expected: "an e-mail address local@domain in ASCII",
            }
        );
    }

    /// Two requests of one batch with one key for two holders: the later is refused, the rest
    /// is issued; a key refused by the policy is refused in a batch as in `issue`.
    #[test]
    fn fail_batch_gives_one_key_to_one_holder_only() {
        let (csr, _) = owner_csr();
        let (other_csr, _) = owner_csr();
        let dir = tempfile::tempdir().unwrap();
        let c = center(dir.path());
        let key = c.unlock(PASS).unwrap();
        let batch = vec![
            (request("individual-signing"), KeySource::Csr(Some(&csr))),
            (request("individual-signing"), KeySource::Csr(Some(&csr))),
            (
                request("individual-authentication"),
                KeySource::Csr(Some(&csr)),
            ),
            (
                request("individual-authentication"),
                KeySource::Csr(Some(&other_csr)),
            ),
        ];
        for threads in [1, 2] {
            let out = c
                .issue_batch_on(
                    &key,
                    &batch,
                    "test",
                    NOW,
                    &SystemRandom::new(),
                    NonZeroUsize::new(threads).unwrap(),
                )
                .unwrap();
            assert!(
                out[0].is_ok() && out[1].is_ok() && out[3].is_ok(),
                "{out:?}"
            );
            let Err(CaError::Refused { refusal, .. }) = &out[2] else {
                panic!("expected a refusal, got {:?}", out[2]);
            };
            // The batch's own earlier request is found first (the second run's register
            // also holds the first run's certificates).
            assert_eq!(
                refusal,
                &Refusal::KeyOfAnotherHolder {
                    serial: None,
                    holder: "IIN 850314300122".into(),
                }
            );
        }
        assert_eq!(owners(&c), 6);
    }

    /// The policy is the center's configuration: a P-384 key is refused where only P-256 is
    /// allowed, before its self-signature is looked at, and recorded as a refusal.
    #[test]
    fn fail_curve_left_out_of_the_configured_policy() {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let created = datetime!(2026-11-22 09:00 UTC);
        let config = CenterConfig {
            key_policy: KeyPolicy {
                allowed: vec![crate::config::AllowedKey::P256],
                ..KeyPolicy::default()
            },
            ..CenterConfig::default()
        };
        let c = Center::init(dir.path(), config, PASS, created, &rng).unwrap();
        let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
        for p in &registry.persons {
            c.record_person(p, "test", created).unwrap();
        }
        let key = c.unlock(PASS).unwrap();
        let owner = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let csr = rcgen::CertificateParams::default()
            .serialize_request(&owner)
            .unwrap()
            .pem()
            .unwrap();
        let err =
            issue_one(&c, &key, "individual-signing", KeySource::Csr(Some(&csr))).unwrap_err();
        let CaError::Refused { refusal, .. } = err else {
            panic!("expected a refusal, got {err:?}");
        };
        assert_eq!(
            refusal,
            Refusal::UnsupportedCurve {
                curve: "P-384".into(),
                allowed: "P-256".into()
            }
        );
        assert_eq!(refusal.ground(), RefusalGround::UnacceptableKey);
        let generated = issue_one(
            &c,
            &key,
            "individual-signing",
            KeySource::Generate(KeyAlgorithm::Ed25519),
        )
        .unwrap_err();
        assert!(
            matches!(
                &generated,
                CaError::Refused { refusal: Refusal::KeyAlgorithmNotAllowed { algorithm, .. }, .. }
                    if algorithm == "Ed25519"
            ),
            "{generated:?}"
        );
    }

    /// A PKCS#10 request for a GOST key, self-signed in the key's profile; its DER and PEM.
    fn gost_csr(key: &crate::gost::GostKey) -> (Vec<u8>, String) {
        use der::{Decode as _, Encode as _};
        use x509_cert::request::{CertReq, CertReqInfo};
        let info = CertReqInfo {
            version: x509_cert::request::Version::V1,
            subject: x509_cert::name::Name::default(),
            public_key: spki::SubjectPublicKeyInfoOwned::from_der(key.spki_der()).unwrap(),
            attributes: Default::default(),
        };
        let signature = key.sign(&info.to_der().unwrap()).unwrap();
        let der = CertReq {
            info,
            algorithm: key.signature_algorithm(),
            signature: der::asn1::BitString::from_bytes(&signature).unwrap(),
        }
        .to_der()
        .unwrap();
        let pem = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der.clone()));
        (der, pem)
    }

    /// Proof of possession for GOST requests (RFC 2986 §3, checked by `eds-gost`): the request as
    /// signed gives its key; one bit changed anywhere in the signed certificationRequestInfo or
    /// in the signature value never does (refused as a bad request or by the key policy), for
    /// the national center's encoding and TC26's.
    #[test]
    fn fail_gost_csr_changed_anywhere_signed_is_never_certified() {
        use crate::config::AllowedKey;
        let rng = SystemRandom::new();
        let policy = KeyPolicy {
            allowed: vec![
                AllowedKey::Gost2015_512,
                AllowedKey::Gost2012_256Tc26,
                AllowedKey::Gost2012_512Tc26,
            ],
            ..KeyPolicy::default()
        };
        for profile in [
            crate::gost::GostProfile::Nca2015_512,
            crate::gost::GostProfile::Tc26_256,
        ] {
            let (key, _) = crate::gost::GostKey::generate(profile, &rng).unwrap();
            let (der, pem_text) = gost_csr(&key);
            assert_eq!(
                read_csr(&pem_text, &policy, true).unwrap().unwrap(),
                key.spki_der()
            );
            // Where the signed info and the signature value lie in the DER.
            let (_, csr) = X509CertificationRequest::from_der(&der).unwrap();
            let info_len = csr.certification_request_info.raw.len();
            let start = der
                .windows(info_len)
                .position(|w| w == csr.certification_request_info.raw)
                .unwrap();
            let sig_len = csr.signature_value.data.len();
            let signed = start..start + info_len;
            let signature = der.len() - sig_len..der.len();
            for at in signed.chain(signature) {
                let mut changed = der.clone();
                changed[at] ^= 0x01;
                let text = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", changed));
                match read_csr(&text, &policy, true) {
                    Err(CaError::BadCsr { .. }) | Ok(Err(_)) => {}
                    other => panic!("{profile:?}: octet {at} changed gave {other:?}"),
                }
            }
        }
    }
}
