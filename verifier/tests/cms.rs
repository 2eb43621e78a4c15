//! The CMS reader and the SignerInfo checks of `eds_verifier::cms`, on signatures made by our
//! signer (every algorithm: attached, detached, co-signed), by `openssl cms -sign` (attached,
//! detached, `-cades`, `-stream` BER, `-nosmimecap`, `-keyid`, RSA and EC) and with the national
//! center's RSA test key; each tampering gives its own failure, and damaged input never panics.
//!
//! Each algorithm gets a test PKI made with the `openssl` command (root → issuing CA → owners),
//! once per test run, under Cargo's temporary folder.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::path::Path;
use std::sync::OnceLock;

use eds_fixtures::openssl_pki::{OpensslAlg as Alg, OpensslPki, openssl_ok, pem_der, s};

use ring::rand::SystemRandom;
use time::OffsetDateTime;
use time::macros::datetime;

use eds_signer::cms as sign;
use eds_signer::keys::{RingSigningKey, load_pkcs12};
use eds_signer::{Content, SignOptions, SignatureAlgorithm, Signer};
use eds_verifier::cert::Cert;
use eds_verifier::cms::{
    self, CmsFormatError, ContentDigests, ImprintError, SignedDocument, SignerCheck, SignerFailure,
    SignerId,
};
use eds_verifier::crypto::CryptoError;

const T: OffsetDateTime = datetime!(2026-03-02 10:00:00 UTC);
const ALL: [Alg; 5] = Alg::ALL;

// ---------------------------------------------------------------------------------------------
// Our signer, every algorithm

#[test]
fn ok_attached_and_detached_for_every_algorithm() {
    let doc = document(3000);
    for alg in ALL {
        let pki = pki(alg);
        let (key, cert, chain) = pki.owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        for detached in [false, true] {
            let der = our_sign(&signer, &doc, detached);
            let parsed = cms::parse(&der).unwrap();
            assert_eq!(parsed.content_type, cms::ID_DATA);
            assert_eq!(parsed.content.is_none(), detached, "{alg:?}");
            assert!(!parsed.was_ber);
            assert_eq!(parsed.signers.len(), 1);
            let s = &parsed.signers[0];
            assert_eq!(s.attributes.signing_time, Some(T), "{alg:?}");
            assert!(s.attributes.signing_certificate_v2.is_some());
            assert!(s.attributes.problems.is_empty());
            let checks = check_all(&parsed, detached.then_some(doc.as_slice()), &[]);
            assert_passed(&checks, alg);
            assert_eq!(checks[0].certificate.as_ref().unwrap().der(), cert);
        }
    }
}

#[test]
fn ok_cosigned_by_every_algorithm_pair_attached_and_detached() {
    let doc = document(777);
    for first in ALL {
        let second = ALL[(ALL.iter().position(|a| *a == first).unwrap() + 2) % ALL.len()];
        let (k1, c1, ch1) = pki(first).owner(1);
        let (k2, c2, ch2) = pki(second).owner(2);
        let s1 = Signer::new(&k1, &c1, &ch1).unwrap();
        let s2 = Signer::new(&k2, &c2, &ch2).unwrap();
        for detached in [false, true] {
            let one = our_sign(&s1, &doc, detached);
            let content = detached.then_some(Content::Bytes(&doc));
            let two = sign::cosign(
                &s2,
                &one,
                content,
                &SignOptions::new(T),
                &SystemRandom::new(),
            )
            .unwrap();
            let parsed = cms::parse(&two).unwrap();
            assert_eq!(parsed.signers.len(), 2);
            let checks = check_all(&parsed, detached.then_some(doc.as_slice()), &[]);
            assert_passed(&checks, first);
            let found: Vec<&[u8]> = checks
                .iter()
                .map(|c| c.certificate.as_ref().unwrap().der())
                .collect();
            assert!(found.contains(&c1.as_slice()) && found.contains(&c2.as_slice()));
        }
    }
}

#[test]
fn ok_detached_file_digest_is_streamed() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.bin");
    // Over the 64 KiB chunk several times, and not a multiple of it.
    let doc = document(5 * 64 * 1024 + 123);
    std::fs::write(&file, &doc).unwrap();
    let der = sign::sign(
        &signer,
        Content::File(&file),
        &SignOptions::new(T).detached(true),
        &SystemRandom::new(),
    )
    .unwrap();
    let parsed = cms::parse(&der).unwrap();
    let digests = ContentDigests::of_reader(&parsed, std::fs::File::open(&file).unwrap()).unwrap();
    assert_eq!(digests, ContentDigests::of_bytes(&parsed, &doc));
    let s = &parsed.signers[0];
    let check = cms::check_signer(&parsed, s, digests.for_signer(s), &[]);
    assert_eq!(check.failures, vec![]);
}

#[test]
fn ok_pem_input() {
    let (key, cert, chain) = pki(Alg::P384).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let der = our_sign(&signer, b"pem", false);
    let pem = sign::to_pem(&der);
    assert_eq!(
        cms::parse(pem.as_bytes()).unwrap(),
        cms::parse(&der).unwrap()
    );
    let pkcs7 = pem
        .replace("-----BEGIN CMS-----", "-----BEGIN PKCS7-----")
        .replace("-----END CMS-----", "-----END PKCS7-----");
    assert_eq!(
        cms::parse(pkcs7.as_bytes()).unwrap(),
        cms::parse(&der).unwrap()
    );
    let other = pem
        .replace("-----BEGIN CMS-----", "-----BEGIN CERTIFICATE-----")
        .replace("-----END CMS-----", "-----END CERTIFICATE-----");
    assert_eq!(
        cms::parse(other.as_bytes()),
        Err(CmsFormatError::Pem {
            detail: "the PEM label is \"CERTIFICATE\"".into()
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Each tampering has its own failure

#[test]
fn fail_content_tampered_by_one_byte_is_hash_failure() {
    let doc = document(2000);
    for alg in ALL {
        let (key, cert, chain) = pki(alg).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let mut der = our_sign(&signer, &doc, false);
        let at = find(&der, &doc).unwrap() + 1000;
        der[at] ^= 0x01;
        let parsed = cms::parse(&der).unwrap();
        let checks = check_all(&parsed, None, &[]);
        assert_eq!(
            checks[0].failures,
            vec![SignerFailure::HashFailure],
            "{alg:?}"
        );
        assert_eq!(checks[0].certificate.as_ref().unwrap().der(), cert);
    }
}

#[test]
fn fail_signed_attribute_tampered_is_signature_invalid() {
    for alg in ALL {
        let (key, cert, chain) = pki(alg).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let mut der = our_sign(&signer, b"document", false);
        // signingTime 2026-03-02 10:00:00 as UTCTime: move it by one second.
        let at = find(&der, b"260302100000Z").unwrap();
        der[at + 11] = b'1';
        let parsed = cms::parse(&der).unwrap();
        assert_eq!(
            parsed.signers[0].attributes.signing_time,
            Some(datetime!(2026-03-02 10:00:01 UTC))
        );
        let checks = check_all(&parsed, None, &[]);
        assert_eq!(
            checks[0].failures,
            vec![SignerFailure::SignatureInvalid],
            "{alg:?}"
        );
    }
}

#[test]
fn fail_wrong_detached_content_is_hash_failure() {
    for alg in ALL {
        let (key, cert, chain) = pki(alg).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let der = our_sign(&signer, b"the contract, version 1", true);
        let parsed = cms::parse(&der).unwrap();
        let checks = check_all(&parsed, Some(b"the contract, version 2"), &[]);
        assert_eq!(
            checks[0].failures,
            vec![SignerFailure::HashFailure],
            "{alg:?}"
        );
    }
}

#[test]
fn fail_detached_without_content_is_content_missing() {
    let (key, cert, chain) = pki(Alg::Rsa).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let parsed = cms::parse(&our_sign(&signer, b"x", true)).unwrap();
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[]);
    assert_eq!(check.failures, vec![SignerFailure::ContentMissing]);
}

#[test]
fn fail_signing_certificate_removed_then_supplied() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let mut parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
    let leaf = Cert::from_der(&cert).unwrap();
    parsed.certificates.retain(|c| *c != leaf);
    assert_eq!(parsed.certificates.len(), 1, "the issuing CA stays");
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[]);
    assert_eq!(check.failures, vec![SignerFailure::NoSigningCertificate]);
    assert_eq!(check.certificate, None);
    // Supplied beside the signature, it is found.
    let check = cms::check_signer(
        &parsed,
        &parsed.signers[0],
        None,
        std::slice::from_ref(&leaf),
    );
    assert_eq!(check.failures, vec![]);
    assert_eq!(check.certificate, Some(leaf));
}

/// Owner 1's key is certified twice (`leaf1.pem`, `leaf1b.pem`). The signature binds
/// `leaf1b.pem` by the ESS hash; a signer identifier pointing at `leaf1.pem` finds a key that
/// verifies the signature, but not the certificate the signer signed with.
#[test]
fn fail_ess_hash_naming_another_certificate_is_hash_mismatch() {
    for alg in ALL {
        let pki = pki(alg);
        let (key, _, chain) = pki.owner(1);
        let other = pem_der(&pki.dir.join("leaf1.pem"));
        let bound = pem_der(&pki.dir.join("leaf1b.pem"));
        let signer = Signer::new(&key, &bound, &chain).unwrap();
        let mut parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
        let other = Cert::from_der(&other).unwrap();
        parsed.signers[0].sid = SignerId::IssuerAndSerial {
            issuer_der: other.issuer_der().to_vec(),
            issuer: other.issuer(),
            serial: other.serial().to_vec(),
        };
        let check = cms::check_signer(
            &parsed,
            &parsed.signers[0],
            None,
            std::slice::from_ref(&other),
        );
        assert_eq!(
            check.failures,
            vec![SignerFailure::SigningCertificateHashMismatch],
            "{alg:?}"
        );
        assert_eq!(check.certificate, Some(other));
    }
}

/// Both certificates of owner 1 carry the same key identifier: the one the ESS hash names wins.
#[test]
fn ok_key_identifier_shared_by_two_certificates_picks_the_bound_one() {
    let pki = pki(Alg::P256);
    let (key, _, chain) = pki.owner(1);
    let first = Cert::from_der(&pem_der(&pki.dir.join("leaf1.pem"))).unwrap();
    let bound = pem_der(&pki.dir.join("leaf1b.pem"));
    let signer = Signer::new(&key, &bound, &chain).unwrap();
    let mut parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
    let ski = first.subject_key_id().unwrap();
    parsed.signers[0].sid = SignerId::KeyId(ski);
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[first]);
    assert_eq!(check.failures, vec![]);
    assert_eq!(check.certificate.unwrap().der(), bound);
}

#[test]
fn fail_content_type_attribute_differs() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let mut parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
    parsed.content_type = cms::ID_CT_TST_INFO;
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[]);
    assert_eq!(check.failures, vec![SignerFailure::ContentTypeMismatch]);
}

#[test]
fn fail_missing_message_digest_attribute() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let mut parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
    let attrs = &mut parsed.signers[0].attributes;
    attrs.message_digest = None;
    attrs.types.retain(|t| *t != cms::ID_MESSAGE_DIGEST);
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[]);
    assert_eq!(
        check.failures,
        vec![SignerFailure::MissingAttribute {
            name: "messageDigest"
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// OpenSSL's signatures

#[test]
fn ok_openssl_signatures_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content.txt");
    let doc = document(10_000);
    std::fs::write(&content, &doc).unwrap();
    let forms: &[(&str, &[&str], bool)] = &[
        ("attached", &["-nodetach"], false),
        ("detached", &[], true),
        ("cades", &["-nodetach", "-cades"], false),
        ("cades detached", &["-cades"], true),
        ("stream", &["-nodetach", "-stream"], false),
        // Without -nodetach: OpenSSL streams the content into the DER output anyway.
        ("stream cades", &["-stream", "-cades"], false),
        ("nosmimecap", &["-nodetach", "-nosmimecap"], false),
        ("keyid", &["-nodetach", "-keyid"], false),
        (
            "keyid sha384 cades",
            &["-keyid", "-md", "sha384", "-cades"],
            true,
        ),
    ];
    for alg in [Alg::Rsa, Alg::P256, Alg::P384] {
        let pki = pki(alg);
        for (name, extra, detached) in forms {
            let out = dir.path().join("sig.p7s");
            let mut args = vec!["cms", "-sign", "-binary", "-in", s(&content), "-signer"];
            let leaf = pki.dir.join("leaf1.pem");
            let key = pki.dir.join("leaf1.key");
            let int = pki.dir.join("int.pem");
            args.extend_from_slice(&[
                s(&leaf),
                "-inkey",
                s(&key),
                "-certfile",
                s(&int),
                "-outform",
                "DER",
                "-out",
                s(&out),
            ]);
            args.extend_from_slice(extra);
            openssl_ok(&args);
            let der = std::fs::read(&out).unwrap();
            let parsed = cms::parse(&der).unwrap();
            let what = format!("{alg:?} {name}");
            assert_eq!(parsed.content.is_none(), *detached, "{what}");
            assert_eq!(parsed.was_ber, name.contains("stream"), "{what}");
            let s0 = &parsed.signers[0];
            assert_eq!(
                matches!(s0.sid, SignerId::KeyId(_)),
                name.contains("keyid"),
                "{what}"
            );
            assert_eq!(
                s0.attributes.signing_certificate_v2.is_some(),
                name.contains("cades"),
                "{what}"
            );
            let checks = check_all(&parsed, detached.then_some(doc.as_slice()), &[]);
            assert_passed(&checks, alg);
            assert_eq!(
                checks[0].certificate.as_ref().unwrap().der(),
                pem_der(&leaf),
                "{what}"
            );
            if !detached {
                assert_eq!(parsed.content.as_deref(), Some(doc.as_slice()), "{what}");
            }
        }
    }
}

#[test]
fn fail_openssl_stream_signature_with_changed_content_is_hash_failure() {
    let pki = pki(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content.txt");
    std::fs::write(&content, document(5000)).unwrap();
    let out = dir.path().join("sig.p7s");
    openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-stream",
        "-in",
        s(&content),
        "-signer",
        s(&pki.dir.join("leaf1.pem")),
        "-inkey",
        s(&pki.dir.join("leaf1.key")),
        "-outform",
        "DER",
        "-out",
        s(&out),
    ]);
    let mut der = std::fs::read(&out).unwrap();
    let at = find(&der, &document(5000)[..100]).unwrap() + 50;
    der[at] ^= 0x80;
    let parsed = cms::parse(&der).unwrap();
    assert!(parsed.was_ber);
    let checks = check_all(&parsed, None, &[]);
    assert_eq!(checks[0].failures, vec![SignerFailure::HashFailure]);
}

// ---------------------------------------------------------------------------------------------
// The national center's material

#[test]
fn ok_national_center_rsa_key_signs_a_document_that_passes() {
    let p12 = eds_fixtures::nca_bytes("keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12");
    let signed_at = datetime!(2021-06-01 09:00:00 UTC);
    let doc = "заявление / application".as_bytes();
    for algorithm in [
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPssSha256,
    ] {
        let contents = load_pkcs12(&p12, "Qwerty12").unwrap();
        let key = contents.key.with_algorithm(algorithm).unwrap();
        let signer = Signer::new(&key, &contents.certificate_der, &contents.chain_der).unwrap();
        for detached in [false, true] {
            let der = sign::sign(
                &signer,
                Content::Bytes(doc),
                &SignOptions::new(signed_at).detached(detached),
                &SystemRandom::new(),
            )
            .unwrap();
            let parsed = cms::parse(&der).unwrap();
            assert_eq!(parsed.signers[0].attributes.signing_time, Some(signed_at));
            let checks = check_all(&parsed, detached.then_some(doc), &[]);
            assert_eq!(
                checks[0].failures,
                vec![],
                "{algorithm:?} detached={detached}"
            );
            let cert = checks[0].certificate.as_ref().unwrap();
            assert_eq!(cert.der(), contents.certificate_der);
            assert!(
                cert.subject().contains("IIN123456789011"),
                "{}",
                cert.subject()
            );
        }
    }
}

/// The center's timestamp token is a GOST SignedData (ST RK 34.310-2004 over ST RK 34.311-95,
/// through `eds-gost`): it reads, and its signer checks all pass.
#[test]
fn ok_national_center_gost_token_reads_and_its_signature_verifies() {
    for file in ["tsp/tsp_token.bin", "tsp/tsp_response.bin"] {
        let token = cms::read_timestamp_token(&eds_fixtures::nca_bytes(file)).unwrap();
        assert_eq!(token.gen_time, datetime!(2022-09-18 13:20:14 UTC), "{file}");
        assert_eq!(token.policy.to_string(), "1.2.398.3.3.2.6.1");
        assert_eq!(token.hash_algorithm, eds_verifier::crypto::SHA1);
        assert_eq!(
            hex::encode_upper(&token.hashed_message),
            "1465DAD126D32BF7AA5D3B95A5C7C331CDFF34DF"
        );
        assert_eq!(
            hex::encode_upper(&token.serial),
            "5E846DD75D861154DB10F13C54DC1F8D33FE6ADC"
        );
        assert_eq!(token.check_imprint(b"not it"), Err(ImprintError::Mismatch));
        let tsa = token.tsa_signer().unwrap();
        let check = cms::check_signer(&token.document, tsa, None, &[]);
        assert!(
            check.certificate.is_some(),
            "the TSA certificate is embedded"
        );
        assert_eq!(check.failures, [], "{file}");
    }
}

#[test]
fn ok_national_center_certificates_embedded_in_a_signature_are_read() {
    // A GOST certificate as the "signer" of one of our signatures: the signer identifier is
    // pointed at it and the check says the ECDSA signature does not fit the GOST key.
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let mut parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
    let gost = Cert::all_from_pem_or_der(&eds_fixtures::nca_bytes(
        "certs/ceo_valid_sign_2004_gost.cer",
    ))
    .unwrap()
    .remove(0);
    parsed.certificates = vec![gost.clone()];
    parsed.signers[0].sid = SignerId::IssuerAndSerial {
        issuer_der: gost.issuer_der().to_vec(),
        issuer: gost.issuer(),
        serial: gost.serial().to_vec(),
    };
    parsed.signers[0].attributes.signing_certificate_v2 = None;
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[]);
    assert_eq!(check.certificate, Some(gost));
    assert!(
        matches!(
            check.failures.as_slice(),
            [SignerFailure::Crypto(CryptoError::KeyMismatch { .. })]
        ),
        "{:?}",
        check.failures
    );
}

// ---------------------------------------------------------------------------------------------
// Timestamp tokens made by OpenSSL's TSA

#[test]
fn ok_openssl_timestamp_token_over_a_signature_value() {
    let pki = pki(Alg::P256);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let parsed = cms::parse(&our_sign(&signer, b"doc", false)).unwrap();
    let signature = &parsed.signers[0].signature;
    let dir = tempfile::tempdir().unwrap();
    let value = dir.path().join("value.bin");
    std::fs::write(&value, signature).unwrap();
    for precision in ["0", "3"] {
        let cnf = dir.path().join("tsa.cnf");
        std::fs::write(
            &cnf,
            format!(
                "[tsa]\ndefault_tsa = t\n[t]\nserial = {}\nsigner_digest = sha256\n\
                 default_policy = 1.2.3.4.1\ndigests = sha256, sha384\n\
                 ess_cert_id_alg = sha256\naccuracy = secs:1\nclock_precision_digits = {precision}\n",
                s(&dir.path().join("serial"))
            ),
        )
        .unwrap();
        let req = dir.path().join("req.tsq");
        let resp = dir.path().join("resp.tsr");
        openssl_ok(&[
            "ts",
            "-query",
            "-data",
            s(&value),
            "-sha256",
            "-cert",
            "-out",
            s(&req),
        ]);
        openssl_ok(&[
            "ts",
            "-reply",
            "-config",
            s(&cnf),
            "-queryfile",
            s(&req),
            "-signer",
            s(&pki.dir.join("tsa.pem")),
            "-inkey",
            s(&pki.dir.join("tsa.key")),
            "-out",
            s(&resp),
        ]);
        let token = cms::read_timestamp_token(&std::fs::read(&resp).unwrap()).unwrap();
        assert_eq!(token.policy.to_string(), "1.2.3.4.1");
        assert_eq!(token.hash_algorithm, eds_verifier::crypto::SHA256);
        let now = OffsetDateTime::now_utc();
        assert!(
            (now - token.gen_time).whole_seconds().abs() < 600,
            "{precision}"
        );
        assert_eq!(token.check_signature_imprint(&parsed.signers[0]), Ok(()));
        assert_eq!(token.check_imprint(b"other"), Err(ImprintError::Mismatch));
        let tsa = token.tsa_signer().unwrap();
        let check = cms::check_signer(&token.document, tsa, None, &[]);
        assert_eq!(check.failures, vec![], "precision {precision}");
        assert_eq!(
            check.certificate.unwrap().der(),
            pem_der(&pki.dir.join("tsa.pem"))
        );
    }
}

#[test]
fn fail_timestamp_reader_refuses_a_signature_that_is_not_a_token() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let der = our_sign(&signer, b"doc", false);
    assert_eq!(
        cms::read_timestamp_token(&der),
        Err(CmsFormatError::NotTimestampToken {
            content_type: "1.2.840.113549.1.7.1".into()
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Damaged input never panics

#[test]
fn fail_every_truncation_and_bit_flip_is_handled() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let ours = our_sign(&signer, &document(300), false);
    let ber = openssl_stream_signature(Alg::Rsa);
    let token = eds_fixtures::nca_bytes("tsp/tsp_token.bin");
    for input in [&ours, &ber, &token] {
        for len in 0..input.len() {
            let prefix = &input[..len];
            assert!(cms::parse(prefix).is_err(), "prefix {len} parsed");
            assert!(cms::read_timestamp_token(prefix).is_err());
        }
        for at in 0..input.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut damaged = input.clone();
                damaged[at] ^= mask;
                exercise(&damaged);
            }
        }
    }
}

#[test]
fn fail_garbage_is_a_format_error() {
    assert_eq!(
        cms::parse(b""),
        Err(CmsFormatError::Encoding(eds_profile::ber::BerError {
            offset: 0,
            what: "BER: empty input".into()
        }))
    );
    let cert = eds_fixtures::nca_bytes("ca/nca_gost2015_test.cer");
    assert!(matches!(
        cms::parse(&cert),
        Err(CmsFormatError::Malformed { part, .. }) if part == "ContentInfo"
    ));
    // A ContentInfo of another type (id-data).
    let data = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x00,
    ];
    assert_eq!(
        cms::parse(&data),
        Err(CmsFormatError::NotSignedData {
            content_type: "1.2.840.113549.1.7.1".into()
        })
    );
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for len in [1usize, 2, 7, 64, 1000] {
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_le_bytes()[0]
                })
                .collect();
            exercise(&bytes);
        }
    }
}

/// Parse, check every signer, read as a token: must return, whatever the bytes.
fn exercise(bytes: &[u8]) {
    if let Ok(doc) = cms::parse(bytes) {
        for signer in &doc.signers {
            let check = cms::check_signer(&doc, signer, None, &[]);
            let _ = check.passed();
            let _ = cms::check_signer_with_content(&doc, signer, b"x", &[]);
        }
    }
    if let Ok(token) = cms::read_timestamp_token(bytes) {
        let _ = token.check_imprint(bytes);
    }
}

// ---------------------------------------------------------------------------------------------
// Harness

fn pki(alg: Alg) -> &'static OpensslPki {
    static PKIS: [OnceLock<OpensslPki>; 5] = [const { OnceLock::new() }; 5];
    let slot = ALL.iter().position(|a| *a == alg).unwrap();
    PKIS[slot].get_or_init(|| {
        OpensslPki::make(
            alg,
            &Path::new(env!("CARGO_TARGET_TMPDIR")).join("eds-verifier-cms-pki"),
        )
    })
}

/// Owner `n`'s key (PSS for [`Alg::RsaPss`]), certificate and chain.
trait Owner {
    fn owner(&self, n: u8) -> (RingSigningKey, Vec<u8>, Vec<Vec<u8>>);
}

impl Owner for OpensslPki {
    fn owner(&self, n: u8) -> (RingSigningKey, Vec<u8>, Vec<Vec<u8>>) {
        let (pk8, cert, chain) = self.owner_parts(n);
        let key = RingSigningKey::from_pkcs8_der(&pk8).unwrap();
        let key = match self.alg {
            Alg::RsaPss => key
                .with_algorithm(SignatureAlgorithm::RsaPssSha256)
                .unwrap(),
            _ => key,
        };
        (key, cert, chain)
    }
}

fn our_sign(signer: &Signer<'_>, doc: &[u8], detached: bool) -> Vec<u8> {
    sign::sign(
        signer,
        Content::Bytes(doc),
        &SignOptions::new(T).detached(detached),
        &SystemRandom::new(),
    )
    .unwrap()
}

/// `openssl cms -sign -stream` of a short document by owner 1 of `alg`: BER with indefinite
/// lengths.
fn openssl_stream_signature(alg: Alg) -> Vec<u8> {
    let pki = pki(alg);
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("c.txt");
    std::fs::write(&content, b"streamed").unwrap();
    let out = dir.path().join("sig.p7s");
    openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-stream",
        "-cades",
        "-in",
        s(&content),
        "-signer",
        s(&pki.dir.join("leaf1.pem")),
        "-inkey",
        s(&pki.dir.join("leaf1.key")),
        "-outform",
        "DER",
        "-out",
        s(&out),
    ]);
    let der = std::fs::read(&out).unwrap();
    assert!(cms::parse(&der).unwrap().was_ber);
    der
}

fn check_all(doc: &SignedDocument, detached: Option<&[u8]>, extra: &[Cert]) -> Vec<SignerCheck> {
    let digests = detached.map(|d| ContentDigests::of_bytes(doc, d));
    doc.signers
        .iter()
        .map(|s| {
            let digest = digests.as_ref().and_then(|d| d.for_signer(s));
            cms::check_signer(doc, s, digest, extra)
        })
        .collect()
}

#[track_caller]
fn assert_passed(checks: &[SignerCheck], alg: Alg) {
    for (i, check) in checks.iter().enumerate() {
        assert_eq!(check.index, i);
        assert_eq!(check.failures, vec![], "{alg:?} signer {i}");
        assert!(check.passed());
        assert!(check.certificate.is_some());
    }
}

/// Bytes that look like a document: not all equal, so a flipped byte is a real change.
fn document(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ 0x5a)
        .collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Without signed attributes; refused digests

/// `openssl cms -sign -noattr`: the signature covers the content itself (RFC 5652 §5.4), so a
/// detached one needs the content bytes, not only their digest.
#[test]
fn ok_openssl_signature_without_signed_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content.txt");
    let doc = document(4321);
    std::fs::write(&content, &doc).unwrap();
    for alg in [Alg::Rsa, Alg::P256] {
        let pki = pki(alg);
        for detached in [false, true] {
            let out = dir.path().join("sig.p7s");
            let mut args = vec![
                "cms",
                "-sign",
                "-binary",
                "-noattr",
                "-in",
                s(&content),
                "-outform",
                "DER",
            ];
            let leaf = pki.dir.join("leaf1.pem");
            let key = pki.dir.join("leaf1.key");
            args.extend_from_slice(&["-signer", s(&leaf), "-inkey", s(&key), "-out", s(&out)]);
            if !detached {
                args.push("-nodetach");
            }
            openssl_ok(&args);
            let parsed = cms::parse(&std::fs::read(&out).unwrap()).unwrap();
            let signer = &parsed.signers[0];
            assert_eq!(signer.signed_attrs_der, None);
            assert_eq!(signer.attributes, cms::SignedAttributes::default());
            if detached {
                let digests = ContentDigests::of_bytes(&parsed, &doc);
                let check = cms::check_signer(&parsed, signer, digests.for_signer(signer), &[]);
                assert_eq!(
                    check.failures,
                    vec![SignerFailure::ContentMissing],
                    "{alg:?}"
                );
                let check = cms::check_signer_with_content(&parsed, signer, &doc, &[]);
                assert_eq!(check.failures, vec![], "{alg:?}");
                let mut other = doc.clone();
                other[7] ^= 1;
                let check = cms::check_signer_with_content(&parsed, signer, &other, &[]);
                assert_eq!(
                    check.failures,
                    vec![SignerFailure::SignatureInvalid],
                    "{alg:?}"
                );
            } else {
                let check = cms::check_signer(&parsed, signer, None, &[]);
                assert_eq!(check.failures, vec![], "{alg:?}");
            }
        }
    }
}

#[test]
fn fail_sha1_digest_is_refused_as_a_crypto_constraint() {
    let pki = pki(Alg::Rsa);
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content.txt");
    std::fs::write(&content, b"old style").unwrap();
    let out = dir.path().join("sig.p7s");
    openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-md",
        "sha1",
        "-in",
        s(&content),
        "-signer",
        s(&pki.dir.join("leaf1.pem")),
        "-inkey",
        s(&pki.dir.join("leaf1.key")),
        "-outform",
        "DER",
        "-out",
        s(&out),
    ]);
    let parsed = cms::parse(&std::fs::read(&out).unwrap()).unwrap();
    let check = cms::check_signer(&parsed, &parsed.signers[0], None, &[]);
    assert!(
        matches!(
            check.failures.as_slice(),
            [SignerFailure::Crypto(CryptoError::Disallowed { algorithm, .. })] if algorithm == "SHA-1"
        ),
        "{:?}",
        check.failures
    );
}
