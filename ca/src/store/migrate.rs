//! Copying a register from SQLite to PostgreSQL (`eds ca migrate`).
//!
//! The copy is row for row, ids, sequence numbers and hashes included, so the audit log moves
//! as it is: its chain and its head verify the same on the new backend (EDS law art. 21.2: the
//! move must not be a way to rewrite history). The whole copy is one PostgreSQL transaction,
//! committed only after
//!
//! - the source's audit log verified intact before copying,
//! - every table holding as many rows in the target as in the source,
//! - the target's audit log verifying intact with the source's head.
//!
//! A target that holds anything (a certificate, an audit entry, a counter…) is refused: the copy
//! never merges two registers.

use postgres::types::ToSql;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::store::{
    AuditHead, AuditStore, AuditVerification, RegisterUrl, SqliteStore, StoreError,
};

/// What was copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationReport {
    /// Rows per table, in the order copied (the same in source and target).
    pub rows: Vec<(String, u64)>,
    /// The audit log's head, in both.
    pub audit: AuditHead,
}

/// Copies the register at `from` (SQLite) into the empty register at `to` (PostgreSQL).
///
/// Fails with [`StoreError::TargetNotEmpty`] when the target holds rows,
/// [`StoreError::SourceAuditBroken`] when the source's audit log does not verify,
/// [`StoreError::CopyMismatch`] when a check after copying fails (nothing is then committed),
/// [`StoreError::InvalidUrl`] for another pair of backends.
pub fn copy_register(from: &RegisterUrl, to: &RegisterUrl) -> Result<MigrationReport, StoreError> {
    let (RegisterUrl::Sqlite(path), RegisterUrl::Postgres(url)) = (from, to) else {
        return Err(StoreError::InvalidUrl {
            url: format!("{from} -> {to}"),
            reason: "a register is migrated from sqlite:PATH to postgres://…".into(),
        });
    };
    if !path.exists() {
        return Err(StoreError::Io {
            path: path.display().to_string(),
            message: "no such register".into(),
        });
    }
    // Opening brings an older file to the current schema; its audit log must verify.
    let head = {
        let source = SqliteStore::open(path)?;
        match source.verify_audit()? {
            AuditVerification::Intact { entries, head } => AuditHead {
                entries,
                hash: head,
            },
            AuditVerification::Broken { seq, .. } => {
                return Err(StoreError::SourceAuditBroken { seq });
            }
        }
    };
    // The target's schema, then one transaction for the copy.
    drop(crate::store::PostgresStore::open(url)?);
    let src = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| backend("open source", &e))?;
    src.execute_batch("BEGIN")
        .map_err(|e| backend("read source", &e))?;
    let mut client = crate::store::postgres::connect(url)?;
    let mut tx = client.transaction().map_err(|e| pg("begin", &e))?;
    for table in &TABLES {
        let rows = count_pg(&mut tx, table.name)?;
        if rows > 0 {
            return Err(StoreError::TargetNotEmpty {
                table: table.name.to_owned(),
                rows,
            });
        }
    }
    let entries: i64 = tx
        .query_one("SELECT entries FROM audit_head WHERE id = 1", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| pg("read target head", &e))?;
    if entries != 0 {
        return Err(StoreError::TargetNotEmpty {
            table: "audit_head".into(),
            rows: u64::try_from(entries).unwrap_or_default(),
        });
    }

    let mut report = Vec::with_capacity(TABLES.len());
    for table in &TABLES {
        let copied = copy_table(&src, &mut tx, table)?;
        let in_source = count_sqlite(&src, table.name)?;
        let in_target = count_pg(&mut tx, table.name)?;
        if copied != in_source || in_target != in_source {
            return Err(StoreError::CopyMismatch {
                what: format!(
                    "{}: {in_source} rows in the source, {in_target} in the target",
                    table.name
                ),
            });
        }
        if table.identity {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                     COALESCE((SELECT max(id) FROM {0}), 0) + 1, false)",
                    table.name
                ),
                &[],
            )
            .map_err(|e| pg("set identity", &e))?;
        }
        report.push((table.name.to_owned(), in_source));
    }
    tx.execute(
        "UPDATE audit_head SET entries = $1, hash = $2 WHERE id = 1",
        &[
            &i64::try_from(head.entries).unwrap_or(i64::MAX),
            &head.hash.as_slice(),
        ],
    )
    .map_err(|e| pg("write head", &e))?;
    match crate::store::postgres::verify_audit_in(&mut tx)? {
        AuditVerification::Intact { entries, head: h }
            if entries == head.entries && h == head.hash => {}
        other => {
            return Err(StoreError::CopyMismatch {
                what: format!("the copied audit log does not verify as the source's: {other:?}"),
            });
        }
    }
    tx.commit().map_err(|e| pg("commit", &e))?;
    Ok(MigrationReport {
        rows: report,
        audit: head,
    })
}

/// The type of a column, as PostgreSQL stores it.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bytes,
    /// SQLite's 0/1.
    Bool,
}

struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// An `id` generated by PostgreSQL, copied as it is and its sequence moved past it.
    identity: bool,
    /// The order rows are copied in (ids follow it).
    order: &'static str,
}

use Kind::{Bool, Bytes, Int, Text};

/// Every table of the register, referenced ones first.
const TABLES: [Table; 10] = [
    Table {
        name: "certificates",
        columns: &[
            ("id", Int),
            ("serial", Bytes),
            ("issuer", Text),
            ("subject", Text),
            ("kind", Text),
            ("iin", Text),
            ("bin", Text),
            ("key_purpose", Text),
            ("not_before", Int),
            ("not_after", Int),
            ("issued_at", Int),
            ("confidential", Bool),
            ("der", Bytes),
            ("spki_sha256", Bytes),
        ],
        identity: true,
        order: "id",
    },
    Table {
        name: "revocations",
        columns: &[
            ("serial", Bytes),
            ("issuer", Text),
            ("not_after", Int),
            ("entered_at", Int),
            ("reason", Int),
            ("invalidity_date", Int),
            ("ground", Text),
            ("notified_by", Text),
            ("received_at", Int),
            ("note", Text),
        ],
        identity: false,
        order: "serial",
    },
    Table {
        name: "idempotency_keys",
        columns: &[
            ("operator", Text),
            ("key", Text),
            ("request_sha256", Bytes),
            ("serial", Bytes),
        ],
        identity: false,
        order: "operator, key",
    },
    Table {
        name: "counters",
        columns: &[("name", Text), ("last", Int)],
        identity: false,
        order: "name",
    },
    Table {
        name: "refusals",
        columns: &[
            ("id", Int),
            ("at", Int),
            ("ground", Text),
            ("detail", Text),
            ("iin", Text),
            ("bin", Text),
            ("request_json", Text),
        ],
        identity: true,
        order: "id",
    },
    Table {
        name: "persons",
        columns: &[
            ("iin", Text),
            ("surname", Text),
            ("name", Text),
            ("patronymic", Text),
            ("birth_date", Text),
            ("death_date", Text),
        ],
        identity: false,
        order: "iin",
    },
    Table {
        name: "entities",
        columns: &[
            ("bin", Text),
            ("name", Text),
            ("head_iin", Text),
            ("liquidated_on", Text),
        ],
        identity: false,
        order: "bin",
    },
    Table {
        name: "bans",
        columns: &[
            ("id", Int),
            ("iin", Text),
            ("bin", Text),
            ("court_decision", Text),
            ("effective_from", Text),
            ("lifted_on", Text),
        ],
        identity: true,
        order: "id",
    },
    Table {
        name: "operators",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("token_hash", Bytes),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
        identity: true,
        order: "id",
    },
    Table {
        name: "audit_log",
        columns: &[
            ("seq", Int),
            ("at", Int),
            ("actor", Text),
            ("action", Text),
            ("details", Text),
            ("prev_hash", Bytes),
            ("hash", Bytes),
        ],
        identity: false,
        order: "seq",
    },
];

/// Copies one table; returns the rows copied.
fn copy_table(
    src: &Connection,
    dst: &mut postgres::Transaction<'_>,
    t: &Table,
) -> Result<u64, StoreError> {
    let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert = dst
        .prepare(&format!(
            "INSERT INTO {} ({}) {}VALUES ({})",
            t.name,
            names.join(", "),
            if t.identity {
                "OVERRIDING SYSTEM VALUE "
            } else {
                ""
            },
            placeholders.join(", ")
        ))
        .map_err(|e| pg("prepare copy", &e))?;
    let mut st = src
        .prepare(&format!(
            "SELECT {} FROM {} ORDER BY {}",
            names.join(", "),
            t.name,
            t.order
        ))
        .map_err(|e| backend("read source", &e))?;
    let mut rows = st.query([]).map_err(|e| backend("read source", &e))?;
    let mut copied = 0u64;
    while let Some(row) = rows.next().map_err(|e| backend("read source", &e))? {
        let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(t.columns.len());
        for (i, (name, kind)) in t.columns.iter().enumerate() {
            let v = row.get_ref(i).map_err(|e| backend("read source", &e))?;
            let bad = || StoreError::Corrupt {
                what: format!("{} column {name}: a value of the wrong type", t.name),
            };
            values.push(match (kind, v) {
                (Int, ValueRef::Null) => Box::new(None::<i64>),
                (Int, ValueRef::Integer(n)) => Box::new(Some(n)),
                (Bool, ValueRef::Integer(0)) => Box::new(false),
                (Bool, ValueRef::Integer(1)) => Box::new(true),
                (Text, ValueRef::Null) => Box::new(None::<String>),
                (Text, ValueRef::Text(b)) => {
                    Box::new(Some(std::str::from_utf8(b).map_err(|_| bad())?.to_owned()))
                }
                (Bytes, ValueRef::Null) => Box::new(None::<Vec<u8>>),
                (Bytes, ValueRef::Blob(b)) => Box::new(Some(b.to_vec())),
                _ => return Err(bad()),
            });
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        dst.execute(&insert, &refs)
            .map_err(|e| pg(&format!("copy into {}", t.name), &e))?;
        copied = copied.saturating_add(1);
    }
    Ok(copied)
}

fn count_sqlite(src: &Connection, table: &str) -> Result<u64, StoreError> {
    let n: i64 = src
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .map_err(|e| backend("count source rows", &e))?;
    Ok(u64::try_from(n).unwrap_or_default())
}

fn count_pg(c: &mut postgres::Transaction<'_>, table: &str) -> Result<u64, StoreError> {
    let n: i64 = c
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| pg("count target rows", &e))?;
    Ok(u64::try_from(n).unwrap_or_default())
}

fn backend(what: &str, e: &rusqlite::Error) -> StoreError {
    StoreError::Backend {
        message: format!("{what}: {e}"),
    }
}

fn pg(what: &str, e: &postgres::Error) -> StoreError {
    StoreError::Backend {
        message: format!(
            "{what}: {}",
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_owned())
        ),
    }
}
