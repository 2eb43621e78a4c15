//! Peak memory of a detached signature over a large file (`docs/benchmarks.md`): creates a
//! sparse file of the given size (default 2 GiB) in a temporary folder, signs it detached with
//! an ECDSA P-256 owner, and prints the time taken and the process's peak resident memory
//! (VmHWM) before and after.
//!
//! `cargo run --release -p eds-signer --example big_detached [-- <GiB>]`

#![expect(
    clippy::expect_used,
    reason = "a measurement whose set-up fails should stop loudly"
)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

use ring::rand::SystemRandom;
use time::macros::datetime;

use eds_signer::cms;
use eds_signer::keys::RingSigningKey;
use eds_signer::{Content, SignOptions, SignatureAlgorithm, SignedMessage, Signer};

fn main() {
    let gib: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("size in GiB: a number"))
        .unwrap_or(2);
    let size = gib * 1024 * 1024 * 1024;

    let owner = common::owner(SignatureAlgorithm::EcdsaP256Sha256, "ecdsa-p256");
    let key = RingSigningKey::from_pkcs8_der(&owner.pkcs8).expect("key");
    let leaf = owner.leaf.to_der().expect("DER");
    let chain = vec![owner.intermediate.to_der().expect("DER")];
    let signer = Signer::new(&key, &leaf, &chain).expect("signer");

    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("big.bin");
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(size))
        .expect("sparse file");
    let before = common::peak_rss_kib().expect("VmHWM");

    let options = SignOptions::new(datetime!(2026-03-02 10:00:00 UTC)).detached(true);
    let start = Instant::now();
    let der = cms::sign(
        &signer,
        Content::File(&path),
        &options,
        &SystemRandom::new(),
    )
    .expect("sign");
    let elapsed = start.elapsed();
    let after = common::peak_rss_kib().expect("VmHWM");

    assert!(
        SignedMessage::from_der(&der)
            .expect("read back")
            .is_detached()
    );
    // Integer arithmetic for the figures: one decimal is all they need.
    let mib = |kib: u64| format!("{}.{}", kib / 1024, kib % 1024 * 10 / 1024);
    let millis = u64::try_from(elapsed.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    println!("file: {gib} GiB (sparse), signature: {} bytes", der.len());
    println!(
        "time: {}.{:03} s ({} MiB/s)",
        millis / 1000,
        millis % 1000,
        size / (1024 * 1024) * 1000 / millis
    );
    println!(
        "peak resident memory (VmHWM): {} MiB before signing, {} MiB after",
        mib(before),
        mib(after)
    );
}
