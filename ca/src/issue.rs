//! Issuing registration certificates (EDS law art. 14, 14-1, 15, 21.1(1)–(2)).
//!
//! One issuance is: look up the facts, apply the refusal rules, take the public key (from a
//! PKCS#10 request whose self-signature must verify, or from a key pair the center generates),
//! sign, and record the certificate in the register in one transaction. The certificate leaves the
//! center only after that transaction commits, so a process killed at any step leaves no
//! certificate without a register row; serials are unique in the register, so none is used twice.

use rcgen::{KeyPair, PublicKeyData, SubjectPublicKeyInfo};
use ring::rand::SecureRandom;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use zeroize::Zeroizing;

use eds_profile::holder::{HolderKind, KeyPurpose, Organization, Role, SubjectSpec};
use eds_profile::request::{self, Accepted, EntityFacts, Facts, PersonFacts, RegistrationRequest};

use crate::center::{Center, ISSUING, IssuingKey, truncate_to_seconds};
use crate::certs::{self, OwnerTemplate};
use crate::error::CaError;
use crate::keys::KeyAlgorithm;
use crate::store::{AuditEvent, CertificateRecord, NewRefusal, Serial};

/// Where the owner's public key comes from.
#[derive(Debug, Clone, Copy)]
pub enum KeySource<'a> {
    /// A PKCS#10 request in PEM (the request's `csr_pem` when this is `None`).
    Csr(Option<&'a str>),
    /// The center generates the key pair (art. 21.1(1)).
    Generate(KeyAlgorithm),
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
}

impl Center {
    /// Looks up in the register what the rules need to know about a request.
    pub fn facts_for(&self, req: &RegistrationRequest, on: time::Date) -> Result<Facts, CaError> {
        let store = self.store();
        let person = store.person(&req.applicant.iin)?.map(|p| PersonFacts {
            surname: p.surname,
            name: p.name,
            patronymic: p.patronymic,
            birth_date: p.birth_date,
            death_date: p.death_date,
        });
        let bin = req.legal_entity.as_ref().map(|e| e.bin.as_str());
        let entity = match bin {
            Some(b) => store.entity(b)?.map(|e| EntityFacts {
                name: e.name,
                head_iin: e.head_iin,
                liquidated_on: e.liquidated_on,
            }),
            None => None,
        };
        let court_decisions = store
            .bans_for(Some(&req.applicant.iin), bin, on)?
            .into_iter()
            .map(|b| b.court_decision)
            .collect();
        Ok(Facts {
            person,
            entity,
            court_decisions,
        })
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
        let record = &issued.record;
        self.store().insert_certificate(
            record,
            &AuditEvent {
                at: truncate_to_seconds(now),
                actor: actor.to_owned(),
                action: "certificate-issued".into(),
                details: json!({
                    "serial": record.serial.to_string(),
                    "subject": record.subject,
                    "kind": record.kind,
                    "key_purpose": record.key_purpose,
                    "key_generated_by_center": issued.key.is_some(),
                }),
            },
        )?;
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
        let (accepted, facts) = self.accept(req, actor, now)?;
        observe(IssueStep::Accepted);
        let (public, generated) = public_key(req, source, rng)?;
        let record = self.sign_owner(key, req, &accepted, &facts, &public, now, rng)?;
        observe(IssueStep::Signed);
        Ok(Issued {
            record,
            key: generated,
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
        let facts = self.facts_for(req, now.date())?;
        match request::assess(req, &facts, now.date()) {
            Ok(a) => Ok((a, facts)),
            Err(refusal) => {
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
                Err(CaError::Refused { refusal, record })
            }
        }
    }

    /// Issues certificates for many requests: each is assessed and signed on its own, and all
    /// accepted ones are recorded in one register transaction (all or none). A refused request
    /// yields its [`CaError::Refused`] in the result and does not stop the others.
    pub fn issue_batch(
        &self,
        key: &IssuingKey,
        batch: &[(RegistrationRequest, KeySource<'_>)],
        actor: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Vec<Result<Issued, CaError>>, CaError> {
        let now = truncate_to_seconds(now);
        let mut out = Vec::with_capacity(batch.len());
        for (req, source) in batch {
            let one = self.accept(req, actor, now).and_then(|(accepted, facts)| {
                let (public, generated) = public_key(req, *source, rng)?;
                let record = self.sign_owner(key, req, &accepted, &facts, &public, now, rng)?;
                Ok(Issued {
                    record,
                    key: generated,
                })
            });
            match one {
                Ok(issued) => out.push(Ok(issued)),
                Err(e @ CaError::Refused { .. }) => out.push(Err(e)),
                Err(other) => return Err(other),
            }
        }
        let records: Vec<CertificateRecord> = out
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|i| i.record.clone())
            .collect();
        if !records.is_empty() {
            self.store().insert_certificates(
                &records,
                &AuditEvent {
                    at: now,
                    actor: actor.to_owned(),
                    action: "certificates-issued".into(),
                    details: json!({
                        "count": records.len(),
                        "serials": records.iter().map(|r| r.serial.to_string()).collect::<Vec<_>>(),
                    }),
                },
            )?;
        }
        Ok(out)
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
            surname: surname.to_uppercase(),
            name: name.to_uppercase(),
            patronymic: patronymic.map(|p| p.to_uppercase()),
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
        let serial = certs::random_serial(rng)?;
        let (params, subject_text) = certs::owner_params(
            &OwnerTemplate {
                subject: &subject,
                kind,
                roles: &roles,
                purpose: req.key_purpose,
                serial,
                not_before: now,
                not_after,
            },
            self.config(),
        )?;
        let cert = params
            .signed_by(public, key.issuer())
            .map_err(|e| CaError::build("registration certificate", e))?;
        let der = cert.der().to_vec();
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

/// Reads and checks the owner's public key, or generates the key pair.
fn public_key(
    req: &RegistrationRequest,
    source: KeySource<'_>,
    rng: &dyn SecureRandom,
) -> Result<(SubjectPublicKeyInfo, Option<GeneratedKey>), CaError> {
    match source {
        KeySource::Generate(alg) => {
            let (pair, pkcs8) = alg.generate(rng)?;
            Ok((spki_of(&pair)?, Some(GeneratedKey { pkcs8 })))
        }
        KeySource::Csr(pem_text) => {
            let text = pem_text
                .or(req.csr_pem.as_deref())
                .ok_or(CaError::NoPublicKey)?;
            Ok((csr_public_key(text)?, None))
        }
    }
}

fn spki_of(pair: &KeyPair) -> Result<SubjectPublicKeyInfo, CaError> {
    SubjectPublicKeyInfo::from_der(&pair.subject_public_key_info()).map_err(|e| CaError::Internal {
        reason: format!("generated key: {e}"),
    })
}

/// Parses a PKCS#10 request (RFC 2986), verifies its self-signature (proof of possession of the
/// private key) and returns its public key.
pub fn csr_public_key(pem_text: &str) -> Result<SubjectPublicKeyInfo, CaError> {
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
    csr.verify_signature()
        .map_err(|_| bad("the request's self-signature does not verify".into()))?;
    SubjectPublicKeyInfo::from_der(csr.certification_request_info.subject_pki.raw)
        .map_err(|e| bad(format!("unsupported public key: {e}")))
}
