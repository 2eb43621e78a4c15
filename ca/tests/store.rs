//! The register's behaviour, one suite run on both backends (SQLite in a temporary file,
//! PostgreSQL in a throwaway server: `eds_fixtures::postgres`): round trips, the all-or-nothing
//! rules, the audit chain and its tampering, concurrency, counters. The plain `#[test]`s are
//! SQLite's own (file modes, schema migrations, raw rows).
#![expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Instant;

use eds_ca::store::audit::entry_hash;
use eds_ca::store::{
    AuditEvent, AuditProblem, AuditStore, AuditVerification, Ban, CertificateQuery,
    CertificateRecord, CertificateStore, Counter, CounterStore, EntityRecord, IdempotencyRecord,
    ImportedBan, NewBan, NewRefusal, NewRevocation, Operator, OperatorStore, PersonRecord,
    RegisterImport, RegisterUrl, RegistryChange, RequestFacts, RevocationRecord, RevokedEntry,
    Serial, SqliteStore, Status, Store, StoreError,
};
use eds_fixtures::postgres::TestPostgres;
use eds_profile::grounds::{CrlReason, RefusalGround, RevocationGround};
use rcgen::PublicKeyData;
use rusqlite::Connection;
use serde_json::json;
use sha2::Digest;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

/// Runs each named test function on both backends, as `sqlite::NAME` and `postgres::NAME`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(super::Backend::Postgres) } )*
        }
    };
}

/// The backends the suite runs on.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// An empty register of its own.
    fn fresh(self) -> Fresh {
        let (url, dir) = match self {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (
                    RegisterUrl::Sqlite(dir.path().join("register.db")),
                    Some(dir),
                )
            }
            Backend::Postgres => (
                RegisterUrl::Postgres(TestPostgres::shared().new_database()),
                None,
            ),
        };
        Fresh {
            store: url.open().unwrap(),
            url,
            _dir: dir,
        }
    }
}

/// A register for one test: its store, and its URL to open more handles.
struct Fresh {
    store: Box<dyn Store>,
    url: RegisterUrl,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Fresh {
    type Target = dyn Store;

    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

/// A parameter of [`Fresh::tamper`].
enum Raw<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl Fresh {
    /// Another handle on the same register.
    fn reopen(&self) -> Box<dyn Store> {
        self.url.open().unwrap()
    }

    /// Runs `sql` (parameters `$1`, `$2`…) on the register behind the store's back, as someone
    /// with write access to the database would.
    fn tamper(&self, sql: &str, args: &[Raw<'_>]) {
        match &self.url {
            RegisterUrl::Sqlite(path) => {
                let values: Vec<rusqlite::types::Value> = args
                    .iter()
                    .map(|a| match a {
                        Raw::Text(t) => rusqlite::types::Value::Text((*t).to_owned()),
                        Raw::Bytes(b) => rusqlite::types::Value::Blob(b.to_vec()),
                    })
                    .collect();
                Connection::open(path)
                    .unwrap()
                    .execute(sql, rusqlite::params_from_iter(values))
                    .unwrap();
            }
            RegisterUrl::Postgres(url) => {
                let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
                let params: Vec<&(dyn ::postgres::types::ToSql + Sync)> = args
                    .iter()
                    .map(|a| -> &(dyn ::postgres::types::ToSql + Sync) {
                        match a {
                            Raw::Text(t) => t,
                            Raw::Bytes(b) => b,
                        }
                    })
                    .collect();
                client.execute(sql, &params).unwrap();
            }
        }
    }
}

const ISSUING_CRL: Counter<'static> = Counter::CrlNumber { issuer: "issuing" };

const T0: OffsetDateTime = datetime!(2025-03-01 09:00:00 UTC);

fn serial(n: u64) -> Serial {
    Serial::from_unsigned(&n.to_be_bytes()).unwrap()
}

fn cert(n: u64, issuer: &str, not_after: OffsetDateTime) -> CertificateRecord {
    CertificateRecord {
        serial: serial(n),
        issuer: issuer.to_owned(),
        subject: format!("CN=Holder {n},SERIALNUMBER=IIN900101300011"),
        kind: "individual".to_owned(),
        iin: Some("900101300011".to_owned()),
        bin: None,
        key_purpose: Some("sign".to_owned()),
        not_before: T0,
        not_after,
        issued_at: T0 + Duration::seconds(i64::try_from(n).unwrap()),
        confidential: false,
        der: vec![0x30, 0x03, 0x02, 0x01, 0x01],
        revocation: None,
    }
}

fn ev(action: &str) -> AuditEvent {
    AuditEvent {
        at: T0,
        actor: "operator".to_owned(),
        action: action.to_owned(),
        details: json!({}),
    }
}

fn revocation(n: u64, ground: RevocationGround, at: OffsetDateTime) -> NewRevocation {
    NewRevocation {
        serial: serial(n),
        record: RevocationRecord {
            ground,
            reason: ground.crl_reason(),
            notified_by: "holder".to_owned(),
            received_at: at - Duration::hours(1),
            entered_at: at,
            invalidity_date: None,
            note: None,
        },
    }
}

fn person(iin: &str, surname: &str) -> PersonRecord {
    PersonRecord {
        iin: iin.to_owned(),
        surname: surname.to_owned(),
        name: "Aigerim".to_owned(),
        patronymic: None,
        birth_date: date!(1990 - 01 - 01),
        death_date: None,
    }
}

fn year_after() -> OffsetDateTime {
    T0 + Duration::days(365)
}

fn audit_count(store: &dyn Store) -> u64 {
    store.audit_head().unwrap().entries
}

/// A fresh store with entries 1..=5 in its audit log.
fn store_with_five_entries(b: Backend) -> Fresh {
    let store = b.fresh();
    for i in 1..=5 {
        store
            .append_audit(&AuditEvent {
                details: json!({ "i": i }),
                ..ev("crl.publish")
            })
            .unwrap();
    }
    store
}

fn ok_insert_then_get_round_trip(b: Backend) {
    let store = b.fresh();
    let mut rec = cert(0x8F01, "issuing", year_after());
    rec.bin = Some("050140000656".to_owned());
    rec.kind = "legal-entity".to_owned();
    rec.confidential = true;
    rec.der = (0..=255).collect();
    store
        .insert_certificate(&rec, &ev("certificate.issue"))
        .unwrap();

    let got = store.certificate(&serial(0x8F01)).unwrap();
    assert_eq!(got, Some(rec));
    assert_eq!(store.certificate(&serial(7)).unwrap(), None);
    assert_eq!(audit_count(&*store), 1);
}

fn ok_instants_are_kept_to_the_second_in_utc(b: Backend) {
    let store = b.fresh();
    let mut rec = cert(1, "issuing", year_after());
    rec.issued_at = datetime!(2025-03-01 14:00:00.987_654_321 +05:00);
    store
        .insert_certificate(&rec, &ev("certificate.issue"))
        .unwrap();
    let got = store.certificate(&serial(1)).unwrap().unwrap();
    assert_eq!(got.issued_at, datetime!(2025-03-01 09:00:00 UTC));
    assert_eq!(got.issued_at.offset(), time::UtcOffset::UTC);
}

fn fail_duplicate_serial_changes_nothing(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificate(&cert(5, "issuing", year_after()), &ev("issue"))
        .unwrap();
    let mut other = cert(5, "root", year_after());
    other.subject = "CN=Someone else".to_owned();
    assert_eq!(
        store.insert_certificate(&other, &ev("issue")),
        Err(StoreError::DuplicateSerial { serial: serial(5) })
    );
    assert_eq!(
        store.certificate(&serial(5)).unwrap().unwrap().issuer,
        "issuing"
    );
    assert_eq!(audit_count(&*store), 1);
}

fn fail_batch_insert_with_a_duplicate_inserts_none(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificate(&cert(2, "issuing", year_after()), &ev("issue"))
        .unwrap();
    let batch = [
        cert(1, "issuing", year_after()),
        cert(2, "issuing", year_after()),
    ];
    assert_eq!(
        store.insert_certificates(&batch, &ev("issue.batch")),
        Err(StoreError::DuplicateSerial { serial: serial(2) })
    );
    assert_eq!(store.certificate(&serial(1)).unwrap(), None);
    assert_eq!(audit_count(&*store), 1);
}

/// A batch dropped mid-way, never committed: its rows are seen by no handle, neither while it
/// is open nor after, and the handle that held it writes on as if it had never been (its next
/// entry is the audit chain's first).
fn ok_a_batch_dropped_midway_is_rolled_back_and_never_visible(b: Backend) {
    let store = b.fresh();
    let other = store.reopen();
    {
        let mut batch = store.begin_certificates().unwrap();
        batch
            .insert(&[
                cert(1, "issuing", year_after()),
                cert(2, "issuing", year_after()),
            ])
            .unwrap();
        assert_eq!(other.certificate(&serial(1)).unwrap(), None);
        assert_eq!(audit_count(&*other), 0);
    }
    assert_eq!(store.certificate(&serial(1)).unwrap(), None);
    assert_eq!(other.certificate(&serial(2)).unwrap(), None);
    assert_eq!(audit_count(&*store), 0);

    store
        .insert_certificate(&cert(3, "issuing", year_after()), &ev("issue"))
        .unwrap();
    assert_eq!(
        other.certificate(&serial(3)).unwrap().map(|c| c.serial),
        Some(serial(3))
    );
    assert_eq!(other.certificate(&serial(1)).unwrap(), None);
    let entries = other.audit_entries(1, 10).unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.seq, e.prev_hash))
            .collect::<Vec<_>>(),
        [(1, [0u8; 32])]
    );
    assert_eq!(
        other.verify_audit().unwrap(),
        AuditVerification::Intact {
            entries: 1,
            head: entries[0].hash
        }
    );
}

/// Two handles revoking the same 20 certificates at once, each its own order: every serial is
/// revoked once, by the one of the two calls that succeeded; the other failed with
/// `AlreadyRevoked` naming that revocation; the audit chain holds one entry per success.
fn ok_racing_revocations_of_one_serial_revoke_it_once(b: Backend) {
    let store = b.fresh();
    for n in 1..=20 {
        store
            .insert_certificate(&cert(n, "issuing", year_after()), &ev("issue"))
            .unwrap();
    }
    let handles = [store.reopen(), store.reopen()];
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<Vec<(u64, Result<usize, StoreError>)>> = std::thread::scope(|s| {
        let threads: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(who, h)| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let order: Vec<u64> = if who == 0 {
                        (1..=20).collect()
                    } else {
                        (1..=20).rev().collect()
                    };
                    order
                        .into_iter()
                        .map(|n| {
                            let at = T0 + Duration::days(i64::try_from(who).unwrap() + 1);
                            let ground =
                                [RevocationGround::HolderRequest, RevocationGround::Death][who];
                            let out = h
                                .revoke(&[revocation(n, ground, at)], &ev("revoke"))
                                .map(|r| r.len());
                            (n, out)
                        })
                        .collect()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut successes = 0;
    for n in 1..=20u64 {
        let got = store.certificate(&serial(n)).unwrap().unwrap();
        let rev = got.revocation.unwrap();
        let winner = usize::from(rev.ground == RevocationGround::Death);
        for (who, outs) in results.iter().enumerate() {
            let out = &outs.iter().find(|(m, _)| *m == n).unwrap().1;
            if who == winner {
                assert_eq!(out, &Ok(1), "serial {n}");
                successes += 1;
            } else {
                assert_eq!(
                    out,
                    &Err(StoreError::AlreadyRevoked {
                        serial: serial(n),
                        at: rev.entered_at,
                        ground: rev.ground
                    }),
                    "serial {n}"
                );
            }
        }
    }
    assert_eq!(successes, 20);
    assert_eq!(audit_count(&*store), 40);
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 40, .. }
    ));
}

fn fail_revoke_twice_names_the_first_revocation(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificate(&cert(9, "issuing", year_after()), &ev("issue"))
        .unwrap();
    let first_at = T0 + Duration::days(3);
    let revoked = store
        .revoke(
            &[revocation(9, RevocationGround::KeyCompromise, first_at)],
            &ev("revoke"),
        )
        .unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0]
            .revocation
            .as_ref()
            .map(|r| (r.ground, r.reason, r.entered_at)),
        Some((
            RevocationGround::KeyCompromise,
            CrlReason::KeyCompromise,
            first_at
        ))
    );

    let again = revocation(9, RevocationGround::Death, T0 + Duration::days(10));
    assert_eq!(
        store.revoke(&[again], &ev("revoke")),
        Err(StoreError::AlreadyRevoked {
            serial: serial(9),
            at: first_at,
            ground: RevocationGround::KeyCompromise
        })
    );
    assert_eq!(audit_count(&*store), 2);
}

fn fail_revoke_unknown_serial(b: Backend) {
    let store = b.fresh();
    assert_eq!(
        store.revoke(
            &[revocation(404, RevocationGround::HolderRequest, T0)],
            &ev("revoke")
        ),
        Err(StoreError::UnknownSerial {
            serial: serial(404)
        })
    );
    assert_eq!(audit_count(&*store), 0);
}

fn fail_batch_revoke_with_unknown_second_serial_changes_nothing(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificates(
            &[
                cert(1, "issuing", year_after()),
                cert(3, "issuing", year_after()),
            ],
            &ev("issue"),
        )
        .unwrap();
    let head_before = store.audit_head().unwrap();
    let batch = [
        revocation(1, RevocationGround::HolderRequest, T0),
        revocation(2, RevocationGround::HolderRequest, T0),
        revocation(3, RevocationGround::HolderRequest, T0),
    ];
    assert_eq!(
        store.revoke(&batch, &ev("revoke")),
        Err(StoreError::UnknownSerial { serial: serial(2) })
    );
    let revoked = store
        .list_certificates(&CertificateQuery {
            status: Some(Status::Revoked),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(revoked, vec![]);
    assert_eq!(
        store.certificate(&serial(1)).unwrap().unwrap().revocation,
        None
    );
    assert_eq!(store.audit_head().unwrap(), head_before);
    assert_eq!(store.audit_entries(1, 100).unwrap().len(), 1);
}

fn ok_for_each_revoked_skips_expired_and_other_issuers_in_serial_order(b: Backend) {
    let store = b.fresh();
    let now = T0 + Duration::days(30);
    let recs = [
        cert(0x30, "issuing", year_after()),
        cert(0x10, "issuing", year_after()),
        cert(0x20, "issuing", now), // expires exactly now: still listed
        cert(0x05, "issuing", now - Duration::seconds(1)), // expired: left out
        cert(0x15, "root", year_after()), // another issuer: left out
        cert(0x25, "issuing", year_after()), // not revoked: left out
    ];
    store.insert_certificates(&recs, &ev("issue")).unwrap();
    let mut with_invalidity = revocation(0x10, RevocationGround::KeyCompromise, T0);
    with_invalidity.record.invalidity_date = Some(T0 - Duration::days(2));
    let revs = [
        revocation(0x30, RevocationGround::NameChange, T0 + Duration::days(1)),
        with_invalidity,
        revocation(0x20, RevocationGround::Death, T0 + Duration::days(2)),
        revocation(0x05, RevocationGround::HolderRequest, T0),
        revocation(0x15, RevocationGround::HolderRequest, T0),
    ];
    store.revoke(&revs, &ev("revoke")).unwrap();

    let mut seen = Vec::new();
    let n = store
        .for_each_revoked("issuing", now, &mut |e| {
            seen.push(e);
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        seen,
        vec![
            RevokedEntry {
                serial: serial(0x10),
                revoked_at: T0,
                reason: CrlReason::KeyCompromise,
                invalidity_date: Some(T0 - Duration::days(2)),
            },
            RevokedEntry {
                serial: serial(0x20),
                revoked_at: T0 + Duration::days(2),
                reason: CrlReason::CessationOfOperation,
                invalidity_date: None,
            },
            RevokedEntry {
                serial: serial(0x30),
                revoked_at: T0 + Duration::days(1),
                reason: CrlReason::Superseded,
                invalidity_date: None,
            },
        ]
    );
    // Expired certificates stay in the register (EDS law art. 16.2).
    assert!(
        store
            .certificate(&serial(0x05))
            .unwrap()
            .unwrap()
            .revocation
            .is_some()
    );
}

fn fail_for_each_revoked_stops_at_the_callbacks_error(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificates(
            &[
                cert(1, "issuing", year_after()),
                cert(2, "issuing", year_after()),
            ],
            &ev("issue"),
        )
        .unwrap();
    store
        .revoke(
            &[
                revocation(1, RevocationGround::HolderRequest, T0),
                revocation(2, RevocationGround::HolderRequest, T0),
            ],
            &ev("revoke"),
        )
        .unwrap();
    let mut calls = 0;
    let stop = StoreError::Backend {
        message: "signer gone".to_owned(),
    };
    let got = store.for_each_revoked("issuing", T0, &mut |_| {
        calls += 1;
        Err(stop.clone())
    });
    assert_eq!(got, Err(stop));
    assert_eq!(calls, 1);
}

fn ok_crl_numbers_strictly_increase_across_opens(b: Backend) {
    let fresh = b.fresh();
    {
        let store = fresh.reopen();
        assert_eq!(store.next_value(ISSUING_CRL, &ev("crl.number")).unwrap(), 1);
        assert_eq!(store.next_value(ISSUING_CRL, &ev("crl.number")).unwrap(), 2);
        assert_eq!(
            store
                .next_value(Counter::CrlNumber { issuer: "root" }, &ev("crl.number"))
                .unwrap(),
            1
        );
    }
    let store = fresh.reopen();
    assert_eq!(store.next_value(ISSUING_CRL, &ev("crl.number")).unwrap(), 3);
    let last = store.audit_entries(4, 1).unwrap();
    assert_eq!(last[0].details, r#"{"crl_number":3}"#);
}

fn ok_audit_chain_is_intact_and_linked(b: Backend) {
    let store = store_with_five_entries(b);
    let entries = store.audit_entries(1, 10).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(entries[0].prev_hash, [0; 32]);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    let head = store.audit_head().unwrap();
    assert_eq!((head.entries, head.hash), (5, entries[4].hash));
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact {
            entries: 5,
            head: entries[4].hash
        }
    );
    assert_eq!(store.audit_entries(3, 2).unwrap(), entries[2..4].to_vec());
}

fn ok_empty_audit_log_is_intact(b: Backend) {
    let store = b.fresh();
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact {
            entries: 0,
            head: [0; 32]
        }
    );
}

fn fail_audit_edited_details_is_a_hash_mismatch_at_that_entry(b: Backend) {
    let store = store_with_five_entries(b);
    store.tamper(
        "UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 3",
        &[],
    );
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Broken {
            seq: 3,
            problem: AuditProblem::HashMismatch
        }
    );
}

fn fail_audit_rehashed_entry_is_a_chain_break(b: Backend) {
    let store = store_with_five_entries(b);
    // Entry 3 rewritten with a consistent hash but claiming another predecessor.
    let e = store.audit_entries(3, 1).unwrap().remove(0);
    let forged_prev = [7u8; 32];
    let hash = entry_hash(
        3,
        e.at.unix_timestamp(),
        e.actor.as_bytes(),
        e.action.as_bytes(),
        e.details.as_bytes(),
        &forged_prev,
    );
    store.tamper(
        "UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = 3",
        &[Raw::Bytes(&forged_prev), Raw::Bytes(&hash)],
    );
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Broken {
            seq: 3,
            problem: AuditProblem::ChainBreak
        }
    );
}

fn fail_audit_deleted_middle_entry_is_a_gap(b: Backend) {
    let store = store_with_five_entries(b);
    store.tamper("DELETE FROM audit_log WHERE seq = 3", &[]);
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Broken {
            seq: 3,
            problem: AuditProblem::GapInSequence {
                expected: 3,
                found: 4
            }
        }
    );
}

fn fail_audit_deleted_last_entry_is_a_truncation(b: Backend) {
    let store = store_with_five_entries(b);
    store.tamper("DELETE FROM audit_log WHERE seq = 5", &[]);
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Broken {
            seq: 5,
            problem: AuditProblem::Truncated {
                recorded: 5,
                found: 4
            }
        }
    );
}

fn fail_audit_replaced_last_entry_is_a_head_mismatch(b: Backend) {
    let store = store_with_five_entries(b);
    let e = store.audit_entries(5, 1).unwrap().remove(0);
    let details = r#"{"i":500}"#;
    let hash = entry_hash(
        5,
        e.at.unix_timestamp(),
        e.actor.as_bytes(),
        e.action.as_bytes(),
        details.as_bytes(),
        &e.prev_hash,
    );
    store.tamper(
        "UPDATE audit_log SET details = $1, hash = $2 WHERE seq = 5",
        &[Raw::Text(details), Raw::Bytes(&hash)],
    );
    assert_eq!(
        store.verify_audit().unwrap(),
        AuditVerification::Broken {
            seq: 5,
            problem: AuditProblem::HeadMismatch {
                recorded: 5,
                found: 5
            }
        }
    );
}

fn ok_two_handles_on_one_register_write_concurrently(b: Backend) {
    let fresh = b.fresh();
    let stores = [fresh.reopen(), fresh.reopen()];
    let shared: Arc<dyn Store> = Arc::from(fresh.reopen());
    std::thread::scope(|s| {
        for (k, store) in stores.iter().enumerate() {
            let base = u64::try_from(k).unwrap() * 1000 + 1;
            s.spawn(move || {
                for n in base..base + 500 {
                    store
                        .insert_certificate(&cert(n, "issuing", year_after()), &ev("issue"))
                        .unwrap();
                }
            });
        }
        // A third writer through one shared handle from two threads.
        for k in 0..2u64 {
            let shared = Arc::clone(&shared);
            s.spawn(move || {
                for n in 0..50 {
                    shared
                        .append_audit(&AuditEvent {
                            details: json!({ "k": k, "n": n }),
                            ..ev("ping")
                        })
                        .unwrap();
                }
            });
        }
    });
    let all = shared
        .list_certificates(&CertificateQuery::default())
        .unwrap();
    assert_eq!(all.len(), 1000);
    assert_eq!(
        shared.verify_audit().unwrap(),
        AuditVerification::Intact {
            entries: 1100,
            head: shared.audit_head().unwrap().hash
        }
    );
}

fn ok_registry_change_and_its_revocations_are_one_transaction(b: Backend) {
    let store = b.fresh();
    store
        .upsert_person(&person("900101300011", "Abenova"), &ev("registry.person"))
        .unwrap();
    store
        .insert_certificates(
            &[
                cert(1, "issuing", year_after()),
                cert(2, "issuing", year_after()),
            ],
            &ev("issue"),
        )
        .unwrap();
    store
        .revoke(
            &[revocation(2, RevocationGround::HolderRequest, T0)],
            &ev("revoke"),
        )
        .unwrap();
    let before = audit_count(&*store);

    // An unknown serial fails the whole change: the name stays, nothing is revoked.
    let renamed = person("900101300011", "Serikova");
    let change = RegistryChange::PersonUpdated(renamed.clone());
    let at = T0 + Duration::days(5);
    let failing = [
        revocation(1, RevocationGround::NameChange, at),
        revocation(77, RevocationGround::NameChange, at),
    ];
    assert_eq!(
        store.apply_registry_change(&change, &failing, &ev("registry.change")),
        Err(StoreError::UnknownSerial { serial: serial(77) })
    );
    assert_eq!(
        store.person("900101300011").unwrap().unwrap().surname,
        "Abenova"
    );
    assert_eq!(
        store.certificate(&serial(1)).unwrap().unwrap().revocation,
        None
    );
    assert_eq!(audit_count(&*store), before);

    // The already revoked certificate 2 is skipped; 1 is revoked with the change.
    let revs = [
        revocation(1, RevocationGround::NameChange, at),
        revocation(2, RevocationGround::NameChange, at),
    ];
    let revoked = store
        .apply_registry_change(&change, &revs, &ev("registry.change"))
        .unwrap();
    assert_eq!(
        revoked.iter().map(|r| r.serial.clone()).collect::<Vec<_>>(),
        vec![serial(1)]
    );
    assert_eq!(store.person("900101300011").unwrap(), Some(renamed));
    let two = store
        .certificate(&serial(2))
        .unwrap()
        .unwrap()
        .revocation
        .unwrap();
    assert_eq!(
        (two.ground, two.entered_at),
        (RevocationGround::HolderRequest, T0)
    );
    let last = store.audit_entries(before + 1, 1).unwrap().remove(0);
    assert_eq!(last.details, r#"{"skipped_already_revoked":["02"]}"#);
}

fn fail_registry_change_of_unknown_holder(b: Backend) {
    let store = b.fresh();
    let change = RegistryChange::EntityUpdated(EntityRecord {
        bin: "050140000656".to_owned(),
        name: "TOO Example".to_owned(),
        head_iin: "900101300011".to_owned(),
        liquidated_on: Some(date!(2025 - 02 - 01)),
    });
    assert_eq!(
        store.apply_registry_change(&change, &[], &ev("registry.change")),
        Err(StoreError::UnknownEntity {
            bin: "050140000656".to_owned()
        })
    );
    let change = RegistryChange::PersonUpdated(person("010101500022", "Nurlanov"));
    assert_eq!(
        store.apply_registry_change(&change, &[], &ev("registry.change")),
        Err(StoreError::UnknownPerson {
            iin: "010101500022".to_owned()
        })
    );
}

fn ok_registry_round_trips(b: Backend) {
    let store = b.fresh();
    let mut p = person("900101300011", "Abenova");
    p.patronymic = Some("Serikovna".to_owned());
    p.death_date = Some(date!(2025 - 02 - 28));
    store.upsert_person(&p, &ev("registry.person")).unwrap();
    assert_eq!(store.person("900101300011").unwrap(), Some(p));
    let e = EntityRecord {
        bin: "050140000656".to_owned(),
        name: "TOO Example".to_owned(),
        head_iin: "900101300011".to_owned(),
        liquidated_on: None,
    };
    store.upsert_entity(&e, &ev("registry.entity")).unwrap();
    assert_eq!(store.entity("050140000656").unwrap(), Some(e));
    assert_eq!(store.entity("000000000000").unwrap(), None);
}

fn ok_bans_apply_from_their_date_until_lifted(b: Backend) {
    let store = b.fresh();
    let id = store
        .add_ban(
            &NewBan {
                iin: Some("900101300011".to_owned()),
                bin: None,
                court_decision: "2-1234/2025".to_owned(),
                effective_from: date!(2025 - 03 - 10),
                ends_on: None,
            },
            &ev("ban.add"),
        )
        .unwrap();
    let by_iin = |on| {
        store
            .bans_for(Some("900101300011"), Some("050140000656"), on)
            .unwrap()
    };
    assert_eq!(by_iin(date!(2025 - 03 - 09)), vec![]);
    assert_eq!(by_iin(date!(2025 - 03 - 10)).len(), 1);
    assert_eq!(
        store
            .bans_for(None, Some("050140000656"), date!(2025 - 04 - 01))
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store.bans_for(None, None, date!(2025 - 04 - 01)).unwrap(),
        vec![]
    );

    let lifted = store
        .lift_ban(id, date!(2025 - 06 - 01), &ev("ban.lift"))
        .unwrap();
    assert_eq!(lifted.lifted_on, Some(date!(2025 - 06 - 01)));
    assert_eq!(by_iin(date!(2025 - 05 - 31)), vec![lifted.clone()]);
    assert_eq!(by_iin(date!(2025 - 06 - 01)), vec![]);
    assert_eq!(
        store.lift_ban(id + 1, date!(2025 - 06 - 01), &ev("ban.lift")),
        Err(StoreError::UnknownBan { id: id + 1 })
    );
    // Every ban, the lifted one included, by id, for a register handed on whole (art. 22.3).
    let second = store
        .add_ban(
            &NewBan {
                iin: None,
                bin: Some("050140000656".to_owned()),
                court_decision: "2-99/2026".to_owned(),
                effective_from: date!(2026 - 01 - 05),
                ends_on: None,
            },
            &ev("ban.add"),
        )
        .unwrap();
    assert_eq!(
        store.bans().unwrap(),
        vec![
            lifted,
            Ban {
                id: second,
                iin: None,
                bin: Some("050140000656".to_owned()),
                court_decision: "2-99/2026".to_owned(),
                effective_from: date!(2026 - 01 - 05),
                lifted_on: None,
            }
        ]
    );
    let first = store.audit_entries(1, 1).unwrap().remove(0);
    assert_eq!(first.details, format!(r#"{{"ban_id":{id}}}"#));
}

fn fail_ban_naming_nobody(b: Backend) {
    let store = b.fresh();
    let ban = NewBan {
        iin: None,
        bin: None,
        court_decision: "2-1/2025".to_owned(),
        effective_from: date!(2025 - 01 - 01),
        ends_on: None,
    };
    assert_eq!(
        store.add_ban(&ban, &ev("ban.add")),
        Err(StoreError::InvalidRecord {
            what: "a ban names neither an iin nor a bin".to_owned()
        })
    );
}

fn ok_refusals_are_recorded_in_order(b: Backend) {
    let store = b.fresh();
    let r = NewRefusal {
        at: T0,
        ground: RefusalGround::UnderAge,
        detail: "the applicant is 15".to_owned(),
        iin: Some("100101300011".to_owned()),
        bin: None,
        request_json: r#"{"iin":"100101300011"}"#.to_owned(),
    };
    let id1 = store.record_refusal(&r, &ev("refusal")).unwrap();
    let id2 = store
        .record_refusal(
            &NewRefusal {
                ground: RefusalGround::CourtDecision,
                ..r.clone()
            },
            &ev("refusal"),
        )
        .unwrap();
    let all = store.refusals().unwrap();
    assert_eq!(
        all.iter().map(|x| (x.id, x.ground)).collect::<Vec<_>>(),
        vec![
            (id1, RefusalGround::UnderAge),
            (id2, RefusalGround::CourtDecision)
        ]
    );
    assert_eq!(
        (all[0].at, &all[0].detail, &all[0].request_json),
        (T0, &r.detail, &r.request_json)
    );
}

fn ok_list_filters_and_pages(b: Backend) {
    let store = b.fresh();
    let mut legal = cert(3, "issuing", year_after());
    legal.iin = Some("800202400022".to_owned());
    legal.bin = Some("050140000656".to_owned());
    let recs = [
        cert(1, "issuing", year_after()),
        cert(2, "root", year_after()),
        legal,
    ];
    store.insert_certificates(&recs, &ev("issue")).unwrap();
    store
        .revoke(
            &[revocation(1, RevocationGround::HolderRequest, T0)],
            &ev("revoke"),
        )
        .unwrap();
    let serials = |q: CertificateQuery| -> Vec<Serial> {
        store
            .list_certificates(&q)
            .unwrap()
            .into_iter()
            .map(|r| r.serial)
            .collect()
    };
    let iin = Some("900101300011".to_owned());
    assert_eq!(
        serials(CertificateQuery::default()),
        vec![serial(1), serial(2), serial(3)]
    );
    assert_eq!(
        serials(CertificateQuery {
            iin: iin.clone(),
            ..Default::default()
        }),
        vec![serial(1), serial(2)]
    );
    assert_eq!(
        serials(CertificateQuery {
            iin,
            status: Some(Status::Valid),
            ..Default::default()
        }),
        vec![serial(2)]
    );
    assert_eq!(
        serials(CertificateQuery {
            bin: Some("050140000656".to_owned()),
            ..Default::default()
        }),
        vec![serial(3)]
    );
    assert_eq!(
        serials(CertificateQuery {
            issuer: Some("issuing".to_owned()),
            status: Some(Status::Revoked),
            ..Default::default()
        }),
        vec![serial(1)]
    );
    assert_eq!(
        serials(CertificateQuery {
            limit: Some(1),
            offset: 1,
            ..Default::default()
        }),
        vec![serial(2)]
    );
}

fn ok_and_fail_archive_keeps_five_years_of_revoked(b: Backend) {
    let store = b.fresh();
    let recs = [
        cert(1, "issuing", year_after()),
        cert(2, "issuing", year_after()),
        cert(3, "issuing", year_after()),
    ];
    store.insert_certificates(&recs, &ev("issue")).unwrap();
    let old = T0;
    let recent = T0 + Duration::days(400);
    store
        .revoke(
            &[
                revocation(1, RevocationGround::HolderRequest, old),
                revocation(2, RevocationGround::HolderRequest, recent),
            ],
            &ev("revoke"),
        )
        .unwrap();
    let cutoff = recent; // "five years before now", as the domain computes it
    let before = audit_count(&*store);
    assert_eq!(
        store.archive(&[serial(1), serial(2)], cutoff, &ev("archive")),
        Err(StoreError::RetentionNotElapsed {
            serial: serial(2),
            revoked_at: recent
        })
    );
    assert_eq!(
        store.archive(&[serial(1), serial(3)], cutoff, &ev("archive")),
        Err(StoreError::NotRevoked { serial: serial(3) })
    );
    assert_eq!(
        store.archive(&[serial(9)], cutoff, &ev("archive")),
        Err(StoreError::UnknownSerial { serial: serial(9) })
    );
    assert!(store.certificate(&serial(1)).unwrap().is_some());
    assert_eq!(audit_count(&*store), before);

    assert_eq!(
        store.archive(&[serial(1)], cutoff, &ev("archive")).unwrap(),
        1
    );
    assert_eq!(store.certificate(&serial(1)).unwrap(), None);
    let mut left = Vec::new();
    store
        .for_each_revoked("issuing", T0, &mut |e| {
            left.push(e.serial);
            Ok(())
        })
        .unwrap();
    assert_eq!(left, vec![serial(2)]);
}

fn ok_imported_revoked_certificate_is_stored_revoked(b: Backend) {
    let store = b.fresh();
    let mut rec = cert(4, "issuing", year_after());
    rec.revocation = Some(revocation(4, RevocationGround::Agreement, T0).record);
    store
        .insert_certificate(&rec, &ev("register.import"))
        .unwrap();
    assert_eq!(store.certificate(&serial(4)).unwrap(), Some(rec));
    assert_eq!(
        store
            .for_each_revoked("issuing", T0, &mut |_| Ok(()))
            .unwrap(),
        1
    );
}

/// A received register (EDS law art. 22.3): three certificates (one revoked), a refusal, a ban
/// and a lifted ban.
fn received_register() -> RegisterImport {
    let mut revoked = cert(0x22_03, "transferred:A:issuing", year_after());
    revoked.revocation = Some(revocation(0x22_03, RevocationGround::Agreement, T0).record);
    let ban = |iin: &str| NewBan {
        iin: Some(iin.to_owned()),
        bin: None,
        court_decision: "2-99/2026".to_owned(),
        effective_from: date!(2026 - 01 - 10),
        ends_on: None,
    };
    RegisterImport {
        certificates: vec![
            cert(0x22_01, "transferred:A:issuing", year_after()),
            cert(0x22_02, "transferred:A:issuing", year_after()),
            revoked,
        ],
        audit: ev("register.import"),
        refusals: vec![(
            NewRefusal {
                at: T0,
                ground: RefusalGround::UnderAge,
                detail: "15 years old".to_owned(),
                iin: Some("120517600906".to_owned()),
                bin: None,
                request_json: "{}".to_owned(),
            },
            ev("register.import-refusal"),
        )],
        bans: vec![
            ImportedBan {
                ban: ban("950210400451"),
                audit: ev("register.import-ban"),
                lifted: None,
            },
            ImportedBan {
                ban: ban("850312400009"),
                audit: ev("register.import-ban"),
                lifted: Some((date!(2026 - 02 - 01), ev("ban.lift"))),
            },
        ],
    }
}

/// What a register holds, to compare before and after.
fn holdings(store: &dyn Store) -> (Vec<CertificateRecord>, usize, Vec<Ban>, u64) {
    (
        store
            .list_certificates(&CertificateQuery::default())
            .unwrap(),
        store.refusals().unwrap().len(),
        store.bans().unwrap(),
        audit_count(store),
    )
}

fn ok_art22_3_import_register_writes_everything_in_one_transaction(b: Backend) {
    let store = b.fresh();
    let import = received_register();
    store.import_register(&import).unwrap();
    let (certs, refusals, bans, entries) = holdings(&*store);
    assert_eq!(certs, import.certificates);
    assert_eq!(refusals, 1);
    assert_eq!(bans.len(), 2);
    assert_eq!(bans[1].lifted_on, Some(date!(2026 - 02 - 01)));
    assert_eq!(bans[0].lifted_on, None);
    // register.import, the refusal, two bans, one lift.
    assert_eq!(entries, 5);
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 5, .. }
    ));
}

/// Failures injected after some rows were written in the transaction: a ban naming nobody
/// after the certificates, the refusal and a first ban; a serial the register already holds
/// as the second certificate. Each leaves the register exactly as it was, its audit log too.
fn fail_art22_3_import_register_failing_midway_leaves_the_register_as_it_was(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificate(&cert(0x77, "issuing", year_after()), &ev("issue"))
        .unwrap();
    let before = holdings(&*store);

    let mut import = received_register();
    import.bans[1].ban.iin = None;
    assert_eq!(
        store.import_register(&import),
        Err(StoreError::InvalidRecord {
            what: "a ban names neither an iin nor a bin".to_owned()
        })
    );
    assert_eq!(holdings(&*store), before);

    let mut import = received_register();
    import.certificates[1] = cert(0x77, "transferred:A:issuing", year_after());
    assert_eq!(
        store.import_register(&import),
        Err(StoreError::DuplicateSerial {
            serial: serial(0x77)
        })
    );
    assert_eq!(holdings(&*store), before);
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 1, .. }
    ));
}

#[test]
fn ok_new_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .insert_certificate(&cert(1, "issuing", year_after()), &ev("issue"))
        .unwrap();
    for name in ["register.db", "register.db-wal"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

#[test]
fn fail_schema_from_a_newer_program() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    drop(SqliteStore::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    assert_eq!(
        SqliteStore::open(&path).map(|_| ()),
        Err(StoreError::SchemaTooNew {
            found: 99,
            supported: eds_ca::store::sqlite::SCHEMA_VERSION
        })
    );
}

#[test]
fn fail_undecodable_row_is_corrupt_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .insert_certificate(&cert(1, "issuing", year_after()), &ev("issue"))
        .unwrap();
    store
        .revoke(
            &[revocation(1, RevocationGround::HolderRequest, T0)],
            &ev("revoke"),
        )
        .unwrap();
    let raw = Connection::open(&path).unwrap();
    raw.execute("UPDATE revocations SET reason = 6", [])
        .unwrap();
    let bad_reason = StoreError::Corrupt {
        what: "revocations row 01 column reason (unknown code)".to_owned(),
    };
    assert_eq!(store.certificate(&serial(1)), Err(bad_reason.clone()));
    assert_eq!(
        store.for_each_revoked("issuing", T0, &mut |_| Ok(())),
        Err(bad_reason)
    );

    raw.execute("UPDATE revocations SET reason = 0", [])
        .unwrap();
    raw.execute("UPDATE certificates SET not_after = 'soon'", [])
        .unwrap();
    match store.certificate(&serial(1)) {
        Err(StoreError::Corrupt { what }) => {
            assert!(
                what.starts_with("certificates row 01 column not_after ("),
                "{what}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let list = store.list_certificates(&CertificateQuery::default());
    assert!(matches!(list, Err(StoreError::Corrupt { .. })), "{list:?}");
}

/// Streams a million revoked entries and prints the time. Run in release mode:
/// `cargo test --release -p eds-ca --test store_sqlite -- --ignored --nocapture million`
#[test]
#[ignore = "fills a million rows; a measurement, not a check"]
fn ok_million_revoked_entries_stream() {
    const N: u64 = 1_000_000;
    const CHUNK: u64 = 50_000;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("register.db")).unwrap();
    let fill = Instant::now();
    for start in (0..N).step_by(usize::try_from(CHUNK).unwrap()) {
        // Random-looking 16-byte serials, as a CA draws them.
        let ids: Vec<u64> = (start..start + CHUNK).collect();
        let recs: Vec<CertificateRecord> = ids
            .iter()
            .map(|&i| {
                let mut rec = cert(1, "issuing", year_after());
                let mut v = [0u8; 16];
                v[..8].copy_from_slice(
                    &(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1 << 62).to_be_bytes(),
                );
                v[8..].copy_from_slice(&i.to_be_bytes());
                rec.serial = Serial::from_unsigned(&v).unwrap();
                rec.der = vec![0; 32];
                rec
            })
            .collect();
        store.insert_certificates(&recs, &ev("issue")).unwrap();
        let revs: Vec<NewRevocation> = recs
            .iter()
            .map(|r| NewRevocation {
                serial: r.serial.clone(),
                record: revocation(1, RevocationGround::KeyCompromise, T0).record,
            })
            .collect();
        store.revoke(&revs, &ev("revoke")).unwrap();
    }
    eprintln!("filled {N} revoked certificates in {:?}", fill.elapsed());
    for round in 0..3 {
        let start = Instant::now();
        let mut bytes = 0usize;
        let n = store
            .for_each_revoked("issuing", T0, &mut |e| {
                bytes += e.serial.as_bytes().len();
                Ok(())
            })
            .unwrap();
        eprintln!(
            "round {round}: streamed {n} entries ({bytes} serial bytes) in {:?}",
            start.elapsed()
        );
        assert_eq!(n, N);
    }
}

fn operator_event(action: &str, at: OffsetDateTime) -> AuditEvent {
    AuditEvent {
        at,
        actor: "operator".to_owned(),
        action: action.to_owned(),
        details: json!({ "name": "registry-gateway" }),
    }
}

fn ok_operator_round_trip_and_revocation(b: Backend) {
    let store = b.fresh();
    let hash = [7u8; 32];
    let id = store
        .add_operator(
            "registry-gateway",
            &hash,
            &operator_event("operator-added", T0),
        )
        .unwrap();
    let added = Operator {
        id,
        name: "registry-gateway".to_owned(),
        created_at: T0,
        revoked_at: None,
    };
    assert_eq!(
        store.operator_by_token_hash(&hash).unwrap(),
        Some(added.clone())
    );
    assert_eq!(store.operator_by_token_hash(&[8u8; 32]).unwrap(), None);
    let entries = store.audit_entries(1, 10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].details,
        format!(r#"{{"name":"registry-gateway","operator_id":{id}}}"#)
    );

    let later = T0 + Duration::hours(2);
    let revoked = store
        .revoke_operator(
            "registry-gateway",
            &operator_event("operator-revoked", later),
        )
        .unwrap();
    assert_eq!(
        revoked,
        Operator {
            revoked_at: Some(later),
            ..added
        }
    );
    // The revoked credential is still found, so the caller can tell it from an unknown one.
    assert_eq!(
        store.operator_by_token_hash(&hash).unwrap(),
        Some(revoked.clone())
    );
    assert_eq!(store.operators().unwrap(), vec![revoked]);
    assert_eq!(audit_count(&*store), 2);
}

fn fail_operator_duplicate_name_or_hash_changes_nothing(b: Backend) {
    let store = b.fresh();
    store
        .add_operator("a", &[1u8; 32], &operator_event("operator-added", T0))
        .unwrap();
    assert_eq!(
        store.add_operator("a", &[2u8; 32], &operator_event("operator-added", T0)),
        Err(StoreError::DuplicateOperator { name: "a".into() })
    );
    assert_eq!(
        store.add_operator("b", &[1u8; 32], &operator_event("operator-added", T0)),
        Err(StoreError::InvalidRecord {
            what: "operator token hash is already registered".into()
        })
    );
    assert_eq!(store.operators().unwrap().len(), 1);
    assert_eq!(audit_count(&*store), 1);
}

fn fail_operator_revoke_unknown_or_twice_changes_nothing(b: Backend) {
    let store = b.fresh();
    assert_eq!(
        store.revoke_operator("nobody", &operator_event("operator-revoked", T0)),
        Err(StoreError::UnknownOperator {
            name: "nobody".into()
        })
    );
    store
        .add_operator("a", &[1u8; 32], &operator_event("operator-added", T0))
        .unwrap();
    store
        .revoke_operator("a", &operator_event("operator-revoked", T0))
        .unwrap();
    assert_eq!(
        store.revoke_operator("a", &operator_event("operator-revoked", year_after())),
        Err(StoreError::OperatorAlreadyRevoked {
            name: "a".into(),
            at: T0
        })
    );
    assert_eq!(audit_count(&*store), 2);
    assert_eq!(store.verify_audit().unwrap(), store_intact(&*store));
}

fn store_intact(store: &dyn Store) -> AuditVerification {
    let head = store.audit_head().unwrap();
    AuditVerification::Intact {
        entries: head.entries,
        head: head.hash,
    }
}

#[test]
fn ok_version_1_register_migrates_to_operators_keeping_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        store
            .insert_certificate(&cert(1, "issuing", year_after()), &ev("issue"))
            .unwrap();
    }
    // Take the file back to what version 1 of the schema left.
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE operators; DROP INDEX certificates_by_bin; \
             DROP INDEX certificates_by_key; ALTER TABLE certificates DROP COLUMN spki_sha256; \
             CREATE INDEX certificates_by_issued ON certificates (issued_at, serial); \
             CREATE INDEX certificates_by_bin ON certificates (bin); \
             DROP TABLE idempotency_keys; DROP TABLE counters; \
             CREATE TABLE crl_numbers (issuer TEXT PRIMARY KEY NOT NULL, \
             last INTEGER NOT NULL CHECK (last > 0)); PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, eds_ca::store::sqlite::SCHEMA_VERSION);
    assert_eq!(version, 6);
    // A file this program created has 16 KiB pages (see `PAGE_SIZE` in store::sqlite).
    let page_size: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 16_384);
    // Version 3: no (issued_at, serial) index, and the BIN index only over rows with a BIN.
    let indexes: Vec<(String, String)> = Connection::open(&path)
        .unwrap()
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
             AND tbl_name = 'certificates' AND sql IS NOT NULL ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        indexes,
        vec![
            (
                "certificates_by_bin".to_owned(),
                "CREATE INDEX certificates_by_bin ON certificates (bin) WHERE bin IS NOT NULL"
                    .to_owned()
            ),
            (
                "certificates_by_iin".to_owned(),
                "CREATE INDEX certificates_by_iin ON certificates (iin)".to_owned()
            ),
            (
                "certificates_by_key".to_owned(),
                "CREATE INDEX certificates_by_key ON certificates (spki_sha256) \
                 WHERE spki_sha256 IS NOT NULL"
                    .to_owned()
            ),
        ]
    );
    assert!(store.certificate(&serial(1)).unwrap().is_some());
    store
        .add_operator("a", &[1u8; 32], &operator_event("operator-added", T0))
        .unwrap();
    assert_eq!(store.operators().unwrap().len(), 1);
    assert_eq!(store.verify_audit().unwrap(), store_intact(&store));
}

fn ok_counters_are_separate_and_persisted(b: Backend) {
    let fresh = b.fresh();
    assert_eq!(fresh.next_value(ISSUING_CRL, &ev("crl")).unwrap(), 1);
    assert_eq!(
        fresh
            .next_value(Counter::TsaSerialBlock, &ev("tsa"))
            .unwrap(),
        1
    );
    assert_eq!(fresh.next_value(ISSUING_CRL, &ev("crl")).unwrap(), 2);
    let store = fresh.reopen();
    assert_eq!(
        store
            .next_value(Counter::TsaSerialBlock, &ev("tsa"))
            .unwrap(),
        2
    );
    let entries = store.audit_entries(1, 10).unwrap();
    let details: Vec<&str> = entries.iter().map(|e| e.details.as_str()).collect();
    assert_eq!(
        details,
        [
            r#"{"crl_number":1}"#,
            r#"{"tsa_serial_block":1}"#,
            r#"{"crl_number":2}"#,
            r#"{"tsa_serial_block":2}"#
        ]
    );
}

/// Writers on handles of their own (connections, on PostgreSQL) allocate CRL numbers and timestamp
/// serial blocks and revoke at once: every value is taken once, none is skipped, every revocation
/// is kept, the audit chain holds them all.
fn ok_concurrent_writers_take_unique_gapless_counters_and_keep_every_revocation(b: Backend) {
    const WRITERS: u64 = 4;
    const ROUNDS: u64 = 25;
    let fresh = b.fresh();
    let handles: Vec<Box<dyn Store>> = (0..WRITERS).map(|_| fresh.reopen()).collect();
    let mut crl_numbers = Vec::new();
    let mut tsa_blocks = Vec::new();
    std::thread::scope(|s| {
        let workers: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(k, store)| {
                let base = u64::try_from(k).unwrap() * 1000 + 1;
                s.spawn(move || {
                    let mut taken = (Vec::new(), Vec::new());
                    for n in base..base + ROUNDS {
                        store
                            .insert_certificate(&cert(n, "issuing", year_after()), &ev("issue"))
                            .unwrap();
                        taken
                            .0
                            .push(store.next_value(ISSUING_CRL, &ev("crl")).unwrap());
                        store
                            .revoke(
                                &[revocation(n, RevocationGround::HolderRequest, T0)],
                                &ev("revoke"),
                            )
                            .unwrap();
                        taken.1.push(
                            store
                                .next_value(Counter::TsaSerialBlock, &ev("tsa"))
                                .unwrap(),
                        );
                    }
                    taken
                })
            })
            .collect();
        for w in workers {
            let (crl, tsa) = w.join().unwrap();
            crl_numbers.extend(crl);
            tsa_blocks.extend(tsa);
        }
    });
    crl_numbers.sort_unstable();
    tsa_blocks.sort_unstable();
    let all: Vec<u64> = (1..=WRITERS * ROUNDS).collect();
    assert_eq!(crl_numbers, all, "CRL numbers: each once, none skipped");
    assert_eq!(
        tsa_blocks, all,
        "TSA serial blocks: each once, none skipped"
    );
    let mut revoked = 0u64;
    fresh
        .for_each_revoked("issuing", T0, &mut |_| {
            revoked += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(revoked, WRITERS * ROUNDS);
    assert_eq!(
        fresh.verify_audit().unwrap(),
        AuditVerification::Intact {
            entries: 4 * WRITERS * ROUNDS,
            head: fresh.audit_head().unwrap().hash
        }
    );
}

/// A certificate issued under an idempotency key can be archived: the key goes with it (it
/// referenced the certificate), and nothing else does.
fn ok_archive_removes_the_idempotency_key_of_its_certificate(b: Backend) {
    let store = b.fresh();
    let key = |n: u64, k: &str| IdempotencyRecord {
        operator: "gateway".to_owned(),
        key: k.to_owned(),
        request_sha256: [7; 32],
        serial: serial(n),
    };
    for (n, k) in [(1, "first"), (2, "second")] {
        store
            .insert_certificate_idempotent(
                &cert(n, "issuing", year_after()),
                &key(n, k),
                &ev("issue"),
            )
            .unwrap();
    }
    store
        .revoke(
            &[
                revocation(1, RevocationGround::HolderRequest, T0),
                revocation(2, RevocationGround::HolderRequest, T0),
            ],
            &ev("revoke"),
        )
        .unwrap();
    let cutoff = T0 + Duration::days(1);
    assert_eq!(store.archive(&[serial(1)], cutoff, &ev("archive")), Ok(1));
    assert_eq!(store.certificate(&serial(1)).unwrap(), None);
    assert_eq!(store.idempotency_record("gateway", "first").unwrap(), None);
    assert_eq!(
        store.idempotency_record("gateway", "second").unwrap(),
        Some(key(2, "second"))
    );
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 4, .. }
    ));
}

/// A stored value that does not decode is [`StoreError::Corrupt`] naming its table, row and
/// column, the same on both backends (one decoder per record, `store::rows`), never a panic.
fn fail_undecodable_values_are_corrupt_naming_their_place(b: Backend) {
    let store = b.fresh();
    store
        .insert_certificate(&cert(1, "issuing", year_after()), &ev("issue"))
        .unwrap();
    store
        .revoke(
            &[revocation(1, RevocationGround::HolderRequest, T0)],
            &ev("revoke"),
        )
        .unwrap();
    store
        .upsert_person(&person("900101300011", "Abenova"), &ev("registry.person"))
        .unwrap();
    let ban = store
        .add_ban(
            &NewBan {
                iin: Some("900101300011".to_owned()),
                bin: None,
                court_decision: "2-1234/2025".to_owned(),
                effective_from: date!(2025 - 03 - 10),
                ends_on: None,
            },
            &ev("ban.add"),
        )
        .unwrap();
    let starts = |got: Result<_, StoreError>, want: &str| match got {
        Err(StoreError::Corrupt { what }) => assert!(what.starts_with(want), "{what}"),
        Err(other) => panic!("expected Corrupt starting {want:?}, got {other:?}"),
        Ok(_) => panic!("expected Corrupt starting {want:?}, got a value"),
    };

    // 6 is certificateHold, which this profile never uses (RFC 5280 §5.3.1).
    store.tamper("UPDATE revocations SET reason = 6", &[]);
    assert_eq!(
        store.certificate(&serial(1)),
        Err(StoreError::Corrupt {
            what: "revocations row 01 column reason (unknown code)".to_owned(),
        })
    );
    store.tamper(
        "UPDATE persons SET birth_date = $1",
        &[Raw::Text("1990-1-1")],
    );
    starts(
        store.person("900101300011").map(|_| ()),
        "persons row 900101300011 column birth_date (",
    );
    store.tamper("UPDATE bans SET lifted_on = $1", &[Raw::Text("never")]);
    starts(
        store
            .bans_for(Some("900101300011"), None, date!(2025 - 04 - 01))
            .map(|_| ()),
        &format!("bans row {ban} column lifted_on ("),
    );
}

/// A certificate of the register whose DER is a real one for `key`, so that the register
/// indexes its public key (`certificates_by_key`).
fn cert_of_key(n: u64, key: &rcgen::KeyPair) -> CertificateRecord {
    let real = rcgen::CertificateParams::new(vec![format!("holder{n}.test")])
        .unwrap()
        .self_signed(key)
        .unwrap();
    CertificateRecord {
        der: real.der().to_vec(),
        ..cert(n, "issuing", year_after())
    }
}

/// `request_facts` answers what `person`, `entity`, `bans_for(Some(iin), bin, on)` and
/// `certificates_by_key` answer, at once (on PostgreSQL one statement of four branches, each
/// row decoded from its block of columns): with and without a BIN and a key, an unknown
/// person and entity, bans in force, lifted, not yet in force and of others, certificates of
/// the key revoked and not, and of another key.
fn ok_request_facts_answer_as_the_four_reads(b: Backend) {
    let store = b.fresh();
    let iin = "900101300011";
    let bin = "050140000656";
    store
        .upsert_person(
            &PersonRecord {
                patronymic: Some("Серікқызы".to_owned()),
                death_date: Some(date!(2031 - 02 - 03)),
                ..person(iin, "Әбенова")
            },
            &ev("registry.person"),
        )
        .unwrap();
    store
        .upsert_person(&person("850202400022", "Other"), &ev("registry.person"))
        .unwrap();
    store
        .upsert_entity(
            &EntityRecord {
                bin: bin.to_owned(),
                name: "ТОО «Қазақ»".to_owned(),
                head_iin: iin.to_owned(),
                liquidated_on: Some(date!(2030 - 01 - 01)),
            },
            &ev("registry.entity"),
        )
        .unwrap();
    let ban = |iin: Option<&str>, bin: Option<&str>, from| NewBan {
        iin: iin.map(str::to_owned),
        bin: bin.map(str::to_owned),
        court_decision: format!("2-{from}"),
        effective_from: from,
        ends_on: None,
    };
    store
        .add_ban(&ban(Some(iin), None, date!(2025 - 03 - 10)), &ev("ban.add"))
        .unwrap();
    let lifted = store
        .add_ban(&ban(None, Some(bin), date!(2025 - 01 - 01)), &ev("ban.add"))
        .unwrap();
    store
        .lift_ban(lifted, date!(2026 - 01 - 01), &ev("ban.lift"))
        .unwrap();
    store
        .add_ban(
            &ban(Some("850202400022"), None, date!(2025 - 01 - 01)),
            &ev("ban.add"),
        )
        .unwrap();
    store
        .add_ban(
            &ban(Some(iin), Some(bin), date!(2027 - 01 - 01)),
            &ev("ban.add"),
        )
        .unwrap();
    let key_a = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let key_b = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    for rec in [
        cert_of_key(1, &key_a),
        cert_of_key(2, &key_b),
        cert_of_key(3, &key_a),
        cert(4, "issuing", year_after()),
    ] {
        store.insert_certificate(&rec, &ev("issue")).unwrap();
    }
    store
        .revoke(
            &[revocation(3, RevocationGround::HolderRequest, T0)],
            &ev("revoke"),
        )
        .unwrap();
    let digest = |k: &rcgen::KeyPair| -> [u8; 32] {
        sha2::Sha256::digest(k.subject_public_key_info()).into()
    };
    let (a, b_key) = (digest(&key_a), digest(&key_b));
    let mut non_trivial = false;
    for who in [iin, "850202400022", "000000000000"] {
        for bin in [None, Some(bin), Some("000000000000")] {
            for key in [None, Some(&a), Some(&b_key), Some(&[0; 32])] {
                for on in [
                    date!(2025 - 01 - 01),
                    date!(2025 - 06 - 01),
                    date!(2026 - 01 - 01),
                    date!(2027 - 06 - 01),
                ] {
                    let want = RequestFacts {
                        person: store.person(who).unwrap(),
                        entity: bin.map(|b| store.entity(b).unwrap()).unwrap_or_default(),
                        bans: store.bans_for(Some(who), bin, on).unwrap(),
                        same_key: key
                            .map(|k| store.certificates_by_key(k).unwrap())
                            .unwrap_or_default(),
                    };
                    let got = store.request_facts(who, bin, on, key).unwrap();
                    assert_eq!(got, want, "{who} {bin:?} {key:?} {on}");
                    non_trivial |= got.person.is_some()
                        && got.entity.is_some()
                        && got.bans.len() == 2
                        && got.same_key.len() == 2
                        && got.same_key[1].revocation.is_some();
                }
            }
        }
    }
    assert!(non_trivial, "no case found every kind of fact");
}

/// Two handles race to register the same serials, one upwards and one downwards: each serial
/// is registered once (the loser told `DuplicateSerial`, with nothing of its call kept), every
/// registration has its one audit entry, and the chain, written by both, is intact.
fn ok_racing_issuances_of_one_serial_register_it_once(b: Backend) {
    let store = b.fresh();
    let handles = [store.reopen(), store.reopen()];
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<Vec<Result<(), StoreError>>> = std::thread::scope(|s| {
        let threads: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(who, h)| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let order: Vec<u64> = if who == 0 {
                        (1..=40).collect()
                    } else {
                        (1..=40).rev().collect()
                    };
                    order
                        .into_iter()
                        .map(|n| {
                            let out = h.insert_certificate(
                                &cert(n, "issuing", year_after()),
                                &AuditEvent {
                                    details: json!({ "serial": n, "who": who }),
                                    ..ev("issue")
                                },
                            );
                            if let Err(e) = &out {
                                assert_eq!(e, &StoreError::DuplicateSerial { serial: serial(n) });
                            }
                            out
                        })
                        .collect()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let won = results.iter().flatten().filter(|r| r.is_ok()).count();
    assert_eq!(won, 40);
    assert_eq!(
        store
            .list_certificates(&CertificateQuery::default())
            .unwrap()
            .len(),
        40
    );
    assert_eq!(audit_count(&*store), 40);
    let mut serials: Vec<u64> = store
        .audit_entries(1, 100)
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.details).unwrap()["serial"]
                .as_u64()
                .unwrap()
        })
        .collect();
    serials.sort_unstable();
    assert_eq!(serials, (1..=40).collect::<Vec<_>>());
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 40, .. }
    ));
}

/// Entries of every write path (one certificate, with an idempotency key, a revocation of one
/// serial and of two, a plain append) carry the hash the reference `entry_hash` gives for their
/// fields and the previous entry's hash (PostgreSQL computes it in the statement), for fields
/// empty, non-ASCII, long and nested.
fn ok_entries_of_every_write_path_hash_as_the_reference(b: Backend) {
    let store = b.fresh();
    let long = "ж".repeat(5000);
    let events = [
        AuditEvent {
            at: T0,
            actor: String::new(),
            action: String::new(),
            details: json!({}),
        },
        AuditEvent {
            at: datetime!(1969-12-31 23:59:59 UTC),
            actor: "оператор «1»".to_owned(),
            action: "issue\n\"quoted\"".to_owned(),
            details: json!({"z": [1, {"b": null, "a": "é"}], "a": long}),
        },
        AuditEvent {
            at: T0,
            actor: "gateway".to_owned(),
            action: "issue".to_owned(),
            details: json!("not an object"),
        },
    ];
    for (n, e) in (1..).zip(&events) {
        store
            .insert_certificate(&cert(n, "issuing", year_after()), e)
            .unwrap();
    }
    store
        .insert_certificate_idempotent(
            &cert(10, "issuing", year_after()),
            &IdempotencyRecord {
                operator: "gateway".to_owned(),
                key: "k".to_owned(),
                request_sha256: [1; 32],
                serial: serial(10),
            },
            &events[1],
        )
        .unwrap();
    store
        .revoke(&[revocation(1, RevocationGround::Death, T0)], &events[1])
        .unwrap();
    store
        .revoke(
            &[
                revocation(2, RevocationGround::Death, T0),
                revocation(3, RevocationGround::Death, T0),
            ],
            &events[0],
        )
        .unwrap();
    store.append_audit(&events[2]).unwrap();
    let entries = store.audit_entries(1, 100).unwrap();
    assert_eq!(entries.len(), 7);
    let mut prev = [0; 32];
    for (i, e) in (1..).zip(&entries) {
        assert_eq!(e.seq, i);
        assert_eq!(e.prev_hash, prev, "entry {i}");
        let want = entry_hash(
            e.seq,
            e.at.unix_timestamp(),
            e.actor.as_bytes(),
            e.action.as_bytes(),
            e.details.as_bytes(),
            &prev,
        );
        assert_eq!(e.hash, want, "entry {i}");
        prev = e.hash;
    }
    assert_eq!(entries[1].actor, "оператор «1»");
    assert_eq!(entries[1].at, datetime!(1969-12-31 23:59:59 UTC));
    assert_eq!(store.audit_head().unwrap().hash, prev);
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 7, .. }
    ));
}

/// An idempotency key already taken fails the issuance and keeps nothing of it; a serial
/// already registered fails and keeps no key.
fn fail_idempotency_key_or_serial_taken_keeps_nothing(b: Backend) {
    let store = b.fresh();
    let key = |n: u64, k: &str| IdempotencyRecord {
        operator: "gateway".to_owned(),
        key: k.to_owned(),
        request_sha256: [7; 32],
        serial: serial(n),
    };
    store
        .insert_certificate_idempotent(
            &cert(1, "issuing", year_after()),
            &key(1, "k"),
            &ev("issue"),
        )
        .unwrap();
    assert_eq!(
        store.insert_certificate_idempotent(
            &cert(2, "issuing", year_after()),
            &key(2, "k"),
            &ev("issue")
        ),
        Err(StoreError::IdempotencyKeyTaken {
            operator: "gateway".to_owned(),
            key: "k".to_owned()
        })
    );
    assert_eq!(store.certificate(&serial(2)).unwrap(), None);
    assert_eq!(
        store.insert_certificate_idempotent(
            &cert(1, "issuing", year_after()),
            &key(1, "other"),
            &ev("issue")
        ),
        Err(StoreError::DuplicateSerial { serial: serial(1) })
    );
    assert_eq!(store.idempotency_record("gateway", "other").unwrap(), None);
    assert_eq!(
        store.idempotency_record("gateway", "k").unwrap(),
        Some(key(1, "k"))
    );
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 1, .. }
    ));
}

on_both_backends!(
    ok_insert_then_get_round_trip,
    ok_instants_are_kept_to_the_second_in_utc,
    fail_duplicate_serial_changes_nothing,
    fail_batch_insert_with_a_duplicate_inserts_none,
    fail_revoke_twice_names_the_first_revocation,
    fail_revoke_unknown_serial,
    fail_batch_revoke_with_unknown_second_serial_changes_nothing,
    ok_for_each_revoked_skips_expired_and_other_issuers_in_serial_order,
    fail_for_each_revoked_stops_at_the_callbacks_error,
    ok_crl_numbers_strictly_increase_across_opens,
    ok_audit_chain_is_intact_and_linked,
    ok_empty_audit_log_is_intact,
    fail_audit_edited_details_is_a_hash_mismatch_at_that_entry,
    fail_audit_rehashed_entry_is_a_chain_break,
    fail_audit_deleted_middle_entry_is_a_gap,
    fail_audit_deleted_last_entry_is_a_truncation,
    fail_audit_replaced_last_entry_is_a_head_mismatch,
    ok_two_handles_on_one_register_write_concurrently,
    ok_registry_change_and_its_revocations_are_one_transaction,
    fail_registry_change_of_unknown_holder,
    ok_registry_round_trips,
    ok_bans_apply_from_their_date_until_lifted,
    fail_ban_naming_nobody,
    ok_refusals_are_recorded_in_order,
    ok_list_filters_and_pages,
    ok_and_fail_archive_keeps_five_years_of_revoked,
    ok_imported_revoked_certificate_is_stored_revoked,
    ok_art22_3_import_register_writes_everything_in_one_transaction,
    fail_art22_3_import_register_failing_midway_leaves_the_register_as_it_was,
    ok_operator_round_trip_and_revocation,
    fail_operator_duplicate_name_or_hash_changes_nothing,
    fail_operator_revoke_unknown_or_twice_changes_nothing,
    ok_counters_are_separate_and_persisted,
    ok_concurrent_writers_take_unique_gapless_counters_and_keep_every_revocation,
    ok_archive_removes_the_idempotency_key_of_its_certificate,
    fail_undecodable_values_are_corrupt_naming_their_place,
    ok_a_batch_dropped_midway_is_rolled_back_and_never_visible,
    ok_racing_revocations_of_one_serial_revoke_it_once,
    ok_request_facts_answer_as_the_four_reads,
    ok_racing_issuances_of_one_serial_register_it_once,
    ok_entries_of_every_write_path_hash_as_the_reference,
    fail_idempotency_key_or_serial_taken_keeps_nothing,
);

#[test]
fn ok_counters_are_separate_and_version_5_counters_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.next_value(ISSUING_CRL, &ev("crl")).unwrap(), 1);
        assert_eq!(
            store
                .next_value(Counter::TsaSerialBlock, &ev("tsa"))
                .unwrap(),
            1
        );
        assert_eq!(store.next_value(ISSUING_CRL, &ev("crl")).unwrap(), 2);
        let last = store.audit_entries(2, 1).unwrap();
        assert_eq!(last[0].details, r#"{"tsa_serial_block":1}"#);
    }
    // Version 5 kept the timestamp serial blocks as the CRL number of a pseudo-issuer.
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE counters; \
             CREATE TABLE crl_numbers (issuer TEXT PRIMARY KEY NOT NULL, \
             last INTEGER NOT NULL CHECK (last > 0)); \
             INSERT INTO crl_numbers VALUES ('issuing', 7), ('root', 2), \
             ('tsa-serial-block', 4); PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.next_value(ISSUING_CRL, &ev("crl")).unwrap(), 8);
    assert_eq!(
        store
            .next_value(Counter::CrlNumber { issuer: "root" }, &ev("crl"))
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .next_value(Counter::TsaSerialBlock, &ev("tsa"))
            .unwrap(),
        5
    );
    let tables: i64 = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'crl_numbers'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
}

/// Run by [`ok_second_handle_keeps_the_first_ones_writes_visible_to_other_processes`] in a child
/// process: prints the number of audit entries of the register named by `EDS_TEST_REGISTER`.
#[test]
#[ignore = "a helper the test below runs in a child process"]
fn child_process_counts_audit_entries() {
    let Ok(path) = std::env::var("EDS_TEST_REGISTER") else {
        return;
    };
    let conn = Connection::open(path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    println!("entries={n}");
}

/// Another process opening and closing the register between two writes of this one must see the
/// second write. It did not while a second `SqliteStore` on the same file opened (and closed) a
/// descriptor of it: that dropped the first connection's POSIX locks, the other process then took
/// itself for the last connection and deleted the WAL the first one kept writing to.
#[test]
fn ok_second_handle_keeps_the_first_ones_writes_visible_to_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let first = SqliteStore::open(&path).unwrap();
    first.append_audit(&ev("one")).unwrap();
    let second = SqliteStore::open(&path).unwrap();
    let count_elsewhere = || {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_process_counts_audit_entries",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("EDS_TEST_REGISTER", &path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find_map(|l| l.split_once("entries=").map(|(_, n)| n.trim()))
            .unwrap_or_else(|| panic!("no count in {text}"))
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(count_elsewhere(), 1);
    first.append_audit(&ev("two")).unwrap();
    second.append_audit(&ev("three")).unwrap();
    assert_eq!(count_elsewhere(), 3);
    assert!(dir.path().join("register.db-wal").exists());
}

/// A register of schema 3 (no `spki_sha256`) holding a real certificate: opening it migrates to
/// schema 4 and fills the key digest from the stored DER, so the certificate is found by its key;
/// a row whose DER does not parse stays unindexed.
#[test]
fn ok_version_3_register_migrates_and_finds_certificates_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let real = rcgen::CertificateParams::new(vec!["holder.test".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let digest: [u8; 32] = sha2::Sha256::digest(key.subject_public_key_info()).into();
    {
        let store = SqliteStore::open(&path).unwrap();
        let mut rec = cert(1, "issuing", year_after());
        rec.der = real.der().to_vec();
        store.insert_certificate(&rec, &ev("issue")).unwrap();
        store
            .insert_certificate(&cert(2, "issuing", year_after()), &ev("issue"))
            .unwrap();
        assert_eq!(store.certificates_by_key(&digest).unwrap(), vec![rec]);
    }
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX certificates_by_key; ALTER TABLE certificates DROP COLUMN spki_sha256; \
             DROP TABLE idempotency_keys; DROP TABLE counters; \
             CREATE TABLE crl_numbers (issuer TEXT PRIMARY KEY NOT NULL, \
             last INTEGER NOT NULL CHECK (last > 0)); PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 6);
    let found: Vec<_> = store
        .certificates_by_key(&digest)
        .unwrap()
        .into_iter()
        .map(|r| r.serial)
        .collect();
    assert_eq!(found, vec![serial(1)]);
    assert_eq!(store.certificates_by_key(&[0; 32]).unwrap(), vec![]);
    let unindexed: i64 = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM certificates WHERE spki_sha256 IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unindexed, 1);
}

#[test]
fn postgres_fail_schema_from_a_newer_program() {
    let url = TestPostgres::shared().new_database();
    drop(eds_ca::store::PostgresStore::open(&url).unwrap());
    ::postgres::Client::connect(&url, ::postgres::NoTls)
        .unwrap()
        .execute("UPDATE schema_version SET version = 99", &[])
        .unwrap();
    assert_eq!(
        eds_ca::store::PostgresStore::open(&url).map(|_| ()),
        Err(StoreError::SchemaTooNew {
            found: 99,
            supported: eds_ca::store::postgres::SCHEMA_VERSION
        })
    );
}

#[test]
fn postgres_ok_connections_opening_a_new_database_together_migrate_it_once() {
    let url = TestPostgres::shared().new_database();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| eds_ca::store::PostgresStore::open(&url).map(|_| ())))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), Ok(()));
        }
    });
    let version: i64 = ::postgres::Client::connect(&url, ::postgres::NoTls)
        .unwrap()
        .query_one("SELECT version FROM schema_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, eds_ca::store::postgres::SCHEMA_VERSION);
}

/// A client of the test server, behind the store's back.
fn pg_client(url: &str) -> ::postgres::Client {
    ::postgres::Client::connect(url, ::postgres::NoTls).unwrap()
}

/// Waits (bounded) until `n` sessions of the database wait for a lock.
fn wait_for_lock_waiters(url: &str, n: i64) {
    let mut watcher = pg_client(url);
    for _ in 0..1200 {
        let waiting: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting >= n {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no session of {url} came to wait for a lock");
}

/// A write that PostgreSQL ends as a deadlock's victim (SQLSTATE 40P01) is run again, not
/// reported: the caller gets the counter's next value, taken once, and the audit chain is
/// intact. The deadlock: another session holds the counter's row and then asks for the audit
/// head the store's transaction holds; the store's session detects it (its deadlock_timeout is
/// the shorter) and is the victim.
#[test]
fn postgres_ok_a_deadlock_victim_is_retried() {
    let url = TestPostgres::shared().new_database();
    let store = eds_ca::store::PostgresStore::open(&url).unwrap();
    assert_eq!(store.next_value(ISSUING_CRL, &ev("crl")).unwrap(), 1);
    let mut other = pg_client(&url);
    other
        .batch_execute(
            "BEGIN; SET LOCAL deadlock_timeout = '60s'; \
             SELECT last FROM counters WHERE name = 'crl-number:issuing' FOR UPDATE",
        )
        .unwrap();
    std::thread::scope(|s| {
        let writer = s.spawn(|| store.next_value(ISSUING_CRL, &ev("crl")));
        // The store holds the audit head and waits for the counter's row.
        wait_for_lock_waiters(&url, 1);
        // Now this session waits for the head: a cycle, which the store's session breaks.
        other
            .batch_execute("SELECT entries FROM audit_head WHERE id = 1 FOR UPDATE")
            .unwrap();
        other.batch_execute("ROLLBACK").unwrap();
        assert_eq!(writer.join().unwrap(), Ok(2));
    });
    let numbers: Vec<String> = store
        .audit_entries(1, 10)
        .unwrap()
        .into_iter()
        .map(|e| e.details)
        .collect();
    assert_eq!(numbers, [r#"{"crl_number":1}"#, r#"{"crl_number":2}"#]);
    assert!(matches!(
        store.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 2, .. }
    ));
}

/// Collects the feed's events until `want` has come (bounded: a minute of waits).
fn events_until(
    feed: &mut eds_ca::store::RegisterFeed,
    want: &eds_ca::store::RegisterEvent,
) -> Vec<eds_ca::store::RegisterEvent> {
    let mut seen = Vec::new();
    for _ in 0..120 {
        seen.extend(
            feed.next_events(std::time::Duration::from_millis(500))
                .unwrap(),
        );
        if seen.contains(want) {
            return seen;
        }
    }
    panic!("{want:?} never came; heard {seen:?}");
}

/// The feed hears a revocation another handle commits, and nothing of one rolled back.
#[test]
fn postgres_ok_feed_hears_committed_revocations_only() {
    use eds_ca::store::RegisterEvent;
    let fresh = Backend::Postgres.fresh();
    let mut feed = fresh.url.listen().unwrap().unwrap();
    let writer = fresh.reopen();
    writer
        .insert_certificates(
            &[
                cert(1, "issuing", year_after()),
                cert(2, "issuing", year_after()),
            ],
            &ev("issue"),
        )
        .unwrap();
    // Serial 1 is revoked inside a transaction that fails on the unknown serial 9.
    assert_eq!(
        writer.revoke(
            &[
                revocation(1, RevocationGround::HolderRequest, T0),
                revocation(9, RevocationGround::HolderRequest, T0),
            ],
            &ev("revoke"),
        ),
        Err(StoreError::UnknownSerial { serial: serial(9) })
    );
    writer
        .revoke(
            &[revocation(2, RevocationGround::HolderRequest, T0)],
            &ev("revoke"),
        )
        .unwrap();
    let want = RegisterEvent::Revoked(serial(2));
    assert_eq!(events_until(&mut feed, &want), vec![want]);
}

#[test]
fn sqlite_ok_register_has_no_feed() {
    let fresh = Backend::Sqlite.fresh();
    assert!(fresh.url.listen().unwrap().is_none());
}

/// The CRL publication lock is held by one session at a time: a second taker waits until the
/// first guard is dropped; the holder's announcement reaches the feed.
#[test]
fn postgres_ok_publication_lock_excludes_other_processes_and_announces() {
    use std::sync::atomic::{AtomicBool, Ordering};

    use eds_ca::store::{Publication, RegisterEvent};
    let fresh = Backend::Postgres.fresh();
    let RegisterUrl::Postgres(url) = &fresh.url else {
        unreachable!()
    };
    let mut feed = fresh.url.listen().unwrap().unwrap();
    let second = fresh.reopen();
    let mut first = fresh.lock_publication(Publication::Crl).unwrap();
    let released = AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let lock = second.lock_publication(Publication::Crl).unwrap();
            let was_released = released.load(Ordering::SeqCst);
            drop(lock);
            was_released
        });
        wait_for_lock_waiters(url, 1);
        first.announce_crl(41).unwrap();
        released.store(true, Ordering::SeqCst);
        drop(first);
        assert!(
            waiter.join().unwrap(),
            "the second taker got the lock while it was held"
        );
    });
    let want = RegisterEvent::CrlPublished(41);
    assert_eq!(events_until(&mut feed, &want), vec![want]);
}
