//! `eds sign` with GOST keys, end to end.
//!
//! - The national center's GOST 34.10-2015 key (`fixtures/nca/keys/KEY_INDIVIDUAL_VALID_2015.p12`,
//!   password `Aa123456` from the fixtures README) signs a CAdES-B CMS with Streebog-512 under the
//!   center's identifiers and byte order; `eds verify` passes every check of the signature and
//!   its chain (revocation stays unknown: the delta CRL the certificate names is not in the
//!   material), and refuses a changed document or signature.
//! - TC26 keys (RFC 9215) made by OpenSSL's GOST engine (Debian `libengine-gost-openssl`,
//!   installed by `scripts/test`) sign through `eds sign --key --cert`, and the engine verifies
//!   the CMS (`openssl cms -verify`), and refuses it once a byte of the document changed. When
//!   the engine does not load, those tests fail with how to install it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::path::Path;
use std::process::Command;

use eds_fixtures::openssl_pki::require_gost_engine;

use common::{Center, assert_code, ok_json, stdout};

const NCA_PASSWORD: &str = "Aa123456";
const SIGNED_AT: &str = "2022-08-01T00:00:00Z";
const DOCUMENT: &[u8] = b"APPLICATION FOR A LICENCE: signed with the national center's GOST key";

fn nca(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nca")
        .join(rel)
        .display()
        .to_string()
}

fn check<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {v}"))
}

/// Signs `DOCUMENT` with the center's 2015 individual key; returns the signature's path and the
/// `--json` summary.
fn sign_nca(c: &Center) -> (String, serde_json::Value) {
    let doc = c.path("application.txt");
    std::fs::write(&doc, DOCUMENT).unwrap();
    let sig = c.path("application.txt.p7s");
    let p12 = nca("keys/KEY_INDIVIDUAL_VALID_2015.p12");
    let o = c.run_env(
        &[
            "--json",
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            &p12,
            "--signing-time",
            SIGNED_AT,
            "--out",
            sig.to_str().unwrap(),
        ],
        &[("EDS_KEY_PASSWORD", NCA_PASSWORD)],
    );
    let summary = ok_json(&o);
    (sig.to_str().unwrap().to_owned(), summary)
}

/// `eds verify` of one signature at the signing time, the center's 2015 CA as anchor and its
/// CRL; returns the first signature's report and the exit code.
fn verify_nca(c: &Center, sig: &str) -> (serde_json::Value, i32) {
    let ca = nca("ca/nca_gost2015_test.cer");
    let crl = nca("crl/nca_gost2022_test.crl");
    let o = c.run(&[
        "verify",
        sig,
        "--trust",
        &ca,
        "--crl",
        &crl,
        "--offline",
        "--at",
        SIGNED_AT,
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON report");
    (v["signatures"][0].clone(), o.status.code().unwrap())
}

#[test]
fn ok_nca_2015_key_signs_and_every_signature_check_passes() {
    let c = Center::new();
    let (sig, summary) = sign_nca(&c);
    assert_eq!(
        summary["algorithm"],
        "GOST 34.10-2015 512 Streebog-512 (national center)"
    );
    assert_eq!(summary["level"], "B");
    assert_eq!(summary["signing_time"], SIGNED_AT);
    // messageDigest: Streebog-512, 64 bytes.
    assert_eq!(summary["digest"].as_str().unwrap().len(), 128);

    let (s, code) = verify_nca(&c, &sig);
    // Every check of the signature and its chain passes; revocation is unknown because the
    // delta CRL (freshestCRL) of the certificate is not in the material (RFC 5280 §6.3.3).
    for name in [
        "format",
        "signing_certificate",
        "message_digest",
        "signature",
        "chain",
    ] {
        assert_eq!(check(&s, name)["outcome"], "passed", "{name}: {s}");
    }
    assert_eq!(check(&s, "revocation")["outcome"], "indeterminate", "{s}");
    assert_eq!(s["indication"], "INDETERMINATE", "{s}");
    assert_eq!(s["sub_indication"], "TRY_LATER", "{s}");
    assert_eq!(code, 2);
}

#[test]
fn fail_nca_2015_signature_over_a_changed_document() {
    let c = Center::new();
    let (sig, _) = sign_nca(&c);
    let mut der = std::fs::read(&sig).unwrap();
    let at = der
        .windows(DOCUMENT.len())
        .position(|w| w == DOCUMENT)
        .expect("the document is attached");
    der[at] ^= 0x20; // "APPLICATION" -> "aPPLICATION"
    std::fs::write(&sig, der).unwrap();
    let (s, code) = verify_nca(&c, &sig);
    assert_eq!(code, 1);
    assert_eq!(s["indication"], "TOTAL_FAILED", "{s}");
    assert_eq!(s["sub_indication"], "HASH_FAILURE", "{s}");
}

#[test]
fn fail_nca_2015_signature_value_changed() {
    let c = Center::new();
    let (sig, _) = sign_nca(&c);
    let mut der = std::fs::read(&sig).unwrap();
    let at = der.len() - 5; // inside the signature value, the SignerInfo's last field
    der[at] ^= 1;
    std::fs::write(&sig, der).unwrap();
    let (s, code) = verify_nca(&c, &sig);
    assert_eq!(code, 1);
    assert_eq!(s["indication"], "TOTAL_FAILED", "{s}");
    assert_eq!(s["sub_indication"], "SIG_CRYPTO_FAILURE", "{s}");
    assert_eq!(
        s["reason"],
        "the signature value does not verify with the signer's public key"
    );
}

#[test]
fn fail_nca_2015_key_with_a_wrong_password_exits_with_the_password_code() {
    let c = Center::new();
    let doc = c.path("doc.txt");
    std::fs::write(&doc, DOCUMENT).unwrap();
    let p12 = nca("keys/KEY_INDIVIDUAL_VALID_2015.p12");
    let o = c.run_env(
        &[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            &p12,
            "--out",
            c.path("doc.p7s").to_str().unwrap(),
        ],
        &[("EDS_KEY_PASSWORD", "Aa123457")],
    );
    assert_code(&o, 6);
}

/// The center's 2004 keys cannot sign: the error names the algorithm and the hint says what can.
#[test]
fn fail_nca_2004_gost_key_is_named_and_refused() {
    let c = Center::new();
    let doc = c.path("doc.txt");
    std::fs::write(&doc, DOCUMENT).unwrap();
    let p12 = nca("keys/KEY_CEO_SIGN_REVOKED_2004.p12");
    let o = c.run_env(
        &[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            &p12,
            "--out",
            c.path("doc.p7s").to_str().unwrap(),
        ],
        &[("EDS_KEY_PASSWORD", "Qwerty12")],
    );
    assert_code(&o, 69);
    let err = common::stderr(&o);
    assert!(
        err.contains("use GOST 34.310-2004 signing (1.2.398.3.10.1.1.1.1): not supported yet"),
        "{err}"
    );
    assert!(err.contains("GOST 34.10-2015 / R 34.10-2012 key"), "{err}");
}

// The outside judge: OpenSSL's GOST engine.

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl")
}

fn openssl_ok(dir: &Path, args: &[&str]) {
    let o = openssl(dir, args);
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// (engine algorithm, parameter set, engine digest, our algorithm name)
const ENGINE_CASES: [(&str, &str, &str, &str); 2] = [
    (
        "gost2012_256",
        "TCA",
        "-md_gost12_256",
        "GOST R 34.10-2012 256 Streebog-256",
    ),
    (
        "gost2012_512",
        "A",
        "-md_gost12_512",
        "GOST R 34.10-2012 512 Streebog-512",
    ),
];

#[test]
fn ok_the_engine_verifies_tc26_cms_signed_by_eds_sign() {
    require_gost_engine(None);
    for (alg, set, md, name) in ENGINE_CASES {
        let c = Center::new();
        let dir = c.path("");
        let paramset = format!("paramset:{set}");
        openssl_ok(
            &dir,
            &[
                "genpkey",
                "-engine",
                "gost",
                "-algorithm",
                alg,
                "-pkeyopt",
                &paramset,
                "-out",
                "key.pem",
            ],
        );
        openssl_ok(
            &dir,
            &[
                "req",
                "-x509",
                "-engine",
                "gost",
                "-key",
                "key.pem",
                "-subj",
                "/CN=GOST signer",
                md,
                "-days",
                "30",
                "-out",
                "cert.pem",
            ],
        );
        std::fs::write(dir.join("doc.txt"), DOCUMENT).unwrap();
        let summary = ok_json(&c.run(&[
            "--json", "sign", "--in", "doc.txt", "--key", "key.pem", "--cert", "cert.pem", "--out",
            "doc.p7s",
        ]));
        assert_eq!(summary["algorithm"], name, "{alg}");
        let verify = |file: &str| {
            openssl(
                &dir,
                &[
                    "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", file,
                    "-CAfile", "cert.pem", "-out", "out.txt",
                ],
            )
        };
        let o = verify("doc.p7s");
        assert!(
            o.status.success(),
            "{alg} {set}: the engine refused our CMS: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(std::fs::read(dir.join("out.txt")).unwrap(), DOCUMENT);

        // One byte of the attached document changed: the engine refuses.
        let mut der = std::fs::read(dir.join("doc.p7s")).unwrap();
        let at = der
            .windows(DOCUMENT.len())
            .position(|w| w == DOCUMENT)
            .unwrap();
        der[at] ^= 0x20;
        std::fs::write(dir.join("bad.p7s"), der).unwrap();
        let o = verify("bad.p7s");
        assert!(
            !o.status.success(),
            "{alg} {set}: the engine accepted a changed document"
        );
        // OpenSSL's messageDigest comparison (CMS_SignerInfo_verify_content) is what fails.
        assert!(
            String::from_utf8_lossy(&o.stderr)
                .contains("CMS_SignerInfo_verify_content:verification failure"),
            "{alg} {set}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
