//! Revocation: CRLs (the test PKI's and the national center's), OCSP against the center's own
//! responder served by `eds_server` on a loopback port, the national center's RSA OCSP answer,
//! and the offline mode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::time::Instant;

mod common;

use ring::rand::SystemRandom;
use time::Duration;
use time::macros::datetime;

use eds_fixtures::pki::{FIXED_TIME, RevocationReason, TestPki};
use eds_fixtures::{nca_bytes, nca_path};
use eds_verifier::cert::Cert;
use eds_verifier::crl::{Crl, CrlError, Reason, Revoked};
use eds_verifier::crypto::Digest;
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
    // The root's list is supplied too: another issuer's list beside an answer leaves no note.
    let root_crl = pki.crl(pki.root()).build();
    let checker = checker_with(
        offline(),
        &[("root.crl", root_crl.der()), ("issuing.crl", crl.der())],
    );
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
        parsed.lookup(cert(pki.individual().der()).serial()),
        Some(Revoked {
            time: when,
            reason: Some(Reason::KeyCompromise)
        })
    );
    assert_eq!(parsed.lookup(&[0x7f, 1, 2, 3]), None);
}

/// A signatureValue BIT STRING with unused bits (X.690 §8.6.2.2) is well-formed DER but no
/// RSA/ECDSA/GOST signature: the CRL parses and its signature never verifies (NIST PKITS 4.4.4's
/// CRL is made this way); a count above 7 is not a BIT STRING at all.
#[test]
fn fail_crl_signature_with_unused_bits_does_not_verify() {
    use der::Decode;
    let pki = TestPki::new();
    let crl = pki.crl(pki.issuing()).build();
    let issuer = cert(pki.issuing().der());
    let list = x509_cert::crl::CertificateList::from_der(crl.der()).unwrap();
    let sig_len = list.signature.raw_bytes().len();
    let unused_at = crl.der().len() - sig_len - 1;
    assert_eq!(crl.der()[unused_at], 0);
    assert_eq!(Crl::parse(crl.der()).unwrap().verify(&issuer), Ok(()));

    let mut one = crl.der().to_vec();
    one[unused_at] = 1;
    assert_eq!(
        Crl::parse(&one).unwrap().verify(&issuer),
        Err(CrlError::BadSignature {
            issuer: issuer.subject()
        })
    );
    let mut eight = crl.der().to_vec();
    eight[unused_at] = 8;
    assert!(matches!(
        Crl::parse(&eight),
        Err(CrlError::Malformed { offset, .. }) if offset == unused_at
    ));
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

#[test]
fn fail_crl_signed_by_a_key_not_allowed_to_sign_crls() {
    use rcgen::{
        CertificateParams, CertificateRevocationListParams, DnType, Issuer, KeyIdMethod, KeyPair,
        KeyUsagePurpose, SerialNumber,
    };
    let key = KeyPair::generate().unwrap();
    let pkcs8 = key.serialize_der();
    let params = |usages: Vec<KeyUsagePurpose>| {
        let mut p = CertificateParams::default();
        p.distinguished_name
            .push(DnType::CommonName, "CRL signer test");
        p.key_identifier_method = KeyIdMethod::Sha256;
        p.key_usages = usages;
        p
    };
    let crl_signer = Issuer::new(
        params(vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign]),
        KeyPair::try_from(&pkcs8[..]).unwrap(),
    );
    let crl = CertificateRevocationListParams {
        this_update: FIXED_TIME,
        next_update: FIXED_TIME + Duration::days(1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&crl_signer)
    .unwrap();
    // The same name and key, certified for keyCertSign only.
    let cert_only = params(vec![KeyUsagePurpose::KeyCertSign])
        .self_signed(&key)
        .unwrap();
    let issuer = Cert::from_der(cert_only.der()).unwrap();
    assert_eq!(
        Crl::parse(crl.der()).unwrap().verify(&issuer),
        Err(CrlError::NotCrlSigner {
            issuer: issuer.subject()
        })
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
    // The certificates name a delta CRL (freshestCRL `nca_d_rsa_test.crl`): the base CRL alone
    // shows revocations (above) but never a good status (RFC 5280 §5.2.4, §6.3.3 (c)).
    let valid = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let r = checker.check(&valid, &ca, at, at, &[], &rng);
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(
        kinds(&r),
        vec![
            NoteKind::Delta,
            NoteKind::Offline,
            NoteKind::Offline,
            NoteKind::Offline
        ],
        "{r:?}"
    );
}

/// The national center's GOST CRLs (2004 and 2015 generations) verify under their CAs through
/// `eds-gost`, and not under each other's.
#[test]
fn nca_gost_crls_parse_and_verify() {
    for (crl, ca, entries, other) in [
        (
            "crl/nca_gost_test.crl",
            "ca/nca_gost_test.crt",
            31,
            "ca/nca_gost2015_test.cer",
        ),
        (
            "crl/nca_gost2022_test.crl",
            "ca/nca_gost2015_test.cer",
            6,
            "ca/nca_gost_test.crt",
        ),
    ] {
        let parsed = Crl::parse(&nca_bytes(crl)).unwrap();
        assert_eq!(parsed.len(), entries, "{crl}");
        assert_eq!(parsed.verify(&nca_cert(ca)), Ok(()), "{crl}");
        assert!(
            matches!(
                parsed.verify(&nca_cert(other)),
                Err(CrlError::IssuerMismatch { .. })
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

/// The national center's GOST OCSP responses (2004 and 2015 generations) verify through
/// `eds-gost`, each with the status it carries; one bit flipped in a signature is a bad signature.
#[test]
fn nca_gost_ocsp_responses_verify() {
    let cases = [
        (
            "ocsp/ocsp_response_ceo_sign_2004_revoked.bin",
            "p12-certs/KEY_CEO_SIGN_REVOKED_2004.cer",
            "ca/nca_gost_test.crt",
            datetime!(2022-01-18 06:30:55 UTC),
            Reason::Superseded,
        ),
        (
            "ocsp/ocsp_response_ceo_2015_revoked.bin",
            "p12-certs/KEY_CEO_REVOKED_2015.cer",
            "ca/nca_gost2015_test.cer",
            datetime!(2022-07-27 10:25:30 UTC),
            Reason::CertificateHold,
        ),
        // RFC 6960 §2.2: "revoked" at 1970-01-01 with certificateHold for a certificate the
        // responder does not know as issued.
        (
            "ocsp/ocsp_response_individual_2015.bin",
            "p12-certs/KEY_INDIVIDUAL_VALID_2015.cer",
            "ca/nca_gost2015_test.cer",
            datetime!(1970-01-01 00:00 UTC),
            Reason::CertificateHold,
        ),
    ];
    let now = datetime!(2022-09-02 17:00 UTC);
    for (resp, leaf, ca, time, reason) in cases {
        let (leaf, ca) = (nca_cert(leaf), nca_cert(ca));
        let response = nca_bytes(resp);
        let checked =
            ocsp::check_response(&response, &leaf, &ca, None, now, &CheckOptions::default())
                .unwrap();
        assert_eq!(
            checked.status,
            Status::Revoked {
                time,
                reason: Some(reason)
            },
            "{resp}"
        );
        let mut broken = response.clone();
        let at = find(&broken, &signature_of(&response)).unwrap();
        broken[at + 10] ^= 0x01;
        assert!(
            matches!(
                ocsp::check_response(&broken, &leaf, &ca, None, now, &CheckOptions::default()),
                Err(OcspError::BadSignature { .. })
            ),
            "{resp}"
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
    // OpenSSL reads the request the same way.
    let req = ocsp::Request::new(&leaf, &issuer, Digest::Sha256, Some(&rng)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("req.der");
    std::fs::write(&path, req.der()).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["ocsp", "-req_text", "-reqin"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_uppercase();
    assert!(text.contains("HASH ALGORITHM: SHA256"), "{text}");
    assert!(
        text.contains(&format!("SERIAL NUMBER: {}", leaf.serial_hex())),
        "{text}"
    );
    assert!(text.contains("OCSP NONCE"), "{text}");
    assert!(
        text.replace([' ', '\n', ':'], "")
            .contains(&format!("0420{}", hex::encode_upper(req.nonce().unwrap()))),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Online: the center's own responder and CRL, served by `eds_server` on a loopback port

mod online {
    use std::sync::OnceLock;

    use der::asn1::{BitString, OctetString};
    use der::{Decode, Encode};
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        SigningKey,
    };
    use ring::rand::SystemRandom;
    use spki::AlgorithmIdentifierOwned;
    use x509_ocsp::{BasicOcspResponse, OcspResponse, ResponderId, ResponseBytes};

    use super::common::{Live, now};
    use eds_verifier::cert::Cert;
    use eds_verifier::crl::Reason;
    use eds_verifier::crypto::Digest;
    use eds_verifier::fetch::{FetchOptions, Fetcher};
    use eds_verifier::ocsp::{self, CheckOptions, OcspError, Responder, Status};
    use eds_verifier::revocation::{
        CrlOrigin, RevocationChecker, RevocationOptions, RevocationStatus, Source,
    };

    const ECDSA_SHA256: der::asn1::ObjectIdentifier =
        der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

    /// One center and server for every online test of this binary (key derivation is slow).
    fn live() -> &'static Live {
        static LIVE: OnceLock<Live> = OnceLock::new();
        LIVE.get_or_init(|| super::common::start(None))
    }

    fn online_checker(ocsp: bool) -> RevocationChecker {
        RevocationChecker::new(RevocationOptions {
            ocsp,
            ..RevocationOptions::default()
        })
        .unwrap()
    }

    /// Asks the responder about `cert` with a fresh request (nonce included).
    fn ask(live: &Live, cert: &Cert) -> (ocsp::Request, Vec<u8>) {
        let rng = SystemRandom::new();
        let req = ocsp::Request::new(cert, &live.issuer, Digest::Sha256, Some(&rng)).unwrap();
        let body = Fetcher::new(FetchOptions::default())
            .post_ocsp(&format!("{}/ocsp", live.url), req.der())
            .unwrap();
        (req, body)
    }

    /// The response re-signed by `signer` (its certificate included, responderID by name).
    fn resigned(response: &[u8], signer: &Cert, key: &KeyPair) -> Vec<u8> {
        let outer = OcspResponse::from_der(response).unwrap();
        let bytes = outer.response_bytes.unwrap();
        let mut basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap();
        basic.tbs_response_data.responder_id =
            ResponderId::ByName(signer.x509().tbs_certificate.subject.clone());
        let tbs = basic.tbs_response_data.to_der().unwrap();
        basic.signature_algorithm = AlgorithmIdentifierOwned {
            oid: ECDSA_SHA256,
            parameters: None,
        };
        basic.signature = BitString::from_bytes(&key.sign(&tbs).unwrap()).unwrap();
        basic.certs = Some(vec![signer.x509().clone()]);
        OcspResponse {
            response_status: outer.response_status,
            response_bytes: Some(ResponseBytes {
                response_type: bytes.response_type,
                response: OctetString::new(basic.to_der().unwrap()).unwrap(),
            }),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn ok_ocsp_good_through_the_checker() {
        let live = live();
        let now = now();
        let r = online_checker(true).check(
            &live.good,
            &live.issuer,
            now,
            now,
            &[],
            &SystemRandom::new(),
        );
        assert_eq!(r.status, RevocationStatus::Good, "{:?}", r.notes);
        match r.source {
            Some(Source::Ocsp {
                url,
                nonce_checked,
                responder,
                next_update,
                ..
            }) => {
                assert_eq!(url, format!("{}/ocsp", live.url));
                assert!(nonce_checked);
                assert!(matches!(responder, Responder::Delegated { .. }));
                assert!(next_update.is_some());
            }
            other => panic!("{other:?}"),
        }
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn fail_ocsp_revoked_exact_time_and_reason() {
        let live = live();
        let now = now();
        let r = online_checker(true).check(
            &live.revoked,
            &live.issuer,
            now,
            now,
            &[],
            &SystemRandom::new(),
        );
        assert_eq!(
            r.status,
            RevocationStatus::Revoked {
                time: live.revoked_at,
                reason: Some(Reason::KeyCompromise)
            },
            "{:?}",
            r.notes
        );
        assert!(matches!(r.source, Some(Source::Ocsp { .. })));
    }

    #[test]
    fn crl_distribution_point_is_fetched_and_cached() {
        let live = live();
        let now = now();
        let cache = tempfile::tempdir().unwrap();
        let options = RevocationOptions {
            ocsp: false,
            cache_dir: Some(cache.path().to_path_buf()),
            ..RevocationOptions::default()
        };
        let checker = RevocationChecker::new(options.clone()).unwrap();
        let rng = SystemRandom::new();
        let r = checker.check(&live.revoked, &live.issuer, now, now, &[], &rng);
        assert_eq!(
            r.status,
            RevocationStatus::Revoked {
                time: live.revoked_at,
                reason: Some(Reason::KeyCompromise)
            },
            "{:?}",
            r.notes
        );
        let url = format!("{}/crl/issuing.crl", live.url);
        assert!(matches!(
            &r.source,
            Some(Source::Crl { origin: CrlOrigin::Url(u), .. }) if *u == url
        ));
        let r = checker.check(&live.good, &live.issuer, now, now, &[], &rng);
        assert_eq!(r.status, RevocationStatus::Good);
        // The cache file is there, and a new checker uses it without fetching: its distribution
        // point URL is answered from the file even when the fetch would fail.
        let cached = eds_verifier::fetch::CrlCache::new(cache.path());
        assert!(cached.path_for(&url).exists());
        let fresh = RevocationChecker::new(RevocationOptions {
            fetch: FetchOptions {
                max_crl_bytes: 1,
                ..FetchOptions::default()
            },
            ..options
        })
        .unwrap();
        let r = fresh.check(&live.good, &live.issuer, now, now, &[], &rng);
        assert_eq!(r.status, RevocationStatus::Good, "{:?}", r.notes);
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn fetch_limits_status_and_schemes() {
        use eds_verifier::fetch::FetchError;
        let live = live();
        let url = format!("{}/crl/issuing.crl", live.url);
        let small = Fetcher::new(FetchOptions {
            max_crl_bytes: 10,
            ..FetchOptions::default()
        });
        assert_eq!(
            small.get_crl(&url),
            Err(FetchError::TooLarge {
                url: url.clone(),
                limit: 10
            })
        );
        let fetcher = Fetcher::new(FetchOptions::default());
        assert!(fetcher.get_crl(&url).unwrap().len() > 10);
        let missing = format!("{}/crl/nothing-here.crl", live.url);
        assert_eq!(
            fetcher.get_crl(&missing),
            Err(FetchError::Status {
                url: missing.clone(),
                status: 404
            })
        );
        for other in [
            "https://127.0.0.1:1/x.crl",
            "ldap://ldap.example/cn=x",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(
                    fetcher.get_crl(other),
                    Err(FetchError::UnsupportedUrl { .. })
                ),
                "{other}"
            );
        }
    }

    #[test]
    fn ocsp_unknown_for_a_certificate_outside_the_register() {
        let live = live();
        let (req, body) = ask(live, &live.unregistered);
        let checked = req
            .check(
                &body,
                &live.unregistered,
                &live.issuer,
                now(),
                &CheckOptions::default(),
            )
            .unwrap();
        assert_eq!(checked.status, Status::Unknown);
    }

    #[test]
    fn fail_ocsp_bad_signature() {
        let live = live();
        let (req, mut body) = ask(live, &live.good);
        let sig = super::signature_of(&body);
        let at = super::find(&body, &sig).unwrap();
        body[at + sig.len() / 2] ^= 0x01;
        assert!(matches!(
            req.check(
                &body,
                &live.good,
                &live.issuer,
                now(),
                &CheckOptions::default()
            ),
            Err(OcspError::BadSignature { .. })
        ));
    }

    #[test]
    fn fail_ocsp_wrong_nonce() {
        let live = live();
        let (_, body) = ask(live, &live.good);
        let rng = SystemRandom::new();
        let other =
            ocsp::Request::new(&live.good, &live.issuer, Digest::Sha256, Some(&rng)).unwrap();
        assert!(matches!(
            other.check(
                &body,
                &live.good,
                &live.issuer,
                now(),
                &CheckOptions::default()
            ),
            Err(OcspError::NonceMismatch { .. })
        ));
    }

    #[test]
    fn fail_ocsp_unauthorized_responders() {
        let live = live();
        let (req, body) = ask(live, &live.good);
        let opts = CheckOptions::default();
        // Issued by the right issuer, but without id-kp-OCSPSigning.
        let (cert, key) = &live.no_eku_responder;
        let forged = resigned(&body, cert, key);
        match req.check(&forged, &live.good, &live.issuer, now(), &opts) {
            Err(OcspError::UnauthorizedResponder { detail }) => {
                assert!(detail.contains("OCSPSigning"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        // An OCSP signing certificate of another CA.
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::default();
        ca.distinguished_name.push(DnType::CommonName, "Other CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_issuer = rcgen::Issuer::new(ca, ca_key);
        let mut p = CertificateParams::default();
        p.distinguished_name
            .push(DnType::CommonName, "Other responder");
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
        let kp = KeyPair::generate().unwrap();
        let responder = Cert::from_der(p.signed_by(&kp, &ca_issuer).unwrap().der()).unwrap();
        let forged = resigned(&body, &responder, &kp);
        match req.check(&forged, &live.good, &live.issuer, now(), &opts) {
            Err(OcspError::UnauthorizedResponder { detail }) => {
                assert!(detail.contains("issued by"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Damaged input: never a panic, truncation always Malformed

#[test]
fn damaged_crls_and_ocsp_answers_never_panic() {
    let ca = nca_cert("ca/nca_rsa_test.crt");
    for file in ["crl/nca_rsa_test.crl", "crl/nca_gost_test.crl"] {
        let der = nca_bytes(file);
        for len in 0..der.len() {
            assert!(
                matches!(
                    Crl::parse(&der[..len]),
                    Err(CrlError::Malformed { .. } | CrlError::Pem { .. })
                ),
                "{file} cut at {len}"
            );
        }
        for i in 0..der.len() {
            let mut flipped = der.clone();
            flipped[i] ^= 0x04;
            if let Ok(crl) = Crl::parse(&flipped) {
                let _ = crl.verify(&ca);
                let _ = crl.lookup(&[1, 2, 3]);
            }
        }
    }
    let leaf = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let now = datetime!(2022-09-02 17:00 UTC);
    let options = CheckOptions::default();
    let response = nca_bytes("ocsp/ocsp_response_individual_sign_2004.bin");
    for len in 0..response.len() {
        assert!(
            matches!(
                ocsp::check_response(&response[..len], &leaf, &ca, None, now, &options),
                Err(OcspError::Malformed { .. })
            ),
            "cut at {len}"
        );
    }
    for i in 0..response.len() {
        let mut flipped = response.clone();
        flipped[i] ^= 0x04;
        let _ = ocsp::check_response(&flipped, &leaf, &ca, None, now, &options);
    }
}

// ---------------------------------------------------------------------------------------------
// Saved OCSP responses (`--ocsp FILE`)

fn saved(files: &[&str]) -> RevocationChecker {
    RevocationChecker::new(RevocationOptions {
        offline: true,
        ocsp_files: files.iter().map(|f| nca_path(f)).collect(),
        ..RevocationOptions::default()
    })
    .unwrap()
}

#[test]
fn ok_saved_ocsp_response_answers_offline_for_an_earlier_validation_time() {
    let ca = nca_cert("ca/nca_rsa_test.crt");
    let leaf = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let checker = saved(&["ocsp/ocsp_response_individual_sign_2004.bin"]);
    // Validated inside the certificate's validity, decided later: the answer (thisUpdate
    // 2022-09-02, after the validation time) covers it.
    let at = datetime!(2021-06-01 09:00 UTC);
    let now = datetime!(2026-01-01 00:00 UTC);
    let r = checker.check(&leaf, &ca, at, now, &[], &SystemRandom::new());
    assert_eq!(r.status, RevocationStatus::Good, "{r:?}");
    match &r.source {
        Some(Source::Ocsp {
            url, produced_at, ..
        }) => {
            assert!(
                url.ends_with("ocsp_response_individual_sign_2004.bin"),
                "{url}"
            );
            assert_eq!(*produced_at, datetime!(2022-09-02 16:53:59 UTC));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fail_saved_ocsp_response_stale_or_from_the_future_is_a_note() {
    let ca = nca_cert("ca/nca_rsa_test.crt");
    let leaf = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let checker = saved(&["ocsp/ocsp_response_individual_sign_2004.bin"]);
    let rng = SystemRandom::new();
    // Validation two days after its thisUpdate (no nextUpdate: a day's validity).
    let late = datetime!(2022-09-04 17:00 UTC);
    let r = checker.check(&leaf, &ca, late, late, &[], &rng);
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(kinds(&r)[0], NoteKind::Stale, "{r:?}");
    // Decided before it was produced.
    let early = datetime!(2021-06-01 09:00 UTC);
    let r = checker.check(&leaf, &ca, early, early, &[], &rng);
    assert_eq!(r.status, RevocationStatus::Unavailable);
    assert_eq!(kinds(&r)[0], NoteKind::NotYetValid, "{r:?}");
}

/// A saved GOST OCSP response of the national center is verified and its answer used.
#[test]
fn ok_saved_gost_ocsp_response_gives_its_status() {
    let ca = nca_cert("ca/nca_gost2015_test.cer");
    let leaf = nca_cert("p12-certs/KEY_INDIVIDUAL_VALID_2015.cer");
    let checker = saved(&["ocsp/ocsp_response_individual_2015.bin"]);
    let at = datetime!(2022-09-02 17:00 UTC);
    let r = checker.check(&leaf, &ca, at, at, &[], &SystemRandom::new());
    assert_eq!(
        r.status,
        RevocationStatus::Revoked {
            time: datetime!(1970-01-01 00:00 UTC),
            reason: Some(Reason::CertificateHold)
        },
        "{r:?}"
    );
}

#[test]
fn fail_saved_ocsp_file_that_is_not_an_ocsp_response() {
    let err = RevocationChecker::new(RevocationOptions {
        offline: true,
        ocsp_files: vec![nca_path("crl/nca_rsa_test.crl")],
        ..RevocationOptions::default()
    })
    .unwrap_err();
    match err {
        eds_verifier::revocation::RevocationError::Ocsp { path, detail } => {
            assert_eq!(path, nca_path("crl/nca_rsa_test.crl"));
            assert!(detail.contains("not a DER OCSPResponse"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}
