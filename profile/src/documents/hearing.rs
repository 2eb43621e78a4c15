//! The hearing before a substantive refusal: paragraph 4 of the rules of every service. A refusal
//! for incompleteness is given at once; any other refusal follows a preliminary decision to
//! refuse, a notice of the hearing to the applicant at least
//! [`HEARING_NOTICE_WORKING_DAYS`](crate::calendar::HEARING_NOTICE_WORKING_DAYS) working days
//! before the term ends, and the hearing itself. [`check_refusal_after_hearing`] decides whether a
//! refusal may be signed given the hearing notice that preceded it.

use time::Date;

use super::fields::ApplicationNumber;
use super::results::HearingNotice;
use super::service::RefusalGround;
use crate::calendar::{Calendar, CalendarError};

/// Why a refusal may not be signed yet (paragraph 4 of the rules of every service).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HearingError {
    /// A substantive ground, and no hearing notice preceded the refusal.
    #[error(
        "{ground:?} is a substantive ground: the refusal follows a preliminary decision and a \
         hearing (paragraph 4 of the rules); give the signed hearing notice"
    )]
    HearingRequired {
        /// The ground of the refusal.
        ground: RefusalGround,
    },
    /// The notice concerns another application.
    #[error("the hearing notice concerns application {notice}, not {application}")]
    NoticeOfAnotherApplication {
        /// The notice's application.
        notice: String,
        /// The refused application.
        application: String,
    },
    /// The refusal's ground was not among the grounds of the preliminary decision, so the
    /// applicant was not heard on it.
    #[error("{ground:?} was not among the grounds of the preliminary decision the hearing was on")]
    GroundNotHeard {
        /// The ground of the refusal.
        ground: RefusalGround,
    },
    /// The notice was sent later than the required working days before the end of the term.
    #[error(
        "the hearing notice of {issued_on} is late: the term ends on {term_ends_on}, so it was \
         due by {latest}"
    )]
    NoticeLate {
        /// When the notice was sent.
        issued_on: Date,
        /// The end of the term it names.
        term_ends_on: Date,
        /// The last day it could be sent.
        latest: Date,
    },
    /// The hearing is set later than the required working days after the notice, or before the
    /// notice itself.
    #[error(
        "the hearing on {hearing_on} is not within {} working days of the notice of {notice_on} \
         (from {notice_on} to {latest})",
        crate::calendar::HEARING_HELD_WITHIN_WORKING_DAYS
    )]
    HearingOutOfTerm {
        /// The day of the hearing.
        hearing_on: Date,
        /// The day of the notice.
        notice_on: Date,
        /// The last day it could be held.
        latest: Date,
    },
    /// The refusal is signed before the hearing took place.
    #[error("the refusal is dated {refused_on}, before the hearing on {hearing_on}")]
    RefusalBeforeHearing {
        /// The date of the refusal.
        refused_on: Date,
        /// The date of the hearing.
        hearing_on: Date,
    },
    /// The calendar cannot answer (a year not loaded).
    #[error("{0}")]
    Calendar(#[from] CalendarError),
}

impl RefusalGround {
    /// Whether a refusal on this ground needs a hearing first: every ground but the
    /// incompleteness of the documents (paragraph 4 of the rules).
    pub fn needs_hearing(self) -> bool {
        self != RefusalGround::IncompleteDocuments
    }
}

/// Whether a refusal of `application` on `ground`, dated `refused_on`, may be signed after
/// `notice` (paragraph 4 of the rules): none needed for incompleteness; otherwise a notice of
/// the same application whose preliminary grounds include `ground`, sent in time on `calendar`,
/// the hearing set within the working days the rules allow after the notice, and a refusal not
/// before the hearing day (in Astana's time).
pub fn check_refusal_after_hearing(
    ground: RefusalGround,
    application: &ApplicationNumber,
    refused_on: Date,
    notice: Option<&HearingNotice>,
    calendar: &Calendar,
) -> Result<(), HearingError> {
    if !ground.needs_hearing() {
        return Ok(());
    }
    let notice = notice.ok_or(HearingError::HearingRequired { ground })?;
    if notice.application_number != *application {
        return Err(HearingError::NoticeOfAnotherApplication {
            notice: notice.application_number.as_str().to_owned(),
            application: application.as_str().to_owned(),
        });
    }
    if !notice.preliminary_grounds.contains(&ground) {
        return Err(HearingError::GroundNotHeard { ground });
    }
    let timing = calendar.hearing_timing(notice)?;
    if !timing.notice_in_time {
        return Err(HearingError::NoticeLate {
            issued_on: notice.issued_on,
            term_ends_on: notice.term_ends_on,
            latest: timing.latest_notice,
        });
    }
    let hearing_on = crate::kz_time::legal_date(notice.hearing_at);
    if !timing.hearing_in_time || hearing_on < notice.issued_on {
        return Err(HearingError::HearingOutOfTerm {
            hearing_on,
            notice_on: notice.issued_on,
            latest: timing.latest_hearing,
        });
    }
    if refused_on < hearing_on {
        return Err(HearingError::RefusalBeforeHearing {
            refused_on,
            hearing_on,
        });
    }
    Ok(())
}
