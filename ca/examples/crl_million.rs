//! One-shot timings of a CRL of 1,000,000 revoked certificates (`docs/benchmarks.md`):
//! `Center::crl` (which encodes the entries as the register streams them), beside the parts of
//! the way it was made before (reading the register, building rcgen's entries, rcgen's encoding
//! and the signature) and `openssl ca -gencrl` over the same entries; then the CRL's size, a
//! byte-for-byte comparison of its TBSCertList with rcgen's, and `openssl crl -verify`.
//!
//! `cargo run --release -p eds-ca --example crl_million [-- <entries> [center-only|rcgen-only]]`
//!
//! With `center-only` or `rcgen-only` it makes the CRL once that way and prints the process's
//! peak memory, nothing else.
//!
//! The register is built once and cached under `target/bench-data/crl-<entries>/`.

#![expect(
    clippy::expect_used,
    reason = "a measurement whose set-up fails should stop loudly"
)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
use rusqlite::{Connection, OpenFlags, params};
use time::Duration as TimeDuration;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use eds_ca::center::{Center, ISSUING, IssuingKey};

use common::{NOW, PASS};

/// Runs of each timed step; the best and the worst are printed.
const RUNS: usize = 3;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("entries: a number"))
        .unwrap_or(1_000_000);
    let dir = common::crl_center(n);
    let center = Center::open(&dir).expect("open register");
    let key = center.unlock(PASS).expect("unlock");
    println!("register: {} ({n} revoked entries)", dir.display());

    // Peak memory of one way of making the CRL alone, in a process of its own.
    match std::env::args().nth(2).as_deref() {
        Some("center-only") => {
            let crl = center.crl(&key, "bench", NOW).expect("CRL");
            println!("Center::crl alone: {} bytes", crl.der.len());
            print_peak();
            return;
        }
        Some("rcgen-only") => {
            let der = rcgen_register(&center, &key, 1);
            println!("rcgen CRL from the register alone: {} bytes", der.len());
            print_peak();
            return;
        }
        Some(other) => panic!("unknown mode {other:?}: center-only or rcgen-only"),
        None => {}
    }

    let read = time_runs(|| {
        let count = center
            .store()
            .for_each_revoked(ISSUING, NOW, &mut |e| {
                std::hint::black_box(e);
                Ok(())
            })
            .expect("rows");
        assert_eq!(count, n);
    });
    report("read rows (for_each_revoked, nothing kept)", read);

    let mut entries = Vec::new();
    let read_build = time_runs(|| {
        entries = Vec::new();
        center
            .store()
            .for_each_revoked(ISSUING, NOW, &mut |e| {
                entries.push(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(e.serial.as_bytes()),
                    revocation_time: e.revoked_at,
                    reason_code: Some(common::rcgen_reason(e.reason)),
                    invalidity_date: e.invalidity_date,
                });
                Ok(())
            })
            .expect("rows");
    });
    report("read rows + build rcgen entries", read_build);
    drop(entries);

    let params = CertificateRevocationListParams {
        this_update: NOW,
        next_update: NOW + TimeDuration::hours(24),
        crl_number: SerialNumber::from_slice(&[1]),
        issuing_distribution_point: None,
        revoked_certs: common::rcgen_entries(n),
        key_identifier_method: KeyIdMethod::PreSpecified(key.key_identifier().to_vec()),
    };
    let unsigned = common::unsigned_issuer(&center, &key);
    let encode = time_runs(|| {
        std::hint::black_box(params.signed_by(&unsigned).expect("CRL"));
    });
    report("rcgen encode from memory, no hash or signature", encode);
    let mut der_len = 0;
    let signed = time_runs(|| {
        der_len = params
            .signed_by(&key.issuer().expect("a P-256 center"))
            .expect("CRL")
            .der()
            .len();
    });
    report("rcgen encode + sign from memory", signed);
    let tbs = vec![0u8; der_len];
    let hash = time_runs(|| {
        std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &tbs));
    });
    report("SHA-256 over a buffer of the CRL's size", hash);
    drop(params);

    let mut before = Vec::new();
    let rcgen_whole = time_runs(|| {
        before = rcgen_register(&center, &key, 1);
    });
    report(
        "rcgen from the register (Center::crl before it streamed)",
        rcgen_whole,
    );

    let mut crl = None;
    let whole = time_runs(|| {
        crl = Some(center.crl(&key, "bench", NOW).expect("CRL"));
    });
    report(
        "Center::crl (read + encode as streamed + sign + number)",
        whole,
    );
    let crl = crl.expect("a CRL was made");
    assert_eq!(crl.entries, n);

    sqlite_diagnostics(&dir, n);
    let reference = rcgen_register(&center, &key, crl.number);
    let tbs_of = |der: &[u8]| {
        let (_, list) = CertificateRevocationList::from_der(der).expect("CRL parses");
        list.tbs_cert_list.as_ref().to_vec()
    };
    println!(
        "Center::crl's TBSCertList is byte-identical to rcgen's of the same number: {}",
        tbs_of(&crl.der) == tbs_of(&reference)
    );
    drop(before);
    drop(reference);

    let openssl_dir = dir.join("openssl");
    let openssl_out = openssl_dir.join("million.crl.pem");
    let started = Instant::now();
    common::openssl_gencrl(&openssl_dir, &openssl_out);
    let openssl_time = started.elapsed();
    println!(
        "{:<58} {:>9.3} s (one run)",
        "openssl ca -gencrl (index.txt, PEM out)",
        openssl_time.as_secs_f64()
    );
    let openssl_pem = std::fs::read(&openssl_out).expect("OpenSSL CRL");
    let openssl_der = pem::parse(&openssl_pem).expect("PEM CRL").into_contents();

    let ours = dir.join("center.crl.der");
    std::fs::write(&ours, &crl.der).expect("write CRL");
    let (_, parsed) = CertificateRevocationList::from_der(&crl.der).expect("CRL parses");
    let listed = parsed.iter_revoked_certificates().count();
    println!(
        "CRL size: {} bytes DER ({:.1} MiB, {:.1} bytes per entry), {} entries listed",
        crl.der.len(),
        mib(crl.der.len()),
        per_entry(crl.der.len(), n),
        listed
    );
    println!(
        "OpenSSL's CRL of the same entries: {} bytes DER ({:.1} bytes per entry)",
        openssl_der.len(),
        per_entry(openssl_der.len(), n)
    );
    let started = Instant::now();
    let verify = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-noout", "-verify", "-CAfile"])
        .arg(openssl_dir.join("chain.pem"))
        .arg("-in")
        .arg(&ours)
        .output()
        .expect("run openssl crl");
    println!(
        "openssl crl -verify: exit {}, {:?} ({:.2} s)",
        verify.status,
        String::from_utf8_lossy(&verify.stderr).trim(),
        started.elapsed().as_secs_f64()
    );
    print_peak();
}

fn print_peak() {
    if let Some(peak) = common::peak_rss_mib() {
        println!("peak resident memory of this process: {peak} MiB");
    }
}

/// Reads the CRL query on a connection of its own: SQLite counting alone, stepping the rows and
/// reading the columns without decoding them, and the same with the file memory-mapped.
fn sqlite_diagnostics(dir: &Path, n: u64) {
    let conn = Connection::open_with_flags(
        dir.join("register.sqlite"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open register read-only");
    let at = NOW.unix_timestamp();
    let count = time_runs(|| {
        let c: i64 = conn
            .query_row(
                "SELECT count(*) FROM revocations WHERE issuer = ?1 AND not_after >= ?2",
                params![ISSUING, at],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(u64::try_from(c).ok(), Some(n));
    });
    report("sqlite: count(*) over the covering index", count);
    let step = |conn: &Connection| {
        let mut st = conn
            .prepare_cached(
                "SELECT serial, entered_at, reason, invalidity_date FROM revocations \
                 WHERE issuer = ?1 AND not_after >= ?2 ORDER BY serial",
            )
            .expect("prepare");
        let mut rows = st.query(params![ISSUING, at]).expect("query");
        while let Some(row) = rows.next().expect("step") {
            std::hint::black_box((
                row.get_ref(0).expect("serial"),
                row.get_ref(1).expect("entered_at"),
                row.get_ref(2).expect("reason"),
                row.get_ref(3).expect("invalidity_date"),
            ));
        }
    };
    report(
        "sqlite: step rows, raw columns (default pragmas)",
        time_runs(|| step(&conn)),
    );
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)
        .expect("mmap_size");
    report(
        "sqlite: step rows, raw columns, mmap_size = 1 GiB",
        time_runs(|| step(&conn)),
    );
}

/// The CRL as `Center::crl` made it before it streamed: every entry into rcgen's list, then
/// rcgen's builder; with CRL number `number` (no number is taken from the register).
fn rcgen_register(center: &Center, key: &IssuingKey, number: u64) -> Vec<u8> {
    let mut revoked = Vec::new();
    center
        .store()
        .for_each_revoked(ISSUING, NOW, &mut |e| {
            revoked.push(RevokedCertParams {
                serial_number: SerialNumber::from_slice(e.serial.as_bytes()),
                revocation_time: e.revoked_at,
                reason_code: Some(common::rcgen_reason(e.reason)),
                invalidity_date: e.invalidity_date,
            });
            Ok(())
        })
        .expect("rows");
    CertificateRevocationListParams {
        this_update: NOW,
        next_update: NOW + TimeDuration::hours(24),
        crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::PreSpecified(key.key_identifier().to_vec()),
    }
    .signed_by(&key.issuer().expect("a P-256 center"))
    .expect("CRL")
    .der()
    .to_vec()
}

fn time_runs(mut f: impl FnMut()) -> Vec<Duration> {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect()
}

fn report(what: &str, runs: Vec<Duration>) {
    let best = runs.iter().min().copied().unwrap_or_default();
    let worst = runs.iter().max().copied().unwrap_or_default();
    println!(
        "{what:<58} {:>9.3} s best, {:.3} s worst of {RUNS}",
        best.as_secs_f64(),
        worst.as_secs_f64()
    );
}

fn mib(bytes: usize) -> f64 {
    f64::from(u32::try_from(bytes).unwrap_or(u32::MAX)) / 1_048_576.0
}

fn per_entry(bytes: usize, n: u64) -> f64 {
    f64::from(u32::try_from(bytes).unwrap_or(u32::MAX))
        / f64::from(u32::try_from(n).unwrap_or(u32::MAX).max(1))
}
