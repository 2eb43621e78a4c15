//! Working days and terms on real dates of 2026 and 2027: holidays moved off weekends, Kurban
//! Ait, Orthodox Christmas, arrivals after hours and on days off, excluded periods, hearings.
//!
//! The 2026 days off are those of the official calendar (see `profile/data/holidays/2026.json`
//! for the sources). Every expected date below was counted by hand on that calendar and checked
//! with an independent script.

use eds_profile::calendar::{
    Calendar, CalendarError, DayKind, Deadline, Excluded, ExclusionRule, HearingTiming,
    exclusion_rules,
};
use eds_profile::documents::{Document, Procedure, Service};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

fn cal() -> Calendar {
    Calendar::embedded().unwrap_or_else(|e| panic!("{e}"))
}

fn due(
    service: Service,
    procedure: Procedure,
    arrived: OffsetDateTime,
    excluded: &[Excluded],
    hearing: bool,
) -> Deadline {
    match cal().deadline(service, procedure, arrived, excluded, hearing) {
        Ok(Some(d)) => d,
        other => panic!("{other:?}"),
    }
}

fn issue(service: Service, arrived: OffsetDateTime) -> (Date, Date) {
    let d = due(service, Procedure::Issue, arrived, &[], false);
    (d.registered_on, d.due)
}

#[test]
fn ok_embedded_years_and_published_days_off() {
    let c = cal();
    assert_eq!(c.years(), vec![2025, 2026, 2027]);
    let kinds = [
        (date!(2026 - 01 - 01), DayKind::Holiday("New Year")),
        (date!(2026 - 01 - 07), DayKind::OrthodoxChristmas),
        (
            date!(2026 - 03 - 08),
            DayKind::Holiday("International Women's Day"),
        ),
        (date!(2026 - 03 - 09), DayKind::MovedHoliday),
        (date!(2026 - 03 - 23), DayKind::Holiday("Nauryz meyramy")),
        (date!(2026 - 03 - 24), DayKind::MovedHoliday),
        (date!(2026 - 03 - 25), DayKind::MovedHoliday),
        (date!(2026 - 03 - 26), DayKind::Working),
        (date!(2026 - 05 - 11), DayKind::MovedHoliday),
        (date!(2026 - 05 - 27), DayKind::KurbanAit),
        (date!(2026 - 08 - 31), DayKind::MovedHoliday),
        (date!(2026 - 10 - 26), DayKind::MovedHoliday),
        (date!(2026 - 11 - 22), DayKind::Weekend),
        (date!(2026 - 12 - 16), DayKind::Holiday("Independence Day")),
        // 2027, from the rules alone: 2 January and 1 May on Saturday, 21 March and 9 May on
        // Sunday.
        (date!(2027 - 01 - 04), DayKind::MovedHoliday),
        (date!(2027 - 03 - 24), DayKind::MovedHoliday),
        (date!(2027 - 05 - 03), DayKind::MovedHoliday),
        (date!(2027 - 05 - 10), DayKind::MovedHoliday),
        (date!(2027 - 05 - 17), DayKind::Working),
    ];
    for (day, kind) in kinds {
        assert_eq!(c.day_kind(day), Ok(kind), "{day}");
    }
}

// ---- the ten-plus real cases ----

#[test]
fn ok_licence_across_nauryz() {
    // Friday 20 March 2026, 10:00: Nauryz and its two moved days off (21–25 March) are not
    // counted. 15 working days: 26, 27, 30, 31 March, 1–3, 6–10, 13–15 April.
    assert_eq!(
        issue(
            Service::SpecialMeansLicence,
            datetime!(2026-03-20 10:00 +05:00)
        ),
        (date!(2026 - 03 - 20), date!(2026 - 04 - 15))
    );
}

#[test]
fn ok_reissue_after_hours_before_defender_day() {
    // Wednesday 6 May 2026, 20:30: after hours; 7 May is a holiday, so the application registers
    // on Friday 8 May. 3 working days: 11 May is off (Victory Day on Saturday) → 12, 13, 14.
    let d = due(
        Service::CryptoDevelopmentLicence,
        Procedure::Reissue,
        datetime!(2026-05-06 20:30 +05:00),
        &[],
        false,
    );
    assert_eq!(
        (d.registered_on, d.due, d.working_days),
        (date!(2026 - 05 - 08), date!(2026 - 05 - 14), 3)
    );
    assert!(!d.provisional);
}

#[test]
fn ok_permit_across_kurban_ait() {
    // Sunday 24 May 2026: registers Monday 25 May; Kurban Ait (Wednesday 27 May) is skipped.
    // 8 working days: 26, 28, 29 May, 1–5 June.
    assert_eq!(
        issue(
            Service::CryptoTradePermit,
            datetime!(2026-05-24 12:00 +05:00)
        ),
        (date!(2026 - 05 - 25), date!(2026 - 06 - 05))
    );
}

#[test]
fn ok_conclusion_one_minute_before_closing() {
    // Friday 28 August 2026, 18:59: still that day. Constitution Day (Sunday 30 August) gives
    // Monday 31 August off. 5 working days: 1–4, 7 September.
    assert_eq!(
        issue(Service::TechnicalStudy, datetime!(2026-08-28 18:59 +05:00)),
        (date!(2026 - 08 - 28), date!(2026 - 09 - 07))
    );
}

#[test]
fn ok_conclusion_at_closing_time_counts_from_the_next_working_day() {
    // 19:00 is after the end of working hours: registration moves past 31 August to
    // 1 September; 5 working days: 2–4, 7, 8 September.
    assert_eq!(
        issue(Service::TechnicalStudy, datetime!(2026-08-28 19:00 +05:00)),
        (date!(2026 - 09 - 01), date!(2026 - 09 - 08))
    );
}

#[test]
fn ok_notification_across_republic_day_with_utc_arrival() {
    // 09:00 UTC is 14:00 in Kazakhstan on Thursday 22 October 2026. Republic Day (Sunday
    // 25 October) gives Monday 26 October off. 5 working days: 23, 27–30 October.
    assert_eq!(
        issue(
            Service::NotificationRegistration,
            datetime!(2026-10-22 09:00 UTC)
        ),
        (date!(2026 - 10 - 22), date!(2026 - 10 - 30))
    );
}

#[test]
fn ok_licence_across_new_year_is_provisional() {
    // Tuesday 15 December 2026, 23:30: after hours; 16 December is Independence Day, so the
    // application registers on Thursday 17 December. 15 working days cross into 2027: 18,
    // 21–25, 28–31 December; 1 January (Friday) and 4 January (for Saturday 2 January) off;
    // 5, 6 January; 7 January off (Christmas); 8, 11, 12 January.
    let d = due(
        Service::LeakageChannelsLicence,
        Procedure::Issue,
        datetime!(2026-12-15 23:30 +05:00),
        &[],
        false,
    );
    assert_eq!(
        (d.registered_on, d.due),
        (date!(2026 - 12 - 17), date!(2027 - 01 - 12))
    );
    // 2027's calendar is not published yet.
    assert!(d.provisional);
}

#[test]
fn ok_permit_with_samples_excluded_across_women_day() {
    // Monday 2 March 2026: registered that day. The samples notification is received on
    // Thursday 5 March; the 5 calendar days of 6–10 March are excluded. Working days counted:
    // 3, 4, 5, (6 excluded), (9 off for 8 March), (10 excluded), 11, 12, 13, 16, 17.
    let arrived = datetime!(2026-03-02 10:00 +05:00);
    let samples =
        Excluded::calendar_days(date!(2026 - 03 - 05), 5).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        samples,
        Excluded::between(date!(2026 - 03 - 06), date!(2026 - 03 - 10))
    );
    let with = due(
        Service::SpecialMeansTradePermit,
        Procedure::Issue,
        arrived,
        &[samples],
        false,
    );
    let without = due(
        Service::SpecialMeansTradePermit,
        Procedure::Issue,
        arrived,
        &[],
        false,
    );
    assert_eq!(with.due, date!(2026 - 03 - 17));
    assert_eq!(without.due, date!(2026 - 03 - 13));
}

#[test]
fn ok_technical_study_with_hearing_from_capital_day() {
    // Monday 6 July 2026 (Capital Day): registers Tuesday 7 July. The hearing adds 2 working
    // days to the 5 of service 6: 8–10, 13–16 July.
    let d = due(
        Service::TechnicalStudy,
        Procedure::Issue,
        datetime!(2026-07-06 10:00 +05:00),
        &[],
        true,
    );
    assert_eq!(
        (d.registered_on, d.working_days, d.due),
        (date!(2026 - 07 - 07), 7, date!(2026 - 07 - 16))
    );
    // The hearing extension is service 6's alone.
    let d = due(
        Service::CryptoSalePermit,
        Procedure::Issue,
        datetime!(2026-07-06 10:00 +05:00),
        &[],
        true,
    );
    assert_eq!((d.working_days, d.due), (8, date!(2026 - 07 - 17)));
}

#[test]
fn ok_notification_with_documents_period_in_may() {
    // Thursday 30 April 2026: registered. The provider asks for the manufacturer's document;
    // the notification is received Monday 4 May, and 3 working days (5, 6, 8 May; 7 May is a
    // holiday) are excluded. Counted: (1 May holiday) 4, (5–8 excluded), (11 off), 12, 13, 14,
    // 15 May.
    let c = cal();
    let docs = c
        .excluded_working_days(date!(2026 - 05 - 04), 3)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        docs,
        Excluded::between(date!(2026 - 05 - 05), date!(2026 - 05 - 08))
    );
    let d = due(
        Service::NotificationRegistration,
        Procedure::Issue,
        datetime!(2026-04-30 12:00 +05:00),
        &[docs],
        false,
    );
    assert_eq!(d.due, date!(2026 - 05 - 15));
}

#[test]
fn ok_reissue_before_opening_and_across_christmas() {
    // Monday 5 January 2026, 07:30: before opening, but not "after the end of working hours":
    // registered that day. 3 working days: 6, (7 Christmas), 8, 9 January.
    let d = due(
        Service::SpecialMeansLicence,
        Procedure::Reissue,
        datetime!(2026-01-05 07:30 +05:00),
        &[],
        false,
    );
    assert_eq!(
        (d.registered_on, d.due),
        (date!(2026 - 01 - 05), date!(2026 - 01 - 09))
    );
}

#[test]
fn ok_friday_evening_registers_after_the_long_weekend() {
    // Friday 6 March 2026, 14:30 UTC = 19:30 in Kazakhstan: the next working day is Tuesday
    // 10 March (7–8 weekend, 9 off for 8 March).
    assert_eq!(
        cal().registration_date(datetime!(2026-03-06 14:30 UTC)),
        Ok(date!(2026 - 03 - 10))
    );
}

#[test]
fn ok_hearing_notice_and_hearing_dates() {
    // A permit term ending Friday 5 June 2026: the notice is sent by Tuesday 2 June (3 working
    // days before), and the hearing held by Thursday 4 June.
    let c = cal();
    assert_eq!(
        c.latest_hearing_notice(date!(2026 - 06 - 05)),
        Ok(date!(2026 - 06 - 02))
    );
    assert_eq!(
        c.latest_hearing(date!(2026 - 06 - 02)),
        Ok(date!(2026 - 06 - 04))
    );
    // Across Kurban Ait: a term ending Friday 29 May goes back over 27 May.
    assert_eq!(
        c.latest_hearing_notice(date!(2026 - 05 - 29)),
        Ok(date!(2026 - 05 - 25))
    );
}

// ---- rules per service ----

#[test]
fn ok_exclusion_rules() {
    assert_eq!(
        exclusion_rules(Service::SpecialMeansTradePermit),
        &[ExclusionRule::SamplesCalendarDays(5)]
    );
    assert_eq!(
        exclusion_rules(Service::CryptoTradePermit),
        &[ExclusionRule::SamplesCalendarDays(5)]
    );
    assert_eq!(
        exclusion_rules(Service::TechnicalStudy),
        &[
            ExclusionRule::SamplesCalendarDays(5),
            ExclusionRule::StudyCalendarDays(30)
        ]
    );
    assert_eq!(
        exclusion_rules(Service::NotificationRegistration),
        &[ExclusionRule::DocumentsWorkingDays(3)]
    );
    assert_eq!(exclusion_rules(Service::SpecialMeansLicence), &[]);
    assert_eq!(exclusion_rules(Service::CryptoSalePermit), &[]);
}

#[test]
fn ok_no_reissue_term_for_a_permit() {
    assert_eq!(
        cal().deadline(
            Service::CryptoSalePermit,
            Procedure::Reissue,
            datetime!(2026-03-02 10:00 +05:00),
            &[],
            false
        ),
        Ok(None)
    );
}

// ---- data files loaded at run time ----

const YEAR_2024: &str = r#"{
  "year": 2024,
  "status": "published",
  "kurban_ait": "2024-06-16",
  "transfers": [
    { "from": "2024-05-04", "to": "2024-05-08", "act": "Order of the Minister of Labour and Social Protection, April 2024 (Labour Code art. 85.3)" }
  ],
  "sources": ["test data"]
}"#;

#[test]
fn ok_load_another_year_with_a_transfer() {
    let mut c = cal();
    assert_eq!(c.load_year(YEAR_2024.as_bytes()), Ok(2024));
    assert_eq!(c.day_kind(date!(2024 - 05 - 04)), Ok(DayKind::Working));
    assert_eq!(
        c.day_kind(date!(2024 - 05 - 08)),
        Ok(DayKind::TransferredDayOff)
    );
    // Nauryz 2024: 23 March is a Saturday → Monday 25 March off.
    assert_eq!(c.day_kind(date!(2024 - 03 - 25)), Ok(DayKind::MovedHoliday));
    // Friday 3 May 2024, reissue: Saturday 4 May is a working day; 7, 8, 9 May off.
    let d = c
        .deadline(
            Service::SpecialMeansLicence,
            Procedure::Reissue,
            datetime!(2024-05-03 10:00 +05:00),
            &[],
            false,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.map(|d| d.due), Some(date!(2024 - 05 - 10)));
}

#[test]
fn fail_year_not_loaded() {
    let err = cal().registration_date(datetime!(2024-12-31 10:00 +05:00));
    assert_eq!(err, Err(CalendarError::YearNotLoaded { year: 2024 }));
    // The message names the missing year and says how to add it.
    assert_eq!(
        err.map_err(|e| e.to_string()),
        Err(
            "no working-day calendar for 2024: the embedded years are 2025-2027; add \
             profile/data/holidays/2024.json as docs/calendar.md describes"
                .to_owned()
        )
    );
    // A term running past the last loaded year.
    assert_eq!(
        cal().add_working_days(date!(2027 - 12 - 20), 15),
        Err(CalendarError::YearNotLoaded { year: 2028 })
    );
}

#[test]
fn fail_published_days_off_that_the_rules_do_not_give() {
    let text = include_str!("../data/holidays/2026.json")
        .replace("\"2026-05-11\", \"2026-05-27\",", "\"2026-05-11\",");
    // Without Kurban Ait among the published days off, the file contradicts itself.
    let err = Calendar::default().load_year(text.as_bytes());
    assert_eq!(
        err,
        Err(CalendarError::PublishedMismatch {
            year: 2026,
            computed_only: vec![date!(2026 - 05 - 27)],
            published_only: vec![],
        })
    );
}

#[test]
fn fail_bad_year_files() {
    let mut c = Calendar::default();
    let missing = r#"{"year": 2025, "status": "published", "sources": []}"#;
    assert_eq!(
        c.load_year(missing.as_bytes()),
        Err(CalendarError::KurbanAitMissing { year: 2025 })
    );
    let wrong_year =
        r#"{"year": 2025, "status": "published", "kurban_ait": "2026-06-06", "sources": []}"#;
    assert_eq!(
        c.load_year(wrong_year.as_bytes()),
        Err(CalendarError::DateOutsideYear {
            year: 2025,
            field: "kurban_ait",
            date: date!(2026 - 06 - 06)
        })
    );
    let to_holiday = YEAR_2024.replace("2024-05-08", "2024-05-09");
    assert_eq!(
        c.load_year(to_holiday.as_bytes()),
        Err(CalendarError::TransferToDayOff {
            date: date!(2024 - 05 - 09)
        })
    );
    let from_working = YEAR_2024.replace("2024-05-04", "2024-05-06");
    assert_eq!(
        c.load_year(from_working.as_bytes()),
        Err(CalendarError::TransferFromWorkingDay {
            date: date!(2024 - 05 - 06)
        })
    );
    assert!(matches!(
        c.load_year(b"{\"year\": 2025}"),
        Err(CalendarError::Json { .. })
    ));
    assert_eq!(c.years(), Vec::<i32>::new());
}

#[test]
fn ok_and_fail_hearing_notice_timing() {
    // fixtures/documents/hearing-notice.json: notice Thursday 11 June 2026, hearing Friday
    // 12 June 11:00, term ending Wednesday 17 June. Latest notice: 3 working days before
    // 17 June = 12 June; latest hearing: 2 working days after 11 June = 15 June.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/documents/hearing-notice.json"
    );
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let Ok(Document::HearingNotice(mut notice)) = Document::from_json(&bytes) else {
        panic!("not a hearing notice");
    };
    let c = cal();
    let timing = |n: &eds_profile::documents::HearingNotice| {
        c.hearing_timing(n).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(
        timing(&notice),
        HearingTiming {
            latest_notice: date!(2026 - 06 - 12),
            latest_hearing: date!(2026 - 06 - 15),
            notice_in_time: true,
            hearing_in_time: true,
        }
    );
    // A notice sent two working days before the end is late.
    notice.issued_on = date!(2026 - 06 - 15);
    notice.hearing_at = datetime!(2026-06-16 10:00 +05:00);
    let t = timing(&notice);
    assert_eq!((t.notice_in_time, t.hearing_in_time), (false, true));
    // A hearing three working days after the notice is late; 20:00 UTC on 15 June is already
    // 16 June in Astana.
    notice.issued_on = date!(2026 - 06 - 10);
    notice.hearing_at = datetime!(2026-06-15 20:00 UTC);
    let t = timing(&notice);
    assert_eq!(
        (t.latest_hearing, t.notice_in_time, t.hearing_in_time),
        (date!(2026 - 06 - 12), true, false)
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;
    use time::Duration;

    proptest! {
        /// Adding n working days lands on a working day with exactly n working days after the
        /// start, and going back n working days from there never passes the start.
        #[test]
        fn add_and_sub_working_days(offset in 0i64..700, n in 0u32..40) {
            let c = cal();
            let start = date!(2026 - 01 - 01) + Duration::days(offset);
            let end = match c.add_working_days(start, n) {
                Ok(d) => d,
                Err(CalendarError::YearNotLoaded { year }) => {
                    prop_assert_eq!(year, 2028);
                    return Ok(());
                }
                Err(e) => panic!("{e}"),
            };
            if n > 0 {
                prop_assert_eq!(c.is_working_day(end), Ok(true));
            }
            let mut counted = 0;
            let mut d = start;
            while d < end {
                d = d.next_day().unwrap_or(d);
                if c.is_working_day(d) == Ok(true) {
                    counted += 1;
                }
            }
            prop_assert_eq!(counted, n);
            if let Ok(back) = c.sub_working_days(end, n) {
                prop_assert!(back <= start);
                prop_assert_eq!(c.add_working_days(back, n), Ok(end));
            }
        }

        /// Registration is never before the arrival's local date and is always a working day.
        #[test]
        fn registration_is_a_working_day(minutes in 0i64..(700 * 24 * 60)) {
            let c = cal();
            let arrived = datetime!(2026-01-01 00:00 +05:00) + Duration::minutes(minutes);
            if let Ok(day) = c.registration_date(arrived) {
                prop_assert!(day >= arrived.date());
                prop_assert_eq!(c.is_working_day(day), Ok(true));
            }
        }
    }
}

/// Every file in `profile/data/holidays/` is embedded, loads, and has the number of working days
/// it states (docs/calendar.md: adding a year is a file and its row here).
#[test]
fn calendar_each_listed_year_loads_with_its_working_days() {
    let want: [(i32, u32, bool); 3] = [(2025, 246, false), (2026, 246, false), (2027, 247, true)];
    let c = cal();
    assert_eq!(
        c.years(),
        want.iter().map(|w| w.0).collect::<Vec<_>>(),
        "embedded years"
    );
    assert_eq!(eds_profile::calendar::EMBEDDED_YEARS, (2025, 2027));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/holidays");
    let mut files: Vec<i32> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(|y| y.parse().ok())
        })
        .collect();
    files.sort_unstable();
    assert_eq!(
        files,
        c.years(),
        "a file in data/holidays/ that is not embedded"
    );
    for (year, working, provisional) in want {
        let text =
            std::fs::read(dir.join(format!("{year}.json"))).unwrap_or_else(|e| panic!("{e}"));
        let mut one = Calendar::default();
        assert_eq!(one.load_year(&text), Ok(year));
        assert_eq!(c.working_days_in(year), Ok(working), "{year}");
        assert_eq!(c.is_provisional(year), Ok(provisional), "{year}");
    }
}

/// 2025: the transfer of Order No. 436 of 21 November 2024 (Sunday 5 January worked, Friday
/// 3 January off), Kurban Ait on 6 June, the moved holidays.
#[test]
fn calendar_2025_transfer_and_days_off() {
    let c = cal();
    assert_eq!(c.is_working_day(date!(2025 - 01 - 03)), Ok(false));
    assert_eq!(c.is_working_day(date!(2025 - 01 - 05)), Ok(true));
    assert_eq!(c.is_working_day(date!(2025 - 06 - 06)), Ok(false));
    assert_eq!(c.is_working_day(date!(2025 - 03 - 10)), Ok(false));
    assert_eq!(c.is_working_day(date!(2025 - 03 - 25)), Ok(false));
    assert_eq!(c.is_working_day(date!(2025 - 03 - 26)), Ok(true));
    // A 2025 application has a deadline: a licence (15 working days) registered on Friday
    // 20 June 2025 is due on Monday 14 July (7 July, Capital Day moved from Sunday, is off).
    let d = c
        .deadline(
            Service::CryptoDevelopmentLicence,
            Procedure::Issue,
            datetime!(2025-06-20 10:00 +05:00),
            &[],
            false,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        d.map(|d| (d.due, d.provisional)),
        Some((date!(2025 - 07 - 14), false))
    );
}

/// A term across the new year from 2025 into 2026: from Tuesday 30 December 2025, 5 working
/// days are 31 December, 5, 6, 8 and 9 January (1–2 January New Year, 3–4 a weekend, 7 January
/// Orthodox Christmas).
#[test]
fn calendar_term_across_the_new_year_2025_2026() {
    assert_eq!(
        cal().add_working_days(date!(2025 - 12 - 30), 5),
        Ok(date!(2026 - 01 - 09))
    );
}

#[test]
fn fail_calendar_year_file_with_wrong_working_days() {
    let text = include_str!("../data/holidays/2025.json")
        .replace("\"working_days\": 246", "\"working_days\": 245");
    assert_eq!(
        Calendar::default().load_year(text.as_bytes()),
        Err(CalendarError::WorkingDaysMismatch {
            year: 2025,
            stated: 245,
            computed: 246
        })
    );
}
