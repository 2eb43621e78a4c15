//! A killed process loses nothing: `eds ca issue` aborted (SIGABRT, no unwinding, no destructors)
//! right after each step of an issuance leaves an intact audit log and a register that either
//! holds the certificate completely or not at all; concurrent issuances on one data folder all
//! succeed with distinct serials; `eds ca crl` killed at any moment leaves its DER and PEM CRLs
//! holding one CRL once the center is opened again.
//!
//! The abort points exist only with the `fault-injection` feature: `scripts/test` runs
//! `cargo test --features eds/fault-injection` (by hand: `cargo test -p eds --features
//! fault-injection --test ca_crash`); without it, the variable is shown to do nothing.

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

mod common;

use std::fs;
#[cfg(feature = "fault-injection")]
use std::os::unix::process::ExitStatusExt;
#[cfg(feature = "fault-injection")]
use std::path::Path;
use std::path::PathBuf;

use serde_json::{Value, json};

use common::*;

/// The owner's key and a request carrying its CSR, so that the owner keeps the key whatever
/// happens to the center's process.
fn request_with_csr(c: &Center) -> PathBuf {
    let key = c.path("owner.key.pem");
    let csr = c.path("owner.csr.pem");
    openssl_ok(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=x",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        csr.to_str().unwrap(),
    ]);
    let mut req: Value =
        serde_json::from_slice(&fs::read(request("individual-signing")).unwrap()).unwrap();
    req["csr_pem"] = json!(fs::read_to_string(&csr).unwrap());
    c.write_request("with-csr", &req)
}

#[cfg(feature = "fault-injection")]
/// Files written into the output folder.
fn written(c: &Center) -> Vec<String> {
    match fs::read_dir(&c.out) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(feature = "fault-injection")]
/// Aborts `eds ca issue` after `step`; checks the process died by SIGABRT and the audit log is
/// intact. Returns the center, the request, and the audit entries before the crash.
fn crash_after(step: &str) -> (Center, PathBuf, usize) {
    let c = Center::ready();
    let req = request_with_csr(&c);
    let before = c.audit_entries().len();
    let o = c.run_env(
        &[
            "ca",
            "issue",
            req.to_str().unwrap(),
            "--out-dir",
            c.out.to_str().unwrap(),
        ],
        &[("EDS_TEST_ABORT_AFTER", step)],
    );
    assert_eq!(
        o.status.signal(),
        Some(6),
        "not killed by SIGABRT: {:?}\n{}",
        o.status,
        both(&o)
    );
    assert_eq!(stdout(&o), "", "nothing reported before the abort");
    (c, req, before)
}

#[cfg(feature = "fault-injection")]
/// After a crash the center goes on: the same request is issued normally.
fn still_issues(c: &Center, req: &Path, audit_entries: usize) -> String {
    let serial = c.issue(req, false);
    c.assert_audit_intact(u64::try_from(audit_entries + 1).unwrap());
    serial
}

#[cfg(feature = "fault-injection")]
#[test]
fn ok_abort_after_accepted_leaves_no_certificate() {
    let (c, req, before) = crash_after("accepted");
    c.assert_audit_intact(u64::try_from(before).unwrap());
    assert_eq!(c.owner_serials(), Vec::<String>::new());
    assert_eq!(written(&c), Vec::<String>::new());
    let serial = still_issues(&c, &req, before);
    assert_eq!(c.owner_serials(), [serial]);
}

#[cfg(feature = "fault-injection")]
#[test]
fn ok_abort_after_signed_leaves_no_certificate() {
    let (c, req, before) = crash_after("signed");
    c.assert_audit_intact(u64::try_from(before).unwrap());
    assert_eq!(c.owner_serials(), Vec::<String>::new());
    assert_eq!(written(&c), Vec::<String>::new());
    let serial = still_issues(&c, &req, before);
    assert_eq!(c.owner_serials(), [serial]);
}

#[cfg(feature = "fault-injection")]
#[test]
fn ok_abort_after_recorded_keeps_the_certificate_in_the_register() {
    let (c, req, before) = crash_after("recorded");
    c.assert_audit_intact(u64::try_from(before + 1).unwrap());
    let entries = c.audit_entries();
    let last = entries.last().unwrap();
    assert_eq!(last["action"], "certificate-issued");
    let serials = c.owner_serials();
    assert_eq!(serials.len(), 1, "{serials:?}");
    let serial = &serials[0];
    let details: Value = serde_json::from_str(last["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["serial"], serial.as_str());
    // The process died before writing the file; the register gives the certificate back.
    assert_eq!(written(&c), Vec::<String>::new());
    let pem_text = ok(&c.run(&["ca", "show", serial, "--pem"]));
    let cert = c.path("recovered.crt.pem");
    fs::write(&cert, &pem_text).unwrap();
    let v = c.openssl_verify(&cert, false);
    assert_eq!(both(&v), format!("{}: OK\n", cert.display()));
    assert_code(&v, 0);
    let cert_pub = openssl_ok(&["x509", "-noout", "-pubkey", "-in", cert.to_str().unwrap()]);
    let key_pub = openssl_ok(&[
        "pkey",
        "-in",
        c.path("owner.key.pem").to_str().unwrap(),
        "-pubout",
    ]);
    assert_eq!(cert_pub, key_pub, "the owner's key is certified");
    still_issues(&c, &req, before + 1);
    assert_eq!(c.owner_serials().len(), 2);
}

/// Without the `fault-injection` feature (any build but the tests' of `scripts/test`), the crash
/// variable does nothing: the issuance completes.
#[cfg(not(feature = "fault-injection"))]
#[test]
fn ok_without_the_feature_the_abort_variable_does_nothing() {
    let c = Center::ready();
    let req = request_with_csr(&c);
    let o = c.run_env(
        &[
            "ca",
            "issue",
            req.to_str().unwrap(),
            "--out-dir",
            c.out.to_str().unwrap(),
        ],
        &[("EDS_TEST_ABORT_AFTER", "accepted")],
    );
    assert_code(&o, 0);
    assert_eq!(c.owner_serials().len(), 1);
}

#[test]
fn ok_four_concurrent_issuances_all_succeed_with_distinct_serials() {
    let c = Center::ready();
    let before = c.audit_entries().len();
    let requests = [
        "individual-signing",
        "individual-authentication",
        "first-head-signing",
        "employee-signing-right",
    ];
    let children: Vec<_> = requests
        .iter()
        .map(|r| {
            c.spawn(&[
                "--json",
                "ca",
                "issue",
                request(r).to_str().unwrap(),
                "--generate-key",
                "--out-dir",
                c.out.to_str().unwrap(),
            ])
        })
        .collect();
    let mut serials: Vec<String> = children
        .into_iter()
        .map(|child| {
            let o = child.wait_with_output().unwrap();
            let v = ok_json(&o);
            v["certificate"]["serial"].as_str().unwrap().to_owned()
        })
        .collect();
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 4, "{serials:?}");
    let mut registered = c.owner_serials();
    registered.sort();
    assert_eq!(registered, serials);
    c.assert_audit_intact(u64::try_from(before + 4).unwrap());
    for s in &serials {
        let v = c.openssl_verify(&c.cert_path(s), false);
        assert_code(&v, 0);
    }
}

/// Four `eds ca crl` at once: each signs and publishes its CRL (and the root's), the numbers are
/// 1–4, and what is left published is CRL 4, the same in DER and PEM.
#[test]
fn ok_four_concurrent_crls_take_distinct_numbers() {
    let c = Center::ready();
    let before = c.audit_entries().len();
    let children: Vec<_> = (0..4).map(|_| c.spawn(&["--json", "ca", "crl"])).collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|ch| ch.wait_with_output().unwrap())
        .collect();
    for o in &outputs {
        assert_code(o, 0);
    }
    let mut numbers: Vec<u64> = outputs
        .iter()
        .map(|o| ok_json(o)["crl"]["number"].as_u64().unwrap())
        .collect();
    numbers.sort_unstable();
    // CRL 1 was published by `eds ca init`.
    assert_eq!(numbers, [2, 3, 4, 5]);
    // Each run also signs the root's CRL: two entries per run.
    c.assert_audit_intact(u64::try_from(before + 8).unwrap());
    assert_eq!(
        field(&c.crl_text(), "X509v3 CRL Number").1,
        "5",
        "a lower CRL was published last"
    );
    let der = c.data.join("crl/issuing.crl");
    let from_der = openssl_ok(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        der.to_str().unwrap(),
        "-noout",
        "-text",
    ]);
    assert_eq!(
        from_der,
        c.crl_text(),
        "crl/issuing.crl and crl/issuing.crl.pem differ"
    );
}

/// `crl/NAME` and `crl/NAME.pem` hold the same CRL (the PEM converted to DER by OpenSSL).
#[track_caller]
fn assert_crl_pair_agrees(c: &Center, name: &str, round: u32) {
    let der = c.data.join("crl").join(name);
    let pem_path = c.data.join("crl").join(format!("{name}.pem"));
    let converted = c.path("converted.crl.der");
    openssl_ok(&[
        "crl",
        "-in",
        pem_path.to_str().unwrap(),
        "-outform",
        "DER",
        "-out",
        converted.to_str().unwrap(),
    ]);
    assert_eq!(
        fs::read(&der).unwrap(),
        fs::read(&converted).unwrap(),
        "round {round}: crl/{name} and crl/{name}.pem hold different CRLs"
    );
}

/// `eds ca crl` killed (SIGKILL) at 40 pseudo-random moments of its half second: after each
/// kill, once the center has been opened again (`eds ca list`, which completes a publication
/// left between its two renames), the DER and PEM files of the issuing and root CRLs hold the
/// same CRL, and no temporary file is left in `crl/`.
#[test]
fn ok_killed_crl_publication_leaves_der_and_pem_agreeing() {
    let c = Center::ready();
    ok(&c.run(&["ca", "crl"]));
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..40 {
        // xorshift64: the same moments on every run.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = c.spawn(&["ca", "crl"]);
        std::thread::sleep(std::time::Duration::from_millis(seed % 500));
        let _ = child.kill();
        child.wait().unwrap();
        ok(&c.run(&["ca", "list"]));
        for name in ["issuing.crl", "root.crl"] {
            assert_crl_pair_agrees(&c, name, round);
        }
        let mut names: Vec<String> = fs::read_dir(c.data.join("crl"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".lock",
                "issuing.crl",
                "issuing.crl.pem",
                "root.crl",
                "root.crl.pem"
            ],
            "round {round}"
        );
    }
}
