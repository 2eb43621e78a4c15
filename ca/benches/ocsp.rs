//! `Responder::respond` alone, P-256, over a register of 1,000,000 certificates (1 % revoked).
//!
//! `cargo bench -p eds-ca --bench ocsp`. The register is built once into
//! `target/bench-data/ocsp-1m/` (about a minute, 1 GB: every row carries a real 1 KB certificate)
//! and reused; delete the folder to rebuild it. Groups:
//!
//! - `ocsp_parts`: the steps of an uncached answer timed alone — the register's change counter
//!   (`audit_head`), one status lookup of a random serial (`certificate`), decoding an `openssl ocsp`-shaped
//!   request, and ring signing 300 bytes (about a ResponseData) with P-256;
//! - `ocsp`: one request of one SHA-1 CertID, no nonce, through `respond`: `cached` (10,000
//!   distinct serials, every answer already signed), `uncached` (cache disabled, a random serial
//!   of the million each time: lookup + signature), `nonce` (a nonce request: never cached);
//! - `ocsp_threads`: `cached` and `uncached` on both cores, two threads sharing one responder and
//!   one register connection, as the server shares them; throughput is answers per second of
//!   wall time.

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails should stop loudly"
)]

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use der::asn1::{Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use serde_json::json;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest, Version};

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::ocsp::Responder;
use eds_ca::store::{AuditEvent, CertificateRecord, RevocationRecord, Serial};
use eds_profile::grounds::{CrlReason, RevocationGround};

const PASS: &[u8] = b"bench passphrase";
const CREATED: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);
const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);
const REGISTER: u32 = 1_000_000;
const HOT: u32 = 10_000;
const INSERT_BATCH: u32 = 50_000;

/// Serial number `i` of the bench register: 20 octets, positive, minimal.
fn serial_bytes(i: u32) -> [u8; 20] {
    let mut s = [0u8; 20];
    s[0] = 0x40;
    s[16..].copy_from_slice(&i.to_be_bytes());
    s
}

/// The bench center with its register of a million certificates, built once.
fn center() -> Center {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data/ocsp-1m");
    let done = dir.join("complete");
    if done.exists() {
        return Center::open(&dir).expect("open bench center");
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove half-built bench center");
    }
    std::fs::create_dir_all(&dir).expect("create bench center folder");
    let rng = SystemRandom::new();
    let center =
        Center::init(&dir, CenterConfig::default(), PASS, CREATED, &rng).expect("init center");
    // A real certificate's size for every row: the issuing center's own.
    let der = center.issuing_der().to_vec();
    let started = Instant::now();
    for batch in 0..REGISTER / INSERT_BATCH {
        let records: Vec<CertificateRecord> = (batch * INSERT_BATCH..(batch + 1) * INSERT_BATCH)
            .map(|i| CertificateRecord {
                serial: Serial::from_der_content(&serial_bytes(i)).expect("serial"),
                issuer: "issuing".into(),
                subject: format!("CN=BENCH {i}, SERIALNUMBER=IIN850314300122, C=KZ"),
                kind: "individual".into(),
                iin: Some("850314300122".into()),
                bin: None,
                key_purpose: Some("signing".into()),
                not_before: CREATED,
                not_after: CREATED + time::Duration::days(365),
                issued_at: CREATED,
                confidential: false,
                der: der.clone(),
                revocation: (i % 100 == 0).then(|| RevocationRecord {
                    ground: RevocationGround::KeyCompromise,
                    reason: CrlReason::KeyCompromise,
                    notified_by: "bench".into(),
                    received_at: CREATED,
                    entered_at: CREATED,
                    invalidity_date: None,
                    note: None,
                }),
            })
            .collect();
        center
            .store()
            .insert_certificates(
                &records,
                &AuditEvent {
                    at: CREATED,
                    actor: "bench".into(),
                    action: "bench-register-filled".into(),
                    details: json!({ "batch": batch }),
                },
            )
            .expect("insert bench certificates");
    }
    eprintln!(
        "bench register of {REGISTER} built in {:?}",
        started.elapsed()
    );
    std::fs::write(&done, b"").expect("mark bench center complete");
    center
}

/// An `openssl ocsp -no_nonce`-shaped request: one SHA-1 CertID of the issuing center.
fn request(center: &Center, serial: u32, nonce: bool) -> Vec<u8> {
    let issuing = x509_cert::Certificate::from_der(center.issuing_der()).expect("issuing");
    let sha1 = |b: &[u8]| {
        OctetString::new(
            ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
                .as_ref()
                .to_vec(),
        )
        .expect("hash")
    };
    let id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
            parameters: Some(Null.into()),
        },
        issuer_name_hash: sha1(&issuing.tbs_certificate.subject.to_der().expect("name")),
        issuer_key_hash: sha1(
            issuing
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        ),
        serial_number: SerialNumber::new(&serial_bytes(serial)).expect("serial"),
    };
    let extensions = nonce.then(|| {
        vec![Extension {
            extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
            critical: false,
            extn_value: OctetString::new(
                OctetString::new(vec![0x5A; 16])
                    .expect("nonce")
                    .to_der()
                    .expect("nonce"),
            )
            .expect("nonce"),
        }]
    });
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id,
                single_request_extensions: None,
            }],
            request_extensions: extensions,
        },
        optional_signature: None,
    }
    .to_der()
    .expect("request")
}

/// A cheap deterministic sequence of register indices (xorshift).
fn next_index(state: &AtomicU64, range: u32) -> u32 {
    let mut x = state.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.store(x, Ordering::Relaxed);
    u32::try_from(x % u64::from(range)).expect("index below range")
}

fn bench(c: &mut Criterion) {
    let center = center();
    let rng = SystemRandom::new();
    let cached = Responder::load(&center, PASS, NOW, &rng).expect("load responder");
    let uncached = Responder::load(&center, PASS, NOW, &rng)
        .expect("load responder")
        .with_cache_capacity(0);
    let store = center.store();

    let hot: Vec<Vec<u8>> = (0..HOT).map(|i| request(&center, i * 97, false)).collect();
    for r in &hot {
        cached.respond(store, r, NOW);
    }
    assert_eq!(
        cached.cached_answers(),
        hot.len(),
        "every hot answer cached"
    );
    // Requests for random serials, made up front so the timing holds no request building.
    let seq = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let cold: Vec<Vec<u8>> = (0..20_000)
        .map(|_| request(&center, next_index(&seq, REGISTER), false))
        .collect();
    let nonced = request(&center, 4242, true);

    let mut parts = c.benchmark_group("ocsp_parts");
    parts.throughput(Throughput::Elements(1));
    parts.bench_function("audit_head", |b| {
        b.iter(|| black_box(store.audit_head().expect("head")));
    });
    let lookups = AtomicU64::new(0x2545_F491_4F6C_DD1D);
    parts.bench_function("status_lookup", |b| {
        b.iter(|| {
            let i = next_index(&lookups, REGISTER);
            let s = Serial::from_der_content(&serial_bytes(i)).expect("serial");
            black_box(store.certificate(&s).expect("lookup"))
        });
    });
    parts.bench_function("decode_request", |b| {
        b.iter(|| black_box(OcspRequest::from_der(&hot[0]).expect("decode")));
    });
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let tbs = [0x42u8; 300];
    parts.bench_function("ring_p256_sign_300b", |b| {
        b.iter(|| black_box(key.sign(&rng, &tbs).expect("sign")));
    });
    parts.finish();

    let mut g = c.benchmark_group("ocsp");
    g.throughput(Throughput::Elements(1));
    let mut n = 0usize;
    g.bench_function("cached", |b| {
        b.iter(|| {
            n = (n + 1) % hot.len();
            black_box(cached.respond(store, &hot[n], NOW))
        });
    });
    let mut m = 0usize;
    g.bench_function("uncached", |b| {
        b.iter(|| {
            m = (m + 1) % cold.len();
            black_box(uncached.respond(store, &cold[m], NOW))
        });
    });
    g.bench_function("nonce", |b| {
        b.iter(|| black_box(cached.respond(store, &nonced, NOW)));
    });
    g.finish();

    let mut t = c.benchmark_group("ocsp_threads");
    t.throughput(Throughput::Elements(1));
    t.measurement_time(Duration::from_secs(8));
    for (name, responder, requests) in [
        ("cached_2_threads", &cached, &hot),
        ("uncached_2_threads", &uncached, &cold),
    ] {
        t.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let half = iters.div_ceil(2);
                let started = Instant::now();
                std::thread::scope(|s| {
                    for offset in [0usize, requests.len() / 2] {
                        s.spawn(move || {
                            for k in 0..half {
                                let k = usize::try_from(k).expect("k") + offset;
                                black_box(responder.respond(
                                    store,
                                    &requests[k % requests.len()],
                                    NOW,
                                ));
                            }
                        });
                    }
                });
                started.elapsed()
            });
        });
    }
    t.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
