//! EDS law art. 22 through the command line: the notice of cessation (thirty calendar days,
//! Kazakhstan's dates), the center that issues nothing from its stop day on, `eds ca export` /
//! `eds ca import` of a whole register to another center (the digest and the audit chain checked
//! on import, nothing imported when either fails or when a serial is already there), and what
//! the stopped center keeps (art. 22.4).

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

mod common;

use std::fs;

use eds_fixtures::postgres::TestPostgres;
use serde_json::Value;

use common::*;

/// `eds ca cessation notice --stops-on DAY --successor "NEXT CA"`.
fn notice(c: &Center, stops_on: &str) -> std::process::Output {
    c.run(&[
        "ca",
        "cessation",
        "notice",
        "--stops-on",
        stops_on,
        "--successor",
        "NEXT CA",
    ])
}

/// `eds ca export --out FILE` (the file in the center's temporary folder); asserts success.
fn export(c: &Center, name: &str) -> (std::path::PathBuf, Value) {
    let out = c.path(name);
    let v = ok_json(&c.run(&["--json", "ca", "export", "--out", out.to_str().unwrap()]));
    (out, v)
}

/// `eds --json ca import FILE --from-ca` the exporting center's issuing certificate.
fn import(c: &Center, from: &Center, file: &std::path::Path) -> std::process::Output {
    c.run(&[
        "--json",
        "ca",
        "import",
        file.to_str().unwrap(),
        "--from-ca",
        from.issuing().to_str().unwrap(),
    ])
}

fn actions(c: &Center) -> Vec<String> {
    c.audit_entries()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// A center with two owner certificates (one revoked), a refusal and a court ban.
fn busy_center() -> (Center, Vec<String>) {
    let c = Center::ready();
    let kept = c.issue_sample("individual-signing");
    let revoked = c.issue_sample("individual-signing");
    c.revoke(&revoked, "key-compromise");
    assert_code(&c.try_issue(&request("refused-under-age"), true), 3);
    ok(&c.run(&[
        "ca",
        "ban",
        "--iin",
        "950210400451",
        "--decision",
        "2-99/2026",
    ]));
    (c, vec![kept, revoked])
}

/// Art. 22.2: notice thirty calendar days ahead. T0 is 2 March 2026 in Astana: 31 March (29
/// days) is refused naming the article, with nothing recorded; 1 April (30 days) is accepted,
/// recorded in the audit log and in cessation.json; a second notice is a conflict.
#[test]
fn art22_2_notice_29_days_ahead_refused_30_accepted() {
    let c = Center::ready();
    let before = c.audit_entries().len();
    let o = notice(&c, "2026-03-31");
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains(
            "a notice of 2026-03-02 allows stopping on 2026-04-01 at the earliest (art. 22.2: \
             thirty calendar days), not on 2026-03-31"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(c.audit_entries().len(), before, "nothing recorded");
    assert!(!c.data.join("cessation.json").exists());

    let o = notice(&c, "2026-04-01");
    assert_eq!(
        ok(&o).trim(),
        "notice of cessation given on 2026-03-02: the center stops on 2026-04-01 (art. 22.2); \
         successor \"NEXT CA\""
    );
    let last = c.audit_entries().last().cloned().unwrap();
    assert_eq!(last["action"], "center.cessation-notice");
    let details: Value = serde_json::from_str(last["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["article"], "22.2");
    assert_eq!(details["stops_on"], "2026-04-01");
    let record: Value =
        serde_json::from_slice(&fs::read(c.data.join("cessation.json")).unwrap()).unwrap();
    assert_eq!(record["notice"]["stops_on"], "2026-04-01");
    c.assert_audit_intact(u64::try_from(before + 1).unwrap());

    let o = notice(&c, "2026-05-01");
    assert_code(&o, 4);
    assert!(
        stderr(&o).contains("the center already gave notice on 2026-03-02 to stop on 2026-04-01"),
        "{}",
        stderr(&o)
    );
}

/// Art. 22.2 counts Kazakhstan's days: at 20:00Z on 2 March it is 3 March in Astana, so the
/// earliest stop day is 2 April and 1 April is refused.
#[test]
fn art22_2_notice_counts_the_astana_date() {
    let mut c = Center::ready();
    c.set_now("2026-03-02T20:00:00Z");
    let o = notice(&c, "2026-04-01");
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains("a notice of 2026-03-03 allows stopping on 2026-04-02"),
        "{}",
        stderr(&o)
    );
    ok(&notice(&c, "2026-04-02"));
}

/// Art. 22: the center issues up to the day before its stop day (23:30 in Astana on 31 March)
/// and nothing from the stop day on (00:30 in Astana on 1 April is 19:30Z on 31 March): exit 3,
/// the message naming art. 22, no certificate and no refusal recorded.
#[test]
fn art22_issue_after_the_stop_day_refused() {
    let mut c = Center::ready();
    ok(&notice(&c, "2026-04-01"));
    c.set_now("2026-03-31T18:30:00Z");
    c.issue_sample("individual-signing");
    let serials = c.owner_serials();
    c.set_now("2026-03-31T19:30:00Z");
    let o = c.try_issue(&request("individual-signing"), true);
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains(
            "issue a certificate: the center stopped its activity on 2026-04-01 (EDS law art. \
             22); on 2026-04-01 it issues nothing"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(c.owner_serials(), serials);
    let refusals = ok_json(&c.run(&["--json", "ca", "refusals"]));
    assert_eq!(refusals.as_array().unwrap().len(), 0);
    let status = ok_json(&c.run(&["--json", "ca", "cessation", "status"]));
    assert_eq!(status["stopped"], true);
    assert_eq!(status["today"], "2026-04-01");
}

/// An export never overwrites a file: the second export to the same path is an output that
/// cannot be made (73), and the first file stays as it was.
#[test]
fn fail_export_onto_an_existing_file_is_73_and_keeps_it() {
    let c = Center::ready();
    let (file, _) = export(&c, "register.json");
    let before = fs::read(&file).unwrap();
    let o = c.run(&["ca", "export", "--out", file.to_str().unwrap()]);
    assert_code(&o, 73);
    assert!(
        stderr(&o).contains("it exists; an export never overwrites a file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&file).unwrap(), before);
}

/// Art. 22.3: a whole register exported and imported into a fresh center keeps every
/// certificate (DER and revocation), refusal and ban; the source's audit chain verifies on
/// import and is anchored in the receiving log by its head; the receiving log stays intact.
#[test]
fn art22_3_export_import_keeps_the_register() {
    let (a, serials) = busy_center();
    let (file, exported) = export(&a, "register.json");
    assert_eq!(
        exported["certificates"], 4,
        "two CA certificates, two owners"
    );
    assert_eq!(exported["revoked"], 1);
    assert_eq!(exported["refusals"], 1);
    assert_eq!(exported["bans"], 1);
    let a_log = a.audit_entries();
    assert_eq!(a_log.last().unwrap()["action"], "register.export");
    assert_eq!(exported["audit_head"]["entries"], a_log.len());

    let b = Center::ready();
    let b_before = b.audit_entries().len();
    let v = ok_json(&import(&b, &a, &file));
    assert_eq!(v["imported"]["certificates"], 4);
    assert_eq!(v["imported"]["revoked"], 1);
    assert_eq!(v["imported"]["refusals"], 1);
    assert_eq!(v["imported"]["bans"], 1);
    assert_eq!(v["imported"]["audit_head"], exported["audit_head"]);
    assert_eq!(v["imported"]["sha256"], exported["sha256"]);
    let kept = b
        .data
        .join("transferred")
        .join(format!("{}.json", exported["sha256"].as_str().unwrap()));
    assert_eq!(fs::read(&kept).unwrap(), fs::read(&file).unwrap());

    for s in &serials {
        let there = b.show(s);
        let here = a.show(s);
        assert_eq!(there["status"], here["status"], "{s}");
        assert_eq!(there["subject"], here["subject"], "{s}");
    }
    assert_eq!(b.show(&serials[1])["status"], "revoked");
    let pem = |c: &Center, s: &str| ok(&c.run(&["ca", "show", s, "--pem"]));
    assert_eq!(pem(&b, &serials[0]), pem(&a, &serials[0]));
    let refusals = ok_json(&b.run(&["--json", "ca", "refusals"]));
    assert_eq!(refusals[0]["ground"], "under-age", "{refusals}");
    assert_eq!(refusals[0]["iin"], "120517600906");

    let log = actions(&b);
    assert_eq!(
        &log[b_before..],
        [
            "register.import",
            "register.import-refusal",
            "register.import-ban"
        ]
    );
    let entry = &b.audit_entries()[b_before];
    let details: Value = serde_json::from_str(entry["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["source_audit_head"], exported["audit_head"]["hash"]);
    assert_eq!(details["article"], "22.3");
    b.assert_audit_intact(u64::try_from(b_before + 3).unwrap());
    // The receiving center's own CRL does not list the other center's revoked certificate.
    b.crl();
    let crl = b.crl_text();
    assert!(!crl.contains(serials[1].as_str()), "{crl}");
}

/// A changed byte in the body (a certificate's subject) fails the digest; an edited audit entry
/// with the digest recomputed fails the exporting center's signature, and so does the intact
/// file checked against another center's certificate: exit 7 each, nothing imported.
#[test]
fn fail_art22_3_tampered_export_refused() {
    let (a, _) = busy_center();
    let (file, _) = export(&a, "register.json");
    let b = Center::ready();
    let before = (b.owner_serials(), b.audit_entries().len());

    let text = fs::read_to_string(&file).unwrap();
    let tampered = text.replacen("850314300122", "850314300123", 1);
    assert_ne!(tampered, text);
    let path = b.path("tampered.json");
    fs::write(&path, tampered).unwrap();
    let o = import(&b, &a, &path);
    assert_code(&o, 7);
    assert!(
        stderr(&o).contains("the export was changed or damaged"),
        "{}",
        stderr(&o)
    );

    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["body"]["audit"][2]["actor"] = Value::from("someone else");
    let canonical = eds_ca::store::audit::canonical_json(&v["body"]).unwrap();
    v["sha256"] = Value::from(hex::encode(ring::digest::digest(
        &ring::digest::SHA256,
        canonical.as_bytes(),
    )));
    let path = b.path("rehashed.json");
    fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let o = import(&b, &a, &path);
    assert_code(&o, 7);
    assert!(
        stderr(&o).contains(
            "verify register export: its signature does not verify with the certificate given"
        ),
        "{}",
        stderr(&o)
    );

    // The untouched export, checked against another center's certificate (the receiver's own).
    let o = import(&b, &b, &file);
    assert_code(&o, 7);
    assert!(
        stderr(&o).contains("its signature does not verify with the certificate given"),
        "{}",
        stderr(&o)
    );

    // A truncated file.
    let path = b.path("truncated.json");
    fs::write(&path, &text.as_bytes()[..text.len() / 2]).unwrap();
    assert_code(&import(&b, &a, &path), 7);

    assert_eq!((b.owner_serials(), b.audit_entries().len()), before);
    assert!(!b.data.join("transferred").exists());
}

/// A register that already holds one of the serials refuses the import (exit 4), nothing of it
/// imported: importing the same export twice.
#[test]
fn fail_art22_3_import_into_a_register_holding_the_serials() {
    let (a, _) = busy_center();
    let (file, _) = export(&a, "register.json");
    let b = Center::ready();
    ok(&import(&b, &a, &file));
    let before = (b.owner_serials(), b.audit_entries().len());
    let o = import(&b, &a, &file);
    assert_code(&o, 4);
    assert!(
        stderr(&o).contains("is already in the receiving register; nothing was imported"),
        "{}",
        stderr(&o)
    );
    assert_eq!((b.owner_serials(), b.audit_entries().len()), before);
}

/// Art. 22.3–22.4: during the notice only the consented certificate is exported (and confirmed
/// by the successor's receipt); from the stop
/// day on nothing is exported (exit 3) and `cessation retain` keeps the owner certificate not
/// transferred, the center's own CA certificates apart (not as "not transferred"), the refusals
/// and the whole verified audit log; before the stop day it is refused (exit 3).
#[test]
fn art22_4_not_transferred_certificates_are_retained() {
    let (mut a, serials) = busy_center();
    ok(&notice(&a, "2026-04-01"));
    let consent = a.path("consented.txt");
    fs::write(&consent, format!("# agreed\n{}\n", serials[0])).unwrap();
    let out = a.path("consented.json");
    let v = ok_json(&a.run(&[
        "--json",
        "ca",
        "export",
        "--out",
        out.to_str().unwrap(),
        "--consented",
        consent.to_str().unwrap(),
    ]));
    assert_eq!(v["certificates"], 1);
    // The successor takes it and its receipt is confirmed: now it is transferred.
    let b = Center::ready();
    let taken = ok_json(&import(&b, &a, &out));
    ok(&a.run(&[
        "ca",
        "cessation",
        "confirm",
        taken["receipt"].as_str().unwrap(),
        "--successor-ca",
        b.issuing().to_str().unwrap(),
    ]));
    let retained = a.path("retained.json");
    let o = a.run(&[
        "ca",
        "cessation",
        "retain",
        "--out",
        retained.to_str().unwrap(),
    ]);
    assert_code(&o, 3);
    assert!(stderr(&o).contains("(art. 22.4)"), "{}", stderr(&o));

    a.set_now("2026-04-01T05:00:00Z");
    let late = a.path("late.json");
    let o = a.run(&["ca", "export", "--out", late.to_str().unwrap()]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains("the center stopped on 2026-04-01"),
        "{}",
        stderr(&o)
    );
    let v = ok_json(&a.run(&[
        "--json",
        "ca",
        "cessation",
        "retain",
        "--out",
        retained.to_str().unwrap(),
    ]));
    // The owners' certificates not transferred: the revoked one alone. The center's own root
    // and issuing certificates are kept apart, never as "not transferred".
    assert_eq!(v["not_transferred"], 1, "{v}");
    assert_eq!(v["center_certificates"], 2, "{v}");
    let kept: Value = serde_json::from_slice(&fs::read(&retained).unwrap()).unwrap();
    let serials_of = |key: &str| -> Vec<String> {
        kept[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["serial"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(serials_of("not_transferred"), [serials[1].clone()]);
    let kinds: Vec<&str> = kept["center_certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["ca-root", "ca-issuing"]);
    assert_eq!(kept["refusals"].as_array().unwrap().len(), 1);
    let log = kept["audit"].as_array().unwrap();
    assert_eq!(log.last().unwrap()["action"], "center.cessation-retained");
    assert_eq!(kept["head"]["entries"], log.len());
    a.assert_audit_intact(u64::try_from(log.len()).unwrap());
}

/// The import works through the store traits: a SQLite center's register into a center whose
/// register is PostgreSQL.
#[test]
fn art22_3_export_from_sqlite_import_into_postgres() {
    let (a, serials) = busy_center();
    let (file, _) = export(&a, "register.json");
    let b = Center::new();
    let pg = TestPostgres::shared().new_database();
    b.init_with("p256", &["--register", &pg]);
    let v = ok_json(&import(&b, &a, &file));
    assert_eq!(v["imported"]["certificates"], 4);
    assert_eq!(b.show(&serials[1])["status"], "revoked");
    assert_eq!(b.show(&serials[0])["status"], "valid");
    let (code, verdict) = b.audit_verify();
    assert_eq!(code, Some(0), "{verdict}");
    assert_code(&import(&b, &a, &file), 4);
}

/// `POST /api/v1/certificates/SERIAL/revoke` (holder's request) with the operator's `token`:
/// the HTTP status and the body's `error`.
fn revoke_through_api(url: &str, token: &str, serial: &str) -> (String, String) {
    let o = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "30",
            "-w",
            "\n%{http_code}",
            "-X",
            "POST",
        ])
        .args(["-H", "Content-Type: application/json"])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args([
            "--data-binary",
            r#"{"ground":"holder-request","notified_by":"the holder"}"#,
        ])
        .arg(format!("{url}/api/v1/certificates/{serial}/revoke"))
        .output()
        .unwrap();
    let text = stdout(&o);
    let (body, code) = text.rsplit_once('\n').unwrap();
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    (
        code.to_owned(),
        v["error"].as_str().unwrap_or_default().to_owned(),
    )
}

/// `eds ca cessation finalize` (and `--json` it).
fn finalize(c: &Center) -> std::process::Output {
    c.run(&["--json", "ca", "cessation", "finalize"])
}

/// The issuing certificate's notAfter, RFC 3339.
fn issuing_not_after(c: &Center) -> String {
    let text = openssl_ok(&[
        "x509",
        "-noout",
        "-enddate",
        "-in",
        c.issuing().to_str().unwrap(),
    ]);
    rfc3339(parse_openssl_time(
        text.trim().strip_prefix("notAfter=").unwrap(),
    ))
}

/// Art. 22.4 with RFC 5280 §5.3.1: before the stop day `finalize` is refused (exit 3); from it
/// on the center revokes nothing, signs no new CRL (exit 3 each, naming art. 22) and `finalize`
/// revokes the owner certificate that was neither transferred nor revoked, with ground
/// center-cessation (cessationOfOperation), and the one whose transfer the successor confirmed
/// (superseded), effective at 00:00 in Astana on the stop day, in one audit entry, then publishes the final CRL with nextUpdate at the issuing certificate's
/// notAfter; a second `finalize` is a conflict (exit 4) and `eds ca crl` re-publishes that CRL
/// unchanged.
#[test]
fn art22_4_finalize_terminates_what_was_not_transferred() {
    let (mut a, serials) = busy_center();
    let third = a.issue_sample("individual-signing");
    ok(&notice(&a, "2026-04-01"));
    let consent = a.path("consented.txt");
    fs::write(&consent, format!("{}\n", serials[0])).unwrap();
    let out = a.path("consented.json");
    ok(&a.run(&[
        "ca",
        "export",
        "--out",
        out.to_str().unwrap(),
        "--consented",
        consent.to_str().unwrap(),
    ]));
    let b = Center::ready();
    let receipt = b.path("receipt.json");
    ok(&b.run(&[
        "ca",
        "import",
        out.to_str().unwrap(),
        "--from-ca",
        a.issuing().to_str().unwrap(),
        "--receipt",
        receipt.to_str().unwrap(),
    ]));
    let v = ok_json(&a.run(&[
        "--json",
        "ca",
        "cessation",
        "confirm",
        receipt.to_str().unwrap(),
        "--successor-ca",
        b.issuing().to_str().unwrap(),
    ]));
    assert_eq!(v["transferred"], serde_json::json!([serials[0]]), "{v}");
    let o = finalize(&a);
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains("the center stops on 2026-04-01; on 2026-03-02"),
        "{}",
        stderr(&o)
    );
    assert_eq!(a.show(&third)["status"], "valid");

    // 00:30 in Astana on the stop day.
    a.set_now("2026-03-31T19:30:00Z");
    let o = a.run(&[
        "ca",
        "revoke",
        &third,
        "--ground",
        "holder-request",
        "--notified-by",
        "the holder",
    ]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains(
            "revoke a certificate: the center stopped its activity on 2026-04-01 (EDS law art. \
             22); on 2026-04-01 it revokes nothing"
        ),
        "{}",
        stderr(&o)
    );
    let o = a.run(&["ca", "crl"]);
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains(
            "issue a CRL: the center stopped its activity on 2026-04-01 (EDS law art. 22); on \
             2026-04-01 it publishes nothing"
        ),
        "{}",
        stderr(&o)
    );
    let before = a.audit_entries().len();

    let done = ok_json(&finalize(&a));
    assert_eq!(done["terminated"], serde_json::json!([third]), "{done}");
    assert_eq!(done["effective_at"], "2026-03-31T19:00:00Z");
    let until = issuing_not_after(&a);
    assert_eq!(done["next_update"], until.as_str());
    let ended = a.show(&third);
    assert_eq!(ended["status"], "revoked", "{ended}");
    assert_eq!(ended["revocation"]["ground"], "center-cessation", "{ended}");
    assert_eq!(
        ended["revocation"]["reason"], "cessationOfOperation",
        "{ended}"
    );
    assert_eq!(
        ended["revocation"]["revoked_at"], "2026-03-31T19:00:00Z",
        "{ended}"
    );
    assert_eq!(
        done["superseded"],
        serde_json::json!([serials[0]]),
        "{done}"
    );
    let moved = a.show(&serials[0]);
    assert_eq!(moved["revocation"]["ground"], "center-cessation", "{moved}");
    assert_eq!(
        moved["revocation"]["reason"], "superseded",
        "transferred: {moved}"
    );
    assert_eq!(
        a.show(&serials[1])["revocation"]["ground"],
        "key-compromise",
        "revoked before, unchanged"
    );
    assert_eq!(
        &actions(&a)[before..],
        [
            "center.cessation-terminated",
            "crl-issued",
            "root-crl-issued"
        ]
    );
    a.assert_audit_intact(u64::try_from(before + 3).unwrap());

    let crl = a.crl_text();
    let listed = revoked_entries(&crl);
    assert!(listed.iter().any(|e| e.contains(&third)), "{crl}");
    assert!(listed.iter().any(|e| e.contains(&serials[0])), "{crl}");
    assert!(crl.contains("Cessation Of Operation"), "{crl}");
    assert!(crl.contains("Superseded"), "{crl}");
    let next = crl
        .lines()
        .find_map(|l| l.trim().strip_prefix("Next Update: "))
        .unwrap();
    assert_eq!(rfc3339(parse_openssl_time(next)), until, "{crl}");

    let o = finalize(&a);
    assert_code(&o, 4);
    let published = fs::read(a.data.join("crl/issuing.crl")).unwrap();
    let copy = a.path("final.crl");
    let o = a.run(&["ca", "crl", "--out", copy.to_str().unwrap()]);
    assert!(
        ok(&o).starts_with(&format!(
            "final CRL #{} with 3 entries, thisUpdate 2026-03-31T19:30:00Z, nextUpdate {until} \
             (the center stopped on 2026-04-01, art. 22.4: re-published unchanged)",
            done["crl_number"]
        )),
        "{}",
        stdout(&o)
    );
    assert_eq!(fs::read(&copy).unwrap(), published);
    assert_eq!(fs::read(a.data.join("crl/issuing.crl")).unwrap(), published);
}

/// Signs a document with the owner's PKCS#12 file; `extra` adds `--level`, `--tsa`.
fn sign_with(c: &Center, serial: &str, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let doc = c.path(&format!("{name}.txt"));
    fs::write(&doc, b"a contract signed before its center stopped\n").unwrap();
    let sig = c.path(&format!("{name}.p7s"));
    let p12 = c.out.join(format!("{serial}.p12"));
    let mut args = vec![
        "sign",
        "--in",
        doc.to_str().unwrap(),
        "--p12",
        p12.to_str().unwrap(),
        "--out",
        sig.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&c.run_env(&args, &[("EDS_KEY_PASSWORD", OWNER)]));
    sig
}

/// The first signature's report of `eds --json verify SIG --offline` (the data folder's CRLs).
fn verify_offline(c: &Center, sig: &std::path::Path) -> (std::process::Output, Value) {
    let o = c.run(&["--json", "verify", sig.to_str().unwrap(), "--offline"]);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    (o, v["signatures"][0].clone())
}

/// Art. 22.4 seen by a relying party: once the cessation is finalized, a signature whose
/// timestamp proves it was made before the stop day passes (cessationOfOperation is not a
/// compromise: ETSI EN 319 102-1 compares the revocation with the proven time), and one made
/// after the stop day with the same certificate is TOTAL_FAILED / REVOKED (exit 1).
#[test]
fn art22_4_signature_before_the_stop_day_passes_after_it_revoked() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    ok(&notice(&c, "2026-04-01"));
    c.set_now("2026-03-10T10:00:00Z");
    let tsa = {
        let serving = common::serving::Serving::start_with(&c, &["--now", "2026-03-10T10:00:00Z"]);
        let url = format!("{}/tsa", serving.url);
        let sig = sign_with(&c, &serial, "before", &["--level", "T", "--tsa", &url]);
        drop(serving);
        sig
    };
    c.set_now("2026-04-01T05:00:00Z");
    let after = sign_with(&c, &serial, "after", &["--level", "B"]);
    ok(&finalize(&c));

    c.set_now("2026-04-02T05:00:00Z");
    let (o, v) = verify_offline(&c, &tsa);
    assert_code(&o, 0);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");
    let (o, v) = verify_offline(&c, &after);
    assert_code(&o, 1);
    assert_eq!(v["indication"], "TOTAL_FAILED", "{v:#}");
    assert_eq!(v["sub_indication"], "REVOKED", "{v:#}");
    assert!(
        v.to_string().contains("cessationOfOperation"),
        "the reason is named: {v:#}"
    );
}

/// Art. 22.3: an export is only offered until the successor's signed receipt is confirmed. A
/// receipt checked against another certificate (exit 7), one naming an export this center did not
/// make (exit 5) and one confirmed from the stop day on (exit 3) record nothing; at `finalize`
/// the offered but unconfirmed certificate terminates with the others.
#[test]
fn fail_art22_3_unconfirmed_offer_is_not_transferred() {
    let (mut a, serials) = busy_center();
    ok(&notice(&a, "2026-04-01"));
    let consent = a.path("consented.txt");
    fs::write(&consent, format!("{}\n", serials[0])).unwrap();
    let out = a.path("consented.json");
    let exported = ok_json(&a.run(&[
        "--json",
        "ca",
        "export",
        "--out",
        out.to_str().unwrap(),
        "--consented",
        consent.to_str().unwrap(),
    ]));
    let record: Value =
        serde_json::from_slice(&fs::read(a.data.join("cessation.json")).unwrap()).unwrap();
    assert_eq!(
        record["offered"][0]["serials"],
        serde_json::json!([serials[0]])
    );
    assert_eq!(record["offered"][0]["sha256"], exported["sha256"]);
    assert_eq!(record["transferred"], serde_json::json!([]));

    let b = Center::ready();
    let v = ok_json(&import(&b, &a, &out));
    let receipt = std::path::PathBuf::from(v["receipt"].as_str().unwrap());
    assert!(receipt.starts_with(&b.data), "{v}");
    let confirm = |a: &Center, successor: &Center, receipt: &std::path::Path| {
        a.run(&[
            "ca",
            "cessation",
            "confirm",
            receipt.to_str().unwrap(),
            "--successor-ca",
            successor.issuing().to_str().unwrap(),
        ])
    };
    let before = a.audit_entries().len();
    // Checked against the ceding center's own certificate, not the successor's.
    let o = confirm(&a, &a, &receipt);
    assert_code(&o, 7);
    assert!(
        stderr(&o).contains(
            "verify transfer receipt: its signature does not verify with the certificate given"
        ),
        "{}",
        stderr(&o)
    );
    // A receipt for an export of another center (b exported to c, confirmed at a).
    let (other, _) = export(&b, "b.json");
    let c = Center::ready();
    let v = ok_json(&import(&c, &b, &other));
    let foreign = std::path::PathBuf::from(v["receipt"].as_str().unwrap());
    let o = confirm(&a, &c, &foreign);
    assert_code(&o, 5);
    assert!(
        stderr(&o).contains("which this center did not make in the notice's term"),
        "{}",
        stderr(&o)
    );
    assert_eq!(a.audit_entries().len(), before, "nothing recorded");

    a.set_now("2026-04-01T05:00:00Z");
    let o = confirm(&a, &b, &receipt);
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains("the center stopped on 2026-04-01"),
        "{}",
        stderr(&o)
    );
    let done = ok_json(&finalize(&a));
    assert_eq!(
        done["terminated"],
        serde_json::json!([serials[0]]),
        "{done}"
    );
    assert_eq!(
        a.show(&serials[0])["revocation"]["ground"],
        "center-cessation"
    );
}

/// Art. 22 at the server between the stop day and `finalize`: `eds serve` started after the
/// stop day, its CRL past renewal, starts and serves the last CRL published (it signs none: the
/// center publishes nothing any more), says why in its log, answers OCSP for a certificate not
/// yet ended (good, signed by the issuing center) and refuses a revocation (422 `ceased`). When
/// `finalize` then publishes the final CRL, the running server serves it, and OCSP answers
/// revoked / cessationOfOperation; the server itself wrote nothing to the register.
#[test]
fn art22_serve_between_the_stop_day_and_finalize_then_the_final_crl() {
    let mut c = Center::ready();
    let ended = c.issue_sample("individual-signing");
    let token = ok_json(&c.run(&["--json", "ca", "operator", "add", "gateway"]))["token"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&notice(&c, "2026-04-01"));
    let last = fs::read(c.data.join("crl/issuing.crl")).unwrap();
    let log_before = c.audit_entries().len();

    let s = common::serving::Serving::start_with(&c, &["--now", "2026-04-02T05:00:00Z"]);
    let folder = c.path("");
    let served = |name: &str| {
        let file = folder.join(name);
        let o = std::process::Command::new("curl")
            .args(["-sS", "-f", "--max-time", "30", "-o"])
            .arg(&file)
            .arg(format!("{}/crl/issuing.crl", s.url))
            .output()
            .unwrap();
        assert_code(&o, 0);
        fs::read(&file).unwrap()
    };
    assert_eq!(
        served("before.crl"),
        last,
        "the last CRL published, as it is"
    );
    assert!(
        s.log()
            .contains("the center stopped its activity (EDS law art. 22): it signs no new CRL"),
        "{}",
        s.log()
    );
    let attime = at("2026-04-02T05:00:00Z").unix_timestamp().to_string();
    let (cert, issuing, root) = (c.cert_path(&ended), c.issuing(), c.root());
    let ask = || {
        both(&openssl(&[
            "ocsp",
            "-issuer",
            issuing.to_str().unwrap(),
            "-cert",
            cert.to_str().unwrap(),
            "-url",
            &format!("{}/ocsp", s.url),
            "-CAfile",
            root.to_str().unwrap(),
            "-attime",
            &attime,
        ]))
    };
    let answer = ask();
    assert!(answer.contains("Response verify OK"), "{answer}");
    assert!(answer.contains("\ngood\n"), "{answer}");

    assert_eq!(
        revoke_through_api(&s.url, &token, &ended),
        ("422".into(), "ceased".into())
    );
    assert_eq!(
        actions(&c)[log_before..],
        Vec::<String>::new(),
        "the server signed no CRL and certified no key"
    );

    c.set_now("2026-04-01T05:00:00Z");
    ok(&finalize(&c));
    let after_finalize = c.audit_entries().len();
    let last_final = fs::read(c.data.join("crl/issuing.crl")).unwrap();
    assert_ne!(last_final, last);
    // The server looks for a CRL published beside it every 30 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut n = 0;
    while served(&format!("poll-{n}.crl")) != last_final {
        assert!(
            std::time::Instant::now() < deadline,
            "the final CRL was not served; log:\n{}",
            s.log()
        );
        std::thread::sleep(std::time::Duration::from_secs(2));
        n += 1;
    }
    let answer = ask();
    assert!(answer.contains("Response verify OK"), "{answer}");
    assert!(answer.contains("\nrevoked\n"), "{answer}");
    assert!(answer.contains("Reason: cessationOfOperation"), "{answer}");
    drop(s);
    assert_eq!(
        c.audit_entries().len(),
        after_finalize,
        "the server wrote nothing"
    );
}

/// Art. 22.4 at the server: after `finalize`, `eds serve` started after the stop day serves the
/// final CRL as published (the same bytes), answers OCSP revoked / cessationOfOperation for the
/// certificate that ended, and the operator API's revoke route answers 422 `ceased`, nothing
/// changed.
#[test]
fn art22_4_serve_after_finalize_keeps_the_final_crl_and_ocsp() {
    let mut c = Center::ready();
    let ended = c.issue_sample("individual-signing");
    let other = c.issue_sample("individual-signing");
    let token = ok_json(&c.run(&["--json", "ca", "operator", "add", "gateway"]))["token"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&notice(&c, "2026-04-01"));
    c.set_now("2026-04-01T05:00:00Z");
    ok(&finalize(&c));
    let published = fs::read(c.data.join("crl/issuing.crl")).unwrap();
    let log_before = c.audit_entries().len();

    let s = common::serving::Serving::start_with(&c, &["--now", "2026-04-02T05:00:00Z"]);
    let crl = c.path("served.crl");
    let o = std::process::Command::new("curl")
        .args(["-sS", "-f", "--max-time", "30", "-o"])
        .arg(&crl)
        .arg(format!("{}/crl/issuing.crl", s.url))
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(fs::read(&crl).unwrap(), published);

    let cert = c.cert_path(&ended);
    // OpenSSL checks the chain at the server's clock (`-attime`); the status times against its
    // own, which is not the test's: only the answer's content is asserted.
    let attime = at("2026-04-02T05:00:00Z").unix_timestamp().to_string();
    let answer = both(&openssl(&[
        "ocsp",
        "-issuer",
        c.issuing().to_str().unwrap(),
        "-cert",
        cert.to_str().unwrap(),
        "-url",
        &format!("{}/ocsp", s.url),
        "-CAfile",
        c.root().to_str().unwrap(),
        "-attime",
        &attime,
    ]));
    assert!(answer.contains("Response verify OK"), "{answer}");
    assert!(answer.contains("\nrevoked\n"), "{answer}");
    assert!(answer.contains("Reason: cessationOfOperation"), "{answer}");
    assert!(
        answer.contains("Revocation Time: Mar 31 19:00:00 2026 GMT"),
        "{answer}"
    );

    assert_eq!(
        revoke_through_api(&s.url, &token, &other),
        ("422".into(), "ceased".into())
    );
    drop(s);
    assert_eq!(c.show(&other)["revocation"]["ground"], "center-cessation");
    // A center that stopped certifies no key: the server started after the stop day issued no
    // OCSP or TSA signer certificate (its answers are signed by the issuing center itself) and
    // wrote nothing to the register.
    assert_eq!(actions(&c)[log_before..], Vec::<String>::new());
}

/// `POST /tsa` of an `openssl ts -query` for `doc`; returns the HTTP status and
/// `openssl ts -reply -text` of the answer.
fn timestamp(c: &Center, url: &str, doc: &std::path::Path) -> (String, String) {
    let query = c.path("request.tsq");
    openssl_ok(&[
        "ts",
        "-query",
        "-data",
        doc.to_str().unwrap(),
        "-sha256",
        "-cert",
        "-out",
        query.to_str().unwrap(),
    ]);
    let reply = c.path("reply.tsr");
    let o = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "30", "-w", "%{http_code}"])
        .args(["-H", "Content-Type: application/timestamp-query"])
        .arg("--data-binary")
        .arg(format!("@{}", query.display()))
        .arg("-o")
        .arg(&reply)
        .arg(format!("{url}/tsa"))
        .output()
        .unwrap();
    assert_code(&o, 0);
    let text = openssl_ok(&["ts", "-reply", "-in", reply.to_str().unwrap(), "-text"]);
    (stdout(&o).trim().to_owned(), text)
}

/// Art. 22 at the server (decision in docs/law.md): a center that stopped keeps answering OCSP
/// and serving its final CRL, but timestamps nothing and certifies no key. Started the day after
/// the stop day once `finalize` ran, with its OCSP and TSA signer certificates deleted: a timestamp request gets HTTP 200 with an RFC 3161 rejection (failInfo
/// timeNotAvailable, the status text naming art. 22 and the stop day), `eds sign --level T`
/// against it fails, OCSP answers signed by the issuing center itself verify with OpenSSL, no
/// certificate enters the register and the audit log is unchanged; `eds ca rotate ocsp|tsa` is
/// refused (exit 3). The day before the stop day the same server grants the timestamp.
#[test]
fn art22_ceased_center_timestamps_nothing_and_certifies_no_key() {
    let mut c = Center::ready();
    let owner = c.issue_sample("individual-signing");
    ok(&notice(&c, "2026-04-01"));
    let doc = c.path("doc.txt");
    fs::write(&doc, b"a document brought after the center stopped\n").unwrap();
    // 23:59 in Astana the day before the stop day: still granted.
    let s = common::serving::Serving::start_with(&c, &["--now", "2026-03-31T18:59:00Z"]);
    let (code, text) = timestamp(&c, &s.url, &doc);
    assert_eq!(code, "200");
    assert!(text.contains("Status: Granted."), "{text}");
    drop(s);
    // The signer certificates the first start certified are gone: a working center would
    // certify new ones at its next start.
    for f in ["ocsp.crt.pem", "tsa.crt.pem"] {
        fs::remove_file(c.data.join(f)).unwrap();
    }
    let certificates = c.list(&[]).as_array().unwrap().len();

    c.set_now("2026-04-01T05:00:00Z");
    ok(&finalize(&c));
    let log_before = c.audit_entries().len();
    let now = "2026-04-02T05:00:00Z";
    let s = common::serving::Serving::start_with(&c, &["--now", now]);
    let (code, text) = timestamp(&c, &s.url, &doc);
    assert_eq!(code, "200", "{text}");
    assert!(text.contains("Status: Rejected."), "{text}");
    assert!(
        text.contains("Failure info: the TSA's time source is not available"),
        "{text}"
    );
    assert!(
        text.contains(
            "timestamp: the center stopped its activity on 2026-04-01 (EDS law art. 22); on \
             2026-04-02 it timestamps nothing"
        ),
        "{text}"
    );
    let p12 = c.out.join(format!("{owner}.p12"));
    let sig = c.path("late.p7s");
    let o = c.run_env(
        &[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            sig.to_str().unwrap(),
            "--level",
            "T",
            "--tsa",
            &format!("{}/tsa", s.url),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    );
    assert_code(&o, 69);
    assert!(stderr(&o).contains("EDS law art. 22"), "{}", both(&o));
    assert!(!sig.exists());

    let attime = at(now).unix_timestamp().to_string();
    let answer = both(&openssl(&[
        "ocsp",
        "-issuer",
        c.issuing().to_str().unwrap(),
        "-cert",
        c.cert_path(&owner).to_str().unwrap(),
        "-url",
        &format!("{}/ocsp", s.url),
        "-CAfile",
        c.root().to_str().unwrap(),
        "-attime",
        &attime,
        "-resp_text",
    ]));
    assert!(answer.contains("Response verify OK"), "{answer}");
    assert!(answer.contains("Reason: cessationOfOperation"), "{answer}");
    drop(s);
    assert_eq!(actions(&c)[log_before..], Vec::<String>::new());
    assert_eq!(c.list(&[]).as_array().unwrap().len(), certificates);
    assert!(!c.data.join("ocsp.crt.pem").exists());
    assert!(!c.data.join("tsa.crt.pem").exists());
    for service in ["ocsp", "tsa"] {
        let o = c.run(&["ca", "rotate", service]);
        assert_code(&o, 3);
        assert!(
            stderr(&o).contains(
                "certify a new OCSP or TSA signing key: the center stopped its activity on \
                 2026-04-01 (EDS law art. 22); on 2026-04-01 it certifies nothing"
            ),
            "{}",
            both(&o)
        );
    }
    assert_eq!(c.list(&[]).as_array().unwrap().len(), certificates);
}

/// Art. 22.3 with the decision of docs/law.md, end to end: an owner of the ceding center A
/// agrees to the transfer, A exports the certificate, the successor B imports it and A confirms
/// B's receipt; the owner then gets a certificate from B on their own CSR (the same key). After
/// A's `finalize`, the owner's new signature verifies TOTAL_PASSED at B's chain, while A's
/// certificate is REVOKED with reason superseded (a signature made with it after the stop day
/// fails, exit 1); B's register keeps the transferred record beside the one it issued.
#[test]
fn art22_3_successor_reissues_on_the_owner_csr_old_certificate_superseded() {
    let mut a = Center::ready();
    let owner = a.issue_sample("individual-signing");
    ok(&notice(&a, "2026-04-01"));
    let consent = a.path("consented.txt");
    fs::write(&consent, format!("{owner}\n")).unwrap();
    let out = a.path("consented.json");
    ok(&a.run(&[
        "ca",
        "export",
        "--out",
        out.to_str().unwrap(),
        "--consented",
        consent.to_str().unwrap(),
    ]));
    let mut b = Center::ready();
    let taken = ok_json(&import(&b, &a, &out));
    ok(&a.run(&[
        "ca",
        "cessation",
        "confirm",
        taken["receipt"].as_str().unwrap(),
        "--successor-ca",
        b.issuing().to_str().unwrap(),
    ]));

    // The owner's request to B: a CSR signed with the key A certified.
    let key = b.path("owner.key.pem");
    openssl_ok(&[
        "pkcs12",
        "-in",
        a.out.join(format!("{owner}.p12")).to_str().unwrap(),
        "-nocerts",
        "-nodes",
        "-passin",
        &format!("pass:{OWNER}"),
        "-out",
        key.to_str().unwrap(),
    ]);
    let csr = b.path("owner.csr.pem");
    openssl_ok(&[
        "req",
        "-new",
        "-key",
        key.to_str().unwrap(),
        "-subj",
        "/CN=owner",
        "-out",
        csr.to_str().unwrap(),
    ]);
    let renewed = b.issue_with(
        &request("individual-signing"),
        &["--csr", csr.to_str().unwrap()],
    );
    assert_ne!(renewed, owner);
    // B keeps the transferred record beside the certificate it issued.
    assert_eq!(b.show(&owner)["serial"], owner.as_str());

    a.set_now("2026-04-01T05:00:00Z");
    ok(&finalize(&a));
    let old = a.show(&owner);
    assert_eq!(old["revocation"]["reason"], "superseded", "{old}");

    // The day after the stop day: the owner signs with B's certificate, and once more with A's.
    let now = "2026-04-02T05:00:00Z";
    b.set_now(now);
    ok(&b.run(&["ca", "crl"]));
    let doc = b.path("doc.txt");
    fs::write(&doc, b"a contract signed after the center changed\n").unwrap();
    let sign = |c: &Center, cert: &std::path::Path, chain: &std::path::Path, name: &str| {
        let sig = c.path(name);
        ok(&c.run(&[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--cert",
            cert.to_str().unwrap(),
            "--chain",
            chain.to_str().unwrap(),
            "--out",
            sig.to_str().unwrap(),
        ]));
        sig
    };
    let new_sig = sign(&b, &b.cert_path(&renewed), &b.issuing(), "new.p7s");
    let (o, v) = verify_offline(&b, &new_sig);
    assert_code(&o, 0);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");

    a.set_now(now);
    let old_sig = sign(&a, &a.cert_path(&owner), &a.issuing(), "old.p7s");
    let (o, v) = verify_offline(&a, &old_sig);
    assert_code(&o, 1);
    assert_eq!(v["indication"], "TOTAL_FAILED", "{v:#}");
    assert_eq!(v["sub_indication"], "REVOKED", "{v:#}");
    assert!(v.to_string().contains("superseded"), "{v:#}");
}
