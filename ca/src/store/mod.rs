//! The register of the certification center behind a storage trait the `ca` crate owns.
//!
//! EDS law art. 21.1(2)–(3) makes the center keep the register of the certificates it issued and
//! account for valid and revoked ones; art. 18.3 wants a revocation in the register within a day
//! of the notification; art. 16.2 keeps revoked certificates at least five years; art. 21.2 asks
//! for protection against loss and modification, which the tamper-evident audit log serves; art. 23
//! keeps confidential owner details out of the public register.
//!
//! The domain code (issuance, revocation, CRL) talks to [`Store`] only, so it holds no SQL; the
//! backends are [`SqliteStore`] and [`PostgresStore`], chosen by a [`RegisterUrl`] — the shape of
//! step-ca's `db.AuthDB`. The contract every backend keeps:
//!
//! - every method is one transaction: it happens completely or not at all;
//! - every mutating method appends its [`AuditEvent`] to the hash-chained audit log in that same
//!   transaction, so the log never records a change that did not happen or misses one that did;
//! - instants are kept to the whole second in UTC (X.509 and CRL times carry no fractions): what
//!   is read back is the instant given, truncated to its second, with a UTC offset;
//! - a stored value that does not decode is [`StoreError::Corrupt`], never a panic;
//! - the store reads no clock: every instant comes from the caller.
//!
//! Where the store adds values to an audit entry's `details` that the caller cannot know in
//! advance, it does so under the keys named at the method (`crl_number`, `tsa_serial_block`, `refusal_id`, `ban_id`,
//! `skipped_already_revoked`); a `details` that is not a JSON object is then wrapped as
//! `{"event": details, …}`.

use std::fmt;
use std::path::{Path, PathBuf};

use eds_profile::grounds::{CrlReason, RefusalGround, RevocationGround};
use serde::{Deserialize, Serialize, Serializer};
use time::{Date, OffsetDateTime};

pub mod audit;
pub mod cluster;
pub mod migrate;
pub mod postgres;
mod rows;
pub mod sqlite;
mod values;

pub use cluster::{Publication, PublicationLock, RegisterEvent, RegisterFeed};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Where a register lives, as written on the command line (`--register`) and in the center's
/// configuration: `sqlite:PATH` or `postgres://…` (also `postgresql://…`).
///
/// This is the one place that names the backends: the domain receives the opened
/// `Box<dyn Store>`.
#[derive(Clone, PartialEq, Eq)]
pub enum RegisterUrl {
    /// A SQLite file; a relative path was resolved against the folder given to
    /// [`RegisterUrl::parse`].
    Sqlite(PathBuf),
    /// A PostgreSQL connection string, kept as given (it may carry a password: see the
    /// [`Debug`](fmt::Debug) and [`Display`](fmt::Display) forms, which hide it).
    Postgres(String),
}

impl RegisterUrl {
    /// The register of a center when nothing else is said: `register.sqlite` in its data folder.
    pub const DEFAULT: &'static str = "sqlite:register.sqlite";

    /// Reads `text`; a relative SQLite path is taken relative to `base` (the data folder for a
    /// URL from the configuration, the working folder for one from the command line).
    pub fn parse(text: &str, base: &Path) -> Result<Self, StoreError> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::InvalidUrl {
                    url: text.to_owned(),
                    reason: "sqlite: needs a file path, as in sqlite:register.sqlite".into(),
                });
            }
            return Ok(Self::Sqlite(base.join(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        Err(StoreError::InvalidUrl {
            url: redact(text),
            reason: "a register is sqlite:PATH or postgres://USER@HOST/DATABASE".into(),
        })
    }

    /// Whether the URL carries a password (`postgres://USER:PASSWORD@…` or `password=` among
    /// its parameters). `eds ca init` refuses to record such a URL in `center.json`; the
    /// password belongs in `PGPASSWORD` or a password file (see [`PostgresStore::open`]).
    pub fn has_password(&self) -> bool {
        match self {
            Self::Sqlite(_) => false,
            Self::Postgres(url) => url
                .parse::<::postgres::Config>()
                .is_ok_and(|c| c.get_password().is_some()),
        }
    }

    /// The text form with an absolute SQLite path, fit for the configuration.
    pub fn to_config_text(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Postgres(url) => url.clone(),
        }
    }

    /// Opens (and, when new, creates and migrates) the register.
    pub fn open(&self) -> Result<Box<dyn Store>, StoreError> {
        match self {
            Self::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
            Self::Postgres(url) => Ok(Box::new(PostgresStore::open(url)?)),
        }
    }
}

impl fmt::Display for RegisterUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for RegisterUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegisterUrl({self})")
    }
}

/// The URL with the password of its `user:password@` part replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The register's storage: every operation is one transaction, every change is audited in it.
///
/// Object safe and synchronous; an async caller runs it on a blocking thread. Implementations are
/// shared between threads (`Send + Sync`) and serialise writers themselves.
/// The register's storage: every operation is one transaction, every change is audited in it.
///
/// Object safe and synchronous; an async caller runs it on a blocking thread. Implementations are
/// shared between threads (`Send + Sync`) and serialise writers themselves. The methods are split
/// by concern into the traits below; a backend implements each of them and is then a `Store`
/// (the blanket implementation), and the domain code takes `&dyn Store`.
pub trait Store:
    CertificateStore
    + RegistryStore
    + BanStore
    + AuditStore
    + OperatorStore
    + CounterStore
    + PublicationStore
{
}

impl<T> Store for T where
    T: CertificateStore
        + RegistryStore
        + BanStore
        + AuditStore
        + OperatorStore
        + CounterStore
        + PublicationStore
{
}

/// The register proper (EDS law art. 21.1(2)–(3), 16, 18): issued certificates, their
/// revocations, the refusals to issue (art. 14-1) and the API's idempotency keys.
pub trait CertificateStore: Send + Sync {
    /// Registers an issued certificate (EDS law art. 21.1(2)).
    ///
    /// A record that already carries a [`RevocationRecord`] (a register transferred from another
    /// center, art. 22.3) is stored revoked. Fails with [`StoreError::DuplicateSerial`] when the
    /// serial is already registered; the check is the database's unique key, not a prior read.
    fn insert_certificate(
        &self,
        rec: &CertificateRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Registers several certificates at once (batched issuance): all of them or none.
    fn insert_certificates(
        &self,
        recs: &[CertificateRecord],
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Writes a register received from another center (EDS law art. 22.3) in ONE transaction:
    /// the certificates with `import.audit`, then each refusal and each ban (lifted when it
    /// says so) with its own audit entry. Any failure (a serial already held,
    /// [`StoreError::DuplicateSerial`]; a ban naming nobody, [`StoreError::InvalidRecord`]; the
    /// database) leaves the register exactly as it was, audit log included.
    fn import_register(&self, import: &RegisterImport) -> Result<(), StoreError>;

    /// Records a certificate and the idempotency key it was issued under, in one transaction
    /// (so a certificate committed but never acknowledged is found again by the key). A key
    /// the operator already used is [`StoreError::IdempotencyKeyTaken`] and records nothing.
    fn insert_certificate_idempotent(
        &self,
        rec: &CertificateRecord,
        key: &IdempotencyRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// The issuance recorded under an operator's idempotency key, if any.
    fn idempotency_record(
        &self,
        operator: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;

    /// Opens one transaction that registers certificates given in parts, so that a batch can be
    /// written while its later certificates are still being signed: nothing is visible to
    /// others until [`CertificateBatch::commit`], and dropping the batch uncommitted records none
    /// of it. Other writers (and, in the SQLite backend, other calls on this store) wait until
    /// then.
    fn begin_certificates(&self) -> Result<Box<dyn CertificateBatch + '_>, StoreError>;

    /// The certificate with that serial, with its revocation if any.
    fn certificate(&self, serial: &Serial) -> Result<Option<CertificateRecord>, StoreError>;

    /// Every certificate whose SubjectPublicKeyInfo has this SHA-256, in the order recorded
    /// (EDS law art. 21.1: one public key, one holder). A certificate whose DER does not parse
    /// is not indexed by key.
    fn certificates_by_key(
        &self,
        spki_sha256: &[u8; 32],
    ) -> Result<Vec<CertificateRecord>, StoreError>;

    /// Certificates matching every filter of the query, in the order the register recorded them
    /// (issuance order, oldest first).
    fn list_certificates(&self, q: &CertificateQuery)
    -> Result<Vec<CertificateRecord>, StoreError>;

    /// Revokes certificates (EDS law art. 18.1, 18.3): all of them or none.
    ///
    /// An unknown serial fails the call with [`StoreError::UnknownSerial`], an already revoked one
    /// with [`StoreError::AlreadyRevoked`] naming the first revocation; nothing is then changed,
    /// the audit log included. Returns the revoked certificates in the order given.
    fn revoke(
        &self,
        revs: &[NewRevocation],
        audit: &AuditEvent,
    ) -> Result<Vec<CertificateRecord>, StoreError>;

    /// Streams the revoked certificates of `issuer` that have not expired at `still_valid_at`
    /// (`not_after >= still_valid_at`), ordered by serial (see [`Serial`] for the order).
    ///
    /// Expired certificates leave the CRL (RFC 5280 §3.3) but stay in the register (art. 16.2).
    /// The callback's error stops the stream and is returned; the callback must not call the
    /// store (a backend may hold its connection while streaming). Returns the number of entries
    /// passed to `f`. Built for a CRL of a million entries: reads one narrow index, allocates only
    /// each entry's serial.
    fn for_each_revoked(
        &self,
        issuer: &str,
        still_valid_at: OffsetDateTime,
        f: &mut dyn FnMut(RevokedEntry) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;

    /// Removes certificates from the register after they were exported to the archive (EDS law
    /// art. 16.3): all of them or none. Returns how many were removed.
    ///
    /// Each must be revoked ([`StoreError::NotRevoked`]) before `revoked_before`
    /// ([`StoreError::RetentionNotElapsed`]); the caller passes the instant five years before now
    /// (art. 16.2), the domain checks the same rule first. An idempotency key that gave one of
    /// them ([`CertificateStore::insert_certificate_idempotent`]) is removed with it.
    fn archive(
        &self,
        serials: &[Serial],
        revoked_before: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<usize, StoreError>;

    /// Records a refusal to issue (EDS law art. 14-1); returns its id, also added to the audit
    /// details as `refusal_id`.
    fn record_refusal(&self, r: &NewRefusal, audit: &AuditEvent) -> Result<i64, StoreError>;

    /// Every recorded refusal, in the order recorded.
    fn refusals(&self) -> Result<Vec<RefusalRecord>, StoreError>;
}

/// The registry of persons and legal entities the center consults, and its changes that
/// revoke certificates (EDS law art. 18.1(3)–(5)).
pub trait RegistryStore: Send + Sync {
    /// Adds or replaces a person of the registry the center consults.
    fn upsert_person(&self, p: &PersonRecord, audit: &AuditEvent) -> Result<(), StoreError>;

    /// Adds or replaces a legal entity of the registry the center consults.
    fn upsert_entity(&self, e: &EntityRecord, audit: &AuditEvent) -> Result<(), StoreError>;

    /// The person with that IIN.
    fn person(&self, iin: &str) -> Result<Option<PersonRecord>, StoreError>;

    /// The legal entity with that BIN.
    fn entity(&self, bin: &str) -> Result<Option<EntityRecord>, StoreError>;

    /// What issuance looks up about one request, read at one instant: the person with `iin`,
    /// the legal entity with `bin` when one is given, the bans that apply on `on` to either (as
    /// [`BanStore::bans_for`] with `Some(iin)` and `bin`), and, when `spki_sha256` is given, the
    /// register's certificates of that public key (as [`CertificateStore::certificates_by_key`]).
    /// The same answers as those four reads, in one snapshot; on PostgreSQL one statement, so
    /// one round trip instead of four.
    fn request_facts(
        &self,
        iin: &str,
        bin: Option<&str>,
        on: Date,
        spki_sha256: Option<&[u8; 32]>,
    ) -> Result<RequestFacts, StoreError>;

    /// Writes a change of the registry (a name change, a death, a change of a legal entity)
    /// together with the revocations the domain derived from it (EDS law art. 18.1(3)–(5)), in
    /// one transaction.
    ///
    /// The person or entity must exist ([`StoreError::UnknownPerson`],
    /// [`StoreError::UnknownEntity`]); an unknown serial fails the whole call. A certificate that
    /// is already revoked is skipped, not an error: the registry event comes after the holder may
    /// have revoked it already, and the first revocation stands. Skipped serials are listed in
    /// the audit details as `skipped_already_revoked`. Returns the certificates this call revoked.
    fn apply_registry_change(
        &self,
        change: &RegistryChange,
        revs: &[NewRevocation],
        audit: &AuditEvent,
    ) -> Result<Vec<CertificateRecord>, StoreError>;
}

/// Court decisions in force that forbid issuance (EDS law art. 14-1(3)).
pub trait BanStore: Send + Sync {
    /// Records a court decision in force that forbids issuance (EDS law art. 14-1(3)); returns its
    /// id, also added to the audit details as `ban_id`.
    ///
    /// Fails with [`StoreError::InvalidRecord`] when the ban names neither an IIN nor a BIN.
    fn add_ban(&self, ban: &NewBan, audit: &AuditEvent) -> Result<i64, StoreError>;

    /// Lifts a ban from `on` (the ban no longer applies on that date and after); returns it.
    ///
    /// Fails with [`StoreError::UnknownBan`] for an unknown id.
    fn lift_ban(&self, id: i64, on: Date, audit: &AuditEvent) -> Result<Ban, StoreError>;

    /// Every recorded ban, lifted ones included, by id (a register handed on whole, art. 22.3).
    fn bans(&self) -> Result<Vec<Ban>, StoreError>;

    /// The bans that apply on `on` to that IIN or that BIN (either may be absent), by id.
    fn bans_for(
        &self,
        iin: Option<&str>,
        bin: Option<&str>,
        on: Date,
    ) -> Result<Vec<Ban>, StoreError>;
}

/// The hash-chained audit log (EDS law art. 21.2).
pub trait AuditStore: Send + Sync {
    /// Up to `limit` audit entries from sequence number `from_seq` on, in order.
    fn audit_entries(&self, from_seq: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError>;

    /// Checks the whole audit log against its hash chain and its recorded head (art. 21.2).
    fn verify_audit(&self) -> Result<AuditVerification, StoreError>;

    /// Appends an event that changes nothing else (a CRL published, the register exported…).
    fn append_audit(&self, audit: &AuditEvent) -> Result<AuditEntry, StoreError>;

    /// The recorded number of entries and hash of the last one, to keep outside the database.
    fn audit_head(&self) -> Result<AuditHead, StoreError>;
}

/// Operators of the network API and their bearer-token hashes.
pub trait OperatorStore: Send + Sync {
    /// Registers an operator of the network API with the SHA-256 hash of its bearer token (the
    /// token itself is never stored); returns the operator's id, also added to the audit details
    /// as `operator_id`. The creation time is the audit event's.
    ///
    /// Fails with [`StoreError::DuplicateOperator`] when the name is taken (revoked operators
    /// keep their name, so the audit log's actors stay unambiguous) and
    /// [`StoreError::InvalidRecord`] when the hash is already registered.
    fn add_operator(
        &self,
        name: &str,
        token_hash: &[u8; 32],
        audit: &AuditEvent,
    ) -> Result<i64, StoreError>;

    /// The operator whose token hashes to `token_hash`, revoked or not (the caller tells a
    /// revoked credential from an unknown one).
    fn operator_by_token_hash(&self, token_hash: &[u8; 32])
    -> Result<Option<Operator>, StoreError>;

    /// Revokes an operator's credential from the audit event's time on; returns the operator.
    ///
    /// Fails with [`StoreError::UnknownOperator`] for an unknown name and
    /// [`StoreError::OperatorAlreadyRevoked`] for a revoked one; nothing is changed then.
    fn revoke_operator(&self, name: &str, audit: &AuditEvent) -> Result<Operator, StoreError>;

    /// Every operator, revoked ones included, by id.
    fn operators(&self) -> Result<Vec<Operator>, StoreError>;
}

/// Named, persisted, strictly increasing counters ([`Counter`]): CRL numbers, timestamp
/// serial blocks.
pub trait CounterStore: Send + Sync {
    /// Allocates the next value of `counter`: 1 first, then strictly increasing, persisted, across
    /// processes. Adds the value to the audit details under [`Counter::audit_key`].
    fn next_value(&self, counter: Counter<'_>, audit: &AuditEvent) -> Result<u64, StoreError>;
}

/// One publisher at a time among every process on the register ([`cluster`]).
pub trait PublicationStore: Send + Sync {
    /// Takes the lock of `what`, waiting while another process (or another caller in this one)
    /// holds it; held until the returned guard is dropped. PostgreSQL: a session advisory lock
    /// (`pg_advisory_lock`) on a connection of its own, released also when the process dies.
    /// SQLite: nothing to take (one machine: the CRL folder's file lock orders publishers).
    fn lock_publication(&self, what: Publication) -> Result<PublicationLock, StoreError>;
}

/// A persisted sequence of the register ([`CounterStore::next_value`]), each under its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter<'a> {
    /// The CRL numbers of one issuer label (RFC 5280 §5.2.3).
    CrlNumber {
        /// The issuer label (`root`, `issuing`).
        issuer: &'a str,
    },
    /// The blocks of timestamp token serials (RFC 3161 §2.4.2) reserved by timestamp authorities
    /// (see [`crate::tsa`]).
    TsaSerialBlock,
}

impl Counter<'_> {
    /// The counter's name in the register: `crl-number:<issuer>` or `tsa-serial-block`.
    pub fn name(&self) -> String {
        match self {
            Counter::CrlNumber { issuer } => format!("crl-number:{issuer}"),
            Counter::TsaSerialBlock => "tsa-serial-block".to_owned(),
        }
    }

    /// The key under which the allocated value is added to the audit details.
    pub fn audit_key(&self) -> &'static str {
        match self {
            Counter::CrlNumber { .. } => "crl_number",
            Counter::TsaSerialBlock => "tsa_serial_block",
        }
    }
}

/// An issuance under an operator's idempotency key (the API's `Idempotency-Key` header): the
/// same key with the same request gives the same certificate, across restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The operator who sent the key (keys are the operator's own).
    pub operator: String,
    /// The key.
    pub key: String,
    /// SHA-256 of the request body the key was first used with.
    pub request_sha256: [u8; 32],
    /// The certificate issued.
    pub serial: Serial,
}

/// An operator of the network API: someone the center lets issue and revoke from another system
/// (issue 4). The credential is a bearer token known only by its SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// Id given by the store, increasing.
    pub id: i64,
    /// The name the audit log records as the actor of the operator's calls.
    pub name: String,
    /// When the credential was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the credential was revoked; a revoked credential is refused.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A certificate serial number: the content octets of its DER INTEGER (RFC 5280 §4.1.2.2).
///
/// The bytes are exactly those between the INTEGER's length and the next field — big-endian,
/// minimal, with a leading `0x00` when the first value byte has its high bit set — so they go into
/// a CRL entry unchanged and match what X.509 parsers return as the raw serial. The value is
/// positive. Serials order by these bytes (numeric order among serials of one length).
///
/// [`Display`](fmt::Display) prints the value as uppercase hex without that sign octet, as
/// `openssl x509 -serial` does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial(Vec<u8>);

impl Serial {
    /// Takes the content octets of a DER INTEGER; refuses an empty, non-minimal, zero or negative
    /// value.
    pub fn from_der_content(bytes: &[u8]) -> Result<Self, SerialError> {
        match bytes {
            [] => Err(SerialError::Empty),
            [first, ..] if first & 0x80 != 0 => Err(SerialError::Negative),
            [0] => Err(SerialError::Zero),
            [0, second, ..] if second & 0x80 == 0 => Err(SerialError::NotMinimal),
            _ => Ok(Self(bytes.to_vec())),
        }
    }

    /// Takes the unsigned big-endian value (leading zero bytes allowed) and adds the sign octet
    /// DER needs.
    pub fn from_unsigned(value: &[u8]) -> Result<Self, SerialError> {
        let start = value
            .iter()
            .position(|b| *b != 0)
            .ok_or(if value.is_empty() {
                SerialError::Empty
            } else {
                SerialError::Zero
            })?;
        let magnitude = value.get(start..).unwrap_or_default();
        let mut bytes = Vec::with_capacity(magnitude.len() + 1);
        if magnitude.first().is_some_and(|b| b & 0x80 != 0) {
            bytes.push(0);
        }
        bytes.extend_from_slice(magnitude);
        Ok(Self(bytes))
    }

    /// Parses hex, upper or lower case, with optional `:` separators (`0A:1B`, `0a1b`, `A1B`).
    pub fn from_hex(text: &str) -> Result<Self, SerialError> {
        let mut nibbles = Vec::with_capacity(text.len());
        for (offset, c) in text.char_indices() {
            if c == ':' {
                continue;
            }
            let digit = c
                .to_digit(16)
                .ok_or(SerialError::InvalidDigit { offset, found: c })?;
            nibbles.push(
                u8::try_from(digit).map_err(|_| SerialError::InvalidDigit { offset, found: c })?,
            );
        }
        if nibbles.is_empty() {
            return Err(SerialError::Empty);
        }
        if nibbles.len() % 2 == 1 {
            nibbles.insert(0, 0);
        }
        let value: Vec<u8> = nibbles
            .chunks_exact(2)
            .map(|p| (p[0] << 4) | p[1])
            .collect();
        Self::from_unsigned(&value)
    }

    /// The content octets of the DER INTEGER.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The unsigned big-endian value, without the sign octet.
    pub fn unsigned_bytes(&self) -> &[u8] {
        match self.0.as_slice() {
            [0, rest @ ..] if !rest.is_empty() => rest,
            all => all,
        }
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Through a stack buffer, 32 octets at a time: one `write_str` per chunk instead of a
        // formatted write per octet (a batch of issuance prints every serial into its audit entry).
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        for chunk in self.unsigned_bytes().chunks(32) {
            let mut text = [0u8; 64];
            for (pair, b) in text.chunks_exact_mut(2).zip(chunk) {
                pair[0] = DIGITS[usize::from(b >> 4)];
                pair[1] = DIGITS[usize::from(b & 0x0F)];
            }
            let used = text.get(..chunk.len() * 2).unwrap_or_default();
            f.write_str(std::str::from_utf8(used).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl Serialize for Serial {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Serial {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// Why a serial number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SerialError {
    /// No digits or no octets at all.
    #[error("parse serial: it is empty")]
    Empty,
    /// A character that is neither a hex digit nor `:`.
    #[error("parse serial: {found:?} at byte {offset} is not a hex digit")]
    InvalidDigit {
        /// Byte offset of the character in the text.
        offset: usize,
        /// The character found.
        found: char,
    },
    /// The value is zero; RFC 5280 §4.1.2.2 wants a positive integer.
    #[error("parse serial: it is zero, a serial must be positive")]
    Zero,
    /// The first content octet has its high bit set: a negative INTEGER.
    #[error("parse serial: the integer is negative")]
    Negative,
    /// A leading `0x00` that DER does not allow (X.690 §8.3.2).
    #[error("parse serial: the integer has a redundant leading zero octet")]
    NotMinimal,
}

/// A registered certificate (EDS law art. 15.1, 21.1(2)) with its revocation if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateRecord {
    /// Serial number, unique in the register.
    pub serial: Serial,
    /// Label of the issuing CA (`"issuing"`, `"root"`…); CRLs are per issuer.
    pub issuer: String,
    /// Subject in RFC 4514 display form.
    pub subject: String,
    /// Kind of holder or certificate: `"individual"`, `"legal-entity"`, `"ca"`, `"ocsp"`…
    pub kind: String,
    /// Holder's IIN, when the certificate names one.
    pub iin: Option<String>,
    /// Legal entity's BIN, when the certificate names one.
    pub bin: Option<String>,
    /// Purpose of the key (`"sign"`, `"auth"`…), when the profile sets one.
    pub key_purpose: Option<String>,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// When the center issued it.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The owner asked that the details stay out of the public register (EDS law art. 23.2). The
    /// store keeps everything; the public view redacts.
    pub confidential: bool,
    /// The certificate, DER.
    #[serde(serialize_with = "hex_bytes")]
    pub der: Vec<u8>,
    /// The revocation, if the certificate was revoked.
    pub revocation: Option<RevocationRecord>,
}

/// How and why a certificate was revoked (EDS law art. 18.1, 18.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevocationRecord {
    /// The ground of the law.
    pub ground: RevocationGround,
    /// The reason published in the CRL and OCSP, normally `ground.crl_reason()`.
    pub reason: CrlReason,
    /// Who notified the center (the holder, a registry, a court…).
    pub notified_by: String,
    /// When the center received the notification (art. 18.3 counts one day from it).
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// When the revocation entered the register: `revocationDate` in the CRL and OCSP.
    #[serde(with = "time::serde::rfc3339")]
    pub entered_at: OffsetDateTime,
    /// When the key is known or suspected to have become unfit (RFC 5280 §5.3.2).
    #[serde(with = "time::serde::rfc3339::option")]
    pub invalidity_date: Option<OffsetDateTime>,
    /// Free text from the operator.
    pub note: Option<String>,
}

/// A revocation to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRevocation {
    /// The certificate to revoke.
    pub serial: Serial,
    /// The revocation.
    pub record: RevocationRecord,
}

/// One entry of a CRL (RFC 5280 §5.1.2.6), the narrow form [`CertificateStore::for_each_revoked`] streams.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevokedEntry {
    /// Serial of the revoked certificate.
    pub serial: Serial,
    /// `revocationDate`: when the revocation entered the register.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// `reasonCode` extension.
    pub reason: CrlReason,
    /// `invalidityDate` extension.
    #[serde(with = "time::serde::rfc3339::option")]
    pub invalidity_date: Option<OffsetDateTime>,
}

/// A recorded refusal to issue (EDS law art. 14-1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefusalRecord {
    /// Id given by the store, increasing.
    pub id: i64,
    /// When the center refused.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Ground of art. 14-1.
    pub ground: RefusalGround,
    /// What exactly was wrong, for the applicant.
    pub detail: String,
    /// Applicant's IIN, if known.
    pub iin: Option<String>,
    /// Applicant's BIN, if known.
    pub bin: Option<String>,
    /// The request as received, JSON.
    pub request_json: String,
}

/// A refusal to record; the store gives it an id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRefusal {
    /// When the center refused.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Ground of art. 14-1.
    pub ground: RefusalGround,
    /// What exactly was wrong, for the applicant.
    pub detail: String,
    /// Applicant's IIN, if known.
    pub iin: Option<String>,
    /// Applicant's BIN, if known.
    pub bin: Option<String>,
    /// The request as received, JSON.
    pub request_json: String,
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// The answer of [`RegistryStore::request_facts`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestFacts {
    /// The person with the request's IIN.
    pub person: Option<PersonRecord>,
    /// The legal entity with the request's BIN (`None` also when no BIN was given).
    pub entity: Option<EntityRecord>,
    /// The bans in force on the day, by id.
    pub bans: Vec<Ban>,
    /// The certificates of the public key, in the order the register recorded them (empty when
    /// no key was given).
    pub same_key: Vec<CertificateRecord>,
}

/// A person of the registry the center consults (standing in for the state register of persons).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRecord {
    /// Individual identification number, 12 digits.
    pub iin: String,
    /// Surname.
    pub surname: String,
    /// Given name.
    pub name: String,
    /// Patronymic, if the identity document has one (art. 18.1(4)).
    #[serde(default)]
    pub patronymic: Option<String>,
    /// Date of birth (the age rule of art. 14).
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    /// Date of death, once recorded (art. 18.1(3)).
    #[serde(default, with = "iso_date::option")]
    pub death_date: Option<Date>,
}

/// A legal entity of the registry the center consults (standing in for the state register).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityRecord {
    /// Business identification number, 12 digits.
    pub bin: String,
    /// Registered name (art. 18.1(5)).
    pub name: String,
    /// IIN of the head (art. 18.1(5): a change of head revokes).
    pub head_iin: String,
    /// Date of liquidation, once recorded (art. 18.1(5)).
    #[serde(default, with = "iso_date::option")]
    pub liquidated_on: Option<Date>,
}

/// A change the registry reports, which may revoke certificates (EDS law art. 18.1(3)–(5)).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "record", rename_all = "kebab-case")]
pub enum RegistryChange {
    /// A person's name changed or a death was recorded; the person must exist.
    PersonUpdated(PersonRecord),
    /// A legal entity's name or head changed, or it was liquidated; the entity must exist.
    EntityUpdated(EntityRecord),
}

/// A court decision in force that forbids issuance (EDS law art. 14-1(3)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ban {
    /// Id given by the store.
    pub id: i64,
    /// The person it concerns.
    pub iin: Option<String>,
    /// The legal entity it concerns.
    pub bin: Option<String>,
    /// Reference of the court decision.
    pub court_decision: String,
    /// First day the ban applies.
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    /// First day it no longer applies, once lifted.
    #[serde(with = "iso_date::option")]
    pub lifted_on: Option<Date>,
}

/// A ban to record; names an IIN, a BIN or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewBan {
    /// The person it concerns.
    pub iin: Option<String>,
    /// The legal entity it concerns.
    pub bin: Option<String>,
    /// Reference of the court decision.
    pub court_decision: String,
    /// First day the ban applies.
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    /// Last day the ban applies, when the decision sets a term (stored as `lifted_on`, the day
    /// after; `eds_profile::grounds::court_ban_lifted_on`).
    #[serde(with = "iso_date::option")]
    pub ends_on: Option<Date>,
}

/// A register received from another center, for [`CertificateStore::import_register`].
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterImport {
    /// The certificates, stored as given (revoked ones revoked).
    pub certificates: Vec<CertificateRecord>,
    /// The entry recording them (also when there are none).
    pub audit: AuditEvent,
    /// The refusals, each with its entry.
    pub refusals: Vec<(NewRefusal, AuditEvent)>,
    /// The bans, each with its entry, and the day it was lifted with that entry.
    pub bans: Vec<ImportedBan>,
}

/// A ban of a [`RegisterImport`].
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedBan {
    /// The ban.
    pub ban: NewBan,
    /// Its entry (the new id is added as `ban_id`).
    pub audit: AuditEvent,
    /// When it was lifted at the source, with the entry `ban.lift` recording it.
    pub lifted: Option<(Date, AuditEvent)>,
}

/// What a caller asks the audit log to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    /// When it happened (kept to the second).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it: an operator, `"server"`, `"registry-sync"`…
    pub actor: String,
    /// What was done, a stable dotted name: `"certificate.issue"`, `"crl.publish"`…
    pub action: String,
    /// Anything else worth keeping; stored as canonical JSON ([`audit::canonical_json`]).
    pub details: serde_json::Value,
}

/// A stored audit entry, a link of the hash chain (EDS law art. 21.2); see [`audit`] for the hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Sequence number: 1, 2, 3… without gaps.
    pub seq: u64,
    /// When it happened, to the second.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// Details as canonical JSON text.
    pub details: String,
    /// Hash of the previous entry; 32 zero bytes for the first.
    #[serde(serialize_with = "hex_bytes")]
    pub prev_hash: [u8; 32],
    /// Hash of this entry.
    #[serde(serialize_with = "hex_bytes")]
    pub hash: [u8; 32],
}

/// The recorded end of the audit log, kept in its own row and updated with every entry.
///
/// Deleting the last entries cannot be seen in the chain alone; the head can. Someone with full
/// write access to the database can still rewrite the log, the head and all; exporting the head
/// elsewhere (signed, printed, sent to the supervisor) and comparing later is what catches that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// Number of entries; also the sequence number of the last one.
    pub entries: u64,
    /// Hash of the last entry; 32 zero bytes while the log is empty.
    #[serde(serialize_with = "hex_bytes")]
    pub hash: [u8; 32],
}

/// Result of checking the audit log (EDS law art. 21.2: modification must not go unnoticed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum AuditVerification {
    /// Every entry hashes right, links to its predecessor, and the recorded head matches.
    Intact {
        /// Number of entries.
        entries: u64,
        /// Hash of the last entry.
        #[serde(serialize_with = "hex_bytes")]
        head: [u8; 32],
    },
    /// The first place where the log differs from an intact one.
    Broken {
        /// The first sequence number that is missing, altered or unlinked.
        seq: u64,
        /// What is wrong there.
        problem: AuditProblem,
    },
}

/// What is wrong with the audit log at the sequence number of [`AuditVerification::Broken`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AuditProblem {
    /// The entry's stored hash is not the hash of its fields: the entry was edited.
    HashMismatch,
    /// The entry's `prev_hash` is not the previous entry's hash: an entry before it was removed,
    /// replaced or reordered and the rest renumbered and rehashed.
    ChainBreak,
    /// A sequence number is missing: the entry `expected` was deleted.
    GapInSequence {
        /// The sequence number that should come next.
        expected: u64,
        /// The one found instead.
        found: u64,
    },
    /// The log ends before the recorded head: its last entries were deleted.
    Truncated {
        /// Entries the head records.
        recorded: u64,
        /// Entries found.
        found: u64,
    },
    /// The log's end does not match the recorded head (the last entry replaced, or the head
    /// edited).
    HeadMismatch {
        /// Entries the head records.
        recorded: u64,
        /// Entries found.
        found: u64,
    },
}

/// Certificates being registered in one transaction ([`CertificateStore::begin_certificates`]).
pub trait CertificateBatch {
    /// Adds certificates to the transaction, with the same checks as
    /// [`CertificateStore::insert_certificate`]. After an error the batch can only be dropped.
    fn insert(&mut self, recs: &[CertificateRecord]) -> Result<(), StoreError>;

    /// Appends `audit` and commits everything inserted.
    fn commit(self: Box<Self>, audit: &AuditEvent) -> Result<(), StoreError>;
}

/// Which certificates [`CertificateStore::list_certificates`] returns; every filter set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateQuery {
    /// Only this holder's IIN.
    pub iin: Option<String>,
    /// Only this legal entity's BIN.
    pub bin: Option<String>,
    /// Only revoked ones, or only unrevoked ones.
    pub status: Option<Status>,
    /// Only those of this issuer label.
    pub issuer: Option<String>,
    /// At most this many.
    pub limit: Option<u64>,
    /// Skip this many first.
    pub offset: u64,
}

/// Revocation status in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not revoked. Expiry is not considered: the store reads no clock, the caller compares
    /// `not_after`.
    Valid,
    /// Revoked.
    Revoked,
}

/// Why a store operation failed. Nothing was changed when it does.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A certificate with this serial is already registered (RFC 5280 §4.1.2.2: serials are
    /// unique per issuer; this register keeps them unique overall).
    #[error("register certificate: serial {serial} is already registered")]
    DuplicateSerial {
        /// The serial.
        serial: Serial,
    },
    /// No certificate with this serial is registered.
    #[error("find certificate: serial {serial} is not registered")]
    UnknownSerial {
        /// The serial.
        serial: Serial,
    },
    /// The certificate was revoked before (EDS law art. 18: a revocation is final).
    #[error("revoke certificate: serial {serial} was already revoked at {at} ({})", ground.as_str())]
    AlreadyRevoked {
        /// The serial.
        serial: Serial,
        /// When the first revocation entered the register.
        at: OffsetDateTime,
        /// Its ground.
        ground: RevocationGround,
    },
    /// Archiving a certificate that is not revoked (EDS law art. 16.3 archives revoked ones).
    #[error("archive certificate: serial {serial} is not revoked")]
    NotRevoked {
        /// The serial.
        serial: Serial,
    },
    /// Archiving a revoked certificate before its five years are over (EDS law art. 16.2).
    #[error("archive certificate: serial {serial} was revoked at {revoked_at}, too recently")]
    RetentionNotElapsed {
        /// The serial.
        serial: Serial,
        /// When it was revoked.
        revoked_at: OffsetDateTime,
    },
    /// No person with this IIN in the registry.
    #[error("find person: iin {iin} is not in the registry")]
    UnknownPerson {
        /// The IIN.
        iin: String,
    },
    /// No legal entity with this BIN in the registry.
    #[error("find legal entity: bin {bin} is not in the registry")]
    UnknownEntity {
        /// The BIN.
        bin: String,
    },
    /// No ban with this id.
    #[error("find ban: id {id} is not recorded")]
    UnknownBan {
        /// The id.
        id: i64,
    },
    /// The caller passed a record the store cannot keep.
    #[error("store record: {what}")]
    InvalidRecord {
        /// What is wrong with it.
        what: String,
    },
    /// A stored value does not decode.
    #[error("read register: {what} does not decode")]
    Corrupt {
        /// Which value, and why.
        what: String,
    },
    /// Another writer held the database longer than the lock timeout.
    #[error("lock register: another writer held it past the timeout")]
    Busy,
    /// An operator with this name is already registered (revoked ones included).
    #[error("add operator: the name {name:?} is already taken")]
    DuplicateOperator {
        /// The name.
        name: String,
    },
    /// No operator with this name is registered.
    #[error("find operator: {name:?} is not registered")]
    UnknownOperator {
        /// The name.
        name: String,
    },
    /// The operator's credential was revoked before.
    #[error("revoke operator: {name:?} was already revoked at {at}")]
    OperatorAlreadyRevoked {
        /// The name.
        name: String,
        /// When it was revoked.
        at: OffsetDateTime,
    },
    /// The operator already used this idempotency key (for another certificate).
    #[error("register certificate: idempotency key {key:?} of {operator:?} is already used")]
    IdempotencyKeyTaken {
        /// The operator.
        operator: String,
        /// The key.
        key: String,
    },
    /// The database was written by a newer version of this program.
    #[error("open register: schema version {found} is newer than the supported {supported}")]
    SchemaTooNew {
        /// Version found in the database.
        found: i64,
        /// Newest version this program knows.
        supported: i64,
    },
    /// The database file could not be created or opened.
    #[error("open register {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A register URL that names no backend this program has, or is malformed.
    #[error("open register {url}: {reason}")]
    InvalidUrl {
        /// The URL, its password hidden.
        url: String,
        /// What is wrong, and the accepted forms.
        reason: String,
    },
    /// The register copied into is not empty (`eds ca migrate` never merges two registers).
    #[error("migrate register: the target already holds {rows} rows in {table}")]
    TargetNotEmpty {
        /// The first table found with rows.
        table: String,
        /// Its rows.
        rows: u64,
    },
    /// The register to copy has an audit log that does not verify (EDS law art. 21.2).
    #[error("migrate register: the source's audit log is broken at entry {seq}")]
    SourceAuditBroken {
        /// The first entry that does not verify.
        seq: u64,
    },
    /// A check after copying found the target unlike the source; nothing was committed.
    #[error("migrate register: {what}")]
    CopyMismatch {
        /// What differs.
        what: String,
    },
    /// Any other failure of the backend, with its message.
    #[error("access register: {message}")]
    Backend {
        /// The backend's message.
        message: String,
    },
}

fn hex_bytes<S: Serializer, B: AsRef<[u8]>>(bytes: &B, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes.as_ref()))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_register_urls_parse_and_hide_passwords() {
        let base = Path::new("/srv/ca");
        assert_eq!(
            RegisterUrl::parse(RegisterUrl::DEFAULT, base).unwrap(),
            RegisterUrl::Sqlite(PathBuf::from("/srv/ca/register.sqlite"))
        );
        assert_eq!(
            RegisterUrl::parse("sqlite:/var/reg.db", base).unwrap(),
            RegisterUrl::Sqlite(PathBuf::from("/var/reg.db"))
        );
        let pg =
            RegisterUrl::parse("postgres://eds:s3cret@db:5432/eds?sslmode=require", base).unwrap();
        assert_eq!(
            pg,
            RegisterUrl::Postgres("postgres://eds:s3cret@db:5432/eds?sslmode=require".into())
        );
        assert_eq!(
            pg.to_string(),
            "postgres://eds:***@db:5432/eds?sslmode=require"
        );
        assert!(!format!("{pg:?}").contains("s3cret"));
        assert_eq!(
            RegisterUrl::parse("postgresql://db/eds", base)
                .unwrap()
                .to_string(),
            "postgresql://db/eds"
        );
    }

    #[test]
    fn fail_register_url_of_no_backend() {
        assert_eq!(
            RegisterUrl::parse("mysql://u:pw@h/db", Path::new("/")),
            Err(StoreError::InvalidUrl {
                url: "mysql://u:***@h/db".into(),
                reason: "a register is sqlite:PATH or postgres://USER@HOST/DATABASE".into(),
            })
        );
        assert_eq!(
            RegisterUrl::parse("sqlite:", Path::new("/")),
            Err(StoreError::InvalidUrl {
                url: "sqlite:".into(),
                reason: "sqlite: needs a file path, as in sqlite:register.sqlite".into(),
            })
        );
    }

    #[test]
    fn ok_serial_hex_forms_agree() {
        let a = Serial::from_hex("8f:0A:1b").unwrap();
        let b = Serial::from_hex("8F0A1B").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_bytes(), &[0x00, 0x8F, 0x0A, 0x1B]);
        assert_eq!(a.unsigned_bytes(), &[0x8F, 0x0A, 0x1B]);
        assert_eq!(a.to_string(), "8F0A1B");
        assert_eq!(Serial::from_hex("A1B").unwrap().as_bytes(), &[0x0A, 0x1B]);
        assert_eq!(Serial::from_hex("00:00:01").unwrap().as_bytes(), &[0x01]);
        assert_eq!(Serial::from_hex(&a.to_string()).unwrap(), a);
    }

    #[test]
    fn fail_serial_bad_forms() {
        assert_eq!(Serial::from_hex(""), Err(SerialError::Empty));
        assert_eq!(Serial::from_hex("::"), Err(SerialError::Empty));
        assert_eq!(
            Serial::from_hex("0A:G1"),
            Err(SerialError::InvalidDigit {
                offset: 3,
                found: 'G'
            })
        );
        assert_eq!(Serial::from_hex("00"), Err(SerialError::Zero));
        assert_eq!(Serial::from_der_content(&[]), Err(SerialError::Empty));
        assert_eq!(
            Serial::from_der_content(&[0x80]),
            Err(SerialError::Negative)
        );
        assert_eq!(
            Serial::from_der_content(&[0x00, 0x01]),
            Err(SerialError::NotMinimal)
        );
        assert_eq!(Serial::from_der_content(&[0x00]), Err(SerialError::Zero));
        assert_eq!(
            Serial::from_der_content(&[0x00, 0x80]).unwrap().to_string(),
            "80"
        );
    }
}
