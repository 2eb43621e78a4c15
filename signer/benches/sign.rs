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
use openssl::x509::X509;
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

/// What each algorithm's ways of signing share: the owner, its key three times (ring's own
/// pair, the crate's key, OpenSSL's), its certificates.
struct Fixture {
    owner: Owner,
    bare: Bare,
    key: RingSigningKey,
    leaf: Vec<u8>,
    chain: Vec<Vec<u8>>,
    certs: Stack<X509>,
}

impl Fixture {
    fn new(algorithm: SignatureAlgorithm, name: &'static str, rng: &SystemRandom) -> Self {
        let owner = common::owner(algorithm, name);
        let bare = bare(&owner, rng);
        let key = RingSigningKey::from_pkcs8_der(&owner.pkcs8)
            .and_then(|k| k.with_algorithm(algorithm))
            .expect("key");
        let leaf = owner.leaf.to_der().expect("DER");
        let chain = vec![owner.intermediate.to_der().expect("DER")];
        let mut certs = Stack::new().expect("stack");
        certs.push(owner.intermediate.clone()).expect("push");
        Self {
            owner,
            bare,
            key,
            leaf,
            chain,
            certs,
        }
    }
}

/// One way of signing the document.
type Way<'a> = Box<dyn Fn() + 'a>;

/// The ways of signing, named as the figures are: ring, eds attached, eds detached and, when
/// OpenSSL can make the signature, OpenSSL attached.
fn ways<'a>(
    f: &'a Fixture,
    signer: &'a Signer<'a>,
    doc: &'a [u8],
    rng: &'a SystemRandom,
) -> Vec<(&'static str, Way<'a>)> {
    let at = datetime!(2026-03-02 10:00:00 UTC);
    let mut ways: Vec<(&'static str, Way<'a>)> = vec![
        (
            "ring",
            Box::new(move || {
                black_box(bare_sign(&f.bare, black_box(doc), rng));
            }),
        ),
        (
            "eds_attached",
            Box::new(move || {
                let options = SignOptions::new(at);
                black_box(
                    cms::sign(signer, Content::Bytes(black_box(doc)), &options, rng).expect("sign"),
                );
            }),
        ),
        (
            "eds_detached",
            Box::new(move || {
                let options = SignOptions::new(at).detached(true);
                black_box(
                    cms::sign(signer, Content::Bytes(black_box(doc)), &options, rng).expect("sign"),
                );
            }),
        ),
    ];
    if !matches!(
        f.owner.algorithm,
        SignatureAlgorithm::Ed25519 | SignatureAlgorithm::RsaPssSha256
    ) {
        let flags =
            CMSOptions::BINARY | CMSOptions::NOSMIMECAP | CMSOptions::from_bits_retain(CMS_CADES);
        ways.push((
            "openssl_attached",
            Box::new(move || {
                black_box(
                    CmsContentInfo::sign(
                        Some(&f.owner.leaf),
                        Some(&f.owner.pkey),
                        Some(&f.certs),
                        Some(black_box(doc)),
                        flags,
                    )
                    .and_then(|cms| cms.to_der())
                    .expect("OpenSSL CMS"),
                );
            }),
        ));
    }
    ways
}

fn document() -> Vec<u8> {
    (0..DOC_LEN)
        .map(|i| u8::try_from(i % 251).expect("byte"))
        .collect()
}

/// criterion's groups: `sign_10KiB/<way>/<algorithm>`.
fn sign(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let doc = document();
    let mut group = c.benchmark_group("sign_10KiB");
    group.throughput(Throughput::Elements(1));
    for (algorithm, name) in ALGORITHMS {
        let f = Fixture::new(algorithm, name, &rng);
        let signer = Signer::new(&f.key, &f.leaf, &f.chain).expect("signer");
        for (label, way) in ways(&f, &signer, &doc, &rng) {
            group.bench_function(BenchmarkId::new(label, name), |b| b.iter(&way));
        }
    }
    group.finish();
}

/// Rounds of the interleaved table, and how long each way signs per round.
const ROUNDS: usize = 21;
const ROUND: Duration = Duration::from_millis(40);

/// Signatures per second of each way, interleaved (see the module documentation).
fn table() {
    let rng = SystemRandom::new();
    let doc = document();
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
        let f = Fixture::new(algorithm, name, &rng);
        let signer = Signer::new(&f.key, &f.leaf, &f.chain).expect("signer");
        let rates = interleave(&ways(&f, &signer, &doc, &rng));
        let rate = |i: usize| rates.get(i).copied();
        let shown = |r: Option<f64>| r.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.0}"));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.2}", a / b),
            _ => "n/a".to_owned(),
        };
        println!(
            "{:<14} {:>9} {:>13} {:>13} {:>16} {:>11} {:>11}",
            name,
            shown(rate(0)),
            shown(rate(1)),
            shown(rate(2)),
            shown(rate(3)),
            ratio(rate(1), rate(0)),
            ratio(rate(1), rate(3)),
        );
    }
}

/// Runs each way for [`ROUND`] in turn, [`ROUNDS`] times; returns each way's median rate
/// (operations per second), in the order of `ways`.
fn interleave(ways: &[(&'static str, Way<'_>)]) -> Vec<f64> {
    for (_, f) in ways {
        f(); // warm-up: first-use allocations, lazy tables
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); ways.len()];
    for _ in 0..ROUNDS {
        for ((_, f), samples) in ways.iter().zip(rates.iter_mut()) {
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
