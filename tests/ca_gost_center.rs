//! A GOST test center (issue 14 point 5): `eds ca init --algorithm gost2015-512` makes a center
//! whose root, issuing center, OCSP responder and TSA hold GOST 34.10-2015 512-bit keys in the
//! national center's profile (identifiers under 1.2.398.3.10, little-endian byte order). It
//! issues owners GOST keys in PKCS#12 files that `eds sign` reads, revokes, publishes CRLs,
//! answers OCSP and timestamps — each checked by our verifier, with a tampered CRL, OCSP
//! response and certificate refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use ring::rand::SystemRandom;
use serde_json::Value;

use common::serving::online_with;
use common::*;

/// The national center's GOST 2015-512 signature algorithm.
const NCA_SIGNATURE: &str = "1.2.398.3.10.1.1.2.3.2";
/// The national center's GOST 2015-512 key algorithm.
const NCA_KEY: &str = "1.2.398.3.10.1.1.2.2";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A GOST center with the sample registry imported.
fn gost_center() -> Center {
    let c = Center::new();
    c.init("gost2015-512");
    c.import_registry();
    c
}

/// Issues the sample individual with a GOST key the center generates; the serial.
fn issue_gost_owner(c: &Center) -> String {
    c.issue_with(
        &request("individual-signing"),
        &["--generate-key", "--key-algorithm", "gost2015-512"],
    )
}

fn pem_der(path: &Path) -> Vec<u8> {
    pem::parse(fs::read(path).unwrap()).unwrap().into_contents()
}

/// Signs a small document with the owner's PKCS#12 file; the signature's path.
fn sign_document(c: &Center, serial: &str, extra: &[&str]) -> PathBuf {
    let doc = c.path("doc.txt");
    fs::write(&doc, b"an application signed with a GOST key\n").unwrap();
    let sig = c.path("doc.txt.p7s");
    let p12 = c.out.join(format!("{serial}.p12"));
    let mut args = vec!["sign", "--in", s(&doc), "--p12", s(&p12), "--out", s(&sig)];
    args.extend_from_slice(extra);
    ok(&c.run_env(&args, &[("EDS_KEY_PASSWORD", OWNER)]));
    sig
}

/// `eds verify SIG --offline --json` plus `extra`; the output and the first signature's report.
fn verify(c: &Center, sig: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["--json", "verify", s(sig), "--offline"];
    args.extend_from_slice(extra);
    let o = c.run(&args);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    (o, v)
}

fn first_signature(v: &Value) -> &Value {
    &v["signatures"][0]
}

#[test]
fn ok_gost_center_certificates_and_crls_carry_the_national_identifiers() {
    let c = gost_center();
    let config: Value =
        serde_json::from_slice(&fs::read(c.data.join("center.json")).unwrap()).unwrap();
    assert_eq!(config["algorithm"], "gost2015-512");
    assert!(
        config["key_policy"]["allowed"]
            .as_array()
            .unwrap()
            .contains(&Value::from("gost2015-512")),
        "{config}"
    );
    let serial = issue_gost_owner(&c);
    for file in [
        c.data.join("root.crt.pem"),
        c.data.join("issuing.crt.pem"),
        c.cert_path(&serial),
    ] {
        let der = pem_der(&file);
        let cert = x509_parser::parse_x509_certificate(&der).unwrap().1;
        assert_eq!(
            cert.signature_algorithm.algorithm.to_id_string(),
            NCA_SIGNATURE,
            "{}",
            file.display()
        );
        assert_eq!(
            cert.tbs_certificate
                .subject_pki
                .algorithm
                .algorithm
                .to_id_string(),
            NCA_KEY,
            "{}",
            file.display()
        );
        // r‖s, 64 octets each.
        assert_eq!(cert.signature_value.data.len(), 128);
    }
    for crl in ["issuing.crl", "root.crl"] {
        let der = fs::read(c.data.join("crl").join(crl)).unwrap();
        let (_, list) = x509_parser::parse_x509_crl(&der).unwrap();
        assert_eq!(
            list.signature_algorithm.algorithm.to_id_string(),
            NCA_SIGNATURE
        );
        assert_eq!(list.signature_value.data.len(), 128);
    }
}

#[test]
fn ok_gost_owner_signs_and_verifies_then_revoked_is_revoked() {
    let mut c = gost_center();
    let serial = issue_gost_owner(&c);
    let sig = sign_document(&c, &serial, &[]);
    let (o, v) = verify(&c, &sig, &[]);
    assert_code(&o, 0);
    assert_eq!(first_signature(&v)["indication"], "TOTAL_PASSED", "{v:#}");

    c.revoke(&serial, "key-compromise");
    c.set_now(&after(T0, time::Duration::hours(1)));
    c.crl();
    let (o, v) = verify(&c, &sig, &[]);
    assert_code(&o, 1);
    assert_eq!(first_signature(&v)["indication"], "TOTAL_FAILED", "{v:#}");
    assert_eq!(first_signature(&v)["sub_indication"], "REVOKED", "{v:#}");
}

#[test]
fn fail_tampered_gost_crl_is_refused() {
    let c = gost_center();
    let serial = issue_gost_owner(&c);
    let sig = sign_document(&c, &serial, &[]);
    let crl = c.data.join("crl").join("issuing.crl");
    let mut der = fs::read(&crl).unwrap();
    let at = der.len() - 5; // inside the signature value
    der[at] ^= 1;
    let forged = c.path("forged.crl");
    fs::write(&forged, &der).unwrap();
    for f in ["issuing.crl", "issuing.crl.pem"] {
        fs::remove_file(c.data.join("crl").join(f)).unwrap();
    }
    let (o, v) = verify(&c, &sig, &["--crl", s(&forged)]);
    assert_code(&o, 2);
    assert_eq!(first_signature(&v)["indication"], "INDETERMINATE", "{v:#}");
    assert_eq!(first_signature(&v)["sub_indication"], "TRY_LATER", "{v:#}");
}

#[test]
fn fail_tampered_gost_certificate_is_refused() {
    let c = gost_center();
    let serial = issue_gost_owner(&c);
    let mut der = pem_der(&c.cert_path(&serial));
    let at = der.len() - 5; // inside the signature value
    der[at] ^= 1;
    let forged = c.path("forged.der");
    fs::write(&forged, &der).unwrap();
    let o = c.run(&["--json", "cert", "verify", s(&forged), "--offline"]);
    assert_code(&o, 2);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["indication"], "INDETERMINATE", "{v:#}");
    assert_eq!(
        v["sub_indication"], "CERTIFICATE_CHAIN_GENERAL_FAILURE",
        "{v:#}"
    );
    // The certificate as issued passes.
    let o = c.run(&[
        "--json",
        "cert",
        "verify",
        s(&c.cert_path(&serial)),
        "--offline",
    ]);
    assert_code(&o, 0);
}

/// An OCSP request for the owner's certificate, made by OpenSSL (CertID hashes with SHA-1 over
/// the issuer's name and key: no GOST arithmetic needed).
fn ocsp_request(c: &Center, serial: &str) -> Vec<u8> {
    let req = c.path("req.der");
    openssl_ok(&[
        "ocsp",
        "-issuer",
        s(&c.data.join("issuing.crt.pem")),
        "-cert",
        s(&c.cert_path(serial)),
        "-no_nonce",
        "-reqout",
        s(&req),
    ]);
    fs::read(&req).unwrap()
}

/// The center's OCSP responder, in process, answers `request` at the test clock; the response is
/// written to `name` in the temporary folder.
fn ocsp_answer(c: &Center, request: &[u8], name: &str) -> PathBuf {
    let center = eds_ca::center::Center::open(&c.data).unwrap();
    let rng = SystemRandom::new();
    let responder =
        eds_ca::ocsp::Responder::load(&center, PASS.as_bytes(), c.now_at(), &rng).unwrap();
    let response = responder.respond(center.store(), request, c.now_at());
    let path = c.path(name);
    fs::write(&path, response).unwrap();
    path
}

#[test]
fn ok_gost_ocsp_answers_good_then_revoked_and_tampered_is_refused() {
    let mut c = gost_center();
    let serial = issue_gost_owner(&c);
    let sig = sign_document(&c, &serial, &[]);
    // Only OCSP can say: the center's issuing CRL is taken away.
    for f in ["issuing.crl", "issuing.crl.pem"] {
        fs::remove_file(c.data.join("crl").join(f)).unwrap();
    }
    let request = ocsp_request(&c, &serial);
    let good = ocsp_answer(&c, &request, "good.ocsp");
    let ocsp_cert = pem_der(&c.data.join("ocsp.crt.pem"));
    let parsed = x509_parser::parse_x509_certificate(&ocsp_cert).unwrap().1;
    assert_eq!(
        parsed
            .tbs_certificate
            .subject_pki
            .algorithm
            .algorithm
            .to_id_string(),
        NCA_KEY
    );
    let (o, v) = verify(&c, &sig, &["--ocsp", s(&good)]);
    assert_code(&o, 0);
    assert_eq!(first_signature(&v)["indication"], "TOTAL_PASSED", "{v:#}");

    let mut tampered = fs::read(&good).unwrap();
    // The signature value sits before the responder's certificate; flip a byte of the
    // ResponseData's producedAt digits instead, which the signature covers.
    let produced = tampered
        .windows(2)
        .position(|w| w == [0x18, 0x0F])
        .expect("producedAt");
    tampered[produced + 2 + 3] ^= 1;
    let tampered_path = c.path("tampered.ocsp");
    fs::write(&tampered_path, &tampered).unwrap();
    let (o, v) = verify(&c, &sig, &["--ocsp", s(&tampered_path)]);
    assert_code(&o, 2);
    assert_eq!(first_signature(&v)["indication"], "INDETERMINATE", "{v:#}");
    assert_eq!(first_signature(&v)["sub_indication"], "TRY_LATER", "{v:#}");

    c.revoke(&serial, "key-compromise");
    c.set_now(&after(T0, time::Duration::hours(1)));
    let revoked = ocsp_answer(&c, &request, "revoked.ocsp");
    let (o, v) = verify(&c, &sig, &["--ocsp", s(&revoked)]);
    assert_code(&o, 1);
    assert_eq!(first_signature(&v)["indication"], "TOTAL_FAILED", "{v:#}");
    assert_eq!(first_signature(&v)["sub_indication"], "REVOKED", "{v:#}");
}

#[test]
fn ok_gost_tsa_timestamp_verifies() {
    let (c, serving, tsa) = online_with("gost2015-512");
    let serial = issue_gost_owner(&c);
    let sig = sign_document(&c, &serial, &["--tsa", &tsa]);
    drop(serving);
    let tsa_cert = pem_der(&c.data.join("tsa.crt.pem"));
    let parsed = x509_parser::parse_x509_certificate(&tsa_cert).unwrap().1;
    assert_eq!(
        parsed
            .tbs_certificate
            .subject_pki
            .algorithm
            .algorithm
            .to_id_string(),
        NCA_KEY
    );
    let (o, v) = verify(&c, &sig, &[]);
    assert_code(&o, 0);
    let first = first_signature(&v);
    assert_eq!(first["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(first["time_basis"], "timestamp", "{v:#}");
    let proof = &first["proofs_of_existence"][0];
    assert_eq!(proof["proven_by"], "signature timestamp", "{v:#}");
    assert_eq!(proof["tsa"], "CN=EDS TEST CA (ca) TSA,C=KZ", "{v:#}");
}

#[test]
fn ok_demo_runs_on_gost() {
    let c = Center::new();
    let demo = c.path("demo");
    let o = c.run(&[
        "--json",
        "demo",
        "--data",
        s(&demo),
        "--algorithm",
        "gost2015-512",
    ]);
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["licence"]["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["licence"]["licensing_passed"], true, "{v:#}");
    assert_eq!(
        v["licence_after_revocation"]["indication"], "TOTAL_FAILED",
        "{v:#}"
    );
    assert_eq!(
        v["licence_after_revocation"]["sub_indication"], "REVOKED",
        "{v:#}"
    );
    // Every certificate of the demo center (it runs no OCSP responder) carries the national
    // center's GOST identifiers.
    let folder = fs::read_dir(&demo).unwrap().next().unwrap().unwrap().path();
    for name in ["root.crt.pem", "issuing.crt.pem", "tsa.crt.pem"] {
        let der = pem_der(&folder.join(name));
        let cert = x509_parser::parse_x509_certificate(&der).unwrap().1;
        assert_eq!(
            cert.signature_algorithm.algorithm.to_id_string(),
            NCA_SIGNATURE,
            "{name}"
        );
    }
}
