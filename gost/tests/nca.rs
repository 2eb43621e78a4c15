//! The national center's GOST 34.10-2015 (512-bit) material in `fixtures/nca` verifies with this
//! crate: the end-entity certificates and the CRL under the key of the center's CA certificate,
//! the OCSP responses under their responder certificates, which the CA certificate signed.
//!
//! The CA certificate `ca/nca_gost2015_test.cer` is not self-signed: its issuer is the root
//! "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022" (authority key id `A7D3AB77…`), which the
//! material does not contain, so its own signature cannot be checked here; its key is checked to
//! be a point of the curve.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_ocsp::{BasicOcspResponse, OcspResponse};

use eds_fixtures::nca_bytes;
use eds_gost::{CurveId, Error, Kind, algorithm, public_key_from_spki, verify_spki};

fn cert(rel: &str) -> Certificate {
    Certificate::from_der(&nca_bytes(rel)).unwrap()
}

fn spki(c: &Certificate) -> Vec<u8> {
    c.tbs_certificate.subject_public_key_info.to_der().unwrap()
}

fn check_cert(issuer: &Certificate, c: &Certificate) -> Result<(), Error> {
    verify_spki(
        &spki(issuer),
        &c.signature_algorithm.oid,
        &c.tbs_certificate.to_der().unwrap(),
        c.signature.raw_bytes(),
    )
}

fn ocsp(rel: &str) -> BasicOcspResponse {
    let outer = OcspResponse::from_der(&nca_bytes(rel)).unwrap();
    BasicOcspResponse::from_der(outer.response_bytes.unwrap().response.as_bytes()).unwrap()
}

#[test]
fn ok_ca_key_is_a_512_bit_point_on_paramset_a() {
    let ca = cert("ca/nca_gost2015_test.cer");
    let (key, alg) = public_key_from_spki(&spki(&ca)).unwrap();
    assert_eq!(key.curve(), CurveId::Tc26_512A);
    assert_eq!(alg.kind, Kind::PublicKey);
    assert_eq!(alg.oid.to_string(), "1.2.398.3.10.1.1.2.2");
    let sig = algorithm(&ca.signature_algorithm.oid).unwrap();
    assert_eq!(sig.kind, Kind::Signature);
}

#[test]
fn ok_end_entity_certificates_verify_under_the_ca() {
    let ca = cert("ca/nca_gost2015_test.cer");
    for rel in [
        "p12-certs/KEY_INDIVIDUAL_VALID_2015.cer",
        "p12-certs/KEY_CEO_REVOKED_2015.cer",
    ] {
        assert_eq!(check_cert(&ca, &cert(rel)), Ok(()), "{rel}");
    }
}

#[test]
fn fail_end_entity_certificate_with_a_changed_byte() {
    let ca = cert("ca/nca_gost2015_test.cer");
    let mut c = cert("p12-certs/KEY_INDIVIDUAL_VALID_2015.cer");
    c.tbs_certificate.serial_number =
        x509_cert::serial_number::SerialNumber::new(&[0x3a, 0x90, 0x34]).unwrap();
    assert_eq!(check_cert(&ca, &c), Err(Error::BadSignature));
}

#[test]
fn fail_end_entity_certificate_under_the_wrong_key() {
    let ee = cert("p12-certs/KEY_INDIVIDUAL_VALID_2015.cer");
    let other = cert("p12-certs/KEY_CEO_REVOKED_2015.cer");
    assert_eq!(check_cert(&other, &ee), Err(Error::BadSignature));
}

#[test]
fn ok_crl_verifies_under_the_ca() {
    let ca = cert("ca/nca_gost2015_test.cer");
    let crl = CertificateList::from_der(&nca_bytes("crl/nca_gost2022_test.crl")).unwrap();
    let tbs = crl.tbs_cert_list.to_der().unwrap();
    assert_eq!(
        verify_spki(
            &spki(&ca),
            &crl.signature_algorithm.oid,
            &tbs,
            crl.signature.raw_bytes()
        ),
        Ok(())
    );
    let mut bad = tbs.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        verify_spki(
            &spki(&ca),
            &crl.signature_algorithm.oid,
            &bad,
            crl.signature.raw_bytes()
        ),
        Err(Error::BadSignature)
    );
}

#[test]
fn ok_ocsp_responses_verify_under_their_responders_signed_by_the_ca() {
    let ca = cert("ca/nca_gost2015_test.cer");
    for rel in [
        "ocsp/ocsp_response_individual_2015.bin",
        "ocsp/ocsp_response_ceo_2015_revoked.bin",
    ] {
        let basic = ocsp(rel);
        let responder = basic.certs.as_ref().and_then(|c| c.first()).unwrap();
        assert_eq!(
            check_cert(&ca, responder),
            Ok(()),
            "{rel}: responder certificate"
        );
        assert_eq!(
            verify_spki(
                &spki(responder),
                &basic.signature_algorithm.oid,
                &basic.tbs_response_data.to_der().unwrap(),
                basic.signature.raw_bytes(),
            ),
            Ok(()),
            "{rel}: response"
        );
    }
}

// The 2004 generation (ST RK 34.310-2004 over ST RK 34.311-95): GOST R 34.10-2001 on CryptoPro-A
// over GOST R 34.11-94 with the test S-box, the national byte order (see `eds_gost::algorithm`).

fn pem_cert(rel: &str) -> Certificate {
    let bytes = nca_bytes(rel);
    let block = pem::parse(&bytes).unwrap();
    Certificate::from_der(block.contents()).unwrap()
}

#[test]
fn ok_2004_ca_key_is_on_cryptopro_a() {
    let ca = pem_cert("ca/nca_gost_test.crt");
    let (key, alg) = public_key_from_spki(&spki(&ca)).unwrap();
    assert_eq!(key.curve(), CurveId::CryptoProA);
    assert_eq!(alg.hash, eds_gost::Hash::Gost94Test);
}

#[test]
fn ok_2004_crl_and_certificates_verify_under_the_2004_ca() {
    let ca = pem_cert("ca/nca_gost_test.crt");
    let crl = CertificateList::from_der(&nca_bytes("crl/nca_gost_test.crl")).unwrap();
    let tbs = crl.tbs_cert_list.to_der().unwrap();
    assert_eq!(
        verify_spki(
            &spki(&ca),
            &crl.signature_algorithm.oid,
            &tbs,
            crl.signature.raw_bytes()
        ),
        Ok(())
    );
    assert_eq!(
        check_cert(&ca, &pem_cert("certs/ceo_valid_sign_2004_gost.cer")),
        Ok(())
    );
    assert_eq!(
        check_cert(&ca, &cert("p12-certs/KEY_CEO_SIGN_REVOKED_2004.cer")),
        Ok(())
    );
    // The 2015 CA's key cannot verify a 2004 signature: the hashes differ.
    let ca2015 = cert("ca/nca_gost2015_test.cer");
    assert!(matches!(
        check_cert(&ca2015, &pem_cert("certs/ceo_valid_sign_2004_gost.cer")),
        Err(Error::KeyMismatch { .. })
    ));
}

#[test]
fn ok_2004_ocsp_response_verifies_under_its_responder() {
    let ca = pem_cert("ca/nca_gost_test.crt");
    let basic = ocsp("ocsp/ocsp_response_ceo_sign_2004_revoked.bin");
    let responder = basic.certs.as_ref().and_then(|c| c.first()).unwrap();
    assert_eq!(check_cert(&ca, responder), Ok(()));
    assert_eq!(
        verify_spki(
            &spki(responder),
            &basic.signature_algorithm.oid,
            &basic.tbs_response_data.to_der().unwrap(),
            basic.signature.raw_bytes(),
        ),
        Ok(())
    );
}
