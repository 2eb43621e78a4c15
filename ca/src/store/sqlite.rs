//! [`Store`](crate::store::Store) on one SQLite file: the backend of the local test center.
//!
//! - The file is created with mode 0600 before SQLite opens it; SQLite gives its `-wal` and
//!   `-shm` files the same mode. An existing file keeps its mode.
//! - WAL journal, `synchronous=FULL`: a killed process loses nothing that was committed.
//! - `busy_timeout` of [`BUSY_TIMEOUT`]: writers in several processes wait for each other instead
//!   of failing; every write transaction is `BEGIN IMMEDIATE`, so none fails half way on a lock.
//! - Foreign keys on; the schema version is `PRAGMA user_version`, migrated on open.
//! - Instants are integer unix seconds UTC, dates ISO 8601 text (`YYYY-MM-DD`).
//! - New files get `PAGE_SIZE` (16 KiB) pages; every connection a `CACHE_KIB` (64 MiB) page cache.
//! - Certificates are indexed by serial, IIN, and BIN where there is one (schema 3); listings
//!   follow the rowid, the order the register recorded them in.
//! - Schema 4 adds `spki_sha256`, the SHA-256 of the certificate's SubjectPublicKeyInfo, with an
//!   index, so that issuance finds the holders of a public key (EDS law art. 21.1); migrating an
//!   older file fills it from the stored DER.
//! - Schema 5 adds `idempotency_keys`: an operator's `Idempotency-Key` of API issuance and the
//!   certificate it gave, committed in the certificate's transaction.
//!
//! Revocations live in their own table with a copy of the certificate's issuer and `notAfter`
//! (both immutable), and one covering index `(issuer, serial, not_after, entered_at, reason,
//! invalidity_date)`: the CRL query walks that index in serial order and never touches a
//! certificate row.

use std::fmt;
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use eds_profile::grounds::{RefusalGround, RevocationGround};
use rusqlite::types::{FromSql, Value as SqlValue, ValueRef};
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior,
    ffi, params, params_from_iter,
};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

use crate::store::audit::{self, ChainVerifier, RawEntry};
use crate::store::rows::{
    self as decode, Columns, SELECT_BANS, SELECT_CERTIFICATES, SELECT_ENTITIES, SELECT_OPERATORS,
    SELECT_PERSONS,
};
use crate::store::values::{corrupt, date_text, instant, reason_from_code, saturating_i64};
use crate::store::{
    AuditEntry, AuditEvent, AuditHead, AuditStore, AuditVerification, Ban, BanStore,
    CertificateBatch, CertificateQuery, CertificateRecord, CertificateStore, Counter, CounterStore,
    EntityRecord, IdempotencyRecord, NewBan, NewRefusal, NewRevocation, Operator, OperatorStore,
    PersonRecord, Publication, PublicationLock, PublicationStore, RefusalRecord, RegisterImport,
    RegistryChange, RegistryStore, RequestFacts, RevocationRecord, RevokedEntry, Serial, Status,
    StoreError,
};

/// How long a writer waits for another one before [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page size of a new register file (an existing file keeps its own). Certificate rows are about
/// a kilobyte, so 4 KiB pages (SQLite's default) hold three or four of them: every few rows a
/// page is split, and each page goes to the write-ahead log and back to the file in its own
/// system call. 16 KiB pages cut both by four.
const PAGE_SIZE: i64 = 16_384;

/// Page cache of a connection, in KiB (SQLite's default is 2,000). A batch of 1,000
/// certificates dirties about a megabyte of pages plus the index pages it walks; with the default
/// cache SQLite spills dirty pages to the log in the middle of the transaction and reads index
/// pages back from the file. 64 MiB holds a batch and the indexes' upper levels.
const CACHE_KIB: i64 = 65_536;

/// The schema version this program writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 6;

/// The register in a SQLite database. One connection, serialised by a mutex; open one
/// `SqliteStore` per process and share it, or several on one file (they wait for each other).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens the register at `path`, creating it (mode 0600) and migrating its schema.
    ///
    /// Fails with [`StoreError::SchemaTooNew`] for a database of a newer program,
    /// [`StoreError::Io`] when the file cannot be created.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // Only a missing file is created here, never an existing one opened: closing any
        // descriptor of a file drops every POSIX lock this process holds on it (fcntl
        // semantics), including those of other SQLite connections to it in this process. A
        // second `SqliteStore` on an open register would then leave the first unlocked, another
        // process would take itself for the last connection and delete the WAL the first still
        // writes to, and those writes would vanish for everyone else.
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(StoreError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        }
        // The file exists now: open without CREATE so SQLite never makes it with another mode.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db_err)?;
        Self::init(conn, "wal")
    }

    /// A register in memory, gone when dropped: for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(db_err)?, "memory")
    }

    fn init(mut conn: Connection, journal: &str) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db_err)?;
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(db_err)?;
        conn.pragma_update(None, "cache_size", CACHE_KIB.saturating_neg())
            .map_err(db_err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(db_err)?;
        if !mode.eq_ignore_ascii_case(journal) {
            return Err(StoreError::Backend {
                message: format!("journal mode {journal} is not available, got {mode}"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(db_err)?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// The connection. A thread that panicked while holding it left no transaction open
    /// (`Transaction` rolls back when dropped during unwinding), so the poison is cleared rather
    /// than turning one panic into a register that fails forever; should a transaction still be
    /// open, it is rolled back first.
    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        let guard = self.conn.lock().unwrap_or_else(|poisoned: PoisonError<_>| {
            self.conn.clear_poison();
            poisoned.into_inner()
        });
        if !guard.is_autocommit() {
            guard.execute_batch("ROLLBACK").map_err(db_err)?;
        }
        Ok(guard)
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let out = f(&tx)?;
        tx.commit().map_err(db_err)?;
        Ok(out)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(db_err)?;
        let out = f(&tx)?;
        tx.commit().map_err(db_err)?;
        Ok(out)
    }
}

impl CertificateStore for SqliteStore {
    fn insert_certificate(
        &self,
        rec: &CertificateRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            insert_certificate_in(tx, rec)?;
            append_audit_in(tx, audit, &[])?;
            Ok(())
        })
    }

    fn insert_certificates(
        &self,
        recs: &[CertificateRecord],
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut batch = self.begin_certificates()?;
        batch.insert(recs)?;
        batch.commit(audit)
    }

    fn import_register(&self, import: &RegisterImport) -> Result<(), StoreError> {
        self.write(|tx| {
            for rec in &import.certificates {
                insert_certificate_in(tx, rec)?;
            }
            append_audit_in(tx, &import.audit, &[])?;
            for (refusal, audit) in &import.refusals {
                record_refusal_in(tx, refusal, audit)?;
            }
            for b in &import.bans {
                let id = add_ban_in(tx, &b.ban, &b.audit)?;
                if let Some((on, audit)) = &b.lifted {
                    lift_ban_in(tx, id, *on, audit)?;
                }
            }
            Ok(())
        })
    }

    fn insert_certificate_idempotent(
        &self,
        rec: &CertificateRecord,
        key: &IdempotencyRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            insert_certificate_in(tx, rec)?;
            let inserted = tx.execute(
                "INSERT INTO idempotency_keys (operator, key, request_sha256, serial) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    key.operator,
                    key.key,
                    key.request_sha256.as_slice(),
                    key.serial.as_bytes()
                ],
            );
            match inserted {
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                        || e.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE =>
                {
                    return Err(StoreError::IdempotencyKeyTaken {
                        operator: key.operator.clone(),
                        key: key.key.clone(),
                    });
                }
                Err(e) => return Err(db_err(e)),
            }
            append_audit_in(tx, audit, &[])?;
            Ok(())
        })
    }

    fn idempotency_record(
        &self,
        operator: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.read(|tx| {
            let row: Option<(Vec<u8>, Vec<u8>)> = tx
                .query_row(
                    "SELECT request_sha256, serial FROM idempotency_keys \
                     WHERE operator = ?1 AND key = ?2",
                    params![operator, key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_err)?;
            let Some((hash, serial)) = row else {
                return Ok(None);
            };
            let corrupt = |what: &str| StoreError::Corrupt {
                what: format!("idempotency key {key:?}: {what}"),
            };
            Ok(Some(IdempotencyRecord {
                operator: operator.to_owned(),
                key: key.to_owned(),
                request_sha256: hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| corrupt("request hash"))?,
                serial: Serial::from_der_content(&serial).map_err(|_| corrupt("serial"))?,
            }))
        })
    }

    fn begin_certificates(&self) -> Result<Box<dyn CertificateBatch + '_>, StoreError> {
        let conn = self.lock()?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err)?;
        Ok(Box::new(SqliteCertificateBatch { conn, open: true }))
    }

    fn certificate(&self, serial: &Serial) -> Result<Option<CertificateRecord>, StoreError> {
        self.read(|tx| certificate_in(tx, serial))
    }

    fn certificates_by_key(
        &self,
        spki_sha256: &[u8; 32],
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.read(|tx| certificates_by_key_in(tx, spki_sha256))
    }

    fn list_certificates(
        &self,
        q: &CertificateQuery,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let (sql, args) = list_query(q);
        self.read(|tx| {
            let mut st = tx.prepare_cached(&sql).map_err(db_err)?;
            let mut rows = st.query(params_from_iter(args)).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                out.push(decode::certificate(row)?);
            }
            Ok(out)
        })
    }

    fn revoke(
        &self,
        revs: &[NewRevocation],
        audit: &AuditEvent,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.write(|tx| {
            let (revoked, _) = revoke_in(tx, revs, false)?;
            append_audit_in(tx, audit, &[])?;
            Ok(revoked)
        })
    }

    /// `f` runs while the store is locked: it must not call this store.
    fn for_each_revoked(
        &self,
        issuer: &str,
        still_valid_at: OffsetDateTime,
        f: &mut dyn FnMut(RevokedEntry) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let conn = self.lock()?;
        let mut st = conn
            .prepare_cached(
                "SELECT serial, entered_at, reason, invalidity_date FROM revocations \
                 WHERE issuer = ?1 AND not_after >= ?2 ORDER BY serial",
            )
            .map_err(db_err)?;
        let mut rows = st
            .query(params![issuer, still_valid_at.unix_timestamp()])
            .map_err(db_err)?;
        let mut count = 0u64;
        while let Some(row) = rows.next().map_err(db_err)? {
            let serial = match row.get_ref(0).map_err(db_err)? {
                ValueRef::Blob(b) => Serial::from_der_content(b).ok(),
                _ => None,
            }
            .ok_or_else(|| corrupt("revocations", "?", "serial", "not a serial"))?;
            let revoked_at = instant(col(row, 1, "revocations", &serial, "entered_at")?)
                .ok_or_else(|| corrupt("revocations", &serial, "entered_at", "out of range"))?;
            let reason = reason_from_code(col(row, 2, "revocations", &serial, "reason")?)
                .ok_or_else(|| corrupt("revocations", &serial, "reason", "unknown code"))?;
            let invalidity_date =
                match col::<Option<i64>, _>(row, 3, "revocations", &serial, "invalidity_date")? {
                    None => None,
                    Some(t) => Some(instant(t).ok_or_else(|| {
                        corrupt("revocations", &serial, "invalidity_date", "out of range")
                    })?),
                };
            f(RevokedEntry {
                serial,
                revoked_at,
                reason,
                invalidity_date,
            })?;
            count = count.saturating_add(1);
        }
        Ok(count)
    }

    fn archive(
        &self,
        serials: &[Serial],
        revoked_before: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<usize, StoreError> {
        let cutoff = revoked_before.unix_timestamp();
        self.write(|tx| {
            let mut removed = 0usize;
            for serial in serials {
                let found: Option<Option<i64>> = tx
                    .prepare_cached(
                        "SELECT r.entered_at FROM certificates c \
                         LEFT JOIN revocations r ON r.serial = c.serial WHERE c.serial = ?1",
                    )
                    .and_then(|mut st| st.query_row([serial.as_bytes()], |r| r.get(0)).optional())
                    .map_err(db_err)?;
                match found {
                    None => {
                        return Err(StoreError::UnknownSerial {
                            serial: serial.clone(),
                        });
                    }
                    Some(None) => {
                        return Err(StoreError::NotRevoked {
                            serial: serial.clone(),
                        });
                    }
                    Some(Some(at)) if at >= cutoff => {
                        return Err(StoreError::RetentionNotElapsed {
                            serial: serial.clone(),
                            revoked_at: instant(at).ok_or_else(|| {
                                corrupt("revocations", serial, "entered_at", "out of range")
                            })?,
                        });
                    }
                    Some(Some(_)) => {}
                }
                // An idempotency key that gave the certificate goes with it: a replay of the
                // key after the archive is a new request.
                for sql in [
                    "DELETE FROM idempotency_keys WHERE serial = ?1",
                    "DELETE FROM revocations WHERE serial = ?1",
                    "DELETE FROM certificates WHERE serial = ?1",
                ] {
                    tx.prepare_cached(sql)
                        .and_then(|mut st| st.execute([serial.as_bytes()]))
                        .map_err(db_err)?;
                }
                removed = removed.saturating_add(1);
            }
            append_audit_in(tx, audit, &[])?;
            Ok(removed)
        })
    }

    fn record_refusal(&self, r: &NewRefusal, audit: &AuditEvent) -> Result<i64, StoreError> {
        self.write(|tx| record_refusal_in(tx, r, audit))
    }

    fn refusals(&self) -> Result<Vec<RefusalRecord>, StoreError> {
        self.read(|tx| {
            let mut st = tx
                .prepare_cached(
                    "SELECT id, at, ground, detail, iin, bin, request_json FROM refusals \
                     ORDER BY id",
                )
                .map_err(db_err)?;
            let mut rows = st.query([]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                let id: i64 = col(row, 0, "refusals", "?", "id")?;
                let key = id.to_string();
                let ground: String = col(row, 2, "refusals", &key, "ground")?;
                out.push(RefusalRecord {
                    id,
                    at: instant(col(row, 1, "refusals", &key, "at")?)
                        .ok_or_else(|| corrupt("refusals", &key, "at", "out of range"))?,
                    ground: RefusalGround::from_name(&ground)
                        .ok_or_else(|| corrupt("refusals", &key, "ground", "unknown ground"))?,
                    detail: col(row, 3, "refusals", &key, "detail")?,
                    iin: col(row, 4, "refusals", &key, "iin")?,
                    bin: col(row, 5, "refusals", &key, "bin")?,
                    request_json: col(row, 6, "refusals", &key, "request_json")?,
                });
            }
            Ok(out)
        })
    }
}

impl RegistryStore for SqliteStore {
    fn upsert_person(&self, p: &PersonRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        let birth = date_text(p.birth_date)?;
        let death = p.death_date.map(date_text).transpose()?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO persons (iin, surname, name, patronymic, birth_date, death_date) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (iin) DO UPDATE SET \
                 surname = ?2, name = ?3, patronymic = ?4, birth_date = ?5, death_date = ?6",
            )
            .and_then(|mut st| {
                st.execute(params![
                    p.iin,
                    p.surname,
                    p.name,
                    p.patronymic,
                    birth,
                    death
                ])
            })
            .map_err(db_err)?;
            append_audit_in(tx, audit, &[])?;
            Ok(())
        })
    }

    fn upsert_entity(&self, e: &EntityRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        let liquidated = e.liquidated_on.map(date_text).transpose()?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO entities (bin, name, head_iin, liquidated_on) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (bin) DO UPDATE SET \
                 name = ?2, head_iin = ?3, liquidated_on = ?4",
            )
            .and_then(|mut st| st.execute(params![e.bin, e.name, e.head_iin, liquidated]))
            .map_err(db_err)?;
            append_audit_in(tx, audit, &[])?;
            Ok(())
        })
    }

    fn person(&self, iin: &str) -> Result<Option<PersonRecord>, StoreError> {
        self.read(|tx| person_in(tx, iin))
    }

    fn entity(&self, bin: &str) -> Result<Option<EntityRecord>, StoreError> {
        self.read(|tx| entity_in(tx, bin))
    }

    fn request_facts(
        &self,
        iin: &str,
        bin: Option<&str>,
        on: Date,
        spki_sha256: Option<&[u8; 32]>,
    ) -> Result<RequestFacts, StoreError> {
        let on = date_text(on)?;
        // One read transaction: one snapshot for the four reads.
        self.read(|tx| {
            Ok(RequestFacts {
                person: person_in(tx, iin)?,
                entity: bin.map(|b| entity_in(tx, b)).transpose()?.flatten(),
                bans: bans_for_in(tx, Some(iin), bin, &on)?,
                same_key: match spki_sha256 {
                    Some(digest) => certificates_by_key_in(tx, digest)?,
                    None => Vec::new(),
                },
            })
        })
    }

    fn apply_registry_change(
        &self,
        change: &RegistryChange,
        revs: &[NewRevocation],
        audit: &AuditEvent,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.write(|tx| {
            match change {
                RegistryChange::PersonUpdated(p) => {
                    let birth = date_text(p.birth_date)?;
                    let death = p.death_date.map(date_text).transpose()?;
                    let changed = tx
                        .prepare_cached(
                            "UPDATE persons SET surname = ?2, name = ?3, patronymic = ?4, \
                             birth_date = ?5, death_date = ?6 WHERE iin = ?1",
                        )
                        .and_then(|mut st| {
                            st.execute(params![
                                p.iin,
                                p.surname,
                                p.name,
                                p.patronymic,
                                birth,
                                death
                            ])
                        })
                        .map_err(db_err)?;
                    if changed == 0 {
                        return Err(StoreError::UnknownPerson { iin: p.iin.clone() });
                    }
                }
                RegistryChange::EntityUpdated(e) => {
                    let liquidated = e.liquidated_on.map(date_text).transpose()?;
                    let changed = tx
                        .prepare_cached(
                            "UPDATE entities SET name = ?2, head_iin = ?3, liquidated_on = ?4 \
                             WHERE bin = ?1",
                        )
                        .and_then(|mut st| {
                            st.execute(params![e.bin, e.name, e.head_iin, liquidated])
                        })
                        .map_err(db_err)?;
                    if changed == 0 {
                        return Err(StoreError::UnknownEntity { bin: e.bin.clone() });
                    }
                }
            }
            let (revoked, skipped) = revoke_in(tx, revs, true)?;
            let skipped: Vec<String> = skipped.iter().map(Serial::to_string).collect();
            append_audit_in(tx, audit, &[("skipped_already_revoked", json!(skipped))])?;
            Ok(revoked)
        })
    }
}

impl BanStore for SqliteStore {
    fn add_ban(&self, ban: &NewBan, audit: &AuditEvent) -> Result<i64, StoreError> {
        self.write(|tx| add_ban_in(tx, ban, audit))
    }

    fn lift_ban(&self, id: i64, on: Date, audit: &AuditEvent) -> Result<Ban, StoreError> {
        self.write(|tx| lift_ban_in(tx, id, on, audit))
    }

    fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        self.read(|tx| query_bans(tx, &format!("{SELECT_BANS} ORDER BY id"), []))
    }

    fn bans_for(
        &self,
        iin: Option<&str>,
        bin: Option<&str>,
        on: Date,
    ) -> Result<Vec<Ban>, StoreError> {
        let on = date_text(on)?;
        self.read(|tx| bans_for_in(tx, iin, bin, &on))
    }
}

impl AuditStore for SqliteStore {
    fn audit_entries(&self, from_seq: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|tx| {
            let mut st = tx
                .prepare_cached(
                    "SELECT seq, at, actor, action, details, prev_hash, hash FROM audit_log \
                     WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(db_err)?;
            let mut rows = st
                .query(params![saturating_i64(from_seq), saturating_i64(limit)])
                .map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                out.push(decode::audit_entry(row)?);
            }
            Ok(out)
        })
    }

    fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        self.read(|tx| {
            let recorded = read_head(tx)?.unwrap_or(AuditHead {
                entries: 0,
                hash: audit::GENESIS,
            });
            let mut st = tx
                .prepare_cached(
                    "SELECT seq, at, actor, action, details, prev_hash, hash FROM audit_log \
                     ORDER BY seq",
                )
                .map_err(db_err)?;
            let mut rows = st.query([]).map_err(db_err)?;
            let mut chain = ChainVerifier::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                let seq: i64 = col(row, 0, "audit_log", "?", "seq")?;
                let seq = u64::try_from(seq)
                    .map_err(|_| corrupt("audit_log", &seq.to_string(), "seq", "negative"))?;
                // A field of the wrong type cannot hash right: it is reported as an edit.
                let mut damaged = false;
                let at_unix = match row.get_ref(1).map_err(db_err)? {
                    ValueRef::Integer(i) => i,
                    _ => {
                        damaged = true;
                        0
                    }
                };
                let mut bytes = |i: usize| match row.get_ref(i) {
                    Ok(ValueRef::Text(b) | ValueRef::Blob(b)) => b,
                    _ => {
                        damaged = true;
                        &[][..]
                    }
                };
                let (actor, action, details, prev_hash, hash) =
                    (bytes(2), bytes(3), bytes(4), bytes(5), bytes(6));
                let hash = if damaged { &[][..] } else { hash };
                let entry = RawEntry {
                    seq,
                    at_unix,
                    actor,
                    action,
                    details,
                    prev_hash,
                    hash,
                };
                if !chain.push(&entry) {
                    break;
                }
            }
            Ok(chain.finish(&recorded))
        })
    }

    fn append_audit(&self, audit: &AuditEvent) -> Result<AuditEntry, StoreError> {
        self.write(|tx| append_audit_in(tx, audit, &[]))
    }

    fn audit_head(&self) -> Result<AuditHead, StoreError> {
        self.read(|tx| {
            read_head(tx)?.ok_or_else(|| StoreError::Corrupt {
                what: "audit_head row 1: missing".to_owned(),
            })
        })
    }
}

impl OperatorStore for SqliteStore {
    fn add_operator(
        &self,
        name: &str,
        token_hash: &[u8; 32],
        audit: &AuditEvent,
    ) -> Result<i64, StoreError> {
        self.write(|tx| {
            let taken: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM operators WHERE name = ?1)")
                .and_then(|mut st| st.query_row([name], |r| r.get(0)))
                .map_err(db_err)?;
            if taken {
                return Err(StoreError::DuplicateOperator {
                    name: name.to_owned(),
                });
            }
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO operators (name, token_hash, created_at) VALUES (?1, ?2, ?3)",
                )
                .and_then(|mut st| {
                    st.execute(params![name, &token_hash[..], audit.at.unix_timestamp()])
                });
            match inserted {
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE =>
                {
                    return Err(StoreError::InvalidRecord {
                        what: "operator token hash is already registered".to_owned(),
                    });
                }
                Err(e) => return Err(db_err(e)),
            }
            let id = tx.last_insert_rowid();
            append_audit_in(tx, audit, &[("operator_id", json!(id))])?;
            Ok(id)
        })
    }

    fn operator_by_token_hash(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<Operator>, StoreError> {
        self.read(|tx| {
            let mut st = tx
                .prepare_cached(&format!("{SELECT_OPERATORS} WHERE token_hash = ?1"))
                .map_err(db_err)?;
            let mut rows = st.query([&token_hash[..]]).map_err(db_err)?;
            match rows.next().map_err(db_err)? {
                Some(row) => Ok(Some(decode::operator(row)?)),
                None => Ok(None),
            }
        })
    }

    fn revoke_operator(&self, name: &str, audit: &AuditEvent) -> Result<Operator, StoreError> {
        self.write(|tx| {
            let found =
                operator_by_name_in(tx, name)?.ok_or_else(|| StoreError::UnknownOperator {
                    name: name.to_owned(),
                })?;
            if let Some(at) = found.revoked_at {
                return Err(StoreError::OperatorAlreadyRevoked {
                    name: name.to_owned(),
                    at,
                });
            }
            tx.prepare_cached("UPDATE operators SET revoked_at = ?1 WHERE id = ?2")
                .and_then(|mut st| st.execute(params![audit.at.unix_timestamp(), found.id]))
                .map_err(db_err)?;
            append_audit_in(tx, audit, &[("operator_id", json!(found.id))])?;
            operator_by_name_in(tx, name)?.ok_or_else(|| StoreError::Corrupt {
                what: format!("operators row {name}: gone after its update"),
            })
        })
    }

    fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        self.read(|tx| {
            let mut st = tx
                .prepare_cached(&format!("{SELECT_OPERATORS} ORDER BY id"))
                .map_err(db_err)?;
            let mut rows = st.query([]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                out.push(decode::operator(row)?);
            }
            Ok(out)
        })
    }
}

impl PublicationStore for SqliteStore {
    fn lock_publication(&self, _what: Publication) -> Result<PublicationLock, StoreError> {
        Ok(PublicationLock::local())
    }
}

impl CounterStore for SqliteStore {
    fn next_value(&self, counter: Counter<'_>, audit: &AuditEvent) -> Result<u64, StoreError> {
        let name = counter.name();
        self.write(|tx| {
            let n: i64 = tx
                .prepare_cached(
                    "INSERT INTO counters (name, last) VALUES (?1, 1) \
                     ON CONFLICT (name) DO UPDATE SET last = last + 1 RETURNING last",
                )
                .and_then(|mut st| st.query_row([&name], |r| r.get(0)))
                .map_err(db_err)?;
            let n =
                u64::try_from(n).map_err(|_| corrupt("counters", &name, "last", "not positive"))?;
            append_audit_in(tx, audit, &[(counter.audit_key(), json!(n))])?;
            Ok(n)
        })
    }
}

/// [`CertificateStore::begin_certificates`] on SQLite: the connection held, `BEGIN IMMEDIATE` issued by
/// hand (a `rusqlite::Transaction` cannot live beside the guard it borrows from in one value),
/// rolled back when dropped uncommitted.
struct SqliteCertificateBatch<'a> {
    conn: MutexGuard<'a, Connection>,
    open: bool,
}

impl CertificateBatch for SqliteCertificateBatch<'_> {
    fn insert(&mut self, recs: &[CertificateRecord]) -> Result<(), StoreError> {
        for rec in recs {
            insert_certificate_in(&self.conn, rec)?;
        }
        Ok(())
    }

    fn commit(mut self: Box<Self>, audit: &AuditEvent) -> Result<(), StoreError> {
        append_audit_in(&self.conn, audit, &[])?;
        self.conn.execute_batch("COMMIT").map_err(db_err)?;
        self.open = false;
        Ok(())
    }
}

impl Drop for SqliteCertificateBatch<'_> {
    fn drop(&mut self) {
        if self.open {
            // Should this fail, the next `SqliteStore::lock` rolls the transaction back.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

const MIGRATIONS: [&str; 6] = [
    r"
CREATE TABLE certificates (
    id           INTEGER PRIMARY KEY,
    serial       BLOB    NOT NULL UNIQUE,
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    iin          TEXT,
    bin          TEXT,
    key_purpose  TEXT,
    not_before   INTEGER NOT NULL,
    not_after    INTEGER NOT NULL,
    issued_at    INTEGER NOT NULL,
    confidential INTEGER NOT NULL CHECK (confidential IN (0, 1)),
    der          BLOB    NOT NULL
);
CREATE INDEX certificates_by_issued ON certificates (issued_at, serial);
CREATE INDEX certificates_by_iin ON certificates (iin);
CREATE INDEX certificates_by_bin ON certificates (bin);

-- issuer and not_after copy the certificate's (immutable) values so that the CRL query reads
-- this table's covering index alone.
CREATE TABLE revocations (
    serial          BLOB    PRIMARY KEY NOT NULL REFERENCES certificates (serial),
    issuer          TEXT    NOT NULL,
    not_after       INTEGER NOT NULL,
    entered_at      INTEGER NOT NULL,
    reason          INTEGER NOT NULL,
    invalidity_date INTEGER,
    ground          TEXT    NOT NULL,
    notified_by     TEXT    NOT NULL,
    received_at     INTEGER NOT NULL,
    note            TEXT
);
CREATE INDEX revocations_for_crl
    ON revocations (issuer, serial, not_after, entered_at, reason, invalidity_date);

CREATE TABLE crl_numbers (
    issuer TEXT    PRIMARY KEY NOT NULL,
    last   INTEGER NOT NULL CHECK (last > 0)
);

CREATE TABLE refusals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    ground       TEXT    NOT NULL,
    detail       TEXT    NOT NULL,
    iin          TEXT,
    bin          TEXT,
    request_json TEXT    NOT NULL
);

CREATE TABLE persons (
    iin        TEXT PRIMARY KEY NOT NULL,
    surname    TEXT NOT NULL,
    name       TEXT NOT NULL,
    patronymic TEXT,
    birth_date TEXT NOT NULL,
    death_date TEXT
);

CREATE TABLE entities (
    bin           TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    head_iin      TEXT NOT NULL,
    liquidated_on TEXT
);

CREATE TABLE bans (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    iin            TEXT,
    bin            TEXT,
    court_decision TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    lifted_on      TEXT,
    CHECK (iin IS NOT NULL OR bin IS NOT NULL)
);
CREATE INDEX bans_by_iin ON bans (iin);
CREATE INDEX bans_by_bin ON bans (bin);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    details   TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);

-- The end of the chain, to notice deleted last entries (see store::audit).
CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    entries INTEGER NOT NULL,
    hash    BLOB    NOT NULL
);
INSERT INTO audit_head (id, entries, hash) VALUES (1, 0, zeroblob(32));
",
    r"
-- Version 2: operators of the network API (`eds serve`). Only the SHA-256 hash of a bearer
-- token is kept; a revoked operator keeps its row and name, so audit actors stay unambiguous.
CREATE TABLE operators (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    token_hash BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
",
    r"
-- Version 3: fewer index writes per issued certificate. The register's listing follows the
-- order rows were recorded in (the rowid) instead of an index on (issued_at, serial), and the BIN
-- index leaves out the rows without a BIN (every individual's certificate); lookups by BIN
-- (`bin = ?`) still use it. IF EXISTS: a file may have lost them already.
DROP INDEX IF EXISTS certificates_by_issued;
DROP INDEX IF EXISTS certificates_by_bin;
CREATE INDEX certificates_by_bin ON certificates (bin) WHERE bin IS NOT NULL;
",
    // 4: the holders of a public key (EDS law art. 21.1); `fill_spki_sha256` fills old rows.
    r"
ALTER TABLE certificates ADD COLUMN spki_sha256 BLOB;
CREATE INDEX certificates_by_key ON certificates (spki_sha256) WHERE spki_sha256 IS NOT NULL;
",
    // 5: idempotency keys of API issuance, committed with the certificate they gave.
    r"
CREATE TABLE idempotency_keys (
    operator       TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    request_sha256 BLOB    NOT NULL CHECK (length(request_sha256) = 32),
    serial         BLOB    NOT NULL REFERENCES certificates (serial),
    PRIMARY KEY (operator, key)
);
",
    // 6: one table of named counters. CRL numbers become `crl-number:<issuer>`; the timestamp
    // serial blocks, kept before as the CRL number of a pseudo-issuer `tsa-serial-block`, get
    // their own name.
    r"
CREATE TABLE counters (
    name TEXT    PRIMARY KEY NOT NULL,
    last INTEGER NOT NULL CHECK (last > 0)
);
INSERT INTO counters (name, last)
    SELECT CASE issuer WHEN 'tsa-serial-block' THEN 'tsa-serial-block'
                       ELSE 'crl-number:' || issuer END, last
    FROM crl_numbers;
DROP TABLE crl_numbers;
",
];

/// The schema version whose migration added `certificates.spki_sha256`.
const SPKI_SHA256_SCHEMA: usize = 4;

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db_err)?;
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    let from = usize::try_from(found).map_err(|_| StoreError::Corrupt {
        what: format!("schema version {found}: negative"),
    })?;
    for sql in MIGRATIONS.iter().skip(from) {
        tx.execute_batch(sql).map_err(db_err)?;
    }
    if from < SPKI_SHA256_SCHEMA {
        fill_spki_sha256(&tx)?;
    }
    tx.pragma_update(None, "user_version", supported)
        .map_err(db_err)?;
    tx.commit().map_err(db_err)
}

/// Fills `spki_sha256` of the certificates recorded before schema 4, from their DER.
fn fill_spki_sha256(tx: &Connection) -> Result<(), StoreError> {
    let mut st = tx
        .prepare("SELECT id, der FROM certificates WHERE spki_sha256 IS NULL")
        .map_err(db_err)?;
    let rows: Vec<(i64, Vec<u8>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    let mut update = tx
        .prepare("UPDATE certificates SET spki_sha256 = ?1 WHERE id = ?2")
        .map_err(db_err)?;
    for (id, der) in rows {
        if let Some(digest) = certificate_spki_sha256(&der) {
            update
                .execute(params![digest.as_slice(), id])
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// SHA-256 of the SubjectPublicKeyInfo of a DER certificate; `None` when it does not parse.
pub(crate) fn certificate_spki_sha256(der: &[u8]) -> Option<[u8; 32]> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(crate::key_policy::spki_sha256(
        cert.tbs_certificate.subject_pki.raw,
    ))
}

/// The SQL and arguments of [`CertificateStore::list_certificates`] for `q`.
fn list_query(q: &CertificateQuery) -> (String, Vec<SqlValue>) {
    let mut sql = format!("{SELECT_CERTIFICATES} WHERE 1 = 1");
    let mut args: Vec<SqlValue> = Vec::new();
    for (column, value) in [
        ("c.iin", &q.iin),
        ("c.bin", &q.bin),
        ("c.issuer", &q.issuer),
    ] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            args.push(SqlValue::Text(v.clone()));
        }
    }
    match q.status {
        Some(Status::Valid) => sql.push_str(" AND r.serial IS NULL"),
        Some(Status::Revoked) => sql.push_str(" AND r.serial IS NOT NULL"),
        None => {}
    }
    // The order the register recorded them in: issuance order, with no index to keep.
    sql.push_str(" ORDER BY c.id LIMIT ? OFFSET ?");
    // SQLite reads a negative LIMIT as "no limit".
    args.push(SqlValue::Integer(q.limit.map_or(-1, saturating_i64)));
    args.push(SqlValue::Integer(saturating_i64(q.offset)));
    (sql, args)
}

fn insert_certificate_in(tx: &Connection, rec: &CertificateRecord) -> Result<(), StoreError> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO certificates (serial, issuer, subject, kind, iin, bin, key_purpose, \
             not_before, not_after, issued_at, confidential, der, spki_sha256) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .and_then(|mut st| {
            st.execute(params![
                rec.serial.as_bytes(),
                rec.issuer,
                rec.subject,
                rec.kind,
                rec.iin,
                rec.bin,
                rec.key_purpose,
                rec.not_before.unix_timestamp(),
                rec.not_after.unix_timestamp(),
                rec.issued_at.unix_timestamp(),
                rec.confidential,
                rec.der,
                certificate_spki_sha256(&rec.der)
                    .as_ref()
                    .map(|d| d.as_slice()),
            ])
        });
    match inserted {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            return Err(StoreError::DuplicateSerial {
                serial: rec.serial.clone(),
            });
        }
        Err(e) => return Err(db_err(e)),
    }
    if let Some(rev) = &rec.revocation {
        insert_revocation_in(
            tx,
            &rec.serial,
            &rec.issuer,
            rec.not_after.unix_timestamp(),
            rev,
        )?;
    }
    Ok(())
}

fn insert_revocation_in(
    tx: &Connection,
    serial: &Serial,
    issuer: &str,
    not_after: i64,
    rev: &RevocationRecord,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO revocations (serial, issuer, not_after, entered_at, reason, \
         invalidity_date, ground, notified_by, received_at, note) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut st| {
        st.execute(params![
            serial.as_bytes(),
            issuer,
            not_after,
            rev.entered_at.unix_timestamp(),
            rev.reason.code(),
            rev.invalidity_date.map(OffsetDateTime::unix_timestamp),
            rev.ground.as_str(),
            rev.notified_by,
            rev.received_at.unix_timestamp(),
            rev.note,
        ])
    })
    .map_err(db_err)?;
    Ok(())
}

/// Revokes each serial; an already revoked one fails the call, or is skipped and listed when
/// `skip_revoked`. Returns the newly revoked certificates and the skipped serials.
fn revoke_in(
    tx: &Connection,
    revs: &[NewRevocation],
    skip_revoked: bool,
) -> Result<(Vec<CertificateRecord>, Vec<Serial>), StoreError> {
    let mut skipped = Vec::new();
    let mut revoked_serials = Vec::with_capacity(revs.len());
    for rev in revs {
        let found: Option<(String, i64, Option<i64>, Option<String>)> = tx
            .prepare_cached(
                "SELECT c.issuer, c.not_after, r.entered_at, r.ground FROM certificates c \
                 LEFT JOIN revocations r ON r.serial = c.serial WHERE c.serial = ?1",
            )
            .and_then(|mut st| {
                st.query_row([rev.serial.as_bytes()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(db_err)?;
        let Some((issuer, not_after, entered_at, ground)) = found else {
            return Err(StoreError::UnknownSerial {
                serial: rev.serial.clone(),
            });
        };
        if let (Some(at), Some(ground)) = (entered_at, ground) {
            if skip_revoked {
                skipped.push(rev.serial.clone());
                continue;
            }
            return Err(StoreError::AlreadyRevoked {
                serial: rev.serial.clone(),
                at: instant(at).ok_or_else(|| {
                    corrupt("revocations", &rev.serial, "entered_at", "out of range")
                })?,
                ground: RevocationGround::from_name(&ground).ok_or_else(|| {
                    corrupt("revocations", &rev.serial, "ground", "unknown ground")
                })?,
            });
        }
        insert_revocation_in(tx, &rev.serial, &issuer, not_after, &rev.record)?;
        revoked_serials.push(&rev.serial);
    }
    let mut revoked = Vec::with_capacity(revoked_serials.len());
    for serial in revoked_serials {
        revoked.push(
            certificate_in(tx, serial)?.ok_or_else(|| StoreError::UnknownSerial {
                serial: serial.clone(),
            })?,
        );
    }
    Ok((revoked, skipped))
}

fn certificate_in(
    tx: &Connection,
    serial: &Serial,
) -> Result<Option<CertificateRecord>, StoreError> {
    let mut st = tx
        .prepare_cached(&format!("{SELECT_CERTIFICATES} WHERE c.serial = ?1"))
        .map_err(db_err)?;
    let mut rows = st.query([serial.as_bytes()]).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(row) => decode::certificate(row).map(Some),
        None => Ok(None),
    }
}

fn append_audit_in(
    tx: &Connection,
    event: &AuditEvent,
    generated: &[(&str, Value)],
) -> Result<AuditEntry, StoreError> {
    let details = audit::canonical_json(&audit::with_generated(&event.details, generated))?;
    let head = read_head(tx)?.ok_or_else(|| StoreError::Corrupt {
        what: "audit_head row 1: missing".to_owned(),
    })?;
    let seq = head
        .entries
        .checked_add(1)
        .ok_or_else(|| StoreError::Corrupt {
            what: "audit_head row 1: entries at the maximum".to_owned(),
        })?;
    let at = event.at.unix_timestamp();
    let hash = audit::entry_hash(
        seq,
        at,
        event.actor.as_bytes(),
        event.action.as_bytes(),
        details.as_bytes(),
        &head.hash,
    );
    let seq_sql = saturating_i64(seq);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut st| {
        st.execute(params![
            seq_sql,
            at,
            event.actor,
            event.action,
            details,
            &head.hash[..],
            &hash[..]
        ])
    })
    .map_err(db_err)?;
    tx.prepare_cached("UPDATE audit_head SET entries = ?1, hash = ?2 WHERE id = 1")
        .and_then(|mut st| st.execute(params![seq_sql, &hash[..]]))
        .map_err(db_err)?;
    Ok(AuditEntry {
        seq,
        at: instant(at).ok_or_else(|| StoreError::InvalidRecord {
            what: "audit event time out of range".to_owned(),
        })?,
        actor: event.actor.clone(),
        action: event.action.clone(),
        details,
        prev_hash: head.hash,
        hash,
    })
}

fn read_head(tx: &Connection) -> Result<Option<AuditHead>, StoreError> {
    let head: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT entries, hash FROM audit_head WHERE id = 1")
        .and_then(|mut st| st.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(db_err)?;
    head.map(|(entries, hash)| {
        Ok(AuditHead {
            entries: u64::try_from(entries)
                .map_err(|_| corrupt("audit_head", "1", "entries", "negative"))?,
            hash: <[u8; 32]>::try_from(hash.as_slice())
                .map_err(|_| corrupt("audit_head", "1", "hash", "not 32 bytes"))?,
        })
    })
    .transpose()
}

fn query_bans(
    tx: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Ban>, StoreError> {
    let mut st = tx.prepare_cached(sql).map_err(db_err)?;
    let mut rows = st.query(args).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_err)? {
        out.push(decode::ban(row)?);
    }
    Ok(out)
}

fn certificates_by_key_in(
    tx: &Connection,
    spki_sha256: &[u8; 32],
) -> Result<Vec<CertificateRecord>, StoreError> {
    let mut st = tx
        .prepare_cached(&format!(
            "{SELECT_CERTIFICATES} WHERE c.spki_sha256 = ?1 ORDER BY c.id"
        ))
        .map_err(db_err)?;
    let mut rows = st.query([spki_sha256.as_slice()]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_err)? {
        out.push(decode::certificate(row)?);
    }
    Ok(out)
}

fn person_in(tx: &Connection, iin: &str) -> Result<Option<PersonRecord>, StoreError> {
    let mut st = tx
        .prepare_cached(&format!("{SELECT_PERSONS} WHERE iin = ?1"))
        .map_err(db_err)?;
    let mut rows = st.query([iin]).map_err(db_err)?;
    let Some(row) = rows.next().map_err(db_err)? else {
        return Ok(None);
    };
    decode::person(row, iin).map(Some)
}

fn entity_in(tx: &Connection, bin: &str) -> Result<Option<EntityRecord>, StoreError> {
    let mut st = tx
        .prepare_cached(&format!("{SELECT_ENTITIES} WHERE bin = ?1"))
        .map_err(db_err)?;
    let mut rows = st.query([bin]).map_err(db_err)?;
    let Some(row) = rows.next().map_err(db_err)? else {
        return Ok(None);
    };
    decode::entity(row, bin).map(Some)
}

/// The bans that apply on the day `on` (`YYYY-MM-DD`) to `iin` or `bin`, by id.
fn bans_for_in(
    tx: &Connection,
    iin: Option<&str>,
    bin: Option<&str>,
    on: &str,
) -> Result<Vec<Ban>, StoreError> {
    query_bans(
        tx,
        &format!(
            "{SELECT_BANS} WHERE (iin = ?1 OR bin = ?2) AND effective_from <= ?3 \
             AND (lifted_on IS NULL OR lifted_on > ?3) ORDER BY id"
        ),
        params![iin, bin, on],
    )
}

fn operator_by_name_in(tx: &Connection, name: &str) -> Result<Option<Operator>, StoreError> {
    let mut st = tx
        .prepare_cached(&format!("{SELECT_OPERATORS} WHERE name = ?1"))
        .map_err(db_err)?;
    let mut rows = st.query([name]).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(row) => Ok(Some(decode::operator(row)?)),
        None => Ok(None),
    }
}

/// The row of a query, for the decoders both backends share (`store::rows`); a flag is kept
/// as 0 or 1.
impl Columns for Row<'_> {
    fn int(&self, i: usize) -> Result<i64, String> {
        self.get(i).map_err(|e| e.to_string())
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, String> {
        self.get(i).map_err(|e| e.to_string())
    }

    fn text(&self, i: usize) -> Result<String, String> {
        self.get(i).map_err(|e| e.to_string())
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, String> {
        self.get(i).map_err(|e| e.to_string())
    }

    fn bytes(&self, i: usize) -> Result<Vec<u8>, String> {
        self.get(i).map_err(|e| e.to_string())
    }

    fn flag(&self, i: usize) -> Result<bool, String> {
        match self.get::<_, i64>(i).map_err(|e| e.to_string())? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err("not 0 or 1".to_owned()),
        }
    }
}

/// Reads column `i`; a value of the wrong type is [`StoreError::Corrupt`] naming the row.
fn col<T: FromSql, K: fmt::Display + ?Sized>(
    row: &Row<'_>,
    i: usize,
    table: &str,
    key: &K,
    name: &str,
) -> Result<T, StoreError> {
    row.get(i)
        .map_err(|e| corrupt(table, key, name, &e.to_string()))
}

fn db_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            StoreError::Busy
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..) => StoreError::Corrupt {
            what: e.to_string(),
        },
        _ => StoreError::Backend {
            message: e.to_string(),
        },
    }
}

fn record_refusal_in(
    tx: &Connection,
    r: &NewRefusal,
    audit: &AuditEvent,
) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO refusals (at, ground, detail, iin, bin, request_json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut st| {
        st.execute(params![
            r.at.unix_timestamp(),
            r.ground.as_str(),
            r.detail,
            r.iin,
            r.bin,
            r.request_json
        ])
    })
    .map_err(db_err)?;
    let id = tx.last_insert_rowid();
    append_audit_in(tx, audit, &[("refusal_id", json!(id))])?;
    Ok(id)
}

fn add_ban_in(tx: &Connection, ban: &NewBan, audit: &AuditEvent) -> Result<i64, StoreError> {
    if ban.iin.is_none() && ban.bin.is_none() {
        return Err(StoreError::InvalidRecord {
            what: "a ban names neither an iin nor a bin".to_owned(),
        });
    }
    let from = date_text(ban.effective_from)?;
    let lifted = match ban.ends_on {
        Some(end) => Some(date_text(
            eds_profile::grounds::court_ban_lifted_on(end).ok_or_else(|| {
                StoreError::InvalidRecord {
                    what: "a ban ending on the last representable day".to_owned(),
                }
            })?,
        )?),
        None => None,
    };
    tx.prepare_cached(
        "INSERT INTO bans (iin, bin, court_decision, effective_from, lifted_on) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut st| st.execute(params![ban.iin, ban.bin, ban.court_decision, from, lifted]))
    .map_err(db_err)?;
    let id = tx.last_insert_rowid();
    append_audit_in(tx, audit, &[("ban_id", json!(id))])?;
    Ok(id)
}

fn lift_ban_in(tx: &Connection, id: i64, on: Date, audit: &AuditEvent) -> Result<Ban, StoreError> {
    let on = date_text(on)?;
    let changed = tx
        .prepare_cached("UPDATE bans SET lifted_on = ?2 WHERE id = ?1")
        .and_then(|mut st| st.execute(params![id, on]))
        .map_err(db_err)?;
    if changed == 0 {
        return Err(StoreError::UnknownBan { id });
    }
    let ban = query_bans(tx, &format!("{SELECT_BANS} WHERE id = ?1"), params![id])?
        .into_iter()
        .next()
        .ok_or(StoreError::UnknownBan { id })?;
    append_audit_in(tx, audit, &[])?;
    Ok(ban)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_crl_query_reads_the_covering_index_only() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.lock().unwrap();
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT serial, entered_at, reason, invalidity_date \
                 FROM revocations WHERE issuer = ?1 AND not_after >= ?2 ORDER BY serial",
            )
            .unwrap()
            .query_map(params!["issuing", 0], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            plan,
            vec!["SEARCH revocations USING COVERING INDEX revocations_for_crl (issuer=?)"]
        );
    }

    /// The query plan's detail lines for `sql` with `args`.
    fn plan(conn: &Connection, sql: &str, args: Vec<SqlValue>) -> Vec<String> {
        conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn ok_listing_by_bin_uses_the_partial_index_and_no_sort() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.lock().unwrap();
        let (sql, args) = list_query(&CertificateQuery {
            bin: Some("050140000656".to_owned()),
            ..CertificateQuery::default()
        });
        let lines = plan(&conn, &sql, args);
        assert_eq!(
            lines.first().map(String::as_str),
            Some("SEARCH c USING INDEX certificates_by_bin (bin=?)"),
            "{lines:?}"
        );
        // Listing everything walks the table in rowid order: no sorting of the whole register.
        let (sql, args) = list_query(&CertificateQuery::default());
        let lines = plan(&conn, &sql, args);
        assert_eq!(
            lines.first().map(String::as_str),
            Some("SCAN c"),
            "{lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.contains("TEMP B-TREE")),
            "{lines:?}"
        );
    }

    #[test]
    fn ok_schema_version_is_recorded() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.lock().unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(usize::try_from(SCHEMA_VERSION).unwrap(), MIGRATIONS.len());
    }
}
