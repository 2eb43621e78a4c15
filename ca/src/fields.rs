//! Bounds on the fields the center records from outside: revocation notices, registry records
//! and court decisions. A field out of bounds is [`CaError::InvalidField`] and nothing is
//! recorded (issue 16: 900 KB notes and invalidity dates of 1970 and 9999 went into the
//! register, the CRL and the audit log).
//!
//! | field | bound |
//! |---|---|
//! | `notified_by`, `decision`, `court_decision` | 1 to [`MAX_NAME`] characters, not blank |
//! | `note` | at most [`MAX_NOTE`] characters |
//! | `surname`, `name`, `patronymic` (persons), `name` (entities) | 1 to [`MAX_NAME`] characters, not blank (patronymic may be absent) |
//! | `iin`, `head_iin`, `bin` | a valid IIN or BIN (`eds_profile::ident`) |
//! | `received_at` | not after now (EDS law art. 18.3), not before the certificate's notBefore |
//! | `invalidity_date` | within the certificate's notBefore..=notAfter, and not after now |
//! | `birth_date`, `death_date`, `liquidated_on` | not after today; a death not before the birth |

use time::{Date, OffsetDateTime};

use eds_profile::ident::{Bin, Iin};

use crate::error::CaError;
use crate::store::{CertificateRecord, EntityRecord, NewBan, PersonRecord};

/// Most characters of a name-like field (who notified, a person's or entity's name, a court
/// decision's reference).
pub const MAX_NAME: usize = 256;
/// Most characters of a free-text note.
pub const MAX_NOTE: usize = 2048;

/// A required short text: not blank, at most [`MAX_NAME`] characters.
pub(crate) fn name(field: &'static str, value: &str) -> Result<(), CaError> {
    if value.trim().is_empty() {
        return Err(invalid(
            field,
            "it is empty; it must name someone or something",
        ));
    }
    bounded(field, value, MAX_NAME)
}

/// An optional free text of at most [`MAX_NOTE`] characters.
pub(crate) fn note(field: &'static str, value: Option<&str>) -> Result<(), CaError> {
    value.map_or(Ok(()), |v| bounded(field, v, MAX_NOTE))
}

/// The dates of a revocation notice against the certificate it concerns and the clock.
pub(crate) fn revocation_dates(
    rec: &CertificateRecord,
    received_at: OffsetDateTime,
    invalidity_date: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), CaError> {
    if received_at < rec.not_before {
        return Err(invalid(
            "received_at",
            format!(
                "{received_at} is before the certificate's validity began ({}): a notice cannot concern a certificate not yet issued",
                rec.not_before
            ),
        ));
    }
    if let Some(at) = invalidity_date {
        if at > now {
            return Err(invalid(
                "invalidity_date",
                format!("{at} is in the future (now is {now})"),
            ));
        }
        if at < rec.not_before || at > rec.not_after {
            return Err(invalid(
                "invalidity_date",
                format!(
                    "{at} is outside the certificate's life, {} to {}",
                    rec.not_before, rec.not_after
                ),
            ));
        }
    }
    Ok(())
}

/// A person of the registry, checked on `today` (Astana's date).
pub(crate) fn person(p: &PersonRecord, today: Date) -> Result<(), CaError> {
    iin("iin", &p.iin)?;
    name("surname", &p.surname)?;
    name("name", &p.name)?;
    if let Some(patronymic) = &p.patronymic {
        bounded("patronymic", patronymic, MAX_NAME)?;
    }
    not_after_today("birth_date", p.birth_date, today)?;
    if let Some(death) = p.death_date {
        not_after_today("death_date", death, today)?;
        if death < p.birth_date {
            return Err(invalid(
                "death_date",
                format!("{death} is before the birth on {}", p.birth_date),
            ));
        }
    }
    Ok(())
}

/// A legal entity of the registry, checked on `today`.
pub(crate) fn entity(e: &EntityRecord, today: Date) -> Result<(), CaError> {
    Bin::parse(&e.bin).map_err(|err| invalid("bin", format!("{:?}: {err}", e.bin)))?;
    name("name", &e.name)?;
    iin("head_iin", &e.head_iin)?;
    if let Some(on) = e.liquidated_on {
        not_after_today("liquidated_on", on, today)?;
    }
    Ok(())
}

/// A court decision that forbids issuance.
pub(crate) fn ban(b: &NewBan) -> Result<(), CaError> {
    if let Some(v) = &b.iin {
        iin("iin", v)?;
    }
    if let Some(v) = &b.bin {
        Bin::parse(v).map_err(|err| invalid("bin", format!("{v:?}: {err}")))?;
    }
    name("court_decision", &b.court_decision)
}

fn iin(field: &'static str, value: &str) -> Result<(), CaError> {
    Iin::parse(value)
        .map(|_| ())
        .map_err(|err| invalid(field, format!("{value:?}: {err}")))
}

fn not_after_today(field: &'static str, day: Date, today: Date) -> Result<(), CaError> {
    if day > today {
        return Err(invalid(
            field,
            format!("{day} is in the future (today is {today})"),
        ));
    }
    Ok(())
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<(), CaError> {
    let chars = value.chars().count();
    if chars > max {
        return Err(invalid(
            field,
            format!("{chars} characters, at most {max} are recorded"),
        ));
    }
    Ok(())
}

fn invalid(field: &'static str, reason: impl Into<String>) -> CaError {
    CaError::InvalidField {
        field,
        reason: reason.into(),
    }
}
