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

/// The columns of [`certificate`], in its order (certificates as `c`, revocations as `r`).
macro_rules! certificate_columns {
    () => {
        "c.serial, c.issuer, c.subject, c.kind, c.iin, c.bin, c.key_purpose, c.not_before, \
         c.not_after, c.issued_at, c.confidential, c.der, r.ground, r.reason, r.notified_by, \
         r.received_at, r.entered_at, r.invalidity_date, r.note"
    };
}

pub(crate) use certificate_columns;

/// The columns of [`ban`], in its order.
macro_rules! ban_columns {
    () => {
        "id, iin, bin, court_decision, effective_from, lifted_on"
    };
}

/// The columns of [`person`], in its order.
macro_rules! person_columns {
    () => {
        "iin, surname, name, patronymic, birth_date, death_date"
    };
}

/// The columns of [`entity`], in its order.
macro_rules! entity_columns {
    () => {
        "bin, name, head_iin, liquidated_on"
    };
}

/// The certificates' columns with their revocation's, in [`certificate`]'s order.
pub(crate) const SELECT_CERTIFICATES: &str = concat!(
    "SELECT ",
    certificate_columns!(),
    " FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial"
);

/// The bans' columns, in [`ban`]'s order.
pub(crate) const SELECT_BANS: &str = concat!("SELECT ", ban_columns!(), " FROM bans");

/// The persons' columns, in [`person`]'s order.
pub(crate) const SELECT_PERSONS: &str = concat!("SELECT ", person_columns!(), " FROM persons");

/// The legal entities' columns, in [`entity`]'s order.
pub(crate) const SELECT_ENTITIES: &str = concat!("SELECT ", entity_columns!(), " FROM entities");

/// NULLs in place of [`person_columns`] (every one text).
macro_rules! no_person {
    () => {
        "NULL, NULL, NULL, NULL, NULL, NULL"
    };
}

/// NULLs in place of [`entity_columns`] (every one text).
macro_rules! no_entity {
    () => {
        "NULL, NULL, NULL, NULL"
    };
}

/// NULLs in place of [`ban_columns`], typed as PostgreSQL keeps them (a `UNION` of two untyped
/// NULLs is text, which would not match a later branch's integer or bytes).
macro_rules! no_ban {
    () => {
        "NULL::BIGINT, NULL, NULL, NULL, NULL, NULL"
    };
}

/// NULLs in place of [`certificate_columns`], typed as PostgreSQL keeps them.
macro_rules! no_certificate {
    () => {
        "NULL::BYTEA, NULL, NULL, NULL, NULL, NULL, NULL, NULL::BIGINT, NULL::BIGINT, \
         NULL::BIGINT, NULL::BOOLEAN, NULL::BYTEA, NULL, NULL::BIGINT, NULL, NULL::BIGINT, \
         NULL::BIGINT, NULL::BIGINT, NULL"
    };
}

/// The facts of one issuance request in ONE query (PostgreSQL's `request_facts`: one round
/// trip instead of four). Parameters: `$1` IIN, `$2` BIN or NULL, `$3` the day (`YYYY-MM-DD`),
/// `$4` the public key's SHA-256 or NULL.
///
/// The four reads are the branches of one `UNION ALL`, each row padded to one wide shape:
/// column 0 says which branch it is ([`FACT_PERSON`], [`FACT_ENTITY`], [`FACT_BAN`],
/// [`FACT_CERTIFICATE`]), column 1 orders the rows within it (a ban's id, a certificate's row
/// id, as `bans_for` and `certificates_by_key` order them), then the columns of a person from
/// [`FACT_PERSON_AT`], an entity's from [`FACT_ENTITY_AT`], a ban's from [`FACT_BAN_AT`] and a
/// certificate's from [`FACT_CERTIFICATE_AT`], NULL where the branch is another's. Each block is
/// read by the record's own decoder through [`Shifted`]. The WHERE clauses are those of
/// `person`, `entity`, `bans_for(Some(iin), bin, on)` and `certificates_by_key`.
pub(crate) const SELECT_REQUEST_FACTS: &str = concat!(
    "SELECT 0::BIGINT, 0::BIGINT, ",
    person_columns!(),
    ", ",
    no_entity!(),
    ", ",
    no_ban!(),
    ", ",
    no_certificate!(),
    " FROM persons WHERE iin = $1 UNION ALL SELECT 1, 0, ",
    no_person!(),
    ", ",
    entity_columns!(),
    ", ",
    no_ban!(),
    ", ",
    no_certificate!(),
    " FROM entities WHERE bin = $2 UNION ALL SELECT 2, id, ",
    no_person!(),
    ", ",
    no_entity!(),
    ", ",
    ban_columns!(),
    ", ",
    no_certificate!(),
    " FROM bans WHERE (iin = $1 OR bin = $2) AND effective_from <= $3 \
     AND (lifted_on IS NULL OR lifted_on > $3) UNION ALL SELECT 3, c.id, ",
    no_person!(),
    ", ",
    no_entity!(),
    ", ",
    no_ban!(),
    ", ",
    certificate_columns!(),
    " FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial \
     WHERE c.spki_sha256 = $4 ORDER BY 1, 2"
);

/// Column 0 of [`SELECT_REQUEST_FACTS`]: the row is the person.
pub(crate) const FACT_PERSON: i64 = 0;
/// Column 0 of [`SELECT_REQUEST_FACTS`]: the row is the legal entity.
pub(crate) const FACT_ENTITY: i64 = 1;
/// Column 0 of [`SELECT_REQUEST_FACTS`]: the row is a ban.
pub(crate) const FACT_BAN: i64 = 2;
/// Column 0 of [`SELECT_REQUEST_FACTS`]: the row is a certificate of the key.
pub(crate) const FACT_CERTIFICATE: i64 = 3;
/// Where a person's columns start in a row of [`SELECT_REQUEST_FACTS`].
pub(crate) const FACT_PERSON_AT: usize = 2;
/// Where an entity's columns start.
pub(crate) const FACT_ENTITY_AT: usize = FACT_PERSON_AT + 6;
/// Where a ban's columns start.
pub(crate) const FACT_BAN_AT: usize = FACT_ENTITY_AT + 4;
/// Where a certificate's columns start.
pub(crate) const FACT_CERTIFICATE_AT: usize = FACT_BAN_AT + 6;
/// The columns of a row of [`SELECT_REQUEST_FACTS`].
#[cfg(test)]
pub(crate) const FACT_COLUMNS: usize = FACT_CERTIFICATE_AT + 19;

/// A row's columns from `at` on, numbered from 0: the block of one record in a wider row.
pub(crate) struct Shifted<'a, C: ?Sized> {
    /// The whole row.
    pub(crate) cols: &'a C,
    /// Where the block starts.
    pub(crate) at: usize,
}

impl<C: Columns + ?Sized> Columns for Shifted<'_, C> {
    fn int(&self, i: usize) -> Result<i64, String> {
        self.cols.int(self.at + i)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, String> {
        self.cols.opt_int(self.at + i)
    }

    fn text(&self, i: usize) -> Result<String, String> {
        self.cols.text(self.at + i)
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, String> {
        self.cols.opt_text(self.at + i)
    }

    fn bytes(&self, i: usize) -> Result<Vec<u8>, String> {
        self.cols.bytes(self.at + i)
    }

    fn flag(&self, i: usize) -> Result<bool, String> {
        self.cols.flag(self.at + i)
    }
}

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

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    /// Every branch of [`SELECT_REQUEST_FACTS`] has the one wide shape: its number in column 0,
    /// its own record's columns at that record's block (the decoders' order), NULL in the
    /// other blocks.
    #[test]
    fn ok_request_facts_branches_have_one_shape_with_each_block_in_place() {
        let branches: Vec<&str> = SELECT_REQUEST_FACTS.split(" UNION ALL ").collect();
        assert_eq!(branches.len(), 4);
        let blocks = [
            (FACT_PERSON, FACT_PERSON_AT, person_columns!()),
            (FACT_ENTITY, FACT_ENTITY_AT, entity_columns!()),
            (FACT_BAN, FACT_BAN_AT, ban_columns!()),
            (
                FACT_CERTIFICATE,
                FACT_CERTIFICATE_AT,
                certificate_columns!(),
            ),
        ];
        for (branch, (number, _, _)) in branches.iter().zip(&blocks) {
            let list = branch.strip_prefix("SELECT ").unwrap();
            let list = &list[..list.find(" FROM ").unwrap()];
            let cols: Vec<&str> = list.split(',').map(str::trim).collect();
            assert_eq!(cols.len(), FACT_COLUMNS, "{branch}");
            assert!(cols[0].starts_with(&number.to_string()), "{branch}");
            for (owner, at, names) in &blocks {
                let names: Vec<&str> = names.split(',').map(str::trim).collect();
                let got = &cols[*at..*at + names.len()];
                if owner == number {
                    assert_eq!(got, names.as_slice(), "{branch}");
                } else {
                    assert!(got.iter().all(|c| c.starts_with("NULL")), "{branch}");
                }
            }
        }
        assert_eq!(FACT_CERTIFICATE_AT + 19, FACT_COLUMNS);
    }
}
