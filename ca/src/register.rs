//! The register as the public sees it (EDS law art. 23).
//!
//! Art. 23.2: an owner may ask that their details stay out of the public register. The store keeps
//! everything; this view withholds the owner's identity (subject, IIN, who notified a revocation)
//! of a confidential record unless an operator asks for it, and a public search by IIN does not
//! reveal that a person who asked for confidentiality holds a certificate at all. The command line
//! (`eds ca list`, `eds ca show`) and the network API (`eds serve`) both print this view.

use serde::Serialize;
use time::OffsetDateTime;

use crate::store::{CertificateQuery, CertificateRecord, Store, StoreError};

/// What replaces a withheld detail.
pub const REDACTED: &str = "[confidential, art. 23]";

/// One certificate of the register as shown outside the center.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicView {
    /// Serial number, uppercase hex.
    pub serial: String,
    /// `"valid"` or `"revoked"` (expiry is the reader's to compare with `not_after`).
    pub status: &'static str,
    /// Kind of holder or certificate.
    pub kind: String,
    /// Subject, or [`REDACTED`].
    pub subject: String,
    /// Holder's IIN, or [`REDACTED`].
    pub iin: Option<String>,
    /// Legal entity's BIN (an entity's number is public, art. 23 protects persons).
    pub bin: Option<String>,
    /// Purpose of the key.
    pub key_purpose: Option<String>,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// The owner asked for confidentiality (art. 23.2).
    pub confidential: bool,
    /// The revocation, when revoked.
    pub revocation: Option<PublicRevocation>,
}

/// A revocation as shown outside the center.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicRevocation {
    /// The ground's name (`key-compromise`, `death`…).
    pub ground: &'static str,
    /// The article of the law that gives the ground.
    pub article: &'static str,
    /// The CRL reason code's name.
    pub reason: &'static str,
    /// When the revocation entered the register.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// When the notification was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// Who notified the center, or [`REDACTED`].
    pub notified_by: String,
    /// When the certificate became invalid, if known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub invalidity_date: Option<OffsetDateTime>,
}

/// The view of one record; `include_confidential` is for operators only.
pub fn public_view(r: &CertificateRecord, include_confidential: bool) -> PublicView {
    let redact = r.confidential && !include_confidential;
    let hidden = || REDACTED.to_owned();
    PublicView {
        serial: r.serial.to_string(),
        status: if r.revocation.is_some() {
            "revoked"
        } else {
            "valid"
        },
        kind: r.kind.clone(),
        subject: if redact { hidden() } else { r.subject.clone() },
        iin: if redact {
            r.iin.as_ref().map(|_| hidden())
        } else {
            r.iin.clone()
        },
        bin: r.bin.clone(),
        key_purpose: r.key_purpose.clone(),
        not_before: r.not_before,
        not_after: r.not_after,
        confidential: r.confidential,
        revocation: r.revocation.as_ref().map(|v| PublicRevocation {
            ground: v.ground.as_str(),
            article: v.ground.article(),
            reason: v.reason.name(),
            revoked_at: v.entered_at,
            received_at: v.received_at,
            notified_by: if redact {
                hidden()
            } else {
                v.notified_by.clone()
            },
            invalidity_date: v.invalidity_date,
        }),
    }
}

/// Lists the register for `q`. Without `include_confidential`, a search by IIN leaves out the
/// certificates of owners who asked for confidentiality (art. 23.2: the search must not reveal
/// that they hold one) and every other confidential record is redacted.
pub fn list(
    store: &dyn Store,
    q: &CertificateQuery,
    include_confidential: bool,
) -> Result<Vec<PublicView>, StoreError> {
    let mut recs = store.list_certificates(q)?;
    if !include_confidential && q.iin.is_some() {
        recs.retain(|r| !r.confidential);
    }
    Ok(recs
        .iter()
        .map(|r| public_view(r, include_confidential))
        .collect())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use eds_profile::grounds::RevocationGround;

    use super::*;
    use crate::store::{AuditEvent, CertificateStore, RevocationRecord, Serial, SqliteStore};

    const T: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

    fn record(n: u8, iin: &str, confidential: bool) -> CertificateRecord {
        CertificateRecord {
            serial: Serial::from_unsigned(&[n]).unwrap(),
            issuer: "issuing".into(),
            subject: format!("CN=HOLDER {n}"),
            kind: "individual".into(),
            iin: Some(iin.into()),
            bin: None,
            key_purpose: Some("signing".into()),
            not_before: T,
            not_after: T + time::Duration::days(365),
            issued_at: T,
            confidential,
            der: vec![0x30, 0x00],
            revocation: None,
        }
    }

    #[test]
    fn ok_confidential_record_is_redacted_unless_asked() {
        let mut r = record(1, "850314300122", true);
        r.revocation = Some(RevocationRecord {
            ground: RevocationGround::KeyCompromise,
            reason: RevocationGround::KeyCompromise.crl_reason(),
            notified_by: "the holder".into(),
            received_at: T,
            entered_at: T,
            invalidity_date: None,
            note: None,
        });
        let v = serde_json::to_value(public_view(&r, false)).unwrap();
        assert_eq!(v["subject"], REDACTED);
        assert_eq!(v["iin"], REDACTED);
        assert_eq!(v["revocation"]["notified_by"], REDACTED);
        assert_eq!(
            v["revocation"]["ground"],
            json!(RevocationGround::KeyCompromise.as_str())
        );
        assert_eq!(v["revocation"]["revoked_at"], "2026-03-02T10:00:00Z");
        let full = public_view(&r, true);
        assert_eq!(full.subject, "CN=HOLDER 1");
        assert_eq!(full.iin.as_deref(), Some("850314300122"));
    }

    #[test]
    fn ok_public_search_by_iin_hides_confidential_owners() {
        let store = SqliteStore::open_in_memory().unwrap();
        let audit = AuditEvent {
            at: T,
            actor: "test".into(),
            action: "issue".into(),
            details: json!({}),
        };
        store
            .insert_certificates(
                &[
                    record(1, "850314300122", true),
                    record(2, "850314300122", false),
                    record(3, "900701400233", true),
                ],
                &audit,
            )
            .unwrap();
        let by_iin = CertificateQuery {
            iin: Some("850314300122".into()),
            ..CertificateQuery::default()
        };
        let public: Vec<String> = list(&store, &by_iin, false)
            .unwrap()
            .into_iter()
            .map(|v| v.serial)
            .collect();
        assert_eq!(public, vec!["02"]);
        assert_eq!(list(&store, &by_iin, true).unwrap().len(), 2);
        let all = list(&store, &CertificateQuery::default(), false).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].subject, REDACTED);
    }
}
