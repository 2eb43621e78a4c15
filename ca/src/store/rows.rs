//! The query shapes both backends share, and one decoder per record: a backend runs the query
//! its own way (`?1` or `$1`, a prepared statement or not) and hands each row to the decoder here
//! through [`Columns`], so a record reads back the same from SQLite and from PostgreSQL and a
//! stored value that does not decode is the same [`StoreError::Corrupt`] on both.
//!
//! Column types as both schemas keep them: integers `i64` (Unix seconds, ids, reason codes),
//! text, bytes (serials, hashes, DER), and a flag (`0`/`1` on SQLite, `boolean` on PostgreSQL).

use eds_profile::grounds::RevocationGround;
use time::{Date, OffsetDateTime};

use crate::store::values::{corrupt, instant, parse_date, reason_from_code};
use crate::store::{
    AuditEntry, Ban, CertificateRecord, EntityRecord, Operator, PersonRecord, RevocationRecord,
    Serial, StoreError,
};

/// The operators' columns, in [`operator`]'s order.
pub(crate) const SELECT_OPERATORS: &str = "SELECT id, name, created_at, revoked_at FROM operators";

/// The certificates' columns with their revocation's, in [`certificate`]'s order.
pub(crate) const SELECT_CERTIFICATES: &str = "SELECT c.serial, c.issuer, c.subject, c.kind, \
    c.iin, c.bin, c.key_purpose, c.not_before, c.not_after, c.issued_at, c.confidential, c.der, \
    r.ground, r.reason, r.notified_by, r.received_at, r.entered_at, r.invalidity_date, r.note \
    FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial";

/// The bans' columns, in [`ban`]'s order.
pub(crate) const SELECT_BANS: &str =
    "SELECT id, iin, bin, court_decision, effective_from, lifted_on FROM bans";

/// The persons' columns, in [`person`]'s order.
pub(crate) const SELECT_PERSONS: &str =
    "SELECT iin, surname, name, patronymic, birth_date, death_date FROM persons";

/// The legal entities' columns, in [`entity`]'s order.
pub(crate) const SELECT_ENTITIES: &str = "SELECT bin, name, head_iin, liquidated_on FROM entities";

/// One result row of a backend, read by column number; `Err` says why the value is not of the
/// asked type (NULL included, for the non-optional reads).
pub(crate) trait Columns {
    /// An integer.
    fn int(&self, i: usize) -> Result<i64, String>;
    /// An integer or NULL.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, String>;
    /// A text.
    fn text(&self, i: usize) -> Result<String, String>;
    /// A text or NULL.
    fn opt_text(&self, i: usize) -> Result<Option<String>, String>;
    /// Bytes.
    fn bytes(&self, i: usize) -> Result<Vec<u8>, String>;
    /// A yes/no flag.
    fn flag(&self, i: usize) -> Result<bool, String>;
}

/// A row of `table` whose key is known: each read names table, key and column when it fails.
struct Row<'a, C: ?Sized> {
    cols: &'a C,
    table: &'static str,
    key: String,
}

impl<C: Columns + ?Sized> Row<'_, C> {
    fn bad(&self, column: &str, why: &str) -> StoreError {
        corrupt(self.table, &self.key, column, why)
    }

    fn int(&self, i: usize, column: &str) -> Result<i64, StoreError> {
        self.cols.int(i).map_err(|e| self.bad(column, &e))
    }

    fn text(&self, i: usize, column: &str) -> Result<String, StoreError> {
        self.cols.text(i).map_err(|e| self.bad(column, &e))
    }

    fn opt_text(&self, i: usize, column: &str) -> Result<Option<String>, StoreError> {
        self.cols.opt_text(i).map_err(|e| self.bad(column, &e))
    }

    fn bytes(&self, i: usize, column: &str) -> Result<Vec<u8>, StoreError> {
        self.cols.bytes(i).map_err(|e| self.bad(column, &e))
    }

    fn instant(&self, i: usize, column: &str) -> Result<OffsetDateTime, StoreError> {
        instant(self.int(i, column)?).ok_or_else(|| self.bad(column, "out of range"))
    }

    fn opt_instant(&self, i: usize, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
        match self.cols.opt_int(i).map_err(|e| self.bad(column, &e))? {
            None => Ok(None),
            Some(t) => instant(t)
                .map(Some)
                .ok_or_else(|| self.bad(column, "out of range")),
        }
    }

    fn date(&self, i: usize, column: &str) -> Result<Date, StoreError> {
        parse_date(&self.text(i, column)?, self.table, &self.key, column)
    }

    fn opt_date(&self, i: usize, column: &str) -> Result<Option<Date>, StoreError> {
        self.opt_text(i, column)?
            .map(|d| parse_date(&d, self.table, &self.key, column))
            .transpose()
    }

    fn hash32(&self, i: usize, column: &str) -> Result<[u8; 32], StoreError> {
        let v = self.bytes(i, column)?;
        <[u8; 32]>::try_from(v.as_slice()).map_err(|_| self.bad(column, "not 32 bytes"))
    }
}

/// A row of [`SELECT_CERTIFICATES`].
pub(crate) fn certificate<C: Columns + ?Sized>(cols: &C) -> Result<CertificateRecord, StoreError> {
    const T: &str = "certificates";
    let raw = cols.bytes(0).map_err(|e| corrupt(T, "?", "serial", &e))?;
    let serial = Serial::from_der_content(&raw)
        .map_err(|e| corrupt(T, &hex::encode(&raw), "serial", &e.to_string()))?;
    let row = Row {
        cols,
        table: T,
        key: serial.to_string(),
    };
    let revocation = match row.opt_text(12, "ground")? {
        None => None,
        Some(ground) => {
            let r = Row {
                cols,
                table: "revocations",
                key: row.key.clone(),
            };
            Some(RevocationRecord {
                ground: RevocationGround::from_name(&ground)
                    .ok_or_else(|| r.bad("ground", "unknown ground"))?,
                reason: reason_from_code(r.int(13, "reason")?)
                    .ok_or_else(|| r.bad("reason", "unknown code"))?,
                notified_by: r.text(14, "notified_by")?,
                received_at: r.instant(15, "received_at")?,
                entered_at: r.instant(16, "entered_at")?,
                invalidity_date: r.opt_instant(17, "invalidity_date")?,
                note: r.opt_text(18, "note")?,
            })
        }
    };
    Ok(CertificateRecord {
        issuer: row.text(1, "issuer")?,
        subject: row.text(2, "subject")?,
        kind: row.text(3, "kind")?,
        iin: row.opt_text(4, "iin")?,
        bin: row.opt_text(5, "bin")?,
        key_purpose: row.opt_text(6, "key_purpose")?,
        not_before: row.instant(7, "not_before")?,
        not_after: row.instant(8, "not_after")?,
        issued_at: row.instant(9, "issued_at")?,
        confidential: cols.flag(10).map_err(|e| row.bad("confidential", &e))?,
        der: row.bytes(11, "der")?,
        revocation,
        serial,
    })
}

/// A row of `SELECT seq, at, actor, action, details, prev_hash, hash FROM audit_log`.
pub(crate) fn audit_entry<C: Columns + ?Sized>(cols: &C) -> Result<AuditEntry, StoreError> {
    const T: &str = "audit_log";
    let seq = cols.int(0).map_err(|e| corrupt(T, "?", "seq", &e))?;
    let row = Row {
        cols,
        table: T,
        key: seq.to_string(),
    };
    Ok(AuditEntry {
        seq: u64::try_from(seq).map_err(|_| row.bad("seq", "negative"))?,
        at: row.instant(1, "at")?,
        actor: row.text(2, "actor")?,
        action: row.text(3, "action")?,
        details: row.text(4, "details")?,
        prev_hash: row.hash32(5, "prev_hash")?,
        hash: row.hash32(6, "hash")?,
    })
}

/// A row of [`SELECT_BANS`].
pub(crate) fn ban<C: Columns + ?Sized>(cols: &C) -> Result<Ban, StoreError> {
    let id = cols.int(0).map_err(|e| corrupt("bans", "?", "id", &e))?;
    let row = Row {
        cols,
        table: "bans",
        key: id.to_string(),
    };
    Ok(Ban {
        id,
        iin: row.opt_text(1, "iin")?,
        bin: row.opt_text(2, "bin")?,
        court_decision: row.text(3, "court_decision")?,
        effective_from: row.date(4, "effective_from")?,
        lifted_on: row.opt_date(5, "lifted_on")?,
    })
}

/// A row of [`SELECT_OPERATORS`].
pub(crate) fn operator<C: Columns + ?Sized>(cols: &C) -> Result<Operator, StoreError> {
    let id = cols
        .int(0)
        .map_err(|e| corrupt("operators", "?", "id", &e))?;
    let row = Row {
        cols,
        table: "operators",
        key: id.to_string(),
    };
    Ok(Operator {
        id,
        name: row.text(1, "name")?,
        created_at: row.instant(2, "created_at")?,
        revoked_at: row.opt_instant(3, "revoked_at")?,
    })
}

/// A row of [`SELECT_PERSONS`] asked for by `iin`.
pub(crate) fn person<C: Columns + ?Sized>(cols: &C, iin: &str) -> Result<PersonRecord, StoreError> {
    let row = Row {
        cols,
        table: "persons",
        key: iin.to_owned(),
    };
    Ok(PersonRecord {
        iin: row.text(0, "iin")?,
        surname: row.text(1, "surname")?,
        name: row.text(2, "name")?,
        patronymic: row.opt_text(3, "patronymic")?,
        birth_date: row.date(4, "birth_date")?,
        death_date: row.opt_date(5, "death_date")?,
    })
}

/// A row of [`SELECT_ENTITIES`] asked for by `bin`.
pub(crate) fn entity<C: Columns + ?Sized>(cols: &C, bin: &str) -> Result<EntityRecord, StoreError> {
    let row = Row {
        cols,
        table: "entities",
        key: bin.to_owned(),
    };
    Ok(EntityRecord {
        bin: row.text(0, "bin")?,
        name: row.text(1, "name")?,
        head_iin: row.text(2, "head_iin")?,
        liquidated_on: row.opt_date(3, "liquidated_on")?,
    })
}
