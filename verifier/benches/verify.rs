//! Verifications per second of a 10 KiB attached document signed with ECDSA P-256 under a
//! three-level chain (root, issuing CA, signer), the issuing CA's CRL holding 100,000 entries,
//! with the same signature in the same run:
//!
//! - `ring`: ring's ECDSA P-256 verify of the signature over the signed attributes, nothing
//!   else (the floor: the one public-key operation a verification cannot avoid);
//! - `eds`: [`Verifier::verify_document`] offline with both CRLs supplied — CMS parse, ESS
//!   signing-certificate hash, message digest, signature, path to the trusted root, validity,
//!   accreditation, revocation of the signer and the issuing CA, scope, holder. After the first
//!   document the chain, the parsed CRLs and their signatures come from the verifier's caches:
//!   this is the cost of each further document of a batch;
//! - `openssl`: OpenSSL's `CMS_verify` through the `openssl` crate on the same DER, with an
//!   `X509_STORE` holding the root, both CRLs and `X509_V_FLAG_CRL_CHECK | CRL_CHECK_ALL`, at the
//!   same validation time (the store, like our verifier, is built once and reused).
//!
//! Then a batch of [`BATCH`] different documents by the same signer, on one thread and on two
//! (`std::thread::scope`, each thread half of the batch, one shared `Verifier`), and the
//! 1,000,000-entry CRL: the one-time load and index (`Crl::parse`), a status check through the
//! [`RevocationChecker`] once the CRL is loaded and its signature verified, and the bare index
//! lookup.
//!
//! After criterion's groups, [`table`] prints the rates measured interleaved (short rounds in
//! turn, median round), so load from other work on the machine slows every way alike.
//! `cargo bench -p eds-verifier --bench verify -- table` prints the table alone (and skips
//! building the big CRL).
//!
//! `-- parts` prints the time of the pieces of one cached verification measured alone (bare
//! ring, SHA-256 of the 10 KiB, `cms::parse_cached`, the whole `verify_document`).
//!
//! `cargo bench -p eds-verifier --bench verify`; the figures are in `docs/benchmarks.md`.

#![expect(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark prints its table, and one whose set-up fails should stop loudly"
)]

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::ssl::SslFiletype;
use openssl::x509::X509;
use openssl::x509::store::{X509Lookup, X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use time::Duration as TimeDuration;

use eds_fixtures::pki::{FIXED_TIME, TestPki};
use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;
use eds_verifier::cert::Cert;
use eds_verifier::cms;
use eds_verifier::crl::Crl;
use eds_verifier::engine::{Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions, RevocationStatus};
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::Indication;

/// The document: 10 KiB.
const DOC_LEN: usize = 10 * 1024;
/// Entries of the issuing CA's CRL.
const CRL_ENTRIES: u32 = 100_000;
/// Entries of the big CRL.
const BIG_CRL_ENTRIES: u32 = 1_000_000;
/// Documents in a batch.
const BATCH: usize = 256;

// What `criterion_group!`/`criterion_main!` expand to, written out: the macros make an
// undocumented public function that the workspace's `missing_docs` lint flags.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let f = Fixture::new();
    // `-- profile`: only verify the document 2,000 times (`PROFILE_N` others) (for a profiler: `valgrind
    // --tool=callgrind target/release/deps/verify-… profile`).
    if std::env::args().any(|a| a == "profile") {
        let n: usize = std::env::var("PROFILE_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(2000);
        for _ in 0..n {
            eds_verify(&f.verifier, &f.signature);
        }
        return;
    }
    if std::env::args().any(|a| a == "parts") {
        parts(&f);
        return;
    }
    if std::env::args().any(|a| a == "profile_batch") {
        for _ in 0..30 {
            eds_batch(&f, 1);
        }
        return;
    }
    // `-- table`: the table alone (no criterion benchmark is named "table"; skipping the groups
    // also skips building the 1,000,000-entry CRL).
    if !std::env::args().any(|a| a == "table") {
        verify(&mut c, &f);
        batch(&mut c, &f);
        big_crl(&mut c, &f.pki);
        c.final_summary();
    }
    table(&f);
}

/// The signer, its chain, the CRLs and the signatures every way verifies.
struct Fixture {
    pki: TestPki,
    /// The signature of the 10 KiB document, DER.
    signature: Vec<u8>,
    /// [`BATCH`] signatures of different 10 KiB documents.
    batch: Vec<Vec<u8>>,
    /// The signed attributes as signed, and the signature value (for bare ring).
    signed_attrs: Vec<u8>,
    signature_value: Vec<u8>,
    /// The signer's public key (the subjectPublicKey bits).
    public_key: Vec<u8>,
    verifier: Verifier,
    store: X509Store,
    store_no_crl: X509Store,
}

impl Fixture {
    fn new() -> Self {
        let pki = TestPki::new();
        let chain = pki.chain();
        assert_eq!(chain.intermediates.len(), 1, "a three-level chain");
        let key = load_pkcs8(chain.leaf.key_pkcs8_der(), None).expect("test key loads");
        let intermediates = chain.intermediates_der();
        let signer = Signer::new(&key, chain.leaf.der(), &intermediates).expect("signer");
        let rng = SystemRandom::new();
        let signed_at = FIXED_TIME - TimeDuration::hours(1);
        let sign_doc = |seed: usize| {
            sign::sign(
                &signer,
                SignContent::Bytes(&document(seed)),
                &SignOptions::new(signed_at),
                &rng,
            )
            .expect("signs")
        };
        let signature = sign_doc(0);
        let batch = (1..=BATCH).map(sign_doc).collect();

        let parsed = cms::parse(&signature).expect("our own signature parses");
        let signer_info = parsed.signers.first().expect("one SignerInfo");
        let signed_attrs = signer_info
            .signed_attrs_der
            .clone()
            .expect("signed attributes");
        let signature_value = signer_info.signature.clone();
        let public_key = Cert::from_der(chain.leaf.der())
            .expect("leaf")
            .public_key_bytes()
            .to_vec();

        let issuing_crl = pki
            .crl(pki.issuing())
            .filler(CRL_ENTRIES, FIXED_TIME - TimeDuration::days(30))
            .build()
            .der()
            .to_vec();
        let root_crl = pki.crl(pki.root()).build().der().to_vec();
        let verifier = verifier(&pki, &[("issuing", &issuing_crl), ("root", &root_crl)]);
        let store = openssl_store(&pki, &[&issuing_crl, &root_crl]);
        let store_no_crl = openssl_store(&pki, &[]);
        let f = Self {
            pki,
            signature,
            batch,
            signed_attrs,
            signature_value,
            public_key,
            verifier,
            store,
            store_no_crl,
        };
        f.check_every_way_passes();
        f
    }

    /// Each way must accept the signature, or the figures compare failures.
    fn check_every_way_passes(&self) {
        ring_verify(self);
        let report = self
            .verifier
            .verify_document(&self.signature, None, FIXED_TIME)
            .expect("verification runs");
        let s = report.signatures.first().expect("one signature");
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: {:#?}",
            s.reason,
            s.checks
        );
        assert_eq!(s.chain.len(), 3, "three-level chain");
        openssl_verify(self, &self.signature);
        openssl_verify_no_crl(self, &self.signature);
    }
}

/// Document number `seed`: 10 KiB of a pattern that differs per seed.
fn document(seed: usize) -> Vec<u8> {
    (0..DOC_LEN)
        .map(|i| u8::try_from((i + seed * 7) % 251).expect("byte"))
        .collect()
}

/// An offline verifier trusting the root, with `crls` supplied.
fn verifier(pki: &TestPki, crls: &[(&str, &[u8])]) -> Verifier {
    let mut revocation = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .expect("revocation checker");
    for (label, der) in crls {
        revocation.add_crl(label, der).expect("CRL");
    }
    let root = Cert::from_der(pki.root().der()).expect("root");
    Verifier::new(
        Options {
            trust: TrustList::from_certs(vec![root]).expect("trust list"),
            at: None,
            extra_certs: Vec::new(),
            expectations: Default::default(),
            max_signature_checks: eds_verifier::path::DEFAULT_MAX_SIGNATURE_CHECKS,
            required_eku: None,
            policy: Default::default(),
            cancel: Default::default(),
        },
        revocation,
    )
}

/// OpenSSL's store: the root, the CRLs (through a file: the `openssl` crate adds CRLs to a store
/// only by lookup), CRL checks on the whole chain, the validation time fixed at [`FIXED_TIME`].
fn openssl_store(pki: &TestPki, crls: &[&[u8]]) -> X509Store {
    let mut builder = X509StoreBuilder::new().expect("store");
    builder
        .add_cert(X509::from_der(pki.root().der()).expect("root"))
        .expect("add root");
    let mut param = X509VerifyParam::new().expect("param");
    param.set_time(FIXED_TIME.unix_timestamp());
    if crls.is_empty() {
        builder.set_param(&param).expect("param");
        return builder.build();
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crls.pem");
    let mut file = std::fs::File::create(&path).expect("CRL file");
    for der in crls {
        let pem = pem::encode(&pem::Pem::new("X509 CRL", der.to_vec()));
        file.write_all(pem.as_bytes()).expect("write CRL");
    }
    drop(file);
    let lookup = builder.add_lookup(X509Lookup::file()).expect("lookup");
    let loaded = lookup
        .load_crl_file(&path, SslFiletype::PEM)
        .expect("OpenSSL reads the CRLs");
    assert_eq!(loaded, 2, "both CRLs in the store");
    param
        .set_flags(X509VerifyFlags::CRL_CHECK | X509VerifyFlags::CRL_CHECK_ALL)
        .expect("flags");
    builder.set_param(&param).expect("param");
    builder.build()
}

fn ring_verify(f: &Fixture) {
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, black_box(&f.public_key))
        .verify(black_box(&f.signed_attrs), black_box(&f.signature_value))
        .expect("ring verifies");
}

fn eds_verify(verifier: &Verifier, signature: &[u8]) {
    let report = verifier
        .verify_document(black_box(signature), None, FIXED_TIME)
        .expect("verification runs");
    assert_eq!(report.indication, Indication::TotalPassed);
    black_box(report);
}

fn openssl_verify(f: &Fixture, signature: &[u8]) {
    let mut cms = CmsContentInfo::from_der(black_box(signature)).expect("OpenSSL parses");
    cms.verify(None, Some(&f.store), None, None, CMSOptions::BINARY)
        .expect("OpenSSL verifies");
}

/// OpenSSL with the chain checked but no CRL: OpenSSL verifies a CRL's signature, hashing the
/// whole list, each time a chain uses it, so with CRLs its rate is the CRL's size's.
fn openssl_verify_no_crl(f: &Fixture, signature: &[u8]) {
    let mut cms = CmsContentInfo::from_der(black_box(signature)).expect("OpenSSL parses");
    cms.verify(None, Some(&f.store_no_crl), None, None, CMSOptions::BINARY)
        .expect("OpenSSL verifies");
}

/// The batch on `threads` threads sharing one verifier: the calling thread takes the first
/// part, spawned threads the others (one thread: no spawn at all).
fn eds_batch(f: &Fixture, threads: usize) {
    let per = f.batch.len().div_ceil(threads.max(1));
    let mut parts = f.batch.chunks(per);
    let own = parts.next().unwrap_or_default();
    std::thread::scope(|s| {
        for part in parts {
            s.spawn(move || {
                for signature in part {
                    eds_verify(&f.verifier, signature);
                }
            });
        }
        for signature in own {
            eds_verify(&f.verifier, signature);
        }
    });
}

/// The bare ring verification `BATCH` times on `threads` threads, split as [`eds_batch`]
/// splits its documents: the floor of the two-thread batch on this machine (two threads need not
/// run twice as fast as one, whatever they do).
fn ring_batch(f: &Fixture, threads: usize) {
    let per = BATCH.div_ceil(threads.max(1));
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(move || {
                for _ in 0..per {
                    ring_verify(f);
                }
            });
        }
        for _ in 0..per {
            ring_verify(f);
        }
    });
}

/// `-- parts`: the native time of the pieces of one cached verification, each alone (median of
/// 21 rounds): the bare ECDSA verify, SHA-256 of the content, the CMS parse, the whole.
fn parts(f: &Fixture) {
    let cache = cms::ParseCache::default();
    let content = document(0);
    let ways: [(&str, &dyn Fn()); 4] = [
        ("ring", &|| ring_verify(f)),
        ("sha256_10KiB", &|| {
            black_box(ring::digest::digest(
                &ring::digest::SHA256,
                black_box(&content),
            ));
        }),
        ("parse_cached", &|| {
            black_box(cms::parse_cached(black_box(&f.signature), Some(&cache)).expect("parses"));
        }),
        ("eds", &|| eds_verify(&f.verifier, &f.signature)),
    ];
    for (name, way) in ways {
        let mut rounds: Vec<f64> = (0..21)
            .map(|_| {
                let started = Instant::now();
                let mut n = 0u32;
                while started.elapsed() < Duration::from_millis(40) {
                    way();
                    n += 1;
                }
                started.elapsed().as_secs_f64() * 1e6 / f64::from(n)
            })
            .collect();
        rounds.sort_by(f64::total_cmp);
        println!(
            "{name:14} {:8.2} µs",
            rounds.get(10).copied().unwrap_or_default()
        );
    }
}

/// criterion: `verify_10KiB/<way>`.
fn verify(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("verify_10KiB_p256_crl100k");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ring", |b| b.iter(|| ring_verify(f)));
    g.bench_function("eds", |b| b.iter(|| eds_verify(&f.verifier, &f.signature)));
    g.bench_function("openssl", |b| b.iter(|| openssl_verify(f, &f.signature)));
    g.bench_function("openssl_no_crl", |b| {
        b.iter(|| openssl_verify_no_crl(f, &f.signature));
    });
    g.finish();
}

/// criterion: `batch/<threads>`, [`BATCH`] documents per iteration.
fn batch(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("verify_batch");
    g.throughput(Throughput::Elements(u64::try_from(BATCH).expect("count")));
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new("eds_threads", threads), |b| {
            b.iter(|| eds_batch(f, threads));
        });
    }
    g.finish();
}

/// The 1,000,000-entry CRL of the issuing CA.
struct BigCrl {
    der: Vec<u8>,
    leaf: Cert,
    issuing: Cert,
    checker: RevocationChecker,
}

impl BigCrl {
    fn new(pki: &TestPki) -> Self {
        let started = Instant::now();
        let der = pki
            .crl(pki.issuing())
            .filler(BIG_CRL_ENTRIES, FIXED_TIME - TimeDuration::days(30))
            .build()
            .der()
            .to_vec();
        println!(
            "built the {BIG_CRL_ENTRIES}-entry CRL ({} bytes) in {:.1} s",
            der.len(),
            started.elapsed().as_secs_f64()
        );
        let mut checker = RevocationChecker::new(RevocationOptions {
            offline: true,
            ..RevocationOptions::default()
        })
        .expect("checker");
        checker.add_crl("big", &der).expect("CRL");
        let big = Self {
            der,
            leaf: Cert::from_der(pki.individual().der()).expect("leaf"),
            issuing: Cert::from_der(pki.issuing().der()).expect("issuing CA"),
            checker,
        };
        // The first check verifies the CRL's signature (once per CRL and issuer).
        let started = Instant::now();
        assert_eq!(big.check(), RevocationStatus::Good);
        println!(
            "first status check (signature of the CRL verified): {:.1} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
        big
    }

    fn check(&self) -> RevocationStatus {
        let rng = SystemRandom::new();
        self.checker
            .check(
                black_box(&self.leaf),
                &self.issuing,
                FIXED_TIME,
                FIXED_TIME,
                &[],
                &rng,
            )
            .status
    }
}

/// criterion: `crl_1M/<step>`.
fn big_crl(c: &mut Criterion, pki: &TestPki) {
    let big = BigCrl::new(pki);
    let crl = Crl::parse(&big.der).expect("CRL");
    assert_eq!(crl.len(), 1_000_000);
    let mut g = c.benchmark_group("crl_1M");
    g.bench_function("check_loaded", |b| {
        b.iter(|| assert_eq!(big.check(), RevocationStatus::Good));
    });
    g.bench_function("lookup", |b| {
        b.iter(|| black_box(crl.lookup(black_box(big.leaf.serial()))));
    });
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("load_and_index", |b| {
        b.iter(|| black_box(Crl::parse(black_box(&big.der)).expect("CRL")));
    });
    g.bench_function("load_index_verify_signature", |b| {
        b.iter(|| {
            let crl = Crl::parse(black_box(&big.der)).expect("CRL");
            crl.verify(&big.issuing).expect("signature");
            black_box(crl)
        });
    });
    g.finish();
}

/// Rounds of the interleaved table, and how long each way runs per round.
const ROUNDS: usize = 21;
const ROUND: Duration = Duration::from_millis(60);

/// One way of verifying, and how many documents one call verifies.
type Way<'a> = (&'static str, usize, Box<dyn Fn() + 'a>);

/// Verifications per second of each way, interleaved (see the module documentation).
fn table(f: &Fixture) {
    let ways: Vec<Way<'_>> = vec![
        ("ring", 1, Box::new(|| ring_verify(f))),
        ("eds", 1, Box::new(|| eds_verify(&f.verifier, &f.signature))),
        ("openssl", 1, Box::new(|| openssl_verify(f, &f.signature))),
        (
            "openssl_no_crl",
            1,
            Box::new(|| openssl_verify_no_crl(f, &f.signature)),
        ),
        ("eds_batch_1", BATCH, Box::new(|| eds_batch(f, 1))),
        ("eds_batch_2", BATCH, Box::new(|| eds_batch(f, 2))),
        ("ring_2", BATCH, Box::new(|| ring_batch(f, 2))),
    ];
    let rates = interleave(&ways);
    let rate = |name: &str| {
        ways.iter()
            .zip(&rates)
            .find(|((n, _, _), _)| *n == name)
            .map_or(0.0, |(_, r)| *r)
    };
    let ring = rate("ring");
    println!();
    println!(
        "verifications per second, 10 KiB P-256 attached, 3-level chain, CRL of {CRL_ENTRIES} \
         entries; median of {ROUNDS} interleaved rounds of {} ms",
        ROUND.as_millis()
    );
    println!(
        "{:<14} {:>10} {:>10} {:>9}",
        "way", "per s", "per core", "/ ring"
    );
    for (name, _, _) in &ways {
        let r = rate(name);
        let per_core = if name.ends_with("_2") { r / 2.0 } else { r };
        println!(
            "{name:<14} {r:>10.0} {per_core:>10.0} {:>9.2}",
            per_core / ring
        );
    }
    println!(
        "eds / openssl: {:.2}; batch scaling 2 threads / 1 thread: {:.2}; on 2 threads, eds / \
         ring (each per core): {:.2}",
        rate("eds") / rate("openssl"),
        rate("eds_batch_2") / rate("eds_batch_1"),
        rate("eds_batch_2") / rate("ring_2")
    );
}

/// Runs each way for [`ROUND`] in turn, [`ROUNDS`] times; returns each way's median rate
/// (documents per second), in the order of `ways`.
fn interleave(ways: &[Way<'_>]) -> Vec<f64> {
    for (_, _, f) in ways {
        f(); // warm-up: caches, first-use allocations
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); ways.len()];
    for _ in 0..ROUNDS {
        for ((_, docs, f), samples) in ways.iter().zip(rates.iter_mut()) {
            let start = Instant::now();
            let mut n = 0u32;
            while start.elapsed() < ROUND {
                f();
                n += 1;
            }
            let docs = f64::from(n) * f64::from(u32::try_from(*docs).expect("count"));
            samples.push(docs / start.elapsed().as_secs_f64());
        }
    }
    rates
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            samples.get(ROUNDS / 2).copied().unwrap_or(0.0)
        })
        .collect()
}
