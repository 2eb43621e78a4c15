//! The timestamp authority without HTTP: the TSA certificate's profile and life, the token's
//! structure and signature (checked with ring against the TSA certificate's key), every refusal
//! with its failInfo, and serials unique across threads and across authorities sharing one
//! register. The root CRL's signature is checked with OpenSSL's library.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use ring::rand::SystemRandom;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion, TstInfo};

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::tsa::{
    self, FailInfo, ID_CT_TST_INFO, ID_KP_TIME_STAMPING, Response, STATUS_GRANTED,
    STATUS_REJECTION, TimestampAuthority, TsaOptions, TsaProblem,
};

const PASS: &[u8] = b"tsa test passphrase";
const SHA1: &str = "1.3.14.3.2.26";
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";
const SHA512: &str = "2.16.840.1.101.3.4.2.3";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

fn center(dir: &std::path::Path, algorithm: KeyAlgorithm) -> Center {
    let config = CenterConfig {
        algorithm,
        ..CenterConfig::default()
    };
    Center::init(
        dir,
        config,
        PASS,
        now() - Duration::hours(1),
        &SystemRandom::new(),
    )
    .unwrap()
}

fn load(center: &Center, at: OffsetDateTime) -> TimestampAuthority {
    TimestampAuthority::load(
        center,
        PASS,
        at,
        &SystemRandom::new(),
        TsaOptions::default(),
    )
    .unwrap()
}

fn request(hash: &str, len: usize, nonce: Option<&[u8]>, cert_req: bool) -> TimeStampReq {
    TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new(hash).unwrap(),
                parameters: None,
            },
            hashed_message: OctetString::new(vec![0xA5; len]).unwrap(),
        },
        req_policy: None,
        nonce: nonce.map(|n| Int::new(n).unwrap()),
        cert_req,
        extensions: None,
    }
}

/// The response's status, failInfo bits set and token.
fn read(der: &[u8]) -> Response<'_> {
    Response::from_der(der).unwrap()
}

fn tst_of(resp: &Response<'_>) -> (SignedData, TstInfo) {
    let token = resp.time_stamp_token.as_ref().unwrap();
    assert_eq!(token.content_type.to_string(), "1.2.840.113549.1.7.2");
    let sd = token.content.decode_as::<SignedData>().unwrap();
    assert_eq!(sd.encap_content_info.econtent_type, ID_CT_TST_INFO);
    let octets = sd
        .encap_content_info
        .econtent
        .as_ref()
        .unwrap()
        .decode_as::<OctetString>()
        .unwrap();
    let tst = TstInfo::from_der(octets.as_bytes()).unwrap();
    (sd, tst)
}

fn assert_rejected(
    tsa: &TimestampAuthority,
    center: &Center,
    der: &[u8],
    fail: FailInfo,
) -> TsaProblem {
    let a = tsa.answer(center.store(), der, now());
    let r = read(&a.der);
    assert_eq!(r.status.status, STATUS_REJECTION);
    assert!(r.status.fail_bit(fail.bit()), "{:?}", r.status);
    assert_eq!(
        r.status.fail_info,
        Some(fail.bit_string().unwrap()),
        "one bit only"
    );
    assert!(r.time_stamp_token.is_none());
    assert!(a.serial.is_none());
    let problem = a.problem.unwrap();
    assert_eq!(problem.fail_info(), fail);
    // The statusString says what was wrong.
    let text = r.status.status_string.as_ref().unwrap()[0].as_str();
    assert_eq!(text, problem.to_string());
    problem
}

#[test]
fn ok_tsa_certificate_profile_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let tsa = load(&c, now());
    let cert = Certificate::from_der(tsa.certificate_der()).unwrap();
    let exts = cert.tbs_certificate.extensions.as_ref().unwrap();
    let eku = exts
        .iter()
        .find(|e| e.extn_id.to_string() == "2.5.29.37")
        .unwrap();
    assert!(eku.critical, "RFC 3161 §2.3: extended key usage critical");
    let eku = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes()).unwrap();
    assert_eq!(eku.0, vec![ID_KP_TIME_STAMPING]);
    let ku = exts
        .iter()
        .find(|e| e.extn_id.to_string() == "2.5.29.15")
        .unwrap();
    let ku = KeyUsage::from_der(ku.extn_value.as_bytes()).unwrap();
    assert_eq!(
        ku.0,
        KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
    );
    assert_eq!(
        cert.tbs_certificate.issuer,
        Certificate::from_der(c.issuing_der())
            .unwrap()
            .tbs_certificate
            .subject
    );
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(tsa::KEY_FILE), 0o600);
    assert_eq!(mode(tsa::CERT_FILE), 0o644);
    // In the register, kind "tsa".
    let serial =
        eds_ca::store::Serial::from_der_content(cert.tbs_certificate.serial_number.as_bytes())
            .unwrap();
    let rec = c.store().certificate(&serial).unwrap().unwrap();
    assert_eq!(rec.kind, tsa::KIND);
    assert_eq!(rec.der, tsa.certificate_der());
}

#[test]
fn ok_certificate_is_reused_then_renewed_close_to_expiry() {
    let dir = tempfile::tempdir().unwrap();
    // An issuing center that outlives the TSA certificate (a TSA certificate never outlives
    // the issuing center's, which would then be the limit).
    let c = Center::init(
        dir.path(),
        CenterConfig {
            algorithm: KeyAlgorithm::P256,
            issuing_validity_days: 15 * 365,
            ..CenterConfig::default()
        },
        PASS,
        now() - Duration::hours(1),
        &SystemRandom::new(),
    )
    .unwrap();
    let t = now();
    let first = load(&c, t);
    let again = load(&c, t + Duration::days(1));
    assert_eq!(first.certificate_der(), again.certificate_der());
    assert!(!first.renewal_due(t));
    let late = first.not_after() - tsa::RENEW_BEFORE + Duration::seconds(1);
    assert!(first.renewal_due(late));
    let renewed = load(&c, late);
    assert_ne!(first.certificate_der(), renewed.certificate_der());
    assert!(!renewed.renewal_due(late));
}

/// The key signs for a year; its certificate stays valid for years after, so tokens made with
/// it remain verifiable (ETSI EN 319 102-1 §5.6.3 takes a token only while its TSA's
/// certificate is valid or a later archive timestamp proves it older).
#[test]
fn ok_key_is_replaced_after_a_year_while_its_certificate_stays_valid() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let t = now();
    let first = load(&c, t);
    assert!(
        first.not_after() >= t + Duration::days(5 * 365),
        "the TSA certificate is valid for years: {}",
        first.not_after()
    );
    let in_use = t + tsa::KEY_USAGE - Duration::days(1);
    assert!(!first.renewal_due(in_use));
    assert_eq!(load(&c, in_use).certificate_der(), first.certificate_der());
    let used_up = t + tsa::KEY_USAGE + Duration::seconds(1);
    assert!(first.renewal_due(used_up));
    let next = load(&c, used_up);
    assert_ne!(next.certificate_der(), first.certificate_der());
    assert!(
        first.not_after() > used_up,
        "the first certificate is still valid"
    );
    assert!(!next.renewal_due(used_up));
}

#[test]
fn ok_granted_token_structure_and_signature_for_each_hash_and_key() {
    for algorithm in [
        KeyAlgorithm::P256,
        KeyAlgorithm::P384,
        KeyAlgorithm::Ed25519,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let c = center(dir.path(), algorithm);
        let tsa = load(&c, now());
        for (hash, len) in [(SHA256, 32), (SHA384, 48), (SHA512, 64)] {
            let nonce = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];
            let req = request(hash, len, Some(&nonce), true);
            let at = now();
            let a = tsa.answer(c.store(), &req.to_der().unwrap(), at);
            assert_eq!(a.problem, None);
            assert_eq!(a.gen_time, Some(at));
            let r = read(&a.der);
            assert_eq!(r.status.status, STATUS_GRANTED);
            assert_eq!(r.status.fail_info, None);
            let (sd, tst) = tst_of(&r);
            assert_eq!(tst.policy, tsa::DEFAULT_POLICY);
            assert_eq!(tst.message_imprint, req.message_imprint);
            assert_eq!(tst.nonce, req.nonce);
            assert_eq!(tst.accuracy.as_ref().unwrap().seconds, Some(1));
            assert!(!tst.ordering);
            assert_eq!(
                tst.gen_time.to_unix_duration().as_secs(),
                u64::try_from(at.unix_timestamp()).unwrap()
            );
            let serial_bytes = tst.serial_number.as_bytes();
            let mut be = [0u8; 8];
            be[8 - serial_bytes.len()..].copy_from_slice(serial_bytes);
            assert_eq!(Some(u64::from_be_bytes(be)), a.serial);
            // certReq: the TSA certificate is in the token.
            let certs = sd.certificates.as_ref().unwrap();
            assert_eq!(certs.0.len(), 1);
            verify_signature(&sd, tsa.certificate_der(), algorithm);
        }
    }
}

/// Streebog imprints (GOST R 34.11-2012): the TC26 identifiers of both sizes (RFC 9215 §2) and
/// the national center's Streebog-512, with absent or NULL parameters, are granted and echoed in
/// the token as asked; an imprint of the other size is badDataFormat; GOST R 34.11-94 (the
/// center's 2004 generation hash, `1.2.398.3.10.1.3.1`) and an unassigned TC26 arc are badAlg.
#[test]
fn ok_streebog_imprints_are_granted_and_echoed_others_refused() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let tsa = load(&c, now());
    for (hash, len) in [
        ("1.2.643.7.1.1.2.2", 32),
        ("1.2.643.7.1.1.2.3", 64),
        ("1.2.398.3.10.1.3.3", 64),
    ] {
        for null in [false, true] {
            let mut req = request(hash, len, Some(&[0x2A]), false);
            if null {
                req.message_imprint.hash_algorithm.parameters = Some(Any::null());
            }
            let a = tsa.answer(c.store(), &req.to_der().unwrap(), now());
            assert_eq!(a.problem, None, "{hash}");
            let r = read(&a.der);
            assert_eq!(r.status.status, STATUS_GRANTED);
            let (_, tst) = tst_of(&r);
            assert_eq!(tst.message_imprint, req.message_imprint, "{hash}");
        }
        let other = if len == 32 { 64 } else { 32 };
        let p = assert_rejected(
            &tsa,
            &c,
            &request(hash, other, None, false).to_der().unwrap(),
            FailInfo::BadDataFormat,
        );
        assert_eq!(
            p,
            TsaProblem::ImprintLength {
                algorithm: if len == 32 {
                    "Streebog-256"
                } else {
                    "Streebog-512"
                },
                found: other,
                expected: len
            }
        );
    }
    for unknown in ["1.2.398.3.10.1.3.1", "1.2.643.7.1.1.2.4"] {
        let p = assert_rejected(
            &tsa,
            &c,
            &request(unknown, 32, None, false).to_der().unwrap(),
            FailInfo::BadAlg,
        );
        assert_eq!(
            p,
            TsaProblem::UnsupportedHash {
                oid: unknown.into()
            }
        );
    }
}

/// The SignerInfo's attributes and signature, checked as a relying party would.
fn verify_signature(sd: &SignedData, cert_der: &[u8], algorithm: KeyAlgorithm) {
    let cert = Certificate::from_der(cert_der).unwrap();
    let si = sd.signer_infos.0.get(0).unwrap();
    match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            assert_eq!(ias.issuer, cert.tbs_certificate.issuer);
            assert_eq!(ias.serial_number, cert.tbs_certificate.serial_number);
        }
        other => panic!("{other:?}"),
    }
    let attrs = si.signed_attrs.as_ref().unwrap();
    let oids: HashSet<String> = attrs.iter().map(|a| a.oid.to_string()).collect();
    assert_eq!(
        oids,
        HashSet::from([
            "1.2.840.113549.1.9.3".to_owned(),
            "1.2.840.113549.1.9.4".to_owned(),
            "1.2.840.113549.1.9.16.2.47".to_owned(),
        ])
    );
    let econtent = sd.encap_content_info.econtent.as_ref().unwrap();
    let tst_der = econtent.decode_as::<OctetString>().unwrap();
    let (digest_alg, verify_alg): (
        &ring::digest::Algorithm,
        &dyn ring::signature::VerificationAlgorithm,
    ) = match algorithm {
        KeyAlgorithm::P256 => (
            &ring::digest::SHA256,
            &ring::signature::ECDSA_P256_SHA256_ASN1,
        ),
        KeyAlgorithm::P384 => (
            &ring::digest::SHA384,
            &ring::signature::ECDSA_P384_SHA384_ASN1,
        ),
        KeyAlgorithm::Ed25519 => (&ring::digest::SHA512, &ring::signature::ED25519),
        KeyAlgorithm::Gost2015_512
        | KeyAlgorithm::Gost2012_256Tc26
        | KeyAlgorithm::Gost2012_512Tc26 => {
            panic!("ring has no GOST: tests/ca_gost_center.rs and tests/ca_gost_tc26.rs check it")
        }
    };
    let md = attrs
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.4")
        .unwrap();
    let md = md
        .values
        .get(0)
        .unwrap()
        .decode_as::<OctetString>()
        .unwrap();
    assert_eq!(
        md.as_bytes(),
        ring::digest::digest(digest_alg, tst_der.as_bytes()).as_ref()
    );
    let ct = attrs
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.3")
        .unwrap();
    assert_eq!(
        ct.values
            .get(0)
            .unwrap()
            .decode_as::<ObjectIdentifier>()
            .unwrap(),
        ID_CT_TST_INFO
    );
    // signingCertificateV2: SEQUENCE { SEQUENCE OF { SEQUENCE { OCTET STRING hash, … } } }
    let scv2 = attrs
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.16.2.47")
        .unwrap();
    let hash = ring::digest::digest(&ring::digest::SHA256, cert_der);
    let value = scv2.values.get(0).unwrap().to_der().unwrap();
    assert!(
        value
            .windows(hash.as_ref().len())
            .any(|w| w == hash.as_ref()),
        "signingCertificateV2 holds the certificate's SHA-256"
    );
    let signed = attrs.to_der().unwrap();
    let key = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    ring::signature::UnparsedPublicKey::new(verify_alg, key)
        .verify(&signed, si.signature.as_bytes())
        .expect("the token's signature verifies with the TSA certificate's key");
}

#[test]
fn ok_without_cert_req_or_nonce_both_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let tsa = load(&c, now());
    let req = request(SHA256, 32, None, false);
    let a = tsa.answer(c.store(), &req.to_der().unwrap(), now());
    let r = read(&a.der);
    let (sd, tst) = tst_of(&r);
    assert!(sd.certificates.is_none());
    assert!(tst.nonce.is_none());
}

#[test]
fn fail_every_refusal_has_its_fail_info() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let tsa = load(&c, now());

    let p = assert_rejected(&tsa, &c, b"garbage", FailInfo::BadDataFormat);
    assert!(matches!(p, TsaProblem::Malformed { .. }));
    assert_rejected(&tsa, &c, &[], FailInfo::BadDataFormat);

    let mut trailing = request(SHA256, 32, None, false).to_der().unwrap();
    trailing.push(0);
    assert_rejected(&tsa, &c, &trailing, FailInfo::BadDataFormat);

    let p = assert_rejected(
        &tsa,
        &c,
        &request(SHA1, 20, None, false).to_der().unwrap(),
        FailInfo::BadAlg,
    );
    assert_eq!(p, TsaProblem::UnsupportedHash { oid: SHA1.into() });

    // SHA-256 with parameters other than NULL is not SHA-256 as RFC 5754 writes it.
    let mut odd = request(SHA256, 32, None, false);
    odd.message_imprint.hash_algorithm.parameters =
        Some(Any::from_der(&[0x02, 0x01, 0x00]).unwrap());
    assert_rejected(&tsa, &c, &odd.to_der().unwrap(), FailInfo::BadAlg);

    let p = assert_rejected(
        &tsa,
        &c,
        &request(SHA256, 20, None, false).to_der().unwrap(),
        FailInfo::BadDataFormat,
    );
    assert_eq!(
        p,
        TsaProblem::ImprintLength {
            algorithm: "SHA-256",
            found: 20,
            expected: 32
        }
    );

    let long = vec![0x11; tsa::MAX_NONCE_LEN + 1];
    let p = assert_rejected(
        &tsa,
        &c,
        &request(SHA256, 32, Some(&long), false).to_der().unwrap(),
        FailInfo::BadDataFormat,
    );
    assert!(matches!(p, TsaProblem::NonceTooLong { .. }));

    let mut policy = request(SHA256, 32, None, false);
    policy.req_policy = Some(ObjectIdentifier::new("1.2.3.4").unwrap());
    let p = assert_rejected(
        &tsa,
        &c,
        &policy.to_der().unwrap(),
        FailInfo::UnacceptedPolicy,
    );
    assert_eq!(
        p,
        TsaProblem::UnacceptedPolicy {
            asked: "1.2.3.4".into(),
            served: tsa::DEFAULT_POLICY.to_string()
        }
    );
    // The served policy asked by name is granted.
    policy.req_policy = Some(tsa::DEFAULT_POLICY);
    let a = tsa.answer(c.store(), &policy.to_der().unwrap(), now());
    assert_eq!(a.problem, None);

    let mut ext = request(SHA256, 32, None, false);
    ext.extensions = Some(vec![x509_cert::ext::Extension {
        extn_id: ObjectIdentifier::new("1.2.3.5").unwrap(),
        critical: false,
        extn_value: OctetString::new(vec![0x05, 0x00]).unwrap(),
    }]);
    let p = assert_rejected(
        &tsa,
        &c,
        &ext.to_der().unwrap(),
        FailInfo::UnacceptedExtension,
    );
    assert_eq!(
        p,
        TsaProblem::UnacceptedExtension {
            oid: "1.2.3.5".into()
        }
    );
}

#[test]
fn fail_outside_the_certificate_validity_is_time_not_available() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let tsa = load(&c, now());
    let der = request(SHA256, 32, None, false).to_der().unwrap();
    let a = tsa.answer(c.store(), &der, tsa.not_after() + Duration::seconds(1));
    let r = read(&a.der);
    assert_eq!(r.status.status, STATUS_REJECTION);
    assert!(r.status.fail_bit(FailInfo::TimeNotAvailable.bit()));
    assert!(matches!(a.problem, Some(TsaProblem::NotValid { .. })));
}

#[test]
fn ok_serials_are_unique_across_threads_and_authorities_sharing_a_register() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let a = Arc::new(load(&c, now()));
    let b = Arc::new(load(&c, now()));
    let der = request(SHA256, 32, None, false).to_der().unwrap();
    let c = Arc::new(c);
    let serials: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let tsa = if i % 2 == 0 {
                    Arc::clone(&a)
                } else {
                    Arc::clone(&b)
                };
                let (c, der) = (Arc::clone(&c), der.clone());
                scope.spawn(move || {
                    (0..50)
                        .map(|_| tsa.answer(c.store(), &der, now()).serial.unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let distinct: HashSet<u64> = serials.iter().copied().collect();
    assert_eq!(distinct.len(), 400);
    // Two authorities, two blocks.
    let blocks: HashSet<u64> = serials.iter().map(|s| s / tsa::SERIAL_BLOCK).collect();
    assert_eq!(blocks.len(), 2);
}

#[test]
fn ok_fail_info_bits_are_der_named_bits() {
    assert_eq!(
        FailInfo::BadAlg.bit_string().unwrap().to_der().unwrap(),
        [0x03, 0x02, 0x07, 0x80]
    );
    assert_eq!(
        FailInfo::BadDataFormat
            .bit_string()
            .unwrap()
            .to_der()
            .unwrap(),
        [0x03, 0x02, 0x02, 0x04]
    );
    assert_eq!(
        FailInfo::UnacceptedPolicy
            .bit_string()
            .unwrap()
            .to_der()
            .unwrap(),
        [0x03, 0x03, 0x00, 0x00, 0x01]
    );
    assert_eq!(
        FailInfo::SystemFailure
            .bit_string()
            .unwrap()
            .to_der()
            .unwrap(),
        [0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40]
    );
}

#[test]
fn ok_root_crl_is_signed_by_the_root_and_numbered_apart() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let (first, paths) = c.issue_and_publish_root_crl(PASS, "test", now()).unwrap();
    let (second, _) = c.issue_and_publish_root_crl(PASS, "test", now()).unwrap();
    assert_eq!((first.number, second.number), (1, 2));
    assert_eq!(first.entries, 0);
    assert_eq!(std::fs::read(&paths[0]).unwrap(), second.der);
    let crl = openssl::x509::X509Crl::from_der(&second.der).unwrap();
    let root = openssl::x509::X509::from_der(c.root_der()).unwrap();
    let issuing = openssl::x509::X509::from_der(c.issuing_der()).unwrap();
    assert!(crl.verify(&root.public_key().unwrap()).unwrap());
    assert!(!crl.verify(&issuing.public_key().unwrap()).unwrap());
    assert_eq!(
        crl.issuer_name().to_der().unwrap(),
        root.subject_name().to_der().unwrap()
    );
    // Wrong passphrase: refused, nothing numbered.
    assert!(
        c.issue_and_publish_root_crl(b"wrong", "test", now())
            .is_err()
    );
    let (third, _) = c.issue_and_publish_root_crl(PASS, "test", now()).unwrap();
    assert_eq!(third.number, 3);
}

/// EDS law art. 22 (decision in docs/law.md): from the stop day of a notice of cessation the
/// authority loaded before it refuses every request (rejection, failInfo timeNotAvailable, the
/// status text naming the article), as does the answer of a server that loaded none; the day
/// before it grants. No TSA or OCSP signer key is certified from the stop day on, and the OCSP
/// responder loaded then signs with the issuing center's own key; nothing enters the register.
#[test]
fn fail_art22_timestamp_from_the_stop_day_refused_and_no_signer_certified() {
    let dir = tempfile::tempdir().unwrap();
    let c = center(dir.path(), KeyAlgorithm::P256);
    let rng = SystemRandom::new();
    let t = now();
    let authority = load(&c, t);
    let stops_on = eds_profile::kz_time::legal_date(t) + Duration::days(30);
    eds_ca::cessation::give_notice(dir.path(), c.store(), t, stops_on, "NEXT CA", "operator")
        .unwrap();
    let stop = eds_profile::kz_time::start_of_day(stops_on).to_offset(time::UtcOffset::UTC);
    let before = stop - Duration::seconds(1);
    let der = request(SHA256, 32, None, true).to_der().unwrap();

    let granted = authority.answer(c.store(), &der, before);
    assert_eq!(read(&granted.der).status.status, STATUS_GRANTED);
    let working = eds_ca::ocsp::Responder::load(&c, PASS, before, &rng).unwrap();
    assert!(!working.signs_as_issuer());
    let certificates = c.store().list_certificates(&Default::default()).unwrap();

    let refused = authority.answer(c.store(), &der, stop);
    let problem = TsaProblem::Ceased {
        stops_on,
        on: stops_on,
    };
    assert_eq!(refused.problem.as_ref(), Some(&problem));
    assert!(refused.serial.is_none());
    let r = read(&refused.der);
    assert_eq!(r.status.status, STATUS_REJECTION);
    assert_eq!(
        r.status.fail_info,
        Some(FailInfo::TimeNotAvailable.bit_string().unwrap())
    );
    assert!(r.time_stamp_token.is_none());
    let text = r.status.status_string.as_ref().unwrap()[0].as_str();
    assert_eq!(
        text,
        format!(
            "timestamp: the center stopped its activity on {stops_on} (EDS law art. 22); on \
             {stops_on} it timestamps nothing"
        )
    );
    assert_eq!(tsa::answer_without_authority(dir.path(), stop), refused);

    let ceased = |r: Result<eds_ca::store::CertificateRecord, eds_ca::CaError>| match r {
        Err(eds_ca::CaError::Ceased { action, on, .. }) => (action, on),
        other => panic!("{other:?}"),
    };
    let expected = ("certify a new OCSP or TSA signing key", stops_on);
    assert_eq!(ceased(c.issue_tsa_signer(PASS, stop, &rng)), expected);
    assert_eq!(ceased(c.issue_ocsp_signer(PASS, stop, &rng)), expected);
    // The TSA certificate is renewed close to its end; from the stop day it is not.
    let late = authority.not_after() - tsa::RENEW_BEFORE + Duration::seconds(1);
    assert!(matches!(
        TimestampAuthority::load(&c, PASS, late, &rng, TsaOptions::default()),
        Err(eds_ca::CaError::Ceased { .. })
    ));
    // Nor does it publish a CRL of its root or its own before the final ones (`finalize`).
    let (_, root_before) = c.issue_and_publish_root_crl(PASS, "test", before).unwrap();
    match c.issue_and_publish_root_crl(PASS, "test", stop) {
        Err(eds_ca::CaError::Ceased { action, on, .. }) => {
            assert_eq!((action, on), ("issue a CRL", stops_on));
        }
        other => panic!("{other:?}"),
    }
    assert!(root_before.iter().all(|p| p.exists()));
    let key = c.unlock(PASS).unwrap();
    assert!(matches!(
        c.issue_and_publish_crl(&key, "test", stop),
        Err(eds_ca::CaError::Ceased {
            action: "issue a CRL",
            ..
        })
    ));
    let responder = eds_ca::ocsp::Responder::load(&c, PASS, stop, &rng).unwrap();
    assert!(responder.signs_as_issuer());
    assert_eq!(responder.certificate_der(), c.issuing_der());
    assert_eq!(
        c.store().list_certificates(&Default::default()).unwrap(),
        certificates
    );
}
