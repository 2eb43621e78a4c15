//! What the `server_*` targets share: a real center in a temporary folder (SQLite register, the
//! fixture registry, one operator, one issued certificate), opened as `eds serve` opens it, and
//! its router driven without a socket on a current-thread runtime, set up once per process.
//!
//! The check every target makes: no answer is a server error (5xx): a body of any shape is the
//! client's mistake, answered 4xx with the JSON error of `eds_server::error` (or, for the
//! verification routes, a verdict).

#![allow(dead_code, reason = "each target uses part of the shared harness")]

use std::sync::OnceLock;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use ring::rand::SystemRandom;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tower::ServiceExt;

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::store::{AuditEvent, EntityRecord, PersonRecord};
use eds_server::{Options, Server, auth};

const PASS: &[u8] = b"fuzz passphrase";

/// The fixture registry (`fixtures/registry.json`), so that issuance can succeed.
const REGISTRY: &[u8] = include_bytes!("../../fixtures/registry.json");
/// A registration request the registry agrees with (`fixtures/requests/individual-signing.json`).
pub const REQUEST: &[u8] = include_bytes!("../../fixtures/requests/individual-signing.json");
/// A P-256 PKCS#10 request (`fuzz/seeds/csr_pem/p256.csr`).
pub const CSR: &str = include_str!("../seeds/csr_pem/p256.csr");

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

/// The served center.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    /// The operator's bearer token.
    pub token: String,
    /// A certificate issued at set-up (hex serial), for the routes that name one.
    pub serial: String,
}

/// One answer.
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON; panics (a finding) when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} answered with a body that is not JSON ({e}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// An error answer is a 4xx with `error` and `message` in its JSON.
    pub fn assert_client_error_json(&self) {
        assert!(self.status.is_client_error(), "{}", self.status);
        let v = self.json();
        assert!(v["error"].is_string(), "{v}");
        assert!(v["message"].is_string(), "{v}");
    }
}

/// The harness of this process.
pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(set_up)
}

impl Harness {
    /// Sends `req` through the router; asserts the answer is no server error.
    pub fn call(&self, req: Request<Body>) -> Answer {
        let what = format!("{} {}", req.method(), req.uri());
        let (status, body) = self.runtime.block_on(async {
            let res = self
                .router
                .clone()
                .oneshot(req)
                .await
                .expect("the router is infallible");
            let status = res.status();
            let body = res
                .into_body()
                .collect()
                .await
                .expect("a body in memory")
                .to_bytes();
            (status, body)
        });
        assert!(
            !status.is_server_error(),
            "{what}: {status} {:?}",
            String::from_utf8_lossy(&body)
        );
        Answer { status, body }
    }
}

fn set_up() -> Harness {
    let dir = std::env::temp_dir().join(format!("eds-fuzz-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rng = SystemRandom::new();
    let now = OffsetDateTime::now_utc();
    let config = CenterConfig {
        algorithm: KeyAlgorithm::P256,
        ..CenterConfig::default()
    };
    let center = Center::init(&dir, config, PASS, now - time::Duration::days(1), &rng)
        .expect("a center in a temporary folder");
    let registry: Registry = serde_json::from_slice(REGISTRY).expect("the fixture registry");
    for p in &registry.persons {
        center.record_person(p, "fuzz", now).expect("person");
    }
    for e in &registry.entities {
        center.record_entity(e, "fuzz", now).expect("entity");
    }
    let token = auth::new_token(&rng).expect("token");
    center
        .store()
        .add_operator(
            "fuzz",
            &token.hash,
            &AuditEvent {
                at: now,
                actor: "fuzz".into(),
                action: "api-operator-added".into(),
                details: json!({ "name": "fuzz" }),
            },
        )
        .expect("operator");
    drop(center);
    let server = Server::open(Options::new(dir, PASS.to_vec())).expect("open the server");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut harness = Harness {
        runtime,
        router: server.router(),
        token: token.text,
        serial: String::new(),
    };
    let answer = harness.call(issue_request(&harness.token, &request_with_csr()));
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    harness.serial = answer.json()["certificate"]["serial"]
        .as_str()
        .expect("serial")
        .to_owned();
    harness
}

/// The fixture request with [`CSR`] in `csr_pem`, as JSON bytes.
pub fn request_with_csr() -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(REQUEST).expect("fixture request");
    v["csr_pem"] = json!(CSR);
    serde_json::to_vec(&v).expect("JSON")
}

/// `POST /api/v1/certificates` with `body`.
pub fn issue_request(token: &str, body: &[u8]) -> Request<Body> {
    Request::post("/api/v1/certificates")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_vec()))
        .expect("request")
}

/// Percent-encodes every byte outside the unreserved set and `=&`, so any bytes make a valid
/// query or path segment.
pub fn percent(bytes: &[u8], keep: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
