//! Working days on Kazakhstan's calendar, and the terms of the eight licensing services.
//!
//! # Days off
//! * Saturday and Sunday (the five-day week, which the provider keeps: "from Monday to Friday
//!   inclusive", Annex 1 of every rules of Order No. 34/қе, item "Work schedule").
//! * The national and state holidays of the Law of the RK "On holidays in the Republic of
//!   Kazakhstan" (13 December 2001), which art. 5 of that law makes days off: 1–2 January
//!   (New Year), 8 March, 21–23 March (Nauryz meyramy), 1 May, 7 May, 9 May, 6 July (Capital
//!   Day), 30 August (Constitution Day), 25 October (Republic Day, a national holiday again
//!   since 2022), 16 December (Independence Day). The same article: "if a day off and a holiday
//!   coincide, the day off is the next working day after the holiday" — [`FIXED_HOLIDAYS`] and
//!   the rule are code, not data.
//! * 7 January (Orthodox Christmas) and the first day of Kurban Ait are days off under the
//!   Labour Code of the RK (art. 84), but are not holidays of that law, so a weekend that falls
//!   on them is **not** moved (the Ministry of Labour's explanation of 8 August 2019 on
//!   enbek.gov.kz; the 2026 calendar published on egov.kz says "without transfers").
//! * Kurban Ait follows the lunar calendar, and a day of rest may be moved from a weekend to a
//!   working day (Labour Code art. 85.3): by government decree up to 2023 (22 → 24 October
//!   2022), by order of the Ministry of Labour and Social Protection since 2024 (4 → 8 May
//!   2024). Both come from a data file per year:
//!   `profile/data/holidays/<year>.json` (2025, 2026 and 2027 are embedded;
//!   [`Calendar::load_year`] reads another at run time). A file may list the weekday days off
//!   the official calendar publishes and the number of working days of the year; loading checks
//!   that the rules above give exactly those. `docs/calendar.md` says how to add a year.
//!
//! # Working hours and registration
//! The provider works Monday to Friday, 09:00–19:00 (lunch 13:00–15:00), and "when the service
//! recipient applies after the end of working hours, on weekends and holidays … applications
//! are accepted … on the next working day" (Annex 1 of every rules, item "Work schedule").
//! [`Calendar::registration_date`] therefore takes the arrival time in Kazakhstan's time
//! ([`crate::kz_time`]: UTC+5, the single time zone since 1 March 2024): a working day before 19:00 registers that day
//! (an application that arrives before 09:00 or in the lunch break is not "after the end of
//! working hours"); 19:00 or later, or a day off, registers on the next working day.
//!
//! # Terms
//! "Considered within N working days from the date of its registration": the term counts
//! working days *after* the registration date (the day of registration is not day 1, the usual
//! rule that a period begins the day after the event that starts it), and the deadline is the
//! N-th such day. Periods the rules exclude from the term ([`Excluded`]) stop the count: a
//! working day inside one is not counted.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

use crate::documents::{HearingNotice, Procedure, Service};

/// Kazakhstan's time (defined, with the project's decision on it, in [`crate::kz_time`]).
pub use crate::kz_time::KZ_OFFSET;

/// Start of the provider's working day (Annex 1 of every rules, "Work schedule").
pub const WORK_STARTS: Time = time::macros::time!(9:00);
/// End of the provider's working day: an application arriving at or after it registers on the
/// next working day.
pub const WORK_ENDS: Time = time::macros::time!(19:00);

/// Working days before the end of the term by which a hearing notice must be sent, and working
/// days after the notice by which the hearing is held (paragraph 4 of every rules).
pub const HEARING_NOTICE_WORKING_DAYS: u32 = 3;
/// Working days from the notice within which the hearing is held.
pub const HEARING_HELD_WITHIN_WORKING_DAYS: u32 = 2;

/// A holiday on a fixed date (Law "On holidays in the RK"): (month, day, name).
pub const FIXED_HOLIDAYS: [(Month, u8, &str); 13] = [
    (Month::January, 1, "New Year"),
    (Month::January, 2, "New Year"),
    (Month::March, 8, "International Women's Day"),
    (Month::March, 21, "Nauryz meyramy"),
    (Month::March, 22, "Nauryz meyramy"),
    (Month::March, 23, "Nauryz meyramy"),
    (Month::May, 1, "Kazakhstan People's Unity Day"),
    (Month::May, 7, "Defender of the Fatherland Day"),
    (Month::May, 9, "Victory Day"),
    (Month::July, 6, "Capital Day"),
    (Month::August, 30, "Constitution Day"),
    (Month::October, 25, "Republic Day"),
    (Month::December, 16, "Independence Day"),
];

/// Why a calendar question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// A year file is not valid JSON of the expected shape.
    #[error("holiday file is not valid: {message}")]
    Json {
        /// What the parser reported.
        message: String,
    },
    /// The computation reaches a year whose file is not loaded.
    #[error(
        "no working-day calendar for {year}: the embedded years are {first}-{last}; add \
         profile/data/holidays/{year}.json as docs/calendar.md describes",
        first = EMBEDDED_YEARS.0,
        last = EMBEDDED_YEARS.1
    )]
    YearNotLoaded {
        /// The year.
        year: i32,
    },
    /// A date in a year file lies in another year.
    #[error("{field} {date} is not in {year}")]
    DateOutsideYear {
        /// The file's year.
        year: i32,
        /// Which field.
        field: &'static str,
        /// The date.
        date: Date,
    },
    /// The file states a number of working days the rules do not give.
    #[error("{year} states {stated} working days but the rules give {computed}")]
    WorkingDaysMismatch {
        /// The file's year.
        year: i32,
        /// The number in the file.
        stated: u32,
        /// The number the rules give.
        computed: u32,
    },
    /// A file marked `published` has no Kurban Ait date.
    #[error("{year} is marked published but has no kurban_ait date")]
    KurbanAitMissing {
        /// The year.
        year: i32,
    },
    /// A transfer moves a day of rest from a day that is not a day off.
    #[error("transfer from {date}: that day is not a day off")]
    TransferFromWorkingDay {
        /// The date.
        date: Date,
    },
    /// A transfer moves a day of rest to a day that is already a day off.
    #[error("transfer to {date}: that day is already a day off")]
    TransferToDayOff {
        /// The date.
        date: Date,
    },
    /// The weekday days off the file says were published differ from those the rules give.
    #[error(
        "{year}: the rules give days off {computed_only:?} that the published calendar lacks, and the published calendar has {published_only:?} that the rules do not give"
    )]
    PublishedMismatch {
        /// The year.
        year: i32,
        /// Weekday days off computed but not published.
        computed_only: Vec<Date>,
        /// Weekday days off published but not computed.
        published_only: Vec<Date>,
    },
    /// A date computation left the range of dates `time` supports.
    #[error("date out of range")]
    OutOfRange,
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A working day.
    Working,
    /// Saturday or Sunday, not made a working day.
    Weekend,
    /// A holiday of the Law "On holidays" (its name).
    Holiday(&'static str),
    /// 7 January, Orthodox Christmas (day off, never moved).
    OrthodoxChristmas,
    /// The first day of Kurban Ait (day off, never moved).
    KurbanAit,
    /// A weekday that is a day off because a holiday fell on a weekend.
    MovedHoliday,
    /// A weekday made a day off by an act transferring a day of rest.
    TransferredDayOff,
}

impl DayKind {
    /// Whether the provider works that day.
    pub fn is_working(self) -> bool {
        self == Self::Working
    }
}

/// A period excluded from the term, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excluded {
    /// First day excluded.
    pub first: Date,
    /// Last day excluded.
    pub last: Date,
}

impl Excluded {
    /// `days` calendar days from the day the notification is received: the days after
    /// `notified_on` up to and including `notified_on + days` (samples: 5 calendar days,
    /// services 4–6; the study of samples: 30 calendar days, service 6).
    pub fn calendar_days(notified_on: Date, days: u32) -> Result<Self, CalendarError> {
        let first = notified_on.next_day().ok_or(CalendarError::OutOfRange)?;
        let last = notified_on
            .checked_add(Duration::days(i64::from(days)))
            .ok_or(CalendarError::OutOfRange)?;
        Ok(Self { first, last })
    }

    /// An explicit period, e.g. from the notification to the day the samples actually arrived.
    pub fn between(first: Date, last: Date) -> Self {
        Self { first, last }
    }

    /// Whether `day` lies inside.
    pub fn contains(&self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }
}

/// A period a service's rules exclude from its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExclusionRule {
    /// Calendar days to provide samples after the provider's notification (services 4, 5, 6:
    /// 5 calendar days).
    SamplesCalendarDays(u32),
    /// Calendar days the provider studies the samples (service 6: within 30 calendar days).
    StudyCalendarDays(u32),
    /// Working days to submit the documents the provider asked for (service 7: 3 working days).
    DocumentsWorkingDays(u32),
}

/// The periods the rules of `service` exclude from its term (paragraph 4 and Annex 1, "Term").
pub fn exclusion_rules(service: Service) -> &'static [ExclusionRule] {
    match service {
        Service::SpecialMeansTradePermit | Service::CryptoTradePermit => {
            &[ExclusionRule::SamplesCalendarDays(5)]
        }
        Service::TechnicalStudy => &[
            ExclusionRule::SamplesCalendarDays(5),
            ExclusionRule::StudyCalendarDays(30),
        ],
        Service::NotificationRegistration => &[ExclusionRule::DocumentsWorkingDays(3)],
        _ => &[],
    }
}

/// The computed term of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The registration date the term counts from.
    pub registered_on: Date,
    /// Working days of the term (with a hearing's extension).
    pub working_days: u32,
    /// The last day of the term.
    pub due: Date,
    /// Whether a year the computation crossed is provisional (its Kurban Ait or transfers not
    /// yet published): the date may still change.
    pub provisional: bool,
}

/// How a hearing notice keeps its terms (see [`Calendar::hearing_timing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HearingTiming {
    /// The last day the notice could be sent.
    pub latest_notice: Date,
    /// The last day the hearing could be held.
    pub latest_hearing: Date,
    /// Whether the notice was sent by `latest_notice`.
    pub notice_in_time: bool,
    /// Whether the hearing is set by `latest_hearing`.
    pub hearing_in_time: bool,
}

/// The working-day calendar: the years loaded, each with its days off.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearDays>,
}

#[derive(Debug, Clone)]
struct YearDays {
    /// Days off other than plain weekends (holidays on a weekend included), with why.
    days_off: BTreeMap<Date, DayKind>,
    /// Weekend days made working days by a transfer.
    working_weekend: BTreeSet<Date>,
    provisional: bool,
}

/// The first and last embedded year (kept in step with [`EMBEDDED`] by a test).
pub const EMBEDDED_YEARS: (i32, i32) = (2025, 2027);

/// The embedded year files.
const EMBEDDED: [&str; 3] = [
    include_str!("../data/holidays/2025.json"),
    include_str!("../data/holidays/2026.json"),
    include_str!("../data/holidays/2027.json"),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    status: Status,
    #[serde(default, with = "crate::documents::fields::iso_date::option")]
    kurban_ait: Option<Date>,
    #[serde(default)]
    transfers: Vec<Transfer>,
    #[serde(default)]
    published_days_off: Option<Vec<IsoDate>>,
    #[serde(default)]
    working_days: Option<u32>,
    #[allow(dead_code, reason = "documentation in the file, kept for readers")]
    sources: Vec<String>,
    #[allow(dead_code, reason = "documentation in the file, kept for readers")]
    #[serde(default)]
    notes: Option<String>,
}

#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Published,
    Provisional,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Transfer {
    #[serde(with = "crate::documents::fields::iso_date")]
    from: Date,
    #[serde(with = "crate::documents::fields::iso_date")]
    to: Date,
    #[allow(dead_code, reason = "documentation in the file, kept for readers")]
    act: String,
}

#[derive(Deserialize)]
#[serde(transparent)]
struct IsoDate(#[serde(with = "crate::documents::fields::iso_date")] Date);

impl Calendar {
    /// The calendar with the embedded years ([`EMBEDDED_YEARS`]: 2025 to 2027).
    pub fn embedded() -> Result<Self, CalendarError> {
        let mut calendar = Self::default();
        for file in EMBEDDED {
            calendar.load_year(file.as_bytes())?;
        }
        Ok(calendar)
    }

    /// Loads (or replaces) one year from its JSON file; returns the year.
    pub fn load_year(&mut self, json: &[u8]) -> Result<i32, CalendarError> {
        let file: YearFile = serde_json::from_slice(json).map_err(|e| CalendarError::Json {
            message: e.to_string(),
        })?;
        let year = file.year;
        let days = year_days(&file)?;
        self.years.insert(year, days);
        Ok(year)
    }

    /// The years loaded.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The number of working days in `year` (five-day week).
    pub fn working_days_in(&self, year: i32) -> Result<u32, CalendarError> {
        let days = self
            .years
            .get(&year)
            .ok_or(CalendarError::YearNotLoaded { year })?;
        Ok(count_working_days(year, days))
    }

    /// Whether `year` is loaded but provisional (its Kurban Ait or transfers not yet published).
    pub fn is_provisional(&self, year: i32) -> Result<bool, CalendarError> {
        self.years
            .get(&year)
            .map(|d| d.provisional)
            .ok_or(CalendarError::YearNotLoaded { year })
    }

    /// What kind of day `day` is.
    pub fn day_kind(&self, day: Date) -> Result<DayKind, CalendarError> {
        let year = self
            .years
            .get(&day.year())
            .ok_or(CalendarError::YearNotLoaded { year: day.year() })?;
        if let Some(kind) = year.days_off.get(&day) {
            return Ok(*kind);
        }
        if is_weekend(day) && !year.working_weekend.contains(&day) {
            return Ok(DayKind::Weekend);
        }
        Ok(DayKind::Working)
    }

    /// Whether the provider works on `day`.
    pub fn is_working_day(&self, day: Date) -> Result<bool, CalendarError> {
        Ok(self.day_kind(day)?.is_working())
    }

    /// The first working day after `day`.
    pub fn next_working_day(&self, day: Date) -> Result<Date, CalendarError> {
        self.add_working_days(day, 1)
    }

    /// The `n`-th working day after `day` (`day` itself for `n = 0`).
    pub fn add_working_days(&self, day: Date, n: u32) -> Result<Date, CalendarError> {
        self.count_forward(day, n, &[])
    }

    /// The `n`-th working day before `day` (`day` itself for `n = 0`).
    pub fn sub_working_days(&self, day: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = d.previous_day().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The date an application arriving at `arrived` is registered: the day itself if it is a
    /// working day and the time in Kazakhstan is before [`WORK_ENDS`], else the next working
    /// day.
    pub fn registration_date(&self, arrived: OffsetDateTime) -> Result<Date, CalendarError> {
        let local = crate::kz_time::local(arrived).ok_or(CalendarError::OutOfRange)?;
        let day = local.date();
        if self.is_working_day(day)? && local.time() < WORK_ENDS {
            Ok(day)
        } else {
            self.next_working_day(day)
        }
    }

    /// The deadline of an application of `service` that arrived at `arrived`: the term of
    /// [`Service::term_working_days`] (plus the hearing extension of service 6 when
    /// `hearing`), counted in working days after the registration date, not counting working
    /// days inside `excluded`. `None` for a procedure the service does not have (reissue of a
    /// non-licence).
    pub fn deadline(
        &self,
        service: Service,
        procedure: Procedure,
        arrived: OffsetDateTime,
        excluded: &[Excluded],
        hearing: bool,
    ) -> Result<Option<Deadline>, CalendarError> {
        let Some(term) = service.term_working_days(procedure) else {
            return Ok(None);
        };
        let working_days = if hearing {
            term + service.hearing_extension_working_days()
        } else {
            term
        };
        let registered_on = self.registration_date(arrived)?;
        let due = self.count_forward(registered_on, working_days, excluded)?;
        let provisional = (registered_on.year()..=due.year())
            .any(|y| self.years.get(&y).is_some_and(|d| d.provisional));
        Ok(Some(Deadline {
            registered_on,
            working_days,
            due,
            provisional,
        }))
    }

    /// The last day a hearing notice may be sent for a term ending on `term_ends`: at least
    /// [`HEARING_NOTICE_WORKING_DAYS`] working days before it.
    pub fn latest_hearing_notice(&self, term_ends: Date) -> Result<Date, CalendarError> {
        self.sub_working_days(term_ends, HEARING_NOTICE_WORKING_DAYS)
    }

    /// The last day a hearing may be held after a notice sent on `notice_on`.
    pub fn latest_hearing(&self, notice_on: Date) -> Result<Date, CalendarError> {
        self.add_working_days(notice_on, HEARING_HELD_WITHIN_WORKING_DAYS)
    }

    /// Whether a hearing notice keeps the terms of paragraph 4 of every rules: sent at least
    /// [`HEARING_NOTICE_WORKING_DAYS`] working days before the end of the term, the hearing
    /// held within [`HEARING_HELD_WITHIN_WORKING_DAYS`] working days of the notice (both in
    /// Kazakhstan's time).
    pub fn hearing_timing(&self, notice: &HearingNotice) -> Result<HearingTiming, CalendarError> {
        let latest_notice = self.latest_hearing_notice(notice.term_ends_on)?;
        let latest_hearing = self.latest_hearing(notice.issued_on)?;
        let hearing_day = crate::kz_time::legal_date(notice.hearing_at);
        Ok(HearingTiming {
            latest_notice,
            latest_hearing,
            notice_in_time: notice.issued_on <= latest_notice,
            hearing_in_time: hearing_day <= latest_hearing,
        })
    }

    /// `days` working days from the day a notification is received (service 7's documents), as
    /// an excluded period.
    pub fn excluded_working_days(
        &self,
        notified_on: Date,
        days: u32,
    ) -> Result<Excluded, CalendarError> {
        let first = notified_on.next_day().ok_or(CalendarError::OutOfRange)?;
        let last = self.add_working_days(notified_on, days)?;
        Ok(Excluded { first, last })
    }

    fn count_forward(
        &self,
        day: Date,
        n: u32,
        excluded: &[Excluded],
    ) -> Result<Date, CalendarError> {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = d.next_day().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(d)? && !excluded.iter().any(|e| e.contains(d)) {
                left -= 1;
            }
        }
        Ok(d)
    }
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn in_year(year: i32, field: &'static str, date: Date) -> Result<(), CalendarError> {
    if date.year() == year {
        Ok(())
    } else {
        Err(CalendarError::DateOutsideYear { year, field, date })
    }
}

/// Applies the rules of the module docs to one year's file.
fn year_days(file: &YearFile) -> Result<YearDays, CalendarError> {
    let year = file.year;
    if file.status == Status::Published && file.kurban_ait.is_none() {
        return Err(CalendarError::KurbanAitMissing { year });
    }
    // Every day off of the year, weekends included, so that a moved holiday skips them.
    let mut off: BTreeMap<Date, DayKind> = BTreeMap::new();
    let mut holidays = Vec::new();
    for (month, day, name) in FIXED_HOLIDAYS {
        let date =
            Date::from_calendar_date(year, month, day).map_err(|_| CalendarError::OutOfRange)?;
        off.insert(date, DayKind::Holiday(name));
        holidays.push(date);
    }
    let christmas =
        Date::from_calendar_date(year, Month::January, 7).map_err(|_| CalendarError::OutOfRange)?;
    off.entry(christmas).or_insert(DayKind::OrthodoxChristmas);
    if let Some(k) = file.kurban_ait {
        in_year(year, "kurban_ait", k)?;
        off.entry(k).or_insert(DayKind::KurbanAit);
    }
    // Law "On holidays" art. 5: a holiday on a weekend gives the next working day off.
    for h in holidays {
        if !is_weekend(h) {
            continue;
        }
        let mut d = h;
        loop {
            d = d.next_day().ok_or(CalendarError::OutOfRange)?;
            if !is_weekend(d) && !off.contains_key(&d) {
                break;
            }
        }
        off.insert(d, DayKind::MovedHoliday);
    }
    let mut working_weekend = BTreeSet::new();
    for t in &file.transfers {
        in_year(year, "transfers.from", t.from)?;
        in_year(year, "transfers.to", t.to)?;
        let from_is_off = is_weekend(t.from) || off.contains_key(&t.from);
        if !from_is_off {
            return Err(CalendarError::TransferFromWorkingDay { date: t.from });
        }
        if is_weekend(t.to) || off.contains_key(&t.to) {
            return Err(CalendarError::TransferToDayOff { date: t.to });
        }
        off.remove(&t.from);
        if is_weekend(t.from) {
            working_weekend.insert(t.from);
        }
        off.insert(t.to, DayKind::TransferredDayOff);
    }
    let days_off: BTreeMap<Date, DayKind> =
        off.into_iter().filter(|(d, _)| d.year() == year).collect();
    if let Some(published) = &file.published_days_off {
        let published: BTreeSet<Date> = published.iter().map(|d| d.0).collect();
        let computed: BTreeSet<Date> = days_off
            .keys()
            .copied()
            .filter(|d| !is_weekend(*d))
            .collect();
        if published != computed {
            return Err(CalendarError::PublishedMismatch {
                year,
                computed_only: computed.difference(&published).copied().collect(),
                published_only: published.difference(&computed).copied().collect(),
            });
        }
    }
    let days = YearDays {
        days_off,
        working_weekend,
        provisional: file.status == Status::Provisional,
    };
    if let Some(stated) = file.working_days {
        let computed = count_working_days(year, &days);
        if stated != computed {
            return Err(CalendarError::WorkingDaysMismatch {
                year,
                stated,
                computed,
            });
        }
    }
    Ok(days)
}

/// Working days of `year` under `days`.
fn count_working_days(year: i32, days: &YearDays) -> u32 {
    let mut n = 0;
    let mut d = Date::from_calendar_date(year, Month::January, 1).ok();
    while let Some(day) = d.filter(|d| d.year() == year) {
        let off = days.days_off.contains_key(&day)
            || (is_weekend(day) && !days.working_weekend.contains(&day));
        if !off {
            n += 1;
        }
        d = day.next_day();
    }
    n
}
