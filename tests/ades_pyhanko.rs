//! A second, independent CAdES validator judges our T, LT and LTA signatures: pyHanko's
//! validation process for signatures with time (ETSI EN 319 102-1 §5.5), followed where it
//! allows by past signature validation (§5.6.2.4) with the proofs of existence of the signature
//! and archive timestamps (tests/pyhanko/validate.py), run offline over what the signature
//! carries, against `eds verify --offline` at the same moment.
//!
//! While the certificates are valid both reach the same verdict on LT, LTA and a tampered copy.
//! Where they differ, the test asserts each verdict and says why: the sub-indication for a T
//! signature without revocation data, and two years later, offline, pyHanko's NO_POE against our
//! PASSED (see the comments in the test). After the TSA's certificate expired both give
//! INDETERMINATE.
//!
//! pyHanko does not rebuild ETSI archive timestamps' (ATSv3) stamped data over a CMS
//! signature, so it judges an archive timestamp's token signature and TSA chain only; our
//! verifier checks what it covers besides (its tampering is tested in verifier/tests/ltv.rs
//! and tests/lt_cli.rs).
//!
//! pyHanko is installed by scripts/test into `target/pyhanko` (tests/pyhanko/requirements.txt);
//! EDS_PYHANKO_PYTHON names another interpreter that has it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use common::serving::online;
use common::*;

const DOC: &str = "{\"kind\":\"licence\",\"text\":\"Лицензия № KZ12LAA00000003\"}";

fn python() -> PathBuf {
    std::env::var_os("EDS_PYHANKO_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyhanko/bin/python3"),
        PathBuf::from,
    )
}

/// pyHanko's (indication, sub-indication) for `sig` at `at`, offline, and its message.
fn pyhanko(c: &Center, sig: &Path, at: OffsetDateTime) -> (String, Option<String>, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pyhanko/validate.py");
    let o = Command::new(python())
        .arg(script)
        .arg(sig)
        .arg(c.root())
        .arg(rfc3339(at))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "run {}: {e} (scripts/test installs pyHanko into target/pyhanko)",
                python().display()
            )
        });
    assert_code(&o, 0);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    let indication = match v["indication"].as_str().unwrap() {
        "PASSED" => "TOTAL_PASSED",
        "FAILED" => "TOTAL_FAILED",
        other => other,
    };
    (
        indication.to_owned(),
        v["sub_indication"].as_str().map(str::to_owned),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Ours: (indication, sub-indication) of the one signature of `sig` at `at`, offline.
fn ours(c: &Center, sig: &Path, at: OffsetDateTime) -> (String, Option<String>) {
    let o = c.run(&[
        "--json",
        "verify",
        sig.to_str().unwrap(),
        "--offline",
        "--at",
        &rfc3339(at),
    ]);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    let s = &v["signatures"][0];
    (
        s["indication"].as_str().unwrap().to_owned(),
        s["sub_indication"].as_str().map(str::to_owned),
    )
}

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
    ok(&c.run_env(&args, &[("EDS_KEY_PASSWORD", OWNER)]));
    out
}

fn extend(c: &Center, sig: &Path, to: &str, tsa: &str, out: &Path) {
    ok(&c.run(&[
        "extend",
        sig.to_str().unwrap(),
        "--to",
        to,
        "--tsa",
        tsa,
        "--out",
        out.to_str().unwrap(),
    ]));
}

/// Both validators at `at`: ours says `mine`, pyHanko `theirs` (the same, but where the
/// module's documentation explains why not).
fn judge(
    c: &Center,
    sig: &Path,
    at: OffsetDateTime,
    mine: (&str, Option<&str>),
    theirs: (&str, Option<&str>),
) {
    let got_theirs = pyhanko(c, sig, at);
    let got_mine = ours(c, sig, at);
    let name = sig.file_name().unwrap().to_string_lossy();
    assert_eq!(
        (got_mine.0.as_str(), got_mine.1.as_deref()),
        mine,
        "eds on {name} at {at}"
    );
    assert_eq!(
        (got_theirs.0.as_str(), got_theirs.1.as_deref()),
        theirs,
        "pyHanko on {name} at {at}: {}",
        got_theirs.2
    );
}

const PASSED: (&str, Option<&str>) = ("TOTAL_PASSED", None);

#[test]
fn ok_pyhanko_reaches_our_verdicts_on_lt_and_lta_and_tampering_and_differs_where_documented() {
    let (c, serving, tsa) = online();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));

    let t = sign(&c, &p12, "t", &["--tsa", &tsa]);
    let lt = sign(&c, &p12, "lt", &["--level", "LT", "--tsa", &tsa]);
    let lta = c.path("lta.p7s");
    extend(&c, &lt, "LTA", &tsa, &lta);
    // A byte of the signed content changed in an LT copy.
    let tampered = c.path("tampered.p7s");
    let mut der = fs::read(&lt).unwrap();
    let at = der
        .windows(DOC.len())
        .position(|w| w == DOC.as_bytes())
        .unwrap();
    der[at + 2] ^= 0x01;
    fs::write(&tampered, &der).unwrap();
    drop(serving);
    // Both judge what the signature carries: the center's published CRLs, which `--data
    // --offline` would use, are set aside.
    fs::rename(c.data.join("crl"), c.data.join("crl.away")).unwrap();

    // While every certificate is valid: the same verdicts.
    let now = OffsetDateTime::now_utc() + Duration::minutes(1);
    judge(&c, &lt, now, PASSED, PASSED);
    judge(&c, &lta, now, PASSED, PASSED);
    let hash = ("TOTAL_FAILED", Some("HASH_FAILURE"));
    judge(&c, &tampered, now, hash, hash);
    // T carries no revocation data: offline, neither can settle the signer's status. ETSI EN
    // 319 102-1 §5.2.5 names this TRY_LATER; pyHanko reports the path as failing.
    judge(
        &c,
        &t,
        now,
        ("INDETERMINATE", Some("TRY_LATER")),
        ("INDETERMINATE", Some("CERTIFICATE_CHAIN_GENERAL_FAILURE")),
    );

    // Two years later the officer's certificate has expired; the TSA's is valid ten years.
    // Offline, ours takes each timestamp with the CRLs the signature carries, issued after its
    // genTime (issue 13: verifiable offline with nothing else). pyHanko first wants the TSA's
    // status fresh at the validation time, which two-year-old CRLs are not, then proofs of
    // existence for the CRLs' issuer from before the officer's certificate expired, which no
    // timestamp it accepted gives, and stops at NO_POE.
    let later = OffsetDateTime::now_utc() + Duration::days(800);
    let no_poe = ("INDETERMINATE", Some("NO_POE"));
    judge(&c, &lt, later, PASSED, no_poe);
    judge(&c, &lta, later, PASSED, no_poe);
    judge(
        &c,
        &t,
        later,
        ("INDETERMINATE", Some("OUT_OF_BOUNDS_NO_POE")),
        ("INDETERMINATE", Some("CERTIFICATE_CHAIN_GENERAL_FAILURE")),
    );

    // Past the TSA's certificate (ETSI EN 319 102-1 §5.6.3), which ends with the issuing
    // center's: no token proves anything and neither passes; pyHanko names the expired chain.
    let end = openssl_ok(&[
        "x509",
        "-enddate",
        "-noout",
        "-in",
        c.data.join("tsa.crt.pem").to_str().unwrap(),
    ]);
    let end = end.trim().strip_prefix("notAfter=").unwrap();
    let past_tsa = parse_openssl_time(end) + Duration::days(1);
    judge(
        &c,
        &lta,
        past_tsa,
        ("INDETERMINATE", Some("OUT_OF_BOUNDS_NO_POE")),
        ("INDETERMINATE", Some("CERTIFICATE_CHAIN_GENERAL_FAILURE")),
    );
}
