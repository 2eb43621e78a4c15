//! Signatures per second over a 10 KiB document, per algorithm, with the same key and input in
//! the same run:
//!
//! - `ring`: ring signing the document itself, nothing else (the ceiling);
//! - `eds_attached` / `eds_detached`: [`cms::sign`] — digest, the four CAdES signed attributes,
//!   the signature through [`SigningKey`], the SignedData with the owner's and the issuing CA's
//!   certificates, DER out;
//! - `openssl_attached`: OpenSSL's `CMS_sign` with the same certificates and the same four
//!   attributes (`CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES`), DER out. OpenSSL 3.0 signs no
//!   CMS with Ed25519 ("no default digest") and the `openssl` crate cannot ask `CMS_sign` for
//!   PSS padding, so those two have no OpenSSL figure.
//!
//! After criterion's groups, [`table`] prints signatures per second measured interleaved: the
//! four ways take turns in short rounds and each one's median round counts, so a machine whose
//! load changes during the run (other builds on the same cores) slows all four alike and the
//! ratios hold. `cargo bench -p eds-signer --bench sign -- table` prints the table alone (no
//! criterion benchmark is named "table").
//!
//! `cargo bench -p eds-signer --bench sign`; the figures are in `docs/benchmarks.md`.

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails should stop loudly"
)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::stack::Stack;
use ring::rand::SystemRandom;
use ring::signature as rs;
use time::macros::datetime;

use eds_signer::cms;
use eds_signer::keys::RingSigningKey;
use eds_signer::{Content, SignOptions, SignatureAlgorithm, Signer};

use common::{ALGORITHMS, Owner};

/// The document: 10 KiB.
const DOC_LEN: usize = 10 * 1024;

/// `CMS_CADES` (openssl/cms.h): add signingCertificateV2, as this crate does. The `openssl`
/// crate has no constant for it.
const CMS_CADES: u32 = 0x10_0000;

// What `criterion_group!`/`criterion_main!` expand to, written out: the macros make an
// undocumented public function that the workspace's `missing_docs` lint flags.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    sign(&mut c);
    c.final_summary();
    table();
}

/// ring's own key pair for the bare rate.
enum Bare {
    Ecdsa(rs::EcdsaKeyPair),
    Ed25519(rs::Ed25519KeyPair),
    Rsa(rs::RsaKeyPair, &'static dyn rs::RsaEncoding),
}

fn bare(owner: &Owner, rng: &SystemRandom) -> Bare {
    let ecdsa =
        |alg| Bare::Ecdsa(rs::EcdsaKeyPair::from_pkcs8(alg, &owner.pkcs8, rng).expect("EC"));
    let rsa = || rs::RsaKeyPair::from_pkcs8(&owner.pkcs8).expect("RSA");
    match owner.algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => ecdsa(&rs::ECDSA_P256_SHA256_ASN1_SIGNING),
        SignatureAlgorithm::EcdsaP384Sha384 => ecdsa(&rs::ECDSA_P384_SHA384_ASN1_SIGNING),
        SignatureAlgorithm::Ed25519 => Bare::Ed25519(
            rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&owner.pkcs8).expect("Ed25519"),
        ),
        SignatureAlgorithm::RsaPssSha256 => Bare::Rsa(rsa(), &rs::RSA_PSS_SHA256),
        _ => Bare::Rsa(rsa(), &rs::RSA_PKCS1_SHA256),
    }
}

fn bare_sign(key: &Bare, doc: &[u8], rng: &SystemRandom) -> Vec<u8> {
    match key {
        Bare::Ecdsa(k) => k.sign(rng, doc).expect("sign").as_ref().to_vec(),
        Bare::Ed25519(k) => k.sign(doc).as_ref().to_vec(),
        Bare::Rsa(k, encoding) => {
            let mut out = vec![0; k.public().modulus_len()];
            k.sign(*encoding, rng, doc, &mut out).expect("sign");
            out
        }
    }
}

fn sign(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let doc: Vec<u8> = (0..DOC_LEN)
        .map(|i| u8::try_from(i % 251).expect("byte"))
        .collect();
    let mut group = c.benchmark_group("sign_10KiB");
    group.throughput(Throughput::Elements(1));
    for (algorithm, name) in ALGORITHMS {
        let owner = common::owner(algorithm, name);
        let bare_key = bare(&owner, &rng);
        group.bench_function(BenchmarkId::new("ring", name), |b| {
            b.iter(|| bare_sign(&bare_key, black_box(&doc), &rng));
        });

        let key = RingSigningKey::from_pkcs8_der(&owner.pkcs8)
            .and_then(|k| k.with_algorithm(algorithm))
            .expect("key");
        let leaf = owner.leaf.to_der().expect("DER");
        let chain = vec![owner.intermediate.to_der().expect("DER")];
        let signer = Signer::new(&key, &leaf, &chain).expect("signer");
        let at = datetime!(2026-03-02 10:00:00 UTC);
        for (label, options) in [
            ("eds_attached", SignOptions::new(at)),
            ("eds_detached", SignOptions::new(at).detached(true)),
        ] {
            group.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| {
                    cms::sign(&signer, Content::Bytes(black_box(&doc)), &options, &rng)
                        .expect("sign")
                });
            });
        }

        if matches!(
            algorithm,
            SignatureAlgorithm::Ed25519 | SignatureAlgorithm::RsaPssSha256
        ) {
            continue;
        }
        let mut certs = Stack::new().expect("stack");
        certs.push(owner.intermediate.clone()).expect("push");
        let flags =
            CMSOptions::BINARY | CMSOptions::NOSMIMECAP | CMSOptions::from_bits_retain(CMS_CADES);
        group.bench_function(BenchmarkId::new("openssl_attached", name), |b| {
            b.iter(|| {
                CmsContentInfo::sign(
                    Some(&owner.leaf),
                    Some(&owner.pkey),
                    Some(&certs),
                    Some(black_box(&doc)),
                    flags,
                )
                .and_then(|cms| cms.to_der())
                .expect("OpenSSL CMS")
            });
        });
    }
    group.finish();
}

/// One way of signing the document, run by [`interleave`].
type Way<'a> = Box<dyn Fn() + 'a>;

/// Rounds of the interleaved table, and how long each way signs per round.
const ROUNDS: usize = 21;
const ROUND: Duration = Duration::from_millis(40);

/// Signatures per second of each way, interleaved (see the module documentation).
fn table() {
    let rng = SystemRandom::new();
    let doc: Vec<u8> = (0..DOC_LEN)
        .map(|i| u8::try_from(i % 251).expect("byte"))
        .collect();
    println!();
    println!("signatures per second, 10 KiB document, median of {ROUNDS} interleaved rounds");
    println!(
        "{:<14} {:>9} {:>13} {:>13} {:>16} {:>11} {:>11}",
        "algorithm",
        "ring",
        "eds_attached",
        "eds_detached",
        "openssl_attached",
        "att/ring",
        "att/openssl"
    );
    for (algorithm, name) in ALGORITHMS {
        let owner = common::owner(algorithm, name);
        let bare_key = bare(&owner, &rng);
        let key = RingSigningKey::from_pkcs8_der(&owner.pkcs8)
            .and_then(|k| k.with_algorithm(algorithm))
            .expect("key");
        let leaf = owner.leaf.to_der().expect("DER");
        let chain = vec![owner.intermediate.to_der().expect("DER")];
        let signer = Signer::new(&key, &leaf, &chain).expect("signer");
        let at = datetime!(2026-03-02 10:00:00 UTC);
        let attached = SignOptions::new(at);
        let detached = SignOptions::new(at).detached(true);
        let mut certs = Stack::new().expect("stack");
        certs.push(owner.intermediate.clone()).expect("push");
        let flags =
            CMSOptions::BINARY | CMSOptions::NOSMIMECAP | CMSOptions::from_bits_retain(CMS_CADES);
        let with_openssl = !matches!(
            algorithm,
            SignatureAlgorithm::Ed25519 | SignatureAlgorithm::RsaPssSha256
        );

        // In this order: ring, eds attached, eds detached, OpenSSL.
        let mut ways: Vec<Way<'_>> = vec![
            Box::new(|| {
                black_box(bare_sign(&bare_key, black_box(&doc), &rng));
            }),
            Box::new(|| {
                black_box(
                    cms::sign(&signer, Content::Bytes(black_box(&doc)), &attached, &rng)
                        .expect("sign"),
                );
            }),
            Box::new(|| {
                black_box(
                    cms::sign(&signer, Content::Bytes(black_box(&doc)), &detached, &rng)
                        .expect("sign"),
                );
            }),
        ];
        if with_openssl {
            ways.push(Box::new(|| {
                black_box(
                    CmsContentInfo::sign(
                        Some(&owner.leaf),
                        Some(&owner.pkey),
                        Some(&certs),
                        Some(black_box(&doc)),
                        flags,
                    )
                    .and_then(|cms| cms.to_der())
                    .expect("OpenSSL CMS"),
                );
            }));
        }
        let rates = interleave(&ways);
        let rate = |i: usize| rates.get(i).copied().unwrap_or(0.0);
        let openssl = if with_openssl {
            format!("{:.0}", rate(3))
        } else {
            "n/a".to_owned()
        };
        let versus_openssl = if with_openssl {
            format!("{:.2}", rate(1) / rate(3))
        } else {
            "n/a".to_owned()
        };
        println!(
            "{:<14} {:>9.0} {:>13.0} {:>13.0} {:>16} {:>11.2} {:>11}",
            name,
            rate(0),
            rate(1),
            rate(2),
            openssl,
            rate(1) / rate(0),
            versus_openssl
        );
    }
}

/// Runs each way for [`ROUND`] in turn, [`ROUNDS`] times; returns each way's median rate
/// (operations per second).
fn interleave(ways: &[Way<'_>]) -> Vec<f64> {
    for f in ways {
        f(); // warm-up: first-use allocations, lazy tables
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); ways.len()];
    for _ in 0..ROUNDS {
        for (f, samples) in ways.iter().zip(rates.iter_mut()) {
            let start = std::time::Instant::now();
            let mut n = 0u32;
            while start.elapsed() < ROUND {
                f();
                n += 1;
            }
            samples.push(f64::from(n) / start.elapsed().as_secs_f64());
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
