//! Verifying a long-term licence offline against a B-level one (issue 13: "verifying an LTA
//! licence offline costs no more than 3 times a B-level one").
//!
//! A test center (eds_ca) at 2026-06-01, the officer signing at T0 = 2026-06-02 10:00:
//!
//! * **B**: the signature alone, verified at T0 + 1 day with the center's CRLs supplied (as
//!   `--crl`), the way a B signature must be checked while its certificate is valid;
//! * **LTA**: the same document with a signature timestamp, the chain, the CRLs and an archive
//!   timestamp inside, verified two years later, offline, with nothing supplied: past signature
//!   validation of two tokens (each with its TSA's chain and revocation), the archive timestamp's
//!   hash index over every element, then the officer's chain at the proven time.
//!
//! Each is verified by one `Verifier` reused across iterations (a batch's caches, warm), and by
//! a fresh `Verifier` each time (a single `eds verify` run, cold).
//!
//!     cargo bench -p eds-verifier --bench ltv            # criterion, then the table
//!     cargo bench -p eds-verifier --bench ltv -- table   # the table alone
//!     cargo bench -p eds-verifier --bench ltv -- profile-lta   # 200 warm LTA runs, to profile
//!     cargo bench -p eds-verifier --bench ltv -- profile-b     # the same for B
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark stops loudly on a broken setup"
)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ring::rand::SystemRandom;
use time::OffsetDateTime;
use time::macros::datetime;

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::store::{EntityRecord, PersonRecord};
use eds_ca::tsa::{TimestampAuthority, TsaOptions};
use eds_profile::request::RegistrationRequest;
use eds_signer::cms::archive;
use eds_signer::cms::lt::{self, ValidationData};
use eds_signer::cms::timestamp::{self, TimestampRequest};
use eds_signer::keys::load_pkcs8;
use eds_signer::{Content, SignOptions, Signer};
use eds_verifier::cancel::Cancel;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{Options, Verifier};
use eds_verifier::path::PolicyOptions;
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::Indication;

const PASS: &[u8] = b"bench passphrase";
const T_INIT: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);
const T0: OffsetDateTime = datetime!(2026-06-02 10:00 UTC);

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap()
}

struct Case {
    signature: Vec<u8>,
    crls: Vec<Vec<u8>>,
    at: OffsetDateTime,
}

/// The B and the LTA signature of one licence, and the root.
fn setup(dir: &Path) -> (Case, Case, Cert) {
    let rng = SystemRandom::new();
    let config = CenterConfig {
        algorithm: KeyAlgorithm::P256,
        base_url: "http://127.0.0.1:9".into(),
        ..CenterConfig::default()
    };
    let center = Center::init(dir, config, PASS, T_INIT, &rng).unwrap();
    let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
    for p in &registry.persons {
        center.record_person(p, "bench", T_INIT).unwrap();
    }
    for e in &registry.entities {
        center.record_entity(e, "bench", T_INIT).unwrap();
    }
    let key = center.unlock(PASS).unwrap();
    let req: RegistrationRequest =
        serde_json::from_str(&fixture("requests/individual-signing.json")).unwrap();
    let issued = center
        .issue(
            &key,
            &req,
            KeySource::Generate(KeyAlgorithm::P256),
            "bench",
            T_INIT,
            &rng,
            &mut |_| {},
        )
        .unwrap();
    let tsa = TimestampAuthority::load(&center, PASS, T_INIT, &rng, TsaOptions::default()).unwrap();
    let token = |data: &[u8], at: OffsetDateTime| {
        let request = TimestampRequest::new(data, &rng).unwrap();
        request
            .token(&tsa.answer(center.store(), request.der(), at).der)
            .unwrap()
    };
    let crls = |at: OffsetDateTime| {
        let issuing = center.crl(&key, "bench", at).unwrap().der;
        let (root, _) = center
            .issue_and_publish_root_crl(PASS, "bench", at)
            .unwrap();
        vec![issuing, root.der]
    };
    let leaf_key = load_pkcs8(&issued.key.unwrap().pkcs8, None).unwrap();
    let signer = Signer::new(
        &leaf_key,
        &issued.record.der,
        &[center.issuing_der().to_vec()],
    )
    .unwrap();
    let doc = fixture("documents/licence.json");
    let b = eds_signer::cms::sign(
        &signer,
        Content::Bytes(doc.as_bytes()),
        &SignOptions::new(T0),
        &rng,
    )
    .unwrap();
    let value = timestamp::signature_values(&b).unwrap().remove(0);
    let t = timestamp::add_signature_timestamp(&b, &token(&value, T0)).unwrap();
    let (lt, _) = lt::add_validation_data(
        &t,
        &ValidationData {
            certificates: vec![center.root_der().to_vec()],
            crls: crls(T0 + time::Duration::hours(1)),
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    let input = archive::archive_input(&lt, &value, None).unwrap();
    let lta = archive::add_archive_timestamp(
        &lt,
        &value,
        &token(&input.data, T0 + time::Duration::hours(2)),
        &input.hash_index,
    )
    .unwrap();
    let root = Cert::from_der(center.root_der()).unwrap();
    (
        Case {
            signature: b,
            crls: crls(T0 + time::Duration::hours(3)),
            at: T0 + time::Duration::days(1),
        },
        Case {
            signature: lta,
            crls: Vec::new(),
            at: T0 + time::Duration::days(730),
        },
        root,
    )
}

fn verifier(case: &Case, root: &Cert) -> Verifier {
    let mut checker = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .unwrap();
    for (i, crl) in case.crls.iter().enumerate() {
        checker.add_crl(&format!("supplied-{i}"), crl).unwrap();
    }
    Verifier::new(
        Options {
            trust: TrustList::from_certs(vec![root.clone()]).unwrap(),
            at: Some(case.at),
            extra_certs: Vec::new(),
            expectations: Expectations::default(),
            max_signature_checks: 100,
            required_eku: None,
            policy: PolicyOptions::default(),
            cancel: Cancel::default(),
        },
        checker,
    )
}

fn verify(v: &Verifier, case: &Case) {
    let report = v.verify_document(&case.signature, None, case.at).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    black_box(report);
}

/// Verifications per second: the median of 21 rounds of 100 ms each.
fn rate(mut one: impl FnMut()) -> f64 {
    let mut rates = Vec::new();
    for _ in 0..21 {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < Duration::from_millis(100) {
            one();
            n += 1;
        }
        rates.push(f64::from(n) / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates[10]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (b, lta, root) = setup(dir.path());
    let table_only = std::env::args().any(|a| a == "table");
    // `-- profile-lta` / `-- profile-b`: 200 warm verifications and nothing else, for
    // callgrind or DHAT.
    for (arg, case) in [("profile-lta", &lta), ("profile-b", &b)] {
        if std::env::args().any(|a| a == arg) {
            let v = verifier(case, &root);
            for _ in 0..200 {
                verify(&v, case);
            }
            return;
        }
    }
    if !table_only {
        let mut c = Criterion::default().configure_from_args();
        let mut group = c.benchmark_group("ltv_offline");
        let vb = verifier(&b, &root);
        let vlta = verifier(&lta, &root);
        group.bench_function("B warm", |bench| bench.iter(|| verify(&vb, &b)));
        group.bench_function("LTA warm", |bench| bench.iter(|| verify(&vlta, &lta)));
        group.bench_function("B cold", |bench| {
            bench.iter(|| verify(&verifier(&b, &root), &b))
        });
        group.bench_function("LTA cold", |bench| {
            bench.iter(|| verify(&verifier(&lta, &root), &lta))
        });
        group.finish();
        c.final_summary();
    }
    println!(
        "\n| verifier | B (supplied CRLs) | LTA offline (embedded) | LTA / B time |\n|---|---:|---:|---:|"
    );
    for (name, warm) in [
        ("reused (warm caches)", true),
        ("fresh each time (cold)", false),
    ] {
        let (rb, rl) = if warm {
            let vb = verifier(&b, &root);
            let vl = verifier(&lta, &root);
            (rate(|| verify(&vb, &b)), rate(|| verify(&vl, &lta)))
        } else {
            (
                rate(|| verify(&verifier(&b, &root), &b)),
                rate(|| verify(&verifier(&lta, &root), &lta)),
            )
        };
        println!("| {name} | {rb:.0}/s | {rl:.0}/s | {:.2} |", rb / rl);
    }
}
