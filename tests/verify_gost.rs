//! `eds cert verify` and `eds verify` on the national center's GOST material in `fixtures/nca`,
//! the 2015 generation (34.10-2015, 512-bit) and the 2004 one (34.310-2004): every certificate,
//! CRL, OCSP and CMS signature in it is checked with the crate `eds-gost`, and the verdicts are
//! the ones the material calls for. The end-entity certificates
//! expired in 2023, hence `--at` inside their validity; `--offline` keeps the network out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::path::Path;

use common::{Center, assert_code, stdout};

fn nca(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nca")
        .join(rel)
        .display()
        .to_string()
}

const CA: &str = "ca/nca_gost2015_test.cer";
const CRL: &str = "crl/nca_gost2022_test.crl";
const CEO: &str = "p12-certs/KEY_CEO_REVOKED_2015.cer";
const INDIVIDUAL: &str = "p12-certs/KEY_INDIVIDUAL_VALID_2015.cer";

fn verify(c: &Center, leaf: &str, at: &str, extra: &[&str]) -> serde_json::Value {
    let ca = nca(CA);
    let mut args = vec![
        "cert",
        "verify",
        leaf,
        "--trust",
        &ca,
        "--offline",
        "--at",
        at,
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = c.run(&args);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON report");
    let code = match v["indication"].as_str() {
        Some("TOTAL_PASSED") => 0,
        Some("TOTAL_FAILED") => 1,
        _ => 2,
    };
    assert_code(&o, code);
    v
}

fn check<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

#[test]
fn fail_revoked_ceo_2015_against_the_2022_crl() {
    let c = Center::new();
    let crl = nca(CRL);
    let v = verify(&c, &nca(CEO), "2022-08-01T00:00:00Z", &["--crl", &crl]);
    assert_eq!(v["indication"], "TOTAL_FAILED");
    assert_eq!(v["sub_indication"], "REVOKED");
    assert_eq!(
        v["reason"],
        "the signing certificate was revoked at 2022-07-27T10:25:30Z (certificateHold), at or \
         before the claimed signing time 2022-08-01T00:00:00Z"
    );
    // The GOST signatures of the certificate and of the CRL were verified on the way.
    assert_eq!(check(&v, "chain")["outcome"], "passed");
    assert!(
        v["revocation_source"]
            .as_str()
            .unwrap()
            .contains("nca_gost2022_test.crl")
    );
}

#[test]
fn fail_revoked_ceo_2015_by_its_ocsp_response() {
    let c = Center::new();
    let response = nca("ocsp/ocsp_response_ceo_2015_revoked.bin");
    let v = verify(
        &c,
        &nca(CEO),
        "2022-09-02T17:00:00Z",
        &["--ocsp", &response],
    );
    assert_eq!(v["indication"], "TOTAL_FAILED");
    assert_eq!(v["sub_indication"], "REVOKED");
    assert!(
        v["revocation_source"]
            .as_str()
            .unwrap()
            .contains("ocsp_response_ceo_2015_revoked.bin"),
        "{v}"
    );
}

/// The responder answered "revoked, 1970-01-01, certificateHold" for the individual's
/// certificate: RFC 6960 §2.2's answer for a certificate it does not know as issued. Its
/// signature verifies, so the answer stands.
#[test]
fn fail_individual_2015_ocsp_answers_not_issued_as_revoked_1970() {
    let c = Center::new();
    let response = nca("ocsp/ocsp_response_individual_2015.bin");
    let v = verify(
        &c,
        &nca(INDIVIDUAL),
        "2022-09-02T17:00:00Z",
        &["--ocsp", &response],
    );
    assert_eq!(v["indication"], "TOTAL_FAILED");
    assert_eq!(v["sub_indication"], "REVOKED");
    assert_eq!(
        v["reason"],
        "the signing certificate was revoked at 1970-01-01T00:00:00Z (certificateHold), at or \
         before the claimed signing time 2022-09-02T17:00:00Z"
    );
}

/// The individual is not on the CRL, but the certificate names a delta CRL (freshestCRL) that
/// the material lacks: the status is not known (RFC 5280 §6.3.3 (c)), after a verified chain.
#[test]
fn indeterminate_individual_2015_crl_without_its_delta() {
    let c = Center::new();
    let crl = nca(CRL);
    let v = verify(
        &c,
        &nca(INDIVIDUAL),
        "2022-08-01T00:00:00Z",
        &["--crl", &crl],
    );
    assert_eq!(v["indication"], "INDETERMINATE");
    assert_eq!(v["sub_indication"], "TRY_LATER");
    assert_eq!(check(&v, "chain")["outcome"], "passed");
    assert!(
        v["reason"].as_str().unwrap().contains("a delta CRL is due"),
        "{v}"
    );
}

#[test]
fn fail_forged_gost_certificate_signature() {
    let c = Center::new();
    let mut der = std::fs::read(nca(CEO)).unwrap();
    let at = der.len() - 5; // inside the signature value
    der[at] ^= 1;
    let forged = c.path("forged.cer");
    std::fs::write(&forged, der).unwrap();
    let crl = nca(CRL);
    let v = verify(
        &c,
        forged.to_str().unwrap(),
        "2022-08-01T00:00:00Z",
        &["--crl", &crl],
    );
    assert_eq!(v["indication"], "INDETERMINATE");
    assert_eq!(v["sub_indication"], "CERTIFICATE_CHAIN_GENERAL_FAILURE");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .ends_with("the signature value does not verify with the public key"),
        "{v}"
    );
}

#[test]
fn indeterminate_forged_gost_crl_is_not_used() {
    let c = Center::new();
    let mut der = std::fs::read(nca(CRL)).unwrap();
    let at = der.len() - 5;
    der[at] ^= 1;
    let forged = c.path("forged.crl");
    std::fs::write(&forged, der).unwrap();
    let v = verify(
        &c,
        &nca(CEO),
        "2022-08-01T00:00:00Z",
        &["--crl", forged.to_str().unwrap()],
    );
    assert_eq!(v["indication"], "INDETERMINATE");
    assert_eq!(v["sub_indication"], "TRY_LATER");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("the CRL signature does not verify with the key of"),
        "{v}"
    );
}

// The 2004 generation (ST RK 34.310-2004 over ST RK 34.311-95).

const CA_2004: &str = "ca/nca_gost_test.crt";
const CRL_2004: &str = "crl/nca_gost_test.crl";

#[test]
fn fail_revoked_ceo_2004_by_its_ocsp_response() {
    let c = Center::new();
    let ca = nca(CA_2004);
    let leaf = nca("p12-certs/KEY_CEO_SIGN_REVOKED_2004.cer");
    let response = nca("ocsp/ocsp_response_ceo_sign_2004_revoked.bin");
    let o = c.run(&[
        "cert",
        "verify",
        &leaf,
        "--trust",
        &ca,
        "--offline",
        "--at",
        "2022-09-02T17:00:00Z",
        "--ocsp",
        &response,
        "--json",
    ]);
    assert_code(&o, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["sub_indication"], "REVOKED");
    assert_eq!(
        v["reason"],
        "the signing certificate was revoked at 2022-01-18T06:30:55Z (superseded), at or before \
         the claimed signing time 2022-09-02T17:00:00Z"
    );
}

fn verify_token(c: &Center, token: &str) -> (serde_json::Value, i32) {
    let ca = nca(CA_2004);
    let crl = nca(CRL_2004);
    let o = c.run(&[
        "verify",
        token,
        "--trust",
        &ca,
        "--crl",
        &crl,
        "--offline",
        "--at",
        "2022-09-18T13:30:00Z",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    (v["signatures"][0].clone(), o.status.code().unwrap())
}

/// The timestamp token is a CMS SignedData signed with GOST 34.310-2004 over a GOST 34.311-95
/// digest: every check of the signature passes; revocation stays unknown because the CRL's delta
/// (freshestCRL) is not in the material.
#[test]
fn indeterminate_2004_timestamp_token_signature_verifies_delta_crl_missing() {
    let c = Center::new();
    let (s, code) = verify_token(&c, &nca("tsp/tsp_token.bin"));
    assert_eq!(code, 2);
    assert_eq!(s["indication"], "INDETERMINATE");
    assert_eq!(s["sub_indication"], "TRY_LATER");
    for name in [
        "format",
        "signing_certificate",
        "message_digest",
        "signature",
        "chain",
    ] {
        assert_eq!(check(&s, name)["outcome"], "passed", "{name}: {s}");
    }
    assert_eq!(check(&s, "revocation")["outcome"], "indeterminate");
}

#[test]
fn fail_2004_timestamp_token_with_a_changed_signature() {
    let c = Center::new();
    let mut der = std::fs::read(nca("tsp/tsp_token.bin")).unwrap();
    let at = der.len() - 5; // inside the signature value, the last field
    der[at] ^= 1;
    let forged = c.path("forged.tst");
    std::fs::write(&forged, der).unwrap();
    let (s, code) = verify_token(&c, forged.to_str().unwrap());
    assert_eq!(code, 1);
    assert_eq!(s["indication"], "TOTAL_FAILED");
    assert_eq!(s["sub_indication"], "SIG_CRYPTO_FAILURE");
    assert_eq!(
        s["reason"],
        "the signature value does not verify with the signer's public key"
    );
}
