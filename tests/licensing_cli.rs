//! The licensing flow through the `eds` binary: `eds demo` runs, its application, receipt and
//! licence verify with OpenSSL; `eds submission check` refuses the wrong signers with the exact
//! reason (another person's IIN, an employee without signing right, another legal entity's
//! BIN); `eds license issue` refuses an officer of another body and an application without its
//! receipt; `eds license verify` fails a tampered licence (exit 1), a licence signed after the
//! officer's revocation (exit 1, REVOKED) and a licence of another body (exit 3).
//!
//! One demo runs for the whole file (real clock: the demo dates its steps in the minutes
//! before now); the wrong signers get their certificates from the demo's center with
//! `eds ca issue`. Verification is offline on the center's CRL files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::{Value, json};

use common::*;

const BODY_BIN: &str = "991240000003";

struct Setup {
    center: Center,
    dir: PathBuf,
    demo: Value,
    /// PKCS#12 of the extra signers: employee, other-person, other-entity-head.
    extra: std::collections::BTreeMap<&'static str, PathBuf>,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let mut center = Center::new();
        center.now = None;
        let demo = ok_json(&center.run(&["--json", "demo"]));
        let dir = PathBuf::from(demo["data"].as_str().unwrap());
        let mut extra = std::collections::BTreeMap::new();
        for name in ["employee", "other-person", "other-entity-head"] {
            let out = center.path(&format!("extra-{name}"));
            let o = center.run(&[
                "--json",
                "ca",
                "issue",
                "--data",
                dir.to_str().unwrap(),
                fixture(&format!("demo/requests/{name}.json"))
                    .to_str()
                    .unwrap(),
                "--generate-key",
                "--out-dir",
                out.to_str().unwrap(),
            ]);
            let v = ok_json(&o);
            extra.insert(name, PathBuf::from(v["files"]["pkcs12"].as_str().unwrap()));
        }
        Setup {
            center,
            dir,
            demo,
            extra,
        }
    })
}

impl Setup {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn tmp(&self, name: &str) -> PathBuf {
        self.center.path(name)
    }

    /// `eds` with the demo's data folder, its CRLs offline, and the key password.
    fn run(&self, args: &[&str]) -> Output {
        let data = path_str(&self.dir);
        let issuing = path_str(&self.dir.join("crl/issuing.crl"));
        let root = path_str(&self.dir.join("crl/root.crl"));
        let mut all: Vec<&str> = args.to_vec();
        all.extend([
            "--data",
            &data,
            "--offline",
            "--crl",
            &issuing,
            "--crl",
            &root,
        ]);
        // The body signs at B here: no TSA runs (tests/licensing_lt.rs covers LT and LTA).
        self.center.run_env(
            &all,
            &[("EDS_KEY_PASSWORD", OWNER), ("EDS_SIGN_LEVEL", "B")],
        )
    }

    /// Signs `content` (canonical JSON) with a PKCS#12 through `eds sign`.
    fn sign(&self, p12: &Path, content: &Path, out: &Path) {
        ok(&self.center.run_env(
            &[
                "sign",
                "--p12",
                &path_str(p12),
                "--in",
                &path_str(content),
                "--out",
                &path_str(out),
            ],
            &[("EDS_KEY_PASSWORD", OWNER)],
        ));
    }

    fn submission(&self, signed: &Path, receipt_out: &Path) -> Output {
        self.run(&[
            "submission",
            "check",
            &path_str(signed),
            "--p12",
            &path_str(&self.file("body-head.p12")),
            "--receipt-out",
            &path_str(receipt_out),
        ])
    }

    fn issue(&self, application: &Path, receipt: &Path, p12: &Path, out: &Path) -> Output {
        self.run(&[
            "license",
            "issue",
            "--application",
            &path_str(application),
            "--receipt",
            &path_str(receipt),
            "--decision",
            "grant",
            "--p12",
            &path_str(p12),
            "--body-bin",
            BODY_BIN,
            "--out",
            &path_str(out),
        ])
    }
}

fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

/// Asserts a refusal: exit 3, the exact `error:` line, and a `hint:` line.
#[track_caller]
fn assert_refused(o: &Output, error_line: &str) {
    assert_code(o, 3);
    let err = stderr(o);
    assert!(
        err.lines().any(|l| l == format!("error: {error_line}")),
        "expected `error: {error_line}` in:\n{err}"
    );
    assert!(err.lines().any(|l| l.starts_with("hint: ")), "{err}");
}

#[test]
fn demo_runs_and_its_documents_verify_with_openssl() {
    let s = setup();
    assert_eq!(s.demo["licence"]["indication"], "TOTAL_PASSED");
    assert_eq!(s.demo["licence"]["licensing_passed"], true);
    assert_eq!(
        s.demo["licence_after_revocation"]["indication"],
        "TOTAL_FAILED"
    );
    assert_eq!(
        s.demo["licence_after_revocation"]["sub_indication"],
        "REVOKED"
    );
    assert!(s.demo["refused_minor_iin"].as_str().unwrap().len() == 12);
    let root = s.file("root.crt.pem");
    for (name, content) in [
        ("application.json.p7s", Some("application.json")),
        (
            "application-legal-entity.json.p7s",
            Some("application-legal-entity.json"),
        ),
        ("receipt.json.p7s", None),
        ("receipt-legal-entity.json.p7s", None),
        ("licence.json.p7s", Some("licence.json")),
    ] {
        let out = s.tmp(&format!("openssl-{name}.out"));
        let o = openssl(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            &path_str(&s.file(name)),
            "-CAfile",
            &path_str(&root),
            "-purpose",
            "any",
            "-out",
            &path_str(&out),
        ]);
        assert_code(&o, 0);
        assert!(
            stderr(&o).contains("Verification successful"),
            "{name}: {}",
            stderr(&o)
        );
        // What OpenSSL took out is the canonical document the demo left beside it.
        if let Some(content) = content {
            assert_eq!(fs::read(&out).unwrap(), fs::read(s.file(content)).unwrap());
        }
    }
}

#[test]
fn submission_accepts_the_applicant_and_writes_a_receipt_openssl_verifies() {
    let s = setup();
    let receipt = s.tmp("receipt-accepted.json.p7s");
    let o = s.submission(&s.file("application.json.p7s"), &receipt);
    let out = ok(&o);
    assert!(
        out.starts_with("accepted application KZ34LAB00000077 (crypto-development-licence) from IIN 850312400009"),
        "{out}"
    );
    assert!(out.contains("term 15 working days; due "), "{out}");
    let o = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &path_str(&receipt),
        "-CAfile",
        &path_str(&s.file("root.crt.pem")),
        "-purpose",
        "any",
    ]);
    assert_code(&o, 0);
    let receipt: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(receipt["kind"], "receipt");
    assert_eq!(receipt["application_number"], "KZ34LAB00000077");
    assert_eq!(receipt["sender"]["iin"], "850312400009");
    assert_eq!(receipt["receiver"]["bin"], BODY_BIN);
}

#[test]
fn another_persons_iin_is_refused() {
    let s = setup();
    let signed = s.tmp("app-other-person.p7s");
    s.sign(
        &s.extra["other-person"],
        &s.file("application.json"),
        &signed,
    );
    let receipt = s.tmp("receipt-other-person.p7s");
    let o = s.submission(&signed, &receipt);
    assert_refused(
        &o,
        "refused (signer-not-applicant): the signer's IIN is 880602300054, not the applicant's IIN 850312400009",
    );
    assert!(!receipt.exists(), "no receipt for a refused application");
}

#[test]
fn an_employee_without_signing_right_is_refused() {
    let s = setup();
    let signed = s.tmp("app-employee.p7s");
    s.sign(
        &s.extra["employee"],
        &s.file("application-legal-entity.json"),
        &signed,
    );
    let o = s.submission(&signed, &s.tmp("receipt-employee.p7s"));
    assert_refused(
        &o,
        "refused (no-signing-right): the signer (IIN 920315400040) acts for BIN 150540000007 with roles [legal-entity, employee], without the right to sign for it (first head or signing right)",
    );
}

#[test]
fn another_legal_entitys_bin_is_refused() {
    let s = setup();
    let signed = s.tmp("app-other-entity.p7s");
    s.sign(
        &s.extra["other-entity-head"],
        &s.file("application-legal-entity.json"),
        &signed,
    );
    let o = s.submission(&signed, &s.tmp("receipt-other-entity.p7s"));
    assert_refused(
        &o,
        "refused (signer-not-of-applicant): the signer acts for BIN 080540001238, not for the applicant's BIN 150540000007",
    );
}

#[test]
fn a_failed_signature_is_refused_with_the_verifiers_reason() {
    let s = setup();
    // Signed by the revoked officer after the revocation: the verifier says REVOKED.
    let signed = s.tmp("app-by-revoked.p7s");
    s.sign(&s.file("officer.p12"), &s.file("application.json"), &signed);
    let o = s.submission(&signed, &s.tmp("receipt-revoked.p7s"));
    assert_code(&o, 3);
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "error: refused (signature-not-valid): the application's signature did not pass: TOTAL_FAILED / REVOKED — "
        ),
        "{err}"
    );
}

#[test]
fn an_officer_of_another_body_is_refused() {
    let s = setup();
    let out = s.tmp("licence-other-body.p7s");
    let o = s.issue(
        &s.file("application.json.p7s"),
        &s.file("receipt.json.p7s"),
        &s.extra["other-entity-head"],
        &out,
    );
    assert_refused(
        &o,
        "refused (officer-not-of-body): the officer acts for BIN 080540001238, not for the licensing body's BIN 991240000003",
    );
    assert!(!out.exists());
    // The body's own employee without signing right is no better (tested in eds-profile);
    // a revoked officer's licence is not handed out either.
    let o = s.issue(
        &s.file("application.json.p7s"),
        &s.file("receipt.json.p7s"),
        &s.file("officer.p12"),
        &out,
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with("error: refused (officer-certificate-not-valid): "),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn issue_without_an_accepted_application_is_refused() {
    let s = setup();
    let out = s.tmp("licence-not-accepted.p7s");
    let body = s.file("body-head.p12");
    // The receipt of another application.
    let o = s.issue(
        &s.file("application.json.p7s"),
        &s.file("receipt-legal-entity.json.p7s"),
        &body,
        &out,
    );
    assert_refused(
        &o,
        "refused (application-not-accepted): the receipt acknowledges application KZ12LAA00012345, not KZ34LAB00000077",
    );
    // No receipt at all: the application itself given as one.
    let o = s.issue(
        &s.file("application.json.p7s"),
        &s.file("application.json.p7s"),
        &body,
        &out,
    );
    assert_refused(
        &o,
        "refused (application-not-accepted): the receipt file holds a application document, not a receipt",
    );
    // A "receipt" the applicant signed herself is not the body's.
    let fake = s.tmp("fake-receipt.p7s");
    let receipt_json = s.tmp("receipt.json");
    let o = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &path_str(&s.file("receipt.json.p7s")),
        "-CAfile",
        &path_str(&s.file("root.crt.pem")),
        "-purpose",
        "any",
        "-out",
        &path_str(&receipt_json),
    ]);
    assert_code(&o, 0);
    s.sign(&s.file("individual.p12"), &receipt_json, &fake);
    let o = s.issue(&s.file("application.json.p7s"), &fake, &body, &out);
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (application-not-accepted): the receipt is not signed by the licensing body: the officer acts for BIN (none)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn issue_then_verify_passes_and_a_refusal_needs_a_ground_of_the_service() {
    let s = setup();
    let out = s.tmp("licence-by-head.p7s");
    let o = s.issue(
        &s.file("application.json.p7s"),
        &s.file("receipt.json.p7s"),
        &s.file("body-head.p12"),
        &out,
    );
    let text = ok(&o);
    assert!(
        text.starts_with("issued a licence for application KZ34LAB00000077 (CAdES-B) → "),
        "{text}"
    );
    let o = s.run(&["license", "verify", &path_str(&out), "--body-bin", BODY_BIN]);
    let text = ok(&o);
    for line in [
        "  Licence number:          L-KZ34LAB00000077",
        "    IIN:                     850312400009",
        "  [ok  ] authorised-officer   signed by IIN 720609300020 for BIN 991240000003 (legal-entity, first-head)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(text.contains("\nverdict: TOTAL_PASSED"), "{text}");

    // Another body's BIN: the signature passes, the licensing checks do not: exit 3.
    let o = s.run(&[
        "--json",
        "license",
        "verify",
        &path_str(&out),
        "--body-bin",
        "080540001238",
    ]);
    assert_code(&o, 3);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["indication"], "TOTAL_PASSED");
    assert_eq!(v["licensing_passed"], false);

    // A ground of another service's list.
    let o = s.run(&[
        "license",
        "issue",
        "--application",
        &path_str(&s.file("application.json.p7s")),
        "--receipt",
        &path_str(&s.file("receipt.json.p7s")),
        "--decision",
        "refuse",
        "--ground",
        "national-security-harm",
        "--p12",
        &path_str(&s.file("body-head.p12")),
        "--body-bin",
        BODY_BIN,
        "--out",
        &path_str(&s.tmp("refusal.p7s")),
    ]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (ground-not-of-service): national-security-harm is not a refusal ground of crypto-development-licence"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn verify_fails_a_tampered_licence_and_one_signed_after_revocation() {
    let s = setup();
    let mut der = fs::read(s.file("licence.json.p7s")).unwrap();
    let at = der
        .windows(6)
        .position(|w| w == b"Astana")
        .expect("the place of issue is in the signed content");
    der[at + 5] = b'b';
    let tampered = s.tmp("licence-tampered.p7s");
    fs::write(&tampered, &der).unwrap();
    let o = s.run(&[
        "--json",
        "license",
        "verify",
        &path_str(&tampered),
        "--body-bin",
        BODY_BIN,
    ]);
    assert_code(&o, 1);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["indication"], "TOTAL_FAILED");
    assert_eq!(
        v["report"]["signatures"][0]["sub_indication"],
        "HASH_FAILURE"
    );

    // A usage error is not a verdict: 64, as `eds verify`.
    assert_code(&s.run(&["license", "verify", "--no-such-flag"]), 64);

    let o = s.run(&[
        "license",
        "verify",
        &path_str(&s.file("licence-after-revocation.json.p7s")),
        "--body-bin",
        BODY_BIN,
    ]);
    assert_code(&o, 1);
    assert!(
        stdout(&o).contains("\nverdict: TOTAL_FAILED / REVOKED — "),
        "{}",
        stdout(&o)
    );
}

/// Every shipped application (`fixtures/documents`), signed by its applicant, is accepted and
/// answered with the result kind of its service, which a relying party verifies.
#[test]
fn every_service_gets_its_result_kind() {
    let s = setup();
    for (file, kind) in [
        ("application-individual.json", "licence"),
        ("application-legal-entity.json", "licence"),
        (
            "application-notification.json",
            "notification-registration-decision",
        ),
        ("application-sale-permit.json", "sale-permit"),
        (
            "application-technical-study.json",
            "technical-study-conclusion",
        ),
        ("application-trade-permit.json", "trade-permit"),
        ("reissue-application-individual.json", "reissued-licence"),
        ("reissue-application-legal-entity.json", "reissued-licence"),
    ] {
        let text = fs::read(fixture(&format!("documents/{file}"))).unwrap();
        let doc = eds_profile::documents::Document::from_json(&text).unwrap();
        let canonical = s.tmp(&format!("every-{file}"));
        fs::write(&canonical, doc.canonical_bytes().unwrap()).unwrap();
        let signer = match doc.recipient_id() {
            eds_profile::documents::PartyId::Iin(_) => s.file("individual.p12"),
            eds_profile::documents::PartyId::Bin(_) => s.file("head.p12"),
        };
        let signed = s.tmp(&format!("every-{file}.p7s"));
        s.sign(&signer, &canonical, &signed);
        let receipt = s.tmp(&format!("every-{file}.receipt.p7s"));
        ok(&s.submission(&signed, &receipt));
        let out = s.tmp(&format!("every-{file}.result.p7s"));
        let text = ok(&s.issue(&signed, &receipt, &s.file("body-head.p12"), &out));
        assert!(
            text.starts_with(&format!("issued a {kind} for application ")),
            "{file}: {text}"
        );
        let o = s.run(&[
            "--json",
            "license",
            "verify",
            &path_str(&out),
            "--body-bin",
            BODY_BIN,
        ]);
        let v = ok_json(&o);
        assert_eq!(v["document"]["kind"], kind, "{file}");
        assert_eq!(v["licensing_passed"], true, "{file}");
        assert_eq!(
            v["document"]["application_number"],
            doc.application_number().as_str(),
            "{file}"
        );
        match kind {
            // Service 5: the legal address (the applicant's location), not the warehouse of
            // the actual address; no invented validity for a permanent import.
            "trade-permit" => {
                assert_eq!(
                    v["document"]["recipient_address"]["building"], "55/1, office 12",
                    "{v:#}"
                );
                assert_eq!(v["document"].get("valid_until"), None, "{v:#}");
            }
            // Service 7: the validity is item 6 of the notification.
            "notification-registration-decision" => {
                assert_eq!(v["document"]["notification_valid_until"], "2031-04-30");
            }
            _ => {}
        }
    }
}

#[test]
fn a_tampered_or_detached_application_is_refused() {
    let s = setup();
    let mut der = fs::read(s.file("application.json.p7s")).unwrap();
    let at = der
        .windows(5)
        .position(|w| w == b"Abai ")
        .expect("the address is in the signed content");
    der[at] = b'O';
    let tampered = s.tmp("application-tampered.p7s");
    fs::write(&tampered, &der).unwrap();
    let o = s.submission(&tampered, &s.tmp("receipt-tampered.p7s"));
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (signature-not-valid): the application's signature did not pass: TOTAL_FAILED / HASH_FAILURE — "
        ),
        "{}",
        stderr(&o)
    );

    let detached = s.tmp("application-detached.p7s");
    ok(&s.center.run_env(
        &[
            "sign",
            "--detached",
            "--p12",
            &path_str(&s.file("individual.p12")),
            "--in",
            &path_str(&s.file("application.json")),
            "--out",
            &path_str(&detached),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    ));
    let o = s.submission(&detached, &s.tmp("receipt-detached.p7s"));
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with("error: refused (signature-not-valid): "),
        "a detached signature without its content cannot pass: {}",
        stderr(&o)
    );
}

#[test]
fn license_verify_of_an_application_fails_the_licensing_checks() {
    let s = setup();
    let o = s.run(&[
        "--json",
        "license",
        "verify",
        &path_str(&s.file("application.json.p7s")),
        "--body-bin",
        BODY_BIN,
    ]);
    assert_code(&o, 3);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["indication"], "TOTAL_PASSED");
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        ["kind-of-service", "provider", "authorised-officer"]
    );
}

/// An application arriving after 19:00 in Kazakhstan (after working hours) registers on the next
/// working day, and the term counts from there.
#[test]
fn an_application_after_hours_registers_on_the_next_working_day() {
    let s = setup();
    // The first instant from a minute on between 19:00 and 24:00 in Kazakhstan (14:00-19:00
    // UTC): at most 19 hours away, inside the demo CRLs' 24 hours.
    let soon = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        + time::Duration::minutes(1);
    let arrival = if (14..18).contains(&soon.hour()) {
        soon
    } else if soon.hour() < 14 {
        soon.replace_time(time::macros::time!(14:30))
    } else {
        soon.replace_time(time::macros::time!(14:30)) + time::Duration::days(1)
    };
    let receipt = s.tmp("receipt-after-hours.p7s");
    let o = s.center.run_env(
        &[
            "--json",
            "submission",
            "check",
            &path_str(&s.file("application.json.p7s")),
            "--p12",
            &path_str(&s.file("body-head.p12")),
            "--receipt-out",
            &path_str(&receipt),
            "--data",
            &path_str(&s.dir),
            "--offline",
            "--crl",
            &path_str(&s.dir.join("crl/issuing.crl")),
            "--crl",
            &path_str(&s.dir.join("crl/root.crl")),
        ],
        &[
            ("EDS_KEY_PASSWORD", OWNER),
            ("EDS_NOW", &rfc3339(arrival)),
            ("EDS_SIGN_LEVEL", "B"),
        ],
    );
    let v = ok_json(&o);
    let local_day = arrival.to_offset(eds_profile::calendar::KZ_OFFSET).date();
    let local = arrival.to_offset(eds_profile::calendar::KZ_OFFSET);
    assert!(local.hour() >= 19, "{local}");
    assert_eq!(
        v["receipt"]["received_at"],
        local
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    );
    let calendar = eds_profile::calendar::Calendar::embedded().unwrap();
    let registered = v["receipt"]["registered_on"].as_str().unwrap();
    assert_eq!(
        registered,
        calendar.next_working_day(local_day).unwrap().to_string(),
        "{v:#}"
    );
    assert_eq!(v["deadline"]["registered_on"], registered);
    let registered_day = calendar.next_working_day(local_day).unwrap();
    assert_eq!(
        v["deadline"]["due"],
        calendar
            .add_working_days(registered_day, 15)
            .unwrap()
            .to_string()
    );
}

/// Paragraph 5 of the rules of services 1–3 (the reviewer's late-reissue probe): a reissue
/// applied for 44 days after the changes is accepted (lateness is not among the refusal grounds)
/// and flagged `late_reissue`; the fixture's own, 14 days after, is not flagged.
#[test]
fn reissue_paragraph5_late_application_is_flagged_through_the_cli() {
    let s = setup();
    for (filled, late) in [("2026-06-15", None), ("2026-07-15", Some(44))] {
        let text = fs::read(fixture("documents/reissue-application-legal-entity.json")).unwrap();
        let mut v: Value = serde_json::from_slice(&text).unwrap();
        v["filled_on"] = json!(filled);
        let doc = eds_profile::documents::Document::from_json(v.to_string().as_bytes()).unwrap();
        let canonical = s.tmp(&format!("late-reissue-{filled}.json"));
        fs::write(&canonical, doc.canonical_bytes().unwrap()).unwrap();
        let signed = s.tmp(&format!("late-reissue-{filled}.json.p7s"));
        s.sign(&s.file("head.p12"), &canonical, &signed);
        let receipt = s.tmp(&format!("late-reissue-{filled}.receipt.p7s"));
        let o = s.run(&[
            "--json",
            "submission",
            "check",
            &path_str(&signed),
            "--p12",
            &path_str(&s.file("body-head.p12")),
            "--receipt-out",
            &path_str(&receipt),
        ]);
        let out = ok_json(&o);
        assert_eq!(out["accepted"], true);
        match late {
            None => assert_eq!(out["late_reissue"], Value::Null, "{out:#}"),
            Some(days) => assert_eq!(
                out["late_reissue"],
                json!({"changes_on": "2026-06-01", "filled_on": filled, "days": days}),
                "{out:#}"
            ),
        }
    }
}

/// The reviewer's probe: a division ground (reissue on division only) on a first application
/// is refused, exit 3, and nothing is written.
#[test]
fn division_ground_on_a_first_application_refused() {
    let s = setup();
    let out = s.tmp("refusal-division.p7s");
    let o = s.run(&[
        "license",
        "issue",
        "--application",
        &path_str(&s.file("application.json.p7s")),
        "--receipt",
        &path_str(&s.file("receipt.json.p7s")),
        "--decision",
        "refuse",
        "--ground",
        "division-already-reissued",
        "--p12",
        &path_str(&s.file("body-head.p12")),
        "--body-bin",
        BODY_BIN,
        "--out",
        &path_str(&out),
    ]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (ground-not-for-procedure): division-already-reissued concerns only \
             the reissue of a licence on division; application KZ"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// Runs `eds license issue --decision refuse --ground qualification-requirements-not-met` on the
/// setup's application, with `extra` arguments.
fn refuse_substantively(s: &Setup, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "license".to_owned(),
        "issue".to_owned(),
        "--application".to_owned(),
        path_str(&s.file("application.json.p7s")),
        "--receipt".to_owned(),
        path_str(&s.file("receipt.json.p7s")),
        "--decision".to_owned(),
        "refuse".to_owned(),
        "--ground".to_owned(),
        "qualification-requirements-not-met".to_owned(),
        "--p12".to_owned(),
        path_str(&s.file("body-head.p12")),
        "--body-bin".to_owned(),
        BODY_BIN.to_owned(),
        "--out".to_owned(),
        path_str(out),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    s.run(&args)
}

/// Paragraph 4 of the rules (the reviewer's probe): a substantive refusal without the hearing
/// is refused, exit 3, nothing written; after a signed hearing notice sent in time on the same
/// application and ground, and the hearing held, the refusal is issued.
#[test]
fn substantive_refusal_needs_the_hearing_first() {
    let s = setup();
    let out = s.tmp("refusal-no-hearing.p7s");
    let o = refuse_substantively(s, &out, &[]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (hearing-required): QualificationRequirementsNotMet is a substantive \
             ground: the refusal follows a preliminary decision and a hearing (paragraph 4 of the \
             rules); give the signed hearing notice"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // The notice: the setup's application (KZ34LAB00000077), the same ground, sent
    // 2 November 2026, hearing on 3 November, the term ending 20 November.
    let mut notice: Value =
        serde_json::from_slice(&fs::read(fixture("documents/hearing-notice.json")).unwrap())
            .unwrap();
    notice["issued_on"] = json!("2026-11-02");
    notice["hearing_at"] = json!("2026-11-03T11:00:00+05:00");
    notice["term_ends_on"] = json!("2026-11-20");
    let sign_notice = |notice: &Value, name: &str| {
        let doc =
            eds_profile::documents::Document::from_json(notice.to_string().as_bytes()).unwrap();
        let canonical = s.tmp(&format!("{name}.json"));
        fs::write(&canonical, doc.canonical_bytes().unwrap()).unwrap();
        let signed = s.tmp(&format!("{name}.json.p7s"));
        s.sign(&s.file("body-head.p12"), &canonical, &signed);
        signed
    };
    // A notice of another application does not count.
    let mut another = notice.clone();
    another["application_number"] = json!("KZ12LAA00012345");
    let o = refuse_substantively(
        s,
        &s.tmp("refusal-another.p7s"),
        &[
            "--hearing-notice",
            &path_str(&sign_notice(&another, "notice-another")),
        ],
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (hearing-required): the hearing notice concerns application \
             KZ12LAA00012345, not KZ34LAB00000077"
        ),
        "{}",
        stderr(&o)
    );
    notice["application_number"] = json!("KZ34LAB00000077");
    let signed = sign_notice(&notice, "hearing-notice");
    // The notice alone is not enough: the result follows the hearing, so its record.
    let out = s.tmp("refusal-after-hearing.p7s");
    let o = refuse_substantively(s, &out, &["--hearing-notice", &path_str(&signed)]);
    assert_code(&o, 3);
    assert_eq!(
        stderr(&o).lines().next().unwrap_or_default(),
        "error: refused (hearing-record-required): a refusal on \
         qualification-requirements-not-met follows the hearing's outcome (paragraph 4 of the \
         rules): give the signed record of the hearing on notice H-2026-0002 with \
         --hearing-record (`eds license hearing-record`, with --applicant-did-not-appear when \
         the applicant did not come)"
    );
    assert!(!out.exists());
    // The record of the hearing held on 3 November, the ground maintained: the refusal follows.
    let mut record: Value =
        serde_json::from_slice(&fs::read(fixture("documents/hearing-record.json")).unwrap())
            .unwrap();
    record["notice_number"] = json!("H-2026-0002");
    record["held_at"] = json!("2026-11-03T11:00:00+05:00");
    record["issued_on"] = json!("2026-11-03");
    let signed_record = sign_notice(&record, "hearing-record");
    let o = refuse_substantively(
        s,
        &out,
        &[
            "--hearing-notice",
            &path_str(&signed),
            "--hearing-record",
            &path_str(&signed_record),
        ],
    );
    let text = ok(&o);
    assert!(
        text.starts_with("issued a refusal for application "),
        "{text}"
    );
    assert!(out.exists());
    // A record of another notice of the same application does not count.
    record["notice_number"] = json!("H-2026-0099");
    let foreign_record = sign_notice(&record, "hearing-record-other-notice");
    let out = s.tmp("refusal-other-record.p7s");
    let o = refuse_substantively(
        s,
        &out,
        &[
            "--hearing-notice",
            &path_str(&signed),
            "--hearing-record",
            &path_str(&foreign_record),
        ],
    );
    assert_code(&o, 3);
    assert_eq!(
        stderr(&o).lines().next().unwrap_or_default(),
        "error: refused (hearing-record-mismatch): the hearing record is of notice H-2026-0099, \
         not of notice H-2026-0002"
    );
    assert!(!out.exists());

    // A notice of the same application on another ground does not cover this one.
    notice["preliminary_grounds"] = json!(["licence-fee-not-paid"]);
    let other = sign_notice(&notice, "notice-other-ground");
    let o = refuse_substantively(
        s,
        &s.tmp("refusal-other.p7s"),
        &["--hearing-notice", &path_str(&other)],
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (hearing-required): QualificationRequirementsNotMet was not among the \
             grounds of the preliminary decision"
        ),
        "{}",
        stderr(&o)
    );
}

/// Runs `eds license hearing-notice` on the setup's application with `grounds`, the hearing at
/// `hearing_at`, writing `out`.
fn hearing_notice(s: &Setup, out: &Path, grounds: &[&str], hearing_at: &str) -> Output {
    let mut args = vec![
        "license".to_owned(),
        "hearing-notice".to_owned(),
        "--application".to_owned(),
        path_str(&s.file("application.json.p7s")),
        "--receipt".to_owned(),
        path_str(&s.file("receipt.json.p7s")),
        "--hearing-at".to_owned(),
        hearing_at.to_owned(),
        "--hearing-place".to_owned(),
        "Astana, video link".to_owned(),
        "--p12".to_owned(),
        path_str(&s.file("body-head.p12")),
        "--body-bin".to_owned(),
        BODY_BIN.to_owned(),
        "--out".to_owned(),
        path_str(out),
    ];
    for g in grounds {
        args.extend(["--ground".to_owned(), (*g).to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    s.run(&args)
}

/// Paragraph 4 of the rules as commands: `eds license hearing-notice` signs the preliminary
/// decision and the notice of the hearing (today in Astana, the term with a hearing), which the
/// substantive refusal then rests on. A preliminary decision on incompleteness is refused (that
/// refusal is given at once), and so is a hearing more than 2 working days after the notice;
/// nothing is written.
#[test]
fn hearing_notice_command_then_the_refusal_paragraph4() {
    let s = setup();
    // The clock is real here (the demo's documents are dated now): the hearing "now" is on the
    // notice's day, a hearing 30 days on is past the 2 working days.
    let now = time::OffsetDateTime::now_utc();
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };

    let out = s.tmp("notice-incomplete.p7s");
    let o = hearing_notice(s, &out, &["incomplete-documents"], &rfc3339(now));
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (no-hearing-for-incompleteness): incomplete-documents is refused at \
             once (paragraph 4 of the rules), without a preliminary decision or a hearing"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    let out = s.tmp("notice-far.p7s");
    let far = now + time::Duration::days(30);
    let o = hearing_notice(
        s,
        &out,
        &["qualification-requirements-not-met"],
        &rfc3339(far),
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with("error: refused (hearing-date-not-allowed): the hearing on "),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    let notice = s.tmp("notice.p7s");
    let o = hearing_notice(
        s,
        &notice,
        &["qualification-requirements-not-met"],
        &rfc3339(now),
    );
    let text = ok(&o);
    assert!(
        text.starts_with("issued a hearing notice for application KZ34LAB00000077 → "),
        "{text}"
    );
    // A relying party sees a hearing notice of the body.
    let o = s.run(&[
        "license",
        "verify",
        &path_str(&notice),
        "--body-bin",
        BODY_BIN,
    ]);
    assert_code(&o, 0);
    // The notice alone does not carry the refusal: the hearing's record is missing.
    let refusal = s.tmp("refusal-after-notice.p7s");
    let o = refuse_substantively(s, &refusal, &["--hearing-notice", &path_str(&notice)]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (hearing-record-required): a refusal on \
             qualification-requirements-not-met follows the hearing's outcome"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!refusal.exists());

    // The hearing's outcome: a ground not in the notice cannot stand; a hearing not yet held
    // cannot be recorded.
    let record_as = |out: &Path, held_at: &str, maintain: &[&str], appeared: bool| {
        // The non-appearance in JSON, to read the record's field.
        let mut args = if appeared {
            vec![]
        } else {
            vec!["--json".to_owned()]
        };
        args.extend([
            "license".to_owned(),
            "hearing-record".to_owned(),
            "--hearing-notice".to_owned(),
            path_str(&notice),
            "--held-at".to_owned(),
            held_at.to_owned(),
        ]);
        if appeared {
            args.extend([
                "--applicant-position".to_owned(),
                "The specialist retakes the test next month.".to_owned(),
            ]);
        } else {
            args.push("--applicant-did-not-appear".to_owned());
        }
        args.extend([
            "--p12".to_owned(),
            path_str(&s.file("body-head.p12")),
            "--body-bin".to_owned(),
            BODY_BIN.to_owned(),
            "--out".to_owned(),
            path_str(out),
        ]);
        for g in maintain {
            args.extend(["--maintain".to_owned(), (*g).to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        s.run(&args)
    };
    let record =
        |out: &Path, held_at: &str, maintain: &[&str]| record_as(out, held_at, maintain, true);
    let out = s.tmp("record-unheard.p7s");
    let o = record(&out, &rfc3339(now), &["licence-fee-not-paid"]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (ground-not-heard): licence-fee-not-paid was not a ground of the \
             preliminary decision of notice H-KZ34LAB00000077"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = record(
        &out,
        &rfc3339(now + time::Duration::days(1)),
        &["qualification-requirements-not-met"],
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with("error: refused (hearing-not-held-yet): the hearing at "),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // Withdrawn at the hearing: the refusal on that ground is refused.
    let withdrawn = s.tmp("record-withdrawn.p7s");
    let text = ok(&record(&withdrawn, &rfc3339(now), &[]));
    assert!(
        text.starts_with("recorded the hearing on application KZ34LAB00000077 → "),
        "{text}"
    );
    assert!(
        text.contains("the preliminary decision is withdrawn"),
        "{text}"
    );
    let out = s.tmp("refusal-withdrawn.p7s");
    let o = refuse_substantively(
        s,
        &out,
        &[
            "--hearing-notice",
            &path_str(&notice),
            "--hearing-record",
            &path_str(&withdrawn),
        ],
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (ground-not-maintained): qualification-requirements-not-met did not \
             stand after the hearing (record HR-H-KZ34LAB00000077)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // Maintained: the refusal follows.
    let maintained = s.tmp("record-maintained.p7s");
    ok(&record(
        &maintained,
        &rfc3339(now),
        &["qualification-requirements-not-met"],
    ));
    let out = s.tmp("refusal-maintained.p7s");
    let text = ok(&refuse_substantively(
        s,
        &out,
        &[
            "--hearing-notice",
            &path_str(&notice),
            "--hearing-record",
            &path_str(&maintained),
        ],
    ));
    assert!(
        text.starts_with("issued a refusal for application KZ34LAB00000077"),
        "{text}"
    );

    // The applicant did not appear: recorded once the set time has passed (not an hour before
    // it), and the refusal follows on that record.
    let out = s.tmp("record-absent-early.p7s");
    let o = record_as(
        &out,
        &rfc3339(now - time::Duration::hours(1)),
        &["qualification-requirements-not-met"],
        false,
    );
    assert_code(&o, 3);
    // --json: the error is one JSON object on standard error.
    let e: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(e["exit_code"], 3, "{e}");
    let held = now - time::Duration::hours(1);
    let astana = |t: time::OffsetDateTime| {
        rfc3339(
            t.replace_nanosecond(0)
                .unwrap()
                .to_offset(time::macros::offset!(+5)),
        )
    };
    assert_eq!(
        e["error"]["message"],
        json!(format!(
            "refused (non-appearance-before-the-set-time): the applicant cannot be recorded as \
             absent at {}: the hearing is set for {}",
            astana(held),
            astana(now)
        )),
    );
    assert!(!out.exists());
    let absent = s.tmp("record-absent.p7s");
    let v = ok_json(&record_as(
        &absent,
        &rfc3339(now),
        &["qualification-requirements-not-met"],
        false,
    ));
    assert_eq!(v["document"]["applicant_appeared"], json!(false));
    assert_eq!(
        v["document"]["applicant_position"],
        json!("The applicant did not appear at the hearing.")
    );
    let out = s.tmp("refusal-absent.p7s");
    let text = ok(&refuse_substantively(
        s,
        &out,
        &[
            "--hearing-notice",
            &path_str(&notice),
            "--hearing-record",
            &path_str(&absent),
        ],
    ));
    assert!(
        text.starts_with("issued a refusal for application KZ34LAB00000077"),
        "{text}"
    );
    assert!(out.exists());
}

/// Paragraph 8 of the Requirements through `eds --json submission check`: a service 3 licence
/// application without its qualification form lacks one entry of the list, satisfied by either
/// form (Annex 4, or service 3's Annex 5), each named; the complete demo application has none.
#[test]
fn submission_check_reports_the_missing_documents_by_name_json() {
    let s = setup();
    let text = fs::read(fixture("documents/application-legal-entity.json")).unwrap();
    let mut v: Value = serde_json::from_slice(&text).unwrap();
    v["service"] = json!("leakage-channels-licence");
    v["subtypes"] = json!([]);
    let docs: Vec<Value> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] != "qualification-form")
        .cloned()
        .collect();
    v["attachments"] = json!(docs.len());
    v["documents"] = json!(docs);
    let doc = eds_profile::documents::Document::from_json(v.to_string().as_bytes()).unwrap();
    let canonical = s.tmp("no-form.json");
    fs::write(&canonical, doc.canonical_bytes().unwrap()).unwrap();
    let signed = s.tmp("no-form.json.p7s");
    s.sign(&s.file("head.p12"), &canonical, &signed);
    let receipt = s.tmp("no-form.receipt.p7s");
    let answer = |signed: &Path, receipt: &Path| {
        ok_json(&s.run(&[
            "--json",
            "submission",
            "check",
            &path_str(signed),
            "--p12",
            &path_str(&s.file("body-head.p12")),
            "--receipt-out",
            &path_str(receipt),
        ]))
    };
    let r = answer(&signed, &receipt);
    assert_eq!(r["accepted"], json!(true));
    assert_eq!(r["complete"], json!(false));
    assert_eq!(
        r["missing_documents"],
        json!([{
            "any_of": ["qualification-form", "qualification-form-operational-center"],
            "title": "the electronic form of information on compliance with the qualification \
                      requirements (Annex 4 of the rules) or the electronic form of information \
                      on compliance within the activities of an operational information \
                      security center or an incident response service (Annex 5 of the rules of \
                      service 3)"
        }])
    );
    assert!(receipt.exists());

    let r = answer(
        &s.file("application.json.p7s"),
        &s.tmp("complete.receipt.p7s"),
    );
    assert_eq!(r["complete"], json!(true));
    assert_eq!(r["missing_documents"], json!([]));
}

/// Paragraph 8 of the Requirements, completeness as a check over the typed attachments: a
/// reissue application without the fee's proof cannot be granted (`documents-incomplete`,
/// naming what is missing) and is refused at once on incomplete-documents; the complete demo
/// application cannot be refused as incomplete (`documents-complete`). Exit 3, nothing written.
#[test]
fn completeness_is_a_check_over_the_attachments() {
    let s = setup();
    let text = fs::read(fixture("documents/reissue-application-legal-entity.json")).unwrap();
    let mut v: Value = serde_json::from_slice(&text).unwrap();
    let docs: Vec<Value> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] != "fee-payment")
        .cloned()
        .collect();
    v["attachments"] = json!(docs.len());
    v["documents"] = json!(docs);
    let number = v["application_number"].as_str().unwrap().to_owned();
    let doc = eds_profile::documents::Document::from_json(v.to_string().as_bytes()).unwrap();
    let canonical = s.tmp("no-fee.json");
    fs::write(&canonical, doc.canonical_bytes().unwrap()).unwrap();
    let signed = s.tmp("no-fee.json.p7s");
    s.sign(&s.file("head.p12"), &canonical, &signed);
    let receipt = s.tmp("no-fee.receipt.p7s");
    // The check names what is missing, by kind and by the list's name, and still gives the
    // receipt (the fact of reception).
    let text = ok(&s.submission(&signed, &receipt));
    let report: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("  incomplete: "))
        .take(3)
        .collect();
    assert_eq!(
        report,
        [
            "  incomplete: the application lacks 1 of the service's list of documents \
             (paragraph 8 of the Requirements):",
            "    - fee-payment: information confirming payment of the licence fee (or of the fee \
             for the right to sell) to the budget, unless paid through the e-government payment \
             gateway",
            "  refuse it at once: eds license issue --decision refuse --ground incomplete-documents",
        ],
        "{text}"
    );
    assert!(receipt.exists());
    let p12 = path_str(&s.file("body-head.p12"));
    let issue = |decision: &str, ground: Option<&str>, application: &Path, receipt: &Path, out| {
        let mut args = vec![
            "license",
            "issue",
            "--application",
            application.to_str().unwrap(),
            "--receipt",
            receipt.to_str().unwrap(),
            "--decision",
            decision,
            "--p12",
            &p12,
            "--body-bin",
            BODY_BIN,
            "--out",
            out,
        ];
        if let Some(g) = ground {
            args.extend(["--ground", g]);
        }
        s.run(&args)
    };
    let out = s.tmp("no-fee-grant.p7s");
    let o = issue("grant", None, &signed, &receipt, out.to_str().unwrap());
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(&format!(
            "error: refused (documents-incomplete): application {number} lacks fee-payment; \
             refuse it on incomplete-documents, or have the documents submitted"
        )),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let out = s.tmp("no-fee-refusal.p7s");
    let o = issue(
        "refuse",
        Some("incomplete-documents"),
        &signed,
        &receipt,
        out.to_str().unwrap(),
    );
    let text = ok(&o);
    assert!(
        text.starts_with("issued a refusal for application "),
        "{text}"
    );
    assert!(out.exists());

    let out = s.tmp("complete-refusal.p7s");
    let o = issue(
        "refuse",
        Some("incomplete-documents"),
        &s.file("application.json.p7s"),
        &s.file("receipt.json.p7s"),
        out.to_str().unwrap(),
    );
    assert_code(&o, 3);
    assert!(
        stderr(&o).starts_with(
            "error: refused (documents-complete): application KZ34LAB00000077 carries every \
             document of the service's list, so it cannot be refused as incomplete"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// "A license and (or) annex to the license": an application naming the licence held is
/// granted an annex to it (kind licence-annex, naming that licence), which a relying party
/// verifies as a result of the service.
#[test]
fn licence_annex_is_granted_for_an_application_naming_the_licence() {
    let s = setup();
    let text = fs::read(fixture("documents/application-legal-entity.json")).unwrap();
    let mut v: Value = serde_json::from_slice(&text).unwrap();
    v["filled_on"] = json!("2026-09-10");
    v["annex_to"] = json!({
        "licence_number": "26000456",
        "issued_on": "2026-03-23",
        "licensor": "National Security Committee of the Republic of Kazakhstan"
    });
    let doc = eds_profile::documents::Document::from_json(v.to_string().as_bytes()).unwrap();
    let canonical = s.tmp("annex-application.json");
    fs::write(&canonical, doc.canonical_bytes().unwrap()).unwrap();
    let signed = s.tmp("annex-application.json.p7s");
    s.sign(&s.file("head.p12"), &canonical, &signed);
    let receipt = s.tmp("annex-application.receipt.p7s");
    ok(&s.submission(&signed, &receipt));
    let out = s.tmp("licence-annex.json.p7s");
    let text = ok(&s.issue(&signed, &receipt, &s.file("body-head.p12"), &out));
    assert!(
        text.starts_with("issued a licence-annex for application KZ12LAA00012345 (CAdES-B) → "),
        "{text}"
    );
    let o = s.run(&[
        "--json",
        "license",
        "verify",
        &path_str(&out),
        "--body-bin",
        BODY_BIN,
    ]);
    let v = ok_json(&o);
    assert_eq!(v["document"]["kind"], "licence-annex", "{v:#}");
    assert_eq!(v["document"]["licence"]["licence_number"], "26000456");
    assert_eq!(v["licensing_passed"], true);
}
