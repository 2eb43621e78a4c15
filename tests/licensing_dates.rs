//! The demo of the licensing flow on the dates a reviewer would pick (issue 15, "How it is
//! checked"): a working day of 2025, across the new year (the application arrives at 23:57 on
//! 31 December 2025 in Astana), and at 00:30 Astana time on a sixteenth birthday (still the day
//! before in UTC). Each run asserts the dates the receipt and the licence carry, as the law reads
//! them: in Kazakhstan's time (UTC+5), on the working-day calendar of `profile/data/holidays`.
//! The expected dates are worked out by hand in the comments, day by day.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::PathBuf;

use serde_json::{Value, json};

use common::*;

/// `eds --json demo` with the clock at `now`: the center, the demo's answer, its folder.
fn demo_at(now: &str) -> (Center, Value, PathBuf) {
    let mut c = Center::new();
    c.set_now(now);
    let data = c.path("demo");
    let v = ok_json(&c.run(&["--json", "demo", "--data", data.to_str().unwrap()]));
    let dir = PathBuf::from(v["data"].as_str().unwrap());
    (c, v, dir)
}

/// The line of the demo's steps that reports the receipt of the individual's application.
fn receipt_line(v: &Value) -> String {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["text"].as_array().unwrap().iter())
        .filter_map(Value::as_str)
        .find(|l| l.starts_with("receipt signed by the body's head → receipt.json.p7s; "))
        .unwrap_or_else(|| panic!("no receipt line in {v}"))
        .to_owned()
}

/// The licence the demo issued (its canonical JSON beside the signed file).
fn licence(dir: &std::path::Path) -> Value {
    serde_json::from_slice(&fs::read(dir.join("licence.json")).unwrap()).unwrap()
}

/// What every demo run gives whatever the date: five certificates, three refusals (the minor
/// is fifteen on the demo's Astana date), a licence that passes.
fn assert_demo_outcome(v: &Value) {
    let outcomes: Vec<(String, String)> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r["request"].as_str().unwrap().to_owned();
            match r["refused"].as_str() {
                Some(g) => (name, g.to_owned()),
                None => (name, "issued".to_owned()),
            }
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("individual-signing", "issued"),
        ("individual-authentication", "issued"),
        ("first-head-signing", "issued"),
        ("employee-signing-right", "issued"),
        ("non-resident-signing", "issued"),
        ("refused-under-age", "under-age"),
        ("refused-incomplete", "incomplete-documents"),
        ("refused-false-information", "false-information"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    let mut got = outcomes;
    got.sort();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        v["licence"]["indication"], "TOTAL_PASSED",
        "{}",
        v["licence"]
    );
    assert_eq!(v["licence"]["licensing_passed"], true);
}

/// A Wednesday of 2025 (the calendar of 2025 with its transferred days): the application
/// arrives at 10:04 on 18 June 2025 in Astana, a working day in working hours, so it registers
/// that day. Service 2's 15 working days: 19, 20, 23–27, 30 June (8), 1–4 July (12), 7 July is
/// the day off for Capital Day (Sunday 6 July moved), 8, 9, 10 July (15): due 10 July 2025.
#[test]
fn demo_on_a_2025_date_has_the_2025_term() {
    let (_c, v, dir) = demo_at("2025-06-18T10:12:00+05:00");
    assert_demo_outcome(&v);
    assert_eq!(
        receipt_line(&v),
        "receipt signed by the body's head → receipt.json.p7s; registered on 2025-06-18, 15 \
         working days, decision due 2025-07-10"
    );
    let l = licence(&dir);
    assert_eq!(l["issued_on"], json!("2025-06-18"));
    assert_eq!(l["kind"], json!("licence"));
}

/// Across the new year: the demo's clock is 00:05 on 1 January 2026 in Astana, so the
/// application arrives at 23:57 on Wednesday 31 December 2025, after working hours. It registers
/// on the next working day: 1 and 2 January are New Year, 3 and 4 a weekend, so Monday 5 January
/// 2026. Then 6 (1), 7 is Orthodox Christmas, 8, 9 (3), 12–16 (8), 19–23 (13), 26, 27 (15): due
/// 27 January 2026. The licence, signed at 23:58 in Astana, is dated 31 December 2025 (the
/// UTC date, 31 December 18:58, agrees; the application's year is the old one).
#[test]
fn demo_across_the_new_year_registers_in_the_next_working_year() {
    let (_c, v, dir) = demo_at("2026-01-01T00:05:00+05:00");
    assert_demo_outcome(&v);
    assert_eq!(
        receipt_line(&v),
        "receipt signed by the body's head → receipt.json.p7s; registered on 2026-01-05, 15 \
         working days, decision due 2026-01-27"
    );
    let l = licence(&dir);
    assert_eq!(l["issued_on"], json!("2025-12-31"));
}

/// 00:30 on Monday 2 March 2026 in Astana is 19:30 on 1 March in UTC. The demo's documents carry
/// the Astana date: the application registers on 2 March (a working day; before 09:00 is not
/// "after the end of working hours"), the licence is dated 2 March, not 1 March. Service 2's 15
/// working days: 3–6 March (4), 9 March is the day off for 8 March (a Sunday), 10–13 (8), 16–20
/// (13), 23–25 are Nauryz, 26, 27 (15): due 27 March 2026.
///
/// The same instant is the sixteenth birthday of IIN 100302600011 (born 2 March 2010): the
/// center issues the certificate at 00:30 Astana time (art. 14: the age on Kazakhstan's date),
/// and refuses it at 23:30 on 1 March (18:30Z), when the person is still fifteen.
#[test]
fn demo_at_00_30_astana_on_a_sixteenth_birthday_dates_in_astana() {
    let (_c, v, dir) = demo_at("2026-03-02T00:30:00+05:00");
    assert_demo_outcome(&v);
    assert_eq!(
        receipt_line(&v),
        "receipt signed by the body's head → receipt.json.p7s; registered on 2026-03-02, 15 \
         working days, decision due 2026-03-27"
    );
    let l = licence(&dir);
    assert_eq!(l["issued_on"], json!("2026-03-02"));

    let mut c = Center::new();
    c.set_now("2026-03-01T18:00:00Z");
    c.init("p256");
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
    c.set_now("2026-03-01T18:30:00Z");
    let o = c.try_issue(&req, true);
    assert_code(&o, 3);
    let e: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(
        e["error"]["message"].as_str().unwrap().lines().next(),
        Some(
            "issuance refused on ground under-age (art. 14-1(4)): applicant is 15 on 2026-03-01, \
             under sixteen until 2026-03-02"
        ),
        "{e}"
    );
    c.set_now("2026-03-01T19:30:00Z");
    let serial = c.issue(&req, true);
    assert_eq!(c.show(&serial)["status"], "valid");
    assert_eq!(c.show(&serial)["not_before"], "2026-03-01T19:30:00Z");
}

/// Monday 20 December 2027: the application registers that day, but its 15 working days run
/// into January 2028, a year the calendar does not hold. The receipt is still given, with the
/// reason there is no deadline naming the missing year and the file to add; the licence is
/// issued (the term is the body's to keep, not a condition of the licence).
#[test]
fn demo_whose_term_runs_into_a_year_without_calendar_names_that_year() {
    let (_c, v, dir) = demo_at("2027-12-20T10:12:00+05:00");
    assert_demo_outcome(&v);
    assert_eq!(
        receipt_line(&v),
        "receipt signed by the body's head → receipt.json.p7s; not computed: no working-day \
         calendar for 2028: the embedded years are 2025-2027; add \
         profile/data/holidays/2028.json as docs/calendar.md describes"
    );
    assert_eq!(licence(&dir)["issued_on"], json!("2027-12-20"));
}
