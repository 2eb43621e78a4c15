//! Revocation on the grounds of EDS law art. 17.1 and 18.1, registry events that revoke on their
//! own, and archiving after the five years of art. 16.2.

use serde_json::json;
use time::OffsetDateTime;

use eds_profile::grounds::RevocationGround;
use eds_profile::holder::HolderKind;
use eds_profile::revocation;

use crate::center::{Activity, Center, ISSUING, truncate_to_seconds};
use crate::error::CaError;
use crate::fields;
use crate::store::{
    AuditEvent, CertificateQuery, CertificateRecord, EntityRecord, NewBan, NewRevocation,
    PersonRecord, RegistryChange, RevocationRecord, Serial, Status,
};

/// Years a revoked certificate is kept before it may be archived (EDS law art. 16.2).
pub const RETENTION_YEARS: i32 = 5;

/// A notification that a certificate must be revoked (art. 18.1: "on the basis of the relevant
/// notification").
#[derive(Debug, Clone, PartialEq)]
pub struct RevocationNotice {
    /// The certificate.
    pub serial: Serial,
    /// The ground of art. 18.1 (or 17.1).
    pub ground: RevocationGround,
    /// Who notified the center (the holder, a representative, a court, a registry…).
    pub notified_by: String,
    /// When the notification was received (art. 18.3 counts the day from here).
    pub received_at: OffsetDateTime,
    /// When the key was compromised or the certificate otherwise became invalid, if known.
    pub invalidity_date: Option<OffsetDateTime>,
    /// Free text for the register.
    pub note: Option<String>,
}

impl Center {
    /// Revokes one owner certificate. An unknown serial or a second revocation is an error that
    /// changes nothing; so is the OCSP responder's or the TSA's certificate
    /// ([`CaError::InfrastructureCertificate`]: rotate them instead), a field out of the bounds of
    /// [`crate::fields`] ([`CaError::InvalidField`]), and a notice received after `now` (EDS law
    /// art. 18.3, [`CaError::RevocationNotice`]). A notice received more than a day before `now` is
    /// recorded, and the audit entry carries `late` ([`revocation::LateRegisterChange`]; the
    /// record's `received_at` and `entered_at` give the same answer through
    /// [`revocation::check_notice_timing`]).
    pub fn revoke(
        &self,
        notice: &RevocationNotice,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<CertificateRecord, CaError> {
        self.check_active_for(now, Activity::Revoke)?;
        let now = truncate_to_seconds(now);
        fields::name("notified_by", &notice.notified_by)?;
        fields::note("note", notice.note.as_deref())?;
        if let Some(rec) = self.store().certificate(&notice.serial)? {
            // The responder's and the TSA's certificates are rotated, never revoked like an
            // owner's: a running server would go on signing with a revoked certificate.
            let service = match rec.kind.as_str() {
                crate::ocsp::signer::KIND => Some(("OCSP responder", "eds ca rotate ocsp")),
                crate::tsa::KIND => Some(("timestamp authority", "eds ca rotate tsa")),
                _ => None,
            };
            if let Some((service, rotate)) = service {
                return Err(CaError::InfrastructureCertificate {
                    serial: notice.serial.clone(),
                    service,
                    rotate,
                });
            }
            if rec.issuer != ISSUING {
                return Err(CaError::NotAnOwnerCertificate {
                    serial: notice.serial.clone(),
                });
            }
            // Art. 18.1(5) concerns only a legal entity's certificates.
            let kind = match rec.kind.as_str() {
                "individual" => Some(HolderKind::Individual),
                "legal-entity" => Some(HolderKind::LegalEntity),
                _ => None,
            };
            if let Some(kind) = kind {
                notice
                    .ground
                    .check_holder(kind)
                    .map_err(|error| CaError::GroundNotForHolder {
                        serial: notice.serial.clone(),
                        error,
                    })?;
            }
            if rec.revocation.is_none() {
                fields::revocation_dates(
                    &rec,
                    truncate_to_seconds(notice.received_at),
                    notice.invalidity_date.map(truncate_to_seconds),
                    now,
                )?;
            }
        }
        // Art. 18.3: refuse a notice received after the change; flag a change made late.
        let late = revocation::check_notice_timing(truncate_to_seconds(notice.received_at), now)
            .map_err(|error| CaError::RevocationNotice {
                serial: notice.serial.clone(),
                error,
            })?;
        let rev = new_revocation(notice, now);
        let mut details = revocation_details(&rev);
        if let Some(late) = late {
            details["late"] = json!(late);
        }
        let mut done = self.store().revoke(
            std::slice::from_ref(&rev),
            &AuditEvent {
                at: now,
                actor: actor.to_owned(),
                action: "certificate-revoked".into(),
                details,
            },
        )?;
        done.pop().ok_or_else(|| CaError::Internal {
            reason: "revoke returned no record".into(),
        })
    }

    /// Records a person in the registry; a recorded death or a changed name revokes the person's
    /// valid certificates (art. 18.1(3), 18.1(4)) in the same transaction. Returns what was
    /// revoked.
    pub fn record_person(
        &self,
        person: &PersonRecord,
        notified_by: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<CertificateRecord>, CaError> {
        self.check_active_for(now, Activity::Revoke)?;
        let now = truncate_to_seconds(now);
        fields::name("notified_by", notified_by)?;
        fields::person(person, eds_profile::kz_time::legal_date(now))?;
        let Some(before) = self.store().person(&person.iin)? else {
            self.store().upsert_person(
                person,
                &AuditEvent {
                    at: now,
                    actor: notified_by.to_owned(),
                    action: "registry-person-added".into(),
                    details: json!({ "iin": person.iin }),
                },
            )?;
            return Ok(Vec::new());
        };
        let ground = if before.death_date.is_none() && person.death_date.is_some() {
            Some(RevocationGround::Death)
        } else if before.surname != person.surname
            || before.name != person.name
            || before.patronymic != person.patronymic
        {
            Some(RevocationGround::NameChange)
        } else {
            None
        };
        let invalidity = match ground {
            Some(RevocationGround::Death) => {
                person.death_date.map(eds_profile::kz_time::start_of_day)
            }
            _ => None,
        };
        let revs = match ground {
            Some(g) => self.revocations_for(
                &CertificateQuery {
                    iin: Some(person.iin.clone()),
                    ..valid()
                },
                g,
                notified_by,
                invalidity,
                now,
            )?,
            None => Vec::new(),
        };
        Ok(self.store().apply_registry_change(
            &RegistryChange::PersonUpdated(person.clone()),
            &revs,
            &AuditEvent {
                at: now,
                actor: notified_by.to_owned(),
                action: "registry-person-recorded".into(),
                details: json!({
                    "iin": person.iin,
                    "ground": ground.map(RevocationGround::as_str),
                    "revoked": revs.iter().map(|r| r.serial.to_string()).collect::<Vec<_>>(),
                }),
            },
        )?)
    }

    /// Records a legal entity in the registry. A changed name or a liquidation revokes every valid
    /// certificate of the entity; a change of head revokes the former head's certificates for
    /// that entity (art. 18.1(5)).
    pub fn record_entity(
        &self,
        entity: &EntityRecord,
        notified_by: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<CertificateRecord>, CaError> {
        self.check_active_for(now, Activity::Revoke)?;
        let now = truncate_to_seconds(now);
        fields::name("notified_by", notified_by)?;
        fields::entity(entity, eds_profile::kz_time::legal_date(now))?;
        let Some(old) = self.store().entity(&entity.bin)? else {
            self.store().upsert_entity(
                entity,
                &AuditEvent {
                    at: now,
                    actor: notified_by.to_owned(),
                    action: "registry-entity-added".into(),
                    details: json!({ "bin": entity.bin }),
                },
            )?;
            return Ok(Vec::new());
        };
        let query = if old.name != entity.name
            || (old.liquidated_on.is_none() && entity.liquidated_on.is_some())
        {
            Some(CertificateQuery {
                bin: Some(entity.bin.clone()),
                ..valid()
            })
        } else if old.head_iin != entity.head_iin {
            Some(CertificateQuery {
                bin: Some(entity.bin.clone()),
                iin: Some(old.head_iin.clone()),
                ..valid()
            })
        } else {
            None
        };
        let revs = match &query {
            Some(q) => self.revocations_for(
                q,
                RevocationGround::LegalEntityChange,
                notified_by,
                None,
                now,
            )?,
            None => Vec::new(),
        };
        Ok(self.store().apply_registry_change(
            &RegistryChange::EntityUpdated(entity.clone()),
            &revs,
            &AuditEvent {
                at: now,
                actor: notified_by.to_owned(),
                action: "registry-entity-recorded".into(),
                details: json!({
                    "bin": entity.bin,
                    "revoked": revs.iter().map(|r| r.serial.to_string()).collect::<Vec<_>>(),
                }),
            },
        )?)
    }

    /// Lifts a ban (art. 14-1(3)) from the date `on`, on the decision `decision` (a higher
    /// court's, the end of the measure…); the ban no longer applies on that date and after.
    pub fn lift_ban(
        &self,
        id: i64,
        on: time::Date,
        decision: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<crate::store::Ban, CaError> {
        fields::name("decision", decision)?;
        Ok(self.store().lift_ban(
            id,
            on,
            &AuditEvent {
                at: truncate_to_seconds(now),
                actor: actor.to_owned(),
                action: "court-decision-lifted".into(),
                details: json!({ "ban_id": id, "lifted_on": on.to_string(), "decision": decision }),
            },
        )?)
    }

    /// Records a court decision in force that forbids issuance (art. 14-1(3)), with its end when
    /// the decision sets one. An end before the start is refused ([`CaError::BadRequest`]).
    pub fn add_ban(&self, ban: &NewBan, actor: &str, now: OffsetDateTime) -> Result<i64, CaError> {
        fields::ban(ban)?;
        if let Some(end) = ban.ends_on
            && end < ban.effective_from
        {
            return Err(CaError::BadRequest {
                reason: format!(
                    "the ban ends on {end}, before it enters into force on {}",
                    ban.effective_from
                ),
            });
        }
        Ok(self.store().add_ban(
            ban,
            &AuditEvent {
                at: truncate_to_seconds(now),
                actor: actor.to_owned(),
                action: "court-decision-recorded".into(),
                details: json!({
                    "iin": ban.iin,
                    "bin": ban.bin,
                    "decision": ban.court_decision,
                    "ends_on": ban.ends_on.map(|d| d.to_string()),
                }),
            },
        )?)
    }

    /// Revoked certificates whose five years (art. 16.2) have elapsed at `now`; with `serials`
    /// given, exactly those, refusing any that is not revoked or still within its five years.
    pub fn archivable(
        &self,
        serials: &[Serial],
        now: OffsetDateTime,
    ) -> Result<Vec<CertificateRecord>, CaError> {
        let cutoff = retention_cutoff(now);
        if serials.is_empty() {
            let revoked = self.store().list_certificates(&CertificateQuery {
                status: Some(Status::Revoked),
                ..CertificateQuery::default()
            })?;
            return Ok(revoked
                .into_iter()
                .filter(|c| c.revocation.as_ref().is_some_and(|r| r.entered_at < cutoff))
                .collect());
        }
        let mut out = Vec::new();
        for s in serials {
            let rec = self
                .store()
                .certificate(s)?
                .ok_or_else(|| crate::store::StoreError::UnknownSerial { serial: s.clone() })?;
            let Some(rev) = &rec.revocation else {
                return Err(CaError::NotRevoked { serial: s.clone() });
            };
            if rev.entered_at >= cutoff {
                return Err(CaError::RetentionNotElapsed {
                    serial: s.clone(),
                    revoked_at: rev.entered_at,
                    kept_until: add_years(rev.entered_at, RETENTION_YEARS),
                });
            }
            out.push(rec);
        }
        Ok(out)
    }

    /// Removes archived certificates from the register (the caller exported them first).
    pub fn remove_archived(
        &self,
        records: &[CertificateRecord],
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<usize, CaError> {
        let serials: Vec<Serial> = records.iter().map(|r| r.serial.clone()).collect();
        Ok(self.store().archive(
            &serials,
            retention_cutoff(now),
            &AuditEvent {
                at: truncate_to_seconds(now),
                actor: actor.to_owned(),
                action: "certificates-archived".into(),
                details: json!({
                    "serials": serials.iter().map(ToString::to_string).collect::<Vec<_>>()
                }),
            },
        )?)
    }

    fn revocations_for(
        &self,
        q: &CertificateQuery,
        ground: RevocationGround,
        notified_by: &str,
        invalidity_date: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Vec<NewRevocation>, CaError> {
        Ok(self
            .store()
            .list_certificates(q)?
            .into_iter()
            .map(|c| {
                new_revocation(
                    &RevocationNotice {
                        serial: c.serial,
                        ground,
                        notified_by: notified_by.to_owned(),
                        received_at: now,
                        invalidity_date,
                        note: None,
                    },
                    now,
                )
            })
            .collect())
    }
}

fn valid() -> CertificateQuery {
    CertificateQuery {
        status: Some(Status::Valid),
        issuer: Some(ISSUING.to_owned()),
        ..CertificateQuery::default()
    }
}

fn new_revocation(n: &RevocationNotice, now: OffsetDateTime) -> NewRevocation {
    NewRevocation {
        serial: n.serial.clone(),
        record: RevocationRecord {
            ground: n.ground,
            reason: n.ground.crl_reason(),
            notified_by: n.notified_by.clone(),
            received_at: truncate_to_seconds(n.received_at),
            entered_at: now,
            invalidity_date: n.invalidity_date.map(truncate_to_seconds),
            note: n.note.clone(),
        },
    }
}

fn revocation_details(r: &NewRevocation) -> serde_json::Value {
    json!({
        "serial": r.serial.to_string(),
        "ground": r.record.ground.as_str(),
        "article": r.record.ground.article(),
        "reason": r.record.reason.name(),
        "notified_by": r.record.notified_by,
        "received_at": r.record.received_at.unix_timestamp(),
    })
}

/// Certificates revoked before this moment have completed their five years at `now`.
pub fn retention_cutoff(now: OffsetDateTime) -> OffsetDateTime {
    add_years(now, -RETENTION_YEARS)
}

/// Adds calendar years; 29 February becomes 1 March in a non-leap year (the same rule as the age
/// of art. 14, so a period never ends early).
pub fn add_years(t: OffsetDateTime, years: i32) -> OffsetDateTime {
    let target = t.year().saturating_add(years);
    match t.replace_year(target) {
        Ok(v) => v,
        Err(_) => t
            .replace_day(1)
            .and_then(|v| v.replace_month(time::Month::March))
            .and_then(|v| v.replace_year(target))
            .unwrap_or(t),
    }
}
