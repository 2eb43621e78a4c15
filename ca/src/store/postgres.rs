//! The register on PostgreSQL: the same contract as [`super::SqliteStore`], for several servers
//! on one database.
//!
//! - One connection per `PostgresStore`, behind a mutex (open several stores for parallel
//!   readers, as `eds serve` does); a connection the server closed is opened again on the next
//!   call. Each connection keeps its statements prepared, keyed by their SQL text ([`Conn`]):
//!   a statement is parsed and planned once per connection, then each call is one round trip.
//! - Every method is one transaction (a read of one statement, such as the audit head or one
//!   certificate, runs without BEGIN and COMMIT: one statement is one snapshot). Writers lock
//!   the audit head's row (`SELECT … FOR UPDATE`): every change appends to the one audit chain,
//!   so writers follow each other in every process, as SQLite's `BEGIN IMMEDIATE` makes them do
//!   in one file. Most writes take the lock first (sent with the `BEGIN` in one message); the
//!   two of the operator API's every request, registering one certificate and revoking one
//!   serial, are ONE statement each, outside an explicit transaction: the row, the audit entry
//!   (its hash computed by PostgreSQL over [`audit::entry_middle`]) and the new head, committed
//!   together, the lock taken in the statement after the row is written and held until its
//!   commit. Serials stay unique by the primary key whatever the order. Readers of several
//!   statements use a REPEATABLE READ snapshot, so the audit log and its head are read at one
//!   instant; the facts of an issuance request are one statement (`store::rows::SELECT_REQUEST_FACTS`).
//! - The schema is versioned in `schema_version` and migrated on open, under an advisory lock so
//!   that two processes starting together do not both migrate.
//! - Instants are Unix seconds (`BIGINT`), dates `YYYY-MM-DD` text, serials and hashes `BYTEA`:
//!   the values of the SQLite backend, so a register copies between the two unchanged
//!   (`eds ca migrate`).

use std::collections::HashMap;
use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use eds_profile::grounds::RefusalGround;
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, ToSql};
use postgres::{Client, Config, GenericClient, NoTls, Row, RowIter, SimpleQueryMessage, Statement};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

use crate::store::audit::{self, ChainVerifier, RawEntry};
use crate::store::rows::{
    self as decode, Columns, FACT_BAN, FACT_BAN_AT, FACT_CERTIFICATE, FACT_CERTIFICATE_AT,
    FACT_ENTITY, FACT_ENTITY_AT, FACT_PERSON, FACT_PERSON_AT, SELECT_BANS, SELECT_CERTIFICATES,
    SELECT_ENTITIES, SELECT_OPERATORS, SELECT_PERSONS, SELECT_REQUEST_FACTS, Shifted,
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

/// The schema version this program writes (`schema_version.version`).
pub const SCHEMA_VERSION: i64 = 1;

/// Key of the advisory lock held while migrating (any fixed number; "eds" in ASCII).
const MIGRATION_LOCK: i64 = 0x0065_6473;

/// The channel of the register's notifications (`NOTIFY`, see [`super::cluster`]).
pub(crate) const NOTIFY_CHANNEL: &str = "eds_register";

/// A revocation's notification payload: this prefix, then the serial in hex.
pub(crate) const REVOKED_PREFIX: &str = "revoked:";

/// A CRL publication's notification payload: this prefix, then the CRL number.
pub(crate) const CRL_PREFIX: &str = "crl:";

/// How many times a write transaction is tried when PostgreSQL ends it as a serialization
/// failure or a deadlock victim ([`PostgresStore`]'s `write`).
pub const WRITE_ATTEMPTS: u32 = 5;

/// The register in a PostgreSQL database.
pub struct PostgresStore {
    url: String,
    conn: Mutex<Conn>,
}

/// The most statements one connection keeps prepared; past it the cache starts again empty. The
/// store's SQL is a fixed set (a few dozen texts, the register queries' filters included), so
/// this bounds a mistake, not the working set.
const STATEMENT_CACHE: usize = 256;

/// One connection and what the store keeps beside it: its prepared statements, whether a
/// transaction is open on it, and the audit head read under the head's row lock.
struct Conn {
    client: Session,
    /// Prepared statements by SQL text. A prepared statement outlives the transaction that
    /// prepared it (PostgreSQL's protocol-level statements are not transactional).
    statements: HashMap<String, Statement>,
    /// A `BEGIN` was sent and no `COMMIT` or `ROLLBACK` has succeeded since: the next checkout
    /// rolls it back (a panic or an abandoned batch left it open).
    in_transaction: bool,
    /// The audit head as this transaction holds it locked (`None` outside a write).
    head: Option<AuditHead>,
}

impl Conn {
    fn new(client: Session) -> Self {
        Self {
            client,
            statements: HashMap::new(),
            in_transaction: false,
            head: None,
        }
    }

    /// The prepared statement of `sql`, prepared now if this connection has not yet.
    fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.client.query(&s, params)
    }

    fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.client.query_opt(&s, params)
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let s = self.statement(sql)?;
        self.client.query_one(&s, params)
    }

    fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.client.execute(&s, params)
    }

    fn query_raw<'p, I>(&mut self, sql: &str, params: I) -> Result<RowIter<'_>, postgres::Error>
    where
        I: IntoIterator<Item = &'p (dyn ToSql + Sync)>,
        I::IntoIter: ExactSizeIterator,
    {
        let s = self.statement(sql)?;
        self.client.query_raw(&s, params)
    }

    /// Sends `BEGIN …` (and whatever follows it in `sql`) as one simple query.
    fn begin(&mut self, sql: &str) -> Result<Vec<SimpleQueryMessage>, StoreError> {
        // Set first: should the message fail half-way, the next checkout rolls back.
        self.in_transaction = true;
        self.head = None;
        self.client.simple_query(sql).map_err(db_err)
    }

    /// Begins a write transaction and locks the audit head's row, in one round trip; the head is
    /// kept for [`append_audit_in`].
    fn begin_write(&mut self) -> Result<(), StoreError> {
        let messages = self.begin(
            "BEGIN ISOLATION LEVEL READ COMMITTED;              SELECT entries, encode(hash, 'hex') FROM audit_head WHERE id = 1 FOR UPDATE",
        )?;
        let missing = || StoreError::Corrupt {
            what: "audit_head row 1: missing".to_owned(),
        };
        let row = messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            })
            .ok_or_else(missing)?;
        let entries = row
            .try_get(0)
            .map_err(db_err)?
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| corrupt("audit_head", "1", "entries", "not a count"))?;
        let hash = row
            .try_get(1)
            .map_err(db_err)?
            .and_then(|t| hex::decode(t).ok())
            .and_then(|h| <[u8; 32]>::try_from(h.as_slice()).ok())
            .ok_or_else(|| corrupt("audit_head", "1", "hash", "not 32 bytes"))?;
        self.head = Some(AuditHead { entries, hash });
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.head = None;
        self.client.batch_execute("COMMIT").map_err(db_err)?;
        self.in_transaction = false;
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.head = None;
        self.client.batch_execute("ROLLBACK").map_err(db_err)?;
        self.in_transaction = false;
        Ok(())
    }
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (a libpq-style URL or key=value string; no TLS) and
    /// migrates its schema. A URL without a password takes it from `PGPASSWORD` or the password
    /// file (`PGPASSFILE`, else `~/.pgpass`, mode 0600), as libpq does.
    ///
    /// Fails with [`StoreError::SchemaTooNew`] for a database of a newer program,
    /// [`StoreError::Backend`] when the server cannot be reached.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut client = connect(url)?;
        migrate(&mut client)?;
        Ok(Self {
            url: url.to_owned(),
            conn: Mutex::new(Conn::new(client)),
        })
    }

    /// The connection, opened again if the server closed it. A transaction left open on it (a
    /// thread panicked while holding it, a batch was dropped and its `ROLLBACK` failed) is
    /// rolled back first; a connection with none open costs no round trip.
    fn lock(&self) -> Result<MutexGuard<'_, Conn>, StoreError> {
        let mut guard = self.conn.lock().unwrap_or_else(|poisoned: PoisonError<_>| {
            self.conn.clear_poison();
            poisoned.into_inner()
        });
        if guard.client.is_closed() {
            *guard = Conn::new(connect(&self.url)?);
        }
        if guard.in_transaction {
            guard.rollback()?;
        }
        Ok(guard)
    }

    /// Runs `f` in a write transaction, again from the start when PostgreSQL ended it with a
    /// serialization failure or a deadlock (SQLSTATE 40001, 40P01; [`StoreError::Busy`]), at
    /// most [`WRITE_ATTEMPTS`] times. Nothing of an ended attempt is kept: it was rolled back,
    /// its audit entry with it.
    fn write<T>(&self, f: impl FnMut(&mut Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.write_locking(Lock::First, f)
    }

    /// [`Self::write`], taking the audit head's row lock first or at the first audit append
    /// (`Lock::Late`; see [`Lock`]).
    fn write_locking<T>(
        &self,
        when: Lock,
        mut f: impl FnMut(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        retry_busy(|| {
            let mut c = self.lock()?;
            let begun = match when {
                Lock::First => c.begin_write(),
                Lock::Late => c.begin("BEGIN ISOLATION LEVEL READ COMMITTED").map(drop),
            };
            let out = begun.and_then(|()| f(&mut c));
            finish(&mut c, out)
        })
    }

    /// Runs `f`, which issues ONE statement, outside a transaction: a single SELECT reads one
    /// snapshot by itself (PostgreSQL's autocommit), so BEGIN and COMMIT would only add two round
    /// trips. The OCSP responder reads the audit head on every request and a certificate on every
    /// answer it signs: this is their path. A read of two statements or more goes through `read`.
    fn read_one<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut c = self.lock()?;
        f(&mut c)
    }

    /// Runs `f`, whose one write is ONE statement that also appends the audit entry
    /// ([`audited`]), outside an explicit transaction: PostgreSQL commits a statement alone, so
    /// the change, its audit entry and the new head are one round trip and one commit, and the
    /// head's row lock is held from that statement's audit append to its commit. `f` may read
    /// before it (one statement each, as [`Self::read_one`]). Tried again as [`Self::write`] is
    /// when it ends with [`StoreError::Busy`].
    fn one_statement<T>(
        &self,
        mut f: impl FnMut(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        retry_busy(|| f(&mut *self.lock()?))
    }

    /// Runs `f`, which reads with several statements, in one REPEATABLE READ snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = self.lock()?;
        let out = c
            .begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .and_then(|_| f(&mut c));
        finish(&mut c, out)
    }
}

/// Runs `once` again while it ends with [`StoreError::Busy`] (PostgreSQL ended the attempt, which
/// kept nothing), at most [`WRITE_ATTEMPTS`] times, waiting 10, 20, 40, 80 ms between attempts:
/// the other transaction usually ends within that.
fn retry_busy<T>(mut once: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut attempt = 1u32;
    loop {
        match once() {
            Err(StoreError::Busy) if attempt < WRITE_ATTEMPTS => {
                std::thread::sleep(std::time::Duration::from_millis(10 << (attempt - 1)));
                attempt += 1;
            }
            out => return out,
        }
    }
}

/// Connects to `url`. A URL without a password takes it from the environment as libpq does:
/// `PGPASSWORD`, else the first matching line of the password file (`PGPASSFILE`, else
/// `~/.pgpass`; see [`passfile_password`]), so the password need not be written in the URL,
/// nor in `center.json` which records the URL.
pub(crate) fn connect(url: &str) -> Result<Session, StoreError> {
    let mut config: Config = url.parse().map_err(|e| StoreError::InvalidUrl {
        url: super::redact(url),
        reason: format!("not a PostgreSQL connection string: {e}"),
    })?;
    if config.get_password().is_none()
        && let Some(password) = password_from_environment(&config)?
    {
        config.password(password);
    }
    config
        .connect(NoTls)
        .map(|client| Session(Some(client)))
        .map_err(|e| StoreError::Backend {
            message: format!("connect to PostgreSQL: {}", pg_message(&e)),
        })
}

/// A session with PostgreSQL (the `postgres` crate's blocking [`Client`]) that is closed on a
/// thread of its own when dropped.
///
/// The blocking client's drop says goodbye to the server by running a small async runtime of
/// its own, and a thread that already drives a tokio runtime may not do that: the drop panics
/// ("Cannot start a runtime from within a runtime"). `eds serve` drops its center, and with it
/// the register's connections, inside its runtime when it shuts down, so every `eds serve` on
/// PostgreSQL panicked and aborted on SIGTERM. The drop moves the client to a short-lived
/// thread, which runs outside any runtime, and waits for it.
pub(crate) struct Session(Option<Client>);

impl std::ops::Deref for Session {
    type Target = Client;

    #[expect(
        clippy::expect_used,
        reason = "the client is taken only by drop, after which the session is never used"
    )]
    fn deref(&self) -> &Client {
        self.0
            .as_ref()
            .expect("a session's client is present until it is dropped")
    }
}

impl std::ops::DerefMut for Session {
    #[expect(
        clippy::expect_used,
        reason = "the client is taken only by drop, after which the session is never used"
    )]
    fn deref_mut(&mut self) -> &mut Client {
        self.0
            .as_mut()
            .expect("a session's client is present until it is dropped")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let Some(client) = self.0.take() else {
            return;
        };
        // Should the thread not start (the process out of threads), the closure and the client
        // in it are dropped here, as before this type: on a runtime's thread that panics.
        if let Ok(closing) = std::thread::Builder::new()
            .name("postgres-close".to_owned())
            .spawn(move || drop(client))
        {
            // The thread only closes the socket after one message; its panic, if any, is the
            // `postgres` crate's and leaves nothing of ours half done.
            let _ = closing.join();
        }
    }
}

/// `PGPASSWORD`, else the password file's line for the first host of `config`.
fn password_from_environment(config: &Config) -> Result<Option<String>, StoreError> {
    if let Some(p) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
        return p
            .into_string()
            .map(Some)
            .map_err(|_| StoreError::InvalidRecord {
                what: "PGPASSWORD is not UTF-8".to_owned(),
            });
    }
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(".pgpass"),
            None => return Ok(None),
        },
    };
    let Ok(meta) = std::fs::metadata(&path) else {
        return Ok(None);
    };
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(StoreError::Backend {
            message: format!(
                "password file {} is open to other users (mode {:04o}); chmod 600 it",
                path.display(),
                meta.permissions().mode() & 0o7777
            ),
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|e| StoreError::Backend {
        message: format!("read password file {}: {e}", path.display()),
    })?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(dir)) => dir.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or_default();
    let db = config.get_dbname().unwrap_or(user);
    Ok(passfile_password(&text, &host, port, db, user))
}

/// The password of the first line of a password file (`host:port:database:user:password`, `*`
/// matching anything, `\:` and `\\` escaping, `#` starting a comment) that matches, as libpq
/// reads `~/.pgpass`. A unix socket's host is its folder; `localhost` matches it too.
fn passfile_password(
    text: &str,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Option<String> {
    let port = port.to_string();
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = passfile_fields(line)?;
            let [h, p, d, u, password] = <[String; 5]>::try_from(fields).ok()?;
            let host_ok = h == "*" || h == host || (h == "localhost" && host.starts_with('/'));
            let matches = |field: &str, value: &str| field == "*" || field == value;
            (host_ok && matches(&p, &port) && matches(&d, database) && matches(&u, user))
                .then_some(password)
        })
}

/// The fields of one password file line, `\` escapes resolved; `None` for fewer than five.
fn passfile_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut()?.push(chars.next().unwrap_or('\\')),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut()?.push(c),
        }
    }
    (fields.len() == 5).then_some(fields)
}

/// When a write transaction takes the audit head's row lock, which orders every writer of every
/// process on the one audit chain.
#[derive(Clone, Copy)]
enum Lock {
    /// With the `BEGIN`: whatever the transaction reads, it reads after every earlier writer
    /// committed (the persons registry, operators, bans: checks that must see the last write).
    First,
    /// With the transaction's first audit append (or a statement of its own before that, as a
    /// revocation's insert): the lock is held for the append and the commit alone, so writers of
    /// different rows overlap in every step before it. The chain is as linear as with
    /// [`Lock::First`]: the head is read under the lock, after the previous holder committed.
    /// Only for writes whose rows' own constraints settle a race (a revocation's primary key:
    /// the loser of two revocations of one serial fails with a unique violation, is tried again
    /// as [`StoreError::Busy`] and then finds the serial revoked).
    Late,
}

/// Commits after `Ok`, rolls back after `Err`.
fn finish<T>(c: &mut Conn, out: Result<T, StoreError>) -> Result<T, StoreError> {
    match out {
        Ok(v) => {
            c.commit()?;
            Ok(v)
        }
        Err(e) => {
            // A failed rollback leaves the transaction to the next `lock`.
            let _ = c.rollback();
            Err(e)
        }
    }
}

impl CertificateStore for PostgresStore {
    fn insert_certificate(
        &self,
        rec: &CertificateRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        if rec.revocation.is_some() {
            // A revoked record (a transferred register) also writes its revocation.
            return self.write(|c| {
                insert_certificate_in(c, rec)?;
                append_audit_in(c, audit, &[])?;
                Ok(())
            });
        }
        self.one_statement(|c| insert_certificate_audited(c, rec, None, audit))
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
        self.write(|c| {
            for rec in &import.certificates {
                insert_certificate_in(c, rec)?;
            }
            append_audit_in(c, &import.audit, &[])?;
            for (refusal, audit) in &import.refusals {
                record_refusal_in(c, refusal, audit)?;
            }
            for b in &import.bans {
                let id = add_ban_in(c, &b.ban, &b.audit)?;
                if let Some((on, audit)) = &b.lifted {
                    lift_ban_in(c, id, *on, audit)?;
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
        if rec.revocation.is_some() {
            return self.write(|c| {
                insert_certificate_in(c, rec)?;
                insert_idempotency_key_in(c, key)?;
                append_audit_in(c, audit, &[])?;
                Ok(())
            });
        }
        self.one_statement(|c| insert_certificate_audited(c, rec, Some(key), audit))
    }

    fn idempotency_record(
        &self,
        operator: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.read_one(|c| {
            let Some(row) = c
                .query_opt(
                    "SELECT request_sha256, serial FROM idempotency_keys \
                     WHERE operator = $1 AND key = $2",
                    &[&operator, &key],
                )
                .map_err(db_err)?
            else {
                return Ok(None);
            };
            let corrupt = |what: &str| StoreError::Corrupt {
                what: format!("idempotency key {key:?}: {what}"),
            };
            let hash: Vec<u8> = col(&row, 0, "idempotency_keys", key, "request_sha256")?;
            let serial: Vec<u8> = col(&row, 1, "idempotency_keys", key, "serial")?;
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
        let mut batch = PostgresCertificateBatch { conn, open: true };
        batch.conn.begin_write()?;
        Ok(Box::new(batch))
    }

    fn certificate(&self, serial: &Serial) -> Result<Option<CertificateRecord>, StoreError> {
        self.read_one(|c| certificate_in(c, serial))
    }

    fn certificates_by_key(
        &self,
        spki_sha256: &[u8; 32],
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.read_one(|c| {
            c.query(
                &format!("{SELECT_CERTIFICATES} WHERE c.spki_sha256 = $1 ORDER BY c.id"),
                &[&spki_sha256.as_slice()],
            )
            .map_err(db_err)?
            .iter()
            .map(decode::certificate)
            .collect()
        })
    }

    fn list_certificates(
        &self,
        q: &CertificateQuery,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let mut sql = format!("{SELECT_CERTIFICATES} WHERE TRUE");
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        for (column, value) in [
            ("c.iin", &q.iin),
            ("c.bin", &q.bin),
            ("c.issuer", &q.issuer),
        ] {
            if let Some(v) = value {
                args.push(Box::new(v.clone()));
                sql.push_str(&format!(" AND {column} = ${}", args.len()));
            }
        }
        match q.status {
            Some(Status::Valid) => sql.push_str(" AND r.serial IS NULL"),
            Some(Status::Revoked) => sql.push_str(" AND r.serial IS NOT NULL"),
            None => {}
        }
        // LIMIT NULL is no limit.
        args.push(Box::new(q.limit.map(saturating_i64)));
        args.push(Box::new(saturating_i64(q.offset)));
        sql.push_str(&format!(
            " ORDER BY c.id LIMIT ${} OFFSET ${}",
            args.len() - 1,
            args.len()
        ));
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a.as_ref()).collect();
        self.read_one(|c| {
            c.query(&sql, &refs)
                .map_err(db_err)?
                .iter()
                .map(decode::certificate)
                .collect()
        })
    }

    fn revoke(
        &self,
        revs: &[NewRevocation],
        audit: &AuditEvent,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        if let [rev] = revs {
            // One serial (the API's and the command's revocation): one statement.
            return self.one_statement(|c| revoke_one_in(c, rev, audit).map(|rec| vec![rec]));
        }
        self.write_locking(Lock::Late, |c| {
            let (revoked, _) = revoke_in(c, revs, false)?;
            append_audit_in(c, audit, &[])?;
            Ok(revoked)
        })
    }

    /// `f` runs while the connection is held: it must not call this store.
    fn for_each_revoked(
        &self,
        issuer: &str,
        still_valid_at: OffsetDateTime,
        f: &mut dyn FnMut(RevokedEntry) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        self.read_one(|c| {
            let not_after = still_valid_at.unix_timestamp();
            let params: [&(dyn ToSql + Sync); 2] = [&issuer, &not_after];
            let mut rows = c
                .query_raw(
                    "SELECT serial, entered_at, reason, invalidity_date FROM revocations \
                     WHERE issuer = $1 AND not_after >= $2 ORDER BY serial",
                    params,
                )
                .map_err(db_err)?;
            let mut count = 0u64;
            while let Some(row) = rows.next().map_err(db_err)? {
                let raw: Vec<u8> = col(&row, 0, "revocations", "?", "serial")?;
                let serial = Serial::from_der_content(&raw)
                    .map_err(|_| corrupt("revocations", "?", "serial", "not a serial"))?;
                let revoked_at = instant(col(&row, 1, "revocations", &serial, "entered_at")?)
                    .ok_or_else(|| corrupt("revocations", &serial, "entered_at", "out of range"))?;
                let reason = reason_from_code(col(&row, 2, "revocations", &serial, "reason")?)
                    .ok_or_else(|| corrupt("revocations", &serial, "reason", "unknown code"))?;
                let invalidity: Option<i64> =
                    col(&row, 3, "revocations", &serial, "invalidity_date")?;
                let invalidity_date = invalidity
                    .map(|t| {
                        instant(t).ok_or_else(|| {
                            corrupt("revocations", &serial, "invalidity_date", "out of range")
                        })
                    })
                    .transpose()?;
                f(RevokedEntry {
                    serial,
                    revoked_at,
                    reason,
                    invalidity_date,
                })?;
                count = count.saturating_add(1);
            }
            Ok(count)
        })
    }

    fn archive(
        &self,
        serials: &[Serial],
        revoked_before: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<usize, StoreError> {
        let cutoff = revoked_before.unix_timestamp();
        self.write(|c| {
            let mut removed = 0usize;
            for serial in serials {
                let found = c
                    .query_opt(
                        "SELECT r.entered_at FROM certificates c \
                         LEFT JOIN revocations r ON r.serial = c.serial WHERE c.serial = $1",
                        &[&serial.as_bytes()],
                    )
                    .map_err(db_err)?;
                let Some(row) = found else {
                    return Err(StoreError::UnknownSerial {
                        serial: serial.clone(),
                    });
                };
                match col::<Option<i64>, _>(&row, 0, "revocations", serial, "entered_at")? {
                    None => {
                        return Err(StoreError::NotRevoked {
                            serial: serial.clone(),
                        });
                    }
                    Some(at) if at >= cutoff => {
                        return Err(StoreError::RetentionNotElapsed {
                            serial: serial.clone(),
                            revoked_at: instant(at).ok_or_else(|| {
                                corrupt("revocations", serial, "entered_at", "out of range")
                            })?,
                        });
                    }
                    Some(_) => {}
                }
                // An idempotency key that gave the certificate goes with it: a replay of the
                // key after the archive is a new request.
                for sql in [
                    "DELETE FROM idempotency_keys WHERE serial = $1",
                    "DELETE FROM revocations WHERE serial = $1",
                    "DELETE FROM certificates WHERE serial = $1",
                ] {
                    c.execute(sql, &[&serial.as_bytes()]).map_err(db_err)?;
                }
                removed = removed.saturating_add(1);
            }
            append_audit_in(c, audit, &[])?;
            Ok(removed)
        })
    }

    fn record_refusal(&self, r: &NewRefusal, audit: &AuditEvent) -> Result<i64, StoreError> {
        self.write(|c| record_refusal_in(c, r, audit))
    }

    fn refusals(&self) -> Result<Vec<RefusalRecord>, StoreError> {
        self.read_one(|c| {
            let rows = c
                .query(
                    "SELECT id, at, ground, detail, iin, bin, request_json FROM refusals \
                     ORDER BY id",
                    &[],
                )
                .map_err(db_err)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
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

impl RegistryStore for PostgresStore {
    fn upsert_person(&self, p: &PersonRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        let birth = date_text(p.birth_date)?;
        let death = p.death_date.map(date_text).transpose()?;
        self.write(|c| {
            c.execute(
                "INSERT INTO persons (iin, surname, name, patronymic, birth_date, death_date) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (iin) DO UPDATE SET \
                 surname = $2, name = $3, patronymic = $4, birth_date = $5, death_date = $6",
                &[&p.iin, &p.surname, &p.name, &p.patronymic, &birth, &death],
            )
            .map_err(db_err)?;
            append_audit_in(c, audit, &[])?;
            Ok(())
        })
    }

    fn upsert_entity(&self, e: &EntityRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        let liquidated = e.liquidated_on.map(date_text).transpose()?;
        self.write(|c| {
            c.execute(
                "INSERT INTO entities (bin, name, head_iin, liquidated_on) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (bin) DO UPDATE SET \
                 name = $2, head_iin = $3, liquidated_on = $4",
                &[&e.bin, &e.name, &e.head_iin, &liquidated],
            )
            .map_err(db_err)?;
            append_audit_in(c, audit, &[])?;
            Ok(())
        })
    }

    fn person(&self, iin: &str) -> Result<Option<PersonRecord>, StoreError> {
        self.read_one(|c| {
            let Some(row) = c
                .query_opt(&format!("{SELECT_PERSONS} WHERE iin = $1"), &[&iin])
                .map_err(db_err)?
            else {
                return Ok(None);
            };
            decode::person(&row, iin).map(Some)
        })
    }

    fn entity(&self, bin: &str) -> Result<Option<EntityRecord>, StoreError> {
        self.read_one(|c| {
            let Some(row) = c
                .query_opt(&format!("{SELECT_ENTITIES} WHERE bin = $1"), &[&bin])
                .map_err(db_err)?
            else {
                return Ok(None);
            };
            decode::entity(&row, bin).map(Some)
        })
    }

    fn request_facts(
        &self,
        iin: &str,
        bin: Option<&str>,
        on: Date,
        spki_sha256: Option<&[u8; 32]>,
    ) -> Result<RequestFacts, StoreError> {
        let on = date_text(on)?;
        let key = spki_sha256.map(|d| d.as_slice());
        // One statement, one snapshot, one round trip (`rows::SELECT_REQUEST_FACTS`).
        let rows = self.read_one(|c| {
            c.query(SELECT_REQUEST_FACTS, &[&iin, &bin, &on, &key])
                .map_err(db_err)
        })?;
        let mut facts = RequestFacts::default();
        for row in &rows {
            let at = |at| Shifted { cols: row, at };
            match col::<i64, _>(row, 0, "request facts", iin, "branch")? {
                FACT_PERSON => facts.person = Some(decode::person(&at(FACT_PERSON_AT), iin)?),
                FACT_ENTITY => {
                    let bin = bin.unwrap_or_default();
                    facts.entity = Some(decode::entity(&at(FACT_ENTITY_AT), bin)?);
                }
                FACT_BAN => facts.bans.push(decode::ban(&at(FACT_BAN_AT))?),
                FACT_CERTIFICATE => facts
                    .same_key
                    .push(decode::certificate(&at(FACT_CERTIFICATE_AT))?),
                other => {
                    return Err(corrupt(
                        "request facts",
                        iin,
                        "branch",
                        &format!("unknown branch {other}"),
                    ));
                }
            }
        }
        Ok(facts)
    }

    fn apply_registry_change(
        &self,
        change: &RegistryChange,
        revs: &[NewRevocation],
        audit: &AuditEvent,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.write(|c| {
            match change {
                RegistryChange::PersonUpdated(p) => {
                    let birth = date_text(p.birth_date)?;
                    let death = p.death_date.map(date_text).transpose()?;
                    let changed = c
                        .execute(
                            "UPDATE persons SET surname = $2, name = $3, patronymic = $4, \
                             birth_date = $5, death_date = $6 WHERE iin = $1",
                            &[&p.iin, &p.surname, &p.name, &p.patronymic, &birth, &death],
                        )
                        .map_err(db_err)?;
                    if changed == 0 {
                        return Err(StoreError::UnknownPerson { iin: p.iin.clone() });
                    }
                }
                RegistryChange::EntityUpdated(e) => {
                    let liquidated = e.liquidated_on.map(date_text).transpose()?;
                    let changed = c
                        .execute(
                            "UPDATE entities SET name = $2, head_iin = $3, liquidated_on = $4 \
                             WHERE bin = $1",
                            &[&e.bin, &e.name, &e.head_iin, &liquidated],
                        )
                        .map_err(db_err)?;
                    if changed == 0 {
                        return Err(StoreError::UnknownEntity { bin: e.bin.clone() });
                    }
                }
            }
            let (revoked, skipped) = revoke_in(c, revs, true)?;
            let skipped: Vec<String> = skipped.iter().map(Serial::to_string).collect();
            append_audit_in(c, audit, &[("skipped_already_revoked", json!(skipped))])?;
            Ok(revoked)
        })
    }
}

impl BanStore for PostgresStore {
    fn add_ban(&self, ban: &NewBan, audit: &AuditEvent) -> Result<i64, StoreError> {
        self.write(|c| add_ban_in(c, ban, audit))
    }

    fn lift_ban(&self, id: i64, on: Date, audit: &AuditEvent) -> Result<Ban, StoreError> {
        self.write(|c| lift_ban_in(c, id, on, audit))
    }

    fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        self.read_one(|c| query_bans(c, &format!("{SELECT_BANS} ORDER BY id"), &[]))
    }

    fn bans_for(
        &self,
        iin: Option<&str>,
        bin: Option<&str>,
        on: Date,
    ) -> Result<Vec<Ban>, StoreError> {
        let on = date_text(on)?;
        self.read_one(|c| {
            query_bans(
                c,
                &format!(
                    "{SELECT_BANS} WHERE (iin = $1 OR bin = $2) AND effective_from <= $3 \
                     AND (lifted_on IS NULL OR lifted_on > $3) ORDER BY id"
                ),
                &[&iin, &bin, &on],
            )
        })
    }
}

impl AuditStore for PostgresStore {
    fn audit_entries(&self, from_seq: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        self.read_one(|c| {
            c.query(
                "SELECT seq, at, actor, action, details, prev_hash, hash FROM audit_log \
                 WHERE seq >= $1 ORDER BY seq LIMIT $2",
                &[&saturating_i64(from_seq), &saturating_i64(limit)],
            )
            .map_err(db_err)?
            .iter()
            .map(decode::audit_entry)
            .collect()
        })
    }

    fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        self.read(|c| verify_audit_in(&mut *c.client))
    }

    fn append_audit(&self, audit: &AuditEvent) -> Result<AuditEntry, StoreError> {
        self.write(|c| append_audit_in(c, audit, &[]))
    }

    fn audit_head(&self) -> Result<AuditHead, StoreError> {
        self.read_one(|c| {
            read_head_cached(c)?.ok_or_else(|| StoreError::Corrupt {
                what: "audit_head row 1: missing".to_owned(),
            })
        })
    }
}

impl OperatorStore for PostgresStore {
    fn add_operator(
        &self,
        name: &str,
        token_hash: &[u8; 32],
        audit: &AuditEvent,
    ) -> Result<i64, StoreError> {
        self.write(|c| {
            if operator_by_name_in(c, name)?.is_some() {
                return Err(StoreError::DuplicateOperator {
                    name: name.to_owned(),
                });
            }
            let inserted = c.query_one(
                "INSERT INTO operators (name, token_hash, created_at) VALUES ($1, $2, $3) \
                 RETURNING id",
                &[&name, &token_hash.as_slice(), &audit.at.unix_timestamp()],
            );
            let row = match inserted {
                Ok(row) => row,
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    return Err(StoreError::InvalidRecord {
                        what: "operator token hash is already registered".to_owned(),
                    });
                }
                Err(e) => return Err(db_err(e)),
            };
            let id: i64 = col(&row, 0, "operators", name, "id")?;
            append_audit_in(c, audit, &[("operator_id", json!(id))])?;
            Ok(id)
        })
    }

    fn operator_by_token_hash(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<Operator>, StoreError> {
        self.read_one(|c| {
            c.query_opt(
                &format!("{SELECT_OPERATORS} WHERE token_hash = $1"),
                &[&token_hash.as_slice()],
            )
            .map_err(db_err)?
            .as_ref()
            .map(decode::operator)
            .transpose()
        })
    }

    fn revoke_operator(&self, name: &str, audit: &AuditEvent) -> Result<Operator, StoreError> {
        self.write(|c| {
            let found =
                operator_by_name_in(c, name)?.ok_or_else(|| StoreError::UnknownOperator {
                    name: name.to_owned(),
                })?;
            if let Some(at) = found.revoked_at {
                return Err(StoreError::OperatorAlreadyRevoked {
                    name: name.to_owned(),
                    at,
                });
            }
            c.execute(
                "UPDATE operators SET revoked_at = $1 WHERE id = $2",
                &[&audit.at.unix_timestamp(), &found.id],
            )
            .map_err(db_err)?;
            append_audit_in(c, audit, &[("operator_id", json!(found.id))])?;
            operator_by_name_in(c, name)?.ok_or_else(|| StoreError::Corrupt {
                what: format!("operators row {name}: gone after its update"),
            })
        })
    }

    fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        self.read_one(|c| {
            c.query(&format!("{SELECT_OPERATORS} ORDER BY id"), &[])
                .map_err(db_err)?
                .iter()
                .map(decode::operator)
                .collect()
        })
    }
}

impl PublicationStore for PostgresStore {
    fn lock_publication(&self, what: Publication) -> Result<PublicationLock, StoreError> {
        PublicationLock::postgres(&self.url, what)
    }
}

impl CounterStore for PostgresStore {
    fn next_value(&self, counter: Counter<'_>, audit: &AuditEvent) -> Result<u64, StoreError> {
        let name = counter.name();
        self.write(|c| {
            let row = c
                .query_one(
                    "INSERT INTO counters (name, last) VALUES ($1, 1) \
                     ON CONFLICT (name) DO UPDATE SET last = counters.last + 1 RETURNING last",
                    &[&name],
                )
                .map_err(db_err)?;
            let n: i64 = col(&row, 0, "counters", &name, "last")?;
            let n =
                u64::try_from(n).map_err(|_| corrupt("counters", &name, "last", "not positive"))?;
            append_audit_in(c, audit, &[(counter.audit_key(), json!(n))])?;
            Ok(n)
        })
    }
}

/// [`CertificateStore::begin_certificates`] on PostgreSQL: the connection held inside a
/// transaction begun by hand, rolled back when dropped uncommitted.
struct PostgresCertificateBatch<'a> {
    conn: MutexGuard<'a, Conn>,
    open: bool,
}

impl CertificateBatch for PostgresCertificateBatch<'_> {
    fn insert(&mut self, recs: &[CertificateRecord]) -> Result<(), StoreError> {
        for rec in recs {
            insert_certificate_in(&mut self.conn, rec)?;
        }
        Ok(())
    }

    fn commit(mut self: Box<Self>, audit: &AuditEvent) -> Result<(), StoreError> {
        append_audit_in(&mut self.conn, audit, &[])?;
        self.conn.commit()?;
        self.open = false;
        Ok(())
    }
}

impl Drop for PostgresCertificateBatch<'_> {
    fn drop(&mut self) {
        if self.open {
            // Should this fail, the next `PostgresStore::lock` rolls the transaction back.
            let _ = self.conn.rollback();
        }
    }
}

/// The migrations, version 1 first. The tables and columns are those of the SQLite backend's
/// latest schema, in PostgreSQL's types.
const MIGRATIONS: [&str; 1] = [r"
CREATE TABLE certificates (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial       BYTEA   NOT NULL UNIQUE,
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    iin          TEXT,
    bin          TEXT,
    key_purpose  TEXT,
    not_before   BIGINT  NOT NULL,
    not_after    BIGINT  NOT NULL,
    issued_at    BIGINT  NOT NULL,
    confidential BOOLEAN NOT NULL,
    der          BYTEA   NOT NULL,
    spki_sha256  BYTEA
);
CREATE INDEX certificates_by_iin ON certificates (iin);
CREATE INDEX certificates_by_bin ON certificates (bin) WHERE bin IS NOT NULL;
CREATE INDEX certificates_by_key ON certificates (spki_sha256) WHERE spki_sha256 IS NOT NULL;

CREATE TABLE revocations (
    serial          BYTEA  PRIMARY KEY REFERENCES certificates (serial),
    issuer          TEXT   NOT NULL,
    not_after       BIGINT NOT NULL,
    entered_at      BIGINT NOT NULL,
    reason          BIGINT NOT NULL,
    invalidity_date BIGINT,
    ground          TEXT   NOT NULL,
    notified_by     TEXT   NOT NULL,
    received_at     BIGINT NOT NULL,
    note            TEXT
);
CREATE INDEX revocations_for_crl
    ON revocations (issuer, serial) INCLUDE (not_after, entered_at, reason, invalidity_date);

CREATE TABLE counters (
    name TEXT   PRIMARY KEY,
    last BIGINT NOT NULL CHECK (last > 0)
);

CREATE TABLE refusals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    ground       TEXT   NOT NULL,
    detail       TEXT   NOT NULL,
    iin          TEXT,
    bin          TEXT,
    request_json TEXT   NOT NULL
);

CREATE TABLE persons (
    iin        TEXT PRIMARY KEY,
    surname    TEXT NOT NULL,
    name       TEXT NOT NULL,
    patronymic TEXT,
    birth_date TEXT NOT NULL,
    death_date TEXT
);

CREATE TABLE entities (
    bin           TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    head_iin      TEXT NOT NULL,
    liquidated_on TEXT
);

CREATE TABLE bans (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT   NOT NULL,
    action    TEXT   NOT NULL,
    details   TEXT   NOT NULL,
    prev_hash BYTEA  NOT NULL,
    hash      BYTEA  NOT NULL
);

CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    entries BIGINT  NOT NULL,
    hash    BYTEA   NOT NULL
);
INSERT INTO audit_head (id, entries, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE operators (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    token_hash BYTEA  NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE idempotency_keys (
    operator       TEXT  NOT NULL,
    key            TEXT  NOT NULL,
    request_sha256 BYTEA NOT NULL CHECK (length(request_sha256) = 32),
    serial         BYTEA NOT NULL REFERENCES certificates (serial),
    PRIMARY KEY (operator, key)
);
"];

fn migrate(c: &mut Client) -> Result<(), StoreError> {
    let mut tx = c.transaction().map_err(db_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db_err)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .map_err(db_err)?;
    let found: i64 = match tx
        .query_opt("SELECT version FROM schema_version", &[])
        .map_err(db_err)?
    {
        Some(row) => col(&row, 0, "schema_version", "1", "version")?,
        None => {
            tx.execute("INSERT INTO schema_version (version) VALUES (0)", &[])
                .map_err(db_err)?;
            0
        }
    };
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    let from = usize::try_from(found).map_err(|_| StoreError::Corrupt {
        what: format!("schema version {found}: negative"),
    })?;
    for sql in MIGRATIONS.iter().skip(from) {
        tx.batch_execute(sql).map_err(db_err)?;
    }
    tx.execute("UPDATE schema_version SET version = $1", &[&supported])
        .map_err(db_err)?;
    tx.commit().map_err(db_err)
}

/// Checks the audit log against its chain and head, inside the caller's transaction.
pub(crate) fn verify_audit_in(c: &mut impl GenericClient) -> Result<AuditVerification, StoreError> {
    let recorded = read_head(c)?.unwrap_or(AuditHead {
        entries: 0,
        hash: audit::GENESIS,
    });
    let params: [&(dyn ToSql + Sync); 0] = [];
    let mut rows = c
        .query_raw(
            "SELECT seq, at, actor, action, details, prev_hash, hash FROM audit_log \
             ORDER BY seq",
            params,
        )
        .map_err(db_err)?;
    let mut chain = ChainVerifier::new();
    while let Some(row) = rows.next().map_err(db_err)? {
        let seq: i64 = col(&row, 0, "audit_log", "?", "seq")?;
        let seq = u64::try_from(seq)
            .map_err(|_| corrupt("audit_log", &seq.to_string(), "seq", "negative"))?;
        let key = seq.to_string();
        let at_unix: i64 = col(&row, 1, "audit_log", &key, "at")?;
        let actor: String = col(&row, 2, "audit_log", &key, "actor")?;
        let action: String = col(&row, 3, "audit_log", &key, "action")?;
        let details: String = col(&row, 4, "audit_log", &key, "details")?;
        let prev_hash: Vec<u8> = col(&row, 5, "audit_log", &key, "prev_hash")?;
        let hash: Vec<u8> = col(&row, 6, "audit_log", &key, "hash")?;
        let entry = RawEntry {
            seq,
            at_unix,
            actor: actor.as_bytes(),
            action: action.as_bytes(),
            details: details.as_bytes(),
            prev_hash: &prev_hash,
            hash: &hash,
        };
        if !chain.push(&entry) {
            break;
        }
    }
    Ok(chain.finish(&recorded))
}

/// Records an operator's idempotency key with its certificate's serial.
fn insert_idempotency_key_in(c: &mut Conn, key: &IdempotencyRecord) -> Result<(), StoreError> {
    let inserted = c.execute(
        "INSERT INTO idempotency_keys (operator, key, request_sha256, serial) \
         VALUES ($1, $2, $3, $4)",
        &[
            &key.operator,
            &key.key,
            &key.request_sha256.as_slice(),
            &key.serial.as_bytes(),
        ],
    );
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            Err(StoreError::IdempotencyKeyTaken {
                operator: key.operator.clone(),
                key: key.key.clone(),
            })
        }
        Err(e) => Err(db_err(e)),
    }
}

/// The end of a write made in one statement ([`audited`]): after the statement's own common
/// table expressions, the last of them named `done` (a row when the change was made), the
/// audit head read under its row lock (`head`) and the entry appended with its hash computed
/// by PostgreSQL (`sha256`, PostgreSQL 11 and later) over the documented input
/// (`store::audit`): `$5` the domain tag, the sequence number, `$6` the rest of the entry
/// ([`audit::entry_middle`]), the previous hash (`entry`). The statement then ends with
/// [`MOVE_HEAD`] or its like. Parameters `$1`–`$4` are the entry's instant, actor, action and
/// details; the statement's own start at `$7`.
///
/// The head is read under its lock in the statement, after any writer before it committed (a
/// locked row is read again in its newest version under READ COMMITTED), so every entry
/// follows the one before: the chain does not fork, and `audit_log.seq` is unique besides.
macro_rules! audited_tail {
    () => {
        "head AS (SELECT h.entries, h.hash FROM audit_head h \
         WHERE h.id = 1 AND EXISTS (SELECT 1 FROM done) FOR UPDATE OF h), \
         entry AS (INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) \
         SELECT head.entries + 1, $1::BIGINT, $2::TEXT, $3::TEXT, $4::TEXT, head.hash, \
         sha256($5::BYTEA || int8send(head.entries + 1) || $6::BYTEA || head.hash) FROM head \
         RETURNING seq, hash) "
    };
}

/// The last part of a statement of [`audited_tail`]: the head moved to the new entry; a row
/// when it was.
macro_rules! move_head {
    () => {
        "UPDATE audit_head SET entries = entry.seq, hash = entry.hash FROM entry \
         WHERE audit_head.id = 1 RETURNING entry.seq"
    };
}

/// The certificates' columns an insert writes, `$7`–`$19` in the order of
/// [`insert_certificate_audited`]'s arguments.
macro_rules! insert_certificate_row {
    () => {
        "INSERT INTO certificates (serial, issuer, subject, kind, iin, bin, key_purpose, \
         not_before, not_after, issued_at, confidential, der, spki_sha256) \
         VALUES ($7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING serial"
    };
}

/// A certificate and its audit entry in one statement.
const INSERT_CERTIFICATE_AUDITED: &str = concat!(
    "WITH done AS (",
    insert_certificate_row!(),
    "), ",
    audited_tail!(),
    move_head!()
);

/// A certificate, an idempotency key for it (`$20` operator, `$21` key, `$22` the request's
/// SHA-256) and the audit entry in one statement.
const INSERT_CERTIFICATE_KEYED_AUDITED: &str = concat!(
    "WITH done AS (",
    insert_certificate_row!(),
    "), keyed AS (INSERT INTO idempotency_keys (operator, key, request_sha256, serial) \
     SELECT $20::TEXT, $21::TEXT, $22::BYTEA, serial FROM done), ",
    audited_tail!(),
    move_head!()
);

/// The revocation of one serial `$7`, unrevoked, in one statement: the certificate read
/// (`cert`, as [`SELECT_CERTIFICATES`] reads it), its revocation written with the certificate's
/// issuer and `notAfter` (`$8` entered at, `$9` reason code, `$10` invalidity date, `$11`
/// ground, `$12` notified by, `$13` received at, `$14` note), its notification
/// (`pg_notify($15, $16)`, delivered when the statement commits), the audit entry and the head;
/// the certificate's row is returned, as it was before the revocation. No row: the serial is
/// unknown or already revoked (or the audit head is missing).
const REVOKE_ONE_AUDITED: &str = concat!(
    "WITH cert AS (SELECT ",
    crate::store::rows::certificate_columns!(),
    " FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial \
     WHERE c.serial = $7::BYTEA), \
     revoked AS (INSERT INTO revocations (serial, issuer, not_after, entered_at, reason, \
     invalidity_date, ground, notified_by, received_at, note) \
     SELECT cert.serial, cert.issuer, cert.not_after, $8::BIGINT, $9::BIGINT, $10::BIGINT, \
     $11::TEXT, $12::TEXT, $13::BIGINT, $14::TEXT FROM cert WHERE cert.ground IS NULL \
     RETURNING serial), \
     done AS (SELECT pg_notify($15::TEXT, $16::TEXT) FROM revoked), ",
    audited_tail!(),
    "UPDATE audit_head SET entries = entry.seq, hash = entry.hash FROM entry, cert \
     WHERE audit_head.id = 1 RETURNING cert.*"
);

/// Runs `sql`, a statement of [`audited_tail`], with the audit parameters of `event` and then
/// `args`. Returns the statement's row (`None`: it wrote nothing), or the database's error as
/// it came (the caller names a broken constraint of its own rows); [`StoreError`] for what
/// failed before.
fn audited(
    c: &mut Conn,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
    event: &AuditEvent,
) -> Result<Result<Option<Row>, postgres::Error>, StoreError> {
    let details = audit::canonical_json(&event.details)?;
    let at = event.at.unix_timestamp();
    let middle = audit::entry_middle(
        at,
        event.actor.as_bytes(),
        event.action.as_bytes(),
        details.as_bytes(),
    );
    let tag = audit::DOMAIN_TAG;
    let mut all: Vec<&(dyn ToSql + Sync)> =
        vec![&at, &event.actor, &event.action, &details, &tag, &middle];
    all.extend_from_slice(args);
    Ok(c.query_opt(sql, &all))
}

/// No row from an insert's statement: the audit head's row is missing (the insert itself
/// either failed with an error or made a row).
fn head_missing() -> StoreError {
    StoreError::Corrupt {
        what: "audit_head row 1: missing".to_owned(),
    }
}

/// The table whose constraint `e` broke.
fn broken_table(e: &postgres::Error) -> Option<&str> {
    e.as_db_error().and_then(|d| d.table())
}

/// Inserts the unrevoked certificate `rec` (and `key`, its idempotency key) with the audit
/// entry `event`, in one statement ([`INSERT_CERTIFICATE_AUDITED`]).
fn insert_certificate_audited(
    c: &mut Conn,
    rec: &CertificateRecord,
    key: Option<&IdempotencyRecord>,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    let spki = crate::store::sqlite::certificate_spki_sha256(&rec.der);
    let spki = spki.as_ref().map(|d| d.as_slice());
    let serial = rec.serial.as_bytes();
    let not_before = rec.not_before.unix_timestamp();
    let not_after = rec.not_after.unix_timestamp();
    let issued_at = rec.issued_at.unix_timestamp();
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![
        &serial,
        &rec.issuer,
        &rec.subject,
        &rec.kind,
        &rec.iin,
        &rec.bin,
        &rec.key_purpose,
        &not_before,
        &not_after,
        &issued_at,
        &rec.confidential,
        &rec.der,
        &spki,
    ];
    let request_sha256 = key.map(|k| k.request_sha256.as_slice());
    let sql = match key {
        None => INSERT_CERTIFICATE_AUDITED,
        Some(k) => {
            args.push(&k.operator);
            args.push(&k.key);
            args.push(&request_sha256);
            INSERT_CERTIFICATE_KEYED_AUDITED
        }
    };
    match audited(c, sql, &args, event)? {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(head_missing()),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => match (broken_table(&e), key) {
            (Some("certificates"), _) => Err(StoreError::DuplicateSerial {
                serial: rec.serial.clone(),
            }),
            (Some("idempotency_keys"), Some(k)) => Err(StoreError::IdempotencyKeyTaken {
                operator: k.operator.clone(),
                key: k.key.clone(),
            }),
            _ => Err(db_err(e)),
        },
        Err(e) => Err(db_err(e)),
    }
}

/// Revokes one serial in one statement ([`REVOKE_ONE_AUDITED`]); when it revokes nothing, the
/// certificate is read again to say why: unknown, or revoked already (by a revocation
/// committed before, or racing this one: the loser breaks the revocation's primary key). A
/// certificate removed meanwhile (`archive`) breaks its foreign key and is then unknown.
fn revoke_one_in(
    c: &mut Conn,
    rev: &NewRevocation,
    event: &AuditEvent,
) -> Result<CertificateRecord, StoreError> {
    let s = &rev.serial;
    let r = &rev.record;
    let serial = s.as_bytes();
    let entered_at = r.entered_at.unix_timestamp();
    let reason = i64::from(r.reason.code());
    let invalidity = r.invalidity_date.map(OffsetDateTime::unix_timestamp);
    let ground = r.ground.as_str();
    let received_at = r.received_at.unix_timestamp();
    let payload = format!("{REVOKED_PREFIX}{s}");
    let args: [&(dyn ToSql + Sync); 10] = [
        &serial,
        &entered_at,
        &reason,
        &invalidity,
        &ground,
        &r.notified_by,
        &received_at,
        &r.note,
        &NOTIFY_CHANNEL,
        &payload,
    ];
    match audited(c, REVOKE_ONE_AUDITED, &args, event)? {
        Ok(Some(row)) => {
            let mut rec = decode::certificate(&row)?;
            // The record as a read of it now would return (instants to the second).
            rec.revocation = Some(as_stored(r)?);
            Ok(rec)
        }
        Ok(None) => Err(not_revoked(c, s)?),
        Err(e)
            if broken_table(&e) == Some("revocations")
                && (e.code() == Some(&SqlState::UNIQUE_VIOLATION)
                    || e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)) =>
        {
            Err(not_revoked(c, s)?)
        }
        Err(e) => Err(db_err(e)),
    }
}

/// Why a revocation of `serial` wrote nothing, from a fresh read: unknown, already revoked;
/// else the audit head is missing ([`StoreError::Corrupt`]), or the certificate was registered
/// after the statement began ([`StoreError::Busy`]: tried again).
fn not_revoked(c: &mut Conn, serial: &Serial) -> Result<StoreError, StoreError> {
    Ok(match certificate_in(c, serial)? {
        None => StoreError::UnknownSerial {
            serial: serial.clone(),
        },
        Some(CertificateRecord {
            revocation: Some(first),
            ..
        }) => StoreError::AlreadyRevoked {
            serial: serial.clone(),
            at: first.entered_at,
            ground: first.ground,
        },
        Some(_) => match read_head_cached(c)? {
            None => head_missing(),
            Some(_) => StoreError::Busy,
        },
    })
}

fn insert_certificate_in(c: &mut Conn, rec: &CertificateRecord) -> Result<(), StoreError> {
    let spki = crate::store::sqlite::certificate_spki_sha256(&rec.der);
    let inserted = c.execute(
        "INSERT INTO certificates (serial, issuer, subject, kind, iin, bin, key_purpose, \
         not_before, not_after, issued_at, confidential, der, spki_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &rec.serial.as_bytes(),
            &rec.issuer,
            &rec.subject,
            &rec.kind,
            &rec.iin,
            &rec.bin,
            &rec.key_purpose,
            &rec.not_before.unix_timestamp(),
            &rec.not_after.unix_timestamp(),
            &rec.issued_at.unix_timestamp(),
            &rec.confidential,
            &rec.der,
            &spki.as_ref().map(|d| d.as_slice()),
        ],
    );
    match inserted {
        Ok(_) => {}
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(StoreError::DuplicateSerial {
                serial: rec.serial.clone(),
            });
        }
        Err(e) => return Err(db_err(e)),
    }
    if let Some(rev) = &rec.revocation {
        insert_revocation_in(
            c,
            &rec.serial,
            &rec.issuer,
            rec.not_after.unix_timestamp(),
            rev,
            None,
        )?;
    }
    Ok(())
}

fn insert_revocation_in(
    c: &mut Conn,
    serial: &Serial,
    issuer: &str,
    not_after: i64,
    rev: &RevocationRecord,
    notify: Option<&str>,
) -> Result<(), StoreError> {
    let serial = serial.as_bytes();
    let entered_at = rev.entered_at.unix_timestamp();
    let reason = i64::from(rev.reason.code());
    let invalidity = rev.invalidity_date.map(OffsetDateTime::unix_timestamp);
    let ground = rev.ground.as_str();
    let received_at = rev.received_at.unix_timestamp();
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![
        &serial,
        &issuer,
        &not_after,
        &entered_at,
        &reason,
        &invalidity,
        &ground,
        &rev.notified_by,
        &received_at,
        &rev.note,
    ];
    let Some(payload) = &notify else {
        c.execute(INSERT_REVOCATION, &args).map_err(db_err)?;
        return Ok(());
    };
    args.push(&NOTIFY_CHANNEL);
    args.push(payload);
    let inserted = if c.head.is_some() {
        c.execute(INSERT_REVOCATION_AND_NOTIFY, &args).map(drop)
    } else {
        // Under `Lock::Late`: the row, its notification and the head's lock in one round trip.
        c.query_opt(INSERT_REVOCATION_NOTIFY_AND_LOCK, &args)
            .map(|row| row.as_ref().map(head_from_row))
            .map(|head| {
                c.head = head.and_then(Result::ok);
            })
    };
    match inserted {
        Ok(()) => Ok(()),
        // Another transaction revoked the serial after this one read it unrevoked (possible
        // only under `Lock::Late`): tried again, the read finds it revoked.
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(StoreError::Busy),
        Err(e) => Err(db_err(e)),
    }
}

const INSERT_REVOCATION: &str = "INSERT INTO revocations (serial, issuer, not_after, \
    entered_at, reason, invalidity_date, ground, notified_by, received_at, note) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// [`INSERT_REVOCATION`] and `pg_notify($11, $12)` in one statement.
const INSERT_REVOCATION_AND_NOTIFY: &str = "WITH revoked AS (INSERT INTO revocations (serial, \
    issuer, not_after, entered_at, reason, invalidity_date, ground, notified_by, received_at, \
    note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING serial) \
    SELECT pg_notify($11, $12) FROM revoked";

/// [`INSERT_REVOCATION_AND_NOTIFY`], then the audit head read under its row lock ([`Lock::Late`]).
const INSERT_REVOCATION_NOTIFY_AND_LOCK: &str = "WITH revoked AS (INSERT INTO revocations \
    (serial, issuer, not_after, entered_at, reason, invalidity_date, ground, notified_by, \
    received_at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING serial), \
    notified AS (SELECT pg_notify($11, $12) FROM revoked) \
    SELECT h.entries, h.hash, (SELECT count(*) FROM notified) FROM audit_head h \
    WHERE h.id = 1 FOR UPDATE OF h";

/// Revokes each serial; an already revoked one fails the call, or is skipped and listed when
/// `skip_revoked`. Returns the newly revoked certificates and the skipped serials.
fn revoke_in(
    c: &mut Conn,
    revs: &[NewRevocation],
    skip_revoked: bool,
) -> Result<(Vec<CertificateRecord>, Vec<Serial>), StoreError> {
    let mut skipped = Vec::new();
    let mut revoked = Vec::with_capacity(revs.len());
    for rev in revs {
        let s = &rev.serial;
        let Some(mut rec) = certificate_in(c, s)? else {
            return Err(StoreError::UnknownSerial { serial: s.clone() });
        };
        if let Some(first) = &rec.revocation {
            if skip_revoked {
                skipped.push(s.clone());
                continue;
            }
            return Err(StoreError::AlreadyRevoked {
                serial: s.clone(),
                at: first.entered_at,
                ground: first.ground,
            });
        }
        // The notification is delivered to every listener when (and only if) this transaction
        // commits; sent with the row, in one statement.
        insert_revocation_in(
            c,
            s,
            &rec.issuer,
            rec.not_after.unix_timestamp(),
            &rev.record,
            Some(&format!("{REVOKED_PREFIX}{s}")),
        )?;
        // The record as a read of it now would return (instants to the second), without the
        // round trip of that read.
        rec.revocation = Some(as_stored(&rev.record)?);
        revoked.push(rec);
    }
    Ok((revoked, skipped))
}

/// `rev` as the register keeps it: its instants to the second, in UTC.
fn as_stored(rev: &RevocationRecord) -> Result<RevocationRecord, StoreError> {
    let second = |t: OffsetDateTime| {
        instant(t.unix_timestamp()).ok_or_else(|| StoreError::InvalidRecord {
            what: "revocation time out of range".to_owned(),
        })
    };
    Ok(RevocationRecord {
        entered_at: second(rev.entered_at)?,
        received_at: second(rev.received_at)?,
        invalidity_date: rev.invalidity_date.map(second).transpose()?,
        ..rev.clone()
    })
}

fn certificate_in(c: &mut Conn, serial: &Serial) -> Result<Option<CertificateRecord>, StoreError> {
    c.query_opt(
        &format!("{SELECT_CERTIFICATES} WHERE c.serial = $1"),
        &[&serial.as_bytes()],
    )
    .map_err(db_err)?
    .as_ref()
    .map(decode::certificate)
    .transpose()
}

fn append_audit_in(
    c: &mut Conn,
    event: &AuditEvent,
    generated: &[(&str, Value)],
) -> Result<AuditEntry, StoreError> {
    let details = audit::canonical_json(&audit::with_generated(&event.details, generated))?;
    // Read under the row lock (when the transaction began, by `Conn::begin_write`, or here or
    // by a revocation's insert under `Lock::Late`), and kept up to date by each append since: no
    // other transaction can change it before this one ends.
    let head = match c.head {
        Some(head) => head,
        None => c
            .query_opt(LOCK_HEAD, &[])
            .map_err(db_err)?
            .as_ref()
            .map(head_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::Corrupt {
                what: "audit_head row 1: missing".to_owned(),
            })?,
    };
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
    // The entry and the head in one statement (one round trip).
    c.execute(
        "WITH entry AS (INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)) \
         UPDATE audit_head SET entries = $1, hash = $7 WHERE id = 1",
        &[
            &seq_sql,
            &at,
            &event.actor,
            &event.action,
            &details,
            &head.hash.as_slice(),
            &hash.as_slice(),
        ],
    )
    .map_err(db_err)?;
    c.head = Some(AuditHead { entries: seq, hash });
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

/// The audit head's SELECT.
const SELECT_HEAD: &str = "SELECT entries, hash FROM audit_head WHERE id = 1";

/// The audit head's SELECT under its row lock.
const LOCK_HEAD: &str = "SELECT entries, hash FROM audit_head WHERE id = 1 FOR UPDATE";

fn read_head(c: &mut impl GenericClient) -> Result<Option<AuditHead>, StoreError> {
    c.query_opt(SELECT_HEAD, &[])
        .map_err(db_err)?
        .as_ref()
        .map(head_from_row)
        .transpose()
}

/// [`read_head`] by the connection's prepared statement.
fn read_head_cached(c: &mut Conn) -> Result<Option<AuditHead>, StoreError> {
    c.query_opt(SELECT_HEAD, &[])
        .map_err(db_err)?
        .as_ref()
        .map(head_from_row)
        .transpose()
}

fn head_from_row(row: &Row) -> Result<AuditHead, StoreError> {
    let entries: i64 = col(row, 0, "audit_head", "1", "entries")?;
    let hash: Vec<u8> = col(row, 1, "audit_head", "1", "hash")?;
    Ok(AuditHead {
        entries: u64::try_from(entries)
            .map_err(|_| corrupt("audit_head", "1", "entries", "negative"))?,
        hash: <[u8; 32]>::try_from(hash.as_slice())
            .map_err(|_| corrupt("audit_head", "1", "hash", "not 32 bytes"))?,
    })
}

fn query_bans(
    c: &mut Conn,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Ban>, StoreError> {
    let rows = c.query(sql, args).map_err(db_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(decode::ban(row)?);
    }
    Ok(out)
}

fn operator_by_name_in(c: &mut Conn, name: &str) -> Result<Option<Operator>, StoreError> {
    c.query_opt(&format!("{SELECT_OPERATORS} WHERE name = $1"), &[&name])
        .map_err(db_err)?
        .as_ref()
        .map(decode::operator)
        .transpose()
}

/// The row of a query, for the decoders both backends share (`store::rows`).
impl Columns for Row {
    fn int(&self, i: usize) -> Result<i64, String> {
        self.try_get(i).map_err(|e| e.to_string())
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, String> {
        self.try_get(i).map_err(|e| e.to_string())
    }

    fn text(&self, i: usize) -> Result<String, String> {
        self.try_get(i).map_err(|e| e.to_string())
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, String> {
        self.try_get(i).map_err(|e| e.to_string())
    }

    fn bytes(&self, i: usize) -> Result<Vec<u8>, String> {
        self.try_get(i).map_err(|e| e.to_string())
    }

    fn flag(&self, i: usize) -> Result<bool, String> {
        self.try_get(i).map_err(|e| e.to_string())
    }
}

/// Reads column `i`; a value of the wrong type is [`StoreError::Corrupt`] naming the row.
fn col<'r, T: FromSql<'r>, K: fmt::Display + ?Sized>(
    row: &'r Row,
    i: usize,
    table: &str,
    key: &K,
    name: &str,
) -> Result<T, StoreError> {
    row.try_get(i)
        .map_err(|e| corrupt(table, key, name, &e.to_string()))
}

fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn db_err(e: postgres::Error) -> StoreError {
    let busy = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
    ];
    match e.code() {
        Some(code) if busy.contains(code) => StoreError::Busy,
        _ => StoreError::Backend {
            message: pg_message(&e),
        },
    }
}

fn record_refusal_in(c: &mut Conn, r: &NewRefusal, audit: &AuditEvent) -> Result<i64, StoreError> {
    let row = c
        .query_one(
            "INSERT INTO refusals (at, ground, detail, iin, bin, request_json) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &r.at.unix_timestamp(),
                &r.ground.as_str(),
                &r.detail,
                &r.iin,
                &r.bin,
                &r.request_json,
            ],
        )
        .map_err(db_err)?;
    let id: i64 = col(&row, 0, "refusals", "new", "id")?;
    append_audit_in(c, audit, &[("refusal_id", json!(id))])?;
    Ok(id)
}

fn add_ban_in(c: &mut Conn, ban: &NewBan, audit: &AuditEvent) -> Result<i64, StoreError> {
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
    let row = c
        .query_one(
            "INSERT INTO bans (iin, bin, court_decision, effective_from, lifted_on) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&ban.iin, &ban.bin, &ban.court_decision, &from, &lifted],
        )
        .map_err(db_err)?;
    let id: i64 = col(&row, 0, "bans", "new", "id")?;
    append_audit_in(c, audit, &[("ban_id", json!(id))])?;
    Ok(id)
}

fn lift_ban_in(c: &mut Conn, id: i64, on: Date, audit: &AuditEvent) -> Result<Ban, StoreError> {
    let on = date_text(on)?;
    let changed = c
        .execute("UPDATE bans SET lifted_on = $2 WHERE id = $1", &[&id, &on])
        .map_err(db_err)?;
    if changed == 0 {
        return Err(StoreError::UnknownBan { id });
    }
    let ban = query_bans(c, &format!("{SELECT_BANS} WHERE id = $1"), &[&id])?
        .into_iter()
        .next()
        .ok_or(StoreError::UnknownBan { id })?;
    append_audit_in(c, audit, &[])?;
    Ok(ban)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transaction left open on a connection (here by a panic inside a write, after its audit
    /// entry was written) is rolled back at the connection's next checkout: the entry is seen
    /// by no connection, neither while it is open nor after, and the next write is the chain's
    /// first entry.
    #[test]
    #[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
    fn ok_a_transaction_left_open_by_a_panic_is_rolled_back_at_the_next_checkout() {
        let url = eds_fixtures::postgres::TestPostgres::shared().new_database();
        let store = PostgresStore::open(&url).unwrap();
        let other = PostgresStore::open(&url).unwrap();
        let event = AuditEvent {
            at: OffsetDateTime::UNIX_EPOCH,
            actor: "operator".to_owned(),
            action: "crl.publish".to_owned(),
            details: json!({}),
        };
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.write(|c| -> Result<(), StoreError> {
                append_audit_in(c, &event, &[])?;
                panic!("a bug mid-transaction")
            })
        }));
        assert!(panicked.is_err());
        let left_open = store
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .in_transaction;
        assert!(left_open);
        assert_eq!(other.audit_head().unwrap().entries, 0);

        assert_eq!(store.audit_head().unwrap().entries, 0);
        let entry = store.append_audit(&event).unwrap();
        assert_eq!((entry.seq, entry.prev_hash), (1, audit::GENESIS));
        assert_eq!(
            other.verify_audit().unwrap(),
            AuditVerification::Intact {
                entries: 1,
                head: entry.hash
            }
        );
    }

    const FILE: &str = "\
# a comment line
db.example:5432:eds:eds:first
db.example:*:*:ops:any\\:port
/run/pg:5432:eds:eds:socket
localhost:5432:*:local:on-the-socket
*:*:*:*:fallback
";

    #[test]
    fn ok_passfile_first_matching_line_wins() {
        let p = |host, port, db, user| passfile_password(FILE, host, port, db, user);
        assert_eq!(
            p("db.example", 5432, "eds", "eds").as_deref(),
            Some("first")
        );
        assert_eq!(
            p("db.example", 6543, "other", "ops").as_deref(),
            Some("any:port")
        );
        assert_eq!(p("/run/pg", 5432, "eds", "eds").as_deref(), Some("socket"));
        assert_eq!(
            p("/tmp/sock", 5432, "x", "local").as_deref(),
            Some("on-the-socket")
        );
        assert_eq!(
            p("db.example", 5433, "eds", "eds").as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn fail_passfile_without_a_match_or_with_short_lines_gives_none() {
        let file = "db.example:5432:eds:eds:pw\nshort:line\n# *:*:*:*:commented\n";
        assert_eq!(passfile_password(file, "other", 5432, "eds", "eds"), None);
        assert_eq!(
            passfile_password(file, "db.example", 5432, "eds", "ops"),
            None
        );
        assert_eq!(
            passfile_password("", "db.example", 5432, "eds", "eds"),
            None
        );
    }
}
