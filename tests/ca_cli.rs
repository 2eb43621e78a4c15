//! The law's rules through the `eds` command line: the refusal grounds of EDS law art. 14-1 and
//! the age rule of art. 14, the revocation grounds of art. 17.1 and 18.1 as OpenSSL reads them in
//! the CRL, conflicts and exit codes, registry events (art. 18.1(3)–(5)), the five years of
//! art. 16.2, the public register of art. 23, the audit log of art. 21.2, file modes, and the
//! demo.

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

mod common;

use std::fs;

use serde_json::{Value, json};
use time::Duration;
use time::macros::date;

use common::*;

const REFUSED_HINT: &str =
    "hint: the refusal is recorded; `eds ca refusals` lists it with its ground";

/// Runs a refused issuance: exit 3, the ground and finding in stderr, the refusal listed by
/// `eds ca refusals --json` with that ground, nothing issued. Returns the refusals listed.
#[track_caller]
fn assert_refused(c: &Center, req: &std::path::Path, ground: &str, message: &str) -> Vec<Value> {
    let o = c.try_issue(req, true);
    assert_code(&o, 3);
    // `try_issue` passes --json: the error is one JSON object on stderr (docs/exit-codes.md).
    let e: Value = serde_json::from_str(&stderr(&o))
        .unwrap_or_else(|x| panic!("not a JSON error ({x}):\n{}", stderr(&o)));
    assert_eq!(e["exit_code"], 3, "{e}");
    assert_eq!(e["error"]["kind"], "refused", "{e}");
    assert_eq!(
        e["error"]["hint"]
            .as_str()
            .map(|h| format!("hint: {h}"))
            .as_deref(),
        Some(REFUSED_HINT)
    );
    let err = e["error"]["message"].as_str().unwrap().to_owned();
    assert!(err.starts_with(message), "want {message:?}, got:\n{err}");
    assert!(
        err.contains(&format!("issuance refused on ground {ground} ")),
        "{err}"
    );
    assert_eq!(stdout(&o), "", "a refusal prints nothing on stdout");
    assert_eq!(
        c.owner_serials(),
        Vec::<String>::new(),
        "nothing may be issued"
    );
    let refusals = ok_json(&c.run(&["--json", "ca", "refusals"]));
    let refusals = refusals.as_array().unwrap().clone();
    let last = refusals.last().unwrap();
    assert_eq!(last["ground"], ground, "{last}");
    let detail = last["detail"].as_str().unwrap();
    assert!(
        err.ends_with(&format!("): {detail}")),
        "the recorded detail {detail:?} differs from\n{err}"
    );
    let audit = c.audit_entries();
    assert_eq!(audit.last().unwrap()["action"], "issuance-refused");
    refusals
}

#[test]
fn fail_refused_incomplete_documents() {
    let c = Center::ready();
    let refusals = assert_refused(
        &c,
        &request("refused-incomplete"),
        "incomplete-documents",
        "issuance refused on ground incomplete-documents (art. 14-1(1)): incomplete documents: \
         missing power-of-attorney",
    );
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0]["iin"], "950210400451");
    assert_eq!(refusals[0]["bin"], "080540001238");
}

#[test]
fn fail_refused_false_information_bad_iin_check_digit() {
    let c = Center::ready();
    let refusals = assert_refused(
        &c,
        &request("refused-false-information"),
        "false-information",
        "issuance refused on ground false-information (art. 14-1(2)): false information: \
         invalid IIN:",
    );
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0]["iin"], "850314300123");
}

#[test]
fn fail_refused_court_decision_after_ban() {
    let c = Center::ready();
    // Issuance works before the ban, for someone else too after it.
    let ban = ok_json(&c.run(&[
        "--json",
        "ca",
        "ban",
        "--iin",
        "850314300122",
        "--decision",
        "2-1234/2026 Almaty district court",
    ]));
    assert_eq!(ban["id"], 1);
    let refusals = assert_refused(
        &c,
        &request("individual-signing"),
        "court-decision",
        "issuance refused on ground court-decision (art. 14-1(3)): court decision in force: \
         2-1234/2026 Almaty district court",
    );
    assert_eq!(refusals.len(), 1);
    let actions: Vec<Value> = c
        .audit_entries()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert!(
        actions.contains(&json!("court-decision-recorded")),
        "{actions:?}"
    );
    c.issue_sample("individual-authentication");
}

#[test]
fn fail_refused_under_age_born_2012() {
    let c = Center::ready();
    let refusals = assert_refused(
        &c,
        &request("refused-under-age"),
        "under-age",
        "issuance refused on ground under-age (art. 14-1(4)): applicant is 13 on 2026-03-02, \
         under sixteen until 2028-05-17",
    );
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0]["iin"], "120517600906");
    assert_eq!(refusals[0]["at"], T0);
}

/// A person born on 15 June 2010 (IIN built with its check digit), in the registry, and a signing
/// request for her.
fn turning_sixteen(c: &Center) -> std::path::PathBuf {
    let iin = make_iin(date!(2010 - 06 - 15), true);
    assert_eq!(&iin[..7], "1006156");
    c.import_json(
        "teen.json",
        &json!({"persons": [{
            "iin": iin, "surname": "СЕЙТҚАЛИ", "name": "ЖАНЕЛЬ", "patronymic": null,
            "birth_date": "2010-06-15", "death_date": null
        }]}),
    );
    c.write_request(
        "teen-request",
        &json!({
            "applicant": {"iin": iin, "surname": "Сейтқали", "name": "Жанель"},
            "key_purpose": "signing",
            "documents": ["identity-document", "application"]
        }),
    )
}

/// The last second of 14 June in Astana (UTC+5, `eds_profile::kz_time`): 18:59:59Z.
#[test]
fn fail_under_age_on_the_day_before_the_sixteenth_birthday() {
    let mut c = Center::ready();
    let req = turning_sixteen(&c);
    c.set_now("2026-06-14T18:59:59Z");
    let refusals = assert_refused(
        &c,
        &req,
        "under-age",
        "issuance refused on ground under-age (art. 14-1(4)): applicant is 15 on 2026-06-14, \
         under sixteen until 2026-06-15",
    );
    assert_eq!(refusals.len(), 1);
}

/// The first second of 15 June in Astana is 19:00:00Z on 14 June: the UTC date is still the
/// day before the birthday, the legal date is the birthday (art. 14, `eds_profile::kz_time`).
#[test]
fn ok_issued_on_the_sixteenth_birthday() {
    let mut c = Center::ready();
    let req = turning_sixteen(&c);
    c.set_now("2026-06-14T19:00:00Z");
    let serial = c.issue(&req, true);
    assert_eq!(c.show(&serial)["not_before"], "2026-06-14T19:00:00Z");
    assert_eq!(ok_json(&c.run(&["--json", "ca", "refusals"])), json!([]));
}

/// 04:59 on the birthday in Astana (23:59Z the day before by the old UTC reading) is issued.
#[test]
fn ok_issued_at_04_59_astana_time_on_the_sixteenth_birthday() {
    let mut c = Center::ready();
    let req = turning_sixteen(&c);
    c.set_now("2026-06-14T23:59:59Z");
    let serial = c.issue(&req, true);
    assert_eq!(c.show(&serial)["status"], "valid");
}

/// The reviewer's probe (issue 15): IIN 100302600011, born 2 March 2010. At 2026-03-01T22:00Z,
/// 03:00 on 2 March in Astana, the certificate is issued; written as 2026-03-02T03:00+05:00 the
/// same instant gives the same answer; the last second of 1 March in Astana is refused.
#[test]
fn art14_age_decided_on_the_astana_date_not_the_utc_date() {
    let mut c = Center::ready();
    c.import_json(
        "probe.json",
        &json!({"persons": [{
            "iin": "100302600011", "surname": "ОМАРОВА", "name": "АЙША", "patronymic": null,
            "birth_date": "2010-03-02", "death_date": null
        }]}),
    );
    let req = c.write_request(
        "probe-request",
        &json!({
            "applicant": {"iin": "100302600011", "surname": "Омарова", "name": "Айша"},
            "key_purpose": "signing",
            "documents": ["identity-document", "application"]
        }),
    );
    c.set_now("2026-03-01T18:59:59Z");
    assert_refused(
        &c,
        &req,
        "under-age",
        "issuance refused on ground under-age (art. 14-1(4)): applicant is 15 on 2026-03-01, \
         under sixteen until 2026-03-02",
    );
    c.set_now("2026-03-01T22:00:00Z");
    let first = c.issue(&req, true);
    assert_eq!(c.show(&first)["not_before"], "2026-03-01T22:00:00Z");
    c.set_now("2026-03-02T03:00:00+05:00");
    let second = c.issue(&req, true);
    assert_ne!(first, second);
    assert_eq!(c.show(&second)["status"], "valid");
}

#[test]
fn ok_issued_on_the_day_after_the_sixteenth_birthday() {
    let mut c = Center::ready();
    let req = turning_sixteen(&c);
    c.set_now("2026-06-16T12:00:00Z");
    let serial = c.issue(&req, true);
    assert_eq!(c.show(&serial)["status"], "valid");
}

/// Born 29 February 2008: the sixteenth birthday falls on 29 February 2024 (a leap year, as the
/// sixteenth anniversary of a 29 February always is between 1904 and 2096), refused the day
/// before, issued on it.
#[test]
fn ok_leap_day_birth_turns_sixteen_on_29_february() {
    let mut c = Center::new();
    c.set_now("2024-01-10T09:00:00Z");
    c.init("p256");
    c.import_registry();
    let req = c.write_request(
        "leap",
        &json!({
            "applicant": {"iin": "080229600673", "surname": "Жұмабаева", "name": "Інкәр"},
            "key_purpose": "signing",
            "documents": ["identity-document", "application"]
        }),
    );
    c.set_now("2024-02-28T12:00:00Z");
    assert_refused(
        &c,
        &req,
        "under-age",
        "issuance refused on ground under-age (art. 14-1(4)): applicant is 15 on 2024-02-28, \
         under sixteen until 2024-02-29",
    );
    c.set_now("2024-02-29T00:00:00Z");
    c.issue(&req, true);
}

/// Issues individual-signing, revokes it on `ground` an hour later, publishes a CRL, and checks
/// what OpenSSL prints for the entry and what `eds ca show --json` records.
fn revoke_on_ground(ground: &str, article: &str, reason: &str, openssl_reason: Option<&str>) {
    let mut c = Center::ready();
    // Art. 18.1(5) concerns a legal entity's certificate only.
    let sample = if ground == "legal-entity-change" {
        "first-head-signing"
    } else {
        "individual-signing"
    };
    let serial = c.issue_sample(sample);
    c.set_now(&after(T0, Duration::hours(1)));
    let report = c.revoke(&serial, ground);
    assert_eq!(report["status"], "revoked");
    c.crl();
    let text = c.crl_text();
    let mut want = vec![
        format!("Serial Number: {serial}"),
        format!("Revocation Date: {}", openssl_time(c.now_at())),
    ];
    if let Some(r) = openssl_reason {
        want.extend([
            "CRL entry extensions:".to_owned(),
            "X509v3 CRL Reason Code:".to_owned(),
        ]);
        want.push(r.to_owned());
    }
    assert_eq!(revoked_entries(&text), want, "{text}");
    assert!(!text.contains("Certificate Hold"), "{text}");
    let v = c.openssl_verify(&c.cert_path(&serial), true);
    assert_code(&v, 2);
    assert!(both(&v).contains("certificate revoked"), "{}", both(&v));

    let shown = c.show(&serial);
    assert_eq!(shown["status"], "revoked");
    assert_eq!(
        shown["revocation"],
        json!({
            "ground": ground,
            "article": article,
            "reason": reason,
            "revoked_at": "2026-03-02T11:00:00Z",
            "received_at": "2026-03-02T11:00:00Z",
            "notified_by": "the holder",
            "invalidity_date": null,
        })
    );
    assert_eq!(report["revocation"], shown["revocation"]);
}

#[test]
fn ok_revoked_on_holder_request_has_no_reason_code() {
    revoke_on_ground("holder-request", "18.1(1)", "unspecified", None);
}

#[test]
fn ok_revoked_on_key_compromise() {
    revoke_on_ground(
        "key-compromise",
        "17.1",
        "keyCompromise",
        Some("Key Compromise"),
    );
}

#[test]
fn ok_revoked_on_false_or_incomplete_documents() {
    revoke_on_ground(
        "false-or-incomplete-documents",
        "18.1(2)",
        "privilegeWithdrawn",
        Some("Privilege Withdrawn"),
    );
}

#[test]
fn ok_revoked_on_death() {
    revoke_on_ground(
        "death",
        "18.1(3)",
        "cessationOfOperation",
        Some("Cessation Of Operation"),
    );
}

#[test]
fn ok_revoked_on_name_change() {
    revoke_on_ground("name-change", "18.1(4)", "superseded", Some("Superseded"));
}

#[test]
fn ok_revoked_on_legal_entity_change() {
    revoke_on_ground(
        "legal-entity-change",
        "18.1(5)",
        "affiliationChanged",
        Some("Affiliation Changed"),
    );
}

#[test]
fn ok_revoked_on_agreement() {
    revoke_on_ground(
        "agreement",
        "18.1(6)",
        "cessationOfOperation",
        Some("Cessation Of Operation"),
    );
}

#[test]
fn ok_revoked_on_court_decision() {
    revoke_on_ground(
        "court-decision",
        "18.1(7)",
        "privilegeWithdrawn",
        Some("Privilege Withdrawn"),
    );
}

#[test]
fn fail_revoke_twice_names_the_first_revocation_and_changes_nothing() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.set_now(&after(T0, Duration::hours(1)));
    c.revoke(&serial, "key-compromise");
    let shown = c.show(&serial);
    let audit = c.audit_entries();

    c.set_now(&after(T0, Duration::hours(2)));
    let o = c.run(&[
        "ca",
        "revoke",
        &serial,
        "--ground",
        "death",
        "--notified-by",
        "registry",
    ]);
    assert_code(&o, 4);
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "error: revoke certificate: serial {serial} was already revoked at 2026-03-02 11:00:00"
        )),
        "{err}"
    );
    assert!(err.contains("(key-compromise)"), "{err}");
    assert!(err.contains("hint: nothing was changed"), "{err}");
    assert_eq!(c.show(&serial), shown, "the register changed");
    assert_eq!(c.audit_entries(), audit, "the audit log changed");
    c.assert_audit_intact(audit.len().try_into().unwrap());
}

#[test]
fn fail_unknown_serial_is_not_found() {
    let c = Center::ready();
    let serial = "7F0102030405060708090A0B0C0D0E0F10111213";
    let o = c.run(&[
        "ca",
        "revoke",
        serial,
        "--ground",
        "holder-request",
        "--notified-by",
        "x",
    ]);
    assert_code(&o, 5);
    assert!(
        stderr(&o).contains(&format!(
            "find certificate: serial {serial} is not registered"
        )),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("hint: `eds ca list` shows the serials"),
        "{}",
        stderr(&o)
    );
    let o = c.run(&["ca", "show", serial]);
    assert_code(&o, 5);
    assert!(stderr(&o).contains("is not registered"), "{}", stderr(&o));
}

#[test]
fn fail_wrong_passphrase() {
    let c = Center::ready();
    let audit = c.audit_entries();
    // The CRL `eds ca init` published stays as it was.
    let crl = fs::read(c.data.join("crl/issuing.crl")).unwrap();
    let o = c.run_env(
        &["ca", "crl"],
        &[("EDS_CA_PASSPHRASE", "not-the-passphrase")],
    );
    assert_code(&o, 6);
    assert!(
        stderr(&o).contains("error: decrypt the center's key: wrong passphrase"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("hint: set EDS_CA_PASSPHRASE"),
        "{}",
        stderr(&o)
    );
    let o = c.run_env(
        &[
            "ca",
            "issue",
            request("individual-signing").to_str().unwrap(),
            "--generate-key",
        ],
        &[("EDS_CA_PASSPHRASE", "not-the-passphrase")],
    );
    assert_code(&o, 6);
    assert_eq!(c.owner_serials(), Vec::<String>::new());
    assert_eq!(c.audit_entries(), audit);
    assert_eq!(fs::read(c.data.join("crl/issuing.crl")).unwrap(), crl);
}

#[test]
fn fail_init_twice_is_a_conflict() {
    let c = Center::new();
    c.init("p256");
    let root = fs::read(c.root()).unwrap();
    let key = fs::read(c.data.join("issuing.key.pem")).unwrap();
    let o = c.run(&["ca", "init", "--algorithm", "p384"]);
    assert_code(&o, 4);
    assert!(
        stderr(&o).contains(&format!(
            "error: initialise a center: {} already holds one",
            c.data.display()
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(c.root()).unwrap(), root);
    assert_eq!(fs::read(c.data.join("issuing.key.pem")).unwrap(), key);
    // Initialised, then its first CRLs published.
    c.assert_audit_intact(3);
}

#[test]
fn fail_no_passphrase_in_the_environment() {
    let c = Center::new();
    let o = c.run_env(&["ca", "init"], &[("EDS_CA_PASSPHRASE", "")]);
    assert_code(&o, 64);
    assert_eq!(
        stderr(&o),
        "error: no passphrase for the center's keys: set EDS_CA_PASSPHRASE or pass \
         --passphrase-file FILE (keys on a token: EDS_PKCS11_PIN or --pin-file)\nhint: export \
         EDS_CA_PASSPHRASE (never on the command line), or give --passphrase-file\n"
    );
    assert!(!c.data.exists());
    c.init("p256");
    let o = c.run_env(&["ca", "crl"], &[("EDS_CA_PASSPHRASE", "")]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("set EDS_CA_PASSPHRASE or pass --passphrase-file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_no_center_in_the_data_folder() {
    let c = Center::new();
    let o = c.run(&["ca", "list"]);
    assert_code(&o, 5);
    assert!(stderr(&o).contains("holds no center"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: create a center with `eds ca init"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_usage_error_exits_64() {
    let c = Center::ready();
    let o = c.run(&["ca", "revoke", "7F01", "--notified-by", "x"]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("--ground <GROUND>"), "{}", stderr(&o));
    let o = c.run(&[
        "ca",
        "revoke",
        "7F01",
        "--ground",
        "suspend",
        "--notified-by",
        "x",
    ]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("invalid value 'suspend'"),
        "{}",
        stderr(&o)
    );
}

/// The shipped registry with `edit` applied.
fn registry_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut r: Value =
        serde_json::from_slice(&fs::read(fixture("registry.json")).unwrap()).unwrap();
    edit(&mut r);
    r
}

fn person<'a>(r: &'a mut Value, iin: &str) -> &'a mut Value {
    r["persons"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["iin"] == iin)
        .unwrap()
}

#[test]
fn ok_registry_events_revoke_the_affected_certificates_only() {
    let mut c = Center::ready();
    let died = c.issue_sample("individual-signing");
    let renamed = c.issue_sample("individual-authentication");
    let head = c.issue_sample("first-head-signing");
    let employee = c.issue_sample("employee-signing-right");
    let foreigner = c.issue_sample("non-resident-signing");

    // Art. 18.1(3), (4), (5): a death, a new surname, a new head.
    c.set_now(&after(T0, Duration::hours(1)));
    let report = c.import_json(
        "registry-1.json",
        &registry_with(|r| {
            person(r, "850314300122")["death_date"] = json!("2026-03-01");
            person(r, "900701400233")["surname"] = json!("ОРАЗОВА");
            r["entities"][0]["head_iin"] = json!("950210400451");
        }),
    );
    let mut revoked: Vec<(String, String)> = report["revoked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["serial"].as_str().unwrap().to_owned(),
                r["revocation"]["ground"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    revoked.sort();
    let mut want = vec![
        (died.clone(), "death".to_owned()),
        (renamed.clone(), "name-change".to_owned()),
        (head.clone(), "legal-entity-change".to_owned()),
    ];
    want.sort();
    assert_eq!(revoked, want, "{report}");

    let d = c.show(&died);
    assert_eq!(d["revocation"]["ground"], "death");
    assert_eq!(d["revocation"]["article"], "18.1(3)");
    assert_eq!(d["revocation"]["notified_by"], "registry");
    assert_eq!(d["revocation"]["revoked_at"], "2026-03-02T11:00:00Z");
    // Died on 1 March 2026: invalid from 00:00 that day in Astana (UTC+5, eds_profile::kz_time).
    assert_eq!(d["revocation"]["invalidity_date"], "2026-02-28T19:00:00Z");
    let n = ok_json(&c.run(&["--json", "ca", "show", &renamed, "--include-confidential"]));
    assert_eq!(n["revocation"]["ground"], "name-change");
    assert_eq!(n["revocation"]["reason"], "superseded");
    assert_eq!(c.show(&head)["revocation"]["ground"], "legal-entity-change");
    assert_eq!(c.show(&head)["revocation"]["reason"], "affiliationChanged");
    assert_eq!(c.show(&employee)["status"], "valid");
    assert_eq!(c.show(&foreigner)["status"], "valid");

    // Art. 18.1(5): liquidation revokes the entity's remaining certificates.
    c.set_now(&after(T0, Duration::hours(2)));
    let report = c.import_json(
        "registry-2.json",
        &registry_with(|r| {
            person(r, "850314300122")["death_date"] = json!("2026-03-01");
            person(r, "900701400233")["surname"] = json!("ОРАЗОВА");
            r["entities"][0]["head_iin"] = json!("950210400451");
            r["entities"][0]["liquidated_on"] = json!("2026-03-02");
        }),
    );
    let serials: Vec<&str> = report["revoked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["serial"].as_str().unwrap())
        .collect();
    assert_eq!(serials, [employee.as_str()], "{report}");
    let e = c.show(&employee);
    assert_eq!(e["revocation"]["ground"], "legal-entity-change");
    assert_eq!(e["revocation"]["revoked_at"], "2026-03-02T12:00:00Z");
    assert_eq!(
        c.show(&died)["revocation"]["revoked_at"],
        "2026-03-02T11:00:00Z",
        "first stands"
    );
    assert_eq!(c.show(&foreigner)["status"], "valid");
    assert_eq!(
        c.list(&["--status", "revoked"]).as_array().unwrap().len(),
        4
    );

    // Importing the same file again revokes nothing more.
    let again = c.import(&c.path("registry-2.json"));
    assert_eq!(again["revoked"], json!([]));

    c.crl();
    let text = c.crl_text();
    assert_eq!(text.matches("Serial Number:").count(), 4, "{text}");
    assert!(!text.contains(&foreigner), "{text}");
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(0), "{v}");
}

#[test]
fn fail_archive_within_five_years_then_ok_after() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    let kept = c.issue_sample("individual-authentication");
    c.revoke(&serial, "holder-request");

    let early = c.path("early.jsonl");
    let o = c.run(&[
        "--now",
        "2030-03-02T10:00:00Z",
        "ca",
        "archive",
        "--out",
        early.to_str().unwrap(),
        &serial,
    ]);
    assert_code(&o, 4);
    assert!(
        stderr(&o).contains(&format!(
            "error: archive {serial}: revoked on 2026-03-02 10:00:00"
        )),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("kept until 2031-03-02 10:00:00"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("(art. 16.2)"), "{}", stderr(&o));
    assert!(stderr(&o).contains("hint: EDS law art. 16.2 keeps revoked certificates five years"));
    assert!(!early.exists(), "no archive file on refusal");
    assert_eq!(c.show(&serial)["status"], "revoked");

    // A valid certificate is never archived.
    let o = c.run(&[
        "--now",
        "2031-03-03T10:00:00Z",
        "ca",
        "archive",
        "--out",
        early.to_str().unwrap(),
        &kept,
    ]);
    assert_code(&o, 4);
    assert!(stderr(&o).contains(&format!("archive {kept}: the certificate is not revoked")));

    let archive = c.path("archive.jsonl");
    let o = c.run(&[
        "--json",
        "--now",
        "2031-03-03T10:00:00Z",
        "ca",
        "archive",
        "--out",
        archive.to_str().unwrap(),
        &serial,
    ]);
    let report: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(report["archived"], 1);
    assert_eq!(c.owner_serials(), [kept.as_str()]);
    let o = c.run(&["ca", "show", &serial]);
    assert_code(&o, 5);

    let text = fs::read_to_string(&archive).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let line: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(line["record"]["serial"], serial.as_str());
    assert_eq!(line["record"]["revocation"]["ground"], "holder-request");
    assert_eq!(line["record"]["iin"], "850314300122");
    let pem_text = line["certificate_pem"].as_str().unwrap();
    let cert = fs::read_to_string(c.cert_path(&serial)).unwrap();
    assert_eq!(
        pem_bodies(pem_text, "CERTIFICATE"),
        pem_bodies(&cert, "CERTIFICATE")
    );
    let actions: Vec<Value> = c
        .audit_entries()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions.last().unwrap(), "certificates-archived");
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(0), "{v}");
}

#[test]
fn ok_public_register_redacts_confidential_owners() {
    let c = Center::ready();
    let secret = c.issue_sample("individual-authentication");
    let open = c.issue_sample("individual-signing");

    let o = c.run(&["--json", "ca", "list"]);
    let text = ok(&o);
    assert!(
        !text.contains("900701400233"),
        "the confidential IIN leaked:\n{text}"
    );
    assert!(
        !text.contains("ҚАСЫМОВА"),
        "the confidential name leaked:\n{text}"
    );
    let list: Value = serde_json::from_str(&text).unwrap();
    let entry = |l: &Value, s: &str| {
        l.as_array()
            .unwrap()
            .iter()
            .find(|c| c["serial"] == s)
            .unwrap()
            .clone()
    };
    let hidden = entry(&list, &secret);
    assert_eq!(hidden["subject"], "[confidential, art. 23]");
    assert_eq!(hidden["iin"], "[confidential, art. 23]");
    assert_eq!(hidden["confidential"], true);
    assert_eq!(hidden["key_purpose"], "authentication");
    let shown = entry(&list, &open);
    assert_eq!(shown["iin"], "850314300122");
    assert_eq!(shown["confidential"], false);
    assert!(
        shown["subject"].as_str().unwrap().contains("АХМЕТОВ ЕРЛАН"),
        "{shown}"
    );

    let full = c.list(&["--include-confidential"]);
    let revealed = entry(&full, &secret);
    assert_eq!(revealed["iin"], "900701400233");
    assert!(
        revealed["subject"]
            .as_str()
            .unwrap()
            .contains("ҚАСЫМОВА ӘЙГЕРІМ"),
        "{revealed}"
    );

    let one = c.show(&secret);
    assert_eq!(one["subject"], "[confidential, art. 23]");
    assert_eq!(one["iin"], "[confidential, art. 23]");
    // Searching the public register by the IIN does not even reveal that the person holds a
    // certificate; an operator's search does.
    let by_iin = c.list(&["--iin", "900701400233"]);
    assert_eq!(by_iin, serde_json::json!([]));
    let by_iin = c.list(&["--iin", "900701400233", "--include-confidential"]);
    assert_eq!(by_iin.as_array().map(Vec::len), Some(1), "{by_iin}");
    assert_eq!(by_iin[0]["serial"], secret.as_str());
}

/// A session of operations of every kind, for the audit tests.
fn session(c: &mut Center) {
    c.issue_sample("individual-signing");
    let s = c.issue_sample("first-head-signing");
    assert_code(&c.try_issue(&request("refused-under-age"), true), 3);
    ok(&c.run(&[
        "ca",
        "ban",
        "--iin",
        "950210400451",
        "--decision",
        "2-99/2026",
    ]));
    c.set_now(&after(T0, Duration::minutes(30)));
    c.revoke(&s, "agreement");
    c.crl();
}

#[test]
fn ok_audit_chain_intact_after_a_session() {
    let mut c = Center::ready();
    session(&mut c);
    let entries = c.audit_entries();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let mut want = vec!["center-initialised", "crl-issued", "root-crl-issued"];
    want.extend(["registry-person-added"; 7]);
    want.extend([
        "registry-entity-added",
        "certificate-issued",
        "certificate-issued",
        "issuance-refused",
        "court-decision-recorded",
        "certificate-revoked",
        "crl-issued",
        "root-crl-issued",
    ]);
    assert_eq!(actions, want);
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=18).collect::<Vec<u64>>());
    c.assert_audit_intact(18);
    let o = c.run(&["ca", "audit", "verify"]);
    assert!(
        ok(&o).starts_with("audit log intact: 18 entries, head "),
        "{}",
        stdout(&o)
    );
}

fn tamper(c: &Center, sql: &str) {
    let db = rusqlite::Connection::open(c.data.join("register.sqlite")).unwrap();
    let changed = db.execute(sql, []).unwrap();
    assert_eq!(changed, 1, "{sql}");
}

#[test]
fn fail_audit_broken_by_an_edited_entry() {
    let mut c = Center::ready();
    session(&mut c);
    tamper(
        &c,
        r#"UPDATE audit_log SET details = '{"iin":"000000000000"}' WHERE seq = 10"#,
    );
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(7), "{v}");
    assert_eq!(
        v,
        json!({"verdict": "broken", "seq": 10, "problem": {"problem": "hash-mismatch"}})
    );
    let o = c.run(&["ca", "audit", "verify"]);
    assert_code(&o, 7);
    assert!(stdout(&o).starts_with("audit log BROKEN"), "{}", stdout(&o));
}

#[test]
fn fail_audit_broken_by_deleting_the_last_entry() {
    let mut c = Center::ready();
    session(&mut c);
    tamper(
        &c,
        "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
    );
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(7), "{v}");
    assert_eq!(
        v,
        json!({"verdict": "broken", "seq": 18,
               "problem": {"problem": "truncated", "recorded": 18, "found": 17}})
    );
}

#[test]
fn fail_audit_broken_by_deleting_a_middle_entry() {
    let mut c = Center::ready();
    session(&mut c);
    tamper(&c, "DELETE FROM audit_log WHERE seq = 5");
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(7), "{v}");
    assert_eq!(
        v,
        json!({"verdict": "broken", "seq": 5,
               "problem": {"problem": "gap-in-sequence", "expected": 5, "found": 6}})
    );
}

#[test]
fn ok_secret_files_have_mode_0600() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    for f in ["root.key.pem", "issuing.key.pem", "register.sqlite"] {
        assert_eq!(mode(&c.data.join(f)), 0o600, "{f}");
    }
    for f in [
        "register.sqlite-wal",
        "register.sqlite-shm",
        "register.sqlite-journal",
    ] {
        let p = c.data.join(f);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{f}");
        }
    }
    assert_eq!(mode(&c.out.join(format!("{serial}.key.pem"))), 0o600);
    assert_eq!(mode(&c.out.join(format!("{serial}.p12"))), 0o600);
    assert_eq!(mode(&c.cert_path(&serial)), 0o644);
    assert_eq!(mode(&c.root()), 0o644);
}

#[test]
fn ok_demo_issues_five_and_refuses_three() {
    let c = Center::new();
    let demo = c.path("demo");
    let o = c.run(&["--json", "demo", "--data", demo.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    let requests = v["requests"].as_array().unwrap();
    let issued: Vec<&str> = requests
        .iter()
        .filter(|r| r.get("issued").is_some())
        .map(|r| r["request"].as_str().unwrap())
        .collect();
    let refused: Vec<(&str, &str)> = requests
        .iter()
        .filter(|r| r.get("refused").is_some())
        .map(|r| {
            (
                r["request"].as_str().unwrap(),
                r["refused"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        issued,
        [
            "individual-signing",
            "individual-authentication",
            "first-head-signing",
            "employee-signing-right",
            "non-resident-signing"
        ]
    );
    assert_eq!(
        refused,
        [
            ("refused-under-age", "under-age"),
            ("refused-incomplete", "incomplete-documents"),
            ("refused-false-information", "false-information"),
        ]
    );
    assert_eq!(v["audit"]["verdict"], "intact", "{v}");
}

/// RFC 5280 §3.3: an expired revoked certificate leaves the CRL; EDS law art. 16.2: it stays in
/// the register.
#[test]
fn ok_expired_revoked_certificate_leaves_the_crl_but_stays_in_the_register() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.revoke(&serial, "key-compromise");
    c.crl();
    assert_eq!(c.crl_text().matches("Serial Number:").count(), 1);
    // The certificate's notAfter is 2027-03-02T10:00:00Z; at that instant it is still listed.
    c.set_now("2027-03-02T10:00:00Z");
    c.crl();
    assert_eq!(
        c.crl_text().matches("Serial Number:").count(),
        1,
        "{}",
        c.crl_text()
    );
    c.set_now("2027-03-02T10:00:01Z");
    c.crl();
    let text = c.crl_text();
    assert!(text.contains("No Revoked Certificates."), "{text}");
    // CRL #1 was published by `eds ca init`.
    assert_eq!(field(&text, "X509v3 CRL Number").1, "4", "{text}");
    assert_eq!(c.show(&serial)["revocation"]["ground"], "key-compromise");
}

/// Only owner certificates are revoked through `eds ca revoke`; the CA certificates are not.
#[test]
fn fail_revoke_a_ca_certificate_is_a_conflict() {
    let c = Center::ready();
    let list = c.list(&[]);
    let root = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "ca-root")
        .unwrap()["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit = c.audit_entries();
    let o = c.run(&[
        "ca",
        "revoke",
        &root,
        "--ground",
        "key-compromise",
        "--notified-by",
        "x",
    ]);
    assert_code(&o, 4);
    assert!(
        stderr(&o).contains(&format!(
            "error: revoke {root}: not an owner certificate of the issuing center"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(c.audit_entries(), audit);
}

#[test]
fn fail_init_with_a_clock_outside_certificate_times_is_an_error_not_a_panic() {
    for now in [
        "1900-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "9990-01-01T00:00:00Z",
    ] {
        let mut c = Center::new();
        c.set_now(now);
        let o = c.run(&["ca", "init"]);
        assert_code(&o, 69);
        assert!(
            stderr(&o).contains("certificate times run from 1950 to 9999"),
            "{now}: {}",
            stderr(&o)
        );
        assert!(!c.data.join("center.json").exists());
    }
}

/// A request of the shipped sample `name` carrying a CSR that `openssl req` makes with
/// `key_args` (e.g. `["-newkey", "rsa:1024"]`) and any extra options, the key kept beside it.
fn request_with_openssl_csr(
    c: &Center,
    name: &str,
    tag: &str,
    args: &[&str],
) -> std::path::PathBuf {
    let key = c.path(&format!("{tag}.key.pem"));
    let csr = c.path(&format!("{tag}.csr.pem"));
    if !csr.exists() {
        let mut all = vec!["req", "-new", "-nodes", "-subj", "/CN=x"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            csr.to_str().unwrap(),
        ]);
        openssl_ok(&all);
    }
    let mut req: Value = serde_json::from_slice(&fs::read(request(name)).unwrap()).unwrap();
    req["csr_pem"] = json!(fs::read_to_string(&csr).unwrap());
    c.write_request(&format!("{name}-{tag}"), &req)
}

/// Runs a request the key policy (art. 21.1) refuses: exit 3, exactly `message` in the JSON error
/// object, the refusal listed with its ground and audited, nothing more issued.
#[track_caller]
fn assert_key_refused(c: &Center, req: &std::path::Path, ground: &str, message: &str) {
    let before = c.owner_serials();
    let o = c.try_issue(req, false);
    assert_code(&o, 3);
    // `try_issue` passes --json: the error is one JSON object on stderr (docs/exit-codes.md).
    let e: Value = serde_json::from_str(&stderr(&o))
        .unwrap_or_else(|x| panic!("not a JSON error ({x}):\n{}", stderr(&o)));
    assert_eq!(e["exit_code"], 3, "{e}");
    assert_eq!(e["error"]["kind"], "refused", "{e}");
    assert_eq!(e["error"]["message"], message, "{e}");
    assert_eq!(stdout(&o), "");
    assert_eq!(c.owner_serials(), before, "nothing more may be issued");
    let refusals = ok_json(&c.run(&["--json", "ca", "refusals"]));
    let last = refusals.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["ground"], ground, "{last}");
    assert_eq!(
        c.audit_entries().last().unwrap()["action"],
        "issuance-refused"
    );
}

const P256: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

/// Art. 21.1: one public key, one holder. The key certified to IIN 850314300122 is certified
/// to it again, and OpenSSL verifies both; for IIN 900701400233 it is refused (exit 3) on its own
/// ground, naming the first certificate.
#[test]
fn fail_same_key_for_a_second_iin_and_ok_for_the_same_iin() {
    let c = Center::ready();
    let first = c.issue(
        &request_with_openssl_csr(&c, "individual-signing", "shared", &P256),
        false,
    );
    let again = c.issue(
        &request_with_openssl_csr(&c, "individual-signing", "shared", &P256),
        false,
    );
    assert_ne!(first, again);
    for serial in [&first, &again] {
        let v = c.openssl_verify(&c.cert_path(serial), false);
        assert_code(&v, 0);
    }
    assert_key_refused(
        &c,
        &request_with_openssl_csr(&c, "individual-authentication", "shared", &P256),
        "key-of-another-holder",
        &format!(
            "issuance refused on ground key-of-another-holder (art. 21.1): key of another holder: \
             the public key is already certified to IIN 850314300122 in certificate {first}"
        ),
    );
    // Another key for the second holder is fine.
    c.issue(
        &request_with_openssl_csr(&c, "individual-authentication", "own", &P256),
        false,
    );
}

#[test]
fn fail_rsa_1024_key_and_ok_rsa_2048() {
    let c = Center::ready();
    assert_key_refused(
        &c,
        &request_with_openssl_csr(
            &c,
            "individual-signing",
            "rsa1024",
            &["-newkey", "rsa:1024"],
        ),
        "unacceptable-key",
        "issuance refused on ground unacceptable-key (art. 21.1): unacceptable key: RSA key of \
         1024 bits, the center requires at least 2048",
    );
    let serial = c.issue(
        &request_with_openssl_csr(
            &c,
            "individual-signing",
            "rsa2048",
            &["-newkey", "rsa:2048"],
        ),
        false,
    );
    let v = c.openssl_verify(&c.cert_path(&serial), false);
    assert_code(&v, 0);
}

/// An unsupported curve is refused as such, not as "self-signature does not verify".
#[test]
fn fail_p192_and_secp256k1_keys_as_unsupported_curves() {
    let c = Center::ready();
    for (curve, named) in [("P-192", "P-192 (secp192r1)"), ("secp256k1", "secp256k1")] {
        let opt = format!("ec_paramgen_curve:{curve}");
        assert_key_refused(
            &c,
            &request_with_openssl_csr(
                &c,
                "individual-signing",
                curve,
                &["-newkey", "ec", "-pkeyopt", &opt],
            ),
            "unacceptable-key",
            &format!(
                "issuance refused on ground unacceptable-key (art. 21.1): unacceptable key: \
                 elliptic curve {named} is not supported (the center certifies RSA (2048 bits or \
                 more), P-256, P-384, Ed25519)"
            ),
        );
    }
}

#[test]
fn fail_sha1_self_signed_requests() {
    let c = Center::ready();
    for (tag, args, algorithm) in [
        (
            "ec-sha1",
            vec![
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-sha1",
            ],
            "ecdsa-with-SHA1",
        ),
        (
            "rsa-sha1",
            vec!["-newkey", "rsa:2048", "-sha1"],
            "sha1WithRSAEncryption",
        ),
    ] {
        assert_key_refused(
            &c,
            &request_with_openssl_csr(&c, "individual-signing", tag, &args),
            "unacceptable-key",
            &format!(
                "issuance refused on ground unacceptable-key (art. 21.1): unacceptable key: the \
                 request is self-signed with {algorithm}, a broken hash"
            ),
        );
    }
}

/// Art. 14-1(2): a registry birth date that differs from the IIN's digits is not false
/// information. The certificate is issued, the JSON report and the audit entry carry the warning;
/// a stated birth date against the registry is refused as false information.
#[test]
fn art14_1_2_registry_birth_date_differs_from_iin_warns_not_refuses() {
    let c = Center::ready();
    let iin = make_iin(date!(1990 - 05 - 05), false);
    c.import_json(
        "differs.json",
        &json!({"persons": [{
            "iin": iin, "surname": "ҚАСЫМОВ", "name": "ДӘУРЕН", "patronymic": null,
            "birth_date": "1990-06-01", "death_date": null
        }]}),
    );
    let req = c.write_request(
        "differs",
        &json!({
            "applicant": {"iin": iin, "surname": "Қасымов", "name": "Дәурен"},
            "key_purpose": "signing",
            "documents": ["identity-document", "application"]
        }),
    );
    let report = ok_json(&c.try_issue(&req, true));
    assert_eq!(
        report["warnings"],
        json!([{
            "warning": {
                "kind": "birth-date-differs-from-iin",
                "iin_digits": "1990-05-05",
                "registry": "1990-06-01"
            },
            "message": "the registry's birth date 1990-06-01 differs from 1990-05-05 in the \
                        IIN's digits; the registry's date is used"
        }])
    );
    let audit = c.audit_entries();
    let last = audit.last().unwrap();
    assert_eq!(last["action"], "certificate-issued");
    let details: Value = serde_json::from_str(last["details"].as_str().unwrap()).unwrap();
    assert_eq!(
        details["warnings"][0]["kind"],
        "birth-date-differs-from-iin"
    );

    let stated = c.write_request(
        "differs-stated",
        &json!({
            "applicant": {"iin": iin, "surname": "Қасымов", "name": "Дәурен",
                          "birth_date": "1990-05-05"},
            "key_purpose": "signing",
            "documents": ["identity-document", "application"]
        }),
    );
    let o = c.try_issue(&stated, true);
    assert_code(&o, 3);
    let e: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(
        e["error"]["message"],
        "issuance refused on ground false-information (art. 14-1(2)): false information: \
         birth-date is \"1990-05-05\" but the registry has \"1990-06-01\""
    );
}

/// Runs `eds --json ca revoke SERIAL --ground holder-request --received-at RECEIVED`.
fn revoke_received_at(c: &Center, serial: &str, received: &str) -> std::process::Output {
    c.run(&[
        "--json",
        "ca",
        "revoke",
        serial,
        "--ground",
        "holder-request",
        "--notified-by",
        "the holder",
        "--received-at",
        received,
    ])
}

/// Art. 18.3: the register is changed within one day of the notice. A notice received eight
/// days before the change is recorded (the article binds the center, it does not void the
/// notice) and flagged late in the report and the audit entry; one received within the day is
/// not flagged.
#[test]
fn art18_3_stale_revocation_notice_is_recorded_and_flagged_late() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.set_now(&after(T0, Duration::days(8)));
    let o = revoke_received_at(&c, &serial, T0);
    let v = ok_json(&o);
    assert_eq!(v["status"], "revoked");
    assert_eq!(
        v["late"],
        json!({
            "received_at": "2026-03-02T10:00:00Z",
            "due_by": "2026-03-03T10:00:00Z",
            "revoked_at": "2026-03-10T10:00:00Z"
        })
    );
    let audit = c.audit_entries();
    let last = audit.last().unwrap();
    assert_eq!(last["action"], "certificate-revoked");
    let details: Value = serde_json::from_str(last["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["late"]["due_by"], "2026-03-03T10:00:00Z");

    // Without --json the warning is on stderr.
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.set_now(&after(T0, Duration::days(8)));
    let o = c.run(&[
        "ca",
        "revoke",
        &serial,
        "--ground",
        "holder-request",
        "--notified-by",
        "the holder",
        "--received-at",
        T0,
    ]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains(
            "warning: the register is changed at 2026-03-10 10:00:00.0 +00:00:00 on a notice \
             received at 2026-03-02 10:00:00.0 +00:00:00, after the term of one day ending at \
             2026-03-03 10:00:00.0 +00:00:00 (art. 18.3)"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn art18_3_revocation_notice_within_the_day_is_not_flagged() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.set_now(&after(T0, Duration::hours(24)));
    let v = ok_json(&revoke_received_at(&c, &serial, T0));
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["late"], Value::Null);
}

/// Art. 18.3: information received after the change it causes (here: in the future of the
/// center's clock) is refused, exit 3, and nothing changes.
#[test]
fn art18_3_revocation_notice_received_after_the_revocation_refused() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.set_now(&after(T0, Duration::hours(1)));
    let o = revoke_received_at(&c, &serial, "2026-03-02T11:00:01Z");
    assert_code(&o, 3);
    let e: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(e["error"]["kind"], "refused");
    assert_eq!(
        e["error"]["message"],
        format!(
            "revoke {serial}: the notice is received at 2026-03-02 11:00:01.0 +00:00:00, after \
             the revocation at 2026-03-02 11:00:00.0 +00:00:00: the register is changed on \
             information already received (art. 18.3)"
        )
    );
    assert_eq!(c.show(&serial)["status"], "valid");
}

/// Art. 18.1(5): a legal-entity ground on an individual's certificate is refused (exit 3), the
/// certificate stays valid; the same ground on a legal entity's certificate revokes it.
#[test]
fn art18_1_5_legal_entity_ground_on_an_individual_certificate_refused() {
    let mut c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.set_now(&after(T0, Duration::hours(1)));
    let o = c.run(&[
        "--json",
        "ca",
        "revoke",
        &serial,
        "--ground",
        "legal-entity-change",
        "--notified-by",
        "the registry",
    ]);
    assert_code(&o, 3);
    let e: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(e["error"]["kind"], "refused");
    assert_eq!(
        e["error"]["message"],
        format!(
            "revoke {serial}: ground legal-entity-change (art. 18.1(5)) concerns a legal \
             entity, and the certificate is individual's"
        )
    );
    assert_eq!(c.show(&serial)["status"], "valid");
    let head = c.issue_sample("first-head-signing");
    assert_eq!(c.revoke(&head, "legal-entity-change")["status"], "revoked");
}

/// Art. 14-1(3): a ban with the decision's term applies until its last day and not after; a ban
/// without a term applies until `eds ca unban` lifts it.
#[test]
fn art14_1_3_court_ban_ends_on_its_term_or_when_lifted() {
    let mut c = Center::ready();
    let ban = ok_json(&c.run(&[
        "--json",
        "ca",
        "ban",
        "--iin",
        "850314300122",
        "--decision",
        "2-77/2026 Astana city court",
        "--until",
        "2026-03-02",
    ]));
    assert_eq!(ban["ends_on"], "2026-03-02");
    // 2026-03-02T10:00Z is the last day of the ban: refused.
    assert_refused(
        &c,
        &request("individual-signing"),
        "court-decision",
        "issuance refused on ground court-decision (art. 14-1(3)): court decision in force: \
         2-77/2026 Astana city court",
    );
    // 00:00 on 3 March in Astana: the ban has ended.
    c.set_now("2026-03-02T19:00:00Z");
    c.issue_sample("individual-signing");

    // Without a term: in force until lifted.
    let mut c = Center::ready();
    let ban = ok_json(&c.run(&[
        "--json",
        "ca",
        "ban",
        "--iin",
        "850314300122",
        "--decision",
        "2-78/2026 Astana city court",
    ]));
    let id = ban["id"].as_i64().unwrap().to_string();
    c.set_now("2026-03-20T10:00:00Z");
    assert_code(&c.try_issue(&request("individual-signing"), true), 3);
    let lifted = ok_json(&c.run(&[
        "--json",
        "ca",
        "unban",
        &id,
        "--decision",
        "3-12/2026 appeal board",
    ]));
    assert_eq!(lifted["lifted_on"], "2026-03-20");
    let audit = c.audit_entries();
    assert_eq!(audit.last().unwrap()["action"], "court-decision-lifted");
    c.issue_sample("individual-signing");
    // Lifting an unknown ban: not found, exit 5.
    assert_code(&c.run(&["ca", "unban", "99", "--decision", "none"]), 5);
}
