//! CMS signatures made by this crate, judged by OpenSSL (`openssl cms -verify`, `-cmsout -print`).
//!
//! Each algorithm gets a test PKI made with the `openssl` command (root → issuing CA → two
//! owners), once per test run, under Cargo's temporary folder. Keys are OpenSSL's PKCS#8 read
//! by the crate's [`RingSigningKey`].

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use eds_fixtures::openssl_pki::{OpensslAlg as Alg, OpensslPki, openssl, openssl_ok, pem_der, s};

use der::{Decode, Encode};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature as rs;
use time::OffsetDateTime;
use time::macros::datetime;

use eds_signer::cms::{self, MAX_ATTACHED_LIMIT};
use eds_signer::keys::{RingSigningKey, load_pkcs12};
use eds_signer::{
    CmsError, Content, SignError, SignOptions, SignatureAlgorithm, SignedMessage, Signer,
    SigningKey,
};

const T: OffsetDateTime = datetime!(2026-03-02 10:00:00 UTC);
const ALL: [Alg; 5] = Alg::ALL;

// ---------------------------------------------------------------------------------------------
// Single signatures, every algorithm

#[test]
fn ok_attached_verifies_with_openssl_for_every_algorithm() {
    for alg in ALL {
        let pki = pki(alg);
        let (key, signer_cert, chain) = pki.owner(1);
        let signer = Signer::new(&key, &signer_cert, &chain).unwrap();
        let doc = document(10 * 1024);
        let der = cms::sign(&signer, Content::Bytes(&doc), &SignOptions::new(T), &rng()).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let out = verify_ok(dir.path(), &der, None, &[pki.root()]);
        assert_eq!(out, doc, "{alg:?}: the content OpenSSL extracted");
        assert_eq!(
            SignedMessage::from_der(&der).unwrap().content(),
            Ok(&doc[..])
        );
    }
}

#[test]
fn ok_detached_file_verifies_with_openssl_for_every_algorithm() {
    for alg in ALL {
        let pki = pki(alg);
        let (key, signer_cert, chain) = pki.owner(1);
        let signer = Signer::new(&key, &signer_cert, &chain).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("licence.pdf");
        std::fs::write(&file, document(300 * 1024 + 7)).unwrap();
        let options = SignOptions::new(T).detached(true);
        let der = cms::sign(&signer, Content::File(&file), &options, &rng()).unwrap();

        let message = SignedMessage::from_der(&der).unwrap();
        assert!(message.is_detached());
        assert_eq!(message.content(), Err(CmsError::Detached));
        verify_ok(dir.path(), &der, Some(&file), &[pki.root()]);
    }
}

#[test]
fn ok_print_shows_the_four_signed_attributes_and_algorithms() {
    let expected = [
        (Alg::P256, "ecdsa-with-SHA256", "sha256"),
        (Alg::P384, "ecdsa-with-SHA384", "sha384"),
        (Alg::Ed25519, "ED25519", "sha512"),
        (Alg::Rsa, "sha256WithRSAEncryption", "sha256"),
        (Alg::RsaPss, "rsassaPss", "sha256"),
    ];
    for (alg, signature_name, digest_name) in expected {
        let pki = pki(alg);
        let (key, cert, chain) = pki.owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let der = cms::sign(&signer, Content::Bytes(b"x"), &SignOptions::new(T), &rng()).unwrap();
        let text = print(&der);
        for attribute in [
            "contentType",
            "messageDigest",
            "signingTime",
            "id-smime-aa-signingCertificateV2",
        ] {
            assert!(
                text.contains(&format!("object: {attribute} ")),
                "{alg:?}: {attribute} missing in\n{text}"
            );
        }
        assert!(
            text.contains(&format!("algorithm: {signature_name} ")),
            "{alg:?}: {signature_name}\n{text}"
        );
        assert!(
            text.contains(&format!("algorithm: {digest_name} ")),
            "{alg:?}"
        );
        assert!(
            text.contains("UTCTIME:Mar  2 10:00:00 2026 GMT"),
            "{alg:?}\n{text}"
        );
    }
}

#[test]
fn ok_pss_parameters_name_sha256_mgf1_and_salt_32() {
    let pki = pki(Alg::RsaPss);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let der = cms::sign(&signer, Content::Bytes(b"x"), &SignOptions::new(T), &rng()).unwrap();
    let text = print(&der);
    // OpenSSL dumps the parameters with asn1parse: hash sha256 (NULL), MGF1 with sha256, salt 32.
    let params = text.split("rsassaPss").nth(1).unwrap();
    for needle in [
        "OBJECT            :sha256",
        "NULL",
        "OBJECT            :mgf1",
        "INTEGER           :20",
    ] {
        assert!(params.contains(needle), "{needle} missing in\n{params}");
    }
}

#[test]
fn ok_signing_certificate_v2_hashes_the_signers_certificate() {
    let pki = pki(Alg::P256);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let der = cms::sign(&signer, Content::Bytes(b"x"), &SignOptions::new(T), &rng()).unwrap();
    let info = signer_infos(&der).pop().unwrap();
    let attrs = info.signed_attrs.unwrap();
    let attr = attrs
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.16.2.47")
        .unwrap();
    let value = attr.values.iter().next().unwrap().to_der().unwrap();
    let hash = ring::digest::digest(&ring::digest::SHA256, &cert);
    // SEQUENCE { SEQUENCE OF { ESSCertIDv2 { certHash, issuerSerial } } }: no hashAlgorithm
    // (SHA-256 is the DEFAULT, RFC 5035 §4), so the hash follows the three headers directly.
    let at = value
        .windows(hash.as_ref().len())
        .position(|w| w == hash.as_ref())
        .expect("the certificate's SHA-256 is in the attribute");
    assert_eq!(
        value[at - 2..at],
        [0x04, 0x20],
        "an OCTET STRING of 32 bytes"
    );
    assert_eq!(value[0], 0x30);
    assert!(
        !value.windows(11).any(|w| w == SHA256_OID_TLV),
        "no hashAlgorithm"
    );
}

#[test]
fn ok_signing_time_after_2049_is_generalized_time() {
    let pki = pki(Alg::Ed25519);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let options = SignOptions::new(datetime!(2051-01-02 03:04:05 +06:00));
    let der = cms::sign(&signer, Content::Bytes(b"x"), &options, &rng()).unwrap();
    let text = print(&der);
    assert!(
        text.contains("GENERALIZEDTIME:Jan  1 21:04:05 2051 GMT"),
        "{text}"
    );
}

#[test]
fn ok_chain_stops_below_the_root_unless_asked() {
    let pki = pki(Alg::P256);
    let (key, cert, mut chain) = pki.owner(1);
    // The root given along, first: the chain is ordered by names, not by position.
    chain.insert(0, pem_der(&pki.root()));
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    assert_eq!(signer.certificate_count(false), 2);
    assert_eq!(signer.certificate_count(true), 3);

    let der = cms::sign(&signer, Content::Bytes(b"x"), &SignOptions::new(T), &rng()).unwrap();
    assert_eq!(
        SignedMessage::from_der(&der).unwrap().certificate_count(),
        2
    );
    let text = print(&der);
    assert!(
        !text.contains("subject: CN=Test Root P256"),
        "root absent:\n{text}"
    );
    assert!(text.contains("subject: CN=Test Issuing P256"));

    let options = SignOptions::new(T).include_root(true);
    let der = cms::sign(&signer, Content::Bytes(b"x"), &options, &rng()).unwrap();
    assert_eq!(
        SignedMessage::from_der(&der).unwrap().certificate_count(),
        3
    );
    let dir = tempfile::tempdir().unwrap();
    verify_ok(dir.path(), &der, None, &[pki.root()]);
}

#[test]
fn ok_round_trip_through_the_cms_crate_gives_the_same_bytes() {
    for alg in ALL {
        let pki = pki(alg);
        let (key, cert, chain) = pki.owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let der = cms::sign(
            &signer,
            Content::Bytes(b"abc"),
            &SignOptions::new(T),
            &rng(),
        )
        .unwrap();
        let info = ::cms::content_info::ContentInfo::from_der(&der).unwrap();
        let sd = info
            .content
            .decode_as::<::cms::signed_data::SignedData>()
            .unwrap();
        assert_eq!(sd.version, ::cms::content_info::CmsVersion::V1);
        assert_eq!(info.to_der().unwrap(), der, "{alg:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Two steps, keys outside the process

#[test]
fn ok_two_steps_with_a_key_outside_the_process() {
    let pki = pki(Alg::P384);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let prepared = cms::prepare(&signer, Content::Bytes(b"doc"), &SignOptions::new(T)).unwrap();
    assert_eq!(prepared.algorithm(), SignatureAlgorithm::EcdsaP384Sha384);
    assert_eq!(
        prepared.to_be_signed()[0],
        0x31,
        "signed attributes as SET OF"
    );
    assert_eq!(
        prepared.content_digest(),
        ring::digest::digest(&ring::digest::SHA384, b"doc").as_ref()
    );
    // The "token" signs elsewhere and returns the fixed r||s form, as PKCS#11 does.
    let token = rs::EcdsaKeyPair::from_pkcs8(
        &rs::ECDSA_P384_SHA384_FIXED_SIGNING,
        &pki.owner_parts(1).0,
        &rng(),
    )
    .unwrap();
    let signature = token.sign(&rng(), prepared.to_be_signed()).unwrap();
    assert_eq!(signature.as_ref().len(), 96);
    let der = cms::assemble(prepared, signature.as_ref()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    verify_ok(dir.path(), &der, None, &[pki.root()]);
}

#[test]
fn fail_malformed_signatures_are_named() {
    let pki = pki(Alg::P256);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let prepared = cms::prepare(&signer, Content::Bytes(b"doc"), &SignOptions::new(T)).unwrap();
    assert_eq!(
        cms::assemble(prepared, &[1, 2, 3]),
        Err(CmsError::MalformedSignature {
            algorithm: SignatureAlgorithm::EcdsaP256Sha256,
            reason: "neither a DER Ecdsa-Sig-Value nor 64 bytes r||s"
        })
    );
    let pki = pki_ed();
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let prepared = cms::prepare(&signer, Content::Bytes(b"doc"), &SignOptions::new(T)).unwrap();
    assert_eq!(
        cms::assemble(prepared, &[0; 63]),
        Err(CmsError::MalformedSignature {
            algorithm: SignatureAlgorithm::Ed25519,
            reason: "an Ed25519 signature is 64 bytes (RFC 8032 §5.1.6)"
        })
    );
}

#[test]
fn fail_key_error_is_passed_through() {
    let pki = pki(Alg::P256);
    let (key, cert, chain) = pki.owner(1);
    let broken = Broken(key);
    let signer = Signer::new(&broken, &cert, &chain).unwrap();
    assert_eq!(
        cms::sign(&signer, Content::Bytes(b"x"), &SignOptions::new(T), &rng()),
        Err(CmsError::Key(SignError::Signing {
            reason: "token removed".into()
        }))
    );
}

// ---------------------------------------------------------------------------------------------
// Co-signatures

#[test]
fn ok_cosigned_attached_by_five_signers_verifies_and_keeps_earlier_bytes() {
    let doc = document(10 * 1024);
    let mut der = {
        let (key, cert, chain) = pki(Alg::P256).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        cms::sign(&signer, Content::Bytes(&doc), &SignOptions::new(T), &rng()).unwrap()
    };
    for alg in [Alg::RsaPss, Alg::Ed25519, Alg::P384, Alg::Rsa] {
        let (key, cert, chain) = pki(alg).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let before = der.clone();
        der = cms::cosign(&signer, &before, None, &SignOptions::new(T), &rng()).unwrap();
        assert_kept(&before, &der);
    }
    assert_eq!(SignedMessage::from_der(&der).unwrap().signer_count(), 5);
    let roots: Vec<PathBuf> = ALL.iter().map(|a| pki(*a).root()).collect();
    let dir = tempfile::tempdir().unwrap();
    let out = verify_ok(dir.path(), &der, None, &roots);
    assert_eq!(out, doc);
    // OpenSSL requires every signer to verify: the first signer's root alone is not enough.
    let o = verify(dir.path(), &der, None, &[pki(Alg::P256).root()]);
    assert_ne!(o.status.code(), Some(0), "{}", both(&o));
}

#[test]
fn ok_cosigned_detached_verifies_for_every_algorithm_pair() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("application.xml");
    std::fs::write(&file, document(64 * 1024)).unwrap();
    let detached = SignOptions::new(T).detached(true);
    for (first, second) in ALL.iter().zip(ALL.iter().cycle().skip(1)) {
        let (key, cert, chain) = pki(*first).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let one = cms::sign(&signer, Content::File(&file), &detached, &rng()).unwrap();
        let (key, cert, chain) = pki(*second).owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        // `detached` is not consulted: the existing form is kept.
        let two = cms::cosign(
            &signer,
            &one,
            Some(Content::File(&file)),
            &SignOptions::new(T),
            &rng(),
        )
        .unwrap();
        assert_kept(&one, &two);
        assert!(SignedMessage::from_der(&two).unwrap().is_detached());
        verify_ok(
            dir.path(),
            &two,
            Some(&file),
            &[pki(*first).root(), pki(*second).root()],
        );
    }
}

#[test]
fn ok_cosigner_under_the_same_ca_shares_its_certificates() {
    let pki = pki(Alg::Ed25519);
    let (key, cert, chain) = pki.owner(1);
    let head = Signer::new(&key, &cert, &chain).unwrap();
    let one = cms::sign(&head, Content::Bytes(b"x"), &SignOptions::new(T), &rng()).unwrap();
    let (key, cert, chain) = pki.owner(2);
    let accountant = Signer::new(&key, &cert, &chain).unwrap();
    let two = cms::cosign(&accountant, &one, None, &SignOptions::new(T), &rng()).unwrap();
    let message = SignedMessage::from_der(&two).unwrap();
    assert_eq!(
        message.certificate_count(),
        3,
        "two owners + one issuing CA"
    );
    assert_eq!(message.signer_count(), 2);
    let dir = tempfile::tempdir().unwrap();
    verify_ok(dir.path(), &two, None, &[pki.root()]);
    // Digest algorithms are a SET: SHA-512 appears once.
    let sd = signed_data(&two);
    assert_eq!(sd.digest_algorithms.len(), 1);
}

#[test]
fn ok_cosigning_an_openssl_signature() {
    let pki = pki(Alg::Rsa);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.txt");
    std::fs::write(&file, document(5000)).unwrap();
    let theirs = dir.path().join("openssl.p7s");
    openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-md",
        "sha384",
        "-in",
        s(&file),
        "-signer",
        s(&pki.dir.join("leaf1.pem")),
        "-inkey",
        s(&pki.dir.join("leaf1.key")),
        "-certfile",
        s(&pki.dir.join("int.pem")),
        "-outform",
        "DER",
        "-out",
        s(&theirs),
    ]);
    let theirs = std::fs::read(theirs).unwrap();
    let (key, cert, chain) = pki_ed().owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let both_signed = cms::cosign(
        &signer,
        &theirs,
        Some(Content::File(&file)),
        &SignOptions::new(T),
        &rng(),
    )
    .unwrap();
    assert_kept(&theirs, &both_signed);
    // SHA-384 from OpenSSL's signer and SHA-512 from ours.
    assert_eq!(signed_data(&both_signed).digest_algorithms.len(), 2);
    verify_ok(
        dir.path(),
        &both_signed,
        None,
        &[pki.root(), pki_ed().root()],
    );
}

#[test]
fn fail_cosigning_detached_without_the_content() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let options = SignOptions::new(T).detached(true);
    let one = cms::sign(&signer, Content::Bytes(b"doc"), &options, &rng()).unwrap();
    let (key, cert, chain) = pki(Alg::P256).owner(2);
    let other = Signer::new(&key, &cert, &chain).unwrap();
    assert_eq!(
        cms::cosign(&other, &one, None, &options, &rng()),
        Err(CmsError::DetachedContentMissing)
    );
}

#[test]
fn fail_cosigning_other_content_names_the_earlier_signer() {
    let pki = pki(Alg::P256);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let options = SignOptions::new(T).detached(true);
    let one = cms::sign(&signer, Content::Bytes(b"doc"), &options, &rng()).unwrap();
    let (key, cert, chain) = pki.owner(2);
    let other = Signer::new(&key, &cert, &chain).unwrap();
    let serial = openssl_ok(&[
        "x509",
        "-noout",
        "-serial",
        "-in",
        s(&pki.dir.join("leaf1.pem")),
    ]);
    let serial = serial.trim().trim_start_matches("serial=");
    assert_eq!(
        cms::cosign(&other, &one, Some(Content::Bytes(b"dog")), &options, &rng()),
        Err(CmsError::ContentMismatch {
            signer: format!("the holder of certificate {serial} issued by CN=Test Issuing P256")
        })
    );

    let attached = cms::sign(
        &signer,
        Content::Bytes(b"doc"),
        &SignOptions::new(T),
        &rng(),
    )
    .unwrap();
    assert_eq!(
        cms::cosign(
            &other,
            &attached,
            Some(Content::Bytes(b"dog")),
            &options,
            &rng()
        ),
        Err(CmsError::ContentDiffersFromEncapsulated)
    );
    // The same content given again is fine.
    cms::cosign(
        &other,
        &attached,
        Some(Content::Bytes(b"doc")),
        &options,
        &rng(),
    )
    .unwrap();
}

#[test]
fn fail_signing_twice_as_the_same_signer() {
    let pki = pki(Alg::Rsa);
    let (key, cert, chain) = pki.owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let one = cms::sign(
        &signer,
        Content::Bytes(b"doc"),
        &SignOptions::new(T),
        &rng(),
    )
    .unwrap();
    match cms::cosign(&signer, &one, None, &SignOptions::new(T), &rng()) {
        Err(CmsError::AlreadySigned { signer }) => {
            assert!(
                signer.ends_with("issued by CN=Test Issuing RSA"),
                "{signer}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fail_cosigning_something_that_is_not_signed_data() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let options = SignOptions::new(T);
    // A ContentInfo of type id-data.
    let data = [
        0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x02,
        0x04, 0x00,
    ];
    assert_eq!(
        cms::cosign(&signer, &data, None, &options, &rng()),
        Err(CmsError::NotSignedData {
            content_type: "1.2.840.113549.1.7.1".parse().unwrap()
        })
    );
    match cms::cosign(&signer, &cert, None, &options, &rng()) {
        Err(CmsError::Malformed { what, .. }) => assert_eq!(what, "ContentInfo"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tampering

#[test]
fn fail_openssl_rejects_a_tampered_content_byte() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ALL {
        let pki = pki(alg);
        let (key, cert, chain) = pki.owner(1);
        let signer = Signer::new(&key, &cert, &chain).unwrap();
        let doc = b"LICENCE No. 0042: the holder may operate a pharmacy".to_vec();

        let mut der =
            cms::sign(&signer, Content::Bytes(&doc), &SignOptions::new(T), &rng()).unwrap();
        let at = der.windows(doc.len()).position(|w| w == doc).unwrap();
        der[at + 13] ^= 0x01;
        let o = verify(dir.path(), &der, None, &[pki.root()]);
        assert_ne!(o.status.code(), Some(0), "{alg:?}");
        assert!(both(&o).contains("content verify error"), "{}", both(&o));

        let file = dir.path().join("doc.txt");
        std::fs::write(&file, &doc).unwrap();
        let options = SignOptions::new(T).detached(true);
        let der = cms::sign(&signer, Content::File(&file), &options, &rng()).unwrap();
        let mut tampered = doc.clone();
        tampered[0] ^= 0x20;
        std::fs::write(&file, &tampered).unwrap();
        let o = verify(dir.path(), &der, Some(&file), &[pki.root()]);
        assert_ne!(o.status.code(), Some(0), "{alg:?}");
        assert!(both(&o).contains("content verify error"), "{}", both(&o));
    }
}

// ---------------------------------------------------------------------------------------------
// Signer set-up and limits

#[test]
fn fail_key_that_is_not_the_certificates() {
    let pki = pki(Alg::P256);
    let (key, _, chain) = pki.owner(1);
    let (_, other_cert, _) = pki.owner(2);
    assert_eq!(
        Signer::new(&key, &other_cert, &chain).map(|_| ()),
        Err(CmsError::KeyDoesNotMatchCertificate {
            subject: "CN=Owner 2 P256".into()
        })
    );
}

#[test]
fn fail_chain_certificate_off_the_path() {
    let (key, cert, mut chain) = pki(Alg::P256).owner(1);
    chain.push(pem_der(&pki(Alg::P384).root()));
    assert_eq!(
        Signer::new(&key, &cert, &chain).map(|_| ()),
        Err(CmsError::NotOnPath {
            index: 1,
            subject: "CN=Test Root P384".into()
        })
    );
    chain.truncate(1);
    chain.push(b"not a certificate".to_vec());
    match Signer::new(&key, &cert, &chain) {
        Err(CmsError::ChainCertificate { index: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn fail_attached_content_over_the_limit_says_detached() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let options = SignOptions::new(T).attached_limit(1024);
    let err = cms::sign(&signer, Content::Bytes(&[0; 1025]), &options, &rng()).unwrap_err();
    assert_eq!(
        err,
        CmsError::ContentTooLarge {
            size: 1025,
            limit: 1024
        }
    );
    assert!(err.to_string().contains("sign detached instead"), "{err}");
    // The same content detached is fine.
    let options = options.detached(true);
    cms::sign(&signer, Content::Bytes(&[0; 1025]), &options, &rng()).unwrap();

    // A limit above the encoder's ceiling is lowered to it.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(MAX_ATTACHED_LIMIT + 1).unwrap();
    let options = SignOptions::new(T).attached_limit(u64::MAX);
    assert_eq!(
        cms::sign(&signer, Content::File(&big), &options, &rng()),
        Err(CmsError::ContentTooLarge {
            size: MAX_ATTACHED_LIMIT + 1,
            limit: MAX_ATTACHED_LIMIT
        })
    );
}

#[test]
fn fail_missing_content_file_names_it() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let path = Path::new("/nonexistent/licence.pdf");
    for detached in [false, true] {
        let options = SignOptions::new(T).detached(detached);
        match cms::sign(&signer, Content::File(path), &options, &rng()) {
            Err(CmsError::ReadContent { path: p, kind, .. }) => {
                assert_eq!(p, path);
                assert_eq!(kind, std::io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn ok_pem_in_and_out() {
    let (key, cert, chain) = pki(Alg::P256).owner(1);
    let signer = Signer::new(&key, &cert, &chain).unwrap();
    let der = cms::sign(&signer, Content::Bytes(b"x"), &SignOptions::new(T), &rng()).unwrap();
    let pem = cms::to_pem(&der);
    assert!(pem.starts_with("-----BEGIN CMS-----"));
    assert_eq!(cms::from_pem_or_der(pem.as_bytes()).unwrap(), der);
    assert_eq!(cms::from_pem_or_der(&der).unwrap(), der);
    let pkcs7 = pem.replace("CMS", "PKCS7");
    assert_eq!(cms::from_pem_or_der(pkcs7.as_bytes()).unwrap(), der);
    match cms::from_pem_or_der(pem.replace("CMS", "CERTIFICATE").as_bytes()) {
        Err(CmsError::Pem { reason }) => assert!(reason.contains("CERTIFICATE"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The national center's own key

#[test]
fn ok_national_center_rsa_key_signs_and_openssl_accepts() {
    let p12 = eds_fixtures::nca_bytes("keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12");
    let ca = eds_fixtures::nca_path("ca/nca_rsa_test.crt");
    // The certificate is valid from 2021-01-18 to 2022-01-18; its CA is itself an
    // intermediate, hence -partial_chain.
    let signed_at = datetime!(2021-06-01 09:00:00 UTC);
    let attime = signed_at.unix_timestamp().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("statement.txt");
    std::fs::write(&file, "заявление / application").unwrap();
    for algorithm in [
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPssSha256,
    ] {
        let contents = load_pkcs12(&p12, "Qwerty12").unwrap();
        let key = contents.key.with_algorithm(algorithm).unwrap();
        let signer = Signer::new(&key, &contents.certificate_der, &contents.chain_der).unwrap();
        assert!(
            signer.subject().ends_with("CN=ТЕСТОВ ТЕСТ"),
            "{}",
            signer.subject()
        );
        for detached in [false, true] {
            let options = SignOptions::new(signed_at).detached(detached);
            let der = cms::sign(&signer, Content::File(&file), &options, &rng()).unwrap();
            let content = detached.then_some(file.as_path());
            let o = verify_with(
                dir.path(),
                &der,
                content,
                std::slice::from_ref(&ca),
                &["-partial_chain", "-attime", &attime],
            );
            assert_eq!(o.status.code(), Some(0), "{algorithm:?}: {}", both(&o));
            assert!(both(&o).contains("Verification successful"));
            verify_signature_alone(dir.path(), &der, &signer_infos(&der)[0]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Harness: a test PKI per algorithm

/// The algorithms of the test PKIs.
fn pki(alg: Alg) -> &'static OpensslPki {
    static PKIS: [OnceLock<OpensslPki>; 5] = [const { OnceLock::new() }; 5];
    let slot = ALL.iter().position(|a| *a == alg).unwrap();
    PKIS[slot].get_or_init(|| {
        OpensslPki::make(
            alg,
            &Path::new(env!("CARGO_TARGET_TMPDIR")).join("eds-signer-cms-pki"),
        )
    })
}

fn pki_ed() -> &'static OpensslPki {
    pki(Alg::Ed25519)
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

/// A key whose token fails when asked to sign.
struct Broken(RingSigningKey);

impl SigningKey for Broken {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }

    fn public_key_info_der(&self) -> Vec<u8> {
        self.0.public_key_info_der()
    }

    fn sign(&self, _: &[u8], _: &dyn SecureRandom) -> Result<Vec<u8>, SignError> {
        Err(SignError::Signing {
            reason: "token removed".into(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// `SEQUENCE { OID sha256 }`, the AlgorithmIdentifier ESSCertIDv2 must omit.
const SHA256_OID_TLV: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
];

fn rng() -> SystemRandom {
    SystemRandom::new()
}

/// Bytes that look like a document: not all equal, so a flipped byte is a real change.
fn document(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ 0x5a)
        .collect()
}

fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `openssl cms -verify -binary` of `der` against `roots` (one CA file made of them), with
/// `extra` options.
fn verify_with(
    dir: &Path,
    der: &[u8],
    content: Option<&Path>,
    roots: &[PathBuf],
    extra: &[&str],
) -> Output {
    let sig = dir.join("signature.p7s");
    std::fs::write(&sig, der).unwrap();
    let ca = dir.join("roots.pem");
    let mut all = Vec::new();
    for root in roots {
        all.extend(std::fs::read(root).unwrap());
    }
    std::fs::write(&ca, all).unwrap();
    let out = dir.join("verified.out");
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        s(&sig),
        "-CAfile",
        s(&ca),
        "-out",
        s(&out),
    ];
    args.extend_from_slice(extra);
    if let Some(content) = content {
        args.extend_from_slice(&["-content", s(content)]);
    }
    openssl(&args)
}

/// `openssl cms -verify` as far as OpenSSL can go: for a message with an Ed25519 signer,
/// `-no_attr_verify`, because OpenSSL (3.0 to 3.6, openssl/openssl#32248) cannot check an
/// Ed25519 signature over signed attributes; [`verify_ok`] checks those with `pkeyutl`.
fn verify(dir: &Path, der: &[u8], content: Option<&Path>, roots: &[PathBuf]) -> Output {
    let extra: &[&str] = if has_ed25519_signer(der) {
        &["-no_attr_verify"]
    } else {
        &[]
    };
    verify_with(dir, der, content, roots, extra)
}

/// Asserts OpenSSL verifies; returns the content it wrote out.
///
/// OpenSSL's `cms -verify` checks every signer's certificate path to `roots`, every
/// messageDigest against the content and (except for Ed25519, see [`verify`]) every signature.
/// Then every signer's signature over its signed attributes is checked once more on its own
/// with `openssl pkeyutl -verify` (pure Ed25519, RFC 8419 §3.2) or `openssl dgst -verify`.
#[track_caller]
fn verify_ok(dir: &Path, der: &[u8], content: Option<&Path>, roots: &[PathBuf]) -> Vec<u8> {
    let o = verify(dir, der, content, roots);
    assert_eq!(
        o.status.code(),
        Some(0),
        "openssl cms -verify:\n{}",
        both(&o)
    );
    assert!(both(&o).contains("Verification successful"), "{}", both(&o));
    for info in signer_infos(der) {
        verify_signature_alone(dir, der, &info);
    }
    std::fs::read(dir.join("verified.out")).unwrap()
}

fn has_ed25519_signer(der: &[u8]) -> bool {
    signer_infos(der)
        .iter()
        .any(|i| i.signature_algorithm.oid.to_string() == "1.3.101.112")
}

/// One SignerInfo's signature over the DER of its signed attributes, checked by OpenSSL with
/// the public key of the certificate its issuerAndSerialNumber names.
#[track_caller]
fn verify_signature_alone(dir: &Path, der: &[u8], info: &::cms::signed_data::SignerInfo) {
    let ::cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(id) = &info.sid else {
        panic!("signer identified by key identifier");
    };
    let cert = signed_data(der)
        .certificates
        .unwrap()
        .0
        .into_vec()
        .into_iter()
        .find_map(|c| match c {
            ::cms::cert::CertificateChoices::Certificate(c)
                if c.tbs_certificate.issuer == id.issuer
                    && c.tbs_certificate.serial_number == id.serial_number =>
            {
                Some(c)
            }
            _ => None,
        })
        .expect("the signer's certificate is in the message");
    let cert_path = dir.join("signer.der");
    std::fs::write(&cert_path, cert.to_der().unwrap()).unwrap();
    let public = openssl_ok(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        s(&cert_path),
        "-noout",
        "-pubkey",
    ]);
    let public_path = dir.join("signer.pub.pem");
    std::fs::write(&public_path, public).unwrap();
    let tbs = dir.join("tbs.der");
    std::fs::write(&tbs, info.signed_attrs.as_ref().unwrap().to_der().unwrap()).unwrap();
    let sig = dir.join("sig.bin");
    std::fs::write(&sig, info.signature.as_bytes()).unwrap();

    let (pubin, tbs, sig) = (s(&public_path), s(&tbs), s(&sig));
    let algorithm = info.signature_algorithm.oid.to_string();
    let digest = match info.digest_alg.oid.to_string().as_str() {
        "2.16.840.1.101.3.4.2.1" => "-sha256",
        "2.16.840.1.101.3.4.2.2" => "-sha384",
        "2.16.840.1.101.3.4.2.3" => "-sha512",
        other => panic!("digest {other}"),
    };
    let out = match algorithm.as_str() {
        "1.3.101.112" => openssl_ok(&[
            "pkeyutl", "-verify", "-pubin", "-inkey", pubin, "-rawin", "-in", tbs, "-sigfile", sig,
        ]),
        "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.1" => {
            openssl_ok(&["dgst", digest, "-verify", pubin, "-signature", sig, tbs])
        }
        "1.2.840.113549.1.1.10" => openssl_ok(&[
            "dgst",
            digest,
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:auto",
            "-verify",
            pubin,
            "-signature",
            sig,
            tbs,
        ]),
        other => panic!("signature algorithm {other}"),
    };
    // pkeyutl and dgst word their success differently.
    assert!(
        out.contains("Signature Verified Successfully") || out.trim() == "Verified OK",
        "{algorithm}: {out}"
    );
}

/// `openssl cms -cmsout -print`.
fn print(der: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let sig = dir.path().join("s.p7s");
    std::fs::write(&sig, der).unwrap();
    openssl_ok(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", s(&sig)])
}

fn signed_data(der: &[u8]) -> ::cms::signed_data::SignedData {
    ::cms::content_info::ContentInfo::from_der(der)
        .unwrap()
        .content
        .decode_as()
        .unwrap()
}

fn signer_infos(der: &[u8]) -> Vec<::cms::signed_data::SignerInfo> {
    signed_data(der).signer_infos.0.into_vec()
}

/// Every certificate, SignerInfo and the content of `before`, byte for byte, in `after`.
#[track_caller]
fn assert_kept(before: &[u8], after: &[u8]) {
    let raw = |der: &[u8]| {
        let sd = signed_data(der);
        let certs: Vec<Vec<u8>> = sd
            .certificates
            .map(|c| c.0.iter().map(|c| c.to_der().unwrap()).collect())
            .unwrap_or_default();
        let infos: Vec<Vec<u8>> = sd
            .signer_infos
            .0
            .iter()
            .map(|i| i.to_der().unwrap())
            .collect();
        (certs, infos, sd.encap_content_info.to_der().unwrap())
    };
    let (certs_before, infos_before, content_before) = raw(before);
    let (certs_after, infos_after, content_after) = raw(after);
    for c in &certs_before {
        assert!(
            contains(before, c),
            "a certificate does not re-encode to its bytes"
        );
        assert!(certs_after.contains(c), "a certificate changed");
        assert!(contains(after, c), "a certificate's bytes changed");
    }
    for i in &infos_before {
        assert!(
            contains(before, i),
            "a SignerInfo does not re-encode to its bytes"
        );
        assert!(infos_after.contains(i), "a SignerInfo changed");
        assert!(contains(after, i), "a SignerInfo's bytes changed");
    }
    assert_eq!(content_before, content_after);
    assert_eq!(infos_after.len(), infos_before.len() + 1);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
