//! Batched issuance against bare ring signing, interleaved round by round, for the issuance goal
//! of `docs/benchmarks.md` ("issuance within 2x of the bare signing rate when batched").
//!
//! `cargo run --release -p eds-ca --example issue_ratio [-- <rounds> [<register fill>]]`
//! (default 42 rounds over a register of 100,000 certificates)
//!
//! Criterion times ring and the batches one after the other, several seconds each, so a slow
//! minute of the machine lands on one side of the ratio. Here every round times, in turn, ring
//! ECDSA P-256 signing 600 bytes 1,000 times, a batch of 1,000 on one thread and a batch of 1,000
//! on every core (`Center::issue_batch_on`, premade keys, into the same SQLite file register of
//! 100,000 certificates as the criterion bench), with the order rotated each round; each round
//! gives its own ratios, whose median and spread are printed beside the ratio of the total times.
//! The total is the figure to quote: a batch that crosses SQLite's WAL checkpoint threshold
//! (1,000 pages, about every 14 batches here) also copies the log into the database, and only the
//! total spreads that cost over the batches as a center in service pays it.

#![expect(
    clippy::expect_used,
    reason = "a measurement whose set-up fails should stop loudly"
)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use rcgen::KeyPair;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use time::Duration as TimeDuration;

use eds_ca::issue::KeySource;
use eds_profile::request::RegistrationRequest;

use common::NOW;

/// Certificates (and ring signatures) per timed run.
const BATCH: usize = 1_000;

/// Certificates in the register before the first round by default, as in the criterion bench.
const REGISTER_FILL: u64 = 100_000;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("rounds: a number"))
        .unwrap_or(42);
    let fill: u64 = std::env::args()
        .nth(2)
        .map(|a| a.parse().expect("register fill: a number"))
        .unwrap_or(REGISTER_FILL);
    let common::IssuingCenter {
        dir,
        center,
        key,
        req,
    } = common::issuing_center("issue-ratio-", fill);
    let owner = KeyPair::generate().expect("owner key");
    let spki_der = rcgen::PublicKeyData::subject_public_key_info(&owner);
    let spki = rcgen::SubjectPublicKeyInfo::from_der(&spki_der).expect("owner SPKI");
    let batch: Vec<(RegistrationRequest, KeySource<'_>)> = (0..BATCH)
        .map(|_| (req.clone(), KeySource::PublicKey(&spki)))
        .collect();
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
    let ring_key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let tbs = vec![0x5Au8; 600];
    let cores = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    // The center's clock runs from NOW at the machine's pace, as in the criterion bench.
    let started = Instant::now();
    let now = || NOW + TimeDuration::try_from(started.elapsed()).unwrap_or(TimeDuration::ZERO);

    let ring_run = || {
        let t = Instant::now();
        for _ in 0..BATCH {
            black_box(ring_key.sign(&rng, black_box(&tbs)).expect("sign"));
        }
        t.elapsed()
    };
    let batch_run = |threads: NonZeroUsize| {
        let t = Instant::now();
        let out = center
            .issue_batch_on(&key, &batch, "bench", now(), &rng, threads)
            .expect("batch");
        let elapsed = t.elapsed();
        assert!(out.iter().all(Result::is_ok));
        elapsed
    };
    // Warm-up: one of each.
    ring_run();
    batch_run(NonZeroUsize::MIN);
    batch_run(cores);

    let mut ring = Vec::with_capacity(rounds);
    let mut one = Vec::with_capacity(rounds);
    let mut all = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut times = [Duration::ZERO; 3];
        for step in 0..3 {
            let which = (round + step) % 3;
            times[which] = match which {
                0 => ring_run(),
                1 => batch_run(NonZeroUsize::MIN),
                _ => batch_run(cores),
            };
        }
        ring.push(times[0]);
        one.push(times[1]);
        all.push(times[2]);
    }
    let rate = |d: Duration| f64::from(u32::try_from(BATCH).unwrap_or(u32::MAX)) / d.as_secs_f64();
    let ratios = |runs: &[Duration]| -> Vec<f64> {
        let mut r: Vec<f64> = ring
            .iter()
            .zip(runs)
            .map(|(ring, batch)| ring.as_secs_f64() / batch.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        r
    };
    let median_rate = |runs: &[Duration]| {
        let mut r: Vec<f64> = runs.iter().map(|d| rate(*d)).collect();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    };
    println!("{rounds} rounds of {BATCH}; {cores} threads for the all-core batch");
    println!(
        "ring P-256 sign, 600 B:   median {:>9.0}/s",
        median_rate(&ring)
    );
    let total = |runs: &[Duration]| runs.iter().map(Duration::as_secs_f64).sum::<f64>();
    for (name, runs) in [("batch, one thread", &one), ("batch, all cores", &all)] {
        let r = ratios(runs);
        println!(
            "{name:<18}: median {:>9.0}/s; ratio to ring over all rounds {:.3}; \
             per round: median {:.3}, lowest {:.3}, highest {:.3}",
            median_rate(runs),
            total(&ring) / total(runs),
            r[r.len() / 2],
            r[0],
            r[r.len() - 1]
        );
    }
    println!(
        "register: {} certificates",
        common::count_certificates(dir.path())
    );
}
