//! A bounded loopback load of the OCSP responder (`docs/benchmarks.md`, section Network).
//!
//! ```text
//! cargo run --release -p eds-server --example ocsp_load -- [hot|cold|nonce] [CLIENTS] [REQUESTS] [SECONDS] [IDLE]
//! ```
//!
//! With IDLE (default 0), that many more connections are opened before the measured run and held
//! idle throughout it, sending nothing (issue 16: idle sockets must not lock clients out). The
//! server closes an idle connection after its header timeout (30 s), so keep SECONDS under it.
//!
//! The register holds 1,000,000 owner certificates (1% of them revoked), written through
//! `Store::insert_certificates` in batches and cached under `target/bench-data/ocsp-1000000/`.
//! The server runs in this process on its own runtime, exactly as `eds serve` builds it
//! ([`Server::open`], [`Server::serve`]), on 127.0.0.1 and a free port; the clients run on
//! another runtime. Each of CLIENTS (default 64) clients keeps one HTTP/1.1 connection and POSTs
//! one request after the other until REQUESTS (default 300,000) answers in total or SECONDS
//! (default 30) have passed, whichever comes first; then everything stops.
//!
//! Workloads:
//! - `hot` (default): requests for 10,000 distinct certificates without a nonce, as RFC 5019
//!   clients send them — after a warm-up pass, answered from the responder's cache;
//! - `cold`: certificates drawn from the whole million, no nonce: mostly a register lookup and a
//!   fresh signature each;
//! - `nonce`: the hot set with a fresh nonce in every request (as `openssl ocsp` sends by
//!   default): every answer signed afresh.
//!
//! Prints answers per second, latency percentiles and any non-successful answer; then, with the
//! idle connections still held, 20 new clients on fresh connections each ask the OCSP route,
//! the issuing CRL and the root CRL once, and the slowest answer of each is printed.

#![expect(
    clippy::expect_used,
    reason = "a measurement whose set-up fails should stop loudly"
)]

#[path = "../tests/common/ocsp_req.rs"]
#[allow(dead_code, reason = "shared with the tests, which use the rest")]
mod ocsp_req;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use ring::rand::SystemRandom;
use serde_json::json;
use time::OffsetDateTime;

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::store::{AuditEvent, CertificateRecord, RevocationRecord, Serial};
use eds_profile::grounds::RevocationGround;
use eds_server::{Options, Server};

/// Passphrase of the bench center.
const PASS: &[u8] = b"bench passphrase";
/// Certificates in the register.
const REGISTER: u64 = 1_000_000;
/// Rows per register transaction while building it.
const BATCH: u64 = 50_000;
/// Distinct certificates of the hot workload.
const HOT: u64 = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workload = args.first().map_or("hot", String::as_str).to_owned();
    let clients: usize = args.get(1).map_or(64, |a| a.parse().expect("clients"));
    let total: u64 = args
        .get(2)
        .map_or(300_000, |a| a.parse().expect("requests"));
    let seconds: u64 = args.get(3).map_or(30, |a| a.parse().expect("seconds"));
    let idle: usize = args
        .get(4)
        .map_or(0, |a| a.parse().expect("idle connections"));
    assert!(
        matches!(workload.as_str(), "hot" | "cold" | "nonce"),
        "workload: hot, cold or nonce"
    );

    let dir = register_dir();
    let issuing = Center::open(&dir).expect("open").issuing_der().to_vec();
    let server = Server::open(Options::new(dir.clone(), PASS.to_vec())).expect("open server");
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("server runtime");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let served = server_rt.spawn(async move {
        let listener = eds_server::bind("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("bind");
        addr_tx
            .send(listener.local_addr().expect("addr"))
            .expect("send");
        server
            .serve(listener, async {
                let _ = stop_rx.await;
            })
            .await
    });
    let addr = addr_rx.recv().expect("address");

    let requests = Arc::new(build_requests(&workload, &issuing));
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("client runtime");
    println!(
        "register: {REGISTER} certificates in {}; workload {workload}, {} distinct requests",
        dir.display(),
        requests.len()
    );
    if workload != "cold" {
        // Warm-up: every request once (fills the responder's cache for the hot set).
        let warm = client_rt.block_on(run(
            addr,
            clients,
            Arc::clone(&requests),
            u64::try_from(requests.len()).unwrap_or(u64::MAX),
            Duration::from_secs(120),
        ));
        println!(
            "warm-up: {} answers in {:.1} s",
            warm.latencies.len(),
            warm.elapsed.as_secs_f64()
        );
    }
    let held = client_rt.block_on(async {
        let mut held = Vec::with_capacity(idle);
        for _ in 0..idle {
            held.push(
                tokio::net::TcpStream::connect(addr)
                    .await
                    .expect("idle connection"),
            );
        }
        held
    });
    if idle > 0 {
        println!("holding {} idle connections", held.len());
    }
    let report = client_rt.block_on(run(
        addr,
        clients,
        Arc::clone(&requests),
        total,
        Duration::from_secs(seconds),
    ));
    // New clients while the idle connections are still held (issue 16: "the OCSP and CRL routes
    // still answer a new client"): each probe opens its own connection and sends one request.
    let ocsp_body = requests.first().cloned().unwrap_or_default();
    let probes = client_rt.block_on(async {
        let mut lines = Vec::new();
        for (what, path, body) in [
            ("OCSP", "/ocsp", Some(ocsp_body)),
            ("issuing CRL", "/crl/issuing.crl", None),
            ("root CRL", "/crl/root.crl", None),
        ] {
            lines.push(probe_new_clients(addr, what, path, body, NEW_CLIENTS).await);
        }
        lines
    });
    drop(held);
    let _ = stop_tx.send(());
    server_rt
        .block_on(served)
        .expect("server task")
        .expect("server");
    report.print(clients);
    for line in probes {
        println!("{line}");
    }
}

/// New clients probed per route after the run, each on a fresh connection.
const NEW_CLIENTS: usize = 20;

/// `n` new clients, one after the other, each connecting and sending one request to `path` (a
/// POST of `body`, else a GET): the slowest connect-to-answer time and the statuses seen.
async fn probe_new_clients(
    addr: std::net::SocketAddr,
    what: &str,
    path: &str,
    body: Option<Bytes>,
    n: usize,
) -> String {
    let mut slowest = Duration::ZERO;
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (mut send, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("handshake");
        tokio::spawn(conn);
        let builder = match &body {
            Some(_) => {
                hyper::Request::post(path).header("content-type", "application/ocsp-request")
            }
            None => hyper::Request::get(path),
        };
        let req = builder
            .header("host", "127.0.0.1")
            .body(Full::new(body.clone().unwrap_or_default()))
            .expect("request");
        let res = send.send_request(req).await.expect("send");
        let status = res.status().as_u16();
        bytes = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .len();
        slowest = slowest.max(t.elapsed());
        *statuses.entry(status).or_default() += 1;
    }
    format!(
        "new clients, {what} ({path}): {n} answered, slowest {:.2} ms (connect included), \
         statuses {statuses:?}, {bytes} bytes each",
        slowest.as_secs_f64() * 1000.0
    )
}

/// The register with [`REGISTER`] certificates, built once and cached.
fn register_dir() -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    let dir = base.join(format!("ocsp-{REGISTER}"));
    if dir.join("filled").exists() {
        return dir;
    }
    let partial = base.join(format!("ocsp-{REGISTER}.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial).expect("remove a half-built register");
    }
    std::fs::create_dir_all(&base).expect("target/bench-data");
    let started = Instant::now();
    let now = OffsetDateTime::now_utc();
    let center = Center::init(
        &partial,
        CenterConfig::default(),
        PASS,
        now,
        &SystemRandom::new(),
    )
    .expect("init center");
    let mut next = 0;
    while next < REGISTER {
        let end = REGISTER.min(next + BATCH);
        let records: Vec<CertificateRecord> = (next..end).map(|i| record(i, now)).collect();
        center
            .store()
            .insert_certificates(
                &records,
                &AuditEvent {
                    at: now,
                    actor: "bench".into(),
                    action: "bench-register-filled".into(),
                    details: json!({ "from": next, "to": end }),
                },
            )
            .expect("insert batch");
        next = end;
    }
    drop(center);
    std::fs::write(partial.join("filled"), b"").expect("mark");
    std::fs::rename(&partial, &dir).expect("rename");
    eprintln!(
        "built the register of {REGISTER} certificates in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    dir
}

/// The serial of certificate `i`: 20 bytes from SHA-256(i), first in 0x40..=0x7F.
fn serial(i: u64) -> [u8; 20] {
    let digest = ring::digest::digest(&ring::digest::SHA256, &i.to_be_bytes());
    let mut s = [0u8; 20];
    s.copy_from_slice(&digest.as_ref()[..20]);
    s[0] = (s[0] & 0x3F) | 0x40;
    s
}

/// Certificate `i` of the register: a placeholder DER (the responder reads the row, not the
/// certificate); every hundredth one revoked.
fn record(i: u64, now: OffsetDateTime) -> CertificateRecord {
    let ground = RevocationGround::KeyCompromise;
    CertificateRecord {
        serial: Serial::from_der_content(&serial(i)).expect("serial"),
        issuer: "issuing".into(),
        subject: format!("CN=LOAD {i}"),
        kind: "individual".into(),
        iin: None,
        bin: None,
        key_purpose: Some("signing".into()),
        not_before: now,
        not_after: now + time::Duration::days(365),
        issued_at: now,
        confidential: false,
        der: vec![0x30, 0x00],
        revocation: i.is_multiple_of(100).then(|| RevocationRecord {
            ground,
            reason: ground.crl_reason(),
            notified_by: "bench".into(),
            received_at: now,
            entered_at: now,
            invalidity_date: None,
            note: None,
        }),
    }
}

/// The request bodies the clients cycle through.
fn build_requests(workload: &str, issuing: &[u8]) -> Vec<Bytes> {
    let step = REGISTER / HOT;
    let indexes: Vec<u64> = match workload {
        // Spread over the whole register, so a tenth of the lookups miss the page cache too.
        "cold" => (0..200_000).map(|k| (k * 7_919) % REGISTER).collect(),
        _ => (0..HOT).map(|k| k * step + 1).collect(),
    };
    let with_nonce = workload == "nonce";
    indexes
        .into_iter()
        .enumerate()
        .map(|(k, i)| {
            let req = ocsp_req::request(issuing, &serial(i));
            if with_nonce {
                Bytes::from(add_nonce(&req, u64::try_from(k).unwrap_or(0)))
            } else {
                Bytes::from(req)
            }
        })
        .collect()
}

/// The request with a 16-byte nonce extension (RFC 6960 §4.4.1, RFC 9654).
fn add_nonce(req: &[u8], seed: u64) -> Vec<u8> {
    use der::{Decode, Encode};
    let mut r = x509_ocsp::OcspRequest::from_der(req).expect("request");
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&seed.to_be_bytes());
    let value = der::asn1::OctetString::new(nonce.to_vec())
        .expect("nonce")
        .to_der()
        .expect("nonce DER");
    r.tbs_request.request_extensions = Some(vec![x509_cert::ext::Extension {
        extn_id: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
        critical: false,
        extn_value: der::asn1::OctetString::new(value).expect("extension"),
    }]);
    r.to_der().expect("encode")
}

struct Report {
    latencies: Vec<u32>,
    failures: u64,
    elapsed: Duration,
}

impl Report {
    fn print(mut self, clients: usize) {
        self.latencies.sort_unstable();
        let n = self.latencies.len();
        // The latency below which `permille`/1000 of the answers came.
        let pct = |permille: usize| {
            let idx = (n * permille).div_ceil(1000).saturating_sub(1);
            f64::from(self.latencies.get(idx).copied().unwrap_or(0)) / 1000.0
        };
        let secs = self.elapsed.as_secs_f64();
        let answers = f64::from(u32::try_from(n).unwrap_or(u32::MAX));
        println!(
            "{n} answers from {clients} clients in {secs:.2} s: {:.0} answers/s",
            answers / secs
        );
        println!(
            "latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            pct(500),
            pct(900),
            pct(990),
            pct(1000)
        );
        println!("non-successful answers: {}", self.failures);
    }
}

/// Whether a DER OCSPResponse says `successful`, read from its first bytes (the clients share
/// the two cores with the server: no full parse per answer).
fn successful(der: &[u8]) -> bool {
    let rest = match der {
        [0x30, 0x82, _, _, rest @ ..] => rest,
        [0x30, 0x81, _, rest @ ..] => rest,
        [0x30, _, rest @ ..] => rest,
        _ => return false,
    };
    rest.starts_with(&[0x0A, 0x01, 0x00])
}

/// Runs `clients` connections until `total` answers or `limit` time.
async fn run(
    addr: std::net::SocketAddr,
    clients: usize,
    requests: Arc<Vec<Bytes>>,
    total: u64,
    limit: Duration,
) -> Report {
    let issued = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + limit;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let requests = Arc::clone(&requests);
        let issued = Arc::clone(&issued);
        let failures = Arc::clone(&failures);
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("handshake");
            tokio::spawn(conn);
            let mut latencies = Vec::new();
            loop {
                let k = issued.fetch_add(1, Ordering::Relaxed);
                if k >= total || Instant::now() >= deadline {
                    break;
                }
                let body = requests[usize::try_from(k).unwrap_or(0) % requests.len()].clone();
                let req = hyper::Request::post("/ocsp")
                    .header("host", "127.0.0.1")
                    .header("content-type", "application/ocsp-request")
                    .body(Full::new(body))
                    .expect("request");
                let t = Instant::now();
                let res = send.send_request(req).await.expect("send");
                let bytes = res.into_body().collect().await.expect("body").to_bytes();
                latencies.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                if !successful(&bytes) {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    Report {
        latencies,
        failures: failures.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    }
}
