//! `eds verify` and `eds cert verify` end to end: a center made by `eds ca init`, owners it issues,
//! signatures made by `eds sign` and by `openssl cms -sign`, the center served by `eds serve` on
//! loopback so the verifier asks its OCSP responder and downloads its CRLs online.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::serving::Serving;
use common::*;

const DOC: &str = "{\"kind\":\"test\",\"text\":\"Лицензия № KZ12LAA00000001\"}";

/// A center on the real clock whose certificates name a loopback port `eds serve` listens on.
struct Online {
    /// Declared first: the server stops before the center's folder is removed.
    _serving: Serving,
    c: Center,
}

impl Online {
    fn start() -> Online {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let base = format!("http://127.0.0.1:{port}");
        let mut c = Center::new();
        c.now = None;
        c.init_with("p256", &["--base-url", &base]);
        c.import_registry();
        let serving = Serving::listen(&c, &format!("127.0.0.1:{port}"), &[]);
        Online {
            _serving: serving,
            c,
        }
    }
}

/// Issues a sample request with a generated key; returns (serial, p12 path, certificate path).
fn owner(c: &Center, sample: &str) -> (String, PathBuf, PathBuf) {
    let serial = c.issue_sample(sample);
    let p12 = c.out.join(format!("{serial}.p12"));
    let crt = c.out.join(format!("{serial}.crt.pem"));
    assert!(p12.exists() && crt.exists(), "{p12:?}");
    (serial, p12, crt)
}

/// Signs `doc` with `p12` through `eds sign`; returns the signature's path.
fn sign(c: &Center, p12: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let doc = c.path(&format!("{name}.json"));
    fs::write(&doc, DOC).unwrap();
    let out = c.path(&format!("{name}.p7s"));
    let mut args = vec![
        "sign",
        "--in",
        doc.to_str().unwrap(),
        "--p12",
        p12.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = c.run_env(&args, &[("EDS_KEY_PASSWORD", OWNER)]);
    assert_code(&o, 0);
    out
}

/// `eds ca revoke SERIAL` on the ground of a compromised key; asserts success.
fn revoke(c: &Center, serial: &str) {
    ok(&c.run(&[
        "ca",
        "revoke",
        serial,
        "--ground",
        "key-compromise",
        "--notified-by",
        "holder",
    ]));
}

fn verify(c: &Center, args: &[&str]) -> Output {
    let mut all = vec!["--json", "verify"];
    all.extend_from_slice(args);
    c.run(&all)
}

fn report(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", both(o)))
}

fn sig0(v: &Value) -> &Value {
    &v["signatures"][0]
}

#[test]
fn ok_online_ocsp_good_then_revoked_after_a_revocation() {
    let online = Online::start();
    let c = &online.c;
    let (serial, p12, _) = owner(c, "individual-signing");
    let sig = sign(c, &p12, "doc", &[]);

    // Online: the verifier asks the center's OCSP responder named in the certificate.
    let o = verify(c, &[sig.to_str().unwrap()]);
    assert_code(&o, 0);
    let v = report(&o);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");
    let source = sig0(&v)["revocation_source"].as_str().unwrap();
    assert!(source.contains("OCSP http://127.0.0.1:"), "{source}");
    assert!(source.contains("nonce echoed"), "{source}");
    assert_eq!(sig0(&v)["holder"]["iin"], "850314300122");

    // Revoked a second later (times have whole seconds; a revocation in the signing second counts
    // as before it): the signature claims a time before the revocation, and nothing proves it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    revoke(c, &serial);
    let o = verify(c, &[sig.to_str().unwrap()]);
    assert_code(&o, 2);
    let v = report(&o);
    assert_eq!(sig0(&v)["indication"], "INDETERMINATE", "{v:#}");
    assert_eq!(sig0(&v)["sub_indication"], "REVOKED_NO_POE");

    // A document signed after the revocation fails outright.
    let late = sign(c, &p12, "late", &[]);
    let o = verify(c, &[late.to_str().unwrap()]);
    assert_code(&o, 1);
    let v = report(&o);
    assert_eq!(sig0(&v)["indication"], "TOTAL_FAILED");
    assert_eq!(sig0(&v)["sub_indication"], "REVOKED");
}

#[test]
fn ok_offline_with_the_centers_crls_and_fail_without_them() {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let (_, p12, _) = owner(&c, "individual-signing");
    let sig = sign(&c, &p12, "doc", &[]);
    ok(&c.run(&["ca", "crl"]));
    let issuing_crl = c.data.join("crl/issuing.crl");
    let root_crl = c.data.join("crl/root.crl");
    assert!(root_crl.exists(), "eds ca crl publishes the root CRL too");

    let o = verify(
        &c,
        &[
            sig.to_str().unwrap(),
            "--offline",
            "--crl",
            issuing_crl.to_str().unwrap(),
            "--crl",
            root_crl.to_str().unwrap(),
        ],
    );
    assert_code(&o, 0);
    assert_eq!(report(&o)["indication"], "TOTAL_PASSED");

    // Offline without --crl: the center in --data gives its published CRLs.
    let o = verify(&c, &[sig.to_str().unwrap(), "--offline"]);
    assert_code(&o, 0);
    let v = report(&o);
    assert!(
        sig0(&v)["revocation_data"][0]["source"]
            .as_str()
            .unwrap()
            .contains(issuing_crl.to_str().unwrap()),
        "{v:#}"
    );

    // Offline with no CRL at all (the center's set aside): nothing to judge revocation by.
    fs::rename(c.data.join("crl"), c.data.join("crl.away")).unwrap();
    let o = verify(&c, &[sig.to_str().unwrap(), "--offline"]);
    assert_code(&o, 2);
    let v = report(&o);
    assert_eq!(sig0(&v)["sub_indication"], "TRY_LATER");
    assert!(
        sig0(&v)["reason"].as_str().unwrap().contains("offline"),
        "{v:#}"
    );
}

#[test]
fn exit_codes_for_usage_input_and_format_errors() {
    let c = Center::ready();
    // Usage: an unknown flag, no files.
    assert_code(&c.run(&["verify", "--no-such-flag", "x.p7s"]), 64);
    assert_code(&c.run(&["verify"]), 64);
    assert_code(&c.run(&["cert", "verify"]), 64);
    // Input: an unreadable file (66), a trust list that does not parse (65); a bad --at is a
    // usage error (64).
    let o = c.run(&["verify", "/no/such/file.p7s"]);
    assert_code(&o, 66);
    assert!(
        stderr(&o).contains("cannot read signature"),
        "{}",
        stderr(&o)
    );
    let bad_trust = c.path("trust.json");
    fs::write(&bad_trust, "{not json").unwrap();
    let garbage = c.path("garbage.p7s");
    fs::write(&garbage, b"\x30\x03\x02\x01").unwrap();
    assert_code(
        &c.run(&[
            "verify",
            garbage.to_str().unwrap(),
            "--trust",
            bad_trust.to_str().unwrap(),
        ]),
        65,
    );
    assert_code(
        &c.run(&["verify", garbage.to_str().unwrap(), "--at", "yesterday"]),
        64,
    );
    // A file that is not a signature is a verdict: TOTAL_FAILED / format.
    let o = verify(&c, &[garbage.to_str().unwrap(), "--offline"]);
    assert_code(&o, 1);
    let v = report(&o);
    assert_eq!(v["indication"], "TOTAL_FAILED");
    assert!(v["format_error"].is_string(), "{v:#}");
}

/// The RFC 5280 §6.1.1 policy inputs parse on both commands (what they decide is tested in the
/// verifier); a bad OID is a usage error naming the option.
#[test]
fn ok_policy_flags_parse_and_fail_a_bad_oid_is_usage_naming_the_option() {
    let c = Center::ready();
    let garbage = c.path("garbage.p7s");
    fs::write(&garbage, b"\x30\x03\x02\x01").unwrap();
    let g = garbage.to_str().unwrap();
    let flags = [
        "--policy",
        "1.2.398.3.3.2.1",
        "--policy",
        "2.5.29.32.0",
        "--require-explicit-policy",
        "--inhibit-policy-mapping",
        "--inhibit-any-policy",
    ];
    // Parsed: the run gets as far as the document, which is no signature (a verdict, exit 1).
    let mut args = vec![g, "--offline"];
    args.extend_from_slice(&flags);
    let o = verify(&c, &args);
    assert_code(&o, 1);
    assert_eq!(report(&o)["indication"], "TOTAL_FAILED");
    // `eds cert verify` too: it gets as far as reading the certificate (input error, exit 65).
    let mut args = vec!["cert", "verify", g, "--offline"];
    args.extend_from_slice(&flags);
    let o = c.run(&args);
    assert_code(&o, 65);
    assert!(stderr(&o).contains("garbage.p7s"), "{}", stderr(&o));

    for cmd in [&["verify"][..], &["cert", "verify"][..]] {
        let mut args = cmd.to_vec();
        args.extend_from_slice(&[g, "--offline", "--policy", "not-an-oid"]);
        let o = c.run(&args);
        assert_code(&o, 64);
        let err = stderr(&o);
        assert!(err.contains("--policy"), "{err}");
        assert!(err.contains("not-an-oid"), "{err}");
        let mut help = cmd.to_vec();
        help.push("--help");
        let o = c.run(&help);
        assert_code(&o, 0);
        let text = stdout(&o);
        for flag in [
            "--policy <OID>",
            "--require-explicit-policy",
            "--inhibit-policy-mapping",
            "--inhibit-any-policy",
            "6.1.1(c)",
            "6.1.1(e)",
            "6.1.1(f)",
            "6.1.1(g)",
        ] {
            assert!(text.contains(flag), "{flag} missing from:\n{text}");
        }
    }
}

#[test]
fn ok_batch_folder_with_summary_and_json() {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let (_, p12, _) = owner(&c, "individual-signing");
    ok(&c.run(&["ca", "crl"]));
    let dir = c.path("batch");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..4 {
        let s = sign(&c, &p12, &format!("d{i}"), &[]);
        fs::copy(&s, dir.join(format!("d{i}.p7s"))).unwrap();
    }
    // One tampered copy: flip a byte of the content.
    let mut bad = fs::read(dir.join("d0.p7s")).unwrap();
    let at = bad
        .windows(b"KZ12LAA".len())
        .position(|w| w == b"KZ12LAA")
        .unwrap();
    bad[at] ^= 1;
    fs::write(dir.join("tampered.p7s"), bad).unwrap();
    let crls = [
        "--crl",
        c.data
            .join("crl/issuing.crl")
            .to_str()
            .unwrap()
            .to_owned()
            .leak(),
        "--crl",
        c.data
            .join("crl/root.crl")
            .to_str()
            .unwrap()
            .to_owned()
            .leak(),
    ];
    let mut args = vec!["verify", dir.to_str().unwrap(), "--offline", "--jobs", "2"];
    args.extend_from_slice(&crls);
    let o = c.run(&args);
    assert_code(&o, 1);
    let text = stdout(&o);
    assert!(
        text.contains("5 documents: 4 passed, 1 failed, 0 indeterminate"),
        "{text}"
    );
    assert!(text.contains("HASH_FAILURE"), "{text}");

    let mut args = vec!["--json", "verify", dir.to_str().unwrap(), "--offline"];
    args.extend_from_slice(&crls);
    let o = c.run(&args);
    assert_code(&o, 1);
    let v = report(&o);
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 5);
    let tampered = docs
        .iter()
        .find(|d| d["file"].as_str().unwrap().ends_with("tampered.p7s"))
        .unwrap();
    assert_eq!(
        tampered["report"]["signatures"][0]["sub_indication"],
        "HASH_FAILURE"
    );
}

#[test]
fn ok_openssl_signatures_verify_and_verdicts_agree() {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let (_, p12, crt) = owner(&c, "individual-signing");
    ok(&c.run(&["ca", "crl"]));
    // The owner's key as PEM for OpenSSL.
    let key = c.path("owner.key.pem");
    openssl_ok(&[
        "pkcs12",
        "-in",
        p12.to_str().unwrap(),
        "-nocerts",
        "-nodes",
        "-passin",
        &format!("pass:{OWNER}"),
        "-out",
        key.to_str().unwrap(),
    ]);
    let doc = c.path("doc.txt");
    fs::write(&doc, DOC).unwrap();
    let chain = c.data.join("issuing.crt.pem");
    let root = c.data.join("root.crt.pem");
    let crl_args: Vec<String> = vec![
        "--offline".into(),
        "--crl".into(),
        c.data.join("crl/issuing.crl").display().to_string(),
        "--crl".into(),
        c.data.join("crl/root.crl").display().to_string(),
    ];
    let cases: [(&str, &[&str], bool); 4] = [
        ("attached", &["-nodetach"], false),
        ("detached", &[], true),
        ("cades", &["-nodetach", "-cades"], false),
        ("streamed-ber", &["-nodetach", "-stream"], false),
    ];
    for (name, flags, detached) in cases {
        let out = c.path(&format!("{name}.p7s"));
        let mut args: Vec<&str> = vec![
            "cms",
            "-sign",
            "-binary",
            "-in",
            doc.to_str().unwrap(),
            "-signer",
            crt.to_str().unwrap(),
            "-inkey",
            key.to_str().unwrap(),
            "-certfile",
            chain.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        openssl_ok(&args);
        let mut v_args: Vec<String> =
            vec!["--json".into(), "verify".into(), out.display().to_string()];
        if detached {
            v_args.push("--content".into());
            v_args.push(doc.display().to_string());
        }
        v_args.extend(crl_args.iter().cloned());
        let refs: Vec<&str> = v_args.iter().map(String::as_str).collect();
        let o = c.run(&refs);
        assert_code(&o, 0);
        assert_eq!(
            report(&o)["indication"],
            "TOTAL_PASSED",
            "{name}: {}",
            both(&o)
        );

        // OpenSSL agrees that it verifies...
        let mut os_args: Vec<&str> = vec![
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            out.to_str().unwrap(),
            "-CAfile",
            root.to_str().unwrap(),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ];
        if detached {
            os_args.extend_from_slice(&["-content", doc.to_str().unwrap()]);
        }
        let os = openssl(&os_args);
        assert!(os.status.success(), "{name}: {}", both(&os));

        // ...and that the same signature over other content does not.
        if detached {
            let other = c.path("other.txt");
            fs::write(&other, "another document").unwrap();
            let o = c.run(&[
                "--json",
                "verify",
                out.to_str().unwrap(),
                "--content",
                other.to_str().unwrap(),
                "--offline",
            ]);
            assert_code(&o, 1);
            assert_eq!(sig0(&report(&o))["sub_indication"], "HASH_FAILURE");
            let mut os_bad = os_args.clone();
            let n = os_bad.len();
            os_bad[n - 1] = other.to_str().unwrap();
            assert!(!openssl(&os_bad).status.success(), "openssl must fail too");
        }
    }
}

#[test]
fn ok_cert_verify_good_revoked_and_required_eku() {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let (serial, _, crt) = owner(&c, "individual-signing");
    ok(&c.run(&["ca", "crl"]));
    let issuing = c.data.join("issuing.crt.pem");
    let root = c.data.join("root.crt.pem");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "cert",
            "verify",
            crt.to_str().unwrap(),
            "--untrusted",
            issuing.to_str().unwrap(),
            "--trust",
            root.to_str().unwrap(),
            "--offline",
            "--crl",
        ];
        let crl = c.data.join("crl/issuing.crl");
        let root_crl = c.data.join("crl/root.crl");
        let crl = crl.to_str().unwrap().to_owned();
        let root_crl = root_crl.to_str().unwrap().to_owned();
        args.push(Box::leak(crl.into_boxed_str()));
        args.push("--crl");
        args.push(Box::leak(root_crl.into_boxed_str()));
        args.extend_from_slice(extra);
        c.run(&args)
    };
    let o = run(&[]);
    assert_code(&o, 0);
    let v = report(&o);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["chain"].as_array().unwrap().len(), 3);

    // emailProtection is there; serverAuth is not.
    assert_code(&run(&["--eku", "1.3.6.1.5.5.7.3.4"]), 0);
    let o = run(&["--eku", "1.3.6.1.5.5.7.3.1"]);
    assert_code(&o, 2);
    assert_eq!(report(&o)["sub_indication"], "CHAIN_CONSTRAINTS_FAILURE");

    revoke(&c, &serial);
    ok(&c.run(&["ca", "crl"]));
    let o = run(&[]);
    assert_code(&o, 1);
    let v = report(&o);
    assert_eq!(v["sub_indication"], "REVOKED", "{v:#}");
}

#[test]
fn ok_a_timestamp_proves_the_signature_came_before_the_revocation() {
    let online = Online::start();
    let c = &online.c;
    let (serial, p12, _) = owner(c, "individual-signing");
    let base = fs::read_to_string(c.data.join("center.json")).unwrap();
    let base: Value = serde_json::from_str(&base).unwrap();
    let tsa = format!("{}/tsa", base["base_url"].as_str().unwrap());
    let stamped = sign(c, &p12, "stamped", &["--tsa", &tsa]);
    let plain = sign(c, &p12, "plain", &[]);

    let o = verify(c, &[stamped.to_str().unwrap()]);
    assert_code(&o, 0);
    let v = report(&o);
    assert_eq!(sig0(&v)["time_basis"], "timestamp", "{v:#}");
    assert!(sig0(&v)["timestamp_time"].is_string());

    // Revoked a second later: the timestamp proves the signature existed before; the plain
    // signature has only its claimed time.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    revoke(c, &serial);
    let o = verify(c, &[stamped.to_str().unwrap()]);
    assert_code(&o, 0);
    let v = report(&o);
    assert_eq!(sig0(&v)["indication"], "TOTAL_PASSED", "{v:#}");
    let revocation = sig0(&v)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "revocation")
        .unwrap();
    assert!(
        revocation["detail"]
            .as_str()
            .unwrap()
            .contains("after the proven signing time"),
        "{revocation:#}"
    );
    let o = verify(c, &[plain.to_str().unwrap()]);
    assert_code(&o, 2);
    assert_eq!(sig0(&report(&o))["sub_indication"], "REVOKED_NO_POE");
}

/// A file of the NIST PKITS suite (`fixtures/pkits`).
fn pkits(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/pkits")
        .join(rel)
        .display()
        .to_string()
}

/// `eds cert verify` of a PKITS delta-CRL case at 2015-01-01 with the given CRLs, offline.
fn pkits_delta(c: &Center, ee: &str, crls: &[&str]) -> Output {
    let ee = pkits(&format!("certs/{ee}"));
    let ca = pkits("certs/deltaCRLCA1Cert.crt");
    let root = pkits("certs/TrustAnchorRootCertificate.crt");
    let mut args = vec![
        "cert",
        "verify",
        ee.as_str(),
        "--untrusted",
        ca.as_str(),
        "--trust",
        root.as_str(),
        "--offline",
        "--at",
        "2015-01-01T00:00:00Z",
    ];
    let files: Vec<String> = crls.iter().map(|f| pkits(&format!("crls/{f}"))).collect();
    for f in &files {
        args.push("--crl");
        args.push(f);
    }
    c.run(&args)
}

#[test]
fn ok_delta_crl_given_with_crl_is_used_with_its_base() {
    let c = Center::new();
    let all = [
        "deltaCRLCA1CRL.crl",
        "deltaCRLCA1deltaCRL.crl",
        "TrustAnchorRootCRL.crl",
    ];
    // Listed on neither: passed.
    let o = pkits_delta(&c, "ValiddeltaCRLTest2EE.crt", &all);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("deltaCRLCA1deltaCRL.crl"),
        "{}",
        stdout(&o)
    );
    // Revoked on the delta only: the delta is no longer refused (exit 65) nor skipped.
    let o = pkits_delta(&c, "InvaliddeltaCRLTest4EE.crt", &all);
    assert_code(&o, 1);
    assert!(
        stdout(&o).contains("TOTAL_FAILED / REVOKED"),
        "{}",
        stdout(&o)
    );
    // A delta without its base: no status.
    let o = pkits_delta(
        &c,
        "ValiddeltaCRLTest2EE.crt",
        &["deltaCRLCA1deltaCRL.crl", "TrustAnchorRootCRL.crl"],
    );
    assert_code(&o, 2);
    assert!(stdout(&o).contains("TRY_LATER"), "{}", stdout(&o));
}

#[test]
fn ok_saved_ocsp_response_with_ocsp_and_exit_65_for_a_file_that_is_not_one() {
    let c = Center::new();
    let nca = |rel: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/nca")
            .join(rel)
            .display()
            .to_string()
    };
    let leaf = nca("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");
    let ca = nca("ca/nca_rsa_test.crt");
    let response = nca("ocsp/ocsp_response_individual_sign_2004.bin");
    let base = [
        "cert",
        "verify",
        leaf.as_str(),
        "--trust",
        ca.as_str(),
        "--offline",
        "--at",
        "2021-06-01T09:00:00Z",
    ];
    let mut args = base.to_vec();
    args.extend(["--ocsp", response.as_str()]);
    let o = c.run(&args);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("ocsp_response_individual_sign_2004.bin, producedAt 2022-09-02"),
        "{}",
        stdout(&o)
    );
    // Without it: nothing answers offline.
    let o = c.run(&base);
    assert_code(&o, 2);
    // A CRL given as an OCSP response: an input error naming the file and the reason.
    let crl = nca("crl/nca_rsa_test.crl");
    let mut args = base.to_vec();
    args.extend(["--ocsp", crl.as_str()]);
    let o = c.run(&args);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("nca_rsa_test.crl") && stderr(&o).contains("not a DER OCSPResponse"),
        "{}",
        stderr(&o)
    );
}
