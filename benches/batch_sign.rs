//! Batch signing (issue 17, item 5): `eds sign --in DIR --p12 FILE` over 1,000 documents against
//! the library doing the same work in process.
//!
//! Both ways open the one `.p12` once (one PBKDF2 key derivation, 600,000 rounds) and then, for
//! each of the 1,000 documents of 1 KiB, read it, build the CAdES-B SignedData
//! (`eds_signer::cms::prepare`), sign, assemble and write `FILE.p7s`, on one thread
//! (`--jobs 1`). The command adds its process start, argument parsing, the signer certificate's
//! checks (`--data`) and the summary. The aim: the command signs at ≥ 0.8 of the library's rate,
//! not at the rate of key derivation (a `.p12` opened per document).
//!
//!     cargo bench -p eds --bench batch_sign            # criterion groups, then the table
//!     cargo bench -p eds --bench batch_sign -- table   # the table alone
//!
//! The table alternates the two ways, five rounds, and prints the median rates and their ratio.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark: a failure should stop loudly"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ring::rand::SystemRandom;
use time::OffsetDateTime;

use eds_signer::cms::{self, Content};
use eds_signer::keys::load_pkcs12;
use eds_signer::{SignOptions, Signer, SigningKey};

const DOCUMENTS: usize = 1_000;
const PASSPHRASE: &str = "bench-ca-passphrase";
const OWNER: &str = "bench-owner-password";

/// A center, an owner's `.p12` and a folder of documents, made through the `eds` binary.
struct Setup {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    p12: PathBuf,
    docs: PathBuf,
    out: PathBuf,
}

fn eds() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eds"));
    c.env("EDS_CA_PASSPHRASE", PASSPHRASE)
        .env("EDS_OWNER_PASSWORD", OWNER)
        .env("EDS_KEY_PASSWORD", OWNER)
        .env_remove("EDS_NOW");
    c
}

fn run(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "{c:?}\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ca");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let d = data.to_str().unwrap();
    run(eds().args(["ca", "init", "--data", d]));
    run(eds()
        .args(["ca", "registry", "import", "--data", d])
        .arg(fixtures.join("registry.json")));
    let owner = tmp.path().join("owner");
    let report = run(eds()
        .args(["--json", "ca", "issue", "--data", d])
        .arg(fixtures.join("requests/individual-signing.json"))
        .args(["--generate-key", "--out-dir"])
        .arg(&owner));
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let serial = v["certificate"]["serial"].as_str().unwrap();
    let p12 = owner.join(format!("{serial}.p12"));
    let docs = tmp.path().join("docs");
    fs::create_dir(&docs).unwrap();
    for i in 0..DOCUMENTS {
        let body: Vec<u8> = (0..1024u32)
            .map(|j| u8::try_from((j + u32::try_from(i).unwrap()) % 251).unwrap())
            .collect();
        fs::write(docs.join(format!("doc-{i:04}.txt")), body).unwrap();
    }
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    Setup {
        _tmp: tmp,
        data,
        p12,
        docs,
        out,
    }
}

/// The library: one `.p12` load, then each document read, signed and written.
fn library(s: &Setup) {
    let contents = load_pkcs12(&fs::read(&s.p12).unwrap(), OWNER).unwrap();
    let signer = Signer::new(
        &contents.key,
        &contents.certificate_der,
        &contents.chain_der,
    )
    .unwrap();
    let options = SignOptions::new(OffsetDateTime::now_utc().replace_nanosecond(0).unwrap());
    let rng = SystemRandom::new();
    let mut files: Vec<PathBuf> = fs::read_dir(&s.docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        let prepared = cms::prepare(&signer, Content::File(file), &options).unwrap();
        let signature = contents.key.sign(prepared.to_be_signed(), &rng).unwrap();
        let der = cms::assemble(prepared, &signature).unwrap();
        let mut name = file.file_name().unwrap().to_os_string();
        name.push(".p7s");
        fs::write(s.out.join(name), der).unwrap();
    }
}

/// The command: `eds sign --in DOCS --p12 FILE --out-dir OUT --jobs 1`.
fn command(s: &Setup) {
    run(eds()
        .arg("sign")
        .arg("--data")
        .arg(&s.data)
        .arg("--in")
        .arg(&s.docs)
        .arg("--p12")
        .arg(&s.p12)
        .arg("--out-dir")
        .arg(&s.out)
        .args(["--jobs", "1"]));
}

fn main() {
    let table_only = std::env::args().any(|a| a == "table");
    let s = setup();
    if !table_only {
        let mut c = Criterion::default()
            .sample_size(10)
            .measurement_time(Duration::from_secs(20))
            .configure_from_args();
        let mut g = c.benchmark_group("batch_sign_1000");
        g.bench_function("library", |b| b.iter(|| library(&s)));
        g.bench_function("eds_sign_folder", |b| b.iter(|| command(&s)));
        g.finish();
        c.final_summary();
    }
    table(&s);
}

/// Five alternating rounds of each way; the median documents per second and their ratio.
fn table(s: &Setup) {
    library(s); // warm-up: page cache, first-use allocations
    command(s);
    let (mut lib, mut cmd) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        library(s);
        lib.push(rate(t.elapsed()));
        let t = Instant::now();
        command(s);
        cmd.push(rate(t.elapsed()));
    }
    let (lib, cmd) = (median(lib), median(cmd));
    println!("batch signing of {DOCUMENTS} documents of 1 KiB, one .p12 (P-256), one thread:");
    println!("  library (eds_signer)      {lib:>8.0} documents/s");
    println!("  eds sign --in DIR         {cmd:>8.0} documents/s");
    println!(
        "  ratio                     {:>8.2} (aim: >= 0.80)",
        cmd / lib
    );
}

fn rate(d: Duration) -> f64 {
    f64::from(u32::try_from(DOCUMENTS).unwrap()) / d.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
