//! A signature made with a key the verifier does not accept (RSA-1024, P-192) is never called
//! forged: `eds verify` answers INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE (exit 2), and a
//! sound key in the same set-up passes the signature check. The PKI is made by OpenSSL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::*;

fn genkey(dir: &Path, name: &str, opts: &[&str]) {
    openssl_ok(
        &[
            &["genpkey", "-out", &dir.join(name).to_string_lossy()][..],
            opts,
        ]
        .concat(),
    );
}

/// Root (P-256) and a leaf with `leaf_key` options; a CMS over a document signed by the leaf.
fn signed_with(dir: &Path, leaf_key: &[&str]) -> std::path::PathBuf {
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    genkey(
        dir,
        "root.key",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\n[leaf]\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature,nonRepudiation\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    openssl_ok(&[
        "req",
        "-new",
        "-x509",
        "-key",
        &p("root.key"),
        "-subj",
        "/C=KZ/CN=Weak Keys Root",
        "-days",
        "3650",
        "-config",
        &p("ext.cnf"),
        "-extensions",
        "root",
        "-out",
        &p("root.pem"),
    ]);
    genkey(dir, "leaf.key", leaf_key);
    openssl_ok(&[
        "req",
        "-new",
        "-key",
        &p("leaf.key"),
        "-subj",
        "/C=KZ/CN=Weak Key Leaf",
        "-out",
        &p("leaf.csr"),
    ]);
    openssl_ok(&[
        "x509",
        "-req",
        "-in",
        &p("leaf.csr"),
        "-CA",
        &p("root.pem"),
        "-CAkey",
        &p("root.key"),
        "-set_serial",
        "7",
        "-days",
        "365",
        "-extfile",
        &p("ext.cnf"),
        "-extensions",
        "leaf",
        "-out",
        &p("leaf.pem"),
    ]);
    std::fs::write(dir.join("doc.txt"), "a licence").unwrap();
    openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-md",
        "sha256",
        "-in",
        &p("doc.txt"),
        "-signer",
        &p("leaf.pem"),
        "-inkey",
        &p("leaf.key"),
        "-outform",
        "DER",
        "-out",
        &p("doc.p7s"),
    ]);
    dir.join("doc.p7s")
}

fn verify(dir: &Path, sig: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_eds"))
        .args(["verify", "--offline", "--json", "--trust"])
        .arg(dir.join("root.pem"))
        .arg(sig)
        .env_remove("EDS_NOW")
        .output()
        .unwrap();
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", both(&out)));
    (out.status.code().unwrap(), json)
}

#[test]
fn fail_small_keys_are_crypto_constraints_failures_not_forgeries() {
    for (name, key) in [
        (
            "RSA-1024",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"][..],
        ),
        (
            "P-192",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-192"][..],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let sig = signed_with(dir.path(), key);
        let (code, json) = verify(dir.path(), &sig);
        let signature = &json["signatures"][0];
        assert_eq!(signature["indication"], "INDETERMINATE", "{name}: {json:#}");
        assert_eq!(
            signature["sub_indication"], "CRYPTO_CONSTRAINTS_FAILURE",
            "{name}: {json:#}"
        );
        assert_eq!(code, 2, "{name}");
    }
}

#[test]
fn ok_sound_key_passes_the_signature_check() {
    let dir = tempfile::tempdir().unwrap();
    let sig = signed_with(
        dir.path(),
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    );
    let (_, json) = verify(dir.path(), &sig);
    let signature = &json["signatures"][0];
    // Offline without a CRL the revocation status is unknown (TRY_LATER), but the signature
    // and the chain are sound.
    assert_eq!(signature["sub_indication"], "TRY_LATER", "{json:#}");
}
