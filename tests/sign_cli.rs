//! `eds sign` and `eds extract` end to end: owners issued by the project's own center (P-256,
//! P-384 and Ed25519 keys it generates into PKCS#12 files; an RSA key made by OpenSSL and
//! certified from its CSR), signatures made through the `eds` binary, OpenSSL as the judge.
//!
//! OpenSSL verifies at a fixed instant (`-attime`) one day after the center's clock, so the
//! outcome does not depend on the day the tests run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use time::Duration;

use common::*;

/// An owner's files, as `--p12` or `--key/--cert` arguments.
struct Owner {
    args: Vec<String>,
    algorithm: &'static str,
}

/// A center with owners of every algorithm.
struct Signers {
    center: Center,
    p256: Owner,
    p384: Owner,
    ed25519: Owner,
    rsa: Owner,
    rsa_pss: Owner,
}

impl Signers {
    fn new() -> Self {
        let center = Center::ready();
        let issue_p12 = |request_name: &str, alg: &'static str, algorithm: &'static str| {
            let serial = center.issue_with(
                &request(request_name),
                &["--generate-key", "--key-algorithm", alg],
            );
            Owner {
                args: vec![
                    "--p12".into(),
                    path_str(&center.out.join(format!("{serial}.p12"))),
                ],
                algorithm,
            }
        };
        let p256 = issue_p12("individual-signing", "p256", "ECDSA P-256 SHA-256");
        let p384 = issue_p12("employee-signing-right", "p384", "ECDSA P-384 SHA-384");
        let ed25519 = issue_p12("non-resident-signing", "ed25519", "Ed25519");

        // RSA: the center does not generate RSA keys (they are imported), so OpenSSL makes one
        // and the center certifies it from a PKCS#10 request.
        let key = center.path("rsa.key");
        let csr = center.path("rsa.csr");
        openssl_ok(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &path_str(&key),
        ]);
        openssl_ok(&[
            "req",
            "-new",
            "-key",
            &path_str(&key),
            "-subj",
            "/CN=ignored",
            "-out",
            &path_str(&csr),
        ]);
        let mut req: serde_json::Value =
            serde_json::from_slice(&fs::read(request("first-head-signing")).unwrap()).unwrap();
        req["csr_pem"] = fs::read_to_string(&csr).unwrap().into();
        let req_path = center.path("rsa-request.json");
        fs::write(&req_path, serde_json::to_vec(&req).unwrap()).unwrap();
        let serial = center.issue_with(&req_path, &[]);
        let rsa_args = vec![
            "--key".to_owned(),
            path_str(&key),
            "--cert".into(),
            path_str(&center.out.join(format!("{serial}.crt.pem"))),
            "--chain".into(),
            path_str(&center.data.join("issuing.crt.pem")),
        ];
        let rsa = Owner {
            args: rsa_args.clone(),
            algorithm: "RSA PKCS#1 v1.5 SHA-256",
        };
        let mut pss_args = rsa_args;
        pss_args.push("--rsa-pss".into());
        let rsa_pss = Owner {
            args: pss_args,
            algorithm: "RSASSA-PSS SHA-256",
        };
        Self {
            center,
            p256,
            p384,
            ed25519,
            rsa,
            rsa_pss,
        }
    }

    fn all(&self) -> [&Owner; 5] {
        [
            &self.p256,
            &self.p384,
            &self.ed25519,
            &self.rsa,
            &self.rsa_pss,
        ]
    }

    fn root(&self) -> PathBuf {
        self.center.data.join("root.crt.pem")
    }

    /// A document of `len` bytes in the temporary folder.
    fn document(&self, name: &str, len: usize) -> PathBuf {
        let path = self.center.path(name);
        let bytes: Vec<u8> = (0..len)
            .map(|i| u8::try_from(i % 253).unwrap() ^ 0xa5)
            .collect();
        fs::write(&path, bytes).unwrap();
        path
    }

    /// `eds sign --in DOC <owner> --out OUT` plus `extra`, with the owners' password set.
    fn sign(&self, doc: &Path, owner: &Owner, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["sign", "--in", doc.to_str().unwrap()];
        args.extend(owner.args.iter().map(String::as_str));
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        args.extend_from_slice(extra);
        self.center.run_env(&args, &[("EDS_KEY_PASSWORD", OWNER)])
    }

    /// `eds --json sign …`, asserting success; returns the JSON summary.
    fn sign_json(
        &self,
        doc: &Path,
        owner: &Owner,
        out: &Path,
        extra: &[&str],
    ) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(extra);
        // `--json` is global: it may stand anywhere, here after the other flags.
        let o = self.sign(doc, owner, out, &all);
        serde_json::from_str(&ok(&o)).unwrap()
    }
}

/// The instant OpenSSL checks certificates at: a day after the center's clock.
fn attime() -> String {
    (at(T0) + Duration::days(1)).unix_timestamp().to_string()
}

fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

/// `openssl cms -verify -binary` of a DER or PEM signature against `root`.
///
/// OpenSSL cannot check an Ed25519 signature over signed attributes (openssl/openssl#32248), so
/// for a message with an Ed25519 signer it runs with `-no_attr_verify`: certificate paths and
/// message digests are still checked; the Ed25519 signatures themselves are checked by
/// `openssl pkeyutl` in `signer/tests/cms_openssl.rs`.
fn verify(sig: &Path, content: Option<&Path>, root: &Path, pem: bool, ed25519: bool) -> Output {
    let out = sig.with_extension("verified");
    let time = attime();
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        if pem { "PEM" } else { "DER" },
        "-in",
        sig.to_str().unwrap(),
        "-CAfile",
        root.to_str().unwrap(),
        "-attime",
        &time,
        "-out",
        out.to_str().unwrap(),
    ];
    if let Some(content) = content {
        args.extend_from_slice(&["-content", content.to_str().unwrap()]);
    }
    if ed25519 {
        args.push("-no_attr_verify");
    }
    openssl(&args)
}

#[track_caller]
fn verify_ok(sig: &Path, content: Option<&Path>, root: &Path, ed25519: bool) -> Vec<u8> {
    let o = verify(sig, content, root, false, ed25519);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(both(&o).contains("Verification successful"), "{}", both(&o));
    fs::read(sig.with_extension("verified")).unwrap()
}

fn print(sig: &Path) -> String {
    openssl_ok(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        sig.to_str().unwrap(),
    ])
}

// ---------------------------------------------------------------------------------------------

#[test]
fn ok_every_algorithm_attached_and_detached_verifies_with_openssl() {
    let s = Signers::new();
    let doc = s.document("licence.pdf", 10 * 1024);
    for owner in s.all() {
        let ed = owner.algorithm == "Ed25519";
        let attached = s.center.path("attached.p7s");
        let summary = s.sign_json(&doc, owner, &attached, &[]);
        assert_eq!(summary["algorithm"], owner.algorithm);
        assert_eq!(summary["detached"], false);
        assert_eq!(summary["signers"], 1);
        assert_eq!(summary["format"], "der");
        assert_eq!(
            summary["certificates"], 2,
            "owner and issuing center, no root"
        );
        assert_eq!(summary["signing_time"], T0, "the clock of the run");
        assert_eq!(
            verify_ok(&attached, None, &s.root(), ed),
            fs::read(&doc).unwrap()
        );

        let detached = s.center.path("detached.p7s");
        let summary = s.sign_json(&doc, owner, &detached, &["--detached"]);
        assert_eq!(summary["detached"], true);
        verify_ok(&detached, Some(&doc), &s.root(), ed);
        assert!(
            fs::metadata(&detached).unwrap().len() < 5 * 1024,
            "{}: a detached signature does not hold the document",
            owner.algorithm
        );
    }
}

#[test]
fn ok_print_shows_the_four_signed_attributes() {
    let s = Signers::new();
    let doc = s.document("doc.txt", 100);
    let sig = s.center.path("doc.p7s");
    ok(&s.sign(
        &doc,
        &s.p256,
        &sig,
        &["--signing-time", "2026-03-02T15:30:00+05:00"],
    ));
    let text = print(&sig);
    for attribute in [
        "contentType (1.2.840.113549.1.9.3)",
        "messageDigest (1.2.840.113549.1.9.4)",
        "signingTime (1.2.840.113549.1.9.5)",
        "id-smime-aa-signingCertificateV2 (1.2.840.113549.1.9.16.2.47)",
    ] {
        assert!(text.contains(attribute), "{attribute} missing in\n{text}");
    }
    assert!(text.contains("UTCTIME:Mar  2 10:30:00 2026 GMT"), "{text}");
}

#[test]
fn ok_cosigned_by_two_signers_attached_and_detached() {
    let s = Signers::new();
    let doc = s.document("application.pdf", 50 * 1024);
    for (extra, content) in [(&[][..], None), (&["--detached"][..], Some(doc.as_path()))] {
        let sig = s.center.path("application.p7s");
        ok(&s.sign(&doc, &s.p256, &sig, extra));
        let first = fs::read(&sig).unwrap();
        // The accountant adds a signature in place: --add-to and --out name the same file.
        let sig_str = path_str(&sig);
        let mut add = vec!["--add-to", sig_str.as_str()];
        add.extend_from_slice(extra);
        let summary = s.sign_json(&doc, &s.rsa_pss, &sig, &add);
        assert_eq!(summary["cosigned"], true);
        assert_eq!(summary["signers"], 2);
        let second = fs::read(&sig).unwrap();
        assert!(second.len() > first.len());
        verify_ok(&sig, content, &s.root(), false);
        let text = print(&sig);
        assert_eq!(text.matches("d.issuerAndSerialNumber").count(), 2, "{text}");
    }
}

#[test]
fn ok_cosigned_by_every_algorithm_in_turn() {
    // RSA signs once: the PKCS#1 and PSS owners share one certificate, and a signer signs once.
    let s = Signers::new();
    let doc = s.document("minutes.txt", 4096);
    let sig = s.center.path("minutes.p7s");
    let sig_str = path_str(&sig);
    ok(&s.sign(&doc, &s.rsa_pss, &sig, &[]));
    for owner in [&s.p384, &s.p256, &s.ed25519] {
        ok(&s.sign(&doc, owner, &sig, &["--add-to", &sig_str]));
    }
    let text = print(&sig);
    assert_eq!(text.matches("d.issuerAndSerialNumber").count(), 4);
    assert_eq!(
        verify_ok(&sig, None, &s.root(), true),
        fs::read(&doc).unwrap()
    );
}

#[test]
fn fail_tampered_document_fails_openssl() {
    let s = Signers::new();
    let doc = s.document("permit.pdf", 2048);
    let sig = s.center.path("permit.p7s");
    ok(&s.sign(&doc, &s.p384, &sig, &["--detached"]));
    verify_ok(&sig, Some(&doc), &s.root(), false);
    let mut bytes = fs::read(&doc).unwrap();
    bytes[1000] ^= 0x01;
    fs::write(&doc, bytes).unwrap();
    let o = verify(&sig, Some(&doc), &s.root(), false, false);
    assert_ne!(o.status.code(), Some(0));
    assert!(both(&o).contains("content verify error"), "{}", both(&o));
}

#[test]
fn ok_pem_out_and_in_and_extract() {
    let s = Signers::new();
    let doc = s.document("order.txt", 777);
    let sig = s.center.path("order.p7s.pem");
    let summary = s.sign_json(&doc, &s.p256, &sig, &[]);
    assert_eq!(summary["format"], "pem", "--out ending in .pem");
    let text = fs::read_to_string(&sig).unwrap();
    assert!(text.starts_with("-----BEGIN CMS-----"), "{text}");
    let o = verify(&sig, None, &s.root(), true, false);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));

    let der = s.center.path("order.p7s");
    ok(&s.sign(&doc, &s.p256, &der, &["--pem"]));
    assert!(
        fs::read_to_string(&der)
            .unwrap()
            .starts_with("-----BEGIN CMS-----")
    );
    ok(&s.sign(&doc, &s.p256, &sig, &["--der"]));
    assert_eq!(
        fs::read(&sig).unwrap()[0],
        0x30,
        "--der wins over the .pem name"
    );

    // Extract from the PEM file.
    let out = s.center.path("order.out");
    let v = ok_json(&s.center.run(&[
        "--json",
        "extract",
        "--in",
        der.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    assert_eq!(v["bytes"], 777);
    assert_eq!(v["signers"], 1);
    assert_eq!(v["content_type"], "1.2.840.113549.1.7.1");
    assert_eq!(fs::read(&out).unwrap(), fs::read(&doc).unwrap());
}

#[test]
fn ok_include_root_adds_the_root() {
    let s = Signers::new();
    let doc = s.document("a.txt", 10);
    let sig = s.center.path("a.p7s");
    let root = path_str(&s.root());
    // The root given in --chain stays out unless --include-root.
    let summary = s.sign_json(&doc, &s.rsa, &sig, &["--chain", &root]);
    assert_eq!(summary["certificates"], 2);
    let summary = s.sign_json(&doc, &s.rsa, &sig, &["--chain", &root, "--include-root"]);
    assert_eq!(summary["certificates"], 3);
    assert!(print(&sig).contains("subject: C=KZ, CN=EDS TEST CA (ca) ROOT"));
    verify_ok(&sig, None, &s.root(), false);
}

#[test]
fn fail_attached_over_the_limit_says_detached() {
    let s = Signers::new();
    let doc = s.document("big.bin", 1024 * 1024 + 1);
    let sig = s.center.path("big.p7s");
    let o = s.sign(&doc, &s.p256, &sig, &["--max-attached-mib", "1"]);
    assert_code(&o, 69);
    let err = stderr(&o);
    assert!(
        err.contains("embed 1048577 bytes in an attached signature: the limit is 1048576 bytes"),
        "{err}"
    );
    assert!(err.contains("hint: add --detached"), "{err}");
    assert!(!sig.exists(), "nothing written");
    ok(&s.sign(
        &doc,
        &s.p256,
        &sig,
        &["--max-attached-mib", "1", "--detached"],
    ));
}

#[test]
fn fail_extract_from_a_detached_signature() {
    let s = Signers::new();
    let doc = s.document("d.txt", 10);
    let sig = s.center.path("d.p7s");
    ok(&s.sign(&doc, &s.p256, &sig, &["--detached"]));
    let out = s.center.path("d.out");
    let o = s.center.run(&[
        "extract",
        "--in",
        sig.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("the signature is detached"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("hint: a detached signature holds no document"));
    assert!(!out.exists());
}

#[test]
fn fail_wrong_or_missing_password() {
    let s = Signers::new();
    let doc = s.document("w.txt", 10);
    let sig = s.center.path("w.p7s");
    let mut args = vec![
        "sign",
        "--in",
        doc.to_str().unwrap(),
        "--out",
        sig.to_str().unwrap(),
    ];
    args.extend(s.p256.args.iter().map(String::as_str));

    let o = s
        .center
        .run_env(&args, &[("EDS_KEY_PASSWORD", "not-the-password")]);
    assert_code(&o, 6);
    assert!(stderr(&o).contains("wrong password"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: set EDS_KEY_PASSWORD"),
        "{}",
        stderr(&o)
    );

    let o = s.center.run_env(&args, &[("EDS_KEY_PASSWORD", "")]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("no password was given"),
        "{}",
        stderr(&o)
    );

    // The password from a file instead of the environment.
    let file = s.center.path("password.txt");
    fs::write(&file, format!("{OWNER}\n")).unwrap();
    args.extend_from_slice(&["--password-file", file.to_str().unwrap()]);
    ok(&s.center.run_env(&args, &[("EDS_KEY_PASSWORD", "")]));
}

#[test]
fn fail_same_signer_twice_is_a_conflict() {
    let s = Signers::new();
    let doc = s.document("t.txt", 10);
    let sig = s.center.path("t.p7s");
    ok(&s.sign(&doc, &s.ed25519, &sig, &[]));
    let before = fs::read(&sig).unwrap();
    let o = s.sign(&doc, &s.ed25519, &sig, &["--add-to", sig.to_str().unwrap()]);
    assert_code(&o, 4);
    assert!(
        stderr(&o).contains("has already signed this document"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&sig).unwrap(), before, "the file is untouched");
}

#[test]
fn fail_cosigning_with_another_document() {
    let s = Signers::new();
    let doc = s.document("x.txt", 100);
    let other = s.document("y.txt", 101);
    let sig = s.center.path("x.p7s");
    ok(&s.sign(&doc, &s.p256, &sig, &["--detached"]));
    let o = s.sign(&other, &s.p384, &sig, &["--add-to", sig.to_str().unwrap()]);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("message digests differ"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("hint: --in must be the very document"));
}

#[test]
fn fail_key_and_certificate_of_different_owners() {
    let s = Signers::new();
    let doc = s.document("k.txt", 10);
    let sig = s.center.path("k.p7s");
    // The RSA key with the P-256 owner's certificate, taken out of its PKCS#12 file.
    let p12 = &s.p256.args[1];
    let cert = s.center.path("p256.crt.pem");
    openssl_ok(&[
        "pkcs12",
        "-in",
        p12,
        "-passin",
        &format!("pass:{OWNER}"),
        "-nokeys",
        "-clcerts",
        "-out",
        cert.to_str().unwrap(),
    ]);
    let owner = Owner {
        args: vec![
            "--key".into(),
            s.rsa.args[1].clone(),
            "--cert".into(),
            path_str(&cert),
        ],
        algorithm: "",
    };
    let o = s.sign(&doc, &owner, &sig, &[]);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("the certificate holds a different public key"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("hint: --cert must be the certificate issued for this very key"));
}

#[test]
fn fail_missing_document_is_no_input() {
    let s = Signers::new();
    let sig = s.center.path("m.p7s");
    let o = s.sign(&s.center.path("no-such.pdf"), &s.p256, &sig, &[]);
    assert_code(&o, 66);
    assert!(stderr(&o).contains("no-such.pdf"), "{}", stderr(&o));
}

#[test]
fn fail_p12_flag_given_a_pem_key() {
    let s = Signers::new();
    let doc = s.document("p.txt", 10);
    let sig = s.center.path("p.p7s");
    let owner = Owner {
        args: vec!["--p12".into(), s.rsa.args[1].clone()],
        algorithm: "",
    };
    let o = s.sign(&doc, &owner, &sig, &[]);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("hint: --p12 takes a .p12/.pfx file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ok_national_center_rsa_key_signs_and_openssl_accepts() {
    let c = Center::new();
    let doc = c.path("nca.txt");
    fs::write(&doc, "signed with the national center's test key").unwrap();
    let p12 = fixture("nca/keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12");
    let ca = fixture("nca/ca/nca_rsa_test.crt");
    // The certificate is valid from 2021-01-18 to 2022-01-18.
    let signing_time = "2021-06-01T09:00:00+06:00";
    let attime = at("2021-06-01T03:00:00Z").unix_timestamp().to_string();
    for (extra, detached) in [
        (&[][..], false),
        (&["--detached"][..], true),
        (&["--rsa-pss"][..], false),
    ] {
        let sig = c.path("nca.p7s");
        let mut args = vec![
            "--json",
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--signing-time",
            signing_time,
            "--out",
            sig.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let v = ok_json(&c.run_env(&args, &[("EDS_KEY_PASSWORD", "Qwerty12")]));
        assert_eq!(v["signing_time"], "2021-06-01T09:00:00+06:00");
        assert!(
            v["signer"].as_str().unwrap().ends_with("CN=ТЕСТОВ ТЕСТ"),
            "{v}"
        );
        let mut verify = vec![
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig.to_str().unwrap(),
            "-partial_chain",
            "-CAfile",
            ca.to_str().unwrap(),
            "-attime",
            &attime,
            "-out",
            "/dev/null",
        ];
        if detached {
            verify.extend_from_slice(&["-content", doc.to_str().unwrap()]);
        }
        let o = openssl(&verify);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {}", both(&o));
        assert!(both(&o).contains("Verification successful"));
    }
}

#[test]
fn ok_help_teaches() {
    let c = Center::new();
    let help = ok(&c.run(&["sign", "--help"]));
    for needle in [
        "CAdES-BASELINE-B",
        "EDS_KEY_PASSWORD",
        "--add-to",
        "eds sign --in licence.pdf --p12 officer.p12 --out licence.pdf.p7s",
        "openssl cms -verify",
    ] {
        assert!(help.contains(needle), "{needle} missing in\n{help}");
    }
    let help = ok(&c.run(&["extract", "--help"]));
    assert!(
        help.contains("eds extract --in licence.pdf.p7s --out licence.pdf"),
        "{help}"
    );
}
