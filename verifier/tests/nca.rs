//! The national center's real test material through the whole engine (issue 5): a document
//! signed with its RSA test key verifies at a time inside the certificate's validity against its
//! RSA test CA and CRL; its revoked key comes out REVOKED with that CRL; a GOST signature (the
//! timestamp token) verifies and, with only the RSA center trusted, stops at the chain:
//! INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND, never a parse error or a panic. The GOST centers
//! themselves: `tests/verify_gost.rs`.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs12::load_pkcs12;
use eds_signer::{SignatureAlgorithm, SigningKey as _};
use eds_verifier::cert::Cert;
use eds_verifier::engine::{DocumentReport, Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::{Indication, SubIndication, TimeBasis};
use ring::rand::SystemRandom;
use time::OffsetDateTime;
use time::macros::datetime;

const DOC: &[u8] = "заявление / application".as_bytes();

/// A verifier trusting the national center's RSA test CA, with its CRL, offline, at `at`.
fn verifier(at: OffsetDateTime) -> Verifier {
    let ca = Cert::all_from_pem_or_der(&eds_fixtures::nca_bytes("ca/nca_rsa_test.crt"))
        .expect("the RSA test CA reads");
    let revocation = RevocationChecker::new(RevocationOptions {
        crl_files: vec![eds_fixtures::nca_path("crl/nca_rsa_test.crl")],
        offline: true,
        ..RevocationOptions::default()
    })
    .expect("the RSA test CRL loads");
    Verifier::new(
        Options {
            trust: TrustList::from_certs(ca).expect("trust"),
            at: Some(at),
            extra_certs: Vec::new(),
            expectations: Expectations::default(),
            max_signature_checks: 32,
            required_eku: None,
            policy: Default::default(),
            cancel: Default::default(),
        },
        revocation,
    )
}

fn sign_with_nca_key(file: &str, at: OffsetDateTime, algorithm: SignatureAlgorithm) -> Vec<u8> {
    let p12 = eds_fixtures::nca_bytes(file);
    let contents = load_pkcs12(&p12, "Qwerty12").expect("the center's test key loads");
    let key = contents
        .key
        .with_algorithm(algorithm)
        .expect("RSA key signs with this algorithm");
    assert!(matches!(
        key.algorithm(),
        SignatureAlgorithm::RsaPkcs1Sha256 | SignatureAlgorithm::RsaPssSha256
    ));
    let signer = Signer::new(&key, &contents.certificate_der, &contents.chain_der).expect("signer");
    sign::sign(
        &signer,
        SignContent::Bytes(DOC),
        &SignOptions::new(at),
        &SystemRandom::new(),
    )
    .expect("signs")
}

fn only(report: &DocumentReport) -> (Indication, Option<SubIndication>, &str) {
    let s = &report.signatures[0];
    (s.indication, s.sub_indication, s.reason.as_str())
}

#[test]
fn fail_rsa_test_key_inside_its_validity_with_the_base_crl_alone_is_try_later() {
    // The certificate is valid 2021-01-18 .. 2022-01-18 and names a delta CRL (freshestCRL
    // `nca_d_rsa_test.crl`, not among the fixtures); the base CRL (thisUpdate 2022-03-29,
    // nextUpdate 2022-09-25) does not list it, but it was issued after the certificate expired
    // and a delta is due: neither proves the certificate was not revoked (RFC 5280 §3.3,
    // §5.2.4). Everything else passes: the signature, the chain, the holder.
    let at = datetime!(2021-06-01 09:00 UTC);
    for algorithm in [
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPssSha256,
    ] {
        let sig = sign_with_nca_key("keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12", at, algorithm);
        let report = verifier(at)
            .verify_document(&sig, None, OffsetDateTime::now_utc())
            .expect("runs");
        let (ind, sub, reason) = only(&report);
        assert_eq!(
            (ind, sub),
            (Indication::Indeterminate, Some(SubIndication::TryLater)),
            "{reason}"
        );
        assert!(reason.contains("delta CRL is due"), "{reason}");
        let s = &report.signatures[0];
        assert_eq!(s.time_basis, TimeBasis::Given);
        assert_eq!(
            s.holder.as_ref().and_then(|h| h.iin.as_deref()),
            Some("123456789011")
        );
        // The test IIN fails the check digit: a warning, not a failure.
        assert!(
            s.warnings.iter().any(|w| w.contains("IIN 123456789011")),
            "{:?}",
            s.warnings
        );
    }
}

#[test]
fn fail_rsa_test_key_outside_its_validity_is_not_passed() {
    // The same signature judged now (2026): the certificate expired in 2022 and the signing time
    // it claims lies inside its validity, with nothing proving it.
    let at = datetime!(2021-06-01 09:00 UTC);
    let sig = sign_with_nca_key(
        "keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12",
        at,
        SignatureAlgorithm::RsaPkcs1Sha256,
    );
    let report = verifier(datetime!(2026-06-01 09:00 UTC))
        .verify_document(&sig, None, OffsetDateTime::now_utc())
        .expect("runs");
    let (ind, sub, reason) = only(&report);
    assert_eq!(
        (ind, sub),
        (
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe)
        ),
        "{reason}"
    );
}

#[test]
fn fail_revoked_rsa_test_key_is_revoked_with_the_crl() {
    // Valid 2022-01-18 04:39:33 .. 2023-01-18; the CRL lists it revoked at 2022-01-18 04:40:24.
    let at = datetime!(2022-06-01 09:00 UTC);
    let sig = sign_with_nca_key(
        "keys/KEY_INDIVIDUAL_SIGN_REVOKED_2004.p12",
        at,
        SignatureAlgorithm::RsaPkcs1Sha256,
    );
    let report = verifier(at)
        .verify_document(&sig, None, OffsetDateTime::now_utc())
        .expect("runs");
    let (ind, sub, reason) = only(&report);
    assert_eq!(
        (ind, sub),
        (Indication::TotalFailed, Some(SubIndication::Revoked)),
        "{reason}"
    );
    assert!(reason.contains("2022-01-18T04:40:24Z"), "{reason}");
}

#[test]
fn indeterminate_gost_signed_token_under_the_rsa_center_has_no_chain() {
    // The national center's timestamp token is a CMS SignedData signed with GOST 34.310-2004:
    // its signature verifies (eds-gost), but its issuer is not the trusted RSA center.
    let token = eds_fixtures::nca_bytes("tsp/tsp_token.bin");
    let report = verifier(datetime!(2021-06-01 09:00 UTC))
        .verify_document(&token, None, OffsetDateTime::now_utc())
        .expect("runs");
    assert!(report.format_error.is_none(), "{:?}", report.format_error);
    let (ind, sub, reason) = only(&report);
    assert_eq!(
        (ind, sub),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound)
        ),
        "{reason}"
    );
    assert!(reason.contains("CN=ҰКО 3.0 (GOST TEST),C=KZ"), "{reason}");
}
