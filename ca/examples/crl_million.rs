//! One-shot timings of a CRL of 1,000,000 revoked certificates (`docs/benchmarks.md`), split into
//! reading the register, building rcgen's entries, rcgen's encoding and the signature, beside
//! `openssl ca -gencrl` over the same entries; then the CRL's size and `openssl crl -verify`.
//!
//! `cargo run --release -p eds-ca --example crl_million [-- <entries> [center-only|stream-only]]`
//!
//! With `center-only` or `stream-only` it makes the CRL once that way and prints the process's
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
use time::{Duration as TimeDuration, OffsetDateTime};
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
        Some("stream-only") => {
            let der = stream_crl(&center, &key, 1, n);
            println!("streamed CRL alone: {} bytes", der.len());
            print_peak();
            return;
        }
        Some(other) => panic!("unknown mode {other:?}: center-only or stream-only"),
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
        der_len = params.signed_by(key.issuer()).expect("CRL").der().len();
    });
    report("rcgen encode + sign from memory", signed);
    let tbs = vec![0u8; der_len];
    let hash = time_runs(|| {
        std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &tbs));
    });
    report("SHA-256 over a buffer of the CRL's size", hash);
    drop(params);

    let mut crl = None;
    let whole = time_runs(|| {
        crl = Some(center.crl(&key, "bench", NOW).expect("CRL"));
    });
    report(
        "Center::crl (read + build + encode + sign + CRL number)",
        whole,
    );
    let crl = crl.expect("a CRL was made");
    assert_eq!(crl.entries, n);

    // What would make it faster: where the reading time goes inside SQLite, and the CRL encoded
    // straight from the rows (no rcgen entry list) by `stream_crl` below.
    sqlite_diagnostics(&dir, n);
    let mut streamed = Vec::new();
    let stream = time_runs(|| {
        streamed = stream_crl(&center, &key, crl.number, n);
    });
    report("streamed: for_each_revoked -> DER entries -> sign", stream);
    let tbs_of = |der: &[u8]| {
        let (_, list) = CertificateRevocationList::from_der(der).expect("CRL parses");
        list.tbs_cert_list.as_ref().to_vec()
    };
    println!(
        "streamed CRL's TBSCertList is byte-identical to Center::crl's: {}",
        tbs_of(&streamed) == tbs_of(&crl.der)
    );

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
    let streamed_path = dir.join("streamed.crl.der");
    std::fs::write(&streamed_path, &streamed).expect("write CRL");
    let verify = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-noout", "-verify", "-CAfile"])
        .arg(openssl_dir.join("chain.pem"))
        .arg("-in")
        .arg(&streamed_path)
        .output()
        .expect("run openssl crl");
    println!(
        "openssl crl -verify of the streamed CRL: exit {}, {:?}",
        verify.status,
        String::from_utf8_lossy(&verify.stderr).trim()
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

/// The CRL `Center::crl` makes, encoded while the register streams its rows: each entry is
/// written as DER into one buffer as it arrives (no rcgen entry list, no second pass over the
/// entries, no copy of them), after room left at the front; when the last row is in, the lengths
/// are known, the head (version … nextUpdate and the list's header) goes into that room just
/// before the entries, the extensions after them, and the TBSCertList is signed where it lies.
/// Same fields, same order, same encoding choices as rcgen's (UTCTime before 2050, reasonCode
/// omitted for unspecified, invalidityDate as GeneralizedTime).
fn stream_crl(center: &Center, key: &IssuingKey, number: u64, n: u64) -> Vec<u8> {
    const ROOM: usize = 1024;
    let mut buf = Vec::with_capacity(ROOM + usize::try_from(n).unwrap_or(0).saturating_mul(56));
    buf.resize(ROOM, 0);
    let mut entry = Vec::with_capacity(64);
    let mut exts = Vec::with_capacity(48);
    center
        .store()
        .for_each_revoked(ISSUING, NOW, &mut |e| {
            entry.clear();
            der_integer(&mut entry, e.serial.as_bytes());
            der_time(&mut entry, e.revoked_at, false);
            let code = e.reason.code();
            if code != 0 || e.invalidity_date.is_some() {
                exts.clear();
                if code != 0 {
                    // Extension { id-ce-cRLReasons, OCTET STRING { ENUMERATED code } }
                    exts.extend_from_slice(&[
                        0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01, code,
                    ]);
                }
                if let Some(t) = e.invalidity_date {
                    // Extension { id-ce-invalidityDate, OCTET STRING { GeneralizedTime } }
                    exts.extend_from_slice(&[0x30, 0x18, 0x06, 0x03, 0x55, 0x1D, 0x18, 0x04, 0x11]);
                    der_time(&mut exts, t, true);
                }
                der_tlv(&mut entry, 0x30, &exts);
            }
            der_tlv(&mut buf, 0x30, &entry);
            Ok(())
        })
        .expect("rows");
    let entries_len = buf.len() - ROOM;

    let (_, issuing) = x509_parser::certificate::X509Certificate::from_der(center.issuing_der())
        .expect("issuing certificate");
    let mut head = vec![0x02, 0x01, 0x01];
    head.extend_from_slice(ECDSA_WITH_SHA256);
    head.extend_from_slice(issuing.subject().as_raw());
    der_time(&mut head, NOW, false);
    der_time(&mut head, NOW + TimeDuration::hours(24), false);
    der_header(&mut head, 0x30, entries_len);

    let mut aki = Vec::new();
    der_tlv(&mut aki, 0x80, key.key_identifier());
    let mut aki_seq = Vec::new();
    der_tlv(&mut aki_seq, 0x30, &aki);
    let mut ext = vec![0x06, 0x03, 0x55, 0x1D, 0x23];
    der_tlv(&mut ext, 0x04, &aki_seq);
    let mut crl_exts = Vec::new();
    der_tlv(&mut crl_exts, 0x30, &ext);
    let number_bytes = number.to_be_bytes();
    let first = number_bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut magnitude = number_bytes.get(first..).unwrap_or_default().to_vec();
    if magnitude.first().is_some_and(|b| b & 0x80 != 0) {
        magnitude.insert(0, 0);
    }
    let mut num = Vec::new();
    der_integer(&mut num, &magnitude);
    let mut ext = vec![0x06, 0x03, 0x55, 0x1D, 0x14];
    der_tlv(&mut ext, 0x04, &num);
    der_tlv(&mut crl_exts, 0x30, &ext);
    let mut exts_seq = Vec::new();
    der_tlv(&mut exts_seq, 0x30, &crl_exts);
    der_tlv(&mut buf, 0xA0, &exts_seq);

    let mut tbs_header = Vec::new();
    der_header(&mut tbs_header, 0x30, head.len() + buf.len() - ROOM);
    let start = ROOM - head.len() - tbs_header.len();
    buf[start..start + tbs_header.len()].copy_from_slice(&tbs_header);
    buf[ROOM - head.len()..ROOM].copy_from_slice(&head);

    let signature = rcgen::SigningKey::sign(key.issuer().key(), &buf[start..]).expect("sign");
    buf.extend_from_slice(ECDSA_WITH_SHA256);
    der_header(&mut buf, 0x03, signature.len() + 1);
    buf.push(0);
    buf.extend_from_slice(&signature);
    let mut outer = Vec::new();
    der_header(&mut outer, 0x30, buf.len() - start);
    let begin = start - outer.len();
    buf[begin..start].copy_from_slice(&outer);
    // One move in place to start the CRL at offset 0; a caller that can write a slice skips it.
    buf.drain(..begin);
    buf
}

/// AlgorithmIdentifier { ecdsa-with-SHA256 } (RFC 5758 §3.2: parameters absent).
const ECDSA_WITH_SHA256: &[u8] = &[
    0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
];

fn der_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    der_header(out, tag, content.len());
    out.extend_from_slice(content);
}

fn der_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    let len_bytes = len.to_be_bytes();
    if len < 0x80 {
        out.push(len_bytes.last().copied().unwrap_or(0));
    } else {
        let first = len_bytes.iter().position(|b| *b != 0).unwrap_or(0);
        let tail = len_bytes.get(first..).unwrap_or_default();
        out.push(0x80 | u8::try_from(tail.len()).unwrap_or(0));
        out.extend_from_slice(tail);
    }
}

/// The content octets are already minimal and positive (a register serial, a CRL number).
fn der_integer(out: &mut Vec<u8>, content: &[u8]) {
    der_tlv(out, 0x02, content);
}

/// UTCTime `YYMMDDHHMMSSZ` for 1950–2049 (RFC 5280 §5.1.2.4) unless `generalized`, else
/// GeneralizedTime `YYYYMMDDHHMMSSZ`.
fn der_time(out: &mut Vec<u8>, t: OffsetDateTime, generalized: bool) {
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    let utc = !generalized && (1950..2050).contains(&year);
    let mut digits = [0u8; 15];
    let mut len = 0;
    let mut put = |value: u32, width: u32| {
        for k in (0..width).rev() {
            let d = value / 10u32.pow(k) % 10;
            if let Some(slot) = digits.get_mut(len) {
                *slot = b'0' + u8::try_from(d).unwrap_or(0);
            }
            len += 1;
        }
    };
    let year = u32::try_from(year).unwrap_or(0);
    if utc {
        put(year % 100, 2);
    } else {
        put(year, 4);
    }
    put(u32::from(u8::from(t.month())), 2);
    put(u32::from(t.day()), 2);
    put(u32::from(t.hour()), 2);
    put(u32::from(t.minute()), 2);
    put(u32::from(t.second()), 2);
    der_header(out, if utc { 0x17 } else { 0x18 }, len + 1);
    out.extend_from_slice(digits.get(..len).unwrap_or_default());
    out.push(b'Z');
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
