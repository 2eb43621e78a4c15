//! The licensing flow at CAdES-LT and LTA (issue 13, point 4): results and receipts are signed
//! at LT by default and LTA on request; a relying party verifies them offline on the day after
//! the signer's certificate expired (the TSA's is valid longer), with the center's CRL and OCSP
//! addresses unreachable (`--offline`, no `--crl`): they pass, judged at the time their
//! timestamps prove; after the TSA's certificate expired, they do not. A B-level
//! result does not (OUT_OF_BOUNDS_NO_POE), and a result the officer signed after the revocation
//! stays REVOKED. `eds extend` says when the revocation data it adds predates the signature
//! timestamp (ETSI EN 319 102-1 freshness).
//!
//! One demo (real clock) gives the center, the keys and an accepted application; `eds serve`
//! on its folder is the TSA for the CLI cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::serving::Serving;
use common::*;

const BODY_BIN: &str = "991240000003";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The demo's center and folder, and what it printed.
fn demo() -> (Center, PathBuf, Value) {
    let mut c = Center::new();
    c.now = None;
    let demo = ok_json(&c.run(&["--json", "demo"]));
    let dir = PathBuf::from(demo["data"].as_str().unwrap());
    (c, dir, demo)
}

/// `eds --json license verify FILE` in `dir` at `at`, offline with no CRL or OCSP file: the
/// center's published CRLs (which `--data --offline` would use) are set aside meanwhile, as if
/// the center had shut down.
fn verify_years_later(c: &Center, dir: &Path, file: &Path, at: &str) -> (Output, Value) {
    let (crl, away) = (dir.join("crl"), dir.join("crl.away"));
    std::fs::rename(&crl, &away).unwrap();
    let o = c.run(&[
        "--json",
        "license",
        "verify",
        s(file),
        "--data",
        s(dir),
        "--body-bin",
        BODY_BIN,
        "--offline",
        "--at",
        at,
    ]);
    std::fs::rename(&away, &crl).unwrap();
    let v = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    (o, v)
}

/// `eds --json license issue` (grant) of the demo's first application by the body's head,
/// with the demo's CRL files offline and `extra`.
fn issue(c: &Center, dir: &Path, out: &Path, extra: &[&str]) -> Output {
    let application = dir.join("application.json.p7s");
    let receipt = dir.join("receipt.json.p7s");
    let p12 = dir.join("body-head.p12");
    let issuing = dir.join("crl/issuing.crl");
    let root = dir.join("crl/root.crl");
    let mut args = vec![
        "--json",
        "license",
        "issue",
        "--data",
        s(dir),
        "--application",
        s(&application),
        "--receipt",
        s(&receipt),
        "--decision",
        "grant",
        "--p12",
        s(&p12),
        "--body-bin",
        BODY_BIN,
        "--out",
        s(out),
        "--offline",
        "--crl",
        s(&issuing),
        "--crl",
        s(&root),
    ];
    args.extend_from_slice(extra);
    c.run_env(
        &args,
        &[
            ("EDS_KEY_PASSWORD", OWNER),
            ("EDS_TSA_URL", ""),
            ("EDS_SIGN_LEVEL", ""),
        ],
    )
}

fn signature(v: &Value) -> &Value {
    &v["report"]["signatures"][0]
}

#[test]
fn ok_demo_lt_licence_verifies_offline_after_the_signers_certificate_expired() {
    let (c, dir, demo) = demo();
    let at = demo["licence_years_later"]["at"].as_str().unwrap();
    assert_eq!(demo["licence_years_later"]["indication"], "TOTAL_PASSED");
    let signer_expiry = demo["licence_years_later"]["signer_certificate_expiry"]
        .as_str()
        .unwrap();
    let tsa_expiry = demo["licence_years_later"]["tsa_certificate_expiry"]
        .as_str()
        .unwrap();
    assert!(at > signer_expiry && at < tsa_expiry, "{demo:#}");

    let (o, v) = verify_years_later(&c, &dir, &dir.join("licence.json.p7s"), at);
    assert_code(&o, 0);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["licensing_passed"], true, "{v:#}");
    let sig = signature(&v);
    assert_eq!(sig["time_basis"], "timestamp", "{v:#}");
    let proofs = sig["proofs_of_existence"].as_array().unwrap();
    assert_eq!(proofs.len(), 1, "{v:#}");
    assert_eq!(proofs[0]["proven_by"], "signature timestamp", "{v:#}");
    for used in sig["revocation_data"].as_array().unwrap() {
        assert_eq!(used["status"], "good", "{v:#}");
        assert!(
            used["source"].as_str().unwrap().contains("embedded"),
            "{v:#}"
        );
    }

    // The receipt is LT too.
    let o = c.run(&[
        "--json",
        "verify",
        s(&dir.join("receipt.json.p7s")),
        "--data",
        s(&dir),
        "--offline",
        "--at",
        at,
    ]);
    assert_code(&o, 0);

    // The licence the officer signed after the revocation carries the CRL that says so.
    let (o, v) = verify_years_later(&c, &dir, &dir.join("licence-after-revocation.json.p7s"), at);
    assert_code(&o, 1);
    assert_eq!(v["indication"], "TOTAL_FAILED", "{v:#}");
    assert_eq!(signature(&v)["sub_indication"], "REVOKED", "{v:#}");

    // A B-level result of the same application: nothing proves when it was signed.
    let b = c.path("licence-b.json.p7s");
    let o = issue(&c, &dir, &b, &["--level", "B"]);
    assert_eq!(ok_json(&o)["level"], "B");
    let (o, v) = verify_years_later(&c, &dir, &b, at);
    assert_code(&o, 2);
    assert_eq!(v["indication"], "INDETERMINATE", "{v:#}");
    assert_eq!(
        signature(&v)["sub_indication"],
        "OUT_OF_BOUNDS_NO_POE",
        "{v:#}"
    );

    // After the TSA's certificate expired, the LT licence's timestamp proves nothing (ETSI EN
    // 319 102-1 §5.6.3): the licence needed an archive timestamp before then.
    let after_tsa = rfc3339(common::at(tsa_expiry) + time::Duration::days(1));
    let (o, v) = verify_years_later(&c, &dir, &dir.join("licence.json.p7s"), &after_tsa);
    assert_code(&o, 2);
    assert_eq!(v["indication"], "INDETERMINATE", "{v:#}");
    let sig = signature(&v);
    assert_eq!(sig["sub_indication"], "OUT_OF_BOUNDS_NO_POE", "{v:#}");
    assert!(
        sig["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("eds extend --to LTA")),
        "{v:#}"
    );
}

#[test]
fn license_issue_is_lt_by_default_lta_on_request_and_extend_checks_freshness() {
    let (c, dir, demo) = demo();
    let at = demo["licence_years_later"]["at"]
        .as_str()
        .unwrap()
        .to_owned();
    let serving = Serving::listen(&c, "127.0.0.1:0", &["--data", s(&dir)]);
    let tsa = format!("{}/tsa", serving.url);

    // LT is the default, and it needs a TSA.
    let out = c.path("licence-no-tsa.json.p7s");
    let o = issue(&c, &dir, &out, &[]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains(
            "the body signs at CAdES-LT (the default is LT, so the document verifies years \
             later), which needs a timestamp: give --tsa URL (or EDS_TSA_URL), or --level B"
        ),
        "{}",
        both(&o)
    );
    assert!(!out.exists());

    let lt = c.path("licence-lt.json.p7s");
    let o = issue(&c, &dir, &lt, &["--tsa", &tsa]);
    assert_eq!(ok_json(&o)["level"], "LT");
    // The demo's CRLs are older than this timestamp: said, with what to do.
    assert!(
        stderr(&o).contains("warning: the CRL of ")
            && stderr(&o).contains("not after the signature timestamp")
            && stderr(&o).contains("run `eds extend --to LT` again"),
        "{}",
        both(&o)
    );
    let lta = c.path("licence-lta.json.p7s");
    let o = issue(&c, &dir, &lta, &["--tsa", &tsa, "--level", "LTA"]);
    assert_eq!(ok_json(&o)["level"], "LTA");

    // The receipt of `eds submission check` is LT by default too.
    let receipt = c.path("receipt-lt.json.p7s");
    let o = c.run_env(
        &[
            "--json",
            "submission",
            "check",
            s(&dir.join("application.json.p7s")),
            "--data",
            s(&dir),
            "--p12",
            s(&dir.join("body-head.p12")),
            "--receipt-out",
            s(&receipt),
            "--offline",
            "--crl",
            s(&dir.join("crl/issuing.crl")),
            "--crl",
            s(&dir.join("crl/root.crl")),
            "--tsa",
            &tsa,
        ],
        &[("EDS_KEY_PASSWORD", OWNER), ("EDS_SIGN_LEVEL", "")],
    );
    assert_eq!(ok_json(&o)["level"], "LT");

    // A T-level result, extended to LT once with the old CRLs (not fresh: said) and once with
    // CRLs the center issues after the timestamp (fresh: nothing said).
    let t = c.path("licence-t.json.p7s");
    let o = issue(&c, &dir, &t, &["--tsa", &tsa, "--level", "T"]);
    assert_eq!(ok_json(&o)["level"], "T");
    drop(serving);
    let extend = |out: &Path| {
        c.run(&[
            "--json",
            "extend",
            s(&t),
            "--to",
            "LT",
            "--out",
            s(out),
            "--offline",
            "--crl",
            s(&dir.join("crl/issuing.crl")),
            "--crl",
            s(&dir.join("crl/root.crl")),
        ])
    };
    let stale = extend(&c.path("licence-t-stale.p7s"));
    let summary = ok_json(&stale);
    let not_fresh = summary["not_fresh"].as_array().unwrap();
    assert_eq!(not_fresh.len(), 2, "{summary:#}");
    assert!(
        not_fresh[0]
            .as_str()
            .unwrap()
            .contains("not after the signature timestamp"),
        "{summary:#}"
    );
    // CRLs are dated to the second: the next ones come a second after the timestamp at least.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(&c.run(&["ca", "crl", "--data", s(&dir)]));
    let fresh = c.path("licence-t-fresh.p7s");
    let o = extend(&fresh);
    let summary = ok_json(&o);
    assert_eq!(summary["not_fresh"], serde_json::json!([]), "{summary:#}");
    assert!(!stderr(&o).contains("warning"), "{}", both(&o));

    // Years later, offline, the center gone: every level from LT up passes.
    for (file, proofs) in [(&lt, 1), (&lta, 2), (&fresh, 1)] {
        let (o, v) = verify_years_later(&c, &dir, file, &at);
        assert_code(&o, 0);
        assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");
        assert_eq!(
            signature(&v)["proofs_of_existence"]
                .as_array()
                .unwrap()
                .len(),
            proofs,
            "{v:#}"
        );
    }
    let o = c.run(&[
        "--json",
        "verify",
        s(&receipt),
        "--data",
        s(&dir),
        "--offline",
        "--at",
        &at,
    ]);
    assert_code(&o, 0);
}
