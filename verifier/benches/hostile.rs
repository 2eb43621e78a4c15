//! How long the verifier takes on hostile signatures, each answered once with fresh caches (a
//! public upload is verified by a server that has not seen it):
//!
//! - `flood`: a signature carrying a hundred CA certificates with the issuer's name and other
//!   keys, none of which signed the signer's certificate (the path search must end with
//!   NO_CERTIFICATE_CHAIN_FOUND, not walk every combination);
//! - `ten_thousand`: a signature carrying 10,000 certificates beside its chain.
//!
//! Issue 12's aim: each in under one second. `cargo bench -p eds-verifier --bench hostile`; the
//! figures are in `docs/benchmarks.md`.

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails should stop loudly"
)]
#![allow(
    missing_docs,
    reason = "criterion_group! makes a public function without documentation"
)]

use std::hint::black_box;

use criterion::Criterion;
use ring::rand::SystemRandom;
use time::Duration as TimeDuration;

use eds_fixtures::pki::{CertSpec, FIXED_TIME, TestPki};
use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::{Indication, SubIndication};

/// A signature by `leaf` (with its `chain` of intermediates) whose SignedData carries the
/// `extra` certificates too (put in after signing: the signer only takes a path).
fn signed(leaf: &eds_fixtures::pki::Issued, chain: &[Vec<u8>], extra: &[Vec<u8>]) -> Vec<u8> {
    use cms::cert::CertificateChoices;
    use cms::content_info::ContentInfo;
    use cms::signed_data::{CertificateSet, SignedData};
    use der::{Decode, Encode};

    let key = load_pkcs8(leaf.key_pkcs8_der(), None).expect("test key loads");
    let signer = Signer::new(&key, leaf.der(), chain).expect("signer");
    let der = sign::sign(
        &signer,
        SignContent::Bytes(b"a licence"),
        &SignOptions::new(FIXED_TIME - TimeDuration::hours(1)),
        &SystemRandom::new(),
    )
    .expect("signs");
    let info = ContentInfo::from_der(&der).expect("our ContentInfo");
    let mut data: SignedData = info.content.decode_as().expect("our SignedData");
    let mut certs: Vec<CertificateChoices> = data
        .certificates
        .map(|c| c.0.into_vec())
        .unwrap_or_default();
    for cert in extra {
        certs.push(CertificateChoices::Certificate(
            x509_cert::Certificate::from_der(cert).expect("a certificate"),
        ));
    }
    data.certificates = Some(CertificateSet(
        der::asn1::SetOfVec::try_from(certs).expect("distinct certificates"),
    ));
    ContentInfo {
        content_type: info.content_type,
        content: der::Any::encode_from(&data).expect("encodes"),
    }
    .to_der()
    .expect("encodes")
}

fn verifier(pki: &TestPki) -> Verifier {
    let root = Cert::from_der(pki.root().der()).expect("root");
    let revocation = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .expect("revocation checker");
    Verifier::new(
        Options {
            trust: TrustList::from_certs(vec![root]).expect("trust list"),
            at: Some(FIXED_TIME),
            extra_certs: Vec::new(),
            expectations: Default::default(),
            max_signature_checks: 100,
            required_eku: None,
            policy: Default::default(),
            cancel: Default::default(),
        },
        revocation,
    )
}

fn bench(c: &mut Criterion) {
    let pki = TestPki::new();
    let leaf_spec = CertSpec::individual(eds_profile::holder::KeyPurpose::Signing);

    // A hundred CAs named like the real issuing CA, other keys; the real one left out.
    let hidden = pki.issue(pki.root(), &CertSpec::ca("hidden", "Flood CA"));
    let leaf = pki.issue(&hidden, &leaf_spec);
    let flood: Vec<Vec<u8>> = (0..100)
        .map(|i| {
            pki.issue(pki.root(), &CertSpec::ca(&format!("flood-{i}"), "Flood CA"))
                .der()
                .to_vec()
        })
        .collect();
    let flood_sig = signed(&leaf, &[], &flood);
    let check = verifier(&pki)
        .verify_document(&flood_sig, None, FIXED_TIME)
        .expect("runs");
    let sig = check.signatures.first().expect("one signature");
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );

    // 10,000 certificates beside the chain.
    let chain = pki.chain();
    let mut extra = Vec::new();
    for i in 0..10_000 {
        let spec = CertSpec::individual(eds_profile::holder::KeyPurpose::Signing)
            .label(&format!("extra-{i}"));
        extra.push(pki.issue(pki.issuing(), &spec).der().to_vec());
    }
    let big_sig = signed(&chain.leaf, &chain.intermediates_der(), &extra);

    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    group.bench_function("flood", |b| {
        b.iter_batched(
            || verifier(&pki),
            |v| black_box(v.verify_document(&flood_sig, None, FIXED_TIME)),
            criterion::BatchSize::PerIteration,
        )
    });
    group.bench_function("ten_thousand", |b| {
        b.iter_batched(
            || verifier(&pki),
            |v| black_box(v.verify_document(&big_sig, None, FIXED_TIME)),
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
