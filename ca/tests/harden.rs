//! Issue 16, in the domain: the responder's and the TSA's certificates are rotated, never revoked
//! like an owner's, and a revoked one never signs; revocation and registry fields are bounded;
//! OCSP nonces follow RFC 9654 §2.1; API issuance is idempotent under a key.

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ring::rand::SystemRandom;
use serde_json::json;
use time::{Date, Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_ocsp::{BasicOcspResponse, OcspRequest, OcspResponse, Request, TbsRequest, Version};

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::idempotency::Idempotent;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::ocsp::{OcspResponseStatus, Problem, Responder, signer};
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::{
    AuditEvent, EntityRecord, NewBan, NewRevocation, PersonRecord, RevocationRecord, Serial,
    StoreError,
};
use eds_ca::tsa::{FailInfo, TimestampAuthority, TsaOptions, TsaProblem};
use eds_ca::{CaError, SignerState, tsa};
use eds_profile::grounds::RevocationGround;
use eds_profile::request::RegistrationRequest;

const PASS: &[u8] = b"test passphrase";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

struct Pki {
    dir: tempfile::TempDir,
    center: Center,
    start: OffsetDateTime,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let start = now() - Duration::hours(1);
        let center = Center::init(
            dir.path(),
            CenterConfig::default(),
            PASS,
            start,
            &SystemRandom::new(),
        )
        .unwrap();
        let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
        for p in &registry.persons {
            center.record_person(p, "test", start).unwrap();
        }
        for e in &registry.entities {
            center.record_entity(e, "test", start).unwrap();
        }
        Pki { dir, center, start }
    }

    fn request(name: &str) -> RegistrationRequest {
        serde_json::from_str(&fixture(&format!("requests/{name}.json"))).unwrap()
    }

    fn leaf(&self) -> Serial {
        let key = self.center.unlock(PASS).unwrap();
        self.center
            .issue(
                &key,
                &Pki::request("individual-signing"),
                KeySource::Generate(KeyAlgorithm::P256),
                "test",
                self.start + Duration::minutes(1),
                &SystemRandom::new(),
                &mut |_| {},
            )
            .unwrap()
            .record
            .serial
    }

    fn audit_len(&self) -> u64 {
        self.center.store().audit_head().unwrap().entries
    }

    /// Revokes `serial` in the store itself, past the center's refusal: a register written by
    /// an older version, or edited by hand.
    fn revoke_in_store(&self, serial: &Serial) {
        let at = now();
        self.center
            .store()
            .revoke(
                &[NewRevocation {
                    serial: serial.clone(),
                    record: RevocationRecord {
                        ground: RevocationGround::KeyCompromise,
                        reason: RevocationGround::KeyCompromise.crl_reason(),
                        notified_by: "test".into(),
                        received_at: at,
                        entered_at: at,
                        invalidity_date: None,
                        note: None,
                    },
                }],
                &AuditEvent {
                    at,
                    actor: "test".into(),
                    action: "certificate-revoked".into(),
                    details: json!({}),
                },
            )
            .unwrap();
    }
}

fn serial_of(der: &[u8]) -> Serial {
    let cert = Certificate::from_der(der).unwrap();
    Serial::from_der_content(cert.tbs_certificate.serial_number.as_bytes()).unwrap()
}

fn notice(serial: &Serial, at: OffsetDateTime) -> RevocationNotice {
    RevocationNotice {
        serial: serial.clone(),
        ground: RevocationGround::KeyCompromise,
        notified_by: "the holder".into(),
        received_at: at,
        invalidity_date: None,
        note: None,
    }
}

/// A one-CertID request for `serial` under the issuing center, with a nonce of `nonce_len`
/// octets when given.
fn ocsp_request(center: &Center, serial: &Serial, nonce: Option<Vec<u8>>) -> Vec<u8> {
    use ring::digest;
    let issuing = Certificate::from_der(center.issuing_der()).unwrap();
    let name = issuing.tbs_certificate.subject.to_der().unwrap();
    let key = issuing
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let sha1 = |b: &[u8]| {
        OctetString::new(
            digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, b)
                .as_ref()
                .to_vec(),
        )
        .unwrap()
    };
    let cert_id = x509_ocsp::CertId {
        hash_algorithm: spki::AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
            parameters: None,
        },
        issuer_name_hash: sha1(&name),
        issuer_key_hash: sha1(key),
        serial_number: x509_cert::serial_number::SerialNumber::new(serial.as_bytes()).unwrap(),
    };
    let request_extensions = nonce.map(|n| {
        vec![Extension {
            extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
            critical: false,
            extn_value: OctetString::new(n).unwrap(),
        }]
    });
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions,
        },
        optional_signature: None,
    }
    .to_der()
    .unwrap()
}

/// The DER OCTET STRING of `len` octets, as a nonce's extnValue holds it (RFC 9654 §2.1).
fn nonce(len: usize) -> Vec<u8> {
    OctetString::new(vec![7u8; len]).unwrap().to_der().unwrap()
}

/// The signer certificate carried in a successful response.
fn responder_cert(der: &[u8]) -> Vec<u8> {
    let r = OcspResponse::from_der(der).unwrap();
    assert_eq!(r.response_status, OcspResponseStatus::Successful);
    let basic = BasicOcspResponse::from_der(r.response_bytes.unwrap().response.as_bytes()).unwrap();
    basic.certs.unwrap()[0].to_der().unwrap()
}

// ---- Item 2: infrastructure certificates ----

#[test]
fn fail_revoking_the_ocsp_or_tsa_certificate_names_the_rotation_and_changes_nothing() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let ocsp = pki.center.issue_ocsp_signer(PASS, now(), &rng).unwrap();
    let tsa = pki.center.issue_tsa_signer(PASS, now(), &rng).unwrap();
    for (rec, service, rotate) in [
        (&ocsp, "OCSP responder", "eds ca rotate ocsp"),
        (&tsa, "timestamp authority", "eds ca rotate tsa"),
    ] {
        let before = pki.audit_len();
        let err = pki
            .center
            .revoke(&notice(&rec.serial, now()), "test", now())
            .unwrap_err();
        assert_eq!(
            err,
            CaError::InfrastructureCertificate {
                serial: rec.serial.clone(),
                service,
                rotate,
            }
        );
        assert!(err.to_string().contains(&format!("`{rotate}`")), "{err}");
        assert_eq!(pki.audit_len(), before);
        let stored = pki
            .center
            .store()
            .certificate(&rec.serial)
            .unwrap()
            .unwrap();
        assert_eq!(stored.revocation, None);
    }
}

#[test]
fn ok_a_rotated_responder_still_signs_and_says_it_is_superseded() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let leaf = pki.leaf();
    let responder = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    let old = responder.certificate_der().to_vec();
    let req = ocsp_request(&pki.center, &leaf, None);
    assert_eq!(
        responder_cert(&responder.respond(pki.center.store(), &req, now())),
        old
    );
    assert_eq!(responder.signer_state(), SignerState::Current);

    let new = pki.center.issue_ocsp_signer(PASS, now(), &rng).unwrap();
    // The old certificate is valid and not revoked: it answers once more and learns it is
    // superseded; a new load takes the new one.
    assert_eq!(
        responder_cert(&responder.respond(pki.center.store(), &req, now())),
        old
    );
    assert_eq!(responder.signer_state(), SignerState::Superseded);
    let reloaded = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    assert_eq!(reloaded.certificate_der(), new.der.as_slice());
    assert_eq!(
        responder_cert(&reloaded.respond(pki.center.store(), &req, now())),
        new.der
    );
    assert_eq!(reloaded.signer_state(), SignerState::Current);
}

#[test]
fn fail_a_revoked_responder_certificate_never_signs_and_a_new_load_replaces_it() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let leaf = pki.leaf();
    let responder = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    let old_serial = serial_of(responder.certificate_der());
    let req = ocsp_request(&pki.center, &leaf, None);
    // Cached first, so the revocation must also beat the cache.
    responder_cert(&responder.respond(pki.center.store(), &req, now()));
    pki.revoke_in_store(&old_serial);

    for req in [
        req.clone(),
        ocsp_request(&pki.center, &leaf, Some(nonce(16))),
    ] {
        let answer = responder.answer(pki.center.store(), &req, now());
        assert_eq!(answer.status, OcspResponseStatus::TryLater);
        assert_eq!(
            answer.problem,
            Some(Problem::ResponderRevoked {
                serial: old_serial.to_string()
            })
        );
        assert_eq!(answer.der, vec![0x30, 0x03, 0x0A, 0x01, 0x03]);
    }
    assert_eq!(responder.signer_state(), SignerState::Revoked);

    let fresh = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    assert_ne!(serial_of(fresh.certificate_der()), old_serial);
    assert_eq!(
        responder_cert(&fresh.respond(pki.center.store(), &req, now())),
        fresh.certificate_der()
    );
}

#[test]
fn fail_a_revoked_tsa_certificate_never_signs_system_failure() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let authority =
        TimestampAuthority::load(&pki.center, PASS, now(), &rng, TsaOptions::default()).unwrap();
    let query = tsa_query();
    let granted = authority.answer(pki.center.store(), &query, now());
    assert_eq!(granted.problem, None);
    let serial = serial_of(authority.certificate_der());
    pki.revoke_in_store(&serial);

    let refused = authority.answer(pki.center.store(), &query, now());
    let problem = refused.problem.unwrap();
    assert_eq!(
        problem,
        TsaProblem::SignerRevoked {
            serial: serial.to_string()
        }
    );
    assert_eq!(problem.fail_info(), FailInfo::SystemFailure);
    let resp = tsa::Response::from_der(&refused.der).unwrap();
    assert_eq!(resp.status.status, tsa::STATUS_REJECTION);
    assert!(resp.status.fail_bit(FailInfo::SystemFailure.bit()));
    assert!(resp.time_stamp_token.is_none());
    assert_eq!(authority.signer_state(), SignerState::Revoked);

    let fresh =
        TimestampAuthority::load(&pki.center, PASS, now(), &rng, TsaOptions::default()).unwrap();
    assert_ne!(serial_of(fresh.certificate_der()), serial);
    assert_eq!(
        fresh.answer(pki.center.store(), &query, now()).problem,
        None
    );
}

/// A `TimeStampReq` v1 with a SHA-256 imprint and no nonce (RFC 3161 §2.4.1).
fn tsa_query() -> Vec<u8> {
    let req = x509_tsp::TimeStampReq {
        version: x509_tsp::TspVersion::V1,
        message_imprint: x509_tsp::MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
                parameters: None,
            },
            hashed_message: OctetString::new(vec![0x11; 32]).unwrap(),
        },
        req_policy: None,
        nonce: None,
        cert_req: true,
        extensions: None,
    };
    req.to_der().unwrap()
}

// ---- Item 5: OCSP nonce (RFC 9654 §2.1) ----

#[test]
fn fail_a_nonce_of_0_or_more_than_128_octets_is_malformed_request() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let leaf = pki.leaf();
    let responder = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    for len in [0usize, 129, 40_000] {
        let req = ocsp_request(&pki.center, &leaf, Some(nonce(len)));
        let answer = responder.answer(pki.center.store(), &req, now());
        assert_eq!(answer.status, OcspResponseStatus::MalformedRequest, "{len}");
        assert_eq!(
            answer.problem,
            Some(Problem::BadNonce {
                found: len,
                max: 128
            }),
            "{len}"
        );
        assert_eq!(answer.der, vec![0x30, 0x03, 0x0A, 0x01, 0x01]);
    }
    // Not an OCTET STRING at all: the extension value's length is reported.
    let req = ocsp_request(&pki.center, &leaf, Some(vec![0x02, 0x01, 0x05]));
    let answer = responder.answer(pki.center.store(), &req, now());
    assert_eq!(
        answer.problem,
        Some(Problem::BadNonce { found: 3, max: 128 })
    );
    for len in [1usize, 16, 32, 128] {
        let req = ocsp_request(&pki.center, &leaf, Some(nonce(len)));
        let der = responder.respond(pki.center.store(), &req, now());
        let r = OcspResponse::from_der(&der).unwrap();
        assert_eq!(r.response_status, OcspResponseStatus::Successful, "{len}");
        let basic =
            BasicOcspResponse::from_der(r.response_bytes.unwrap().response.as_bytes()).unwrap();
        let echoed = basic.tbs_response_data.response_extensions.unwrap();
        assert_eq!(echoed[0].extn_value.as_bytes(), nonce(len).as_slice());
    }
}

// ---- Item 5: revocation and registry fields ----

#[test]
fn fail_revocation_fields_out_of_bounds_are_refused_and_change_nothing() {
    let pki = Pki::new();
    let leaf = pki.leaf();
    let rec = pki.center.store().certificate(&leaf).unwrap().unwrap();
    let at = now();
    let epoch = OffsetDateTime::UNIX_EPOCH;
    let far = OffsetDateTime::new_utc(
        Date::from_calendar_date(9999, time::Month::December, 31).unwrap(),
        time::Time::MIDNIGHT,
    );
    let cases: Vec<(RevocationNotice, &str)> = vec![
        (
            RevocationNotice {
                invalidity_date: Some(epoch),
                ..notice(&leaf, at)
            },
            "invalidity_date",
        ),
        (
            RevocationNotice {
                invalidity_date: Some(far),
                ..notice(&leaf, at)
            },
            "invalidity_date",
        ),
        (
            RevocationNotice {
                invalidity_date: Some(at + Duration::hours(1)),
                ..notice(&leaf, at)
            },
            "invalidity_date",
        ),
        (
            RevocationNotice {
                received_at: rec.not_before - Duration::days(1),
                ..notice(&leaf, at)
            },
            "received_at",
        ),
        (
            RevocationNotice {
                notified_by: "x".repeat(900_000),
                ..notice(&leaf, at)
            },
            "notified_by",
        ),
        (
            RevocationNotice {
                notified_by: "   ".into(),
                ..notice(&leaf, at)
            },
            "notified_by",
        ),
        (
            RevocationNotice {
                note: Some("n".repeat(900_000)),
                ..notice(&leaf, at)
            },
            "note",
        ),
    ];
    let before = pki.audit_len();
    for (n, field) in cases {
        match pki.center.revoke(&n, "test", at) {
            Err(CaError::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(pki.audit_len(), before);
    assert_eq!(
        pki.center
            .store()
            .certificate(&leaf)
            .unwrap()
            .unwrap()
            .revocation,
        None
    );
    // In the bounds: recorded.
    let ok = RevocationNotice {
        invalidity_date: Some(rec.not_before + Duration::minutes(1)),
        note: Some("n".repeat(eds_ca::fields::MAX_NOTE)),
        ..notice(&leaf, at)
    };
    let done = pki.center.revoke(&ok, "test", at).unwrap();
    assert!(done.revocation.is_some());
}

#[test]
fn fail_registry_records_out_of_bounds_are_refused() {
    let pki = Pki::new();
    let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
    let person = registry.persons[0].clone();
    let entity = registry.entities[0].clone();
    let at = now();
    let today = eds_profile::kz_time::legal_date(at);
    let person_cases: Vec<(PersonRecord, &str)> = vec![
        (
            PersonRecord {
                iin: "123".into(),
                ..person.clone()
            },
            "iin",
        ),
        (
            PersonRecord {
                surname: "S".repeat(100_000),
                ..person.clone()
            },
            "surname",
        ),
        (
            PersonRecord {
                death_date: Some(today + Duration::days(2)),
                ..person.clone()
            },
            "death_date",
        ),
        (
            PersonRecord {
                death_date: Some(person.birth_date - Duration::days(1)),
                ..person.clone()
            },
            "death_date",
        ),
    ];
    let before = pki.audit_len();
    for (p, field) in person_cases {
        match pki.center.record_person(&p, "registry", at) {
            Err(CaError::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let entity_cases: Vec<(EntityRecord, &str)> = vec![
        (
            EntityRecord {
                head_iin: "000000000000".into(),
                ..entity.clone()
            },
            "head_iin",
        ),
        (
            EntityRecord {
                liquidated_on: Some(today + Duration::days(2)),
                ..entity.clone()
            },
            "liquidated_on",
        ),
        (
            EntityRecord {
                name: String::new(),
                ..entity.clone()
            },
            "name",
        ),
    ];
    for (e, field) in entity_cases {
        match pki.center.record_entity(&e, "registry", at) {
            Err(CaError::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    match pki.center.add_ban(
        &NewBan {
            iin: Some(person.iin.clone()),
            bin: None,
            court_decision: "d".repeat(10_000),
            effective_from: today,
            ends_on: None,
        },
        "test",
        at,
    ) {
        Err(CaError::InvalidField { field, .. }) => assert_eq!(field, "court_decision"),
        other => panic!("{other:?}"),
    }
    assert_eq!(pki.audit_len(), before);
}

// ---- Item 5: idempotent issuance ----

fn csr_request() -> (RegistrationRequest, Vec<u8>) {
    let mut req = Pki::request("individual-signing");
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let csr = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .serialize_request(&key)
        .unwrap();
    req.csr_pem = Some(csr.pem().unwrap());
    let body = serde_json::to_vec(&req).unwrap();
    (req, body)
}

#[test]
fn ok_the_same_key_and_body_give_the_same_certificate_after_a_reopen() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let key = pki.center.unlock(PASS).unwrap();
    let (req, body) = csr_request();
    let first = pki
        .center
        .issue_idempotent(
            &key,
            &req,
            KeySource::Csr(None),
            "gateway",
            "k-1",
            &body,
            now(),
            &rng,
        )
        .unwrap();
    let Idempotent::Issued(first) = first else {
        panic!("{first:?}")
    };
    // The register reopened, as after a restart.
    let center = Center::open(pki.dir.path()).unwrap();
    let key = center.unlock(PASS).unwrap();
    let count = center
        .store()
        .list_certificates(&Default::default())
        .unwrap()
        .len();
    let again = center
        .issue_idempotent(
            &key,
            &req,
            KeySource::Csr(None),
            "gateway",
            "k-1",
            &body,
            now(),
            &rng,
        )
        .unwrap();
    assert_eq!(again, Idempotent::Replayed(first.clone()));
    assert_eq!(
        center
            .store()
            .list_certificates(&Default::default())
            .unwrap()
            .len(),
        count
    );
    // Another body under the same key: refused, nothing issued.
    let (other, other_body) = csr_request();
    let err = center
        .issue_idempotent(
            &key,
            &other,
            KeySource::Csr(None),
            "gateway",
            "k-1",
            &other_body,
            now(),
            &rng,
        )
        .unwrap_err();
    assert_eq!(
        err,
        CaError::IdempotencyKeyReused {
            key: "k-1".into(),
            serial: first.serial.clone()
        }
    );
    // The key is the operator's own: another operator's "k-1" is a new issuance.
    let theirs = center
        .issue_idempotent(
            &key,
            &other,
            KeySource::Csr(None),
            "another",
            "k-1",
            &other_body,
            now(),
            &rng,
        )
        .unwrap();
    assert!(matches!(theirs, Idempotent::Issued(r) if r.serial != first.serial));
}

#[test]
fn fail_idempotency_keys_out_of_form_are_refused() {
    for key in ["", "has space", &"k".repeat(256), "caf\u{e9}"] {
        match eds_ca::idempotency::check_key(key) {
            Err(CaError::InvalidField { field, .. }) => assert_eq!(field, "Idempotency-Key"),
            other => panic!("{key:?}: {other:?}"),
        }
    }
    eds_ca::idempotency::check_key("6f1c0a52-6c1e-4b8e-9a55-0c2f4f7c9e01").unwrap();
}

#[test]
fn fail_store_refuses_a_second_certificate_under_a_taken_key() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let key = pki.center.unlock(PASS).unwrap();
    let (req, body) = csr_request();
    let Idempotent::Issued(first) = pki
        .center
        .issue_idempotent(
            &key,
            &req,
            KeySource::Csr(None),
            "gateway",
            "k-2",
            &body,
            now(),
            &rng,
        )
        .unwrap()
    else {
        panic!()
    };
    let (other, _) = csr_request();
    let issued = pki
        .center
        .prepare_issue(
            &key,
            &other,
            KeySource::Csr(None),
            "gateway",
            now(),
            &rng,
            &mut |_| {},
        )
        .unwrap();
    let before = pki.audit_len();
    let err = pki
        .center
        .store()
        .insert_certificate_idempotent(
            &issued.record,
            &eds_ca::store::IdempotencyRecord {
                operator: "gateway".into(),
                key: "k-2".into(),
                request_sha256: [0; 32],
                serial: issued.record.serial.clone(),
            },
            &AuditEvent {
                at: now(),
                actor: "gateway".into(),
                action: "certificate-issued".into(),
                details: json!({}),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::IdempotencyKeyTaken {
            operator: "gateway".into(),
            key: "k-2".into()
        }
    );
    // The transaction rolled back: neither the certificate nor an audit entry.
    assert_eq!(pki.audit_len(), before);
    assert_eq!(
        pki.center
            .store()
            .certificate(&issued.record.serial)
            .unwrap(),
        None
    );
    assert!(
        pki.center
            .store()
            .certificate(&first.serial)
            .unwrap()
            .is_some()
    );
}

// ---- Item 6: modes whatever the umask ----

#[test]
fn ok_data_folder_and_crl_folder_are_0700_and_lock_files_0600() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let key = pki.center.unlock(PASS).unwrap();
    pki.center
        .issue_and_publish_crl(&key, "test", now())
        .unwrap();
    Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    TimestampAuthority::load(&pki.center, PASS, now(), &rng, TsaOptions::default()).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(pki.dir.path()), 0o700);
    assert_eq!(mode(&pki.dir.path().join("crl")), 0o700);
    for f in [
        "crl/.lock",
        "ocsp.lock",
        "tsa.lock",
        signer::KEY_FILE,
        tsa::KEY_FILE,
    ] {
        assert_eq!(mode(&pki.dir.path().join(f)), 0o600, "{f}");
    }
}
