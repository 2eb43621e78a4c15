//! `eds sign --level LT|LTA` and `eds extend` end to end: signed against a live `eds serve`
//! (its TSA, its CRLs), then verified with the server stopped, offline, two years later
//! (`--at`), after the signer's certificate expired; OpenSSL judges what was produced
//! (`openssl cms -verify` on the signature, `openssl ts -verify` on each token).
//!
//! The server runs on the real clock (OpenSSL checks the certificates against it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use common::serving::online;
use common::*;

const DOC: &str = "{\"kind\":\"licence\",\"text\":\"Лицензия № KZ12LAA00000002\"}";

fn sign(c: &Center, p12: &Path, name: &str, extra: &[&str]) -> (PathBuf, Value) {
    let doc = c.path(&format!("{name}.json"));
    fs::write(&doc, DOC).unwrap();
    let out = c.path(&format!("{name}.p7s"));
    let mut args = vec![
        "--json",
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
    (out, serde_json::from_str(&ok(&o)).unwrap())
}

fn extend(c: &Center, args: &[&str]) -> Output {
    let mut all = vec!["--json", "extend"];
    all.extend_from_slice(args);
    c.run(&all)
}

/// `eds --json verify SIG --offline --at AT` with nothing but the file: the center's published
/// CRLs (which `--data --offline` would use) are set aside meanwhile.
fn verify_offline(c: &Center, sig: &Path, at: OffsetDateTime) -> (Output, Value) {
    let (crl, away) = (c.data.join("crl"), c.data.join("crl.away"));
    fs::rename(&crl, &away).unwrap();
    let o = c.run(&[
        "--json",
        "verify",
        sig.to_str().unwrap(),
        "--offline",
        "--at",
        &rfc3339(at),
    ]);
    fs::rename(&away, &crl).unwrap();
    let v = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    (o, v)
}

/// root + issuing, the trust file of OpenSSL.
fn chain(c: &Center) -> PathBuf {
    let path = c.path("chain.pem");
    let mut text = fs::read_to_string(c.root()).unwrap();
    text.push_str(&fs::read_to_string(c.issuing()).unwrap());
    fs::write(&path, text).unwrap();
    path
}

fn openssl_cms_verify(c: &Center, sig: &Path) {
    let o = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        sig.to_str().unwrap(),
        "-CAfile",
        chain(c).to_str().unwrap(),
        "-purpose",
        "any",
        "-out",
        c.path("extracted.json").to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    assert!(both(&o).contains("Verification successful"), "{}", both(&o));
    assert_eq!(fs::read_to_string(c.path("extracted.json")).unwrap(), DOC);
}

/// `openssl ts -verify` of a token over `data` (or over the SHA-256 `digest` given in hex).
fn openssl_ts_verify(c: &Center, token: &[u8], data: &[u8]) -> Output {
    let token_path = c.path("token.der");
    fs::write(&token_path, token).unwrap();
    let data_path = c.path("stamped.bin");
    fs::write(&data_path, data).unwrap();
    openssl(&[
        "ts",
        "-verify",
        "-data",
        data_path.to_str().unwrap(),
        "-token_in",
        "-in",
        token_path.to_str().unwrap(),
        "-CAfile",
        chain(c).to_str().unwrap(),
        "-untrusted",
        c.data.join("tsa.crt.pem").to_str().unwrap(),
    ])
}

fn signatures(v: &Value) -> &Value {
    &v["signatures"][0]
}

#[test]
fn ok_lt_and_lta_verify_offline_two_years_later_and_openssl_accepts_every_level() {
    let (c, serving, tsa) = online();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));

    let (b, summary) = sign(&c, &p12, "b", &[]);
    assert_eq!(summary["level"], "B");
    let (t, summary) = sign(&c, &p12, "t", &["--tsa", &tsa]);
    assert_eq!(summary["level"], "T");
    let (lt, summary) = sign(&c, &p12, "lt", &["--level", "LT", "--tsa", &tsa]);
    assert_eq!(summary["level"], "LT");
    let lta = c.path("lta.p7s");
    let o = extend(
        &c,
        &[
            lt.to_str().unwrap(),
            "--to",
            "LTA",
            "--tsa",
            &tsa,
            "--out",
            lta.to_str().unwrap(),
        ],
    );
    let summary: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(summary["archive_timestamps"], serde_json::json!([1]));
    // Renewal: the next archive timestamp over everything, in place.
    let renewed = c.path("lta2.p7s");
    fs::copy(&lta, &renewed).unwrap();
    let o = extend(
        &c,
        &[renewed.to_str().unwrap(), "--to", "LTA", "--tsa", &tsa],
    );
    let summary: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(summary["archive_timestamps"], serde_json::json!([2]));

    // The center goes away.
    drop(serving);

    // Every level is a valid CMS signature to OpenSSL, and each token a valid RFC 3161 token.
    for sig in [&b, &t, &lt, &lta, &renewed] {
        openssl_cms_verify(&c, sig);
    }
    let der = fs::read(&renewed).unwrap();
    let stamps = eds_signer::cms::timestamp::signature_timestamps(&der).unwrap();
    let o = openssl_ts_verify(&c, &stamps[0].tokens[0], &stamps[0].signature_value);
    assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
    let doc = eds_verifier::cms::parse(&der).unwrap();
    let archives = eds_verifier::ltv::archive_tokens(&der, &doc.signers[0], None).unwrap();
    assert_eq!(archives.len(), 2);
    for archive in &archives {
        let stamped = archive.stamped.as_ref().unwrap();
        let o = openssl_ts_verify(&c, &archive.token, stamped);
        assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
        let mut other = stamped.clone();
        other.push(0);
        let o = openssl_ts_verify(&c, &archive.token, &other);
        assert!(!stdout(&o).contains("Verification: OK"), "{}", both(&o));
    }

    // Two years later the officer's certificate has expired; offline, nothing but the file.
    let later = OffsetDateTime::now_utc() + Duration::days(800);
    for (sig, proofs) in [(&lt, 1), (&lta, 2), (&renewed, 3)] {
        let (o, v) = verify_offline(&c, sig, later);
        assert_code(&o, 0);
        let s = signatures(&v);
        assert_eq!(s["indication"], "TOTAL_PASSED", "{v:#}");
        assert_eq!(s["time_basis"], "timestamp", "{v:#}");
        assert_eq!(
            s["proofs_of_existence"].as_array().unwrap().len(),
            proofs,
            "{v:#}"
        );
        for used in s["revocation_data"].as_array().unwrap() {
            assert_eq!(used["status"], "good", "{v:#}");
            assert!(
                used["source"].as_str().unwrap().contains("embedded"),
                "{v:#}"
            );
        }
    }
    // B and T do not survive: no proof, or a proof nothing can check offline.
    for sig in [&b, &t] {
        let (o, v) = verify_offline(&c, sig, later);
        assert_code(&o, 2);
        assert_eq!(
            signatures(&v)["sub_indication"],
            "OUT_OF_BOUNDS_NO_POE",
            "{v:#}"
        );
    }
    // The text report names the proof and the revocation data used (the center's published
    // CRLs set aside, as in `verify_offline`).
    let (crl, away) = (c.data.join("crl"), c.data.join("crl.away"));
    fs::rename(&crl, &away).unwrap();
    let o = c.run(&[
        "verify",
        renewed.to_str().unwrap(),
        "--offline",
        "--at",
        &rfc3339(later),
    ]);
    fs::rename(&away, &crl).unwrap();
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(text.contains("proof:      "), "{text}");
    assert!(text.contains("archive timestamp"), "{text}");
    assert!(text.contains("CRL embedded in the signature"), "{text}");
}

#[test]
fn fail_extend_offline_without_revocation_data_names_the_certificate_and_writes_nothing() {
    let (c, serving, tsa) = online();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    let (t, _) = sign(&c, &p12, "t", &["--tsa", &tsa]);
    drop(serving);
    let before = fs::read(&t).unwrap();
    let o = extend(&c, &[t.to_str().unwrap(), "--to", "LT", "--offline"]);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("no --crl or --ocsp file covers"),
        "{}",
        both(&o)
    );
    assert_eq!(fs::read(&t).unwrap(), before);

    // With the center's CRLs as files it works offline.
    ok(&c.run(&["ca", "crl"]));
    let o = extend(
        &c,
        &[
            t.to_str().unwrap(),
            "--to",
            "LT",
            "--offline",
            "--crl",
            c.data.join("crl/issuing.crl").to_str().unwrap(),
            "--crl",
            c.data.join("crl/root.crl").to_str().unwrap(),
            "--chain",
            c.root().to_str().unwrap(),
        ],
    );
    let summary: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(summary["crls_added"], 2, "{summary:#}");
    let (o, v) = verify_offline(&c, &t, OffsetDateTime::now_utc() + Duration::days(800));
    assert_code(&o, 0);
    assert_eq!(signatures(&v)["indication"], "TOTAL_PASSED", "{v:#}");
}

#[test]
fn ok_extend_folder_with_jobs_raises_each_signature_and_lists_the_one_that_fails() {
    let (c, serving, tsa) = online();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    let dir = c.path("archive");
    fs::create_dir_all(&dir).unwrap();
    let mut signed = Vec::new();
    for i in 0..3 {
        let (sig, _) = sign(&c, &p12, &format!("licence-{i}"), &["--tsa", &tsa]);
        let moved = dir.join(format!("licence-{i}.p7s"));
        fs::rename(&sig, &moved).unwrap();
        signed.push(moved);
    }
    let broken = dir.join("broken.p7s");
    fs::write(&broken, b"not a signature").unwrap();
    fs::write(dir.join("notes.txt"), b"not a signature file: skipped").unwrap();
    let o = extend(
        &c,
        &[
            dir.to_str().unwrap(),
            "--to",
            "LTA",
            "--tsa",
            &tsa,
            "--jobs",
            "2",
        ],
    );
    assert_code(&o, 69);
    let summary: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(summary["extended"], 3, "{summary:#}");
    let failed = summary["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{summary:#}");
    assert!(failed[0]["file"].as_str().unwrap().ends_with("broken.p7s"));
    assert_eq!(fs::read(&broken).unwrap(), b"not a signature");
    // Each new file was written beside the old one, flushed and renamed over it: nothing else
    // is left in the folder.
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "broken.p7s",
            "licence-0.p7s",
            "licence-1.p7s",
            "licence-2.p7s",
            "notes.txt"
        ]
    );
    drop(serving);
    for sig in &signed {
        let (o, v) = verify_offline(&c, sig, OffsetDateTime::now_utc() + Duration::days(800));
        assert_code(&o, 0);
        assert_eq!(
            signatures(&v)["proofs_of_existence"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "{v:#}"
        );
    }
}

/// `eds extend` says when the newest timestamp's TSA certificate ends within 90 days (add the
/// next archive timestamp before then) or has ended (a timestamp added now proves only from
/// now on), in text and as `proofs_ending` in --json; a fresh one says nothing.
#[test]
fn ok_extend_warns_when_the_newest_timestamps_tsa_certificate_ends() {
    let (c, _serving, tsa) = online();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    let (t, _) = sign(&c, &p12, "t", &["--tsa", &tsa]);
    let end = openssl_ok(&[
        "x509",
        "-enddate",
        "-noout",
        "-in",
        c.data.join("tsa.crt.pem").to_str().unwrap(),
    ]);
    let end = parse_openssl_time(end.trim().strip_prefix("notAfter=").unwrap());
    // The TSA certificate's subject as the verifier names it (RFC 4514, certificate order).
    let subject = format!(
        "CN={} TSA,C=KZ",
        serde_json::from_str::<Value>(&fs::read_to_string(c.data.join("center.json")).unwrap())
            .unwrap()["name"]
            .as_str()
            .unwrap()
    );

    // Today: nothing to say.
    let o = extend(
        &c,
        &[
            t.to_str().unwrap(),
            "--to",
            "T",
            "--out",
            c.path("t0.p7s").to_str().unwrap(),
        ],
    );
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["proofs_ending"], serde_json::json!([]), "{v:#}");

    // A month before the TSA certificate's end (`--to T` on a T signature adds nothing: only
    // the check runs).
    let soon = rfc3339(end - Duration::days(30));
    let o = c.run_env(
        &[
            "extend",
            t.to_str().unwrap(),
            "--to",
            "T",
            "--out",
            c.path("t1.p7s").to_str().unwrap(),
        ],
        &[("EDS_NOW", &soon)],
    );
    let err = stderr(&o);
    assert_code(&o, 0);
    assert!(
        err.contains("warning: signer 1: its newest timestamp (") && err.contains(&format!(
            ") is vouched for by its TSA certificate ({subject}) only until {}: add the next archive timestamp (`eds extend --to LTA`) before then",
            rfc3339(end)
        )),
        "{err}"
    );

    // After it: what is added now proves only from now on.
    let after = rfc3339(end + Duration::days(1));
    let o = c.run_env(
        &[
            "--json",
            "extend",
            t.to_str().unwrap(),
            "--to",
            "T",
            "--out",
            c.path("t2.p7s").to_str().unwrap(),
        ],
        &[("EDS_NOW", &after)],
    );
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    let lines = v["proofs_ending"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{v:#}");
    assert!(
        lines[0].as_str().unwrap().ends_with(&format!(
            "proves nothing any more: its TSA certificate ({subject}) ended at {}; what is added now proves the signature existed only from now on",
            rfc3339(end)
        )),
        "{v:#}"
    );
}
