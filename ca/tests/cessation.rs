//! EDS law art. 22.3 as one library call: `cessation::transfer_register` exports the consented
//! certificates signed by the ceding center's issuing key, the successor imports them (the
//! signature, the audit chain and every DER checked, all or nothing), keeps the file and signs a
//! receipt, and the ceding center confirms it. The signatures are checked with ring against the
//! other center's issuing certificate, as a program using the library would check them.

#![expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::collections::BTreeSet;
use std::path::Path;

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use eds_ca::center::{Center, IssuingKey};
use eds_ca::cessation::{self, CessationError};
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::store::{AuditVerification, PersonRecord, Serial};
use eds_ca::transfer::TransferError;
use eds_profile::request::RegistrationRequest;

const PASS: &[u8] = b"cessation test passphrase";

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
}

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

/// A P-256 center named `name` with the shipped registry's persons, and its unlocked key.
fn center(dir: &Path, name: &str, t: OffsetDateTime) -> (Center, IssuingKey) {
    let config = CenterConfig {
        name: name.to_owned(),
        algorithm: KeyAlgorithm::P256,
        ..CenterConfig::default()
    };
    let center = Center::init(dir, config, PASS, t, &SystemRandom::new()).unwrap();
    let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
    for p in &registry.persons {
        center.record_person(p, "test", t).unwrap();
    }
    let key = center.unlock(PASS).unwrap();
    (center, key)
}

fn issue(center: &Center, key: &IssuingKey, t: OffsetDateTime) -> Serial {
    let req: RegistrationRequest =
        serde_json::from_str(&fixture("requests/individual-signing.json")).unwrap();
    center
        .issue(
            key,
            &req,
            KeySource::Generate(KeyAlgorithm::P256),
            "test",
            t,
            &SystemRandom::new(),
            &mut |_| {},
        )
        .unwrap()
        .record
        .serial
}

/// The check a program gives the library: the signature against `center`'s issuing key.
fn check_with(center: &Center) -> impl Fn(&[u8], &[u8], &[u8]) -> Result<(), String> + use<> {
    let (_, cert) = X509Certificate::from_der(center.issuing_der()).unwrap();
    let key = cert.public_key().subject_public_key.data.to_vec();
    move |message: &[u8], _algorithm: &[u8], value: &[u8]| {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &key)
            .verify(message, value)
            .map_err(|_| "the signature does not verify".to_owned())
    }
}

fn actions(center: &Center) -> Vec<String> {
    center
        .store()
        .audit_entries(1, 1000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// Art. 22.3 in one call: the consented certificate is exported signed, imported by the
/// successor under the label `transferred:A:issuing`, the export and the receipt are kept in the
/// successor's `transferred/` folder, and the ceding center records the certificate as
/// transferred on the verified receipt; the other stays; both audit logs record their side and
/// stay intact.
#[test]
fn ok_art22_3_transfer_register_signs_imports_receipts_and_confirms() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let t = now() - Duration::hours(1);
    let (a, ka) = center(da.path(), "A", t);
    let (b, kb) = center(db.path(), "B", t);
    let moving = issue(&a, &ka, t);
    let staying = issue(&a, &ka, t);
    let stops_on = eds_profile::kz_time::legal_date(t) + Duration::days(30);
    cessation::give_notice(a.dir(), a.store(), t, stops_on, "B", "operator").unwrap();
    let consented: BTreeSet<Serial> = [moving.clone()].into_iter().collect();
    let (check_a, check_b) = (check_with(&a), check_with(&b));
    let at = now();
    let done = cessation::transfer_register(
        &a, &ka, &b, &kb, &consented, &check_a, &check_b, at, "operator",
    )
    .unwrap();
    assert_eq!(done.transferred, vec![moving.clone()]);
    assert_eq!(done.revoked, 0);
    assert_eq!(done.receipt.successor, "B");
    assert_eq!(done.receipt.source_center, "A");
    assert_eq!(done.receipt.serials, vec![moving.clone()]);

    let held = b.store().certificate(&moving).unwrap().unwrap();
    assert_eq!(held.issuer, "transferred:A:issuing");
    assert_eq!(b.store().certificate(&staying).unwrap(), None);
    let kept = db.path().join("transferred");
    assert!(kept.join(format!("{}.json", done.export_sha256)).exists());
    assert!(
        kept.join(format!("{}.receipt.json", done.export_sha256))
            .exists()
    );
    let record = cessation::read_record(a.dir()).unwrap().unwrap();
    assert_eq!(record.transferred, vec![moving.clone()]);
    assert_eq!(record.offered.len(), 1);

    let a_log = actions(&a);
    assert_eq!(
        a_log[a_log.len() - 2..],
        ["register.export", "center.cessation-transfer-confirmed"]
    );
    assert_eq!(
        actions(&b).last().map(String::as_str),
        Some("register.import")
    );
    for c in [&a, &b] {
        assert!(matches!(
            c.store().verify_audit().unwrap(),
            AuditVerification::Intact { .. }
        ));
    }
}

/// What the one call refuses, writing nothing at the successor: no notice (`NoNotice`), a
/// consent for a serial the center never issued (`UnknownSerial`), an export checked against
/// another center's key (`SignatureInvalid`: the successor holds the wrong certificate), a
/// second transfer of a serial the successor already holds (`Conflict`), and any transfer from
/// the stop day on (`TermEnded`, art. 22.4).
#[test]
fn fail_art22_3_transfer_register_no_notice_unknown_wrong_key_twice_and_late() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let t = now() - Duration::hours(1);
    let (a, ka) = center(da.path(), "A", t);
    let (b, kb) = center(db.path(), "B", t);
    let serial = issue(&a, &ka, t);
    let one: BTreeSet<Serial> = [serial.clone()].into_iter().collect();
    let (check_a, check_b) = (check_with(&a), check_with(&b));
    let at = now();
    let transfer = |consented: &BTreeSet<Serial>,
                    check_export: eds_ca::transfer::SignatureCheck<'_>,
                    at: OffsetDateTime| {
        cessation::transfer_register(
            &a,
            &ka,
            &b,
            &kb,
            consented,
            check_export,
            &check_b,
            at,
            "operator",
        )
    };
    let b_certificates = || {
        b.store()
            .list_certificates(&Default::default())
            .unwrap()
            .len()
    };
    let before = b_certificates();

    assert_eq!(
        transfer(&one, &check_a, at).map(|d| d.transferred),
        Err(CessationError::NoNotice)
    );
    let stops_on = eds_profile::kz_time::legal_date(t) + Duration::days(30);
    cessation::give_notice(a.dir(), a.store(), t, stops_on, "B", "operator").unwrap();

    let stranger = Serial::from_hex("0FFF").unwrap();
    let unknown: BTreeSet<Serial> = [stranger.clone()].into_iter().collect();
    assert_eq!(
        transfer(&unknown, &check_a, at).map(|d| d.transferred),
        Err(CessationError::UnknownSerial {
            serial: stranger.to_string()
        })
    );
    assert!(matches!(
        transfer(&one, &check_b, at),
        Err(CessationError::Transfer(e)) if matches!(
            *e,
            TransferError::SignatureInvalid { what: "register export", .. }
        )
    ));
    assert_eq!(b_certificates(), before, "nothing imported");
    assert_eq!(
        cessation::read_record(a.dir())
            .unwrap()
            .unwrap()
            .transferred,
        Vec::<Serial>::new()
    );

    transfer(&one, &check_a, at).unwrap();
    assert_eq!(
        transfer(&one, &check_a, at).map(|d| d.transferred),
        Err(CessationError::Transfer(Box::new(
            TransferError::Conflict {
                serial: serial.clone()
            }
        )))
    );
    assert_eq!(b_certificates(), before + 1);

    let stop = eds_profile::kz_time::start_of_day(stops_on);
    assert_eq!(
        transfer(&one, &check_a, stop).map(|d| d.transferred),
        Err(CessationError::TermEnded {
            stops_on,
            on: stops_on
        })
    );
}
