//! Revocation: CRLs (the test PKI's and the national center's), OCSP against the center's own
//! responder served by `eds_server` on a loopback port, the national center's RSA OCSP answer,
//! and the offline mode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::time::Instant;

use ring::rand::SystemRandom;
use time::Duration;
use time::macros::datetime;

use eds_fixtures::pki::{FIXED_TIME, RevocationReason, TestPki};
use eds_fixtures::{nca_bytes, nca_path};
use eds_verifier::cert::Cert;
use eds_verifier::crl::{Crl, CrlError, Reason, Revoked};
use eds_verifier::crypto::{CryptoError, Digest};
use eds_verifier::ocsp::{self, CheckOptions, OcspError, Responder, Status};
use eds_verifier::revocation::{
    CrlOrigin, NoteKind, RevocationChecker, RevocationOptions, RevocationStatus, Source,
};

fn cert(der: &[u8]) -> Cert {
    Cert::from_der(der).unwrap()
}

fn nca_cert(rel: &str) -> Cert {
    Cert::all_from_pem_or_der(&nca_bytes(rel))
        .unwrap()
        .remove(0)
}

fn offline() -> RevocationOptions {
    RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    }
}

fn checker_with(options: RevocationOptions, crls: &[(&str, &[u8])]) -> RevocationChecker {
    let mut c = RevocationChecker::new(options).unwrap();
    for (label, der) in crls {
        c.add_crl(label, der).unwrap();
    }
    c
}

fn kinds(r: &eds_verifier::revocation::RevocationResult) -> Vec<NoteKind> {
    r.notes.iter().map(|n| n.kind).collect()
}

// ---------------------------------------------------------------------------------------------
// CRLs of the test PKI

#[test]
fn ok_crl_good() {
    let pki = TestPki::new();
    let crl = pki.crl(pki.issuing()).build();
    let (leaf, issuer) = (cert(pki.individual().der()), cert(pki.issuing().der()));
    let checker = checker_with(offline(), &[("issuing.crl", crl.der())]);
    let r = checker.check(
        &leaf,
        &issuer,
        FIXED_TIME,
        FIXED_TIME,
        &[],
        &SystemRandom::new(),
    );
    assert_eq!(r.status, RevocationStatus::Good, "{r:?}");
    assert_eq!(
        r.source,
        Some(Source::Crl {
            origin: CrlOrigin::Supplied("issuing.crl".into()),
            issuer: issuer.subject(),
            number: Some("01".into()),
            this_update: FIXED_TIME - Duration::hours(1),
            next_update: Some(FIXED_TIME + Duration::days(7)),
        })
    );
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn fail_crl_revoked_exact_time_and_reason() {
    let pki = TestPki::new();
    let when = FIXED_TIME - Duration::days(2) + Duration::seconds(17);
    let crl = pki
        .crl(pki.issuing())
        .revoke(
            pki.individual(),
            when,
            Some(RevocationReason::KeyCompromise),
        )
        .revoke(pki.head(), when, None)
        .build();
    let issuer = cert(pki.issuing().der());
    // Embedded in the signature rather than supplied: the same answer.
    let checker = checker_with(offline(), &[]);
    let rng = SystemRandom::new();
    let embedded = vec![crl.der().to_vec()];
    let r = checker.check(
        &cert(pki.individual().der()),
        &issuer,
        FIXED_TIME,
        FIXED_TIME,
        &embedded,
        &rng,
    );
    assert_eq!(
        r.status,
        RevocationStatus::Revoked {
            time: when,
            reason: Some(Reason::KeyCompromise)
        }
    );
    assert!(matches!(
        r.source,
        Some(Source::Crl {
            origin: CrlOrigin::Embedded,
            ..
        })
    ));
    let r = checker.check(
        &cert(pki.head().der()),
        &issuer,
        FIXED_TIME,
        FIXED_TIME,
        &embedded,
        &rng,
    );
    assert_eq!(
        r.status,
        RevocationStatus::Revoked {
            time: when,
            reason: None
        }
    );
    // The parsed list answers lookups directly too.
    let parsed = Crl::parse(crl.pem().as_bytes()).unwrap();
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed.verify(&issuer), Ok(()));
    assert_eq!(
        parsed.lookup(&cert(pki.individual().der()).serial().to_vec()),
        Some(Revoked {
            time: when,
            reason: Some(Reason::KeyCompromise)
        })
    );
    assert_eq!(parsed.lookup(&[0x7f, 1, 2, 3]), None);
}

#[test]
fn fail_crl_bad_signature_is_refused() {
    let pki = TestPki::new();
    let crl = pki
        .crl(pki.issuing())
        .revoke(pki.individual(), FIXED_TIME - Duration::days(1), None)
        .broken_signature()
        .build();
    let issuer = cert(pki.issuing().der());
    assert_eq!(
        Crl::parse(crl.der()).unwrap().verify(&issuer),
        Err(CrlError::BadSignature {
            issuer: issuer.subject()
        })
    );
    let checker = checker_with(offline(), &[("broken.crl", crl.der())]);
    let r = checker.check(
        &cert(pki.individual().der()),
        &issuer,
        FIXED_TIME,
        FIXED_TIME,
        &[],
        &SystemRandom::new(),
    );
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(r.source, None);
    assert_eq!(kinds(&r), vec![NoteKind::BadSignature]);
    assert_eq!(r.notes[0].source, "CRL broken.crl");
}

#[test]
fn fail_crl_of_another_issuer_is_refused() {
    let pki = TestPki::new();
    let other = TestPki::builder().variant(1).build();
    let issuer = cert(pki.issuing().der());
    let foreign = pki_crl_revoking(&other, pki.individual().serial());
    assert!(matches!(
        Crl::parse(&foreign).unwrap().verify(&issuer),
        Err(CrlError::IssuerMismatch { .. })
    ));
    // Same name, other key: the authority key identifier tells them apart.
    let impostor = pki.same_name_intermediates().intermediates[0].clone();
    let forged = pki
        .crl(&impostor)
        .revoke(pki.individual(), FIXED_TIME, None)
        .build();
    match Crl::parse(forged.der()).unwrap().verify(&issuer) {
        Err(CrlError::IssuerMismatch { why, .. }) => assert!(why.contains("key identifier")),
        other => panic!("{other:?}"),
    }
    let checker = checker_with(
        offline(),
        &[("foreign.crl", &foreign), ("forged.crl", forged.der())],
    );
    let r = checker.check(
        &cert(pki.individual().der()),
        &issuer,
        FIXED_TIME,
        FIXED_TIME,
        &[],
        &SystemRandom::new(),
    );
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(
        kinds(&r),
        vec![NoteKind::WrongIssuer, NoteKind::WrongIssuer]
    );
}

fn pki_crl_revoking(pki: &TestPki, serial: Vec<u8>) -> Vec<u8> {
    pki.crl(pki.issuing())
        .revoke_serial(&serial, FIXED_TIME, None)
        .build()
        .der()
        .to_vec()
}

#[test]
fn fail_crl_stale_for_the_validation_time() {
    let pki = TestPki::new();
    let crl = pki.crl(pki.issuing()).build();
    let checker = checker_with(offline(), &[("issuing.crl", crl.der())]);
    let (leaf, issuer) = (cert(pki.individual().der()), cert(pki.issuing().der()));
    let later = FIXED_TIME + Duration::days(8);
    let r = checker.check(&leaf, &issuer, later, later, &[], &SystemRandom::new());
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(kinds(&r), vec![NoteKind::Stale]);
    // The same list judged for a signing time inside its window, decided long after: usable.
    let r = checker.check(
        &leaf,
        &issuer,
        FIXED_TIME,
        FIXED_TIME + Duration::days(300),
        &[],
        &SystemRandom::new(),
    );
    assert_eq!(r.status, RevocationStatus::Good);
    // Issued in the future relative to now.
    let r = checker.check(
        &leaf,
        &issuer,
        FIXED_TIME - Duration::days(1),
        FIXED_TIME - Duration::days(1),
        &[],
        &SystemRandom::new(),
    );
    assert_eq!(kinds(&r), vec![NoteKind::NotYetValid]);
    let parsed = Crl::parse(crl.der()).unwrap();
    assert!(parsed.is_fresh(FIXED_TIME));
    assert!(!parsed.is_fresh(later));
}

#[test]
fn million_entries_parse_and_lookup_exact() {
    let pki = TestPki::new();
    let when = FIXED_TIME - Duration::days(3);
    let started = Instant::now();
    let crl = pki
        .crl(pki.issuing())
        .filler(1_000_000, FIXED_TIME - Duration::days(30))
        .revoke(
            pki.individual(),
            when,
            Some(RevocationReason::CessationOfOperation),
        )
        .build();
    let built = started.elapsed();
    let started = Instant::now();
    let parsed = Crl::parse(crl.der()).unwrap();
    let parse = started.elapsed();
    assert_eq!(parsed.len(), 1_000_001);
    let issuer = cert(pki.issuing().der());
    let started = Instant::now();
    assert_eq!(parsed.verify(&issuer), Ok(()));
    let verify = started.elapsed();
    let leaf = cert(pki.individual().der());
    let started = Instant::now();
    let mut found = 0;
    for _ in 0..1000 {
        found += usize::from(parsed.lookup(leaf.serial()).is_some());
    }
    let lookups = started.elapsed();
    assert_eq!(found, 1000);
    assert_eq!(
        parsed.lookup(leaf.serial()),
        Some(Revoked {
            time: when,
            reason: Some(Reason::CessationOfOperation)
        })
    );
    let mut filler = vec![0x02, 0, 0, 0, 0];
    filler.extend_from_slice(&777_777u32.to_be_bytes());
    assert_eq!(
        parsed.lookup(&filler).map(|r| r.time),
        Some(FIXED_TIME - Duration::days(30))
    );
    filler.truncate(5);
    filler.extend_from_slice(&1_000_000u32.to_be_bytes());
    assert_eq!(parsed.lookup(&filler), None);
    assert_eq!(parsed.lookup(cert(pki.head().der()).serial()), None);
    eprintln!(
        "1,000,001 entries, {} bytes: built {built:?}, parsed and indexed {parse:?}, \
         signature {verify:?}, 1000 lookups {lookups:?}",
        crl.der().len()
    );
}

// ---------------------------------------------------------------------------------------------
// The national center's test material

#[test]
fn nca_rsa_crl_verifies_and_revokes_its_revoked_certificates() {
    let ca = nca_cert("ca/nca_rsa_test.crt");
    let crl = Crl::parse(&nca_bytes("crl/nca_rsa_test.crl")).unwrap();
    assert_eq!(crl.len(), 126);
    assert_eq!(crl.number(), Some(&[9u8][..]));
    assert_eq!(crl.this_update(), datetime!(2022-03-29 04:18:29 UTC));
    assert_eq!(crl.next_update(), Some(datetime!(2022-09-25 04:18:29 UTC)));
    assert_eq!(crl.verify(&ca), Ok(()));

    let options = RevocationOptions {
        offline: true,
        crl_files: vec![nca_path("crl/nca_rsa_test.crl")],
        ..RevocationOptions::default()
    };
    let checker = RevocationChecker::new(options).unwrap();
    let rng = SystemRandom::new();
    let at = datetime!(2022-06-01 00:00 UTC);
    for (file, time) in [
        (
            "p12-certs/KEY_INDIVIDUAL_SIGN_REVOKED_2004.cer",
            datetime!(2022-01-18 04:40:24 UTC),
        ),
        (
            "p12-certs/KEY_INDIVIDUAL_AUTH_REVOKED_2004.cer",
            datetime!(2022-01-18 04:41:12 UTC),
        ),
    ] {
        let r = checker.check(&nca_cert(file), &ca, at, at, &[], &rng);
        assert_eq!(
            r.status,
            RevocationStatus::Revoked {
                time,
                reason: Some(Reason::Superseded)
            },
            "{file}"
        );
    }
    let valid = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let r = checker.check(&valid, &ca, at, at, &[], &rng);
    assert_eq!(r.status, RevocationStatus::Good);
}

#[test]
fn nca_gost_crls_parse_and_report_gost_unsupported() {
    for (crl, ca, entries) in [
        ("crl/nca_gost_test.crl", "ca/nca_gost_test.crt", 31),
        ("crl/nca_gost2022_test.crl", "ca/nca_gost2015_test.cer", 6),
    ] {
        let parsed = Crl::parse(&nca_bytes(crl)).unwrap();
        assert_eq!(parsed.len(), entries, "{crl}");
        assert!(
            matches!(
                parsed.verify(&nca_cert(ca)),
                Err(CrlError::Signature(CryptoError::Unsupported { .. }))
            ),
            "{crl}"
        );
    }
}

#[test]
fn nca_rsa_ocsp_response_verifies() {
    let ca = nca_cert("ca/nca_rsa_test.crt");
    let leaf = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let response = nca_bytes("ocsp/ocsp_response_individual_sign_2004.bin");
    let now = datetime!(2022-09-02 17:00 UTC);
    let checked =
        ocsp::check_response(&response, &leaf, &ca, None, now, &CheckOptions::default()).unwrap();
    assert_eq!(checked.status, Status::Good);
    assert_eq!(checked.produced_at, datetime!(2022-09-02 16:53:59 UTC));
    assert_eq!(checked.this_update, datetime!(2022-09-02 16:53:59 UTC));
    assert_eq!(checked.next_update, None);
    assert!(matches!(
        checked.responder,
        Responder::Delegated { nocheck: true, .. }
    ));
    // Without nextUpdate it is accepted for a day after thisUpdate, then stale.
    assert!(matches!(
        ocsp::check_response(
            &response,
            &leaf,
            &ca,
            None,
            now + Duration::days(2),
            &CheckOptions::default()
        ),
        Err(OcspError::Stale { .. })
    ));
    // We did not send its nonce: asking for ours fails.
    assert!(matches!(
        ocsp::check_response(
            &response,
            &leaf,
            &ca,
            Some(&[1; 32]),
            now,
            &CheckOptions::default()
        ),
        Err(OcspError::NonceMismatch { .. })
    ));
    // Another certificate of the same issuer: no answer for it.
    let other = nca_cert("p12-certs/KEY_INDIVIDUAL_SIGN_REVOKED_2004.cer");
    assert!(matches!(
        ocsp::check_response(&response, &other, &ca, None, now, &CheckOptions::default()),
        Err(OcspError::NoMatchingResponse { .. })
    ));
    // One bit of the signature flipped.
    let mut broken = response.clone();
    let at = find(&broken, &signature_of(&response)).unwrap();
    broken[at + 10] ^= 0x01;
    assert!(matches!(
        ocsp::check_response(&broken, &leaf, &ca, None, now, &CheckOptions::default()),
        Err(OcspError::BadSignature { .. })
    ));
}

#[test]
fn nca_gost_ocsp_responses_report_gost_unsupported() {
    let cases = [
        (
            "ocsp/ocsp_response_ceo_sign_2004_revoked.bin",
            "p12-certs/KEY_CEO_SIGN_REVOKED_2004.cer",
            "ca/nca_gost_test.crt",
        ),
        (
            "ocsp/ocsp_response_ceo_2015_revoked.bin",
            "p12-certs/KEY_CEO_REVOKED_2015.cer",
            "ca/nca_gost2015_test.cer",
        ),
        (
            "ocsp/ocsp_response_individual_2015.bin",
            "p12-certs/KEY_INDIVIDUAL_VALID_2015.cer",
            "ca/nca_gost2015_test.cer",
        ),
    ];
    for (resp, leaf, ca) in cases {
        let r = ocsp::check_response(
            &nca_bytes(resp),
            &nca_cert(leaf),
            &nca_cert(ca),
            None,
            datetime!(2022-09-02 17:00 UTC),
            &CheckOptions::default(),
        );
        assert!(
            matches!(
                r,
                Err(OcspError::Signature(CryptoError::Unsupported { .. }))
            ),
            "{resp}: {r:?}"
        );
    }
}

fn signature_of(response_der: &[u8]) -> Vec<u8> {
    use der::Decode;
    let outer = x509_ocsp::OcspResponse::from_der(response_der).unwrap();
    let basic =
        x509_ocsp::BasicOcspResponse::from_der(outer.response_bytes.unwrap().response.as_bytes())
            .unwrap();
    basic.signature.raw_bytes().to_vec()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Offline

#[test]
fn offline_checker_never_touches_the_network() {
    // Port 9 (discard) on loopback: nothing listens there, a connection would be refused at once.
    let pki = TestPki::builder().base_url("http://127.0.0.1:9").build();
    let (leaf, issuer) = (cert(pki.individual().der()), cert(pki.issuing().der()));
    assert_eq!(leaf.ocsp_urls(), vec!["http://127.0.0.1:9/ocsp".to_owned()]);
    assert_eq!(leaf.crl_urls().len(), 1);
    let rng = SystemRandom::new();
    let r = RevocationChecker::new(offline()).unwrap().check(
        &leaf,
        &issuer,
        FIXED_TIME,
        FIXED_TIME,
        &[],
        &rng,
    );
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(kinds(&r), vec![NoteKind::Offline, NoteKind::Offline]);
    assert_eq!(r.notes[0].source, "http://127.0.0.1:9/ocsp");
    assert_eq!(r.notes[0].detail, "offline: not contacted");
    // Online, the same certificate makes the checker try both and report the failures.
    let r = RevocationChecker::new(RevocationOptions::default())
        .unwrap()
        .check(&leaf, &issuer, FIXED_TIME, FIXED_TIME, &[], &rng);
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(
        kinds(&r),
        vec![NoteKind::FetchFailed, NoteKind::FetchFailed]
    );
}

#[test]
fn bad_crl_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.crl");
    std::fs::write(&path, b"not a crl").unwrap();
    let err = RevocationChecker::new(RevocationOptions {
        crl_files: vec![path.clone()],
        ..offline()
    })
    .unwrap_err();
    assert!(matches!(
        err,
        eds_verifier::revocation::RevocationError::Crl {
            error: CrlError::Malformed { offset: 0, .. },
            ..
        }
    ));
}

#[test]
fn ocsp_request_has_the_cert_id_and_nonce() {
    use der::Decode;
    let pki = TestPki::new();
    let (leaf, issuer) = (cert(pki.individual().der()), cert(pki.issuing().der()));
    let rng = SystemRandom::new();
    for digest in [Digest::Sha1, Digest::Sha256] {
        let req = ocsp::Request::new(&leaf, &issuer, digest, Some(&rng)).unwrap();
        let parsed = x509_ocsp::OcspRequest::from_der(req.der()).unwrap();
        let id = &parsed.tbs_request.request_list[0].req_cert;
        assert_eq!(id.hash_algorithm.oid, digest.oid());
        assert_eq!(id.serial_number.as_bytes(), leaf.serial());
        assert_eq!(
            id.issuer_key_hash.as_bytes(),
            digest.digest(issuer.public_key_bytes()).as_slice()
        );
        assert_eq!(req.nonce().map(<[u8]>::len), Some(ocsp::NONCE_LEN));
    }
    let plain = ocsp::Request::new(&leaf, &issuer, Digest::Sha256, None).unwrap();
    assert_eq!(plain.nonce(), None);
}
