//! NIST PKITS (fixtures/pkits) the way an outside judge runs it: every case through the `eds cert
//! verify` command, one process each, with the case's intermediates (`--untrusted`), all its CRLs
//! and the trust anchor's (`--crl`), the RFC 5280 §6.1.1 inputs the PKITS document gives for the
//! case (`--policy`, `--require-explicit-policy`, `--inhibit-policy-mapping`,
//! `--inhibit-any-policy`), offline, at 2015-01-01 (inside every certificate's validity).
//!
//! The library-level tests (verifier/tests/pkits.rs, verifier/tests/crl_scope.rs) call the path
//! validator and the revocation checker directly; this one goes through everything a user's
//! command goes through (argument parsing, file loading, the engine choosing CRLs for each
//! certificate of the path, the verdict and its exit code), and every certificate of the path is
//! checked for revocation, as PKITS expects.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::process::{Command, Output};

use eds_fixtures::pkits::{ANCHOR, ANCHOR_CRL, CASES, Case, cert_path, crl_path};

/// The DSA cases: valid in PKITS, refused here by algorithm policy (DSA is withdrawn by
/// FIPS 186-5): INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE, exit 2, never a forgery.
const DSA: [&str; 2] = ["40104", "40105"];

fn run(case: &Case) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eds"));
    cmd.args(["--json", "cert", "verify"])
        .arg(cert_path(case.ee))
        .arg("--trust")
        .arg(cert_path(ANCHOR))
        .args(["--offline", "--at", "2015-01-01T00:00:00Z"]);
    for inter in case.inters {
        cmd.arg("--untrusted").arg(cert_path(inter));
    }
    for crl in case.crls.iter().chain(std::iter::once(&ANCHOR_CRL)) {
        cmd.arg("--crl").arg(crl_path(crl));
    }
    for policy in case.policy_set {
        cmd.args(["--policy", policy]);
    }
    if case.explicit {
        cmd.arg("--require-explicit-policy");
    }
    if case.inhibit_mapping {
        cmd.arg("--inhibit-policy-mapping");
    }
    if case.inhibit_any {
        cmd.arg("--inhibit-any-policy");
    }
    // No data folder: the command must not fall back on a center.
    let dir = tempfile::tempdir().unwrap();
    cmd.current_dir(dir.path())
        .env_remove("EDS_DATA")
        .env_remove("EDS_REGISTER");
    cmd.output().unwrap()
}

/// `indication / sub_indication` of the report on standard output ("-" where there is none).
fn verdict(o: &Output) -> String {
    let v: serde_json::Value = match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(_) => return "-".to_owned(),
    };
    let field = |k: &str| v[k].as_str().map(str::to_owned);
    match (field("indication"), field("sub_indication")) {
        (Some(i), Some(s)) => format!("{i} / {s}"),
        (Some(i), None) => i,
        _ => "-".to_owned(),
    }
}

#[test]
fn every_pkits_case_through_eds_cert_verify_at_its_documented_result() {
    assert!(CASES.len() >= 240, "the suite lost cases: {}", CASES.len());
    let mut wrong = Vec::new();
    for case in CASES {
        let o = run(case);
        let code = o.status.code();
        let verdict = verdict(&o);
        let ok = if DSA.contains(&case.id) {
            code == Some(2) && verdict == "INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE"
        } else if case.valid {
            code == Some(0) && verdict == "TOTAL_PASSED"
        } else {
            // Not valid: a failure or an indeterminate verdict, never a pass, and never an
            // input or usage error (every file of the suite is well formed).
            matches!(code, Some(1 | 2)) && verdict != "TOTAL_PASSED" && verdict != "-"
        };
        if !ok {
            wrong.push(format!(
                "{} {} (expected {}): exit {code:?}, {verdict}; stderr: {}",
                case.id,
                case.ee,
                if case.valid { "valid" } else { "invalid" },
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} PKITS cases wrong through the CLI:\n{}",
        wrong.len(),
        CASES.len(),
        wrong.join("\n")
    );
}

/// The failures keep their reason: a revoked end entity is TOTAL_FAILED / REVOKED, a CA
/// whose CRL is missing or does not verify is unknown (try later), an end entity expired at the
/// validation time has EXPIRED.
#[test]
fn pkits_failures_name_their_reason_through_the_cli() {
    let expect = [
        ("40403", 1, "TOTAL_FAILED / REVOKED"),
        ("40402", 1, "TOTAL_FAILED / REVOKED"),
        ("40206", 1, "TOTAL_FAILED / EXPIRED"),
        ("40401", 2, "INDETERMINATE / TRY_LATER"),
        ("40404", 2, "INDETERMINATE / TRY_LATER"),
    ];
    for (id, code, want) in expect {
        let case = CASES.iter().find(|c| c.id == id).unwrap();
        let o = run(case);
        assert_eq!(
            (o.status.code(), verdict(&o).as_str()),
            (Some(code), want),
            "{id} {}: {}",
            case.ee,
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
