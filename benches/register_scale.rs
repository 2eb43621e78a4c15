//! Issue 18: the center on a register of 1,000,000 certificates, on SQLite and on PostgreSQL,
//! through one and through two `eds serve` processes (docs/benchmarks.md, "A register of
//! 1,000,000 certificates on each backend").
//!
//! ```text
//! cargo bench -p eds --bench register_scale -- [sqlite|postgres|both] [CERTIFICATES] [SECONDS] [CLIENTS]
//! ```
//!
//! Defaults: both backends, 1,000,000 certificates, 10 s per measurement, 16 clients. Not part
//! of `cargo test` (a bench target has `test = false`); the fill alone takes minutes.
//!
//! For each backend: `eds ca init` (P-256) into `<target>/bench-data/register-scale/<backend>/`,
//! the sample registry imported, an operator added; then the register is filled with real
//! certificates signed by the center: `Center::issue_batch` (the center's own batched issuance,
//! every core) in batches of 10,000, one register transaction each, a fresh owner key for every
//! ten certificates (one key, one holder: the center looks every key up in the register). The
//! fill is timed. For PostgreSQL the register is filled the same way on SQLite and copied with
//! `eds ca migrate` (timed too), and the center's `register` set to it. PostgreSQL is a server of
//! the bench's own ([`TestPostgres::start_in`]) in the same folder with `fsync=on`, so a commit
//! waits for the disk as SQLite's `synchronous=FULL` does.
//!
//! Then, through one `eds serve` and through two (each on its own port, the clients split
//! between them), CLIENTS client threads each keep one HTTP/1.1 connection and send requests
//! one after the other for SECONDS:
//! - `ocsp-hot`: OCSP requests without a nonce for 10,000 certificates of the register (after a
//!   warm-up pass through every server): answered from each responder's cache;
//! - `ocsp-nonce`: the same certificates with a fresh nonce in each request: signed afresh;
//! - `issue`: `POST /api/v1/certificates` with a CSR (a pool of 2,000 keys);
//! - `revoke`: `POST /api/v1/certificates/{serial}/revoke` on certificates of the fill, each
//!   once.
//!
//! Every answer is checked (OCSP `successful`, issuance 201, revocation 200); a failure is
//! counted and printed. Prints one line per measurement and a table at the end. The folder is
//! removed at the end unless `EDS_BENCH_KEEP=1`; with it, a second run reuses the filled
//! registers (the revocations already made stay made). With `EDS_BENCH_LOCK=FILE` the bench
//! holds an exclusive lock on FILE (flock(2)) while it measures a backend, not while it fills.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark: a failure should stop loudly"
)]

#[path = "../server/tests/common/ocsp_req.rs"]
#[allow(
    dead_code,
    reason = "shared with the server's tests, which use the rest"
)]
mod ocsp_req;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use serde_json::Value;
use time::OffsetDateTime;

use eds_ca::center::Center;
use eds_ca::issue::KeySource;
use eds_fixtures::postgres::TestPostgres;
use eds_profile::request::RegistrationRequest;

const PASS: &str = "bench passphrase";
/// Certificates per issuance batch (one register transaction) while filling.
const FILL_BATCH: usize = 10_000;
/// Certificates per owner key in the fill.
const PER_KEY: usize = 10;
/// Distinct certificates of the OCSP workloads.
const HOT: usize = 10_000;
/// Owner keys (CSRs) the `issue` workload cycles through.
const CSR_POOL: usize = 2_000;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let backends: Vec<&str> = match args.first().map_or("both", String::as_str) {
        "both" => vec!["sqlite", "postgres"],
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        other => panic!("backend: sqlite, postgres or both, not {other}"),
    };
    let n: usize = args.get(1).map_or(1_000_000, |a| a.parse().expect("count"));
    let seconds: u64 = args.get(2).map_or(10, |a| a.parse().expect("seconds"));
    let clients: usize = args.get(3).map_or(16, |a| a.parse().expect("clients"));
    let keep = std::env::var_os("EDS_BENCH_KEEP").is_some_and(|v| v == "1");
    let base = target_dir().join("bench-data").join("register-scale");
    fs::create_dir_all(&base).unwrap();
    println!("register-scale: {n} certificates, {seconds} s per measurement, {clients} clients");
    println!("load at start: {}", load_average());

    let csrs = csr_pool(CSR_POOL);
    let mut rows = Vec::new();
    for backend in &backends {
        let dir = base.join(format!("{backend}-{n}"));
        fs::create_dir_all(&dir).unwrap();
        let pg = (*backend == "postgres").then(|| {
            TestPostgres::start_in(&dir, true).expect("start PostgreSQL (apt install postgresql)")
        });
        let bench = Bench::prepare(&dir, pg.as_ref(), n);
        let hot = hot_requests(&bench);
        let lock = measurement_lock();
        for procs in [1usize, 2] {
            let servers: Vec<Server> = (0..procs).map(|i| Server::start(&bench, i)).collect();
            let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
            println!(
                "{backend}, {procs} process(es): {urls:?}; load {}",
                load_average()
            );
            // Warm-up: every hot request through every server.
            for url in &urls {
                let warm = run(
                    std::slice::from_ref(url),
                    clients,
                    Duration::from_secs(120),
                    hot.plain.len(),
                    {
                        let hot = Arc::clone(&hot);
                        move |k| ocsp(&hot.plain[k % hot.plain.len()])
                    },
                );
                assert_eq!(warm.failures, 0, "warm-up failures");
            }
            let d = Duration::from_secs(seconds);
            let hot_run = run(&urls, clients, d, usize::MAX, {
                let hot = Arc::clone(&hot);
                move |k| ocsp(&hot.plain[k % hot.plain.len()])
            });
            report(backend, procs, "ocsp-hot", &hot_run, &mut rows);
            let nonce_run = run(&urls, clients, d, usize::MAX, {
                let hot = Arc::clone(&hot);
                move |k| ocsp(&ocsp_nonce(&hot.plain[k % hot.plain.len()], k))
            });
            report(backend, procs, "ocsp-nonce", &nonce_run, &mut rows);
            let issue_run = run(&urls, clients, d, usize::MAX, {
                let bodies = Arc::clone(&csrs);
                let request = bench.request.clone();
                let auth = format!("Bearer {}", bench.token);
                move |k| {
                    let mut req = request.clone();
                    req["csr_pem"] = Value::String(bodies[k % bodies.len()].clone());
                    Req {
                        path: "/api/v1/certificates".into(),
                        content_type: "application/json",
                        auth: Some(auth.clone()),
                        body: serde_json::to_vec(&req).unwrap(),
                        expect: 201,
                    }
                }
            });
            report(backend, procs, "issue", &issue_run, &mut rows);
            let revoke_run = run(&urls, clients, d, usize::MAX, {
                let serials = Arc::clone(&bench.serials);
                let cursor = Arc::clone(&bench.revoke_cursor);
                let auth = format!("Bearer {}", bench.token);
                move |_| {
                    let i = cursor.fetch_add(1, Ordering::Relaxed);
                    // From the end of the fill: the hot set is at the start.
                    let serial = &serials[serials.len() - 1 - i];
                    Req {
                        path: format!("/api/v1/certificates/{serial}/revoke"),
                        content_type: "application/json",
                        auth: Some(auth.clone()),
                        body: br#"{"ground": "holder-request", "notified_by": "the holder"}"#
                            .to_vec(),
                        expect: 200,
                    }
                }
            });
            report(backend, procs, "revoke", &revoke_run, &mut rows);
            drop(servers);
        }
        drop(lock);
        fs::write(
            dir.join("revoked"),
            bench.revoke_cursor.load(Ordering::Relaxed).to_string(),
        )
        .unwrap();
        drop(bench);
        // PostgreSQL's own shell stops the server and removes its folder when `pg` is dropped.
        drop(pg);
        if !keep {
            for _ in 0..100 {
                if fs::remove_dir_all(&dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            assert!(!dir.exists(), "{} left behind", dir.display());
        }
    }
    println!("load at end: {}", load_average());
    println!();
    println!("| backend | processes | workload | answers/s | p50 ms | p99 ms | failures |");
    println!("|---|---:|---|---:|---:|---:|---:|");
    for r in &rows {
        println!("{r}");
    }
}

/// With `EDS_BENCH_LOCK=FILE`: an exclusive lock on FILE (flock(2), as `flock FILE …` takes),
/// held while the bench measures and not while it fills, so that benches sharing one machine
/// measure in turn while a fill of minutes runs beside them. Released when dropped.
fn measurement_lock() -> Option<fs::File> {
    let path = std::env::var_os("EDS_BENCH_LOCK")?;
    let file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap();
    println!("waiting for the lock on {}", Path::new(&path).display());
    file.lock().unwrap();
    println!("lock held; load {}", load_average());
    Some(file)
}

/// `<target>/`: the folder above `release/deps/` where this binary runs from.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A filled center: its folder, operator token, the registration request of the fixture, every
/// certificate's serial (hex) in issuance order, and the next fill certificate to revoke
/// (counted from the end).
struct Bench {
    data: PathBuf,
    token: String,
    request: Value,
    serials: Arc<Vec<String>>,
    issuing: Vec<u8>,
    revoke_cursor: Arc<AtomicUsize>,
}

impl Bench {
    fn prepare(dir: &Path, pg: Option<&TestPostgres>, n: usize) -> Bench {
        let data = dir.join("ca");
        let request: Value = serde_json::from_str(
            &fs::read_to_string(fixture("requests/individual-signing.json")).unwrap(),
        )
        .unwrap();
        let done = dir.join("filled");
        if !done.exists() {
            if data.exists() {
                fs::remove_dir_all(&data).unwrap();
            }
            eds(&data, &["ca", "init", "--algorithm", "p256"]);
            eds(
                &data,
                &[
                    "ca",
                    "registry",
                    "import",
                    fixture("registry.json").to_str().unwrap(),
                ],
            );
            let out = eds(&data, &["--json", "ca", "operator", "add", "load"]);
            let token: Value = serde_json::from_slice(&out).unwrap();
            fs::write(dir.join("token"), token["token"].as_str().unwrap()).unwrap();
            let started = Instant::now();
            let serials = fill(&data, &request, n);
            let took = started.elapsed().as_secs_f64();
            println!(
                "filled {n} certificates in {took:.1} s ({:.0}/s); register {}",
                f64::from(u32::try_from(n).unwrap()) / took,
                disk_usage(dir)
            );
            let mut record = format!("{took:.1}");
            if let Some(pg) = pg {
                // PostgreSQL: the register filled on SQLite is copied by `eds ca migrate` (the
                // center's batched issuance looks every owner key up in the register, one
                // round trip each, which on PostgreSQL made the fill too slow to wait for),
                // then the center is pointed at it and the SQLite files removed.
                let url = pg.new_database();
                let sqlite = format!("sqlite:{}", data.join("register.sqlite").display());
                let started = Instant::now();
                eds(&data, &["ca", "migrate", "--from", &sqlite, "--to", &url]);
                let migrated = started.elapsed().as_secs_f64();
                let config_path = data.join("center.json");
                let mut config: Value =
                    serde_json::from_slice(&fs::read(&config_path).unwrap()).unwrap();
                config["register"] = Value::String(url);
                fs::write(&config_path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
                for f in [
                    "register.sqlite",
                    "register.sqlite-wal",
                    "register.sqlite-shm",
                ] {
                    let _ = fs::remove_file(data.join(f));
                }
                println!(
                    "migrated to PostgreSQL in {migrated:.1} s; folder {}",
                    disk_usage(dir)
                );
                record = format!("{took:.1} on SQLite + {migrated:.1} migration");
            }
            fs::write(dir.join("fill-seconds"), record).unwrap();
            fs::write(dir.join("serials"), serials.join("\n")).unwrap();
            fs::write(&done, b"").unwrap();
        } else {
            println!(
                "reusing the register in {} (filled in {} s)",
                dir.display(),
                fs::read_to_string(dir.join("fill-seconds")).unwrap_or_default()
            );
        }
        let serials: Vec<String> = fs::read_to_string(dir.join("serials"))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        let revoked: usize = fs::read_to_string(dir.join("revoked"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        let issuing = Center::open(&data).unwrap().issuing_der().to_vec();
        Bench {
            data,
            token: fs::read_to_string(dir.join("token")).unwrap(),
            request,
            serials: Arc::new(serials),
            issuing,
            revoke_cursor: Arc::new(AtomicUsize::new(revoked)),
        }
    }
}

/// `du -sh` of `dir`.
fn disk_usage(dir: &Path) -> String {
    Command::new("du")
        .arg("-sh")
        .arg(dir)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Issues `n` certificates into the center in `data` through `Center::issue_batch`; returns their
/// serials in order.
fn fill(data: &Path, request: &Value, n: usize) -> Vec<String> {
    let center = Center::open(data).unwrap();
    let key = center.unlock(PASS.as_bytes()).unwrap();
    let req: RegistrationRequest = serde_json::from_value(request.clone()).unwrap();
    let rng = SystemRandom::new();
    let mut serials = Vec::with_capacity(n);
    while serials.len() < n {
        let size = FILL_BATCH.min(n - serials.len());
        let keys: Vec<rcgen::SubjectPublicKeyInfo> = (0..size.div_ceil(PER_KEY))
            .map(|_| {
                let pair = rcgen::KeyPair::generate().unwrap();
                rcgen::SubjectPublicKeyInfo::from_der(
                    &rcgen::PublicKeyData::subject_public_key_info(&pair),
                )
                .unwrap()
            })
            .collect();
        let batch: Vec<(RegistrationRequest, KeySource<'_>)> = (0..size)
            .map(|i| (req.clone(), KeySource::PublicKey(&keys[i / PER_KEY])))
            .collect();
        let issued = center
            .issue_batch(&key, &batch, "bench", OffsetDateTime::now_utc(), &rng)
            .unwrap();
        for r in issued {
            serials.push(r.unwrap().record.serial.to_string());
        }
        if serials.len() % 100_000 == 0 {
            println!("  {} issued", serials.len());
        }
    }
    serials
}

/// `fixtures/<rel>`.
fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// The `eds` command on the center in `data`.
fn eds_command(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eds"));
    c.args(args)
        .env("EDS_DATA", data)
        .env("EDS_CA_PASSPHRASE", PASS)
        .env_remove("EDS_NOW")
        .env_remove("EDS_REGISTER")
        .stdin(Stdio::null());
    c
}

/// Runs `eds`; asserts success; returns standard output.
fn eds(data: &Path, args: &[&str]) -> Vec<u8> {
    let out = eds_command(data, args).output().unwrap();
    assert!(
        out.status.success(),
        "eds {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A running `eds serve` on a free loopback port.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(bench: &Bench, i: usize) -> Server {
        let log = fs::File::create(bench.data.with_file_name(format!("serve-{i}.log"))).unwrap();
        let mut child = eds_command(&bench.data, &["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("eds serve said {first:?}"))
            .to_owned();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The OCSP requests of the hot set: every `n / HOT`-th certificate of the fill.
struct Hot {
    plain: Vec<Vec<u8>>,
}

fn hot_requests(bench: &Bench) -> Arc<Hot> {
    let step = (bench.serials.len() / HOT).max(1);
    let plain = bench
        .serials
        .iter()
        .step_by(step)
        .take(HOT)
        .map(|s| ocsp_req::request(&bench.issuing, &hex::decode(s).unwrap()))
        .collect();
    Arc::new(Hot { plain })
}

fn ocsp(body: &[u8]) -> Req {
    Req {
        path: "/ocsp".into(),
        content_type: "application/ocsp-request",
        auth: None,
        body: body.to_vec(),
        expect: 200,
    }
}

/// The request with a 16-byte nonce extension (RFC 6960 §4.4.1, RFC 9654) made of `seed`.
fn ocsp_nonce(req: &[u8], seed: usize) -> Vec<u8> {
    use der::{Decode, Encode};
    let mut r = x509_ocsp::OcspRequest::from_der(req).unwrap();
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&u64::try_from(seed).unwrap().to_be_bytes());
    nonce[8..].copy_from_slice(&u64::from(std::process::id()).to_be_bytes());
    let value = der::asn1::OctetString::new(nonce.to_vec())
        .unwrap()
        .to_der()
        .unwrap();
    r.tbs_request.request_extensions = Some(vec![x509_cert::ext::Extension {
        extn_id: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
        critical: false,
        extn_value: der::asn1::OctetString::new(value).unwrap(),
    }]);
    r.to_der().unwrap()
}

/// Owner keys' CSRs (PEM), P-256.
fn csr_pool(n: usize) -> Arc<Vec<String>> {
    Arc::new(
        (0..n)
            .map(|_| {
                let pair = rcgen::KeyPair::generate().unwrap();
                rcgen::CertificateParams::new(Vec::<String>::new())
                    .unwrap()
                    .serialize_request(&pair)
                    .unwrap()
                    .pem()
                    .unwrap()
            })
            .collect(),
    )
}

/// One POST.
struct Req {
    path: String,
    content_type: &'static str,
    auth: Option<String>,
    body: Vec<u8>,
    /// The HTTP status a success has (and, for OCSP, a `successful` response).
    expect: u16,
}

struct Outcome {
    answers: usize,
    failures: usize,
    first_failure: Option<String>,
    elapsed: Duration,
    /// Microseconds, sorted.
    latencies: Vec<u32>,
}

/// `clients` threads, client `c` on `urls[c % len]`, each sending `make(k)` for a shared
/// counter `k` until `limit` passes or `total` requests were sent.
fn run(
    urls: &[String],
    clients: usize,
    limit: Duration,
    total: usize,
    make: impl Fn(usize) -> Req + Send + Sync + 'static,
) -> Outcome {
    let make = Arc::new(make);
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + limit;
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let url = urls[c % urls.len()].clone();
            let make = Arc::clone(&make);
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut conn = Conn::new(&url);
                let mut latencies = Vec::new();
                let mut failures = 0;
                let mut first_failure = None;
                loop {
                    let k = usize::try_from(counter.fetch_add(1, Ordering::Relaxed)).unwrap();
                    if k >= total || Instant::now() >= deadline {
                        break;
                    }
                    let req = make(k);
                    let t = Instant::now();
                    let (status, body) = conn.post(&req);
                    latencies.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                    let ok = status == req.expect && (req.path != "/ocsp" || successful(&body));
                    if !ok {
                        failures += 1;
                        first_failure.get_or_insert_with(|| {
                            format!("{} {status} {}", req.path, String::from_utf8_lossy(&body))
                        });
                    }
                }
                (latencies, failures, first_failure)
            })
        })
        .collect();
    let mut out = Outcome {
        answers: 0,
        failures: 0,
        first_failure: None,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for t in threads {
        let (l, f, ff) = t.join().unwrap();
        out.latencies.extend(l);
        out.failures += f;
        if out.first_failure.is_none() {
            out.first_failure = ff;
        }
    }
    out.elapsed = started.elapsed();
    out.answers = out.latencies.len();
    out.latencies.sort_unstable();
    out
}

fn report(backend: &str, procs: usize, workload: &str, o: &Outcome, rows: &mut Vec<String>) {
    let pct = |permille: usize| {
        let idx = (o.answers * permille).div_ceil(1000).saturating_sub(1);
        f64::from(o.latencies.get(idx).copied().unwrap_or(0)) / 1000.0
    };
    let rate = f64::from(u32::try_from(o.answers).unwrap()) / o.elapsed.as_secs_f64();
    let row = format!(
        "| {backend} | {procs} | {workload} | {rate:.0} | {:.2} | {:.2} | {} |",
        pct(500),
        pct(990),
        o.failures
    );
    println!("{row}  (load {})", load_average());
    if let Some(f) = &o.first_failure {
        println!("  first failure: {f}");
    }
    rows.push(row);
}

/// Whether a DER OCSPResponse says `successful` (its first bytes).
fn successful(der: &[u8]) -> bool {
    let rest = match der {
        [0x30, 0x82, _, _, rest @ ..] => rest,
        [0x30, 0x81, _, rest @ ..] => rest,
        [0x30, _, rest @ ..] => rest,
        _ => return false,
    };
    rest.starts_with(&[0x0A, 0x01, 0x00])
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    addr: String,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            addr: addr.to_owned(),
            reader: BufReader::new(stream),
        }
    }

    fn post(&mut self, req: &Req) -> (u16, Vec<u8>) {
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            req.path,
            self.addr,
            req.content_type,
            req.body.len()
        );
        if let Some(a) = &req.auth {
            head.push_str(&format!("Authorization: {a}\r\n"));
        }
        head.push_str("\r\n");
        let mut msg = head.into_bytes();
        msg.extend_from_slice(&req.body);
        self.reader.get_mut().write_all(&msg).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("status line {line:?}"));
        let mut length = 0usize;
        let mut close = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            assert!(
                !lower.starts_with("transfer-encoding"),
                "a chunked answer: {l}"
            );
            close |= lower == "connection: close";
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        if close {
            *self = Conn::new(&self.addr.clone());
        }
        (status, body)
    }
}
