//! A center in a temporary folder served on a free loopback port, and an HTTP client for it.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

pub(crate) mod holders;
pub(crate) mod ocsp_req;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use ring::rand::SystemRandom;
use serde_json::{Value, json};
use tempfile::TempDir;
use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::store::{AuditEntry, AuditEvent, EntityRecord, PersonRecord, Store};
use eds_server::{Options, Server, auth};

/// Passphrase of the test center's keys.
pub(crate) const PASS: &[u8] = b"server test passphrase";

/// The operator every test center has.
pub(crate) const OPERATOR: &str = "registry-gateway";

/// A file of the repository's `fixtures/`.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel)
}

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

/// A reply: status, headers, body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {:?} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// A header as text ("" when absent).
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A running server over a fresh center.
pub(crate) struct TestServer {
    pub(crate) tmp: TempDir,
    pub(crate) data: PathBuf,
    pub(crate) addr: SocketAddr,
    /// The bearer token of [`OPERATOR`].
    pub(crate) token: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), eds_server::Error>>>,
    client: Client<HttpConnector, Full<Bytes>>,
    /// Set when the server speaks HTTPS: the client trusts only the test TLS root.
    tls: Option<tokio_rustls::TlsConnector>,
}

/// A TLS identity for tests: a root and a certificate for `localhost` and 127.0.0.1 signed by
/// it, as the PEM files `eds serve --tls-cert/--tls-key` take (the key file mode 0600).
pub(crate) struct TlsFiles {
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
    /// The root, DER: what a client trusts.
    pub(crate) root_der: Vec<u8>,
}

/// Writes a fresh [`TlsFiles`] into `dir`.
pub(crate) fn tls_files(dir: &Path) -> TlsFiles {
    use std::os::unix::fs::OpenOptionsExt;
    let root_key = rcgen::KeyPair::generate().expect("key");
    let mut root_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    root_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    root_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "eds test TLS root");
    let root = rcgen::CertifiedIssuer::self_signed(root_params, root_key).expect("TLS root");
    let key = rcgen::KeyPair::generate().expect("key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("params")
        .signed_by(&key, &root)
        .expect("TLS certificate");
    let cert = dir.join("tls.crt.pem");
    std::fs::write(&cert, format!("{}{}", leaf.pem(), root.pem())).expect("write cert");
    let key_path = dir.join("tls.key.pem");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&key_path)
        .expect("key file");
    std::io::Write::write_all(&mut f, key.serialize_pem().as_bytes()).expect("write key");
    TlsFiles {
        cert,
        key: key_path,
        root_der: root.der().to_vec(),
    }
}

/// A TLS client that trusts `root_der` alone.
#[expect(
    deprecated,
    reason = "the server's provider: rustls on ring, deprecated only for lacking post-quantum key exchange"
)]
pub(crate) fn tls_connector(root_der: &[u8]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(root_der.to_vec()))
        .expect("root");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

impl TestServer {
    /// Creates a P-256 center with the fixture registry and one operator, and serves it.
    pub(crate) async fn start() -> TestServer {
        Self::start_with(eds_server::Limits::default()).await
    }

    /// [`TestServer::start`] with other limits.
    pub(crate) async fn start_with(limits: eds_server::Limits) -> TestServer {
        Self::start_on("127.0.0.1:0".parse().expect("address"), None, limits).await
    }

    /// Serves on `listen` (a client connects through 127.0.0.1 and the port bound), over
    /// HTTPS when `tls` is given (the client then trusts its root alone).
    pub(crate) async fn start_on(
        listen: SocketAddr,
        tls: Option<&TlsFiles>,
        limits: eds_server::Limits,
    ) -> TestServer {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("ca");
        let token = tokio::task::spawn_blocking({
            let data = data.clone();
            move || new_center(&data)
        })
        .await
        .expect("center set-up");
        let options = Options {
            limits,
            ..Options::new(data.clone(), PASS.to_vec())
        };
        let server = tokio::task::spawn_blocking(move || Server::open(options))
            .await
            .expect("open task")
            .expect("open server");
        let listener = eds_server::bind(listen).await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let server_tls = tls.map(|t| {
            eds_server::tls::TlsConfig::from_pem_files(&t.cert, &t.key).expect("TLS files")
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve_with(listener, server_tls, async {
            let _ = stopped.await;
        }));
        TestServer {
            tmp,
            data,
            addr,
            token,
            stop: Some(stop),
            task: Some(task),
            client: Client::builder(TokioExecutor::new()).build_http(),
            tls: tls.map(|t| tls_connector(&t.root_der)),
        }
    }

    /// Sends a request.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(Bytes::from(body))).expect("request");
        let res = match &self.tls {
            None => self.client.request(req).await.expect("send request"),
            Some(connector) => {
                // One connection per request: a TLS handshake that checks the server's
                // certificate for "localhost" against the test root.
                let tcp = tokio::net::TcpStream::connect(self.addr)
                    .await
                    .expect("connect");
                let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
                let stream = connector.connect(name, tcp).await.expect("TLS handshake");
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .expect("HTTP handshake");
                tokio::spawn(conn);
                sender.send_request(req).await.expect("send request")
            }
        };
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A JSON API call with an optional bearer token.
    pub(crate) async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a.as_str()));
        }
        let body = body
            .map(|b| serde_json::to_vec(&b).expect("JSON"))
            .unwrap_or_default();
        self.call(method, path, &headers, body).await
    }

    /// A POST of a DER OCSP request.
    pub(crate) async fn ocsp(&self, der: Vec<u8>) -> Reply {
        self.call(
            Method::POST,
            "/ocsp",
            &[("content-type", "application/ocsp-request")],
            der,
        )
        .await
    }

    /// A second handle on the register.
    pub(crate) fn store(&self) -> Box<dyn Store> {
        Center::configured_register(&self.data)
            .expect("register URL")
            .open()
            .expect("open register")
    }

    /// Number of audit entries.
    pub(crate) fn audit_count(&self) -> u64 {
        self.store().audit_head().expect("audit head").entries
    }

    /// Audit entries from `from` on.
    pub(crate) fn audit_from(&self, from: u64) -> Vec<AuditEntry> {
        self.store().audit_entries(from, 10_000).expect("audit")
    }

    /// The issuing center's certificate, DER.
    pub(crate) fn issuing_der(&self) -> Vec<u8> {
        let text = std::fs::read(self.data.join("issuing.crt.pem")).expect("issuing cert");
        pem::parse(text).expect("PEM").into_contents()
    }

    /// Adds another operator; returns its token.
    pub(crate) fn add_operator(&self, name: &str) -> String {
        add_operator(self.store().as_ref(), name)
    }

    /// Issues the fixture request `name` through the API; returns the serial.
    pub(crate) async fn issue(&self, name: &str) -> String {
        let r = self
            .api(
                Method::POST,
                "/api/v1/certificates",
                Some(&self.token),
                Some(request_with_csr(name)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
        r.json()["certificate"]["serial"]
            .as_str()
            .expect("serial")
            .to_owned()
    }

    /// Stops the server (as SIGTERM would) and returns what `serve` returned.
    pub(crate) async fn stop(mut self) -> Result<(), eds_server::Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(t) => t.await.expect("serve task"),
            None => Ok(()),
        }
    }

    /// The shutdown trigger, taken out so that it can fire while a request borrows the server.
    pub(crate) fn take_stop(&mut self) -> oneshot::Sender<()> {
        self.stop.take().expect("not stopped yet")
    }

    /// Signals shutdown without waiting.
    pub(crate) fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits for `serve` to return.
    pub(crate) async fn join(&mut self) -> Result<(), eds_server::Error> {
        match self.task.take() {
            Some(t) => t.await.expect("serve task"),
            None => Ok(()),
        }
    }
}

/// A fixture request (`fixtures/requests/NAME.json`) with a fresh P-256 CSR in `csr_pem`.
pub(crate) fn request_with_csr(name: &str) -> Value {
    let text = std::fs::read(fixture(&format!("requests/{name}.json"))).expect("fixture");
    let mut req: Value = serde_json::from_slice(&text).expect("fixture JSON");
    let key = rcgen::KeyPair::generate().expect("key");
    let csr = rcgen::CertificateParams::new(Vec::<String>::new())
        .expect("params")
        .serialize_request(&key)
        .expect("CSR")
        .pem()
        .expect("PEM");
    req["csr_pem"] = json!(csr);
    req
}

fn new_center(data: &Path) -> String {
    let rng = SystemRandom::new();
    let center = Center::init(
        data,
        CenterConfig::default(),
        PASS,
        OffsetDateTime::now_utc(),
        &rng,
    )
    .expect("init center");
    let registry: Registry =
        serde_json::from_slice(&std::fs::read(fixture("registry.json")).expect("registry"))
            .expect("registry JSON");
    let now = OffsetDateTime::now_utc();
    for p in &registry.persons {
        center.record_person(p, "test", now).expect("person");
    }
    for e in &registry.entities {
        center.record_entity(e, "test", now).expect("entity");
    }
    add_operator(center.store(), OPERATOR)
}

fn add_operator(store: &dyn Store, name: &str) -> String {
    let token = auth::new_token(&SystemRandom::new()).expect("token");
    store
        .add_operator(
            name,
            &token.hash,
            &AuditEvent {
                at: OffsetDateTime::now_utc(),
                actor: "test".into(),
                action: "api-operator-added".into(),
                details: json!({ "name": name }),
            },
        )
        .expect("add operator");
    token.text
}
