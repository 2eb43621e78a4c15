//! `--content` beside an attached signature asks whether the signature covers that file: the
//! file is compared with the content inside, never ignored (a different file is TOTAL_FAILED /
//! HASH_FAILURE; the same file, given as bytes or as a reader, changes nothing).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use ring::rand::SystemRandom;
use time::Duration;

use eds_fixtures::pki::{FIXED_TIME, TestPki};
use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{Content, Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::{Indication, SubIndication};

const DOC: &[u8] = b"{\"kind\":\"licence\",\"number\":\"KZ12LAA00000001\"}";

fn setup() -> (Verifier, Vec<u8>) {
    let pki = TestPki::new();
    let chain = pki.chain();
    let key = load_pkcs8(chain.leaf.key_pkcs8_der(), None).unwrap();
    let signer = Signer::new(&key, chain.leaf.der(), &chain.intermediates_der()).unwrap();
    let signature = sign::sign(
        &signer,
        SignContent::Bytes(DOC),
        &SignOptions::new(FIXED_TIME - Duration::hours(1)),
        &SystemRandom::new(),
    )
    .unwrap();
    let mut revocation = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .unwrap();
    revocation
        .add_crl("issuing", pki.crl(pki.issuing()).build().der())
        .unwrap();
    revocation
        .add_crl("root", pki.crl(pki.root()).build().der())
        .unwrap();
    let verifier = Verifier::new(
        Options {
            trust: TrustList::from_certs(vec![Cert::from_der(pki.root().der()).unwrap()]).unwrap(),
            at: Some(FIXED_TIME),
            extra_certs: Vec::new(),
            expectations: Default::default(),
            max_signature_checks: 100,
            required_eku: None,
            policy: Default::default(),
            cancel: Default::default(),
        },
        revocation,
    );
    (verifier, signature)
}

#[test]
fn ok_attached_with_the_same_content_given() {
    let (verifier, signature) = setup();
    let alone = verifier
        .verify_document(&signature, None, FIXED_TIME)
        .unwrap();
    assert_eq!(alone.indication, Indication::TotalPassed, "{alone:#?}");
    let as_bytes = verifier
        .verify_document(&signature, Some(Content::Bytes(DOC)), FIXED_TIME)
        .unwrap();
    assert_eq!(as_bytes.indication, Indication::TotalPassed);
    let mut reader: &[u8] = DOC;
    let as_reader = verifier
        .verify_document(&signature, Some(Content::Reader(&mut reader)), FIXED_TIME)
        .unwrap();
    assert_eq!(as_reader.indication, Indication::TotalPassed);
}

#[test]
fn fail_attached_with_another_content_given() {
    let (verifier, signature) = setup();
    let mut other = DOC.to_vec();
    other[10] ^= 1;
    let longer = [DOC, b"\n"].concat();
    for given in [other.as_slice(), &longer, &DOC[..DOC.len() - 1], b""] {
        for as_reader in [false, true] {
            let mut reader: &[u8] = given;
            let content = if as_reader {
                Content::Reader(&mut reader)
            } else {
                Content::Bytes(given)
            };
            let report = verifier
                .verify_document(&signature, Some(content), FIXED_TIME)
                .unwrap();
            let sig = &report.signatures[0];
            assert_eq!(report.indication, Indication::TotalFailed);
            assert_eq!(sig.sub_indication, Some(SubIndication::HashFailure));
            assert!(
                sig.reason.contains("does not cover the given file"),
                "{}",
                sig.reason
            );
            assert_eq!(sig.checks[0].name, "content");
        }
    }
}
